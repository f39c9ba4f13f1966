/*
** leak.c -- leak-hunting state kept by the heap, and the analyses that need
** no object graph: memory blocks for results, expect-freed watches, type
** histograms, marks, growth and "allocated since a mark".
**
** Expect-freed watches
** --------------------
** heap->leak (struct leak_state_t, created on first use) holds a table
** keyed by object address (ptrtab.h; used <= cap / 2) of watch entries
** {obj, label, seq}. INVARIANT: obj has TI_WATCHED <=> the table has an entry for obj.
** rcgc__leak_on_free (called by obj.c when a TI_WATCHED object is freed)
** removes the entry; rcgc__leak_release (heap destroy) frees everything.
**
** Histograms and marks
** --------------------
** Counted per type id by one walk of the heap lists (no traverse call):
** type ids never change and are never reused within a heap, so a mark is
** just the per-id arrays and the allocation serial at the time it was taken.
**
** Memory
** ------
** rcgc__leak_alloc blocks are the graph module's scratch blocks
** (rcgc__scratch_alloc) over the heap's allocator hook: each records its
** size, so the hook always receives a block's true size when it is freed;
** result blocks handed to users are such blocks, and rcgc_leak_free takes
** no size.
*/
#include "leak_int.h"
#include "ptrtab.h"

#include <stdlib.h>

/* ------------------------------------------------------------ memory */

void *rcgc__leak_alloc(rcgc_heap *heap, size_t count, size_t size) {
  return rcgc__scratch_alloc(rcgc__leak_graph_alloc, heap, count, size);
}

void *rcgc__leak_calloc(rcgc_heap *heap, size_t count, size_t size) {
  void *p = rcgc__leak_alloc(heap, count, size);
  if (p != NULL && count * size > 0)
    memset(p, 0, count * size);
  return p;
}

void rcgc__leak_free(rcgc_heap *heap, void *p) {
  rcgc__scratch_free(rcgc__leak_graph_alloc, heap, p);
}

void *rcgc__leak_realloc(rcgc_heap *heap, void *p, size_t count, size_t size) {
  return rcgc__scratch_realloc(rcgc__leak_graph_alloc, heap, p, count, size);
}

/* realloc-style adapter for the scratch blocks of graph.c: ud is the heap.
** Scratch blocks record their size, so the true old size of every block
** arrives here and this is a plain pass-through to the heap's allocator
** hook. */
void *rcgc__leak_graph_alloc(void *ud, void *ptr, size_t old_size, size_t new_size) {
  rcgc_heap *heap = ud;
  if (new_size == 0) {
    if (ptr != NULL)
      rcgc__raw_free(heap, ptr, old_size);
    return NULL;
  }
  if (ptr == NULL)
    return rcgc__raw_alloc(heap, new_size);
  return rcgc__raw_realloc(heap, ptr, old_size, new_size);
}

void rcgc_leak_free(rcgc_heap *heap, void *result) {
  if (heap == NULL || result == NULL)
    return;
  ENTER(heap, ); /* refused: the block stays the caller's */
  rcgc__leak_free(heap, result);
  LEAVE(heap);
}

int rcgc__leak_err(int code) {
  return code == RCGC_G_OK ? RCGC_OK : code == RCGC_G_ENOMEM ? RCGC_ENOMEM : RCGC_EINVAL;
}

int rcgc__leak_check_state(rcgc_heap *heap) {
  if (heap == NULL)
    return RCGC_EINVAL;
  if (heap->collecting || heap->in_traverse || heap->destroying)
    return RCGC_EBUSY;
  return RCGC_OK;
}

/* ------------------------------------------------------------ output */

/* The rcgc__gout writer of a rcgc__leak_out: the call's writer, run as a
** user callback. */
static void out_write(void *out, const char *text, size_t len) {
  rcgc__leak_out *o = out;
  USER_BEGIN(o->heap);
  o->write(o->ud, text, len);
  USER_END(o->heap);
}

