/*
** example_graph.h -- the pieces the example programs have in common.
**
** Provides:
**  - heap_new_stdout: a heap whose debug sink is stdout, so the collector's
**    "gc:" lines come out in order with the program's own output;
**  - repr: Python's repr() for a managed object (the type's repr function
**    when it has one, else <Type 0x...>; "None" for NULL);
**  - print_garbage / collect_and_report: print gc.garbage as a list, and
**    collect with PyMOTW's "Unreachable objects" / "Remaining Garbage"
**    lines;
**  - Graph, the node class of PyMOTW's gc article (fields name and next,
**    repr "Graph(name)"), with graph_new, a printing set_next and
**    construct_graph_cycle (one -> two -> three -> one); Graph_type and
**    CleanupGraph_type (a Graph whose modern finalizer, Python 3's
**    __del__, prints "CleanupGraph(name).__del__()"); graph_del, that
**    finalizer, for an example that gives Graph itself a __del__;
**  - pymotw_saveall_program: the one program behind both
**    gc_debug_saveall.py and gc_debug_leak.py (the seed shows that they
**    differ only in their debug flags, and so do the two examples).
**
** Only what is the same everywhere lives here. Each other example stays a
** readable, self-contained port of its seed: the seed's own steps (what it
** builds, drops, collects and prints) are written out in the example.
** Everything here is static inline or static const, so an example that
** does not use a piece gets no warning for it.
*/
#ifndef RCGC_EXAMPLE_GRAPH_H
#define RCGC_EXAMPLE_GRAPH_H

#include <rcgc.h>
#include <stdio.h>

/* ------------------------------------------------------ heap and output */

/* A heap (with the RCGC_CONFIG_* 'flags') whose debug sink is stdout, so
** the "gc:" lines appear in order with the program's output. These
** examples reproduce CPython's output line for line, so the heap follows
** CPython's collection schedule (RCGC_POLICY_CPYTHON), whose lists keep
** objects in allocation order as CPython's do. */
static inline rcgc_heap *heap_new_stdout(unsigned flags) {
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.policy = RCGC_POLICY_CPYTHON;
  cfg.flags = flags;
  cfg.write = rcgc_write_file;
  cfg.write_ud = stdout;
  return rcgc_heap_new(&cfg);
}

/* repr(obj): the type's repr function when it has one, else <Type 0x...>;
** "None" for NULL. The text lives in one of four rotating buffers, so up to
** four results can be used in one printf. */
static inline const char *repr(rcgc_heap *heap, const void *obj) {
  static char bufs[4][128];
  static unsigned slot;
  char *buf = bufs[slot++ % 4];
  if (obj == NULL)
    return "None";
  const rcgc_type *t = rcgc_typeof(heap, obj);
  if (t != NULL && t->repr != NULL)
    t->repr(obj, buf, sizeof bufs[0]);
  else
    rcgc_repr(heap, obj, buf, sizeof bufs[0]);
  return buf;
}

/* print(label, gc.garbage): "label[a, b, ...]" and a newline */
static inline void print_garbage(rcgc_heap *heap, const char *label) {
  printf("%s[", label);
  for (size_t i = 0; i < rcgc_garbage_count(heap); i++)
    printf("%s%s", i ? ", " : "", repr(heap, rcgc_garbage_get(heap, i)));
  printf("]\n");
}

/* n = gc.collect(); print('Unreachable objects:', n);
** print('Remaining Garbage:', end=' '); pprint.pprint(gc.garbage) */
static inline long collect_and_report(rcgc_heap *heap) {
  long n = rcgc_collect(heap, 2);
  printf("Unreachable objects: %ld\n", n);
  print_garbage(heap, "Remaining Garbage: ");
  return n;
}

/* ------------------------------------------------------------- Graph */

/* class Graph: def __init__(self, name): self.name = name; self.next = None */
typedef struct Graph {
  const char *name;
  struct Graph *next;
} Graph;

static inline int graph_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  RCGC_VISIT(((Graph *)obj)->next, "next");
  return 0;
}

/* '{}({})'.format(self.__class__.__name__, self.name) */
static inline int graph_repr(const void *obj, char *buf, size_t cap) {
  return snprintf(buf, cap, "Graph(%s)", ((const Graph *)obj)->name);
}
static inline int cleanup_graph_repr(const void *obj, char *buf, size_t cap) {
  return snprintf(buf, cap, "CleanupGraph(%s)", ((const Graph *)obj)->name);
}

/* def __del__(self): print('{}.__del__()'.format(self)) */
static inline void graph_del(rcgc_heap *heap, void *obj) {
  printf("%s.__del__()\n", repr(heap, obj));
}

static const rcgc_type Graph_type = {
    .name = "Graph", .size = sizeof(Graph), .traverse = graph_traverse, .repr = graph_repr};

/* class CleanupGraph(Graph), with a (Python 3, PEP 442) __del__ */
static const rcgc_type CleanupGraph_type = {.name = "CleanupGraph",
                                            .size = sizeof(Graph),
                                            .traverse = graph_traverse,
                                            .finalize = graph_del,
                                            .repr = cleanup_graph_repr};

/* Graph(name), or another type with Graph's layout ('type') */
static inline Graph *graph_new(rcgc_heap *heap, const rcgc_type *type, const char *name) {
  Graph *g = rcgc_new(heap, type);
  g->name = name;
  return g;
}

/* def set_next(self, next): print('Linking nodes {}.next = {}'...) */
static inline void set_next(rcgc_heap *heap, Graph *self, Graph *next) {
  printf("Linking nodes %s.next = %s\n", repr(heap, self), repr(heap, next));
  rcgc_set(heap, &self->next, next);
}

/* The cycle PyMOTW's examples start from ('type' is Graph_type or a Graph
** with a __del__):
**   one = Graph('one'); two = Graph('two'); three = Graph('three')
**   one.set_next(two); two.set_next(three); three.set_next(one)
** The caller owns one reference to each node. */
static inline void construct_graph_cycle(rcgc_heap *heap, const rcgc_type *type, Graph **one,
                                         Graph **two, Graph **three) {
  *one = graph_new(heap, type, "one");
  *two = graph_new(heap, type, "two");
  *three = graph_new(heap, type, "three");
  set_next(heap, *one, *two);
  set_next(heap, *two, *three);
  set_next(heap, *three, *one);
}

/* The program of PyMOTW's gc_debug_saveall.py and gc_debug_leak.py, which
** are the same script but for the debug flags they set: two cycles of Graph
** nodes (one with finalizers) and a standalone CleanupGraph, dropped,
** collected, and what the garbage list retained printed. Returns the exit
** status. */
static inline int pymotw_saveall_program(unsigned flags) {
  rcgc_heap *gc = heap_new_stdout(0);
  if (gc == NULL)
    return 1;
  rcgc_set_debug(gc, flags);

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

#endif /* RCGC_EXAMPLE_GRAPH_H */
