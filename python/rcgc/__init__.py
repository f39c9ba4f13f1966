"""rcgc for Python: leak hunting on the live CPython heap.

Every query builds a picture of the heap in C -- every object the garbage
collector tracks, the objects they refer to, and one edge per reference
that the referrer's type reports, named where the referrer knows the name
(attribute, dict key, list index, local variable, closure cell...) -- answers
from it and drops it. No code of the objects under study runs while the
picture is built (no __repr__, __eq__, __hash__); reprs are made afterwards,
bounded in length, with their exceptions caught.

A *running frame* (a function or module body still executing, in any
thread) is a node of its own (a Frame) whose edges are its variables by
name: it explains the references they hold. A *root* is a running frame,
or an object some of whose references come from outside the picture: its
reference count exceeds the references found inside the heap and in the
running frames (the C stack, the interpreter's state, a C extension's
static variable). Paths start at roots. rcgc's own frames are never
nodes: their references are the query's own and count nowhere.

A weak reference (weakref.ref, WeakMethod, the weak containers' entries,
weakref.proxy) has a *weak edge* "(weak)" to its referent: shown by
referents(), why() (apart from the paths), snapshot() (edge type "weak")
and dot() (dashed), never counted as a reference -- not in the roots'
accounting, the paths, cycles or retained sizes.

Functions, in the style of the gc module:

    referents(obj)          obj's references with their edge names
    roots()                 objects referenced from outside, with the counts
    why(obj, k=1)           shortest paths from the roots to obj
    cycles(objs=None)       reference cycles (strongly connected components)
    mark() / growth(m) / since(m)
                            per-type growth and new objects since a mark
    top_retainers(k=10)     largest retained sizes (dominator tree)
    snapshot(path)          Chrome DevTools .heapsnapshot file
    dot(objs, path)         Graphviz picture of the objects' surroundings
    unreachable()           cyclic garbage made since the last call, freed
    expect_freed(obj, label) / check_expected()
                            for test suites
"""

import gc as _gc
import reprlib as _reprlib
import sys as _sys
import weakref as _weakref

from . import _rcgc

__all__ = [
    "referents", "roots", "why", "cycles", "mark", "growth", "since", "top_retainers",
    "snapshot", "snapshot_id", "dot", "unreachable", "expect_freed", "check_expected",
    "safe_repr", "Node", "Frame", "Path", "Cycle", "Root", "Growth", "Retainer",
    "Unreachable", "Mark",
]

Mark = _rcgc.Mark

# frames running this module's code are the query's own: never in a result
_rcgc._own_globals(globals())

# ---------------------------------------------------------------- reprs

_REPR_LIMIT = 120
_reprer = _reprlib.Repr()
_reprer.maxstring = _REPR_LIMIT
_reprer.maxother = _REPR_LIMIT
_reprer.maxlevel = 2
_reprer.maxdict = 4
_reprer.maxlist = 6
_reprer.maxtuple = 6
_reprer.maxset = 6


_CONTAINERS = (dict, list, tuple, set, frozenset, str, bytes, bytearray)


def safe_repr(obj, limit=_REPR_LIMIT):
    """repr(obj) cut to `limit` characters; never raises.

    A __repr__ that raises gives "<Type object at 0x...: repr raised Error>".
    """
    try:
        if type(obj) in _CONTAINERS:
            text = _reprer.repr(obj)   # bounded walk of the contents
        else:
            text = repr(obj)
        if not isinstance(text, str):
            raise TypeError("repr did not return a str")
    except BaseException as exc:  # noqa: B036 -- any failure of user code
        try:
            ename = type(exc).__name__
        except BaseException:
            ename = "exception"
        text = "<%s object at %#x: repr raised %s>" % (_type_name(obj), id(obj), ename)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def _type_name(obj):
    try:
        name = type(obj).__name__
        return name if isinstance(name, str) else "?"
    except BaseException:
        return "?"


def _module_of_globals(d):
    """The name of the module whose globals `d` is, or None."""
    try:
        name = dict.get(d, "__name__")
        if type(name) is str:
            mod = _sys.modules.get(name)
            if mod is not None and type(mod) is type(_sys) and mod.__dict__ is d:
                return name
    except BaseException:
        pass
    return None


