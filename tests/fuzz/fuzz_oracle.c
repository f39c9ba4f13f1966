/*
** fuzz_oracle.c -- the oracle fuzzer: the input bytes are a program of heap
** operations (allocate tracked nodes with N reference slots, untracked leaves,
** objects with modern or legacy finalizers, link, unlink, incref, decref, weak
** references with and without callback, resurrection from a finalizer,
** track/untrack, freeze/unfreeze, collect(generation), introspection,
** DEBUG_SAVEALL, garbage clear/release, the leak tools: roots, why-alive
** paths, reference cycles in three scopes, dominators and top retainers,
** histograms, marks, growth and "since mark", expect-freed watches and
** checks, snapshots, explained collections, DOT pictures). Each program
** runs against rcgc and against a small reference model of the same graph,
** written from the documented semantics (rcgc.h, rcgc_leak.h, CPython's gc): reference
** counts, generations, reachability marked from the references the harness
** holds, finalizer and weak reference ordering, the garbage list.
**
** The first input byte configures the heap (see run()); one bit picks the
** policy: RCGC_POLICY_CPYTHON, or the default RCGC_POLICY_SUSPECTS, whose
** suspects the model tracks (every decrement that leaves a tracked,
** unfrozen object's count above 0 -- the program's, a dying object's
** references, the collector's, the garbage list's, a released rcgc_list's,
** the hold of a weak reference being made or calling back -- makes one) and
** whose explicit collections below generation 2 also examine the suspects
** and what they reach. Automatic collection is disabled: only explicit
** collections run. Opcode byte 250 switches the policy. Bit 7 of the first
** byte (set by no input of the corpus before it meant this) turns opcode
** bytes 142 and 196 from DEBUG_SAVEALL toggles into the incremental
** operations: slices of an incremental collection (suspect collection,
** young backstop or full one), with the program's other operations -- and
** raw swaps of two references without counts -- running between them; see
** "incremental collections" below for what is checked then. With bits 7, 5
** and 4 set and bit 3 clear, the heap also has RCGC_CONFIG_STRICT_STORES:
** the swap becomes a move with counts, and a program that allocates no type
** with a finalizer and makes no weak reference (each needs a bit of its
** argument byte in that mode) frees its garbage in slices (RELEASE), which
** the model follows slice by slice; see "strict stores" below.
**
** After every operation: every object's refcount equals the model's, every
** live object is intact (magic, id, slots), every destroy / finalizer / legacy
** finalizer / weak reference callback ran exactly as often as the model says,
** weak references are dead exactly when the model cleared them, and the live
** object count agrees. After every collection also: the returned count, the
** callback's collected / uncollectable / candidates, the garbage list size,
** and rcgc_check_heap() == 0. After every leak tool call also: its answer
** equals the one computed from the model graph (see "leak tools" below),
** and rcgc_check_heap() == 0, as after every introspection, garbage list
** and policy operation and after the program's last one (the lists and
** flags: generations, suspects). At the end the heap is destroyed: its
** return value, every destroy ran exactly once, and the allocator has
** every block back.
**
** Built three ways: with libFuzzer (scripts/run-fuzz.sh), as a Criterion
** test that replays tests/fuzz/corpus (FUZZ_REPLAY_CRITERION), and as a
** plain replayer of files given on the command line (FUZZ_REPLAY_MAIN).
** A failed check prints the operation trace and aborts.
*/
#if !defined(_POSIX_C_SOURCE)
#define _POSIX_C_SOURCE 200809L /* fmemopen */
#endif
#include <rcgc.h>
#include <rcgc_leak.h>
/* the incremental operations: rcgc__inc_start (a full or young backstop on
** demand) and the heap's lists (which list each object is on) */
#include "internal.h"
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
  int suspect;                 /* on the suspects list (then gen == 0) */
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
  int expand;      /* a closure collection: pulls its children in */
  /* incremental collections (config bit 7) */
  int obs;          /* the list it was last seen on (see observe()), -1: none */
  int cand;         /* may be on the running collection's lists */
  int e0;           /* a candidate that was garbage when it started */
  int touched;      /* its count, slots or tracking changed since then */
  int s_slot[MAX_SLOTS]; /* its slots when it started */
  /* strict stores (see "strict stores" below) */
  int doom;         /* RELEASE has it still to free (seen last observation) */
  int relm;         /* freed by the running collection's RELEASE, a member */
  int cfree;        /* freed by the running collection (a member, or by
                    ** refcount when a member released its references) */
  long fdrc;        /* its refcount when its destroy ran (-1: not yet) */
  /* leak tools */
  int tix;          /* type: node_types[0..3], leaf_types[4..6], 7 weakref */
  uint64_t serial;  /* rcgc_serial() at allocation (0 without serials) */
  int watched;      /* rcgc_expect_freed watch (ends when it is freed) */
  long watch_seq;   /* order of the first watch */
  char label[24];   /* the watch's label; "" for NULL */
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
  /* leak tools */
  int in_collect, destroying; /* a collection / heap destroy is running */
  int policy;              /* the heap's policy (RCGC_POLICY_*) */
  int serials;             /* the heap records allocation serials */
  long obj_over;           /* block bytes of a node or leaf beyond its data (-1: not seen yet) */
  size_t wr_bytes;         /* block bytes of a weak reference (0: not seen yet) */
  rcgc_leak_mark *mark;    /* the current mark, or NULL */
  int mark_n;              /* objects allocated before it (model ids below) */
  size_t mark_cnt[8], mark_extra[8]; /* per type: live count, data bytes */
  long watch_seq;
  /* incremental collections */
  int incmode;             /* config bit 7: bytes 142 and 196 are op_slice, op_swap */
  int inc_run;             /* the model: one runs */
  int inc_kind;            /* 0 suspects, 1 young backstop, 2 full */
  int inc_fresh;           /* started since the last observation */
  int stw;                 /* a stop-the-world collection is between START and STOP */
  int fin_cap;             /* its last step's candidates were captured in fin_S */
  int fin_stop;            /* its STOP came (fin_obs, inc_stop), not yet modelled */
  unsigned char fin_S[MAX_OBJS];
  signed char fin_obs[MAX_OBJS];
  rcgc_collect_info inc_stop;
  long inc_done;           /* incremental collections modelled */
  /* strict stores */
  int strict;              /* RCGC_CONFIG_STRICT_STORES (first byte, see run()) */
  int fin_type;            /* a type with a finalizer or legacy finalizer was used */
  int rel_seen;            /* the running collection's RELEASE was observed */
  long rel_members;        /* members its RELEASE freed so far */
  int inc_div, inc_nondiv; /* the model's rcgc__inc_divisible at some / not at
                           ** every observation of the running collection */
  long fin_destroy[MAX_OBJS]; /* destroy counts at the STOP of its last step */
} fz_state;

static fz_state F;
static long total_ops; /* across inputs, for the summary line */
static long total_leak_ops; /* of them, leak tool operations */
static long total_inc_done; /* incremental collections modelled */
static long total_inc_between; /* operations run between two slices of one */
static long total_inc_garbage; /* objects garbage at a start, found by the last step */
static long total_strict_done; /* of the incremental collections, in strict heaps */
static long total_release_done; /* of them, freeing in slices (RELEASE freed a member) */
static long total_release_freed; /* members freed so */

/* ORACLE: the oracle's own counting, searching and checking code is left
** out of the coverage clang's fuzzer build collects (the model steps of the
** operations stay in): its branches say nothing about the library, and
** feeding them to libFuzzer costs every run time. */
#if defined(__clang__)
#define ORACLE __attribute__((no_sanitize("coverage")))
#else
#define ORACLE
#endif

#if defined(__GNUC__) || defined(__clang__)
#define PRINTF_LIKE __attribute__((format(printf, 1, 2)))
#else
#define PRINTF_LIKE
#endif

PRINTF_LIKE static void trace(const char *fmt, ...) {
  if (F.tlen >= sizeof F.trace - 128)
    return;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(F.trace + F.tlen, sizeof F.trace - F.tlen, fmt, ap);
  va_end(ap);
  if (n > 0)
    F.tlen += (size_t)n;
}

