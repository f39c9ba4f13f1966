/*
** test_incremental.c -- incremental collection (rcgc.h section 5,
** "Incremental collection: bounded pauses"): slices under a pause budget,
** rcgc_collect_step, the program mutating the heap between slices --
** references set, moved without counts, dropped, objects dying, untracked,
** new ones made -- with nothing reachable ever freed, every cycle that was
** garbage at the start freed by the end, finalizers, weak reference
** callbacks and resurrection in the last step, the callbacks' slice
** events, the statistics, rcgc_collect finishing a running one, and a
** collection abandoned for want of memory. rcgc_check_heap runs after
** every slice.
*/
#include "testlib.h"
#include "internal.h" /* rcgc__inc_start: a full incremental collection on demand */

#include <stdlib.h>

TL_DEFINE;

static void setup(void) {
  tl_setup();
  cr_assert_eq(rcgc_set_policy(tl.heap, RCGC_POLICY_SUSPECTS), RCGC_OK);
}

TestSuite(incremental, .init = setup, .fini = tl_teardown);

/* Continue the running collection in slices of 1 us, calling 'between'
** (may be NULL) after each and checking the heap; returns the slices. */
static long run_slices(void (*between)(long step, void *ud), void *ud) {
  long steps = 0;
  for (;;) {
    int r = rcgc_collect_step(tl.heap, 1);
    cr_assert(r == 0 || r == 1, "rcgc_collect_step returned %d", r);
    steps++;
    cr_assert_eq(rcgc_check_heap(tl.heap), 0, "after slice %ld:\n%.4000s", steps,
                 tl.sink.buf ? tl.sink.buf : "");
    if (r == 0)
      return steps;
    if (between != NULL)
      between(steps, ud);
    cr_assert_lt(steps, 10000000, "the collection never ends");
  }
}

/* A ring of 'n' nodes closed by transfer: no decrement, no suspect. */
static tl_node *ring(int n) {
  tl_node *first = tl_new("ring"), *last = first;
  for (int i = 1; i < n; i++) {
    tl_node *x = tl_new("ring");
    last->a = x; /* the creation reference moves into the field */
    last = x;
  }
  last->a = first;
  return first;
}

/* A garbage ring whose first node is a suspect (made garbage by a
** decrement). */
static tl_node *suspect_ring(int n) {
  tl_node *r = ring(n);
  rcgc_incref(tl.heap, r);
  rcgc_decref(tl.heap, r);
  return r;
}

static rcgc_incremental_stats inc_stats(void) {
  rcgc_incremental_stats s;
  cr_assert_eq(rcgc_get_incremental_stats(tl.heap, &s), RCGC_OK);
  return s;
}

/* ------------------------------------------------------------ the API */

Test(incremental, budget_setter_getter_and_config) {
  TL_SKIP_UNDER_BUDGET();
  cr_assert_eq(rcgc_get_pause_budget(tl.heap), 0);
  cr_assert_eq(rcgc_set_pause_budget(tl.heap, 1000), RCGC_OK);
  cr_assert_eq(rcgc_get_pause_budget(tl.heap), 1000);
  cr_assert_eq(rcgc_set_pause_budget(tl.heap, RCGC_PAUSE_BUDGET_MAX + 1), RCGC_ERANGE);
  cr_assert_eq(rcgc_get_pause_budget(tl.heap), 1000);
  cr_assert_eq(rcgc_set_pause_budget(NULL, 1), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_pause_budget(NULL), 0);

  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cr_assert_eq(cfg.pause_budget_us, 0);
  cfg.pause_budget_us = 250;
  rcgc_heap *h = rcgc_heap_new(&cfg);
  cr_assert_not_null(h);
  cr_assert_eq(rcgc_get_pause_budget(h), 250);
  cr_assert_eq(rcgc_heap_destroy(h), 0);
  cfg.pause_budget_us = RCGC_PAUSE_BUDGET_MAX + 1;
  cr_assert_null(rcgc_heap_new(&cfg));
  /* a configuration from before the field existed gets 0 */
  rcgc_config_init(&cfg);
  cfg.size = offsetof(rcgc_config, pause_budget_us);
  h = rcgc_heap_new(&cfg);
  cr_assert_not_null(h);
  cr_assert_eq(rcgc_get_pause_budget(h), 0);
  cr_assert_eq(rcgc_heap_destroy(h), 0);
}

