/*
** driver.c -- runs a differential test program (tests/diff/diffgen.py
** describes the op language) on rcgc and prints the event log that the
** program's Python translation prints under CPython.
**
**   rcgc_diff_driver PROGRAM [BALLAST]
**
** BALLAST is the number of objects the Python harness has in its oldest
** generation when the program starts; the driver creates as many ballast
** objects there, so that generation sizes match (they decide the long-lived
** rule of automatic full collections and gc.get_freeze_count()).
**
** Every line of this file mirrors a line of the Python translation: the
** order of stores and reference drops is the order CPython performs them
** (store the new value, then drop the old one, as rcgc_set does).
** Exit status: 0, or 2 for unusable input, 3 when the heap reported misuse
** or was inconsistent at the end.
*/
#include <rcgc.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { NROOTS = 8, NRES = 4, NWEAK = 6, NFIELDS = 3 };

typedef struct node {
  void *f[NFIELDS];
  long i;
  int m, a;
} node;

static int node_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  node *n = obj;
  RCGC_VISIT(n->f[0], "f0");
  RCGC_VISIT(n->f[1], "f1");
  RCGC_VISIT(n->f[2], "f2");
  return 0;
}

static int ballast_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  (void)obj;
  (void)visit;
  (void)arg;
  return 0;
}

static void node_fin(rcgc_heap *heap, void *obj);

/* node id -> 1 once its memory is freed (set by destroy) */
static unsigned char *freed;
static size_t cap_freed;

static void mark_freed(long id) {
  if ((size_t)id >= cap_freed) {
    size_t ncap = (size_t)id * 2 + 64;
    freed = realloc(freed, ncap);
    if (freed == NULL)
      exit(3);
    memset(freed + cap_freed, 0, ncap - cap_freed);
    cap_freed = ncap;
  }
  freed[id] = 1;
}

static int is_freed(long id) { return (size_t)id < cap_freed && freed[id]; }

static void node_destroy(rcgc_heap *heap, void *obj) {
  (void)heap;
  mark_freed(((const struct node *)obj)->i);
}

static const rcgc_type node_type = {
    .name = "Node", .size = sizeof(node), .traverse = node_traverse, .destroy = node_destroy};
static const rcgc_type nodef_type = {
    .name = "NodeF", .size = sizeof(node), .traverse = node_traverse, .finalize = node_fin,
    .destroy = node_destroy};
static const rcgc_type ballast_type = {.name = "Ballast", .size = 8, .traverse = ballast_traverse};

static rcgc_heap *H;
static long nodes, weaks;
static int quiet; /* set for the clean-up after the log is complete */

/* The Python program keeps its slots in three module-level lists o, R and
** W, which the module's globals dict references. CPython's collector sees
** them (they are tracked objects: a full collection visits the lists when
** it reaches the dict and reorders what they hold accordingly), so the
** driver keeps its slots in the same shape: a "dict" held from outside (as
** the running module's frame holds its globals) that references three
** "lists". A list reports its items last first, as CPython's list
** traverse does; the dict reports o, R, W and the temporaries _t and _r
** (module globals too) in the order they were defined. */
typedef struct plist {
  size_t n;
  void *s[NROOTS];
} plist;
typedef struct pdict {
  plist *o, *R, *W;
  void *t, *r; /* the harness's temporaries _t and _r */
} pdict;

static int plist_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  plist *l = obj;
  for (size_t i = l->n; i-- > 0;)
    RCGC_VISIT(l->s[i], NULL);
  return 0;
}

static int pdict_traverse(void *obj, rcgc_visit_fn visit, void *arg) {
  pdict *d = obj;
  RCGC_VISIT(d->o, "o");
  RCGC_VISIT(d->R, "R");
  RCGC_VISIT(d->W, "W");
  RCGC_VISIT(d->t, "_t");
  RCGC_VISIT(d->r, "_r");
  return 0;
}

