/*
** names_internal.c -- edge names that the public C API cannot give without
** changing the heap.
**
** Two kinds of referents have no side-effect-free public accessor in
** CPython 3.11:
**   - the attribute values an instance keeps inline (types with
**     Py_TPFLAGS_MANAGED_DICT store them beside the object until someone
**     asks for __dict__; asking creates the dict, which would add a node to
**     the very heap being measured);
**   - the local variables of a finished frame or of a suspended generator
**     or coroutine (reading f_locals copies them into a new dict that then
**     stays attached to the frame);
**   - the running frames of every thread and their variables (the public
**     accessors, sys._current_frames() and PyThreadState_GetFrame, create
**     a frame object for each frame, which then lives as long as it).
** On 3.11 this file reads CPython's own structures (Py_BUILD_CORE headers)
** to pair each such referent with its name. On other versions it reports
** "not available" and those edges keep the generic label; everything else
** (the edges themselves, refcount accounting) does not depend on it.
** Nothing here allocates or runs Python code.
*/
#define PY_SSIZE_T_CLEAN
#include <patchlevel.h>
#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#define RCGCPY_INTERNALS 1
#ifndef Py_BUILD_CORE
#define Py_BUILD_CORE 1
#endif
#endif
#include <Python.h>

#include "rcgc_py.h"

#ifdef RCGCPY_INTERNALS
#include "internal/pycore_code.h"
#include "internal/pycore_dict.h"
#include "internal/pycore_frame.h"
#include "internal/pycore_object.h"
#include "internal/pycore_pystate.h"
#endif

int rcgcpy_internals_available(void) {
#ifdef RCGCPY_INTERNALS
  return 1;
#else
  return 0;
#endif
}

#ifdef RCGCPY_INTERNALS
/* Visit the named slots of an interpreter frame: every bound local (cells
** included, as the cell object) by its name, then the value stack. */
static int iframe_names(_PyInterpreterFrame *f, rcgcpy_name_cb cb, void *ud) {
  PyCodeObject *co = f->f_code;
  if (co == NULL)
    return 0;
  PyObject *names = co->co_localsplusnames;
  int nlp = co->co_nlocalsplus;
  if (f->f_code && cb(ud, (PyObject *)f->f_code, NULL, "f_code") < 0)
    return -1;
  if (f->f_locals && cb(ud, f->f_locals, NULL, "f_locals") < 0)
    return -1;
  if (f->f_func && cb(ud, (PyObject *)f->f_func, NULL, "f_func") < 0)
    return -1;
  int top = f->stacktop;
  for (int i = 0; i < top; i++) {
    PyObject *v = f->localsplus[i];
    if (v == NULL)
      continue;
    if (i < nlp && names && PyTuple_Check(names) && i < PyTuple_GET_SIZE(names)) {
      if (cb(ud, v, PyTuple_GET_ITEM(names, i), NULL) < 0)
        return -1;
    } else if (cb(ud, v, NULL, "(stack)") < 0) {
      return -1;
    }
  }
  return 0;
}
#endif

int rcgcpy_frame_names(PyObject *frame, rcgcpy_name_cb cb, void *ud) {
#ifdef RCGCPY_INTERNALS
  PyFrameObject *fo = (PyFrameObject *)frame;
  if (fo->f_back && cb(ud, (PyObject *)fo->f_back, NULL, "f_back") < 0)
    return -1;
  if (fo->f_trace && cb(ud, fo->f_trace, NULL, "f_trace") < 0)
    return -1;
  _PyInterpreterFrame *f = fo->f_frame;
  if (f == NULL || f->owner != FRAME_OWNED_BY_FRAME_OBJECT)
    return 0;
  return iframe_names(f, cb, ud);
#else
  (void)frame; (void)cb; (void)ud;
  return 0;
#endif
}

int rcgcpy_gen_names(PyObject *gen, rcgcpy_name_cb cb, void *ud) {
#ifdef RCGCPY_INTERNALS
  if (!PyGen_Check(gen) && !PyCoro_CheckExact(gen) && !PyAsyncGen_CheckExact(gen))
    return 0;
  PyGenObject *g = (PyGenObject *)gen;
  if (g->gi_frame_state >= FRAME_CLEARED)
    return 0;
  return iframe_names((_PyInterpreterFrame *)g->gi_iframe, cb, ud);
#else
  (void)gen; (void)cb; (void)ud;
  return 0;
#endif
}

int rcgcpy_inline_attr_names(PyObject *obj, rcgcpy_name_cb cb, void *ud) {
#ifdef RCGCPY_INTERNALS
  PyTypeObject *tp = Py_TYPE(obj);
  if (!(tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) || !(tp->tp_flags & Py_TPFLAGS_HEAPTYPE))
    return 0;
  PyObject *dict = *_PyObject_ManagedDictPointer(obj);
  if (dict != NULL)
    return cb(ud, dict, NULL, "__dict__");
  PyDictValues *values = *_PyObject_ValuesPointer(obj);
  PyDictKeysObject *keys = ((PyHeapTypeObject *)tp)->ht_cached_keys;
  if (values == NULL || keys == NULL || keys->dk_kind != DICT_KEYS_SPLIT)
    return 0;
  PyDictUnicodeEntry *ent = DK_UNICODE_ENTRIES(keys);
  for (Py_ssize_t i = 0; i < keys->dk_nentries; i++) {
    PyObject *v = values->values[i];
    if (v != NULL && cb(ud, v, ent[i].me_key, NULL) < 0)
      return -1;
  }
  return 0;
#else
  (void)obj; (void)cb; (void)ud;
  return 0;
#endif
}

