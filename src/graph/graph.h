/*
** graph.h -- internal graph algorithms over a flat CSR object graph.
**
** NOT public API. Used by the library's leak-hunting code (which builds a
** graph from the live heap), by the CPython extension (python/, which
** builds one from the Python heap) and by rcgc-inspect (which builds one
** from a .heapsnapshot file). graph.c and heapsnap.c depend on the C
** library only.
**
** The graph
** ---------
** Nodes are numbered 0..n-1 (uint32_t). Per node: self_size (bytes), name
** (an index into the graph's string table: the type name), id (a stable
** 64-bit id: allocation serial / V8 node id). Out-edges in CSR form: the
** edges of node v are the indices e in [edge_start[v], edge_start[v+1]);
** edge_to[e] is the target, edge_name[e] the edge's name (string index, or
** RCGC_G_NONE for unnamed / element edges), edge_flags[e] a set of RCGC_G_EDGE_*
** bits. edge_name and edge_flags may be NULL (all unnamed / all strong).
** Edge indices are size_t; the order of a node's edges is preserved.
**
** Roots: an array of node indices ('roots', 'nroots'), each with an optional
** "external reference count" (root_extrefs, may be NULL): in rcgc a root is
** an object whose refcount exceeds the references found inside the heap;
** for a V8 snapshot the single root is node 0 (the synthetic root). Every
** algorithm that needs "the root" uses a VIRTUAL super-root with one edge to
** each entry of 'roots'.
**
** WEAK edges (RCGC_G_EDGE_WEAK) never retain: BFS, dominators and reachability
** ignore them. SCC ignores them unless asked otherwise.
**
** Memory: every array is flat and allocated through the graph's allocator
** (NULL = realloc/free). Every algorithm is iterative (no recursion: graphs
** can be 10^7-deep chains) and uses O(V+E) memory. Functions that allocate
** return 0 on success or RCGC_G_ENOMEM / RCGC_G_EINVAL; on failure their output
** is left zeroed (nothing to free, freeing it is still harmless).
**
** Ownership: rcgc__graph_free frees every non-NULL array of the graph and the
** string table (each string was copied in by rcgc__graph_add_string /
** rcgc__graph_intern). Result structs are freed with their own *_free
** function, which accepts a zeroed struct.
*/
#ifndef RCGC_GRAPH_H
#define RCGC_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#define RCGC_G_NONE UINT32_MAX          /* no node / no name / unreachable */
#define RCGC_G_VROOT (UINT32_MAX - 1u)  /* the virtual super-root (idom only) */
#define RCGC_G_NO_EDGE SIZE_MAX         /* no edge */

#define RCGC_G_EDGE_WEAK 1u             /* edge_flags bit: does not retain */

/* Error codes: the same numbers as the library's RCGC_OK, RCGC_EINVAL and
** RCGC_ENOMEM (include/rcgc.h), so a graph error passes through unchanged. */
enum { RCGC_G_OK = 0, RCGC_G_EINVAL = -1, RCGC_G_ENOMEM = -2 };

/* Allocator: same contract as rcgc_alloc_fn. new_size == 0 frees 'ptr' and
** returns NULL; otherwise behaves like realloc (old_size is informative). */
typedef void *(*rcgc__gmem_fn)(void *ud, void *ptr, size_t old_size,
                              size_t new_size);

typedef struct rcgc__graph {
  uint32_t n;              /* number of nodes */
  size_t m;                /* number of edges */
  uint64_t *self_size;     /* [n] */
  uint32_t *name;          /* [n] string index (RCGC_G_NONE: no name) */
  uint64_t *id;            /* [n] stable id (may be NULL: id = index) */
  size_t *edge_start;      /* [n+1] CSR offsets, edge_start[n] == m */
  uint32_t *edge_to;       /* [m] */
  uint32_t *edge_name;     /* [m] string index or RCGC_G_NONE; may be NULL */
  uint8_t *edge_flags;     /* [m] RCGC_G_EDGE_* bits; may be NULL */

  uint32_t nroots;
  uint32_t *roots;         /* [nroots] node indices (duplicates allowed) */
  uint64_t *root_extrefs;  /* [nroots] external refs per root; may be NULL */

  uint32_t nstrings;       /* string table: strings[i], NUL-terminated */
  uint32_t strings_cap;
  char **strings;
  uint32_t *strhash;       /* intern hash (open addressing), internal */
  uint32_t strhash_cap;
  uint32_t strhash_used;   /* entries in strhash */

  rcgc__gmem_fn alloc;      /* NULL: realloc/free */
  void *alloc_ud;
} rcgc__graph;