void rcgc__out_init(rcgc__leak_out *o, rcgc_heap *heap, rcgc_write_fn write, void *ud,
                    char *buf, size_t cap) {
  o->heap = heap;
  if (write == NULL) {
    write = heap->cfg.write;
    ud = heap->cfg.write_ud;
  }
  if (write == NULL) {
    write = rcgc_write_file;
    ud = stderr;
  }
  o->write = write;
  o->ud = ud;
  rcgc__gout_init(&o->g, out_write, o, buf, cap);
}

void rcgc__out_put(rcgc__leak_out *o, const char *s, size_t n) { rcgc__gout_put(&o->g, s, n); }

void rcgc__out_puts(rcgc__leak_out *o, const char *s) { rcgc__out_put(o, s, strlen(s)); }

void rcgc__out_printf(rcgc__leak_out *o, const char *fmt, ...) {
  rcgc__gout *g = &o->g;
  for (int attempt = 0;; attempt++) {
    size_t room = g->cap - g->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(g->buf + g->len, room, fmt, ap);
    va_end(ap);
    if (n < 0)
      return;
    if ((size_t)n < room || (attempt > 0 && g->len == 0)) {
      g->len += (size_t)n < room ? (size_t)n : room - 1; /* cut: longer than the buffer */
      return;
    }
    rcgc__gout_flush_lines(g);
    if (attempt > 0)
      rcgc__gout_emit(g, g->len);
  }
}

/* ------------------------------------------------------------ descriptions */

size_t rcgc__leak_repr(rcgc_heap *heap, const head_t *h, char *buf, size_t cap) {
  const rcgc_type *t = type_of(heap, h);
  int n;
  if (t->repr != NULL) {
    USER_BEGIN(heap);
    n = t->repr(FROM_HEAD(h), buf, cap);
    USER_END(heap);
  } else {
    n = rcgc__describe(heap, h, buf, cap);
  }
  if (cap > 0)
    buf[cap - 1] = 0;
  if (n < 0) {
    if (cap > 0)
      buf[0] = 0;
    return 0;
  }
  return (size_t)n < cap ? (size_t)n : cap ? cap - 1 : 0;
}

size_t rcgc__leak_describe(rcgc_heap *heap, const head_t *h, char *buf, size_t cap) {
  int n = rcgc__describe(heap, h, buf, cap);
  if (n < 0 || cap == 0)
    return 0;
  size_t k = (size_t)n < cap ? (size_t)n : cap - 1;
  if (type_of(heap, h)->repr != NULL && k + 2 < cap) {
    buf[k++] = ' ';
    k += rcgc__leak_repr(heap, h, buf + k, cap - k);
  }
  return k;
}

void rcgc__out_obj(rcgc__leak_out *o, const head_t *h) {
  char buf[RCGC__DESC_BUF];
  rcgc__out_put(o, buf, rcgc__leak_describe(o->heap, h, buf, sizeof buf));
}

void rcgc__out_repr(rcgc__leak_out *o, const head_t *h) {
  char buf[RCGC__DESC_BUF];
  rcgc__out_put(o, buf, rcgc__leak_repr(o->heap, h, buf, sizeof buf));
}

int rcgc__out_finish(rcgc__leak_out *o) {
  rcgc__gout_emit(&o->g, o->g.len);
  if (o->write == rcgc_write_file && ferror(o->ud != NULL ? (FILE *)o->ud : stderr))
    return RCGC_EIO;
  return RCGC_OK;
}

/* ------------------------------------------------------------ watches */

/* A slot of the watch table (ptrtab.h: the key first). */
typedef struct watch_t {
  const void *obj; /* the key; NULL: empty slot */
  char *label;     /* rcgc__leak_alloc'd copy, or NULL */
  uint64_t seq;    /* order in which watches were made */
} watch_t;

struct leak_state_t {
  watch_t *slots;
  size_t cap, used;
  uint64_t seq;
};

