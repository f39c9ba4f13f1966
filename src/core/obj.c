/*
** obj.c -- objects: allocation, reference counting, and freeing.
**
** Freeing an object whose count reached 0 happens in this order (the order
** CPython's dealloc of a class instance uses):
**
**   1. unlink it from its list (INVARIANT L3) and push it on the zero stack;
**      if no drain loop is running, start one. Everything below runs from
**      the drain loop, one object at a time.
**   2. modern finalizer, once per object (TI_FINALIZED), with a temporary
**      reference, the object linked into gens[0] (the untracked list for an
**      untracked one; a frozen object is unfrozen) while it runs, as
**      CPython tracks it again for its finalizer; if the count is still > 0
**      afterwards the object was resurrected: it stays where it is (a
**      collection run by the finalizer may have moved it) and we stop.
**   3. weak references to it are cleared and their callbacks called.
**   4. legacy finalizer (every time), same resurrection rule as 2.
**   5. its references are released: traverse with a visitor that decrefs
**      each child; a child reaching 0 is only pushed (step 1), never freed
**      inside the traverse. This is what bounds the C stack: a chain of
**      any length costs one stack frame per link of *work*, not of depth.
**      The children pushed are then reversed on the stack, so that the
**      first one released is freed first, each with everything it alone
**      kept alive before the next, and the object itself goes back on the
**      stack beneath them (its link tagged ZERO_RELEASED) for step 6: the
**      order of CPython's recursive deallocation, where an object's memory
**      is freed after the deallocations its release caused. Only user code
**      can observe that order (a finalizer, destroy function, weak reference
**      callback or expect-freed watch): while no registered type has a
**      finalizer or destroy (weak references have one) and the leak tools
**      are unused, the object is freed at once and its children after it,
**      last released first, saving a second visit per object.
**   6. count[0] is decremented (CPython counts a deallocation when the
**      memory is freed, so a resurrected object never counts), destroy
**      runs, then the memory goes back to the pools.
**
** An object whose count user code (a finalizer, a weak reference callback,
** destroy) drops to 0 while a drain loop runs is freed at once, before that
** code continues, as CPython frees it: rcgc__on_refcount_zero starts a nested drain loop
** for it, which frees only what was pushed after it. Nesting stops at
** RCGC_MAX_NESTED_DRAIN user calls deep (beyond, the object waits until the
** user code returns), so the C stack stays bounded; the release of
** references itself never nests.
**
** Automatic collection is started only from rcgc_new, before the new object
** is linked, and only when no collection, no traverse and no user callback
** is running (in_user == 0): finalizers, destroy functions and callbacks
** never see a collection start underneath them. When it runs is the
** policy's business (policy.c): rcgc_new only counts -- count0 against
** heap->count_limit, bytes against heap->budget -- and takes the slow path
** when either runs out.
**
** A decrement that leaves a tracked object's count above 0 makes it a
** suspect (policy.c): rcgc_decref's inline path, rcgc_decref_slow_ and the
** release of a dying object's references all report it.
*/
#include "internal.h"
#include "ptrtab.h" /* rcgc__ptr_hash */

#include <limits.h>

/* ------------------------------------------------------------ type ids */

/* The id of type 't' in 'heap', registering it on first use. Returns 0 when
** memory is short. */
static inline size_t tcache_slot(const rcgc_type *t) { return ((uintptr_t)t >> 4) & 15; }

/* Behind the cache, a hash table of ids keyed by the type (heap->types
** holds the key of each id): a lookup costs O(1) whatever the number of
** types. */
static uint32_t type_lookup(const rcgc_heap *heap, const rcgc_type *t) {
  if (heap->type_hash_cap == 0)
    return 0;
  uint32_t mask = heap->type_hash_cap - 1;
  for (size_t i = rcgc__ptr_hash(t, heap->type_hash_cap);; i = (i + 1) & mask) {
    uint32_t id = heap->type_hash[i];
    if (id == 0 || heap->types[id] == t)
      return id;
  }
}

static void type_hash_put(uint32_t *tab, uint32_t cap, const rcgc_type *t, uint32_t id) {
  size_t i = rcgc__ptr_hash(t, cap);
  while (tab[i] != 0)
    i = (i + 1) & (cap - 1);
  tab[i] = id;
}

