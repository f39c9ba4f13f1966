/*
** snapshot.c -- heap snapshots in Chrome DevTools' .heapsnapshot format.
**
** Layout of the file (the loader of DevTools is order-sensitive: the counts
** come first, strings last):
**
**   {"snapshot":{"meta":{...},"node_count":N,"edge_count":E,
**                "trace_function_count":0},
**    "nodes":[type,name,id,self_size,edge_count,trace_node_id,detachedness, ...],
**    "edges":[type,name_or_index,to_node, ...],
**    "trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[],
**    "strings":[...]}
**
** Nodes: 0 = "(rcgc roots)" (synthetic, id 1: the id V8 gives its root and
** the one memlab recognises as a root), 1 = "(garbage)" (synthetic, id 2), then
** the heap graph's nodes in order (node v of the picture is snapshot node
** v + 2). Edges are written grouped by source node in node order, as the
** format requires; to_node is the target's node index times the number of
** node fields (7). The string table is the picture's (type names, edge
** names, "referent") followed by the synthetic names; a string index of the
** picture is therefore also its index in the file.
**
** INVARIANT: node_count and edge_count written in the header equal what
** follows (computed from the picture before anything is written).
** Output is gathered in a 64 KiB buffer with hand-written integer
** formatting (printf per number would dominate a 10^6-object snapshot) and
** handed to the writer in pieces that end at a line end.
*/
#include "leak_int.h"

/* The node id of an object with this serial: an odd number from 3 to below
** 2^32, because DevTools and memlab keep ids in 32-bit arrays. Serials
** 1 .. 2^31 - 2 give 2 x serial + 1; later ones wrap around, so objects
** allocated a multiple of 2^31 - 2 allocations apart share an id. */
#define ID_SPAN ((uint64_t)0x7ffffffe)
static uint64_t serial_id(uint64_t serial) { return 2 * ((serial - 1) % ID_SPAN) + 3; }

#define NODE_FIELDS 7
enum { NT_OBJECT = 3, NT_SYNTHETIC = 9 };
enum { ET_ELEMENT = 1, ET_PROPERTY = 2, ET_WEAK = 6 };

#define SNAPSHOT_BUF 65536

typedef rcgc__leak_out out_t;

/* The common case (room in the buffer) inline, as the file's numbers are
** written a few bytes at a time; a full buffer goes to rcgc__out_put. */
static inline void put(out_t *o, const char *s, size_t n) {
  rcgc__gout *g = &o->g;
  if (n <= g->cap - g->len) {
    memcpy(g->buf + g->len, s, n);
    g->len += n;
  } else {
    rcgc__out_put(o, s, n);
  }
}

static void puts_(out_t *o, const char *s) { put(o, s, strlen(s)); }

static void put_u64(out_t *o, uint64_t v) {
  char tmp[24];
  int k = 24;
  do {
    tmp[--k] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  put(o, tmp + k, (size_t)(24 - k));
}

/* One record: comma-separated numbers, a leading comma unless first. */
static void put_rec(out_t *o, int first, const uint64_t *vals, int n) {
  if (!first)
    put(o, ",", 1);
  for (int i = 0; i < n; i++) {
    if (i)
      put(o, ",", 1);
    put_u64(o, vals[i]);
  }
  put(o, "\n", 1);
}

static void put_json_string(out_t *o, const char *s) {
  put(o, "\"", 1);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') {
      char e[2] = {'\\', (char)ch};
      put(o, e, 2);
    } else if (ch < 0x20) {
      char e[8];
      snprintf(e, sizeof e, "\\u%04x", ch);
      put(o, e, 6);
    } else {
      put(o, (const char *)&ch, 1);
    }
  }
  put(o, "\"", 1);
}

static const char META[] =
    "{\"node_fields\":[\"type\",\"name\",\"id\",\"self_size\",\"edge_count\",\"trace_node_id\","
    "\"detachedness\"],"
    "\"node_types\":[[\"hidden\",\"array\",\"string\",\"object\",\"code\",\"closure\",\"regexp\","
    "\"number\",\"native\",\"synthetic\",\"concatenated string\",\"sliced string\",\"symbol\","
    "\"bigint\",\"object shape\"],\"string\",\"number\",\"number\",\"number\",\"number\","
    "\"number\"],"
    "\"edge_fields\":[\"type\",\"name_or_index\",\"to_node\"],"
    "\"edge_types\":[[\"context\",\"element\",\"property\",\"internal\",\"hidden\",\"shortcut\","
    "\"weak\"],\"string_or_number\",\"node\"],"
    "\"trace_function_info_fields\":[\"function_id\",\"name\",\"script_name\",\"script_id\","
    "\"line\",\"column\"],"
    "\"trace_node_fields\":[\"id\",\"function_info_index\",\"count\",\"size\",\"children\"],"
    "\"sample_fields\":[\"timestamp_us\",\"last_assigned_id\"],"
    "\"location_fields\":[\"object_index\",\"script_id\",\"line\",\"column\"]}";

