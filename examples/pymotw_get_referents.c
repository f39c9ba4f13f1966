/*
** pymotw_get_referents.c -- PyMOTW's gc_get_referents.py on rcgc.
**
** Three Graph nodes linked in a cycle; rcgc_get_referents shows what
** 'three' refers to.
**
** Where C differs from the Python original: a Python instance refers to its
** attribute dictionary (__dict__) and to its class, so Python prints
** "{'name': 'three', 'next': Graph(one)}" and "<class '__main__.Graph'>".
** A C struct holds its fields directly and its type descriptor is not a
** managed object, so the only referent rcgc reports is the node that
** three.next points at.
*/
#include <rcgc.h>
#include <stdio.h>

#include "example_graph.h" /* Graph, repr, set_next, ... */

int main(void) {
  rcgc_heap *heap = rcgc_heap_new(NULL);

  /* Construct a graph cycle */
  Graph *one, *two, *three;
  construct_graph_cycle(heap, &Graph_type, &one, &two, &three);

  printf("\nthree refers to:\n");
  rcgc_list referents;
  rcgc_get_referents(heap, (void *[]){three}, 1, &referents);
  for (size_t i = 0; i < referents.count; i++)
    printf("%s\n", repr(heap, referents.items[i]));
  rcgc_list_decref_and_free(heap, &referents);

  rcgc_decref(heap, one);
  rcgc_decref(heap, two);
  rcgc_decref(heap, three);
  return rcgc_heap_destroy(heap) == 0 ? 0 : 1; /* the cycle is freed here */
}
