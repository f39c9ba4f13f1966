/*
** snapshot.c -- streaming .heapsnapshot loader for rcgc-inspect.
**
** Phase 1 (parse): the whole file is handed to yajl in one call (a regular
** file is mapped, anything else read into memory first). One call matters:
** yajl restarts a token that a buffer boundary cut in two from its first
** byte at every later buffer, so feeding a long string in chunks costs time
** quadratic in its length; in one buffer every byte is tokenized once.
** yajl's callbacks drive a small context stack:
**
**   top-level object
**     "snapshot": { "meta": { "node_fields": [..], "node_types": [..],
**                             "edge_fields": [..], "edge_types": [..] },
**                   "node_count": N, "edge_count": M }
**     "nodes":   [ int, ... ]   collected raw (uint64) in file order
**     "edges":   [ int, ... ]   collected raw
**     "strings": [ "..", ... ]  appended to one string arena (below)
**   anything else (traces, samples, locations, unknown keys) is skipped by
**   depth counting, whatever its nesting.
**
** Sections may come in any order: nothing is interpreted until the end.
** A callback that meets an unexpected value records a message and cancels
** the parse; syntax errors come from yajl. Either way the message carries
** the byte offset (yajl_get_bytes_consumed) turned into line:column by
** counting the newlines before it.
**
** Memory stays proportional to the file's size whatever it declares:
** "snapshot.node_count" / "edge_count" only size a first reservation, never
** beyond the number of values the input's bytes can hold (each takes at
** least 2), and a count that does not match the arrays is reported by name
** after the parse. The strings are copied into ONE arena, each
** NUL-terminated (a string is cut at an embedded NUL, as C strings read
** it), so a file of millions of tiny strings costs their bytes plus one
** NUL each, not one allocation each.
**
** Phase 2 (convert): find each needed field's position in node_fields /
** edge_fields, check every count, index and offset, and fill the CSR graph
** (V8 stores edges grouped by source in node order, so edge_start is a
** prefix sum of the edge_count field). Only the strings that name a node
** or a named edge enter the graph's string table, as pointers into the
** arena (snapshot.nborrowed of them, first, in file order); the class
** names interned afterwards follow them. Raw arrays are freed afterwards.
*/
#include "snapshot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yajl/yajl_parse.h>

#define MAX_FIELDS 32

/* ------------------------------------------------------------ small vectors */

typedef struct u64vec {
  uint64_t *v;
  size_t len, cap;
} u64vec;

static int u64_push(u64vec *a, uint64_t x) {
  if (a->len == a->cap) {
    size_t nc = a->cap ? a->cap * 2 : 1024;
    uint64_t *p = realloc(a->v, nc * sizeof *p);
    if (!p)
      return -1;
    a->v = p;
    a->cap = nc;
  }
  a->v[a->len++] = x;
  return 0;
}

static int u64_reserve(u64vec *a, size_t n) {
  if (n <= a->cap)
    return 0;
  uint64_t *p = realloc(a->v, n * sizeof *p);
  if (!p)
    return -1;
  a->v = p;
  a->cap = n;
  return 0;
}

typedef struct strlist {
  char **s;
  uint32_t len, cap;
} strlist;

static int str_push(strlist *l, const unsigned char *s, size_t len) {
  if (l->len == l->cap) {
    uint32_t nc = l->cap ? l->cap * 2 : 16;
    char **p = realloc(l->s, nc * sizeof *p);
    if (!p)
      return -1;
    l->s = p;
    l->cap = nc;
  }
  char *c = malloc(len + 1);
  if (!c)
    return -1;
  memcpy(c, s, len);
  c[len] = '\0';
  l->s[l->len++] = c;
  return 0;
}

static void str_free(strlist *l) {
  for (uint32_t i = 0; i < l->len; i++)
    free(l->s[i]);
  free(l->s);
  memset(l, 0, sizeof *l);
}

static int str_find(const strlist *l, const char *s) {
  for (uint32_t i = 0; i < l->len; i++)
    if (strcmp(l->s[i], s) == 0)
      return (int)i;
  return -1;
}

/* The file's "strings": one block holding each string followed by a NUL,
** in file order. */
typedef struct arena {
  char *p;
  size_t len, cap;
  uint32_t count;
} arena;

/* Append s (len bytes, cut at its first NUL). 'first' is the capacity to
** allocate at the first string: the input's length, which bounds every
** string of it together (a JSON string takes at least as many bytes as it
** decodes to, plus two quotes for the NUL), so that the arena is allocated
** once and never copied; untouched pages of it cost no memory. Returns 0,
** -1 when out of memory, -2 when the table is full (string indices are
** uint32_t and RCGC_G_NONE / RCGC_G_VROOT are reserved). */
static int arena_push(arena *a, const unsigned char *s, size_t len, size_t first) {
  const unsigned char *z = memchr(s, 0, len);
  if (z)
    len = (size_t)(z - s);
  if (a->count >= RCGC_G_VROOT)
    return -2;
  if (len >= SIZE_MAX - a->len)
    return -1;
  size_t need = a->len + len + 1;
  if (need > a->cap) {
    size_t nc = a->cap ? a->cap : first > 4096 ? first : 4096;
    while (nc < need) {
      if (nc > SIZE_MAX / 2)
        return -1;
      nc *= 2;
    }
    char *p = realloc(a->p, nc);
    if (!p)
      return -1;
    a->p = p;
    a->cap = nc;
  }
  memcpy(a->p + a->len, s, len);
  a->p[a->len + len] = '\0';
  a->len = need;
  a->count++;
  return 0;
}

