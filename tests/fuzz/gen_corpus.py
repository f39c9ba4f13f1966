#!/usr/bin/env python3
"""Generates the oracle fuzzer's seed corpus (tests/fuzz/corpus/): a few
dozen small programs, each a byte string in fuzz_oracle.c's encoding --
the first byte selects the heap configuration (bit 0: RCGC_CONFIG_NO_POOL),
then one opcode byte (taken modulo 18) and its argument bytes per
operation. Opcode bytes 141, 159, ..., 249 (15 modulo 18, 7 or more
times 18) are the leak tools: their argument byte's low 4 bits select the
call, the high 4 bits are a parameter. Bits 1 and 2 of the first byte both
set ask for allocation serials (RCGC_CONFIG_SERIALS); bit 6 selects the
default policy, RCGC_POLICY_SUSPECTS (else RCGC_POLICY_CPYTHON); opcode
byte 250 switches the policy (rcgc_set_policy); with bit 7 of the first
byte set, opcode bytes 142 and 196 are the incremental operations (slices
of an incremental collection, a raw swap of two references without
counts) instead of DEBUG_SAVEALL; with bits 7, 5 and 4 set and bit 3
clear, the heap also has strict stores (STRICT below). Hand-written
scenarios cover each feature once; seeded random programs mix them.
Deterministic: rerunning rewrites the same files."""
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
def policy(): return [250]  # rcgc_set_policy: the other policy
def gclear(): return [17, 0]
def release(legacy): return [17, 1 if legacy else 2]

# incremental collections (first byte bit 7; see op_slice, op_swap)
INC = 0x80
def _slice(kind, n): return [142, kind | ({1: 0, 2: 4, 4: 8, 8: 12}[n] if n else 0x10)]
def step(n=1): return _slice(0, n)        # starts a suspect collection if none runs
def inc_full(n=1): return _slice(2, n)    # starts a full one if none runs
def inc_young(n=1): return _slice(3, n)   # starts a young backstop if none runs
def to_end(kind=0): return _slice(kind, 0)
def step_pub(n=1): return [142, _slice(0, n)[1] | 0x20]  # rcgc_collect_step(heap, 1)
def swap(a, s, b, t): return [196, a, s, b, t]

# leak tools (see op_leak)
LEAK = 141
SERIALS = 6  # first byte: RCGC_CONFIG_SERIALS
SUS = 0x40  # first byte: RCGC_POLICY_SUSPECTS
def roots(): return [LEAK, 0]
def why(x, k=1): return [LEAK, 1 | ((k - 1) << 4), x]
def cycles_garbage(): return [LEAK, 2]
def cycles_heap(): return [LEAK, 3]
def cycles_from(*xs): return [LEAK, 4, len(xs) - 1] + list(xs)
def dominators(k=3): return [LEAK, 5 | ((k - 1) << 4)]
def histogram(): return [LEAK, 6]
def mark(): return [LEAK, 7]
def growth(limit=0): return [LEAK, 8 | (limit << 4)]
def watch(x, label=True): return [LEAK, 9 if label else 0x19, x]
def unwatch(x): return [LEAK, 10, x]
def expect_check(text=True): return [LEAK, 11 | (0x10 if text else 0)]
def expect_collect(text=True): return [LEAK, 12 | (0x10 if text else 0)]
def snapshot(): return [LEAK, 13]
def explain(): return [LEAK, 14]
def dot(x, flags): return [LEAK, 15, x, flags]
def all_leak_tools(x):  # x: an object index (pick)
    return (roots() + why(x, 1) + why(x, 4) + cycles_garbage() + cycles_heap() + cycles_from(x) +
            dominators(1) + dominators(16) + histogram() + snapshot() + dot(x, 0x07) +
            dot(x, 0xc9) + expect_check())

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

