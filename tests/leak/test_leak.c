/*
** test_leak.c -- the leak-hunting API (rcgc_leak.h) on hand-built
** heaps with exact expected results: roots, why-alive paths with edge names
** (k paths, weak references never counted), cycles with source components
** and uncollectable reasons, histograms, growth in both directions,
** since-mark by serial, dominators against a brute-force computation on
** small random heaps, expect-freed reports, DOT checked by Graphviz, the
** snapshot's shape, resurrection explained, the output convention (a NULL
** writer is the heap's sink; writers get whole lines), and that none of these calls
** disturbs the heap. Every test ends with the heap destroyed and nothing
** leaked (tl_teardown).
*/
#include "rcgc_leak.h"
#include "testlib.h"

#include <stdint.h>
#include <unistd.h>

TL_DEFINE;

TestSuite(leak, .init = tl_setup, .fini = tl_teardown);

/* A memory FILE * whose text the test reads back. */
typedef struct mfile {
  FILE *f;
  char *buf;
  size_t len;
} mfile;

static void mopen(mfile *m) {
  m->buf = NULL;
  m->len = 0;
  m->f = open_memstream(&m->buf, &m->len);
  cr_assert_not_null(m->f);
}
static char *mtext(mfile *m) {
  fflush(m->f);
  return m->buf;
}
static void mclose(mfile *m) {
  fclose(m->f);
  free(m->buf);
}

static void drop(void *o) { rcgc_decref(tl.heap, o); }

/* ------------------------------------------------------------ roots */

Test(leak, roots_count_inside_and_outside) {
  tl_node *one = tl_new("one"), *two = tl_new("two");
  TL_LINK(one, a, two); /* two: 1 inside, 1 outside (our variable) */
  rcgc_incref(tl.heap, one);
  rcgc_incref(tl.heap, one); /* one: 3 outside */
  tl_node *three = tl_new("three");
  TL_LINK(two, b, three);
  drop(three); /* three: only from inside: not a root */

  rcgc_leak_root *r;
  size_t n;
  cr_assert_eq(rcgc_leak_roots(tl.heap, &r, &n), RCGC_OK);
  cr_assert_eq(n, 2);
  cr_assert_eq(r[0].obj, one);
  cr_assert_eq(r[0].refcount, 3);
  cr_assert_eq(r[0].internal, 0);
  cr_assert_eq(r[0].external, 3);
  cr_assert_eq(r[1].obj, two);
  cr_assert_eq(r[1].internal, 1);
  cr_assert_eq(r[1].external, 1);
  rcgc_leak_free(tl.heap, r);

  mfile m;
  mopen(&m);
  cr_assert_eq(rcgc_leak_print_roots(tl.heap, rcgc_write_file, m.f), 2);
  char expect[512];
  snprintf(expect, sizeof expect,
           "<Graph %p> Graph(one): refcount 3, 0 from inside, 3 from outside\n"
           "<Graph %p> Graph(two): refcount 2, 1 from inside, 1 from outside\n"
           "2 roots among 3 objects\n",
           (void *)one, (void *)two);
  cr_assert_str_eq(mtext(&m), expect);
  mclose(&m);
  drop(one);
  drop(one);
  drop(one);
  drop(two);
}

/* untracked objects (rcgc_untrack) and frozen ones count as "inside" */
Test(leak, roots_see_untracked_and_frozen_referrers) {
  tl_node *u = tl_new("u"), *t = tl_new("t"), *fz = tl_new("fz"), *x = tl_new("x");
  TL_LINK(u, a, t);
  TL_LINK(fz, a, x);
  rcgc_untrack(tl.heap, u);
  rcgc_freeze(tl.heap);
  drop(t);
  drop(x);
  rcgc_leak_root *r;
  size_t n;
  cr_assert_eq(rcgc_leak_roots(tl.heap, &r, &n), RCGC_OK);
  cr_assert_eq(n, 2);
  for (size_t i = 0; i < n; i++)
    cr_assert(r[i].obj == u || r[i].obj == fz);
  rcgc_leak_free(tl.heap, r);
  rcgc_unfreeze(tl.heap);
  drop(u);
  drop(fz);
}

/* ------------------------------------------------------------ why */

Test(leak, why_shortest_path_with_edge_names) {
  tl_node *one = tl_new("one"), *two = tl_new("two"), *three = tl_new("three");
  TL_LINK(one, a, two);
  TL_LINK(two, b, three);
  TL_LINK(three, a, one); /* a cycle, held from outside through one */
  drop(two);
  drop(three);
  rcgc_leak_path *p;
  size_t np;
  cr_assert_eq(rcgc_leak_why(tl.heap, three, 1, &p, &np), RCGC_OK);
  cr_assert_eq(np, 1);
  cr_assert_eq(p[0].nsteps, 3);
  cr_assert_eq(p[0].steps[0].obj, one);
  cr_assert_eq(p[0].steps[0].edge, NULL);
  cr_assert_eq(p[0].root_external, 1);
  cr_assert_eq(p[0].steps[1].obj, two);
  cr_assert_str_eq(p[0].steps[1].edge, "a");
  cr_assert_eq(p[0].steps[2].obj, three);
  cr_assert_str_eq(p[0].steps[2].edge, "b");
  rcgc_leak_free(tl.heap, p);

  mfile m;
  mopen(&m);
  cr_assert_eq(rcgc_leak_print_why(tl.heap, three, 1, rcgc_write_file, m.f), 1);
  char expect[600];
  snprintf(expect, sizeof expect,
           "why is <Graph %p> Graph(three) alive?\n"
           "  <Graph %p> Graph(one) (root: 1 reference from outside)\n"
           "  --a--> <Graph %p> Graph(two)\n"
           "  --b--> <Graph %p> Graph(three)\n",
           (void *)three, (void *)one, (void *)two, (void *)three);
  cr_assert_str_eq(mtext(&m), expect);
  mclose(&m);
  TL_LINK(three, a, NULL);
  drop(one);
}

