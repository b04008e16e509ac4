/* adamcheck.c - the optimiser and schedule commands of the core's test
 * harness (core_check.c), compared by tests/core.test.js with independent
 * JavaScript implementations:
 *
 *   core_check adam-step STEPS WD step|onecycle   Adam steps on a small net
 *   core_check onecycle TOTAL MAX                 the one-cycle schedule
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

void synthetic_set(uint8_t *pixels, uint8_t *labels, long n, uint64_t seed) {
    nn_rng rng;
    nn_rng_seed(&rng, seed, 4);
    for (long k = 0; k < n * MNIST_PIXELS; k++) pixels[k] = (uint8_t)nn_rng_u32(&rng);
    for (long k = 0; k < n; k++) labels[k] = (uint8_t)nn_rng_below(&rng, MNIST_CLASSES);
}

static void print_floats(const char *name, const float *v, size_t n) {
    printf("\"%s\":[", name);
    for (size_t k = 0; k < n; k++) printf(k ? ",%.9g" : "%.9g", (double)v[k]);
    printf("]");
}

/* A 784-4-10 network (He init, seed 5), Adam (lr 0.01, beta1 0.9, beta2
 * 0.999, eps 1e-8), weight decay WD, full-batch steps on 8 synthetic
 * samples (no shuffle: the order is the set's). Before each step the
 * gradient is computed here the same way training does (one chunk, summed,
 * not yet divided by m) and printed with the parameters after the step. */
static int cmd_adam_step(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: adam-step STEPS WD step|onecycle\n"); return 2; }
    enum { M = 8 };
    static uint8_t pixels[M * MNIST_PIXELS], labels[M];
    synthetic_set(pixels, labels, M, 7);
    mnist_dataset ds = {pixels, labels, M};
    long steps = strtol(argv[0], NULL, 10);
    mnist_config cfg;
    mnist_error err;
    mnist_preset("default", &cfg, NULL);
    mnist_parse_arch("784-4-10", &cfg, &err);
    cfg.seed = 5;
    mnist_hyper *h = &cfg.hyper;
    h->batch_size = MNIST_MAX_BATCH;
    h->epochs = steps; /* one update an epoch: the one-cycle plan is STEPS updates */
    h->iterations = 0;
    h->learning_rate = 0.01f;
    h->lr_decay = 1.0f; /* every step is an epoch: keep the rate (step schedule) */
    h->weight_decay = strtof(argv[1], NULL);
    h->optimizer = MNIST_OPT_ADAM;
    h->shift = 0; /* the reference takes the gradient of the images as they are */
    if (mnist_parse_schedule(argv[2], &h->schedule, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); return 2; }
    mnist_net *net = mnist_create(&cfg, &err);
    if (!net || mnist_train_attach(net, &ds, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); return 1; }
    size_t n = mnist_param_count(net);
    const uint8_t *rows[M];
    for (int j = 0; j < M; j++) rows[j] = pixels + (size_t)j * MNIST_PIXELS;
    float *grad = malloc(n * sizeof(float));
    printf("{\"sizes\":[784,4,10],\"m\":%d,\"lr\":%.9g,\"beta1\":%.9g,\"beta2\":%.9g,\"eps\":%.9g,\"wd\":%.9g,", M,
           (double)h->learning_rate, (double)h->beta1, (double)h->beta2, (double)h->eps, (double)h->weight_decay);
    print_floats("before", mnist_params(net), n);
    printf(",\"steps\":[");
    for (long s = 0; s < steps; s++) {
        nn_forward(net, rows, NULL, labels, M);
        nn_backward(net, labels, M);
        memcpy(grad, net->grads, n * sizeof(float));
        memset(net->grads, 0, n * sizeof(float));
        mnist_progress p;
        if (mnist_train(net, M, &p, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); return 1; }
        printf(s ? ",{" : "{");
        print_floats("grad", grad, n);
        printf(",");
        print_floats("after", mnist_params(net), n);
        printf("}");
    }
    printf("]}\n");
    free(grad);
    mnist_free(net);
    return 0;
}

/* The one-cycle rate and momentum for updates 0..TOTAL-1 by the formula
 * (nn_onecycle), and the rate each update of a real run used: SGD on 100
 * synthetic samples, batch 10, TOTAL/10 epochs (a plan of TOTAL updates),
 * with mnist_train's reported rate for the next update after each. */
static int cmd_onecycle(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: onecycle TOTAL MAX\n"); return 2; }
    long total = strtol(argv[0], NULL, 10);
    float max_lr = strtof(argv[1], NULL), lr, momentum;
    printf("{\"lr\":[");
    for (long s = 0; s < total; s++) {
        nn_onecycle(max_lr, (double)s, (double)total, &lr, &momentum);
        printf(s ? ",%.9g" : "%.9g", (double)lr);
    }
    printf("],\"momentum\":[");
    for (long s = 0; s < total; s++) {
        nn_onecycle(max_lr, (double)s, (double)total, &lr, &momentum);
        printf(s ? ",%.9g" : "%.9g", (double)momentum);
    }
    enum { N = 100 };
    static uint8_t pixels[N * MNIST_PIXELS], labels[N];
    synthetic_set(pixels, labels, N, 3);
    mnist_dataset ds = {pixels, labels, N};
    mnist_config cfg;
    mnist_error err;
    mnist_preset("default", &cfg, NULL);
    mnist_parse_arch("784-8-10", &cfg, &err);
    cfg.hyper.batch_size = 10;
    cfg.hyper.epochs = total / 10;
    cfg.hyper.learning_rate = max_lr;
    cfg.hyper.schedule = MNIST_SCHEDULE_ONECYCLE;
    mnist_net *net = mnist_create(&cfg, &err);
    if (!net || mnist_train_attach(net, &ds, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); return 1; }
    printf("],\"trained\":[");
    for (long s = 0; s < total; s++) {
        mnist_progress p;
        if (mnist_train(net, 10, &p, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); return 1; }
        printf(s ? ",%.9g" : "%.9g", (double)p.learning_rate);
    }
    printf("]}\n");
    mnist_free(net);
    return 0;
}

int cmd_optimizer(const char *cmd, int argc, char **argv) {
    if (strcmp(cmd, "adam-step") == 0) return cmd_adam_step(argc, argv);
    if (strcmp(cmd, "onecycle") == 0) return cmd_onecycle(argc, argv);
    return -1;
}
