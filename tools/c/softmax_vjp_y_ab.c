/* The float64 softmax backward from y in C, this tree's _softmax.h against an earlier commit's,
 * interleaved, medians of 2000: softmax_vjp_y_rows (a thread's block of rows in one call) and
 * softmax_vjp_y_row called row by row, split over nt threads; g at OFF doubles past a 64-byte line
 * (as NumPy's arrays often sit). Built and run by tools/c/softmax_vjp_y_ab.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <omp.h>
#include <time.h>
#ifdef WRAP   /* the wrapper half, compiled once against each tree's headers */
#include <Python.h>
#include "_softmax.h"
void WRAP(const double *y, const double *g, double *o, long K, long R) { cact_softmax_vjp_y_rows_f64(y, g, o, K, R, NULL); }
void WRAP1(const double *y, const double *g, double *o, long K) { cact_softmax_vjp_y_row_f64(y, g, o, K); }
#else
void old_rows(const double *, const double *, double *, long, long);
void new_rows(const double *, const double *, double *, long, long);
void old_row(const double *, const double *, double *, long);
void new_row(const double *, const double *, double *, long);
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
static int cmp(const void *a, const void *b) { double d = *(const double *)a - *(const double *)b; return d < 0 ? -1 : d > 0; }
int main(int argc, char **argv) {   /* n threads OFF K */
    long n = argc > 1 ? atol(argv[1]) : 100000, OFF = argc > 3 ? atol(argv[3]) : 0, K = argc > 4 ? atol(argv[4]) : 1000;
    int nt = argc > 2 ? atoi(argv[2]) : 2;
    long R = n / K;
    enum { REPS = 2000 };
    double *y = (double *)aligned_alloc(64, 8 * n + 64), *g = (double *)aligned_alloc(64, 8 * n + 128) + OFF;
    double *o = (double *)aligned_alloc(64, 8 * n + 8192), *o2 = (double *)aligned_alloc(64, 8 * n + 8192);
    for (long i = 0; i < n; i++) { y[i] = (double)rand() / RAND_MAX * 0.002; g[i] = (double)rand() / RAND_MAX - 0.5; }
    old_rows(y, g, o2, K, R);
    new_rows(y, g, o, K, R);
    long diff = 0;
    for (long i = 0; i < n; i++) diff += o[i] != o2[i];
    static double tm[4][REPS];
    for (int r = 0; r < REPS; r++)
        for (int v = 0; v < 4; v++) {
            double t0 = now();
            #pragma omp parallel num_threads(nt)
            {
                int t = omp_get_thread_num();
                long lo = R * t / nt, hi = R * (t + 1) / nt;
                if (v == 0) old_rows(y + lo * K, g + lo * K, o + lo * K, K, hi - lo);
                else if (v == 1) new_rows(y + lo * K, g + lo * K, o + lo * K, K, hi - lo);
                else if (v == 2) for (long q = lo; q < hi; q++) old_row(y + q * K, g + q * K, o + q * K, K);
                else for (long q = lo; q < hi; q++) new_row(y + q * K, g + q * K, o + q * K, K);
            }
            tm[v][r] = now() - t0;
        }
    for (int v = 0; v < 4; v++) qsort(tm[v], REPS, 8, cmp);
    printf("n=%ld K=%ld, %d thread(s), g at +%ld doubles (outputs differing: %ld): rows: old %.1f new %.1f us (old/new %.2f); "
           "row by row: old %.1f new %.1f (%.2f)\n", n, K, nt, OFF, diff, tm[0][REPS / 2] * 1e6, tm[1][REPS / 2] * 1e6,
           tm[0][REPS / 2] / tm[1][REPS / 2], tm[2][REPS / 2] * 1e6, tm[3][REPS / 2] * 1e6, tm[2][REPS / 2] / tm[3][REPS / 2]);
}
#endif
