/* core_check.c - a harness that exposes the core's internals to the Node
 * tests (tests/core.test.js). Each subcommand prints one JSON line.
 *
 *   core_check gradcheck [--perturb X]   finite differences vs backprop
 *   core_check seed-step IN OUT SEED     one full-batch step of the seed net
 *   core_check idx IMAGES LABELS         validate two raw IDX files
 *   core_check model FILE                validate and load a model file
 *   core_check model-save FILE SEED      save a fresh 784-16-10 network
 *   core_check expf                      our exp/log against libm's
 *   core_check slices                    slice size does not change the bits
 *
 * Files are read into buffers of exactly their size, so that under
 * AddressSanitizer any read past the end is caught. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/core/nn.h"

static const char *status_name(mnist_status s) {
    static const char *names[] = {
        "MNIST_OK", "MNIST_E_NOMEM", "MNIST_E_CONFIG", "MNIST_E_IDX_SHORT", "MNIST_E_IDX_MAGIC",
        "MNIST_E_IDX_DIMS", "MNIST_E_IDX_LENGTH", "MNIST_E_IDX_LABEL", "MNIST_E_IDX_COUNT",
        "MNIST_E_MODEL_SHORT", "MNIST_E_MODEL_MAGIC", "MNIST_E_MODEL_VERSION", "MNIST_E_MODEL_ARCH",
        "MNIST_E_MODEL_LENGTH", "MNIST_E_MODEL_CHECKSUM", "MNIST_E_MODEL_VALUE", "MNIST_E_STATE"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static void print_json_string(const char *s) {
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') putchar('\\');
        if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
        else putchar(*s);
    }
    putchar('"');
}

static void print_status(mnist_status st, const mnist_error *err) {
    printf("{\"code\":\"%s\",\"message\":", status_name(st));
    print_json_string(st == MNIST_OK ? "" : err->message);
    printf("}\n");
}

static uint8_t *read_exact(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) { perror(path); exit(2); }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void write_all(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) { perror(path); exit(2); }
}

/* ---- gradient checks ------------------------------------------------------------- */

/* Relative error with a floor, so tiny gradients compare absolutely. */
static double rel_error(double a, double b) {
    double scale = fmax(fmax(fabs(a), fabs(b)), 1e-3);
    return fabs(a - b) / scale;
}

/* An objective J(everything) evaluated after *x was nudged; NAN = unusable. */
typedef double (*objective_fn)(void *ctx);

/* dJ/dx by central differences at step h and h/2, combined by Richardson
 * extrapolation (4 D(h/2) - D(h)) / 3, which cancels the h^2 error term: the
 * float32 forward pass then needs no step so small that rounding dominates. */
