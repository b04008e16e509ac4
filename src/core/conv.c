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
#include "window.h"

/* ---- convolution, forward ------------------------------------------------------- */

void conv2d_weights_t(float *weight_t, const float *weight, const conv_shape *s) {
    /* weight (O,K,K,C) -> weight_t (K,K,C,O4), O4 = O rounded up to 4, the
     * channels past O zero: each tap's filters side by side, so a vector load
     * reads four output channels' weights for one tap. */
    int O = s->O, O4 = conv_o4(s);
    long taps = (long)s->K * s->K * s->C;
    for (long t = 0; t < taps; t++)
        for (int o = 0; o < O4; o++) weight_t[t * O4 + o] = o < O ? weight[o * taps + t] : 0.0f;
}

/* One output pixel's n channels (n <= 4 nv) from nv accumulators, + bias (channel_group's). */
static inline void store_pixel(float *o, const f32x4 *acc, const f32x4 bv[2], int nv, int n) {
    store_lanes(o, 1, acc[0] + bv[0], imin(4, n));
    if (nv == 2) store_lanes(o + 4, 1, acc[1] + bv[1], n - 4);
}

/* Output pixel (y, x) of one sample img (H,W,C), channels o..o+4*nv-1 (nv = 1
 * or 2 vectors), without the bias: kernel rows ky0 <= ky < ky1 are inside the
 * image, and the columns that are. */
static void conv_pixel(f32x4 acc[2], const float *img, const float *wt, const conv_shape *s, int O4,
                       int y, int x, int ky0, int ky1, int nv) {
    int K = s->K, C = s->C, W = s->W, pad = s->pad;
    int kx0 = imax(0, pad - x), kx1 = imin(K, W + pad - x);
    f32x4 a0 = splat4(0.0f), a1 = a0;
    for (int ky = ky0; ky < ky1; ky++)
        for (int kx = kx0; kx < kx1; kx++) {
            const float *ip = img + ((long)(y + ky - pad) * W + (x + kx - pad)) * C;
            const float *wp = wt + (long)(ky * K + kx) * C * O4;
            for (int c = 0; c < C; c++, wp += O4) {
                f32x4 xv = splat4(ip[c]);
                a0 = madd4(a0, xv, load4(wp));
                if (nv == 2) a1 = madd4(a1, xv, load4(wp + 4));
            }
        }
    acc[0] = a0;
    acc[1] = a1;
}

/* Four output pixels, all of their kernel columns inside the image: pixel 0
 * at (y, x), and the others `right`, `across` and `across + right` floats
 * further in the input: (y, x+1..x+3) for right = C, across = 2C, or a 2x2
 * window for across = W C. Channels o..o+7: each lane's sum in conv_pixel's
 * order, with 8 accumulators, 4 broadcasts and 2 weight loads per 8 vector
 * products (WebAssembly engines keep about 15 vector registers: more
 * accumulators would spill). */
