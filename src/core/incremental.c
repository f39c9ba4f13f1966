/*
** incremental.c -- automatic collections in slices under a pause budget
** (rcgc_set_pause_budget, rcgc_collect_step; rcgc.h section 5).
**
** An incremental collection has the candidates of the stop-the-world
** collection it replaces (policy.c decides which: the suspects and what
** they reach, a young backstop's generations 0 and 1 with them, or a full
** backstop's every tracked, unfrozen object). Slices *estimate* which of
** them are garbage while the program runs in between; the last step proves
** it, exactly, on the estimate alone.
**
** ---------------------------------------------------------------- state
** Every candidate stays a plain object on a plain list (INVARIANTS L1, L2
** hold between slices, and rcgc_check_heap, the leak tools and every
** enumeration see it there): the collection's four lists, in phase order,
**   INIT     candidates not yet entered in the table (closure collections:
**            the suspects first, then generations 0 and 1; a full
**            collection: the suspects it took)
**   SUB      candidates whose references are still to be subtracted
**   MARK     subtracted, not yet sorted into live and garbage
**   GARBAGE  the estimate: candidates no slice found a reason to keep
** Survivors go straight to generation 2. Each candidate has a 32-bit
** state word. A backstop (full or young: candidates by the million) keeps
** the word of a pooled object in a side array of its pool page, one word
** per block, found through the page map (alloc.c) and indexed by the
** block's place in the page: 4 bytes per block, read in the pages' memory
** order. A suspect collection (few candidates, anywhere), and a backstop
** for the blocks of their own, keep it in a table keyed by the header's
** address (ptrtab.h). The word:
**   V_IN      set in every state (a side array's 0 is "no state")
**   V_COUNT   refcount when entered, minus the references from candidates
**             found since, floored at 0
**   V_LIVE    reached from a candidate with an outside reference, or
**             its count changed (the barrier): kept
**   V_GARB    on the GARBAGE list
**   V_MOVE    kept by the barrier of increments while on GARBAGE: still
**             there until the gray stack's turn moves it to generation 2
**             (an increment may come from a walk of the lists -- an
**             rcgc_list being filled -- which a move would derail)
**   V_EXPAND  closure collections: a suspect or an object pulled in, whose
**             children not yet candidates are pulled in
**   V_OUT     SUB found a reference from it to an object that was no
**             candidate (RELEASE traverses only such members; see there)
**   V_SIZED   the object is variable-sized (TI_SIZED): a size word
**             precedes its header in its block (RELEASE finds the header
**             of a block from its side array's word)
** An object loses its state when it dies or is untracked (obj.c,
** introspect.c call rcgc__inc_forget), so a block reused by a new object
** never inherits a state. TI_INC on an object says it may have a state:
** set when it is entered, cleared when it leaves, left behind (stale, a
** wasted lookup at most) when the collection ends; an object without it
** certainly has none, which spares the lookup for every object that dies
** young during a collection. The gray stack holds objects marked V_LIVE
** whose children are still to be marked; one that died meanwhile has no
** state any more and is skipped.
**
** ---------------------------------------------------------------- phases
**   INIT      enter each candidate with its refcount; a suspect loses
**             TI_SUSPECT and, in a closure collection, gets V_EXPAND
**   SUB       traverse each candidate: each reference to a candidate
**             decrements its count; a full collection enters a tracked,
**             unfrozen child it does not know yet (every such object was a
**             candidate at the start, or is new and harmless: it is on no
**             list of the collection, so it is never garbage); a closure
**             collection pulls the children of V_EXPAND candidates in
**   MARK      the gray stack first; then each candidate: V_LIVE or a count
**             above 0 goes to generation 2 and marks what it reaches
**             V_LIVE (moving it back from GARBAGE); the rest to GARBAGE
**   FINISH    the stop-the-world collector runs on GARBAGE as a list
**             collection (collect.c, steps 1-11): references from outside
**             GARBAGE are outside references. It is the step that is not
**             divided; it costs what freeing the same objects by refcount
**             would, plus the estimate's errors. It runs in the slice that
**             completes the estimate, or opens the next one when that
**             slice's other work took half of its budget.
**
** ---------------------------------------------------------------- why it is sound
** Trial deletion on any set of objects, with counts and references read in
** one atomic step, frees only objects no reference outside the set reaches
** (the argument of collect.c); FINISH is that step. Nothing the estimate
** gets wrong can free a reachable object: the worst it can do is put a
** live object in GARBAGE (FINISH keeps it, at the cost of examining it) or
** keep a garbage one (the next collection frees it). C code may move a
** reference without touching a count (`b->f = a->g; a->g = NULL;`), which
** can make a slice's estimate of a live object look like garbage; that is
** why the exact step exists at all.
**
** ---------------------------------------------------------------- why it is complete
** A garbage cycle present when the collection starts, all of whose members
** are candidates, is freed by FINISH: no program code can reach a garbage
** object (the only way, a weak reference's get, makes it live), so its
** counts and references do not change; every reference to a member comes
** from a member, so each count ends at 0; V_LIVE spreads only along
** references of objects the program could reach, which never lead to it;
** so every member reaches GARBAGE, and FINISH proves it garbage. Garbage
** made while the collection runs waits for the next one.
**
** ---------------------------------------------------------------- the barrier
** A candidate whose count changes between slices is marked V_LIVE and
** pushed on the gray stack: the snapshot-at-the-start rule. Decrements
** reach rcgc__suspect (every decrement of a tracked object without
** TI_SUSPECT does, and no candidate keeps TI_SUSPECT once entered: INIT
** and SUB clear it); the object also becomes a suspect as usual, so a
** cycle that decrement made garbage is found by the next collection.
** Increments of an object with TI_INC leave the inline rcgc_incref (and
** ref_inc, every increment the library makes) for rcgc__inc_incref; a
** candidate found on GARBAGE goes back to generation 2 at its turn on the
** gray stack (V_MOVE: not at once, as the increment may come from a walk
** of the lists). An object
** untracked while it has a state has its children marked (it is outside
** from then on, but its references were subtracted as inside ones). The
** barrier keeps the estimate close to the truth when a program moves
** references with rcgc_set, at the price of keeping for one collection an
** object that dies then; with strict stores it makes the estimate exact
** (below).
**
** ---------------------------------------------------------------- memory
** The side arrays (4 bytes per block of each page that has held a
** candidate of a backstop; made at the page's first candidate, kept for
** the next backstop, which clears each at its first use -- its epoch
** tells -- and freed when the page goes back), the list of the pages whose
** side arrays the collection uses (8 bytes a page), the table (16 bytes a
** slot, at most half full) and the gray stack. The tables are kept from
** one collection to the next, one for suspect collections and one for
** backstops (sized for the blocks of their own, rcgc_heap's nraw): a slot
** belongs to the running collection when its epoch is the table's, so a
** new one starts without clearing it (allocating, clearing or freeing a
** table of millions of slots takes milliseconds). A table is replaced when
** too small for the next collection or eight times larger than it needs,
** and freed by heap destroy. When a side array cannot be made, or the
** table, the list of pages or the gray stack cannot grow, the collection
** is abandoned: every candidate becomes a suspect again (the next
** collection examines it) and nothing is freed.
*/
#include "internal.h"
#include "ptrtab.h" /* rcgc__ptr_hash */

#define V_LIVE 0x80000000u
#define V_GARB 0x40000000u
#define V_EXPAND 0x20000000u
#define V_IN 0x10000000u /* every state has it: a state word is never 0 */
#define V_MOVE 0x08000000u
#define V_OUT 0x04000000u
#define V_SIZED 0x02000000u
#define V_COUNT 0x01ffffffu

