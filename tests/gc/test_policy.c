/*
** test_policy.c -- the suspects policy (the default): what makes a suspect,
** what a collection examines, the bounds it promises in rcgc.h (a garbage
** cycle made by a decrement is freed within max(256 KiB, 4 x live bytes) of
** allocation, one closed without a decrement within max(64 MiB, 16 x live
** bytes) by a young backstop when all its objects are young, within four
** backstops -- the fourth a full collection -- otherwise), that acyclic
** structures freed by refcount cost the collector nothing, that a
** long-lived structure is examined by one backstop in four, and switching
** policies.
*/
#include "testlib.h"

#include <stddef.h>

TL_DEFINE;

static void setup_suspects(void) {
  tl_setup();
  cr_assert_eq(rcgc_set_policy(tl.heap, RCGC_POLICY_SUSPECTS), RCGC_OK);
}

TestSuite(policy, .init = setup_suspects, .fini = tl_teardown);

#define KIB 1024LL
#define MIB (1024LL * 1024LL)

static long long max_ll(long long a, long long b) { return a > b ? a : b; }

/* Totals over the three generations' statistics. */
static void totals(long *collections, long *candidates, long *collected) {
  rcgc_gen_stats st[RCGC_NUM_GENERATIONS];
  cr_assert_eq(rcgc_get_stats(tl.heap, st), RCGC_OK);
  *collections = *candidates = *collected = 0;
  for (int g = 0; g < RCGC_NUM_GENERATIONS; g++) {
    *collections += st[g].collections;
    *candidates += st[g].candidates;
    *collected += st[g].collected;
  }
}

/* The bytes one block of 'type' costs the heap (header, prefix, data). */
static long long block_bytes(const rcgc_type *type) {
  size_t before = rcgc_heap_bytes(tl.heap);
  void *o = rcgc_new(tl.heap, type);
  cr_assert_not_null(o);
  long long b = (long long)(rcgc_heap_bytes(tl.heap) - before);
  rcgc_decref(tl.heap, o);
  return b;
}

/* A complete binary tree of 'depth' levels built the way C code builds
** one: each new reference is moved into its field, no decrement at all. */
static tl_node *tree(int depth) {
  tl_node *n = rcgc_new(tl.heap, &tl_node_type);
  cr_assert_not_null(n);
  if (depth > 0) {
    n->a = tree(depth - 1);
    n->b = tree(depth - 1);
  }
  return n;
}

static void drop(void *o) { rcgc_decref(tl.heap, o); }

/* ------------------------------------------------------------ config */

