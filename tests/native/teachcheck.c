/* teachcheck.c - core_check teach / teach-save: teaching a drawing (mnist_teach).
 *
 * core_check teach: one JSON line of
 *   taught     a vertical band (the set's classes are horizontal bands) taught
 *              a label the trained net did not give it: then read as that
 *              label, and the example kept
 *   undisturbed  a training run taught mid-batch (Adam + one-cycle, a dense
 *              and a convolutional net) goes on exactly as a run that was not
 *              taught but given the taught weights at the same point: the
 *              epoch position, counters, PRNG, optimizer state and the
 *              half-accumulated batch are untouched (same bits after more training)
 *   repeatable the same teaching of two equal nets: the same bits
 *   rejected   bad inputs (labels -1 and 10, a NaN pixel, a pixel 1.5, no
 *              mix, an empty mix): their codes, fields and messages, and that
 *              nothing changed (parameters and examples)
 *   limit      MNIST_TEACH_MAX + 5 examples: the count stops at the limit and
 *              the oldest are the ones dropped; the same pixels taught again
 *              replace the earlier label without adding an example
 *   model      saved with examples (version 4) and loaded: the examples and
 *              parameters come back, and saving again gives the same bytes;
 *              the same as version 3 (what earlier builds wrote); after
 *              mnist_taught_clear the file holds no examples
 * core_check teach-save FILE: a fresh 784-16-10 net taught 3 examples, saved
 * as version 3 (what earlier builds wrote), for the model-file tests; prints
 * the parameter count.
 * core_check teach-model IN IMAGES LABELS DRAWING LABEL OUT: see teach_model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { N = 400 };
static uint8_t pixels[N * MNIST_PIXELS], labels[N];

static mnist_net *make_net(const char *arch, int adam) {
    mnist_config cfg;
    mnist_error err;
    mnist_preset(adam ? "cnn" : "default", &cfg, NULL);
    if (mnist_parse_arch(arch, &cfg, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); exit(2); }
    cfg.hyper.batch_size = 32;
    cfg.hyper.epochs = 3;
    cfg.hyper.shift = 1;
    mnist_net *net = mnist_create(&cfg, &err);
    if (!net) { fprintf(stderr, "%s\n", err.message); exit(2); }
    return net;
}

static void train(mnist_net *net, long samples) {
    mnist_progress p;
    mnist_error err;
    while (samples > 0) {
        long before = net->samples;
        if (mnist_train(net, samples, &p, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); exit(2); }
        samples -= net->samples - before;
    }
}

/* Image k of the set as a drawing (floats 0..1). */
static void drawing(float *image, int k) {
    for (int i = 0; i < MNIST_PIXELS; i++) image[i] = (float)pixels[(size_t)k * MNIST_PIXELS + i] / 255.0f;
}

static void check_taught(const mnist_dataset *ds) {
    mnist_net *net = make_net("784-32-10", 0);
    mnist_error err;
    mnist_train_attach(net, ds, &err);
    train(net, 2 * N);
    float image[MNIST_PIXELS], probs[MNIST_CLASSES];
    for (int i = 0; i < MNIST_PIXELS; i++) image[i] = i % MNIST_COLS >= 12 && i % MNIST_COLS < 15 ? 1.0f : 0.0f;
    int before = mnist_predict_float(net, image, probs), label = (before + 5) % MNIST_CLASSES;
    mnist_teach_result r;
    mnist_status st = mnist_teach(net, ds, image, label, &r, &err);
    int after = mnist_predict_float(net, image, probs);
    int kept = mnist_taught_count(net) == 1 && mnist_taught_label(net, 0) == label;
    for (int i = 0; i < MNIST_PIXELS; i++)
        kept &= mnist_taught_pixels(net, 0)[i] == (uint8_t)(image[i] * 255.0f + 0.5f);
    printf("\"taught\":{\"ok\":%s,\"before\":%d,\"label\":%d,\"after\":%d,\"resultPredicted\":%d,\"probability\":%.4f,"
           "\"steps\":%d,\"count\":%d,\"kept\":%s,\"outside\":%s}",
           st == MNIST_OK ? "true" : "false", before, label, after, r.predicted, (double)r.probs[label], r.steps,
           r.taught, kept ? "true" : "false",
           mnist_taught_pixels(net, 1) == NULL && mnist_taught_label(net, -1) == -1 ? "true" : "false");
    mnist_free(net);
}

