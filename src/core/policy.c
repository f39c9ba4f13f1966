/*
** policy.c -- when automatic collections run, and the suspects they start
** from.
**
** Two policies (rcgc_policy in rcgc.h):
**
** RCGC_POLICY_CPYTHON: CPython 3.11's schedule. Every tracked allocation
** counts in count0; past threshold0 the oldest generation whose count
** exceeds its threshold is collected, a full collection only when the
** objects promoted since the last one exceed 25% of its survivors.
**
** RCGC_POLICY_SUSPECTS (the default): collect only where garbage can be.
**
**   Why suspects suffice. Take the garbage at some moment and one of its
**   strongly connected components K that no other garbage references. Every
**   reference to a member of K comes from K. Before K became garbage some
**   reference from outside K pointed into it; the last one to go went in
**   one of three ways:
**     a. a decrement of its target (rcgc_decref, an owner's death releasing
**        its references, the collector freeing garbage that referenced it):
**        the target stayed above 0 -- K still references it -- so the
**        decrement made it a *suspect*;
**     b. the program overwrote the only outside reference without a
**        decrement (ownership transferred into a field of a member, closing
**        the cycle: `a->next = first;` where the local 'first' owned it);
**     c. never: K was built already closed (the same as b).
**   A suspect collection examines every suspect and everything suspects
**   reach (MODE_CLOSURE in collect.c), so it finds every K of kind a and,
**   with it, all garbage K references. Kinds b and c are found by the
**   backstop, a collection whenever the heap has allocated full_every
**   bytes since the last backstop:
**     - three times out of four a *young* backstop: generations 0 and 1
**       (the tracked objects allocated since the last backstop that no
**       collection has examined yet) plus the suspects and what they reach,
**       survivors to generation 2. It finds every K whose members are all
**       young: every reference to a member comes from K, so no member keeps
**       an outside reference through the subtraction;
**     - every FULL_ROUNDS-th a full collection, which finds every K.
**   A K of kind b or c nearly always closes while it is young (a ring
**   built by transferring its creation references); one that closes around
**   an object a collection already proved alive waits for the full
**   backstop. So a large structure that lives long is examined once per
**   FULL_ROUNDS backstops instead of at each.
**
**   Suspects. rcgc_decref's inline path tests RCGC_TI_QUIET_ (untracked,
**   frozen, or already a suspect); otherwise rcgc_suspect_ moves the object
**   to the heap's suspects list and sets TI_SUSPECT (INVARIANT S1). A
**   collection clears TI_SUSPECT on everything it examined. An object that
**   dies by refcount leaves the list like any other (list_remove). Two
**   decrements make no suspect: those during heap destroy (everything
**   dies), and those of objects on a running collection's own lists
**   (rcgc__suspect says which); garbage either makes waits for the
**   backstop, like kinds b and c. So a
**   structure that only grows, and acyclic structures freed by refcount,
**   make no suspects and no collection work at all.
**
**   Schedule. rcgc_new subtracts each block's size from heap->budget; when
**   it goes below 0 the slow path calls rcgc__maybe_collect:
**     - a backstop if full_every bytes were allocated since the last
**       backstop (full_every = max(FULL_MIN_BYTES, FULL_FACTOR x live bytes
**       after it)): young, or full every FULL_ROUNDS-th time;
**     - else a suspect collection if any suspect is recorded;
**     - then a new budget: min(suspect_every, bytes left until the next
**       full collection), suspect_every = max(SUSPECT_MIN_BYTES,
**       SUSPECT_FACTOR x the bytes of the live objects the last suspect
**       collection examined beyond the bytes allocated since the
**       collection before it). A collection that proved a large old
**       structure alive is paid for by that much more allocation before the
**       next, which bounds the work spent examining live objects again per
**       byte allocated. Objects examined for the first time are not
**       counted: at most as many bytes as were allocated since the last
**       collection can be new, and each new object is examined once however
**       the collections are spaced -- only the pause grows with the
**       spacing. (Counting them made a program that keeps replacing cycles
**       space its collections geometrically further apart, up to 4x its
**       live bytes of garbage at a time.)
**
**   Bounds (docs/design.md and rcgc.h repeat them): with automatic
**   collection enabled and collections allowed (no callback running), a
**   garbage cycle of kind a is freed before the heap allocates
**   suspect_every more bytes -- at least 256 KiB and at most 4x the heap's
**   live bytes -- and one of kind b or c whose members are all young
**   before it allocates full_every bytes -- at least 64 MiB and at most 16x
**   the live bytes after the last backstop --, any other within the next
**   FULL_ROUNDS backstops. The backstop is lax on purpose: only garbage of
**   kinds b and c waits for it, and its cost per allocated byte on an old,
**   long-lived structure is 1/(FULL_FACTOR x FULL_ROUNDS) of a full
**   collection's cost per live byte. In allocations: each block is at least
**   32 bytes, so at most those figures / 32. A heap with strict stores and
**   a pause budget adds to the first bound the length of the incremental
**   collection that frees a closure too large for the budget, or of the
**   backstop it waits for (rcgc__set_closure_limit, suspects_beside).
**
**   Explicit collections: rcgc_collect(heap, G) examines generations 0..G
**   as under the CPython policy plus, below G = 2, the suspects with their
**   closure; a full one restarts the backstop's count (the next backstop
**   is young, after full_every bytes).
*/
#include "internal.h"

