/*
** test_hostile.c -- user callbacks that break the rules or push at the
** edges of them: a traverse that reports a reference twice or misses one,
** a finalizer that increfs a dying neighbour or resurrects one, a destroy
** that touches a managed object it owns, and finalizers, weak reference
** callbacks and collection callbacks that collect, freeze, destroy objects
** or destroy the heap. Each either works as rcgc.h documents or is reported
** as the misuse it is (exact misuse counts); in every case the heap stays
** consistent (rcgc_check_heap), nothing live is freed, nothing is freed
** twice (ASan/valgrind), and teardown gets every block back.
*/
#include "testlib.h"

TL_DEFINE;

/* Teardown that expects a given number of misuse reports and survivors. */
static size_t want_misuse, want_alive;
static void hostile_setup(void) {
  tl_setup();
  want_misuse = want_alive = 0;
}
static void hostile_teardown(void) {
  size_t misuse = rcgc_misuse_count(tl.heap);
  size_t alive = rcgc_heap_destroy(tl.heap);
  tl.heap = NULL;
  cr_expect_eq(misuse, want_misuse, "misuse reports:\n%s", tl.sink.buf ? tl.sink.buf : "");
  cr_expect_eq(alive, want_alive, "alive at destroy:\n%s", tl.sink.buf ? tl.sink.buf : "");
  tl_teardown();
}
TestSuite(hostile, .init = hostile_setup, .fini = hostile_teardown);

/* ---------------------------------------------------------- bad traverse */
static int dup_on = 1;
/* Reports 'a' twice while dup_on. */
static int dup_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  tl_node *n = o;
  RCGC_VISIT(n->a, "a");
  if (dup_on)
    RCGC_VISIT(n->a, "a again");
  RCGC_VISIT(n->b, "b");
  return 0;
}
static const rcgc_type dup_type = {
    .name = "Dup", .size = sizeof(tl_node), .traverse = dup_traverse, .destroy = tl_count_destroy,
    .repr = tl_node_repr};
/* Never reports 'b' (a hidden strong reference). */
static int miss_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  tl_node *n = o;
  RCGC_VISIT(n->a, "a");
  return 0;
}
static const rcgc_type miss_type = {
    .name = "Miss", .size = sizeof(tl_node), .traverse = miss_traverse, .destroy = tl_count_destroy,
    .repr = tl_node_repr};

Test(hostile, traverse_reporting_twice_abandons_the_collection) {
  dup_on = 1;
  tl_node *x = rcgc_new(tl.heap, &dup_type), *y = tl_new("y");
  cr_assert_not_null(x);
  TL_LINK(x, a, y);
  TL_LINK(y, a, x);
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  cr_assert_eq(tl_destroyed, 0);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: misuse: refcount is too small: <Graph "), 1,
               "%s", tl.sink.buf);
  /* the invariant checker names the same violation, and only it */
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_check_heap(tl.heap), 1, "%s", tl.sink.buf);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: check: refcount is too small: <Graph "), 1);
  /* both objects intact; once traverse is honest the cycle is collected */
  cr_assert_eq(rcgc_refcount(x), 1);
  cr_assert_eq(rcgc_refcount(y), 1);
  cr_assert_eq(x->a, y);
  dup_on = 0;
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(tl_destroyed, 2);
  want_misuse = 1;
}

Test(hostile, traverse_reporting_twice_when_freed_by_refcount) {
  dup_on = 1;
  tl_node *x = rcgc_new(tl.heap, &dup_type), *y = tl_new("y");
  cr_assert_not_null(x);
  x->a = y; /* y's only reference */
  rcgc_decref(tl.heap, x);
  /* y is released once, the second report is refused: y freed once */
  cr_assert_eq(tl_destroyed, 2);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: misuse: refcount is too small: "), 1, "%s",
               tl.sink.buf);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  dup_on = 0;
  want_misuse = 1;
}

