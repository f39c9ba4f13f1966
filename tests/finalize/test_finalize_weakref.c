/*
** test_finalize_weakref.c -- weak references, the garbage list and heap
** destroy, beyond the CPython ports of test_finalize_gc.c:
**
**  - weak references: a referent freed by refcount fires its callbacks at
**    once; in a collection, callbacks run before finalizers and see the
**    referent gone, while weak references without callback stay readable
**    during the finalizers and are dead afterwards (gh-135552); weak
**    references that are garbage themselves never fire;
**  - the workflow of a Python 2 programmer who finds a __del__ cycle in
**    gc.garbage, step by step (legacy cycle -> garbage list ->
**    break it by hand -> clear -> collect), and the same cleanup done by a
**    modern finalizer;
**  - rcgc_garbage_release (emptying the garbage list *and* letting the
**    collector reclaim what it held) with and without
**    RCGC_RELEASE_LEGACY, with the exact number of objects freed;
**  - heap destroy policies: which finalizers run, and the leak report line
**    naming why each object was still alive.
*/
#include "fin.h"

FIN_DEFINE;

TestSuite(weakref_garbage, .init = fin_setup, .fini = fin_teardown);

/* ----------------------------------------------------------- weak refs */

static int cb_calls, cb_saw_alive;
static long cb_destroyed_at_call;
static void record_callback(rcgc_heap *h, rcgc_weakref *wr, void *ud) {
  (void)ud;
  cb_calls++;
  void *o = rcgc_weakref_get(h, wr);
  if (o != NULL) {
    cb_saw_alive++;
    rcgc_decref(h, o);
  }
  cb_destroyed_at_call = fl.destroyed;
}

Test(weakref_garbage, refcount_death_fires_at_once) {
  cb_calls = cb_saw_alive = 0;
  fobj *o = fin_new(&fin_plain_type, 0);
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, o, record_callback, NULL);
  rcgc_weakref *wr2 = rcgc_weakref_new(tl.heap, o, NULL, NULL);
  cr_assert_eq(rcgc_weakref_count(tl.heap, o), 2);
  void *got = rcgc_weakref_get(tl.heap, wr);
  cr_assert_eq(got, o);
  cr_assert_eq(rcgc_refcount(o), 2);
  rcgc_decref(tl.heap, got);
  cr_assert(rcgc_weakref_alive(wr));
  rcgc_decref(tl.heap, o);
  /* fired before rcgc_decref returned, no collection needed */
  cr_assert_eq(cb_calls, 1);
  cr_assert_eq(cb_saw_alive, 0);
  cr_assert_eq(cb_destroyed_at_call, 0, "callback runs before the referent's memory goes");
  cr_assert_eq(fl.destroyed, 1);
  cr_assert_not(rcgc_weakref_alive(wr));
  cr_assert_not(rcgc_weakref_alive(wr2));
  cr_assert_null(rcgc_weakref_get(tl.heap, wr2));
  rcgc_decref(tl.heap, wr);
  rcgc_decref(tl.heap, wr2);
}

/* gh-135552: A <-> B garbage. wr_b has no callback, wrc_b has one. */
static rcgc_weakref *g_wr_b, *g_wrc_b;
static int fin_saw_b_alive, fin_saw_b_intact, fin_saw_wrc_dead, fin_calls, cb_before_fin;
static void reading_finalize(rcgc_heap *h, void *o) {
  fobj *a = o;
  fin_calls++;
  cb_before_fin = cb_calls;
  fobj *b = rcgc_weakref_get(h, g_wr_b);
  if (b != NULL) {
    fin_saw_b_alive = 1;
    fin_saw_b_intact = b->left == a && b->name != NULL && strcmp(b->name, "B") == 0;
    rcgc_decref(h, b);
  }
  fin_saw_wrc_dead = !rcgc_weakref_alive(g_wrc_b);
}
static const rcgc_type reading_type = {
    .name = "A", .size = sizeof(fobj), .traverse = fobj_traverse, .finalize = reading_finalize,
    .destroy = fobj_destroy, .repr = fobj_repr};

