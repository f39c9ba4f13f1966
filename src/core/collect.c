/*
** collect.c -- the cycle collector.
**
** Trial deletion over generations, in the phase order CPython settled on
** (3.13 gc_collect_main plus the 2025 weak-reference order of gh-135552).
** A collection of generation G:
**
**  0. guard: a collection already running returns 0. "start" callbacks;
**     DEBUG_STATS header; counts (count[G+1]++, count[0..G] = 0); the lists
**     of generations G, 0, 1, ..., G-1 are merged, in that order (CPython
**     appends the younger lists to the collected one), into a local list
**     'young' (so objects allocated by user code later in this collection
**     land in an empty gens[0], never in a list being processed). Under
**     the suspects policy the suspects list joins them: first in a closure
**     collection (MODE_CLOSURE: an automatic or young one, which pulls in
**     everything the suspects reach while it subtracts), last otherwise;
**     a suspect collection takes the suspects alone.
**  1. deduce_unreachable(young -> unreachable):
**     a. update_refs: gc_refs = refcnt, PREV_COLLECTING set. The list is
**        singly linked from here until move_unreachable restores it.
**     b. subtract_refs: traverse every candidate; each reference to a
**        candidate decrements its gc_refs. Afterwards gc_refs = references
**        from outside the candidates (C locals, globals, older generations,
**        untracked objects). gc_refs going below 0 is "refcount is too
**        small": reported, and the collection is abandoned with nothing
**        freed (every candidate treated as reachable). So is a reported
**        pointer that is no object of the heap (type id out of range;
**        fully validated in debug builds), before anything is written
**        into it.
**     c. move_unreachable: a scan of young; gc_refs > 0 means reachable:
**        traverse it, marking what it reaches reachable (pulled back from
**        the tentatively-unreachable list if already moved there);
**        gc_refs == 0 means tentatively unreachable: moved, flagged with
**        NEXT_UNREACHABLE. Objects pulled back are appended to young and
**        scanned again later: a breadth-first mark with no stack and no
**        allocation. On exit young holds exactly the reachable candidates
**        with plain links, and unreachable the garbage. Shortcut: when
**        no user code can run (no finalizer, weak reference or debug flag
**        that lists the garbage) and no candidate kept an outside
**        reference -- counted during b for young and closure collections,
**        checked by a walk for full ones -- the whole list is garbage and
**        goes straight to step 9.
**  2. survivors (young) go to the next generation (long-lived counters).
**  3. legacy finalizers: objects whose type has legacy_finalize, and all
**     that is reachable from them, move to 'finalizers': uncollectable.
**  4. DEBUG_COLLECTABLE lines for what is left in unreachable.
**  5. weak reference callbacks: every weak reference with a callback to a
**     garbage object is cleared; if the weak reference is garbage itself its
**     callback is dropped, otherwise it is queued and called now, with the
**     referent already gone. Weak references without callback stay.
**  6. modern finalizers, each at most once (TI_FINALIZED), with a temporary
**     reference; the iteration pops from the head of unreachable into
**     'seen', so objects that die by refcount meanwhile simply unlink.
**  7. resurrection: deduce_unreachable again on what is left; whatever has
**     gained an outside reference, and everything it reaches, survives
**     (moved to the old generation, not counted as collected).
**  8. remaining weak references to, and inside, the final garbage are
**     cleared: no user code can observe a half-freed object. Those made by
**     finalizers since step 5 that have a callback and are not garbage
**     themselves are held; their callbacks run after step 9.
**  9. DEBUG_SAVEALL: the garbage goes to the garbage list. Otherwise it is
**     freed without touching the members' refcounts (delete_garbage): each
**     member that referenced a non-member (PREV_OUTSIDE, from step 1b) is
**     traversed and only the references that leave the garbage are
**     released (those objects may die by refcount: pushed on the zero
**     stack and freed after the pass); then each member is destroyed and
**     its block returned. No member can reach 0 on its own meanwhile: a
**     reference the collector did not see would have made it reachable.
** 10. uncollectable accounting, DEBUG_UNCOLLECTABLE lines, the DEBUG_STATS
**     done line, legacy objects (all of 'finalizers' under SAVEALL) appended
**     to the garbage list, 'finalizers' merged into the old generation.
** 11. stats, "stop" callbacks. Returns collected + uncollectable.
**
** No phase recurses and no phase allocates, except appending to the garbage
** list (step 9/10); when that fails the object stays alive in the old
** generation and the failure is reported. Before step 11 the pools may
** return empty pages (alloc.c, rcgc__pools_maybe_trim): that is part of
** the collection's pause and counted in its duration; under a pause budget
** only when it fits in half of it (trim_allowance).
*/
#include "internal.h"

typedef struct ctx_t {
  rcgc_heap *heap;
  head_t *bad;     /* object whose gc_refs went below zero */
  head_t *list;
  bool outside;    /* the object being traversed references a non-candidate */
  bool expanding;  /* closure mode: the object being traversed pulls its
                      children into the candidates (TI_SUSPECT) */
  head_t *cursor;  /* closure mode: where the next pulled object goes */
  size_t pulled;   /* closure mode: objects pulled in */
  bool junk;       /* a traverse reported a pointer that is no object */
  size_t zeroed;   /* candidates whose gc_refs the subtraction took to 0 */
  /* (heap->ntypes - 1) << TI_SHIFT: a tinfo word t has a valid type id
  ** (1 .. ntypes - 1) exactly when t - (1 << TI_SHIFT) is below it, as
  ** unsigned numbers (the flags sit below TI_SHIFT; id 0 wraps around) */
  uint32_t tinfo_limit;
  bool lazy;       /* closure mode over suspects alone: gc_refs are set at
                      first contact (subtract_closure) */
  size_t reached;  /* lazy: candidates of the list whose gc_refs were set */
  size_t limit;    /* lazy: give up past this many candidates (0: never) */
  double deadline; /* ... or past this time (rcgc__now; with a limit) */
  unsigned ticks;  /* objects scanned, for the clock's reads */
  bool over;       /* ... and it did */
} ctx_t;

/* How deduce_unreachable finds the candidates' gc_refs. */
typedef enum mode_t_ {
  MODE_LIST,    /* the candidates are the list */
  MODE_FULL,    /* the list is every tracked, unfrozen object */
  MODE_CLOSURE  /* the list, plus everything suspects reach (policy.c) */
} mode_t_;

/* What deduce_unreachable found. */
typedef struct deduce_t {
  size_t candidates, reachable;
  /* every candidate is garbage and move_unreachable was skipped: the
  ** candidate list is the garbage, still singly linked (see there) */
  bool all_garbage;
  /* PREV_OUTSIDE is set on exactly the unreachable objects that reference
  ** something outside the unreachable set (see delete_garbage) */
  bool outside_exact;
  /* the closure passed heap->closure_limit candidates: given up, the list
  ** restored, every candidate a suspect again */
  bool over;
} deduce_t;