static watch_t *w_find(struct leak_state_t *st, const void *obj) {
  if (st == NULL)
    return NULL;
  return rcgc__ptrtab_find(st->slots, st->cap, sizeof *st->slots, obj);
}

static void w_delete(struct leak_state_t *st, watch_t *s) {
  rcgc__ptrtab_delete(st->slots, st->cap, sizeof *st->slots, s);
  st->used--;
}

static struct leak_state_t *state(rcgc_heap *heap) {
  if (heap->leak == NULL) {
    heap->leak = rcgc__leak_calloc(heap, 1, sizeof(struct leak_state_t));
  }
  return heap->leak;
}

static char *copy_label(rcgc_heap *heap, const char *label) {
  if (label == NULL)
    return NULL;
  size_t n = strlen(label);
  char *c = rcgc__leak_alloc(heap, n + 1, 1);
  if (c != NULL)
    memcpy(c, label, n + 1);
  return c;
}

static int expect_freed(rcgc_heap *heap, void *obj, const char *label) {
  if (heap->in_traverse)
    return RCGC_EBUSY;
  if (!rcgc__valid_object(heap, obj, "rcgc_expect_freed"))
    return RCGC_EINVAL;
  if (AS_HEAD(obj)->refcnt == 0) { /* from its destroy function: freed next */
    rcgc__misuse(heap, obj, "object being freed",
                 "rcgc_expect_freed on an object whose count is 0 (from its own destroy "
                 "function); refused");
    return RCGC_EINVAL;
  }
  struct leak_state_t *st = state(heap);
  if (st == NULL)
    return RCGC_ENOMEM;
  char *copy = copy_label(heap, label);
  if (label != NULL && copy == NULL)
    return RCGC_ENOMEM;
  watch_t *w = w_find(st, obj);
  if (w != NULL) {
    rcgc__leak_free(heap, w->label);
    w->label = copy;
    return RCGC_OK;
  }
  if ((st->used + 1) * 2 > st->cap) {
    size_t ncap = st->cap ? st->cap * 2 : 16;
    watch_t *ns = rcgc__leak_calloc(heap, ncap, sizeof *ns);
    if (ns == NULL) {
      rcgc__leak_free(heap, copy);
      return RCGC_ENOMEM;
    }
    rcgc__ptrtab_rehash(st->slots, st->cap, ns, ncap, sizeof *ns);
    rcgc__leak_free(heap, st->slots);
    st->slots = ns;
    st->cap = ncap;
  }
  watch_t nw = {obj, copy, st->seq++};
  *(watch_t *)rcgc__ptrtab_place(st->slots, st->cap, sizeof nw, obj) = nw;
  st->used++;
  AS_HEAD(obj)->tinfo |= TI_WATCHED;
  return RCGC_OK;
}

int rcgc_expect_freed(rcgc_heap *heap, void *obj, const char *label) {
  if (heap == NULL || obj == NULL)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  int r = expect_freed(heap, obj, label);
  LEAVE(heap);
  return r;
}

static int expect_freed_cancel(rcgc_heap *heap, void *obj) {
  watch_t *w = w_find(heap->leak, obj);
  if (w == NULL)
    return RCGC_ENOTFOUND;
  rcgc__leak_free(heap, w->label);
  w_delete(heap->leak, w);
  AS_HEAD(obj)->tinfo &= ~(uint32_t)TI_WATCHED;
  return RCGC_OK;
}

int rcgc_expect_freed_cancel(rcgc_heap *heap, void *obj) {
  if (heap == NULL || obj == NULL)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  int r = expect_freed_cancel(heap, obj);
  LEAVE(heap);
  return r;
}

