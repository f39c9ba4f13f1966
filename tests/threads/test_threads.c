/*
** test_threads.c -- heaps on threads. One heap per thread on as many threads
** as the machine has (at least 2), each churning reference cycles with
** automatic collection on: every object is freed by the collector of its own
** heap, counted exactly per thread, with no shared state and no lock (run
** under ThreadSanitizer by `make test`'s tsan mode: label "threads"). And,
** in debug builds, a second thread entering a heap while the first is inside
** it is detected and reported as misuse (a core call and a leak-hunting
** call).
**
** A plain program, not a Criterion one: Criterion cannot start under
** ThreadSanitizer ("Could not initialize inheritable arena", Criterion issue
** #274), and TSan is what this file is for. Exit status 0 = pass, 77 = skip.
*/
#include <rcgc.h>
#include <rcgc_leak.h>

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;
#define EXPECT(cond, ...)                                                     \
  do {                                                                        \
    if (!(cond)) {                                                            \
      failures++;                                                             \
      fprintf(stderr, "%s:%d: expected %s: ", __FILE__, __LINE__, #cond);     \
      fprintf(stderr, __VA_ARGS__);                                           \
      fputc('\n', stderr);                                                    \
    }                                                                         \
  } while (0)

typedef struct tl_node {
  void *a, *b;
  const char *name;
  int id;
} tl_node;

static int tl_node_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  tl_node *n = o;
  RCGC_VISIT(n->a, "a");
  RCGC_VISIT(n->b, "b");
  return 0;
}

/* ------------------------------------------------------------ churn */
enum { CYCLES_PER_THREAD = 60000, MAX_THREADS = 256 };

typedef struct worker {
  pthread_t tid;
  int index;
  /* results, read by the main thread after join */
  long allocated, destroyed, collected_by_stats, collections, live_blocks, alive_at_destroy;
  long check, misuse, auto_collections;
  int failed;
} worker;

static _Thread_local long thread_destroyed;

static void count_destroy(rcgc_heap *h, void *o) {
  (void)h;
  (void)o;
  thread_destroyed++;
}
static const rcgc_type pair_type = {
    .name = "Pair", .size = sizeof(tl_node), .traverse = tl_node_traverse, .destroy = count_destroy};

typedef struct counting {
  long live_blocks;
} counting;

static void *counting_alloc(void *ud, void *ptr, size_t old, size_t size) {
  counting *c = ud;
  (void)old;
  if (size == 0) {
    if (ptr != NULL) {
      c->live_blocks--;
      free(ptr);
    }
    return NULL;
  }
  if (ptr == NULL)
    c->live_blocks++;
  return realloc(ptr, size);
}

static void *churn(void *arg) {
  worker *w = arg;
  counting alloc = {0};
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.alloc = counting_alloc;
  cfg.alloc_ud = &alloc;
  rcgc_heap *heap = rcgc_heap_new(&cfg);
  if (heap == NULL) {
    w->failed = 1;
    return NULL;
  }
  /* a different rhythm each: CPython's schedule counts allocations */
  rcgc_set_policy(heap, RCGC_POLICY_CPYTHON);
  rcgc_set_threshold(heap, 500 + 50 * w->index, 10, 10);
  for (long i = 0; i < CYCLES_PER_THREAD; i++) {
    tl_node *a = rcgc_new(heap, &pair_type), *b = rcgc_new(heap, &pair_type);
    if (a == NULL || b == NULL) {
      w->failed = 1;
      break;
    }
    w->allocated += 2;
    rcgc_set(heap, &a->a, b);
    rcgc_set(heap, &b->a, a);
    a->id = (int)i;
    rcgc_decref(heap, a);
    rcgc_decref(heap, b);
  }
  rcgc_collect(heap, 2);
  rcgc_gen_stats st[RCGC_NUM_GENERATIONS];
  rcgc_get_stats(heap, st);
  for (int g = 0; g < RCGC_NUM_GENERATIONS; g++) {
    w->collected_by_stats += st[g].collected;
    w->collections += st[g].collections;
  }
  w->auto_collections = w->collections - 1; /* all but the explicit one */
  w->check = rcgc_check_heap(heap);
  w->misuse = rcgc_misuse_count(heap);
  w->alive_at_destroy = (long)rcgc_heap_destroy(heap);
  w->destroyed = thread_destroyed;
  w->live_blocks = alloc.live_blocks;
  return NULL;
}

static void one_heap_per_thread_churning_cycles(void) {
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  int n = ncpu < 2 ? 2 : ncpu > MAX_THREADS ? MAX_THREADS : (int)ncpu;
  worker *ws = calloc((size_t)n, sizeof *ws);
  if (ws == NULL) {
    EXPECT(0, "out of memory");
    return;
  }
  for (int i = 0; i < n; i++) {
    ws[i].index = i;
    if (pthread_create(&ws[i].tid, NULL, churn, &ws[i]) != 0) {
      fprintf(stderr, "pthread_create failed\n");
      exit(1);
    }
  }
  for (int i = 0; i < n; i++)
    pthread_join(ws[i].tid, NULL);
  for (int i = 0; i < n; i++) {
    worker *w = &ws[i];
    EXPECT((w->failed) == (0), "thread %d: allocation failed", i);
    EXPECT((w->allocated) == (2L * CYCLES_PER_THREAD), "thread %d", i);
    EXPECT((w->destroyed) == (2L * CYCLES_PER_THREAD), "thread %d destroyed %ld", i, w->destroyed);
    EXPECT((w->collected_by_stats) == (2L * CYCLES_PER_THREAD), "thread %d: stats say %ld", i,
                 w->collected_by_stats);
    EXPECT((w->auto_collections) > (100), "thread %d: only %ld automatic collections", i,
                 w->auto_collections);
    EXPECT((w->check) == (0), "thread %d: check_heap %ld", i, w->check);
    EXPECT((w->misuse) == (0), "thread %d: misuse %ld", i, w->misuse);
    EXPECT((w->alive_at_destroy) == (0), "thread %d", i);
    EXPECT((w->live_blocks) == (0), "thread %d: %ld blocks not returned", i, w->live_blocks);
  }
  printf("threads: %d heaps on %d threads, %ld objects each, all collected\n", n, n,
         2L * CYCLES_PER_THREAD);
  free(ws);
}

