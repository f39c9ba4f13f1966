/*
** classic_rcgc.c -- the classic garbage-collector benchmarks, GCBench and
** binary-trees, written on rcgc (bench/README.md, "Classic benchmarks").
**
** Written the way a C program would naturally use rcgc: rcgc_new's
** reference is stored straight into a parent's field (transferred, no extra
** incref/decref), and a tree is dropped with one rcgc_decref on its root.
** Automatic collection stays on: it is what is measured.
**
** The cyclic variant gives every node a strong reference to its parent
** (child->parent = n, plus an rcgc_incref of n), so every tree is a web of
** cycles that reference counting alone never frees: each one must be
** reclaimed by the collector. The program checks that it was: after the
** long-lived structures are dropped and a final rcgc_collect(heap, 2), no
** object is alive, and the collections (automatic ones plus the final one)
** freed exactly as many objects as nodes were made (0 in the acyclic
** variant, where reference counting frees every tree).
**
** Usage:
**   classic_rcgc [--policy default|cpython|off] [--budget US] gcbench [--cyclic] [DEPTH]
**   classic_rcgc [--policy default|cpython|off] [--budget US] binary-trees [--cyclic] [DEPTH]
**
** --policy cpython selects CPython 3.11's exact collection schedule
** (rcgc_set_policy) when the library has the policy interface; "default"
** keeps the library's default; "off" turns automatic collection off
** (rcgc_disable): reference counting alone frees the trees, which only the
** acyclic variant allows (with --cyclic it is a usage error: the cyclic
** variant's trees are reclaimed by the collector or never), and the program
** checks that no collection ran. DEPTH: GCBench's long-lived (and largest)
** tree depth, 16 by default (stretch tree DEPTH + 2); binary-trees' maximum
** depth, 10 by default (stretch tree DEPTH + 1).
**
** Output (bench/report.py reads it; the same shape as classic_c.c and
** classic_python.py):
**   version rcgc 0.1.0 policy=default
**   <check lines: equal on every system for the same workload>
**   result workload=... variant=acyclic|cyclic depth=D seconds=S nodes=N
**          collections=C full=F max_pause_ms=P gc_seconds=G collected=K
**          alive=A maxrss_kb=R
** A failed check prints "classic_rcgc: BUG: ..." on stderr and the program
** exits with status 3.
*/
#define _POSIX_C_SOURCE 200809L

#include "rcgc.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static rcgc_heap *heap;
static int cyclic; /* every node also references its parent */
static int strict;  /* --strict: RCGC_CONFIG_STRICT_STORES */
static long made;  /* nodes made */
static long bugs;

static _Noreturn void die(const char *what) {
  fprintf(stderr, "classic_rcgc: fatal: %s\n", what);
  exit(2);
}

static void check(const char *what, long got, long want) {
  if (got != want) {
    fprintf(stderr, "classic_rcgc: BUG: %s: got %ld, expected %ld\n", what,
            got, want);
    bugs++;
  }
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* ------------------------------------------------------------ collections
** Pauses and collection counts through the start/stop callback pair, as
** rcgc_bench.c measures them. */
static struct {
  double t0[3], max, sum; /* t0, sliced: per generation (suspect
                          ** collections run between a backstop's slices) */
  long count, full, collected;
  int sliced[3]; /* the running collection reported slices */
} gc;

/* --budget US: the heap's pause budget; collections may then be
** incremental: the program runs between START and STOP, and each
** RCGC_PHASE_SLICE (its duration) is a pause; one without slices ran
** stop-the-world and is one pause. */
static unsigned budget;

static void pause_of(double d) {
  gc.sum += d;
  if (d > gc.max)
    gc.max = d;
}

static void on_collect(rcgc_heap *h, rcgc_phase phase,
                       const rcgc_collect_info *info, void *ud) {
  (void)h;
  (void)ud;
  int g = info->generation;
  if (phase == RCGC_PHASE_START) {
    gc.t0[g] = now();
    return;
  }
  if (phase != RCGC_PHASE_STOP) { /* a slice */
    pause_of(info->duration);
    gc.sliced[g] = 1;
    return;
  }
  if (!gc.sliced[g]) /* stop-the-world: one pause from start to stop */
    pause_of(now() - gc.t0[g]);
  gc.sliced[g] = 0;
  gc.count++;
  if (info->generation == 2)
    gc.full++;
  gc.collected += info->collected;
}

/* ------------------------------------------------------------ binary-trees
** A node holds its two children; in the cyclic variant also its parent.
** The acyclic type's objects stop before the parent field. */
typedef struct tnode {
  struct tnode *left, *right;
  struct tnode *parent; /* cyclic variant only */
} tnode;

static int tnode_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  tnode *n = obj;
  RCGC_VISIT(n->left, "left");
  RCGC_VISIT(n->right, "right");
  return 0;
}

