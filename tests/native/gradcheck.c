/* gradcheck.c - the `gradcheck` command of core_check (check.h): every
 * layer's backward function and every parameter tensor of a small network
 * against Richardson-extrapolated central differences of the loss. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"


/* Relative error with a floor, so tiny gradients compare absolutely. */
static double rel_error(double a, double b) {
    double scale = fmax(fmax(fabs(a), fabs(b)), 1e-3);
    return fabs(a - b) / scale;
}

/* dJ/dx by central differences at step h and h/2, combined by Richardson
 * extrapolation (4 D(h/2) - D(h)) / 3, which cancels the h^2 error term: the
 * float32 forward pass then needs no step so small that rounding dominates. */
double numeric_derivative(float *x, float h, objective_fn J, void *ctx) {
    double d[2];
    float saved = *x;
    for (int k = 0; k < 2; k++) {
        float step = k ? h / 2 : h;
        *x = saved + step;
        double up = J(ctx);
        float x_up = *x;
        *x = saved - step;
        double down = J(ctx);
        float x_down = *x;
        *x = saved;
        d[k] = (up - down) / ((double)x_up - (double)x_down); /* the step as rounded */
    }
    return (4.0 * d[1] - d[0]) / 3.0;
}

void record(check_result *r, double analytic, double numeric) {
    if (isnan(numeric)) {
        r->skipped++;
        return;
    }
    double e = rel_error(analytic, numeric);
    if (e > r->max_error) r->max_error = e;
    r->checked++;
}

void print_result(const check_result *r, int last) {
    printf("{\"name\":\"%s\",\"max_rel_error\":%.3e,\"checked\":%d,\"skipped\":%d}%s", r->name,
           r->max_error, r->checked, r->skipped, last ? "" : ",");
}

/* -- the whole network, 784-12-8-10 (and a small CNN) on 6 samples -- */

enum { NET_B = 6 };

typedef struct {
    mnist_net *net;
    int B;            /* samples used, <= NET_B */
    uint8_t pixels[NET_B * MNIST_PIXELS], labels[NET_B];
    uint64_t pattern; /* ReLU on/off states at the unperturbed point */
} net_ctx;

/* Bit pattern of every ReLU's on/off state and every pool's choice. */
static uint64_t relu_pattern(const mnist_net *net, int B) {
    uint64_t h = 1469598103934665603ULL;
    for (int l = 0; l + 1 < net->n_layers; l++) {
        long n = (long)B * net->sizes[l + 1];
        if (net->layer[l].kind == MNIST_LAYER_POOL)
            for (long k = 0; k < n; k++) h = (h ^ (uint64_t)(uint32_t)net->argmax[l][k]) * 1099511628211ULL;
        else
            for (long k = 0; k < n; k++) h = (h ^ (uint64_t)(net->z[l][k] > 0.0f)) * 1099511628211ULL;
    }
    return h;
}

/* Sum of the losses over the chunk; NAN when a nudge moved some
 * hidden unit across ReLU's kink, where no derivative exists. */
static double net_objective(void *p) {
    net_ctx *c = p;
    pixels_to_float(c->net->acts[0], c->pixels, (long)c->B * MNIST_PIXELS);
    nn_forward(c->net, NULL, NULL, c->labels, c->B);
    if (relu_pattern(c->net, c->B) != c->pattern) return NAN;
    /* Cross-entropy from the float logits, but in double: the float loss
     * would add rounding noise of ~1e-4 to every difference quotient. */
    const float *logits = c->net->z[c->net->n_layers - 1];
    double s = 0;
    for (int b = 0; b < c->B; b++) {
        const float *z = logits + b * MNIST_CLASSES;
        double sum = 0;
        for (int k = 0; k < MNIST_CLASSES; k++) sum += exp((double)z[k]);
        s += log(sum) - z[c->labels[b]];
    }
    return s;
}

/* Every parameter tensor, a sample of its entries. perturb scales the
 * analytic gradient (a deliberately wrong gradient) to show that the bound
 * catches errors of that size. */
