/*
** leak.c -- leak-hunting state kept by the heap (expect-freed watches).
** The analyses themselves (roots, why-alive, cycles, growth, dominators,
** pictures, snapshots) build on src/graph.c.
*/
#include "internal.h"

void rcgc__leak_on_free(rcgc_heap *heap, head_t *h) {
  (void)heap;
  h->tinfo &= ~(uint32_t)TI_WATCHED;
}

void rcgc__leak_release(rcgc_heap *heap) { heap->leak = NULL; }