Test(hostile, traverse_missing_a_reference_keeps_the_object_alive) {
  tl_node *x = rcgc_new(tl.heap, &miss_type), *y = tl_new("y");
  cr_assert_not_null(x);
  TL_LINK(x, b, y); /* hidden */
  TL_LINK(y, a, x);
  rcgc_decref(tl.heap, y);
  /* y is referenced only by x's hidden field: the collector must treat it
  ** as held from outside, never free it */
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  cr_assert_eq(tl_destroyed, 0);
  cr_assert_str_eq(y->name, "y");
  cr_assert_eq(y->a, x);
  rcgc_decref(tl.heap, x);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  cr_assert_eq(tl_destroyed, 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  /* the leak shows at heap destroy: both reported, both destroyed once */
  tl_sink_reset(&tl.sink);
  size_t alive = rcgc_heap_destroy(tl.heap);
  tl.heap = tl_heap_new(0); /* a fresh heap for the teardown */
  cr_assert_eq(alive, 2);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: heap destroy: 2 objects still alive"), 1);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: leak: <"), 2, "%s", tl.sink.buf);
  cr_assert_eq(tl_destroyed, 2);
}

Test(hostile, traverse_missing_a_reference_when_freed_by_refcount) {
  tl_node *x = rcgc_new(tl.heap, &miss_type), *y = tl_new("y");
  cr_assert_not_null(x);
  x->b = y; /* hidden, never released by the library */
  rcgc_decref(tl.heap, x);
  cr_assert_eq(tl_destroyed, 1);
  cr_assert_eq(rcgc_refcount(y), 1);
  cr_assert_str_eq(y->name, "y");
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  want_alive = 1; /* y leaks, and heap destroy says so */
}

/* ---------------------------------------------------------- finalizers */
static tl_node *saved;
/* Resurrects its neighbour 'a' (a member of the same dying cycle). */
static void resurrect_neighbour(rcgc_heap *h, void *o) {
  tl_node *n = o;
  tl_finalized++;
  if (n->a != NULL && saved == NULL) {
    rcgc_incref(h, n->a);
    saved = n->a;
  }
}
static const rcgc_type res_type = {
    .name = "Res", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .finalize = resurrect_neighbour, .destroy = tl_count_destroy, .repr = tl_node_repr};

Test(hostile, finalizer_resurrecting_a_neighbour_in_a_cycle) {
  saved = NULL;
  tl_node *a = rcgc_new(tl.heap, &res_type), *b = rcgc_new(tl.heap, &res_type);
  TL_LINK(a, a, b);
  TL_LINK(b, a, a);
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0); /* resurrected: not counted */
  cr_assert_eq(tl_finalized, 2);
  cr_assert_eq(tl_destroyed, 0);
  cr_assert_not_null(saved);
  cr_assert(rcgc_is_finalized(a) && rcgc_is_finalized(b));
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, saved);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(tl_finalized, 2); /* at most once */
  cr_assert_eq(tl_destroyed, 2);
}

/* Increfs 'a', which is dying in the same refcount cascade. */
static void incref_neighbour(rcgc_heap *h, void *o) {
  tl_node *n = o;
  tl_finalized++;
  if (n->b != NULL)
    rcgc_incref(h, n->b);
}
static const rcgc_type incref_type = {
    .name = "IncrefNeighbour", .size = sizeof(tl_node), .finalize = incref_neighbour,
    .destroy = tl_count_destroy, .repr = tl_node_repr};

Test(hostile, finalizer_increfing_a_dead_neighbour_is_refused) {
  tl_node *p = tl_new("parent");
  tl_node *first = rcgc_new(tl.heap, &incref_type), *second = tl_new("second");
  first->b = second; /* borrowed, not owned */
  p->a = first;      /* released first and freed first (CPython's order), */
  p->b = second;     /* while second, released too, waits at refcount 0 */
  rcgc_decref(tl.heap, p);
  cr_assert_eq(tl_finalized, 1);
  cr_assert_eq(tl_destroyed, 3);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: misuse: incref of a dead object: <Graph "), 1,
               "%s", tl.sink.buf);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  want_misuse = 1;
}

/* Clears its own field during a collection, so a member of its garbage
** cycle dies by refcount in the middle of the collection. */
static void clear_field(rcgc_heap *h, void *o) {
  tl_node *n = o;
  tl_finalized++;
  rcgc_set(h, &n->a, NULL);
}
static const rcgc_type clear_type = {
    .name = "Clear", .size = sizeof(tl_node), .traverse = tl_node_traverse, .finalize = clear_field,
    .destroy = tl_count_destroy, .repr = tl_node_repr};

Test(hostile, finalizer_breaking_its_cycle_during_the_collection) {
  tl_node *a = rcgc_new(tl.heap, &clear_type), *b = rcgc_new(tl.heap, &clear_type);
  tl_node *c = tl_new("c");
  TL_LINK(a, a, b);
  TL_LINK(b, a, c);
  TL_LINK(c, a, a);
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  rcgc_decref(tl.heap, c);
  long r = rcgc_collect(tl.heap, 2);
  cr_assert(r >= 0 && r <= 3, "collect returned %ld", r);
  cr_assert_eq(tl_destroyed, 3);
  cr_assert_eq(tl_finalized, 2);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
}

