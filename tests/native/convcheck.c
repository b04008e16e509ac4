/* convcheck.c - the `convcheck` and `convparity` commands of core_check
 * (check.h): the convolution and max-pooling layers of conv.c.
 *
 * convcheck: every parameter tensor and the input gradient of small
 * convolutions (4 and 5 output channels, so both full vector groups and a
 * partial one run; padding 0, 1, 2), of a max-pool with an odd input (a row
 * and a column dropped), and of a small CNN ending in softmax cross-entropy,
 * against Richardson-extrapolated central differences (gradcheck.c).
 * convparity: the forward passes against naive double-precision loops, and
 * work split over samples or output channels against the whole. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static long conv_out_size(const conv_shape *s, int B) {
    return (long)B * conv_out_rows(s) * conv_out_cols(s) * s->O;
}

static float *random_tensor(long n, nn_rng *rng, float scale) {
    float *v = malloc(sizeof(float) * (size_t)n);
    fill_random(v, n, rng, scale);
    return v;
}

/* How the analytic gradients are spoiled, to show that the bound catches it:
 * every entry scaled by 1 + x, or only the largest (in magnitude) of each tensor. */
typedef struct {
    double x;
    int one;
} spoil;

/* Compares analytic g (n entries) with dJ/dx numerically, entry by entry. */
static void check_tensor(check_result *r, const char *name, float *x, const float *g, long n,
                         float h, objective_fn J, void *ctx, spoil sp) {
    memset(r, 0, sizeof *r);
    r->name = name;
    long largest = 0;
    for (long k = 1; k < n; k++)
        if (fabsf(g[k]) > fabsf(g[largest])) largest = k;
    for (long k = 0; k < n; k++) {
        double a = g[k] * ((!sp.one || k == largest) ? 1.0 + sp.x : 1.0);
        record(r, a, numeric_derivative(&x[k], h, J, ctx));
    }
}

/* ---- one layer at a time: J = sum(out .* R) for a fixed random R ---------------- */

typedef struct {
    conv_shape s;
    pool_shape p;
    int B;
    float *inp, *w, *bias, *out, *R;
    int32_t *argmax;
} layer_ctx;

static double conv_objective(void *p) {
    layer_ctx *c = p;
    conv_forward_all(c->out, c->inp, c->w, c->bias, &c->s, 0, c->B);
    return dot_double(c->out, c->R, conv_out_size(&c->s, c->B));
}

static double pool_objective(void *p) {
    layer_ctx *c = p;
    maxpool_forward(c->out, c->argmax, c->inp, &c->p, 0, c->B);
    return dot_double(c->out, c->R, (long)c->B * (c->p.H / c->p.P) * (c->p.W / c->p.P) * c->p.C);
}

static const conv_shape CONV_CASES[] = {
    /* H, W, C, K, pad, O */
    {7, 6, 3, 3, 0, 4}, {7, 6, 3, 3, 0, 5}, {7, 6, 3, 3, 1, 4}, {7, 6, 3, 3, 1, 5},
    {6, 7, 5, 3, 2, 6}, /* 4 input channels and a tail of 1; padding 2 */
    {5, 6, 4, 2, 1, 3}, /* an even kernel; one partial group of output channels */
};
enum { N_CONV = sizeof CONV_CASES / sizeof CONV_CASES[0] };
static char conv_names[N_CONV][3][48];

/* One convolution's W, b and input gradients (3 results). The gradients start
 * from random values, to check that backward adds to them. */
static void check_conv(int which, spoil sp, check_result *results) {
    nn_rng rng;
    nn_rng_seed(&rng, 21 + which, 5);
    layer_ctx c = {.s = CONV_CASES[which], .B = 2};
    const conv_shape *s = &c.s;
    long n_in = (long)c.B * s->H * s->W * s->C, n_w = (long)s->O * s->K * s->K * s->C;
    long n_out = conv_out_size(s, c.B);
    c.inp = random_tensor(n_in, &rng, 1.0f);
    c.w = random_tensor(n_w, &rng, 0.5f);
    c.bias = random_tensor(s->O, &rng, 0.5f);
    c.R = random_tensor(n_out, &rng, 1.0f);
    c.out = malloc(sizeof(float) * (size_t)n_out);
    float *dinp = random_tensor(n_in, &rng, 1.0f); /* overwritten, not added to */
    float *dw = random_tensor(n_w, &rng, 1.0f), *db = random_tensor(s->O, &rng, 1.0f);
    float *dw0 = malloc(sizeof(float) * (size_t)n_w), *db0 = malloc(sizeof(float) * (size_t)s->O);
    memcpy(dw0, dw, sizeof(float) * (size_t)n_w);
    memcpy(db0, db, sizeof(float) * (size_t)s->O);
    conv2d_backward(dinp, dw, db, c.R, c.inp, c.w, s, c.B);
    for (long k = 0; k < n_w; k++) dw[k] -= dw0[k];
    for (int k = 0; k < s->O; k++) db[k] -= db0[k];

    static const char *part[] = {"weight", "bias", "input"};
    for (int t = 0; t < 3; t++)
        snprintf(conv_names[which][t], sizeof conv_names[which][t], "conv.%dx%dx%d.k%d.pad%d.o%d.%s",
                 s->H, s->W, s->C, s->K, s->pad, s->O, part[t]);
    check_tensor(&results[0], conv_names[which][0], c.w, dw, n_w, 0.25f, conv_objective, &c, sp);
    check_tensor(&results[1], conv_names[which][1], c.bias, db, s->O, 0.25f, conv_objective, &c, sp);
    check_tensor(&results[2], conv_names[which][2], c.inp, dinp, n_in, 0.25f, conv_objective, &c, sp);
    free(c.inp); free(c.w); free(c.bias); free(c.R); free(c.out);
    free(dinp); free(dw); free(db); free(dw0); free(db0);
}

