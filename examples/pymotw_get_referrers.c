/*
** pymotw_get_referrers.c -- PyMOTW's gc_get_referrers.py: find who refers
** to the objects of an unexplained cycle with get_referrers, break the
** cycle there, clear the garbage list, collect again.
**
** Graph has a destructor. In the seed it is a Python 3 __del__ and the
** nodes are still held by module variables when it collects (0
** unreachable); the point of the program is the Python 2 situation, where
** a cycle with __del__ is stuck in gc.garbage. So here the destructor is a
** legacy finalizer and the nodes are released before collecting: the cycle
** lands in the garbage list, and the referrer hunt starts from there.
**
** Differences from the seed's output, by design:
**  - no "Looking for references to {'name': ...}" lines: a C object keeps
**    its fields inline, there is no __dict__ between two nodes;
**  - the seed has to ignore its own locals(), globals() and gc.garbage
**    among the referrers; rcgc_get_referrers returns only managed objects
**    that point at the argument, and neither C variables nor the garbage
**    list are managed objects, so there is nothing to ignore;
**  - the destructors run when the garbage list lets go of the nodes (the
**    last entry first, as CPython clears a list), not at interpreter exit.
*/
#include <rcgc.h>
#include <stdio.h>

#include "example_graph.h" /* Graph, repr, set_next, ... */

/* This seed's Graph has a destructor, here a legacy (Python 2) one */
static const rcgc_type GraphDel_type = {.name = "Graph",
                                        .size = sizeof(Graph),
                                        .traverse = graph_traverse,
                                        .legacy_finalize = graph_del,
                                        .repr = graph_repr};

int main(void) {
  rcgc_heap *gc = rcgc_heap_new(NULL);
  if (gc == NULL)
    return 1;

  /* Construct a graph cycle */
  Graph *one, *two, *three;
  construct_graph_cycle(gc, &GraphDel_type, &one, &two, &three);
  rcgc_decref(gc, one);
  rcgc_decref(gc, two);
  rcgc_decref(gc, three);

  /* Collecting now keeps the objects as uncollectable garbage */
  printf("\nCollecting...\n");
  collect_and_report(gc);

  /* Look for objects that refer to the objects in the garbage list. */
  printf("\nClearing referrers:\n");
  for (size_t i = 0; i < rcgc_garbage_count(gc); i++) {
    void *obj = rcgc_garbage_get(gc, i);
    printf("Looking for references to %s\n", repr(gc, obj));
    rcgc_list referrers;
    if (rcgc_get_referrers(gc, &obj, 1, &referrers) != RCGC_OK)
      return 1;
    for (size_t k = 0; k < referrers.count; k++) {
      Graph *ref = referrers.items[k];
      if (rcgc_typeof(gc, ref) != &GraphDel_type)
        continue;
      printf("Found referrer: %s\n", repr(gc, ref));
      set_next(gc, ref, NULL);
    }
    rcgc_list_decref_and_free(gc, &referrers); /* del ref */
  }

  /* Clear references held by the garbage list */
  printf("\nClearing gc.garbage:\n");
  rcgc_garbage_clear(gc);

  /* Everything should have been freed this time */
  printf("\nCollecting...\n");
  collect_and_report(gc);

  return rcgc_heap_destroy(gc) != 0;
}
