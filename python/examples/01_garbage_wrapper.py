"""A wrapper that dumps gc.garbage and every referrer of each object, the
classic way to find who holds an object with __del__ in a cycle -- and what
rcgc says about the same garbage.

Since Python 3.4 a cycle through __del__ is collected (the finalizer runs
once), so gc.garbage stays empty unless DEBUG_SAVEALL keeps everything the
collector finds."""
import gc

import rcgc
from _common import heading


class Resource:
    def __init__(self, name):
        self.name = name
        self.owner = None

    def __del__(self):
        print("  Resource.__del__ ran for", self.name)


class Owner:
    def __init__(self):
        self.res = Resource("db")
        self.res.owner = self          # the cycle: Owner -> Resource -> Owner


def work():
    Owner()


gc.collect()
heading("the wrapper: DEBUG_SAVEALL, collect, print gc.garbage and its referrers")
gc.set_debug(gc.DEBUG_SAVEALL)
work()
gc.collect()
gc.set_debug(0)
print("gc garbage:", [type(o).__name__ for o in gc.garbage])
for o in gc.garbage:
    refs = gc.get_referrers(o)
    print("  %s: %d referrers, of types %s" % (
        type(o).__name__, len(refs), sorted({type(r).__name__ for r in refs})))
    del refs
del o
print("  (gc.garbage itself is among them -- the reader has to ignore it)")

heading("rcgc.cycles(gc.garbage): the cycle with its edge names, and why it is not freed")
for c in rcgc.cycles(gc.garbage):
    print(c.describe())
del c
print("  (gc.garbage holds them: DEBUG_SAVEALL keeps them from being freed)")
gc.garbage.clear()
gc.collect()

heading("rcgc.unreachable(): the same garbage reported and then really freed")
rcgc.unreachable()
work()
print(rcgc.unreachable())
print(rcgc.unreachable())
rcgc.unreachable_stop()
