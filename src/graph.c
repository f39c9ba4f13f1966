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

/* ==================================================================== memory */

static void *default_alloc(void *ud, void *ptr, size_t old_size,
                           size_t new_size) {
  (void)ud;
  (void)old_size;
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, new_size);
}

/* Raw (re)allocation through g's allocator: size in bytes, never 0. Every
** block carries a G_PREFIX-byte header holding its size, so the allocator
** always learns the true old size (on realloc and on free) even where the
** caller does not know it (rcg_free). 'old_bytes' is therefore ignored. */
#define G_PREFIX 16

static void *g_realloc(const rcg_graph *g, void *p, size_t old_bytes,
                       size_t new_bytes) {
  (void)old_bytes;
  rcg_alloc_fn fn = g->alloc ? g->alloc : default_alloc;
  if (!new_bytes) new_bytes = 1;
  if (new_bytes > SIZE_MAX - G_PREFIX) return NULL;
  char *base = p ? (char *)p - G_PREFIX : NULL;
  size_t old = base ? *(size_t *)(void *)base + G_PREFIX : 0;
  char *nb = fn(g->alloc_ud, base, old, new_bytes + G_PREFIX);
  if (!nb) return NULL;
  *(size_t *)(void *)nb = new_bytes;
  return nb + G_PREFIX;
}

/* Grow an array of 'size'-byte elements to at least 'need' elements
** (doubling). Returns 0 or RCG_ENOMEM (array unchanged). */
static int g_grow(const rcg_graph *g, void **arr, size_t *cap, size_t need,
                  size_t size) {
  if (need <= *cap) return RCG_OK;
  size_t ncap = *cap ? *cap : 16;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2) return RCG_ENOMEM;
    ncap *= 2;
  }
  if (ncap > SIZE_MAX / size) return RCG_ENOMEM;
  void *p = g_realloc(g, *arr, *cap * size, ncap * size);
  if (!p) return RCG_ENOMEM;
  *arr = p;
  *cap = ncap;
  return RCG_OK;
}

void *rcg_alloc(const rcg_graph *g, size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) return NULL;
  return g_realloc(g, NULL, 0, count * size);
}

void *rcg_calloc(const rcg_graph *g, size_t count, size_t size) {
  void *p = rcg_alloc(g, count, size);
  if (p && count && size) memset(p, 0, count * size);
  return p;
}

void *rcg_realloc(const rcg_graph *g, void *p, size_t count, size_t size) {
  if (size && count > SIZE_MAX / size) return NULL;
  return g_realloc(g, p, 0, count * size);
}

void rcg_free(const rcg_graph *g, void *p) {
  if (!p) return;
  rcg_alloc_fn fn = g->alloc ? g->alloc : default_alloc;
  char *base = (char *)p - G_PREFIX;
  fn(g->alloc_ud, base, *(size_t *)(void *)base + G_PREFIX, 0);
}

/* ==================================================================== graph */

void rcg_graph_init(rcg_graph *g, rcg_alloc_fn fn, void *ud) {
  memset(g, 0, sizeof *g);
  g->alloc = fn;
  g->alloc_ud = ud;
}

void rcg_graph_free(rcg_graph *g) {
  rcg_alloc_fn fn = g->alloc;
  void *ud = g->alloc_ud;
  rcg_free(g, g->self_size);
  rcg_free(g, g->name);
  rcg_free(g, g->id);
  rcg_free(g, g->edge_start);
  rcg_free(g, g->edge_to);
  rcg_free(g, g->edge_name);
  rcg_free(g, g->edge_flags);
  rcg_free(g, g->roots);
  rcg_free(g, g->root_extrefs);
  for (uint32_t i = 0; i < g->nstrings; i++) rcg_free(g, g->strings[i]);
  rcg_free(g, g->strings);
  rcg_free(g, g->strhash);
  rcg_graph_init(g, fn, ud);
}

uint32_t rcg_graph_add_string(rcg_graph *g, const char *s, size_t len) {
  if (g->nstrings >= RCG_VROOT) return RCG_NONE;
  size_t cap = g->strings_cap;
  void *arr = g->strings;
  if (g_grow(g, &arr, &cap, (size_t)g->nstrings + 1, sizeof(char *)))
    return RCG_NONE;
  g->strings = arr;
  g->strings_cap = (uint32_t)(cap > RCG_VROOT ? RCG_VROOT : cap);
  char *copy = rcg_alloc(g, len + 1, 1);
  if (!copy) return RCG_NONE;
  if (len) memcpy(copy, s, len);
  copy[len] = '\0';
  g->strings[g->nstrings] = copy;
  return g->nstrings++;
}

/* FNV-1a over a NUL-terminated string. */
static uint32_t str_hash(const char *s) {
  uint32_t h = 2166136261u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
  return h;
}

/* The intern table maps hash slots to string indices (RCG_NONE = empty);
** it is kept at most half full and rebuilt from the strings it indexes
** (marked by a scan of the old table) when it grows. */
uint32_t rcg_graph_intern(rcg_graph *g, const char *s) {
  uint32_t mask = g->strhash_cap - 1;
  if (g->strhash_cap) {
    for (uint32_t i = str_hash(s) & mask;; i = (i + 1) & mask) {
      uint32_t k = g->strhash[i];
      if (k == RCG_NONE) break;
      if (strcmp(g->strings[k], s) == 0) return k;
    }
  }
  if ((uint64_t)(g->strhash_used + 1) * 2 > g->strhash_cap) {
    if (g->strhash_cap >= (1u << 31)) return RCG_NONE;
    uint32_t ncap = g->strhash_cap ? g->strhash_cap * 2 : 64;
    uint32_t *nt = rcg_alloc(g, ncap, sizeof *nt);
    if (!nt) return RCG_NONE;
    memset(nt, 0xff, (size_t)ncap * sizeof *nt);
    for (uint32_t i = 0; i < g->strhash_cap; i++) {
      uint32_t k = g->strhash[i];
      if (k == RCG_NONE) continue;
      uint32_t j = str_hash(g->strings[k]) & (ncap - 1);
      while (nt[j] != RCG_NONE) j = (j + 1) & (ncap - 1);
      nt[j] = k;
    }
    rcg_free(g, g->strhash);
    g->strhash = nt;
    g->strhash_cap = ncap;
    mask = ncap - 1;
  }
  uint32_t idx = rcg_graph_add_string(g, s, strlen(s));
  if (idx == RCG_NONE) return RCG_NONE;
  uint32_t j = str_hash(s) & mask;
  while (g->strhash[j] != RCG_NONE) j = (j + 1) & mask;
  g->strhash[j] = idx;
  g->strhash_used++;
  return idx;
}

