#!/usr/bin/env bash
# Runs every example program of a build directory, in name order.
set -euo pipefail
dir=${1:-build/release}
cd "$(dirname "$0")/.."
root=$PWD
status=0
for src in examples/*.c; do
  name=$(basename "$src" .c)
  exe=$dir/examples/$name
  [ -x "$exe" ] || { echo "missing $exe"; status=1; continue; }
  printf '\n======================================================== %s\n' "$name"
  (cd "$dir/examples" && "$root/$exe") || { echo "!! $name failed"; status=1; }
done
exit $status
