/* The float32 softmax backward from y on rows of 1000 (n values, default 1e5), row by row
 * (softmax_vjp_y_row: each row's dot, then its output) against softmax_vjp_y_rows (a row's dot in
 * one loop with the previous row's output), in one thread, then split over two (the kernels' static
 * split, each thread's own time reported too: this VM's vCPUs often differ in speed). Medians of
 * interleaved repeats; the output at an offset (in floats) from y's page position, default 4.
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -fwrapv -fopenmp -I<python include> -Icact tools/c/softmax_vjp_y_bench.c -o /tmp/svb -lm && /tmp/svb [n] [offset] */
#include <Python.h>
#include "_softmax.h"
#include <omp.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static int cmp(const void *a, const void *b) { double d = *(const double *)a - *(const double *)b; return d < 0 ? -1 : d > 0; }
int main(int argc, char **argv) {
    long K = 1000, n = argc > 1 ? atol(argv[1]) : 100000, R = n / K, off = argc > 2 ? atol(argv[2]) : 4;
    enum { REPS = 1000 };
    float *y = (float *)aligned_alloc(64, 4 * n + 64) + 4, *g = (float *)aligned_alloc(64, 4 * n + 64) + 4;
    float *o = (float *)aligned_alloc(64, 4 * n + 8192) + off;
    for (long i = 0; i < n; i++) { y[i] = (float)rand() / RAND_MAX * 0.002f; g[i] = (float)rand() / RAND_MAX - 0.5f; }
    static double tm[2][2][REPS], work[2][2][REPS];   /* [threads - 1][fused][rep] */
    for (int nt = 1; nt <= 2; nt++)   /* one thread count at a time: a 2-thread call leaves half the data in the other core's cache */
        for (int r = 0; r < REPS; r++)
            for (int v = 0; v < 2; v++) {
                double t0 = now(), w[2] = {0, 0};
                #pragma omp parallel num_threads(nt)
                {
                    int t = omp_get_thread_num();
                    double s = now();
                    long lo = R * t / nt, hi = R * (t + 1) / nt;
                    if (v) cact_softmax_vjp_y_rows_f32(y + lo * K, g + lo * K, o + lo * K, K, hi - lo, NULL);
                    else for (long q = lo; q < hi; q++) cact_softmax_vjp_y_row_f32(y + q * K, g + q * K, o + q * K, K);
                    w[t] = now() - s;
                }
                tm[nt - 1][v][r] = now() - t0;
                work[nt - 1][v][r] = w[0] > w[1] ? w[0] : w[1];
            }
    for (int nt = 1; nt <= 2; nt++) {
        for (int v = 0; v < 2; v++) { qsort(tm[nt - 1][v], REPS, 8, cmp); qsort(work[nt - 1][v], REPS, 8, cmp); }
        printf("n=%ld, %d thread(s): row by row %.1f us, rows fused %.1f us (ratio %.2f); slower thread's work %.1f / %.1f us\n",
               n, nt, tm[nt - 1][0][REPS / 2] * 1e6, tm[nt - 1][1][REPS / 2] * 1e6, tm[nt - 1][0][REPS / 2] / tm[nt - 1][1][REPS / 2],
               work[nt - 1][0][REPS / 2] * 1e6, work[nt - 1][1][REPS / 2] * 1e6);
    }
}
