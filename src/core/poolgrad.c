/* poolgrad.c - a convolution's gradients when ReLU and a max-pool follow it:
 * from the pool's winners only (passes.c uses these for every pool_after layer). */
#include <string.h>

#include "window.h"

/* ---- convolution + ReLU + max-pool, backward: from the pool's winners ------------ */

/* Below a max-pool, a convolution's output receives gradient only at the one
 * pixel per window and channel that won it, and through the ReLU only when
 * that winner was positive: a quarter of the outputs at most for 2x2 pools.
 * conv_pool_gather lists those (pixel, gradient) pairs per channel; the
 * weight and input gradients then cost a quarter (or less) of a dense pass.
 * The sums run over the lists in their order (sample, then pool window), so
 * they are fixed by the code whatever the threads, but differ in rounding
 * from conv2d_backward's pixel order: a network uses one or the other by its
 * architecture (passes.c), never both. */

/* Appends channel o's entry for pixel `at` with gradient d (sample b). */
static inline void append(conv_grads *g, int32_t *n, const conv_shape *s, int o, int b, float d, int32_t at) {
    int y = NN_AT_Y(at), x = NN_AT_X(at);
    grads_at(g, o, b)[n[o]++] = (conv_grad){(int16_t)y, (int16_t)x, (y * s->W + x) * s->C, d};
}

void conv_pool_gather(conv_grads *g, const float *dpooled, const float *pooled, const int32_t *argmax,
                      const conv_shape *s, int b0, int b1) {
    /* dpooled, pooled, argmax (B,PH,PW,O) of the pool after the convolution's
     * ReLU (or conv_pool2_forward's) -> for samples b0 <= b < b1 and every
     * channel o, g's entries (y, x, dz) with dz = dpooled != 0 where pooled > 0
     * (ReLU'(z) = 1), in window order. Window by window (each one's channels
     * are contiguous, tested four at a time); each sample alone, so callers may split B. */
    int O = s->O, O4 = O & ~3;
    f32x4 zero = splat4(0.0f);
    for (int b = b0; b < b1; b++) {
        int32_t n[MNIST_MAX_CHANNELS] = {0};
        long k = (long)b * g->windows * O;
        for (long w = 0; w < g->windows; w++, k += O) {
            int o = 0;
            for (; o < O4; o += 4) {
                f32x4 d = load4(dpooled + k + o);
                i32x4 keep = (d != zero) & (load4(pooled + k + o) > zero);
                if (!any4(keep)) continue; /* most groups of four */
                if (keep[0]) append(g, n, s, o, b, d[0], argmax[k + o]);
                if (keep[1]) append(g, n, s, o + 1, b, d[1], argmax[k + o + 1]);
                if (keep[2]) append(g, n, s, o + 2, b, d[2], argmax[k + o + 2]);
                if (keep[3]) append(g, n, s, o + 3, b, d[3], argmax[k + o + 3]);
            }
            for (; o < O; o++)
                if (dpooled[k + o] != 0.0f && pooled[k + o] > 0.0f) append(g, n, s, o, b, dpooled[k + o], argmax[k + o]);
        }
        for (int o = 0; o < O; o++) g->count[(long)o * g->capacity + b] = n[o];
    }
}

/* The next of a row segment's vectors: 4 floats, or the last `rem` of them. */
static inline f32x4 segment4(const float *p, int last, int rem) { return last ? lanes4(p, 1, rem) : load4(p); }

/* dw[j] += sum over channel o's entries (b, y, x, dz) of dz inp[b][y+ky][x][j] for
 * j < len <= 32 (no padding): a kernel row's taps (kx, c) are contiguous in both
 * dw and the input row, so they are taken as one segment of up to 8 vectors
 * (the last one partial), held in registers over the whole list. */
