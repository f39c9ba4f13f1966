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


def test_snapshot_ids_are_32_bit_snapshot_ids(tmp_path):
    marker = type("SnapMarker", (), {})()
    path = tmp_path / "heap.heapsnapshot"
    rcgc.snapshot(str(path))
    data = json.loads(path.read_text())
    names = data["strings"]
    ids = [data["nodes"][i + 2] for i in range(0, len(data["nodes"]), 7)
           if names[data["nodes"][i + 1]] == "SnapMarker"]
    assert ids == [rcgc.snapshot_id(marker)]
    all_ids = data["nodes"][2::7]
    assert max(all_ids) < 2 ** 32
    assert len(set(all_ids)) == len(all_ids)


def test_a_list_items_element_edge_carries_its_index(tmp_path):
    items = [type("SnapItem%d" % i, (), {})() for i in range(4)]
    holder = type("SnapHolder", (), {})()
    holder.items = list(reversed(items))  # item i at index 3 - i
    path = tmp_path / "heap.heapsnapshot"
    rcgc.snapshot(str(path))
    data = json.loads(path.read_text())
    nodes, edges, strings = data["nodes"], data["edges"], data["strings"]
    element = data["snapshot"]["meta"]["edge_types"][0].index("element")
    first_edge, where = [], 0
    for i in range(0, len(nodes), 7):
        first_edge.append(where)
        where += nodes[i + 4] * 3
    lid = rcgc.snapshot_id(holder.items)
    (li,) = [k for k in range(len(nodes) // 7) if nodes[7 * k + 2] == lid]
    found = {}
    for e in range(first_edge[li], first_edge[li] + nodes[7 * li + 4] * 3, 3):
        assert edges[e] == element
        found[edges[e + 1]] = strings[nodes[edges[e + 2] + 1]]
    assert found == {3 - i: "SnapItem%d" % i for i in range(4)}


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
    tid = rcgc.snapshot_id(target)
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
    # from sys.modules (whose entry str() folds into "module app_snap")
    assert edges == ["'app_snap'", "__dict__", "'_cache'", "'user:42'", "[0]", "__closure__", "[0]",
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
    assert "Target @%d" % id(app.holder["the_key"]) in text  # DOT labels: id(obj)
    assert "'the_key'" in text


def memlab_modules():
    """node_modules holding @memlab/core: one the C suite's memlab test
    installed in a build tree, else RCGC_MEMLAB_DIR (installed there with
    npm on first use); skipped when neither can be had (offline)."""
    import shutil
    if not shutil.which("node"):
        pytest.skip("node not installed")
    found = sorted(glob.glob(os.path.join(HERE, "..", "..", "build", "*", "tests", "leak",
                                          "memlab", "node_modules", "@memlab", "core")))
    if found:
        return os.path.dirname(os.path.dirname(found[0]))
    work = os.environ.get("RCGC_MEMLAB_DIR")
    if not work or not shutil.which("npm"):
        pytest.skip("no @memlab/core (set RCGC_MEMLAB_DIR to install it there)")
    mods = os.path.join(work, "node_modules")
    if not os.path.isdir(os.path.join(mods, "@memlab", "core")):
        os.makedirs(work, exist_ok=True)
        if not os.path.exists(os.path.join(work, "package.json")):
            with open(os.path.join(work, "package.json"), "w") as f:
                f.write('{"private":true}\n')
        r = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--ignore-scripts",
                            "@memlab/core"], cwd=work, capture_output=True, text=True,
                           env=dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1"))
        if r.returncode:
            pytest.skip("npm install @memlab/core failed (offline?)")
    return mods


def test_memlab_reads_the_snapshot_with_the_same_counts_and_root_path(module_factory, tmp_path):
    mods = memlab_modules()
    # a weak reference to the target from the module, one edge shorter
    # than the path that holds it: memlab must not take it for a retainer
    app = module_factory("app_memlab", """
import weakref
class Session:
    pass
registry = {'sessions': [Session()]}
w = weakref.ref(registry['sessions'][0])
""")
    target = app.registry["sessions"][0]
    wid = rcgc.snapshot_id(app.w)
    # the module only in sys.modules: one shortest path (this frame's
    # variable would make a second one, through which memlab may go)
    del app
    ours = rcgc.why(target)[0]
    assert ours.edges[0] == "'app_memlab'"
    # memlab's steps: each node with the edge leaving it (element edges by
    # their number); the first step is the root, whose edge to the path's
    # first node is numbered by that node's place among the roots
    want_path = [{"id": 1, "edge": None}]
    for i, node in enumerate(ours.nodes):
        edge = ours.edges[i] if i < len(ours.edges) else None
        if edge is not None and edge.startswith("[") and edge.endswith("]"):
            edge = edge[1:-1]
        want_path.append({"id": rcgc.snapshot_id(node.obj), "edge": edge})
    tid = rcgc.snapshot_id(target)
    del target, ours, node
    path = tmp_path / "m.heapsnapshot"
    nodes, edges = rcgc.snapshot(str(path))
    data = json.loads(path.read_text())
    first = want_path[1]["id"]
    ids = data["nodes"][2::7]
    root_edges = data["edges"][: 3 * data["nodes"][4]]
    for k in range(0, len(root_edges), 3):
        if ids[root_edges[k + 2] // 7] == first:
            want_path[0]["edge"] = str(root_edges[k + 1])
            break
    del data
    want = {"nodes": nodes, "edges": edges, "target": tid, "path": want_path,
            "weak": {"from": wid, "to": tid}}
    (tmp_path / "expect.json").write_text(json.dumps(want))
    r = subprocess.run(["node", os.path.join(HERE, "memlab_check.js"), str(path),
                        str(tmp_path / "expect.json")], capture_output=True, text=True,
                       env=dict(os.environ, NODE_PATH=mods), timeout=300)
    assert r.returncode == 0, (r.stdout, json.dumps(want))