/* Initialise 'g' empty with the given allocator (fn may be NULL). */
void rcgc__graph_init(rcgc__graph *g, rcgc__gmem_fn fn, void *ud);
/* Free every array and string of 'g' and re-initialise it empty (the
** allocator is kept). */
void rcgc__graph_free(rcgc__graph *g);

/* Scratch blocks: flat arrays through an allocator (fn NULL: realloc/free),
** each carrying a 16-byte prefix that records its size, so the allocator
** always receives a block's true size on resize and free although callers
** never pass it. The one implementation of this, used by the graph's arrays
** (the rcgc__gmem_* calls below) and by the library's leak-hunting layer
** (with the heap's allocator hook). rcgc__scratch_alloc and _realloc
** return NULL on failure or when count * size overflows (a resized block
** is then unchanged); count * size may be 0; rcgc__scratch_free accepts
** NULL. */
void *rcgc__scratch_alloc(rcgc__gmem_fn fn, void *ud, size_t count, size_t size);
void *rcgc__scratch_realloc(rcgc__gmem_fn fn, void *ud, void *p, size_t count, size_t size);
void rcgc__scratch_free(rcgc__gmem_fn fn, void *ud, void *p);

/* Allocation helpers through the graph's allocator. rcgc__gmem_alloc returns NULL
** on failure or size overflow (count * size); rcgc__gmem_free accepts NULL and
** passes the block's true size to the allocator. Only blocks from these
** helpers may be handed to rcgc__gmem_free or stored in a graph. */
void *rcgc__gmem_alloc(const rcgc__graph *g, size_t count, size_t size);
void *rcgc__gmem_calloc(const rcgc__graph *g, size_t count, size_t size);
void rcgc__gmem_free(const rcgc__graph *g, void *p);
/* Resize a block of rcgc__gmem_alloc (p may be NULL) to count * size bytes; NULL
** on failure or overflow (p is then unchanged). The allocator always
** receives the block's true old size (each block records its size). */
void *rcgc__gmem_realloc(const rcgc__graph *g, void *p, size_t count, size_t size);

/* Append a copy of 's' (len bytes, need not be NUL-terminated) to the
** string table without deduplication; returns its index, or RCGC_G_NONE when
** out of memory. Snapshot readers use it to keep the file's numbering. */
uint32_t rcgc__graph_add_string(rcgc__graph *g, const char *s, size_t len);
/* Return the index of a string equal to 's' (NUL-terminated), adding it if
** absent; RCGC_G_NONE when out of memory. Only strings added through
** rcgc__graph_intern are found (add_string bypasses the hash). */
uint32_t rcgc__graph_intern(rcgc__graph *g, const char *s);
/* The string with index i, or "" for RCGC_G_NONE / out of range. */
const char *rcgc__graph_str(const rcgc__graph *g, uint32_t i);
/* Node helpers: name string of node v, and its id (index if id == NULL). */
const char *rcgc__node_name(const rcgc__graph *g, uint32_t v);
uint64_t rcgc__node_id(const rcgc__graph *g, uint32_t v);
/* Edge helpers: source node of edge e (binary search, O(log n)), whether
** edge e is weak. */
uint32_t rcgc__edge_from(const rcgc__graph *g, size_t e);
int rcgc__edge_is_weak(const rcgc__graph *g, size_t e);

