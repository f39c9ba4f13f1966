/*
** test_graph.c -- Criterion tests for the graph module (src/graph).
**
** Strategy: 200+ small random graphs (1..30 nodes, random weak edges,
** self-loops, several roots) checked against brute-force definitions:
**   BFS distances         vs. Bellman-Ford style relaxation;
**   retaining paths       vs. per-edge "reachable without the target";
**   SCC                   vs. mutual reachability (transitive closure);
**   dominators            vs. "d dominates v iff removing d cuts v off";
**   retained size         vs. sum of self sizes of dominated nodes.
** Then 10,000,000-node chains (and one ring) through every algorithm to
** prove nothing recurses.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"

#define MAXN 30

/* ---- deterministic PRNG (xorshift64*) */
static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  return rng_state * 2685821657736338717ull;
}
static uint32_t rndn(uint32_t n) { return (uint32_t)(rnd() % n); }

/* Build a random graph: n nodes, edges with probability p/100, ~1/6 weak,
** names from a pool of 4 type names, 1..3 roots (maybe duplicated). */
static void random_graph(rcgc__graph *g, uint32_t n, uint32_t p) {
  rcgc__graph_init(g, NULL, NULL);
  const char *types[] = {"Graph", "Node", "Edge", "List"};
  uint32_t names[4];
  for (int i = 0; i < 4; i++) names[i] = rcgc__graph_intern(g, types[i]);
  rcgc__builder b;
  rcgc__builder_init(&b, g);
  for (uint32_t v = 0; v < n; v++)
    cr_assert_eq(rcgc__builder_node(&b, 1000 + v, names[rndn(4)], 8 + rndn(100)), v);
  /* edges in random source order to exercise the counting sort */
  uint32_t tries = n * n;
  for (uint32_t t = 0; t < tries; t++) {
    if (rndn(100) >= p) continue;
    uint32_t u = rndn(n), w = rndn(n);
    cr_assert_eq(rcgc__builder_edge(&b, u, w, rndn(3) ? names[rndn(4)] : RCGC_G_NONE,
                                  rndn(6) == 0 ? RCGC_G_EDGE_WEAK : 0), 0);
  }
  cr_assert_eq(rcgc__builder_finish(&b), 0);
  uint32_t roots[3];
  uint32_t nr = 1 + rndn(3);
  for (uint32_t i = 0; i < nr; i++) roots[i] = rndn(n);
  cr_assert_eq(rcgc__graph_set_roots(g, roots, NULL, nr), 0);
  cr_assert_eq(rcgc__graph_validate(g), 0);
}

static int strong(const rcgc__graph *g, size_t e) { return !rcgc__edge_is_weak(g, e); }

/* Reachability from the roots over strong edges, never entering 'removed'. */
static void reach_from_roots(const rcgc__graph *g, uint32_t removed, uint8_t *r) {
  memset(r, 0, g->n);
  for (uint32_t i = 0; i < g->nroots; i++)
    if (g->roots[i] != removed) r[g->roots[i]] = 1;
  for (int changed = 1; changed;) {
    changed = 0;
    for (uint32_t u = 0; u < g->n; u++) {
      if (!r[u]) continue;
      for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
        uint32_t w = g->edge_to[e];
        if (strong(g, e) && w != removed && !r[w]) r[w] = changed = 1;
      }
    }
  }
}

/* Brute-force distances from roots avoiding 'removed'. */
static void brute_dist(const rcgc__graph *g, uint32_t removed, uint32_t *dist) {
  for (uint32_t v = 0; v < g->n; v++) dist[v] = RCGC_G_NONE;
  for (uint32_t i = 0; i < g->nroots; i++)
    if (g->roots[i] != removed) dist[g->roots[i]] = 0;
  for (uint32_t it = 0; it < g->n; it++)
    for (uint32_t u = 0; u < g->n; u++) {
      if (dist[u] == RCGC_G_NONE) continue;
      for (size_t e = g->edge_start[u]; e < g->edge_start[u + 1]; e++) {
        uint32_t w = g->edge_to[e];
        if (strong(g, e) && w != removed && dist[u] + 1 < dist[w]) dist[w] = dist[u] + 1;
      }
    }
}

Test(graph, bfs_random) {
  for (int iter = 0; iter < 300; iter++) {
    rcgc__graph g;
    random_graph(&g, 1 + rndn(MAXN), 2 + rndn(20));
    rcgc__bfs b;
    cr_assert_eq(rcgc__bfs_run(&g, NULL, 0, NULL, &b), 0);
    uint32_t dist[MAXN];
    brute_dist(&g, RCGC_G_NONE, dist);
    for (uint32_t v = 0; v < g.n; v++) {
      cr_assert_eq(b.dist[v], dist[v], "iter %d node %u", iter, v);
      if (dist[v] == RCGC_G_NONE || dist[v] == 0) {
        cr_assert_eq(b.parent[v], RCGC_G_NONE);
        continue;
      }
      size_t e = b.parent_edge[v];
      cr_assert(strong(&g, e));
      cr_assert_eq(g.edge_to[e], v);
      cr_assert_eq(rcgc__edge_from(&g, e), b.parent[v]);
      cr_assert_eq(b.dist[b.parent[v]] + 1, b.dist[v]);
      uint32_t nodes[MAXN + 1];
      size_t edges[MAXN];
      cr_assert_eq(rcgc__bfs_path(&b, v, nodes, edges), (long)dist[v]);
      cr_assert_eq(nodes[dist[v]], v);
      for (uint32_t i = 0; i < dist[v]; i++) {
        cr_assert_eq(rcgc__edge_from(&g, edges[i]), nodes[i]);
        cr_assert_eq(g.edge_to[edges[i]], nodes[i + 1]);
      }
    }
    rcgc__bfs_free(&g, &b);
    rcgc__graph_free(&g);
  }
}

