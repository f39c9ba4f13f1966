/*
** graph.c -- internal graph algorithms over a flat CSR object graph.
**
** See graph.h for the data model and every function's contract. Rules kept
** throughout this file:
**   - no recursion: every traversal keeps an explicit stack or queue sized
**     by the node count, so a 10^7-deep chain costs memory, not C stack;
**   - no per-node or per-edge allocation: each phase allocates a handful
**     of flat arrays through the graph's allocator and frees them before
**     returning;
**   - weak edges never retain (BFS, dominators); SCC follows them only on
**     request.
** Depends on the C library only (stdlib, string, stdio for snprintf).
*/
#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ memory */

static void *default_alloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
  (void)ud;
  (void)old_size;
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, new_size);
}

#define SCRATCH_PREFIX 16

void *rcgc__scratch_realloc(rcgc__gmem_fn fn, void *ud, void *p, size_t count, size_t size) {
  if (size && count > (SIZE_MAX - SCRATCH_PREFIX) / size)
    return NULL;
  size_t bytes = count * size;
  if (!fn)
    fn = default_alloc;
  char *base = p ? (char *)p - SCRATCH_PREFIX : NULL;
  size_t old = base ? *(size_t *)(void *)base + SCRATCH_PREFIX : 0;
  char *nb = fn(ud, base, old, bytes + SCRATCH_PREFIX);
  if (!nb)
    return NULL;
  *(size_t *)(void *)nb = bytes;
  return nb + SCRATCH_PREFIX;
}

void *rcgc__scratch_alloc(rcgc__gmem_fn fn, void *ud, size_t count, size_t size) {
  return rcgc__scratch_realloc(fn, ud, NULL, count, size);
}

void rcgc__scratch_free(rcgc__gmem_fn fn, void *ud, void *p) {
  if (!p)
    return;
  if (!fn)
    fn = default_alloc;
  char *base = (char *)p - SCRATCH_PREFIX;
  fn(ud, base, *(size_t *)(void *)base + SCRATCH_PREFIX, 0);
}

/* Grow an array of 'size'-byte elements to at least 'need' elements
** (doubling). Returns 0 or RCGC_G_ENOMEM (array unchanged). */
static int g_grow(const rcgc__graph *g, void **arr, size_t *cap, size_t need, size_t size) {
  if (need <= *cap)
    return RCGC_G_OK;
  size_t ncap = *cap ? *cap : 16;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2)
      return RCGC_G_ENOMEM;
    ncap *= 2;
  }
  void *p = rcgc__gmem_realloc(g, *arr, ncap, size);
  if (!p)
    return RCGC_G_ENOMEM;
  *arr = p;
  *cap = ncap;
  return RCGC_G_OK;
}

void *rcgc__gmem_alloc(const rcgc__graph *g, size_t count, size_t size) {
  return rcgc__scratch_alloc(g->alloc, g->alloc_ud, count, size);
}

void *rcgc__gmem_calloc(const rcgc__graph *g, size_t count, size_t size) {
  void *p = rcgc__gmem_alloc(g, count, size);
  if (p && count && size)
    memset(p, 0, count * size);
  return p;
}

void *rcgc__gmem_realloc(const rcgc__graph *g, void *p, size_t count, size_t size) {
  return rcgc__scratch_realloc(g->alloc, g->alloc_ud, p, count, size);
}

void rcgc__gmem_free(const rcgc__graph *g, void *p) {
  rcgc__scratch_free(g->alloc, g->alloc_ud, p);
}

/* ------------------------------------------------------------ graph */

void rcgc__graph_init(rcgc__graph *g, rcgc__gmem_fn fn, void *ud) {
  memset(g, 0, sizeof *g);
  g->alloc = fn;
  g->alloc_ud = ud;
}

void rcgc__graph_free(rcgc__graph *g) {
  rcgc__gmem_fn fn = g->alloc;
  void *ud = g->alloc_ud;
  rcgc__gmem_free(g, g->self_size);
  rcgc__gmem_free(g, g->name);
  rcgc__gmem_free(g, g->id);
  rcgc__gmem_free(g, g->edge_start);
  rcgc__gmem_free(g, g->edge_to);
  rcgc__gmem_free(g, g->edge_name);
  rcgc__gmem_free(g, g->edge_flags);
  rcgc__gmem_free(g, g->roots);
  rcgc__gmem_free(g, g->root_extrefs);
  for (uint32_t i = 0; i < g->nstrings; i++)
    rcgc__gmem_free(g, g->strings[i]);
  rcgc__gmem_free(g, g->strings);
  rcgc__gmem_free(g, g->strhash);
  rcgc__graph_init(g, fn, ud);
}

uint32_t rcgc__graph_add_string(rcgc__graph *g, const char *s, size_t len) {
  if (g->nstrings >= RCGC_G_VROOT)
    return RCGC_G_NONE;
  size_t cap = g->strings_cap;
  void *arr = g->strings;
  if (g_grow(g, &arr, &cap, (size_t)g->nstrings + 1, sizeof(char *)))
    return RCGC_G_NONE;
  g->strings = arr;
  g->strings_cap = (uint32_t)(cap > RCGC_G_VROOT ? RCGC_G_VROOT : cap);
  char *copy = rcgc__gmem_alloc(g, len + 1, 1);
  if (!copy)
    return RCGC_G_NONE;
  if (len)
    memcpy(copy, s, len);
  copy[len] = '\0';
  g->strings[g->nstrings] = copy;
  return g->nstrings++;
}