#include <limits.h>

#define SUSPECT_MIN_BYTES (256u * 1024u)
#define SUSPECT_FACTOR 4u
#define FULL_MIN_BYTES (64u * 1024u * 1024u)
#define FULL_FACTOR 16u
#define FULL_ROUNDS 4 /* every FULL_ROUNDS-th backstop is a full collection */
/* A backstop's automatic slices take at most 1/(1 + SLICE_PACE) of the
** time while it runs: after a slice of d seconds the program runs at least
** SLICE_PACE x d before the next. Its candidates are mostly alive, and
** those that die meanwhile need not be examined; the suspect collections
** of the schedule run beside it (suspects_beside), so garbage cycles do
** not pile up meanwhile. (A suspect collection started by
** rcgc_collect_step is not paced.) */
#define SLICE_PACE 3.0
/* The share of the budget a strict heap's stop-the-world suspect
** collection may take, closure and release together (rcgc__set_closure_limit);
** SLICE_WORK (incremental.c) is a slice's, 0.9: this leaves more room, as
** the closure's limits are predictions. */
#define CLOSURE_WORK 0.8
/* a budget that never runs out in practice (bytes) */
#define BUDGET_NEVER (LLONG_MAX / 4)

/* Bring 'allocated' up to date with what the budget has counted since it
** was set. */
static void sync_allocated(rcgc_heap *heap) {
  heap->allocated += (unsigned long long)(heap->budget_set - heap->budget);
  heap->budget_set = heap->budget;
}

static void set_budget(rcgc_heap *heap, long long budget) {
  sync_allocated(heap);
  heap->budget = budget;
  heap->budget_set = budget;
}

/* Bytes allocated between two slices of an incremental collection: 64 per
** microsecond of the budget (so a collection never takes a larger share of
** the time than slices of B microseconds every 64 x B bytes allocated),
** at least one block. */
static long long slice_every(const rcgc_heap *heap) {
  unsigned long long b = 64ull * heap->pause_budget_us;
  return b < 32 ? 32 : (long long)b;
}

