/* softmax rows of K float32 over n = K R values (default rows of 1000, 1e7 values), OpenMP threads
 * as OMP_NUM_THREADS: the row kernel told that the next row follows (next = 1: its lines prefetched
 * during the exponentials) against next = 0, and memcpy of the same bytes; min of 25, interleaved.
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -fopenmp -I<python include> -Icact tools/c/softmax_prefetch_bench.c -o /tmp/spf -lm && /tmp/spf [K] [R] */
#include <Python.h>
#include "_softmax.h"
#include <omp.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+1e-9*t.tv_nsec;}
int main(int argc, char **argv) {
    Py_ssize_t K = argc > 1 ? atol(argv[1]) : 1000, R = argc > 2 ? atol(argv[2]) : 10000000 / K, n = K * R;
    /* 16 bytes past a 64-byte boundary, as NumPy's large arrays */
    float *x = (float *)((char *)aligned_alloc(64, 4 * n + 64) + 16), *y = (float *)((char *)aligned_alloc(64, 4 * n + 64) + 16);
    float *z = aligned_alloc(64, 4 * n + 64);
    for (Py_ssize_t i = 0; i < n; i++) { x[i] = ((float)rand() / RAND_MAX - 0.5f) * 10; y[i] = z[i] = 0; }
    double b[3] = {1e9, 1e9, 1e9};
    for (int rep = 0; rep < 25; rep++) {
        for (int v = 0; v < 3; v++) {
            double t = now();
            if (v == 0) {
                #pragma omp parallel
                { int id = omp_get_thread_num(), nt = omp_get_num_threads(); Py_ssize_t lo = n * id / nt, hi = n * (id + 1) / nt; memcpy(z + lo, x + lo, 4 * (hi - lo)); }
            } else {
                #pragma omp parallel for schedule(static)
                for (Py_ssize_t r = 0; r < R; r++) cact_softmax_row_f32(x + r * K, y + r * K, K, v == 2);
            }
            t = now() - t; if (t < b[v]) b[v] = t;
        }
    }
    printf("K=%zd n=%zd, %d threads: memcpy %.2f ms; softmax next=0 %.2f ms (%.2f x memcpy), next=1 %.2f ms (%.2f x memcpy)\n",
           K, n, omp_get_max_threads(), b[0] * 1e3, b[1] * 1e3, b[1] / b[0], b[2] * 1e3, b[2] / b[0]);
}
