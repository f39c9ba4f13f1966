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

#endif