/* Room for one more id in the table. False when memory is short. */
static bool type_hash_reserve(rcgc_heap *heap) {
  if ((size_t)heap->ntypes * 2 < heap->type_hash_cap)
    return true; /* ntypes counts id 0: the new id keeps used < cap / 2 */
  uint32_t ncap = heap->type_hash_cap ? heap->type_hash_cap * 2 : 64;
  uint32_t *nt = rcgc__raw_alloc(heap, ncap * sizeof *nt);
  if (nt == NULL)
    return false;
  memset(nt, 0, ncap * sizeof *nt);
  for (uint32_t id = 1; id < heap->ntypes; id++)
    type_hash_put(nt, ncap, heap->types[id], id);
  rcgc__raw_free(heap, heap->type_hash, heap->type_hash_cap * sizeof *nt);
  heap->type_hash = nt;
  heap->type_hash_cap = ncap;
  return true;
}

static type_desc_t describe_type(const rcgc_heap *heap, const rcgc_type *t) {
  type_desc_t d = {0};
  /* 0: no fixed block size fits 32 bits (nor the fast paths) */
  size_t fixed = t->size <= UINT32_MAX ? block_bytes(heap->pre, t->size) : 0;
  d.bsize = fixed <= UINT32_MAX ? (uint32_t)fixed : 0;
  if (d.bsize != 0 && d.bsize <= POOL_MAX_BLOCK && heap->pre == 0 &&
      !(heap->cfg.flags & RCGC_CONFIG_NO_POOL))
    d.pool = (uint16_t)(d.bsize / POOL_GRANULE); /* 1 + the class */
  d.plain = t->finalize == NULL && t->legacy_finalize == NULL && t->destroy == NULL;
  d.fast = d.plain && d.pool != 0;
  d.traverse = t->traverse;
  return d;
}

static void tcache_fill(rcgc_heap *heap, size_t slot, const rcgc_type *t, uint32_t id) {
  tcache_t *e = &heap->tcache[slot];
  e->type = t;
  e->bsize = heap->tdesc[id].bsize;
  e->pc = heap->tdesc[id].pool != 0 ? &heap->classes[heap->tdesc[id].pool - 1] : NULL;
  e->list = t->traverse != NULL ? &heap->gens[0].head : &heap->untracked;
  e->tinfo = (id << TI_SHIFT) | (t->traverse != NULL ? 0u : TI_UNTRACKED);
}

uint32_t rcgc__type_id(rcgc_heap *heap, const rcgc_type *t) {
  size_t slot = tcache_slot(t);
  if (heap->tcache[slot].type == t)
    return heap->tcache[slot].tinfo >> TI_SHIFT;
  uint32_t id = type_lookup(heap, t);
  if (id == 0) {
    if (heap->ntypes >= TYPE_POISON || !type_hash_reserve(heap))
      return 0;
    /* two arrays, each with its own capacity, so a failure between the two
    ** reallocations leaves both correctly sized */
    if (heap->ntypes == heap->cap_types) {
      uint32_t ncap = heap->cap_types ? heap->cap_types * 2 : 16;
      const rcgc_type **nt = rcgc__raw_realloc(heap, (void *)heap->types,
                                               heap->cap_types * sizeof *nt, ncap * sizeof *nt);
      if (nt == NULL)
        return 0;
      heap->types = nt;
      heap->cap_types = ncap;
    }
    if (heap->ntypes == heap->cap_tdesc) {
      uint32_t ncap = heap->cap_tdesc ? heap->cap_tdesc * 2 : 16;
      type_desc_t *nd = rcgc__raw_realloc(heap, heap->tdesc, heap->cap_tdesc * sizeof *nd,
                                          ncap * sizeof *nd);
      if (nd == NULL)
        return 0;
      heap->tdesc = nd;
      heap->cap_tdesc = ncap;
    }
    if (heap->ntypes == 0) {
      heap->types[0] = NULL; /* id 0 is never used */
      heap->tdesc[0] = (type_desc_t){0};
      heap->ntypes = 1;
    }
    id = heap->ntypes++;
    heap->types[id] = t;
    type_hash_put(heap->type_hash, heap->type_hash_cap, t, id);
    heap->tdesc[id] = describe_type(heap, t);
    if (t->finalize != NULL || t->legacy_finalize != NULL)
      heap->some_type_has_finalizer = true;
    if (t->legacy_finalize != NULL)
      heap->some_type_has_legacy = true;
    if (!heap->tdesc[id].plain)
      heap->order_visible = true;
  }
  tcache_fill(heap, slot, t, id);
  return id;
}

