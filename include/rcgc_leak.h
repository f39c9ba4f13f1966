/*
** rcgc_leak.h -- leak hunting for rcgc heaps: roots, why an object is
** alive, reference cycles, growth between marks, dominators and retained
** sizes, Graphviz pictures and Chrome DevTools heap snapshots.
**
** This header is the specification of these calls; rcgc.h (which it
** includes) is the specification of everything else. It reads top-down:
**
**   0. the conventions every call of this header follows
**   1. roots                      5. dominators and retained size
**   2. why is it alive            6. expect freed
**   3. reference cycles           7. pictures (Graphviz DOT)
**   4. growth                     8. heap snapshots
**
** rcgc.h does not include this header: a program that only manages objects
** does not see these declarations, and a program that hunts leaks says so by
** including rcgc_leak.h. (No compatibility is lost by the split: every call
** that writes text changed its signature when it moved here, so an include
** kept in rcgc.h would keep no older caller compiling.)
**
** ---- 0. Conventions ----
**
** Output. Every call that writes (the rcgc_leak_print_* calls,
** rcgc_leak_explain_collect, rcgc_expect_freed_check, rcgc_leak_dot and
** rcgc_leak_snapshot) takes a writer and its argument as its last two
** parameters, (rcgc_write_fn write, void *write_ud) -- the type of the
** heap's debug sink, rcgc.h section 3:
**  - write == NULL writes to the heap's sink (rcgc_config.write and
**    write_ud; stderr when the heap has none), so a program that routes the
**    sink to its logger gets every diagnostic of this header there too;
**  - to write to a FILE *, pass rcgc_write_file (rcgc.h section 8) and the
**    FILE * as write_ud;
**  - the writer runs as a user callback of the heap, as the sink does: it
**    may not call the library on that heap;
**  - text is handed over in pieces that end at a line end (a line longer
**    than the call's buffer excepted: 4 KiB, 64 KiB for a heap snapshot);
**  - a rcgc_write_fn cannot report a failure: RCGC_EIO is returned when the
**    writer is rcgc_write_file (given, or the default sink writing to
**    stderr) and its FILE * has its error indicator set after the call.
** Text is one item per line, objects written as "<Type 0x...> repr".
**
** Ownership. Every result is one block, released by one call,
** rcgc_leak_free: roots, paths with their steps, cycle sets with their
** members and edges, histograms, growth lists, the array of objects
** allocated since a mark, retainers, and marks. No result holds a
** reference: object pointers in results are BORROWED, valid until the heap
** is next mutated (a decref may free them), so releasing a result changes
** no refcount. (An rcgc_list of rcgc.h section 5 is different: it holds
** strong references, its release call drops them, and while it is alive the
** calls below count its references as references from outside.) Edge names
** point to the static strings traverse passed.
**
** Every call takes a picture of the heap (objects, the references their
** traverse functions report, weak references), answers from it and throws
** it away. Rules common to all of them:
**
**  - They never allocate managed objects, never change a refcount, a
**    generation, a count or a statistic, and never run a collection (except
**    rcgc_leak_explain_collect and rcgc_expect_freed_check with
**    RCGC_EXPECT_COLLECT, which say so). Their own memory (flat arrays,
**    linear in the heap) comes from the heap's allocator hook and is
**    returned before they return, except the result blocks they hand out.
**  - They call traverse functions (and repr functions for text output, the
**    filter callbacks of rcgc_leak_dot, the writer); none of these may
**    mutate the heap. Nothing recurses: a 10-million-long chain costs
**    memory, not C stack.
**  - Legal outside collections, from finalizers and destroy functions run
**    by a refcount drop included; RCGC_EBUSY while a collection runs (its
**    callbacks and finalizers included) or from inside a traverse function;
**    RCGC_EINVAL for a NULL heap or a required NULL argument, and for an
**    object argument that is itself being freed by refcount (from its own
**    finalizer or destroy function: it is on no list, so in no picture;
**    reported, rule "object being freed"); RCGC_ENOMEM when memory is
**    short (nothing is then left allocated); RCGC_EIO as above.
**  - Threads: like every call of rcgc.h they need the heap to themselves
**    (one thread per heap at a time), and checking builds check it as
**    rcgc.h's calls do: once a NULL heap (and, for some calls, another NULL
**    argument) is refused, each call claims the heap before it reads any of
**    its state. A call made while another thread is inside the heap is
**    reported ("heap used by two threads") and refused, changing nothing
**    and writing nothing: it returns RCGC_ETHREAD (NULL from
**    rcgc_leak_mark_new; rcgc_leak_free releases nothing), its out
**    parameters set to NULL / 0 as for any error.
**
** Definitions used throughout:
**  - internal references of X: strong references to X reported by the
**    traverse function of any live object (tracked, untracked or frozen);
**  - external references of X: refcount(X) - internal references (C locals,
**    globals, containers the library does not see, and the garbage list);
**  - roots: the objects with external references > 0 -- in a refcounted
**    world, the true roots;
**  - retained: reachable from a root along strong references. Weak
**    references never retain and never appear on a retaining path.
*/
#ifndef RCGC_LEAK_H
#define RCGC_LEAK_H

