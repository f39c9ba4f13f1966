/*
** leak_hunt.c -- hunting a real-world leak with rcgc's leak tools.
**
** The program: a long-lived Cache keeps a list of observers. Each time a
** Document is opened, an Observer is registered with the cache, and the
** Observer and its Document reference each other (observer->subject,
** document->observer). Closing a document drops the program's reference
** but forgets to unregister the observer: every closed document stays
** alive, held by the cache through its observer. Reference counting cannot
** free it and neither can the cycle collector -- the cache is a real root.
**
** The hunt, step by step: growth between two marks, the roots, why one
** leaked document is alive, the cycle it belongs to, a DOT picture
** (rendered to SVG when Graphviz is installed), a heap snapshot for Chrome
** DevTools / memlab / rcgc-inspect, and the expect-freed check a test would
** run.
*/
#include <rcgc.h>
#include <rcgc_leak.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "example_graph.h" /* heap_new_stdout */

typedef struct Observer {
  void *subject;          /* the Document it watches */
  struct Observer *next;  /* next observer registered with the cache */
  int id;
} Observer;

typedef struct Document {
  Observer *observer;
  char title[32];
} Document;

typedef struct Cache {
  Observer *observers;
} Cache;

static int observer_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  Observer *x = o;
  RCGC_VISIT(x->subject, "subject");
  RCGC_VISIT(x->next, "next");
  return 0;
}
static int observer_repr(const void *o, char *buf, size_t cap) {
  return snprintf(buf, cap, "Observer(#%d)", ((const Observer *)o)->id);
}
static int document_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  RCGC_VISIT(((Document *)o)->observer, "observer");
  return 0;
}
static int document_repr(const void *o, char *buf, size_t cap) {
  return snprintf(buf, cap, "Document(%s)", ((const Document *)o)->title);
}
static int cache_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  RCGC_VISIT(((Cache *)o)->observers, "observers");
  return 0;
}
static int cache_repr(const void *o, char *buf, size_t cap) {
  (void)o;
  return snprintf(buf, cap, "Cache(app)");
}

static const rcgc_type observer_type = {
    .name = "Observer", .size = sizeof(Observer), .traverse = observer_traverse,
    .repr = observer_repr};
static const rcgc_type document_type = {
    .name = "Document", .size = sizeof(Document), .traverse = document_traverse,
    .repr = document_repr};
static const rcgc_type cache_type = {
    .name = "Cache", .size = sizeof(Cache), .traverse = cache_traverse, .repr = cache_repr};

static rcgc_heap *heap;
static Cache *cache;
static int next_id = 1;

/* open a document: register an observer with the cache (the bug: nobody
** ever unregisters it) */
static Document *open_document(const char *title) {
  Document *d = rcgc_new(heap, &document_type);
  snprintf(d->title, sizeof d->title, "%s", title);
  Observer *o = rcgc_new(heap, &observer_type);
  o->id = next_id++;
  rcgc_set(heap, &o->subject, d);
  rcgc_set(heap, &d->observer, o);
  rcgc_set(heap, &o->next, cache->observers);
  rcgc_set(heap, &cache->observers, o);
  rcgc_decref(heap, o);
  return d;
}

static void close_document(Document *d) { rcgc_decref(heap, d); /* forgot to unregister */ }

static void step(const char *title) { printf("\n=== %s ===\n", title); }

int main(void) {
  heap = heap_new_stdout(RCGC_CONFIG_SERIALS); /* serials for the leak reports */
  cache = rcgc_new(heap, &cache_type);

  Document *home = open_document("home");
  step("1. growth between two marks");
  rcgc_leak_mark *mark = rcgc_leak_mark_new(heap);
  char title[32];
  Document *watched = NULL;
  for (int i = 1; i <= 3; i++) {
    snprintf(title, sizeof title, "report-%d", i);
    Document *d = open_document(title);
    if (i == 2) {
      watched = d;
      rcgc_expect_freed(heap, d, "report-2 after close");
    }
    close_document(d);
  }
  rcgc_collect(heap, 2); /* the cycle collector cannot help: nothing freed */
  rcgc_leak_print_growth(heap, mark, 0, rcgc_write_file, stdout);
  rcgc_leak_print_since_mark(heap, mark, 10, rcgc_write_file, stdout);
  rcgc_leak_free(heap, mark);

  step("2. the roots: who holds objects from outside the heap");
  rcgc_leak_print_roots(heap, rcgc_write_file, stdout);

  step("3. why is the closed document report-2 still alive?");
  rcgc_leak_print_why(heap, watched, 1, rcgc_write_file, stdout);

  step("4. the cycle it belongs to");
  void *from[] = {watched};
  rcgc_leak_print_cycles(heap, RCGC_LEAK_REACHABLE, from, 1, 0, rcgc_write_file, stdout);

  step("5. who retains the most memory");
  rcgc_leak_print_top_retainers(heap, 3, rcgc_write_file, stdout);

  step("6. a picture: referrers of report-2 (leak_hunt.dot)");
  FILE *dot = fopen("leak_hunt.dot", "w");
  rcgc_leak_dot_opts opts = {RCGC_LEAK_DOT_BACKREFS | RCGC_LEAK_DOT_REFCOUNTS, 6, 10, NULL, NULL,
                             NULL};
  int r = rcgc_leak_dot(heap, from, 1, &opts, rcgc_write_file, dot);
  fclose(dot);
  printf("rcgc_leak_dot: %s\n", rcgc_err_name(r));
  if (system("command -v dot >/dev/null 2>&1") == 0) {
    int rc = system("dot -Tsvg leak_hunt.dot -o leak_hunt.svg");
    printf("rendered leak_hunt.svg with Graphviz: %s\n", rc == 0 ? "ok" : "failed");
  } else {
    printf("Graphviz not installed: render leak_hunt.dot with dot -Tsvg\n");
  }

  step("7. a heap snapshot (Chrome DevTools, memlab, rcgc-inspect)");
  r = rcgc_leak_snapshot_file(heap, "leak_hunt.heapsnapshot");
  printf("rcgc_leak_snapshot_file: %s -> leak_hunt.heapsnapshot\n", rcgc_err_name(r));
  if (system("test -x ../tools/rcgc-inspect") == 0) {
    fflush(stdout);
    (void)system("../tools/rcgc-inspect summary leak_hunt.heapsnapshot >/dev/null 2>&1");
  }

  step("8. the test a developer would write: expect freed");
  long left = rcgc_expect_freed_check(heap, RCGC_EXPECT_COLLECT, rcgc_write_file, stdout);
  printf("%ld watched object(s) still alive\n", left);

  step("9. the fix: unregister observers, then everything goes");
  rcgc_set(heap, &cache->observers, NULL);
  printf("objects before collection: %zu\n", rcgc_heap_object_count(heap));
  long freed = rcgc_collect(heap, 2);
  printf("collected %ld (document/observer cycles), left: %zu\n", freed,
         rcgc_heap_object_count(heap));
  left = rcgc_expect_freed_check(heap, 0, rcgc_write_file, stdout);
  printf("%ld watched object(s) still alive\n", left);
  rcgc_decref(heap, home);
  rcgc_collect(heap, 2);
  rcgc_decref(heap, cache);
  return rcgc_heap_destroy(heap) == 0 ? 0 : 1;
}
