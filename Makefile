# Thin wrapper over CMake. Each target configures, builds and installs what it
# needs (from Debian's packages) on a fresh machine.
#   make demo    build (release) and run every example
#   make test    the whole suite: debug build, ASan+UBSan build, valgrind, TSan
#   make bench   benchmark workloads beside CPython, PHP and the Boehm collector,
#                then GCBench and binary-trees beside Boehm, malloc, mimalloc, CPython
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE ?= cmake
B := build

.PHONY: all demo test test-quick bench bench-instructions fuzz clean

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

clean:
	rm -rf $(B)
