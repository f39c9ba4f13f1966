#!/usr/bin/env bash
# Runs the whole test suite in every mode `make test` promises:
#   debug     RCGC_CHECKS build (poisoned headers, misuse and thread checks)
#   clang     the debug build compiled with clang instead of gcc: library,
#             tests, examples, rcgc-inspect and the benchmark programs (built,
#             not run), warnings as errors, then the same tests as debug
#   budget    the debug build's tests again (the slow ones excepted) with a
#             1 us pause budget on every test heap (RCGC_TEST_BUDGET=1):
#             automatic collections are incremental, with a slice at nearly
#             every allocation while one runs
#   asan      RCGC_CHECKS + AddressSanitizer + UndefinedBehaviorSanitizer
#   release   optimised build (what users link), every heap of the suite
#             under RCGC_POLICY_CPYTHON (RCGC_TEST_POLICY=cpython); the other
#             modes run it under the default policy, so the suite passes
#             under both (tests of CPython-exact behaviour pin that policy)
#   stress    RCGC_STRESS: a collection at every tracked allocation; then
#             again with a 1 us pause budget on every test heap, where the
#             stress build runs a slice of an incremental collection (16
#             units of work) instead, at every tracked allocation and every
#             64th decrement
#   valgrind  memcheck over the release build's tests (tests/valgrind.sh)
#   tsan      ThreadSanitizer over the thread tests (label: threads)
#   fuzz      a bounded libFuzzer run of the oracle fuzzer (clang): a pinned
#             seed and 60,000 inputs, then of rcgc-inspect's fuzz target:
#             300,000 inputs (`make fuzz` explores for a given time)
#   python    the CPython extension (python/): built in place for Debian's
#             /usr/bin/python3, then its pytest suite, with rcgc-inspect from
#             a release build and memlab (npm, as for the C suite) for the
#             snapshot tests; then the suite again over a build of the
#             extension with ASan + UBSan (leak detection off: the
#             interpreter itself is not built for it)
# RCGC_TEST_MODES selects a subset ("debug asan"); default: all of them.
set -euo pipefail
cd "$(dirname "$0")/.."
modes=${RCGC_TEST_MODES:-"debug budget clang asan release stress valgrind tsan fuzz python"}
jobs=$(nproc 2>/dev/null || echo 2)
B=build
failed=()

configure_build() { # dir, cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" "$@" >"$dir.configure.log" 2>&1 ||
    { cat "$dir.configure.log"; return 1; }
  cmake --build "$dir" -j "$jobs" >"$dir.build.log" 2>&1 || { tail -50 "$dir.build.log"; return 1; }
}

run_mode() {
  local mode=$1
  echo "==> tests: $mode"
  case "$mode" in
    debug)   configure_build $B/debug -DCMAKE_BUILD_TYPE=Debug -DRCGC_CHECKS=ON -DRCGC_BUILD_EXAMPLES=ON &&
             ctest --test-dir $B/debug --output-on-failure -j "$jobs" ;;
    budget)  configure_build $B/debug -DCMAKE_BUILD_TYPE=Debug -DRCGC_CHECKS=ON -DRCGC_BUILD_EXAMPLES=ON &&
             RCGC_TEST_BUDGET=1 ctest --test-dir $B/debug --output-on-failure -j "$jobs" -LE slow ;;
    clang)   configure_build $B/clang -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug -DRCGC_CHECKS=ON \
               -DRCGC_WERROR=ON -DRCGC_BUILD_EXAMPLES=ON -DRCGC_BUILD_TOOLS=ON -DRCGC_BUILD_BENCH=ON &&
             ctest --test-dir $B/clang --output-on-failure -j "$jobs" ;;
    asan)    configure_build $B/asan -DRCGC_BUILD_EXAMPLES=ON -DCMAKE_BUILD_TYPE=Debug -DRCGC_CHECKS=ON \
               -DRCGC_SANITIZE=address,undefined -DRCGC_BUILD_TOOLS=ON &&
             ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
             ctest --test-dir $B/asan --output-on-failure -j "$jobs" -LE slow ;;
    release) configure_build $B/release-tests -DRCGC_BUILD_EXAMPLES=OFF -DCMAKE_BUILD_TYPE=Release &&
             RCGC_TEST_POLICY=cpython ctest --test-dir $B/release-tests --output-on-failure -j "$jobs" ;;
    stress)  configure_build $B/stress -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRCGC_STRESS=ON -DRCGC_CHECKS=ON \
               -DRCGC_BUILD_TOOLS=OFF -DRCGC_BUILD_EXAMPLES=OFF &&
             ctest --test-dir $B/stress --output-on-failure -j "$jobs" -LE "slow|tool" &&
             RCGC_TEST_BUDGET=1 ctest --test-dir $B/stress --output-on-failure -j "$jobs" -LE "slow|tool" ;;
    valgrind) if [ -x tests/valgrind.sh ]; then tests/valgrind.sh $B/release-tests; else echo "(no valgrind runner yet)"; fi ;;
    tsan)    if [ -d tests/threads ]; then
               configure_build $B/tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRCGC_SANITIZE=thread -DRCGC_BUILD_TOOLS=OFF -DRCGC_BUILD_EXAMPLES=OFF &&
               TSAN_OPTIONS=halt_on_error=1 ctest --test-dir $B/tsan --output-on-failure -L threads
             else echo "(no thread tests yet)"; fi ;;
    fuzz)    RCGC_FUZZ_SEED=${RCGC_FUZZ_SEED:-20261121} RCGC_FUZZ_RUNS=${RCGC_FUZZ_RUNS:-60000} \
               RCGC_FUZZ_INSPECT_RUNS=${RCGC_FUZZ_INSPECT_RUNS:-300000} \
               scripts/run-fuzz.sh "${RCGC_FUZZ_SECONDS:-300}" ;;
    python)  configure_build $B/python-tools -DCMAKE_BUILD_TYPE=Release -DRCGC_BUILD_TESTS=OFF \
               -DRCGC_BUILD_EXAMPLES=OFF -DRCGC_BUILD_TOOLS=ON &&
             scripts/build-python.sh &&
             RCGC_INSPECT=$PWD/$B/python-tools/tools/rcgc-inspect RCGC_MEMLAB_DIR=$PWD/$B/python-memlab \
               /usr/bin/python3 -m pytest -q -p no:cacheprovider python/tests &&
             echo "==> tests: python under AddressSanitizer + UBSan" &&
             scripts/build-python.sh --asan $B/python-asan &&
             RCGC_PY_INSTALLED=1 PYTHONPATH=$PWD/$B/python-asan \
               LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)" \
               ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
               RCGC_INSPECT=$PWD/$B/python-tools/tools/rcgc-inspect RCGC_MEMLAB_DIR=$PWD/$B/python-memlab \
               /usr/bin/python3 -m pytest -q -p no:cacheprovider python/tests ;;
    *) echo "unknown mode $mode"; return 1 ;;
  esac
}

mkdir -p $B
for m in $modes; do
  if ! run_mode "$m"; then failed+=("$m"); fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "FAILED modes: ${failed[*]}"
  exit 1
fi
echo "all test modes passed: $modes"
