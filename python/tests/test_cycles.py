"""Cycles as strongly connected components, and why they are not freed."""
import gc

import rcgc


class Node:
    def __init__(self, name):
        self.name = name
        self.next = None


class WithDel:
    def __del__(self):
        pass


def test_scc_membership_two_cycles_and_a_bridge():
    a, b, c = Node("a"), Node("b"), Node("c")
    d, e = Node("d"), Node("e")
    a.next, b.next, c.next = b, c, a      # cycle a -> b -> c -> a
    d.next, e.next = e, d                 # cycle d <-> e
    tail = Node("tail")
    a.bridge = d                          # bridge between them
    tail.next = a                         # not on a cycle
    cs = rcgc.cycles([a, b, c, d, e, tail])
    members = sorted(sorted(m.obj.name for m in c_.members) for c_ in cs)
    assert members == [["a", "b", "c"], ["d", "e"]]
    big = cs[0]
    assert len(big) == 3
    assert sorted((x.obj.name, lab, y.obj.name) for x, lab, y in big.edges) == [
        ("a", "next", "b"), ("b", "next", "c"), ("c", "next", "a")]
    # a, b and c are this function's variables: held by a path from this
    # (running) frame
    kind, path = big.reason
    assert kind == "held"
    assert type(path.root.obj) is rcgc.Frame
    assert path.root.obj.function == "test_scc_membership_two_cycles_and_a_bridge"
    assert len(path) == 1 and path.edges[0] in ("a", "b", "c")
    assert path.nodes[1].obj is {"a": a, "b": b, "c": c}[path.edges[0]]


def test_self_loop_is_a_cycle_and_a_lone_node_is_not():
    a = Node("self")
    a.next = a
    lone = Node("lone")
    cs = rcgc.cycles([a, lone])
    assert len(cs) == 1 and cs[0].objects == [a]
    assert [(x.obj.name, lab) for x, lab, _ in cs[0].edges] == [("self", "next")]


def test_cycle_through_del_unreachable_with_its_finalizer():
    was = gc.isenabled()
    gc.disable()
    try:
        def make():
            x, y = WithDel(), WithDel()
            x.peer, y.peer = y, x
        make()
        objs = [o for o in gc.get_objects() if type(o) is WithDel]
        assert len(objs) == 2
        (cyc,) = rcgc.cycles(objs)
        assert cyc.reason == ("unreachable",)
        assert sorted(lab for _, lab, _ in cyc.edges) == ["peer", "peer"]
        assert len(cyc.finalizers()) == 2
        text = cyc.describe()
        assert "unreachable: the next collection frees it" in text
        assert "WithDel defines __del__; it runs once when the cycle is collected" in text
        del objs, cyc
    finally:
        gc.collect()
        if was:
            gc.enable()
    assert [o for o in gc.get_objects() if type(o) is WithDel] == []


def test_cycle_held_by_a_path_from_a_root(module_factory):
    app = module_factory("app_ring", """
class Ring:
    pass
def build():
    r1, r2 = Ring(), Ring()
    r1.other, r2.other = r2, r1
    return r1
keep = {'ring': build()}
""")
    objs = [o for o in gc.get_objects() if type(o) is app.Ring]
    (cyc,) = rcgc.cycles(objs)
    kind, path = cyc.reason
    assert kind == "held"
    assert path.edges[-2:] == ["'keep'", "'ring'"]
    assert path.nodes[-1].obj is app.keep["ring"]


def test_whole_heap_cycles_include_a_constructed_one():
    a = Node("whole")
    a.next = a
    cs = rcgc.cycles(limit=100000)
    assert any(a in c for c in cs)


class Phoenix:
    saved = []

    def __del__(self):
        Phoenix.saved.append(self)   # resurrects the whole cycle


def test_a_cycle_resurrected_by_its_finalizer():
    def make():
        p, q = Phoenix(), Node("q")
        p.peer, q.next = q, p
    make()
    gc.collect()
    try:
        assert len(Phoenix.saved) == 1
        assert gc.is_finalized(Phoenix.saved[0])
        # no variable of this frame may hold a member: it would be an
        # outside reference
        (cyc,) = rcgc.cycles([Phoenix.saved[0], Phoenix.saved[0].peer])
        kind, path = cyc.reason
        assert kind == "held"
        assert path.edges[-3:] == ["__dict__", "'saved'", "[0]"]
        assert "class Phoenix --saved--> list --[0]--> Phoenix" in str(path)
        text = cyc.describe()
        assert "Phoenix defines __del__, which already ran: the cycle outlived it" in text
        del cyc, path
    finally:
        Phoenix.saved.clear()
        gc.collect()


def test_cycle_through_del_text_before_collection():
    x, y = WithDel(), WithDel()
    x.peer, y.peer = y, x
    text = rcgc.cycles([x, y])[0].describe()
    assert "WithDel defines __del__; it runs once when the cycle is collected" in text
    x.peer = y.peer = None