Test(weakref_garbage, weakref_without_callback_readable_during_finalizers) {
  cb_calls = fin_calls = 0;
  fin_saw_b_alive = fin_saw_b_intact = fin_saw_wrc_dead = 0;
  fobj *a = rcgc_new(tl.heap, &reading_type);
  fobj *b = fin_new(&fin_plain_type, 0);
  b->name = "B";
  FIN_SET(a, left, b);
  FIN_SET(b, left, a);
  g_wr_b = rcgc_weakref_new(tl.heap, b, NULL, NULL);
  g_wrc_b = rcgc_weakref_new(tl.heap, b, record_callback, NULL);
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(fin_calls, 1);
  cr_assert_eq(cb_calls, 1);
  cr_assert_eq(cb_before_fin, 1, "callbacks run before finalizers");
  cr_assert_eq(cb_saw_alive, 0, "a callback sees its referent already gone");
  cr_assert(fin_saw_b_alive, "weakref without callback cleared before finalizers");
  cr_assert(fin_saw_b_intact);
  cr_assert(fin_saw_wrc_dead);
  cr_assert(wr_dead(g_wr_b), "weakref without callback must be dead afterwards");
  cr_assert_eq(fl.destroyed, 2);
  rcgc_decref(tl.heap, g_wr_b);
  rcgc_decref(tl.heap, g_wrc_b);
}

Test(weakref_garbage, garbage_weakrefs_never_fire) {
  cb_calls = 0;
  fobj *a = fin_new(&fin_plain_type, 0);
  FIN_SET(a, left, a);
  fobj *b = fin_new(&fin_plain_type, 0); /* referent in the same trash */
  FIN_SET(a, right, b);
  rcgc_weakref *w = rcgc_weakref_new(tl.heap, b, record_callback, NULL);
  a->extra = w; /* the weak reference is part of the trash */
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 3);
  cr_assert_eq(cb_calls, 0);
  cr_assert_eq(fl.destroyed, 2);
  /* the same weak reference held from outside does fire */
  a = fin_new(&fin_plain_type, 0);
  FIN_SET(a, left, a);
  w = rcgc_weakref_new(tl.heap, a, record_callback, NULL);
  rcgc_decref(tl.heap, a);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(cb_calls, 1);
  rcgc_decref(tl.heap, w);
}

/* A callback may drop the last reference to its own weak reference; CPython
** counts such a weak reference as collected. */
static void dropping_callback(rcgc_heap *h, rcgc_weakref *wr, void *ud) {
  (void)ud;
  cb_calls++;
  rcgc_decref(h, wr);
}
Test(weakref_garbage, callback_frees_its_weakref) {
  cb_calls = 0;
  fobj *a = fin_new(&fin_plain_type, 0);
  FIN_SET(a, left, a);
  rcgc_weakref_new(tl.heap, a, dropping_callback, NULL); /* owned by the callback */
  rcgc_decref(tl.heap, a);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(cb_calls, 1);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
}

/* ------------------------------------------------- a __del__ cycle, by hand */

Test(weakref_garbage, del_cycle_workflow) {
  /* --- Test without Cycle --- */
  fobj *with_del = fin_new(&fin_tpdel_type, 0), *b = fin_new(&fin_plain_type, 0);
  rcgc_decref(tl.heap, with_del);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 0);
  cr_assert_eq(fl.nlegacy, 1, "a legacy finalizer runs when not in a cycle");
  /* --- Test with Cycle --- */
  b = fin_new(&fin_plain_type, 0);
  with_del = fin_new(&fin_tpdel_type, 0);
  FIN_SET(b, left, with_del);
  FIN_SET(with_del, left, b);
  rcgc_decref(tl.heap, with_del);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2); /* both uncollectable */
  cr_assert_eq(rcgc_garbage_count(tl.heap), 1);
  cr_assert_eq(rcgc_garbage_get(tl.heap, 0), with_del);
  cr_assert_eq(fl.nlegacy, 1);
  /* gc.garbage[0].cycle = 0: b dies at once, with_del held by the list */
  fobj *g = rcgc_garbage_get(tl.heap, 0);
  FIN_SET(g, left, NULL);
  cr_assert_eq(fl.destroyed, 3);
  /* gc.garbage = [] */
  cr_assert_eq(rcgc_garbage_clear(tl.heap), 1);
  cr_assert_eq(fl.nlegacy, 2);
  cr_assert_eq(fl.destroyed, 4);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 0);
  /* --- Test cycle with proper cleanup --- as a legacy finalizer the
  ** cleanup never runs (the collector does not call it in a cycle): */
  b = fin_new(&fin_plain_type, 0);
  with_del = fin_new(&fin_tpdel_type, 0);
  FIN_SET(b, left, with_del);
  FIN_SET(with_del, left, b);
  rcgc_decref(tl.heap, with_del);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 1);
  cr_assert_eq(fl.nlegacy, 2);
  /* ... until released with its legacy finalizer (rcgc_garbage_release) */
  cr_assert_eq(rcgc_garbage_release(tl.heap, RCGC_RELEASE_LEGACY), 2);
  cr_assert_eq(fl.nlegacy, 3);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 0);
  /* as a modern finalizer (PEP 442), what the seed expects: 0 */
  b = fin_new(&fin_plain_type, 0);
  with_del = fin_new(&fin_type, FO_SUICIDE);
  FIN_SET(b, left, with_del);
  FIN_SET(with_del, left, b);
  rcgc_decref(tl.heap, with_del);
  rcgc_decref(tl.heap, b);
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 0);
  cr_assert_eq(fl.ndel, 1);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
}