Test(graph, retaining_paths_random) {
  for (int iter = 0; iter < 300; iter++) {
    rcgc__graph g;
    random_graph(&g, 1 + rndn(MAXN), 2 + rndn(20));
    uint32_t t = rndn(g.n), k = 1 + rndn(5);
    rcgc__paths p;
    cr_assert_eq(rcgc__retaining_paths(&g, t, k, &p), 0);
    int is_root = 0;
    for (uint32_t i = 0; i < g.nroots; i++) is_root |= g.roots[i] == t;
    if (is_root) {
      cr_assert_eq(p.npaths, 1);
      cr_assert_eq(p.len[0], 0);
      rcgc__paths_free(&g, &p);
      rcgc__graph_free(&g);
      continue;
    }
    /* expected: candidates (dist_without_t(u)+1, e) sorted */
    uint32_t dist[MAXN];
    brute_dist(&g, t, dist);
    uint32_t elen[MAXN * MAXN];
    size_t eedge[MAXN * MAXN];
    uint32_t ne = 0;
    for (uint32_t u = 0; u < g.n; u++)
      for (size_t e = g.edge_start[u]; e < g.edge_start[u + 1]; e++)
        if (g.edge_to[e] == t && strong(&g, e) && dist[u] != RCGC_G_NONE) {
          elen[ne] = dist[u] + 1;
          eedge[ne++] = e;
        }
    /* insertion sort by (len, edge) */
    for (uint32_t i = 1; i < ne; i++)
      for (uint32_t j = i; j > 0 && (elen[j] < elen[j - 1] ||
                                     (elen[j] == elen[j - 1] && eedge[j] < eedge[j - 1])); j--) {
        uint32_t tl = elen[j]; elen[j] = elen[j - 1]; elen[j - 1] = tl;
        size_t te = eedge[j]; eedge[j] = eedge[j - 1]; eedge[j - 1] = te;
      }
    cr_assert_eq(p.npaths, ne < k ? ne : k, "iter %d", iter);
    for (uint32_t i = 0; i < p.npaths; i++) {
      cr_assert_eq(p.len[i], elen[i]);
      const uint32_t *nodes = p.nodes + p.off[i];
      const size_t *edges = p.edges + (p.off[i] - i);
      cr_assert_eq(edges[p.len[i] - 1], eedge[i]);
      cr_assert_eq(nodes[p.len[i]], t);
      int root0 = 0;
      for (uint32_t r = 0; r < g.nroots; r++) root0 |= g.roots[r] == nodes[0];
      cr_assert(root0);
      for (uint32_t j = 0; j < p.len[i]; j++) {
        cr_assert(strong(&g, edges[j]));
        cr_assert_eq(rcgc__edge_from(&g, edges[j]), nodes[j]);
        cr_assert_eq(g.edge_to[edges[j]], nodes[j + 1]);
        cr_assert_neq(nodes[j], t); /* simple w.r.t. the target */
      }
    }
    rcgc__paths_free(&g, &p);
    rcgc__graph_free(&g);
  }
}