/* ---------------------------------------------------------- destroy */
typedef struct owner {
  void *priv; /* a managed object owned privately (not reported) */
  int id;
} owner;
static void owner_destroy(rcgc_heap *h, void *o) {
  owner *w = o;
  tl_destroyed++;
  rcgc_incref(h, w->priv); /* touch it */
  rcgc_decref(h, w->priv);
  rcgc_decref(h, w->priv); /* and release it: allowed (rcgc.h, destroy) */
  w->priv = NULL;
}
static int owner_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  (void)o;
  (void)visit;
  (void)arg;
  return 0;
}
static const rcgc_type owner_type = {
    .name = "Owner", .size = sizeof(owner), .traverse = owner_traverse, .destroy = owner_destroy};

Test(hostile, destroy_touching_and_releasing_a_managed_object) {
  owner *w = rcgc_new(tl.heap, &owner_type);
  w->priv = rcgc_new(tl.heap, &tl_leaf_type);
  rcgc_decref(tl.heap, w);
  cr_assert_eq(tl_destroyed, 2);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
}

/* A cycle whose members privately own leaves and a tracked node. */
static int owner2_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  tl_node *n = o;
  RCGC_VISIT(n->a, "a");
  return 0;
}
static void owner2_destroy(rcgc_heap *h, void *o) {
  tl_node *n = o;
  tl_destroyed++;
  void *priv = n->b;
  n->b = NULL;
  rcgc_incref(h, priv);
  rcgc_decref(h, priv);
  rcgc_decref(h, priv);
}
static const rcgc_type owner2_type = {
    .name = "Owner2", .size = sizeof(tl_node), .traverse = owner2_traverse,
    .destroy = owner2_destroy, .repr = tl_node_repr};

Test(hostile, destroy_releasing_private_objects_during_a_collection) {
  tl_node *a = rcgc_new(tl.heap, &owner2_type), *b = rcgc_new(tl.heap, &owner2_type);
  TL_LINK(a, a, b);
  TL_LINK(b, a, a);
  a->b = rcgc_new(tl.heap, &tl_leaf_type);
  b->b = tl_new("private tracked"); /* tracked, held only privately */
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(tl_destroyed, 4);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
}

/* ---------------------------------------------------------- re-entrancy */
static long inner_collect = -99, inner_freeze = -99;
static void collecting_finalizer(rcgc_heap *h, void *o) {
  (void)o;
  tl_finalized++;
  inner_collect = rcgc_collect(h, 2);
  inner_freeze = rcgc_freeze(h);
}
static const rcgc_type collecting_type = {
    .name = "Collecting", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .finalize = collecting_finalizer, .destroy = tl_count_destroy, .repr = tl_node_repr};

Test(hostile, finalizer_collecting_and_freezing_during_a_collection) {
  tl_node *a = rcgc_new(tl.heap, &collecting_type);
  TL_LINK(a, a, a);
  rcgc_decref(tl.heap, a);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(inner_collect, 0);
  cr_assert_eq(inner_freeze, RCGC_EBUSY);
  cr_assert_eq(rcgc_get_freeze_count(tl.heap), 0);
  cr_assert_eq(tl_destroyed, 1);
}

Test(hostile, finalizer_collecting_while_freeing_by_refcount) {
  /* garbage cycle waiting to be found */
  tl_node *x = tl_new("x"), *y = tl_new("y");
  TL_LINK(x, a, y);
  TL_LINK(y, a, x);
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
  /* an object dying by refcount whose finalizer runs a full collection */
  tl_node *d = rcgc_new(tl.heap, &collecting_type);
  inner_collect = inner_freeze = -99;
  rcgc_decref(tl.heap, d);
  cr_assert_eq(inner_collect, 2);
  cr_assert_eq(inner_freeze, RCGC_OK); /* not a collection: allowed */
  cr_assert_eq(rcgc_unfreeze(tl.heap), RCGC_OK);
  cr_assert_eq(tl_destroyed, 3);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
}

