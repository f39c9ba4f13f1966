/*
** rcgc_module.c -- rcgc._rcgc: rcgc's leak-hunting analyses over the live
** CPython heap.
**
** Every query builds a fresh picture of the heap, answers from it and
** frees it before returning; nothing is kept between calls except marks
** (which hold ids, type names, sizes and weak references, never a strong
** reference to an object of the program).
**
** The picture (struct pic)
** ------------------------
** Nodes: every object gc.get_objects() returns (the gc-tracked objects, in
** that order), then every other object one of them refers to, numbered as
** found. Objects whose type supports gc but that gc does not track at the
** moment (tuples and dicts of atoms) are walked too; objects of types
** without gc support are leaves. Edges: what each node's tp_traverse
** visits, in that order -- tp_traverse defines what counts as a reference,
** the edge namers (below) only label the edges. Node id = id(obj); node
** name = the short name of the object's type.
**
** Weak edges: a weak reference the collector tracks (weakref.ref and its
** subclasses, weakref.proxy) has, after its tp_traverse edges, one more
** edge, "(weak)", to its referent while that lives (the referent becomes a
** node if it was not one). It is flagged RCGC_G_EDGE_WEAK: the graph
** algorithms never follow it for paths, reachability or dominators, SCC
** leaves it out, and the accounting below does not count it (a weak
** reference owns no reference). Snapshots write it as a "weak" edge, DOT
** draws it dashed, why() lists the weak references to its target apart.
**
** Running frames: after the objects, one node per running frame of every
** thread (a function or module body still executing: its variables live
** in the thread's frame stack, in no object), named "frame QUALNAME
** (FILE:LINE)", with p->obj NULL and an edge per reference the frame
** owns, named by variable (names_internal.c reads them, on 3.11 only);
** then the objects only they refer to. A running frame is a root (its
** unexplained count is 0). rcgc's own frames -- those running with the
** globals of one of its Python modules (_own_globals) -- are no nodes:
** their references are the query's, like the containers below.
**
** Roots by accounting: refcount(obj) - (strong edges into obj, running
** frames' included) - (references held by this module during the query:
** the gc.get_objects() list, any container of objects the caller passed
** in, rcgc's own frames, the registered globals) = references from outside
** the picture (C stack, interpreter state, C extensions' statics, a
** running frame's value stack while it calls C code, untracked
** containers). Objects of gc-aware types with such references are the
** roots, with the running frames, in node order. A count below zero (a
** type visiting a reference it does not own) is clamped to 0.
**
** No user code runs while a picture exists: the walk uses tp_traverse with
** a C visit function, dicts are read with PyDict_Next, identity tables are
** C arrays; automatic collection is disabled for the whole query (so no
** __del__ or weakref callback can run and free a node under our feet);
** sizes come from a type's __sizeof__ only when it is a C method
** descriptor. The GIL is held throughout, except while a snapshot file is
** written (that step reads only C arrays).
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "graph.h"
#include "rcgc_py.h"

#ifdef Py_T_OBJECT_EX
#define RCGCPY_T_OBJECT_EX Py_T_OBJECT_EX
#define RCGCPY_READONLY Py_READONLY
#else
#define RCGCPY_T_OBJECT_EX T_OBJECT_EX
#define RCGCPY_READONLY READONLY
#endif

/* ================================================================ idmap
** Open-addressing table keyed by an address, linear probing; key and value
** share a slot (one cache line per probe). With 'stamp' (generation mode)
** it is cleared in O(1) by bumping 'cur'. */
typedef struct idslot {
  uintptr_t key;           /* 0: empty (plain mode) */
  uint64_t val;
} idslot;

typedef struct idmap {
  idslot *slot;
  size_t mapped;           /* bytes of 'slot' mapped with mmap (0: calloc) */
  uint32_t *stamp;         /* NULL: plain mode */
  uint32_t cur;
  unsigned shift;          /* 64 - log2(cap) */
  size_t cap, used;        /* cap: power of two */
} idmap;

static size_t idm_slot(const idmap *m, uintptr_t k) {
  /* Fibonacci hashing: the product's high bits */
  return (size_t)(((uint64_t)k * 0x9E3779B97F4A7C15ull) >> m->shift);
}

static int idm_live(const idmap *m, size_t i) {
  return m->stamp ? m->stamp[i] == m->cur : m->slot[i].key != 0;
}

/* Zeroed memory for a table's slots. A large table (the node table of a
** whole heap: tens of MB, probed at random addresses) is mapped on its own
** and, where the system has them, backed by huge pages: one TLB entry and
** one page fault per 2 MiB instead of 512. */
#define IDM_MAP_MIN ((size_t)4 << 20)

static idslot *idm_slots(idmap *m, size_t c) {
  size_t bytes = c * sizeof(idslot);
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
  if (bytes >= IDM_MAP_MIN) {
    void *a = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (a != MAP_FAILED) {
      madvise(a, bytes, MADV_HUGEPAGE); /* advice only: failure changes nothing */
      m->mapped = bytes;
      return a;
    }
  }
#endif
  m->mapped = 0;
  return calloc(c, sizeof(idslot));
}

static void idm_slots_free(idmap *m) {
#if defined(MAP_ANONYMOUS) && defined(MADV_HUGEPAGE)
  if (m->mapped) {
    munmap(m->slot, m->mapped);
    return;
  }
#endif
  free(m->slot);
}

static int idm_init(idmap *m, size_t cap, int generations) {
  memset(m, 0, sizeof *m);
  size_t c = 64;
  unsigned bits = 6;
  while (c < cap * 2) {
    c <<= 1;
    bits++;
  }
  m->slot = idm_slots(m, c);
  if (generations) {
    m->stamp = calloc(c, sizeof *m->stamp);
    m->cur = 1;
  }
  m->cap = c;
  m->shift = 64 - bits;
  if (!m->slot || (generations && !m->stamp)) return -1;
  return 0;
}

static void idm_free(idmap *m) {
  if (m->slot) idm_slots_free(m);
  free(m->stamp);
  memset(m, 0, sizeof *m);
}

static void idm_clear(idmap *m) {
  if (m->stamp) {
    if (++m->cur == 0) {
      memset(m->stamp, 0, m->cap * sizeof *m->stamp);
      m->cur = 1;
    }
  } else {
    memset(m->slot, 0, m->cap * sizeof *m->slot);
  }
  m->used = 0;
}

/* Pointer to the value of k, or NULL. */
static uint64_t *idm_get(const idmap *m, uintptr_t k) {
  for (size_t i = idm_slot(m, k);; i = (i + 1) & (m->cap - 1)) {
    if (!idm_live(m, i)) return NULL;
    if (m->slot[i].key == k) return &m->slot[i].val;
  }
}

static int idm_grow(idmap *m) {
  idmap n;
  if (idm_init(&n, m->cap, m->stamp != NULL)) {
    idm_free(&n);
    return -1;
  }
  for (size_t i = 0; i < m->cap; i++) {
    if (!idm_live(m, i)) continue;
    size_t j = idm_slot(&n, m->slot[i].key);
    while (idm_live(&n, j)) j = (j + 1) & (n.cap - 1);
    n.slot[j] = m->slot[i];
    if (n.stamp) n.stamp[j] = n.cur;
  }
  n.used = m->used;
  idm_free(m);
  *m = n;
  return 0;
}

/* Insert k -> v (k must be absent). */
static int idm_put(idmap *m, uintptr_t k, uint64_t v) {
  if ((m->used + 1) * 2 > m->cap && idm_grow(m)) return -1;
  size_t i = idm_slot(m, k);
  while (idm_live(m, i)) i = (i + 1) & (m->cap - 1);
  m->slot[i].key = k;
  m->slot[i].val = v;
  if (m->stamp) m->stamp[i] = m->cur;
  m->used++;
  return 0;
}

/* ================================================================ picture */

enum {
  PIC_NAMES = 1,   /* name edges */
  PIC_SIZES = 2,   /* compute self sizes */
  PIC_EDGES = 4,   /* walk (without it: the tracked objects only, no edges) */
  PIC_ONE = 8,     /* the 'extra' object and its referents only */
};

typedef struct pic {
  rcgc__graph g;
  rcgc__builder b;
  unsigned flags;
  PyObject **obj;          /* [n] borrowed */
  uint32_t *indeg;         /* [n] edges into v */
  uint32_t *outdeg;        /* [n] edges out of v */
  uint32_t *eto, *ename;   /* [m] the edges in source order (ename: with
                           ** PIC_NAMES), moved into g when the walk ends */
  uint8_t *eflags;         /* [m] RCGC_G_EDGE_WEAK bits, allocated with the
                           ** first weak edge (NULL: all strong) */
  size_t m, ecap;
  uint32_t *held;          /* [n] references held by this query's containers */
  uint64_t *ext;           /* [n] references from outside (after finish) */
  uint8_t *gcaware;        /* [n] type supports gc */
  uint32_t n, cap, ntracked;
  /* running frames (walked after the objects): frame[i] is node
  ** frame0 + i; p->obj of a frame node is NULL. 'own' are rcgc's own
  ** frames, which are no nodes: their references are the query's. */
  uint32_t frame0, nframes, nown;
  rcgcpy_frame *frame, *own;
  uint32_t frame_cap, own_cap;
  idmap nodes;             /* obj -> node */
  idmap types;             /* type -> name string */
  idmap sizers;            /* type -> __sizeof__ descriptor or 0 */
  idmap bare;              /* str obj -> string index, name as is */
  idmap quoted;            /* str obj -> string index, quoted key */
  /* namer: referent -> chain of names, per source object */
  idmap nm;
  uint32_t *nm_name, *nm_next;
  uint32_t nm_n, nm_cap;
  int nm_mode;             /* NM_* for the object being walked */
  PyObject *nm_only;       /* not NULL: record the names of this referent
                           ** only (one edge's name, without formatting
                           ** every key of a large dict) */
  uint32_t nm_const;       /* NM_CONST: the name of every edge */
  uint32_t cur;            /* node being walked */
  uint32_t s_generic, s_member, s_key, s_class, s_dict, s_weak;
  PyObject *all;           /* gc.get_objects(), owned until pic_free */
  PyObject *skip[4];       /* containers held by this query (never nodes) */
  int nskip;
  int oom;
  PyObject *str_sizeof;
  PyObject *object_sizeof; /* object.__sizeof__ (borrowed) */
  int nohash;              /* no walk: get_objects() has no duplicates, no table */
  uint32_t npend;          /* edges found, not yet resolved (visit_edge) */
  PyObject *pend_obj[4096];
  uint32_t pend_src[4096], pend_name[4096];
  uint8_t pend_weak[4096];
} pic;

enum { NM_NONE = 0, NM_ELEMENT, NM_CONST, NM_MAP };

static void pic_free(pic *p) {
  rcgc__graph_free(&p->g);
  free(p->obj);
  free(p->indeg);
  free(p->outdeg);
  rcgc__gmem_free(&p->g, p->eto);
  rcgc__gmem_free(&p->g, p->ename);
  rcgc__gmem_free(&p->g, p->eflags);
  free(p->held);
  free(p->ext);
  free(p->gcaware);
  free(p->frame);
  free(p->own);
  idm_free(&p->nodes);
  idm_free(&p->types);
  idm_free(&p->sizers);
  idm_free(&p->bare);
  idm_free(&p->quoted);
  idm_free(&p->nm);
  free(p->nm_name);
  free(p->nm_next);
  Py_XDECREF(p->str_sizeof);
  Py_XDECREF(p->all);
  memset(p, 0, sizeof *p);
}

static uint32_t intern(pic *p, const char *s) {
  uint32_t i = rcgc__graph_intern(&p->g, s);
  if (i == RCGC_G_NONE) p->oom = 1;
  return i;
}

/* Short type name: the part of tp_name after the last dot. */
static const char *short_type_name(PyTypeObject *tp) {
  const char *s = tp->tp_name;
  const char *d = strrchr(s, '.');
  return d ? d + 1 : s;
}

static uint32_t type_name(pic *p, PyTypeObject *tp) {
  uint64_t *v = idm_get(&p->types, (uintptr_t)tp);
  if (v) return (uint32_t)*v;
  uint32_t s = intern(p, short_type_name(tp));
  if (idm_put(&p->types, (uintptr_t)tp, s)) p->oom = 1;
  return s;
}

static int is_skipped(const pic *p, PyObject *o) {
  for (int i = 0; i < p->nskip; i++)
    if (p->skip[i] == o) return 1;
  return 0;
}

