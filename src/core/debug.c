/*
** debug.c -- errors, the debug sink, misuse reports, the invariant checker
** and (debug builds) thread detection.
**
** Every line the library prints goes through rcgc__write to the sink the
** user configured (stderr by default). Misuse is reported as
**
**   rcgc: misuse: <rule>: <Type 0x...> refcount N: <what happened>
**
** and counted (rcgc_misuse_count); the offending operation is then not
** performed, so the heap stays consistent.
*/
#include "internal.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

const char *rcgc_version(void) { return "0.1.0"; }

const char *rcgc_strerror(int err) {
#define RCGC_STRERROR_(name, val, msg)                                        \
  case val:                                                                   \
    return msg;
  switch (err) { RCGC_ERRNO_MAP(RCGC_STRERROR_) }
#undef RCGC_STRERROR_
  return "unknown error";
}

const char *rcgc_err_name(int err) {
#define RCGC_ERRNAME_(name, val, msg)                                         \
  case val:                                                                   \
    return #name;
  switch (err) { RCGC_ERRNO_MAP(RCGC_ERRNAME_) }
#undef RCGC_ERRNAME_
  return "UNKNOWN";
}

double rcgc__now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------ the sink */

void rcgc_write_file(void *file, const char *text, size_t len) {
  FILE *f = file ? file : stderr;
  fwrite(text, 1, len, f);
  fflush(f);
}

static void sink_call(const rcgc_heap *heap, const char *text, size_t len) {
  if (heap->cfg.write != NULL)
    heap->cfg.write(heap->cfg.write_ud, text, len);
  else
    rcgc_write_file(stderr, text, len);
}

