/* conv.c - 2-D convolution and max-pooling, each a forward/backward pair
 * (the convolutional layers; layers.c has the dense ones and ReLU, which
 * works on any flat tensor).
 *
 * Layout NHWC: a tensor (B,H,W,C) is B samples of H rows of W pixels of C
 * channels, channels contiguous. A convolution's weight is (O,K,K,C): for
 * each output channel a K x K x C filter, row-major; its bias is (O). Stride
 * 1 and `pad` zeros on every side (conv_shape in nn.h), so
 *   out[b][y][x][o] = bias[o] + sum_{ky,kx,c} inp[b][y+ky-pad][x+kx-pad][c] weight[o][ky][kx][c]
 * where taps falling outside the image are skipped (they read zeros).
 * Backward functions ADD weight/bias gradients (summed over samples); the
 * 1/m and the step happen in the optimiser, as for the dense layers.
 *
 * Four output channels share a vector (lanes o..o+3; a last group of fewer
 * channels computes in the same lanes and stores only its own). Each lane sums
 * its terms in one order fixed by this code, whatever its lane, its group or
 * the split of work over threads, and the build forbids FMA contraction, so
 * gcc (SSE) and emcc (SIMD128) produce the same bits:
 *   forward      the taps in (ky, kx, c) order, then + bias;
 *   dW, db       one term per output pixel in (b, y, x) order, added to the
 *                gradient already there (as dense_backward_params does);
 *   dX           one term per (y, x, o) in that order, zero terms skipped.
 */
#include <string.h>

#include "nn.h"
#include "simd.h"

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
    for (int l = 0; l < n; l++) v[l * stride] = a[l];
}

/* ---- convolution, forward ------------------------------------------------------- */

/* Tap t of the filters w[0..3] (one per lane). */
static inline f32x4 wtap(const float *const *w, long t) {
    return (f32x4){w[0][t], w[1][t], w[2][t], w[3][t]};
}

/* Output pixel (y, x) of one sample img (H,W,C) for the 4 filters w, without
 * the bias: rows ky0 <= ky < ky1 of the kernel are inside the image. */
static f32x4 conv_pixel(const float *img, const float *const *w, const conv_shape *s,
                        int y, int x, int ky0, int ky1) {
    int K = s->K, C = s->C, W = s->W, pad = s->pad;
    int kx0 = imax(0, pad - x), kx1 = imin(K, W + pad - x);
    f32x4 acc = splat4(0.0f);
    for (int ky = ky0; ky < ky1; ky++)
        for (int kx = kx0; kx < kx1; kx++) {
            const float *ip = img + ((long)(y + ky - pad) * W + (x + kx - pad)) * C;
            long t = (long)(ky * K + kx) * C;
            for (int c = 0; c < C; c++) acc += splat4(ip[c]) * wtap(w, t + c);
        }
    return acc;
}

/* Output pixels (y, x..x+3), all four with every column of the kernel inside
 * the image: each lane's sum in conv_pixel's order, one weight load per 4 pixels. */
static void conv_pixels4(f32x4 acc[4], const float *img, const float *const *w,
                         const conv_shape *s, int y, int x, int ky0, int ky1) {
    int K = s->K, C = s->C, W = s->W, pad = s->pad;
    f32x4 a0 = splat4(0.0f), a1 = a0, a2 = a0, a3 = a0;
    for (int ky = ky0; ky < ky1; ky++)
        for (int kx = 0; kx < K; kx++) {
            const float *ip = img + ((long)(y + ky - pad) * W + (x + kx - pad)) * C;
            long t = (long)(ky * K + kx) * C;
            for (int c = 0; c < C; c++) {
                f32x4 wv = wtap(w, t + c);
                a0 += splat4(ip[c]) * wv;
                a1 += splat4(ip[C + c]) * wv;
                a2 += splat4(ip[2 * C + c]) * wv;
                a3 += splat4(ip[3 * C + c]) * wv;
            }
        }
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
}

