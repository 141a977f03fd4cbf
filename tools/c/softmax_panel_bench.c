/* softmax's backward from y down strided columns, one thread: the column tiles
 * (cact_softmax_vjp_cols, through a buffer), panels of P columns read along rows (the loop order
 * cact_softmax_vjp_y_panel took from this), and the row kernel on a transposed copy; all three
 * must give the same bits. K rows W apart (W = 4096: the power-of-two plane of NCHW channels).
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -I<python include> -Icact tools/c/softmax_panel_bench.c -o /tmp/spb -lm && /tmp/spb 21 4096 */
#include <Python.h>
#include "_softmax.h"
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#define P 256
/* from y, float32: out = y (g - dot) per column over a panel of B <= P contiguous columns */
__attribute__((noinline)) void panel_y(const float *y, Py_ssize_t ys, const float *g, Py_ssize_t gs, float *out, Py_ssize_t os, Py_ssize_t K, int B) {
    double d[16][P];
    float dh[P], dl[P];
    for (int l = 0; l < 16; ++l) for (int c = 0; c < P; ++c) d[l][c] = 0.0;
    for (Py_ssize_t j = 0; j < K; ++j) {
        const float *yr = y + j * ys, *gr = g + j * gs;
        double *dd = d[j % 16];
        for (int c = 0; c < B; ++c) dd[c] += (double)gr[c] * (double)yr[c];
    }
    for (int w = 8; w >= 1; w /= 2)
        for (int l = 0; l < w; ++l)
            for (int c = 0; c < B; ++c) d[l][c] += d[l + w][c];
    for (int c = 0; c < B; ++c) { double t = d[0][c] + 0.0; dh[c] = (float)t; dl[c] = (float)(t - (double)dh[c]); }
    for (Py_ssize_t j = 0; j < K; ++j) {
        const float *yr = y + j * ys, *gr = g + j * gs;
        float *orow = out + j * os;
        for (int c = 0; c < B; ++c) orow[c] = yr[c] * ((gr[c] - dh[c]) - dl[c]);
    }
}
static float gbuf[2 * 16 * 100000];
__attribute__((noinline)) void cols(const float *x, const float *g, float *o, Py_ssize_t s, Py_ssize_t K) { cact_softmax_vjp_cols_f32(x, s, g, s, o, s, K, 16, gbuf, 1); }
__attribute__((noinline)) void rows(const float *x, const float *g, float *o, Py_ssize_t K) { cact_softmax_vjp_y_row_f32(x, g, o, K); }
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
int main(int argc, char **argv) {
    int K = argc > 1 ? atoi(argv[1]) : 21, W = argc > 2 ? atoi(argv[2]) : 4096;
    size_t n = (size_t)K * W;
    float *x = malloc(4 * n), *g = malloc(4 * n), *y = malloc(4 * n), *z = malloc(4 * n), *q = malloc(4 * n), *xt = malloc(4 * n), *gt = malloc(4 * n);
    for (size_t i = 0; i < n; i++) { x[i] = (float)rand() / RAND_MAX * 0.2f; g[i] = (float)rand() / RAND_MAX * 2 - 1; }
    for (int k = 0; k < K; k++) for (int w = 0; w < W; w++) { xt[w * K + k] = x[k * W + w]; gt[w * K + k] = g[k * W + w]; }
    double b1 = 1, b2 = 1, b3 = 1;
    for (int r = 0; r < 40; r++) {
        double t = now(); for (int w = 0; w < W; w += 16) cols(x + w, g + w, y + w, W, K); t = now() - t; if (t < b1) b1 = t;
        t = now(); for (int w = 0; w < W; w += P) panel_y(x + w, W, g + w, W, q + w, W, K, W - w < P ? W - w : P); t = now() - t; if (t < b2) b2 = t;
        t = now(); for (int w = 0; w < W; w++) rows(xt + w * K, gt + w * K, z + w * K, K); t = now() - t; if (t < b3) b3 = t;
    }
    int bad = 0, bad2 = 0; for (int k = 0; k < K; k++) for (int w = 0; w < W; w++) { bad += y[k * W + w] != z[w * K + k]; bad2 += q[k * W + w] != z[w * K + k]; }
    printf("K=%d W=%d: cols %.3f, panel %.3f, rows %.3f ns/value; mismatches cols %d panel %d\n", K, W, b1 / n * 1e9, b2 / n * 1e9, b3 / n * 1e9, bad, bad2);
}