static inline __attribute__((always_inline)) void row_grad_nv(float *dw, const conv_grads *g, const float *inp,
                                                              const conv_shape *s, int o, int ky, int nv, int rem) {
    f32x4 a0 = segment4(dw, nv == 1, rem), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
#define ROW_LOAD(k) if (nv > k) a##k = segment4(dw + 4 * k, nv == k + 1, rem)
    ROW_LOAD(1); ROW_LOAD(2); ROW_LOAD(3); ROW_LOAD(4); ROW_LOAD(5); ROW_LOAD(6); ROW_LOAD(7);
    /* A short segment (the first layer's 3 taps) loads 4 floats where the image
     * has one to spare after it (below its last row): the extra lane is never stored. */
    int spare_rows = nv == 1 && rem < 4 && s->W * s->C >= 4 ? s->H - 1 - ky : 0;
    for (int b = 0; b < g->B; b++) {
        const float *row = inp + ((long)b * s->H + ky) * s->W * s->C;
        const conv_grad *e = grads_at(g, o, b);
        for (int32_t i = 0, n = grads_count(g, o, b); i < n; i++) {
            const float *ip = row + e[i].at;
            f32x4 d = splat4(e[i].g);
            int spare = e[i].y < spare_rows;
#define ROW_TERM(k) if (nv > k) a##k = madd4(a##k, d, segment4(ip + 4 * k, nv == k + 1 && !spare, rem))
            ROW_TERM(0); ROW_TERM(1); ROW_TERM(2); ROW_TERM(3); ROW_TERM(4); ROW_TERM(5); ROW_TERM(6); ROW_TERM(7);
        }
    }
#define ROW_STORE(k) if (nv > k) store_lanes(dw + 4 * k, 1, a##k, nv == k + 1 ? rem : 4)
    ROW_STORE(0); ROW_STORE(1); ROW_STORE(2); ROW_STORE(3); ROW_STORE(4); ROW_STORE(5); ROW_STORE(6); ROW_STORE(7);
#undef ROW_LOAD
#undef ROW_TERM
#undef ROW_STORE
}

/* row_grad_nv with the segment's vectors a constant in each copy, so the
 * compiler keeps the accumulators in registers and drops the tests. */
static void row_grad(float *dw, const conv_grads *g, const float *inp, const conv_shape *s, int o, int ky, int len) {
    int nv = (len + 3) / 4, rem = len - 4 * (nv - 1);
    switch (nv) {
    case 1: row_grad_nv(dw, g, inp, s, o, ky, 1, rem); break;
    case 2: row_grad_nv(dw, g, inp, s, o, ky, 2, rem); break;
    case 3: row_grad_nv(dw, g, inp, s, o, ky, 3, rem); break;
    case 4: row_grad_nv(dw, g, inp, s, o, ky, 4, rem); break;
    case 5: row_grad_nv(dw, g, inp, s, o, ky, 5, rem); break;
    case 6: row_grad_nv(dw, g, inp, s, o, ky, 6, rem); break;
    case 7: row_grad_nv(dw, g, inp, s, o, ky, 7, rem); break;
    default: row_grad_nv(dw, g, inp, s, o, ky, 8, rem); break;
    }
}

/* The same with padding: each entry's kernel rows clipped to the image, added
 * to dw in memory (one axpy per row, entries in order). */
static void padded_grad(float *dw, const conv_grads *g, const float *inp, const conv_shape *s, int o) {
    int H = s->H, W = s->W, C = s->C, K = s->K, pad = s->pad;
    for (int b = 0; b < g->B; b++) {
        const float *img = inp + (long)b * H * W * C;
        const conv_grad *e = grads_at(g, o, b);
        for (int32_t i = 0, n = grads_count(g, o, b); i < n; i++) {
            int y = e[i].y, x = e[i].x;
            int ky0 = imax(0, pad - y), ky1 = imin(K, H + pad - y);
            int kx0 = imax(0, pad - x), kx1 = imin(K, W + pad - x);
            for (int ky = ky0; ky < ky1; ky++)
                axpy(dw + (long)(ky * K + kx0) * C, e[i].g, img + ((long)(y + ky - pad) * W + (x + kx0 - pad)) * C,
                     (kx1 - kx0) * C);
        }
    }
}

