/* rules.c - the rules of config.c written out as JSON, so the page (through
 * the WebAssembly module's `rules` export) shows and checks the very presets
 * and limits the core applies:
 *
 *   { "presets": { "seed": { "arch": "784-10-10", "init": "seed", "seed": 1, "batch": 1000000,
 *                            "lr": 0.1, "momentum": 0, "weightDecay": 0, "lrDecay": 1, "beta1": 0.9,
 *                            "beta2": 0.999, "eps": 1e-08, "rotate": 0, "scale": 0, "epochs": 500,
 *                            "iterations": 500, "shift": 0,
 *                            "optimizer": "sgd", "schedule": "step", "description": "...", "expect": "..." }, ...,
 *                  "cnn": { "arch": "784-c16k3-p2-c32k3-p2-64-10", ... } },
 *     "limits": { "batch": { "min": 1, "max": 1000000, "integer": true },
 *                 "lr": { "min": 0, "max": 100, "minExclusive": true }, ... },
 *     "inits": ["he", "seed"], "optimizers": ["sgd", "adam"], "schedules": ["step", "onecycle"],
 *     "hyper": ["batch", "lr", ...], "pixels": 784, "classes": 10, "maxFileBytes": 268435456 }
 *
 * Presets are in display order. "hyper" lists the settings a network's run can
 * change (mnist_set_hyper; the page's set-hyper), in the order the WebAssembly
 * module's init and set_hyper take them (src/wasm/exports.c); the architecture,
 * init and seed are not among them: they need a new network. */
#include <stdarg.h>
#include <stdio.h>

#include "nn.h"

/* nn.h's JSON writer: like snprintf, o->len counts the whole text. */
void nn_json_put(nn_json *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->len < o->cap ? o->buf + o->len : NULL, o->len < o->cap ? o->cap - o->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0) o->len += (size_t)n;
}

/* A JSON string: quotes, backslashes and control characters escaped (an
 * architecture's text comes from the user). */
void nn_json_string(nn_json *o, const char *s) {
    nn_json_put(o, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') nn_json_put(o, "\\%c", c);
        else if (c < 0x20) nn_json_put(o, "\\u%04x", c);
        else nn_json_put(o, "%c", c);
    }
    nn_json_put(o, "\"");
}

/* A preset's float: %g (6 significant digits) reads back as the same float
 * for every value the table holds (none has more digits); a limit is whole,
 * or a plain bound like 0 or 1, so %.17g writes it exactly. No strtod here:
 * it would double the WebAssembly module's size. */
static void put_number(nn_json *o, double value, int as_float) { nn_json_put(o, as_float ? "%g" : "%.17g", value); }

static void put_preset(nn_json *o, const mnist_preset_def *p) {
    const mnist_config *c = &p->config;
    const mnist_hyper *h = &c->hyper;
    nn_json_string(o, p->name);
    nn_json_put(o, ":{\"arch\":");
    nn_json_string(o, p->arch);
    nn_json_put(o, ",\"init\":");
    nn_json_string(o, mnist_init_name(c->init));
    nn_json_put(o, ",\"seed\":%llu,\"batch\":%ld", (unsigned long long)c->seed, h->batch_size);
    const struct { mnist_setting setting; float value; } floats[] = {
        {MNIST_SET_LR, h->learning_rate}, {MNIST_SET_MOMENTUM, h->momentum}, {MNIST_SET_WEIGHT_DECAY, h->weight_decay},
        {MNIST_SET_LR_DECAY, h->lr_decay}, {MNIST_SET_BETA1, h->beta1},     {MNIST_SET_BETA2, h->beta2},
        {MNIST_SET_EPS, h->eps},           {MNIST_SET_ROTATE, h->rotate}, {MNIST_SET_SCALE, h->scale},
    };
    for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++) { /* keyed as in the limits */
        nn_json_put(o, ",\"%s\":", mnist_limits[floats[i].setting].key);
        put_number(o, floats[i].value, 1);
    }
    nn_json_put(o, ",\"epochs\":%ld,\"iterations\":%ld,\"shift\":%ld,\"optimizer\":", h->epochs, h->iterations, h->shift);
    nn_json_string(o, mnist_optimizer_name(h->optimizer));
    nn_json_put(o, ",\"schedule\":");
    nn_json_string(o, mnist_schedule_name(h->schedule));
    nn_json_put(o, ",\"description\":");
    nn_json_string(o, p->description);
    nn_json_put(o, ",\"expect\":");
    nn_json_string(o, p->expect);
    nn_json_put(o, "}");
}

static void put_limit(nn_json *o, const mnist_limit *l) {
    nn_json_string(o, l->key);
    nn_json_put(o, ":{\"min\":");
    put_number(o, l->min, 0);
    nn_json_put(o, ",\"max\":");
    put_number(o, l->max, 0);
    if (l->integer) nn_json_put(o, ",\"integer\":true");
    if (l->min_exclusive) nn_json_put(o, ",\"minExclusive\":true");
    if (l->max_exclusive) nn_json_put(o, ",\"maxExclusive\":true");
    nn_json_put(o, "}");
}

static const char *init_at(int i) { return mnist_init_name((mnist_init)i); }
static const char *optimizer_at(int i) { return mnist_optimizer_name((mnist_optimizer)i); }
static const char *schedule_at(int i) { return mnist_schedule_name((mnist_schedule)i); }
/* Every field of mnist_hyper, by its key in mnist_limits or its name's. */
static const char *hyper_at(int i) {
    static const char *const keys[] = {"batch",     "lr",       "momentum", "weightDecay", "lrDecay",
                                       "epochs",    "iterations", "optimizer", "schedule", "beta1",
                                       "beta2",     "eps",      "shift",    "rotate",      "scale"};
    return i < (int)(sizeof keys / sizeof keys[0]) ? keys[i] : NULL;
}

/* A JSON array of the names name_at(0), name_at(1), ... up to NULL. */
static void put_names(nn_json *o, const char *(*name_at)(int)) {
    nn_json_put(o, "[");
    for (int i = 0; name_at(i); i++) {
        if (i) nn_json_put(o, ",");
        nn_json_string(o, name_at(i));
    }
    nn_json_put(o, "]");
}

size_t mnist_rules_json(char *buf, size_t cap) {
    nn_json o = {buf, cap, 0};
    if (cap > 0) buf[0] = '\0';
    nn_json_put(&o, "{\"presets\":{");
    for (const mnist_preset_def *p = mnist_presets; p->name; p++) {
        if (p != mnist_presets) nn_json_put(&o, ",");
        put_preset(&o, p);
    }
    nn_json_put(&o, "},\"limits\":{");
    for (int s = 0; s < MNIST_N_SETTINGS; s++) {
        if (s) nn_json_put(&o, ",");
        put_limit(&o, &mnist_limits[s]);
    }
    nn_json_put(&o, "},\"inits\":");
    put_names(&o, init_at);
    nn_json_put(&o, ",\"optimizers\":");
    put_names(&o, optimizer_at);
    nn_json_put(&o, ",\"schedules\":");
    put_names(&o, schedule_at);
    nn_json_put(&o, ",\"hyper\":");
    put_names(&o, hyper_at);
    nn_json_put(&o, ",\"pixels\":%d,\"classes\":%d,\"maxFileBytes\":%u}", MNIST_PIXELS, MNIST_CLASSES, MNIST_MAX_FILE_BYTES);
    return o.len;
}
