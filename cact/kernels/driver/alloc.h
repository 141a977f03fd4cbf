/* New results placed at their input's offset within a cache line.
 *
 * The contiguous loops align their vector loop to the output's cache lines. When an input sits at
 * another offset within its lines (NumPy's arrays are 16-byte aligned: any of 0/16/32/48 mod 64,
 * as malloc places them), every full-width load of it spans two lines, and the loops bound by L1,
 * L2 or memory bandwidth lose much of their speed (tools/align_bench.py). A new result is
 * ours to place: from CACT_MATCH_FROM bytes, cact allocates it at its input's offset mod 64 (like;
 * NULL: at a line's start, for the row kernels of softmax and prelu, which do not align) and
 * hands it to NumPy with a capsule as its base that frees it (the way NumPy documents for memory
 * it did not allocate; the array does not own its data, like a view). tracemalloc sees the block
 * in NumPy's domain; blocks of 4 MB or more are offered transparent huge pages, as NumPy's own
 * allocator does. (A NumPy memory handler (NEP 49) would keep OWNDATA, but switching handlers
 * costs two context-variable sets a call, more than a tiny call's whole kernel.) */
#ifndef CACT_ALLOC_H
#define CACT_ALLOC_H
#include <Python.h>
#include <numpy/arrayobject.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#define CACT_LINE 64
#define CACT_MATCH_FROM (16 * 1024)   /* bytes: smaller results take NumPy's allocator */
#define CACT_TRACE_DOMAIN 389047      /* NumPy's tracemalloc domain (NPY_TRACE_DOMAIN) */

/* size bytes at `offset` mod 64; *raw: the block to free (NULL: out of memory) */
static char *cact_line_alloc(size_t size, size_t offset, void **raw) {
    char *p;
    if (size > SIZE_MAX - CACT_LINE || (*raw = malloc(size + CACT_LINE)) == NULL)
        return NULL;
    p = (char *)*raw + ((offset - (uintptr_t)*raw) & (CACT_LINE - 1));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (size >= ((size_t)1 << 22)) {   /* as NumPy's allocator */
        uintptr_t lo = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, hi = ((uintptr_t)p + size) & ~(uintptr_t)4095;
        if (hi > lo)
            madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
    }
#endif
    return p;
}

static void cact_line_free(PyObject *capsule) {
    void *raw = PyCapsule_GetPointer(capsule, "cact_block");
    PyTraceMalloc_Untrack(CACT_TRACE_DOMAIN, (uintptr_t)raw);
    free(raw);
}

/* PyArray_EMPTY(nd, dims, tn, fortran) for a dtype tn of `size` bytes; from CACT_MATCH_FROM bytes
 * its data starts at `like`'s offset within a cache line */
static PyObject *cact_empty_like_line(int nd, npy_intp *dims, int tn, int size, int fortran, const void *like) {
    size_t n = (size_t)PyArray_MultiplyList(dims, nd) * (size_t)size;
    void *raw;
    char *p;
    PyObject *t, *capsule;
    if (n < CACT_MATCH_FROM)
        return PyArray_EMPTY(nd, dims, tn, fortran);
    p = cact_line_alloc(n, (uintptr_t)like & (CACT_LINE - 1), &raw);
    if (p == NULL)
        return PyErr_NoMemory();
    capsule = PyCapsule_New(raw, "cact_block", cact_line_free);
    if (capsule == NULL) {
        free(raw);
        return NULL;
    }
    PyTraceMalloc_Track(CACT_TRACE_DOMAIN, (uintptr_t)raw, n + CACT_LINE);
    t = PyArray_New(&PyArray_Type, nd, dims, tn, NULL, p, 0, fortran ? NPY_ARRAY_FARRAY : NPY_ARRAY_CARRAY, NULL);
    if (t == NULL || PyArray_SetBaseObject((PyArrayObject *)t, capsule) < 0) {   /* (steals capsule) */
        if (t == NULL)
            Py_DECREF(capsule);
        Py_XDECREF(t);
        return NULL;
    }
    return t;
}
#endif
