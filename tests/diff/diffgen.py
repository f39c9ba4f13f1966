#!/usr/bin/python3
"""Differential testing of rcgc against CPython: the op language, a random
program generator and its translation to Python.

A program is a text file, one operation per line ("op arg arg ..."), lines
starting with '#' ignored. The program's world:

  o[0..NROOTS-1]   roots: strong references held "from outside" (C locals
                   in the driver, module globals in Python)
  R[0..NRES-1]     resurrection slots, written by finalizers
  W[0..NWEAK-1]    weak reference slots
  nodes            objects of a class with __slots__ f0 f1 f2 (strong
                   references) and, for kind 1, a __del__ finalizer whose
                   behaviour is fixed at creation by (mode, arg)
  weak references  to nodes, always with a callback whose behaviour is
                   fixed at creation by (mode, arg)

Operations (every operation is defined whatever the state: an operation on
an empty slot does nothing, or stores None):

  new S K M A      o[S] = None; o[S] = a new node of kind K (0: no
                   finalizer, 1: finalizer) with finalizer mode M, arg A
  set S F T        o[S].fF = o[T]
  clr S F          o[S].fF = None
  mov S T          o[S] = o[T]
  drop S           o[S] = None
  load S T F       o[S] = o[T].fF
  wref W S M A     W[W] = None; W[W] = weak reference to o[S] (callback
                   mode M, arg A), when o[S] is a node
  wdrop W          W[W] = None
  wget S W         o[S] = W[W]()  (logs the referent or "dead")
  wfield S F W     o[S].fF = W[W]
  rget S R         o[S] = R[R]
  rdrop R          R[R] = None
  collect G        logs gc.collect(G)
  count            logs gc.get_count()
  thresh A B C     gc.set_threshold(A, B, C)
  enable / disable gc.enable() / gc.disable()
  freeze / unfreeze
  fcount           logs gc.get_freeze_count()
  isfin S          logs gc.is_finalized(o[S])
  saveall B        gc.set_debug(gc.DEBUG_SAVEALL if B else 0)
  garbage          logs the contents of gc.garbage
  gclear           gc.garbage.clear()
  gdel I           del gc.garbage[I] (when it has that many entries)

Finalizer modes (node kind 1; every call logs "del nI" on entry and
"/del nI" on exit):
  0 nothing   1 R[A] = self   2 clear own fields   3 o[A] = None
  4 o[A] = self.f0   5 log gc.collect(A % 2)   6 R[A] = W[A]()
  7 R[A] = a new node (kind 0)
Callback modes (every call logs "cb wI" / "/cb wI"):
  0 nothing   1 o[A] = None   2 log gc.collect(A % 2)   3 o[A] = a new node

At the end both sides log every node and weak reference still alive
("alive n3 n7F w2": F = finalized) after gc.unfreeze().

Usage:
  diffgen.py gen SEED [NOPS]    print a random program
  diffgen.py topy FILE          print the Python translation of a program
"""
import random
import sys

NROOTS = 8
NRES = 4
NWEAK = 6
NFIELDS = 3
FIN_MODES = 8
CB_MODES = 4

# ---------------------------------------------------------------- generator

OPS = [  # (name, weight)
    ("new", 18), ("set", 18), ("clr", 5), ("mov", 5), ("drop", 10), ("load", 4),
    ("wref", 7), ("wdrop", 3), ("wget", 3), ("wfield", 2), ("rget", 2), ("rdrop", 2),
    ("collect", 8), ("count", 5), ("thresh", 2), ("enable", 1), ("disable", 1),
    ("freeze", 1), ("unfreeze", 1), ("fcount", 1), ("isfin", 2), ("saveall", 2),
    ("garbage", 2), ("gclear", 2), ("gdel", 1),
]


