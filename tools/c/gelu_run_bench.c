/* The float64 gelu_tanh backward's block loop (cact_gelu_tanh_grad_run) in one thread over the
 * first n of 1e6 values (x ~ 3 N(0, 1), as python -m cact bench), ns per value by size: from L1/L2
 * (1e4, 1e5) and from L3 (1e6). Build it twice to see the prefetching's share:
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -fwrapv -I<python include> -Icact [-DCACT_GELU_PF_FROM=1000000000] tools/c/gelu_run_bench.c -o /tmp/grb -lm */
#include <Python.h>
#include "_math.h"
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
__attribute__((noinline)) static void run(const double *x, const double *g, double *y, long n) { cact_gelu_tanh_grad_run(x, g, y, n); }
int main(void) {
    long N = 1000000, sizes[] = {10000, 100000, 1000000};
    double *x = aligned_alloc(64, 8 * N), *g = aligned_alloc(64, 8 * N), *y = aligned_alloc(64, 8 * N);
    srand(1);
    for (long i = 0; i < N; i++) {
        double u1 = (rand() + 1.0) / RAND_MAX, u2 = (double)rand() / RAND_MAX;
        x[i] = 3 * sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2);
        g[i] = u2 - 0.5;
    }
    for (int s = 0; s < 3; s++) {
        long n = sizes[s];
        int k = (int)(N / n);
        double best = 1e9;
        for (int r = 0; r < 9; r++) {
            double t = now();
            for (int q = 0; q < k; q++) run(x, g, y, n);
            t = (now() - t) / k;
            if (t < best) best = t;
        }
        printf("n=%7ld: %.2f ns per value\n", n, best / n * 1e9);
    }
}
