/* exports.c - every export of the WebAssembly module: a thin layer over
 * mnist.h for the page's worker (web/worker/engine.js wraps these in a
 * JavaScript API), plus the thread pool's controls for the threaded build.
 *
 * The module holds one network and two datasets (0 = training, 1 = test),
 * the only global state, because a WASM instance is the page's one trainer.
 * Every function returns an mnist_status (0 = OK) unless noted; after an
 * error, error_message() says what and error_field() which setting ("" if
 * none). Results come back in small fixed arrays that JavaScript reads from
 * memory by name: progress() holds the fields that progress_fields() lists,
 * evaluation() those of evaluation_fields().
 *
 * Settings cross by name, never by position: config_begin() stages a
 * configuration (a preset's, or the network's in force), config_number()
 * and config_text() set settings of it by their keys (the rules' "settings"
 * list), config_create() builds a new network from it and config_apply()
 * hands its hyperparameters to the running one. No export takes more than
 * four parameters (tests/settings.test.js). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/nn.h"
#include "../core/parallel.h"

#define EXPORT(name) __attribute__((export_name(name)))

/* X(JavaScript name, value, mark): mark "?" says the value is a flag (0/1). */
#define PROGRESS_FIELDS(X)                                                                          \
    X(epoch, p->epoch, "") X(iterations, p->iterations, "") X(samples, p->samples, "")              \
    X(epochSamples, p->epoch_samples, "") X(epochLoss, p->epoch_loss, "")                           \
    X(epochAccuracy, p->epoch_accuracy, "") X(batchLoss, p->batch_loss, "")                         \
    X(batchAccuracy, p->batch_accuracy, "") X(batchEnded, p->batch_ended, "?")                      \
    X(epochEnded, p->epoch_ended, "?") X(diverged, p->diverged, "?") X(lr, p->learning_rate, "")
/* The running evaluation totals (the confusion matrix is evaluation_confusion()). */
#define EVALUATION_FIELDS(X) X(count, e->count, "") X(correct, e->correct, "") X(lossSum, e->loss_sum, "")

#define COUNT(name, value, mark) +1
#define NAME(name, value, mark) " " #name mark
#define STORE(name, value, mark) *o++ = (double)(value);

enum { SET_TRAIN = 0, SET_TEST = 1 };
enum { N_PROGRESS = 0 PROGRESS_FIELDS(COUNT), N_EVALUATION = 0 EVALUATION_FIELDS(COUNT) };

_Static_assert(sizeof(long) == 4, "evaluation_confusion() is read as 32-bit integers");

static struct {
    mnist_net *net;
    uint8_t *images[2], *labels[2]; /* owned IDX buffers */
    mnist_dataset sets[2];
    mnist_error err;
    mnist_progress progress;
    mnist_eval eval;
    struct { int set; long count; uint8_t *out; } eval_images; /* evaluate_images() */
    double progress_out[N_PROGRESS];
    double eval_out[N_EVALUATION];
    float probs[MNIST_CLASSES];
    char *rules; /* mnist_rules_json(), written once */
    char arch[128]; /* arch(): the longest text of MNIST_MAX_LAYERS layers fits */
    char *described; /* describe_arch()'s last answer */
    char *config; /* config_json()'s last answer */
    mnist_config staged; /* config_begin() .. config_create() / config_apply() */
    const mnist_setting *fixed; /* the first staged setting a run cannot change (NULL: none) */
    int in_force; /* staged from the network in force: such a setting is refused at once */
    uint8_t *files[2]; /* dataset_file(): images, labels (owned), for load_dataset */
    size_t file_lens[2];
    char file_names[2][128];
    int teach_steps; /* of the last teach() */
} g;

static int fail(mnist_status code, const char *message) {
    g.err.code = code;
    strncpy(g.err.message, message, sizeof g.err.message - 1);
    g.err.message[sizeof g.err.message - 1] = '\0';
    g.err.field[0] = '\0';
    return code;
}

static int valid_set(int set) { return set == SET_TRAIN || set == SET_TEST; }
static int no_net(void) { return fail(MNIST_E_STATE, "no network yet: configure one first"); }
static int not_loaded(void) { return fail(MNIST_E_STATE, "that dataset is not loaded"); }