/* ------------------------------------------------------------ parse state */

typedef enum ctx {
  C_TOP,
  C_SNAPSHOT,
  C_META,
  C_NODE_FIELDS,
  C_NODE_TYPES,
  C_NODE_ENUM,
  C_EDGE_FIELDS,
  C_EDGE_TYPES,
  C_EDGE_ENUM,
  C_NODES,
  C_EDGES,
  C_STRINGS
} ctx;

/* What the value following a map key is. */
typedef enum want {
  W_SKIP,
  W_SNAPSHOT,
  W_META,
  W_NODE_COUNT,
  W_EDGE_COUNT,
  W_NODE_FIELDS,
  W_NODE_TYPES,
  W_EDGE_FIELDS,
  W_EDGE_TYPES,
  W_NODES,
  W_EDGES,
  W_STRINGS
} want;

typedef struct loader {
  snapshot *s;
  ctx stack[8];
  int sp;             /* frames on stack; 0 before the top object */
  int done;           /* top-level object closed */
  unsigned long skip; /* depth inside a skipped value (0: not) */
  want pending;       /* meaning of the next value in a map */
  char key[64];       /* last key (for messages) */
  char skipname[64];  /* key of the value being skipped */
  uint32_t types_pos; /* position inside node_types / edge_types */
  int have_meta, have_nodes, have_edges, have_strings;
  long long node_count, edge_count; /* -1: absent */
  strlist node_fields, edge_fields;
  strlist node_enum[MAX_FIELDS], edge_enum[MAX_FIELDS];
  uint8_t node_enum_set[MAX_FIELDS], edge_enum_set[MAX_FIELDS];
  u64vec nodes, edges;
  arena str;         /* "strings" */
  size_t max_values; /* most integers the input's bytes can hold */
  size_t input_len;  /* bytes in the input */
  char msg[256];     /* callback error, empty if none */
} loader;

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
static int
fail(loader *l, const char *fmt, ...);

/* Record a callback error message in l->msg; returns 0 (cancel yajl). */
static int fail(loader *l, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(l->msg, sizeof l->msg, fmt, ap);
  va_end(ap);
  return 0; /* yajl: cancel */
}

static const char *ctx_name(const loader *l) {
  if (l->skip)
    return l->skipname;
  if (l->sp == 0)
    return "the document";
  switch (l->stack[l->sp - 1]) {
  case C_TOP:
    return "the top-level object";
  case C_SNAPSHOT:
    return "\"snapshot\"";
  case C_META:
    return "\"snapshot.meta\"";
  case C_NODE_FIELDS:
    return "\"snapshot.meta.node_fields\"";
  case C_NODE_TYPES:
  case C_NODE_ENUM:
    return "\"snapshot.meta.node_types\"";
  case C_EDGE_FIELDS:
    return "\"snapshot.meta.edge_fields\"";
  case C_EDGE_TYPES:
  case C_EDGE_ENUM:
    return "\"snapshot.meta.edge_types\"";
  case C_NODES:
    return "\"nodes\"";
  case C_EDGES:
    return "\"edges\"";
  case C_STRINGS:
    return "\"strings\"";
  }
  return "?";
}

static int push(loader *l, ctx c) {
  if (l->sp == (int)(sizeof l->stack / sizeof l->stack[0]))
    return fail(l, "nesting too deep");
  l->stack[l->sp++] = c;
  return 1;
}

static ctx top(const loader *l) { return l->stack[l->sp - 1]; }

/* The kinds of JSON values, for the dispatcher. */
typedef enum vkind { V_MAP, V_ARRAY, V_INT, V_STRING, V_OTHER } vkind;

static const char *vkind_name(vkind k) {
  switch (k) {
  case V_MAP:
    return "an object";
  case V_ARRAY:
    return "an array";
  case V_INT:
    return "an integer";
  case V_STRING:
    return "a string";
  default:
    return "another value";
  }
}

