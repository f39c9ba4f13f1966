/*
** test_finalize_cascade.c -- finalizers, weak references and heap destroy at
** the edges of a freeing cascade: a weak reference read while its referent
** waits on the zero stack, callbacks of weak references made during
** finalization, heap destroy with finalizers and destroy functions that keep
** allocating. (Heap destroy with a very long garbage list:
** tests/core/test_core_scale.c.)
*/
#include "testlib.h"

TL_DEFINE;

TestSuite(cascade, .init = tl_setup, .fini = tl_teardown);

/* ---------------------------------------------------------- weakref_get */
static rcgc_weakref *peek_wr;
static void *peeked = (void *)1;
static void fin_peek(rcgc_heap *h, void *o) {
  (void)o;
  tl_finalized++;
  peeked = rcgc_weakref_get(h, peek_wr);
}
static const rcgc_type peeker = {
    .name = "Peeker", .size = sizeof(tl_node), .traverse = tl_node_traverse, .finalize = fin_peek,
    .destroy = tl_count_destroy};

/* P holds X (a) and the peeker Y (b). When P dies both reach 0; Y is popped
** first and its finalizer reads a weak reference to X, whose count is 0:
** X is dead already, as in CPython, and must not come back. */
Test(cascade, weakref_get_of_a_referent_waiting_to_be_freed_is_null) {
  tl_node *p = tl_new("p"), *x = tl_new("x");
  tl_node *y = rcgc_new(tl.heap, &peeker);
  TL_LINK(p, a, x);
  TL_LINK(p, b, y);
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
  peek_wr = rcgc_weakref_new(tl.heap, x, NULL, NULL);
  cr_assert_not_null(peek_wr);
  rcgc_decref(tl.heap, p);
  cr_assert_eq(tl_finalized, 1);
  cr_assert_null(peeked, "the dying referent was handed out");
  cr_assert_eq(rcgc_weakref_alive(peek_wr), 0);
  cr_assert_eq(tl_destroyed, 3);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, peek_wr);
}

/* The same from a weak reference callback: X and Z both reach 0 when P
** dies; X's callback reads a weak reference to Z. */
static rcgc_weakref *other_wr;
static void cb_peek(rcgc_heap *h, rcgc_weakref *wr, void *ud) {
  (void)wr;
  (void)ud;
  peeked = rcgc_weakref_get(h, other_wr);
}
Test(cascade, weakref_get_from_a_callback_in_the_cascade_is_null) {
  tl_node *p = tl_new("p"), *z = tl_new("z"), *x = tl_new("x");
  TL_LINK(p, a, z);
  TL_LINK(p, b, x); /* pushed last: freed first */
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, z);
  rcgc_weakref *wx = rcgc_weakref_new(tl.heap, x, cb_peek, NULL);
  other_wr = rcgc_weakref_new(tl.heap, z, NULL, NULL);
  peeked = (void *)1;
  rcgc_decref(tl.heap, p);
  cr_assert_null(peeked, "the dying referent was handed out");
  cr_assert_eq(tl_destroyed, 3);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, wx);
  rcgc_decref(tl.heap, other_wr);
}

/* ---------------------------------------------------------- heap destroy rounds */

/* A heap whose every object is a block of its own, so an object never
** freed is a block the allocator does not get back. */
static void no_pool_heap(void) {
  rcgc_heap_destroy(tl.heap);
  tl.heap = tl_heap_new(RCGC_CONFIG_NO_POOL);
  cr_assert_not_null(tl.heap);
}

static int created, gen_finalized, gen_destroyed;
static void *last_made = (void *)1;

/* Each finalizer makes the next generation (it stays held: a leak). */
static void gen_finalize(rcgc_heap *h, void *o);
static void gen_destroy(rcgc_heap *h, void *o) {
  (void)h;
  (void)o;
  gen_destroyed++;
}
static const rcgc_type gen_type = {
    .name = "Gen", .size = sizeof(tl_node), .traverse = tl_node_traverse, .finalize = gen_finalize,
    .destroy = gen_destroy};
static void gen_finalize(rcgc_heap *h, void *o) {
  (void)o;
  gen_finalized++;
  last_made = rcgc_new(h, &gen_type);
  if (last_made != NULL)
    created++;
}