const char *rcg_str(const rcg_graph *g, uint32_t i) {
  return i < g->nstrings ? g->strings[i] : "";
}

const char *rcg_node_name(const rcg_graph *g, uint32_t v) {
  return v < g->n && g->name ? rcg_str(g, g->name[v]) : "";
}

uint64_t rcg_node_id(const rcg_graph *g, uint32_t v) {
  return g->id ? g->id[v] : v;
}

uint32_t rcg_edge_from(const rcg_graph *g, size_t e) {
  if (e >= g->m) return RCG_NONE;
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

int rcg_edge_is_weak(const rcg_graph *g, size_t e) {
  return g->edge_flags && (g->edge_flags[e] & RCG_EDGE_WEAK);
}

int rcg_graph_set_roots(rcg_graph *g, const uint32_t *roots,
                        const uint64_t *extrefs, uint32_t nroots) {
  for (uint32_t i = 0; i < nroots; i++)
    if (roots[i] >= g->n) return RCG_EINVAL;
  uint32_t *r = rcg_alloc(g, nroots, sizeof *r);
  uint64_t *x = extrefs ? rcg_alloc(g, nroots, sizeof *x) : NULL;
  if (!r || (extrefs && !x)) {
    rcg_free(g, r);
    rcg_free(g, x);
    return RCG_ENOMEM;
  }
  if (nroots) memcpy(r, roots, nroots * sizeof *r);
  if (x && nroots) memcpy(x, extrefs, nroots * sizeof *x);
  rcg_free(g, g->roots);
  rcg_free(g, g->root_extrefs);
  g->roots = r;
  g->root_extrefs = x;
  g->nroots = nroots;
  return RCG_OK;
}

int rcg_graph_validate(const rcg_graph *g) {
  if (!g->edge_start || !g->self_size) return g->n ? RCG_EINVAL : RCG_OK;
  if (g->edge_start[0] != 0 || g->edge_start[g->n] != g->m) return RCG_EINVAL;
  for (uint32_t v = 0; v < g->n; v++)
    if (g->edge_start[v] > g->edge_start[v + 1]) return RCG_EINVAL;
  for (size_t e = 0; e < g->m; e++)
    if (g->edge_to[e] >= g->n) return RCG_EINVAL;
  for (uint32_t i = 0; i < g->nroots; i++)
    if (g->roots[i] >= g->n) return RCG_EINVAL;
  return RCG_OK;
}

/* ==================================================================== builder
** Node arrays live in the target graph from the start and grow by doubling;
** edges accumulate in four parallel arrays. finish() either adopts the edge
** arrays directly (already in source order) or scatters them with a stable
** counting sort into freshly allocated CSR arrays. */

void rcg_builder_init(rcg_builder *b, rcg_graph *g) {
  memset(b, 0, sizeof *b);
  b->g = g;
  b->sorted = 1;
}

uint32_t rcg_builder_node(rcg_builder *b, uint64_t id, uint32_t name,
                          uint64_t self_size) {
  rcg_graph *g = b->g;
  if (b->failed || g->n >= RCG_VROOT) {
    b->failed = 1;
    return RCG_NONE;
  }
  if (g->n == b->node_cap) {
    size_t cap = b->node_cap, c1 = cap, c2 = cap, c3 = cap;
    void *a1 = g->self_size, *a2 = g->name, *a3 = g->id;
    int rc = g_grow(g, &a1, &c1, (size_t)g->n + 1, sizeof(uint64_t));
    if (!rc) g->self_size = a1;
    if (!rc) rc = g_grow(g, &a2, &c2, (size_t)g->n + 1, sizeof(uint32_t));
    if (!rc) g->name = a2;
    if (!rc) rc = g_grow(g, &a3, &c3, (size_t)g->n + 1, sizeof(uint64_t));
    if (!rc) g->id = a3;
    /* all three share one capacity: only commit when all grew */
    if (rc || c1 != c2 || c2 != c3) {
      b->failed = 1;
      return RCG_NONE;
    }
    b->node_cap = (uint32_t)(c1 > RCG_VROOT ? RCG_VROOT : c1);
  }
  g->self_size[g->n] = self_size;
  g->name[g->n] = name;
  g->id[g->n] = id;
  return g->n++;
}

int rcg_builder_edge(rcg_builder *b, uint32_t from, uint32_t to,
                     uint32_t name, uint8_t flags) {
  if (b->failed) return RCG_ENOMEM;
  if (b->nedges == b->edge_cap) {
    rcg_graph *g = b->g;
    size_t c1 = b->edge_cap, c2 = c1, c3 = c1, c4 = c1;
    void *a1 = b->e_from, *a2 = b->e_to, *a3 = b->e_name, *a4 = b->e_flags;
    int rc = g_grow(g, &a1, &c1, b->nedges + 1, sizeof(uint32_t));
    if (!rc) b->e_from = a1;
    if (!rc) rc = g_grow(g, &a2, &c2, b->nedges + 1, sizeof(uint32_t));
    if (!rc) b->e_to = a2;
    if (!rc) rc = g_grow(g, &a3, &c3, b->nedges + 1, sizeof(uint32_t));
    if (!rc) b->e_name = a3;
    if (!rc) rc = g_grow(g, &a4, &c4, b->nedges + 1, sizeof(uint8_t));
    if (!rc) b->e_flags = a4;
    if (rc || c1 != c2 || c2 != c3 || c3 != c4) {
      b->failed = 1;
      return RCG_ENOMEM;
    }
    b->edge_cap = c1;
  }
  if (b->nedges && from < b->e_from[b->nedges - 1]) b->sorted = 0;
  b->e_from[b->nedges] = from;
  b->e_to[b->nedges] = to;
  b->e_name[b->nedges] = name;
  b->e_flags[b->nedges] = flags;
  b->nedges++;
  return RCG_OK;
}

void rcg_builder_abort(rcg_builder *b) {
  rcg_free(b->g, b->e_from);
  rcg_free(b->g, b->e_to);
  rcg_free(b->g, b->e_name);
  rcg_free(b->g, b->e_flags);
  b->e_from = b->e_to = b->e_name = NULL;
  b->e_flags = NULL;
  b->nedges = b->edge_cap = 0;
}

int rcg_builder_finish(rcg_builder *b) {
  rcg_graph *g = b->g;
  int rc = RCG_OK;
  size_t m = b->nedges;
  size_t *start = NULL;
  if (b->failed) {
    rc = RCG_ENOMEM;
    goto out;
  }
  for (size_t e = 0; e < m; e++)
    if (b->e_from[e] >= g->n || b->e_to[e] >= g->n) {
      rc = RCG_EINVAL;
      goto out;
    }
  start = rcg_calloc(g, (size_t)g->n + 1, sizeof *start);
  if (!start) {
    rc = RCG_ENOMEM;
    goto out;
  }
  /* count per source, then exclusive prefix sums */
  for (size_t e = 0; e < m; e++) start[b->e_from[e] + 1]++;
  for (uint32_t v = 0; v < g->n; v++) start[v + 1] += start[v];
  if (b->sorted) {
    g->edge_to = b->e_to;
    g->edge_name = b->e_name;
    g->edge_flags = b->e_flags;
    b->e_to = b->e_name = NULL;
    b->e_flags = NULL;
  } else {
    uint32_t *to = rcg_alloc(g, m, sizeof *to);
    uint32_t *nm = rcg_alloc(g, m, sizeof *nm);
    uint8_t *fl = rcg_alloc(g, m, sizeof *fl);
    size_t *pos = rcg_alloc(g, g->n, sizeof *pos);
    if (!to || !nm || !fl || !pos) {
      rcg_free(g, to);
      rcg_free(g, nm);
      rcg_free(g, fl);
      rcg_free(g, pos);
      rcg_free(g, start);
      rc = RCG_ENOMEM;
      goto out;
    }
    if (g->n) memcpy(pos, start, g->n * sizeof *pos);
    for (size_t e = 0; e < m; e++) {
      size_t k = pos[b->e_from[e]]++;
      to[k] = b->e_to[e];
      nm[k] = b->e_name[e];
      fl[k] = b->e_flags[e];
    }
    rcg_free(g, pos);
    g->edge_to = to;
    g->edge_name = nm;
    g->edge_flags = fl;
  }
  g->edge_start = start;
  g->m = m;
  if (!g->self_size) { /* zero nodes: keep arrays non-NULL for validate */
    g->self_size = rcg_alloc(g, 1, sizeof(uint64_t));
    g->name = rcg_alloc(g, 1, sizeof(uint32_t));
    g->id = rcg_alloc(g, 1, sizeof(uint64_t));
    if (!g->self_size || !g->name || !g->id) rc = RCG_ENOMEM;
  }
out:
  rcg_builder_abort(b);
  return rc;
}

/* ==================================================================== preds */

int rcg_preds_build(const rcg_graph *g, rcg_preds *p) {
  memset(p, 0, sizeof *p);
  size_t *start = rcg_calloc(g, (size_t)g->n + 1, sizeof *start);
  uint32_t *from = rcg_alloc(g, g->m, sizeof *from);
  size_t *edge = rcg_alloc(g, g->m, sizeof *edge);
  if (!start || !from || !edge) {
    rcg_free(g, start);
    rcg_free(g, from);
    rcg_free(g, edge);
    return RCG_ENOMEM;
  }
  for (size_t e = 0; e < g->m; e++) start[g->edge_to[e] + 1]++;
  for (uint32_t v = 0; v < g->n; v++) start[v + 1] += start[v];
  /* scatter using start[v] as a cursor, then shift back */
  for (uint32_t u = 0; u < g->n; u++)
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
      size_t k = start[g->edge_to[e]]++;
      from[k] = u;
      edge[k] = e;
    }
  for (uint32_t v = g->n; v > 0; v--) start[v] = start[v - 1];
  start[0] = 0;
  p->n = g->n;
  p->start = start;
  p->from = from;
  p->edge = edge;
  return RCG_OK;
}

