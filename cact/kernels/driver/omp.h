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

/* ---- adaptive teams: never wait for a core that is not there ---------------------------------
 * A parallel region ends at a barrier: when another process holds a team thread's core, the call
 * waits for the scheduler to give that thread a slice (milliseconds, hundreds of times the call).
 * So a call runs serially (cact_team_threads: 1)
 *   - while a team thread's late arrival (cact_late_ns after the region began) is recent: the
 *     first late region starts a serial spell of cact_backoff_min_ns; a late region within
 *     CACT_PROBE_NS after a spell ended (the probe) makes the next spell 4 times longer (up to
 *     CACT_BACKOFF_MAX_NS), so a busy machine is probed with a parallel call at most every 2 s;
 *     an idle one keeps its threads (a thread woken from its futex arrives in tens of
 *     microseconds, one whose core another process holds a scheduler slice, milliseconds, later;
 *     a VM's host rarely delays one that long: a spell of 0.1 s);
 *   - while another thread's cact region runs, or another thread made a large call in the last
 *     50 ms (callers in a thread pool: their teams would fight for the same cores), or inside any
 *     OpenMP region (nested teams);
 * and never uses more threads than cact_max_threads (the settings). cact.set_adaptive_threads(False)
 * or CACT_ADAPTIVE_THREADS=0 switch it off. Results do not depend on the team. */
#include <stdint.h>
#include <time.h>
static int64_t cact_late_ns = 2000000;           /* a team thread this late: its core was taken */
static int64_t cact_backoff_min_ns = 100000000;  /* the first serial spell */
#define CACT_BACKOFF_MAX_NS 2000000000LL
#define CACT_PROBE_NS 100000000LL

static int cact_adaptive_on = 1;
static int cact_regions_active;
static int64_t cact_serial_until, cact_backoff, cact_late_count;

static inline int64_t cact_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline int cact_in_parallel(void) {
#ifdef _OPENMP
    return omp_in_parallel();
#else
    return 0;
#endif
}

/* Callers: the thread that made the last large call, and when another thread last took over.
 * Large calls from two or more threads within CACT_CALLERS_NS of each other run serially: their
 * teams would share the cores (and each Python thread's OpenMP pool spins after its regions). */
#define CACT_CALLERS_NS 50000000LL
static uintptr_t cact_last_caller;
static int64_t cact_caller_switch;

static inline uintptr_t cact_caller_id(void) {
    static __thread char here;
    return (uintptr_t)&here;
}

/* the team of a parallel call made from this thread now */
static inline int cact_team_threads(void) {
    int n = cact_max_threads();
    if (n < 2 || !__atomic_load_n(&cact_adaptive_on, __ATOMIC_RELAXED))
        return n;
    if (cact_in_parallel() || __atomic_load_n(&cact_regions_active, __ATOMIC_RELAXED) > 0)
        return 1;
    int64_t now = cact_now_ns();
    uintptr_t me = cact_caller_id(), last = __atomic_load_n(&cact_last_caller, __ATOMIC_RELAXED);
    if (last != me) {   /* (the first caller of the process is no switch) */
        __atomic_store_n(&cact_last_caller, me, __ATOMIC_RELAXED);
        if (last)
            __atomic_store_n(&cact_caller_switch, now, __ATOMIC_RELAXED);
    }
    if (now - __atomic_load_n(&cact_caller_switch, __ATOMIC_RELAXED) < CACT_CALLERS_NS)
        return 1;
    if (__atomic_load_n(&cact_serial_until, __ATOMIC_RELAXED) > now)
        return 1;
    return n;
}

/* a parallel region's record: its start, the largest lateness of a team thread, and whether
 * another cact region ran beside it (two callers that both found none running: then lateness is
 * their own teams', not another process's, and is not counted) */
typedef struct { int64_t t0; int64_t late; uint64_t seen; int64_t epoch; int shared, nested; } cact_region;
static int64_t cact_region_epoch;

static inline void cact_region_begin(cact_region *r) {
    r->late = 0;
    r->seen = 0;
    r->nested = cact_in_parallel();
    if (!r->nested) {
        r->shared = __atomic_fetch_add(&cact_regions_active, 1, __ATOMIC_RELAXED) > 0;
        r->epoch = __atomic_add_fetch(&cact_region_epoch, 1, __ATOMIC_RELAXED);
    }
    r->t0 = cact_now_ns();
}

/* in the region's body: a team thread's first arrival (cheap after that: one shared load) */
static inline void cact_region_arrive(cact_region *r) {
#ifdef _OPENMP
    int t = omp_get_thread_num();
    uint64_t bit = (uint64_t)1 << (t & 63);
    if (t == 0 || (__atomic_load_n(&r->seen, __ATOMIC_RELAXED) & bit))
        return;
    __atomic_fetch_or(&r->seen, bit, __ATOMIC_RELAXED);
    int64_t d = cact_now_ns() - r->t0;
    if (d > __atomic_load_n(&r->late, __ATOMIC_RELAXED))
        __atomic_store_n(&r->late, d, __ATOMIC_RELAXED);
#else
    (void)r;
#endif
}

static inline void cact_region_end(cact_region *r) {
    if (r->nested)
        return;
    __atomic_fetch_sub(&cact_regions_active, 1, __ATOMIC_RELAXED);
    if (r->late <= cact_late_ns || !__atomic_load_n(&cact_adaptive_on, __ATOMIC_RELAXED) || r->shared
            || __atomic_load_n(&cact_region_epoch, __ATOMIC_RELAXED) != r->epoch
            || __atomic_load_n(&cact_caller_switch, __ATOMIC_RELAXED) >= r->t0)
        return;   /* (late for our own callers' work, not another process's) */
    int64_t now = cact_now_ns(), b = __atomic_load_n(&cact_backoff, __ATOMIC_RELAXED);
    /* late again on the probe right after a spell: a longer spell; late at some other time: the first */
    b = now - __atomic_load_n(&cact_serial_until, __ATOMIC_RELAXED) < CACT_PROBE_NS && b ? 4 * b : cact_backoff_min_ns;
    b = b > CACT_BACKOFF_MAX_NS ? CACT_BACKOFF_MAX_NS : b;
    __atomic_store_n(&cact_backoff, b, __ATOMIC_RELAXED);
    __atomic_store_n(&cact_serial_until, now + b, __ATOMIC_RELAXED);
    __atomic_fetch_add(&cact_late_count, 1, __ATOMIC_RELAXED);
}

static inline void cact_set_adaptive(int on) {
    __atomic_store_n(&cact_adaptive_on, on, __ATOMIC_RELAXED);
    __atomic_store_n(&cact_serial_until, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&cact_backoff, 0, __ATOMIC_RELAXED);
}
static inline int cact_get_adaptive(void) { return __atomic_load_n(&cact_adaptive_on, __ATOMIC_RELAXED); }
static inline void cact_set_adaptive_params(int64_t late_ns, int64_t backoff_min_ns) {
    cact_late_ns = late_ns;
    cact_backoff_min_ns = backoff_min_ns;
}
static inline int64_t cact_get_late_ns(void) { return cact_late_ns; }
static inline int64_t cact_get_backoff_min_ns(void) { return cact_backoff_min_ns; }
static inline int64_t cact_late_regions(void) { return __atomic_load_n(&cact_late_count, __ATOMIC_RELAXED); }
#endif
