/*
** test_hostile_threads.c -- every call that takes a heap, of the core API
** (rcgc.h sections 1-6 and 8) and of the leak-hunting layer (rcgc_leak.h),
** made by a second thread while the first is inside that heap (in a
** collection callback, with the handshake of threads_stage.h so the overlap
** is certain). Checking builds claim the heap in every such call: each is
** reported once ("heap used by two threads") and refused -- it returns
** RCGC_ETHREAD where it returns a code, NULL, 0 or nothing otherwise, sets
** its out parameters to NULL / 0 -- and changes nothing. The calls that
** take no heap are listed in 'no_heap'. A test checks that the table and
** that list cover every function of hostile_api.h.
*/
#include "hostile_api.h"
#include "rcgc_leak.h"
#include "testlib.h"
#include "threads_stage.h"

#include <errno.h>
#include <unistd.h>

TL_DEFINE;

TestSuite(hostile_threads, .init = tl_setup, .fini = tl_teardown_after_misuse, .timeout = 60);

/* ---------------------------------------------------------------- table */
static tl_node *obj;       /* a live node of tl.heap, refcount 1 */
static rcgc_weakref *wr;   /* a weak reference to it */
static rcgc_list prepared; /* a list holding a reference to obj */
static rcgc_leak_root *prepared_roots; /* a result block of rcgc_leak_roots */
static rcgc_leak_mark *mark;          /* a mark taken before the second thread */
static char snapshot_path[64];        /* a file the refused snapshot must not create */
static char junk;                     /* what out parameters hold before a call */

static void noop_cb(rcgc_heap *h, rcgc_phase p, const rcgc_collect_info *i, void *ud) {
  (void)h, (void)p, (void)i, (void)ud;
}
static int noop_obj(void *o, void *ud) {
  (void)o, (void)ud;
  return 7; /* would stop at the first object: a result the refusal cannot give */
}

#define E RCGC_ETHREAD
#define P(x) ((x) != NULL ? 1L : 0L)

typedef struct row {
  const char *name;
  long (*fn)(rcgc_heap *h);
  long refused; /* the result of the refused call */
} row;

