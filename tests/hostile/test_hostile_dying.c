/*
** test_hostile_dying.c -- legal calls made by user code while an object is
** dying: a finalizer or destroy function that tracks or untracks its own
** object while it dies by refcount or at heap destroy. Each works as rcgc.h
** documents, the heap stays consistent (rcgc_check_heap) and teardown gets
** every block back.
*/
#include "testlib.h"

TL_DEFINE;

TestSuite(dying, .init = tl_setup, .fini = tl_teardown);

/* ---------------------------------------------------------- track / untrack */
static int track_result, untrack_result;
static void *kept;

static void fin_untrack_self(rcgc_heap *h, void *o) {
  tl_finalized++;
  untrack_result = rcgc_untrack(h, o);
}
static void fin_track_self_and_resurrect(rcgc_heap *h, void *o) {
  tl_finalized++;
  track_result = rcgc_track(h, o);
  rcgc_incref(h, o);
  kept = o;
}
static void fin_untrack_self_and_resurrect(rcgc_heap *h, void *o) {
  tl_finalized++;
  untrack_result = rcgc_untrack(h, o);
  rcgc_incref(h, o);
  kept = o;
}
static void destroy_untrack_self(rcgc_heap *h, void *o) {
  tl_destroyed++;
  untrack_result = rcgc_untrack(h, o);
}
static void destroy_track_self(rcgc_heap *h, void *o) {
  tl_destroyed++;
  track_result = rcgc_track(h, o);
}

static const rcgc_type untrack_fin = {
    .name = "UntrackFin", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .finalize = fin_untrack_self, .destroy = tl_count_destroy};
static const rcgc_type track_res = {
    .name = "TrackRes", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .finalize = fin_track_self_and_resurrect, .destroy = tl_count_destroy};
static const rcgc_type untrack_res = {
    .name = "UntrackRes", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .finalize = fin_untrack_self_and_resurrect, .destroy = tl_count_destroy};
static const rcgc_type untrack_des = {
    .name = "UntrackDes", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .destroy = destroy_untrack_self};
static const rcgc_type track_des = {
    .name = "TrackDes", .size = sizeof(tl_node), .traverse = tl_node_traverse,
    .destroy = destroy_track_self};

Test(dying, finalizer_untracks_its_dying_object) {
  untrack_result = 99;
  void *n = rcgc_new(tl.heap, &untrack_fin);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(untrack_result, RCGC_OK);
  cr_assert_eq(tl_finalized, 1);
  cr_assert_eq(tl_destroyed, 1);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
}

Test(dying, finalizer_untracks_and_resurrects_its_object) {
  untrack_result = 99;
  kept = NULL;
  void *n = rcgc_new(tl.heap, &untrack_res);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(untrack_result, RCGC_OK);
  cr_assert_eq(kept, n);
  cr_assert_eq(rcgc_is_tracked(n), 0, "resurrected onto the untracked list");
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_list l;
  cr_assert_eq(rcgc_get_objects(tl.heap, -1, &l), RCGC_OK);
  cr_assert_eq(l.count, 0);
  rcgc_list_decref_and_free(tl.heap, &l);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(tl_destroyed, 1);
}

Test(dying, finalizer_tracks_and_resurrects_its_untracked_object) {
  track_result = 99;
  kept = NULL;
  void *n = rcgc_new(tl.heap, &track_res);
  cr_assert_eq(rcgc_untrack(tl.heap, n), RCGC_OK);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(track_result, RCGC_OK);
  cr_assert_eq(kept, n);
  cr_assert_eq(rcgc_is_tracked(n), 1, "resurrected into generation 0");
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
  rcgc_list l;
  cr_assert_eq(rcgc_get_objects(tl.heap, 0, &l), RCGC_OK);
  cr_assert_eq(l.count, 1);
  cr_assert_eq(l.items[0], n);
  rcgc_list_decref_and_free(tl.heap, &l);
  rcgc_decref(tl.heap, n);
  cr_assert_eq(tl_destroyed, 1);
}

Test(dying, destroy_untracks_and_tracks_its_object_dying_by_refcount) {
  untrack_result = track_result = 99;
  void *a = rcgc_new(tl.heap, &untrack_des);
  void *b = rcgc_new(tl.heap, &track_des);
  cr_assert_eq(rcgc_untrack(tl.heap, b), RCGC_OK);
  rcgc_decref(tl.heap, a);
  rcgc_decref(tl.heap, b);
  cr_assert_eq(untrack_result, RCGC_OK);
  cr_assert_eq(track_result, RCGC_OK);
  cr_assert_eq(tl_destroyed, 2);
  cr_assert_eq(rcgc_heap_object_count(tl.heap), 0);
  cr_assert_eq(rcgc_check_heap(tl.heap), 0);
}

Test(dying, destroy_untracks_and_tracks_its_object_at_heap_destroy) {
  untrack_result = track_result = 99;
  void *a = rcgc_new(tl.heap, &untrack_des);
  void *b = rcgc_new(tl.heap, &track_des);
  void *c = rcgc_new(tl.heap, &untrack_des);
  cr_assert_eq(rcgc_untrack(tl.heap, b), RCGC_OK);
  (void)a;
  (void)b;
  (void)c;
  size_t alive = rcgc_heap_destroy(tl.heap);
  tl.heap = NULL;
  cr_assert_eq(alive, 3);
  cr_assert_eq(untrack_result, RCGC_OK);
  cr_assert_eq(track_result, RCGC_OK);
  cr_assert_eq(tl_destroyed, 3, "every destroy ran once");
}
