/*
** classic_c.c -- GCBench and binary-trees (bench/README.md, "Classic
** benchmarks") in plain C, for the systems without reference counting. The
** same source is built three ways (bench/CMakeLists.txt):
**
**   -DBENCH_MALLOC    glibc malloc; every tree is freed by a recursive walk
**                     when it is dropped (the cyclic variant's parent
**                     pointers are simply not followed)
**   -DBENCH_MIMALLOC  the same program linked with mimalloc, which then
**                     replaces malloc and free (checked at start)
**   -DBENCH_BOEHM     the Boehm collector: nodes from GC_MALLOC, the array
**                     from GC_MALLOC_ATOMIC; dropping a tree is forgetting
**                     its root (the cyclic variant just stores the parent)
**
** Usage, output and depths are those of classic_rcgc.c:
**   classic_{malloc,mimalloc,boehm} gcbench|binary-trees [--cyclic] [DEPTH]
** The result line carries collections, full, max_pause_ms and gc_seconds
** for Boehm only (timed between its GC_EVENT_START and GC_EVENT_END
** collection events; sweeping is lazy, done during later allocations, so
** it is not part of those pauses).
*/
#define _POSIX_C_SOURCE 200809L

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#if defined(BENCH_BOEHM)
#define GC_THREADS /* only to declare GC_get_parallel */
#include <gc.h>
#define SYSTEM "boehm"
#elif defined(BENCH_MIMALLOC)
#include <mimalloc.h>
#define SYSTEM "mimalloc"
#elif defined(BENCH_MALLOC)
#include <gnu/libc-version.h>
#define SYSTEM "malloc"
#else
#error "build with one of BENCH_MALLOC, BENCH_MIMALLOC, BENCH_BOEHM"
#endif

static int cyclic; /* every node also points to its parent */
static long made;  /* nodes made */

static _Noreturn void die(const char *what) {
  fprintf(stderr, "classic_%s: fatal: %s\n", SYSTEM, what);
  exit(2);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void *alloc(size_t size) {
#ifdef BENCH_BOEHM
  void *p = GC_MALLOC(size); /* zeroed */
#else
  void *p = malloc(size);
#endif
  if (p == NULL)
    die("out of memory");
  return p;
}

#ifdef BENCH_BOEHM
static struct {
  double t0, max, sum;
  long count;
} gc;

static void on_event(GC_EventType e) {
  if (e == GC_EVENT_START) {
    gc.t0 = now();
  } else if (e == GC_EVENT_END) {
    double d = now() - gc.t0;
    gc.sum += d;
    if (d > gc.max)
      gc.max = d;
    gc.count++;
  }
}
#endif

/* ------------------------------------------------------------ binary-trees */
typedef struct tnode {
  struct tnode *left, *right;
  struct tnode *parent; /* cyclic variant only */
} tnode;

static tnode *tnode_new(void) {
  tnode *n = alloc(cyclic ? sizeof(tnode) : offsetof(tnode, parent));
  n->left = n->right = NULL;
  if (cyclic)
    n->parent = NULL;
  made++;
  return n;
}

static void tnode_drop(tnode *n) {
#ifdef BENCH_BOEHM
  (void)n;
#else
  if (n == NULL)
    return;
  tnode_drop(n->left);
  tnode_drop(n->right);
  free(n);
#endif
}

static tnode *bottom_up_tree(int depth) {
  tnode *n = tnode_new();
  if (depth > 0) {
    n->left = bottom_up_tree(depth - 1);
    n->right = bottom_up_tree(depth - 1);
    if (cyclic)
      n->left->parent = n->right->parent = n;
  }
  return n;
}

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
  tnode_drop(stretch);

  tnode *long_lived = bottom_up_tree(max_depth);
  for (int d = min_depth; d <= max_depth; d += 2) {
    long iterations = 1L << (max_depth - d + min_depth), sum = 0;
    for (long i = 0; i < iterations; i++) {
      tnode *t = bottom_up_tree(d);
      sum += item_check(t);
      tnode_drop(t);
    }
    printf("%ld\t trees of depth %d\t check: %ld\n", iterations, d, sum);
  }
  printf("long lived tree of depth %d\t check: %ld\n", max_depth,
         item_check(long_lived));
  tnode_drop(long_lived);
}

/* ---------------------------------------------------------------- GCBench */
typedef struct gnode {
  struct gnode *left, *right;
  int i, j;
  struct gnode *parent; /* cyclic variant only */
} gnode;

static gnode *gnode_new(void) {
  gnode *n = alloc(cyclic ? sizeof(gnode) : offsetof(gnode, parent));
  n->left = n->right = NULL;
  n->i = n->j = 0;
  if (cyclic)
    n->parent = NULL;
  made++;
  return n;
}

