/*
** fuzz_oracle.c -- the oracle fuzzer: the input bytes are a program of heap
** operations (allocate tracked nodes with N reference slots, untracked leaves,
** objects with modern or legacy finalizers, link, unlink, incref, decref, weak
** references with and without callback, resurrection from a finalizer,
** track/untrack, freeze/unfreeze, collect(generation), introspection,
** DEBUG_SAVEALL, garbage clear/release). Each program runs against rcgc and
** against a small reference model of the same graph, written from the
** documented semantics (rcgc.h, CPython's gc): reference counts, generations,
** reachability marked from the references the harness holds, finalizer and
** weak reference ordering, the garbage list.
**
** After every operation: every object's refcount equals the model's, every
** live object is intact (magic, id, slots), every destroy / finalizer / legacy
** finalizer / weak reference callback ran exactly as often as the model says,
** weak references are dead exactly when the model cleared them, and the live
** object count agrees. After every collection also: the returned count, the
** callback's collected / uncollectable / candidates, the garbage list size,
** and rcgc_check_heap() == 0. At the end the heap is destroyed: its return
** value, every destroy ran exactly once, and the allocator has every block
** back.
**
** Built three ways: with libFuzzer (scripts/run-fuzz.sh), as a Criterion
** test that replays tests/fuzz/corpus (FUZZ_REPLAY_CRITERION), and as a
** plain replayer of files given on the command line (FUZZ_REPLAY_MAIN).
** A failed check prints the operation trace and aborts.
*/
#include <rcgc.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OBJS 160   /* objects one program may allocate */
#define MAX_SLOTS 4    /* reference slots of a node */
#define MAX_OPS 400    /* operations one program may run */
#define MAGIC 0x5eedfaceu

/* ------------------------------------------------------------ objects */
typedef struct fz_obj {
  uint32_t magic; /* MAGIC ^ id while alive; poisoned by destroy */
  int id;
  int nslots;
  int pad;
  void *slot[]; /* nslots references (nodes only) */
} fz_obj;

enum { K_NODE, K_LEAF, K_WREF };
enum { GEN_UNTRACKED = -1, GEN_PERMANENT = 3 };

/* The model of one object, and the counters its callbacks update. */
typedef struct mobj {
  void *ptr;
  int kind, alive, dying;
  int nslots, slot[MAX_SLOTS]; /* target ids or -1 */
  long ext;                    /* references the harness owns */
  long garb;                   /* garbage list entries naming it */
  int gen;                     /* 0..2, GEN_PERMANENT, GEN_UNTRACKED */
  int has_fin, has_leg, resurrect;
  int finalized, release, legacy_ran;
  int referent, has_cb;        /* weak references */
  /* expected (model) and observed (callbacks) counters */
  long exp_fin, exp_leg, exp_cb, exp_destroy;
  long exp_cb_max;  /* callbacks: exp_cb <= cb <= exp_cb_max (see drain) */
  long cb_cascade;  /* the cascade in which the model fired the callback */
  int dead_ref;     /* weakrefs freed by refcount: referent and callback at death */
  long dead_cascade;
  int dead_cb;
  long fin, leg, cb, destroy;
  /* scratch for the collection model */
  int mark, set;
} mobj;

typedef struct fz_state {
  rcgc_heap *heap;
  mobj o[MAX_OBJS];
  int n;
  long allocs, frees, live_blocks; /* the counting allocator */
  unsigned debug;
  int release_mode; /* the model is inside garbage_release(LEGACY) */
  rcgc_collect_info last_stop;
  int stops;
  char trace[8192];
  size_t tlen;
  long ops_run;
} fz_state;

static fz_state F;
static long total_ops; /* across inputs, for the summary line */

static void trace(const char *fmt, ...) {
  if (F.tlen >= sizeof F.trace - 128)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(F.trace + F.tlen, sizeof F.trace - F.tlen, fmt, ap);
  va_end(ap);
  if (n > 0)
    F.tlen += (size_t)n;
}

static void fail(const char *fmt, ...) {
  fprintf(stderr, "fuzz_oracle: FINDING after %ld operations\ntrace:\n%s\n", F.ops_run, F.trace);
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "check failed: ");
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\n");
  fflush(stderr);
  abort();
}
#define CHECK(cond, ...)                                                      \
  do {                                                                        \
    if (!(cond))                                                              \
      fail(__VA_ARGS__);                                                      \
  } while (0)