/* Inputs 0.05 apart (a shuffled ramp), so no window holds a tie and a nudge of
 * 1e-2 never changes a window's maximum. */
static void fill_ramp(float *v, long n, nn_rng *rng) {
    for (long k = 0; k < n; k++) v[k] = 0.05f * (float)(k - n / 2);
    for (long k = n - 1; k > 0; k--) {
        long j = nn_rng_below(rng, (uint32_t)(k + 1));
        float t = v[k]; v[k] = v[j]; v[j] = t;
    }
}

static void check_pool(spoil sp, check_result *result) {
    nn_rng rng;
    nn_rng_seed(&rng, 8, 9);
    layer_ctx c = {.p = {7, 5, 3, 2}, .B = 2};
    long n_in = (long)c.B * 7 * 5 * 3, n_out = (long)c.B * 3 * 2 * 3;
    float inp[2 * 7 * 5 * 3], dinp[2 * 7 * 5 * 3], out[2 * 3 * 2 * 3], R[2 * 3 * 2 * 3];
    int32_t argmax[2 * 3 * 2 * 3];
    fill_ramp(inp, n_in, &rng);
    fill_random(R, n_out, &rng, 1.0f);
    c.inp = inp; c.out = out; c.R = R; c.argmax = argmax;
    pool_objective(&c);
    maxpool_backward(dinp, R, argmax, &c.p, 0, c.B);
    check_tensor(result, "maxpool.7x5x3.p2.input", inp, dinp, n_in, 1e-2f, pool_objective, &c, sp);
}

/* ---- a small CNN: conv (pad 1) -> ReLU -> max-pool -> dense -> softmax cross-entropy.
 * The analytic gradient is backprop through the float layers; the numeric one
 * differentiates the same network computed in double (conv_naive and plain
 * loops), so rounding noise does not swamp the small steps that the kinks
 * (ReLU, the pool's choice) require. A nudge that crosses one is skipped. */

#define NET_STEP 1e-4f

enum { NB = 2, NH = 8, NW = 7, NC = 2, NO = 5, NPH = 4, NPW = 3, NF = NPH * NPW * NO, NK = 10 };
enum { NZ = NB * NH * NW * NO };

typedef struct {
    conv_shape s;
    pool_shape p;
    float x[NB * NH * NW * NC], w[NO * 9 * NC], b[NO], z[NZ], a[NZ];
    float pooled[NB * NF], dense_w[NK * NF], dense_b[NK], logits[NB * NK], probs[NB * NK], losses[NB];
    int32_t argmax[NB * NF];
    uint8_t labels[NB];
    uint64_t pattern; /* ReLU states and pool choices at the unperturbed point */
} net_ctx;

/* Summed loss in double; NAN when a nudge crossed a kink. */
static double net_objective(void *p) {
    net_ctx *c = p;
    double z[NZ], pooled[NB * NF];
    conv_naive(z, NULL, c->x, c->w, c->b, &c->s, NB);
    uint64_t h = 1469598103934665603ULL;
    for (int k = 0; k < NZ; k++) {
        h = (h ^ (uint64_t)(z[k] > 0)) * 1099511628211ULL;
        z[k] = z[k] > 0 ? z[k] : 0;
    }
    for (int b = 0; b < NB; b++)
        for (int k = 0; k < NF; k++) { /* k = (py, px, o) */
            int py = k / (NPW * NO), px = k / NO % NPW, o = k % NO, best = -1;
            for (int dy = 0; dy < 2; dy++)
                for (int dx = 0; dx < 2; dx++) {
                    int i = ((b * NH + 2 * py + dy) * NW + 2 * px + dx) * NO + o;
                    if (best < 0 || z[i] > z[best]) best = i;
                }
            pooled[b * NF + k] = z[best];
            h = (h ^ (uint64_t)best) * 1099511628211ULL;
        }
    if (c->pattern && h != c->pattern) return NAN;
    c->pattern = h;
    double s = 0;
    for (int b = 0; b < NB; b++) {
        double logit[NK], sum = 0;
        for (int j = 0; j < NK; j++) {
            logit[j] = c->dense_b[j];
            for (int k = 0; k < NF; k++) logit[j] += pooled[b * NF + k] * c->dense_w[j * NF + k];
            sum += exp(logit[j]);
        }
        s += log(sum) - logit[c->labels[b]];
    }
    return s;
}