static int by_seq(const void *a, const void *b) {
  const watch_t *x = *(watch_t *const *)a, *y = *(watch_t *const *)b;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int rcgc__leak_watched(rcgc_heap *heap, void ***objs, const char ***labels, size_t *n) {
  *objs = NULL;
  *labels = NULL;
  *n = 0;
  struct leak_state_t *st = heap->leak;
  if (st == NULL || st->used == 0)
    return RCGC_OK;
  watch_t **order = rcgc__leak_alloc(heap, st->used, sizeof *order);
  void **o = rcgc__leak_alloc(heap, st->used, sizeof *o);
  const char **l = rcgc__leak_alloc(heap, st->used, sizeof *l);
  if (order == NULL || o == NULL || l == NULL) {
    rcgc__leak_free(heap, order);
    rcgc__leak_free(heap, o);
    rcgc__leak_free(heap, l);
    return RCGC_ENOMEM;
  }
  size_t k = 0;
  for (size_t i = 0; i < st->cap; i++)
    if (st->slots[i].obj != NULL)
      order[k++] = &st->slots[i];
  qsort(order, k, sizeof *order, by_seq);
  for (size_t i = 0; i < k; i++) {
    o[i] = (void *)order[i]->obj;
    l[i] = order[i]->label;
  }
  rcgc__leak_free(heap, order);
  *objs = o;
  *labels = l;
  *n = k;
  return RCGC_OK;
}

void rcgc__leak_on_free(rcgc_heap *heap, head_t *h) {
  h->tinfo &= ~(uint32_t)TI_WATCHED;
  watch_t *w = w_find(heap->leak, FROM_HEAD(h));
  if (w != NULL) {
    rcgc__leak_free(heap, w->label);
    w_delete(heap->leak, w);
  }
}

void rcgc__leak_release(rcgc_heap *heap) {
  struct leak_state_t *st = heap->leak;
  if (st != NULL) {
    for (size_t i = 0; i < st->cap; i++)
      if (st->slots[i].obj != NULL)
        rcgc__leak_free(heap, st->slots[i].label);
    rcgc__leak_free(heap, st->slots);
    rcgc__leak_free(heap, st);
  }
  heap->leak = NULL;
}

/* ------------------------------------------------------------ histograms */

/* One block (rcgc_leak_free releases it): the struct, then the two
** arrays. */
struct rcgc_leak_mark {
  uint64_t serial;
  uint32_t ntypes;
  size_t *count; /* [ntypes + 1], inside the block */
  size_t *bytes; /* [ntypes + 1], inside the block */
};

/* Count live objects per type id into count/bytes (ntypes entries each,
** zeroed by the caller). */
static void count_types(rcgc_heap *heap, size_t *count, size_t *bytes) {
  head_t *lists[HEAP_NLISTS];
  heap_lists(heap, lists);
  for (size_t i = 0; i < HEAP_NLISTS; i++)
    for (head_t *h = next_of(lists[i]); h != lists[i]; h = next_of(h)) {
      uint32_t id = type_id_of(h);
      count[id]++;
      bytes[id] += object_block_size(heap, h);
    }
}

static rcgc_leak_mark *mark_new(rcgc_heap *heap) {
  if (rcgc__leak_check_state(heap) != RCGC_OK)
    return NULL;
  size_t nt = (size_t)heap->ntypes + 1;
  rcgc_leak_mark *m = rcgc__leak_calloc(heap, 1, sizeof *m + 2 * nt * sizeof(size_t));
  if (m == NULL)
    return NULL;
  m->ntypes = heap->ntypes;
  m->serial = heap->serial;
  m->count = (size_t *)(void *)(m + 1);
  m->bytes = m->count + nt;
  count_types(heap, m->count, m->bytes);
  return m;
}

rcgc_leak_mark *rcgc_leak_mark_new(rcgc_heap *heap) {
  if (heap == NULL)
    return NULL;
  ENTER(heap, NULL);
  rcgc_leak_mark *m = mark_new(heap);
  LEAVE(heap);
  return m;
}

static int stat_cmp(const void *a, const void *b) {
  const rcgc_leak_type_stat *x = a, *y = b;
  if (x->bytes != y->bytes)
    return x->bytes > y->bytes ? -1 : 1;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return strcmp(x->name, y->name);
}

/* Count every live object and its bytes per type id into two new arrays
** of heap->ntypes + 1 entries ('*c', '*b'; both NULL and RCGC_ENOMEM when
** memory is short). Free them with rcgc__leak_free. */
static int take_type_counts(rcgc_heap *heap, size_t **c, size_t **b) {
  *c = rcgc__leak_calloc(heap, heap->ntypes + 1, sizeof **c);
  *b = rcgc__leak_calloc(heap, heap->ntypes + 1, sizeof **b);
  if (*c == NULL || *b == NULL) {
    rcgc__leak_free(heap, *c);
    rcgc__leak_free(heap, *b);
    *c = *b = NULL;
    return RCGC_ENOMEM;
  }
  count_types(heap, *c, *b);
  return RCGC_OK;
}

/* The bodies of the public calls below (leak_int.h, "Threads"): their out
** parameters are meaningful only when they return RCGC_OK; the public
** calls reset them first. */
static int histogram(rcgc_heap *heap, rcgc_leak_type_stat **out, size_t *count) {
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK || out == NULL || count == NULL)
    return r != RCGC_OK ? r : RCGC_EINVAL;
  uint32_t nt = heap->ntypes;
  size_t *c, *b;
  rcgc_leak_type_stat *s = NULL;
  if (take_type_counts(heap, &c, &b) != RCGC_OK ||
      (s = rcgc__leak_calloc(heap, nt + 1, sizeof *s)) == NULL) {
    rcgc__leak_free(heap, c);
    rcgc__leak_free(heap, b);
    return RCGC_ENOMEM;
  }
  size_t k = 0;
  for (uint32_t id = 1; id < nt; id++)
    if (c[id] > 0) {
      s[k].type = heap->types[id];
      s[k].name = heap->types[id]->name;
      s[k].count = c[id];
      s[k].bytes = b[id];
      k++;
    }
  qsort(s, k, sizeof *s, stat_cmp);
  rcgc__leak_free(heap, c);
  rcgc__leak_free(heap, b);
  *out = s;
  *count = k;
  return RCGC_OK;
}

