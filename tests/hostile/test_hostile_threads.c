/*
** test_hostile_threads.c -- every call of the core API (rcgc.h sections 1-6
** and 8) that takes a heap, made by a second thread while the first is
** inside that heap (in a collection callback, with the handshake of
** threads_stage.h so the overlap is certain). Checking builds claim the heap in every such call:
** each is reported once ("heap used by two threads") and refused -- it
** returns RCGC_ETHREAD where it returns a code, NULL, 0 or nothing
** otherwise -- and changes nothing. The leak-hunting calls belong to their
** own layer and are not in this table; the calls that take no heap are
** listed in 'no_heap'. A test checks that the table and those two lists
** cover every function of hostile_api.h.
*/
#include "hostile_api.h"
#include "testlib.h"
#include "threads_stage.h"

TL_DEFINE;

TestSuite(hostile_threads, .init = tl_setup, .fini = tl_teardown_after_misuse, .timeout = 60);

/* ---------------------------------------------------------------- table */
static tl_node *obj;       /* a live node of tl.heap, refcount 1 */
static rcgc_weakref *wr;   /* a weak reference to it */
static rcgc_list prepared; /* a list holding a reference to obj */

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
};
#define NROWS (sizeof rows / sizeof rows[0])

/* The calls that take no heap, so claim none (rcgc.h's conventions), and
** rcgc_set, which is rcgc_incref then rcgc_decref (both in the table). */
static const char *const no_heap[] = {
    "rcgc_version", "rcgc_strerror",    "rcgc_err_name",     "rcgc_config_init",
    "rcgc_heap_new", "rcgc_refcount",   "rcgc_is_tracked",   "rcgc_is_finalized",
    "rcgc_weakref_alive", "rcgc_write_file", "rcgc_set"};

static bool is_leak_call(const char *name) {
  return strncmp(name, "rcgc_leak_", 10) == 0 || strncmp(name, "rcgc_expect_freed", 17) == 0;
}

Test(hostile_threads, the_table_covers_every_core_call_that_takes_a_heap) {
  for (size_t i = 0; i < HOSTILE_NAPI; i++) {
    const char *name = hostile_api[i];
    bool found = is_leak_call(name);
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

static void inside_callback(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info,
                            void *ud) {
  (void)h, (void)info, (void)ud;
  if (phase == RCGC_PHASE_START) {
    set_stage(1);
    wait_stage(2); /* stay inside the heap until the intruder is done */
  }
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
  size_t objects = rcgc_heap_object_count(tl.heap), bytes = rcgc_heap_bytes(tl.heap);
  cr_assert_eq(rcgc_callback_add(tl.heap, inside_callback, NULL), RCGC_OK);
  stage_reset();
  pthread_t t;
  cr_assert_eq(pthread_create(&t, NULL, intruder, NULL), 0);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  pthread_join(t, NULL);
  cr_assert_eq(rcgc_callback_remove(tl.heap, inside_callback, NULL), RCGC_OK);
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
  cr_expect_eq(tl_count_lines(&tl.sink, line), (int)NROWS);
  cr_expect_eq(tl.sink.len, NROWS * strlen(line), "%s", tl.sink.buf ? tl.sink.buf : "");
  /* and nothing changed */
  cr_expect_eq(rcgc_refcount(obj), 2); /* the caller's and the prepared list's */
  cr_expect_eq(rcgc_heap_object_count(tl.heap), objects);
  cr_expect_eq(rcgc_heap_bytes(tl.heap), bytes);
  cr_expect_eq(rcgc_get_policy(tl.heap), tl_policy());
  cr_expect_eq(rcgc_isenabled(tl.heap), 0);
  cr_expect_eq(rcgc_get_debug(tl.heap), 0);
  cr_expect_eq(rcgc_get_freeze_count(tl.heap), 0);
  cr_expect_eq(rcgc_is_tracked(obj), 1);
  cr_expect_eq(rcgc_weakref_count(tl.heap, obj), 1);
  long th[RCGC_NUM_GENERATIONS];
  cr_expect_eq(rcgc_get_threshold(tl.heap, th), RCGC_OK);
  cr_expect_eq(th[0], 700);
  cr_expect_eq(rcgc_callback_remove(tl.heap, noop_cb, NULL), RCGC_ENOTFOUND);
  cr_expect_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_list_decref_and_free(tl.heap, &prepared);
  rcgc_decref(tl.heap, wr);
  rcgc_decref(tl.heap, obj);
  cr_expect_eq(tl_destroyed, 2);
#endif
}
