/*
** test_fault.c -- allocation failure injection. Each scenario runs once per
** fault point N = 1, 2, 3, ... with the Nth call of the allocator hook
** failing (tl_alloc.fail_at), on a RCGC_CONFIG_NO_POOL heap so that every
** object allocation reaches the hook, until a run finishes without reaching
** its Nth allocation. For every N: the failure is reported (a NULL, an error
** code, or for the garbage list the documented sink line), the heap stays
** consistent (rcgc_check_heap == 0) and usable (allocation and collection
** work once the failure is lifted), exact object counts hold, and after
** rcgc_heap_destroy every block is back (nothing leaks; ASan/valgrind see
** nothing freed twice). The total number of fault points is logged.
*/
#include "testlib.h"

TL_DEFINE;

typedef struct run {
  rcgc_heap *heap;
  long failures; /* failures reported to the scenario by return values */
  long created;  /* managed objects created */
} run;

#define FAILED(r) ((r)->failures++)

static long wr_fired;
static void on_dead(rcgc_heap *h, rcgc_weakref *wr, void *ud) {
  (void)h;
  (void)wr;
  (void)ud;
  wr_fired++;
}

static tl_node *node(run *r) {
  tl_node *n = rcgc_new(r->heap, &tl_node_type);
  if (n == NULL)
    FAILED(r);
  else
    r->created++;
  return n;
}

/* ---------------------------------------------------------- scenarios */
/* A cyclic graph: a ring of 40 with chords, dropped and collected. */
static void sc_cyclic_graph(run *r) {
  enum { N = 40 };
  tl_node *ns[N];
  for (int i = 0; i < N; i++)
    ns[i] = node(r);
  for (int i = 0; i < N; i++) {
    if (ns[i] && ns[(i + 1) % N])
      TL_LINK(ns[i], a, ns[(i + 1) % N]);
    if (ns[i] && ns[(i * 7) % N])
      TL_LINK(ns[i], b, ns[(i * 7) % N]);
  }
  for (int i = 0; i < N; i++)
    rcgc_decref(r->heap, ns[i]);
  long got = rcgc_collect(r->heap, 2);
  cr_assert_geq(got, 0);
  cr_assert_eq(rcgc_heap_object_count(r->heap), 0);
  cr_assert_eq(tl_destroyed, r->created);
}

/* Cycles with weak references (half with callbacks), collected under
** DEBUG_SAVEALL into the garbage list, then cleared and collected. */
static void sc_weakrefs_saveall(run *r) {
  enum { N = 24 };
  tl_node *ns[N];
  rcgc_weakref *ws[N];
  long with_cb = 0;
  for (int i = 0; i < N; i++)
    ns[i] = node(r);
  for (int i = 0; i < N; i++) {
    ws[i] = NULL;
    if (ns[i] == NULL)
      continue;
    TL_LINK(ns[i], a, ns[i ^ 1] ? ns[i ^ 1] : ns[i]);
    ws[i] = rcgc_weakref_new(r->heap, ns[i], (i & 1) ? on_dead : NULL, NULL);
    if (ws[i] == NULL)
      FAILED(r);
    else
      with_cb += i & 1;
  }
  rcgc_set_debug(r->heap, RCGC_DEBUG_SAVEALL);
  for (int i = 0; i < N; i++)
    rcgc_decref(r->heap, ns[i]);
  cr_assert_geq(rcgc_collect(r->heap, 2), 0);
  cr_assert_eq(tl_destroyed, 0); /* saved, or kept when the list could not grow */
  rcgc_set_debug(r->heap, 0);
  rcgc_garbage_clear(r->heap);
  cr_assert_geq(rcgc_collect(r->heap, 2), 0);
  cr_assert_eq(tl_destroyed, r->created);
  cr_assert_eq(wr_fired, with_cb);
  for (int i = 0; i < N; i++)
    if (ws[i] != NULL) {
      cr_assert_eq(rcgc_weakref_alive(ws[i]), 0);
      rcgc_decref(r->heap, ws[i]);
    }
  cr_assert_eq(rcgc_heap_object_count(r->heap), 0);
}

/* Legacy finalizers in cycles: the garbage list, then release(LEGACY). */
static const rcgc_type legacy_type = {
    .name = "Legacy", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .legacy_finalize = tl_count_legacy, .destroy = tl_count_destroy, .repr = tl_node_repr};
