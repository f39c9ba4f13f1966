/*
** pymotw_debug_leak.c -- PyMOTW's gc_debug_leak.py: DEBUG_LEAK, the combination of
** DEBUG_COLLECTABLE | DEBUG_UNCOLLECTABLE | DEBUG_SAVEALL: the collector
** reports every unreachable object and keeps all of them in the garbage
** list, so they can be examined afterwards ("Retained: ..." lines).
**
** Graph is a plain node; CleanupGraph adds a finalizer (Python 3's
** __del__: a modern finalizer, PEP 442) that prints itself. Differences
** from the seed's output, by design:
**  - Python also reports the tuples, cells, functions, dicts and type
**    objects its class statements left behind, and each instance's
**    __dict__; a C program has none of those, so exactly the four Graph
**    nodes are listed;
**  - the "gc:" lines go to the heap's debug sink, which Python writes to
**    stderr; this program points the sink at stdout so they appear in
**    order with its own output;
**  - at the end, rcgc_garbage_release hands what SAVEALL kept back to the
**    collector (seed 004's question), so the program ends with nothing
**    alive.
*/
#include <rcgc.h>
#include <stdio.h>

#include "example_graph.h" /* Graph_type, CleanupGraph_type, repr, ... */

int main(void) {
  rcgc_heap *gc = heap_new_stdout(0);
  if (gc == NULL)
    return 1;
  rcgc_set_debug(gc, RCGC_DEBUG_LEAK); /* SAVEALL is part of it */

  /* Construct a graph cycle */
  Graph *one = graph_new(gc, &Graph_type, "one");
  Graph *two = graph_new(gc, &Graph_type, "two");
  rcgc_set(gc, &one->next, two); /* one.set_next(two) */
  rcgc_set(gc, &two->next, one);
  /* Construct another node that stands on its own */
  Graph *three = graph_new(gc, &CleanupGraph_type, "three");
  /* Construct a graph cycle with a finalizer */
  Graph *four = graph_new(gc, &CleanupGraph_type, "four");
  Graph *five = graph_new(gc, &CleanupGraph_type, "five");
  rcgc_set(gc, &four->next, five);
  rcgc_set(gc, &five->next, four);

  /* Remove references to the graph nodes in this module's namespace */
  rcgc_decref(gc, one);
  rcgc_decref(gc, two);
  rcgc_decref(gc, three); /* no cycle: finalized and freed right here */
  rcgc_decref(gc, four);
  rcgc_decref(gc, five);

  /* Force a sweep */
  printf("Collecting\n");
  rcgc_collect(gc, 2);
  printf("Done\n");

  /* Report on what was left */
  for (size_t i = 0; i < rcgc_garbage_count(gc); i++) {
    void *o = rcgc_garbage_get(gc, i);
    const rcgc_type *t = rcgc_typeof(gc, o);
    if (t == &Graph_type || t == &CleanupGraph_type)
      printf("Retained: %s %p\n", repr(gc, o), o);
  }

  /* Reset the debug flags before exiting */
  rcgc_set_debug(gc, 0);
  printf("Released: %ld objects freed\n", rcgc_garbage_release(gc, 0));
  return rcgc_heap_destroy(gc) != 0;
}