/* Make room for at least 'want' nodes (0: half as many again), in the
** picture's arrays and the graph's (self_size, name, id). */
static int grow_nodes(pic *p, uint32_t want) {
  uint32_t nc = p->cap ? p->cap + p->cap / 2 : 1024;
  if (nc <= p->cap) nc = UINT32_MAX - 1; /* wrapped: the most node_of allows */
  if (nc < want) nc = want;
  PyObject **o = realloc(p->obj, nc * sizeof *o);
  if (o) p->obj = o;
  uint32_t *a = realloc(p->indeg, nc * sizeof *a);
  if (a) p->indeg = a;
  uint32_t *od = realloc(p->outdeg, nc * sizeof *od);
  if (od) p->outdeg = od;
  uint32_t *h = realloc(p->held, nc * sizeof *h);
  if (h) p->held = h;
  uint8_t *gc = realloc(p->gcaware, nc);
  if (gc) p->gcaware = gc;
  uint64_t *sz = rcgc__gmem_realloc(&p->g, p->g.self_size, nc, sizeof *sz);
  if (sz) p->g.self_size = sz;
  uint32_t *nm = rcgc__gmem_realloc(&p->g, p->g.name, nc, sizeof *nm);
  if (nm) p->g.name = nm;
  uint64_t *id = rcgc__gmem_realloc(&p->g, p->g.id, nc, sizeof *id);
  if (id) p->g.id = id;
  if (!o || !a || !od || !h || !gc || !sz || !nm || !id) return -1;
  p->cap = nc;
  return 0;
}

/* Append node idx = p->n for o. */
static uint32_t node_append(pic *p, PyObject *o, uint32_t name, uint8_t gcaware) {
  uint32_t idx = p->n;
  p->g.self_size[idx] = 0;
  p->g.name[idx] = name;
  p->g.id[idx] = (uint64_t)(uintptr_t)o;
  p->obj[idx] = o;
  p->indeg[idx] = 0;
  p->outdeg[idx] = 0;
  p->held[idx] = 0;
  p->gcaware[idx] = gcaware;
  p->n = p->g.n = idx + 1;
  return idx;
}

/* Node of 'o', added when absent. RCGC_G_NONE on out of memory. */
static uint32_t node_of(pic *p, PyObject *o) {
  uint64_t *v = p->nohash ? NULL : idm_get(&p->nodes, (uintptr_t)o);
  if (v) return (uint32_t)*v;
  if (p->n == UINT32_MAX - 2 || (p->n == p->cap && grow_nodes(p, 0))) goto oom;
  if (!p->nohash && idm_put(&p->nodes, (uintptr_t)o, p->n)) goto oom;
  return node_append(p, o, type_name(p, Py_TYPE(o)), PyObject_IS_GC(o) ? 1 : 0);
oom:
  p->oom = 1;
  return RCGC_G_NONE;
}

/* Add the tracked object o (absent from the table: gc.get_objects() lists
** each object once) as the next node, without reading the object: its name
** and gc-awareness are filled in by the walk, which reads the object anyway.
** 'ahead' (may be NULL) is an object about to be added: its hash slot is
** fetched ahead, so the inserts do not wait on memory one after another. */
static uint32_t node_add_tracked(pic *p, PyObject *o, PyObject *ahead) {
  if (ahead) __builtin_prefetch(&p->nodes.slot[idm_slot(&p->nodes, (uintptr_t)ahead)], 1);
  if (p->n == UINT32_MAX - 2 || (p->n == p->cap && grow_nodes(p, 0))) goto oom;
  if (idm_put(&p->nodes, (uintptr_t)o, p->n)) goto oom;
  return node_append(p, o, RCGC_G_NONE, 1);
oom:
  p->oom = 1;
  return RCGC_G_NONE;
}

/* ---------------------------------------------------------------- names */

#define NAME_MAX_CHARS 48

/* Append the UTF-8 encoding of code point c to buf at *len (cap >= len+5). */
static void put_utf8(char *buf, size_t *len, Py_UCS4 c) {
  size_t n = *len;
  if (c < 0x80) {
    buf[n++] = (char)c;
  } else if (c < 0x800) {
    buf[n++] = (char)(0xC0 | (c >> 6));
    buf[n++] = (char)(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    if (c >= 0xD800 && c < 0xE000) c = 0xFFFD; /* lone surrogate */
    buf[n++] = (char)(0xE0 | (c >> 12));
    buf[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
    buf[n++] = (char)(0x80 | (c & 0x3F));
  } else {
    buf[n++] = (char)(0xF0 | (c >> 18));
    buf[n++] = (char)(0x80 | ((c >> 12) & 0x3F));
    buf[n++] = (char)(0x80 | ((c >> 6) & 0x3F));
    buf[n++] = (char)(0x80 | (c & 0x3F));
  }
  *len = n;
}

/* Write a str's text from character 'from' on (quoted: as a Python
** literal in single quotes) into buf, at most 'max' characters then "...";
** cap >= max * 4 + 16 holds them all. No allocation. */
static void str_text(PyObject *s, Py_ssize_t from, int quoted, Py_ssize_t max, char *buf, size_t cap) {
  size_t len = 0;
  if (!PyUnicode_Check(s)
#if PY_VERSION_HEX < 0x030C0000
      || !PyUnicode_IS_READY(s)
#endif
  ) {
    snprintf(buf, cap, "<str>");
    return;
  }
  int kind = PyUnicode_KIND(s);
  const void *data = PyUnicode_DATA(s);
  Py_ssize_t n = PyUnicode_GET_LENGTH(s);
  if (quoted) buf[len++] = '\'';
  for (Py_ssize_t i = from; i < n; i++) {
    if (i - from == max) {
      memcpy(buf + len, "...", 3);
      len += 3;
      break;
    }
    Py_UCS4 c = PyUnicode_READ(kind, data, i);
    if (len + 8 >= cap - 2) break;
    if (c < 0x20 || c == 0x7F || (quoted && (c == '\'' || c == '\\'))) {
      if (c == '\'' || c == '\\') {
        buf[len++] = '\\';
        buf[len++] = (char)c;
      } else {
        len += (size_t)snprintf(buf + len, cap - len, "\\x%02x", (unsigned)c);
      }
    } else {
      put_utf8(buf, &len, c);
    }
  }
  if (quoted) buf[len++] = '\'';
  buf[len] = 0;
}

/* The string index naming a str (attribute / variable name, or quoted
** dict key), cached by object identity. */
static uint32_t str_name(pic *p, PyObject *s, int quoted) {
  idmap *m = quoted ? &p->quoted : &p->bare;
  uint64_t *v = idm_get(m, (uintptr_t)s);
  if (v) return (uint32_t)*v;
  char buf[NAME_MAX_CHARS * 4 + 16];
  str_text(s, 0, quoted, NAME_MAX_CHARS, buf, sizeof buf);
  uint32_t i = intern(p, buf);
  if (idm_put(m, (uintptr_t)s, i)) p->oom = 1;
  return i;
}

/* Name of a dict entry's value edge: the key, shortly. No user code: only
** exact types' contents are read; anything else is named by its type. */
static uint32_t key_name(pic *p, PyObject *k) {
  char buf[96];
  if (PyUnicode_Check(k)) return str_name(p, k, 1);
  if (PyLong_CheckExact(k)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(k, &overflow);
    if (overflow || (v == -1 && PyErr_Occurred())) {
      PyErr_Clear();
      snprintf(buf, sizeof buf, "<big int>");
    } else {
      snprintf(buf, sizeof buf, "%lld", v);
    }
  } else if (PyBool_Check(k)) {
    snprintf(buf, sizeof buf, "%s", k == Py_True ? "True" : "False");
  } else if (k == Py_None) {
    snprintf(buf, sizeof buf, "None");
  } else {
    snprintf(buf, sizeof buf, "<%.80s>", short_type_name(Py_TYPE(k)));
  }
  return intern(p, buf);
}

static void nm_reset(pic *p) {
  idm_clear(&p->nm);
  p->nm_n = 0;
}

/* Whether the names of referent r are recorded (nm_only). */
static int nm_wants(const pic *p, PyObject *r) { return r != NULL && (p->nm_only == NULL || r == p->nm_only); }

static void nm_add(pic *p, PyObject *referent, uint32_t name) {
  if (!nm_wants(p, referent) || name == RCGC_G_NONE) return;
  if (p->nm_n == p->nm_cap) {
    uint32_t nc = p->nm_cap ? p->nm_cap * 2 : 256;
    uint32_t *a = realloc(p->nm_name, nc * sizeof *a);
    if (a) p->nm_name = a;
    uint32_t *b = realloc(p->nm_next, nc * sizeof *b);
    if (b) p->nm_next = b;
    if (!a || !b) {
      p->oom = 1;
      return;
    }
    p->nm_cap = nc;
  }
  uint32_t e = p->nm_n++;
  p->nm_name[e] = name;
  p->nm_next[e] = UINT32_MAX;
  uint64_t *v = idm_get(&p->nm, (uintptr_t)referent);
  if (v == NULL) {
    /* value: head (low 32 bits) and tail (high 32 bits) of the chain */
    if (idm_put(&p->nm, (uintptr_t)referent, ((uint64_t)e << 32) | e)) p->oom = 1;
    return;
  }
  uint32_t tail = (uint32_t)(*v >> 32);
  p->nm_next[tail] = e;
  *v = ((uint64_t)e << 32) | (*v & 0xFFFFFFFFu);
}

/* The next name recorded for 'referent' (names are used in the order
** added), or RCGC_G_NONE. */
static uint32_t nm_take(pic *p, PyObject *referent) {
  uint64_t *v = idm_get(&p->nm, (uintptr_t)referent);
  if (v == NULL) return RCGC_G_NONE;
  uint32_t head = (uint32_t)(*v & 0xFFFFFFFFu);
  if (head == UINT32_MAX) return RCGC_G_NONE;
  uint32_t name = p->nm_name[head];
  uint32_t next = p->nm_next[head];
  uint32_t tail = (uint32_t)(*v >> 32);
  *v = next == UINT32_MAX ? (((uint64_t)tail << 32) | 0xFFFFFFFFu)
                          : (((uint64_t)tail << 32) | next);
  return name;
}

static int name_cb(void *ud, PyObject *referent, PyObject *name_obj, const char *name) {
  pic *p = ud;
  if (nm_wants(p, referent)) nm_add(p, referent, name_obj ? str_name(p, name_obj, 0) : intern(p, name));
  return p->oom ? -1 : 0;
}

static void nm_c(pic *p, PyObject *referent, const char *name) {
  if (nm_wants(p, referent)) nm_add(p, referent, intern(p, name));
}

/* Names of an instance's own slots (__slots__ member descriptors of every
** heap type in its MRO), its __dict__ and its class. */
static void name_instance(pic *p, PyObject *o) {
  PyTypeObject *tp = Py_TYPE(o);
  PyObject *mro = tp->tp_mro;
  if (mro && PyTuple_Check(mro)) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(mro); i++) {
      PyTypeObject *base = (PyTypeObject *)PyTuple_GET_ITEM(mro, i);
      if (!PyType_Check(base) || !(base->tp_flags & Py_TPFLAGS_HEAPTYPE)) continue;
      PyMemberDef *mp = base->tp_members;
      for (; mp && mp->name; mp++) {
        if (mp->type != RCGCPY_T_OBJECT_EX || (mp->flags & RCGCPY_READONLY)) continue;
        PyObject *v = *(PyObject **)((char *)o + mp->offset);
        nm_c(p, v, mp->name);
      }
    }
  }
#ifdef Py_TPFLAGS_MANAGED_DICT
  if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
    if (rcgcpy_inline_attr_names(o, name_cb, p) < 0) p->oom = 1;
  } else
#endif
  if (tp->tp_dictoffset != 0) {
    PyObject **dp = _PyObject_GetDictPtr(o);
    if (dp && *dp) nm_add(p, *dp, p->s_dict);
  }
  nm_add(p, (PyObject *)tp, p->s_class);
}

static void name_dict(pic *p, PyObject *d) {
  Py_ssize_t pos = 0;
  PyObject *k, *v;
  while (PyDict_Next(d, &pos, &k, &v)) {
    if (nm_wants(p, k)) nm_add(p, k, p->s_key);
    if (nm_wants(p, v)) nm_add(p, v, key_name(p, k));
    if (p->oom) return;
  }
}