static const rcgc_type plist_type = {
    .name = "list", .size = sizeof(plist), .traverse = plist_traverse};
static const rcgc_type pdict_type = {
    .name = "dict", .size = sizeof(pdict), .traverse = pdict_traverse};
static pdict *G;
#define O (G->o->s)
#define R_ (G->R->s)
#define W_ ((rcgc_weakref **)G->W->s)

/* weak reference -> its id and callback behaviour (the Python side keeps
** them in slots of its weakref subclass). Entries are found by address, the
** newest first, so a reused address finds the live weak reference. */
typedef struct wrinfo {
  const void *wr;
  long i;
  int m, a;
  long ref;        /* id of the node it was created for */
  const void *refp; /* that node (valid until freed[ref]) */
} wrinfo;
static wrinfo *wrs;
static size_t nwrs, capwrs;

static wrinfo *wr_info(const void *wr) {
  for (size_t k = nwrs; k-- > 0;)
    if (wrs[k].wr == wr)
      return &wrs[k];
  return NULL;
}

static int is_node(const void *x) {
  const rcgc_type *t = rcgc_typeof(H, x);
  return x != NULL && (t == &node_type || t == &nodef_type);
}

static int is_weak(const void *x) {
  return x != NULL && rcgc_typeof(H, x) == &rcgc_weakref_type;
}

static void name(const void *x, char *buf, size_t cap) {
  if (x == NULL)
    snprintf(buf, cap, "None");
  else if (is_weak(x))
    snprintf(buf, cap, "w%ld", wr_info(x) ? wr_info(x)->i : -1L);
  else if (is_node(x))
    snprintf(buf, cap, "n%ld", ((const node *)x)->i);
  else
    snprintf(buf, cap, "?");
}

/* *slot = value (a new reference the caller gives away), then the old
** value is dropped: Python's store into a list item or attribute. */
static void store_owned(void **slot, void *value) {
  void *old = *slot;
  *slot = value;
  rcgc_decref(H, old);
}

/* Python's "t = Node(); ...; slot = t; t = None": the new object is also
** held by the temporary while the old value of the slot is dropped. */
static void store_new(void **slot, void *obj) {
  rcgc_incref(H, obj);
  store_owned(slot, obj);
  rcgc_decref(H, obj);
}

/* Python's "slot = value" where value is read from somewhere (another
** slot, a field): the value is also held on the stack while the slot's old
** value is dropped. */
static void store_value(void **slot, void *value) {
  rcgc_incref(H, value);
  rcgc_set(H, slot, value);
  rcgc_decref(H, value);
}

/* Python's "o[S].fF = value": STORE_ATTR holds the owner (and the value)
** while the field's old value is dropped, then drops the value, then the
** owner. */
static void set_field(node *owner, int f, void *value) {
  rcgc_incref(H, owner);
  rcgc_incref(H, value);
  rcgc_set(H, &owner->f[f], value);
  rcgc_decref(H, value);
  rcgc_decref(H, owner);
}

static node *new_node(int kind, int m, int a) {
  node *t = rcgc_new(H, kind ? &nodef_type : &node_type);
  if (t == NULL) {
    fprintf(stderr, "rcgc_new failed\n");
    exit(3);
  }
  t->i = ++nodes;
  t->m = m;
  t->a = a;
  return t;
}

static void weak_cb(rcgc_heap *heap, rcgc_weakref *wr, void *ud);