/* Write the snapshot of a built picture. */
static int write_snapshot(const rcgc__hg_t *hg, rcgc_write_fn write, void *write_ud) {
  rcgc_heap *heap = hg->heap;
  const rcgc__graph *g = &hg->g;
  char *buf = rcgc__leak_alloc(heap, SNAPSHOT_BUF, 1);
  if (buf == NULL)
    return RCGC_ENOMEM;
  out_t out;
  out_t *o = &out;
  rcgc__out_init(o, heap, write, write_ud, buf, SNAPSHOT_BUF);
  uint32_t s_roots = g->nstrings, s_garbage = g->nstrings + 1, s_gname = g->nstrings + 2;
  /* counts */
  uint64_t nroot_edges = 0;
  for (uint32_t i = 0; i < g->nroots; i++) {
    uint32_t v = g->roots[i];
    if (hg->ext[v] > hg->garb[v])
      nroot_edges++;
  }
  uint64_t node_count = (uint64_t)hg->n + 2;
  uint64_t edge_count = g->m + nroot_edges + 1 + hg->ngarbage_nodes;
  puts_(o, "{\"snapshot\":{\"meta\":");
  puts_(o, META);
  puts_(o, ",\n\"node_count\":");
  put_u64(o, node_count);
  puts_(o, ",\"edge_count\":");
  put_u64(o, edge_count);
  puts_(o, ",\"trace_function_count\":0},\n\"nodes\":[");
  /* nodes */
  uint64_t rec[NODE_FIELDS] = {NT_SYNTHETIC, s_roots, 1, 0, nroot_edges + 1, 0, 0};
  put_rec(o, 1, rec, NODE_FIELDS);
  uint64_t rec1[NODE_FIELDS] = {NT_SYNTHETIC, s_garbage, 2, 0, hg->ngarbage_nodes, 0, 0};
  put_rec(o, 0, rec1, NODE_FIELDS);
  for (uint32_t v = 0; v < hg->n; v++) {
    uint64_t id = heap->pre ? serial_id(g->id[v]) : 2 * ((uint64_t)v + 2) + 1;
    uint64_t r[NODE_FIELDS] = {NT_OBJECT, g->name[v], id, g->self_size[v],
                               g->edge_start[v + 1] - g->edge_start[v], 0, 0};
    put_rec(o, 0, r, NODE_FIELDS);
  }
  /* edges */
  puts_(o, "],\n\"edges\":[");
  int first = 1;
  uint64_t idx = 0;
  for (uint32_t i = 0; i < g->nroots; i++) {
    uint32_t v = g->roots[i];
    if (hg->ext[v] <= hg->garb[v])
      continue;
    uint64_t r[3] = {ET_ELEMENT, idx++, ((uint64_t)v + 2) * NODE_FIELDS};
    put_rec(o, first, r, 3);
    first = 0;
  }
  uint64_t rg[3] = {ET_PROPERTY, s_gname, 1 * NODE_FIELDS};
  put_rec(o, first, rg, 3);
  for (uint32_t i = 0; i < hg->ngarbage_nodes; i++) {
    uint64_t r[3] = {ET_ELEMENT, i, ((uint64_t)hg->garbage_nodes[i] + 2) * NODE_FIELDS};
    put_rec(o, 0, r, 3);
  }
  for (uint32_t v = 0; v < hg->n; v++) {
    for (size_t e = g->edge_start[v]; e < g->edge_start[v + 1]; e++) {
      uint32_t nm = g->edge_name[e];
      uint64_t r[3];
      if (g->edge_flags[e] & RCGC_G_EDGE_WEAK) {
        r[0] = ET_WEAK;
        r[1] = nm;
      } else if (nm != RCGC_G_NONE) {
        r[0] = ET_PROPERTY;
        r[1] = nm;
      } else {
        r[0] = ET_ELEMENT;
        r[1] = e - g->edge_start[v];
      }
      r[2] = ((uint64_t)g->edge_to[e] + 2) * NODE_FIELDS;
      put_rec(o, 0, r, 3);
    }
  }
  puts_(o, "],\n\"trace_function_infos\":[],\"trace_tree\":[],\"samples\":[],\"locations\":[],\n"
           "\"strings\":[");
  for (uint32_t s = 0; s < g->nstrings; s++) {
    put_json_string(o, rcgc__graph_str(g, s));
    put(o, ",\n", 2);
  }
  put_json_string(o, "(rcgc roots)");
  put(o, ",", 1);
  put_json_string(o, "(garbage)");
  put(o, ",", 1);
  put_json_string(o, "garbage");
  puts_(o, "]}\n");
  int r = rcgc__out_finish(o);
  rcgc__leak_free(heap, buf);
  return r;
}

int rcgc_leak_snapshot(rcgc_heap *heap, rcgc_write_fn write, void *write_ud) {
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK)
    return r;
  rcgc__hg_t hg;
  r = rcgc__hg_build(heap, HG_EDGES | HG_NAMES, &hg);
  if (r != RCGC_OK)
    return r;
  r = write_snapshot(&hg, write, write_ud);
  rcgc__hg_free(&hg);
  return r;
}

int rcgc_leak_snapshot_file(rcgc_heap *heap, const char *path) {
  int r = rcgc__leak_check_state(heap);
  if (r != RCGC_OK)
    return r;
  if (path == NULL)
    return RCGC_EINVAL;
  FILE *f = fopen(path, "w");
  if (f == NULL)
    return RCGC_EIO;
  r = rcgc_leak_snapshot(heap, rcgc_write_file, f);
  if (fclose(f) != 0 && r == RCGC_OK)
    r = RCGC_EIO;
  return r;
}