static void *fz_alloc(void *ud, void *ptr, size_t old, size_t size) {
  (void)ud;
  (void)old;
  if (size == 0) {
    if (ptr != NULL) {
      F.live_blocks--;
      free(ptr);
    }
    return NULL;
  }
  if (ptr == NULL)
    F.live_blocks++;
  return realloc(ptr, size);
}

static void fz_sink(void *ud, const char *text, size_t len) {
  (void)ud;
  if (getenv("FUZZ_ECHO"))
    fwrite(text, 1, len, stderr);
}

/* ------------------------------------------------------------ callbacks */
static mobj *of(const void *p) {
  const fz_obj *o = p;
  CHECK(o->magic == (MAGIC ^ (uint32_t)o->id) && o->id >= 0 && o->id < F.n && F.o[o->id].ptr == p,
        "callback on a corrupt or freed object %p", p);
  return &F.o[o->id];
}

static int node_traverse(void *p, rcgc_visit_fn visit, void *arg) {
  fz_obj *o = p;
  for (int i = 0; i < o->nslots; i++)
    RCGC_VISIT(o->slot[i], "slot");
  return 0;
}
/* A resurrecting finalizer stores a new reference to its object in the
** harness (the model adds the same hold when it runs the finalizer). */
static void obj_finalize(rcgc_heap *h, void *p) {
  mobj *m = of(p);
  m->fin++;
  if (m->resurrect)
    rcgc_incref(h, p);
}
static void obj_legacy(rcgc_heap *h, void *p) {
  (void)h;
  of(p)->leg++;
}
static void obj_destroy(rcgc_heap *h, void *p) {
  (void)h;
  fz_obj *o = p;
  mobj *m = of(p);
  m->destroy++;
  o->magic = 0xdeadbeefu;
}
static int obj_repr(const void *p, char *buf, size_t cap) {
  return snprintf(buf, cap, "Obj(%d)", ((const fz_obj *)p)->id);
}
static void wr_callback(rcgc_heap *h, rcgc_weakref *wr, void *ud) {
  (void)h;
  int id = (int)(intptr_t)ud;
  CHECK(id >= 0 && id < F.n && F.o[id].ptr == (void *)wr, "weakref callback with a wrong wr");
  CHECK(!rcgc_weakref_alive(wr), "weakref callback on a weak reference that is still alive");
  F.o[id].cb++;
}
static void gc_callback(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info, void *ud) {
  (void)h;
  (void)ud;
  if (phase == RCGC_PHASE_STOP) {
    F.last_stop = *info;
    F.stops++;
  }
}

#define T(name, tr, fin, leg)                                                 \
  { name, offsetof(fz_obj, slot), tr, fin, leg, obj_destroy, obj_repr }
static const rcgc_type node_types[4] = {
    T("Node", node_traverse, NULL, NULL),
    T("NodeFin", node_traverse, obj_finalize, NULL),
    T("NodeLegacy", node_traverse, NULL, obj_legacy),
    T("NodeBoth", node_traverse, obj_finalize, obj_legacy),
};
static const rcgc_type leaf_types[3] = {
    T("Leaf", NULL, NULL, NULL),
    T("LeafFin", NULL, obj_finalize, NULL),
    T("LeafLegacy", NULL, NULL, obj_legacy),
};

/* ------------------------------------------------------------ the model */
/* Model refcount: holds of the harness and the garbage list, plus the
** slots of every live node (dying ones too: they release them only when
** they are really freed). */
static long model_rc(int x) {
  long rc = F.o[x].ext + F.o[x].garb;
  for (int i = 0; i < F.n; i++) {
    const mobj *m = &F.o[i];
    if (!m->alive || m->kind != K_NODE)
      continue;
    for (int s = 0; s < m->nslots; s++)
      rc += m->slot[s] == x;
  }
  return rc;
}

/* All model refcounts at once; with 'only_set', only edges from objects
** whose 'set' is 1 are counted (the references inside a candidate set). */
static void model_rcs(long *rc, int only_set) {
  for (int i = 0; i < F.n; i++)
    rc[i] = only_set ? 0 : F.o[i].ext + F.o[i].garb;
  for (int i = 0; i < F.n; i++) {
    const mobj *m = &F.o[i];
    if (!m->alive || m->kind != K_NODE || (only_set && m->set != 1))
      continue;
    for (int s = 0; s < m->nslots; s++)
      if (m->slot[s] >= 0)
        rc[m->slot[s]]++;
  }
}

static int wl[MAX_OBJS], wln;
static long cascade; /* numbers each drain() */

