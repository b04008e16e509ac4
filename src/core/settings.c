/* settings.c - the settings table (mnist_settings): every setting's key,
 * words, help text, kind, range, group, whether a run may change it and
 * where its value is in mnist_config; and everything read from it alone:
 * setting by name, a setting's value as text (the model file's lines, JSON),
 * and the checks. rules.c writes the table out for the page; the CLI builds
 * its flags and --help from it; model.c saves and restores it.
 * Needs arch.c (an architecture's text), error.c and text.c. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "nn.h"

static const char *const INIT_NAMES[] = {[MNIST_INIT_HE] = "he", [MNIST_INIT_SEED] = "seed", NULL};
static const char *const OPTIMIZER_NAMES[] = {[MNIST_OPT_SGD] = "sgd", [MNIST_OPT_ADAM] = "adam", NULL};
static const char *const SCHEDULE_NAMES[] = {[MNIST_SCHEDULE_STEP] = "step", [MNIST_SCHEDULE_ONECYCLE] = "onecycle",
                                             NULL};

/* A choice is stored as its enum, read and written as an int. */
_Static_assert(sizeof(mnist_init) == sizeof(int) && sizeof(mnist_optimizer) == sizeof(int) &&
                   sizeof(mnist_schedule) == sizeof(int),
               "a choice's enum is an int");

#define AT(field) .offset = offsetof(mnist_config, field)
#define WHOLE(field, lo, hi) .kind = MNIST_KIND_WHOLE, .min = lo, .max = hi, AT(field)
#define NUMBER(field, lo, hi) .kind = MNIST_KIND_NUMBER, .min = lo, .max = hi, AT(field)
#define CHOICE(field, names) .kind = MNIST_KIND_CHOICE, .choices = names, AT(field)
#define HYPER(group_) .group = group_, .hyper = 1

/* In the order a form shows them. The seed's bound keeps it exact through
 * every JavaScript number path (32 bits). */
const mnist_setting mnist_settings[] = {
    {.key = "arch", .words = "architecture", .kind = MNIST_KIND_ARCH, .group = "network",
     .help = "the layers, joined by '-': the input 784 (a 28x28 image) first, then any of N (a dense layer of N "
             "units, ReLU after it), cNkK (a convolution: N filters of KxK, stride 1, ReLU), cNkKpadP (the same "
             "with P zeros of padding on every side) or pP (PxP max-pooling, stride P), and a dense layer of 10 "
             "last (softmax); convolutions and pools come before the first dense layer. e.g. 784-256-128-10 or "
             "784-c16k3-p2-c32k3-p2-64-10"},
    {.key = "init", .words = "initialisation", CHOICE(init, INIT_NAMES), .group = "network",
     .help = "the initial weights: he (He-uniform) or seed (the notebook's U(-0.5, 0.5))"},
    {.key = "seed", .words = "seed", .kind = MNIST_KIND_SEED, .min = 0, .max = 4294967295.0, AT(seed),
     .group = "network",
     .help = "seed of the initialisation, the shuffling and the augmentations: the same seed gives the same bits"},
    {.key = "optimizer", .words = "optimizer", CHOICE(hyper.optimizer, OPTIMIZER_NAMES), HYPER("training"),
     .help = "sgd (SGD with momentum) or adam (Adam with bias correction); weight decay adds L2 to the gradient "
             "for both"},
    {.key = "schedule", .words = "schedule", CHOICE(hyper.schedule, SCHEDULE_NAMES), HYPER("training"),
     .help = "step (the learning rate, times the learning-rate decay after each epoch) or onecycle (PyTorch's "
             "OneCycleLR over the planned run, the learning rate its peak: up from lr/25 over the first 30% of "
             "the updates, down to lr/250000 at the last, momentum or beta1 moving 0.95 -> 0.85 -> 0.95 the "
             "other way)"},
    {.key = "lr", .words = "learning rate", NUMBER(hyper.learning_rate, 0, 100), .min_exclusive = 1,
     HYPER("training"), .help = "alpha, the size of each update (onecycle: its peak)"},
    {.key = "momentum", .words = "momentum", NUMBER(hyper.momentum, 0, 1), .max_exclusive = 1, HYPER("training"),
     .help = "SGD's momentum, 0 = plain SGD (onecycle cycles it instead)"},
    {.key = "batch", .words = "batch size", WHOLE(hyper.batch_size, 1, MNIST_MAX_BATCH), HYPER("training"),
     .help = "samples per update; the training set's size or more = full-batch gradient descent"},
    {.key = "epochs", .words = "epochs", WHOLE(hyper.epochs, 0, 100000), HYPER("training"),
     .help = "passes over the training set, 0 = no limit; training stops at epochs or iterations, whichever "
             "comes first"},
    {.key = "iterations", .words = "iterations", WHOLE(hyper.iterations, 0, 100000000), HYPER("training"),
     .help = "parameter updates (batches), 0 = no limit"},
    {.key = "weightDecay", .words = "weight decay", NUMBER(hyper.weight_decay, 0, 1), .max_exclusive = 1,
     HYPER("training"), .help = "L2 coefficient on the weights (not the biases)"},
    {.key = "lrDecay", .words = "learning-rate decay", NUMBER(hyper.lr_decay, 0, 1), .min_exclusive = 1,
     HYPER("training"), .help = "step schedule: the learning rate is multiplied by this after each epoch"},
    {.key = "beta1", .words = "beta1", NUMBER(hyper.beta1, 0, 1), .max_exclusive = 1, HYPER("training"),
     .help = "Adam's first-moment decay"},
    {.key = "beta2", .words = "beta2", NUMBER(hyper.beta2, 0, 1), .max_exclusive = 1, HYPER("training"),
     .help = "Adam's second-moment decay"},
    {.key = "eps", .words = "eps", NUMBER(hyper.eps, 0, 1), .min_exclusive = 1, HYPER("training"),
     .help = "Adam's epsilon"},
    {.key = "shift", .words = "shift", WHOLE(hyper.shift, 0, 4), HYPER("augmentation"),
     .help = "each training image moved by a random whole number of pixels in [-N, N] across and down, zero "
             "fill; 0 = off"},
    {.key = "rotate", .words = "rotation", NUMBER(hyper.rotate, 0, 45), HYPER("augmentation"),
     .help = "each training image turned about its centre by a random angle in [-X, X] degrees; 0 = off"},
    {.key = "scale", .words = "scaling", NUMBER(hyper.scale, 0, 0.5), HYPER("augmentation"),
     .help = "each training image scaled about its centre by a random factor in [1 - X, 1 + X]; 0 = off (with "
             "rotate or scale on, images are resampled bilinearly)"},
    {.key = NULL},
};

