/*
** leak_report.c -- the leak-hunting reports that combine several analyses:
** the expect-freed check (watches + why-alive) and the explanation of what
** a full collection could not free (uncollectable and resurrected
** objects).
**
** rcgc_leak_explain_collect, in phases:
**   1. picture the heap; the collection's garbage G is the collector view
**      with the garbage list counted as a root (a collection leaves the
**      list's entries alone); the uncollectable part U of G and, for each,
**      its legacy-finalizer object; F = members of G \ U whose type has a
**      modern finalizer that has not run yet: exactly the finalizers the
**      collection will run (phase 6 of collect.c);
**   2. save, for every member of G: address, serial, type, whether it is
**      in U (and its reason's description), and up to FIN_REFS members of
**      F among its direct referrers (the finalizers that could have stored
**      a new reference to it, its own first). All in flat arrays, since the
**      picture's objects may be freed by the collection;
**   3. rcgc_collect(heap, 2);
**   4. survivors: a member of G still alive with the same serial at the
**      same address (the serial is what makes a reused address harmless;
**      hence RCGC_ENOTSUP without serials). Each survivor is reported with
**      its reason and, for a resurrected one, its retaining path now.
*/
#include "leak_int.h"

#include <stdlib.h>

/* ------------------------------------------------------------ expect freed */

static long expect_freed_check(rcgc_heap *heap, unsigned flags, rcgc_write_fn write,
                               void *write_ud) {
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK)
    return r;
  if (flags & ~(unsigned)(RCGC_EXPECT_COLLECT | RCGC_EXPECT_QUIET))
    return RCGC_EINVAL; /* unknown flags, as for rcgc_garbage_release */
  if (flags & RCGC_EXPECT_COLLECT)
    rcgc_collect(heap, RCGC_NUM_GENERATIONS - 1);
  void **objs;
  const char **labels;
  size_t n;
  r = rcgc__leak_watched(heap, &objs, &labels, &n);
  if (r != RCGC_OK || n == 0)
    return r;
  if (flags & RCGC_EXPECT_QUIET) {
    rcgc__leak_free(heap, objs);
    rcgc__leak_free(heap, (void *)labels);
    return (long)n;
  }
  char buf[RCGC__OUT_BUF];
  rcgc__leak_out f;
  rcgc__out_init(&f, heap, write, write_ud, buf, sizeof buf);
  rcgc__hg_t hg;
  r = rcgc__hg_build(heap, HG_EDGES | HG_NAMES, &hg);
  if (r == RCGC_OK) {
    uint32_t *nodes = rcgc__leak_alloc(heap, n, sizeof *nodes);
    if (nodes == NULL || rcgc__hg_find_many(&hg, objs, n, nodes) != RCGC_OK) {
      r = RCGC_ENOMEM;
    } else {
      for (size_t i = 0; i < n; i++) {
        rcgc__out_puts(&f, "rcgc: expected freed: \"");
        rcgc__out_puts(&f, labels[i] ? labels[i] : "");
        rcgc__out_puts(&f, "\" ");
        if (nodes[i] == RCGC_G_NONE) {
          rcgc__out_printf(&f, "<%p> (not on the heap's lists)\n", objs[i]);
          continue;
        }
        rcgc__out_obj(&f, hg.objs[nodes[i]]);
        rcgc__out_printf(&f, " refcount %u\n", (unsigned)AS_HEAD(objs[i])->refcnt);
        long k = rcgc__hg_print_why(&hg, nodes[i], 1, &f, "  ");
        if (k < 0) {
          r = (int)k;
          break;
        }
      }
    }
    rcgc__leak_free(heap, nodes);
    rcgc__hg_free(&hg);
  }
  rcgc__leak_free(heap, objs);
  rcgc__leak_free(heap, (void *)labels);
  int w = rcgc__out_finish(&f);
  if (r != RCGC_OK)
    return r;
  return w != RCGC_OK ? RCGC_EIO : (long)n;
}

long rcgc_expect_freed_check(rcgc_heap *heap, unsigned flags, rcgc_write_fn write,
                             void *write_ud) {
  CLAIMED(long, heap, expect_freed_check(heap, flags, write, write_ud));
}

/* ------------------------------------------------------------ explain */

#define FIN_REFS 4
#define DESC 96

/* What phase 2 saves of one member of the garbage. */
typedef struct saved_t {
  const head_t *h;
  uint64_t serial;
  uint32_t node;       /* node in the first picture */
  int uncollectable;
  int fin_self;        /* its own finalizer runs in this collection */
  uint32_t nfin;       /* referrers in F (at most FIN_REFS saved) */
  uint32_t fin[FIN_REFS]; /* indices into the saved array */
  char reason[DESC];   /* description of the legacy-finalizer object */
  char desc[DESC];     /* "<Type 0x...>" */
} saved_t;