#include "rcgc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Release a result block returned by any call of this header (NULL is
** ignored). A NULL heap does nothing, nor does a call refused because
** another thread is inside the heap (checking builds, section 0): the block
** stays the caller's, to be released through its heap. */
RCGC_API void rcgc_leak_free(rcgc_heap *heap, void *result);

/* ---- 1. roots ---- */
typedef struct rcgc_leak_root {
  void *obj;                /* borrowed */
  size_t refcount;
  size_t internal;          /* references found inside the heap */
  size_t external;          /* refcount - internal, > 0 */
  size_t garbage_list;      /* how many of 'external' the garbage list holds */
} rcgc_leak_root;

/* Every root, in heap-list order (generations 0, 1, 2, permanent,
** untracked). *out (release with rcgc_leak_free) receives *count entries;
** both are set to NULL / 0 on error. Returns RCGC_OK or an error. */
RCGC_API int rcgc_leak_roots(rcgc_heap *heap, rcgc_leak_root **out, size_t *count);
/* Write the roots, one line each:
**   <Graph 0x...> Graph(one): refcount 3, 1 from inside, 2 from outside
** (", 1 of them the garbage list" appended when it holds some) and a
** summary line "N roots among M objects". Returns N (>= 0) or an error. */
RCGC_API long rcgc_leak_print_roots(rcgc_heap *heap, rcgc_write_fn write, void *write_ud);

/* ---- 2. why is it alive ---- */
typedef struct rcgc_leak_step {
  void *obj;                /* borrowed */
  const char *edge;         /* name of the reference from the previous step's
                            ** object to this one (NULL: unnamed, or step 0) */
  size_t slot;              /* position of that reference among the ones the
                            ** previous object's traverse reports */
} rcgc_leak_step;

typedef struct rcgc_leak_path {
  size_t nsteps;            /* >= 1; steps[0] is a root, the last is the target */
  rcgc_leak_step *steps;
  size_t root_external;     /* external references of steps[0].obj */
} rcgc_leak_path;

/* Up to 'k' (>= 1) shortest retaining paths from a root to 'obj', over
** strong references only. The first is a shortest path; further ones end
** with distinct last references (the object's k closest retainers, as
** Chrome's Retainers view), each path simple. A root yields one path of
** one step. Returns RCGC_OK with *npaths >= 1; RCGC_ENOTFOUND when no root
** retains 'obj' (it is cyclic garbage, or held only by weak references:
** *npaths = 0); RCGC_EINVAL for a NULL/invalid object or k == 0. */
RCGC_API int rcgc_leak_why(rcgc_heap *heap, void *obj, size_t k, rcgc_leak_path **paths,
                           size_t *npaths);
/* Text form:
**   why is <Graph 0x...> Graph(two) alive? 1 retaining path
**   path 1, 1 reference:
**     <Graph 0x...> Graph(one) (root: 2 references from outside)
**     --next--> <Graph 0x...> Graph(two)
** Unnamed references print as --[slot]-->. For an unretained object one
** line says it is unreachable and whether a collection would free it.
** Returns the number of paths printed (0 when unreachable) or an error. */
RCGC_API long rcgc_leak_print_why(rcgc_heap *heap, void *obj, size_t k, rcgc_write_fn write,
                                   void *write_ud);

/* ---- 3. reference cycles ---- */
typedef enum rcgc_leak_scope {
  /* The objects a full collection would find unreachable if the garbage
  ** list held nothing: tracked, non-frozen objects not reachable from a
  ** root (the garbage list not counted as a root) nor from an untracked or
  ** frozen object. Covers both fresh cyclic garbage and what the garbage
  ** list holds. */
  RCGC_LEAK_GARBAGE = 0,
  /* The objects reachable (strong references) from objs[0..n-1]. */
  RCGC_LEAK_REACHABLE = 1,
  /* Every live object. */
  RCGC_LEAK_HEAP = 2
} rcgc_leak_scope;

