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

int main(void) {
  rcgc_heap *heap = rcgc_heap_new(NULL);

  /* Construct a graph cycle */
  Graph *one = graph_new(heap, "one");
  Graph *two = graph_new(heap, "two");
  Graph *three = graph_new(heap, "three");
  set_next(heap, one, two);
  set_next(heap, two, three);
  set_next(heap, three, one);

  printf("\nthree refers to:\n");
  rcgc_list referents;
  rcgc_get_referents(heap, (void *[]){three}, 1, &referents);
  for (size_t i = 0; i < referents.count; i++)
    printf("%s\n", repr(referents.items[i]));
  rcgc_list_release(heap, &referents);

  rcgc_decref(heap, one);
  rcgc_decref(heap, two);
  rcgc_decref(heap, three);
  return rcgc_heap_destroy(heap) == 0 ? 0 : 1; /* the cycle is freed here */
}