Test(leak, why_k_paths_distinct_last_edges) {
  tl_node *r1 = tl_new("r1"), *r2 = tl_new("r2"), *mid = tl_new("mid"), *t = tl_new("t");
  TL_LINK(r1, a, t);   /* length 1 */
  TL_LINK(r2, a, mid);
  TL_LINK(mid, b, t);  /* length 2 */
  drop(mid);
  drop(t);
  rcgc_leak_path *p;
  size_t np;
  cr_assert_eq(rcgc_leak_why(tl.heap, t, 5, &p, &np), RCGC_OK);
  cr_assert_eq(np, 2);
  cr_assert_eq(p[0].nsteps, 2);
  cr_assert_eq(p[0].steps[0].obj, r1);
  cr_assert_eq(p[1].nsteps, 3);
  cr_assert_eq(p[1].steps[0].obj, r2);
  cr_assert_eq(p[1].steps[1].obj, mid);
  cr_assert_str_eq(p[1].steps[2].edge, "b");
  rcgc_leak_free(tl.heap, p);
  drop(r1);
  drop(r2);
}

Test(leak, why_ignores_weak_references) {
  tl_node *a = tl_new("a"), *b = tl_new("b");
  TL_LINK(a, a, b);
  TL_LINK(b, a, a); /* cyclic garbage once dropped */
  drop(b);
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, b, NULL, NULL);
  drop(a);
  rcgc_leak_path *p;
  size_t np;
  cr_assert_eq(rcgc_leak_why(tl.heap, b, 1, &p, &np), RCGC_ENOTFOUND);
  cr_assert_eq(np, 0);
  cr_assert_null(p);
  mfile m;
  mopen(&m);
  cr_assert_eq(rcgc_leak_print_why(tl.heap, b, 1, rcgc_write_file, m.f), 0);
  cr_assert(strstr(mtext(&m), "unreachable: cyclic garbage, the next full collection frees it\n"),
            "%s", m.buf);
  mclose(&m);
  /* the weak reference object is a root; its edge is never a path */
  cr_assert_eq(rcgc_leak_why(tl.heap, wr, 1, &p, &np), RCGC_OK);
  cr_assert_eq(p[0].nsteps, 1);
  rcgc_leak_free(tl.heap, p);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(rcgc_weakref_alive(wr), 0);
  drop(wr);
}

Test(leak, why_errors) {
  tl_node *a = tl_new("a");
  rcgc_leak_path *p;
  size_t np;
  cr_assert_eq(rcgc_leak_why(NULL, a, 1, &p, &np), RCGC_EINVAL);
  cr_assert_eq(rcgc_leak_why(tl.heap, a, 0, &p, &np), RCGC_EINVAL);
  cr_assert_eq(rcgc_leak_why(tl.heap, NULL, 1, &p, &np), RCGC_EINVAL);
  cr_assert_eq(rcgc_leak_why(tl.heap, a, 1, NULL, &np), RCGC_EINVAL);
  drop(a);
}

/* ------------------------------------------------------------ cycles */

static const rcgc_type legacy_type = {
    .name = "Legacy", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .legacy_finalize = tl_count_legacy, .destroy = tl_count_destroy, .repr = tl_node_repr};

Test(leak, cycles_in_garbage_with_source_component) {
  /* A <-> B  --a-->  C <-> D, all dropped; E <-> F held from outside */
  tl_node *A = tl_new("A"), *B = tl_new("B"), *C = tl_new("C"), *D = tl_new("D");
  TL_LINK(A, a, B);
  TL_LINK(B, a, A);
  TL_LINK(B, b, C);
  TL_LINK(C, a, D);
  TL_LINK(D, a, C);
  tl_node *E = tl_new("E"), *F = tl_new("F");
  TL_LINK(E, a, F);
  TL_LINK(F, a, E);
  drop(F);
  drop(A);
  drop(B);
  drop(C);
  drop(D);
  rcgc_leak_cycle_set *cs;
  cr_assert_eq(rcgc_leak_cycles(tl.heap, RCGC_LEAK_GARBAGE, NULL, 0, &cs), RCGC_OK);
  cr_assert_eq(cs->nobjects, 4);
  cr_assert_eq(cs->ncycles, 2);
  cr_assert_eq(cs->nuncollectable, 0);
  rcgc_leak_cycle *c0 = &cs->cycles[0], *c1 = &cs->cycles[1];
  cr_assert_eq(c0->nmembers, 2);
  cr_assert_eq(c0->members[0].obj, A);
  cr_assert_eq(c0->members[1].obj, B);
  cr_assert_eq(c0->source, 1);
  cr_assert_eq(c0->nedges, 2);
  cr_assert_eq(c0->edges[0].from, A);
  cr_assert_eq(c0->edges[0].to, B);
  cr_assert_str_eq(c0->edges[0].name, "a");
  cr_assert_eq(c1->members[0].obj, C);
  cr_assert_eq(c1->members[1].obj, D);
  cr_assert_eq(c1->source, 0);
  rcgc_leak_free(tl.heap, cs);

  /* whole heap: three cycles; reachable from E: one */
  cr_assert_eq(rcgc_leak_cycles(tl.heap, RCGC_LEAK_HEAP, NULL, 0, &cs), RCGC_OK);
  cr_assert_eq(cs->ncycles, 3);
  rcgc_leak_free(tl.heap, cs);
  void *from[] = {E};
  cr_assert_eq(rcgc_leak_cycles(tl.heap, RCGC_LEAK_REACHABLE, from, 1, &cs), RCGC_OK);
  cr_assert_eq(cs->ncycles, 1);
  cr_assert_eq(cs->cycles[0].members[0].obj, E);
  cr_assert(cs->cycles[0].members[0].flags & RCGC_LEAK_M_ROOT);
  rcgc_leak_free(tl.heap, cs);

  mfile m;
  mopen(&m);
  cr_assert_eq(rcgc_leak_print_cycles(tl.heap, RCGC_LEAK_GARBAGE, NULL, 0, 0, rcgc_write_file, m.f), 2);
  char expect[1200];
  snprintf(expect, sizeof expect,
           "2 reference cycles among the garbage (4 objects)\n"
           "cycle 1 of 2: 2 objects, 2 references [source]\n"
           "  <Graph %p> Graph(A)\n"
           "  <Graph %p> Graph(B)\n"
           "  Graph(A) --a--> Graph(B)\n"
           "  Graph(B) --a--> Graph(A)\n"
           "cycle 2 of 2: 2 objects, 2 references\n"
           "  <Graph %p> Graph(C)\n"
           "  <Graph %p> Graph(D)\n"
           "  Graph(C) --a--> Graph(D)\n"
           "  Graph(D) --a--> Graph(C)\n",
           (void *)A, (void *)B, (void *)C, (void *)D);
  cr_assert_str_eq(mtext(&m), expect);
  mclose(&m);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 4);
  TL_LINK(E, a, NULL);
  drop(E);
}

