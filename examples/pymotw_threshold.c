/*
** pymotw_threshold.c -- PyMOTW's gc_threshold.py on rcgc: generation-0
** threshold from the command line (default 5), thresholds (t, 1, 1),
** DEBUG_STATS on, then ten objects are created and kept in a list. The
** collector's lines show when each automatic collection runs and which
** generation it covers.
**
** The heap's debug sink is stdout (rcgc_write_file), so the collector's
** lines and the program's own lines come out in their true order, as with
** `python3 -u`.
**
** Where C differs from the Python original: the counts are those of this
** program alone (Python's include the thousands of objects of the
** interpreter itself), and the "done" line has CPython 3.11's format with both counts (PyMOTW's Python
** 3.7 left out zero counts).
*/
#include <rcgc.h>
#include <stdio.h>
#include <stdlib.h>

#include "example_graph.h" /* heap_new_stdout */

/* A Python instance keeps its attributes in a separate dictionary object;
** MyObj does the same with a small tracked "dict", so that creating one
** MyObj allocates two tracked objects, as in the original, and the
** collections fall at the same rhythm. */
typedef struct Dict {
  long name; /* self.name */
} Dict;

static int dict_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  (void)obj; /* holds no managed references (a number), but is tracked */
  (void)visit;
  (void)arg;
  return 0;
}
static const rcgc_type Dict_type = {.name = "dict", .size = sizeof(Dict), .traverse = dict_traverse};

typedef struct MyObj {
  Dict *dict; /* __dict__ */
} MyObj;

static int myobj_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  RCGC_VISIT(((MyObj *)obj)->dict, "__dict__");
  return 0;
}
static const rcgc_type MyObj_type = {.name = "MyObj", .size = sizeof(MyObj), .traverse = myobj_traverse};

static MyObj *myobj_new(rcgc_heap *heap, long name) {
  MyObj *o = rcgc_new(heap, &MyObj_type);
  o->dict = rcgc_new(heap, &Dict_type);
  o->dict->name = name;
  printf("Created %ld\n", name);
  return o;
}

/* A list of up to 10 references, the 'objs' of the original. */
typedef struct List {
  size_t len;
  void *items[10];
} List;

static int list_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  List *l = obj;
  for (size_t i = 0; i < l->len; i++)
    RCGC_VISIT(l->items[i], NULL);
  return 0;
}
static const rcgc_type List_type = {.name = "list", .size = sizeof(List), .traverse = list_traverse};

int main(int argc, char **argv) {
  long threshold = 0;
  char *end = NULL;
  if (argc > 1)
    threshold = strtol(argv[1], &end, 10);
  if (argc < 2 || end == argv[1] || *end != '\0' || threshold < 0) {
    printf("Missing or invalid threshold, using default\n");
    threshold = 5;
  }

  rcgc_heap *heap = heap_new_stdout(0); /* the gc: lines go to stdout */

  rcgc_set_debug(heap, RCGC_DEBUG_STATS);

  rcgc_set_threshold(heap, threshold, 1, 1);
  long t[3];
  rcgc_get_threshold(heap, t);
  printf("Thresholds: (%ld, %ld, %ld)\n", t[0], t[1], t[2]);

  printf("Clear the collector by forcing a run\n");
  fflush(stdout);
  rcgc_collect(heap, 2);
  printf("\n");

  printf("Creating objects\n");
  fflush(stdout);
  List *objs = rcgc_new(heap, &List_type);
  for (long i = 0; i < 10; i++) {
    MyObj *o = myobj_new(heap, i);
    fflush(stdout);
    objs->items[objs->len++] = o; /* the list takes our reference */
  }
  printf("Exiting\n");

  /* Turn off debugging */
  rcgc_set_debug(heap, 0);
  rcgc_decref(heap, objs);
  return rcgc_heap_destroy(heap) == 0 ? 0 : 1;
}