/* Dispatch a value (scalar, or the start of a container) in the current
** context. Returns 1 to continue, 0 to cancel (l->msg set). For a container
** start this pushes its context or starts skipping. */
static int on_value(loader *l, vkind k, long long iv, const unsigned char *sv, size_t slen) {
  if (l->skip) {
    if (k == V_MAP || k == V_ARRAY)
      l->skip++;
    return 1;
  }
  if (l->sp == 0) {
    if (l->done)
      return fail(l, "unexpected data after the top-level object");
    if (k != V_MAP)
      return fail(l, "expected a JSON object at top level, found %s", vkind_name(k));
    return push(l, C_TOP);
  }
  ctx c = top(l);
  switch (c) {
  case C_TOP:
  case C_SNAPSHOT:
  case C_META: {
    want w = l->pending;
    l->pending = W_SKIP;
    static const struct {
      want w;
      vkind k;
      ctx c;
    } tab[] = {
        {W_SNAPSHOT, V_MAP, C_SNAPSHOT},
        {W_META, V_MAP, C_META},
        {W_NODE_FIELDS, V_ARRAY, C_NODE_FIELDS},
        {W_NODE_TYPES, V_ARRAY, C_NODE_TYPES},
        {W_EDGE_FIELDS, V_ARRAY, C_EDGE_FIELDS},
        {W_EDGE_TYPES, V_ARRAY, C_EDGE_TYPES},
        {W_NODES, V_ARRAY, C_NODES},
        {W_EDGES, V_ARRAY, C_EDGES},
        {W_STRINGS, V_ARRAY, C_STRINGS},
    };
    if (w == W_SKIP) {
      if (k == V_MAP || k == V_ARRAY) {
        l->skip = 1;
        snprintf(l->skipname, sizeof l->skipname, "\"%.60s\"", l->key);
      }
      return 1;
    }
    if (w == W_NODE_COUNT || w == W_EDGE_COUNT) {
      if (k != V_INT || iv < 0)
        return fail(l, "expected a non-negative integer for \"%s\"", l->key);
      /* a first reservation for the array (V8 writes 7 node fields and
      ** 3 edge fields), never more than the input can fill: a wrong
      ** count is reported after the parse, by comparison */
      size_t per = w == W_NODE_COUNT ? 7 : 3;
      size_t first =
          (unsigned long long)iv < l->max_values / per ? (size_t)iv * per : l->max_values;
      if (w == W_NODE_COUNT)
        l->node_count = iv;
      else
        l->edge_count = iv;
      if (u64_reserve(w == W_NODE_COUNT ? &l->nodes : &l->edges, first))
        return fail(l, "out of memory");
      return 1;
    }
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
      if (tab[i].w != w)
        continue;
      if (k != tab[i].k)
        return fail(l, "expected %s for \"%s\", found %s", vkind_name(tab[i].k), l->key,
                    vkind_name(k));
      if (w == W_META)
        l->have_meta = 1;
      if (w == W_NODES)
        l->have_nodes = 1;
      if (w == W_EDGES)
        l->have_edges = 1;
      if (w == W_STRINGS)
        l->have_strings = 1;
      if (w == W_NODE_TYPES || w == W_EDGE_TYPES)
        l->types_pos = 0;
      return push(l, tab[i].c);
    }
    return 1;
  }
  case C_NODE_FIELDS:
  case C_EDGE_FIELDS:
  case C_NODE_ENUM:
  case C_EDGE_ENUM: {
    if (k != V_STRING)
      return fail(l, "expected a string in %s, found %s", ctx_name(l), vkind_name(k));
    /* bounded here so that a hostile list costs nothing: node and edge
    ** fields are limited to MAX_FIELDS, type names to 255 (uint8_t) */
    uint32_t most = c == C_NODE_FIELDS || c == C_EDGE_FIELDS ? MAX_FIELDS : 255;
    strlist *dst = c == C_NODE_FIELDS   ? &l->node_fields
                   : c == C_EDGE_FIELDS ? &l->edge_fields
                   : c == C_NODE_ENUM   ? &l->node_enum[l->types_pos]
                                        : &l->edge_enum[l->types_pos];
    if (dst->len >= most) {
      if (c == C_NODE_FIELDS || c == C_EDGE_FIELDS)
        return fail(l, "more than %u entries in %s", most, ctx_name(l));
      return fail(l, "more than %u type names in %s[%u]", most, ctx_name(l), l->types_pos);
    }
    if (str_push(dst, sv, slen))
      return fail(l, "out of memory");
    return 1;
  }
  case C_NODE_TYPES:
  case C_EDGE_TYPES: {
    /* entry types_pos: a list of enum names, or a plain type string */
    if (l->types_pos >= MAX_FIELDS)
      return fail(l, "more than %d entries in %s", MAX_FIELDS, ctx_name(l));
    if (k == V_ARRAY) {
      if (c == C_NODE_TYPES)
        l->node_enum_set[l->types_pos] = 1;
      else
        l->edge_enum_set[l->types_pos] = 1;
      return push(l, c == C_NODE_TYPES ? C_NODE_ENUM : C_EDGE_ENUM);
    }
    if (k == V_MAP) {
      const char *where =
          c == C_NODE_TYPES ? "\"snapshot.meta.node_types\"" : "\"snapshot.meta.edge_types\"";
      snprintf(l->skipname, sizeof l->skipname, "%s", where);
      l->skip = 1;
    }
    l->types_pos++;
    return 1;
  }
  case C_NODES:
  case C_EDGES: {
    u64vec *a = c == C_NODES ? &l->nodes : &l->edges;
    if (k != V_INT || iv < 0)
      return fail(l, "expected a non-negative integer in %s at index %zu, found %s", ctx_name(l),
                  a->len, k == V_INT ? "a negative number" : vkind_name(k));
    if (u64_push(a, (uint64_t)iv))
      return fail(l, "out of memory");
    return 1;
  }
  case C_STRINGS: {
    if (k != V_STRING)
      return fail(l, "expected a string in \"strings\" at index %u, found %s", l->str.count,
                  vkind_name(k));
    int r = arena_push(&l->str, sv, slen, l->input_len);
    if (r == -2)
      return fail(l, "more than %u strings in \"strings\"", (unsigned)RCGC_G_VROOT);
    if (r)
      return fail(l, "out of memory");
    return 1;
  }
  }
  return 1;
}