enum { PH_INIT, PH_SUB, PH_MARK, PH_RELEASE };

/* A slot of a table: in use by the running collection when its epoch is
** the table's, empty otherwise -- so the table, kept from one
** collection to the next, never needs clearing (but when the epoch wraps). */
typedef struct inc_slot_t {
  const void *key; /* the header */
  uint32_t val;
  uint32_t epoch;
} slot_t;

typedef struct inc_table_t table_t;

/* A place in RELEASE's walk: block 'block' of the collection's page
** 'page', then (past the last page) slot 'slot' of the table. */
typedef struct rel_at_t {
  size_t page, slot;
  uint32_t block;
} rel_at_t;

typedef struct inc_t {
  int phase;
  int generation;   /* what it reports as */
  unsigned flags;   /* COLLECT_* of the collection it replaces */
  bool full;        /* every tracked, unfrozen object is a candidate */
  bool failed;      /* memory ran out: abandon at the end of this slice */
  bool started;     /* the START callbacks ran */
  bool paged;       /* pooled candidates' states are in their pages' side
                       arrays, the table has the others' */
  bool cleared;     /* a side array was made or cleared since the clock was
                       last read (work) */
  size_t used;      /* slots in use */
  head_t **gray;
  size_t ngray, capgray;
  size_t candidates; /* objects entered */
  size_t live;       /* candidates sent to generation 2 */
  size_t zeroed;     /* states whose count reached 0 */
  size_t kept;       /* states marked V_LIVE other than by MARK's scan:
                        the barrier, rcgc_untrack, a count too large */
  bool all_garbage;  /* RELEASE without MARK: every state is garbage */
  bool out_exact;    /* RELEASE: V_OUT marks exactly the members that
                        reference a non-member */
  pool_page_t *pc;   /* the page of the last state looked up in a side
                        array (NULL: none; reset when a page goes back) */
  double t_start;    /* of the current slice */
  /* the pages whose side arrays this collection made or cleared, in that
  ** order (paged collections): RELEASE walks them */
  pool_page_t **pages;
  size_t npages, cappages;
  /* RELEASE (strict stores): where the walk for the garbage still to free
  ** is; the blocks freed so far (uncounted), kept from reuse until the end
  ** (pooled ones per class, chained as a free list; the others with their
  ** headers); what FINISH is told */
  rel_at_t at;
  void *ret_first[POOL_CLASSES], *ret_last[POOL_CLASSES];
  head_t *others;
  inc_finish_t fin;
} inc_t;

#define INIT_LIST(heap) (&(heap)->inc_lists[0])
#define SUB_LIST(heap) (&(heap)->inc_lists[1])
#define MARK_LIST(heap) (&(heap)->inc_lists[2])
#define GARBAGE_LIST(heap) (&(heap)->inc_lists[3])
#define OLD_LIST(heap) (&(heap)->gens[RCGC_NUM_GENERATIONS - 1].head)

/* ------------------------------------------------------------ the table */

static size_t extra_bytes(const rcgc_heap *heap) {
  size_t b = (heap->inc_tables[0].cap + heap->inc_tables[1].cap) * sizeof(slot_t);
  if (heap->inc != NULL)
    b += sizeof *heap->inc + heap->inc->capgray * sizeof(head_t *) +
         heap->inc->cappages * sizeof(pool_page_t *);
  return b + heap->side_bytes;
}

static void note_bytes(rcgc_heap *heap) {
  size_t b = extra_bytes(heap);
  heap->inc_stats.extra_bytes = b;
  if (b > heap->inc_stats.peak_extra_bytes)
    heap->inc_stats.peak_extra_bytes = b;
}

static inline slot_t *tab_find(rcgc_heap *heap, const head_t *h) {
  const table_t *tab = heap->inc_table;
  slot_t *t = tab->slots;
  size_t mask = tab->cap - 1;
  uint32_t e = tab->epoch;
  for (size_t i = rcgc__ptr_hash(h, tab->cap);; i = (i + 1) & mask) {
    if (t[i].epoch != e)
      return NULL;
    if (t[i].key == h)
      return &t[i];
  }
}

/* The empty slot where 'key' (not in the table) goes. */
static slot_t *place(slot_t *t, size_t cap, uint32_t e, const void *key) {
  size_t i = rcgc__ptr_hash(key, cap);
  while (t[i].epoch == e)
    i = (i + 1) & (cap - 1);
  return &t[i];
}

/* Empty 'slot', shifting later entries of its probe chain back (linear
** probing without tombstones). */
static void delete_slot(rcgc_heap *heap, slot_t *slot) {
  const table_t *tab = heap->inc_table;
  slot_t *t = tab->slots;
  size_t mask = tab->cap - 1, i = (size_t)(slot - t), j = i;
  uint32_t e = tab->epoch;
  for (;;) {
    j = (j + 1) & mask;
    if (t[j].epoch != e)
      break;
    size_t home = rcgc__ptr_hash(t[j].key, tab->cap);
    /* can the entry at j move to the hole at i? (i lies cyclically in
    ** [home, j)) */
    bool movable = (i <= j) ? (home <= i || home > j) : (home <= i && home > j);
    if (movable) {
      t[i] = t[j];
      i = j;
    }
  }
  t[i].epoch = 0;
}

/* Double the table (a pass over it: one of the steps not divided). */
static bool grow(rcgc_heap *heap) {
  table_t *tab = heap->inc_table;
  size_t ncap = tab->cap * 2;
  slot_t *ns = rcgc__raw_calloc(heap, ncap * sizeof(slot_t));
  if (ns == NULL)
    return false;
  uint32_t e = tab->epoch;
  for (size_t i = 0; i < tab->cap; i++)
    if (tab->slots[i].epoch == e)
      *place(ns, ncap, e, tab->slots[i].key) = tab->slots[i];
  rcgc__raw_free(heap, tab->slots, tab->cap * sizeof(slot_t));
  tab->slots = ns;
  tab->cap = ncap;
  heap->inc_stats.table_grows++;
  note_bytes(heap);
  return true;
}

/* Make table 'tab' ready for a collection of about 'want' candidates: a
** new epoch in it, or a new table when it is too small or more than eight
** times too large (a table larger than needed spreads few entries over
** much memory: a cache miss at every probe). False when memory is short. */
static bool table_ready(rcgc_heap *heap, table_t *tab, size_t want) {
  size_t cap = 1024;
  while (cap < 2 * want)
    cap *= 2;
  heap->inc_table = tab;
  if (tab->slots != NULL && tab->cap >= cap && tab->cap <= 8 * cap) {
    if (++tab->epoch == 0) { /* wrapped: every slot of an old epoch */
      memset(tab->slots, 0, tab->cap * sizeof(slot_t));
      tab->epoch = 1;
    }
    return true;
  }
  rcgc__raw_free(heap, tab->slots, tab->cap * sizeof(slot_t));
  tab->slots = rcgc__raw_calloc(heap, cap * sizeof(slot_t));
  tab->cap = tab->slots != NULL ? cap : 0;
  tab->epoch = 1;
  return tab->slots != NULL;
}

/* ------------------------------------------------------------ state words */

