/* convparity.c - the `convparity` command of core_check (check.h): conv.c's
 * forward passes against naive double-precision loops, max-pooling's
 * (values, argmax and the gradient it routes) exactly, and work split over
 * samples or output channels against the whole, bit for bit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static float *tensor(long n) { return calloc((size_t)n, sizeof(float)); }

void conv_forward_all(float *out, const float *inp, const float *w, const float *bias, const conv_shape *s,
                      int b0, int b1) {
    float *wt = malloc(sizeof(float) * (size_t)(s->K * s->K * s->C * conv_o4(s)));
    conv2d_weights_t(wt, w, s);
    conv2d_forward(out, inp, wt, bias, s, conv_out_rows(s), conv_out_cols(s), b0, b1);
    free(wt);
}

/* ---- convolution: float kernel vs double loops ---------------------------------- */

void conv_naive(double *out, double *mag, const float *inp, const float *w, const float *bias,
                const conv_shape *s, int B) {
    int H = s->H, W = s->W, C = s->C, K = s->K, pad = s->pad, O = s->O;
    int OH = conv_out_rows(s), OW = conv_out_cols(s);
    for (int b = 0; b < B; b++)
        for (int y = 0; y < OH; y++)
            for (int x = 0; x < OW; x++)
                for (int o = 0; o < O; o++) {
                    double sum = bias[o], m = fabs(bias[o]);
                    for (int ky = 0; ky < K; ky++)
                        for (int kx = 0; kx < K; kx++) {
                            int iy = y + ky - pad, ix = x + kx - pad;
                            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                            for (int c = 0; c < C; c++) {
                                double t = (double)inp[(((long)b * H + iy) * W + ix) * C + c] *
                                           w[(((long)o * K + ky) * K + kx) * C + c];
                                sum += t;
                                m += fabs(t);
                            }
                        }
                    long k = (((long)b * OH + y) * OW + x) * O + o;
                    out[k] = sum;
                    if (mag) mag[k] = m;
                }
}

/* The largest |float - double| over the outputs, each divided by the sum of its
 * terms' magnitudes (bias included): recursive float summation of n terms stays
 * within about (n + 1) 2^-24 of that (the bound the test applies). */
static double conv_vs_naive(const conv_shape *s, int B, nn_rng *rng, double *max_abs) {
    long n_in = (long)B * s->H * s->W * s->C, n_w = (long)s->O * s->K * s->K * s->C;
    long n_out = (long)B * conv_out_rows(s) * conv_out_cols(s) * s->O;
    float *inp = tensor(n_in), *w = tensor(n_w), *bias = tensor(s->O), *out = tensor(n_out);
    double *want = malloc(sizeof(double) * (size_t)n_out), *mag = malloc(sizeof(double) * (size_t)n_out);
    fill_random(inp, n_in, rng, 1.0f);
    fill_random(w, n_w, rng, 0.5f);
    fill_random(bias, s->O, rng, 0.5f);
    conv_forward_all(out, inp, w, bias, s, 0, B);
    conv_naive(want, mag, inp, w, bias, s, B);
    double worst = 0;
    *max_abs = 0;
    for (long k = 0; k < n_out; k++) {
        double diff = fabs(out[k] - want[k]);
        *max_abs = fmax(*max_abs, diff);
        if (mag[k] > 0) worst = fmax(worst, diff / mag[k]);
    }
    free(inp); free(w); free(bias); free(out); free(want); free(mag);
    return worst;
}

/* ---- max-pooling: exact --------------------------------------------------------------- */

/* Mismatches of values, argmax and routed gradient against a naive loop, on
 * inputs drawn from 3 levels (so windows hold ties); *ties counts the windows
 * whose maximum occurs more than once. */
