/*
** test_hostile_reentry.c -- every public call of rcgc.h and rcgc_leak.h
** made from inside every kind of user code the library runs:
**   a traverse function (run by rcgc_get_referents, by a collection, and
**   by a slice of an incremental collection), a modern finalizer (of an
**   object dying by refcount, and of a garbage cycle during a collection),
**   a legacy finalizer (refcount death), a destroy function, a weak
**   reference callback, a collection callback (start, stop, and a slice of
**   an incremental collection, with the collection's candidates -- the
**   bystander among them -- on its lists), the debug sink
**   (rcgc_config.write) and the allocator hook (rcgc_config.alloc).
**
** One table row per call: a thunk that makes the call on a live bystander
** object of the heap (and undoes what it did: what it allocates it
** releases, what it increfs it decrefs), and the outcome the headers document in
** five classes of context:
**   traverse   "must not allocate, change any refcount, modify the graph or
**              call into the library": allocation and (debug builds)
**              incref/decref are refused and reported, rcgc_collect returns
**              RCGC_EBUSY and reports, the leak-hunting calls,
**              rcgc_check_heap, rcgc_expect_freed, rcgc_garbage_release,
**              rcgc_set_policy, rcgc_track, rcgc_untrack, rcgc_freeze,
**              rcgc_unfreeze and rcgc_collect_step return RCGC_EBUSY;
**              rcgc_weakref_new, rcgc_weakref_get and
**              rcgc_list_decref_and_free are refused and reported;
**   callback   a collection callback: "may collect (returns 0), use
**              introspection, and clear the garbage list"; rcgc_leak.h and
**              the calls documented "RCGC_EBUSY during a collection" refuse;
**   cycle fin  a finalizer run by a collection: as a callback, and it "may
**              allocate, drop references, call rcgc_collect";
**   freeing    finalizers, destroy functions and weak reference callbacks
**              of an object dying by refcount: everything is legal except
**              rcgc_check_heap and rcgc_collect_step (RCGC_EBUSY) --
**              rcgc_leak.h says "from finalizers and destroy functions run
**              by a refcount drop included";
**   hook       the sink and the allocator hook: rcgc_heap_destroy is
**              refused and reported there as from any callback, and
**              rcgc_collect_step returns RCGC_EBUSY as from any callback
**              (rcgc.h counts both among a heap's callbacks, at
**              rcgc_heap_destroy); for the rest the heap must stay
**              consistent and leak nothing.
** Outcome codes: O works (no error, no report), B RCGC_EBUSY (NULL for a
** call returning a pointer), Z returns 0 without doing anything, R refused
** with a misuse report naming the row's rule, r the same in debug builds
** only (release builds' inline incref/decref check nothing), A not
** documented (only consistency is asserted), S skipped: a known library defect.
**
** After each case: the call ran exactly once, the heap is consistent
** (rcgc_check_heap), the refcounts of the fixture's objects are back where
** they were (O, B, Z, R), the misuse count grew only by the reports
** asserted; then the heap is destroyed and must have nothing alive and
** every block returned. Every context runs every row with a fresh heap.
*/
#include "hostile_api.h"
#include "rcgc_leak.h"
#include "testlib.h"

#include <limits.h>

TL_DEFINE;

enum ctx {
  C_TRAVERSE,         /* traverse run by rcgc_get_referents */
  C_TRAVERSE_COLLECT, /* traverse run by rcgc_collect */
  C_FINALIZE,         /* modern finalizer, refcount death */
  C_FINALIZE_CYCLE,   /* modern finalizer of cyclic garbage in a collection */
  C_LEGACY,           /* legacy finalizer, refcount death */
  C_DESTROY,          /* destroy function, refcount death */
  C_WEAKREF,          /* weak reference callback, referent dies by refcount */
  C_CB_START,         /* collection callback, start */
  C_CB_STOP,          /* collection callback, stop */
  C_SINK,             /* rcgc_config.write */
  C_ALLOC,            /* rcgc_config.alloc */
  C_TRAVERSE_SLICE,   /* traverse run by a slice of an incremental collection */
  C_CB_SLICE,         /* collection callback, RCGC_PHASE_SLICE of the first slice */
  NCTX
};
static const char *const ctx_name[NCTX] = {
    "a traverse run by rcgc_get_referents", "a traverse run by a collection",
    "a finalizer (refcount death)", "a finalizer of cyclic garbage (in a collection)",
    "a legacy finalizer (refcount death)", "a destroy function", "a weak reference callback",
    "a collection callback (start)", "a collection callback (stop)", "the debug sink",
    "the allocator hook", "a traverse run by a slice of an incremental collection",
    "a collection callback (a slice of an incremental collection)"};
/* the class of each context: the column of the row's outcome string */
enum cls { TRAV, CB, COLLFIN, FREEING, HOOK, NCLS };
static const enum cls ctx_cls[NCTX] = {TRAV, TRAV, FREEING, COLLFIN, FREEING, FREEING, FREEING,
                                       CB, CB, HOOK, HOOK, TRAV, CB};

#define R_NULL (-100L) /* a pointer-returning call returned NULL */

typedef long (*thunk_fn)(rcgc_heap *h);

typedef struct reentry_row {
  const char *name;
  thunk_fn fn;
  const char *codes; /* five outcome codes: traverse, callback, cycle fin, freeing, hook */
  const char *rule;  /* R / r and a B that reports: the misuse rule of the report */
  const char *skip;  /* S: the known library defect */
  const char *per_ctx; /* rows on the object whose callback runs: one code per
                       ** context (enum ctx order), '-' where there is none */
} reentry_row;

/* ---------------------------------------------------------------- fixture */
static void *by;            /* a live bystander Graph, refcount 1 */
static rcgc_weakref *by_wr; /* a weak reference to it */
static void *spare;         /* a Graph whose reference the decref row consumes */
static rcgc_weakref *spare_wr;
static rcgc_leak_mark *mark; /* taken before the context */
static rcgc_list prepared;   /* holds one reference to 'by' (rcgc_list_decref_and_free row) */
static FILE *devnull;

/* The object whose callback runs: the traversed object, the object being
** finalized or destroyed, the weak reference whose callback runs. */
static void *self_obj;
static rcgc_weakref *self_wr; /* a weak reference (no callback) to self_obj */
static const reentry_row *armed; /* the row to run at the next trigger */
static enum ctx cur_ctx;
static long result;
static int ran;

static void fire(rcgc_heap *h) {
  if (armed == NULL)
    return;
  const reentry_row *r = armed;
  armed = NULL; /* once: the call may re-enter the same hook */
  ran++;
  result = r->fn(h);
}