Test(leak, cycles_uncollectable_reason) {
  tl_node *L = rcgc_new(tl.heap, &legacy_type);
  L->name = "L";
  tl_node *X = tl_new("X"), *Y = tl_new("Y");
  TL_LINK(L, a, X);
  TL_LINK(X, a, L);
  TL_LINK(X, b, Y);
  TL_LINK(Y, a, Y);
  drop(X);
  drop(Y);
  drop(L);
  rcgc_leak_cycle_set *cs;
  cr_assert_eq(rcgc_leak_cycles(tl.heap, RCGC_LEAK_GARBAGE, NULL, 0, &cs), RCGC_OK);
  cr_assert_eq(cs->ncycles, 2);
  cr_assert_eq(cs->nuncollectable, 3);
  /* the cycles come in heap-list order, which depends on the policy (a
  ** suspect moves to the suspects list): find L's */
  size_t lc = cs->cycles[0].nmembers == 2 ? 0 : 1, yc = 1 - lc;
  cr_assert_eq(cs->cycles[lc].nmembers, 2);
  size_t li = cs->cycles[lc].members[0].obj == L ? 0 : 1;
  cr_assert_eq(cs->cycles[lc].members[li].obj, L);
  cr_assert_eq(cs->cycles[lc].members[1 - li].obj, X);
  cr_assert(cs->cycles[lc].members[li].flags & RCGC_LEAK_M_LEGACY);
  cr_assert(cs->cycles[lc].members[li].flags & RCGC_LEAK_M_UNCOLLECTABLE);
  cr_assert_eq(cs->cycles[lc].members[0].reason, L);
  cr_assert_eq(cs->cycles[lc].members[1].reason, L);
  cr_assert_eq(cs->cycles[yc].members[0].obj, Y);
  cr_assert_eq(cs->cycles[yc].members[0].reason, L);
  rcgc_leak_free(tl.heap, cs);
  /* after a collection they sit in the garbage list: still reported */
  cr_assert_eq(rcgc_collect(tl.heap, 2), 3);
  cr_assert_eq(rcgc_garbage_count(tl.heap), 1);
  cr_assert_eq(rcgc_leak_cycles(tl.heap, RCGC_LEAK_GARBAGE, NULL, 0, &cs), RCGC_OK);
  cr_assert_eq(cs->ncycles, 2);
  int in_list = 0;
  for (size_t c = 0; c < cs->ncycles; c++)
    for (size_t i = 0; i < cs->cycles[c].nmembers; i++)
      if (cs->cycles[c].members[i].flags & RCGC_LEAK_M_GARBAGE_LIST) {
        cr_assert_eq(cs->cycles[c].members[i].obj, L, "only L is in the garbage list");
        in_list++;
      }
  cr_assert_eq(in_list, 1);
  rcgc_leak_free(tl.heap, cs);
  mfile m;
  mopen(&m);
  cr_assert_eq(rcgc_leak_print_cycles(tl.heap, RCGC_LEAK_GARBAGE, NULL, 0, 0, rcgc_write_file, m.f), 2);
  cr_assert(strstr(mtext(&m), "Graph(L) [uncollectable: its legacy finalizer] [in the garbage list]"),
            "%s", m.buf);
  cr_assert(strstr(m.buf, "Graph(X) [uncollectable: legacy finalizer of <Legacy 0x"), "%s", m.buf);
  mclose(&m);
  cr_assert_eq(rcgc_garbage_release(tl.heap, RCGC_RELEASE_LEGACY), 3);
}

/* ------------------------------------------------------------ growth */

static const rcgc_type blob_type = {.name = "Blob", .size = 100};

Test(leak, histogram_counts_and_bytes) {
  tl_node *n1 = tl_new("1"), *n2 = tl_new("2");
  void *b1 = rcgc_new(tl.heap, &blob_type);
  void *b2 = rcgc_new_sized(tl.heap, &blob_type, 1000);
  rcgc_leak_type_stat *s;
  size_t n;
  cr_assert_eq(rcgc_leak_histogram(tl.heap, &s, &n), RCGC_OK);
  cr_assert_eq(n, 2);
  cr_assert_str_eq(s[0].name, "Blob");
  cr_assert_eq(s[0].count, 2);
  cr_assert_str_eq(s[1].name, "Graph");
  cr_assert_eq(s[1].count, 2);
  cr_assert_eq(s[0].bytes + s[1].bytes, rcgc_heap_bytes(tl.heap));
  size_t head = sizeof(rcgc_head_);
  size_t pre = rcgc_serial(tl.heap, n1) ? 16 : 0;
  cr_assert_eq(s[1].bytes, 2 * (pre + head + ((sizeof(tl_node) + 7) & ~(size_t)7)));
  cr_assert_eq(s[0].bytes, (pre + head + 104) + (pre + 8 + head + 1000));
  rcgc_leak_free(tl.heap, s);
  drop(n1);
  drop(n2);
  drop(b1);
  drop(b2);
}

