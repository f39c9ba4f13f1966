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
**  - the destructors run when the garbage list lets go of the nodes, not
**    at interpreter exit.
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
static int graph_repr(const void *o, char *buf, size_t cap) {
  return snprintf(buf, cap, "Graph(%s)", ((const graph *)o)->name);
}
static void graph_del(rcgc_heap *heap, void *o) {
  (void)heap;
  printf("Graph(%s).__del__()\n", ((graph *)o)->name);
}

static const rcgc_type Graph = {"Graph", sizeof(graph), graph_traverse, NULL, graph_del, NULL,
                                graph_repr};

static rcgc_heap *gc;

static void set_next(graph *g, graph *next) {
  if (next)
    printf("Linking nodes Graph(%s).next = Graph(%s)\n", g->name, next->name);
  else
    printf("Linking nodes Graph(%s).next = None\n", g->name);
  rcgc_set(gc, &g->next, next);
}

static graph *graph_new(const char *name) {
  graph *g = rcgc_new(gc, &Graph);
  g->name = name;
  return g;
}

static void print_garbage(void) {
  printf("Remaining Garbage: [");
  for (size_t i = 0; i < rcgc_garbage_count(gc); i++) {
    char buf[64];
    show(gc, rcgc_garbage_get(gc, i), buf, sizeof buf);
    printf("%s%s", i ? ", " : "", buf);
  }
  printf("]\n");
}

int main(void) {
  gc = rcgc_heap_new(NULL);
  if (gc == NULL)
    return 1;

  /* Construct a graph cycle */
  graph *one = graph_new("one"), *two = graph_new("two"), *three = graph_new("three");
  set_next(one, two);
  set_next(two, three);
  set_next(three, one);
  rcgc_decref(gc, one);
  rcgc_decref(gc, two);
  rcgc_decref(gc, three);

  /* Collecting now keeps the objects as uncollectable garbage */
  printf("\nCollecting...\n");
  long n = rcgc_collect(gc, 2);
  printf("Unreachable objects: %ld\n", n);
  print_garbage();

  /* Look for objects that refer to the objects in the garbage list. */
  printf("\nClearing referrers:\n");
  for (size_t i = 0; i < rcgc_garbage_count(gc); i++) {
    void *obj = rcgc_garbage_get(gc, i);
    char buf[64];
    show(gc, obj, buf, sizeof buf);
    printf("Looking for references to %s\n", buf);
    rcgc_list referrers;
    if (rcgc_get_referrers(gc, &obj, 1, &referrers) != RCGC_OK)
      return 1;
    for (size_t k = 0; k < referrers.count; k++) {
      graph *ref = referrers.items[k];
      if (rcgc_typeof(gc, ref) != &Graph)
        continue;
      show(gc, ref, buf, sizeof buf);
      printf("Found referrer: %s\n", buf);
      set_next(ref, NULL);
    }
    rcgc_list_release(gc, &referrers); /* del ref */
  }

  /* Clear references held by the garbage list */
  printf("\nClearing gc.garbage:\n");
  rcgc_garbage_clear(gc);

  /* Everything should have been freed this time */
  printf("\nCollecting...\n");
  n = rcgc_collect(gc, 2);
  printf("Unreachable objects: %ld\n", n);
  print_garbage();

  return rcgc_heap_destroy(gc) != 0;
}
