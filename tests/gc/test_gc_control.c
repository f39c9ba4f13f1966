/*
** test_gc_control.c -- the collector's knobs and the error contract:
** thresholds get/set (defaults 700, 10, 10; negative -> RCGC_EINVAL),
** enable/disable/isenabled returning the previous state, set/get_debug,
** every call with NULL arguments returning its documented error code, and
** allocation failure in rcgc_new (counting allocator with fail_at/fail_all
** on a RCGC_CONFIG_NO_POOL heap): NULL, the heap consistent, counts
** unchanged, and the next allocation succeeds.
*/
#include "testlib.h"

TL_DEFINE;

TestSuite(gc_control, .init = tl_setup, .fini = tl_teardown);

static void assert_thresholds(long t0, long t1, long t2) {
  long t[3] = {-1, -1, -1};
  cr_assert_eq(rcgc_get_threshold(tl.heap, t), RCGC_OK);
  cr_assert(t[0] == t0 && t[1] == t1 && t[2] == t2, "thresholds: expected (%ld, %ld, %ld), got (%ld, %ld, %ld)",
            t0, t1, t2, t[0], t[1], t[2]);
}

Test(gc_control, thresholds) {
  assert_thresholds(700, 10, 10);
  cr_assert_eq(rcgc_set_threshold(tl.heap, 5, 1, 1), RCGC_OK);
  assert_thresholds(5, 1, 1);
  cr_assert_eq(rcgc_set_threshold(tl.heap, 0, 0, 0), RCGC_OK);
  assert_thresholds(0, 0, 0);
  cr_assert_eq(rcgc_set_threshold(tl.heap, -1, 10, 10), RCGC_EINVAL);
  cr_assert_eq(rcgc_set_threshold(tl.heap, 700, -1, 10), RCGC_EINVAL);
  cr_assert_eq(rcgc_set_threshold(tl.heap, 700, 10, -5), RCGC_EINVAL);
  assert_thresholds(0, 0, 0); /* a rejected call changes nothing */
  cr_assert_eq(rcgc_set_threshold(tl.heap, 100000, 2, 3), RCGC_OK);
  assert_thresholds(100000, 2, 3);
  cr_assert_eq(rcgc_set_threshold(NULL, 1, 1, 1), RCGC_EINVAL);
  long t[3];
  cr_assert_eq(rcgc_get_threshold(NULL, t), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_threshold(tl.heap, NULL), RCGC_EINVAL);
}

Test(gc_control, enable_disable_return_previous_state) {
  /* tl_setup disabled automatic collection */
  cr_assert_eq(rcgc_isenabled(tl.heap), 0);
  cr_assert_eq(rcgc_enable(tl.heap), 0);
  cr_assert_eq(rcgc_isenabled(tl.heap), 1);
  cr_assert_eq(rcgc_enable(tl.heap), 1);
  cr_assert_eq(rcgc_disable(tl.heap), 1);
  cr_assert_eq(rcgc_isenabled(tl.heap), 0);
  cr_assert_eq(rcgc_disable(tl.heap), 0);
  cr_assert_eq(rcgc_isenabled(tl.heap), 0);
  /* collect works while disabled */
  tl_node *n = tl_new("n");
  TL_LINK(n, a, n);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
}

Test(gc_control, new_heap_defaults) {
  rcgc_heap *h = rcgc_heap_new(NULL);
  cr_assert_not_null(h);
  cr_assert_eq(rcgc_isenabled(h), 1);
  long t[3], c[3];
  rcgc_get_threshold(h, t);
  cr_assert(t[0] == 700 && t[1] == 10 && t[2] == 10);
  rcgc_get_count(h, c);
  cr_assert(c[0] == 0 && c[1] == 0 && c[2] == 0);
  cr_assert_eq(rcgc_get_debug(h), 0);
  cr_assert_eq(rcgc_garbage_count(h), 0);
  cr_assert_eq(rcgc_get_freeze_count(h), 0);
  cr_assert_eq(rcgc_heap_destroy(h), 0);
  /* a config of an unknown size is refused */
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cr_assert_eq(cfg.size, sizeof cfg);
  cfg.size = sizeof cfg + 8;
  cr_assert_null(rcgc_heap_new(&cfg));
  cfg.size = 0;
  cr_assert_null(rcgc_heap_new(&cfg));
}

Test(gc_control, debug_flags) {
  cr_assert_eq(rcgc_get_debug(tl.heap), 0);
  cr_assert_eq(rcgc_set_debug(tl.heap, RCGC_DEBUG_LEAK | RCGC_DEBUG_STATS), RCGC_OK);
  cr_assert_eq(rcgc_get_debug(tl.heap), 39);
  cr_assert_eq(rcgc_set_debug(tl.heap, 0), RCGC_OK);
  cr_assert_eq(rcgc_get_debug(tl.heap), 0);
  cr_assert_eq(rcgc_set_debug(NULL, 1), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_debug(NULL), 0);
}