Test(policy, default_config_and_setter) {
  rcgc_heap *h = rcgc_heap_new(NULL);
  cr_assert_not_null(h);
  cr_assert_eq(rcgc_get_policy(h), RCGC_POLICY_SUSPECTS);
  cr_assert_eq(rcgc_set_policy(h, 7), RCGC_EINVAL);
  cr_assert_eq(rcgc_set_policy(h, RCGC_POLICY_CPYTHON), RCGC_OK);
  cr_assert_eq(rcgc_get_policy(h), RCGC_POLICY_CPYTHON);
  cr_assert_eq(rcgc_heap_destroy(h), 0);
  cr_assert_eq(rcgc_get_policy(NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_set_policy(NULL, RCGC_POLICY_CPYTHON), RCGC_EINVAL);

  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.policy = RCGC_POLICY_CPYTHON;
  h = rcgc_heap_new(&cfg);
  cr_assert_eq(rcgc_get_policy(h), RCGC_POLICY_CPYTHON);
  cr_assert_eq(rcgc_heap_destroy(h), 0);
  cfg.policy = (rcgc_policy)5;
  cr_assert_null(rcgc_heap_new(&cfg), "an unknown policy is refused");
  /* a configuration from before the field existed */
  rcgc_config_init(&cfg);
  cfg.size = offsetof(rcgc_config, policy);
  cfg.policy = (rcgc_policy)99; /* beyond the old size: never read */
  h = rcgc_heap_new(&cfg);
  cr_assert_not_null(h);
  cr_assert_eq(rcgc_get_policy(h), RCGC_POLICY_SUSPECTS);
  cr_assert_eq(rcgc_heap_destroy(h), 0);
  cfg.size = offsetof(rcgc_config, policy) - 1;
  cr_assert_null(rcgc_heap_new(&cfg));
}

/* ------------------------------------------------------------ what a
** collection examines */

Test(policy, young_collection_examines_suspects_and_what_they_reach) {
  tl_node *x = tl_new("x"), *y = tl_new("y");
  TL_LINK(x, a, y);
  TL_LINK(y, a, x);
  drop(y); /* y: 2 -> 1, a suspect */
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0, "held by x's owner");
  /* both are old now and neither is a suspect */
  long c0, cand0, col0;
  totals(&c0, &cand0, &col0);
  cr_assert_eq(rcgc_collect(tl.heap, 0), 0);
  long c1, cand1, col1;
  totals(&c1, &cand1, &col1);
  cr_assert_eq(cand1 - cand0, 0, "generation 0 is empty and there is no suspect");
  drop(x); /* x: 2 -> 1: the cycle is garbage and x a suspect */
  /* generation 0 is empty, but the suspect x and what it reaches (y, in
  ** generation 2) are examined: both found */
  cr_assert_eq(rcgc_collect(tl.heap, 0), 2);
  cr_assert_eq(tl_destroyed, 2);
  long c2, cand2, col2;
  totals(&c2, &cand2, &col2);
  cr_assert_eq(cand2 - cand1, 2, "exactly the suspect and the object it reaches");
}

/* An explicit young collection examines generation 0 and the suspects with
** what they reach, all in one candidate set: a garbage cycle through a
** generation-0 object that is no suspect and an old object the suspect
** reaches is found. (The collector used to pull the old object in only
** after it had scanned generation 0, counting the young object's reference
** to it as one from outside: the cycle survived, lost its suspect, and was
** left for the backstop.) */
Test(policy, young_collection_counts_generation_zero_references_to_pulled_objects) {
  tl_node *s = tl_new("s"), *c = tl_new("c");
  TL_LINK(s, a, c);
  TL_LINK(c, a, s);
  drop(c); /* held by s */
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0, "held by s's owner");
  /* s and c are old; a is young and no suspect: c's field takes over the
  ** reference rcgc_new returned, without a decrement */
  tl_node *a = tl_new("a");
  TL_LINK(a, a, c);
  c->b = a;
  long n0, cand0, col0;
  totals(&n0, &cand0, &col0);
  drop(s); /* s: 2 -> 1, a suspect; s, c and a are garbage */
  cr_assert_eq(rcgc_collect(tl.heap, 0), 3, "the cycle through a, c and s");
  cr_assert_eq(tl_destroyed, 3);
  long n1, cand1, col1;
  totals(&n1, &cand1, &col1);
  cr_assert_eq(cand1 - cand0, 3, "a (generation 0), s (the suspect), c (reached from s)");
  cr_assert_eq(col1 - col0, 3);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
}

Test(policy, suspects_count_as_generation_zero) {
  tl_node *x = tl_new("x");
  TL_LINK(x, a, x);
  rcgc_incref(tl.heap, x);
  drop(x); /* 3 -> 2: a suspect */
  rcgc_list l;
  cr_assert_eq(rcgc_get_objects(tl.heap, 0, &l), RCGC_OK);
  cr_assert_eq(l.count, 1);
  cr_assert_eq(l.items[0], (void *)x);
  rcgc_list_decref_and_free(tl.heap, &l);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  /* frozen: no longer a suspect, not examined */
  cr_assert_eq(rcgc_freeze(tl.heap), RCGC_OK);
  cr_assert_eq(rcgc_get_freeze_count(tl.heap), 1);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  cr_assert_eq(rcgc_unfreeze(tl.heap), RCGC_OK);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  drop(x); /* only the self-reference is left */
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
}