/* ------------------------------------------------------------ allocation */

void *rcgc_new_sized(rcgc_heap *heap, const rcgc_type *t, size_t size) {
  if (heap == NULL)
    return NULL;
  ENTER(heap, NULL);
  void *obj = NULL;
  if (t == NULL || t->name == NULL || size < t->size) {
    rcgc__misuse(heap, NULL, "invalid type",
                 "rcgc_new: type %s%s%s is not usable (%s)", t && t->name ? "'" : "",
                 t && t->name ? t->name : "(unnamed)", t && t->name ? "'" : "",
                 t == NULL ? "NULL type" : t->name == NULL ? "no name" : "size below type size");
    goto out;
  }
  if (heap->in_traverse) {
    rcgc__misuse(heap, NULL, "allocation inside traverse",
                 "rcgc_new(%s) called from inside a traverse function", t->name);
    goto out;
  }
  if (RCGC_UNLIKELY(heap->destroying == DESTROY_NO_ALLOC)) {
    rcgc__misuse(heap, NULL, "allocation during heap destroy",
                 "rcgc_new(%s) refused: finalizers or destroy functions kept allocating for %d "
                 "rounds of rcgc_heap_destroy",
                 t->name, DESTROY_ROUNDS);
    goto out;
  }
  /* a size whose block (lead, head, rounding) does not fit a size_t is
  ** memory that cannot be had: NULL, as for any allocation failure */
  if (size > SIZE_MAX - (heap->pre + sizeof(size_t) + sizeof(head_t) + 7))
    goto out;
  bool sized = size != t->size;
  size_t lead = heap->pre + (sized ? sizeof(size_t) : 0);
  size_t bsize = block_bytes(lead, size);
  heap->budget -= (long long)(bsize < (size_t)LLONG_MAX / 2 ? bsize : (size_t)LLONG_MAX / 2);
  if (t->traverse != NULL) {
    heap->gens[0].count++;
#ifdef RCGC_STRESS
    if (!heap->collecting && !heap->in_user && !heap->in_traverse && !heap->destroying &&
        heap->enabled && heap->gens[0].threshold != 0)
      rcgc__collect_young(heap);
#endif
  }
  if (heap->budget < 0 || (t->traverse != NULL && heap->gens[0].count > heap->count_limit))
    rcgc__maybe_collect(heap);
  uint32_t id = rcgc__type_id(heap, t);
  if (id != 0) {
    head_t *h = rcgc__block_alloc(heap, bsize, lead);
    if (h != NULL) {
      if (sized)
        *object_size_word(heap, h) = size;
      if (heap->pre) {
        /* serials exist only where the prefix records them */
        prefix_of_mut(h)->serial = ++heap->serial;
        prefix_of_mut(h)->heap = heap;
      }
      h->refcnt = 1;
      h->tinfo = (id << TI_SHIFT) | (sized ? TI_SIZED : 0u) |
                 (t->traverse ? heap->fresh_bits : TI_UNTRACKED);
      h->gc_prev = 0;
      list_append(h, t->traverse ? &heap->gens[0].head : &heap->untracked);
      obj = FROM_HEAD(h);
      memset(obj, 0, size);
      heap->nobjects++;
      heap->nbytes += bsize;
    }
  }
  if (obj == NULL && t->traverse != NULL && heap->gens[0].count > 0)
    heap->gens[0].count--; /* nothing was created */
out:
  LEAVE(heap);
  return obj;
}

#if !defined(RCGC_CHECKS) && !defined(RCGC_STRESS)
/* The general allocation path, kept out of rcgc_new's fast path so that
** the fast path needs no stack frame. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static void *new_slow(rcgc_heap *heap, const rcgc_type *t) {
  return rcgc_new_sized(heap, t, t->size);
}

/* Zero 'n' words. Small objects are the common case: a few plain stores
** beat a call to memset (a loop would be turned back into one). */
static inline void zero_words(uint64_t *p, size_t n) {
  switch (n) {
  case 6: p[5] = 0; /* fall through */
  case 5: p[4] = 0; /* fall through */
  case 4: p[3] = 0; /* fall through */
  case 3: p[2] = 0; /* fall through */
  case 2: p[1] = 0; /* fall through */
  case 1: p[0] = 0; /* fall through */
  case 0: break;
  default: memset(p, 0, n * 8);
  }
}
#endif