# leak tools: a diamond under a root, a cycle held by the diamond, a cycle
# of garbage with a legacy finalizer, a weak reference, the garbage list
def leak_world(cfg):
    return [cfg] + alloc(NODE2) * 4 + alloc(LEG) + alloc(NODE1) + alloc(LEAF) + \
        link(0, 0, 1) + link(0, 1, 2) + link(1, 0, 3) + link(2, 0, 3) + link(3, 0, 6) + \
        link(3, 1, 1) + link(4, 0, 5) + link(5, 0, 4) + weakref(3, True) + \
        decref(1) * 6  # harness holds only 0 and the weakref now
S["leak_roots_why"] = bytes(leak_world(0) + roots() + why(3, 1) + why(3, 4) + why(6, 2) +
                            why(0) + why(4) + collect(2) + why(4, 3))
S["leak_cycles"] = bytes(leak_world(SERIALS) + cycles_garbage() + cycles_heap() +
                         cycles_from(0) + cycles_from(4, 6) + collect(2) + cycles_garbage() +
                         release(True) + cycles_garbage())
S["leak_dominators"] = bytes(leak_world(0) + dominators(1) + dominators(8) + incref(3) +
                             dominators(16) + decref(0) + dominators(4))
S["leak_growth"] = bytes([SERIALS] + mark() + growth() + alloc(NODE4) + alloc(LEAF) +
                         weakref(0, False) + histogram() + growth(0) + growth(1) + decref(0) +
                         growth(2) + mark() + alloc(NODE1) + growth(0))
S["leak_growth_default_config"] = bytes([0] + alloc(NODE2) + mark() + alloc(FIN) + link(0, 0, 1) +
                                        decref(1) + growth(0) + collect(2) + growth(3))
S["leak_expect_freed"] = bytes(leak_world(0) + watch(3) + watch(4, False) + watch(0) +
                               expect_check() + watch(3) + unwatch(0) + unwatch(0) +
                               expect_check(False) + expect_collect() + decref(0) +
                               expect_check() + watch(2) + expect_collect(False))
S["leak_snapshot"] = bytes(leak_world(SERIALS) + snapshot() + saveall() + collect(2) + snapshot() +
                           freeze() + snapshot() + unfreeze() + gclear() + snapshot())
S["leak_snapshot_no_serials"] = bytes(leak_world(0) + snapshot() + collect(2) + snapshot())
S["leak_explain"] = bytes(leak_world(SERIALS) + explain() + release(True) + explain())
S["leak_explain_no_serials"] = bytes(leak_world(1) + explain() + collect(2))
S["leak_resurrect"] = bytes([SERIALS] + alloc(FIN_RES) + alloc(NODE1) + link(0, 0, 1) + link(1, 0, 0) +
                            watch(0) + decref(0) + decref(0) + cycles_garbage() +
                            expect_collect() + roots() + why(0, 2) + dominators(4) + snapshot())
S["leak_untracked_frozen"] = bytes(leak_world(0) + untrack(0) + freeze() + cycles_garbage() +
                                   all_leak_tools(1) + unfreeze() + track(0) + all_leak_tools(2))
S["leak_all_tools"] = bytes(leak_world(SERIALS) + all_leak_tools(3) + collect(2) + all_leak_tools(0))

# the suspects policy: decrements that leave a count above 0 make suspects;
# collect(0) and collect(1) examine the young generations, the suspects and
# what they reach
def old_cycle():  # 0 <-> 1, both in generation 2, held by the harness
    return [alloc(NODE2), alloc(NODE2), link(0, 0, 1), link(1, 0, 0), collect(1), collect(1)]
S["suspects_old_cycle"] = prog(SUS, *old_cycle(), decref(0), objects(0), objects(2), collect(0),
                               objects(1), decref(0), collect(0), objects(-1))
S["suspects_closure_survives"] = prog(SUS, *old_cycle(), alloc(NODE4), link(2, 0, 0), link(2, 1, 1),
                                      alloc(LEAF), link(1, 1, 3), decref(3), collect(1), collect(1),
                                      unlink(2, 0), collect(0), objects(1), objects(2), collect(1),
                                      decref(0), decref(0), collect(0), collect(2))
