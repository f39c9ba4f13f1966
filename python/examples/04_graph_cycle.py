"""Three Graph nodes linked in a ring: the tutorial way looks at
gc.get_referents() and walks referents breadth-first by hand to find the
cycle. rcgc names each reference, finds the ring as a strongly connected
component, and writes the heap as a snapshot that rcgc-inspect reads."""
import gc
import os
import tempfile

import rcgc
from _common import heading, inspect


class Graph:
    def __init__(self, name):
        self.name = name
        self.next = None

    def set_next(self, next):
        print("  Linking nodes {}.next = {}".format(self, next))
        self.next = next

    def __repr__(self):
        return "{}({})".format(self.__class__.__name__, self.name)


gc.collect()  # start from a heap without garbage
one, two, three = Graph("one"), Graph("two"), Graph("three")
one.set_next(two)
two.set_next(three)
three.set_next(one)

heading("gc.get_referents(three): objects, no names")
for r in gc.get_referents(three):
    print(" ", r)

heading("rcgc.referents(three): each reference with its name")
for label, r in rcgc.referents(three):
    print("  --%s--> %r" % (label, r))

heading("rcgc.cycles([one, two, three]): the ring and the edges that close it")
print(rcgc.cycles([one, two, three])[0].describe())

heading("rcgc.why(two) and rcgc-inspect on a snapshot: the same path")
print(rcgc.why(two)[0].raw())
tmp = tempfile.mkdtemp()
snap = os.path.join(tmp, "ring.heapsnapshot")
tid = rcgc.snapshot_id(two)
gc.collect()
rcgc.snapshot(snap)
inspect("why", snap, "@%d" % tid, "-k", "1")

heading("dropping the names: the ring is garbage until the next collection")
gc.disable()
del one, two, three
snap = os.path.join(tmp, "ring-garbage.heapsnapshot")
nodes, edges = rcgc.snapshot(snap)
print("  snapshot: %d nodes, %d edges" % (nodes, edges))
inspect("cycles", snap, "--unreachable", "--limit", "1")
print(rcgc.unreachable())
rcgc.unreachable_stop()
gc.enable()