void rcgc__schedule(rcgc_heap *heap) {
  bool automatic = heap->enabled && heap->gens[0].threshold != 0;
  if (heap->policy == RCGC_POLICY_CPYTHON) {
    heap->count_limit = automatic ? heap->gens[0].threshold : LONG_MAX;
    set_budget(heap, BUDGET_NEVER);
    return;
  }
  heap->count_limit = LONG_MAX;
  if (!automatic) {
    set_budget(heap, BUDGET_NEVER);
    return;
  }
  if (heap->inc != NULL || heap->trim_phase != 0) {
    /* an incremental collection or a trim runs: its slices */
    set_budget(heap, slice_every(heap));
    return;
  }
  sync_allocated(heap);
  unsigned long long since_full = heap->allocated - heap->full_mark;
  unsigned long long left = heap->full_every > since_full ? heap->full_every - since_full : 0;
  unsigned long long b = heap->suspect_every < left ? heap->suspect_every : left;
  set_budget(heap, b > (unsigned long long)BUDGET_NEVER ? BUDGET_NEVER : (long long)b);
}

void rcgc__schedule_init(rcgc_heap *heap) {
  heap->policy = heap->cfg.policy;
  heap->fresh_bits = heap->policy == RCGC_POLICY_CPYTHON ? TI_SUSPECT : 0;
  heap->suspect_every = SUSPECT_MIN_BYTES;
  heap->full_every = FULL_MIN_BYTES;
  heap->full_mark = 0;
  heap->collect_mark = 0;
  heap->young_backstops = 0;
  rcgc__schedule(heap);
}

static unsigned long long max_ull(unsigned long long a, unsigned long long b) {
  return a > b ? a : b;
}

/* The last stop-the-world automatic collection's time per candidate
** (100 ns before one ran). */
static double per_candidate(const rcgc_heap *heap) {
  return heap->stw_per_candidate > 0 ? heap->stw_per_candidate : 100e-9;
}

void rcgc__after_collection(rcgc_heap *heap, int generation, unsigned flags,
                            size_t live_examined) {
  sync_allocated(heap);
  if (heap->inc == NULL)
    heap->beside_waits = false; /* no backstop runs */
  unsigned long long avg = heap->nobjects ? heap->nbytes / heap->nobjects : 0;
  bool full = generation == RCGC_NUM_GENERATIONS - 1;
  if (full)
    heap->young_backstops = 0;
  if (full || (flags & COLLECT_BACKSTOP)) {
    heap->full_mark = heap->allocated;
    heap->full_every = max_ull(FULL_MIN_BYTES, FULL_FACTOR * (unsigned long long)heap->nbytes);
  } else {
    unsigned long long examined = (unsigned long long)live_examined * avg;
    unsigned long long fresh = heap->allocated - heap->collect_mark;
    unsigned long long again = examined > fresh ? examined - fresh : 0;
    heap->suspect_every = max_ull(SUSPECT_MIN_BYTES, SUSPECT_FACTOR * again);
  }
  heap->collect_mark = heap->allocated;
  /* an incremental suspect collection smaller than the closure that gave
  ** up: the next starts stop-the-world again (a count, not a time: the
  ** time per candidate is only measured stop-the-world, and one preempted
  ** collection would keep every later one in slices) */
  if ((flags & COLLECT_SUSPECTS) && (flags & COLLECT_INC_FINISH) &&
      heap->inc_examined[generation] < heap->closure_gave_up_at)
    heap->slice_suspects = false;
  rcgc__schedule(heap);
}

/* The automatic collection waiting, if any: a backstop when one is due,
** else a suspect collection when a suspect is recorded. Returns its
** generation and COLLECT_* flags in *gen and *flags; false if none. */
static bool due(rcgc_heap *heap, int *gen, unsigned *flags) {
  sync_allocated(heap);
  if (heap->allocated - heap->full_mark >= heap->full_every) {
    *gen = heap->young_backstops < FULL_ROUNDS - 1 ? RCGC_NUM_GENERATIONS - 2
                                                   : RCGC_NUM_GENERATIONS - 1;
    *flags = COLLECT_BACKSTOP;
    return true;
  }
  if (!list_empty(&heap->suspects)) {
    *gen = 0;
    *flags = COLLECT_SUSPECTS;
    return true;
  }
  return false;
}