/* -------------------------------------------------- rcgc_garbage_release */

Test(weakref_garbage, garbage_release_without_legacy) {
  /* two plain cycles saved by SAVEALL, one legacy self-cycle */
  rcgc_set_debug(tl.heap, RCGC_DEBUG_SAVEALL);
  fobj *p1 = fin_new(&fin_plain_type, 0), *p2 = fin_new(&fin_plain_type, 0);
  FIN_SET(p1, left, p2);
  FIN_SET(p2, left, p1);
  fobj *m = fin_new(&fin_type, 0);
  FIN_SET(m, left, m);
  fobj *leg = fin_new(&fin_tpdel_type, 0);
  FIN_SET(leg, left, leg);
  rcgc_decref(tl.heap, p1);
  rcgc_decref(tl.heap, p2);
  rcgc_decref(tl.heap, m);
  rcgc_decref(tl.heap, leg);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 4);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 4);
  cr_assert_eq(fl.ndel, 1);
  rcgc_set_debug(tl.heap, 0);
  /* the collectable part is freed; the legacy cycle comes back */
  cr_assert_eq(rcgc_garbage_release(tl.heap, 0), 3);
  cr_assert_eq(fl.destroyed, 3);
  cr_assert_eq(fl.ndel, 1, "finalizers run once, not again at release");
  cr_assert_eq(rcgc_garbage_count(tl.heap), 1);
  cr_assert_eq(rcgc_garbage_get(tl.heap, 0), leg);
  cr_assert_eq(fl.nlegacy, 0);
  /* again: nothing more can be freed */
  cr_assert_eq(rcgc_garbage_release(tl.heap, 0), 0);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 1);
  /* with RCGC_RELEASE_LEGACY: its legacy finalizer runs once, then freed */
  cr_assert_eq(rcgc_garbage_release(tl.heap, RCGC_RELEASE_LEGACY), 1);
  cr_assert_eq(fl.nlegacy, 1);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 0);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_garbage_release(tl.heap, 3), RCGC_EINVAL);
}

/* A legacy pair holding a plain subgraph (a gc.garbage report's usual
** shape); everything
** reachable from the legacy objects stays until released. */
Test(weakref_garbage, garbage_release_legacy_frees_everything_reachable) {
  fobj *l1 = fin_new(&fin_tpdel_type, FO_CHAIN), *l2 = fin_new(&fin_tpdel_type, FO_CHAIN);
  FIN_SET(l1, left, l2);
  FIN_SET(l1, right, l2);
  FIN_SET(l2, left, l1);
  FIN_SET(l2, right, l1);
  fobj *kid = fin_new(&fin_plain_type, 0), *grandkid = fin_new(&fin_type, 0);
  FIN_SET(l1, extra, kid);
  FIN_SET(kid, left, grandkid);
  rcgc_decref(tl.heap, l1);
  rcgc_decref(tl.heap, l2);
  rcgc_decref(tl.heap, kid);
  rcgc_decref(tl.heap, grandkid);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 4); /* all 4 uncollectable */
  cr_assert_eq(rcgc_garbage_count(tl.heap), 2);
  cr_assert_eq(fl.ndel, 0, "nothing reachable from a legacy object is finalized");
  cr_assert_eq(rcgc_garbage_release(tl.heap, RCGC_RELEASE_LEGACY), 4);
  cr_assert_eq(fl.nlegacy, 2);
  cr_assert_eq(fl.ndel, 1);
  cr_assert_eq(fl.errors, 0, "legacy finalizers must see the cycle intact");
  cr_assert_eq(rcgc_garbage_count(tl.heap), 0);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
}