def _node_label(obj, tname):
    """Short label of a path node: type name plus, for modules, classes and
    functions, their name (read from the object's own C fields); a
    module's globals dict is "module NAME globals"."""
    try:
        if type(obj) is Frame:
            return obj.label
        if obj is _gc.garbage:
            return "list gc.garbage"
        if obj is _sys.modules:
            return "dict sys.modules"
        if type(obj) is dict:
            name = _module_of_globals(obj)
            if name is not None:
                return "module %s globals" % name
        elif isinstance(obj, type(_sys)):
            name = obj.__dict__.get("__name__")
            if isinstance(name, str):
                return "module " + name
        elif isinstance(obj, type):
            return "class " + type.__dict__["__qualname__"].__get__(obj)
        elif type(obj) is type(_node_label):
            return "function " + obj.__qualname__
    except BaseException:
        pass
    return tname


# ---------------------------------------------------------------- results


class Frame:
    """A running frame: a function (or module body) still executing in
    some thread, whose variables are not in any object of the heap. It is
    a node of its own in the heap picture, whose edges are its variables
    by name (and "(stack)" for its value stack, f_func, f_code, f_locals
    and "(frame object)"). rcgc's own frames are never one."""

    __slots__ = ("address", "thread_id", "main_thread", "function", "filename", "lineno", "code")

    def __init__(self, address, thread_id, main_thread, function, filename, lineno, code):
        #: the interpreter's frame address (its node's id in snapshots)
        self.address = address
        #: threading.get_ident() of the thread running it
        self.thread_id = thread_id
        self.main_thread = main_thread
        #: the code's qualified name ("<module>" for a module body)
        self.function = function
        self.filename = filename
        #: the line it is executing
        self.lineno = lineno
        self.code = code

    @property
    def thread_name(self):
        """The name of its thread (threading.Thread.name) if the threading
        module, when imported, knows it; else None."""
        try:
            threading = _sys.modules.get("threading")
            if threading is None:
                return None
            t = dict.get(threading._active, self.thread_id)
            name = vars(t).get("_name") if t is not None else None
            return name if type(name) is str else None
        except BaseException:
            return None

    @property
    def label(self):
        """frame FUNCTION (FILE:LINE), with ", thread NAME" for a thread
        other than the main one; FILE is the file name's last part."""
        where = "%s:%d" % (str(self.filename).rsplit("/", 1)[-1], self.lineno)
        if not self.main_thread:
            where += ", thread %s" % (self.thread_name or self.thread_id)
        return "frame %s (%s)" % (self.function, where)

    def __repr__(self):
        return "<Frame %s>" % self.label[6:]


class Node:
    """One object on a path or in a cycle."""

    __slots__ = ("obj", "type_name", "unexplained")

    def __init__(self, obj, type_name, unexplained):
        self.obj = obj
        self.type_name = type_name
        #: references from outside the heap picture (0 unless a root)
        self.unexplained = unexplained

    @property
    def label(self):
        return _node_label(self.obj, self.type_name)

    def __repr__(self):
        return "<Node %s @%#x>" % (self.label, id(self.obj))


