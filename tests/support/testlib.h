/*
** testlib.h -- shared by every test: a heap whose debug sink is captured in
** memory (so tests assert exact output lines), a counting allocator, the
** node types the tests build graphs from, and the teardown every test ends
** with: destroy the heap, assert nothing was left alive and every byte the
** heap took from the allocator was given back.
*/
#ifndef RCGC_TESTLIB_H
#define RCGC_TESTLIB_H

#include <criterion/criterion.h>
#include <rcgc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---------------------------------------------------------- captured sink */
typedef struct tl_sink {
  char *buf;
  size_t len, cap;
  int echo; /* also write to stderr (debugging a test) */
} tl_sink;

static inline void tl_sink_write(void *ud, const char *text, size_t len) {
  tl_sink *s = ud;
  if (s->len + len + 1 > s->cap) {
    size_t ncap = (s->len + len + 1) * 2;
    s->buf = realloc(s->buf, ncap);
    s->cap = ncap;
  }
  memcpy(s->buf + s->len, text, len);
  s->len += len;
  s->buf[s->len] = 0;
  if (s->echo)
    fwrite(text, 1, len, stderr);
}
static inline void tl_sink_reset(tl_sink *s) {
  s->len = 0;
  if (s->buf)
    s->buf[0] = 0;
}
/* Number of lines of the captured output that start with 'prefix'. */
static inline size_t tl_count_lines(const tl_sink *s, const char *prefix) {
  size_t n = 0;
  size_t pl = strlen(prefix);
  for (const char *p = s->buf ? s->buf : ""; *p;) {
    if (strncmp(p, prefix, pl) == 0)
      n++;
    const char *nl = strchr(p, '\n');
    if (!nl)
      break;
    p = nl + 1;
  }
  return n;
}

/* ---------------------------------------------------------- allocator */
typedef struct tl_alloc {
  long live_blocks;
  long long live_bytes;
  long calls;
  long fail_at; /* the fail_at-th allocation (1-based) fails; 0 = never */
  int fail_all; /* every allocation fails */
  long page_free_us; /* giving back a 64 KiB block (a pool page) takes this long */
} tl_alloc;

/* Busy-wait 'us' microseconds (a slow allocator, for timing tests). */
static inline void tl_spin_us(long us) {
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do
    clock_gettime(CLOCK_MONOTONIC, &t);
  while ((t.tv_sec - t0.tv_sec) * 1000000L + (t.tv_nsec - t0.tv_nsec) / 1000 < us);
}

static inline void *tl_alloc_fn(void *ud, void *ptr, size_t old, size_t size) {
  tl_alloc *a = ud;
  if (size == 0) {
    if (ptr) {
      if (a->page_free_us > 0 && old == 64 * 1024)
        tl_spin_us(a->page_free_us);
      a->live_blocks--;
      a->live_bytes -= (long long)old;
      free(ptr);
    }
    return NULL;
  }
  a->calls++;
  if (a->fail_all || (a->fail_at && a->calls == a->fail_at))
    return NULL;
  void *p = realloc(ptr, size);
  if (p) {
    if (!ptr)
      a->live_blocks++;
    a->live_bytes += (long long)size - (long long)old;
  }
  return p;
}

/* ---------------------------------------------------------- the heap */
typedef struct tl_env {
  rcgc_heap *heap;
  tl_sink sink;
  tl_alloc alloc;
} tl_env;

extern tl_env tl;

/* Every test file defines the global with TL_DEFINE and uses
** .init = tl_setup, .fini = tl_teardown (or calls them itself). The heap
** starts with automatic collection disabled, as CPython's test_gc does. */
#define TL_DEFINE                                                             \
  tl_env tl;                                                                  \
  long tl_destroyed, tl_finalized, tl_legacy_finalized

