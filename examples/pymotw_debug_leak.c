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

/* The type's repr function when it has one, else <Type 0x...>. */
static void show(rcgc_heap *heap, const void *o, char *buf, size_t cap) {
  const rcgc_type *t = rcgc_typeof(heap, o);
  if (t != NULL && t->repr != NULL)
    t->repr(o, buf, cap);
  else
    rcgc_repr(heap, o, buf, cap);
}

typedef struct graph {
  struct graph *next;
  const char *name;
} graph;

static int graph_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  RCGC_VISIT(((graph *)o)->next, "next");
  return 0;
}
static int graph_repr(const void *o, char *buf, size_t cap);
static void cleanup_del(rcgc_heap *heap, void *o) {
  char buf[64];
  show(heap, o, buf, sizeof buf);
  printf("%s.__del__()\n", buf);
}

static const rcgc_type Graph = {"Graph", sizeof(graph), graph_traverse, NULL, NULL, NULL,
                                graph_repr};
static const rcgc_type CleanupGraph = {"CleanupGraph", sizeof(graph), graph_traverse, cleanup_del,
                                       NULL, NULL, graph_repr};

static rcgc_heap *gc;

/* '{}({})'.format(self.__class__.__name__, self.name) */
static int graph_repr(const void *o, char *buf, size_t cap) {
  return snprintf(buf, cap, "%s(%s)", rcgc_typeof(gc, o)->name, ((const graph *)o)->name);
}

static graph *graph_new(const rcgc_type *t, const char *name) {
  graph *g = rcgc_new(gc, t);
  g->name = name;
  return g;
}
static void set_next(graph *g, graph *next) { rcgc_set(gc, &g->next, next); }

int main(void) {
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.write = rcgc_write_file;
  cfg.write_ud = stdout;
  gc = rcgc_heap_new(&cfg);
  if (gc == NULL)
    return 1;
  rcgc_set_debug(gc, RCGC_DEBUG_LEAK); /* SAVEALL is part of it */

  /* Construct a graph cycle */
  graph *one = graph_new(&Graph, "one");
  graph *two = graph_new(&Graph, "two");
  set_next(one, two);
  set_next(two, one);
  /* Construct another node that stands on its own */
  graph *three = graph_new(&CleanupGraph, "three");
  /* Construct a graph cycle with a finalizer */
  graph *four = graph_new(&CleanupGraph, "four");
  graph *five = graph_new(&CleanupGraph, "five");
  set_next(four, five);
  set_next(five, four);

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
    if (t == &Graph || t == &CleanupGraph) {
      char buf[64];
      show(gc, o, buf, sizeof buf);
      printf("Retained: %s %p\n", buf, o);
    }
  }

  /* Reset the debug flags before exiting */
  rcgc_set_debug(gc, 0);
  printf("Released: %ld objects freed\n", rcgc_garbage_release(gc, 0));
  return rcgc_heap_destroy(gc) != 0;
}