/* A run taught after `first` samples (mid-batch) against one given the taught
 * weights there instead: the same parameters after `more` samples. */
static int undisturbed(const mnist_dataset *ds, const char *arch) {
    const long first = 3 * 32 + 7, more = N + 50;
    mnist_net *a = make_net(arch, 1), *b = make_net(arch, 1);
    mnist_error err;
    mnist_train_attach(a, ds, &err);
    mnist_train_attach(b, ds, &err);
    train(a, first);
    train(b, first);
    float image[MNIST_PIXELS];
    drawing(image, 11);
    if (mnist_teach(a, ds, image, 4, NULL, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); exit(2); }
    memcpy(b->params, a->params, sizeof(float) * a->n_params);
    train(a, more);
    train(b, more);
    float *ref = NULL;
    same_params(&ref, a);
    int same = same_params(&ref, b) && a->epoch == b->epoch && a->iterations == b->iterations &&
               a->samples == b->samples && a->adam_steps == b->adam_steps;
    free(ref);
    mnist_free(a);
    mnist_free(b);
    return same;
}

static int repeatable(const mnist_dataset *ds) {
    mnist_net *a = make_net("784-c4k3-p2-16-10", 1), *b = make_net("784-c4k3-p2-16-10", 1);
    float image[MNIST_PIXELS];
    drawing(image, 5);
    mnist_error err;
    mnist_teach(a, ds, image, 7, NULL, &err);
    mnist_teach(b, ds, image, 7, NULL, &err);
    float *ref = NULL;
    same_params(&ref, a);
    int same = same_params(&ref, b);
    free(ref);
    mnist_free(a);
    mnist_free(b);
    return same;
}

static void check_rejected(const mnist_dataset *ds) {
    mnist_net *net = make_net("784-16-10", 0);
    float image[MNIST_PIXELS];
    drawing(image, 1);
    mnist_error err;
    mnist_teach(net, ds, image, 2, NULL, &err); /* one example kept already */
    float *ref = NULL;
    same_params(&ref, net);
    mnist_dataset empty = {pixels, labels, 0};
    struct { const char *name; int label; int pixel; float value; const mnist_dataset *mix; } cases[] = {
        {"label -1", -1, -1, 0, ds}, {"label 10", 10, -1, 0, ds}, {"NaN pixel", 3, 100, NAN, ds},
        {"pixel 1.5", 3, 783, 1.5f, ds}, {"no mix", 3, -1, 0, NULL}, {"empty mix", 3, -1, 0, &empty},
    };
    printf("\"rejected\":[");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        float bad[MNIST_PIXELS];
        memcpy(bad, image, sizeof bad);
        if (cases[c].pixel >= 0) bad[cases[c].pixel] = cases[c].value;
        memset(&err, 0, sizeof err);
        mnist_status st = mnist_teach(net, cases[c].mix, bad, cases[c].label, NULL, &err);
        int unchanged = same_params(&ref, net) && mnist_taught_count(net) == 1;
        printf("%s{\"name\":\"%s\",\"code\":%d,\"field\":\"%s\",\"message\":\"%s\",\"unchanged\":%s}", c ? "," : "",
               cases[c].name, (int)st, err.field, err.message, unchanged ? "true" : "false");
    }
    printf("]");
    free(ref);
    mnist_free(net);
}

