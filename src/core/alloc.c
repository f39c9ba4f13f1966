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
**  - Every page holds blocks of one class (page->cls) and is on heap->pages
**    (heap->npages of them). A page none of whose blocks is allocated goes
**    back to the raw layer when the heap has shrunk (rcgc__pools_trim,
**    below), all pages at heap destroy (rcgc__pools_release).
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

/* 'size' zeroed bytes. Without a hook calloc, whose large blocks are fresh
** zero pages (no pass over them); through the hook, a pass. */
void *rcgc__raw_calloc(rcgc_heap *heap, size_t size) {
  if (heap->cfg.alloc == NULL)
    return calloc(1, size);
  void *p = rcgc__raw_alloc(heap, size);
  if (p != NULL)
    memset(p, 0, size);
  return p;
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

/* ------------------------------------------------------------ the page map
** (internal.h: page_win_t, rcgc__page_of, INVARIANT PM.) A page is entered
** when it is taken and leaves when it goes back; when its entries would
** pass half of it, it is rebuilt from the page list, without the entries
** left with no page, and doubled when the pages need more than a quarter
** of it. Its memory, about 200 bytes per 64 KiB page, is not in
** rcgc_heap_bytes (nor are the pages' headers). */

/* The windows of a page's first and last byte (equal when it is aligned). */
static void page_windows(const pool_page_t *p, uintptr_t w[2]) {
  w[0] = ((uintptr_t)p >> PAGE_WINDOW_SHIFT) + 1;
  w[1] = (((uintptr_t)p + POOL_PAGE_SIZE - 1) >> PAGE_WINDOW_SHIFT) + 1;
}

/* The entry of window 'w', or the empty slot where it goes. */
static page_win_t *win_slot(page_win_t *e, size_t cap, uintptr_t w) {
  size_t i = page_win_hash(w, cap);
  while (e[i].win != 0 && e[i].win != w)
    i = (i + 1) & (cap - 1);
  return &e[i];
}

/* Name page 'p' in the entries of its windows; the map has room. */
static void map_put(page_win_t *e, size_t cap, size_t *used, pool_page_t *p) {
  uintptr_t w[2];
  page_windows(p, w);
  for (int k = 0; k < 2; k++) {
    if (k == 1 && w[1] == w[0])
      break;
    page_win_t *s = win_slot(e, cap, w[k]);
    if (s->win == 0) {
      s->win = w[k];
      (*used)++;
    }
    s->pg[s->pg[0] != NULL] = p;
  }
}

/* Make room for one more page: rebuild the map from heap->pages, twice as
** large when its pages need more than a quarter of it. False when memory
** is short (the map is unchanged). */
static bool map_room(rcgc_heap *heap) {
  if ((heap->pagemap.used + 2) * 2 <= heap->pagemap.cap)
    return true;
  size_t cap = heap->pagemap.cap ? heap->pagemap.cap : 64;
  while ((2 * heap->npages + 2) * 4 > cap)
    cap *= 2;
  page_win_t *e = rcgc__raw_calloc(heap, cap * sizeof *e);
  if (e == NULL)
    return false;
  size_t used = 0;
  for (pool_page_t *p = heap->pages; p != NULL; p = p->next)
    map_put(e, cap, &used, p);
  rcgc__raw_free(heap, heap->pagemap.e, heap->pagemap.cap * sizeof *e);
  heap->pagemap.e = e;
  heap->pagemap.cap = cap;
  heap->pagemap.used = used;
  return true;
}

/* Page 'p' goes back: its windows' entries stop naming it. */
static void map_remove(rcgc_heap *heap, pool_page_t *p) {
  uintptr_t w[2];
  page_windows(p, w);
  for (int k = 0; k < 2; k++) {
    page_win_t *s = win_slot(heap->pagemap.e, heap->pagemap.cap, w[k]);
    for (int j = 0; j < 2; j++)
      if (s->pg[j] == p)
        s->pg[j] = NULL;
  }
}

long rcgc__pagemap_check(rcgc_heap *heap) {
  long bad = 0;
  size_t named = 0;
  for (pool_page_t *p = heap->pages; p != NULL; p = p->next) {
    char *first = (char *)p, *last = first + POOL_PAGE_SIZE - 1;
    if (rcgc__page_of(heap, first) != p || rcgc__page_of(heap, last) != p) {
      rcgc__report(heap, "rcgc: check: pool page %p is not found through the page map\n",
                   (void *)p);
      bad++;
    }
    uintptr_t w[2];
    page_windows(p, w);
    named += w[0] == w[1] ? 1 : 2;
  }
  /* and the entries name nothing else: as many names as the pages need */
  size_t names = 0, entries = 0;
  for (size_t i = 0; i < heap->pagemap.cap; i++) {
    entries += heap->pagemap.e[i].win != 0;
    names += (heap->pagemap.e[i].pg[0] != NULL) + (heap->pagemap.e[i].pg[1] != NULL);
  }
  if (names != named || entries != heap->pagemap.used || 2 * entries > heap->pagemap.cap) {
    rcgc__report(heap,
                 "rcgc: check: the page map names %zu pages in %zu entries (counted %zu) of "
                 "%zu slots; the heap's pages need %zu names\n",
                 names, entries, heap->pagemap.used, heap->pagemap.cap, named);
    bad++;
  }
  return bad;
}

/* ------------------------------------------------------------ pages */

/* Take a new page for class 'c'. Returns false when memory is short. */
static bool refill(rcgc_heap *heap, size_t c) {
  size_t bsize = (c + 1) * POOL_GRANULE;
  if (!map_room(heap))
    return false;
  pool_page_t *page = rcgc__raw_alloc(heap, POOL_PAGE_SIZE);
  if (page == NULL)
    return false;
  page->next = heap->pages;
  page->side = NULL;
  page->side_epoch = 0;
  page->cls = (uint32_t)c;
  page->nfree = 0;
  page->magic = (uint32_t)((((uint64_t)1 << 32) + bsize - 1) / bsize);
  map_put(heap->pagemap.e, heap->pagemap.cap, &heap->pagemap.used, page);
  heap->pages = page;
  heap->npages++;
  heap->classes[c].bump = page_start(page);
  heap->classes[c].limit = page_start(page) + page_blocks(page) * bsize;
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
    ((uintptr_t *)mem)[1] = 0; /* no longer marked free (F1) */
  } else {
    mem = rcgc__raw_alloc(heap, block_size);
    if (mem == NULL)
      return NULL;
    heap->nraw++;
  }
  return (head_t *)(void *)((char *)mem + lead);
}