/* Queue 'x' if its count reached 0. */
static void maybe_dying(int x) {
  if (x < 0)
    return;
  mobj *m = &F.o[x];
  if (m->alive && !m->dying && model_rc(x) == 0) {
    m->dying = 1;
    wl[wln++] = x;
  }
}

/* Clear the weak references to 'x'; call callbacks when 'fire'.
** One ordering freedom is left to the library: when a weak reference and its
** referent die in the same refcount cascade, which of them is processed
** first depends on the order references are released (the zero stack), and
** the callback runs only when the referent goes first. The model allows
** both: exp_cb counts the callbacks that must run, exp_cb_max those that
** may. */
static void clear_weakrefs_to(int x, int fire) {
  for (int i = 0; i < F.n; i++) {
    mobj *w = &F.o[i];
    if (w->alive && w->kind == K_WREF && w->referent == x) {
      w->referent = -1;
      if (fire && w->has_cb && !w->dying) {
        w->exp_cb++;
        w->exp_cb_max++;
        w->cb_cascade = cascade;
      } else if (fire && w->has_cb) {
        w->exp_cb_max++; /* dying in this cascade: may have run first */
      }
      w->has_cb = 0;
    }
    /* a weak reference freed earlier in this same cascade may, in the
    ** library's order, still have been alive when its referent died */
    if (fire && !w->alive && w->kind == K_WREF && w->dead_cb && w->dead_ref == x &&
        w->dead_cascade == cascade) {
      w->exp_cb_max++;
      w->dead_cb = 0;
    }
  }
}

/* Refcount deaths (obj.c order): modern finalizer (may resurrect), weak
** references cleared and called, legacy finalizer, references released,
** destroy. The result does not depend on the order of the queue. */
static void drain(void) {
  cascade++;
  while (wln > 0) {
    int x = wl[--wln];
    mobj *m = &F.o[x];
    m->set = 0; /* unlinked from any list of a running collection */
    if (m->has_fin && !m->finalized) {
      m->finalized = 1;
      m->exp_fin++;
      if (m->resurrect) {
        m->ext++;
        m->dying = 0;
        if (m->gen != GEN_UNTRACKED && m->gen != GEN_PERMANENT)
          m->gen = 0; /* a frozen object goes back to the permanent generation */
        continue;
      }
    }
    clear_weakrefs_to(x, 1);
    /* at every death, except after a forced release already ran it */
    if (m->has_leg && !m->legacy_ran)
      m->exp_leg++;
    m->alive = 0;
    m->dying = 0;
    if (m->kind == K_WREF) {
      m->dead_ref = m->referent;
      m->dead_cascade = cascade;
      m->dead_cb = m->has_cb;
      m->referent = -1;
      if (m->cb_cascade == cascade && m->exp_cb > 0)
        m->exp_cb--; /* it may have been freed before its referent died */
    }
    m->exp_destroy += m->kind != K_WREF; /* weakrefs: the library's destroy */
    if (m->kind == K_NODE)
      for (int s = 0; s < m->nslots; s++)
        maybe_dying(m->slot[s]);
  }
}

static void model_decref_ext(int x) {
  F.o[x].ext--;
  maybe_dying(x);
  drain();
}

static int edge_in_set(int from) { return F.o[from].alive && F.o[from].kind == K_NODE; }

/* Mark, inside the set (m->set == 1), everything reachable from objects
** whose mark is 1. */
static void mark_closure(void) {
  int changed = 1;
  while (changed) {
    changed = 0;
    for (int i = 0; i < F.n; i++) {
      mobj *m = &F.o[i];
      if (m->set != 1 || m->mark != 1 || !edge_in_set(i))
        continue;
      for (int s = 0; s < m->nslots; s++) {
        int y = m->slot[s];
        if (y >= 0 && F.o[y].set == 1 && !F.o[y].mark) {
          F.o[y].mark = 1;
          changed = 1;
        }
      }
    }
  }
}

/* Objects of the set with references from outside it are marked (gc_refs >
** 0), then everything they reach. */
static void mark_from_outside(void) {
  long rc[MAX_OBJS], inside[MAX_OBJS];
  model_rcs(rc, 0);
  model_rcs(inside, 1);
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (m->set != 1)
      continue;
    CHECK(rc[i] >= inside[i], "model: negative gc_refs for %d", i);
    m->mark = rc[i] > inside[i];
  }
  mark_closure();
}

typedef struct mresult {
  long ret, collected, uncollectable, candidates;
} mresult;

static void garbage_add(int x) { F.o[x].garb++; }