void conv2d_forward(float *out, const float *inp, const float *weight, const float *bias,
                    const conv_shape *s, int b0, int b1) {
    /* inp (B,H,W,C), weight (O,K,K,C), bias (O) -> out (B,OH,OW,O) for samples
     * b0 <= b < b1, OH = H+2pad-K+1, OW = W+2pad-K+1:
     *   out[b][y][x][o] = sum_{ky,kx,c} inp[b][y+ky-pad][x+kx-pad][c] weight[o][ky][kx][c] + bias[o]
     * Each sample alone, so callers may split B. */
    int H = s->H, W = s->W, C = s->C, K = s->K, pad = s->pad, O = s->O;
    int OH = H + 2 * pad - K + 1, OW = W + 2 * pad - K + 1;
    long taps = (long)K * K * C;
    /* Columns whose every kernel column is inside the image: pad <= x <= W+pad-K. */
    int xa = imin(pad, OW), xb = imax(xa, imin(OW, W + pad - K + 1));
    for (int b = b0; b < b1; b++) {
        const float *img = inp + (long)b * H * W * C;
        for (int o = 0; o < O; o += 4) {
            int n = imin(4, O - o);
            const float *w[4];
            for (int l = 0; l < 4; l++) w[l] = weight + (long)imin(o + l, O - 1) * taps;
            f32x4 bv = lanes4(bias + o, 1, n);
            for (int y = 0; y < OH; y++) {
                int ky0 = imax(0, pad - y), ky1 = imin(K, H + pad - y);
                float *orow = out + ((long)b * OH + y) * OW * O + o;
                int x = 0;
                for (; x < xa; x++)
                    store_lanes(orow + (long)x * O, 1, conv_pixel(img, w, s, y, x, ky0, ky1) + bv, n);
                for (; x + 4 <= xb; x += 4) {
                    f32x4 acc[4];
                    conv_pixels4(acc, img, w, s, y, x, ky0, ky1);
                    for (int p = 0; p < 4; p++) store_lanes(orow + (long)(x + p) * O, 1, acc[p] + bv, n);
                }
                for (; x < OW; x++)
                    store_lanes(orow + (long)x * O, 1, conv_pixel(img, w, s, y, x, ky0, ky1) + bv, n);
            }
        }
    }
}

/* ---- convolution, backward ------------------------------------------------------ */

/* The output pixels (b, y, x) whose tap (ky, kx) lies inside the image. */
typedef struct {
    int B, OH, OW, ya, yb, xa, xb;
} tap_range;

static tap_range tap_pixels(const conv_shape *s, int B, int ky, int kx) {
    int OH = s->H + 2 * s->pad - s->K + 1, OW = s->W + 2 * s->pad - s->K + 1;
    tap_range r = {B, OH, OW, imax(0, s->pad - ky), imin(OH, s->H + s->pad - ky),
                   imax(0, s->pad - kx), imin(OW, s->W + s->pad - kx)};
    return r;
}

/* dw[l*taps + j] += sum over the pixels of r of dout[pixel][o+l] inp[pixel + tap][c+j]
 * for channels j < nc (nc = 4, or 1 for the tail), lanes l < n. */
static void conv_grad_tap(float *dw, long taps, int n, int nc, const float *dout, const float *inp,
                          const conv_shape *s, const tap_range *r, int ky, int kx, int c) {
    int H = s->H, W = s->W, C = s->C, O = s->O;
    f32x4 a0 = lanes4(dw, taps, n), a1 = a0, a2 = a0, a3 = a0;
    if (nc == 4) {
        a1 = lanes4(dw + 1, taps, n);
        a2 = lanes4(dw + 2, taps, n);
        a3 = lanes4(dw + 3, taps, n);
    }
    for (int b = 0; b < r->B; b++)
        for (int y = r->ya; y < r->yb; y++) {
            const float *drow = dout + ((long)b * r->OH + y) * r->OW * O;
            const float *irow = inp + ((long)b * H + y + ky - s->pad) * W * C + c;
            for (int x = r->xa; x < r->xb; x++) {
                f32x4 d = lanes4(drow + (long)x * O, 1, n);
                const float *ip = irow + (long)(x + kx - s->pad) * C;
                a0 += d * splat4(ip[0]);
                if (nc == 4) {
                    a1 += d * splat4(ip[1]);
                    a2 += d * splat4(ip[2]);
                    a3 += d * splat4(ip[3]);
                }
            }
        }
    store_lanes(dw, taps, a0, n);
    if (nc == 4) {
        store_lanes(dw + 1, taps, a1, n);
        store_lanes(dw + 2, taps, a2, n);
        store_lanes(dw + 3, taps, a3, n);
    }
}

void conv2d_backward_params(float *dweight, float *dbias, const float *dout, const float *inp,
                            const conv_shape *s, int B, int o0, int o1) {
    /* dout (B,OH,OW,O), inp (B,H,W,C) -> for output channels o0 <= o < o1:
     *   dweight[o][ky][kx][c] (O,K,K,C) += sum_{b,y,x} dout[b][y][x][o] inp[b][y+ky-pad][x+kx-pad][c]
     *   dbias[o] (O)                    += sum_{b,y,x} dout[b][y][x][o]
     * one term per output pixel in (b, y, x) order, so callers may split O. */
    int K = s->K, C = s->C, O = s->O;
    long taps = (long)K * K * C;
    long pixels = (long)B * (s->H + 2 * s->pad - K + 1) * (s->W + 2 * s->pad - K + 1);
    for (int o = o0; o < o1; o += 4) {
        int n = imin(4, o1 - o);
        f32x4 db = lanes4(dbias + o, 1, n);
        for (long p = 0; p < pixels; p++) db += lanes4(dout + p * O + o, 1, n);
        store_lanes(dbias + o, 1, db, n);
        for (int ky = 0; ky < K; ky++)
            for (int kx = 0; kx < K; kx++) {
                tap_range r = tap_pixels(s, B, ky, kx);
                float *dw = dweight + (long)o * taps + (long)(ky * K + kx) * C;
                int c = 0;
                for (; c + 4 <= C; c += 4) conv_grad_tap(dw + c, taps, n, 4, dout + o, inp, s, &r, ky, kx, c);
                for (; c < C; c++) conv_grad_tap(dw + c, taps, n, 1, dout + o, inp, s, &r, ky, kx, c);
            }
    }
}

