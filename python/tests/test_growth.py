"""mark / growth / since, both signs."""
import rcgc


class Grower:
    pass


class Shrinker:
    pass


def test_growth_both_signs_and_since():
    shrink = [Shrinker() for _ in range(50)]
    m = rcgc.mark()
    assert m.count() > 0
    del shrink[20:]
    grow = [Grower() for _ in range(30)]
    rows = {r.type_name: r for r in rcgc.growth(m)}
    assert rows["Grower"].before == 0 and rows["Grower"].after == 30 and rows["Grower"].delta == 30
    assert rows["Shrinker"].before == 50 and rows["Shrinker"].after == 20
    assert rows["Shrinker"].delta == -30
    assert rows["Grower"].bytes_delta > 0 and rows["Shrinker"].bytes_delta < 0
    new = rcgc.since(m, "Grower")
    assert sorted(map(id, new)) == sorted(map(id, grow))
    assert rcgc.since(m, "Shrinker") == []


def test_a_mark_keeps_nothing_alive():
    import weakref

    g = Grower()
    r = weakref.ref(g)
    m = rcgc.mark()
    del g
    assert r() is None
    assert "Grower" in {row.type_name for row in rcgc.growth(m)}


class Reused:
    pass


class ReusedNoWeak:
    __slots__ = ("x",)


def reuse_address(cls):
    """A mark taken while an object of cls lives, that object freed, then
    new objects of cls made (the earlier ones kept) until one takes its
    address: (mark, the new object at the old address, the others)."""
    old = cls()
    addr = id(old)
    m = rcgc.mark()
    del old
    others = []
    for _ in range(10000):
        new = cls()
        if id(new) == addr:
            return m, new, others
        others.append(new)
    raise AssertionError("CPython did not reuse the address of a freed %s" % cls.__name__)


def test_since_finds_a_new_object_at_a_freed_ones_address():
    m, new, others = reuse_address(Reused)
    found = rcgc.since(m, "Reused")
    assert sorted(map(id, found)) == sorted(map(id, others + [new]))


def test_since_takes_a_same_type_object_without_weak_references_for_the_old_one():
    """The documented limit: without weak reference support, the mark has
    only the address and the type."""
    m, new, others = reuse_address(ReusedNoWeak)
    found = rcgc.since(m, "ReusedNoWeak")
    assert sorted(map(id, found)) == sorted(map(id, others))


def test_a_mark_holds_one_untracked_weak_reference_per_object():
    import gc
    import weakref

    r, s = Reused(), ReusedNoWeak()
    m = rcgc.mark()
    assert weakref.getweakrefcount(r) == 1
    [ref] = weakref.getweakrefs(r)
    assert type(ref).__name__ == "MarkRef" and isinstance(ref, weakref.ref)
    assert not gc.is_tracked(ref)
    assert not any(type(o).__name__ == "MarkRef" for o in gc.get_objects())
    # a plain weakref.ref(r) is not the mark's
    plain = weakref.ref(r)
    assert plain is not ref and weakref.getweakrefcount(r) == 2
    del ref, plain
    assert rcgc.since(m, "Reused") == [] and rcgc.since(m, "ReusedNoWeak") == []
    del m
    assert weakref.getweakrefcount(r) == 0
