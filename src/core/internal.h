/*
** internal.h -- the model of an rcgc heap, shared by every file in src/core and src/leak.
**
** ---------------------------------------------------------------- objects
** Memory of one object (64-bit):
**
**   [prefix 16 B, optional][rcgc_head_ 24 B][user data, type->size or more]
**                                            ^ the pointer users hold
**
** The prefix {uint64 serial; rcgc_heap *heap} exists when the heap records
** serials (RCGC_CONFIG_SERIALS) or the library is a debug build; heap->pre is
** its size (0 or 16) for every object of the heap.
**
** rcgc_head_ (rcgc.h):
**   gc_next  uintptr_t  next object on the object's list (N1); every other
**                       value it takes is listed under "the link words"
**                       below (N1-N4).
**   gc_prev  uintptr_t  previous object on the list (P1); the collector, the
**                       checker and the leak tools keep other values in it
**                       while they run, and a freed block keeps others
**                       (P2-P7, "the link words" below).
**   refcnt   uint32_t   strong references. 0 only for an object being freed
**                       (on the zero stack) or freed (poisoned).
**   tinfo    uint32_t   bits 10..31: type id (index into heap->types);
**                       TYPE_POISON for a freed block. bits 0..9: TI_* flags.
**
** ---------------------------------------------------------------- lists
** INVARIANT L1: every live object with refcnt > 0 is on exactly one circular
** doubly linked list with a sentinel head:
**   gens[0], gens[1], gens[2]  tracked objects, by generation
**   permanent                  tracked objects frozen by rcgc_freeze
**   suspects                   tracked objects whose count was decremented
**                              to a non-zero value since they were last
**                              examined (the suspects policy, policy.c)
**   untracked                  objects of types without traverse, and
**                              objects untracked by rcgc_untrack (TI_UNTRACKED)
**   a collection's local lists (young, unreachable, finalizers, ...) while a
**                              collection runs.
** INVARIANT L2: outside a collection no object has PREV_COLLECTING or
** NEXT_UNREACHABLE set; gc_prev and gc_next are plain pointers.
** INVARIANT L3: an object whose refcnt reached 0 is unlinked at once and
** pushed on the heap's zero stack (linked through gc_next); it is on no list.
** If a finalizer resurrects it, it is linked again into gens[0] (or the
** untracked list).
** INVARIANT L3b: TI_UNTRACKED <=> on the untracked list (or on the zero
** stack having been there); TI_FROZEN <=> on the permanent list. So outside
** a collection the candidates of a full collection are exactly the objects
** with neither flag, which lets collect.c fuse two passes.
** INVARIANT S1 (suspects policy): TI_SUSPECT <=> on the suspects list.
** INVARIANT S2 (CPython policy): every tracked object has TI_SUSPECT and the
** suspects list is empty -- the flag then only keeps rcgc_decref's inline
** path from calling rcgc_suspect_ (RCGC_TI_QUIET_ in rcgc.h).
** INVARIANT L4: refcnt >= the number of references to it that traverse
** functions of objects on the heap's lists report (checked per collection:
** a violation is "refcount is too small").
** INVARIANTS W1-W3 (the weak reference table, weakref.c): TI_WEAKREFD <=>
** the table has a non-empty entry for the object; every weak reference on
** an entry's list points at its key; the table is at most half full.
** INVARIANT X1 (expect-freed watches, leak.c): TI_WATCHED <=> a watch
** names the object.
** rcgc_check_heap (debug.c) checks every invariant above that holds outside
** a collection.
**
** Unlinking never needs to know which list an object is on, so an object can
** die by refcount (and unlink itself) while it sits on any list, including a
** collection's local lists: that is what lets finalizers drop references
** during a collection.
**
** ---------------------------------------------------------------- freeing
** Objects are freed by an explicit loop over the zero stack, never by
** recursion: releasing a dying object's references only pushes the children
** that reach 0 (obj.c). The collector frees its garbage through the same
** stack.
*/
#ifndef RCGC_INTERNAL_H
#define RCGC_INTERNAL_H

#include "rcgc.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

typedef rcgc_head_ head_t;

/* A hint that 'a' will be read soon (no effect where the compiler has none). */
#if defined(__GNUC__) || defined(__clang__)
#define PREFETCH(a) __builtin_prefetch(a)
#else
#define PREFETCH(a) ((void)(a))
#endif

/* ------------------------------------------------------------ head bits */
#define NEXT_UNREACHABLE ((uintptr_t)1)
#define PREV_COLLECTING ((uintptr_t)1)
#define PREV_OUTSIDE ((uintptr_t)2) /* in a collection: references a non-candidate */
#define PREV_FLAGS ((uintptr_t)3)
#define PREV_SHIFT 2

#define TI_FINALIZED 0x01u /* modern finalizer has run (persistent) */
#define TI_WEAKREFD 0x02u  /* heap->weakrefs has an entry for it */
#define TI_UNTRACKED 0x04u /* on the untracked list */
#define TI_WATCHED 0x08u   /* an expect-freed watch names it */
#define TI_RELEASE 0x10u   /* garbage_release(LEGACY): legacy fin. as modern */
#define TI_LEGACY_RAN 0x20u /* legacy finalizer ran in a forced release */
#define TI_SIZED 0x40u     /* variable-sized: a size word precedes the prefix */
#define TI_FROZEN 0x80u    /* on the permanent list (rcgc_freeze) */
#define TI_SUSPECT 0x100u  /* on the suspects list (INVARIANTS S1, S2) */
#define TI_INC 0x200u      /* may have a state in the running incremental
                              collection's table (incremental.c): set when
                              it is entered; an object without it has none */
#define TI_FLAGS 0x3ffu
#define TI_SHIFT 10
#define TYPE_POISON 0x3fffffu /* type id of a freed block */

/* rcgc_decref's inline path skips rcgc_suspect_ for these flags. */
_Static_assert(RCGC_TI_QUIET_ == (TI_UNTRACKED | TI_FROZEN | TI_SUSPECT),
               "RCGC_TI_QUIET_ in rcgc.h must match the TI_* flags");
_Static_assert(RCGC_TI_INC_ == TI_INC, "RCGC_TI_INC_ in rcgc.h must match TI_INC");