/* FNV-1a over a NUL-terminated string. */
static uint32_t str_hash(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* The intern table maps hash slots to string indices (RCGC_G_NONE = empty);
** it is kept at most half full and rebuilt from the strings it indexes
** (marked by a scan of the old table) when it grows. */
uint32_t rcgc__graph_intern(rcgc__graph *g, const char *s) {
  uint32_t mask = g->strhash_cap - 1;
  if (g->strhash_cap) {
    for (uint32_t i = str_hash(s) & mask;; i = (i + 1) & mask) {
      uint32_t k = g->strhash[i];
      if (k == RCGC_G_NONE)
        break;
      if (strcmp(g->strings[k], s) == 0)
        return k;
    }
  }
  if ((uint64_t)(g->strhash_used + 1) * 2 > g->strhash_cap) {
    if (g->strhash_cap >= (1u << 31))
      return RCGC_G_NONE;
    uint32_t ncap = g->strhash_cap ? g->strhash_cap * 2 : 64;
    uint32_t *nt = rcgc__gmem_alloc(g, ncap, sizeof *nt);
    if (!nt)
      return RCGC_G_NONE;
    memset(nt, 0xff, (size_t)ncap * sizeof *nt);
    for (uint32_t i = 0; i < g->strhash_cap; i++) {
      uint32_t k = g->strhash[i];
      if (k == RCGC_G_NONE)
        continue;
      uint32_t j = str_hash(g->strings[k]) & (ncap - 1);
      while (nt[j] != RCGC_G_NONE)
        j = (j + 1) & (ncap - 1);
      nt[j] = k;
    }
    rcgc__gmem_free(g, g->strhash);
    g->strhash = nt;
    g->strhash_cap = ncap;
    mask = ncap - 1;
  }
  uint32_t idx = rcgc__graph_add_string(g, s, strlen(s));
  if (idx == RCGC_G_NONE)
    return RCGC_G_NONE;
  uint32_t j = str_hash(s) & mask;
  while (g->strhash[j] != RCGC_G_NONE)
    j = (j + 1) & mask;
  g->strhash[j] = idx;
  g->strhash_used++;
  return idx;
}

const char *rcgc__graph_str(const rcgc__graph *g, uint32_t i) {
  return i < g->nstrings ? g->strings[i] : "";
}

const char *rcgc__node_name(const rcgc__graph *g, uint32_t v) {
  return v < g->n && g->name ? rcgc__graph_str(g, g->name[v]) : "";
}

uint64_t rcgc__node_id(const rcgc__graph *g, uint32_t v) { return g->id ? g->id[v] : v; }

uint32_t rcgc__edge_from(const rcgc__graph *g, size_t e) {
  if (e >= g->m)
    return RCGC_G_NONE;
  /* first v in [0, n] with edge_start[v] > e; the edge belongs to v-1 */
  uint32_t lo = 0, hi = g->n;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (g->edge_start[mid] > e)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo - 1;
}

int rcgc__edge_is_weak(const rcgc__graph *g, size_t e) {
  return g->edge_flags && (g->edge_flags[e] & RCGC_G_EDGE_WEAK);
}

int rcgc__graph_set_roots(rcgc__graph *g, const uint32_t *roots, const uint64_t *extrefs,
                          uint32_t nroots) {
  for (uint32_t i = 0; i < nroots; i++)
    if (roots[i] >= g->n)
      return RCGC_G_EINVAL;
  uint32_t *r = rcgc__gmem_alloc(g, nroots, sizeof *r);
  uint64_t *x = extrefs ? rcgc__gmem_alloc(g, nroots, sizeof *x) : NULL;
  if (!r || (extrefs && !x)) {
    rcgc__gmem_free(g, r);
    rcgc__gmem_free(g, x);
    return RCGC_G_ENOMEM;
  }
  if (nroots)
    memcpy(r, roots, nroots * sizeof *r);
  if (x && nroots)
    memcpy(x, extrefs, nroots * sizeof *x);
  rcgc__gmem_free(g, g->roots);
  rcgc__gmem_free(g, g->root_extrefs);
  g->roots = r;
  g->root_extrefs = x;
  g->nroots = nroots;
  return RCGC_G_OK;
}

int rcgc__graph_validate(const rcgc__graph *g) {
  if (!g->edge_start || !g->self_size)
    return g->n ? RCGC_G_EINVAL : RCGC_G_OK;
  if (g->edge_start[0] != 0 || g->edge_start[g->n] != g->m)
    return RCGC_G_EINVAL;
  for (uint32_t v = 0; v < g->n; v++)
    if (g->edge_start[v] > g->edge_start[v + 1])
      return RCGC_G_EINVAL;
  for (size_t e = 0; e < g->m; e++)
    if (g->edge_to[e] >= g->n)
      return RCGC_G_EINVAL;
  for (uint32_t i = 0; i < g->nroots; i++)
    if (g->roots[i] >= g->n)
      return RCGC_G_EINVAL;
  return RCGC_G_OK;
}

/* ------------------------------------------------------------ builder
** Node arrays live in the target graph from the start and grow by doubling;
** edges accumulate in four parallel arrays. finish() either adopts the edge
** arrays directly (already in source order) or scatters them with a stable
** counting sort into freshly allocated CSR arrays. */

void rcgc__builder_init(rcgc__builder *b, rcgc__graph *g) {
  memset(b, 0, sizeof *b);
  b->g = g;
  b->sorted = 1;
}

uint32_t rcgc__builder_node(rcgc__builder *b, uint64_t id, uint32_t name, uint64_t self_size) {
  rcgc__graph *g = b->g;
  if (b->failed || g->n >= RCGC_G_VROOT) {
    b->failed = 1;
    return RCGC_G_NONE;
  }
  if (g->n == b->node_cap) {
    size_t cap = b->node_cap, c1 = cap, c2 = cap, c3 = cap;
    void *a1 = g->self_size, *a2 = g->name, *a3 = g->id;
    int rc = g_grow(g, &a1, &c1, (size_t)g->n + 1, sizeof(uint64_t));
    if (!rc)
      g->self_size = a1;
    if (!rc)
      rc = g_grow(g, &a2, &c2, (size_t)g->n + 1, sizeof(uint32_t));
    if (!rc)
      g->name = a2;
    if (!rc)
      rc = g_grow(g, &a3, &c3, (size_t)g->n + 1, sizeof(uint64_t));
    if (!rc)
      g->id = a3;
    /* all three share one capacity: only commit when all grew */
    if (rc || c1 != c2 || c2 != c3) {
      b->failed = 1;
      return RCGC_G_NONE;
    }
    b->node_cap = (uint32_t)(c1 > RCGC_G_VROOT ? RCGC_G_VROOT : c1);
  }
  g->self_size[g->n] = self_size;
  g->name[g->n] = name;
  g->id[g->n] = id;
  return g->n++;
}

int rcgc__builder_edge(rcgc__builder *b, uint32_t from, uint32_t to, uint32_t name, uint8_t flags) {
  if (b->failed)
    return RCGC_G_ENOMEM;
  if (b->nedges == b->edge_cap) {
    rcgc__graph *g = b->g;
    size_t c1 = b->edge_cap, c2 = c1, c3 = c1, c4 = c1;
    void *a1 = b->e_from, *a2 = b->e_to, *a3 = b->e_name, *a4 = b->e_flags;
    int rc = g_grow(g, &a1, &c1, b->nedges + 1, sizeof(uint32_t));
    if (!rc)
      b->e_from = a1;
    if (!rc)
      rc = g_grow(g, &a2, &c2, b->nedges + 1, sizeof(uint32_t));
    if (!rc)
      b->e_to = a2;
    if (!rc)
      rc = g_grow(g, &a3, &c3, b->nedges + 1, sizeof(uint32_t));
    if (!rc)
      b->e_name = a3;
    if (!rc)
      rc = g_grow(g, &a4, &c4, b->nedges + 1, sizeof(uint8_t));
    if (!rc)
      b->e_flags = a4;
    if (rc || c1 != c2 || c2 != c3 || c3 != c4) {
      b->failed = 1;
      return RCGC_G_ENOMEM;
    }
    b->edge_cap = c1;
  }
  if (b->nedges && from < b->e_from[b->nedges - 1])
    b->sorted = 0;
  b->e_from[b->nedges] = from;
  b->e_to[b->nedges] = to;
  b->e_name[b->nedges] = name;
  b->e_flags[b->nedges] = flags;
  b->nedges++;
  return RCGC_G_OK;
}

void rcgc__builder_abort(rcgc__builder *b) {
  rcgc__gmem_free(b->g, b->e_from);
  rcgc__gmem_free(b->g, b->e_to);
  rcgc__gmem_free(b->g, b->e_name);
  rcgc__gmem_free(b->g, b->e_flags);
  b->e_from = b->e_to = b->e_name = NULL;
  b->e_flags = NULL;
  b->nedges = b->edge_cap = 0;
}

int rcgc__builder_finish(rcgc__builder *b) {
  rcgc__graph *g = b->g;
  int rc = RCGC_G_OK;
  size_t m = b->nedges;
  size_t *start = NULL;
  if (b->failed) {
    rc = RCGC_G_ENOMEM;
    goto out;
  }
  for (size_t e = 0; e < m; e++)
    if (b->e_from[e] >= g->n || b->e_to[e] >= g->n) {
      rc = RCGC_G_EINVAL;
      goto out;
    }
  start = rcgc__gmem_calloc(g, (size_t)g->n + 1, sizeof *start);
  if (!start) {
    rc = RCGC_G_ENOMEM;
    goto out;
  }
  /* count per source, then exclusive prefix sums */
  for (size_t e = 0; e < m; e++)
    start[b->e_from[e] + 1]++;
  for (uint32_t v = 0; v < g->n; v++)
    start[v + 1] += start[v];
  if (b->sorted) {
    g->edge_to = b->e_to;
    g->edge_name = b->e_name;
    g->edge_flags = b->e_flags;
    b->e_to = b->e_name = NULL;
    b->e_flags = NULL;
  } else {
    uint32_t *to = rcgc__gmem_alloc(g, m, sizeof *to);
    uint32_t *nm = rcgc__gmem_alloc(g, m, sizeof *nm);
    uint8_t *fl = rcgc__gmem_alloc(g, m, sizeof *fl);
    size_t *pos = rcgc__gmem_alloc(g, g->n, sizeof *pos);
    if (!to || !nm || !fl || !pos) {
      rcgc__gmem_free(g, to);
      rcgc__gmem_free(g, nm);
      rcgc__gmem_free(g, fl);
      rcgc__gmem_free(g, pos);
      rcgc__gmem_free(g, start);
      rc = RCGC_G_ENOMEM;
      goto out;
    }
    if (g->n)
      memcpy(pos, start, g->n * sizeof *pos);
    for (size_t e = 0; e < m; e++) {
      size_t k = pos[b->e_from[e]]++;
      to[k] = b->e_to[e];
      nm[k] = b->e_name[e];
      fl[k] = b->e_flags[e];
    }
    rcgc__gmem_free(g, pos);
    g->edge_to = to;
    g->edge_name = nm;
    g->edge_flags = fl;
  }
  g->edge_start = start;
  g->m = m;
  if (!g->self_size) { /* zero nodes: keep arrays non-NULL for validate */
    g->self_size = rcgc__gmem_alloc(g, 1, sizeof(uint64_t));
    g->name = rcgc__gmem_alloc(g, 1, sizeof(uint32_t));
    g->id = rcgc__gmem_alloc(g, 1, sizeof(uint64_t));
    if (!g->self_size || !g->name || !g->id)
      rc = RCGC_G_ENOMEM;
  }
out:
  rcgc__builder_abort(b);
  return rc;
}

/* ------------------------------------------------------------ preds */

int rcgc__preds_build(const rcgc__graph *g, rcgc__preds *p) {
  memset(p, 0, sizeof *p);
  size_t *start = rcgc__gmem_calloc(g, (size_t)g->n + 1, sizeof *start);
  uint32_t *from = rcgc__gmem_alloc(g, g->m, sizeof *from);
  size_t *edge = rcgc__gmem_alloc(g, g->m, sizeof *edge);
  if (!start || !from || !edge) {
    rcgc__gmem_free(g, start);
    rcgc__gmem_free(g, from);
    rcgc__gmem_free(g, edge);
    return RCGC_G_ENOMEM;
  }
  for (size_t e = 0; e < g->m; e++)
    start[g->edge_to[e] + 1]++;
  for (uint32_t v = 0; v < g->n; v++)
    start[v + 1] += start[v];
  /* scatter using start[v] as a cursor, then shift back */
  for (uint32_t u = 0; u < g->n; u++)
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
      size_t k = start[g->edge_to[e]]++;
      from[k] = u;
      edge[k] = e;
    }
  for (uint32_t v = g->n; v > 0; v--)
    start[v] = start[v - 1];
  start[0] = 0;
  p->n = g->n;
  p->start = start;
  p->from = from;
  p->edge = edge;
  return RCGC_G_OK;
}

