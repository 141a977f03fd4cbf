/* A float32 function now against the same function at an earlier commit: time (1 thread, 16384
 * values in L1, best of 3000, interleaved) and bits (every one of the 2^32 floats; NaNs count as equal).
 *   git show REV:cact/_math.h | sed 's/cact_/old_/g; s/CACT_MATH_H/OLD_MATH_H/' > /tmp/math_old.h
 *   gcc -O3 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 -mprefer-vector-width=512 \
 *       -I<python include> -Icact -DFN=gelu_tanh_f32 tools/c/f32_vs_rev.c -o /tmp/f32rev -lm && /tmp/f32rev
 * (-march=x86-64-v3, or none, for the other builds' code; -DARG=1.3 for a second argument, as
 * elu_f32's alpha; the result is rounded to float either way; QUICK=1 in the environment: the time only.) */
#include <Python.h>
#include "/tmp/math_old.h"
#include "_math.h"
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#ifndef FN
#define FN gelu_tanh_f32
#endif
#define CAT(a, b) a##b
#define NAME(p, f) CAT(p, f)
#define STR2(x) #x
#define STR(x) STR2(x)
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + 1e-9 * t.tv_nsec; }
#ifdef ARG
#define CALL(f, v) (float)f((v), ARG)
#else
#define CALL(f, v) (float)f(v)
#endif
__attribute__((noinline)) static void run_old(const float *x, float *y, long n) { for (long j = 0; j < n; j++) y[j] = CALL(NAME(old_, FN), x[j]); }
__attribute__((noinline)) static void run_new(const float *x, float *y, long n) { for (long j = 0; j < n; j++) y[j] = CALL(NAME(cact_, FN), x[j]); }
#define N (1 << 20)
int main(void) {
    static float x[N], y1[N], y2[N];
    long n = 16384, diff = 0;
    for (long i = 0; i < n; i++) x[i] = ((float)rand() / RAND_MAX - 0.5f) * 12;
    double b[2] = {1, 1};
    for (int r = 0; r < 3000; r++) {
        double t = now(); run_old(x, y1, n); t = now() - t; if (t < b[0]) b[0] = t;
        t = now(); run_new(x, y1, n); t = now() - t; if (t < b[1]) b[1] = t;
    }
    printf("%s: ns per value, old %.3f new %.3f (new / old %.3f)\n", STR(FN), b[0] / n * 1e9, b[1] / n * 1e9, b[1] / b[0]);
    for (uint64_t base = 0; base < (getenv("QUICK") ? 0ull : (1ull << 32)); base += N) {
        for (int i = 0; i < N; i++) { uint32_t u = (uint32_t)(base + i); memcpy(&x[i], &u, 4); }
        run_old(x, y1, N);
        run_new(x, y2, N);
        for (int i = 0; i < N; i++)
            if (memcmp(&y1[i], &y2[i], 4) && !(y1[i] != y1[i] && y2[i] != y2[i])) {
                if (diff < 5) printf("  x = %a: old %a new %a\n", x[i], y1[i], y2[i]);
                diff++;
            }
    }
    printf("all 2^32 floats: %ld differ\n", diff);
    return diff != 0;
}
