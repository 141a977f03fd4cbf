/* Does this CPU (and OS) run the x86-64-v3 (AVX2 + FMA) build of the kernels? */
#ifndef CACT_CPU_H
#define CACT_CPU_H
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
static int cact_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#else
static int cact_cpu_has_avx2_fma(void) { return 0; }
#endif
#endif
