/* Short softmax rows, one thread, 1e5 values in rows of K: the row kernels row by row against the
 * tiles of up to 16 rows run by the column kernels (softmax_short_rows, softmax_vjp_short_rows),
 * forward and backward from y and from x, float32 or float64 (argv[2]: 64); checks the bits agree.
 * Build with -DCACT_SHORT_K=64 to try tiles past the default limit.
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -fwrapv -DCACT_SHORT_K=64 -I<python include> -Icact tools/c/softmax_short_bench.c -o /tmp/ssb -lm
 *   for K in 2 4 10 16 24 32 48 64; do /tmp/ssb $K; done */
#include <Python.h>
#include "_softmax.h"
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
#define BENCH(T, SFX) \
static void run_##SFX(Py_ssize_t K) { \
    Py_ssize_t R = 100000 / K, n = R * K; \
    T *x = malloc(sizeof(T) * n), *g = malloc(sizeof(T) * n), *y = malloc(sizeof(T) * n), *z = malloc(sizeof(T) * n); \
    for (Py_ssize_t i = 0; i < n; i++) { x[i] = ((T)rand() / RAND_MAX - 0.5) * 10; g[i] = (T)rand() / RAND_MAX - 0.5; } \
    double b[6] = {1e9, 1e9, 1e9, 1e9, 1e9, 1e9}; int same = 1; \
    for (int rep = 0; rep < 100; rep++) { \
        for (int v = 0; v < 6; v++) { \
            T *o = v % 2 ? z : y; double t = now(); \
            if (v % 2 == 0) { for (Py_ssize_t r = 0; r < R; r++) { \
                if (v == 0) cact_softmax_row_##SFX(x + r * K, o + r * K, K, 0); \
                else if (v == 2) cact_softmax_vjp_y_row_##SFX(x + r * K, g + r * K, o + r * K, K); \
                else cact_softmax_vjp_row_##SFX(x + r * K, g + r * K, o + r * K, K, 0); } \
            } else { for (Py_ssize_t r = 0; r < R; r += CACT_COLS) { int B = R - r < CACT_COLS ? (int)(R - r) : CACT_COLS; \
                if (v == 1) cact_softmax_short_rows_##SFX(x + r * K, o + r * K, K, B); \
                else cact_softmax_vjp_short_rows_##SFX(x + r * K, g + r * K, o + r * K, K, B, v == 3); } } \
            t = (now() - t) / n * 1e9; if (t < b[v]) b[v] = t; \
            if (v % 2 && memcmp(y, z, sizeof(T) * n)) { same = 0; if (rep == 0) { Py_ssize_t i = 0; while (!memcmp(y + i, z + i, sizeof(T))) i++; printf("op %d differs at %zd: %.9g %.9g\n", v, i, (double)y[i], (double)z[i]); } } \
        } \
    } \
    printf("%s K=%3zd ns/value, rows / tiles: forward %5.2f / %5.2f  backward(y) %5.2f / %5.2f  backward(x) %5.2f / %5.2f  same bits: %s\n", \
           #SFX, K, b[0], b[1], b[2], b[3], b[4], b[5], same ? "yes" : "NO"); \
}
BENCH(float, f32)
BENCH(double, f64)
int main(int argc, char **argv) {
    Py_ssize_t K = argc > 1 ? atol(argv[1]) : 10;
    int is64 = argc > 2 && atoi(argv[2]) == 64, lim = is64 ? CACT_SHORT_K_F64 : CACT_SHORT_K_F32;
    if (K > lim) { printf("K > the tiles' limit %d: build with -DCACT_SHORT_K=%zd\n", lim, K); return 1; }
    if (is64) run_f64(K); else run_f32(K);
}