Test(incremental, collect_step_with_nothing_waiting_and_its_errors) {
  cr_assert_eq(rcgc_collect_step(tl.heap, 1000), 0);
  cr_assert_eq(rcgc_collect_step(tl.heap, 0), RCGC_EINVAL);
  cr_assert_eq(rcgc_collect_step(tl.heap, RCGC_PAUSE_BUDGET_MAX + 1), RCGC_ERANGE);
  cr_assert_eq(rcgc_collect_step(NULL, 1), RCGC_EINVAL);
  rcgc_incremental_stats s = inc_stats();
  cr_assert_eq(s.slices, 0);
  cr_assert_eq(s.collections, 0);
  cr_assert_eq(s.running, 0);
  cr_assert_eq(rcgc_get_incremental_stats(tl.heap, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_incremental_stats(NULL, &s), RCGC_EINVAL);
  /* the CPython policy does nothing here, whatever is recorded */
  cr_assert_eq(rcgc_set_policy(tl.heap, RCGC_POLICY_CPYTHON), RCGC_OK);
  tl_node *a = tl_new("a"), *b = tl_new("b");
  TL_LINK(a, a, b);
  TL_LINK(b, a, a);
  rcgc_decref(tl.heap, b);
  rcgc_decref(tl.heap, a);
  cr_assert_eq(rcgc_collect_step(tl.heap, 1000), 0);
  cr_assert_eq(tl_destroyed, 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
}

/* ------------------------------------------------------------ suspects */

/* 200 rings of 5 made garbage by a decrement (suspects), 200 live ones
** that lost a reference too: one step at a time, the garbage goes and the
** live stay, in more than one slice. */
Test(incremental, suspect_collection_in_slices) {
  enum { RINGS = 200, LEN = 5 };
  tl_node *keep[RINGS];
  for (int i = 0; i < RINGS; i++) {
    (void)suspect_ring(LEN);
    keep[i] = ring(LEN);
    rcgc_incref(tl.heap, keep[i]); /* the test's reference */
    rcgc_incref(tl.heap, keep[i]->a);
    rcgc_decref(tl.heap, keep[i]->a); /* a suspect, alive */
  }
  long before = (long)rcgc_heap_object_count(tl.heap);
  cr_assert_eq(before, 2 * RINGS * LEN);
  long block_size = (long)rcgc_heap_bytes(tl.heap) / before; /* every node's block */
  long slices = run_slices(NULL, NULL);
  cr_assert_gt(slices, 1, "one slice of 1 us did everything");
  cr_assert_eq(tl_destroyed, RINGS * LEN);
  cr_assert_eq((long)rcgc_heap_object_count(tl.heap), RINGS * LEN);
  rcgc_incremental_stats s = inc_stats();
  cr_assert_eq(s.collections, 1);
  cr_assert_eq(s.slices, slices);
  cr_assert_eq(s.running, 0);
  cr_assert_eq(s.most_garbage, RINGS * LEN);
  cr_assert_eq(s.most_garbage_bytes, (size_t)(RINGS * LEN) * (size_t)block_size);
  cr_assert_gt(s.longest_slice, 0.0);
  cr_assert_geq(s.total, s.longest_slice);
  cr_assert_gt(s.peak_extra_bytes, 0);
  rcgc_gen_stats st[RCGC_NUM_GENERATIONS];
  cr_assert_eq(rcgc_get_stats(tl.heap, st), RCGC_OK);
  cr_assert_eq(st[0].collections, 1);
  cr_assert_eq(st[0].collected, RINGS * LEN);
  cr_assert_eq(st[0].candidates, 2 * RINGS * LEN);
  for (int i = 0; i < RINGS; i++)
    rcgc_decref(tl.heap, keep[i]);
  cr_assert_eq(run_slices(NULL, NULL) > 0, 1);
  cr_assert_eq(tl_destroyed, 2 * RINGS * LEN);
  cr_assert_eq(inc_stats().collections, 2);
}

/* ------------------------------------------------------------ full, mutated */

/* The model of the mutating program: 'live' nodes held by the roots
** array (each root owns one reference), rings that were garbage at the
** start, and what the program did between slices. */
typedef struct world {
  tl_node **roots;
  int nroots;
  unsigned seed;
  long died;   /* nodes the program itself let die */
  long made;   /* nodes made between slices */
} world;

static unsigned rnd(world *w) {
  w->seed = w->seed * 1103515245u + 12345u;
  return (w->seed >> 16) & 0x7fff;
}

/* Everything a program may do between slices, at random. */
static void mutate(long step, void *ud) {
  (void)step;
  world *w = ud;
  for (int k = 0; k < 4; k++) {
    tl_node *p = w->roots[rnd(w) % (unsigned)w->nroots];
    tl_node *q = w->roots[rnd(w) % (unsigned)w->nroots];
    switch (rnd(w) % 6) {
    case 0: /* a reference set with counts */
      TL_LINK(p, b, q->a);
      break;
    case 1: /* a reference moved without counts: q->a into p->b */
      if (p != q && p->b == NULL) {
        p->b = q->a;
        q->a = NULL;
      }
      break;
    case 2: { /* a new node under p */
      tl_node *n = tl_new("new");
      w->made++;
      TL_LINK(n, a, p->a);
      rcgc_set(tl.heap, &p->a, n);
      rcgc_decref(tl.heap, n);
      break;
    }
    case 3: /* a subtree dropped: dies by refcount unless shared */
      TL_LINK(p, b, NULL);
      break;
    case 4: /* a self-reference cycle made garbage by a decrement: the next
            ** collection's business, and it must not disturb this one */
      if (p->a != NULL) {
        tl_node *x = p->a;
        rcgc_incref(tl.heap, x);
        TL_LINK(p, a, NULL);
        TL_LINK(x, b, x);
        rcgc_decref(tl.heap, x);
      }
      break;
    default: /* untrack and track again */
      if (p->a != NULL) {
        cr_assert_eq(rcgc_untrack(tl.heap, p->a), RCGC_OK);
        cr_assert_eq(rcgc_track(tl.heap, p->a), RCGC_OK);
      }
      break;
    }
  }
}

/* Is every node reachable from the roots alive (a valid Graph)? Walks with
** an explicit stack; the visited marks are the 'id' field. */
static long check_reachable(world *w, int mark) {
  long n = 0;
  size_t cap = 1024, top = 0;
  tl_node **stack = malloc(cap * sizeof *stack);
  cr_assert_not_null(stack);
  for (int i = 0; i < w->nroots; i++)
    stack[top++] = w->roots[i];
  while (top > 0) {
    tl_node *x = stack[--top];
    if (x == NULL || x->id == mark)
      continue;
    cr_assert_eq(rcgc_typeof(tl.heap, x), &tl_node_type, "a reachable node was freed");
    cr_assert_gt(rcgc_refcount(x), 0);
    x->id = mark;
    n++;
    if (top + 2 > cap) {
      cap *= 2;
      stack = realloc(stack, cap * sizeof *stack);
      cr_assert_not_null(stack);
    }
    stack[top++] = x->a;
    stack[top++] = x->b;
  }
  free(stack);
  return n;
}

static void full_mutated(unsigned seed) {
  enum { ROOTS = 64, CHAIN = 40, GARBAGE_RINGS = 100, LEN = 3 };
  world w = {.nroots = ROOTS, .seed = seed};
  w.roots = calloc(ROOTS, sizeof *w.roots);
  cr_assert_not_null(w.roots);
  for (int i = 0; i < ROOTS; i++) {
    w.roots[i] = tl_new("root");
    tl_node *last = w.roots[i];
    for (int j = 0; j < CHAIN; j++) {
      tl_node *x = tl_new("chain");
      last->a = x;
      last = x;
    }
  }
  /* garbage made by transfer: only a full collection finds these */
  for (int i = 0; i < GARBAGE_RINGS; i++)
    (void)ring(LEN);
  long collections_before = inc_stats().collections;
  rcgc_gen_stats st[RCGC_NUM_GENERATIONS];
  cr_assert_eq(rcgc_get_stats(tl.heap, st), RCGC_OK);
  long collected_before = st[2].collected;
  cr_assert(rcgc__inc_start(tl.heap, RCGC_NUM_GENERATIONS - 1, COLLECT_BACKSTOP));
  long slices = run_slices(mutate, &w);
  cr_assert_gt(slices, 10);
  check_reachable(&w, 1);
  /* every ring that was garbage at the start is gone: what the program let
  ** die and the rings are all that was destroyed, so count what is left */
  cr_assert_eq(inc_stats().collections, collections_before + 1);
  cr_assert_eq(rcgc_get_stats(tl.heap, st), RCGC_OK);
  cr_assert_geq(st[2].collected - collected_before, GARBAGE_RINGS * LEN);
  /* what is still alive is exactly what the roots reach plus garbage made
  ** during the collection, which the next collection frees */
  rcgc_collect(tl.heap, 2);
  long reachable = check_reachable(&w, 2);
  cr_assert_eq((long)rcgc_heap_object_count(tl.heap), reachable);
  for (int i = 0; i < ROOTS; i++)
    rcgc_decref(tl.heap, w.roots[i]);
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  free(w.roots);
}

/* FINISH is not divided: when the slice that completes the estimate has
** already spent half of its budget on other work, FINISH opens the next
** slice instead. A slice with a budget of 0 runs 16 units, so the 9 units
** of a 3-node suspect ring's estimate (enter, subtract, mark each node)
** complete it past the budget: that slice returns with the ring alive, and
** the next one, which finds the estimate complete at its first unit,
** frees it. */
Test(incremental, finish_opens_the_next_slice_when_the_estimate_took_the_budget) {
  TL_SKIP_UNDER_STRESS();
  (void)suspect_ring(3);
  cr_assert(rcgc__inc_start(tl.heap, 0, COLLECT_SUSPECTS));
  cr_assert(rcgc__inc_slice(tl.heap, 0.0), "FINISH ran in the slice that completed the estimate");
  cr_assert_eq(tl_destroyed, 0);
  cr_assert_eq(inc_stats().running, 1);
  cr_assert_eq(inc_stats().slices, 1);
  cr_assert_not(rcgc__inc_slice(tl.heap, 0.0), "the collection did not finish");
  cr_assert_eq(tl_destroyed, 3);
  rcgc_incremental_stats s = inc_stats();
  cr_assert_eq(s.running, 0);
  cr_assert_eq(s.collections, 1);
  cr_assert_eq(s.slices, 2);
}

Test(incremental, full_collection_with_the_program_mutating_between_slices) {
  for (unsigned seed = 1; seed <= 8; seed++)
    full_mutated(seed);
}

/* The case the exact last step exists for: A <-> B, the test holding A;
** between slices the program moves A's reference to B into B itself
** without touching a count (b->b = b; a->a = NULL). B is garbage then --
** it references itself and A, nothing references it --, but A is not,
** though no count changed: a slice may have counted A's reference to B
** before the move and B's to itself after it, so that {A, B} looks closed. */
static tl_node *pairs[64];

static void raw_moves(long step, void *ud) {
  (void)ud;
  tl_node *a = pairs[step % 64];
  tl_node *b = a->a;
  if (b != NULL) {
    b->b = b;
    a->a = NULL;
  }
  for (int i = 0; i < 64; i++)
    cr_assert_eq(rcgc_typeof(tl.heap, pairs[i]), &tl_node_type, "A was freed");
}

Test(incremental, a_reference_moved_without_counts_never_frees_a_reachable_object) {
  for (int i = 0; i < 64; i++) {
    tl_node *a = tl_new("A"), *b = tl_new("B");
    a->a = b; /* transfer */
    TL_LINK(b, a, a);
    pairs[i] = a; /* the test's own reference is the outside one */
  }
  cr_assert(rcgc__inc_start(tl.heap, RCGC_NUM_GENERATIONS - 1, COLLECT_BACKSTOP));
  run_slices(raw_moves, NULL);
  for (int i = 0; i < 64; i++) {
    cr_assert_eq(rcgc_typeof(tl.heap, pairs[i]), &tl_node_type, "A was freed");
    cr_assert_geq(rcgc_refcount(pairs[i]), 1);
  }
  /* the moved Bs are garbage: this collection or the next frees them */
  rcgc_collect(tl.heap, 2);
  long moved = 0;
  for (int i = 0; i < 64; i++)
    moved += pairs[i]->a == NULL;
  cr_assert_eq(tl_destroyed, moved);
  for (int i = 0; i < 64; i++)
    rcgc_decref(tl.heap, pairs[i]);
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(tl_destroyed, 128);
}

/* ------------------------------------------------------------ user code */

static long slice_events, start_events, stop_events;
static long stop_collected;
static void count_phases(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info,
                         void *ud) {
  (void)h, (void)ud;
  if (phase == RCGC_PHASE_START)
    start_events++;
  else if (phase == RCGC_PHASE_STOP) {
    stop_events++;
    stop_collected = info->collected;
  } else {
    cr_assert_eq(phase, RCGC_PHASE_SLICE);
    cr_assert_geq(info->duration, 0.0);
    cr_assert_eq(info->collected, 0);
    slice_events++;
  }
}

static void *resurrected;
static void resurrect(rcgc_heap *h, void *o) {
  tl_finalized++;
  rcgc_incref(h, o); /* resurrected: the test releases it */
  resurrected = o;
}

static int weak_calls;
static void weak_cb(rcgc_heap *h, rcgc_weakref *wr, void *ud) {
  (void)h, (void)wr, (void)ud;
  weak_calls++;
}

Test(incremental, finalizers_weak_callbacks_resurrection_and_events_in_the_last_step) {
  static const rcgc_type fin_type = {.name = "Fin", .size = sizeof(tl_node),
                                     .traverse = tl_node_traverse, .destroy = tl_count_destroy,
                                     .finalize = resurrect};
  slice_events = start_events = stop_events = 0;
  cr_assert_eq(rcgc_callback_add(tl.heap, count_phases, NULL), RCGC_OK);
  cr_assert_eq(rcgc_set_debug(tl.heap, RCGC_DEBUG_STATS), RCGC_OK);
  /* a garbage pair whose member has a resurrecting finalizer, and a
  ** garbage ring watched by a weak reference with a callback */
  resurrected = NULL;
  tl_node *f = rcgc_new(tl.heap, &fin_type);
  cr_assert_not_null(f);
  tl_node *g = tl_new("g");
  TL_LINK(f, a, g);
  TL_LINK(g, a, f);
  rcgc_decref(tl.heap, g);
  tl_node *r = suspect_ring(4);
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, r, weak_cb, NULL);
  cr_assert_not_null(wr);
  rcgc_decref(tl.heap, f); /* the pair is garbage, f a suspect */
  long slices = run_slices(NULL, NULL);
  cr_assert_eq(start_events, 1);
  cr_assert_eq(stop_events, 1);
  cr_assert_eq(slice_events, slices);
  cr_assert_eq(tl_finalized, 1);
  cr_assert_eq(resurrected, f, "the finalizer did not run on the resurrected object");
  cr_assert_eq(weak_calls, 1);
  cr_assert_eq(rcgc_weakref_alive(wr), 0);
  cr_assert_eq(tl_destroyed, 4, "the ring is freed, the resurrected pair is not");
  cr_assert_eq(tl_count_lines(&tl.sink, "gc: collecting generation 0..."), 1);
  cr_assert_eq(tl_count_lines(&tl.sink, "gc: done,"), 1);
  cr_assert_eq(rcgc_set_debug(tl.heap, 0), RCGC_OK);
  rcgc_decref(tl.heap, wr);
  rcgc_decref(tl.heap, f);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(tl_destroyed, 6);
}

/* ------------------------------------------------------------ rcgc_collect */

Test(incremental, rcgc_collect_finishes_a_running_collection_first) {
  for (int i = 0; i < 300; i++)
    (void)ring(3);
  tl_node *live = ring(3);
  rcgc_incref(tl.heap, live); /* the test's reference */
  cr_assert(rcgc__inc_start(tl.heap, RCGC_NUM_GENERATIONS - 1, COLLECT_BACKSTOP));
  cr_assert_eq(rcgc_collect_step(tl.heap, 1), 1);
  cr_assert_eq(inc_stats().running, 1);
  /* the finished incremental one freed the rings, and they are counted;
  ** the explicit one finds nothing more */
  cr_assert_eq(rcgc_collect(tl.heap, 2), 900);
  cr_assert_eq(inc_stats().running, 0);
  cr_assert_eq(inc_stats().collections, 1);
  cr_assert_eq(tl_destroyed, 900);
  rcgc_decref(tl.heap, live);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 3);
  cr_assert_eq(tl_destroyed, 903);
}