/* The side array of pool page 'p' for this collection: a word per block,
** 0 (no state) until its object is entered. Made at the first object a
** backstop enters in the page and kept until the page goes back (freeing
** thousands of them when a collection ends took milliseconds: the C
** library gave its memory back to the system as it went); a side array
** of an earlier backstop is cleared at its first use by this one (its
** epoch tells), and the page goes on the collection's list of pages. NULL
** when memory is short (in->failed is set). */
static uint32_t *side_of(rcgc_heap *heap, inc_t *in, pool_page_t *p) {
  size_t bytes = page_blocks(p) * sizeof(uint32_t);
  if (p->side == NULL) {
    p->side = rcgc__raw_alloc(heap, bytes);
    if (p->side == NULL) {
      in->failed = true;
      return NULL;
    }
    heap->side_bytes += bytes;
    note_bytes(heap);
  } else if (p->side_epoch == heap->side_epoch) {
    return p->side;
  }
  if (in->npages == in->cappages) {
    size_t ncap = in->cappages ? in->cappages * 2 : 64;
    pool_page_t **np = rcgc__raw_realloc(heap, in->pages, in->cappages * sizeof *np,
                                         ncap * sizeof *np);
    if (np == NULL) {
      in->failed = true;
      return NULL;
    }
    in->pages = np;
    in->cappages = ncap;
    note_bytes(heap);
  }
  in->pages[in->npages++] = p;
  memset(p->side, 0, bytes);
  p->side_epoch = heap->side_epoch;
  in->cleared = true;
  return p->side;
}

/* A new epoch for a paged backstop: every side array is of an earlier one
** (when the count wraps, after 2^32 - 1 backstops, every page's epoch is
** reset first: a pass over the pages). */
static void side_epoch_next(rcgc_heap *heap) {
  if (++heap->side_epoch == 0) {
    for (pool_page_t *p = heap->pages; p != NULL; p = p->next)
      p->side_epoch = 0;
    heap->side_epoch = 1;
  }
}

/* The page whose side array has the state of 'h', or NULL: the table has
** it (a collection that is not paged, or a block of its own). */
static inline pool_page_t *paged(const rcgc_heap *heap, inc_t *in, const head_t *h) {
  if (!in->paged)
    return NULL;
  /* consecutive lookups mostly fall in one page: the last one first */
  pool_page_t *p = in->pc;
  if (p != NULL && (uintptr_t)h - (uintptr_t)p < POOL_PAGE_SIZE)
    return p;
  p = rcgc__page_of(heap, h);
  if (p != NULL)
    in->pc = p;
  return p;
}

/* The word of 'h' in the side array of its page 'p', or NULL when the page
** has no array of this collection. */
static inline uint32_t *side_word(const rcgc_heap *heap, pool_page_t *p, const head_t *h) {
  if (p->side == NULL || p->side_epoch != heap->side_epoch)
    return NULL;
  return &p->side[page_block_index(p, h)];
}

/* The state word of 'h', or NULL when it has none. */
static inline uint32_t *find(rcgc_heap *heap, const head_t *h) {
  pool_page_t *p = paged(heap, heap->inc, h);
  if (p != NULL) {
    uint32_t *v = side_word(heap, p, h);
    return v != NULL && *v != 0 ? v : NULL;
  }
  slot_t *s = tab_find(heap, h);
  return s != NULL && s->val != 0 ? &s->val : NULL;
}

static void gray_push(rcgc_heap *heap, inc_t *in, head_t *h) {
  if (in->ngray == in->capgray) {
    size_t ncap = in->capgray ? in->capgray * 2 : 256;
    head_t **ng = rcgc__raw_realloc(heap, in->gray, in->capgray * sizeof *ng, ncap * sizeof *ng);
    if (ng == NULL) {
      in->failed = true;
      return;
    }
    in->gray = ng;
    in->capgray = ncap;
    note_bytes(heap);
  }
  in->gray[in->ngray++] = h;
}

/* Enter 'h' (without a state) with 'val'. NULL when memory is short
** (in->failed is set). */
static uint32_t *enter(rcgc_heap *heap, inc_t *in, head_t *h, uint32_t val) {
  uint32_t *v;
  pool_page_t *p = paged(heap, in, h);
  if (p != NULL) {
    uint32_t *side = side_of(heap, in, p);
    if (side == NULL)
      return NULL;
    v = &side[page_block_index(p, h)];
  } else {
    if ((in->used + 1) * 2 > heap->inc_table->cap && !grow(heap)) {
      in->failed = true;
      return NULL;
    }
    table_t *tab = heap->inc_table;
    slot_t *s = place(tab->slots, tab->cap, tab->epoch, h);
    s->key = h;
    s->epoch = tab->epoch;
    v = &s->val;
    in->used++;
  }
  *v = val | V_IN | ((h->tinfo & TI_SIZED) ? V_SIZED : 0);
  h->tinfo |= TI_INC;
  in->candidates++;
  if (val & V_LIVE) { /* a count too large: MARK traverses it from the gray stack */
    in->kept++;
    gray_push(heap, in, h);
  }
  return v;
}

/* The count an object starts with: its refcount, or V_LIVE for one too
** large to count down in V_COUNT's bits (it has outside references). */
static inline uint32_t start_value(const head_t *h) {
  return h->refcnt > V_COUNT ? V_LIVE : (uint32_t)h->refcnt;
}

static inline void count_down(inc_t *in, uint32_t *v) {
  if (*v & V_COUNT) {
    (*v)--;
    in->zeroed += (*v & V_COUNT) == 0;
  }
}

/* ------------------------------------------------------------ hooks */

void rcgc__inc_forget(rcgc_heap *heap, head_t *h) {
  inc_t *in = heap->inc;
  if (in == NULL)
    return;
  h->tinfo &= ~(uint32_t)TI_INC;
  pool_page_t *p = paged(heap, in, h);
  if (p != NULL) {
    uint32_t *v = side_word(heap, p, h);
    if (v != NULL)
      *v = 0;
    return;
  }
  slot_t *s = tab_find(heap, h);
  if (s != NULL && in->phase == PH_RELEASE) {
    s->val = 0; /* no state, the slot kept: RELEASE walks the table */
  } else if (s != NULL) {
    delete_slot(heap, s);
    in->used--;
  }
}

void rcgc__inc_page_gone(rcgc_heap *heap, pool_page_t *p) {
  if (heap->inc != NULL && heap->inc->pc == p)
    heap->inc->pc = NULL;
  if (p->side == NULL)
    return;
  size_t bytes = page_blocks(p) * sizeof(uint32_t);
  rcgc__raw_free(heap, p->side, bytes);
  p->side = NULL;
  p->side_epoch = 0;
  heap->side_bytes -= bytes;
  note_bytes(heap);
}

void rcgc__inc_barrier(rcgc_heap *heap, head_t *h) {
  inc_t *in = heap->inc;
  if (in == NULL || in->phase == PH_RELEASE)
    return;
  uint32_t *v = find(heap, h);
  if (v == NULL || (*v & V_LIVE))
    return;
  /* rcgc__suspect has just moved it to the suspects list: off GARBAGE */
  *v = (*v & ~V_GARB) | V_LIVE;
  in->kept++;
  gray_push(heap, in, h);
}

/* The state of a candidate the program is about to reach in a way the
** estimate may not have seen: kept (V_LIVE), and its children marked from
** the gray stack -- which also takes it off GARBAGE if it is there
** (V_MOVE). */
static void keep(rcgc_heap *heap, inc_t *in, head_t *h, uint32_t *v) {
  in->kept++;
  *v = (*v & V_GARB ? (*v & ~V_GARB) | V_MOVE : *v) | V_LIVE;
  gray_push(heap, in, h);
}

