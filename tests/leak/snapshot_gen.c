/*
** snapshot_gen.c -- writes an rcgc heap snapshot and what rcgc itself says
** about it, for the memlab round trip (memlab_roundtrip.sh / .js).
**
** Usage: snapshot_gen OUT.heapsnapshot OUT.expect.json
** The heap: a cache holding a list of observers, each in a cycle with its
** subject, a weak reference, a garbage-list entry (SAVEALL) and a deep
** chain. The target object has one shortest retaining path. The expect
** file holds node/edge counts, the target's id and rcgc's path (ids and
** edge names, root first).
*/
#include <rcgc.h>
#include <rcgc_leak.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct node {
  void *a, *b;
  const char *name;
} node;

static int node_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  node *n = o;
  RCGC_VISIT(n->a, "subject");
  RCGC_VISIT(n->b, NULL);
  return 0;
}
static const rcgc_type node_type = {.name = "Node", .size = sizeof(node), .traverse = node_traverse};

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s OUT.heapsnapshot OUT.expect.json\n", argv[0]);
    return 2;
  }
  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.flags = RCGC_CONFIG_SERIALS;
  rcgc_heap *h = rcgc_heap_new(&cfg);
  rcgc_disable(h);
  node *cache = rcgc_new(h, &node_type), *cur = cache, *target = NULL;
  for (int i = 0; i < 200; i++) {
    node *obs = rcgc_new(h, &node_type), *subj = rcgc_new(h, &node_type);
    rcgc_set(h, &obs->a, subj);
    rcgc_set(h, &subj->b, obs);
    rcgc_set(h, &cur->b, obs);
    rcgc_decref(h, subj);
    rcgc_decref(h, obs);
    cur = obs;
    if (i == 150)
      target = subj;
  }
  rcgc_weakref *wr = rcgc_weakref_new(h, target, NULL, NULL);
  /* a garbage-list entry */
  rcgc_set_debug(h, RCGC_DEBUG_SAVEALL);
  node *g = rcgc_new(h, &node_type);
  rcgc_set(h, &g->a, g);
  rcgc_decref(h, g);
  rcgc_collect(h, 2);
  rcgc_set_debug(h, 0);
  if (rcgc_leak_snapshot_file(h, argv[1]) != RCGC_OK)
    return 1;
  rcgc_leak_path *p;
  size_t np;
  if (rcgc_leak_why(h, target, 1, &p, &np) != RCGC_OK)
    return 1;
  FILE *f = fopen(argv[2], "w");
  /* counts: objects + 2 synthetic nodes; edges from the snapshot header */
  FILE *s = fopen(argv[1], "r");
  char head[4096];
  size_t got = fread(head, 1, sizeof head - 1, s);
  head[got] = 0;
  fclose(s);
  const char *nc = strstr(head, "\"node_count\":"), *ec = strstr(head, "\"edge_count\":");
  fprintf(f, "{\"objects\":%zu,\"node_count\":%ld,\"edge_count\":%ld,\"target\":%llu,\"path\":[",
          rcgc_heap_object_count(h), strtol(nc + 13, NULL, 10), strtol(ec + 13, NULL, 10),
          (unsigned long long)(2 * rcgc_serial(h, target) + 1));
  for (size_t i = 0; i < p[0].nsteps; i++) {
    rcgc_leak_step *st = &p[0].steps[i];
    if (i == 0 || st->edge)
      fprintf(f, "%s{\"id\":%llu,\"edge\":\"%s\"}", i ? "," : "",
              (unsigned long long)(2 * rcgc_serial(h, st->obj) + 1), st->edge ? st->edge : "");
    else
      fprintf(f, ",{\"id\":%llu,\"edge\":%zu}", (unsigned long long)(2 * rcgc_serial(h, st->obj) + 1),
              st->slot);
  }
  fprintf(f, "]}\n");
  fclose(f);
  rcgc_leak_free(h, p);
  rcgc_decref(h, wr);
  rcgc_decref(h, cache);
  rcgc_garbage_clear(h);
  return rcgc_heap_destroy(h) == 0 ? 0 : 1;
}