/* ------------------------------------------------------------ list checks */

/* Debug builds check the state of every list a phase hands to the next
** (the habit of CPython's validate_list): well-formed circular doubly
** linked, every member alive with a registered type, no NEXT_UNREACHABLE
** (but with LIST_FLAGGED), and PREV_COLLECTING exactly as 'collecting'
** says (LIST_CANDIDATES or LIST_FLAGGED: the members are the running
** collection's candidates; LIST_PLAIN: plain links). A violation is
** a bug of the collector or an undetected misuse: it is reported as misuse,
** naming the list and the phase. Costs one pass per list per phase. */
enum { LIST_PLAIN = 0, LIST_CANDIDATES = 1, LIST_FLAGGED = 2 };
#ifdef RCGC_CHECKS
static void validate_list(rcgc_heap *heap, head_t *list, int kind, const char *name,
                          const char *phase) {
  bool collecting_members = kind != LIST_PLAIN;
  head_t *prev = list;
  for (head_t *h = next_of(list);; prev = h, h = next_of(h)) {
    if (prev_of(h) != prev || (h != list && kind != LIST_FLAGGED && (h->gc_next & NEXT_UNREACHABLE))) {
      rcgc__misuse(heap, NULL, "internal invariant",
                   "the %s list is not a well-formed list after %s (at %p)", name, phase,
                   (void *)h);
      return;
    }
    if (h == list)
      return;
    uint32_t id = type_id_of(h);
    if (id == 0 || id >= heap->ntypes || h->refcnt == 0 ||
        ((h->gc_prev & PREV_COLLECTING) != 0) != collecting_members) {
      rcgc__misuse(heap, FROM_HEAD(h), "internal invariant",
                   "on the %s list after %s: %s", name, phase,
                   h->refcnt == 0 ? "dead" : id == 0 || id >= heap->ntypes ? "no type"
                   : collecting_members ? "not a candidate" : "still a candidate");
      return;
    }
  }
}
#define VALIDATE(heap, list, collecting, name, phase) \
  validate_list((heap), (list), (collecting), (name), (phase))
#else
#define VALIDATE(heap, list, collecting, name, phase) ((void)0)
#endif

/* ------------------------------------------------------------ debug lines */

static void debug_object(rcgc_heap *heap, const char *what, head_t *h) {
  const rcgc_type *t = type_of(heap, h);
  char buf[512];
  int n = snprintf(buf, sizeof buf, "gc: %s <%s %p>", what, t->name, FROM_HEAD(h));
  if ((heap->debug & RCGC_DEBUG_REPR) && t->repr != NULL && n > 0 && (size_t)n < sizeof buf - 2) {
    buf[n++] = ' ';
    USER_BEGIN(heap);
    int m = t->repr(FROM_HEAD(h), buf + n, sizeof buf - (size_t)n - 1);
    USER_END(heap);
    if (m > 0)
      n += m < (int)(sizeof buf - (size_t)n - 2) ? m : (int)(sizeof buf - (size_t)n - 2);
  }
  if (n < 0)
    return;
  if ((size_t)n > sizeof buf - 2)
    n = (int)sizeof buf - 2;
  buf[n++] = '\n';
  rcgc__write(heap, buf, (size_t)n);
}

/* ------------------------------------------------------------ phase 1 */

/* Returns the number of objects on the list. */
static size_t update_refs(head_t *list) {
  size_t n = 0;
  for (head_t *h = next_of(list); h != list; h = next_of(h)) {
    set_gc_refs(h, h->refcnt);
    n++;
  }
  return n;
}

/* One reference to the candidate 'c' was found inside the candidates. A
** count going below zero is remembered (reported by deduce_unreachable).
** Every candidate starts with gc_refs = refcount >= 1, so with 'count' the
** candidates that end at 0 are exactly those counted in ctx->zeroed: when
** that is all of them, no candidate is referenced from outside, and
** deduce_unreachable knows it without another pass over the list (checked
** by all_zero in debug builds). Young and suspect collections count: their
** candidates are often all garbage, and that pass would then walk them all.
** Full collections do not: their candidates are mostly alive, and all_zero
** stops at the first live one for less than the count costs per reference. */
static inline void subtract_one(ctx_t *ctx, head_t *c, bool count) {
  if (gc_refs(c) == 0) {
    if (ctx->bad == NULL)
      ctx->bad = c;
    return;
  }
  gc_refs_dec(c);
  if (count)
    ctx->zeroed += gc_refs(c) == 0;
}

/* SKIP_JUNK: is 'child' no live object of this heap? Then it is reported,
** the visit returns 0 and the collection will be abandoned: the first pass
** is the only one that looks before it writes, so nothing is written into
** memory that is no object. Release builds check the type id range (one
** compare: id 0, ids past the table and freed blocks all fail it); debug
** builds check fully. */
#ifdef RCGC_CHECKS
#define SKIP_JUNK(ctx, child, c)                                                \
  do {                                                                         \
    (void)(c);                                                                 \
    if (!rcgc__valid_object((ctx)->heap, (child), "traverse (collection)")) {  \
      (ctx)->junk = true;                                                      \
      return 0;                                                                \
    }                                                                          \
  } while (0)
#else
/* Out of the visit functions' line, so that their fast path needs no stack
** frame: a tail call. An id outside 1..ntypes-1 is never a valid object. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline, cold))
#endif
static int junk_child(ctx_t *ctx, void *child) {
  rcgc__valid_object(ctx->heap, child, "traverse (collection)"); /* reports */
  ctx->junk = true;
  return 0;
}
#define SKIP_JUNK(ctx, child, c)                                                \
  do {                                                                         \
    if (RCGC_UNLIKELY((c)->tinfo - (1u << TI_SHIFT) >= (ctx)->tinfo_limit))     \
      return junk_child((ctx), (child));                                       \
  } while (0)
#endif

static int visit_decref(void *child, const char *edge, void *arg) {
  (void)edge;
  ctx_t *ctx = arg;
  head_t *c = AS_HEAD(child);
  SKIP_JUNK(ctx, child, c);
  if (is_collecting(c))
    subtract_one(ctx, c, true);
  else
    ctx->outside = true;
  return 0;
}

/* Traverse candidate 'h' with 'visit', then mark it PREV_OUTSIDE if it
** referenced a non-candidate. */
static inline void subtract_object(ctx_t *ctx, head_t *h, rcgc_visit_fn visit) {
  ctx->outside = false;
  rcgc__traverse(ctx->heap, h, visit, ctx);
  if (ctx->outside)
    h->gc_prev |= PREV_OUTSIDE;
}

