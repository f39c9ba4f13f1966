#!/usr/bin/env python3
"""Write a hostile but valid-JSON .heapsnapshot for the rcgc-inspect tests.

Usage: gen_hostile.py OUT KIND SIZE

KIND:
  long-name  two nodes: the synthetic root and a "string" node (id 3) whose
             name is one string of SIZE bytes ("xxx..."), held by the root
             through an element edge
  chunks     the same, but the SIZE bytes of x are cut into strings of 1 MiB
             (the last one names the node): the control for long-name, whose
             strings are too short for a tokenizer's cost per string to grow
  strings    one node (the root) named by the last of SIZE + 2 strings:
             "(root)", SIZE times "a", then "z"
  types      the root (id 1) and SIZE objects of as many types: object i
             (1..SIZE) is named "t<i>", has id 2 * i + 1 and 8 bytes
  count      the same one-node snapshot as strings, declaring
             "node_count": SIZE
  edges      the same one-node snapshot declaring "edge_count": SIZE
Written in pieces, so that the generator's own memory stays small.
"""
import sys

META = ('{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],'
        '"node_types":[["synthetic","object","string"],"string","number","number","number"],'
        '"edge_fields":["type","name_or_index","to_node"],'
        '"edge_types":[["element","property"],"string_or_number","node"]},'
        '"node_count":%d,"edge_count":%d},\n')


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    out, kind, size = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(out, "w") as f:
        if kind in ("long-name", "chunks"):
            chunk = "x" * (1 << 20)
            pieces = (size + len(chunk) - 1) // len(chunk)
            name = 1 if kind == "long-name" else pieces
            f.write(META % (2, 1))
            f.write('"nodes":[0,0,1,0,1,\n2,%d,3,16,0],\n"edges":[0,0,5],\n' % name)
            f.write('"strings":["(root)","')
            left = size
            while left > 0:
                f.write(chunk[:min(left, len(chunk))])
                left -= len(chunk)
                if kind == "chunks" and left > 0:
                    f.write('","')
            f.write('"]}\n')
        elif kind == "types":
            f.write(META % (size + 1, 0))
            f.write('"nodes":[0,0,1,0,0')
            for i in range(1, size + 1):
                f.write(",\n1,%d,%d,8,0" % (i, 2 * i + 1))
            f.write('],"edges":[],\n"strings":["(root)"')
            for i in range(1, size + 1):
                f.write(',"t%d"' % i)
            f.write("]}\n")
        elif kind in ("strings", "count", "edges"):
            f.write(META % (size if kind == "count" else 1, size if kind == "edges" else 0))
            name = size + 1 if kind == "strings" else 0
            f.write('"nodes":[0,%d,1,0,0],"edges":[],\n"strings":["(root)"' % name)
            if kind == "strings":
                piece = ',"a"' * 4096
                left = size
                while left >= 4096:
                    f.write(piece)
                    left -= 4096
                f.write(',"a"' * left + ',"z"')
            f.write("]}\n")
        else:
            sys.exit("unknown kind " + kind)


if __name__ == "__main__":
    main()