Test(leak, growth_both_signs_and_no_peak) {
  tl_node *keep[3];
  for (int i = 0; i < 3; i++)
    keep[i] = tl_new("k");
  rcgc_leak_mark *m = rcgc_leak_mark_new(tl.heap);
  cr_assert_not_null(m);
  drop(keep[0]);
  drop(keep[1]);
  void *b = rcgc_new(tl.heap, &blob_type);
  rcgc_leak_growth *g;
  size_t n;
  cr_assert_eq(rcgc_leak_growth_since(tl.heap, m, &g, &n), RCGC_OK);
  cr_assert_eq(n, 2);
  cr_assert_str_eq(g[0].name, "Graph");
  cr_assert_eq(g[0].count_then, 3);
  cr_assert_eq(g[0].count_now, 1);
  cr_assert_eq(g[0].count_delta, -2);
  cr_assert_str_eq(g[1].name, "Blob");
  cr_assert_eq(g[1].count_delta, 1);
  cr_assert(g[1].bytes_delta > 0);
  rcgc_leak_free(tl.heap, g);
  /* regrow to the old count: no change reported (no peak semantics) */
  keep[0] = tl_new("k");
  keep[1] = tl_new("k");
  drop(b);
  cr_assert_eq(rcgc_leak_growth_since(tl.heap, m, &g, &n), RCGC_OK);
  cr_assert_eq(n, 0);
  rcgc_leak_free(tl.heap, g);
  mfile f;
  mopen(&f);
  cr_assert_eq(rcgc_leak_print_growth(tl.heap, m, 0, rcgc_write_file, f.f), 0);
  cr_assert(strstr(mtext(&f), "(no change since the mark)"));
  mclose(&f);
  rcgc_leak_free(tl.heap, m);
  for (int i = 0; i < 3; i++)
    drop(keep[i]);
}

