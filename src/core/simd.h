/* simd.h - the 4-lane vector helpers the kernels share (layers.c, conv.c).
 * GCC/Clang vector extensions: SSE natively, SIMD128 under emcc. Each lane
 * rounds exactly as the scalar code would, so lanes never change the bits:
 * except in the optional relaxed-SIMD module (MNIST_RELAXED_SIMD, `make
 * wasm-relaxed`), whose madd4 is the engine's fused multiply-add. */
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

/* acc + a * b: two roundings (the build never contracts), so every build gets
 * the same bits; the relaxed-SIMD module fuses it (f32x4.relaxed_madd: one
 * rounding where the CPU has FMA, two where it has not), trading bit identity
 * for speed. */
static inline f32x4 madd4(f32x4 acc, f32x4 a, f32x4 b) {
#ifdef MNIST_RELAXED_SIMD
    return __builtin_wasm_relaxed_madd_f32x4(a, b, acc);
#else
    return acc + a * b;
#endif
}

static inline float hsum4(f32x4 v) { return (v[0] + v[1]) + (v[2] + v[3]); }

/* row[i] += d * x[i] for i < n (one rounding per element, so no order issue);
 * 16 at a time, then 4, then one by one. */
static inline void axpy(float *row, float d, const float *x, int n) {
    f32x4 dv = splat4(d);
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        f32x4 r0 = madd4(load4(row + i), dv, load4(x + i)), r1 = madd4(load4(row + i + 4), dv, load4(x + i + 4));
        f32x4 r2 = madd4(load4(row + i + 8), dv, load4(x + i + 8)), r3 = madd4(load4(row + i + 12), dv, load4(x + i + 12));
        store4(row + i, r0);
        store4(row + i + 4, r1);
        store4(row + i + 8, r2);
        store4(row + i + 12, r3);
    }
    for (; i + 4 <= n; i += 4) store4(row + i, madd4(load4(row + i), dv, load4(x + i)));
    for (; i < n; i++) row[i] += d * x[i];
}

#endif