#define FROM_HEAD(h) ((void *)((head_t *)(h) + 1))
/* The header of an object; AS_CHEAD for a const object (no const is cast
** away: AS_HEAD takes a void *, so a const pointer does not compile). */
static inline head_t *as_head_(void *o) { return (head_t *)o - 1; }
static inline const head_t *as_chead_(const void *o) { return (const head_t *)o - 1; }
#define AS_HEAD(o) as_head_(o)
#define AS_CHEAD(o) as_chead_(o)

static inline head_t *next_of(const head_t *h) {
  return (head_t *)(h->gc_next & ~NEXT_UNREACHABLE);
}
static inline head_t *prev_of(const head_t *h) {
  return (head_t *)(h->gc_prev & ~PREV_FLAGS);
}
static inline uint32_t type_id_of(const head_t *h) { return h->tinfo >> TI_SHIFT; }

/* ------------------------------------------------------------ the link words
** Every value gc_prev and gc_next take, and who writes it. Each meaning is
** used only between the points named, so the values never meet.
**
** gc_prev
**   P1 between calls: the previous object on the object's list, a plain
**      aligned pointer (bits 0..1 clear, INVARIANT L2) -- prev_of(); 0 for
**      an object on no list (its count reached 0: the zero stack).
**   P2 a candidate of a running collection (collect.c): gc_refs (its
**      refcount minus the references found inside the candidate set) << 2
**      | PREV_COLLECTING, and bit 1 PREV_OUTSIDE once subtract_refs found
**      it references a non-candidate -- gc_refs(), set_gc_refs(),
**      gc_refs_dec(), is_collecting(). The candidates' list is then walked through gc_next
**      only, and P1 is rebuilt (collect.c's restore pass) before the
**      collection returns. (An automatic suspect collection sets P2 at a
**      candidate's first contact; until then the suspect keeps P1:
**      collect.c, subtract_closure.)
**   P3 on one of a running collection's other lists (the uncollectable, the
**      weak references whose callbacks are queued): prev pointer |
**      PREV_LOCAL (bit 1 alone) -- mark_local(); cleared when the object
**      goes back to a generation.
**   P4 inside rcgc_check_heap (debug.c): the count of P2 with
**      PREV_COLLECTING, bit 1 CHECK_TOO_SMALL once the count would go below
**      zero; P1 is rebuilt before it returns.
**   P5 inside a leak-hunting call (src/leak/leak_graph.c): bits 0..1 "10"
**      (PREV_MARK, a value no P1 pointer has) and above them the object's
**      index in a picture, a count of references found, or a search state
**      (queue position and a candidate bit) -- see leak_graph.c; P1 is
**      rebuilt before the call returns.
**   P6 a block in the quarantine of checking builds (alloc.c): the block's
**      size (gc_next holds its lead), so that it can be released later.
**   P7 a block without lead on its pool's free list (N3): the block's
**      second word, so its own address inverted (mark_free, INVARIANT F1,
**      64-bit targets).
** gc_next
**   N1 the next object on the object's list -- next_of(); during a
**      collection bit 0 NEXT_UNREACHABLE marks the tentatively unreachable
**      list; 0 once list_remove took the object off its list.
**   N2 on the zero stack (obj.c): the object below, with bit 0
**      ZERO_RELEASED (obj.c) on an object that waits beneath the children
**      its release pushed.
**   N3 a freed block on its pool's free list (alloc.c, obj.c, collect.c):
**      a block's first word links the free list, so for a block without
**      lead gc_next is the next free block.
**   N4 a block in the quarantine (P6): its lead.
** A freed block's tinfo is TYPE_POISON << TI_SHIFT and its refcnt 0.
*/
static inline uintptr_t gc_refs(const head_t *h) { return h->gc_prev >> PREV_SHIFT; }
static inline void set_gc_refs(head_t *h, uintptr_t refs) {
  h->gc_prev = (refs << PREV_SHIFT) | PREV_COLLECTING;
}
static inline void gc_refs_dec(head_t *h) { h->gc_prev -= (uintptr_t)1 << PREV_SHIFT; }
static inline bool is_collecting(const head_t *h) { return (h->gc_prev & PREV_COLLECTING) != 0; }
#define PREV_LOCAL PREV_OUTSIDE /* P3: bit 1 without PREV_COLLECTING */
static inline void mark_local(head_t *h) { h->gc_prev = (h->gc_prev & ~PREV_FLAGS) | PREV_LOCAL; }
#define CHECK_TOO_SMALL PREV_OUTSIDE /* P4 */
#define PREV_MARK ((uintptr_t)2)     /* P5: bits 0..1 of every leak-tool value */

/* ------------------------------------------------------------ lists */
static inline void list_init(head_t *l) {
  l->gc_next = (uintptr_t)l;
  l->gc_prev = (uintptr_t)l;
}
static inline bool list_empty(const head_t *l) { return next_of(l) == l; }
/* Append 'h' at the tail of 'l' (flags in h->gc_prev are kept). */
static inline void list_append(head_t *h, head_t *l) {
  head_t *last = prev_of(l);
  last->gc_next = (uintptr_t)h;
  h->gc_prev = (uintptr_t)last | (h->gc_prev & PREV_FLAGS);
  h->gc_next = (uintptr_t)l;
  l->gc_prev = (uintptr_t)h;
}
/* Unlink 'h' from whatever list it is on (flags of neighbours kept). */
static inline void list_remove(head_t *h) {
  head_t *prev = prev_of(h), *next = next_of(h);
  prev->gc_next = (prev->gc_next & NEXT_UNREACHABLE) | (uintptr_t)next;
  next->gc_prev = (next->gc_prev & PREV_FLAGS) | (uintptr_t)prev;
  h->gc_next = 0;
}
static inline void list_move(head_t *h, head_t *to) {
  list_remove(h);
  list_append(h, to);
}
/* list_move for an object on a plain list (no flag in its links or its
** neighbours' -- a generation's, the suspects', the untracked list, L2) to
** a plain list: no flag to keep, no mask. */
static inline void list_move_plain(head_t *h, head_t *to) {
  head_t *prev = (head_t *)h->gc_prev, *next = (head_t *)h->gc_next;
  prev->gc_next = (uintptr_t)next;
  next->gc_prev = (uintptr_t)prev;
  head_t *last = (head_t *)to->gc_prev;
  last->gc_next = (uintptr_t)h;
  h->gc_prev = (uintptr_t)last;
  h->gc_next = (uintptr_t)to;
  to->gc_prev = (uintptr_t)h;
}
/* Move all of 'from' to the tail of 'to'; 'from' becomes empty. */
static inline void list_merge(head_t *from, head_t *to) {
  if (!list_empty(from)) {
    head_t *to_tail = prev_of(to), *first = next_of(from), *last = prev_of(from);
    to_tail->gc_next = (uintptr_t)first;
    first->gc_prev = (uintptr_t)to_tail | (first->gc_prev & PREV_FLAGS);
    last->gc_next = (uintptr_t)to;
    to->gc_prev = (uintptr_t)last;
    list_init(from);
  }
}
static inline size_t list_size(const head_t *l) {
  size_t n = 0;
  for (const head_t *h = next_of(l); h != l; h = next_of(h))
    n++;
  return n;
}