Test(graph, scc_random) {
  for (int iter = 0; iter < 400; iter++) {
    rcgc__graph g;
    random_graph(&g, 1 + rndn(MAXN), 1 + rndn(15));
    unsigned flags = rndn(2) ? RCGC_G_SCC_WEAK : 0;
    uint8_t mask[MAXN];
    int use_mask = rndn(2);
    for (uint32_t v = 0; v < g.n; v++) mask[v] = rndn(4) != 0;
    rcgc__scc s;
    cr_assert_eq(rcgc__scc_run(&g, use_mask ? mask : NULL, flags, &s), 0);
    /* transitive closure inside the subset */
    static uint8_t R[MAXN][MAXN];
    memset(R, 0, sizeof R);
    uint32_t n = g.n;
#define IN(v) (!use_mask || mask[v])
    for (uint32_t u = 0; u < n; u++)
      for (size_t e = g.edge_start[u]; e < g.edge_start[u + 1]; e++)
        if ((flags || strong(&g, e)) && IN(u) && IN(g.edge_to[e])) R[u][g.edge_to[e]] = 1;
    for (uint32_t k = 0; k < n; k++)
      for (uint32_t i = 0; i < n; i++)
        for (uint32_t j = 0; j < n; j++)
          if (R[i][k] && R[k][j]) R[i][j] = 1;
    uint32_t nin = 0;
    for (uint32_t u = 0; u < n; u++) {
      if (!IN(u)) {
        cr_assert_eq(s.comp[u], RCGC_G_NONE);
        continue;
      }
      nin++;
      cr_assert_lt(s.comp[u], s.ncomp);
      for (uint32_t v = 0; v < n; v++) {
        if (!IN(v)) continue;
        int same = u == v || (R[u][v] && R[v][u]);
        cr_assert_eq(s.comp[u] == s.comp[v], same, "iter %d u %u v %u", iter, u, v);
        /* reverse topological numbering */
        if (R[u][v] && !same) cr_assert_gt(s.comp[u], s.comp[v]);
      }
    }
    cr_assert_eq(s.start[s.ncomp], nin);
    uint32_t ncyc = 0;
    for (uint32_t c = 0; c < s.ncomp; c++) {
      uint32_t sz = s.start[c + 1] - s.start[c];
      cr_assert_gt(sz, 0);
      for (uint32_t i = s.start[c]; i < s.start[c + 1]; i++) {
        cr_assert_eq(s.comp[s.members[i]], c);
        if (i > s.start[c]) cr_assert_lt(s.members[i - 1], s.members[i]);
      }
      uint32_t u0 = s.members[s.start[c]];
      int cyc = sz > 1 || R[u0][u0];
      cr_assert_eq(!!s.cyclic[c], cyc);
      ncyc += cyc;
      int src = 1;
      for (uint32_t u = 0; u < n; u++)
        if (IN(u) && s.comp[u] != c && R[u][u0]) src = 0;
      cr_assert_eq(!!s.source[c], src, "iter %d comp %u", iter, c);
      /* internal edges: both ends in c, and a cyclic comp has some */
      size_t cnt = rcgc__scc_internal_edges(&g, &s, c, flags, NULL, 0);
      size_t buf[MAXN * MAXN];
      cr_assert_eq(rcgc__scc_internal_edges(&g, &s, c, flags, buf, cnt), cnt);
      for (size_t i = 0; i < cnt; i++) {
        cr_assert_eq(s.comp[rcgc__edge_from(&g, buf[i])], c);
        cr_assert_eq(s.comp[g.edge_to[buf[i]]], c);
      }
      cr_assert_eq(cnt > 0, cyc);
    }
    cr_assert_eq(s.ncyclic, ncyc);
    /* condensation: succ(c) == set of comps directly reached */
    rcgc__dag d;
    cr_assert_eq(rcgc__scc_condense(&g, &s, flags, &d), 0);
    for (uint32_t c = 0; c < s.ncomp; c++) {
      uint8_t want[MAXN] = {0}, got[MAXN] = {0};
      for (uint32_t u = 0; u < n; u++)
        for (size_t e = g.edge_start[u]; e < g.edge_start[u + 1]; e++) {
          uint32_t w = g.edge_to[e];
          if ((flags || strong(&g, e)) && IN(u) && IN(w) && s.comp[u] == c && s.comp[w] != c)
            want[s.comp[w]] = 1;
        }
      for (size_t k = d.start[c]; k < d.start[c + 1]; k++) {
        cr_assert(!got[d.succ[k]], "duplicate successor");
        got[d.succ[k]] = 1;
      }
      cr_assert_eq(memcmp(want, got, sizeof want), 0);
    }
#undef IN
    rcgc__dag_free(&g, &d);
    rcgc__scc_free(&g, &s);
    rcgc__graph_free(&g);
  }
}

Test(graph, dominators_random) {
  for (int iter = 0; iter < 400; iter++) {
    rcgc__graph g;
    random_graph(&g, 1 + rndn(MAXN), 2 + rndn(20));
    rcgc__dom d;
    cr_assert_eq(rcgc__dom_run(&g, &d), 0);
    uint32_t n = g.n;
    uint8_t reach[MAXN], r2[MAXN];
    static uint8_t dom[MAXN][MAXN]; /* dom[d][v]: d strictly dominates v */
    reach_from_roots(&g, RCGC_G_NONE, reach);
    for (uint32_t x = 0; x < n; x++) {
      reach_from_roots(&g, x, r2);
      for (uint32_t v = 0; v < n; v++) dom[x][v] = reach[x] && reach[v] && v != x && !r2[v];
    }
    uint32_t nreached = 0;
    uint64_t total = 0;
    for (uint32_t v = 0; v < n; v++) {
      if (!reach[v]) {
        cr_assert_eq(d.idom[v], RCGC_G_NONE);
        cr_assert_eq(d.retained[v], 0);
        continue;
      }
      nreached++;
      total += g.self_size[v];
      uint32_t nsd = 0;
      for (uint32_t x = 0; x < n; x++) nsd += dom[x][v];
      uint32_t want = RCGC_G_VROOT;
      for (uint32_t x = 0; x < n; x++) {
        if (!dom[x][v]) continue;
        uint32_t nx = 0;
        for (uint32_t y = 0; y < n; y++) nx += dom[y][x];
        if (nx == nsd - 1) want = x;
      }
      cr_assert_eq(d.idom[v], want, "iter %d node %u", iter, v);
      uint64_t ret = g.self_size[v];
      for (uint32_t w = 0; w < n; w++)
        if (dom[v][w]) ret += g.self_size[w];
      cr_assert_eq(d.retained[v], ret, "iter %d node %u", iter, v);
    }
    cr_assert_eq(d.nreached, nreached);
    cr_assert_eq(d.total, total);
    /* top-k vs. brute force ordering */
    uint32_t top[5];
    uint32_t k = rcgc__dom_top(&d, NULL, 5, top);
    cr_assert_eq(k, nreached < 5 ? nreached : 5);
    for (uint32_t i = 0; i < k; i++) {
      uint32_t better = 0;
      for (uint32_t v = 0; v < n; v++)
        if (reach[v] && (d.retained[v] > d.retained[top[i]] ||
                         (d.retained[v] == d.retained[top[i]] && v < top[i])))
          better++;
      cr_assert_eq(better, i);
    }
    rcgc__dom_free(&g, &d);
    rcgc__graph_free(&g);
  }
}