PRINTF_LIKE static void fail(const char *fmt, ...) {
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

ORACLE static void capture_last_step(void *p);
static int node_traverse(void *p, rcgc_visit_fn visit, void *arg) {
  fz_obj *o = p;
  /* the last step of an incremental collection: a collection without
  ** START callback (so not stop-the-world) after the collection's state
  ** was dropped; its first traverse sees its candidates on one list */
  if (F.inc_run && !F.fin_cap && !F.stw && F.heap != NULL && F.heap->collecting &&
      F.heap->inc == NULL)
    capture_last_step(p);
  for (int i = 0; i < o->nslots; i++)
    RCGC_VISIT(o->slot[i], "slot");
  return 0;
}
/* The leak tools run from finalizers, weak reference callbacks and destroy
** functions called by a refcount drop, and refuse (RCGC_EBUSY) inside a
** collection (between its callbacks' start and stop). A heap destroy first
** drops the garbage list (refcount drops) and then collects without
** callbacks: either answer then. */
static void probe_leak_tools(rcgc_heap *h, const char *where) {
  rcgc_leak_root *r = (rcgc_leak_root *)&F; /* must be reset to NULL on error */
  size_t n = 1;
  int got = rcgc_leak_roots(h, &r, &n);
  int want = F.in_collect ? RCGC_EBUSY : RCGC_OK;
  CHECK((got == want || (F.destroying && got == RCGC_EBUSY)) &&
            (got == RCGC_OK || (r == NULL && n == 0)),
        "rcgc_leak_roots from %s returned %d, expected %d", where, got, want);
  if (got == RCGC_OK)
    rcgc_leak_free(h, r);
}

/* A resurrecting finalizer stores a new reference to its object in the
** harness (the model adds the same hold when it runs the finalizer). */
static void obj_finalize(rcgc_heap *h, void *p) {
  mobj *m = of(p);
  m->fin++;
  probe_leak_tools(h, "a finalizer");
  if (m->resurrect)
    rcgc_incref(h, p);
}
static void obj_legacy(rcgc_heap *h, void *p) {
  of(p)->leg++;
  probe_leak_tools(h, "a legacy finalizer");
}
ORACLE static void check_release_free(long x);
static void obj_destroy(rcgc_heap *h, void *p) {
  fz_obj *o = p;
  mobj *m = of(p);
  m->destroy++;
  /* a collector frees garbage without releasing the references between
  ** its members, so every member it frees still has a count; an object
  ** freed by refcount has 0. In a strict heap RELEASE frees members inside
  ** a slice, with no START callback before: a collection runs from the
  ** first one (the leak tools refuse in what it frees by refcount next) */
  m->fdrc = (long)rcgc_refcount(p);
  if (F.strict && m->fdrc > 0 && !F.destroying) {
    F.in_collect = 1;
    if (F.inc_run && F.heap->inc != NULL) /* RELEASE: checked now, before
                                          ** anything reads the freed block */
      check_release_free(m - F.o);
  }
  if (m->kind == K_LEAF) /* a sample: a scan per destroy would cost O(n^2) */
    probe_leak_tools(h, "a destroy function");
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
  probe_leak_tools(h, "a weakref callback");
}
static void observe(signed char *out);
static void gc_callback(rcgc_heap *h, rcgc_phase phase, const rcgc_collect_info *info, void *ud) {
  (void)ud;
  F.in_collect = 1; /* from the start callback to the stop callback */
  probe_leak_tools(h, "a collection callback");
  F.in_collect = phase == RCGC_PHASE_START;
  if (phase == RCGC_PHASE_START && h->inc == NULL)
    F.stw = 1; /* an incremental collection's START comes with heap->inc made */
  if (phase == RCGC_PHASE_STOP) {
    F.last_stop = *info;
    F.stops++;
    if (F.stw) {
      F.stw = 0;
    } else { /* an incremental collection's last step ended */
      CHECK(F.inc_run && !F.fin_stop, "an incremental collection's STOP the model did not expect");
      F.inc_stop = *info;
      F.fin_stop = 1;
      observe(F.fin_obs); /* the lists as it left them */
      for (int i = 0; i < F.n; i++) /* what it freed (the call may go on) */
        F.fin_destroy[i] = F.o[i].destroy;
    }
  }
}

#define T(name_, tr, fin, leg)                                                \
  {                                                                           \
    .name = name_, .size = offsetof(fz_obj, slot), .traverse = tr, .finalize = fin, \
    .legacy_finalize = leg, .destroy = obj_destroy, .repr = obj_repr          \
  }
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
ORACLE static long model_rc(int x) {
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
ORACLE static void model_rcs(long *rc, int only_set) {
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

/* The suspects policy: a decrement that left x's count above 0 makes x a
** suspect (the suspects list counts as generation 0) when x is tracked,
** not frozen, and on none of a running collection's lists (set == 0:
** neither a candidate nor uncollectable; rcgc__suspect). */
static void touch(int x) {
  if (F.inc_run && x >= 0)
    F.o[x].touched = 1;
}

static void make_suspect(int x) {
  mobj *m = &F.o[x];
  touch(x); /* a decrement: the running incremental collection keeps it */
  if (F.policy == RCGC_POLICY_SUSPECTS && m->alive && !m->dying && m->gen >= 0 && m->gen <= 2 &&
      m->set == 0 && !F.destroying) {
    m->suspect = 1;
    m->gen = 0;
  }
}

/* x's count was decremented: queue it if the count reached 0, else it may
** become a suspect. Every caller is a decrement. */
static void maybe_dying(int x) {
  if (x < 0)
    return;
  mobj *m = &F.o[x];
  if (!m->alive || m->dying || m->doom)
    return;
  if (model_rc(x) == 0) {
    m->dying = 1;
    wl[wln++] = x;
  } else {
    make_suspect(x);
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
        /* held while its callback runs: the release is a decrement (a
        ** weak reference is dying then only if it dies in this cascade) */
        make_suspect(i);
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
        if (m->gen != GEN_UNTRACKED)
          m->gen = 0; /* tracked in generation 0 for its finalizer, a frozen
                      ** one too (unfrozen), as CPython does */
        m->suspect = 0;
        continue;
      }
    }
    m->suspect = 0;
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
ORACLE static void mark_closure(void) {
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
ORACLE static void mark_from_outside(void) {
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

/* The closure of a suspect collection: every tracked, unfrozen object an
** 'expand' member references joins the set and expands in turn (what the
** library pulls in while it subtracts). */
static void model_closure(void) {
  int changed = 1;
  while (changed) {
    changed = 0;
    for (int i = 0; i < F.n; i++) {
      mobj *m = &F.o[i];
      if (!m->expand || m->kind != K_NODE)
        continue;
      for (int s = 0; s < m->nslots; s++) {
        mobj *c = m->slot[s] >= 0 ? &F.o[m->slot[s]] : NULL;
        if (c != NULL && !c->set && c->gen >= 0 && c->gen <= 2) {
          c->set = c->expand = 1;
          changed = 1;
        }
      }
    }
  }
}

/* The collector (collect.c steps 0-11) in terms of the model. With
** 'given', a list collection of exactly those objects (the last step of an
** incremental collection: survivors to generation 2); 'unreach' (may be
** NULL) receives what its trial deletion found unreachable. */
static mresult model_collect_set(int gen, int no_saveall, const unsigned char *given,
                                 unsigned char *unreach) {
  mresult r = {0, 0, 0, 0};
  int old = gen < 2 && given == NULL ? gen + 1 : 2;
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    m->set = m->alive && m->gen >= 0 && m->gen <= gen; /* the suspects are in generation 0 */
    if (given != NULL)
      m->set = m->alive && given[i];
    m->mark = 0;
    m->expand = 0;
  }
  /* the suspects policy below G = 2 (MODE_CLOSURE): the suspects, and the
  ** objects they pull in, pull in their tracked, unfrozen children that are
  ** not candidates yet (children of the other candidates are not pulled);
  ** then every reference between candidates counts as inside */
  if (F.policy == RCGC_POLICY_SUSPECTS && gen < 2 && given == NULL) {
    for (int i = 0; i < F.n; i++)
      F.o[i].expand = F.o[i].alive && F.o[i].suspect;
    model_closure();
  }
  for (int i = 0; i < F.n; i++) {
    r.candidates += F.o[i].set;
    if (F.o[i].set)
      F.o[i].suspect = 0; /* examined */
  }
  mark_from_outside();
  /* survivors go to the old generation; set: 1 = unreachable (U) */
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (m->set && m->mark) {
      m->set = 0;
      m->gen = old;
    }
    if (unreach != NULL)
      unreach[i] = m->set != 0;
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
      w->suspect = 0;
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

static mresult model_collect(int gen, int no_saveall) {
  return model_collect_set(gen, no_saveall, NULL, NULL);
}

/* ------------------------------------------------------------ checks */
ORACLE static long model_alive(void) {
  long n = 0;
  for (int i = 0; i < F.n; i++)
    n += F.o[i].alive;
  return n;
}

ORACLE static void check_all(const char *where) {
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
    if (m->doom) /* RELEASE releases no reference from a member to a member:
                 ** those of the members it freed still count */
      for (int j = 0; j < F.n; j++)
        for (int s = 0; F.o[j].relm && F.o[j].kind == K_NODE && s < F.o[j].nslots; s++)
          rc += F.o[j].slot[s] == i;
    CHECK((long)rcgc_refcount(m->ptr) == rc, "%s: object %d refcount %zu, model %ld%s", where, i,
          rcgc_refcount(m->ptr), rc, m->doom ? " (garbage RELEASE has still to free)" : "");
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
static long model_settle(void); /* incremental collections, below */
static int model_divisible(void);

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
  for (int i = 0; i < F.n; i++) /* (not the garbage RELEASE has still to free:
                                 ** a program has no way to it) */
    if (F.o[i].alive && !F.o[i].doom && (want_kind < 0 || F.o[i].kind == want_kind))
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
  m->obs = -1;
  m->fdrc = -1;
  for (int s = 0; s < MAX_SLOTS; s++)
    m->slot[s] = m->s_slot[s] = -1;
  return id;
}

/* Allocation serials: 1, 2, 3... in allocation order when the heap records
** them (RCGC_CONFIG_SERIALS or a debug build), else 0. */
static void note_serial(int id) {
  mobj *m = &F.o[id];
  m->serial = rcgc_serial(F.heap, m->ptr);
  CHECK((m->serial != 0) == F.serials && (id == 0 || m->serial > F.o[id - 1].serial || !F.serials),
        "object %d: serial %llu, the heap %s serials (or out of allocation order)", id,
        (unsigned long long)m->serial, F.serials ? "records" : "records no");
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
  if (F.strict && !(b & 0x80))
    ftype = 0; /* strict stores: a finalizer only with bit 7 (see run()) */
  const rcgc_type *t = leaf ? &leaf_types[ftype] : &node_types[ftype];
  F.fin_type |= t->finalize != NULL || t->legacy_finalize != NULL;
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
  m->tix = leaf ? 4 + ftype : ftype;
  note_serial(id);
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
  touch(a);
  touch(b);
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
  touch(x);
}

static void op_decref(input *in) {
  int b = byte(in);
  if (b < 0)
    return;
  int ids[MAX_OBJS], k = 0;
  /* strict stores: the harness keeps a reference to each weak reference
  ** object to the end (a weak reference the garbage freed in slices would
  ** leave no trace the model can read: its destroy is the library's) */
  for (int i = 0; i < F.n; i++)
    if (F.o[i].alive && F.o[i].ext > (F.strict && F.o[i].kind == K_WREF))
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
  if (F.strict && !(b & 2))
    return; /* strict stores: a weak reference only with bit 1 (see run()) */
  int id = F.n;
  int cb = b & 1;
  rcgc_weakref *w = rcgc_weakref_new(F.heap, F.o[x].ptr, cb ? wr_callback : NULL,
                                     (void *)(intptr_t)id);
  CHECK(w != NULL, "rcgc_weakref_new failed");
  new_obj(K_WREF, w);
  make_suspect(x); /* the referent was held while the weak reference was made */
  F.o[id].gen = 0;
  F.o[id].referent = x;
  F.o[id].has_cb = cb;
  F.o[id].tix = 7;
  note_serial(id);
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
  touch(r);
}

static void op_collect(input *in) {
  int g = byte(in);
  if (g < 0)
    return;
  g %= 3;
  trace("collect(%d)\n", g);
  long got = rcgc_collect(F.heap, g);
  got -= model_settle(); /* the count includes a running incremental one's */
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
  touch(x);
  if (track && m->gen == GEN_UNTRACKED)
    m->gen = 0;
  if (!track) {
    m->gen = GEN_UNTRACKED;
    m->suspect = 0;
  }
}

static void op_freeze(int freeze) {
  trace("%s\n", freeze ? "freeze" : "unfreeze");
  CHECK((freeze ? rcgc_freeze(F.heap) : rcgc_unfreeze(F.heap)) == RCGC_OK, "freeze failed");
  model_settle();
  long frozen = 0;
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (!m->alive)
      continue;
    if (freeze && m->gen >= 0 && m->gen <= 2) {
      m->gen = GEN_PERMANENT;
      m->suspect = 0;
    }
    else if (!freeze && m->gen == GEN_PERMANENT)
      m->gen = 2;
    frozen += m->gen == GEN_PERMANENT;
  }
  CHECK(rcgc_get_freeze_count(F.heap) == (size_t)frozen, "freeze count %zu, model %ld",
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
    model_settle();
    size_t want = 0;
    for (int i = 0; i < F.n; i++)
      if (F.o[i].alive && F.o[i].gen >= 0 && F.o[i].gen <= 2 && (g < 0 || F.o[i].gen == g))
        want++;
    CHECK(l.count == want, "get_objects(%d) returned %zu, model %zu", g, l.count, want);
    rcgc_list_decref_and_free(F.heap, &l);
    /* the list's references are released: decrements that make suspects */
    for (int i = 0; i < F.n; i++)
      if (F.o[i].alive && F.o[i].gen >= 0 && F.o[i].gen <= 2 && (g < 0 || F.o[i].gen == g))
        make_suspect(i);
  } else if ((b & 3) == 1) {
    int x = pick(in, -1);
    if (x < 0)
      return;
    trace("get_referrers(%d)\n", x);
    void *objs[1] = {F.o[x].ptr};
    CHECK(rcgc_get_referrers(F.heap, objs, 1, &l) == RCGC_OK, "get_referrers failed");
    size_t want = 0;
    for (int i = 0; i < F.n; i++) { /* (RELEASE's garbage is on no list) */
      mobj *m = &F.o[i];
      if (!m->alive || m->doom || m->kind != K_NODE || m->gen < 0 || m->gen > 2)
        continue;
      for (int s = 0; s < m->nslots; s++)
        if (m->slot[s] == x) {
          want++;
          break;
        }
    }
    CHECK(l.count == want, "get_referrers(%d) returned %zu, model %zu", x, l.count, want);
    rcgc_list_decref_and_free(F.heap, &l);
    for (int i = 0; i < F.n; i++) {
      mobj *m = &F.o[i];
      if (!m->alive || m->doom || m->kind != K_NODE || m->gen < 0 || m->gen > 2)
        continue;
      for (int s = 0; s < m->nslots; s++)
        if (m->slot[s] == x) {
          make_suspect(i);
          break;
        }
    }
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
    rcgc_list_decref_and_free(F.heap, &l);
    if (m->kind == K_NODE)
      for (int s = 0; s < m->nslots; s++)
        if (m->slot[s] >= 0)
          make_suspect(m->slot[s]);
  } else {
    trace("check_heap\n");
    check_heap("check_heap");
  }
  check_all("introspection");
  check_heap("introspection");
}

/* rcgc_set_policy: to the CPython policy the suspects join generation 0. */
static void op_policy(void) {
  int to = F.policy == RCGC_POLICY_SUSPECTS ? RCGC_POLICY_CPYTHON : RCGC_POLICY_SUSPECTS;
  trace("set_policy(%s)\n", to == RCGC_POLICY_SUSPECTS ? "SUSPECTS" : "CPYTHON");
  CHECK(rcgc_set_policy(F.heap, to) == RCGC_OK && rcgc_get_policy(F.heap) == to,
        "rcgc_set_policy(%d) failed", to);
  model_settle();
  F.policy = to;
  for (int i = 0; i < F.n; i++)
    F.o[i].suspect = 0;
  check_heap("set_policy");
}

static void op_debug(void) {
  F.debug ^= RCGC_DEBUG_SAVEALL;
  trace("debug %s\n", (F.debug & RCGC_DEBUG_SAVEALL) ? "SAVEALL" : "0");
  rcgc_set_debug(F.heap, F.debug);
}

static void model_garbage_clear(void) {
  int had[MAX_OBJS];
  for (int i = 0; i < F.n; i++) {
    had[i] = F.o[i].garb > 0;
    F.o[i].garb = 0;
  }
  /* maybe_dying(i) for every object the list named, with the counts taken
  ** once (queueing changes none of them); a survivor's last decrement by
  ** the list left its count above 0 */
  long rc[MAX_OBJS];
  model_rcs(rc, 0);
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (!had[i] || !m->alive || m->dying)
      continue;
    if (rc[i] == 0) {
      m->dying = 1;
      wl[wln++] = i;
    } else {
      make_suspect(i);
    }
  }
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
    long got = rcgc_garbage_clear(F.heap);
    model_garbage_clear();
    CHECK(got == want, "garbage_clear returned %ld, model %ld", got, want);
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
    model_settle(); /* after the list's release, before its collection */
    mresult want = model_collect(2, 1);
    CHECK(got == before - model_alive(), "garbage_release returned %ld, model %ld", got,
          before - model_alive());
    check_collect("garbage_release", want.ret, want);
  }
  check_all("garbage");
  check_heap("garbage");
}

/* ------------------------------------------------------------ leak tools */
/* The leak-hunting calls (rcgc_leak.h), each answer compared with one
** computed from the model graph alone: roots are the objects whose
** refcount exceeds the references from model objects (the harness's holds
** and the garbage list); why-paths come from a breadth-first search of the
** model from the roots; cycles from strongly connected components of the
** model (mutual reachability); dominators from the definition (d dominates
** v when v is unreachable from the roots once d is removed); histograms,
** growth and "allocated since a mark" from the model's live objects and
** their sizes; expect-freed watches from the model's deaths; snapshots are
** parsed back and compared node by node. The calls that only look must
** leave refcounts, counts, statistics and the allocator as they were. */

ORACLE static const rcgc_type *type_of_tix(int tix) {
  return tix < 4 ? &node_types[tix] : tix < 7 ? &leaf_types[tix - 4] : &rcgc_weakref_type;
}

/* The model id of a live object, -1 when none. */
ORACLE static int id_of(const void *p) {
  for (int i = 0; i < F.n; i++)
    if (F.o[i].alive && F.o[i].ptr == p)
      return i;
  return -1;
}

/* References from outside the heap, as the leak tools define them
** (refcount - references found inside): the harness's and the list's. */
ORACLE static long ext_of(int i) { return F.o[i].ext + F.o[i].garb; }

/* Position of an object's list in heap-list order: generations 0, 1, 2,
** a running incremental collection's four lists, suspects, permanent,
** untracked. */
ORACLE static int list_of(int i) {
  int g = F.o[i].gen;
  if (F.inc_run && F.o[i].obs >= 3 && F.o[i].obs <= 6)
    return F.o[i].obs; /* a running incremental collection's lists: after generation 2 */
  return g == GEN_UNTRACKED ? 9 : g == GEN_PERMANENT ? 8 : F.o[i].suspect ? 7 : g;
}

/* Targets of object i's strong references, in traverse order. */
ORACLE static int targets(int i, int *t) {
  int n = 0;
  const mobj *m = &F.o[i];
  if (m->alive && m->kind == K_NODE)
    for (int s = 0; s < m->nslots; s++)
      if (m->slot[s] >= 0)
        t[n++] = m->slot[s];
  return n;
}

/* Breadth-first search over strong references from src[0..nsrc-1], never
** entering 'avoid' (-1: none) nor, with a mask, objects outside it:
** dist[i] = references on a shortest path, -1 when unreached. */
ORACLE static void model_bfs(const int *src, int nsrc, int avoid, const unsigned char *mask,
                             int *dist) {
  int q[MAX_OBJS], qh = 0, qt = 0, t[MAX_SLOTS];
  for (int i = 0; i < F.n; i++)
    dist[i] = -1;
  for (int k = 0; k < nsrc; k++) {
    int x = src[k];
    if (x == avoid || dist[x] >= 0 || (mask && !mask[x]))
      continue;
    dist[x] = 0;
    q[qt++] = x;
  }
  while (qh < qt) {
    int u = q[qh++], nt = targets(u, t);
    for (int k = 0; k < nt; k++) {
      int y = t[k];
      if (y == avoid || dist[y] >= 0 || (mask && !mask[y]))
        continue;
      dist[y] = dist[u] + 1;
      q[qt++] = y;
    }
  }
}

ORACLE static int model_roots(int *src) {
  int n = 0;
  for (int i = 0; i < F.n; i++)
    if (F.o[i].alive && ext_of(i) > 0)
      src[n++] = i;
  return n;
}

/* Sizes: a block is a fixed overhead (header, serial prefix), a size word
** for objects allocated larger than their type, and the data rounded up to
** 8 bytes. The overhead is learnt from the first answer that shows it and
** must then be the same for every object of the heap. */
ORACLE static size_t fz_round8(size_t n) { return (n + 7) & ~(size_t)7; }
ORACLE static size_t obj_extra(int i) {
  const mobj *m = &F.o[i];
  size_t data = offsetof(fz_obj, slot) + (size_t)m->nslots * sizeof(void *);
  return fz_round8(data) + (data != type_of_tix(m->tix)->size ? sizeof(size_t) : 0);
}
ORACLE static size_t model_self(int i) {
  if (F.o[i].kind == K_WREF) {
    CHECK(F.wr_bytes > 0, "model: weakref size not learnt");
    return F.wr_bytes;
  }
  CHECK(F.obj_over > 0, "model: block overhead not learnt");
  return (size_t)F.obj_over + obj_extra(i);
}
/* 'count' objects of type tix whose extras sum to 'extra' take 'got' bytes. */
ORACLE static void learn_bytes(int tix, size_t count, size_t extra, size_t got, const char *where) {
  if (count == 0) {
    CHECK(got == 0, "%s: %zu bytes for no %s object", where, got, type_of_tix(tix)->name);
    return;
  }
  if (tix == 7) {
    if (F.wr_bytes == 0 && got % count == 0)
      F.wr_bytes = got / count;
    CHECK(got == count * F.wr_bytes, "%s: %zu weakrefs take %zu bytes, model %zu each", where,
          count, got, F.wr_bytes);
    return;
  }
  if (F.obj_over < 0 && got > extra && (got - extra) % count == 0)
    F.obj_over = (long)((got - extra) / count);
  CHECK(F.obj_over > 0 && got == count * (size_t)F.obj_over + extra,
        "%s: %zu %s objects take %zu bytes, model %zu data + %ld each", where, count,
        type_of_tix(tix)->name, got, extra, F.obj_over);
}
ORACLE static void learn_self(int i, size_t got, const char *where) {
  learn_bytes(F.o[i].tix, 1, F.o[i].kind == K_WREF ? 0 : obj_extra(i), got, where);
}

/* The target of the slot-th reference object u's traverse reports. */
ORACLE static int nth_target(int u, size_t slot) {
  int t[MAX_SLOTS], nt = targets(u, t);
  return slot < (size_t)nt ? t[slot] : -1;
}

/* A strong reference from u (model id) to v, reported as (name, slot). */
ORACLE static void check_edge(int u, int v, const char *name, size_t slot, const char *where) {
  CHECK(u >= 0 && v >= 0 && nth_target(u, slot) == v,
        "%s: no reference %d --[%zu]--> %d in the model", where, u, slot, v);
  CHECK(name != NULL && strcmp(name, "slot") == 0, "%s: reference %d --[%zu]--> %d named %s", where,
        u, slot, v, name ? name : "(null)");
}

/* Text output goes to one static buffer (one text at a time); the answers'
** line counts are checked. */
static char mem_buf[1 << 20];
typedef struct memout {
  FILE *f;
  char *buf;
  size_t len;
} memout;
ORACLE static FILE *mem_open(memout *m) {
  m->buf = mem_buf;
  m->len = 0;
  m->f = fmemopen(mem_buf, sizeof mem_buf, "w");
  CHECK(m->f != NULL, "fmemopen failed");
  return m->f;
}
ORACLE static void mem_close(memout *m) {
  long len = ftell(m->f);
  fclose(m->f);
  m->f = NULL;
  CHECK(len >= 0 && (size_t)len < sizeof mem_buf - 1, "text output too long for the buffer");
  m->len = (size_t)len;
  mem_buf[len] = 0;
}
ORACLE static void mem_free(memout *m) { m->buf = NULL; }
ORACLE static int lines_starting(const char *buf, const char *prefix) {
  int n = 0;
  size_t pl = strlen(prefix);
  for (const char *p = buf; p && *p;) {
    if (strncmp(p, prefix, pl) == 0)
      n++;
    p = strchr(p, '\n');
    if (p)
      p++;
  }
  return n;
}

/* A query must not change refcounts (check_all), generation counts,
** statistics, or leave memory allocated. */
typedef struct pure_t {
  long blocks, count[3];
  rcgc_gen_stats stats[RCGC_NUM_GENERATIONS];
  size_t garbage;
} pure_t;
ORACLE static void pure_begin(pure_t *p) {
  p->blocks = F.live_blocks;
  CHECK(rcgc_get_count(F.heap, p->count) == RCGC_OK, "rcgc_get_count failed");
  CHECK(rcgc_get_stats(F.heap, p->stats) == RCGC_OK, "rcgc_get_stats failed");
  p->garbage = rcgc_garbage_count(F.heap);
}
ORACLE static void pure_end(const pure_t *p, const char *where) {
  pure_t q;
  pure_begin(&q);
  CHECK(q.blocks == p->blocks, "%s: %ld allocator blocks left behind", where, q.blocks - p->blocks);
  CHECK(memcmp(q.count, p->count, sizeof q.count) == 0, "%s changed the generation counts", where);
  CHECK(memcmp(q.stats, p->stats, sizeof q.stats) == 0, "%s changed the statistics", where);
  CHECK(q.garbage == p->garbage, "%s changed the garbage list", where);
}

/* ---- roots */
ORACLE static void leak_roots(void) {
  trace("leak_roots\n");
  pure_t pu;
  pure_begin(&pu);
  rcgc_leak_root *r;
  size_t n;
  CHECK(rcgc_leak_roots(F.heap, &r, &n) == RCGC_OK, "rcgc_leak_roots failed");
  long rc[MAX_OBJS];
  model_rcs(rc, 0);
  int src[MAX_OBJS] = {0}, want = model_roots(src), seen[MAX_OBJS] = {0}, last = 0;
  CHECK(n == (size_t)want, "leak_roots: %zu roots, model %d", n, want);
  for (size_t k = 0; k < n; k++) {
    int x = id_of(r[k].obj);
    CHECK(x >= 0 && !seen[x] && ext_of(x) > 0, "leak_roots: root %zu (%p) is not a model root", k,
          r[k].obj);
    seen[x] = 1;
    CHECK((long)r[k].refcount == rc[x] && (long)r[k].external == ext_of(x) &&
              (long)r[k].internal == rc[x] - ext_of(x) && (long)r[k].garbage_list == F.o[x].garb,
          "leak_roots: %d refcount %zu internal %zu external %zu list %zu, model %ld %ld %ld %ld",
          x, r[k].refcount, r[k].internal, r[k].external, r[k].garbage_list, rc[x],
          rc[x] - ext_of(x), ext_of(x), F.o[x].garb);
    CHECK(list_of(x) >= last, "leak_roots: root %d out of heap-list order", x);
    last = list_of(x);
  }
  rcgc_leak_free(F.heap, r);
  memout m;
  long got = rcgc_leak_print_roots(F.heap, rcgc_write_file, mem_open(&m));
  mem_close(&m);
  char tail[96];
  snprintf(tail, sizeof tail, "%d root%s among %ld objects\n", want, want == 1 ? "" : "s",
           model_alive());
  CHECK(got == want && m.len >= strlen(tail) && strcmp(m.buf + m.len - strlen(tail), tail) == 0 &&
            lines_starting(m.buf, "<") == want,
        "leak_print_roots returned %ld, model %d; text:\n%s", got, want, m.buf);
  mem_free(&m);
  pure_end(&pu, "leak_roots");
}

/* ---- why is it alive */
ORACLE static void leak_why(input *in, size_t k) {
  int x = pick(in, -1);
  if (x < 0)
    return;
  trace("leak_why(%d, %zu)\n", x, k);
  pure_t pu;
  pure_begin(&pu);
  void *obj = F.o[x].ptr;
  rcgc_leak_path *ps;
  size_t np;
  int r = rcgc_leak_why(F.heap, obj, k, &ps, &np);
  long want;
  if (ext_of(x) > 0) {
    want = 1;
    CHECK(r == RCGC_OK && np == 1 && ps[0].nsteps == 1 && ps[0].steps[0].obj == obj &&
              (long)ps[0].root_external == ext_of(x),
          "leak_why(%d): a root must give one path of one step (%d, %zu paths)", x, r, np);
  } else {
    /* model: shortest paths from the roots that do not pass through x;
    ** candidates = references (u, slot) to x from a reached u */
    int src[MAX_OBJS] = {0}, ns = model_roots(src), dist[MAX_OBJS];
    model_bfs(src, ns, x, NULL, dist);
    int len[MAX_OBJS * MAX_SLOTS], nc = 0;
    for (int u = 0; u < F.n; u++) {
      int t[MAX_SLOTS], nt = targets(u, t);
      for (int s = 0; s < nt && dist[u] >= 0; s++)
        if (t[s] == x)
          len[nc++] = dist[u] + 1;
    }
    for (int a = 1; a < nc; a++) /* insertion sort: the lengths, shortest first */
      for (int b = a; b > 0 && len[b - 1] > len[b]; b--) {
        int tmp = len[b];
        len[b] = len[b - 1];
        len[b - 1] = tmp;
      }
    want = nc < (long)k ? nc : (long)k;
    if (want == 0) {
      CHECK(r == RCGC_ENOTFOUND && np == 0 && ps == NULL,
            "leak_why(%d): no root retains it in the model, got %d with %zu paths", x, r, np);
    } else {
      CHECK(r == RCGC_OK && (long)np == want, "leak_why(%d, %zu): %d, %zu paths, model %ld", x, k,
            r, np, want);
      int last_u[MAX_OBJS * MAX_SLOTS];
      size_t last_s[MAX_OBJS * MAX_SLOTS];
      for (size_t p = 0; p < np; p++) {
        const rcgc_leak_path *pa = &ps[p];
        CHECK(pa->nsteps == (size_t)len[p] + 1,
              "leak_why(%d): path %zu has %zu steps, model shortest %d", x, p, pa->nsteps,
              len[p] + 1);
        int r0 = id_of(pa->steps[0].obj);
        CHECK(r0 >= 0 && ext_of(r0) > 0 && (long)pa->root_external == ext_of(r0) &&
                  pa->steps[0].edge == NULL,
              "leak_why(%d): path %zu does not start at a root", x, p);
        for (size_t j = 1; j < pa->nsteps; j++) {
          int u = id_of(pa->steps[j - 1].obj), v = id_of(pa->steps[j].obj);
          check_edge(u, v, pa->steps[j].edge, pa->steps[j].slot, "leak_why");
          CHECK(dist[u] == (int)j - 1, "leak_why(%d): path %zu step %zu is no shortest path", x, p,
                j - 1);
        }
        CHECK(pa->steps[pa->nsteps - 1].obj == obj, "leak_why(%d): path %zu ends elsewhere", x, p);
        last_u[p] = id_of(pa->steps[pa->nsteps - 2].obj);
        last_s[p] = pa->steps[pa->nsteps - 1].slot;
        for (size_t q = 0; q < p; q++)
          CHECK(last_u[q] != last_u[p] || last_s[q] != last_s[p],
                "leak_why(%d): paths %zu and %zu end with the same reference", x, q, p);
      }
    }
  }
  rcgc_leak_free(F.heap, ps);
  memout m;
  long got = rcgc_leak_print_why(F.heap, obj, k, rcgc_write_file, mem_open(&m));
  mem_close(&m);
  CHECK(got == want && strncmp(m.buf, "why is <", 8) == 0 &&
            (want > 0 || lines_starting(m.buf, "  unreachable") == 1),
        "leak_print_why(%d) returned %ld, model %ld; text:\n%s", x, got, want, m.buf);
  mem_free(&m);
  pure_end(&pu, "leak_why");
}

/* ---- reference cycles */
/* The collector's view: tracked, non-frozen objects unreachable from the
** roots (the garbage list not counted) and from untracked or frozen ones. */
ORACLE static int model_garbage_mask(unsigned char *mask) {
  int src[MAX_OBJS] = {0}, ns = 0, dist[MAX_OBJS], k = 0;
  for (int i = 0; i < F.n; i++)
    if (F.o[i].alive && (F.o[i].gen < 0 || F.o[i].gen > 2 || F.o[i].ext > 0))
      src[ns++] = i;
  model_bfs(src, ns, -1, NULL, dist);
  for (int i = 0; i < F.n; i++) {
    mask[i] = F.o[i].alive && dist[i] < 0;
    k += mask[i];
  }
  return k;
}

static unsigned char reach[MAX_OBJS][MAX_OBJS];

ORACLE static void leak_cycles(input *in, rcgc_leak_scope scope) {
  void *start[2];
  int nstart = 0;
  if (scope == RCGC_LEAK_REACHABLE) {
    int b = byte(in);
    nstart = b < 0 ? 0 : 1 + (b & 1);
    for (int i = 0; i < nstart; i++) {
      int x = pick(in, -1);
      if (x < 0)
        return;
      start[i] = F.o[x].ptr;
      trace("%s%d", i ? ", " : "leak_cycles(reachable from ", x);
    }
    trace(")\n");
  } else {
    trace("leak_cycles(%s)\n", scope == RCGC_LEAK_GARBAGE ? "garbage" : "heap");
  }
  pure_t pu;
  pure_begin(&pu);
  /* the scope */
  unsigned char mask[MAX_OBJS] = {0};
  int nmask = 0, dist[MAX_OBJS];
  if (scope == RCGC_LEAK_GARBAGE) {
    nmask = model_garbage_mask(mask);
  } else {
    int src[2] = {0, 0};
    for (int i = 0; i < nstart; i++)
      src[i] = id_of(start[i]);
    model_bfs(src, nstart, -1, NULL, dist);
    for (int i = 0; i < F.n; i++) {
      mask[i] = F.o[i].alive && (scope == RCGC_LEAK_HEAP || dist[i] >= 0);
      nmask += mask[i];
    }
  }
  /* uncollectable (garbage scope): reached inside it from an object with
  ** a legacy finalizer not released */
  int udist[MAX_OBJS], lsrc[MAX_OBJS] = {0}, nl = 0, nunc = 0;
  for (int i = 0; i < F.n; i++)
    if (scope == RCGC_LEAK_GARBAGE && mask[i] && F.o[i].has_leg && !F.o[i].release)
      lsrc[nl++] = i;
  model_bfs(lsrc, nl, -1, mask, udist);
  for (int i = 0; i < F.n; i++)
    nunc += udist[i] >= 0;
  /* strongly connected components: mutual reachability inside the scope */
  for (int i = 0; i < F.n; i++) {
    if (!mask[i])
      continue;
    model_bfs(&i, 1, -1, mask, dist);
    for (int j = 0; j < F.n; j++)
      reach[i][j] = dist[j] >= 0;
  }
  int comp[MAX_OBJS], size[MAX_OBJS], cyclic[MAX_OBJS], source[MAX_OBJS], nedges[MAX_OBJS];
  int ncomp = 0, ncyclic = 0;
  for (int i = 0; i < F.n; i++)
    comp[i] = -1;
  for (int i = 0; i < F.n; i++) {
    if (!mask[i] || comp[i] >= 0)
      continue;
    int c = ncomp++;
    size[c] = 0;
    cyclic[c] = 0;
    source[c] = 1;
    nedges[c] = 0;
    for (int j = 0; j < F.n; j++)
      if (mask[j] && reach[i][j] && reach[j][i]) {
        comp[j] = c;
        size[c]++;
      }
  }
  for (int u = 0; u < F.n; u++) {
    int t[MAX_SLOTS], nt = mask[u] ? targets(u, t) : 0;
    for (int s = 0; s < nt; s++) {
      int v = t[s];
      if (!mask[v])
        continue;
      if (comp[u] == comp[v]) {
        nedges[comp[u]]++;
        cyclic[comp[u]] |= u == v;
      } else {
        source[comp[v]] = 0;
      }
    }
  }
  for (int c = 0; c < ncomp; c++) {
    cyclic[c] |= size[c] > 1;
    ncyclic += cyclic[c];
  }
  /* the answer */
  rcgc_leak_cycle_set *cs;
  int r = rcgc_leak_cycles(F.heap, scope, nstart ? start : NULL, (size_t)nstart, &cs);
  CHECK(r == RCGC_OK, "rcgc_leak_cycles failed: %d", r);
  CHECK(cs->nobjects == (size_t)nmask && cs->ncycles == (size_t)ncyclic &&
            cs->nuncollectable == (size_t)(scope == RCGC_LEAK_GARBAGE ? nunc : 0),
        "leak_cycles(%d): %zu objects, %zu cycles, %zu uncollectable; model %d, %d, %d", scope,
        cs->nobjects, cs->ncycles, cs->nuncollectable, nmask, ncyclic, nunc);
  int seen[MAX_OBJS] = {0}, last_first = 0, last_source = 1, last_size = MAX_OBJS + 1;
  static unsigned char eseen[MAX_OBJS][MAX_SLOTS];
  memset(eseen, 0, sizeof eseen);
  for (size_t ci = 0; ci < cs->ncycles; ci++) {
    const rcgc_leak_cycle *cy = &cs->cycles[ci];
    int first = cy->nmembers ? id_of(cy->members[0].obj) : -1;
    CHECK(first >= 0 && mask[first] && cyclic[comp[first]],
          "leak_cycles: cycle %zu is no model cycle", ci);
    int c = comp[first];
    CHECK(cy->nmembers == (size_t)size[c] && cy->nedges == (size_t)nedges[c] &&
              cy->source == source[c],
          "leak_cycles: cycle %zu of %d: %zu members, %zu references, source %d; model %d, %d, %d",
          ci, first, cy->nmembers, cy->nedges, cy->source, size[c], nedges[c], source[c]);
    /* graph.h's order of cycles: sources first, then larger, then by
    ** heap-list order of the first member */
    CHECK(source[c] < last_source ||
              (source[c] == last_source &&
               (size[c] < last_size || (size[c] == last_size && list_of(first) >= last_first))),
          "leak_cycles: cycle %zu (source %d, %d members) out of order", ci, source[c], size[c]);
    last_source = source[c];
    last_size = size[c];
    last_first = list_of(first);
    int last = 0;
    for (size_t j = 0; j < cy->nmembers; j++) {
      const rcgc_leak_member *me = &cy->members[j];
      int x = id_of(me->obj);
      CHECK(x >= 0 && comp[x] == c && !seen[x], "leak_cycles: cycle %zu member %zu (%d) wrong", ci,
            j, x);
      seen[x] = 1;
      CHECK(list_of(x) >= last, "leak_cycles: member %d out of heap-list order", x);
      last = list_of(x);
      const mobj *m = &F.o[x];
      unsigned want =
          (m->has_leg ? RCGC_LEAK_M_LEGACY : 0u) | (m->garb > 0 ? RCGC_LEAK_M_GARBAGE_LIST : 0u) |
          (m->finalized ? RCGC_LEAK_M_FINALIZED : 0u) | (m->ext > 0 ? RCGC_LEAK_M_ROOT : 0u) |
          (udist[x] >= 0 ? RCGC_LEAK_M_UNCOLLECTABLE : 0u);
      CHECK(me->flags == want, "leak_cycles: member %d flags %#x, model %#x", x, me->flags, want);
      if (udist[x] < 0) {
        CHECK(me->reason == NULL, "leak_cycles: member %d has a reason", x);
        continue;
      }
      /* the reason: a legacy-finalizer object of the scope that reaches x
      ** as closely as any */
      int y = id_of(me->reason), d[MAX_OBJS];
      CHECK(y >= 0 && mask[y] && F.o[y].has_leg && !F.o[y].release,
            "leak_cycles: member %d: reason %p is no legacy-finalizer object of the garbage", x,
            me->reason);
      model_bfs(&y, 1, -1, mask, d);
      CHECK(d[x] == udist[x], "leak_cycles: member %d: reason %d at %d references, closest %d", x,
            y, d[x], udist[x]);
    }
    for (size_t j = 0; j < cy->nedges; j++) {
      const rcgc_leak_edge *e = &cy->edges[j];
      int u = id_of(e->from), v = id_of(e->to);
      check_edge(u, v, e->name, e->slot, "leak_cycles");
      CHECK(comp[u] == c && comp[v] == c && !eseen[u][e->slot],
            "leak_cycles: reference %d --[%zu]--> %d twice or outside cycle %zu", u, e->slot, v,
            ci);
      eseen[u][e->slot] = 1;
    }
  }
  rcgc_leak_free(F.heap, cs);
  memout m;
  long got =
      rcgc_leak_print_cycles(F.heap, scope, nstart ? start : NULL, (size_t)nstart, 0, rcgc_write_file, mem_open(&m));
  mem_close(&m);
  CHECK(got == ncyclic && lines_starting(m.buf, "cycle ") == ncyclic,
        "leak_print_cycles returned %ld, model %d; text:\n%s", got, ncyclic, m.buf);
  mem_free(&m);
  pure_end(&pu, "leak_cycles");
}

/* ---- dominators and retained sizes */
static unsigned char dom[MAX_OBJS][MAX_OBJS]; /* dom[v][d]: d strictly dominates v */

ORACLE static void leak_dominators(size_t k) {
  trace("leak_dominators(top %zu)\n", k);
  pure_t pu;
  pure_begin(&pu);
  rcgc_leak_retained *rs;
  size_t n;
  CHECK(rcgc_leak_dominators(F.heap, &rs, &n) == RCGC_OK, "rcgc_leak_dominators failed");
  /* model, by the definition: d dominates v when no path from the roots
  ** reaches v once d is removed */
  int src[MAX_OBJS] = {0}, ns = model_roots(src), reached[MAX_OBJS], d[MAX_OBJS], nreached = 0;
  model_bfs(src, ns, -1, NULL, reached);
  for (int v = 0; v < F.n; v++)
    nreached += reached[v] >= 0;
  for (size_t j = 0; j < n; j++) { /* sizes first: retained sizes add them up */
    int x = id_of(rs[j].obj);
    CHECK(x >= 0, "leak_dominators: entry %zu (%p) is not a live object", j, rs[j].obj);
    learn_self(x, rs[j].self_bytes, "leak_dominators");
  }
  memset(dom, 0, sizeof dom);
  int ndom[MAX_OBJS] = {0};
  for (int a = 0; a < F.n; a++) {
    if (reached[a] < 0)
      continue;
    model_bfs(src, ns, a, NULL, d);
    for (int v = 0; v < F.n; v++)
      if (v != a && reached[v] >= 0 && d[v] < 0) {
        dom[v][a] = 1;
        ndom[v]++;
      }
  }
  CHECK(n == (size_t)nreached, "leak_dominators: %zu objects, model %d retained", n, nreached);
  int seen[MAX_OBJS] = {0}, last = 0;
  for (size_t j = 0; j < n; j++) {
    int x = id_of(rs[j].obj);
    CHECK(reached[x] >= 0 && !seen[x], "leak_dominators: %d is not retained or listed twice", x);
    seen[x] = 1;
    CHECK(list_of(x) >= last, "leak_dominators: %d out of heap-list order", x);
    last = list_of(x);
    int idom = -1;
    size_t retained = model_self(x);
    for (int a = 0; a < F.n; a++) {
      if (dom[x][a] && ndom[a] == ndom[x] - 1)
        idom = a;
      if (dom[a][x])
        retained += model_self(a);
    }
    CHECK(rs[j].idom == (idom < 0 ? NULL : F.o[idom].ptr),
          "leak_dominators: idom of %d is %d (%p), model %d", x, id_of(rs[j].idom), rs[j].idom,
          idom);
    CHECK(rs[j].retained_bytes == retained, "leak_dominators: %d retains %zu bytes, model %zu", x,
          rs[j].retained_bytes, retained);
  }
  /* top retainers: the dominators' answer, largest retained first, ties in
  ** heap-list order */
  rcgc_leak_retained *top;
  size_t nt;
  CHECK(rcgc_leak_top_retainers(F.heap, k, &top, &nt) == RCGC_OK, "rcgc_leak_top_retainers failed");
  CHECK(nt == (n < k ? n : k), "leak_top_retainers(%zu): %zu rows of %zu", k, nt, n);
  for (size_t a = 1; a < n; a++) /* stable insertion sort by retained, descending */
    for (size_t b = a; b > 0 && rs[b - 1].retained_bytes < rs[b].retained_bytes; b--) {
      rcgc_leak_retained tmp = rs[b];
      rs[b] = rs[b - 1];
      rs[b - 1] = tmp;
    }
  for (size_t j = 0; j < nt; j++)
    CHECK(top[j].obj == rs[j].obj && top[j].idom == rs[j].idom &&
              top[j].retained_bytes == rs[j].retained_bytes &&
              top[j].self_bytes == rs[j].self_bytes,
          "leak_top_retainers(%zu): row %zu is %d, expected %d", k, j, id_of(top[j].obj),
          id_of(rs[j].obj));
  rcgc_leak_free(F.heap, top);
  rcgc_leak_free(F.heap, rs);
  memout m;
  long got = rcgc_leak_print_top_retainers(F.heap, k, rcgc_write_file, mem_open(&m));
  mem_close(&m);
  CHECK(got == (long)nt && lines_starting(m.buf, "    ") == (int)nt + 1,
        "leak_print_top_retainers returned %ld, model %zu; text:\n%s", got, nt, m.buf);
  mem_free(&m);
  pure_end(&pu, "leak_dominators");
}

/* ---- histograms, marks, growth */
ORACLE static void model_types(size_t cnt[8], size_t extra[8], int from) {
  memset(cnt, 0, 8 * sizeof *cnt);
  memset(extra, 0, 8 * sizeof *extra);
  for (int i = from; i < F.n; i++)
    if (F.o[i].alive) {
      cnt[F.o[i].tix]++;
      extra[F.o[i].tix] += F.o[i].kind == K_WREF ? 0 : obj_extra(i);
    }
}

ORACLE static int tix_of_type(const rcgc_type *t) {
  for (int x = 0; x < 8; x++)
    if (type_of_tix(x) == t)
      return x;
  return -1;
}

ORACLE static void leak_histogram(void) {
  trace("leak_histogram\n");
  pure_t pu;
  pure_begin(&pu);
  rcgc_leak_type_stat *st;
  size_t n, cnt[8], extra[8], want = 0;
  CHECK(rcgc_leak_histogram(F.heap, &st, &n) == RCGC_OK, "rcgc_leak_histogram failed");
  model_types(cnt, extra, 0);
  for (int x = 0; x < 8; x++)
    want += cnt[x] > 0;
  CHECK(n == want, "leak_histogram: %zu types, model %zu", n, want);
  int seen[8] = {0};
  for (size_t j = 0; j < n; j++) {
    int x = tix_of_type(st[j].type);
    CHECK(x >= 0 && !seen[x] && st[j].name == st[j].type->name && st[j].count == cnt[x],
          "leak_histogram: row %zu: %s x %zu, model %zu", j, st[j].name, st[j].count,
          x < 0 ? 0 : cnt[x]);
    seen[x] = 1;
    learn_bytes(x, cnt[x], extra[x], st[j].bytes, "leak_histogram");
    if (j > 0) {
      const rcgc_leak_type_stat *a = &st[j - 1], *b = &st[j];
      CHECK(a->bytes > b->bytes ||
                (a->bytes == b->bytes &&
                 (a->count > b->count || (a->count == b->count && strcmp(a->name, b->name) < 0))),
            "leak_histogram: rows %zu and %zu out of order", j - 1, j);
    }
  }
  rcgc_leak_free(F.heap, st);
  memout m;
  long got = rcgc_leak_print_histogram(F.heap, 0, rcgc_write_file, mem_open(&m));
  mem_close(&m);
  CHECK(got == (long)want && lines_starting(m.buf, " ") == (int)want + 2,
        "leak_print_histogram returned %ld, model %zu; text:\n%s", got, want, m.buf);
  mem_free(&m);
  pure_end(&pu, "leak_histogram");
}

ORACLE static void leak_mark(void) {
  trace("leak_mark\n");
  leak_histogram(); /* learns the sizes the growth check needs */
  if (F.mark != NULL)
    rcgc_leak_free(F.heap, F.mark);
  F.mark = rcgc_leak_mark_new(F.heap);
  CHECK(F.mark != NULL, "rcgc_leak_mark_new failed");
  F.mark_n = F.n;
  model_types(F.mark_cnt, F.mark_extra, 0);
}

ORACLE static unsigned long long absll(long long v) {
  return v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
}

ORACLE static void leak_growth(size_t limit) {
  if (F.mark == NULL)
    return;
  trace("leak_growth(%zu)\n", limit);
  pure_t pu;
  pure_begin(&pu);
  rcgc_leak_growth *g;
  size_t n, cnt[8], extra[8], want = 0;
  CHECK(rcgc_leak_growth_since(F.heap, F.mark, &g, &n) == RCGC_OK, "rcgc_leak_growth_since failed");
  model_types(cnt, extra, 0);
  for (int x = 0; x < 8; x++)
    want += cnt[x] != F.mark_cnt[x] || extra[x] != F.mark_extra[x];
  CHECK(n == want, "leak_growth: %zu types changed, model %zu", n, want);
  int seen[8] = {0};
  for (size_t j = 0; j < n; j++) {
    const rcgc_leak_growth *e = &g[j];
    int x = tix_of_type(e->type);
    CHECK(x >= 0 && !seen[x] && e->name == e->type->name && e->count_now == cnt[x] &&
              e->count_then == F.mark_cnt[x] &&
              e->count_delta == (long long)cnt[x] - (long long)F.mark_cnt[x],
          "leak_growth: row %zu: %s %zu -> %zu, model %zu -> %zu", j, e->name, e->count_then,
          e->count_now, x < 0 ? 0 : F.mark_cnt[x], x < 0 ? 0 : cnt[x]);
    seen[x] = 1;
    learn_bytes(x, cnt[x], extra[x], e->bytes_now, "leak_growth now");
    learn_bytes(x, F.mark_cnt[x], F.mark_extra[x], e->bytes_then, "leak_growth then");
    CHECK(e->bytes_delta == (long long)e->bytes_now - (long long)e->bytes_then,
          "leak_growth: %s bytes delta %lld", e->name, e->bytes_delta);
    if (j > 0) {
      const rcgc_leak_growth *a = &g[j - 1];
      unsigned long long ca = absll(a->count_delta), cb = absll(e->count_delta);
      unsigned long long ba = absll(a->bytes_delta), bb = absll(e->bytes_delta);
      CHECK(ca > cb || (ca == cb && (ba > bb || (ba == bb && strcmp(a->name, e->name) < 0))),
            "leak_growth: rows %zu and %zu out of order", j - 1, j);
    }
  }
  rcgc_leak_free(F.heap, g);
  memout m;
  long got = rcgc_leak_print_growth(F.heap, F.mark, limit, rcgc_write_file, mem_open(&m));
  mem_close(&m);
  long shown = limit == 0 || limit > want ? (long)want : (long)limit;
  CHECK(got == shown, "leak_print_growth(%zu) returned %ld, model %ld; text:\n%s", limit, got,
        shown, m.buf);
  mem_free(&m);
  /* objects allocated since the mark, by serial */
  void **objs;
  size_t no;
  int r = rcgc_leak_since_mark(F.heap, F.mark, &objs, &no);
  long nnew = 0;
  if (!F.serials) {
    CHECK(r == RCGC_ENOTSUP && objs == NULL && no == 0,
          "leak_since_mark without serials returned %d", r);
  } else {
    CHECK(r == RCGC_OK, "rcgc_leak_since_mark failed: %d", r);
    for (int i = F.mark_n; i < F.n; i++)
      if (F.o[i].alive) {
        CHECK((size_t)nnew < no && objs[nnew] == F.o[i].ptr,
              "leak_since_mark: entry %ld is %d (%p), model %d", nnew,
              (size_t)nnew < no ? id_of(objs[nnew]) : -1, (size_t)nnew < no ? objs[nnew] : NULL, i);
        nnew++;
      }
    CHECK(no == (size_t)nnew, "leak_since_mark: %zu objects, model %ld", no, nnew);
  }
  rcgc_leak_free(F.heap, objs);
  got = rcgc_leak_print_since_mark(F.heap, F.mark, limit, rcgc_write_file, mem_open(&m));
  mem_close(&m);
  CHECK(got == (F.serials ? nnew : RCGC_ENOTSUP),
        "leak_print_since_mark returned %ld, model %ld; text:\n%s", got, nnew, m.buf);
  mem_free(&m);
  pure_end(&pu, "leak_growth");
}

/* ---- expect freed */
ORACLE static void leak_watch(input *in, int with_label) {
  int x = pick(in, -1);
  if (x < 0)
    return;
  mobj *m = &F.o[x];
  if (with_label)
    snprintf(m->label, sizeof m->label, "w%d.%d", x, (int)F.ops_run);
  else
    m->label[0] = 0;
  trace("expect_freed(%d, \"%s\")\n", x, m->label);
  CHECK(rcgc_expect_freed(F.heap, m->ptr, with_label ? m->label : NULL) == RCGC_OK,
        "rcgc_expect_freed failed");
  if (!m->watched) { /* watching again replaces the label, keeps the place */
    m->watched = 1;
    m->watch_seq = F.watch_seq++;
  }
}

ORACLE static void leak_unwatch(input *in) {
  int x = pick(in, -1);
  if (x < 0)
    return;
  trace("expect_freed_cancel(%d)\n", x);
  int r = rcgc_expect_freed_cancel(F.heap, F.o[x].ptr);
  CHECK(r == (F.o[x].watched ? RCGC_OK : RCGC_ENOTFOUND),
        "expect_freed_cancel(%d) returned %d, watched %d", x, r, F.o[x].watched);
  F.o[x].watched = 0;
}

ORACLE static void leak_expect_check(int collect, int text) {
  trace("expect_freed_check(%s%s)\n", collect ? "COLLECT" : "0", text ? ", text" : "");
  pure_t pu;
  pure_begin(&pu);
  memout m = {NULL, NULL, 0};
  unsigned flags = (collect ? RCGC_EXPECT_COLLECT : 0u) | (text ? 0u : RCGC_EXPECT_QUIET);
  long got = rcgc_expect_freed_check(F.heap, flags, rcgc_write_file, text ? mem_open(&m) : NULL);
  if (text)
    mem_close(&m);
  if (collect) {
    model_settle();
    mresult want = model_collect(2, 0);
    check_collect("expect_freed_check(COLLECT)", want.ret, want);
  } else {
    pure_end(&pu, "expect_freed_check");
  }
  /* the watched objects still alive, in the order of their first watch */
  int order[MAX_OBJS], n = 0;
  for (int i = 0; i < F.n; i++)
    if (F.o[i].alive && F.o[i].watched) {
      int j = n++;
      for (; j > 0 && F.o[order[j - 1]].watch_seq > F.o[i].watch_seq; j--)
        order[j] = order[j - 1];
      order[j] = i;
    }
  CHECK(got == n, "expect_freed_check returned %ld, model %d watched objects alive", got, n);
  if (text) {
    const char *p = m.buf;
    for (int j = 0; j < n; j++) {
      char head[64];
      int hl = snprintf(head, sizeof head, "rcgc: expected freed: \"%s\" <", F.o[order[j]].label);
      p = p ? strstr(p, "rcgc: expected freed: ") : NULL;
      CHECK(p != NULL && strncmp(p, head, (size_t)hl) == 0,
            "expect_freed_check: report %d should start %s; text:\n%s", j, head, m.buf);
      p += hl;
    }
    CHECK(lines_starting(m.buf, "rcgc: expected freed: ") == n,
          "expect_freed_check: not %d reports; text:\n%s", n, m.buf);
    mem_free(&m);
  }
}

/* ---- heap snapshots */
/* The numbers of the JSON array that follows 'key' into v[0..cap-1]; *n
** receives how many. */
ORACLE static uint64_t *json_numbers(const char *buf, const char *key, uint64_t *v, size_t cap,
                                     size_t *n) {
  const char *p = strstr(buf, key);
  CHECK(p != NULL, "snapshot: no %s", key);
  p += strlen(key);
  size_t k = 0;
  while (*p != ']') {
    CHECK(*p >= '0' && *p <= '9', "snapshot: %s: unexpected '%c'", key, *p);
    char *end;
    unsigned long long x = strtoull(p, &end, 10);
    CHECK(k < cap, "snapshot: more than %zu numbers in %s", cap, key);
    v[k++] = x;
    p = end;
    while (*p == ',' || *p == '\n')
      p++;
  }
  *n = k;
  return v;
}

/* The JSON strings of the "strings" array (no escapes in ours). */
ORACLE static int json_strings(char *buf, const char **s, int cap) {
  char *p = strstr(buf, "\"strings\":[");
  CHECK(p != NULL, "snapshot: no strings");
  p += strlen("\"strings\":[");
  int k = 0;
  while (*p == '"') {
    char *end = strchr(p + 1, '"');
    CHECK(end != NULL && k < cap && memchr(p, '\\', (size_t)(end - p)) == NULL,
          "snapshot: bad string table");
    *end = 0;
    s[k++] = p + 1;
    p = end + 1;
    while (*p == ',' || *p == '\n')
      p++;
  }
  CHECK(strcmp(p, "]}\n") == 0, "snapshot: does not end the string table with ]}");
  return k;
}

ORACLE static void leak_snapshot(void) {
  trace("leak_snapshot\n");
  pure_t pu;
  pure_begin(&pu);
  memout m;
  int r = rcgc_leak_snapshot(F.heap, rcgc_write_file, mem_open(&m));
  mem_close(&m);
  CHECK(r == RCGC_OK, "rcgc_leak_snapshot failed: %d", r);
  size_t nn, ne;
  static uint64_t nodes_buf[1 << 14], edges_buf[1 << 14];
  uint64_t *nodes = json_numbers(m.buf, "\"nodes\":[", nodes_buf, 1 << 14, &nn);
  uint64_t *edges = json_numbers(m.buf, "\"edges\":[", edges_buf, 1 << 14, &ne);
  unsigned long long hn = 0, he = 0;
  const char *hp = strstr(m.buf, "\"node_count\":");
  CHECK(hp && sscanf(hp, "\"node_count\":%llu,\"edge_count\":%llu", &hn, &he) == 2,
        "snapshot: no counts");
  const char *str[64];
  int nstr = json_strings(m.buf, str, 64);
  long alive = model_alive();
  CHECK(nn % 7 == 0 && ne % 3 == 0 && hn == nn / 7 && he == ne / 3 && hn == (size_t)alive + 2,
        "snapshot: %llu nodes (%zu numbers), %llu edges (%zu numbers), model %ld objects", hn, nn,
        he, ne, alive);
  CHECK(nstr >= 3 && strcmp(str[nstr - 3], "(rcgc roots)") == 0 &&
            strcmp(str[nstr - 2], "(garbage)") == 0 && strcmp(str[nstr - 1], "garbage") == 0,
        "snapshot: the synthetic names are not last in the string table");
#define NAME(k) (nodes[(k)*7 + 1] < (uint64_t)nstr ? str[nodes[(k)*7 + 1]] : "?")
  int src[MAX_OBJS] = {0}, nroots = model_roots(src), nheld = 0;
  long garb = 0;
  for (int i = 0; i < nroots; i++)
    nheld += F.o[src[i]].ext > 0;
  for (int i = 0; i < F.n; i++)
    garb += F.o[i].garb;
  CHECK(nodes[0] == 9 && strcmp(NAME(0), "(rcgc roots)") == 0 && nodes[2] == 1 && nodes[3] == 0 &&
            nodes[4] == (uint64_t)nheld + 1,
        "snapshot: root node wrong (%llu edges, model %d)", (unsigned long long)nodes[4],
        nheld + 1);
  CHECK(nodes[7] == 9 && strcmp(NAME(1), "(garbage)") == 0 && nodes[9] == 2 && nodes[10] == 0 &&
            nodes[11] == (uint64_t)garb,
        "snapshot: garbage node wrong (%llu edges, model %ld)", (unsigned long long)nodes[11],
        garb);
  /* object nodes: with serials, id = 2 x serial + 1 names the model object */
  int node_obj[MAX_OBJS + 2], last = 0, seen[MAX_OBJS] = {0};
  uint64_t esum = 0;
  for (size_t k = 0; k < hn; k++)
    esum += nodes[k * 7 + 4];
  CHECK(esum == he, "snapshot: node edge counts add up to %llu, not %llu", (unsigned long long)esum,
        he);
  for (size_t k = 2; k < hn; k++) {
    const uint64_t *nd = &nodes[k * 7];
    int x = -1;
    if (F.serials) {
      for (int i = 0; i < F.n && x < 0; i++)
        if (F.o[i].alive && nd[2] == 2 * F.o[i].serial + 1)
          x = i;
    } else {
      CHECK(nd[2] == 2 * k + 1, "snapshot: node %zu has id %llu", k, (unsigned long long)nd[2]);
      continue;
    }
    CHECK(x >= 0 && !seen[x], "snapshot: node %zu (id %llu) is no live object", k,
          (unsigned long long)nd[2]);
    seen[x] = 1;
    node_obj[k] = x;
    CHECK(list_of(x) >= last, "snapshot: node %zu (%d) out of heap-list order", k, x);
    last = list_of(x);
    learn_self(x, nd[3], "snapshot");
    int t[MAX_SLOTS], nt = targets(x, t);
    int weak = F.o[x].kind == K_WREF && F.o[x].referent >= 0;
    CHECK(nd[0] == 3 && strcmp(NAME(k), type_of_tix(F.o[x].tix)->name) == 0 &&
              nd[4] == (uint64_t)(nt + weak),
          "snapshot: node %zu (%d) %s with %llu edges, model %s with %d", k, x, NAME(k),
          (unsigned long long)nd[4], type_of_tix(F.o[x].tix)->name, nt + weak);
  }
  if (F.serials) {
    /* edges, grouped by node in node order */
    int obj_node[MAX_OBJS], held_seen[MAX_OBJS] = {0};
    long gseen[MAX_OBJS] = {0};
    for (size_t k = 2; k < hn; k++)
      obj_node[node_obj[k]] = (int)k;
    size_t e = 0;
    for (size_t k = 0; k < hn; k++) {
      for (uint64_t j = 0; j < nodes[k * 7 + 4]; j++, e++) {
        const uint64_t *ed = &edges[e * 3];
        CHECK(ed[2] % 7 == 0 && ed[2] / 7 < hn, "snapshot: edge %zu to_node %llu", e,
              (unsigned long long)ed[2]);
        size_t to = (size_t)(ed[2] / 7);
        int y = to >= 2 ? node_obj[to] : -1;
        if (k == 0 && j < (uint64_t)nheld) { /* the roots: held from outside */
          CHECK(ed[0] == 1 && ed[1] == j && y >= 0 && F.o[y].ext > 0 && !held_seen[y],
                "snapshot: root edge %llu to %d", (unsigned long long)j, y);
          held_seen[y] = 1;
        } else if (k == 0) {
          CHECK(ed[0] == 2 && ed[1] < (uint64_t)nstr && strcmp(str[ed[1]], "garbage") == 0 &&
                    to == 1,
                "snapshot: no garbage edge from the root");
        } else if (k == 1) {
          CHECK(ed[0] == 1 && ed[1] == j && y >= 0 && ++gseen[y] <= F.o[y].garb,
                "snapshot: garbage list edge %llu to %d", (unsigned long long)j, y);
        } else if (F.o[node_obj[k]].kind == K_WREF) {
          int x = node_obj[k];
          CHECK(ed[0] == 6 && strcmp(str[ed[1]], "referent") == 0 && y == F.o[x].referent,
                "snapshot: weakref %d: referent edge to %d, model %d", x, y, F.o[x].referent);
        } else {
          int x = node_obj[k];
          CHECK(ed[0] == 2 && ed[1] < (uint64_t)nstr && strcmp(str[ed[1]], "slot") == 0 &&
                    y == nth_target(x, (size_t)j),
                "snapshot: edge %llu of %d to %d, model %d", (unsigned long long)j, x, y,
                nth_target(x, (size_t)j));
        }
      }
    }
    (void)obj_node;
  }
#undef NAME
  mem_free(&m);
  pure_end(&pu, "leak_snapshot");
}

/* ---- explain a collection */
ORACLE static void leak_explain(void) {
  trace("leak_explain_collect\n");
  memout m;
  long got = rcgc_leak_explain_collect(F.heap, rcgc_write_file, mem_open(&m));
  mem_close(&m);
  if (!F.serials) {
    CHECK(got == RCGC_ENOTSUP, "leak_explain_collect without serials returned %ld", got);
  } else {
    got -= model_settle();
    mresult want = model_collect(2, 0);
    check_collect("leak_explain_collect", got, want);
  }
  mem_free(&m);
}

/* ---- pictures */
ORACLE static int dot_pred(void *obj, void *ud) {
  (void)ud;
  int x = id_of(obj);
  CHECK(x >= 0, "leak_dot: filter called on %p, no live object", obj);
  return x % 3 != 0;
}

ORACLE static void leak_dot(input *in) {
  int x = pick(in, -1), b = byte(in);
  if (x < 0 || b < 0)
    return;
  trace("leak_dot(%d, %#x)\n", x, b);
  pure_t pu;
  pure_begin(&pu);
  rcgc_leak_dot_opts o = {(unsigned)b & 7u,
                          (size_t)(b >> 3) & 3,
                          (size_t)(b >> 5) & 3,
                          (b & 0x80) ? dot_pred : NULL,
                          (b & 0x40) ? dot_pred : NULL,
                          NULL};
  void *objs[1] = {F.o[x].ptr};
  memout m;
  int r = rcgc_leak_dot(F.heap, objs, 1, (b & 0x20) ? NULL : &o, rcgc_write_file, mem_open(&m));
  mem_close(&m);
  CHECK(r == RCGC_OK && strncmp(m.buf, "digraph", 7) == 0 && strstr(m.buf, "\n}") != NULL,
        "leak_dot returned %d; text:\n%s", r, m.buf);
  mem_free(&m);
  pure_end(&pu, "leak_dot");
}

/* One leak-hunting operation: the argument byte's low 4 bits select it,
** its high 4 bits are a parameter (k, limit, flags). */
static void op_leak(input *in) {
  int b = byte(in);
  if (b < 0)
    return;
  size_t arg = (size_t)b >> 4;
  /* strict stores: while RELEASE has garbage to free, that garbage is on no
  ** list, and the tools that walk the lists do not see it (nor its
  ** references, which count as outside ones); the model's answers would
  ** need it hidden: those tools wait for the collection's end */
  static const unsigned walks = 0xa1ffu; /* 0-8, 13, 15 */
  for (int i = 0; i < F.n && ((walks >> (b & 15)) & 1); i++)
    if (F.o[i].doom) {
      trace("leak tool %d skipped: RELEASE runs\n", b & 15);
      return;
    }
  total_leak_ops++;
  switch (b & 15) {
  case 0: leak_roots(); break;
  case 1: leak_why(in, 1 + arg % 4); break;
  case 2: leak_cycles(in, RCGC_LEAK_GARBAGE); break;
  case 3: leak_cycles(in, RCGC_LEAK_HEAP); break;
  case 4: leak_cycles(in, RCGC_LEAK_REACHABLE); break;
  case 5: leak_dominators(1 + arg); break;
  case 6: leak_histogram(); break;
  case 7: leak_mark(); break;
  case 8: leak_growth(arg % 4); break;
  case 9: leak_watch(in, !(arg & 1)); break;
  case 10: leak_unwatch(in); break;
  case 11: leak_expect_check(0, arg & 1); break;
  case 12: leak_expect_check(1, arg & 1); break;
  case 13: leak_snapshot(); break;
  case 14: leak_explain(); break;
  case 15: leak_dot(in); break;
  }
  check_heap("leak tools"); /* check_all follows every operation */
}

/* ------------------------------------------------------------ incremental collections */
/* With config bit 7 the program may run an incremental collection
** (op_slice) and keep mutating the heap between its slices, raw moves of
** references without counts included (op_swap). The model does not
** predict how far each slice gets, nor which candidates the slices put in
** the estimate; it observes them (the lists, through internal.h) and
** checks what the documentation promises:
**   - after every operation and every slice, each live object is on
**     exactly one of the heap's lists; an object that cannot be a candidate
**     is on the list the model says (the model's generations and suspects
**     are checked so after every operation of such a program, collection
**     or not), and only candidates are on the collection's lists (INIT
**     never gains one); rcgc_check_heap() == 0, the refcounts, the live
**     objects and every callback count as after any operation;
**     rcgc_get_incremental_stats says running exactly when the model does;
**   - the last step is a list collection of the estimate: its first
**     traverse sees the estimate on one list (capture_last_step), and the
**     model collects exactly that set (model_collect_set: finalizers, weak
**     reference callbacks, legacy finalizers, resurrection, DEBUG_SAVEALL as
**     in any collection); its STOP info and every destroy, finalizer and
**     callback must agree with that, and so must the lists it leaves
**     (but for an object a closure collection pulled in, and a candidate
**     decremented in the operation that finished it, which may be in
**     generation 2 or, for the latter, among the suspects);
**   - (a) everything that step finds unreachable is unreachable in the
**     model from the harness's references, the garbage list, and untracked
**     and frozen objects, and (c) that set is closed: every reference to a
**     member (its refcount then) comes from a member;
**   - (b) every candidate that was garbage when the collection started
**     (full: every tracked, unfrozen object; a suspect collection: the
**     suspects and what they reach; a young backstop: those and the
**     generations 0 and 1) is found unreachable by the last step, unless
**     it died meanwhile or the program touched it or an object that reaches
**     it by a reference it had at the start or has at the end (touched: a
**     count changed, a slot set or swapped, tracked or untracked):
**     garbage made or touched during the collection may be kept for the
**     next one;
**   - every call that finishes a running collection first (rcgc_collect,
**     freeze, unfreeze, set_policy, get_objects, garbage_release, the
**     leak tools that collect) is modelled as that last step, then the
**     call; rcgc_collect and rcgc_leak_explain_collect return the sum of
**     the two collections' counts.
**
** Strict stores (first byte: bits 7, 5, 4 set, bit 3 clear). The heap has
** RCGC_CONFIG_STRICT_STORES and the program keeps its promise: every store
** into a node is rcgc_set (op_link, unlink), and op_swap moves with counts
** (a decrement for each reference moved). A type with a finalizer or legacy
** finalizer is allocated only when bit 7 of the allocation byte is set,
** a weak reference made only when bit 1 of its byte is, so that programs
** without either -- and without SAVEALL -- have a heap rcgc__inc_divisible
** holds for (model_divisible): their collections skip the last step and
** free the garbage in slices, RELEASE, between which the program runs. The
** harness keeps a reference to every weak reference object to the end (the
** model learns what RELEASE freed from destroy counts; a weak reference's
** destroy is the library's). Checked, besides all of the above:
**   - after every slice, what RELEASE freed since the last one and what it
**     has still to free (rcgc__inc_each_doomed) -- model_release: each member
**     is garbage in the model (not reached from the harness's references,
**     the garbage list, untracked or frozen objects) and was a candidate;
**     freed and doomed together are closed under references; once RELEASE
**     was seen, it frees only what it had to free, and that set only
**     shrinks; a freed member released exactly its references to
**     non-members: the model makes those decrements, what dies of them by
**     refcount must be what the library freed without a count, and the
**     refcounts of all survivors must be the model's; a member still to
**     free keeps every reference from members (freed ones included);
**   - after every operation and slice: an object is on no list exactly when
**     RELEASE has it to free (observe, inc_observe); nothing else is freed
**     (destroy counts); rcgc_check_heap() == 0 (it checks RELEASE's
**     pending garbage too); the harness never picks an object RELEASE has to
**     free (a program has no way to it), and the leak tools that walk the
**     lists, which do not see that garbage, wait for the collection's end;
**   - at the end of the collection (the last slice or a call that finishes
**     it): what the remaining RELEASE freed, as above; STOP reports the
**     members freed; (b) every candidate garbage at the start and not
**     touched was freed by it; a heap divisible at every observation of
**     the collection ran no last step, and one divisible at none freed
**     nothing in slices (it ran the last step, checked as without the
**     flag). */

/* The model id of a live object at 'p' (-1: none). */
ORACLE static int id_of_obj(void *p) {
  const fz_obj *o = p; /* every block holds at least the first two words */
  if (o->id >= 0 && o->id < F.n && F.o[o->id].ptr == p && F.o[o->id].alive)
    return o->id;
  for (int i = 0; i < F.n; i++)
    if (F.o[i].alive && F.o[i].ptr == p && F.o[i].kind == K_WREF)
      return i;
  return -1;
}

/* The list each object is on, in heap-list order: 0-2 the generations, 3-6
** a running incremental collection's INIT, SUB, MARK and GARBAGE, 7 the
** suspects, 8 the permanent generation, 9 the untracked; -1 none. */
enum { L_INIT = 3, L_GARBAGE = 6, L_SUSPECTS = 7, L_PERMANENT = 8, L_UNTRACKED = 9 };
ORACLE static void observe(signed char *out) {
  for (int i = 0; i < MAX_OBJS; i++)
    out[i] = -1;
  head_t *lists[HEAP_NLISTS];
  heap_lists(F.heap, lists);
  for (int l = 0; l < HEAP_NLISTS; l++) {
    int k = 0;
    for (head_t *h = next_of(lists[l]); h != lists[l]; h = next_of(h)) {
      int x = id_of_obj(FROM_HEAD(h));
      CHECK(x >= 0 && out[x] < 0 && ++k <= MAX_OBJS,
            "list %d holds an object the model does not know alive (%p), or one twice", l,
            FROM_HEAD(h));
      out[x] = (signed char)l;
    }
  }
}

/* The list the model puts a live object on outside a collection. */
ORACLE static int model_list(int i) {
  const mobj *m = &F.o[i];
  return m->gen == GEN_UNTRACKED   ? L_UNTRACKED
         : m->gen == GEN_PERMANENT ? L_PERMANENT
         : m->suspect              ? L_SUSPECTS
                                   : m->gen;
}

/* Take an observed list as the model's state of object i. */
static void adopt(int i, int l) {
  mobj *m = &F.o[i];
  m->obs = l;
  if (l <= 2) {
    m->gen = l;
    m->suspect = 0;
  } else if (l <= L_GARBAGE) {
    m->gen = 2; /* a candidate: tracked, unfrozen; survivors go to 2 */
    m->suspect = 0;
  } else if (l == L_SUSPECTS) {
    m->gen = 0;
    m->suspect = 1;
  }
}

/* A closure collection pulls in tracked, unfrozen children of its
** candidates as it goes: every object a candidate references may become one
** (the model over-approximates: children of every candidate). */
ORACLE static void inc_expand(void) {
  if (!F.inc_run || F.inc_kind == 2)
    return;
  int changed = 1;
  while (changed) {
    changed = 0;
    for (int i = 0; i < F.n; i++) {
      mobj *m = &F.o[i];
      if (!m->alive || !m->cand || m->kind != K_NODE)
        continue;
      for (int s = 0; s < m->nslots; s++) {
        mobj *c = m->slot[s] >= 0 ? &F.o[m->slot[s]] : NULL;
        if (c != NULL && !c->cand && c->gen >= 0 && c->gen <= 2) {
          c->cand = 1;
          changed = 1;
        }
      }
    }
  }
}

/* Before the library starts one of 'kind': its candidates, and which of
** them are garbage (trial deletion on them, as a stop-the-world collection
** would find it now). */
static void model_inc_start(int kind) {
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    m->set = m->alive && m->gen >= 0 && m->gen <= 2 &&
             (kind == 2 || (kind == 1 ? m->gen <= 1 : m->suspect));
    m->mark = 0;
    m->expand = kind < 2 && m->alive && m->suspect;
    m->touched = 0;
    memcpy(m->s_slot, m->slot, sizeof m->s_slot);
  }
  if (kind < 2)
    model_closure();
  mark_from_outside();
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    int listed = m->alive && m->gen >= 0 && m->gen <= 2 &&
                 (kind == 2 || (kind == 1 ? m->gen <= 1 : m->suspect));
    m->cand = m->set;
    m->e0 = m->set && !m->mark;
    m->set = m->mark = m->expand = 0;
    if (listed) /* its lists: a full one's on SUB, the others' on INIT */
      adopt(i, kind == 2 ? L_INIT + 1 : L_INIT);
  }
  F.inc_run = 1;
  F.inc_kind = kind;
  F.inc_fresh = 1;
  F.inc_div = model_divisible();
  F.inc_nondiv = !F.inc_div;
  F.rel_seen = 0;
  F.rel_members = 0;
  F.fin_cap = 0;
  F.fin_stop = 0;
  memset(F.fin_S, 0, sizeof F.fin_S);
}