class Path:
    """A path root -> ... -> target: `nodes` (Node), `edges` (str labels,
    one fewer than nodes). str() gives the one-line form

        module app --_cache--> dict --'user:42'--> Session --handler--> ...

    where an owner's __dict__ is folded into its attribute names and a
    path from sys.modules' entry for a module starts at the module (the
    entry is in `edges`); a path from a running function's variable
    starts at its frame (a Frame node):

        frame handle (app.py:12) --s--> Session

    `raw()` gives every node and edge as a snapshot has them (type name,
    snapshot_id), as rcgc-inspect prints them."""

    def __init__(self, nodes, edges):
        self.nodes = nodes
        self.edges = edges

    @property
    def root(self):
        return self.nodes[0]

    @property
    def objects(self):
        return [n.obj for n in self.nodes]

    def __len__(self):
        return len(self.edges)

    def _from_sys_modules(self):
        """Whether the path starts with sys.modules' entry for a module
        and goes on from the module."""
        return (len(self.edges) >= 2 and self.nodes[0].obj is _sys.modules
                and self.nodes[1].type_name == "module")

    def steps(self):
        """[(label, edge), ...] with __dict__ hops folded: an edge named
        __dict__ to a dict followed by a str key becomes the bare key; a
        path from sys.modules' entry for a module starts at the module."""
        out = []
        i = 0
        nodes, edges = self.nodes, self.edges
        if self._from_sys_modules():
            i = 1
        label = nodes[i].label
        while i < len(edges):
            e = edges[i]
            if (label.endswith(" globals") and nodes[i].type_name == "dict"
                    and e.startswith("'") and e.endswith("'")):
                out.append((label, e[1:-1]))
                i += 1
            elif (e == "__dict__" and i + 1 < len(edges) and nodes[i + 1].type_name == "dict"
                    and edges[i + 1].startswith("'") and edges[i + 1].endswith("'")):
                out.append((label, edges[i + 1][1:-1]))
                i += 2
            else:
                out.append((label, e))
                i += 1
            label = nodes[i].label
        out.append((label, None))
        return out

    def __str__(self):
        parts = []
        for label, edge in self.steps():
            parts.append(label)
            if edge is not None:
                parts.append("--%s-->" % edge)
        text = " ".join(parts)
        if self.nodes[0].unexplained and not self._from_sys_modules():
            text += "   [root: %d unexplained reference%s]" % (
                self.nodes[0].unexplained, "" if self.nodes[0].unexplained == 1 else "s")
        return text

    def raw(self):
        parts = ["%s @%d" % (self.nodes[0].type_name, snapshot_id(self.nodes[0].obj))]
        for e, n in zip(self.edges, self.nodes[1:]):
            parts.append("--%s--> %s @%d" % (e, n.type_name, snapshot_id(n.obj)))
        return " ".join(parts)

    __repr__ = __str__


def _node(t):
    """A Node from the C part's (obj, type name, unexplained) or, for a
    running frame, (frame fields, name, 0, None)."""
    if len(t) == 4:
        return Node(Frame(*t[0]), t[1], 0)
    return Node(*t)


def _nodes(tuples):
    return [_node(t) for t in tuples]


class Root(Node):
    """An object referenced from outside the heap picture: by running
    frames (`frames`: [(Frame, variable name)], the name "(stack)" for a
    frame's value stack) and/or by `unexplained` references, which rcgc
    cannot attribute (the C stack, the interpreter's state, a C
    extension's static variables)."""

    __slots__ = ("frames",)

    def __init__(self, obj, type_name, unexplained, frames=()):
        Node.__init__(self, obj, type_name, unexplained)
        self.frames = [(Frame(*f), name) for f, name in frames]

    def __repr__(self):
        held = "".join(", %s in %s" % (name, f.label) for f, name in self.frames)
        return "<Root %s @%#x: %d unexplained%s>" % (self.label, id(self.obj), self.unexplained, held)


def referents(obj):
    """obj's references as its type reports them to the collector, each
    with the name rcgc gives the edge: [(label, referent), ...]. For a
    weak reference, its referent follows (while it lives), labelled
    "(weak)"."""
    return _rcgc.referents(obj)


def roots(leaves=False):
    """Objects referenced from outside the heap picture, as Root objects:
    `frames`, the variables of running frames that refer to obj, and
    `unexplained`, refcount minus the references found in the heap and in
    running frames. With leaves=True, objects of types the collector does
    not manage (str, int, ...) are included too. (Paths start at the
    running frames themselves, see Frame.)"""
    return [Root(*t) for t in _rcgc.roots(bool(leaves))]


