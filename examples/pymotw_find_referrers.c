/*
** pymotw_find_referrers.c -- PyMOTW's gc_get_referrers.py on rcgc: a cycle
** of Graph nodes with finalizers (__del__) is still referenced from the
** program, so a collection finds nothing; find_referring_graphs walks
** rcgc_get_referrers to find, for each node, the node that points at it, and
** the link is cut. Once the program drops its own references, each node is
** freed at once by reference counting and its finalizer runs.
**
** Where C differs from the Python original:
**  - Python's nodes are referred to by their neighbours' __dict__, so the
**    original recurses from each dict to the instance that owns it and
**    prints a "Looking for references to {...}" line per dict. A C node
**    points at its neighbour directly: the referrer is the node itself.
**    The recursion is kept for referrers that are not Graph nodes (none in
**    this program).
**  - Python must ignore locals(), globals() and gc.garbage, which are
**    tracked containers holding the nodes. C locals and the garbage list are
**    not managed objects, so rcgc_get_referrers never returns them.
*/
#include <rcgc.h>
#include <stdio.h>

#include "example_graph.h" /* Graph, repr, set_next, ... */

/* This seed's Graph has a __del__ (a modern finalizer, as in Python 3) */
static const rcgc_type GraphDel_type = {.name = "Graph",
                                        .size = sizeof(Graph),
                                        .traverse = graph_traverse,
                                        .finalize = graph_del,
                                        .repr = graph_repr};

/* The Python generator becomes a callback: 'found' is called with each
** Graph node that refers to 'obj', directly or through containers that are
** not Graph nodes. */
typedef void (*found_fn)(rcgc_heap *heap, Graph *ref);

static void find_referring_graphs(rcgc_heap *heap, void *obj, found_fn found) {
  if (rcgc_typeof(heap, obj) == &GraphDel_type)
    printf("Looking for references to %s\n", repr(heap, obj));
  rcgc_list referrers;
  if (rcgc_get_referrers(heap, &obj, 1, &referrers) != RCGC_OK)
    return;
  for (size_t i = 0; i < referrers.count; i++) {
    void *ref = referrers.items[i];
    if (rcgc_typeof(heap, ref) == &GraphDel_type)
      found(heap, ref); /* a graph node */
    else
      find_referring_graphs(heap, ref, found); /* some other container */
  }
  rcgc_list_decref_and_free(heap, &referrers); /* remove references so the nodes can be freed */
}

static void clear_referrer(rcgc_heap *heap, Graph *ref) {
  printf("Found referrer: %s\n", repr(heap, ref));
  set_next(heap, ref, NULL);
}

int main(void) {
  rcgc_heap *heap = rcgc_heap_new(NULL);

  /* Construct a graph cycle */
  Graph *one, *two, *three;
  construct_graph_cycle(heap, &GraphDel_type, &one, &two, &three);

  /* Collecting now finds nothing: the program still holds the nodes. */
  printf("\nCollecting...\n");
  collect_and_report(heap);

  /* Look for objects that refer to the objects in the graph. */
  printf("\nClearing referrers:\n");
  Graph *nodes[] = {one, two, three};
  for (int i = 0; i < 3; i++)
    find_referring_graphs(heap, nodes[i], clear_referrer);

  /* Clear references held by the garbage list */
  printf("\nClearing gc.garbage:\n");
  rcgc_garbage_clear(heap);

  /* Everything could be freed this time */
  printf("\nCollecting...\n");
  collect_and_report(heap);

  /* The program's references go last (Python: the module globals at exit):
  ** each node is freed by reference counting, its finalizer first. */
  rcgc_decref(heap, one);
  rcgc_decref(heap, two);
  rcgc_decref(heap, three);
  return rcgc_heap_destroy(heap) == 0 ? 0 : 1;
}
