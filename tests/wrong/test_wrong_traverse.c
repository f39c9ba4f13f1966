/*
** test_wrong_traverse.c -- calls that take or drop references, made from
** inside a traverse function: each is refused (reported where the call
** returns no error code) and leaves every count and the garbage list as
** they were. Each case runs in its own process and asserts the exact
** report.
*/
#include "testlib.h"

TL_DEFINE;

TestSuite(in_traverse, .init = tl_setup, .fini = tl_teardown_after_misuse);

#define assert_report TL_ASSERT_REPORT

/* What the traverse of a Bad object does once, on its next call. */
static int action;
static void *target;
static rcgc_weakref *made_wr, *target_wr;
static void *got;
static rcgc_list got_list, held_list;
static int got_err;
static long got_n;

static int bad_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  tl_node *n = o;
  switch (action) {
  case 1:
    made_wr = rcgc_weakref_new(tl.heap, target, NULL, NULL);
    break;
  case 2:
    got = rcgc_weakref_get(tl.heap, target_wr);
    break;
  case 3:
    got_err = rcgc_get_objects(tl.heap, -1, &got_list);
    break;
  case 4:
    got_n = rcgc_garbage_clear(tl.heap);
    break;
  case 5:
    got_err = rcgc_garbage_remove(tl.heap, 0);
    break;
  case 6:
    rcgc_list_decref_and_free(tl.heap, &held_list);
    break;
  }
  action = 0;
  RCGC_VISIT(n->a, "a");
  RCGC_VISIT(n->b, "b");
  return 0;
}
static const rcgc_type bad_type = {
    .name = "Bad", .size = sizeof(tl_node), .traverse = bad_traverse, .destroy = tl_count_destroy};

/* Runs the traverse of a new Bad object once with 'what' to do. */
static void run_traverse(int what) {
  tl_node *n = rcgc_new(tl.heap, &bad_type);
  cr_assert_not_null(n);
  action = what;
  rcgc_list l;
  cr_assert_eq(rcgc_get_referents(tl.heap, (void *[]){n}, 1, &l), RCGC_OK);
  cr_assert_eq(action, 0, "the traverse ran");
  rcgc_list_decref_and_free(tl.heap, &l);
  rcgc_decref(tl.heap, n);
}

Test(in_traverse, weakref_new_is_refused_and_leaves_the_count) {
  tl_node *t = tl_new("t");
  target = t;
  made_wr = (void *)1;
  run_traverse(1);
  cr_assert_null(made_wr);
  cr_assert_eq(rcgc_refcount(t), 1, "the referent's count is unchanged");
  cr_assert_eq(rcgc_weakref_count(tl.heap, t), 0);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report("rcgc: misuse: graph mutated inside traverse: <Graph %p> refcount 1: "
                "rcgc_weakref_new called from inside a traverse function; refused\n",
                t);
  rcgc_decref(tl.heap, t);
  cr_assert_eq(tl_destroyed, 2, "both freed");
}

Test(in_traverse, weakref_get_is_refused_and_leaves_the_count) {
  tl_node *t = tl_new("t");
  target_wr = rcgc_weakref_new(tl.heap, t, NULL, NULL);
  cr_assert_not_null(target_wr);
  got = (void *)1;
  run_traverse(2);
  cr_assert_null(got);
  cr_assert_eq(rcgc_refcount(t), 1);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report("rcgc: misuse: graph mutated inside traverse: <weakref %p> refcount 1: "
                "rcgc_weakref_get called from inside a traverse function; refused\n",
                target_wr);
  rcgc_decref(tl.heap, t);
  cr_assert_eq(rcgc_weakref_alive(target_wr), 0);
  rcgc_decref(tl.heap, target_wr);
}

Test(in_traverse, get_objects_is_refused) {
  tl_node *t = tl_new("t");
  got_err = 99;
  run_traverse(3);
  cr_assert_eq(got_err, RCGC_EBUSY);
  cr_assert_eq(got_list.count, 0);
  cr_assert_null(got_list.items);
  cr_assert_eq(rcgc_refcount(t), 1, "no reference was taken");
  cr_assert_eq(rcgc_misuse_count(tl.heap), 0, "an error code, as get_referrers returns");
  rcgc_decref(tl.heap, t);
  cr_assert_eq(tl_destroyed, 2);
}

/* An uncollectable self-cycle on the garbage list. */
static void legacy_fin(rcgc_heap *h, void *o) {
  (void)h;
  (void)o;
}
static const rcgc_type legacy_type = {
    .name = "Legacy", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .legacy_finalize = legacy_fin, .destroy = tl_count_destroy};
static tl_node *garbage_entry(void) {
  tl_node *g = rcgc_new(tl.heap, &legacy_type);
  TL_LINK(g, a, g);
  rcgc_decref(tl.heap, g);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 1);
  cr_assert_eq(rcgc_refcount(g), 2);
  return g;
}
static void garbage_cleanup(tl_node *g) {
  g->a = NULL; /* break the cycle by hand, dropping its reference */
  rcgc_decref(tl.heap, g);
  cr_assert_eq(rcgc_garbage_clear(tl.heap), 1);
}

Test(in_traverse, garbage_clear_is_refused_and_keeps_the_list) {
  tl_node *g = garbage_entry();
  got_n = 99;
  run_traverse(4);
  cr_assert_eq(got_n, RCGC_EBUSY);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 1, "the list keeps its entry");
  cr_assert_eq(rcgc_refcount(g), 2, "and its reference");
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  cr_assert_str_eq(tl.sink.buf, "rcgc: misuse: graph mutated inside traverse: rcgc_garbage_clear "
                                "called from inside a traverse function; refused\n");
  garbage_cleanup(g);
  cr_assert_eq(tl_destroyed, 2);
}

Test(in_traverse, garbage_remove_is_refused_and_keeps_the_list) {
  tl_node *g = garbage_entry();
  got_err = 99;
  run_traverse(5);
  cr_assert_eq(got_err, RCGC_EBUSY);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 1);
  cr_assert_eq(rcgc_refcount(g), 2);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 0, "an error code");
  garbage_cleanup(g);
}

Test(in_traverse, list_release_is_refused_and_keeps_the_list) {
  tl_node *t = tl_new("t");
  cr_assert_eq(rcgc_get_objects(tl.heap, -1, &held_list), RCGC_OK);
  cr_assert_eq(held_list.count, 1);
  cr_assert_eq(rcgc_refcount(t), 2);
  run_traverse(6);
  cr_assert_eq(held_list.count, 1, "the list is left as it was");
  cr_assert_eq(rcgc_refcount(t), 2);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  cr_assert_str_eq(tl.sink.buf, "rcgc: misuse: graph mutated inside traverse: rcgc_list_decref_and_free "
                   "called from inside a traverse function; ignored: the list keeps its 1 "
                   "reference\n");
  rcgc_list_decref_and_free(tl.heap, &held_list);
  cr_assert_eq(rcgc_refcount(t), 1);
  rcgc_decref(tl.heap, t);
}