class Why(list):
    """The answer of why(): a list of Path; `unexplained` is the target's
    own references from outside the heap picture that no running frame
    explains (why()'s own references do not count); `weak`, one Path per weak
    reference to the target, shortest first: a shortest path from the roots
    to the weak reference, then its "(weak)" edge to the target. Weak
    references keep nothing alive: they are a note, never a reason; str()
    prints the first WEAK_SHOWN of them and how many more there are."""

    unexplained = 0
    weak = ()
    WEAK_SHOWN = 10

    def __str__(self):
        if not self and self.unexplained:
            text = "(no path from a root: held only from outside the heap picture, %d reference%s)" % (
                self.unexplained, "" if self.unexplained == 1 else "s")
        elif not self:
            text = "(no path from a root and no reference from outside: held only by this query)"
        else:
            text = "\n".join(str(p) for p in self)
        if self.weak:
            text += "\nweakly referenced (does not keep it alive) by:\n" + "\n".join(
                "  " + str(p) for p in self.weak[:self.WEAK_SHOWN])
            more = len(self.weak) - self.WEAK_SHOWN
            if more > 0:
                text += "\n  ... and %d more weak reference%s (Why.weak)" % (more, "" if more == 1 else "s")
        return text


def why(obj, k=1):
    """Up to k shortest paths from the roots to obj, with the edge names;
    the paths differ at least in their last edge. A running frame's
    variable that refers to obj itself (the caller's, typically) is the
    shortest reason and the least telling: such paths, "frame f
    (app.py:12) --s--> Session", come after the others, in the places they
    leave. obj's own unexplained references are not a reason: a result
    with no path means obj is held only from outside the heap (a C
    extension, the interpreter). Weak references to obj are listed apart,
    in `.weak` (see Why): they never make a path."""
    paths, ext, weak = _rcgc.why([obj], k)
    out = Why(Path(_nodes(ns), es) for ns, es in paths)
    out.unexplained = ext
    out.weak = sorted((Path(_nodes(ns), es) for ns, es in weak), key=len)
    return out


class Cycle:
    """A strongly connected component with a cycle: `members` (Node),
    `edges` [(from Node, label, to Node)] that close it, and `reason`,
    why the collector has not freed it:

      ("outside", node, n)   a member has n references from outside
      ("held", Path)         reachable from a root by that path
      ("unreachable",)       garbage: the next collection frees it
    """

    def __init__(self, members, edges, reason):
        self.members = _nodes(members)
        self.edges = [(self.members[i], label, self.members[j]) for i, label, j in edges]
        kind = reason[0]
        if kind == "outside":
            self.reason = ("outside", self.members[reason[1]], reason[2])
        elif kind == "held":
            ns, es = reason[1]
            self.reason = ("held", Path(_nodes(ns), es))
        else:
            self.reason = ("unreachable",)

    def __len__(self):
        return len(self.members)

    def __contains__(self, obj):
        return any(m.obj is obj for m in self.members)

    @property
    def objects(self):
        return [m.obj for m in self.members]

    def finalizers(self):
        """Members whose type defines __del__ (tp_finalize)."""
        out = []
        for m in self.members:
            try:
                if type(m.obj).__dict__.get("__del__") is not None or any(
                        "__del__" in c.__dict__ for c in type(m.obj).__mro__[1:-1]):
                    out.append(m)
            except BaseException:
                pass
        return out

    def describe(self):
        lines = ["cycle of %d object%s:" % (len(self.members), "" if len(self.members) == 1 else "s")]
        for a, label, b in self.edges:
            lines.append("  %s @%#x --%s--> %s @%#x" % (a.label, id(a.obj), label, b.label, id(b.obj)))
        fin = self.finalizers()
        if self.reason[0] == "outside":
            lines.append("  not freed: %s @%#x has %d reference%s from outside the heap" % (
                self.reason[1].label, id(self.reason[1].obj), self.reason[2],
                "" if self.reason[2] == 1 else "s"))
        elif self.reason[0] == "held":
            lines.append("  not freed: held by " + str(self.reason[1]))
        else:
            lines.append("  unreachable: the next collection frees it")
        for m in fin:
            try:
                done = _gc.is_finalized(m.obj)
            except BaseException:
                done = False
            if done and self.reason[0] != "unreachable":
                lines.append("  %s defines __del__, which already ran: the cycle outlived it "
                             "(resurrected by it, or kept by gc.garbage); it will not run again"
                             % m.label)
            elif done:
                lines.append("  %s defines __del__, which already ran; the next collection "
                             "frees the cycle" % m.label)
            else:
                lines.append("  %s defines __del__; it runs once when the cycle is collected"
                             % m.label)
        return "\n".join(lines)

    __str__ = describe

    def __repr__(self):
        return "<Cycle of %d: %s>" % (len(self.members), self.reason[0])