/* The first traverse of the last step: its candidates are the objects on
** the list of 'p' (a local list of the collector; its head is the one
** element that is no object of the model, and is never dereferenced as
** one). */
ORACLE static void capture_last_step(void *p) {
  head_t *me = AS_HEAD(p);
  int x = id_of_obj(p), unknown = 0, k = 0;
  CHECK(x >= 0, "the last step traverses an object the model does not know alive");
  F.fin_S[x] = 1;
  for (head_t *h = next_of(me); h != me && k <= MAX_OBJS + 1; h = next_of(h), k++) {
    int y = -1;
    for (int i = 0; i < F.n && y < 0; i++)
      if (F.o[i].alive && F.o[i].ptr == FROM_HEAD(h))
        y = i;
    if (y < 0)
      unknown++;
    else
      F.fin_S[y] = 1;
  }
  CHECK(unknown == 1 && k <= MAX_OBJS + 1,
        "the last step's candidates are not one list of model objects (%d unknown)", unknown);
  F.fin_cap = 1;
  F.in_collect = 1; /* the collection runs: the leak tools refuse */
}

/* Reachable from the harness's references, the garbage list, and
** untracked or frozen objects (whose references a collection counts as
** outside ones). */
ORACLE static void model_reach(unsigned char *held) {
  int src[MAX_OBJS] = {0}, ns = 0, dist[MAX_OBJS];
  for (int i = 0; i < F.n; i++)
    if (F.o[i].alive && (ext_of(i) > 0 || F.o[i].gen == GEN_UNTRACKED ||
                         F.o[i].gen == GEN_PERMANENT))
      src[ns++] = i;
  model_bfs(src, ns, -1, NULL, dist);
  for (int i = 0; i < F.n; i++)
    held[i] = F.o[i].alive && dist[i] >= 0;
}

