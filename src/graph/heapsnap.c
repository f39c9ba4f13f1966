/*
** heapsnap.c -- the one writer of Chrome DevTools' .heapsnapshot format,
** used by the library (rcgc_leak_snapshot) and by the CPython extension
** (rcgc.snapshot). graph.h ("heap snapshots") says what it writes.
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
** One record (a node's 7 numbers, an edge's 3) per line. Edges are written
** grouped by source node in node order, as the format requires; to_node is
** the target's node index times the number of node fields (7).
**
** INVARIANT: node_count and edge_count written in the header equal what
** follows (computed from the graph and the synthetic nodes before anything
** is written). Output goes through the caller's rcgc__gout (pieces that end
** at a line end), numbers with hand-written integer formatting (printf per
** number would dominate a 10^6-object snapshot).
*/
#include "graph.h"

#include <stdio.h>
#include <string.h>

#define NODE_FIELDS 7
enum { NT_OBJECT = 3, NT_SYNTHETIC = 9 };
enum { ET_ELEMENT = 1, ET_PROPERTY = 2, ET_WEAK = 6 };

typedef rcgc__gout out_t;

/* The common case (room in the buffer) inline, as the file's numbers are
** written a few bytes at a time; a full buffer goes to rcgc__gout_put. */
static inline void put(out_t *o, const char *s, size_t n) {
  if (n <= o->cap - o->len) {
    memcpy(o->buf + o->len, s, n);
    o->len += n;
  } else {
    rcgc__gout_put(o, s, n);
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

/* A JSON string: '"' and '\\' backslashed, control characters as \u00XX,
** every other byte as it is (UTF-8 passes through). */
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

/* RCGC_G_EINVAL unless every input the file refers to exists: at least
** one synthetic node, each with its name, edge lists that name graph nodes,
** and a name on every weak edge of the graph. */
static int check(const rcgc__graph *g, const rcgc__heapsnap_opts *opts) {
  if (opts->nsynth == 0 || opts->synth == NULL)
    return RCGC_G_EINVAL;
  for (uint32_t k = 0; k < opts->nsynth; k++) {
    const rcgc__heapsnap_synth *s = &opts->synth[k];
    if (s->name == NULL || (k > 0 && s->edge_name == NULL) || (s->nto > 0 && s->to == NULL))
      return RCGC_G_EINVAL;
    for (uint32_t i = 0; i < s->nto; i++)
      if (s->to[i] >= g->n)
        return RCGC_G_EINVAL;
  }
  if (g->edge_flags != NULL)
    for (size_t e = 0; e < g->m; e++)
      if ((g->edge_flags[e] & RCGC_G_EDGE_WEAK) &&
          (g->edge_name == NULL || g->edge_name[e] == RCGC_G_NONE))
        return RCGC_G_EINVAL;
  return RCGC_G_OK;
}

int rcgc__heapsnap_write(const rcgc__graph *g, const rcgc__heapsnap_opts *opts, rcgc__gout *o) {
  int r = check(g, opts);
  if (r != RCGC_G_OK)
    return r;
  const rcgc__heapsnap_synth *syn = opts->synth;
  uint32_t ns = opts->nsynth;
  /* counts */
  uint64_t edge_count = (uint64_t)g->m + (ns - 1);
  for (uint32_t k = 0; k < ns; k++)
    edge_count += syn[k].nto;
  puts_(o, "{\"snapshot\":{\"meta\":");
  puts_(o, META);
  puts_(o, ",\n\"node_count\":");
  put_u64(o, (uint64_t)g->n + ns);
  puts_(o, ",\"edge_count\":");
  put_u64(o, edge_count);
  puts_(o, ",\"trace_function_count\":0},\n\"nodes\":[");
  /* nodes: the synthetic ones (named by the strings after the graph's),
  ** then the graph's */
  for (uint32_t k = 0; k < ns; k++) {
    uint64_t rec[NODE_FIELDS] = {NT_SYNTHETIC, (uint64_t)g->nstrings + k, syn[k].id, 0,
                                 (uint64_t)syn[k].nto + (k == 0 ? ns - 1 : 0), 0, 0};
    put_rec(o, k == 0, rec, NODE_FIELDS);
  }
  for (uint32_t v = 0; v < g->n; v++) {
    uint64_t id = opts->node_id ? opts->node_id(opts->id_ud, g, v) : rcgc__node_id(g, v);
    uint64_t rec[NODE_FIELDS] = {NT_OBJECT, g->name[v], id, g->self_size[v],
                                 g->edge_start[v + 1] - g->edge_start[v], 0, 0};
    put_rec(o, 0, rec, NODE_FIELDS);
  }
  /* edges: the first synthetic node's elements, then its property edges to
  ** the other synthetic nodes (named by the strings after their names),
  ** then the other synthetic nodes' elements, then the graph's edges */
  puts_(o, "],\n\"edges\":[");
  int first = 1;
  for (uint32_t k = 0; k < ns; k++) {
    for (uint32_t i = 0; i < syn[k].nto; i++) {
      uint64_t rec[3] = {ET_ELEMENT, i, ((uint64_t)syn[k].to[i] + ns) * NODE_FIELDS};
      put_rec(o, first, rec, 3);
      first = 0;
    }
    for (uint32_t j = 1; k == 0 && j < ns; j++) {
      uint64_t rec[3] = {ET_PROPERTY, (uint64_t)g->nstrings + ns + j - 1, (uint64_t)j * NODE_FIELDS};
      put_rec(o, first, rec, 3);
      first = 0;
    }
  }
  for (uint32_t v = 0; v < g->n; v++) {
    for (size_t e = g->edge_start[v]; e < g->edge_start[v + 1]; e++) {
      uint32_t nm = g->edge_name ? g->edge_name[e] : RCGC_G_NONE;
      uint64_t rec[3];
      if (rcgc__edge_is_weak(g, e)) {
        rec[0] = ET_WEAK;
        rec[1] = nm;
      } else if (nm != RCGC_G_NONE) {
        rec[0] = ET_PROPERTY;
        rec[1] = nm;
      } else {
        rec[0] = ET_ELEMENT;
        rec[1] = e - g->edge_start[v];
      }
      rec[2] = ((uint64_t)g->edge_to[e] + ns) * NODE_FIELDS;
      put_rec(o, first, rec, 3);
      first = 0;
    }
  }
  puts_(o, "],\n\"trace_function_infos\":[],\"trace_tree\":[],\"samples\":[],\"locations\":[],\n"
           "\"strings\":[");
  for (uint32_t s = 0; s < g->nstrings; s++) {
    put_json_string(o, rcgc__graph_str(g, s));
    put(o, ",\n", 2);
  }
  for (uint32_t k = 0; k < ns; k++) {
    if (k > 0)
      put(o, ",", 1);
    put_json_string(o, syn[k].name);
  }
  for (uint32_t k = 1; k < ns; k++) {
    put(o, ",", 1);
    put_json_string(o, syn[k].edge_name);
  }
  puts_(o, "]}\n");
  rcgc__gout_emit(o, o->len);
  return RCGC_G_OK;
}
