"""Weak references: an edge of their own ("(weak)", type "weak" in
snapshots, dashed in DOT, listed apart by why), which never counts as a
reference in the accounting, in paths, cycles or dominators."""
import gc
import json
import re
import weakref

import rcgc
from rcgc import _rcgc

APP = """
import weakref
class Target:
    def method(self):
        pass
class Holder:
    pass
holder = Holder()
holder.target = Target()
holder.target.payload = [object() for _ in range(200)]
"""


def snapshot_edges_from(data, node_id):
    """[(edge type, edge name, to node id)] of the node with that id."""
    fields = data["snapshot"]["meta"]["node_fields"]
    nf = len(fields)
    etypes = data["snapshot"]["meta"]["edge_types"][0]
    nodes, edges, strings = data["nodes"], data["edges"], data["strings"]
    e = 0
    for i in range(0, len(nodes), nf):
        count = nodes[i + fields.index("edge_count")]
        if nodes[i + fields.index("id")] == node_id:
            out = []
            for k in range(e, e + 3 * count, 3):
                et = etypes[edges[k]]
                name = strings[edges[k + 1]] if et in ("property", "weak") else edges[k + 1]
                out.append((et, name, nodes[edges[k + 2] + fields.index("id")]))
            return out
        e += 3 * count
    raise AssertionError("no node with id %d" % node_id)


def test_weak_edge_in_snapshot(module_factory, tmp_path):
    app = module_factory("app_weak_snap", APP)
    app.w = weakref.ref(app.holder.target)
    path = tmp_path / "weak.heapsnapshot"
    rcgc.snapshot(str(path))
    data = json.loads(path.read_text())
    tid = rcgc.snapshot_id(app.holder.target)
    assert snapshot_edges_from(data, rcgc.snapshot_id(app.w)) == [("weak", "(weak)", tid)]
    # the holder's edge stays a strong one
    assert ("property", "target", tid) in snapshot_edges_from(data, rcgc.snapshot_id(app.holder))


def test_referents_of_weak_references():
    t = type("WeakTarget", (), {})()
    w = weakref.ref(t)
    assert rcgc.referents(w) == [("(weak)", t)]

    def callback(r):
        pass

    wc = weakref.ref(t, callback)
    assert rcgc.referents(wc) == [("(ref)", callback), ("(weak)", t)]
    p = weakref.proxy(t)
    assert rcgc.referents(p) == [("(weak)", t)]
    del t
    gc.collect()
    assert w() is None
    # a dead weak reference has no edge (nor, its callback called, a callback)
    assert rcgc.referents(w) == []
    assert rcgc.referents(wc) == []


def answers(app):
    """why(target), and the roots and retained sizes among the target and
    its holder (no variable of this function holds either)."""
    root_ids = {id(r.obj) for r in rcgc.roots()}
    tid, hid = id(app.holder.target), id(app.holder)
    why = rcgc.why(app.holder.target)
    rets = {id(r.node.obj): (r.retained, r.self_size) for r in rcgc.top_retainers(10 ** 6)
            if id(r.node.obj) in (tid, hid)}
    return [str(p) for p in why], why.unexplained, rets, root_ids & {tid, hid}, why.weak


def test_adding_weak_references_changes_no_answer(module_factory):
    app = module_factory("app_weak_same", APP)
    before = answers(app)
    assert before[4] == [] and before[3] == set()
    # the module is in sys.modules: paths start at it (not at this
    # function's variable 'app': that path is as short, and comes after)
    assert before[0] == ["module app_weak_same --holder--> Holder --target--> Target"]
    t = app.holder.target
    app.w = weakref.ref(t)
    app.p = weakref.proxy(t)
    app.wm = weakref.WeakMethod(t.method)
    app.wvd = weakref.WeakValueDictionary({"k": t})
    app.wkd = weakref.WeakKeyDictionary({t: 1})
    app.ws = weakref.WeakSet([t])
    del t
    after = answers(app)
    assert after[:4] == before[:4]
    weak = sorted(str(p) for p in after[4])
    assert weak == sorted([
        "module app_weak_same --w--> ReferenceType --(weak)--> Target",
        "module app_weak_same --p--> ProxyType --(weak)--> Target",
        "module app_weak_same --wm--> WeakMethod --(weak)--> Target",
        "module app_weak_same --wvd--> WeakValueDictionary --data--> dict --'k'--> KeyedRef "
        "--(weak)--> Target",
        "module app_weak_same --wkd--> WeakKeyDictionary --data--> dict --(key)--> ReferenceType "
        "--(weak)--> Target",
        "module app_weak_same --ws--> WeakSet --data--> set --(member)--> ReferenceType "
        "--(weak)--> Target",
    ])
    target = app.holder.target
    for p in after[4]:  # (a loop: a generator expression would make 'app' a closure cell)
        assert p.edges[-1] == "(weak)" and p.nodes[-1].obj is target
    del target
    text = str(rcgc.why(app.holder.target))
    assert text.splitlines()[:3] == [
        "module app_weak_same --holder--> Holder --target--> Target",
        "weakly referenced (does not keep it alive) by:",
        "  module app_weak_same --w--> ReferenceType --(weak)--> Target"]