void conv_pool_backward_params(float *dweight, float *dbias, const conv_grads *g, const float *inp,
                               const conv_shape *s, int o0, int o1) {
    /* g (conv_pool_gather's, channels o0..o1-1), inp (B,H,W,C) -> for o0 <= o < o1:
     *   dweight[o][ky][kx][c] (O,K,K,C) += sum_{entries (b,y,x,dz)} dz inp[b][y+ky-pad][x+kx-pad][c]
     *   dbias[o] (O)                    += sum_{entries} dz
     * each term added in the lists' order (so chunks of a batch, summed one
     * after another, give the same bits as the whole); callers may split O. */
    int K = s->K, C = s->C;
    long taps = (long)K * K * C;
    for (int o = o0; o < o1; o++) {
        float db = dbias[o];
        for (int b = 0; b < g->B; b++) {
            const conv_grad *e = grads_at(g, o, b);
            for (int32_t i = 0, n = grads_count(g, o, b); i < n; i++) db += e[i].g;
        }
        dbias[o] = db;
        if (s->pad) {
            padded_grad(dweight + o * taps, g, inp, s, o);
            continue;
        }
        for (int ky = 0; ky < K; ky++)
            for (int j = 0; j < K * C; j += 32)
                row_grad(dweight + o * taps + (long)ky * K * C + j, g, inp + j, s, o, ky, imin(32, K * C - j));
    }
}

/* conv_pool_backward_input's terms of one channel's n entries e, without padding:
 * every kernel row of an entry is inside the image, len = K C floats starting at
 * the entry's input offset, the next row `row` floats further. Addresses by
 * pointer steps: the clipping arithmetic per entry is what an engine's register
 * allocator would otherwise spill. */
static void unpadded_input_grad(float *dimg, const conv_grad *e, int32_t n, const float *w, long row, int K,
                                int len) {
    for (int32_t i = 0; i < n; i++) {
        float *d = dimg + e[i].at;
        const float *wr = w;
        for (int ky = 0; ky < K; ky++, d += row, wr += len) axpy(d, e[i].g, wr, len);
    }
}

void conv_pool_backward_input(float *dinp, const conv_grads *g, const float *weight, const conv_shape *s,
                              int b0, int b1) {
    /* g (conv_pool_gather's, all channels), weight (O,K,K,C) -> dinp (B,H,W,C) for
     * samples b0 <= b < b1:
     *   dinp[b][y+ky-pad][x+kx-pad][c] = sum_{o, entries (b,y,x,dz) of o} dz weight[o][ky][kx][c]
     * one term per (o, entry), in that order (dX = W^T dZ, transposed convolution);
     * each sample alone, so callers may split B. A kernel row's taps inside the
     * image are contiguous in both weight and dinp: one axpy per row. */
    int H = s->H, W = s->W, C = s->C, K = s->K, pad = s->pad, O = s->O;
    long taps = (long)K * K * C, image = (long)H * W * C;
    memset(dinp + b0 * image, 0, sizeof(float) * (size_t)((b1 - b0) * image));
    for (int b = b0; b < b1; b++) {
        float *dimg = dinp + b * image;
        for (int o = 0; o < O; o++) {
            const conv_grad *e = grads_at(g, o, b);
            const float *w = weight + o * taps;
            if (!pad) {
                unpadded_input_grad(dimg, e, grads_count(g, o, b), w, (long)W * C, K, K * C);
                continue;
            }
            for (int32_t i = 0, n = grads_count(g, o, b); i < n; i++) {
                int y = e[i].y, x = e[i].x;
                int ky0 = imax(0, pad - y), ky1 = imin(K, H + pad - y);
                int kx0 = imax(0, pad - x), kx1 = imin(K, W + pad - x);
                for (int ky = ky0; ky < ky1; ky++)
                    axpy(dimg + ((long)(y + ky - pad) * W + (x + kx0 - pad)) * C, e[i].g,
                         w + (long)(ky * K + kx0) * C, (kx1 - kx0) * C);
            }
        }
    }
}