const mnist_setting *mnist_setting_find(const char *key) {
    for (const mnist_setting *s = mnist_settings; key && s->key; s++)
        if (strcmp(s->key, key) == 0) return s;
    return NULL;
}

static const mnist_setting *find(const char *key, mnist_error *err) {
    const mnist_setting *s = mnist_setting_find(key);
    if (!s) {
        char quoted[64];
        snprintf(quoted, sizeof quoted, "%s", key ? key : "(null)");
        nn_reject(err, quoted, "unknown setting '%s'", quoted);
    }
    return s;
}

/* ---- choices --------------------------------------------------------------------- */

/* names[i] if i is one of the names, else NULL. */
static const char *name_of(const char *const *names, int i) {
    for (int k = 0; names[k]; k++)
        if (k == i) return names[k];
    return NULL;
}

static mnist_status parse_choice(const mnist_setting *s, const char *name, int *index, mnist_error *err) {
    for (int i = 0; name && s->choices[i]; i++) {
        if (strcmp(s->choices[i], name) == 0) {
            *index = i;
            return MNIST_OK;
        }
    }
    char list[128];
    nn_name_list(list, sizeof list, s->choices, sizeof s->choices[0]);
    return nn_reject(err, s->key, "unknown %s '%s' (expected %s)", s->words, name ? name : "(null)", list);
}

#define CHOICE_API(type, key, parse_fn, name_fn)                                          \
    mnist_status parse_fn(const char *name, type *out, mnist_error *err) {               \
        int i;                                                                            \
        mnist_status st = parse_choice(mnist_setting_find(key), name, &i, err);          \
        if (st == MNIST_OK) *out = (type)i;                                               \
        return st;                                                                        \
    }                                                                                     \
    const char *name_fn(type value) { return name_of(mnist_setting_find(key)->choices, (int)value); }
CHOICE_API(mnist_init, "init", mnist_parse_init, mnist_init_name)
CHOICE_API(mnist_optimizer, "optimizer", mnist_parse_optimizer, mnist_optimizer_name)
CHOICE_API(mnist_schedule, "schedule", mnist_parse_schedule, mnist_schedule_name)

/* ---- values ---------------------------------------------------------------------- */