static void name_seq(pic *p, PyObject *const *items, Py_ssize_t n) {
  char buf[32];
  for (Py_ssize_t i = 0; i < n && !p->oom; i++) {
    if (!nm_wants(p, items[i])) continue;
    if (i >= 10000) {
      nm_c(p, items[i], "[...]");
      continue;
    }
    snprintf(buf, sizeof buf, "[%zd]", i);
    nm_c(p, items[i], buf);
  }
}

/* Set p->nm_mode and record the names of o's referents. */
static void name_referents(pic *p, PyObject *o) {
  PyTypeObject *tp = Py_TYPE(o);
  if (tp == &PyList_Type || tp == &PyTuple_Type) {
    p->nm_mode = NM_ELEMENT;
    return;
  }
  if (tp == &PySet_Type || tp == &PyFrozenSet_Type) {
    p->nm_mode = NM_CONST;
    p->nm_const = p->s_member;
    return;
  }
  nm_reset(p);
  p->nm_mode = NM_MAP;
  if (PyType_Check(o)) {
    PyTypeObject *t = (PyTypeObject *)o;
    nm_c(p, t->tp_dict, "__dict__");
    nm_c(p, t->tp_mro, "__mro__");
    nm_c(p, t->tp_bases, "__bases__");
    nm_c(p, (PyObject *)t->tp_base, "__base__");
    nm_c(p, t->tp_cache, "(cache)");
    if (t->tp_flags & Py_TPFLAGS_HEAPTYPE) {
      PyHeapTypeObject *h = (PyHeapTypeObject *)t;
      nm_c(p, h->ht_module, "(defining module)");
      nm_c(p, h->ht_slots, "__slots__");
    }
    nm_add(p, (PyObject *)tp, p->s_class);
    return;
  }
  if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) name_instance(p, o);
  if (PyDict_Check(o)) {
    name_dict(p, o);
  } else if (PyList_Check(o)) {
    name_seq(p, ((PyListObject *)o)->ob_item, PyList_GET_SIZE(o));
  } else if (PyTuple_Check(o)) {
    name_seq(p, ((PyTupleObject *)o)->ob_item, PyTuple_GET_SIZE(o));
  } else if (PyAnySet_Check(o)) {
    /* subclass of set: members unnamed beyond the generic label */
  } else if (PyModule_Check(o)) {
    nm_c(p, PyModule_GetDict(o), "__dict__");
  } else if (PyFunction_Check(o)) {
    PyFunctionObject *f = (PyFunctionObject *)o;
    nm_c(p, f->func_code, "__code__");
    nm_c(p, f->func_globals, "__globals__");
    nm_c(p, f->func_builtins, "__builtins__");
    nm_c(p, f->func_module, "__module__");
    nm_c(p, f->func_defaults, "__defaults__");
    nm_c(p, f->func_kwdefaults, "__kwdefaults__");
    nm_c(p, f->func_doc, "__doc__");
    nm_c(p, f->func_name, "__name__");
    nm_c(p, f->func_dict, "__dict__");
    nm_c(p, f->func_closure, "__closure__");
    nm_c(p, f->func_annotations, "__annotations__");
    nm_c(p, f->func_qualname, "__qualname__");
  } else if (PyMethod_Check(o)) {
    nm_c(p, PyMethod_GET_FUNCTION(o), "__func__");
    nm_c(p, PyMethod_GET_SELF(o), "__self__");
  } else if (PyCFunction_Check(o)) {
    PyCFunctionObject *f = (PyCFunctionObject *)o;
    nm_c(p, f->m_self, "__self__");
    nm_c(p, f->m_module, "__module__");
  } else if (PyCell_Check(o)) {
    nm_c(p, PyCell_GET(o), "cell_contents");
  } else if (PyFrame_Check(o)) {
    if (rcgcpy_frame_names(o, name_cb, p) < 0) p->oom = 1;
  } else if (PyGen_Check(o) || PyCoro_CheckExact(o) || PyAsyncGen_CheckExact(o)) {
    if (rcgcpy_gen_names(o, name_cb, p) < 0) p->oom = 1;
  } else if (PyExceptionInstance_Check(o)) {
    PyBaseExceptionObject *e = (PyBaseExceptionObject *)o;
    nm_c(p, e->dict, "__dict__");
    nm_c(p, e->args, "args");
    nm_c(p, e->notes, "__notes__");
    nm_c(p, e->traceback, "__traceback__");
    nm_c(p, e->context, "__context__");
    nm_c(p, e->cause, "__cause__");
  } else if (Py_IS_TYPE(o, &PyGetSetDescr_Type) || Py_IS_TYPE(o, &PyMemberDescr_Type) ||
             Py_IS_TYPE(o, &PyMethodDescr_Type) || Py_IS_TYPE(o, &PyClassMethodDescr_Type) ||
             Py_IS_TYPE(o, &PyWrapperDescr_Type)) {
    PyDescrObject *d = (PyDescrObject *)o;
    nm_c(p, (PyObject *)d->d_type, "__objclass__");
    nm_c(p, d->d_name, "__name__");
    nm_c(p, d->d_qualname, "__qualname__");
  } else if (PyTraceBack_Check(o)) {
    PyTracebackObject *t = (PyTracebackObject *)o;
    nm_c(p, (PyObject *)t->tb_next, "tb_next");
    nm_c(p, (PyObject *)t->tb_frame, "tb_frame");
  }
  if (p->nm_n == 0) {
    p->nm_mode = NM_CONST;
    p->nm_const = p->s_generic;
  }
}

/* ---------------------------------------------------------------- running frames */

static int is_frame(const pic *p, uint32_t v) { return v - p->frame0 < p->nframes; }

#define FRAME_NAME_MAX_CHARS 160

/* Name of a running frame's node: "frame QUALNAME (FILE:LINE)", FILE the
** last part of the code's file name (each at most FRAME_NAME_MAX_CHARS
** characters), then " thread ID" for a frame of a thread other than the
** main one. */
static uint32_t frame_node_name(pic *p, const rcgcpy_frame *f) {
  char qual[FRAME_NAME_MAX_CHARS * 4 + 16], file[FRAME_NAME_MAX_CHARS * 4 + 16];
  char buf[sizeof qual + sizeof file + 64];
  str_text(f->code->co_qualname, 0, 0, FRAME_NAME_MAX_CHARS, qual, sizeof qual);
  PyObject *fn = f->code->co_filename;
  Py_ssize_t from = 0;
  if (PyUnicode_Check(fn)) {
    Py_ssize_t slash = PyUnicode_FindChar(fn, '/', 0, PyUnicode_GET_LENGTH(fn), -1);
    if (slash >= 0) from = slash + 1;
    else PyErr_Clear(); /* -1: not found; -2: an error, not for a str */
  }
  str_text(fn, from, 0, FRAME_NAME_MAX_CHARS, file, sizeof file);
  if (f->main_thread) snprintf(buf, sizeof buf, "frame %s (%s:%d)", qual, file, f->line);
  else snprintf(buf, sizeof buf, "frame %s (%s:%d) thread %lu", qual, file, f->line, f->thread_id);
  return intern(p, buf);
}

/* Own globals: the module dicts of rcgc's Python package, registered by it
** (_own_globals); a frame running with one of them is rcgc's own. Held
** here (one reference each, counted as the query's). */
#define OWN_MAX 4
static PyObject *own_globals[OWN_MAX];
static int nown_globals;

static int is_own(const rcgcpy_frame *f) {
  for (int i = 0; i < nown_globals; i++)
    if (own_globals[i] == f->globals) return 1;
  return 0;
}

static int frame_push(rcgcpy_frame **a, uint32_t *n, uint32_t *cap, const rcgcpy_frame *f) {
  if (*n == *cap) {
    uint32_t nc = *cap ? *cap * 2 : 64;
    rcgcpy_frame *x = realloc(*a, nc * sizeof *x);
    if (!x) return -1;
    *a = x;
    *cap = nc;
  }
  (*a)[(*n)++] = *f;
  return 0;
}

static int collect_frame(void *ud, const rcgcpy_frame *f) {
  pic *p = ud;
  if (is_own(f)) return frame_push(&p->own, &p->nown, &p->own_cap, f);
  return frame_push(&p->frame, &p->nframes, &p->frame_cap, f);
}

/* Append a node for every running frame of every thread except rcgc's own
** (nodes frame0 ..), to be walked next. */
static void add_frames(pic *p) {
  p->frame0 = p->n;
  if (rcgcpy_running_frames(collect_frame, p) < 0) {
    p->oom = 1;
    return;
  }
  for (uint32_t i = 0; i < p->nframes && !p->oom; i++) {
    if (p->n == UINT32_MAX - 2 || (p->n == p->cap && grow_nodes(p, 0))) {
      p->oom = 1;
      break;
    }
    uint32_t v = node_append(p, NULL, frame_node_name(p, &p->frame[i]), 0);
    p->g.id[v] = (uint64_t)(uintptr_t)p->frame[i].iframe;
  }
}

/* Record the names of running frame node v's references. */
static void name_frame(pic *p, uint32_t v) {
  nm_reset(p);
  p->nm_mode = NM_MAP;
  if (rcgcpy_running_frame_refs(&p->frame[v - p->frame0], name_cb, p) < 0) p->oom = 1;
  if (p->nm_n == 0) {
    p->nm_mode = NM_CONST;
    p->nm_const = p->s_generic;
  }
}

/* Set p->nm_mode and record the names of node v's referents. */
static void name_node(pic *p, uint32_t v) {
  if (is_frame(p, v)) name_frame(p, v);
  else name_referents(p, p->obj[v]);
}

/* ---------------------------------------------------------------- walk */

static uint32_t edge_name_now(pic *p, PyObject *r) {
  switch (p->nm_mode) {
  case NM_CONST: return p->nm_const;
  case NM_MAP: {
    uint32_t name = nm_take(p, r);
    return name == RCGC_G_NONE ? p->s_generic : name;
  }
  default: return RCGC_G_NONE;
  }
}

/* Edges are found in batches: the walk records (source, referent, name)
** and pend_flush resolves the referents to nodes, fetching each one's hash
** slot ahead (the lookups are random memory accesses and dominate the
** walk). Nodes are numbered in the order referents are resolved, which is
** the order they are found: the batching changes nothing but speed. */
#define PEND_MAX 4096
#define PEND_AHEAD 12

/* Append the edge src -> to (src: the node being walked, so edges come in
** source order and the CSR arrays are filled directly); 'weak': a weak
** reference's edge to its referent (RCGC_G_EDGE_WEAK). */
static int edge_add(pic *p, uint32_t src, uint32_t to, uint32_t name, int weak) {
  if (p->m == p->ecap) {
    size_t nc = p->ecap ? p->ecap * 2 : (size_t)4 * (p->n + 1024);
    uint32_t *t = rcgc__gmem_realloc(&p->g, p->eto, nc, sizeof *t);
    if (t) p->eto = t;
    if (t && (p->flags & PIC_NAMES)) {
      uint32_t *nm = rcgc__gmem_realloc(&p->g, p->ename, nc, sizeof *nm);
      if (nm) p->ename = nm;
      else t = NULL;
    }
    if (t && p->eflags) {
      uint8_t *fl = rcgc__gmem_realloc(&p->g, p->eflags, nc, sizeof *fl);
      if (fl) p->eflags = fl;
      else t = NULL;
    }
    if (!t) return -1;
    p->ecap = nc;
  }
  if (weak && !p->eflags) {
    /* the first weak edge: every edge before it is strong */
    p->eflags = rcgc__gmem_calloc(&p->g, p->ecap, sizeof *p->eflags);
    if (!p->eflags) return -1;
  }
  p->eto[p->m] = to;
  if (p->ename) p->ename[p->m] = name;
  if (p->eflags) p->eflags[p->m] = weak ? RCGC_G_EDGE_WEAK : 0;
  p->m++;
  p->outdeg[src]++;
  return 0;
}

