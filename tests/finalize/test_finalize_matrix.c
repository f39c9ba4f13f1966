/*
** test_finalize_matrix.c -- the matrix of CPython's
** Lib/test/test_finalization.py (PEP 442), ported case by case:
**
**   simple objects, self-cycles and cyclic chains (rings)
**   x  plain, resurrecting and suicidal (cycle-breaking) finalizers
**   +  legacy (Python 2 __del__ / tp_del) objects
**
** Each case asserts what the Python test asserts: every finalizer runs
** exactly once (by object id), the survivors are exactly the resurrectors,
** weak references end up dead; weak references without callback to a
** resurrected object stay alive and those with a callback are cleared
** (the 2025 order of gh-135552, as the current test_finalization.py
** asserts). Legacy objects: a non-cyclic one gets finalize and
** legacy_finalize (legacy again after each resurrection); a self-cycle goes
** to the garbage list with no finalizer run and its weak reference alive
** until the user breaks the cycle.
**
** One deliberate difference: CPython's non-GC objects cannot remember that
** their __del__ ran and run it again after a resurrection
** (test_non_gc_resurrect). Every rcgc object, tracked or not, has the
** FINALIZED flag in its header, so the finalizer runs once: the rcgc
** version of that case asserts exactly one call.
*/
#include "fin.h"

FIN_DEFINE;

TestSuite(finalization, .init = fin_setup, .fini = fin_teardown);

static void noop_callback(rcgc_heap *h, rcgc_weakref *wr, void *ud) {
  (void)h;
  (void)wr;
  (*(int *)ud)++;
}

#define ASSERT_DEL_CALLS(...)                                                 \
  do {                                                                        \
    int want_[] = {0, __VA_ARGS__};                                           \
    cr_assert(fin_same_ids(fl.del_ids, fl.ndel, want_ + 1,                    \
                           (int)(sizeof want_ / sizeof want_[0]) - 1),        \
              "del calls: got %d", fl.ndel);                                  \
  } while (0)
#define ASSERT_TP_DEL_CALLS(...)                                              \
  do {                                                                        \
    int want_[] = {0, __VA_ARGS__};                                           \
    cr_assert(fin_same_ids(fl.legacy_ids, fl.nlegacy, want_ + 1,              \
                           (int)(sizeof want_ / sizeof want_[0]) - 1),        \
              "tp_del calls: got %d", fl.nlegacy);                            \
  } while (0)

/* ------------------------------------------------ SimpleFinalizationTest */

Test(finalization, simple) {
  fobj *s = fin_new(&fin_type, 0);
  int id = s->id;
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, s, NULL, NULL);
  rcgc_decref(tl.heap, s);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  ASSERT_DEL_CALLS(id);
  cr_assert_eq(fl.nsurv, 0);
  cr_assert(wr_dead(wr));
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  ASSERT_DEL_CALLS(id);
  cr_assert_eq(fl.destroyed, 1);
  rcgc_decref(tl.heap, wr);
}

Test(finalization, simple_resurrect) {
  fobj *s = fin_new(&fin_type, FO_RESURRECT);
  int id = s->id;
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, s, NULL, NULL);
  rcgc_decref(tl.heap, s);
  rcgc_collect(tl.heap, 2);
  ASSERT_DEL_CALLS(id);
  cr_assert_eq(fl.nsurv, 1);
  cr_assert_eq(fl.survivors[0], s);
  cr_assert_not(wr_dead(wr));
  cr_assert(rcgc_is_finalized(s));
  fin_clear_survivors();
  rcgc_collect(tl.heap, 2);
  ASSERT_DEL_CALLS(id);
  cr_assert_eq(fl.nsurv, 0);
  cr_assert(wr_dead(wr));
  cr_assert_eq(fl.destroyed, 1);
  rcgc_decref(tl.heap, wr);
}

Test(finalization, non_gc) {
  fobj *s = fin_new(&fin_nongc_type, 0);
  cr_assert_not(rcgc_is_tracked(s));
  int id = s->id;
  rcgc_decref(tl.heap, s);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  ASSERT_DEL_CALLS(id);
  cr_assert_eq(fl.nsurv, 0);
  cr_assert_eq(fl.destroyed, 1);
}