Test(incremental, get_objects_and_freeze_finish_a_running_collection) {
  for (int i = 0; i < 50; i++)
    (void)ring(2);
  cr_assert(rcgc__inc_start(tl.heap, RCGC_NUM_GENERATIONS - 1, COLLECT_BACKSTOP));
  cr_assert_eq(rcgc_collect_step(tl.heap, 1), 1);
  rcgc_list l;
  cr_assert_eq(rcgc_get_objects(tl.heap, -1, &l), RCGC_OK);
  cr_assert_eq(l.count, 0);
  rcgc_list_decref_and_free(tl.heap, &l);
  cr_assert_eq(inc_stats().running, 0);
  cr_assert_eq(tl_destroyed, 100);
  /* rcgc_set_policy, even to the policy in force */
  for (int i = 0; i < 50; i++)
    (void)suspect_ring(2);
  cr_assert(rcgc__inc_start(tl.heap, 0, COLLECT_SUSPECTS));
  cr_assert_eq(rcgc_collect_step(tl.heap, 1), 1);
  cr_assert_eq(rcgc_set_policy(tl.heap, RCGC_POLICY_SUSPECTS), RCGC_OK);
  cr_assert_eq(inc_stats().running, 0);
  cr_assert_eq(tl_destroyed, 200);
}