/* ---- memory, errors, rules --------------------------------------------------------------- */

EXPORT("mem_alloc") void *wasm_mem_alloc(size_t n) { return malloc(n ? n : 1); }
EXPORT("mem_free") void wasm_mem_free(void *p) { free(p); }
EXPORT("error_message") const char *wasm_error_message(void) { return g.err.message; }
EXPORT("error_field") const char *wasm_error_field(void) { return g.err.field; }

/* The presets, limits and initialisations as JSON (mnist_rules_json). */
EXPORT("rules") const char *wasm_rules(void) {
    if (!g.rules) {
        size_t n = mnist_rules_json(NULL, 0) + 1;
        g.rules = malloc(n);
        if (!g.rules) return "";
        mnist_rules_json(g.rules, n);
    }
    return g.rules;
}

/* Space-separated names of progress()'s values, in order. */
EXPORT("progress_fields") const char *wasm_progress_fields(void) { return &PROGRESS_FIELDS(NAME)[1]; }
EXPORT("evaluation_fields") const char *wasm_evaluation_fields(void) { return &EVALUATION_FIELDS(NAME)[1]; }

/* ---- datasets ------------------------------------------------------------------------------ */

/* Stages one IDX file for load_dataset: part 0 the images, 1 the labels; takes
 * ownership of bytes (from mem_alloc; a file staged before in that part is
 * freed) and copies name (for messages). */
EXPORT("dataset_file") int wasm_dataset_file(int part, uint8_t *bytes, size_t len, const char *name) {
    if (part != 0 && part != 1) {
        free(bytes);
        return fail(MNIST_E_STATE, "unknown dataset file (expected 0 = images or 1 = labels)");
    }
    free(g.files[part]);
    g.files[part] = bytes;
    g.file_lens[part] = len;
    snprintf(g.file_names[part], sizeof g.file_names[part], "%s", name ? name : "");
    return MNIST_OK;
}

/* Takes the two staged files (dataset_file) and validates them into *ds; on
 * failure frees them and says why. */
static int take_staged(uint8_t **images, uint8_t **labels, mnist_dataset *ds) {
    *images = g.files[0];
    *labels = g.files[1];
    g.files[0] = g.files[1] = NULL;
    mnist_status st = *images && *labels ? mnist_dataset_parse(*images, g.file_lens[0], g.file_names[0], *labels,
                                                               g.file_lens[1], g.file_names[1], ds, &g.err)
                                         : fail(MNIST_E_STATE, "stage the images and the labels first (dataset_file)");
    if (st != MNIST_OK) {
        free(*images);
        free(*labels);
        *images = *labels = NULL;
    }
    return st;
}

/* Validates the two staged files as load_dataset does, then frees them: whether
 * they would load, with the sets in place (and the network on them) untouched. */
EXPORT("check_dataset") int wasm_check_dataset(void) {
    uint8_t *images, *labels;
    mnist_dataset ds;
    int st = take_staged(&images, &labels, &ds);
    free(images);
    free(labels);
    return st;
}

/* Validates the two staged files (dataset_file) and keeps them as set 0
 * (training) or 1 (test). The staged files are taken either way: on
 * failure they are freed. */