/* fused: the network as passes.c runs a convolution before a 2x2 pool
 * (conv_pool2_forward, then the gradient lists of conv_pool_gather);
 * otherwise layer by layer (conv2d_forward, relu, maxpool, conv2d_backward). */
static void check_net(spoil sp, check_result *results, int fused) {
    static net_ctx c;
    nn_rng rng;
    nn_rng_seed(&rng, 31, 7);
    c.s = (conv_shape){NH, NW, NC, 3, 1, NO};
    c.p = (pool_shape){NH, NW, NO, 2};
    fill_random(c.x, NB * NH * NW * NC, &rng, 1.0f);
    fill_random(c.w, NO * 9 * NC, &rng, 0.5f);
    fill_random(c.b, NO, &rng, 0.2f);
    fill_random(c.dense_w, NK * NF, &rng, 0.3f);
    fill_random(c.dense_b, NK, &rng, 0.3f);
    c.labels[0] = 4; c.labels[1] = 7;
    c.pattern = 0;
    net_objective(&c); /* records the pattern */
    static float wt[9 * NC * ((NO + 3) & ~3)];
    static conv_grad list[NB * NF];
    static int32_t count[NO * NB];
    conv_grads g = {list, count, NPH * NPW, NB, NB};
    conv2d_weights_t(wt, c.w, &c.s);
    if (fused) {
        conv_pool2_forward(c.pooled, c.argmax, c.x, wt, c.b, &c.s, 0, NB);
    } else {
        conv_forward_all(c.z, c.x, c.w, c.b, &c.s, 0, NB);
        relu_forward(c.a, c.z, NZ);
        maxpool_forward(c.pooled, c.argmax, c.a, &c.p, 0, NB);
    }
    dense_forward(c.logits, c.pooled, c.dense_w, c.dense_b, NB, NF, NK);
    /* backward, top to bottom */
    static float dlogits[NB * NK], dpooled[NB * NF], da[NZ], dz[NZ];
    static float gW[NO * 9 * NC], gb[NO], gx[NB * NH * NW * NC], gdw[NK * NF], gdb[NK];
    memset(gW, 0, sizeof gW); memset(gb, 0, sizeof gb);
    memset(gdw, 0, sizeof gdw); memset(gdb, 0, sizeof gdb);
    softmax_crossentropy_forward(c.probs, c.losses, c.logits, c.labels, NB, NK);
    softmax_crossentropy_backward(dlogits, c.probs, c.labels, NB, NK);
    dense_backward(dpooled, gdw, gdb, dlogits, c.pooled, c.dense_w, NB, NF, NK);
    if (fused) {
        conv_pool_gather(&g, dpooled, c.pooled, c.argmax, &c.s, 0, NB);
        conv_pool_backward_params(gW, gb, &g, c.x, &c.s, 0, NO);
        conv_pool_backward_input(gx, &g, c.w, &c.s, 0, NB);
    } else {
        maxpool_backward(da, dpooled, c.argmax, &c.p, 0, NB);
        relu_backward(dz, da, c.z, NZ);
        conv2d_backward(gx, gW, gb, dz, c.x, c.w, &c.s, NB);
    }
    static const char *const names[2][5] = {
        {"cnn.conv.weight", "cnn.conv.bias", "cnn.input", "cnn.dense.weight", "cnn.dense.bias"},
        {"cnn-fused.conv.weight", "cnn-fused.conv.bias", "cnn-fused.input", "cnn-fused.dense.weight",
         "cnn-fused.dense.bias"}};
    const char *const *name = names[fused];
    check_tensor(&results[0], name[0], c.w, gW, NO * 9 * NC, NET_STEP, net_objective, &c, sp);
    check_tensor(&results[1], name[1], c.b, gb, NO, NET_STEP, net_objective, &c, sp);
    check_tensor(&results[2], name[2], c.x, gx, NB * NH * NW * NC, NET_STEP, net_objective, &c, sp);
    check_tensor(&results[3], name[3], c.dense_w, gdw, NK * NF, NET_STEP, net_objective, &c, sp);
    check_tensor(&results[4], name[4], c.dense_b, gdb, NK, NET_STEP, net_objective, &c, sp);
}

int cmd_convcheck(int argc, char **argv) {
    spoil sp = {0, 0};
    for (int k = 0; k + 1 < argc; k += 2) {
        if (strcmp(argv[k], "--perturb") == 0) sp = (spoil){atof(argv[k + 1]), 0};
        else if (strcmp(argv[k], "--perturb-one") == 0) sp = (spoil){atof(argv[k + 1]), 1};
    }
    check_result results[3 * N_CONV + 1 + 10];
    int n = 0;
    for (int which = 0; which < N_CONV; which++, n += 3) check_conv(which, sp, results + n);
    check_pool(sp, results + n++);
    check_net(sp, results + n, 0);
    check_net(sp, results + n + 5, 1);
    n += 10;
    printf("{\"perturb\":%g,\"only_largest\":%s,\"results\":[", sp.x, sp.one ? "true" : "false");
    for (int k = 0; k < n; k++) print_result(&results[k], k == n - 1);
    printf("]}\n");
    return 0;
}
