/*
** test_hostile_calls.c -- every public call of rcgc.h given a hostile
** argument: a NULL heap, a NULL object (or other required pointer), an
** object of another heap, an object that was already freed, and a pointer
** that is not an object (the inside of a zeroed malloc'd block, so the
** bytes before it -- where a header would be -- are readable), plus the
** out-of-range values the header names (unknown codes, generations, flags,
** scopes, sizes).
**
** One table row per call: the call wrapped in a thunk that returns its
** result as a long (pointers: 1 for non-NULL, 0 for NULL; void calls: 0),
** and the outcome rcgc.h documents for each kind of hostile argument:
**   - the result (an RCGC_E* code, 0, NULL);
**   - for a foreign, freed or non-object pointer given to a call that
**     validates its objects, exactly one misuse report naming the rule and
**     the call ("rcgc: misuse: use of a freed object: <freed object 0x...>
**     refcount 0: rcgc_track on an object that was already freed");
**   - for a call that does not validate (accessors), the harmless result
**     and no report at all.
** Every case then checks that the heap is consistent (rcgc_check_heap) and
** that the misuse count grew by exactly the reports asserted; every test
** ends with the heap destroyed, nothing alive and every block returned.
**
** Foreign objects are detected only in debug builds (objects record their
** heap there) and freed blocks are reliably poisoned only there (the
** quarantine): those cases skip themselves in other builds. Cases that hit
** a known defect of the library skip themselves naming it (none is left).
*/
#include "hostile_api.h"
#include "rcgc_leak.h"
#include "testlib.h"

#include <limits.h>
#include <unistd.h>

TL_DEFINE;

/* ---------------------------------------------------------------- kinds */
enum kind { K_NULL_HEAP, K_NULL_OBJ, K_FOREIGN, K_FREED, K_NONOBJ, NKINDS };
static const char *const kind_name[NKINDS] = {"NULL heap", "NULL object", "object of another heap",
                                              "freed object", "pointer that is not an object"};

/* What a row takes: which kinds of hostile argument apply to it. */
enum {
  T_HEAP = 1u,  /* a heap: the NULL heap case */
  T_OBJ = 2u,   /* an object: NULL, foreign, freed and non-object cases */
  T_PTR = 4u,   /* another required pointer (list, out, mark): NULL case */
  T_VALUE = 8u  /* no pointer: the row's own hostile value, run once (K_NULL_OBJ slot) */
};

#define ANY LONG_MIN /* the header says the result is unspecified: not asserted */

typedef long (*thunk_fn)(rcgc_heap *h, void *o);

typedef struct call_row {
  const char *name;
  thunk_fn fn;
  unsigned takes;
  long null_heap;   /* result with a NULL heap */
  long null_obj;    /* result with a NULL object / pointer, or the T_VALUE case */
  const char *what; /* the name the call's misuse reports use, or NULL when it
                    ** does not validate objects (then no report is expected) */
  long bad;         /* result for a foreign, freed or non-object pointer */
  const char *skip; /* a known library defect this row hits: skipped, named */
} call_row;

/* ---------------------------------------------------------------- fixture */
static tl_sink other_sink;
static rcgc_heap *other;      /* the foreign heap */
static void *live;            /* a live Graph of tl.heap, refcount 1 */
static rcgc_weakref *live_wr; /* a weak reference to 'live' */
static void *foreign_obj;     /* a Graph of 'other' */
static rcgc_weakref *foreign_wr;
static void *freed_obj;       /* a Graph of tl.heap, freed */
static void *fake_block;      /* calloc'd: 'nonobj' points inside it */
static void *nonobj;
static void *junk_block;      /* malloc'd, every byte 0xA5: 'junk' points inside */
static void *junk;
static FILE *devnull;

static int other_repr(const void *o, char *buf, size_t cap) {
  (void)o;
  return snprintf(buf, cap, "Other(?)");
}
static const rcgc_type other_type = {
    .name = "Other", .size = sizeof(tl_node), .traverse = tl_node_traverse, .repr = other_repr};

static void calls_setup(void) {
  tl_setup();
  memset(&other_sink, 0, sizeof other_sink);
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.write = tl_sink_write;
  cfg.write_ud = &other_sink;
  other = rcgc_heap_new(&cfg);
  cr_assert_not_null(other);
  live = tl_new("live");
  live_wr = rcgc_weakref_new(tl.heap, live, NULL, NULL);
  cr_assert_not_null(live_wr);
  /* the foreign heap registers its own type first: its type id 1 is Other,
  ** this heap's type id 1 is Graph */
  foreign_obj = rcgc_new(other, &other_type);
  cr_assert_not_null(foreign_obj);
  foreign_wr = rcgc_weakref_new(other, foreign_obj, NULL, NULL);
  cr_assert_not_null(foreign_wr);
  freed_obj = tl_new("freed");
  rcgc_decref(tl.heap, freed_obj);
  cr_assert_eq(tl_destroyed, 1);
  tl_destroyed = 0;
  fake_block = calloc(1, 512);
  nonobj = (char *)fake_block + 256;
  junk_block = malloc(512);
  cr_assert_not_null(junk_block);
  memset(junk_block, 0xA5, 512);
  junk = (char *)junk_block + 256;
  devnull = fopen("/dev/null", "w");
  cr_assert_not_null(devnull);
  tl_sink_reset(&tl.sink);
}

static void calls_teardown(void) {
  fclose(devnull);
  free(fake_block);
  free(junk_block);
  rcgc_decref(other, foreign_wr);
  rcgc_decref(other, foreign_obj);
  cr_expect_eq(rcgc_heap_destroy(other), 0, "%s", other_sink.buf ? other_sink.buf : "");
  free(other_sink.buf);
  rcgc_decref(tl.heap, live_wr);
  rcgc_decref(tl.heap, live);
  size_t alive = rcgc_heap_destroy(tl.heap);
  tl.heap = NULL;
  cr_expect_eq(alive, 0, "heap destroy reported %zu live objects:\n%s", alive,
               tl.sink.buf ? tl.sink.buf : "");
  tl_teardown();
}

/* ---------------------------------------------------------------- thunks */
#define P(x) ((long)((x) != NULL))

