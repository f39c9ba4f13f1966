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

typedef struct Graph {
  const char *name;
  struct Graph *next;
} Graph;

static int graph_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  Graph *g = obj;
  RCGC_VISIT(g->next, "next");
  return 0;
}

static int graph_repr(const void *obj, char *buf, size_t cap) {
  return snprintf(buf, cap, "Graph(%s)", ((const Graph *)obj)->name);
}

static const rcgc_type Graph_type = {
    .name = "Graph", .size = sizeof(Graph), .traverse = graph_traverse, .repr = graph_repr};

static const char *repr(const Graph *g) {
  static char buf[4][64];
  static int slot;
  char *b = buf[slot++ % 4];
  if (g == NULL)
    return "None";
  graph_repr(g, b, 64);
  return b;
}

static Graph *graph_new(rcgc_heap *heap, const char *name) {
  Graph *g = rcgc_new(heap, &Graph_type);
  g->name = name;
  return g;
}

static void set_next(rcgc_heap *heap, Graph *self, Graph *next) {
  printf("Linking nodes %s.next = %s\n", repr(self), repr(next));
  rcgc_set(heap, &self->next, next);
}

/* pprint.pprint(gc.garbage) */
static void print_garbage(rcgc_heap *heap) {
  printf("[");
  for (size_t i = 0; i < rcgc_garbage_count(heap); i++)
    printf("%s%s", i ? ", " : "", repr(rcgc_garbage_get(heap, i)));
  printf("]\n");
}

int main(void) {
  rcgc_heap *heap = rcgc_heap_new(NULL);

  /* Construct a graph cycle */
  Graph *one = graph_new(heap, "one");
  Graph *two = graph_new(heap, "two");
  Graph *three = graph_new(heap, "three");
  set_next(heap, one, two);
  set_next(heap, two, three);
  set_next(heap, three, one);

  /* Remove references to the graph nodes in this function */
  rcgc_decref(heap, one);
  rcgc_decref(heap, two);
  rcgc_decref(heap, three);
  one = two = three = NULL;

  /* Show the effect of garbage collection */
  for (int i = 0; i < 2; i++) {
    printf("\nCollecting %d ...\n", i);
    long n = rcgc_collect(heap, 2);
    printf("Unreachable objects: %ld\n", n);
    printf("Remaining Garbage: ");
    print_garbage(heap);
  }
  return rcgc_heap_destroy(heap) == 0 ? 0 : 1;
}
