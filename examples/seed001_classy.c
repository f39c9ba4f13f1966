/*
** seed001_classy.c -- the leak of a blog post, "Debugging a leaky Python":
** ClassyClass,
** which prints when it lives and when it is collected, with and without a
** reference to itself.
**
** Part 1 is the seed's Python 2 program: the destructor is a legacy
** finalizer, so the self-referencing object is uncollectable and ends up
** in the garbage list, reported by DEBUG_UNCOLLECTABLE; then the same with
** DEBUG_STATS, the seed's second listing. Part 2 is the same class with a
** modern (Python 3.4+, PEP 442) finalizer: the self-reference is collected
** and the destructor runs. Part 3 gets rid of what the garbage list holds
** with one call (rcgc_garbage_release: emptying gc.garbage *and* letting the
** collector reclaim what it held).
**
** Differences from the seed's output, by design:
**  - Python 2 also listed the instance's __dict__ ("gc: uncollectable
**    <dict ...>", "2 uncollectable"): a C object keeps its fields inline,
**    so there is one object, not two;
**  - the "gc:" lines go to the heap's debug sink, which Python sends to
**    stderr; this program sets the sink to stdout so the lines appear in
**    order with the program's own output;
**  - garbage entries print as <ClassyClass 0x...> (rcgc_repr without a
**    repr function), as Python 2's gc lines do.
*/
#include <rcgc.h>
#include <stdio.h>

#include "example_graph.h" /* heap_new_stdout, print_garbage */

typedef struct classy {
  struct classy *self;
} classy;

static int traverse(void *o, rcgc_visit_fn visit, void *arg) {
  RCGC_VISIT(((classy *)o)->self, "self");
  return 0;
}
static void del(rcgc_heap *heap, void *o) {
  (void)heap;
  (void)o;
  printf("I have been garbage collected\n");
}

/* Python 2's __del__ and Python 3's __del__ */
static const rcgc_type ClassyClass = {
    .name = "ClassyClass", .size = sizeof(classy), .traverse = traverse, .legacy_finalize = del};
static const rcgc_type ModernClassyClass = {
    .name = "ClassyClass", .size = sizeof(classy), .traverse = traverse, .finalize = del};

static rcgc_heap *gc;

static classy *classy_new(const rcgc_type *t) {
  classy *c = rcgc_new(gc, t);
  printf("I live!\n");
  return c;
}
static void make_a_self_reference(classy *c) {
  rcgc_set(gc, &c->self, c);
  printf("I point to myself\n");
}

static void no_self_reference(const rcgc_type *t) {
  classy *c = classy_new(t);
  rcgc_decref(gc, c);
}
static void self_reference(const rcgc_type *t) {
  classy *c = classy_new(t);
  make_a_self_reference(c);
  rcgc_decref(gc, c);
}

int main(void) {
  gc = heap_new_stdout(0); /* the gc: lines, in order with ours */
  if (gc == NULL)
    return 1;

  /* gc.set_debug(gc.DEBUG_UNCOLLECTABLE): prints leaky references as they
  ** are discovered */
  rcgc_set_debug(gc, RCGC_DEBUG_UNCOLLECTABLE);
  printf("\n== Without self reference ==\n");
  no_self_reference(&ClassyClass);
  print_garbage(gc, "Uncollectable garbage ");
  printf("\n== With self reference ==\n");
  self_reference(&ClassyClass);
  print_garbage(gc, "Uncollectable garbage ");
  printf("= Forcing full collection =\n");
  rcgc_collect(gc, 2);
  print_garbage(gc, "Uncollectable garbage ");

  /* gc.set_debug(gc.DEBUG_STATS | gc.DEBUG_UNCOLLECTABLE): more detailed
  ** stats about each collection */
  printf("\n== With self reference, DEBUG_STATS ==\n");
  rcgc_set_debug(gc, RCGC_DEBUG_STATS | RCGC_DEBUG_UNCOLLECTABLE);
  self_reference(&ClassyClass);
  rcgc_collect(gc, 2);
  print_garbage(gc, "Uncollectable garbage ");
  rcgc_set_debug(gc, RCGC_DEBUG_UNCOLLECTABLE);

  printf("\n== With self reference, modern finalizer (Python 3.4+) ==\n");
  self_reference(&ModernClassyClass);
  print_garbage(gc, "Uncollectable garbage ");
  printf("= Forcing full collection =\n");
  rcgc_collect(gc, 2);
  print_garbage(gc, "Uncollectable garbage ");

  /* Empty the garbage list and let the collector reclaim it,
  ** running each legacy finalizer once, without touching any field. */
  printf("\n== Releasing the garbage list ==\n");
  long freed = rcgc_garbage_release(gc, RCGC_RELEASE_LEGACY);
  printf("Freed %ld objects\n", freed);
  print_garbage(gc, "Uncollectable garbage ");

  return rcgc_heap_destroy(gc) != 0;
}