Test(cascade, heap_destroy_finalizes_every_generation_finalizers_allocate) {
  no_pool_heap();
  created = gen_finalized = gen_destroyed = 0;
  void *g0 = rcgc_new(tl.heap, &gen_type);
  cr_assert_not_null(g0);
  created = 1;
  size_t alive = rcgc_heap_destroy(tl.heap);
  tl.heap = NULL;
  cr_assert_eq(alive, 1);
  cr_assert_eq(created, 16, "one new generation per round but the last");
  cr_assert_null(last_made, "the last round's allocation was refused");
  cr_assert_eq(gen_finalized, created, "every generation was finalized");
  cr_assert_eq(gen_destroyed, created, "and destroyed");
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: misuse: allocation during heap destroy: "
                                        "rcgc_new(Gen) refused: finalizers or destroy functions "
                                        "kept allocating for 16 rounds of rcgc_heap_destroy\n"),
               1, "%s", tl.sink.buf);
}

/* Each destroy function makes a new object of its type. */
static void spawn_destroy(rcgc_heap *h, void *o);
static const rcgc_type spawn_type = {
    .name = "Spawn", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .destroy = spawn_destroy};
static void spawn_destroy(rcgc_heap *h, void *o) {
  (void)o;
  gen_destroyed++;
  last_made = rcgc_new(h, &spawn_type);
  if (last_made != NULL)
    created++;
}

Test(cascade, heap_destroy_frees_what_destroy_functions_allocate) {
  no_pool_heap();
  created = gen_destroyed = 0;
  last_made = (void *)1;
  cr_assert_not_null(rcgc_new(tl.heap, &spawn_type));
  created = 1;
  cr_assert_eq(rcgc_heap_destroy(tl.heap), 1);
  tl.heap = NULL;
  cr_assert_eq(created, 16);
  cr_assert_null(last_made);
  cr_assert_eq(gen_destroyed, created, "every object was destroyed (and freed: teardown)");
  cr_assert_eq(tl_count_lines(&tl.sink, "rcgc: misuse: allocation during heap destroy: "
                                        "rcgc_new(Spawn) refused"),
               1, "%s", tl.sink.buf);
}

/* ---------------------------------------------------------- weak references made by finalizers */

static rcgc_weakref *fin_wr;
static int fin_cb_calls;
static void *fin_cb_seen = (void *)1;
static void fin_cb(rcgc_heap *h, rcgc_weakref *wr, void *ud) {
  (void)ud;
  fin_cb_calls++;
  fin_cb_seen = rcgc_weakref_get(h, wr);
}
/* The finalizer makes a weak reference with a callback to its own object
** and keeps it (the weak reference is not garbage). */
static void fin_make_wr(rcgc_heap *h, void *o) {
  tl_finalized++;
  fin_wr = rcgc_weakref_new(h, o, fin_cb, NULL);
}
static const rcgc_type wr_maker = {
    .name = "WrMaker", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .finalize = fin_make_wr, .destroy = tl_count_destroy};

Test(cascade, weakref_made_by_a_finalizer_in_a_collection_calls_back) {
  fin_wr = NULL;
  fin_cb_calls = 0;
  tl_node *a = rcgc_new(tl.heap, &wr_maker), *b = tl_new("b");
  TL_LINK(a, a, b);
  TL_LINK(b, a, a);
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(tl_finalized, 1);
  cr_assert_not_null(fin_wr);
  cr_assert_eq(tl_destroyed, 2, "the cycle was freed");
  cr_assert_eq(rcgc_weakref_alive(fin_wr), 0);
  cr_assert_eq(fin_cb_calls, 1, "the callback ran");
  cr_assert_null(fin_cb_seen, "with the referent gone");
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, fin_wr);
}

Test(cascade, weakref_made_by_a_finalizer_dying_by_refcount_calls_back) {
  fin_wr = NULL;
  fin_cb_calls = 0;
  tl_node *a = rcgc_new(tl.heap, &wr_maker);
  rcgc_decref(tl.heap, a);
  cr_assert_eq(tl_finalized, 1);
  cr_assert_eq(tl_destroyed, 1);
  cr_assert_not_null(fin_wr);
  cr_assert_eq(fin_cb_calls, 1, "the callback ran");
  cr_assert_null(fin_cb_seen);
  rcgc_decref(tl.heap, fin_wr);
}