static double numeric_derivative(float *x, float h, objective_fn J, void *ctx) {
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

typedef struct {
    const char *name;
    double max_error;
    int checked, skipped;
} check_result;

static void record(check_result *r, double analytic, double numeric) {
    if (isnan(numeric)) {
        r->skipped++;
        return;
    }
    double e = rel_error(analytic, numeric);
    if (e > r->max_error) r->max_error = e;
    r->checked++;
}

static void print_result(const check_result *r, int last) {
    printf("{\"name\":\"%s\",\"max_rel_error\":%.3e,\"checked\":%d,\"skipped\":%d}%s", r->name,
           r->max_error, r->checked, r->skipped, last ? "" : ",");
}

/* -- the whole network, 784-12-8-10 on 6 samples -- */

enum { NET_B = 6 };

typedef struct {
    mnist_net *net;
    uint8_t pixels[NET_B * MNIST_PIXELS], labels[NET_B];
    uint64_t pattern; /* ReLU on/off states at the unperturbed point */
} net_ctx;

/* Bit pattern of every hidden ReLU's on/off state. */
static uint64_t relu_pattern(const mnist_net *net, int B) {
    uint64_t h = 1469598103934665603ULL;
    for (int l = 0; l + 1 < net->n_layers; l++)
        for (long k = 0; k < (long)B * net->sizes[l + 1]; k++)
            h = (h ^ (uint64_t)(net->z[l][k] > 0.0f)) * 1099511628211ULL;
    return h;
}

/* Sum of the losses over the chunk; NAN when a nudge moved some
 * hidden unit across ReLU's kink, where no derivative exists. */
static double net_objective(void *p) {
    net_ctx *c = p;
    pixels_to_float(c->net->acts[0], c->pixels, (long)NET_B * MNIST_PIXELS);
    nn_forward(c->net, NULL, c->labels, NET_B);
    if (relu_pattern(c->net, NET_B) != c->pattern) return NAN;
    /* Cross-entropy from the float logits, but in double: the float loss
     * would add rounding noise of ~1e-4 to every difference quotient. */
    const float *logits = c->net->z[c->net->n_layers - 1];
    double s = 0;
    for (int b = 0; b < NET_B; b++) {
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
static void check_network(double perturb, check_result *results, int *n_results) {
    mnist_config cfg;
    mnist_error err;
    mnist_preset("default", &cfg, NULL);
    mnist_parse_arch("784-12-8-10", &cfg, &err);
    nn_rng rng;
    net_ctx c;
    /* Draw networks and samples until every hidden pre-activation is at least
     * 0.01 from ReLU's kink, so the nudges below rarely cross it. */
    for (uint64_t attempt = 0;; attempt++) {
        cfg.seed = 7 + attempt;
        c.net = mnist_create(&cfg, &err);
        nn_rng_seed(&rng, 99 + attempt, 3);
        for (int k = 0; k < NET_B * MNIST_PIXELS; k++)
            c.pixels[k] = (uint8_t)(nn_rng_u32(&rng) % 4 == 0 ? nn_rng_u32(&rng) % 256 : 0);
        for (int b = 0; b < NET_B; b++) c.labels[b] = (uint8_t)(nn_rng_u32(&rng) % MNIST_CLASSES);
        /* Biases away from zero so the ReLUs are not all on one side. */
        for (int l = 0; l < c.net->n_layers; l++)
            for (int k = 0; k < c.net->sizes[l + 1]; k++)
                c.net->b[l][k] = 0.2f * (nn_rng_uniform(&rng) - 0.3f);
        c.pattern = 0;
        net_objective(&c);
        float margin = INFINITY;
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
    c.pattern = relu_pattern(net, NET_B);
    nn_backward(net, c.labels, NET_B);
    float *analytic = malloc(sizeof(float) * net->n_params);
    memcpy(analytic, net->grads, sizeof(float) * net->n_params);

    static const char *names[] = {"W1", "b1", "W2", "b2", "W3", "b3"};
    *n_results = 0;
    for (int l = 0; l < net->n_layers; l++) {
        for (int is_bias = 0; is_bias < 2; is_bias++) {
            check_result *r = &results[(*n_results)++];
            memset(r, 0, sizeof *r);
            r->name = names[2 * l + is_bias];
            float *tensor = is_bias ? net->b[l] : net->W[l];
            long size = is_bias ? net->sizes[l + 1] : (long)net->sizes[l] * net->sizes[l + 1];
            int samples = size < 60 ? (int)size : 60;
            for (int s = 0; s < samples; s++) {
                long k = samples == size ? s : (long)nn_rng_below(&rng, (uint32_t)size);
                if (!is_bias && l == 0) { /* W1: skip inputs that are zero in every sample */
                    long col = k % MNIST_PIXELS;
                    int any = 0;
                    for (int b = 0; b < NET_B; b++) any |= c.pixels[b * MNIST_PIXELS + col] != 0;
                    if (!any) { s--; continue; }
                }
                double numeric = numeric_derivative(&tensor[k], 1e-2f, net_objective, &c);
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

static void fill_random(float *v, long n, nn_rng *rng, float scale) {
    for (long k = 0; k < n; k++) v[k] = scale * (2.0f * nn_rng_uniform(rng) - 1.0f);
}

static double dot_double(const float *a, const float *b, long n) {
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

static int cmd_gradcheck(int argc, char **argv) {
    double perturb = 0;
    if (argc >= 2 && strcmp(argv[0], "--perturb") == 0) perturb = atof(argv[1]);
    check_result results[16];
    int n = 0, n_net = 0;
    check_layers(results, &n);
    check_network(perturb, results + n, &n_net);
    n += n_net;
    printf("{\"perturb\":%g,\"results\":[", perturb);
    for (int k = 0; k < n; k++) print_result(&results[k], k == n - 1);
    printf("]}\n");
    return 0;
}

/* ---- seed parity ------------------------------------------------------------------- */

/* IN: u32 m, then m*784 pixels, then m labels. OUT: the initial then the
 * updated parameters of the seed network (float32 each), after one
 * full-batch gradient-descent step on those m samples. */
static int cmd_seed_step(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: seed-step IN OUT SEED\n"); return 2; }
    size_t len;
    uint8_t *in = read_exact(argv[0], &len);
    uint32_t m;
    memcpy(&m, in, 4);
    if (len != 4 + (size_t)m * (MNIST_PIXELS + 1)) { fprintf(stderr, "bad input size\n"); return 2; }
    mnist_dataset ds = {in + 4, in + 4 + (size_t)m * MNIST_PIXELS, (long)m};
    mnist_config cfg;
    mnist_error err;
    mnist_preset("seed", &cfg, NULL);
    cfg.seed = strtoull(argv[2], NULL, 10);
    mnist_net *net = mnist_create(&cfg, &err);
    size_t n = mnist_param_count(net);
    float *both = malloc(2 * n * sizeof(float));
    memcpy(both, mnist_params(net), n * sizeof(float));
    mnist_progress p;
    if (mnist_train_attach(net, &ds, &err) != MNIST_OK || mnist_train(net, m, &p, &err) != MNIST_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    memcpy(both + n, mnist_params(net), n * sizeof(float));
    write_all(argv[1], both, 2 * n * sizeof(float));
    printf("{\"parameters\":%zu,\"iterations\":%ld,\"loss\":%.6f,\"accuracy\":%.4f}\n", n,
           p.iterations, p.batch_loss, p.batch_accuracy);
    free(both);
    free(in);
    mnist_free(net);
    return 0;
}

/* ---- input validation ------------------------------------------------------------- */

static int cmd_idx(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: idx IMAGES LABELS\n"); return 2; }
    size_t ni, nl;
    uint8_t *images = read_exact(argv[0], &ni), *labels = read_exact(argv[1], &nl);
    mnist_dataset ds;
    mnist_error err;
    mnist_status st = mnist_dataset_parse(images, ni, argv[0], labels, nl, argv[1], &ds, &err);
    if (st == MNIST_OK) {
        /* touch every byte the dataset claims, so ASan sees any overrun */
        unsigned sum = 0;
        for (long k = 0; k < ds.count * MNIST_PIXELS; k++) sum += ds.pixels[k];
        for (long k = 0; k < ds.count; k++) sum += ds.labels[k];
        printf("{\"code\":\"MNIST_OK\",\"count\":%ld,\"sum\":%u}\n", ds.count, sum);
    } else {
        print_status(st, &err);
    }
    free(images);
    free(labels);
    return 0;
}

static int cmd_model(int argc, char **argv) {
    if (argc < 1) { fprintf(stderr, "usage: model FILE\n"); return 2; }
    size_t len;
    uint8_t *buf = read_exact(argv[0], &len);
    mnist_error err;
    mnist_net *net = mnist_model_load(buf, len, argv[0], &err);
    if (net) {
        /* a loaded model must round-trip to the same bytes */
        size_t size = mnist_model_size(net);
        uint8_t *again = malloc(size);
        mnist_model_save(net, again, size, &err);
        int same = size == len && memcmp(again, buf, len) == 0;
        printf("{\"code\":\"MNIST_OK\",\"parameters\":%zu,\"roundtrip\":%s}\n", mnist_param_count(net),
               same ? "true" : "false");
        free(again);
        mnist_free(net);
    } else {
        print_status(err.code, &err);
    }
    free(buf);
    return 0;
}

static int cmd_model_save(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: model-save FILE SEED\n"); return 2; }
    mnist_config cfg;
    mnist_error err;
    mnist_preset("default", &cfg, NULL);
    mnist_parse_arch("784-16-10", &cfg, &err);
    cfg.seed = strtoull(argv[1], NULL, 10);
    mnist_net *net = mnist_create(&cfg, &err);
    size_t size = mnist_model_size(net);
    uint8_t *buf = malloc(size);
    mnist_model_save(net, buf, size, &err);
    write_all(argv[0], buf, size);
    printf("{\"bytes\":%zu,\"parameters\":%zu}\n", size, mnist_param_count(net));
    free(buf);
    mnist_free(net);
    return 0;
}

/* Our exp/log against libm's (double), over the range softmax uses. */
static int cmd_expf(void) {
    double max_exp = 0, max_log = 0;
    for (int k = 0; k <= 200000; k++) {
        float x = -100.0f + (float)k * (100.0f / 200000.0f);
        double ref = exp((double)x);
        if (ref > 1e-37) max_exp = fmax(max_exp, fabs(nn_expf(x) - ref) / ref);
        float y = 1e-30f * powf(10.0f, (float)k * (60.0f / 200000.0f));
        double lref = log((double)y);
        max_log = fmax(max_log, fabs(nn_logf(y) - lref) / fmax(fabs(lref), 1.0));
    }
    printf("{\"exp_max_rel_error\":%.3e,\"log_max_error\":%.3e,\"exp0\":%.9g,\"log1\":%.9g}\n",
           max_exp, max_log, (double)nn_expf(0.0f), (double)nn_logf(1.0f));
    return 0;
}

/* Training in slices of any size must give the same bits as whole batches:
 * the WASM worker trains in time slices, the CLI in batches. A synthetic set
 * of 500 images, batch 50 (and a mid-run change to batch 30 and momentum 0),
 * trained through slices of 1000, 64, 7 and 1 samples. */
static int cmd_slices(void) {
    enum { N = 500 };
    static uint8_t pixels[N * MNIST_PIXELS], labels[N];
    nn_rng rng;
    nn_rng_seed(&rng, 3, 4);
    for (long k = 0; k < N * MNIST_PIXELS; k++) pixels[k] = (uint8_t)nn_rng_u32(&rng);
    for (int k = 0; k < N; k++) labels[k] = (uint8_t)nn_rng_below(&rng, MNIST_CLASSES);
    mnist_dataset ds = {pixels, labels, N};
    const long slices[] = {1000, 64, 7, 1};
    float *reference = NULL;
    int identical = 1;
    long iterations[4];
    for (int v = 0; v < 4; v++) {
        mnist_config cfg;
        mnist_error err;
        mnist_preset("default", &cfg, NULL);
        mnist_parse_arch("784-20-12-10", &cfg, &err);
        cfg.hyper.batch_size = 50;
        mnist_net *net = mnist_create(&cfg, &err);
        mnist_train_attach(net, &ds, &err);
        mnist_progress p;
        memset(&p, 0, sizeof p);
        while (p.epoch < 3) {
            if (mnist_train(net, slices[v], &p, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); return 1; }
            if (p.epoch == 1 && p.epoch_ended) { /* change hyperparameters between epochs */
                mnist_hyper h = mnist_get_hyper(net);
                h.batch_size = 30;
                h.momentum = 0.0f;
                mnist_set_hyper(net, &h, &err);
            }
        }
        iterations[v] = p.iterations;
        size_t n = mnist_param_count(net);
        if (!reference) {
            reference = malloc(n * sizeof(float));
            memcpy(reference, mnist_params(net), n * sizeof(float));
        } else if (memcmp(reference, mnist_params(net), n * sizeof(float)) != 0) {
            identical = 0;
        }
        mnist_free(net);
    }
    printf("{\"identical\":%s,\"iterations\":[%ld,%ld,%ld,%ld]}\n", identical ? "true" : "false",
           iterations[0], iterations[1], iterations[2], iterations[3]);
    free(reference);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: core_check COMMAND ...\n"); return 2; }
    const char *cmd = argv[1];
    if (strcmp(cmd, "gradcheck") == 0) return cmd_gradcheck(argc - 2, argv + 2);
    if (strcmp(cmd, "seed-step") == 0) return cmd_seed_step(argc - 2, argv + 2);
    if (strcmp(cmd, "idx") == 0) return cmd_idx(argc - 2, argv + 2);
    if (strcmp(cmd, "model") == 0) return cmd_model(argc - 2, argv + 2);
    if (strcmp(cmd, "model-save") == 0) return cmd_model_save(argc - 2, argv + 2);
    if (strcmp(cmd, "expf") == 0) return cmd_expf();
    if (strcmp(cmd, "slices") == 0) return cmd_slices();
    fprintf(stderr, "unknown command %s\n", cmd);
    return 2;
}
