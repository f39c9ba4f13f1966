/*
** rcgc_bench.c -- the anchor workloads (bench/README.md) written on rcgc.
**
** A node is a managed object with two reference fields, `a` and `b`; its
** traverse visits both with the edge names "a" and "b". The program mirrors
** cpython_bench.py line for line and prints the same line shapes, so that
** bench/report.py can set the results side by side (bigtree and cyclechurn
** mirror the `pauses` mode of bench/anchor_cpython.py instead):
**
**   rcgc 0.1.0 policy=default
**   <workload> <nodes> <seconds> <ns_per_node>        (best of 3)
**   churn live=... rings=... total=...s ns_per_ring=... collections=...
**         full=... max_pause_ms=...
**   grow live=... total=...s collections=... full=... max_pause_ms=...
**   bigtree live=... rings=... total=...s ns_per_ring=... collections=...
**         full=... max_pause_ms=... p50_pause_ms=... p99_pause_ms=...
**         backlog_max=... backlog_max_bytes=...
**   cyclechurn live=... cycles=... replacements=... total=...s
**         ns_per_replacement=... collections=... (then as bigtree)
**
** Usage:
**   rcgc_bench [N ...]              the nine workloads (default N: 100000
**                                   1000000 4000000): per N rings,
**                                   live-tree, mixed, live-tree-shuffled and
**                                   mixed-shuffled (--no-shuffled: not the
**                                   last two), then churn, grow, bigtree,
**                                   cyclechurn
**   rcgc_bench --churn LIVE RINGS --grow LIVE [N ...]
**                                   other churn/grow sizes (quick mode);
**                                   --no-churn / --no-grow skip them
**   --bigtree LIVE RINGS, --cyclechurn LIVE REPLACEMENTS
**                                   other sizes of the pause workloads
**                                   (default 4000000 2000000 and 1000000
**                                   2000000); --no-bigtree / --no-cyclechurn
**                                   skip them
**   rcgc_bench --once KIND N        build KIND (rings, live-tree, mixed, or a
**                                   shuffled one) once,
**                                   collect once, drop the held tree (for
**                                   callgrind; the build is bench_build(),
**                                   the collection bench_collect(), the drop,
**                                   which frees the tree by reference
**                                   counting, bench_free(): toggle on any)
**   rcgc_bench --memory N           resident memory growth per node for a
**                                   held tree of N nodes
**   --policy default|cpython        (anywhere, with any of the above) the
**                                   collection policy of every heap the
**                                   program creates: "default" keeps the
**                                   library's default, "cpython" selects
**                                   RCGC_POLICY_CPYTHON (rcgc_set_policy),
**                                   CPython 3.11's exact schedule
**
** Every workload runs in a fresh heap that must be empty when destroyed.
** The program checks what the library reports (objects collected, objects
** still alive, leaks at rcgc_heap_destroy) and prints "rcgc_bench: BUG: ..."
** on stderr and exits with status 3 when something does not add up.
*/
#define _POSIX_C_SOURCE 200809L

#include "rcgc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#if defined(__GNUC__) || defined(__clang__)
#define BENCH_NOINLINE __attribute__((noinline))
#else
#define BENCH_NOINLINE
#endif

/* ------------------------------------------------------------------ nodes */

typedef struct node {
  struct node *a;
  struct node *b;
} node;

static int node_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  node *n = obj;
  RCGC_VISIT(n->a, "a");
  RCGC_VISIT(n->b, "b");
  return 0;
}

static const rcgc_type node_type = {
    .name = "Node",
    .size = sizeof(node),
    .traverse = node_traverse,
};

static long bugs; /* checks that failed */

static void bug(const char *what, long got, long want) {
  fprintf(stderr, "rcgc_bench: BUG: ");
  fprintf(stderr, "%s: got %ld, expected %ld\n", what, got, want);
  fflush(stderr);
  bugs++;
}

static void check(const char *what, long got, long want) {
  if (got != want)
    bug(what, got, want);
}