/* Besides subtracting, each candidate that references a non-candidate gets
** PREV_OUTSIDE; when the whole candidate set turns out to be garbage,
** delete_garbage needs to traverse only those (see there). */
static void subtract_refs(ctx_t *ctx, head_t *list) {
  for (head_t *h = next_of(list); h != list; h = next_of(h))
    subtract_object(ctx, h, visit_decref);
}

/* update_refs and subtract_refs in one pass, for full collections only:
** then the candidates are exactly the objects that are neither untracked
** nor frozen (INVARIANT L3b), so a child can be recognised -- and its
** gc_refs initialised on first contact -- before the scan reaches it. */
static int visit_decref_full(void *child, const char *edge, void *arg) {
  (void)edge;
  ctx_t *ctx = arg;
  head_t *c = AS_HEAD(child);
  SKIP_JUNK(ctx, child, c);
  if (c->tinfo & (TI_UNTRACKED | TI_FROZEN)) {
    ctx->outside = true;
    return 0;
  }
  if (!is_collecting(c))
    set_gc_refs(c, c->refcnt);
  subtract_one(ctx, c, false);
  return 0;
}

/* Closure mode (the suspects policy): a suspect -- and every object pulled
** in -- has TI_SUSPECT, and its children that are not candidates yet are
** pulled into the candidates: unlinked from their generation (whose links
** are plain: it is not being collected) and inserted into the candidate
** list right after the object being traversed (after its earlier pulled
** children), so the scan goes depth-first: a structure built depth-first
** is then read in the order it was allocated, which is memory order far
** more often than a breadth-first frontier is. Only forward links and the
** sentinel's tail link are kept while gc_refs overwrite the back links.
** They are traversed when the scan reaches them. The suspects head the
** list, so every object is pulled in before the scan reaches the first
** other candidate (the generations merged by an explicit collection): the
** references of those candidates to pulled objects are then subtracted
** like every reference inside the candidates, and only their children that
** are no candidates are outside, as in MODE_LIST. (Were an object pulled in
** after such a candidate's scan, that candidate's reference to it would
** count as one from outside, and a garbage cycle through both would
** survive.) Everything pulled in is garbage or reached from a suspect, so
** the work is bounded by what suspects reach. */
static int visit_decref_closure(void *child, const char *edge, void *arg) {
  (void)edge;
  ctx_t *ctx = arg;
  head_t *c = AS_HEAD(child);
  SKIP_JUNK(ctx, child, c);
  if (!is_collecting(c)) {
    if (ctx->lazy && (c->tinfo & TI_SUSPECT)) {
      /* a suspect the scan has not reached: its count starts now */
      set_gc_refs(c, c->refcnt);
      ctx->reached++;
      subtract_one(ctx, c, true);
      return 0;
    }
    if (!ctx->expanding || (c->tinfo & (TI_UNTRACKED | TI_FROZEN))) {
      ctx->outside = true;
      return 0;
    }
    list_remove(c);
    head_t *at = ctx->cursor;
    head_t *after = next_of(at);
    c->gc_next = (uintptr_t)after;
    at->gc_next = (uintptr_t)c;
    if (prev_of(ctx->list) == at)
      ctx->list->gc_prev = (uintptr_t)c; /* the new tail */
    else if (ctx->lazy && !is_collecting(after))
      after->gc_prev = (uintptr_t)c; /* a suspect not reached yet keeps its back link */
    ctx->cursor = c;
    set_gc_refs(c, c->refcnt);
    c->tinfo |= TI_SUSPECT;
    ctx->pulled++;
  }
  subtract_one(ctx, c, true);
  return 0;
}

/* Lazy (an automatic suspect collection: the list is the suspects alone,
** all with TI_SUSPECT): no update_refs pass over the list beforehand -- on a
** heap that churned, one more read of every candidate in list order, which
** is not memory order. A candidate's gc_refs are set when the scan reaches
** it or, before that, when a candidate references it: a suspect without
** PREV_COLLECTING is one the scan has not reached (a pulled object has its
** gc_refs from the moment it is pulled). Until the scan reaches them such
** suspects keep their back links (P1), so pulling an object in front of
** one updates its back link. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline)) /* its loop apart: deduce_unreachable's others keep their registers */
#endif
static void subtract_closure(ctx_t *ctx, head_t *list) {
  for (head_t *h = next_of(list); h != list; h = next_of(h)) {
    if (ctx->lazy && !is_collecting(h)) {
      set_gc_refs(h, h->refcnt);
      ctx->reached++;
    }
    ctx->expanding = (h->tinfo & TI_SUSPECT) != 0;
    ctx->cursor = h;
    subtract_object(ctx, h, visit_decref_closure);
    /* the limit is a prediction from the last collection's time per
    ** candidate, which a cold cache can double: the clock too, every 512 */
    if (RCGC_UNLIKELY(ctx->limit != 0) &&
        (ctx->reached + ctx->pulled > ctx->limit ||
         (++ctx->ticks % 512 == 0 && rcgc__now() > ctx->deadline))) {
      ctx->over = true;
      return;
    }
  }
}

/* Under the suspects policy the pass also clears TI_SUSPECT, the suspects'
** flag (every candidate is examined; INVARIANT S1 after the collection):
** the header is being written anyway, where a pass of its own would read
** and write every suspect again. */
static size_t update_subtract_full(ctx_t *ctx, head_t *list) {
  size_t n = 0;
  const uint32_t keep = ctx->heap->policy == RCGC_POLICY_SUSPECTS ? ~(uint32_t)TI_SUSPECT
                                                                   : ~(uint32_t)0;
  for (head_t *h = next_of(list); h != list; h = next_of(h)) {
    if (!is_collecting(h))
      set_gc_refs(h, h->refcnt);
    h->tinfo &= keep;
    subtract_object(ctx, h, visit_decref_full);
    n++;
  }
  return n;
}

static int visit_reachable(void *child, const char *edge, void *arg) {
  (void)edge;
  head_t *young = arg;
  head_t *c = AS_HEAD(child);
  if (!is_collecting(c))
    return 0; /* another generation, or already scanned */
  if (c->gc_next & NEXT_UNREACHABLE) {
    /* tentatively unreachable after all: unlink by hand (the flags make
    ** the list helpers unusable here) and append to young's tail */
    head_t *prev = prev_of(c), *next = next_of(c);
    prev->gc_next = c->gc_next; /* keeps the flag */
    next->gc_prev = (next->gc_prev & PREV_FLAGS) | (uintptr_t)prev;
    head_t *last = prev_of(young);
    last->gc_next = (uintptr_t)c;
    c->gc_next = (uintptr_t)young;
    young->gc_prev = (uintptr_t)c;
    set_gc_refs(c, 1);
  } else if (gc_refs(c) == 0) {
    set_gc_refs(c, 1); /* ahead of the scan: it will be traversed there */
  }
  return 0;
}