static void check_limit(const mnist_dataset *ds) {
    mnist_net *net = make_net("784-16-10", 0);
    float image[MNIST_PIXELS];
    mnist_error err;
    int total = MNIST_TEACH_MAX + 5, ok = 1;
    for (int k = 0; k < total; k++) {
        drawing(image, k);
        ok &= mnist_teach(net, ds, image, labels[k], NULL, &err) == MNIST_OK;
    }
    int count = mnist_taught_count(net);
    /* the oldest now is example 5 */
    drawing(image, 5);
    int oldest = 1;
    for (int i = 0; i < MNIST_PIXELS; i++) oldest &= mnist_taught_pixels(net, 0)[i] == (uint8_t)(image[i] * 255.0f + 0.5f);
    /* example 50 again with another label: replaced, now the newest */
    drawing(image, 50);
    int relabel = (labels[50] + 1) % MNIST_CLASSES;
    ok &= mnist_teach(net, ds, image, relabel, NULL, &err) == MNIST_OK;
    int again = mnist_taught_count(net), newest = mnist_taught_label(net, again - 1) == relabel;
    for (int i = 0; i < MNIST_PIXELS; i++)
        newest &= mnist_taught_pixels(net, again - 1)[i] == (uint8_t)(image[i] * 255.0f + 0.5f);
    printf("\"limit\":{\"ok\":%s,\"taught\":%d,\"count\":%d,\"oldestIs5\":%s,\"afterRelabel\":%d,\"relabelNewest\":%s}",
           ok ? "true" : "false", total, count, oldest ? "true" : "false", again, newest ? "true" : "false");
    mnist_free(net);
}

/* A fresh 784-16-10 net (seed 3) taught `n` examples of the set. */
static mnist_net *taught_net(const mnist_dataset *ds, int n) {
    mnist_net *net = make_net("784-16-10", 0);
    float image[MNIST_PIXELS];
    mnist_error err;
    for (int k = 0; k < n; k++) {
        drawing(image, 20 + k);
        if (mnist_teach(net, ds, image, labels[20 + k], NULL, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); exit(2); }
    }
    return net;
}

static void check_model(const mnist_dataset *ds) {
    mnist_net *net = taught_net(ds, 7);
    mnist_error err;
    size_t size = mnist_model_size(net);
    uint8_t *buf = malloc(size), *again = malloc(size);
    mnist_model_save(net, buf, size, &err);
    mnist_net *loaded = mnist_model_load(buf, size, "taught.model", &err);
    int same = loaded && mnist_taught_count(loaded) == 7 && mnist_model_size(loaded) == size;
    if (same) {
        for (int k = 0; k < 7; k++)
            same &= mnist_taught_label(loaded, k) == mnist_taught_label(net, k) &&
                    memcmp(mnist_taught_pixels(loaded, k), mnist_taught_pixels(net, k), MNIST_PIXELS) == 0;
        mnist_model_save(loaded, again, size, &err);
        same &= memcmp(buf, again, size) == 0;
    }
    unsigned version = buf[8];
    /* version 3: loads back to the same examples and saves as the same bytes */
    size_t size3 = nn_model_size_as(net, 3);
    uint8_t *v3 = malloc(size3), *v3again = malloc(size3);
    nn_model_save_as(net, 3, v3, size3, &err);
    mnist_net *loaded3 = mnist_model_load(v3, size3, "taught-v3.model", &err);
    int same3 = loaded3 && mnist_taught_count(loaded3) == 7 &&
                nn_model_save_as(loaded3, 3, v3again, size3, &err) == MNIST_OK && memcmp(v3, v3again, size3) == 0;
    mnist_taught_clear(net);
    uint8_t *plain = malloc(mnist_model_size(net));
    mnist_model_save(net, plain, mnist_model_size(net), &err);
    printf("\"model\":{\"version\":%u,\"bytes\":%zu,\"roundtrip\":%s,\"v3Bytes\":%zu,\"v3Roundtrip\":%s,"
           "\"clearedVersion\":%u,\"clearedBytes\":%zu}",
           version, size, same ? "true" : "false", size3, same3 ? "true" : "false", (unsigned)plain[8],
           mnist_model_size(net));
    free(plain);
    free(v3);
    free(v3again);
    mnist_free(loaded3);
    free(buf);
    free(again);
    mnist_free(loaded);
    mnist_free(net);
}

/* A set that can be learnt: image k of class k % 10 is a 3-row band at
 * rows 2c+4.. on faint noise. */
