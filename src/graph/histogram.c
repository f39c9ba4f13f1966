/*
** histogram.c -- per-name histograms of a graph, their difference, and the
** nodes new in one graph relative to another.
**
** Used by rcgc-inspect (`growth`, `since`) and by the tests; the library's
** own leak tools count growth on the live heap instead and do not link
** this file. Same rules as graph.c: no recursion, flat arrays from the
** graph's allocator, freed before returning.
*/
#include "graph.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ histograms
** Build: accumulate per string index (slot nstrings = "no name"), compact
** the non-empty slots, sort them by name to merge equal strings that have
** different indices (snapshot string tables need not be unique), then sort
** for presentation. */

static int he_by_name(const void *a, const void *b) {
  return strcmp(((const rcgc__hist_entry *)a)->name, ((const rcgc__hist_entry *)b)->name);
}

static int he_by_bytes(const void *a, const void *b) {
  const rcgc__hist_entry *x = a, *y = b;
  if (x->bytes != y->bytes)
    return x->bytes > y->bytes ? -1 : 1;
  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  return strcmp(x->name, y->name);
}

int rcgc__hist_build(const rcgc__graph *g, const uint8_t *mask, rcgc__hist *out) {
  memset(out, 0, sizeof *out);
  size_t slots = (size_t)g->nstrings + 1;
  uint64_t *cnt = rcgc__gmem_calloc(g, slots, sizeof *cnt);
  uint64_t *byt = rcgc__gmem_calloc(g, slots, sizeof *byt);
  if (!cnt || !byt) {
    rcgc__gmem_free(g, cnt);
    rcgc__gmem_free(g, byt);
    return RCGC_G_ENOMEM;
  }
  for (uint32_t v = 0; v < g->n; v++) {
    if (mask && !mask[v])
      continue;
    uint32_t s = g->name ? g->name[v] : RCGC_G_NONE;
    if (s >= g->nstrings)
      s = g->nstrings;
    cnt[s]++;
    byt[s] += g->self_size[v];
    out->total_count++;
    out->total_bytes += g->self_size[v];
  }
  uint32_t ne = 0;
  for (size_t s = 0; s < slots; s++)
    ne += cnt[s] != 0;
  rcgc__hist_entry *e = rcgc__gmem_alloc(g, ne, sizeof *e);
  if (!e) {
    rcgc__gmem_free(g, cnt);
    rcgc__gmem_free(g, byt);
    return RCGC_G_ENOMEM;
  }
  uint32_t k = 0;
  for (size_t s = 0; s < slots; s++) {
    if (!cnt[s])
      continue;
    e[k].name = s < g->nstrings ? g->strings[s] : "";
    e[k].count = cnt[s];
    e[k].bytes = byt[s];
    k++;
  }
  rcgc__gmem_free(g, cnt);
  rcgc__gmem_free(g, byt);
  if (k > 1) {
    qsort(e, k, sizeof *e, he_by_name);
    uint32_t w = 0;
    for (uint32_t r = 1; r < k; r++) {
      if (strcmp(e[w].name, e[r].name) == 0) {
        e[w].count += e[r].count;
        e[w].bytes += e[r].bytes;
      } else {
        e[++w] = e[r];
      }
    }
    k = w + 1;
    qsort(e, k, sizeof *e, he_by_bytes);
  }
  out->nentries = k;
  out->e = e;
  return RCGC_G_OK;
}

void rcgc__hist_free(const rcgc__graph *g, rcgc__hist *h) {
  rcgc__gmem_free(g, h->e);
  memset(h, 0, sizeof *h);
}

static int hd_cmp(const void *a, const void *b) {
  const rcgc__hist_delta *x = a, *y = b;
  return rcgc__growth_cmp((long long)(x->count_after - x->count_before),
                          (long long)(x->bytes_after - x->bytes_before), x->name,
                          (long long)(y->count_after - y->count_before),
                          (long long)(y->bytes_after - y->bytes_before), y->name);
}

int rcgc__hist_diff_build(const rcgc__graph *g, const rcgc__hist *before, const rcgc__hist *after,
                          rcgc__hist_diff *out) {
  memset(out, 0, sizeof *out);
  rcgc__hist_entry *a = rcgc__gmem_alloc(g, before->nentries, sizeof *a);
  rcgc__hist_entry *b = rcgc__gmem_alloc(g, after->nentries, sizeof *b);
  rcgc__hist_delta *d = rcgc__gmem_alloc(g, (size_t)before->nentries + after->nentries, sizeof *d);
  if (!a || !b || !d) {
    rcgc__gmem_free(g, a);
    rcgc__gmem_free(g, b);
    rcgc__gmem_free(g, d);
    return RCGC_G_ENOMEM;
  }
  if (before->nentries)
    memcpy(a, before->e, before->nentries * sizeof *a);
  if (after->nentries)
    memcpy(b, after->e, after->nentries * sizeof *b);
  qsort(a, before->nentries, sizeof *a, he_by_name);
  qsort(b, after->nentries, sizeof *b, he_by_name);
  uint32_t i = 0, j = 0, k = 0;
  while (i < before->nentries || j < after->nentries) {
    int c;
    if (i == before->nentries)
      c = 1;
    else if (j == after->nentries)
      c = -1;
    else
      c = strcmp(a[i].name, b[j].name);
    rcgc__hist_delta x = {0};
    if (c <= 0) {
      x.name = a[i].name;
      x.count_before = a[i].count;
      x.bytes_before = a[i].bytes;
      i++;
    }
    if (c >= 0) {
      x.name = b[j].name;
      x.count_after = b[j].count;
      x.bytes_after = b[j].bytes;
      j++;
    }
    if (x.count_before != x.count_after || x.bytes_before != x.bytes_after)
      d[k++] = x;
  }
  rcgc__gmem_free(g, a);
  rcgc__gmem_free(g, b);
  if (k > 1)
    qsort(d, k, sizeof *d, hd_cmp);
  out->nentries = k;
  out->e = d;
  return RCGC_G_OK;
}

void rcgc__hist_diff_free(const rcgc__graph *g, rcgc__hist_diff *d) {
  rcgc__gmem_free(g, d->e);
  memset(d, 0, sizeof *d);
}

static int u64_cmp(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

long rcgc__new_nodes(const rcgc__graph *before, const rcgc__graph *after, uint8_t *is_new) {
  uint64_t *ids = rcgc__gmem_alloc(before, before->n, sizeof *ids);
  if (!ids)
    return RCGC_G_ENOMEM;
  for (uint32_t v = 0; v < before->n; v++)
    ids[v] = rcgc__node_id(before, v);
  qsort(ids, before->n, sizeof *ids, u64_cmp);
  long cnt = 0;
  for (uint32_t v = 0; v < after->n; v++) {
    uint64_t id = rcgc__node_id(after, v);
    size_t lo = 0, hi = before->n;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (ids[mid] < id)
        lo = mid + 1;
      else
        hi = mid;
    }
    is_new[v] = !(lo < before->n && ids[lo] == id);
    cnt += is_new[v];
  }
  rcgc__gmem_free(before, ids);
  return cnt;
}