static inline __attribute__((always_inline)) void conv_pixels4x8(f32x4 acc[8], const float *img, const float *wt, const conv_shape *s, int O4,
                           int y, int x, int ky0, int ky1, long across) {
    int K = s->K, C = s->C, W = s->W, pad = s->pad;
    f32x4 a00 = splat4(0.0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    for (int ky = ky0; ky < ky1; ky++) {
        /* a kernel row's taps (kx, c) are K C contiguous floats in the input row */
        const float *ip = img + ((long)(y + ky - pad) * W + (x - pad)) * C;
        const float *wp = wt + (long)ky * K * C * O4;
        for (int j = 0; j < K * C; j++, wp += O4) {
            f32x4 w0 = load4(wp), w1 = load4(wp + 4);
            f32x4 x0 = splat4(ip[j]), x1 = splat4(ip[C + j]), x2 = splat4(ip[across + j]),
                  x3 = splat4(ip[across + C + j]);
            a00 = madd4(a00, x0, w0); a01 = madd4(a01, x0, w1);
            a10 = madd4(a10, x1, w0); a11 = madd4(a11, x1, w1);
            a20 = madd4(a20, x2, w0); a21 = madd4(a21, x2, w1);
            a30 = madd4(a30, x3, w0); a31 = madd4(a31, x3, w1);
        }
    }
    acc[0] = a00; acc[1] = a01; acc[2] = a10; acc[3] = a11;
    acc[4] = a20; acc[5] = a21; acc[6] = a30; acc[7] = a31;
}

/* The same for channels o..o+3 (acc[p] for pixel p): 4 accumulators. */
static inline __attribute__((always_inline)) void conv_pixels4x4(f32x4 acc[4], const float *img, const float *wt, const conv_shape *s, int O4,
                           int y, int x, int ky0, int ky1, long across) {
    int K = s->K, C = s->C, W = s->W, pad = s->pad;
    f32x4 a0 = splat4(0.0f), a1 = a0, a2 = a0, a3 = a0;
    for (int ky = ky0; ky < ky1; ky++) {
        const float *ip = img + ((long)(y + ky - pad) * W + (x - pad)) * C;
        const float *wp = wt + (long)ky * K * C * O4;
        for (int j = 0; j < K * C; j++, wp += O4) {
            f32x4 w0 = load4(wp);
            a0 = madd4(a0, splat4(ip[j]), w0);
            a1 = madd4(a1, splat4(ip[C + j]), w0);
            a2 = madd4(a2, splat4(ip[across + j]), w0);
            a3 = madd4(a3, splat4(ip[across + C + j]), w0);
        }
    }
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3;
}

void conv2d_forward(float *out, const float *inp, const float *weight_t, const float *bias,
                    const conv_shape *s, int rows, int cols, int b0, int b1) {
    /* inp (B,H,W,C), weight_t (K,K,C,O4) of conv2d_weights_t, bias (O) -> out
     * (B,OH,OW,O) for samples b0 <= b < b1, OH = H+2pad-K+1, OW = W+2pad-K+1:
     *   out[b][y][x][o] = sum_{ky,kx,c} inp[b][y+ky-pad][x+kx-pad][c] weight[o][ky][kx][c] + bias[o]
     * for y < rows, x < cols only (rows = OH, cols = OW for all of it; less when
     * a pool after it drops the last rows and columns: those are not written).
     * Each sample alone, so callers may split B. */
    int H = s->H, W = s->W, C = s->C, K = s->K, pad = s->pad, O = s->O, O4 = conv_o4(s);
    int OH = conv_out_rows(s), OW = conv_out_cols(s);
    /* Columns whose every kernel column is inside the image: pad <= x <= W+pad-K. */
    int xa = imin(pad, cols), xb = imax(xa, imin(cols, W + pad - K + 1));
    for (int b = b0; b < b1; b++) {
        const float *img = inp + (long)b * H * W * C;
        for (int o = 0; o < O4;) {
            int n;
            f32x4 bv[2];
            int nv = channel_group(bias, o, O, O4, &n, bv);
            for (int y = 0; y < rows; y++) {
                int ky0 = imax(0, pad - y), ky1 = imin(K, H + pad - y);
                float *orow = out + ((long)b * OH + y) * OW * O + o;
                const float *wt = weight_t + o;
                f32x4 acc[8];
                int x = 0;
                for (; x < xa; x++) {
                    conv_pixel(acc, img, wt, s, O4, y, x, ky0, ky1, nv);
                    store_pixel(orow + (long)x * O, acc, bv, nv, n);
                }
                for (; x + 4 <= xb; x += 4) {
                    if (nv == 2) {
                        conv_pixels4x8(acc, img, wt, s, O4, y, x, ky0, ky1, 2L * C);
                        for (int p = 0; p < 4; p++) store_pixel(orow + (long)(x + p) * O, acc + 2 * p, bv, 2, n);
                    } else {
                        conv_pixels4x4(acc, img, wt, s, O4, y, x, ky0, ky1, 2L * C);
                        for (int p = 0; p < 4; p++) store_pixel(orow + (long)(x + p) * O, acc + p, bv, 1, n);
                    }
                }
                for (; x < cols; x++) {
                    conv_pixel(acc, img, wt, s, O4, y, x, ky0, ky1, nv);
                    store_pixel(orow + (long)x * O, acc, bv, nv, n);
                }
            }
            o += 4 * nv;
        }
    }
}

/* ---- convolution, backward ------------------------------------------------------ */

/* The output pixels (b, y, x) whose tap (ky, kx) lies inside the image. */
typedef struct {
    int B, OH, OW, ya, yb, xa, xb;
} tap_range;

static tap_range tap_pixels(const conv_shape *s, int B, int ky, int kx) {
    int OH = conv_out_rows(s), OW = conv_out_cols(s);
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
                a0 = madd4(a0, d, splat4(ip[0]));
                if (nc == 4) {
                    a1 = madd4(a1, d, splat4(ip[1]));
                    a2 = madd4(a2, d, splat4(ip[2]));
                    a3 = madd4(a3, d, splat4(ip[3]));
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
    long pixels = (long)B * conv_out_rows(s) * conv_out_cols(s);
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
    int OH = conv_out_rows(s), OW = conv_out_cols(s);
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
     *   argmax[b][py][px][c] = NN_AT(y, x) of that input, the first maximum in
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
                        int y = py * P + dy, x = px * P + dx;
                        const float *v = inp + (((long)b * H + y) * W + x) * C;
                        for (int c = 0; c < C; c++)
                            if ((dy == 0 && dx == 0) || v[c] > o[c]) {
                                o[c] = v[c];
                                a[c] = NN_AT(y, x);
                            }
                    }
            }
}