/* rcgc_new's fast path: a type in the type cache whose fixed-size block is
** pooled (no prefix, no RCGC_CONFIG_NO_POOL), a release build, no traverse
** running, the policy's limits not reached, a block on the class's free list
** or in its page. Everything else -- the first use of a type or a cache
** miss, variable sizes, serials, debug checks, a pool that needs a page, an
** automatic collection -- goes through rcgc_new_sized, which produces the
** same object and fills the cache. The path makes no call and touches the
** cache entry, the pool class, the block and a few heap counters. */
void *rcgc_new(rcgc_heap *heap, const rcgc_type *t) {
#if !defined(RCGC_CHECKS) && !defined(RCGC_STRESS)
  if (RCGC_LIKELY(heap != NULL && t != NULL)) {
    const tcache_t *e = &heap->tcache[tcache_slot(t)];
    pool_class_t *pc = e->pc;
    if (RCGC_LIKELY(e->type == t && pc != NULL && !heap->in_traverse)) {
      uint32_t bsize = e->bsize, tinfo = e->tinfo;
      /* 1 for a tracked type, 0 for an untracked one */
      uint32_t tracked = ((tinfo / TI_UNTRACKED) & 1u) ^ 1u;
      /* the policy's limits reached: the slow path decides (policy.c; with
      ** automatic collection off neither limit is ever reached) */
      if (RCGC_UNLIKELY(heap->gens[0].count + tracked > heap->count_limit ||
                        heap->budget < (long long)bsize))
        return new_slow(heap, t);
      void *mem = pc->free;
      if (RCGC_LIKELY(mem != NULL)) {
        pc->free = *(void **)mem;
      } else if (pc->bump != pc->limit) {
        mem = pc->bump;
        pc->bump += bsize;
      } else {
        return new_slow(heap, t);
      }
      heap->gens[0].count += tracked;
      heap->budget -= bsize;
      heap->nobjects++;
      heap->nbytes += bsize;
      head_t *h = mem;
      h->refcnt = 1;
      h->tinfo = tinfo | (heap->fresh_bits & (0u - tracked));
      h->gc_prev = 0;
      list_append(h, e->list);
      uint64_t *data = FROM_HEAD(h);
      zero_words(data, (bsize - sizeof(head_t)) / 8);
      return data;
    }
  }
#endif
  if (t == NULL) {
    if (heap != NULL)
      rcgc__misuse(heap, NULL, "invalid type", "rcgc_new: NULL type");
    return NULL;
  }
  return rcgc_new_sized(heap, t, t->size);
}

/* ------------------------------------------------------------ refcounts */

void rcgc_incref_slow_(rcgc_heap *heap, void *obj) {
  if (obj == NULL)
    return;
#if !defined(RCGC_CHECKS) && !defined(RCGC_STRESS)
  if (heap != NULL && (uint32_t)(AS_HEAD(obj)->refcnt + 2u) > 2u) {
    /* the inline path's increment, sent here by TI_INC alone: the same
    ** increment (checked no more than inline), through the barrier */
    ref_inc(heap, AS_HEAD(obj));
    return;
  }
#endif
  if (heap == NULL) {
    rcgc__null_heap(obj, "rcgc_incref");
    return;
  }
  ENTER(heap, );
  head_t *h = AS_HEAD(obj);
  if (!rcgc__valid_object(heap, obj, "rcgc_incref")) {
    /* reported */
  } else if (h->refcnt == 0) {
    rcgc__misuse(heap, obj, "incref of a dead object",
                 "rcgc_incref on an object whose refcount is 0 (being freed)");
  } else if (heap->in_traverse) {
    rcgc__misuse(heap, obj, "graph mutated inside traverse",
                 "rcgc_incref called from inside a traverse function; ignored");
  } else {
    ref_inc(heap, h);
  }
  LEAVE(heap);
}

