/*
** rcgc.h -- reference counting with a generational cycle collector for C.
**
** This header, with rcgc_leak.h for leak hunting, is the whole
** specification of the library: anything declared in neither is not API.
** It reads top-down:
**
**   1. version and error codes
**   2. types: the descriptor every kind of managed object supplies
**   3. heaps: creation, configuration, destruction and the leak report
**   4. objects: allocation and reference counting
**   5. the collector: Python's `gc` module, call for call
**   6. finalizers, weak references and the garbage list
**   7. leak hunting: roots, why-alive, cycles, growth, dominators, pictures,
**      heap snapshots -- in its own header, rcgc_leak.h
**   8. debugging aids
**
** Normal use needs six calls: rcgc_heap_new, rcgc_new, rcgc_incref,
** rcgc_decref, rcgc_collect and rcgc_heap_destroy. Everything else is
** control, introspection and debugging.
**
** Memory model in one paragraph. Every object lives in one heap and carries a
** reference count. rcgc_new returns an object whose count is 1 (the caller
** owns that reference). When the count drops to 0 the object is finalized,
** the references it holds (as reported by its type's traverse function) are
** released -- first to last, each with everything it alone kept alive
** before the next, as CPython deallocates -- its destroy function runs and
** its memory is returned -- at once, and without recursion, so a chain of
** ten million objects frees in constant C stack. Reference cycles never reach 0; the cycle collector finds them by
** trial deletion (refcount minus references found inside the heap) and frees
** them. Objects whose type has no traverse function cannot form cycles and
** are never examined by the collector.
**
** Threads: a heap is used by one thread at a time. Any number of heaps may be
** used in parallel on different threads; they share no state and no lock
** (debug builds excepted: they keep one list of live heaps, locked only at
** heap creation and destruction and while a misuse report names an object
** whose recorded heap is not the reporting one).
** Debug builds (RCGC_CHECKS) detect a second thread entering a heap that
** another thread is inside -- the call is reported and refused: it returns
** RCGC_ETHREAD (NULL, 0 or nothing where the call returns no code) -- and
** references between heaps. This holds for every call of this header that
** takes a heap, and for every call of rcgc_leak.h.
**
** Builds: the library and the code that includes this header are built with
** RCGC_CHECKS defined for the checking ("debug") build -- poisoned headers,
** misuse, thread and invariant checks -- and without it for release. CMake's
** option RCGC_CHECKS=ON defines it for the library and, through the
** rcgc::static / rcgc::shared targets and rcgc.pc's Cflags, for every program
** that links it. (The runtime flags RCGC_DEBUG_* are something else: Python's
** gc.DEBUG_* output flags, section 5.)
**
** Conventions. Every call of sections 1-6 and 8 follows these; a call's
** own comment says only what is particular to it.
**
**  - The heap comes first in every call that takes one. Four accessors take
**    none -- rcgc_refcount, rcgc_is_tracked, rcgc_is_finalized,
**    rcgc_weakref_alive -- because they check nothing: each is one read of
**    the object's hidden header (rcgc_refcount is inline and must stay a
**    load), so for a freed object or a pointer that is not an object their
**    result is unspecified.
**  - Every call that takes a heap takes an rcgc_heap *, never a const one:
**    in checking builds each claims the heap for the calling thread (see
**    Threads above), and rcgc_repr runs user code, both of which write to
**    the heap.
**  - Yes/no queries (rcgc_isenabled, rcgc_is_tracked, rcgc_is_finalized,
**    rcgc_weakref_alive) return 1 or 0 and nothing else: 0 for NULL.
**  - A call that can fail returns an int, RCGC_OK (0) on success or a
**    negative RCGC_E* code, in every build. A few return a non-negative
**    value on success instead of RCGC_OK (rcgc_enable and rcgc_disable the
**    previous state, rcgc_get_policy the policy); negative is still an
**    error. Every error code is returned by some call.
**  - A call that counts what it did or found (rcgc_collect,
**    rcgc_garbage_clear, rcgc_garbage_release, rcgc_heap_destroy,
**    rcgc_check_heap) returns a long: the count, >= 0, or a negative RCGC_E*
**    code. A call that reads a number the heap keeps (rcgc_heap_object_count,
**    rcgc_heap_bytes, rcgc_get_freeze_count, rcgc_garbage_count,
**    rcgc_weakref_count, rcgc_misuse_count) cannot fail and returns a
**    size_t: 0 for a NULL heap.
**  - A call returning a pointer returns NULL on failure.
**  - A NULL heap is RCGC_EINVAL for a call that returns a code, NULL, 0 or
**    nothing otherwise; the call does nothing.
**  - Flags arguments are checked: a bit that is not one of the call's named
**    flags makes the call fail with RCGC_EINVAL (rcgc_heap_new: NULL) and do
**    nothing.
**  - Public structs have no private fields: what a caller can read is all
**    there is.
**
** Misuse that cannot be expressed as a return value (decref below zero, use
** of a freed object, a refcount too small for the references the collector
** found) is reported to the heap's debug sink, naming the rule, the
** object's type, address and refcount, and the heap is kept consistent; see
** section 8.
*/
#ifndef RCGC_H
#define RCGC_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RCGC_API __attribute__((visibility("default")))
#define RCGC_LIKELY(x) __builtin_expect(!!(x), 1)
#define RCGC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define RCGC_API
#define RCGC_LIKELY(x) (x)
#define RCGC_UNLIKELY(x) (x)
#endif

/* ======================================================================
** 1. Version and errors
** ====================================================================== */

#define RCGC_VERSION_MAJOR 0
#define RCGC_VERSION_MINOR 1
#define RCGC_VERSION_PATCH 0
#define RCGC_VERSION_HEX                                                      \
  ((RCGC_VERSION_MAJOR << 16) | (RCGC_VERSION_MINOR << 8) | RCGC_VERSION_PATCH)

/* The version of the library actually linked, as "MAJOR.MINOR.PATCH".
** Compare with RCGC_VERSION_* to detect a header/library mismatch. */
RCGC_API const char *rcgc_version(void);

/* Error codes. Never renumbered, never reused: -5 and -7 are retired
** (they were declared but never returned). */
#define RCGC_ERRNO_MAP(X)                                                     \
  X(OK, 0, "success")                                                         \
  X(EINVAL, -1, "invalid argument")                                           \
  X(ENOMEM, -2, "out of memory")                                              \
  X(EBUSY, -3, "not allowed while a collection or traverse is running")       \
  X(ERANGE, -4, "invalid generation")                                         \
  X(ENOTFOUND, -6, "not found")                                               \
  X(ETHREAD, -8, "heap entered by a second thread")                          \
  X(ENOTSUP, -9, "not supported by this heap's configuration")                \
  X(EIO, -10, "output error")

typedef enum rcgc_status {
#define RCGC_ERRNO_ENUM_(name, val, msg) RCGC_##name = (val),
  RCGC_ERRNO_MAP(RCGC_ERRNO_ENUM_)
#undef RCGC_ERRNO_ENUM_
} rcgc_status;