static int cb_null(void *ud) { return on_value(ud, V_OTHER, 0, NULL, 0); }
static int cb_bool(void *ud, int b) {
  (void)b;
  return on_value(ud, V_OTHER, 0, NULL, 0);
}
static int cb_int(void *ud, long long v) { return on_value(ud, V_INT, v, NULL, 0); }
static int cb_double(void *ud, double d) {
  (void)d;
  return on_value(ud, V_OTHER, 0, NULL, 0);
}
static int cb_string(void *ud, const unsigned char *s, size_t len) {
  return on_value(ud, V_STRING, 0, s, len);
}
static int cb_start_map(void *ud) { return on_value(ud, V_MAP, 0, NULL, 0); }
static int cb_start_array(void *ud) { return on_value(ud, V_ARRAY, 0, NULL, 0); }

static int cb_end(void *ud) {
  loader *l = ud;
  if (l->skip) {
    l->skip--;
    return 1;
  }
  ctx c = top(l);
  l->sp--;
  if ((c == C_NODE_ENUM || c == C_EDGE_ENUM))
    l->types_pos++;
  if (l->sp == 0)
    l->done = 1;
  return 1;
}

static int cb_map_key(void *ud, const unsigned char *k, size_t len) {
  loader *l = ud;
  if (l->skip)
    return 1;
  size_t n = len < sizeof l->key - 1 ? len : sizeof l->key - 1;
  memcpy(l->key, k, n);
  l->key[n] = '\0';
  ctx c = top(l);
  want w = W_SKIP;
#define KEY(s) (len == sizeof(s) - 1 && memcmp(k, s, len) == 0)
  if (c == C_TOP) {
    if (KEY("snapshot"))
      w = W_SNAPSHOT;
    else if (KEY("nodes"))
      w = W_NODES;
    else if (KEY("edges"))
      w = W_EDGES;
    else if (KEY("strings"))
      w = W_STRINGS;
  } else if (c == C_SNAPSHOT) {
    if (KEY("meta"))
      w = W_META;
    else if (KEY("node_count"))
      w = W_NODE_COUNT;
    else if (KEY("edge_count"))
      w = W_EDGE_COUNT;
  } else if (c == C_META) {
    if (KEY("node_fields"))
      w = W_NODE_FIELDS;
    else if (KEY("node_types"))
      w = W_NODE_TYPES;
    else if (KEY("edge_fields"))
      w = W_EDGE_FIELDS;
    else if (KEY("edge_types"))
      w = W_EDGE_TYPES;
  }
#undef KEY
  l->pending = w;
  return 1;
}

static const yajl_callbacks callbacks = {
    cb_null,      cb_bool,    cb_int, cb_double,      NULL,   cb_string,
    cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end,
};

static void loader_free(loader *l) {
  str_free(&l->node_fields);
  str_free(&l->edge_fields);
  for (int i = 0; i < MAX_FIELDS; i++) {
    str_free(&l->node_enum[i]);
    str_free(&l->edge_enum[i]);
  }
  free(l->nodes.v);
  free(l->edges.v);
  free(l->str.p);
}

/* ------------------------------------------------------------ conversion */

static int field(const strlist *fields, const char *name) { return str_find(fields, name); }

/* Copy a type-name list into a malloc'd char ** (taking the strings). */
static char **take_list(strlist *l, uint32_t *count) {
  char **r = l->s;
  *count = l->len;
  memset(l, 0, sizeof *l);
  return r;
}

static uint32_t popcount64(uint64_t x) {
  x = x - ((x >> 1) & 0x5555555555555555u);
  x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);
  x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fu;
  return (uint32_t)((x * 0x0101010101010101u) >> 56);
}

/* Index in the graph's string table of marked file string i: the marked
** strings before it. */
static uint32_t str_rank(const uint64_t *used, const uint32_t *rank, uint32_t i) {
  uint64_t below = used[i / 64] & (((uint64_t)1 << (i % 64)) - 1);
  return rank[i / 64] + popcount64(below);
}