/* An increment of a count of RC_IMMORTAL - 1 or more: the count saturates
** and the object becomes immortal, reported once, when it happens. */
void rcgc__saturate(rcgc_heap *heap, head_t *h) {
  if (h->refcnt != RC_IMMORTAL - 1)
    return; /* immortal already */
  h->refcnt = RC_IMMORTAL;
  rcgc__misuse(heap, FROM_HEAD(h), "refcount overflow",
               "the refcount reached its maximum, %u: the object is immortal from now on "
               "(increfs and decrefs leave it alone; heap destroy frees it)",
               (unsigned)RC_IMMORTAL);
}

void rcgc_decref_slow_(rcgc_heap *heap, void *obj) {
  if (obj == NULL)
    return;
  if (heap == NULL) {
    rcgc__null_heap(obj, "rcgc_decref");
    return;
  }
  ENTER(heap, );
  head_t *h = AS_HEAD(obj);
  if (!rcgc__valid_object(heap, obj, "rcgc_decref")) {
    /* reported */
  } else if (h->refcnt == 0) {
    rcgc__misuse(heap, obj, "decref below zero",
                 "rcgc_decref on an object whose refcount is already 0");
  } else if (heap->in_traverse) {
    rcgc__misuse(heap, obj, "graph mutated inside traverse",
                 "rcgc_decref called from inside a traverse function; ignored");
  } else if (h->refcnt != RC_IMMORTAL && --h->refcnt == 0) {
    rcgc__on_refcount_zero(heap, h);
  } else if (!(h->tinfo & RCGC_TI_QUIET_)) {
    rcgc__suspect(heap, h);
  }
#ifdef RCGC_STRESS
  if ((++heap->stress_decrefs & 63) == 0 && !heap->collecting && !heap->in_user &&
      !heap->in_traverse && !heap->destroying && !heap->draining && heap->enabled &&
      heap->gens[0].threshold != 0)
    rcgc__collect_young(heap);
#endif
  LEAVE(heap);
}

/* ------------------------------------------------------------ freeing */


/* Tag in the zero-stack link of an object whose references are released
** and that waits for step 6 (blocks are 8-aligned: bit 0 is free). */
#define ZERO_RELEASED ((uintptr_t)1)

/* An object whose refcount reached 0 leaves its list and goes on the zero
** stack (INVARIANT L3). Returns the object it went on top of. The caller
** has taken it out of a running incremental collection (inc_forget), or
** knows it is not in one. */
static inline head_t *zero_push(rcgc_heap *heap, head_t *h) {
  list_remove(h);
  h->gc_prev = 0;
  head_t *below = heap->zero_stack;
  h->gc_next = (uintptr_t)below;
  heap->zero_stack = h;
  return below;
}

/* Refcount of 'h' just reached 0: take it off its list and free it from the
** drain loop (see the top of this file). */
void rcgc__on_refcount_zero(rcgc_heap *heap, head_t *h) {
  if (RCGC_UNLIKELY(heap->nheld > 0) && is_held(heap, h)) {
    rcgc__misuse(heap, FROM_HEAD(h), "decref below zero",
                 "a finalizer released a reference it did not own");
    return; /* the holder sees refcount 0 and finishes the object's death */
  }
  if (RCGC_UNLIKELY(h->gc_prev == 0)) {
    /* on no list: it is already on the zero stack or being freed */
    rcgc__misuse(heap, FROM_HEAD(h), "decref below zero",
                 "the object reached refcount 0 again while it was being freed");
    return;
  }
  inc_forget(heap, h); /* no longer a candidate (incremental.c) */
  head_t *below = zero_push(heap, h);
  if (!heap->draining)
    rcgc__drain(heap);
  else if (heap->draining == DRAIN_LOOP && heap->in_user > heap->drain_user &&
           heap->drain_depth < RCGC_MAX_NESTED_DRAIN)
    rcgc__drain_to(heap, below); /* user code freed it: at once (top of file) */
}

/* Put the objects pushed on the zero stack above 'base' (at least one) in
** the opposite order. Returns the lowest of them now. */
static head_t *reverse_above(rcgc_heap *heap, head_t *base) {
  head_t *rev = base, *h = heap->zero_stack, *lowest = h;
  while (h != base) {
    head_t *next = (head_t *)h->gc_next;
    h->gc_next = (uintptr_t)rev;
    rev = h;
    h = next;
  }
  heap->zero_stack = rev;
  return lowest;
}

