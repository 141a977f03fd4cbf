/* Checks that cact_expf_neg_2p100 (2^(k+100) built as a float, one FMA) gives the same bits as the
 * earlier form (2^100 (1 + t) rounded, then 2^k added to the exponent, with a NaN guard on k), over
 * every 97th float bit pattern (NaN payloads included: NaN counts as equal) and 2e7 random (h, lo).
 *   gcc -O2 -fno-math-errno -fno-trapping-math -ffp-contract=off -march=x86-64-v4 \
 *       -I$(python -c "import sysconfig;print(sysconfig.get_paths()['include'])") -Icact \
 *       tools/c/expf_scale_check.c -o /tmp/esc -lm && /tmp/esc */
#include <Python.h>
#include "_math.h"
#include <stdio.h>
#include <stdlib.h>

static float old_neg_2p100(float h, float lo) {
    float ks, hc = h < -110.0f ? -110.0f : h;
    float t = cact_expf_t(hc, lo, &ks);
    return cact_ldexpf_ks(CACT_MADDF(t, CACT_2P100F, CACT_2P100F), ks);
}

int main(void) {
    long bad = 0, n = 0;
    for (unsigned u = 0;; u += 97) {
        float h;
        memcpy(&h, &u, 4);
        h = -fabsf(h);
        if (!(h == h && h < -200)) {
            float a = old_neg_2p100(h, -0.0f), b = cact_expf_neg_2p100(h, -0.0f);
            n++;
            if ((a != a) || (b != b)) bad += (a != a) != (b != b);
            else bad += memcmp(&a, &b, 4) != 0;
        }
        if (u > 0xFFFFFFFFu - 97) break;
    }
    for (long i = 0; i < 20000000; i++) {
        float h = -(float)rand() / RAND_MAX * 120, lo = ((float)rand() / RAND_MAX - 0.5f) * 1e-6f;
        float a = old_neg_2p100(h, lo), b = cact_expf_neg_2p100(h, lo);
        n++;
        bad += memcmp(&a, &b, 4) != 0;
    }
    printf("%ld checked, %ld differ (NaN counted as equal)\n", n, bad);
    return bad != 0;
}
