/*
** test_core.c -- the core contract end to end: refcount freeing (including
** a 10,000,000-long chain without stack growth), cycle collection with exact
** counts, the debug output text, and the leak report at heap destroy.
** The full port of CPython's test_gc lives in tests/gc/.
*/
#include "testlib.h"

TL_DEFINE;

TestSuite(core, .init = tl_setup, .fini = tl_teardown);

Test(core, refcount_frees_at_once) {
  tl_node *a = tl_new("a");
  tl_node *b = tl_new("b");
  TL_LINK(a, a, b);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(rcgc_refcount(b), 1);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 2);
  rcgc_decref(tl.heap, a);
  cr_assert_eq(tl_destroyed, 2);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
}

Test(core, self_cycle_collects_one) {
  tl_node *a = tl_new("a");
  TL_LINK(a, a, a);
  rcgc_decref(tl.heap, a);
  cr_assert_eq(tl_destroyed, 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(tl_destroyed, 1);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
}

Test(core, two_cycle_beside_live_objects) {
  tl_node *live = tl_new("live");
  tl_node *kid = tl_new("kid");
  TL_LINK(live, a, kid);
  TL_LINK(kid, a, live); /* a live cycle, held from outside */
  rcgc_decref(tl.heap, kid);
  tl_node *x = tl_new("x"), *y = tl_new("y");
  TL_LINK(x, a, y);
  TL_LINK(y, b, x);
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(tl_destroyed, 2);
  cr_assert_eq(rcgc_refcount(live), 2);
  cr_assert_str_eq(((tl_node *)live->a)->name, "kid");
  TL_LINK(live, a, NULL); /* break the live cycle, then drop it */
  rcgc_decref(tl.heap, live);
  cr_assert_eq(tl_destroyed, 4);
}

Test(core, chain_of_ten_million_frees_iteratively) {
  tl_node *head = tl_new("head"), *cur = head;
  for (long i = 0; i < 10000000; i++) {
    tl_node *n = rcgc_new(tl.heap, &tl_node_type);
    cur->a = n; /* the reference rcgc_new returned moves into the field */
    cur = n;
  }
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 10000001);
  rcgc_decref(tl.heap, head);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(tl_destroyed, 10000001);
}

Test(core, debug_stats_and_collectable_lines) {
  tl_node *a = tl_new("one");
  TL_LINK(a, a, a);
  rcgc_decref(tl.heap, a);
  rcgc_set_debug(tl.heap, RCGC_DEBUG_STATS | RCGC_DEBUG_COLLECTABLE | RCGC_DEBUG_REPR);
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  char expect[256];
  snprintf(expect, sizeof expect,
           "gc: collecting generation 2...\n"
           "gc: objects in each generation: 1 0 0\n"
           "gc: objects in permanent generation: 0\n"
           "gc: collectable <Graph %p> Graph(one)\n",
           (void *)a);
  cr_assert_eq(strncmp(tl.sink.buf, expect, strlen(expect)), 0, "got:\n%s", tl.sink.buf);
  cr_assert_eq(tl_count_lines(&tl.sink, "gc: done, 1 unreachable, 0 uncollectable, "), 1);
  rcgc_set_debug(tl.heap, 0);
}

Test(core, leak_report_at_destroy) {
  tl_node *kept = tl_new("kept");
  (void)kept;
  tl_sink_reset(&tl.sink);
  size_t alive = rcgc_heap_destroy(tl.heap);
  tl.heap = NULL;
  cr_assert_eq(alive, 1);
  char expect[256];
  snprintf(expect, sizeof expect,
           "rcgc: heap destroy: 1 object still alive\n"
           "rcgc: leak: <Graph %p> refcount 1 Graph(kept) [held from outside the heap]\n",
           (void *)kept);
  cr_assert_str_eq(tl.sink.buf, expect);
  cr_assert_eq(tl_destroyed, 1);
}
