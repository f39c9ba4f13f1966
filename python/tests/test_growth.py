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
