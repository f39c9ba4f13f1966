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
# The leak-hunting demo left a heap snapshot: query it with rcgc-inspect
# (built with the release tree when yajl is installed).
snap=$dir/examples/leak_hunt.heapsnapshot
inspect=$dir/tools/rcgc-inspect
if [ -f "$snap" ] && [ -x "$inspect" ]; then
  printf '\n======================================================== rcgc-inspect on leak_hunt.heapsnapshot\n'
  for args in "summary $snap" "why $snap @13" "cycles $snap" "top $snap 3"; do
    echo "\$ rcgc-inspect $args"
    # shellcheck disable=SC2086
    "$inspect" $args || { echo "!! rcgc-inspect $args failed"; status=1; }
    echo
  done
elif [ -f "$snap" ]; then
  echo "(rcgc-inspect not built: install libyajl-dev to query $snap)"
fi
# rcgc for Python: the extension built in place for Debian's python3, then
# each program of python/examples (rcgc-inspect from this build when present)
printf '\n======================================================== Python: building the extension\n'
insp=""
[ -x "$inspect" ] && insp="$(cd "$(dirname "$inspect")" && pwd)/rcgc-inspect"
if scripts/build-python.sh; then
  for ex in python/examples/[0-9]*.py; do
    printf '\n======================================================== python3 %s\n' "$ex"
    (cd python/examples && RCGC_INSPECT=$insp PYTHONPATH="$root/python" \
       /usr/bin/python3 "$(basename "$ex")") || { echo "!! $ex failed"; status=1; }
  done
else
  status=1
fi
exit $status
