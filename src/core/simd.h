/* simd.h - the 4-lane vector helpers the kernels share (layers.c, conv.c).
 * GCC/Clang vector extensions: SSE natively, SIMD128 under emcc. Each lane
 * rounds exactly as the scalar code would, so lanes never change the bits. */
#ifndef SIMD_H
#define SIMD_H

#include <string.h>

typedef float f32x4 __attribute__((vector_size(16)));

static inline f32x4 load4(const float *p) {
    f32x4 v;
    memcpy(&v, p, sizeof v);
    return v;
}

static inline void store4(float *p, f32x4 v) { memcpy(p, &v, sizeof v); }

static inline f32x4 splat4(float x) { return (f32x4){x, x, x, x}; }

static inline float hsum4(f32x4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }

/* row[i] += d * x[i] for i < n (one rounding per element, so no order issue). */
static inline void axpy(float *row, float d, const float *x, int n) {
    int n4 = n & ~3;
    f32x4 dv = splat4(d);
    for (int i = 0; i < n4; i += 4) store4(row + i, load4(row + i) + dv * load4(x + i));
    for (int i = n4; i < n; i++) row[i] += d * x[i];
}

#endif