/* ------------------------------------------------------------ heap */
typedef struct gen_t {
  head_t head;
  long threshold;
  long count;
} gen_t;

typedef struct callback_t {
  rcgc_callback_fn fn;
  void *ud;
} callback_t;

/* The lists of an incremental collection (incremental.c): INIT, SUB, MARK
** and GARBAGE, in heap->inc_lists. */
#define INC_NLISTS 4

/* Size-class pools (alloc.c). */
#define POOL_GRANULE 8
#define POOL_MAX_BLOCK 512
#define POOL_CLASSES (POOL_MAX_BLOCK / POOL_GRANULE)
#define POOL_PAGE_SIZE (64 * 1024)

/* INVARIANT F1 (64-bit targets): a pooled block on a free list holds, in
** its second word, its own address inverted (mark_free); no word at that
** place of a live block can equal it -- it is a list link, a pointer, a
** size, a serial or gc_refs, all below 2^63, while an inverted user-space
** address is above. rcgc__pools_trim reads pages in memory order and tells
** free blocks by the mark. Every push on a free list marks; every block
** handed out has that word overwritten (rcgc_new's header, or
** rcgc__block_alloc clears it). */
static inline void mark_free(void *block) { ((uintptr_t *)block)[1] = ~(uintptr_t)block; }
static inline bool free_marked(const void *block) {
  return ((const uintptr_t *)block)[1] == ~(uintptr_t)block;
}

typedef struct pool_page_t {
  struct pool_page_t *next;
  uint32_t *side;  /* incremental backstops' state words, one per block
                   ** (incremental.c); NULL until a backstop needs it */
  uint32_t side_epoch; /* the backstop whose states 'side' holds (0: none) */
  uint32_t cls;    /* the size class whose blocks the page holds */
  uint32_t nfree;  /* scratch of rcgc__pools_trim: free blocks counted */
  uint32_t magic;  /* ceil(2^32 / block size): see page_block_index */
} pool_page_t;
_Static_assert(sizeof(void *) != 8 || sizeof(pool_page_t) == 32, "a page header is 32 bytes");

/* The first block of a page starts after its header, 16-byte aligned. */
static inline char *page_start(const pool_page_t *page) {
  return (char *)page + ((sizeof(pool_page_t) + 15) & ~(size_t)15);
}

/* The size of a page's blocks (its class's). */
static inline size_t page_block_size(const pool_page_t *page) {
  return ((size_t)page->cls + 1) * POOL_GRANULE;
}

/* How many blocks of its class a page holds. */
static inline size_t page_blocks(const pool_page_t *page) {
  size_t usable = POOL_PAGE_SIZE - (size_t)(page_start(page) - (const char *)page);
  return usable / page_block_size(page);
}

/* The index in its page of the block that holds address 'a' (a block's
** head is inside its block: its lead is smaller than the block). A
** multiplication instead of a division, exact because an offset is below
** 2^16 and a block size below 2^10: offset * magic / 2^32 exceeds
** offset / size by less than offset * size / 2^32 / size, which is less
** than the gap to the next integer, 1 / size. */
static inline uint32_t page_block_index(const pool_page_t *page, const void *a) {
  uint64_t off = (uint64_t)((const char *)a - page_start(page));
  return (uint32_t)((off * page->magic) >> 32);
}

/* The page map (alloc.c): from an address to the pool page that holds it.
** Pages are not aligned (the allocator hook gives what it gives), so a page
** covers parts of two 64 KiB windows of the address space (one when it is
** aligned), and a window meets at most two pages. An entry names a window
** (its number + 1; 0 is an empty entry) and the pages that meet it; a
** window all of whose pages went back keeps its entry, with no page, until
** the map is rebuilt. Open addressing, linear probing, entries (with or
** without pages) at most half of the slots.
** INVARIANT PM: every page on heap->pages is named by the entries of the
** windows of its first and last byte, and no entry names a page that is not
** on heap->pages (rcgc__pagemap_check; debug builds' rcgc_check_heap). */
#define PAGE_WINDOW_SHIFT 16
typedef struct page_win_t {
  uintptr_t win;
  struct pool_page_t *pg[2];
} page_win_t;
_Static_assert(POOL_PAGE_SIZE == (1 << PAGE_WINDOW_SHIFT), "a page is one window long");

static inline size_t page_win_hash(uintptr_t win, size_t cap) {
  return (size_t)(((uint64_t)win * 0x9e3779b97f4a7c15ull) >> 32) & (cap - 1);
}

/* Per type id, what the allocation and free fast paths need without
** reading the type (obj.c, collect.c). 'pool' is 1 + the size class of a
** fixed-size object's block when that block is pooled and the heap records
** no prefix -- the only blocks the fast paths handle -- and 0 otherwise;
** 'plain' is set when the type has no finalize, legacy_finalize or destroy
** function, so a dying object of it runs no user code; 'fast' when both
** hold (plain, and pool != 0); 'traverse' is the type's. */
typedef struct type_desc_t {
  uint32_t bsize; /* block size of a fixed-size object; 0: none fits 32 bits */
  uint16_t pool;
  uint8_t plain;
  uint8_t fast;
  rcgc_traverse_fn traverse;
} type_desc_t;