/* ---- marking the documented deviations in the log (run_diff.py) ----
** Two behaviours of rcgc differ from CPython on purpose (docs/design.md,
** "Deviations from CPython"); the driver marks where they show so that the
** comparison can allow exactly them:
**  - garbage-release-order: objects outside a collection's garbage that
**    only the garbage kept alive die after the garbage is freed, in another
**    order than CPython's. The driver knows the collection's candidates
**    (snapshot at its start), so it recognises the first such death (a
**    finalizer or callback not nested in user code, for an object that is
**    not a candidate) and prints "#release-begin"; at the collection's end
**    "#release-end". Between them run_diff.py compares the deaths as a set.
**  - dying-sibling: a weak reference to an object whose count reached 0
**    and that waits to be freed reads None in rcgc, the object in CPython.
**    The driver prints "#deviation dying-sibling" where that happens; the
**    logs are compared up to that line. */
static long gcno;          /* collections started */
static int in_gc, udepth, gc_udepth, release_marked;
static long *member_stamp; /* node id -> gcno of the collection that examines it */
static size_t cap_stamp;

static void stamp_members(long gen) {
  for (int g = 0; g <= gen; g++) {
    rcgc_list l;
    if (rcgc_get_objects(H, g, &l) != RCGC_OK)
      exit(3);
    for (size_t k = 0; k < l.count; k++)
      if (is_node(l.items[k])) {
        long id = ((node *)l.items[k])->i;
        if ((size_t)id >= cap_stamp) {
          size_t ncap = (size_t)id * 2 + 64;
          member_stamp = realloc(member_stamp, ncap * sizeof *member_stamp);
          if (member_stamp == NULL)
            exit(3);
          memset(member_stamp + cap_stamp, 0, (ncap - cap_stamp) * sizeof *member_stamp);
          cap_stamp = ncap;
        }
        member_stamp[id] = gcno;
      }
    rcgc_list_decref_and_free(H, &l);
  }
}

static int is_member(long id) { return (size_t)id < cap_stamp && member_stamp[id] == gcno; }

static void on_collect(rcgc_heap *heap, rcgc_phase phase, const rcgc_collect_info *info,
                       void *ud) {
  (void)heap;
  (void)ud;
  if (phase == RCGC_PHASE_START) {
    gcno++;
    in_gc = 1;
    gc_udepth = udepth; /* a collection run by a finalizer nests in it */
    release_marked = 0;
    stamp_members(info->generation);
  } else {
    if (release_marked)
      printf("#release-end\n");
    in_gc = 0;
  }
}

/* user code for the object 'id' starts: mark the release part if this is
** its first death caused by freeing the garbage */
static void user_enter(long id) {
  if (in_gc && udepth == gc_udepth && !release_marked && !is_member(id)) {
    release_marked = 1;
    printf("#release-begin\n");
  }
  udepth++;
}

/* a weak reference was read: note the dying-sibling deviation */
static void *weak_read(rcgc_weakref *w) {
  void *got = rcgc_weakref_get(H, w);
  const wrinfo *wi = wr_info(w);
  /* NULL, but the referent is not freed and still has weak references
  ** (a collection clears them before its finalizers run): it is dying */
  if (got == NULL && wi != NULL && !is_freed(wi->ref) && rcgc_weakref_count(H, wi->refp) > 0)
    printf("#deviation dying-sibling\n");
  return got;
}

static void node_fin(rcgc_heap *heap, void *obj) {
  node *self = obj;
  if (quiet)
    return; /* the clean-up after the log: no more actions */
  user_enter(self->i);
  printf("del n%ld\n", self->i);
  int m = self->m, a = self->a;
  switch (m) {
  case 1:
    rcgc_set(heap, &R_[a % NRES], self);
    break;
  case 2:
    rcgc_set(heap, &self->f[0], NULL);
    rcgc_set(heap, &self->f[1], NULL);
    rcgc_set(heap, &self->f[2], NULL);
    break;
  case 3:
    rcgc_set(heap, &O[a], NULL);
    break;
  case 4:
    store_value(&O[a], self->f[0]);
    break;
  case 5:
    printf("del collect %ld\n", rcgc_collect(heap, a % 2));
    break;
  case 6: {
    rcgc_weakref *w = W_[a % NWEAK];
    rcgc_incref(heap, w);
    store_new(&R_[a % NRES], w == NULL ? NULL : weak_read(w));
    rcgc_decref(heap, w);
    break;
  }
  case 7:
    store_new(&R_[a % NRES], new_node(0, 0, 0));
    break;
  default:
    break;
  }
  printf("/del n%ld\n", self->i);
  udepth--;
}