/* Returns the number of reachable objects left in young. */
/* (Always inlined into its two callers below, so that each loop is compiled
** with 'closure' a constant.) */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))
#endif
static inline size_t move_unreachable_(rcgc_heap *heap, head_t *young, head_t *unreachable,
                                       bool closure, bool fixup) {
  /* after a closure collection every candidate leaves without TI_SUSPECT
  ** (it has been examined; INVARIANT S1) -- garbage freed at once keeps it,
  ** see move_unreachable below; a full collection cleared the
  ** flags in its subtraction, a list collection has no suspects, and the
  ** CPython policy keeps the flag everywhere (INVARIANT S2) */
  head_t *prev = young;
  head_t *h = next_of(young);
  size_t reachable = 0;
  /* Loop invariant: every object left of 'h' in young is reachable and
  ** scanned (PREV_COLLECTING clear, gc_prev a plain pointer); every
  ** object of the original young left of 'h' that is not in young is on
  ** unreachable with NEXT_UNREACHABLE set; nothing at or right of 'h' has
  ** been scanned. young->gc_prev is the tail while the scan runs. */
  while (h != young) {
    if (gc_refs(h) > 0) {
      rcgc__traverse(heap, h, visit_reachable, young);
      h->gc_prev = (uintptr_t)prev; /* clears PREV_COLLECTING */
      if (closure)
        h->tinfo &= ~(uint32_t)TI_SUSPECT;
      prev = h;
      reachable++;
    } else {
      prev->gc_next = h->gc_next;
      head_t *last = prev_of(unreachable);
      last->gc_next = NEXT_UNREACHABLE | (uintptr_t)h;
      h->gc_prev = (uintptr_t)last | (h->gc_prev & PREV_FLAGS); /* COLLECTING, OUTSIDE */
      h->gc_next = NEXT_UNREACHABLE | (uintptr_t)unreachable;
      unreachable->gc_prev = (uintptr_t)h;
    }
    h = next_of(prev);
  }
  young->gc_prev = (uintptr_t)prev;
  unreachable->gc_next &= ~NEXT_UNREACHABLE;
  if (!fixup)
    return reachable;
  /* drop the NEXT_UNREACHABLE flags: unreachable becomes an ordinary list
  ** whose members keep PREV_COLLECTING */
  for (head_t *u = next_of(unreachable); u != unreachable; u = next_of(u)) {
    u->gc_next &= ~NEXT_UNREACHABLE;
    if (closure)
      u->tinfo &= ~(uint32_t)TI_SUSPECT;
  }
  return reachable;
}

/* With 'fixup' false the garbage keeps its NEXT_UNREACHABLE flags, and in
** closure mode its TI_SUSPECT: only delete_garbage may read the list then
** (next_of masks the flag), which is what the collection's shortcut
** guarantees -- no user code, nothing saved, everything freed --, and the
** pass that drops them, one more read and write of every garbage object in
** list order, which after churn is not memory order, is saved. */
static size_t move_unreachable(rcgc_heap *heap, head_t *young, head_t *unreachable,
                               bool closure, bool fixup) {
  return closure ? move_unreachable_(heap, young, unreachable, true, fixup)
                 : move_unreachable_(heap, young, unreachable, false, fixup);
}

/* True when no candidate has a reference from outside the candidates. */
static bool all_zero(const head_t *list) {
  for (const head_t *h = next_of(list); h != list; h = next_of(h))
    if (gc_refs(h) > 0)
      return false;
  return true;
}

/* Undo update_refs after a failed subtract_refs: restore the back links
** and clear every flag. */
static void restore_list(rcgc_heap *heap, head_t *list) {
  const uint32_t keep = ~(heap->fresh_bits ^ TI_SUSPECT);
  head_t *prev = list;
  for (head_t *h = next_of(list); h != list; h = next_of(h)) {
    h->gc_prev = (uintptr_t)prev;
    h->tinfo &= keep;
    prev = h;
  }
  list->gc_prev = (uintptr_t)prev;
}

/* A closure past heap->closure_limit, too large to stay in the pause:
** every candidate (suspects and what they pulled in, each flagged) becomes
** a suspect again -- restore_list and the flag in one pass (the list may
** be long, and the suspects the scan did not reach are out of the cache;
** the flag restore_list clears under the suspects policy is set again). */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline, cold))
#endif
static void give_up_closure(head_t *young, deduce_t *out) {
  head_t *prev = young;
  for (head_t *h = next_of(young); h != young; h = next_of(h)) {
    h->gc_prev = (uintptr_t)prev;
    h->tinfo |= TI_SUSPECT;
    prev = h;
  }
  young->gc_prev = (uintptr_t)prev;
  out->reachable = out->candidates;
  out->outside_exact = false;
  out->over = true;
}

/* Phase 1. Returns false (after reporting) when a refcount is too small or
** a traverse reported a pointer that is no object of this heap; the list is
** then restored with everything in it.
**
** Whether PREV_OUTSIDE is exact: subtract_refs marks references to
** non-candidates, but a reference from an unreachable object to a candidate
** that turned out reachable also leaves the garbage. There is none when
** nothing is reachable. (Counting such references exactly beside survivors
** is possible -- candidate edges minus those from reachable objects minus
** the garbage's refcounts -- but costs two counters per reference on every
** full collection, about 10% on a live heap, to save work only on garbage:
** not worth it.)
**
** All garbage: every gc_refs is 0, so nothing is reachable (all_zero stops
** at the first candidate with an outside reference, which on a live heap is
** usually among the first). With 'shortcut' (no user code can run on the
** garbage, see the caller), move_unreachable is skipped: the candidate list is returned as the
** garbage with out->all_garbage set -- singly linked (its members' gc_prev
** hold gc_refs and flags), which is all delete_garbage needs. */
static bool deduce_unreachable(rcgc_heap *heap, head_t *young, head_t *unreachable,
                               deduce_t *out, mode_t_ mode, bool shortcut, bool suspects_only) {
  ctx_t ctx = {.heap = heap,
               .list = young,
               .tinfo_limit = (heap->ntypes - 1u) << TI_SHIFT,
               .lazy = mode == MODE_CLOSURE && suspects_only};
  if (ctx.lazy) {
    ctx.limit = heap->closure_limit;
    ctx.deadline = heap->closure_deadline;
  }
  out->all_garbage = false;
  out->over = false;
  if (mode == MODE_FULL) {
    out->candidates = update_subtract_full(&ctx, young);
  } else if (mode == MODE_CLOSURE) {
    out->candidates = ctx.lazy ? 0 : update_refs(young);
    subtract_closure(&ctx, young);
    if (ctx.limit != 0)
      heap->closure_end = rcgc__now(); /* its share of the pause: policy.c */
    out->candidates += ctx.reached + ctx.pulled;
  } else {
    out->candidates = update_refs(young);
    subtract_refs(&ctx, young);
  }
  if (RCGC_UNLIKELY(ctx.over) && ctx.bad == NULL && !ctx.junk) {
    give_up_closure(young, out);
    return false;
  }
  if (ctx.bad != NULL || ctx.junk) {
    restore_list(heap, young);
    if (ctx.bad != NULL) /* (junk pointers were reported when found) */
      rcgc__misuse(heap, FROM_HEAD(ctx.bad), "refcount is too small",
                   "traverse functions report more references to this object than its "
                   "refcount (%u) counts; the collection was abandoned and nothing was freed",
                   (unsigned)ctx.bad->refcnt);
    out->reachable = out->candidates;
    out->outside_exact = false;
    return false;
  }
  bool none_outside = mode == MODE_FULL ? all_zero(young) : ctx.zeroed == out->candidates;
#ifdef RCGC_CHECKS
  if (mode != MODE_FULL && none_outside != all_zero(young))
    rcgc__misuse(heap, NULL, "internal invariant",
                 "the collector counted %zu of %zu candidates with no outside reference, "
                 "but the list says otherwise",
                 ctx.zeroed, out->candidates);
#endif
  if (shortcut && none_outside) {
    out->reachable = 0;
    out->outside_exact = true;
    out->all_garbage = true;
    return true;
  }
  out->reachable = move_unreachable(heap, young, unreachable, mode == MODE_CLOSURE, !shortcut);
  out->outside_exact = out->reachable == 0;
  return true;
}