/* ---- strict stores: RELEASE */
/* The model's rcgc__inc_divisible: strict stores, no type with a finalizer
** or a legacy finalizer used, no weak reference that has a referent, no
** debug flag that lists the garbage (of those, the fuzzer sets SAVEALL). */
ORACLE static int model_divisible(void) {
  if (!F.strict || F.fin_type || (F.debug & RCGC_DEBUG_SAVEALL))
    return 0;
  for (int i = 0; i < F.n; i++)
    if (F.o[i].alive && F.o[i].kind == K_WREF && F.o[i].referent >= 0)
      return 0;
  return 1;
}

/* RELEASE frees member x (its destroy runs, in a slice or in a call that
** finishes the collection): it must be garbage in the model, whose state
** is the one before the call (members are garbage from RELEASE's start). */
ORACLE static void check_release_free(long x) {
  unsigned char held[MAX_OBJS];
  model_reach(held);
  CHECK(!held[x], "RELEASE frees object %ld, which the model reaches", x);
}

ORACLE static long note_doomed(rcgc_heap *h, head_t *hd, void *arg) {
  (void)h;
  unsigned char *d = arg;
  int x = id_of_obj(FROM_HEAD(hd));
  CHECK(x >= 0 && !d[x], "RELEASE has to free an object the model does not know alive (%p), "
        "or one twice", FROM_HEAD(hd));
  d[x] = 1;
  return 1;
}