Test(graph, preds_and_hist_random) {
  for (int iter = 0; iter < 200; iter++) {
    rcgc__graph g;
    random_graph(&g, 1 + rndn(MAXN), 2 + rndn(20));
    rcgc__preds p;
    cr_assert_eq(rcgc__preds_build(&g, &p), 0);
    cr_assert_eq(p.start[g.n], g.m);
    for (uint32_t v = 0; v < g.n; v++)
      for (size_t k = p.start[v]; k < p.start[v + 1]; k++) {
        cr_assert_eq(g.edge_to[p.edge[k]], v);
        cr_assert_eq(rcgc__edge_from(&g, p.edge[k]), p.from[k]);
        if (k > p.start[v]) cr_assert_lt(p.edge[k - 1], p.edge[k]);
      }
    rcgc__preds_free(&g, &p);
    rcgc__hist h;
    cr_assert_eq(rcgc__hist_build(&g, NULL, &h), 0);
    uint64_t tc = 0, tb = 0;
    for (uint32_t i = 0; i < h.nentries; i++) {
      uint64_t c = 0, b = 0;
      for (uint32_t v = 0; v < g.n; v++)
        if (strcmp(rcgc__node_name(&g, v), h.e[i].name) == 0) {
          c++;
          b += g.self_size[v];
        }
      cr_assert_eq(h.e[i].count, c);
      cr_assert_eq(h.e[i].bytes, b);
      if (i) cr_assert_geq(h.e[i - 1].bytes, h.e[i].bytes);
      tc += c;
      tb += b;
    }
    cr_assert_eq(tc, g.n);
    cr_assert_eq(h.total_count, g.n);
    cr_assert_eq(h.total_bytes, tb);
    rcgc__hist_free(&g, &h);
    rcgc__graph_free(&g);
  }
}

Test(graph, hist_diff_and_new_nodes) {
  rcgc__graph a, b;
  rcgc__graph_init(&a, NULL, NULL);
  rcgc__graph_init(&b, NULL, NULL);
  rcgc__builder ba, bb;
  rcgc__builder_init(&ba, &a);
  rcgc__builder_init(&bb, &b);
  uint32_t na = rcgc__graph_intern(&a, "Node"), ga = rcgc__graph_intern(&a, "Gone");
  /* b's string table has "Node" twice at different indices */
  uint32_t nb1 = rcgc__graph_add_string(&b, "Node", 4), nb2 = rcgc__graph_add_string(&b, "Node", 4);
  uint32_t xb = rcgc__graph_intern(&b, "New");
  rcgc__builder_node(&ba, 1, na, 10);
  rcgc__builder_node(&ba, 2, ga, 5);
  rcgc__builder_node(&bb, 1, nb1, 10);
  rcgc__builder_node(&bb, 3, nb2, 10);
  rcgc__builder_node(&bb, 4, xb, 7);
  cr_assert_eq(rcgc__builder_finish(&ba), 0);
  cr_assert_eq(rcgc__builder_finish(&bb), 0);
  rcgc__hist ha, hb;
  cr_assert_eq(rcgc__hist_build(&a, NULL, &ha), 0);
  cr_assert_eq(rcgc__hist_build(&b, NULL, &hb), 0);
  cr_assert_eq(hb.nentries, 2);
  cr_assert_str_eq(hb.e[0].name, "Node");
  cr_assert_eq(hb.e[0].count, 2);
  rcgc__hist_diff d;
  cr_assert_eq(rcgc__hist_diff_build(&a, &ha, &hb, &d), 0);
  cr_assert_eq(d.nentries, 3);
  cr_assert_str_eq(d.e[0].name, "Node"); /* +10 bytes */
  cr_assert_eq(d.e[0].count_before, 1);
  cr_assert_eq(d.e[0].count_after, 2);
  cr_assert_str_eq(d.e[1].name, "New"); /* +7 */
  cr_assert_str_eq(d.e[2].name, "Gone"); /* -5 */
  cr_assert_eq(d.e[2].count_after, 0);
  uint8_t isnew[3];
  cr_assert_eq(rcgc__new_nodes(&a, &b, isnew), 2);
  cr_assert_eq(isnew[0], 0);
  cr_assert_eq(isnew[1], 1);
  cr_assert_eq(isnew[2], 1);
  rcgc__hist_diff_free(&a, &d);
  rcgc__hist_free(&a, &ha);
  rcgc__hist_free(&b, &hb);
  rcgc__graph_free(&a);
  rcgc__graph_free(&b);
}