void maxpool_backward(float *dinp, const float *dout, const int32_t *argmax, const pool_shape *s,
                      int b0, int b1) {
    /* dout (B,OH,OW,C), argmax (B,OH,OW,C) of maxpool_forward -> dinp (B,H,W,C) for
     * samples b0 <= b < b1: dinp[b][y][x][c] = dout[b][py][px][c] at each window's
     * argmax (y, x), zero elsewhere (the windows do not overlap, so no input
     * receives two gradients). */
    int W = s->W, C = s->C;
    long image = (long)s->H * W * C, windows = (long)(s->H / s->P) * (s->W / s->P);
    memset(dinp + b0 * image, 0, sizeof(float) * (size_t)((b1 - b0) * image));
    for (long b = b0; b < b1; b++)
        for (long w = 0; w < windows; w++)
            for (int c = 0; c < C; c++) {
                long k = (b * windows + w) * C + c;
                dinp[b * image + ((long)NN_AT_Y(argmax[k]) * W + NN_AT_X(argmax[k])) * C + c] = dout[k];
            }
}

/* ---- convolution + ReLU + 2x2 max-pool, forward: each window at once ---------------- */

void conv_pool2_forward(float *out, int32_t *argmax, const float *inp, const float *weight_t, const float *bias,
                        const conv_shape *s, int b0, int b1) {
    /* inp (B,H,W,C), weight_t (K,K,C,O4), bias (O) -> out, argmax (B,OH/2,OW/2,O):
     * conv2d_forward, then ReLU, then maxpool_forward with P = 2 (the same values;
     * argmax the same wherever out > 0), one 2x2 window of 4 pixels at a time,
     * without storing the convolution's outputs. Each sample alone. */
    int H = s->H, W = s->W, C = s->C, K = s->K, pad = s->pad, O = s->O, O4 = conv_o4(s);
    int PH = conv_out_rows(s) / 2, PW = conv_out_cols(s) / 2;
    for (int b = b0; b < b1; b++) {
        const float *img = inp + (long)b * H * W * C;
        for (int o = 0; o < O4;) {
            int n;
            f32x4 bv[2];
            int nv = channel_group(bias, o, O, O4, &n, bv);
            const float *wt = weight_t + o;
            for (int py = 0; py < PH; py++)
                for (int px = 0; px < PW; px++) {
                    int y = 2 * py, x = 2 * px;
                    f32x4 acc[8], v0[4], v1[4];
                    if (y >= pad && y + 1 + K - pad <= H && x >= pad && x + 1 + K - pad <= W) {
                        /* every tap of the window inside the image */
                        if (nv == 2) conv_pixels4x8(acc, img, wt, s, O4, y, x, 0, K, (long)W * C);
                        else conv_pixels4x4(acc, img, wt, s, O4, y, x, 0, K, (long)W * C);
                    } else {
                        for (int p = 0; p < 4; p++) {
                            int yp = y + p / 2, xp = x + p % 2;
                            conv_pixel(acc + nv * p, img, wt, s, O4, yp, xp, imax(0, pad - yp),
                                       imin(K, H + pad - yp), nv);
                        }
                    }
                    long k = (((long)b * PH + py) * PW + px) * O + o;
                    for (int p = 0; p < 4; p++) {
                        v0[p] = acc[nv * p] + bv[0];
                        v1[p] = acc[nv * p + 1] + bv[1];
                    }
                    pool_window4(out + k, argmax + k, v0, y, x, imin(4, n));
                    if (nv == 2) pool_window4(out + k + 4, argmax + k + 4, v1, y, x, n - 4);
                }
            o += 4 * nv;
        }
    }
}

