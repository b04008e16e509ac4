/* optim.c - the optimisers (SGD with momentum, Adam) applied at the end of
 * each batch, and the learning-rate schedules (per-epoch step decay,
 * one-cycle). The formulas are in mnist.h. */
#include <math.h>

#include "nn.h"
#include "parallel.h"

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

/* m := b1 m + (1 - b1) dW; v := b2 v + (1 - b2) dW^2;
 * W := W - alpha mhat / (sqrt(vhat) + eps), mhat = m / (1 - b1^t), vhat = v / (1 - b2^t). */
static void adam_step(const update_job *job, float *w, float *g, float *m, float *v, int lo, int hi, int nw) {
    const mnist_hyper *h = &job->net->hyper;
    const float lr = job->lr, b1 = job->mu, b2 = h->beta2, eps = h->eps, wd = h->weight_decay;
    for (int k = lo; k < hi; k++) {
        float d = job->inv_m * g[k];
        if (wd > 0.0f && k < nw) d += wd * w[k];
        m[k] = b1 * m[k] + (1.0f - b1) * d;
        v[k] = b2 * v[k] + (1.0f - b2) * d * d;
        float mhat = m[k] / job->bc1, vhat = v[k] / job->bc2;
        w[k] -= lr * mhat / (sqrtf(vhat) + eps);
        g[k] = 0.0f;
    }
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