/* graph.h's two shared orders, which the library's leak tools and
** rcgc-inspect both follow: growth by |count change| before |bytes change|,
** cycles sources first, then larger, then by first member. */
Test(graph, the_orders_of_growth_and_cycles) {
  /* growth: 5 fewer small objects outrank 1 more big one */
  cr_assert_gt(rcgc__growth_cmp(1, 1000, "A", -5, -10, "B"), 0);
  cr_assert_lt(rcgc__growth_cmp(-5, -10, "B", 1, 1000, "A"), 0);
  cr_assert_lt(rcgc__growth_cmp(2, -30, "Z", -2, 20, "A"), 0); /* then |bytes| */
  cr_assert_lt(rcgc__growth_cmp(2, 20, "A", -2, -20, "B"), 0); /* then name */
  cr_assert_lt(rcgc__growth_cmp(2, 20, "A", -2, -20, "A"), 0); /* then signed count */
  cr_assert_eq(rcgc__growth_cmp(2, 20, "A", 2, 20, "A"), 0);
  /* rcgc-inspect's diff follows it: Big +1 object of 1000 bytes, Small +5
  ** of 2 bytes */
  rcgc__graph a, b;
  rcgc__graph_init(&a, NULL, NULL);
  rcgc__graph_init(&b, NULL, NULL);
  rcgc__builder ba, bb;
  rcgc__builder_init(&ba, &a);
  rcgc__builder_init(&bb, &b);
  uint32_t big = rcgc__graph_intern(&b, "Big"), small = rcgc__graph_intern(&b, "Small");
  rcgc__builder_node(&bb, 1, big, 1000);
  for (uint64_t i = 0; i < 5; i++) rcgc__builder_node(&bb, 2 + i, small, 2);
  cr_assert_eq(rcgc__builder_finish(&ba), 0);
  cr_assert_eq(rcgc__builder_finish(&bb), 0);
  rcgc__hist ha, hb;
  cr_assert_eq(rcgc__hist_build(&a, NULL, &ha), 0);
  cr_assert_eq(rcgc__hist_build(&b, NULL, &hb), 0);
  rcgc__hist_diff d;
  cr_assert_eq(rcgc__hist_diff_build(&a, &ha, &hb, &d), 0);
  cr_assert_eq(d.nentries, 2);
  cr_assert_str_eq(d.e[0].name, "Small");
  cr_assert_str_eq(d.e[1].name, "Big");
  rcgc__hist_diff_free(&a, &d);
  rcgc__hist_free(&a, &ha);
  rcgc__hist_free(&b, &hb);
  rcgc__graph_free(&a);
  rcgc__graph_free(&b);
  /* cycles: 0-1 (kept by 2: no source), 3-4-5 (source, 3 members), 6-7 and
  ** 8-9 (sources, 2 members) */
  rcgc__graph g;
  rcgc__graph_init(&g, NULL, NULL);
  rcgc__builder bg;
  rcgc__builder_init(&bg, &g);
  for (uint32_t v = 0; v < 10; v++) rcgc__builder_node(&bg, v, RCGC_G_NONE, 8);
  static const uint32_t edges[][2] = {{0, 1}, {1, 0}, {2, 0}, {3, 4}, {4, 5},
                                      {5, 3}, {6, 7}, {7, 6}, {8, 9}, {9, 8}};
  for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
    cr_assert_eq(rcgc__builder_edge(&bg, edges[i][0], edges[i][1], RCGC_G_NONE, 0), 0);
  cr_assert_eq(rcgc__builder_finish(&bg), 0);
  rcgc__scc s;
  cr_assert_eq(rcgc__scc_run(&g, NULL, 0, &s), 0);
  cr_assert_eq(s.ncyclic, 4);
  uint32_t order[4];
  cr_assert_eq(rcgc__scc_cycle_order(&g, &s, order), 0);
  static const uint32_t first[4] = {3, 6, 8, 0};
  for (int i = 0; i < 4; i++)
    cr_assert_eq(s.members[s.start[order[i]]], first[i], "cycle %d starts at %u, not %u", i,
                 s.members[s.start[order[i]]], first[i]);
  rcgc__scc_free(&g, &s);
  rcgc__graph_free(&g);
}

Test(graph, intern_strings) {
  rcgc__graph g;
  rcgc__graph_init(&g, NULL, NULL);
  char buf[32];
  for (int round = 0; round < 2; round++)
    for (uint32_t i = 0; i < 20000; i++) {
      snprintf(buf, sizeof buf, "type%u", i);
      cr_assert_eq(rcgc__graph_intern(&g, buf), i);
    }
  cr_assert_eq(g.nstrings, 20000);
  cr_assert_str_eq(rcgc__graph_str(&g, 123), "type123");
  cr_assert_str_eq(rcgc__graph_str(&g, RCGC_G_NONE), "");
  rcgc__graph_free(&g);
}

/* ---- DOT */
typedef struct sbuf {
  char *s;
  size_t len, cap;
} sbuf;
static void sb_write(void *ud, const char *t, size_t n) {
  sbuf *b = ud;
  if (b->len + n + 1 > b->cap) {
    b->cap = (b->len + n + 1) * 2;
    b->s = realloc(b->s, b->cap);
  }
  memcpy(b->s + b->len, t, n);
  b->len += n;
  b->s[b->len] = 0;
}
static size_t weird_label(void *ud, const rcgc__graph *g, uint32_t v, char *buf, size_t cap) {
  (void)ud;
  (void)g;
  return (size_t)snprintf(buf, cap, "say \"hi\" \\ %u\nline2\t", v);
}

Test(graph, dot_output) {
  rcgc__graph g;
  rcgc__graph_init(&g, NULL, NULL);
  rcgc__builder b;
  rcgc__builder_init(&b, &g);
  uint32_t t = rcgc__graph_intern(&g, "T"), nx = rcgc__graph_intern(&g, "ne\"xt");
  for (int i = 0; i < 20; i++) rcgc__builder_node(&b, (uint64_t)i, t, 16);
  for (uint32_t i = 1; i < 20; i++) rcgc__builder_edge(&b, 0, i, nx, i == 1 ? RCGC_G_EDGE_WEAK : 0);
  rcgc__builder_edge(&b, 1, 0, RCGC_G_NONE, 0);
  cr_assert_eq(rcgc__builder_finish(&b), 0);
  sbuf out = {0};
  uint32_t start = 0;
  uint8_t hl[20] = {0};
  hl[2] = 1;
  rcgc__dot_opts o = {.max_depth = 2, .too_many = 5, .highlight = hl, .label = weird_label};
  cr_assert_eq(rcgc__dot(&g, &start, 1, &o, sb_write, &out), 0);
  cr_assert(strncmp(out.s, "digraph ObjectGraph {\n", 22) == 0);
  cr_assert(strstr(out.s, "14 more references"), "%s", out.s);
  cr_assert(strstr(out.s, "label=\"ne\\\"xt\""), "%s", out.s);
  cr_assert(strstr(out.s, "say \\\"hi\\\" \\\\ 0\\nline2\""), "%s", out.s);
  cr_assert(strstr(out.s, "style=dashed"));
  cr_assert(strstr(out.s, "lightblue"));
  cr_assert(strstr(out.s, "o0 -> o5"));
  cr_assert(!strstr(out.s, "o0 -> o6 "));
  cr_assert(strcmp(out.s + out.len - 2, "}\n") == 0);
  /* backwards from node 3 with preds */
  rcgc__preds p;
  cr_assert_eq(rcgc__preds_build(&g, &p), 0);
  out.len = 0;
  start = 3;
  rcgc__dot_opts ob = {.flags = RCGC_G_DOT_BACK, .max_depth = 5, .preds = &p};
  cr_assert_eq(rcgc__dot(&g, &start, 1, &ob, sb_write, &out), 0);
  cr_assert(strstr(out.s, "o0 -> o3 [label=\"ne\\\"xt\"]"), "%s", out.s);
  cr_assert(strstr(out.s, "o1 -> o0"), "%s", out.s);
  cr_assert(strstr(out.s, "T @3\\n16 bytes"), "%s", out.s);
  ob.preds = NULL;
  cr_assert_eq(rcgc__dot(&g, &start, 1, &ob, sb_write, &out), RCGC_G_EINVAL);
  char esc[8];
  cr_assert_eq(rcgc__dot_escape("\"\"\"\"", esc, sizeof esc), 6); /* truncates whole escapes */
  rcgc__preds_free(&g, &p);
  free(out.s);
  rcgc__graph_free(&g);
}