/* With a pause budget, does the collection due run stop-the-world? A
** suspect collection does: its candidates are mostly garbage or few, and
** the last step of an incremental collection costs what the garbage costs
** -- slicing it would add several times the work per candidate (a lookup
** per object and reference) and hardly shorten its pause. (When that step
** can be divided -- strict stores, rcgc__inc_divisible -- it starts
** stop-the-world all the same, but gives up for an incremental one once
** its closure is too large for the budget: rcgc__set_closure_limit below. After
** such a give-up the next suspect collections start in slices at once --
** the garbage one drop makes is usually the size of the next one's, and a
** closure that gives up has spent up to half a budget for nothing -- until
** one of them examines fewer candidates than the closure that gave up had
** taken (rcgc__after_collection), or one in SLICE_PROBE that tries a
** closure first completes it.) A
** backstop does when it is predicted to fit in a
** quarter of the budget: its candidates times the time per candidate of
** the last stop-the-world automatic collection (100 ns before one ran).
** A full one's candidates are the heap's objects. A young one's are
** predicted as the larger of the last young backstop's candidates plus
** generation 0's count, and the objects allocated since the last backstop
** that can still be alive: the bytes allocated since then over the mean
** block size, at most the heap's objects -- the first young backstop of a
** heap that keeps what it builds has no history to go by. */
static bool stop_the_world(rcgc_heap *heap, int gen, unsigned flags) {
  if (flags & COLLECT_SUSPECTS) {
    if (!heap->slice_suspects || !rcgc__inc_divisible(heap))
      return true;
    /* in slices; every SLICE_PROBE-th tries a closure again (the time per
    ** candidate that set the limit the last one gave up at may have been
    ** that of a preempted collection) */
    if (++heap->sliced_in_a_row < SLICE_PROBE)
      return false;
    heap->sliced_in_a_row = 0;
    return true;
  }
  double per = per_candidate(heap);
  double n = (double)heap->nobjects;
  if (gen < RCGC_NUM_GENERATIONS - 1) {
    double last = (double)heap->inc_examined[gen] + (double)heap->gens[0].count;
    double young = heap->nbytes > 0 ? (double)(heap->allocated - heap->full_mark) *
                                          (double)heap->nobjects / (double)heap->nbytes
                                    : 0.0;
    if (young > n)
      young = n;
    n = last > young ? last : young;
  }
  return n * per < 0.25e-6 * heap->pause_budget_us;
}

/* Before an automatic suspect collection of a heap that frees in slices
** (strict stores, rcgc__inc_divisible): the most candidates it may take
** for the whole collection to fit in CLOSURE_WORK of the budget, at the
** last stop-the-world collection's time per candidate -- one that gave up
** included -- (100 ns before one ran), at least 256; and, since that time
** is a prediction (a collection whose objects are out of the cache takes
** twice as long as one whose objects are in it), the clock: its closure
** gives up once the closure's share of that time has passed -- the share
** the closure took of the last such collection that completed with at
** least CLOSURE_SHARE_MIN candidates (collect.c measures it), within 0.25
** .. 1, and a half before one did (the clock is read every 512 objects;
** what follows a closure that completes, its garbage freed, reads the
** objects it just read, at about a third of the closure's cost each).
** Past it, the collection gives up at once (collect.c: its candidates
** become suspects again) and an incremental one frees them in slices: how
** much one dropped suspect brings in is not known before the closure runs.
** Other heaps: no limit. */
void rcgc__set_closure_limit(rcgc_heap *heap) {
  heap->closure_limit = 0;
  if (heap->pause_budget_us == 0 || !rcgc__inc_divisible(heap))
    return;
  double work = CLOSURE_WORK * 1e-6 * heap->pause_budget_us;
  double n = work / per_candidate(heap);
  heap->closure_limit = n < 256 ? 256 : n > 1e12 ? (size_t)1e12 : (size_t)n;
  double share = heap->closure_share;
  share = share <= 0 ? 0.5 : share < 0.25 ? 0.25 : share > 1 ? 1 : share;
  heap->closure_deadline = rcgc__now() + share * work;
}