/* The barrier of increments. Without it, a count snapshot taken when the
** object was entered plus a reference made since (rcgc_set into an object
** the collection traverses later) could count down to 0 while the program
** holds the reference the snapshot counted. With no state (the collection
** ended, or the object left it) the flag is stale: cleared, so that the
** next increments take the inline path. */
void rcgc__inc_incref(rcgc_heap *heap, head_t *h) {
  inc_t *in = heap->inc;
  if (in != NULL && in->phase == PH_RELEASE)
    return; /* the estimate is made: nothing to keep, no state to drop */
  uint32_t *v = in != NULL ? find(heap, h) : NULL;
  if (v == NULL)
    h->tinfo &= ~(uint32_t)TI_INC;
  else if (!(*v & V_LIVE))
    keep(heap, in, h, v);
}

/* ------------------------------------------------------------ slices */

typedef struct step_t {
  rcgc_heap *heap;
  inc_t *in;
  bool expanding; /* the object being traversed pulls its children in */
  bool outside;   /* it references an object that is no candidate */
  uint32_t tinfo_limit; /* as collect.c's ctx_t */
} step_t;

/* Is 'c' (reported by a traverse) no live object of this heap? Release
** builds check the type id range, debug builds everything (reported). The
** child is then ignored: FINISH's own pass reports and refuses it. */
static inline bool junk(step_t *st, void *child, const head_t *c) {
#ifdef RCGC_CHECKS
  (void)c;
  return !rcgc__object_ok(st->heap, child);
#else
  (void)child;
  return c->tinfo - (1u << TI_SHIFT) >= st->tinfo_limit;
#endif
}

static int visit_sub(void *child, const char *edge, void *arg) {
  (void)edge;
  step_t *st = arg;
  head_t *c = AS_HEAD(child);
  if (junk(st, child, c) || c->refcnt == 0 || (c->tinfo & (TI_UNTRACKED | TI_FROZEN))) {
    st->outside = true;
    return 0;
  }
  inc_t *in = st->in;
  uint32_t *v = (c->tinfo & TI_INC) ? find(st->heap, c) : NULL;
  if (v != NULL) {
    count_down(in, v);
    return 0;
  }
  if (in->full) {
    v = enter(st->heap, in, c, start_value(c));
    if (v != NULL)
      count_down(in, v);
    return 0;
  }
  if (!st->expanding) {
    st->outside = true; /* not a candidate: an outside reference of the parent */
    return 0;
  }
  /* pulled in: examined right after its parent (depth first) */
  v = enter(st->heap, in, c, start_value(c) | V_EXPAND);
  if (v == NULL)
    return 0;
  count_down(in, v);
  c->tinfo &= ~(uint32_t)TI_SUSPECT;
  list_move(c, next_of(SUB_LIST(st->heap))); /* before SUB's first: at its front */
  return 0;
}

static int visit_mark(void *child, const char *edge, void *arg) {
  (void)edge;
  step_t *st = arg;
  head_t *c = AS_HEAD(child);
  if (junk(st, child, c) || c->refcnt == 0 || (c->tinfo & (TI_UNTRACKED | TI_FROZEN)) ||
      !(c->tinfo & TI_INC))
    return 0;
  uint32_t *v = find(st->heap, c);
  if (v == NULL || (*v & V_LIVE))
    return 0;
  if (*v & V_GARB)
    list_move(c, OLD_LIST(st->heap));
  *v = (*v & ~V_GARB) | V_LIVE;
  gray_push(st->heap, st->in, c);
  return 0;
}

/* An untracked object is outside every collection: its references count as
** outside ones. A candidate already traversed had them counted as inside,
** so its children are kept (marked from it now, while it still has its
** state); rcgc__inc_forget then takes its state. */
void rcgc__inc_untrack(rcgc_heap *heap, head_t *h) {
  inc_t *in = heap->inc;
  if (in == NULL || in->phase == PH_RELEASE)
    return;
  uint32_t *v = find(heap, h);
  if (v == NULL)
    return;
  *v |= V_LIVE;
  in->kept++;
  step_t st = {.heap = heap, .in = in, .tinfo_limit = (heap->ntypes - 1u) << TI_SHIFT};
  rcgc__traverse(heap, h, visit_mark, &st);
}

/* One unit of each phase; false when the phase has nothing left. */
static bool step_init(rcgc_heap *heap, inc_t *in) {
  head_t *l = INIT_LIST(heap);
  if (list_empty(l))
    return false;
  head_t *h = next_of(l);
  uint32_t v = start_value(h) | ((h->tinfo & TI_SUSPECT) && !in->full ? V_EXPAND : 0);
  if (enter(heap, in, h, v) == NULL)
    return false;
  h->tinfo &= ~(uint32_t)TI_SUSPECT;
  list_move(h, SUB_LIST(heap));
  return true;
}

static bool step_sub(step_t *st) {
  rcgc_heap *heap = st->heap;
  inc_t *in = st->in;
  head_t *l = SUB_LIST(heap);
  if (list_empty(l))
    return false;
  head_t *h = next_of(l);
  uint32_t *v = (h->tinfo & TI_INC) ? find(heap, h) : NULL;
  if (v == NULL) { /* a full collection's candidate met first here */
    v = enter(heap, in, h, start_value(h));
    if (v == NULL)
      return false;
  }
  h->tinfo &= ~(uint32_t)TI_SUSPECT;
  list_move(h, MARK_LIST(heap)); /* first: pulled children go in front of the rest */
  st->expanding = (*v & V_EXPAND) != 0;
  st->outside = false;
  rcgc__traverse(heap, h, visit_sub, st);
  if (st->outside && (v = find(heap, h)) != NULL) /* found again: the table may have grown */
    *v |= V_OUT;
  return true;
}

static bool step_mark(step_t *st) {
  rcgc_heap *heap = st->heap;
  inc_t *in = st->in;
  if (in->ngray > 0) {
    head_t *g = in->gray[--in->ngray];
    uint32_t *v = find(heap, g);
    if (v == NULL) /* it died since it was pushed */
      return true;
    if (*v & V_MOVE) { /* kept on GARBAGE by the barrier of increments */
      *v &= ~V_MOVE;
      /* (unless it left GARBAGE meanwhile: a decrement made it a suspect,
      ** or a stop-the-world suspect collection beside a backstop took it
      ** onto its own lists, links with flags, or let it survive) */
      if (!(g->tinfo & TI_SUSPECT) && !(g->gc_prev & PREV_FLAGS) && g->gc_prev != 0)
        list_move(g, OLD_LIST(heap));
    }
    rcgc__traverse(heap, g, visit_mark, st);
    return true;
  }
  head_t *l = MARK_LIST(heap);
  if (list_empty(l))
    return false;
  head_t *h = next_of(l);
  uint32_t *v = find(heap, h);
  if (*v & V_LIVE) {
    list_move(h, OLD_LIST(heap));
    in->live++;
  } else if (*v & V_COUNT) {
    *v |= V_LIVE;
    list_move(h, OLD_LIST(heap));
    in->live++;
    rcgc__traverse(heap, h, visit_mark, st);
  } else {
    *v |= V_GARB;
    list_move(h, GARBAGE_LIST(heap));
  }
  return true;
}

