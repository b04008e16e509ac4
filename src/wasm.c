/* wasm.c - the WebAssembly module's exports: a thin layer over mnist.h for
 * the page's worker (web/js/engine.js wraps these in a JavaScript API).
 *
 * The module holds one network and two datasets (0 = training, 1 = test),
 * the only global state, because a WASM instance is the page's one trainer.
 * Every function returns an mnist_status (0 = OK) unless noted; after an
 * error, wasm_error() gives the message. Results come back in small fixed
 * arrays (wasm_progress, wasm_eval_result, wasm_probs) that JavaScript reads
 * from memory, so no call allocates on the JavaScript side. */
#include <stdlib.h>
#include <string.h>

#include "mnist.h"

#define EXPORT __attribute__((used, visibility("default")))

enum { SET_TRAIN = 0, SET_TEST = 1 };

static struct {
    mnist_net *net;
    uint8_t *images[2], *labels[2]; /* owned IDX buffers */
    mnist_dataset sets[2];
    mnist_error err;
    mnist_progress progress;
    mnist_eval eval;
    double progress_out[12];
    double eval_out[3 + MNIST_CLASSES * MNIST_CLASSES];
    float probs[MNIST_CLASSES];
} g;

static int fail(mnist_status code, const char *message) {
    g.err.code = code;
    strncpy(g.err.message, message, sizeof g.err.message - 1);
    g.err.message[sizeof g.err.message - 1] = '\0';
    return code;
}

static int valid_set(int set) { return set == SET_TRAIN || set == SET_TEST; }

EXPORT void *wasm_alloc(size_t n) { return malloc(n ? n : 1); }
EXPORT void wasm_free(void *p) { free(p); }
EXPORT const char *wasm_error(void) { return g.err.message; }

/* Takes ownership of two buffers from wasm_alloc holding decompressed IDX
 * files; validates them (names appear in messages) and keeps them as set
 * 0 (training) or 1 (test). On failure the buffers are freed. */
EXPORT int wasm_load(int set, uint8_t *images, size_t images_len, const char *images_name,
                     uint8_t *labels, size_t labels_len, const char *labels_name) {
    if (!valid_set(set)) {
        free(images);
        free(labels);
        return fail(MNIST_E_STATE, "unknown dataset (expected 0 = training or 1 = test)");
    }
    mnist_dataset ds;
    mnist_status st = mnist_dataset_parse(images, images_len, images_name, labels, labels_len,
                                          labels_name, &ds, &g.err);
    if (st != MNIST_OK) {
        free(images);
        free(labels);
        return st;
    }
    free(g.images[set]);
    free(g.labels[set]);
    g.images[set] = images;
    g.labels[set] = labels;
    g.sets[set] = ds;
    /* The network trains on the new set from a fresh epoch; if even that
     * fails (out of memory), drop the network rather than keep a stale one. */
    if (set == SET_TRAIN && g.net && mnist_train_attach(g.net, &g.sets[SET_TRAIN], &g.err) != MNIST_OK) {
        mnist_free(g.net);
        g.net = NULL;
        return g.err.code;
    }
    return MNIST_OK;
}

EXPORT long wasm_count(int set) { return valid_set(set) ? g.sets[set].count : 0; }
EXPORT const uint8_t *wasm_pixels(int set) { return valid_set(set) ? g.sets[set].pixels : NULL; }
EXPORT const uint8_t *wasm_labels(int set) { return valid_set(set) ? g.sets[set].labels : NULL; }

/* Makes `net` (NULL: creation failed, g.err says why) the module's network,
 * attached to the training set if one is loaded, replacing the old one. */
static int adopt(mnist_net *net) {
    if (!net) return g.err.code;
    if (g.sets[SET_TRAIN].count > 0 && mnist_train_attach(net, &g.sets[SET_TRAIN], &g.err) != MNIST_OK) {
        mnist_free(net);
        return g.err.code;
    }
    mnist_free(g.net);
    g.net = net;
    memset(&g.progress, 0, sizeof g.progress);
    return MNIST_OK;
}

/* A fresh network: sizes[0..n_sizes-1] = 784, hidden..., 10; init 0 = He,
 * 1 = the notebook's U(-0.5, 0.5). Attaches the training set if loaded. */
EXPORT int wasm_configure(int n_sizes, const int32_t *sizes, int init, uint32_t seed,
                          long batch, float lr, float momentum, float weight_decay,
                          float lr_decay) {
    mnist_config cfg;
    mnist_preset("default", &cfg, NULL);
    if (n_sizes < 2 || n_sizes > MNIST_MAX_LAYERS + 1)
        return fail(MNIST_E_CONFIG, "a network needs between 2 and 9 layer widths");
    cfg.n_layers = n_sizes - 1;
    for (int l = 0; l < n_sizes; l++) cfg.sizes[l] = sizes[l];
    cfg.init = (mnist_init)init;
    cfg.seed = seed;
    cfg.hyper.batch_size = batch;
    cfg.hyper.learning_rate = lr;
    cfg.hyper.momentum = momentum;
    cfg.hyper.weight_decay = weight_decay;
    cfg.hyper.lr_decay = lr_decay;
    return adopt(mnist_create(&cfg, &g.err));
}

