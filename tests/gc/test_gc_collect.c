/*
** test_gc_collect.c -- what rcgc_collect returns and what it leaves behind,
** ported from CPython's test_gc:
** test_list/test_dict (self-cycle -> 1), test_tuple (two-object cycle -> 2),
** test_instance (a cycle beside live objects, then an extra collect -> 0),
** test_saveall (DEBUG_SAVEALL keeps exactly the cycle, same address),
** test_get_count, test_collect_generations, test_gc_debug_stats (regexes,
** and the exact lines), test_get_stats, invalid generations, plus the leak
** report of rcgc_heap_destroy line by line.
*/
#include "testlib.h"

#include <regex.h>

TL_DEFINE;

TestSuite(gc_collect, .init = tl_setup, .fini = tl_teardown);

/* ------------------------------------------------------------ helpers */

static tl_node *self_cycle(const char *name) {
  tl_node *n = tl_new(name);
  TL_LINK(n, a, n);
  return n;
}

/* x.a = y, y.b = x; both references returned to the caller */
static void two_cycle(tl_node **x, tl_node **y) {
  *x = tl_new("x");
  *y = tl_new("y");
  TL_LINK(*x, a, *y);
  TL_LINK(*y, b, *x);
}

static void assert_count(long c0, long c1, long c2) {
  long c[3] = {-1, -1, -1};
  cr_assert_eq(rcgc_get_count(tl.heap, c), RCGC_OK);
  cr_assert(c[0] == c0 && c[1] == c1 && c[2] == c2, "get_count: expected (%ld, %ld, %ld), got (%ld, %ld, %ld)",
            c0, c1, c2, c[0], c[1], c[2]);
}

/* Number of lines of the sink matching the extended regex 'pattern'. */
static int count_matching(const char *pattern) {
  regex_t re;
  cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0, "bad regex %s", pattern);
  int n = 0;
  const char *p = tl.sink.buf ? tl.sink.buf : "";
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    char line[512];
    cr_assert_lt(len, sizeof line);
    memcpy(line, p, len);
    line[len] = 0;
    if (regexec(&re, line, 0, NULL, 0) == 0)
      n++;
    if (!nl)
      break;
    p = nl + 1;
  }
  regfree(&re);
  return n;
}

/* ------------------------------------------------------------ counts */

Test(gc_collect, self_cycle_returns_one) { /* test_list, test_dict */
  tl_node *n = self_cycle("self");
  rcgc_decref(tl.heap, n);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 1);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(tl_destroyed, 1);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
}

Test(gc_collect, two_object_cycle_returns_two) { /* test_tuple */
  tl_node *x, *y;
  two_cycle(&x, &y);
  rcgc_decref(tl.heap, x);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0, "y still held: nothing is garbage");
  cr_assert_eq(tl_destroyed, 0);
  rcgc_decref(tl.heap, y);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(tl_destroyed, 2);
}

Test(gc_collect, cycle_beside_live_objects) { /* test_instance, test_newinstance */
  /* live: a chain of 5 held by 'head', and a self-cycle held by 'keep' */
  tl_node *head = tl_new("head"), *cur = head;
  for (int i = 0; i < 4; i++) {
    tl_node *n = tl_new("chain");
    cur->a = n; /* moves our reference into the field */
    cur = n;
  }
  tl_node *keep = self_cycle("keep");
  /* garbage: a ring of 3 */
  tl_node *r0 = tl_new("r0"), *r1 = tl_new("r1"), *r2 = tl_new("r2");
  TL_LINK(r0, a, r1);
  TL_LINK(r1, a, r2);
  TL_LINK(r2, a, r0);
  rcgc_decref(tl.heap, r0);
  rcgc_decref(tl.heap, r1);
  rcgc_decref(tl.heap, r2);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 9);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 3);
  cr_assert_eq(tl_destroyed, 3);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 6);
  cr_assert_eq(rcgc_refcount(head), 1);
  cr_assert_eq(rcgc_refcount(keep), 2);
  cr_assert_eq(rcgc_refcount(cur), 1);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0, "the extra collect finds nothing");
  rcgc_decref(tl.heap, head);
  cr_assert_eq(tl_destroyed, 8);
  rcgc_decref(tl.heap, keep);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(tl_destroyed, 9);
}