/* CPython runs a non-GC object's __del__ again after resurrection (it has
** nowhere to store FINALIZED); rcgc objects always have the flag. */
Test(finalization, non_gc_resurrect_runs_finalizer_once) {
  fobj *s = fin_new(&fin_nongc_type, FO_RESURRECT);
  cr_assert_not(rcgc_is_tracked(s));
  int id = s->id;
  rcgc_decref(tl.heap, s);
  ASSERT_DEL_CALLS(id);
  cr_assert_eq(fl.nsurv, 1);
  cr_assert(rcgc_is_finalized(s));
  fin_clear_survivors(); /* second death: no finalizer, freed */
  ASSERT_DEL_CALLS(id);
  cr_assert_eq(fl.nsurv, 0);
  cr_assert_eq(fl.destroyed, 1);
}

/* --------------------------------------------- SelfCycleFinalizationTest */

Test(finalization, self_cycle_simple) {
  fobj *s = fin_new(&fin_type, FO_SELFREF);
  FIN_SET(s, left, s);
  int id = s->id;
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, s, NULL, NULL);
  rcgc_decref(tl.heap, s);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  ASSERT_DEL_CALLS(id);
  cr_assert_eq(fl.nsurv, 0);
  cr_assert(wr_dead(wr));
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  ASSERT_DEL_CALLS(id);
  cr_assert_eq(fl.destroyed, 1);
  rcgc_decref(tl.heap, wr);
}

Test(finalization, self_cycle_resurrect) {
  int calls = 0;
  fobj *s = fin_new(&fin_type, FO_SELFREF | FO_RESURRECT);
  FIN_SET(s, left, s);
  int id = s->id;
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, s, NULL, NULL);
  rcgc_weakref *wrc = rcgc_weakref_new(tl.heap, s, noop_callback, &calls);
  rcgc_decref(tl.heap, s);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0); /* resurrected: not counted */
  ASSERT_DEL_CALLS(id);
  cr_assert_eq(fl.nsurv, 1);
  /* cleared after the finalizers now (gh-135552), so it survives with s */
  cr_assert_not(wr_dead(wr));
  /* a weak reference with a callback is cleared before finalizers */
  cr_assert(wr_dead(wrc));
  cr_assert_eq(calls, 1);
  /* a second death: no finalizer, no resurrection */
  fin_clear_survivors();
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  ASSERT_DEL_CALLS(id);
  cr_assert_eq(fl.nsurv, 0);
  cr_assert(wr_dead(wr));
  cr_assert_eq(calls, 1);
  rcgc_decref(tl.heap, wr);
  rcgc_decref(tl.heap, wrc);
}

Test(finalization, self_cycle_suicide) {
  fobj *s = fin_new(&fin_type, FO_SELFREF | FO_SUICIDE);
  FIN_SET(s, left, s);
  int id = s->id;
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, s, NULL, NULL);
  rcgc_decref(tl.heap, s);
  /* the finalizer drops the last reference: s dies by refcount inside the
  ** collection and is not counted (CPython counts final_unreachable only) */
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  ASSERT_DEL_CALLS(id);
  cr_assert_eq(fl.nsurv, 0);
  cr_assert(wr_dead(wr));
  cr_assert_eq(fl.destroyed, 1);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  ASSERT_DEL_CALLS(id);
  rcgc_decref(tl.heap, wr);
}

/* -------------------------------------------- CycleChainFinalizationTest */

#define MAXN 8

typedef struct chain_spec {
  unsigned flags[MAXN];
  int n;
} chain_spec;

/* build_chain: nodes[i].left = nodes[i-1], nodes[i-1].right = nodes[i]. */
static void build_chain(const chain_spec *spec, fobj **nodes) {
  for (int i = 0; i < spec->n; i++)
    nodes[i] = fin_new(&fin_type, spec->flags[i] | FO_CHAIN);
  for (int i = 0; i < spec->n; i++) {
    fobj *left = nodes[(i + spec->n - 1) % spec->n];
    FIN_SET(nodes[i], left, left);
    FIN_SET(left, right, nodes[i]);
  }
}