void rcgc__preds_free(const rcgc__graph *g, rcgc__preds *p) {
  rcgc__gmem_free(g, p->start);
  rcgc__gmem_free(g, p->from);
  rcgc__gmem_free(g, p->edge);
  memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------ BFS
** Classic FIFO BFS with the queue as one array of n node indices: every node
** is enqueued at most once (when its dist is first set), so head/tail never
** exceed n. */

int rcgc__bfs_run(const rcgc__graph *g, const uint32_t *sources, uint32_t nsrc, const uint8_t *skip,
                  rcgc__bfs *out) {
  memset(out, 0, sizeof *out);
  if (!sources) {
    sources = g->roots;
    nsrc = g->nroots;
  }
  for (uint32_t i = 0; i < nsrc; i++)
    if (sources[i] >= g->n)
      return RCGC_G_EINVAL;
  uint32_t *dist = rcgc__gmem_alloc(g, g->n, sizeof *dist);
  uint32_t *parent = rcgc__gmem_alloc(g, g->n, sizeof *parent);
  size_t *pedge = rcgc__gmem_alloc(g, g->n, sizeof *pedge);
  uint32_t *queue = rcgc__gmem_alloc(g, g->n, sizeof *queue);
  if (!dist || !parent || !pedge || !queue) {
    rcgc__gmem_free(g, dist);
    rcgc__gmem_free(g, parent);
    rcgc__gmem_free(g, pedge);
    rcgc__gmem_free(g, queue);
    return RCGC_G_ENOMEM;
  }
  memset(dist, 0xff, (size_t)g->n * sizeof *dist);
  memset(parent, 0xff, (size_t)g->n * sizeof *parent);
  for (uint32_t v = 0; v < g->n; v++)
    pedge[v] = RCGC_G_NO_EDGE;
  uint32_t head = 0, tail = 0;
  for (uint32_t i = 0; i < nsrc; i++) {
    uint32_t s = sources[i];
    if ((skip && skip[s]) || dist[s] != RCGC_G_NONE)
      continue;
    dist[s] = 0;
    queue[tail++] = s;
  }
  while (head < tail) {
    uint32_t u = queue[head++];
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
      if (rcgc__edge_is_weak(g, e))
        continue;
      uint32_t t = g->edge_to[e];
      if (dist[t] != RCGC_G_NONE || (skip && skip[t]))
        continue;
      dist[t] = dist[u] + 1;
      parent[t] = u;
      pedge[t] = e;
      queue[tail++] = t;
    }
  }
  rcgc__gmem_free(g, queue);
  out->n = g->n;
  out->dist = dist;
  out->parent = parent;
  out->parent_edge = pedge;
  return RCGC_G_OK;
}

void rcgc__bfs_free(const rcgc__graph *g, rcgc__bfs *b) {
  rcgc__gmem_free(g, b->dist);
  rcgc__gmem_free(g, b->parent);
  rcgc__gmem_free(g, b->parent_edge);
  memset(b, 0, sizeof *b);
}

long rcgc__bfs_path(const rcgc__bfs *b, uint32_t target, uint32_t *nodes, size_t *edges) {
  if (target >= b->n || b->dist[target] == RCGC_G_NONE)
    return -1;
  uint32_t len = b->dist[target];
  uint32_t v = target;
  for (uint32_t i = len;; i--) {
    if (nodes)
      nodes[i] = v;
    if (i == 0)
      break;
    if (edges)
      edges[i - 1] = b->parent_edge[v];
    v = b->parent[v];
  }
  return (long)len;
}

