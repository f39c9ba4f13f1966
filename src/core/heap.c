/*
** heap.c -- heap lifecycle: creation, configuration, and destruction with
** the leak report.
**
** rcgc_heap_destroy, phase by phase:
**   1. the garbage list is released (its references dropped);
**   2. one full collection without callbacks and with DEBUG_SAVEALL
**      ignored; uncollectable cycles come back on the garbage list;
**   3. every object still alive is reported (uncollectable ones with the
**      reason, found by binary search in a sorted copy of the garbage
**      list: linear-logarithmic, not quadratic), and counted: that count
**      is the return value;
**   4. all live objects are gathered on one local list and each is held
**      (refcount + 1), so that nothing can die by refcount while user code
**      runs; finalizers run according to the destroy policy; objects those
**      finalizers allocate are gathered and treated the same way in the
**      next round, and the last of DESTROY_ROUNDS rounds refuses rcgc_new,
**      so every object that exists has had its finalizer;
**   5. weak references are cleared without callbacks; every destroy
**      function runs while all objects are still in memory (a destroy may
**      decref an object whose destroy already ran: it is held, so that is
**      harmless); only then is memory returned. Objects destroy functions
**      allocate are destroyed and freed in the next round, rounds bounded
**      as in phase 4;
**   6. the heap's own tables, pools and struct are released.
*/
#include "internal.h"

#include <stddef.h>
#include <stdlib.h>

void rcgc_config_init(rcgc_config *cfg) {
  if (cfg == NULL)
    return;
  memset(cfg, 0, sizeof *cfg);
  cfg->size = sizeof *cfg;
  cfg->destroy_policy = RCGC_DESTROY_FINALIZE;
}

rcgc_heap *rcgc_heap_new(const rcgc_config *cfg) {
  rcgc_config c;
  rcgc_config_init(&c);
  if (cfg != NULL) {
    /* a configuration from before 'policy' (or 'pause_budget_us') existed
    ** ends where that field starts */
    if (cfg->size != sizeof c && cfg->size != offsetof(rcgc_config, policy) &&
        cfg->size != offsetof(rcgc_config, pause_budget_us))
      return NULL;
    memcpy(&c, cfg, cfg->size);
    c.size = sizeof c;
  }
  if ((unsigned)c.destroy_policy > RCGC_DESTROY_NO_FINALIZE ||
      (c.flags & ~(unsigned)(RCGC_CONFIG_NO_POOL | RCGC_CONFIG_SERIALS | RCGC_CONFIG_STRICT_STORES)) ||
      (c.policy != RCGC_POLICY_SUSPECTS && c.policy != RCGC_POLICY_CPYTHON) ||
      c.pause_budget_us > RCGC_PAUSE_BUDGET_MAX)
    return NULL;
  rcgc_heap *heap;
  if (c.alloc != NULL)
    heap = c.alloc(c.alloc_ud, NULL, 0, sizeof *heap);
  else
    heap = malloc(sizeof *heap);
  if (heap == NULL)
    return NULL;
  memset(heap, 0, sizeof *heap);
  heap->cfg = c;
#ifdef RCGC_CHECKS
  heap->pre = sizeof(prefix_t);
  heap->quarantine = rcgc__raw_alloc(heap, RCGC_QUARANTINE * sizeof(void *));
  if (heap->quarantine == NULL) {
    /* straight to the hook, as heap destroy frees the struct: the raw
    ** layer updates the heap around the call */
    if (c.alloc != NULL)
      c.alloc(c.alloc_ud, heap, sizeof *heap, 0);
    else
      free(heap);
    return NULL;
  }
  memset(heap->quarantine, 0, RCGC_QUARANTINE * sizeof(void *));
#else
  heap->pre = (c.flags & RCGC_CONFIG_SERIALS) ? sizeof(prefix_t) : 0;
#endif
  static const long thresholds[RCGC_NUM_GENERATIONS] = {700, 10, 10};
  for (int i = 0; i < RCGC_NUM_GENERATIONS; i++)
    heap->gens[i].threshold = thresholds[i];
  head_t *lists[HEAP_NLISTS];
  heap_lists(heap, lists);
  for (size_t i = 0; i < HEAP_NLISTS; i++)
    list_init(lists[i]);
  heap->enabled = 1;
  heap->pause_budget_us = c.pause_budget_us;
  rcgc__schedule_init(heap);
#ifdef RCGC_CHECKS
  rcgc__registry_add(heap);
#endif
  return heap;
}

size_t rcgc_heap_object_count(rcgc_heap *heap) {
  RETURN_CLAIMED(size_t, heap, 0, 0, heap->nobjects);
}

size_t rcgc_heap_bytes(rcgc_heap *heap) {
  RETURN_CLAIMED(size_t, heap, 0, 0, heap->nbytes);
}

/* ------------------------------------------------------------ destroy */