def test_a_weak_edge_is_not_a_reference(module_factory):
    """The target is held only by a C static; a module holds a weak
    reference to it. Counted as a reference, the weak edge would explain
    the target's one reference (no root), give a path through the weak
    reference and make the weak reference its dominator."""
    app = module_factory("app_weak_only", APP)
    t = app.holder.target
    del app.holder.target
    _rcgc._test_hold(t)
    app.w = weakref.ref(t)
    tid, wid = id(t), id(app.w)
    payload = [id(o) for o in t.payload] + [id(t.payload)]
    del t
    try:
        roots = {id(r.obj): r.unexplained for r in rcgc.roots()}
        assert roots[tid] == 1
        rets = {id(r.node.obj): r for r in rcgc.top_retainers(10 ** 6)}
        assert rets[wid].retained == rets[wid].self_size
        assert rets[tid].retained == rets[tid].self_size + sum(rets[i].self_size for i in payload)
        del rets
        why = rcgc.why(app.w())
        assert list(why) == []
        assert [str(p) for p in why.weak] == [
            "module app_weak_only --w--> ReferenceType --(weak)--> Target"]
    finally:
        assert _rcgc._test_release(tid) is True


def test_a_cycle_through_a_weak_reference_is_no_cycle():
    class Node:
        pass

    a, b = Node(), Node()
    a.next = b
    b.back = weakref.ref(a)
    assert rcgc.cycles([a, b, b.back]) == []
    b.strong = a
    [c] = rcgc.cycles([a, b, b.back])
    assert len(c) == 2 and a in c and b in c


def test_dot_draws_weak_edges_dashed(tmp_path):
    t = type("DotWeakTarget", (), {})()
    w = weakref.ref(t)
    path = tmp_path / "weak.dot"
    assert rcgc.dot([t], str(path), depth=1) == 1
    text = path.read_text()
    dashed = [l.strip() for l in text.splitlines() if "style=dashed" in l]
    assert len(dashed) == 1
    m = re.match(r'(o\d+) -> (o\d+) \[label="\(weak\)", style=dashed\];$', dashed[0])
    assert m
    assert re.search(r'%s \[label="ReferenceType @%d\\n' % (m.group(1), id(w)), text)
    assert re.search(r'%s \[label="DotWeakTarget @%d\\n' % (m.group(2), id(t)), text)


def test_rcgc_own_weak_references_have_no_edge():
    t = type("OwnWeakTarget", (), {})()
    rcgc.expect_freed(t, "t")
    m = rcgc.mark()
    assert weakref.getweakrefcount(t) == 2
    assert rcgc.why(t).weak == []
    del m
    assert weakref.getweakrefcount(t) == 1
    assert [label for label, _ in rcgc.check_expected(raise_error=False)] == ["t"]


def test_a_referent_only_weakly_referenced_is_a_node(tmp_path):
    """An object gc.get_objects() does not list (frozen) and that nothing
    in the picture refers to strongly is a node all the same: the weak
    edge's target."""
    t = type("FrozenWeakTarget", (), {})()
    gc.freeze()
    try:
        assert not any(o is t for o in gc.get_objects())
        w = weakref.ref(t)
        path = tmp_path / "frozen.heapsnapshot"
        rcgc.snapshot(str(path))
        data = json.loads(path.read_text())
        assert snapshot_edges_from(data, rcgc.snapshot_id(w)) == [("weak", "(weak)", rcgc.snapshot_id(t))]
    finally:
        gc.unfreeze()


def test_why_prints_the_ten_shortest_weak_references(module_factory):
    app = module_factory("app_weak_many", APP)
    t = app.holder.target
    app.near = [weakref.ref(t, lambda r: None) for _ in range(3)]
    app.far = {"a": {"b": [weakref.ref(t, lambda r: None) for _ in range(12)]}}
    del t
    why = rcgc.why(app.holder.target)
    # sys.modules' entry and the module's __dict__ count
    assert [len(p) for p in why.weak] == [5] * 3 + [7] * 12
    lines = str(why).splitlines()
    assert lines[1] == "weakly referenced (does not keep it alive) by:"
    assert len(lines) == 2 + 10 + 1
    near = "  module app_weak_many --near--> list --[%d]--> ReferenceType --(weak)--> Target"
    far = "  module app_weak_many --far--> dict --'a'--> dict --'b'--> list --[%d]--> ReferenceType --(weak)--> Target"
    assert sorted(lines[2:5]) == [near % i for i in range(3)]
    assert set(lines[5:12]) < {far % i for i in range(12)}
    assert lines[-1] == "  ... and 5 more weak references (Why.weak)"