# a candidate that is no suspect (A, back in generation 0 by untrack/track)
# references an object the suspect S pulls in (C): the garbage cycle
# S <-> C <-> A is found by collect(0) (the collector once counted A's
# reference as one from outside, and the cycle survived)
S["suspects_young_reference_to_pulled"] = prog(SUS, alloc(NODE2), alloc(NODE2), alloc(NODE2),
                                               link(0, 0, 1), link(1, 0, 0), link(2, 0, 1),
                                               link(1, 1, 2), decref(1), decref(1), collect(1),
                                               collect(1), untrack(2), track(2), decref(0),
                                               collect(0), collect(0), collect(1), collect(2))
S["suspects_list_release"] = prog(SUS | 1, *old_cycle(), alloc(NODE1), link(2, 0, 0), objects(2),
                                  collect(0), referrers(0), referents(0), collect(1), objects(-1),
                                  collect(0), decref(0), decref(0), decref(0), collect(0))
S["suspects_freeze_untrack"] = prog(SUS, *old_cycle(), decref(0), freeze(), collect(0), objects(0),
                                    unfreeze(), collect(0), decref(0), untrack(0), collect(0),
                                    track(0), collect(0), collect(2))
S["suspects_policy_switch"] = prog(SUS, *old_cycle(), decref(0), policy(), collect(0), objects(0),
                                   decref(0), policy(), referents(0), collect(0), policy(),
                                   collect(1), policy(), collect(2))
S["suspects_cpython_switch"] = prog(0, *old_cycle(), decref(0), policy(), referents(1), collect(0),
                                    decref(0), collect(0), policy(), collect(2))
S["suspects_weakref_cascade"] = prog(SUS, *old_cycle(), alloc(LEAF), weakref(2, True), link(0, 1, 3),
                                     weakref(0, False), decref(2), collect(1), collect(1),
                                     decref(0), collect(0), decref(0), collect(0), wget(0), collect(2))
S["suspects_garbage_list"] = prog(SUS, saveall(), *cycle(NODE2, FIN), alloc(NODE1), link(2, 0, 0),
                                  collect(0), gclear(), collect(0), saveall(), decref(0), collect(0),
                                  collect(2))
S["suspects_legacy"] = prog(SUS, *cycle(LEG, NODE2), alloc(NODE1), link(1, 1, 2), collect(1),
                            release(True), collect(0), collect(2))
S["suspects_resurrect"] = prog(SUS | SERIALS, *old_cycle(), alloc(FIN_RES), link(0, 1, 2), decref(2),
                               decref(0), decref(0), collect(0), objects(0), collect(0),
                               all_leak_tools(1), collect(2))

# incremental collections: slices with the program mutating in between.
# A slice of these programs is 16 units of work (an object entered,
# traversed or sorted), so each starts with a chain of 24 nodes held by
# node 0 (ids 0-23) for the collections to last a few slices; the
# scenario's objects are 24 and up (B).
B = 24
def chain24():
    return [alloc(NODE2) for _ in range(B)] + [link(i, 0, i + 1) for i in range(B - 1)] + \
        [decref(1) for _ in range(B - 1)]
def inc_prog(cfg, *ops): return prog(SUS | INC | cfg, *chain24(), *ops)
# the raw move of docs/design.md: X -> A <-> B', a slice counts A's
# reference to B', the program moves it into B' without counts (B' -> B');
# A stays reachable, B' alone is garbage
S["inc_raw_move"] = inc_prog(0, alloc(NODE1), alloc(NODE2), alloc(NODE2), link(B, 0, B + 1),
                             link(B + 1, 0, B + 2), link(B + 2, 0, B + 1), decref(2), decref(2),
                             inc_full(1), swap(B + 1, 0, B + 2, 1), step(1), step(8), to_end(),
                             collect(2))