/* A static English message for an error code ("unknown error" otherwise). */
RCGC_API const char *rcgc_strerror(int err);
/* The code's name without prefix, e.g. "ENOMEM" ("UNKNOWN" otherwise). */
RCGC_API const char *rcgc_err_name(int err);

/* ======================================================================
** 2. Types
** ====================================================================== */

typedef struct rcgc_heap rcgc_heap;

/* Called by a traverse function once per strong reference the object holds.
** 'referent' is the referenced object (never NULL: skip NULL fields), 'edge'
** an optional static name for the reference ("next", "parent"; NULL for an
** unnamed or array slot), 'arg' the value traverse received. A non-zero
** return asks traverse to stop and return that value. */
typedef int (*rcgc_visit_fn)(void *referent, const char *edge, void *arg);

/* Reports every strong reference 'obj' holds to a managed object of the
** same heap, each exactly once, by calling visit(referent, edge, arg). It
** must return the first non-zero value visit returns, or 0.
** Rules: it must not allocate managed objects, change any refcount, modify
** the graph or call into the library (debug builds detect mutation and
** collection from inside a traverse). It may be called at any time the
** library needs the edges: at collection, when the object is freed (to
** release its references), and by introspection. A collection that is
** shown a pointer that is no object of the heap reports it (rule "not an
** rcgc object") and is abandoned with nothing freed and nothing written
** into that memory. Release builds recognise such a pointer by the type id
** its would-be header holds (one compare per reference); memory whose
** would-be header holds a valid type id of the heap cannot be told from an
** object there -- reporting one is a contract violation they do not catch;
** debug builds also check the object's recorded heap. */
typedef int (*rcgc_traverse_fn)(void *obj, rcgc_visit_fn visit, void *arg);

/* Convenience for traverse functions: visit a field if it is not NULL and
** propagate a non-zero result. Expects the parameters to be named 'visit'
** and 'arg'. */
#define RCGC_VISIT(field, edge)                                               \
  do {                                                                        \
    if ((field) != NULL) {                                                    \
      int rcgc_visit_result_ = visit((void *)(field), (edge), arg);          \
      if (rcgc_visit_result_)                                                 \
        return rcgc_visit_result_;                                            \
    }                                                                         \
  } while (0)

/* A type descriptor: one per kind of object, usually a static const. The
** library never modifies it; it must outlive every heap that used it.
** Write it with designated initializers, leaving out what a type does not
** have (those fields are NULL):
**   static const rcgc_type node_type = {.name = "Node", .size = sizeof(node),
**                                       .traverse = node_traverse};
** finalize, legacy_finalize and destroy share one function type, so a
** positional initializer that swaps two of them compiles silently.
**
**  name      shown in debug output (`gc: collectable <name 0x...>`), leak
**            reports, histograms and snapshots. Required.
**  size      bytes of the object's own data (the part after the hidden
**            header). rcgc_new_sized can allocate more for variable-sized
**            objects.
**  traverse  see rcgc_traverse_fn. NULL means the type cannot form cycles:
**            its objects are never tracked, never examined by the
**            collector, and hold no references the library releases.
**  finalize  modern finalizer (Python 3.4+ __del__, PEP 442). Runs at most
**            once per object, before the object's references are released,
**            whether it dies by refcount or in a cycle; all finalizers of a
**            garbage cycle run while every member is intact. It may
**            resurrect the object by storing a new reference to it, may
**            allocate, drop references, call rcgc_collect (which returns 0
**            during a collection) and use introspection.
**  legacy_finalize  Python 2 __del__ semantics. An object with one that is
**            part of unreachable cyclic garbage is *uncollectable*: it and
**            everything reachable from it stay alive and it is appended to
**            the garbage list. Not in a cycle, it runs each time the object
**            dies by refcount (after the modern finalizer) and may resurrect.
**  destroy   releases resources the library does not manage (malloc'd
**            buffers, file handles). Runs exactly once, just before the
**            memory is returned. By then the object's managed references
**            have already been released: destroy must not dereference them.
**            It may call rcgc_decref on references it owns that traverse
**            does not report (those of untracked types, for example).
**  repr      writes a rich description (e.g. "Graph(one)") into 'buf' of
**            'cap' bytes, snprintf-style, and returns the length it wanted.
**            Used by RCGC_DEBUG_REPR lines, leak reports and leak hunting.
**            Must not allocate managed objects or change refcounts.
*/
typedef struct rcgc_type {
  const char *name;
  size_t size;
  rcgc_traverse_fn traverse;
  void (*finalize)(rcgc_heap *heap, void *obj);
  void (*legacy_finalize)(rcgc_heap *heap, void *obj);
  void (*destroy)(rcgc_heap *heap, void *obj);
  int (*repr)(const void *obj, char *buf, size_t cap);
} rcgc_type;

/* ======================================================================
** 3. Heaps
** ====================================================================== */

/* Allocator hook, realloc-style (as Lua's): free when new_size == 0 (return
** value ignored), allocate when ptr == NULL, else resize. 'old_size' is the
** size of the block being freed or resized (0 when allocating). Must return
** memory aligned for any object type, or NULL on failure. It runs in the
** middle of library calls, so a collection it starts on the heap it serves
** does not run: rcgc_collect returns 0, as inside a collection. */
typedef void *(*rcgc_alloc_fn)(void *ud, void *ptr, size_t old_size,
                               size_t new_size);

/* A writer: the heap's debug sink (cfg.write), and the output argument of
** every leak-hunting call that prints (rcgc_leak.h). The sink receives every
** line the library prints on its own (debug flags, the leak report of heap
** destroy, misuse reports) and the output of leak-hunting calls given no
** writer of their own. 'text' is 'len' bytes, usually one or more whole
** lines ending in '\n'. */
typedef void (*rcgc_write_fn)(void *ud, const char *text, size_t len);

/* What rcgc_heap_destroy does with the finalizers of objects still alive
** after its final collection. */
typedef enum rcgc_destroy_policy {
  /* Default. Run the modern finalizer of every survivor that has one and has
  ** not run it yet (in allocation-list order; each sees every other survivor
  ** intact), then free everything without running legacy finalizers. */
  RCGC_DESTROY_FINALIZE = 0,
  /* Like RCGC_DESTROY_FINALIZE, and also run legacy finalizers (after all
  ** modern ones), as Python 3 does for module globals at exit. */
  RCGC_DESTROY_FINALIZE_ALL = 1,
  /* Run no finalizer at all: only destroy functions, then free. */
  RCGC_DESTROY_NO_FINALIZE = 2
} rcgc_destroy_policy;

