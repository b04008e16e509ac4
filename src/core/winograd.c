/* winograd.c - a 3x3 convolution (stride 1, no padding) followed by ReLU and a
 * 2x2 max-pool, by Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray,
 * "Fast Algorithms for Convolutional Neural Networks", 2015).
 *
 * A pool window's 2x2 outputs come from a 4x4 tile of the input. Transformed,
 * the tile's 16 values meet the kernel's 16 transformed values one to one:
 *   Y (2x2) = A^T [ (G g G^T) .* (B^T d B) ] A
 * so a window costs 16 products per (input, output) channel pair instead of the
 * direct convolution's 36; the kernel transform U = G g G^T is made once per
 * batch (winograd_weights), the tile transform V = B^T d B once per window and
 * input channel, shared by every output channel. A pooled window is exactly
 * the transform's 2x2 tile, so the rows and columns the pool drops are never
 * computed.
 *
 * Every value is summed in an order fixed by this code (the transforms as
 * written, the products over c in order), so every build gives the same bits,
 * but they round differently from conv2d_forward's direct sums: a network uses
 * this for every window of a layer (passes.c picks it by the layer's shape). */
#include "window.h"

int winograd_fits(const conv_shape *s) { return s->K == 3 && s->pad == 0 && s->C % 4 == 0; }

void winograd_weights(float *u, const float *weight, const conv_shape *s) {
    /* weight (O,3,3,C) -> u (16,C,O4), u[i*4+j][c][o] = (G g G^T)[i][j] for the
     * 3x3 kernel g of (o, c), G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1];
     * zero for o >= O. */
    int C = s->C, O = s->O, O4 = conv_o4(s);
    for (int o = 0; o < O4; o++)
        for (int c = 0; c < C; c++) {
            float g[3][3], gg[4][3];
            for (int k = 0; k < 9; k++) g[k / 3][k % 3] = o < O ? weight[((long)o * 9 + k) * C + c] : 0.0f;
            for (int kx = 0; kx < 3; kx++) { /* G g: the rows */
                gg[0][kx] = g[0][kx];
                gg[1][kx] = (g[0][kx] + g[1][kx] + g[2][kx]) * 0.5f;
                gg[2][kx] = (g[0][kx] - g[1][kx] + g[2][kx]) * 0.5f;
                gg[3][kx] = g[2][kx];
            }
            for (int i = 0; i < 4; i++) { /* (G g) G^T: the columns */
                float *ui = u + ((long)(i * 4) * C + c) * O4 + o;
                long next = (long)C * O4;
                ui[0] = gg[i][0];
                ui[next] = (gg[i][0] + gg[i][1] + gg[i][2]) * 0.5f;
                ui[2 * next] = (gg[i][0] - gg[i][1] + gg[i][2]) * 0.5f;
                ui[3 * next] = gg[i][2];
            }
        }
}

/* v (16,C) = B^T d B for the 4x4 tile d at (y, x) of one sample img (H,W,C),
 * B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]; four channels per vector. */
static void tile_transform(float *v, const float *img, const conv_shape *s, int y, int x) {
    int W = s->W, C = s->C;
    for (int c = 0; c < C; c += 4) {
        f32x4 d[4][4], t[4][4];
        for (int r = 0; r < 4; r++)
            for (int col = 0; col < 4; col++) d[r][col] = load4(img + ((long)(y + r) * W + x + col) * C + c);
        for (int col = 0; col < 4; col++) { /* B^T d */
            t[0][col] = d[0][col] - d[2][col];
            t[1][col] = d[1][col] + d[2][col];
            t[2][col] = d[2][col] - d[1][col];
            t[3][col] = d[1][col] - d[3][col];
        }
        for (int r = 0; r < 4; r++) { /* (B^T d) B */
            store4(v + (long)(r * 4 + 0) * C + c, t[r][0] - t[r][2]);
            store4(v + (long)(r * 4 + 1) * C + c, t[r][1] + t[r][2]);
            store4(v + (long)(r * 4 + 2) * C + c, t[r][2] - t[r][1]);
            store4(v + (long)(r * 4 + 3) * C + c, t[r][1] - t[r][3]);
        }
    }
}

/* m[w][xi] (4 windows x 16 x 8 channels) = sum over c of v[w][xi][c] u[xi][c][o..o+7]:
 * 8 accumulators (4 windows x 2 vectors), 4 broadcasts and 2 loads per 8 products.
 * nv = 1: channels o..o+3 only. */