/* ---- line-buffered output */
typedef struct pieces {
  sbuf text;
  size_t cap;
  int n, bad; /* pieces; pieces ending inside a line without filling the buffer */
} pieces;
static void piece_write(void *ud, const char *t, size_t n) {
  pieces *p = ud;
  p->n++;
  p->bad += n == 0 || (t[n - 1] != '\n' && n != p->cap);
  sb_write(&p->text, t, n);
}

Test(graph, gout_pieces_end_at_line_ends) {
  char buf[8];
  pieces p = {.cap = sizeof buf};
  rcgc__gout o;
  rcgc__gout_init(&o, piece_write, &p, buf, sizeof buf);
  rcgc__gout_put(&o, "ab\ncd", 5);
  cr_assert_eq(p.n, 0); /* room left: nothing handed over */
  rcgc__gout_put(&o, "e\nfg", 4); /* full at "ab\ncde\nf": "ab\ncde\n" goes */
  cr_assert_eq(p.n, 1);
  cr_assert_str_eq(p.text.s, "ab\ncde\n");
  cr_assert_eq(o.len, 2);
  rcgc__gout_put(&o, "hijklmnopq\n", 11); /* a line longer than the buffer */
  cr_assert_eq(p.n, 2);
  cr_assert_str_eq(p.text.s, "ab\ncde\nfghijklm");
  rcgc__gout_flush_lines(&o); /* "nopq\n": a whole line */
  cr_assert_eq(p.n, 3);
  cr_assert_eq(o.len, 0);
  rcgc__gout_put(&o, "x\nyz", 4);
  rcgc__gout_emit(&o, 2); /* the first two bytes go, "yz" stays */
  cr_assert_str_eq(p.text.s, "ab\ncde\nfghijklmnopq\nx\n");
  cr_assert_eq(o.len, 2);
  cr_assert(memcmp(o.buf, "yz", 2) == 0);
  rcgc__gout_emit(&o, 0); /* nothing: no piece */
  cr_assert_eq(p.n, 4);
  rcgc__gout_emit(&o, o.len);
  cr_assert_str_eq(p.text.s, "ab\ncde\nfghijklmnopq\nx\nyz");
  cr_assert_eq(p.n, 5);
  cr_assert_eq(p.bad, 1, "only the last piece (\"yz\", handed over on request) ends inside a line");
  free(p.text.s);
}

/* ---- heap snapshots */
static uint64_t odd_id(void *ud, const rcgc__graph *g, uint32_t v) {
  (void)g;
  return *(const uint64_t *)ud + 2 * v;
}

