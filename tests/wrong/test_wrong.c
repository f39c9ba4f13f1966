/*
** test_wrong.c -- misuse is detected and reported, and the heap stays
** consistent. Each Test runs in its own process (Criterion's default), so a
** corrupted heap never leaks into the next case. Every case asserts the
** exact report line on the captured sink and rcgc_misuse_count, then ends
** with the heap destroyed and nothing left alive (tl_teardown_after_misuse: the shared
** teardown would fail on the misuse count these tests provoke on purpose).
**
** Cases: decref below zero; use of a freed object (debug builds: freed
** blocks stay poisoned in the quarantine); refcount too small (collection
** abandoned, nothing freed); mutation of the graph from inside a traverse
** (incref, decref, rcgc_new); collect from inside a traverse (RCGC_EBUSY);
** references between heaps (debug builds); heap destroy from inside a
** callback. Two threads inside one heap: test_wrong_threads.c.
*/
#include "testlib.h"

TL_DEFINE;

TestSuite(wrong, .init = tl_setup, .fini = tl_teardown_after_misuse);

#define assert_report TL_ASSERT_REPORT
#define assert_report_text(text) cr_assert_str_eq(tl.sink.buf ? tl.sink.buf : "", text)

/* ------------------------------------------------------------ decref below zero */

/* A destroy function that drops the reference being destroyed: the object
** is at refcount 0 then. */
static void destroy_drops_self(rcgc_heap *h, void *o) {
  tl_destroyed++;
  rcgc_decref(h, o);
}
static const rcgc_type self_dropping = {
    .name = "Dropper", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .destroy = destroy_drops_self};

Test(wrong, decref_below_zero) {
  tl_node *n = rcgc_new(tl.heap, &self_dropping);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(tl_destroyed, 1, "destroy ran once");
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report("rcgc: misuse: decref below zero: <Dropper %p> refcount 0: "
                "rcgc_decref on an object whose refcount is already 0\n",
                n);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
}

/* A finalizer that releases a reference it does not own: the temporary
** reference the library holds on the dying object while the finalizer runs.
** Expected: reported once, the object freed exactly once. */
static void finalize_drops_self(rcgc_heap *h, void *o) {
  tl_finalized++;
  rcgc_decref(h, o);
}
static const rcgc_type over_releasing = {
    .name = "OverRelease", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .finalize = finalize_drops_self, .destroy = tl_count_destroy};

Test(wrong, finalizer_releases_a_reference_it_does_not_own) {
  tl_node *n = rcgc_new(tl.heap, &over_releasing);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(tl_finalized, 1);
  cr_assert_eq(tl_destroyed, 1, "freed exactly once");
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report("rcgc: misuse: decref below zero: <OverRelease %p> refcount 0: "
                "a finalizer released a reference it did not own\n",
                n);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
}

/* ------------------------------------------------------------ use after free */

Test(wrong, decref_of_a_freed_object) {
#ifndef RCGC_CHECKS
  cr_skip("freed blocks are reliably poisoned only in debug builds (quarantine)");
#else
  tl_node *n = tl_new("n");
  rcgc_decref(tl.heap, n);
  cr_assert_eq(tl_destroyed, 1);
  rcgc_decref(tl.heap, n); /* the bug: a second decref */
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report("rcgc: misuse: use of a freed object: <freed object %p> refcount 0: "
                "rcgc_decref on an object that was already freed\n",
                n);
  rcgc_incref(tl.heap, n);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 2);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: misuse: use of a freed object: <freed object "), 2);
  cr_assert_eq(tl_destroyed, 1, "nothing freed twice");
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
#endif
}

