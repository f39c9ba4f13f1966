"""A debugging helper meant to list the unreachable objects made since its
last call: it set DEBUG_SAVEALL, printed gc.garbage, and purged it by hand
(clearing dicts and lists). After `import numpy` it kept reporting the
same ctypes classes on every call: the hand purge emptied the garbage
list, but the objects were never handed back to the collector to free.

rcgc.unreachable() reports the garbage and then lets the collector free it,
so each object is reported once."""
import rcgc
from _common import heading


class A:
    def __init__(self):
        self.ref = self


heading("first call: the baseline")
print(rcgc.unreachable())

heading("a self-referencing A, reported once")
A()
print(rcgc.unreachable())
print(rcgc.unreachable())

heading("import numpy: whatever garbage the import leaves, reported once")
import numpy  # noqa: E402

numpy.ctypeslib.as_ctypes_type(numpy.dtype("int64"))
report = rcgc.unreachable()
print("  %d unreachable objects; first lines:" % len(report))
print("\n".join(str(report).splitlines()[:6]))
del report
print(rcgc.unreachable())
print(rcgc.unreachable())
rcgc.unreachable_stop()