/* sink and allocator hook */
static void hook_write(void *ud, const char *text, size_t len) {
  tl_sink_write(ud, text, len);
  if (cur_ctx == C_SINK)
    fire(tl.heap);
}
static int alloc_armed;
static void *hook_alloc(void *ud, void *ptr, size_t old, size_t size) {
  void *p = tl_alloc_fn(ud, ptr, old, size);
  if (cur_ctx == C_ALLOC && alloc_armed && size != 0 && ptr == NULL) {
    alloc_armed = 0;
    fire(tl.heap);
  }
  return p;
}

/* host types: each runs the armed row from one kind of callback */
static int host_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  tl_node *n = o;
  if ((cur_ctx == C_TRAVERSE || cur_ctx == C_TRAVERSE_COLLECT || cur_ctx == C_TRAVERSE_SLICE) &&
      armed != NULL) {
    self_obj = o;
    fire(tl.heap);
  }
  RCGC_VISIT(n->a, "a");
  RCGC_VISIT(n->b, "b");
  return 0;
}
static void host_finalize(rcgc_heap *h, void *o) {
  self_obj = o;
  fire(h);
}
static void host_destroy(rcgc_heap *h, void *o) {
  if (cur_ctx == C_DESTROY) {
    self_obj = o;
    fire(h);
  }
}
static const rcgc_type host_type = {
    .name = "Host", .size = sizeof(tl_node), .traverse = host_traverse, .repr = tl_node_repr};
static const rcgc_type fin_type = {
    .name = "Fin", .size = sizeof(tl_node), .traverse = tl_node_traverse, .finalize = host_finalize,
    .repr = tl_node_repr};
static const rcgc_type legacy_type = {
    .name = "Legacy", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .legacy_finalize = host_finalize, .repr = tl_node_repr};
static const rcgc_type destroy_type = {
    .name = "Destroy", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .destroy = host_destroy, .repr = tl_node_repr};
static void host_weakref_cb(rcgc_heap *h, rcgc_weakref *wr, void *ud) {
  (void)ud;
  self_obj = wr;
  fire(h);
}
static void host_callback(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info, void *ud) {
  (void)info, (void)ud;
  if ((phase == RCGC_PHASE_START && cur_ctx == C_CB_START) ||
      (phase == RCGC_PHASE_STOP && cur_ctx == C_CB_STOP) ||
      (phase == RCGC_PHASE_SLICE && cur_ctx == C_CB_SLICE))
    fire(h);
}

static int is_slice_ctx(enum ctx c) { return c == C_TRAVERSE_SLICE || c == C_CB_SLICE; }

static void fixture_up(enum ctx c) {
  memset(&tl, 0, sizeof tl);
  tl_destroyed = tl_finalized = tl_legacy_finalized = 0;
  tl.sink.echo = getenv("TL_ECHO") != NULL;
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  /* incremental collections run under the suspects policy only */
  cfg.policy = is_slice_ctx(c) ? RCGC_POLICY_SUSPECTS : tl_policy();
  cfg.alloc = hook_alloc;
  cfg.alloc_ud = &tl.alloc;
  cfg.write = hook_write;
  cfg.write_ud = &tl.sink;
  /* every rcgc_new reaches the hook; serials for the leak calls that need them */
  cfg.flags = RCGC_CONFIG_NO_POOL | RCGC_CONFIG_SERIALS;
  tl.heap = rcgc_heap_new(&cfg);
  cr_assert_not_null(tl.heap);
  rcgc_disable(tl.heap);
  by = tl_new("by");
  by_wr = rcgc_weakref_new(tl.heap, by, NULL, NULL);
  spare = tl_new("spare");
  spare_wr = rcgc_weakref_new(tl.heap, spare, NULL, NULL);
  cr_assert(by_wr != NULL && spare_wr != NULL);
  mark = rcgc_leak_mark_new(tl.heap);
  cr_assert_not_null(mark);
  /* a list holding one reference to 'by': the referents of a holder */
  tl_node *hold = tl_new("holder");
  TL_LINK(hold, a, by);
  cr_assert_eq(rcgc_get_referents(tl.heap, (void *[]){hold}, 1, &prepared), RCGC_OK);
  cr_assert_eq(prepared.count, 1);
  rcgc_decref(tl.heap, hold);
}

static void fixture_down(const char *what) {
  if (prepared.items != NULL || prepared.count != 0)
    rcgc_list_decref_and_free(tl.heap, &prepared);
  rcgc_leak_free(tl.heap, mark);
  if (rcgc_weakref_alive(spare_wr))
    rcgc_decref(tl.heap, spare);
  rcgc_decref(tl.heap, spare_wr);
  rcgc_decref(tl.heap, by_wr);
  rcgc_decref(tl.heap, by);
  size_t alive = rcgc_heap_destroy(tl.heap);
  tl.heap = NULL;
  cr_expect_eq(alive, 0, "%s: heap destroy reported %zu live objects:\n%s", what, alive,
               tl.sink.buf ? tl.sink.buf : "");
  cr_expect_eq(tl.alloc.live_blocks, 0, "%s: %ld blocks not returned to the allocator", what,
               tl.alloc.live_blocks);
  cr_expect_eq(tl.alloc.live_bytes, 0, "%s: %lld bytes not returned", what, tl.alloc.live_bytes);
  free(tl.sink.buf);
  tl.sink.buf = NULL;
}

static void *with_self_wr(void *o) {
  self_wr = rcgc_weakref_new(tl.heap, o, NULL, NULL);
  return o;
}

/* The candidates of an incremental collection: NFODDER live objects made
** suspects (counts decremented to a non-zero value), 'by' first, then
** 'extra' when not NULL. Each takes three units of the collection's work
** (entered, traversed, marked), more than 768 units in all; a slice of
** rcgc_collect_step(h, 1) ends within 16 units of its 1-microsecond
** deadline, far sooner, so the first slice does not finish the collection
** (run_incremental checks that). */
#define NFODDER 256
static tl_node *fodder[NFODDER];
static void make_suspect(rcgc_heap *h, void *o) {
  rcgc_incref(h, o);
  rcgc_decref(h, o);
}
static void suspects_up(rcgc_heap *h, void *extra) {
  make_suspect(h, by);
  for (int i = 0; i < NFODDER; i++) {
    fodder[i] = rcgc_new(h, &tl_node_type);
    cr_assert_not_null(fodder[i]);
    make_suspect(h, fodder[i]);
  }
  if (extra != NULL)
    make_suspect(h, extra);
}
static void suspects_down(rcgc_heap *h) {
  for (int i = 0; i < NFODDER; i++)
    rcgc_decref(h, fodder[i]);
}
/* Run an incremental collection to its end with rcgc_collect_step, one
** slice of a microsecond at a time; more than one slice, and nothing left
** running. */
static void run_incremental(rcgc_heap *h) {
  int r, more = 0;
  while ((r = rcgc_collect_step(h, 1)) == 1)
    more++;
  cr_expect_eq(r, 0, "rcgc_collect_step returned %d", r);
  cr_expect(more > 0, "the first slice finished the incremental collection");
  rcgc_incremental_stats s;
  cr_assert_eq(rcgc_get_incremental_stats(h, &s), RCGC_OK);
  cr_expect(s.collections == 1 && s.running == 0 && s.abandoned == 0,
            "incremental collections %ld, running %d, abandoned %ld", s.collections, s.running,
            s.abandoned);
}