/* ---------------------------------------------------------------- running frames
** A thread's frames are chained from tstate->cframe->current_frame through
** 'previous'. A frame the thread owns holds references to its frame object
** (when one was made), f_locals, f_func, f_code and its slots: locals,
** cells and free variables, then the value stack. While a frame executes,
** 3.11 keeps its stack height in a C variable and stores -1 in 'stacktop'
** (it stores the height before it calls a Python function in the same
** evaluation loop): the variables are valid then, the value stack is not
** known. A running generator's or coroutine's frame is owned by the
** generator, whose tp_traverse reports its special fields always and its
** slots below 'stacktop' only, so none while it executes. */
int rcgcpy_running_frames(rcgcpy_frame_cb cb, void *ud) {
#ifdef RCGCPY_INTERNALS
  PyInterpreterState *interp = PyInterpreterState_Get();
  unsigned long main_id = _PyRuntime.main_thread;
  int rc = 0;
  /* the lock sys._current_frames() takes: a thread that has not the GIL
  ** (a C thread calling PyGILState_Ensure) may add itself to the list */
  PyThread_acquire_lock(_PyRuntime.interpreters.mutex, WAIT_LOCK);
  for (PyThreadState *ts = PyInterpreterState_ThreadHead(interp); ts; ts = PyThreadState_Next(ts)) {
    if (ts->cframe == NULL)
      continue;
    for (_PyInterpreterFrame *f = ts->cframe->current_frame; f; f = f->previous) {
      if (f->owner == FRAME_OWNED_BY_FRAME_OBJECT || f->f_code == NULL)
        continue;
      /* a generator's frame whose slots its generator reports: nothing left */
      if (f->owner == FRAME_OWNED_BY_GENERATOR && f->stacktop >= f->f_code->co_nlocalsplus)
        continue;
      rcgcpy_frame r;
      r.iframe = f;
      r.thread_id = ts->thread_id;
      r.main_thread = ts->thread_id == main_id;
      r.gen = f->owner == FRAME_OWNED_BY_GENERATOR;
      r.code = f->f_code;
      r.line = PyCode_Addr2Line(f->f_code, _PyInterpreterFrame_LASTI(f) * (int)sizeof(_Py_CODEUNIT));
      r.globals = f->f_globals;
      if (cb(ud, &r) < 0) {
        rc = -1;
        goto out;
      }
    }
  }
out:
  PyThread_release_lock(_PyRuntime.interpreters.mutex);
  return rc;
#else
  (void)cb; (void)ud;
  return 0;
#endif
}

int rcgcpy_running_frame_refs(const rcgcpy_frame *r, rcgcpy_name_cb cb, void *ud) {
#ifdef RCGCPY_INTERNALS
  _PyInterpreterFrame *f = (_PyInterpreterFrame *)r->iframe;
  PyCodeObject *co = f->f_code;
  PyObject *names = co->co_localsplusnames;
  int nlp = co->co_nlocalsplus;
  int top = f->stacktop;
  int lo = 0, hi = nlp;
  if (r->gen) {
    lo = top > 0 ? top : 0; /* the generator reports the slots below top */
  } else {
    if (f->frame_obj && cb(ud, (PyObject *)f->frame_obj, NULL, "(frame object)") < 0)
      return -1;
    if (f->f_locals && cb(ud, f->f_locals, NULL, "f_locals") < 0)
      return -1;
    if (f->f_func && cb(ud, (PyObject *)f->f_func, NULL, "f_func") < 0)
      return -1;
    if (cb(ud, (PyObject *)co, NULL, "f_code") < 0)
      return -1;
    if (top >= 0 && top < nlp)
      hi = top; /* only the slots the collector would see */
  }
  for (int i = lo; i < hi; i++) {
    PyObject *v = f->localsplus[i];
    if (v == NULL)
      continue;
    if (names && PyTuple_Check(names) && i < PyTuple_GET_SIZE(names)) {
      if (cb(ud, v, PyTuple_GET_ITEM(names, i), NULL) < 0)
        return -1;
    } else if (cb(ud, v, NULL, "(ref)") < 0) {
      return -1;
    }
  }
  if (!r->gen)
    for (int i = nlp; i < top; i++) {
      PyObject *v = f->localsplus[i];
      if (v != NULL && cb(ud, v, NULL, "(stack)") < 0)
        return -1;
    }
  return 0;
#else
  (void)r; (void)cb; (void)ud;
  return 0;
#endif
}
