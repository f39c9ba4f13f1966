/*
** pymotw_collect.c -- PyMOTW's gc_collect.py on rcgc: build a three-node
** cycle, drop every outside reference, and force two collections, printing
** what each found ("Unreachable objects") and what is left in the garbage
** list ("Remaining Garbage").
**
** Where C differs from the Python original: Python reports 6 unreachable
** objects, three Graph instances plus their three attribute dictionaries
** (__dict__). A C node keeps its fields in its own struct, so the cycle is
** exactly the three nodes: 3 unreachable objects.
*/
#include <rcgc.h>
#include <stdio.h>

#include "example_graph.h" /* Graph, repr, set_next, ... */

int main(void) {
  rcgc_heap *heap = rcgc_heap_new(NULL);

  /* Construct a graph cycle */
  Graph *one, *two, *three;
  construct_graph_cycle(heap, &Graph_type, &one, &two, &three);

  /* Remove references to the graph nodes in this function */
  rcgc_decref(heap, one);
  rcgc_decref(heap, two);
  rcgc_decref(heap, three);
  one = two = three = NULL;

  /* Show the effect of garbage collection */
  for (int i = 0; i < 2; i++) {
    printf("\nCollecting %d ...\n", i);
    collect_and_report(heap);
  }
  return rcgc_heap_destroy(heap) == 0 ? 0 : 1;
}