/* Trigger the context once with 'r' armed. */
static void trigger(enum ctx c, const reentry_row *r) {
  rcgc_heap *h = tl.heap;
  cur_ctx = c;
  armed = r;
  switch (c) {
  case C_TRAVERSE: {
    tl_node *host = rcgc_new(h, &host_type);
    self_wr = rcgc_weakref_new(h, host, NULL, NULL);
    rcgc_list l;
    cr_assert_eq(rcgc_get_referents(h, (void *[]){host}, 1, &l), RCGC_OK);
    rcgc_list_decref_and_free(h, &l);
    armed = NULL;
    rcgc_decref(h, host);
    break;
  }
  case C_TRAVERSE_COLLECT: {
    tl_node *host = rcgc_new(h, &host_type);
    self_wr = rcgc_weakref_new(h, host, NULL, NULL);
    rcgc_collect(h, 2);
    armed = NULL;
    rcgc_decref(h, host);
    break;
  }
  case C_FINALIZE:
    rcgc_decref(h, with_self_wr(rcgc_new(h, &fin_type)));
    break;
  case C_FINALIZE_CYCLE: {
    tl_node *n = with_self_wr(rcgc_new(h, &fin_type));
    TL_LINK(n, a, n);
    rcgc_decref(h, n);
    rcgc_collect(h, 2);
    break;
  }
  case C_LEGACY:
    rcgc_decref(h, with_self_wr(rcgc_new(h, &legacy_type)));
    break;
  case C_DESTROY:
    rcgc_decref(h, with_self_wr(rcgc_new(h, &destroy_type)));
    break;
  case C_WEAKREF: {
    void *target = tl_new("target");
    rcgc_weakref *wr = rcgc_weakref_new(h, target, host_weakref_cb, NULL);
    rcgc_decref(h, target);
    rcgc_decref(h, wr);
    break;
  }
  case C_CB_START:
  case C_CB_STOP:
    cr_assert_eq(rcgc_callback_add(h, host_callback, NULL), RCGC_OK);
    rcgc_collect(h, 2);
    rcgc_callback_remove(h, host_callback, NULL);
    break;
  case C_SINK:
    rcgc_printf(h, "trigger\n");
    break;
  case C_TRAVERSE_SLICE: {
    tl_node *host = rcgc_new(h, &host_type);
    self_wr = rcgc_weakref_new(h, host, NULL, NULL);
    suspects_up(h, host);
    run_incremental(h);
    armed = NULL;
    suspects_down(h);
    rcgc_decref(h, host);
    break;
  }
  case C_CB_SLICE:
    suspects_up(h, NULL);
    cr_assert_eq(rcgc_callback_add(h, host_callback, NULL), RCGC_OK);
    run_incremental(h);
    rcgc_callback_remove(h, host_callback, NULL);
    armed = NULL;
    suspects_down(h);
    break;
  case C_ALLOC: {
    alloc_armed = 1;
    void *x = rcgc_new(h, &tl_leaf_type);
    alloc_armed = 0;
    rcgc_decref(h, x);
    break;
  }
  default:
    break;
  }
  armed = NULL;
  cur_ctx = NCTX;
  self_obj = NULL;
  if (self_wr != NULL)
    rcgc_decref(h, self_wr);
  self_wr = NULL;
}

/* ---------------------------------------------------------------- thunks */
#define PR(p) ((p) != NULL ? 0L : R_NULL)

