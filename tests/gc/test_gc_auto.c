/*
** test_gc_auto.c -- automatic collection, ported from CPython's
** GCTogglingTests and CPython 3.11's triggering rules (thresholds and the
** long-lived rule): no automatic run with collection disabled over 10,000 allocations
** (test_indirect_calls_with_gc_disabled) nor with threshold0 = 0 over
** 50,000 (test_threshold_zero); with the defaults (700, 10, 10) the exact
** number of generation-0 and generation-1 collections for known allocation
** patterns; net allocations (allocate-and-free never triggers); garbage
** cycles kept bounded; and the 25 % long-lived rule: building a 2,000,000
** object structure runs 11 full collections where the plain thresholds
** would run 21 (numbers from a model of CPython's rule, see below).
*/
#include "testlib.h"

TL_DEFINE;

/* CPython 3.11's automatic schedule, exactly: the CPython policy. */
TestSuite(gc_auto, .init = tl_setup_cpython, .fini = tl_teardown);

static long runs[3];
static long total_runs;
static void count_runs(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info, void *ud) {
  (void)h;
  (void)ud;
  if (phase == RCGC_PHASE_START) {
    runs[info->generation]++;
    total_runs++;
  }
}

static void start_counting(void) {
  runs[0] = runs[1] = runs[2] = total_runs = 0;
  cr_assert_eq(rcgc_callback_add(tl.heap, count_runs, NULL), RCGC_OK);
}

static void assert_count(long c0, long c1, long c2) {
  long c[3];
  rcgc_get_count(tl.heap, c);
  cr_assert(c[0] == c0 && c[1] == c1 && c[2] == c2, "get_count: expected (%ld, %ld, %ld), got (%ld, %ld, %ld)",
            c0, c1, c2, c[0], c[1], c[2]);
}

/* A chain head -> n1 -> n2 ... of 'n' objects (head included): every
** object stays alive, held by its predecessor. */
static tl_node *build_chain(long n) {
  tl_node *head = tl_new("head"), *cur = head;
  for (long i = 1; i < n; i++) {
    tl_node *next = rcgc_new(tl.heap, &tl_node_type);
    cr_assert_not_null(next);
    cur->a = next;
    cur = next;
  }
  return head;
}

Test(gc_auto, none_when_disabled) { /* test_indirect_calls_with_gc_disabled */
  start_counting();
  cr_assert_eq(rcgc_isenabled(tl.heap), 0);
  tl_node *chain = build_chain(10000);
  cr_assert_eq(total_runs, 0);
  assert_count(10000, 0, 0);
  /* enabling is enough for the next allocation to collect */
  rcgc_enable(tl.heap);
  tl_node *one = tl_new("one");
  cr_assert_eq(total_runs, 1);
  cr_assert_eq(runs[0], 1);
  assert_count(0, 1, 0);
  rcgc_decref(tl.heap, one);
  rcgc_decref(tl.heap, chain);
  rcgc_callback_remove(tl.heap, count_runs, NULL);
}

Test(gc_auto, none_with_threshold_zero) { /* test_threshold_zero */
  start_counting();
  rcgc_enable(tl.heap);
  cr_assert_eq(rcgc_set_threshold(tl.heap, 0, 10, 10), RCGC_OK);
  tl_node *chain = build_chain(50000);
  for (long i = 0; i < 1000; i++) { /* garbage cycles too */
    tl_node *n = tl_new("cyc");
    TL_LINK(n, a, n);
    rcgc_decref(tl.heap, n);
  }
  cr_assert_eq(total_runs, 0);
  assert_count(51000, 0, 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1000);
  rcgc_decref(tl.heap, chain);
  rcgc_callback_remove(tl.heap, count_runs, NULL);
}