static void clear_collecting(head_t *list) {
  for (head_t *h = next_of(list); h != list; h = next_of(h))
    h->gc_prev &= ~PREV_FLAGS;
}

bool rcgc__prove_list(rcgc_heap *heap, head_t *list, head_t *kept) {
  head_t unreachable;
  list_init(&unreachable);
  deduce_t d = {0, 0, false, false, false};
  bool ok = deduce_unreachable(heap, list, &unreachable, &d, MODE_LIST, false, false);
  list_merge(list, kept); /* the reachable (all of it when the proof failed) */
  clear_collecting(&unreachable);
  list_merge(&unreachable, list);
  return ok;
}

/* ------------------------------------------------------------ phase 3 */

/* Objects on the collection's own lists that are not candidates --
** 'finalizers' (uncollectable) and the weak references whose callbacks are
** queued -- carry PREV_LOCAL (internal.h, P3) until they return to a
** generation: rcgc__suspect must not move them to the suspects list while
** the collection still walks those lists. */

static int visit_move(void *child, const char *edge, void *arg) {
  (void)edge;
  head_t *to = arg;
  head_t *c = AS_HEAD(child);
  if (is_collecting(c)) {
    mark_local(c);
    list_move(c, to);
  }
  return 0;
}

/* Does 'h' make the cyclic garbage it is part of uncollectable? It has a
** legacy finalizer, and rcgc_garbage_release(RCGC_RELEASE_LEGACY) has not
** turned that finalizer into a modern one (TI_RELEASE). */
static bool makes_uncollectable(rcgc_heap *heap, head_t *h) {
  return type_of(heap, h)->legacy_finalize != NULL && !(h->tinfo & TI_RELEASE);
}

static void move_legacy_finalizers(rcgc_heap *heap, head_t *unreachable, head_t *finalizers) {
  head_t *h = next_of(unreachable);
  while (h != unreachable) {
    head_t *next = next_of(h);
    if (makes_uncollectable(heap, h)) {
      mark_local(h);
      list_move(h, finalizers);
    }
    h = next;
  }
  /* everything reachable from them is uncollectable too; the list grows
  ** at its tail while we walk it */
  for (head_t *f = next_of(finalizers); f != finalizers; f = next_of(f))
    rcgc__traverse(heap, f, visit_move, finalizers);
}

/* ------------------------------------------------------------ phase 5 */

/* Returns the number of weak references freed by their own callback
** (CPython counts them as collected). */
static long handle_weakref_callbacks(rcgc_heap *heap, head_t *unreachable, head_t *old,
                                     long *user_calls) {
  head_t wrcb;
  list_init(&wrcb);
  for (head_t *h = next_of(unreachable); h != unreachable; h = next_of(h)) {
    if (!(h->tinfo & TI_WEAKREFD))
      continue;
    struct rcgc_weakref *wr = rcgc__weakref_list(heap, FROM_HEAD(h));
    while (wr != NULL) {
      struct rcgc_weakref *next = wr->next;
      if (wr->callback != NULL) {
        head_t *wh = AS_HEAD(wr);
        rcgc__weakref_detach(heap, wr);
        if (is_collecting(wh)) {
          wr->callback = NULL; /* garbage itself: never fires */
        } else {
          ref_inc(heap, wh);
          mark_local(wh);
          list_move(wh, &wrcb);
        }
      }
      wr = next;
    }
  }
  long freed = 0;
  while (!list_empty(&wrcb)) {
    head_t *wh = next_of(&wrcb);
    struct rcgc_weakref *wr = FROM_HEAD(wh);
    rcgc_weakref_fn cb = wr->callback;
    wr->callback = NULL;
    USER_BEGIN(heap);
    cb(heap, wr, wr->ud);
    USER_END(heap);
    (*user_calls)++;
    /* drop the temporary reference; a survivor is not made a suspect by
    ** it (nobody else lost a reference) */
    if (wh->refcnt > 1) {
      if (wh->refcnt != RC_IMMORTAL)
        wh->refcnt--;
    } else
      rcgc_decref_slow_(heap, wr);
    if (next_of(&wrcb) == wh) {
      /* it survived: to the old generation, as CPython does -- a frozen
      ** weak reference is unfrozen by this (INVARIANT L3b) */
      wh->tinfo &= ~(uint32_t)TI_FROZEN;
      wh->gc_prev &= ~PREV_FLAGS;
      if (!(wh->tinfo & TI_UNTRACKED))
        settle_suspect_bit(heap, wh);
      list_move(wh, (wh->tinfo & TI_UNTRACKED) ? &heap->untracked : old);
    }
    else
      freed++;
  }
  return freed;
}

/* ------------------------------------------------------------ phase 6 */