/* Retaining paths: one BFS from the roots that may not enter the target,
** then one candidate per strong in-edge of the target whose source was
** reached (found by a scan of all edges: O(E), no reverse index needed). */
typedef struct cand {
  uint32_t len;
  size_t edge;
  uint32_t from;
} cand;

static int cand_cmp(const void *a, const void *b) {
  const cand *x = a, *y = b;
  if (x->len != y->len)
    return x->len < y->len ? -1 : 1;
  return x->edge < y->edge ? -1 : x->edge > y->edge;
}

int rcgc__retaining_paths(const rcgc__graph *g, uint32_t target, uint32_t k, rcgc__paths *out) {
  memset(out, 0, sizeof *out);
  if (target >= g->n)
    return RCGC_G_EINVAL;
  if (k == 0)
    return RCGC_G_OK;
  for (uint32_t i = 0; i < g->nroots; i++)
    if (g->roots[i] == target) {
      out->len = rcgc__gmem_alloc(g, 1, sizeof *out->len);
      out->off = rcgc__gmem_alloc(g, 1, sizeof *out->off);
      out->nodes = rcgc__gmem_alloc(g, 1, sizeof *out->nodes);
      out->edges = rcgc__gmem_alloc(g, 1, sizeof *out->edges);
      if (!out->len || !out->off || !out->nodes || !out->edges) {
        rcgc__paths_free(g, out);
        return RCGC_G_ENOMEM;
      }
      out->npaths = 1;
      out->len[0] = 0;
      out->off[0] = 0;
      out->nodes[0] = target;
      return RCGC_G_OK;
    }
  /* The BFS of rcgc__bfs_run from the roots with target skipped, which
  ** collects the candidates as it dequeues their sources and stops after
  ** the first level whose end leaves k or more of them: every later
  ** candidate is at least one edge longer than all of these, so the sorted
  ** first k are those of the whole search. Only dist is initialised:
  ** parent and parent_edge are read for reached nodes alone. */
  rcgc__bfs b;
  memset(&b, 0, sizeof b);
  uint32_t *queue = rcgc__gmem_alloc(g, g->n, sizeof *queue);
  b.dist = rcgc__gmem_alloc(g, g->n, sizeof *b.dist);
  b.parent = rcgc__gmem_alloc(g, g->n, sizeof *b.parent);
  b.parent_edge = rcgc__gmem_alloc(g, g->n, sizeof *b.parent_edge);
  b.n = g->n;
  int rc = RCGC_G_OK;
  size_t ncand = 0, cap = 0;
  cand *c = NULL;
  if (!queue || !b.dist || !b.parent || !b.parent_edge) {
    rc = RCGC_G_ENOMEM;
    goto done;
  }
  memset(b.dist, 0xff, (size_t)g->n * sizeof *b.dist);
  uint32_t head = 0, tail = 0;
  for (uint32_t i = 0; i < g->nroots; i++) {
    uint32_t s = g->roots[i];
    if (s == target || b.dist[s] != RCGC_G_NONE)
      continue;
    b.dist[s] = 0;
    b.parent[s] = RCGC_G_NONE;
    b.parent_edge[s] = RCGC_G_NO_EDGE;
    queue[tail++] = s;
  }
  while (head < tail && rc == RCGC_G_OK) {
    uint32_t u = queue[head++];
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
      if (rcgc__edge_is_weak(g, e))
        continue;
      uint32_t t = g->edge_to[e];
      if (t == target) {
        void *arr = c;
        if ((rc = g_grow(g, &arr, &cap, ncand + 1, sizeof *c)))
          break;
        c = arr;
        c[ncand].len = b.dist[u] + 1;
        c[ncand].edge = e;
        c[ncand].from = u;
        ncand++;
        continue;
      }
      if (b.dist[t] != RCGC_G_NONE)
        continue;
      b.dist[t] = b.dist[u] + 1;
      b.parent[t] = u;
      b.parent_edge[t] = e;
      queue[tail++] = t;
    }
    /* u ended its level when the next node is one edge farther (or none) */
    if (ncand >= k && (head == tail || b.dist[queue[head]] != b.dist[u]))
      break;
  }
  if (rc)
    goto done;
  if (ncand > 1)
    qsort(c, ncand, sizeof *c, cand_cmp);
  uint32_t np = ncand < k ? (uint32_t)ncand : k;
  size_t total = 0;
  for (uint32_t i = 0; i < np; i++)
    total += (size_t)c[i].len + 1;
  out->len = rcgc__gmem_alloc(g, np, sizeof *out->len);
  out->off = rcgc__gmem_alloc(g, np, sizeof *out->off);
  out->nodes = rcgc__gmem_alloc(g, total, sizeof *out->nodes);
  out->edges = rcgc__gmem_alloc(g, total, sizeof *out->edges);
  if (!out->len || !out->off || !out->nodes || !out->edges) {
    rcgc__paths_free(g, out);
    rc = RCGC_G_ENOMEM;
    goto done;
  }
  size_t off = 0;
  for (uint32_t i = 0; i < np; i++) {
    out->len[i] = c[i].len;
    out->off[i] = off;
    /* prefix root..from, then the candidate edge into target */
    rcgc__bfs_path(&b, c[i].from, out->nodes + off, out->edges + (off - i));
    out->nodes[off + c[i].len] = target;
    out->edges[off - i + c[i].len - 1] = c[i].edge;
    off += (size_t)c[i].len + 1;
  }
  out->npaths = np;
done:
  rcgc__gmem_free(g, c);
  rcgc__gmem_free(g, queue);
  rcgc__bfs_free(g, &b);
  return rc;
}

void rcgc__paths_free(const rcgc__graph *g, rcgc__paths *p) {
  rcgc__gmem_free(g, p->len);
  rcgc__gmem_free(g, p->off);
  rcgc__gmem_free(g, p->nodes);
  rcgc__gmem_free(g, p->edges);
  memset(p, 0, sizeof *p);
}

/* ------------------------------------------------------------ SCC
** Iterative Tarjan. index[v] = DFS discovery number (RCGC_G_NONE: unvisited),
** low[v] = smallest index reachable through v's DFS subtree plus one edge to
** a node still on the Tarjan stack. A visited node is on the Tarjan stack
** iff comp[v] is still RCGC_G_NONE. The explicit call stack holds (node, next
** edge) frames; popping a frame propagates low to its parent frame. When
** low[v] == index[v] on pop, v roots a component: everything above it on the
** Tarjan stack is assigned the next component id. */

static int follows(const rcgc__graph *g, size_t e, unsigned flags) {
  return (flags & RCGC_G_SCC_WEAK) || !rcgc__edge_is_weak(g, e);
}

