/*
** test_gc_big.c -- scale: a single reference cycle of 10,000,000 objects is
** found and freed by one full collection (collect returns 10,000,000) with
** no recursion (the C stack does not grow with the cycle) and the heap left
** empty; the same ring held from outside survives a full collection intact.
*/
#include "testlib.h"

TL_DEFINE;

TestSuite(gc_big, .init = tl_setup, .fini = tl_teardown, .timeout = 600);

#define RING 10000000L

/* A ring n0 -> n1 -> ... -> n(RING-1) -> n0 through field 'a'. Returns n0
** with the caller's reference; every other reference is owned by a field. */
static tl_node *build_ring(void) {
  tl_node *first = tl_new("first"), *cur = first;
  for (long i = 1; i < RING; i++) {
    tl_node *n = rcgc_new(tl.heap, &tl_node_type);
    cr_assert_not_null(n);
    cur->a = n;
    cur = n;
  }
  TL_LINK(cur, a, first);
  return first;
}

Test(gc_big, ten_million_object_cycle_collects) {
  tl_node *first = build_ring();
  cr_assert_eq(rcgc_heap_object_count(tl.heap), (size_t)RING);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0, "held from outside: nothing is garbage");
  cr_assert_eq(rcgc_heap_object_count(tl.heap), (size_t)RING);
  cr_assert_eq(rcgc_refcount(first), 2);
  rcgc_decref(tl.heap, first);
  cr_assert_eq(tl_destroyed, 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), RING);
  cr_assert_eq(tl_destroyed, RING);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  rcgc_gen_stats st[3];
  rcgc_get_stats(tl.heap, st);
  cr_assert_eq(st[2].collected, RING);
  cr_assert_eq(st[2].candidates, 2 * RING);
}