/* The sink is user code: it runs as a user callback (in_user), so that
** what it may not do -- destroy the heap in the middle of the call that
** reports, start an automatic collection -- is refused. */
void rcgc__write(rcgc_heap *heap, const char *text, size_t len) {
  USER_BEGIN(heap);
  sink_call(heap, text, len);
  USER_END(heap);
}

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 0)))
#endif
static void vreport(rcgc_heap *heap, const char *fmt, va_list ap) {
  char buf[1024];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  if (n < 0)
    return;
  rcgc__write(heap, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void rcgc__report(rcgc_heap *heap, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vreport(heap, fmt, ap);
  va_end(ap);
}

void rcgc_printf(rcgc_heap *heap, const char *fmt, ...) {
  if (heap == NULL || fmt == NULL)
    return;
  ENTER(heap, );
  va_list ap;
  va_start(ap, fmt);
  vreport(heap, fmt, ap);
  va_end(ap);
  LEAVE(heap);
}

/* ------------------------------------------------------------ live heaps */

#ifdef RCGC_CHECKS
/* Debug builds keep every live heap on one process-wide list, so that the
** heap an object's prefix names is followed only when it is a live heap: a
** junk pointer's "prefix" is never dereferenced. A spin lock guards the
** list; it is taken at heap creation and destruction and when a report
** names an object whose prefix is not the reporting heap, never around
** user code. */
static atomic_flag reg_lock = ATOMIC_FLAG_INIT;
static rcgc_heap *reg_first;

static void reg_acquire(void) {
  while (atomic_flag_test_and_set_explicit(&reg_lock, memory_order_acquire))
    ;
}
static void reg_release(void) { atomic_flag_clear_explicit(&reg_lock, memory_order_release); }

void rcgc__registry_add(rcgc_heap *heap) {
  reg_acquire();
  heap->reg_prev = NULL;
  heap->reg_next = reg_first;
  if (reg_first != NULL)
    reg_first->reg_prev = heap;
  reg_first = heap;
  reg_release();
}

void rcgc__registry_remove(rcgc_heap *heap) {
  reg_acquire();
  if (heap->reg_prev != NULL)
    heap->reg_prev->reg_next = heap->reg_next;
  else
    reg_first = heap->reg_next;
  if (heap->reg_next != NULL)
    heap->reg_next->reg_prev = heap->reg_prev;
  reg_release();
}

/* Is 'p' a live heap? The caller holds the lock. */
static bool registered(const rcgc_heap *p) {
  for (const rcgc_heap *h = reg_first; h != NULL; h = h->reg_next)
    if (h == p)
      return true;
  return false;
}

bool rcgc__live_heap(const rcgc_heap *p) {
  reg_acquire();
  bool r = registered(p);
  reg_release();
  return r;
}
#endif

int rcgc__describe(rcgc_heap *heap, const head_t *h, char *buf, size_t cap) {
  uint32_t id = type_id_of(h);
#ifdef RCGC_CHECKS
  /* an object of another live heap is named from that heap's type table;
  ** a prefix naming no live heap is not followed (a junk pointer) */
  rcgc_heap *owner = prefix_of(h)->heap;
  if (id != TYPE_POISON && owner != heap) {
    int n;
    reg_acquire();
    if (owner == NULL || !registered(owner) || id == 0 || id >= owner->ntypes)
      n = snprintf(buf, cap, "<not an rcgc object %p>", FROM_HEAD(h));
    else
      n = snprintf(buf, cap, "<%s %p>", owner->types[id]->name, FROM_HEAD(h));
    reg_release();
    return n;
  }
#endif
  if (id == TYPE_POISON)
    return snprintf(buf, cap, "<freed object %p>", FROM_HEAD(h));
  if (id == 0 || id >= heap->ntypes)
    return snprintf(buf, cap, "<not an rcgc object %p>", FROM_HEAD(h));
  return snprintf(buf, cap, "<%s %p>", heap->types[id]->name, FROM_HEAD(h));
}

void rcgc__misuse(rcgc_heap *heap, const void *obj, const char *rule, const char *fmt, ...) {
  heap->misuse++;
  char what[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (obj != NULL) {
    char desc[300];
    const head_t *h = AS_CHEAD(obj);
    rcgc__describe(heap, h, desc, sizeof desc);
    rcgc__report(heap, "rcgc: misuse: %s: %s refcount %u: %s\n", rule, desc,
                 type_id_of(h) == TYPE_POISON ? 0u : (unsigned)h->refcnt, what);
  } else {
    rcgc__report(heap, "rcgc: misuse: %s: %s\n", rule, what);
  }
}

size_t rcgc_misuse_count(rcgc_heap *heap) {
  RETURN_CLAIMED(size_t, heap, 0, 0, (size_t)heap->misuse);
}

/* 'what' was called with a NULL heap and the object 'obj': refused. Only a
** debug build can say so, through the heap the object's prefix names when
** that is a live heap; a release build has no sink to report to. */
void rcgc__null_heap(const void *obj, const char *what) {
#ifdef RCGC_CHECKS
  const head_t *h = AS_CHEAD(obj);
  rcgc_heap *owner = prefix_of(h)->heap;
  if (type_id_of(h) != TYPE_POISON && rcgc__live_heap(owner))
    rcgc__misuse(owner, obj, "NULL heap", "%s called with a NULL heap; ignored", what);
#else
  (void)obj;
  (void)what;
#endif
}

/* rcgc__valid_object's test without the report. */
bool rcgc__object_ok(const rcgc_heap *heap, const void *obj) {
  const head_t *h = AS_CHEAD(obj);
  uint32_t id = type_id_of(h);
#ifdef RCGC_CHECKS
  if (prefix_of(h)->heap != heap)
    return false;
#endif
  return id != TYPE_POISON && id != 0 && id < heap->ntypes;
}

/* Is 'obj' a live-looking object of 'heap'? Reports and returns false for a
** freed (poisoned) block, a pointer that is not an rcgc object, and (debug
** builds) an object of another heap. */
bool rcgc__valid_object(rcgc_heap *heap, const void *obj, const char *what) {
  const head_t *h = AS_CHEAD(obj);
  uint32_t id = type_id_of(h);
  if (id == TYPE_POISON) {
    rcgc__misuse(heap, obj, "use of a freed object", "%s on an object that was already freed",
                 what);
    return false;
  }
#ifdef RCGC_CHECKS
  /* before the type check: the id means nothing in this heap's table */
  if (prefix_of(h)->heap != heap) {
    if (rcgc__live_heap(prefix_of(h)->heap))
      rcgc__misuse(heap, obj, "reference between heaps",
                   "%s on an object that belongs to another heap (%p)", what,
                   (void *)prefix_of(h)->heap);
    else
      rcgc__misuse(heap, obj, "not an rcgc object",
                   "%s on a pointer that was not returned by rcgc_new of this heap", what);
    return false;
  }
#endif
  if (id == 0 || id >= heap->ntypes) {
    rcgc__misuse(heap, obj, "not an rcgc object",
                 "%s on a pointer that was not returned by rcgc_new of this heap", what);
    return false;
  }
  return true;
}

/* ------------------------------------------------------------ threads */

#ifdef RCGC_CHECKS
static _Thread_local char thread_marker;

bool rcgc__enter(rcgc_heap *heap) {
  uintptr_t self = (uintptr_t)&thread_marker, expected = 0;
  if (atomic_compare_exchange_strong(&heap->owner, &expected, self)) {
    heap->owner_depth = 1;
    return true;
  }
  if (expected == self) {
    heap->owner_depth++;
    return true;
  }
  /* reported without touching the heap's other state: the owner thread is
  ** using it. The counter is the one shared field, updated atomically. */
  atomic_fetch_add(&heap->misuse, 1);
  char line[160];
  int n = snprintf(line, sizeof line,
                   "rcgc: misuse: heap used by two threads: heap %p entered by a second thread "
                   "while another is inside it\n",
                   (void *)heap);
  if (n > 0)
    sink_call(heap, line, (size_t)n); /* no in_user: the owner thread owns it */
  return false;
}

void rcgc__leave(rcgc_heap *heap) {
  if (--heap->owner_depth == 0)
    atomic_store(&heap->owner, (uintptr_t)0);
}
#endif

/* ------------------------------------------------------------ checker */

static int visit_count(void *child, const char *edge, void *arg) {
  (void)edge;
  rcgc_heap *heap = arg;
  head_t *c = AS_HEAD(child);
  if (type_id_of(c) == TYPE_POISON || type_id_of(c) == 0 || type_id_of(c) >= heap->ntypes)
    return 0;
  if (is_collecting(c)) { /* P4 (internal.h) */
    if (gc_refs(c) == 0)
      c->gc_prev |= CHECK_TOO_SMALL; /* reported below */
    else
      gc_refs_dec(c);
  }
  return 0;
}

long rcgc_check_heap(rcgc_heap *heap) {
  /* while a collection, a traverse or a drain runs, objects are off their
  ** lists on purpose: RCGC_EBUSY */
  RETURN_CLAIMED(long, heap, RCGC_EINVAL, RCGC_ETHREAD,
                 heap->collecting || heap->in_traverse || heap->draining ? RCGC_EBUSY
                                                                         : rcgc__check_heap(heap));
}

static int ptr_order(const void *a, const void *b) {
  uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
  return x < y ? -1 : x > y;
}

/* The objects watches name (INVARIANT X1), sorted by address for lookup. */
typedef struct watched_t {
  void **objs; /* NULL when there is none, or memory was short */
  const char **labels;
  size_t n;
  size_t seen;  /* how many of them the walk of the lists met */
  bool unknown; /* memory was short: X1 not checked */
} watched_t;

static void watched_get(rcgc_heap *heap, watched_t *w) {
  w->seen = 0;
  w->unknown = rcgc__leak_watched(heap, &w->objs, &w->labels, &w->n) != RCGC_OK;
  if (w->n > 1)
    qsort(w->objs, w->n, sizeof *w->objs, ptr_order);
}

static bool watched_has(const watched_t *w, const void *obj) {
  return w->n > 0 && bsearch(&obj, w->objs, w->n, sizeof *w->objs, ptr_order) != NULL;
}

static void watched_free(rcgc_heap *heap, watched_t *w) {
  rcgc__leak_free(heap, w->objs);
  rcgc__leak_free(heap, (void *)w->labels);
}

/* An object's flags against the side tables: W1 from the flag's side, X1
** from both sides (the table side of W1 is checked with the table). */
static long check_side_flags(rcgc_heap *heap, head_t *h, watched_t *w) {
  long bad = 0;
  char d[300];
  if ((h->tinfo & TI_WEAKREFD) && rcgc__weakref_list(heap, FROM_HEAD(h)) == NULL) {
    rcgc__describe(heap, h, d, sizeof d);
    rcgc__report(heap, "rcgc: check: %s has the weak reference flag but no entry in the weak "
                       "reference table\n",
                 d);
    bad++;
  }
  bool named = !w->unknown && watched_has(w, FROM_HEAD(h));
  w->seen += named;
  if (!w->unknown && ((h->tinfo & TI_WATCHED) != 0) != named) {
    rcgc__describe(heap, h, d, sizeof d);
    if (h->tinfo & TI_WATCHED)
      rcgc__report(heap, "rcgc: check: %s has the expect-freed watch flag but no watch names "
                         "it\n",
                   d);
    else
      rcgc__report(heap, "rcgc: check: %s is named by an expect-freed watch but lacks the "
                         "watch flag\n",
                   d);
    bad++;
  }
  return bad;
}

/* The garbage an incremental collection frees in slices, object by object
** (rcgc__inc_each_doomed): counted, and its flags checked. */
typedef struct doomed_t {
  watched_t *watched;
  size_t n;
} doomed_t;

static long check_doomed_flags(rcgc_heap *heap, head_t *h, void *arg) {
  doomed_t *dm = arg;
  dm->n++;
  return check_side_flags(heap, h, dm->watched);
}

long rcgc__check_heap(rcgc_heap *heap) {
  long bad = 0;
  watched_t watched;
  watched_get(heap, &watched);
  head_t *lists[HEAP_NLISTS];
  heap_lists(heap, lists);
  const char *names[HEAP_NLISTS] = {"generation 0",
                                    "generation 1",
                                    "generation 2",
                                    "incremental INIT",
                                    "incremental SUB",
                                    "incremental MARK",
                                    "incremental GARBAGE",
                                    "suspects",
                                    "permanent",
                                    "untracked"};
  size_t total = 0;
  /* links, flags, types */
  for (size_t i = 0; i < HEAP_NLISTS; i++) {
    head_t *l = lists[i];
    for (head_t *h = next_of(l), *prev = l; prev != l || h != l; prev = h, h = next_of(h)) {
      if ((head_t *)(h->gc_prev & ~PREV_FLAGS) != prev || (h->gc_prev & PREV_FLAGS) ||
          (h->gc_next & NEXT_UNREACHABLE)) {
        rcgc__report(heap, "rcgc: check: %s list: broken link or stray flag at %p\n", names[i],
                     h == l ? (void *)h : FROM_HEAD(h));
        bad++;
        break;
      }
      if (h == l)
        break;
      total++;
      uint32_t id = type_id_of(h);
      if (id == 0 || id >= heap->ntypes || h->refcnt == 0) {
        rcgc__report(heap, "rcgc: check: %s list holds a dead or foreign object %p\n", names[i],
                     FROM_HEAD(h));
        bad++;
        continue;
      }
      bool untracked = (h->tinfo & TI_UNTRACKED) != 0;
      if (untracked != (i == LIST_UNTRACKED)) {
        char d[300];
        rcgc__describe(heap, h, d, sizeof d);
        rcgc__report(heap, "rcgc: check: %s is on the %s list but is %stracked\n", d, names[i],
                     untracked ? "un" : "");
        bad++;
      }
      bool frozen = (h->tinfo & TI_FROZEN) != 0;
      if (frozen != (i == LIST_PERMANENT)) { /* INVARIANT L3b */
        char d[300];
        rcgc__describe(heap, h, d, sizeof d);
        rcgc__report(heap, "rcgc: check: %s is on the %s list but is %sfrozen\n", d, names[i],
                     frozen ? "" : "not ");
        bad++;
      }
      /* INVARIANTS S1 (suspects policy) and S2 (CPython policy) */
      bool suspect = (h->tinfo & TI_SUSPECT) != 0;
      /* an incremental collection's INIT list keeps the suspects it took
      ** with their flag until it enters them, and its SUB list those of a
      ** full one until it traverses them (incremental.c) */
      bool want = heap->policy == RCGC_POLICY_CPYTHON ? !untracked : i == LIST_SUSPECTS;
      bool either = i == LIST_INC_INIT || i == LIST_INC_SUB;
      if (suspect != want && !either && (heap->policy != RCGC_POLICY_CPYTHON || !untracked)) {
        char d[300];
        rcgc__describe(heap, h, d, sizeof d);
        rcgc__report(heap, "rcgc: check: %s is on the %s list and %s the suspect flag under "
                           "the %s policy\n",
                     d, names[i], suspect ? "has" : "lacks",
                     heap->policy == RCGC_POLICY_CPYTHON ? "CPython" : "suspects");
        bad++;
      }
      bad += check_side_flags(heap, h, &watched);
    }
  }
  /* the garbage an incremental collection frees in slices (strict stores):
  ** counted alive, on no list above, watched or not like any object */
  doomed_t dm = {&watched, 0};
  bad += rcgc__inc_each_doomed(heap, check_doomed_flags, &dm);
  total += dm.n;
  /* X1 from the watches' side: every watch names an object on a list */
  if (!watched.unknown && watched.seen != watched.n) {
    rcgc__report(heap, "rcgc: check: %zu expect-freed watch%s name%s an object on no list\n",
                 watched.n - watched.seen, watched.n - watched.seen == 1 ? "" : "es",
                 watched.n - watched.seen == 1 ? "s" : "");
    bad++;
  }
  watched_free(heap, &watched);
  bad += rcgc__inc_check(heap);
  bad += rcgc__pagemap_check(heap);
  if (total != heap->nobjects) {
    rcgc__report(heap, "rcgc: check: %zu objects on lists, %zu counted alive\n", total,
                 heap->nobjects);
    bad++;
  }
  if (bad)
    return bad;
  /* refcount >= references found inside the heap (INVARIANT L4) */
  for (size_t i = 0; i < HEAP_NLISTS; i++)
    for (head_t *h = next_of(lists[i]); h != lists[i]; h = (head_t *)h->gc_next)
      set_gc_refs(h, h->refcnt);
  for (size_t i = 0; i < HEAP_NLISTS; i++)
    for (head_t *h = next_of(lists[i]); h != lists[i]; h = (head_t *)h->gc_next)
      rcgc__traverse(heap, h, visit_count, heap);
  for (size_t i = 0; i < HEAP_NLISTS; i++) {
    head_t *prev = lists[i];
    for (head_t *h = next_of(lists[i]); h != lists[i]; h = (head_t *)h->gc_next) {
      if (h->gc_prev & CHECK_TOO_SMALL) {
        char d[300];
        rcgc__describe(heap, h, d, sizeof d);
        rcgc__report(heap, "rcgc: check: refcount is too small: %s refcount %u is below the "
                           "references traverse functions report\n",
                     d, (unsigned)h->refcnt);
        bad++;
      }
      h->gc_prev = (uintptr_t)prev;
      prev = h;
    }
  }
  /* weak reference table (W1 from the table's side, W2, W3) */
  size_t keys = 0;
  for (size_t i = 0; i < heap->wr_cap; i++) {
    const void *key = heap->wr_slots[i].key;
    if (key == NULL)
      continue;
    keys++;
    if (!(AS_CHEAD(key)->tinfo & TI_WEAKREFD) || heap->wr_slots[i].list == NULL) {
      rcgc__report(heap, "rcgc: check: weak reference table entry for %p is stale\n", key);
      bad++;
    }
    for (struct rcgc_weakref *wr = heap->wr_slots[i].list; wr; wr = wr->next)
      if (wr->referent != key) {
        rcgc__report(heap, "rcgc: check: weak reference %p on the list of %p points at %p\n",
                     (void *)wr, key, wr->referent);
        bad++;
      }
  }
  if (keys != heap->wr_used) {
    rcgc__report(heap, "rcgc: check: the weak reference table holds %zu entries but counts %zu\n",
                 keys, heap->wr_used);
    bad++;
  }
  if (heap->wr_used * 2 > heap->wr_cap) { /* W3: probing needs empty slots */
    rcgc__report(heap, "rcgc: check: the weak reference table counts %zu entries in %zu slots, "
                       "more than half full\n",
                 heap->wr_used, heap->wr_cap);
    bad++;
  }
  return bad;
}