Test(policy, untrack_and_track_a_suspect) {
  tl_node *x = tl_new("x");
  rcgc_incref(tl.heap, x);
  drop(x); /* a suspect */
  cr_assert_eq(rcgc_untrack(tl.heap, x), RCGC_OK);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  cr_assert_eq(rcgc_track(tl.heap, x), RCGC_OK);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  drop(x);
}

Test(policy, switching_policies_keeps_the_invariants) {
  tl_node *x = tl_new("x"), *y = tl_new("y");
  TL_LINK(x, a, y);
  TL_LINK(y, a, x);
  drop(y); /* a suspect */
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  cr_assert_eq(rcgc_set_policy(tl.heap, RCGC_POLICY_CPYTHON), RCGC_OK);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  long count[3];
  rcgc_list l;
  cr_assert_eq(rcgc_get_objects(tl.heap, 0, &l), RCGC_OK);
  cr_assert_eq(l.count, 2, "the suspect joined generation 0");
  rcgc_list_decref_and_free(tl.heap, &l);
  drop(x); /* no suspect under the CPython policy */
  cr_assert_eq(rcgc_set_policy(tl.heap, RCGC_POLICY_SUSPECTS), RCGC_OK);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  /* a young collection sees generation 0, where both are */
  cr_assert_eq(rcgc_collect(tl.heap, 0), 2);
  rcgc_get_count(tl.heap, count);
  cr_assert_eq(count[1], 1);
}

Test(policy, checker_reports_a_broken_suspect_flag) {
  tl_node *x = tl_new("x");
  RCGC_HEAD_(x)->tinfo |= 0x100u; /* claims to be a suspect, is not on the list */
  cr_assert_eq(rcgc_check_heap(tl.heap), 1);
  cr_assert(strstr(tl.sink.buf, "is on the generation 0 list and has the suspect flag under "
                                "the suspects policy"),
            "%s", tl.sink.buf);
  RCGC_HEAD_(x)->tinfo &= ~0x100u;
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  tl_sink_reset(&tl.sink);
  drop(x);
}

/* ------------------------------------------------------------ the bounds */

/* Acyclic structures that die by refcount -- and one that only grows --
** make no suspect: with automatic collection on, no collection runs and
** nothing is examined until the backstop (64 MiB of allocation). */
Test(policy, acyclic_deaths_scan_nothing) {
  TL_SKIP_UNDER_STRESS();
  rcgc_enable(tl.heap);
  long long node = block_bytes(&tl_node_type);
  tl_node *keep = tree(14); /* 32767 nodes, long-lived */
  long long made = 32767 * node;
  while (made < 48 * MIB) {
    tl_node *t = tree(10);
    made += 2047 * node;
    drop(t);
  }
  long collections, candidates, collected;
  totals(&collections, &candidates, &collected);
  cr_assert_eq(collections, 0, "%ld collections over %lld bytes of acyclic churn", collections,
               made);
  cr_assert_eq(candidates, 0);
  drop(keep);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
}

/* Tracked churn: allocated and dropped at once, counted by nothing. */
static const rcgc_type churn_type = {
    .name = "Churn", .size = sizeof(tl_node), .traverse = tl_node_traverse};

static int gens_started[RCGC_NUM_GENERATIONS];
static void count_starts(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info,
                         void *ud) {
  (void)h;
  (void)ud;
  if (phase == RCGC_PHASE_START)
    gens_started[info->generation]++;
}