# a reference counted twice: T is held by the harness and by A of eight
# garbage pairs A <-> B'; between two slices each A's reference to T moves
# into its B' without counts. The pair the slice boundary splits has its
# reference subtracted twice, so the estimate holds T, held from outside:
# the last step must keep it
def double_count():
    ops, pairs = [alloc(NODE1)], []
    for i in range(8):
        a, b = B + 1 + 2 * i, B + 2 + 2 * i
        ops += [alloc(NODE2), alloc(NODE2), link(a, 0, b), link(b, 0, a), link(a, 1, B)]
        pairs.append((a, b))
    ops += [decref(2) for _ in range(16)] + [inc_full(1), step(1)]
    ops += [swap(a, 1, b, 1) for a, b in pairs]
    return ops + [step(1), step(1), to_end(), collect(2)]
S["inc_raw_move_counted_twice"] = inc_prog(0, *double_count())
S["inc_full_mutate"] = inc_prog(0, *[alloc(NODE2) for _ in range(4)], link(B, 0, B + 1),
                                link(B + 1, 0, B), link(B + 2, 0, B + 3), link(B + 3, 0, B + 2),
                                decref(1), decref(1), decref(2), alloc(NODE4), link(B + 4, 0, 0),
                                link(B + 4, 1, B + 4), inc_full(1), link(B + 4, 2, B + 1), step(1),
                                unlink(B + 4, 0), swap(B + 4, 1, 5, 1), step(1), decref(0),
                                alloc(NODE2), link(B + 5, 0, B + 4), step(1), untrack(B + 4), step(1),
                                track(B + 4), decref(1), step(2), to_end(), collect(2))
S["inc_suspects_mutate"] = inc_prog(0, unlink(11, 0), link(23, 1, 12), decref(0), step(1),
                                    alloc(NODE1), link(B + 1, 0, 2), unlink(3, 0), step(1),
                                    link(7, 1, 4), swap(8, 0, 9, 1), step(1), to_end(), inc_young(1),
                                    *cycle(NODE1, NODE1), step(1), objects(0), inc_young(1),
                                    unlink(1, 0), step(2), to_end(), step(1), to_end(), collect(2))
S["inc_finalizers_weakrefs"] = inc_prog(0, alloc(FIN_RES), alloc(NODE2), link(B, 0, B + 1),
                                        link(B + 1, 0, B), alloc(LEG), alloc(NODE1),
                                        link(B + 2, 0, B + 3), link(B + 3, 0, B + 2), alloc(NODE2),
                                        alloc(BOTH), link(B + 4, 0, B + 5), link(B + 5, 0, B + 4),
                                        weakref(B + 4, True), weakref(B + 5, False), alloc(LEAF_FIN),
                                        link(B + 4, 1, B + 8), decref(1), decref(1), decref(1),
                                        decref(1), decref(1), decref(1), decref(1), inc_full(1),
                                        wget(1), step(1), saveall(), step(1), to_end(), gclear(),
                                        inc_full(1), step(1), to_end(), release(True), inc_full(1),
                                        release(False), collect(2))
S["inc_finishing_calls"] = inc_prog(SERIALS, alloc(NODE2), alloc(NODE2), link(B, 0, B + 1),
                                    link(B + 1, 0, B), alloc(FIN), link(B + 2, 0, B + 1), decref(1),
                                    decref(1), inc_full(1), collect(0), decref(1), inc_full(1),
                                    freeze(), unfreeze(), inc_young(1), objects(1), unlink(2, 0),
                                    inc_full(1), policy(), policy(), inc_full(1), referrers(3),
                                    referents(3), roots(), cycles_garbage(), snapshot(),
                                    dominators(4), release(True), inc_full(1), expect_collect(),
                                    inc_full(1), explain(), inc_full(1), step(1), decref(0),
                                    step_pub(1), collect(2), policy(), step_pub(2), step(1))