/* d[i]: RELEASE has object i still to free (rcgc__inc_each_doomed: none
** when no RELEASE runs). Returns how many. */
ORACLE static int doomed_now(unsigned char *d) {
  memset(d, 0, MAX_OBJS);
  return (int)rcgc__inc_each_doomed(F.heap, note_doomed, d);
}

/* RELEASE ran since the model's last step (a slice, or the end of the
** collection in a call that finished it): the objects it freed are those
** whose destroy count 'dc' passed the model's (weak reference objects,
** whose destroy is the library's, are held by the harness in strict mode),
** and 'doomed' it has still to free. Checked:
**   - every member freed or still to free is garbage in the model: not
**     reached from the harness's references, the garbage list, untracked
**     or frozen objects (an object freed by refcount, maybe untracked,
**     must have a count of 0 in the model: below);
**   - they form a set closed under references: every reference to one
**     (its count in the model) comes from one of them;
**   - a member (freed with a count: its destroy saw references from other
**     members, which RELEASE does not release) is a candidate, and was to
**     be freed at the last observation once RELEASE was seen; the set to
**     free only shrinks;
**   - a member releases exactly its references to objects that are not
**     members: the model makes those decrements, and what dies of them
**     must be exactly what the library freed without a count (check_all
**     compares every destroy count and refcount after this).
** Then the model takes the members as freed (relm) and the rest as doomed. */
static void model_release(const long *dc, const unsigned char *doomed, const char *where) {
  unsigned char freed[MAX_OBJS], in_g[MAX_OBJS], held[MAX_OBJS];
  int any = 0;
  for (int i = 0; i < F.n; i++) {
    const mobj *m = &F.o[i];
    freed[i] = m->alive && m->kind != K_WREF && dc[i] > m->exp_destroy;
    in_g[i] = freed[i] || doomed[i];
    any |= in_g[i] || m->doom;
    CHECK(!m->doom || in_g[i],
          "%s: RELEASE had object %d to free, and neither freed it nor has it to free now", where,
          i);
  }
  if (!any)
    return;
  inc_expand();
  model_reach(held);
  long rc[MAX_OBJS], inside[MAX_OBJS] = {0};
  model_rcs(rc, 0);
  for (int i = 0; i < F.n; i++)
    for (int s = 0; in_g[i] && F.o[i].kind == K_NODE && s < F.o[i].nslots; s++)
      if (F.o[i].slot[s] >= 0)
        inside[F.o[i].slot[s]]++;
  for (int i = 0; i < F.n; i++) {
    const mobj *m = &F.o[i];
    if (!in_g[i])
      continue;
    const char *what = freed[i] ? "freed" : "has still to free";
    int member = doomed[i] || m->fdrc > 0;
    CHECK(!member || !held[i], "%s: RELEASE %s object %d, which the model reaches", where, what,
          i);
    CHECK(rc[i] == inside[i],
          "%s: RELEASE %s object %d, with %ld of its %ld references from objects it does not "
          "free", where, what, i, rc[i] - inside[i], rc[i]);
    CHECK(!member || (m->cand && m->kind == K_NODE),
          "%s: RELEASE %s object %d, which was no candidate of the collection", where, what, i);
    CHECK(!member || !F.rel_seen || m->doom,
          "%s: RELEASE %s object %d, which it did not have to free at the last observation",
          where, what, i);
  }
  /* the members freed; the others, freed by refcount, the model must find */
  for (int i = 0; i < F.n; i++)
    F.o[i].doom = doomed[i];
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (!freed[i] || m->fdrc <= 0)
      continue;
    m->alive = 0;
    m->exp_destroy++;
    m->relm = m->cfree = 1;
    m->suspect = 0;
    F.rel_members++;
  }
  for (int i = 0; i < F.n; i++)
    for (int s = 0; freed[i] && F.o[i].relm && s < F.o[i].nslots; s++)
      maybe_dying(F.o[i].slot[s]); /* not a member: freed already, or doomed */
  drain();
  for (int i = 0; i < F.n; i++) {
    if (!freed[i] || F.o[i].relm)
      continue;
    CHECK(!F.o[i].alive,
          "%s: object %d was freed by refcount as RELEASE freed garbage, but the references "
          "the garbage released leave it a count in the model", where, i);
    F.o[i].cfree = 1;
  }
  int nf = 0, nd = 0;
  for (int i = 0; i < F.n; i++) {
    nf += freed[i];
    nd += doomed[i];
  }
  trace("  RELEASE: %d freed, %d to free (%ld members freed)\n", nf, nd, F.rel_members);
  F.rel_seen |= nd > 0;
}

