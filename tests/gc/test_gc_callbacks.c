/*
** test_gc_callbacks.c -- start/stop callbacks and re-entrancy, ported from
** CPython's GCCallbackTests (test_collect, test_collect_generation,
** test_collect_garbage's "stop callback empties the garbage list") and
** test_get_objects_during_gc (gh-125859): each callback called once with
** start and stop and the right info (generation, collected, uncollectable,
** candidates, duration >= 0); two callbacks each called once; a callback
** removing itself; collect from a callback returns 0; introspection from a
** callback and from a finalizer during a collection never returns a dying
** object; the final collection of rcgc_heap_destroy calls no callback.
*/
#include "testlib.h"

TL_DEFINE;

TestSuite(gc_callbacks, .init = tl_setup, .fini = tl_teardown);

typedef struct event {
  rcgc_phase phase;
  rcgc_collect_info info;
  int who;
} event;

static event events[64];
static int nevents;

static void record(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info, void *ud) {
  cr_assert_eq(h, tl.heap);
  cr_assert_lt(nevents, 64);
  events[nevents].phase = phase;
  events[nevents].info = *info;
  events[nevents].who = (int)(intptr_t)ud;
  nevents++;
}

static void garbage_pair(void) {
  tl_node *x = tl_new("x"), *y = tl_new("y");
  TL_LINK(x, a, y);
  TL_LINK(y, a, x);
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
}

Test(gc_callbacks, two_callbacks_each_called_once) { /* test_collect, test_collect_generation */
  nevents = 0;
  cr_assert_eq(rcgc_callback_add(tl.heap, record, (void *)1), RCGC_OK);
  cr_assert_eq(rcgc_callback_add(tl.heap, record, (void *)2), RCGC_OK);
  tl_node *live = tl_new("live");
  garbage_pair();
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(nevents, 4);
  /* start: both, in registration order, with zeroed results */
  for (int i = 0; i < 2; i++) {
    cr_assert_eq(events[i].phase, RCGC_PHASE_START);
    cr_assert_eq(events[i].who, i + 1);
    cr_assert_eq(events[i].info.generation, 2);
    cr_assert_eq(events[i].info.collected, 0);
    cr_assert_eq(events[i].info.uncollectable, 0);
    cr_assert(events[i].info.duration == 0.0);
  }
  for (int i = 2; i < 4; i++) {
    cr_assert_eq(events[i].phase, RCGC_PHASE_STOP);
    cr_assert_eq(events[i].who, i - 1);
    cr_assert_eq(events[i].info.generation, 2);
    cr_assert_eq(events[i].info.collected, 2);
    cr_assert_eq(events[i].info.uncollectable, 0);
    cr_assert_eq(events[i].info.candidates, 3);
    cr_assert(events[i].info.duration >= 0.0);
  }
  /* generation 0: the info says 0, candidates only generation 0 */
  nevents = 0;
  tl_node *young = tl_new("young");
  cr_assert_eq(rcgc_collect(tl.heap, 0), 0);
  cr_assert_eq(nevents, 4);
  cr_assert_eq(events[0].info.generation, 0);
  cr_assert_eq(events[3].info.generation, 0);
  cr_assert_eq(events[3].info.collected, 0);
  cr_assert_eq(events[3].info.candidates, 1);
  /* the statistics agree with the stop info */
  rcgc_gen_stats st[3];
  rcgc_get_stats(tl.heap, st);
  cr_assert_eq(st[2].collected, 2);
  cr_assert_eq(st[2].candidates, 3);
  cr_assert_eq(st[0].candidates, 1);

  cr_assert_eq(rcgc_callback_remove(tl.heap, record, (void *)1), RCGC_OK);
  cr_assert_eq(rcgc_callback_remove(tl.heap, record, (void *)1), RCGC_ENOTFOUND);
  nevents = 0;
  rcgc_collect(tl.heap, 1);
  cr_assert_eq(nevents, 2);
  cr_assert_eq(events[0].who, 2);
  cr_assert_eq(events[0].info.generation, 1);
  cr_assert_eq(rcgc_callback_remove(tl.heap, record, (void *)2), RCGC_OK);
  nevents = 0;
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(nevents, 0);
  rcgc_decref(tl.heap, live);
  rcgc_decref(tl.heap, young);
}