static void check_non_resurrecting_chain(const chain_spec *spec) {
  fobj *nodes[MAXN];
  int ids[MAXN];
  rcgc_weakref *wrs[MAXN];
  build_chain(spec, nodes);
  for (int i = 0; i < spec->n; i++) {
    ids[i] = nodes[i]->id;
    wrs[i] = rcgc_weakref_new(tl.heap, nodes[i], NULL, NULL);
  }
  for (int i = 0; i < spec->n; i++)
    rcgc_decref(tl.heap, nodes[i]);
  rcgc_collect(tl.heap, 2);
  cr_assert(fin_same_ids(fl.del_ids, fl.ndel, ids, spec->n), "del calls %d", fl.ndel);
  cr_assert_eq(fl.nsurv, 0);
  for (int i = 0; i < spec->n; i++)
    cr_assert(wr_dead(wrs[i]), "weakref %d alive", i);
  cr_assert_eq(fl.destroyed, spec->n);
  rcgc_collect(tl.heap, 2);
  cr_assert(fin_same_ids(fl.del_ids, fl.ndel, ids, spec->n));
  cr_assert_eq(fl.errors, 0);
  for (int i = 0; i < spec->n; i++)
    rcgc_decref(tl.heap, wrs[i]);
}

static void check_resurrecting_chain(const chain_spec *spec) {
  fobj *nodes[MAXN];
  int ids[MAXN], calls = 0, nres = 0;
  void *resurrectors[MAXN];
  rcgc_weakref *wrs[MAXN], *wrcs[MAXN];
  build_chain(spec, nodes);
  for (int i = 0; i < spec->n; i++) {
    ids[i] = nodes[i]->id;
    if (spec->flags[i] & FO_RESURRECT)
      resurrectors[nres++] = nodes[i];
    wrs[i] = rcgc_weakref_new(tl.heap, nodes[i], NULL, NULL);
    wrcs[i] = rcgc_weakref_new(tl.heap, nodes[i], noop_callback, &calls);
  }
  for (int i = 0; i < spec->n; i++)
    rcgc_decref(tl.heap, nodes[i]);
  /* everything is resurrected (transitively): nothing counted */
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  cr_assert(fin_same_ids(fl.del_ids, fl.ndel, ids, spec->n), "del calls %d", fl.ndel);
  cr_assert_eq(fl.nsurv, nres);
  for (int i = 0; i < nres; i++) {
    int found = 0;
    for (int j = 0; j < fl.nsurv; j++)
      found |= fl.survivors[j] == resurrectors[i];
    cr_assert(found, "resurrector %d not among the survivors", i);
  }
  for (int i = 0; i < spec->n; i++) {
    /* these used to be None: weak references without callback are now
    ** cleared after the finalizers, and these objects survived */
    cr_assert_not(wr_dead(wrs[i]), "weakref %d dead", i);
    /* weak references with callbacks are still cleared before them */
    cr_assert(wr_dead(wrcs[i]), "weakref with callback %d alive", i);
  }
  cr_assert_eq(calls, spec->n);
  cr_assert_eq(fl.destroyed, 0);
  fin_clear_survivors();
  cr_assert_eq(rcgc_collect(tl.heap, 2), spec->n);
  cr_assert(fin_same_ids(fl.del_ids, fl.ndel, ids, spec->n));
  cr_assert_eq(fl.nsurv, 0);
  for (int i = 0; i < spec->n; i++)
    cr_assert(wr_dead(wrs[i]));
  cr_assert_eq(fl.destroyed, spec->n);
  cr_assert_eq(fl.errors, 0);
  for (int i = 0; i < spec->n; i++) {
    rcgc_decref(tl.heap, wrs[i]);
    rcgc_decref(tl.heap, wrcs[i]);
  }
}

#define S 0u            /* SimpleChained */
#define R FO_RESURRECT  /* ChainedResurrector */
#define K FO_SUICIDE    /* SuicidalChained */

