"""Exact retaining paths, with edge names, on constructed leaks."""
import gc
import sys

import rcgc
from rcgc import _rcgc


def first_path(obj):
    paths = rcgc.why(obj)
    assert len(paths) == 1
    return paths[0]


def of_type(name):
    return [o for o in gc.get_objects() if type(o).__name__ == name]


def test_cache_dict_holding_a_closure_that_holds_self(module_factory):
    app = module_factory("app_cache", """
_cache = {}
class Session:
    def __init__(self):
        self.handler = None
    def register(self):
        def handler():
            return self
        _cache['user:42'] = handler
""")
    s = app.Session()
    s.register()
    p = first_path(s)
    # from sys.modules (the module is this test's variable too: a path as
    # short, from this frame, comes after it)
    assert p.edges == ["'app_cache'", "__dict__", "'_cache'", "'user:42'", "__closure__", "[0]",
                       "cell_contents"]
    assert [n.type_name for n in p.nodes] == ["dict", "module", "dict", "dict", "function", "tuple", "cell",
                                             "Session"]
    assert p.nodes[0].obj is sys.modules
    assert p.nodes[1].obj is app
    assert p.nodes[-1].obj is s
    # str() starts at the module, without sys.modules' root note
    assert str(p) == (
        "module app_cache --_cache--> dict --'user:42'--> function Session.register.<locals>.handler "
        "--__closure__--> tuple --[0]--> cell --cell_contents--> Session")
    # sys.modules: the interpreter's reference
    assert p.nodes[0].unexplained == 1


def test_observer_list_on_a_module_level_registry(module_factory):
    reg = module_factory("app_registry", """
observers = []
class Widget:
    def __init__(self):
        observers.append(self.on_change)
    def on_change(self, event):
        pass
""")
    w = reg.Widget()
    p = first_path(w)
    assert p.edges == ["'app_registry'", "__dict__", "'observers'", "[0]", "__self__"]
    assert [n.type_name for n in p.nodes] == ["dict", "module", "dict", "list", "method", "Widget"]
    assert str(p).startswith("module app_registry --observers--> list --[0]--> method --__self__--> Widget")


def test_frame_kept_alive_by_a_traceback_stored_on_an_exception(module_factory):
    app = module_factory("app_jobs", """
jobs = []
class Payload:
    pass
def work():
    big = Payload()
    raise ValueError("boom")
class Job:
    def run(self):
        try:
            work()
        except ValueError as e:
            self.error = e
def start():
    j = Job()
    jobs.append(j)
    j.run()
""")
    app.start()
    (payload,) = of_type("Payload")
    p = first_path(payload)
    assert p.edges == ["'app_jobs'", "__dict__", "'jobs'", "[0]", "error", "__traceback__", "tb_next",
                       "tb_frame", "big"]
    assert [n.type_name for n in p.nodes] == ["dict", "module", "dict", "list", "Job", "ValueError",
                                             "traceback", "traceback", "frame", "Payload"]


def test_held_only_by_a_c_extension_is_a_root_with_one_unexplained_reference():
    class HeldByC:
        pass

    o = HeldByC()
    oid = id(o)
    _rcgc._test_hold(o)
    del o
    try:
        found = [r for r in rcgc.roots() if id(r.obj) == oid]
        assert len(found) == 1
        assert found[0].type_name == "HeldByC"
        assert found[0].unexplained == 1
        assert found[0].frames == []
        # no path through the heap explains it: the one path is this
        # function's variable, the C helper's reference stays unexplained
        target = found[0].obj
        del found
        w = rcgc.why(target)
        assert len(w) == 1 and w[0].edges == ["target"]
        assert str(w).startswith(
            "frame test_held_only_by_a_c_extension_is_a_root_with_one_unexplained_reference (test_paths.py:")
        assert str(w).endswith(") --target--> HeldByC")
        assert w.unexplained == 1
    finally:
        assert _rcgc._test_release(oid) is True


def test_k_paths_have_distinct_last_edges(module_factory):
    app = module_factory("app_two", """
class T:
    pass
a = {}
b = []
""")
    t = app.T()
    app.a["t"] = t
    app.b.append(t)
    paths = rcgc.why(t, k=5)
    lasts = sorted(p.edges[-1] for p in paths[:2])
    assert lasts == ["'t'", "[0]"]
    # then this function's variable, after the heap's paths
    assert [p.edges for p in paths[2:]] == [["t"]]
    assert paths[2].root.obj.function == "test_k_paths_have_distinct_last_edges"


def test_one_referent_twice_in_one_container_each_edge_named(module_factory):
    # labels are found after the walk, one edge at a time: the j-th edge
    # from a container to a referent takes the j-th name recorded for it
    app = module_factory("app_twice", """
class T:
    pass
class Holder:
    pass
reg = {}
""")
    t = app.T()
    h = app.Holder()
    h.first = t
    h.second = t
    app.reg["a"] = h
    app.reg["x"] = t
    app.reg["y"] = t
    del h  # else this function's variable makes the Holder a root
    paths = rcgc.why(t, k=5)
    lasts = [p.edges[-1] for p in paths]
    assert lasts == ["'x'", "'y'", "first", "second", "t"]
    assert [len(p) for p in paths] == [4, 4, 5, 5, 1]
    assert paths[2].edges == ["'app_twice'", "__dict__", "'reg'", "'a'", "first"]
