#!/usr/bin/env bash
# check-example.sh PROGRAM EXPECTED: run an example and compare its output
# (stdout, then stderr) with EXPECTED after normalising what differs from
# run to run: addresses (0x1234abcd -> 0xADDR) and elapsed times.
set -u
prog=$1 expected=$2
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
cd "$(dirname "$prog")"
"$prog" >"$out" 2>"$err"
rc=$?
normalise() { sed -E -e 's/0x[0-9a-fA-F]+/0xADDR/g' -e 's/[0-9]+\.[0-9]+s elapsed/N.NNNNs elapsed/g' \
                     -e 's/[0-9]+\.[0-9]+ (ms|s)\b/N.NN \1/g'; }
diff -u <(normalise <"$expected") <(cat "$out" "$err" | normalise) || { echo "example output differs (exit $rc)"; exit 1; }
[ $rc -eq 0 ] || { echo "example exited with $rc"; exit 1; }
