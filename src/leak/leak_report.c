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

int rcgc__leak_watched(rcgc_heap *heap, void ***objs, const char ***labels, size_t *n);
long rcgc__hg_print_why(const rcgc__hg_t *hg, uint32_t target, size_t k, FILE *f, const char *indent);

/* ------------------------------------------------------------ expect freed */

long rcgc_expect_freed_check(rcgc_heap *heap, unsigned flags, FILE *f) {
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK)
    return r;
  if (flags & ~(unsigned)RCGC_EXPECT_COLLECT)
    return RCGC_EINVAL; /* unknown flags, as for rcgc_garbage_release */
  if (flags & RCGC_EXPECT_COLLECT)
    rcgc_collect(heap, RCGC_NUM_GENERATIONS - 1);
  void **objs;
  const char **labels;
  size_t n;
  r = rcgc__leak_watched(heap, &objs, &labels, &n);
  if (r != RCGC_OK || n == 0)
    return r;
  if (f == NULL) {
    rcgc__leak_free(heap, objs);
    rcgc__leak_free(heap, (void *)labels);
    return (long)n;
  }
  rcgc__hg_t hg;
  r = rcgc__hg_build(heap, HG_EDGES | HG_NAMES, &hg);
  if (r == RCGC_OK) {
    uint32_t *nodes = rcgc__leak_alloc(heap, n, sizeof *nodes);
    if (nodes == NULL || rcgc__hg_find_many(&hg, objs, n, nodes) != RCGC_OK) {
      r = RCGC_ENOMEM;
    } else {
      for (size_t i = 0; i < n; i++) {
        fprintf(f, "rcgc: expected freed: \"%s\" ", labels[i] ? labels[i] : "");
        if (nodes[i] == RCGC_G_NONE) {
          fprintf(f, "<%p> (not on the heap's lists)\n", objs[i]);
          continue;
        }
        rcgc__hg_print_obj(&hg, f, nodes[i]);
        fprintf(f, " refcount %u\n", (unsigned)AS_HEAD(objs[i])->refcnt);
        long k = rcgc__hg_print_why(&hg, nodes[i], 1, f, "  ");
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
  if (r != RCGC_OK)
    return r;
  return ferror(f) ? RCGC_EIO : (long)n;
}

/* ------------------------------------------------------------ explain */

#define FIN_REFS 4
#define DESC 96

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

static int saved_cmp(const void *a, const void *b) {
  uintptr_t x = (uintptr_t)((const saved_t *)a)->h, y = (uintptr_t)((const saved_t *)b)->h;
  return x < y ? -1 : x > y;
}

long rcgc_leak_explain_collect(rcgc_heap *heap, FILE *f) {
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK)
    return r;
  if (f == NULL)
    return RCGC_EINVAL;
  if (heap->pre == 0)
    return RCGC_ENOTSUP;
  /* phase 1 */
  rcgc__hg_t hg;
  r = rcgc__hg_build(heap, HG_EDGES, &hg);
  if (r != RCGC_OK)
    return r;
  uint8_t *mask = NULL;
  uint32_t *reason = NULL, *slot = NULL;
  size_t ng = 0, nu = 0;
  saved_t *sv = NULL;
  rcgc__preds preds;
  memset(&preds, 0, sizeof preds);
  r = rcgc__hg_garbage_mask(&hg, 1, &mask, &ng);
  if (r == RCGC_OK)
    r = rcgc__hg_uncollectable(&hg, mask, &reason, &nu);
  if (r == RCGC_OK)
    r = rcgc__leak_err(rcgc__preds_build(&hg.g, &preds));
  if (r == RCGC_OK) {
    sv = rcgc__leak_calloc(heap, ng + 1, sizeof *sv);
    slot = rcgc__leak_alloc(heap, (size_t)hg.n + 1, sizeof *slot);
    if (sv == NULL || slot == NULL)
      r = RCGC_ENOMEM;
  }
  if (r != RCGC_OK) {
    rcgc__preds_free(&hg.g, &preds);
    rcgc__leak_free(heap, mask);
    rcgc__leak_free(heap, reason);
    rcgc__leak_free(heap, sv);
    rcgc__leak_free(heap, slot);
    rcgc__hg_free(&hg);
    return r;
  }
  /* phase 2 */
  size_t k = 0;
  for (uint32_t v = 0; v < hg.n; v++) {
    slot[v] = RCGC_G_NONE;
    if (!mask[v])
      continue;
    const head_t *h = hg.objs[v];
    saved_t *s = &sv[k];
    slot[v] = (uint32_t)k++;
    s->h = h;
    s->serial = prefix_of(h)->serial;
    s->node = v;
    s->uncollectable = reason[v] != RCGC_G_NONE;
    s->fin_self = !s->uncollectable && type_of(heap, h)->finalize != NULL &&
                  !(h->tinfo & TI_FINALIZED);
    rcgc__describe(heap, h, s->desc, sizeof s->desc);
    if (s->uncollectable)
      rcgc__describe(heap, hg.objs[reason[v]], s->reason, sizeof s->reason);
  }
  for (size_t i = 0; i < k; i++) {
    uint32_t v = sv[i].node;
    for (size_t p = preds.start[v]; p < preds.start[v + 1]; p++) {
      uint32_t u = preds.from[p];
      if (slot[u] == RCGC_G_NONE || u == v || !sv[slot[u]].fin_self || rcgc__edge_is_weak(&hg.g, preds.edge[p]))
        continue;
      if (sv[i].nfin < FIN_REFS)
        sv[i].fin[sv[i].nfin] = slot[u];
      sv[i].nfin++;
    }
  }
  size_t nfin = 0;
  for (size_t i = 0; i < k; i++)
    nfin += sv[i].fin_self;
  rcgc__preds_free(&hg.g, &preds);
  rcgc__leak_free(heap, mask);
  rcgc__leak_free(heap, reason);
  rcgc__leak_free(heap, slot);
  rcgc__hg_free(&hg);
  /* phase 3 */
  long collected = rcgc_collect(heap, RCGC_NUM_GENERATIONS - 1);
  /* phase 4: index the saved members by address, then find survivors */
  uint32_t *order = rcgc__leak_alloc(heap, k + 1, sizeof *order);
  saved_t *sorted = rcgc__leak_alloc(heap, k + 1, sizeof *sorted);
  uint8_t *alive = rcgc__leak_calloc(heap, k + 1, 1);
  if (order == NULL || sorted == NULL || alive == NULL) {
    rcgc__leak_free(heap, order);
    rcgc__leak_free(heap, sorted);
    rcgc__leak_free(heap, alive);
    rcgc__leak_free(heap, sv);
    return RCGC_ENOMEM;
  }
  memcpy(sorted, sv, k * sizeof *sv);
  for (size_t i = 0; i < k; i++)
    sorted[i].node = (uint32_t)i; /* remember the original position */
  qsort(sorted, k, sizeof *sorted, saved_cmp);
  r = rcgc__hg_build(heap, HG_EDGES | HG_NAMES, &hg);
  if (r != RCGC_OK) {
    rcgc__leak_free(heap, order);
    rcgc__leak_free(heap, sorted);
    rcgc__leak_free(heap, alive);
    rcgc__leak_free(heap, sv);
    return r;
  }
  size_t nsurv = 0, nres = 0;
  for (uint32_t v = 0; v < hg.n; v++) {
    const head_t *h = hg.objs[v];
    size_t lo = 0, hi = k;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if ((uintptr_t)sorted[mid].h < (uintptr_t)h)
        lo = mid + 1;
      else
        hi = mid;
    }
    if (lo < k && sorted[lo].h == h && sorted[lo].serial == prefix_of(h)->serial) {
      size_t i = sorted[lo].node;
      alive[i] = 1;
      order[i] = v;
      nsurv++;
      if (!sv[i].uncollectable)
        nres++;
    }
  }
  fprintf(f, "full collection: %ld unreachable, %zu garbage candidates, %zu finalizer%s run, "
             "%zu uncollectable, %zu resurrected\n",
          collected, k, nfin, nfin == 1 ? "" : "s", nsurv - nres, nres);
  for (size_t i = 0; i < k; i++) {
    if (!alive[i])
      continue;
    fputs("  ", f);
    rcgc__hg_print_obj(&hg, f, order[i]);
    if (sv[i].uncollectable) {
      if (strcmp(sv[i].reason, sv[i].desc) == 0)
        fputs(": uncollectable: it has a legacy finalizer and is part of cyclic garbage\n", f);
      else
        fprintf(f, ": uncollectable: reachable from the legacy finalizer of %s\n", sv[i].reason);
      continue;
    }
    fputs(": resurrected", f);
    if (sv[i].fin_self || sv[i].nfin) {
      fputs(" by a finalizer of", f);
      if (sv[i].fin_self)
        fputs(" itself", f);
      for (uint32_t j = 0; j < sv[i].nfin && j < FIN_REFS; j++)
        fprintf(f, "%s %s", (j > 0 || sv[i].fin_self) ? "," : "", sv[sv[i].fin[j]].desc);
      if (sv[i].nfin > FIN_REFS)
        fprintf(f, " (and %u more referrers)", sv[i].nfin - FIN_REFS);
    } else {
      fprintf(f, " (%zu finalizer%s ran; none of itself or its referrers)", nfin,
              nfin == 1 ? "" : "s");
    }
    fputs("; now retained by:\n", f);
    long pr = rcgc__hg_print_why(&hg, order[i], 1, f, "    ");
    if (pr < 0) {
      r = (int)pr;
      break;
    }
  }
  rcgc__hg_free(&hg);
  rcgc__leak_free(heap, order);
  rcgc__leak_free(heap, sorted);
  rcgc__leak_free(heap, alive);
  rcgc__leak_free(heap, sv);
  if (r != RCGC_OK)
    return r;
  return ferror(f) ? RCGC_EIO : collected;
}