/* The collector (collect.c steps 0-11) in terms of the model. */
static mresult model_collect(int gen, int no_saveall) {
  mresult r = {0, 0, 0, 0};
  int old = gen < 2 ? gen + 1 : 2;
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    m->set = m->alive && m->gen >= 0 && m->gen <= gen;
    m->mark = 0;
    r.candidates += m->set;
  }
  mark_from_outside();
  /* survivors go to the old generation; set: 1 = unreachable (U) */
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (m->set && m->mark) {
      m->set = 0;
      m->gen = old;
    }
  }
  /* legacy finalizers: closure inside U -> L (set = 2) */
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    m->mark = m->set == 1 && m->has_leg && !m->release;
  }
  mark_closure();
  for (int i = 0; i < F.n; i++)
    if (F.o[i].set == 1 && F.o[i].mark)
      F.o[i].set = 2;
  /* weak reference callbacks for referents in G0 (set == 1) */
  for (int i = 0; i < F.n; i++) {
    mobj *w = &F.o[i];
    if (!w->alive || w->kind != K_WREF || w->referent < 0 || !w->has_cb ||
        F.o[w->referent].set != 1)
      continue;
    w->referent = -1;
    w->has_cb = 0;
    if (w->set != 1) {
      w->exp_cb++;
      w->exp_cb_max++;
      w->set = 0; /* leaves L too: moved to the old generation */
      w->gen = old;
    }
  }
  /* finalizers of G0 */
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (m->set != 1)
      continue;
    if (m->has_fin && !m->finalized) {
      m->finalized = 1;
      m->exp_fin++;
      if (m->resurrect)
        m->ext++;
    }
    if (m->release && m->has_leg && !m->legacy_ran) {
      m->legacy_ran = 1;
      m->exp_leg++;
    }
  }
  /* resurrection: what gained an outside reference survives */
  for (int i = 0; i < F.n; i++)
    F.o[i].mark = 0;
  mark_from_outside();
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (m->set == 1 && m->mark) {
      m->set = 0;
      m->gen = old;
    }
  }
  /* G: weak references to it cleared, then saved or freed */
  int saveall = (F.debug & RCGC_DEBUG_SAVEALL) && !no_saveall;
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (m->set != 1)
      continue;
    r.collected++;
    clear_weakrefs_to(i, 0);
    if (m->kind == K_WREF) {
      m->referent = -1;
      m->has_cb = 0;
    }
  }
  if (saveall) {
    for (int i = 0; i < F.n; i++)
      if (F.o[i].set == 1) {
        garbage_add(i);
        F.o[i].gen = old;
      }
  } else {
    for (int i = 0; i < F.n; i++) {
      mobj *m = &F.o[i];
      if (m->set == 1) {
        m->alive = 0;
        m->exp_destroy += m->kind != K_WREF;
      }
    }
    for (int i = 0; i < F.n; i++) {
      mobj *m = &F.o[i];
      if (m->set == 1 && m->kind == K_NODE)
        for (int s = 0; s < m->nslots; s++)
          maybe_dying(m->slot[s]);
    }
  }
  /* freeing G may free members of L by refcount (as in CPython: "it may
  ** also cause some objects in finalizers to be freed"); they leave L */
  drain();
  /* L: uncollectable, to the garbage list and the old generation */
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (m->set != 2 || !m->alive)
      continue;
    r.uncollectable++;
    if (saveall || (m->has_leg && !m->release)) /* release ignores SAVEALL here too */
      garbage_add(i);
    m->gen = old;
  }
  for (int i = 0; i < F.n; i++)
    F.o[i].set = 0;
  drain();
  r.ret = r.collected + r.uncollectable;
  return r;
}

/* ------------------------------------------------------------ checks */
static long model_alive(void) {
  long n = 0;
  for (int i = 0; i < F.n; i++)
    n += F.o[i].alive;
  return n;
}

