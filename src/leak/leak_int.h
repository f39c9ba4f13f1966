/*
** leak_int.h -- internal interface shared by the leak-hunting files
** (leak.c, leak_graph.c, leak_report.c, snapshot.c). Not public API.
**
** The heap graph ("hg")
** ---------------------
** Every leak-hunting analysis first takes a picture of the heap as an
** rcgc__graph (src/graph.h): one node per live object, numbered in list order
** (gens[0], gens[1], gens[2], permanent, untracked), one edge per reference
** reported by a traverse function (strong, named when traverse named it) and
** one WEAK edge "referent" from each live weak reference object to its
** referent. Nothing else of the heap is modified; the picture is taken with
** no user code but traverse functions running, and after it is taken the
** heap's headers are exactly as before (see rcgc__hg_build in leak_graph.c).
**
** Per node the picture also records:
**   objs[v]      the object's header (borrowed: valid while the heap is
**                not mutated);
**   ext[v]       refcount - internal (internal: strong references to it
**                found inside the heap) (references from outside the heap: C
**                locals, globals, the garbage list); 0 when the refcount is
**                smaller than the references found (an inconsistency, counted
**                in 'inconsistent');
**   garb[v]      how many of the external references are the garbage list's.
** g.roots lists the nodes with ext > 0 in node order, g.root_extrefs their
** ext.
**
** Memory: every array goes through the heap's allocator hook as a scratch
** block (graph.h): the picture's own arrays via rcgc__leak_alloc, the
** rcgc__graph's via graph.c; blocks record their sizes, so the hook always
** learns the true size.
**
** Building it costs three walks of the heap lists (count, number, restore)
** and one traverse call per object; the references' targets are recognised
** by a marker in their header, which on 64-bit platforms also counts the
** references found (no per-reference access to any array but the edges').
**
** Threads
** -------
** Every public call of this layer starts as the core's do (internal.h,
** ENTER): its out parameters reset, a NULL heap (and, for some, a NULL
** required argument) refused, then the heap claimed for the calling thread
** before any of its state is read -- in checking builds a second thread is
** reported and refused with RCGC_ETHREAD, NULL or nothing -- and released
** (LEAVE) before it returns. The work is done between the two by a static
** function, which the print calls use in place of the public ones (named
** after the call without its prefix, e.g. histogram, print_roots; shared:
** roots_scan, leak_cycles, dominators), or, in the shortest calls
** (rcgc_leak_free, rcgc_leak_why, the two snapshot calls), in the public
** call itself. The claim counts nesting on its owner thread, so the core
** calls made while it is held (rcgc_collect from rcgc_leak_explain_collect
** and rcgc_expect_freed_check, rcgc_leak_snapshot from
** rcgc_leak_snapshot_file) claim it again without a report.
*/
#ifndef RCGC_LEAK_INT_H
#define RCGC_LEAK_INT_H

#include "graph.h"
#include "internal.h"
#include "rcgc_leak.h"

/* The opening and the claim of a public call (see Threads above): reset
** the result and its count, and run the static function 'call', an
** expression of type 'type' (int or long), with the heap claimed --
** returning RCGC_EINVAL for a NULL heap and RCGC_ETHREAD when another
** thread is inside (internal.h, RETURN_CLAIMED). CLAIMED returns from the
** public call. */
#define RESET_RESULT(result, count)                                            \
  do {                                                                         \
    if ((result) != NULL)                                                      \
      *(result) = NULL;                                                        \
    if ((count) != NULL)                                                       \
      *(count) = 0;                                                            \
  } while (0)
#define CLAIMED(type, heap, call) RETURN_CLAIMED(type, (heap), RCGC_EINVAL, RCGC_ETHREAD, (call))

/* ---------------------------------------------------------------- memory */
/* Scratch blocks (graph.h, rcgc__scratch_alloc) through the heap's allocator
** hook. rcgc__leak_alloc returns NULL on overflow or failure; rcgc__leak_free
** accepts NULL. */
void *rcgc__leak_alloc(rcgc_heap *heap, size_t count, size_t size);
void *rcgc__leak_calloc(rcgc_heap *heap, size_t count, size_t size);
void rcgc__leak_free(rcgc_heap *heap, void *p);
/* Resize a rcgc__leak_alloc block (p may be NULL); NULL on failure, p unchanged. */
void *rcgc__leak_realloc(rcgc_heap *heap, void *p, size_t count, size_t size);
/* The adapter graph.c calls (ud = heap): a pass-through to the hook. */
void *rcgc__leak_graph_alloc(void *ud, void *ptr, size_t old_size, size_t new_size);

/* ---------------------------------------------------------------- output */
/* The writer of one call (rcgc_leak.h, "Output"): text is gathered in a
** buffer and handed to the writer, as a user callback, in pieces that end
** at a line end (a line longer than the buffer excepted). The buffering is
** graph.h's rcgc__gout 'g'; its writer calls 'write' as a user callback. */
typedef struct rcgc__leak_out {
  rcgc__gout g;
  rcgc_heap *heap;
  rcgc_write_fn write; /* resolved: never NULL */
  void *ud;
} rcgc__leak_out;

/* Resolve the writer (NULL: the heap's sink, or stderr) over buf[cap]. */
void rcgc__out_init(rcgc__leak_out *o, rcgc_heap *heap, rcgc_write_fn write, void *ud,
                    char *buf, size_t cap);