static void sc_legacy_garbage(run *r) {
  enum { N = 20 };
  long made = 0;
  for (int i = 0; i < N; i++) {
    tl_node *a = rcgc_new(r->heap, &legacy_type);
    if (a == NULL) {
      FAILED(r);
      continue;
    }
    made++;
    TL_LINK(a, a, a);
    rcgc_decref(r->heap, a);
  }
  r->created = made;
  long got = rcgc_collect(r->heap, 2);
  cr_assert_eq(got, made);
  size_t listed = rcgc_garbage_count(r->heap);
  cr_assert_leq((long)listed, made);
  long freed = rcgc_garbage_release(r->heap, RCGC_RELEASE_LEGACY);
  cr_assert_geq(freed, 0);
  /* entries that never made it into the list stay uncollectable until the
  ** heap is destroyed; everything listed was freed */
  cr_assert_eq(freed, (long)listed);
  cr_assert_eq(tl_destroyed, (long)listed);
  cr_assert_eq(tl_legacy_finalized, (long)listed);
}

/* Introspection: get_objects / get_referrers / get_referents. */
static void sc_introspection(run *r) {
  enum { N = 30 };
  tl_node *ns[N];
  long made = 0;
  for (int i = 0; i < N; i++) {
    ns[i] = node(r);
    made += ns[i] != NULL;
  }
  for (int i = 1; i < N; i++)
    if (ns[i] && ns[0])
      TL_LINK(ns[i], a, ns[0]);
  rcgc_list l;
  int e = rcgc_get_objects(r->heap, -1, &l);
  if (e == RCGC_OK)
    cr_assert_eq((long)l.count, made);
  else {
    cr_assert_eq(e, RCGC_ENOMEM);
    cr_assert_eq(l.count, 0);
    FAILED(r);
  }
  rcgc_list_decref_and_free(r->heap, &l);
  if (ns[0] != NULL) {
    void *objs[1] = {ns[0]};
    e = rcgc_get_referrers(r->heap, objs, 1, &l);
    if (e == RCGC_OK)
      cr_assert_eq((long)l.count, made - 1);
    else {
      cr_assert_eq(e, RCGC_ENOMEM);
      FAILED(r);
    }
    rcgc_list_decref_and_free(r->heap, &l);
    void *many[N];
    size_t k = 0;
    for (int i = 1; i < N; i++)
      if (ns[i])
        many[k++] = ns[i];
    e = rcgc_get_referents(r->heap, many, k, &l);
    if (e == RCGC_OK)
      cr_assert_eq(l.count, k);
    else {
      cr_assert_eq(e, RCGC_ENOMEM);
      FAILED(r);
    }
    rcgc_list_decref_and_free(r->heap, &l);
  }
  for (int i = 0; i < N; i++)
    rcgc_decref(r->heap, ns[i]);
  cr_assert_eq(rcgc_heap_object_count(r->heap), 0);
  cr_assert_eq(tl_destroyed, made);
}

/* Many weak references to many objects (the side table grows). */
static void sc_weakref_creation(run *r) {
  enum { N = 70 };
  tl_node *ns[N];
  rcgc_weakref *ws[N];
  long with_wr = 0;
  for (int i = 0; i < N; i++) {
    ns[i] = node(r);
    ws[i] = ns[i] ? rcgc_weakref_new(r->heap, ns[i], on_dead, NULL) : NULL;
    if (ns[i] && ws[i] == NULL)
      FAILED(r);
    with_wr += ws[i] != NULL;
  }
  for (int i = 0; i < N; i++) {
    if (ws[i])
      cr_assert_eq(rcgc_weakref_count(r->heap, ns[i]), 1);
    else if (ns[i])
      cr_assert_eq(rcgc_weakref_count(r->heap, ns[i]), 0);
    rcgc_decref(r->heap, ns[i]);
  }
  cr_assert_eq(wr_fired, with_wr);
  for (int i = 0; i < N; i++)
    rcgc_decref(r->heap, ws[i]);
  cr_assert_eq(rcgc_heap_object_count(r->heap), 0);
}

/* Callback registration (the array grows), then a collection. */
static long cb_calls;
static void count_cb(rcgc_heap *h, rcgc_phase p, const rcgc_collect_info *i, void *ud) {
  (void)h;
  (void)p;
  (void)i;
  (void)ud;
  cb_calls++;
}
static void sc_callbacks(run *r) {
  enum { N = 40 };
  long added = 0;
  for (int i = 0; i < N; i++) {
    int e = rcgc_callback_add(r->heap, count_cb, (void *)(intptr_t)i);
    if (e == RCGC_OK)
      added++;
    else {
      cr_assert_eq(e, RCGC_ENOMEM);
      FAILED(r);
    }
  }
  tl_node *a = node(r);
  if (a) {
    TL_LINK(a, a, a);
    rcgc_decref(r->heap, a);
  }
  cr_assert_eq(rcgc_collect(r->heap, 2), a ? 1 : 0);
  cr_assert_eq(cb_calls, 2 * added);
}

