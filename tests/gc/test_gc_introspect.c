/*
** test_gc_introspect.c -- looking at the heap, ported from CPython's
** test_gc: test_get_referents (exact
** order and content, several arguments concatenated, objects without
** traverse -> nothing, test_get_referents_on_capsule), get_referrers,
** test_is_tracked (tracked and untracked types, rcgc_untrack/rcgc_track),
** test_get_objects / _generations / _arguments, test_freeze and
** test_traverse_frozen_objects (frozen objects are skipped by get_objects
** and get_referrers, come back in generation 2, and new cycles through them
** collect safely), and rcgc_repr.
*/
#include "testlib.h"

TL_DEFINE;

TestSuite(gc_introspect, .init = tl_setup, .fini = tl_teardown);

static int list_has(const rcgc_list *l, const void *obj) {
  int n = 0;
  for (size_t i = 0; i < l->count; i++)
    if (l->items[i] == obj)
      n++;
  return n;
}

/* ------------------------------------------------------------ referents */

Test(gc_introspect, get_referents_exact) {
  tl_node *a = tl_new("a"), *b = tl_new("b"), *c = tl_new("c");
  TL_LINK(a, a, b);
  TL_LINK(a, b, c);
  rcgc_list l;
  cr_assert_eq(rcgc_get_referents(tl.heap, (void *[]){a}, 1, &l), RCGC_OK);
  cr_assert_eq(l.count, 2);
  cr_assert_eq(l.items[0], (void *)b);
  cr_assert_eq(l.items[1], (void *)c);
  cr_assert_eq(rcgc_refcount(b), 3, "the list holds a strong reference");
  rcgc_list_decref_and_free(tl.heap, &l);
  cr_assert_eq(l.count, 0);
  cr_assert_null(l.items);
  cr_assert_eq(rcgc_refcount(b), 2);

  /* field 'a' empty: only b's target */
  TL_LINK(a, a, NULL);
  cr_assert_eq(rcgc_get_referents(tl.heap, (void *[]){a}, 1, &l), RCGC_OK);
  cr_assert_eq(l.count, 1);
  cr_assert_eq(l.items[0], (void *)c);
  rcgc_list_decref_and_free(tl.heap, &l);

  /* several arguments: concatenated in argument order, duplicates kept */
  TL_LINK(b, a, a);
  TL_LINK(b, b, c);
  cr_assert_eq(rcgc_get_referents(tl.heap, (void *[]){b, a, b}, 3, &l), RCGC_OK);
  cr_assert_eq(l.count, 5);
  void *expect[5] = {a, c, c, a, c};
  for (int i = 0; i < 5; i++)
    cr_assert_eq(l.items[i], expect[i], "item %d", i);
  rcgc_list_decref_and_free(tl.heap, &l);

  /* nothing to visit */
  cr_assert_eq(rcgc_get_referents(tl.heap, (void *[]){c}, 1, &l), RCGC_OK);
  cr_assert_eq(l.count, 0);
  rcgc_list_decref_and_free(tl.heap, &l);
  cr_assert_eq(rcgc_get_referents(tl.heap, NULL, 0, &l), RCGC_OK);
  cr_assert_eq(l.count, 0);
  rcgc_list_decref_and_free(tl.heap, &l);

  TL_LINK(b, a, NULL);
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  rcgc_decref(tl.heap, c);
  cr_assert_eq(tl_destroyed, 3);
}

Test(gc_introspect, get_referents_without_traverse_is_empty) { /* atomics, capsule */
  tl_node *leaf = rcgc_new(tl.heap, &tl_leaf_type);
  tl_node *n = tl_new("n");
  leaf->a = n; /* not a reference the library knows: Leaf has no traverse */
  rcgc_list l;
  cr_assert_eq(rcgc_get_referents(tl.heap, (void *[]){leaf}, 1, &l), RCGC_OK);
  cr_assert_eq(l.count, 0);
  rcgc_list_decref_and_free(tl.heap, &l);
  /* mixed with a traversable argument: contributes nothing */
  TL_LINK(n, b, n);
  cr_assert_eq(rcgc_get_referents(tl.heap, (void *[]){leaf, n, leaf}, 3, &l), RCGC_OK);
  cr_assert_eq(l.count, 1);
  cr_assert_eq(l.items[0], (void *)n);
  rcgc_list_decref_and_free(tl.heap, &l);
  TL_LINK(n, b, NULL);
  leaf->a = NULL;
  rcgc_decref(tl.heap, leaf);
  rcgc_decref(tl.heap, n);
}

