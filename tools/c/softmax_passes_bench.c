/* Per-pass timing of the float32 softmax row (max, exponentials, sums, scale) on 1e5 values in rows
 * of K (default 1000), one thread, min of the repeats; the whole row's time beside them (rows are
 * independent, so the passes alone overlap more than the whole row, whose passes depend on each
 * other: short rows pay that chain).
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -fwrapv -I<python include> -Icact tools/c/softmax_passes_bench.c -o /tmp/spb -lm && /tmp/spb 100 */
#include <Python.h>
#include "_softmax.h"
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
int main(int argc, char **argv) {
    Py_ssize_t K = argc > 1 ? atol(argv[1]) : 1000, n = 100000, R = n / K; int reps = argc > 2 ? atoi(argv[2]) : 200;
    float *x = malloc(4 * n), *y = malloc(4 * n);
    for (Py_ssize_t i = 0; i < n; i++) x[i] = ((float)rand() / RAND_MAX - 0.5f) * 10;
    double b = 1e9, bm = 1e9, be = 1e9, bs = 1e9, bc = 1e9; volatile double sink = 0;
    for (int rep = 0; rep < reps; rep++) {
        double t = now(); for (Py_ssize_t r = 0; r < R; r++) cact_softmax_row_f32(x + r * K, y + r * K, K, 0); t = now() - t; if (t < b) b = t;
        t = now(); for (Py_ssize_t r = 0; r < R; r++) sink += cact_row_max_f32(x + r * K, K); t = now() - t; if (t < bm) bm = t;
        t = now(); for (Py_ssize_t r = 0; r < R; r++) cact_exp_pass_f32(x + r * K, y + r * K, K, 2.0, 0, NULL); t = now() - t; if (t < be) be = t;
        t = now(); for (Py_ssize_t r = 0; r < R; r++) { double s, u; cact_row_sums_f32(y + r * K, NULL, 1, K, &s, &u); sink += s; } t = now() - t; if (t < bs) bs = t;
        t = now(); for (Py_ssize_t r = 0; r < R; r++) cact_scale_f32(y + r * K, K, 0.01); t = now() - t; if (t < bc) bc = t;
    }
    printf("K=%zd: row %.2f ns/value (%.0f ns/row) = max %.2f exp %.2f sums %.2f scale %.2f\n", K, b / n * 1e9, b / R * 1e9, bm / n * 1e9, be / n * 1e9, bs / n * 1e9, bc / n * 1e9);
}
