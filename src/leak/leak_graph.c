/*
** leak_graph.c -- the heap graph (a picture of the heap as an rcgc__graph)
** and the analyses built on it with src/graph.c: roots, why-alive paths,
** reference cycles, dominators and retained sizes, DOT pictures.
**
** Taking the picture (rcgc__hg_build), in phases:
**   1. count the live objects on the heap lists (gens[0..2], permanent,
**      untracked: INVARIANT L1 says that is every live object outside a
**      collection, which callers exclude) and allocate flat arrays;
**   2. number them: objs[i] = header, and the header's gc_prev is
**      TEMPORARILY replaced by the marker (i << 2) | 2. Outside a collection
**      gc_prev is a plain, aligned pointer (INVARIANT L2), so bit 1 is never
**      set by the core and the marker is unambiguous; objects not numbered
**      (another heap, a freed block) never carry it. The object -> node
**      lookup in the visitor is therefore O(1) with no hash table;
**   3. garbage list entries are counted per node;
**   4. nodes, then every object's traverse adds its edges in node order (so
**      the builder needs no sort); weak reference objects add a WEAK edge
**      "referent";
**   5. gc_prev is restored exactly (restore_links): each list is walked
**      through gc_next and every back link recomputed (no flag bits exist
**      outside a collection), and each object's external count computed
**      from the references its marker counted;
**   6. the CSR arrays are finished and the roots listed.
** rcgc__hg_build is the driver, one static function per phase. Between 2
** and 5 only traverse functions run (they may not call the library; a
** misbehaving one is reported by the core and ignored), and every path
** that reaches 2 goes through 5: a failure in 2-4 is recorded and skips the
** remaining work, never the restore.
*/
#include "leak_int.h"

#include <stdlib.h>

#define NLISTS HEAP_NLISTS

/* The marker a picture leaves in gc_prev while it is being taken:
**   bits 0..1  "10" (never in a gc_prev outside a picture: plain pointers
**              end in 00, a collection's gc_refs in x1);
**   64-bit:    bits 2..33 the node index, bits 34..63 the number of
**              references found to the object so far (saturating), so the
**              visitor needs no array access but the edges';
**   32-bit:    bits 2.. the node index; the counts go to an array. */
#if UINTPTR_MAX > 0xffffffffu
#define HG_PACKED 1
#define IDX_MASK ((uintptr_t)0xffffffffu)
#define CNT_SHIFT 34
#define CNT_MAX (UINTPTR_MAX >> CNT_SHIFT)
#else
#define HG_PACKED 0
#define IDX_MASK (UINTPTR_MAX >> 2)
#endif

/* Node index of 'h' if it carries a marker of this picture, else RCGC_G_NONE. */
static inline uint32_t marker_node(const rcgc__hg_t *hg, const head_t *h) {
  uintptr_t p = h->gc_prev;
  if ((p & PREV_FLAGS) != PREV_MARK)
    return RCGC_G_NONE;
  uintptr_t i = (p >> 2) & IDX_MASK;
  /* the bound check suffices: no array access per reference */
  if (i >= hg->n)
    return RCGC_G_NONE;
  return (uint32_t)i;
}

/* Direct-mapped cache edge-name pointer -> string index (names are static
** strings: hashing each occurrence would dominate the build). */
#define NAME_CACHE 256

/* The state of one rcgc__hg_build across its phases. */
typedef struct build_ctx {
  rcgc__hg_t *hg;
  head_t *lists[NLISTS];
  uint32_t cur;
  unsigned what;
  int err;              /* the first error; the phases after it skip work */
  size_t m, cap;        /* edges so far, capacity of the edge arrays */
  uint32_t *edge_to, *edge_name;
  uint8_t *edge_flags;
  uint32_t *type_name;  /* [ntypes + 1] type id -> string index */
  uint32_t *internal;   /* [n] references found per node (32-bit only) */
  const char *cache_key[NAME_CACHE];
  uint32_t cache_val[NAME_CACHE];
} build_ctx;

/* The references found to numbered object h (node v) so far: counted in
** the marker on 64-bit platforms, in c->internal on 32-bit ones. */
static inline void marker_count_add(build_ctx *c, head_t *h, uintptr_t marker, uintptr_t v) {
#if HG_PACKED
  (void)c;
  (void)v;
  if ((marker >> CNT_SHIFT) != CNT_MAX)
    h->gc_prev = marker + ((uintptr_t)1 << CNT_SHIFT);
#else
  (void)h;
  (void)marker;
  c->internal[v]++;
#endif
}

static inline uint64_t marker_count_get(const build_ctx *c, const head_t *h, uint32_t v) {
#if HG_PACKED
  (void)c;
  (void)v;
  return (uint64_t)(h->gc_prev >> CNT_SHIFT);
#else
  (void)h;
  return c->internal[v];
#endif
}

static uint32_t name_index(build_ctx *c, const char *name) {
  size_t slot = ((uintptr_t)name >> 3) & (NAME_CACHE - 1);
  if (c->cache_key[slot] == name)
    return c->cache_val[slot];
  uint32_t idx = rcgc__graph_intern(&c->hg->g, name);
  if (idx == RCGC_G_NONE)
    return RCGC_G_NONE;
  rcgc__hg_t *hg = c->hg;
  if (idx >= hg->name_ptr_cap) {
    uint32_t ncap = hg->name_ptr_cap ? hg->name_ptr_cap * 2 : 32;
    while (ncap <= idx)
      ncap *= 2;
    const char **np = rcgc__leak_realloc(hg->heap, (void *)hg->name_ptr, ncap, sizeof *np);
    if (np == NULL)
      return RCGC_G_NONE;
    memset(np + hg->name_ptr_cap, 0, (ncap - hg->name_ptr_cap) * sizeof *np);
    hg->name_ptr = np;
    hg->name_ptr_cap = ncap;
  }
  hg->name_ptr[idx] = name;
  c->cache_key[slot] = name;
  c->cache_val[slot] = idx;
  return idx;
}

/* Grow the edge arrays (doubling). Returns false when out of memory. */
static bool grow_edges(build_ctx *c) {
  const rcgc__graph *g = &c->hg->g;
  size_t ncap = c->cap ? c->cap * 2 : 1024;
  if (ncap < c->cap)
    return false;
  uint32_t *to = rcgc__gmem_realloc(g, c->edge_to, ncap, sizeof *to);
  if (to == NULL)
    return false;
  c->edge_to = to;
  uint32_t *nm = rcgc__gmem_realloc(g, c->edge_name, ncap, sizeof *nm);
  if (nm == NULL)
    return false;
  c->edge_name = nm;
  uint8_t *fl = rcgc__gmem_realloc(g, c->edge_flags, ncap, sizeof *fl);
  if (fl == NULL)
    return false;
  c->edge_flags = fl;
  c->cap = ncap;
  return true;
}

static inline int add_edge(build_ctx *c, uint32_t to, uint32_t nm, uint8_t flags) {
  if (c->m == c->cap && !grow_edges(c)) {
    c->err = RCGC_ENOMEM;
    return 1;
  }
  c->edge_to[c->m] = to;
  c->edge_name[c->m] = nm;
  c->edge_flags[c->m] = flags;
  c->m++;
  return 0;
}

static int visit_build(void *child, const char *edge, void *arg) {
  build_ctx *c = arg;
  rcgc__hg_t *hg = c->hg;
  head_t *ch = AS_HEAD(child);
  uintptr_t p = ch->gc_prev;
  uintptr_t to = (p >> 2) & IDX_MASK;
  if ((p & PREV_FLAGS) != PREV_MARK || to >= hg->n) {
    hg->foreign++;
    return 0;
  }
  marker_count_add(c, ch, p, to);
  if (c->what & HG_EDGES) {
    uint32_t nm = RCGC_G_NONE;
    if (edge != NULL && (c->what & HG_NAMES)) {
      nm = name_index(c, edge);
      if (nm == RCGC_G_NONE) {
        c->err = RCGC_ENOMEM;
        return 1;
      }
    }
    return add_edge(c, (uint32_t)to, nm, 0);
  }
  return 0;
}

void rcgc__hg_free(rcgc__hg_t *hg) {
  rcgc_heap *heap = hg->heap;
  if (heap == NULL)
    return;
  rcgc__graph_free(&hg->g);
  rcgc__leak_free(heap, hg->objs);
  rcgc__leak_free(heap, hg->ext);
  rcgc__leak_free(heap, hg->garb);
  rcgc__leak_free(heap, hg->garbage_nodes);
  rcgc__leak_free(heap, (void *)hg->name_ptr);
  memset(hg, 0, sizeof *hg);
}