static long t_version(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  char want[32];
  snprintf(want, sizeof want, "%d.%d.%d", RCGC_VERSION_MAJOR, RCGC_VERSION_MINOR,
           RCGC_VERSION_PATCH);
  return strcmp(rcgc_version(), want) == 0;
}
static long t_strerror(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  return strcmp(rcgc_strerror(12345), "unknown error") == 0 &&
         strcmp(rcgc_strerror(INT_MIN), "unknown error") == 0;
}
static long t_err_name(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  return strcmp(rcgc_err_name(12345), "UNKNOWN") == 0 && strcmp(rcgc_err_name(-11), "UNKNOWN") == 0;
}
static long t_config_init(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  rcgc_config_init(NULL);
  return 0;
}
static long t_heap_new_size(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  rcgc_config c;
  rcgc_config_init(&c);
  c.size = sizeof c + 8;
  return P(rcgc_heap_new(&c));
}
static long t_heap_new_destroy_policy(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  rcgc_config c;
  rcgc_config_init(&c);
  c.destroy_policy = (rcgc_destroy_policy)3;
  return P(rcgc_heap_new(&c));
}
static long t_heap_new_policy(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  rcgc_config c;
  rcgc_config_init(&c);
  c.policy = (rcgc_policy)2;
  return P(rcgc_heap_new(&c));
}
static long t_heap_new_flags(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  rcgc_config c;
  rcgc_config_init(&c);
  c.flags = 1u << 3; /* no RCGC_CONFIG_* flag */
  return P(rcgc_heap_new(&c));
}
/* 0 when a pause budget above RCGC_PAUSE_BUDGET_MAX makes it fail, and
** RCGC_PAUSE_BUDGET_MAX itself is accepted */
static long t_heap_new_pause_budget(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  rcgc_config c;
  rcgc_config_init(&c);
  c.pause_budget_us = RCGC_PAUSE_BUDGET_MAX;
  rcgc_heap *at_max = rcgc_heap_new(&c);
  cr_expect_not_null(at_max, "rcgc_heap_new refused pause_budget_us = RCGC_PAUSE_BUDGET_MAX");
  if (at_max != NULL) {
    cr_expect_eq(rcgc_get_pause_budget(at_max), RCGC_PAUSE_BUDGET_MAX);
    cr_expect_eq(rcgc_heap_destroy(at_max), 0);
  }
  c.pause_budget_us = RCGC_PAUSE_BUDGET_MAX + 1;
  rcgc_heap *above = rcgc_heap_new(&c);
  if (above != NULL)
    rcgc_heap_destroy(above);
  return P(above);
}
static long t_heap_destroy(rcgc_heap *h, void *o) {
  (void)o;
  return (long)rcgc_heap_destroy(h);
}
static long t_object_count(rcgc_heap *h, void *o) {
  (void)o;
  return (long)rcgc_heap_object_count(h);
}
static long t_heap_bytes(rcgc_heap *h, void *o) {
  (void)o;
  return (long)rcgc_heap_bytes(h);
}
static long t_new(rcgc_heap *h, void *o) {
  (void)o;
  return P(rcgc_new(h, &tl_node_type));
}
static long t_new_null_type(rcgc_heap *h, void *o) {
  (void)o;
  return P(rcgc_new(h, NULL));
}
static const rcgc_type unnamed_type = {.size = 8};
static long t_new_unnamed_type(rcgc_heap *h, void *o) {
  (void)o;
  return P(rcgc_new(h, &unnamed_type));
}
static long t_new_sized(rcgc_heap *h, void *o) {
  (void)o;
  return P(rcgc_new_sized(h, &tl_node_type, 64));
}
static long t_new_sized_small(rcgc_heap *h, void *o) {
  (void)o;
  return P(rcgc_new_sized(h, &tl_node_type, sizeof(tl_node) - 1));
}
static long t_incref(rcgc_heap *h, void *o) {
  rcgc_incref(h, o);
  return 0;
}
static long t_decref(rcgc_heap *h, void *o) {
  rcgc_decref(h, o);
  return 0;
}
static long t_set(rcgc_heap *h, void *o) {
  void *field = NULL;
  rcgc_set(h, &field, o);
  return field == o;
}
static long t_refcount(rcgc_heap *h, void *o) {
  (void)h;
  return (long)rcgc_refcount(o);
}
static long t_typeof(rcgc_heap *h, void *o) {
  const rcgc_type *t = rcgc_typeof(h, o);
  /* 1: NULL; 2: the type the object was allocated with; 3: a wrong type */
  if (t == NULL)
    return 1;
  return t == (o == foreign_obj ? &other_type : &tl_node_type) ? 2 : 3;
}
static long t_serial(rcgc_heap *h, void *o) { return (long)rcgc_serial(h, o); }
static long t_repr(rcgc_heap *h, void *o) {
  char buf[128], want[128];
  int n = rcgc_repr(h, o, buf, sizeof buf);
  if (h == NULL || o == NULL)
    return n == 0 && buf[0] == 0;
  /* another heap's object: refused (debug builds), ""; else the header's
  ** forms */
  if (o == foreign_obj)
    want[0] = 0;
  else if (o == freed_obj)
    snprintf(want, sizeof want, "<freed object %p>", o);
  else
    snprintf(want, sizeof want, "<not an rcgc object %p>", o);
  return strcmp(buf, want) == 0 && n == (int)strlen(want);
}
static long t_set_policy(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_set_policy(h, RCGC_POLICY_CPYTHON);
}
static long t_set_policy_value(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  return rcgc_set_policy(tl.heap, 2) == RCGC_EINVAL && rcgc_set_policy(tl.heap, -1) == RCGC_EINVAL;
}
static long t_get_policy(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_get_policy(h);
}
static long t_enable(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_enable(h);
}
static long t_disable(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_disable(h);
}
static long t_isenabled(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_isenabled(h);
}
static long t_collect(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_collect(h, 2);
}
static long t_collect_generation(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  return rcgc_collect(tl.heap, 3) == RCGC_ERANGE && rcgc_collect(tl.heap, -1) == RCGC_ERANGE;
}
static long t_get_count(rcgc_heap *h, void *o) {
  long c[3];
  return rcgc_get_count(h, o == NULL && h != NULL ? NULL : c);
}
static long t_set_threshold(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_set_threshold(h, 700, 10, 10);
}
static long t_set_threshold_value(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  long t[3];
  return rcgc_set_threshold(tl.heap, -1, 10, 10) == RCGC_EINVAL &&
         rcgc_set_threshold(tl.heap, 700, LONG_MIN, 10) == RCGC_EINVAL &&
         rcgc_get_threshold(tl.heap, t) == RCGC_OK && t[0] == 700 && t[1] == 10 && t[2] == 10;
}
static long t_get_threshold(rcgc_heap *h, void *o) {
  long t[3];
  return rcgc_get_threshold(h, o == NULL && h != NULL ? NULL : t);
}
static long t_set_debug(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_set_debug(h, 0);
}
/* 1 when a bit that is no RCGC_DEBUG_* flag is refused and the flags are
** left as they were */
static long t_set_debug_flags(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  return rcgc_set_debug(tl.heap, RCGC_DEBUG_STATS | 8u) == RCGC_EINVAL &&
         rcgc_get_debug(tl.heap) == 0;
}
static long t_get_debug(rcgc_heap *h, void *o) {
  (void)o;
  return (long)rcgc_get_debug(h);
}
static void noop_cb(rcgc_heap *h, rcgc_phase p, const rcgc_collect_info *i, void *ud) {
  (void)h, (void)p, (void)i, (void)ud;
}
static long t_callback_add(rcgc_heap *h, void *o) {
  return rcgc_callback_add(h, o == NULL && h != NULL ? NULL : noop_cb, NULL);
}
static long t_callback_remove(rcgc_heap *h, void *o) {
  return rcgc_callback_remove(h, o == NULL && h != NULL ? NULL : noop_cb, NULL);
}
static long t_callback_remove_unknown(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  return rcgc_callback_remove(tl.heap, noop_cb, &o);
}
static long t_get_stats(rcgc_heap *h, void *o) {
  rcgc_gen_stats s[3];
  return rcgc_get_stats(h, o == NULL && h != NULL ? NULL : s);
}
static long t_set_pause_budget(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_set_pause_budget(h, 1000);
}
/* 1 when a budget above RCGC_PAUSE_BUDGET_MAX is refused and the budget is
** left as it was, and RCGC_PAUSE_BUDGET_MAX itself is accepted */
static long t_set_pause_budget_range(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  long ok = rcgc_set_pause_budget(tl.heap, 500) == RCGC_OK &&
            rcgc_set_pause_budget(tl.heap, RCGC_PAUSE_BUDGET_MAX + 1) == RCGC_ERANGE &&
            rcgc_set_pause_budget(tl.heap, UINT_MAX) == RCGC_ERANGE &&
            rcgc_get_pause_budget(tl.heap) == 500 &&
            rcgc_set_pause_budget(tl.heap, RCGC_PAUSE_BUDGET_MAX) == RCGC_OK &&
            rcgc_get_pause_budget(tl.heap) == RCGC_PAUSE_BUDGET_MAX;
  cr_assert_eq(rcgc_set_pause_budget(tl.heap, 0), RCGC_OK);
  return ok;
}
static long t_get_pause_budget(rcgc_heap *h, void *o) {
  (void)o;
  return (long)rcgc_get_pause_budget(h);
}
static long t_collect_step(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_collect_step(h, 1000);
}
/* The refused budgets of rcgc_collect_step: 0, and above
** RCGC_PAUSE_BUDGET_MAX; a refused step runs no slice. */
static long no_slice_since(long slices0, long r) {
  rcgc_incremental_stats s;
  cr_assert_eq(rcgc_get_incremental_stats(tl.heap, &s), RCGC_OK);
  cr_expect_eq(s.slices, slices0, "a refused rcgc_collect_step ran a slice");
  cr_expect_eq(s.running, 0, "a refused rcgc_collect_step started a collection");
  return r;
}
static long slices_now(void) {
  rcgc_incremental_stats s;
  cr_assert_eq(rcgc_get_incremental_stats(tl.heap, &s), RCGC_OK);
  return s.slices;
}
static long t_collect_step_zero(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  long slices0 = slices_now();
  return no_slice_since(slices0, rcgc_collect_step(tl.heap, 0));
}
static long t_collect_step_range(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  long slices0 = slices_now();
  int a = rcgc_collect_step(tl.heap, UINT_MAX);
  cr_expect_eq(a, RCGC_ERANGE, "rcgc_collect_step(UINT_MAX) returned %d", a);
  return no_slice_since(slices0, rcgc_collect_step(tl.heap, RCGC_PAUSE_BUDGET_MAX + 1));
}
static long t_get_incremental_stats(rcgc_heap *h, void *o) {
  rcgc_incremental_stats s;
  return rcgc_get_incremental_stats(h, o == NULL && h != NULL ? NULL : &s);
}
static long t_list_release(rcgc_heap *h, void *o) {
  if (h == NULL) {
    /* a NULL heap does nothing: the list keeps its references, to be
    ** released through its heap */
    rcgc_list l;
    cr_assert_eq(rcgc_get_objects(tl.heap, -1, &l), RCGC_OK);
    size_t n = l.count;
    rcgc_list_decref_and_free(NULL, &l);
    long same = l.count == n;
    rcgc_list_decref_and_free(tl.heap, &l);
    return same;
  }
  (void)o;
  rcgc_list_decref_and_free(h, NULL);
  return 0;
}
static long t_get_objects(rcgc_heap *h, void *o) {
  rcgc_list l;
  int r = rcgc_get_objects(h, -1, o == NULL && h != NULL ? NULL : &l);
  if (r == RCGC_OK)
    rcgc_list_decref_and_free(tl.heap, &l);
  return r;
}
static long t_get_objects_generation(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  rcgc_list l;
  int r = rcgc_get_objects(tl.heap, 3, &l);
  return r == RCGC_ERANGE && l.count == 0 && l.items == NULL &&
         rcgc_get_objects(tl.heap, -2, &l) == RCGC_ERANGE;
}
/* get_referrers / get_referents: the hostile object inside objs[]; the
** result is the number of items (or the error). */
static long t_get_referrers(rcgc_heap *h, void *o) {
  rcgc_list l;
  void *objs[1] = {o};
  int r = rcgc_get_referrers(h, o == NULL && h != NULL ? NULL : objs, 1, &l);
  if (r != RCGC_OK)
    return r;
  long n = (long)l.count;
  rcgc_list_decref_and_free(tl.heap, &l);
  return n;
}
static long t_get_referents(rcgc_heap *h, void *o) {
  rcgc_list l;
  void *objs[1] = {o};
  int r = rcgc_get_referents(h, o == NULL && h != NULL ? NULL : objs, 1, &l);
  if (r != RCGC_OK)
    return r;
  long n = (long)l.count;
  rcgc_list_decref_and_free(tl.heap, &l);
  return n;
}
static long t_is_tracked(rcgc_heap *h, void *o) {
  (void)h;
  return rcgc_is_tracked(o);
}
static long t_track(rcgc_heap *h, void *o) { return rcgc_track(h, o); }
static long t_track_junk(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  return rcgc_track(tl.heap, junk);
}
static long t_untrack(rcgc_heap *h, void *o) { return rcgc_untrack(h, o); }
static long t_is_finalized(rcgc_heap *h, void *o) {
  (void)h;
  return rcgc_is_finalized(o);
}
static long t_freeze(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_freeze(h);
}
static long t_unfreeze(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_unfreeze(h);
}
static long t_get_freeze_count(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_get_freeze_count(h);
}
static int visit_nothing(void *obj, void *ud) {
  (void)obj, (void)ud;
  return 0;
}
static long t_visit_objects(rcgc_heap *h, void *o) {
  return rcgc_visit_objects(h, o == NULL && h != NULL ? NULL : visit_nothing, NULL);
}
static long t_weakref_new(rcgc_heap *h, void *o) {
  rcgc_weakref *wr = rcgc_weakref_new(h, o, NULL, NULL);
  if (wr != NULL)
    rcgc_decref(tl.heap, wr);
  return P(wr);
}
/* the weak reference calls take the hostile pointer as the weak reference;
** a foreign "object" is the other heap's weak reference */
static void *as_wr(void *o) { return o == foreign_obj ? (void *)foreign_wr : o; }
static long t_weakref_get(rcgc_heap *h, void *o) {
  void *r = rcgc_weakref_get(h, as_wr(o));
  if (r != NULL)
    rcgc_decref(r == foreign_obj ? other : tl.heap, r);
  return P(r);
}
static long t_weakref_get_not_a_weakref(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  /* a live object of the heap that is not a weak reference */
  void *r = rcgc_weakref_get(tl.heap, (rcgc_weakref *)live);
  return P(r);
}
static long t_weakref_alive(rcgc_heap *h, void *o) {
  (void)h;
  return rcgc_weakref_alive(as_wr(o));
}
static long t_weakref_count(rcgc_heap *h, void *o) { return (long)rcgc_weakref_count(h, o); }
static long t_garbage_count(rcgc_heap *h, void *o) {
  (void)o;
  return (long)rcgc_garbage_count(h);
}
static long t_garbage_get(rcgc_heap *h, void *o) {
  (void)o;
  return P(rcgc_garbage_get(h, 0));
}
static long t_garbage_get_range(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  return P(rcgc_garbage_get(tl.heap, SIZE_MAX));
}
static long t_garbage_clear(rcgc_heap *h, void *o) {
  (void)o;
  return (long)rcgc_garbage_clear(h);
}
static long t_garbage_remove(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_garbage_remove(h, h == NULL ? 0 : SIZE_MAX);
}
static long t_garbage_release(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_garbage_release(h, 0);
}
static long t_garbage_release_flags(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  return rcgc_garbage_release(tl.heap, 2u);
}
static long t_leak_free(rcgc_heap *h, void *o) {
  (void)o;
  if (h == NULL) {
    /* a NULL heap: ignored; the caller still owns the block */
    rcgc_leak_root *roots;
    size_t n;
    cr_assert_eq(rcgc_leak_roots(tl.heap, &roots, &n), RCGC_OK);
    rcgc_leak_free(NULL, roots);
    rcgc_leak_free(tl.heap, roots);
    return 0;
  }
  rcgc_leak_free(h, NULL);
  return 0;
}
static long t_leak_roots(rcgc_heap *h, void *o) {
  rcgc_leak_root *roots = (void *)1;
  size_t n = 7;
  int r = rcgc_leak_roots(h, o == NULL && h != NULL ? NULL : &roots, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(h, roots);
  else if (o != NULL && (roots != NULL || n != 0))
    return 1000; /* "both are set to NULL / 0 on error" */
  return r;
}
static long t_leak_print_roots(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_leak_print_roots(h, rcgc_write_file, devnull);
}
static long t_leak_why(rcgc_heap *h, void *o) {
  rcgc_leak_path *paths = NULL;
  size_t np = 0;
  int r = rcgc_leak_why(h, o, 1, &paths, &np);
  if (r == RCGC_OK)
    rcgc_leak_free(tl.heap, paths);
  return r;
}
static long t_leak_why_k0(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  rcgc_leak_path *paths = NULL;
  size_t np = 0;
  return rcgc_leak_why(tl.heap, live, 0, &paths, &np);
}
static long t_leak_print_why(rcgc_heap *h, void *o) {
  return rcgc_leak_print_why(h, o, 1, rcgc_write_file, devnull);
}
static long t_leak_cycles(rcgc_heap *h, void *o) {
  rcgc_leak_cycle_set *set = NULL;
  void *objs[1] = {o};
  int r = rcgc_leak_cycles(h, RCGC_LEAK_REACHABLE, objs, 1, &set);
  if (r == RCGC_OK)
    rcgc_leak_free(tl.heap, set);
  return r;
}
static long t_leak_cycles_scope(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  rcgc_leak_cycle_set *set = (void *)1;
  return rcgc_leak_cycles(tl.heap, (rcgc_leak_scope)3, NULL, 0, &set) == RCGC_EINVAL && set == NULL;
}
static long t_leak_print_cycles(rcgc_heap *h, void *o) {
  void *objs[1] = {o};
  return rcgc_leak_print_cycles(h, RCGC_LEAK_REACHABLE, objs, 1, 0, rcgc_write_file, devnull);
}
static long t_leak_explain_collect(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_leak_explain_collect(h, rcgc_write_file, devnull);
}
static long t_leak_histogram(rcgc_heap *h, void *o) {
  rcgc_leak_type_stat *st = NULL;
  size_t n = 0;
  int r = rcgc_leak_histogram(h, o == NULL && h != NULL ? NULL : &st, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(tl.heap, st);
  return r;
}
static long t_leak_print_histogram(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_leak_print_histogram(h, 0, rcgc_write_file, devnull);
}
static long t_leak_mark_new(rcgc_heap *h, void *o) {
  (void)o;
  rcgc_leak_mark *m = rcgc_leak_mark_new(h);
  if (m != NULL)
    rcgc_leak_free(tl.heap, m);
  return P(m);
}
/* The mark calls: a NULL heap with a valid mark, or a NULL mark. */
static long with_mark(rcgc_heap *h, void *o, long (*fn)(rcgc_heap *, const rcgc_leak_mark *)) {
  rcgc_leak_mark *m = rcgc_leak_mark_new(tl.heap);
  cr_assert_not_null(m);
  long r = fn(h, o == NULL && h != NULL ? NULL : m);
  rcgc_leak_free(tl.heap, m);
  return r;
}
static long growth_since(rcgc_heap *h, const rcgc_leak_mark *m) {
  rcgc_leak_growth *g = NULL;
  size_t n = 0;
  int r = rcgc_leak_growth_since(h, m, &g, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(tl.heap, g);
  return r;
}
static long print_growth(rcgc_heap *h, const rcgc_leak_mark *m) {
  return rcgc_leak_print_growth(h, m, 0, rcgc_write_file, devnull);
}
static long since_mark(rcgc_heap *h, const rcgc_leak_mark *m) {
  void **objs = NULL;
  size_t n = 0;
  int r = rcgc_leak_since_mark(h, m, &objs, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(tl.heap, objs);
  return r;
}
static long print_since_mark(rcgc_heap *h, const rcgc_leak_mark *m) {
  return rcgc_leak_print_since_mark(h, m, 0, rcgc_write_file, devnull);
}
static long t_leak_growth_since(rcgc_heap *h, void *o) { return with_mark(h, o, growth_since); }
static long t_leak_print_growth(rcgc_heap *h, void *o) { return with_mark(h, o, print_growth); }
static long t_leak_since_mark(rcgc_heap *h, void *o) { return with_mark(h, o, since_mark); }
static long t_leak_print_since_mark(rcgc_heap *h, void *o) { return with_mark(h, o, print_since_mark); }
static long t_leak_dominators(rcgc_heap *h, void *o) {
  rcgc_leak_retained *rs = NULL;
  size_t n = 0;
  int r = rcgc_leak_dominators(h, o == NULL && h != NULL ? NULL : &rs, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(tl.heap, rs);
  return r;
}
static long t_leak_top_retainers(rcgc_heap *h, void *o) {
  rcgc_leak_retained *rs = NULL;
  size_t n = 0;
  int r = rcgc_leak_top_retainers(h, 3, o == NULL && h != NULL ? NULL : &rs, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(tl.heap, rs);
  return r;
}
static long t_leak_print_top_retainers(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_leak_print_top_retainers(h, 3, rcgc_write_file, devnull);
}
static long t_expect_freed(rcgc_heap *h, void *o) {
  int r = rcgc_expect_freed(h, o, "hostile");
  if (r == RCGC_OK)
    rcgc_expect_freed_cancel(tl.heap, o);
  return r;
}
static long t_expect_freed_cancel(rcgc_heap *h, void *o) { return rcgc_expect_freed_cancel(h, o); }
static long t_expect_freed_check(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_expect_freed_check(h, RCGC_EXPECT_QUIET, NULL, NULL);
}
static long t_expect_freed_check_flags(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  /* every unknown bit refused, with the known one or without */
  int a = rcgc_expect_freed_check(tl.heap, 4u, NULL, NULL);
  cr_expect_eq(a, RCGC_EINVAL, "rcgc_expect_freed_check(flags 4) returned %d", a);
  rcgc_gen_stats before[3], after[3];
  rcgc_get_stats(tl.heap, before);
  long r = rcgc_expect_freed_check(tl.heap, ~0u, NULL, NULL); /* RCGC_EXPECT_COLLECT among them */
  rcgc_get_stats(tl.heap, after);
  cr_expect_eq(after[2].collections, before[2].collections, "refused, it collected");
  return r;
}
static long t_leak_dot(rcgc_heap *h, void *o) {
  void *objs[1] = {o};
  return rcgc_leak_dot(h, objs, 1, NULL, rcgc_write_file, devnull);
}
static long t_leak_snapshot(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_leak_snapshot(h, rcgc_write_file, devnull);
}
static long t_leak_snapshot_file(rcgc_heap *h, void *o) {
  return rcgc_leak_snapshot_file(h, o == NULL && h != NULL ? NULL : "/dev/null");
}
static long t_leak_snapshot_file_unwritable(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  return rcgc_leak_snapshot_file(tl.heap, "/nonexistent-dir/x.heapsnapshot");
}
static long t_check_heap(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_check_heap(h);
}
static long t_misuse_count(rcgc_heap *h, void *o) {
  (void)o;
  return rcgc_misuse_count(h);
}
static long t_printf(rcgc_heap *h, void *o) {
  if (h == NULL) {
    rcgc_printf(NULL, "x\n");
    return 0;
  }
  (void)o;
  rcgc_printf(h, NULL);
  return 0;
}
/* A NULL file writes to stderr: caught in a temporary file for the call. */
static long t_write_file(rcgc_heap *h, void *o) {
  (void)h, (void)o;
  rcgc_write_file(devnull, "", 0);
  FILE *tmp = tmpfile();
  cr_assert_not_null(tmp);
  fflush(stderr);
  int saved = dup(2);
  cr_assert(saved >= 0 && dup2(fileno(tmp), 2) == 2);
  rcgc_write_file(NULL, "to stderr\n", 10);
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  char got[32] = "";
  rewind(tmp);
  size_t n = fread(got, 1, sizeof got - 1, tmp);
  fclose(tmp);
  return n == 10 && strcmp(got, "to stderr\n") == 0;
}

/* ---------------------------------------------------------------- the table
** Columns: name, thunk, takes, NULL heap, NULL object, what, bad object, skip.
** E = RCGC_EINVAL. A row with T_VALUE runs its own hostile value once and
** expects 'null_obj'. */
#define E RCGC_EINVAL
#define NF RCGC_ENOTFOUND
static const call_row rows[] = {
    /* 1. version and errors */
    {"rcgc_version", t_version, T_VALUE, 0, 1, NULL, 0, NULL},
    {"rcgc_strerror(unknown)", t_strerror, T_VALUE, 0, 1, NULL, 0, NULL},
    {"rcgc_err_name(unknown)", t_err_name, T_VALUE, 0, 1, NULL, 0, NULL},
    /* 3. heaps */
    {"rcgc_config_init(NULL)", t_config_init, T_VALUE, 0, 0, NULL, 0, NULL},
    {"rcgc_heap_new(unknown size)", t_heap_new_size, T_VALUE, 0, 0, NULL, 0, NULL},
    {"rcgc_heap_new(destroy_policy 3)", t_heap_new_destroy_policy, T_VALUE, 0, 0, NULL, 0, NULL},
    {"rcgc_heap_new(policy 2)", t_heap_new_policy, T_VALUE, 0, 0, NULL, 0, NULL},
    {"rcgc_heap_new(unknown flags)", t_heap_new_flags, T_VALUE, 0, 0, NULL, 0, NULL},
    {"rcgc_heap_new(pause budget above RCGC_PAUSE_BUDGET_MAX)", t_heap_new_pause_budget, T_VALUE, 0,
     0, NULL, 0, NULL},
    {"rcgc_heap_destroy", t_heap_destroy, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_heap_object_count", t_object_count, T_HEAP, 0, 0, NULL, 0, NULL},
    {"rcgc_heap_bytes", t_heap_bytes, T_HEAP, 0, 0, NULL, 0, NULL},
    /* 4. objects */
    {"rcgc_new", t_new, T_HEAP, 0, 0, NULL, 0, NULL},
    {"rcgc_new(NULL type)", t_new_null_type, T_VALUE, 0, 0, NULL, 0, NULL},
    {"rcgc_new(unnamed type)", t_new_unnamed_type, T_VALUE, 0, 0, NULL, 0, NULL},
    {"rcgc_new_sized", t_new_sized, T_HEAP, 0, 0, NULL, 0, NULL},
    {"rcgc_new_sized(size below the type's)", t_new_sized_small, T_VALUE, 0, 0, NULL, 0, NULL},
    {"rcgc_incref", t_incref, T_HEAP | T_OBJ, 0, 0, "rcgc_incref", 0, NULL},
    {"rcgc_decref", t_decref, T_HEAP | T_OBJ, 0, 0, "rcgc_decref", 0, NULL},
    {"rcgc_set", t_set, T_OBJ, 0, 1, "rcgc_incref", 1, NULL},
    {"rcgc_refcount", t_refcount, T_OBJ, 0, 0, NULL, ANY, NULL},
    {"rcgc_typeof", t_typeof, T_HEAP | T_OBJ, 1, 1, NULL, 1, NULL},
    {"rcgc_serial", t_serial, T_HEAP | T_OBJ, 0, 0, NULL, ANY, NULL},
    {"rcgc_repr", t_repr, T_HEAP | T_OBJ, 1, 1, NULL, 1, NULL},
    /* 5. the collector */
    {"rcgc_set_policy", t_set_policy, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_set_policy(unknown policy)", t_set_policy_value, T_VALUE, 0, 1, NULL, 0, NULL},
    {"rcgc_get_policy", t_get_policy, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_enable", t_enable, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_disable", t_disable, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_isenabled", t_isenabled, T_HEAP, 0, 0, NULL, 0, NULL},
    {"rcgc_collect", t_collect, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_collect(generation 3, -1)", t_collect_generation, T_VALUE, 0, 1, NULL, 0, NULL},
    {"rcgc_get_count", t_get_count, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_set_threshold", t_set_threshold, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_set_threshold(negative)", t_set_threshold_value, T_VALUE, 0, 1, NULL, 0, NULL},
    {"rcgc_get_threshold", t_get_threshold, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_set_debug", t_set_debug, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_set_debug(unknown flags)", t_set_debug_flags, T_VALUE, 0, 1, NULL, 0, NULL},
    {"rcgc_get_debug", t_get_debug, T_HEAP, 0, 0, NULL, 0, NULL},
    {"rcgc_callback_add", t_callback_add, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_callback_remove", t_callback_remove, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_callback_remove(not registered)", t_callback_remove_unknown, T_VALUE, 0, NF, NULL, 0, NULL},
    {"rcgc_get_stats", t_get_stats, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_set_pause_budget", t_set_pause_budget, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_set_pause_budget(above RCGC_PAUSE_BUDGET_MAX)", t_set_pause_budget_range, T_VALUE, 0, 1,
     NULL, 0, NULL},
    {"rcgc_get_pause_budget", t_get_pause_budget, T_HEAP, 0, 0, NULL, 0, NULL},
    {"rcgc_collect_step", t_collect_step, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_collect_step(budget 0)", t_collect_step_zero, T_VALUE, 0, E, NULL, 0, NULL},
    {"rcgc_collect_step(budget above RCGC_PAUSE_BUDGET_MAX)", t_collect_step_range, T_VALUE, 0,
     RCGC_ERANGE, NULL, 0, NULL},
    {"rcgc_get_incremental_stats", t_get_incremental_stats, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_list_decref_and_free", t_list_release, T_HEAP | T_PTR, 1, 0, NULL, 0, NULL},
    {"rcgc_get_objects", t_get_objects, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_get_objects(generation 3, -2)", t_get_objects_generation, T_VALUE, 0, 1, NULL, 0, NULL},
    {"rcgc_get_referrers", t_get_referrers, T_HEAP | T_OBJ, E, E, "rcgc_get_referrers", 0, NULL},
    {"rcgc_get_referents", t_get_referents, T_HEAP | T_OBJ, E, E, "rcgc_get_referents", 0, NULL},
    {"rcgc_is_tracked", t_is_tracked, T_OBJ, 0, 0, NULL, ANY, NULL},
    {"rcgc_track", t_track, T_HEAP | T_OBJ, E, E, "rcgc_track", E, NULL},
    {"rcgc_track(a pointer into a block of 0xA5 bytes)", t_track_junk, T_VALUE, 0, E, NULL, 0, NULL},
    {"rcgc_untrack", t_untrack, T_HEAP | T_OBJ, E, E, "rcgc_untrack", E, NULL},
    {"rcgc_is_finalized", t_is_finalized, T_OBJ, 0, 0, NULL, ANY, NULL},
    {"rcgc_freeze", t_freeze, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_unfreeze", t_unfreeze, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_get_freeze_count", t_get_freeze_count, T_HEAP, 0, 0, NULL, 0, NULL},
    {"rcgc_visit_objects", t_visit_objects, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    /* 6. weak references and the garbage list */
    {"rcgc_weakref_new", t_weakref_new, T_HEAP | T_OBJ, 0, 0, "rcgc_weakref_new", 0, NULL},
    {"rcgc_weakref_get", t_weakref_get, T_HEAP | T_OBJ, 0, 0, "rcgc_weakref_get", 0, NULL},
    {"rcgc_weakref_get(an object that is not a weak reference)", t_weakref_get_not_a_weakref, T_VALUE,
     0, 0, NULL, 0, NULL},
    {"rcgc_weakref_alive", t_weakref_alive, T_OBJ, 0, 0, NULL, ANY, NULL},
    {"rcgc_weakref_count", t_weakref_count, T_HEAP | T_OBJ, 0, 0, NULL, ANY, NULL},
    {"rcgc_garbage_count", t_garbage_count, T_HEAP, 0, 0, NULL, 0, NULL},
    {"rcgc_garbage_get", t_garbage_get, T_HEAP, 0, 0, NULL, 0, NULL},
    {"rcgc_garbage_get(out of range)", t_garbage_get_range, T_VALUE, 0, 0, NULL, 0, NULL},
    {"rcgc_garbage_clear", t_garbage_clear, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_garbage_remove", t_garbage_remove, T_HEAP | T_VALUE, E, NF, NULL, 0, NULL},
    {"rcgc_garbage_release", t_garbage_release, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_garbage_release(unknown flags)", t_garbage_release_flags, T_VALUE, 0, E, NULL, 0, NULL},
    /* 7. leak hunting */
    {"rcgc_leak_free", t_leak_free, T_HEAP | T_PTR, 0, 0, NULL, 0, NULL},
    {"rcgc_leak_roots", t_leak_roots, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_leak_print_roots", t_leak_print_roots, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_leak_why", t_leak_why, T_HEAP | T_OBJ, E, E, "rcgc_leak_why", E, NULL},
    {"rcgc_leak_why(k 0)", t_leak_why_k0, T_VALUE, 0, E, NULL, 0, NULL},
    {"rcgc_leak_print_why", t_leak_print_why, T_HEAP | T_OBJ, E, E, "rcgc_leak_print_why", E, NULL},
    {"rcgc_leak_cycles", t_leak_cycles, T_HEAP | T_OBJ, E, E, "rcgc_leak_cycles", E, NULL},
    {"rcgc_leak_cycles(unknown scope)", t_leak_cycles_scope, T_VALUE, 0, 1, NULL, 0, NULL},
    {"rcgc_leak_print_cycles", t_leak_print_cycles, T_HEAP | T_OBJ, E, E, "rcgc_leak_print_cycles",
     E, NULL},
    {"rcgc_leak_explain_collect", t_leak_explain_collect, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_leak_histogram", t_leak_histogram, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_leak_print_histogram", t_leak_print_histogram, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_leak_mark_new", t_leak_mark_new, T_HEAP, 0, 0, NULL, 0, NULL},
    {"rcgc_leak_growth_since", t_leak_growth_since, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_leak_print_growth", t_leak_print_growth, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_leak_since_mark", t_leak_since_mark, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_leak_print_since_mark", t_leak_print_since_mark, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_leak_dominators", t_leak_dominators, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_leak_top_retainers", t_leak_top_retainers, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_leak_print_top_retainers", t_leak_print_top_retainers, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_expect_freed", t_expect_freed, T_HEAP | T_OBJ, E, E, "rcgc_expect_freed", E, NULL},
    {"rcgc_expect_freed_cancel", t_expect_freed_cancel, T_HEAP | T_OBJ, E, E, NULL, NF, NULL},
    {"rcgc_expect_freed_check", t_expect_freed_check, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_expect_freed_check(unknown flags)", t_expect_freed_check_flags, T_VALUE, 0, E, NULL, 0, NULL},
    {"rcgc_leak_dot", t_leak_dot, T_HEAP | T_OBJ, E, E, "rcgc_leak_dot", E, NULL},
    {"rcgc_leak_snapshot", t_leak_snapshot, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_leak_snapshot_file", t_leak_snapshot_file, T_HEAP | T_PTR, E, E, NULL, 0, NULL},
    {"rcgc_leak_snapshot_file(unwritable path)", t_leak_snapshot_file_unwritable, T_VALUE, 0,
     RCGC_EIO, NULL, 0, NULL},
    /* 8. debugging aids */
    {"rcgc_check_heap", t_check_heap, T_HEAP, E, 0, NULL, 0, NULL},
    {"rcgc_misuse_count", t_misuse_count, T_HEAP, 0, 0, NULL, 0, NULL},
    {"rcgc_printf", t_printf, T_HEAP | T_PTR, 0, 0, NULL, 0, NULL},
    {"rcgc_write_file(NULL file)", t_write_file, T_VALUE, 0, 1, NULL, 0, NULL},
};
#define NROWS (sizeof rows / sizeof rows[0])

/* Reports a row expects beyond its standard ones (exact text): the hostile
** values of rcgc_new report the invalid type, rcgc_track of a pointer into
** 0xA5 bytes a non-object, rcgc_weakref_get of a Graph a non-weak
** reference. */
static char junk_report[256];
static const char *value_report(const call_row *r) {
  if (r->fn == t_track_junk) {
    snprintf(junk_report, sizeof junk_report,
             "rcgc: misuse: not an rcgc object: <not an rcgc object %p> refcount %u: rcgc_track on "
             "a pointer that was not returned by rcgc_new of this heap\n",
             junk, 0xA5A5A5A5u);
    return junk_report;
  }
  if (r->fn == t_weakref_get_not_a_weakref) {
    snprintf(junk_report, sizeof junk_report,
             "rcgc: misuse: not a weak reference: <Graph %p> refcount 1: rcgc_weakref_get on an "
             "object that is not a weak reference; refused\n",
             live);
    return junk_report;
  }
  if (r->fn == t_new_null_type)
    return "rcgc: misuse: invalid type: rcgc_new: NULL type\n";
  if (r->fn == t_new_unnamed_type)
    return "rcgc: misuse: invalid type: rcgc_new: type (unnamed) is not usable (no name)\n";
  if (r->fn == t_new_sized_small)
    return "rcgc: misuse: invalid type: rcgc_new: type 'Graph' is not usable (size below type size)\n";
  return "";
}

/* The standard report of a call that validates its object. */
static void bad_report(char *buf, size_t cap, enum kind k, const char *what, void *o) {
  switch (k) {
  case K_FOREIGN:
    snprintf(buf, cap,
             "rcgc: misuse: reference between heaps: <Other %p> refcount 1: %s on an object that "
             "belongs to another heap (%p)\n",
             o, what, (void *)other);
    break;
  case K_FREED:
    snprintf(buf, cap,
             "rcgc: misuse: use of a freed object: <freed object %p> refcount 0: %s on an object that "
             "was already freed\n",
             o, what);
    break;
  case K_NONOBJ:
    snprintf(buf, cap,
             "rcgc: misuse: not an rcgc object: <not an rcgc object %p> refcount 0: %s on a pointer "
             "that was not returned by rcgc_new of this heap\n",
             o, what);
    break;
  default:
    buf[0] = 0;
  }
}

/* Known library defects this suite found or hits: each
** case that hits one is skipped, naming it, until it is fixed. None is
** left. */
static const char *kind_defect(const call_row *r, enum kind k) {
  (void)r;
  (void)k;
  return NULL;
}

/* Run one (row, kind) case that applies; returns 1. */
static int run_case(const call_row *r, enum kind k) {
  rcgc_heap *h = tl.heap;
  void *o = live;
  long want;
  switch (k) {
  case K_NULL_HEAP:
    h = NULL;
    want = r->null_heap;
    break;
  case K_NULL_OBJ:
    o = NULL;
    want = r->null_obj;
    break;
  default:
    o = k == K_FOREIGN ? foreign_obj : k == K_FREED ? freed_obj : nonobj;
    want = r->bad;
    break;
  }
  const char *defect = kind_defect(r, k);
  if (defect != NULL && getenv("RCGC_HOSTILE_RUN_DEFECTS") != NULL) {
    cr_log_warn("%s, %s: running despite: %s", r->name, kind_name[k], defect);
    defect = NULL;
  }
  if (defect != NULL) {
    cr_log_info("%s, %s: skipped: %s", r->name, kind_name[k], defect);
    return 1;
  }
#ifndef RCGC_CHECKS
  if (k == K_FOREIGN || k == K_FREED)
    return 1; /* debug-only detections: counted, not run */
#endif
  char expect[1024] = "";
  if (k == K_FOREIGN && r->fn == t_weakref_get) /* the other heap's weak reference */
    snprintf(expect, sizeof expect,
             "rcgc: misuse: reference between heaps: <weakref %p> refcount 1: rcgc_weakref_get on "
             "an object that belongs to another heap (%p)\n",
             (void *)foreign_wr, (void *)other);
  else if (k >= K_FOREIGN && r->what != NULL)
    bad_report(expect, sizeof expect, k, r->what, o);
  else if (k == K_FOREIGN && (r->fn == t_typeof || r->fn == t_repr))
    bad_report(expect, sizeof expect, k, r->name, o); /* accessors that refuse only this */
  else if (k == K_NULL_OBJ && (r->takes & T_VALUE))
    snprintf(expect, sizeof expect, "%s", value_report(r));
#ifdef RCGC_CHECKS
  /* refused in every build; debug builds report it through the object's
  ** own heap */
  if (k == K_NULL_HEAP && (r->fn == t_incref || r->fn == t_decref))
    snprintf(expect, sizeof expect,
             "rcgc: misuse: NULL heap: <Graph %p> refcount 1: %s called with a NULL heap; "
             "ignored\n",
             o, r->name);
#endif
  tl_sink_reset(&tl.sink);
  tl_sink_reset(&other_sink);
  size_t misuse0 = rcgc_misuse_count(tl.heap), other0 = rcgc_misuse_count(other);
  size_t count0 = rcgc_heap_object_count(tl.heap), ocount0 = rcgc_heap_object_count(other);
  size_t live_rc = rcgc_refcount(live);
  long got = r->fn(h, o);
  if (want != ANY)
    cr_expect_eq(got, want, "%s with a %s: returned %ld, expected %ld", r->name, kind_name[k], got,
                 want);
  cr_expect_str_eq(tl.sink.buf ? tl.sink.buf : "", expect, "%s with a %s: the sink has\n%s\nexpected\n%s",
                   r->name, kind_name[k], tl.sink.buf ? tl.sink.buf : "", expect);
  cr_expect_eq(rcgc_misuse_count(tl.heap) - misuse0, expect[0] ? 1 : 0,
               "%s with a %s: misuse count", r->name, kind_name[k]);
  cr_expect_eq(rcgc_misuse_count(other), other0, "%s with a %s: the other heap reported", r->name,
               kind_name[k]);
  /* nothing changed: no object made or lost, no refcount moved */
  cr_expect_eq(rcgc_heap_object_count(tl.heap), count0, "%s with a %s: objects", r->name,
               kind_name[k]);
  cr_expect_eq(rcgc_heap_object_count(other), ocount0, "%s with a %s: foreign objects", r->name,
               kind_name[k]);
  cr_expect_eq(rcgc_refcount(live), live_rc, "%s with a %s: refcount of a live object", r->name,
               kind_name[k]);
  cr_expect_eq(rcgc_refcount(foreign_obj), 1, "%s with a %s: refcount of the foreign object",
               r->name, kind_name[k]);
  cr_expect_eq(rcgc_check_heap(tl.heap), 0, "%s with a %s: heap check:\n%s", r->name, kind_name[k],
               tl.sink.buf);
  return 1;
}

/* Does the kind of hostile argument 'k' apply to row 'r'? */
static int applies(const call_row *r, enum kind k) {
  switch (k) {
  case K_NULL_HEAP:
    return (r->takes & T_HEAP) != 0;
  case K_NULL_OBJ:
    return (r->takes & (T_OBJ | T_PTR | T_VALUE)) != 0;
  default:
    return (r->takes & T_OBJ) != 0;
  }
}

/* Every row that takes this kind of argument, each with a fresh fixture.
** One process per kind: the rows share nothing, and no case may crash
** (those that hit a known crash skip themselves). */
static void run_kind(enum kind k) {
  int n = 0;
  for (size_t i = 0; i < NROWS; i++) {
    const call_row *r = &rows[i];
    if (!applies(r, k))
      continue;
    if (r->skip != NULL) {
      cr_log_info("%s: skipped: %s", r->name, r->skip);
      continue;
    }
    calls_setup();
    n += run_case(r, k);
    calls_teardown();
  }
  cr_log_info("%s: %d calls", kind_name[k], n);
}

TestSuite(hostile_calls, .timeout = 30);

Test(hostile_calls, with_a_null_heap) { run_kind(K_NULL_HEAP); }
Test(hostile_calls, with_a_null_object_or_a_hostile_value) { run_kind(K_NULL_OBJ); }
Test(hostile_calls, with_an_object_of_another_heap) { run_kind(K_FOREIGN); }
Test(hostile_calls, with_a_freed_object) { run_kind(K_FREED); }
Test(hostile_calls, with_a_pointer_that_is_not_an_object) { run_kind(K_NONOBJ); }

/* Is 'name' in hostile_api? */
static int in_api(const char *name) {
  for (size_t a = 0; a < HOSTILE_NAPI; a++)
    if (strcmp(hostile_api[a], name) == 0)
      return 1;
  return 0;
}

/* The table is complete: every function rcgc.h and rcgc_leak.h declare
** (RCGC_API or static inline, the out-of-line helpers ending in '_'
** excepted) is in hostile_api, and every name there has a row. Logs the
** number of cases. */
Test(hostile_calls, the_table_covers_the_header) {
  static const char *const headers[] = {RCGC_HEADER, RCGC_LEAK_HEADER};
  size_t declared = 0;
  for (size_t hi = 0; hi < sizeof headers / sizeof headers[0]; hi++) {
    FILE *f = fopen(headers[hi], "r");
    cr_assert_not_null(f, "cannot read %s", headers[hi]);
    char line[512];
    while (fgets(line, sizeof line, f) != NULL) {
      if (line[0] == '#' ||
          (strncmp(line, "RCGC_API ", 9) != 0 && strncmp(line, "static inline ", 14) != 0))
        continue;
      /* the first identifier rcgc_* followed by '(' is the function's name */
      char *p = line;
      size_t len = 0;
      while ((p = strstr(p, "rcgc_")) != NULL) {
        len = strspn(p, "abcdefghijklmnopqrstuvwxyz_0123456789");
        int starts = p == line || !(p[-1] == '_' || (p[-1] >= 'a' && p[-1] <= 'z'));
        if (starts && p[len] == '(')
          break;
        p += len;
      }
      if (p == NULL || p[len - 1] == '_')
        continue; /* a variable, or a helper not for direct use */
      char name[64];
      snprintf(name, sizeof name, "%.*s", (int)len, p);
      declared++;
      cr_expect(in_api(name), "%s declares %s, which hostile_api.h lacks", headers[hi], name);
    }
    fclose(f);
  }
  cr_expect_eq(declared, HOSTILE_NAPI, "the headers declare %zu functions, hostile_api.h lists %zu",
               declared, HOSTILE_NAPI);
  for (size_t a = 0; a < HOSTILE_NAPI; a++) {
    size_t len = strlen(hostile_api[a]);
    int found = 0;
    for (size_t i = 0; i < NROWS && !found; i++)
      found = strncmp(rows[i].name, hostile_api[a], len) == 0 &&
              (rows[i].name[len] == 0 || rows[i].name[len] == '(');
    cr_expect(found, "no row for %s", hostile_api[a]);
  }
  size_t cases = 0;
  for (size_t i = 0; i < NROWS; i++) {
    unsigned t = rows[i].takes;
    cases += ((t & T_HEAP) != 0) + ((t & (T_OBJ | T_PTR | T_VALUE)) != 0) + ((t & T_OBJ) ? 3 : 0);
  }
  cr_log_info("%zu public calls, %zu rows, %zu cases", HOSTILE_NAPI, NROWS, cases);
}

/* rcgc_get_referrers and rcgc_get_referents validate every entry of objs:
** a bad one is reported once and left out, the others are answered. */
Test(hostile_calls, referrers_and_referents_leave_bad_objects_out) {
  calls_setup();
  tl_node *holder = tl_new("holder");
  TL_LINK(holder, a, live);
  void *objs[3] = {nonobj, live, NULL};
  char want[512];
  rcgc_list l;
  size_t misuse0 = rcgc_misuse_count(tl.heap);
  cr_assert_eq(rcgc_get_referrers(tl.heap, objs, 3, &l), RCGC_OK);
  cr_expect_eq(l.count, 1);
  cr_expect(l.count == 1 && l.items[0] == holder, "the holder is live's one referrer");
  rcgc_list_decref_and_free(tl.heap, &l);
  snprintf(want, sizeof want,
           "rcgc: misuse: not an rcgc object: <not an rcgc object %p> refcount 0: "
           "rcgc_get_referrers on a pointer that was not returned by rcgc_new of this heap\n",
           nonobj);
  cr_expect_str_eq(tl.sink.buf ? tl.sink.buf : "", want);
  tl_sink_reset(&tl.sink);
  void *objs2[3] = {nonobj, holder, NULL};
  cr_assert_eq(rcgc_get_referents(tl.heap, objs2, 3, &l), RCGC_OK);
  cr_expect(l.count == 1 && l.items[0] == live, "live is the holder's one referent");
  rcgc_list_decref_and_free(tl.heap, &l);
  snprintf(want, sizeof want,
           "rcgc: misuse: not an rcgc object: <not an rcgc object %p> refcount 0: "
           "rcgc_get_referents on a pointer that was not returned by rcgc_new of this heap\n",
           nonobj);
  cr_expect_str_eq(tl.sink.buf ? tl.sink.buf : "", want);
  cr_expect_eq(rcgc_misuse_count(tl.heap) - misuse0, 2);
  rcgc_decref(tl.heap, holder);
  cr_expect_eq(rcgc_check_heap(tl.heap), 0);
  calls_teardown();
}
