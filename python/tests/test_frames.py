"""Running frames: the variables of functions still executing (in this
thread or another) explain the references they hold, and paths name them."""
import json
import sys
import threading
import weakref

import pytest

import rcgc
from rcgc import _rcgc

pytestmark = pytest.mark.skipif(not _rcgc.NAMES_FROM_INTERNALS,
                                reason="running frames are read on CPython 3.11 only")


class Target:
    pass


class ThreadMarker:
    pass


def lineno():
    """The line the caller is executing."""
    return sys._getframe(1).f_lineno


def roots_of(oid):
    """The roots whose object has id oid. (A comprehension naming a
    variable of the test would make that variable a closure cell.)"""
    return [r for r in rcgc.roots() if id(r.obj) == oid]


def frames_of(root):
    return [(f.function, f.filename.rsplit("/", 1)[-1], f.lineno, name) for f, name in root.frames]


def test_a_local_of_this_function_explains_its_reference():
    """Held by a C static and by this function's variable: one unexplained
    reference (the C one), the other named. Without the frame walk the
    count is 2 and no frame is named."""
    o = Target()
    _rcgc._test_hold(o)
    try:
        found, line = roots_of(id(o)), lineno()
        assert len(found) == 1
        assert found[0].unexplained == 1
        assert frames_of(found[0]) == [
            ("test_a_local_of_this_function_explains_its_reference", "test_frames.py", line, "o")]
        f = found[0].frames[0][0]
        assert f.main_thread and f.thread_id == threading.main_thread().ident
        assert f.code is test_a_local_of_this_function_explains_its_reference.__code__
        del found, f
        w, line = rcgc.why(o), lineno()
        assert [str(p) for p in w] == [
            "frame test_a_local_of_this_function_explains_its_reference (test_frames.py:%d) --o--> Target"
            % line]
        assert w[0].edges == ["o"] and w[0].nodes[1].obj is o
        assert type(w[0].root.obj) is rcgc.Frame and w[0].root.unexplained == 0
        assert w.unexplained == 1
    finally:
        assert _rcgc._test_release(id(o)) is True
    # held by the variable alone (the old answer, which holds it too, gone):
    # nothing unexplained
    del w
    w = rcgc.why(o)
    assert w.unexplained == 0 and [p.edges for p in w] == [["o"]]


def wait_holding_a_marker(ready, done):
    mine = ThreadMarker()
    ready.set()
    done.wait()
    return mine


def test_a_local_of_another_thread_is_found_with_its_thread():
    ready, done = threading.Event(), threading.Event()
    t = threading.Thread(target=wait_holding_a_marker, args=(ready, done), name="frames-worker")
    t.start()
    try:
        assert ready.wait(10)
        (root,) = [r for r in rcgc.roots() if type(r.obj) is ThreadMarker]
        assert root.unexplained == 0
        assert [(f.function, name) for f, name in root.frames] == [("wait_holding_a_marker", "mine")]
        f = root.frames[0][0]
        assert f.thread_id == t.ident and not f.main_thread
        assert f.thread_name == "frames-worker"
        line = wait_holding_a_marker.__code__.co_firstlineno + 3  # done.wait()
        assert f.lineno == line
        assert f.label == "frame wait_holding_a_marker (test_frames.py:%d, thread frames-worker)" % line
        marker = root.obj
        del root, f
        w = rcgc.why(marker)
        assert [str(p) for p in w] == [
            "frame wait_holding_a_marker (test_frames.py:%d, thread frames-worker) --mine--> ThreadMarker"
            % line]
        assert w.unexplained == 0
        # the snapshot's name of that frame's node gives the thread's id
        assert w[0].root.type_name == "frame wait_holding_a_marker (test_frames.py:%d) thread %d" % (
            line, t.ident)
        del w, marker
    finally:
        done.set()
        t.join()


def query_one_down(ref):
    return rcgc.why(ref())


def query_two_down(ref):
    return query_one_down(ref)