Test(gc_introspect, get_referents_of_untracked_object_is_traversed) {
  tl_node *a = tl_new("a"), *b = tl_new("b");
  TL_LINK(a, b, b);
  cr_assert_eq(rcgc_untrack(tl.heap, a), RCGC_OK);
  rcgc_list l;
  cr_assert_eq(rcgc_get_referents(tl.heap, (void *[]){a}, 1, &l), RCGC_OK);
  cr_assert_eq(l.count, 1);
  cr_assert_eq(l.items[0], (void *)b);
  rcgc_list_decref_and_free(tl.heap, &l);
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(tl_destroyed, 2);
}

/* ------------------------------------------------------------ referrers */

Test(gc_introspect, get_referrers) {
  tl_node *a = tl_new("a"), *b = tl_new("b"), *c = tl_new("c"), *d = tl_new("d");
  TL_LINK(a, a, c);
  TL_LINK(b, b, c);
  TL_LINK(c, a, d);
  rcgc_list l;
  cr_assert_eq(rcgc_get_referrers(tl.heap, (void *[]){c}, 1, &l), RCGC_OK);
  cr_assert_eq(l.count, 2);
  cr_assert_eq(list_has(&l, a), 1);
  cr_assert_eq(list_has(&l, b), 1);
  rcgc_list_decref_and_free(tl.heap, &l);
  /* several targets: each referrer once */
  cr_assert_eq(rcgc_get_referrers(tl.heap, (void *[]){c, d}, 2, &l), RCGC_OK);
  cr_assert_eq(l.count, 3);
  cr_assert_eq(list_has(&l, a) + list_has(&l, b) + list_has(&l, c), 3);
  rcgc_list_decref_and_free(tl.heap, &l);
  cr_assert_eq(rcgc_get_referrers(tl.heap, (void *[]){a}, 1, &l), RCGC_OK);
  cr_assert_eq(l.count, 0);
  rcgc_list_decref_and_free(tl.heap, &l);
  /* an untracked referrer is invisible, as in CPython */
  rcgc_untrack(tl.heap, b);
  cr_assert_eq(rcgc_get_referrers(tl.heap, (void *[]){c}, 1, &l), RCGC_OK);
  cr_assert_eq(l.count, 1);
  cr_assert_eq(l.items[0], (void *)a);
  rcgc_list_decref_and_free(tl.heap, &l);
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  rcgc_decref(tl.heap, c);
  rcgc_decref(tl.heap, d);
  cr_assert_eq(tl_destroyed, 4);
}

/* ------------------------------------------------------------ is_tracked */

