#!/usr/bin/env python3
"""Write a synthetic rcgc-style .heapsnapshot with N objects (default 1,000,000).

Usage: gen_snapshot.py OUT [N] [SEED]

Shape: node 0 is the synthetic "(rcgc roots)" root with "element" edges to
~1% of the objects; objects are of four C types, each with 1..4 "property"
edges (next/prev/child/owner) to random objects, about 1 in 50 edges weak.
The result has long chains, many cycles and a realistic edge density
(~3 edges per node). Deterministic for a given SEED.
"""
import random
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    rnd = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)

    strings = ["", "(rcgc roots)", "Graph", "Node", "List", "Dict",
               "next", "prev", "child", "owner", "cache"]
    types = [2, 3, 4, 5]
    sizes = {2: 48, 3: 32, 4: 64, 5: 96}
    names = [6, 7, 8, 9]
    # node_fields: type name id self_size edge_count trace_node_id detachedness
    nf = 7
    nodes = []
    edges = []
    root_targets = sorted(set(rnd.randrange(1, n + 1) for _ in range(max(1, n // 100))))
    # root: type 9 = synthetic
    nodes.append("9,1,1,0,%d,0,0" % len(root_targets))
    for i, t in enumerate(root_targets):
        edges.append("1,%d,%d" % (i, t * nf))
    for v in range(1, n + 1):
        t = types[v % 4]
        k = 1 + rnd.randrange(4)
        for j in range(k):
            r = rnd.random()
            if r < 0.6 and v < n:
                to = v + 1                      # chain
            else:
                to = rnd.randrange(1, n + 1)    # random (cycles)
            etype = 6 if rnd.randrange(50) == 0 else 2  # weak / property
            edges.append("%d,%d,%d" % (etype, names[j], to * nf))
        nodes.append("3,%d,%d,%d,%d,0,0" % (t, 2 * v + 1, sizes[t], k))
    meta = (
        '{"node_fields":["type","name","id","self_size","edge_count","trace_node_id","detachedness"],'
        '"node_types":[["hidden","array","string","object","code","closure","regexp","number",'
        '"native","synthetic","concatenated string","sliced string","symbol","bigint","object shape"],'
        '"string","number","number","number","number","number"],'
        '"edge_fields":["type","name_or_index","to_node"],'
        '"edge_types":[["context","element","property","internal","hidden","shortcut","weak"],'
        '"string_or_number","node"],'
        '"trace_function_info_fields":[],"trace_node_fields":[],"sample_fields":[],"location_fields":[]}'
    )
    with open(out, "w") as f:
        f.write('{"snapshot":{"meta":%s,\n"node_count":%d,"edge_count":%d,"trace_function_count":0},\n'
                % (meta, len(nodes), len(edges)))
        f.write('"nodes":[')
        f.write(",\n".join(nodes))
        f.write('],\n"edges":[')
        f.write(",\n".join(edges))
        f.write('],\n"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[],\n"strings":[')
        f.write(",".join('"%s"' % s for s in strings))
        f.write("]}\n")


if __name__ == "__main__":
    main()