/* ------------------------------------------------------------ automatic */

/* A budget and automatic collection: the suspect collections of the
** schedule run stop-the-world, and a backstop -- made due here after
** 256 KiB instead of 64 MiB -- runs in slices; cycles the program drops
** meanwhile, by a decrement or by a transfer, are all freed. */
Test(incremental, automatic_backstops_run_in_slices) {
  TL_SKIP_UNDER_STRESS();
  cr_assert_eq(rcgc_set_pause_budget(tl.heap, 1), RCGC_OK);
  rcgc_enable(tl.heap);
  tl.heap->full_every = 256 * 1024;
  rcgc__schedule(tl.heap);
  enum { N = 20000 };
  for (int i = 0; i < N; i++) {
    tl_node *a = tl_new("a"), *b = tl_new("b");
    TL_LINK(a, a, b);
    TL_LINK(b, a, a);
    rcgc_decref(tl.heap, b);
    rcgc_decref(tl.heap, a);
    (void)ring(2); /* garbage only a backstop finds */
  }
  rcgc_incremental_stats s = inc_stats();
  cr_assert_geq(s.collections + s.running, 1, "no backstop ran");
  cr_assert_gt(s.slices, s.collections);
  cr_assert_eq(s.abandoned, 0);
  rcgc_gen_stats st[RCGC_NUM_GENERATIONS];
  cr_assert_eq(rcgc_get_stats(tl.heap, st), RCGC_OK);
  cr_assert_gt(st[0].collections, 0, "no suspect collection ran");
  rcgc_disable(tl.heap);
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(tl_destroyed, 4 * N);
}

/* The first young backstop of a heap that keeps what it builds has no
** history: the last young backstop examined nothing, and generation 0's
** count is small because collections of generation 0 keep taking it. Its
** candidates are predicted from the bytes allocated since the last
** backstop (policy.c, stop_the_world), so it runs in slices. Manual
** collections of generation 0 stand in for the suspect collections of a
** real program here: they take generation 0 without changing the time per
** candidate the prediction uses (100 ns, as no automatic collection ran). */
Test(incremental, the_first_young_backstop_of_a_growing_heap_runs_in_slices) {
  TL_SKIP_UNDER_STRESS();
  cr_assert_eq(rcgc_set_pause_budget(tl.heap, 1000), RCGC_OK); /* slices past 2,500 candidates */
  rcgc_enable(tl.heap);
  tl.heap->full_every = 1024 * 1024;
  rcgc__schedule(tl.heap);
  enum { N = 60000 };
  tl_node **held = calloc(N, sizeof *held);
  cr_assert_not_null(held);
  for (int i = 0; i < N && tl.heap->young_backstops == 0; i++) {
    held[i] = tl_new("held");
    if (i % 500 == 499)
      rcgc_collect(tl.heap, 0);
  }
  cr_assert_eq(tl.heap->young_backstops, 1, "no backstop ran");
  cr_assert_eq(tl.heap->stw_per_candidate, 0.0, "an automatic collection ran stop-the-world");
  /* it may have finished in its first slice (a fast build) or still run */
  rcgc_incremental_stats s = inc_stats();
  cr_assert_eq(s.collections + s.running, 1, "the young backstop did not run in slices");
  cr_assert_geq(s.slices, 1);
  rcgc_collect(tl.heap, 2);
  for (int i = 0; i < N && held[i] != NULL; i++)
    rcgc_decref(tl.heap, held[i]);
  free(held);
}

/* ------------------------------------------------------------ memory */