/* A garbage cycle hidden inside a long-lived structure, made garbage by a
** decrement: freed within max(256 KiB, 4 x live bytes) of allocation, by an
** automatic collection (reported as generation 0) that examines the cycle
** alone, not the structure. */
Test(policy, hidden_cycle_freed_within_bound_without_rescanning) {
  TL_SKIP_UNDER_STRESS();
  long long node = block_bytes(&churn_type);
  tl_node *keep = tree(15); /* 65535 nodes */
  tl_node *x = tl_new("x"), *y = tl_new("y");
  TL_LINK(x, a, y);
  TL_LINK(y, a, x);
  drop(y);
  /* hang the pair deep inside the structure */
  tl_node *deep = keep;
  for (int i = 0; i < 15; i++)
    deep = deep->a;
  cr_assert_null(deep->b, "a leaf");
  deep->b = x; /* x's reference moves there */
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0, "everything alive, nothing suspect");
  long n0, cand0, col0;
  totals(&n0, &cand0, &col0);
  long destroyed0 = tl_destroyed;
  memset(gens_started, 0, sizeof gens_started);
  cr_assert_eq(rcgc_callback_add(tl.heap, count_starts, NULL), RCGC_OK);
  rcgc_enable(tl.heap);
  long long live = (long long)rcgc_heap_bytes(tl.heap);
  rcgc_set(tl.heap, &deep->b, NULL); /* x: 2 -> 1, the pair is garbage */
  long long bound = max_ll(256 * KIB, 4 * live);
  long long made = 0;
  while (tl_destroyed - destroyed0 < 2) {
    /* with a pause budget (make test's budget mode) the backstop due at
    ** the bound may run in slices: the bound stretches by its length */
    rcgc_incremental_stats is;
    cr_assert_eq(rcgc_get_incremental_stats(tl.heap, &is), RCGC_OK);
    cr_assert(made <= bound || (tl_budget() != 0 && is.running),
              "the cycle waited past %lld bytes of allocation", bound);
    drop(rcgc_new(tl.heap, &churn_type));
    made += node;
  }
  rcgc_disable(tl.heap);
  long n1, cand1, col1;
  totals(&n1, &cand1, &col1);
  cr_assert_eq(n1 - n0, 1, "one automatic collection");
  cr_assert_eq(gens_started[0], 1, "reported as generation 0");
  cr_assert_eq(cand1 - cand0, 2, "it examined the pair, not the 65535-node structure");
  cr_assert_eq(col1 - col0, 2);
  cr_assert_eq(rcgc_callback_remove(tl.heap, count_starts, NULL), RCGC_OK);
  drop(keep);
}

/* A cycle closed by moving the only outside reference into a field makes
** no suspect: the next backstop, a young one, frees it within max(64 MiB,
** 16 x live bytes) of allocation. */
Test(policy, transfer_closed_cycle_freed_by_the_backstop) {
  TL_SKIP_UNDER_STRESS();
  long long node = block_bytes(&churn_type);
  tl_node *keep = tree(12);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0); /* restarts the backstop's count */
  memset(gens_started, 0, sizeof gens_started);
  cr_assert_eq(rcgc_callback_add(tl.heap, count_starts, NULL), RCGC_OK);
  rcgc_enable(tl.heap);
  long long live = (long long)rcgc_heap_bytes(tl.heap);
  long destroyed0 = tl_destroyed;
  tl_node *first = tl_new("first"), *second = tl_new("second");
  first->a = second; /* second's reference moves into first */
  second->a = first; /* and first's into second: garbage, no decrement */
  long long bound = max_ll(64 * MIB, 16 * live);
  long long made = 2 * node;
  while (tl_destroyed - destroyed0 < 2) {
    /* with a pause budget (make test's budget mode) the backstop due at
    ** the bound may run in slices: the bound stretches by its length */
    rcgc_incremental_stats is;
    cr_assert_eq(rcgc_get_incremental_stats(tl.heap, &is), RCGC_OK);
    cr_assert(made <= bound || (tl_budget() != 0 && is.running),
              "the cycle waited past %lld bytes of allocation", bound);
    drop(rcgc_new(tl.heap, &churn_type));
    made += node;
  }
  rcgc_disable(tl.heap);
  cr_assert_gt(made, 32 * MIB, "no suspect, so only the backstop could find it");
  cr_assert_eq(gens_started[1], 1, "one young backstop");
  cr_assert_eq(gens_started[0] + gens_started[2], 0, "and nothing else");
  cr_assert_eq(rcgc_callback_remove(tl.heap, count_starts, NULL), RCGC_OK);
  drop(keep);
}

/* Candidates of every collection, by generation. */
static long gen_candidates[RCGC_NUM_GENERATIONS];
static void count_candidates(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info,
                             void *ud) {
  (void)h;
  (void)ud;
  if (phase == RCGC_PHASE_STOP)
    gen_candidates[info->generation] += info->candidates;
}