static long pool_vs_naive(const pool_shape *s, int B, nn_rng *rng, long *ties) {
    int H = s->H, W = s->W, C = s->C, P = s->P, OH = H / P, OW = W / P;
    long n_in = (long)B * H * W * C, n_out = (long)B * OH * OW * C;
    float *inp = tensor(n_in), *out = tensor(n_out), *dout = tensor(n_out);
    float *dinp = tensor(n_in), *want = tensor(n_in);
    int32_t *argmax = calloc((size_t)n_out, sizeof(int32_t));
    for (long k = 0; k < n_in; k++) inp[k] = (float)nn_rng_below(rng, 3) - 1.0f;
    fill_random(dout, n_out, rng, 1.0f);
    maxpool_forward(out, argmax, inp, s, 0, B);
    maxpool_backward(dinp, dout, argmax, s, 0, B);
    long bad = 0;
    *ties = 0;
    for (int b = 0; b < B; b++)
        for (int py = 0; py < OH; py++)
            for (int px = 0; px < OW; px++)
                for (int c = 0; c < C; c++) {
                    long best = -1, k = (((long)b * OH + py) * OW + px) * C + c;
                    int count = 0;
                    for (int dy = 0; dy < P; dy++)
                        for (int dx = 0; dx < P; dx++) {
                            long i = (((long)b * H + py * P + dy) * W + px * P + dx) * C + c;
                            if (best < 0 || inp[i] > inp[best]) best = i, count = 1;
                            else if (inp[i] == inp[best]) count++;
                        }
                    *ties += count > 1;
                    long at = (((long)b * H + NN_AT_Y(argmax[k])) * W + NN_AT_X(argmax[k])) * C + c;
                    bad += out[k] != inp[best] || at != best;
                    want[best] = dout[k];
                }
    for (long k = 0; k < n_in; k++) bad += memcmp(&dinp[k], &want[k], sizeof(float)) != 0;
    free(inp); free(out); free(dout); free(dinp); free(want); free(argmax);
    return bad;
}

/* ---- split work gives the same bits ---------------------------------------------- */

static int same(const void *a, const void *b, long n) { return memcmp(a, b, (size_t)n * 4) == 0; }

/* conv2d_forward and conv2d_backward_input sample by sample, and
 * conv2d_backward_params over output channels [0,1), [1,2), [2,O) (groups of
 * one lane, then from an odd channel), against each in one call. */
static int conv_split_identical(const conv_shape *s, int B, nn_rng *rng) {
    long n_in = (long)B * s->H * s->W * s->C, n_w = (long)s->O * s->K * s->K * s->C;
    long n_out = (long)B * conv_out_rows(s) * conv_out_cols(s) * s->O;
    float *inp = tensor(n_in), *w = tensor(n_w), *bias = tensor(s->O), *dout = tensor(n_out);
    float *out[2] = {tensor(n_out), tensor(n_out)}, *dinp[2] = {tensor(n_in), tensor(n_in)};
    float *dw[2] = {tensor(n_w), tensor(n_w)}, *db[2] = {tensor(s->O), tensor(s->O)};
    fill_random(inp, n_in, rng, 1.0f);
    fill_random(w, n_w, rng, 0.5f);
    fill_random(bias, s->O, rng, 0.5f);
    fill_random(dout, n_out, rng, 1.0f);
    for (long k = 0; k < n_out; k += 3) dout[k] = 0.0f; /* some zeros, as after a pool */
    conv_forward_all(out[0], inp, w, bias, s, 0, B);
    conv2d_backward_input(dinp[0], dout, w, s, 0, B);
    conv2d_backward_params(dw[0], db[0], dout, inp, s, B, 0, s->O);
    for (int b = 0; b < B; b++) {
        conv_forward_all(out[1], inp, w, bias, s, b, b + 1);
        conv2d_backward_input(dinp[1], dout, w, s, b, b + 1);
    }
    conv2d_backward_params(dw[1], db[1], dout, inp, s, B, 0, 1);
    conv2d_backward_params(dw[1], db[1], dout, inp, s, B, 1, 2);
    conv2d_backward_params(dw[1], db[1], dout, inp, s, B, 2, s->O);
    int ok = same(out[0], out[1], n_out) && same(dinp[0], dinp[1], n_in) && same(dw[0], dw[1], n_w) &&
             same(db[0], db[1], s->O);
    free(inp); free(w); free(bias); free(dout);
    for (int k = 0; k < 2; k++) { free(out[k]); free(dinp[k]); free(dw[k]); free(db[k]); }
    return ok;
}

static int pool_split_identical(const pool_shape *s, int B, nn_rng *rng) {
    long n_in = (long)B * s->H * s->W * s->C, n_out = (long)B * (s->H / s->P) * (s->W / s->P) * s->C;
    float *inp = tensor(n_in), *dout = tensor(n_out), *out[2] = {tensor(n_out), tensor(n_out)};
    float *dinp[2] = {tensor(n_in), tensor(n_in)};
    int32_t *argmax = calloc((size_t)n_out, sizeof(int32_t));
    fill_random(inp, n_in, rng, 1.0f);
    fill_random(dout, n_out, rng, 1.0f);
    maxpool_forward(out[0], argmax, inp, s, 0, B);
    maxpool_backward(dinp[0], dout, argmax, s, 0, B);
    for (int b = 0; b < B; b++) maxpool_forward(out[1], argmax, inp, s, b, b + 1);
    for (int b = B - 1; b >= 0; b--) maxpool_backward(dinp[1], dout, argmax, s, b, b + 1);
    int ok = same(out[0], out[1], n_out) && same(dinp[0], dinp[1], n_in);
    free(inp); free(dout); free(argmax);
    for (int k = 0; k < 2; k++) { free(out[k]); free(dinp[k]); }
    return ok;
}

