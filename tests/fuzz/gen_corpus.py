#!/usr/bin/env python3
"""Generates the oracle fuzzer's seed corpus (tests/fuzz/corpus/): a few
dozen small programs, each a byte string in fuzz_oracle.c's encoding --
the first byte selects the heap configuration (bit 0: RCGC_CONFIG_NO_POOL),
then one opcode byte (taken modulo 18) and its argument bytes per
operation. Hand-written scenarios cover each feature once; seeded random
programs mix them. Deterministic: rerunning rewrites the same files."""
import os, random

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

# allocation bytes (see op_alloc)
NODE1, NODE2, NODE4 = 0x00, 0x20, 0x60
FIN, FIN_RES, LEG, BOTH = 0x08, 0x8c, 0x10, 0x18
LEAF, LEAF_FIN, LEAF_LEG = 0x07, 0x0F, 0x17

def alloc(b): return [0, b]
def link(a, s, b): return [3, a, s, b]
def unlink(a, s): return [5, a, s]
def incref(x): return [6, x]
def decref(k): return [7, k]
def weakref(x, cb): return [9, x, 1 if cb else 0]
def wget(w): return [10, w]
def collect(g): return [11, g]
def untrack(x): return [13, x]
def track(x): return [31, x]
def freeze(): return [32]
def unfreeze(): return [14]
def objects(g): return [15, ((g + 1) << 2) | 0]
def referrers(x): return [15, 1, x]
def referents(x): return [15, 2, x]
def check(): return [15, 3]
def saveall(): return [16]
def gclear(): return [17, 0]
def release(legacy): return [17, 1 if legacy else 2]

def prog(cfg, *ops):
    out = [cfg]
    for op in ops:
        out += op
    return bytes(out)

def cycle(kind_a, kind_b):  # two objects, a<->b, both dropped
    return [alloc(kind_a), alloc(kind_b), link(0, 0, 1), link(1, 0, 0), decref(0), decref(0)]

S = {}
S["self_cycle"] = prog(0, alloc(NODE1), link(0, 0, 0), decref(0), collect(2))
S["two_cycle"] = prog(1, *cycle(NODE2, NODE2), collect(2), check())
S["chain_refcount"] = prog(0, alloc(NODE1), alloc(NODE1), alloc(LEAF), link(0, 0, 1), link(1, 0, 2),
                           decref(1), decref(1), decref(0))
S["young_vs_old"] = prog(0, alloc(NODE2), alloc(NODE2), link(0, 0, 1), link(1, 0, 0), collect(0),
                         objects(1), decref(0), decref(0), collect(0), objects(-1), collect(1), collect(2))
S["modern_finalizer_cycle"] = prog(0, *cycle(FIN, FIN), collect(2))
S["resurrect_in_cycle"] = prog(0, *cycle(FIN_RES, NODE1), collect(2), objects(-1), decref(0), collect(2))
S["resurrect_by_refcount"] = prog(1, alloc(FIN_RES), decref(0), decref(0), collect(2))
S["legacy_cycle"] = prog(0, *cycle(LEG, NODE1), collect(2), gclear(), collect(2), release(True))
S["legacy_both_release"] = prog(0, *cycle(BOTH, NODE2), collect(2), release(True))
S["legacy_release_plain"] = prog(1, *cycle(LEG, LEG), collect(2), release(False), release(True))
S["legacy_refcount"] = prog(0, alloc(LEG), alloc(LEAF_LEG), link(0, 0, 1), decref(1), decref(0))
S["weakref_cb_cycle"] = prog(0, *cycle(NODE1, NODE1), weakref(0, True), weakref(0, False), collect(2))
S["weakref_refcount"] = prog(0, alloc(LEAF), weakref(0, True), weakref(0, False), decref(0), wget(0))
S["weakref_in_garbage"] = prog(0, alloc(NODE2), alloc(NODE2), weakref(0, True), link(0, 0, 1),
                               link(1, 0, 0), link(0, 1, 2), decref(0), decref(0), decref(0), collect(2))
S["weakref_dying_with_referent"] = prog(0, alloc(NODE2), alloc(LEAF), weakref(1, True), link(0, 0, 2),
                                        link(0, 1, 1), decref(1), decref(1), decref(0))
S["weakref_get"] = prog(1, alloc(NODE1), weakref(0, False), wget(0), decref(0), decref(0), wget(0))
S["saveall"] = prog(0, saveall(), *cycle(NODE2, FIN), collect(2), gclear(), collect(2), saveall(), collect(2))
S["saveall_release"] = prog(0, saveall(), *cycle(NODE1, LEG), collect(2), release(False), saveall(),
                            release(True))
S["freeze_unfreeze"] = prog(0, *cycle(NODE1, NODE1), freeze(), collect(2), objects(-1), unfreeze(), collect(2))
S["untrack_keeps_alive"] = prog(0, alloc(NODE2), alloc(NODE2), link(0, 0, 1), link(1, 0, 0), untrack(0),
                                decref(0), decref(0), collect(2), track(0), collect(2))
S["introspect"] = prog(0, alloc(NODE4), alloc(NODE1), alloc(LEAF), link(0, 0, 1), link(0, 1, 2),
                       link(1, 0, 0), referrers(0), referrers(1), referents(0), referents(2),
                       objects(0), objects(2), check(), collect(0), objects(1))
S["leaf_finalizer"] = prog(0, alloc(LEAF_FIN), alloc(NODE1), link(1, 0, 0), decref(0), link(0, 0, 0),
                           decref(0), collect(2))
S["incref_decref"] = prog(0, alloc(NODE1), incref(0), incref(0), decref(0), decref(0), decref(0))
S["cascade_after_collect"] = prog(0, alloc(NODE2), alloc(NODE2), alloc(FIN), link(0, 0, 1), link(1, 0, 0),
                                  link(0, 1, 2), decref(2), decref(0), decref(0), collect(2))
S["weakref_to_weakref"] = prog(0, alloc(NODE1), weakref(0, True), weakref(1, True), decref(1), decref(0))

# found by the fuzzer (minimized), kept as regression seeds
S["found_legacy_freed_by_garbage"] = prog(0, alloc(0x68), alloc(0x30), link(0, 2, 1), link(0, 0, 0))
S["found_weakref_order_in_cascade"] = bytes.fromhex(
    "bac80b0050031100000017096300039302749195bd3407fc000391018207570000000000780097039c5102"
    "b4b4b4b4b4b4b47251026e03099b016c0328b4b4b4")

def random_prog(rng, n):
    out = [rng.randrange(2)]
    for _ in range(n):
        r = rng.random()
        if r < 0.22:
            out += alloc(rng.choice([NODE1, NODE2, NODE4, FIN, FIN_RES, LEG, BOTH, LEAF, LEAF_FIN,
                                     LEAF_LEG, rng.randrange(256)]))
        elif r < 0.45:
            out += link(rng.randrange(256), rng.randrange(4), rng.randrange(256))
        elif r < 0.5:
            out += unlink(rng.randrange(256), rng.randrange(4))
        elif r < 0.65:
            out += decref(rng.randrange(256))
        elif r < 0.7:
            out += weakref(rng.randrange(256), rng.randrange(2))
        elif r < 0.8:
            out += collect(rng.randrange(3))
        else:
            out += [rng.randrange(256), rng.randrange(256), rng.randrange(256), rng.randrange(256)]
    out += collect(2)
    return bytes(out)

def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(20250101)
    for i in range(20):
        S["random_%02d" % i] = random_prog(rng, 20 + 6 * i)
    for name, data in sorted(S.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d programs to %s" % (len(S), OUT))

if __name__ == "__main__":
    main()