/* Heap configuration flags (rcgc_config.flags). */
enum {
  /* Allocate every object with its own call to the allocator hook instead of
  ** from size-class pools. Slower; lets valgrind and ASan see each object,
  ** and makes every rcgc_new reach the hook (fault injection). */
  RCGC_CONFIG_NO_POOL = 1u << 0,
  /* Record a 64-bit allocation serial per object (8 more bytes each), used
  ** by rcgc_leak_since_mark and snapshots for stable ids. Debug builds always
  ** record serials. */
  RCGC_CONFIG_SERIALS = 1u << 1,
  /* Strict stores: the program promises that no reference leaves a field
  ** of a tracked object without a decrement of its target. A field that
  ** holds a reference is overwritten or cleared only with rcgc_set (or
  ** after rcgc_decref of its old value), and a reference is never moved
  ** out of an object into another object or a variable without its count
  ** changing: `p->f = q->g; q->g = NULL;` is forbidden, `rcgc_set(heap,
  ** &p->f, q->g); rcgc_set(heap, &q->g, NULL);` is the same move, allowed.
  ** Storing a reference the program owns into an empty field
  ** (`n->left = rcgc_new(heap, &t);`) stays allowed.
  ** In exchange, under a pause budget an incremental collection needs no
  ** step that is not divided: it frees the garbage its slices found in
  ** slices too (section 5: when no type of the heap has a finalizer or a
  ** legacy finalizer, the heap has no weak reference and no debug flag
  ** lists the garbage; otherwise its last step stays the stop-the-world
  ** proof). Debug builds check the promise at the end of each incremental
  ** collection: an object it would have freed that is not garbage is
  ** reported (rule "strict stores") and kept. Release builds cannot tell:
  ** a broken promise may free an object still in use, or leave a count too
  ** high for its object ever to be freed. A heap that runs no
  ** incremental collection (no pause budget and no rcgc_collect_step), and
  ** any heap under the CPython policy, behaves the same with and without
  ** the flag. */
  RCGC_CONFIG_STRICT_STORES = 1u << 2
};

/* When automatic collections run and what they examine (rcgc_config.policy,
** rcgc_set_policy). Section 5 explains both. */
#define RCGC_HAVE_POLICY 1
typedef enum rcgc_policy {
  /* Default. Collect only where garbage can be: the *suspects* (tracked
  ** objects whose count was decremented to a non-zero value) and what they
  ** reach, paced by bytes allocated, with a backstop collection every time
  ** the heap has allocated a multiple of its live size (young three times
  ** out of four, full the fourth). */
  RCGC_POLICY_SUSPECTS = 0,
  /* CPython 3.11's schedule, exactly: thresholds (700, 10, 10) on tracked
  ** allocations, generations, the 25% long-lived rule. */
  RCGC_POLICY_CPYTHON = 1
} rcgc_policy;

typedef struct rcgc_config {
  size_t size;            /* sizeof(rcgc_config): set by rcgc_config_init */
  rcgc_alloc_fn alloc;    /* NULL: the C library's realloc/free */
  void *alloc_ud;
  rcgc_write_fn write;    /* NULL: stderr */
  void *write_ud;
  unsigned flags;         /* RCGC_CONFIG_* */
  rcgc_destroy_policy destroy_policy;
  rcgc_policy policy;     /* RCGC_POLICY_SUSPECTS unless set */
  /* Pause budget in microseconds for automatic collections under
  ** RCGC_POLICY_SUSPECTS: 0 (the default) runs each as one stop-the-world
  ** pass; otherwise each becomes incremental (section 5,
  ** rcgc_set_pause_budget). At most RCGC_PAUSE_BUDGET_MAX. */
  unsigned pause_budget_us;
} rcgc_config;

/* Fill 'cfg' with the defaults (all zero/NULL, size set). NULL is
** ignored. */
RCGC_API void rcgc_config_init(rcgc_config *cfg);

/* Create a heap. 'cfg' may be NULL for the defaults; it is copied. Returns
** NULL if cfg->size is not a size this library knows, a field holds a value
** outside its enumeration or range, cfg->flags has a bit that is not an
** RCGC_CONFIG_* flag, or memory is short. A configuration from before
** the 'policy' field existed (its size ends before 'policy') is accepted and
** gets RCGC_POLICY_SUSPECTS; one from before 'pause_budget_us' gets 0. Thresholds start at (700, 10, 10), automatic
** collection enabled, no debug flags. */
RCGC_API rcgc_heap *rcgc_heap_new(const rcgc_config *cfg);

/* Destroy a heap and everything in it.
** 1. A full collection (as rcgc_collect(heap, 2)), with DEBUG_SAVEALL
**    ignored, after the garbage list has been released.
** 2. Every object still alive -- held from outside the heap, uncollectable,
**    or resurrected -- is reported to the debug sink, one line each:
**      rcgc: leak: <Type 0x...> refcount N repr [why]
**    preceded by a summary line
**      rcgc: heap destroy: N objects still alive
**    and nothing at all when N is 0.
** 3. Finalizers run according to cfg->destroy_policy, then every object's
**    references are considered released, every destroy function runs, and
**    all memory is returned through the allocator hook. Objects finalizers
**    allocate meanwhile are finalized in a further round, objects destroy
**    functions allocate are destroyed (no finalizer) and freed in a further
**    round; each of the two phases has at most 16 rounds, and in its 16th
**    rcgc_new returns NULL (reported: "allocation during heap destroy"), so
**    no object is left unfinalized or unfreed.
** Returns N, the number of objects that were still alive at step 2 (0 for a
** clean heap); RCGC_EINVAL for NULL. Must not be called from a callback of
** the same heap -- finalizers, destroy functions, weak reference and
** collection callbacks, traverse functions, the debug sink, which runs in
** the middle of the call that reports, and the allocator hook -- (returns
** RCGC_EBUSY and does nothing, reporting the misuse: rule "heap destroyed
** from inside itself"). */
RCGC_API long rcgc_heap_destroy(rcgc_heap *heap);

/* Number of live managed objects in the heap (tracked or not); 0 for
** NULL. */
RCGC_API size_t rcgc_heap_object_count(rcgc_heap *heap);
/* Bytes of object data plus headers currently allocated for live objects;
** 0 for NULL. */
RCGC_API size_t rcgc_heap_bytes(rcgc_heap *heap);

/* ======================================================================
** 4. Objects and reference counts
** ====================================================================== */

/* Hidden per-object header. It sits just before the object's data; user
** code must not touch it except through the calls below. Layout and the
** meaning of every bit: docs/design.md and src/core/internal.h. 24 bytes on
** 64-bit targets. */
typedef struct rcgc_head_ {
  uintptr_t gc_next;  /* collector list link; 0 when untracked */
  uintptr_t gc_prev;  /* collector list link | flags; gc_refs in a run */
  uint32_t refcnt;    /* reference count */
  uint32_t tinfo;     /* type id (22 bits) | object flags (10 bits) */
} rcgc_head_;

#define RCGC_HEAD_(obj) ((rcgc_head_ *)(void *)(obj) - 1)
/* Flags of tinfo that tell rcgc_decref's inline path an object needs no
** suspect bookkeeping: untracked, frozen, or already a suspect (not API). */
#define RCGC_TI_QUIET_ 0x184u
/* The flag of tinfo that sends rcgc_incref to its out-of-line part: the
** object may be a candidate of a running incremental collection, whose
** barrier must see the increment (not API). */
#define RCGC_TI_INC_ 0x200u

/* Allocate an object of type 't' with its data zeroed and refcount 1 (the
** caller's reference). If 't' has a traverse function the object is tracked
** (added to generation 0) and may trigger an automatic collection *before*
** the new object is created, never while it is half-initialised, and never
** while a finalizer, callback or destroy function runs: there the next
** allocation outside them does it (CPython 3.11 collects inside them; a
** documented deviation, docs/design.md "Deviations from CPython"). Returns
** NULL on a NULL argument (reported), when 't' has no name, or when memory
** is short (the heap stays consistent and usable). */
RCGC_API void *rcgc_new(rcgc_heap *heap, const rcgc_type *t);