# strict stores (first byte bits 7, 5, 4 set, bit 3 clear: STRICT; see
# run() and "strict stores" in fuzz_oracle.c): the heap promises never to
# move a reference out of an object without a decrement, swap() moves with
# counts, a type with a finalizer is allocated only with bit 7 of the
# allocation byte (fin()), a weak reference made only with bit 1 of its
# byte (weakref_s()). A program that uses neither (nor SAVEALL) has a
# divisible heap: its incremental collections free their garbage in slices
# (RELEASE), the program running in between. A slice of 16 units does
# about 9 of SUB or MARK (a side array made ends it early) and 8-16 of
# RELEASE: a full collection of chain24 and a ring of 40 enters RELEASE in
# its 15th slice (to_release() after inc_full(1)) and frees the ring in 3.
STRICT = 0xB0 | SUS
def fin(b): return b | 0x80
def weakref_s(x, cb): return [9, x, 2 | (1 if cb else 0)]
def strict_prog(cfg, *ops): return prog(STRICT | cfg, *chain24(), *ops)
def to_release(): return step(8) + step(4) + step(2)
# n new nodes in a ring, then dropped. Argument bytes index the live
# objects: the ring's first node is the ka-th live node (link's first
# byte) and the kb-th live object (its last byte); the harness holds
# 'held' objects before the ring (decref's byte indexes the held objects;
# in strict mode a weak reference object held once is not one of them)
def ring(n, ka, kb=None, held=1, kind=NODE2):
    kb = ka if kb is None else kb
    return [alloc(kind) for _ in range(n)] + \
        [link(ka + i, 0, kb + (i + 1) % n) for i in range(n)] + [decref(held)] * n
# between RELEASE's slices the program allocates, links, moves with counts
# and drops survivors, and starts nothing new
S["strict_release_ring"] = strict_prog(0, *ring(40, B), inc_full(1), to_release(), alloc(NODE2),
                                       link(B + 40, 0, 3), step(1), swap(B + 40, 0, 0, 0),
                                       link(B + 40, 1, B + 40), objects(2), step(1), decref(1),
                                       unlink(5, 0), step(1), to_end(), collect(2))
# a suspect collection whose candidates all count down to 0 (the chain's
# suspects taken by collect(1) first): RELEASE right after SUB
S["strict_release_suspects"] = strict_prog(0, collect(1), *ring(40, B), step(4), step(1),
                                           alloc(NODE1), link(B + 40, 0, 2), step(1), decref(1),
                                           step(1), unlink(0, 0), step(1), to_end(), collect(2))
# the garbage holds a leaf and a node of its own (freed by refcount when it
# releases them) and a survivor (decremented: a suspect); the program
# mutates survivors between RELEASE's slices
S["strict_release_out_refs"] = strict_prog(0, alloc(NODE2), alloc(NODE1),
                                           *ring(40, B + 2, held=3, kind=NODE4), alloc(LEAF),
                                           link(B + 3, 1, B), link(B + 10, 1, B + 42),
                                           link(B + 20, 1, B + 1), link(B + 21, 2, B + 1),
                                           link(B + 30, 3, 7), decref(2), decref(2),
                                           inc_full(1), to_release(), step(2), alloc(NODE1),
                                           link(B, 0, 3), step(1), unlink(B, 0),
                                           swap(0, 0, B, 1), step(1), link(1, 1, B), incref(1),
                                           step(1), referrers(B), step(1), objects(0), collect(2))
S["strict_release_young"] = strict_prog(1, *ring(60, B), inc_young(1), to_release(), step(2),
                                        alloc(NODE2), link(B + 60, 0, B + 60), step(1),
                                        swap(B + 60, 0, 0, 1), step(1), decref(1), step(1),
                                        to_end(), collect(2))
# swaps with counts between the slices before RELEASE: the barrier sees them
S["strict_counted_moves"] = strict_prog(0, *ring(20, B), alloc(NODE2), alloc(NODE2),
                                        link(B + 20, 0, B + 21), link(B + 21, 0, B + 20),
                                        link(B + 20, 1, 5), decref(1), decref(1), inc_full(1),
                                        step(1), swap(B + 20, 1, B + 21, 1), step(1),
                                        swap(3, 0, 4, 0), swap(3, 0, 4, 0), step(2),
                                        swap(B + 20, 1, 6, 1), step(4), to_end(), collect(2))