/* A number's, or a choice's index: where the row says, as its kind stores it. */
static double value_of(const mnist_config *c, const mnist_setting *s) {
    const char *at = (const char *)c + s->offset;
    long whole;
    float number;
    uint64_t seed;
    int choice;
    switch (s->kind) {
    case MNIST_KIND_WHOLE: memcpy(&whole, at, sizeof whole); return (double)whole;
    case MNIST_KIND_NUMBER: memcpy(&number, at, sizeof number); return number;
    case MNIST_KIND_SEED: memcpy(&seed, at, sizeof seed); return (double)seed;
    case MNIST_KIND_CHOICE: memcpy(&choice, at, sizeof choice); return choice;
    default: return 0;
    }
}

/* value (checked) into its field, narrowed to the field's type. */
static void store(mnist_config *c, const mnist_setting *s, double value) {
    char *at = (char *)c + s->offset;
    long whole = (long)value;
    float number = (float)value;
    uint64_t seed = (uint64_t)value;
    int choice = (int)value;
    switch (s->kind) {
    case MNIST_KIND_WHOLE: memcpy(at, &whole, sizeof whole); break;
    case MNIST_KIND_NUMBER: memcpy(at, &number, sizeof number); break;
    case MNIST_KIND_SEED: memcpy(at, &seed, sizeof seed); break;
    case MNIST_KIND_CHOICE: memcpy(at, &choice, sizeof choice); break;
    default: break;
    }
}

mnist_status mnist_setting_check(const mnist_setting *s, double value, mnist_error *err) {
    int above = s->min_exclusive ? value > s->min : value >= s->min; /* false for NaN */
    int below = s->max_exclusive ? value < s->max : value <= s->max;
    if (s->kind == MNIST_KIND_WHOLE || s->kind == MNIST_KIND_SEED) {
        if (value != value || (above && below && value != (double)(long long)value))
            return nn_reject(err, s->key, "%s must be a whole number, got %g", s->words, value);
        if (!above || !below)
            return nn_reject(err, s->key, "%s %.0f out of range (%.0f..%.0f)", s->words, value, s->min, s->max);
    } else if (!above || !below) {
        /* A fraction reads best as an interval, "in [0, 1)"; a wider range
         * as its bounds, "> 0 and <= 100". */
        if (s->min < 0 || s->max > 1)
            return nn_reject(err, s->key, "%s must be %s %g and %s %g, got %g", s->words,
                             s->min_exclusive ? ">" : ">=", s->min, s->max_exclusive ? "<" : "<=", s->max, value);
        return nn_reject(err, s->key, "%s must be in %c%g, %g%c, got %g", s->words, s->min_exclusive ? '(' : '[',
                         s->min, s->max, s->max_exclusive ? ')' : ']', value);
    }
    return MNIST_OK;
}

static mnist_status set_number(mnist_config *cfg, const mnist_setting *s, double value, mnist_error *err) {
    if (s->kind == MNIST_KIND_CHOICE || s->kind == MNIST_KIND_ARCH) {
        char list[128] = "784-128-10";
        if (s->kind == MNIST_KIND_CHOICE) nn_name_list(list, sizeof list, s->choices, sizeof s->choices[0]);
        return nn_reject(err, s->key, "%s is a text (%s), not a number", s->words, list);
    }
    if (value == 0) value = 0; /* no -0 */
    mnist_status st = mnist_setting_check(s, value, err);
    if (st == MNIST_OK) store(cfg, s, value);
    return st;
}

mnist_status mnist_config_set_number(mnist_config *cfg, const char *key, double value, mnist_error *err) {
    const mnist_setting *s = find(key, err);
    return s ? set_number(cfg, s, value, err) : MNIST_E_CONFIG;
}