/* As rcgc_new, with 'size' bytes of data instead of t->size (variable-sized
** objects: arrays, strings). 'size' must be >= t->size. A size too large
** for the block (with its hidden header) to fit a size_t returns NULL as
** memory short does, unreported; so does rcgc_new for such a t->size. */
RCGC_API void *rcgc_new_sized(rcgc_heap *heap, const rcgc_type *t,
                              size_t size);

/* Out-of-line parts of the inline functions below (not for direct use). */
RCGC_API void rcgc_incref_slow_(rcgc_heap *heap, void *obj);
RCGC_API void rcgc_decref_slow_(rcgc_heap *heap, void *obj);
RCGC_API void rcgc_suspect_(rcgc_heap *heap, void *obj);

/* Counts saturate: a count that reaches RCGC_REFCNT_MAX (2^32 - 1) stays
** there and the object is immortal -- no incref or decref changes its count
** again, so it is never freed before heap destroy, which frees it. That
** moment is reported once (rule "refcount overflow"). A count never wraps. */
#define RCGC_REFCNT_MAX 0xffffffffu

/* A NULL heap with an object is refused by rcgc_incref and rcgc_decref in
** every build: the count is left alone. Debug builds report it (rule "NULL
** heap") through the heap the object belongs to; release builds cannot
** tell which heap that is and say nothing. */

/* Take a new reference to 'obj' of 'heap' (NULL is ignored). Legal at any
** time except inside a traverse function. Incref of an object that is
** already dead (count 0) is reported as misuse and does nothing. Debug builds
** (RCGC_CHECKS defined when this header is included) also check that 'obj'
** belongs to 'heap' and that no other thread is inside the heap. */
static inline void rcgc_incref(rcgc_heap *heap, void *obj) {
#if defined(RCGC_CHECKS) || defined(RCGC_STRESS)
  rcgc_incref_slow_(heap, obj);
#else
  if (obj != NULL) {
    rcgc_head_ *h = RCGC_HEAD_(obj);
    /* one compare catches 0 (a freed or dying object: reported) and
    ** RCGC_REFCNT_MAX - 1 and up (saturation); a candidate of a running
    ** incremental collection goes through its barrier */
    if (RCGC_UNLIKELY((uint32_t)(h->refcnt + 2u) <= 2u || (h->tinfo & RCGC_TI_INC_) ||
                      heap == NULL))
      rcgc_incref_slow_(heap, obj);
    else
      h->refcnt++;
  }
#endif
}

/* Drop a reference to 'obj' in 'heap' (NULL is ignored). When it was the
** last one, the object is finalized and freed before this returns, together
** with everything only it kept alive (iteratively) -- from inside a
** finalizer, weak reference callback or destroy function too, as long as
** fewer than 64 such calls are nested (deeper, it is freed when the
** innermost returns). Decref of an object whose count is already 0 is
** reported as misuse and does nothing; decref of an immortal object (count
** RCGC_REFCNT_MAX) does nothing.
** Under the suspects policy (section 5), a tracked object whose count drops
** to a non-zero value becomes a *suspect*: the first such decrement after
** the collector last examined it costs one out-of-line call, which moves it
** to the heap's suspects list; later ones cost nothing more. */
static inline void rcgc_decref(rcgc_heap *heap, void *obj) {
#if defined(RCGC_CHECKS) || defined(RCGC_STRESS)
  rcgc_decref_slow_(heap, obj);
#else
  if (obj != NULL) {
    rcgc_head_ *h = RCGC_HEAD_(obj);
    /* one compare: counts 2 .. RCGC_REFCNT_MAX - 1 just decrement */
    if (RCGC_LIKELY(h->refcnt - 2u < RCGC_REFCNT_MAX - 2u && heap != NULL)) {
      h->refcnt--;
      if (RCGC_UNLIKELY(!(h->tinfo & RCGC_TI_QUIET_)))
        rcgc_suspect_(heap, obj);
    } else {
      rcgc_decref_slow_(heap, obj);
    }
  }
#endif
}

/* Replace a reference field: incref 'value' (may be NULL), store it in
** '*field', then decref the old value. The order makes self-assignment and
** "replace a parent by its child" safe. */
static inline void rcgc_set(rcgc_heap *heap, void *field_addr, void *value) {
  void **field = (void **)field_addr;
  void *old = *field;
  rcgc_incref(heap, value);
  *field = value;
  rcgc_decref(heap, old);
}

/* The current reference count of 'obj' (0 for NULL). Like every accessor
** that takes no heap (rcgc_is_tracked, rcgc_is_finalized,
** rcgc_weakref_alive; the conventions at the top say why they take none)
** it reads the header unchecked: for a freed object or a pointer that is
** not an object the result is unspecified. */
static inline size_t rcgc_refcount(const void *obj) {
  return obj ? (size_t)((const rcgc_head_ *)obj - 1)->refcnt : 0;
}

/* The type 'obj' was allocated with (NULL for a NULL heap or object, or a
** freed object). Debug builds refuse an object of another heap: NULL,
** reported (rule "reference between heaps"). A pointer that is not an
** object gives NULL when its would-be header holds no type id of the heap,
** unreported; otherwise the result is unspecified. */
RCGC_API const rcgc_type *rcgc_typeof(rcgc_heap *heap, const void *obj);

/* The object's allocation serial (1, 2, 3... in allocation order) when the
** heap records serials (RCGC_CONFIG_SERIALS or a debug build), else 0; 0
** for a NULL heap or object; unspecified (unchecked) for a freed object, a
** pointer that is not an object or another heap's object. */
RCGC_API uint64_t rcgc_serial(rcgc_heap *heap, const void *obj);

/* Write the type's repr of 'obj' into buf (always NUL-terminated when cap >
** 0); without a repr function, "<Type 0x...>". Returns the length wanted,
** as snprintf does. A NULL heap or object writes "" and returns 0. A freed
** object is written "<freed object 0x...>" and a pointer whose would-be
** header holds no type id of the heap "<not an rcgc object 0x...>",
** unreported (for other non-objects the result is unspecified). Debug
** builds refuse an object of another heap: "" and 0, reported (rule
** "reference between heaps"). */
RCGC_API int rcgc_repr(rcgc_heap *heap, const void *obj, char *buf, size_t cap);

/* ======================================================================
** 5. The collector -- Python's gc module
**
** Python gc                  rcgc
** ---------                  ----
** enable/disable/isenabled   rcgc_enable / rcgc_disable / rcgc_isenabled
** collect(gen)               rcgc_collect
** get_count                  rcgc_get_count
** get/set_threshold          rcgc_get_threshold / rcgc_set_threshold
** set/get_debug              rcgc_set_debug / rcgc_get_debug
** garbage                    rcgc_garbage_* (section 6)
** callbacks                  rcgc_callback_add / rcgc_callback_remove
** get_objects(gen)           rcgc_get_objects
** get_referrers(*objs)       rcgc_get_referrers
** get_referents(*objs)       rcgc_get_referents
** is_tracked / track         rcgc_is_tracked / rcgc_track / rcgc_untrack
** is_finalized               rcgc_is_finalized
** freeze/unfreeze/count      rcgc_freeze / rcgc_unfreeze / rcgc_get_freeze_count
** get_stats                  rcgc_get_stats
** ====================================================================== */

