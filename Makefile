# Thin wrapper over CMake. Each target configures, builds and installs what it
# needs (from Debian's packages) on a fresh machine.
#   make demo    build (release) and run every example
#   make test    the whole suite: debug build (plain, then with a pause budget, then clang), ASan+UBSan build, valgrind, TSan
#   make bench   benchmark workloads beside CPython, PHP and the Boehm collector,
#                then GCBench and binary-trees beside Boehm, malloc, mimalloc, CPython,
#                then rcgc for Python beside objgraph
#   make diff-long  differential test against CPython: DIFF_COUNT random
#                programs (default 20000) from DIFF_SEED, DIFF_OPS operations each
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
B := build

.PHONY: all demo test test-quick bench bench-instructions fuzz diff-long clean

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

clean:
	rm -rf $(B)
