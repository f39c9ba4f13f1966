#!/usr/bin/env python3
"""Run a command and report its cost, for the rcgc-inspect tests.

Usage: measure.py OUT ERR -- CMD [ARGS...]

Runs CMD with stdout to the file OUT and stderr to the file ERR, then
prints one line: "EXIT SECONDS MAXRSS_KIB" (the wall time of the run and
the peak resident memory of the command, from getrusage of the children).
"""
import resource
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit(__doc__)
    with open(sys.argv[1], "wb") as out, open(sys.argv[2], "wb") as err:
        t0 = time.monotonic()
        rc = subprocess.call(sys.argv[4:], stdout=out, stderr=err)
        secs = time.monotonic() - t0
    kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print("%d %.2f %d" % (rc, secs, kib))


if __name__ == "__main__":
    main()