#define RCGC_NUM_GENERATIONS 3

/* When automatic collections run: the heap's policy.
**
** RCGC_POLICY_CPYTHON reproduces CPython 3.11 exactly: every call of this
** section means what the Python call means, and the examples and tests that
** match CPython's output select it.
**
** RCGC_POLICY_SUSPECTS (the default) collects only where garbage can be.
** A garbage cycle can only appear when a reference into it goes away, and
** that is a decrement which leaves its target above 0. Such a target (a
** tracked, unfrozen object) becomes a *suspect*. Automatic collections
** examine the suspects and everything they reach -- nothing else -- so
** acyclic structures freed by refcount, and structures that only grow, cost
** the collector nothing, and a large live structure is examined again only
** when something in it lost a reference. They run when the heap has
** allocated enough bytes since the last one (at least 256 KiB, and four
** times the bytes of the live objects the last one examined beyond the
** bytes allocated since the one before: objects examined for the first
** time do not push the next one back), and only if
** there is a suspect. One kind of garbage makes no suspect: a cycle closed
** by moving the only outside reference into a field without a decrement
** (`last->next = first;` where the local 'first' owned the reference). A
** *backstop* finds it: a collection that runs whenever the heap has
** allocated max(64 MiB, 16 x its live bytes after the last backstop). Three
** backstops out of four are young -- generations 0 and 1 (the objects
** allocated since the last backstop that no collection examined yet), the
** suspects and what they reach --, the fourth is a full collection.
** So, while automatic collection is enabled and may run (no finalizer or
** callback running at that moment), a cycle becomes garbage and is freed
** within 4 x the heap's live bytes (at least 256 KiB) of further
** allocation when a decrement made it garbage; otherwise within max(64 MiB,
** 16 x the live bytes after the last backstop) when all its objects are
** young, and within the next four backstops when one is not; every
** allocation counts at least 32 bytes, so divide by 32 for a bound in
** allocations. (With RCGC_CONFIG_STRICT_STORES and a pause budget, add
** the length of the incremental collection that frees a large one, or of
** the backstop it waits for: section 5, "Incremental collection".)
**
** The Python calls under RCGC_POLICY_SUSPECTS:
**   collect(g)     as in CPython (generations 0..g), plus -- for g < 2 --
**                  the suspects and everything they reach; a full one also
**                  restarts the backstop's count (the next backstop is
**                  young).
**   get_count      as in CPython: count[0] is tracked allocations minus
**                  deallocations since the last collection; an automatic
**                  collection counts as one of the generation it reports
**                  (below).
**   set_threshold  the values are kept and returned; only threshold[0] = 0
**                  (no automatic collection) has an effect.
**   enable/disable as in CPython.
**   get_objects(0) generation 0 and the suspects; survivors of automatic
**                  collections go to generation 2.
**   callbacks, DEBUG_STATS, get_stats
**                  an automatic suspect collection reports generation 0, a
**                  young backstop generation 1 and a full one generation
**                  2; 'candidates' is the number of
**                  objects it examined.
*/

/* Select the policy (RCGC_POLICY_*). Switching to RCGC_POLICY_CPYTHON
** makes the current suspects part of generation 0; switching walks every
** tracked object once. RCGC_EINVAL for NULL or another value, RCGC_EBUSY
** during a collection and inside a traverse function (even to select the
** current policy). */
RCGC_API int rcgc_set_policy(rcgc_heap *heap, int policy);
/* The heap's policy, or RCGC_EINVAL for NULL. */
RCGC_API int rcgc_get_policy(rcgc_heap *heap);

/* Debug flags, same values as Python's. */
enum {
  RCGC_DEBUG_STATS = 1,          /* header and done lines per collection */
  RCGC_DEBUG_COLLECTABLE = 2,    /* "gc: collectable <T 0x...>" lines */
  RCGC_DEBUG_UNCOLLECTABLE = 4,  /* "gc: uncollectable <T 0x...>" lines */
  RCGC_DEBUG_SAVEALL = 32,       /* keep all garbage in the garbage list */
  RCGC_DEBUG_LEAK = 38,          /* COLLECTABLE | UNCOLLECTABLE | SAVEALL */
  /* rcgc extension: append the object's repr to each object line:
  ** "gc: collectable <Graph 0x55d0c0a1b2c0> Graph(one)" */
  RCGC_DEBUG_REPR = 256,
  /* rcgc extension: run rcgc_check_heap after every collection (automatic
  ** or explicit; not the final one of rcgc_heap_destroy, nor one run while
  ** objects are being freed by refcount, from a finalizer or a weak
  ** reference callback); each violation is
  ** reported to the sink and counted by rcgc_misuse_count. Costs a pass
  ** over the whole heap per collection. */
  RCGC_DEBUG_CHECK = 512
};

/* Automatic collection on/off. rcgc_collect works either way. rcgc_enable
** and rcgc_disable return the previous state (1 enabled, 0 disabled), or
** RCGC_EINVAL for NULL; rcgc_isenabled returns the state, 0 for NULL. */
RCGC_API int rcgc_enable(rcgc_heap *heap);
RCGC_API int rcgc_disable(rcgc_heap *heap);
RCGC_API int rcgc_isenabled(rcgc_heap *heap);

/* Collect 'generation' (0, 1 or 2) and all younger ones -- under
** RCGC_POLICY_SUSPECTS, for 0 and 1, also the suspects and everything they
** reach (see the policies above). Returns the number
** of unreachable objects found (collected + uncollectable, resurrected ones
** excluded); 0 without collecting when a collection of this heap is already
** running (from a finalizer or callback); RCGC_ERANGE for another
** generation; RCGC_EINVAL for NULL; RCGC_EBUSY from inside a traverse. A
** running incremental collection (rcgc_set_pause_budget) is finished
** first, and what it found is counted in the result too.
** Objects outside the garbage that only the garbage kept alive die after
** the whole garbage is freed (before rcgc_collect returns, also when it is
** called from a finalizer or callback), the last released first, each with
** its cascade; CPython frees the garbage object by object and they die in
** between, in another order (a documented deviation, docs/design.md
** "Deviations from CPython"). */
RCGC_API long rcgc_collect(rcgc_heap *heap, int generation);

/* Python's get_count: count[0] = tracked allocations minus deallocations
** since the last generation-0 collection (floored at 0; a deallocation
** counts when the memory is freed, after the deallocations it caused, so a
** resurrected object never counts); count[1] =
** generation-0 collections since the last generation-1 one; count[2] =
** generation-1 collections since the last full one. RCGC_EINVAL for a NULL
** heap or 'count'. */
RCGC_API int rcgc_get_count(rcgc_heap *heap, long count[RCGC_NUM_GENERATIONS]);