/* One entry of the direct-mapped type cache in front of the type table
** (obj.c): the type and a copy of what rcgc_new's fast path needs, in 32
** bytes. 'tinfo' is the new object's tinfo word without the policy's fresh
** bits: its id (tinfo >> TI_SHIFT), and TI_UNTRACKED for an untracked
** type, which takes none of heap->fresh_bits (so a policy change needs no
** flush); 'pc' is NULL when the fast paths do not handle its blocks
** (type_desc_t's pool is 0). */
typedef struct tcache_t {
  const rcgc_type *type;
  struct pool_class_t *pc;
  struct rcgc_head_ *list; /* the list a new object joins: gens[0] or untracked */
  uint32_t bsize;
  uint32_t tinfo;
} tcache_t;
_Static_assert(sizeof(void *) != 8 || sizeof(tcache_t) == 32, "a tcache entry is 32 bytes");

typedef struct pool_class_t {
  void *free;          /* free blocks, linked through their first word */
  char *bump, *limit;  /* unused tail of the newest page of this class */
} pool_class_t;

/* Weak reference data (the user part of an rcgc_weakref_type object). */
struct rcgc_weakref {
  void *referent;            /* NULL once cleared */
  struct rcgc_weakref *next; /* other weak references to the same referent */
  struct rcgc_weakref *prev;
  rcgc_weakref_fn callback;
  void *ud;
};

typedef struct wr_slot_t {
  const void *key;           /* referent; NULL = empty slot */
  struct rcgc_weakref *list; /* first weak reference to it */
} wr_slot_t;

struct leak_state_t; /* leak.c */

/* Objects the library holds a temporary reference to while user code runs
** on them (finalizers; heap->held). If user code drops that reference
** itself (a misuse), rcgc__on_refcount_zero sees the object there and
** reports instead of freeing it under the caller's feet. */
#define RCGC_MAX_HELD 16

struct rcgc_heap {
  rcgc_config cfg;
  size_t pre; /* prefix bytes before each head: 0 or 16 */

  /* collector state (collect.c) */
  gen_t gens[RCGC_NUM_GENERATIONS];
  head_t permanent;
  head_t untracked;
  head_t suspects;
  /* an incremental collection (incremental.c): its four lists, in phase
  ** order (INC_INIT, INC_SUB, INC_MARK, INC_GARBAGE there), all empty when
  ** none runs; its state, NULL when none runs */
  head_t inc_lists[INC_NLISTS];
  struct inc_t *inc;
  /* the object tables of incremental collections (incremental.c), kept
  ** from one collection to the next: [0] suspect collections', [1]
  ** backstops' (sized for the whole heap); inc_table is the running one's */
  struct inc_table_t {
    struct inc_slot_t *slots;
    size_t cap;      /* slots, a power of two */
    uint32_t epoch;  /* the running (or last) collection's */
  } inc_tables[2], *inc_table;
  long inc_result; /* what the last step of the last one found */
  double inc_slice_end, inc_slice_len; /* the last automatic slice (policy.c) */
  double stw_per_candidate;  /* seconds, the last stop-the-world automatic
                             ** collection's (policy.c, stop_the_world) */
  unsigned pause_budget_us; /* 0: stop-the-world automatic collections */
  size_t inc_examined[RCGC_NUM_GENERATIONS]; /* candidates of the last
                                             ** collection of each generation
                                             ** (collect.c): the next
                                             ** incremental one's table
                                             ** starts that big */
  rcgc_incremental_stats inc_stats;
  int enabled;
  int collecting;
  unsigned debug;
  long long_lived_total;
  long long_lived_pending;
  rcgc_gen_stats stats[RCGC_NUM_GENERATIONS];
  int auto_pending; /* threshold passed while collection was not allowed */

  /* automatic collection schedule (policy.c) */
  int policy;          /* RCGC_POLICY_* */
  uint32_t fresh_bits; /* TI_SUSPECT under the CPython policy, else 0 */
  long count_limit;    /* rcgc_new takes the slow path when count0 exceeds it */
  long long budget;    /* bytes rcgc_new may allocate before the slow path */
  long long budget_set;       /* the budget when it was last set */
  unsigned long long allocated; /* bytes allocated, up to the last budget reset */
  unsigned long long full_mark; /* 'allocated' at the last backstop */
  unsigned long long collect_mark; /* 'allocated' at the end of the last collection */
  unsigned long long full_every;    /* bytes between backstops */
  int young_backstops; /* backstops since the last full collection */
  unsigned long long suspect_every; /* bytes between suspect collections */

  /* re-entrancy and safety */
  head_t *held[RCGC_MAX_HELD];
  int nheld;
  int in_traverse;  /* >0 while the library runs a user traverse */
  int in_user;      /* >0 while any other user callback runs */
  int in_hook;      /* >0 while the allocator hook runs (alloc.c) */
  int destroying;   /* heap destroy runs; DESTROY_NO_ALLOC: its last round */
  _Atomic long misuse; /* updated atomically: a second thread may report */

  /* callbacks */
  callback_t *callbacks;
  size_t ncallbacks, cap_callbacks;
  int callbacks_running;

  /* garbage list */
  void **garbage;
  size_t ngarbage, cap_garbage;

  /* type table: id -> type; id 0 unused */
  const rcgc_type **types;
  type_desc_t *tdesc; /* id -> what the fast paths need of the type (obj.c) */
  uint32_t ntypes, cap_types, cap_tdesc;
  tcache_t tcache[16]; /* direct-mapped type -> id cache (obj.c) */
  uint32_t *type_hash; /* type -> id behind the cache: open addressing,
                       ** linear probing, ids (0 = empty), used <= cap / 2 */
  uint32_t type_hash_cap;
  bool some_type_has_finalizer; /* some registered type has finalize or legacy_finalize */
  bool some_type_has_legacy; /* some registered type has legacy_finalize */
  bool order_visible;  /* some registered type has a finalizer or destroy:
                          user code can see the order objects die in (obj.c) */

  /* freeing (obj.c) */
  head_t *zero_stack;
  int draining;     /* 0, DRAIN_LOOP (obj.c) or DRAIN_PASS (collect.c) */
  int drain_user;   /* in_user when the innermost drain loop started */
  int drain_depth;  /* drain loops nested inside user code (obj.c) */
#ifdef RCGC_STRESS
  unsigned long stress_decrefs;
#endif

