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

#include "example_graph.h" /* Graph, repr, set_next, ... */

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
  Graph *one, *two, *three;
  construct_graph_cycle(heap, &Graph_type, &one, &two, &three);

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
    printf("Examining: %s\n", repr(heap, it.next));
    seen[nseen++] = it.next;
    rcgc_list referents;
    rcgc_get_referents(heap, &it.next, 1, &referents);
    for (size_t i = 0; i < referents.count; i++) {
      void *r = referents.items[i];
      if (was_seen(r)) {
        printf("\nFound a cycle to %s:\n", repr(heap, r));
        for (size_t j = 0; j < it.len; j++)
          printf("  %zu:  %s\n", j, repr(heap, it.chain[j]));
      } else {
        put(heap, it.chain, it.len, r);
      }
    }
    rcgc_list_decref_and_free(heap, &referents);
    rcgc_decref(heap, it.next);
  }

  rcgc_decref(heap, one);
  rcgc_decref(heap, two);
  rcgc_decref(heap, three);
  return rcgc_heap_destroy(heap) == 0 ? 0 : 1;
}
