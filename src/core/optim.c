/* optim.c - the optimisers (SGD with momentum, Adam) applied at the end of
 * each batch, and the learning-rate schedules (per-epoch step decay,
 * one-cycle). The formulas are in mnist.h. */
#include <math.h>

#include "nn.h"
#include "parallel.h"
#include "simd.h"

#if defined(__SSE__)
#include <xmmintrin.h>
#elif defined(__wasm_simd128__)
#include <wasm_simd128.h>
#endif

typedef struct {
    mnist_net *net;
    float inv_m;         /* 1/m */
    float lr, mu;        /* alpha; momentum (SGD) or beta1 (Adam) */
    float bc1, bc2;      /* Adam's bias corrections, 1 - beta1^t and 1 - beta2^t */
} update_job;

/* v := mu v + dW; W := W - alpha v (dW with L2 decay on weights, k < nw). */
static void sgd_step(const update_job *job, float *w, float *g, float *v, int lo, int hi, int nw) {
    const float lr = job->lr, mu = job->mu, wd = job->net->hyper.weight_decay;
    for (int k = lo; k < hi; k++) {
        float d = job->inv_m * g[k];
        if (wd > 0.0f && k < nw) d += wd * w[k];
        if (mu > 0.0f) {
            v[k] = mu * v[k] + d;
            d = v[k];
        }
        w[k] -= lr * d;
        g[k] = 0.0f;
    }
}

/* sqrt of each lane, correctly rounded as IEEE requires (SSE sqrtps, WASM
 * f32x4.sqrt), so every lane equals the scalar sqrtf of the same input. */
static inline f32x4 sqrt4(f32x4 x) {
#if defined(__SSE__)
    return (f32x4)_mm_sqrt_ps((__m128)x);
#elif defined(__wasm_simd128__)
    return (f32x4)wasm_f32x4_sqrt((v128_t)x);
#else
    return (f32x4){sqrtf(x[0]), sqrtf(x[1]), sqrtf(x[2]), sqrtf(x[3])};
#endif
}

/* Adam's per-step constants, read once per slice instead of once per parameter. */
typedef struct {
    float lr, b1, b2, c1, c2; /* c1 = 1 - b1, c2 = 1 - b2 (the same float ops the formula does) */
    float eps, wd, bc1, bc2;
} adam_consts;

/* Parameters [lo, hi) with (decay) or without L2 decay; div1/div2 = 0 when the
 * bias correction is exactly 1 (x / 1.0f == x, so the division is skipped with
 * the same bits). Four lanes at a time, each lane rounding exactly as the
 * scalar tail: the same operations in the same order, no reciprocals. */
static inline __attribute__((always_inline)) void adam_range(const adam_consts *c, float inv_m, float *w, float *g,
                                                            float *m, float *v, int lo, int hi,
                                                            int decay, int div1, int div2) {
    const f32x4 inv_m4 = splat4(inv_m), wd4 = splat4(c->wd), b14 = splat4(c->b1), c14 = splat4(c->c1);
    const f32x4 b24 = splat4(c->b2), c24 = splat4(c->c2), bc14 = splat4(c->bc1), bc24 = splat4(c->bc2);
    const f32x4 lr4 = splat4(c->lr), eps4 = splat4(c->eps), zero4 = splat4(0.0f);
    int k = lo;
    for (; k + 4 <= hi; k += 4) {
        f32x4 wk = load4(w + k);
        f32x4 d = inv_m4 * load4(g + k);
        if (decay) d += wd4 * wk;
        f32x4 mk = b14 * load4(m + k) + c14 * d;
        f32x4 vk = b24 * load4(v + k) + c24 * d * d;
        store4(m + k, mk);
        store4(v + k, vk);
        f32x4 mhat = div1 ? mk / bc14 : mk, vhat = div2 ? vk / bc24 : vk;
        store4(w + k, wk - lr4 * mhat / (sqrt4(vhat) + eps4));
        store4(g + k, zero4);
    }
    for (; k < hi; k++) {
        float d = inv_m * g[k];
        if (decay) d += c->wd * w[k];
        m[k] = c->b1 * m[k] + c->c1 * d;
        v[k] = c->b2 * v[k] + c->c2 * d * d;
        float mhat = div1 ? m[k] / c->bc1 : m[k], vhat = div2 ? v[k] / c->bc2 : v[k];
        w[k] -= c->lr * mhat / (sqrtf(vhat) + c->eps);
        g[k] = 0.0f;
    }
}

/* One instance per (div1, div2): the tests on them leave the inner loops. */
static void adam_span(const adam_consts *c, float inv_m, float *w, float *g, float *m, float *v,
                      int lo, int hi, int decay) {
    int div1 = c->bc1 != 1.0f, div2 = c->bc2 != 1.0f;
    if (div1 && div2) {
        if (decay) adam_range(c, inv_m, w, g, m, v, lo, hi, 1, 1, 1);
        else adam_range(c, inv_m, w, g, m, v, lo, hi, 0, 1, 1);
    } else if (div2) {
        if (decay) adam_range(c, inv_m, w, g, m, v, lo, hi, 1, 0, 1);
        else adam_range(c, inv_m, w, g, m, v, lo, hi, 0, 0, 1);
    } else if (div1) {
        if (decay) adam_range(c, inv_m, w, g, m, v, lo, hi, 1, 1, 0);
        else adam_range(c, inv_m, w, g, m, v, lo, hi, 0, 1, 0);
    } else {
        if (decay) adam_range(c, inv_m, w, g, m, v, lo, hi, 1, 0, 0);
        else adam_range(c, inv_m, w, g, m, v, lo, hi, 0, 0, 0);
    }
}