# calls that finish a collection while RELEASE runs
def strict_finishing(call):
    return strict_prog(SERIALS, *ring(40, B), alloc(LEAF), inc_full(1), to_release(), step(1),
                       call, step(1), collect(2))
for name, call in [("collect", collect(0)), ("freeze", freeze()), ("objects", objects(-1)),
                   ("policy", policy()), ("release", release(False)),
                   ("expect_collect", expect_collect()), ("explain", explain()),
                   ("referrers", referrers(5)), ("leak_tools", all_leak_tools(3))]:
    S["strict_release_then_" + name] = strict_finishing(call)
# not divisible: finalizers (types registered for good), a weak reference
# (until its referent dies), SAVEALL; the last step is the proof, as without
# strict stores
S["strict_finalizers"] = strict_prog(0, *ring(20, B), alloc(fin(FIN)), alloc(NODE1),
                                     link(B + 20, 0, B + 21), link(B + 21, 0, B + 20), decref(1),
                                     decref(1), alloc(fin(LEG)), link(B + 22, 0, B + 22),
                                     decref(1), inc_full(1), step(1), swap(3, 0, 7, 0), step(2),
                                     to_end(), release(True), collect(2))
S["strict_weakref_then_divisible"] = strict_prog(0, alloc(LEAF), weakref_s(B, True),
                                                 *ring(20, B, B + 2, held=2), inc_full(1), step(4),
                                                 to_end(), decref(1), *ring(40, B, B + 1),
                                                 inc_full(1), to_release(), weakref_s(5, False),
                                                 step(1), to_end(), collect(2))
# SAVEALL: the first ring goes to the garbage list, which RELEASE of the
# second ring (SAVEALL off again) sees cleared and released between slices
S["strict_saveall_toggle"] = strict_prog(0, *ring(30, B), saveall(), inc_full(1), step(1), to_end(),
                                         saveall(), *ring(40, B + 30), inc_full(1),
                                         to_release(), step(4), saveall(), step(1), saveall(),
                                         gclear(), step(1), release(False), collect(2))
# during RELEASE the harness drops a survivor the garbage also holds (and
# what that survivor holds): it dies by refcount when RELEASE releases the
# member's reference; a watched member, expect-freed checks between slices
S["strict_release_survivor_dies"] = strict_prog(0, alloc(NODE2), alloc(NODE1), link(B, 0, B + 1),
                                                decref(2), *ring(40, B + 2, held=2),
                                                link(B + 7, 1, B), link(B + 30, 1, B),
                                                watch(B + 20), watch(B), inc_full(1),
                                                to_release(), step(1), decref(1), expect_check(),
                                                step(1), expect_check(False), untrack(3),
                                                step(1), track(3), to_end(), expect_check(),
                                                collect(2))

# found by the fuzzer (minimized), kept as regression seeds
S["found_legacy_freed_by_garbage"] = prog(0, alloc(0x68), alloc(0x30), link(0, 2, 1), link(0, 0, 0))
S["found_weakref_order_in_cascade"] = bytes.fromhex(
    "bac80b0050031100000017096300039302749195bd3407fc000391018207570000000000780097039c5102"
    "b4b4b4b4b4b4b47251026e03099b016c0328b4b4b4")

def random_prog(rng, n, leak=False, first=None):
    out = [first if first is not None else rng.randrange(8) if leak else rng.randrange(2)]
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
        elif r < 0.82 and first is not None:
            out += rng.choice([policy(), objects(rng.randrange(4) - 1),
                               referrers(rng.randrange(256)), referents(rng.randrange(256))])
        elif r < 0.85 and leak:
            out += [LEAK, rng.randrange(256), rng.randrange(256), rng.randrange(256), rng.randrange(256)]
        else:
            out += [rng.randrange(256), rng.randrange(256), rng.randrange(256), rng.randrange(256)]
    out += collect(2)
    return bytes(out)