/* A block goes onto its class's free list (marked free, F1) or, when it is
** not pooled, back to the raw layer. */
static void block_put(rcgc_heap *heap, void *mem, size_t block_size) {
  if (pooled(heap, block_size)) {
    pool_class_t *pc = &heap->classes[class_of(block_size)];
    *(void **)mem = pc->free;
    mark_free(mem);
    pc->free = mem;
  } else {
    rcgc__raw_free(heap, mem, block_size);
    heap->nraw--;
  }
}

/* Return the block of 'h' (already destroyed) to the pools or the hook. The
** head is poisoned first. Debug builds park the block in a quarantine ring
** and really release the one it displaces. */
void rcgc__block_retire(rcgc_heap *heap, head_t *h, size_t lead, size_t block_size) {
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
      block_put(heap, (char *)oh - oh->gc_next, (size_t)oh->gc_prev);
    }
    return;
  }
#endif
  h->gc_prev = 0;
  block_put(heap, mem, block_size);
}

/* Release every quarantined block (heap destroy). */
void rcgc__quarantine_flush(rcgc_heap *heap) {
#ifdef RCGC_CHECKS
  if (heap->quarantine == NULL)
    return;
  for (size_t i = 0; i < RCGC_QUARANTINE; i++) {
    head_t *oh = heap->quarantine[i];
    if (oh != NULL) {
      block_put(heap, (char *)oh - oh->gc_next, (size_t)oh->gc_prev);
      heap->quarantine[i] = NULL;
    }
  }
#else
  (void)heap;
#endif
}