/* ------------------------------------------------------------ release
** Strict stores (RCGC_CONFIG_STRICT_STORES): the estimate is exact (the
** argument is in docs/design.md, section 5), so instead of FINISH's proof
** RELEASE frees GARBAGE, one object per unit, as delete_garbage (collect.c)
** frees a collection's garbage -- only the references that leave the
** garbage are released, each object's destroy runs, its block is retired --
** but in slices. Between them the garbage waits on no list: nothing but
** the collector can reach it, and no enumeration of the heap sees it.
** RELEASE finds it by its states: it walks the side arrays of the pages
** the collection touched, each in memory order (a member's block is where
** its word is, its header at the block's lead), then the table (blocks of
** their own). A walk of the garbage in list order would be a cache miss
** per member, after the program ran between slices; a page's blocks are
** read in order. A member is told by its state (V_GARB, or every state
** without V_LIVE when all_garbage; kept until the end) or, once its
** block is retired in a release build, by its poisoned header; retired
** blocks stay out of the pools until the end (a later member's traverse
** still reads them), when they are spliced in at once. No trim runs while
** an incremental collection does (policy.c), so none can count them as
** free meanwhile. Only when no user code could run on the garbage (no
** finalizer, legacy finalizer or weak reference in the heap, no debug
** flag that lists it): otherwise FINISH runs as without the flag. */

bool rcgc__inc_divisible(const rcgc_heap *heap) {
  return (heap->cfg.flags & RCGC_CONFIG_STRICT_STORES) && !heap->some_type_has_finalizer &&
         !heap->some_type_has_legacy && heap->wr_used == 0 &&
         !(heap->debug & (RCGC_DEBUG_COLLECTABLE | RCGC_DEBUG_SAVEALL));
}

/* Is state word 'w' that of a member (of the garbage RELEASE frees)? */
static inline bool garbage_state(const inc_t *in, uint32_t w) {
  return (w & V_IN) && !(w & V_LIVE) && (in->all_garbage || (w & V_GARB));
}

/* Is 'c' (a child reported by a member's traverse) a member? */
static inline bool member(rcgc_heap *heap, const head_t *c) {
  if (c->tinfo == (uint32_t)TYPE_POISON << TI_SHIFT)
    return true; /* retired already (release builds) */
  if (!(c->tinfo & TI_INC))
    return false;
  const uint32_t *v = find(heap, c);
  return v != NULL && garbage_state(heap->inc, *v);
}

static int visit_release_out(void *child, const char *edge, void *arg) {
  (void)edge;
  rcgc_heap *heap = arg;
  head_t *c = AS_HEAD(child);
  if (!member(heap, c))
    release_nonmember(heap, c);
  return 0;
}

#ifdef RCGC_CHECKS
/* Debug builds traverse the members RELEASE would skip (no V_OUT with
** out_exact): every child must be a member. */
static int visit_release_check(void *child, const char *edge, void *arg) {
  (void)edge;
  rcgc_heap *heap = arg;
  head_t *c = AS_HEAD(child);
  if (!member(heap, c)) {
    rcgc__misuse(heap, child, "internal invariant",
                 "RELEASE of an incremental collection skips the references of a garbage "
                 "object that SUB found referencing only candidates, but one of them "
                 "references this object, which is not garbage");
    release_nonmember(heap, c);
  }
  return 0;
}
#endif

/* Must RELEASE traverse member 'h' to release references that leave the
** garbage? With out_exact, only when SUB found one (V_OUT). */
static inline bool refs_out(rcgc_heap *heap, inc_t *in, const head_t *h) {
  if (!in->out_exact)
    return true;
  const uint32_t *v = find(heap, h);
  return v == NULL || (*v & V_OUT);
}

/* The estimate is complete: it becomes the garbage RELEASE frees. Debug
** builds prove it first, as FINISH would, and report what is not garbage
** (the program broke its promise), which goes to generation 2. */
static void begin_release(rcgc_heap *heap, inc_t *in) {
  head_t *g = GARBAGE_LIST(heap);
#ifdef RCGC_CHECKS
  head_t kept;
  list_init(&kept);
  bool proved = rcgc__prove_list(heap, g, &kept);
  size_t nkept = 0;
  for (head_t *h = next_of(&kept); h != &kept; h = next_of(h)) {
    uint32_t *v = find(heap, h);
    *v = (*v & ~V_GARB) | V_LIVE;
    nkept++;
  }
  in->kept += nkept;
  if (nkept > 0 && proved)
    rcgc__misuse(heap, FROM_HEAD(next_of(&kept)), "strict stores",
                 "an incremental collection of a heap with RCGC_CONFIG_STRICT_STORES found "
                 "this object (and %zu more) garbage, but a reference from outside the "
                 "garbage reaches it: a reference was moved out of an object without a "
                 "decrement; the objects are kept",
                 nkept - 1);
  in->live += nkept;
  list_merge(&kept, OLD_LIST(heap));
  /* V_OUT is exact when every candidate is garbage (the argument is at
  ** all_garbage) -- unless the proof kept some */
  in->out_exact = in->all_garbage && nkept == 0;
#else
  in->out_exact = in->all_garbage;
#endif
  list_init(g); /* the members leave it without a walk: no one reads their links again */
  in->at = (rel_at_t){0, 0, 0};
  in->fin = (inc_finish_t){in->candidates, in->live, 0.0, heap->nbytes, 0.0, 0};
  in->phase = PH_RELEASE;
}

/* A closure collection that frees in slices, at the end of SUB: did every
** count reach 0, with nothing marked live (by the barrier, rcgc_untrack or
** a count too large)? Then every candidate is garbage -- the shortcut of
** collect.c's step 1 -- and the states need no V_GARB: RELEASE takes a
** state without V_LIVE for a member. (A candidate that died meanwhile was
** counted entered but maybe not zeroed: no shortcut, which is only
** slower.)
**
** Then, too, no member was reachable at any moment after its entry, so its
** fields are those SUB read and V_OUT is exact: RELEASE traverses only the
** members with V_OUT, as collect.c's delete_garbage only those with
** PREV_OUTSIDE. Suppose member Y was reachable after its entry. It is not
** at the end, so some decrement destroyed the last reference from outside
** the fields to an object X from which Y is reached through fields alone
** (strict stores: a reference leaves a field only by a decrement). Every
** object on that path is a candidate: a non-candidate's field holding a
** candidate C would have kept C's count above 0 (no traverse subtracted
** it; had it come there after C's entry, it came from an increment of C,
** which the barrier marks, or from outside, which C's count held at
** entry). If the decrement left X's count above 0, the barrier marked X;
** if it reached 0, X died and released its references, a decrement of the
** next object on the path, and so on: the first one that survives -- at
** the latest Y, which is freed by RELEASE, not by refcount -- was marked.
** Either way 'kept' would not be 0. */
static bool all_garbage(const rcgc_heap *heap, const inc_t *in) {
  return !in->full && !(in->flags & COLLECT_BACKSTOP) && in->zeroed == in->candidates &&
         in->kept == 0 && in->ngray == 0 && rcgc__inc_divisible(heap);
}

/* Retire the block of member 'h', destroyed and with its references out
** released. */
static void retire(rcgc_heap *heap, inc_t *in, head_t *h, const type_desc_t *d) {
  in->fin.released++;
#ifndef RCGC_CHECKS
  if (d->pool != 0 && !(h->tinfo & TI_SIZED)) {
    size_t c = d->pool - 1u;
    retire_pooled(heap, h, d, &in->ret_first[c], &in->ret_last[c]);
    return;
  }
#else
  (void)d;
#endif
  /* a block of its own, or any block of a debug build: uncounted now,
  ** its header kept for the end (end_release) */
  heap->nobjects--;
  heap->nbytes -= object_block_size(heap, h);
  h->gc_next = (uintptr_t)in->others;
  in->others = h;
}