mnist_status mnist_config_set(mnist_config *cfg, const char *key, const char *text, size_t len, mnist_error *err) {
    const mnist_setting *s = find(key, err);
    if (!s) return MNIST_E_CONFIG;
    if (!text) text = "", len = 0;
    char copy[MNIST_MAX_TEXT + 1];
    if (memchr(text, '\0', len)) return nn_reject(err, s->key, "%s: the text holds a NUL byte", s->words);
    if (len >= sizeof copy)
        return nn_reject(err, s->key, "%s: a text of %zu bytes is too long (at most %zu)", s->words, len,
                         sizeof copy - 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    if (s->kind == MNIST_KIND_ARCH) return mnist_parse_arch(copy, cfg, err);
    if (s->kind == MNIST_KIND_CHOICE) {
        int i;
        mnist_status st = parse_choice(s, copy, &i, err);
        if (st == MNIST_OK) store(cfg, s, i);
        return st;
    }
    double value;
    if (!nn_read_number(copy, len, &value))
        return nn_reject(err, s->key, "%s must be a %snumber, got '%s'", s->words,
                         s->kind == MNIST_KIND_NUMBER ? "" : "whole ", copy);
    return set_number(cfg, s, value, err);
}

size_t mnist_config_get(const mnist_config *cfg, const mnist_setting *s, char *buf, size_t cap) {
    uint64_t seed;
    const char *name;
    switch (s->kind) {
    case MNIST_KIND_ARCH:
        if (cfg->n_layers < 1 || cfg->n_layers > MNIST_MAX_LAYERS) return (size_t)snprintf(buf, cap, "%s", "");
        return mnist_arch_format(cfg->n_layers, cfg->sizes, cfg->layers, buf, cap);
    case MNIST_KIND_NUMBER: return nn_float_text((float)value_of(cfg, s), buf, cap);
    case MNIST_KIND_SEED:
        memcpy(&seed, (const char *)cfg + s->offset, sizeof seed);
        return (size_t)snprintf(buf, cap, "%llu", (unsigned long long)seed);
    case MNIST_KIND_CHOICE:
        name = name_of(s->choices, (int)value_of(cfg, s));
        return name ? (size_t)snprintf(buf, cap, "%s", name) : (size_t)snprintf(buf, cap, "%d", (int)value_of(cfg, s));
    default: return (size_t)snprintf(buf, cap, "%.0f", value_of(cfg, s));
    }
}

size_t mnist_config_lines(const mnist_config *cfg, char *buf, size_t cap) {
    nn_json o = {buf, cap, 0};
    if (cap > 0) buf[0] = '\0';
    for (const mnist_setting *s = mnist_settings; s->key; s++) {
        char value[256];
        mnist_config_get(cfg, s, value, sizeof value);
        nn_json_put(&o, "%s=%s\n", s->key, value);
    }
    return o.len;
}

size_t mnist_config_json(const mnist_config *cfg, char *buf, size_t cap) {
    nn_json o = {buf, cap, 0};
    if (cap > 0) buf[0] = '\0';
    for (const mnist_setting *s = mnist_settings; s->key; s++) {
        char value[256];
        mnist_config_get(cfg, s, value, sizeof value);
        nn_json_put(&o, "%s", s == mnist_settings ? "{" : ",");
        nn_json_string(&o, s->key);
        nn_json_put(&o, ":");
        if (s->kind == MNIST_KIND_ARCH || s->kind == MNIST_KIND_CHOICE) nn_json_string(&o, value);
        else nn_json_number(&o, value);
    }
    nn_json_put(&o, "}");
    return o.len;
}

/* ---- checks ------------------------------------------------------------------------ */

/* Every row of c (only those a run may change when hyper_only), then the
 * rules between them. */
static mnist_status check_rows(const mnist_config *c, int hyper_only, mnist_error *err) {
    for (const mnist_setting *s = mnist_settings; s->key; s++) {
        if (hyper_only && !s->hyper) continue;
        if (s->kind == MNIST_KIND_ARCH) {
            int sizes[MNIST_MAX_LAYERS + 1];
            memcpy(sizes, c->sizes, sizeof sizes);
            if (!nn_arch_layout(c->n_layers, sizes, c->layers, 0, NULL, MNIST_E_CONFIG, "bad architecture", err))
                return MNIST_E_CONFIG;
        } else if (s->kind == MNIST_KIND_CHOICE) {
            if (!name_of(s->choices, (int)value_of(c, s)))
                return nn_reject(err, s->key, "unknown %s %d", s->words, (int)value_of(c, s));
        } else {
            mnist_status st = mnist_setting_check(s, value_of(c, s), err);
            if (st != MNIST_OK) return st;
        }
    }
    if (c->hyper.epochs == 0 && c->hyper.iterations == 0)
        return nn_reject(err, "epochs", "set epochs or iterations (at least one above 0)");
    return MNIST_OK;
}

mnist_status mnist_config_check(const mnist_config *c, mnist_error *err) { return check_rows(c, 0, err); }

mnist_status mnist_hyper_check(const mnist_hyper *h, mnist_error *err) {
    mnist_config c;
    memset(&c, 0, sizeof c);
    c.hyper = *h;
    return check_rows(&c, 1, err);
}