/* ------------------------------------------------------------ trimming */

/* Does class 'pc' bump through page 'p' (its tail not handed out yet)? */
static bool bumps_through(const pool_class_t *pc, const pool_page_t *p) {
  const char *start = page_start(p);
  return pc->bump >= start && pc->bump < (const char *)p + POOL_PAGE_SIZE;
}

/* Page '*pp' goes back to the raw layer: off the page list (*pp becomes
** the next page) and the page map, its side array freed. */
static void page_give_back(rcgc_heap *heap, pool_page_t **pp) {
  pool_page_t *p = *pp;
  *pp = p->next;
  heap->npages--;
  map_remove(heap, p);
  rcgc__inc_page_gone(heap, p);
  rcgc__raw_free(heap, p, POOL_PAGE_SIZE);
}

/* Returning empty pages. The fast paths keep no per-page counts (a free is
** a push on the class's free list); instead every block on a free list
** carries a mark in its second word (INVARIANT F1 in internal.h), so a trim
** can tell free blocks from live ones by reading the pages in memory order:
** a page whose blocks are all marked (or in its class's unused tail) is
** empty. The free lists are then rebuilt from the pages that stay, in
** address order, and the empty pages go back to the raw layer -- except
** empty pages worth TRIM_KEEP of the live bytes (at least TRIM_KEEP_MIN),
** so that a heap that shrinks and grows again does not pay the system for
** every page. Cost: one sequential read of the pool memory, paid only when
** at least half of it and TRIM_MIN_BYTES were free before the collection
** began (rcgc__pools_maybe_trim),
** and then not again before the free memory has doubled. Needs 64-bit
** pointers (the mark is the block's address inverted, which no word of a
** live block can hold there); 32-bit builds keep their pages until heap
** destroy. */
#ifdef RCGC_STRESS
/* stress builds trim as soon as half the pool is free and keep no reserve,
** so that every test exercises the trim and the rebuilt free lists */
#define TRIM_MIN_BYTES ((size_t)0)
#define TRIM_KEEP_MIN ((size_t)0)
#else
#define TRIM_MIN_BYTES ((size_t)4 << 20)
#define TRIM_KEEP_MIN ((size_t)1 << 20)
#endif
#define TRIM_KEEP(live) ((live) / 4)
#define TRIM_RELEASE UINT32_MAX /* page->nfree of a page chosen to go */

static size_t pool_bytes(const rcgc_heap *heap) { return heap->npages * (size_t)POOL_PAGE_SIZE; }

/* Bytes of empty pages a trim keeps: TRIM_KEEP of the live bytes, at least
** TRIM_KEEP_MIN. */
static size_t trim_reserve(const rcgc_heap *heap) {
  size_t live = heap->nbytes;
  return TRIM_KEEP(live) > TRIM_KEEP_MIN ? TRIM_KEEP(live) : TRIM_KEEP_MIN;
}

/* A trim has ended: the next waits until the free pool memory has doubled
** (heap->trim_at, rcgc__pools_maybe_trim). */
static void trim_ended(rcgc_heap *heap) {
  size_t pools = pool_bytes(heap);
  heap->trim_at = 2 * (pools - (heap->nbytes < pools ? heap->nbytes : pools));
}