/* The library finished the running collection (its STOP came): model its
** last step on the captured set, check it, take the lists it left. */
static mresult model_finish(void) {
  CHECK(F.inc_run && F.fin_stop, "the incremental collection did not finish");
  /* the slices left: every candidate still on the collection's lists went
  ** to generation 2 or into the estimate; a closure collection may have
  ** pulled in more. One decremented since it was seen there (in this
  ** operation) was moved to the suspects -- or stayed, if it still had
  ** the suspect flag it had when the collection started (INIT, a full
  ** one's SUB): either */
  unsigned char either[MAX_OBJS] = {0};
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (!m->alive || m->obs < L_INIT || m->obs > L_GARBAGE)
      continue;
    if (m->gen == 2 && !m->suspect) /* as adopt() left it */
      adopt(i, 2);
    else if (m->suspect)
      either[i] = 1;
  }
  inc_expand();
  int ns = 0;
  for (int i = 0; i < F.n; i++) {
    if (!F.fin_S[i])
      continue;
    mobj *m = &F.o[i];
    CHECK(m->alive && m->gen >= 0 && m->gen <= 2 && m->cand,
          "the last step examined %d, which is no candidate (gen %d)", i, m->gen);
    ns++;
  }
  /* strict stores: without a last step that traversed (fin_cap), RELEASE
  ** freed the garbage -- or the estimate was empty, which both take alike.
  ** A heap divisible at every observation of the collection has no such
  ** step; one divisible at none frees nothing in slices (whether it is
  ** does not change within a slice: nothing that decides it happens
  ** before RELEASE) */
  int released = F.strict && !F.fin_cap;
  if (F.strict) {
    F.inc_div |= model_divisible();
    F.inc_nondiv |= !model_divisible();
    CHECK(F.inc_nondiv || !F.fin_cap,
          "a collection of a heap with strict stores, divisible throughout, ran a last step");
    CHECK(F.inc_div || (!F.rel_seen && F.rel_members == 0),
          "a collection of a heap with strict stores, never divisible, freed in slices");
  }
  unsigned char held[MAX_OBJS], unreach[MAX_OBJS] = {0}, was_alive[MAX_OBJS], exc[MAX_OBJS];
  model_reach(held);
  static int slot0[MAX_OBJS][MAX_SLOTS];
  long rc0[MAX_OBJS], inside[MAX_OBJS] = {0};
  model_rcs(rc0, 0);
  for (int i = 0; i < F.n; i++) {
    was_alive[i] = (unsigned char)F.o[i].alive;
    memcpy(slot0[i], F.o[i].slot, sizeof slot0[i]);
  }
  mresult r;
  if (released) { /* what RELEASE freed since the last slice, as in a slice */
    unsigned char none[MAX_OBJS] = {0};
    model_release(F.fin_destroy, none, "the end of RELEASE");
    r = (mresult){F.rel_members, F.rel_members, 0, F.rel_members};
    ns = (int)F.rel_members;
  } else {
    r = model_collect_set(2, 0, F.fin_S, unreach);
  }
  /* (c) what it found unreachable is closed: every reference to a member
  ** (its count before the step) comes from a member */
  for (int i = 0; i < F.n; i++)
    for (int s = 0; unreach[i] && F.o[i].kind == K_NODE && s < F.o[i].nslots; s++)
      if (slot0[i][s] >= 0)
        inside[slot0[i][s]]++;
  for (int i = 0; i < F.n; i++) {
    CHECK(!unreach[i] || !held[i], "the last step finds %d unreachable, the model reaches it", i);
    CHECK(!unreach[i] || inside[i] == rc0[i],
          "the last step finds %d unreachable, with %ld of its %ld references from outside", i,
          rc0[i] - inside[i], rc0[i]);
  }
  /* (b): excused: touched, and what they reach by references they had at
  ** the start or have now */
  for (int i = 0; i < F.n; i++)
    exc[i] = (unsigned char)F.o[i].touched;
  int changed = 1;
  while (changed) {
    changed = 0;
    for (int i = 0; i < F.n; i++) {
      if (!exc[i] || F.o[i].kind != K_NODE)
        continue;
      for (int s = 0; s < F.o[i].nslots; s++) {
        int a = F.o[i].s_slot[s], b = F.o[i].alive ? F.o[i].slot[s] : -1;
        if (a >= 0 && !exc[a])
          exc[a] = changed = 1;
        if (b >= 0 && !exc[b])
          exc[b] = changed = 1;
      }
    }
  }
  for (int i = 0; i < F.n; i++) {
    /* (RELEASE: freed by this collection, in any slice) */
    CHECK(!F.o[i].e0 || exc[i] || (released ? F.o[i].cfree : !was_alive[i] || unreach[i]),
          "object %d was garbage when the incremental collection started, untouched since, "
          "and %s (%d %s)", i, released ? "it did not free it" : "its last step did not find it",
          ns, released ? "freed in slices" : "examined");
    total_inc_garbage += F.o[i].e0 && !exc[i] && (released ? F.o[i].cfree : was_alive[i]);
  }
  CHECK(F.inc_stop.collected == r.collected && F.inc_stop.uncollectable == r.uncollectable &&
            F.inc_stop.candidates >= ns,
        "incremental collection: callback info %ld/%ld/%ld, model %ld/%ld/>=%d",
        F.inc_stop.collected, F.inc_stop.uncollectable, F.inc_stop.candidates, r.collected,
        r.uncollectable, ns);
  /* the lists it left: as the model says, but for objects a closure
  ** collection pulled in (then in generation 2) */
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (!m->alive)
      continue;
    int o = F.fin_obs[i], want = model_list(i);
    CHECK(o == want || (F.inc_kind != 2 && m->cand && o == 2) || (either[i] && o == 2),
          "after the incremental collection object %d is on list %d, model %d", i, o, want);
    adopt(i, o);
  }
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    CHECK(!m->doom || !m->alive, "RELEASE ended, object %d it had to free is alive", i);
    m->cand = m->e0 = m->touched = m->doom = m->relm = m->cfree = 0;
  }
  F.inc_run = 0;
  F.fin_stop = 0;
  F.fin_cap = 0;
  F.inc_done++;
  total_inc_done++;
  if (F.strict) {
    total_strict_done++;
    total_release_done += F.rel_members > 0;
    total_release_freed += F.rel_members;
  }
  F.rel_seen = 0;
  F.rel_members = 0;
  return r;
}

