/*
** fin.h -- shared by the tests of tests/finalize/: one object type family
** whose finalizers record what they saw, the way CPython's
** Lib/test/test_finalization.py records __del__ and tp_del calls.
**
** An fobj holds three strong references (left, right, extra) and a set of
** behaviour flags read by its finalizers:
**   FO_RESURRECT  the finalizer stores a new reference in fl.survivors
**   FO_SUICIDE    the finalizer drops left/right/extra (breaks its cycle)
**   FO_CHAIN      the finalizer checks its ring neighbours are intact
**                 (ChainedBase.check_sanity)
**   FO_SELFREF    the finalizer checks left == self (SelfCycleBase)
** Every finalizer call is logged by object id, in call order, unless
** fl.cleaning is set (the "_cleaning" switch of test_finalization.py, so
** the tests' own clean-up is not recorded). A failed sanity check counts in
** fl.errors, which every test asserts to be 0.
**
** fin_setup/fin_teardown wrap tl_setup/tl_teardown: teardown drops the
** survivors, empties the garbage list and collects, then tl_teardown
** asserts that nothing is left alive. Uncollectable cycles must be broken by
** the test itself -- leaving one is reported by tl_teardown.
*/
#ifndef RCGC_FIN_H
#define RCGC_FIN_H

#include "testlib.h"

enum {
  FO_RESURRECT = 1u << 0,
  FO_SUICIDE = 1u << 1,
  FO_CHAIN = 1u << 2,
  FO_SELFREF = 1u << 3,
};

typedef struct fobj {
  void *left, *right, *extra;
  int id;
  unsigned flags;
  int suicided;
  const char *name;
} fobj;

#define FIN_MAX 4096

typedef struct fin_log {
  int del_ids[FIN_MAX];    /* modern finalizer calls, by id, in order */
  int ndel;
  int legacy_ids[FIN_MAX]; /* legacy finalizer calls */
  int nlegacy;
  void *survivors[FIN_MAX]; /* strong references stored by resurrectors */
  int nsurv;
  int errors;   /* failed sanity checks inside finalizers */
  int cleaning; /* set: finalizers record nothing and have no side effect */
  int next_id;
  long destroyed;
} fin_log;

extern fin_log fl;
#define FIN_DEFINE                                                            \
  TL_DEFINE;                                                                  \
  fin_log fl

static inline int fobj_traverse(void *o, rcgc_visit_fn visit, void *arg) {
  fobj *f = o;
  RCGC_VISIT(f->left, "left");
  RCGC_VISIT(f->right, "right");
  RCGC_VISIT(f->extra, "extra");
  return 0;
}

static inline int fobj_repr(const void *o, char *buf, size_t cap) {
  const fobj *f = o;
  if (f->name)
    return snprintf(buf, cap, "%s", f->name);
  return snprintf(buf, cap, "fobj(%d)", f->id);
}

static inline void fobj_destroy(rcgc_heap *h, void *o) {
  (void)h;
  (void)o;
  fl.destroyed++;
}

/* ChainedBase.check_sanity / SelfCycleBase.check_sanity. */
static inline void fobj_check_sanity(fobj *f) {
  if ((f->flags & FO_SELFREF) && f->left != f)
    fl.errors++;
  if (f->flags & FO_CHAIN) {
    if (f->suicided) {
      if (f->left != NULL || f->right != NULL)
        fl.errors++;
      return;
    }
    fobj *l = f->left, *r = f->right;
    if (l == NULL || r == NULL) {
      fl.errors++;
      return;
    }
    if (l->suicided ? l->right != NULL : l->right != f)
      fl.errors++;
    if (r->suicided ? r->left != NULL : r->left != f)
      fl.errors++;
  }
}

static inline void fobj_side_effect(rcgc_heap *h, fobj *f) {
  if (f->flags & FO_RESURRECT) {
    rcgc_incref(h, f);
    fl.survivors[fl.nsurv++] = f;
  }
  if (f->flags & FO_SUICIDE) {
    f->suicided = 1;
    rcgc_set(h, &f->left, NULL);
    rcgc_set(h, &f->right, NULL);
    rcgc_set(h, &f->extra, NULL);
  }
}

/* NonGCSimpleBase.__del__: record, check, side effect. */
static inline void fobj_finalize(rcgc_heap *h, void *o) {
  fobj *f = o;
  if (fl.cleaning)
    return;
  fl.del_ids[fl.ndel++] = f->id;
  fobj_check_sanity(f);
  fobj_side_effect(h, f);
}