void rcg_preds_free(const rcg_graph *g, rcg_preds *p) {
  rcg_free(g, p->start);
  rcg_free(g, p->from);
  rcg_free(g, p->edge);
  memset(p, 0, sizeof *p);
}

/* ==================================================================== BFS
** Classic FIFO BFS with the queue as one array of n node indices: every node
** is enqueued at most once (when its dist is first set), so head/tail never
** exceed n. */

int rcg_bfs_run(const rcg_graph *g, const uint32_t *sources, uint32_t nsrc,
                const uint8_t *skip, rcg_bfs *out) {
  memset(out, 0, sizeof *out);
  if (!sources) {
    sources = g->roots;
    nsrc = g->nroots;
  }
  for (uint32_t i = 0; i < nsrc; i++)
    if (sources[i] >= g->n) return RCG_EINVAL;
  uint32_t *dist = rcg_alloc(g, g->n, sizeof *dist);
  uint32_t *parent = rcg_alloc(g, g->n, sizeof *parent);
  size_t *pedge = rcg_alloc(g, g->n, sizeof *pedge);
  uint32_t *queue = rcg_alloc(g, g->n, sizeof *queue);
  if (!dist || !parent || !pedge || !queue) {
    rcg_free(g, dist);
    rcg_free(g, parent);
    rcg_free(g, pedge);
    rcg_free(g, queue);
    return RCG_ENOMEM;
  }
  memset(dist, 0xff, (size_t)g->n * sizeof *dist);
  memset(parent, 0xff, (size_t)g->n * sizeof *parent);
  for (uint32_t v = 0; v < g->n; v++) pedge[v] = RCG_NO_EDGE;
  uint32_t head = 0, tail = 0;
  for (uint32_t i = 0; i < nsrc; i++) {
    uint32_t s = sources[i];
    if ((skip && skip[s]) || dist[s] != RCG_NONE) continue;
    dist[s] = 0;
    queue[tail++] = s;
  }
  while (head < tail) {
    uint32_t u = queue[head++];
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
      if (rcg_edge_is_weak(g, e)) continue;
      uint32_t t = g->edge_to[e];
      if (dist[t] != RCG_NONE || (skip && skip[t])) continue;
      dist[t] = dist[u] + 1;
      parent[t] = u;
      pedge[t] = e;
      queue[tail++] = t;
    }
  }
  rcg_free(g, queue);
  out->n = g->n;
  out->dist = dist;
  out->parent = parent;
  out->parent_edge = pedge;
  return RCG_OK;
}

void rcg_bfs_free(const rcg_graph *g, rcg_bfs *b) {
  rcg_free(g, b->dist);
  rcg_free(g, b->parent);
  rcg_free(g, b->parent_edge);
  memset(b, 0, sizeof *b);
}