enum {
  RCGC_LEAK_M_LEGACY = 1u << 0,        /* its type has a legacy finalizer */
  RCGC_LEAK_M_UNCOLLECTABLE = 1u << 1, /* GARBAGE scope: a collection would
                                       ** keep it (a legacy finalizer object
                                       ** of the garbage reaches it: 'reason') */
  RCGC_LEAK_M_GARBAGE_LIST = 1u << 2,  /* the garbage list holds it */
  RCGC_LEAK_M_FINALIZED = 1u << 3,     /* its modern finalizer already ran */
  RCGC_LEAK_M_ROOT = 1u << 4           /* it has external references other
                                       ** than the garbage list's */
};

typedef struct rcgc_leak_member {
  void *obj;                /* borrowed */
  unsigned flags;           /* RCGC_LEAK_M_* */
  void *reason;             /* UNCOLLECTABLE: the legacy-finalizer object
                            ** that keeps it (itself when it has one) */
} rcgc_leak_member;

typedef struct rcgc_leak_edge {
  void *from, *to;          /* both members of the cycle */
  const char *name;         /* NULL when unnamed */
  size_t slot;
} rcgc_leak_edge;

typedef struct rcgc_leak_cycle {
  size_t nmembers;          /* members in heap-list order */
  rcgc_leak_member *members;
  size_t nedges;            /* the strong references between members: the
                            ** edges that close the cycle(s) */
  rcgc_leak_edge *edges;
  int source;               /* 1: no other object of the scope references
                            ** it -- it keeps the rest alive (refcycle's key
                            ** cycles); fix these first */
} rcgc_leak_cycle;

typedef struct rcgc_leak_cycle_set {
  size_t ncycles;           /* strongly connected components that contain a
                            ** cycle: sources first, then more members
                            ** first, then in heap-list order of their first
                            ** member (rcgc-inspect's "cycles" lists the
                            ** same order) */
  rcgc_leak_cycle *cycles;
  size_t nobjects;          /* objects in the scope */
  size_t nuncollectable;    /* GARBAGE scope: objects a collection keeps */
} rcgc_leak_cycle_set;

/* Reference cycles (strongly connected components over strong references,
** weak ones ignored) among the objects of 'scope'; 'objs'/'n' only for
** RCGC_LEAK_REACHABLE. *out is one block for rcgc_leak_free. RCGC_EINVAL
** for an unknown scope or an invalid object. */
RCGC_API int rcgc_leak_cycles(rcgc_heap *heap, rcgc_leak_scope scope, void *const *objs,
                              size_t n, rcgc_leak_cycle_set **out);
/* Text form, per cycle:
**   cycle 1 of 2: 2 objects, 2 references [source]
**     <Graph 0x...> Graph(one) [uncollectable: legacy finalizer of <...>]
**     <Graph 0x...> Graph(two)
**     Graph(one) --next--> Graph(two)
**     Graph(two) --prev--> Graph(one)
** At most 'limit' members and 'limit' references per cycle (0: 50), then
** "... N more". Returns the number of cycles or an error. */
RCGC_API long rcgc_leak_print_cycles(rcgc_heap *heap, rcgc_leak_scope scope,
                                     void *const *objs, size_t n, size_t limit,
                                     rcgc_write_fn write, void *write_ud);

/* What a full collection did, for leak hunting: runs rcgc_collect(heap, 2)
** (the only call of this header that changes the heap) and writes
** the objects it found unreachable but could not free -- uncollectable
** ones with the legacy-finalizer object that keeps each, and resurrected
** ones: for each, the finalizers that ran in this collection on members of
** its garbage (the candidates for having resurrected it, its own first)
** and its retaining path now. Needs allocation serials (RCGC_CONFIG_SERIALS
** or a debug build) to tell a survivor from a new object at a reused
** address: without them RCGC_ENOTSUP and nothing is collected. Returns
** rcgc_collect's result (>= 0) or an error. */
RCGC_API long rcgc_leak_explain_collect(rcgc_heap *heap, rcgc_write_fn write, void *write_ud);

/* ---- 4. growth ---- */
typedef struct rcgc_leak_type_stat {
  const rcgc_type *type;
  const char *name;         /* type->name */
  size_t count;             /* live objects of the type */
  size_t bytes;             /* their memory: header, serial prefix, data */
} rcgc_leak_type_stat;

/* Live objects per type, sorted by bytes, then count (descending), then
** name. Needs no traverse call. Returns RCGC_OK or an error. */
RCGC_API int rcgc_leak_histogram(rcgc_heap *heap, rcgc_leak_type_stat **out, size_t *count);
/* Text: "<count> <bytes> <name>" rows under a header, the 'limit' largest
** (0: all), then a total line. Returns the number of types or an error. */
RCGC_API long rcgc_leak_print_histogram(rcgc_heap *heap, size_t limit, rcgc_write_fn write,
                                         void *write_ud);