Test(leak, since_mark_by_serial) {
  rcgc_heap *h = tl.heap;
  tl_node *old = tl_new("old");
  rcgc_leak_mark *m = rcgc_leak_mark_new(h);
  tl_node *n1 = tl_new("n1");
  tl_node *tmp = tl_new("tmp");
  drop(tmp);
  tl_node *n2 = tl_new("n2"); /* may reuse tmp's address */
  void **objs;
  size_t n;
  int r = rcgc_leak_since_mark(h, m, &objs, &n);
  if (rcgc_serial(h, old) == 0) {
    cr_assert_eq(r, RCGC_ENOTSUP);
  } else {
    cr_assert_eq(r, RCGC_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(objs[0], n1);
    cr_assert_eq(objs[1], n2);
    rcgc_leak_free(h, objs);
  }
  rcgc_leak_free(h, m);
  drop(old);
  drop(n1);
  drop(n2);
}

Test(leak, since_mark_with_serials_heap) {
  rcgc_heap_destroy(tl.heap);
  tl.heap = tl_heap_new(RCGC_CONFIG_SERIALS);
  rcgc_heap *h = tl.heap;
  rcgc_leak_mark *m = rcgc_leak_mark_new(h);
  tl_node *a = tl_new("a");
  mfile f;
  mopen(&f);
  cr_assert_eq(rcgc_leak_print_since_mark(h, m, 0, rcgc_write_file, f.f), 1);
  char expect[300];
  snprintf(expect, sizeof expect,
           "1 object allocated since the mark (serial > 0) still alive\n"
           "           1 Graph\n"
           "  #1 <Graph %p> Graph(a)\n",
           (void *)a);
  cr_assert_str_eq(mtext(&f), expect);
  mclose(&f);
  rcgc_leak_free(h, m);
  drop(a);
}

/* ------------------------------------------------------------ dominators */

/* brute force: d dominates v iff v is unreachable from the roots once d is
** removed (d != v) */
static int reach_without(int n, int adj[][4], const int *deg, const int *isroot, int removed,
                         int target) {
  int seen[64] = {0}, queue[64], qh = 0, qt = 0;
  for (int i = 0; i < n; i++)
    if (isroot[i] && i != removed) {
      seen[i] = 1;
      queue[qt++] = i;
    }
  while (qh < qt) {
    int u = queue[qh++];
    for (int j = 0; j < deg[u]; j++) {
      int w = adj[u][j];
      if (w != removed && !seen[w]) {
        seen[w] = 1;
        queue[qt++] = w;
      }
    }
  }
  return seen[target];
}

Test(leak, dominators_match_brute_force) {
  srand(12345);
  for (int round = 0; round < 40; round++) {
    int n = 3 + rand() % 10;
    tl_node *o[16];
    int adj[16][4], deg[16] = {0}, isroot[16] = {0};
    for (int i = 0; i < n; i++)
      o[i] = tl_new("r");
    for (int i = 0; i < n; i++)
      for (int k = 0; k < 2; k++)
        if (rand() % 3) {
          int j = rand() % n;
          if (k == 0)
            TL_LINK(o[i], a, o[j]);
          else
            TL_LINK(o[i], b, o[j]);
          adj[i][deg[i]++] = j;
        }
    for (int i = 0; i < n; i++)
      if (rand() % 3 == 0)
        isroot[i] = 1;
    isroot[0] = 1;
    for (int i = 0; i < n; i++)
      if (!isroot[i])
        drop(o[i]); /* only roots keep our reference */
    rcgc_leak_retained *d;
    size_t nd;
    cr_assert_eq(rcgc_leak_dominators(tl.heap, &d, &nd), RCGC_OK);
    int reached = 0;
    for (int v = 0; v < n; v++)
      reached += reach_without(n, adj, deg, isroot, -1, v);
    cr_assert_eq((int)nd, reached);
    for (size_t i = 0; i < nd; i++) {
      int v = -1;
      for (int j = 0; j < n; j++)
        if ((void *)o[j] == d[i].obj)
          v = j;
      cr_assert_geq(v, 0);
      /* retained = self * number of nodes v dominates (itself included) */
      size_t dominated = 0;
      for (int w = 0; w < n; w++)
        if (reach_without(n, adj, deg, isroot, -1, w) &&
            (w == v || !reach_without(n, adj, deg, isroot, v, w)))
          dominated++;
      cr_assert_eq(d[i].retained_bytes, dominated * d[i].self_bytes, "round %d node %d", round, v);
      /* idom: a strict dominator of v dominated by every other strict one */
      int idom = -1;
      for (int c = 0; c < n; c++) {
        if (c == v || reach_without(n, adj, deg, isroot, c, v))
          continue; /* c does not dominate v */
        int ok = 1;
        for (int c2 = 0; c2 < n; c2++)
          if (c2 != v && c2 != c && !reach_without(n, adj, deg, isroot, c2, v) &&
              reach_without(n, adj, deg, isroot, c2, c))
            ok = 0; /* c2 dominates v but not c: c is not the closest */
        if (ok)
          idom = c;
      }
      if (idom < 0)
        cr_assert_null(d[i].idom, "round %d node %d", round, v);
      else
        cr_assert_eq(d[i].idom, o[idom], "round %d node %d", round, v);
    }
    rcgc_leak_free(tl.heap, d);
    for (int i = 0; i < n; i++)
      if (isroot[i])
        drop(o[i]);
    rcgc_collect(tl.heap, 2);
    cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  }
}

Test(leak, top_retainers) {
  tl_node *big = tl_new("big"), *small = tl_new("small");
  tl_node *cur = big;
  for (int i = 0; i < 10; i++) {
    tl_node *x = tl_new("x");
    TL_LINK(cur, a, x);
    drop(x);
    cur = x;
  }
  rcgc_leak_retained *t;
  size_t n;
  cr_assert_eq(rcgc_leak_top_retainers(tl.heap, 2, &t, &n), RCGC_OK);
  cr_assert_eq(n, 2);
  cr_assert_eq(t[0].obj, big);
  cr_assert_eq(t[0].retained_bytes, 11 * t[0].self_bytes);
  cr_assert_null(t[0].idom);
  rcgc_leak_free(tl.heap, t);
  drop(big);
  drop(small);
}

/* ------------------------------------------------------------ expect freed */

Test(leak, expect_freed_reports_survivors_with_path) {
  tl_node *cache = tl_new("cache"), *obs = tl_new("observer"), *gone = tl_new("gone");
  TL_LINK(cache, a, obs);
  cr_assert_eq(rcgc_expect_freed(tl.heap, obs, "observer after close"), RCGC_OK);
  cr_assert_eq(rcgc_expect_freed(tl.heap, gone, "temporary"), RCGC_OK);
  drop(obs);
  drop(gone); /* freed: its watch ends */
  mfile m;
  mopen(&m);
  cr_assert_eq(rcgc_expect_freed_check(tl.heap, 0, rcgc_write_file, m.f), 1);
  char expect[600];
  snprintf(expect, sizeof expect,
           "rcgc: expected freed: \"observer after close\" <Graph %p> Graph(observer) refcount 1\n"
           "  <Graph %p> Graph(cache) (root: 1 reference from outside)\n"
           "  --a--> <Graph %p> Graph(observer)\n",
           (void *)obs, (void *)cache, (void *)obs);
  cr_assert_str_eq(mtext(&m), expect);
  mclose(&m);
  TL_LINK(cache, a, NULL);
  cr_assert_eq(rcgc_expect_freed_check(tl.heap, RCGC_EXPECT_QUIET, NULL, NULL), 0);
  /* a cycle: alive until collected */
  tl_node *x = tl_new("x");
  TL_LINK(x, a, x);
  rcgc_expect_freed(tl.heap, x, "cycle");
  drop(x);
  cr_assert_eq(rcgc_expect_freed_check(tl.heap, RCGC_EXPECT_QUIET, NULL, NULL), 1);
  cr_assert_eq(rcgc_expect_freed_check(tl.heap, RCGC_EXPECT_COLLECT | RCGC_EXPECT_QUIET, NULL, NULL), 0);
  /* cancel */
  tl_node *y = tl_new("y");
  rcgc_expect_freed(tl.heap, y, NULL);
  cr_assert_eq(rcgc_expect_freed_cancel(tl.heap, y), RCGC_OK);
  cr_assert_eq(rcgc_expect_freed_cancel(tl.heap, y), RCGC_ENOTFOUND);
  cr_assert_eq(rcgc_expect_freed_check(tl.heap, RCGC_EXPECT_QUIET, NULL, NULL), 0);
  rcgc_expect_freed(tl.heap, y, "left watched at destroy");
  drop(y);
  drop(cache);
}

/* ------------------------------------------------------------ DOT */

static int not_named_skip(void *obj, void *ud) {
  (void)ud;
  return rcgc_typeof(tl.heap, obj) != &tl_node_type || strcmp(((tl_node *)obj)->name, "skip") != 0;
}
static int is_two(void *obj, void *ud) {
  (void)ud;
  return rcgc_typeof(tl.heap, obj) == &tl_node_type && strcmp(((tl_node *)obj)->name, "two") == 0;
}

static int run_dot(const char *text) {
  if (system("command -v dot >/dev/null 2>&1") != 0)
    return -1;
  char path[] = "/tmp/rcgc_leak_dotXXXXXX";
  int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  FILE *f = fdopen(fd, "w");
  fputs(text, f);
  fclose(f);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "dot -Tsvg %s -o /dev/null 2>&1", path);
  int rc = system(cmd);
  unlink(path);
  return rc;
}