/* ---- convolution + ReLU + 2x2 pool at once vs layer by layer ------------------------ */

/* Mismatches of conv_pool2_forward against conv2d_forward, relu_forward and
 * maxpool_forward: every pooled value bit for bit, the argmax wherever the
 * value is positive (elsewhere no gradient passes); *positive counts those. */
static long fused_vs_layers(const conv_shape *s, int B, nn_rng *rng, long *positive) {
    int OH = conv_out_rows(s), OW = conv_out_cols(s);
    pool_shape p = {OH, OW, s->O, 2};
    long n_in = (long)B * s->H * s->W * s->C, n_z = (long)B * OH * OW * s->O;
    long n_out = (long)B * (OH / 2) * (OW / 2) * s->O;
    float *inp = tensor(n_in), *w = tensor((long)s->O * s->K * s->K * s->C), *bias = tensor(s->O);
    float *wt = tensor((long)s->K * s->K * s->C * conv_o4(s)), *z = tensor(n_z), *a = tensor(n_z);
    float *out[2] = {tensor(n_out), tensor(n_out)};
    int32_t *at[2] = {calloc((size_t)n_out, 4), calloc((size_t)n_out, 4)};
    fill_random(inp, n_in, rng, 1.0f);
    fill_random(w, (long)s->O * s->K * s->K * s->C, rng, 0.5f);
    fill_random(bias, s->O, rng, 0.5f);
    conv_forward_all(z, inp, w, bias, s, 0, B);
    relu_forward(a, z, n_z);
    maxpool_forward(out[0], at[0], a, &p, 0, B);
    conv2d_weights_t(wt, w, s);
    for (int b = 0; b < B; b++) conv_pool2_forward(out[1], at[1], inp, wt, bias, s, b, b + 1);
    long bad = 0;
    *positive = 0;
    for (long k = 0; k < n_out; k++) {
        bad += memcmp(&out[0][k], &out[1][k], 4) != 0;
        if (out[0][k] > 0) {
            (*positive)++;
            bad += at[0][k] != at[1][k];
        }
    }
    free(inp); free(w); free(bias); free(wt); free(z); free(a);
    for (int k = 0; k < 2; k++) { free(out[k]); free(at[k]); }
    return bad;
}

/* ---- the fused 2x2-pool forward paths vs double loops ----------------------------------- */

/* The largest |pooled output - the exact pooled value| over (terms 2^-24 times
 * the window's largest sum of term magnitudes): a float sum in any order stays
 * within 1 of it; Winograd's transforms add a few roundings. scatter: the
 * first-layer path (conv_scatter_pool2_forward) on an input 70% zeros;
 * otherwise Winograd's. */
static double pooled_vs_naive(const conv_shape *s, int B, nn_rng *rng, int scatter) {
    int OH = conv_out_rows(s), OW = conv_out_cols(s), PH = OH / 2, PW = OW / 2;
    int O = s->O, taps = s->K * s->K * s->C, terms = taps + 1;
    long n_in = (long)B * s->H * s->W * s->C, n_z = (long)B * OH * OW * O, n_out = (long)B * PH * PW * O;
    float *inp = tensor(n_in), *w = tensor((long)O * taps), *bias = tensor(O), *map = tensor(n_z);
    float *wt = tensor((long)(scatter ? taps : 16 * s->C) * conv_o4(s)), *out = tensor(n_out);
    double *z = calloc((size_t)n_z, sizeof(double)), *mag = calloc((size_t)n_z, sizeof(double));
    int32_t *at = calloc((size_t)n_out, sizeof(int32_t));
    fill_random(inp, n_in, rng, 1.0f);
    if (scatter)
        for (long k = 0; k < n_in; k++)
            if (nn_rng_below(rng, 10) < 7) inp[k] = 0.0f;
    fill_random(w, (long)O * taps, rng, 0.5f);
    fill_random(bias, O, rng, 0.5f);
    if (scatter) {
        conv2d_weights_t(wt, w, s);
        conv_scatter_pool2_forward(out, at, map, inp, wt, bias, s, 0, B);
    } else {
        winograd_weights(wt, w, s);
        winograd_pool2_forward(out, at, inp, wt, bias, s, 0, B);
    }
    conv_naive(z, mag, inp, w, bias, s, B);
    double worst = 0;
    for (int b = 0; b < B; b++)
        for (int py = 0; py < PH; py++)
            for (int px = 0; px < PW; px++)
                for (int o = 0; o < O; o++) {
                    double best = -INFINITY, scale = 0;
                    for (int p = 0; p < 4; p++) {
                        long i = (((long)b * OH + 2 * py + p / 2) * OW + 2 * px + p % 2) * O + o;
                        best = fmax(best, z[i]);
                        scale = fmax(scale, mag[i]);
                    }
                    double want = best > 0 ? best : 0, got = out[(((long)b * PH + py) * PW + px) * O + o];
                    worst = fmax(worst, fabs(got - want) / (terms * ldexp(1, -24) * scale));
                }
    free(inp); free(w); free(bias); free(map); free(wt); free(out); free(z); free(mag); free(at);
    return worst;
}