/* Thresholds (defaults 700, 10, 10). threshold[0] = 0 disables automatic
** collection. A full automatic collection also needs the objects promoted
** into generation 2 since the last full collection to exceed 25% of the
** objects that survived it (the long-lived rule), which keeps building a
** large structure linear (all of this under RCGC_POLICY_CPYTHON; under
** RCGC_POLICY_SUSPECTS the values are kept and only threshold[0] = 0 has an
** effect). Negative values are RCGC_EINVAL (the thresholds are left as
** they were), and so is a NULL heap or (get) 'threshold'. */
RCGC_API int rcgc_set_threshold(rcgc_heap *heap, long t0, long t1, long t2);
RCGC_API int rcgc_get_threshold(rcgc_heap *heap, long threshold[RCGC_NUM_GENERATIONS]);

/* Debug flags (RCGC_DEBUG_*). Output goes to the heap's sink in CPython
** 3.11's exact text:
**   gc: collecting generation 2...
**   gc: objects in each generation: 826 471 4529
**   gc: objects in permanent generation: 0
**   gc: collectable <Graph 0x7f3a5c1d2e80>
**   gc: uncollectable <Graph 0x7f3a5c1d2f10>
**   gc: done, 24 unreachable, 0 uncollectable, 0.0007s elapsed
** rcgc_set_debug returns RCGC_EINVAL for a NULL heap and for a flag that is
** not one of RCGC_DEBUG_* (the flags are left as they were); rcgc_get_debug
** returns 0 for NULL. */
RCGC_API int rcgc_set_debug(rcgc_heap *heap, unsigned flags);
RCGC_API unsigned rcgc_get_debug(rcgc_heap *heap);

/* Information passed to collection callbacks (Python's info dict). */
typedef struct rcgc_collect_info {
  int generation;        /* oldest generation collected */
  long collected;        /* 0 at start */
  long uncollectable;    /* 0 at start */
  long candidates;       /* objects examined (the collected set) */
  double duration;       /* seconds, 0 at start */
} rcgc_collect_info;

/* START and STOP bracket every collection. An incremental collection
** (rcgc_set_pause_budget) also reports each of its slices, START's and
** STOP's included, with RCGC_PHASE_SLICE: 'duration' is that slice's,
** 'candidates' the objects examined so far, 'collected' 0; its STOP's
** 'duration' is the last slice's (rcgc_get_stats sums them). One abandoned
** for want of memory ends with a STOP that found nothing. Other
** collections report no slice. */
typedef enum rcgc_phase {
  RCGC_PHASE_START = 0,
  RCGC_PHASE_STOP = 1,
  RCGC_PHASE_SLICE = 2
} rcgc_phase;

typedef void (*rcgc_callback_fn)(rcgc_heap *heap, rcgc_phase phase,
                                 const rcgc_collect_info *info, void *ud);

/* Register a callback called at the start and stop of every collection,
** automatic or manual, in registration order (the final collection of
** rcgc_heap_destroy excepted). The same (fn, ud) may be added twice and is
** then called twice. A callback may collect (returns 0), use introspection,
** allocate and clear the garbage list. RCGC_ENOMEM; RCGC_EINVAL for a NULL
** heap or fn (also for rcgc_callback_remove). */
RCGC_API int rcgc_callback_add(rcgc_heap *heap, rcgc_callback_fn fn, void *ud);
/* Remove the first registration of (fn, ud). RCGC_ENOTFOUND if none. Legal
** from inside a callback (the removed one is not called again). */
RCGC_API int rcgc_callback_remove(rcgc_heap *heap, rcgc_callback_fn fn,
                                  void *ud);

/* Cumulative statistics of one generation (Python's get_stats, with the
** 3.15 additions). */
typedef struct rcgc_gen_stats {
  long collections;
  long collected;
  long uncollectable;
  long candidates;
  double total_duration;  /* seconds */
  double max_duration;    /* seconds, the longest single collection */
} rcgc_gen_stats;

/* RCGC_OK, or RCGC_EINVAL for a NULL heap or 'stats'. The durations of an
** incremental collection are the sums and the longest of its slices. */
RCGC_API int rcgc_get_stats(rcgc_heap *heap,
                            rcgc_gen_stats stats[RCGC_NUM_GENERATIONS]);

/* ----------------------------------------------------------------------
** Incremental collection: bounded pauses.
**
** With a pause budget B > 0 (rcgc_config.pause_budget_us or
** rcgc_set_pause_budget) under RCGC_POLICY_SUSPECTS, each automatic
** backstop that is not predicted to fit in B/4 stop-the-world (from the
** bytes allocated since the last backstop, the size of the last ones and
** the time per object of the last collections: an incremental collection
** costs several times more work) is split into slices of at most about B
** microseconds, run at the safe points where a stop-the-world collection
** would run (rcgc_new), one per 64 x B bytes allocated and at most a
** quarter of the time. Suspect collections stay stop-the-world -- also
** between a backstop's slices, each with its own START and STOP, so cycles
** dropped meanwhile do not wait for the backstop: their candidates are
** mostly garbage, whose freeing no slicing shortens. While a backstop runs
** in slices the next one waits for it: the bounds above on a cycle closed
** without a decrement stretch by the length of one backstop. The program
** runs between slices and may do anything legal: objects die by refcount,
** references are set, moved and dropped, objects are untracked. The slices compute which candidates look
** garbage; the last step then runs the exact trial deletion of a
** stop-the-world collection on those alone -- with their counts and
** references as they are at that moment -- and frees what it proves
** garbage, with every finalizer, weak reference callback, legacy finalizer
** and resurrection rule of section 6 and 7. So nothing reachable is ever
** freed, whatever the program did between slices; a cycle that was
** garbage when the collection started is freed when it ends; one made
** garbage during it, by the next collection. Steps that are not divided:
** one object's traverse (a wide object costs its width), the last step
** (proportional to the garbage found, like freeing as much by refcount),
** and growing the collection's object table (a pass over it).
** Returning empty pool pages to the allocator after a collection (when
** the heap has shrunk: docs/design.md section 8) reads every page: under
** a budget an automatic collection does it in its own pause only when
** that is predicted (from the last trim's time per page) to take at most
** half the budget; otherwise the trim waits for rcgc_collect_step (idle
** time), which runs it in slices while the program runs -- once begun,
** every point where an automatic collection could run gives it a slice
** too, until it ends (it holds the free lists: the program allocates from
** new pages meanwhile), and the next automatic collection waits for it --
** or for rcgc_collect, which runs or finishes it. A program that never
** calls either keeps its empty pages. A trim's time is part of the
** duration every report gives the collection it ends.
** The CPython policy never runs incremental collections.
** rcgc_collect, rcgc_freeze, rcgc_unfreeze, rcgc_set_policy and
** rcgc_get_objects first finish a running incremental collection
** (unbudgeted), then do what they do; heap destroy gives it up (its
** candidates are examined by destroy's own collection). Inside its
** callbacks, where it cannot be finished, rcgc_get_objects and
** rcgc_get_referrers count its candidates as generation 2, where its
** survivors go. Setting the budget back to 0 finishes a running one at the
** next point where an automatic collection could run; while automatic
** collection is disabled no slice runs on its own. */
#define RCGC_PAUSE_BUDGET_MAX 1000000u /* one second */

