/*
** rcgc_py.h -- shared between the extension's two C files.
*/
#ifndef RCGC_PY_H
#define RCGC_PY_H

#include <Python.h>

/* A (referent, name) pair for the edge namer: exactly one of 'name_obj'
** (a str: an attribute or variable name) and 'name' (a C string) is
** non-NULL. Returns 0, or -1 when out of memory. */
typedef int (*rcgcpy_name_cb)(void *ud, PyObject *referent, PyObject *name_obj,
                              const char *name);

/* 1 when names_internal.c can name inline attributes and frame locals on
** this interpreter (CPython 3.11), else 0. */
int rcgcpy_internals_available(void);
/* Report names for the referents of a frame object, a generator /
** coroutine, an instance with inline attribute values. Each returns 0
** (possibly without calling cb, when not applicable) or -1 (cb failed). */
int rcgcpy_frame_names(PyObject *frame, rcgcpy_name_cb cb, void *ud);
int rcgcpy_gen_names(PyObject *gen, rcgcpy_name_cb cb, void *ud);
int rcgcpy_inline_attr_names(PyObject *obj, rcgcpy_name_cb cb, void *ud);

/* A running frame: one of a thread's frames that is still executing (its
** variables live in the thread's frame stack, not in a frame object). */
typedef struct rcgcpy_frame {
  const void *iframe;       /* the interpreter's frame (its identity) */
  unsigned long thread_id;  /* threading.get_ident() of its thread */
  int main_thread;          /* 1: the main thread's */
  int gen;                  /* 1: a running generator's or coroutine's */
  PyCodeObject *code;       /* borrowed */
  int line;                 /* the line it is executing */
  PyObject *globals;        /* borrowed: the globals it runs with */
} rcgcpy_frame;

typedef int (*rcgcpy_frame_cb)(void *ud, const rcgcpy_frame *f);
/* Call cb for every running frame of every thread of this interpreter,
** each thread innermost frame first, under the lock of the list of
** threads (cb must not run Python code nor take the GIL). Returns 0 (without calling cb when
** the interpreter's frames cannot be read: versions other than 3.11), or
** -1 when cb returned -1. */
int rcgcpy_running_frames(rcgcpy_frame_cb cb, void *ud);
/* Report, in a fixed order, the references that running frame 'f' owns
** and that no object reports: for a thread's frame its frame object,
** f_locals, f_func, f_code, every bound local / cell / free variable by
** its name and the value stack as "(stack)" (when its height is known);
** for a generator's frame only the variables the generator's own
** tp_traverse skips while it runs. Returns 0, or -1 (cb failed). */
int rcgcpy_running_frame_refs(const rcgcpy_frame *f, rcgcpy_name_cb cb, void *ud);

#endif