/* The next member from 'at' on (which moves past it), reading at most
** '*words' state words and slots; NULL when there is none or the words are
** spent ('at' tells which: rel_end). */
static head_t *next_member(rcgc_heap *heap, const inc_t *in, rel_at_t *at, size_t *words) {
  while (at->page < in->npages) {
    pool_page_t *p = in->pages[at->page];
    const uint32_t *side = p->side;
    uint32_t n = (uint32_t)page_blocks(p);
    while (at->block < n) {
      if (*words == 0)
        return NULL;
      --*words;
      uint32_t w = side[at->block++];
      if (garbage_state(in, w)) {
        size_t bsize = page_block_size(p);
        char *b = page_start(p) + (size_t)(at->block - 1) * bsize;
        if (at->block + 3 < n) /* members come in runs: the header of one a few blocks on */
          PREFETCH(b + 4 * bsize + heap->pre);
        return (head_t *)(void *)(b + heap->pre + ((w & V_SIZED) ? sizeof(size_t) : 0));
      }
    }
    at->page++;
    at->block = 0;
  }
  const table_t *tab = heap->inc_table;
  while (at->slot < tab->cap) {
    if (*words == 0)
      return NULL;
    --*words;
    const slot_t *s = &tab->slots[at->slot++];
    if (s->epoch == tab->epoch && garbage_state(in, s->val))
      return (head_t *)s->key;
  }
  return NULL;
}

static bool rel_end(const rcgc_heap *heap, const inc_t *in, const rel_at_t *at) {
  return at->page >= in->npages && at->slot >= heap->inc_table->cap;
}

/* What is wrong with 'h', found from a garbage state word of its block,
** as an object RELEASE has still to free: it must be that block's object,
** not freed, with TI_INC, and its own state (looked up from its header)
** garbage. NULL: nothing (debug builds' RELEASE units, rcgc_check_heap). */
static const char *not_doomed(rcgc_heap *heap, const head_t *h) {
  if (h->tinfo == (uint32_t)TYPE_POISON << TI_SHIFT)
    return "its block is freed";
  if (!(h->tinfo & TI_INC))
    return "it lacks TI_INC";
  const uint32_t *v = find(heap, h);
  return v == NULL || !garbage_state(heap->inc, *v) ? "its own state is not garbage" : NULL;
}

/* One unit: free the next member, or read a page's words (a unit's work
** is at most one member's and a page's worth of words). */
#define REL_WORDS 4096
static bool step_release(rcgc_heap *heap, inc_t *in) {
  size_t words = REL_WORDS;
  head_t *h = next_member(heap, in, &in->at, &words);
  if (h == NULL)
    return !rel_end(heap, in, &in->at);
#ifdef RCGC_CHECKS
  const char *why = not_doomed(heap, h);
  if (why != NULL) {
    rcgc__misuse(heap, NULL, "internal invariant",
                 "RELEASE of an incremental collection found a garbage state for the block "
                 "of the object at %p, but %s; the block is left alone",
                 (void *)FROM_HEAD(h), why);
    return true;
  }
#endif
  int was_draining = heap->draining;
  head_t *below = heap->zero_stack;
  heap->draining = 1;
  if (refs_out(heap, in, h))
    rcgc__traverse(heap, h, visit_release_out, heap);
#ifdef RCGC_CHECKS
  else
    rcgc__traverse(heap, h, visit_release_check, heap);
#endif
  const type_desc_t *d = &heap->tdesc[type_id_of(h)];
  if (!d->plain || (h->tinfo & (TI_WATCHED | TI_WEAKREFD)))
    rcgc__destroy_object(heap, h);
  retire(heap, in, h, d);
  heap->draining = was_draining;
  rcgc__drain_to(heap, below); /* what only the member kept alive */
  return true;
}

/* Every member is freed: the retired blocks go back. */
static void end_release(rcgc_heap *heap, inc_t *in) {
  for (size_t c = 0; c < POOL_CLASSES; c++) {
    if (in->ret_first[c] != NULL) {
      *(void **)in->ret_last[c] = heap->classes[c].free;
      heap->classes[c].free = in->ret_first[c];
      in->ret_first[c] = NULL;
    }
  }
  while (in->others != NULL) {
    head_t *h = in->others;
    in->others = (head_t *)h->gc_next;
    h->gc_prev = 0;
    rcgc__block_retire(heap, h, object_lead(heap, h), object_block_size(heap, h));
  }
  long freed = in->fin.released;
  heap->gens[0].count = heap->gens[0].count > freed ? heap->gens[0].count - freed : 0;
}

/* rcgc_check_heap: 'fn' on each object of the garbage RELEASE has still
** to free (none when no RELEASE runs), on no list that heap_lists names;
** the sum of what it returns. */
long rcgc__inc_each_doomed(rcgc_heap *heap, long (*fn)(rcgc_heap *, head_t *, void *),
                           void *arg) {
  inc_t *in = heap->inc;
  long sum = 0;
  if (in == NULL || in->phase != PH_RELEASE)
    return 0;
  rel_at_t at = in->at;
  for (;;) {
    size_t words = SIZE_MAX;
    head_t *h = next_member(heap, in, &at, &words);
    if (h == NULL)
      return sum;
    sum += fn(heap, h, arg);
  }
}

/* ------------------------------------------------------------ start, end */

/* The table and the side arrays stay for the next collection (table_ready,
** side_of). */
static void drop_state(rcgc_heap *heap, inc_t *in) {
  rcgc__raw_free(heap, in->gray, in->capgray * sizeof(head_t *));
  rcgc__raw_free(heap, in->pages, in->cappages * sizeof(pool_page_t *));
  rcgc__raw_free(heap, in, sizeof *in);
  heap->inc = NULL;
  heap->inc_stats.running = 0;
  note_bytes(heap);
}

/* Give the collection up: every candidate becomes a suspect (the next
** collection examines it; under the suspects policy that keeps every bound
** of policy.c), nothing is freed. */
static void give_up(rcgc_heap *heap, inc_t *in) {
  if (in->started && !(in->flags & COLLECT_NO_CALLBACKS)) {
    /* START was called: STOP too, having found nothing */
    rcgc_collect_info info = {in->generation, 0, 0, (long)in->candidates, 0.0};
    heap->collecting = 1;
    rcgc__invoke_callbacks(heap, RCGC_PHASE_STOP, &info);
    heap->collecting = 0;
  }
  for (int i = 0; i < INC_NLISTS; i++) {
    head_t *l = &heap->inc_lists[i];
    for (head_t *h = next_of(l); h != l; h = next_of(h))
      h->tinfo |= TI_SUSPECT;
    list_merge(l, &heap->suspects);
  }
  drop_state(heap, in);
}

bool rcgc__inc_paced(const rcgc_heap *heap) {
  return heap->inc != NULL && (heap->inc->flags & COLLECT_BACKSTOP) != 0;
}

void rcgc__inc_abandon(rcgc_heap *heap) {
  if (heap->inc == NULL)
    return;
  if (heap->inc->phase == PH_RELEASE)
    (void)rcgc__inc_finish(heap); /* freed in part: it can only go on */
  else
    give_up(heap, heap->inc);
}

/* Memory ran out: given up, and said. */
static void abandon(rcgc_heap *heap, inc_t *in) {
  heap->inc_stats.abandoned++;
  give_up(heap, in);
  rcgc__report(heap, "rcgc: out of memory in an incremental collection (its object table "
                     "or gray stack); it was abandoned, its candidates are suspects again "
                     "and nothing was freed\n");
}