  /* allocation (alloc.c) */
  pool_class_t classes[POOL_CLASSES];
  pool_page_t *pages;
  size_t npages;
  struct {
    page_win_t *e;
    size_t cap, used; /* slots (a power of two, or 0); entries */
  } pagemap;
  size_t nraw; /* blocks of their own, not pooled (rcgc__block_alloc) */
  size_t side_bytes;   /* of the pages' side arrays (incremental.c) */
  uint32_t side_epoch; /* the running or last paged backstop's */
  size_t trim_at; /* rcgc__pools_maybe_trim: free pool bytes that start a trim */
  size_t trim_scans; /* trims run (the tests read it) */
  size_t trim_jobs;   /* trims run in slices (alloc.c) */
  bool trim_pending;  /* a trim was over its allowance: rcgc_collect_step
                         runs it in slices (alloc.c) */
  double trim_page_cost; /* seconds per page the last trim took; 0: none ran */
  /* a trim in slices (alloc.c, rcgc__trim_slice): its phase (0: none
  ** runs), the class it works on, the free blocks it took off the classes'
  ** lists still to count (trim_d) and counted (trim_e), its reserve and its
  ** place in the page list */
  int trim_phase;
  unsigned trim_cls;
  void *trim_d[POOL_CLASSES], *trim_e[POOL_CLASSES];
  size_t trim_keep, trim_kept, trim_released;
  pool_page_t **trim_cursor;
  size_t nobjects;
  size_t nbytes;
  uint64_t serial;

  /* weak references (weakref.c): open addressing, linear probing */
  wr_slot_t *wr_slots;
  size_t wr_cap, wr_used;

  /* leak hunting (leak.c) */
  struct leak_state_t *leak;

  /* (cold, last: the fields above keep the offsets the fast paths were
  ** tuned with) an automatic suspect collection of a heap that frees in slices
  ** (rcgc__inc_divisible) runs stop-the-world until its closure passes
  ** closure_limit candidates (0: no limit) or the time closure_deadline
  ** (rcgc__now); then it gives up, its candidates suspects again
  ** (closure_over), for an incremental one (policy.c) */
  size_t closure_limit;
  double closure_deadline;
  /* such a closure's end (rcgc__now), and the share of its collection's
  ** pause the closure took, in the last one that completed with at least
  ** CLOSURE_SHARE_MIN candidates (0: none yet) */
  double closure_end, closure_share;
  bool closure_over;
  bool beside_waits; /* one gave up beside a backstop: none until it ends */
  /* the last automatic suspect collection that tried a closure gave up,
  ** and no incremental one since examined fewer candidates than it had
  ** taken: the next starts in slices without a closure first, but for one
  ** in SLICE_PROBE (policy.c, stop_the_world) */
  bool slice_suspects;
  size_t closure_gave_up_at; /* the candidates of the last closure that gave up */
  unsigned sliced_in_a_row;  /* suspect collections started in slices since */

#ifdef RCGC_CHECKS
  /* thread detection (debug.c) */
  _Atomic uintptr_t owner;
  int owner_depth;
  /* quarantine of freed blocks (alloc.c) */
  void **quarantine;
  size_t quarantine_pos;
  /* the process-wide list of live heaps (debug.c) */
  struct rcgc_heap *reg_next, *reg_prev;
#endif
};

#define RCGC_QUARANTINE 4096

/* heap->destroying: 1 while rcgc_heap_destroy runs; DESTROY_NO_ALLOC during
** the last of the DESTROY_ROUNDS rounds of one of its phases, when rcgc_new
** is refused so that the phase ends with nothing left unfinalized or
** unfreed (heap.c). */
#define DESTROY_NO_ALLOC 2
#define DESTROY_ROUNDS 16

/* Prefix of an object (valid only when heap->pre != 0). */
typedef struct prefix_t {
  uint64_t serial;
  rcgc_heap *heap;
} prefix_t;

static inline const prefix_t *prefix_of(const head_t *h) {
  return (const prefix_t *)(const void *)h - 1;
}
static inline prefix_t *prefix_of_mut(head_t *h) { return (prefix_t *)(void *)h - 1; }

static inline const rcgc_type *type_of(const rcgc_heap *heap, const head_t *h) {
  return heap->types[type_id_of(h)];
}

/* ------------------------------------------------------------ block sizes */
/* An object's block, and the one place its size is computed:
**
**   [size word, if TI_SIZED][prefix, heap->pre bytes][head][data, rounded to 8]
**   \______________ lead _______________/
**
** The data is type->size bytes, or what the size word says for an object
** rcgc_new_sized made bigger than its type. */
static inline size_t round8(size_t n) { return (n + 7) & ~(size_t)7; }
/* Bytes of a block whose lead is 'lead' and whose data is 'data' bytes. */
static inline size_t block_bytes(size_t lead, size_t data) {
  return lead + sizeof(head_t) + round8(data);
}
/* The size word of a TI_SIZED object. */
static inline size_t *object_size_word(const rcgc_heap *heap, head_t *h) {
  return (size_t *)(void *)((char *)h - heap->pre) - 1;
}
static inline size_t object_data_size(const rcgc_heap *heap, const head_t *h) {
  if (h->tinfo & TI_SIZED)
    return *((const size_t *)(const void *)((const char *)h - heap->pre) - 1);
  return type_of(heap, h)->size;
}
static inline size_t object_lead(const rcgc_heap *heap, const head_t *h) {
  return heap->pre + ((h->tinfo & TI_SIZED) ? sizeof(size_t) : 0);
}
static inline size_t object_block_size(const rcgc_heap *heap, const head_t *h) {
  return block_bytes(object_lead(heap, h), object_data_size(heap, h));
}