static long t_version(rcgc_heap *h) {
  (void)h;
  return rcgc_version()[0] == '0' ? 0 : -1;
}
static long t_strerror(rcgc_heap *h) {
  (void)h;
  return strcmp(rcgc_strerror(RCGC_EBUSY), "not allowed while a collection or traverse is running");
}
static long t_err_name(rcgc_heap *h) {
  (void)h;
  return strcmp(rcgc_err_name(RCGC_EBUSY), "EBUSY");
}
static long t_config_init(rcgc_heap *h) {
  (void)h;
  rcgc_config c;
  rcgc_config_init(&c);
  return c.size == sizeof c ? 0 : -1;
}
static long t_heap_new(rcgc_heap *h) {
  (void)h;
  rcgc_heap *o = rcgc_heap_new(NULL); /* another heap: shares nothing */
  if (o == NULL)
    return R_NULL;
  void *x = rcgc_new(o, &tl_leaf_type);
  rcgc_decref(o, x);
  return (long)rcgc_heap_destroy(o);
}
static long t_heap_destroy(rcgc_heap *h) { return (long)rcgc_heap_destroy(h); }
static long t_object_count(rcgc_heap *h) { return rcgc_heap_object_count(h) > 0 ? 0 : -1; }
static long t_heap_bytes(rcgc_heap *h) { return rcgc_heap_bytes(h) > 0 ? 0 : -1; }
static long t_new(rcgc_heap *h) {
  void *x = rcgc_new(h, &tl_node_type);
  rcgc_decref(h, x);
  return PR(x);
}
static long t_new_sized(rcgc_heap *h) {
  void *x = rcgc_new_sized(h, &tl_node_type, 4096);
  rcgc_decref(h, x);
  return PR(x);
}
static long t_incref(rcgc_heap *h) {
  rcgc_incref(h, by); /* the driver checks and rebalances */
  return 0;
}
static long t_decref(rcgc_heap *h) {
  rcgc_decref(h, spare); /* consumes the spare's reference */
  return 0;
}
static long t_set(rcgc_heap *h) {
  void *field = NULL;
  rcgc_set(h, &field, by);
  rcgc_set(h, &field, NULL);
  return 0;
}
static long t_refcount(rcgc_heap *h) {
  (void)h;
  return rcgc_refcount(by) >= 1 ? 0 : -1;
}
static long t_typeof(rcgc_heap *h) { return rcgc_typeof(h, by) == &tl_node_type ? 0 : -1; }
static long t_serial(rcgc_heap *h) {
  (void)rcgc_serial(h, by);
  return 0;
}
static long t_repr(rcgc_heap *h) {
  char buf[64];
  rcgc_repr(h, by, buf, sizeof buf);
  return strcmp(buf, "Graph(by)");
}
static long t_set_policy(rcgc_heap *h) { return rcgc_set_policy(h, rcgc_get_policy(h)); }
static long t_get_policy(rcgc_heap *h) { return rcgc_get_policy(h); }
static long t_enable(rcgc_heap *h) {
  int was = rcgc_enable(h);
  if (was < 0)
    return was;
  return was ? 0 : rcgc_disable(h) == 1 ? 0 : -1;
}
static long t_disable(rcgc_heap *h) {
  int was = rcgc_disable(h);
  if (was < 0)
    return was;
  if (was)
    rcgc_enable(h);
  return 0;
}
static long t_isenabled(rcgc_heap *h) { return rcgc_isenabled(h); }
static long t_collect(rcgc_heap *h) { return rcgc_collect(h, 2); }
static long t_get_count(rcgc_heap *h) {
  long c[3];
  return rcgc_get_count(h, c);
}
static long t_set_threshold(rcgc_heap *h) {
  long t[3];
  int r = rcgc_get_threshold(h, t);
  return r ? r : rcgc_set_threshold(h, t[0], t[1], t[2]);
}
static long t_get_threshold(rcgc_heap *h) {
  long t[3];
  return rcgc_get_threshold(h, t);
}
static long t_set_debug(rcgc_heap *h) { return rcgc_set_debug(h, rcgc_get_debug(h)); }
static long t_get_debug(rcgc_heap *h) { return (long)rcgc_get_debug(h); }
static void noop_cb(rcgc_heap *h, rcgc_phase p, const rcgc_collect_info *i, void *ud) {
  (void)h, (void)p, (void)i, (void)ud;
}
static long t_callback_add(rcgc_heap *h) {
  int r = rcgc_callback_add(h, noop_cb, NULL);
  if (r == RCGC_OK)
    rcgc_callback_remove(h, noop_cb, NULL);
  return r;
}
static long t_callback_remove(rcgc_heap *h) {
  int r = rcgc_callback_remove(h, noop_cb, &ran);
  return r == RCGC_ENOTFOUND ? 0 : r == RCGC_OK ? -1 : r;
}
static long t_get_stats(rcgc_heap *h) {
  rcgc_gen_stats s[3];
  return rcgc_get_stats(h, s);
}
/* sets another budget, reads it back, and puts the old one back */
static long t_set_pause_budget(rcgc_heap *h) {
  unsigned was = rcgc_get_pause_budget(h);
  int r = rcgc_set_pause_budget(h, was + 1000);
  if (r != RCGC_OK)
    return r;
  unsigned now = rcgc_get_pause_budget(h);
  r = rcgc_set_pause_budget(h, was);
  return r ? r : now == was + 1000 ? 0 : -1;
}
/* the fixture's heap has the default budget, 0 */
static long t_get_pause_budget(rcgc_heap *h) { return rcgc_get_pause_budget(h) == 0 ? 0 : -1; }
static long t_collect_step(rcgc_heap *h) { return rcgc_collect_step(h, 1000); }
/* the fixture's heap runs no incremental collection (budget 0, automatic
** collection disabled) but the one the slice contexts run, which is the
** first and still running */
static long t_get_incremental_stats(rcgc_heap *h) {
  rcgc_incremental_stats s;
  int r = rcgc_get_incremental_stats(h, &s);
  if (r)
    return r;
  if (is_slice_ctx(cur_ctx))
    return s.collections == 0 && s.slices >= 1 && s.running == 1 ? 0 : -1;
  return s.collections == 0 && s.slices == 0 && s.running == 0 ? 0 : -1;
}
static long t_list_release(rcgc_heap *h) {
  rcgc_list_decref_and_free(h, &prepared);
  return 0;
}
/* the bystander, tracked and not frozen, is among the objects: else -1 */
static long t_get_objects(rcgc_heap *h) {
  rcgc_list l;
  int r = rcgc_get_objects(h, -1, &l);
  if (r != RCGC_OK)
    return r;
  long found = 0;
  for (size_t i = 0; i < l.count; i++)
    found |= l.items[i] == by;
  rcgc_list_decref_and_free(h, &l);
  return found ? 0 : -1;
}
static long t_get_referrers(rcgc_heap *h) {
  rcgc_list l;
  int r = rcgc_get_referrers(h, (void *[]){by}, 1, &l);
  if (r == RCGC_OK)
    rcgc_list_decref_and_free(h, &l);
  return r;
}
static long t_get_referents(rcgc_heap *h) {
  rcgc_list l;
  int r = rcgc_get_referents(h, (void *[]){by}, 1, &l);
  if (r == RCGC_OK)
    rcgc_list_decref_and_free(h, &l);
  return r;
}
static long t_is_tracked(rcgc_heap *h) {
  (void)h;
  return rcgc_is_tracked(by) == 1 ? 0 : -1;
}
static long t_track(rcgc_heap *h) { return rcgc_track(h, by); }
static long t_untrack(rcgc_heap *h) {
  int r = rcgc_untrack(h, by);
  if (r == RCGC_OK)
    r = rcgc_track(h, by);
  return r;
}
static long t_is_finalized(rcgc_heap *h) {
  (void)h;
  return rcgc_is_finalized(by);
}
static long t_freeze(rcgc_heap *h) {
  int r = rcgc_freeze(h);
  if (r == RCGC_OK)
    r = rcgc_unfreeze(h);
  return r;
}
static long t_unfreeze(rcgc_heap *h) { return rcgc_unfreeze(h); }
static long t_get_freeze_count(rcgc_heap *h) { return rcgc_get_freeze_count(h); }
static int count_obj(void *obj, void *ud) {
  (void)obj;
  ++*(long *)ud;
  return 0;
}
static long t_visit_objects(rcgc_heap *h) {
  long n = 0;
  int r = rcgc_visit_objects(h, count_obj, &n);
  return r ? r : n > 0 ? 0 : -1;
}
static long t_weakref_new(rcgc_heap *h) {
  rcgc_weakref *wr = rcgc_weakref_new(h, by, NULL, NULL);
  rcgc_decref(h, wr);
  return PR(wr);
}
static long t_weakref_get(rcgc_heap *h) {
  void *o = rcgc_weakref_get(h, by_wr);
  rcgc_decref(h, o);
  return o == by ? 0 : R_NULL;
}
static long t_weakref_alive(rcgc_heap *h) {
  (void)h;
  return rcgc_weakref_alive(by_wr) == 1 ? 0 : -1;
}
static long t_weakref_count(rcgc_heap *h) { return rcgc_weakref_count(h, by) == 1 ? 0 : -1; }
static long t_garbage_count(rcgc_heap *h) { return (long)rcgc_garbage_count(h); }
static long t_garbage_get(rcgc_heap *h) { return rcgc_garbage_get(h, 0) == NULL ? 0 : -1; }
static long t_garbage_clear(rcgc_heap *h) { return (long)rcgc_garbage_clear(h); }
static long t_garbage_remove(rcgc_heap *h) {
  int r = rcgc_garbage_remove(h, 0);
  return r == RCGC_ENOTFOUND ? 0 : r == RCGC_OK ? -1 : r;
}
static long t_garbage_release(rcgc_heap *h) { return rcgc_garbage_release(h, 0); }
static long t_leak_free(rcgc_heap *h) {
  rcgc_leak_free(h, NULL);
  return 0;
}
static long t_leak_roots(rcgc_heap *h) {
  rcgc_leak_root *rs;
  size_t n;
  int r = rcgc_leak_roots(h, &rs, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(h, rs);
  return r;
}
static long t_leak_print_roots(rcgc_heap *h) { return rcgc_leak_print_roots(h, rcgc_write_file, devnull); }
static long t_leak_why(rcgc_heap *h) {
  rcgc_leak_path *p;
  size_t n;
  int r = rcgc_leak_why(h, by, 2, &p, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(h, p);
  return r;
}
static long t_leak_print_why(rcgc_heap *h) { return rcgc_leak_print_why(h, by, 2, rcgc_write_file, devnull); }
static long t_leak_cycles(rcgc_heap *h) {
  rcgc_leak_cycle_set *s;
  int r = rcgc_leak_cycles(h, RCGC_LEAK_HEAP, NULL, 0, &s);
  if (r == RCGC_OK)
    rcgc_leak_free(h, s);
  return r;
}
static long t_leak_print_cycles(rcgc_heap *h) {
  return rcgc_leak_print_cycles(h, RCGC_LEAK_GARBAGE, NULL, 0, 0, rcgc_write_file, devnull);
}
static long t_leak_explain_collect(rcgc_heap *h) { return rcgc_leak_explain_collect(h, rcgc_write_file, devnull); }
static long t_leak_histogram(rcgc_heap *h) {
  rcgc_leak_type_stat *s;
  size_t n;
  int r = rcgc_leak_histogram(h, &s, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(h, s);
  return r;
}
static long t_leak_print_histogram(rcgc_heap *h) { return rcgc_leak_print_histogram(h, 0, rcgc_write_file, devnull); }
static long t_leak_mark_new(rcgc_heap *h) {
  rcgc_leak_mark *m = rcgc_leak_mark_new(h);
  rcgc_leak_free(h, m);
  return PR(m);
}
static long t_leak_mark_free(rcgc_heap *h) {
  rcgc_leak_free(h, mark);
  mark = NULL;
  return 0;
}
static long t_leak_growth_since(rcgc_heap *h) {
  rcgc_leak_growth *g;
  size_t n;
  int r = rcgc_leak_growth_since(h, mark, &g, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(h, g);
  return r;
}
static long t_leak_print_growth(rcgc_heap *h) { return rcgc_leak_print_growth(h, mark, 0, rcgc_write_file, devnull); }
static long t_leak_since_mark(rcgc_heap *h) {
  void **objs;
  size_t n;
  int r = rcgc_leak_since_mark(h, mark, &objs, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(h, objs);
  return r;
}
static long t_leak_print_since_mark(rcgc_heap *h) {
  return rcgc_leak_print_since_mark(h, mark, 0, rcgc_write_file, devnull);
}
static long t_leak_dominators(rcgc_heap *h) {
  rcgc_leak_retained *rs;
  size_t n;
  int r = rcgc_leak_dominators(h, &rs, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(h, rs);
  return r;
}
static long t_leak_top_retainers(rcgc_heap *h) {
  rcgc_leak_retained *rs;
  size_t n;
  int r = rcgc_leak_top_retainers(h, 2, &rs, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(h, rs);
  return r;
}
static long t_leak_print_top_retainers(rcgc_heap *h) {
  return rcgc_leak_print_top_retainers(h, 2, rcgc_write_file, devnull);
}
static long t_expect_freed(rcgc_heap *h) {
  int r = rcgc_expect_freed(h, by, "by");
  if (r == RCGC_OK)
    r = rcgc_expect_freed_cancel(h, by);
  return r;
}
static long t_expect_freed_cancel(rcgc_heap *h) {
  int r = rcgc_expect_freed_cancel(h, by);
  return r == RCGC_ENOTFOUND ? 0 : r == RCGC_OK ? -1 : r;
}
static long t_expect_freed_check(rcgc_heap *h) { return rcgc_expect_freed_check(h, RCGC_EXPECT_QUIET, NULL, NULL); }
static long t_leak_dot(rcgc_heap *h) { return rcgc_leak_dot(h, (void *[]){by}, 1, NULL, rcgc_write_file, devnull); }
static long t_leak_snapshot(rcgc_heap *h) { return rcgc_leak_snapshot(h, rcgc_write_file, devnull); }
static long t_leak_snapshot_file(rcgc_heap *h) { return rcgc_leak_snapshot_file(h, "/dev/null"); }
static long t_check_heap(rcgc_heap *h) { return rcgc_check_heap(h); }
static long t_misuse_count(rcgc_heap *h) {
  (void)rcgc_misuse_count(h); /* a size_t: any value is legal */
  return 0;
}
static long t_printf(rcgc_heap *h) {
  rcgc_printf(h, "from inside\n");
  return 0;
}
/* on the object whose callback runs */
static long t_self_incref(rcgc_heap *h) {
  rcgc_incref(h, self_obj); /* resurrect... */
  rcgc_decref(h, self_obj); /* ...and let go again */
  return 0;
}
static long t_self_untrack(rcgc_heap *h) {
  int r = rcgc_untrack(h, self_obj);
  if (r == RCGC_OK)
    r = rcgc_track(h, self_obj);
  return r;
}
/* 0 when it returned what rcgc.h says: the referent itself from its own
** modern finalizer (which holds a temporary reference; in a collection weak
** references without callback also stay readable), NULL from its legacy
** finalizer and destroy function (its weak references are cleared) */
static long t_self_weakref_get(rcgc_heap *h) {
  void *o = rcgc_weakref_get(h, self_wr);
  int own = cur_ctx == C_FINALIZE || cur_ctx == C_FINALIZE_CYCLE;
  long r = o == (own ? self_obj : NULL) ? 0 : -1;
  rcgc_decref(h, o);
  return r;
}
static long t_self_weakref_new(rcgc_heap *h) {
  rcgc_weakref *wr = rcgc_weakref_new(h, self_obj, NULL, NULL);
  rcgc_decref(h, wr);
  return PR(wr);
}
static long t_self_expect_freed(rcgc_heap *h) {
  int r = rcgc_expect_freed(h, self_obj, "self");
  if (r == RCGC_OK)
    r = rcgc_expect_freed_cancel(h, self_obj);
  return r;
}
static long t_self_leak_why(rcgc_heap *h) {
  rcgc_leak_path *p;
  size_t n;
  int r = rcgc_leak_why(h, self_obj, 1, &p, &n);
  if (r == RCGC_OK)
    rcgc_leak_free(h, p);
  return r;
}
static long t_write_file(rcgc_heap *h) {
  (void)h;
  rcgc_write_file(devnull, "x\n", 2);
  return 0;
}

/* ---------------------------------------------------------------- the table
** codes: traverse, callback, cycle finalizer, freeing by refcount, hook */
#define LEAK "BBBOA" /* rcgc_leak.h: EBUSY in traverse and during a collection */
#define READ "AOOOA" /* read-only: undocumented inside traverse and hooks */
static const reentry_row rows[] = {
    /* 1. version and errors */
    {"rcgc_version", t_version, "OOOOO", NULL, NULL, NULL},
    {"rcgc_strerror", t_strerror, "OOOOO", NULL, NULL, NULL},
    {"rcgc_err_name", t_err_name, "OOOOO", NULL, NULL, NULL},
    /* 3. heaps */
    {"rcgc_config_init", t_config_init, "OOOOO", NULL, NULL, NULL},
    {"rcgc_heap_new (another heap, used and destroyed)", t_heap_new, "OOOOO", NULL, NULL, NULL},
    {"rcgc_heap_destroy", t_heap_destroy, "RRRRR", "heap destroyed from inside itself", NULL, NULL},
    {"rcgc_heap_object_count", t_object_count, READ, NULL, NULL, NULL},
    {"rcgc_heap_bytes", t_heap_bytes, READ, NULL, NULL, NULL},
    /* 4. objects */
    {"rcgc_new", t_new, "ROOOA", "allocation inside traverse", NULL, NULL},
    {"rcgc_new_sized", t_new_sized, "ROOOA", "allocation inside traverse", NULL, NULL},
    {"rcgc_incref", t_incref, "rOOOA", "graph mutated inside traverse", NULL, NULL},
    {"rcgc_decref", t_decref, "rOOOA", "graph mutated inside traverse", NULL, NULL},
    {"rcgc_set", t_set, "rOOOA", "graph mutated inside traverse", NULL, NULL},
    {"rcgc_refcount", t_refcount, READ, NULL, NULL, NULL},
    {"rcgc_typeof", t_typeof, READ, NULL, NULL, NULL},
    {"rcgc_serial", t_serial, READ, NULL, NULL, NULL},
    {"rcgc_repr", t_repr, READ, NULL, NULL, NULL},
    /* 5. the collector */
    {"rcgc_set_policy", t_set_policy, "BBBOA", NULL, NULL, NULL},
    {"rcgc_get_policy", t_get_policy, READ, NULL, NULL, NULL},
    {"rcgc_enable", t_enable, "AOOOA", NULL, NULL, NULL},
    {"rcgc_disable", t_disable, "AOOOA", NULL, NULL, NULL},
    {"rcgc_isenabled", t_isenabled, READ, NULL, NULL, NULL},
    {"rcgc_collect", t_collect, "BZZOA", "collect inside traverse", NULL, NULL},
    {"rcgc_get_count", t_get_count, READ, NULL, NULL, NULL},
    {"rcgc_set_threshold", t_set_threshold, "AOOOA", NULL, NULL, NULL},
    {"rcgc_get_threshold", t_get_threshold, READ, NULL, NULL, NULL},
    {"rcgc_set_debug", t_set_debug, "AOOOA", NULL, NULL, NULL},
    {"rcgc_get_debug", t_get_debug, READ, NULL, NULL, NULL},
    {"rcgc_callback_add", t_callback_add, "AOOOA", NULL, NULL, NULL},
    {"rcgc_callback_remove", t_callback_remove, "AOOOA", NULL, NULL, NULL},
    {"rcgc_get_stats", t_get_stats, READ, NULL, NULL, NULL},
    {"rcgc_set_pause_budget", t_set_pause_budget, "AOOOA", NULL, NULL, NULL},
    {"rcgc_get_pause_budget", t_get_pause_budget, READ, NULL, NULL, NULL},
    {"rcgc_collect_step", t_collect_step, "BBBBB", NULL, NULL, NULL},
    {"rcgc_get_incremental_stats", t_get_incremental_stats, READ, NULL, NULL, NULL},
    {"rcgc_list_decref_and_free", t_list_release, "ROOOA", "graph mutated inside traverse", NULL, NULL},
    {"rcgc_get_objects", t_get_objects, "BOOOA", NULL, NULL, NULL},
    {"rcgc_get_referrers", t_get_referrers, "BOOOA", NULL, NULL, NULL},
    {"rcgc_get_referents", t_get_referents, "BOOOA", NULL, NULL, NULL},
    {"rcgc_is_tracked", t_is_tracked, READ, NULL, NULL, NULL},
    {"rcgc_track", t_track, "BBBOA", NULL, NULL, NULL},
    {"rcgc_untrack (then rcgc_track)", t_untrack, "BBBOA", NULL, NULL, NULL},
    {"rcgc_is_finalized", t_is_finalized, READ, NULL, NULL, NULL},
    {"rcgc_freeze (then rcgc_unfreeze)", t_freeze, "BBBOA", NULL, NULL, NULL},
    {"rcgc_unfreeze", t_unfreeze, "BBBOA", NULL, NULL, NULL},
    {"rcgc_get_freeze_count", t_get_freeze_count, READ, NULL, NULL, NULL},
    {"rcgc_visit_objects", t_visit_objects, READ, NULL, NULL, NULL},
    /* 6. weak references and the garbage list */
    {"rcgc_weakref_new", t_weakref_new, "RAOOA", "graph mutated inside traverse", NULL, NULL},
    {"rcgc_weakref_get", t_weakref_get, "ROOOA", "graph mutated inside traverse", NULL, NULL},
    {"rcgc_weakref_alive", t_weakref_alive, READ, NULL, NULL, NULL},
    {"rcgc_weakref_count", t_weakref_count, READ, NULL, NULL, NULL},
    {"rcgc_garbage_count", t_garbage_count, READ, NULL, NULL, NULL},
    {"rcgc_garbage_get", t_garbage_get, READ, NULL, NULL, NULL},
    {"rcgc_garbage_clear", t_garbage_clear, "AOOOA", NULL, NULL, NULL},
    {"rcgc_garbage_remove", t_garbage_remove, "AOOOA", NULL, NULL, NULL},
    {"rcgc_garbage_release", t_garbage_release, "BZZOA", NULL, NULL, NULL},
    /* 7. leak hunting */
    {"rcgc_leak_free", t_leak_free, "OOOOO", NULL, NULL, NULL},
    {"rcgc_leak_roots", t_leak_roots, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_print_roots", t_leak_print_roots, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_why", t_leak_why, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_print_why", t_leak_print_why, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_cycles", t_leak_cycles, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_print_cycles", t_leak_print_cycles, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_explain_collect", t_leak_explain_collect, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_histogram", t_leak_histogram, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_print_histogram", t_leak_print_histogram, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_mark_new", t_leak_mark_new, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_free(mark)", t_leak_mark_free, "AOOOA", NULL, NULL, NULL},
    {"rcgc_leak_growth_since", t_leak_growth_since, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_print_growth", t_leak_print_growth, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_since_mark", t_leak_since_mark, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_print_since_mark", t_leak_print_since_mark, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_dominators", t_leak_dominators, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_top_retainers", t_leak_top_retainers, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_print_top_retainers", t_leak_print_top_retainers, LEAK, NULL, NULL, NULL},
    {"rcgc_expect_freed", t_expect_freed, "BOOOO", NULL, NULL, NULL},
    {"rcgc_expect_freed_cancel", t_expect_freed_cancel, "AOOOA", NULL, NULL, NULL},
    {"rcgc_expect_freed_check", t_expect_freed_check, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_dot", t_leak_dot, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_snapshot", t_leak_snapshot, LEAK, NULL, NULL, NULL},
    {"rcgc_leak_snapshot_file", t_leak_snapshot_file, LEAK, NULL, NULL, NULL},
    /* 8. debugging aids */
    {"rcgc_check_heap", t_check_heap, "BBBBA", NULL, NULL, NULL},
    {"rcgc_misuse_count", t_misuse_count, READ, NULL, NULL, NULL},
    {"rcgc_printf", t_printf, "AOOOA", NULL, NULL, NULL},
    {"rcgc_write_file", t_write_file, "OOOOO", NULL, NULL, NULL},
    /* on the object whose callback runs (codes per context: traverse,
    ** traverse in a collection, finalizer, cycle finalizer, legacy,
    ** destroy, weak reference callback, callbacks, sink, hook, traverse in
    ** a slice, slice callback) */
    {"rcgc_incref + rcgc_decref of itself", t_self_incref, "", "incref of a dead object", NULL,
     "rrOOORO----r-"},
    {"rcgc_untrack + rcgc_track of itself", t_self_untrack, "", NULL, NULL, "BBOBOOO----B-"},
    {"rcgc_weakref_get of a weak reference to itself", t_self_weakref_get, "",
     "graph mutated inside traverse", NULL, "RRZZZZ-----R-"},
    {"rcgc_weakref_new to itself (inside a traverse)", t_self_weakref_new, "",
     "graph mutated inside traverse", NULL, "RR---------R-"},
    {"rcgc_weakref_new to itself", t_self_weakref_new, "", "weak reference to a dead object", NULL,
     "--AAARO------"},
    {"rcgc_expect_freed + cancel of itself", t_self_expect_freed, "", NULL, NULL, "BBOOO-O----B-"},
    {"rcgc_expect_freed + cancel of itself (its count 0)", t_self_expect_freed, "",
     "object being freed", NULL, "-----R-------"},
    /* a finalizer of a refcount death runs with its object tracked in
    ** generation 0, held by the library's temporary reference (as CPython
    ** tracks it again): a root like any other */
    {"rcgc_leak_why of itself", t_self_leak_why, "", NULL, NULL, "BBOBO-O----B-"},
    {"rcgc_leak_why of itself (being freed)", t_self_leak_why, "", "object being freed", NULL,
     "-----R-------"},
};
#define NROWS (sizeof rows / sizeof rows[0])

/* A case that hits a known library defect in one context only (none
** known now). */
static const char *case_defect(const reentry_row *r, enum ctx c) {
  (void)r, (void)c;
  return NULL;
}

/* Bring the fixture's refcounts back to 'want' (a refused or undocumented
** call may have left them off); returns how far off they were. */
static long rebalance(void *o, size_t want) {
  long off = (long)rcgc_refcount(o) - (long)want;
  for (long i = 0; i < off; i++)
    rcgc_decref(tl.heap, o);
  for (long i = off; i < 0; i++)
    rcgc_incref(tl.heap, o);
  return off;
}

static int run_row(enum ctx c, const reentry_row *r) {
  char code = r->per_ctx != NULL ? r->per_ctx[c] : r->codes[ctx_cls[c]];
  if (code == '-')
    return 0; /* no such object in this context */
#ifndef RCGC_CHECKS
  if (code == 'r')
    code = 'A'; /* the inline paths of release builds check nothing */
#endif
  const char *defect = code == 'S' ? r->skip : case_defect(r, c);
  if (defect != NULL && getenv("RCGC_HOSTILE_RUN_DEFECTS") != NULL) {
    cr_log_warn("%s from %s: running despite: %s", r->name, ctx_name[c], defect);
    code = 'A';
    defect = NULL;
  }
  if (defect != NULL) {
    cr_log_info("%s from %s: skipped: %s", r->name, ctx_name[c], defect);
    return 0;
  }
  fixture_up(c);
  size_t by_rc = rcgc_refcount(by);
  tl_sink_reset(&tl.sink);
  size_t misuse0 = rcgc_misuse_count(tl.heap);
  ran = 0;
  result = LONG_MIN;
  trigger(c, r);
  cr_expect_eq(ran, 1, "%s from %s: ran %d times", r->name, ctx_name[c], ran);
  size_t reports = rcgc_misuse_count(tl.heap) - misuse0;
  const char *sink = tl.sink.buf ? tl.sink.buf : "";
  if (c == C_SINK) /* the trigger's own line */
    sink += strncmp(sink, "trigger\n", 8) == 0 ? 8 : 0;
  int spare_consumed = !rcgc_weakref_alive(spare_wr);
  switch (code) {
  case 'O':
    cr_expect(result >= 0, "%s from %s: returned %ld (%s), expected success", r->name, ctx_name[c],
              result, rcgc_err_name((int)result));
    break;
  case 'B':
    cr_expect(result == RCGC_EBUSY || (result == R_NULL && r->fn == t_leak_mark_new),
              "%s from %s: returned %ld (%s), expected RCGC_EBUSY", r->name, ctx_name[c], result,
              rcgc_err_name((int)result));
    break;
  case 'Z':
    cr_expect_eq(result, 0, "%s from %s: returned %ld, expected 0", r->name, ctx_name[c], result);
    break;
  default:
    break;
  }
  if (code == 'R' || code == 'r' || (code == 'B' && r->rule != NULL)) {
    char prefix[160];
    snprintf(prefix, sizeof prefix, "rcgc: misuse: %s: ",
             code == 'r' ? "graph mutated inside traverse" : r->rule);
    cr_expect(reports >= 1 && strncmp(sink, prefix, strlen(prefix)) == 0,
              "%s from %s: expected a report \"%s\", the sink has:\n%s", r->name, ctx_name[c],
              prefix, sink);
    cr_expect_eq(tl_count_lines(&tl.sink, "rcgc: misuse: "), reports,
                 "%s from %s: every report is a misuse line:\n%s", r->name, ctx_name[c], sink);
    if (code == 'R' || code == 'r')
      cr_expect(r->fn != t_decref || !spare_consumed, "%s from %s: the refused decref freed",
                r->name, ctx_name[c]);
  } else if (code != 'A') {
    cr_expect_eq(reports, 0, "%s from %s: unexpected misuse report:\n%s", r->name, ctx_name[c],
                 sink);
  }
  /* the fixture owns by_rc references to 'by', one fewer once the
  ** prepared list was released; an rcgc_incref that worked took one more */
  int released = r->fn == t_list_release && prepared.count == 0;
  if (r->fn == t_list_release && code != 'A')
    cr_expect_eq(released, code == 'O', "%s from %s: the list was %sreleased", r->name,
                 ctx_name[c], released ? "" : "not ");
  long off = rebalance(by, by_rc - (released ? 1 : 0));
  /* an incref that worked took one; nothing else may move it, even where
  ** the outcome is undocumented (a leak is never an outcome) */
  long want_off = r->fn == t_incref && (code == 'O' || (code == 'A' && off == 1)) ? 1 : 0;
  if (1)
    cr_expect_eq(off, want_off, "%s from %s: the bystander's refcount moved by %ld", r->name,
                 ctx_name[c], off);
  if (code == 'O' && r->fn == t_decref)
    cr_expect(spare_consumed, "%s from %s: the decref did not free", r->name, ctx_name[c]);
  cr_expect_eq(rcgc_check_heap(tl.heap), 0, "%s from %s: heap check:\n%s", r->name, ctx_name[c],
               tl.sink.buf);
  if (tl.heap != NULL && !spare_consumed && rcgc_refcount(spare) != 1)
    rebalance(spare, 1);
  char what[256];
  snprintf(what, sizeof what, "%s from %s", r->name, ctx_name[c]);
  fixture_down(what);
  return 1;
}

static void run_context(enum ctx c) {
  devnull = fopen("/dev/null", "w");
  cr_assert_not_null(devnull);
  int n = 0;
  for (size_t i = 0; i < NROWS; i++)
    n += run_row(c, &rows[i]);
  fclose(devnull);
  cr_log_info("%s: %d of %zu calls run", ctx_name[c], n, NROWS);
}

TestSuite(hostile_reentry, .timeout = 30);

/* Four processes (valgrind pays for each): contexts grouped by kind. */
Test(hostile_reentry, from_traverse_functions) {
  run_context(C_TRAVERSE);
  run_context(C_TRAVERSE_COLLECT);
  run_context(C_TRAVERSE_SLICE);
}
Test(hostile_reentry, from_finalizers_and_destroy_functions) {
  run_context(C_FINALIZE);
  run_context(C_FINALIZE_CYCLE);
  run_context(C_LEGACY);
  run_context(C_DESTROY);
}
Test(hostile_reentry, from_weakref_and_collection_callbacks) {
  run_context(C_WEAKREF);
  run_context(C_CB_START);
  run_context(C_CB_STOP);
  run_context(C_CB_SLICE);
}
Test(hostile_reentry, from_the_sink_and_the_allocator_hook) {
  run_context(C_SINK);
  run_context(C_ALLOC);
}

/* Every public function of rcgc.h has a row; logs the number of cases (a
** row in a context where it has an outcome code other than '-'). */
Test(hostile_reentry, the_table_covers_the_header) {
  for (size_t a = 0; a < HOSTILE_NAPI; a++) {
    size_t len = strlen(hostile_api[a]);
    int found = 0;
    for (size_t i = 0; i < NROWS && !found; i++)
      found = strncmp(rows[i].name, hostile_api[a], len) == 0 &&
              (rows[i].name[len] == 0 || rows[i].name[len] == ' ');
    cr_expect(found, "no row for %s", hostile_api[a]);
  }
  size_t cases = 0, skipped = 0;
  for (size_t i = 0; i < NROWS; i++)
    for (int c = 0; c < NCTX; c++) {
      char code = rows[i].per_ctx != NULL ? rows[i].per_ctx[c] : rows[i].codes[ctx_cls[c]];
      cr_expect(code != 0 && strchr("OBZRrAS-", code) != NULL, "%s: bad code", rows[i].name);
      cases += code != '-';
      skipped += code == 'S';
    }
  cr_log_info("%zu rows x %d contexts: %zu cases, %zu skipped (defects)", NROWS, NCTX, cases,
              skipped);
}

/* The two calls that hand out references, exactly, inside a traverse:
** rcgc_get_objects returns RCGC_EBUSY (its references could not be released
** there) and rcgc_list_decref_and_free is refused, the list keeping its references
** for a release outside. */
static rcgc_list in_traverse_list;
static int objects_in_traverse = 99;
static int listing_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  (void)o, (void)visit, (void)arg;
  rcgc_list l;
  objects_in_traverse = rcgc_get_objects(tl.heap, -1, &l);
  rcgc_list_decref_and_free(tl.heap, &in_traverse_list);
  return 0;
}
static const rcgc_type listing_type = {
    .name = "Listing", .size = sizeof(tl_node), .traverse = listing_traverse};

Test(hostile_reentry, lists_inside_a_traverse, .init = tl_setup) {
  void *n = rcgc_new(tl.heap, &listing_type);
  cr_assert_eq(rcgc_get_objects(tl.heap, -1, &in_traverse_list), RCGC_OK);
  cr_assert_eq(in_traverse_list.count, 1);
  cr_assert_eq(rcgc_refcount(n), 2);
  tl_sink_reset(&tl.sink);
  rcgc_list l;
  cr_assert_eq(rcgc_get_referents(tl.heap, &n, 1, &l), RCGC_OK);
  rcgc_list_decref_and_free(tl.heap, &l);
  cr_assert_eq(objects_in_traverse, RCGC_EBUSY);
  cr_assert_str_eq(tl.sink.buf, "rcgc: misuse: graph mutated inside traverse: rcgc_list_decref_and_free called "
                                "from inside a traverse function; ignored: the list keeps its 1 "
                                "reference\n");
  cr_assert_eq(rcgc_misuse_count(tl.heap), 1);
  cr_assert_eq(in_traverse_list.count, 1, "the list is untouched");
  cr_assert_eq(rcgc_refcount(n), 2);
  rcgc_list_decref_and_free(tl.heap, &in_traverse_list);
  cr_assert_eq(rcgc_refcount(n), 1);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  size_t alive = rcgc_heap_destroy(tl.heap);
  tl.heap = NULL;
  cr_assert_eq(alive, 0);
  tl_teardown();
}