static void weak_cb(rcgc_heap *heap, rcgc_weakref *wr, void *ud) {
  (void)ud;
  if (quiet)
    return;
  wrinfo *info = wr_info(wr);
  long i = info->i;
  int m = info->m, a = info->a;
  user_enter(info->ref);
  printf("cb w%ld\n", i);
  if (m == 1)
    rcgc_set(heap, &O[a], NULL);
  else if (m == 2)
    printf("cb collect %ld\n", rcgc_collect(heap, a % 2));
  else if (m == 3)
    store_new(&O[a], new_node(0, 0, 0));
  printf("/cb w%ld\n", i);
  udepth--;
}

typedef struct survivor {
  long i;
  char kind;
  int fin;
} survivor;

typedef struct survivors {
  survivor *v;
  size_t n, cap;
} survivors;

static int collect_alive(void *obj, void *ud) {
  survivors *s = ud;
  if (!is_node(obj) && !is_weak(obj))
    return 0;
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 64;
    s->v = realloc(s->v, s->cap * sizeof *s->v);
    if (s->v == NULL)
      exit(3);
  }
  survivor *v = &s->v[s->n++];
  v->kind = is_weak(obj) ? 'w' : 'n';
  v->i = is_weak(obj) ? wr_info(obj)->i : ((node *)obj)->i;
  v->fin = rcgc_is_finalized(obj);
  return 0;
}

static int survivor_cmp(const void *x, const void *y) {
  const survivor *a = x, *b = y;
  if (a->i != b->i)
    return a->i < b->i ? -1 : 1;
  return (a->kind > b->kind) - (a->kind < b->kind);
}