/* Set the heap's pause budget in microseconds (0: stop-the-world automatic
** collections). Takes effect at the next collection; a running
** incremental collection keeps going with the new budget. RCGC_OK;
** RCGC_EINVAL for a NULL heap; RCGC_ERANGE above RCGC_PAUSE_BUDGET_MAX. */
RCGC_API int rcgc_set_pause_budget(rcgc_heap *heap, unsigned budget_us);
/* The heap's pause budget in microseconds; 0 for NULL. */
RCGC_API unsigned rcgc_get_pause_budget(rcgc_heap *heap);

/* Spend up to about 'budget_us' microseconds of idle time (the end of a
** frame, an idle event loop) on the collector: continue the running
** incremental collection or trim (returning empty pages in slices, see
** "Returning empty pool pages" above), or -- when none runs and the
** schedule has work waiting (recorded suspects, or a backstop due) --
** start the next collection early. Works whatever the heap's own pause
** budget, also with automatic collection disabled. Returns 1 when an
** incremental collection or a trim is still running afterwards, 0 when
** none is (it finished, it was abandoned for want of memory, or there was
** nothing to do; 0 under RCGC_POLICY_CPYTHON unless a trim begun under the
** other policy is still running); RCGC_EINVAL for a NULL
** heap or a budget of 0; RCGC_ERANGE above RCGC_PAUSE_BUDGET_MAX;
** RCGC_EBUSY from inside any user code the library calls (a traverse,
** finalizer, destroy function, weak reference or collection callback, the
** sink, the allocator hook, a repr) and during a collection. */
RCGC_API int rcgc_collect_step(rcgc_heap *heap, unsigned budget_us);

/* What incremental collection has done in this heap. */
typedef struct rcgc_incremental_stats {
  long collections;       /* incremental collections completed */
  long slices;            /* slices run, the last steps included, and the
                             slices of trims (see rcgc_collect_step) */
  double longest_slice;   /* seconds */
  double total;           /* seconds, all slices */
  long table_grows;       /* object-table growths (each a pass over it) */
  size_t extra_bytes;     /* memory held for it now: the object tables
                             and the pool pages' side arrays (4 bytes per
                             block of a page a backstop has seen) are kept
                             from one collection to the next */
  size_t peak_extra_bytes; /* the most it ever held */
  long abandoned;         /* given up for want of memory (nothing freed) */
  int running;            /* 1 while one runs */
  /* The most garbage one incremental collection found (collected, as its
  ** STOP reports it), and the bytes its last step returned -- that garbage
  ** and what only it kept alive: the high-water mark of the garbage that
  ** waited for a backstop, as far as the collector can see it (suspect
  ** collections, stop-the-world, report theirs in rcgc_get_stats). */
  long most_garbage;
  size_t most_garbage_bytes;
} rcgc_incremental_stats;

/* RCGC_OK, or RCGC_EINVAL for a NULL heap or 'out'. */
RCGC_API int rcgc_get_incremental_stats(rcgc_heap *heap, rcgc_incremental_stats *out);

/* A list of strong references returned by introspection calls: 'count'
** objects in items[0..count-1] (items is NULL when count is 0). Release it
** with rcgc_list_decref_and_free, which drops every reference and frees the array.
** Inside a traverse function rcgc_list_decref_and_free is refused (reported as a
** mutation inside traverse) and the list keeps its references. A NULL
** list does nothing, and so does a NULL heap: the list keeps its
** references, to be released through its heap. */
typedef struct rcgc_list {
  void **items;
  size_t count;
} rcgc_list;

RCGC_API void rcgc_list_decref_and_free(rcgc_heap *heap, rcgc_list *list);

/* Python's get_objects: every tracked object of 'generation' (0..2), or of
** all three when generation is -1; never the frozen ones, never an object a
** running collection has found to be garbage. RCGC_ERANGE for other
** generations, RCGC_ENOMEM, RCGC_EINVAL for a NULL heap or 'out', RCGC_EBUSY
** inside a traverse (as for get_referrers and get_referents, whose
** RCGC_EINVAL also covers objs NULL with n > 0). 'out' is initialised by
** the call. */
RCGC_API int rcgc_get_objects(rcgc_heap *heap, int generation, rcgc_list *out);

/* Python's get_referrers: every tracked, non-frozen object whose traverse
** visits any of objs[0..n-1]. Objects found to be garbage by a running
** collection are never returned. Both calls validate each objs[i]: a NULL
** entry is skipped, and a freed object, a pointer that is not an object and
** (debug builds) another heap's object are reported and left out; the call
** still succeeds. */
RCGC_API int rcgc_get_referrers(rcgc_heap *heap, void *const *objs, size_t n,
                                rcgc_list *out);

/* Python's get_referents: the concatenation of what each argument's
** traverse visits (untracked objects of a type with traverse included;
** objects without traverse contribute nothing). */
RCGC_API int rcgc_get_referents(rcgc_heap *heap, void *const *objs, size_t n,
                                rcgc_list *out);

/* 1 if 'obj' is tracked by the collector (its type has traverse and it was
** not untracked), else 0 (and for NULL). Frozen objects are tracked.
** Unchecked, as rcgc_refcount. */
RCGC_API int rcgc_is_tracked(const void *obj);
/* Start / stop tracking. Untracking an object that can be part of a cycle
** makes the collector treat references from it as external: it then
** keeps alive what it references, and is freed only by refcount. Both are
** idempotent. RCGC_EINVAL for an object whose type has no traverse;
** RCGC_EBUSY during a collection and inside a traverse function. Legal on
** a dying object too (from its own finalizer or destroy function, whether
** it dies by refcount or at heap destroy): only its state changes, and a
** finalizer that resurrects it puts it back on the list that state names. */
RCGC_API int rcgc_track(rcgc_heap *heap, void *obj);
RCGC_API int rcgc_untrack(rcgc_heap *heap, void *obj);

/* 1 if the modern finalizer of 'obj' has already run (it was resurrected),
** else 0 (and for NULL). Unchecked, as rcgc_refcount. An object whose
** finalizer runs because its count dropped to 0 is tracked in generation 0
** while it runs, and stays there if resurrected (a frozen object is thus
** unfrozen, as in CPython). */
RCGC_API int rcgc_is_finalized(const void *obj);

/* Move every tracked object into the permanent generation: never examined,
** never returned by get_objects/get_referrers; resets the counts. unfreeze
** moves them back into the oldest generation. get_freeze_count returns the
** size of the permanent generation (0 for NULL). freeze and unfreeze
** return RCGC_EBUSY during a collection and inside a traverse function,
** RCGC_EINVAL for NULL. */
RCGC_API int rcgc_freeze(rcgc_heap *heap);
RCGC_API int rcgc_unfreeze(rcgc_heap *heap);
RCGC_API size_t rcgc_get_freeze_count(rcgc_heap *heap);

/* Visit every live object: tracked ones generation by generation, then
** frozen ones, then untracked ones (Python's PyUnstable_GC_VisitObjects,
** which also sees frozen objects). Stops when 'fn' returns non-zero and
** returns that value; RCGC_EINVAL for NULL arguments. 'fn' must not free
** or allocate objects. */
typedef int (*rcgc_object_fn)(void *obj, void *ud);
RCGC_API int rcgc_visit_objects(rcgc_heap *heap, rcgc_object_fn fn, void *ud);

