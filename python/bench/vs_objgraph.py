"""rcgc beside objgraph on one synthetic application heap.

    /usr/bin/python3 python/bench/vs_objgraph.py [SESSIONS]   (PYTHONPATH=python)

Builds SESSIONS (default 200,000) sessions, each an instance with four
attributes, a dict, a list, a closure that refers back to its session (a
cycle through a cell), kept in a module-level cache: about 6 tracked objects
per session. Then times, once each:
  why      rcgc.why(x)                  vs objgraph.find_backref_chain(x, is_proper_module),
           for one session's list and for a dict every session shares
  growth   rcgc.mark() + rcgc.growth()  vs objgraph.show_growth() twice
  snapshot rcgc.snapshot(path), with the peak memory it adds (VmHWM after
           resetting it through /proc/self/clear_refs)
objgraph's chain search gets a time limit (OBJGRAPH_LIMIT seconds, default
120); past it the figure is reported as "> limit".
"""
import gc
import io
import os
import signal
import sys
import tempfile
import time
import types

import objgraph

import rcgc


class Session:
    def __init__(self, i, config=None):
        self.id = i
        self.config = config
        self.data = {"user": i, "hits": [i]}
        self.tags = ["a", "b"]

        def handler():
            return self
        self.handler = handler


def build(n):
    app = types.ModuleType("bench_app")
    sys.modules["bench_app"] = app
    app.cache = {}
    app.config = {"debug": False}   # shared by every session
    for i in range(n):
        app.cache["user:%d" % i] = Session(i, app.config)
    return app


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


class Timeout(Exception):
    pass


def timed(fn):
    t = time.perf_counter()
    c = time.process_time()
    r = fn()
    timed.cpu = time.process_time() - c
    return time.perf_counter() - t, r


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    limit = int(os.environ.get("OBJGRAPH_LIMIT", "120"))
    app = build(n)
    gc.collect()
    tracked = len(gc.get_objects())
    print("heap: %d sessions, %d gc-tracked objects; load average %s" % (
        n, tracked, open("/proc/loadavg").read().split()[:3]))
    target = app.cache["user:%d" % (n // 2)].data["hits"]

    # no closure over target: a running frame's cell would be a root
    t0, c0 = time.perf_counter(), time.process_time()
    paths = rcgc.why(target)
    t_why, c_why = time.perf_counter() - t0, time.process_time() - c0
    print("why      rcgc      %.3f s (cpu %.3f s)   %s" % (t_why, c_why, paths[0]))
    del paths

    def on_alarm(*_):
        raise Timeout()
    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(limit)
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        chain = objgraph.find_backref_chain(target, objgraph.is_proper_module)
        t_og, c_og = time.perf_counter() - t0, time.process_time() - c0
        signal.alarm(0)
        print("why      objgraph  %.3f s (cpu %.3f s)   chain of %d objects  (objgraph/rcgc %.2f)" % (
            t_og, c_og, len(chain), t_og / t_why))
        del chain
    except Timeout:
        print("why      objgraph  > %d s (stopped)  (objgraph/rcgc > %.0f)" % (limit, limit / t_why))

    # a shared object: objgraph's backward search meets every session
    # before the module that holds it
    shared = app.config
    t0, c0 = time.perf_counter(), time.process_time()
    paths = rcgc.why(shared)
    t_w2, c_w2 = time.perf_counter() - t0, time.process_time() - c0
    print("why/shared rcgc    %.3f s (cpu %.3f s)   %s" % (t_w2, c_w2, paths[0]))
    del paths
    signal.alarm(limit)
    try:
        t0 = time.perf_counter()
        chain = objgraph.find_backref_chain(shared, objgraph.is_proper_module)
        t_og = time.perf_counter() - t0
        signal.alarm(0)
        print("why/shared objgraph %.3f s   chain of %d objects  (objgraph/rcgc %.1f)" % (
            t_og, len(chain), t_og / t_w2))
        del chain
    except Timeout:
        print("why/shared objgraph > %d s (stopped)  (objgraph/rcgc > %.0f)" % (limit, limit / t_w2))
    del shared

    t_mark, m = timed(rcgc.mark)
    extra = [Session(-i) for i in range(1000)]
    t_growth, rows = timed(lambda: rcgc.growth(m))
    print("growth   rcgc      %.3f s   (mark %.3f s + growth %.3f s)  top: %s" % (
        t_mark + t_growth, t_mark, t_growth, rows[0]))
    del m, rows, extra
    sink = io.StringIO()
    t_og1, _ = timed(lambda: objgraph.show_growth(limit=5, file=sink))
    extra = [Session(-i) for i in range(1000)]
    t_og2, _ = timed(lambda: objgraph.show_growth(limit=5, file=sink))
    print("growth   objgraph  %.3f s   (show_growth twice: %.3f + %.3f s)" % (
        t_og1 + t_og2, t_og1, t_og2))
    del extra

    path = os.path.join(tempfile.mkdtemp(), "bench.heapsnapshot")
    gc.collect()
    rss = status("VmRSS")
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # reset the peak RSS
        reset = True
    except OSError:
        reset = False
    t_snap, (nodes, edges) = timed(lambda: rcgc.snapshot(path))
    c_snap = timed.cpu
    peak = status("VmHWM")
    size = os.path.getsize(path)
    print("snapshot rcgc      %.3f s (cpu %.3f s)   %d nodes, %d edges, %.1f MB file" % (
        t_snap, c_snap, nodes, edges, size / 1e6))
    if reset:
        print("snapshot extra peak memory: %.1f MB = %.0f bytes per node" % (
            (peak - rss) / 1e6, (peak - rss) / nodes))
    os.unlink(path)


if __name__ == "__main__":
    main()