/* ---------------------------------------------------------------- builder
** Build a graph from nodes and an edge list given in any order. Nodes are
** added first (index = order of addition); edges may reference any node
** added before rcgc__builder_finish. finish() sorts edges by source with a
** stable counting sort (O(V+E), so a node's edges keep their order) and
** moves everything into 'g' (roots are set separately with
** rcgc__graph_set_roots). Edges appended in source order skip the sort. */
typedef struct rcgc__builder {
  rcgc__graph *g;            /* target graph: node arrays grow in place */
  uint32_t node_cap;
  size_t nedges, edge_cap;
  uint32_t *e_from, *e_to, *e_name;
  uint8_t *e_flags;
  int sorted;              /* edges so far are in nondecreasing source order */
  int failed;              /* an allocation failed: finish returns ENOMEM */
} rcgc__builder;

/* Start building into 'g' (which must be empty, initialised). */
void rcgc__builder_init(rcgc__builder *b, rcgc__graph *g);
/* Add a node; returns its index or RCGC_G_NONE on out of memory. 'name' is a
** string index of b->g (use rcgc__graph_intern). */
uint32_t rcgc__builder_node(rcgc__builder *b, uint64_t id, uint32_t name,
                          uint64_t self_size);
/* Add an edge from -> to; returns 0 or RCGC_G_ENOMEM. */
int rcgc__builder_edge(rcgc__builder *b, uint32_t from, uint32_t to,
                     uint32_t name, uint8_t flags);
/* Produce the CSR arrays in b->g. Returns 0, RCGC_G_ENOMEM (an earlier or
** this allocation failed), or RCGC_G_EINVAL (an edge endpoint >= n). The
** builder's temporary arrays are freed in every case. */
int rcgc__builder_finish(rcgc__builder *b);
/* Abandon a build: free temporaries (the graph keeps what it has). */
void rcgc__builder_abort(rcgc__builder *b);

/* Copy 'nroots' root indices (and extrefs, may be NULL) into g. Returns 0,
** RCGC_G_ENOMEM, or RCGC_G_EINVAL when a root index >= n. */
int rcgc__graph_set_roots(rcgc__graph *g, const uint32_t *roots,
                        const uint64_t *extrefs, uint32_t nroots);

/* Check CSR consistency (offsets monotone, edge_start[n] == m, targets in
** range, roots in range). Returns 0 or RCGC_G_EINVAL. */
int rcgc__graph_validate(const rcgc__graph *g);

/* ---------------------------------------------------------------- preds
** Reverse (predecessor) CSR: the in-edges of node v are entries
** k in [start[v], start[v+1]): from[k] is the source node, edge[k] the
** forward edge index (for name/flags). Built over ALL edges (weak
** included), in increasing forward-edge order per node. */
typedef struct rcgc__preds {
  uint32_t n;
  size_t *start;           /* [n+1] */
  uint32_t *from;          /* [m] */
  size_t *edge;            /* [m] */
} rcgc__preds;

int rcgc__preds_build(const rcgc__graph *g, rcgc__preds *p);
void rcgc__preds_free(const rcgc__graph *g, rcgc__preds *p);

/* ---------------------------------------------------------------- BFS
** Multi-source BFS over strong edges. dist[v] = number of edges on a
** shortest strong path from a source (0 for sources, RCGC_G_NONE if
** unreachable); parent[v] / parent_edge[v] = the previous node and the edge
** on one such path (RCGC_G_NONE / RCGC_G_NO_EDGE for sources and unreachable).
** Among equally short paths the one found first wins: sources in the given
** order, then edges in CSR order -- deterministic. */
typedef struct rcgc__bfs {
  uint32_t n;
  uint32_t *dist;          /* [n] */
  uint32_t *parent;        /* [n] */
  size_t *parent_edge;     /* [n] */
} rcgc__bfs;

