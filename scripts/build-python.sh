#!/usr/bin/env bash
# Builds rcgc's CPython extension (python/) for Debian's /usr/bin/python3,
# warnings as errors.
#   scripts/build-python.sh            in place: PYTHONPATH=python imports it
#   scripts/build-python.sh --asan DIR with AddressSanitizer and UBSan into
#                                      DIR (a copy of the package: PYTHONPATH=DIR,
#                                      run with libasan and libubsan preloaded)
# Installing for users: /usr/bin/python3 -m pip install ./python
set -euo pipefail
if [ "${1:-}" = --asan ]; then out=$(mkdir -p "$2" && cd "$2" && pwd); fi
cd "$(dirname "$0")/../python"
mkdir -p build
if [ "${1:-}" = --asan ]; then
  log=build/build_ext-asan.log
  rm -rf "$out/rcgc" && cp -r rcgc "$out/rcgc" && rm -f "$out"/rcgc/*.so
  RCGC_WERROR=1 CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -O1" \
    LDFLAGS="-fsanitize=address,undefined" \
    /usr/bin/python3 setup.py build_ext -b "$out/build" -t "$out/tmp" >"$log" 2>&1 ||
    { tail -40 "$log"; echo "rcgc: building the Python extension (ASan) failed ($log)" >&2; exit 1; }
  cp "$out"/build/rcgc/_rcgc*.so "$out/rcgc/"
  exit 0
fi
log=build/build_ext.log
RCGC_WERROR=1 /usr/bin/python3 setup.py build_ext --inplace >"$log" 2>&1 ||
  { tail -40 "$log"; echo "rcgc: building the Python extension failed ($log)" >&2; exit 1; }