static void check_all(const char *where) {
  long rcs[MAX_OBJS];
  model_rcs(rcs, 0);
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    CHECK(m->destroy == m->exp_destroy, "%s: object %d destroyed %ld times, model %ld", where, i,
          m->destroy, m->exp_destroy);
    CHECK(m->fin == m->exp_fin && m->fin <= 1, "%s: object %d finalized %ld times, model %ld",
          where, i, m->fin, m->exp_fin);
    CHECK(m->leg == m->exp_leg, "%s: object %d legacy-finalized %ld times, model %ld", where, i,
          m->leg, m->exp_leg);
    CHECK(m->cb >= m->exp_cb && m->cb <= m->exp_cb_max && m->cb <= 1,
          "%s: weakref %d callback ran %ld times, model %ld..%ld", where, i, m->cb, m->exp_cb,
          m->exp_cb_max);
    if (!m->alive)
      continue;
    long rc = rcs[i];
    CHECK((long)rcgc_refcount(m->ptr) == rc, "%s: object %d refcount %zu, model %ld", where, i,
          rcgc_refcount(m->ptr), rc);
    if (m->kind == K_WREF) {
      rcgc_weakref *w = m->ptr;
      CHECK(rcgc_weakref_alive(w) == (m->referent >= 0), "%s: weakref %d alive %d, model %d",
            where, i, rcgc_weakref_alive(w), m->referent >= 0);
      continue;
    }
    fz_obj *o = m->ptr;
    CHECK(o->magic == (MAGIC ^ (uint32_t)i) && o->id == i && o->nslots == m->nslots,
          "%s: live object %d corrupt (magic %x)", where, i, o->magic);
    for (int s = 0; s < m->nslots; s++)
      CHECK(o->slot[s] == (m->slot[s] < 0 ? NULL : F.o[m->slot[s]].ptr),
            "%s: object %d slot %d differs from the model", where, i, s);
    CHECK(rcgc_is_finalized(o) == m->finalized, "%s: object %d is_finalized %d, model %d", where,
          i, rcgc_is_finalized(o), m->finalized);
    CHECK(rcgc_is_tracked(o) == (m->gen != GEN_UNTRACKED), "%s: object %d is_tracked", where, i);
  }
  CHECK((long)rcgc_heap_object_count(F.heap) == model_alive(), "%s: %zu objects alive, model %ld",
        where, rcgc_heap_object_count(F.heap), model_alive());
  long garb = 0;
  for (int i = 0; i < F.n; i++)
    garb += F.o[i].garb;
  CHECK((long)rcgc_garbage_count(F.heap) == garb, "%s: garbage list %zu, model %ld", where,
        rcgc_garbage_count(F.heap), garb);
}

static void check_heap(const char *where) {
  long bad = rcgc_check_heap(F.heap);
  CHECK(bad == 0, "%s: rcgc_check_heap found %ld violations", where, bad);
  CHECK(rcgc_misuse_count(F.heap) == 0, "%s: misuse reported", where);
}

static void check_collect(const char *where, long got, mresult want) {
  CHECK(got == want.ret, "%s returned %ld, model %ld", where, got, want.ret);
  CHECK(F.last_stop.collected == want.collected && F.last_stop.uncollectable == want.uncollectable &&
            F.last_stop.candidates == want.candidates,
        "%s: callback info %ld/%ld/%ld, model %ld/%ld/%ld", where, F.last_stop.collected,
        F.last_stop.uncollectable, F.last_stop.candidates, want.collected, want.uncollectable,
        want.candidates);
  check_all(where);
  check_heap(where);
}

/* ------------------------------------------------------------ the program */
typedef struct input {
  const uint8_t *p;
  size_t n;
} input;

static int byte(input *in) {
  if (in->n == 0)
    return -1;
  in->n--;
  return *in->p++;
}

/* The id of a live object chosen by one input byte (-1 when none). */
static int pick(input *in, int want_kind) {
  int b = byte(in);
  if (b < 0)
    return -1;
  int ids[MAX_OBJS], k = 0;
  for (int i = 0; i < F.n; i++)
    if (F.o[i].alive && (want_kind < 0 || F.o[i].kind == want_kind))
      ids[k++] = i;
  return k ? ids[b % k] : -1;
}

static int new_obj(int kind, void *ptr) {
  int id = F.n++;
  mobj *m = &F.o[id];
  memset(m, 0, sizeof *m);
  m->ptr = ptr;
  m->kind = kind;
  m->alive = 1;
  m->ext = 1;
  m->referent = -1;
  for (int s = 0; s < MAX_SLOTS; s++)
    m->slot[s] = -1;
  return id;
}

static void op_alloc(input *in) {
  int b = byte(in);
  if (b < 0 || F.n >= MAX_OBJS)
    return;
  int leaf = (b & 7) == 7, ftype = (b >> 3) & 3, nslots = 1 + ((b >> 5) & 3);
  if (leaf) {
    nslots = 0;
    ftype %= 3;
  }
  const rcgc_type *t = leaf ? &leaf_types[ftype] : &node_types[ftype];
  size_t size = offsetof(fz_obj, slot) + (size_t)nslots * sizeof(void *);
  fz_obj *o = rcgc_new_sized(F.heap, t, size);
  CHECK(o != NULL, "rcgc_new_sized failed");
  int id = new_obj(leaf ? K_LEAF : K_NODE, o);
  mobj *m = &F.o[id];
  o->id = id;
  o->nslots = nslots;
  o->magic = MAGIC ^ (uint32_t)id;
  m->nslots = nslots;
  m->gen = leaf ? GEN_UNTRACKED : 0;
  m->has_fin = t->finalize != NULL;
  m->has_leg = t->legacy_finalize != NULL;
  m->resurrect = m->has_fin && (b & 0x80) && (b & 0x04);
  trace("%d = new %s[%d]%s\n", id, t->name, nslots, m->resurrect ? " resurrecting" : "");
}