/* A call that finishes a running incremental collection first returned:
** the count of its last step (0 when none ran). */
static long model_settle(void) {
  if (!F.inc_run)
    return 0;
  return model_finish().ret;
}

/* After an operation (or a slice) of a program with incremental
** operations: the lists, checked and taken. */
ORACLE static void inc_observe(const char *where) {
  signed char ob[MAX_OBJS];
  observe(ob);
  rcgc_incremental_stats st;
  CHECK(rcgc_get_incremental_stats(F.heap, &st) == RCGC_OK && st.running == F.inc_run &&
            st.abandoned == 0,
        "%s: incremental collection running %d (abandoned %ld), model %d", where, st.running,
        st.abandoned, F.inc_run);
  CHECK(!F.fin_stop, "%s: an incremental collection finished unmodelled", where);
  inc_expand();
  /* strict stores: the garbage RELEASE has still to free is on no list,
  ** and is what the model took so (model_release, after each slice) */
  unsigned char dm[MAX_OBJS];
  doomed_now(dm);
  if (F.inc_run && F.strict) {
    F.inc_div |= model_divisible();
    F.inc_nondiv |= !model_divisible();
  }
  for (int i = 0; i < F.n; i++) {
    mobj *m = &F.o[i];
    if (!m->alive)
      continue;
    int o = ob[i], want = model_list(i);
    CHECK(dm[i] == m->doom, "%s: RELEASE %s object %d to free, the model %s", where,
          dm[i] ? "has" : "has no", i, m->doom ? "has" : "has not");
    if (dm[i]) {
      CHECK(o < 0, "%s: object %d is on list %d, and RELEASE has it to free", where, i, o);
      continue;
    }
    CHECK(o >= 0, "%s: live object %d is on no list", where, i);
    CHECK((o == L_UNTRACKED) == (m->gen == GEN_UNTRACKED) &&
              (o == L_PERMANENT) == (m->gen == GEN_PERMANENT),
          "%s: object %d is on list %d, model %d", where, i, o, want);
    if (o >= L_INIT && o <= L_GARBAGE)
      CHECK(F.inc_run && m->cand && (o != L_INIT || F.inc_fresh || m->obs == L_INIT),
            "%s: object %d is on the incremental collection's list %d, no candidate", where, i,
            o);
    else if (!F.inc_run || !m->cand)
      CHECK(o == want, "%s: object %d is on list %d, model %d", where, i, o, want);
    adopt(i, o);
  }
  F.inc_fresh = 0;
  if (F.inc_run)
    check_heap(where);
}