Test(gc_collect, collect_young_generation_only) {
  tl_use_cpython_policy(); /* generation 0 without the suspects */
  tl_node *old = self_cycle("old");
  cr_assert_eq(rcgc_collect(tl.heap, 0), 0); /* held: moves to generation 1 */
  rcgc_decref(tl.heap, old);                 /* garbage, but in generation 1 */
  tl_node *young = self_cycle("young");
  rcgc_decref(tl.heap, young);
  cr_assert_eq(rcgc_collect(tl.heap, 0), 1, "only the young cycle");
  cr_assert_eq(tl_destroyed, 1);
  cr_assert_eq(rcgc_collect(tl.heap, 1), 1, "the old one with generation 1");
  cr_assert_eq(tl_destroyed, 2);
}

Test(gc_collect, saveall_keeps_exactly_the_cycle) { /* test_saveall */
  tl_node *n = self_cycle("saved");
  rcgc_decref(tl.heap, n);
  cr_assert_eq(rcgc_set_debug(tl.heap, RCGC_DEBUG_SAVEALL), RCGC_OK);
  cr_assert_eq(rcgc_get_debug(tl.heap), RCGC_DEBUG_SAVEALL);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 1);
  cr_assert_eq(rcgc_garbage_get(tl.heap, 0), (void *)n, "same address");
  cr_assert_null(rcgc_garbage_get(tl.heap, 1));
  cr_assert_eq(rcgc_refcount(n), 2, "its own reference and the garbage list's");
  cr_assert_eq(tl_destroyed, 0);
  /* a two-object cycle: both, in list order */
  tl_node *x, *y;
  two_cycle(&x, &y);
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 3);
  cr_assert_eq(rcgc_garbage_get(tl.heap, 1), (void *)x);
  cr_assert_eq(rcgc_garbage_get(tl.heap, 2), (void *)y);
  rcgc_set_debug(tl.heap, 0);
  /* del gc.garbage[:] drops the references; the cycles are garbage again */
  cr_assert_eq(rcgc_garbage_clear(tl.heap), 3);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 0);
  cr_assert_eq(tl_destroyed, 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 3);
  cr_assert_eq(tl_destroyed, 3);
}

/* ------------------------------------------------------------ counters */

Test(gc_collect, get_count) { /* test_get_count */
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  assert_count(0, 0, 0);
  tl_node *a = tl_new("a"), *b = tl_new("b"), *c = tl_new("c");
  assert_count(3, 0, 0);
  tl_node *leaf = rcgc_new(tl.heap, &tl_leaf_type); /* untracked: not counted */
  cr_assert_not_null(leaf);
  assert_count(3, 0, 0);
  rcgc_decref(tl.heap, leaf);
  assert_count(3, 0, 0);
  rcgc_decref(tl.heap, c);
  assert_count(2, 0, 0);
  cr_assert_eq(rcgc_collect(tl.heap, 0), 0);
  assert_count(0, 1, 0);
  rcgc_decref(tl.heap, b); /* a deallocation never takes count0 below 0 */
  assert_count(0, 1, 0);
  rcgc_decref(tl.heap, a);
  assert_count(0, 1, 0);
}

Test(gc_collect, collect_generations) { /* test_collect_generations */
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  tl_node *n = tl_new("n");
  assert_count(1, 0, 0);
  cr_assert_eq(rcgc_collect(tl.heap, 0), 0);
  assert_count(0, 1, 0);
  cr_assert_eq(rcgc_collect(tl.heap, 0), 0);
  assert_count(0, 2, 0);
  cr_assert_eq(rcgc_collect(tl.heap, 1), 0);
  assert_count(0, 0, 1);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  assert_count(0, 0, 0);
  rcgc_decref(tl.heap, n);
}