/* Return the empty pages beyond the kept reserve to the raw layer. Returns
** the bytes released. */
size_t rcgc__pools_trim(rcgc_heap *heap) {
#if UINTPTR_MAX > 0xffffffffu
  if (heap->trim_phase != 0) { /* one runs in slices: it is this trim */
    size_t before = heap->trim_released;
    (void)rcgc__trim_slice(heap, -1.0);
    return (heap->trim_released - before) * (size_t)POOL_PAGE_SIZE;
  }
#ifdef RCGC_CHECKS
  if (heap->inc != NULL) {
    rcgc__misuse(heap, NULL, "internal invariant",
                 "a trim began while an incremental collection runs; no page was returned");
    return 0;
  }
#endif
  heap->trim_scans++;
  heap->trim_pending = false;
  double t0 = rcgc__now();
  size_t scanned = heap->npages;
  /* 1. count the free blocks of every page */
  size_t kept = 0, released = 0, marked = 0;
  size_t keep = trim_reserve(heap);
  for (pool_page_t *p = heap->pages; p != NULL; p = p->next) {
    size_t bsize = page_block_size(p), n = page_blocks(p), nfree = 0;
    const pool_class_t *pc = &heap->classes[p->cls];
    char *b = page_start(p);
    for (size_t i = 0; i < n; i++, b += bsize) {
      bool tail = b >= pc->bump && b < pc->limit, mark = !tail && free_marked(b);
      nfree += tail || mark;
      marked += mark;
    }
    p->nfree = (uint32_t)nfree;
    /* 2. choose: an empty page beyond the reserve goes */
    if (nfree == n) {
      if (kept < keep)
        kept += POOL_PAGE_SIZE;
      else
        p->nfree = TRIM_RELEASE, released++;
    }
  }
#ifdef RCGC_CHECKS
  /* F1: the marked blocks are exactly the blocks on the free lists */
  size_t listed = 0;
  for (size_t c = 0; c < POOL_CLASSES; c++)
    for (void *f = heap->classes[c].free; f != NULL; f = *(void **)f)
      listed++;
  if (listed != marked) {
    rcgc__misuse(heap, NULL, "internal invariant",
                 "%zu blocks are on the pools' free lists but %zu are marked free; "
                 "no page was returned",
                 listed, marked);
    return 0;
  }
#else
  (void)marked;
#endif
  if (released == 0) {
    heap->trim_page_cost = scanned ? (rcgc__now() - t0) / (double)scanned : 0.0;
    return 0;
  }
  /* 3. rebuild the free lists from the pages that stay, each page's blocks
  ** in address order; a class whose tail is on a page that goes loses it */
  for (size_t c = 0; c < POOL_CLASSES; c++)
    heap->classes[c].free = NULL;
  for (pool_page_t *p = heap->pages; p != NULL; p = p->next) {
    pool_class_t *pc = &heap->classes[p->cls];
    char *start = page_start(p);
    if (p->nfree == TRIM_RELEASE) {
      if (bumps_through(pc, p))
        pc->bump = pc->limit = NULL;
      continue;
    }
    size_t bsize = page_block_size(p), n = page_blocks(p);
    for (size_t i = n; i-- > 0;) {
      char *b = start + i * bsize;
      if (!(b >= pc->bump && b < pc->limit) && free_marked(b)) {
        *(void **)(void *)b = pc->free;
        pc->free = b;
      }
    }
  }
  /* 4. give the pages back */
  pool_page_t **pp = &heap->pages;
  while (*pp != NULL) {
    if ((*pp)->nfree == TRIM_RELEASE)
      page_give_back(heap, pp);
    else
      pp = &(*pp)->next;
  }
  heap->trim_page_cost = (rcgc__now() - t0) / (double)scanned;
  return released * (size_t)POOL_PAGE_SIZE;
#else
  (void)heap;
  return 0;
#endif
}