/* ------------------------------------------------------------ internal API */
/* alloc.c */
void *rcgc__raw_alloc(rcgc_heap *heap, size_t size);
void rcgc__raw_free(rcgc_heap *heap, void *p, size_t size);
void *rcgc__raw_calloc(rcgc_heap *heap, size_t size);
void *rcgc__raw_realloc(rcgc_heap *heap, void *p, size_t old, size_t size);
head_t *rcgc__block_alloc(rcgc_heap *heap, size_t block_size, size_t lead);
void rcgc__block_retire(rcgc_heap *heap, head_t *h, size_t lead, size_t block_size);
void rcgc__pools_release(rcgc_heap *heap);
size_t rcgc__pools_trim(rcgc_heap *heap);
void rcgc__pools_maybe_trim(rcgc_heap *heap, size_t bytes_at_start, double allowance);
bool rcgc__trim_slice(rcgc_heap *heap, double budget_s); /* true: still running */
void rcgc__trim_start(rcgc_heap *heap); /* the pending trim, in slices */
void rcgc__quarantine_flush(rcgc_heap *heap);
long rcgc__pagemap_check(rcgc_heap *heap); /* INVARIANT PM; reports, counts */

/* The pool page that holds address 'a', or NULL when no pool page does (a
** block of its own, or no block of the heap). */
static inline pool_page_t *rcgc__page_of(const rcgc_heap *heap, const void *a) {
  const page_win_t *e = heap->pagemap.e;
  if (e == NULL)
    return NULL;
  uintptr_t w = ((uintptr_t)a >> PAGE_WINDOW_SHIFT) + 1;
  size_t mask = heap->pagemap.cap - 1;
  for (size_t i = page_win_hash(w, heap->pagemap.cap);; i = (i + 1) & mask) {
    if (e[i].win == w) {
      for (int k = 0; k < 2; k++) {
        pool_page_t *p = e[i].pg[k];
        if (p != NULL && (uintptr_t)a - (uintptr_t)p < POOL_PAGE_SIZE)
          return p;
      }
      return NULL;
    }
    if (e[i].win == 0)
      return NULL;
  }
}

/* obj.c */
uint32_t rcgc__type_id(rcgc_heap *heap, const rcgc_type *t);
void rcgc__on_refcount_zero(rcgc_heap *heap, head_t *h);      /* refcnt reached 0 */
void rcgc__drain(rcgc_heap *heap);                /* free the zero stack */
void rcgc__drain_to(rcgc_heap *heap, head_t *base); /* free what is above 'base' */
/* Freeing a dead object, one layer per call, each calling the next:
**   rcgc__object_free         destroy (rcgc__destroy_object), then
**   rcgc__object_memory_free  uncount the object and, for a pooled fixed
**                             size block in a release build, push it on its
**                             free list at once; otherwise
**   rcgc__block_retire        (alloc.c) poison the header, park the block in
**                             the debug quarantine or hand it to
**   block_put                 (alloc.c) onto its class's free list, marked
**                             free, or back to the raw layer (the hook). */
void rcgc__object_free(rcgc_heap *heap, head_t *h);
void rcgc__destroy_object(rcgc_heap *heap, head_t *h);
void rcgc__object_memory_free(rcgc_heap *heap, head_t *h);

/* collect.c */
long rcgc__collect(rcgc_heap *heap, int generation, unsigned flags); /* COLLECT_* */
#define COLLECT_NO_SAVEALL 1u   /* ignore DEBUG_SAVEALL (destroy, release) */
#define COLLECT_NO_CALLBACKS 2u /* no start/stop callbacks (heap destroy) */
#define COLLECT_SUSPECTS 4u     /* only the suspects and what they reach
                                   (reported as generation 0) */
#define COLLECT_BACKSTOP 8u     /* an automatic backstop (policy.c) */
/* the fewest candidates a completed closure must have had for its share
** of the pause to count (heap->closure_share): below, fixed costs weigh */
#define CLOSURE_SHARE_MIN 1024
/* after a give-up, suspect collections start in slices; one in
** SLICE_PROBE tries a closure first all the same (policy.c) */
#define SLICE_PROBE 16
#define COLLECT_INC_FINISH 16u  /* the last step of an incremental collection:
                                   the candidates are its garbage list
                                   (incremental.c) */
/* What an incremental collection hands its last step (incremental.c). */
typedef struct inc_finish_t {
  size_t examined;  /* candidates of the whole collection */
  size_t live;      /* of them, sent to the old generation by the slices */
  double t_start;   /* when the last slice began */
  size_t bytes_at_finish; /* heap->nbytes when the last step began */
  double budget;    /* seconds, the last slice's (< 0: none) */
  long released;    /* garbage the slices freed themselves (strict stores:
                       incremental.c); the list collection adds it */
} inc_finish_t;
long rcgc__collect_list(rcgc_heap *heap, int generation, unsigned flags, head_t *candidates,
                        const inc_finish_t *fin);
void rcgc__invoke_callbacks(rcgc_heap *heap, rcgc_phase phase, const rcgc_collect_info *info);
void rcgc__debug_check(rcgc_heap *heap, const char *what, int generation); /* DEBUG_CHECK */
void rcgc__take_candidates(rcgc_heap *heap, int generation, unsigned flags, bool closure,
                           head_t *into); /* step 0 */
/* Prove 'list' garbage as a collection's step 1 would, changing nothing
** else: the objects that are not garbage move to 'kept' (plain links); the
** rest stay on 'list', plain. False when the proof failed (reported):
** everything is on 'kept'. */
bool rcgc__prove_list(rcgc_heap *heap, head_t *list, head_t *kept);

/* incremental.c */
bool rcgc__inc_start(rcgc_heap *heap, int generation, unsigned flags);
bool rcgc__inc_slice(rcgc_heap *heap, double budget_s); /* true: still running */
/* Run what is left now, unbudgeted; returns what its last step found
** (collected + uncollectable), 0 when it was abandoned. */
long rcgc__inc_finish(rcgc_heap *heap);
void rcgc__inc_forget(rcgc_heap *heap, head_t *h); /* 'h' dies or is untracked */
void rcgc__inc_barrier(rcgc_heap *heap, head_t *h); /* 'h' was decremented */
void rcgc__inc_incref(rcgc_heap *heap, head_t *h); /* 'h' is being incremented */
void rcgc__inc_untrack(rcgc_heap *heap, head_t *h); /* 'h' is being untracked */
long rcgc__inc_each_doomed(rcgc_heap *heap, long (*fn)(rcgc_heap *, head_t *, void *),
                           void *arg); /* debug.c: RELEASE's garbage */
