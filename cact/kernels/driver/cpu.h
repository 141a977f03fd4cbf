/* Which builds of the kernels can this CPU (and OS) run: x86-64-v3 (AVX2 + FMA) and x86-64-v4
 * (AVX-512 F, BW, CD, DQ, VL on top of v3)? __builtin_cpu_supports also checks that the OS saves
 * the vector registers (XCR0). */
#ifndef CACT_CPU_H
#define CACT_CPU_H
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
static int cact_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
static int cact_cpu_has_avx512(void) {
    __builtin_cpu_init();
    return cact_cpu_has_avx2_fma() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")
        && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq")
        && __builtin_cpu_supports("avx512vl");
}
/* an Intel CPU: where the AVX-512 build's streaming thresholds were measured (driver/stream.h) */
static int cact_cpu_is_intel(void) {
    __builtin_cpu_init();
    return __builtin_cpu_is("intel");
}
#else
static int cact_cpu_has_avx2_fma(void) { return 0; }
static int cact_cpu_has_avx512(void) { return 0; }
static int cact_cpu_is_intel(void) { return 0; }
#endif
#endif