/* With threshold0 = 700 a generation-0 collection starts at the allocation
** that makes count0 exceed 700, before the new object exists (count0 is
** reset, so that object is not counted): at allocations 701, 1402, 2103,
** ... -- every 701. The 12th run is a generation-1 collection (count1 > 10
** after 11 generation-0 runs). */
Test(gc_auto, default_thresholds_exact_runs) {
  TL_SKIP_UNDER_STRESS();
  rcgc_enable(tl.heap);
  start_counting();
  tl_node *chain = build_chain(700);
  cr_assert_eq(total_runs, 0);
  assert_count(700, 0, 0);
  tl_node *more = build_chain(1);
  cr_assert_eq(total_runs, 1);
  assert_count(0, 1, 0);
  rcgc_decref(tl.heap, more);
  rcgc_decref(tl.heap, chain);

  rcgc_collect(tl.heap, 2);
  runs[0] = runs[1] = runs[2] = total_runs = 0;
  chain = build_chain(7010);
  cr_assert_eq(runs[0], 10);
  cr_assert_eq(runs[1], 0);
  cr_assert_eq(runs[2], 0);
  assert_count(0, 10, 0);
  more = build_chain(1);
  assert_count(1, 10, 0);
  rcgc_decref(tl.heap, more);
  rcgc_decref(tl.heap, chain);

  rcgc_collect(tl.heap, 2);
  runs[0] = runs[1] = runs[2] = total_runs = 0;
  chain = build_chain(8412);
  cr_assert_eq(runs[0], 11);
  cr_assert_eq(runs[1], 1);
  cr_assert_eq(runs[2], 0);
  assert_count(0, 0, 1);
  rcgc_decref(tl.heap, chain);
  rcgc_callback_remove(tl.heap, count_runs, NULL);
}

Test(gc_auto, allocate_and_free_never_triggers) {
  TL_SKIP_UNDER_STRESS();
  rcgc_enable(tl.heap);
  start_counting();
  for (long i = 0; i < 100000; i++) {
    tl_node *n = tl_new("tmp");
    rcgc_decref(tl.heap, n);
  }
  cr_assert_eq(total_runs, 0, "count0 is allocations minus deallocations");
  assert_count(0, 0, 0);
  rcgc_callback_remove(tl.heap, count_runs, NULL);
}

Test(gc_auto, garbage_cycles_are_collected_automatically) {
  TL_SKIP_UNDER_STRESS();
  rcgc_enable(tl.heap);
  start_counting();
  size_t max_alive = 0;
  for (long i = 0; i < 7010; i++) {
    tl_node *n = tl_new("cyc");
    TL_LINK(n, a, n);
    rcgc_decref(tl.heap, n);
    if (rcgc_heap_object_count(tl.heap) > max_alive)
      max_alive = rcgc_heap_object_count(tl.heap);
  }
  cr_assert_eq(runs[0], 10);
  cr_assert_eq(runs[1], 0);
  rcgc_gen_stats st[3];
  rcgc_get_stats(tl.heap, st);
  /* the first run finds cycles 1..700, each later one the 701 made since */
  cr_assert_eq(st[0].collected, 700 + 9 * 701);
  cr_assert_eq(st[0].candidates, 700 + 9 * 701);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 1);
  cr_assert_eq(max_alive, 701);
  rcgc_callback_remove(tl.heap, count_runs, NULL);
  cr_assert_eq(rcgc_collect(tl.heap, 0), 1);
}

/* The long-lived rule. Expected numbers come from a model of CPython's
** collect_generations (3.11) run on the same allocation pattern (every
** object survives; a full collection needs count2 > threshold2 *and*
** long_lived_pending >= long_lived_total / 4):
**   2,000,000 allocations -> 2606 generation-0, 236 generation-1 and 11
**   full collections, final counts (47, 10, 14);
**   without the 25 % rule the same model gives 21 full collections.
** The model: on each tracked allocation count0++; if count0 > t0, take
** the oldest generation g with count[g] > t[g] (skipping 2 when pending <
** total / 4), collect it: count[g+1]++, count[0..g] = 0, survivors of
** 0..g move to g+1 (pending += survivors when g == 1; total = survivors,
** pending = 0 when g == 2); then the object joins generation 0. */
Test(gc_auto, long_lived_rule_makes_full_collections_rare) {
  TL_SKIP_UNDER_STRESS();
  rcgc_enable(tl.heap);
  start_counting();
  tl_node *chain = build_chain(2000000);
  cr_assert_eq(runs[0], 2606);
  cr_assert_eq(runs[1], 236);
  cr_assert_eq(runs[2], 11, "the plain thresholds would run 21");
  assert_count(47, 10, 14);
  rcgc_gen_stats st[3];
  rcgc_get_stats(tl.heap, st);
  cr_assert_eq(st[2].collections, 11);
  cr_assert_eq(st[2].collected, 0);
  /* objects examined, per generation (the model's numbers); without the
  ** rule the full collections would examine 21,536,802 */
  cr_assert_eq(st[0].candidates, 1826805);
  cr_assert_eq(st[1].candidates, 1985231);
  cr_assert_eq(st[2].candidates, 8273191);
  rcgc_decref(tl.heap, chain);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  rcgc_callback_remove(tl.heap, count_runs, NULL);
}