#ifndef RCGC_CHECKS
/* Release builds: uncount a destroyed object whose fixed-size block is
** pooled (no prefix: the head is the block) and push the block, poisoned
** and marked free (F1), on its class's free list. */
static inline void free_pooled(rcgc_heap *heap, head_t *h, const type_desc_t *d) {
  heap->nobjects--;
  heap->nbytes -= d->bsize;
  h->refcnt = 0;
  h->tinfo = TYPE_POISON << TI_SHIFT;
  pool_class_t *pc = &heap->classes[d->pool - 1];
  h->gc_next = (uintptr_t)pc->free; /* the free-list link is the block's first word */
  mark_free(h);
  pc->free = h;
}
#endif

/* Release one reference a dying object holds (step 5, the visit function
** of its traverse). Split in two so that the common cases -- a child that
** stays alive, and one that dies with nothing else to do than going on the
** zero stack -- run in a function that saves no register and makes no call
** but a tail call: visit_release handles them and leaves everything else to
** release_slow, which checks and reports in full. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noinline))
#endif
static int release_slow(rcgc_heap *heap, void *child) {
  head_t *c = AS_HEAD(child);
  if (!rcgc__valid_object(heap, child, "traverse (releasing references)"))
    return 0;
  if (c->refcnt == 0) {
    rcgc__misuse(heap, child, "refcount is too small",
                 "a traverse function reported a reference to an object that is already "
                 "being freed");
    return 0;
  }
  if (c->refcnt != RC_IMMORTAL && --c->refcnt == 0) {
    /* the drain loop runs no user code while it traverses: the child is
    ** only pushed (rcgc__on_refcount_zero's common case, without the call) */
    if (RCGC_LIKELY(heap->nheld == 0 && c->gc_prev != 0 && heap->in_user <= heap->drain_user)) {
      inc_forget(heap, c);
      (void)zero_push(heap, c);
    } else {
      rcgc__on_refcount_zero(heap, c);
    }
  } else if (!(c->tinfo & RCGC_TI_QUIET_)) {
    rcgc__suspect(heap, c);
  }
  return 0;
}

static int visit_release(void *child, const char *edge, void *arg) {
  (void)edge;
  rcgc_heap *heap = arg;
#ifndef RCGC_CHECKS
  head_t *c = AS_HEAD(child);
  uint32_t tinfo = c->tinfo, rc = c->refcnt;
  /* a valid object of the heap in one compare (id 0, ids past the table and
  ** freed blocks all fail it); debug builds check everything slowly */
  if (RCGC_LIKELY((tinfo >> TI_SHIFT) - 1u < heap->ntypes - 1u)) {
    if (RCGC_LIKELY(rc - 2u < RC_IMMORTAL - 2u)) { /* 2 .. RC_IMMORTAL - 1 */
      c->refcnt = rc - 1;
      if (!(tinfo & RCGC_TI_QUIET_))
        rcgc__suspect(heap, c);
      return 0;
    }
    /* reaches 0, on a list, no holder, no incremental state: push it */
    if (rc == 1 && RCGC_LIKELY(c->gc_prev != 0 && !(tinfo & TI_INC) && heap->nheld == 0 &&
                               heap->in_user <= heap->drain_user)) {
      c->refcnt = 0;
      (void)zero_push(heap, c);
      return 0;
    }
  }
#endif
  return release_slow(heap, child);
}

/* Call a finalizer with a temporary reference. Returns true when the object
** survived (was resurrected). */
static bool run_finalizer(rcgc_heap *heap, head_t *h,
                          void (*fin)(rcgc_heap *, void *)) {
  h->tinfo &= ~(uint32_t)TI_FROZEN;
  h->gc_prev = 0;
  if (!(h->tinfo & TI_UNTRACKED))
    settle_suspect_bit(heap, h);
  list_append(h, home_list(heap, h));
  h->refcnt = 1;
  hold_push(heap, h);
  USER_BEGIN(heap);
  fin(heap, FROM_HEAD(h));
  USER_END(heap);
  hold_pop(heap);
  /* refcnt 0: the finalizer dropped our reference itself (reported) */
  if (h->refcnt > 0 && (h->refcnt == RC_IMMORTAL || --h->refcnt != 0))
    return true;
  list_remove(h);
  h->gc_prev = 0;
  return false;
}