void rcgc__out_put(rcgc__leak_out *o, const char *s, size_t n);
void rcgc__out_puts(rcgc__leak_out *o, const char *s);
/* printf into the buffer; a piece longer than the whole buffer is cut. */
void rcgc__out_printf(rcgc__leak_out *o, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Hand over what is left. Returns RCGC_EIO when the writer is
** rcgc_write_file and its FILE * is in error, else RCGC_OK. */
int rcgc__out_finish(rcgc__leak_out *o);
/* Size of the buffer the text reports use (on the C stack). */
#define RCGC__OUT_BUF 4096

/* The one description of an object in every text of this layer:
** rcgc__leak_describe gives "<Type 0x...> repr" (" repr" only when the type
** has a repr function), rcgc__leak_repr the repr alone ("<Type 0x...>" for a
** type without one); a repr that fails gives "". Both run repr as a user
** callback, write at most cap - 1 bytes and a NUL, and return the length.
** rcgc__out_obj / rcgc__out_repr write the same, cut at RCGC__DESC_BUF. */
#define RCGC__DESC_BUF 600
size_t rcgc__leak_describe(rcgc_heap *heap, const head_t *h, char *buf, size_t cap);
size_t rcgc__leak_repr(rcgc_heap *heap, const head_t *h, char *buf, size_t cap);
void rcgc__out_obj(rcgc__leak_out *o, const head_t *h);
void rcgc__out_repr(rcgc__leak_out *o, const head_t *h);

/* ---------------------------------------------------------------- errors */
int rcgc__leak_err(int code); /* RCGC_G_* -> RCGC_* */
/* RCGC_EINVAL / RCGC_EBUSY when the heap cannot be examined now, else 0. */
int rcgc__leak_check_state(rcgc_heap *heap);


/* ---------------------------------------------------------------- graph */
enum {
  HG_EDGES = 1u,   /* build the CSR edges (else only internal counts) */
  HG_NAMES = 2u    /* intern edge names (else edges are unnamed) */
};

typedef struct rcgc__hg_t {
  rcgc_heap *heap;
  rcgc__graph g;
  uint32_t n;
  head_t **objs;      /* [n] */
  uint64_t *ext;      /* [n] */
  uint32_t *garb;     /* [n] */
  uint32_t *garbage_nodes; /* [ngarbage_nodes] garbage list entries, list order */
  uint32_t ngarbage_nodes;
  size_t inconsistent;  /* objects whose refcount < references found */
  size_t foreign;       /* references to objects not on the heap's lists */
  uint32_t referent_name; /* string index of "referent" (weak edges) */
  const char **name_ptr;  /* [name_ptr_cap] string index -> the static
                          ** string traverse passed (edge names only) */
  uint32_t name_ptr_cap;
  uint32_t list_start[HEAP_NLISTS + 1]; /* nodes of heap list l are
                          ** [list_start[l], list_start[l+1]): heap_lists() order */
} rcgc__hg_t;

/* Take the picture. Returns RCGC_OK, RCGC_ENOMEM (nothing left to free),
** RCGC_EBUSY. */
int rcgc__hg_build(rcgc_heap *heap, unsigned what, rcgc__hg_t *hg);
void rcgc__hg_free(rcgc__hg_t *hg);
/* Node of 'obj', or RCGC_G_NONE (binary search is not possible: linear scan,
** O(n); callers look up a handful of objects). */
uint32_t rcgc__hg_find(const rcgc__hg_t *hg, const void *obj);
/* Look up many objects at once (the queries sorted by address, then one
** binary search per node): out[i] = node or RCGC_G_NONE. Returns RCGC_OK or
** RCGC_ENOMEM. */
int rcgc__hg_find_many(const rcgc__hg_t *hg, void *const *objs, size_t n, uint32_t *out);

/* The "collector view": mask[v] = 1 for objects a full collection would
** find unreachable; with list_is_root == 0, as if the garbage list held
** nothing (rcgc.h, RCGC_LEAK_GARBAGE). Returns RCGC_OK / RCGC_ENOMEM; *mask
** from rcgc__leak_alloc. */
int rcgc__hg_garbage_mask(const rcgc__hg_t *hg, int list_is_root, uint8_t **mask, size_t *count);
/* Uncollectable part of a garbage mask: reason[v] = the node of the legacy
** finalizer object whose reachability keeps v (RCGC_G_NONE: collectable or
** outside the mask). Returns RCGC_OK / RCGC_ENOMEM; *reason from
** rcgc__leak_alloc; *count = number of uncollectable nodes. */
int rcgc__hg_uncollectable(const rcgc__hg_t *hg, const uint8_t *mask, uint32_t **reason, size_t *count);
/* The caller's static string for edge-name string index nm. */
const char *rcgc__hg_edge_name_ptr(const rcgc__hg_t *hg, uint32_t nm);

/* ---------------------------------------------------------------- paths */
/* Print "why" for node 'target' of a picture built with HG_EDGES (k
** shortest retaining paths, or why no root retains it). Returns the number
** of paths, or a negative error. */
long rcgc__hg_print_why(const rcgc__hg_t *hg, uint32_t target, size_t k, rcgc__leak_out *f,
                        const char *indent);

/* ---------------------------------------------------------------- watches */
/* The watched objects still alive, in watch order: fills objs/labels (each
** of rcgc__leak_alloc'd arrays of *n entries). Returns RCGC_OK or
** RCGC_ENOMEM. */
int rcgc__leak_watched(rcgc_heap *heap, void ***objs, const char ***labels, size_t *n);

#endif /* RCGC_LEAK_INT_H */