/* Check the raw arrays against the meta section and build the graph. The
** class of a node is its own name, or a fixed "(type)" string per node
** type (cls[t] != RCGC_G_NONE). */
static int convert(loader *l, char *err, size_t errcap) {
  snapshot *s = l->s;
  rcgc__graph *g = &s->g;
  const char *p = s->path;
#define ERR(...)                                          \
  do {                                                    \
    int o_ = snprintf(err, errcap, "%s: ", p);            \
    if (o_ < 0 || (size_t)o_ >= errcap)                   \
      o_ = 0;                                             \
    snprintf(err + o_, errcap - (size_t)o_, __VA_ARGS__); \
    return -1;                                            \
  } while (0)
#define ERR_FREE(...) \
  do {                \
    free(used);       \
    free(rank);       \
    ERR(__VA_ARGS__); \
  } while (0)
  if (!l->have_meta)
    ERR("missing \"snapshot.meta\" (not a heap snapshot?)");
  if (!l->have_nodes)
    ERR("missing \"nodes\" array");
  if (!l->have_edges)
    ERR("missing \"edges\" array");
  if (!l->have_strings)
    ERR("missing \"strings\" array");
  static const char *nreq[] = {"type", "name", "id", "self_size", "edge_count"};
  static const char *ereq[] = {"type", "name_or_index", "to_node"};
  int nf_pos[5], ef_pos[3];
  for (int i = 0; i < 5; i++)
    if ((nf_pos[i] = field(&l->node_fields, nreq[i])) < 0)
      ERR("\"snapshot.meta.node_fields\" lacks \"%s\"", nreq[i]);
  for (int i = 0; i < 3; i++)
    if ((ef_pos[i] = field(&l->edge_fields, ereq[i])) < 0)
      ERR("\"snapshot.meta.edge_fields\" lacks \"%s\"", ereq[i]);
  uint32_t nf = l->node_fields.len, ef = l->edge_fields.len;
  if (nf > MAX_FIELDS || ef > MAX_FIELDS)
    ERR("too many node or edge fields (max %d)", MAX_FIELDS);
  if (!l->node_enum_set[nf_pos[0]])
    ERR("\"snapshot.meta.node_types\"[%d] is not a list of node type names", nf_pos[0]);
  if (!l->edge_enum_set[ef_pos[0]])
    ERR("\"snapshot.meta.edge_types\"[%d] is not a list of edge type names", ef_pos[0]);
  s->node_types = take_list(&l->node_enum[nf_pos[0]], &s->nnode_types);
  s->edge_types = take_list(&l->edge_enum[ef_pos[0]], &s->nedge_types);
  if (s->nnode_types > 255 || s->nedge_types > 255)
    ERR("more than 255 node or edge types");
  if (l->nodes.len % nf)
    ERR("\"nodes\" has %zu values, not a multiple of the %u node fields", l->nodes.len, nf);
  if (l->edges.len % ef)
    ERR("\"edges\" has %zu values, not a multiple of the %u edge fields", l->edges.len, ef);
  size_t n = l->nodes.len / nf, m = l->edges.len / ef;
  if (n >= RCGC_G_VROOT)
    ERR("too many nodes (%zu)", n);
  if (l->node_count >= 0 && (size_t)l->node_count != n)
    ERR("\"snapshot.node_count\" is %lld but \"nodes\" holds %zu nodes", l->node_count, n);
  if (l->edge_count >= 0 && (size_t)l->edge_count != m)
    ERR("\"snapshot.edge_count\" is %lld but \"edges\" holds %zu edges", l->edge_count, m);

  uint32_t nfile = l->str.count;
  g->n = (uint32_t)n;
  g->m = m;
  g->self_size = rcgc__gmem_alloc(g, n, sizeof *g->self_size);
  g->name = rcgc__gmem_alloc(g, n, sizeof *g->name);
  g->id = rcgc__gmem_alloc(g, n, sizeof *g->id);
  g->edge_start = rcgc__gmem_alloc(g, n + 1, sizeof *g->edge_start);
  g->edge_to = rcgc__gmem_alloc(g, m, sizeof *g->edge_to);
  g->edge_name = rcgc__gmem_alloc(g, m, sizeof *g->edge_name);
  g->edge_flags = rcgc__gmem_alloc(g, m, sizeof *g->edge_flags);
  s->raw_name = malloc(n ? n * sizeof *s->raw_name : 1);
  s->node_type = malloc(n ? n : 1);
  s->synthetic = malloc(n ? n : 1);
  s->edge_type = malloc(m ? m : 1);
  s->edge_index = malloc(m ? m * sizeof *s->edge_index : 1);
  /* used: one bit per file string that names a node or a named edge;
  ** rank[w]: how many bits are set in the words before word w */
  size_t nwords = (size_t)nfile / 64 + 1;
  uint64_t *used = calloc(nwords, sizeof *used);
  uint32_t *rank = malloc(nwords * sizeof *rank);
  if (!g->self_size || !g->name || !g->id || !g->edge_start || !g->edge_to || !g->edge_name ||
      !g->edge_flags || !s->raw_name || !s->node_type || !s->synthetic || !s->edge_type ||
      !s->edge_index || !used || !rank)
    ERR_FREE("out of memory");
  int syn_type = -1;
  for (uint32_t t = 0; t < s->nnode_types; t++)
    if (!strcmp(s->node_types[t], "synthetic"))
      syn_type = (int)t;

  /* pass 1: check every value, fill what needs no string, mark the names */
  const uint64_t *raw = l->nodes.v;
  size_t esum = 0;
  g->edge_start[0] = 0;
  for (size_t v = 0; v < n; v++) {
    const uint64_t *f = raw + v * nf;
    uint64_t t = f[nf_pos[0]], nm = f[nf_pos[1]], ec = f[nf_pos[4]];
    if (t >= s->nnode_types)
      ERR_FREE("\"nodes\"[%zu]: node type %llu is out of range (%u node types)",
               v * nf + (size_t)nf_pos[0], (unsigned long long)t, s->nnode_types);
    if (nm >= nfile)
      ERR_FREE("\"nodes\"[%zu]: name %llu is out of range (%u strings)", v * nf + (size_t)nf_pos[1],
               (unsigned long long)nm, nfile);
    if (ec > m - esum)
      ERR_FREE("\"nodes\"[%zu]: edge_count %llu of node %zu runs past the %zu edges in \"edges\"",
               v * nf + (size_t)nf_pos[4], (unsigned long long)ec, v, m);
    esum += (size_t)ec;
    g->edge_start[v + 1] = esum;
    s->node_type[v] = (uint8_t)t;
    s->synthetic[v] = (int)t == syn_type;
    s->raw_name[v] = (uint32_t)nm;
    used[nm / 64] |= (uint64_t)1 << (nm % 64);
    g->id[v] = f[nf_pos[2]];
    g->self_size[v] = f[nf_pos[3]];
  }
  if (esum != m)
    ERR_FREE("the edge_count fields in \"nodes\" add up to %zu but \"edges\" holds %zu edges", esum,
             m);
  int weak_type = -1;
  uint8_t indexed[256] = {0};
  for (uint32_t t = 0; t < s->nedge_types; t++) {
    if (!strcmp(s->edge_types[t], "weak"))
      weak_type = (int)t;
    if (!strcmp(s->edge_types[t], "element") || !strcmp(s->edge_types[t], "hidden"))
      indexed[t] = 1;
  }
  const uint64_t *eraw = l->edges.v;
  for (size_t e = 0; e < m; e++) {
    const uint64_t *f = eraw + e * ef;
    uint64_t t = f[ef_pos[0]], nm = f[ef_pos[1]], to = f[ef_pos[2]];
    if (t >= s->nedge_types)
      ERR_FREE("\"edges\"[%zu]: edge type %llu is out of range (%u edge types)",
               e * ef + (size_t)ef_pos[0], (unsigned long long)t, s->nedge_types);
    if (to % nf || to / nf >= n)
      ERR_FREE("\"edges\"[%zu]: to_node %llu is not a node offset (a multiple of %u below %zu)",
               e * ef + (size_t)ef_pos[2], (unsigned long long)to, nf, n * nf);
    if (!indexed[t] && nm >= nfile)
      ERR_FREE("\"edges\"[%zu]: name %llu is out of range (%u strings)", e * ef + (size_t)ef_pos[1],
               (unsigned long long)nm, nfile);
    g->edge_to[e] = (uint32_t)(to / nf);
    g->edge_name[e] = indexed[t] ? RCGC_G_NONE : (uint32_t)nm;
    if (!indexed[t])
      used[nm / 64] |= (uint64_t)1 << (nm % 64);
    g->edge_flags[e] = (int)t == weak_type ? RCGC_G_EDGE_WEAK : 0;
    s->edge_type[e] = (uint8_t)t;
    s->edge_index[e] = nm > UINT32_MAX ? UINT32_MAX : (uint32_t)nm;
  }

  /* the marked strings become the graph's first strings, in file order,
  ** as pointers into the arena (one pass over it) */
  uint32_t nused = 0;
  for (size_t w = 0; w < nwords; w++) {
    rank[w] = nused;
    nused += popcount64(used[w]);
  }
  g->strings = rcgc__gmem_alloc(g, nused ? nused : 1, sizeof *g->strings);
  if (!g->strings)
    ERR_FREE("out of memory");
  g->strings_cap = nused ? nused : 1;
  char *sp = l->str.p;
  for (uint32_t i = 0, k = 0; i < nfile; i++) {
    size_t len = strlen(sp);
    if (used[i / 64] >> (i % 64) & 1)
      g->strings[k++] = sp;
    sp += len + 1;
  }
  g->nstrings = s->nborrowed = nused;
  s->strbuf = l->str.p;
  memset(&l->str, 0, sizeof l->str);

  /* class string per node type, interned after the file's strings */
  uint32_t cls[256];
  for (uint32_t t = 0; t < s->nnode_types; t++) {
    const char *tn = s->node_types[t];
    if (!strcmp(tn, "object") || !strcmp(tn, "native") || !strcmp(tn, "synthetic") ||
        !strcmp(tn, "hidden")) {
      cls[t] = RCGC_G_NONE;
      continue;
    }
    char buf[96];
    if (!strcmp(tn, "string") || !strcmp(tn, "concatenated string") || !strcmp(tn, "sliced string"))
      snprintf(buf, sizeof buf, "(string)");
    else
      snprintf(buf, sizeof buf, "(%.80s)", tn);
    if ((cls[t] = rcgc__graph_intern(g, buf)) == RCGC_G_NONE)
      ERR_FREE("out of memory");
  }

  /* pass 2: names, as indices into the graph's string table */
  uint32_t empty_cls[256];
  memset(empty_cls, 0xff, sizeof empty_cls);
  for (size_t v = 0; v < n; v++) {
    uint32_t t = s->node_type[v], r = str_rank(used, rank, s->raw_name[v]);
    s->raw_name[v] = r;
    if (cls[t] != RCGC_G_NONE) {
      g->name[v] = cls[t];
    } else if (g->strings[r][0]) {
      g->name[v] = r;
    } else { /* unnamed object / synthetic node: class "(<type>)" */
      if (empty_cls[t] == RCGC_G_NONE) {
        char buf[96];
        snprintf(buf, sizeof buf, "(%.80s)", s->node_types[t]);
        if ((empty_cls[t] = rcgc__graph_intern(g, buf)) == RCGC_G_NONE)
          ERR_FREE("out of memory");
      }
      g->name[v] = empty_cls[t];
    }
  }
  for (size_t e = 0; e < m; e++)
    if (g->edge_name[e] != RCGC_G_NONE)
      g->edge_name[e] = str_rank(used, rank, g->edge_name[e]);
  free(used);
  free(rank);
  used = NULL;
  rank = NULL;
  if (n) {
    uint32_t r = 0;
    if (rcgc__graph_set_roots(g, &r, NULL, 1))
      ERR("out of memory");
  }
#undef ERR_FREE
#undef ERR
  return 0;
}