Test(gc_introspect, is_tracked) {
  tl_node *n = tl_new("n");
  tl_node *leaf = rcgc_new(tl.heap, &tl_leaf_type);
  cr_assert_eq(rcgc_is_tracked(n), 1);
  cr_assert_eq(rcgc_is_tracked(leaf), 0);
  cr_assert_eq(rcgc_is_tracked(NULL), 0);
  cr_assert_eq(rcgc_untrack(tl.heap, n), RCGC_OK);
  cr_assert_eq(rcgc_is_tracked(n), 0);
  cr_assert_eq(rcgc_untrack(tl.heap, n), RCGC_OK, "idempotent");
  cr_assert_eq(rcgc_is_tracked(n), 0);
  long c[3];
  rcgc_get_count(tl.heap, c);
  cr_assert_eq(c[0], 1);
  rcgc_list l;
  rcgc_get_objects(tl.heap, -1, &l);
  cr_assert_eq(l.count, 0, "an untracked object is not in any generation");
  rcgc_list_decref_and_free(tl.heap, &l);
  cr_assert_eq(rcgc_track(tl.heap, n), RCGC_OK);
  cr_assert_eq(rcgc_is_tracked(n), 1);
  cr_assert_eq(rcgc_track(tl.heap, n), RCGC_OK, "idempotent");
  rcgc_get_objects(tl.heap, 0, &l);
  cr_assert_eq(l.count, 1);
  cr_assert_eq(l.items[0], (void *)n);
  rcgc_list_decref_and_free(tl.heap, &l);
  /* types without traverse can never be tracked */
  cr_assert_eq(rcgc_track(tl.heap, leaf), RCGC_EINVAL);
  cr_assert_eq(rcgc_untrack(tl.heap, leaf), RCGC_EINVAL);
  cr_assert_eq(rcgc_is_tracked(leaf), 0);
  /* frozen objects are tracked */
  rcgc_freeze(tl.heap);
  cr_assert_eq(rcgc_is_tracked(n), 1);
  rcgc_unfreeze(tl.heap);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_decref(tl.heap, n);
  rcgc_decref(tl.heap, leaf);
}

/* An untracked member is an external root: its cycle survives collection
** (it is freed by refcount only), as the header documents. */
Test(gc_introspect, untracked_cycle_member_keeps_its_cycle) {
  tl_node *x = tl_new("x"), *y = tl_new("y");
  TL_LINK(x, a, y);
  TL_LINK(y, a, x);
  rcgc_untrack(tl.heap, x);
  rcgc_decref(tl.heap, x);
  rcgc_decref(tl.heap, y);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 2);
  cr_assert_eq(rcgc_track(tl.heap, x), RCGC_OK);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 2);
  cr_assert_eq(tl_destroyed, 2);
}

/* ------------------------------------------------------------ get_objects */

Test(gc_introspect, get_objects_generations) { /* test_get_objects_generations */
  tl_node *n = tl_new("n");
  rcgc_list l0, l1, l2, all;
  rcgc_get_objects(tl.heap, 0, &l0);
  rcgc_get_objects(tl.heap, 1, &l1);
  rcgc_get_objects(tl.heap, 2, &l2);
  rcgc_get_objects(tl.heap, -1, &all);
  cr_assert_eq(l0.count, 1);
  cr_assert_eq(l0.items[0], (void *)n);
  cr_assert_eq(l1.count, 0);
  cr_assert_eq(l2.count, 0);
  cr_assert_eq(all.count, 1);
  cr_assert_eq(rcgc_refcount(n), 3);
  rcgc_list_decref_and_free(tl.heap, &l0);
  rcgc_list_decref_and_free(tl.heap, &l1);
  rcgc_list_decref_and_free(tl.heap, &l2);
  rcgc_list_decref_and_free(tl.heap, &all);
  cr_assert_eq(rcgc_refcount(n), 1);

  cr_assert_eq(rcgc_collect(tl.heap, 0), 0);
  rcgc_get_objects(tl.heap, 0, &l0);
  rcgc_get_objects(tl.heap, 1, &l1);
  rcgc_get_objects(tl.heap, 2, &l2);
  cr_assert_eq(l0.count, 0, "gone from generation 0");
  cr_assert_eq(l1.count, 1);
  cr_assert_eq(l1.items[0], (void *)n);
  cr_assert_eq(l2.count, 0);
  rcgc_list_decref_and_free(tl.heap, &l0);
  rcgc_list_decref_and_free(tl.heap, &l1);
  rcgc_list_decref_and_free(tl.heap, &l2);

  cr_assert_eq(rcgc_collect(tl.heap, 1), 0);
  rcgc_get_objects(tl.heap, 1, &l1);
  rcgc_get_objects(tl.heap, 2, &l2);
  cr_assert_eq(l1.count, 0);
  cr_assert_eq(l2.count, 1);
  cr_assert_eq(l2.items[0], (void *)n);
  rcgc_list_decref_and_free(tl.heap, &l1);
  rcgc_list_decref_and_free(tl.heap, &l2);

  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  rcgc_get_objects(tl.heap, 2, &l2);
  cr_assert_eq(l2.count, 1, "generation 2 survivors stay in generation 2");
  rcgc_list_decref_and_free(tl.heap, &l2);

  /* the cyclic object of test_get_objects, and all = 0 + 1 + 2 in order */
  tl_node *cyc = tl_new("cyc");
  TL_LINK(cyc, a, cyc);
  rcgc_get_objects(tl.heap, -1, &all);
  cr_assert_eq(all.count, 2);
  cr_assert_eq(all.items[0], (void *)cyc);
  cr_assert_eq(all.items[1], (void *)n);
  rcgc_list_decref_and_free(tl.heap, &all);
  rcgc_decref(tl.heap, cyc);
  rcgc_decref(tl.heap, n);
}