/* A mark: the per-type counts and bytes and the allocation serial at the
** moment it is taken. Marks are independent of one another and of the
** heap's state (no "peak" is remembered: see rcgc_leak_growth). Returns
** NULL on NULL heap, EBUSY conditions, a call refused because another
** thread is inside the heap (section 0) or memory shortage. A mark is one
** block holding no object: release it with rcgc_leak_free. */
typedef struct rcgc_leak_mark rcgc_leak_mark;
RCGC_API rcgc_leak_mark *rcgc_leak_mark_new(rcgc_heap *heap);

typedef struct rcgc_leak_growth {
  const rcgc_type *type;
  const char *name;
  size_t count_then, count_now;
  size_t bytes_then, bytes_now;
  long long count_delta;    /* count_now - count_then, either sign */
  long long bytes_delta;
} rcgc_leak_growth;

/* Growth since 'mark': for every type whose count or bytes differ between
** the mark and now, count(now) - count(at mark) and the same for bytes,
** both signs reported (a type that shrank is listed with a negative delta;
** an unchanged one is omitted). Sorted by |count delta| descending, then
** |bytes delta| descending, then name (rcgc-inspect's "diff" lists the
** same order). Unlike objgraph's show_growth there is no peak:
** the same mark can be compared any number of times. */
RCGC_API int rcgc_leak_growth_since(rcgc_heap *heap, const rcgc_leak_mark *mark,
                                    rcgc_leak_growth **out, size_t *count);
/* Text, objgraph style: "<name> <count_now> <+delta> <bytes_now> <+bytes>"
** per type ('limit' rows, 0: all). Returns the number of types listed. */
RCGC_API long rcgc_leak_print_growth(rcgc_heap *heap, const rcgc_leak_mark *mark,
                                     size_t limit, rcgc_write_fn write, void *write_ud);
/* The live objects allocated after 'mark' was taken, by allocation serial
** (not by address, so a reused address is never mistaken for an old
** object), in serial order. RCGC_ENOTSUP when the heap records no serials
** (create it with RCGC_CONFIG_SERIALS; debug builds always record them). */
RCGC_API int rcgc_leak_since_mark(rcgc_heap *heap, const rcgc_leak_mark *mark, void ***objs,
                                  size_t *count);
/* Text: per type, the count of new objects, then up to 'limit' (0: 20)
** objects each "#serial <Type 0x...> repr". Returns the number of new
** objects or an error (RCGC_ENOTSUP as above). */
RCGC_API long rcgc_leak_print_since_mark(rcgc_heap *heap, const rcgc_leak_mark *mark,
                                         size_t limit, rcgc_write_fn write,
                                         void *write_ud);

/* ---- 5. dominators and retained size ---- */
typedef struct rcgc_leak_retained {
  void *obj;                /* borrowed */
  void *idom;               /* immediate dominator; NULL when only the
                            ** (virtual) set of all roots dominates it */
  size_t self_bytes;        /* its own memory, as in the histogram */
  size_t retained_bytes;    /* self plus everything it dominates: the memory
                            ** freed if its last reference went away */
} rcgc_leak_retained;

/* Dominator tree over strong references from the roots (Lengauer-Tarjan)
** and the retained size of every retained object, in heap-list order.
** Objects no root retains (cyclic garbage) are left out. */
RCGC_API int rcgc_leak_dominators(rcgc_heap *heap, rcgc_leak_retained **out, size_t *count);
/* The 'k' retained objects with the largest retained size (ties: heap-list
** order), descending. */
RCGC_API int rcgc_leak_top_retainers(rcgc_heap *heap, size_t k, rcgc_leak_retained **out,
                                     size_t *count);
/* Text: "<retained> <self> <Type 0x...> repr" per row. Returns the number
** of rows. */
RCGC_API long rcgc_leak_print_top_retainers(rcgc_heap *heap, size_t k, rcgc_write_fn write,
                                             void *write_ud);

/* ---- 6. expect freed ---- */
/* Watch 'obj': it is expected to be freed soon. 'label' (copied; NULL
** allowed) names it in reports. Watching an object again replaces its
** label. The watch ends when the object is freed. RCGC_EINVAL for an
** invalid object, and for one whose count is 0 (from its own destroy
** function; reported, rule "object being freed"), RCGC_ENOMEM. Legal
** anywhere but inside traverse. */
RCGC_API int rcgc_expect_freed(rcgc_heap *heap, void *obj, const char *label);
/* Stop watching 'obj'. RCGC_ENOTFOUND when it is not watched. */
RCGC_API int rcgc_expect_freed_cancel(rcgc_heap *heap, void *obj);

