/* layers.c - the layers of a dense network, each a forward/backward pair.
 *
 * Shapes follow llm.c: B = samples in the chunk, I = inputs, O = outputs,
 * C = classes; every matrix is row-major with one sample per row. In the
 * notebook's column-per-sample notation the same products read
 *   Z = W X + b,  dW = dZ X^T / m,  db = sum(dZ) / m,  dX = W^T dZ.
 * Backward functions ADD weight/bias gradients (summed over samples); the
 * 1/m and the step W := W - alpha dW happen in the optimiser (train.c).
 *
 * Every sum runs in an order fixed by this code (4 lanes over i = k mod 4,
 * then (l0 + l1) + (l2 + l3), then the tail; or one term per sample in
 * sample order), and the build forbids FMA contraction, so gcc (SSE) and
 * emcc (SIMD128) produce the same bits.
 */
#include <string.h>

#include "nn.h"
#include "simd.h"

/* Finishes a dot product: lane sum, then the i >= I4 tail in order. */
static inline float dot_finish(f32x4 lanes, const float *x, const float *w, int I4, int I) {
    float s = hsum4(lanes);
    for (int i = I4; i < I; i++) s += x[i] * w[i];
    return s;
}

static float dot(const float *x, const float *w, int I) {
    int I4 = I & ~3;
    f32x4 acc = splat4(0.0f);
    for (int i = 0; i < I4; i += 4) acc = madd4(acc, load4(x + i), load4(w + i));
    return dot_finish(acc, x, w, I4, I);
}

void dense_forward(float *out, const float *inp, const float *weight, const float *bias,
                   int B, int I, int O) {
    /* inp (B,I), weight (O,I), bias (O) -> out (B,O)
     * out[b][o] = bias[o] + sum_i inp[b][i] weight[o][i]      (Z = W X + b)
     * Each sample's row is computed alone, so callers may split B. */
    int I4 = I & ~3;
    int b = 0;
    /* 2 samples x 4 outputs per tile: 8 accumulators, 6 loads per 8 products. */
    for (; b + 2 <= B; b += 2) {
        const float *x0 = inp + (long)b * I, *x1 = x0 + I;
        float *out0 = out + (long)b * O, *out1 = out0 + O;
        int o = 0;
        for (; o + 4 <= O; o += 4) {
            const float *w0 = weight + (long)o * I, *w1 = w0 + I, *w2 = w1 + I, *w3 = w2 + I;
            f32x4 a00 = splat4(0), a01 = splat4(0), a02 = splat4(0), a03 = splat4(0);
            f32x4 a10 = splat4(0), a11 = splat4(0), a12 = splat4(0), a13 = splat4(0);
            for (int i = 0; i < I4; i += 4) {
                f32x4 xv0 = load4(x0 + i), xv1 = load4(x1 + i);
                f32x4 wv0 = load4(w0 + i), wv1 = load4(w1 + i);
                f32x4 wv2 = load4(w2 + i), wv3 = load4(w3 + i);
                a00 = madd4(a00, xv0, wv0); a01 = madd4(a01, xv0, wv1); a02 = madd4(a02, xv0, wv2); a03 = madd4(a03, xv0, wv3);
                a10 = madd4(a10, xv1, wv0); a11 = madd4(a11, xv1, wv1); a12 = madd4(a12, xv1, wv2); a13 = madd4(a13, xv1, wv3);
            }
            out0[o + 0] = dot_finish(a00, x0, w0, I4, I) + bias[o + 0];
            out0[o + 1] = dot_finish(a01, x0, w1, I4, I) + bias[o + 1];
            out0[o + 2] = dot_finish(a02, x0, w2, I4, I) + bias[o + 2];
            out0[o + 3] = dot_finish(a03, x0, w3, I4, I) + bias[o + 3];
            out1[o + 0] = dot_finish(a10, x1, w0, I4, I) + bias[o + 0];
            out1[o + 1] = dot_finish(a11, x1, w1, I4, I) + bias[o + 1];
            out1[o + 2] = dot_finish(a12, x1, w2, I4, I) + bias[o + 2];
            out1[o + 3] = dot_finish(a13, x1, w3, I4, I) + bias[o + 3];
        }
        for (; o < O; o++) {
            const float *w = weight + (long)o * I;
            out0[o] = dot(x0, w, I) + bias[o];
            out1[o] = dot(x1, w, I) + bias[o];
        }
    }
    for (; b < B; b++) {
        const float *x = inp + (long)b * I;
        for (int o = 0; o < O; o++) out[(long)b * O + o] = dot(x, weight + (long)o * I, I) + bias[o];
    }
}

/* row[i] += c[0] v[0][i] + c[1] v[1][i] + ... + c[n-1] v[n-1][i], adding the
 * terms one at a time in that order, exactly as n calls of axpy would; four
 * terms per pass over the row, so row is loaded and stored once per four. */