EXPORT("load_dataset") int wasm_load_dataset(int set) {
    if (!valid_set(set)) {
        free(g.files[0]);
        free(g.files[1]);
        g.files[0] = g.files[1] = NULL;
        return fail(MNIST_E_STATE, "unknown dataset (expected 0 = training or 1 = test)");
    }
    uint8_t *images, *labels;
    mnist_dataset ds;
    mnist_status st = take_staged(&images, &labels, &ds);
    if (st != MNIST_OK) return st;
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

EXPORT("dataset_count") long wasm_dataset_count(int set) { return valid_set(set) ? g.sets[set].count : 0; }
EXPORT("dataset_pixels") const uint8_t *wasm_dataset_pixels(int set) { return valid_set(set) ? g.sets[set].pixels : NULL; }
EXPORT("dataset_labels") const uint8_t *wasm_dataset_labels(int set) { return valid_set(set) ? g.sets[set].labels : NULL; }

/* ---- the network --------------------------------------------------------------------------- */

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

/* ---- settings by name ------------------------------------------------------------------- */

/* Stages a configuration to change by name: a preset's (its name), or with
 * "" the network's in force (the default preset's when there is none), to
 * change its hyperparameters (config_apply): then a setting a run cannot
 * change is refused as it is staged, naming it, whatever its value. */
EXPORT("config_begin") int wasm_config_begin(const char *preset) {
    g.fixed = NULL;
    g.in_force = !(preset && *preset);
    if (!g.in_force) return mnist_preset(preset, &g.staged, &g.err);
    if (g.net) g.staged = mnist_get_config(g.net);
    else mnist_preset("default", &g.staged, NULL);
    return MNIST_OK;
}

static int cannot_change(const mnist_setting *s) {
    return nn_reject(&g.err, s->key, "%s cannot change during a run: configure a new network", s->key);
}

/* Whether key may be staged now (MNIST_OK) and, if a run cannot change it,
 * remembers it for config_apply. */
static int stage(const char *key) {
    const mnist_setting *s = mnist_setting_find(key);
    if (!s || s->hyper) return MNIST_OK; /* (an unknown key: the setter names it) */
    if (g.in_force) return cannot_change(s);
    if (!g.fixed) g.fixed = s;
    return MNIST_OK;
}

/* A setting of the staged configuration by its key: a number (a JavaScript
 * number; whole for whole settings), or a text (len bytes: a choice's name,
 * an architecture, or a number). Checked at once; MNIST_E_CONFIG naming the
 * key, and the staged configuration keeps its value. */
EXPORT("config_number") int wasm_config_number(const char *key, double value) {
    return stage(key) != MNIST_OK ? g.err.code : mnist_config_set_number(&g.staged, key, value, &g.err);
}
EXPORT("config_text") int wasm_config_text(const char *key, const char *text, size_t len) {
    return stage(key) != MNIST_OK ? g.err.code : mnist_config_set(&g.staged, key, text, len, &g.err);
}

/* A new network from the staged configuration (checked as a whole), attached
 * to the training set if one is loaded. */
EXPORT("config_create") int wasm_config_create(void) { return adopt(mnist_create(&g.staged, &g.err)); }

/* The staged hyperparameters into the running network; refused, naming
 * it, if a setting a run cannot change was staged. */
EXPORT("config_apply") int wasm_config_apply(void) {
    if (!g.net) return no_net();
    if (g.fixed) return cannot_change(g.fixed);
    return mnist_set_hyper(g.net, &g.staged.hyper, &g.err);
}

/* The network's configuration as JSON ({"arch":"784-128-10","init":"he",
 * "seed":1,...}; mnist_config_json): what it was created or loaded with, and
 * the hyperparameters in force. "" when there is no network. Valid until the
 * next call. */
EXPORT("config_json") const char *wasm_config_json(void) {
    if (!g.net) return "";
    mnist_config c = mnist_get_config(g.net);
    size_t n = mnist_config_json(&c, NULL, 0) + 1;
    char *out = realloc(g.config, n);
    if (!out) return "";
    g.config = out;
    mnist_config_json(&c, out, n);
    return out;
}

/* The network's architecture as text (mnist_arch_format), "" if none. */
EXPORT("arch") const char *wasm_arch(void) {
    g.arch[0] = '\0';
    if (g.net)
        mnist_arch_format(mnist_layers(g.net), mnist_sizes(g.net), mnist_layer_specs(g.net), g.arch, sizeof g.arch);
    return g.arch;
}

/* An architecture text described as JSON (mnist_arch_describe): its layers'
 * shapes and parameters, or where and why it breaks. Valid until the next call. */
EXPORT("describe_arch") const char *wasm_describe_arch(const char *text) {
    size_t n = mnist_arch_describe(text, NULL, 0) + 1;
    char *out = realloc(g.described, n);
    if (!out) return "";
    g.described = out;
    mnist_arch_describe(text, out, n);
    return out;
}

EXPORT("params") float *wasm_params(void) { return g.net ? mnist_params(g.net) : NULL; }
EXPORT("param_count") long wasm_param_count(void) { return g.net ? (long)mnist_param_count(g.net) : 0; }
EXPORT("layers") int wasm_layers(void) { return g.net ? mnist_layers(g.net) : 0; }
EXPORT("sizes") const int *wasm_sizes(void) { return g.net ? mnist_sizes(g.net) : NULL; }

/* ---- training and evaluation --------------------------------------------------------------- */

/* Trains on at most max_samples samples (see mnist_train); the result is in progress(). */
EXPORT("step") int wasm_step(long max_samples) {
    if (!g.net) return no_net();
    if (g.sets[SET_TRAIN].count == 0) return fail(MNIST_E_STATE, "no training set loaded");
    return mnist_train(g.net, max_samples, &g.progress, &g.err);
}

EXPORT("progress") const double *wasm_progress(void) {
    const mnist_progress *p = &g.progress;
    double *o = g.progress_out;
    PROGRESS_FIELDS(STORE)
    return g.progress_out;
}

/* Adds images first..first+count-1 of a set to the running totals (cleared
 * first when reset != 0): evaluation() and evaluation_confusion(); and each
 * image's class and probability to the buffer of evaluate_images(), if it
 * was given for this set as it now is. */
EXPORT("evaluate") int wasm_evaluate(int set, long first, long count, int reset) {
    if (!g.net) return no_net();
    if (!valid_set(set) || g.sets[set].count == 0) return not_loaded();
    if (reset) memset(&g.eval, 0, sizeof g.eval);
    long n = g.sets[set].count;
    int images = g.eval_images.out && g.eval_images.set == set && g.eval_images.count == n;
    g.eval.confidence = images ? (float *)(void *)g.eval_images.out : NULL;
    g.eval.predicted = images ? g.eval_images.out + 4 * (size_t)n : NULL;
    return mnist_evaluate(g.net, &g.sets[set], first, count, &g.eval, &g.err);
}

/* From now on evaluate() of `set` also writes each image's class and probability into
 * out (classify's layout for the whole set: count floats, then count bytes, by image
 * index) while the set keeps the count it has now; out 0: no more. */
EXPORT("evaluate_images") int wasm_evaluate_images(int set, uint8_t *out) {
    if (!valid_set(set)) return fail(MNIST_E_STATE, "no such dataset");
    g.eval_images.set = set;
    g.eval_images.count = g.sets[set].count;
    g.eval_images.out = out;
    return MNIST_OK;
}

EXPORT("evaluation") const double *wasm_evaluation(void) {
    const mnist_eval *e = &g.eval;
    double *o = g.eval_out;
    EVALUATION_FIELDS(STORE)
    return g.eval_out;
}

/* The 10x10 confusion counts, rows = true label. */
EXPORT("evaluation_confusion") const long *wasm_evaluation_confusion(void) { return &g.eval.confusion[0][0]; }

/* ---- prediction ------------------------------------------------------------------------------ */

/* The predicted class of a 28x28 image of floats in 0..1 (e.g. drawn on a
 * canvas), -1 on error; the ten probabilities are in probabilities(). */
EXPORT("predict") int wasm_predict(const float *image) {
    if (!g.net) return no_net(), -1;
    return mnist_predict_float(g.net, image, g.probs);
}

/* Same for image `index` of a set. */
EXPORT("predict_index") int wasm_predict_index(int set, long index) {
    if (!g.net) return no_net(), -1;
    if (!valid_set(set) || index < 0 || index >= g.sets[set].count)
        return fail(MNIST_E_STATE, "image index outside the dataset"), -1;
    return mnist_predict(g.net, g.sets[set].pixels + (size_t)index * MNIST_PIXELS, g.probs);
}

EXPORT("probabilities") const float *wasm_probabilities(void) { return g.probs; }

/* After a prediction: layer l's outputs (l = 1..layers) for that image. */
EXPORT("activations") const float *wasm_activations(int layer) { return g.net ? mnist_activations(g.net, layer) : NULL; }

/* Predicted class and its probability for images first..first+count-1 of a
 * set, into out: count floats (the probabilities), then count bytes (the classes). */
EXPORT("classify") int wasm_classify(int set, long first, long count, uint8_t *out) {
    if (!g.net) return no_net();
    if (!valid_set(set) || g.sets[set].count == 0) return not_loaded();
    if (count < 0) return fail(MNIST_E_STATE, "a negative count of images");
    return mnist_classify(g.net, &g.sets[set], first, count, out + 4 * (size_t)count, (float *)(void *)out, &g.err);
}

/* ---- teaching (mnist_teach) ------------------------------------------------------------------- */

/* Teaches the network that a drawing (784 floats in 0..1) is `label`,
 * mixing in the training set. Returns the drawing's predicted class after
 * it, -1 on error (like predict); its probabilities are in probabilities(),
 * its activations in activations(), the steps taken in teach_steps(). */
EXPORT("teach") int wasm_teach(const float *image, int label) {
    if (!g.net) return no_net(), -1;
    mnist_teach_result r;
    if (mnist_teach(g.net, &g.sets[SET_TRAIN], image, label, &r, &g.err) != MNIST_OK) return -1;
    memcpy(g.probs, r.probs, sizeof g.probs);
    g.teach_steps = r.steps;
    return r.predicted;
}
EXPORT("teach_steps") int wasm_teach_steps(void) { return g.teach_steps; }
EXPORT("taught_count") int wasm_taught_count(void) { return g.net ? mnist_taught_count(g.net) : 0; }
/* Taught example i (0 = oldest): its 784 pixel bytes (NULL outside) and label (-1 outside). */
EXPORT("taught_pixels") const uint8_t *wasm_taught_pixels(int i) { return g.net ? mnist_taught_pixels(g.net, i) : NULL; }
EXPORT("taught_label") int wasm_taught_label(int i) { return g.net ? mnist_taught_label(g.net, i) : -1; }
EXPORT("taught_clear") void wasm_taught_clear(void) { if (g.net) mnist_taught_clear(g.net); }

/* ---- model files ----------------------------------------------------------------------------- */

EXPORT("model_size") long wasm_model_size(void) { return g.net ? (long)mnist_model_size(g.net) : 0; }

EXPORT("model_save") int wasm_model_save(uint8_t *buf, size_t cap) {
    if (!g.net) return no_net();
    return mnist_model_save(g.net, buf, cap, &g.err);
}

/* The network as an ONNX file (mnist_onnx_save); accuracy: the test accuracy for its
 * metadata, 0..1, or negative when unknown. Size 0: the accuracy is refused. */
EXPORT("onnx_size") long wasm_onnx_size(double accuracy) {
    mnist_onnx_meta meta = {.test_accuracy = accuracy};
    return g.net ? (long)mnist_onnx_size(g.net, &meta) : 0;
}

EXPORT("onnx_save") int wasm_onnx_save(uint8_t *buf, size_t cap, double accuracy) {
    if (!g.net) return no_net();
    mnist_onnx_meta meta = {.test_accuracy = accuracy};
    return mnist_onnx_save(g.net, &meta, buf, cap, &g.err);
}

/* Replaces the network by a saved model, with the configuration it was
 * trained with (config_json): a file of format version 4 carries it; with an
 * earlier one, the hyperparameters in force stay (the default preset's if
 * there was no network). */
EXPORT("model_load") int wasm_model_load(const uint8_t *buf, size_t len) {
    mnist_net *net = mnist_model_load(buf, len, "model", &g.err);
    if (net && g.net && !nn_model_has_config(buf, len)) {
        mnist_hyper h = mnist_get_hyper(g.net);
        mnist_set_hyper(net, &h, NULL);
    }
    return adopt(net);
}

/* ---- threads (web/worker/engine-threads.js) ------------------------------------------------------ */

/* Threads that compute: 1 + the helpers in use (always 1 in the one-thread module). */
EXPORT("threads") int wasm_threads(void) { return nn_pool_threads(); }
/* Set once every helper is parked in helper_loop; fewer to use fewer. */
EXPORT("set_helpers") void wasm_set_helpers(int helpers) { nn_pool_set_helpers(helpers); }

#if defined(__wasm_atomics__)
/* A helper thread's whole life: take slices of every task. Never returns. */
EXPORT("helper_loop") void wasm_helper_loop(void) { nn_pool_helper_loop(); }
#endif
