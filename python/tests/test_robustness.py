"""Nothing crashes: user code that misbehaves, collections that would run
during a query, other threads mutating the heap."""
import gc
import json
import threading
import weakref

import rcgc


class Tracer:
    log = []

    def __init__(self):
        self.me = self

    def __del__(self):
        # a query disables automatic collection: were a finalizer to run
        # inside one, it would see collection disabled
        Tracer.log.append(gc.isenabled())


def test_no_finalizer_runs_inside_a_query(tmp_path):
    old = gc.get_threshold()
    was = gc.isenabled()
    gc.enable()
    gc.set_threshold(1)  # a collection at nearly every allocation
    try:
        Tracer.log.clear()
        for round_ in range(5):
            for _ in range(300):
                Tracer()
            rcgc.roots()
            rcgc.why(Tracer)
            rcgc.cycles(limit=5)
            rcgc.top_retainers(3)
            rcgc.snapshot(str(tmp_path / "s.heapsnapshot"))
        gc.collect()
    finally:
        gc.set_threshold(*old)
        if not was:
            gc.disable()
    assert len(Tracer.log) == 1500
    assert all(Tracer.log)


def test_queries_keep_nothing_alive():
    class Gone:
        pass

    g = Gone()
    r = weakref.ref(g)
    rcgc.why(g)
    rcgc.roots()
    rcgc.cycles([g])
    m = rcgc.mark()
    rcgc.expect_freed(g, "the Gone object")
    del g
    assert r() is None
    assert rcgc.check_expected() == []
    del m


def test_check_expected_reports_the_path(module_factory):
    app = module_factory("app_expect", """
class Leak:
    pass
keep = []
""")
    leak = app.Leak()
    app.keep.append(leak)
    rcgc.expect_freed(leak, "request object")
    del leak
    failures = rcgc.check_expected(raise_error=False)
    assert len(failures) == 1
    label, w = failures[0]
    assert label == "request object"
    assert "module app_expect --keep--> list --[0]--> Leak" in str(w)


def test_another_thread_mutating_while_snapshots_are_taken(tmp_path):
    stop = threading.Event()
    shared = {"items": [], "map": {}}

    def mutate():
        i = 0
        while not stop.is_set():
            shared["items"].append([i])
            shared["map"][i] = {"v": i}
            if len(shared["items"]) > 500:
                shared["items"] = []
                shared["map"] = {}
            i += 1

    t = threading.Thread(target=mutate)
    t.start()
    try:
        for k in range(5):
            path = tmp_path / ("t%d.heapsnapshot" % k)
            nodes, edges = rcgc.snapshot(str(path))
            data = json.loads(path.read_text())
            assert len(data["nodes"]) == 7 * nodes
            assert len(data["edges"]) == 3 * edges
            del data  # its numbers would be part of the next snapshot
            rcgc.why(shared)
    finally:
        stop.set()
        t.join()


def test_objects_whose_repr_and_eq_and_hash_explode():
    class Nasty:
        def __repr__(self):
            raise ValueError("repr")

        def __eq__(self, other):
            raise AssertionError("__eq__ must not run")

        def __hash__(self):
            raise AssertionError("__hash__ must not run")

        def __getattribute__(self, name):
            raise AssertionError("__getattribute__ must not run: " + name)

    holder = [Nasty()]
    p = rcgc.why(holder[0])
    assert p == [] or p[0].edges[-1] == "[0]"
    assert "repr raised ValueError" in rcgc.safe_repr(holder[0])
    assert rcgc.referents(holder[0])[-1][0] == "__class__"


def test_gc_get_objects_lists_each_object_once():
    # the picture adds gc.get_objects()'s objects to its table without
    # looking them up first: a duplicate would become a second node
    objs = gc.get_objects()
    ids = set(map(id, objs))
    assert len(ids) == len(objs)
    del objs
