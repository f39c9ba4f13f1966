/*
** introspect.c -- looking at the heap: get_objects, get_referrers,
** get_referents, tracking, freezing (the introspection half of Python's gc
** module).
**
** Safety during a collection: these calls may run from finalizers and
** callbacks while a collection is in progress. They only walk the heap's
** generation lists (gens[0..2], and the suspects list, which counts as
** generation 0); a running collection keeps its candidates,
** its garbage and its uncollectable objects on local lists, so no dying
** object is ever returned (the rule of CPython gh-125859). Every returned
** object is a new strong reference held by the rcgc_list.
*/
#include "internal.h"

/* An rcgc_list's array is one block: a word holding its capacity, then
** the items (rcgc_list.items points at the first item), so that the public
** struct carries nothing private. */
static size_t *list_block(void **items) { return (size_t *)(void *)items - 1; }
static size_t list_capacity(const rcgc_list *l) {
  return l->items != NULL ? *list_block(l->items) : 0;
}
static size_t list_block_bytes(size_t cap) { return sizeof(size_t) + cap * sizeof(void *); }

static int list_push(rcgc_heap *heap, rcgc_list *out, void *obj) {
  size_t cap = list_capacity(out);
  if (out->count == cap) {
    size_t ncap = cap ? cap * 2 : 16;
    size_t *nb = rcgc__raw_realloc(heap, out->items ? list_block(out->items) : NULL,
                                   cap ? list_block_bytes(cap) : 0, list_block_bytes(ncap));
    if (nb == NULL)
      return RCGC_ENOMEM;
    nb[0] = ncap;
    out->items = (void **)(void *)(nb + 1);
  }
  ref_inc(heap, AS_HEAD(obj));
  out->items[out->count++] = obj;
  return RCGC_OK;
}

static void list_reset(rcgc_list *out) {
  out->items = NULL;
  out->count = 0;
}

static void list_release(rcgc_heap *heap, rcgc_list *list) {
  if (heap->in_traverse) {
    /* its decrefs would be refused one by one: the references would leak */
    rcgc__misuse(heap, NULL, "graph mutated inside traverse",
                 "rcgc_list_decref_and_free called from inside a traverse function; ignored: the list "
                 "keeps its %zu reference%s",
                 list->count, list->count == 1 ? "" : "s");
    return;
  }
  void **items = list->items;
  size_t n = list->count, cap = list_capacity(list);
  list_reset(list);
  for (size_t i = 0; i < n; i++)
    rcgc_decref_slow_(heap, items[i]);
  if (items != NULL)
    rcgc__raw_free(heap, list_block(items), list_block_bytes(cap));
}

void rcgc_list_decref_and_free(rcgc_heap *heap, rcgc_list *list) {
  if (heap == NULL || list == NULL)
    return;
  ENTER(heap, );
  list_release(heap, list);
  LEAVE(heap);
}

/* On failure the partial list is released and 'out' left empty. */
static int fail(rcgc_heap *heap, rcgc_list *out, int err) {
  list_release(heap, out);
  return err;
}

/* The lists of generation 'g': the suspects count as generation 0 (they
** are what the next young collection examines); the candidates of a
** running incremental collection as generation 2, where its survivors go
** (rcgc_get_objects and rcgc_freeze finish it first, so only from its own
** callbacks; rcgc_get_referrers sees them between slices too).
** Returns how many. */
#define GEN_LISTS (1 + INC_NLISTS)
static int gen_lists(rcgc_heap *heap, int g, head_t *lists[GEN_LISTS]) {
  lists[0] = &heap->gens[g].head;
  if (g == 0) {
    lists[1] = &heap->suspects;
    return 2;
  }
  if (g < RCGC_NUM_GENERATIONS - 1)
    return 1;
  for (int i = 0; i < INC_NLISTS; i++)
    lists[1 + i] = &heap->inc_lists[i];
  return GEN_LISTS;
}

int rcgc_get_objects(rcgc_heap *heap, int generation, rcgc_list *out) {
  if (out != NULL)
    list_reset(out);
  if (heap == NULL || out == NULL)
    return RCGC_EINVAL;
  if (generation < -1 || generation >= RCGC_NUM_GENERATIONS)
    return RCGC_ERANGE;
  ENTER(heap, RCGC_ETHREAD);
  if (heap->in_traverse) {
    LEAVE(heap);
    return RCGC_EBUSY; /* its references could not be released there */
  }
  (void)inc_settle(heap); /* its candidates belong to no generation until it ends */
  int lo = generation < 0 ? 0 : generation, hi = generation < 0 ? RCGC_NUM_GENERATIONS - 1 : generation;
  int r = RCGC_OK;
  for (int g = lo; g <= hi && r == RCGC_OK; g++) {
    head_t *lists[GEN_LISTS];
    for (int i = 0, n = gen_lists(heap, g, lists); i < n; i++)
      for (head_t *h = next_of(lists[i]); h != lists[i] && r == RCGC_OK; h = next_of(h))
        r = list_push(heap, out, FROM_HEAD(h));
  }
  r = r == RCGC_OK ? r : fail(heap, out, r);
  LEAVE(heap);
  return r;
}