/* ------------------------------------------------------------ load */

int snapshot_parse(snapshot *s, const char *name, const unsigned char *data, size_t len, char *err,
                   size_t errcap) {
  memset(s, 0, sizeof *s);
  rcgc__graph_init(&s->g, NULL, NULL);
  s->path = name;
  loader *l = calloc(1, sizeof *l);
  yajl_handle h = l ? yajl_alloc(&callbacks, NULL, l) : NULL;
  int rc = -1;
  if (!l || !h) {
    snprintf(err, errcap, "%s: out of memory", name);
    goto out;
  }
  l->s = s;
  l->node_count = l->edge_count = -1;
  l->max_values = len / 2 + 1;
  l->input_len = len;
  /* one call for the whole input: see the top of this file */
  yajl_status st = len ? yajl_parse(h, data, len) : yajl_status_ok;
  size_t pos = st == yajl_status_ok ? len : yajl_get_bytes_consumed(h);
  if (st == yajl_status_ok)
    st = yajl_complete_parse(h);
  if (st != yajl_status_ok) {
    if (pos > len)
      pos = len;
    size_t line = 1, line_start = 0; /* line_start: offset after the last '\n' */
    for (const unsigned char *q = data; pos && (q = memchr(q, '\n', (size_t)(data + pos - q)));
         q++) {
      line++;
      line_start = (size_t)(q - data) + 1;
    }
    char what[300];
    if (l->msg[0]) {
      snprintf(what, sizeof what, "%s", l->msg);
    } else {
      unsigned char *ye = yajl_get_error(h, 0, NULL, 0);
      const char *e = (const char *)ye;
      if (!strncmp(e, "parse error: ", 13))
        e += 13;
      if (!strncmp(e, "lexical error: ", 15))
        e += 15;
      char tmp[200];
      snprintf(tmp, sizeof tmp, "%s", e);
      size_t tl = strlen(tmp);
      while (tl && (tmp[tl - 1] == '\n' || tmp[tl - 1] == ' '))
        tmp[--tl] = '\0';
      if (strstr(tmp, "premature EOF"))
        snprintf(what, sizeof what, "unexpected end of file in %s (truncated file?)", ctx_name(l));
      else
        snprintf(what, sizeof what, "%s in %s", tmp, ctx_name(l));
      yajl_free_error(h, ye);
    }
    snprintf(err, errcap, "%s: byte %zu (line %zu, column %zu): %s", name, pos, line,
             pos - line_start + 1, what);
    goto out;
  }
  if (!l->done) {
    snprintf(err, errcap, "%s: byte %zu: unexpected end of file (truncated file?)", name, len);
    goto out;
  }
  rc = convert(l, err, errcap);
out:
  if (h)
    yajl_free(h);
  if (l)
    loader_free(l);
  free(l);
  if (rc)
    snapshot_free(s);
  return rc;
}

