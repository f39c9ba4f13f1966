"""unreachable(): the cyclic garbage made since the last call, with reprs,
then freed -- for the scenario of a programmer who set gc to save all
garbage, printed gc.garbage and purged it by hand, and saw the same
ctypes classes reported again and again after `import numpy`."""
import gc
import weakref

import pytest

import rcgc


class A:
    def __init__(self):
        self.ref = self


@pytest.fixture
def unreachable_session():
    rcgc.unreachable()          # baseline: whatever garbage existed
    yield
    rcgc.unreachable_stop()


def test_self_cycle_reported_once_then_freed(unreachable_session):
    assert str(rcgc.unreachable()) == "no unreachable items"
    a = A()
    r = weakref.ref(a)
    del a
    report = rcgc.unreachable()
    assert [t for t, _, _ in report.items] == ["A"]
    text = str(report)
    assert text.startswith("unreachable items:\n [0] <")
    assert "A object at" in text
    assert "--ref-->" in text                 # the cycle with its edge name
    assert r() is None                        # freed, no hand-written purge
    assert str(rcgc.unreachable()) == "no unreachable items"
    assert gc.garbage == []


def test_automatic_collection_waits_for_the_next_call(unreachable_session):
    assert not gc.isenabled()
    for _ in range(2000):
        A()
    assert len(rcgc.unreachable()) == 2000


def test_import_numpy_is_not_reported_again_and_again(unreachable_session):
    np = pytest.importorskip("numpy")
    np.ctypeslib.as_ctypes_type(np.dtype("int64"))  # make ctypes types, as the import did
    rcgc.unreachable()
    assert str(rcgc.unreachable()) == "no unreachable items"
    assert str(rcgc.unreachable()) == "no unreachable items"


def test_reprs_are_bounded_and_failures_caught(unreachable_session):
    class Bad:
        def __init__(self):
            self.me = self

        def __repr__(self):
            raise RuntimeError("no repr for you")

    class Huge:
        def __init__(self):
            self.me = self

        def __repr__(self):
            return "x" * 10_000_000

    Bad()
    Huge()
    report = rcgc.unreachable()
    texts = sorted(text for _, _, text in report.items)
    assert len(texts) == 2
    assert any("repr raised RuntimeError" in t for t in texts)
    assert all(len(t) <= 120 for t in texts)