typedef struct referrers_ctx {
  void *const *objs;
  size_t n;
} referrers_ctx;

static int visit_match(void *child, const char *edge, void *arg) {
  (void)edge;
  referrers_ctx *c = arg;
  for (size_t i = 0; i < c->n; i++)
    if (c->objs[i] == child)
      return 1;
  return 0;
}

/* The checks get_referrers and get_referents share: 'out' emptied, then
** RCGC_EINVAL for bad arguments, else 0. */
static int objects_call_check(rcgc_heap *heap, void *const *objs, size_t n, rcgc_list *out) {
  if (out != NULL)
    list_reset(out);
  if (heap == NULL || out == NULL || (objs == NULL && n > 0))
    return RCGC_EINVAL;
  return RCGC_OK;
}

static int get_referrers(rcgc_heap *heap, void *const *objs, size_t n, rcgc_list *out) {
  if (heap->in_traverse)
    return RCGC_EBUSY; /* its references could not be released there */
  /* each object validated as rcgc_get_referents does: a bad one is
  ** reported and left out of the search (a copy without it) */
  size_t nvalid = 0;
  for (size_t i = 0; i < n; i++)
    nvalid += objs[i] != NULL && rcgc__valid_object(heap, objs[i], "rcgc_get_referrers");
  void **kept = NULL;
  if (nvalid < n && nvalid > 0) {
    kept = rcgc__raw_alloc(heap, nvalid * sizeof *kept);
    if (kept == NULL)
      return RCGC_ENOMEM;
    for (size_t i = 0, j = 0; i < n; i++) {
      if (objs[i] != NULL && rcgc__object_ok(heap, objs[i]))
        kept[j++] = objs[i];
    }
  }
  referrers_ctx c = {nvalid == n ? objs : kept, nvalid};
  int r = RCGC_OK;
  for (int g = 0; g < RCGC_NUM_GENERATIONS && r == RCGC_OK; g++) {
    head_t *lists[GEN_LISTS];
    for (int i = 0, nl = gen_lists(heap, g, lists); i < nl; i++)
      for (head_t *h = next_of(lists[i]); h != lists[i] && r == RCGC_OK; h = next_of(h))
        if (rcgc__traverse(heap, h, visit_match, &c))
          r = list_push(heap, out, FROM_HEAD(h));
  }
  if (kept != NULL)
    rcgc__raw_free(heap, kept, nvalid * sizeof *kept);
  return r == RCGC_OK ? r : fail(heap, out, r);
}

int rcgc_get_referrers(rcgc_heap *heap, void *const *objs, size_t n, rcgc_list *out) {
  int err = objects_call_check(heap, objs, n, out);
  if (err != RCGC_OK)
    return err;
  ENTER(heap, RCGC_ETHREAD);
  err = get_referrers(heap, objs, n, out);
  LEAVE(heap);
  return err;
}

typedef struct referents_ctx {
  rcgc_heap *heap;
  rcgc_list *out;
  int err;
} referents_ctx;

static int visit_collect(void *child, const char *edge, void *arg) {
  (void)edge;
  referents_ctx *c = arg;
  c->err = list_push(c->heap, c->out, child);
  return c->err;
}

int rcgc_get_referents(rcgc_heap *heap, void *const *objs, size_t n, rcgc_list *out) {
  int err = objects_call_check(heap, objs, n, out);
  if (err != RCGC_OK)
    return err;
  ENTER(heap, RCGC_ETHREAD);
  if (heap->in_traverse) {
    LEAVE(heap);
    return RCGC_EBUSY; /* its references could not be released there */
  }
  referents_ctx c = {heap, out, RCGC_OK};
  for (size_t i = 0; i < n && c.err == RCGC_OK; i++) {
    if (objs[i] == NULL || !rcgc__valid_object(heap, objs[i], "rcgc_get_referents"))
      continue;
    rcgc__traverse(heap, AS_HEAD(objs[i]), visit_collect, &c);
  }
  err = c.err == RCGC_OK ? RCGC_OK : fail(heap, out, c.err);
  LEAVE(heap);
  return err;
}

int rcgc_is_tracked(const void *obj) {
  return obj != NULL && !(AS_CHEAD(obj)->tinfo & TI_UNTRACKED) && AS_CHEAD(obj)->refcnt > 0;
}

int rcgc_is_finalized(const void *obj) {
  return obj != NULL && (AS_CHEAD(obj)->tinfo & TI_FINALIZED) != 0;
}

/* An object whose count reached 0 (being finalized or destroyed: on no list,
** gc_prev 0) or that heap destroy holds on its own list: tracking changes
** only the flag. A resurrected object is relinked by its flag (home_list);
** at heap destroy no collection runs any more. */
static bool off_lists(const rcgc_heap *heap, const head_t *h) {
  return h->gc_prev == 0 || heap->destroying;
}

