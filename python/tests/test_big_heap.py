"""A heap of 10,000,000 gc-tracked objects: every query answers, exactly,
and nothing crashes (python/README.md, "Known limits", gives the time and
memory they take). The heap is ten million one-item lists under one list, built
in this test; the lists share their item (None), so the picture has ten
million and one nodes of this test's heap besides the interpreter's own.

It needs about 3 GB of memory; RCGC_PY_SKIP_BIG=1 skips it."""
import gc
import os
import sys
import time

import pytest

import rcgc

N = 10_000_000


@pytest.mark.skipif(os.environ.get("RCGC_PY_SKIP_BIG") == "1",
                    reason="RCGC_PY_SKIP_BIG=1: no 10,000,000-object heap here")
def test_ten_million_objects(tmp_path):
    gc.collect()
    before = rcgc.mark()
    t = time.monotonic()
    cells = [[None] for _ in range(N)]
    target = cells[7_654_321]
    built = time.monotonic() - t

    # growth: exactly the ten million lists and the list holding them
    rows = {r.type_name: r for r in rcgc.growth(before)}
    assert rows["list"].delta == N + 1
    del before

    # why: the one path, named by this frame's variable and the index
    paths = rcgc.why(target)
    assert len(paths) == 1
    assert paths.unexplained == 0
    text = str(paths[0])
    assert text.startswith("frame test_ten_million_objects ("), text
    assert "--cells--> list --[7654321]--> list" in text, text

    # top retainers: this frame and the big list
    # (no comprehension names `cells`: that would make it a closure cell)
    top = rcgc.top_retainers(2)
    mine = None
    for r in top:
        if r.node.obj is cells:
            mine = r
    assert mine is not None, [str(r) for r in top]
    # every cell but `target`, which this frame holds too
    assert mine.retained == sys.getsizeof(cells) + (N - 1) * sys.getsizeof(target)

    # a snapshot of the whole heap: at least our ten million nodes
    path = tmp_path / "big.heapsnapshot"
    nodes, edges = rcgc.snapshot(str(path))
    assert nodes > N and edges > N
    assert path.stat().st_size > 0
    path.unlink()

    # no cycle among our objects
    assert len(rcgc.cycles([cells, target])) == 0
    print("10,000,000 lists built in %.1f s, queried in %.1f s"
          % (built, time.monotonic() - t - built))
