"""Objects of WithDel (which has __del__) and B referring to each other:
the collector of Python 2 left the pair in gc.garbage. Here: the pair as
rcgc sees it while something still holds it, while nothing does, and the
per-type growth between two marks."""
import gc

import rcgc
from _common import heading


class WithDel:
    def __init__(self):
        self.cycle = None

    def __del__(self):
        pass


class B:
    def __init__(self):
        self.cycle = None


pairs = []


def make_pair(keep):
    with_del, b = WithDel(), B()
    with_del.cycle = b
    b.cycle = with_del
    if keep:
        pairs.append(b)


gc.collect()
m = rcgc.mark()
for _ in range(3):
    make_pair(keep=True)
for _ in range(5):
    make_pair(keep=False)

heading("growth since the mark (objgraph's show_growth, both signs)")
for row in rcgc.growth(m, limit=4):
    print(" ", row)

heading("the cycles among the new WithDel and B objects, and why each is not freed")
new = [o for o in rcgc.since(m) if type(o) in (WithDel, B)]
cs = rcgc.cycles(new)
print("  %d cycles" % len(cs))
for c in cs[:1] + [c for c in cs if c.reason[0] == "unreachable"][:1]:
    print(c.describe())
del cs, c, new

heading("after a collection: the unreachable pairs are gone, 3 kept ones remain")
gc.collect()
for row in rcgc.growth(m, limit=2):
    print(" ", row)
print("  why is a kept B alive?")
print("  " + str(rcgc.why(pairs[0])))
