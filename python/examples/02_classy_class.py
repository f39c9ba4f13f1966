"""A class with a destructor that points to itself: on Python 2 the cycle
was uncollectable and sat in gc.garbage; on Python 3 it is collected and
__del__ runs once. rcgc shows the cycle before it goes, and which object
holds a leaked instance."""
import gc

import rcgc
from _common import heading


class ClassyClass:
    def __init__(self):
        print("  I live!")

    def __del__(self):
        print("  I have been garbage collected")

    def make_a_self_reference(self):
        self.self = self
        print("  I point to myself")


def no_self_reference():
    ClassyClass()


def self_reference():
    c = ClassyClass()
    c.make_a_self_reference()


registry = {}


def leak_one():
    c = ClassyClass()
    registry["last"] = [c]


heading("without a self reference: freed at once")
no_self_reference()
print("  gc.garbage:", gc.garbage)

heading("with a self reference: rcgc.unreachable() shows it, then frees it")
rcgc.unreachable()
self_reference()
print(rcgc.unreachable())
rcgc.unreachable_stop()

heading("a leaked instance: rcgc.why() names every edge from the root")
leak_one()


def show_why():
    (obj,) = [o for o in gc.get_objects() if type(o) is ClassyClass]
    print(rcgc.why(obj))


show_why()
registry.clear()