/* LegacyBase.__del__: record and check, no side effect. */
static inline void fobj_legacy_del(rcgc_heap *h, void *o) {
  (void)h;
  fobj *f = o;
  if (fl.cleaning)
    return;
  fl.del_ids[fl.ndel++] = f->id;
  fobj_check_sanity(f);
}

/* LegacyBase.__tp_del__: record, check, side effect. */
static inline void fobj_tp_del(rcgc_heap *h, void *o) {
  fobj *f = o;
  if (fl.cleaning)
    return;
  fl.legacy_ids[fl.nlegacy++] = f->id;
  fobj_check_sanity(f);
  fobj_side_effect(h, f);
}

/* A tracked object with a modern finalizer (a Python class with __del__). */
static const rcgc_type fin_type = {
    .name = "Fin", .size = sizeof(fobj), .traverse = fobj_traverse, .finalize = fobj_finalize,
    .destroy = fobj_destroy, .repr = fobj_repr};
/* Both finalizers, as test_finalization's Legacy classes (with_tp_del). */
static const rcgc_type fin_legacy_type = {
    .name = "Legacy", .size = sizeof(fobj), .traverse = fobj_traverse, .finalize = fobj_legacy_del,
    .legacy_finalize = fobj_tp_del, .destroy = fobj_destroy, .repr = fobj_repr};
/* Only a legacy finalizer: Python 2's __del__ (test_gc's Uncollectable). */
static const rcgc_type fin_tpdel_type = {
    .name = "Uncollectable", .size = sizeof(fobj), .traverse = fobj_traverse,
    .legacy_finalize = fobj_tp_del, .destroy = fobj_destroy, .repr = fobj_repr};
/* No finalizer at all (a plain Python instance). */
static const rcgc_type fin_plain_type = {
    .name = "Plain", .size = sizeof(fobj), .traverse = fobj_traverse, .destroy = fobj_destroy,
    .repr = fobj_repr};
/* Not tracked (no traverse), with a modern finalizer: test_finalization's
** NonGC classes. */
static const rcgc_type fin_nongc_type = {
    .name = "NonGC", .size = sizeof(fobj), .finalize = fobj_finalize, .destroy = fobj_destroy,
    .repr = fobj_repr};

static inline fobj *fin_new(const rcgc_type *t, unsigned flags) {
  fobj *f = rcgc_new(tl.heap, t);
  cr_assert_not_null(f);
  f->id = ++fl.next_id;
  f->flags = flags;
  return f;
}

#define FIN_SET(obj, field, value) rcgc_set(tl.heap, &(obj)->field, (value))

/* Sort-free comparison: does the log hold exactly the ids, as a multiset? */
static inline int fin_same_ids(const int *got, int ngot, const int *want, int nwant) {
  if (ngot != nwant)
    return 0;
  int used[FIN_MAX] = {0};
  for (int i = 0; i < nwant; i++) {
    int found = 0;
    for (int j = 0; j < ngot && !found; j++)
      if (!used[j] && got[j] == want[i])
        used[j] = found = 1;
    if (!found)
      return 0;
  }
  return 1;
}

static inline void fin_clear_survivors(void) {
  int n = fl.nsurv;
  fl.nsurv = 0;
  for (int i = 0; i < n; i++)
    rcgc_decref(tl.heap, fl.survivors[i]);
}

static inline void fin_setup(void) {
  tl_setup();
  memset(&fl, 0, sizeof fl);
}

/* test_finalization's _cleanup, then the standard teardown. */
static inline void fin_teardown(void) {
  if (tl.heap) {
    fl.cleaning = 1;
    fin_clear_survivors();
    rcgc_garbage_clear(tl.heap);
    rcgc_collect(tl.heap, 2);
    cr_expect_eq(fl.errors, 0, "a finalizer saw a broken object");
  }
  tl_teardown();
}

/* Python's `wr() is None`: 1 when the referent is gone (rcgc_weakref_get
** returns a new reference, dropped again here). */
static inline int wr_dead(rcgc_weakref *wr) {
  void *o = rcgc_weakref_get(tl.heap, wr);
  if (o == NULL)
    return 1;
  rcgc_decref(tl.heap, o);
  return 0;
}

#endif