/* The watch table (ptrtab.h) through growth, cancels and frees: every
** watch made and not ended is found, every ended one is gone. */
Test(leak, expect_freed_table_survives_growth_and_deletes) {
  enum { N = 3000 };
  static tl_node *o[N];
  for (int i = 0; i < N; i++) {
    o[i] = tl_new("w");
    cr_assert_eq(rcgc_expect_freed(tl.heap, o[i], NULL), RCGC_OK);
  }
  long alive = N;
  for (int i = 0; i < N; i += 3) { /* cancel a third */
    cr_assert_eq(rcgc_expect_freed_cancel(tl.heap, o[i]), RCGC_OK);
    alive--;
  }
  for (int i = 1; i < N; i += 3) { /* free a third: the watch ends */
    drop(o[i]);
    o[i] = NULL;
    alive--;
  }
  cr_assert_eq(rcgc_expect_freed_check(tl.heap, RCGC_EXPECT_QUIET, NULL, NULL), alive);
  for (int i = 0; i < N; i++) {
    if (o[i] == NULL)
      continue;
    int want = i % 3 == 0 ? RCGC_ENOTFOUND : RCGC_OK;
    cr_assert_eq(rcgc_expect_freed_cancel(tl.heap, o[i]), want, "object %d", i);
    drop(o[i]);
  }
  cr_assert_eq(rcgc_expect_freed_check(tl.heap, RCGC_EXPECT_QUIET, NULL, NULL), 0);
}

Test(leak, dot_refs_backrefs_filter_highlight) {
  tl_node *one = tl_new("one"), *two = tl_new("two"), *skip = tl_new("skip"), *four = tl_new("fo\"ur");
  TL_LINK(one, a, two);
  TL_LINK(one, b, skip);
  TL_LINK(skip, a, four);
  TL_LINK(two, a, one);
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, two, NULL, NULL);
  mfile m;
  mopen(&m);
  cr_assert_eq(rcgc_leak_dot(tl.heap, (void *[]){one}, 1, NULL, rcgc_write_file, m.f), RCGC_OK);
  char *t = mtext(&m);
  cr_assert(strstr(t, "digraph"), "%s", t);
  cr_assert(strstr(t, "label=\"a\""), "%s", t);
  cr_assert(strstr(t, "Graph\\nGraph(fo\\\"ur)"), "%s", t);
  cr_assert_eq(run_dot(t) > 0, 0, "dot rejected:\n%s", t);
  mclose(&m);

  rcgc_leak_dot_opts o = {RCGC_LEAK_DOT_BACKREFS | RCGC_LEAK_DOT_REFCOUNTS, 2, 10, not_named_skip,
                          is_two, NULL};
  mopen(&m);
  cr_assert_eq(rcgc_leak_dot(tl.heap, (void *[]){two}, 1, &o, rcgc_write_file, m.f), RCGC_OK);
  t = mtext(&m);
  cr_assert(strstr(t, "lightblue"), "%s", t);
  cr_assert(strstr(t, "refcount"), "%s", t);
  cr_assert(strstr(t, "Graph(skip)") == NULL, "%s", t);
  cr_assert(strstr(t, "style=dashed"), "%s", t); /* the weak reference */
  cr_assert_eq(run_dot(t) > 0, 0, "dot rejected:\n%s", t);
  mclose(&m);

  o.flags = RCGC_LEAK_DOT_NO_WEAK;
  o.filter = NULL;
  o.too_many = 1;
  mopen(&m);
  cr_assert_eq(rcgc_leak_dot(tl.heap, (void *[]){one}, 1, &o, rcgc_write_file, m.f), RCGC_OK);
  t = mtext(&m);
  cr_assert(strstr(t, "1 more reference"), "%s", t);
  cr_assert_eq(run_dot(t) > 0, 0, "dot rejected:\n%s", t);
  mclose(&m);
  TL_LINK(two, a, NULL);
  drop(wr);
  drop(two);
  drop(skip);
  drop(four);
  drop(one);
}

/* ------------------------------------------------------------ snapshot */

Test(leak, snapshot_shape) {
  tl_node *one = tl_new("one"), *two = tl_new("two");
  TL_LINK(one, a, two);
  TL_LINK(two, b, one);
  drop(two);
  void *blob = rcgc_new(tl.heap, &blob_type);
  rcgc_weakref *wr = rcgc_weakref_new(tl.heap, one, NULL, NULL);
  mfile m;
  mopen(&m);
  cr_assert_eq(rcgc_leak_snapshot(tl.heap, rcgc_write_file, m.f), RCGC_OK);
  char *t = mtext(&m);
  cr_assert(strncmp(t, "{\"snapshot\":{\"meta\":", 20) == 0);
  /* 4 objects + 2 synthetic; edges: 2 strong + 1 weak + 3 roots (one,
  ** blob, wr) + root->(garbage) */
  cr_assert(strstr(t, "\"node_count\":6,\"edge_count\":7,"), "%.300s", t);
  cr_assert(strstr(t, "\"(rcgc roots)\""));
  cr_assert(strstr(t, "\"(garbage)\""));
  cr_assert(strstr(t, "\"referent\""));
  /* the weak edge (type 6) goes to 'one', the node named "one" */
  cr_assert(strstr(t, "\n,6,0,"), "no weak edge:\n%s", t);
  mclose(&m);
  cr_assert_eq(rcgc_leak_snapshot_file(tl.heap, "/nonexistent/dir/x.heapsnapshot"), RCGC_EIO);
  drop(wr);
  drop(blob);
  drop(one);
}

/* ------------------------------------------------------------ explain */

static tl_node *resurrect_into;
static void resurrect_fin(rcgc_heap *h, void *o) {
  (void)h;
  tl_finalized++;
  if (resurrect_into != NULL)
    TL_LINK(resurrect_into, a, o);
}
static const rcgc_type phoenix_type = {
    .name = "Phoenix", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .finalize = resurrect_fin, .destroy = tl_count_destroy, .repr = tl_node_repr};

