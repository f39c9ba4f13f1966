/*
** seed000_uncollectable.c -- the debugging recipe of a Python 2 article,
** "gc.garbage is your friend": with
** DEBUG_UNCOLLECTABLE | DEBUG_COLLECTABLE, collect, then log the garbage
** list and, for each object in it, its referrers -- which shows the object
** that holds the one with the destructor.
**
** The scene: a Connection with a Python 2 style destructor (a legacy
** finalizer) and the Session that owns it point at each other; the
** Connection also holds a Buffer. Next to them, a plain Session<->Cache
** cycle that is collectable. The legacy cycle and everything it reaches is
** uncollectable; only the Connection is listed in the garbage list (Python
** 2.2+ lists the objects with __del__ only).
**
** Differences from the article's output, by design:
**  - the article warns that gc.garbage itself shows up among the referrers
**    ("It looks like a standard list. Ignore it."); rcgc's garbage list is
**    not a managed object, so it never appears;
**  - log lines are printed with printf instead of logger.debug, and the
**    "gc:" lines go to the heap's debug sink (stderr by default, as in
**    Python), here pointed at stdout to keep the order readable.
** At the end rcgc_garbage_release(RCGC_RELEASE_LEGACY) answers the question
** every reader of gc.garbage ends up asking -- how to give it all back to
** the collector: it empties the garbage list and lets the collector free
** the whole uncollectable cycle, running the destructor once, without
** clearing any field by hand.
*/
#include <rcgc.h>
#include <stdio.h>

#include "example_graph.h" /* heap_new_stdout, repr, print_garbage */

typedef struct node {
  void *a, *b;
  const char *name;
} node;

static int node_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  node *n = o;
  RCGC_VISIT(n->a, "a");
  RCGC_VISIT(n->b, "b");
  return 0;
}

static rcgc_heap *gc;

static int node_repr(const void *o, char *buf, size_t cap) {
  return snprintf(buf, cap, "<%s %s>", rcgc_typeof(gc, o)->name, ((const node *)o)->name);
}
static void connection_del(rcgc_heap *heap, void *o) {
  (void)heap;
  printf("Connection(%s).__del__: closing\n", ((node *)o)->name);
}

static const rcgc_type Session = {
    .name = "Session", .size = sizeof(node), .traverse = node_traverse, .repr = node_repr};
static const rcgc_type Connection = {
    .name = "Connection", .size = sizeof(node), .traverse = node_traverse,
    .legacy_finalize = connection_del, .repr = node_repr};
static const rcgc_type Buffer = {
    .name = "Buffer", .size = sizeof(node), .traverse = node_traverse, .repr = node_repr};
static const rcgc_type Cache = {
    .name = "Cache", .size = sizeof(node), .traverse = node_traverse, .repr = node_repr};

static node *node_new(const rcgc_type *t, const char *name) {
  node *n = rcgc_new(gc, t);
  n->name = name;
  return n;
}

/* [your code] */
static void your_code(void) {
  node *session = node_new(&Session, "db");
  node *conn = node_new(&Connection, "db");
  node *buf = node_new(&Buffer, "rx");
  rcgc_set(gc, &session->a, conn);
  rcgc_set(gc, &conn->a, session); /* the cycle through the destructor */
  rcgc_set(gc, &conn->b, buf);
  node *s2 = node_new(&Session, "web"), *cache = node_new(&Cache, "web");
  rcgc_set(gc, &s2->a, cache);
  rcgc_set(gc, &cache->a, s2); /* an ordinary cycle */
  rcgc_decref(gc, session);
  rcgc_decref(gc, conn);
  rcgc_decref(gc, buf);
  rcgc_decref(gc, s2);
  rcgc_decref(gc, cache);
}

int main(void) {
  gc = heap_new_stdout(0);
  if (gc == NULL)
    return 1;

  rcgc_set_debug(gc, RCGC_DEBUG_UNCOLLECTABLE | RCGC_DEBUG_COLLECTABLE);
  your_code();
  rcgc_collect(gc, 2);

  print_garbage(gc, "gc garbage: ");
  for (size_t i = 0; i < rcgc_garbage_count(gc); i++) {
    void *o = rcgc_garbage_get(gc, i);
    rcgc_list refs;
    if (rcgc_get_referrers(gc, &o, 1, &refs) != RCGC_OK)
      return 1;
    for (size_t k = 0; k < refs.count; k++)
      printf("ref for %s: %s\n", repr(gc, o), repr(gc, refs.items[k]));
    rcgc_list_decref_and_free(gc, &refs);
  }

  printf("\nReleasing the garbage list:\n");
  rcgc_set_debug(gc, 0);
  long freed = rcgc_garbage_release(gc, RCGC_RELEASE_LEGACY);
  printf("freed %ld objects, gc garbage: %zu entries\n", freed, rcgc_garbage_count(gc));
  return rcgc_heap_destroy(gc) != 0;
}