/* ---------------------------------------------------------- the driver */
typedef void (*scenario_fn)(run *);

/* Run 'sc' for every fault point; returns how many were covered. */
static long every_fault_point(const char *name, scenario_fn sc) {
  long points = 0;
  for (long n = 1;; n++) {
    memset(&tl, 0, sizeof tl);
    tl_destroyed = tl_finalized = tl_legacy_finalized = 0;
    wr_fired = cb_calls = 0;
    tl.alloc.fail_at = n;
    run r = {NULL, 0, 0};
    r.heap = tl_heap_new(RCGC_CONFIG_NO_POOL);
    if (r.heap == NULL) {
      cr_assert_leq(n, tl.alloc.calls, "%s: heap_new failed without a fault", name);
      cr_assert_eq(tl.alloc.live_blocks, 0, "%s@%ld: heap_new leaked", name, n);
      points++;
      continue;
    }
    tl.heap = r.heap;
    rcgc_disable(r.heap);
    sc(&r);
    int hit = tl.alloc.calls >= n;
    tl.alloc.fail_at = 0; /* lift the failure: the heap must be usable */
    size_t oom_lines = tl_count_lines(&tl.sink, "rcgc: out of memory");
    if (hit)
      cr_assert_geq(r.failures + oom_lines, 1,
                    "%s@%ld: the failed allocation was not reported\n%s", name, n,
                    tl.sink.buf ? tl.sink.buf : "");
    else
      cr_assert_eq(r.failures, 0, "%s: a failure without a fault", name);
    cr_assert_eq(rcgc_check_heap(r.heap), 0, "%s@%ld: heap inconsistent:\n%s", name, n,
                 tl.sink.buf ? tl.sink.buf : "");
    rcgc_garbage_release(r.heap, RCGC_RELEASE_LEGACY); /* leftovers of sc_legacy_garbage */
    tl_node *x = rcgc_new(r.heap, &tl_node_type), *y = rcgc_new(r.heap, &tl_node_type);
    cr_assert(x && y, "%s@%ld: heap unusable after the failure", name, n);
    TL_LINK(x, a, y);
    TL_LINK(y, a, x);
    rcgc_decref(r.heap, x);
    rcgc_decref(r.heap, y);
    cr_assert_eq(rcgc_collect(r.heap, 2), 2, "%s@%ld", name, n);
    cr_assert_eq(rcgc_misuse_count(r.heap), 0, "%s@%ld: misuse:\n%s", name, n,
                 tl.sink.buf ? tl.sink.buf : "");
    cr_assert_eq(rcgc_heap_destroy(r.heap), 0, "%s@%ld:\n%s", name, n,
                 tl.sink.buf ? tl.sink.buf : "");
    tl.heap = NULL;
    cr_assert_eq(tl.alloc.live_blocks, 0, "%s@%ld: %ld blocks leaked", name, n,
                 tl.alloc.live_blocks);
    cr_assert_eq(tl.alloc.live_bytes, 0, "%s@%ld: %lld bytes leaked (allocator calls %ld)", name, n,
                 tl.alloc.live_bytes, tl.alloc.calls);
    free(tl.sink.buf);
    tl.sink.buf = NULL;
    if (!hit)
      break; /* the scenario never reached its Nth allocation: done */
    points++;
  }
  cr_log_info("%s: %ld fault points", name, points);
  fprintf(stderr, "fault: %s: %ld fault points covered\n", name, points);
  return points;
}

Test(fault, cyclic_graph) { cr_assert_gt(every_fault_point("cyclic_graph", sc_cyclic_graph), 40); }
Test(fault, weakrefs_and_garbage_list_under_saveall) {
  cr_assert_gt(every_fault_point("weakrefs_saveall", sc_weakrefs_saveall), 40);
}
Test(fault, legacy_cycles_and_garbage_release) {
  cr_assert_gt(every_fault_point("legacy_garbage", sc_legacy_garbage), 20);
}
Test(fault, introspection) { cr_assert_gt(every_fault_point("introspection", sc_introspection), 30); }
Test(fault, weakref_creation) {
  cr_assert_gt(every_fault_point("weakref_creation", sc_weakref_creation), 70);
}
Test(fault, callback_registration) {
  cr_assert_gt(every_fault_point("callbacks", sc_callbacks), 2);
}