static long t_heap_destroy(rcgc_heap *h) { return rcgc_heap_destroy(h); }
static long t_object_count(rcgc_heap *h) { return (long)rcgc_heap_object_count(h); }
static long t_heap_bytes(rcgc_heap *h) { return (long)rcgc_heap_bytes(h); }
static long t_new(rcgc_heap *h) { return P(rcgc_new(h, &tl_node_type)); }
static long t_new_sized(rcgc_heap *h) { return P(rcgc_new_sized(h, &tl_node_type, 64)); }
static long t_incref(rcgc_heap *h) {
  rcgc_incref(h, obj);
  return 0;
}
static long t_decref(rcgc_heap *h) {
  rcgc_decref(h, obj);
  return 0;
}
static long t_typeof(rcgc_heap *h) { return P(rcgc_typeof(h, obj)); }
static long t_serial(rcgc_heap *h) { return (long)rcgc_serial(h, obj); }
static long t_repr(rcgc_heap *h) {
  char buf[64] = "x";
  int n = rcgc_repr(h, obj, buf, sizeof buf);
  return buf[0] != 0 ? -100 : n;
}
static long t_set_policy(rcgc_heap *h) { return rcgc_set_policy(h, RCGC_POLICY_CPYTHON); }
static long t_get_policy(rcgc_heap *h) { return rcgc_get_policy(h); }
static long t_enable(rcgc_heap *h) { return rcgc_enable(h); }
static long t_disable(rcgc_heap *h) { return rcgc_disable(h); }
static long t_isenabled(rcgc_heap *h) { return rcgc_isenabled(h); }
static long t_collect(rcgc_heap *h) { return rcgc_collect(h, 2); }
static long t_get_count(rcgc_heap *h) {
  long v[RCGC_NUM_GENERATIONS];
  return rcgc_get_count(h, v);
}
static long t_set_threshold(rcgc_heap *h) { return rcgc_set_threshold(h, 1, 2, 3); }
static long t_get_threshold(rcgc_heap *h) {
  long v[RCGC_NUM_GENERATIONS];
  return rcgc_get_threshold(h, v);
}
static long t_set_debug(rcgc_heap *h) { return rcgc_set_debug(h, RCGC_DEBUG_STATS); }
static long t_get_debug(rcgc_heap *h) { return (long)rcgc_get_debug(h); }
static long t_callback_add(rcgc_heap *h) { return rcgc_callback_add(h, noop_cb, NULL); }
static long t_callback_remove(rcgc_heap *h) { return rcgc_callback_remove(h, noop_cb, NULL); }
static long t_get_stats(rcgc_heap *h) {
  rcgc_gen_stats st[RCGC_NUM_GENERATIONS];
  return rcgc_get_stats(h, st);
}
static long t_set_pause_budget(rcgc_heap *h) { return rcgc_set_pause_budget(h, 1000); }
static long t_get_pause_budget(rcgc_heap *h) { return (long)rcgc_get_pause_budget(h); }
static long t_collect_step(rcgc_heap *h) { return rcgc_collect_step(h, 1000); }
static long t_get_incremental_stats(rcgc_heap *h) {
  rcgc_incremental_stats s;
  return rcgc_get_incremental_stats(h, &s);
}
static long t_list_release(rcgc_heap *h) {
  rcgc_list_decref_and_free(h, &prepared);
  return prepared.count == 1 ? 0 : -100;
}
static long t_get_objects(rcgc_heap *h) {
  rcgc_list l;
  return rcgc_get_objects(h, -1, &l);
}
static long t_get_referrers(rcgc_heap *h) {
  rcgc_list l;
  return rcgc_get_referrers(h, (void *[]){obj}, 1, &l);
}
static long t_get_referents(rcgc_heap *h) {
  rcgc_list l;
  return rcgc_get_referents(h, (void *[]){obj}, 1, &l);
}
static long t_track(rcgc_heap *h) { return rcgc_track(h, obj); }
static long t_untrack(rcgc_heap *h) { return rcgc_untrack(h, obj); }
static long t_freeze(rcgc_heap *h) { return rcgc_freeze(h); }
static long t_unfreeze(rcgc_heap *h) { return rcgc_unfreeze(h); }
static long t_get_freeze_count(rcgc_heap *h) { return (long)rcgc_get_freeze_count(h); }
static long t_visit_objects(rcgc_heap *h) { return rcgc_visit_objects(h, noop_obj, NULL); }
static long t_weakref_new(rcgc_heap *h) { return P(rcgc_weakref_new(h, obj, NULL, NULL)); }
static long t_weakref_get(rcgc_heap *h) { return P(rcgc_weakref_get(h, wr)); }
static long t_weakref_count(rcgc_heap *h) { return (long)rcgc_weakref_count(h, obj); }
static long t_garbage_count(rcgc_heap *h) { return (long)rcgc_garbage_count(h); }
static long t_garbage_get(rcgc_heap *h) { return P(rcgc_garbage_get(h, 0)); }
static long t_garbage_clear(rcgc_heap *h) { return rcgc_garbage_clear(h); }
static long t_garbage_remove(rcgc_heap *h) { return rcgc_garbage_remove(h, 0); }
static long t_garbage_release(rcgc_heap *h) { return rcgc_garbage_release(h, 0); }
static long t_check_heap(rcgc_heap *h) { return rcgc_check_heap(h); }
static long t_misuse_count(rcgc_heap *h) { return (long)rcgc_misuse_count(h); }
static long t_printf(rcgc_heap *h) {
  rcgc_printf(h, "printed by the second thread\n");
  return 0;
}