static void gnode_drop(gnode *n) {
#ifdef BENCH_BOEHM
  (void)n;
#else
  if (n == NULL)
    return;
  gnode_drop(n->left);
  gnode_drop(n->right);
  free(n);
#endif
}

static long tree_size(int d) { return (1L << (d + 1)) - 1; }

static void populate(int depth, gnode *n) {
  if (depth <= 0)
    return;
  depth--;
  n->left = gnode_new();
  n->right = gnode_new();
  if (cyclic)
    n->left->parent = n->right->parent = n;
  populate(depth, n->left);
  populate(depth, n->right);
}

static gnode *make_tree(int depth) {
  if (depth <= 0)
    return gnode_new();
  gnode *l = make_tree(depth - 1);
  gnode *r = make_tree(depth - 1);
  gnode *n = gnode_new();
  n->left = l;
  n->right = r;
  if (cyclic)
    l->parent = r->parent = n;
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
  gnode_drop(t);

  gnode *long_lived = gnode_new();
  populate(depth, long_lived);
#ifdef BENCH_BOEHM
  double *array = GC_MALLOC_ATOMIC((size_t)array_size * sizeof(double));
  if (array == NULL)
    die("out of memory");
#else
  double *array = alloc((size_t)array_size * sizeof(double));
#endif
  for (long i = 1; i < array_size / 2; i++)
    array[i] = 1.0 / (double)i;

  for (int d = min_depth; d <= depth; d += 2) {
    long iterations = 2 * tree_size(stretch_depth) / tree_size(d);
    for (long i = 0; i < iterations; i++) {
      t = gnode_new();
      populate(d, t);
      gnode_drop(t);
    }
    for (long i = 0; i < iterations; i++) {
      t = make_tree(d);
      gnode_drop(t);
    }
    printf("%ld trees of depth %d top-down and %ld bottom-up\n", iterations,
           d, iterations);
  }
  printf("long-lived tree of depth %d: %ld nodes; array[1000] %s\n", depth,
         gnode_count(long_lived),
         array[1000] == 1.0 / 1000.0 ? "ok" : "WRONG");
  gnode_drop(long_lived);
#ifndef BENCH_BOEHM
  free(array);
#endif
}

/* ------------------------------------------------------------------ main */

static _Noreturn void usage(void) {
  fprintf(stderr, "usage: classic_%s gcbench|binary-trees [--cyclic] "
                  "[DEPTH]\n", SYSTEM);
  exit(2);
}

int main(int argc, char **argv) {
  const char *workload = NULL;
  int depth = -1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--cyclic") == 0)
      cyclic = 1;
    else if (workload == NULL && (strcmp(argv[i], "gcbench") == 0 ||
                                  strcmp(argv[i], "binary-trees") == 0))
      workload = argv[i];
    else if (depth < 0 && argv[i][0] >= '0' && argv[i][0] <= '9')
      depth = atoi(argv[i]);
    else
      usage();
  }
  if (workload == NULL || depth > 30)
    usage();
  int is_gcbench = strcmp(workload, "gcbench") == 0;
  if (depth < 0)
    depth = is_gcbench ? 16 : 10;

#if defined(BENCH_BOEHM)
  GC_INIT();
  GC_set_on_collection_event(on_event);
  unsigned v = GC_get_version();
  printf("version bdwgc %u.%u.%u parallel-mark=%d\n", v >> 16,
         (v >> 8) & 0xff, v & 0xff, GC_get_parallel());
#elif defined(BENCH_MIMALLOC)
  /* Linked in, mimalloc must be the process's malloc. */
  void *probe = malloc(64);
  if (probe == NULL || !mi_is_in_heap_region(probe))
    die("malloc is not mimalloc's: link with -lmimalloc");
  free(probe);
  int v = mi_version();
  printf("version mimalloc %d.%d.%d\n", v / 100, v / 10 % 10, v % 10);
#else
  printf("version glibc %s malloc\n", gnu_get_libc_version());
#endif

  double t0 = now();
  if (is_gcbench)
    gcbench(depth);
  else
    binary_trees(depth);
  double seconds = now() - t0;

  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("result workload=%s variant=%s depth=%d seconds=%.3f nodes=%ld",
         workload, cyclic ? "cyclic" : "acyclic", depth, seconds, made);
#ifdef BENCH_BOEHM
  printf(" collections=%ld max_pause_ms=%.3f gc_seconds=%.3f "
         "heap_bytes=%zu", gc.count, gc.max * 1e3, gc.sum, GC_get_heap_size());
#endif
  printf(" maxrss_kb=%ld\n", ru.ru_maxrss);
  return 0;
}
