/*
** alloc.c -- every byte the heap uses goes through here.
**
** Two layers:
**  1. raw: the user's allocator hook (realloc-style, with the old size), or
**     the C library's realloc/free when there is none.
**  2. blocks: object memory (prefix + head + data). Blocks of up to
**     POOL_MAX_BLOCK bytes come from size-class pools: one free list per
**     8-byte class, refilled by bumping through 64 KiB pages taken from the
**     raw layer. A pooled block has no per-block bookkeeping, which is what
**     keeps a two-reference node at 40 bytes (24 head + 16 data). Larger
**     blocks, and every block of a RCGC_CONFIG_NO_POOL heap, are raw
**     allocations of their own.
**
** Invariants:
**  - A freed block's head has tinfo == TYPE_POISON << TI_SHIFT and refcnt 0,
**    so a later incref/decref of it is recognised and reported (best effort
**    in release builds, where the block may be reused; reliable in debug
**    builds, which keep the last RCGC_QUARANTINE freed blocks out of reuse).
**  - Pages are returned to the raw layer only by rcgc__pools_release (heap
**    destroy). A heap's memory high-water mark therefore stays reserved for
**    it; docs/design.md discusses the trade-off.
*/
#include "internal.h"

#include <stdlib.h>

/* ------------------------------------------------------------ raw layer */

/* The hook runs in the middle of library calls -- a leak-hunting picture
** with marks in the headers, a walk of a generation list, a traverse -- so
** a collection it starts must not run: it sees 'collecting' set and returns
** 0, as one started inside a collection does (in_hook tells rcgc_collect
** that a traverse on the stack is not the caller). */
void *rcgc__raw_realloc(rcgc_heap *heap, void *p, size_t old, size_t size) {
  if (heap->cfg.alloc) {
    int was = heap->collecting;
    heap->collecting = 1;
    heap->in_hook++;
    void *r = heap->cfg.alloc(heap->cfg.alloc_ud, p, old, size);
    heap->in_hook--;
    heap->collecting = was;
    return r;
  }
  if (size == 0) {
    free(p);
    return NULL;
  }
  return realloc(p, size);
}

void *rcgc__raw_alloc(rcgc_heap *heap, size_t size) {
  return rcgc__raw_realloc(heap, NULL, 0, size);
}

void rcgc__raw_free(rcgc_heap *heap, void *p, size_t size) {
  if (p != NULL)
    (void)rcgc__raw_realloc(heap, p, size, 0);
}

/* ------------------------------------------------------------ blocks */

static bool pooled(const rcgc_heap *heap, size_t block_size) {
  return block_size <= POOL_MAX_BLOCK && !(heap->cfg.flags & RCGC_CONFIG_NO_POOL);
}

/* Block sizes are multiples of POOL_GRANULE (obj.c rounds them), so class
** c holds blocks of exactly (c + 1) * POOL_GRANULE bytes. */
static size_t class_of(size_t block_size) {
  return (block_size + POOL_GRANULE - 1) / POOL_GRANULE - 1;
}

/* Take a new page for class 'c'. Returns false when memory is short. */
static bool refill(rcgc_heap *heap, size_t c) {
  size_t bsize = (c + 1) * POOL_GRANULE;
  pool_page_t *page = rcgc__raw_alloc(heap, POOL_PAGE_SIZE);
  if (page == NULL)
    return false;
  page->next = heap->pages;
  page->size = POOL_PAGE_SIZE;
  heap->pages = page;
  /* first block starts after the page header, 16-byte aligned */
  char *start = (char *)page + ((sizeof(pool_page_t) + 15) & ~(size_t)15);
  char *end = (char *)page + POOL_PAGE_SIZE;
  heap->classes[c].bump = start;
  heap->classes[c].limit = start + ((size_t)(end - start) / bsize) * bsize;
  return true;
}

/* Allocate a block of 'block_size' bytes whose head starts 'lead' bytes in
** (the prefix, plus a size word for variable-sized objects) and return the
** head. NULL when memory is short; the heap is unchanged then. */
head_t *rcgc__block_alloc(rcgc_heap *heap, size_t block_size, size_t lead) {
  void *mem;
  if (pooled(heap, block_size)) {
    size_t c = class_of(block_size);
    pool_class_t *pc = &heap->classes[c];
    if (pc->free != NULL) {
      mem = pc->free;
      pc->free = *(void **)mem;
    } else {
      if (pc->bump == pc->limit && !refill(heap, c))
        return NULL;
      mem = pc->bump;
      pc->bump += (c + 1) * POOL_GRANULE;
    }
  } else {
    mem = rcgc__raw_alloc(heap, block_size);
    if (mem == NULL)
      return NULL;
  }
  return (head_t *)(void *)((char *)mem + lead);
}

static void block_release(rcgc_heap *heap, void *mem, size_t block_size) {
  if (pooled(heap, block_size)) {
    pool_class_t *pc = &heap->classes[class_of(block_size)];
    *(void **)mem = pc->free;
    pc->free = mem;
  } else {
    rcgc__raw_free(heap, mem, block_size);
  }
}

/* Return the block of 'h' (already destroyed) to the pools or the hook. The
** head is poisoned first. Debug builds park the block in a quarantine ring
** and really release the one it displaces. */
void rcgc__block_free(rcgc_heap *heap, head_t *h, size_t lead, size_t block_size) {
  h->refcnt = 0;
  h->tinfo = TYPE_POISON << TI_SHIFT; /* also read by rcgc__valid_object */
  void *mem = (char *)h - lead;
#ifdef RCGC_CHECKS
  if (heap->quarantine != NULL) {
    /* the ring stores the head; size and lead sit in the poisoned links */
    h->gc_prev = (uintptr_t)block_size;
    h->gc_next = (uintptr_t)lead;
    void *old = heap->quarantine[heap->quarantine_pos];
    heap->quarantine[heap->quarantine_pos] = h;
    heap->quarantine_pos = (heap->quarantine_pos + 1) % RCGC_QUARANTINE;
    if (old != NULL) {
      head_t *oh = old;
      block_release(heap, (char *)oh - oh->gc_next, (size_t)oh->gc_prev);
    }
    return;
  }
#endif
  h->gc_prev = 0;
  block_release(heap, mem, block_size);
}

/* Release every quarantined block (heap destroy). */
void rcgc__quarantine_flush(rcgc_heap *heap) {
#ifdef RCGC_CHECKS
  if (heap->quarantine == NULL)
    return;
  for (size_t i = 0; i < RCGC_QUARANTINE; i++) {
    head_t *oh = heap->quarantine[i];
    if (oh != NULL) {
      block_release(heap, (char *)oh - oh->gc_next, (size_t)oh->gc_prev);
      heap->quarantine[i] = NULL;
    }
  }
#else
  (void)heap;
#endif
}

/* Return every pool page to the raw layer (heap destroy, after every object
** has been freed). */
void rcgc__pools_release(rcgc_heap *heap) {
  pool_page_t *p = heap->pages;
  while (p != NULL) {
    pool_page_t *next = p->next;
    rcgc__raw_free(heap, p, p->size);
    p = next;
  }
  heap->pages = NULL;
  memset(heap->classes, 0, sizeof heap->classes);
}