/* Move the edges into the graph, after rcgc__builder_finish has made its
** CSR offsets for no edges (all zero): the offsets from the out-degrees. */
static int edges_finish(pic *p) {
  rcgc__graph *g = &p->g;
  uint32_t *to = p->eto ? p->eto : rcgc__gmem_alloc(g, 1, sizeof *to);
  if (!to || !g->edge_start) {
    if (to != p->eto) rcgc__gmem_free(g, to);
    return -1;
  }
  size_t *start = g->edge_start;
  start[0] = 0;
  for (uint32_t v = 0; v < g->n; v++) start[v + 1] = start[v] + p->outdeg[v];
  rcgc__gmem_free(g, g->edge_to);
  rcgc__gmem_free(g, g->edge_name);
  rcgc__gmem_free(g, g->edge_flags);
  g->edge_to = to;
  g->edge_name = p->ename;
  g->edge_flags = p->eflags;
  g->m = p->m;
  p->eto = p->ename = NULL;
  p->eflags = NULL;
  return 0;
}

static void pend_flush(pic *p) {
  idmap *m = &p->nodes;
  for (uint32_t i = 0; i < p->npend && !p->oom; i++) {
    if (i + PEND_AHEAD < p->npend)
      __builtin_prefetch(&m->slot[idm_slot(m, (uintptr_t)p->pend_obj[i + PEND_AHEAD])]);
    /* the node table is in plain mode (no stamps): probe the keys inline,
    ** node_of only for an object seen for the first time */
    uintptr_t k = (uintptr_t)p->pend_obj[i];
    size_t j = idm_slot(m, k);
    while (m->slot[j].key != k && m->slot[j].key != 0) j = (j + 1) & (m->cap - 1);
    uint32_t t = m->slot[j].key == k ? (uint32_t)m->slot[j].val : node_of(p, p->pend_obj[i]);
    if (t == RCGC_G_NONE) break;
    if (edge_add(p, p->pend_src[i], t, p->pend_name[i], p->pend_weak[i])) {
      p->oom = 1;
      break;
    }
    /* a weak reference does not count in the accounting: it does not own
    ** a reference (the referent's refcount does not include it) */
    if (!p->pend_weak[i]) p->indeg[t]++;
  }
  p->npend = 0;
}

static int visit_edge(PyObject *r, void *arg) {
  pic *p = arg;
  if (r == NULL || is_skipped(p, r)) return 0;
  uint32_t i = p->npend++;
  p->pend_obj[i] = r;
  p->pend_src[i] = p->cur;
  p->pend_name[i] = (p->flags & PIC_NAMES) ? edge_name_now(p, r) : RCGC_G_NONE;
  p->pend_weak[i] = 0;
  if (p->npend == PEND_MAX) {
    pend_flush(p);
    if (p->oom) return -1;
  }
  return 0;
}

/* The referent of weak reference w (weakref.ref and its subclasses --
** WeakMethod, the weak containers' KeyedRef --, weakref.proxy), or NULL
** when it has died or w is one of rcgc's own weak references: those are
** never tracked by the collector (expect_freed's and marks'), every other
** one is from its creation until it is freed. */
static PyObject *weak_referent(PyObject *w) {
  if (!PyWeakref_Check(w) || !PyObject_GC_IsTracked(w)) return NULL;
  PyObject *r = ((PyWeakReference *)w)->wr_object;
  if (r == NULL || r == Py_None || Py_REFCNT(r) <= 0) return NULL;
  return r;
}

/* Queue the weak edge from the node being walked (a weak reference) to its
** referent, after the edges its tp_traverse reported. Named "(weak)". */
static int visit_weak(pic *p, PyObject *r) {
  if (is_skipped(p, r)) return 0;
  uint32_t i = p->npend++;
  p->pend_obj[i] = r;
  p->pend_src[i] = p->cur;
  p->pend_name[i] = (p->flags & PIC_NAMES) ? p->s_weak : RCGC_G_NONE;
  p->pend_weak[i] = 1;
  if (p->npend == PEND_MAX) {
    pend_flush(p);
    if (p->oom) return -1;
  }
  return 0;
}

static int visit_held(PyObject *r, void *arg) {
  pic *p = arg;
  if (r == NULL) return 0;
  uint64_t *v = idm_get(&p->nodes, (uintptr_t)r);
  if (v) p->held[*v]++;
  return 0;
}

/* rcgcpy_name_cb adapters: a running frame's reference as an edge of the
** node being walked, or (rcgc's own frames) as held by the query. */
static int frame_edge_cb(void *ud, PyObject *r, PyObject *name_obj, const char *name) {
  (void)name_obj;
  (void)name;
  return visit_edge(r, ud);
}

static int frame_held_cb(void *ud, PyObject *r, PyObject *name_obj, const char *name) {
  (void)name_obj;
  (void)name;
  return visit_held(r, ud);
}

/* Self size: sys.getsizeof's answer when the type's __sizeof__ is C code,
** else the instance size from the type; plus the gc pre-header. */
static uint64_t self_size(pic *p, PyObject *o) {
  PyTypeObject *tp = Py_TYPE(o);
  uint64_t *c = idm_get(&p->sizers, (uintptr_t)tp);
  PyObject *descr = NULL;
  if (c) {
    descr = (PyObject *)(uintptr_t)*c;
  } else {
    descr = _PyType_Lookup(tp, p->str_sizeof);
    if (descr && !Py_IS_TYPE(descr, &PyMethodDescr_Type)) descr = NULL;
    if (idm_put(&p->sizers, (uintptr_t)tp, (uint64_t)(uintptr_t)descr)) p->oom = 1;
  }
  Py_ssize_t size = -1;
  if (descr && descr == p->object_sizeof) descr = NULL; /* same formula as below */
  if (descr) {
    PyObject *r = PyObject_CallOneArg(descr, o);
    if (r && PyLong_Check(r)) size = PyLong_AsSsize_t(r);
    Py_XDECREF(r);
    if (size < 0) {
      PyErr_Clear();
      size = -1;
    }
  }
  if (size < 0) {
    Py_ssize_t n = tp->tp_itemsize ? Py_SIZE(o) : 0;
    if (n < 0) n = -n;
    size = tp->tp_basicsize + n * tp->tp_itemsize;
  }
  uint64_t pre = 0;
  if (!PyType_Check(o) || (((PyTypeObject *)o)->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
    if (PyObject_IS_GC(o)) pre += 2 * sizeof(void *);
#ifdef Py_TPFLAGS_MANAGED_DICT
    if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) pre += 2 * sizeof(void *);
#endif
  }
  return (uint64_t)size + pre;
}

/* gc.get_objects, looked up once when the module is imported (so a query
** never goes through the import machinery, which user code can hook). */
static PyObject *gc_get_objects;

static PyObject *get_objects(void) {
  PyObject *l = PyObject_CallNoArgs(gc_get_objects);
  if (l && !PyList_CheckExact(l)) {
    Py_DECREF(l);
    PyErr_SetString(PyExc_RuntimeError, "gc.get_objects() did not return a list");
    return NULL;
  }
  return l;
}

/* Walk nodes from..limit-1 (and those found meanwhile, up to limit):
** their edges, in node order. */
static void walk(pic *p, uint32_t from, uint32_t limit, int deferred) {
  for (uint32_t v = from; v < limit && !p->oom; v++) {
    if (v >= p->n) {
      pend_flush(p); /* may add nodes to walk */
      if (v >= p->n) break;
    }
    if (is_frame(p, v)) {
      p->cur = v;
      p->nm_mode = NM_NONE;
      if (p->flags & PIC_NAMES) name_frame(p, v);
      if (p->oom) break;
      if (rcgcpy_running_frame_refs(&p->frame[v - p->frame0], frame_edge_cb, p) < 0) break;
      continue;
    }
    PyObject *o = p->obj[v];
    if (deferred && v < p->ntracked) {
      p->g.name[v] = type_name(p, Py_TYPE(o));
      p->gcaware[v] = PyObject_IS_GC(o) ? 1 : 0;
    }
    if (!p->gcaware[v]) continue;
    traverseproc tr = Py_TYPE(o)->tp_traverse;
    if (tr == NULL) continue;
    p->cur = v;
    p->nm_mode = NM_NONE;
    if (p->flags & PIC_NAMES) name_referents(p, o);
    if (p->oom) break;
    if (tr(o, visit_edge, p) != 0 && !p->oom) {
      /* a traverse function failed on its own: keep what we have */
    }
    PyObject *wr = p->oom ? NULL : weak_referent(o);
    if (wr) visit_weak(p, wr);
  }
}

/* The graph's CSR arrays, the accounting and the roots, once the walk is
** done. Returns 0, or -1 with an exception set (the picture freed). */
/* tp_traverse of a list or a tuple visits its items from the last to the
** first (CPython 3.11 to 3.13): turn such a node's edges around, so that
** an item's edge is at its index among its node's edges -- why()'s "[i]"
** and a snapshot's element index are then the item's index. Only for
** exact lists and tuples (a subclass's traverse visits its __dict__ too)
** whose edges are one per item, the last item's first; the others keep
** the order they were found in. Nothing has run since the walk: the items
** are the ones it saw. */
static void elements_in_order(pic *p) {
  rcgc__graph *g = &p->g;
  for (uint32_t v = 0; v < p->n; v++) {
    if (is_frame(p, v)) continue;
    PyObject *o = p->obj[v];
    PyObject **items;
    Py_ssize_t n;
    if (Py_TYPE(o) == &PyList_Type) {
      items = ((PyListObject *)o)->ob_item;
      n = PyList_GET_SIZE(o);
    } else if (Py_TYPE(o) == &PyTuple_Type) {
      items = ((PyTupleObject *)o)->ob_item;
      n = PyTuple_GET_SIZE(o);
    } else {
      continue;
    }
    size_t a = g->edge_start[v], b = g->edge_start[v + 1];
    if (n < 2 || b - a != (size_t)n || p->obj[g->edge_to[a]] != items[n - 1] ||
        p->obj[g->edge_to[b - 1]] != items[0])
      continue;
    for (size_t i = a, j = b - 1; i < j; i++, j--) {
      uint32_t t = g->edge_to[i];
      g->edge_to[i] = g->edge_to[j];
      g->edge_to[j] = t;
      if (g->edge_name) {
        t = g->edge_name[i];
        g->edge_name[i] = g->edge_name[j];
        g->edge_name[j] = t;
      }
      if (g->edge_flags) {
        uint8_t f = g->edge_flags[i];
        g->edge_flags[i] = g->edge_flags[j];
        g->edge_flags[j] = f;
      }
    }
  }
}

static int finish(pic *p, unsigned flags) {
  /* the builder has no edges: it makes the CSR offsets (all zero) for the
  ** nodes, which edges_finish fills in */
  int rc = rcgc__builder_finish(&p->b);
  if (rc == RCGC_G_OK && edges_finish(p)) rc = RCGC_G_ENOMEM;
  if (rc == RCGC_G_OK) {
    elements_in_order(p);
    p->ext = malloc((p->n ? p->n : 1) * sizeof *p->ext);
    if (p->ext == NULL) rc = RCGC_G_ENOMEM;
  }
  if (rc != RCGC_G_OK) {
    pic_free(p);
    PyErr_NoMemory();
    return -1;
  }
  uint32_t *roots = malloc((p->n ? p->n : 1) * sizeof *roots);
  uint64_t *rext = malloc((p->n ? p->n : 1) * sizeof *rext);
  uint32_t nroots = 0;
  for (uint32_t v = 0; v < p->n; v++) {
    if (is_frame(p, v)) {
      /* a running frame: a root, all its references named */
      p->ext[v] = 0;
      if (roots && rext) {
        roots[nroots] = v;
        rext[nroots++] = 0;
      }
      continue;
    }
    int64_t e = (int64_t)Py_REFCNT(p->obj[v]) - (int64_t)p->indeg[v] - (int64_t)p->held[v];
    p->ext[v] = e > 0 ? (uint64_t)e : 0;
    if (p->ext[v] && p->gcaware[v] && roots && rext) {
      roots[nroots] = v;
      rext[nroots++] = p->ext[v];
    }
    if (flags & PIC_SIZES) p->g.self_size[v] = self_size(p, p->obj[v]);
  }
  rc = (roots && rext) ? rcgc__graph_set_roots(&p->g, roots, rext, nroots) : RCGC_G_ENOMEM;
  free(roots);
  free(rext);
  if (rc != RCGC_G_OK || p->oom) {
    pic_free(p);
    PyErr_NoMemory();
    return -1;
  }
  return 0;
}