/* The garbage list, sorted, for the leak report: one binary search per
** object instead of a scan of the list (quadratic with a long list). When
** memory is short the report falls back to the scan. */
typedef struct garbage_index {
  const void **sorted; /* NULL: scan heap->garbage */
  size_t n;
} garbage_index;

static int ptr_cmp(const void *a, const void *b) {
  uintptr_t x = (uintptr_t)*(const void *const *)a, y = (uintptr_t)*(const void *const *)b;
  return x < y ? -1 : x > y;
}

static void garbage_index_build(rcgc_heap *heap, garbage_index *gi) {
  gi->n = heap->ngarbage;
  gi->sorted = gi->n > 0 ? rcgc__raw_alloc(heap, gi->n * sizeof *gi->sorted) : NULL;
  if (gi->sorted == NULL)
    return;
  memcpy(gi->sorted, heap->garbage, gi->n * sizeof *gi->sorted);
  qsort(gi->sorted, gi->n, sizeof *gi->sorted, ptr_cmp);
}

static void garbage_index_free(rcgc_heap *heap, garbage_index *gi) {
  rcgc__raw_free(heap, gi->sorted, gi->n * sizeof *gi->sorted);
}

static bool in_garbage(const rcgc_heap *heap, const garbage_index *gi, const void *obj) {
  if (gi->sorted != NULL)
    return bsearch(&obj, gi->sorted, gi->n, sizeof *gi->sorted, ptr_cmp) != NULL;
  for (size_t i = 0; i < heap->ngarbage; i++)
    if (heap->garbage[i] == obj)
      return true;
  return false;
}

static void report_leak(rcgc_heap *heap, const garbage_index *gi, head_t *h) {
  char desc[600];
  rcgc__describe(heap, h, desc, sizeof desc);
  const rcgc_type *t = type_of(heap, h);
  const char *why;
  if (in_garbage(heap, gi, FROM_HEAD(h)))
    why = t->legacy_finalize ? " [uncollectable: legacy finalizer in a reference cycle]"
                             : " [in the garbage list]";
  else if (h->tinfo & TI_FINALIZED)
    why = " [resurrected by its finalizer]";
  else
    why = " [held from outside the heap]";
  char repr[400] = "";
  if (t->repr != NULL) {
    repr[0] = ' ';
    USER_BEGIN(heap);
    t->repr(FROM_HEAD(h), repr + 1, sizeof repr - 1);
    USER_END(heap);
  }
  rcgc__report(heap, "rcgc: leak: %s refcount %u%s%s\n", desc, (unsigned)h->refcnt, repr, why);
}

/* Move every live object onto 'all' and hold it. Returns how many moved. */
static size_t gather(rcgc_heap *heap, head_t *all) {
  head_t *lists[HEAP_NLISTS];
  heap_lists(heap, lists);
  size_t n = 0;
  for (size_t i = 0; i < HEAP_NLISTS; i++) {
    for (head_t *h = next_of(lists[i]); h != lists[i]; h = next_of(h)) {
      ref_inc(heap, h);
      n++;
    }
    list_merge(lists[i], all);
  }
  return n;
}

/* Start round 'round' of a phase: the last one refuses allocation, so that
** what exists at its start is all there is at its end. The release
** build's rcgc_new fast path is closed by emptying the type cache: its
** refill and rcgc_new_sized both check DESTROY_NO_ALLOC first. */
static bool last_round(rcgc_heap *heap, int round) {
  if (round < DESTROY_ROUNDS - 1)
    return false;
  heap->destroying = DESTROY_NO_ALLOC;
  memset(heap->tcache, 0, sizeof heap->tcache);
  return true;
}

/* Run the finalizers the policy asks for on everything in 'all'. New
** objects created meanwhile are gathered into 'all' too and finalized in
** the next round; the last round allows no allocation. */
static void destroy_finalize(rcgc_heap *heap, head_t *all) {
  rcgc_destroy_policy policy = heap->cfg.destroy_policy;
  if (policy == RCGC_DESTROY_NO_FINALIZE)
    return;
  for (int round = 0;; round++) {
    bool last = last_round(heap, round);
    head_t batch, done;
    list_init(&batch);
    list_init(&done);
    if (round == 0)
      list_merge(all, &batch);
    else if (gather(heap, &batch) == 0)
      break;
    while (!list_empty(&batch)) {
      head_t *h = next_of(&batch);
      list_move(h, &done);
      const rcgc_type *t = type_of(heap, h);
      if (t->finalize != NULL && !(h->tinfo & TI_FINALIZED)) {
        h->tinfo |= TI_FINALIZED;
        USER_BEGIN(heap);
        t->finalize(heap, FROM_HEAD(h));
        USER_END(heap);
      }
    }
    if (policy == RCGC_DESTROY_FINALIZE_ALL) {
      for (head_t *h = next_of(&done); h != &done; h = next_of(h)) {
        const rcgc_type *t = type_of(heap, h);
        if (t->legacy_finalize != NULL && !(h->tinfo & TI_LEGACY_RAN)) {
          h->tinfo |= TI_LEGACY_RAN;
          USER_BEGIN(heap);
          t->legacy_finalize(heap, FROM_HEAD(h));
          USER_END(heap);
        }
      }
    }
    list_merge(&done, all);
    if (last)
      break;
  }
  heap->destroying = 1;
}