/* The state of one rcgc_leak_explain_collect across its phases. */
typedef struct explain_t {
  rcgc_heap *heap;
  saved_t *sv;         /* [k] the members of G, in node order */
  size_t k;
  size_t nfin;         /* members whose own finalizer the collection runs */
  long collected;      /* rcgc_collect's result */
  rcgc__hg_t hg;       /* the picture after the collection */
  uint32_t *node;      /* [k] a survivor's node in that picture */
  uint8_t *alive;      /* [k] 1 for a survivor */
  size_t nsurv, nres;  /* survivors, and the resurrected among them */
} explain_t;

/* Phase 2, first half: save every member of the garbage ('mask') into
** x->sv and note its position in slot[] (RCGC_G_NONE outside the mask). */
static void save_members(explain_t *x, const rcgc__hg_t *hg, const uint8_t *mask,
                         const uint32_t *reason, uint32_t *slot) {
  rcgc_heap *heap = x->heap;
  size_t k = 0;
  for (uint32_t v = 0; v < hg->n; v++) {
    slot[v] = RCGC_G_NONE;
    if (!mask[v])
      continue;
    const head_t *h = hg->objs[v];
    saved_t *s = &x->sv[k];
    slot[v] = (uint32_t)k++;
    s->h = h;
    s->serial = prefix_of(h)->serial;
    s->node = v;
    s->uncollectable = reason[v] != RCGC_G_NONE;
    s->fin_self =
        !s->uncollectable && type_of(heap, h)->finalize != NULL && !(h->tinfo & TI_FINALIZED);
    rcgc__describe(heap, h, s->desc, sizeof s->desc);
    if (s->uncollectable)
      rcgc__describe(heap, hg->objs[reason[v]], s->reason, sizeof s->reason);
  }
  x->k = k;
}

/* Phase 2, second half: for every saved member, the members of F among its
** direct referrers over strong references (at most FIN_REFS kept, all
** counted); and how many finalizers the collection will run. */
static void save_finalizer_referrers(explain_t *x, const rcgc__hg_t *hg, const rcgc__preds *preds,
                                     const uint32_t *slot) {
  saved_t *sv = x->sv;
  for (size_t i = 0; i < x->k; i++) {
    uint32_t v = sv[i].node;
    for (size_t p = preds->start[v]; p < preds->start[v + 1]; p++) {
      uint32_t u = preds->from[p];
      if (slot[u] == RCGC_G_NONE || u == v || !sv[slot[u]].fin_self ||
          rcgc__edge_is_weak(&hg->g, preds->edge[p]))
        continue;
      if (sv[i].nfin < FIN_REFS)
        sv[i].fin[sv[i].nfin] = slot[u];
      sv[i].nfin++;
    }
  }
  for (size_t i = 0; i < x->k; i++)
    x->nfin += sv[i].fin_self;
}

/* Phases 1 and 2: picture the heap, find G, U and F, save G. Nothing of the
** picture is kept. */
static int save_garbage(explain_t *x) {
  rcgc_heap *heap = x->heap;
  rcgc__hg_t hg;
  int r = rcgc__hg_build(heap, HG_EDGES, &hg);
  if (r != RCGC_OK)
    return r;
  uint8_t *mask = NULL;
  uint32_t *reason = NULL, *slot = NULL;
  size_t ng = 0, nu = 0;
  rcgc__preds preds;
  memset(&preds, 0, sizeof preds);
  r = rcgc__hg_garbage_mask(&hg, 1, &mask, &ng);
  if (r == RCGC_OK)
    r = rcgc__hg_uncollectable(&hg, mask, &reason, &nu);
  if (r == RCGC_OK)
    r = rcgc__leak_err(rcgc__preds_build(&hg.g, &preds));
  if (r == RCGC_OK) {
    x->sv = rcgc__leak_calloc(heap, ng + 1, sizeof *x->sv);
    slot = rcgc__leak_alloc(heap, (size_t)hg.n + 1, sizeof *slot);
    if (x->sv == NULL || slot == NULL)
      r = RCGC_ENOMEM;
  }
  if (r == RCGC_OK) {
    save_members(x, &hg, mask, reason, slot);
    save_finalizer_referrers(x, &hg, &preds, slot);
  }
  rcgc__preds_free(&hg.g, &preds);
  rcgc__leak_free(heap, mask);
  rcgc__leak_free(heap, reason);
  rcgc__leak_free(heap, slot);
  rcgc__hg_free(&hg);
  return r;
}

/* A saved member's address and serial, with its position in x->sv. */
typedef struct saved_addr_t {
  const head_t *h;
  uint64_t serial;
  size_t i;
} saved_addr_t;

static int saved_addr_cmp(const void *a, const void *b) {
  uintptr_t x = (uintptr_t)((const saved_addr_t *)a)->h;
  uintptr_t y = (uintptr_t)((const saved_addr_t *)b)->h;
  return x < y ? -1 : x > y;
}