Test(gc_callbacks, same_callback_twice_is_called_twice) {
  nevents = 0;
  rcgc_callback_add(tl.heap, record, (void *)7);
  rcgc_callback_add(tl.heap, record, (void *)7);
  rcgc_collect(tl.heap, 0);
  cr_assert_eq(nevents, 4);
  cr_assert_eq(rcgc_callback_remove(tl.heap, record, (void *)7), RCGC_OK);
  nevents = 0;
  rcgc_collect(tl.heap, 0);
  cr_assert_eq(nevents, 2, "the first registration only was removed");
  cr_assert_eq(rcgc_callback_remove(tl.heap, record, (void *)7), RCGC_OK);
}

/* ------------------------------------------------------------ removal */

static int removing_calls;
static void remove_self(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info, void *ud) {
  (void)info;
  (void)phase;
  removing_calls++;
  cr_assert_eq(rcgc_callback_remove(h, remove_self, ud), RCGC_OK);
  cr_assert_eq(rcgc_callback_remove(h, remove_self, ud), RCGC_ENOTFOUND);
}

Test(gc_callbacks, removal_from_inside_a_callback) {
  nevents = 0;
  removing_calls = 0;
  rcgc_callback_add(tl.heap, record, (void *)1);
  rcgc_callback_add(tl.heap, remove_self, NULL);
  rcgc_callback_add(tl.heap, record, (void *)3);
  garbage_pair();
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(removing_calls, 1, "removed at start: not called at stop");
  cr_assert_eq(nevents, 4, "the others are called at start and stop");
  cr_assert_eq(events[0].who, 1);
  cr_assert_eq(events[1].who, 3);
  cr_assert_eq(events[2].who, 1);
  cr_assert_eq(events[3].who, 3);
  nevents = 0;
  rcgc_collect(tl.heap, 2);
  cr_assert_eq(removing_calls, 1);
  cr_assert_eq(nevents, 4);
  cr_assert_eq(rcgc_callback_remove(tl.heap, remove_self, NULL), RCGC_ENOTFOUND);
  rcgc_callback_remove(tl.heap, record, (void *)1);
  rcgc_callback_remove(tl.heap, record, (void *)3);
}

/* ------------------------------------------------------------ re-entrancy */

static long nested_result[2];
static int nested_calls;
static void collect_again(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info, void *ud) {
  (void)info;
  (void)ud;
  nested_calls++;
  nested_result[phase] = rcgc_collect(h, 2);
  /* a garbage cycle made in the stop callback waits for the next
  ** collection (one made at start would be part of this one: the
  ** candidates are gathered after the start callbacks, as in CPython) */
  if (phase == RCGC_PHASE_STOP)
    garbage_pair();
}

Test(gc_callbacks, collect_during_a_collection_returns_zero) {
  nested_calls = 0;
  nested_result[0] = nested_result[1] = -99;
  rcgc_callback_add(tl.heap, collect_again, NULL);
  garbage_pair();
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2, "the pair that existed when it started");
  cr_assert_eq(nested_calls, 2, "no nested collection ran its callbacks");
  cr_assert_eq(nested_result[RCGC_PHASE_START], 0);
  cr_assert_eq(nested_result[RCGC_PHASE_STOP], 0);
  rcgc_gen_stats st[3];
  rcgc_get_stats(tl.heap, st);
  cr_assert_eq(st[2].collections, 1);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 2, "the pair made in the stop callback");
  rcgc_callback_remove(tl.heap, collect_again, NULL);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(tl_destroyed, 4);
}

/* ------------------------------------------------------------ introspection */

static long seen_objects[2], seen_referrers[2], seen_garbage[2];
static void *watched[2];
static void introspect_cb(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info, void *ud) {
  (void)info;
  (void)ud;
  rcgc_list l;
  cr_assert_eq(rcgc_get_objects(h, -1, &l), RCGC_OK);
  seen_objects[phase] = (long)l.count;
  rcgc_list_decref_and_free(h, &l);
  cr_assert_eq(rcgc_get_referrers(h, (void *const *)watched, 2, &l), RCGC_OK);
  seen_referrers[phase] = (long)l.count;
  rcgc_list_decref_and_free(h, &l);
  seen_garbage[phase] = (long)rcgc_garbage_count(h);
  if (phase == RCGC_PHASE_STOP)
    rcgc_garbage_clear(h); /* a stop callback may empty the garbage list */
}

