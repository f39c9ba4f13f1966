/*
** test_core_limits.c -- the core calls at the limits of their arguments:
** object sizes near SIZE_MAX, reference counts at 2^32 - 1, a NULL heap
** passed with an object, and heaps with tens of thousands of types.
*/
#include "testlib.h"

#include <stdint.h>
#include <time.h>

TL_DEFINE;

TestSuite(limits, .init = tl_setup, .fini = tl_teardown);

/* ---------------------------------------------------------- sizes */
static const rcgc_type huge_type = {"Huge", SIZE_MAX - 3, NULL, NULL, NULL, NULL, NULL};

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
