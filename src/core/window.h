/* window.h - small helpers shared by the convolution kernels (conv.c,
 * winograd.c): partial vectors of channels, and a 2x2 pool window's maximum. */
#ifndef WINDOW_H
#define WINDOW_H

#include "nn.h"
#include "simd.h"
#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

static inline int imin(int a, int b) { return a < b ? a : b; }
static inline int imax(int a, int b) { return a > b ? a : b; }

/* v[0], v[stride], v[2 stride], v[3 stride], of which only the first n exist:
 * the missing lanes repeat the last one (computed with, never stored). */
static inline f32x4 lanes4(const float *v, long stride, int n) {
    if (n == 4 && stride == 1) return load4(v);
    return (f32x4){v[0], v[stride * imin(1, n - 1)], v[stride * imin(2, n - 1)],
                   v[stride * imin(3, n - 1)]};
}

/* The first n lanes of a into v[0], v[stride], ... */
static inline void store_lanes(float *v, long stride, f32x4 a, int n) {
    if (n == 4 && stride == 1) {
        store4(v, a);
        return;
    }
    /* lanes by constant index: a variable one would go through a copy on the stack */
    if (n > 0) v[0] = a[0];
    if (n > 1) v[stride] = a[1];
    if (n > 2) v[2 * stride] = a[2];
    if (n > 3) v[3 * stride] = a[3];
}

/* Output channels o.. in the kernels' groups: 8 (two vectors) while 8 are
 * left in O4, else 4. Returns the group's vectors nv; *n = its channels that
 * exist (<= 4 nv); bias[0..1] its biases, vector by vector. */
static inline int channel_group(const float *bias, int o, int O, int O4, int *n, f32x4 bv[2]) {
    int nv = o + 8 <= O4 ? 2 : 1;
    *n = imin(4 * nv, O - o);
    bv[0] = lanes4(bias + o, 1, imin(4, *n));
    bv[1] = nv == 2 ? lanes4(bias + o + 4, 1, *n - 4) : bv[0];
    return nv;
}

typedef int32_t i32x4 __attribute__((vector_size(16)));

/* Whether any lane of a mask (lanes 0 or -1) is set: one instruction under SIMD128
 * (reading the lanes one by one costs four extractions there). */
static inline int any4(i32x4 v) {
#ifdef __wasm_simd128__
    return wasm_v128_any_true((v128_t)v);
#else
    return (v[0] | v[1] | v[2] | v[3]) != 0;
#endif
}

/* where lanes of take are set, a; else b (bitwise, so the values are untouched). */
static inline f32x4 select4(i32x4 take, f32x4 a, f32x4 b) {
    return (f32x4)((take & (i32x4)a) | (~take & (i32x4)b));
}

/* One window's 4 pixel sums (+ bias) -> its maximum (the first on ties, in
 * row-major order), where it is, and ReLU of it: exactly what conv2d_forward,
 * relu_forward and maxpool_forward give for a window whose maximum is positive
 * (where it is not, the output is 0 and no gradient passes, wherever it was). */
static inline void pool_window4(float *out, int32_t *argmax, const f32x4 v[4], int y, int x, int n) {
    f32x4 m = v[0];
    i32x4 which = {0, 0, 0, 0}; /* the window's pixel p = 2 dy + dx holding the maximum */
    static const i32x4 pixel[4] = {{0, 0, 0, 0}, {1, 1, 1, 1}, {2, 2, 2, 2}, {3, 3, 3, 3}};
    for (int p = 1; p < 4; p++) {
        i32x4 gt = v[p] > m;
        m = select4(gt, v[p], m);
        which = (gt & pixel[p]) | (~gt & which);
    }
    int32_t corner = NN_AT(y, x);
    i32x4 at = (i32x4){corner, corner, corner, corner} + ((which >> 1) << 16) + (which & 1);
    store_lanes(out, 1, select4(m > splat4(0.0f), m, splat4(0.0f)), n);
    if (n == 4) memcpy(argmax, &at, sizeof at);
    else
        for (int l = 0; l < n; l++) argmax[l] = at[l];
}

#endif