def test_a_local_of_a_caller_two_frames_up():
    held = Target()
    w, line = query_two_down(weakref.ref(held)), lineno()
    assert [str(p) for p in w] == [
        "frame test_a_local_of_a_caller_two_frames_up (test_frames.py:%d) --held--> Target" % line]
    assert w.unexplained == 0


def test_a_local_reaching_the_target_through_the_heap():
    box = {"k": [Target()]}
    ref = weakref.ref(box["k"][0])
    w, line = query_one_down(ref), lineno()
    assert [str(p) for p in w] == [
        "frame test_a_local_reaching_the_target_through_the_heap (test_frames.py:%d) --box--> dict "
        "--'k'--> list --[0]--> Target" % line]


def suspended():
    inside = Target()
    yield weakref.ref(inside)
    yield 2


def running():
    inside = Target()
    yield rcgc.why(inside)


def test_a_generators_frame_is_reported_by_the_generator():
    g = suspended()
    ref = next(g)
    w, line = rcgc.why(ref()), lineno()
    # suspended: the generator object has its locals, as before
    assert [str(p) for p in w] == [
        "frame test_a_generators_frame_is_reported_by_the_generator (test_frames.py:%d) --g--> generator "
        "--inside--> Target" % line]
    assert w.unexplained == 0
    assert not [f for r in rcgc.roots() for f, _ in r.frames if f.function == "suspended"]
    # running (it called why): still the generator's, not a frame of its
    # own; the generator is also on this frame's value stack, as next()'s
    # argument, which 3.11 does not show while next() runs: one
    # unexplained reference, so the path starts at the generator
    g2 = running()
    w = next(g2)
    assert [str(p) for p in w] == ["generator --inside--> Target   [root: 1 unexplained reference]"]
    assert w.unexplained == 0


def all_frames_in_results():
    """Every Frame named by roots(), why() of every root, top_retainers()
    and cycles()."""
    out = []
    for r in rcgc.roots():
        out.extend(f for f, _ in r.frames)
    objs = [Target() for _ in range(3)]
    objs[0].x, objs[1].x, objs[2].x = objs[1], objs[2], objs[0]
    for p in rcgc.why(objs[0], k=10):
        out.extend(n.obj for n in p.nodes if type(n.obj) is rcgc.Frame)
    for r in rcgc.top_retainers(10 ** 6):
        if type(r.node.obj) is rcgc.Frame:
            out.append(r.node.obj)
    for c in rcgc.cycles(objs):
        if c.reason[0] == "held":
            out.extend(n.obj for n in c.reason[1].nodes if type(n.obj) is rcgc.Frame)
    return out


def test_rcgc_own_frames_never_appear(tmp_path):
    frames = all_frames_in_results()
    assert frames  # this test's own, pytest's...
    assert "test_rcgc_own_frames_never_appear" in [f.function for f in frames]
    pkg = rcgc.__file__.rsplit("/", 1)[0] + "/"
    assert [f for f in frames if f.filename.startswith(pkg)] == []
    # nor in a snapshot
    path = tmp_path / "own.heapsnapshot"
    rcgc.snapshot(str(path))
    data = json.loads(path.read_text())
    names = {data["strings"][i] for i in data["nodes"][1::7]}
    framed = sorted(n for n in names if n.startswith("frame "))
    assert any(n.startswith("frame test_rcgc_own_frames_never_appear (test_frames.py:") for n in framed)
    own = ("snapshot", "roots", "why", "top_retainers", "cycles", "check_expected")
    assert [n for n in framed if n.split(" ")[1] in own] == []
    # an object only the query holds (computed outside the assert, whose
    # rewriting would keep it in a variable)
    text = str(rcgc.why(Target()))
    assert text == "(no path from a root and no reference from outside: held only by this query)"
    # check_expected() calls why() from its own frame: neither counts
    t = Target()
    rcgc.expect_freed(t, "t")
    ((label, w),) = rcgc.check_expected(raise_error=False)
    assert label == "t" and w.unexplained == 0
    assert [p.edges for p in w] == [["t"]]
    assert w[0].root.obj.function == "test_rcgc_own_frames_never_appear"