int snapshot_load(snapshot *s, const char *path, char *err, size_t errcap) {
  memset(s, 0, sizeof *s);
  rcgc__graph_init(&s->g, NULL, NULL);
  s->path = path;
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    snprintf(err, errcap, "%s: cannot open: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    snprintf(err, errcap, "%s: cannot stat: %s", path, strerror(errno));
    close(fd);
    return -1;
  }
  unsigned char *data = NULL;
  size_t len = 0;
  int mapped = 0;
  if (S_ISREG(st.st_mode) && st.st_size > 0) {
    if ((unsigned long long)st.st_size > SIZE_MAX) {
      snprintf(err, errcap, "%s: too large to map (%lld bytes)", path, (long long)st.st_size);
      close(fd);
      return -1;
    }
    len = (size_t)st.st_size;
    void *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p != MAP_FAILED) {
      data = p;
      mapped = 1;
    }
  }
  if (!mapped) { /* a pipe, a device, an empty file, or mmap refused: read it */
    size_t cap = 0;
    len = 0;
    for (;;) {
      if (len == cap) {
        size_t nc = cap ? cap * 2 : (size_t)1 << 16;
        unsigned char *p = nc > cap ? realloc(data, nc) : NULL;
        if (!p) {
          snprintf(err, errcap, "%s: out of memory", path);
          free(data);
          close(fd);
          return -1;
        }
        data = p;
        cap = nc;
      }
      ssize_t got = read(fd, data + len, cap - len);
      if (got < 0 && errno == EINTR)
        continue;
      if (got < 0) {
        snprintf(err, errcap, "%s: read error: %s", path, strerror(errno));
        free(data);
        close(fd);
        return -1;
      }
      if (got == 0)
        break;
      len += (size_t)got;
    }
  }
  close(fd);
  int rc = snapshot_parse(s, path, data ? data : (const unsigned char *)"", len, err, errcap);
  if (mapped)
    munmap(data, len);
  else
    free(data);
  return rc;
}

