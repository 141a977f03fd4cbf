/* OpenMP entry points that also exist when cact is built without OpenMP (then: one thread), and
 * cact's process-wide thread setting. */
#ifndef CACT_OMP_H
#define CACT_OMP_H
#ifdef _OPENMP
#include <omp.h>
#define CACT_OPENMP_ENABLED 1
#else
#define CACT_OPENMP_ENABLED 0
static inline int omp_get_max_threads(void) { return 1; }
static inline void omp_set_num_threads(int n) { (void)n; }
#endif

/* cact.set_num_threads(n) is process-wide (as PyTorch's), but OpenMP's team size (nthreads-var) is
 * a per-thread setting: a Python thread starts at the default whatever the main thread set. So cact
 * keeps its own value and leaves nthreads-var alone. A call's team is
 *   - nthreads-var, when set_num_threads was never called (OMP_NUM_THREADS, threadpoolctl apply);
 *   - n, when the calling thread's nthreads-var is the process default (read at import: nothing
 *     limited this thread), so n may also exceed the default;
 *   - min(n, nthreads-var) otherwise: a limit set in this thread (threadpoolctl's, or an
 *     omp_set_num_threads) caps its calls, as it caps every OpenMP library's. */
static int cact_threads_value;      /* 0: never set */
static int cact_threads_default;

static inline void cact_threads_init(void) { cact_threads_default = omp_get_max_threads(); }

/* the team size of a call made from this thread */
static inline int cact_max_threads(void) {
    int v = omp_get_max_threads();
    int n = __atomic_load_n(&cact_threads_value, __ATOMIC_RELAXED);
    return n && (v == cact_threads_default || v > n) ? n : v;
}

static inline void cact_set_threads(int n) { __atomic_store_n(&cact_threads_value, n, __ATOMIC_RELAXED); }
#endif