/* A cycle closed by a transfer around an object a full collection already
** proved alive is not young: the young backstops keep it (its young member
** is referenced from outside their candidates) and the fourth backstop, a
** full collection, frees it. Meanwhile the long-lived tree is examined by
** that full collection only. */
Test(policy, transfer_closed_cycle_around_an_old_object_freed_by_the_fourth_backstop) {
  TL_SKIP_UNDER_BUDGET();
  TL_SKIP_UNDER_STRESS();
  long long node = block_bytes(&churn_type);
  tl_node *keep = tree(12); /* 8191 nodes */
  tl_node *old = tl_new("old");
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0); /* both old now; the count restarts */
  memset(gens_started, 0, sizeof gens_started);
  memset(gen_candidates, 0, sizeof gen_candidates);
  cr_assert_eq(rcgc_callback_add(tl.heap, count_starts, NULL), RCGC_OK);
  cr_assert_eq(rcgc_callback_add(tl.heap, count_candidates, NULL), RCGC_OK);
  rcgc_enable(tl.heap);
  long long live = (long long)rcgc_heap_bytes(tl.heap);
  long destroyed0 = tl_destroyed;
  tl_node *young = tl_new("young");
  old->a = young; /* young's reference moves into old */
  young->a = old; /* and old's into young: garbage, no decrement */
  /* each backstop comes after max(64 MiB, 16 x live) bytes -- the live
  ** bytes stay those of the tree, the pair and a few churn nodes -- and
  ** the block whose allocation crossed the line */
  long long bound = 4 * (max_ll(64 * MIB, 16 * (live + 64 * node)) + node);
  long long made = node;
  while (tl_destroyed - destroyed0 < 2) {
    /* with a pause budget (make test's budget mode) the backstop due at
    ** the bound may run in slices: the bound stretches by its length */
    rcgc_incremental_stats is;
    cr_assert_eq(rcgc_get_incremental_stats(tl.heap, &is), RCGC_OK);
    cr_assert(made <= bound || (tl_budget() != 0 && is.running),
              "the cycle waited past %lld bytes of allocation", bound);
    drop(rcgc_new(tl.heap, &churn_type));
    made += node;
  }
  rcgc_disable(tl.heap);
  cr_assert_gt(made, 3 * 64 * MIB, "three young backstops kept it");
  cr_assert_eq(gens_started[1], 3, "three young backstops");
  cr_assert_eq(gens_started[2], 1, "then a full one");
  cr_assert_eq(gens_started[0], 0, "and nothing else");
  cr_assert_lt(gen_candidates[1], 8191, "the young backstops never examined the tree");
  cr_assert_geq(gen_candidates[2], 8191 + 2, "the full one examined everything");
  cr_assert_eq(rcgc_callback_remove(tl.heap, count_candidates, NULL), RCGC_OK);
  cr_assert_eq(rcgc_callback_remove(tl.heap, count_starts, NULL), RCGC_OK);
  drop(keep);
}

/* An automatic collection cannot start inside a callback; the budget stays
** spent and the next allocation outside it collects. */
Test(policy, garbage_made_by_rcgc_set_is_reclaimed_automatically) {
  TL_SKIP_UNDER_STRESS();
  rcgc_enable(tl.heap);
  long long node = block_bytes(&tl_node_type);
  long destroyed0 = tl_destroyed;
  long long made = 0;
  long rings = 0;
  while (made < 4 * MIB) {
    tl_node *a = tl_new("a"), *b = tl_new("b"), *c = tl_new("c");
    TL_LINK(a, a, b);
    TL_LINK(b, a, c);
    TL_LINK(c, a, a);
    drop(a);
    drop(b);
    drop(c);
    made += 3 * node;
    rings++;
  }
  /* at most the last 256 KiB of rings can still be waiting */
  long long waiting = (long long)rcgc_heap_bytes(tl.heap);
  cr_assert_leq(waiting, 256 * KIB + 3 * node, "%lld bytes of garbage waiting", waiting);
  rcgc_disable(tl.heap);
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(tl_destroyed - destroyed0, 3 * rings);
}