static void tile_products(float *m, const float *v, const float *u, int C, int O4, int nv) {
    long vw = 16L * C; /* one window's v */
    for (int xi = 0; xi < 16; xi++) {
        const float *vx = v + (long)xi * C, *ux = u + (long)xi * C * O4;
        f32x4 a00 = splat4(0.0f), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        if (nv == 2)
            for (int c = 0; c < C; c++) {
                f32x4 u0 = load4(ux + (long)c * O4), u1 = load4(ux + (long)c * O4 + 4);
                f32x4 x0 = splat4(vx[c]), x1 = splat4(vx[vw + c]), x2 = splat4(vx[2 * vw + c]),
                      x3 = splat4(vx[3 * vw + c]);
                a00 = madd4(a00, x0, u0); a01 = madd4(a01, x0, u1);
                a10 = madd4(a10, x1, u0); a11 = madd4(a11, x1, u1);
                a20 = madd4(a20, x2, u0); a21 = madd4(a21, x2, u1);
                a30 = madd4(a30, x3, u0); a31 = madd4(a31, x3, u1);
            }
        else
            for (int c = 0; c < C; c++) {
                f32x4 u0 = load4(ux + (long)c * O4);
                a00 = madd4(a00, splat4(vx[c]), u0);
                a10 = madd4(a10, splat4(vx[vw + c]), u0);
                a20 = madd4(a20, splat4(vx[2 * vw + c]), u0);
                a30 = madd4(a30, splat4(vx[3 * vw + c]), u0);
            }
        f32x4 acc[4][2] = {{a00, a01}, {a10, a11}, {a20, a21}, {a30, a31}};
        for (int w = 0; w < 4; w++)
            for (int k = 0; k < nv; k++) store4(m + ((long)(w * 16 + xi) * 2 + k) * 4, acc[w][k]);
    }
}

/* The 2x2 outputs of one window from its m (16 x 2 vectors), vector k:
 * y = A^T m A, A^T = [1 1 1 0; 0 1 -1 -1], in pixel order (0,0) (0,1) (1,0) (1,1). */
static void output_transform(f32x4 y[4], const float *m, int k) {
    f32x4 r[2][4];
    for (int j = 0; j < 4; j++) {
        f32x4 m0 = load4(m + ((long)(0 * 4 + j) * 2 + k) * 4), m1 = load4(m + ((long)(1 * 4 + j) * 2 + k) * 4);
        f32x4 m2 = load4(m + ((long)(2 * 4 + j) * 2 + k) * 4), m3 = load4(m + ((long)(3 * 4 + j) * 2 + k) * 4);
        r[0][j] = m0 + m1 + m2;
        r[1][j] = m1 - m2 - m3;
    }
    for (int i = 0; i < 2; i++) {
        y[2 * i] = r[i][0] + r[i][1] + r[i][2];
        y[2 * i + 1] = r[i][1] - r[i][2] - r[i][3];
    }
}

void winograd_pool2_forward(float *out, int32_t *argmax, const float *inp, const float *u, const float *bias,
                            const conv_shape *s, int b0, int b1) {
    /* inp (B,H,W,C), u (16,C,O4) of winograd_weights, bias (O) -> out, argmax
     * (B,PH,PW,O), PH = (H-2)/2, PW = (W-2)/2: the 3x3 convolution + bias, ReLU
     * and 2x2 max-pool of conv_pool2_forward, 4 windows at a time (the windows
     * of samples b0 <= b < b1 in order; a last group of fewer repeats its last
     * window, computed and not stored). Each sample alone, so callers may split B. */
    int H = s->H, W = s->W, C = s->C, O = s->O, O4 = conv_o4(s);
    int PH = (H - 2) / 2, PW = (W - 2) / 2;
    long per_sample = (long)PH * PW, first = (long)b0 * per_sample, end = (long)b1 * per_sample;
    float v[4 * 16 * MNIST_MAX_CHANNELS], m[4 * 16 * 8];
    for (long w0 = first; w0 < end; w0 += 4) {
        int nw = (int)(end - w0 < 4 ? end - w0 : 4);
        for (int w = 0; w < 4; w++) {
            long k = w0 + imin(w, nw - 1), b = k / per_sample, q = k % per_sample;
            int y = 2 * (int)(q / PW), x = 2 * (int)(q % PW);
            tile_transform(v + (long)w * 16 * C, inp + b * H * W * C, s, y, x);
        }
        for (int o = 0; o < O4;) {
            int n;
            f32x4 bv[2];
            int nv = channel_group(bias, o, O, O4, &n, bv);
            tile_products(m, v, u + o, C, O4, nv);
            for (int w = 0; w < nw; w++) {
                long k = w0 + w, q = k % per_sample;
                int y = 2 * (int)(q / PW), x = 2 * (int)(q % PW);
                f32x4 yv[4];
                output_transform(yv, m + (long)w * 16 * 8, 0);
                for (int p = 0; p < 4; p++) yv[p] += bv[0];
                pool_window4(out + k * O + o, argmax + k * O + o, yv, y, x, imin(4, n));
                if (nv == 2) {
                    output_transform(yv, m + (long)w * 16 * 8, 1);
                    for (int p = 0; p < 4; p++) yv[p] += bv[1];
                    pool_window4(out + k * O + o + 4, argmax + k * O + o + 4, yv, y, x, n - 4);
                }
            }
            o += 4 * nv;
        }
    }
}
