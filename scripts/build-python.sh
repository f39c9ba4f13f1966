#!/usr/bin/env bash
# Builds rcgc's CPython extension (python/) in place for Debian's
# /usr/bin/python3, warnings as errors, so `PYTHONPATH=python` imports it.
# Installing for users: /usr/bin/python3 -m pip install ./python
set -euo pipefail
cd "$(dirname "$0")/../python"
log=build/build_ext.log
mkdir -p build
RCGC_WERROR=1 /usr/bin/python3 setup.py build_ext --inplace >"$log" 2>&1 ||
  { tail -40 "$log"; echo "rcgc: building the Python extension failed ($log)" >&2; exit 1; }