def gen_op(rng):
    names = [n for n, _ in OPS]
    weights = [w for _, w in OPS]
    op = rng.choices(names, weights)[0]
    s = lambda: rng.randrange(NROOTS)
    f = lambda: rng.randrange(NFIELDS)
    if op == "new":
        kind = rng.randrange(2)
        mode = rng.randrange(FIN_MODES) if kind else 0
        arg = rng.randrange(NROOTS) if kind else 0
        return f"new {s()} {kind} {mode} {arg}"
    if op == "set":
        return f"set {s()} {f()} {s()}"
    if op == "clr":
        return f"clr {s()} {f()}"
    if op == "mov":
        return f"mov {s()} {s()}"
    if op == "drop":
        return f"drop {s()}"
    if op == "load":
        return f"load {s()} {s()} {f()}"
    if op == "wref":
        return f"wref {rng.randrange(NWEAK)} {s()} {rng.randrange(CB_MODES)} {s()}"
    if op == "wdrop":
        return f"wdrop {rng.randrange(NWEAK)}"
    if op == "wget":
        return f"wget {s()} {rng.randrange(NWEAK)}"
    if op == "wfield":
        return f"wfield {s()} {f()} {rng.randrange(NWEAK)}"
    if op == "rget":
        return f"rget {s()} {rng.randrange(NRES)}"
    if op == "rdrop":
        return f"rdrop {rng.randrange(NRES)}"
    if op == "collect":
        return f"collect {rng.choice([0, 1, 1, 2])}"
    if op == "thresh":
        return f"thresh {rng.choice([0, 1, 2, 3, 5, 8, 700])} {rng.choice([0, 1, 2, 3, 10])} " \
               f"{rng.choice([0, 1, 2, 10])}"
    if op == "saveall":
        return f"saveall {rng.randrange(2)}"
    if op == "isfin":
        return f"isfin {s()}"
    if op == "gdel":
        return f"gdel {rng.randrange(4)}"
    return op


def gen_program(seed, nops):
    rng = random.Random(seed)
    lines = [f"# rcgc differential program, seed {seed}"]
    # low thresholds make automatic collections happen in short programs
    lines.append(f"thresh {rng.choice([2, 3, 5, 8, 13])} {rng.choice([1, 2, 3])} "
                 f"{rng.choice([1, 2, 3, 10])}")
    if rng.random() < 0.8:
        lines.append("enable")
    frozen = False
    for _ in range(nops):
        op = gen_op(rng)
        if op == "collect 2" and frozen:
            # A full collection while the harness is frozen would leave
            # CPython's long-lived total small enough for automatic full
            # collections, and each of those empties CPython's tuple free
            # lists where the harness cannot see it (see the translation's
            # notes): thaw first.
            lines.append("unfreeze")
            frozen = False
        frozen = (frozen or op == "freeze") and op != "unfreeze"
        lines.append(op)
    return "\n".join(lines) + "\n"


def parse(text):
    ops = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        ops.append((parts[0], [int(x) for x in parts[1:]]))
    return ops

# ---------------------------------------------------------------- to Python

# The Python side must not let the harness perturb the collector: every
# GC-tracked object CPython allocates moves gc.get_count() and may start an
# automatic collection (3.11 collects inside the allocation). So:
#  - the translation is straight-line module code: no function objects,
#    iterators or frame objects are created while the program runs, and no
#    tuple unpacking (module code is never specialised, and the generic
#    UNPACK_SEQUENCE allocates an iterator); logs are strings (untracked);
#  - the harness's own objects are collected once and counted; the driver
#    creates as many "ballast" objects in its oldest generation, so that
#    generation sizes match (the long-lived rule, freeze counts);
#  - some calls need a small tuple: gc.get_count's result, the argument
#    tuple of a weak reference's creation, the tuple CPython builds when an
#    object with several weak references dies. CPython takes them from its
#    tuple free lists when it can, without counting them. The harness keeps
#    STOCK tuples of each size on those free lists (setup releases them
#    there), so these allocations never reach the counts;
#  - a full collection ends by emptying the free lists, and every tuple it
#    frees there decrements count[0] (rcgc has no free lists). So around an
#    explicit gc.collect(2) the harness takes its stocked tuples off the
#    free lists (holding them: they are tracked tuples of ints, which the
#    collection itself untracks) and gives them back afterwards.
# Deviations from CPython that rcgc documents (docs/design.md, "Deviations
# from CPython") are modelled here where they would otherwise show, each
# marked DEVIATION with its name.

STOCK = 2
SIZES = (1, 2, 3, 4, 6, 8, 10, 12, 14, 16, 18)