int rcgc__scc_run(const rcgc__graph *g, const uint8_t *mask, unsigned flags, rcgc__scc *out) {
  memset(out, 0, sizeof *out);
  uint32_t n = g->n;
  uint32_t *index = rcgc__gmem_alloc(g, n, sizeof *index);
  uint32_t *low = rcgc__gmem_alloc(g, n, sizeof *low);
  uint32_t *comp = rcgc__gmem_alloc(g, n, sizeof *comp);
  uint32_t *tstack = rcgc__gmem_alloc(g, n, sizeof *tstack);
  uint32_t *fnode = rcgc__gmem_alloc(g, n, sizeof *fnode);
  size_t *fedge = rcgc__gmem_alloc(g, n, sizeof *fedge);
  uint32_t *start = NULL, *members = NULL;
  uint8_t *cyclic = NULL, *source = NULL;
  int rc = RCGC_G_ENOMEM;
  if (!index || !low || !comp || !tstack || !fnode || !fedge)
    goto fail;
  memset(index, 0xff, (size_t)n * sizeof *index);
  memset(comp, 0xff, (size_t)n * sizeof *comp);
  uint32_t counter = 0, ncomp = 0, tsp = 0, nmasked = 0;
  for (uint32_t r = 0; r < n; r++) {
    if ((mask && !mask[r]) || index[r] != RCGC_G_NONE)
      continue;
    uint32_t fsp = 0;
    index[r] = low[r] = counter++;
    tstack[tsp++] = r;
    fnode[fsp] = r;
    fedge[fsp++] = g->edge_start[r];
    while (fsp) {
      uint32_t v = fnode[fsp - 1];
      size_t e = fedge[fsp - 1];
      if (e < g->edge_start[v + 1]) {
        fedge[fsp - 1] = e + 1;
        if (!follows(g, e, flags))
          continue;
        uint32_t w = g->edge_to[e];
        if (mask && !mask[w])
          continue;
        if (index[w] == RCGC_G_NONE) {
          index[w] = low[w] = counter++;
          tstack[tsp++] = w;
          fnode[fsp] = w;
          fedge[fsp++] = g->edge_start[w];
        } else if (comp[w] == RCGC_G_NONE && index[w] < low[v]) {
          low[v] = index[w];
        }
        continue;
      }
      fsp--;
      if (low[v] == index[v]) {
        uint32_t w;
        do {
          w = tstack[--tsp];
          comp[w] = ncomp;
          nmasked++;
        } while (w != v);
        ncomp++;
      }
      if (fsp) {
        uint32_t u = fnode[fsp - 1];
        if (low[v] < low[u])
          low[u] = low[v];
      }
    }
  }
  rcgc__gmem_free(g, index);
  rcgc__gmem_free(g, low);
  rcgc__gmem_free(g, tstack);
  rcgc__gmem_free(g, fnode);
  rcgc__gmem_free(g, fedge);
  index = low = tstack = fnode = NULL;
  fedge = NULL;

  start = rcgc__gmem_calloc(g, (size_t)ncomp + 1, sizeof *start);
  members = rcgc__gmem_alloc(g, nmasked, sizeof *members);
  cyclic = rcgc__gmem_calloc(g, ncomp, 1);
  source = rcgc__gmem_alloc(g, ncomp, 1);
  if (!start || !members || !cyclic || !source)
    goto fail;
  if (ncomp)
    memset(source, 1, ncomp);
  for (uint32_t v = 0; v < n; v++)
    if (comp[v] != RCGC_G_NONE)
      start[comp[v] + 1]++;
  for (uint32_t c = 0; c < ncomp; c++) {
    start[c + 1] += start[c];
    if (start[c + 1] - start[c] > 1)
      cyclic[c] = 1;
  }
  /* fill members in node order using start[c] as cursor, shift back */
  for (uint32_t v = 0; v < n; v++)
    if (comp[v] != RCGC_G_NONE)
      members[start[comp[v]]++] = v;
  for (uint32_t c = ncomp; c > 0; c--)
    start[c] = start[c - 1];
  start[0] = 0;
  for (uint32_t u = 0; u < n; u++) {
    if (comp[u] == RCGC_G_NONE)
      continue;
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
      if (!follows(g, e, flags))
        continue;
      uint32_t w = g->edge_to[e];
      if (comp[w] == RCGC_G_NONE)
        continue;
      if (w == u)
        cyclic[comp[u]] = 1;
      if (comp[w] != comp[u])
        source[comp[w]] = 0;
    }
  }
  out->n = n;
  out->ncomp = ncomp;
  out->comp = comp;
  out->start = start;
  out->members = members;
  out->cyclic = cyclic;
  out->source = source;
  for (uint32_t c = 0; c < ncomp; c++)
    out->ncyclic += cyclic[c];
  return RCGC_G_OK;
fail:
  rcgc__gmem_free(g, index);
  rcgc__gmem_free(g, low);
  rcgc__gmem_free(g, comp);
  rcgc__gmem_free(g, tstack);
  rcgc__gmem_free(g, fnode);
  rcgc__gmem_free(g, fedge);
  rcgc__gmem_free(g, start);
  rcgc__gmem_free(g, members);
  rcgc__gmem_free(g, cyclic);
  rcgc__gmem_free(g, source);
  return rc;
}

void rcgc__scc_free(const rcgc__graph *g, rcgc__scc *s) {
  rcgc__gmem_free(g, s->comp);
  rcgc__gmem_free(g, s->start);
  rcgc__gmem_free(g, s->members);
  rcgc__gmem_free(g, s->cyclic);
  rcgc__gmem_free(g, s->source);
  memset(s, 0, sizeof *s);
}

size_t rcgc__scc_internal_edges(const rcgc__graph *g, const rcgc__scc *s, uint32_t c,
                                unsigned flags, size_t *edges, size_t cap) {
  size_t cnt = 0;
  if (c >= s->ncomp)
    return 0;
  for (uint32_t i = s->start[c]; i < s->start[c + 1]; i++) {
    uint32_t u = s->members[i];
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
      if (!follows(g, e, flags) || s->comp[g->edge_to[e]] != c)
        continue;
      if (cnt < cap)
        edges[cnt] = e;
      cnt++;
    }
  }
  return cnt;
}

/* Condensation: two passes over each component's out-edges (count, fill);
** seen[c2] == c + 1 marks successor c2 already listed for component c. */
int rcgc__scc_condense(const rcgc__graph *g, const rcgc__scc *s, unsigned flags, rcgc__dag *out) {
  memset(out, 0, sizeof *out);
  uint32_t nc = s->ncomp;
  size_t *start = rcgc__gmem_calloc(g, (size_t)nc + 1, sizeof *start);
  uint32_t *seen = rcgc__gmem_calloc(g, nc, sizeof *seen);
  uint32_t *succ = NULL;
  if (!start || !seen)
    goto fail;
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      succ = rcgc__gmem_alloc(g, start[nc], sizeof *succ);
      if (!succ)
        goto fail;
      memset(seen, 0, (size_t)nc * sizeof *seen);
    }
    size_t k = 0;
    for (uint32_t c = 0; c < nc; c++) {
      for (uint32_t i = s->start[c]; i < s->start[c + 1]; i++) {
        uint32_t u = s->members[i];
        for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
          if (!follows(g, e, flags))
            continue;
          uint32_t c2 = s->comp[g->edge_to[e]];
          if (c2 == RCGC_G_NONE || c2 == c || seen[c2] == c + 1)
            continue;
          seen[c2] = c + 1;
          if (pass == 0)
            start[c + 1]++;
          else
            succ[k++] = c2;
        }
      }
      if (pass == 0)
        start[c + 1] += start[c];
    }
  }
  rcgc__gmem_free(g, seen);
  out->ncomp = nc;
  out->start = start;
  out->succ = succ;
  return RCGC_G_OK;
fail:
  rcgc__gmem_free(g, start);
  rcgc__gmem_free(g, seen);
  rcgc__gmem_free(g, succ);
  return RCGC_G_ENOMEM;
}

void rcgc__dag_free(const rcgc__graph *g, rcgc__dag *d) {
  rcgc__gmem_free(g, d->start);
  rcgc__gmem_free(g, d->succ);
  memset(d, 0, sizeof *d);
}

