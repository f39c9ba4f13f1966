/*
** test_wrong_pointers.c -- bad pointers and bad heaps passed to the refcount
** calls: a junk pointer whose would-be prefix names no heap (debug builds
** report it without following it), and a NULL heap passed with an object
** (refused in every build, reported where the object's heap is known).
** Each case runs in its own process and asserts the exact report.
*/
#include "testlib.h"

#include <stdint.h>

TL_DEFINE;

TestSuite(pointers, .init = tl_setup, .fini = tl_teardown_after_misuse);

#define assert_report TL_ASSERT_REPORT

Test(pointers, junk_pointer_is_reported_without_following_its_prefix) {
#ifndef RCGC_CHECKS
  cr_skip("release builds' inline refcount calls do not look at the pointer");
#else
  /* 256 bytes of 0xab: every header field and the would-be prefix are
  ** junk (type id 0xababab, "heap" 0xabab...ab) */
  static uint64_t junk[32];
  memset(junk, 0xab, sizeof junk);
  void *p = (char *)junk + 128;
  rcgc_decref(tl.heap, p);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report("rcgc: misuse: not an rcgc object: <not an rcgc object %p> refcount 2880154539: "
                "rcgc_decref on a pointer that was not returned by rcgc_new of this heap\n",
                p);
  tl_sink_reset(&tl.sink);
  rcgc_incref(tl.heap, p);
  cr_assert_null(rcgc_weakref_new(tl.heap, p, NULL, NULL));
  cr_assert_eq(rcgc_misuse_count(tl.heap), 3);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: misuse: not an rcgc object: <not an rcgc object "),
               2);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: misuse: "), 2,
               "weakref_new reported once, incref once:\n%s", tl.sink.buf);
  for (size_t i = 0; i < sizeof junk; i++)
    cr_assert_eq(((unsigned char *)junk)[i], 0xab, "byte %zu of the junk was written", i);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
#endif
}

Test(pointers, decref_and_incref_with_a_null_heap_are_refused) {
  tl_node *n = tl_new("n");
  rcgc_incref(tl.heap, n); /* count 2: the inline path would just decrement */
  rcgc_decref(NULL, n);
  cr_assert_eq(rcgc_refcount(n), 2, "refused at count 2");
  rcgc_decref(tl.heap, n);
  rcgc_decref(NULL, n);
  cr_assert_eq(rcgc_refcount(n), 1, "refused at count 1 alike");
  rcgc_incref(NULL, n);
  cr_assert_eq(rcgc_refcount(n), 1, "incref refused too");
#ifdef RCGC_CHECKS
  cr_assert_eq(rcgc_misuse_count(tl.heap), 3, "reported through the object's heap");
  char expect[600];
  snprintf(expect, sizeof expect,
           "rcgc: misuse: NULL heap: <Graph %p> refcount 2: rcgc_decref called with a NULL heap; "
           "ignored\n"
           "rcgc: misuse: NULL heap: <Graph %p> refcount 1: rcgc_decref called with a NULL heap; "
           "ignored\n"
           "rcgc: misuse: NULL heap: <Graph %p> refcount 1: rcgc_incref called with a NULL heap; "
           "ignored\n",
           (void *)n, (void *)n, (void *)n);
  cr_assert_str_eq(tl.sink.buf, expect);
#else
  cr_assert_eq(rcgc_misuse_count(tl.heap), 0, "a release build cannot tell the heap");
#endif
  rcgc_decref(tl.heap, n);
  cr_assert_eq(tl_destroyed, 1);
}

/* ------------------------------------------------------------ destroy from the sink */

#ifdef RCGC_CHECKS
static rcgc_heap *sink_heap;
static long sink_destroy_result = 99;
static int sink_destroys;
static void destroying_sink(void *ud, const char *text, size_t len) {
  tl_sink_write(ud, text, len);
  if (sink_heap != NULL && sink_destroys++ == 0)
    sink_destroy_result = rcgc_heap_destroy(sink_heap);
}
#endif

