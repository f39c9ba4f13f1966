/*
** garbage.c -- the garbage list (Python's gc.garbage).
**
** A growable array of strong references owned by the heap. The collector
** appends uncollectable objects (legacy finalizers in cyclic garbage, and
** everything under DEBUG_SAVEALL). Users read it, remove entries, clear it,
** or hand everything back to the collector with rcgc_garbage_release.
*/
#include "internal.h"

int rcgc__garbage_append(rcgc_heap *heap, void *obj) {
  if (heap->ngarbage == heap->cap_garbage) {
    size_t ncap = heap->cap_garbage ? heap->cap_garbage * 2 : 16;
    void **ng = rcgc__raw_realloc(heap, heap->garbage, heap->cap_garbage * sizeof *ng,
                                  ncap * sizeof *ng);
    if (ng == NULL) {
      rcgc__report(heap, "rcgc: out of memory appending to the garbage list; the object "
                         "stays alive in the oldest generation\n");
      return RCGC_ENOMEM;
    }
    heap->garbage = ng;
    heap->cap_garbage = ncap;
  }
  ref_inc(heap, AS_HEAD(obj));
  heap->garbage[heap->ngarbage++] = obj;
  return RCGC_OK;
}

size_t rcgc_garbage_count(rcgc_heap *heap) {
  RETURN_CLAIMED(size_t, heap, 0, 0, heap->ngarbage);
}

void *rcgc_garbage_get(rcgc_heap *heap, size_t i) {
  if (heap == NULL)
    return NULL;
  ENTER(heap, NULL);
  void *obj = i < heap->ngarbage ? heap->garbage[i] : NULL;
  LEAVE(heap);
  return obj;
}

static long garbage_clear(rcgc_heap *heap) {
  if (heap->in_traverse) {
    rcgc__misuse(heap, NULL, "graph mutated inside traverse",
                 "rcgc_garbage_clear called from inside a traverse function; refused");
    return RCGC_EBUSY;
  }
  /* detach the entries first: decrefs may run finalizers that look at (or
  ** append to) the list */
  size_t n = heap->ngarbage;
  void **items = heap->garbage;
  size_t cap = heap->cap_garbage;
  heap->garbage = NULL;
  heap->ngarbage = heap->cap_garbage = 0;
  /* the last entry first, as CPython's list clear drops its items */
  for (size_t i = n; i-- > 0;)
    rcgc_decref_slow_(heap, items[i]);
  rcgc__raw_free(heap, items, cap * sizeof *items);
  return (long)n;
}

long rcgc_garbage_clear(rcgc_heap *heap) {
  RETURN_CLAIMED(long, heap, RCGC_EINVAL, RCGC_ETHREAD, garbage_clear(heap));
}

static int garbage_remove(rcgc_heap *heap, size_t i) {
  if (i >= heap->ngarbage)
    return RCGC_ENOTFOUND;
  if (heap->in_traverse)
    return RCGC_EBUSY;
  void *obj = heap->garbage[i];
  memmove(&heap->garbage[i], &heap->garbage[i + 1], (heap->ngarbage - i - 1) * sizeof(void *));
  heap->ngarbage--;
  rcgc_decref_slow_(heap, obj);
  return RCGC_OK;
}

int rcgc_garbage_remove(rcgc_heap *heap, size_t i) {
  RETURN_CLAIMED(int, heap, RCGC_EINVAL, RCGC_ETHREAD, garbage_remove(heap, i));
}

static long garbage_release(rcgc_heap *heap, unsigned flags) {
  if (heap->in_traverse)
    return RCGC_EBUSY;
  if (heap->collecting)
    return 0;
  if (flags & RCGC_RELEASE_LEGACY)
    for (size_t i = 0; i < heap->ngarbage; i++)
      AS_HEAD(heap->garbage[i])->tinfo |= TI_RELEASE;
  size_t before = heap->nobjects;
  garbage_clear(heap);
  rcgc__collect(heap, RCGC_NUM_GENERATIONS - 1, COLLECT_NO_SAVEALL);
  return before > heap->nobjects ? (long)(before - heap->nobjects) : 0;
}

long rcgc_garbage_release(rcgc_heap *heap, unsigned flags) {
  if (heap == NULL || (flags & ~(unsigned)RCGC_RELEASE_LEGACY))
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  long r = garbage_release(heap, flags);
  LEAVE(heap);
  return r;
}