Test(gc_collect, invalid_generation) {
  tl_node *n = self_cycle("n");
  rcgc_decref(tl.heap, n);
  cr_assert_eq(rcgc_collect(tl.heap, 3), RCGC_ERANGE);
  cr_assert_eq(rcgc_collect(tl.heap, -1), RCGC_ERANGE);
  cr_assert_eq(rcgc_collect(tl.heap, 1000), RCGC_ERANGE);
  cr_assert_eq(rcgc_collect(tl.heap, -1000), RCGC_ERANGE);
  cr_assert_eq(rcgc_collect(NULL, 0), RCGC_EINVAL);
  cr_assert_eq(tl_destroyed, 0, "an invalid call collects nothing");
  assert_count(1, 0, 0);
  rcgc_gen_stats st[3];
  rcgc_get_stats(tl.heap, st);
  cr_assert_eq(st[0].collections + st[1].collections + st[2].collections, 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
}

/* ------------------------------------------------------------ debug output */

Test(gc_collect, debug_stats_lines) { /* test_gc_debug_stats */
  tl_node *n = self_cycle("n");
  rcgc_decref(tl.heap, n);
  rcgc_set_debug(tl.heap, RCGC_DEBUG_STATS);
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  rcgc_set_debug(tl.heap, 0);
  cr_assert_eq(count_matching("^gc: collecting generation [0-9]+\\.\\.\\.$"), 1, "%s", tl.sink.buf);
  cr_assert_eq(count_matching("^gc: objects in each generation: [0-9]+ [0-9]+ [0-9]+$"), 1);
  cr_assert_eq(count_matching("^gc: objects in permanent generation: [0-9]+$"), 1);
  cr_assert_eq(count_matching("^gc: done, [0-9]+ unreachable, [0-9]+ uncollectable, "
                              "[0-9]+\\.[0-9]{4}s elapsed$"),
               1);
  cr_assert_eq(count_matching("^gc: "), 4, "nothing else: %s", tl.sink.buf);
  /* without the flag: no output at all */
  tl_sink_reset(&tl.sink);
  n = self_cycle("n2");
  rcgc_decref(tl.heap, n);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(tl.sink.len, 0, "unexpected output: %s", tl.sink.buf);
  cr_assert_eq(count_matching("elapsed"), 0);
}

/* The exact text with known numbers in every generation. */
Test(gc_collect, debug_stats_exact_text) {
  tl_node *frozen = tl_new("frozen");
  cr_assert_eq(rcgc_freeze(tl.heap), RCGC_OK); /* permanent: 1 */
  tl_node *g2[3];
  for (int i = 0; i < 3; i++)
    g2[i] = tl_new("g2");
  cr_assert_eq(rcgc_collect(tl.heap, 1), 0); /* generation 2: 3 */
  tl_node *g1[2];
  for (int i = 0; i < 2; i++)
    g1[i] = tl_new("g1");
  cr_assert_eq(rcgc_collect(tl.heap, 0), 0); /* generation 1: 2 */
  tl_node *g0[4];
  for (int i = 0; i < 4; i++)
    g0[i] = tl_new("g0");
  tl_node *cyc = self_cycle("cyc"); /* generation 0: 5 */
  rcgc_decref(tl.heap, cyc);
  rcgc_set_debug(tl.heap, RCGC_DEBUG_STATS);
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_collect(tl.heap, 1), 1);
  const char *expect = "gc: collecting generation 1...\n"
                       "gc: objects in each generation: 5 2 3\n"
                       "gc: objects in permanent generation: 1\n";
  cr_assert_eq(strncmp(tl.sink.buf, expect, strlen(expect)), 0, "got:\n%s", tl.sink.buf);
  cr_assert_eq(count_matching("^gc: done, 1 unreachable, 0 uncollectable, [0-9]+\\.[0-9]{4}s elapsed$"), 1,
               "got:\n%s", tl.sink.buf);
  cr_assert_eq(count_matching("^gc: "), 4);
  /* and after that collection: 0 in 0 and 1, 3 + 2 + 4 in 2 */
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  expect = "gc: collecting generation 2...\n"
           "gc: objects in each generation: 0 0 9\n"
           "gc: objects in permanent generation: 1\n";
  cr_assert_eq(strncmp(tl.sink.buf, expect, strlen(expect)), 0, "got:\n%s", tl.sink.buf);
  cr_assert_eq(count_matching("^gc: done, 0 unreachable, 0 uncollectable, [0-9]+\\.[0-9]{4}s elapsed$"), 1);
  rcgc_set_debug(tl.heap, 0);
  rcgc_unfreeze(tl.heap);
  rcgc_decref(tl.heap, frozen);
  for (int i = 0; i < 3; i++)
    rcgc_decref(tl.heap, g2[i]);
  for (int i = 0; i < 2; i++)
    rcgc_decref(tl.heap, g1[i]);
  for (int i = 0; i < 4; i++)
    rcgc_decref(tl.heap, g0[i]);
}

