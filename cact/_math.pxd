# Declarations of the scalar math in _math.h (one value and one derivative per activation).
cdef extern from "_math.h" nogil:
    double cact_exp_diff(double x, double m)
    bint cact_all_finite(const double *v, Py_ssize_t n)
    double cact_sigmoid(double x)
    double cact_sigmoid_grad(double x)
    float cact_sigmoid_f32(float x)
    void cact_sigmoid_f32_span(const float *x, float *y, Py_ssize_t n)
    float cact_sigmoid_grad_f32(float x)
    float cact_sigmoid_bwd_f32(float x, float g)
    double cact_sigmoid_y_grad(double y)
    float cact_sigmoid_y_grad_f32(float y)
    float cact_sigmoid_y_bwd_f32(float y, float g)
    double cact_relu(double x)
    double cact_relu_grad(double x)
    float cact_relu_f32(float x)
    float cact_relu_grad_f32(float x)
    float cact_relu_bwd_f32(float x, float g)
    double cact_leaky_relu(double x, double a)
    double cact_leaky_relu_grad(double x, double a)
    bint cact_slope_f32_ok(double a)
    float cact_slope_hi(double a)
    float cact_slope_lo(double a)
    float cact_leaky_relu_f32(float x, float ah, float al)
    float cact_leaky_relu_grad_f32(float x, float ah, float al)
    float cact_leaky_relu_bwd_f32(float x, float g, float ah, float al)
    double cact_prelu_grad_alpha(double x)
    double cact_elu(double x, double a)
    double cact_elu_grad(double x, double a)
    double cact_elu_f32(float x, double a)
    double cact_elu_grad_f32(float x, double a)
    void cact_elu_grad_f32_run(const float *x, const float *g, float *y, Py_ssize_t n, double a)
    double cact_gelu_tanh(double x)
    float cact_gelu_tanh_f32(float x)
    double cact_gelu_tanh_grad(double x)
    void cact_gelu_tanh_grad_run(const double *x, const double *g, double *y, Py_ssize_t n)
    enum: CACT_GELU_BLOCK
    double cact_gelu_tanh_grad_f32(float x)
    double cact_gelu_erf(double x)
    double cact_gelu_erf_grad(double x)

cdef extern from "_omp.h" nogil:
    int CACT_OPENMP_ENABLED
    int omp_get_max_threads()
    void omp_set_num_threads(int n)

cdef extern from "_cpu.h" nogil:
    int cact_cpu_has_avx2_fma()
    int cact_cpu_has_avx512()

cdef extern from "_stream.h" nogil:
    Py_ssize_t cact_stream_default(Py_ssize_t mb512, Py_ssize_t mb256)
    enum: CACT_STREAM_BLOCK
    enum: CACT_CAN_STREAM
    bint cact_stream_here(const void *y, Py_ssize_t n, Py_ssize_t size, Py_ssize_t nbytes, bint fresh)
    Py_ssize_t cact_aligned_head(const void *y, Py_ssize_t n, Py_ssize_t size)
    Py_ssize_t cact_piece_start(const void *y, Py_ssize_t n, Py_ssize_t size, int t, int nt)
    void cact_stream_copy(const void *src, void *dst, Py_ssize_t nbytes)
    void cact_stream_fence()

cdef extern from "_steal.h" nogil:
    ctypedef struct cact_cursor:
        pass
    enum: CACT_MAX_TEAM
    int cact_team(int nt)
    void cact_cursors_init(cact_cursor *c, const void *y, Py_ssize_t n, Py_ssize_t size, int nt)
    bint cact_claim(cact_cursor *c, Py_ssize_t *lo, Py_ssize_t *hi)

cdef extern from "_softmax.h" nogil:
    enum: CACT_PF_FROM
    enum: CACT_SHORT_K_F32
    enum: CACT_SHORT_K_F64
    void cact_softmax_row_f32(const float *x, float *y, Py_ssize_t K, int next)
    void cact_softmax_row_f64(const double *x, double *y, Py_ssize_t K, int next)
    enum: CACT_COLS
    void cact_softmax_cols_f32(const float *x, Py_ssize_t xs, float *y, Py_ssize_t ys, Py_ssize_t K, int B, float *buf)
    void cact_softmax_cols_f64(const double *x, Py_ssize_t xs, double *y, Py_ssize_t ys, Py_ssize_t K, int B, double *buf)
    enum: CACT_PANEL_F32
    enum: CACT_PANEL_F64
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

cdef extern from "_prelu.h" nogil:
    enum: CACT_PRELU_RUN
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