int cmd_convparity(void) {
    static const conv_shape convs[] = {
        /* H, W, C, K, pad, O */
        {28, 28, 1, 3, 0, 16}, {13, 13, 16, 3, 0, 32}, {7, 6, 3, 3, 1, 5},
        {9, 8, 5, 5, 2, 7},    {5, 6, 4, 2, 1, 3},     {6, 4, 3, 3, 3, 6}, /* pad >= K: bias-only rims */
    };
    static const pool_shape pools[] = {{7, 5, 3, 2}, {26, 26, 16, 2}, {11, 11, 32, 2}, {9, 10, 3, 3}};
    nn_rng rng;
    nn_rng_seed(&rng, 12, 34);
    printf("{\"conv\":[");
    for (size_t k = 0; k < sizeof convs / sizeof convs[0]; k++) {
        const conv_shape *s = &convs[k];
        double max_abs, rel = conv_vs_naive(s, 2, &rng, &max_abs);
        printf("%s{\"shape\":\"%dx%dx%d.k%d.pad%d.o%d\",\"terms\":%d,\"max_abs_diff\":%.3e,"
               "\"max_rel_diff\":%.3e}", k ? "," : "", s->H, s->W, s->C, s->K, s->pad, s->O,
               s->K * s->K * s->C + 1, max_abs, rel);
    }
    printf("],\"pool\":[");
    for (size_t k = 0; k < sizeof pools / sizeof pools[0]; k++) {
        const pool_shape *s = &pools[k];
        long ties, bad = pool_vs_naive(s, 2, &rng, &ties);
        printf("%s{\"shape\":\"%dx%dx%d.p%d\",\"mismatches\":%ld,\"tied_windows\":%ld}", k ? "," : "",
               s->H, s->W, s->C, s->P, bad, ties);
    }
    printf("],\"fused\":[");
    for (size_t k = 0; k < sizeof convs / sizeof convs[0]; k++) {
        const conv_shape *s = &convs[k];
        long positive, bad = fused_vs_layers(s, 2, &rng, &positive);
        printf("%s{\"shape\":\"%dx%dx%d.k%d.pad%d.o%d\",\"mismatches\":%ld,\"positive\":%ld}", k ? "," : "",
               s->H, s->W, s->C, s->K, s->pad, s->O, bad, positive);
    }
    static const conv_shape winograd[] = {{13, 13, 16, 3, 0, 32}, {9, 8, 4, 3, 0, 5}, {12, 11, 8, 3, 0, 12}};
    static const conv_shape scatter[] = {{28, 28, 1, 3, 0, 16}, {28, 28, 1, 5, 2, 8}, {9, 7, 1, 3, 1, 4}};
    for (int method = 0; method < 2; method++) {
        const conv_shape *shapes = method ? scatter : winograd;
        printf("],\"%s\":[", method ? "scatter" : "winograd");
        for (int k = 0; k < 3; k++) {
            const conv_shape *s = &shapes[k];
            int fits = method ? conv_scatter_fits(s) : winograd_fits(s);
            printf("%s{\"shape\":\"%dx%dx%d.k%d.pad%d.o%d\",\"fits\":%s,\"error_per_bound\":%.3f}", k ? "," : "",
                   s->H, s->W, s->C, s->K, s->pad, s->O, fits ? "true" : "false", pooled_vs_naive(s, 2, &rng, method));
        }
    }
    int split = conv_split_identical(&convs[1], 3, &rng) && conv_split_identical(&convs[2], 3, &rng) &&
                conv_split_identical(&convs[3], 2, &rng) && pool_split_identical(&pools[0], 3, &rng) &&
                pool_split_identical(&pools[3], 2, &rng);
    printf("],\"split_identical\":%s}\n", split ? "true" : "false");
    return 0;
}