Test(gc_introspect, get_objects_arguments) { /* test_get_objects_arguments */
  tl_node *n = tl_new("n");
  rcgc_list l = {(void **)1, 7}; /* garbage: the call initialises it */
  cr_assert_eq(rcgc_get_objects(tl.heap, 3, &l), RCGC_ERANGE);
  cr_assert_eq(l.count, 0);
  cr_assert_null(l.items);
  cr_assert_eq(rcgc_get_objects(tl.heap, -2, &l), RCGC_ERANGE);
  cr_assert_eq(rcgc_get_objects(tl.heap, 1000, &l), RCGC_ERANGE);
  cr_assert_eq(rcgc_get_objects(tl.heap, -1000, &l), RCGC_ERANGE);
  cr_assert_eq(l.count, 0);
  cr_assert_eq(rcgc_get_objects(NULL, 0, &l), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_objects(tl.heap, 0, NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_refcount(n), 1);
  cr_assert_eq(rcgc_get_objects(tl.heap, -1, &l), RCGC_OK);
  cr_assert_eq(l.count, 1);
  rcgc_list_decref_and_free(tl.heap, &l);
  rcgc_decref(tl.heap, n);
}

/* ------------------------------------------------------------ freeze */

Test(gc_introspect, freeze_and_unfreeze) { /* test_freeze */
  tl_node *a = tl_new("a"), *b = tl_new("b"), *c = tl_new("c");
  TL_LINK(a, a, b);
  cr_assert_eq(rcgc_collect(tl.heap, 0), 0); /* a, b, c to generation 1 */
  tl_node *d = tl_new("d");
  TL_LINK(d, a, b);
  cr_assert_eq(rcgc_get_freeze_count(tl.heap), 0);
  cr_assert_eq(rcgc_freeze(tl.heap), RCGC_OK);
  cr_assert_eq(rcgc_get_freeze_count(tl.heap), 4);
  long cnt[3];
  rcgc_get_count(tl.heap, cnt);
  cr_assert(cnt[0] == 0 && cnt[1] == 0 && cnt[2] == 0, "freeze resets the counts");
  rcgc_list l;
  cr_assert_eq(rcgc_get_objects(tl.heap, -1, &l), RCGC_OK);
  cr_assert_eq(l.count, 0, "frozen objects are not returned");
  rcgc_list_decref_and_free(tl.heap, &l);
  cr_assert_eq(rcgc_get_referrers(tl.heap, (void *[]){b}, 1, &l), RCGC_OK);
  cr_assert_eq(l.count, 0, "frozen referrers are not returned");
  rcgc_list_decref_and_free(tl.heap, &l);
  /* a referrer that is not frozen is */
  tl_node *e = tl_new("e");
  TL_LINK(e, b, b);
  cr_assert_eq(rcgc_get_referrers(tl.heap, (void *[]){b}, 1, &l), RCGC_OK);
  cr_assert_eq(l.count, 1);
  cr_assert_eq(l.items[0], (void *)e);
  rcgc_list_decref_and_free(tl.heap, &l);
  /* frozen objects are never examined: a frozen garbage cycle stays */
  TL_LINK(c, a, c);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  cr_assert_eq(rcgc_get_freeze_count(tl.heap), 4);

  cr_assert_eq(rcgc_unfreeze(tl.heap), RCGC_OK);
  cr_assert_eq(rcgc_get_freeze_count(tl.heap), 0);
  cr_assert_eq(rcgc_get_objects(tl.heap, 2, &l), RCGC_OK);
  cr_assert_eq(l.count, 5, "unfrozen objects join generation 2 (e moved there by the collect)");
  cr_assert_eq(list_has(&l, a) + list_has(&l, b) + list_has(&l, c) + list_has(&l, d) + list_has(&l, e), 5);
  rcgc_list_decref_and_free(tl.heap, &l);
  cr_assert_eq(rcgc_get_referrers(tl.heap, (void *[]){b}, 1, &l), RCGC_OK);
  cr_assert_eq(l.count, 3);
  rcgc_list_decref_and_free(tl.heap, &l);
  rcgc_decref(tl.heap, c);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 1, "the cycle is examined again");
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  rcgc_decref(tl.heap, d);
  rcgc_decref(tl.heap, e);
  cr_assert_eq(tl_destroyed, 5);
  cr_assert_eq(rcgc_freeze(NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_unfreeze(NULL), RCGC_EINVAL);
  cr_assert_eq(rcgc_get_freeze_count(NULL), 0);
}

Test(gc_introspect, new_cycles_through_frozen_objects_collect) { /* test_traverse_frozen_objects */
  tl_node *f = tl_new("frozen");
  tl_node *g = tl_new("frozen2");
  TL_LINK(f, a, g);
  rcgc_freeze(tl.heap);
  for (int round = 0; round < 3; round++) {
    tl_node *x = tl_new("x"), *y = tl_new("y");
    TL_LINK(x, a, y);
    TL_LINK(y, a, x);
    TL_LINK(x, b, f);
    TL_LINK(y, b, g);
    rcgc_decref(tl.heap, x);
    rcgc_decref(tl.heap, y);
    cr_assert_eq(rcgc_refcount(f), 2);
    cr_assert_eq(rcgc_refcount(g), 3);
    cr_assert_eq(rcgc_collect(tl.heap, round), 2);
    cr_assert_eq(rcgc_refcount(f), 1);
    cr_assert_eq(rcgc_refcount(g), 2);
    cr_assert_eq(rcgc_get_freeze_count(tl.heap), 2);
  }
  /* freeze, collect, unfreeze: safe, and nothing lost */
  rcgc_freeze(tl.heap);
  cr_assert_eq(rcgc_collect(tl.heap, 2), 0);
  rcgc_unfreeze(tl.heap);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  cr_assert_eq(tl_destroyed, 6);
  rcgc_decref(tl.heap, g);
  rcgc_decref(tl.heap, f);
  cr_assert_eq(tl_destroyed, 8);
}

/* ------------------------------------------------------------ repr */

Test(gc_introspect, repr_uses_the_type_repr) {
  tl_node *n = tl_new("one");
  char buf[64];
  int len = rcgc_repr(tl.heap, n, buf, sizeof buf);
  cr_expect_str_eq(buf, "Graph(one)", "rcgc_repr must use the type's repr function (rcgc.h)");
  cr_expect_eq(len, 10);
  /* without a repr function: <Type 0x...> */
  static const rcgc_type plain = {.name = "Plain", .size = 8};
  void *p = rcgc_new(tl.heap, &plain);
  char expect[64];
  snprintf(expect, sizeof expect, "<Plain %p>", p);
  len = rcgc_repr(tl.heap, p, buf, sizeof buf);
  cr_assert_str_eq(buf, expect);
  cr_assert_eq(len, (int)strlen(expect));
  /* truncation: NUL-terminated, the wanted length returned */
  len = rcgc_repr(tl.heap, n, buf, 4);
  cr_expect_str_eq(buf, "Gra");
  cr_expect_eq(len, 10);
  rcgc_decref(tl.heap, p);
  rcgc_decref(tl.heap, n);
}