Test(gc_callbacks, introspection_from_callbacks) {
  rcgc_callback_add(tl.heap, introspect_cb, NULL);
  tl_node *live = tl_new("live");
  tl_node *x = tl_new("x"), *y = tl_new("y");
  TL_LINK(x, a, y);
  TL_LINK(y, a, x);
  watched[0] = x;
  watched[1] = y;
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(seen_objects[RCGC_PHASE_START], 3, "nothing is known to be garbage at start");
  cr_assert_eq(seen_referrers[RCGC_PHASE_START], 2);
  cr_assert_eq(seen_objects[RCGC_PHASE_STOP], 1, "the cycle is gone at stop");
  cr_assert_eq(seen_referrers[RCGC_PHASE_STOP], 0);
  cr_assert_eq(tl_destroyed, 2);

  /* DEBUG_SAVEALL: the stop callback sees the garbage list and clears it */
  x = tl_new("x2");
  TL_LINK(x, a, x);
  watched[0] = watched[1] = live;
  rcgc_decref(tl.heap, x);
  rcgc_set_debug(tl.heap, RCGC_DEBUG_SAVEALL);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  rcgc_set_debug(tl.heap, 0);
  cr_assert_eq(seen_garbage[RCGC_PHASE_START], 0);
  cr_assert_eq(seen_garbage[RCGC_PHASE_STOP], 1);
  cr_assert_eq(seen_objects[RCGC_PHASE_STOP], 2, "saved garbage is alive in generation 2");
  cr_assert_eq(rcgc_garbage_count(tl.heap), 0);
  rcgc_callback_remove(tl.heap, introspect_cb, NULL);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1);
  cr_assert_eq(tl_destroyed, 3);
  rcgc_decref(tl.heap, live);
}

/* gh-125859: a finalizer of a garbage object calling get_objects and
** get_referrers must not crash and must not see the dying objects. */
static long fin_objects = -1, fin_referrers = -1, fin_dying_seen;
static void *dying[3];
static void introspecting_finalize(rcgc_heap *h, void *o) {
  tl_finalized++;
  rcgc_list l;
  cr_assert_eq(rcgc_get_objects(h, -1, &l), RCGC_OK);
  fin_objects = (long)l.count;
  for (size_t i = 0; i < l.count; i++)
    for (int j = 0; j < 3; j++)
      if (l.items[i] == dying[j])
        fin_dying_seen++;
  rcgc_list_decref_and_free(h, &l);
  cr_assert_eq(rcgc_get_referrers(h, (void *[]){o}, 1, &l), RCGC_OK);
  fin_referrers = (long)l.count;
  rcgc_list_decref_and_free(h, &l);
  /* and a collection from here returns 0 */
  cr_assert_eq(rcgc_collect(h, 2), 0);
}
static const rcgc_type fin_type = {
    .name = "Fin", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .finalize = introspecting_finalize, .destroy = tl_count_destroy, .repr = tl_node_repr};

Test(gc_callbacks, introspection_from_a_finalizer_during_collection) { /* test_get_objects_during_gc */
  tl_node *live = tl_new("live");
  tl_node *r[3];
  for (int i = 0; i < 3; i++) {
    r[i] = rcgc_new(tl.heap, &fin_type);
    dying[i] = r[i];
  }
  for (int i = 0; i < 3; i++)
    TL_LINK(r[i], a, r[(i + 1) % 3]);
  for (int i = 0; i < 3; i++)
    rcgc_decref(tl.heap, r[i]);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 3);
  cr_assert_eq(tl_finalized, 3);
  cr_assert_eq(fin_objects, 1, "only 'live'");
  cr_assert_eq(fin_dying_seen, 0);
  cr_assert_eq(fin_referrers, 0, "the referrer of a dying object is dying too");
  cr_assert_eq(tl_destroyed, 3);
  rcgc_decref(tl.heap, live);
}

Test(gc_callbacks, heap_destroy_calls_no_callback) {
  nevents = 0;
  rcgc_callback_add(tl.heap, record, NULL);
  garbage_pair();
  cr_assert_eq(rcgc_heap_destroy(tl.heap), 0);
  tl.heap = NULL;
  cr_assert_eq(nevents, 0);
  cr_assert_eq(tl_destroyed, 2);
}