static void op_link(input *in, int clear) {
  int a = pick(in, K_NODE);
  int s = byte(in);
  int b = clear ? -1 : pick(in, -1);
  if (a < 0 || s < 0 || (!clear && b < 0))
    return;
  mobj *m = &F.o[a];
  s %= m->nslots;
  fz_obj *o = m->ptr;
  trace("%d.slot[%d] = %d\n", a, s, b);
  int oldt = m->slot[s];
  m->slot[s] = b;
  rcgc_set(F.heap, &o->slot[s], b < 0 ? NULL : F.o[b].ptr);
  if (oldt >= 0) {
    maybe_dying(oldt);
    drain();
  }
}

static void op_incref(input *in) {
  int x = pick(in, -1);
  if (x < 0)
    return;
  trace("incref %d\n", x);
  rcgc_incref(F.heap, F.o[x].ptr);
  F.o[x].ext++;
}

static void op_decref(input *in) {
  int b = byte(in);
  if (b < 0)
    return;
  int ids[MAX_OBJS], k = 0;
  for (int i = 0; i < F.n; i++)
    if (F.o[i].alive && F.o[i].ext > 0)
      ids[k++] = i;
  if (k == 0)
    return;
  int x = ids[b % k];
  trace("decref %d\n", x);
  rcgc_decref(F.heap, F.o[x].ptr);
  model_decref_ext(x);
}

static void op_weakref(input *in) {
  int x = pick(in, -1);
  int b = byte(in);
  if (x < 0 || b < 0 || F.n >= MAX_OBJS)
    return;
  int id = F.n;
  int cb = b & 1;
  rcgc_weakref *w = rcgc_weakref_new(F.heap, F.o[x].ptr, cb ? wr_callback : NULL,
                                     (void *)(intptr_t)id);
  CHECK(w != NULL, "rcgc_weakref_new failed");
  new_obj(K_WREF, w);
  F.o[id].gen = 0;
  F.o[id].referent = x;
  F.o[id].has_cb = cb;
  trace("%d = weakref(%d%s)\n", id, x, cb ? ", callback" : "");
}

static void op_weakref_get(input *in) {
  int w = pick(in, K_WREF);
  if (w < 0)
    return;
  void *p = rcgc_weakref_get(F.heap, F.o[w].ptr);
  int r = F.o[w].referent;
  trace("get weakref %d -> %d\n", w, r);
  CHECK((r < 0 && p == NULL) || (r >= 0 && p == F.o[r].ptr), "weakref_get %d disagrees", w);
  if (r >= 0)
    F.o[r].ext++;
}

static void op_collect(input *in) {
  int g = byte(in);
  if (g < 0)
    return;
  g %= 3;
  trace("collect(%d)\n", g);
  long got = rcgc_collect(F.heap, g);
  mresult want = model_collect(g, 0);
  check_collect("collect", got, want);
}

static void op_track(input *in, int track) {
  int x = pick(in, K_NODE);
  if (x < 0)
    return;
  mobj *m = &F.o[x];
  trace("%s %d\n", track ? "track" : "untrack", x);
  int r = track ? rcgc_track(F.heap, m->ptr) : rcgc_untrack(F.heap, m->ptr);
  CHECK(r == RCGC_OK, "track/untrack returned %d", r);
  if (track && m->gen == GEN_UNTRACKED)
    m->gen = 0;
  if (!track)
    m->gen = GEN_UNTRACKED;
}

static void op_freeze(int freeze) {
  trace("%s\n", freeze ? "freeze" : "unfreeze");
  CHECK((freeze ? rcgc_freeze(F.heap) : rcgc_unfreeze(F.heap)) == RCGC_OK, "freeze failed");
  long frozen = 0;
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (!m->alive)
      continue;
    if (freeze && m->gen >= 0 && m->gen <= 2)
      m->gen = GEN_PERMANENT;
    else if (!freeze && m->gen == GEN_PERMANENT)
      m->gen = 2;
    frozen += m->gen == GEN_PERMANENT;
  }
  CHECK(rcgc_get_freeze_count(F.heap) == frozen, "freeze count %ld, model %ld",
        rcgc_get_freeze_count(F.heap), frozen);
}