static _Noreturn void die(const char *what) {
  fprintf(stderr, "rcgc_bench: fatal: %s\n", what);
  exit(2);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* --policy: 0 = the library's default, 1 = RCGC_POLICY_CPYTHON. */
static int cpython_policy;

/* --budget US: the heaps' pause budget (0: stop-the-world collections). */
static unsigned pause_budget;

/* Every heap of the program comes from here, with --policy and --budget
** applied. */
static rcgc_heap *heap_new(void) {
  rcgc_heap *h = rcgc_heap_new(NULL);
  if (h == NULL)
    die("rcgc_heap_new failed");
  if (pause_budget != 0 && rcgc_set_pause_budget(h, pause_budget) != 0)
    die("rcgc_set_pause_budget failed");
#ifdef RCGC_HAVE_POLICY
  if (cpython_policy && rcgc_set_policy(h, RCGC_POLICY_CPYTHON) != 0)
    die("rcgc_set_policy(RCGC_POLICY_CPYTHON) failed");
#endif
  return h;
}

/* Destroy a heap the workload has emptied; a non-zero count is a leak. */
static void heap_destroy(rcgc_heap *h, const char *workload) {
  size_t alive = rcgc_heap_object_count(h);
  if (alive != 0) {
    fprintf(stderr, "rcgc_bench: BUG: %s: %zu objects alive before destroy\n",
            workload, alive);
    bugs++;
  }
  size_t leaked = rcgc_heap_destroy(h);
  if (leaked != 0) {
    fprintf(stderr, "rcgc_bench: BUG: %s: rcgc_heap_destroy reported %zu "
            "objects still alive\n", workload, leaked);
    bugs++;
  }
}

static node *new_node(rcgc_heap *h) {
  node *n = rcgc_new(h, &node_type);
  if (n == NULL)
    die("rcgc_new failed");
  return n;
}

/* One ring of three nodes, x.a = y, y.a = z, z.a = x, then dropped: as in
** Python, each store takes its own reference and the three locals are
** released, leaving a cycle that only the collector can free. `held`, when
** not NULL, counts each node when it is made (a collection may start while
** the ring is being built); the caller takes the three off when it counts
** the ring dropped. */
static void make_ring(rcgc_heap *h, long *held) {
  node *x = new_node(h);
  if (held != NULL)
    ++*held;
  node *y = new_node(h);
  if (held != NULL)
    ++*held;
  node *z = new_node(h);
  if (held != NULL)
    ++*held;
  rcgc_set(h, &x->a, y);
  rcgc_set(h, &y->a, z);
  rcgc_set(h, &z->a, x);
  rcgc_decref(h, x);
  rcgc_decref(h, y);
  rcgc_decref(h, z);
}

/* splitmix64: the random numbers of cyclechurn and of the shuffled
** workloads, computed exactly alike by anchor_cpython.py and
** anchor_boehm.c. */
static unsigned long long splitmix64(unsigned long long *state) {
  unsigned long long z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* n/3 rings of three nodes, all dropped. */
static void rings(rcgc_heap *h, long n) {
  for (long i = 0; i < n / 3; i++)
    make_ring(h, NULL);
}

/* Link v[0..n-1] as a complete binary tree (v[i].a = v[2i+1], v[i].b =
** v[2i+2]) and drop the array's references to all but the root: the
** parent's field keeps each one alive. */
static void link_tree(rcgc_heap *h, node **v, long n) {
  for (long i = 0; i < n; i++) {
    long l = 2 * i + 1, r = 2 * i + 2;
    if (l < n)
      rcgc_set(h, &v[i]->a, v[l]);
    if (r < n)
      rcgc_set(h, &v[i]->b, v[r]);
  }
  for (long i = 1; i < n; i++)
    rcgc_decref(h, v[i]);
}

/* A complete binary tree of n nodes (a = left child, b = right child), built
** from an array of nodes as cpython_bench.py does; only the root's reference
** is returned, the array's other references are dropped. */
static node *tree(rcgc_heap *h, long n) {
  if (n < 1)
    die("a tree needs at least one node");
  node **v = malloc((size_t)n * sizeof *v);
  if (v == NULL)
    die("out of memory for the tree's array");
  v[0] = new_node(h);
  for (long i = 1; i < n; i++)
    v[i] = new_node(h);
  link_tree(h, v, n);
  node *root = v[0];
  free(v);
  return root;
}

/* The graph of tree(n) (and, with rings, of tree(n) then rings(n)), its
** nodes allocated in a random order with respect to it: all of them are
** made first, into an array that a Fisher-Yates shuffle (splitmix64, seed
** 1: for i from the last index down to 1, swap v[i] with v[next % (i + 1)])
** puts in random order; then v[i] is linked as tree() links its i-th node,
** and v[n + 3j], v[n + 3j + 1], v[n + 3j + 2] as make_ring links the j-th
** ring (x, y, z). The references, the objects and what a collection finds
** are those of the ordered workload; only the order of the nodes in memory
** and in the heap's lists differs. Returns the root, v[0]. */
static node *shuffled(rcgc_heap *h, long n, int with_rings) {
  long total = n + (with_rings ? (n / 3) * 3 : 0);
  node **v = malloc((size_t)total * sizeof *v);
  if (v == NULL)
    die("out of memory for the shuffled array");
  for (long i = 0; i < total; i++)
    v[i] = new_node(h);
  unsigned long long st = 1;
  for (long i = total - 1; i > 0; i--) {
    long j = (long)(splitmix64(&st) % (unsigned long long)(i + 1));
    node *t = v[i];
    v[i] = v[j];
    v[j] = t;
  }
  link_tree(h, v, n);
  for (long i = n; i < total; i += 3) {
    rcgc_set(h, &v[i]->a, v[i + 1]);
    rcgc_set(h, &v[i + 1]->a, v[i + 2]);
    rcgc_set(h, &v[i + 2]->a, v[i]);
    rcgc_decref(h, v[i]);
    rcgc_decref(h, v[i + 1]);
    rcgc_decref(h, v[i + 2]);
  }
  node *root = v[0];
  free(v);
  return root;
}

/* ------------------------------------------------- rings / live-tree / mixed
**
** rings      the collector's cost per garbage object: every candidate is
**            unreachable, so the run is all trial deletion plus finalize and
**            free of 3-cycles.
** live-tree  the cost of proving objects alive: a deep, wide structure held
**            by one external reference, nothing freed; the run is subtract
**            refs + move-reachable over N objects.
** mixed      both at once (N live + N garbage), the realistic case where most
**            of what a full collection examines survives.
** live-tree-shuffled, mixed-shuffled
**            the same graphs with the nodes allocated in a random order
**            with respect to them (shuffled()): what the order of the
**            objects in memory and in the lists costs a full collection.
*/

enum kind { K_RINGS, K_TREE, K_MIXED, K_TREE_SHUFFLED, K_MIXED_SHUFFLED };

static const char *const kind_names[] = {"rings", "live-tree", "mixed",
                                         "live-tree-shuffled", "mixed-shuffled"};

static const char *kind_name(enum kind k) { return kind_names[k]; }

/* Does workload k hold a tree of n nodes, drop n/3 rings? */
static int has_tree(enum kind k) { return k != K_RINGS; }
static int has_rings(enum kind k) {
  return k == K_RINGS || k == K_MIXED || k == K_MIXED_SHUFFLED;
}

static int parse_kind(const char *s, enum kind *k) {
  for (size_t i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
    if (strcmp(s, kind_names[i]) == 0) {
      *k = (enum kind)i;
      return 0;
    }
  return -1;
}

/* Build the workload's objects (automatic collection is off); returns the
** held root, or NULL when nothing is held. Out of line so that callgrind can
** count it separately (--toggle-collect=bench_build). */
static BENCH_NOINLINE node *bench_build(rcgc_heap *h, enum kind k, long n) {
  if (k == K_TREE_SHUFFLED || k == K_MIXED_SHUFFLED)
    return shuffled(h, n, k == K_MIXED_SHUFFLED);
  node *keep = NULL;
  if (k != K_RINGS)
    keep = tree(h, n);
  if (k != K_TREE)
    rings(h, n);
  return keep;
}

/* The timed full collection (--toggle-collect=bench_collect). */
static BENCH_NOINLINE long bench_collect(rcgc_heap *h) {
  return rcgc_collect(h, 2);
}

/* Drop the held root (NULL for rings): the tree is freed by reference
** counting, iteratively (--toggle-collect=bench_free). */
static BENCH_NOINLINE void bench_free(rcgc_heap *h, node *keep) {
  rcgc_decref(h, keep);
}

/* What one timed collection must report for workload k of size n. */
static void check_collection(enum kind k, long n, long found, rcgc_heap *h) {
  long garbage = has_rings(k) ? (n / 3) * 3 : 0;
  long live = has_tree(k) ? n : 0;
  char what[96];
  snprintf(what, sizeof what, "%s %ld: rcgc_collect(2) result", kind_name(k),
           n);
  check(what, found, garbage);
  snprintf(what, sizeof what, "%s %ld: objects alive after the collection",
           kind_name(k), n);
  check(what, (long)rcgc_heap_object_count(h), live);
}

static void bench(enum kind k, long n) {
  rcgc_heap *h = heap_new();
  double best = -1;
  for (int rep = 0; rep < 3; rep++) {
    rcgc_collect(h, 2);
    rcgc_disable(h);
    node *keep = bench_build(h, k, n);
    double t = now();
    long found = bench_collect(h);
    double dt = now() - t;
    if (best < 0 || dt < best)
      best = dt;
    check_collection(k, n, found, h);
    rcgc_decref(h, keep); /* frees the tree by refcount, iteratively */
    rcgc_enable(h);
    rcgc_collect(h, 2);
  }
  heap_destroy(h, kind_name(k));
  /* mixed: n live + n garbage */
  long total = has_tree(k) && has_rings(k) ? 2 * n : n;
  printf("%s %ld %.6f %.1f\n", kind_name(k), total, best,
         best / (double)total * 1e9);
  fflush(stdout);
}

/* --once KIND N: one build and one collection, for callgrind. */
static void once(enum kind k, long n, int build_only) {
  rcgc_heap *h = heap_new();
  rcgc_disable(h);
  node *keep = bench_build(h, k, n);
  if (!build_only)
    check_collection(k, n, bench_collect(h), h);
  bench_free(h, keep);
  /* The tree is gone; only rings not collected (build only) are left. */
  char what[96];
  snprintf(what, sizeof what, "%s %ld: objects alive after dropping the tree",
           kind_name(k), n);
  check(what, (long)rcgc_heap_object_count(h),
        build_only && has_rings(k) ? (n / 3) * 3 : 0);
  rcgc_collect(h, 2);
  heap_destroy(h, kind_name(k));
  printf("once %s %ld%s policy=%s\n", kind_name(k),
         has_tree(k) && has_rings(k) ? 2 * n : n,
         build_only ? " build-only" : "", cpython_policy ? "cpython" : "default");
}

/* ------------------------------------------------------- pause measurement
** Start/stop callbacks, exactly as cpython_bench.py uses gc.callbacks: the
** pause is the time between them; generation 2 counts as a full collection.
** With --budget, collections may be incremental, and then the program runs
** between start and stop: each slice event is a pause (its duration); a
** collection that reports no slice ran stop-the-world and is one pause
** from start to stop. 'count' counts pauses and 'collections' the stops.
** Suspect collections (generation 0) may run between a backstop's slices:
** the state is kept per generation.
** pauses_watch registers them, pauses_unwatch removes them.
**
** With `record` set (bigtree, cyclechurn), every pause is kept for the
** percentiles (pause_quantile) and each collection start measures the
** garbage backlog: the nodes the workload dropped (`dropped`, which it
** counts) minus those the collections reported freed so far (the sum of
** info->collected). That figure is checked at every start against the
** heap's own count: rcgc_heap_object_count minus `held`, the nodes the
** workload holds or is still building (collections start only inside
** rcgc_new, so the workload's counters are exact there).
*/

typedef struct pauses {
  double t0[3]; /* per generation: suspect collections run beside a backstop */
  double max;
  long count;
  long collections;
  int sliced[3];  /* per generation: the running collection reported slices */
  long full;
  long collected; /* sum of info->collected at stop */
  int record;     /* keep every pause, measure the backlog */
  double *all;    /* record: the pauses in seconds, count of them */
  long cap;
  long dropped;     /* record: garbage nodes the workload dropped */
  long held;        /* record: nodes alive that are not dropped garbage */
  long backlog_max; /* record: the most dropped-but-unfreed nodes at a start */
  long backlog_mismatch; /* record: starts where the heap's count differed */
} pauses;

static void on_collect(rcgc_heap *h, rcgc_phase phase,
                       const rcgc_collect_info *info, void *ud) {
  pauses *p = ud;
  if (phase == RCGC_PHASE_START) {
    if (p->record) {
      long backlog = p->dropped - p->collected;
      if (backlog > p->backlog_max)
        p->backlog_max = backlog;
      if ((long)rcgc_heap_object_count(h) - p->held != backlog)
        p->backlog_mismatch++;
    }
    p->t0[info->generation] = now();
    return;
  }
  if (phase == RCGC_PHASE_STOP) {
    p->collections++;
    if (info->generation == 2)
      p->full++;
    p->collected += info->collected;
    if (p->sliced[info->generation]) {
      p->sliced[info->generation] = 0;
      return; /* an incremental collection: its slices were the pauses */
    }
  } else {
    p->sliced[info->generation] = 1; /* a slice: the pause is its duration */
  }
  double d = phase == RCGC_PHASE_STOP ? now() - p->t0[info->generation] : info->duration;
  if (d > p->max)
    p->max = d;
  if (p->record) {
    if (p->count == p->cap) {
      p->cap = p->cap ? 2 * p->cap : 1024;
      p->all = realloc(p->all, (size_t)p->cap * sizeof *p->all);
      if (p->all == NULL)
        die("out of memory for the pauses");
    }
    p->all[p->count] = d;
  }
  p->count++;
}

static void pauses_watch(rcgc_heap *h, pauses *p) {
  if (rcgc_callback_add(h, on_collect, p) != 0)
    die("rcgc_callback_add failed");
}

static void pauses_unwatch(rcgc_heap *h, pauses *p, const char *workload) {
  rcgc_callback_remove(h, on_collect, p);
  rcgc_incremental_stats is;
  if (pause_budget != 0 && rcgc_get_incremental_stats(h, &is) == 0)
    fprintf(stderr, "%s incremental: collections=%ld slices=%ld longest_slice_ms=%.3f "
            "total_ms=%.1f table_grows=%ld peak_extra_bytes=%zu abandoned=%ld\n",
            workload, is.collections, is.slices, is.longest_slice * 1e3, is.total * 1e3,
            is.table_grows, is.peak_extra_bytes, is.abandoned);
  if (p->backlog_mismatch != 0) {
    fprintf(stderr, "rcgc_bench: BUG: %s: at %ld of %ld collection starts "
            "rcgc_heap_object_count disagreed with the nodes dropped minus "
            "those the collections reported freed\n",
            workload, p->backlog_mismatch, p->count);
    bugs++;
  }
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* The q-quantile of the recorded pauses in seconds, nearest rank (the
** smallest pause with at least q of all pauses at or below it), as
** anchor_cpython.py computes it; 0 without pauses. Sorts p->all. */
static double pause_quantile(pauses *p, double q) {
  if (p->count == 0)
    return 0;
  qsort(p->all, (size_t)p->count, sizeof *p->all, cmp_double);
  long rank = (long)(q * (double)p->count + 0.999999999);
  if (rank < 1)
    rank = 1;
  return p->all[rank - 1];
}

/* ------------------------------------------------------------------ churn
** Steady state of a program that keeps a large structure and produces
** short-lived cyclic garbage: a held tree of `live` nodes, `rn` rings made
** and dropped one at a time, automatic collection on. Stresses allocation,
** the generation-0 trigger and young collections, and whether the held tree
** (old) is rescanned too often (the long-lived rule).
*/
static void churn(long live, long rn) {
  rcgc_heap *h = heap_new();
  rcgc_collect(h, 2);
  node *keep = tree(h, live);
  rcgc_collect(h, 2);
  pauses p = {0};
  pauses_watch(h, &p);
  double t = now();
  for (long i = 0; i < rn; i++)
    make_ring(h, NULL);
  double total = now() - t;
  pauses_unwatch(h, &p, "churn");
  printf("churn live=%ld rings=%ld total=%.3fs ns_per_ring=%.0f "
         "collections=%ld full=%ld max_pause_ms=%.2f\n",
         live, rn, total, total / (double)rn * 1e9, p.collections, p.full,
         p.max * 1e3);
  fflush(stdout);
  long rest = rcgc_collect(h, 2);
  check("churn: objects collected by the automatic collections and the "
        "final one", p.collected + rest, 3 * rn);
  check("churn: objects alive after the final collection",
        (long)rcgc_heap_object_count(h), live);
  rcgc_decref(h, keep);
  heap_destroy(h, "churn");
}

/* ------------------------------------------------------------------- grow
** A program building a large structure while producing some garbage: a held
** list grows to `live` nodes, each linked (a) to the previous one, one
** garbage ring per `every` nodes, automatic collection on. Stresses the
** long-lived rule (full collections must stay rare or building is
** quadratic) and the worst pause. The list is a plain C array holding one
** reference per node, like the Boehm anchor's.
*/
static void grow(long live, long every) {
  rcgc_heap *h = heap_new();
  rcgc_collect(h, 2);
  node **v = malloc((size_t)live * sizeof *v);
  if (v == NULL)
    die("out of memory for the list");
  pauses p = {0};
  pauses_watch(h, &p);
  node *prev = NULL;
  double t = now();
  for (long i = 0; i < live; i++) {
    node *n = new_node(h);
    rcgc_set(h, &n->a, prev);
    v[i] = n; /* the list owns rcgc_new's reference */
    prev = n;
    if (i % every == 0)
      make_ring(h, NULL);
  }
  double total = now() - t;
  pauses_unwatch(h, &p, "grow");
  printf("grow live=%ld total=%.3fs collections=%ld full=%ld "
         "max_pause_ms=%.2f\n",
         live, total, p.collections, p.full, p.max * 1e3);
  fflush(stdout);
  long rest = rcgc_collect(h, 2);
  check("grow: objects collected by the automatic collections and the final "
        "one", p.collected + rest, 3 * ((live + every - 1) / every));
  check("grow: objects alive after the final collection",
        (long)rcgc_heap_object_count(h), live);
  /* Drop the list front to back: the last decref frees a chain of `live`
  ** nodes, which must not recurse. */
  for (long i = 0; i < live; i++)
    rcgc_decref(h, v[i]);
  free(v);
  check("grow: objects alive after dropping the list",
        (long)rcgc_heap_object_count(h), 0);
  heap_destroy(h, "grow");
}

/* ---------------------------------------------------- bigtree, cyclechurn
** The two pause workloads (bench/README.md): what a program with a large
** heap pays per collection while automatic collection runs, today with
** stop-the-world collections. Both print the total time, the collections
** (full), the longest, median (p50) and 99th-percentile pause, and the
** garbage backlog's high-water mark: the most dropped-but-unfreed nodes at
** any collection start, and their bytes (nodes x bytes per node, which
** rcgc_heap_bytes / rcgc_heap_object_count gives exactly: every object of
** the heap has the same type).
*/

/* Bytes per object of a heap whose objects all have one type. */
static long bytes_per_object(rcgc_heap *h, const char *workload) {
  size_t n = rcgc_heap_object_count(h), b = rcgc_heap_bytes(h);
  if (n == 0 || b % n != 0) {
    fprintf(stderr, "rcgc_bench: BUG: %s: %zu bytes for %zu objects of one "
            "type\n", workload, b, n);
    bugs++;
    return n ? (long)(b / n) : 0;
  }
  return (long)(b / n);
}

static void print_pauses(pauses *p, long node_bytes) {
  /* p50 before p99: both sort p->all, the second finds it sorted */
  double p50 = pause_quantile(p, 0.50), p99 = pause_quantile(p, 0.99);
  printf("collections=%ld full=%ld max_pause_ms=%.3f p50_pause_ms=%.3f "
         "p99_pause_ms=%.3f backlog_max=%ld backlog_max_bytes=%ld\n",
         p->collections, p->full, p->max * 1e3, p50 * 1e3, p99 * 1e3,
         p->backlog_max, p->backlog_max * node_bytes);
  fflush(stdout);
}

/* bigtree: one held tree of `live` nodes under one root, `rn` rings made
** and dropped one at a time, automatic collection on. A collection that
** examines the tree pauses for all of it. */
static void bigtree(long live, long rn) {
  rcgc_heap *h = heap_new();
  rcgc_collect(h, 2);
  node *keep = tree(h, live);
  rcgc_collect(h, 2);
  long node_bytes = bytes_per_object(h, "bigtree");
  pauses p = {.record = 1, .held = live};
  pauses_watch(h, &p);
  double t = now();
  for (long i = 0; i < rn; i++) {
    make_ring(h, &p.held);
    p.held -= 3;
    p.dropped += 3;
  }
  double total = now() - t;
  pauses_unwatch(h, &p, "bigtree");
  printf("bigtree live=%ld rings=%ld total=%.3fs ns_per_ring=%.0f ", live, rn,
         total, total / (double)rn * 1e9);
  print_pauses(&p, node_bytes);
  long rest = rcgc_collect(h, 2);
  check("bigtree: objects collected by the automatic collections and the "
        "final one", p.collected + rest, 3 * rn);
  check("bigtree: objects alive after the final collection",
        (long)rcgc_heap_object_count(h), live);
  free(p.all);
  rcgc_decref(h, keep);
  heap_destroy(h, "bigtree");
}

/* A node with a payload: cyclechurn's objects (node first, so that
** node_traverse reads its links). */
typedef struct pnode {
  node n;
  char payload[64];
} pnode;

static const rcgc_type pnode_type = {
    .name = "PNode",
    .size = sizeof(pnode),
    .traverse = node_traverse,
};

/* cyclechurn's random numbers (splitmix64, seed 1), computed exactly alike
** by anchor_cpython.py, so that both make the same cycles. */
static unsigned long long rng_state;

static unsigned long long rng_next(void) { return splitmix64(&rng_state); }

/* A cycle of k >= 2 payload nodes linked by `a`; returns its first node,
** whose reference the caller owns (the others are held by the links).
** `held` counts each node when it is made. */
static node *make_cycle(rcgc_heap *h, long k, long *held) {
  node *first = rcgc_new(h, &pnode_type);
  if (first == NULL)
    die("rcgc_new failed");
  ++*held;
  node *prev = first;
  for (long i = 1; i < k; i++) {
    node *n = rcgc_new(h, &pnode_type);
    if (n == NULL)
      die("rcgc_new failed");
    ++*held;
    rcgc_set(h, &prev->a, n);
    if (prev != first)
      rcgc_decref(h, prev);
    prev = n;
  }
  rcgc_set(h, &prev->a, first);
  rcgc_decref(h, prev);
  return first;
}

/* cyclechurn: a live set of cycles of 2-20 payload nodes (sizes drawn at
** random) until it holds at least `live` nodes; then `reps` times, a random
** cycle is dropped and a new one of random size takes its place, automatic
** collection on. */
static void cyclechurn(long live, long reps) {
  rcgc_heap *h = heap_new();
  rcgc_collect(h, 2);
  rng_state = 1;
  long cap = live / 2 + 1, ncyc = 0, held = 0;
  node **cyc = malloc((size_t)cap * sizeof *cyc);
  long *len = malloc((size_t)cap * sizeof *len);
  if (cyc == NULL || len == NULL)
    die("out of memory for the cycles");
  while (held < live) {
    long k = 2 + (long)(rng_next() % 19);
    cyc[ncyc] = make_cycle(h, k, &held);
    len[ncyc++] = k;
  }
  long start_live = held;
  rcgc_collect(h, 2);
  check("cyclechurn: objects alive after building the live set",
        (long)rcgc_heap_object_count(h), start_live);
  long node_bytes = bytes_per_object(h, "cyclechurn");
  pauses p = {.record = 1, .held = held};
  pauses_watch(h, &p);
  double t = now();
  for (long i = 0; i < reps; i++) {
    long j = (long)(rng_next() % (unsigned long long)ncyc);
    long k = 2 + (long)(rng_next() % 19);
    rcgc_decref(h, cyc[j]);
    p.held -= len[j];
    p.dropped += len[j];
    cyc[j] = make_cycle(h, k, &p.held);
    len[j] = k;
  }
  double total = now() - t;
  pauses_unwatch(h, &p, "cyclechurn");
  printf("cyclechurn live=%ld cycles=%ld replacements=%ld total=%.3fs "
         "ns_per_replacement=%.0f ", start_live, ncyc, reps, total,
         total / (double)reps * 1e9);
  print_pauses(&p, node_bytes);
  long rest = rcgc_collect(h, 2);
  check("cyclechurn: objects collected by the automatic collections and the "
        "final one", p.collected + rest, p.dropped);
  check("cyclechurn: objects alive after the final collection",
        (long)rcgc_heap_object_count(h), p.held);
  free(p.all);
  for (long j = 0; j < ncyc; j++)
    rcgc_decref(h, cyc[j]);
  free(cyc);
  free(len);
  rcgc_collect(h, 2);
  heap_destroy(h, "cyclechurn");
}

/* ----------------------------------------------------------------- memory
** Bytes per node: resident memory growth around building a held tree of n
** nodes (the tree's temporary array is freed before measuring), plus what
** the heap itself says (rcgc_heap_bytes: data + headers).
*/
static long rss_bytes(void) {
  FILE *f = fopen("/proc/self/statm", "r");
  long size = 0, resident = 0;
  if (f == NULL)
    return -1;
  if (fscanf(f, "%ld %ld", &size, &resident) != 2)
    resident = -1;
  fclose(f);
  return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

static void memory(long n) {
  rcgc_heap *h = heap_new();
  long before = rss_bytes();
  size_t hb0 = rcgc_heap_bytes(h);
  node *keep = tree(h, n);
  long after = rss_bytes();
  size_t hb1 = rcgc_heap_bytes(h);
  printf("memory nodes=%ld rss_bytes_per_node=%.1f native_bytes_per_node=%.1f "
         "native=rcgc_heap_bytes policy=%s\n",
         n, (double)(after - before) / (double)n,
         (double)(hb1 - hb0) / (double)n, cpython_policy ? "cpython" : "default");
  fflush(stdout);
  rcgc_decref(h, keep);
  heap_destroy(h, "memory");
}

/* ------------------------------------------------------------------- main */

static long parse_size(const char *s) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < 1) {
    fprintf(stderr, "rcgc_bench: not a size: %s\n", s);
    exit(2);
  }
  return v;
}

static _Noreturn void usage(void) {
  fprintf(stderr,
          "usage: rcgc_bench [--policy default|cpython] [--budget US]"
          " [--churn LIVE RINGS] [--grow LIVE]\n"
          "                  [--bigtree LIVE RINGS] [--cyclechurn LIVE REPLACEMENTS]"
          " [--no-churn] [--no-grow]\n"
          "                  [--no-bigtree] [--no-cyclechurn] [--no-shuffled] [N ...]\n"
          "       rcgc_bench [--policy default|cpython] [--budget US] --once"
          " rings|live-tree|mixed|live-tree-shuffled|mixed-shuffled N [--build-only]\n"
          "       rcgc_bench [--policy default|cpython] [--budget US] --memory N\n");
  exit(2);
}

/* Take "--policy NAME" out of argv (wherever it is), so that the other
** forms read their arguments at fixed places. */
static int take_policy(int argc, char **argv) {
  int out = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc) {
      pause_budget = (unsigned)strtoul(argv[++i], NULL, 10);
      continue;
    }
    if (strcmp(argv[i], "--policy") != 0) {
      argv[out++] = argv[i];
      continue;
    }
    if (i + 1 >= argc)
      usage();
    const char *name = argv[++i];
    if (strcmp(name, "default") == 0)
      cpython_policy = 0;
    else if (strcmp(name, "cpython") == 0)
      cpython_policy = 1;
    else
      usage();
  }
  argv[out] = NULL;
  return out;
}

int main(int argc, char **argv) {
  long sizes[16];
  int nsizes = 0;
  long churn_live = 1000000, churn_rings = 3000000, grow_live = 4000000;
  long bigtree_live = 4000000, bigtree_rings = 2000000;
  long cc_live = 1000000, cc_reps = 2000000;
  int do_churn = 1, do_grow = 1, do_bigtree = 1, do_cyclechurn = 1;
  int do_shuffled = 1;

  argc = take_policy(argc, argv);
#ifndef RCGC_HAVE_POLICY
  if (cpython_policy) {
    fprintf(stderr, "rcgc_bench: this rcgc has no rcgc_set_policy "
                    "(RCGC_HAVE_POLICY): --policy cpython is not available\n");
    return 2;
  }
#endif

  if (argc >= 2 && strcmp(argv[1], "--once") == 0) {
    enum kind k;
    if (argc < 4 || parse_kind(argv[2], &k) != 0)
      usage();
    once(k, parse_size(argv[3]),
         argc >= 5 && strcmp(argv[4], "--build-only") == 0);
    return bugs ? 3 : 0;
  }
  if (argc >= 2 && strcmp(argv[1], "--memory") == 0) {
    memory(argc >= 3 ? parse_size(argv[2]) : 4000000);
    return bugs ? 3 : 0;
  }
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--churn") == 0 && i + 2 < argc) {
      churn_live = parse_size(argv[++i]);
      churn_rings = parse_size(argv[++i]);
    } else if (strcmp(argv[i], "--grow") == 0 && i + 1 < argc) {
      grow_live = parse_size(argv[++i]);
    } else if (strcmp(argv[i], "--bigtree") == 0 && i + 2 < argc) {
      bigtree_live = parse_size(argv[++i]);
      bigtree_rings = parse_size(argv[++i]);
    } else if (strcmp(argv[i], "--cyclechurn") == 0 && i + 2 < argc) {
      cc_live = parse_size(argv[++i]);
      cc_reps = parse_size(argv[++i]);
    } else if (strcmp(argv[i], "--no-bigtree") == 0) {
      do_bigtree = 0;
    } else if (strcmp(argv[i], "--no-cyclechurn") == 0) {
      do_cyclechurn = 0;
    } else if (strcmp(argv[i], "--no-shuffled") == 0) {
      do_shuffled = 0;
    } else if (strcmp(argv[i], "--no-churn") == 0) {
      do_churn = 0;
    } else if (strcmp(argv[i], "--no-grow") == 0) {
      do_grow = 0;
    } else if (argv[i][0] == '-') {
      usage();
    } else if (nsizes < (int)(sizeof sizes / sizeof sizes[0])) {
      sizes[nsizes++] = parse_size(argv[i]);
    }
  }
  if (nsizes == 0) {
    sizes[0] = 100000;
    sizes[1] = 1000000;
    sizes[2] = 4000000;
    nsizes = 3;
  }

  if (pause_budget != 0)
    printf("rcgc %s policy=%s budget_us=%u\n", rcgc_version(),
           cpython_policy ? "cpython" : "default", pause_budget);
  else
    printf("rcgc %s policy=%s\n", rcgc_version(),
           cpython_policy ? "cpython" : "default");
  fflush(stdout);
  for (int i = 0; i < nsizes; i++) {
    bench(K_RINGS, sizes[i]);
    bench(K_TREE, sizes[i]);
    bench(K_MIXED, sizes[i]);
    if (do_shuffled) {
      bench(K_TREE_SHUFFLED, sizes[i]);
      bench(K_MIXED_SHUFFLED, sizes[i]);
    }
  }
  if (do_churn)
    churn(churn_live, churn_rings);
  if (do_grow)
    grow(grow_live, 10);
  if (do_bigtree)
    bigtree(bigtree_live, bigtree_rings);
  if (do_cyclechurn)
    cyclechurn(cc_live, cc_reps);
  if (bugs)
    fprintf(stderr, "rcgc_bench: %ld check(s) failed\n", bugs);
  return bugs ? 3 : 0;
}