/* The leak-hunting calls. Writers are NULL (the heap's sink): a refused
** call writes nothing there. Out parameters start as junk and must come
** back NULL / 0 (rcgc_leak.h: set so on every error): else -100. */
static long outs_reset(long r, const void *p, size_t n) {
  return p == NULL && n == 0 ? r : -100;
}
static long t_leak_free(rcgc_heap *h) {
  rcgc_leak_free(h, prepared_roots); /* refused: the block stays the caller's */
  return 0;
}
static long t_leak_roots(rcgc_heap *h) {
  rcgc_leak_root *o = (void *)&junk;
  size_t n = 9;
  long r = rcgc_leak_roots(h, &o, &n);
  return outs_reset(r, o, n);
}
static long t_leak_print_roots(rcgc_heap *h) { return rcgc_leak_print_roots(h, NULL, NULL); }
static long t_leak_why(rcgc_heap *h) {
  rcgc_leak_path *o = (void *)&junk;
  size_t n = 9;
  long r = rcgc_leak_why(h, obj, 1, &o, &n);
  return outs_reset(r, o, n);
}
static long t_leak_print_why(rcgc_heap *h) { return rcgc_leak_print_why(h, obj, 1, NULL, NULL); }
static long t_leak_cycles(rcgc_heap *h) {
  rcgc_leak_cycle_set *o = (void *)&junk;
  long r = rcgc_leak_cycles(h, RCGC_LEAK_HEAP, NULL, 0, &o);
  return outs_reset(r, o, 0);
}
static long t_leak_print_cycles(rcgc_heap *h) {
  return rcgc_leak_print_cycles(h, RCGC_LEAK_HEAP, NULL, 0, 0, NULL, NULL);
}
static long t_leak_explain_collect(rcgc_heap *h) { return rcgc_leak_explain_collect(h, NULL, NULL); }
static long t_leak_histogram(rcgc_heap *h) {
  rcgc_leak_type_stat *o = (void *)&junk;
  size_t n = 9;
  long r = rcgc_leak_histogram(h, &o, &n);
  return outs_reset(r, o, n);
}
static long t_leak_print_histogram(rcgc_heap *h) {
  return rcgc_leak_print_histogram(h, 0, NULL, NULL);
}
static long t_leak_mark_new(rcgc_heap *h) { return P(rcgc_leak_mark_new(h)); }
static long t_leak_growth_since(rcgc_heap *h) {
  rcgc_leak_growth *o = (void *)&junk;
  size_t n = 9;
  long r = rcgc_leak_growth_since(h, mark, &o, &n);
  return outs_reset(r, o, n);
}
static long t_leak_print_growth(rcgc_heap *h) {
  return rcgc_leak_print_growth(h, mark, 0, NULL, NULL);
}
static long t_leak_since_mark(rcgc_heap *h) {
  void **o = (void *)&junk;
  size_t n = 9;
  long r = rcgc_leak_since_mark(h, mark, &o, &n);
  return outs_reset(r, o, n);
}
static long t_leak_print_since_mark(rcgc_heap *h) {
  return rcgc_leak_print_since_mark(h, mark, 0, NULL, NULL);
}
static long t_leak_dominators(rcgc_heap *h) {
  rcgc_leak_retained *o = (void *)&junk;
  size_t n = 9;
  long r = rcgc_leak_dominators(h, &o, &n);
  return outs_reset(r, o, n);
}
static long t_leak_top_retainers(rcgc_heap *h) {
  rcgc_leak_retained *o = (void *)&junk;
  size_t n = 9;
  long r = rcgc_leak_top_retainers(h, 3, &o, &n);
  return outs_reset(r, o, n);
}
static long t_leak_print_top_retainers(rcgc_heap *h) {
  return rcgc_leak_print_top_retainers(h, 3, NULL, NULL);
}
static long t_expect_freed(rcgc_heap *h) { return rcgc_expect_freed(h, obj, "relabelled"); }
static long t_expect_freed_cancel(rcgc_heap *h) { return rcgc_expect_freed_cancel(h, obj); }
static long t_expect_freed_check(rcgc_heap *h) {
  return rcgc_expect_freed_check(h, RCGC_EXPECT_COLLECT, NULL, NULL);
}
static long t_leak_dot(rcgc_heap *h) {
  return rcgc_leak_dot(h, (void *[]){obj}, 1, NULL, NULL, NULL);
}
static long t_leak_snapshot(rcgc_heap *h) { return rcgc_leak_snapshot(h, NULL, NULL); }
static long t_leak_snapshot_file(rcgc_heap *h) { return rcgc_leak_snapshot_file(h, snapshot_path); }