/* ------------------------------------------------------------ dominators
** Lengauer-Tarjan, "simple" version (path compression without balancing),
** all arrays indexed by DFS preorder number; number 0 is the virtual root,
** whose children are the graph's roots in order.
**
** Phase 1 (DFS): iterative preorder DFS over strong edges with an explicit
**   (node, next-edge) stack; records vertex[i] (node of number i), dfn[v]
**   (number of node v, RCGC_G_NONE when unreached) and parent[i].
** Phase 2 (reverse predecessor index): strong in-edges per node, CSR.
** Phase 3 (semidominators, reverse preorder): semi[w] = min over preds v of
**   semi[eval(v)], where eval walks the link forest with path compression
**   (iterative: the chain is pushed on a stack and compressed top-down).
**   w joins bucket[semi[w]]; after link(parent[w], w) the bucket of
**   parent[w] is emptied, giving each member either its final idom
**   (parent[w]) or a deferred one (a vertex whose idom equals it).
** Phase 4 (preorder): resolve deferred idoms: idom[w] = idom[idom[w]].
** Phase 5: retained sizes: each node's size is added to its idom in reverse
**   preorder (idom number < own number, so children finish first). */

static uint32_t dom_eval(uint32_t v, uint32_t *ancestor, uint32_t *label, const uint32_t *semi,
                         uint32_t *stack) {
  if (ancestor[v] == RCGC_G_NONE)
    return v;
  uint32_t sp = 0, x = v;
  while (ancestor[ancestor[x]] != RCGC_G_NONE) {
    stack[sp++] = x;
    x = ancestor[x];
  }
  while (sp) {
    uint32_t y = stack[--sp];
    uint32_t a = ancestor[y];
    if (semi[label[a]] < semi[label[y]])
      label[y] = label[a];
    ancestor[y] = ancestor[a];
  }
  return label[v];
}

int rcgc__dom_run(const rcgc__graph *g, rcgc__dom *out) {
  memset(out, 0, sizeof *out);
  uint32_t n = g->n;
  int rc = RCGC_G_ENOMEM;
  uint32_t *dfn = rcgc__gmem_alloc(g, n, sizeof *dfn);
  uint32_t *vertex = rcgc__gmem_alloc(g, (size_t)n + 1, sizeof *vertex);
  uint32_t *parent = rcgc__gmem_alloc(g, (size_t)n + 1, sizeof *parent);
  size_t *cursor = rcgc__gmem_alloc(g, (size_t)n + 1, sizeof *cursor);
  uint32_t *stack = rcgc__gmem_alloc(g, (size_t)n + 1, sizeof *stack);
  uint8_t *isroot = rcgc__gmem_calloc(g, n, 1);
  size_t *pstart = NULL;
  uint32_t *pfrom = NULL, *semi = NULL, *label = NULL, *ancestor = NULL, *idom = NULL,
           *bhead = NULL, *bnext = NULL, *idom_out = NULL;
  uint64_t *retained = NULL;
  if (!dfn || !vertex || !parent || !cursor || !stack || !isroot)
    goto done;

  /* Phase 1: DFS. The stack holds DFS numbers; cursor[i] is the next edge
  ** of vertex[i] to try. */
  memset(dfn, 0xff, (size_t)n * sizeof *dfn);
  uint32_t N = 1;
  vertex[0] = RCGC_G_VROOT;
  parent[0] = RCGC_G_NONE;
  for (uint32_t r = 0; r < g->nroots; r++) {
    uint32_t root = g->roots[r];
    isroot[root] = 1;
    if (dfn[root] != RCGC_G_NONE)
      continue;
    uint32_t sp = 0;
    dfn[root] = N;
    vertex[N] = root;
    parent[N] = 0;
    cursor[N] = g->edge_start[root];
    stack[sp++] = N++;
    while (sp) {
      uint32_t i = stack[sp - 1];
      uint32_t v = vertex[i];
      if (cursor[i] == g->edge_start[v + 1]) {
        sp--;
        continue;
      }
      size_t e = cursor[i]++;
      if (rcgc__edge_is_weak(g, e))
        continue;
      uint32_t w = g->edge_to[e];
      if (dfn[w] != RCGC_G_NONE)
        continue;
      dfn[w] = N;
      vertex[N] = w;
      parent[N] = i;
      cursor[N] = g->edge_start[w];
      stack[sp++] = N++;
    }
  }
  rcgc__gmem_free(g, cursor);
  cursor = NULL;

  /* Phase 2: strong predecessors of reached nodes, from reached nodes. */
  pstart = rcgc__gmem_calloc(g, (size_t)n + 1, sizeof *pstart);
  if (!pstart)
    goto done;
  for (uint32_t i = 1; i < N; i++) {
    uint32_t u = vertex[i];
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++)
      if (!rcgc__edge_is_weak(g, e))
        pstart[g->edge_to[e] + 1]++;
  }
  for (uint32_t v = 0; v < n; v++)
    pstart[v + 1] += pstart[v];
  pfrom = rcgc__gmem_alloc(g, pstart[n], sizeof *pfrom);
  if (!pfrom)
    goto done;
  for (uint32_t i = 1; i < N; i++) {
    uint32_t u = vertex[i];
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++)
      if (!rcgc__edge_is_weak(g, e))
        pfrom[pstart[g->edge_to[e]]++] = i;
  }
  for (uint32_t v = n; v > 0; v--)
    pstart[v] = pstart[v - 1];
  if (n)
    pstart[0] = 0;

  /* Phase 3: semidominators and deferred idoms. */
  semi = rcgc__gmem_alloc(g, N, sizeof *semi);
  label = rcgc__gmem_alloc(g, N, sizeof *label);
  ancestor = rcgc__gmem_alloc(g, N, sizeof *ancestor);
  idom = rcgc__gmem_alloc(g, N, sizeof *idom);
  bhead = rcgc__gmem_alloc(g, N, sizeof *bhead);
  bnext = rcgc__gmem_alloc(g, N, sizeof *bnext);
  if (!semi || !label || !ancestor || !idom || !bhead || !bnext)
    goto done;
  for (uint32_t i = 0; i < N; i++) {
    semi[i] = label[i] = i;
    ancestor[i] = bhead[i] = RCGC_G_NONE;
    idom[i] = 0;
  }
  for (uint32_t i = N - 1; i >= 1; i--) {
    uint32_t w = vertex[i];
    if (isroot[w])
      semi[i] = 0; /* the virtual root is a predecessor */
    for (size_t k = pstart[w]; k < pstart[w + 1]; k++) {
      uint32_t u = dom_eval(pfrom[k], ancestor, label, semi, stack);
      if (semi[u] < semi[i])
        semi[i] = semi[u];
    }
    bnext[i] = bhead[semi[i]];
    bhead[semi[i]] = i;
    uint32_t p = parent[i];
    ancestor[i] = p;
    for (uint32_t v = bhead[p]; v != RCGC_G_NONE; v = bnext[v]) {
      uint32_t u = dom_eval(v, ancestor, label, semi, stack);
      idom[v] = semi[u] < semi[v] ? u : p;
    }
    bhead[p] = RCGC_G_NONE;
  }
  /* Phase 4 */
  for (uint32_t i = 1; i < N; i++)
    if (idom[i] != semi[i])
      idom[i] = idom[idom[i]];

  /* Phase 5: outputs per node. */
  idom_out = rcgc__gmem_alloc(g, n, sizeof *idom_out);
  retained = rcgc__gmem_calloc(g, n, sizeof *retained);
  if (!idom_out || !retained)
    goto done;
  memset(idom_out, 0xff, (size_t)n * sizeof *idom_out);
  for (uint32_t i = 1; i < N; i++) {
    uint32_t v = vertex[i];
    idom_out[v] = idom[i] == 0 ? RCGC_G_VROOT : vertex[idom[i]];
    retained[v] = g->self_size[v];
  }
  uint64_t total = 0;
  for (uint32_t i = N - 1; i >= 1; i--) {
    uint32_t v = vertex[i];
    total += g->self_size[v];
    if (idom[i])
      retained[vertex[idom[i]]] += retained[v];
  }
  out->n = n;
  out->idom = idom_out;
  out->retained = retained;
  out->total = total;
  out->nreached = N - 1;
  idom_out = NULL;
  retained = NULL;
  rc = RCGC_G_OK;