/* A program that keeps replacing cycles: every new cycle is a suspect (its
** creation references are dropped after rcgc_set), so each suspect
** collection examines the new live cycles with the garbage. Objects
** examined for the first time do not push the next collection back (only
** those examined again do), so the garbage waiting at any collection stays
** within about the minimum budget of 256 KiB -- not 4 x the live bytes, as
** when every examined byte counted. */
static long backlog_max, live_held;
static void measure_backlog(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info,
                            void *ud) {
  (void)info;
  (void)ud;
  long backlog = (long)rcgc_heap_object_count(h) - live_held;
  if (phase == RCGC_PHASE_START && backlog > backlog_max)
    backlog_max = backlog;
}

#define CYCLES 2000
#define CYCLE_LEN 10

static tl_node *make_cycle(void) {
  tl_node *first = tl_new("c"), *last = first;
  for (int i = 1; i < CYCLE_LEN; i++) {
    tl_node *x = tl_new("c");
    TL_LINK(last, a, x);
    drop(x);
    last = x;
  }
  TL_LINK(last, a, first);
  return first;
}

Test(policy, replacing_cycles_keeps_the_backlog_near_the_minimum_budget) {
  TL_SKIP_UNDER_BUDGET();
  TL_SKIP_UNDER_STRESS();
  long long node = block_bytes(&tl_node_type);
  static tl_node *cyc[CYCLES];
  for (int i = 0; i < CYCLES; i++)
    cyc[i] = make_cycle();
  live_held = CYCLES * CYCLE_LEN;
  backlog_max = 0;
  cr_assert_eq(rcgc_callback_add(tl.heap, measure_backlog, NULL), RCGC_OK);
  rcgc_enable(tl.heap);
  long collections0 = 0, cand, coll;
  totals(&collections0, &cand, &coll);
  uint64_t r = 88172645463325252ull;
  for (int k = 0; k < 10 * CYCLES; k++) {
    r ^= r << 13;
    r ^= r >> 7;
    r ^= r << 17;
    int j = (int)(r % CYCLES);
    drop(cyc[j]); /* the whole cycle is garbage now */
    live_held -= CYCLE_LEN;
    cyc[j] = make_cycle();
    live_held += CYCLE_LEN;
  }
  rcgc_disable(tl.heap);
  long collections = 0;
  totals(&collections, &cand, &coll);
  long long live = (long long)CYCLES * CYCLE_LEN * node;
  cr_assert_gt(collections - collections0, 10, "%ld collections", collections - collections0);
  /* one budget of garbage, and the cycles whose drop and remake straddled a
  ** collection */
  long bound = (long)(256 * KIB / node) + 2 * CYCLE_LEN;
  cr_assert_leq(backlog_max, bound, "up to %ld garbage nodes waited (bound %ld; 4 x live is %lld)",
                backlog_max, bound, 4 * live / node);
  cr_assert_eq(rcgc_callback_remove(tl.heap, measure_backlog, NULL), RCGC_OK);
  for (int i = 0; i < CYCLES; i++)
    drop(cyc[i]);
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
}

/* A weak-reference callback that takes and drops a reference to its own
** weak reference, while the collector holds that weak reference on its own
** list: no suspect is made of it there, the collection counts only the
** garbage, and the heap's invariants hold afterwards. */
static void touch_self(rcgc_heap *h, rcgc_weakref *wr, void *ud) {
  (*(int *)ud)++;
  rcgc_incref(h, wr);
  rcgc_decref(h, wr);
}

Test(policy, callback_touching_its_weak_reference) {
  int calls = 0;
  tl_node *x = tl_new("x");
  TL_LINK(x, a, x);
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, x, touch_self, &calls);
  cr_assert_not_null(wr);
  rcgc_decref(tl.heap, x);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1, "x alone");
  cr_assert_eq(calls, 1);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, wr);
}