static int tnode_traverse_cyclic(void *obj, rcgc_visit_fn visit, void *arg) {
  tnode *n = obj;
  RCGC_VISIT(n->left, "left");
  RCGC_VISIT(n->right, "right");
  RCGC_VISIT(n->parent, "parent");
  return 0;
}

static const rcgc_type tnode_type = {
    .name = "TreeNode",
    .size = offsetof(tnode, parent),
    .traverse = tnode_traverse,
};
static const rcgc_type tnode_cyclic_type = {
    .name = "TreeNode",
    .size = sizeof(tnode),
    .traverse = tnode_traverse_cyclic,
};

static tnode *tnode_new(void) {
  tnode *n = rcgc_new(heap, cyclic ? &tnode_cyclic_type : &tnode_type);
  if (n == NULL)
    die("rcgc_new failed");
  made++;
  return n;
}

/* A complete tree of the given depth (depth 0: one node). */
static tnode *bottom_up_tree(int depth) {
  tnode *n = tnode_new();
  if (depth > 0) {
    n->left = bottom_up_tree(depth - 1);
    n->right = bottom_up_tree(depth - 1);
    if (cyclic) {
      n->left->parent = n;
      rcgc_incref(heap, n);
      n->right->parent = n;
      rcgc_incref(heap, n);
    }
  }
  return n;
}

/* The number of nodes, counted by walking the tree. */
static long item_check(const tnode *n) {
  if (n->left == NULL)
    return 1;
  return 1 + item_check(n->left) + item_check(n->right);
}

static void binary_trees(int max_depth) {
  int min_depth = 4;
  if (max_depth < min_depth + 2)
    max_depth = min_depth + 2;

  tnode *stretch = bottom_up_tree(max_depth + 1);
  printf("stretch tree of depth %d\t check: %ld\n", max_depth + 1,
         item_check(stretch));
  rcgc_decref(heap, stretch);

  tnode *long_lived = bottom_up_tree(max_depth);
  for (int d = min_depth; d <= max_depth; d += 2) {
    long iterations = 1L << (max_depth - d + min_depth), sum = 0;
    for (long i = 0; i < iterations; i++) {
      tnode *t = bottom_up_tree(d);
      sum += item_check(t);
      rcgc_decref(heap, t);
    }
    printf("%ld\t trees of depth %d\t check: %ld\n", iterations, d, sum);
  }
  printf("long lived tree of depth %d\t check: %ld\n", max_depth,
         item_check(long_lived));
  rcgc_decref(heap, long_lived);
}

/* ---------------------------------------------------------------- GCBench
** GCBench's node has two children and two integer fields it never uses;
** the cyclic variant adds the parent. Its long-lived array of doubles is an
** rcgc object without traverse (it holds no references: never tracked). */
typedef struct gnode {
  struct gnode *left, *right;
  int i, j;
  struct gnode *parent; /* cyclic variant only */
} gnode;

static int gnode_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  gnode *n = obj;
  RCGC_VISIT(n->left, "left");
  RCGC_VISIT(n->right, "right");
  return 0;
}

static int gnode_traverse_cyclic(void *obj, rcgc_visit_fn visit, void *arg) {
  gnode *n = obj;
  RCGC_VISIT(n->left, "left");
  RCGC_VISIT(n->right, "right");
  RCGC_VISIT(n->parent, "parent");
  return 0;
}

static const rcgc_type gnode_type = {
    .name = "Node",
    .size = offsetof(gnode, parent),
    .traverse = gnode_traverse,
};
static const rcgc_type gnode_cyclic_type = {
    .name = "Node",
    .size = sizeof(gnode),
    .traverse = gnode_traverse_cyclic,
};
static const rcgc_type array_type = {.name = "DoubleArray", .size = 0};