/* Raw move: swap two slots without touching a count (C code's
** `t = a->f; a->f = b->g; b->g = t;`), legal at any time -- but in a heap
** with strict stores, which promises that no reference leaves a field
** without a decrement: there the swap is the same move with counts (the
** first reference held, each slot set with rcgc_set, the hold dropped;
** every count ends as it was, each reference moved was decremented). */
static void op_swap(input *in) {
  int a = pick(in, K_NODE), s = byte(in), b = pick(in, K_NODE), t = byte(in);
  if (a < 0 || s < 0 || b < 0 || t < 0)
    return;
  s %= F.o[a].nslots;
  t %= F.o[b].nslots;
  trace("swap %d.slot[%d] <-> %d.slot[%d]%s\n", a, s, b, t, F.strict ? " with counts" : "");
  fz_obj *oa = F.o[a].ptr, *ob = F.o[b].ptr;
  int x = F.o[a].slot[s], y = F.o[b].slot[t];
  if (F.strict) {
    void *px = oa->slot[s];
    if (px != NULL)
      rcgc_incref(F.heap, px);
    rcgc_set(F.heap, &oa->slot[s], ob->slot[t]);
    rcgc_set(F.heap, &ob->slot[t], px);
    if (px != NULL)
      rcgc_decref(F.heap, px);
  } else {
    void *tmp = oa->slot[s];
    oa->slot[s] = ob->slot[t];
    ob->slot[t] = tmp;
  }
  F.o[a].slot[s] = y;
  F.o[b].slot[t] = x;
  touch(a);
  touch(b);
  if (F.strict) { /* decrements that leave the counts above 0 */
    if (x >= 0)
      make_suspect(x);
    if (y >= 0)
      make_suspect(y);
  }
}

/* Slices: argument bits 0-1: when none runs, 0-1 start what rcgc_collect_step
** would start (a suspect collection when there are suspects), 2 a full
** collection, 3 a young backstop (rcgc__inc_start); bits 2-3: 1, 2, 4 or 8
** steps; bit 4: steps until it ends; bit 5: each step is
** rcgc_collect_step(heap, 1), which starts the collection itself (a
** microsecond usually finishes the small collections of these programs),
** else a slice with a budget of 0 (rcgc__inc_slice), which stops at its
** first look at the clock -- incremental.c's work() looks every 16 units
** of work -- so that the program's operations fall between slices, at the
** same points in every run. */
static void op_slice(input *in) {
  int b = byte(in);
  if (b < 0)
    return;
  int kind = b & 3, pub = (b & 0x20) != 0, n = (b & 0x10) ? 1 << 20 : 1 << ((b >> 2) & 3);
  trace("slice(%s, %s, %s)\n", kind < 2 ? "due" : kind == 2 ? "full" : "young",
        (b & 0x10) ? "to the end" : n == 1 ? "1" : n == 2 ? "2" : n == 4 ? "4" : "8",
        pub ? "rcgc_collect_step" : "16 units");
  if (!F.inc_run && F.policy == RCGC_POLICY_SUSPECTS) {
    if (kind >= 2) {
      model_inc_start(kind == 2 ? 2 : 1);
      CHECK(rcgc__inc_start(F.heap, kind == 2 ? 2 : 1, COLLECT_BACKSTOP),
            "rcgc__inc_start failed");
    } else {
      int any = 0;
      for (int i = 0; i < F.n; i++)
        any |= F.o[i].alive && F.o[i].suspect;
      if (any) {
        model_inc_start(0);
        if (!pub) /* what rcgc_collect_step starts when suspects wait */
          CHECK(rcgc__inc_start(F.heap, 0, COLLECT_SUSPECTS), "rcgc__inc_start failed");
      }
    }
  }
  for (int k = 0; k < n; k++) {
    rcgc_incremental_stats s0, s1;
    CHECK(rcgc_get_incremental_stats(F.heap, &s0) == RCGC_OK, "get_incremental_stats failed");
    int r = pub ? rcgc_collect_step(F.heap, 1) : rcgc__inc_slice(F.heap, 0.0) ? 1 : 0;
    CHECK(rcgc_get_incremental_stats(F.heap, &s1) == RCGC_OK, "get_incremental_stats failed");
    CHECK(r == 0 || r == 1, "rcgc_collect_step returned %d", r);
    CHECK(s1.collections - s0.collections == (F.fin_stop ? 1 : 0) && s1.running == r &&
              (F.fin_stop ? r == 0 : r == F.inc_run),
          "rcgc_collect_step returned %d (collections +%ld, running %d), model running %d, "
          "finished %d",
          r, s1.collections - s0.collections, s1.running, F.inc_run, F.fin_stop);
    if (F.fin_stop) {
      model_finish();
      check_all("last slice");
    } else {
      if (F.strict) { /* what RELEASE freed in this slice */
        long dc[MAX_OBJS];
        unsigned char dm[MAX_OBJS];
        for (int i = 0; i < F.n; i++)
          dc[i] = F.o[i].destroy;
        doomed_now(dm);
        model_release(dc, dm, "slice");
      }
      check_all("slice");
    }
    inc_observe("slice");
    check_heap("slice");
    if (r == 0)
      break;
  }
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
  if (first >= 0 && (first & 6) == 6)
    cfg.flags |= RCGC_CONFIG_SERIALS; /* debug builds record them anyway */
  /* bit 6: the default policy, RCGC_POLICY_SUSPECTS (the bit the fewest
  ** inputs of the corpus had set before it meant this); else the CPython
  ** policy, whose collections examine exactly generations 0..G */
  cfg.policy = first >= 0 && (first & 0x40) ? RCGC_POLICY_SUSPECTS : RCGC_POLICY_CPYTHON;
  /* bit 7 (set by no input of the corpus before it meant this): bytes 142
  ** and 196 are the incremental operations instead of DEBUG_SAVEALL */
  F.incmode = first >= 0 && (first & 0x80);
  /* bits 7, 5 and 4 set, bit 3 clear (a combination no input of the corpus
  ** had before it meant this): the incremental operations in a heap with
  ** RCGC_CONFIG_STRICT_STORES -- op_swap moves with counts, a type with a
  ** finalizer or legacy finalizer is allocated only with bit 7 of the
  ** allocation byte, a weak reference made only with bit 1 of its byte
  ** (see "strict stores" below) */
  F.strict = first >= 0 && (first & 0xb8) == 0xb0;
  if (F.strict)
    cfg.flags |= RCGC_CONFIG_STRICT_STORES;
  F.heap = rcgc_heap_new(&cfg);
  CHECK(F.heap != NULL, "rcgc_heap_new failed");
  F.obj_over = -1;
  F.policy = (int)cfg.policy;
  CHECK(rcgc_get_policy(F.heap) == F.policy, "rcgc_get_policy disagrees with the configuration");
  trace("policy %s%s%s\n", F.policy == RCGC_POLICY_SUSPECTS ? "SUSPECTS" : "CPYTHON",
        F.incmode ? ", incremental operations" : "", F.strict ? ", strict stores" : "");
  F.serials = (cfg.flags & RCGC_CONFIG_SERIALS) != 0;
#ifdef RCGC_CHECKS
  F.serials = 1; /* debug builds always record them */
#endif
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
    case 15: /* bytes 141, 159, ..., 249: the leak tools */
      if (op / 18 >= 7)
        op_leak(in);
      else
        op_introspect(in);
      break;
    case 16: /* byte 250: the policy; 142, 196 with config bit 7: incremental */
      if (op / 18 == 13)
        op_policy();
      else if (F.incmode && op == 142)
        op_slice(in);
      else if (F.incmode && op == 196)
        op_swap(in);
      else
        op_debug();
      break;
    case 17: op_garbage(in); break;
    }
    check_all("operation");
    if (F.incmode) {
      total_inc_between += F.inc_run && op != 142;
      inc_observe("operation");
    }
  }
  /* the lists and flags (generations, suspects): here, and after every
  ** collection, introspection, garbage and leak tool call (after every
  ** operation it would cost a fifth of the run) */
  check_heap("end of program");
  /* wind down: drop every hold of the harness, collect everything */
  trace("-- drop all\n");
  for (int i = 0; i < F.n; i++)
    while (F.o[i].alive && F.o[i].ext > 0) {
      rcgc_decref(F.heap, F.o[i].ptr);
      model_decref_ext(i);
    }
  check_all("drop all");
  long got = rcgc_collect(F.heap, 2);
  got -= model_settle();
  mresult want = model_collect(2, 0);
  check_collect("final collect", got, want);
  if (F.mark != NULL)
    rcgc_leak_free(F.heap, F.mark);
  F.mark = NULL;
  /* heap destroy: garbage list released, a full collection without
  ** SAVEALL; what is left (legacy cycles) is reported and freed */
  model_garbage_clear();
  model_collect(2, 1);
  long left = model_alive();
  total_ops += F.ops_run;
  F.destroying = 1;
  long alive = rcgc_heap_destroy(F.heap);
  F.destroying = 0;
  F.heap = NULL;
  CHECK(alive == left, "heap_destroy reported %ld alive, model %ld", alive, left);
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
  fprintf(stderr,
          "fuzz_oracle: %ld inputs, %ld operations checked against the model (%ld leak tools, "
          "%ld incremental collections, %ld operations between slices, %ld garbage objects found; "
          "%ld strict collections, %ld freeing in slices, %ld objects freed so)\n",
          total_inputs, total_ops, total_leak_ops, total_inc_done, total_inc_between,
          total_inc_garbage, total_strict_done, total_release_done, total_release_freed);
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
#ifdef FUZZ_REPLAY_MAIN
  if (getenv("FUZZ_TRACE")) /* the operations of each input, as a finding prints them */
    printf("%s:\n%s\n", path, F.trace);
#endif
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
  printf("fuzz_oracle: replayed %d inputs, %ld operations (%ld leak tools, %ld incremental "
         "collections, %ld operations between slices, %ld garbage objects found; %ld strict "
         "collections, %ld freeing in slices, %ld objects freed so), no finding\n",
         n, total_ops, total_leak_ops, total_inc_done, total_inc_between, total_inc_garbage,
         total_strict_done, total_release_done, total_release_freed);
  return 0;
}
#endif

#ifdef FUZZ_REPLAY_CRITERION
#include <criterion/criterion.h>

Test(fuzz, replay_corpus) {
  int n = replay_dir(FUZZ_CORPUS_DIR);
  cr_assert_gt(n, 0, "no corpus in %s", FUZZ_CORPUS_DIR);
  cr_log_info("replayed %d inputs, %ld operations (%ld leak tools, %ld incremental collections, "
              "%ld operations between slices, %ld garbage objects found; %ld strict collections, "
              "%ld freeing in slices, %ld objects freed so)",
              n, total_ops, total_leak_ops, total_inc_done, total_inc_between, total_inc_garbage,
              total_strict_done, total_release_done, total_release_freed);
}
#endif
