#!/usr/bin/env bash
# Builds the oracle fuzzer (tests/fuzz/fuzz_oracle.c) with clang's libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer over src/core, src/leak and src/graph (a debug build:
# poisoned headers, quarantine, misuse checks), then runs it for SECONDS
# seconds starting from the committed seed corpus (tests/fuzz/corpus); then
# runs rcgc-inspect's fuzz target the same way (scripts/run-fuzz-inspect.sh,
# also for at most SECONDS seconds).
#   scripts/run-fuzz.sh [SECONDS]        (default 60; make fuzz, make test)
# New interesting inputs go to build/fuzz/corpus (never into the repository).
# On a finding the crashing input is left as build/fuzz/crash-* and the script
# exits non-zero after printing how to replay it.
# RCGC_FUZZ_SRC: another source tree to fuzz (default: this repository).
# RCGC_FUZZ_SEED and RCGC_FUZZ_RUNS pin libFuzzer's seed and bound the number
# of runs (`make test` sets both, so a CI run costs about the same whatever
# the machine); the exploration still varies a little from run to run, since
# coverage depends on addresses and timings. `make fuzz` leaves them unset.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
src=${RCGC_FUZZ_SRC:-.}
out=build/fuzz
CC=${FUZZ_CC:-clang}
command -v "$CC" >/dev/null || { echo "run-fuzz: $CC not found (scripts/ensure-deps.sh fuzz)"; exit 1; }
mkdir -p "$out/corpus"
echo "==> fuzz: building $out/fuzz_oracle"
"$CC" -std=c11 -g -O1 -DRCGC_CHECKS -D_POSIX_C_SOURCE=200809L \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
  -Wall -Wextra -Werror -I"$src/include" -I"$src/src/core" -I"$src/src/leak" -I"$src/src/graph" \
  "$src"/src/core/*.c "$src"/src/leak/*.c "$src"/src/graph/graph.c "$src"/src/graph/heapsnap.c \
  tests/fuzz/fuzz_oracle.c -o "$out/fuzz_oracle" -lm -lpthread
extra=()
[ -n "${RCGC_FUZZ_SEED:-}" ] && extra+=(-seed="$RCGC_FUZZ_SEED")
[ -n "${RCGC_FUZZ_RUNS:-}" ] && extra+=(-runs="$RCGC_FUZZ_RUNS")
echo "==> fuzz: running for at most ${secs}s ${extra[*]:-}"
set +e
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$out/fuzz_oracle" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 -max_len=1024 \
  -print_final_stats=1 -artifact_prefix="$out/" "${extra[@]}" "$out/corpus" tests/fuzz/corpus \
  >"$out/fuzz.log" 2>&1
rc=$?
set -e
grep -E '^#[0-9]+ +(INITED|DONE)|stat::number_of_executed_units|stat::peak_rss|fuzz_oracle: ' "$out/fuzz.log" | awk '!seen[$0]++' || true
if [ $rc -ne 0 ]; then
  sed -n '/FINDING/,/check failed/p' "$out/fuzz.log" | head -120
  grep -A25 -E 'ERROR: (AddressSanitizer|UndefinedBehavior)|runtime error' "$out/fuzz.log" | head -40
  echo "run-fuzz: FINDING (exit $rc); input saved as:"
  ls -1 "$out"/crash-* "$out"/timeout-* "$out"/oom-* "$out"/leak-* 2>/dev/null || true
  echo "replay: $out/fuzz_oracle <file>   (then copy it into tests/fuzz/corpus once fixed)"
  exit 1
fi
tail -1 "$out/fuzz.log"
echo "run-fuzz: no finding"
scripts/run-fuzz-inspect.sh "$secs"