/* Build the picture. 'extra' (may be NULL) is an object to add as a node
** even when nothing tracked refers to it; 'held' (may be NULL) a container
** the caller passed in and 'args' (may be NULL) the call's argument tuple:
** their references are the query's own. Automatic
** collection must be disabled by the caller. Returns 0, or -1 with an
** exception set. */
static int pic_build(pic *p, unsigned flags, PyObject *extra, PyObject *held, PyObject *args) {
  memset(p, 0, sizeof *p);
  p->flags = flags;
  p->nohash = !(flags & PIC_EDGES) && extra == NULL;
  rcgc__graph_init(&p->g, NULL, NULL);
  rcgc__builder_init(&p->b, &p->g);
  PyObject *all = (flags & PIC_ONE) ? PyList_New(0) : get_objects();
  if (all == NULL) {
    rcgc__builder_abort(&p->b);
    return -1;
  }
  p->all = all;
  Py_ssize_t nall = PyList_GET_SIZE(all);
  p->skip[p->nskip++] = all;
  if (held) p->skip[p->nskip++] = held;
  if (args) p->skip[p->nskip++] = args;
  p->str_sizeof = PyUnicode_InternFromString("__sizeof__");
  if (p->str_sizeof) p->object_sizeof = _PyType_Lookup(&PyBaseObject_Type, p->str_sizeof);
  if (!p->str_sizeof || idm_init(&p->nodes, p->nohash ? 16 : (size_t)nall + 1024, 0) || idm_init(&p->types, 512, 0) ||
      idm_init(&p->sizers, 512, 0) || idm_init(&p->bare, 1024, 0) || idm_init(&p->quoted, 1024, 0) ||
      idm_init(&p->nm, 256, 1))
    p->oom = 1;
  p->s_generic = intern(p, "(ref)");
  p->s_member = intern(p, "(member)");
  p->s_key = intern(p, "(key)");
  p->s_class = intern(p, "__class__");
  p->s_dict = intern(p, "__dict__");
  p->s_weak = intern(p, "(weak)");
  if (!p->oom && nall > 0 && (uint64_t)nall < UINT32_MAX / 2 && grow_nodes(p, (uint32_t)nall + 1024))
    p->oom = 1;
  /* with a walk, the tracked objects' names and gc-awareness are read
  ** there (the walk reads every object anyway); without one, here */
  int deferred = (flags & PIC_EDGES) && !p->nohash;
  for (Py_ssize_t i = 0; i < nall && !p->oom; i++) {
    PyObject *o = PyList_GET_ITEM(all, i);
    if (is_skipped(p, o)) continue;
    uint32_t v = deferred ? node_add_tracked(p, o, i + 16 < nall ? PyList_GET_ITEM(all, i + 16) : NULL)
                          : node_of(p, o);
    if (v != RCGC_G_NONE) p->held[v] = 1; /* the list's reference */
  }
  p->ntracked = p->n;
  if (extra && !p->oom && !is_skipped(p, extra)) node_of(p, extra);
  if (flags & PIC_EDGES) {
    walk(p, 0, (flags & PIC_ONE) ? p->n : UINT32_MAX, deferred);
    if (!(flags & PIC_ONE) && !p->oom) {
      /* the running frames, after every object: then what they alone
      ** refer to */
      add_frames(p);
      walk(p, p->frame0, UINT32_MAX, deferred);
    }
    if (!p->oom) pend_flush(p);
    for (int i = 1; i < p->nskip && !p->oom; i++) {
      PyObject *h = p->skip[i];
      traverseproc tr = Py_TYPE(h)->tp_traverse;
      if (tr && PyObject_IS_GC(h)) tr(h, visit_held, p);
    }
    for (uint32_t i = 0; i < p->nown && !p->oom; i++) rcgcpy_running_frame_refs(&p->own[i], frame_held_cb, p);
    for (int i = 0; i < nown_globals && !p->oom; i++) visit_held(own_globals[i], p);
  }
  if (p->oom) {
    rcgc__builder_abort(&p->b);
    pic_free(p);
    PyErr_NoMemory();
    return -1;
  }
  return finish(p, flags);
}

static int pic_index(const pic *p, PyObject *o, uint32_t *v) {
  uint64_t *x = idm_get(&p->nodes, (uintptr_t)o);
  if (!x) return 0;
  *v = (uint32_t)*x;
  return 1;
}

/* The name of edge e of node u when the picture was built without names.
** The walk named u's referents in the order tp_traverse visits them, each
** edge taking the next name recorded for its referent: so edge e, the
** j-th of u's edges to its referent R, has the j-th name recorded for R
** by u's namer, which here records R's names only. Nothing has run since
** the walk: the namer sees what it saw. */
static uint32_t lazy_edge_name(pic *p, uint32_t u, size_t e) {
  uint32_t to = p->g.edge_to[e];
  size_t j = 0;
  for (size_t f = p->g.edge_start[u]; f < e; f++) j += p->g.edge_to[f] == to;
  p->nm_mode = NM_NONE;
  p->nm_only = p->obj[to];
  name_node(p, u);
  p->nm_only = NULL;
  if (p->oom) {
    p->oom = 0;
    return RCGC_G_NONE;
  }
  uint32_t name = RCGC_G_NONE;
  for (size_t i = 0; i <= j; i++) name = edge_name_now(p, p->obj[to]);
  return name;
}

/* Label of edge e of node u: its name, or "[i]" for element edges. */
static PyObject *edge_label(pic *p, uint32_t u, size_t e) {
  uint32_t nm = RCGC_G_NONE;
  if (rcgc__edge_is_weak(&p->g, e)) nm = p->s_weak;
  else if (p->flags & PIC_NAMES) nm = p->g.edge_name ? p->g.edge_name[e] : RCGC_G_NONE;
  else nm = lazy_edge_name(p, u, e);
  if (nm == RCGC_G_NONE) return PyUnicode_FromFormat("[%zu]", e - p->g.edge_start[u]);
  return PyUnicode_DecodeUTF8(rcgc__graph_str(&p->g, nm), (Py_ssize_t)strlen(rcgc__graph_str(&p->g, nm)),
                              "replace");
}

/* Automatic collection off for the query; restored by gc_restore. */
static int gc_hold(void) { return PyGC_Disable(); }
static void gc_restore(int was) {
  if (was) PyGC_Enable();
}

static PyObject *graph_error(int rc) {
  if (rc == RCGC_G_ENOMEM) return PyErr_NoMemory();
  PyErr_Format(PyExc_RuntimeError, "rcgc: graph algorithm failed (%d)", rc);
  return NULL;
}

/* (address, thread id, main thread, qualname, file name, line, code) of
** running frame node v. */
static PyObject *frame_info(pic *p, uint32_t v) {
  const rcgcpy_frame *f = &p->frame[v - p->frame0];
  return Py_BuildValue("(KkOOOiO)", (unsigned long long)(uintptr_t)f->iframe, f->thread_id,
                       f->main_thread ? Py_True : Py_False, f->code->co_qualname, f->code->co_filename, f->line,
                       (PyObject *)f->code);
}

/* (obj, type name, unexplained) for node v; for a running frame
** (frame_info, name, 0, None). */
static PyObject *node_tuple(pic *p, uint32_t v) {
  if (is_frame(p, v)) return Py_BuildValue("(NsiO)", frame_info(p, v), rcgc__node_name(&p->g, v), 0, Py_None);
  return Py_BuildValue("(OsK)", p->obj[v], rcgc__node_name(&p->g, v), (unsigned long long)p->ext[v]);
}

/* A path as (nodes, labels): nodes a list of node tuples, labels a list
** of str, len(labels) == len(nodes) - 1. */
static PyObject *path_tuple(pic *p, const uint32_t *nodes, const size_t *edges, uint32_t len) {
  PyObject *ns = PyList_New(len + 1), *ls = PyList_New(len);
  if (!ns || !ls) goto fail;
  for (uint32_t i = 0; i <= len; i++) {
    PyObject *t = node_tuple(p, nodes[i]);
    if (!t) goto fail;
    PyList_SET_ITEM(ns, i, t);
  }
  for (uint32_t i = 0; i < len; i++) {
    PyObject *l = edge_label(p, nodes[i], edges[i]);
    if (!l) goto fail;
    PyList_SET_ITEM(ls, i, l);
  }
  PyObject *r = PyTuple_Pack(2, ns, ls);
  Py_DECREF(ns);
  Py_DECREF(ls);
  return r;
fail:
  Py_XDECREF(ns);
  Py_XDECREF(ls);
  return NULL;
}

/* ================================================================ queries */

PyDoc_STRVAR(roots_doc, "roots(leaves=False) -> list of (obj, type name, unexplained, frames)\n\n"
                        "Objects referenced from outside the heap picture, in node order:\n"
                        "by a running frame (frames: [(frame_info, variable name)], each\n"
                        "frame's references in order) or unexplained.");

static PyObject *py_roots(PyObject *self, PyObject *args) {
  (void)self;
  int leaves = 0;
  if (!PyArg_ParseTuple(args, "|p", &leaves)) return NULL;
  int was = gc_hold();
  pic p;
  PyObject *res = NULL;
  if (pic_build(&p, PIC_EDGES, NULL, NULL, args) == 0) {
    /* pos[v]: v's entry in res, or UINT32_MAX; first, 1 for the objects a
    ** running frame refers to */
    uint32_t *pos = calloc(p.n ? p.n : 1, sizeof *pos);
    res = pos ? PyList_New(0) : PyErr_NoMemory();
    size_t fe0 = p.nframes ? p.g.edge_start[p.frame0] : 0;
    size_t fe1 = p.nframes ? p.g.edge_start[p.frame0 + p.nframes] : 0;
    for (size_t e = fe0; res && e < fe1; e++) pos[p.g.edge_to[e]] = 1;
    for (uint32_t v = 0; res && v < p.n; v++) {
      int framed = pos[v] != 0;
      pos[v] = UINT32_MAX;
      if (is_frame(&p, v) || (!p.ext[v] && !framed) || (!leaves && !p.gcaware[v])) continue;
      PyObject *t = Py_BuildValue("(OsKN)", p.obj[v], rcgc__node_name(&p.g, v), (unsigned long long)p.ext[v],
                                  PyList_New(0));
      pos[v] = (uint32_t)PyList_GET_SIZE(res);
      if (!t || PyList_Append(res, t)) Py_CLEAR(res);
      Py_XDECREF(t);
    }
    for (size_t e = fe0; res && e < fe1; e++) {
      uint32_t w = p.g.edge_to[e];
      if (pos[w] == UINT32_MAX) continue;
      uint32_t u = rcgc__edge_from(&p.g, e);
      PyObject *lab = edge_label(&p, u, e);
      PyObject *ref = lab ? Py_BuildValue("(NN)", frame_info(&p, u), lab) : NULL;
      PyObject *list = PyTuple_GET_ITEM(PyList_GET_ITEM(res, pos[w]), 3);
      if (!ref || PyList_Append(list, ref)) Py_CLEAR(res);
      Py_XDECREF(ref);
    }
    free(pos);
    pic_free(&p);
  }
  gc_restore(was);
  return res;
}

PyDoc_STRVAR(why_doc, "why([obj], k=1) -> (paths, unexplained, weak)\n\n"
                      "Up to k shortest paths from the roots (obj itself excepted) to obj,\n"
                      "with distinct last edges, and obj's own outside references. Weak\n"
                      "references retain nothing: the paths never use them; 'weak' lists,\n"
                      "for each weak reference to obj, a shortest path from the roots to it\n"
                      "(without going through obj; the weak reference alone when there is\n"
                      "none) followed by its \"(weak)\" edge to obj.");

/* The weak references to node t, each as a path (nodes, labels): a
** shortest path from the roots to the weak reference that avoids t (BFS
** over strong edges; the reference alone when none exists), then its weak
** edge to t. A list, or NULL with an exception set. */
static PyObject *weak_paths(pic *p, uint32_t t) {
  PyObject *list = PyList_New(0);
  if (!list || !p->g.edge_flags) return list;
  rcgc__bfs bfs;
  memset(&bfs, 0, sizeof bfs);
  uint8_t *skip = calloc(p->n, 1);
  uint32_t *pn = malloc(((size_t)p->n + 2) * sizeof *pn);
  size_t *pe = malloc(((size_t)p->n + 2) * sizeof *pe);
  int rc = (skip && pn && pe) ? RCGC_G_OK : RCGC_G_ENOMEM;
  int ran = 0;
  for (size_t e = 0; rc == RCGC_G_OK && list && e < p->g.m; e++) {
    if (p->g.edge_to[e] != t || !rcgc__edge_is_weak(&p->g, e)) continue;
    if (!ran) {
      skip[t] = 1;
      rc = rcgc__bfs_run(&p->g, NULL, 0, skip, &bfs);
      ran = 1;
      if (rc != RCGC_G_OK) break;
    }
    uint32_t w = rcgc__edge_from(&p->g, e);
    long len = rcgc__bfs_path(&bfs, w, pn, pe);
    if (len < 0) {
      pn[0] = w;
      len = 0;
    }
    pn[len + 1] = t;
    pe[len] = e;
    PyObject *pt = path_tuple(p, pn, pe, (uint32_t)len + 1);
    if (!pt || PyList_Append(list, pt)) Py_CLEAR(list);
    Py_XDECREF(pt);
  }
  if (rc != RCGC_G_OK) {
    Py_CLEAR(list);
    graph_error(rc);
  }
  rcgc__bfs_free(&p->g, &bfs);
  free(skip);
  free(pn);
  free(pe);
  return list;
}