def random_inc_prog(rng, n):
    out = [SUS | INC | rng.randrange(8)] + [b for op in chain24() for b in op]
    for _ in range(n):
        r = rng.random()
        if r < 0.2:
            out += alloc(rng.choice([NODE1, NODE2, NODE4, FIN, FIN_RES, LEG, BOTH, LEAF, LEAF_FIN,
                                     LEAF_LEG, rng.randrange(256)]))
        elif r < 0.4:
            out += link(rng.randrange(256), rng.randrange(4), rng.randrange(256))
        elif r < 0.45:
            out += unlink(rng.randrange(256), rng.randrange(4))
        elif r < 0.57:
            out += decref(rng.randrange(256))
        elif r < 0.6:
            out += weakref(rng.randrange(256), rng.randrange(2))
        elif r < 0.75:
            out += [142, rng.randrange(256)]
        elif r < 0.83:
            out += swap(rng.randrange(256), rng.randrange(4), rng.randrange(256), rng.randrange(4))
        elif r < 0.86:
            out += collect(rng.randrange(3))
        else:
            out += [rng.randrange(256), rng.randrange(256), rng.randrange(256), rng.randrange(256)]
    out += collect(2)
    return bytes(out)

def random_strict_prog(rng, n, divisible):
    # divisible: plain types only, no weak reference, no SAVEALL (no filler
    # bytes, which could toggle it): the collections free in slices
    plain = [NODE1, NODE2, NODE4, LEAF, rng.randrange(128)]
    kinds = plain if divisible else plain + [fin(FIN), fin(FIN_RES), fin(LEG), fin(BOTH),
                                             fin(LEAF_FIN), fin(LEAF_LEG), rng.randrange(256)]
    out = [STRICT | rng.randrange(8)] + [b for op in chain24() for b in op]
    for _ in range(n):
        r = rng.random()
        if r < 0.22:
            out += alloc(rng.choice(kinds))
        elif r < 0.42:
            out += link(rng.randrange(256), rng.randrange(4), rng.randrange(256))
        elif r < 0.47:
            out += unlink(rng.randrange(256), rng.randrange(4))
        elif r < 0.6:
            out += decref(rng.randrange(256))
        elif r < 0.78:
            out += [142, rng.randrange(256)]
        elif r < 0.88:
            out += swap(rng.randrange(256), rng.randrange(4), rng.randrange(256), rng.randrange(4))
        elif r < 0.9:
            out += collect(rng.randrange(3))
        elif divisible:
            out += rng.choice([incref(rng.randrange(256)), objects(rng.randrange(4) - 1),
                               referrers(rng.randrange(256)), untrack(rng.randrange(256)),
                               track(rng.randrange(256))])
        elif r < 0.94:
            out += weakref_s(rng.randrange(256), rng.randrange(2))
        else:
            out += [rng.randrange(256), rng.randrange(256), rng.randrange(256), rng.randrange(256)]
    out += collect(2)
    return bytes(out)

def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(20250101)
    for i in range(20):
        S["random_%02d" % i] = random_prog(rng, 20 + 6 * i)
    rng = random.Random(20261130)
    for i in range(12):
        S["random_leak_%02d" % i] = random_prog(rng, 30 + 10 * i, leak=True)
    rng = random.Random(20261201)
    for i in range(16):
        S["random_suspects_%02d" % i] = random_prog(rng, 30 + 10 * i, leak=i % 2 == 1,
                                                    first=SUS | rng.randrange(8))
    rng = random.Random(20261130 + 13)
    for i in range(10):
        S["random_inc_%02d" % i] = random_inc_prog(rng, 30 + 12 * i)
    rng = random.Random(20261215)
    for i in range(12):
        S["random_strict_%02d" % i] = random_strict_prog(rng, 40 + 12 * i, divisible=i % 3 != 2)
    for name, data in sorted(S.items()):
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("wrote %d programs to %s" % (len(S), OUT))

if __name__ == "__main__":
    main()
