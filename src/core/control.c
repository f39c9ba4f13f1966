/*
** control.c -- the collector's knobs and counters: enable/disable,
** thresholds, counts, debug flags, callbacks and statistics (the control
** half of Python's gc module; collect.c holds the algorithm).
*/
#include "internal.h"

/* Every exported function that takes a heap starts the same way: a NULL
** heap is refused, then ENTER claims the heap for this thread (checking
** builds; a second thread is reported and refused), then the call's own
** checks run. */

static int set_enabled(rcgc_heap *heap, int on) {
  if (heap == NULL)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  int was = heap->enabled;
  heap->enabled = on;
  rcgc__schedule(heap);
  LEAVE(heap);
  return was;
}

int rcgc_enable(rcgc_heap *heap) { return set_enabled(heap, 1); }
int rcgc_disable(rcgc_heap *heap) { return set_enabled(heap, 0); }

int rcgc_isenabled(rcgc_heap *heap) {
  RETURN_CLAIMED(int, heap, 0, 0, heap->enabled != 0);
}

int rcgc_get_count(rcgc_heap *heap, long count[RCGC_NUM_GENERATIONS]) {
  if (heap == NULL || count == NULL)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  for (int i = 0; i < RCGC_NUM_GENERATIONS; i++)
    count[i] = heap->gens[i].count;
  LEAVE(heap);
  return RCGC_OK;
}

int rcgc_set_threshold(rcgc_heap *heap, long t0, long t1, long t2) {
  if (heap == NULL || t0 < 0 || t1 < 0 || t2 < 0)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  heap->gens[0].threshold = t0;
  heap->gens[1].threshold = t1;
  heap->gens[2].threshold = t2;
  rcgc__schedule(heap);
  LEAVE(heap);
  return RCGC_OK;
}

int rcgc_get_threshold(rcgc_heap *heap, long threshold[RCGC_NUM_GENERATIONS]) {
  if (heap == NULL || threshold == NULL)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  for (int i = 0; i < RCGC_NUM_GENERATIONS; i++)
    threshold[i] = heap->gens[i].threshold;
  LEAVE(heap);
  return RCGC_OK;
}

/* Every RCGC_DEBUG_* flag (rcgc.h): other bits are refused. */
#define DEBUG_KNOWN                                                           \
  ((unsigned)(RCGC_DEBUG_STATS | RCGC_DEBUG_COLLECTABLE | RCGC_DEBUG_UNCOLLECTABLE |   \
              RCGC_DEBUG_SAVEALL | RCGC_DEBUG_REPR | RCGC_DEBUG_CHECK))

int rcgc_set_debug(rcgc_heap *heap, unsigned flags) {
  if (heap == NULL || (flags & ~DEBUG_KNOWN))
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  heap->debug = flags;
  LEAVE(heap);
  return RCGC_OK;
}

unsigned rcgc_get_debug(rcgc_heap *heap) {
  RETURN_CLAIMED(unsigned, heap, 0, 0, heap->debug);
}

static int callback_add(rcgc_heap *heap, rcgc_callback_fn fn, void *ud) {
  if (heap->ncallbacks == heap->cap_callbacks) {
    size_t ncap = heap->cap_callbacks ? heap->cap_callbacks * 2 : 4;
    callback_t *nc = rcgc__raw_realloc(heap, heap->callbacks,
                                       heap->cap_callbacks * sizeof *nc, ncap * sizeof *nc);
    if (nc == NULL)
      return RCGC_ENOMEM;
    heap->callbacks = nc;
    heap->cap_callbacks = ncap;
  }
  heap->callbacks[heap->ncallbacks].fn = fn;
  heap->callbacks[heap->ncallbacks].ud = ud;
  heap->ncallbacks++;
  return RCGC_OK;
}

int rcgc_callback_add(rcgc_heap *heap, rcgc_callback_fn fn, void *ud) {
  if (fn == NULL)
    return RCGC_EINVAL;
  RETURN_CLAIMED(int, heap, RCGC_EINVAL, RCGC_ETHREAD, callback_add(heap, fn, ud));
}

static int callback_remove(rcgc_heap *heap, rcgc_callback_fn fn, void *ud) {
  for (size_t i = 0; i < heap->ncallbacks; i++) {
    if (heap->callbacks[i].fn == fn && heap->callbacks[i].ud == ud) {
      if (heap->callbacks_running) {
        heap->callbacks[i].fn = NULL; /* compacted when the callbacks end */
      } else {
        memmove(&heap->callbacks[i], &heap->callbacks[i + 1],
                (heap->ncallbacks - i - 1) * sizeof *heap->callbacks);
        heap->ncallbacks--;
      }
      return RCGC_OK;
    }
  }
  return RCGC_ENOTFOUND;
}

int rcgc_callback_remove(rcgc_heap *heap, rcgc_callback_fn fn, void *ud) {
  if (fn == NULL)
    return RCGC_EINVAL;
  RETURN_CLAIMED(int, heap, RCGC_EINVAL, RCGC_ETHREAD, callback_remove(heap, fn, ud));
}

int rcgc_get_stats(rcgc_heap *heap, rcgc_gen_stats stats[RCGC_NUM_GENERATIONS]) {
  if (heap == NULL || stats == NULL)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  memcpy(stats, heap->stats, sizeof heap->stats);
  LEAVE(heap);
  return RCGC_OK;
}