static void check_network(const char *arch, const char *prefix, double perturb, check_result *results,
                          int *n_results) {
    mnist_config cfg;
    mnist_error err;
    mnist_preset("default", &cfg, NULL);
    mnist_parse_arch(arch, &cfg, &err);
    int dense = cfg.layers[0].kind == MNIST_LAYER_DENSE;
    nn_rng rng;
    net_ctx c;
    /* Draw networks and samples until every hidden pre-activation is at least
     * 0.01 from ReLU's kink, so the nudges below rarely cross it. */
    for (uint64_t attempt = 0;; attempt++) {
        cfg.seed = 7 + attempt;
        c.net = mnist_create(&cfg, &err);
        nn_rng_seed(&rng, 99 + attempt, 3);
        /* A CNN sees 2 samples whose ink is a 4x4 patch: a nudge then moves few
         * of its thousands of ReLUs, and fewer cross a kink. */
        c.B = dense ? NET_B : 2;
        for (int k = 0; k < NET_B * MNIST_PIXELS; k++) {
            int row = k % MNIST_PIXELS / MNIST_COLS, col = k % MNIST_COLS;
            int ink = dense || (row >= 12 && row < 16 && col >= 12 && col < 16);
            c.pixels[k] = (uint8_t)(nn_rng_u32(&rng) % 4 == 0 || !dense ? (ink ? nn_rng_u32(&rng) % 256 : 0) : 0);
        }
        for (int b = 0; b < NET_B; b++) c.labels[b] = (uint8_t)(nn_rng_u32(&rng) % MNIST_CLASSES);
        /* Biases away from zero so the ReLUs are not all on one side; a
         * convolution's negative, so its ReLUs are off away from the ink. */
        for (int l = 0; l < c.net->n_layers; l++)
            for (size_t k = 0; k < c.net->layer[l].n_b; k++)
                c.net->b[l][k] = c.net->layer[l].kind == MNIST_LAYER_DENSE ? 0.2f * (nn_rng_uniform(&rng) - 0.3f)
                                                                    : -0.05f - 0.1f * nn_rng_uniform(&rng);
        c.pattern = 0;
        net_objective(&c);
        float margin = INFINITY;
        if (!dense) break; /* thousands of convolution outputs: rely on the pattern check alone */
        for (int l = 0; l + 1 < c.net->n_layers; l++)
            for (long k = 0; k < (long)NET_B * c.net->sizes[l + 1]; k++)
                margin = fminf(margin, fabsf(c.net->z[l][k]));
        if (margin >= 0.01f || attempt == 10000) break;
        mnist_free(c.net);
    }
    mnist_net *net = c.net;

    memset(net->grads, 0, sizeof(float) * net->n_params);
    c.pattern = 0;
    net_objective(&c);
    c.pattern = relu_pattern(net, c.B);
    nn_backward(net, c.labels, c.B);
    float *analytic = malloc(sizeof(float) * net->n_params);
    memcpy(analytic, net->grads, sizeof(float) * net->n_params);

    static char names[32][24]; /* every call's names, until they are printed */
    static int named = 0;
    *n_results = 0;
    for (int l = 0, tensor_layer = 0; l < net->n_layers; l++) {
        if (net->layer[l].kind == MNIST_LAYER_POOL) continue;
        tensor_layer++;
        for (int is_bias = 0; is_bias < 2; is_bias++) {
            check_result *r = &results[(*n_results)++];
            memset(r, 0, sizeof *r);
            snprintf(names[named], sizeof names[0], "%s%c%d", prefix, is_bias ? 'b' : 'W', tensor_layer);
            r->name = names[named++];
            float *tensor = is_bias ? net->b[l] : net->W[l];
            long size = (long)(is_bias ? net->layer[l].n_b : net->layer[l].n_w);
            int samples = size < 60 ? (int)size : 60;
            for (int s = 0; s < samples; s++) {
                long k = samples == size ? s : (long)nn_rng_below(&rng, (uint32_t)size);
                if (!is_bias && l == 0 && dense) { /* W1: skip inputs that are zero in every sample */
                    long col = k % MNIST_PIXELS;
                    int any = 0;
                    for (int b = 0; b < c.B; b++) any |= c.pixels[b * MNIST_PIXELS + col] != 0;
                    if (!any) { s--; continue; }
                }
                /* a convolution's bias moves a whole channel: a smaller nudge */
                float step = is_bias && net->layer[l].kind == MNIST_LAYER_CONV ? 1e-3f : 1e-2f;
                double numeric = numeric_derivative(&tensor[k], step, net_objective, &c);
                record(r, analytic[tensor - net->params + k] * (1.0 + perturb), numeric);
            }
        }
    }
    free(analytic);
    mnist_free(net);
}

/* -- one layer function at a time: J = sum(out .* R) for a fixed random R,
 *    so dJ/dout = R and the backward pass must give dJ/d(each input) -- */

