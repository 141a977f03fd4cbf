/* OpenMP entry points that also exist when cact is built without OpenMP (then: one thread). */
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
#endif
