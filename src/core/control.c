/*
** control.c -- the collector's knobs and counters: enable/disable,
** thresholds, counts, debug flags, callbacks and statistics (the control
** half of Python's gc module; collect.c holds the algorithm).
*/
#include "internal.h"

int rcgc_enable(rcgc_heap *heap) {
  if (heap == NULL)
    return RCGC_EINVAL;
  int was = heap->enabled;
  heap->enabled = 1;
  rcgc__schedule(heap);
  return was;
}

int rcgc_disable(rcgc_heap *heap) {
  if (heap == NULL)
    return RCGC_EINVAL;
  int was = heap->enabled;
  heap->enabled = 0;
  rcgc__schedule(heap);
  return was;
}

int rcgc_isenabled(rcgc_heap *heap) { return heap != NULL && heap->enabled; }

int rcgc_get_count(rcgc_heap *heap, long count[RCGC_NUM_GENERATIONS]) {
  if (heap == NULL || count == NULL)
    return RCGC_EINVAL;
  for (int i = 0; i < RCGC_NUM_GENERATIONS; i++)
    count[i] = heap->gens[i].count;
  return RCGC_OK;
}

int rcgc_set_threshold(rcgc_heap *heap, long t0, long t1, long t2) {
  if (heap == NULL || t0 < 0 || t1 < 0 || t2 < 0)
    return RCGC_EINVAL;
  heap->gens[0].threshold = t0;
  heap->gens[1].threshold = t1;
  heap->gens[2].threshold = t2;
  rcgc__schedule(heap);
  return RCGC_OK;
}

int rcgc_get_threshold(rcgc_heap *heap, long threshold[RCGC_NUM_GENERATIONS]) {
  if (heap == NULL || threshold == NULL)
    return RCGC_EINVAL;
  for (int i = 0; i < RCGC_NUM_GENERATIONS; i++)
    threshold[i] = heap->gens[i].threshold;
  return RCGC_OK;
}

/* Every RCGC_DEBUG_* flag (rcgc.h): other bits are refused. */
#define DEBUG_KNOWN                                                           \
  ((unsigned)(RCGC_DEBUG_STATS | RCGC_DEBUG_COLLECTABLE | RCGC_DEBUG_UNCOLLECTABLE |   \
              RCGC_DEBUG_SAVEALL | RCGC_DEBUG_REPR | RCGC_DEBUG_CHECK))

int rcgc_set_debug(rcgc_heap *heap, unsigned flags) {
  if (heap == NULL || (flags & ~DEBUG_KNOWN))
    return RCGC_EINVAL;
  heap->debug = flags;
  return RCGC_OK;
}

unsigned rcgc_get_debug(rcgc_heap *heap) { return heap ? heap->debug : 0; }

int rcgc_callback_add(rcgc_heap *heap, rcgc_callback_fn fn, void *ud) {
  if (heap == NULL || fn == NULL)
    return RCGC_EINVAL;
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

int rcgc_callback_remove(rcgc_heap *heap, rcgc_callback_fn fn, void *ud) {
  if (heap == NULL || fn == NULL)
    return RCGC_EINVAL;
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

int rcgc_get_stats(rcgc_heap *heap, rcgc_gen_stats stats[RCGC_NUM_GENERATIONS]) {
  if (heap == NULL || stats == NULL)
    return RCGC_EINVAL;
  memcpy(stats, heap->stats, sizeof heap->stats);
  return RCGC_OK;
}
