/*
** bench_leak.c -- timings and extra memory of the leak-hunting calls on a
** heap of N objects (default 1,000,000): a 4-reference node type, a long
** chain plus random references (cycles everywhere), 1% of the objects held
** from outside, a garbage share of unreachable cycles. Prints one line per
** call: seconds, peak extra bytes taken from the allocator hook during the
** call, and its time budget (the seconds each call may take on a heap of
** 1,000,000 objects; slower calls are marked OVER TARGET).
*/
#include <rcgc.h>
#include <rcgc_leak.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct obj4 {
  void *r[4];
} obj4;

static const char *const names[4] = {"next", "prev", "child", "owner"};
static int traverse4(void *o, rcgc_visit_fn visit, void *arg) {
  obj4 *x = o;
  for (int i = 0; i < 4; i++)
    RCGC_VISIT(x->r[i], names[i]);
  return 0;
}
static const rcgc_type t4 = {.name = "Obj4", .size = sizeof(obj4), .traverse = traverse4};

typedef struct counting {
  long long live, peak;
} counting;
static void *count_alloc(void *ud, void *p, size_t old, size_t size) {
  counting *c = ud;
  if (size == 0) {
    c->live -= (long long)old;
    free(p);
    return NULL;
  }
  void *q = realloc(p, size);
  if (q) {
    c->live += (long long)size - (long long)old;
    if (c->live > c->peak)
      c->peak = c->live;
  }
  return q;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static counting cnt;
static double t0;
static long long base;
static void start(void) {
  base = cnt.live;
  cnt.peak = cnt.live;
  t0 = now();
}
static void stop(const char *what, double target) {
  double dt = now() - t0;
  printf("%-34s %7.3f s  (target %4.1f s)  extra %7.1f MB%s\n", what, dt, target,
         (double)(cnt.peak - base) / 1e6, dt > target ? "  OVER TARGET" : "");
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.alloc = count_alloc;
  cfg.alloc_ud = &cnt;
  cfg.flags = RCGC_CONFIG_SERIALS;
  rcgc_heap *h = rcgc_heap_new(&cfg);
  rcgc_disable(h);
  obj4 **all = malloc((size_t)n * sizeof *all);
  srand(1);
  for (long i = 0; i < n; i++)
    all[i] = rcgc_new(h, &t4);
  long tail = n - n / 20; /* [tail, n): unreachable garbage with cycles */
  for (long i = 0; i < n; i++) {
    long lo = i >= tail ? tail : 0, span = i >= tail ? n - tail : tail;
    if (i + 1 < n && i + 1 != tail)
      rcgc_set(h, &all[i]->r[0], all[i + 1]);
    if (rand() % 2)
      rcgc_set(h, &all[i]->r[1], all[lo + rand() % span]);
    if (rand() % 4 == 0)
      rcgc_set(h, &all[i]->r[2], all[lo + rand() % span]);
  }
  /* keep 1% held from outside; the last 5% form an unreachable tail */
  for (long i = 0; i < n; i++)
    if (i % 100 != 0 || i >= tail)
      rcgc_decref(h, all[i]);
  printf("heap: %zu objects, %zu bytes\n", rcgc_heap_object_count(h), rcgc_heap_bytes(h));
  size_t k;
  start();
  rcgc_leak_root *roots;
  rcgc_leak_roots(h, &roots, &k);
  stop("roots", 0.2);
  printf("  %zu roots\n", k);
  rcgc_leak_free(h, roots);
  start();
  rcgc_leak_path *p;
  size_t np;
  int r = rcgc_leak_why(h, all[tail - 1], 1, &p, &np);
  stop("why alive (1 path)", 0.5);
  printf("  result %d, %zu steps\n", r, r == 0 ? p[0].nsteps : 0);
  rcgc_leak_free(h, p);
  start();
  r = rcgc_leak_why(h, all[n / 2 + 3], 10, &p, &np);
  stop("why alive (10 paths)", 0.5);
  rcgc_leak_free(h, p);
  start();
  rcgc_leak_cycle_set *cs;
  rcgc_leak_cycles(h, RCGC_LEAK_GARBAGE, NULL, 0, &cs);
  stop("cycles (garbage)", 1.0);
  printf("  %zu cycles among %zu garbage objects\n", cs->ncycles, cs->nobjects);
  rcgc_leak_free(h, cs);
  start();
  rcgc_leak_cycles(h, RCGC_LEAK_HEAP, NULL, 0, &cs);
  stop("cycles (whole heap)", 1.0);
  printf("  %zu cycles, largest %zu objects\n", cs->ncycles,
         cs->ncycles ? cs->cycles[0].nmembers : 0);
  rcgc_leak_free(h, cs);
  start();
  rcgc_leak_retained *d;
  rcgc_leak_dominators(h, &d, &k);
  stop("dominators + retained sizes", 2.0);
  rcgc_leak_free(h, d);
  start();
  rcgc_leak_top_retainers(h, 10, &d, &k);
  stop("top 10 retainers", 2.0);
  rcgc_leak_free(h, d);
  start();
  rcgc_leak_type_stat *st;
  rcgc_leak_histogram(h, &st, &k);
  stop("histogram", 0.2);
  rcgc_leak_free(h, st);
  /* a name of this process's own: test runs in parallel must not share it */
  char path[256];
  const char *tmp = getenv("TMPDIR");
  snprintf(path, sizeof path, "%s/rcgc_bench.%ld.heapsnapshot", tmp && *tmp ? tmp : "/tmp",
           (long)getpid());
  start();
  r = rcgc_leak_snapshot_file(h, path);
  stop("snapshot write", 2.0);
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    printf("  result %d, the file cannot be read back\n", r);
    return 1;
  }
  fseek(f, 0, SEEK_END);
  printf("  result %d, %ld bytes\n", r, ftell(f));
  fclose(f);
  remove(path);
  for (long i = 0; i < tail; i += 100)
    rcgc_decref(h, all[i]);
  for (long i = 0; i < n; i++)
    all[i] = NULL;
  free(all);
  size_t alive = rcgc_heap_destroy(h);
  printf("destroy: %zu alive, %lld bytes not returned\n", alive, cnt.live);
  return cnt.live == 0 ? 0 : 1;
}
