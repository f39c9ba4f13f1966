/*
** test_core_scale.c -- costs that must not grow faster than the work:
** allocation with tens of thousands of types, and heap destroy with a garbage
** list of hundreds of thousands of entries. These tests assert timings, so
** they carry the label the sanitizer, stress and valgrind runs skip (their
** timings mean nothing there); the debug and release runs include them.
*/
#include "testlib.h"

#include <time.h>

TL_DEFINE;

TestSuite(scale, .init = tl_setup, .fini = tl_teardown);

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---------------------------------------------------------- many types */


/* Seconds per rcgc_new + rcgc_decref over 'types' used in turn (the
** best of three runs). */
static double per_object(const rcgc_type *types, size_t ntypes, size_t n) {
  double best = 1e9;
  for (int run = 0; run < 3; run++) {
    double t0 = now_s();
    for (size_t i = 0; i < n; i++) {
      void *o = rcgc_new(tl.heap, &types[i % ntypes]);
      cr_assert_not_null(o);
      rcgc_decref(tl.heap, o);
    }
    double dt = (now_s() - t0) / (double)n;
    if (dt < best)
      best = dt;
  }
  return best;
}

/* Type lookup is a hash table behind the direct-mapped cache: with 50,000
** types (every lookup missing the cache) allocation costs a small factor of
** what it costs with 16. A linear search was ~400 times slower. */
Test(scale, allocation_with_50000_types_is_not_slower_than_with_16) {
  enum { NTYPES = 50000, N = 200000 };
  rcgc_type *types = calloc(NTYPES, sizeof *types);
  cr_assert_not_null(types);
  for (size_t i = 0; i < NTYPES; i++) {
    types[i].name = "Many";
    types[i].size = 16;
  }
  for (size_t i = 0; i < NTYPES; i++) { /* register them all */
    void *o = rcgc_new(tl.heap, &types[i]);
    cr_assert_not_null(o);
    rcgc_decref(tl.heap, o);
  }
  double few = per_object(types, 16, N);
  double many = per_object(types, NTYPES, N);
  cr_log_info("per object: %.1f ns with 16 types, %.1f ns with %d types", few * 1e9, many * 1e9,
              NTYPES);
  cr_assert_lt(many, 5 * few, "%.1f ns with %d types, %.1f ns with 16", many * 1e9, NTYPES,
               few * 1e9);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  rcgc_heap_destroy(tl.heap); /* before the types it used go */
  tl.heap = NULL;
  free(types);
}

/* ---------------------------------------------------------- a long garbage list at destroy */

static void legacy_nop(rcgc_heap *h, void *o) {
  (void)h;
  (void)o;
}
static const rcgc_type uncollectable_type = {
    .name = "Uncollectable", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .legacy_finalize = legacy_nop, .destroy = tl_count_destroy};

/* Seconds rcgc_heap_destroy takes with 'n' uncollectable objects on the
** garbage list (the heap is made anew, and destroyed). */
static double destroy_with_garbage(int n) {
  if (tl.heap == NULL) {
    tl.heap = tl_heap_new(0);
    cr_assert_not_null(tl.heap);
    rcgc_disable(tl.heap);
  }
  tl_destroyed = 0;
  for (int i = 0; i < n; i++) {
    tl_node *o = rcgc_new(tl.heap, &uncollectable_type);
    cr_assert_not_null(o);
    TL_LINK(o, a, o);
    rcgc_decref(tl.heap, o);
  }
  cr_assert_eq(rcgc_collect(tl.heap, 2), n);
  cr_assert_eq(rcgc_garbage_count(tl.heap), (size_t)n);
  tl_sink_reset(&tl.sink);
  double t0 = now_s();
  size_t alive = rcgc_heap_destroy(tl.heap);
  double dt = now_s() - t0;
  tl.heap = NULL;
  cr_assert_eq(alive, (size_t)n);
  cr_assert_eq(tl_destroyed, n);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: leak: <Uncollectable "), (size_t)n);
  /* every line names the reason */
  int reasons = 0;
  for (const char *p = tl.sink.buf;
       (p = strstr(p, " [uncollectable: legacy finalizer in a reference cycle]\n")) != NULL; p++)
    reasons++;
  cr_assert_eq(reasons, n);
  return dt;
}

/* 320,000 uncollectable objects left at heap destroy: each leak line says
** whether the garbage list holds the object, which must not cost a search
** of the list per object (that took 72 to 100 s; 20,000 took 0.4 s). 16
** times the objects must cost about 16 times the time (64 allowed for
** noise), not 256 times. */
Test(scale, heap_destroy_is_linear_in_the_garbage_list) {
  double small = destroy_with_garbage(20000);
  double big = destroy_with_garbage(320000);
  cr_log_info("heap destroy with 20,000 / 320,000 objects on the garbage list: %.3f / %.3f s",
              small, big);
  cr_assert_lt(big, 2.0, "heap destroy took %.3f s", big);
  cr_assert_lt(big, 64 * small, "%.3f s for 320,000, %.3f s for 20,000", big, small);
}
