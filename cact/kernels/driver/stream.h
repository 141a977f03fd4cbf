/* Non-temporal (streaming) stores for large outputs.
 *
 * An ordinary store first reads the destination's cache line from memory (read for ownership), so
 * writing an output that does not stay in cache costs a read and a write of it. A non-temporal
 * store writes whole lines without reading them: a large elementwise call then moves two streams
 * (x in, y out) instead of three. Loops compute a block of CACT_STREAM_BLOCK elements into a
 * scratch block (in L1) and copy it out with these stores; the values are the same bits.
 * Only memory-bound loops stream: in the others the copy-out does not overlap the arithmetic
 * tools/stream_bench.py measures where it pays. */
#ifndef CACT_STREAM_H
#define CACT_STREAM_H
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* a new result at least this large comes from fresh pages (glibc's largest dynamic mmap
 * threshold on 64-bit): the kernel zeroes them on the first touch, in cache, so plain stores win */
#define CACT_STREAM_FRESH_MAX ((Py_ssize_t)32 << 20)
#define CACT_STREAM_BLOCK 128         /* elements per scratch block (threads' pieces are cut here) */

/* ---- partitions, for any vector width `align` (bytes): the drivers (compiled once) take the
 * width of the kernels they run, the kernels their own ---------------------------------------- */

/* Elements of size `size` before the first `align` boundary of y (at most n). The plain (not
 * streamed) loops also start their vector loop there: accesses that straddle two cache lines
 * (NumPy's data is 16 bytes past a 64-byte line) cost more (docs/design.md, "Threading"). */
static inline Py_ssize_t cact_aligned_head_a(const void *y, Py_ssize_t n, Py_ssize_t size, Py_ssize_t align) {
    Py_ssize_t a = (Py_ssize_t)((align - (uintptr_t)y % align) % align) / size;
    return a < n ? a : n;
}

/* Stream y: n elements of `size` bytes, at least `from` bytes, y aligned to its elements, and not
 * a new result (fresh) of CACT_STREAM_FRESH_MAX or more */
static inline int cact_stream_here_a(int can, const void *y, Py_ssize_t n, Py_ssize_t size, Py_ssize_t from, int fresh) {
    return can && n >= (from + size - 1) / size && (uintptr_t)y % size == 0
        && !(fresh && n * size >= CACT_STREAM_FRESH_MAX);
}

/* Where thread t of nt starts in n elements of y: 0 for t = 0, n for t = nt, else at a block
 * boundary counted from y's first aligned element, so that threads meet at whole cache lines
 * (streamed or not) */
static inline Py_ssize_t cact_piece_start_a(const void *y, Py_ssize_t n, Py_ssize_t size, int t, int nt, Py_ssize_t align) {
    Py_ssize_t a = cact_aligned_head_a(y, n, size, align), nb = (n - a + CACT_STREAM_BLOCK - 1) / CACT_STREAM_BLOCK, s;
    if (t <= 0) return 0;
    if (t >= nt) return n;
    s = a + nb * t / nt * CACT_STREAM_BLOCK;
    return s < n ? s : n;
}

#ifndef CACT_CORE   /* ---- the kernels' own: this build's vector width and stores ---------------- */

/* inlined into the loops that stream (their table entries are separate copies): a call per
 * scratch block is a measurable share of a memory-bound loop's time */
#if defined(__GNUC__) || defined(__clang__)
#define CACT_STREAM_INLINE static inline __attribute__((always_inline))
#else
#define CACT_STREAM_INLINE static inline
#endif

/* The AVX-512 and AVX2 builds stream (from sizes in the registry, per build: 32-byte stores pay
 * off later than 64-byte ones); the SSE2 baseline never does, it lost at every size. */
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__)) && defined(__AVX__)
#include <immintrin.h>
#define CACT_CAN_STREAM 1
#if defined(__AVX512F__)
#define CACT_STREAM_WIDE 1
#define CACT_STREAM_ALIGN 64
#define CACT_STREAM_PS(p, v) _mm512_stream_ps((p), (v))
#define CACT_LOADU_PS(p) _mm512_loadu_ps(p)
#else
#define CACT_STREAM_WIDE 0
#define CACT_STREAM_ALIGN 32
#define CACT_STREAM_PS(p, v) _mm256_stream_ps((p), (v))
#define CACT_LOADU_PS(p) _mm256_loadu_ps(p)
#endif
/* after a thread's last streaming store: the stores are weakly ordered until then */
CACT_STREAM_INLINE void cact_stream_fence(void) { _mm_sfence(); }
#else
#define CACT_CAN_STREAM 0
#define CACT_STREAM_WIDE 0
#define CACT_STREAM_ALIGN 16
CACT_STREAM_INLINE void cact_stream_fence(void) {}
#endif

#define cact_aligned_head(y, n, size) cact_aligned_head_a((y), (n), (size), CACT_STREAM_ALIGN)

/* dst[0:nbytes] = src[0:nbytes]: non-temporal stores from dst's first aligned byte, plain copies
 * of the head and tail around them (the bytes are copied as they are, whatever their type) */
CACT_STREAM_INLINE void cact_stream_copy(const void *src, void *dst, Py_ssize_t nbytes) {
    const char *s = (const char *)src;
    char *d = (char *)dst;
    Py_ssize_t j = 0;
#if CACT_CAN_STREAM
    j = (Py_ssize_t)((CACT_STREAM_ALIGN - (uintptr_t)d % CACT_STREAM_ALIGN) % CACT_STREAM_ALIGN);
    j = j < nbytes ? j : nbytes;
    memcpy(d, s, (size_t)j);
    for (; j + CACT_STREAM_ALIGN <= nbytes; j += CACT_STREAM_ALIGN)
        CACT_STREAM_PS((float *)(d + j), CACT_LOADU_PS((const float *)(s + j)));
#endif
    memcpy(d + j, s + j, (size_t)(nbytes - j));
}
#endif /* CACT_CORE */
#endif