enum {
  RCGC_EXPECT_COLLECT = 1u, /* run rcgc_collect(heap, 2) first */
  RCGC_EXPECT_QUIET = 2u    /* write nothing: only count */
};

/* Report every watched object still alive, in the order watches were
** made:
**   rcgc: expected freed: "label" <Graph 0x...> Graph(two) refcount 2
**     <Graph 0x...> Graph(one) (root: 1 reference from outside)
**     --next--> <Graph 0x...> Graph(two)
** or, when no root retains it,
**     unreachable: cyclic garbage, the next full collection frees it
** (or "... keeps it: uncollectable" when a legacy finalizer holds it).
** Watches stay in place. Returns the number of watched objects alive;
** RCGC_EINVAL for unknown flags (nothing is collected or written). */
RCGC_API long rcgc_expect_freed_check(rcgc_heap *heap, unsigned flags, rcgc_write_fn write,
                                       void *write_ud);

/* ---- 7. pictures (Graphviz DOT) ---- */
typedef int (*rcgc_leak_pred_fn)(void *obj, void *ud);

enum {
  RCGC_LEAK_DOT_BACKREFS = 1u, /* follow referrers (show_backrefs), not referents */
  RCGC_LEAK_DOT_NO_WEAK = 2u,  /* leave weak references out (else dashed) */
  RCGC_LEAK_DOT_REFCOUNTS = 4u /* add "refcount N (M from outside)" to labels */
};

typedef struct rcgc_leak_dot_opts {
  unsigned flags;           /* RCGC_LEAK_DOT_* */
  size_t max_depth;         /* references away from the start objects */
  size_t too_many;          /* neighbours drawn per object; the rest become
                            ** one "N more references" box; 0: unlimited */
  rcgc_leak_pred_fn filter; /* NULL, or 0 = leave the object out (the start
                            ** objects are always drawn) */
  rcgc_leak_pred_fn highlight; /* NULL, or non-zero = fill light blue */
  void *ud;                 /* passed to filter and highlight */
} rcgc_leak_dot_opts;

/* Write a DOT picture of the objects around objs[0..n-1] (objgraph's
** show_refs / show_backrefs): breadth-first to max_depth, edge labels are
** reference names, start objects in red, labels "Type\nrepr" (repr lines
** from the type's repr function). 'opts' NULL: depth 3, too_many 10.
** Returns RCGC_OK or an error (RCGC_EINVAL for an invalid object). */
RCGC_API int rcgc_leak_dot(rcgc_heap *heap, void *const *objs, size_t n,
                           const rcgc_leak_dot_opts *opts, rcgc_write_fn write,
                           void *write_ud);

/* ---- 8. heap snapshots (Chrome DevTools .heapsnapshot) ---- */
/* Write the whole heap in the JSON format of Chrome DevTools' heap
** snapshots (opened by Chrome/Edge DevTools, VS Code, memlab, rcgc-inspect):
**  - node 0 is a synthetic root "(rcgc roots)" with an "element" edge to
**    every object held from outside the heap other than by the garbage
**    list, and a "property" edge "garbage" to node 1, the synthetic
**    "(garbage)", whose "element" edges reach the garbage list's entries;
**  - then one node per live object, type "object", name = its C type name,
**    self_size = its memory (as in the histogram), id = 2 x serial + 1 when
**    the heap records serials (stable across snapshots of the heap, so
**    DevTools' Comparison view and memlab diffs match objects; ids stay
**    below 2^32, as those tools read them: serials past 2^31 - 2 wrap
**    around to 3, 5, ...), else 2 x (position in this snapshot) + 1 (not
**    comparable across files);
**    the root has id 1 (V8's root id: memlab and DevTools treat it as the
**    root) and "(garbage)" id 2, ids no object gets;
**  - edges in node order: named references are "property" edges with
**    their name, unnamed ones "element" edges indexed by their slot, and a
**    weak reference object has a "weak" edge "referent" to its referent.
** Returns RCGC_OK or an error. */
RCGC_API int rcgc_leak_snapshot(rcgc_heap *heap, rcgc_write_fn write, void *write_ud);
/* The same into the file at 'path' (created or truncated). RCGC_EIO when it
** cannot be opened or written. */
RCGC_API int rcgc_leak_snapshot_file(rcgc_heap *heap, const char *path);

#ifdef __cplusplus
}
#endif
#endif /* RCGC_LEAK_H */
