/*
** seed004_unreachable.c -- the unreachable() helper a Python programmer wrote
** for a mailing-list thread ("a list of
** unreachable items that were formed since the last call"), done properly.
**
** The original turned on DEBUG_SAVEALL, collected, printed gc.garbage and
** then tried to break every cycle by hand (_deep_purge_list: clear dicts,
** empty lists, clear __dict__). That misses cycles through other objects
** (tuples, classes), so the same "unreachable items" came back on every
** call, and the list itself kept everything alive.
**
** rcgc_garbage_release answers the seed's first question ("is there a way
** to have gc remove them, like it would have done without DEBUG_SAVEALL?"):
** it empties the garbage list and has the collector free what it held. So
** unreachable() reports what became unreachable since the last call, each
** item with its type/address *and* its repr (the seed's wish for "rich
** string representations over type/id"), and keeps nothing alive.
**
** The second half is the seed's "afterthought" (DEBUG_LEAK, "collecting
** {{{ ... }}} done") with rcgc's RCGC_DEBUG_REPR flag appending the repr to
** each "gc: collectable" line. The heap's sink is stdout so the lines come
** in order.
**
** Where C differs from the Python original: a Python instance of A is two
** objects (the instance and its __dict__), so the seed lists [0] and [1]
** for one A(). A C struct has no separate attribute dictionary: one A() is
** one unreachable object.
*/
#include <rcgc.h>
#include <stdio.h>

#include "example_graph.h" /* heap_new_stdout, repr */

/* class A: def __init__(self): self.ref = self */
typedef struct A {
  void *ref;
} A;

static int a_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  RCGC_VISIT(((A *)obj)->ref, "ref");
  return 0;
}
static int a_repr(const void *obj, char *buf, size_t cap) {
  const A *a = obj;
  return snprintf(buf, cap, "A(ref=%s)", a->ref == obj ? "self" : a->ref ? "..." : "None");
}
static const rcgc_type A_type = {.name = "A", .size = sizeof(A), .traverse = a_traverse, .repr = a_repr};

/* A generic object with two references and a fixed description, standing
** for what the seed's `import numpy` left behind: a class, its namespace
** dict and its bases tuple, referring to each other. */
typedef struct Obj {
  const char *text;
  void *a, *b;
} Obj;

static int obj_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  Obj *o = obj;
  RCGC_VISIT(o->a, "a");
  RCGC_VISIT(o->b, "b");
  return 0;
}
static int obj_repr(const void *obj, char *buf, size_t cap) {
  return snprintf(buf, cap, "%s", ((const Obj *)obj)->text);
}
static const rcgc_type Type_type = {.name = "type", .size = sizeof(Obj), .traverse = obj_traverse, .repr = obj_repr};
static const rcgc_type Dict_type = {.name = "dict", .size = sizeof(Obj), .traverse = obj_traverse, .repr = obj_repr};
static const rcgc_type Tuple_type = {.name = "tuple", .size = sizeof(Obj), .traverse = obj_traverse, .repr = obj_repr};

static Obj *obj_new(rcgc_heap *heap, const rcgc_type *t, const char *text) {
  Obj *o = rcgc_new(heap, t);
  o->text = text;
  return o;
}

/* ---------------------------------------------------------- the helper */

static int configured;

static void unreachable(rcgc_heap *heap) {
  if (!configured) { /* first time setup */
    rcgc_set_threshold(heap, 0, 10, 10); /* only manual collections */
    rcgc_set_debug(heap, RCGC_DEBUG_SAVEALL); /* keep unreachable items as garbage */
    configured = 1;
  }
  if (rcgc_collect(heap, 2) == 0) {
    printf("no unreachable items\n");
    return;
  }
  printf("unreachable items:\n");
  for (size_t i = 0; i < rcgc_garbage_count(heap); i++) {
    void *item = rcgc_garbage_get(heap, i);
    printf(" [%zu] <%s %p> %s\n", i, rcgc_typeof(heap, item)->name, item, repr(heap, item));
  }
  /* remove the unreachable items: the collector frees them */
  long freed = rcgc_garbage_release(heap, 0);
  printf(" (%ld freed, %zu still in the garbage list)\n", freed, rcgc_garbage_count(heap));
}

/* what `import numpy` did in the seed: a class whose namespace and bases
** refer back to it, dropped at once */
static void make_class_cycle(rcgc_heap *heap) {
  Obj *cls = obj_new(heap, &Type_type, "<class 'c_long_Array_1'>");
  Obj *ns = obj_new(heap, &Dict_type, "{'__module__': 'numpy.ctypeslib', '_length_': 1}");
  Obj *bases = obj_new(heap, &Tuple_type, "(<class 'c_long_Array_1'>, <type '_ctypes.Array'>)");
  cls->a = ns;    /* cls.__dict__ */
  cls->b = bases; /* cls.__mro__ */
  rcgc_set(heap, &ns->a, cls);    /* a descriptor in the dict refers to cls */
  rcgc_set(heap, &bases->a, cls); /* the mro starts with cls */
  rcgc_decref(heap, cls);
}

int main(void) {
  rcgc_heap *heap = heap_new_stdout(0); /* the gc: lines go to stdout */

  unreachable(heap);

  A *a = rcgc_new(heap, &A_type); /* A() */
  rcgc_set(heap, &a->ref, a);
  rcgc_decref(heap, a);

  unreachable(heap);
  unreachable(heap); /* reported once: the cycle is gone */

  make_class_cycle(heap);
  unreachable(heap);
  unreachable(heap); /* not reported again, unlike the seed's second call */
  printf("objects alive: %zu\n", rcgc_heap_object_count(heap));

  /* The afterthought: DEBUG_LEAK, with the repr of each object. */
  printf("\n");
  rcgc_set_debug(heap, RCGC_DEBUG_LEAK | RCGC_DEBUG_REPR);
  a = rcgc_new(heap, &A_type);
  rcgc_set(heap, &a->ref, a);
  rcgc_decref(heap, a);
  make_class_cycle(heap);
  printf("collecting {{{\n");
  fflush(stdout);
  rcgc_collect(heap, 2);
  printf("}}} done\n");
  /* DEBUG_LEAK includes DEBUG_SAVEALL: give the saved objects back */
  rcgc_set_debug(heap, 0);
  printf("released %ld objects\n", rcgc_garbage_release(heap, 0));
  printf("objects alive: %zu\n", rcgc_heap_object_count(heap));

  return rcgc_heap_destroy(heap) == 0 ? 0 : 1;
}