/* A field still pointing at an object its owner already released: found
** when the holder is freed (its traverse reports the dead object). */
Test(wrong, dangling_field_found_when_holder_dies) {
#ifndef RCGC_CHECKS
  cr_skip("freed blocks are reliably poisoned only in debug builds (quarantine)");
#else
  tl_node *holder = tl_new("holder");
  tl_node *child = tl_new("child");
  holder->a = child; /* the caller's reference moves into the field */
  rcgc_decref(tl.heap, child); /* the bug: that reference is not ours any more */
  cr_assert_eq(tl_destroyed, 1);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 0, "not detectable yet");
  rcgc_decref(tl.heap, holder);
  cr_assert_eq(tl_destroyed, 2, "child not freed twice");
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report("rcgc: misuse: use of a freed object: <freed object %p> refcount 0: "
                "traverse (releasing references) on an object that was already freed\n",
                child);
#endif
}

/* ------------------------------------------------------------ refcount too small */

Test(wrong, refcount_too_small_abandons_the_collection) {
  tl_node *a = tl_new("a"), *b = tl_new("b");
  a->a = b; /* our reference to b moves into a->a */
  a->b = b; /* the bug: a second field without its reference */
  tl_node *g = tl_new("garbage"); /* real garbage beside it */
  TL_LINK(g, a, g);
  rcgc_decref(tl.heap, g);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report("rcgc: misuse: refcount is too small: <Graph %p> refcount 1: traverse functions "
                "report more references to this object than its refcount (1) counts; the collection "
                "was abandoned and nothing was freed\n",
                b);
  cr_assert_eq(tl_destroyed, 0, "nothing freed");
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 3);
  cr_assert_eq(rcgc_refcount(g), 1);
  /* the lists are intact: every object still in a generation */
  rcgc_list l;
  cr_assert_eq(rcgc_get_objects(tl.heap, -1, &l), RCGC_OK);
  cr_assert_eq(l.count, 3);
  rcgc_list_decref_and_free(tl.heap, &l);
  /* rcgc_check_heap names the same violation */
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_check_heap(tl.heap), 1);
  assert_report("rcgc: check: refcount is too small: <Graph %p> refcount 1 is below the references "
                "traverse functions report\n",
                b);
  /* repaired, everything collects */
  a->b = NULL;
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  rcgc_decref(tl.heap, a);
  cr_assert_eq(tl_destroyed, 3);
}

/* ------------------------------------------------------------ mutation inside traverse */

static int misbehave; /* 1 incref, 2 decref, 3 rcgc_new, 4 collect */
static void *made_in_traverse;
static long collect_in_traverse = 1;

static int bad_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  tl_node *n = o;
  switch (misbehave) {
  case 1:
    rcgc_incref(tl.heap, n);
    break;
  case 2:
    rcgc_decref(tl.heap, n);
    break;
  case 3:
    made_in_traverse = rcgc_new(tl.heap, &tl_node_type);
    break;
  case 4:
    collect_in_traverse = rcgc_collect(tl.heap, 0);
    break;
  }
  misbehave = 0;
  RCGC_VISIT(n->a, "a");
  RCGC_VISIT(n->b, "b");
  return 0;
}
static const rcgc_type bad_type = {
    .name = "Bad", .size = sizeof(tl_node), .traverse = bad_traverse, .destroy = tl_count_destroy};

static tl_node *new_bad(void) {
  tl_node *n = rcgc_new(tl.heap, &bad_type);
  cr_assert_not_null(n);
  return n;
}

Test(wrong, incref_inside_traverse) {
#ifndef RCGC_CHECKS
  cr_skip("the inline incref of release builds has no check");
#else
  tl_node *n = new_bad();
  misbehave = 1;
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report("rcgc: misuse: graph mutated inside traverse: <Bad %p> refcount 1: "
                "rcgc_incref called from inside a traverse function; ignored\n",
                n);
  cr_assert_eq(rcgc_refcount(n), 1, "ignored");
  rcgc_decref(tl.heap, n);
  cr_assert_eq(tl_destroyed, 1);
#endif
}