static void noop_cb(rcgc_heap *h, rcgc_phase p, const rcgc_collect_info *i, void *ud) {
  (void)h;
  (void)p;
  (void)i;
  (void)ud;
}

static int noop_obj(void *o, void *ud) {
  (void)o;
  (void)ud;
  return 0;
}

Test(gc_control, null_arguments) {
  rcgc_heap *h = tl.heap;
  long v[3];
  rcgc_list l;
  rcgc_gen_stats st[3];
  tl_node *n = tl_new("n");
  void *objs[1] = {n};
  /* heap calls */
  cr_assert_eq(rcgc_heap_destroy(NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_heap_object_count(NULL), 0);
  cr_assert_eq(rcgc_heap_bytes(NULL), 0);
  rcgc_config_init(NULL); /* ignored */
  /* objects */
  cr_assert_null(rcgc_new(NULL, &tl_node_type));
  cr_assert_null(rcgc_new_sized(NULL, &tl_node_type, 64));
  rcgc_incref(h, NULL);
  rcgc_decref(h, NULL);
  /* rcgc_incref/rcgc_decref with a NULL heap and an object: refused and,
  ** in debug builds, reported (tests/wrong/test_wrong_pointers.c) */
  cr_assert_eq(rcgc_refcount(n), 1);
  cr_assert_eq(rcgc_refcount(NULL), 0);
  cr_assert_null(rcgc_typeof(NULL, n));
  cr_assert_null(rcgc_typeof(h, NULL));
  cr_assert_eq(rcgc_typeof(h, n), &tl_node_type);
  cr_assert_eq(rcgc_serial(NULL, n), 0);
  char buf[8] = "x";
  cr_assert_eq(rcgc_repr(NULL, n, buf, sizeof buf), 0);
  cr_assert_str_eq(buf, "");
  /* collector control */
  cr_assert_eq(rcgc_enable(NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_disable(NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_isenabled(NULL), 0);
  cr_assert_eq(rcgc_collect(NULL, 2), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_count(NULL, v), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_count(h, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_set_threshold(NULL, 1, 1, 1), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_threshold(NULL, v), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_threshold(h, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_set_debug(NULL, 0), RCGC_EINVAL);
  cr_assert_eq(rcgc_callback_add(NULL, noop_cb, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_callback_add(h, NULL, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_callback_remove(NULL, noop_cb, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_callback_remove(h, NULL, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_callback_remove(h, noop_cb, NULL), RCGC_ENOTFOUND);
  cr_assert_eq(rcgc_get_stats(NULL, st), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_stats(h, NULL), RCGC_EINVAL);
  /* introspection */
  rcgc_list_decref_and_free(NULL, &l);
  rcgc_list_decref_and_free(h, NULL);
  cr_assert_eq(rcgc_get_objects(NULL, -1, &l), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_objects(h, -1, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_referrers(NULL, objs, 1, &l), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_referrers(h, NULL, 1, &l), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_referrers(h, objs, 1, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_referents(NULL, objs, 1, &l), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_referents(h, NULL, 1, &l), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_referents(h, objs, 1, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_is_tracked(NULL), 0);
  cr_assert_eq(rcgc_is_finalized(NULL), 0);
  cr_assert_eq(rcgc_track(NULL, n), RCGC_EINVAL);
  cr_assert_eq(rcgc_track(h, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_untrack(NULL, n), RCGC_EINVAL);
  cr_assert_eq(rcgc_untrack(h, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_freeze(NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_unfreeze(NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_freeze_count(NULL), 0);
  cr_assert_eq(rcgc_visit_objects(NULL, noop_obj, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_visit_objects(h, NULL, NULL), RCGC_EINVAL);
  /* garbage list */
  cr_assert_eq(rcgc_garbage_count(NULL), 0);
  cr_assert_null(rcgc_garbage_get(NULL, 0));
  cr_assert_eq(rcgc_garbage_clear(NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_garbage_remove(NULL, 0), RCGC_EINVAL);
  cr_assert_eq(rcgc_garbage_remove(h, 0), RCGC_ENOTFOUND);
  cr_assert_eq(rcgc_garbage_release(NULL, 0), RCGC_EINVAL);
  cr_assert_eq(rcgc_garbage_release(h, 0x80), RCGC_EINVAL);
  /* debugging aids */
  cr_assert_eq(rcgc_check_heap(NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_misuse_count(NULL), 0);
  rcgc_printf(NULL, "x");
  rcgc_printf(h, NULL);
  cr_assert_eq(tl.sink.len, 0, "no call above printed anything: %s", tl.sink.buf);
  cr_assert_eq(rcgc_misuse_count(h), 0);
  cr_assert_eq(rcgc_check_heap(h), 0);
  cr_assert_eq(rcgc_refcount(n), 1);
  rcgc_decref(h, n);
  cr_assert_eq(tl_destroyed, 1);
}

/* rcgc_new with a NULL type is reported on the heap's sink. */
Test(gc_control, new_with_null_type_is_reported) {
  cr_assert_null(rcgc_new(tl.heap, NULL));
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  cr_assert_str_eq(tl.sink.buf, "rcgc: misuse: invalid type: rcgc_new: NULL type\n");
  static const rcgc_type unnamed = {.size = 8};
  cr_assert_null(rcgc_new(tl.heap, &unnamed));
  cr_assert_eq(rcgc_misuse_count(tl.heap), 2);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_heap_destroy(tl.heap), 0);
  tl.heap = NULL; /* the teardown would count the two expected reports */
}

/* ------------------------------------------------------------ allocation failure */

static void use_no_pool_heap(void) {
  cr_assert_eq(rcgc_heap_destroy(tl.heap), 0);
  tl.heap = tl_heap_new(RCGC_CONFIG_NO_POOL);
  cr_assert_not_null(tl.heap);
  rcgc_disable(tl.heap);
}

static void assert_counts(long c0, long c1, long c2) {
  long c[3];
  rcgc_get_count(tl.heap, c);
  cr_assert(c[0] == c0 && c[1] == c1 && c[2] == c2, "counts (%ld, %ld, %ld)", c[0], c[1], c[2]);
}

Test(gc_control, allocation_failure_leaves_heap_consistent) {
  use_no_pool_heap();
  /* the very first allocation of a heap also registers the type */
  tl.alloc.fail_all = 1;
  cr_assert_null(rcgc_new(tl.heap, &tl_node_type));
  tl.alloc.fail_all = 0;
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  assert_counts(0, 0, 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);

  tl_node *a = tl_new("a");
  tl_node *b = tl_new("b");
  TL_LINK(a, a, b);
  size_t bytes = rcgc_heap_bytes(tl.heap);
  long blocks = tl.alloc.live_blocks;
  assert_counts(2, 0, 0);

  /* the next call to the hook fails: exactly that rcgc_new */
  tl.alloc.fail_at = tl.alloc.calls + 1;
  cr_assert_null(rcgc_new(tl.heap, &tl_node_type));
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 2);
  assert_counts(2, 0, 0);
  cr_assert_eq(rcgc_heap_bytes(tl.heap), bytes);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  void *big = rcgc_new_sized(tl.heap, &tl_node_type, 4096);
  cr_assert_not_null(big, "fail_at hits one call only: the next allocation succeeds");
  tl.alloc.fail_at = 0;
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 3);
  assert_counts(3, 0, 0);
  rcgc_decref(tl.heap, big);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 2);
  cr_assert_eq(rcgc_heap_bytes(tl.heap), bytes);
  assert_counts(2, 0, 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
#ifndef RCGC_CHECKS
  /* debug builds keep freed blocks in a quarantine: only release builds
  ** return the block at once */
  cr_assert_eq(tl.alloc.live_blocks, blocks);
#else
  (void)blocks;
#endif

  /* every allocation fails */
  tl.alloc.fail_all = 1;
  for (int i = 0; i < 100; i++) {
    cr_assert_null(rcgc_new(tl.heap, &tl_node_type));
    cr_assert_null(rcgc_new(tl.heap, &tl_leaf_type));
  }
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 2);
  cr_assert_eq(rcgc_heap_bytes(tl.heap), bytes);
  assert_counts(2, 0, 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  /* collection needs no memory */
  TL_LINK(b, a, a);
  rcgc_decref(tl.heap, b);
  rcgc_decref(tl.heap, a);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(tl_destroyed, 3);
  tl.alloc.fail_all = 0;

  /* and the heap works again */
  tl_node *c = tl_new("c");
  TL_LINK(c, a, c);
  rcgc_decref(tl.heap, c);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 0);
  cr_assert_eq(tl.sink.len, 0, "allocation failure in rcgc_new is not misuse: %s", tl.sink.buf);
}

/* With automatic collection on, a failing allocation right at the
** threshold still leaves the counts and lists consistent. */
Test(gc_control, allocation_failure_at_the_threshold) {
  TL_SKIP_UNDER_STRESS();
  use_no_pool_heap();
  tl_use_cpython_policy(); /* the threshold-3 schedule */
  rcgc_enable(tl.heap);
  rcgc_set_threshold(tl.heap, 3, 10, 10);
  tl_node *keep[3];
  for (int i = 0; i < 3; i++)
    keep[i] = tl_new("k");
  assert_counts(3, 0, 0);
  tl.alloc.fail_all = 1;
  cr_assert_null(rcgc_new(tl.heap, &tl_node_type)); /* collects first, then fails */
  tl.alloc.fail_all = 0;
  assert_counts(0, 1, 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  tl_node *n = tl_new("n");
  assert_counts(1, 1, 0);
  rcgc_decref(tl.heap, n);
  for (int i = 0; i < 3; i++)
    rcgc_decref(tl.heap, keep[i]);
}