/* After a collection that began with 'bytes_at_start' bytes of objects:
** trim when at least half of the pool memory, and TRIM_MIN_BYTES, were free
** already before it began -- memory the collection itself freed waits for
** the next one, so a program that frees and rebuilds a structure between
** collections does not hand its pages back and take them again every time
** -- and the free memory has at least doubled since the last trim left it
** (heap->trim_at). A trim reads every page and is not divided: with an
** 'allowance' (seconds, >= 0: a collection under a pause budget), it runs
** only when the pages times the last trim's time per page
** (TRIM_PAGE_GUESS before one ran) fit in it; otherwise it is pending:
** rcgc_collect_step runs it in slices (below), a collection without an
** allowance in one step. A collection without an allowance also finishes
** a trim that runs in slices. */
#define TRIM_PAGE_GUESS 10e-6 /* measured: 7-11 us per page of 64 KiB */
void rcgc__pools_maybe_trim(rcgc_heap *heap, size_t bytes_at_start, double allowance) {
  if (heap->trim_phase != 0) {
    if (allowance < 0)
      (void)rcgc__trim_slice(heap, -1.0);
    return;
  }
  /* none while an incremental collection runs (a suspect collection beside
  ** a backstop ends here too): one that frees in slices (incremental.c,
  ** RELEASE) holds freed blocks, marked free, on no free list until its
  ** end, which a trim would count as free; its own end trims */
  if (heap->inc != NULL)
    return;
  size_t pools = pool_bytes(heap);
  size_t held = heap->nbytes > bytes_at_start ? heap->nbytes : bytes_at_start;
  size_t used = held < pools ? held : pools;
  size_t free_bytes = pools - used;
  size_t at = heap->trim_at > TRIM_MIN_BYTES ? heap->trim_at : TRIM_MIN_BYTES;
  if (free_bytes < at || free_bytes < used)
    return;
  double per_page = heap->trim_page_cost > 0 ? heap->trim_page_cost : TRIM_PAGE_GUESS;
  if (allowance >= 0 && (double)heap->npages * per_page > allowance) {
    heap->trim_pending = true;
    return;
  }
  rcgc__pools_trim(heap);
  trim_ended(heap);
}

/* ------------------------------------------------------------ trims in slices
** Under a pause budget a trim too long for one pause waits (trim_pending)
** for rcgc_collect_step, the program's idle time, which runs it in slices;
** once begun, the points where automatic collections run (policy.c) give
** it a slice each too, until it ends, while the program runs in between.
** It takes every class's free list for itself at its start (a list it
** owns, trim_d, so that no block it counts is allocated meanwhile: the
** program allocates from the blocks freed since and from new pages), then,
** a block per unit:
**   COUNT    each block moves to trim_e, counted on its page (page->nfree,
**            through the page map)
**   (choose) a page all of whose blocks were counted is empty, and stays
**            empty: none of its blocks can be allocated, and none was live
**            to be freed -- except the page a class bumps through, which
**            stays; empty pages beyond the reserve are chosen to go
**            (page->nfree = TRIM_RELEASE): a pass over the pages, not
**            divided (a few microseconds per thousand pages)
**   SORT     each block of trim_e goes back to its class's list, or, on a
**            chosen page, nowhere
**   RELEASE  each chosen page goes back to the raw layer.
** Memory it holds: none (its lists run through the free blocks). Anything
** that needs the whole free lists -- rcgc__pools_trim, a collection
** without an allowance -- finishes it first; heap destroy drops it with the
** pages. The free lists it gives back are in its order, not rebuilt in
** address order as a trim in one step does. */
enum { TJ_COUNT = 1, TJ_SORT, TJ_RELEASE };

void rcgc__trim_start(rcgc_heap *heap) {
#ifdef RCGC_CHECKS
  if (heap->inc != NULL)
    rcgc__misuse(heap, NULL, "internal invariant",
                 "a trim in slices began while an incremental collection runs");
#endif
  heap->trim_jobs++;
  heap->trim_pending = false;
  for (pool_page_t *p = heap->pages; p != NULL; p = p->next)
    p->nfree = 0;
  for (size_t c = 0; c < POOL_CLASSES; c++) {
    heap->trim_d[c] = heap->classes[c].free;
    heap->classes[c].free = NULL;
    heap->trim_e[c] = NULL;
  }
  heap->trim_keep = trim_reserve(heap);
  heap->trim_kept = 0;
  heap->trim_cls = 0;
  heap->trim_phase = TJ_COUNT;
}