/* Returns the number of finalizers called. */
static long finalize_garbage(rcgc_heap *heap, head_t *unreachable) {
  long calls = 0;
  head_t seen;
  list_init(&seen);
  while (!list_empty(unreachable)) {
    head_t *h = next_of(unreachable);
    list_move(h, &seen);
    const rcgc_type *t = type_of(heap, h);
    /* the modern finalizer once; and a released legacy object's legacy
    ** finalizer once (rcgc_garbage_release with RCGC_RELEASE_LEGACY); each
    ** with a temporary reference, during which the object may die */
    bool modern = t->finalize != NULL && !(h->tinfo & TI_FINALIZED);
    bool legacy = (h->tinfo & TI_RELEASE) && t->legacy_finalize != NULL &&
                  !(h->tinfo & TI_LEGACY_RAN);
    if (!modern && !legacy)
      continue;
    h->refcnt++;
    hold_push(heap, h);
    if (modern) {
      h->tinfo |= TI_FINALIZED;
      USER_BEGIN(heap);
      t->finalize(heap, FROM_HEAD(h));
      USER_END(heap);
      calls++;
    }
    if (legacy) {
      h->tinfo |= TI_LEGACY_RAN;
      USER_BEGIN(heap);
      t->legacy_finalize(heap, FROM_HEAD(h));
      USER_END(heap);
      calls++;
    }
    hold_pop(heap);
    if (h->refcnt > 0) /* else a finalizer dropped our reference: reported */
      rcgc_decref_slow_(heap, FROM_HEAD(h));
  }
  list_merge(&seen, unreachable);
  return calls;
}

/* ------------------------------------------------------------ phase 9 */

/* Release a reference that leaves the garbage: members (PREV_COLLECTING)
** are freed as a whole and need no decrement. */
static int visit_release_outside(void *child, const char *edge, void *arg) {
  (void)edge;
  rcgc_heap *heap = arg;
  head_t *c = AS_HEAD(child);
  if (!is_collecting(c))
    release_nonmember(heap, c);
  return 0;
}

/* Free every object of 'garbage', in one pass. Every reference to a member
** comes from another member (that is what unreachable means, and step 7
** re-checked it after the last user code ran), so the members' refcounts
** need no updating: for each member, release only the references that
** leave the set (children reaching 0 are pushed on the zero stack, not
** freed yet), run its destroy, and retire its block.
**
** A later member's traverse still looks at earlier members' headers
** (PREV_COLLECTING tells it a child is a member), so a retired block must
** not be reused or have gc_prev overwritten before the pass ends: pooled
** blocks are chained per size class and spliced into the pools at the end
** (O(classes)); other blocks are chained and released after the pass.
** No member can reach refcount 0 on its own meanwhile: only a reference
** the collector did not see could drop it, and such a reference would have
** made the member reachable.
**
** 'outside_exact' says PREV_OUTSIDE marks exactly the members that
** reference something outside the garbage (deduce_unreachable explains when
** that holds; no candidate may have become uncollectable or resurrected
** since). Then a member without PREV_OUTSIDE references only members, and
** its traverse is skipped: cyclic garbage costs one traverse per object
** instead of two. Returns the number freed. */
static long delete_garbage(rcgc_heap *heap, head_t *garbage, bool outside_exact) {
  struct {
    void *first, *last;
  } retired[POOL_CLASSES];
  memset(retired, 0, sizeof retired);
  head_t *others = NULL;
  int was_draining = heap->draining;
  head_t *below = heap->zero_stack; /* a drain loop's, when one runs */
  heap->draining = 1;
  long freed = 0;
  for (head_t *h = next_of(garbage), *next; h != garbage; h = next) {
    next = next_of(h);
    inc_forget(heap, h); /* a running incremental collection's candidate */
    if (!outside_exact || (h->gc_prev & PREV_OUTSIDE))
      rcgc__traverse(heap, h, visit_release_outside, heap);
    /* most garbage has neither a destroy function nor a watch or weak
    ** reference: skip the call */
    const type_desc_t *d = &heap->tdesc[type_id_of(h)];
    if (!d->plain || (h->tinfo & (TI_WATCHED | TI_WEAKREFD)))
      rcgc__destroy_object(heap, h);
#ifndef RCGC_CHECKS
    if (d->pool != 0 && !(h->tinfo & TI_SIZED)) {
      size_t c = d->pool - 1u;
      retire_pooled(heap, h, d, &retired[c].first, &retired[c].last);
      freed++;
      continue;
    }
#endif
    h->gc_next = (uintptr_t)others;
    others = h;
    freed++;
  }
  list_init(garbage);
  for (size_t c = 0; c < POOL_CLASSES; c++) {
    if (retired[c].first != NULL) {
      *(void **)retired[c].last = heap->classes[c].free;
      heap->classes[c].free = retired[c].first;
    }
  }
  while (others != NULL) {
    head_t *h = others;
    others = (head_t *)h->gc_next;
    h->gc_prev = 0;
    rcgc__object_memory_free(heap, h);
  }
  if (heap->gens[0].count > freed)
    heap->gens[0].count -= freed;
  else
    heap->gens[0].count = 0;
  heap->draining = was_draining;
  rcgc__drain_to(heap, below); /* now, even inside a drain loop's user code */
  return freed;
}

/* ------------------------------------------------------------ driver */

void rcgc__invoke_callbacks(rcgc_heap *heap, rcgc_phase phase, const rcgc_collect_info *info) {
  if (heap->ncallbacks == 0)
    return;
  heap->callbacks_running++;
  USER_BEGIN(heap);
  /* a callback may remove registrations: removal nulls the slot while
  ** callbacks run; the array is compacted afterwards */
  for (size_t i = 0; i < heap->ncallbacks; i++) {
    callback_t cb = heap->callbacks[i];
    if (cb.fn != NULL)
      cb.fn(heap, phase, info, cb.ud);
  }
  USER_END(heap);
  if (--heap->callbacks_running == 0) {
    size_t j = 0;
    for (size_t i = 0; i < heap->ncallbacks; i++)
      if (heap->callbacks[i].fn != NULL)
        heap->callbacks[j++] = heap->callbacks[i];
    heap->ncallbacks = j;
  }
}