static void sink(void *ud, const char *text, size_t len) {
  (void)ud;
  if (!quiet)
    fwrite(text, 1, len, stderr);
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s PROGRAM [BALLAST]\n", argv[0]);
    return 2;
  }
  FILE *in = fopen(argv[1], "r");
  if (in == NULL) {
    perror(argv[1]);
    return 2;
  }
  long nballast = argc == 3 ? atol(argv[2]) : 4;
  if (nballast < 4) {
    fprintf(stderr, "BALLAST must be at least 4\n");
    return 2;
  }
  setvbuf(stdout, NULL, _IOFBF, 1 << 16);

  rcgc_config cfg;
  rcgc_config_init(&cfg);
  cfg.write = sink;
  cfg.destroy_policy = RCGC_DESTROY_NO_FINALIZE;
  cfg.policy = RCGC_POLICY_CPYTHON; /* CPython's schedule, to compare with it */
  H = rcgc_heap_new(&cfg);
  if (H == NULL)
    return 3;
  /* the Python harness: automatic collection off, its objects in the oldest
  ** generation, counts zero */
  rcgc_disable(H);
  G = rcgc_new(H, &pdict_type);
  G->o = rcgc_new(H, &plist_type);
  G->R = rcgc_new(H, &plist_type);
  G->W = rcgc_new(H, &plist_type);
  G->o->n = NROOTS;
  G->R->n = NRES;
  G->W->n = NWEAK;
  void **ballast = calloc((size_t)nballast + 1, sizeof *ballast);
  /* the dict and the three lists are four of the harness's objects */
  for (long k = 0; k < nballast - 4; k++)
    ballast[k] = rcgc_new(H, &ballast_type);
  rcgc_collect(H, 2);
  if (rcgc_callback_add(H, on_collect, NULL) != RCGC_OK)
    return 3;

  char line[256];
  int lineno = 0;
  while (fgets(line, sizeof line, in) != NULL) {
    lineno++;
    char op[32];
    int a[4] = {0, 0, 0, 0};
    int n = sscanf(line, "%31s %d %d %d %d", op, &a[0], &a[1], &a[2], &a[3]);
    if (n < 1 || op[0] == '#')
      continue;
    if (!strcmp(op, "new") || !strcmp(op, "set") || !strcmp(op, "clr") || !strcmp(op, "mov") ||
        !strcmp(op, "drop") || !strcmp(op, "load") || !strcmp(op, "wget") ||
        !strcmp(op, "wfield") || !strcmp(op, "rget") || !strcmp(op, "isfin")) {
      if (a[0] >= NROOTS || ((!strcmp(op, "set") || !strcmp(op, "mov") || !strcmp(op, "load")) &&
                             a[strcmp(op, "set") ? 1 : 2] >= NROOTS)) {
        fprintf(stderr, "line %d: slot out of range\n", lineno);
        return 2;
      }
    }
    for (int k = 0; k < n - 1; k++)
      if (a[k] < 0) {
        fprintf(stderr, "line %d: negative argument\n", lineno);
        return 2;
      }
    char b1[32], b2[32];
    if (!strcmp(op, "new")) {
      rcgc_set(H, &O[a[0] % NROOTS], NULL);
      /* _t = Node(); ...; o[S] = _t; _t = None */
      G->t = new_node(a[1], a[2], a[3]);
      rcgc_set(H, &O[a[0]], G->t);
      rcgc_set(H, &G->t, NULL);
    } else if (!strcmp(op, "set")) {
      if (is_node(O[a[0]]))
        set_field(O[a[0]], a[1], O[a[2]]);
    } else if (!strcmp(op, "clr")) {
      if (is_node(O[a[0]]))
        set_field(O[a[0]], a[1], NULL);
    } else if (!strcmp(op, "mov")) {
      store_value(&O[a[0]], O[a[1]]);
    } else if (!strcmp(op, "drop")) {
      rcgc_set(H, &O[a[0]], NULL);
    } else if (!strcmp(op, "load")) {
      store_value(&O[a[0]], is_node(O[a[1]]) ? ((node *)O[a[1]])->f[a[2]] : NULL);
    } else if (!strcmp(op, "wref")) {
      rcgc_set(H, (void **)&W_[a[0]], NULL);
      if (is_node(O[a[1]])) {
        /* _r = o[S]; _t = WR(_r, _cb); ...; W[W] = _t; _t = None; _r = None
        ** (_r holds the referent until the weak reference is set up) */
        rcgc_set(H, &G->r, O[a[1]]);
        node *r = G->r;
        rcgc_weakref *wr = rcgc_weakref_new(H, r, weak_cb, NULL);
        if (wr == NULL)
          return 3;
        G->t = wr;
        if (nwrs == capwrs) {
          capwrs = capwrs ? capwrs * 2 : 64;
          wrs = realloc(wrs, capwrs * sizeof *wrs);
          if (wrs == NULL)
            return 3;
        }
        wrs[nwrs++] = (wrinfo){wr, ++weaks, a[2], a[3], r->i, r};
        rcgc_set(H, (void **)&W_[a[0]], wr);
        rcgc_set(H, &G->t, NULL);
        rcgc_set(H, &G->r, NULL);
      }
    } else if (!strcmp(op, "wdrop")) {
      rcgc_set(H, (void **)&W_[a[0]], NULL);
    } else if (!strcmp(op, "wget")) {
      store_new(&O[a[0]], W_[a[1]] ? weak_read(W_[a[1]]) : NULL);
      if (W_[a[1]] != NULL) {
        name(W_[a[1]], b1, sizeof b1);
        name(O[a[0]], b2, sizeof b2);
        printf("wget %s -> %s\n", b1, b2);
      } else {
        printf("wget None\n");
      }
    } else if (!strcmp(op, "wfield")) {
      if (is_node(O[a[0]]))
        set_field(O[a[0]], a[1], W_[a[2]]);
    } else if (!strcmp(op, "rget")) {
      store_value(&O[a[0]], R_[a[1]]);
    } else if (!strcmp(op, "rdrop")) {
      rcgc_set(H, &R_[a[0]], NULL);
    } else if (!strcmp(op, "collect")) {
      long r = rcgc_collect(H, a[0]);
      printf("collect %d -> %ld\n", a[0], r);
    } else if (!strcmp(op, "count")) {
      long c[3];
      rcgc_get_count(H, c);
      printf("count %ld %ld %ld\n", c[0], c[1], c[2]);
    } else if (!strcmp(op, "thresh")) {
      rcgc_set_threshold(H, a[0], a[1], a[2]);
    } else if (!strcmp(op, "enable")) {
      rcgc_enable(H);
    } else if (!strcmp(op, "disable")) {
      rcgc_disable(H);
    } else if (!strcmp(op, "freeze")) {
      rcgc_freeze(H);
    } else if (!strcmp(op, "unfreeze")) {
      rcgc_unfreeze(H);
    } else if (!strcmp(op, "fcount")) {
      printf("fcount %ld\n", rcgc_get_freeze_count(H) - nballast);
    } else if (!strcmp(op, "isfin")) {
      name(O[a[0]], b1, sizeof b1);
      printf("isfin %s %d\n", b1, O[a[0]] ? rcgc_is_finalized(O[a[0]]) : 0);
    } else if (!strcmp(op, "saveall")) {
      rcgc_set_debug(H, a[0] ? RCGC_DEBUG_SAVEALL : 0);
    } else if (!strcmp(op, "garbage")) {
      printf("garbage");
      for (size_t k = 0; k < rcgc_garbage_count(H); k++) {
        name(rcgc_garbage_get(H, k), b1, sizeof b1);
        printf(" %s", b1);
      }
      printf("\n");
    } else if (!strcmp(op, "gclear")) {
      rcgc_garbage_clear(H);
    } else if (!strcmp(op, "gdel")) {
      if (rcgc_garbage_count(H) > (size_t)a[0])
        rcgc_garbage_remove(H, (size_t)a[0]);
    } else {
      fprintf(stderr, "line %d: unknown op '%s'\n", lineno, op);
      return 2;
    }
  }
  fclose(in);

  rcgc_unfreeze(H);
  survivors s = {NULL, 0, 0};
  rcgc_visit_objects(H, collect_alive, &s);
  if (s.n > 0)
    qsort(s.v, s.n, sizeof *s.v, survivor_cmp);
  printf("alive");
  for (size_t k = 0; k < s.n; k++)
    printf(" %c%ld%s", s.v[k].kind, s.v[k].i, s.v[k].fin ? "F" : "");
  printf("\n");
  fflush(stdout);
  free(s.v);

  long bad = rcgc_check_heap(H) + rcgc_misuse_count(H);
  /* finalizers run by the clean-up print into the void */
  if (freopen("/dev/null", "w", stdout) == NULL)
    return 3;
  quiet = 1;
  /* release everything the program holds; the heap's final collection and
  ** destroy free the rest without running finalizers */
  rcgc_set_debug(H, 0);
  for (int k = 0; k < NROOTS; k++)
    rcgc_set(H, &O[k], NULL);
  for (int k = 0; k < NRES; k++)
    rcgc_set(H, &R_[k], NULL);
  for (int k = 0; k < NWEAK; k++)
    rcgc_set(H, (void **)&W_[k], NULL);
  rcgc_decref(H, G);
  for (long k = 0; k < nballast - 4; k++)
    rcgc_decref(H, ballast[k]);
  free(ballast);
  rcgc_garbage_clear(H);
  rcgc_heap_destroy(H);
  free(wrs);
  free(member_stamp);
  free(freed);
  if (bad > 0) {
    fprintf(stderr, "rcgc_diff_driver: %ld misuse reports or heap inconsistencies\n", bad);
    return 3;
  }
  return 0;
}