/* The sink runs while rcgc_decref reports the use of a freed object;
** destroying the heap there would free it under that call. */
Test(pointers, heap_destroy_from_the_sink_during_a_decref_is_refused) {
#ifndef RCGC_CHECKS
  cr_skip("freed blocks are reliably poisoned only in debug builds (quarantine)");
#else
  rcgc_heap_destroy(tl.heap);
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.alloc = tl_alloc_fn;
  cfg.alloc_ud = &tl.alloc;
  cfg.write = destroying_sink;
  cfg.write_ud = &tl.sink;
  tl.heap = sink_heap = rcgc_heap_new(&cfg);
  cr_assert_not_null(tl.heap);
  tl_node *keep = tl_new("keep"), *n = tl_new("n");
  rcgc_decref(tl.heap, n);
  rcgc_decref(tl.heap, n); /* reported: the sink tries to destroy the heap */
  sink_heap = NULL;
  cr_assert_eq(sink_destroy_result, RCGC_EBUSY, "refused (it would have reported 'keep')");
  cr_assert_eq(rcgc_misuse_count(tl.heap), 2);
  char expect[600];
  snprintf(expect, sizeof expect,
           "rcgc: misuse: use of a freed object: <freed object %p> refcount 0: rcgc_decref on an "
           "object that was already freed\n"
           "rcgc: misuse: heap destroyed from inside itself: rcgc_heap_destroy called from a "
           "callback, finalizer or traverse of the same heap; ignored\n",
           (void *)n);
  cr_assert_str_eq(tl.sink.buf, expect);
  cr_assert_eq(rcgc_refcount(keep), 1);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, keep);
  cr_assert_eq(tl_destroyed, 2);
#endif
}

/* ------------------------------------------------------------ junk reported by traverse */

static uint64_t junk_field[32];
static int junk_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  (void)o;
  return visit((char *)junk_field + 128, "junk", arg);
}
static const rcgc_type junk_type = {
    .name = "Junk", .size = sizeof(tl_node), .traverse = junk_traverse, .destroy = tl_count_destroy};

/* A traverse that reports a pointer into memory that holds no object: every
** build reports it and abandons the collection before writing into it. */
Test(pointers, collection_never_writes_into_a_junk_pointer_traverse_reports) {
  for (int pattern = 0; pattern < 2; pattern++) {
    memset(junk_field, pattern ? 0xab : 0x00, sizeof junk_field);
    tl_sink_reset(&tl.sink);
    tl_node *g = tl_new("g");
    TL_LINK(g, a, g); /* garbage beside it: kept, nothing is freed */
    rcgc_decref(tl.heap, g);
    void *j = rcgc_new(tl.heap, &junk_type);
    size_t misuse = rcgc_misuse_count(tl.heap);
    for (int gen = 0; gen < 3; gen += 2) {
      cr_assert_eq(rcgc_collect(tl.heap, gen), 0, "abandoned, generation %d", gen);
      for (size_t i = 0; i < sizeof junk_field; i++)
        cr_assert_eq(((unsigned char *)junk_field)[i], pattern ? 0xab : 0,
                     "byte %zu written (generation %d)", i, gen);
    }
    cr_assert_eq(rcgc_misuse_count(tl.heap), misuse + 2);
    char expect[300];
    snprintf(expect, sizeof expect,
             "rcgc: misuse: not an rcgc object: <not an rcgc object %p> refcount %u: traverse "
             "(collection) on a pointer that was not returned by rcgc_new of this heap\n",
             (void *)((char *)junk_field + 128), pattern ? 0xababababu : 0u);
    cr_assert_eq(tl_count_lines(&tl.sink, expect), 2, "%s", tl.sink.buf);
    cr_assert_eq(tl_destroyed, 2 * pattern, "nothing collected");
    rcgc_decref(tl.heap, j);
    cr_assert_eq(rcgc_collect(tl.heap, 2), 1, "the garbage once the junk is gone");
    cr_assert_eq(tl_destroyed, 2 * pattern + 2);
  }
}