PRELUDE = r'''
import gc, os, sys, weakref
gc.disable()
NROOTS, NRES, NWEAK = %(nroots)d, %(nres)d, %(nweak)d
o = [None] * NROOTS
R = [None] * NRES
W = [None] * NWEAK
L = []
_n = 0
_w = 0
_t = None
_r = None
_e = None
_g = None

class Node:
    __slots__ = ('a', 'f0', 'f1', 'f2', 'i', 'm', '__weakref__')

class NodeF(Node):
    __slots__ = ()
    def __del__(self):
        global _n
        # DEVIATION auto-collect-in-user-code: rcgc never starts an automatic
        # collection while a finalizer or callback runs
        e = gc.isenabled()
        gc.disable()
        L.append('del n%%d' %% self.i)
        m = self.m
        a = self.a
        if m == 1:
            R[a %% NRES] = self
        elif m == 2:
            self.f0 = None
            self.f1 = None
            self.f2 = None
        elif m == 3:
            o[a] = None
        elif m == 4:
            o[a] = self.f0
        elif m == 5:
            L.append('del collect %%d' %% gc.collect(a %% 2))
        elif m == 6:
            w = W[a %% NWEAK]
            R[a %% NRES] = None if w is None else w()
            w = None
        elif m == 7:
            t = Node()
            _n += 1
            t.i = _n
            t.m = 0
            t.a = 0
            t.f0 = None
            t.f1 = None
            t.f2 = None
            R[a %% NRES] = t
            t = None
        L.append('/del n%%d' %% self.i)
        if e:
            gc.enable()

class WR(weakref.ref):
    __slots__ = ('i', 'm', 'a')

def _cb(w):
    global _n
    e = gc.isenabled()   # DEVIATION auto-collect-in-user-code
    gc.disable()
    L.append('cb w%%d' %% w.i)
    m = w.m
    a = w.a
    if m == 1:
        o[a] = None
    elif m == 2:
        L.append('cb collect %%d' %% gc.collect(a %% 2))
    elif m == 3:
        t = Node()
        _n += 1
        t.i = _n
        t.m = 0
        t.a = 0
        t.f0 = None
        t.f1 = None
        t.f2 = None
        o[a] = t
        t = None
    L.append('/cb w%%d' %% w.i)
    if e:
        gc.enable()

def _name(x):
    if x is None:
        return 'None'
    if isinstance(x, WR):
        return 'w%%d' %% x.i
    return 'n%%d' %% x.i

def _garbage():
    g = gc.garbage
    s = 'garbage'
    i = 0
    n = len(g)
    while i < n:
        s = s + ' ' + _name(g[i])
        i += 1
    L.append(s)

def _alive():
    gc.unfreeze()
    names = []
    for x in gc.get_objects():
        if isinstance(x, (Node, WR)):
            names.append((x.i, ('w' if isinstance(x, WR) else 'n') + str(x.i) +
                          ('F' if gc.is_finalized(x) else '')))
    names.sort()
    L.append('alive' + ''.join(' ' + s for _, s in names))

_z = 0
_reserve = [tuple(range(k)) for k in %(sizes)s for _ in range(%(stock)d)]
gc.collect()
gc.collect()
_H = len(gc.get_objects())
gc.collect()
if len(gc.get_objects()) != _H:
    sys.stderr.write('harness: the oldest generation is not stable\n')
    os._exit(1)
gc.collect()
_reserve.clear()   # onto the (now empty) free lists
L.append('ballast %%d' %% _H)
'''

EPILOGUE = r'''
gc.disable()
_alive()
sys.stdout.write('\n'.join(L[1:]) + '\n')
sys.stderr.write(L[0] + '\n')
sys.stdout.flush()
sys.stderr.flush()
os._exit(0)
'''


