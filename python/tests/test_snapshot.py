"""snapshot(): a .heapsnapshot file that rcgc-inspect reads, giving the
same retaining path as rcgc.why."""
import glob
import json
import os
import subprocess

import pytest

import rcgc

HERE = os.path.dirname(os.path.abspath(__file__))


def inspect_tool():
    path = os.environ.get("RCGC_INSPECT")
    if path:
        assert os.access(path, os.X_OK), "RCGC_INSPECT=%s is not an executable" % path
        return path
    found = sorted(glob.glob(os.path.join(HERE, "..", "..", "build", "*", "tools", "rcgc-inspect")))
    if not found:
        pytest.skip("rcgc-inspect not built (set RCGC_INSPECT)")
    return found[0]


def test_snapshot_counts_match_the_arrays(tmp_path):
    path = tmp_path / "heap.heapsnapshot"
    nodes, edges = rcgc.snapshot(str(path))
    data = json.loads(path.read_text())
    meta = data["snapshot"]
    assert meta["node_count"] == nodes == len(data["nodes"]) // 7
    assert meta["edge_count"] == edges == len(data["edges"]) // 3
    assert sum(data["nodes"][4::7]) == edges
    strings = data["strings"]
    assert strings[data["nodes"][1]] == "(rcgc roots)"
    assert data["nodes"][2] == 1


def test_snapshot_ids_are_python_ids(tmp_path):
    marker = type("SnapMarker", (), {})()
    path = tmp_path / "heap.heapsnapshot"
    rcgc.snapshot(str(path))
    data = json.loads(path.read_text())
    names = data["strings"]
    ids = [data["nodes"][i + 2] for i in range(0, len(data["nodes"]), 7)
           if names[data["nodes"][i + 1]] == "SnapMarker"]
    assert ids == [id(marker)]


def test_rcgc_inspect_why_prints_the_same_path(module_factory, tmp_path):
    tool = inspect_tool()
    app = module_factory("app_snap", """
_cache = {}
class Session:
    pass
def install():
    s = Session()
    def handler():
        return s
    _cache['user:42'] = [handler]
install()
""")
    target = app._cache["user:42"][0].__closure__[0].cell_contents
    ours = rcgc.why(target)[0]
    raw, edges = ours.raw(), ours.edges
    tid = id(target)
    # the snapshot must not see this frame's references (the path holds the
    # objects on it) as roots
    del target, ours
    path = tmp_path / "app.heapsnapshot"
    rcgc.snapshot(str(path))
    out = subprocess.run([tool, "why", str(path), "@%d" % tid, "-k", "1"], capture_output=True,
                         text=True, check=True).stdout
    line = [l for l in out.splitlines() if l.startswith("1: ")][0]
    # rcgc-inspect starts at its synthetic root node
    prefix = "1: (rcgc roots) @1 --["
    assert line.startswith(prefix)
    theirs = line[line.index("]--> ") + len("]--> "):]
    assert theirs == raw
    assert edges == ["__dict__", "'_cache'", "'user:42'", "[0]", "__closure__", "[0]",
                          "cell_contents"]


def test_rcgc_inspect_summary_and_cycles_load_it(tmp_path):
    tool = inspect_tool()
    path = tmp_path / "h.heapsnapshot"
    nodes, edges = rcgc.snapshot(str(path))
    out = subprocess.run([tool, "summary", str(path)], capture_output=True, text=True,
                         check=True).stdout
    assert "nodes: %d\n" % nodes in out
    assert "edges: %d\n" % edges in out
    subprocess.run([tool, "cycles", str(path), "--limit", "3"], capture_output=True, check=True)
    subprocess.run([tool, "top", str(path), "3"], capture_output=True, check=True)


def test_dot_draws_the_referrers_with_edge_names(module_factory, tmp_path):
    app = module_factory("app_dot", """
class Target:
    pass
holder = {'the_key': Target()}
""")
    path = tmp_path / "t.dot"
    assert rcgc.dot([app.holder["the_key"]], str(path), depth=2) == 1
    text = path.read_text()
    assert text.startswith("digraph")
    assert "Target @%d" % id(app.holder["the_key"]) in text
    assert "'the_key'" in text
