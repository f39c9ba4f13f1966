/*
** test_core_limits.c -- the core calls at the limits of their arguments:
** object sizes near SIZE_MAX, reference counts at 2^32 - 1, a NULL heap
** passed with an object. (Timings at scale: test_core_scale.c.)
*/
#include "testlib.h"

#include <stdint.h>

TL_DEFINE;

TestSuite(limits, .init = tl_setup, .fini = tl_teardown);

/* ---------------------------------------------------------- sizes */
static const rcgc_type huge_type = {.name = "Huge", .size = SIZE_MAX - 3};

Test(limits, sizes_that_overflow_the_block_size_return_null) {
  /* block sizes that wrap in every build (a variable-sized block has a
  ** size word and the head before the data) */
  const size_t wrapping[] = {SIZE_MAX, SIZE_MAX - 7, SIZE_MAX - 24};
  /* sizes that wrap only with the debug prefix, or that do not wrap and
  ** reach the allocator hook: it fails them here (sanitizers abort on a
  ** request that size instead of failing it) */
  const size_t huge[] = {SIZE_MAX - 40, SIZE_MAX - 47, SIZE_MAX / 2};
  long count_before[3];
  rcgc_get_count(tl.heap, count_before);
  for (size_t i = 0; i < sizeof wrapping / sizeof wrapping[0]; i++)
    cr_assert_null(rcgc_new_sized(tl.heap, &tl_node_type, wrapping[i]), "size %zu", wrapping[i]);
  tl.alloc.fail_all = 1;
  for (size_t i = 0; i < sizeof huge / sizeof huge[0]; i++)
    cr_assert_null(rcgc_new_sized(tl.heap, &tl_node_type, huge[i]), "size %zu", huge[i]);
  tl.alloc.fail_all = 0;
  cr_assert_null(rcgc_new(tl.heap, &huge_type));
  cr_assert_null(rcgc_new(tl.heap, &huge_type), "and again once the type is known");
  cr_assert_null(rcgc_new_sized(tl.heap, &huge_type, SIZE_MAX));
  long count[3];
  rcgc_get_count(tl.heap, count);
  cr_assert_eq(count[0], count_before[0], "nothing was counted");
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 0, "memory is short: not a misuse");
  /* the heap is still usable */
  tl_node *n = rcgc_new_sized(tl.heap, &tl_node_type, sizeof(tl_node) + 100);
  cr_assert_not_null(n);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, n);
}

/* ---------------------------------------------------------- refcount maximum */

/* 2^32 increfs would take seconds: the test sets the count near the top
** through the header (tests only), then works through the API. */
Test(limits, refcount_saturates_and_the_object_becomes_immortal) {
  tl_node *n = tl_new("n");
  RCGC_HEAD_(n)->refcnt = RCGC_REFCNT_MAX - 2;
  rcgc_incref(tl.heap, n);
  cr_assert_eq(rcgc_refcount(n), RCGC_REFCNT_MAX - 1);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(rcgc_refcount(n), RCGC_REFCNT_MAX - 2, "an ordinary count below the top");
  rcgc_incref(tl.heap, n);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 0);
  rcgc_incref(tl.heap, n); /* reaches the maximum */
  cr_assert_eq(rcgc_refcount(n), RCGC_REFCNT_MAX);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  char expect[400];
  snprintf(expect, sizeof expect,
           "rcgc: misuse: refcount overflow: <Graph %p> refcount 4294967295: the refcount reached its "
           "maximum, 4294967295: the object is immortal from now on (increfs and decrefs leave it "
           "alone; heap destroy frees it)\n",
           (void *)n);
  cr_assert_str_eq(tl.sink.buf, expect);
  rcgc_incref(tl.heap, n); /* never wraps to 0 */
  cr_assert_eq(rcgc_refcount(n), RCGC_REFCNT_MAX);
  for (int i = 0; i < 3; i++)
    rcgc_decref(tl.heap, n);
  cr_assert_eq(rcgc_refcount(n), RCGC_REFCNT_MAX, "immortal: decref leaves it");
  /* the library's own references saturate as well */
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, n, NULL, NULL);
  cr_assert_not_null(wr);
  void *got = rcgc_weakref_get(tl.heap, wr);
  cr_assert_eq(got, n);
  cr_assert_eq(rcgc_refcount(n), RCGC_REFCNT_MAX);
  rcgc_decref(tl.heap, got);
  rcgc_list l;
  cr_assert_eq(rcgc_get_objects(tl.heap, -1, &l), RCGC_OK);
  rcgc_list_decref_and_free(tl.heap, &l);
  tl_node *holder = tl_new("holder");
  holder->a = n; /* a reference without its count: the count is saturated */
  rcgc_decref(tl.heap, holder); /* releasing it leaves the count alone */
  cr_assert_eq(rcgc_refcount(n), RCGC_REFCNT_MAX);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1, "reported once");
  cr_assert_eq(tl_destroyed, 1, "only the holder was freed");
  rcgc_decref(tl.heap, wr);
  /* heap destroy frees it and names it */
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_heap_destroy(tl.heap), 1);
  tl.heap = NULL;
  cr_assert_eq(tl_destroyed, 2);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: leak: <Graph "), 1);
}