static PyObject *py_why(PyObject *self, PyObject *args) {
  (void)self;
  PyObject *box;
  unsigned int k = 1;
  if (!PyArg_ParseTuple(args, "O!|I", &PyList_Type, &box, &k)) return NULL;
  if (PyList_GET_SIZE(box) != 1) {
    PyErr_SetString(PyExc_TypeError, "why: expects a list of one object");
    return NULL;
  }
  /* the target comes in a list, the query's own: the frame that calls
  ** holds the list, not the target, on its value stack (whose height
  ** cannot be known while it calls) */
  PyObject *target = PyList_GET_ITEM(box, 0);
  if (k == 0) k = 1;
  int was = gc_hold();
  pic p;
  PyObject *res = NULL;
  if (pic_build(&p, PIC_EDGES, target, box, args) == 0) {
    uint32_t t = 0;
    if (!pic_index(&p, target, &t)) {
      pic_free(&p);
      gc_restore(was);
      PyErr_SetString(PyExc_RuntimeError, "rcgc.why: the object is not in the heap picture");
      return NULL;
    }
    /* the target's own outside references do not explain it: they include
    ** the caller's; drop it from the roots */
    uint32_t nr = 0;
    for (uint32_t i = 0; i < p.g.nroots; i++)
      if (p.g.roots[i] != t) {
        p.g.roots[nr] = p.g.roots[i];
        p.g.root_extrefs[nr++] = p.g.root_extrefs[i];
      }
    p.g.nroots = nr;
    /* a running frame's variable that refers to the target is the shortest
    ** reason there is and the least telling (the caller's own variable
    ** holds what it asks about): the search sets these edges aside, made
    ** weak for its duration (a frame's edges are all strong otherwise);
    ** they fill the places its paths leave */
    size_t fe0 = p.nframes ? p.g.edge_start[p.frame0] : 0;
    size_t fe1 = p.nframes ? p.g.edge_start[p.frame0 + p.nframes] : 0;
    uint8_t *own_flags = NULL;
    int rc = RCGC_G_OK;
    for (size_t e = fe0; e < fe1 && rc == RCGC_G_OK; e++) {
      if (p.g.edge_to[e] != t) continue;
      if (!p.g.edge_flags) {
        p.g.edge_flags = own_flags = rcgc__gmem_calloc(&p.g, p.g.m, 1);
        if (!own_flags) {
          rc = RCGC_G_ENOMEM;
          break;
        }
      }
      p.g.edge_flags[e] = RCGC_G_EDGE_WEAK;
    }
    rcgc__paths paths;
    memset(&paths, 0, sizeof paths);
    if (rc == RCGC_G_OK) rc = rcgc__retaining_paths(&p.g, t, k, &paths);
    if (own_flags) {
      p.g.edge_flags = NULL;
      rcgc__gmem_free(&p.g, own_flags);
    } else if (p.g.edge_flags) {
      for (size_t e = fe0; e < fe1; e++) p.g.edge_flags[e] = 0;
    }
    if (rc != RCGC_G_OK) {
      graph_error(rc);
    } else {
      PyObject *list = PyList_New(0);
      for (uint32_t i = 0; list && i < paths.npaths; i++) {
        size_t eoff = paths.off[i] - i;
        PyObject *pt = path_tuple(&p, paths.nodes + paths.off[i], paths.edges + eoff, paths.len[i]);
        if (!pt || PyList_Append(list, pt)) Py_CLEAR(list);
        Py_XDECREF(pt);
      }
      for (size_t e = fe0; list && e < fe1 && (size_t)PyList_GET_SIZE(list) < k; e++) {
        if (p.g.edge_to[e] != t) continue;
        uint32_t pn[2] = {rcgc__edge_from(&p.g, e), t};
        PyObject *pt = path_tuple(&p, pn, &e, 1);
        if (!pt || PyList_Append(list, pt)) Py_CLEAR(list);
        Py_XDECREF(pt);
      }
      PyObject *weak = list ? weak_paths(&p, t) : NULL;
      if (list && weak) res = Py_BuildValue("(NKN)", list, (unsigned long long)p.ext[t], weak);
      else Py_XDECREF(list);
      rcgc__paths_free(&p.g, &paths);
    }
    pic_free(&p);
  }
  gc_restore(was);
  return res;
}

/* Mask of the nodes for the objects of an iterable (exact list/tuple/set
** or dict keys; others are iterated after copying to a list by the caller). */
static int mask_from(pic *p, PyObject *seq, uint8_t *mask) {
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  PyObject **items = PySequence_Fast_ITEMS(seq);
  for (Py_ssize_t i = 0; i < n; i++) {
    uint32_t v;
    if (pic_index(p, items[i], &v)) mask[v] = 1;
  }
  return 0;
}

PyDoc_STRVAR(cycles_doc, "cycles(objs=None, limit=100, max_edges=200) -> list of cycles\n\n"
                         "Strongly connected components with a cycle among objs (a list) or\n"
                         "the whole heap. Each: (members, edges, reason) where members is a\n"
                         "list of node tuples, edges (i, label, j) index members, reason is\n"
                         "('outside', i, n) | ('held', path) | ('unreachable',).");

static PyObject *py_cycles(PyObject *self, PyObject *args) {
  (void)self;
  PyObject *objs = Py_None;
  unsigned int limit = 100, max_edges = 200;
  if (!PyArg_ParseTuple(args, "|OII", &objs, &limit, &max_edges)) return NULL;
  PyObject *seq = NULL;
  if (objs != Py_None) {
    if (!PyList_CheckExact(objs)) {
      PyErr_SetString(PyExc_TypeError, "cycles: objs must be a list (or None)");
      return NULL;
    }
    seq = objs;
  }
  int was = gc_hold();
  pic p;
  PyObject *res = NULL;
  uint8_t *mask = NULL;
  rcgc__scc scc;
  rcgc__bfs bfs;
  memset(&scc, 0, sizeof scc);
  memset(&bfs, 0, sizeof bfs);
  size_t *ebuf = NULL;
  uint32_t *order = NULL, *pn = NULL;
  size_t *pe = NULL;
  if (pic_build(&p, PIC_EDGES, NULL, seq, args) != 0) goto out_nopic;
  if (seq) {
    mask = calloc(p.n ? p.n : 1, 1);
    if (!mask) {
      PyErr_NoMemory();
      goto out;
    }
    mask_from(&p, seq, mask);
  }
  int rc = rcgc__scc_run(&p.g, mask, 0, &scc);
  if (rc == RCGC_G_OK) rc = rcgc__bfs_run(&p.g, NULL, 0, NULL, &bfs);
  if (rc != RCGC_G_OK) {
    graph_error(rc);
    goto out;
  }
  /* cyclic components, largest first, ties by component id */
  order = malloc((scc.ncyclic ? scc.ncyclic : 1) * sizeof *order);
  pn = malloc((p.n + 1) * sizeof *pn);
  pe = malloc((p.n + 1) * sizeof *pe);
  ebuf = malloc(((size_t)max_edges + 1) * sizeof *ebuf);
  if (!order || !pn || !pe || !ebuf) {
    PyErr_NoMemory();
    goto out;
  }
  uint32_t nc = 0;
  for (uint32_t c = 0; c < scc.ncomp; c++)
    if (scc.cyclic[c]) order[nc++] = c;
  /* largest first, ties by component id (shell sort: no qsort context) */
  {
    uint32_t gap;
    for (gap = nc / 2; gap > 0; gap /= 2)
      for (uint32_t i = gap; i < nc; i++) {
        uint32_t x = order[i];
        uint32_t sx = scc.start[x + 1] - scc.start[x];
        uint32_t j = i;
        while (j >= gap) {
          uint32_t y = order[j - gap];
          uint32_t sy = scc.start[y + 1] - scc.start[y];
          if (sy > sx || (sy == sx && y < x)) break;
          order[j] = y;
          j -= gap;
        }
        order[j] = x;
      }
  }
  res = PyList_New(0);
  for (uint32_t oi = 0; res && oi < nc && oi < limit; oi++) {
    uint32_t c = order[oi];
    uint32_t s0 = scc.start[c], s1 = scc.start[c + 1];
    PyObject *members = PyList_New(s1 - s0);
    PyObject *edges = PyList_New(0);
    PyObject *reason = NULL;
    if (!members || !edges) goto item_fail;
    for (uint32_t i = s0; i < s1; i++) {
      PyObject *t = node_tuple(&p, scc.members[i]);
      if (!t) goto item_fail;
      PyList_SET_ITEM(members, i - s0, t);
    }
    size_t ne = rcgc__scc_internal_edges(&p.g, &scc, c, 0, ebuf, max_edges);
    if (ne > max_edges) ne = max_edges;
    for (size_t i = 0; i < ne; i++) {
      size_t e = ebuf[i];
      uint32_t u = rcgc__edge_from(&p.g, e), w = p.g.edge_to[e];
      /* members are sorted by node index: binary search */
      uint32_t lo = s0, hi = s1;
      uint32_t iu = 0, iw = 0;
      for (int pass = 0; pass < 2; pass++) {
        uint32_t key = pass ? w : u;
        lo = s0;
        hi = s1;
        while (lo < hi) {
          uint32_t mid = lo + (hi - lo) / 2;
          if (scc.members[mid] < key) lo = mid + 1;
          else hi = mid;
        }
        if (pass) iw = lo - s0;
        else iu = lo - s0;
      }
      PyObject *lab = edge_label(&p, u, e);
      PyObject *t = lab ? Py_BuildValue("(INI)", iu, lab, iw) : NULL;
      if (!t || PyList_Append(edges, t)) {
        Py_XDECREF(t);
        goto item_fail;
      }
      Py_DECREF(t);
    }
    /* why it is not freed */
    uint32_t best = RCGC_G_NONE, bestd = RCGC_G_NONE;
    for (uint32_t i = s0; i < s1; i++) {
      uint32_t v = scc.members[i];
      if (p.ext[v] && p.gcaware[v]) {
        reason = Py_BuildValue("(sIK)", "outside", i - s0, (unsigned long long)p.ext[v]);
        break;
      }
      if (bfs.dist[v] < bestd) {
        bestd = bfs.dist[v];
        best = v;
      }
    }
    if (!reason && best != RCGC_G_NONE) {
      long len = rcgc__bfs_path(&bfs, best, pn, pe);
      PyObject *pt = len >= 0 ? path_tuple(&p, pn, pe, (uint32_t)len) : NULL;
      if (pt) reason = Py_BuildValue("(sN)", "held", pt);
    } else if (!reason) {
      reason = Py_BuildValue("(s)", "unreachable");
    }
    if (!reason) goto item_fail;
    PyObject *cyc = PyTuple_Pack(3, members, edges, reason);
    Py_DECREF(members);
    Py_DECREF(edges);
    Py_DECREF(reason);
    if (!cyc || PyList_Append(res, cyc)) Py_CLEAR(res);
    Py_XDECREF(cyc);
    continue;
  item_fail:
    Py_XDECREF(members);
    Py_XDECREF(edges);
    Py_XDECREF(reason);
    Py_CLEAR(res);
  }
out:
  rcgc__scc_free(&p.g, &scc);
  rcgc__bfs_free(&p.g, &bfs);
  free(mask);
  free(order);
  free(pn);
  free(pe);
  free(ebuf);
  pic_free(&p);
out_nopic:
  gc_restore(was);
  return res;
}

/* ---------------------------------------------------------------- marks */