static void accumulate(float *row, const float *c, const float *const *v, int n, int len) {
    int len4 = len & ~3, k = 0;
    for (; k + 4 <= n; k += 4) {
        f32x4 c0 = splat4(c[k]), c1 = splat4(c[k + 1]), c2 = splat4(c[k + 2]), c3 = splat4(c[k + 3]);
        const float *v0 = v[k], *v1 = v[k + 1], *v2 = v[k + 2], *v3 = v[k + 3];
        for (int i = 0; i < len4; i += 4) {
            f32x4 acc = load4(row + i);
            acc = madd4(acc, c0, load4(v0 + i));
            acc = madd4(acc, c1, load4(v1 + i));
            acc = madd4(acc, c2, load4(v2 + i));
            acc = madd4(acc, c3, load4(v3 + i));
            store4(row + i, acc);
        }
        for (int i = len4; i < len; i++) {
            float acc = row[i];
            acc += c[k] * v0[i];
            acc += c[k + 1] * v1[i];
            acc += c[k + 2] * v2[i];
            acc += c[k + 3] * v3[i];
            row[i] = acc;
        }
    }
    for (; k < n; k++) axpy(row, c[k], v[k], len);
}

void dense_backward_params(float *dweight, float *dbias, const float *dout, const float *inp,
                           int B, int I, int O, int o0, int o1) {
    /* dout (B,O), inp (B,I) -> for outputs o0 <= o < o1:
     *   dweight[o] (I) += sum_b dout[b][o] inp[b]   (dW = dZ X^T, summed over samples)
     *   dbias[o]       += sum_b dout[b][o]          (db = sum(dZ))
     * one term per sample, in sample order, so callers may split O. */
    for (int o = o0; o < o1; o++) {
        float *dw = dweight + (long)o * I;
        float db = dbias[o];
        for (int b0 = 0; b0 < B; b0 += NN_CHUNK) {
            int b1 = b0 + NN_CHUNK < B ? b0 + NN_CHUNK : B;
            /* The samples with a nonzero gradient, in order (ReLU zeroes
             * many, and adding 0 * x would change nothing). */
            float d[NN_CHUNK];
            const float *x[NN_CHUNK];
            int n = 0;
            for (int b = b0; b < b1; b++) {
                float v = dout[(long)b * O + o];
                db += v;
                if (v != 0.0f) {
                    d[n] = v;
                    x[n++] = inp + (long)b * I;
                }
            }
            accumulate(dw, d, x, n, I);
        }
        dbias[o] = db;
    }
}

void dense_backward_input(float *dinp, const float *dout, const float *weight, int B, int I, int O) {
    /* dout (B,O), weight (O,I) -> dinp (B,I) = dout weight     (dX = W^T dZ)
     * one term per output, in output order; each sample alone, so callers may split B. */
    for (int o0 = 0; o0 < O; o0 += NN_CHUNK) {
        int o1 = o0 + NN_CHUNK < O ? o0 + NN_CHUNK : O;
        for (int b = 0; b < B; b++) {
            float *dx = dinp + (long)b * I;
            const float *d = dout + (long)b * O;
            if (o0 == 0) memset(dx, 0, sizeof(float) * (size_t)I);
            float c[NN_CHUNK];
            const float *rows[NN_CHUNK];
            int n = 0;
            for (int o = o0; o < o1; o++) {
                if (d[o] != 0.0f) { /* adding 0 * w would change nothing */
                    c[n] = d[o];
                    rows[n++] = weight + (long)o * I;
                }
            }
            accumulate(dx, c, rows, n, I);
        }
    }
}

void dense_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                    const float *inp, const float *weight, int B, int I, int O) {
    /* dout (B,O), inp (B,I), weight (O,I) ->
     *   dweight (O,I) += dout^T inp       (dW = dZ X^T, summed over samples)
     *   dbias (O)     += sum_b dout[b]    (db = sum(dZ))
     *   dinp (B,I)     = dout weight      (dX = W^T dZ; skipped when dinp is NULL,
     *                                      as for the input layer) */
    dense_backward_params(dweight, dbias, dout, inp, B, I, O, 0, O);
    if (dinp) dense_backward_input(dinp, dout, weight, B, I, O);
}

void relu_forward(float *out, const float *inp, long N) {
    /* inp (N) -> out (N) = max(0, inp)                          (A = ReLU(Z)) */
    for (long i = 0; i < N; i++) out[i] = inp[i] > 0.0f ? inp[i] : 0.0f;
}

void relu_backward(float *dinp, const float *dout, const float *inp, long N) {
    /* dout (N), inp (N) = the pre-activation Z -> dinp (N) = dout .* g'(Z),
     * g'(Z) = [Z > 0]                                (dZ1 = W2^T dZ2 .* g'(Z1)) */
    for (long i = 0; i < N; i++) dinp[i] = inp[i] > 0.0f ? dout[i] : 0.0f;
}