/* ---- the first layer: convolution + ReLU + 2x2 max-pool from the nonzero pixels -------- */

int conv_scatter_fits(const conv_shape *s) { return s->C == 1 && s->O % 4 == 0; }

void conv_scatter_pool2_forward(float *out, int32_t *argmax, float *map, const float *inp, const float *weight_t,
                                const float *bias, const conv_shape *s, int b0, int b1) {
    /* inp (B,H,W,1), weight_t (K,K,1,O) with O = 4k, bias (O) -> out, argmax
     * (B,OH/2,OW/2,O) as conv_pool2_forward, through map (B,OH,OW,O), the
     * convolution's sums before the bias, for the rows and columns the pool
     * keeps. Most of an MNIST image is 0 (about 80%), so each nonzero pixel v
     * adds v times each kernel tap to the outputs it reaches:
     *   map[b][iy+pad-ky][ix+pad-kx][o] += inp[b][iy][ix] weight[o][ky][kx]
     * in pixel order (row by row), zero pixels skipped (they add nothing); then
     * each window: + bias, maximum, ReLU. Each sample alone, so callers may split B. */
    int H = s->H, W = s->W, K = s->K, pad = s->pad, O = s->O;
    int OH = conv_out_rows(s), OW = conv_out_cols(s), PH = OH / 2, PW = OW / 2;
    for (int b = b0; b < b1; b++) {
        const float *img = inp + (long)b * H * W;
        float *m = map + (long)b * OH * OW * O;
        for (int y = 0; y < 2 * PH; y++) memset(m + (long)y * OW * O, 0, sizeof(float) * (size_t)(2 * PW * O));
        for (int iy = 0; iy < H; iy++)
            for (int ix = 0; ix < W; ix++) {
                float v = img[iy * W + ix];
                if (v == 0.0f) continue;
                int ky0 = imax(0, iy + pad - (2 * PH - 1)), ky1 = imin(K, iy + pad + 1);
                int kx0 = imax(0, ix + pad - (2 * PW - 1)), kx1 = imin(K, ix + pad + 1);
                for (int ky = ky0; ky < ky1; ky++)
                    for (int kx = kx0; kx < kx1; kx++) {
                        float *dst = m + ((long)(iy + pad - ky) * OW + (ix + pad - kx)) * O;
                        const float *w = weight_t + (long)(ky * K + kx) * O;
                        axpy(dst, v, w, O);
                    }
            }
        for (int py = 0; py < PH; py++)
            for (int px = 0; px < PW; px++) {
                long k = (((long)b * PH + py) * PW + px) * O;
                const float *p0 = m + ((long)(2 * py) * OW + 2 * px) * O, *p2 = p0 + (long)OW * O;
                for (int o = 0; o < O; o += 4) {
                    f32x4 bv = load4(bias + o);
                    f32x4 v[4] = {load4(p0 + o) + bv, load4(p0 + O + o) + bv, load4(p2 + o) + bv, load4(p2 + O + o) + bv};
                    pool_window4(out + k + o, argmax + k + o, v, 2 * py, 2 * px, 4);
                }
            }
    }
}