Test(leak, explain_collect_resurrection_and_uncollectable) {
  rcgc_heap_destroy(tl.heap);
  tl.heap = tl_heap_new(RCGC_CONFIG_SERIALS);
  rcgc_disable(tl.heap);
  tl_node *holder = tl_new("holder");
  resurrect_into = holder;
  tl_node *p = rcgc_new(tl.heap, &phoenix_type);
  p->name = "phoenix";
  tl_node *q = tl_new("q");
  TL_LINK(p, a, q);
  TL_LINK(q, a, p);
  drop(q);
  drop(p);
  tl_node *L = rcgc_new(tl.heap, &legacy_type);
  L->name = "L";
  TL_LINK(L, a, L);
  drop(L);
  tl_node *g = tl_new("g");
  TL_LINK(g, a, g);
  drop(g);
  mfile m;
  mopen(&m);
  long r = rcgc_leak_explain_collect(tl.heap, rcgc_write_file, m.f);
  cr_assert_eq(r, 2, "%s", mtext(&m)); /* g collected + L uncollectable */
  char *t = mtext(&m);
  cr_assert(strstr(t, "full collection: 2 unreachable, 4 garbage candidates, 1 finalizer run, "
                      "1 uncollectable, 2 resurrected\n"), "%s", t);
  cr_assert(strstr(t, "Graph(phoenix): resurrected by a finalizer of itself; now retained by:\n"),
            "%s", t);
  cr_assert(strstr(t, "Graph(q): resurrected by a finalizer of <Phoenix 0x"), "%s", t);
  cr_assert(strstr(t, "Graph(L): uncollectable: it has a legacy finalizer"), "%s", t);
  cr_assert(strstr(t, "--a--> <Phoenix"), "%s", t);
  mclose(&m);
  resurrect_into = NULL;
  TL_LINK(holder, a, NULL);
  drop(holder);
  rcgc_collect(tl.heap, 2);
  rcgc_garbage_release(tl.heap, RCGC_RELEASE_LEGACY);
}

/* ------------------------------------------------------------ no disturbance */

/* ------------------------------------------------------------ output */

/* Every call that writes, run once with a writer (rcgc_write_file over 'f',
** or NULL: the heap's sink, when f is NULL). 'which' picks the call;
** returns its result. */
enum { NWRITERS = 11 };
static const char *const writer_name[NWRITERS] = {
    "rcgc_leak_print_roots",       "rcgc_leak_print_why",        "rcgc_leak_print_cycles",
    "rcgc_leak_explain_collect",   "rcgc_leak_print_histogram",  "rcgc_leak_print_growth",
    "rcgc_leak_print_since_mark",  "rcgc_leak_print_top_retainers", "rcgc_expect_freed_check",
    "rcgc_leak_dot",               "rcgc_leak_snapshot"};
static long run_writer(int which, void *obj, const rcgc_leak_mark *mark, FILE *f) {
  rcgc_heap *h = tl.heap;
  rcgc_write_fn w = f != NULL ? rcgc_write_file : NULL;
  switch (which) {
  case 0: return rcgc_leak_print_roots(h, w, f);
  case 1: return rcgc_leak_print_why(h, obj, 2, w, f);
  case 2: return rcgc_leak_print_cycles(h, RCGC_LEAK_HEAP, NULL, 0, 0, w, f);
  case 3: return rcgc_leak_explain_collect(h, w, f);
  case 4: return rcgc_leak_print_histogram(h, 0, w, f);
  case 5: return rcgc_leak_print_growth(h, mark, 0, w, f);
  case 6: return rcgc_leak_print_since_mark(h, mark, 0, w, f);
  case 7: return rcgc_leak_print_top_retainers(h, 3, w, f);
  case 8: return rcgc_expect_freed_check(h, 0, w, f);
  case 9: return rcgc_leak_dot(h, &obj, 1, NULL, w, f);
  default: return rcgc_leak_snapshot(h, w, f);
  }
}

/* The output convention of rcgc_leak.h: a NULL writer is the heap's sink,
** which then receives exactly what the FILE * adapter writes. */
Test(leak, null_writer_is_the_heaps_sink) {
  tl_node *one = tl_new("one"), *two = tl_new("two");
  rcgc_leak_mark *mark = rcgc_leak_mark_new(tl.heap);
  TL_LINK(one, a, two);
  TL_LINK(two, a, one);
  tl_node *three = tl_new("three");
  TL_LINK(two, b, three);
  cr_assert_eq(rcgc_expect_freed(tl.heap, three, "three"), RCGC_OK);
  for (int which = 0; which < NWRITERS; which++) {
    mfile m;
    mopen(&m);
    long to_file = run_writer(which, three, mark, m.f);
    tl_sink_reset(&tl.sink);
    long to_sink = run_writer(which, three, mark, NULL);
    cr_assert_eq(to_sink, to_file, "%s: %ld to the sink, %ld to a FILE *", writer_name[which],
                 to_sink, to_file);
    if (to_file == RCGC_ENOTSUP) { /* since-mark and explain without serials: nothing written */
      cr_assert_str_empty(tl.sink.buf ? tl.sink.buf : "", "%s", writer_name[which]);
    } else {
      cr_assert_geq(to_file, 0, "%s returned %ld", writer_name[which], to_file);
      cr_assert_str_not_empty(mtext(&m), "%s wrote nothing", writer_name[which]);
      cr_assert_str_eq(tl.sink.buf, mtext(&m), "%s", writer_name[which]);
    }
    tl_sink_reset(&tl.sink);
    mclose(&m);
  }
  rcgc_leak_free(tl.heap, mark);
  TL_LINK(two, a, NULL);
  drop(three);
  drop(two);
  drop(one);
}

/* A writer that keeps the text and checks each piece ends a line. */
typedef struct pieces_t {
  tl_sink text;
  int n, cut;
} pieces_t;
static void pieces_write(void *ud, const char *text, size_t len) {
  pieces_t *p = ud;
  p->n++;
  p->cut += len == 0 || text[len - 1] != '\n';
  tl_sink_write(&p->text, text, len);
}