static long cb_collect[2] = {-99, -99}, cb_freeze[2] = {-99, -99};
static tl_node *cb_victim;
static void hostile_callback(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info,
                             void *ud) {
  (void)info;
  (void)ud;
  cb_collect[phase] = rcgc_collect(h, 0);
  cb_freeze[phase] = rcgc_freeze(h);
  if (phase == RCGC_PHASE_STOP && cb_victim != NULL) {
    tl_node *v = cb_victim;
    cb_victim = NULL;
    rcgc_decref(h, v); /* destroy an object from the callback */
  }
}

Test(hostile, collection_callbacks_collecting_freezing_and_freeing) {
  cr_assert_eq(rcgc_callback_add(tl.heap, hostile_callback, NULL), RCGC_OK);
  tl_node *a = tl_new("a");
  TL_LINK(a, a, a);
  rcgc_decref(tl.heap, a);
  cb_victim = tl_new("victim");
  tl_node *kid = tl_new("kid");
  TL_LINK(cb_victim, a, kid);
  rcgc_decref(tl.heap, kid);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(cb_collect[RCGC_PHASE_START], 0);
  cr_assert_eq(cb_collect[RCGC_PHASE_STOP], 0);
  cr_assert_eq(cb_freeze[RCGC_PHASE_START], RCGC_EBUSY);
  cr_assert_eq(cb_freeze[RCGC_PHASE_STOP], RCGC_EBUSY);
  cr_assert_eq(tl_destroyed, 3);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  cr_assert_eq(rcgc_callback_remove(tl.heap, hostile_callback, NULL), RCGC_OK);
}

/* A weak reference callback that frees another object and collects. */
static tl_node *wr_victim;
static long wr_inner_collect = -99;
static void wr_cb(rcgc_heap *h, rcgc_weakref *wr, void *ud) {
  (void)wr;
  (void)ud;
  tl_node *v = wr_victim;
  wr_victim = NULL;
  rcgc_decref(h, v);
  wr_inner_collect = rcgc_collect(h, 2);
}

Test(hostile, weakref_callback_freeing_and_collecting) {
  tl_node *a = tl_new("a");
  TL_LINK(a, a, a);
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, a, wr_cb, NULL);
  cr_assert_not_null(wr);
  wr_victim = tl_new("victim");
  rcgc_decref(tl.heap, a);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(wr_inner_collect, 0);
  cr_assert_null(wr_victim);
  cr_assert_eq(tl_destroyed, 2);
  cr_assert_eq(rcgc_weakref_alive(wr), 0);
  rcgc_decref(tl.heap, wr);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
}

/* A finalizer that destroys its own heap: refused and reported. */
static long inner_destroy = 99;
static void destroying_finalizer(rcgc_heap *h, void *o) {
  (void)o;
  tl_finalized++;
  inner_destroy = rcgc_heap_destroy(h);
}
static const rcgc_type destroying_type = {
    .name = "Destroying", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .finalize = destroying_finalizer, .destroy = tl_count_destroy, .repr = tl_node_repr};

Test(hostile, finalizer_destroying_the_heap_is_refused) {
  tl_node *a = rcgc_new(tl.heap, &destroying_type);
  TL_LINK(a, a, a);
  rcgc_decref(tl.heap, a);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(inner_destroy, RCGC_EBUSY);
  cr_assert_eq(tl_destroyed, 1);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: misuse: heap destroyed from inside itself: "), 1,
               "%s", tl.sink.buf);
  tl_node *b = rcgc_new(tl.heap, &destroying_type); /* by refcount too */
  inner_destroy = 99;
  rcgc_decref(tl.heap, b);
  cr_assert_eq(inner_destroy, RCGC_EBUSY);
  cr_assert_eq(tl_destroyed, 2);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  want_misuse = 2;
}

/* Collecting from inside a traverse: refused with EBUSY and reported. */
static long traverse_collect = -99;
static int collecting_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  tl_node *n = o;
  if (traverse_collect == -99)
    traverse_collect = rcgc_collect(tl.heap, 0);
  RCGC_VISIT(n->a, "a");
  return 0;
}
static const rcgc_type ctrav_type = {
    .name = "CollectInTraverse", .size = sizeof(tl_node), .traverse = collecting_traverse,
    .destroy = tl_count_destroy, .repr = tl_node_repr};

Test(hostile, traverse_collecting_is_refused) {
  tl_node *a = rcgc_new(tl.heap, &ctrav_type);
  TL_LINK(a, a, a);
  rcgc_decref(tl.heap, a);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(traverse_collect, RCGC_EBUSY);
  cr_assert_eq(tl_destroyed, 1);
  want_misuse = 1;
}