/* Phase 1: count the live objects and allocate the picture's arrays and the
** builder's (c->internal on 32-bit platforms only). */
static int alloc_picture(build_ctx *c) {
  rcgc__hg_t *hg = c->hg;
  rcgc_heap *heap = hg->heap;
  rcgc__graph *g = &hg->g;
  size_t n = 0;
  for (int i = 0; i < NLISTS; i++)
    n += list_size(c->lists[i]);
  if (n >= RCGC_G_VROOT || n > IDX_MASK)
    return RCGC_ENOMEM;
  hg->n = (uint32_t)n;
  hg->objs = rcgc__leak_alloc(heap, n + 1, sizeof *hg->objs);
  hg->ext = rcgc__leak_alloc(heap, n + 1, sizeof *hg->ext);
  hg->garb = rcgc__leak_calloc(heap, n + 1, sizeof *hg->garb);
  hg->garbage_nodes = rcgc__leak_alloc(heap, heap->ngarbage + 1, sizeof *hg->garbage_nodes);
  g->self_size = rcgc__gmem_alloc(g, n + 1, sizeof *g->self_size);
  g->name = rcgc__gmem_alloc(g, n + 1, sizeof *g->name);
  g->id = rcgc__gmem_alloc(g, n + 1, sizeof *g->id);
  g->edge_start = rcgc__gmem_alloc(g, n + 1, sizeof *g->edge_start);
  c->type_name = rcgc__leak_alloc(heap, heap->ntypes + 1, sizeof *c->type_name);
  if (!HG_PACKED)
    c->internal = rcgc__leak_calloc(heap, n + 1, sizeof *c->internal);
  if (!hg->objs || !hg->ext || !hg->garb || !hg->garbage_nodes || !g->self_size || !g->name ||
      !g->id || !g->edge_start || !c->type_name || (!HG_PACKED && !c->internal))
    return RCGC_ENOMEM;
  for (uint32_t t = 0; t <= heap->ntypes; t++)
    c->type_name[t] = RCGC_G_NONE;
  return RCGC_OK;
}

/* Phase 2: number the objects -- the marker in gc_prev -- and record each
** node's type name, id and size. The string table's order is "referent",
** type names in node order, edge names in edge order (snapshot files depend
** on it). */
static void number_objects(build_ctx *c) {
  rcgc__hg_t *hg = c->hg;
  rcgc_heap *heap = hg->heap;
  rcgc__graph *g = &hg->g;
  hg->referent_name = RCGC_G_NONE;
  if (c->what & HG_EDGES) {
    hg->referent_name = rcgc__graph_intern(g, "referent");
    if (hg->referent_name == RCGC_G_NONE)
      c->err = RCGC_ENOMEM;
  }
  uint32_t i = 0;
  bool pre = heap->pre != 0;
  for (int l = 0; l < NLISTS; l++) {
    hg->list_start[l] = i;
    for (head_t *h = next_of(c->lists[l]); h != c->lists[l]; h = next_of(h)) {
      hg->objs[i] = h;
      h->gc_prev = ((uintptr_t)i << 2) | PREV_MARK;
      uint32_t tid = type_id_of(h);
      if (c->type_name[tid] == RCGC_G_NONE && c->err == RCGC_OK) {
        c->type_name[tid] = rcgc__graph_intern(g, type_of(heap, h)->name);
        if (c->type_name[tid] == RCGC_G_NONE)
          c->err = RCGC_ENOMEM;
      }
      g->name[i] = c->type_name[tid];
      g->id[i] = pre ? prefix_of(h)->serial : 0;
      g->self_size[i] = object_block_size(heap, h);
      i++;
    }
  }
  hg->list_start[NLISTS] = i;
  g->n = i;
}

/* Phase 3: the garbage list's entries, counted per node. */
static void note_garbage_entries(rcgc__hg_t *hg) {
  rcgc_heap *heap = hg->heap;
  for (size_t k = 0; k < heap->ngarbage; k++) {
    uint32_t v = marker_node(hg, AS_HEAD(heap->garbage[k]));
    if (v != RCGC_G_NONE) {
      hg->garb[v]++;
      hg->garbage_nodes[hg->ngarbage_nodes++] = v;
    }
  }
}

/* Phase 4: every object's references in node order (so the CSR needs no
** sort), counted in the markers; a weak reference object adds a WEAK edge
** "referent". */
static void add_references(build_ctx *c) {
  rcgc__hg_t *hg = c->hg;
  rcgc_heap *heap = hg->heap;
  rcgc__graph *g = &hg->g;
  if ((c->what & HG_EDGES) && c->err == RCGC_OK && !grow_edges(c))
    c->err = RCGC_ENOMEM;
  const rcgc_type *wrt = &rcgc_weakref_type;
  for (uint32_t v = 0; v < hg->n && c->err == RCGC_OK; v++) {
    head_t *h = hg->objs[v];
    c->cur = v;
    g->edge_start[v] = c->m;
    const rcgc_type *t = type_of(heap, h);
    if (t->traverse != NULL)
      rcgc__traverse(heap, h, visit_build, c);
    if (c->err == RCGC_OK && (c->what & HG_EDGES) && t == wrt) {
      struct rcgc_weakref *wr = FROM_HEAD(h);
      uint32_t to = wr->referent ? marker_node(hg, AS_HEAD(wr->referent)) : RCGC_G_NONE;
      if (to != RCGC_G_NONE)
        add_edge(c, to, hg->referent_name, RCGC_G_EDGE_WEAK);
    }
  }
  g->edge_start[hg->n] = c->m;
}

/* Phase 5, on every path once phase 2 has run: read each object's count of
** internal references, compute its external count, and restore every back
** link exactly from the list order (no flag bits exist outside a
** collection). Returns the number of roots. */
static uint32_t restore_links(build_ctx *c) {
  rcgc__hg_t *hg = c->hg;
  uint32_t nroots = 0, i = 0;
  for (int l = 0; l < NLISTS; l++) {
    head_t *prev = c->lists[l];
    for (head_t *h = next_of(c->lists[l]); h != c->lists[l]; h = next_of(h)) {
      uint64_t in = marker_count_get(c, h, i);
      h->gc_prev = (uintptr_t)prev;
      prev = h;
      uint32_t rc = h->refcnt;
      if (rc < in) {
        hg->inconsistent++;
        hg->ext[i] = 0;
      } else {
        hg->ext[i] = rc - in;
        nroots += rc > in;
      }
      i++;
    }
  }
  return nroots;
}

/* Phase 6, first half: hand the edge arrays to the graph (HG_EDGES) or
** drop them. */
static void finish_edges(build_ctx *c) {
  rcgc__hg_t *hg = c->hg;
  rcgc__graph *g = &hg->g;
  if (c->err == RCGC_OK && (c->what & HG_EDGES)) {
    g->m = c->m;
    g->edge_to = c->edge_to;
    g->edge_name = c->edge_name;
    g->edge_flags = c->edge_flags;
    return;
  }
  rcgc__gmem_free(g, c->edge_to);
  rcgc__gmem_free(g, c->edge_name);
  rcgc__gmem_free(g, c->edge_flags);
  if (c->err == RCGC_OK)
    for (uint32_t v = 0; v <= hg->n; v++)
      g->edge_start[v] = 0;
}

/* Phase 6, second half: the roots (nodes with external references) in node
** order, with their external counts. */
static int find_roots(rcgc__hg_t *hg, uint32_t nroots) {
  rcgc__graph *g = &hg->g;
  g->roots = rcgc__gmem_alloc(g, (size_t)nroots + 1, sizeof *g->roots);
  g->root_extrefs = rcgc__gmem_alloc(g, (size_t)nroots + 1, sizeof *g->root_extrefs);
  if (g->roots == NULL || g->root_extrefs == NULL)
    return RCGC_ENOMEM;
  uint32_t k = 0;
  for (uint32_t v = 0; v < hg->n; v++)
    if (hg->ext[v] > 0) {
      g->roots[k] = v;
      g->root_extrefs[k++] = hg->ext[v];
    }
  g->nroots = nroots;
  return RCGC_OK;
}

int rcgc__hg_build(rcgc_heap *heap, unsigned what, rcgc__hg_t *hg) {
  memset(hg, 0, sizeof *hg);
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK)
    return r;
  hg->heap = heap;
  rcgc__graph_init(&hg->g, rcgc__leak_graph_alloc, heap);
  build_ctx *c = rcgc__leak_calloc(heap, 1, sizeof *c);
  if (c == NULL) {
    rcgc__hg_free(hg);
    return RCGC_ENOMEM;
  }
  c->hg = hg;
  c->what = what;
  heap_lists(heap, c->lists);
  r = alloc_picture(c);                   /* 1 */
  if (r == RCGC_OK) {
    number_objects(c);                    /* 2: markers in place */
    note_garbage_entries(hg);             /* 3 */
    add_references(c);                    /* 4: traverse functions run */
    uint32_t nroots = restore_links(c);   /* 5: markers gone */
    finish_edges(c);                      /* 6 */
    r = c->err;
    if (r == RCGC_OK)
      r = find_roots(hg, nroots);
  }
  rcgc__leak_free(heap, c->type_name);
  rcgc__leak_free(heap, c->internal);
  rcgc__leak_free(heap, c);
  if (r != RCGC_OK)
    rcgc__hg_free(hg);
  return r;
}

uint32_t rcgc__hg_find(const rcgc__hg_t *hg, const void *obj) {
  const head_t *h = AS_CHEAD(obj);
  for (uint32_t v = 0; v < hg->n; v++)
    if (hg->objs[v] == h)
      return v;
  return RCGC_G_NONE;
}

static int ptr_cmp(const void *a, const void *b) {
  uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;
  return x < y ? -1 : x > y;
}