def test_a_running_frame_is_a_snapshot_node_with_named_edges(tmp_path):
    t = Target()
    me = sys._getframe()  # this frame's frame object: the frame refers to it
    path = tmp_path / "frames.heapsnapshot"
    rcgc.snapshot(str(path))
    line = lineno() - 1
    data = json.loads(path.read_text())
    fields = data["snapshot"]["meta"]["node_fields"]
    nf = len(fields)
    nodes, edges, strings = data["nodes"], data["edges"], data["strings"]
    etypes = data["snapshot"]["meta"]["edge_types"][0]
    name = "frame test_a_running_frame_is_a_snapshot_node_with_named_edges (test_frames.py:%d)" % line
    starts, e = {}, 0
    for i in range(0, len(nodes), nf):
        starts[i] = e
        e += 3 * nodes[i + fields.index("edge_count")]
    (fi,) = [i for i in range(0, len(nodes), nf) if strings[nodes[i + 1]] == name]
    out = [(etypes[edges[k]], strings[edges[k + 1]], nodes[edges[k + 2] + fields.index("id")])
           for k in range(starts[fi], starts[fi] + 3 * nodes[fi + fields.index("edge_count")], 3)]
    assert ("property", "t", rcgc.snapshot_id(t)) in out
    assert ("property", "path", rcgc.snapshot_id(path)) in out
    assert ("property", "me", rcgc.snapshot_id(me)) in out
    assert ("property", "(frame object)", rcgc.snapshot_id(me)) in out
    # (by name: a code object is found late, after the tracked objects, so
    # it takes the next free id when a node 32 GiB away has its own, as
    # happens with ASan's memory layout; see snapshot_id)
    assert "f_code" in [x[1] for x in out]
    assert [x for x in out if x[0] != "property"] == []
    # the synthetic root (node 0) has an element edge to it
    root_edges = edges[0:3 * nodes[fields.index("edge_count")]]
    assert fi in root_edges[2::3]


def test_the_unexplained_counts_of_all_roots_drop_by_the_frames_references():
    """Every root's references from running frames are its named ones: a
    variable of this function holding a C-held object is one of them."""
    a, b = Target(), Target()
    _rcgc._test_hold(a)
    _rcgc._test_hold(b)
    c = b
    try:
        (ra,), (rb,) = roots_of(id(a)), roots_of(id(b))
        assert (ra.unexplained, [n for _, n in ra.frames]) == (1, ["a"])
        assert (rb.unexplained, [n for _, n in rb.frames]) == (1, ["b", "c"])
    finally:
        assert _rcgc._test_release(id(a)) is True
        assert _rcgc._test_release(id(b)) is True


def test_a_value_stack_entry_is_named_stack():
    """A for loop's iterator is on the frame's value stack, which 3.11
    shows while the frame calls a Python function (rcgc.roots)."""
    for t in [Target()]:
        found = rcgc.roots()
    held = sorted((r.type_name, name) for r in found for f, name in r.frames
                  if f.function == "test_a_value_stack_entry_is_named_stack")
    # (the compiler makes the one-item list a tuple)
    assert held == [("Target", "t"), ("function", "f_func"), ("tuple_iterator", "(stack)")]


def test_a_module_body_holds_its_globals_as_f_locals(module_factory):
    app = module_factory("app_body", """
import rcgc
class T:
    pass
t = T()
g = [(r.unexplained, [(f.function, f.lineno, name) for f, name in r.frames])
     for r in rcgc.roots() if r.obj is globals()]
""")
    # its other reference: exec()'s argument, on the value stack of the
    # frame that calls exec (C code)
    assert app.g == [(1, [("<module>", 7, "f_locals")])]  # the line of roots()