/* Run BFS from 'sources' (NULL: the graph's roots). 'skip' (may be NULL) is
** a per-node mask: nodes with skip[v] != 0 are never entered (not even as
** sources) -- an "ignore these retainers" set. Returns 0, RCGC_G_ENOMEM,
** RCGC_G_EINVAL (a source >= n). */
int rcgc__bfs_run(const rcgc__graph *g, const uint32_t *sources, uint32_t nsrc,
                const uint8_t *skip, rcgc__bfs *out);
void rcgc__bfs_free(const rcgc__graph *g, rcgc__bfs *b);

/* Write the path source -> ... -> target found by BFS: nodes[0..len] (len+1
** nodes, nodes[0] a source, nodes[len] == target) and edges[0..len-1]
** (edges[i] goes nodes[i] -> nodes[i+1]). Either array may be NULL; each
** must hold dist[target]+1 / dist[target] entries. Returns len (the
** distance), or -1 when target is unreachable or out of range. */
long rcgc__bfs_path(const rcgc__bfs *b, uint32_t target, uint32_t *nodes,
                  size_t *edges);

/* k shortest retaining paths with distinct last edges.
**
** Semantics: for each strong in-edge e = (u -> target) such that u is
** reachable from a root WITHOUT passing through target, the candidate path
** is a shortest such root..u path followed by e. Candidates are sorted by
** length, then by edge index, and the first k returned. Hence every
** returned path is simple (target appears only at its end), the first one
** is a shortest retaining path, and any two differ at least in their last
** edge (they are the target's k "closest retainers", as in DevTools'
** Retainers view). A root target yields one path of length 0 (and nothing
** else). Cost: one BFS, O(V+E), the BFS of rcgc__bfs_run (sources: the
** roots, target skipped; the paths are its parent chains), which stops
** after the first level at whose end k candidates are known: the rest
** would all be longer.
**
** Output: npaths paths; path i has len[i] edges; its nodes are
** nodes[off[i] .. off[i]+len[i]] and its edges edges[eoff[i] ..
** eoff[i]+len[i]-1] where eoff[i] = off[i] - i. */
typedef struct rcgc__paths {
  uint32_t npaths;
  uint32_t *len;           /* [npaths] */
  size_t *off;             /* [npaths] */
  uint32_t *nodes;         /* concatenated node lists */
  size_t *edges;           /* concatenated edge lists */
} rcgc__paths;

/* Returns 0 (npaths == 0 when target is unreachable), RCGC_G_ENOMEM,
** RCGC_G_EINVAL (target >= n). */
int rcgc__retaining_paths(const rcgc__graph *g, uint32_t target, uint32_t k,
                        rcgc__paths *out);
void rcgc__paths_free(const rcgc__graph *g, rcgc__paths *p);

/* ---------------------------------------------------------------- SCC
** Strongly connected components (iterative Tarjan), optionally restricted
** to the nodes with mask[v] != 0 (edges leaving the subset are ignored).
**
** comp[v] = component id of v (RCGC_G_NONE outside the mask). Components are
** numbered in reverse topological order of the condensation (Tarjan's
** order: an edge between components goes from a higher id to a lower or
** equal one). members[start[c] .. start[c+1]) lists component c's nodes in
** increasing node index. cyclic[c] != 0 iff c has more than one member or
** a self-loop (a real cycle). source[c] != 0 iff no edge from another
** component of the subset enters c (refcycle's key cycles are the cyclic
** source components). An edge u -> v closes a cycle of c iff
** comp[u] == comp[v] == c: use rcgc__scc_internal_edges to list them. */
typedef struct rcgc__scc {
  uint32_t n;
  uint32_t ncomp;
  uint32_t *comp;          /* [n] */
  uint32_t *start;         /* [ncomp+1] */
  uint32_t *members;       /* [number of masked nodes] */
  uint8_t *cyclic;         /* [ncomp] */
  uint8_t *source;         /* [ncomp] */
  uint32_t ncyclic;        /* number of cyclic components */
} rcgc__scc;

enum { RCGC_G_SCC_WEAK = 1 };   /* flag: follow weak edges too */