Test(leak, writer_gets_whole_lines) {
  enum { N = 300 }; /* about 20 KiB of roots: several pieces */
  tl_node *o[N];
  for (int i = 0; i < N; i++)
    o[i] = tl_new("a root with a long enough name to fill the buffer");
  pieces_t p;
  memset(&p, 0, sizeof p);
  cr_assert_eq(rcgc_leak_print_roots(tl.heap, pieces_write, &p), N);
  mfile m;
  mopen(&m);
  cr_assert_eq(rcgc_leak_print_roots(tl.heap, rcgc_write_file, m.f), N);
  cr_assert_gt(p.n, 1, "one piece for %zu bytes", p.text.len);
  cr_assert_eq(p.cut, 0, "%d of %d pieces end inside a line", p.cut, p.n);
  cr_assert_str_eq(p.text.buf, mtext(&m));
  mclose(&m);
  free(p.text.buf);
  for (int i = 0; i < N; i++)
    drop(o[i]);
}

Test(leak, calls_do_not_disturb_the_heap) {
  rcgc_enable(tl.heap);
  tl_node *keep = tl_new("keep");
  for (int i = 0; i < 50; i++) {
    tl_node *x = tl_new("x");
    TL_LINK(x, a, keep);
    TL_LINK(x, b, x);
    drop(x);
  }
  long c0[3], c1[3];
  rcgc_gen_stats s0[3], s1[3];
  rcgc_get_count(tl.heap, c0);
  rcgc_get_stats(tl.heap, s0);
  size_t objs = rcgc_heap_object_count(tl.heap), bytes = rcgc_heap_bytes(tl.heap);
  size_t frozen = rcgc_get_freeze_count(tl.heap);
  FILE *devnull = fopen("/dev/null", "w");
  rcgc_leak_print_roots(tl.heap, rcgc_write_file, devnull);
  rcgc_leak_print_why(tl.heap, keep, 3, rcgc_write_file, devnull);
  rcgc_leak_print_cycles(tl.heap, RCGC_LEAK_GARBAGE, NULL, 0, 0, rcgc_write_file, devnull);
  rcgc_leak_print_cycles(tl.heap, RCGC_LEAK_HEAP, NULL, 0, 0, rcgc_write_file, devnull);
  rcgc_leak_print_histogram(tl.heap, 0, rcgc_write_file, devnull);
  rcgc_leak_print_top_retainers(tl.heap, 5, rcgc_write_file, devnull);
  rcgc_leak_dot(tl.heap, (void *[]){keep}, 1, NULL, rcgc_write_file, devnull);
  rcgc_leak_snapshot(tl.heap, rcgc_write_file, devnull);
  fclose(devnull);
  rcgc_get_count(tl.heap, c1);
  rcgc_get_stats(tl.heap, s1);
  cr_assert_eq(memcmp(c0, c1, sizeof c0), 0);
  cr_assert_eq(memcmp(s0, s1, sizeof s0), 0);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), objs);
  cr_assert_eq(rcgc_heap_bytes(tl.heap), bytes);
  cr_assert_eq(rcgc_get_freeze_count(tl.heap), frozen);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0, "%s", tl.sink.buf ? tl.sink.buf : "");
  drop(keep);
  rcgc_collect(tl.heap, 2);
}

/* Allocation failure inside an analysis leaves the heap intact. */
Test(leak, enomem_is_clean) {
  tl_node *a = tl_new("a"), *b = tl_new("b");
  TL_LINK(a, a, b);
  TL_LINK(b, a, a);
  for (long k = 1; k < 60; k++) {
    long base = tl.alloc.calls;
    tl.alloc.fail_at = base + k;
    rcgc_leak_cycle_set *cs = NULL;
    int r = rcgc_leak_cycles(tl.heap, RCGC_LEAK_HEAP, NULL, 0, &cs);
    tl.alloc.fail_at = 0;
    cr_assert(r == RCGC_OK || r == RCGC_ENOMEM);
    if (r == RCGC_OK)
      rcgc_leak_free(tl.heap, cs);
    else
      cr_assert_null(cs);
    cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  }
  TL_LINK(b, a, NULL);
  drop(b);
  drop(a);
}

/* ------------------------------------------------------------ deep chains */

Test(leak, two_million_chain_no_recursion) {
  tl_node *head = tl_new("head"), *cur = head;
  for (long i = 0; i < 2000000; i++) {
    tl_node *n = rcgc_new(tl.heap, &tl_node_type);
    n->name = "link";
    cur->a = n;
    cur = n;
  }
  TL_LINK(cur, b, head); /* one huge cycle held from outside */
  rcgc_leak_path *p;
  size_t np;
  cr_assert_eq(rcgc_leak_why(tl.heap, cur, 1, &p, &np), RCGC_OK);
  cr_assert_eq(p[0].nsteps, 2000001);
  rcgc_leak_free(tl.heap, p);
  rcgc_leak_cycle_set *cs;
  cr_assert_eq(rcgc_leak_cycles(tl.heap, RCGC_LEAK_HEAP, NULL, 0, &cs), RCGC_OK);
  cr_assert_eq(cs->ncycles, 1);
  cr_assert_eq(cs->cycles[0].nmembers, 2000001);
  rcgc_leak_free(tl.heap, cs);
  rcgc_leak_retained *t;
  size_t n;
  cr_assert_eq(rcgc_leak_top_retainers(tl.heap, 1, &t, &n), RCGC_OK);
  cr_assert_eq(t[0].obj, head);
  rcgc_leak_free(tl.heap, t);
  FILE *devnull = fopen("/dev/null", "w");
  cr_assert_eq(rcgc_leak_snapshot(tl.heap, rcgc_write_file, devnull), RCGC_OK);
  fclose(devnull);
  TL_LINK(cur, b, NULL);
  drop(head);
}