int rcgc__hg_find_many(const rcgc__hg_t *hg, void *const *objs, size_t n, uint32_t *out) {
  /* sort (header, query index) pairs by address; one pass over the nodes
  ** with binary search: O((n + V) log n) */
  typedef struct pair_t {
    const head_t *h;
    size_t q;
  } pair_t;
  pair_t *p = rcgc__leak_alloc(hg->heap, n + 1, sizeof *p);
  if (p == NULL)
    return RCGC_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    p[i].h = objs[i] ? AS_HEAD(objs[i]) : NULL;
    p[i].q = i;
    out[i] = RCGC_G_NONE;
  }
  qsort(p, n, sizeof *p, ptr_cmp); /* h is the first member */
  for (uint32_t v = 0; v < hg->n; v++) {
    const head_t *h = hg->objs[v];
    size_t lo = 0, hi = n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if ((uintptr_t)p[mid].h < (uintptr_t)h)
        lo = mid + 1;
      else
        hi = mid;
    }
    for (; lo < n && p[lo].h == h; lo++)
      out[p[lo].q] = v;
  }
  rcgc__leak_free(hg->heap, p);
  return RCGC_OK;
}

/* ------------------------------------------------------------ collector view */

/* mask[v] = 1 for tracked, non-frozen objects not reachable from the
** collector's roots: candidates with external references (garbage list's
** included when 'list_is_root') and every untracked or frozen object. */
int rcgc__hg_garbage_mask(const rcgc__hg_t *hg, int list_is_root, uint8_t **mask, size_t *count) {
  rcgc_heap *heap = hg->heap;
  *mask = NULL;
  *count = 0;
  uint32_t *src = rcgc__leak_alloc(heap, (size_t)hg->n + 1, sizeof *src);
  uint8_t *m = rcgc__leak_calloc(heap, (size_t)hg->n + 1, 1);
  if (src == NULL || m == NULL) {
    rcgc__leak_free(heap, src);
    rcgc__leak_free(heap, m);
    return RCGC_ENOMEM;
  }
  uint32_t ns = 0;
  for (uint32_t v = 0; v < hg->n; v++) {
    const head_t *h = hg->objs[v];
    uint64_t outside = hg->ext[v] - (list_is_root ? 0 : (hg->ext[v] < hg->garb[v] ? hg->ext[v] : hg->garb[v]));
    bool candidate = !(h->tinfo & TI_UNTRACKED) && v < hg->list_start[LIST_PERMANENT];
    if (!candidate || outside > 0)
      src[ns++] = v;
  }
  rcgc__bfs bfs;
  int r = rcgc__leak_err(rcgc__bfs_run(&hg->g, src, ns, NULL, &bfs));
  rcgc__leak_free(heap, src);
  if (r != RCGC_OK) {
    rcgc__leak_free(heap, m);
    return r;
  }
  size_t k = 0;
  for (uint32_t v = 0; v < hg->n; v++)
    if (bfs.dist[v] == RCGC_G_NONE) {
      m[v] = 1;
      k++;
    }
  rcgc__bfs_free(&hg->g, &bfs);
  *mask = m;
  *count = k;
  return RCGC_OK;
}

int rcgc__hg_uncollectable(const rcgc__hg_t *hg, const uint8_t *mask, uint32_t **reason, size_t *count) {
  rcgc_heap *heap = hg->heap;
  *reason = NULL;
  *count = 0;
  uint32_t *rs = rcgc__leak_alloc(heap, (size_t)hg->n + 1, sizeof *rs);
  uint32_t *src = rcgc__leak_alloc(heap, (size_t)hg->n + 1, sizeof *src);
  uint8_t *skip = rcgc__leak_alloc(heap, (size_t)hg->n + 1, 1);
  if (rs == NULL || src == NULL || skip == NULL) {
    rcgc__leak_free(heap, rs);
    rcgc__leak_free(heap, src);
    rcgc__leak_free(heap, skip);
    return RCGC_ENOMEM;
  }
  uint32_t ns = 0;
  for (uint32_t v = 0; v < hg->n; v++) {
    rs[v] = RCGC_G_NONE;
    skip[v] = !mask[v];
    const head_t *h = hg->objs[v];
    if (mask[v] && type_of(heap, h)->legacy_finalize != NULL && !(h->tinfo & TI_RELEASE))
      src[ns++] = v;
  }
  int r = RCGC_OK;
  if (ns > 0) {
    rcgc__bfs bfs;
    r = rcgc__leak_err(rcgc__bfs_run(&hg->g, src, ns, skip, &bfs));
    if (r == RCGC_OK) {
      /* reason = the BFS source at the start of v's parent chain; each
      ** chain is walked twice at most (find, then fill): O(V) in total */
      for (uint32_t v = 0; v < hg->n; v++) {
        if (bfs.dist[v] == RCGC_G_NONE || rs[v] != RCGC_G_NONE)
          continue;
        uint32_t u = v;
        while (rs[u] == RCGC_G_NONE && bfs.parent[u] != RCGC_G_NONE)
          u = bfs.parent[u];
        uint32_t origin = rs[u] != RCGC_G_NONE ? rs[u] : u;
        for (u = v; rs[u] == RCGC_G_NONE; u = bfs.parent[u]) {
          rs[u] = origin;
          (*count)++;
          if (bfs.parent[u] == RCGC_G_NONE)
            break;
        }
      }
      rcgc__bfs_free(&hg->g, &bfs);
    }
  }
  rcgc__leak_free(heap, src);
  rcgc__leak_free(heap, skip);
  if (r != RCGC_OK) {
    rcgc__leak_free(heap, rs);
    *count = 0;
    return r;
  }
  *reason = rs;
  return RCGC_OK;
}

/* ------------------------------------------------------------ text helpers */

const char *rcgc__hg_edge_name_ptr(const rcgc__hg_t *hg, uint32_t nm) {
  return nm < hg->name_ptr_cap && hg->name_ptr[nm] ? hg->name_ptr[nm] : rcgc__graph_str(&hg->g, nm);
}

static void print_root_note(rcgc__leak_out *f, uint64_t ext, size_t garb) {
  rcgc__out_printf(f, " (root: %llu reference%s from outside", (unsigned long long)ext,
                   ext == 1 ? "" : "s");
  if (garb > 0)
    rcgc__out_printf(f, ", %u of them the garbage list", (unsigned)garb);
  rcgc__out_puts(f, ")");
}

/* One step of a retaining path: "<indent>--name--> <Type 0x...> repr". */
static void print_step(rcgc__leak_out *f, const char *indent, const char *edge, size_t slot,
                       const head_t *h) {
  rcgc__out_puts(f, indent);
  if (edge != NULL) {
    rcgc__out_puts(f, "--");
    rcgc__out_puts(f, edge);
    rcgc__out_puts(f, "--> ");
  } else {
    rcgc__out_printf(f, "--[%zu]--> ", slot);
  }
  rcgc__out_obj(f, h);
  rcgc__out_puts(f, "\n");
}

/* Print a path of the picture, one step per line, each line prefixed by
** indent. */
static void print_path(const rcgc__hg_t *hg, rcgc__leak_out *f, const char *indent,
                       const uint32_t *nodes, const size_t *edges, uint32_t len) {
  rcgc__out_puts(f, indent);
  rcgc__out_obj(f, hg->objs[nodes[0]]);
  print_root_note(f, hg->ext[nodes[0]], hg->garb[nodes[0]]);
  rcgc__out_puts(f, "\n");
  const rcgc__graph *g = &hg->g;
  for (uint32_t i = 0; i < len; i++) {
    size_t e = edges[i];
    uint32_t nm = g->edge_name ? g->edge_name[e] : RCGC_G_NONE;
    print_step(f, indent, nm != RCGC_G_NONE ? rcgc__graph_str(g, nm) : NULL,
               e - g->edge_start[rcgc__edge_from(g, e)], hg->objs[nodes[i + 1]]);
  }
}

/* ------------------------------------------------------------ in place
** Roots and why-alive need no picture. Like the collector's trial deletion
** (collect.c update_refs/subtract_refs) they count, in the headers, the
** references found inside the heap, then read the counts back:
**   walk 1  gc_prev = "10" marker with a count of 0 (count << 2 | 2);
**   walk 2  every object's traverse: each reference to a marked object
**           adds 1 to its count (references to unmarked objects -- not on
**           this heap's lists -- are ignored, as in the picture);
**   walk 3  (roots) count read, external = refcount - count, gc_prev
**           restored from the list order (no flags exist outside a
**           collection: INVARIANT L2).
** Only traverse functions run while the markers are in place, and every
** exit path restores the links. */

#define CNT_FULL (UINTPTR_MAX >> 2)

static int visit_count_in(void *child, const char *edge, void *arg) {
  (void)edge;
  (void)arg;
  head_t *c = AS_HEAD(child);
  uintptr_t p = c->gc_prev;
  if ((p & PREV_FLAGS) == PREV_MARK && (p >> 2) != CNT_FULL)
    c->gc_prev = p + 4;
  return 0;
}

/* Walks 1 and 2. Returns the number of objects on the lists. */
static size_t count_internal(rcgc_heap *heap) {
  head_t *lists[NLISTS];
  heap_lists(heap, lists);
  size_t n = 0;
  for (int l = 0; l < NLISTS; l++)
    for (head_t *h = next_of(lists[l]); h != lists[l]; h = next_of(h)) {
      h->gc_prev = PREV_MARK;
      n++;
    }
  for (int l = 0; l < NLISTS; l++)
    for (head_t *h = next_of(lists[l]); h != lists[l]; h = next_of(h))
      if (type_of(heap, h)->traverse != NULL)
        rcgc__traverse(heap, h, visit_count_in, NULL);
  return n;
}

static int head_cmp(const void *a, const void *b) {
  uintptr_t x = (uintptr_t)*(const head_t *const *)a, y = (uintptr_t)*(const head_t *const *)b;
  return x < y ? -1 : x > y;
}