long rcg_bfs_path(const rcg_bfs *b, uint32_t target, uint32_t *nodes,
                  size_t *edges) {
  if (target >= b->n || b->dist[target] == RCG_NONE) return -1;
  uint32_t len = b->dist[target];
  uint32_t v = target;
  for (uint32_t i = len;; i--) {
    if (nodes) nodes[i] = v;
    if (i == 0) break;
    if (edges) edges[i - 1] = b->parent_edge[v];
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
  if (x->len != y->len) return x->len < y->len ? -1 : 1;
  return x->edge < y->edge ? -1 : x->edge > y->edge;
}

int rcg_retaining_paths(const rcg_graph *g, uint32_t target, uint32_t k,
                        rcg_paths *out) {
  memset(out, 0, sizeof *out);
  if (target >= g->n) return RCG_EINVAL;
  if (k == 0) return RCG_OK;
  for (uint32_t i = 0; i < g->nroots; i++)
    if (g->roots[i] == target) {
      out->len = rcg_alloc(g, 1, sizeof *out->len);
      out->off = rcg_alloc(g, 1, sizeof *out->off);
      out->nodes = rcg_alloc(g, 1, sizeof *out->nodes);
      out->edges = rcg_alloc(g, 1, sizeof *out->edges);
      if (!out->len || !out->off || !out->nodes || !out->edges) {
        rcg_paths_free(g, out);
        return RCG_ENOMEM;
      }
      out->npaths = 1;
      out->len[0] = 0;
      out->off[0] = 0;
      out->nodes[0] = target;
      return RCG_OK;
    }
  uint8_t *skip = rcg_calloc(g, g->n, 1);
  if (!skip) return RCG_ENOMEM;
  skip[target] = 1;
  rcg_bfs b;
  int rc = rcg_bfs_run(g, NULL, 0, skip, &b);
  rcg_free(g, skip);
  if (rc) return rc;
  size_t ncand = 0, cap = 0;
  cand *c = NULL;
  for (uint32_t u = 0; u < g->n && rc == RCG_OK; u++) {
    if (b.dist[u] == RCG_NONE) continue;
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
      if (g->edge_to[e] != target || rcg_edge_is_weak(g, e)) continue;
      void *arr = c;
      if ((rc = g_grow(g, &arr, &cap, ncand + 1, sizeof *c))) break;
      c = arr;
      c[ncand].len = b.dist[u] + 1;
      c[ncand].edge = e;
      c[ncand].from = u;
      ncand++;
    }
  }
  if (rc) goto done;
  if (ncand > 1) qsort(c, ncand, sizeof *c, cand_cmp);
  uint32_t np = ncand < k ? (uint32_t)ncand : k;
  size_t total = 0;
  for (uint32_t i = 0; i < np; i++) total += (size_t)c[i].len + 1;
  out->len = rcg_alloc(g, np, sizeof *out->len);
  out->off = rcg_alloc(g, np, sizeof *out->off);
  out->nodes = rcg_alloc(g, total, sizeof *out->nodes);
  out->edges = rcg_alloc(g, total, sizeof *out->edges);
  if (!out->len || !out->off || !out->nodes || !out->edges) {
    rcg_paths_free(g, out);
    rc = RCG_ENOMEM;
    goto done;
  }
  size_t off = 0;
  for (uint32_t i = 0; i < np; i++) {
    out->len[i] = c[i].len;
    out->off[i] = off;
    /* prefix root..from, then the candidate edge into target */
    rcg_bfs_path(&b, c[i].from, out->nodes + off, out->edges + (off - i));
    out->nodes[off + c[i].len] = target;
    out->edges[off - i + c[i].len - 1] = c[i].edge;
    off += (size_t)c[i].len + 1;
  }
  out->npaths = np;
done:
  rcg_free(g, c);
  rcg_bfs_free(g, &b);
  return rc;
}

void rcg_paths_free(const rcg_graph *g, rcg_paths *p) {
  rcg_free(g, p->len);
  rcg_free(g, p->off);
  rcg_free(g, p->nodes);
  rcg_free(g, p->edges);
  memset(p, 0, sizeof *p);
}

/* ==================================================================== SCC
** Iterative Tarjan. index[v] = DFS discovery number (RCG_NONE: unvisited),
** low[v] = smallest index reachable through v's DFS subtree plus one edge to
** a node still on the Tarjan stack. A visited node is on the Tarjan stack
** iff comp[v] is still RCG_NONE. The explicit call stack holds (node, next
** edge) frames; popping a frame propagates low to its parent frame. When
** low[v] == index[v] on pop, v roots a component: everything above it on the
** Tarjan stack is assigned the next component id. */

static int follows(const rcg_graph *g, size_t e, unsigned flags) {
  return (flags & RCG_SCC_WEAK) || !rcg_edge_is_weak(g, e);
}

