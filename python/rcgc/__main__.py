"""python3 -m rcgc: run a program and report what it leaves on the heap.

    python3 -m rcgc run [--snapshot FILE] [--top N] [--growth N] script.py [args...]
        Runs script.py as __main__ (sys.argv = [script.py, args...]). At exit
        -- normal, sys.exit, an exception, Ctrl-C -- and whenever the process
        receives SIGUSR1, prints to stderr: per-type growth since the start,
        the cyclic garbage the program left (its cycles with edge names), and
        the top retainers; --snapshot FILE also writes a .heapsnapshot (on
        SIGUSR1: FILE with a counter before the extension).

    python3 -m rcgc summary|why|cycles|top|diff|dot ...
        Runs rcgc-inspect (from RCGC_INSPECT or PATH) on snapshot files.
"""

import argparse
import gc
import os
import builtins
import shutil
import signal
import sys
import types

import rcgc
from rcgc import _rcgc

# frames running this module's code are rcgc's own: never in a result
_rcgc._own_globals(globals())


def _type_counts(objs):
    # a helper, so that no loop variable of the report keeps an object alive
    counts = {}
    for o in objs:
        counts[type(o).__name__] = counts.get(type(o).__name__, 0) + 1
    return counts


def _cycle_texts(objs):
    # the Cycle objects live only in this call: they must not show up
    # among the top retainers computed after it
    return [c.describe() for c in rcgc.cycles(objs, limit=5, max_edges=8)]


def _report(start, args, out, final):
    print("\n===== rcgc report (%s) =====" % ("exit" if final else "SIGUSR1"), file=out)
    rows = rcgc.growth(start, limit=args.growth)
    print("growth since start (type, now, change, bytes change):", file=out)
    for r in rows:
        print("  " + str(r), file=out)
    if not rows:
        print("  (none)", file=out)
    found = rcgc._collect_saving_garbage()
    counts = _type_counts(found)
    print("cyclic garbage: %d object%s%s" % (
        len(found), "" if len(found) == 1 else "s",
        "".join(" %s=%d" % kv for kv in sorted(counts.items(), key=lambda kv: -kv[1])[:8])),
        file=out)
    for text in _cycle_texts(found):
        print("  " + text.replace("\n", "\n  "), file=out)
    del found
    gc.collect()
    print("top retainers (retained bytes, self bytes, object):", file=out)
    for r in rcgc.top_retainers(args.top):
        print("  " + str(r), file=out)
    if args.snapshot:
        path = args.snapshot
        if not final:
            _report.count = getattr(_report, "count", 0) + 1
            base, ext = os.path.splitext(path)
            path = "%s.%d%s" % (base, _report.count, ext or ".heapsnapshot")
        nodes, edges = rcgc.snapshot(path)
        print("snapshot: %s (%d nodes, %d edges)" % (path, nodes, edges), file=out)
    out.flush()


def run(argv):
    ap = argparse.ArgumentParser(prog="python3 -m rcgc run")
    ap.add_argument("--snapshot", metavar="FILE", help="write a .heapsnapshot at exit")
    ap.add_argument("--top", type=int, default=10, metavar="N", help="top retainers to list")
    ap.add_argument("--growth", type=int, default=15, metavar="N", help="growth rows to list")
    ap.add_argument("script")
    ap.add_argument("args", nargs=argparse.REMAINDER)
    args = ap.parse_args(argv)
    gc.collect()  # the garbage of start-up is not the program's
    start = rcgc.mark()
    out = sys.stderr
    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, lambda *_: _report(start, args, out, False))
    sys.argv = [args.script] + args.args
    sys.path.insert(0, os.path.dirname(os.path.abspath(args.script)))
    # the program runs in a fresh __main__ module that stays in sys.modules,
    # so what its globals hold at exit is reported as held, not as garbage
    main_mod = types.ModuleType("__main__")
    main_mod.__file__ = args.script
    main_mod.__builtins__ = builtins
    sys.modules["__main__"] = main_mod
    status = 0
    try:
        with open(args.script, "rb") as f:
            code = compile(f.read(), args.script, "exec")
        exec(code, main_mod.__dict__)
    except SystemExit as e:
        status = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except KeyboardInterrupt:
        status = 130
    except BaseException:
        import traceback
        traceback.print_exc()
        status = 1
    _report(start, args, out, True)
    return status


INSPECT_COMMANDS = ("summary", "why", "cycles", "top", "diff", "dot")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0 if argv else 2
    if argv[0] == "run":
        return run(argv[1:])
    if argv[0] in INSPECT_COMMANDS:
        tool = os.environ.get("RCGC_INSPECT") or shutil.which("rcgc-inspect")
        if not tool:
            print("rcgc: rcgc-inspect not found (set RCGC_INSPECT or put it on PATH)", file=sys.stderr)
            return 2
        os.execv(tool, [tool] + argv)
    print("rcgc: unknown command %r (try --help)" % argv[0], file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