/* ======================================================================
** 6. Finalizers, weak references and the garbage list
** ====================================================================== */

/* A weak reference is itself a managed (tracked) object of type
** rcgc_weakref_type, with refcount 1 when created. It does not keep its
** referent alive. When the referent dies:
**  - by refcount: the reference is cleared and its callback called at once;
**  - in a collection (CPython 2025 order, gh-135552): weak references with a
**    callback that are not garbage themselves are cleared and their
**    callbacks run before any finalizer, seeing the referent already gone;
**    weak references without callback stay readable while finalizers run
**    and are cleared before any reference inside the garbage is released;
**    weak references that are garbage themselves never fire; a weak
**    reference with a callback made by a finalizer of that collection (so
**    after the callbacks ran) is cleared before the garbage is freed and
**    its callback runs once it has been freed;
**  - at heap destroy: every weak reference is cleared and no callback runs.
** The callback receives the (still alive) weak reference and 'ud'. */
typedef struct rcgc_weakref rcgc_weakref;
typedef void (*rcgc_weakref_fn)(rcgc_heap *heap, rcgc_weakref *wr, void *ud);

RCGC_API extern const rcgc_type rcgc_weakref_type;

/* Create a weak reference to 'obj' (any live object of 'heap'). Returns a
** new reference to the weakref object, or NULL (RCGC_EINVAL cases and
** ENOMEM are reported to the sink when obj is not valid). Refused inside a
** traverse function: NULL, reported, obj's count unchanged. */
RCGC_API rcgc_weakref *rcgc_weakref_new(rcgc_heap *heap, void *obj,
                                        rcgc_weakref_fn callback, void *ud);
/* A new strong reference to the referent, or NULL once it is dead. A
** referent is dead from the moment its count reaches 0, although its weak
** references are cleared only when its turn comes in the freeing cascade:
** a finalizer or callback that runs meanwhile gets NULL. When it dies by
** refcount, its own modern finalizer holds a temporary reference to it (it
** may resurrect it) and gets it; its legacy finalizer and destroy function
** run after its weak references were cleared and get NULL. Refused inside a
** traverse function (NULL, reported). NULL for a NULL heap or 'wr'. A freed
** object, a pointer that is not an object and (debug builds) another heap's
** weak reference are refused: NULL, reported (rules "use of a freed
** object", "not an rcgc object", "reference between heaps"); so is, in
** every build, an object that is not a weak reference (rule "not a weak
** reference"). When an object releases its references and user code run
** by the death of one of them reads a later one this way, CPython (which
** releases them one at a time) still returns it: a documented deviation
** (docs/design.md, "Deviations from CPython"). */
RCGC_API void *rcgc_weakref_get(rcgc_heap *heap, rcgc_weakref *wr);
/* 1 while the referent is alive, 0 once it is dead (as above) and for
** NULL. Unchecked, as rcgc_refcount. */
RCGC_API int rcgc_weakref_alive(const rcgc_weakref *wr);
/* Number of weak references currently pointing at 'obj'; 0 for a NULL heap
** or object; unchecked, as rcgc_refcount, for a hostile pointer. */
RCGC_API size_t rcgc_weakref_count(rcgc_heap *heap, const void *obj);

/* The garbage list (Python's gc.garbage). It owns a strong reference to each
** entry: objects found unreachable but uncollectable (those with a legacy
** finalizer in cyclic garbage) and, with RCGC_DEBUG_SAVEALL, every
** unreachable object. rcgc_garbage_count and rcgc_garbage_get return 0 /
** NULL for a NULL heap, rcgc_garbage_clear and rcgc_garbage_remove
** RCGC_EINVAL. */
RCGC_API size_t rcgc_garbage_count(rcgc_heap *heap);
/* Entry 'i' (borrowed reference: valid while it stays in the list), or
** NULL when i is out of range. */
RCGC_API void *rcgc_garbage_get(rcgc_heap *heap, size_t i);
/* Drop every entry's reference (Python's del gc.garbage[:]), the last entry
** first, as CPython does. Cycles stay garbage for the next collection to
** find. Returns the number of entries. Refused inside a traverse function:
** RCGC_EBUSY, reported, the list left as it was. */
RCGC_API long rcgc_garbage_clear(rcgc_heap *heap);
/* Remove entry 'i' (dropping its reference). RCGC_ENOTFOUND if out of range,
** RCGC_EBUSY inside a traverse function. */
RCGC_API int rcgc_garbage_remove(rcgc_heap *heap, size_t i);

/* Flags for rcgc_garbage_release. */
enum {
  /* Also free uncollectable cycles: each entry's legacy finalizer runs once
  ** (in list order, while every object of the garbage is intact) and the
  ** object is then collected like any other. */
  RCGC_RELEASE_LEGACY = 1u << 0
};

/* Empty the garbage list *and* have the collector
** reclaim what it held, without clearing fields by hand. The entries'
** references are dropped and a full collection runs as if DEBUG_SAVEALL
** were off: the collectable part is freed, and only objects with a legacy
** finalizer in cyclic garbage come back to the list (unless
** RCGC_RELEASE_LEGACY: then their legacy finalizers run once and they are
** freed too; what they merely reached is freed with them). Returns the
** number of objects freed (>= 0), 0 during a collection, RCGC_EINVAL for a
** NULL heap or unknown flags, RCGC_EBUSY inside a traverse. */
RCGC_API long rcgc_garbage_release(rcgc_heap *heap, unsigned flags);

/* ======================================================================
** 7. Leak hunting: declared in rcgc_leak.h
** ====================================================================== */

/* ======================================================================
** 8. Debugging aids
** ====================================================================== */

/* Check every invariant of the heap (list links, flags, generation
** membership, refcount >= references found inside the heap, the weak
** reference table and its flag, the expect-freed watches and their flag)
** and report each violation to the sink. When the heap has watches, the
** check borrows memory for their list from the allocator hook; if none can
** be had, the watches are not checked. Returns the number of
** violations (0 when consistent); RCGC_EINVAL for NULL; RCGC_EBUSY during a
** collection, inside a traverse, and while objects are being freed by
** refcount (from a finalizer, destroy function or weak reference callback
** of such an object), when objects are off their lists on purpose. */
RCGC_API long rcgc_check_heap(rcgc_heap *heap);

/* Number of misuse reports the heap has emitted since it was created
** (decref below zero, use of a freed object, refcount too small, mutation
** inside traverse, ...). Tests use it to assert a misuse was detected. 0
** for NULL. */
RCGC_API size_t rcgc_misuse_count(rcgc_heap *heap);

/* Write text to the heap's debug sink (printf-style). A NULL heap or fmt
** writes nothing. */
RCGC_API void rcgc_printf(rcgc_heap *heap, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A sink adapter writing to a FILE * (pass the FILE * as write_ud); a NULL
** file writes to stderr. */
RCGC_API void rcgc_write_file(void *file, const char *text, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* RCGC_H */