Test(incremental, a_collection_without_memory_is_abandoned_cleanly) {
  enum { RINGS = 1000 };
  for (int i = 0; i < RINGS; i++)
    (void)suspect_ring(2); /* more suspects than the table starts with */
  start_events = stop_events = slice_events = 0;
  cr_assert_eq(rcgc_callback_add(tl.heap, count_phases, NULL), RCGC_OK);
  cr_assert(rcgc__inc_start(tl.heap, 0, COLLECT_SUSPECTS));
  tl.alloc.fail_all = 1;
  int r;
  long steps = 0;
  while ((r = rcgc_collect_step(tl.heap, 1)) == 1)
    steps++;
  tl.alloc.fail_all = 0;
  cr_assert_eq(r, 0);
  rcgc_incremental_stats s = inc_stats();
  cr_assert_eq(s.abandoned, 1);
  cr_assert_eq(s.collections, 0);
  cr_assert_eq(s.running, 0);
  cr_assert_eq(tl_destroyed, 0, "an abandoned collection frees nothing");
  cr_assert_eq(start_events, 1);
  cr_assert_eq(stop_events, 1, "START without STOP");
  cr_assert_eq(stop_collected, 0);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: out of memory in an incremental collection"), 1);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0, "%.4000s", tl.sink.buf ? tl.sink.buf : "");
  /* every candidate is a suspect again: the next collection frees them */
  cr_assert_eq(rcgc_collect_step(tl.heap, RCGC_PAUSE_BUDGET_MAX), 0);
  cr_assert_eq(tl_destroyed, 2 * RINGS);
  cr_assert_eq(inc_stats().collections, 1);
}

/* A chain of 'n' nodes held by its first, linked by transfer. */
static tl_node *chain(int n, const char *name) {
  tl_node *first = tl_new(name), *last = first;
  for (int i = 1; i < n; i++) {
    tl_node *x = tl_new(name);
    last->a = x;
    last = x;
  }
  return first;
}

/* Bytes of the side arrays the pool pages have now. */
static size_t side_bytes(void) {
  size_t b = 0;
  for (pool_page_t *p = tl.heap->pages; p != NULL; p = p->next)
    b += p->side != NULL ? page_blocks(p) * sizeof(uint32_t) : 0;
  return b;
}

/* A backstop keeps the state of a pooled candidate in a side array of its
** page, a word per block of a page that holds a candidate, and its table
** only for blocks of their own: a chain costs its pages' side arrays (4
** bytes a node) and the table its minimum, not 32 bytes a node (16-byte
** slots, at most half full). The side arrays stay for the next backstop,
** which clears each at its first use and needs no more. */
static size_t most_side;
static void watch_side(long step, void *ud) {
  (void)step;
  (void)ud;
  if (side_bytes() > most_side)
    most_side = side_bytes();
}
Test(incremental, a_backstop_keeps_its_states_in_its_pages_side_arrays) {
  TL_SKIP_UNDER_STRESS();
  enum { N = 4000 }; /* pages enough: 3 of 40-byte blocks, 4 with the debug prefix */
  tl_node *first = chain(N, "chain");
  size_t all = 0;
  for (pool_page_t *p = tl.heap->pages; p != NULL; p = p->next)
    all += page_blocks(p) * sizeof(uint32_t);
  cr_assert(rcgc__inc_start(tl.heap, RCGC_NUM_GENERATIONS - 1, COLLECT_BACKSTOP));
  most_side = 0;
  run_slices(watch_side, NULL);
  rcgc_incremental_stats s = inc_stats();
  cr_assert_eq(s.collections, 1);
  cr_assert_eq(tl_destroyed, 0);
  cr_assert_eq(most_side, all, "the side arrays of the chain's pages: %zu bytes, not %zu", most_side,
               all);
  cr_assert_lt(all, (size_t)N * 8); /* the table: 32 a node */
  cr_assert_eq(tl.heap->inc_tables[1].cap, 1024, "the table was sized for the pooled objects");
  cr_assert_geq(s.peak_extra_bytes, all);
  cr_assert_lt(s.peak_extra_bytes, all + 32 * 1024);
  cr_assert_eq(side_bytes(), all, "the side arrays were not kept");
  cr_assert_eq(inc_stats().extra_bytes, all + 1024 * sizeof(void *) * 2);
  /* the next backstop: the same arrays, the same answer */
  tl_node *garbage = ring(100);
  (void)garbage;
  cr_assert(rcgc__inc_start(tl.heap, RCGC_NUM_GENERATIONS - 1, COLLECT_BACKSTOP));
  most_side = 0;
  run_slices(watch_side, NULL);
  cr_assert_eq(inc_stats().collections, 2);
  cr_assert_eq(tl_destroyed, 100, "the ring made after the first backstop survived");
  cr_assert_geq(most_side, all);
  cr_assert_lt(most_side, all + 2 * 64 * 1024 / 10, "the ring's pages at most");
  cr_assert_eq(inc_stats().peak_extra_bytes, s.peak_extra_bytes + (most_side - all));
  /* the epoch wraps after 2^32 - 1 backstops: every page's is reset, and
  ** the arrays of earlier backstops still read as no state */
  tl.heap->side_epoch = UINT32_MAX;
  for (pool_page_t *p = tl.heap->pages; p != NULL; p = p->next)
    if (p->side != NULL)
      p->side_epoch = UINT32_MAX;
  (void)ring(50);
  cr_assert(rcgc__inc_start(tl.heap, RCGC_NUM_GENERATIONS - 1, COLLECT_BACKSTOP));
  cr_assert_eq(tl.heap->side_epoch, 1);
  for (pool_page_t *p = tl.heap->pages; p != NULL; p = p->next)
    cr_assert_eq(p->side_epoch, 0);
  run_slices(NULL, NULL);
  cr_assert_eq(tl_destroyed, 150, "the ring made before the third backstop survived it");
  rcgc_decref(tl.heap, first);
  cr_assert_eq(tl_destroyed, 150 + N);
}

/* Pooled candidates (states in side arrays) and blocks of their own
** (states in the table) in one backstop, rings mixing both, the program
** dropping kept rings between slices: the rings garbage at the start are
** freed by it, the rest by the next collection, nothing kept is freed. */
static tl_node *mixed[400];
static void drop_mixed(long step, void *ud) {
  (void)ud;
  if (step <= 200) { /* steps count from 1 */
    rcgc_decref(tl.heap, mixed[199 + step]);
    mixed[199 + step] = NULL;
  }
}
Test(incremental, pooled_blocks_and_blocks_of_their_own_in_one_backstop) {
  enum { RINGS = 400, SIZE = 4 };
  for (int r = 0; r < RINGS; r++) {
    tl_node *first = tl_new("small"), *last = first;
    for (int i = 1; i < SIZE; i++) {
      tl_node *x = i % 2 ? rcgc_new_sized(tl.heap, &tl_node_type, 1000) : tl_new("small");
      cr_assert_not_null(x);
      last->a = x;
      last = x;
    }
    rcgc_incref(tl.heap, first);
    last->a = first; /* closed by transfer; the test holds the ring */
    mixed[r] = first;
  }
  cr_assert_gt(tl.heap->nraw, 0);
  for (int r = 0; r < 200; r++) { /* garbage before it starts */
    rcgc_decref(tl.heap, mixed[r]);
    mixed[r] = NULL;
  }
  cr_assert(rcgc__inc_start(tl.heap, RCGC_NUM_GENERATIONS - 1, COLLECT_BACKSTOP));
  long slices = run_slices(drop_mixed, NULL);
  cr_assert_geq(tl_destroyed, 200 * SIZE, "the rings garbage at the start survived it");
  long dropped = slices - 1 < 200 ? slices - 1 : 200;
  cr_assert_leq(tl_destroyed, (200 + dropped) * SIZE);
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(tl_destroyed, (200 + dropped) * SIZE, "a ring dropped meanwhile survived");
  for (int r = 200; r < RINGS; r++)
    if (mixed[r] != NULL)
      rcgc_decref(tl.heap, mixed[r]);
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(tl_destroyed, RINGS * SIZE);
}

