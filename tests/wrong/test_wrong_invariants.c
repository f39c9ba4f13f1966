/*
** test_wrong_invariants.c -- the heap checker against the side-table
** invariants of src/core/internal.h, each corrupted behind the library's
** back and named by rcgc_check_heap:
**   W1  TI_WEAKREFD <=> the weak reference table has an entry (both sides);
**   W3  the table's count matches its entries, and it is at most half full;
**   X1  TI_WATCHED <=> an expect-freed watch names the object (both sides,
**       and a watch naming an object that is on no list).
** White-box: the corruption needs the model, so this file includes the
** library's internal header. Each case restores what it broke, so the heap
** checks clean again before it is destroyed.
*/
#include "internal.h"
#include "testlib.h"

#include <rcgc_leak.h> /* rcgc_expect_freed */

TL_DEFINE;

TestSuite(wrong_invariants, .init = tl_setup, .fini = tl_teardown_after_misuse);

/* The sink must hold exactly 'fmt' with its %p replaced by 'obj' (a
** macro so that the format stays a checked literal); then it is emptied. */
#define EXPECT_ONLY(fmt, obj)                                                 \
  do {                                                                        \
    TL_ASSERT_REPORT(fmt, obj);                                               \
    tl_sink_reset(&tl.sink);                                                  \
  } while (0)

Test(wrong_invariants, weak_reference_flag_without_a_table_entry) {
  tl_node *x = tl_new("x");
  AS_HEAD(x)->tinfo |= TI_WEAKREFD;
  cr_assert_eq(rcgc_check_heap(tl.heap), 1);
  EXPECT_ONLY("rcgc: check: <Graph %p> has the weak reference flag but no entry in the weak "
              "reference table\n",
              x);
  AS_HEAD(x)->tinfo &= ~TI_WEAKREFD;
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, x);
}

Test(wrong_invariants, weak_reference_table_entry_without_the_flag) {
  tl_node *x = tl_new("x");
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, x, NULL, NULL);
  cr_assert_not_null(wr);
  AS_HEAD(x)->tinfo &= ~TI_WEAKREFD;
  cr_assert_eq(rcgc_check_heap(tl.heap), 1);
  EXPECT_ONLY("rcgc: check: weak reference table entry for %p is stale\n", x);
  AS_HEAD(x)->tinfo |= TI_WEAKREFD;
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, wr);
}

Test(wrong_invariants, weak_reference_table_count_and_load_bound) {
  tl_node *x = tl_new("x");
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, x, NULL, NULL);
  cr_assert_not_null(wr);
  size_t used = tl.heap->wr_used, cap = tl.heap->wr_cap;
  cr_assert_eq(used, 1);
  tl.heap->wr_used = cap; /* the count is wrong, and above the bound */
  cr_assert_eq(rcgc_check_heap(tl.heap), 2);
  char expect[400];
  snprintf(expect, sizeof expect,
           "rcgc: check: the weak reference table holds 1 entries but counts %zu\n"
           "rcgc: check: the weak reference table counts %zu entries in %zu slots, more than half "
           "full\n",
           cap, cap, cap);
  cr_expect_str_eq(tl.sink.buf ? tl.sink.buf : "", expect);
  tl.heap->wr_used = used;
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, wr);
}

Test(wrong_invariants, watch_flag_without_a_watch) {
  tl_node *x = tl_new("x");
  AS_HEAD(x)->tinfo |= TI_WATCHED;
  cr_assert_eq(rcgc_check_heap(tl.heap), 1);
  EXPECT_ONLY("rcgc: check: <Graph %p> has the expect-freed watch flag but no watch names it\n", x);
  AS_HEAD(x)->tinfo &= ~TI_WATCHED;
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, x);
}

Test(wrong_invariants, watch_without_the_flag) {
  tl_node *x = tl_new("x"), *y = tl_new("y");
  cr_assert_eq(rcgc_expect_freed(tl.heap, x, "x"), RCGC_OK);
  cr_assert_eq(rcgc_expect_freed(tl.heap, y, "y"), RCGC_OK);
  AS_HEAD(y)->tinfo &= ~TI_WATCHED;
  cr_assert_eq(rcgc_check_heap(tl.heap), 1);
  EXPECT_ONLY("rcgc: check: <Graph %p> is named by an expect-freed watch but lacks the watch "
              "flag\n",
              y);
  AS_HEAD(y)->tinfo |= TI_WATCHED;
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
}

/* Without its flag, freeing the object does not remove its watch: the
** watch then names memory on no list. */
Test(wrong_invariants, watch_of_an_object_on_no_list) {
  tl_node *x = tl_new("x");
  cr_assert_eq(rcgc_expect_freed(tl.heap, x, "x"), RCGC_OK);
  AS_HEAD(x)->tinfo &= ~TI_WATCHED;
  rcgc_decref(tl.heap, x);
  cr_assert_eq(tl_destroyed, 1);
  cr_assert_eq(rcgc_check_heap(tl.heap), 1);
  cr_expect_str_eq(tl.sink.buf ? tl.sink.buf : "",
                   "rcgc: check: 1 expect-freed watch names an object on no list\n");
  cr_assert_eq(rcgc_expect_freed_cancel(tl.heap, x), RCGC_OK); /* drops the stale watch */
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
}