/* A mark tells an object it recorded from a new one at the same address
** (its memory freed and reused since) by two means:
**  - the id it records mixes the address with the type's, so a new
**    object of another type there is new;
**  - for an object whose type supports weak references, the mark holds a
**    weak reference to it (a MarkRef, below): when the object dies the
**    reference is cleared, so a new object of the same type there is not
**    the one the reference names. Weak references leave the object's
**    lifetime alone (a mark keeps nothing alive).
** An object of a type without weak references (dict, list, tuple,
** classes whose __slots__ lack __weakref__) that takes the address of a
** recorded one of its type is taken for it: CPython gives no other sign
** of an object's identity (and its free lists hand the very same memory
** of a dict, list or tuple back to the next one made). */
typedef struct {
  PyObject_HEAD
  rcgc__graph g;           /* nodes only: ids, type names, sizes */
  PyObject **ref;          /* [g.n] a MarkRef to node v, or NULL (no weak
                           ** reference support); NULL when none */
} MarkObject;

/* The weak references marks hold: a subclass of weakref.ref of its own, so
** that CPython never hands one out as the shared plain reference of
** weakref.ref(obj) (it does that with exact weakref.ref objects without a
** callback only), and none is ever handed one. Not tracked by the
** collector: outside gc.get_objects() and every heap picture. */
static PyTypeObject MarkRefType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "rcgc._rcgc.MarkRef",
    .tp_basicsize = sizeof(PyWeakReference),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A mark's weak reference to an object it recorded.",
};

static void mark_dealloc(PyObject *o) {
  MarkObject *m = (MarkObject *)o;
  if (m->ref) {
    for (uint32_t v = 0; v < m->g.n; v++) Py_XDECREF(m->ref[v]);
    free(m->ref);
  }
  rcgc__graph_free(&m->g);
  PyTypeObject *tp = Py_TYPE(o);
  tp->tp_free(o);
}

static PyObject *mark_repr(PyObject *o) {
  MarkObject *m = (MarkObject *)o;
  return PyUnicode_FromFormat("<rcgc mark: %u objects>", (unsigned)m->g.n);
}

static PyObject *mark_len(PyObject *o, PyObject *unused) {
  (void)unused;
  return PyLong_FromUnsignedLong(((MarkObject *)o)->g.n);
}

static PyMethodDef mark_methods[] = {
    {"count", mark_len, METH_NOARGS, "Number of objects recorded."},
    {NULL, NULL, 0, NULL}};

static PyTypeObject MarkType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "rcgc._rcgc.Mark",
    .tp_basicsize = sizeof(MarkObject),
    .tp_dealloc = mark_dealloc,
    .tp_repr = mark_repr,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The gc-tracked objects at one moment: ids, type names, sizes and weak references\n"
              "to those whose type supports them (no strong reference: a mark keeps nothing alive).",
    .tp_methods = mark_methods,
};

/* The id a mark records: the address mixed with the type's, so an object
** of another type at a reused address counts as new. (One of the same type
** there is told apart by the mark's weak reference, when the type has
** them: see MarkObject.) */
static uint64_t mark_id(PyObject *o) {
  uint64_t a = (uint64_t)(uintptr_t)o, t = (uint64_t)(uintptr_t)Py_TYPE(o);
  t *= 0x9E3779B97F4A7C15ull;
  return a ^ (t << 1 | 1) ^ (t >> 29);
}

static void use_mark_ids(pic *p) {
  for (uint32_t v = 0; v < p->ntracked; v++) p->g.id[v] = mark_id(p->obj[v]);
}

/* Whether objects of type tp support weak references. */
static int weakrefable(PyTypeObject *tp) {
#if PY_VERSION_HEX >= 0x030C0000
  return tp->tp_weaklistoffset != 0; /* negative: a managed weak list */
#else
  return tp->tp_weaklistoffset > 0;
#endif
}

/* Weak references (MarkRef) to the first n objects of p whose type
** supports them, in a new array (NULL entries for the others). Returns
** NULL with an exception set on failure. */
static PyObject **mark_refs(pic *p, uint32_t n) {
  PyObject **ref = calloc(n ? n : 1, sizeof *ref);
  if (!ref) {
    PyErr_NoMemory();
    return NULL;
  }
  for (uint32_t v = 0; v < n; v++) {
    PyObject *o = p->obj[v];
    if (!weakrefable(Py_TYPE(o))) continue;
    PyObject *r = PyObject_CallOneArg((PyObject *)&MarkRefType, o);
    if (r == NULL) {
      /* a type that refuses after all: followed by its id alone */
      if (!PyErr_ExceptionMatches(PyExc_TypeError)) {
        for (uint32_t i = 0; i < v; i++) Py_XDECREF(ref[i]);
        free(ref);
        return NULL;
      }
      PyErr_Clear();
      continue;
    }
    if (PyObject_GC_IsTracked(r)) PyObject_GC_UnTrack(r);
    ref[v] = r;
  }
  return ref;
}

/* Take the picture of tracked objects only (no walk), with sizes, and
** move its graph into 'out' (initialised); with 'refs', the weak
** references of mark_refs into *refs. */
static int take_mark(rcgc__graph *out, PyObject ***refs) {
  int was = gc_hold();
  pic p;
  int rc = pic_build(&p, PIC_SIZES, NULL, NULL, NULL);
  if (rc == 0) {
    /* keep only the tracked objects */
    use_mark_ids(&p);
    p.g.n = p.ntracked;
    if (refs && (*refs = mark_refs(&p, p.g.n)) == NULL) rc = -1;
    *out = p.g;
    rcgc__graph_init(&p.g, NULL, NULL);
    pic_free(&p);
  }
  gc_restore(was);
  return rc;
}

PyDoc_STRVAR(mark_doc, "mark() -> Mark: record the gc-tracked objects (ids, types, sizes), and\n"
                       "hold a weak reference to each one whose type supports them.");

static PyObject *py_mark(PyObject *self, PyObject *noargs) {
  (void)self;
  (void)noargs;
  MarkObject *m = PyObject_New(MarkObject, &MarkType);
  if (!m) return NULL;
  rcgc__graph_init(&m->g, NULL, NULL);
  m->ref = NULL;
  if (take_mark(&m->g, &m->ref)) {
    Py_DECREF(m);
    return NULL;
  }
  return (PyObject *)m;
}

PyDoc_STRVAR(growth_doc, "growth(mark) -> list of (type, count_before, count_after, bytes_before, bytes_after)\n\n"
                         "Per-type change since the mark, largest byte change first; unchanged\n"
                         "types omitted.");

static PyObject *py_growth(PyObject *self, PyObject *args) {
  (void)self;
  MarkObject *m;
  if (!PyArg_ParseTuple(args, "O!", &MarkType, &m)) return NULL;
  rcgc__graph now;
  rcgc__graph_init(&now, NULL, NULL);
  if (take_mark(&now, NULL)) return NULL;
  rcgc__hist hb, ha;
  rcgc__hist_diff d;
  memset(&hb, 0, sizeof hb);
  memset(&ha, 0, sizeof ha);
  memset(&d, 0, sizeof d);
  PyObject *res = NULL;
  int rc = rcgc__hist_build(&m->g, NULL, &hb);
  if (rc == RCGC_G_OK) rc = rcgc__hist_build(&now, NULL, &ha);
  if (rc == RCGC_G_OK) rc = rcgc__hist_diff_build(&now, &hb, &ha, &d);
  if (rc != RCGC_G_OK) {
    graph_error(rc);
  } else {
    res = PyList_New(d.nentries);
    for (uint32_t i = 0; res && i < d.nentries; i++) {
      rcgc__hist_delta *x = &d.e[i];
      PyObject *t = Py_BuildValue("(sKKKK)", x->name, (unsigned long long)x->count_before,
                                  (unsigned long long)x->count_after, (unsigned long long)x->bytes_before,
                                  (unsigned long long)x->bytes_after);
      if (!t) Py_CLEAR(res);
      else PyList_SET_ITEM(res, i, t);
    }
  }
  rcgc__hist_diff_free(&now, &d);
  rcgc__hist_free(&now, &ha);
  rcgc__hist_free(&m->g, &hb);
  rcgc__graph_free(&now);
  return res;
}

PyDoc_STRVAR(since_doc, "since(mark) -> list of the gc-tracked objects the mark did not record:\n"
                        "an object is new when the mark holds no object of its type at its\n"
                        "address, or holds a weak reference that no longer names it (the\n"
                        "recorded object died and its memory was reused).");

static PyObject *py_since(PyObject *self, PyObject *args) {
  (void)self;
  MarkObject *m;
  if (!PyArg_ParseTuple(args, "O!", &MarkType, &m)) return NULL;
  int was = gc_hold();
  pic p;
  PyObject *res = NULL;
  idmap old;
  memset(&old, 0, sizeof old);
  if (pic_build(&p, 0, NULL, NULL, args) == 0) {
    /* the mark's ids -> their index (the first, should two collide) */
    int oom = idm_init(&old, (size_t)m->g.n + 1, 0);
    for (uint32_t i = 0; !oom && i < m->g.n; i++)
      if (!idm_get(&old, m->g.id[i]) && idm_put(&old, m->g.id[i], i)) oom = 1;
    if (oom) {
      PyErr_NoMemory();
    } else {
      res = PyList_New(0);
      for (uint32_t v = 0; res && v < p.ntracked; v++) {
        PyObject *o = p.obj[v];
        uint64_t *i = idm_get(&old, mark_id(o));
        int is_new = i == NULL;
        if (!is_new && m->ref && m->ref[*i]) is_new = ((PyWeakReference *)m->ref[*i])->wr_object != o;
        if (is_new && PyList_Append(res, o)) Py_CLEAR(res);
      }
    }
    idm_free(&old);
    pic_free(&p);
  }
  gc_restore(was);
  return res;
}

/* ---------------------------------------------------------------- dominators */

PyDoc_STRVAR(top_doc, "top(k=10) -> list of (node tuple, retained bytes, self bytes)\n\n"
                      "The k objects with the largest retained size (dominator tree over\n"
                      "strong edges from the roots).");

static PyObject *py_top(PyObject *self, PyObject *args) {
  (void)self;
  unsigned int k = 10;
  if (!PyArg_ParseTuple(args, "|I", &k)) return NULL;
  int was = gc_hold();
  pic p;
  PyObject *res = NULL;
  if (pic_build(&p, PIC_EDGES | PIC_SIZES, NULL, NULL, args) == 0) {
    rcgc__dom d;
    int rc = rcgc__dom_run(&p.g, &d);
    if (rc != RCGC_G_OK) {
      graph_error(rc);
    } else {
      uint32_t *out = malloc((k ? k : 1) * sizeof *out);
      if (!out) {
        PyErr_NoMemory();
      } else {
        uint32_t nt = rcgc__dom_top(&d, NULL, k, out);
        res = PyList_New(nt);
        for (uint32_t i = 0; res && i < nt; i++) {
          uint32_t v = out[i];
          PyObject *t = Py_BuildValue("(NKK)", node_tuple(&p, v), (unsigned long long)d.retained[v],
                                      (unsigned long long)p.g.self_size[v]);
          if (!t) Py_CLEAR(res);
          else PyList_SET_ITEM(res, i, t);
        }
        free(out);
      }
      rcgc__dom_free(&p.g, &d);
    }
    pic_free(&p);
  }
  gc_restore(was);
  return res;
}

/* ---------------------------------------------------------------- snapshot
** Chrome DevTools .heapsnapshot, written by rcgc__heapsnap_write (graph.h,
** "heap snapshots"): node 0 is the synthetic root "(rcgc roots)" (id 1)
** with one element edge per root; then node v of the picture is file node
** v + 1, typed "object", named by its type, id = snapshot_id (below). Named
** edges are "property", unnamed ones (list and tuple items) "element" with
** the position among the node's edges, which for a list or a tuple is the
** item's index (elements_in_order). Strings: the picture's string
** table, then "(rcgc roots)". */

/* Snapshot ids must fit in 32 bits: DevTools and memlab keep node fields
** in 32-bit arrays. A node's id is snapshot_id(address) -- odd, like V8's
** ids for heap objects, the same for an object in every snapshot while it
** lives -- unless another node of this snapshot has it already (addresses
** 32 GiB apart) or it is the root's 1: then the next free odd number. */
static uint32_t snapshot_id(uint64_t addr) { return (uint32_t)(((addr >> 4) << 1) | 1); }