static const row rows[] = {
    {"rcgc_heap_destroy", t_heap_destroy, E},
    {"rcgc_heap_object_count", t_object_count, 0},
    {"rcgc_heap_bytes", t_heap_bytes, 0},
    {"rcgc_new", t_new, 0},
    {"rcgc_new_sized", t_new_sized, 0},
    {"rcgc_incref", t_incref, 0},
    {"rcgc_decref", t_decref, 0},
    {"rcgc_typeof", t_typeof, 0},
    {"rcgc_serial", t_serial, 0},
    {"rcgc_repr", t_repr, 0},
    {"rcgc_set_policy", t_set_policy, E},
    {"rcgc_get_policy", t_get_policy, E},
    {"rcgc_enable", t_enable, E},
    {"rcgc_disable", t_disable, E},
    {"rcgc_isenabled", t_isenabled, 0},
    {"rcgc_collect", t_collect, E},
    {"rcgc_get_count", t_get_count, E},
    {"rcgc_set_threshold", t_set_threshold, E},
    {"rcgc_get_threshold", t_get_threshold, E},
    {"rcgc_set_debug", t_set_debug, E},
    {"rcgc_get_debug", t_get_debug, 0},
    {"rcgc_callback_add", t_callback_add, E},
    {"rcgc_callback_remove", t_callback_remove, E},
    {"rcgc_get_stats", t_get_stats, E},
    {"rcgc_set_pause_budget", t_set_pause_budget, E},
    {"rcgc_get_pause_budget", t_get_pause_budget, 0},
    {"rcgc_collect_step", t_collect_step, E},
    {"rcgc_get_incremental_stats", t_get_incremental_stats, E},
    {"rcgc_list_decref_and_free", t_list_release, 0},
    {"rcgc_get_objects", t_get_objects, E},
    {"rcgc_get_referrers", t_get_referrers, E},
    {"rcgc_get_referents", t_get_referents, E},
    {"rcgc_track", t_track, E},
    {"rcgc_untrack", t_untrack, E},
    {"rcgc_freeze", t_freeze, E},
    {"rcgc_unfreeze", t_unfreeze, E},
    {"rcgc_get_freeze_count", t_get_freeze_count, 0},
    {"rcgc_visit_objects", t_visit_objects, E},
    {"rcgc_weakref_new", t_weakref_new, 0},
    {"rcgc_weakref_get", t_weakref_get, 0},
    {"rcgc_weakref_count", t_weakref_count, 0},
    {"rcgc_garbage_count", t_garbage_count, 0},
    {"rcgc_garbage_get", t_garbage_get, 0},
    {"rcgc_garbage_clear", t_garbage_clear, E},
    {"rcgc_garbage_remove", t_garbage_remove, E},
    {"rcgc_garbage_release", t_garbage_release, E},
    {"rcgc_check_heap", t_check_heap, E},
    {"rcgc_misuse_count", t_misuse_count, 0},
    {"rcgc_printf", t_printf, 0},
    {"rcgc_leak_free", t_leak_free, 0},
    {"rcgc_leak_roots", t_leak_roots, E},
    {"rcgc_leak_print_roots", t_leak_print_roots, E},
    {"rcgc_leak_why", t_leak_why, E},
    {"rcgc_leak_print_why", t_leak_print_why, E},
    {"rcgc_leak_cycles", t_leak_cycles, E},
    {"rcgc_leak_print_cycles", t_leak_print_cycles, E},
    {"rcgc_leak_explain_collect", t_leak_explain_collect, E},
    {"rcgc_leak_histogram", t_leak_histogram, E},
    {"rcgc_leak_print_histogram", t_leak_print_histogram, E},
    {"rcgc_leak_mark_new", t_leak_mark_new, 0},
    {"rcgc_leak_growth_since", t_leak_growth_since, E},
    {"rcgc_leak_print_growth", t_leak_print_growth, E},
    {"rcgc_leak_since_mark", t_leak_since_mark, E},
    {"rcgc_leak_print_since_mark", t_leak_print_since_mark, E},
    {"rcgc_leak_dominators", t_leak_dominators, E},
    {"rcgc_leak_top_retainers", t_leak_top_retainers, E},
    {"rcgc_leak_print_top_retainers", t_leak_print_top_retainers, E},
    {"rcgc_expect_freed", t_expect_freed, E},
    {"rcgc_expect_freed_cancel", t_expect_freed_cancel, E},
    {"rcgc_expect_freed_check", t_expect_freed_check, E},
    {"rcgc_leak_dot", t_leak_dot, E},
    {"rcgc_leak_snapshot", t_leak_snapshot, E},
    {"rcgc_leak_snapshot_file", t_leak_snapshot_file, E},
};
#define NROWS (sizeof rows / sizeof rows[0])

