/*
** test_leak_hook.c -- leak-hunting calls on a heap whose allocator hook
** tries to run a collection each time it is called (as an emergency
** collection under memory pressure would). The picture those calls take
** keeps marks in object headers while they allocate: the collection must
** not run then, and the calls give the same results as without the hook.
*/
#include "rcgc_leak.h"
#include "testlib.h"

#include <stdio.h>

TL_DEFINE;

static rcgc_heap *hook_heap;
static long hook_collections, hook_collected;

static void *collecting_alloc(void *ud, void *ptr, size_t old, size_t size) {
  if (hook_heap != NULL && size != 0) {
    long r = rcgc_collect(hook_heap, 2);
    hook_collections++;
    if (r > 0)
      hook_collected += r;
  }
  return tl_alloc_fn(ud, ptr, old, size);
}

static void hook_setup(void) {
  tl_setup();
  rcgc_heap_destroy(tl.heap);
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.alloc = collecting_alloc;
  cfg.alloc_ud = &tl.alloc;
  cfg.write = tl_sink_write;
  cfg.write_ud = &tl.sink;
  cfg.flags = RCGC_CONFIG_NO_POOL; /* every object reaches the hook */
  tl.heap = rcgc_heap_new(&cfg);
  cr_assert_not_null(tl.heap);
  rcgc_disable(tl.heap);
  hook_heap = NULL;
  hook_collections = hook_collected = 0;
}
static void hook_teardown(void) {
  hook_heap = NULL;
  tl_teardown();
}

TestSuite(hook, .init = hook_setup, .fini = hook_teardown);

Test(hook, snapshot_with_a_collecting_allocator_hook) {
  tl_node *root = tl_new("root");
  for (int i = 0; i < 50; i++) {
    tl_node *a = tl_new("a"), *b = tl_new("b");
    TL_LINK(a, a, b);
    TL_LINK(b, a, a); /* cyclic garbage once dropped */
    rcgc_decref(tl.heap, b);
    if (i % 2) { /* every other cycle is kept, on a chain from root */
      TL_LINK(b, b, root->b);
      TL_LINK(root, b, a);
    }
    rcgc_decref(tl.heap, a);
  }
  size_t before = rcgc_heap_object_count(tl.heap);
  hook_heap = tl.heap;
  FILE *f = tmpfile();
  cr_assert_not_null(f);
  cr_assert_eq(rcgc_leak_snapshot(tl.heap, rcgc_write_file, f), RCGC_OK);
  fclose(f);
  rcgc_leak_type_stat *st;
  size_t nst;
  cr_assert_eq(rcgc_leak_histogram(tl.heap, &st, &nst), RCGC_OK);
  cr_assert_eq(nst, 1);
  cr_assert_eq(st[0].count, before);
  rcgc_leak_free(tl.heap, st);
  rcgc_leak_cycle_set *cs;
  cr_assert_eq(rcgc_leak_cycles(tl.heap, RCGC_LEAK_GARBAGE, NULL, 0, &cs), RCGC_OK);
  cr_assert_eq(cs->ncycles, 25, "the garbage is still there: the hook collected nothing");
  rcgc_leak_free(tl.heap, cs);
  hook_heap = NULL;
  cr_assert_gt(hook_collections, 0, "the hook ran");
  cr_assert_eq(hook_collected, 0, "its collections were not run");
  cr_assert_eq(rcgc_heap_object_count(tl.heap), before);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 50);
  rcgc_decref(tl.heap, root);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 50);
}