Test(finalization, chain_homogenous) {
  chain_spec c = {{S, S, S}, 3};
  check_non_resurrecting_chain(&c);
}
Test(finalization, chain_homogenous_resurrect) {
  chain_spec c = {{R, R, R}, 3};
  check_resurrecting_chain(&c);
}
Test(finalization, chain_homogenous_suicidal) {
  chain_spec c = {{K, K, K}, 3};
  check_non_resurrecting_chain(&c);
}
Test(finalization, chain_heterogenous_suicidal_one) {
  chain_spec c = {{K, S, K, S}, 4};
  check_non_resurrecting_chain(&c);
}
Test(finalization, chain_heterogenous_suicidal_two) {
  chain_spec c = {{K, K, S, S}, 4};
  check_non_resurrecting_chain(&c);
}
Test(finalization, chain_heterogenous_resurrect_one) {
  chain_spec c = {{R, S, R, S}, 4};
  check_resurrecting_chain(&c);
}
Test(finalization, chain_heterogenous_resurrect_two) {
  chain_spec c = {{R, S, K, R, S, K}, 6};
  check_resurrecting_chain(&c);
}
Test(finalization, chain_heterogenous_resurrect_three) {
  chain_spec c = {{R, R, S, S, K, K}, 6};
  check_resurrecting_chain(&c);
}

/* ------------------------------------------------ LegacyFinalizationTest */

Test(finalization, legacy) {
  fobj *s = fin_new(&fin_legacy_type, 0);
  int id = s->id;
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, s, NULL, NULL);
  rcgc_decref(tl.heap, s);
  rcgc_collect(tl.heap, 2);
  ASSERT_DEL_CALLS(id);
  ASSERT_TP_DEL_CALLS(id);
  cr_assert_eq(fl.nsurv, 0);
  cr_assert(wr_dead(wr));
  rcgc_collect(tl.heap, 2);
  ASSERT_DEL_CALLS(id);
  ASSERT_TP_DEL_CALLS(id);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 0);
  cr_assert_eq(fl.destroyed, 1);
  rcgc_decref(tl.heap, wr);
}

Test(finalization, legacy_resurrect) {
  fobj *s = fin_new(&fin_legacy_type, FO_RESURRECT);
  int id = s->id;
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, s, NULL, NULL);
  rcgc_decref(tl.heap, s);
  rcgc_collect(tl.heap, 2);
  ASSERT_DEL_CALLS(id);
  ASSERT_TP_DEL_CALLS(id);
  cr_assert_eq(fl.nsurv, 1);
  /* weak references are cleared before the legacy finalizer runs */
  cr_assert(wr_dead(wr));
  fin_clear_survivors();
  rcgc_collect(tl.heap, 2);
  ASSERT_DEL_CALLS(id);          /* the modern one never again */
  ASSERT_TP_DEL_CALLS(id, id);   /* the legacy one at every death */
  cr_assert_eq(fl.nsurv, 1);     /* ... and it resurrected again */
  cr_assert_eq(fl.destroyed, 0);
  fl.cleaning = 1;
  fin_clear_survivors();
  cr_assert_eq(fl.destroyed, 1);
  cr_assert(wr_dead(wr));
  rcgc_decref(tl.heap, wr);
}

Test(finalization, legacy_self_cycle) {
  fobj *s = fin_new(&fin_legacy_type, FO_SELFREF);
  FIN_SET(s, left, s);
  int id = s->id;
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, s, NULL, NULL);
  rcgc_decref(tl.heap, s);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1); /* 1 uncollectable */
  cr_assert_eq(fl.ndel, 0);
  cr_assert_eq(fl.nlegacy, 0);
  cr_assert_eq(fl.nsurv, 0);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 1);
  cr_assert_eq(rcgc_garbage_get(tl.heap, 0), s);
  cr_assert_not(wr_dead(wr));
  /* break the cycle; emptying the garbage list then frees it by refcount,
  ** running both finalizers once */
  fobj *g = rcgc_garbage_get(tl.heap, 0);
  FIN_SET(g, left, NULL);
  cr_assert_eq(fl.destroyed, 0);
  g->flags &= ~(unsigned)FO_SELFREF; /* it no longer points at itself */
  cr_assert_eq(rcgc_garbage_clear(tl.heap), 1);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 0);
  ASSERT_DEL_CALLS(id);
  ASSERT_TP_DEL_CALLS(id);
  cr_assert_eq(fl.destroyed, 1);
  cr_assert(wr_dead(wr));
  rcgc_decref(tl.heap, wr);
}
