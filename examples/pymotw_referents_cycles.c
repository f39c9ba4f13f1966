/*
** pymotw_referents_cycles.c -- PyMOTW's gc_get_referents_cycles.py on rcgc:
** a breadth-first walk over rcgc_get_referents that finds the cycle through
** Graph(three) and prints the chain of objects that forms it.
**
** As in the original, objects already examined are remembered by address
** only (Python caches id() values), so the walk itself keeps nothing alive;
** the queue holds a strong reference to each object waiting in it.
**
** Where C differs from the Python original: Python examines each node's
** __dict__ between the nodes (six entries in the cycle) and must skip
** strings and classes. A C node refers to the next node directly and a type
** descriptor is not a managed object, so the chain has three entries and
** there is nothing to skip.
*/
#include <rcgc.h>
#include <stdio.h>
#include <stdlib.h>

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

/* ---------------------------------------------------------- the walk */

#define MAX_CHAIN 32
#define MAX_QUEUE 256

typedef struct item {
  void *chain[MAX_CHAIN]; /* the reference chain so far (borrowed) */
  size_t len;
  void *next; /* the object to examine (a strong reference) */
} item;

static item queue[MAX_QUEUE];
static size_t q_head, q_tail;

static void put(rcgc_heap *heap, void *const *chain, size_t len, void *obj) {
  item *it = &queue[q_tail++ % MAX_QUEUE];
  for (size_t i = 0; i < len; i++)
    it->chain[i] = chain[i];
  it->len = len;
  rcgc_incref(heap, obj);
  it->next = obj;
}

static void *seen[MAX_QUEUE];
static size_t nseen;

static int was_seen(const void *obj) {
  for (size_t i = 0; i < nseen; i++)
    if (seen[i] == obj)
      return 1;
  return 0;
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

  printf("\n");

  /* Start with an empty object chain and Graph three. */
  put(heap, NULL, 0, three);

  /* Look for cycles, building the object chain for each object found in
  ** the queue so the full cycle can be printed at the end. */
  while (q_head != q_tail) {
    item it = queue[q_head++ % MAX_QUEUE];
    if (it.len == MAX_CHAIN) {
      rcgc_decref(heap, it.next);
      continue;
    }
    it.chain[it.len++] = it.next;
    printf("Examining: %s\n", repr(it.next));
    seen[nseen++] = it.next;
    rcgc_list referents;
    rcgc_get_referents(heap, &it.next, 1, &referents);
    for (size_t i = 0; i < referents.count; i++) {
      void *r = referents.items[i];
      if (was_seen(r)) {
        printf("\nFound a cycle to %s:\n", repr(r));
        for (size_t j = 0; j < it.len; j++)
          printf("  %zu:  %s\n", j, repr(it.chain[j]));
      } else {
        put(heap, it.chain, it.len, r);
      }
    }
    rcgc_list_release(heap, &referents);
    rcgc_decref(heap, it.next);
  }

  rcgc_decref(heap, one);
  rcgc_decref(heap, two);
  rcgc_decref(heap, three);
  return rcgc_heap_destroy(heap) == 0 ? 0 : 1;
}