def cycles(objs=None, limit=100, max_edges=200):
    """Reference cycles among `objs` (any iterable of objects, e.g.
    gc.garbage) or, when None, in the whole heap; largest first, at most
    `limit`, each with at most `max_edges` closing edges listed."""
    if objs is not None and (type(objs) is not list or objs is _gc.garbage):
        # a copy: gc.garbage itself stays visible as what holds its objects
        objs = list(objs)
    return [Cycle(*c) for c in _rcgc.cycles(objs, limit, max_edges)]


# ---------------------------------------------------------------- growth


class Growth(tuple):
    """(type_name, count_before, count_after, bytes_before, bytes_after)."""

    __slots__ = ()
    type_name = property(lambda s: s[0])
    before = property(lambda s: s[1])
    after = property(lambda s: s[2])
    delta = property(lambda s: s[2] - s[1])
    bytes_delta = property(lambda s: s[4] - s[3])

    def __str__(self):
        return "%-24s %9d %+9d %+12d bytes" % (self[0], self[2], self.delta, self.bytes_delta)


def mark():
    """Record the gc-tracked objects now: ids, type names, sizes, and a
    weak reference to each object whose type supports them (so since()
    tells a recorded object from a new one given its memory). A mark holds
    no strong reference: it keeps nothing alive. While it lives,
    weakref.getweakrefcount(obj) counts its reference (one per mark)."""
    return _rcgc.mark()


def growth(m, limit=None):
    """Per-type change since mark `m`, both signs, largest byte change
    first (types whose count and bytes did not change are left out)."""
    rows = [Growth(r) for r in _rcgc.growth(m)]
    rows.sort(key=lambda r: (-abs(r.delta), -abs(r.bytes_delta), r.type_name))
    return rows[:limit] if limit is not None else rows


def since(m, type_name=None):
    """The gc-tracked objects mark `m` did not record, optionally only
    those of one type name. An object at the address of a recorded one
    that died since counts as new when its type differs or supports weak
    references; one of the same type without weak references (dict, list,
    tuple, classes whose __slots__ lack __weakref__) is taken for the dead
    one -- CPython gives no other sign of identity."""
    objs = _rcgc.since(m)
    if type_name is not None:
        objs = [o for o in objs if _type_name(o) == type_name]
    return objs


class Retainer(tuple):
    """(Node, retained_bytes, self_bytes)."""

    __slots__ = ()
    node = property(lambda s: s[0])
    retained = property(lambda s: s[1])
    self_size = property(lambda s: s[2])

    def __str__(self):
        if type(self[0].obj) is Frame:
            return "%12d %10d  %s" % (self[1], self[2], self[0].label)
        return "%12d %10d  %s @%#x" % (self[1], self[2], self[0].label, id(self[0].obj))


def top_retainers(k=10):
    """The k objects whose disappearance would free the most memory
    (retained size in the dominator tree from the roots; sizes as
    sys.getsizeof gives them where that runs no user code)."""
    return [Retainer((_node(n), r, s)) for n, r, s in _rcgc.top(k)]


def snapshot(path):
    """Write the heap to `path` in Chrome DevTools .heapsnapshot format
    (DevTools, memlab, rcgc-inspect). A node's id is snapshot_id(obj); a
    weak reference's edge to its referent has type "weak" (name "(weak)").
    Returns (node_count, edge_count)."""
    return _rcgc.snapshot(path)


def snapshot_id(obj):
    """The id of obj's node in snapshots: a 32-bit odd number made from
    id(obj) (DevTools and memlab read ids as 32-bit numbers), the same in
    every snapshot while obj lives. Two objects 32 GiB apart in memory
    would share it: the writer then gives the later node of the file the
    next free odd number (rare; rcgc-inspect `why FILE TYPE` still finds
    it). A running frame's node (a Frame) has the id its interpreter
    frame's address gives."""
    addr = obj.address if type(obj) is Frame else id(obj)
    return ((addr >> 4) << 1 | 1) & 0xFFFFFFFF