/* Strict stores, and no user code can run on garbage: an incremental
** collection has no step that is not divided (it frees in slices). */
bool rcgc__inc_divisible(const rcgc_heap *heap);
/* policy.c: before an automatic suspect collection of a strict heap with a
** budget, its closure's limits (closure_limit, closure_deadline); none
** (closure_limit 0) for other heaps */
void rcgc__set_closure_limit(rcgc_heap *heap);
long rcgc__inc_check(rcgc_heap *heap); /* debug.c: the state's invariants */
void rcgc__inc_abandon(rcgc_heap *heap); /* give a running one up, quietly */
bool rcgc__inc_paced(const rcgc_heap *heap); /* a backstop runs (policy.c) */
void rcgc__inc_release(rcgc_heap *heap); /* free the kept tables */
void rcgc__inc_page_gone(rcgc_heap *heap, pool_page_t *p); /* alloc.c: a page goes back */
void rcgc__count_slice(rcgc_heap *heap, double elapsed); /* a slice in the statistics */
void rcgc__inc_last_slice(rcgc_heap *heap, const inc_finish_t *fin, const rcgc_collect_info *info,
                          bool callbacks);
/* policy.c: start, as an incremental collection, the automatic collection
** the schedule has due or waiting (a backstop; else suspects). */
bool rcgc__start_due(rcgc_heap *heap);
/* An object dies or is untracked: it leaves the running incremental
** collection's table, if it may be in it. */
static inline void inc_forget(rcgc_heap *heap, head_t *h) {
  if (RCGC_UNLIKELY(h->tinfo & TI_INC) && heap->inc != NULL)
    rcgc__inc_forget(heap, h);
}
/* Finish a running incremental collection before a call that needs every
** object on its generation's lists (a collection, freeze, get_objects). */
static inline long inc_settle(rcgc_heap *heap) {
  return RCGC_UNLIKELY(heap->inc != NULL) ? rcgc__inc_finish(heap) : 0;
}

/* policy.c */
void rcgc__schedule_init(rcgc_heap *heap);
void rcgc__schedule(rcgc_heap *heap); /* after a change of policy or knob */
void rcgc__after_collection(rcgc_heap *heap, int generation, unsigned flags,
                            size_t live_examined);
void rcgc__maybe_collect(rcgc_heap *heap);
/* RCGC_STRESS's collection at every tracked allocation (and every 64th
** decrement): a young collection, or with a pause budget a slice. */
void rcgc__collect_young(rcgc_heap *heap);
void rcgc__suspect(rcgc_heap *heap, head_t *h); /* decremented to non-zero */

/* weakref.c */
void rcgc__weakrefs_on_death(rcgc_heap *heap, head_t *h); /* refcount death */
struct rcgc_weakref *rcgc__weakref_list(rcgc_heap *heap, const void *obj);
void rcgc__weakref_detach(rcgc_heap *heap, struct rcgc_weakref *wr);
void rcgc__weakrefs_release(rcgc_heap *heap);
struct rcgc_weakref *rcgc__weakrefs_clear_garbage(rcgc_heap *heap, head_t *garbage);
void rcgc__weakrefs_fire(rcgc_heap *heap, struct rcgc_weakref *pending);

/* garbage.c */
int rcgc__garbage_append(rcgc_heap *heap, void *obj); /* takes a new ref */