/* Step 6: count the deallocation, destroy, free the memory. */
static void free_released(rcgc_heap *heap, head_t *h) {
  if (!(h->tinfo & TI_UNTRACKED) && heap->gens[0].count > 0)
    heap->gens[0].count--;
  rcgc__object_free(heap, h);
}

/* Steps 2-6 for one object popped from the zero stack (step 6 only, for one
** that waited beneath its children: ZERO_RELEASED). */
static void finish_zero(rcgc_heap *heap, head_t *h) {
  uint32_t id = type_id_of(h);
  const type_desc_t *d = &heap->tdesc[id];
  /* most objects have no finalizer, destroy function, weak reference or
  ** watch, and a pooled block: their whole death inline */
  if (RCGC_LIKELY(d->fast && !(h->tinfo & (TI_WEAKREFD | TI_WATCHED | TI_SIZED)))) {
    if (d->traverse != NULL) {
      head_t *top = heap->zero_stack;
      heap->in_traverse++;
      d->traverse(FROM_HEAD(h), visit_release, heap);
      heap->in_traverse--;
      if (heap->zero_stack != top && (heap->order_visible || heap->leak != NULL)) {
        head_t *lowest = reverse_above(heap, top); /* as below */
        h->gc_next = (uintptr_t)top | ZERO_RELEASED;
        lowest->gc_next = (uintptr_t)h;
        return;
      }
    }
    if (!(h->tinfo & TI_UNTRACKED) && heap->gens[0].count > 0)
      heap->gens[0].count--;
#ifndef RCGC_CHECKS
    free_pooled(heap, h, d);
#else
    rcgc__object_memory_free(heap, h);
#endif
    return;
  }
  const rcgc_type *t = heap->types[id];
  if (RCGC_UNLIKELY(!d->plain || (h->tinfo & TI_WEAKREFD))) {
    if (t->finalize != NULL && !(h->tinfo & TI_FINALIZED)) {
      h->tinfo |= TI_FINALIZED;
      if (run_finalizer(heap, h, t->finalize))
        return;
    }
    if (h->tinfo & TI_WEAKREFD)
      rcgc__weakrefs_on_death(heap, h);
    /* a legacy finalizer runs at every death, except after a forced release
    ** (rcgc_garbage_release with RCGC_RELEASE_LEGACY) already ran it once */
    if (t->legacy_finalize != NULL && !(h->tinfo & TI_LEGACY_RAN) &&
        run_finalizer(heap, h, t->legacy_finalize))
      return;
  }
  if (t->traverse != NULL) {
    head_t *top = heap->zero_stack;
    rcgc__traverse(heap, h, visit_release, heap);
    /* no finalizer, destroy function or watch can see the order: the object
    ** goes at once and its children after it, last released first -- the
    ** same frees in an order nobody can tell apart, without a second visit */
    if (heap->zero_stack != top && (heap->order_visible || heap->leak != NULL)) {
      /* step 6 waits beneath the children it released (step 5) */
      head_t *lowest = reverse_above(heap, top);
      h->gc_next = (uintptr_t)top | ZERO_RELEASED;
      lowest->gc_next = (uintptr_t)h;
      return;
    }
  }
  free_released(heap, h);
}

/* Free the objects on the zero stack above 'base' (and what they free),
** then restore the state of the drain loop this one nests in, if any. */
void rcgc__drain_to(rcgc_heap *heap, head_t *base) {
  int draining = heap->draining, user = heap->drain_user;
  heap->draining = DRAIN_LOOP;
  heap->drain_user = heap->in_user;
  heap->drain_depth++;
  head_t *h;
  while ((h = heap->zero_stack) != base) {
    uintptr_t link = h->gc_next;
    heap->zero_stack = (head_t *)(link & ~ZERO_RELEASED);
    h->gc_next = 0;
    if (link & ZERO_RELEASED)
      free_released(heap, h);
    else
      finish_zero(heap, h);
  }
  heap->drain_depth--;
  heap->drain_user = user;
  heap->draining = draining;
}

void rcgc__drain(rcgc_heap *heap) { rcgc__drain_to(heap, NULL); }