/* The calls that take no heap, so claim none (rcgc.h's conventions), and
** rcgc_set, which is rcgc_incref then rcgc_decref (both in the table). */
static const char *const no_heap[] = {
    "rcgc_version", "rcgc_strerror",    "rcgc_err_name",     "rcgc_config_init",
    "rcgc_heap_new", "rcgc_refcount",   "rcgc_is_tracked",   "rcgc_is_finalized",
    "rcgc_weakref_alive", "rcgc_write_file", "rcgc_set"};

Test(hostile_threads, the_table_covers_every_call_that_takes_a_heap) {
  for (size_t i = 0; i < HOSTILE_NAPI; i++) {
    const char *name = hostile_api[i];
    bool found = false;
    for (size_t j = 0; j < NROWS && !found; j++)
      found = strcmp(rows[j].name, name) == 0;
    for (size_t j = 0; j < sizeof no_heap / sizeof no_heap[0] && !found; j++)
      found = strcmp(no_heap[j], name) == 0;
    cr_expect(found, "%s: no row in the second-thread table", name);
  }
}

#ifdef RCGC_CHECKS
/* ---------------------------------------------------------------- handshake */
/* threads_stage.h: 1: the main thread is inside the callback; 2: intruder done */
static long results[NROWS];

static void *intruder(void *arg) {
  (void)arg;
  wait_stage(1);
  for (size_t i = 0; i < NROWS; i++)
    results[i] = rows[i].fn(tl.heap);
  set_stage(2);
  return NULL;
}

#endif