enum { LB = 3, LI = 7, LO = 5, LC = 10 };

typedef struct {
    float inp[LB * LI], w[LO * LI], bias[LO], out[LB * LO], R[LB * LO];
    float z[LB * LO], a[LB * LO];
    float logits[LB * LC], probs[LB * LC], losses[LB];
    uint8_t labels[LB];
} layer_ctx;

void fill_random(float *v, long n, nn_rng *rng, float scale) {
    for (long k = 0; k < n; k++) v[k] = scale * (2.0f * nn_rng_uniform(rng) - 1.0f);
}

double dot_double(const float *a, const float *b, long n) {
    double s = 0;
    for (long k = 0; k < n; k++) s += (double)a[k] * b[k];
    return s;
}

static double dense_objective(void *p) {
    layer_ctx *c = p;
    dense_forward(c->out, c->inp, c->w, c->bias, LB, LI, LO);
    return dot_double(c->out, c->R, LB * LO);
}

static double relu_objective(void *p) {
    layer_ctx *c = p;
    relu_forward(c->a, c->z, LB * LO);
    return dot_double(c->a, c->R, LB * LO);
}

static double softmax_objective(void *p) {
    layer_ctx *c = p;
    softmax_crossentropy_forward(c->probs, c->losses, c->logits, c->labels, LB, LC);
    return (double)c->losses[0] + c->losses[1] + c->losses[2];
}

static void check_layers(check_result *results, int *n_results) {
    nn_rng rng;
    nn_rng_seed(&rng, 5, 11);
    layer_ctx c;
    fill_random(c.inp, LB * LI, &rng, 1.0f);
    fill_random(c.w, LO * LI, &rng, 0.5f);
    fill_random(c.bias, LO, &rng, 0.5f);
    fill_random(c.R, LB * LO, &rng, 1.0f);
    fill_random(c.z, LB * LO, &rng, 1.0f);
    fill_random(c.logits, LB * LC, &rng, 3.0f);
    c.labels[0] = 3; c.labels[1] = 0; c.labels[2] = 9;

    float dinp[LB * LI], dw[LO * LI], dbias[LO], dz[LB * LO], dlogits[LB * LC];
    memset(dw, 0, sizeof dw);
    memset(dbias, 0, sizeof dbias);
    dense_backward(dinp, dw, dbias, c.R, c.inp, c.w, LB, LI, LO);
    relu_backward(dz, c.R, c.z, LB * LO);
    softmax_crossentropy_forward(c.probs, c.losses, c.logits, c.labels, LB, LC);
    softmax_crossentropy_backward(dlogits, c.probs, c.labels, LB, LC);

    struct { const char *name; float *x; const float *g; long n; objective_fn J; } parts[] = {
        {"dense.input", c.inp, dinp, LB * LI, dense_objective},
        {"dense.weight", c.w, dw, LO * LI, dense_objective},
        {"dense.bias", c.bias, dbias, LO, dense_objective},
        {"relu", c.z, dz, LB * LO, relu_objective},
        {"softmax_crossentropy", c.logits, dlogits, LB * LC, softmax_objective},
    };
    for (int part = 0; part < 5; part++) {
        check_result *r = &results[(*n_results)++];
        memset(r, 0, sizeof *r);
        r->name = parts[part].name;
        for (long k = 0; k < parts[part].n; k++) {
            if (parts[part].J == relu_objective && fabsf(parts[part].x[k]) < 0.1f) {
                r->skipped++; /* too near the kink for a step of 3e-2 */
                continue;
            }
            record(r, parts[part].g[k], numeric_derivative(&parts[part].x[k], 3e-2f, parts[part].J, &c));
        }
    }
}

int cmd_gradcheck(int argc, char **argv) {
    double perturb = 0;
    if (argc >= 2 && strcmp(argv[0], "--perturb") == 0) perturb = atof(argv[1]);
    check_result results[32];
    int n = 0, n_net = 0;
    check_layers(results, &n);
    check_network("784-12-8-10", "", perturb, results + n, &n_net);
    n += n_net;
    /* a small CNN through the network's own passes: two convolutions (one
     * padded), two pools, a hidden dense layer */
    check_network("784-c6k3-p2-c5k3pad1-p2-8-10", "cnn.", perturb, results + n, &n_net);
    n += n_net;
    printf("{\"perturb\":%g,\"results\":[", perturb);
    for (int k = 0; k < n; k++) print_result(&results[k], k == n - 1);
    printf("]}\n");
    return 0;
}
