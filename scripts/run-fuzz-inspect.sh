#!/usr/bin/env bash
# Builds rcgc-inspect's fuzz target (tools/inspect/fuzz_inspect.c: the
# snapshot parser and every command, the command picked by the input's first
# bytes) with clang's libFuzzer, AddressSanitizer and UndefinedBehavior-
# Sanitizer over tools/inspect and src/graph, then runs it for SECONDS
# seconds starting from the committed seed corpus (tests/inspect/fuzz_corpus),
# with the snapshot keys and options of tests/inspect/fuzz.dict.
#   scripts/run-fuzz-inspect.sh [SECONDS]   (default 60; scripts/run-fuzz.sh
#                                            runs it after the oracle fuzzer)
# New interesting inputs go to build/fuzz-inspect/corpus (never into the
# repository). On a finding the input is left as build/fuzz-inspect/crash-*
# (or timeout-*, oom-*, leak-*) and the script exits non-zero after printing
# how to replay it.
# RCGC_FUZZ_SRC: another source tree to fuzz (default: this repository).
# RCGC_FUZZ_SEED pins libFuzzer's seed; RCGC_FUZZ_INSPECT_RUNS (default:
# RCGC_FUZZ_RUNS) bounds the number of runs. `make test` sets the seed and
# the run bound, `make fuzz` neither.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
src=${RCGC_FUZZ_SRC:-.}
out=build/fuzz-inspect
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "run-fuzz-inspect: $CC not found (scripts/ensure-deps.sh fuzz)"; exit 1; }
echo '#include <yajl/yajl_parse.h>' | "$CC" -E -x c - >/dev/null 2>&1 ||
  { echo "run-fuzz-inspect: yajl's headers not found (Debian: apt-get install libyajl-dev)"; exit 1; }
mkdir -p "$out/corpus"
echo "==> fuzz: building $out/fuzz_inspect"
"$CC" -std=c11 -g -O1 -D_POSIX_C_SOURCE=200809L \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
  -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Werror -I"$src/src/graph" \
  "$src"/src/graph/graph.c "$src"/src/graph/histogram.c "$src"/tools/inspect/inspect.c "$src"/tools/inspect/snapshot.c \
  "$src"/tools/inspect/fuzz_inspect.c -o "$out/fuzz_inspect" -lyajl
extra=()
[ -n "${RCGC_FUZZ_SEED:-}" ] && extra+=(-seed="$RCGC_FUZZ_SEED")
runs=${RCGC_FUZZ_INSPECT_RUNS:-${RCGC_FUZZ_RUNS:-}}
[ -n "$runs" ] && extra+=(-runs="$runs")
echo "==> fuzz: running fuzz_inspect for at most ${secs}s ${extra[*]:-}"
set +e
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$out/fuzz_inspect" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
  -print_final_stats=1 -dict=tests/inspect/fuzz.dict -artifact_prefix="$out/" "${extra[@]}" \
  "$out/corpus" tests/inspect/fuzz_corpus \
  >"$out/fuzz.log" 2>&1
rc=$?
set -e
grep -E '^#[0-9]+[[:space:]]+(INITED|DONE)|stat::number_of_executed_units|stat::peak_rss' "$out/fuzz.log" | awk '!seen[$0]++' || true
if [ $rc -ne 0 ]; then
  grep -B2 -A30 -E 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehavior|libFuzzer)|runtime error' "$out/fuzz.log" | head -60
  echo "run-fuzz-inspect: FINDING (exit $rc); input saved as:"
  ls -1 "$out"/crash-* "$out"/timeout-* "$out"/oom-* "$out"/leak-* 2>/dev/null || true
  echo "replay: $out/fuzz_inspect <file>   (then copy it into tests/inspect/fuzz_corpus once fixed)"
  exit 1
fi
tail -1 "$out/fuzz.log"
echo "run-fuzz-inspect: no finding"