int rcg_scc_run(const rcg_graph *g, const uint8_t *mask, unsigned flags,
                rcg_scc *out) {
  memset(out, 0, sizeof *out);
  uint32_t n = g->n;
  uint32_t *index = rcg_alloc(g, n, sizeof *index);
  uint32_t *low = rcg_alloc(g, n, sizeof *low);
  uint32_t *comp = rcg_alloc(g, n, sizeof *comp);
  uint32_t *tstack = rcg_alloc(g, n, sizeof *tstack);
  uint32_t *fnode = rcg_alloc(g, n, sizeof *fnode);
  size_t *fedge = rcg_alloc(g, n, sizeof *fedge);
  uint32_t *start = NULL, *members = NULL;
  uint8_t *cyclic = NULL, *source = NULL;
  int rc = RCG_ENOMEM;
  if (!index || !low || !comp || !tstack || !fnode || !fedge) goto fail;
  memset(index, 0xff, (size_t)n * sizeof *index);
  memset(comp, 0xff, (size_t)n * sizeof *comp);
  uint32_t counter = 0, ncomp = 0, tsp = 0, nmasked = 0;
  for (uint32_t r = 0; r < n; r++) {
    if ((mask && !mask[r]) || index[r] != RCG_NONE) continue;
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
        if (!follows(g, e, flags)) continue;
        uint32_t w = g->edge_to[e];
        if (mask && !mask[w]) continue;
        if (index[w] == RCG_NONE) {
          index[w] = low[w] = counter++;
          tstack[tsp++] = w;
          fnode[fsp] = w;
          fedge[fsp++] = g->edge_start[w];
        } else if (comp[w] == RCG_NONE && index[w] < low[v]) {
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
        if (low[v] < low[u]) low[u] = low[v];
      }
    }
  }
  rcg_free(g, index);
  rcg_free(g, low);
  rcg_free(g, tstack);
  rcg_free(g, fnode);
  rcg_free(g, fedge);
  index = low = tstack = fnode = NULL;
  fedge = NULL;

  start = rcg_calloc(g, (size_t)ncomp + 1, sizeof *start);
  members = rcg_alloc(g, nmasked, sizeof *members);
  cyclic = rcg_calloc(g, ncomp, 1);
  source = rcg_alloc(g, ncomp, 1);
  if (!start || !members || !cyclic || !source) goto fail;
  if (ncomp) memset(source, 1, ncomp);
  for (uint32_t v = 0; v < n; v++)
    if (comp[v] != RCG_NONE) start[comp[v] + 1]++;
  for (uint32_t c = 0; c < ncomp; c++) {
    start[c + 1] += start[c];
    if (start[c + 1] - start[c] > 1) cyclic[c] = 1;
  }
  /* fill members in node order using start[c] as cursor, shift back */
  for (uint32_t v = 0; v < n; v++)
    if (comp[v] != RCG_NONE) members[start[comp[v]]++] = v;
  for (uint32_t c = ncomp; c > 0; c--) start[c] = start[c - 1];
  start[0] = 0;
  for (uint32_t u = 0; u < n; u++) {
    if (comp[u] == RCG_NONE) continue;
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
      if (!follows(g, e, flags)) continue;
      uint32_t w = g->edge_to[e];
      if (comp[w] == RCG_NONE) continue;
      if (w == u) cyclic[comp[u]] = 1;
      if (comp[w] != comp[u]) source[comp[w]] = 0;
    }
  }
  out->n = n;
  out->ncomp = ncomp;
  out->comp = comp;
  out->start = start;
  out->members = members;
  out->cyclic = cyclic;
  out->source = source;
  for (uint32_t c = 0; c < ncomp; c++) out->ncyclic += cyclic[c];
  return RCG_OK;
fail:
  rcg_free(g, index);
  rcg_free(g, low);
  rcg_free(g, comp);
  rcg_free(g, tstack);
  rcg_free(g, fnode);
  rcg_free(g, fedge);
  rcg_free(g, start);
  rcg_free(g, members);
  rcg_free(g, cyclic);
  rcg_free(g, source);
  return rc;
}

void rcg_scc_free(const rcg_graph *g, rcg_scc *s) {
  rcg_free(g, s->comp);
  rcg_free(g, s->start);
  rcg_free(g, s->members);
  rcg_free(g, s->cyclic);
  rcg_free(g, s->source);
  memset(s, 0, sizeof *s);
}

size_t rcg_scc_internal_edges(const rcg_graph *g, const rcg_scc *s,
                              uint32_t c, unsigned flags, size_t *edges,
                              size_t cap) {
  size_t cnt = 0;
  if (c >= s->ncomp) return 0;
  for (uint32_t i = s->start[c]; i < s->start[c + 1]; i++) {
    uint32_t u = s->members[i];
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
      if (!follows(g, e, flags) || s->comp[g->edge_to[e]] != c) continue;
      if (cnt < cap) edges[cnt] = e;
      cnt++;
    }
  }
  return cnt;
}

/* Condensation: two passes over each component's out-edges (count, fill);
** seen[c2] == c + 1 marks successor c2 already listed for component c. */
int rcg_scc_condense(const rcg_graph *g, const rcg_scc *s, unsigned flags,
                     rcg_dag *out) {
  memset(out, 0, sizeof *out);
  uint32_t nc = s->ncomp;
  size_t *start = rcg_calloc(g, (size_t)nc + 1, sizeof *start);
  uint32_t *seen = rcg_calloc(g, nc, sizeof *seen);
  uint32_t *succ = NULL;
  if (!start || !seen) goto fail;
  for (int pass = 0; pass < 2; pass++) {
    if (pass == 1) {
      succ = rcg_alloc(g, start[nc], sizeof *succ);
      if (!succ) goto fail;
      memset(seen, 0, (size_t)nc * sizeof *seen);
    }
    size_t k = 0;
    for (uint32_t c = 0; c < nc; c++) {
      for (uint32_t i = s->start[c]; i < s->start[c + 1]; i++) {
        uint32_t u = s->members[i];
        for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
          if (!follows(g, e, flags)) continue;
          uint32_t c2 = s->comp[g->edge_to[e]];
          if (c2 == RCG_NONE || c2 == c || seen[c2] == c + 1) continue;
          seen[c2] = c + 1;
          if (pass == 0)
            start[c + 1]++;
          else
            succ[k++] = c2;
        }
      }
      if (pass == 0) start[c + 1] += start[c];
    }
  }
  rcg_free(g, seen);
  out->ncomp = nc;
  out->start = start;
  out->succ = succ;
  return RCG_OK;
fail:
  rcg_free(g, start);
  rcg_free(g, seen);
  rcg_free(g, succ);
  return RCG_ENOMEM;
}

void rcg_dag_free(const rcg_graph *g, rcg_dag *d) {
  rcg_free(g, d->start);
  rcg_free(g, d->succ);
  memset(d, 0, sizeof *d);
}

