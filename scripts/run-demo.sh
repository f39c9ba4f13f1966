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
exit $status