/* A slice of 'elapsed' seconds in the incremental statistics (also a
** trim's, alloc.c). */
void rcgc__count_slice(rcgc_heap *heap, double elapsed) {
  rcgc_incremental_stats *s = &heap->inc_stats;
  s->slices++;
  s->total += elapsed;
  if (elapsed > s->longest_slice)
    s->longest_slice = elapsed;
}

/* A slice before the last: also in its generation's statistics (the last
** slice is counted there by collect.c, as a collection's duration). */
static void slice_event(rcgc_heap *heap, inc_t *in, double elapsed) {
  rcgc__count_slice(heap, elapsed);
  rcgc_gen_stats *g = &heap->stats[in->generation];
  g->total_duration += elapsed;
  if (elapsed > g->max_duration)
    g->max_duration = elapsed;
}

bool rcgc__inc_start(rcgc_heap *heap, int generation, unsigned flags) {
  if (heap->inc != NULL || heap->collecting)
    return false;
  bool full = generation == RCGC_NUM_GENERATIONS - 1;
  /* a backstop's candidates are at most the heap's objects; a suspect
  ** collection's are guessed from the last one's (growing the table is a
  ** step not divided) */
  size_t guess = heap->inc_examined[generation] + heap->inc_examined[generation] / 2;
  bool backstop = full || (flags & COLLECT_BACKSTOP);
  /* paged: the states of pooled candidates in their pages' side arrays, the
  ** table for the rest. Backstops, and every collection of a heap whose
  ** collections free in slices: there a suspect collection may pull in a
  ** million objects, and a table that grows is a step not divided */
  bool paged = backstop || rcgc__inc_divisible(heap);
  if (!table_ready(heap, &heap->inc_tables[paged], paged ? heap->nraw : guess))
    return false;
  inc_t *in = rcgc__raw_alloc(heap, sizeof *in);
  if (in == NULL)
    return false;
  memset(in, 0, sizeof *in);
  in->generation = generation;
  in->flags = flags;
  in->full = full;
  in->paged = paged;
  if (paged)
    side_epoch_next(heap);
  in->phase = PH_INIT;
  heap->inc = in;
  heap->inc_stats.running = 1;
  note_bytes(heap);
  /* the counts and candidates of collect.c's step 0. A full collection's
  ** are entered at first contact, but for the suspects it takes: INIT
  ** enters them, and clears their flag, before SUB can meet one (with the
  ** flag, a decrement would skip the barrier) */
  if (full)
    list_merge(&heap->suspects, INIT_LIST(heap));
  rcgc__take_candidates(heap, generation, flags, !full, full ? SUB_LIST(heap) : INIT_LIST(heap));
  rcgc__schedule(heap); /* automatic points now run its slices (policy.c) */
  return true;
}

/* The work of one slice: units until the deadline ('budget_s' < 0: until
** the estimate is complete). Returns true when the estimate is complete.
** The work stops at SLICE_WORK of the budget: the clock is read after 16
** units (a slice with a budget of 0 runs exactly 16), then every 64 -- a
** read costs about what a unit does, 30 ns here, and every 16 it was 4.5 %
** of binary-trees-cyclic's run -- and after a unit that made or cleared a
** side array (a page of memory to touch), so the last units run past the
** deadline. */
#define SLICE_WORK 0.9
static bool work(rcgc_heap *heap, inc_t *in, double budget_s) {
  step_t st = {.heap = heap, .in = in, .tinfo_limit = (heap->ntypes - 1u) << TI_SHIFT};
  double deadline = in->t_start + SLICE_WORK * budget_s;
  for (unsigned n = 1;; n++) {
    bool more;
    switch (in->phase) {
    case PH_INIT:
      more = step_init(heap, in);
      if (!more && !in->failed)
        in->phase = PH_SUB;
      break;
    case PH_SUB:
      more = step_sub(&st);
      if (!more && !in->failed) {
        in->phase = PH_MARK;
        if (all_garbage(heap, in)) {
          /* nothing can be kept: MARK would only move each to GARBAGE */
          in->all_garbage = true;
          list_merge(MARK_LIST(heap), GARBAGE_LIST(heap));
          begin_release(heap, in);
        }
      }
      break;
    case PH_RELEASE:
      if (!step_release(heap, in))
        return true;
      more = true;
      break;
    default:
      more = step_mark(&st);
      if (!more && !in->failed && rcgc__inc_divisible(heap)) {
        begin_release(heap, in); /* and on: RELEASE is divided */
        break;
      }
      if (!more && !in->failed) {
        /* the estimate is complete. FINISH, which is not divided, runs
        ** in this slice -- unless other work of this slice already took
        ** half of its budget: then it opens the next slice (where the
        ** estimate is found complete at once, so it runs then) */
        if (n > 1 && budget_s >= 0 && rcgc__now() - in->t_start > 0.5 * budget_s)
          return false;
        return true;
      }
      break;
    }
    if (in->failed)
      return false;
    if (budget_s >= 0 && (n == 16 || (n & 63) == 0 || in->cleared)) {
      in->cleared = false;
      if (rcgc__now() >= deadline)
        return false;
    }
  }
}

bool rcgc__inc_slice(rcgc_heap *heap, double budget_s) {
  inc_t *in = heap->inc;
  if (in == NULL || heap->collecting)
    return in != NULL;
  heap->collecting = 1;
  in->t_start = rcgc__now();
  rcgc_collect_info info = {in->generation, 0, 0, 0, 0.0};
  if (in->candidates == 0 && !in->started) {
    in->started = true;
    if (!(in->flags & COLLECT_NO_CALLBACKS))
      rcgc__invoke_callbacks(heap, RCGC_PHASE_START, &info);
    in->t_start = rcgc__now(); /* the callbacks are not the collector's pause */
  }
  bool done = work(heap, in, budget_s);
  if (in->failed) {
    heap->collecting = 0;
    abandon(heap, in);
    rcgc__schedule(heap);
    return false;
  }
  double elapsed = rcgc__now() - in->t_start;
  if (!done) {
    slice_event(heap, in, elapsed);
    info.candidates = (long)in->candidates;
    info.duration = elapsed;
    if (!(in->flags & COLLECT_NO_CALLBACKS))
      rcgc__invoke_callbacks(heap, RCGC_PHASE_SLICE, &info);
    heap->collecting = 0;
    rcgc__debug_check(heap, "a slice of an incremental collection", in->generation);
    return true;
  }
  inc_finish_t fin = {in->candidates, in->live, in->t_start, heap->nbytes, budget_s, 0};
  if (in->phase == PH_RELEASE) {
    /* the garbage is freed: FINISH has an empty list, and reports */
    end_release(heap, in);
    fin = in->fin;
    fin.t_start = in->t_start;
    fin.budget = budget_s;
  }
  /* FINISH: the exact step on the estimate, in this slice */
  int generation = in->generation;
  unsigned flags = in->flags;
  drop_state(heap, in);
  heap->collecting = 0;
  heap->inc_stats.collections++;
  heap->inc_result = rcgc__collect_list(heap, generation, flags | COLLECT_INC_FINISH,
                                        GARBAGE_LIST(heap), &fin);
  return false;
}