/* ==================================================================== dominators
** Lengauer-Tarjan, "simple" version (path compression without balancing),
** all arrays indexed by DFS preorder number; number 0 is the virtual root,
** whose children are the graph's roots in order.
**
** Phase 1 (DFS): iterative preorder DFS over strong edges with an explicit
**   (node, next-edge) stack; records vertex[i] (node of number i), dfn[v]
**   (number of node v, RCG_NONE when unreached) and parent[i].
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

static uint32_t dom_eval(uint32_t v, uint32_t *ancestor, uint32_t *label,
                         const uint32_t *semi, uint32_t *stack) {
  if (ancestor[v] == RCG_NONE) return v;
  uint32_t sp = 0, x = v;
  while (ancestor[ancestor[x]] != RCG_NONE) {
    stack[sp++] = x;
    x = ancestor[x];
  }
  while (sp) {
    uint32_t y = stack[--sp];
    uint32_t a = ancestor[y];
    if (semi[label[a]] < semi[label[y]]) label[y] = label[a];
    ancestor[y] = ancestor[a];
  }
  return label[v];
}

int rcg_dom_run(const rcg_graph *g, rcg_dom *out) {
  memset(out, 0, sizeof *out);
  uint32_t n = g->n;
  int rc = RCG_ENOMEM;
  uint32_t *dfn = rcg_alloc(g, n, sizeof *dfn);
  uint32_t *vertex = rcg_alloc(g, (size_t)n + 1, sizeof *vertex);
  uint32_t *parent = rcg_alloc(g, (size_t)n + 1, sizeof *parent);
  size_t *cursor = rcg_alloc(g, (size_t)n + 1, sizeof *cursor);
  uint32_t *stack = rcg_alloc(g, (size_t)n + 1, sizeof *stack);
  uint8_t *isroot = rcg_calloc(g, n, 1);
  size_t *pstart = NULL;
  uint32_t *pfrom = NULL, *semi = NULL, *label = NULL, *ancestor = NULL,
           *idom = NULL, *bhead = NULL, *bnext = NULL, *idom_out = NULL;
  uint64_t *retained = NULL;
  if (!dfn || !vertex || !parent || !cursor || !stack || !isroot) goto done;

  /* Phase 1: DFS. The stack holds DFS numbers; cursor[i] is the next edge
  ** of vertex[i] to try. */
  memset(dfn, 0xff, (size_t)n * sizeof *dfn);
  uint32_t N = 1;
  vertex[0] = RCG_VROOT;
  parent[0] = RCG_NONE;
  for (uint32_t r = 0; r < g->nroots; r++) {
    uint32_t root = g->roots[r];
    isroot[root] = 1;
    if (dfn[root] != RCG_NONE) continue;
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
      if (rcg_edge_is_weak(g, e)) continue;
      uint32_t w = g->edge_to[e];
      if (dfn[w] != RCG_NONE) continue;
      dfn[w] = N;
      vertex[N] = w;
      parent[N] = i;
      cursor[N] = g->edge_start[w];
      stack[sp++] = N++;
    }
  }
  rcg_free(g, cursor);
  cursor = NULL;

  /* Phase 2: strong predecessors of reached nodes, from reached nodes. */
  pstart = rcg_calloc(g, (size_t)n + 1, sizeof *pstart);
  if (!pstart) goto done;
  for (uint32_t i = 1; i < N; i++) {
    uint32_t u = vertex[i];
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++)
      if (!rcg_edge_is_weak(g, e)) pstart[g->edge_to[e] + 1]++;
  }
  for (uint32_t v = 0; v < n; v++) pstart[v + 1] += pstart[v];
  pfrom = rcg_alloc(g, pstart[n], sizeof *pfrom);
  if (!pfrom) goto done;
  for (uint32_t i = 1; i < N; i++) {
    uint32_t u = vertex[i];
    for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++)
      if (!rcg_edge_is_weak(g, e)) pfrom[pstart[g->edge_to[e]]++] = i;
  }
  for (uint32_t v = n; v > 0; v--) pstart[v] = pstart[v - 1];
  if (n) pstart[0] = 0;

  /* Phase 3: semidominators and deferred idoms. */
  semi = rcg_alloc(g, N, sizeof *semi);
  label = rcg_alloc(g, N, sizeof *label);
  ancestor = rcg_alloc(g, N, sizeof *ancestor);
  idom = rcg_alloc(g, N, sizeof *idom);
  bhead = rcg_alloc(g, N, sizeof *bhead);
  bnext = rcg_alloc(g, N, sizeof *bnext);
  if (!semi || !label || !ancestor || !idom || !bhead || !bnext) goto done;
  for (uint32_t i = 0; i < N; i++) {
    semi[i] = label[i] = i;
    ancestor[i] = bhead[i] = RCG_NONE;
    idom[i] = 0;
  }
  for (uint32_t i = N - 1; i >= 1; i--) {
    uint32_t w = vertex[i];
    if (isroot[w]) semi[i] = 0; /* the virtual root is a predecessor */
    for (size_t k = pstart[w]; k < pstart[w + 1]; k++) {
      uint32_t u = dom_eval(pfrom[k], ancestor, label, semi, stack);
      if (semi[u] < semi[i]) semi[i] = semi[u];
    }
    bnext[i] = bhead[semi[i]];
    bhead[semi[i]] = i;
    uint32_t p = parent[i];
    ancestor[i] = p;
    for (uint32_t v = bhead[p]; v != RCG_NONE; v = bnext[v]) {
      uint32_t u = dom_eval(v, ancestor, label, semi, stack);
      idom[v] = semi[u] < semi[v] ? u : p;
    }
    bhead[p] = RCG_NONE;
  }
  /* Phase 4 */
  for (uint32_t i = 1; i < N; i++)
    if (idom[i] != semi[i]) idom[i] = idom[idom[i]];

  /* Phase 5: outputs per node. */
  idom_out = rcg_alloc(g, n, sizeof *idom_out);
  retained = rcg_calloc(g, n, sizeof *retained);
  if (!idom_out || !retained) goto done;
  memset(idom_out, 0xff, (size_t)n * sizeof *idom_out);
  for (uint32_t i = 1; i < N; i++) {
    uint32_t v = vertex[i];
    idom_out[v] = idom[i] == 0 ? RCG_VROOT : vertex[idom[i]];
    retained[v] = g->self_size[v];
  }
  uint64_t total = 0;
  for (uint32_t i = N - 1; i >= 1; i--) {
    uint32_t v = vertex[i];
    total += g->self_size[v];
    if (idom[i]) retained[vertex[idom[i]]] += retained[v];
  }
  out->n = n;
  out->idom = idom_out;
  out->retained = retained;
  out->total = total;
  out->nreached = N - 1;
  idom_out = NULL;
  retained = NULL;
  rc = RCG_OK;
done:
  rcg_free(g, dfn);
  rcg_free(g, vertex);
  rcg_free(g, parent);
  rcg_free(g, cursor);
  rcg_free(g, stack);
  rcg_free(g, isroot);
  rcg_free(g, pstart);
  rcg_free(g, pfrom);
  rcg_free(g, semi);
  rcg_free(g, label);
  rcg_free(g, ancestor);
  rcg_free(g, idom);
  rcg_free(g, bhead);
  rcg_free(g, bnext);
  rcg_free(g, idom_out);
  rcg_free(g, retained);
  return rc;
}

void rcg_dom_free(const rcg_graph *g, rcg_dom *d) {
  rcg_free(g, d->idom);
  rcg_free(g, d->retained);
  memset(d, 0, sizeof *d);
}