static long print_histogram(rcgc_heap *heap, size_t limit, rcgc_write_fn write,
                            void *write_ud) {
  rcgc_leak_type_stat *s;
  size_t n;
  int r = histogram(heap, &s, &n);
  if (r != RCGC_OK)
    return r;
  char buf[RCGC__OUT_BUF];
  rcgc__leak_out f;
  rcgc__out_init(&f, heap, write, write_ud, buf, sizeof buf);
  size_t tc = 0, tb = 0;
  rcgc__out_printf(&f, "%10s %12s  %s\n", "count", "bytes", "type");
  for (size_t i = 0; i < n; i++) {
    tc += s[i].count;
    tb += s[i].bytes;
    if (limit == 0 || i < limit) {
      rcgc__out_printf(&f, "%10zu %12zu  ", s[i].count, s[i].bytes);
      rcgc__out_puts(&f, s[i].name);
      rcgc__out_puts(&f, "\n");
    }
  }
  if (limit != 0 && n > limit)
    rcgc__out_printf(&f, "%10s %12s  ... %zu more types\n", "", "", n - limit);
  rcgc__out_printf(&f, "%10zu %12zu  total\n", tc, tb);
  rcgc__leak_free(heap, s);
  return rcgc__out_finish(&f) != RCGC_OK ? RCGC_EIO : (long)n;
}

int rcgc_leak_histogram(rcgc_heap *heap, rcgc_leak_type_stat **out, size_t *count) {
  RESET_RESULT(out, count);
  CLAIMED(int, heap, histogram(heap, out, count));
}

long rcgc_leak_print_histogram(rcgc_heap *heap, size_t limit, rcgc_write_fn write,
                               void *write_ud) {
  CLAIMED(long, heap, print_histogram(heap, limit, write, write_ud));
}

