/* Pieces that threads may take from each other (the contiguous elementwise loops).
 *
 * Each thread owns the piece of y that a static split gives it (cact_piece_start: whole cache
 * lines) and takes it in chunks of a quarter of what is left (at least CACT_CHUNK_MIN elements)
 * from a cursor of its own; when its piece is done it takes chunks from the other threads' cursors.
 * On a machine whose cores run at one speed this is the static split (a few atomic adds more); on
 * a shared VM, where one vCPU often runs much slower than the other for seconds at a time, the
 * fast thread finishes the slow one's piece instead of waiting for it. */
#ifndef CACT_STEAL_H
#define CACT_STEAL_H
#include <Python.h>
#include "stream.h"

#if defined(_MSC_VER) && !defined(__clang__)
#include <intrin.h>
#if defined(_WIN64)
#define CACT_FETCH_ADD(p, v) ((Py_ssize_t)_InterlockedExchangeAdd64((volatile __int64 *)(p), (__int64)(v)))
#else
#define CACT_FETCH_ADD(p, v) ((Py_ssize_t)_InterlockedExchangeAdd((volatile long *)(p), (long)(v)))
#endif
#define CACT_LOAD(p) (*(volatile Py_ssize_t *)(p))
#else
#define CACT_FETCH_ADD(p, v) __atomic_fetch_add((p), (v), __ATOMIC_RELAXED)
#define CACT_LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#endif

#define CACT_MAX_TEAM 64          /* larger teams are cut to this many threads */
#define CACT_CHUNK_MIN 2048       /* elements */

typedef struct { Py_ssize_t next, end; char pad[64 - 2 * sizeof(Py_ssize_t)]; } cact_cursor;

static inline int cact_team(int nt) { return nt < 1 ? 1 : (nt > CACT_MAX_TEAM ? CACT_MAX_TEAM : nt); }

static inline void cact_cursors_init(cact_cursor *c, const void *y, Py_ssize_t n, Py_ssize_t size, int nt, Py_ssize_t align) {
    for (int t = 0; t < nt; ++t) {
        c[t].next = cact_piece_start_a(y, n, size, t, nt, align);
        c[t].end = cact_piece_start_a(y, n, size, t + 1, nt, align);
    }
}

/* The next chunk [*lo, *hi) of cursor c; 0 when it has none left. Chunks are handed out by one
 * atomic add each, so no element is given twice whichever threads ask. */
static inline int cact_claim(cact_cursor *c, Py_ssize_t *lo, Py_ssize_t *hi) {
    Py_ssize_t left = c->end - CACT_LOAD(&c->next), k, s;
    if (left <= 0)
        return 0;
    k = left / 4 > CACT_CHUNK_MIN ? left / 4 : CACT_CHUNK_MIN;
    k = (k + CACT_STREAM_BLOCK - 1) / CACT_STREAM_BLOCK * CACT_STREAM_BLOCK;
    s = CACT_FETCH_ADD(&c->next, k);
    if (s >= c->end)
        return 0;
    *lo = s;
    *hi = s + k < c->end ? s + k : c->end;
    return 1;
}
#endif
