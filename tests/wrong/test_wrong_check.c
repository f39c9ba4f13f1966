/*
** test_wrong_check.c -- RCGC_DEBUG_CHECK: the whole-heap checker after
** every collection. A header corrupted behind the library's back (here:
** the frozen flag on an object of generation 2, which INVARIANT L3b
** forbids) is named by the checker after the next collection, and counted
** as misuse; a healthy heap under the flag reports nothing. Each case runs
** in its own process.
*/
#include "testlib.h"

TL_DEFINE;

TestSuite(wrong_check, .init = tl_setup, .fini = tl_teardown_after_misuse);

#define TI_FROZEN_BIT 0x80u /* the frozen flag of a header's tinfo */

Test(wrong_check, corrupted_flag_named_after_the_next_collection) {
  tl_node *x = tl_new("x");
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0); /* x survives into generation 2 */
  cr_assert_eq(rcgc_set_debug(tl.heap, RCGC_DEBUG_CHECK), RCGC_OK);
  RCGC_HEAD_(x)->tinfo |= TI_FROZEN_BIT;
  cr_assert_eq(rcgc_collect(tl.heap, 0), 0);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  char line[200];
  snprintf(line, sizeof line, "rcgc: check: <Graph %p> is on the generation 2 list but is frozen\n",
           (void *)x);
  cr_assert(strstr(tl.sink.buf, line), "%s", tl.sink.buf);
  cr_assert(strstr(tl.sink.buf, "rcgc: misuse: heap check: rcgc_check_heap found 1 violation "
                                "after a collection of generation 0\n"),
            "%s", tl.sink.buf);
  RCGC_HEAD_(x)->tinfo &= ~TI_FROZEN_BIT;
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, x);
}

Test(wrong_check, healthy_heap_reports_nothing) {
  cr_assert_eq(rcgc_set_debug(tl.heap, RCGC_DEBUG_CHECK), RCGC_OK);
  rcgc_enable(tl.heap);
  for (int i = 0; i < 20000; i++) {
    tl_node *a = tl_new("a"), *b = tl_new("b");
    TL_LINK(a, a, b);
    TL_LINK(b, a, a);
    rcgc_decref(tl.heap, a);
    rcgc_decref(tl.heap, b);
  }
  rcgc_disable(tl.heap);
  cr_assert_geq(rcgc_collect(tl.heap, 2), 0);
  rcgc_gen_stats st[3];
  rcgc_get_stats(tl.heap, st);
  cr_assert_geq(st[0].collections + st[1].collections + st[2].collections, 2,
                "automatic collections ran and were checked");
  cr_assert_eq(rcgc_misuse_count(tl.heap), 0, "%s", tl.sink.buf ? tl.sink.buf : "");
  cr_assert_null(tl.sink.buf, "nothing printed");
}

/* While an object dies by refcount it is on no list: rcgc_check_heap is
** refused then (RCGC_EBUSY), as during a collection, instead of reporting
** a violation that is not one. */
static long check_in_finalizer;
static void checking_finalize(rcgc_heap *h, void *o) {
  (void)o;
  check_in_finalizer = rcgc_check_heap(h);
}
static const rcgc_type checking_type = {
    .name = "Checking", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .finalize = checking_finalize};

Test(wrong_check, check_refused_while_an_object_is_being_freed) {
  check_in_finalizer = 12345;
  void *o = rcgc_new(tl.heap, &checking_type);
  cr_assert_not_null(o);
  rcgc_decref(tl.heap, o);
  cr_assert_eq(check_in_finalizer, RCGC_EBUSY);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 0);
}