/* An automatic suspect collection, stop-the-world, under that limit (a
** running backstop is not settled first: it goes on beside). True when it
** gave up: its candidates are suspects again. */
static bool suspects_gave_up(rcgc_heap *heap) {
  rcgc__set_closure_limit(heap);
  size_t limit = heap->closure_limit;
  (void)rcgc__collect_list(heap, 0, COLLECT_SUSPECTS, NULL, NULL);
  heap->closure_limit = 0;
  bool over = heap->closure_over;
  heap->closure_over = false;
  /* past a quarter of its count limit the closure was large; before, the
  ** clock stopped it early -- the program was preempted, say --: the next
  ** one tries again (stop_the_world) */
  if (over && heap->closure_gave_up_at >= limit / 4) {
    heap->slice_suspects = true;
    heap->sliced_in_a_row = 0;
  } else if (!over) {
    heap->slice_suspects = false; /* a closure fits again */
  }
  return over;
}

/* While a backstop runs incrementally, the suspect collections of the
** schedule still run, stop-the-world, between its slices: garbage that a
** decrement made does not wait for the backstop, however long it takes.
** Their closure may take the backstop's candidates off its lists (plain
** lists: rcgc__inc_forget forgets those they free); the backstop's last
** step, exact on whatever is left of its estimate, stays sound. */
static void suspects_beside(rcgc_heap *heap) {
  sync_allocated(heap);
  if (!list_empty(&heap->suspects) && !heap->beside_waits &&
      heap->allocated - heap->collect_mark >= heap->suspect_every && suspects_gave_up(heap))
    heap->beside_waits = true; /* too large: it waits for the backstop's end */
}

/* A backstop counts as young or full when it starts. */
static void count_backstop(rcgc_heap *heap, int gen, unsigned flags) {
  if ((flags & COLLECT_BACKSTOP) && gen < RCGC_NUM_GENERATIONS - 1)
    heap->young_backstops++;
}

/* Start the collection due as an incremental one; false when memory is
** short (then no collection runs now). */
static bool start_incremental(rcgc_heap *heap, int gen, unsigned flags) {
  if (!rcgc__inc_start(heap, gen, flags))
    return false;
  count_backstop(heap, gen, flags);
  return true;
}

/* An automatic slice, timed for the pacing below. */
static void auto_slice(rcgc_heap *heap) {
  double t0 = rcgc__now();
  bool more = rcgc__inc_slice(heap, heap->pause_budget_us * 1e-6);
  heap->inc_slice_end = rcgc__now();
  heap->inc_slice_len = heap->inc_slice_end - t0;
  if (more)
    set_budget(heap, slice_every(heap));
}