/* The garbage list's entries as headers sorted by address (NULL when the
** list is empty; *ok = 0 when out of memory). */
static head_t **garbage_sorted(rcgc_heap *heap, int *ok) {
  *ok = 1;
  if (heap->ngarbage == 0)
    return NULL;
  head_t **gs = rcgc__leak_alloc(heap, heap->ngarbage, sizeof *gs);
  if (gs == NULL) {
    *ok = 0;
    return NULL;
  }
  for (size_t i = 0; i < heap->ngarbage; i++)
    gs[i] = AS_HEAD(heap->garbage[i]);
  qsort(gs, heap->ngarbage, sizeof *gs, head_cmp);
  return gs;
}

/* How many entries of the sorted garbage list are h. */
static size_t garbage_count(const rcgc_heap *heap, head_t *const *gs, const head_t *h) {
  if (gs == NULL)
    return 0;
  size_t lo = 0, hi = heap->ngarbage;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if ((uintptr_t)gs[mid] < (uintptr_t)h)
      lo = mid + 1;
    else
      hi = mid;
  }
  size_t k = 0;
  while (lo + k < heap->ngarbage && gs[lo + k] == h)
    k++;
  return k;
}

/* The roots in list order into *out (rcgc__leak_alloc'd), with *nobjects and
** *inconsistent. Returns RCGC_OK / RCGC_ENOMEM / RCGC_EBUSY... */
static int roots_scan(rcgc_heap *heap, rcgc_leak_root **out, size_t *count, size_t *nobjects,
                      size_t *inconsistent) {
  *out = NULL;
  *count = 0;
  *nobjects = 0;
  *inconsistent = 0;
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK)
    return r;
  size_t cap = 64, k = 0;
  rcgc_leak_root *res = rcgc__leak_alloc(heap, cap, sizeof *res);
  int ok;
  head_t **gs = garbage_sorted(heap, &ok);
  if (res == NULL || !ok) {
    rcgc__leak_free(heap, res);
    rcgc__leak_free(heap, gs);
    return RCGC_ENOMEM;
  }
  *nobjects = count_internal(heap);
  head_t *lists[NLISTS];
  heap_lists(heap, lists);
  for (int l = 0; l < NLISTS; l++) {
    head_t *prev = lists[l];
    for (head_t *h = next_of(lists[l]); h != lists[l]; h = next_of(h)) {
      size_t in = (size_t)(h->gc_prev >> 2);
      h->gc_prev = (uintptr_t)prev;
      prev = h;
      size_t rc = h->refcnt;
      if (rc < in) {
        (*inconsistent)++;
        continue;
      }
      if (rc == in || r != RCGC_OK)
        continue;
      if (k == cap) {
        rcgc_leak_root *nr = rcgc__leak_realloc(heap, res, cap * 2, sizeof *res);
        if (nr == NULL) {
          r = RCGC_ENOMEM; /* keep walking: the links must be restored */
          continue;
        }
        res = nr;
        cap *= 2;
      }
      res[k].obj = FROM_HEAD(h);
      res[k].refcount = rc;
      res[k].internal = in;
      res[k].external = rc - in;
      res[k].garbage_list = 0;
      k++;
    }
  }
  if (r == RCGC_OK && gs != NULL)
    for (size_t i = 0; i < k; i++)
      res[i].garbage_list = garbage_count(heap, gs, AS_HEAD(res[i].obj));
  rcgc__leak_free(heap, gs);
  if (r != RCGC_OK) {
    rcgc__leak_free(heap, res);
    return r;
  }
  *out = res;
  *count = k;
  return RCGC_OK;
}

/* ------------------------------------------------------------ 1. roots */

int rcgc_leak_roots(rcgc_heap *heap, rcgc_leak_root **out, size_t *count) {
  if (out != NULL)
    *out = NULL;
  if (count != NULL)
    *count = 0;
  if (heap == NULL || out == NULL || count == NULL)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  size_t nobj, inc;
  int r = roots_scan(heap, out, count, &nobj, &inc);
  LEAVE(heap);
  return r;
}

static long print_roots(rcgc_heap *heap, rcgc_write_fn write, void *write_ud) {
  rcgc_leak_root *rs;
  size_t n, nobj, inc;
  int r = roots_scan(heap, &rs, &n, &nobj, &inc);
  if (r != RCGC_OK)
    return r;
  char buf[RCGC__OUT_BUF];
  rcgc__leak_out f;
  rcgc__out_init(&f, heap, write, write_ud, buf, sizeof buf);
  for (size_t i = 0; i < n; i++) {
    rcgc__out_obj(&f, AS_HEAD(rs[i].obj));
    rcgc__out_printf(&f, ": refcount %u, %u from inside, %llu from outside",
                     (unsigned)rs[i].refcount, (unsigned)rs[i].internal,
                     (unsigned long long)rs[i].external);
    if (rs[i].garbage_list)
      rcgc__out_printf(&f, ", %u of them the garbage list", (unsigned)rs[i].garbage_list);
    rcgc__out_puts(&f, "\n");
  }
  rcgc__out_printf(&f, "%u root%s among %u objects\n", (unsigned)n, n == 1 ? "" : "s",
                   (unsigned)nobj);
  if (inc)
    rcgc__out_printf(&f,
                     "warning: %zu objects have a refcount smaller than the references found to "
                     "them\n",
                     inc);
  rcgc__leak_free(heap, rs);
  return rcgc__out_finish(&f) != RCGC_OK ? RCGC_EIO : (long)n;
}

long rcgc_leak_print_roots(rcgc_heap *heap, rcgc_write_fn write, void *write_ud) {
  CLAIMED(long, heap, print_roots(heap, write, write_ud));
}

/* ------------------------------------------------------------ 2. why */

/* Validate a user object for an analysis (reported to the sink when bad).
** An object being freed by refcount (its destroy function is running, or it
** waits on the zero stack) is on no list, so in no picture: refused,
** reported. (While its own finalizer runs it is tracked in generation 0.) */
static bool good_object(rcgc_heap *heap, const void *obj, const char *what) {
  if (obj == NULL || !rcgc__valid_object(heap, obj, what))
    return false;
  const head_t *h = AS_CHEAD(obj);
  if (h->refcnt == 0 || h->gc_prev == 0) {
    rcgc__misuse(heap, obj, "object being freed",
                 "%s on an object that is being freed (from its own finalizer or destroy "
                 "function); refused",
                 what);
    return false;
  }
  return true;
}

/* Why-alive without a picture: the references are counted in place (walks
** 1-2 above), then walk 3 seeds a breadth-first search with the roots in
** list order and the search runs over traverse calls, level by level, with
** its state in gc_prev: (q + 1) << 3 | cand << 2 | "10", q = the object's
** position in the queue (0: not reached), cand = it references the target.
** The target is never entered. This is rcgc__retaining_paths on the picture,
** exactly: same discovery order (roots in node order, references in
** traverse order), hence the same parents; candidates (reached u, slot)
** sorted by (length, node index of u, slot). It stops once a whole level
** is done with >= k candidates (later ones are longer) or once every
** reference to the target has been found. A final walk restores the links
** and gives the node index of each candidate's u. */

typedef struct wq_t {
  head_t *h;
  uint32_t parent; /* queue index; RCGC_G_NONE for a root */
  uint32_t aux;    /* slot of the reference from parent; a root's external
                   ** count (<= a 32-bit refcount) */
  const char *name;
} wq_t;

typedef struct wcand_t {
  uint32_t u;      /* queue index of the referrer */
  uint32_t len;    /* edges on the path */
  uint32_t slot;
  uint32_t pos;    /* node index (list position) of u */
  const char *name;
} wcand_t;

typedef struct why_ctx {
  rcgc_heap *heap;
  head_t *lists[NLISTS];
  head_t *target;
  bool found;             /* the target is on the lists */
  uint64_t target_in;     /* its internal references */
  uint64_t target_ext;    /* its external references (> 0: it is a root) */
  wq_t *q;
  uint32_t qlen, qcap;
  uint32_t cur, slot, level;
  wcand_t *cand;
  size_t ncand, ccap;
  int err;
} why_ctx;

#define WQ_SHIFT 3
#define WQ_CAND ((uintptr_t)4)

static bool wq_push(why_ctx *c, head_t *h, uint32_t parent, uint32_t aux, const char *name) {
  if (c->qlen == c->qcap) {
    uint32_t ncap = c->qcap > UINT32_MAX / 2 ? UINT32_MAX : c->qcap * 2;
    wq_t *nq = ncap > c->qcap ? rcgc__leak_realloc(c->heap, c->q, ncap, sizeof *nq) : NULL;
    if (nq == NULL) {
      c->err = RCGC_ENOMEM;
      return false;
    }
    c->q = nq;
    c->qcap = ncap;
  }
  wq_t *e = &c->q[c->qlen++];
  e->h = h;
  e->parent = parent;
  e->aux = aux;
  e->name = name;
  h->gc_prev = ((uintptr_t)c->qlen << WQ_SHIFT) | PREV_MARK;
  return true;
}