Test(gc_collect, debug_collectable_lines) {
  tl_node *x, *y;
  two_cycle(&x, &y);
  x->name = "one";
  y->name = "two";
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
  rcgc_set_debug(tl.heap, RCGC_DEBUG_COLLECTABLE);
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  char expect[256];
  snprintf(expect, sizeof expect, "gc: collectable <Graph %p>\ngc: collectable <Graph %p>\n", (void *)x,
           (void *)y);
  cr_assert_str_eq(tl.sink.buf, expect);
  /* the rcgc extension: the repr appended */
  two_cycle(&x, &y);
  x->name = "one";
  y->name = "two";
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
  rcgc_set_debug(tl.heap, RCGC_DEBUG_COLLECTABLE | RCGC_DEBUG_REPR);
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  snprintf(expect, sizeof expect,
           "gc: collectable <Graph %p> Graph(one)\ngc: collectable <Graph %p> Graph(two)\n", (void *)x,
           (void *)y);
  cr_assert_str_eq(tl.sink.buf, expect);
  rcgc_set_debug(tl.heap, 0);
}

Test(gc_collect, debug_leak_is_38) {
  cr_assert_eq(RCGC_DEBUG_STATS, 1);
  cr_assert_eq(RCGC_DEBUG_COLLECTABLE, 2);
  cr_assert_eq(RCGC_DEBUG_UNCOLLECTABLE, 4);
  cr_assert_eq(RCGC_DEBUG_SAVEALL, 32);
  cr_assert_eq(RCGC_DEBUG_LEAK, RCGC_DEBUG_COLLECTABLE | RCGC_DEBUG_UNCOLLECTABLE | RCGC_DEBUG_SAVEALL);
  tl_node *n = self_cycle("leak");
  rcgc_decref(tl.heap, n);
  rcgc_set_debug(tl.heap, RCGC_DEBUG_LEAK);
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  char expect[128];
  snprintf(expect, sizeof expect, "gc: collectable <Graph %p>\n", (void *)n);
  cr_assert_str_eq(tl.sink.buf, expect);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 1);
  cr_assert_eq(rcgc_garbage_get(tl.heap, 0), (void *)n);
  rcgc_set_debug(tl.heap, 0);
  /* hand the garbage back to the collector */
  cr_assert_eq(rcgc_garbage_release(tl.heap, 0), 1);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 0);
  cr_assert_eq(tl_destroyed, 1);
}

/* ------------------------------------------------------------ get_stats */

Test(gc_collect, get_stats_bumps_only_the_collected_generation) { /* test_get_stats */
  rcgc_gen_stats before[3], after[3];
  cr_assert_eq(rcgc_get_stats(tl.heap, before), RCGC_OK);
  for (int g = 0; g < 3; g++) {
    cr_assert_eq(before[g].collections, 0);
    cr_assert_eq(before[g].collected, 0);
    cr_assert_eq(before[g].uncollectable, 0);
    cr_assert_eq(before[g].candidates, 0);
    cr_assert(before[g].total_duration == 0.0 && before[g].max_duration == 0.0);
  }
  tl_node *live = tl_new("live");
  tl_node *n = self_cycle("n");
  rcgc_decref(tl.heap, n);
  cr_assert_eq(rcgc_collect(tl.heap, 0), 1);
  rcgc_get_stats(tl.heap, after);
  cr_assert_eq(after[0].collections, 1);
  cr_assert_eq(after[0].collected, 1);
  cr_assert_eq(after[0].uncollectable, 0);
  cr_assert_eq(after[0].candidates, 2);
  cr_assert(after[0].total_duration >= 0.0 && after[0].max_duration >= 0.0);
  cr_assert(after[0].max_duration <= after[0].total_duration);
  for (int g = 1; g < 3; g++)
    cr_assert(memcmp(&after[g], &before[g], sizeof after[g]) == 0, "generation %d changed", g);

  memcpy(before, after, sizeof before);
  n = self_cycle("n2");
  rcgc_decref(tl.heap, n);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  rcgc_get_stats(tl.heap, after);
  cr_assert_eq(after[2].collections, 1);
  cr_assert_eq(after[2].collected, 1);
  cr_assert_eq(after[2].candidates, 2, "live (generation 1) + the new cycle");
  for (int g = 0; g < 2; g++)
    cr_assert(memcmp(&after[g], &before[g], sizeof after[g]) == 0, "generation %d changed", g);

  cr_assert_eq(rcgc_collect(tl.heap, 1), 0);
  rcgc_get_stats(tl.heap, after);
  cr_assert_eq(after[0].collections, 1);
  cr_assert_eq(after[1].collections, 1);
  cr_assert_eq(after[1].collected, 0);
  cr_assert_eq(after[1].candidates, 0, "live is in generation 2 now");
  cr_assert_eq(after[2].collections, 1);
  cr_assert_eq(rcgc_get_stats(NULL, after), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_stats(tl.heap, NULL), RCGC_EINVAL);
  rcgc_decref(tl.heap, live);
}