/* ------------------------------------------------------------ growth */

static int growth_cmp(const void *a, const void *b) {
  const rcgc_leak_growth *x = a, *y = b;
  return rcgc__growth_cmp(x->count_delta, x->bytes_delta, x->name, y->count_delta,
                          y->bytes_delta, y->name);
}

static int growth_since(rcgc_heap *heap, const rcgc_leak_mark *mark, rcgc_leak_growth **out,
                        size_t *count) {
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK || out == NULL || count == NULL || mark == NULL)
    return r != RCGC_OK ? r : RCGC_EINVAL;
  uint32_t nt = heap->ntypes;
  size_t *c, *b;
  rcgc_leak_growth *g = NULL;
  if (take_type_counts(heap, &c, &b) != RCGC_OK ||
      (g = rcgc__leak_calloc(heap, nt + 1, sizeof *g)) == NULL) {
    rcgc__leak_free(heap, c);
    rcgc__leak_free(heap, b);
    return RCGC_ENOMEM;
  }
  size_t k = 0;
  for (uint32_t id = 1; id < nt; id++) {
    size_t c0 = id < mark->ntypes ? mark->count[id] : 0, b0 = id < mark->ntypes ? mark->bytes[id] : 0;
    if (c0 == c[id] && b0 == b[id])
      continue;
    g[k].type = heap->types[id];
    g[k].name = heap->types[id]->name;
    g[k].count_then = c0;
    g[k].count_now = c[id];
    g[k].bytes_then = b0;
    g[k].bytes_now = b[id];
    g[k].count_delta = (long long)c[id] - (long long)c0;
    g[k].bytes_delta = (long long)b[id] - (long long)b0;
    k++;
  }
  qsort(g, k, sizeof *g, growth_cmp);
  rcgc__leak_free(heap, c);
  rcgc__leak_free(heap, b);
  *out = g;
  *count = k;
  return RCGC_OK;
}

static long print_growth(rcgc_heap *heap, const rcgc_leak_mark *mark, size_t limit,
                         rcgc_write_fn write, void *write_ud) {
  rcgc_leak_growth *g;
  size_t n;
  int r = growth_since(heap, mark, &g, &n);
  if (r != RCGC_OK)
    return r;
  char buf[RCGC__OUT_BUF];
  rcgc__leak_out f;
  rcgc__out_init(&f, heap, write, write_ud, buf, sizeof buf);
  size_t shown = limit == 0 || limit > n ? n : limit;
  rcgc__out_printf(&f, "%-24s %10s %10s %12s %12s\n", "type", "count", "delta", "bytes", "delta");
  for (size_t i = 0; i < shown; i++) {
    rcgc__out_puts(&f, g[i].name);
    size_t len = strlen(g[i].name);
    rcgc__out_printf(&f, "%*s %10zu %+10lld %12zu %+12lld\n", len < 24 ? (int)(24 - len) : 0, "",
                     g[i].count_now, g[i].count_delta, g[i].bytes_now, g[i].bytes_delta);
  }
  if (n > shown)
    rcgc__out_printf(&f, "... %zu more types changed\n", n - shown);
  if (n == 0)
    rcgc__out_puts(&f, "(no change since the mark)\n");
  rcgc__leak_free(heap, g);
  return rcgc__out_finish(&f) != RCGC_OK ? RCGC_EIO : (long)shown;
}

int rcgc_leak_growth_since(rcgc_heap *heap, const rcgc_leak_mark *mark, rcgc_leak_growth **out,
                           size_t *count) {
  RESET_RESULT(out, count);
  CLAIMED(int, heap, growth_since(heap, mark, out, count));
}

long rcgc_leak_print_growth(rcgc_heap *heap, const rcgc_leak_mark *mark, size_t limit,
                            rcgc_write_fn write, void *write_ud) {
  CLAIMED(long, heap, print_growth(heap, mark, limit, write, write_ud));
}

