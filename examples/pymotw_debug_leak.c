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
**    collector, which frees it as a collection without DEBUG_SAVEALL would
**    have (Python has no such call: emptying gc.garbage there frees nothing
**    that is in a cycle), so the program ends with nothing alive.
*/
#include <rcgc.h>
#include <stdio.h>

#include "example_graph.h" /* pymotw_saveall_program */

int main(void) {
  return pymotw_saveall_program(RCGC_DEBUG_LEAK); /* SAVEALL is part of it */
}