done:
  rcgc__gmem_free(g, dfn);
  rcgc__gmem_free(g, vertex);
  rcgc__gmem_free(g, parent);
  rcgc__gmem_free(g, cursor);
  rcgc__gmem_free(g, stack);
  rcgc__gmem_free(g, isroot);
  rcgc__gmem_free(g, pstart);
  rcgc__gmem_free(g, pfrom);
  rcgc__gmem_free(g, semi);
  rcgc__gmem_free(g, label);
  rcgc__gmem_free(g, ancestor);
  rcgc__gmem_free(g, idom);
  rcgc__gmem_free(g, bhead);
  rcgc__gmem_free(g, bnext);
  rcgc__gmem_free(g, idom_out);
  rcgc__gmem_free(g, retained);
  return rc;
}

void rcgc__dom_free(const rcgc__graph *g, rcgc__dom *d) {
  rcgc__gmem_free(g, d->idom);
  rcgc__gmem_free(g, d->retained);
  memset(d, 0, sizeof *d);
}

/* Top-k by retained size: a binary min-heap (worst candidate at the top) of
** at most k node indices kept in 'out', then heap-sorted into best-first
** order. "Better" = larger retained size, ties: smaller node index. */
static int top_better(const rcgc__dom *d, uint32_t a, uint32_t b) {
  if (d->retained[a] != d->retained[b])
    return d->retained[a] > d->retained[b];
  return a < b;
}

static void top_sift_down(const rcgc__dom *d, uint32_t *h, uint32_t len, uint32_t i) {
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, w = i;
    if (l < len && top_better(d, h[w], h[l]))
      w = l;
    if (r < len && top_better(d, h[w], h[r]))
      w = r;
    if (w == i)
      return;
    uint32_t t = h[i];
    h[i] = h[w];
    h[w] = t;
    i = w;
  }
}

uint32_t rcgc__dom_top(const rcgc__dom *d, const uint8_t *skip, uint32_t k, uint32_t *out) {
  uint32_t len = 0;
  if (k == 0)
    return 0;
  for (uint32_t v = 0; v < d->n; v++) {
    if (d->idom[v] == RCGC_G_NONE || (skip && skip[v]))
      continue;
    if (len < k) {
      /* sift up */
      uint32_t i = len++;
      out[i] = v;
      while (i) {
        uint32_t p = (i - 1) / 2;
        if (!top_better(d, out[p], out[i]))
          break;
        uint32_t t = out[p];
        out[p] = out[i];
        out[i] = t;
        i = p;
      }
    } else if (top_better(d, v, out[0])) {
      out[0] = v;
      top_sift_down(d, out, len, 0);
    }
  }
  /* heap-sort: repeatedly move the worst to the end */
  for (uint32_t end = len; end > 1; end--) {
    uint32_t t = out[0];
    out[0] = out[end - 1];
    out[end - 1] = t;
    top_sift_down(d, out, end - 1, 0);
  }
  return len;
}

/* ------------------------------------------------------------ DOT
** Breadth-first from the start nodes; depth[v] (RCGC_G_NONE: not yet seen)
** doubles as the visited mark. Each dequeued node prints its own statement
** and, below max_depth, the edges to its first too_many neighbours
** (enqueuing unseen ones), then one "N more references" box for the rest.
** Every edge printed ends at a node that is (or will be) dequeued, so every
** endpoint gets a node statement. Node names are "o<index>". */

size_t rcgc__dot_escape(const char *in, char *buf, size_t cap) {
  size_t k = 0;
  if (cap == 0)
    return 0;
  for (; *in; in++) {
    unsigned char ch = (unsigned char)*in;
    const char *rep = NULL;
    char one[2] = {(char)ch, 0};
    if (ch == '"')
      rep = "\\\"";
    else if (ch == '\\')
      rep = "\\\\";
    else if (ch == '\n')
      rep = "\\n";
    else if (ch < 0x20 || ch == 0x7f)
      continue;
    else
      rep = one;
    size_t l = strlen(rep);
    if (k + l >= cap)
      break;
    memcpy(buf + k, rep, l);
    k += l;
  }
  buf[k] = '\0';
  return k;
}

typedef struct dot_out {
  rcgc__write_fn write;
  void *ud;
} dot_out;

static void dot_puts(dot_out *o, const char *s) { o->write(o->ud, s, strlen(s)); }

static size_t default_label(const rcgc__graph *g, uint32_t v, char *buf, size_t cap) {
  int l = snprintf(buf, cap, "%s @%llu\n%llu bytes", rcgc__node_name(g, v),
                   (unsigned long long)rcgc__node_id(g, v), (unsigned long long)g->self_size[v]);
  if (l < 0)
    l = 0;
  return (size_t)l < cap ? (size_t)l : cap - 1;
}

