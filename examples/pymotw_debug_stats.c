/*
** pymotw_debug_stats.c -- PyMOTW's gc_debug_stats.py on rcgc: DEBUG_STATS
** on, one forced collection, then "Exiting". As in Python, a last
** collection runs at exit: rcgc_heap_destroy's final collection prints its
** statistics too.
**
** To give the collection something to find, the program first builds a
** small live structure and eight garbage cycles of three nodes: 24
** unreachable objects, the number in PyMOTW's output. The heap's debug sink
** is stdout, so the lines come in their true order.
**
** Where C differs from the Python original: Python's counts include the
** interpreter's own objects and its exit runs several collections (module
** teardown); here only the program's objects exist and the heap is
** destroyed once.
*/
#include <rcgc.h>
#include <stdio.h>

#include "example_graph.h" /* heap_new_stdout */

typedef struct Node {
  struct Node *next;
} Node;

static int node_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  RCGC_VISIT(((Node *)obj)->next, "next");
  return 0;
}
static const rcgc_type Node_type = {.name = "Node", .size = sizeof(Node), .traverse = node_traverse};

/* A ring of n nodes; returns one of them with the caller's reference. */
static Node *ring(rcgc_heap *heap, int n) {
  Node *first = rcgc_new(heap, &Node_type), *cur = first;
  for (int i = 1; i < n; i++) {
    cur->next = rcgc_new(heap, &Node_type);
    cur = cur->next;
  }
  rcgc_set(heap, &cur->next, first);
  return first;
}

int main(void) {
  rcgc_heap *heap = heap_new_stdout(0); /* the gc: lines go to stdout */

  /* some long-lived data: 5 nodes that survive two collections */
  Node *live = ring(heap, 5);
  rcgc_collect(heap, 1);
  /* and 8 garbage cycles of 3 */
  for (int i = 0; i < 8; i++)
    rcgc_decref(heap, ring(heap, 3));

  rcgc_set_debug(heap, RCGC_DEBUG_STATS);

  rcgc_collect(heap, 2);
  printf("Exiting\n");
  fflush(stdout);

  rcgc_decref(heap, live); /* a garbage ring now: found at exit */
  return rcgc_heap_destroy(heap) == 0 ? 0 : 1;
}