/* The checks track and untrack share, after the heap is claimed: 0 when
** 'obj' may change state. */
static int tracking_check(rcgc_heap *heap, void *obj, const char *what) {
  if (!rcgc__valid_object(heap, obj, what) || type_of(heap, AS_HEAD(obj))->traverse == NULL)
    return RCGC_EINVAL;
  if (heap->collecting || heap->in_traverse)
    return RCGC_EBUSY;
  return RCGC_OK;
}

static int track(rcgc_heap *heap, void *obj) {
  int r = tracking_check(heap, obj, "rcgc_track");
  if (r != RCGC_OK)
    return r;
  head_t *h = AS_HEAD(obj);
  if (h->tinfo & TI_UNTRACKED) {
    h->tinfo &= ~TI_UNTRACKED;
    if (!off_lists(heap, h)) {
      settle_suspect_bit(heap, h);
      list_move(h, &heap->gens[0].head);
    }
  }
  return RCGC_OK;
}

int rcgc_track(rcgc_heap *heap, void *obj) {
  if (obj == NULL)
    return RCGC_EINVAL;
  RETURN_CLAIMED(int, heap, RCGC_EINVAL, RCGC_ETHREAD, track(heap, obj));
}

static int untrack(rcgc_heap *heap, void *obj) {
  int r = tracking_check(heap, obj, "rcgc_untrack");
  if (r != RCGC_OK)
    return r;
  head_t *h = AS_HEAD(obj);
  if (!(h->tinfo & TI_UNTRACKED)) {
    if (RCGC_UNLIKELY(h->tinfo & TI_INC) && heap->inc != NULL)
      rcgc__inc_untrack(heap, h); /* its children stay: it is outside now */
    h->tinfo = (h->tinfo | TI_UNTRACKED) & ~(uint32_t)(TI_FROZEN | TI_SUSPECT);
    if (!off_lists(heap, h))
      list_move(h, &heap->untracked);
    inc_forget(heap, h); /* no longer a candidate (incremental.c) */
  }
  return RCGC_OK;
}

int rcgc_untrack(rcgc_heap *heap, void *obj) {
  if (obj == NULL)
    return RCGC_EINVAL;
  RETURN_CLAIMED(int, heap, RCGC_EINVAL, RCGC_ETHREAD, untrack(heap, obj));
}

static void freeze(rcgc_heap *heap) {
  for (int g = 0; g < RCGC_NUM_GENERATIONS; g++) {
    head_t *lists[GEN_LISTS];
    for (int i = 0, n = gen_lists(heap, g, lists); i < n; i++) {
      for (head_t *h = next_of(lists[i]); h != lists[i]; h = next_of(h)) {
        h->tinfo |= TI_FROZEN;
        settle_suspect_bit(heap, h);
      }
      list_merge(lists[i], &heap->permanent);
    }
    heap->gens[g].count = 0;
  }
}

static void unfreeze(rcgc_heap *heap) {
  for (head_t *h = next_of(&heap->permanent); h != &heap->permanent; h = next_of(h))
    h->tinfo &= ~(uint32_t)TI_FROZEN;
  list_merge(&heap->permanent, &heap->gens[RCGC_NUM_GENERATIONS - 1].head);
}

/* rcgc_freeze (on) or rcgc_unfreeze (off). */
static int set_frozen(rcgc_heap *heap, bool on) {
  if (heap == NULL)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  int r = RCGC_OK;
  if (heap->collecting || heap->in_traverse) {
    r = RCGC_EBUSY;
  } else {
    (void)inc_settle(heap);
    if (on)
      freeze(heap);
    else
      unfreeze(heap);
  }
  LEAVE(heap);
  return r;
}

int rcgc_freeze(rcgc_heap *heap) { return set_frozen(heap, true); }
int rcgc_unfreeze(rcgc_heap *heap) { return set_frozen(heap, false); }

size_t rcgc_get_freeze_count(rcgc_heap *heap) {
  RETURN_CLAIMED(size_t, heap, 0, 0, list_size(&heap->permanent));
}

static int visit_objects(rcgc_heap *heap, rcgc_object_fn fn, void *ud) {
  head_t *lists[HEAP_NLISTS];
  heap_lists(heap, lists);
  for (size_t i = 0; i < HEAP_NLISTS; i++)
    for (head_t *h = next_of(lists[i]); h != lists[i]; h = next_of(h)) {
      int r = fn(FROM_HEAD(h), ud);
      if (r)
        return r;
    }
  return 0;
}

int rcgc_visit_objects(rcgc_heap *heap, rcgc_object_fn fn, void *ud) {
  if (fn == NULL)
    return RCGC_EINVAL;
  RETURN_CLAIMED(int, heap, RCGC_EINVAL, RCGC_ETHREAD, visit_objects(heap, fn, ud));
}
