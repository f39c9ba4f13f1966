# Thin wrapper over CMake. Each target configures, builds and installs what it
# needs (from Debian's packages) on a fresh machine.
#   make demo    build (release) and run every example
#   make test    the whole suite: debug build (plain, then with a pause budget, then clang), ASan+UBSan build, valgrind, TSan
#   make bench   benchmark workloads beside CPython, PHP and the Boehm collector,
#                then GCBench and binary-trees beside Boehm, malloc, mimalloc, CPython,
#                then rcgc for Python beside objgraph
#   make diff-long  differential test against CPython: DIFF_COUNT random
#                programs (default 20000) from DIFF_SEED, DIFF_OPS operations each
#   make diff-incremental  the differential tests of incremental collection
#                (tests/gc/test_incremental.c: the same programs with a budget of
#                0 and of 1 us, plain and with strict stores) on DIFF_SEEDS
#                programs each (default 20000; make test runs 20)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
B := build

.PHONY: all demo test test-quick bench bench-instructions fuzz diff-long diff-incremental clean

all:
	$(CMAKE) -S . -B $(B)/release -DCMAKE_BUILD_TYPE=Release -DRCGC_BUILD_TESTS=OFF
	$(CMAKE) --build $(B)/release -j $(JOBS)

demo:
	@scripts/ensure-deps.sh demo
	$(CMAKE) -S . -B $(B)/release -DCMAKE_BUILD_TYPE=Release -DRCGC_BUILD_TESTS=OFF
	$(CMAKE) --build $(B)/release -j $(JOBS)
	@scripts/run-demo.sh $(B)/release

test:
	@scripts/ensure-deps.sh test
	@scripts/run-tests.sh

test-quick:
	@scripts/ensure-deps.sh test
	@RCGC_TEST_MODES=debug scripts/run-tests.sh

bench:
	@scripts/ensure-deps.sh bench
	@bench/run.sh

bench-instructions:
	@scripts/ensure-deps.sh bench
	@bench/run.sh --instructions

fuzz:
	@scripts/ensure-deps.sh fuzz
	@scripts/run-fuzz.sh $(or $(FUZZ_SECONDS),60)

diff-long:
	@scripts/ensure-deps.sh test
	$(CMAKE) -S . -B $(B)/diff -DCMAKE_BUILD_TYPE=Debug -DRCGC_CHECKS=ON -DRCGC_BUILD_EXAMPLES=OFF -DRCGC_BUILD_TOOLS=OFF
	$(CMAKE) --build $(B)/diff -j $(JOBS) --target rcgc_diff_driver
	/usr/bin/python3 tests/diff/run_diff.py --driver $(B)/diff/tests/diff/rcgc_diff_driver \
	  --seed $(or $(DIFF_SEED),1000000) --count $(or $(DIFF_COUNT),20000) --ops $(or $(DIFF_OPS),100) --jobs $(JOBS)

diff-incremental:
	@scripts/ensure-deps.sh test
	$(CMAKE) -S . -B $(B)/debug -DCMAKE_BUILD_TYPE=Debug -DRCGC_CHECKS=ON -DRCGC_BUILD_EXAMPLES=ON
	$(CMAKE) --build $(B)/debug -j $(JOBS) --target test_incremental
	RCGC_DIFF_SEEDS=$(or $(DIFF_SEEDS),20000) $(B)/debug/tests/gc/test_incremental -j$(JOBS) \
	  --filter '*/*free_the_same_objects'

clean:
	rm -rf $(B)