static int visit_why(void *child, const char *edge, void *arg) {
  why_ctx *c = arg;
  head_t *ch = AS_HEAD(child);
  uintptr_t p = ch->gc_prev;
  if ((p & PREV_FLAGS) != PREV_MARK)
    return 0; /* not on this heap's lists: not an edge of the picture */
  uint32_t s = c->slot++;
  if (ch == c->target) {
    if (c->ncand == c->ccap) {
      size_t ncap = c->ccap ? c->ccap * 2 : 16;
      wcand_t *nc = rcgc__leak_realloc(c->heap, c->cand, ncap, sizeof *nc);
      if (nc == NULL) {
        c->err = RCGC_ENOMEM;
        return 1;
      }
      c->cand = nc;
      c->ccap = ncap;
    }
    wcand_t *w = &c->cand[c->ncand++];
    w->u = c->cur;
    w->len = c->level + 1;
    w->slot = s;
    w->pos = 0;
    w->name = edge;
    c->q[c->cur].h->gc_prev |= WQ_CAND;
    return 0;
  }
  if ((p >> WQ_SHIFT) == 0 && !wq_push(c, ch, c->cur, s, edge))
    return 1;
  return 0;
}

static int wcand_cmp(const void *a, const void *b) {
  const wcand_t *x = a, *y = b;
  if (x->len != y->len)
    return x->len < y->len ? -1 : 1;
  if (x->pos != y->pos)
    return x->pos < y->pos ? -1 : 1;
  return x->slot < y->slot ? -1 : x->slot > y->slot;
}

static int wcand_u_cmp(const void *a, const void *b) {
  const wcand_t *x = a, *y = b;
  return x->u < y->u ? -1 : x->u > y->u;
}

/* Walk 3 (seed): read each object's count, note the target's, and queue
** the roots in list order; every header gets the search state "10" with no
** queue position. */
static void why_seed(why_ctx *c) {
  for (int l = 0; l < NLISTS; l++)
    for (head_t *h = next_of(c->lists[l]); h != c->lists[l]; h = next_of(h)) {
      uint64_t in = (uint64_t)(h->gc_prev >> 2), rc = h->refcnt;
      uint64_t ext = rc > in ? rc - in : 0;
      h->gc_prev = PREV_MARK;
      if (h == c->target) {
        c->found = true;
        c->target_in = in;
        c->target_ext = ext;
      } else if (ext > 0 && c->err == RCGC_OK) {
        wq_push(c, h, RCGC_G_NONE, (uint32_t)ext, NULL);
      }
    }
}

/* The search: breadth-first over traverse calls, level by level, until a
** whole level is done with >= k candidates or every reference to the target
** has been found. Nothing to search when the target is a root. */
static void why_search(why_ctx *c, size_t k) {
  if (!c->found || c->target_ext > 0)
    return;
  uint32_t head = 0, level_end = c->qlen;
  while (head < c->qlen && c->err == RCGC_OK) {
    if (head == level_end) {
      if (c->ncand >= k)
        break;
      c->level++;
      level_end = c->qlen;
    }
    c->cur = head;
    c->slot = 0;
    head_t *h = c->q[head].h;
    if (type_of(c->heap, h)->traverse != NULL)
      rcgc__traverse(c->heap, h, visit_why, c);
    head++;
    if (c->ncand >= c->target_in)
      break; /* every reference to the target found */
  }
}

/* Walk 4 (restore), on every path: every back link restored from the list
** order, and the node index (list position) of each candidate's referrer
** recorded on the way (candidates sorted by queue index, one binary search
** per referrer). */
static void why_restore(why_ctx *c) {
  if (c->ncand > 1 && c->err == RCGC_OK)
    qsort(c->cand, c->ncand, sizeof *c->cand, wcand_u_cmp);
  uint32_t pos = 0;
  for (int l = 0; l < NLISTS; l++) {
    head_t *prev = c->lists[l];
    for (head_t *h = next_of(c->lists[l]); h != c->lists[l]; h = next_of(h)) {
      uintptr_t p = h->gc_prev;
      h->gc_prev = (uintptr_t)prev;
      prev = h;
      if ((p & WQ_CAND) && c->err == RCGC_OK) {
        uint32_t u = (uint32_t)((p >> WQ_SHIFT) - 1);
        size_t lo = 0, hi = c->ncand;
        while (lo < hi) {
          size_t mid = lo + (hi - lo) / 2;
          if (c->cand[mid].u < u)
            lo = mid + 1;
          else
            hi = mid;
        }
        for (; lo < c->ncand && c->cand[lo].u == u; lo++)
          c->cand[lo].pos = pos;
      }
      pos++;
    }
  }
}

/* Assemble the result: the first k candidates by (length, node index of
** the referrer, slot), each path walked back through the queue's parents,
** all in one rcgc__leak_alloc block; a root target gives one path of one
** step. */
static int why_assemble(why_ctx *c, void *obj, size_t k, rcgc_leak_path **paths,
                        size_t *npaths) {
  size_t np, nsteps = 0;
  if (c->target_ext > 0) {
    np = 1;
    nsteps = 1;
  } else {
    if (c->ncand > 1)
      qsort(c->cand, c->ncand, sizeof *c->cand, wcand_cmp);
    np = c->ncand < k ? c->ncand : k;
    for (size_t i = 0; i < np; i++)
      nsteps += (size_t)c->cand[i].len + 1;
    if (np == 0)
      return RCGC_ENOTFOUND;
  }
  char *block = rcgc__leak_alloc(
      c->heap, np * sizeof(rcgc_leak_path) + nsteps * sizeof(rcgc_leak_step), 1);
  if (block == NULL)
    return RCGC_ENOMEM;
  rcgc_leak_path *ps = (rcgc_leak_path *)(void *)block;
  rcgc_leak_step *st = (rcgc_leak_step *)(void *)(block + np * sizeof(rcgc_leak_path));
  if (c->target_ext > 0) {
    ps[0].nsteps = 1;
    ps[0].steps = st;
    ps[0].root_external = (size_t)c->target_ext;
    st[0].obj = obj;
    st[0].edge = NULL;
    st[0].slot = 0;
  } else {
    for (size_t i = 0; i < np; i++) {
      const wcand_t *w = &c->cand[i];
      size_t len = w->len;
      ps[i].nsteps = len + 1;
      ps[i].steps = st;
      st[len].obj = obj;
      st[len].edge = w->name;
      st[len].slot = w->slot;
      uint32_t u = w->u;
      for (size_t j = len; j-- > 0;) {
        const wq_t *e = &c->q[u];
        st[j].obj = FROM_HEAD(e->h);
        if (j == 0) {
          st[j].edge = NULL;
          st[j].slot = 0;
          ps[i].root_external = e->aux;
        } else {
          st[j].edge = e->name;
          st[j].slot = e->aux;
        }
        u = e->parent;
      }
      st += len + 1;
    }
  }
  *paths = ps;
  *npaths = np;
  return RCGC_OK;
}

/* Up to k retaining paths of obj (valid, live) as one rcgc__leak_alloc
** block: count in place (walks 1-2), seed, search, restore, assemble. */
static int why_paths(rcgc_heap *heap, void *obj, size_t k, rcgc_leak_path **paths,
                     size_t *npaths) {
  *paths = NULL;
  *npaths = 0;
  why_ctx c;
  memset(&c, 0, sizeof c);
  c.heap = heap;
  c.target = AS_HEAD(obj);
  c.qcap = 4096;
  c.q = rcgc__leak_alloc(heap, c.qcap, sizeof *c.q);
  if (c.q == NULL)
    return RCGC_ENOMEM;
  heap_lists(heap, c.lists);
  count_internal(heap); /* walks 1-2: markers in place */
  why_seed(&c);         /* walk 3 */
  why_search(&c, k);
  why_restore(&c);      /* walk 4: markers gone */
  int r = c.err;
  if (r == RCGC_OK && !c.found)
    r = RCGC_EINVAL;
  if (r == RCGC_OK)
    r = why_assemble(&c, obj, k, paths, npaths);
  rcgc__leak_free(heap, c.q);
  rcgc__leak_free(heap, c.cand);
  return r;
}

int rcgc_leak_why(rcgc_heap *heap, void *obj, size_t k, rcgc_leak_path **paths, size_t *npaths) {
  if (paths != NULL)
    *paths = NULL;
  if (npaths != NULL)
    *npaths = 0;
  if (heap == NULL)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  int r = rcgc__leak_check_state(heap);
  if (r == RCGC_OK &&
      (paths == NULL || npaths == NULL || k == 0 || !good_object(heap, obj, "rcgc_leak_why")))
    r = RCGC_EINVAL;
  if (r == RCGC_OK)
    r = why_paths(heap, obj, k, paths, npaths);
  LEAVE(heap);
  return r;
}

/* The explanation for a target no root retains. */
static int print_unreachable(const rcgc__hg_t *hg, uint32_t target, rcgc__leak_out *f,
                             const char *indent) {
  uint8_t *mask = NULL;
  size_t ng = 0;
  uint32_t *reason = NULL;
  size_t nu = 0;
  int r = rcgc__hg_garbage_mask(hg, 1, &mask, &ng);
  if (r == RCGC_OK && mask[target])
    r = rcgc__hg_uncollectable(hg, mask, &reason, &nu);
  if (r == RCGC_OK) {
    rcgc__out_puts(f, indent);
    if (!mask[target]) {
      rcgc__out_puts(f, "unreachable from every root, but kept by an untracked or frozen object "
                        "(only a weak reference or an untracked cycle holds it)\n");
    } else if (reason != NULL && reason[target] != RCGC_G_NONE) {
      rcgc__out_puts(f, "unreachable: uncollectable garbage, kept by the legacy finalizer of ");
      rcgc__out_obj(f, hg->objs[reason[target]]);
      rcgc__out_puts(f, "\n");
    } else {
      rcgc__out_puts(f, "unreachable: cyclic garbage, the next full collection frees it\n");
    }
  }
  rcgc__leak_free(hg->heap, mask);
  rcgc__leak_free(hg->heap, reason);
  return r;
}

