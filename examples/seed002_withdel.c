/*
** seed002_withdel.c -- the classes of a forum question, "Collecting to much
** Garbage in Python",
** step by step: WithDel, WithDelAndCleanUp and B.
**
**  1. no cycle: the objects die by refcount, the garbage list stays empty;
**  2. a cycle through an object with a legacy (Python 2) __del__: the
**     collector will not guess an order, the cycle is uncollectable and
**     WithDel lands in the garbage list (1); the programmer breaks the
**     cycle by hand, clears the list and collects again (0);
**  3. WithDelAndCleanUp, whose __del__ breaks the cycle itself (0).
**
** Step 3 is where C has to be precise. The seed claims 0, but under Python
** 2 rules a __del__ in a cycle is never called, so its cleanup can never
** run: the seed's third result only holds with Python 3.4+ finalizers
** (PEP 442), which run first and then let the collector free the cycle.
** So WithDel uses rcgc's legacy_finalize (Python 2 semantics, which is what
** the seed is about) and WithDelAndCleanUp the modern finalize.
*/
#include <rcgc.h>
#include <stdio.h>

typedef struct obj {
  void *cycle;
} obj;

static int traverse(void *o, rcgc_visit_fn visit, void *arg) {
  RCGC_VISIT(((obj *)o)->cycle, "cycle");
  return 0;
}

/* WithDel.__del__: pass */
static void with_del_del(rcgc_heap *heap, void *o) {
  (void)heap;
  (void)o;
}
/* WithDelAndCleanUp.__del__: self.cycle = None */
static void cleanup_del(rcgc_heap *heap, void *o) { rcgc_set(heap, &((obj *)o)->cycle, NULL); }

static const rcgc_type WithDel = {
    .name = "WithDel", .size = sizeof(obj), .traverse = traverse, .legacy_finalize = with_del_del};
static const rcgc_type WithDelAndCleanUp = {
    .name = "WithDelAndCleanUp", .size = sizeof(obj), .traverse = traverse, .finalize = cleanup_del};
static const rcgc_type B = {.name = "B", .size = sizeof(obj), .traverse = traverse};

int main(void) {
  rcgc_heap *gc = rcgc_heap_new(NULL);
  if (gc == NULL)
    return 1;
  int failures = 0;

  printf("\n--- Test without Cycle ---\n");
  /* Given both objects exist but do not create a cycle between them */
  obj *with_del = rcgc_new(gc, &WithDel);
  obj *b = rcgc_new(gc, &B);
  /* When the objects are released (no longer referenced) */
  rcgc_decref(gc, with_del);
  rcgc_decref(gc, b);
  /* Then the garbage collector is able to collect the memory */
  rcgc_collect(gc, 2);
  printf("Uncollectable Objects: %zu\n", rcgc_garbage_count(gc));

  printf("\n--- Test with Cycle ---\n");
  /* Given both objects */
  b = rcgc_new(gc, &B);
  with_del = rcgc_new(gc, &WithDel);
  /* And a cycle between them */
  rcgc_set(gc, &b->cycle, with_del);
  rcgc_set(gc, &with_del->cycle, b);
  /* When both objects are released (no longer referenced) */
  rcgc_decref(gc, with_del);
  rcgc_decref(gc, b);
  /* Then the collector does not release the memory */
  rcgc_collect(gc, 2);
  printf("Uncollectable Objects: %zu\n", rcgc_garbage_count(gc));

  /* Manually clean up the garbage
  ** - Release the cycle (gc.garbage[0].cycle = 0) */
  obj *stuck = rcgc_garbage_get(gc, 0);
  rcgc_set(gc, &stuck->cycle, NULL);
  /* - The list of garbage holds another reference, so it must be cleared
  **   (gc.garbage = []) */
  rcgc_garbage_clear(gc);
  /* - Verify things were cleaned up */
  rcgc_collect(gc, 2);
  failures += rcgc_garbage_count(gc) != 0; /* assert 0 == len(gc.garbage) */
  printf("After the manual clean-up: %zu\n", rcgc_garbage_count(gc));

  printf("\n--- Test cycle with proper cleanup ---\n");
  /* Given both objects */
  b = rcgc_new(gc, &B);
  with_del = rcgc_new(gc, &WithDelAndCleanUp); /* see the usage of the new type */
  /* And a cycle between them */
  rcgc_set(gc, &b->cycle, with_del);
  rcgc_set(gc, &with_del->cycle, b);
  /* When both objects are released (no longer referenced) */
  rcgc_decref(gc, with_del);
  rcgc_decref(gc, b);
  /* Then the collector releases the memory: the finalizer broke the cycle */
  rcgc_collect(gc, 2);
  printf("Uncollectable Objects: %zu\n", rcgc_garbage_count(gc));

  /* Nothing may be left: heap destroy returns the number of live objects. */
  return rcgc_heap_destroy(gc) != 0 || failures != 0;
}