static gnode *gnode_new(void) {
  gnode *n = rcgc_new(heap, cyclic ? &gnode_cyclic_type : &gnode_type);
  if (n == NULL)
    die("rcgc_new failed");
  made++;
  return n;
}

/* Nodes in a complete tree of depth d (depth 0: one node). */
static long tree_size(int d) { return (1L << (d + 1)) - 1; }

/* Top-down: give n two new children, then fill each one in. */
static void populate(int depth, gnode *n) {
  if (depth <= 0)
    return;
  depth--;
  n->left = gnode_new();
  n->right = gnode_new();
  if (cyclic) {
    n->left->parent = n;
    rcgc_incref(heap, n);
    n->right->parent = n;
    rcgc_incref(heap, n);
  }
  populate(depth, n->left);
  populate(depth, n->right);
}

/* Bottom-up: both subtrees first, then the node holding them. */
static gnode *make_tree(int depth) {
  if (depth <= 0)
    return gnode_new();
  gnode *l = make_tree(depth - 1);
  gnode *r = make_tree(depth - 1);
  gnode *n = gnode_new();
  n->left = l;
  n->right = r;
  if (cyclic) {
    l->parent = n;
    rcgc_incref(heap, n);
    r->parent = n;
    rcgc_incref(heap, n);
  }
  return n;
}

static long gnode_count(const gnode *n) {
  return n == NULL ? 0 : 1 + gnode_count(n->left) + gnode_count(n->right);
}

static void gcbench(int depth) {
  const int stretch_depth = depth + 2, min_depth = 4;
  const long array_size = 500000;

  gnode *t = make_tree(stretch_depth);
  printf("stretch tree of depth %d: %ld nodes\n", stretch_depth,
         gnode_count(t));
  rcgc_decref(heap, t);

  gnode *long_lived = gnode_new();
  populate(depth, long_lived);
  double *array = rcgc_new_sized(heap, &array_type,
                                 (size_t)array_size * sizeof(double));
  if (array == NULL)
    die("rcgc_new_sized failed");
  for (long i = 1; i < array_size / 2; i++)
    array[i] = 1.0 / (double)i;

  for (int d = min_depth; d <= depth; d += 2) {
    /* As many trees as make twice the stretch tree's node count. */
    long iterations = 2 * tree_size(stretch_depth) / tree_size(d);
    for (long i = 0; i < iterations; i++) {
      t = gnode_new();
      populate(d, t);
      rcgc_decref(heap, t);
    }
    for (long i = 0; i < iterations; i++) {
      t = make_tree(d);
      rcgc_decref(heap, t);
    }
    printf("%ld trees of depth %d top-down and %ld bottom-up\n", iterations,
           d, iterations);
  }
  printf("long-lived tree of depth %d: %ld nodes; array[1000] %s\n", depth,
         gnode_count(long_lived),
         array[1000] == 1.0 / 1000.0 ? "ok" : "WRONG");
  rcgc_decref(heap, long_lived);
  rcgc_decref(heap, array);
}

/* ------------------------------------------------------------------ main */

static _Noreturn void usage(void) {
  fprintf(stderr, "usage: classic_rcgc [--policy default|cpython|off] [--budget US] [--strict] "
                  "gcbench|binary-trees [--cyclic] [DEPTH]\n"
                  "       (--policy off: automatic collection off, the acyclic variant only;\n"
                  "        --strict: a heap with RCGC_CONFIG_STRICT_STORES -- the program\n"
                  "        stores references only into empty fields and drops them with\n"
                  "        rcgc_decref, which keeps that promise)\n");
  exit(2);
}