/* ------------------------------------------------------------ detection */
#ifdef RCGC_CHECKS
/* Thread A is inside the heap (running a finalizer from rcgc_decref) and
** waits there until thread B has called rcgc_incref and
** rcgc_leak_print_histogram on the same heap. The
** mutex orders every access, so the test itself has no data race: only the
** library's owner check sees two threads in one heap. */
typedef struct handoff {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int a_inside, b_done;
  tl_node *shared;
  rcgc_heap *heap;
  long leak_result; /* rcgc_leak_print_histogram's, from thread B */
} handoff;

static handoff H = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, NULL, NULL, 0};

static void blocking_finalize(rcgc_heap *h, void *o) {
  (void)h;
  (void)o;
  pthread_mutex_lock(&H.mu);
  H.a_inside = 1;
  pthread_cond_broadcast(&H.cv);
  while (!H.b_done)
    pthread_cond_wait(&H.cv, &H.mu);
  pthread_mutex_unlock(&H.mu);
}
static const rcgc_type blocking_type = {
    .name = "Blocking", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .finalize = blocking_finalize};

static void *thread_a(void *arg) {
  rcgc_decref(H.heap, arg); /* runs blocking_finalize inside the heap */
  return NULL;
}

static void *thread_b(void *arg) {
  (void)arg;
  pthread_mutex_lock(&H.mu);
  while (!H.a_inside)
    pthread_cond_wait(&H.cv, &H.mu);
  rcgc_incref(H.heap, H.shared); /* detected and refused: A is inside */
  H.leak_result = rcgc_leak_print_histogram(H.heap, 0, NULL, NULL); /* the same */
  H.b_done = 1;
  pthread_cond_broadcast(&H.cv);
  pthread_mutex_unlock(&H.mu);
  return NULL;
}

#endif

#ifdef RCGC_CHECKS
typedef struct sink {
  char buf[4096];
  size_t len;
} sink;
static void sink_write(void *ud, const char *text, size_t len) {
  sink *k = ud;
  if (k->len + len < sizeof k->buf) {
    memcpy(k->buf + k->len, text, len);
    k->len += len;
    k->buf[k->len] = 0;
  }
}
#endif

/* Returns 0 when run, 77 when skipped (not a debug build). */
static int debug_build_detects_two_threads_in_one_heap(void) {
#ifndef RCGC_CHECKS
  printf("threads: two-threads detection skipped (not an RCGC_CHECKS build)\n");
  return 77;
#else
  static sink k;
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.write = sink_write;
  cfg.write_ud = &k;
  H.heap = rcgc_heap_new(&cfg);
  EXPECT(H.heap != NULL, "heap");
  H.shared = rcgc_new(H.heap, &pair_type);
  tl_node *victim = rcgc_new(H.heap, &blocking_type);
  pthread_t a, b;
  pthread_create(&b, NULL, thread_b, NULL);
  pthread_create(&a, NULL, thread_a, victim);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  EXPECT(rcgc_misuse_count(H.heap) == 2, "misuse count %ld", rcgc_misuse_count(H.heap));
  EXPECT(strstr(k.buf, "rcgc: misuse: heap used by two threads: heap ") == k.buf,
         "sink: %s", k.buf);
  const char *second = strchr(k.buf, '\n');
  EXPECT(second != NULL &&
             strstr(second + 1, "rcgc: misuse: heap used by two threads: heap ") == second + 1,
         "sink: %s", k.buf);
  EXPECT(H.leak_result == RCGC_ETHREAD, "rcgc_leak_print_histogram returned %ld", H.leak_result);
  /* the heap is still consistent and usable by one thread */
  EXPECT(rcgc_check_heap(H.heap) == 0, "check_heap");
  /* the second thread's incref was refused, not performed */
  EXPECT(rcgc_refcount(H.shared) == 1, "refcount %zu", rcgc_refcount(H.shared));
  rcgc_decref(H.heap, H.shared);
  EXPECT(thread_destroyed == 1, "destroyed %ld", thread_destroyed);
  EXPECT(rcgc_heap_destroy(H.heap) == 0, "alive at destroy");
  printf("threads: a second thread inside a heap was detected and reported\n");
  return 0;
#endif
}

int main(void) {
  one_heap_per_thread_churning_cycles();
  int r = debug_build_detects_two_threads_in_one_heap();
  if (failures) {
    fprintf(stderr, "threads: %d failed expectations\n", failures);
    return 1;
  }
  return r == 77 && getenv("RCGC_THREADS_STRICT") ? 77 : 0;
}