void conv2d_backward_input(float *dinp, const float *dout, const float *weight,
                           const conv_shape *s, int b0, int b1) {
    /* dout (B,OH,OW,O), weight (O,K,K,C) -> dinp (B,H,W,C) for samples b0 <= b < b1:
     *   dinp[b][y+ky-pad][x+kx-pad][c] = sum_{y,x,o} dout[b][y][x][o] weight[o][ky][kx][c]
     * one term per (y, x, o) in that order, zeros skipped (dX = W^T dY, transposed
     * convolution); each sample alone, so callers may split B. */
    int H = s->H, W = s->W, C = s->C, K = s->K, pad = s->pad, O = s->O;
    int OH = H + 2 * pad - K + 1, OW = W + 2 * pad - K + 1;
    long taps = (long)K * K * C, image = (long)H * W * C;
    memset(dinp + b0 * image, 0, sizeof(float) * (size_t)((b1 - b0) * image));
    for (int b = b0; b < b1; b++) {
        float *dimg = dinp + b * image;
        for (int y = 0; y < OH; y++) {
            int ky0 = imax(0, pad - y), ky1 = imin(K, H + pad - y);
            for (int x = 0; x < OW; x++) {
                int kx0 = imax(0, pad - x), kx1 = imin(K, W + pad - x);
                const float *d = dout + (((long)b * OH + y) * OW + x) * O;
                for (int o = 0; o < O; o++) {
                    if (d[o] == 0.0f) continue; /* adding 0 * w would change nothing */
                    for (int ky = ky0; ky < ky1; ky++)
                        for (int kx = kx0; kx < kx1; kx++)
                            axpy(dimg + ((long)(y + ky - pad) * W + (x + kx - pad)) * C, d[o],
                                 weight + o * taps + (long)(ky * K + kx) * C, C);
                }
            }
        }
    }
}

void conv2d_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                     const float *inp, const float *weight, const conv_shape *s, int B) {
    /* dout (B,OH,OW,O), inp (B,H,W,C), weight (O,K,K,C) ->
     *   dweight (O,K,K,C) += correlation of inp with dout, dbias (O) += sum of dout
     *   (conv2d_backward_params), dinp (B,H,W,C) = transposed convolution of dout
     *   (conv2d_backward_input; skipped when dinp is NULL, as for the first layer) */
    conv2d_backward_params(dweight, dbias, dout, inp, s, B, 0, s->O);
    if (dinp) conv2d_backward_input(dinp, dout, weight, s, 0, B);
}

/* ---- max-pooling ----------------------------------------------------------------------- */

void maxpool_forward(float *out, int32_t *argmax, const float *inp, const pool_shape *s,
                     int b0, int b1) {
    /* inp (B,H,W,C) -> out (B,OH,OW,C), argmax (B,OH,OW,C) for samples b0 <= b < b1,
     * OH = floor(H/P), OW = floor(W/P) (the last H mod P rows, W mod P columns dropped):
     *   out[b][py][px][c] = max_{dy,dx < P} inp[b][py*P+dy][px*P+dx][c]
     *   argmax[b][py][px][c] = that input's flat index into inp, the first maximum in
     *   row-major window order on ties. Each sample alone, so callers may split B. */
    int H = s->H, W = s->W, C = s->C, P = s->P, OH = H / P, OW = W / P;
    for (int b = b0; b < b1; b++)
        for (int py = 0; py < OH; py++)
            for (int px = 0; px < OW; px++) {
                long k = (((long)b * OH + py) * OW + px) * C;
                float *o = out + k;
                int32_t *a = argmax + k;
                for (int dy = 0; dy < P; dy++)
                    for (int dx = 0; dx < P; dx++) {
                        long i = (((long)b * H + py * P + dy) * W + px * P + dx) * C;
                        for (int c = 0; c < C; c++)
                            if ((dy == 0 && dx == 0) || inp[i + c] > o[c]) {
                                o[c] = inp[i + c];
                                a[c] = (int32_t)(i + c);
                            }
                    }
            }
}

void maxpool_backward(float *dinp, const float *dout, const int32_t *argmax, const pool_shape *s,
                      int b0, int b1) {
    /* dout (B,OH,OW,C), argmax (B,OH,OW,C) of maxpool_forward -> dinp (B,H,W,C) for
     * samples b0 <= b < b1: dinp[argmax[k]] = dout[k], zero elsewhere (the windows do
     * not overlap, so no input receives two gradients). */
    long image = (long)s->H * s->W * s->C, pooled = (long)(s->H / s->P) * (s->W / s->P) * s->C;
    memset(dinp + b0 * image, 0, sizeof(float) * (size_t)((b1 - b0) * image));
    for (long k = b0 * pooled; k < b1 * pooled; k++) dinp[argmax[k]] = dout[k];
}