/* The pages all of whose blocks were counted go, beyond the reserve. */
static void trim_job_choose(rcgc_heap *heap) {
  for (pool_page_t *p = heap->pages; p != NULL; p = p->next) {
    if (p->nfree != page_blocks(p) || bumps_through(&heap->classes[p->cls], p))
      continue;
    if (heap->trim_kept < heap->trim_keep)
      heap->trim_kept += POOL_PAGE_SIZE;
    else
      p->nfree = TRIM_RELEASE;
  }
}

/* One unit of the running trim; false when it is over. */
static bool trim_unit(rcgc_heap *heap) {
  unsigned c = heap->trim_cls;
  switch (heap->trim_phase) {
  case TJ_COUNT:
    while (c < POOL_CLASSES && heap->trim_d[c] == NULL)
      c++;
    heap->trim_cls = c;
    if (c == POOL_CLASSES) {
      trim_job_choose(heap);
      heap->trim_phase = TJ_SORT;
      heap->trim_cls = 0;
    } else {
      void *b = heap->trim_d[c];
      heap->trim_d[c] = *(void **)b;
      rcgc__page_of(heap, b)->nfree++;
      *(void **)b = heap->trim_e[c];
      heap->trim_e[c] = b;
    }
    return true;
  case TJ_SORT:
    while (c < POOL_CLASSES && heap->trim_e[c] == NULL)
      c++;
    heap->trim_cls = c;
    if (c == POOL_CLASSES) {
      heap->trim_phase = TJ_RELEASE;
      heap->trim_cursor = &heap->pages;
    } else {
      void *b = heap->trim_e[c];
      heap->trim_e[c] = *(void **)b;
      if (rcgc__page_of(heap, b)->nfree != TRIM_RELEASE) {
        *(void **)b = heap->classes[c].free;
        heap->classes[c].free = b;
      }
    }
    return true;
  default: {
    pool_page_t *p = *heap->trim_cursor;
    if (p == NULL) {
      heap->trim_phase = 0;
      heap->trim_scans++;
      trim_ended(heap);
      return false;
    }
    if (p->nfree == TRIM_RELEASE) {
      heap->trim_released++;
      page_give_back(heap, heap->trim_cursor);
    } else {
      heap->trim_cursor = &p->next;
    }
    return true;
  }
  }
}

bool rcgc__trim_slice(rcgc_heap *heap, double budget_s) {
  if (heap->trim_phase == 0)
    return false;
  double t0 = rcgc__now(), deadline = t0 + 0.9 * budget_s;
  bool more = true;
  for (unsigned n = 1; more; n++) {
    more = trim_unit(heap);
    /* a page going back may take a system call: the clock after each */
    if (budget_s >= 0 && ((n & 63) == 0 || heap->trim_phase == TJ_RELEASE) &&
        rcgc__now() >= deadline)
      break;
  }
  if (budget_s >= 0)
    rcgc__count_slice(heap, rcgc__now() - t0);
  return more;
}

/* Return every pool page to the raw layer (heap destroy, after every object
** has been freed). */
void rcgc__pools_release(rcgc_heap *heap) {
  heap->trim_phase = 0;
  memset(heap->trim_d, 0, sizeof heap->trim_d);
  memset(heap->trim_e, 0, sizeof heap->trim_e);
  pool_page_t *p = heap->pages;
  while (p != NULL) {
    pool_page_t *next = p->next;
    rcgc__inc_page_gone(heap, p);
    rcgc__raw_free(heap, p, POOL_PAGE_SIZE);
    p = next;
  }
  heap->pages = NULL;
  heap->npages = 0;
  rcgc__raw_free(heap, heap->pagemap.e, heap->pagemap.cap * sizeof(page_win_t));
  memset(&heap->pagemap, 0, sizeof heap->pagemap);
  memset(heap->classes, 0, sizeof heap->classes);
}