int main(int argc, char **argv) {
  const char *policy = "default", *workload = NULL;
  int depth = -1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc)
      policy = argv[++i];
    else if (strcmp(argv[i], "--budget") == 0 && i + 1 < argc)
      budget = (unsigned)strtoul(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--cyclic") == 0)
      cyclic = 1;
    else if (strcmp(argv[i], "--strict") == 0)
      strict = 1;
    else if (workload == NULL && (strcmp(argv[i], "gcbench") == 0 ||
                                  strcmp(argv[i], "binary-trees") == 0))
      workload = argv[i];
    else if (depth < 0 && argv[i][0] >= '0' && argv[i][0] <= '9')
      depth = atoi(argv[i]);
    else
      usage();
  }
  int off = strcmp(policy, "off") == 0;
  if (workload == NULL || depth > 30 ||
      (strcmp(policy, "default") != 0 && strcmp(policy, "cpython") != 0 && !off))
    usage();
  if (off && cyclic) {
    fprintf(stderr, "classic_rcgc: --policy off (automatic collection off) runs the acyclic "
                    "variant only: the cyclic variant's trees are reclaimed by the collector "
                    "or never\n");
    usage();
  }
  int is_gcbench = strcmp(workload, "gcbench") == 0;
  if (depth < 0)
    depth = is_gcbench ? 16 : 10;

  rcgc_config cfg;
  rcgc_config_init(&cfg);
  if (strict)
    cfg.flags |= RCGC_CONFIG_STRICT_STORES;
  heap = rcgc_heap_new(&cfg);
  if (heap == NULL)
    die("rcgc_heap_new failed");
  const char *applied = "library default";
#ifdef RCGC_HAVE_POLICY
  if (strcmp(policy, "cpython") == 0) {
    if (rcgc_set_policy(heap, RCGC_POLICY_CPYTHON) != 0)
      die("rcgc_set_policy(RCGC_POLICY_CPYTHON) failed");
    applied = "RCGC_POLICY_CPYTHON";
  }
#else
  if (strcmp(policy, "cpython") == 0)
    applied = "library default: this rcgc has no rcgc_set_policy";
#endif
  if (off) {
    rcgc_disable(heap);
    applied = "automatic collection off: rcgc_disable";
  }
  if (budget != 0 && rcgc_set_pause_budget(heap, budget) != 0)
    die("rcgc_set_pause_budget failed");
  if (budget != 0)
    printf("version rcgc %s policy=%s (%s) budget_us=%u%s\n", rcgc_version(), policy, applied,
           budget, strict ? " strict_stores" : "");
  else
    printf("version rcgc %s policy=%s (%s)\n", rcgc_version(), policy, applied);
  if (rcgc_callback_add(heap, on_collect, NULL) != 0)
    die("rcgc_callback_add failed");

  double t0 = now();
  if (is_gcbench)
    gcbench(depth);
  else
    binary_trees(depth);
  double seconds = now() - t0;
  fflush(stdout);

  /* Everything is dropped: one last full collection (not counted among the
  ** collections) reclaims what the automatic ones had not reached yet. */
  rcgc_callback_remove(heap, on_collect, NULL);
  rcgc_incremental_stats is;
  if (budget != 0 && rcgc_get_incremental_stats(heap, &is) == 0)
    fprintf(stderr, "incremental: collections=%ld slices=%ld longest_slice_ms=%.3f "
            "total_ms=%.1f table_grows=%ld peak_extra_bytes=%zu abandoned=%ld running=%d\n",
            is.collections, is.slices, is.longest_slice * 1e3, is.total * 1e3,
            is.table_grows, is.peak_extra_bytes, is.abandoned, is.running);
  long final = rcgc_collect(heap, 2);
  long collected = gc.collected + final;
  long alive = (long)rcgc_heap_object_count(heap);
  check("objects alive after the final collection", alive, 0);
  if (off)
    check("collections with automatic collection off", gc.count, 0);
  check("objects freed by the collections (automatic and final)", collected,
        cyclic ? made : 0);
  size_t leaked = rcgc_heap_destroy(heap);
  check("rcgc_heap_destroy: objects still alive", (long)leaked, 0);

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("result workload=%s variant=%s depth=%d seconds=%.3f nodes=%ld "
         "collections=%ld full=%ld max_pause_ms=%.3f gc_seconds=%.3f "
         "collected=%ld alive=%ld maxrss_kb=%ld\n",
         workload, cyclic ? "cyclic" : "acyclic", depth, seconds, made,
         gc.count, gc.full, gc.max * 1e3, gc.sum, collected, alive,
         ru.ru_maxrss);
  if (bugs)
    fprintf(stderr, "classic_rcgc: %ld check(s) failed\n", bugs);
  return bugs ? 3 : 0;
}