static void print_generations(rcgc_heap *heap, int generation) {
  char buf[256];
  int n = snprintf(buf, sizeof buf,
                   "gc: collecting generation %d...\n"
                   "gc: objects in each generation: %zu %zu %zu\n"
                   "gc: objects in permanent generation: %zu\n",
                   generation, list_size(&heap->gens[0].head) + list_size(&heap->suspects),
                   list_size(&heap->gens[1].head),
                   list_size(&heap->gens[2].head), list_size(&heap->permanent));
  if (n > 0)
    rcgc__write(heap, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

/* RCGC_DEBUG_CHECK: rcgc_check_heap after a collection or a slice of one
** ('what'), each violation reported -- not while objects are being freed by
** refcount (the one being finalized is on no list then), nor during heap
** destroy or a traverse. */
void rcgc__debug_check(rcgc_heap *heap, const char *what, int generation) {
  if (!(heap->debug & RCGC_DEBUG_CHECK) || heap->destroying || heap->in_traverse ||
      heap->draining)
    return;
  long bad = rcgc__check_heap(heap);
  if (bad > 0)
    rcgc__misuse(heap, NULL, "heap check",
                 "rcgc_check_heap found %ld violation%s after %s of generation %d", bad,
                 bad == 1 ? "" : "s", what, generation);
}

/* Step 0 of a collection of 'generation' (with COLLECT_SUSPECTS, of the
** suspects and their closure alone), for collect.c's and incremental.c's
** alike: the counts (count[G+1]++, count[0..G] = 0), then the candidates,
** appended to 'into'. The suspects policy: suspects are candidates of
** every collection (INVARIANT S2: the list is empty under the CPython
** policy); a closure collection needs their flag and clears it itself, a
** full one clears it in its subtraction (update_subtract_full), and a list
** collection runs only under the CPython policy, without suspects. In a
** closure collection ('closure') they come first: it pulls objects in only
** while it scans the suspects and what they pulled (subtract_closure). In
** the others they come last: their order is the order of the decrements
** that made them, which for a structure built with rcgc_set puts children
** before their parents, and move_unreachable would move each child to
** 'unreachable' and back. */
void rcgc__take_candidates(rcgc_heap *heap, int generation, unsigned flags, bool closure,
                           head_t *into) {
  if (generation + 1 < RCGC_NUM_GENERATIONS)
    heap->gens[generation + 1].count += 1;
  for (int i = 0; i <= generation; i++)
    heap->gens[i].count = 0;
  if (closure)
    list_merge(&heap->suspects, into);
  if (!(flags & COLLECT_SUSPECTS)) {
    /* CPython's order: generation G's objects, then generation 0's, 1's...
    ** (it appends the younger lists to the collected one) */
    list_merge(&heap->gens[generation].head, into);
    for (int i = 0; i < generation; i++)
      list_merge(&heap->gens[i].head, into);
  }
  list_merge(&heap->suspects, into); /* (emptied above in closure mode) */
}

long rcgc__collect(rcgc_heap *heap, int generation, unsigned flags) {
  if (heap->collecting)
    return 0;
  long settled = inc_settle(heap); /* an incremental one runs: finish it first */
  return settled + rcgc__collect_list(heap, generation, flags, NULL, NULL);
}

/* How long the trim at the end of a collection may take, in seconds (< 0:
** as long as it takes): half the budget of the slice whose last step it
** ends, or half the heap's pause budget for its automatic stop-the-world
** collections. */
static double trim_allowance(const rcgc_heap *heap, unsigned flags, const inc_finish_t *fin) {
  if (fin != NULL)
    return fin->budget < 0 ? -1.0 : fin->budget / 2;
  if ((flags & (COLLECT_SUSPECTS | COLLECT_BACKSTOP)) && heap->pause_budget_us > 0)
    return heap->pause_budget_us * 0.5e-6;
  return -1.0;
}

/* The collection itself. With COLLECT_INC_FINISH, the last step of an
** incremental collection (incremental.c): 'candidates' is its garbage
** estimate, collected as a list collection; START callbacks and step 0's
** counts came at its start, and 'fin' says what its slices examined. */
long rcgc__collect_list(rcgc_heap *heap, int generation, unsigned flags, head_t *candidates,
                        const inc_finish_t *fin) {
  if (heap->collecting)
    return 0;
  heap->collecting = 1;
  heap->auto_pending = 0;
  size_t bytes_at_start = heap->nbytes; /* what the pools held before it */
  rcgc_collect_info info = {generation, 0, 0, 0, 0.0};
  bool callbacks = !(flags & COLLECT_NO_CALLBACKS);
  if (callbacks && fin == NULL)
    rcgc__invoke_callbacks(heap, RCGC_PHASE_START, &info);
  double t0 = fin != NULL ? fin->t_start : rcgc__now();
  if (heap->debug & RCGC_DEBUG_STATS)
    print_generations(heap, generation);

  /* step 0: counts and candidates (rcgc__take_candidates, below the
  ** checks of the lists it takes) */
  head_t young, unreachable, finalizers;
  list_init(&young);
  list_init(&unreachable);
  list_init(&finalizers);
  bool suspects_only = (flags & COLLECT_SUSPECTS) != 0;
  /* the lists that become candidates (checking the others would make a
  ** young collection cost as much as the whole heap) */
  for (int i = 0; i <= generation && !suspects_only; i++)
    VALIDATE(heap, &heap->gens[i].head, LIST_PLAIN, "generation", "the previous collection");
  VALIDATE(heap, &heap->suspects, LIST_PLAIN, "suspects", "the previous collection");
  bool full = generation == RCGC_NUM_GENERATIONS - 1;
  mode_t_ mode = fin != NULL ? MODE_LIST
                 : full      ? MODE_FULL
                 : heap->policy == RCGC_POLICY_SUSPECTS ? MODE_CLOSURE : MODE_LIST;
  if (fin != NULL)
    list_merge(candidates, &young);
  else
    rcgc__take_candidates(heap, generation, flags, mode == MODE_CLOSURE, &young);
  /* survivors: an incremental collection's all went to generation 2 */
  int older = suspects_only || fin != NULL ? RCGC_NUM_GENERATIONS - 1 : generation + 1;
  head_t *old = &heap->gens[older < RCGC_NUM_GENERATIONS ? older : generation].head;

  long collected = 0, uncollectable = 0;
  deduce_t d = {0, 0, false, false, false};

  /* step 1 */
  /* no user code can see the garbage, and nothing needs it listed: a
  ** collection that finds only garbage frees it straight away */
  bool shortcut = !heap->some_type_has_finalizer && !heap->some_type_has_legacy &&
                  heap->wr_used == 0 && !(heap->debug & RCGC_DEBUG_COLLECTABLE) &&
                  (!(heap->debug & RCGC_DEBUG_SAVEALL) || (flags & COLLECT_NO_SAVEALL));
  bool ok = deduce_unreachable(heap, &young, &unreachable, &d, mode, shortcut, suspects_only);
  size_t ncandidates = d.candidates, nreachable = d.reachable;
  if (fin != NULL) {
    ncandidates = fin->examined;
    nreachable += fin->live;
  }
  if (!ok) {
    if (d.over) { /* incremental.c takes them (policy.c) */
      list_merge(&young, &heap->suspects);
      heap->closure_over = true;
      heap->closure_gave_up_at = ncandidates;
      nreachable = 0; /* (its time per candidate sets the next limit) */
    } else {
      list_merge(&young, old);
    }
    goto done;
  }
  if (d.all_garbage) {
    if (full) {
      heap->long_lived_pending = 0;
      heap->long_lived_total = fin != NULL ? (long)fin->live : 0;
    }
    collected = delete_garbage(heap, &young, true);
    goto done;
  }
  VALIDATE(heap, &young, LIST_PLAIN, "reachable", "move_unreachable");
  /* with the shortcut the garbage keeps NEXT_UNREACHABLE (move_unreachable) */
  const int garbage_list = shortcut ? LIST_FLAGGED : LIST_CANDIDATES;
  (void)garbage_list; /* read by the checking builds' VALIDATE only */
  VALIDATE(heap, &unreachable, garbage_list, "unreachable", "move_unreachable");
  /* step 2 */
  if (generation < RCGC_NUM_GENERATIONS - 1) {
    if (generation == RCGC_NUM_GENERATIONS - 2)
      heap->long_lived_pending += (long)nreachable;
  } else {
    heap->long_lived_pending = 0;
    heap->long_lived_total = (long)nreachable;
  }
  list_merge(&young, old);

  /* step 3 */
  if (heap->some_type_has_legacy)
    move_legacy_finalizers(heap, &unreachable, &finalizers);
  bool outside_exact = d.outside_exact && list_empty(&finalizers);
  VALIDATE(heap, &finalizers, LIST_PLAIN, "uncollectable", "the legacy-finalizer phase");
  VALIDATE(heap, &unreachable, garbage_list, "unreachable", "the legacy-finalizer phase");
  /* step 4 */
  if (heap->debug & RCGC_DEBUG_COLLECTABLE)
    for (head_t *h = next_of(&unreachable); h != &unreachable; h = next_of(h))
      debug_object(heap, "collectable", h);
  /* steps 5-6: the only phases that run user code on garbage. When no user
  ** code ran, nothing can have been resurrected and step 7 is skipped. */
  long user_calls = 0;
  if (heap->wr_used > 0)
    collected += handle_weakref_callbacks(heap, &unreachable, old, &user_calls);
  if (heap->some_type_has_finalizer)
    user_calls += finalize_garbage(heap, &unreachable);
  /* step 7 */
  if (user_calls > 0) {
    head_t still;
    list_init(&still);
    deduce_t r = {0, 0, false, false, false};
    if (deduce_unreachable(heap, &unreachable, &still, &r, MODE_LIST, false, false)) {
      list_merge(&unreachable, old);
      list_merge(&still, &unreachable);
      outside_exact = r.outside_exact; /* PREV_OUTSIDE was recomputed */
    } else {
      /* cannot tell what was resurrected: keep all of it */
      list_merge(&unreachable, old);
    }
  }
  VALIDATE(heap, &unreachable, garbage_list, "unreachable", "finalizers and resurrection");
  if (user_calls > 0)
    VALIDATE(heap, old, LIST_PLAIN, "older generation", "finalizers and resurrection");
  /* step 8 (weakref.c); callbacks of weak references made by finalizers
  ** are called after step 9 */
  struct rcgc_weakref *late_callbacks = NULL;
  if (heap->wr_used > 0)
    late_callbacks = rcgc__weakrefs_clear_garbage(heap, &unreachable);
  /* step 9 */
  if ((heap->debug & RCGC_DEBUG_SAVEALL) && !(flags & COLLECT_NO_SAVEALL)) {
    clear_collecting(&unreachable);
    for (head_t *h = next_of(&unreachable); h != &unreachable; h = next_of(h)) {
      rcgc__garbage_append(heap, FROM_HEAD(h));
      collected++;
    }
    list_merge(&unreachable, old);
  } else {
    collected += delete_garbage(heap, &unreachable, outside_exact);
  }
  rcgc__weakrefs_fire(heap, late_callbacks);
  /* step 10 */
  for (head_t *h = next_of(&finalizers); h != &finalizers; h = next_of(h)) {
    uncollectable++;
    if (heap->debug & RCGC_DEBUG_UNCOLLECTABLE)
      debug_object(heap, "uncollectable", h);
  }

done:
  if (fin != NULL)
    collected += fin->released;
  /* returning empty pages is part of the pause */
  if (!heap->destroying)
    rcgc__pools_maybe_trim(heap, bytes_at_start, trim_allowance(heap, flags, fin));
  double elapsed = rcgc__now() - t0;
  if (heap->debug & RCGC_DEBUG_STATS) {
    char buf[160];
    int n = snprintf(buf, sizeof buf, "gc: done, %ld unreachable, %ld uncollectable, %.4fs elapsed\n",
                     collected + uncollectable, uncollectable, elapsed);
    if (n > 0)
      rcgc__write(heap, buf, (size_t)n);
  }
  bool saveall = (heap->debug & RCGC_DEBUG_SAVEALL) && !(flags & COLLECT_NO_SAVEALL);
  for (head_t *h = next_of(&finalizers); h != &finalizers; h = next_of(h)) {
    h->gc_prev &= ~PREV_FLAGS; /* PREV_LOCAL */
    if (saveall || makes_uncollectable(heap, h))
      rcgc__garbage_append(heap, FROM_HEAD(h));
  }
  list_merge(&finalizers, old);

  /* step 11 */
  rcgc_gen_stats *st = &heap->stats[generation];
  st->collections++;
  st->collected += collected;
  st->uncollectable += uncollectable;
  st->candidates += (long)ncandidates;
  st->total_duration += elapsed;
  if (elapsed > st->max_duration)
    st->max_duration = elapsed;
  info.collected = collected;
  info.uncollectable = uncollectable;
  info.candidates = (long)ncandidates;
  info.duration = elapsed;
  if (fin != NULL)
    rcgc__inc_last_slice(heap, fin, &info, callbacks);
  else if ((flags & (COLLECT_SUSPECTS | COLLECT_BACKSTOP)) && ncandidates > 0)
    heap->stw_per_candidate = elapsed / (double)ncandidates; /* policy.c's prediction */
  if (fin == NULL && heap->closure_limit != 0 && ok && ncandidates >= CLOSURE_SHARE_MIN &&
      elapsed > 0)
    heap->closure_share = (heap->closure_end - t0) / elapsed; /* policy.c */
  heap->inc_examined[generation] = ncandidates;

  if (callbacks)
    rcgc__invoke_callbacks(heap, RCGC_PHASE_STOP, &info);
  heap->collecting = 0;
  rcgc__debug_check(heap, "a collection", generation);
  rcgc__after_collection(heap, generation, flags, nreachable);
  return collected + uncollectable;
}

/* ------------------------------------------------------------ public */

long rcgc_collect(rcgc_heap *heap, int generation) {
  if (heap == NULL)
    return RCGC_EINVAL;
  if (generation < 0 || generation >= RCGC_NUM_GENERATIONS)
    return RCGC_ERANGE;
  ENTER(heap, RCGC_ETHREAD);
  long r;
  if (heap->in_traverse && !heap->in_hook) {
    rcgc__misuse(heap, NULL, "collect inside traverse",
                 "rcgc_collect called from inside a traverse function");
    r = RCGC_EBUSY;
  } else {
    r = rcgc__collect(heap, generation, 0); /* 0 when one is running */
  }
  LEAVE(heap);
  return r;
}