/* ------------------------------------------------------------ since mark */

static int by_serial(const void *a, const void *b) {
  uint64_t x = prefix_of(AS_HEAD(*(void *const *)a))->serial;
  uint64_t y = prefix_of(AS_HEAD(*(void *const *)b))->serial;
  return x < y ? -1 : x > y;
}

static int since_mark(rcgc_heap *heap, const rcgc_leak_mark *mark, void ***objs,
                      size_t *count) {
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK || objs == NULL || count == NULL || mark == NULL)
    return r != RCGC_OK ? r : RCGC_EINVAL;
  if (heap->pre == 0)
    return RCGC_ENOTSUP;
  head_t *lists[HEAP_NLISTS];
  heap_lists(heap, lists);
  size_t n = 0;
  for (int pass = 0; pass < 2; pass++) {
    size_t k = 0;
    for (size_t i = 0; i < HEAP_NLISTS; i++)
      for (head_t *h = next_of(lists[i]); h != lists[i]; h = next_of(h))
        if (prefix_of(h)->serial > mark->serial) {
          if (pass == 1)
            (*objs)[k] = FROM_HEAD(h);
          k++;
        }
    if (pass == 0) {
      n = k;
      *objs = rcgc__leak_alloc(heap, n ? n : 1, sizeof(void *));
      if (*objs == NULL)
        return RCGC_ENOMEM;
    }
  }
  qsort(*objs, n, sizeof(void *), by_serial);
  *count = n;
  return RCGC_OK;
}

static long print_since_mark(rcgc_heap *heap, const rcgc_leak_mark *mark, size_t limit,
                             rcgc_write_fn write, void *write_ud) {
  void **o;
  size_t n;
  int r = since_mark(heap, mark, &o, &n);
  if (r != RCGC_OK)
    return r;
  if (limit == 0)
    limit = 20;
  char obuf[RCGC__OUT_BUF];
  rcgc__leak_out f;
  rcgc__out_init(&f, heap, write, write_ud, obuf, sizeof obuf);
  rcgc__out_printf(&f, "%zu object%s allocated since the mark (serial > %llu) still alive\n", n,
                   n == 1 ? "" : "s", (unsigned long long)mark->serial);
  /* per type counts, by type id */
  uint32_t nt = heap->ntypes;
  size_t *c = rcgc__leak_calloc(heap, nt + 1, sizeof *c);
  if (c != NULL) {
    for (size_t i = 0; i < n; i++)
      c[type_id_of(AS_HEAD(o[i]))]++;
    for (uint32_t id = 1; id < nt; id++)
      if (c[id]) {
        rcgc__out_printf(&f, "  %10zu ", c[id]);
        rcgc__out_puts(&f, heap->types[id]->name);
        rcgc__out_puts(&f, "\n");
      }
    rcgc__leak_free(heap, c);
  }
  for (size_t i = 0; i < n && i < limit; i++) {
    head_t *h = AS_HEAD(o[i]);
    rcgc__out_printf(&f, "  #%llu ", (unsigned long long)prefix_of(h)->serial);
    rcgc__out_obj(&f, h);
    rcgc__out_puts(&f, "\n");
  }
  if (n > limit)
    rcgc__out_printf(&f, "  ... %zu more\n", n - limit);
  rcgc__leak_free(heap, o);
  return rcgc__out_finish(&f) != RCGC_OK ? RCGC_EIO : (long)n;
}

int rcgc_leak_since_mark(rcgc_heap *heap, const rcgc_leak_mark *mark, void ***objs,
                         size_t *count) {
  RESET_RESULT(objs, count);
  CLAIMED(int, heap, since_mark(heap, mark, objs, count));
}

long rcgc_leak_print_since_mark(rcgc_heap *heap, const rcgc_leak_mark *mark, size_t limit,
                                rcgc_write_fn write, void *write_ud) {
  CLAIMED(long, heap, print_since_mark(heap, mark, limit, write, write_ud));
}