long rcgc__hg_print_why(const rcgc__hg_t *hg, uint32_t target, size_t k, rcgc__leak_out *f,
                        const char *indent) {
  rcgc__paths p;
  int r = rcgc__leak_err(rcgc__retaining_paths(&hg->g, target, k > UINT32_MAX ? UINT32_MAX : (uint32_t)k, &p));
  if (r != RCGC_OK)
    return r;
  if (p.npaths == 0) {
    rcgc__paths_free(&hg->g, &p);
    r = print_unreachable(hg, target, f, indent);
    return r == RCGC_OK ? 0 : r;
  }
  char ind2[64];
  snprintf(ind2, sizeof ind2, "%s  ", indent);
  for (uint32_t i = 0; i < p.npaths; i++) {
    if (p.npaths > 1 || k > 1)
      rcgc__out_printf(f, "%spath %u, %u reference%s:\n", indent, i + 1, p.len[i],
                       p.len[i] == 1 ? "" : "s");
    print_path(hg, f, (p.npaths > 1 || k > 1) ? ind2 : indent, p.nodes + p.off[i],
               p.edges + (p.off[i] - i), p.len[i]);
  }
  long n = p.npaths;
  rcgc__paths_free(&hg->g, &p);
  return n;
}

static long print_why(rcgc_heap *heap, void *obj, size_t k, rcgc_write_fn write,
                      void *write_ud) {
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK)
    return r;
  if (k == 0 || !good_object(heap, obj, "rcgc_leak_print_why"))
    return RCGC_EINVAL;
  rcgc_leak_path *ps;
  size_t np;
  r = why_paths(heap, obj, k, &ps, &np);
  if (r != RCGC_OK && r != RCGC_ENOTFOUND)
    return r;
  int ok = 1;
  head_t **gs = r == RCGC_OK ? garbage_sorted(heap, &ok) : NULL;
  if (!ok) {
    rcgc__leak_free(heap, ps);
    return RCGC_ENOMEM;
  }
  char buf[RCGC__OUT_BUF];
  rcgc__leak_out f;
  rcgc__out_init(&f, heap, write, write_ud, buf, sizeof buf);
  rcgc__out_puts(&f, "why is ");
  rcgc__out_obj(&f, AS_HEAD(obj));
  rcgc__out_puts(&f, " alive?\n");
  if (r == RCGC_ENOTFOUND) {
    /* rare: explain with a picture (collector view) */
    rcgc__hg_t hg;
    r = rcgc__hg_build(heap, HG_EDGES, &hg);
    if (r == RCGC_OK) {
      uint32_t target = rcgc__hg_find(&hg, obj);
      r = target == RCGC_G_NONE ? RCGC_EINVAL : print_unreachable(&hg, target, &f, "  ");
      rcgc__hg_free(&hg);
    }
    int w = rcgc__out_finish(&f);
    return r != RCGC_OK ? r : w != RCGC_OK ? RCGC_EIO : 0;
  }
  const char *indent = "  ";
  const char *ind = (np > 1 || k > 1) ? "    " : indent;
  for (size_t i = 0; i < np; i++) {
    const rcgc_leak_path *p = &ps[i];
    size_t len = p->nsteps - 1;
    if (np > 1 || k > 1)
      rcgc__out_printf(&f, "%spath %u, %u reference%s:\n", indent, (unsigned)(i + 1),
                       (unsigned)len, len == 1 ? "" : "s");
    rcgc__out_puts(&f, ind);
    rcgc__out_obj(&f, AS_HEAD(p->steps[0].obj));
    print_root_note(&f, p->root_external, garbage_count(heap, gs, AS_HEAD(p->steps[0].obj)));
    rcgc__out_puts(&f, "\n");
    for (size_t j = 1; j <= len; j++)
      print_step(&f, ind, p->steps[j].edge, p->steps[j].slot, AS_HEAD(p->steps[j].obj));
  }
  rcgc__leak_free(heap, gs);
  rcgc__leak_free(heap, ps);
  return rcgc__out_finish(&f) != RCGC_OK ? RCGC_EIO : (long)np;
}

long rcgc_leak_print_why(rcgc_heap *heap, void *obj, size_t k, rcgc_write_fn write,
                         void *write_ud) {
  CLAIMED(long, heap, print_why(heap, obj, k, write, write_ud));
}

/* ------------------------------------------------------------ 3. cycles */

/* Build the scope mask (NULL for the whole heap). */
static int scope_mask(rcgc__hg_t *hg, rcgc_leak_scope scope, void *const *objs, size_t n,
                      uint8_t **mask) {
  *mask = NULL;
  size_t cnt;
  if (scope == RCGC_LEAK_HEAP)
    return RCGC_OK;
  if (scope == RCGC_LEAK_GARBAGE)
    return rcgc__hg_garbage_mask(hg, 0, mask, &cnt);
  uint32_t *src = rcgc__leak_alloc(hg->heap, n + 1, sizeof *src);
  if (src == NULL)
    return RCGC_ENOMEM;
  int r = rcgc__hg_find_many(hg, objs, n, src);
  for (size_t i = 0; r == RCGC_OK && i < n; i++)
    if (src[i] == RCGC_G_NONE)
      r = RCGC_EINVAL;
  rcgc__bfs bfs;
  if (r == RCGC_OK)
    r = rcgc__leak_err(rcgc__bfs_run(&hg->g, src, (uint32_t)n, NULL, &bfs));
  rcgc__leak_free(hg->heap, src);
  if (r != RCGC_OK)
    return r;
  uint8_t *m = rcgc__leak_alloc(hg->heap, (size_t)hg->n + 1, 1);
  if (m != NULL)
    for (uint32_t v = 0; v < hg->n; v++)
      m[v] = bfs.dist[v] != RCGC_G_NONE;
  rcgc__bfs_free(&hg->g, &bfs);
  *mask = m;
  return m ? RCGC_OK : RCGC_ENOMEM;
}

/* rcgc_leak_cycles; 'what' names the call the user made in reports. */
static int leak_cycles(rcgc_heap *heap, rcgc_leak_scope scope, void *const *objs, size_t n,
                       rcgc_leak_cycle_set **out, const char *what) {
  if (out != NULL)
    *out = NULL;
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK)
    return r;
  if (out == NULL || (unsigned)scope > RCGC_LEAK_HEAP ||
      (scope == RCGC_LEAK_REACHABLE && objs == NULL && n > 0) || n >= RCGC_G_VROOT)
    return RCGC_EINVAL;
  if (scope == RCGC_LEAK_REACHABLE)
    for (size_t i = 0; i < n; i++)
      if (!good_object(heap, objs[i], what))
        return RCGC_EINVAL;
  rcgc__hg_t hg;
  r = rcgc__hg_build(heap, HG_EDGES | HG_NAMES, &hg);
  if (r != RCGC_OK)
    return r;
  uint8_t *mask = NULL;
  uint32_t *reason = NULL;
  uint32_t *order = NULL;
  size_t nunc = 0;
  rcgc__scc scc;
  memset(&scc, 0, sizeof scc);
  r = scope_mask(&hg, scope, objs, n, &mask);
  if (r == RCGC_OK && scope == RCGC_LEAK_GARBAGE)
    r = rcgc__hg_uncollectable(&hg, mask, &reason, &nunc);
  if (r == RCGC_OK)
    r = rcgc__leak_err(rcgc__scc_run(&hg.g, mask, 0, &scc));
  if (r == RCGC_OK) {
    order = rcgc__leak_alloc(heap, (size_t)scc.ncyclic + 1, sizeof *order);
    if (order == NULL)
      r = RCGC_ENOMEM;
  }
  if (r == RCGC_OK)
    r = rcgc__leak_err(rcgc__scc_cycle_order(&hg.g, &scc, order));
  if (r != RCGC_OK)
    goto out;
  {
    size_t nmem = 0, nedg = 0, nobj = 0;
    uint32_t nc = 0;
    for (uint32_t c = 0; c < scc.ncomp; c++) {
      nobj += scc.start[c + 1] - scc.start[c];
      if (!scc.cyclic[c])
        continue;
      nc++;
      nmem += scc.start[c + 1] - scc.start[c];
      nedg += rcgc__scc_internal_edges(&hg.g, &scc, c, 0, NULL, 0);
    }
    size_t bytes = sizeof(rcgc_leak_cycle_set) + nc * sizeof(rcgc_leak_cycle) +
                   nmem * sizeof(rcgc_leak_member) + nedg * sizeof(rcgc_leak_edge);
    char *block = rcgc__leak_alloc(heap, bytes, 1);
    if (block == NULL) {
      r = RCGC_ENOMEM;
      goto out;
    }
    rcgc_leak_cycle_set *res = (rcgc_leak_cycle_set *)(void *)block;
    rcgc_leak_cycle *cy = (rcgc_leak_cycle *)(void *)(res + 1);
    rcgc_leak_member *mem = (rcgc_leak_member *)(void *)(cy + nc);
    rcgc_leak_edge *ed = (rcgc_leak_edge *)(void *)(mem + nmem);
    res->ncycles = nc;
    res->cycles = cy;
    res->nobjects = nobj;
    res->nuncollectable = nunc;
    for (uint32_t i = 0; i < nc; i++) {
      uint32_t c = order[i];
      cy[i].nmembers = scc.start[c + 1] - scc.start[c];
      cy[i].members = mem;
      cy[i].source = scc.source[c] != 0;
      for (uint32_t j = scc.start[c]; j < scc.start[c + 1]; j++) {
        uint32_t v = scc.members[j];
        const head_t *h = hg.objs[v];
        unsigned fl = 0;
        if (type_of(heap, h)->legacy_finalize != NULL)
          fl |= RCGC_LEAK_M_LEGACY;
        if (hg.garb[v])
          fl |= RCGC_LEAK_M_GARBAGE_LIST;
        if (h->tinfo & TI_FINALIZED)
          fl |= RCGC_LEAK_M_FINALIZED;
        if (hg.ext[v] > hg.garb[v])
          fl |= RCGC_LEAK_M_ROOT;
        mem->reason = NULL;
        if (reason != NULL && reason[v] != RCGC_G_NONE) {
          fl |= RCGC_LEAK_M_UNCOLLECTABLE;
          mem->reason = FROM_HEAD(hg.objs[reason[v]]);
        }
        mem->obj = FROM_HEAD(h);
        mem->flags = fl;
        mem++;
      }
      /* the strong edges inside c, in edge order (as
      ** rcgc__scc_internal_edges lists them), without a search per edge */
      cy[i].edges = ed;
      const rcgc__graph *g = &hg.g;
      for (uint32_t j = scc.start[c]; j < scc.start[c + 1]; j++) {
        uint32_t u = scc.members[j];
        void *from = FROM_HEAD(hg.objs[u]);
        size_t e0 = g->edge_start[u];
        for (size_t e = e0; e < g->edge_start[u + 1]; e++) {
          uint32_t w = g->edge_to[e];
          if ((g->edge_flags[e] & RCGC_G_EDGE_WEAK) || scc.comp[w] != c)
            continue;
          uint32_t nm = g->edge_name[e];
          ed->from = from;
          ed->to = FROM_HEAD(hg.objs[w]);
          ed->name = nm == RCGC_G_NONE ? NULL : rcgc__hg_edge_name_ptr(&hg, nm);
          ed->slot = e - e0;
          ed++;
        }
      }
      cy[i].nedges = (size_t)(ed - cy[i].edges);
    }
    *out = res;
  }
