/*
** test_wrong_threads.c -- a heap is used by one thread at a time. Debug
** builds detect a second thread calling into a heap while the first is
** inside it (here: inside a collection callback), with a handshake so the
** overlap is certain; handing a heap from one thread to the next, and
** separate heaps on separate threads, are legal and report nothing.
*/
#include "testlib.h"
#include "threads_stage.h"

TL_DEFINE;

static void wrong_fini(void) {
  if (tl.heap) {
    size_t alive = rcgc_heap_destroy(tl.heap);
    tl.heap = NULL;
    cr_expect_eq(alive, 0, "heap destroy reported %zu live objects:\n%s", alive, tl.sink.buf ? tl.sink.buf : "");
  }
  cr_expect_eq(tl.alloc.live_blocks, 0, "%ld blocks not returned to the allocator", tl.alloc.live_blocks);
  free(tl.sink.buf);
  tl.sink.buf = NULL;
}

TestSuite(wrong_threads, .init = tl_setup, .fini = wrong_fini, .timeout = 60);

#ifdef RCGC_CHECKS
/* ------------------------------------------------------------ handshake */
/* threads_stage.h: 1: main thread is inside the callback; 2: intruder done */
static tl_node *shared;

static long intruder_collect = -99;
static void *intruder(void *arg) {
  wait_stage(1);
  if (arg == NULL)
    rcgc_incref(tl.heap, shared); /* the heap is busy in the other thread */
  else
    intruder_collect = rcgc_collect(tl.heap, 0);
  set_stage(2);
  return NULL;
}

#endif

Test(wrong_threads, two_threads_inside_one_heap) {
#ifndef RCGC_CHECKS
  cr_skip("thread detection is a debug-build check");
#else
  shared = tl_new("shared");
  rcgc_callback_add(tl.heap, stage_hold_inside, NULL);
  pthread_t t;
  stage_reset();
  cr_assert_eq(pthread_create(&t, NULL, intruder, NULL), 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  pthread_join(t, NULL);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  char expect[256];
  snprintf(expect, sizeof expect,
           "rcgc: misuse: heap used by two threads: heap %p entered by a second thread while another is "
           "inside it\n",
           (void *)tl.heap);
  cr_assert_str_eq(tl.sink.buf, expect);
  rcgc_callback_remove(tl.heap, stage_hold_inside, NULL);
  /* whatever the intruder's incref did, the heap is consistent */
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  while (rcgc_refcount(shared) > 1)
    rcgc_decref(tl.heap, shared);
  rcgc_decref(tl.heap, shared);
  cr_assert_eq(tl_destroyed, 1);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1, "the main thread's own calls are fine");
#endif
}

/* The same with rcgc_collect as the second thread's call: it must be
** reported too, not answered "0, a collection is running" in silence. */
Test(wrong_threads, collect_from_a_second_thread) {
#ifndef RCGC_CHECKS
  cr_skip("thread detection is a debug-build check");
#else
  rcgc_callback_add(tl.heap, stage_hold_inside, NULL);
  pthread_t t;
  stage_reset();
  cr_assert_eq(pthread_create(&t, NULL, intruder, (void *)1), 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  pthread_join(t, NULL);
  rcgc_callback_remove(tl.heap, stage_hold_inside, NULL);
  cr_expect_eq(rcgc_misuse_count(tl.heap), 1, "the second thread's rcgc_collect was not reported");
  char expect[256];
  snprintf(expect, sizeof expect,
           "rcgc: misuse: heap used by two threads: heap %p entered by a second thread while another is "
           "inside it\n",
           (void *)tl.heap);
  cr_expect_str_eq(tl.sink.buf ? tl.sink.buf : "", expect);
  cr_expect_leq(intruder_collect, 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
#endif
}

/* ------------------------------------------------------------ legal uses */

static void *use_heap(void *arg) {
  (void)arg;
  tl_node *n = rcgc_new(tl.heap, &tl_node_type);
  TL_LINK(n, a, n);
  rcgc_decref(tl.heap, n);
  return (void *)(intptr_t)rcgc_collect(tl.heap, 2);
}

Test(wrong_threads, handing_a_heap_over_is_legal) {
  tl_node *n = tl_new("main");
  pthread_t t;
  void *r;
  for (int i = 0; i < 3; i++) {
    cr_assert_eq(pthread_create(&t, NULL, use_heap, NULL), 0);
    pthread_join(t, &r);
    cr_assert_eq((intptr_t)r, 1);
  }
  rcgc_decref(tl.heap, n);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 0);
  cr_assert_eq(tl.sink.len, 0);
  cr_assert_eq(tl_destroyed, 4);
}

static void *own_heap(void *arg) {
  long *result = arg;
  rcgc_heap *h = rcgc_heap_new(NULL);
  rcgc_disable(h); /* every pair is found by the explicit collections */
  long collected = 0;
  for (int round = 0; round < 50; round++) {
    for (int i = 0; i < 1000; i++) {
      tl_node *x = rcgc_new(h, &tl_node_type), *y = rcgc_new(h, &tl_node_type);
      rcgc_set(h, &x->a, y);
      rcgc_set(h, &y->a, x);
      rcgc_decref(h, x);
      rcgc_decref(h, y);
    }
    collected += rcgc_collect(h, 2);
  }
  result[0] = collected;
  result[1] = rcgc_misuse_count(h);
  result[2] = (long)rcgc_heap_destroy(h);
  return NULL;
}

Test(wrong_threads, separate_heaps_in_parallel) {
  pthread_t t[4];
  long res[4][3];
  for (int i = 0; i < 4; i++)
    cr_assert_eq(pthread_create(&t[i], NULL, own_heap, res[i]), 0);
  for (int i = 0; i < 4; i++) {
    pthread_join(t[i], NULL);
    cr_assert_eq(res[i][0], 100000);
    cr_assert_eq(res[i][1], 0, "heap %d reported misuse", i);
    cr_assert_eq(res[i][2], 0);
  }
}