def dot(objs, path, depth=3, back=True, too_many=10):
    """Write a Graphviz DOT picture of what refers to `objs` (back=True) or
    what they refer to, up to `depth` edges away; weak references' edges
    are drawn dashed. Returns how many of objs were found in the heap."""
    return _rcgc.dot(list(objs), path, depth, back, too_many)


# ---------------------------------------------------------------- unreachable


class Unreachable:
    """What unreachable() found: `items` [(type_name, id, repr)], `cycles`
    (Cycle objects, their members already gone) described as text."""

    def __init__(self, items, cycle_texts, total):
        self.items = items
        self.cycle_texts = cycle_texts
        #: how many objects were found (items lists at most `limit`)
        self.total = total

    def __len__(self):
        return self.total

    def __str__(self):
        if not self.items:
            return "no unreachable items"
        lines = ["unreachable items:"]
        for i, (tname, oid, text) in enumerate(self.items):
            lines.append(" [%d] %s" % (i, text))
        if self.total > len(self.items):
            lines.append(" ... and %d more" % (self.total - len(self.items)))
        for t in self.cycle_texts:
            lines.append(t)
        return "\n".join(lines)

    __repr__ = __str__


_unreachable_state = {"started": False, "was_enabled": None}


def _collect_saving_garbage():
    """Run a full collection under DEBUG_SAVEALL and return what it found
    (the cyclic garbage, kept alive by the returned list); gc.garbage and
    the debug flags are as they were before."""
    saved = list(_gc.garbage)
    del _gc.garbage[:]
    old = _gc.get_debug()
    _gc.set_debug(old | _gc.DEBUG_SAVEALL)
    try:
        _gc.collect()
    finally:
        _gc.set_debug(old)
    found = list(_gc.garbage)
    _gc.garbage[:] = saved
    return found


def unreachable(limit=200):
    """The cyclic garbage made since the last call, described (reprs and
    the cycles with their edge names), then freed by the collector.

    From the first call on, automatic collection is off so that garbage
    waits for the next call (as a helper with gc.set_threshold(0) would);
    unreachable_stop() turns it back on."""
    st = _unreachable_state
    if not st["started"]:
        st["started"] = True
        st["was_enabled"] = _gc.isenabled()
        _gc.disable()
    found = _collect_saving_garbage()
    total = len(found)
    try:
        items = [(_type_name(o), id(o), safe_repr(o)) for o in found[:limit]]
        texts = [c.describe() for c in cycles(found, limit=20, max_edges=20)]
    finally:
        del found
        _gc.collect()
    return Unreachable(items, texts, total)


def unreachable_stop():
    """Undo unreachable()'s switch-off of automatic collection."""
    st = _unreachable_state
    if st["started"] and st["was_enabled"]:
        _gc.enable()
    st["started"] = False


# ---------------------------------------------------------------- expectations

_expected = []  # [(weakref or None, id, type, label)]


def expect_freed(obj, label=None):
    """Record that `obj` should be gone by the next check_expected().
    Holds only a weak reference (kept out of the heap picture); objects
    that do not support weak references are followed by id and type."""
    try:
        ref = _weakref.ref(obj)
        _rcgc._untrack(ref)
    except TypeError:
        ref = None
    _expected.append((ref, id(obj), type(obj), label if label is not None else safe_repr(obj, 60)))


def check_expected(raise_error=True):
    """Collect, then report every object given to expect_freed() that is
    still alive, with the path that holds it. Clears the list. Raises
    AssertionError (raise_error=True) or returns [(label, Why)]."""
    _gc.collect()
    entries = list(_expected)
    del _expected[:]
    alive = []
    for ref, oid, tp, label in entries:
        obj = None
        if ref is not None:
            obj = ref()
        else:
            for o in _gc.get_objects():
                if id(o) == oid and type(o) is tp:
                    obj = o
                    break
        if obj is not None:
            alive.append((label, why(obj)))
        del obj
    if alive and raise_error:
        raise AssertionError("\n".join(
            "%s is still alive:\n  %s" % (label, str(w).replace("\n", "\n  ")) for label, w in alive))
    return alive
