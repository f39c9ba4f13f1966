/*
** test_deep.c -- deep and large structures without C stack growth: a
** 10,000,000-long chain freed by refcount; the same chain with its end linked
** back to its head (one cycle of 10,000,000 objects) found and freed by the
** collector; and 1,000,000 levels of nesting through finalizers, where each
** finalizer drops the only reference to the next level (by refcount and
** from inside a collection). Every object is counted. Built twice: DEEP_PART 2 (the 10,000,000-object
** tests, label slow) and DEEP_PART 1 (the finalizer nesting).
*/
#include "testlib.h"

TL_DEFINE;

TestSuite(deep, .init = tl_setup, .fini = tl_teardown);

enum { BIG = 10000000, NEST = 1000000 };

#if DEEP_PART == 2
/* Build a chain of 'n' nodes linked through 'a'; returns the head (the
** caller's reference) and the tail in *tail (borrowed). */
static tl_node *chain(long n, tl_node **tail) {
  tl_node *head = rcgc_new(tl.heap, &tl_node_type), *cur = head;
  cr_assert_not_null(head);
  for (long i = 1; i < n; i++) {
    tl_node *next = rcgc_new(tl.heap, &tl_node_type);
    cr_assert_not_null(next);
    cur->a = next; /* the new reference moves into the field */
    cur = next;
  }
  *tail = cur;
  return head;
}

Test(deep, chain_of_ten_million_freed_by_refcount) {
  tl_node *tail;
  tl_node *head = chain(BIG, &tail);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), BIG);
  rcgc_decref(tl.heap, head);
  cr_assert_eq(tl_destroyed, BIG);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
}

Test(deep, cycle_of_ten_million_collected_as_garbage) {
  tl_node *tail;
  tl_node *head = chain(BIG, &tail);
  TL_LINK(tail, a, head); /* one cycle */
  rcgc_decref(tl.heap, head);
  cr_assert_eq(tl_destroyed, 0);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), BIG);
  cr_assert_eq(rcgc_collect(tl.heap, 2), BIG);
  cr_assert_eq(tl_destroyed, BIG);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  rcgc_gen_stats st[RCGC_NUM_GENERATIONS];
  rcgc_get_stats(tl.heap, st);
  cr_assert_eq(st[2].collected, BIG);
}
#endif

#if DEEP_PART == 1
/* ---------------------------------------------------------- finalizer nesting */
/* A level holds the next one in 'a' without reporting it (no traverse: the
** reference is private), and its finalizer drops it. */
static void drop_next(rcgc_heap *h, void *o) {
  tl_node *n = o;
  tl_finalized++;
  void *next = n->a;
  n->a = NULL;
  rcgc_decref(h, next);
}
static const rcgc_type level_type = {
    .name = "Level", .size = sizeof(tl_node), .finalize = drop_next, .destroy = tl_count_destroy,
    .repr = tl_node_repr};
/* A tracked node whose finalizer drops its private 'b' (a Level chain). */
static int cyc_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  tl_node *n = o;
  RCGC_VISIT(n->a, "a");
  return 0;
}
static void cyc_finalize(rcgc_heap *h, void *o) {
  tl_node *n = o;
  tl_finalized++;
  void *next = n->b;
  n->b = NULL;
  rcgc_decref(h, next);
}
static const rcgc_type cyc_type = {
    .name = "Holder", .size = sizeof(tl_node), .traverse = cyc_traverse, .finalize = cyc_finalize,
    .destroy = tl_count_destroy, .repr = tl_node_repr};

static tl_node *levels(long n) {
  return tl_chain_of(&level_type, n, NULL);
}

Test(deep, million_levels_through_finalizers_by_refcount) {
  tl_node *top = levels(NEST);
  rcgc_decref(tl.heap, top);
  cr_assert_eq(tl_finalized, NEST);
  cr_assert_eq(tl_destroyed, NEST);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
}

Test(deep, million_levels_through_finalizers_in_a_collection) {
  tl_node *x = rcgc_new(tl.heap, &cyc_type), *y = rcgc_new(tl.heap, &cyc_type);
  cr_assert_not_null(x);
  cr_assert_not_null(y);
  TL_LINK(x, a, y);
  TL_LINK(y, a, x);
  x->b = levels(NEST);
  y->b = levels(NEST);
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(tl_finalized, 2 + 2L * NEST);
  cr_assert_eq(tl_destroyed, 2 + 2L * NEST);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
}
#endif