static void banded_set(void) {
    synthetic_set(pixels, labels, N, 11);
    for (long k = 0; k < N; k++) {
        uint8_t *img = pixels + (size_t)k * MNIST_PIXELS;
        labels[k] = (uint8_t)(k % MNIST_CLASSES);
        for (int i = 0; i < MNIST_PIXELS; i++) {
            int row = i / MNIST_COLS, band = 2 * labels[k] + 4;
            img[i] = row >= band && row < band + 3 ? 255 : img[i] / 8;
        }
    }
}

/* Saves net into path as format `version` (0: mnist_model_save's); prints
 * its parameters, bytes and taught examples. */
static void save(mnist_net *net, const char *path, uint32_t version) {
    size_t size = version ? nn_model_size_as(net, version) : mnist_model_size(net);
    uint8_t *buf = malloc(size ? size : 1);
    mnist_error err;
    if (!buf || (version ? nn_model_save_as(net, version, buf, size, &err) : mnist_model_save(net, buf, size, &err)) != MNIST_OK)
        exit(2);
    write_all(path, buf, size);
    printf("{\"parameters\":%zu,\"bytes\":%zu,\"taught\":%d}\n", mnist_param_count(net), size, mnist_taught_count(net));
    free(buf);
}

/* teach-model IN IMAGES LABELS DRAWING LABEL OUT: the model IN taught that
 * DRAWING (784 float32, little-endian) is LABEL, mixing in the raw IDX
 * training set IMAGES / LABELS, saved to OUT (to compare with WebAssembly). */
static int teach_model(int argc, char **argv) {
    if (argc < 6) { fprintf(stderr, "usage: teach-model IN IMAGES LABELS DRAWING LABEL OUT\n"); return 2; }
    size_t nm, ni, nl, nd;
    uint8_t *model = read_exact(argv[0], &nm), *images = read_exact(argv[1], &ni), *idx_labels = read_exact(argv[2], &nl);
    uint8_t *drawn = read_exact(argv[3], &nd);
    mnist_error err;
    mnist_dataset ds;
    mnist_net *net = mnist_model_load(model, nm, argv[0], &err);
    if (!net || nd != sizeof(float) * MNIST_PIXELS ||
        mnist_dataset_parse(images, ni, argv[1], idx_labels, nl, argv[2], &ds, &err) != MNIST_OK) {
        fprintf(stderr, "%s\n", nd != sizeof(float) * MNIST_PIXELS ? "the drawing is not 784 floats" : err.message);
        return 1;
    }
    float image[MNIST_PIXELS];
    memcpy(image, drawn, sizeof image);
    if (mnist_teach(net, &ds, image, atoi(argv[4]), NULL, &err) != MNIST_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    save(net, argv[5], 0);
    mnist_free(net);
    free(model);
    free(images);
    free(idx_labels);
    free(drawn);
    return 0;
}

int cmd_teach(const char *cmd, int argc, char **argv) {
    if (strcmp(cmd, "teach-model") == 0) return teach_model(argc, argv);
    banded_set();
    mnist_dataset ds = {pixels, labels, N};
    if (strcmp(cmd, "teach-save") == 0) {
        if (argc < 1) { fprintf(stderr, "usage: teach-save FILE\n"); return 2; }
        mnist_net *net = taught_net(&ds, 3);
        save(net, argv[0], 3);
        mnist_free(net);
        return 0;
    }
    if (strcmp(cmd, "teach") != 0) { fprintf(stderr, "unknown command %s\n", cmd); return 2; }
    printf("{");
    check_taught(&ds);
    printf(",\"undisturbed\":{\"dense\":%s,\"cnn\":%s}", undisturbed(&ds, "784-24-10") ? "true" : "false",
           undisturbed(&ds, "784-c4k3-p2-16-10") ? "true" : "false");
    printf(",\"repeatable\":%s,", repeatable(&ds) ? "true" : "false");
    check_rejected(&ds);
    printf(",");
    check_limit(&ds);
    printf(",");
    check_model(&ds);
    printf("}\n");
    return 0;
}
