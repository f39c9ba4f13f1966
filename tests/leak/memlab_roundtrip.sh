#!/usr/bin/env bash
# memlab_roundtrip.sh GEN WORKDIR: write an rcgc snapshot with GEN and check
# it with memlab's heap parser (npm package @memlab/core, installed into
# WORKDIR/node_modules on first use, outside the source tree). Exits 77
# (CTest: skipped) with a message when node/npm are missing or the install
# fails (offline).
set -u
gen=$1 work=$2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIP: node/npm not installed"; exit 77
fi
if [ ! -d "$work/node_modules/@memlab/core" ]; then
  (cd "$work" && [ -f package.json ] || echo '{"private":true}' > package.json)
  if ! (cd "$work" && PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-audit --no-fund --ignore-scripts \
          @memlab/core >npm-install.log 2>&1); then
    echo "SKIP: npm install @memlab/core failed (offline?); see $work/npm-install.log"; exit 77
  fi
fi
"$gen" "$work/rcgc.heapsnapshot" "$work/expect.json" || { echo "snapshot_gen failed"; exit 1; }
NODE_PATH="$work/node_modules" node "$here/memlab_roundtrip.js" "$work/rcgc.heapsnapshot" "$work/expect.json"