/* BUG (obj.c finish_zero): with RCGC_RELEASE_LEGACY the legacy finalizer
** must run once. When it breaks its own cycle (a class whose __del__
** cleans up its own references), the object then dies by refcount inside the release
** collection and finish_zero runs the legacy finalizer a second time: it
** does not check TI_LEGACY_RAN. */
Test(weakref_garbage, release_legacy_runs_cleanup_finalizer_once) {
  fobj *b = fin_new(&fin_plain_type, 0);
  fobj *with_del = fin_new(&fin_tpdel_type, FO_SUICIDE);
  FIN_SET(b, left, with_del);
  FIN_SET(with_del, left, b);
  rcgc_decref(tl.heap, with_del);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(fl.nlegacy, 0);
  cr_assert_eq(rcgc_garbage_release(tl.heap, RCGC_RELEASE_LEGACY), 2);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(fl.nlegacy, 1, "legacy finalizer ran %d times", fl.nlegacy);
}

/* Under DEBUG_SAVEALL, rcgc_garbage_release must still ignore SAVEALL for
** the released entries: only the legacy object may come back, not what it
** merely reaches (rcgc.h: "objects that are still uncollectable (legacy
** finalizer in a cycle ...) go back to the list"). */
Test(weakref_garbage, garbage_release_ignores_saveall) {
  rcgc_set_debug(tl.heap, RCGC_DEBUG_SAVEALL);
  fobj *leg = fin_new(&fin_tpdel_type, 0), *kid = fin_new(&fin_plain_type, 0);
  FIN_SET(leg, left, leg);
  FIN_SET(leg, right, kid);
  rcgc_decref(tl.heap, leg);
  rcgc_decref(tl.heap, kid);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 2); /* SAVEALL: both listed */
  cr_assert_eq(rcgc_garbage_release(tl.heap, 0), 0);
  size_t n = rcgc_garbage_count(tl.heap);
  void *first = rcgc_garbage_get(tl.heap, 0);
  rcgc_set_debug(tl.heap, 0);
  rcgc_garbage_release(tl.heap, RCGC_RELEASE_LEGACY);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(n, 1, "release under SAVEALL put %zu entries back (want only the legacy one)", n);
  cr_assert_eq(first, leg);
}

/* ------------------------------------------------------- heap destroy */

static rcgc_heap *policy_heap(rcgc_destroy_policy p) {
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.alloc = tl_alloc_fn;
  cfg.alloc_ud = &tl.alloc;
  cfg.write = tl_sink_write;
  cfg.write_ud = &tl.sink;
  cfg.destroy_policy = p;
  return rcgc_heap_new(&cfg);
}

/* Three objects alive at destroy: 'held' (both finalizers, referenced from
** C), a legacy self-cycle in the garbage list, and an object resurrected by
** its modern finalizer. Returns the expected report. */
typedef struct destroy_case {
  fobj *held, *leg, *laz;
} destroy_case;

static destroy_case build_destroy_case(void) {
  destroy_case d;
  rcgc_disable(tl.heap);
  d.held = fin_new(&fin_legacy_type, 0);
  d.held->name = "held";
  d.leg = fin_new(&fin_tpdel_type, 0);
  d.leg->name = "uncollectable";
  FIN_SET(d.leg, left, d.leg);
  rcgc_decref(tl.heap, d.leg);
  d.laz = fin_new(&fin_type, FO_RESURRECT);
  d.laz->name = "lazarus";
  rcgc_decref(tl.heap, d.laz);
  cr_assert_eq(fl.nsurv, 1);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 1);
  /* the survivors array is C memory: its reference is "outside" */
  fl.ndel = fl.nlegacy = 0;
  return d;
}

static void destroy_and_check(destroy_case d, int want_del, int want_legacy) {
  tl_sink_reset(&tl.sink);
  size_t alive = rcgc_heap_destroy(tl.heap);
  tl.heap = NULL;
  cr_assert_eq(alive, 3);
  char expect[1024];
  snprintf(expect, sizeof expect,
           "rcgc: heap destroy: 3 objects still alive\n"
           "rcgc: leak: <Legacy %p> refcount 1 held [held from outside the heap]\n"
           "rcgc: leak: <Fin %p> refcount 1 lazarus [resurrected by its finalizer]\n"
           "rcgc: leak: <Uncollectable %p> refcount 2 uncollectable [uncollectable: legacy "
           "finalizer in a reference cycle]\n",
           (void *)d.held, (void *)d.laz, (void *)d.leg);
  cr_assert_str_eq(tl.sink.buf, expect);
  cr_assert_eq(fl.ndel, want_del);
  cr_assert_eq(fl.nlegacy, want_legacy);
  cr_assert_eq(fl.destroyed, 3, "every destroy function runs whatever the policy");
  fl.nsurv = 0; /* their memory is gone with the heap */
}

