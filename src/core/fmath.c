/* fmath.c - exp and log of our own.
 * glibc's expf/logf and Emscripten's musl differ in the last bit for some
 * inputs, which would make native and WASM training drift apart. These use
 * only +, -, *, / and floor (exactly rounded everywhere), in a fixed order. */
#include <math.h>
#include <string.h>

#include "nn.h"

/* 2^k as a float, for -126 <= k <= 127. */
static float pow2i(int k) {
    uint32_t bits = (uint32_t)(k + 127) << 23;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

float nn_expf(float x) {
    if (x != x) return x;
    if (x > 88.72283f) return INFINITY;
    if (x < -103.97208f) return 0.0f;
    /* x = k ln2 + r, |r| <= ln2/2; ln2 split in two (Cody-Waite) so k*LN2_HI is exact. */
    const float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    float kf = floorf(x * 1.44269504f + 0.5f);
    int k = (int)kf;
    float r = x - kf * LN2_HI;
    r = r - kf * LN2_LO;
    /* e^r by its Taylor series to r^7: truncation error < 6e-9 relative. */
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    if (k > 127) return p * pow2i(127) * 2.0f;
    if (k < -126) return p * pow2i(k + 64) * pow2i(-64);
    return p * pow2i(k);
}

float nn_logf(float x) {
    if (x != x || x < 0.0f) return NAN;
    if (x == 0.0f) return -INFINITY;
    if (isinf(x)) return x;
    int e = 0;
    if (x < 1.17549435e-38f) { /* subnormal: make it normal first */
        x *= 8388608.0f;
        e = -23;
    }
    uint32_t bits;
    memcpy(&bits, &x, sizeof bits);
    e += (int)((bits >> 23) & 0xff) - 127;
    bits = (bits & 0x007fffffu) | 0x3f800000u; /* mantissa m in [1, 2) */
    float m;
    memcpy(&m, &bits, sizeof m);
    if (m > 1.41421356f) {
        m *= 0.5f;
        e += 1;
    }
    /* log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716 */
    float f = m - 1.0f;
    float s = f / (2.0f + f);
    float s2 = s * s;
    float q = 1.0f / 11.0f;
    q = q * s2 + 1.0f / 9.0f;
    q = q * s2 + 1.0f / 7.0f;
    q = q * s2 + 1.0f / 5.0f;
    q = q * s2 + 1.0f / 3.0f;
    q = q * s2 + 1.0f;
    float log_m = 2.0f * s * q;
    const float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    float ef = (float)e;
    return ef * LN2_HI + (log_m + ef * LN2_LO);
}

double nn_cospi(double x) {
    double sign = 1.0;
    if (x > 0.5) { /* cos(pi x) = -cos(pi (1 - x)): keeps t <= pi/2 */
        x = 1.0 - x;
        sign = -1.0;
    }
    double t = 3.14159265358979323846 * x, t2 = t * t, term = 1.0, sum = 1.0;
    for (int k = 1; k <= 12; k++) { /* Taylor series; the last term is below 1e-18 */
        term *= -t2 / (double)((2 * k - 1) * (2 * k));
        sum += term;
    }
    return sign * sum;
}