/* Automatic collection, checked by rcgc_new before it allocates. */
void rcgc__maybe_collect(rcgc_heap *heap) {
  if (heap->collecting || heap->in_user || heap->in_traverse || heap->destroying)
    return; /* the budget stays spent: the next allocation asks again */
  if (heap->policy == RCGC_POLICY_CPYTHON) {
    if (!heap->enabled || heap->gens[0].threshold == 0 ||
        heap->gens[0].count <= heap->gens[0].threshold)
      return;
    for (int i = RCGC_NUM_GENERATIONS - 1; i >= 0; i--) {
      if (heap->gens[i].count > heap->gens[i].threshold) {
        /* the long-lived rule: a full collection only when the objects
        ** promoted since the last one exceed 25% of its survivors */
        if (i == RCGC_NUM_GENERATIONS - 1 &&
            heap->long_lived_pending < heap->long_lived_total / 4)
          continue;
        rcgc__collect(heap, i, 0);
        return;
      }
    }
    return;
  }
  if (heap->budget >= 0)
    return;
  if (heap->trim_phase != 0 && heap->inc == NULL) {
    /* a trim in slices (alloc.c) that rcgc_collect_step began: a slice at
    ** each point, not paced -- it holds the free lists, so the program
    ** allocates from new pages until it ends (paced as a backstop, a trim
    ** took binary-trees at depth 20 from 174 to 255 MB resident; unpaced,
    ** 177 MB) -- and the next collection waits for it; with the budget set
    ** back to 0, the rest at once */
    (void)rcgc__trim_slice(heap, heap->pause_budget_us ? heap->pause_budget_us * 1e-6 : -1.0);
    rcgc__schedule(heap);
    return;
  }
  if (heap->inc != NULL) {
    /* a slice -- or, with the budget set back to 0, the rest at once; the
    ** last step reschedules (rcgc__after_collection) */
    if (!heap->enabled || heap->gens[0].threshold == 0) {
      rcgc__schedule(heap); /* the program finishes it (collect_step, collect) */
    } else if (heap->pause_budget_us == 0) {
      (void)rcgc__inc_finish(heap);
    } else {
      bool paced = rcgc__inc_paced(heap);
      if (paced)
        suspects_beside(heap);
      /* (not paced while a suspect collection too large to run beside it
      ** waits for its end: the garbage it would free piles up meanwhile) */
      if (paced && !heap->beside_waits &&
          rcgc__now() - heap->inc_slice_end < SLICE_PACE * heap->inc_slice_len)
        set_budget(heap, slice_every(heap)); /* the program's turn still */
      else
        auto_slice(heap);
    }
    return;
  }
  int gen;
  unsigned flags;
  if (heap->enabled && heap->gens[0].threshold != 0 && due(heap, &gen, &flags)) {
    if (heap->pause_budget_us == 0 || stop_the_world(heap, gen, flags)) {
      if (!(flags & COLLECT_SUSPECTS)) {
        count_backstop(heap, gen, flags);
        rcgc__collect(heap, gen, flags);
        return; /* rescheduled by the collection */
      }
      if (!suspects_gave_up(heap))
        return; /* rescheduled by the collection */
      /* too large for the pause: in slices, from its candidates, now
      ** suspects again -- the first one at the next point, not on top of
      ** this pause */
      if (start_incremental(heap, gen, flags))
        return; /* scheduled by its start */
    } else if (start_incremental(heap, gen, flags)) {
      auto_slice(heap);
      return;
    }
  }
  rcgc__schedule(heap);
}

bool rcgc__start_due(rcgc_heap *heap) {
  int gen;
  unsigned flags;
  return heap->inc == NULL && due(heap, &gen, &flags) && start_incremental(heap, gen, flags);
}

/* The collection RCGC_STRESS runs at every tracked allocation. */
void rcgc__collect_young(rcgc_heap *heap) {
  if (heap->policy == RCGC_POLICY_SUSPECTS && heap->pause_budget_us > 0) {
    /* with a pause budget: a slice of 16 units instead, of the running
    ** incremental collection or of a new one (of the suspects if there are
    ** any, else a full one) -- so the program runs between slices at every
    ** point where it may */
    bool suspects = !list_empty(&heap->suspects);
    if (heap->inc == NULL &&
        !rcgc__inc_start(heap, suspects ? 0 : RCGC_NUM_GENERATIONS - 1,
                         suspects ? COLLECT_SUSPECTS : COLLECT_BACKSTOP))
      return;
    (void)rcgc__inc_slice(heap, 0.0);
    return;
  }
  rcgc__collect(heap, 0, heap->policy == RCGC_POLICY_SUSPECTS ? COLLECT_SUSPECTS : 0);
}

/* ------------------------------------------------------------ suspects */