/* m := b1 m + (1 - b1) dW; v := b2 v + (1 - b2) dW^2;
 * W := W - alpha mhat / (sqrt(vhat) + eps), mhat = m / (1 - b1^t), vhat = v / (1 - b2^t).
 * L2 decay (wd > 0) applies to the weights, k < nw, not to the biases. */
static void adam_step(const update_job *job, float *w, float *g, float *m, float *v, int lo, int hi, int nw) {
    const mnist_hyper *h = &job->net->hyper;
    const adam_consts c = {job->lr, job->mu, h->beta2, 1.0f - job->mu, 1.0f - h->beta2,
                           h->eps, h->weight_decay, job->bc1, job->bc2};
    int split = c.wd > 0.0f ? (nw < lo ? lo : nw > hi ? hi : nw) : lo;
    adam_span(&c, job->inv_m, w, g, m, v, lo, split, 1);
    adam_span(&c, job->inv_m, w, g, m, v, split, hi, 0);
}

/* Slice `part` of every layer's parameters (W then b, contiguous). */
static void update_slice(void *arg, int part, int parts) {
    const update_job *job = arg;
    mnist_net *net = job->net;
    for (int l = 0; l < net->n_layers; l++) {
        int nw = (int)net->layer[l].n_w; /* a pool has none */
        int lo, hi;
        nn_split(nw + (int)net->layer[l].n_b, part, parts, 4, &lo, &hi);
        float *w = net->W[l], *g = net->dW[l];
        size_t at = (size_t)(w - net->params);
        if (net->hyper.optimizer == MNIST_OPT_ADAM)
            adam_step(job, w, g, net->velocity + at, net->moment2 + at, lo, hi, nw);
        else
            sgd_step(job, w, g, net->velocity + at, lo, hi, nw);
    }
}

/* x^n for a whole n >= 1 by squaring: the same bits in every build (libm's pow may differ). */
static double power(double x, long n) {
    double r = 1.0;
    for (; n > 0; n >>= 1, x *= x)
        if (n & 1) r *= x;
    return r;
}

/* W := W - alpha dW with dW = 1/m (summed gradient), by the optimiser in
 * force. Each parameter is updated on its own, so threads may split them. */
void nn_update(mnist_net *net, long m) {
    update_job job = {net, 1.0f / (float)m, 0, 0, 1.0f, 1.0f};
    nn_schedule(net, &job.lr, &job.mu);
    if (net->hyper.optimizer == MNIST_OPT_ADAM) {
        long t = ++net->adam_steps;
        job.bc1 = (float)(1.0 - power(job.mu, t));
        job.bc2 = (float)(1.0 - power(net->hyper.beta2, t));
    }
    nn_parallel(update_slice, &job);
}

/* PyTorch's _annealing_cos: from start (pct 0) to end (pct 1), cosine-shaped. */
static double anneal_cos(double start, double end, double pct) {
    return end + (start - end) / 2.0 * (nn_cospi(pct) + 1.0);
}

void nn_onecycle(double max_lr, double step, double total, float *lr, float *momentum) {
    const double pct_start = 0.3, div_factor = 25.0, final_div_factor = 1e4;
    const double max_momentum = 0.95, base_momentum = 0.85;
    const double initial_lr = max_lr / div_factor, min_lr = initial_lr / final_div_factor;
    const double peak = pct_start * total - 1.0, last = total - 1.0;
    if (step > last) step = last; /* past the plan: the final rate */
    if (step <= peak && peak > 0.0) { /* warm-up */
        double pct = step / peak;
        *lr = (float)anneal_cos(initial_lr, max_lr, pct);
        *momentum = (float)anneal_cos(max_momentum, base_momentum, pct);
    } else { /* anneal */
        double pct = (step - peak) / (last - peak);
        *lr = (float)anneal_cos(max_lr, min_lr, pct);
        *momentum = (float)anneal_cos(base_momentum, max_momentum, pct);
    }
}

void nn_schedule(const mnist_net *net, float *lr, float *momentum) {
    const mnist_hyper *h = &net->hyper;
    if (h->schedule == MNIST_SCHEDULE_ONECYCLE) {
        nn_onecycle(h->learning_rate, (double)(net->iterations - net->plan_start), net->plan_updates, lr, momentum);
    } else {
        *lr = net->lr_epoch;
        *momentum = h->optimizer == MNIST_OPT_ADAM ? h->beta1 : h->momentum;
    }
}

float mnist_learning_rate(const mnist_net *net) {
    float lr, momentum;
    nn_schedule(net, &lr, &momentum);
    return lr;
}