/* The policy of every test heap: the library's default, or the CPython
** policy when RCGC_TEST_POLICY=cpython (make test runs the suite both ways).
** Tests of CPython-exact behaviour select RCGC_POLICY_CPYTHON themselves. */
static inline rcgc_policy tl_policy(void) {
  const char *p = getenv("RCGC_TEST_POLICY");
  return p != NULL && strcmp(p, "cpython") == 0 ? RCGC_POLICY_CPYTHON : RCGC_POLICY_SUSPECTS;
}

/* The pause budget of every test heap: 0, or RCGC_TEST_BUDGET's value in
** microseconds (make test's budget mode runs suites with 1: a slice of an
** incremental collection at nearly every allocation while one runs). */
static inline unsigned tl_budget(void) {
  const char *b = getenv("RCGC_TEST_BUDGET");
  return b != NULL ? (unsigned)strtoul(b, NULL, 10) : 0u;
}

static inline rcgc_heap *tl_heap_new(unsigned flags) {
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.policy = tl_policy();
  cfg.pause_budget_us = tl_budget();
  cfg.alloc = tl_alloc_fn;
  cfg.alloc_ud = &tl.alloc;
  cfg.write = tl_sink_write;
  cfg.write_ud = &tl.sink;
  cfg.flags = flags;
  return rcgc_heap_new(&cfg);
}

extern long tl_destroyed, tl_finalized, tl_legacy_finalized;

static inline void tl_setup(void) {
  memset(&tl, 0, sizeof tl);
  tl_destroyed = tl_finalized = tl_legacy_finalized = 0;
  tl.sink.echo = getenv("TL_ECHO") != NULL;
  tl.heap = tl_heap_new(0);
  cr_assert_not_null(tl.heap);
  rcgc_disable(tl.heap);
}

/* For tests of CPython-exact behaviour (the automatic schedule, what a
** young collection leaves alone): the heap follows RCGC_POLICY_CPYTHON
** whatever RCGC_TEST_POLICY says. */
static inline void tl_use_cpython_policy(void) {
  cr_assert_eq(rcgc_set_policy(tl.heap, RCGC_POLICY_CPYTHON), RCGC_OK);
}
static inline void tl_setup_cpython(void) {
  tl_setup();
  tl_use_cpython_policy();
}

/* How much of the sink a failed teardown shows: a heap destroyed with
** thousands of objects alive writes a line for each, and Criterion's runner
** hangs on a failure message of megabytes instead of reporting it. */
#define TL_SHOWN "4000"

/* Destroy the heap; nothing may be left alive, nothing misused, and the
** allocator must have every block back. */
static inline void tl_teardown(void) {
  if (tl.heap) {
    size_t misuse = rcgc_misuse_count(tl.heap);
    size_t alive = rcgc_heap_destroy(tl.heap);
    tl.heap = NULL;
    cr_expect_eq(alive, 0, "heap destroy reported %zu live objects:\n%." TL_SHOWN "s", alive,
                 tl.sink.buf ? tl.sink.buf : "");
    cr_expect_eq(misuse, 0, "misuse reported:\n%." TL_SHOWN "s", tl.sink.buf ? tl.sink.buf : "");
  }
  cr_expect_eq(tl.alloc.live_blocks, 0, "%ld blocks not returned to the allocator",
               tl.alloc.live_blocks);
  cr_expect_eq(tl.alloc.live_bytes, 0, "%lld bytes not returned", tl.alloc.live_bytes);
  free(tl.sink.buf);
  tl.sink.buf = NULL;
}

/* The teardown of suites that provoke misuse on purpose (tests/wrong):
** as tl_teardown, without the misuse count. */
static inline void tl_teardown_after_misuse(void) {
  if (tl.heap) {
    size_t alive = rcgc_heap_destroy(tl.heap);
    tl.heap = NULL;
    cr_expect_eq(alive, 0, "heap destroy reported %zu live objects:\n%." TL_SHOWN "s", alive,
                 tl.sink.buf ? tl.sink.buf : "");
  }
  cr_expect_eq(tl.alloc.live_blocks, 0, "%ld blocks not returned to the allocator",
               tl.alloc.live_blocks);
  free(tl.sink.buf);
  tl.sink.buf = NULL;
}