/* collect.c, at the end of FINISH, with the collection's statistics (its
** generation's already counted, 'info' as STOP will report it, its
** duration the last slice's): the last slice's event. */
void rcgc__inc_last_slice(rcgc_heap *heap, const inc_finish_t *fin, const rcgc_collect_info *info,
                          bool callbacks) {
  rcgc__count_slice(heap, info->duration);
  rcgc_incremental_stats *s = &heap->inc_stats;
  if (info->collected > s->most_garbage) {
    s->most_garbage = info->collected;
    s->most_garbage_bytes =
        fin->bytes_at_finish > heap->nbytes ? fin->bytes_at_finish - heap->nbytes : 0;
  }
  if (callbacks) {
    rcgc_collect_info si = *info;
    si.collected = 0;
    si.uncollectable = 0;
    rcgc__invoke_callbacks(heap, RCGC_PHASE_SLICE, &si);
  }
}

long rcgc__inc_finish(rcgc_heap *heap) {
  heap->inc_result = 0;
  while (heap->inc != NULL && !heap->collecting)
    if (!rcgc__inc_slice(heap, -1.0))
      break;
  return heap->inc_result;
}

/* Heap destroy, at its end: the tables kept for the next collection (none
** runs: destroy gave it up first, rcgc__inc_abandon). */
void rcgc__inc_release(rcgc_heap *heap) {
  for (int i = 0; i < 2; i++) {
    table_t *tab = &heap->inc_tables[i];
    rcgc__raw_free(heap, tab->slots, tab->cap * sizeof(slot_t));
    tab->slots = NULL;
    tab->cap = 0;
  }
  heap->inc_table = NULL;
}

/* ------------------------------------------------------------ checks */

/* An object RELEASE has still to free (not_doomed says what it must be). */
static long check_doomed(rcgc_heap *heap, head_t *h, void *arg) {
  (void)arg;
  const char *why = not_doomed(heap, h);
  if (why == NULL)
    return 0;
  rcgc__report(heap, "rcgc: check: the object at %p waits to be freed by RELEASE, but %s\n",
               (void *)FROM_HEAD(h), why);
  return 1;
}

/* Debug builds, rcgc_check_heap between slices: every object on SUB (full
** collections: those entered), MARK and GARBAGE has a state, GARBAGE's
** with V_GARB and without V_LIVE, and no object on INIT has one; a state
** is in one place only (its page's side array in a paged collection, for
** a pooled object); the side arrays' bytes are those counted, and there
** are none when no paged collection runs; the lists are empty when no
** collection runs. */
long rcgc__inc_check(rcgc_heap *heap) {
  inc_t *in = heap->inc;
  long bad = 0;
  static const char *const names[INC_NLISTS] = {"INIT", "SUB", "MARK", "GARBAGE"};
  for (int i = 0; i < INC_NLISTS; i++) {
    head_t *l = &heap->inc_lists[i];
    for (head_t *h = next_of(l); h != l; h = next_of(h)) {
      const char *why = NULL;
      if (in == NULL) {
        why = "no incremental collection runs";
      } else {
        uint32_t *v = find(heap, h);
        if (i == 0 && v != NULL)
          why = "it has a state already";
        else if ((i == 2 || i == 3 || (i == 1 && !in->full)) && v == NULL)
          why = "it has no state";
        else if (i == 3 && (*v & (V_GARB | V_LIVE)) != V_GARB && !(*v & V_MOVE))
          why = "its state is not garbage";
        else if (v != NULL && (*v & V_MOVE) && i != 3)
          why = "its state says it waits on GARBAGE";
        else if (i != 3 && v != NULL && (*v & V_GARB))
          why = "its state says garbage";
        else if (v != NULL && !(h->tinfo & TI_INC))
          why = "it has a state but not TI_INC";
        else if (paged(heap, in, h) != NULL && tab_find(heap, h) != NULL)
          why = "its state is in its page's side array and also in the table";
      }
      if (why != NULL) {
        char d[300];
        rcgc__describe(heap, h, d, sizeof d);
        rcgc__report(heap, "rcgc: check: %s is on the incremental collection's %s list, but %s\n",
                     d, names[i], why);
        bad++;
      }
    }
  }
  /* RELEASE: GARBAGE is empty, and what waits has states of garbage */
  if (in != NULL && in->phase == PH_RELEASE) {
    if (!list_empty(GARBAGE_LIST(heap))) {
      rcgc__report(heap, "rcgc: check: the GARBAGE list is not empty while RELEASE runs\n");
      bad++;
    }
    bad += rcgc__inc_each_doomed(heap, check_doomed, NULL);
  }
  /* the side arrays: as many bytes as counted, none of an epoch to come */
  size_t side = 0;
  for (pool_page_t *p = heap->pages; p != NULL; p = p->next) {
    side += p->side != NULL ? page_blocks(p) * sizeof(uint32_t) : 0;
    if (p->side_epoch > heap->side_epoch || (p->side == NULL && p->side_epoch != 0)) {
      rcgc__report(heap,
                   "rcgc: check: pool page %p has side array epoch %u (%s), the heap is at %u\n",
                   (void *)p, p->side_epoch, p->side != NULL ? "an array" : "no array",
                   heap->side_epoch);
      bad++;
    }
  }
  if (side != heap->side_bytes) {
    rcgc__report(heap,
                 "rcgc: check: the pool pages have %zu bytes of incremental side arrays, "
                 "the heap counts %zu\n",
                 side, heap->side_bytes);
    bad++;
  }
  return bad;
}

/* ------------------------------------------------------------ public */

int rcgc_set_pause_budget(rcgc_heap *heap, unsigned budget_us) {
  if (heap == NULL)
    return RCGC_EINVAL;
  if (budget_us > RCGC_PAUSE_BUDGET_MAX)
    return RCGC_ERANGE;
  ENTER(heap, RCGC_ETHREAD);
  heap->pause_budget_us = budget_us;
  LEAVE(heap);
  return RCGC_OK;
}

unsigned rcgc_get_pause_budget(rcgc_heap *heap) {
  RETURN_CLAIMED(unsigned, heap, 0, 0, heap->pause_budget_us);
}

int rcgc_collect_step(rcgc_heap *heap, unsigned budget_us) {
  if (heap == NULL || budget_us == 0)
    return RCGC_EINVAL;
  if (budget_us > RCGC_PAUSE_BUDGET_MAX)
    return RCGC_ERANGE;
  ENTER(heap, RCGC_ETHREAD);
  int r;
  if (heap->collecting || heap->in_traverse || heap->in_user || heap->destroying) {
    r = RCGC_EBUSY;
  } else if (heap->trim_phase != 0 && heap->inc == NULL) {
    r = rcgc__trim_slice(heap, budget_us * 1e-6) ? 1 : 0; /* a trim in slices (alloc.c) */
  } else if (heap->policy != RCGC_POLICY_SUSPECTS) {
    r = 0;
  } else {
    if (heap->inc == NULL)
      rcgc__start_due(heap);
    if (heap->inc != NULL) {
      r = rcgc__inc_slice(heap, budget_us * 1e-6) ? 1 : 0;
    } else if (heap->trim_pending) { /* idle time returns empty pages */
      rcgc__trim_start(heap);
      r = rcgc__trim_slice(heap, budget_us * 1e-6) ? 1 : 0;
    } else {
      r = 0;
    }
  }
  LEAVE(heap);
  return r;
}

int rcgc_get_incremental_stats(rcgc_heap *heap, rcgc_incremental_stats *out) {
  if (heap == NULL || out == NULL)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  *out = heap->inc_stats;
  LEAVE(heap);
  return RCGC_OK;
}