/* Returns 0, RCGC_G_ENOMEM. */
int rcgc__scc_run(const rcgc__graph *g, const uint8_t *mask, unsigned flags,
                rcgc__scc *out);
void rcgc__scc_free(const rcgc__graph *g, rcgc__scc *s);

/* THE ORDER OF CYCLES, the one order in which the library's leak tools
** (rcgc_leak_cycles, rcgc_leak_print_cycles) and rcgc-inspect's "cycles"
** list reference cycles: source components first (nothing outside keeps
** them: fix these first), then larger components (more members) first,
** then by smallest member (node index; for a picture of a heap, heap-list
** order). Writes the ids of the cyclic components of 's' in that order into
** out[0 .. s->ncyclic). Returns 0, RCGC_G_ENOMEM (out then unspecified). */
int rcgc__scc_cycle_order(const rcgc__graph *g, const rcgc__scc *s, uint32_t *out);

/* Write into 'edges' (capacity 'cap') the indices of the edges inside
** component c (both ends in c; weak ones only if 'flags' has RCGC_G_SCC_WEAK),
** in increasing order. Returns the total number of such edges (may exceed
** cap: call with cap 0 to count). */
size_t rcgc__scc_internal_edges(const rcgc__graph *g, const rcgc__scc *s,
                              uint32_t c, unsigned flags, size_t *edges,
                              size_t cap);

/* Condensation DAG as CSR over components: the distinct successor
** components of c are succ[start[c] .. start[c+1]). Returns 0/ENOMEM. */
typedef struct rcgc__dag {
  uint32_t ncomp;
  size_t *start;           /* [ncomp+1] */
  uint32_t *succ;
} rcgc__dag;
int rcgc__scc_condense(const rcgc__graph *g, const rcgc__scc *s, unsigned flags,
                     rcgc__dag *out);
void rcgc__dag_free(const rcgc__graph *g, rcgc__dag *d);

/* ---------------------------------------------------------------- dominators
** Dominator tree from the virtual super-root over strong edges
** (Lengauer-Tarjan, simple path compression, O(E log V)).
**
** idom[v]: the immediate dominator of v; RCGC_G_VROOT when only the virtual
** root dominates v (every root, and nodes reachable from several roots
** through disjoint paths); RCGC_G_NONE when v is unreachable from the roots by
** strong edges. Unreachable nodes are EXCLUDED: they dominate nothing and
** their retained size is 0 (callers wanting them can add them as roots).
** retained[v] = self_size of v plus the self sizes of every node v
** dominates (0 for unreachable v). total = retained size of the virtual
** root = sum of self sizes of reachable nodes. */
typedef struct rcgc__dom {
  uint32_t n;
  uint32_t *idom;          /* [n] */
  uint64_t *retained;      /* [n] */
  uint64_t total;
  uint32_t nreached;       /* nodes reachable from the roots */
} rcgc__dom;

int rcgc__dom_run(const rcgc__graph *g, rcgc__dom *out);
void rcgc__dom_free(const rcgc__graph *g, rcgc__dom *d);

/* The 'k' reachable nodes with the largest retained size, written to
** 'out' (capacity k) in decreasing retained size, ties by increasing node
** index. 'skip' (may be NULL) excludes nodes (e.g. synthetic roots).
** Returns how many were written (<= k). O(n log k), no allocation. */
uint32_t rcgc__dom_top(const rcgc__dom *d, const uint8_t *skip, uint32_t k,
                     uint32_t *out);

/* ---------------------------------------------------------------- DOT
** Graphviz picture of the neighbourhood of 'start' nodes: breadth-first
** along out-edges (or in-edges with RCGC_G_DOT_BACK, which needs 'preds'),
** up to max_depth edges away. At most too_many neighbours are expanded per
** node; the rest become one "N more references" box. Output is written in
** pieces through 'write'. Node labels come from 'label' (NULL: "<name>
** @<id>\n<self_size> bytes"); the text is escaped for DOT by this module.
** Start nodes are drawn with red text, nodes with highlight[v] != 0 (mask,
** may be NULL) filled light blue; weak edges dashed; edge labels are edge
** names. Weak edges are followed too (drawn dashed) unless
** RCGC_G_DOT_NO_WEAK. */
typedef void (*rcgc__write_fn)(void *ud, const char *text, size_t len);
/* Write a label for node v into buf (capacity cap, NUL-terminated,
** truncated as needed); return the length written. */
typedef size_t (*rcgc__label_fn)(void *ud, const rcgc__graph *g, uint32_t v,
                               char *buf, size_t cap);
