# The drivers' view of the kernels (driver/table.h): the table in use, the row kernels through it,
# and the driver helpers (threads, partitions, stealing). Nothing here is compiled per ISA.
cdef extern from "driver/omp.h" nogil:
    int CACT_OPENMP_ENABLED
    int omp_get_max_threads()
    void omp_set_num_threads(int n)
    void cact_threads_init()
    int cact_max_threads()
    void cact_set_threads(int n)
    int cact_team_threads()
    ctypedef struct cact_region:
        pass
    void cact_region_begin(cact_region *r)
    void cact_region_arrive(cact_region *r)
    void cact_region_end(cact_region *r)
    void cact_set_adaptive(int on)
    int cact_get_adaptive()
    long long cact_late_regions()
    void cact_set_adaptive_params(long long late_ns, long long backoff_min_ns)
    long long cact_get_late_ns()
    long long cact_get_backoff_min_ns()

cdef extern from "driver/cpu.h" nogil:
    int cact_cpu_has_avx2_fma()
    int cact_cpu_has_avx512()
    int cact_cpu_is_intel()

cdef extern from "driver/table.h" nogil:
    enum: CACT_N_KERNELS
    enum: CACT_FWD
    enum: CACT_GRAD
    enum: CACT_BWD
    enum: CACT_F32
    enum: CACT_F64
    enum: CACT_F16
    enum: CACT_BF16
    enum: CACT_STREAM_BLOCK
    enum: CACT_COLS
    enum: CACT_PANEL_F32
    enum: CACT_PANEL_F64
    enum: CACT_PF_FROM
    enum: CACT_PRELU_RUN
    ctypedef struct cact_par:
        double p[3]
        float ph, pl
        int ok
    ctypedef struct cact_ew_kernel:
        pass
    const cact_ew_kernel *cact_ew_kernel_at(int k)
    ctypedef void (*cact_ew_fn)(const void *x, const void *g, void *y, Py_ssize_t n, const cact_par *P) noexcept nogil
    int cact_select(int level)
    const char *cact_isa_name()
    Py_ssize_t cact_stream_align()
    int cact_stream_wide()
    cact_ew_fn cact_ew_block(int k, int op, int dt)
    cact_ew_fn cact_ew_stream(int k, int op, int dt)
    void cact_prep(cact_par *P)
    void cact_sigmoid_f32_loop(const float *x, float *y, Py_ssize_t n)
    # per-ISA values, read from the table in use
    Py_ssize_t CACT_SHORT_K_F32
    Py_ssize_t CACT_SHORT_K_F64
    bint CACT_CAN_STREAM
    bint cact_stream_here(const void *y, Py_ssize_t n, Py_ssize_t size, Py_ssize_t nbytes, bint fresh)
    Py_ssize_t cact_aligned_head(const void *y, Py_ssize_t n, Py_ssize_t size)
    Py_ssize_t cact_piece_start(const void *y, Py_ssize_t n, Py_ssize_t size, int t, int nt)
    void cact_stream_copy(const void *src, void *dst, Py_ssize_t nbytes)
    void cact_stream_fence()
    void cact_half_widen(int bf, const unsigned short *h, void *dst, Py_ssize_t n, int f64)
    void cact_half_narrow(int bf, const void *src, unsigned short *h, Py_ssize_t n, int f64)
    double cact_exp_diff(double x, double m)
    bint cact_all_finite(const double *v, Py_ssize_t n)
    void cact_softmax_row_f32(const float *x, float *y, Py_ssize_t K, int next)
    void cact_softmax_row_f64(const double *x, double *y, Py_ssize_t K, int next)
    void cact_softmax_cols_f32(const float *x, Py_ssize_t xs, float *y, Py_ssize_t ys, Py_ssize_t K, int B, float *buf)
    void cact_softmax_cols_f64(const double *x, Py_ssize_t xs, double *y, Py_ssize_t ys, Py_ssize_t K, int B, double *buf)
    void cact_softmax_vjp_y_panel_f32(const float *y, Py_ssize_t ys, const float *g, Py_ssize_t gs, float *out, Py_ssize_t os, Py_ssize_t K, int B)
    void cact_softmax_vjp_y_panel_f64(const double *y, Py_ssize_t ys, const double *g, Py_ssize_t gs, double *out, Py_ssize_t os, Py_ssize_t K, int B)
    void cact_softmax_vjp_cols_f32(const float *x, Py_ssize_t xs, const float *g, Py_ssize_t gs, float *out, Py_ssize_t os, Py_ssize_t K, int B, float *buf, int from_y)
    void cact_softmax_vjp_cols_f64(const double *x, Py_ssize_t xs, const double *g, Py_ssize_t gs, double *out, Py_ssize_t os, Py_ssize_t K, int B, double *buf, int from_y)
    void cact_softmax_short_rows_f32(const float *x, float *y, Py_ssize_t K, int B)
    void cact_softmax_short_rows_f64(const double *x, double *y, Py_ssize_t K, int B)
    void cact_softmax_vjp_short_rows_f32(const float *x, const float *g, float *out, Py_ssize_t K, int B, int from_y)
    void cact_softmax_vjp_short_rows_f64(const double *x, const double *g, double *out, Py_ssize_t K, int B, int from_y)
    void cact_softmax_vjp_row_f32(const float *x, const float *g, float *out, Py_ssize_t K, int next)
    void cact_softmax_vjp_row_f64(const double *x, const double *g, double *out, Py_ssize_t K, int next)
    void cact_softmax_vjp_y_row_f32(const float *y, const float *g, float *out, Py_ssize_t K)
    void cact_softmax_vjp_y_row_f64(const double *y, const double *g, double *out, Py_ssize_t K)
    void cact_softmax_vjp_y_rows_f32(const float *y, const float *g, float *out, Py_ssize_t K, Py_ssize_t R, float *buf)
    void cact_softmax_vjp_y_rows_f64(const double *y, const double *g, double *out, Py_ssize_t K, Py_ssize_t R, double *buf)
    void cact_log_softmax_row_f32(const float *x, float *y, Py_ssize_t K)
    void cact_log_softmax_row_f64(const double *x, double *y, Py_ssize_t K)
    void cact_log_softmax_vjp_row_f32(const float *x, const float *g, float *out, Py_ssize_t K, int from_y)
    void cact_log_softmax_vjp_row_f64(const double *x, const double *g, double *out, Py_ssize_t K, int from_y)
    void cact_gated_f32(const cact_ew_kernel *e, int op, int second, const float *a, const float *b,
                        const float *g, float *ya, float *yb, Py_ssize_t n, const cact_par *P, int exact)
    void cact_gated_f64(const cact_ew_kernel *e, int op, int second, const double *a, const double *b,
                        const double *g, double *ya, double *yb, Py_ssize_t n, const cact_par *P, int exact)
    void cact_gated_rows_f32(const cact_ew_kernel *e, int op, int second, const float *x, const float *g, float *y,
                             Py_ssize_t L, Py_ssize_t r0, Py_ssize_t r1, const cact_par *P, int exact)
    void cact_gated_rows_f64(const cact_ew_kernel *e, int op, int second, const double *x, const double *g, double *y,
                             Py_ssize_t L, Py_ssize_t r0, Py_ssize_t r1, const cact_par *P, int exact)
    void cact_log_softmax_short_rows_f32(const float *x, float *y, Py_ssize_t K, int B)
    void cact_log_softmax_short_rows_f64(const double *x, double *y, Py_ssize_t K, int B)
    bint cact_prelu_pairs_f32(const double *alpha, Py_ssize_t C, Py_ssize_t rows, float *ah, float *al)
    void cact_prelu_fwd_block_pairs_f32(const float *x, const float *ah, const float *al, float *y,
                                        Py_ssize_t o0, Py_ssize_t o1, Py_ssize_t C, Py_ssize_t I, int stream)
    void cact_prelu_fwd_block_f32(const float *x, const double *alpha, float *y, Py_ssize_t o0,
                                  Py_ssize_t o1, Py_ssize_t C, Py_ssize_t I)
    void cact_prelu_fwd_block_f64(const double *x, const double *alpha, double *y, Py_ssize_t o0,
                                  Py_ssize_t o1, Py_ssize_t C, Py_ssize_t I)
    void cact_prelu_grad_block_f32(const float *x, const float *g, const double *alpha, float *y,
                                   double *acc, double *comp, Py_ssize_t o0, Py_ssize_t o1,
                                   Py_ssize_t C, Py_ssize_t I)
    void cact_prelu_grad_block_f64(const double *x, const double *g, const double *alpha, double *y,
                                   double *acc, double *comp, Py_ssize_t o0, Py_ssize_t o1,
                                   Py_ssize_t C, Py_ssize_t I)

cdef extern from "driver/steal.h" nogil:
    ctypedef struct cact_cursor:
        pass
    enum: CACT_MAX_TEAM
    int cact_team(int nt)
    void cact_cursors_init(cact_cursor *c, const void *y, Py_ssize_t n, Py_ssize_t size, int nt, Py_ssize_t align)
    bint cact_claim(cact_cursor *c, Py_ssize_t *lo, Py_ssize_t *hi)