/* No trim runs while an incremental collection does (a backstop that frees
** in slices holds freed blocks no free list has); a pool page that goes
** back after a backstop takes the side array the backstop made and kept:
** the bytes counted follow (rcgc_check_heap compares them with the
** pages'), nothing leaks. */
Test(incremental, a_page_that_goes_back_after_a_backstop_takes_its_side_array) {
  TL_SKIP_UNDER_STRESS();
  /* the dropped chain's pages are more than the trim's reserve (16 pages)
  ** and the debug quarantine (4 pages) keep */
  enum { N = 5000, DROP = 40000 };
  tl_node *keep = chain(N, "kept"), *drop = chain(DROP, "dropped");
  cr_assert(rcgc__inc_start(tl.heap, RCGC_NUM_GENERATIONS - 1, COLLECT_BACKSTOP));
  size_t all = 0;
  for (pool_page_t *p = tl.heap->pages; p != NULL; p = p->next)
    all += page_blocks(p) * sizeof(uint32_t);
  run_slices(NULL, NULL);
  cr_assert_eq(inc_stats().collections, 1);
  cr_assert_eq(side_bytes(), all, "the backstop kept a side array for every page");
  rcgc_decref(tl.heap, drop);
  cr_assert_eq(tl_destroyed, DROP);
  /* during the next backstop, no trim */
  cr_assert(rcgc__inc_start(tl.heap, RCGC_NUM_GENERATIONS - 1, COLLECT_BACKSTOP));
  rcgc__pools_maybe_trim(tl.heap, 0, -1.0);
  cr_assert_eq(side_bytes(), all, "a trim ran while a collection did");
  run_slices(NULL, NULL);
  size_t before = inc_stats().extra_bytes;
  cr_assert_gt(rcgc__pools_trim(tl.heap), 0, "no page went back");
  cr_assert_lt(side_bytes(), all);
  cr_assert_eq(before - inc_stats().extra_bytes, all - side_bytes());
  cr_assert_eq(rcgc_check_heap(tl.heap), 0, "%.4000s", tl.sink.buf ? tl.sink.buf : "");
  cr_assert_eq(tl_destroyed, DROP);
  rcgc_decref(tl.heap, keep);
  cr_assert_eq(tl_destroyed, DROP + N);
}

/* Without memory for a side array a backstop is abandoned as one without
** memory for its table is: nothing freed, the heap consistent, and the
** next collection frees the garbage. */
Test(incremental, a_backstop_without_memory_for_a_side_array_is_abandoned_cleanly) {
  enum { RINGS = 1000 };
  for (int i = 0; i < RINGS; i++)
    (void)ring(2);
  cr_assert(rcgc__inc_start(tl.heap, RCGC_NUM_GENERATIONS - 1, COLLECT_BACKSTOP));
  tl.alloc.fail_all = 1;
  int r;
  while ((r = rcgc_collect_step(tl.heap, 1)) == 1)
    ;
  tl.alloc.fail_all = 0;
  cr_assert_eq(r, 0);
  rcgc_incremental_stats s = inc_stats();
  cr_assert_eq(s.abandoned, 1);
  cr_assert_eq(s.running, 0);
  cr_assert_eq(tl_destroyed, 0);
  cr_assert_eq(side_bytes(), 0);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: out of memory in an incremental collection"), 1);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0, "%.4000s", tl.sink.buf ? tl.sink.buf : "");
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2 * RINGS);
  cr_assert_eq(tl_destroyed, 2 * RINGS);
}

/* ------------------------------------------------------------ lifecycle */

Test(incremental, heap_destroy_gives_a_running_collection_up_quietly) {
  for (int i = 0; i < 100; i++)
    (void)suspect_ring(3);
  cr_assert(rcgc__inc_start(tl.heap, 0, COLLECT_SUSPECTS));
  cr_assert_eq(rcgc_collect_step(tl.heap, 1), 1);
  cr_assert_eq(rcgc_heap_destroy(tl.heap), 0);
  tl.heap = NULL;
  cr_assert_eq(tl_destroyed, 300);
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: out of memory"), 0);
}

/* Automatic slices follow the heap's settings: none while automatic
** collection is disabled (the program finishes it), the rest at once when
** the budget goes back to 0. */
Test(incremental, automatic_slices_follow_enable_and_the_budget) {
  TL_SKIP_UNDER_STRESS();
  for (int i = 0; i < 2000; i++)
    (void)suspect_ring(3);
  cr_assert_eq(rcgc_set_pause_budget(tl.heap, 1), RCGC_OK);
  cr_assert(rcgc__inc_start(tl.heap, 0, COLLECT_SUSPECTS));
  cr_assert_eq(rcgc_collect_step(tl.heap, 1), 1);
  long slices = inc_stats().slices;
  /* disabled (the setup's state): allocation runs no slice */
  for (int i = 0; i < 20000; i++)
    rcgc_decref(tl.heap, tl_new("x"));
  cr_assert_eq(inc_stats().slices, slices);
  cr_assert_eq(inc_stats().running, 1);
  /* enabled with budget 0: the next automatic point finishes it */
  cr_assert_eq(rcgc_set_pause_budget(tl.heap, 0), RCGC_OK);
  rcgc_enable(tl.heap);
  long made = 0;
  for (; made < 20000 && inc_stats().running; made++)
    rcgc_decref(tl.heap, tl_new("x"));
  cr_assert_eq(inc_stats().running, 0);
  cr_assert_eq(inc_stats().collections, 1);
  cr_assert_eq(inc_stats().slices, slices + 1, "finished in one more step");
  cr_assert_eq(tl_destroyed, 20000 + made + 6000);
  rcgc_disable(tl.heap);
}