void snapshot_free(snapshot *s) {
  /* the file's strings live in strbuf, not in blocks of the graph */
  for (uint32_t i = 0; i < s->nborrowed && i < s->g.nstrings; i++)
    s->g.strings[i] = NULL;
  rcgc__graph_free(&s->g);
  free(s->strbuf);
  free(s->raw_name);
  free(s->node_type);
  free(s->synthetic);
  free(s->edge_type);
  free(s->edge_index);
  for (uint32_t i = 0; i < s->nnode_types; i++)
    free(s->node_types[i]);
  free(s->node_types);
  for (uint32_t i = 0; i < s->nedge_types; i++)
    free(s->edge_types[i]);
  free(s->edge_types);
  const char *p = s->path;
  memset(s, 0, sizeof *s);
  rcgc__graph_init(&s->g, NULL, NULL);
  s->path = p;
}

/* ------------------------------------------------------------ descriptions */

/* Copy at most 'max' bytes of 'in' printable into out (cap > 0). */
static void printable(const char *in, size_t max, char *out, size_t cap) {
  size_t k = 0, i = 0;
  for (; in[i] && i < max && k + 1 < cap; i++) {
    unsigned char ch = (unsigned char)in[i];
    out[k++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
  }
  if (in[i] && k + 4 < cap) {
    memcpy(out + k, "...", 3);
    k += 3;
  }
  out[k] = '\0';
}

char *snapshot_node_desc(const snapshot *s, uint32_t v, char *buf, size_t cap) {
  const rcgc__graph *g = &s->g;
  const char *cls = rcgc__node_name(g, v);
  const char *own = rcgc__graph_str(g, s->raw_name[v]);
  char c1[80], c2[80];
  printable(cls, 60, c1, sizeof c1);
  if (g->name[v] != s->raw_name[v] && own[0]) {
    printable(own, 60, c2, sizeof c2);
    snprintf(buf, cap, "%s \"%s\" @%llu", c1, c2, (unsigned long long)g->id[v]);
  } else {
    snprintf(buf, cap, "%s @%llu", c1, (unsigned long long)g->id[v]);
  }
  return buf;
}

char *snapshot_edge_label(const snapshot *s, size_t e, char *buf, size_t cap) {
  const rcgc__graph *g = &s->g;
  if (g->edge_name[e] == RCGC_G_NONE) {
    snprintf(buf, cap, "[%u]", s->edge_index[e]);
  } else {
    char c[80];
    printable(rcgc__graph_str(g, g->edge_name[e]), 60, c, sizeof c);
    snprintf(buf, cap, "%s", c);
  }
  return buf;
}

uint32_t snapshot_find_id(const snapshot *s, uint64_t id) {
  for (uint32_t v = 0; v < s->g.n; v++)
    if (s->g.id[v] == id)
      return v;
  return RCGC_G_NONE;
}