static uint32_t *snapshot_ids(const rcgc__graph *g) {
  uint32_t *sid = malloc((g->n ? g->n : 1) * sizeof *sid);
  idmap seen;
  if (!sid || idm_init(&seen, (size_t)g->n + 1, 0)) {
    free(sid);
    idm_free(&seen);
    return NULL;
  }
  idm_put(&seen, 1, 0);
  for (uint32_t v = 0; v < g->n; v++) {
    uint32_t id = snapshot_id(g->id[v]);
    while (idm_get(&seen, id)) id += 2;
    if (idm_put(&seen, id, v)) {
      free(sid);
      idm_free(&seen);
      return NULL;
    }
    sid[v] = id;
  }
  idm_free(&seen);
  return sid;
}

/* The writer of a snapshot file: fwrite, remembering a short write. */
typedef struct sfile {
  FILE *f;
  int err;
} sfile;

static void sfile_write(void *ud, const char *text, size_t len) {
  sfile *o = ud;
  if (fwrite(text, 1, len, o->f) != len) o->err = 1;
}

static uint64_t sid_of(void *ud, const rcgc__graph *g, uint32_t v) {
  (void)g;
  return ((const uint32_t *)ud)[v];
}

#define SNAP_BUF 65536

static int write_snapshot(const rcgc__graph *g, FILE *f) {
  uint32_t *sid = snapshot_ids(g);
  char *buf = sid ? malloc(SNAP_BUF) : NULL;
  if (!buf) {
    free(sid);
    return -1;
  }
  const rcgc__heapsnap_synth root = {"(rcgc roots)", 1, g->roots, g->nroots, NULL};
  const rcgc__heapsnap_opts opts = {&root, 1, sid_of, sid};
  sfile sf = {f, 0};
  rcgc__gout out;
  rcgc__gout_init(&out, sfile_write, &sf, buf, SNAP_BUF);
  int rc = rcgc__heapsnap_write(g, &opts, &out);
  free(buf);
  free(sid);
  if (rc || sf.err || fflush(f) != 0 || ferror(f)) return -1;
  return 0;
}

PyDoc_STRVAR(snapshot_doc, "snapshot(path) -> (nodes, edges)\n\n"
                           "Write the heap as a Chrome DevTools .heapsnapshot file (a weak\n"
                           "reference's edge to its referent: type \"weak\", name \"(weak)\").");

static PyObject *py_snapshot(PyObject *self, PyObject *args) {
  (void)self;
  PyObject *pathobj;
  if (!PyArg_ParseTuple(args, "O&", PyUnicode_FSConverter, &pathobj)) return NULL;
  const char *path = PyBytes_AS_STRING(pathobj);
  FILE *f = fopen(path, "w");
  if (!f) {
    PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, pathobj);
    Py_DECREF(pathobj);
    return NULL;
  }
  int was = gc_hold();
  pic p;
  PyObject *res = NULL;
  if (pic_build(&p, PIC_EDGES | PIC_NAMES | PIC_SIZES, NULL, NULL, args) == 0) {
    /* from here on only the graph is read: drop the rest of the picture
    ** before the writer's own tables (peak memory), let other threads run */
    idm_free(&p.nodes);
    idm_free(&p.quoted);
    idm_free(&p.bare);
    free(p.indeg);
    free(p.outdeg);
    free(p.held);
    free(p.ext);
    free(p.gcaware);
    free(p.obj);
    p.indeg = p.outdeg = p.held = NULL;
    p.ext = NULL;
    p.gcaware = NULL;
    p.obj = NULL;
    int rc;
    Py_BEGIN_ALLOW_THREADS rc = write_snapshot(&p.g, f);
    Py_END_ALLOW_THREADS
    if (rc) PyErr_Format(PyExc_OSError, "rcgc: cannot write snapshot %R", pathobj);
    else res = Py_BuildValue("(IK)", p.g.n + 1, (unsigned long long)(p.g.m + p.g.nroots));
    pic_free(&p);
  }
  gc_restore(was);
  if (fclose(f) != 0 && res) {
    Py_CLEAR(res);
    PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, pathobj);
  }
  Py_DECREF(pathobj);
  return res;
}

/* ---------------------------------------------------------------- DOT */

static void dot_write(void *ud, const char *text, size_t len) {
  FILE *f = ud;
  fwrite(text, 1, len, f);
}

PyDoc_STRVAR(dot_doc, "dot(objs, path, depth=3, back=True, too_many=10)\n\n"
                      "Write a Graphviz picture of the objects' neighbourhood: their\n"
                      "referrers (back=True) or referents, up to depth edges away; weak\n"
                      "references' edges are followed too, drawn dashed.");

static PyObject *py_dot(PyObject *self, PyObject *args) {
  (void)self;
  PyObject *objs, *pathobj;
  unsigned int depth = 3, too_many = 10;
  int back = 1;
  if (!PyArg_ParseTuple(args, "O!O&|IpI", &PyList_Type, &objs, PyUnicode_FSConverter, &pathobj, &depth,
                        &back, &too_many))
    return NULL;
  FILE *f = fopen(PyBytes_AS_STRING(pathobj), "w");
  if (!f) {
    PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, pathobj);
    Py_DECREF(pathobj);
    return NULL;
  }
  int was = gc_hold();
  pic p;
  PyObject *res = NULL;
  if (pic_build(&p, PIC_EDGES | PIC_NAMES | PIC_SIZES, NULL, objs, args) == 0) {
    Py_ssize_t n = PyList_GET_SIZE(objs);
    uint32_t *start = malloc((n ? (size_t)n : 1) * sizeof *start);
    uint32_t ns = 0;
    rcgc__preds preds;
    memset(&preds, 0, sizeof preds);
    int rc = start ? RCGC_G_OK : RCGC_G_ENOMEM;
    for (Py_ssize_t i = 0; start && i < n; i++)
      if (pic_index(&p, PyList_GET_ITEM(objs, i), &start[ns])) ns++;
    if (rc == RCGC_G_OK && back) rc = rcgc__preds_build(&p.g, &preds);
    if (rc == RCGC_G_OK) {
      rcgc__dot_opts opts;
      memset(&opts, 0, sizeof opts);
      opts.flags = back ? RCGC_G_DOT_BACK : 0;
      opts.max_depth = depth;
      opts.too_many = too_many;
      opts.preds = back ? &preds : NULL;
      rc = rcgc__dot(&p.g, start, ns, &opts, dot_write, f);
    }
    if (rc != RCGC_G_OK) graph_error(rc);
    else res = PyLong_FromUnsignedLong(ns);
    if (back) rcgc__preds_free(&p.g, &preds);
    free(start);
    pic_free(&p);
  }
  gc_restore(was);
  int werr = ferror(f);
  if ((fclose(f) != 0 || werr) && res) {
    Py_CLEAR(res);
    PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, pathobj);
  }
  Py_DECREF(pathobj);
  return res;
}

/* ---------------------------------------------------------------- helpers */

#define HOLD_MAX 64
static PyObject *held_objs[HOLD_MAX];

PyDoc_STRVAR(test_hold_doc, "_test_hold(obj): (tests) keep one reference to obj in a C static array.");
static PyObject *py_test_hold(PyObject *self, PyObject *o) {
  (void)self;
  for (int i = 0; i < HOLD_MAX; i++)
    if (!held_objs[i]) {
      Py_INCREF(o);
      held_objs[i] = o;
      Py_RETURN_NONE;
    }
  PyErr_SetString(PyExc_RuntimeError, "_test_hold: full");
  return NULL;
}

PyDoc_STRVAR(test_release_doc, "_test_release(id): (tests) drop the reference _test_hold kept to the object with that id.");
static PyObject *py_test_release(PyObject *self, PyObject *idobj) {
  (void)self;
  void *addr = PyLong_AsVoidPtr(idobj);
  if (addr == NULL && PyErr_Occurred()) return NULL;
  for (int i = 0; i < HOLD_MAX; i++)
    if (held_objs[i] == addr) {
      PyObject *o = held_objs[i];
      held_objs[i] = NULL;
      Py_DECREF(o);
      Py_RETURN_TRUE;
    }
  Py_RETURN_FALSE;
}

PyDoc_STRVAR(own_globals_doc, "_own_globals(d): the globals of one of rcgc's modules: frames running with\n"
                              "them are rcgc's own (never nodes; their references are the query's).");
static PyObject *py_own_globals(PyObject *self, PyObject *d) {
  (void)self;
  if (!PyDict_CheckExact(d)) {
    PyErr_SetString(PyExc_TypeError, "_own_globals: expects a dict");
    return NULL;
  }
  for (int i = 0; i < nown_globals; i++)
    if (own_globals[i] == d) Py_RETURN_NONE;
  if (nown_globals == OWN_MAX) {
    PyErr_SetString(PyExc_RuntimeError, "_own_globals: full");
    return NULL;
  }
  Py_INCREF(d);
  own_globals[nown_globals++] = d;
  Py_RETURN_NONE;
}

PyDoc_STRVAR(untrack_doc, "_untrack(weakref): stop gc from tracking one of rcgc's own weak references.");
static PyObject *py_untrack(PyObject *self, PyObject *o) {
  (void)self;
  if (!PyWeakref_CheckRefExact(o)) {
    PyErr_SetString(PyExc_TypeError, "_untrack: expects a weakref.ref");
    return NULL;
  }
  if (PyObject_GC_IsTracked(o)) PyObject_GC_UnTrack(o);
  Py_RETURN_NONE;
}

PyDoc_STRVAR(referents_doc, "referents(obj) -> list of (label, referent)\n\n"
                            "obj's references as tp_traverse reports them, with their names; for a\n"
                            "weak reference, then its referent (while it lives) labelled \"(weak)\".");

static PyObject *py_referents(PyObject *self, PyObject *obj) {
  (void)self;
  int was = gc_hold();
  pic p;
  PyObject *res = NULL;
  if (pic_build(&p, PIC_EDGES | PIC_NAMES | PIC_ONE, obj, NULL, NULL) == 0) {
    res = PyList_New(0);
    if (p.n > 0)
      for (size_t e = p.g.edge_start[0]; res && e < p.g.edge_start[1]; e++) {
        PyObject *lab = edge_label(&p, 0, e);
        PyObject *t = lab ? Py_BuildValue("(NO)", lab, p.obj[p.g.edge_to[e]]) : NULL;
        if (!t || PyList_Append(res, t)) Py_CLEAR(res);
        Py_XDECREF(t);
      }
    pic_free(&p);
  }
  gc_restore(was);
  return res;
}

static PyMethodDef methods[] = {
    {"referents", py_referents, METH_O, referents_doc},
    {"roots", py_roots, METH_VARARGS, roots_doc},
    {"why", py_why, METH_VARARGS, why_doc},
    {"cycles", py_cycles, METH_VARARGS, cycles_doc},
    {"mark", py_mark, METH_NOARGS, mark_doc},
    {"growth", py_growth, METH_VARARGS, growth_doc},
    {"since", py_since, METH_VARARGS, since_doc},
    {"top", py_top, METH_VARARGS, top_doc},
    {"snapshot", py_snapshot, METH_VARARGS, snapshot_doc},
    {"dot", py_dot, METH_VARARGS, dot_doc},
    {"_test_hold", py_test_hold, METH_O, test_hold_doc},
    {"_test_release", py_test_release, METH_O, test_release_doc},
    {"_untrack", py_untrack, METH_O, untrack_doc},
    {"_own_globals", py_own_globals, METH_O, own_globals_doc},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "_rcgc",
                                    "rcgc's leak-hunting analyses over the live CPython heap (C part).", -1,
                                    methods, NULL, NULL, NULL, NULL};

PyMODINIT_FUNC PyInit__rcgc(void) {
  if (PyType_Ready(&MarkType) < 0) return NULL;
  MarkRefType.tp_base = &_PyWeakref_RefType;
  if (PyType_Ready(&MarkRefType) < 0) return NULL;
  if (gc_get_objects == NULL) {
    PyObject *gc = PyImport_ImportModule("gc");
    if (gc == NULL) return NULL;
    gc_get_objects = PyObject_GetAttrString(gc, "get_objects");
    Py_DECREF(gc);
    if (gc_get_objects == NULL) return NULL;
  }
  PyObject *m = PyModule_Create(&moddef);
  if (!m) return NULL;
  Py_INCREF(&MarkType);
  if (PyModule_AddObject(m, "Mark", (PyObject *)&MarkType) < 0 ||
      PyModule_AddIntConstant(m, "NAMES_FROM_INTERNALS", rcgcpy_internals_available()) < 0) {
    Py_DECREF(&MarkType);
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