/* A suspect made while an incremental collection runs: the barrier
** (incremental.c) if it is a candidate. Out of rcgc__suspect's line,
** which runs at every first decrement. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline, cold))
#endif
static void suspect_during_inc(rcgc_heap *heap, head_t *h) {
  if (h->tinfo & TI_INC)
    rcgc__inc_barrier(heap, h);
}

void rcgc__suspect(rcgc_heap *heap, head_t *h) {
  if (heap->policy != RCGC_POLICY_SUSPECTS || (h->tinfo & RCGC_TI_QUIET_) || heap->destroying)
    return;
  /* not: a candidate of the running collection (PREV_COLLECTING: it is
  ** being examined), an object on one of its other lists (PREV_LOCAL in
  ** collect.c: uncollectable, or a weak reference whose callback is queued
  ** -- it goes back to a generation unflagged, so a cycle made garbage by
  ** this very decrement waits for the backstop), an object on no list
  ** (being freed), or anything while heap destroy frees everything */
  if ((h->gc_prev & PREV_FLAGS) || h->gc_prev == 0)
    return;
  /* so it is on a plain list, and so are its neighbours (L2; a list with
  ** flags has them on every member: a collection's own lists) */
#ifdef RCGC_CHECKS
  if ((prev_of(h)->gc_next & NEXT_UNREACHABLE) || (next_of(h)->gc_prev & PREV_FLAGS) ||
      (h->gc_next & NEXT_UNREACHABLE)) {
    rcgc__misuse(heap, FROM_HEAD(h), "internal invariant",
                 "an object without flags has a neighbour with flags on its list");
    return;
  }
#endif
  h->tinfo |= TI_SUSPECT;
  list_move_plain(h, &heap->suspects);
  if (RCGC_UNLIKELY(heap->inc != NULL))
    suspect_during_inc(heap, h); /* last: a tail call, no stack frame here */
}

void rcgc_suspect_(rcgc_heap *heap, void *obj) {
  if (heap == NULL || obj == NULL)
    return;
  ENTER(heap, );
  rcgc__suspect(heap, AS_HEAD(obj));
  LEAVE(heap);
}

/* ------------------------------------------------------------ public */

/* Set TI_SUSPECT on every tracked object (to the CPython policy) or clear
** it (to the suspects policy), so that INVARIANT S2 or S1 holds. */
static void set_policy_bits(rcgc_heap *heap, bool on) {
  head_t *lists[HEAP_NLISTS];
  heap_lists(heap, lists);
  for (size_t i = 0; i < HEAP_NLISTS; i++) {
    if (i == LIST_UNTRACKED)
      continue; /* untracked objects never carry the flag */
    for (head_t *h = next_of(lists[i]); h != lists[i]; h = next_of(h))
      h->tinfo = on ? (h->tinfo | TI_SUSPECT) : (h->tinfo & ~(uint32_t)TI_SUSPECT);
  }
}

int rcgc_set_policy(rcgc_heap *heap, int policy) {
  if (heap == NULL || (policy != RCGC_POLICY_SUSPECTS && policy != RCGC_POLICY_CPYTHON))
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  int r = RCGC_OK;
  if (heap->collecting || heap->in_traverse) {
    r = RCGC_EBUSY;
  } else {
    (void)inc_settle(heap);
    if (policy != heap->policy) {
      if (policy == RCGC_POLICY_CPYTHON) {
        /* the suspects become young objects; every tracked object quiet */
        list_merge(&heap->suspects, &heap->gens[0].head);
        set_policy_bits(heap, true);
        heap->fresh_bits = TI_SUSPECT;
      } else {
        set_policy_bits(heap, false);
        heap->fresh_bits = 0;
      }
      heap->policy = policy;
      rcgc__schedule(heap);
    }
  }
  LEAVE(heap);
  return r;
}

int rcgc_get_policy(rcgc_heap *heap) {
  RETURN_CLAIMED(int, heap, RCGC_EINVAL, RCGC_ETHREAD, heap->policy);
}