Test(graph, heapsnap_output) {
  rcgc__graph g;
  rcgc__graph_init(&g, NULL, NULL);
  uint32_t t = rcgc__graph_intern(&g, "T"), nx = rcgc__graph_intern(&g, "ne\"xt");
  uint32_t w = rcgc__graph_intern(&g, "w"), c = rcgc__graph_intern(&g, "c\x01\n");
  rcgc__builder b;
  rcgc__builder_init(&b, &g);
  rcgc__builder_node(&b, 100, t, 16);
  rcgc__builder_node(&b, 101, t, 8);
  rcgc__builder_node(&b, 102, c, 0);
  rcgc__builder_edge(&b, 0, 1, nx, 0);
  rcgc__builder_edge(&b, 0, 2, RCGC_G_NONE, 0);
  rcgc__builder_edge(&b, 1, 0, w, RCGC_G_EDGE_WEAK);
  rcgc__builder_edge(&b, 2, 2, RCGC_G_NONE, 0);
  cr_assert_eq(rcgc__builder_finish(&b), 0);
  const uint32_t to0[] = {0}, to1[] = {2, 1};
  rcgc__heapsnap_synth syn[2] = {{"(r)", 1, to0, 1, NULL}, {"(g)", 2, to1, 2, "g"}};
  char buf[4096];
  rcgc__heapsnap_opts o = {syn, 2, NULL, NULL};
  pieces p = {.cap = sizeof buf};
  rcgc__gout out;
  rcgc__gout_init(&out, piece_write, &p, buf, sizeof buf);
  cr_assert_eq(rcgc__heapsnap_write(&g, &o, &out), 0);
  cr_assert_eq(out.len, 0); /* all handed over */
  cr_assert_eq(p.n, 1);
  const char *head = "{\"snapshot\":{\"meta\":{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\","
                     "\"edge_count\",\"trace_node_id\",\"detachedness\"],";
  cr_assert(strncmp(p.text.s, head, strlen(head)) == 0, "%s", p.text.s);
  const char *want =
      ",\n\"node_count\":5,\"edge_count\":8,\"trace_function_count\":0},\n\"nodes\":["
      "9,4,1,0,2,0,0\n,9,5,2,0,2,0,0\n,3,0,100,16,2,0,0\n,3,0,101,8,1,0,0\n,3,3,102,0,1,0,0\n"
      "],\n\"edges\":[1,0,14\n,2,6,7\n,1,0,28\n,1,1,21\n,2,1,21\n,1,1,28\n,6,2,14\n,1,0,28\n"
      "],\n\"trace_function_infos\":[],\"trace_tree\":[],\"samples\":[],\"locations\":[],\n"
      "\"strings\":[\"T\",\n\"ne\\\"xt\",\n\"w\",\n\"c\\u0001\\u000a\",\n\"(r)\",\"(g)\",\"g\"]}\n";
  const char *tail = strstr(p.text.s, ",\n\"node_count\"");
  cr_assert_not_null(tail);
  cr_assert_str_eq(tail, want);
  /* ids from node_id; one synthetic node, which has no property edge */
  uint64_t first_id = 3;
  rcgc__heapsnap_opts o1 = {syn, 1, odd_id, &first_id};
  pieces p1 = {.cap = sizeof buf};
  rcgc__gout_init(&out, piece_write, &p1, buf, sizeof buf);
  cr_assert_eq(rcgc__heapsnap_write(&g, &o1, &out), 0);
  cr_assert(strstr(p1.text.s, "\"node_count\":4,\"edge_count\":5,"), "%s", p1.text.s);
  cr_assert(strstr(p1.text.s, "\"nodes\":[9,4,1,0,1,0,0\n,3,0,3,16,2,0,0\n,3,0,5,8,1,0,0\n"
                              ",3,3,7,0,1,0,0\n],\n\"edges\":[1,0,7\n,2,1,14\n,1,1,21\n,6,2,7\n"
                              ",1,0,21\n]"), "%s", p1.text.s);
  cr_assert(strstr(p1.text.s, "\"c\\u0001\\u000a\",\n\"(r)\"]}\n"), "%s", p1.text.s);
  /* a small buffer: the same text, in pieces that end at a line end unless
  ** a line fills the whole buffer */
  char small[40];
  pieces ps = {.cap = sizeof small};
  rcgc__gout_init(&out, piece_write, &ps, small, sizeof small);
  cr_assert_eq(rcgc__heapsnap_write(&g, &o, &out), 0);
  cr_assert_str_eq(ps.text.s, p.text.s);
  cr_assert_gt(ps.n, 10);
  cr_assert_eq(ps.bad, 0, "%d of %d pieces end inside a line", ps.bad, ps.n);
  /* bad input: RCGC_G_EINVAL, nothing written */
  pieces pe = {.cap = sizeof buf};
  rcgc__gout_init(&out, piece_write, &pe, buf, sizeof buf);
  o.nsynth = 0;
  cr_assert_eq(rcgc__heapsnap_write(&g, &o, &out), RCGC_G_EINVAL);
  o.nsynth = 2;
  syn[0].name = NULL;
  cr_assert_eq(rcgc__heapsnap_write(&g, &o, &out), RCGC_G_EINVAL);
  syn[0].name = "(r)";
  syn[1].edge_name = NULL;
  cr_assert_eq(rcgc__heapsnap_write(&g, &o, &out), RCGC_G_EINVAL);
  syn[1].edge_name = "g";
  const uint32_t out_of_range[] = {3};
  syn[0].to = out_of_range;
  cr_assert_eq(rcgc__heapsnap_write(&g, &o, &out), RCGC_G_EINVAL);
  syn[0].to = to0;
  g.edge_name[2] = RCGC_G_NONE; /* the weak edge 1 -> 0 loses its name */
  cr_assert_eq(rcgc__heapsnap_write(&g, &o, &out), RCGC_G_EINVAL);
  cr_assert_eq(pe.n, 0);
  cr_assert_eq(out.len, 0);
  free(p.text.s);
  free(p1.text.s);
  free(ps.text.s);
  rcgc__graph_free(&g);
}

/* ---- allocation failure: every function returns ENOMEM cleanly */
static long fail_after;
static void *failing_alloc(void *ud, void *p, size_t o, size_t n) {
  (void)ud;
  (void)o;
  if (n == 0) {
    free(p);
    return NULL;
  }
  if (fail_after-- <= 0) return NULL;
  return realloc(p, n);
}