Test(wrong, decref_inside_traverse) {
#ifndef RCGC_CHECKS
  cr_skip("the inline decref of release builds has no check");
#else
  tl_node *n = new_bad();
  misbehave = 2;
  rcgc_list l;
  cr_assert_eq(rcgc_get_referents(tl.heap, (void *[]){n}, 1, &l), RCGC_OK);
  rcgc_list_decref_and_free(tl.heap, &l);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report("rcgc: misuse: graph mutated inside traverse: <Bad %p> refcount 1: "
                "rcgc_decref called from inside a traverse function; ignored\n",
                n);
  cr_assert_eq(rcgc_refcount(n), 1, "ignored: not freed under the traverse");
  cr_assert_eq(tl_destroyed, 0);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(tl_destroyed, 1);
#endif
}

Test(wrong, allocation_inside_traverse) {
  tl_node *n = new_bad();
  misbehave = 3;
  made_in_traverse = (void *)1;
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  cr_assert_null(made_in_traverse);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report_text("rcgc: misuse: allocation inside traverse: rcgc_new(Graph) called from inside a "
                "traverse function\n");
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 1);
  rcgc_decref(tl.heap, n);
}

Test(wrong, collect_inside_traverse) {
  tl_node *n = new_bad();
  TL_LINK(n, a, n);
  rcgc_decref(tl.heap, n); /* garbage */
  misbehave = 4;
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1, "the outer collection completes");
  cr_assert_eq(collect_in_traverse, RCGC_EBUSY);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report_text("rcgc: misuse: collect inside traverse: rcgc_collect called from inside a traverse "
                "function\n");
  cr_assert_eq(tl_destroyed, 1);
}

/* ------------------------------------------------------------ references between heaps */

#ifdef RCGC_CHECKS
static tl_sink other_sink;

static rcgc_heap *other_heap(void) {
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.write = tl_sink_write;
  cfg.write_ud = &other_sink;
  rcgc_heap *h = rcgc_heap_new(&cfg);
  cr_assert_not_null(h);
  return h;
}

static const rcgc_type other_type = {
    .name = "Other", .size = sizeof(tl_node), .traverse = tl_node_traverse};
#endif

Test(wrong, decref_through_another_heap) {
#ifndef RCGC_CHECKS
  cr_skip("objects record their heap only in debug builds");
#else
  rcgc_heap *b = other_heap();
  void *o = rcgc_new(b, &tl_node_type); /* b knows the type too */
  tl_node *n = tl_new("n");
  rcgc_decref(b, n);
  cr_assert_eq(rcgc_misuse_count(b), 1);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 0);
  char expect[256];
  snprintf(expect, sizeof expect,
           "rcgc: misuse: reference between heaps: <Graph %p> refcount 1: rcgc_decref on an object "
           "that belongs to another heap (%p)\n",
           (void *)n, (void *)tl.heap);
  cr_assert_str_eq(other_sink.buf, expect);
  cr_assert_eq(rcgc_refcount(n), 1, "not performed");
  rcgc_incref(b, n);
  cr_assert_eq(rcgc_misuse_count(b), 2);
  cr_assert_eq(rcgc_refcount(n), 1);
  rcgc_decref(b, o);
  cr_assert_eq(tl_destroyed, 1, "o, through its own heap");
  cr_assert_eq(rcgc_heap_destroy(b), 0);
  free(other_sink.buf);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(tl_destroyed, 2);
#endif
}

/* The report names the object's own type, whatever heap B has registered
** under the same type id, and works when B has registered no type at all. */
Test(wrong, decref_through_another_heap_names_the_right_type) {
#ifndef RCGC_CHECKS
  cr_skip("objects record their heap only in debug builds");
#else
  rcgc_heap *b = other_heap();
  void *o = rcgc_new(b, &other_type); /* b's type id 1 is "Other" */
  tl_node *n = tl_new("n");           /* the first heap's type id 1 is "Graph" */
  rcgc_decref(b, n);
  cr_expect_eq(rcgc_misuse_count(b), 1);
  char expect[256];
  snprintf(expect, sizeof expect,
           "rcgc: misuse: reference between heaps: <Graph %p> refcount 1: rcgc_decref on an object "
           "that belongs to another heap (%p)\n",
           (void *)n, (void *)tl.heap);
  cr_expect_str_eq(other_sink.buf, expect);
  rcgc_decref(b, o);
  cr_assert_eq(rcgc_heap_destroy(b), 0);
  free(other_sink.buf);
  other_sink.buf = NULL;
  other_sink.len = other_sink.cap = 0;

  rcgc_heap *fresh = other_heap(); /* no type registered yet */
  rcgc_decref(fresh, n);
  cr_expect_eq(rcgc_misuse_count(fresh), 1);
  snprintf(expect, sizeof expect,
           "rcgc: misuse: reference between heaps: <Graph %p> refcount 1: rcgc_decref on an object "
           "that belongs to another heap (%p)\n",
           (void *)n, (void *)tl.heap);
  cr_expect_str_eq(other_sink.buf ? other_sink.buf : "", expect);
  cr_assert_eq(rcgc_heap_destroy(fresh), 0);
  free(other_sink.buf);
  cr_assert_eq(rcgc_refcount(n), 1, "not performed");
  rcgc_decref(tl.heap, n);
#endif
}