/* debug.c */
void rcgc__report(rcgc_heap *heap, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void rcgc__misuse(rcgc_heap *heap, const void *obj, const char *rule, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
void rcgc__write(rcgc_heap *heap, const char *text, size_t len);
int rcgc__describe(rcgc_heap *heap, const head_t *h, char *buf, size_t cap);

bool rcgc__valid_object(rcgc_heap *heap, const void *obj, const char *what);
bool rcgc__object_ok(const rcgc_heap *heap, const void *obj); /* the same, unreported */
void rcgc__null_heap(const void *obj, const char *what); /* a call with a NULL heap */
#ifdef RCGC_CHECKS
void rcgc__registry_add(rcgc_heap *heap);
void rcgc__registry_remove(rcgc_heap *heap);
bool rcgc__live_heap(const rcgc_heap *p); /* is 'p' on the list of live heaps? */
#endif
long rcgc__check_heap(rcgc_heap *heap);
double rcgc__now(void);

/* leak.c: called when an object is freed (expect-freed watches). */
void rcgc__leak_on_free(rcgc_heap *heap, head_t *h);
void rcgc__leak_release(rcgc_heap *heap);
/* leak.c: the objects expect-freed watches name, in watch order (arrays
** *objs and *labels of *n entries, each released with rcgc__leak_free);
** RCGC_OK or RCGC_ENOMEM. The checker uses it for INVARIANT X1. */
int rcgc__leak_watched(rcgc_heap *heap, void ***objs, const char ***labels, size_t *n);
void rcgc__leak_free(rcgc_heap *heap, void *p);

/* Every list a live object can be on outside a collection, in the order
** enumerations walk them: the tracked, unfrozen objects first (the three
** generations, then the lists of an incremental collection, incremental.c,
** empty when none runs), then the suspects, the frozen and the untracked. */
#define HEAP_NLISTS 10
#define LIST_INC_INIT 3  /* indices into heap_lists() */
#define LIST_INC_SUB 4
#define LIST_INC_MARK 5
#define LIST_INC_GARBAGE 6
#define LIST_SUSPECTS 7
#define LIST_PERMANENT 8
#define LIST_UNTRACKED 9
static inline void heap_lists(rcgc_heap *heap, head_t *lists[HEAP_NLISTS]) {
  lists[0] = &heap->gens[0].head;
  lists[1] = &heap->gens[1].head;
  lists[2] = &heap->gens[2].head;
  lists[LIST_INC_INIT] = &heap->inc_lists[0];
  lists[LIST_INC_SUB] = &heap->inc_lists[1];
  lists[LIST_INC_MARK] = &heap->inc_lists[2];
  lists[LIST_INC_GARBAGE] = &heap->inc_lists[3];
  lists[LIST_SUSPECTS] = &heap->suspects;
  lists[LIST_PERMANENT] = &heap->permanent;
  lists[LIST_UNTRACKED] = &heap->untracked;
}

/* Give an object that (re)joins a generation list the TI_SUSPECT its
** policy wants there: none under the suspects policy (INVARIANT S1), set
** under the CPython policy (INVARIANT S2). */
static inline void settle_suspect_bit(const rcgc_heap *heap, head_t *h) {
  h->tinfo = (h->tinfo & ~(uint32_t)TI_SUSPECT) | heap->fresh_bits;
}

/* Reference counts saturate (rcgc.h, rcgc_incref): an object whose count
** reaches RC_IMMORTAL is immortal -- no increment or decrement changes its
** count again -- until heap destroy frees it. Every increment the library
** makes goes through ref_inc, every decrement skips an immortal count. */
#define RC_IMMORTAL UINT32_MAX
void rcgc__saturate(rcgc_heap *heap, head_t *h); /* obj.c: count >= RC_IMMORTAL - 1 */
static inline void ref_inc(rcgc_heap *heap, head_t *h) {
  if (RCGC_UNLIKELY(h->tinfo & TI_INC))
    rcgc__inc_incref(heap, h); /* the barrier (incremental.c) */
  if (RCGC_UNLIKELY(h->refcnt >= RC_IMMORTAL - 1))
    rcgc__saturate(heap, h);
  else
    h->refcnt++;
}

/* Garbage being freed as a whole (collect.c's delete_garbage, the RELEASE
** of incremental.c) releases its reference to 'c', no member of it: a
** decrement, with 'draining' set (a child reaching 0 is only pushed). */
static inline void release_nonmember(rcgc_heap *heap, head_t *c) {
  if (c->refcnt == 0) {
    rcgc__misuse(heap, FROM_HEAD(c), "refcount is too small",
                 "a traverse function reported a reference to an object already freed");
    return;
  }
  if (c->refcnt != RC_IMMORTAL && --c->refcnt == 0)
    rcgc__on_refcount_zero(heap, c);
  else if (!(c->tinfo & RCGC_TI_QUIET_))
    rcgc__suspect(heap, c);
}

/* Garbage freed as a whole (collect.c's delete_garbage, the RELEASE of
** incremental.c), release builds: retire the pooled fixed-size block of
** the destroyed 'h' (type 'd', d->pool != 0, no TI_SIZED) -- uncounted,
** poisoned, marked free (F1) and pushed on the chain *first .. *last of
** its class, which goes onto the class's free list at once later: a later
** member's traverse may still read the header until then. */
static inline void retire_pooled(rcgc_heap *heap, head_t *h, const type_desc_t *d,
                                 void **first, void **last) {
  heap->nobjects--;
  heap->nbytes -= d->bsize;
  h->refcnt = 0;
  h->tinfo = TYPE_POISON << TI_SHIFT;
  h->gc_next = (uintptr_t)*first; /* the pool's free link */
  mark_free(h);
  if (*first == NULL)
    *last = h;
  *first = h;
}

/* The list an object without a list goes back to (resurrection). */
static inline head_t *home_list(rcgc_heap *heap, const head_t *h) {
  if (h->tinfo & TI_UNTRACKED)
    return &heap->untracked;
  if (h->tinfo & TI_FROZEN)
    return &heap->permanent;
  return &heap->gens[0].head;
}

/* Call the traverse function of 'h' (none: 0), keeping in_traverse up to
** date so that mutation and collection from inside it are detected. */
static inline int rcgc__traverse(rcgc_heap *heap, head_t *h, rcgc_visit_fn visit, void *arg) {
  rcgc_traverse_fn tr = type_of(heap, h)->traverse;
  if (tr == NULL)
    return 0;
  heap->in_traverse++;
  int r = tr(FROM_HEAD(h), visit, arg);
  heap->in_traverse--;
  return r;
}

/* Thread detection and re-entrancy guards around public entry points. */
#ifdef RCGC_CHECKS
bool rcgc__enter(rcgc_heap *heap);
void rcgc__leave(rcgc_heap *heap);
/* Claim the heap for this thread or, when another thread is inside it,
** report and return 'fail' without doing anything. */
#define ENTER(heap, fail)                                                     \
  do {                                                                        \
    if (!rcgc__enter(heap))                                                   \
      return fail;                                                            \
  } while (0)
#define LEAVE(heap) rcgc__leave(heap)
#else
#define ENTER(heap, fail) ((void)0)
#define LEAVE(heap) ((void)0)
#endif

/* The whole rest of a public call that evaluates 'expr', of type 'type',
** with the heap claimed: it returns 'if_null' for a NULL heap, 'refused'
** when another thread is inside the heap (checking builds, ENTER), and
** otherwise the value of 'expr'. Returns from the calling function. */
#define RETURN_CLAIMED(type, heap, if_null, refused, expr)                    \
  do {                                                                        \
    if ((heap) == NULL)                                                       \
      return (if_null);                                                       \
    ENTER((heap), (refused));                                                 \
    type claimed_result_ = (expr);                                            \
    LEAVE(heap);                                                              \
    return claimed_result_;                                                   \
  } while (0)


/* heap->draining: no loop frees the zero stack (0); collect.c's
** delete_garbage pass runs, whose releases only push (DRAIN_PASS, the value
** 1 it stores); a drain loop of obj.c runs (DRAIN_LOOP). */
#define DRAIN_PASS 1
#define DRAIN_LOOP 2
/* Drain loops nested inside user code (obj.c, rcgc__on_refcount_zero) stop nesting at
** this depth: deeper, an object user code frees waits until that code
** returns. */
#define RCGC_MAX_NESTED_DRAIN 64
static inline void hold_push(rcgc_heap *heap, head_t *h) {
  if (heap->nheld < RCGC_MAX_HELD)
    heap->held[heap->nheld] = h;
  heap->nheld++;
}
static inline void hold_pop(rcgc_heap *heap) { heap->nheld--; }
static inline bool is_held(const rcgc_heap *heap, const head_t *h) {
  for (int i = 0; i < heap->nheld && i < RCGC_MAX_HELD; i++)
    if (heap->held[i] == h)
      return true;
  return false;
}

/* User callbacks run between USER_BEGIN and USER_END: no automatic
** collection starts while one runs. */
#define USER_BEGIN(heap) ((heap)->in_user++)
#define USER_END(heap) ((heap)->in_user--)

#endif /* RCGC_INTERNAL_H */