Test(hostile_threads, every_call_from_a_second_thread_is_reported_and_refused) {
#ifndef RCGC_CHECKS
  cr_skip("thread detection is a checking-build check");
#else
  obj = tl_new("obj");
  wr = rcgc_weakref_new(tl.heap, obj, NULL, NULL);
  cr_assert_not_null(wr);
  /* a list holding one reference to obj: the referents of a holder, which
  ** then dies */
  tl_node *holder = tl_new("holder");
  TL_LINK(holder, a, obj);
  cr_assert_eq(rcgc_get_referents(tl.heap, (void *[]){holder}, 1, &prepared), RCGC_OK);
  rcgc_decref(tl.heap, holder);
  cr_assert_eq(prepared.count, 1);
  cr_assert_eq(prepared.items[0], obj);
  /* for the leak-hunting rows: a result block, a mark, a watch on obj and
  ** a file name that must stay absent */
  size_t nroots;
  cr_assert_eq(rcgc_leak_roots(tl.heap, &prepared_roots, &nroots), RCGC_OK);
  cr_assert_eq(nroots, 2); /* obj (the caller's reference and the list's), wr */
  mark = rcgc_leak_mark_new(tl.heap);
  cr_assert_not_null(mark);
  cr_assert_eq(rcgc_expect_freed(tl.heap, obj, "obj"), RCGC_OK);
  /* a pause budget that is not 0, so that the refused rcgc_get_pause_budget's
  ** 0 is not the budget (automatic collection is off: no collection runs
  ** incrementally) */
  cr_assert_eq(rcgc_set_pause_budget(tl.heap, 500), RCGC_OK);
  snprintf(snapshot_path, sizeof snapshot_path, "/tmp/rcgc_hostile_threads_%ld.heapsnapshot",
           (long)getpid());
  unlink(snapshot_path);
  size_t objects = rcgc_heap_object_count(tl.heap), bytes = rcgc_heap_bytes(tl.heap);
  cr_assert_eq(rcgc_callback_add(tl.heap, stage_hold_inside, NULL), RCGC_OK);
  long blocks = tl.alloc.live_blocks;
  stage_reset();
  pthread_t t;
  cr_assert_eq(pthread_create(&t, NULL, intruder, NULL), 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  pthread_join(t, NULL);
  /* no refused call took or gave back a block (rcgc_leak_free included) */
  cr_expect_eq(tl.alloc.live_blocks, blocks);
  cr_assert_eq(rcgc_callback_remove(tl.heap, stage_hold_inside, NULL), RCGC_OK);
  /* each call refused, with its documented result */
  for (size_t i = 0; i < NROWS; i++)
    cr_expect_eq(results[i], rows[i].refused, "%s from a second thread returned %ld, expected %ld",
                 rows[i].name, results[i], rows[i].refused);
  /* one report per call, and nothing else on the sink */
  char line[256];
  snprintf(line, sizeof line,
           "rcgc: misuse: heap used by two threads: heap %p entered by a second thread while "
           "another is inside it\n",
           (void *)tl.heap);
  cr_expect_eq(rcgc_misuse_count(tl.heap), NROWS, "%s", tl.sink.buf ? tl.sink.buf : "");
  cr_expect_eq(tl_count_lines(&tl.sink, line), NROWS);
  cr_expect_eq(tl.sink.len, NROWS * strlen(line), "%s", tl.sink.buf ? tl.sink.buf : "");
  /* and nothing changed */
  cr_expect_eq(rcgc_refcount(obj), 2); /* the caller's and the prepared list's */
  cr_expect_eq(rcgc_heap_object_count(tl.heap), objects);
  cr_expect_eq(rcgc_heap_bytes(tl.heap), bytes);
  cr_expect_eq(rcgc_get_policy(tl.heap), (int)tl_policy());
  cr_expect_eq(rcgc_isenabled(tl.heap), 0);
  cr_expect_eq(rcgc_get_debug(tl.heap), 0);
  cr_expect_eq(rcgc_get_freeze_count(tl.heap), 0);
  cr_expect_eq(rcgc_get_pause_budget(tl.heap), 500);
  rcgc_incremental_stats inc;
  cr_expect_eq(rcgc_get_incremental_stats(tl.heap, &inc), RCGC_OK);
  cr_expect_eq(inc.slices, 0, "a refused rcgc_collect_step ran a slice");
  cr_expect_eq(inc.running, 0);
  cr_expect_eq(rcgc_is_tracked(obj), 1);
  cr_expect_eq(rcgc_weakref_count(tl.heap, obj), 1);
  long th[RCGC_NUM_GENERATIONS];
  cr_expect_eq(rcgc_get_threshold(tl.heap, th), RCGC_OK);
  cr_expect_eq(th[0], 700);
  cr_expect_eq(rcgc_callback_remove(tl.heap, noop_cb, NULL), RCGC_ENOTFOUND);
  cr_expect_eq(rcgc_check_heap(tl.heap), 0);
  /* the leak layer's state too: the block and the mark are still the
  ** caller's, the watch is still in place with its label, no file */
  size_t i_obj = prepared_roots[0].obj == obj ? 0 : 1;
  cr_expect_eq(prepared_roots[i_obj].obj, obj);
  cr_expect_eq(prepared_roots[i_obj].external, 2);
  cr_expect_eq(prepared_roots[1 - i_obj].obj, wr);
  rcgc_leak_free(tl.heap, prepared_roots);
  rcgc_leak_growth *g;
  size_t ng;
  cr_expect_eq(rcgc_leak_growth_since(tl.heap, mark, &g, &ng), RCGC_OK);
  cr_expect_eq(ng, 0, "the objects counted at the mark are the objects now");
  rcgc_leak_free(tl.heap, g);
  rcgc_leak_free(tl.heap, mark);
  tl_sink watch = {0};
  cr_expect_eq(rcgc_expect_freed_check(tl.heap, 0, tl_sink_write, &watch), 1);
  cr_expect(watch.buf != NULL && strstr(watch.buf, "rcgc: expected freed: \"obj\" <") == watch.buf,
            "%s", watch.buf ? watch.buf : "");
  free(watch.buf);
  cr_expect_eq(access(snapshot_path, F_OK), -1);
  cr_expect_eq(errno, ENOENT);
  rcgc_list_decref_and_free(tl.heap, &prepared);
  rcgc_decref(tl.heap, wr);
  rcgc_decref(tl.heap, obj);
  cr_expect_eq(tl_destroyed, 2);
  /* the watch ended with obj */
  cr_expect_eq(rcgc_expect_freed_cancel(tl.heap, obj), RCGC_ENOTFOUND);
#endif
}

/* The claim nests on the thread that holds it: a leak-hunting call made by
** the owner thread from inside the heap (a collection callback) gets the
** layer's own answer, RCGC_EBUSY, and the calls that claim the heap again
** while they hold it (rcgc_collect inside rcgc_leak_explain_collect and
** rcgc_expect_freed_check, rcgc_leak_snapshot inside
** rcgc_leak_snapshot_file) work -- none of them is reported. */
static long nested_results[2] = {-99, -99};
static void leak_calls_inside(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info,
                              void *ud) {
  (void)info, (void)ud;
  if (phase == RCGC_PHASE_START) {
    nested_results[0] = rcgc_leak_print_histogram(h, 0, NULL, NULL);
    nested_results[1] = P(rcgc_leak_mark_new(h));
  }
}

Test(hostile_threads, the_owner_thread_nests_claims_without_a_report) {
  /* serials: rcgc_leak_explain_collect needs them in every build */
  rcgc_heap_destroy(tl.heap);
  tl.heap = tl_heap_new(RCGC_CONFIG_SERIALS);
  cr_assert_not_null(tl.heap);
  rcgc_disable(tl.heap);
  tl_node *a = tl_new("a"), *b = tl_new("b");
  TL_LINK(a, a, b);
  TL_LINK(b, a, a);
  cr_assert_eq(rcgc_expect_freed(tl.heap, a, "a"), RCGC_OK);
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(rcgc_callback_add(tl.heap, leak_calls_inside, NULL), RCGC_OK);
  cr_expect_eq(rcgc_collect(tl.heap, 2), 2);
  cr_expect_eq(nested_results[0], RCGC_EBUSY);
  cr_expect_eq(nested_results[1], 0);
  cr_assert_eq(rcgc_callback_remove(tl.heap, leak_calls_inside, NULL), RCGC_OK);
  cr_expect_eq(tl_destroyed, 2);
  /* a new cycle for the collections the leak calls run */
  a = tl_new("a2"), b = tl_new("b2");
  TL_LINK(a, a, b);
  TL_LINK(b, a, a);
  cr_assert_eq(rcgc_expect_freed(tl.heap, a, "a2"), RCGC_OK);
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  cr_expect_eq(rcgc_expect_freed_check(tl.heap, RCGC_EXPECT_COLLECT | RCGC_EXPECT_QUIET, NULL,
                                       NULL),
               0);
  cr_expect_eq(tl_destroyed, 4);
  a = tl_new("a3"), b = tl_new("b3");
  TL_LINK(a, a, b);
  TL_LINK(b, a, a);
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  tl_sink out = {0};
  cr_expect_eq(rcgc_leak_explain_collect(tl.heap, tl_sink_write, &out), 2);
  free(out.buf);
  cr_expect_eq(tl_destroyed, 6);
  char path[64];
  snprintf(path, sizeof path, "/tmp/rcgc_hostile_nested_%ld.heapsnapshot", (long)getpid());
  cr_expect_eq(rcgc_leak_snapshot_file(tl.heap, path), RCGC_OK);
  cr_expect_eq(unlink(path), 0);
  cr_expect_eq(rcgc_misuse_count(tl.heap), 0);
  cr_expect_eq(tl.sink.len, 0, "%s", tl.sink.buf ? tl.sink.buf : "");
}