/* The sink must be exactly the report: 'fmt' with its %p replaced by
** 'obj' (a macro so the format stays a checked literal). */
#define TL_ASSERT_REPORT(fmt, obj)                                            \
  do {                                                                        \
    char expect_[1024];                                                       \
    snprintf(expect_, sizeof expect_, fmt, (const void *)(obj));              \
    cr_assert_str_eq(tl.sink.buf ? tl.sink.buf : "", expect_);               \
  } while (0)

/* Tests that count the automatic collection schedule (how many collections
** run, the counts afterwards) skip themselves in RCGC_STRESS builds, which
** add a collection at every tracked allocation on purpose. */
#ifdef RCGC_STRESS
#define TL_SKIP_UNDER_STRESS()                                                \
  cr_skip_test("RCGC_STRESS adds collections: this test counts the automatic schedule")
#else
#define TL_SKIP_UNDER_STRESS() ((void)0)
#endif

/* Tests that count the automatic schedule exactly, or the budget itself,
** skip themselves when RCGC_TEST_BUDGET gives every heap a pause budget
** (make test's budget mode): automatic collections are incremental then. */
#define TL_SKIP_UNDER_BUDGET()                                                \
  do {                                                                        \
    if (tl_budget() != 0)                                                     \
      cr_skip_test("RCGC_TEST_BUDGET makes automatic collections incremental: " \
                   "this test counts the schedule or the budget");           \
  } while (0)

/* ---------------------------------------------------------- node types */
/* A node with two named references and a name, like the seeds' Graph. */
typedef struct tl_node {
  void *a, *b;
  const char *name;
  int id;
} tl_node;

static inline int tl_node_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  tl_node *n = o;
  RCGC_VISIT(n->a, "a");
  RCGC_VISIT(n->b, "b");
  return 0;
}
static inline int tl_node_repr(const void *o, char *buf, size_t cap) {
  const tl_node *n = o;
  return snprintf(buf, cap, "Graph(%s)", n->name ? n->name : "?");
}

/* Counters of destroy/finalize calls (reset by tl_setup). */

static inline void tl_count_destroy(rcgc_heap *h, void *o) {
  (void)h;
  (void)o;
  tl_destroyed++;
}
static inline void tl_count_finalize(rcgc_heap *h, void *o) {
  (void)h;
  (void)o;
  tl_finalized++;
}
static inline void tl_count_legacy(rcgc_heap *h, void *o) {
  (void)h;
  (void)o;
  tl_legacy_finalized++;
}

static const rcgc_type tl_node_type = {
    .name = "Graph", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .destroy = tl_count_destroy, .repr = tl_node_repr};
/* The same shape without traverse: acyclic, never tracked. */
static const rcgc_type tl_leaf_type = {
    .name = "Leaf", .size = sizeof(tl_node), .destroy = tl_count_destroy, .repr = tl_node_repr};

static inline tl_node *tl_new(const char *name) {
  tl_node *n = rcgc_new(tl.heap, &tl_node_type);
  cr_assert_not_null(n);
  n->name = name;
  return n;
}
/* A chain of 'n' objects of type 't' (the shape of tl_node), each held by
** the one before through field a, by transfer: the first is the caller's
** reference; '*last' (when not NULL) gets the last. */
static inline tl_node *tl_chain_of(const rcgc_type *t, long n, tl_node **last) {
  tl_node *first = rcgc_new(tl.heap, t), *cur = first;
  cr_assert_not_null(first);
  for (long i = 1; i < n; i++) {
    tl_node *next = rcgc_new(tl.heap, t);
    cr_assert_not_null(next);
    cur->a = next;
    cur = next;
  }
  if (last != NULL)
    *last = cur;
  return first;
}
/* n->field = value, with its own reference */
#define TL_LINK(n, field, value) rcgc_set(tl.heap, &(n)->field, (value))

#endif