void softmax_crossentropy_forward(float *probs, float *losses, const float *logits,
                                  const uint8_t *labels, int B, int C) {
    /* logits (B,C), labels (B) or NULL -> probs (B,C) = softmax(logits),
     * losses (B) = -log probs[b][labels[b]]  (only when labels != NULL).
     * The max is subtracted first so exp cannot overflow; the loss comes from
     * the logits (log sum - (z_y - max)) so it stays finite when p_y -> 0. */
    for (int b = 0; b < B; b++) {
        const float *z = logits + (long)b * C;
        float *p = probs + (long)b * C;
        float max = z[0];
        for (int c = 1; c < C; c++) if (z[c] > max) max = z[c];
        float sum = 0.0f;
        for (int c = 0; c < C; c++) {
            p[c] = nn_expf(z[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < C; c++) p[c] /= sum;
        if (labels) losses[b] = nn_logf(sum) - (z[labels[b]] - max);
    }
}

void softmax_crossentropy_backward(float *dlogits, const float *probs, const uint8_t *labels,
                                   int B, int C) {
    /* probs (B,C), labels (B) -> dlogits (B,C) = probs - onehot(labels)
     * (dZ2 = A2 - Y: the gradient of the summed loss, before the 1/m) */
    for (int b = 0; b < B; b++)
        for (int c = 0; c < C; c++)
            dlogits[(long)b * C + c] = probs[(long)b * C + c] - (c == labels[b] ? 1.0f : 0.0f);
}

/* v / 255 for every byte value, folded by the compiler (exactly rounded, as
 * the division at run time would be): a table lookup instead of a division
 * per pixel. */
#define PIXEL(v) ((float)(v) / 255.0f)
#define PIXEL4(v) PIXEL(v), PIXEL(v + 1), PIXEL(v + 2), PIXEL(v + 3)
#define PIXEL16(v) PIXEL4(v), PIXEL4(v + 4), PIXEL4(v + 8), PIXEL4(v + 12)
#define PIXEL64(v) PIXEL16(v), PIXEL16(v + 16), PIXEL16(v + 32), PIXEL16(v + 48)
static const float PIXEL_SCALE[256] = {PIXEL64(0), PIXEL64(64), PIXEL64(128), PIXEL64(192)};

void pixels_to_float(float *out, const uint8_t *pixels, long N) {
    /* pixels (N) uint8 -> out (N) = pixels / 255                    (X / 255) */
    for (long i = 0; i < N; i++) out[i] = PIXEL_SCALE[pixels[i]];
}

void pixels_to_float_shifted(float *out, const uint8_t *pixels, int dx, int dy) {
    /* pixels (28,28) uint8 -> out (28,28): out[y][x] = pixels[y-dy][x-dx] / 255
     * inside the image, 0 where that pixel would come from outside it */
    const int R = MNIST_ROWS, C = MNIST_COLS;
    for (int y = 0; y < R; y++) {
        int sy = y - dy;
        for (int x = 0; x < C; x++) {
            int sx = x - dx;
            out[y * C + x] = sy >= 0 && sy < R && sx >= 0 && sx < C ? PIXEL_SCALE[pixels[sy * C + sx]] : 0.0f;
        }
    }
}

/* floor(v) for |v| < 2^31, exact (floorf is a library call without SSE4.1). */
static int floor_int(float v) {
    int i = (int)v; /* toward zero */
    return (float)i > v ? i - 1 : i;
}

void pixels_to_float_augmented(float *out, const uint8_t *pixels, const nn_augment *a) {
    /* pixels (28,28) uint8 -> out (28,28): out[y][x] = the image at the
     * point p' = (1/f) R(-t) (p - c - d) + c of pixel (x, y)'s centre p, in
     * pixel-index coordinates (a pixel's centre at its index), bilinear */
    if (!a->warped) {
        pixels_to_float_shifted(out, pixels, a->dx, a->dy);
        return;
    }
    enum { R = MNIST_ROWS, C = MNIST_COLS, PC = C + 2 };
    /* the image / 255 with a border of zeros, so the four taps need no bounds checks */
    float padded[(R + 2) * PC];
    memset(padded, 0, sizeof padded);
    for (int y = 0; y < R; y++)
        for (int x = 0; x < C; x++) padded[(y + 1) * PC + x + 1] = PIXEL_SCALE[pixels[y * C + x]];
    const float half = 0.5f * (float)C, cf = a->cos_f, sf = a->sin_f;
    for (int y = 0; y < R; y++) {
        const float py = (float)(y - a->dy) + 0.5f - half;
        for (int x = 0; x < C; x++) {
            const float px = (float)(x - a->dx) + 0.5f - half;
            const float sx = cf * px + sf * py + (half - 0.5f);
            const float sy = cf * py - sf * px + (half - 0.5f);
            const int x0 = floor_int(sx), y0 = floor_int(sy);
            if (x0 < -1 || x0 >= C || y0 < -1 || y0 >= R) { /* all four taps outside */
                out[y * C + x] = 0.0f;
                continue;
            }
            const float tx = sx - (float)x0, ty = sy - (float)y0;
            const float *p = padded + (y0 + 1) * PC + x0 + 1;
            const float top = (1.0f - tx) * p[0] + tx * p[1];
            const float bottom = (1.0f - tx) * p[PC] + tx * p[PC + 1];
            out[y * C + x] = (1.0f - ty) * top + ty * bottom;
        }
    }
}