static void op_introspect(input *in) {
  int b = byte(in);
  if (b < 0)
    return;
  rcgc_list l;
  if ((b & 3) == 0) {
    int g = (b >> 2) % 4 - 1;
    trace("get_objects(%d)\n", g);
    CHECK(rcgc_get_objects(F.heap, g, &l) == RCGC_OK, "get_objects failed");
    size_t want = 0;
    for (int i = 0; i < F.n; i++)
      if (F.o[i].alive && F.o[i].gen >= 0 && F.o[i].gen <= 2 && (g < 0 || F.o[i].gen == g))
        want++;
    CHECK(l.count == want, "get_objects(%d) returned %zu, model %zu", g, l.count, want);
    rcgc_list_release(F.heap, &l);
  } else if ((b & 3) == 1) {
    int x = pick(in, -1);
    if (x < 0)
      return;
    trace("get_referrers(%d)\n", x);
    void *objs[1] = {F.o[x].ptr};
    CHECK(rcgc_get_referrers(F.heap, objs, 1, &l) == RCGC_OK, "get_referrers failed");
    size_t want = 0;
    for (int i = 0; i < F.n; i++) {
      mobj *m = &F.o[i];
      if (!m->alive || m->kind != K_NODE || m->gen < 0 || m->gen > 2)
        continue;
      for (int s = 0; s < m->nslots; s++)
        if (m->slot[s] == x) {
          want++;
          break;
        }
    }
    CHECK(l.count == want, "get_referrers(%d) returned %zu, model %zu", x, l.count, want);
    rcgc_list_release(F.heap, &l);
  } else if ((b & 3) == 2) {
    int x = pick(in, -1);
    if (x < 0)
      return;
    trace("get_referents(%d)\n", x);
    void *objs[1] = {F.o[x].ptr};
    CHECK(rcgc_get_referents(F.heap, objs, 1, &l) == RCGC_OK, "get_referents failed");
    size_t want = 0;
    mobj *m = &F.o[x];
    if (m->kind == K_NODE)
      for (int s = 0; s < m->nslots; s++)
        want += m->slot[s] >= 0;
    CHECK(l.count == want, "get_referents(%d) returned %zu, model %zu", x, l.count, want);
    rcgc_list_release(F.heap, &l);
  } else {
    trace("check_heap\n");
    check_heap("check_heap");
  }
  check_all("introspection");
}

static void op_debug(void) {
  F.debug ^= RCGC_DEBUG_SAVEALL;
  trace("debug %s\n", (F.debug & RCGC_DEBUG_SAVEALL) ? "SAVEALL" : "0");
  rcgc_set_debug(F.heap, F.debug);
}

static void model_garbage_clear(void) {
  for (int i = 0; i < F.n; i++)
    F.o[i].garb = 0;
  for (int i = 0; i < F.n; i++)
    maybe_dying(i);
  drain();
}

static void op_garbage(input *in) {
  int b = byte(in);
  if (b < 0)
    return;
  if ((b & 3) == 0) {
    trace("garbage_clear\n");
    long want = 0;
    for (int i = 0; i < F.n; i++)
      want += F.o[i].garb;
    size_t got = rcgc_garbage_clear(F.heap);
    model_garbage_clear();
    CHECK((long)got == want, "garbage_clear returned %zu, model %ld", got, want);
  } else {
    unsigned flags = (b & 3) == 1 ? RCGC_RELEASE_LEGACY : 0;
    trace("garbage_release(%u)\n", flags);
    long before = model_alive();
    if (flags)
      for (int i = 0; i < F.n; i++)
        if (F.o[i].garb > 0)
          F.o[i].release = 1;
    long got = rcgc_garbage_release(F.heap, flags);
    model_garbage_clear();
    mresult want = model_collect(2, 1);
    CHECK(got == before - model_alive(), "garbage_release returned %ld, model %ld", got,
          before - model_alive());
    check_collect("garbage_release", want.ret, want);
  }
  check_all("garbage");
  check_heap("garbage");
}