out:
  rcgc__leak_free(heap, order);
  rcgc__leak_free(heap, mask);
  rcgc__leak_free(heap, reason);
  rcgc__scc_free(&hg.g, &scc);
  rcgc__hg_free(&hg);
  return r;
}

int rcgc_leak_cycles(rcgc_heap *heap, rcgc_leak_scope scope, void *const *objs, size_t n,
                     rcgc_leak_cycle_set **out) {
  if (out != NULL)
    *out = NULL;
  CLAIMED(int, heap, leak_cycles(heap, scope, objs, n, out, "rcgc_leak_cycles"));
}

static long print_cycles(rcgc_heap *heap, rcgc_leak_scope scope, void *const *objs, size_t n,
                         size_t limit, rcgc_write_fn write, void *write_ud) {
  rcgc_leak_cycle_set *cs;
  int r = leak_cycles(heap, scope, objs, n, &cs, "rcgc_leak_print_cycles");
  if (r != RCGC_OK)
    return r;
  if (limit == 0)
    limit = 50;
  char obuf[RCGC__OUT_BUF];
  rcgc__leak_out f;
  rcgc__out_init(&f, heap, write, write_ud, obuf, sizeof obuf);
  static const char *const scope_name[] = {"the garbage", "the objects reachable from the set",
                                           "the heap"};
  rcgc__out_printf(&f, "%zu reference cycle%s among %s (%zu objects)", cs->ncycles,
                   cs->ncycles == 1 ? "" : "s", scope_name[scope], cs->nobjects);
  if (scope == RCGC_LEAK_GARBAGE && cs->nuncollectable)
    rcgc__out_printf(&f, ", %zu uncollectable", cs->nuncollectable);
  rcgc__out_puts(&f, "\n");
  char buf[RCGC__DESC_BUF];
  for (size_t i = 0; i < cs->ncycles; i++) {
    rcgc_leak_cycle *c = &cs->cycles[i];
    rcgc__out_printf(&f, "cycle %zu of %zu: %zu object%s, %zu reference%s%s\n", i + 1,
                     cs->ncycles, c->nmembers, c->nmembers == 1 ? "" : "s", c->nedges,
                     c->nedges == 1 ? "" : "s", c->source ? " [source]" : "");
    for (size_t j = 0; j < c->nmembers && j < limit; j++) {
      rcgc_leak_member *m = &c->members[j];
      rcgc__out_puts(&f, "  ");
      rcgc__out_obj(&f, AS_HEAD(m->obj));
      if (m->flags & RCGC_LEAK_M_UNCOLLECTABLE) {
        if (m->reason == m->obj) {
          rcgc__out_puts(&f, " [uncollectable: its legacy finalizer]");
        } else {
          rcgc__describe(heap, AS_HEAD(m->reason), buf, sizeof buf);
          rcgc__out_printf(&f, " [uncollectable: legacy finalizer of %s]", buf);
        }
      } else if (m->flags & RCGC_LEAK_M_LEGACY) {
        rcgc__out_puts(&f, " [legacy finalizer]");
      }
      if (m->flags & RCGC_LEAK_M_GARBAGE_LIST)
        rcgc__out_puts(&f, " [in the garbage list]");
      if (m->flags & RCGC_LEAK_M_ROOT)
        rcgc__out_puts(&f, " [held from outside]");
      if (m->flags & RCGC_LEAK_M_FINALIZED)
        rcgc__out_puts(&f, " [finalized]");
      rcgc__out_puts(&f, "\n");
    }
    if (c->nmembers > limit)
      rcgc__out_printf(&f, "  ... %zu more objects\n", c->nmembers - limit);
    for (size_t j = 0; j < c->nedges && j < limit; j++) {
      rcgc_leak_edge *e = &c->edges[j];
      rcgc__out_puts(&f, "  ");
      rcgc__out_repr(&f, AS_HEAD(e->from));
      if (e->name) {
        rcgc__out_puts(&f, " --");
        rcgc__out_puts(&f, e->name);
        rcgc__out_puts(&f, "--> ");
      } else {
        rcgc__out_printf(&f, " --[%zu]--> ", e->slot);
      }
      rcgc__out_repr(&f, AS_HEAD(e->to));
      rcgc__out_puts(&f, "\n");
    }
    if (c->nedges > limit)
      rcgc__out_printf(&f, "  ... %zu more references\n", c->nedges - limit);
  }
  long nc = (long)cs->ncycles;
  rcgc__leak_free(heap, cs);
  return rcgc__out_finish(&f) != RCGC_OK ? RCGC_EIO : nc;
}

long rcgc_leak_print_cycles(rcgc_heap *heap, rcgc_leak_scope scope, void *const *objs, size_t n,
                            size_t limit, rcgc_write_fn write, void *write_ud) {
  CLAIMED(long, heap, print_cycles(heap, scope, objs, n, limit, write, write_ud));
}

/* ------------------------------------------------------------ 5. dominators */

static int dominators(rcgc_heap *heap, size_t k, int top, rcgc_leak_retained **out,
                      size_t *count) {
  if (out != NULL)
    *out = NULL;
  if (count != NULL)
    *count = 0;
  if (out == NULL || count == NULL)
    return RCGC_EINVAL;
  rcgc__hg_t hg;
  int r = rcgc__hg_build(heap, HG_EDGES, &hg);
  if (r != RCGC_OK)
    return r;
  rcgc__dom d;
  r = rcgc__leak_err(rcgc__dom_run(&hg.g, &d));
  if (r != RCGC_OK) {
    rcgc__hg_free(&hg);
    return r;
  }
  uint32_t *sel = NULL;
  size_t ns = 0;
  if (top) {
    uint32_t kk = k > hg.n ? hg.n : (uint32_t)k;
    sel = rcgc__leak_alloc(heap, (size_t)kk + 1, sizeof *sel);
    if (sel != NULL)
      ns = rcgc__dom_top(&d, NULL, kk, sel);
  } else {
    ns = d.nreached;
  }
  rcgc_leak_retained *res = rcgc__leak_alloc(heap, ns + 1, sizeof *res);
  if (res == NULL || (top && sel == NULL)) {
    rcgc__leak_free(heap, res);
    rcgc__leak_free(heap, sel);
    rcgc__dom_free(&hg.g, &d);
    rcgc__hg_free(&hg);
    return RCGC_ENOMEM;
  }
  size_t j = 0;
  for (uint32_t i = 0; top ? i < ns : i < hg.n; i++) {
    uint32_t v = top ? sel[i] : i;
    if (d.idom[v] == RCGC_G_NONE)
      continue;
    res[j].obj = FROM_HEAD(hg.objs[v]);
    res[j].idom = d.idom[v] == RCGC_G_VROOT ? NULL : FROM_HEAD(hg.objs[d.idom[v]]);
    res[j].self_bytes = (size_t)hg.g.self_size[v];
    res[j].retained_bytes = (size_t)d.retained[v];
    j++;
  }
  *out = res;
  *count = j;
  rcgc__leak_free(heap, sel);
  rcgc__dom_free(&hg.g, &d);
  rcgc__hg_free(&hg);
  return RCGC_OK;
}

int rcgc_leak_dominators(rcgc_heap *heap, rcgc_leak_retained **out, size_t *count) {
  RESET_RESULT(out, count);
  CLAIMED(int, heap, dominators(heap, 0, 0, out, count));
}

