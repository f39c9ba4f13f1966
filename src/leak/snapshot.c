/*
** snapshot.c -- heap snapshots in Chrome DevTools' .heapsnapshot format.
**
** The file is written by rcgc__heapsnap_write (graph.h, "heap snapshots")
** from the picture of the heap, with two synthetic nodes: 0 = "(rcgc
** roots)" (id 1: the id V8 gives its root and the one memlab recognises as
** a root), whose elements are the roots held other than by the garbage
** list, and 1 = "(garbage)" (id 2), reached from the root by a property
** edge "garbage", whose elements are the garbage list's entries; node v of
** the picture is snapshot node v + 2. The string table is the picture's
** (type names, edge names, "referent") followed by the synthetic names; a
** string index of the picture is therefore also its index in the file.
** Output is gathered in a 64 KiB buffer and handed to the writer, as a
** user callback, in pieces that end at a line end.
*/
#include "leak_int.h"

/* The node id of an object with this serial: an odd number from 3 to below
** 2^32, because DevTools and memlab keep ids in 32-bit arrays. Serials
** 1 .. 2^31 - 2 give 2 x serial + 1; later ones wrap around, so objects
** allocated a multiple of 2^31 - 2 allocations apart share an id. */
#define ID_SPAN ((uint64_t)0x7ffffffe)
static uint64_t serial_id(uint64_t serial) { return 2 * ((serial - 1) % ID_SPAN) + 3; }

#define SNAPSHOT_BUF 65536

static uint64_t node_id(void *ud, const rcgc__graph *g, uint32_t v) {
  const rcgc_heap *heap = ud;
  return heap->pre ? serial_id(g->id[v]) : 2 * ((uint64_t)v + 2) + 1;
}

/* Write the snapshot of a built picture (rcgc__heapsnap_write writes the
** file): the roots held other than by the garbage list are the elements of
** "(rcgc roots)", the garbage list's nodes those of "(garbage)". */
static int write_snapshot(const rcgc__hg_t *hg, rcgc_write_fn write, void *write_ud) {
  rcgc_heap *heap = hg->heap;
  const rcgc__graph *g = &hg->g;
  char *buf = rcgc__leak_alloc(heap, SNAPSHOT_BUF, 1);
  uint32_t *roots = rcgc__leak_alloc(heap, g->nroots, sizeof *roots);
  int r = RCGC_ENOMEM;
  if (buf != NULL && roots != NULL) {
    uint32_t nroots = 0;
    for (uint32_t i = 0; i < g->nroots; i++) {
      uint32_t v = g->roots[i];
      if (hg->ext[v] > hg->garb[v])
        roots[nroots++] = v;
    }
    const rcgc__heapsnap_synth synth[2] = {
        {"(rcgc roots)", 1, roots, nroots, NULL},
        {"(garbage)", 2, hg->garbage_nodes, hg->ngarbage_nodes, "garbage"}};
    const rcgc__heapsnap_opts opts = {synth, 2, node_id, heap};
    rcgc__leak_out out;
    rcgc__out_init(&out, heap, write, write_ud, buf, SNAPSHOT_BUF);
    r = rcgc__leak_err(rcgc__heapsnap_write(g, &opts, &out.g));
    if (r == RCGC_OK)
      r = rcgc__out_finish(&out);
  }
  rcgc__leak_free(heap, roots);
  rcgc__leak_free(heap, buf);
  return r;
}

int rcgc_leak_snapshot(rcgc_heap *heap, rcgc_write_fn write, void *write_ud) {
  if (heap == NULL)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  int r = rcgc__leak_check_state(heap);
  if (r == RCGC_OK) {
    rcgc__hg_t hg;
    r = rcgc__hg_build(heap, HG_EDGES | HG_NAMES, &hg);
    if (r == RCGC_OK) {
      r = write_snapshot(&hg, write, write_ud);
      rcgc__hg_free(&hg);
    }
  }
  LEAVE(heap);
  return r;
}

/* The file is opened only once the heap is claimed: a refused call leaves
** no file behind. The claim nests: rcgc_leak_snapshot claims it again. */
int rcgc_leak_snapshot_file(rcgc_heap *heap, const char *path) {
  if (heap == NULL)
    return RCGC_EINVAL;
  ENTER(heap, RCGC_ETHREAD);
  int r = rcgc__leak_check_state(heap);
  if (r == RCGC_OK && path == NULL)
    r = RCGC_EINVAL;
  FILE *f = NULL;
  if (r == RCGC_OK && (f = fopen(path, "w")) == NULL)
    r = RCGC_EIO;
  if (r == RCGC_OK) {
    r = rcgc_leak_snapshot(heap, rcgc_write_file, f);
    if (fclose(f) != 0 && r == RCGC_OK)
      r = RCGC_EIO;
  }
  LEAVE(heap);
  return r;
}