/* Run one program. */
static void run(const uint8_t *data, size_t size) {
  memset(&F, 0, sizeof F);
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.alloc = fz_alloc;
  cfg.write = fz_sink;
  input in0 = {data, size};
  int first = byte(&in0);
  cfg.flags = first >= 0 && (first & 1) ? RCGC_CONFIG_NO_POOL : 0;
  /* the model's collections examine exactly generations 0..G */
  cfg.policy = RCGC_POLICY_CPYTHON;
  F.heap = rcgc_heap_new(&cfg);
  CHECK(F.heap != NULL, "rcgc_heap_new failed");
  rcgc_disable(F.heap); /* the model has no automatic collections */
  rcgc_callback_add(F.heap, gc_callback, NULL);
  input *in = &in0;
  while (in->n > 0 && F.ops_run < MAX_OPS) {
    int op = byte(in);
    F.ops_run++;
    switch (op % 18) {
    case 0: case 1: case 2: op_alloc(in); break;
    case 3: case 4: op_link(in, 0); break;
    case 5: op_link(in, 1); break;
    case 6: op_incref(in); break;
    case 7: case 8: op_decref(in); break;
    case 9: op_weakref(in); break;
    case 10: op_weakref_get(in); break;
    case 11: case 12: op_collect(in); break;
    case 13: op_track(in, (op / 18) & 1); break;
    case 14: op_freeze((op / 18) & 1); break;
    case 15: op_introspect(in); break;
    case 16: op_debug(); break;
    case 17: op_garbage(in); break;
    }
    check_all("operation");
  }
  /* wind down: drop every hold of the harness, collect everything */
  trace("-- drop all\n");
  for (int i = 0; i < F.n; i++)
    while (F.o[i].alive && F.o[i].ext > 0) {
      rcgc_decref(F.heap, F.o[i].ptr);
      model_decref_ext(i);
    }
  check_all("drop all");
  long got = rcgc_collect(F.heap, 2);
  mresult want = model_collect(2, 0);
  check_collect("final collect", got, want);
  /* heap destroy: garbage list released, a full collection without
  ** SAVEALL; what is left (legacy cycles) is reported and freed */
  model_garbage_clear();
  model_collect(2, 1);
  long left = model_alive();
  total_ops += F.ops_run;
  size_t alive = rcgc_heap_destroy(F.heap);
  F.heap = NULL;
  CHECK((long)alive == left, "heap_destroy reported %zu alive, model %ld", alive, left);
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    CHECK(m->destroy == (m->kind != K_WREF), "object %d destroyed %ld times in all", i, m->destroy);
    CHECK(m->fin == (long)m->has_fin, "object %d finalized %ld times in all", i, m->fin);
    CHECK(m->cb <= 1, "weakref %d callback ran %ld times", i, m->cb);
  }
  CHECK(F.live_blocks == 0, "%ld allocator blocks not returned", F.live_blocks);
}

static long total_inputs;

#if !defined(FUZZ_REPLAY_MAIN) && !defined(FUZZ_REPLAY_CRITERION)
/* libFuzzer exits through exit(): report the operations run. */
static void report_ops(void) {
  fprintf(stderr, "fuzz_oracle: %ld inputs, %ld operations checked against the model\n",
          total_inputs, total_ops);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
#if !defined(FUZZ_REPLAY_MAIN) && !defined(FUZZ_REPLAY_CRITERION)
  if (total_inputs == 0)
    atexit(report_ops);
#endif
  total_inputs++;
  run(data, size);
  return 0;
}

/* ------------------------------------------------------------ replayers */
#if defined(FUZZ_REPLAY_MAIN) || defined(FUZZ_REPLAY_CRITERION)
#include <dirent.h>

static int replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return 0;
  static uint8_t buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  LLVMFuzzerTestOneInput(buf, n);
  return 1;
}

/* Replay every file of 'dir' (sorted by readdir order). Returns the count. */
static int replay_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (d == NULL)
    return -1;
  int n = 0;
  struct dirent *e;
  char path[4096];
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    n += replay_file(path);
  }
  closedir(d);
  return n;
}
#endif

#ifdef FUZZ_REPLAY_MAIN
int main(int argc, char **argv) {
  int n = 0;
  for (int i = 1; i < argc; i++) {
    int r = replay_dir(argv[i]);
    n += r >= 0 ? r : replay_file(argv[i]);
  }
  printf("fuzz_oracle: replayed %d inputs, %ld operations, no finding\n", n, total_ops);
  return 0;
}
#endif

#ifdef FUZZ_REPLAY_CRITERION
#include <criterion/criterion.h>

Test(fuzz, replay_corpus) {
  int n = replay_dir(FUZZ_CORPUS_DIR);
  cr_assert_gt(n, 0, "no corpus in %s", FUZZ_CORPUS_DIR);
  cr_log_info("replayed %d inputs, %ld operations", n, total_ops);
}
#endif