/* ------------------------------------------------------------ heap destroy */

static void legacy_noop(rcgc_heap *h, void *o) {
  (void)h;
  (void)o;
  tl_legacy_finalized++;
}
static const rcgc_type legacy_type = {
    .name = "Legacy", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .legacy_finalize = legacy_noop, .destroy = tl_count_destroy, .repr = tl_node_repr};
static const rcgc_type bare_type = {
    .name = "Bare", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .destroy = tl_count_destroy};

Test(gc_collect, leak_report_at_destroy) {
  tl_node *kept = tl_new("kept");
  rcgc_incref(tl.heap, kept); /* refcount 2 */
  tl_node *bare = rcgc_new(tl.heap, &bare_type);
  tl_node *leaf = rcgc_new(tl.heap, &tl_leaf_type);
  leaf->name = "leaf";
  tl_node *legacy = rcgc_new(tl.heap, &legacy_type);
  legacy->name = "old";
  TL_LINK(legacy, a, legacy);
  rcgc_decref(tl.heap, legacy); /* uncollectable self-cycle */
  tl_node *x, *y;
  two_cycle(&x, &y); /* plain garbage: freed silently by the final collection */
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
  rcgc_set_debug(tl.heap, 0);
  tl_sink_reset(&tl.sink);
  size_t alive = rcgc_heap_destroy(tl.heap);
  tl.heap = NULL;
  cr_assert_eq(alive, 4);
  char expect[1024];
  snprintf(expect, sizeof expect,
           "rcgc: heap destroy: 4 objects still alive\n"
           "rcgc: leak: <Graph %p> refcount 2 Graph(kept) [held from outside the heap]\n"
           "rcgc: leak: <Bare %p> refcount 1 [held from outside the heap]\n"
           "rcgc: leak: <Legacy %p> refcount 2 Graph(old) [uncollectable: legacy finalizer in a reference cycle]\n"
           "rcgc: leak: <Leaf %p> refcount 1 Graph(leaf) [held from outside the heap]\n",
           (void *)kept, (void *)bare, (void *)legacy, (void *)leaf);
  cr_assert_str_eq(tl.sink.buf, expect);
  cr_assert_eq(tl_destroyed, 6, "every destroy function ran");
  cr_assert_eq(tl_legacy_finalized, 0, "the default policy runs no legacy finalizer");
}

Test(gc_collect, clean_destroy_prints_nothing) {
  tl_node *x, *y;
  two_cycle(&x, &y);
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
  tl_node *s = self_cycle("s");
  rcgc_decref(tl.heap, s);
  rcgc_set_debug(tl.heap, RCGC_DEBUG_SAVEALL); /* ignored by the final collection */
  cr_assert_eq(rcgc_collect(tl.heap, 2), 3);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 3);
  rcgc_set_debug(tl.heap, RCGC_DEBUG_SAVEALL);
  tl_sink_reset(&tl.sink);
  cr_assert_eq(rcgc_heap_destroy(tl.heap), 0);
  tl.heap = NULL;
  cr_assert_eq(tl.sink.len, 0, "unexpected output: %s", tl.sink.buf);
  cr_assert_eq(tl_destroyed, 3);
  cr_assert_eq(rcgc_heap_destroy(NULL), RCGC_EINVAL);
}