/* Destroy and free everything on 'all' (see phase 5). Objects destroy
** functions allocate are destroyed and freed in the next round (no
** finalizer runs on them); the last round allows no allocation. */
static void destroy_all(rcgc_heap *heap, head_t *all) {
  for (int round = 0;; round++) {
    bool last = last_round(heap, round);
    if (round > 0 && gather(heap, all) == 0)
      break;
    for (head_t *h = next_of(all); h != all; h = next_of(h)) {
      if (h->tinfo & TI_WEAKREFD) {
        struct rcgc_weakref *wr;
        while ((wr = rcgc__weakref_list(heap, FROM_HEAD(h))) != NULL) {
          wr->callback = NULL;
          rcgc__weakref_detach(heap, wr);
        }
      }
    }
    for (head_t *h = next_of(all); h != all; h = next_of(h)) {
      const rcgc_type *t = type_of(heap, h);
      if (t->destroy != NULL) {
        USER_BEGIN(heap);
        t->destroy(heap, FROM_HEAD(h));
        USER_END(heap);
      }
    }
    heap->zero_stack = NULL;
    while (!list_empty(all)) {
      head_t *h = next_of(all);
      list_remove(h);
      h->tinfo &= ~(uint32_t)TI_WATCHED;
      /* destroy already ran: free the memory only */
      size_t lead = object_lead(heap, h), bsize = object_block_size(heap, h);
      heap->nobjects--;
      heap->nbytes -= bsize;
      rcgc__block_retire(heap, h, lead, bsize);
    }
    if (last)
      break;
  }
}

long rcgc_heap_destroy(rcgc_heap *heap) {
  if (heap == NULL)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  if (heap->in_user || heap->collecting || heap->in_traverse || heap->destroying) {
    rcgc__misuse(heap, NULL, "heap destroyed from inside itself",
                 "rcgc_heap_destroy called from a callback, finalizer or traverse of the "
                 "same heap; ignored");
    LEAVE(heap);
    return RCGC_EBUSY;
  }
  /* 1-2 (a running incremental collection is given up first: its
  ** candidates become suspects, which the full collection examines) */
  rcgc__inc_abandon(heap);
  rcgc_garbage_clear(heap);
  rcgc__collect(heap, RCGC_NUM_GENERATIONS - 1, COLLECT_NO_SAVEALL | COLLECT_NO_CALLBACKS);
  heap->destroying = 1;
  /* 3 */
  size_t alive = heap->nobjects;
  if (alive > 0) {
    rcgc__report(heap, "rcgc: heap destroy: %zu object%s still alive\n", alive,
                 alive == 1 ? "" : "s");
    head_t *lists[HEAP_NLISTS];
    heap_lists(heap, lists);
    garbage_index gi;
    garbage_index_build(heap, &gi);
    for (size_t i = 0; i < HEAP_NLISTS; i++)
      for (head_t *h = next_of(lists[i]); h != lists[i]; h = next_of(h))
        report_leak(heap, &gi, h);
    garbage_index_free(heap, &gi);
  }
  /* the garbage list's references are accounted for by the holds below */
  for (size_t i = 0; i < heap->ngarbage; i++)
    if (AS_HEAD(heap->garbage[i])->refcnt != RC_IMMORTAL)
      AS_HEAD(heap->garbage[i])->refcnt--;
  heap->ngarbage = 0;
  /* 4-5 */
  head_t all;
  list_init(&all);
  gather(heap, &all);
  destroy_finalize(heap, &all);
  destroy_all(heap, &all);
  /* 6 */
  rcgc__leak_release(heap);
  rcgc__weakrefs_release(heap);
  rcgc__inc_release(heap);
  rcgc__raw_free(heap, heap->garbage, heap->cap_garbage * sizeof(void *));
  rcgc__raw_free(heap, heap->callbacks, heap->cap_callbacks * sizeof(callback_t));
  rcgc__raw_free(heap, (void *)heap->types, heap->cap_types * sizeof(rcgc_type *));
  rcgc__raw_free(heap, heap->tdesc, heap->cap_tdesc * sizeof(type_desc_t));
  rcgc__raw_free(heap, heap->type_hash, heap->type_hash_cap * sizeof(uint32_t));
  rcgc__quarantine_flush(heap);
#ifdef RCGC_CHECKS
  rcgc__raw_free(heap, heap->quarantine, RCGC_QUARANTINE * sizeof(void *));
#endif
  rcgc__pools_release(heap);
  LEAVE(heap);
#ifdef RCGC_CHECKS
  rcgc__registry_remove(heap);
#endif
  if (heap->cfg.alloc != NULL)
    heap->cfg.alloc(heap->cfg.alloc_ud, heap, sizeof *heap, 0);
  else
    free(heap);
  return (long)alive;
}