int rcgc__dot(const rcgc__graph *g, const uint32_t *start, uint32_t nstart,
              const rcgc__dot_opts *opts, rcgc__write_fn write, void *write_ud) {
  rcgc__dot_opts defopts;
  if (!opts) {
    memset(&defopts, 0, sizeof defopts);
    defopts.max_depth = 3;
    defopts.too_many = 10;
    opts = &defopts;
  }
  int back = (opts->flags & RCGC_G_DOT_BACK) != 0;
  if (back && !opts->preds)
    return RCGC_G_EINVAL;
  for (uint32_t i = 0; i < nstart; i++)
    if (start[i] >= g->n)
      return RCGC_G_EINVAL;
  uint32_t *depth = rcgc__gmem_alloc(g, g->n, sizeof *depth);
  uint32_t *queue = rcgc__gmem_alloc(g, g->n, sizeof *queue);
  uint8_t *is_start = rcgc__gmem_calloc(g, g->n, 1);
  enum { LCAP = 1024, ECAP = 4 * LCAP + 256 };
  char *lbuf = rcgc__gmem_alloc(g, LCAP, 1);
  char *ebuf = rcgc__gmem_alloc(g, ECAP, 1);
  char *line = rcgc__gmem_alloc(g, ECAP + 256, 1);
  if (!depth || !queue || !is_start || !lbuf || !ebuf || !line) {
    rcgc__gmem_free(g, depth);
    rcgc__gmem_free(g, queue);
    rcgc__gmem_free(g, is_start);
    rcgc__gmem_free(g, lbuf);
    rcgc__gmem_free(g, ebuf);
    rcgc__gmem_free(g, line);
    return RCGC_G_ENOMEM;
  }
  dot_out o = {write, write_ud};
  memset(depth, 0xff, (size_t)g->n * sizeof *depth);
  uint32_t head = 0, tail = 0;
  for (uint32_t i = 0; i < nstart; i++) {
    is_start[start[i]] = 1;
    if (depth[start[i]] == RCGC_G_NONE) {
      depth[start[i]] = 0;
      queue[tail++] = start[i];
    }
  }
  dot_puts(&o, "digraph ObjectGraph {\n"
               "  node [shape=box, style=filled, fillcolor=white];\n");
  const size_t ecap = ECAP + 256;
  while (head < tail) {
    uint32_t v = queue[head++];
    uint32_t d = depth[v];
    /* node statement: grey gradient by depth, highlight wins */
    size_t ll = opts->label ? opts->label(opts->label_ud, g, v, lbuf, LCAP)
                            : default_label(g, v, lbuf, LCAP);
    lbuf[ll < LCAP ? ll : LCAP - 1] = '\0';
    rcgc__dot_escape(lbuf, ebuf, ECAP);
    double shade = 1.0 - 0.3 * (double)d / (double)(opts->max_depth + 1);
    if (opts->highlight && opts->highlight[v])
      snprintf(line, ecap, "  o%u [label=\"%s\", fillcolor=\"lightblue\"%s];\n", v, ebuf,
               is_start[v] ? ", fontcolor=red" : "");
    else
      snprintf(line, ecap, "  o%u [label=\"%s\", fillcolor=\"0,0,%.3f\"%s];\n", v, ebuf, shade,
               is_start[v] ? ", fontcolor=red" : "");
    dot_puts(&o, line);
    if (d >= opts->max_depth)
      continue;
    size_t lo, hi;
    if (back) {
      lo = opts->preds->start[v];
      hi = opts->preds->start[v + 1];
    } else {
      lo = g->edge_start[v];
      hi = g->edge_start[v + 1];
    }
    uint64_t shown = 0, more = 0;
    for (size_t k = lo; k < hi; k++) {
      size_t e = back ? opts->preds->edge[k] : k;
      uint32_t w = back ? opts->preds->from[k] : g->edge_to[e];
      int weak = rcgc__edge_is_weak(g, e);
      if (weak && (opts->flags & RCGC_G_DOT_NO_WEAK))
        continue;
      if (opts->too_many && shown >= opts->too_many) {
        more++;
        continue;
      }
      shown++;
      if (depth[w] == RCGC_G_NONE) {
        depth[w] = d + 1;
        queue[tail++] = w;
      }
      if (opts->edge_label) {
        size_t el = opts->edge_label(opts->label_ud, g, e, lbuf, LCAP);
        lbuf[el < LCAP ? el : LCAP - 1] = '\0';
      } else {
        uint32_t nm = g->edge_name ? g->edge_name[e] : RCGC_G_NONE;
        snprintf(lbuf, LCAP, "%s", nm == RCGC_G_NONE ? "" : rcgc__graph_str(g, nm));
      }
      rcgc__dot_escape(lbuf, ebuf, ECAP);
      snprintf(line, ecap, "  o%u -> o%u [label=\"%s\"%s];\n", back ? w : v, back ? v : w, ebuf,
               weak ? ", style=dashed" : "");
      dot_puts(&o, line);
    }
    if (more) {
      snprintf(line, ecap,
               "  too_many_o%u [label=\"%llu more reference%s\", "
               "shape=box, style=\"filled,dotted\", fillcolor=\"#ffe0e0\", "
               "color=red];\n",
               v, (unsigned long long)more, more == 1 ? "" : "s");
      dot_puts(&o, line);
      if (back)
        snprintf(line, ecap, "  too_many_o%u -> o%u [color=red, style=dotted];\n", v, v);
      else
        snprintf(line, ecap, "  o%u -> too_many_o%u [color=red, style=dotted];\n", v, v);
      dot_puts(&o, line);
    }
  }
  dot_puts(&o, "}\n");
  rcgc__gmem_free(g, depth);
  rcgc__gmem_free(g, queue);
  rcgc__gmem_free(g, is_start);
  rcgc__gmem_free(g, lbuf);
  rcgc__gmem_free(g, ebuf);
  rcgc__gmem_free(g, line);
  return RCGC_G_OK;
}

/* ------------------------------------------------------------ output */

void rcgc__gout_init(rcgc__gout *o, rcgc__write_fn write, void *ud, char *buf, size_t cap) {
  o->write = write;
  o->ud = ud;
  o->buf = buf;
  o->len = 0;
  o->cap = cap;
}

void rcgc__gout_emit(rcgc__gout *o, size_t n) {
  if (n == 0)
    return;
  o->write(o->ud, o->buf, n);
  memmove(o->buf, o->buf + n, o->len - n);
  o->len -= n;
}

void rcgc__gout_flush_lines(rcgc__gout *o) {
  size_t n = o->len;
  while (n > 0 && o->buf[n - 1] != '\n')
    n--;
  rcgc__gout_emit(o, n > 0 ? n : o->len);
}

void rcgc__gout_put(rcgc__gout *o, const char *s, size_t n) {
  while (n > 0) {
    if (o->len == o->cap)
      rcgc__gout_flush_lines(o);
    size_t k = o->cap - o->len < n ? o->cap - o->len : n;
    memcpy(o->buf + o->len, s, k);
    o->len += k;
    s += k;
    n -= k;
  }
}

/* ------------------------------------------------------------ orders */

typedef struct cycle_key {
  uint32_t comp, size, first;
  uint8_t source;
} cycle_key;

static int cycle_key_cmp(const void *pa, const void *pb) {
  const cycle_key *a = pa, *b = pb;
  if (a->source != b->source)
    return a->source ? -1 : 1;
  if (a->size != b->size)
    return a->size > b->size ? -1 : 1;
  return a->first < b->first ? -1 : a->first > b->first;
}

int rcgc__scc_cycle_order(const rcgc__graph *g, const rcgc__scc *s, uint32_t *out) {
  cycle_key *k = rcgc__gmem_alloc(g, (size_t)s->ncyclic + 1, sizeof *k);
  if (!k)
    return RCGC_G_ENOMEM;
  uint32_t nk = 0;
  for (uint32_t c = 0; c < s->ncomp; c++) {
    if (!s->cyclic[c])
      continue;
    k[nk].comp = c;
    k[nk].size = s->start[c + 1] - s->start[c];
    k[nk].first = s->members[s->start[c]];
    k[nk].source = s->source[c] != 0;
    nk++;
  }
  qsort(k, nk, sizeof *k, cycle_key_cmp);
  for (uint32_t i = 0; i < nk; i++)
    out[i] = k[i].comp;
  rcgc__gmem_free(g, k);
  return RCGC_G_OK;
}

static unsigned long long magnitude(long long v) {
  return v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
}

int rcgc__growth_cmp(long long dcount_a, long long dbytes_a, const char *name_a, long long dcount_b,
                     long long dbytes_b, const char *name_b) {
  unsigned long long ca = magnitude(dcount_a), cb = magnitude(dcount_b);
  if (ca != cb)
    return ca > cb ? -1 : 1;
  unsigned long long ba = magnitude(dbytes_a), bb = magnitude(dbytes_b);
  if (ba != bb)
    return ba > bb ? -1 : 1;
  int c = strcmp(name_a, name_b);
  if (c != 0)
    return c;
  return dcount_a > dcount_b ? -1 : dcount_a < dcount_b;
}