EXPORT int wasm_set_hyper(long batch, float lr, float momentum, float weight_decay, float lr_decay) {
    if (!g.net) return fail(MNIST_E_STATE, "no network yet: configure one first");
    mnist_hyper h = {batch, lr, momentum, weight_decay, lr_decay};
    return mnist_set_hyper(g.net, &h, &g.err);
}

/* Trains on at most max_samples samples (see mnist_train); the result is in
 * wasm_progress(): epoch, iterations, samples, epoch_samples, epoch_loss,
 * epoch_accuracy, batch_loss, batch_accuracy, batch_ended, epoch_ended,
 * diverged, learning_rate. */
EXPORT int wasm_train(long max_samples) {
    if (!g.net) return fail(MNIST_E_STATE, "no network yet: configure one first");
    if (g.sets[SET_TRAIN].count == 0) return fail(MNIST_E_STATE, "no training set loaded");
    return mnist_train(g.net, max_samples, &g.progress, &g.err);
}

EXPORT const double *wasm_progress(void) {
    const mnist_progress *p = &g.progress;
    double *o = g.progress_out;
    o[0] = (double)p->epoch; o[1] = (double)p->iterations; o[2] = (double)p->samples;
    o[3] = (double)p->epoch_samples; o[4] = p->epoch_loss; o[5] = p->epoch_accuracy;
    o[6] = p->batch_loss; o[7] = p->batch_accuracy; o[8] = p->batch_ended;
    o[9] = p->epoch_ended; o[10] = p->diverged; o[11] = p->learning_rate;
    return o;
}

/* Adds images first..first+count-1 of a set to the running evaluation
 * (cleared first when reset != 0); wasm_eval_result(): count, correct,
 * loss sum, then the 10x10 confusion matrix (rows = true label). */
EXPORT int wasm_evaluate(int set, long first, long count, int reset) {
    if (!g.net) return fail(MNIST_E_STATE, "no network yet: configure one first");
    if (!valid_set(set) || g.sets[set].count == 0) return fail(MNIST_E_STATE, "that dataset is not loaded");
    if (reset) memset(&g.eval, 0, sizeof g.eval);
    return mnist_evaluate(g.net, &g.sets[set], first, count, &g.eval, &g.err);
}

EXPORT const double *wasm_eval_result(void) {
    double *o = g.eval_out;
    o[0] = (double)g.eval.count;
    o[1] = (double)g.eval.correct;
    o[2] = g.eval.loss_sum;
    for (int r = 0; r < MNIST_CLASSES; r++)
        for (int c = 0; c < MNIST_CLASSES; c++) o[3 + r * MNIST_CLASSES + c] = (double)g.eval.confusion[r][c];
    return o;
}

/* Predicted class of image `index` of a set (-1 on error); the ten
 * probabilities are in wasm_probs(). */
EXPORT int wasm_predict(int set, long index) {
    if (!g.net) return fail(MNIST_E_STATE, "no network yet: configure one first"), -1;
    if (!valid_set(set) || index < 0 || index >= g.sets[set].count)
        return fail(MNIST_E_STATE, "image index outside the dataset"), -1;
    return mnist_predict(g.net, g.sets[set].pixels + (size_t)index * MNIST_PIXELS, g.probs);
}

/* Same for a 28x28 image of floats in 0..1 (e.g. drawn on a canvas). */
EXPORT int wasm_predict_image(const float *image) {
    if (!g.net) return fail(MNIST_E_STATE, "no network yet: configure one first"), -1;
    return mnist_predict_float(g.net, image, g.probs);
}

EXPORT const float *wasm_probs(void) { return g.probs; }

/* After a prediction: layer l's outputs (l = 1..layers) for that image. */
EXPORT const float *wasm_activations(int layer) { return g.net ? mnist_activations(g.net, layer) : NULL; }

/* Predicted class and its probability for images first..first+count-1 of a set. */
EXPORT int wasm_classify(int set, long first, long count, uint8_t *predicted, float *confidence) {
    if (!g.net) return fail(MNIST_E_STATE, "no network yet: configure one first");
    if (!valid_set(set) || g.sets[set].count == 0) return fail(MNIST_E_STATE, "that dataset is not loaded");
    return mnist_classify(g.net, &g.sets[set], first, count, predicted, confidence, &g.err);
}

EXPORT float *wasm_params(void) { return g.net ? mnist_params(g.net) : NULL; }
EXPORT long wasm_param_count(void) { return g.net ? (long)mnist_param_count(g.net) : 0; }
EXPORT int wasm_layers(void) { return g.net ? mnist_layers(g.net) : 0; }
EXPORT const int *wasm_sizes(void) { return g.net ? mnist_sizes(g.net) : NULL; }

EXPORT long wasm_model_size(void) { return g.net ? (long)mnist_model_size(g.net) : 0; }

EXPORT int wasm_model_save(uint8_t *buf, size_t cap) {
    if (!g.net) return fail(MNIST_E_STATE, "no network yet: configure one first");
    return mnist_model_save(g.net, buf, cap, &g.err);
}

/* Replaces the network by a saved model (keeping the hyperparameters in force). */
EXPORT int wasm_model_load(const uint8_t *buf, size_t len) {
    mnist_net *net = mnist_model_load(buf, len, "model", &g.err);
    if (net && g.net) {
        mnist_hyper h = mnist_get_hyper(g.net);
        mnist_set_hyper(net, &h, NULL);
    }
    return adopt(net);
}