Test(weakref_garbage, destroy_policy_finalize) {
  rcgc_heap_destroy(tl.heap);
  tl.heap = policy_heap(RCGC_DESTROY_FINALIZE);
  destroy_case d = build_destroy_case();
  int held_id = d.held->id;
  destroy_and_check(d, 1, 0); /* held's modern finalizer; no legacy one */
  cr_assert_eq(fl.del_ids[0], held_id);
}

Test(weakref_garbage, destroy_policy_finalize_all) {
  rcgc_heap_destroy(tl.heap);
  tl.heap = policy_heap(RCGC_DESTROY_FINALIZE_ALL);
  destroy_case d = build_destroy_case();
  destroy_and_check(d, 1, 2); /* + legacy finalizers of held and leg */
}

Test(weakref_garbage, destroy_policy_no_finalize) {
  rcgc_heap_destroy(tl.heap);
  tl.heap = policy_heap(RCGC_DESTROY_NO_FINALIZE);
  destroy_case d = build_destroy_case();
  destroy_and_check(d, 0, 0);
}

Test(weakref_garbage, destroy_clean_heap_reports_nothing) {
  fobj *a = fin_new(&fin_type, 0);
  FIN_SET(a, left, a);
  rcgc_decref(tl.heap, a);
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_heap_destroy(tl.heap), 0);
  tl.heap = NULL;
  cr_assert_eq(tl.sink.len, 0);
  cr_assert_eq(fl.ndel, 1); /* collected by destroy's final collection */
  cr_assert_eq(fl.destroyed, 1);
}

/* gh-91636 (test_function_tp_clear_leaves_consistent_state): a finalizer
** takes a weak reference, with a callback, to another member of its own
** garbage cycle. The new weak reference must be cleared with the garbage
** and its callback never run on a half-freed object: CPython drops that
** callback; rcgc calls it once the whole garbage is freed (the referent is
** gone, nothing half-freed is left to see), so it is not lost. */
static rcgc_weakref *late_wr;
static void late_weakref_finalize(rcgc_heap *h, void *o) {
  fobj *a = o;
  fl.ndel++;
  late_wr = rcgc_weakref_new(h, a->left, record_callback, NULL);
}
static const rcgc_type late_type = {
    .name = "Late", .size = sizeof(fobj), .traverse = fobj_traverse,
    .finalize = late_weakref_finalize, .destroy = fobj_destroy, .repr = fobj_repr};

Test(weakref_garbage, weakref_created_by_finalizer_to_garbage) {
  cb_calls = cb_saw_alive = 0;
  late_wr = NULL;
  fobj *a = rcgc_new(tl.heap, &late_type), *b = fin_new(&fin_plain_type, 0);
  FIN_SET(a, left, b);
  FIN_SET(b, left, a);
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(fl.ndel, 1);
  cr_assert_not_null(late_wr);
  cr_assert_eq(cb_calls, 1);
  cr_assert_eq(cb_saw_alive, 0);
  cr_assert_eq(cb_destroyed_at_call, 2, "called after both members were freed");
  cr_assert(wr_dead(late_wr));
  cr_assert_eq(fl.destroyed, 2);
  rcgc_decref(tl.heap, late_wr);
}

/* BUG (obj.c rcgc_repr): rcgc.h says rcgc_repr writes "the type's repr of
** 'obj'" and falls back to "<Type 0x...>" only without a repr function; it
** always returns the fallback (it calls rcgc__describe only). */
Test(weakref_garbage, repr_uses_the_type_repr) {
  fobj *f = fin_new(&fin_plain_type, 0);
  f->name = "Graph(one)";
  char buf[64];
  int n = rcgc_repr(tl.heap, f, buf, sizeof buf);
  rcgc_decref(tl.heap, f);
  cr_assert_str_eq(buf, "Graph(one)");
  cr_assert_eq(n, 10);
}