/* An edge from an object of one heap to an object of another is found by
** the collector of the first. */
Test(wrong, edge_between_heaps_found_by_collection) {
#ifndef RCGC_CHECKS
  cr_skip("objects record their heap only in debug builds");
#else
  rcgc_heap *b = other_heap();
  tl_node *foreign = rcgc_new(b, &tl_node_type);
  tl_node *n = tl_new("n");
  n->a = foreign; /* the bug */
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  cr_assert_geq(rcgc_misuse_count(tl.heap), 1);
  char expect[256];
  snprintf(expect, sizeof expect,
           "rcgc: misuse: reference between heaps: <Graph %p> refcount 1: traverse (collection) on an "
           "object that belongs to another heap (%p)\n",
           (void *)foreign, (void *)b);
  cr_assert_eq(strncmp(tl.sink.buf, expect, strlen(expect)), 0, "got:\n%s", tl.sink.buf);
  cr_assert_eq(rcgc_refcount(foreign), 1, "the other heap's object is untouched");
  n->a = NULL;
  rcgc_decref(tl.heap, n);
  rcgc_decref(b, foreign);
  cr_assert_eq(rcgc_heap_destroy(b), 0);
  free(other_sink.buf);
#endif
}

/* ------------------------------------------------------------ destroy from a callback */

static long destroy_result = 99;
static void destroy_in_callback(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info, void *ud) {
  (void)info;
  (void)ud;
  if (phase == RCGC_PHASE_START)
    destroy_result = rcgc_heap_destroy(h);
}

Test(wrong, heap_destroy_from_inside_a_callback) {
  rcgc_callback_add(tl.heap, destroy_in_callback, NULL);
  tl_node *n = tl_new("n");
  TL_LINK(n, a, n);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1, "the collection goes on");
  cr_assert_eq(destroy_result, RCGC_EBUSY);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report_text("rcgc: misuse: heap destroyed from inside itself: rcgc_heap_destroy called from a "
                "callback, finalizer or traverse of the same heap; ignored\n");
  /* the heap is still usable */
  cr_assert_eq(rcgc_callback_remove(tl.heap, destroy_in_callback, NULL), RCGC_OK);
  tl_node *m = tl_new("m");
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, m);
  cr_assert_eq(tl_destroyed, 2);
}

static void destroy_in_finalizer(rcgc_heap *h, void *o) {
  (void)o;
  tl_finalized++;
  destroy_result = rcgc_heap_destroy(h);
}
static const rcgc_type destroying_type = {
    .name = "Destroyer", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .finalize = destroy_in_finalizer, .destroy = tl_count_destroy};

Test(wrong, heap_destroy_from_inside_a_finalizer) {
  void *n = rcgc_new(tl.heap, &destroying_type);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(tl_finalized, 1);
  cr_assert_eq(destroy_result, RCGC_EBUSY);
  cr_assert_eq(tl_destroyed, 1);
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  assert_report_text("rcgc: misuse: heap destroyed from inside itself: rcgc_heap_destroy called from a "
                "callback, finalizer or traverse of the same heap; ignored\n");
}