/* Top-k by retained size: a binary min-heap (worst candidate at the top) of
** at most k node indices kept in 'out', then heap-sorted into best-first
** order. "Better" = larger retained size, ties: smaller node index. */
static int top_better(const rcg_dom *d, uint32_t a, uint32_t b) {
  if (d->retained[a] != d->retained[b]) return d->retained[a] > d->retained[b];
  return a < b;
}

static void top_sift_down(const rcg_dom *d, uint32_t *h, uint32_t len,
                          uint32_t i) {
  for (;;) {
    uint32_t l = 2 * i + 1, r = l + 1, w = i;
    if (l < len && top_better(d, h[w], h[l])) w = l;
    if (r < len && top_better(d, h[w], h[r])) w = r;
    if (w == i) return;
    uint32_t t = h[i];
    h[i] = h[w];
    h[w] = t;
    i = w;
  }
}

uint32_t rcg_dom_top(const rcg_dom *d, const uint8_t *skip, uint32_t k,
                     uint32_t *out) {
  uint32_t len = 0;
  if (k == 0) return 0;
  for (uint32_t v = 0; v < d->n; v++) {
    if (d->idom[v] == RCG_NONE || (skip && skip[v])) continue;
    if (len < k) {
      /* sift up */
      uint32_t i = len++;
      out[i] = v;
      while (i) {
        uint32_t p = (i - 1) / 2;
        if (!top_better(d, out[p], out[i])) break;
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

/* ==================================================================== DOT
** Breadth-first from the start nodes; depth[v] (RCG_NONE: not yet seen)
** doubles as the visited mark. Each dequeued node prints its own statement
** and, below max_depth, the edges to its first too_many neighbours
** (enqueuing unseen ones), then one "N more references" box for the rest.
** Every edge printed ends at a node that is (or will be) dequeued, so every
** endpoint gets a node statement. Node names are "o<index>". */

size_t rcg_dot_escape(const char *in, char *buf, size_t cap) {
  size_t k = 0;
  if (cap == 0) return 0;
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
    if (k + l >= cap) break;
    memcpy(buf + k, rep, l);
    k += l;
  }
  buf[k] = '\0';
  return k;
}

typedef struct dot_out {
  rcg_write_fn write;
  void *ud;
} dot_out;

static void dot_puts(dot_out *o, const char *s) { o->write(o->ud, s, strlen(s)); }

static size_t default_label(const rcg_graph *g, uint32_t v, char *buf,
                            size_t cap) {
  int l = snprintf(buf, cap, "%s @%llu\n%llu bytes", rcg_node_name(g, v),
                   (unsigned long long)rcg_node_id(g, v),
                   (unsigned long long)g->self_size[v]);
  if (l < 0) l = 0;
  return (size_t)l < cap ? (size_t)l : cap - 1;
}

int rcg_dot(const rcg_graph *g, const uint32_t *start, uint32_t nstart,
            const rcg_dot_opts *opts, rcg_write_fn write, void *write_ud) {
  rcg_dot_opts defopts;
  if (!opts) {
    memset(&defopts, 0, sizeof defopts);
    defopts.max_depth = 3;
    defopts.too_many = 10;
    opts = &defopts;
  }
  int back = (opts->flags & RCG_DOT_BACK) != 0;
  if (back && !opts->preds) return RCG_EINVAL;
  for (uint32_t i = 0; i < nstart; i++)
    if (start[i] >= g->n) return RCG_EINVAL;
  uint32_t *depth = rcg_alloc(g, g->n, sizeof *depth);
  uint32_t *queue = rcg_alloc(g, g->n, sizeof *queue);
  uint8_t *is_start = rcg_calloc(g, g->n, 1);
  enum { LCAP = 1024, ECAP = 4 * LCAP + 256 };
  char *lbuf = rcg_alloc(g, LCAP, 1);
  char *ebuf = rcg_alloc(g, ECAP, 1);
  char *line = rcg_alloc(g, ECAP + 256, 1);
  if (!depth || !queue || !is_start || !lbuf || !ebuf || !line) {
    rcg_free(g, depth);
    rcg_free(g, queue);
    rcg_free(g, is_start);
    rcg_free(g, lbuf);
    rcg_free(g, ebuf);
    rcg_free(g, line);
    return RCG_ENOMEM;
  }
  dot_out o = {write, write_ud};
  memset(depth, 0xff, (size_t)g->n * sizeof *depth);
  uint32_t head = 0, tail = 0;
  for (uint32_t i = 0; i < nstart; i++) {
    is_start[start[i]] = 1;
    if (depth[start[i]] == RCG_NONE) {
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
    rcg_dot_escape(lbuf, ebuf, ECAP);
    double shade = 1.0 - 0.3 * (double)d / (double)(opts->max_depth + 1);
    if (opts->highlight && opts->highlight[v])
      snprintf(line, ecap, "  o%u [label=\"%s\", fillcolor=\"lightblue\"%s];\n",
               v, ebuf, is_start[v] ? ", fontcolor=red" : "");
    else
      snprintf(line, ecap, "  o%u [label=\"%s\", fillcolor=\"0,0,%.3f\"%s];\n",
               v, ebuf, shade, is_start[v] ? ", fontcolor=red" : "");
    dot_puts(&o, line);
    if (d >= opts->max_depth) continue;
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
      int weak = rcg_edge_is_weak(g, e);
      if (weak && (opts->flags & RCG_DOT_NO_WEAK)) continue;
      if (opts->too_many && shown >= opts->too_many) {
        more++;
        continue;
      }
      shown++;
      if (depth[w] == RCG_NONE) {
        depth[w] = d + 1;
        queue[tail++] = w;
      }
      if (opts->edge_label) {
        size_t el = opts->edge_label(opts->label_ud, g, e, lbuf, LCAP);
        lbuf[el < LCAP ? el : LCAP - 1] = '\0';
      } else {
        uint32_t nm = g->edge_name ? g->edge_name[e] : RCG_NONE;
        snprintf(lbuf, LCAP, "%s", nm == RCG_NONE ? "" : rcg_str(g, nm));
      }
      rcg_dot_escape(lbuf, ebuf, ECAP);
      snprintf(line, ecap, "  o%u -> o%u [label=\"%s\"%s];\n", back ? w : v,
               back ? v : w, ebuf, weak ? ", style=dashed" : "");
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
  rcg_free(g, depth);
  rcg_free(g, queue);
  rcg_free(g, is_start);
  rcg_free(g, lbuf);
  rcg_free(g, ebuf);
  rcg_free(g, line);
  return RCG_OK;
}

/* ==================================================================== histograms
** Build: accumulate per string index (slot nstrings = "no name"), compact
** the non-empty slots, sort them by name to merge equal strings that have
** different indices (snapshot string tables need not be unique), then sort
** for presentation. */

static int he_by_name(const void *a, const void *b) {
  return strcmp(((const rcg_hist_entry *)a)->name,
                ((const rcg_hist_entry *)b)->name);
}

static int he_by_bytes(const void *a, const void *b) {
  const rcg_hist_entry *x = a, *y = b;
  if (x->bytes != y->bytes) return x->bytes > y->bytes ? -1 : 1;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  return strcmp(x->name, y->name);
}

int rcg_hist_build(const rcg_graph *g, const uint8_t *mask, rcg_hist *out) {
  memset(out, 0, sizeof *out);
  size_t slots = (size_t)g->nstrings + 1;
  uint64_t *cnt = rcg_calloc(g, slots, sizeof *cnt);
  uint64_t *byt = rcg_calloc(g, slots, sizeof *byt);
  if (!cnt || !byt) {
    rcg_free(g, cnt);
    rcg_free(g, byt);
    return RCG_ENOMEM;
  }
  for (uint32_t v = 0; v < g->n; v++) {
    if (mask && !mask[v]) continue;
    uint32_t s = g->name ? g->name[v] : RCG_NONE;
    if (s >= g->nstrings) s = g->nstrings;
    cnt[s]++;
    byt[s] += g->self_size[v];
    out->total_count++;
    out->total_bytes += g->self_size[v];
  }
  uint32_t ne = 0;
  for (size_t s = 0; s < slots; s++) ne += cnt[s] != 0;
  rcg_hist_entry *e = rcg_alloc(g, ne, sizeof *e);
  if (!e) {
    rcg_free(g, cnt);
    rcg_free(g, byt);
    return RCG_ENOMEM;
  }
  uint32_t k = 0;
  for (size_t s = 0; s < slots; s++) {
    if (!cnt[s]) continue;
    e[k].name = s < g->nstrings ? g->strings[s] : "";
    e[k].count = cnt[s];
    e[k].bytes = byt[s];
    k++;
  }
  rcg_free(g, cnt);
  rcg_free(g, byt);
  if (k > 1) {
    qsort(e, k, sizeof *e, he_by_name);
    uint32_t w = 0;
    for (uint32_t r = 1; r < k; r++) {
      if (strcmp(e[w].name, e[r].name) == 0) {
        e[w].count += e[r].count;
        e[w].bytes += e[r].bytes;
      } else {
        e[++w] = e[r];
      }
    }
    k = w + 1;
    qsort(e, k, sizeof *e, he_by_bytes);
  }
  out->nentries = k;
  out->e = e;
  return RCG_OK;
}

void rcg_hist_free(const rcg_graph *g, rcg_hist *h) {
  rcg_free(g, h->e);
  memset(h, 0, sizeof *h);
}

static uint64_t absdiff(uint64_t a, uint64_t b) { return a > b ? a - b : b - a; }

static int hd_cmp(const void *a, const void *b) {
  const rcg_hist_delta *x = a, *y = b;
  uint64_t bx = absdiff(x->bytes_after, x->bytes_before);
  uint64_t by = absdiff(y->bytes_after, y->bytes_before);
  if (bx != by) return bx > by ? -1 : 1;
  uint64_t cx = absdiff(x->count_after, x->count_before);
  uint64_t cy = absdiff(y->count_after, y->count_before);
  if (cx != cy) return cx > cy ? -1 : 1;
  return strcmp(x->name, y->name);
}

int rcg_hist_diff_build(const rcg_graph *g, const rcg_hist *before,
                        const rcg_hist *after, rcg_hist_diff *out) {
  memset(out, 0, sizeof *out);
  rcg_hist_entry *a = rcg_alloc(g, before->nentries, sizeof *a);
  rcg_hist_entry *b = rcg_alloc(g, after->nentries, sizeof *b);
  rcg_hist_delta *d =
      rcg_alloc(g, (size_t)before->nentries + after->nentries, sizeof *d);
  if (!a || !b || !d) {
    rcg_free(g, a);
    rcg_free(g, b);
    rcg_free(g, d);
    return RCG_ENOMEM;
  }
  if (before->nentries) memcpy(a, before->e, before->nentries * sizeof *a);
  if (after->nentries) memcpy(b, after->e, after->nentries * sizeof *b);
  qsort(a, before->nentries, sizeof *a, he_by_name);
  qsort(b, after->nentries, sizeof *b, he_by_name);
  uint32_t i = 0, j = 0, k = 0;
  while (i < before->nentries || j < after->nentries) {
    int c;
    if (i == before->nentries)
      c = 1;
    else if (j == after->nentries)
      c = -1;
    else
      c = strcmp(a[i].name, b[j].name);
    rcg_hist_delta x = {0};
    if (c <= 0) {
      x.name = a[i].name;
      x.count_before = a[i].count;
      x.bytes_before = a[i].bytes;
      i++;
    }
    if (c >= 0) {
      x.name = b[j].name;
      x.count_after = b[j].count;
      x.bytes_after = b[j].bytes;
      j++;
    }
    if (x.count_before != x.count_after || x.bytes_before != x.bytes_after)
      d[k++] = x;
  }
  rcg_free(g, a);
  rcg_free(g, b);
  if (k > 1) qsort(d, k, sizeof *d, hd_cmp);
  out->nentries = k;
  out->e = d;
  return RCG_OK;
}

void rcg_hist_diff_free(const rcg_graph *g, rcg_hist_diff *d) {
  rcg_free(g, d->e);
  memset(d, 0, sizeof *d);
}

static int u64_cmp(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

long rcg_new_nodes(const rcg_graph *before, const rcg_graph *after,
                   uint8_t *is_new) {
  uint64_t *ids = rcg_alloc(before, before->n, sizeof *ids);
  if (!ids) return RCG_ENOMEM;
  for (uint32_t v = 0; v < before->n; v++) ids[v] = rcg_node_id(before, v);
  qsort(ids, before->n, sizeof *ids, u64_cmp);
  long cnt = 0;
  for (uint32_t v = 0; v < after->n; v++) {
    uint64_t id = rcg_node_id(after, v);
    size_t lo = 0, hi = before->n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (ids[mid] < id)
        lo = mid + 1;
      else
        hi = mid;
    }
    is_new[v] = !(lo < before->n && ids[lo] == id);
    cnt += is_new[v];
  }
  rcg_free(before, ids);
  return cnt;
}