/* Phase 4: picture the heap again (kept in x->hg for the report) and mark
** the survivors: saved members alive with the same serial at the same
** address (binary search over the saved addresses). */
static int find_survivors(explain_t *x) {
  rcgc_heap *heap = x->heap;
  size_t k = x->k;
  x->node = rcgc__leak_alloc(heap, k + 1, sizeof *x->node);
  saved_addr_t *by_addr = rcgc__leak_alloc(heap, k + 1, sizeof *by_addr);
  x->alive = rcgc__leak_calloc(heap, k + 1, 1);
  if (x->node == NULL || by_addr == NULL || x->alive == NULL) {
    rcgc__leak_free(heap, by_addr);
    return RCGC_ENOMEM;
  }
  for (size_t i = 0; i < k; i++) {
    by_addr[i].h = x->sv[i].h;
    by_addr[i].serial = x->sv[i].serial;
    by_addr[i].i = i;
  }
  qsort(by_addr, k, sizeof *by_addr, saved_addr_cmp);
  int r = rcgc__hg_build(heap, HG_EDGES | HG_NAMES, &x->hg);
  for (uint32_t v = 0; r == RCGC_OK && v < x->hg.n; v++) {
    const head_t *h = x->hg.objs[v];
    size_t lo = 0, hi = k;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if ((uintptr_t)by_addr[mid].h < (uintptr_t)h)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo < k && by_addr[lo].h == h && by_addr[lo].serial == prefix_of(h)->serial) {
      size_t i = by_addr[lo].i;
      x->alive[i] = 1;
      x->node[i] = v;
      x->nsurv++;
      if (!x->sv[i].uncollectable)
        x->nres++;
    }
  }
  rcgc__leak_free(heap, by_addr);
  return r;
}

/* One survivor's lines: why it is uncollectable, or which finalizers could
** have resurrected it and its retaining path now. */
static int print_survivor(const explain_t *x, size_t i, rcgc__leak_out *f) {
  const saved_t *s = &x->sv[i];
  rcgc__out_puts(f, "  ");
  rcgc__out_obj(f, x->hg.objs[x->node[i]]);
  if (s->uncollectable) {
    if (strcmp(s->reason, s->desc) == 0)
      rcgc__out_puts(f, ": uncollectable: it has a legacy finalizer and is part of cyclic "
                        "garbage\n");
    else
      rcgc__out_printf(f, ": uncollectable: reachable from the legacy finalizer of %s\n",
                       s->reason);
    return RCGC_OK;
  }
  rcgc__out_puts(f, ": resurrected");
  if (s->fin_self || s->nfin) {
    rcgc__out_puts(f, " by a finalizer of");
    if (s->fin_self)
      rcgc__out_puts(f, " itself");
    for (uint32_t j = 0; j < s->nfin && j < FIN_REFS; j++)
      rcgc__out_printf(f, "%s %s", (j > 0 || s->fin_self) ? "," : "", x->sv[s->fin[j]].desc);
    if (s->nfin > FIN_REFS)
      rcgc__out_printf(f, " (and %u more referrers)", s->nfin - FIN_REFS);
  } else {
    rcgc__out_printf(f, " (%zu finalizer%s ran; none of itself or its referrers)", x->nfin,
                     x->nfin == 1 ? "" : "s");
  }
  rcgc__out_puts(f, "; now retained by:\n");
  long pr = rcgc__hg_print_why(&x->hg, x->node[i], 1, f, "    ");
  return pr < 0 ? (int)pr : RCGC_OK;
}

/* The report: a summary line, then every survivor in node order of the
** first picture. */
static int print_report(const explain_t *x, rcgc_write_fn write, void *write_ud) {
  char buf[RCGC__OUT_BUF];
  rcgc__leak_out f;
  rcgc__out_init(&f, x->heap, write, write_ud, buf, sizeof buf);
  rcgc__out_printf(&f,
                   "full collection: %ld unreachable, %zu garbage candidates, %zu finalizer%s "
                   "run, %zu uncollectable, %zu resurrected\n",
                   x->collected, x->k, x->nfin, x->nfin == 1 ? "" : "s", x->nsurv - x->nres,
                   x->nres);
  int r = RCGC_OK;
  for (size_t i = 0; i < x->k && r == RCGC_OK; i++)
    if (x->alive[i])
      r = print_survivor(x, i, &f);
  int w = rcgc__out_finish(&f);
  return r != RCGC_OK ? r : w;
}

static long explain_collect(rcgc_heap *heap, rcgc_write_fn write, void *write_ud) {
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK)
    return r;
  if (heap->pre == 0)
    return RCGC_ENOTSUP;
  explain_t x;
  memset(&x, 0, sizeof x);
  x.heap = heap;
  r = save_garbage(&x);                                       /* phases 1, 2 */
  if (r == RCGC_OK) {
    x.collected = rcgc_collect(heap, RCGC_NUM_GENERATIONS - 1); /* phase 3 */
    r = find_survivors(&x);                                   /* phase 4 */
  }
  if (r == RCGC_OK)
    r = print_report(&x, write, write_ud);
  rcgc__hg_free(&x.hg);
  rcgc__leak_free(heap, x.node);
  rcgc__leak_free(heap, x.alive);
  rcgc__leak_free(heap, x.sv);
  return r != RCGC_OK ? r : x.collected;
}

long rcgc_leak_explain_collect(rcgc_heap *heap, rcgc_write_fn write, void *write_ud) {
  CLAIMED(long, heap, explain_collect(heap, write, write_ud));
}