/* A backstop's automatic slices leave the program three times their own
** length; the suspect collections of the schedule run beside it,
** stop-the-world, so the cycles a program drops meanwhile do not wait for
** the backstop. The last slice is made to look very long, so that the
** pacing alone decides. */
Test(incremental, a_backstop_is_paced_and_suspect_collections_run_beside_it) {
  TL_SKIP_UNDER_STRESS();
  enum { LIVE = 5000, PAIRS = 20000 };
  tl_node **keep = calloc(LIVE, sizeof *keep);
  cr_assert_not_null(keep);
  for (int i = 0; i < LIVE; i++)
    keep[i] = tl_new("live");
  cr_assert_eq(rcgc_set_pause_budget(tl.heap, 1), RCGC_OK);
  rcgc_enable(tl.heap);
  cr_assert(rcgc__inc_start(tl.heap, RCGC_NUM_GENERATIONS - 1, COLLECT_BACKSTOP));
  tl.heap->inc_slice_end = rcgc__now();
  tl.heap->inc_slice_len = 1e6; /* the program's turn for three million seconds */
  long slices = inc_stats().slices;
  rcgc_gen_stats st[RCGC_NUM_GENERATIONS];
  cr_assert_eq(rcgc_get_stats(tl.heap, st), RCGC_OK);
  long suspect_collections = st[0].collections;
  /* pairs made garbage by a decrement, while the backstop waits */
  for (int i = 0; i < PAIRS; i++) {
    tl_node *a = tl_new("a"), *b = tl_new("b");
    TL_LINK(a, a, b);
    TL_LINK(b, a, a);
    rcgc_decref(tl.heap, b);
    rcgc_decref(tl.heap, a);
  }
  cr_assert_eq(inc_stats().slices, slices, "a paced backstop sliced");
  cr_assert_eq(inc_stats().running, 1);
  cr_assert_eq(rcgc_get_stats(tl.heap, st), RCGC_OK);
  cr_assert_gt(st[0].collections, suspect_collections, "no suspect collection ran beside it");
  cr_assert_gt(tl_destroyed, 0, "the dropped pairs waited for the backstop");
  cr_assert_eq(rcgc_check_heap(tl.heap), 0, "%.4000s", tl.sink.buf ? tl.sink.buf : "");
  rcgc_disable(tl.heap);
  long destroyed = tl_destroyed;
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2 * PAIRS - destroyed);
  for (int i = 0; i < LIVE; i++)
    rcgc_decref(tl.heap, keep[i]);
  free(keep);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
}

/* A collection predicted to fit in a quarter of the budget runs
** stop-the-world: with a budget of a second, small suspect collections
** never become incremental. */
Test(incremental, a_collection_predicted_short_runs_stop_the_world) {
  TL_SKIP_UNDER_STRESS();
  cr_assert_eq(rcgc_set_pause_budget(tl.heap, RCGC_PAUSE_BUDGET_MAX), RCGC_OK);
  rcgc_enable(tl.heap);
  enum { N = 20000 };
  for (int i = 0; i < N; i++) {
    tl_node *a = tl_new("a"), *b = tl_new("b");
    TL_LINK(a, a, b);
    TL_LINK(b, a, a);
    rcgc_decref(tl.heap, b);
    rcgc_decref(tl.heap, a);
  }
  rcgc_gen_stats st[RCGC_NUM_GENERATIONS];
  cr_assert_eq(rcgc_get_stats(tl.heap, st), RCGC_OK);
  cr_assert_gt(st[0].collections, 0);
  cr_assert_eq(inc_stats().collections, 0);
  cr_assert_eq(inc_stats().slices, 0);
  rcgc_disable(tl.heap);
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(tl_destroyed, 2 * N);
}

/* ------------------------------------------------------------ differential */

/* The same random program on two heaps: one without a budget and without
** automatic collection, one with a 1 us budget, automatic collection on and
** rcgc_collect_step calls sprinkled in. After every operation the second
** heap is checked (rcgc_check_heap) and every node the program can reach is
** alive in both; at the end both collect fully and must have freed exactly
** the same nodes, each destroyed and finalized exactly once. */
enum { DIFF_NODES = 600, DIFF_ROOTS = 24, DIFF_OPS = 3000 };

typedef struct dnode {
  void *f[3];
  int id;
  int side; /* 0 or 1: which heap */
} dnode;

static unsigned char diff_destroyed[2][DIFF_NODES];
static long diff_incremental; /* incremental collections the budget heaps ran */
static unsigned char diff_finalized[2][DIFF_NODES];

static int dnode_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  dnode *n = o;
  RCGC_VISIT(n->f[0], "f0");
  RCGC_VISIT(n->f[1], "f1");
  RCGC_VISIT(n->f[2], "f2");
  return 0;
}
static void dnode_destroy(rcgc_heap *h, void *o) {
  (void)h;
  dnode *n = o;
  diff_destroyed[n->side][n->id]++;
}
static void dnode_finalize(rcgc_heap *h, void *o) {
  (void)h;
  dnode *n = o;
  diff_finalized[n->side][n->id]++;
}
static const rcgc_type dnode_type = {.name = "DNode", .size = sizeof(dnode),
                                     .traverse = dnode_traverse, .destroy = dnode_destroy,
                                     .finalize = dnode_finalize};
/* Strict stores free garbage in slices only in a heap without finalizers. */
static const rcgc_type dnode_plain_type = {.name = "DNode", .size = sizeof(dnode),
                                           .traverse = dnode_traverse,
                                           .destroy = dnode_destroy};

typedef struct side {
  rcgc_heap *heap;
  dnode *node[DIFF_NODES]; /* by id; valid while not destroyed */
  dnode *root[DIFF_ROOTS]; /* the program's own references */
} side_t;

static void diff_reachable(side_t *s, unsigned char *seen) {
  dnode *stack[DIFF_NODES * 3 + DIFF_ROOTS];
  size_t top = 0;
  memset(seen, 0, DIFF_NODES);
  for (int i = 0; i < DIFF_ROOTS; i++)
    if (s->root[i] != NULL)
      stack[top++] = s->root[i];
  while (top > 0) {
    dnode *x = stack[--top];
    if (seen[x->id])
      continue;
    seen[x->id] = 1;
    for (int k = 0; k < 3; k++)
      if (x->f[k] != NULL)
        stack[top++] = x->f[k];
  }
}