/* Run the destroy function of 'h' (whose references are already released)
** and the hooks that must see it before its memory goes: expect-freed
** watches and weak references created by destroy itself. The header is left
** intact for rcgc__object_memory_free. */
void rcgc__destroy_object(rcgc_heap *heap, head_t *h) {
  const rcgc_type *t = type_of(heap, h);
  if (t->destroy != NULL) {
    USER_BEGIN(heap);
    t->destroy(heap, FROM_HEAD(h));
    USER_END(heap);
  }
  if (RCGC_UNLIKELY(h->tinfo & (TI_WATCHED | TI_WEAKREFD))) {
    if (h->tinfo & TI_WATCHED)
      rcgc__leak_on_free(heap, h);
    if (h->tinfo & TI_WEAKREFD)
      rcgc__weakrefs_on_death(heap, h);
  }
}

/* Return the memory of a destroyed object to its pool or the hook. */
void rcgc__object_memory_free(rcgc_heap *heap, head_t *h) {
#ifndef RCGC_CHECKS
  /* fast path: a pooled fixed-size block goes straight to its free list */
  const type_desc_t *d = &heap->tdesc[type_id_of(h)];
  if (RCGC_LIKELY(d->pool != 0 && !(h->tinfo & TI_SIZED))) {
    free_pooled(heap, h, d);
    return;
  }
#endif
  size_t lead = object_lead(heap, h), bsize = object_block_size(heap, h);
  heap->nobjects--;
  heap->nbytes -= bsize;
  rcgc__block_retire(heap, h, lead, bsize);
}

void rcgc__object_free(rcgc_heap *heap, head_t *h) {
  /* most objects have neither a destroy function nor a watch or weak
  ** reference: skip the call */
  if (!heap->tdesc[type_id_of(h)].plain || (h->tinfo & (TI_WATCHED | TI_WEAKREFD)))
    rcgc__destroy_object(heap, h);
  rcgc__object_memory_free(heap, h);
}

/* ------------------------------------------------------------ accessors */

/* Debug builds: is 'obj' an object of another live heap? Reported (rule
** "reference between heaps", naming the call 'what'): its type id means
** nothing in this heap's table. A pointer whose prefix names no live heap is
** left to the callers' own checks (a freed block, or not an object). */
static bool foreign_object(rcgc_heap *heap, const void *obj, const char *what) {
#ifdef RCGC_CHECKS
  const head_t *h = AS_CHEAD(obj);
  if (type_id_of(h) != TYPE_POISON && prefix_of(h)->heap != heap &&
      rcgc__live_heap(prefix_of(h)->heap)) {
    rcgc__valid_object(heap, obj, what);
    return true;
  }
#else
  (void)heap, (void)obj, (void)what;
#endif
  return false;
}

static const rcgc_type *type_or_null(rcgc_heap *heap, const void *obj) {
  if (foreign_object(heap, obj, "rcgc_typeof"))
    return NULL;
  uint32_t id = type_id_of(AS_CHEAD(obj));
  return id == 0 || id >= heap->ntypes ? NULL : heap->types[id];
}

const rcgc_type *rcgc_typeof(rcgc_heap *heap, const void *obj) {
  if (heap == NULL || obj == NULL)
    return NULL;
  ENTER(heap, NULL);
  const rcgc_type *t = type_or_null(heap, obj);
  LEAVE(heap);
  return t;
}

uint64_t rcgc_serial(rcgc_heap *heap, const void *obj) {
  if (obj == NULL)
    return 0;
  RETURN_CLAIMED(uint64_t, heap, 0, 0,
                 heap->pre != 0 ? prefix_of(AS_CHEAD(obj))->serial : 0);
}

static int repr(rcgc_heap *heap, const void *obj, char *buf, size_t cap) {
  if (foreign_object(heap, obj, "rcgc_repr")) {
    if (cap > 0)
      buf[0] = 0;
    return 0;
  }
  const rcgc_type *t = type_or_null(heap, obj);
  if (t == NULL || t->repr == NULL)
    return rcgc__describe(heap, AS_CHEAD(obj), buf, cap);
  if (cap > 0)
    buf[0] = 0;
  USER_BEGIN(heap);
  int n = t->repr(obj, buf, cap);
  USER_END(heap);
  if (cap > 0)
    buf[cap - 1] = 0;
  return n;
}

int rcgc_repr(rcgc_heap *heap, const void *obj, char *buf, size_t cap) {
  if (cap > 0)
    buf[0] = 0; /* what every refusal leaves */
  if (obj == NULL)
    return 0;
  RETURN_CLAIMED(int, heap, 0, 0, repr(heap, obj, buf, cap));
}