Test(graph, alloc_failure) {
  for (long budget = 0; budget < 200; budget++) {
    rcgc__graph g;
    rcgc__graph_init(&g, failing_alloc, NULL);
    fail_after = 1000000;
    /* build with a working allocator budget, then fail inside algorithms */
    uint32_t t = rcgc__graph_intern(&g, "T");
    rcgc__builder b;
    rcgc__builder_init(&b, &g);
    for (int i = 0; i < 10; i++) rcgc__builder_node(&b, (uint64_t)i, t, 1);
    for (uint32_t i = 0; i < 10; i++) rcgc__builder_edge(&b, i, (i + 1) % 10, t, 0);
    cr_assert_eq(rcgc__builder_finish(&b), 0);
    uint32_t r = 0;
    cr_assert_eq(rcgc__graph_set_roots(&g, &r, NULL, 1), 0);
    fail_after = budget;
    rcgc__dom d;
    rcgc__scc s;
    rcgc__bfs bf;
    rcgc__paths p;
    rcgc__hist h;
    int rc1 = rcgc__dom_run(&g, &d), rc2 = rcgc__scc_run(&g, NULL, 0, &s);
    int rc3 = rcgc__bfs_run(&g, NULL, 0, NULL, &bf), rc4 = rcgc__retaining_paths(&g, 5, 3, &p);
    int rc5 = rcgc__hist_build(&g, NULL, &h);
    cr_assert(rc1 == 0 || rc1 == RCGC_G_ENOMEM);
    cr_assert(rc2 == 0 || rc2 == RCGC_G_ENOMEM);
    cr_assert(rc3 == 0 || rc3 == RCGC_G_ENOMEM);
    cr_assert(rc4 == 0 || rc4 == RCGC_G_ENOMEM);
    cr_assert(rc5 == 0 || rc5 == RCGC_G_ENOMEM);
    fail_after = 1000000;
    rcgc__dom_free(&g, &d);
    rcgc__scc_free(&g, &s);
    rcgc__bfs_free(&g, &bf);
    rcgc__paths_free(&g, &p);
    rcgc__hist_free(&g, &h);
    rcgc__graph_free(&g);
  }
}

/* ---- 10,000,000-node chain: 0 -> 1 -> ... -> n-1 (and n-1 -> 0 for the
** ring variant). Every algorithm must finish without deep recursion. */
#define BIG 10000000u

static void chain(rcgc__graph *g, int ring) {
  rcgc__graph_init(g, NULL, NULL);
  uint32_t t = rcgc__graph_intern(g, "Link"), nx = rcgc__graph_intern(g, "next");
  rcgc__builder b;
  rcgc__builder_init(&b, g);
  for (uint32_t i = 0; i < BIG; i++) rcgc__builder_node(&b, i, t, 32);
  for (uint32_t i = 0; i + 1 < BIG; i++) rcgc__builder_edge(&b, i, i + 1, nx, 0);
  if (ring) rcgc__builder_edge(&b, BIG - 1, 0, nx, 0);
  cr_assert_eq(rcgc__builder_finish(&b), 0);
  uint32_t r = 0;
  cr_assert_eq(rcgc__graph_set_roots(g, &r, NULL, 1), 0);
}

static void count_write(void *ud, const char *t, size_t n) {
  (void)t;
  *(size_t *)ud += n;
}

Test(graph_big, chain_10M, .timeout = 120) {
  rcgc__graph g;
  chain(&g, 0);
  rcgc__bfs b;
  cr_assert_eq(rcgc__bfs_run(&g, NULL, 0, NULL, &b), 0);
  cr_assert_eq(b.dist[BIG - 1], BIG - 1);
  rcgc__bfs_free(&g, &b);
  rcgc__paths p;
  cr_assert_eq(rcgc__retaining_paths(&g, BIG - 1, 3, &p), 0);
  cr_assert_eq(p.npaths, 1);
  cr_assert_eq(p.len[0], BIG - 1);
  rcgc__paths_free(&g, &p);
  rcgc__scc s;
  cr_assert_eq(rcgc__scc_run(&g, NULL, 0, &s), 0);
  cr_assert_eq(s.ncomp, BIG);
  cr_assert_eq(s.ncyclic, 0);
  rcgc__scc_free(&g, &s);
  rcgc__dom d;
  cr_assert_eq(rcgc__dom_run(&g, &d), 0);
  cr_assert_eq(d.idom[BIG - 1], BIG - 2);
  cr_assert_eq(d.retained[0], 32ull * BIG);
  uint32_t top[3];
  cr_assert_eq(rcgc__dom_top(&d, NULL, 3, top), 3);
  cr_assert_eq(top[0], 0);
  cr_assert_eq(top[2], 2);
  rcgc__dom_free(&g, &d);
  rcgc__preds pr;
  cr_assert_eq(rcgc__preds_build(&g, &pr), 0);
  size_t bytes = 0;
  uint32_t st = BIG - 1;
  rcgc__dot_opts o = {.flags = RCGC_G_DOT_BACK, .max_depth = 5, .too_many = 10, .preds = &pr};
  cr_assert_eq(rcgc__dot(&g, &st, 1, &o, count_write, &bytes), 0);
  cr_assert_gt(bytes, 0);
  rcgc__preds_free(&g, &pr);
  rcgc__graph_free(&g);
}

Test(graph_big, ring_10M, .timeout = 120) {
  rcgc__graph g;
  chain(&g, 1);
  rcgc__scc s;
  cr_assert_eq(rcgc__scc_run(&g, NULL, 0, &s), 0);
  cr_assert_eq(s.ncomp, 1);
  cr_assert_eq(s.ncyclic, 1);
  cr_assert_eq(rcgc__scc_internal_edges(&g, &s, 0, 0, NULL, 0), BIG);
  rcgc__scc_free(&g, &s);
  rcgc__dom d;
  cr_assert_eq(rcgc__dom_run(&g, &d), 0);
  cr_assert_eq(d.idom[0], RCGC_G_VROOT);
  cr_assert_eq(d.idom[BIG - 1], BIG - 2);
  cr_assert_eq(d.retained[1], 32ull * (BIG - 1));
  rcgc__dom_free(&g, &d);
  rcgc__graph_free(&g);
}