/* Same for edge e (NULL: the edge's name, or nothing when unnamed). */
typedef size_t (*rcgc__edge_label_fn)(void *ud, const rcgc__graph *g, size_t e,
                                    char *buf, size_t cap);

enum { RCGC_G_DOT_BACK = 1, RCGC_G_DOT_NO_WEAK = 2 };

typedef struct rcgc__dot_opts {
  unsigned flags;          /* RCGC_G_DOT_* */
  uint32_t max_depth;      /* 0: start nodes only */
  uint32_t too_many;       /* 0: unlimited */
  const uint8_t *highlight;
  rcgc__label_fn label;
  void *label_ud;
  const rcgc__preds *preds;  /* required with RCGC_G_DOT_BACK */
  rcgc__edge_label_fn edge_label; /* may be NULL; uses label_ud */
} rcgc__dot_opts;

/* Returns 0, RCGC_G_ENOMEM, RCGC_G_EINVAL (start out of range, BACK without
** preds). Output is only written on success paths after allocation. */
int rcgc__dot(const rcgc__graph *g, const uint32_t *start, uint32_t nstart,
            const rcgc__dot_opts *opts, rcgc__write_fn write, void *write_ud);

/* Escape 'in' for a DOT double-quoted string into buf (capacity cap,
** always NUL-terminated when cap > 0): '"' and '\\' are backslashed,
** newlines become "\n", other control characters are dropped. Returns
** the length written. */
size_t rcgc__dot_escape(const char *in, char *buf, size_t cap);

/* ---------------------------------------------------------------- output
** Text gathered in a caller's buffer (buf, cap bytes, cap >= 1) and handed
** to 'write' in pieces that end at a line end: when the buffer is full,
** every whole line in it goes out, or all of it when it holds no line end
** (a line longer than the buffer). The writer of the library's text
** reports and heap snapshots (through the leak layer's output, which runs
** 'write' as a user callback) and of the CPython extension's snapshots. */
typedef struct rcgc__gout {
  rcgc__write_fn write;
  void *ud;
  char *buf;
  size_t len, cap;
} rcgc__gout;

void rcgc__gout_init(rcgc__gout *o, rcgc__write_fn write, void *ud, char *buf, size_t cap);
/* Append n bytes, handing whole lines over as the buffer fills. */
void rcgc__gout_put(rcgc__gout *o, const char *s, size_t n);
/* Hand over the first n (<= len) bytes of the buffer; the rest stays. */
void rcgc__gout_emit(rcgc__gout *o, size_t n);
/* Make room: hand over every whole line, or everything without one. */
void rcgc__gout_flush_lines(rcgc__gout *o);