/* With 'strict', the budget heap has RCGC_CONFIG_STRICT_STORES, the nodes
** no finalizer, and the program keeps the promise: its move (case 5) goes
** through rcgc_set. */
static void diff_run(unsigned seed, bool strict) {
  side_t sd[2];
  memset(sd, 0, sizeof sd);
  memset(diff_destroyed, 0, sizeof diff_destroyed);
  memset(diff_finalized, 0, sizeof diff_finalized);
  for (int k = 0; k < 2; k++) {
    sd[k].heap = tl_heap_new(strict && k == 1 ? RCGC_CONFIG_STRICT_STORES : 0);
    cr_assert_not_null(sd[k].heap);
    cr_assert_eq(rcgc_set_policy(sd[k].heap, RCGC_POLICY_SUSPECTS), RCGC_OK);
    cr_assert_eq(rcgc_set_pause_budget(sd[k].heap, k == 0 ? 0 : 1), RCGC_OK);
    if (k == 0)
      rcgc_disable(sd[k].heap);
  }
  int made = 0;
  unsigned r = seed;
  unsigned char seen[DIFF_NODES];
  for (int op = 0; op < DIFF_OPS; op++) {
    r = r * 1103515245u + 12345u;
    unsigned x = (r >> 8) & 0xffffff;
    int kind = (int)(x % 8), a = (int)((x >> 3) % DIFF_ROOTS), b = (int)((x >> 8) % DIFF_ROOTS);
    int f = (int)((x >> 13) % 3);
    for (int k = 0; k < 2; k++) {
      side_t *s = &sd[k];
      rcgc_heap *h = s->heap;
      switch (kind) {
      case 0: case 1: /* a new node in root a (the old one dropped) */
        if (made < DIFF_NODES) {
          /* strict: some nodes variable-sized, some in blocks of their
          ** own (RELEASE finds each kind's header its own way) */
          size_t extra = !strict ? 0 : (x >> 16) % 7 == 0 ? 40 : (x >> 16) % 11 == 0 ? 8192 : 0;
          dnode *n = extra == 0 ? rcgc_new(h, strict ? &dnode_plain_type : &dnode_type)
                                : rcgc_new_sized(h, &dnode_plain_type, sizeof(dnode) + extra);
          cr_assert_not_null(n);
          n->id = made;
          n->side = k;
          s->node[made] = n;
          rcgc_decref(h, s->root[a]);
          s->root[a] = n;
        }
        break;
      case 2: case 3: /* root a's field f = root b, with counts */
        if (s->root[a] != NULL)
          rcgc_set(h, &s->root[a]->f[f], s->root[b]);
        break;
      case 4: /* root a = root a's field f (the old root dropped) */
        if (s->root[a] != NULL) {
          dnode *c = s->root[a]->f[f];
          rcgc_incref(h, c);
          rcgc_decref(h, s->root[a]);
          s->root[a] = c;
        }
        break;
      case 5: /* a reference moved without counts: root a's field f into
              ** root b's empty field f */
        if (s->root[a] != NULL && s->root[b] != NULL && s->root[a] != s->root[b] &&
            s->root[b]->f[f] == NULL) {
          if (strict) { /* the same move, with counts */
            rcgc_set(h, &s->root[b]->f[f], s->root[a]->f[f]);
            rcgc_set(h, &s->root[a]->f[f], NULL);
          } else {
            s->root[b]->f[f] = s->root[a]->f[f];
            s->root[a]->f[f] = NULL;
          }
        }
        break;
      case 6: /* root a dropped */
        rcgc_decref(h, s->root[a]);
        s->root[a] = NULL;
        break;
      default: /* a slice */
        if (k == 1)
          cr_assert_geq(rcgc_collect_step(h, 1), 0);
        break;
      }
    }
    if (kind == 0 || kind == 1)
      made += made < DIFF_NODES;
    cr_assert_eq(rcgc_check_heap(sd[1].heap), 0, "op %d:\n%.4000s", op,
                 tl.sink.buf ? tl.sink.buf : "");
    for (int k = 0; k < 2; k++) {
      diff_reachable(&sd[k], seen);
      for (int i = 0; i < made; i++)
        cr_assert(!seen[i] || !diff_destroyed[k][i], "seed %u op %d: node %d reachable on "
                  "heap %d but destroyed", seed, op, i, k);
    }
  }
  for (int k = 0; k < 2; k++) {
    for (int i = 0; i < DIFF_ROOTS; i++)
      rcgc_decref(sd[k].heap, sd[k].root[i]);
    rcgc_collect(sd[k].heap, 2);
    cr_assert_eq(rcgc_heap_object_count(sd[k].heap), 0, "seed %u heap %d", seed, k);
  }
  for (int i = 0; i < made; i++) {
    cr_assert_eq(diff_destroyed[0][i], 1, "seed %u node %d", seed, i);
    cr_assert_eq(diff_destroyed[1][i], 1, "seed %u node %d", seed, i);
    cr_assert_eq(diff_finalized[0][i], diff_finalized[1][i], "seed %u node %d", seed, i);
  }
  rcgc_incremental_stats is;
  cr_assert_eq(rcgc_get_incremental_stats(sd[1].heap, &is), RCGC_OK);
  diff_incremental += is.collections;
  for (int k = 0; k < 2; k++) {
    cr_assert_eq(rcgc_misuse_count(sd[k].heap), 0, "seed %u heap %d:\n%.4000s", seed, k,
                 tl.sink.buf ? tl.sink.buf : "");
    cr_assert_eq(rcgc_heap_destroy(sd[k].heap), 0);
  }
}

/* The programs run: 20 seeds, or RCGC_DIFF_SEEDS (make diff-incremental). */
static unsigned diff_seeds(void) {
  const char *e = getenv("RCGC_DIFF_SEEDS");
  long n = e != NULL ? strtol(e, NULL, 10) : 0;
  return n > 0 && n < 10000000 ? (unsigned)n : 20u;
}

Test(incremental, the_same_programs_with_and_without_a_budget_free_the_same_objects) {
  diff_incremental = 0;
  for (unsigned seed = 1; seed <= diff_seeds(); seed++)
    diff_run(seed, false);
  cr_assert_gt(diff_incremental, 100, "only %ld incremental collections ran", diff_incremental);
}

/* The same with strict stores: the budget heap frees its garbage in slices
** (no finalizer in it), with no step that proves it. */
Test(incremental, the_same_strict_programs_with_and_without_a_budget_free_the_same_objects) {
  diff_incremental = 0;
  for (unsigned seed = 1; seed <= diff_seeds(); seed++)
    diff_run(seed, true);
  if (getenv("RCGC_DIFF_SEEDS") != NULL)
    fprintf(stderr, "strict differential: %u programs, %ld incremental collections\n",
            diff_seeds(), diff_incremental);
  cr_assert_gt(diff_incremental, 100, "only %ld incremental collections ran", diff_incremental);
}