def to_python(text):
    ops = parse(text)
    out = [PRELUDE % {"nroots": NROOTS, "nres": NRES, "nweak": NWEAK,
                      "sizes": repr(SIZES), "stock": STOCK}]
    emit = out.append
    for op, a in ops:
        emit(f"# {op} {' '.join(map(str, a))}")
        if op == "new":
            s, kind, mode, arg = a
            emit(f"o[{s}] = None")
            emit(f"_t = {'NodeF' if kind else 'Node'}()")
            emit("_n += 1")
            emit(f"_t.i = _n; _t.m = {mode}; _t.a = {arg}; _t.f0 = None; _t.f1 = None; _t.f2 = None")
            emit(f"o[{s}] = _t; _t = None")
        elif op == "set":
            s, f, t = a
            emit(f"if isinstance(o[{s}], Node): o[{s}].f{f} = o[{t}]")
        elif op == "clr":
            s, f = a
            emit(f"if isinstance(o[{s}], Node): o[{s}].f{f} = None")
        elif op == "mov":
            emit(f"o[{a[0]}] = o[{a[1]}]")
        elif op == "drop":
            emit(f"o[{a[0]}] = None")
        elif op == "load":
            s, t, f = a
            emit(f"o[{s}] = o[{t}].f{f} if isinstance(o[{t}], Node) else None")
        elif op == "wref":
            w, s, mode, arg = a
            # the referent is held (_r) until the weak reference is fully
            # set up: creating it may run a collection that drops o[S]
            emit(f"W[{w}] = None")
            emit(f"if isinstance(o[{s}], Node):")
            emit(f"    _r = o[{s}]")
            emit("    _t = WR(_r, _cb)")
            emit("    _w += 1")
            emit(f"    _t.i = _w; _t.m = {mode}; _t.a = {arg}")
            emit(f"    W[{w}] = _t; _t = None; _r = None")
        elif op == "wdrop":
            emit(f"W[{a[0]}] = None")
        elif op == "wget":
            s, w = a
            emit(f"o[{s}] = W[{w}]() if W[{w}] is not None else None")
            emit(f"L.append(('wget ' + _name(W[{w}]) + ' -> ' + _name(o[{s}])) "
                 f"if W[{w}] is not None else 'wget None')")
        elif op == "wfield":
            s, f, w = a
            emit(f"if isinstance(o[{s}], Node): o[{s}].f{f} = W[{w}]")
        elif op == "rget":
            emit(f"o[{a[0]}] = R[{a[1]}]")
        elif op == "rdrop":
            emit(f"R[{a[0]}] = None")
        elif op == "collect":
            held = [f"_h{k}_{j}" for k in SIZES for j in range(STOCK)]
            if a[0] == 2:
                for k in SIZES:
                    for j in range(STOCK):
                        emit(f"_h{k}_{j} = ({'_z, ' * k})")
            emit(f"L.append('collect {a[0]} -> %d' % gc.collect({a[0]}))")
            if a[0] == 2:
                emit(" = ".join(held) + " = None")
        elif op == "count":
            # no tuple unpacking: module code is never specialised, and the
            # generic UNPACK_SEQUENCE allocates an iterator (a GC object)
            emit("_g = gc.get_count(); L.append('count %d %d %d' % _g); _g = None")
        elif op == "thresh":
            emit(f"gc.set_threshold(*{(a[0], a[1], a[2])!r})")
        elif op == "enable":
            emit("gc.enable()")
        elif op == "disable":
            emit("gc.disable()")
        elif op == "freeze":
            emit("gc.freeze()")
        elif op == "unfreeze":
            emit("gc.unfreeze()")
        elif op == "fcount":
            emit("L.append('fcount ' + str(gc.get_freeze_count() - _H))")
        elif op == "isfin":
            emit(f"L.append('isfin ' + _name(o[{a[0]}]) + ' ' + "
                 f"str(int(gc.is_finalized(o[{a[0]}]))))")
        elif op == "saveall":
            emit(f"gc.set_debug({'gc.DEBUG_SAVEALL' if a[0] else '0'})")
        elif op == "garbage":
            emit("_garbage()")
        elif op == "gclear":
            emit("gc.garbage.clear()")
        elif op == "gdel":
            emit(f"if len(gc.garbage) > {a[0]}: del gc.garbage[{a[0]}]")
        else:
            raise SystemExit(f"unknown op {op}")
    out.append(EPILOGUE)
    return "\n".join(out)


def main(argv):
    if len(argv) >= 2 and argv[0] == "gen":
        nops = int(argv[2]) if len(argv) > 2 else 60
        sys.stdout.write(gen_program(int(argv[1]), nops))
    elif len(argv) == 2 and argv[0] == "topy":
        with open(argv[1]) as f:
            sys.stdout.write(to_python(f.read()))
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