int rcgc_leak_top_retainers(rcgc_heap *heap, size_t k, rcgc_leak_retained **out, size_t *count) {
  RESET_RESULT(out, count);
  CLAIMED(int, heap, dominators(heap, k, 1, out, count));
}

static long print_top_retainers(rcgc_heap *heap, size_t k, rcgc_write_fn write,
                                void *write_ud) {
  rcgc_leak_retained *t;
  size_t n;
  int r = dominators(heap, k, 1, &t, &n);
  if (r != RCGC_OK)
    return r;
  char buf[RCGC__OUT_BUF];
  rcgc__leak_out f;
  rcgc__out_init(&f, heap, write, write_ud, buf, sizeof buf);
  rcgc__out_printf(&f, "%12s %10s  %s\n", "retained", "self", "object");
  for (size_t i = 0; i < n; i++) {
    rcgc__out_printf(&f, "%12zu %10zu  ", t[i].retained_bytes, t[i].self_bytes);
    rcgc__out_obj(&f, AS_HEAD(t[i].obj));
    rcgc__out_puts(&f, "\n");
  }
  rcgc__leak_free(heap, t);
  return rcgc__out_finish(&f) != RCGC_OK ? RCGC_EIO : (long)n;
}

long rcgc_leak_print_top_retainers(rcgc_heap *heap, size_t k, rcgc_write_fn write,
                                   void *write_ud) {
  CLAIMED(long, heap, print_top_retainers(heap, k, write, write_ud));
}

/* ------------------------------------------------------------ 7. DOT */

typedef struct dot_ctx {
  const rcgc__hg_t *hg;
  const uint32_t *orig; /* sub-graph node -> heap-graph node (NULL: same) */
  unsigned flags;
  rcgc__leak_out *f;
} dot_ctx;

static size_t dot_label(void *ud, const rcgc__graph *g, uint32_t v, char *buf, size_t cap) {
  (void)g;
  dot_ctx *c = ud;
  uint32_t o = c->orig ? c->orig[v] : v;
  const rcgc__hg_t *hg = c->hg;
  const head_t *h = hg->objs[o];
  const rcgc_type *t = type_of(hg->heap, h);
  int n = snprintf(buf, cap, "%s", t->name);
  size_t k = n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
  if (t->repr != NULL && k + 2 < cap) {
    buf[k++] = '\n';
    k += rcgc__leak_repr(hg->heap, h, buf + k, cap - k);
  }
  if ((c->flags & RCGC_LEAK_DOT_REFCOUNTS) && k + 2 < cap) {
    n = snprintf(buf + k, cap - k, "\nrefcount %u (%llu from outside)", (unsigned)h->refcnt,
                 (unsigned long long)hg->ext[o]);
    if (n > 0)
      k += (size_t)n < cap - k ? (size_t)n : cap - k - 1;
  }
  return k;
}

static void dot_write(void *ud, const char *text, size_t len) {
  dot_ctx *c = ud;
  rcgc__out_put(c->f, text, len);
}

static int dot(rcgc_heap *heap, void *const *objs, size_t n, const rcgc_leak_dot_opts *opts,
               rcgc_write_fn write, void *write_ud) {
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK)
    return r;
  if ((objs == NULL && n > 0) || n >= RCGC_G_VROOT)
    return RCGC_EINVAL;
  for (size_t i = 0; i < n; i++)
    if (!good_object(heap, objs[i], "rcgc_leak_dot"))
      return RCGC_EINVAL;
  rcgc_leak_dot_opts def = {0, 3, 10, NULL, NULL, NULL};
  if (opts == NULL)
    opts = &def;
  rcgc__hg_t hg;
  r = rcgc__hg_build(heap, HG_EDGES | HG_NAMES, &hg);
  if (r != RCGC_OK)
    return r;
  uint32_t *start = rcgc__leak_alloc(heap, n + 1, sizeof *start);
  uint32_t *newix = NULL, *orig = NULL;
  uint8_t *hl = NULL;
  rcgc__graph sub;
  rcgc__graph_init(&sub, rcgc__leak_graph_alloc, heap);
  rcgc__preds preds;
  memset(&preds, 0, sizeof preds);
  const rcgc__graph *g = &hg.g;
  if (start == NULL) {
    r = RCGC_ENOMEM;
    goto out;
  }
  r = rcgc__hg_find_many(&hg, objs, n, start);
  for (size_t i = 0; r == RCGC_OK && i < n; i++)
    if (start[i] == RCGC_G_NONE)
      r = RCGC_EINVAL;
  if (r != RCGC_OK)
    goto out;
  if (opts->filter != NULL) {
    /* objgraph's filter: objects it rejects are neither drawn nor walked
    ** through; draw the sub-graph of the kept ones */
    newix = rcgc__leak_alloc(heap, (size_t)hg.n + 1, sizeof *newix);
    orig = rcgc__leak_alloc(heap, (size_t)hg.n + 1, sizeof *orig);
    uint8_t *is_start = rcgc__leak_calloc(heap, (size_t)hg.n + 1, 1);
    if (newix == NULL || orig == NULL || is_start == NULL) {
      rcgc__leak_free(heap, is_start);
      r = RCGC_ENOMEM;
      goto out;
    }
    for (size_t i = 0; i < n; i++)
      is_start[start[i]] = 1;
    rcgc__builder b;
    rcgc__builder_init(&b, &sub);
    uint32_t k = 0;
    for (uint32_t v = 0; v < hg.n; v++) {
      newix[v] = RCGC_G_NONE;
      int keep = is_start[v];
      if (!keep) {
        USER_BEGIN(heap);
        keep = opts->filter(FROM_HEAD(hg.objs[v]), opts->ud) != 0;
        USER_END(heap);
      }
      if (keep) {
        newix[v] = rcgc__builder_node(&b, hg.g.id[v], RCGC_G_NONE, hg.g.self_size[v]);
        orig[k++] = v;
      }
    }
    rcgc__leak_free(heap, is_start);
    for (uint32_t v = 0; v < hg.n; v++) {
      if (newix[v] == RCGC_G_NONE)
        continue;
      for (size_t e = hg.g.edge_start[v]; e < hg.g.edge_start[v + 1]; e++) {
        uint32_t w = hg.g.edge_to[e];
        if (newix[w] == RCGC_G_NONE)
          continue;
        uint32_t nm = RCGC_G_NONE;
        if (hg.g.edge_name[e] != RCGC_G_NONE)
          nm = rcgc__graph_intern(&sub, rcgc__graph_str(&hg.g, hg.g.edge_name[e]));
        rcgc__builder_edge(&b, newix[v], newix[w], nm, hg.g.edge_flags[e]);
      }
    }
    r = rcgc__leak_err(rcgc__builder_finish(&b));
    if (r != RCGC_OK)
      goto out;
    for (size_t i = 0; i < n; i++)
      start[i] = newix[start[i]];
    g = &sub;
  }
  if (opts->highlight != NULL) {
    hl = rcgc__leak_calloc(heap, (size_t)g->n + 1, 1);
    if (hl == NULL) {
      r = RCGC_ENOMEM;
      goto out;
    }
    for (uint32_t v = 0; v < g->n; v++) {
      USER_BEGIN(heap);
      hl[v] = opts->highlight(FROM_HEAD(hg.objs[orig ? orig[v] : v]), opts->ud) != 0;
      USER_END(heap);
    }
  }
  if (opts->flags & RCGC_LEAK_DOT_BACKREFS) {
    r = rcgc__leak_err(rcgc__preds_build(g, &preds));
    if (r != RCGC_OK)
      goto out;
  }
  {
    char buf[RCGC__OUT_BUF];
    rcgc__leak_out f;
    rcgc__out_init(&f, heap, write, write_ud, buf, sizeof buf);
    dot_ctx c = {&hg, orig, opts->flags, &f};
    rcgc__dot_opts o;
    memset(&o, 0, sizeof o);
    o.flags = ((opts->flags & RCGC_LEAK_DOT_BACKREFS) ? RCGC_G_DOT_BACK : 0) |
              ((opts->flags & RCGC_LEAK_DOT_NO_WEAK) ? RCGC_G_DOT_NO_WEAK : 0);
    o.max_depth = opts->max_depth > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)opts->max_depth;
    o.too_many = opts->too_many > UINT32_MAX ? UINT32_MAX : (uint32_t)opts->too_many;
    o.highlight = hl;
    o.label = dot_label;
    o.label_ud = &c;
    o.preds = (opts->flags & RCGC_LEAK_DOT_BACKREFS) ? &preds : NULL;
    r = rcgc__leak_err(rcgc__dot(g, start, (uint32_t)n, &o, dot_write, &c));
    if (rcgc__out_finish(&f) != RCGC_OK && r == RCGC_OK)
      r = RCGC_EIO;
  }
out:
  rcgc__preds_free(g, &preds);
  rcgc__graph_free(&sub);
  rcgc__leak_free(heap, start);
  rcgc__leak_free(heap, newix);
  rcgc__leak_free(heap, orig);
  rcgc__leak_free(heap, hl);
  rcgc__hg_free(&hg);
  return r;
}

int rcgc_leak_dot(rcgc_heap *heap, void *const *objs, size_t n, const rcgc_leak_dot_opts *opts,
                  rcgc_write_fn write, void *write_ud) {
  CLAIMED(int, heap, dot(heap, objs, n, opts, write, write_ud));
}