/* ---------------------------------------------------------------- heap snapshots
** The graph as a Chrome DevTools .heapsnapshot (JSON; heapsnap.c): the one
** writer of the format, for the library's rcgc_leak_snapshot and the
** CPython extension's rcgc.snapshot:
**  - nodes: first the synthetic ones of 'opts' (type "synthetic", self
**    size 0), then node v of the graph as file node v + nsynth (type
**    "object", name = its name, id = opts->node_id(v), or rcgc__node_id
**    when node_id is NULL, self_size and its number of out-edges);
**  - edges, in node order: synthetic node 0's "element" edges (index i to
**    its to[i]), then its "property" edge to each other synthetic node k,
**    named by k's edge_name; the other synthetic nodes' "element" edges;
**    then the graph's edges: a weak edge is a "weak" edge with its name,
**    a named one a "property" edge, an unnamed one an "element" edge
**    indexed by its position among its node's edges;
**  - strings: the graph's string table (so a string index of the graph is
**    its index in the file), then the synthetic nodes' names, then the
**    edge names of synthetic nodes 1 .. nsynth-1.
** The text goes through 'out' (above), all of it handed over on return.
** Returns 0, or RCGC_G_EINVAL, before writing anything, when nsynth is 0,
** a synthetic node has no name (or, after the first, no edge_name), an
** element edge names a node >= n, or a weak edge of the graph is unnamed. */
typedef struct rcgc__heapsnap_synth {
  const char *name;        /* the node's name */
  uint64_t id;             /* its id (V8's root has 1) */
  const uint32_t *to;      /* [nto] graph nodes its "element" edges reach */
  uint32_t nto;
  const char *edge_name;   /* synthetic nodes after the first: the name of
                           ** synthetic node 0's "property" edge to it */
} rcgc__heapsnap_synth;

typedef struct rcgc__heapsnap_opts {
  const rcgc__heapsnap_synth *synth; /* [nsynth], nsynth >= 1 */
  uint32_t nsynth;
  /* The id of graph node v (NULL: rcgc__node_id). */
  uint64_t (*node_id)(void *ud, const rcgc__graph *g, uint32_t v);
  void *id_ud;
} rcgc__heapsnap_opts;

int rcgc__heapsnap_write(const rcgc__graph *g, const rcgc__heapsnap_opts *opts, rcgc__gout *out);

/* ---------------------------------------------------------------- histograms
** Per-name count and bytes, keyed by the name STRING (so histograms of two
** graphs compare). Entries are sorted by bytes descending, then count
** descending, then name ascending. Nodes with mask[v] == 0 are skipped
** (mask may be NULL). Names point into the graph's string table. */
typedef struct rcgc__hist_entry {
  const char *name;
  uint64_t count;
  uint64_t bytes;
} rcgc__hist_entry;

typedef struct rcgc__hist {
  uint32_t nentries;
  rcgc__hist_entry *e;
  uint64_t total_count, total_bytes;
} rcgc__hist;

int rcgc__hist_build(const rcgc__graph *g, const uint8_t *mask, rcgc__hist *out);

/* THE ORDER OF GROWTH, the one order of every list of per-type changes
** (rcgc_leak_growth_since, rcgc_leak_print_growth, rcgc-inspect's "diff"):
** larger |count change| first, then larger |bytes change|, then by name
** (strcmp), then the larger signed count change (two types of one name).
** A qsort-style comparison of two rows given by their changes and names. */
int rcgc__growth_cmp(long long dcount_a, long long dbytes_a, const char *name_a,
                     long long dcount_b, long long dbytes_b, const char *name_b);
void rcgc__hist_free(const rcgc__graph *g, rcgc__hist *h);

/* Difference of two histograms matched by name, sorted by rcgc__growth_cmp;
** names with no change at all are omitted. The strings point into the
** histograms' graphs (keep both alive). */
typedef struct rcgc__hist_delta {
  const char *name;
  uint64_t count_before, count_after;
  uint64_t bytes_before, bytes_after;
} rcgc__hist_delta;

typedef struct rcgc__hist_diff {
  uint32_t nentries;
  rcgc__hist_delta *e;
} rcgc__hist_diff;

int rcgc__hist_diff_build(const rcgc__graph *g, const rcgc__hist *before,
                        const rcgc__hist *after, rcgc__hist_diff *out);
void rcgc__hist_diff_free(const rcgc__graph *g, rcgc__hist_diff *d);

/* Mark in 'is_new' (array of after->n bytes, written fully) the nodes of
** 'after' whose id does not occur in 'before'. Returns the number of new
** nodes, or RCGC_G_ENOMEM when out of memory. Uses before's allocator. */
long rcgc__new_nodes(const rcgc__graph *before, const rcgc__graph *after,
                   uint8_t *is_new);

#endif /* RCGC_GRAPH_H */
