/* rules.c - the rules written out as JSON, so the page (through the
 * WebAssembly module's `rules` export) shows and checks the very settings,
 * presets and limits the core applies. Every list is generated from the
 * settings table (settings.c), the presets (config.c) and the structure's
 * limits (arch.c):
 *
 *   { "settings": [ { "key": "arch", "words": "architecture", "help": "...", "kind": "arch",
 *                     "group": "network", "hyper": false, "default": "784-128-10" },
 *                   { "key": "init", ..., "kind": "choice", "choices": ["he", "seed"], "default": "he" },
 *                   { "key": "lr", "words": "learning rate", "help": "...", "kind": "number",
 *                     "group": "training", "hyper": true, "min": 0, "max": 100, "integer": false,
 *                     "minExclusive": true, "maxExclusive": false, "default": 0.1 }, ... ],
 *     "presets": { "seed": { "arch": "784-10-10", "init": "seed", "seed": 1, ..., (every setting)
 *                            "description": "...", "expect": "...", "target": 0 }, ... },
 *     "limits": { "seed": { "min": 0, "max": 4294967295, "integer": true },
 *                 "lr": { "min": 0, "max": 100, "minExclusive": true }, ...,
 *                 "layers": { "min": 1, "max": 8, "integer": true }, "width": ..., "channels": ... },
 *     "inits": ["he", "seed"], "optimizers": ["sgd", "adam"], "schedules": ["step", "onecycle"],
 *     "hyper": ["optimizer", "schedule", "lr", ...], "pixels": 784, "classes": 10, "maxFileBytes": 268435456,
 *     "maxText": 255 }
 *
 * "settings" is the table in its order (a form's): kind "whole", "number" or
 * "seed" (numbers: min, max, integer, minExclusive, maxExclusive), "choice"
 * (choices) or "arch"; group "network", "training" or "augmentation"; hyper:
 * whether a running network may change it; default: its value in the
 * default preset. Presets are in display order, each holding every setting,
 * then its words and its target (the test accuracy the page watches for; 0: none).
 * "limits" has each numeric setting's range, then the structure's; "maxText"
 * the longest text a setting may be given as (bytes). "hyper"
 * lists the settings a run can change (mnist_set_hyper; the page's
 * set-hyper). Needs settings.c, config.c, arch.c and text.c. */
#include <stdio.h>
#include <string.h>

#include "nn.h"

static const char *const KINDS[] = {[MNIST_KIND_WHOLE] = "whole", [MNIST_KIND_NUMBER] = "number",
                                    [MNIST_KIND_CHOICE] = "choice", [MNIST_KIND_ARCH] = "arch",
                                    [MNIST_KIND_SEED] = "seed"};

static int is_number(const mnist_setting *s) {
    return s->kind == MNIST_KIND_WHOLE || s->kind == MNIST_KIND_NUMBER || s->kind == MNIST_KIND_SEED;
}

/* `sep` then "name":bound. A bound is whole, or a plain one like 0.5, so
 * %.17g writes it exactly. */
static void put_bound(nn_json *o, const char *sep, const char *name, double value) {
    char text[32];
    snprintf(text, sizeof text, "%.17g", value);
    nn_json_put(o, "%s\"%s\":", sep, name);
    nn_json_number(o, text);
}

/* "key": value of s in cfg (a string for a choice or an architecture). */
static void put_value(nn_json *o, const mnist_config *cfg, const mnist_setting *s) {
    char value[256];
    mnist_config_get(cfg, s, value, sizeof value);
    if (is_number(s)) nn_json_number(o, value);
    else nn_json_string(o, value);
}

/* A JSON array of the NULL-ended names. */
static void put_names(nn_json *o, const char *const *names) {
    nn_json_put(o, "[");
    for (int i = 0; names[i]; i++) {
        if (i) nn_json_put(o, ",");
        nn_json_string(o, names[i]);
    }
    nn_json_put(o, "]");
}

static void put_setting(nn_json *o, const mnist_setting *s, const mnist_config *defaults) {
    nn_json_put(o, "{\"key\":");
    nn_json_string(o, s->key);
    nn_json_put(o, ",\"words\":");
    nn_json_string(o, s->words);
    nn_json_put(o, ",\"help\":");
    nn_json_string(o, s->help);
    nn_json_put(o, ",\"kind\":\"%s\",\"group\":", KINDS[s->kind]);
    nn_json_string(o, s->group);
    nn_json_put(o, ",\"hyper\":%s", s->hyper ? "true" : "false");
    if (is_number(s)) {
        put_bound(o, ",", "min", s->min);
        put_bound(o, ",", "max", s->max);
        nn_json_put(o, ",\"integer\":%s,\"minExclusive\":%s,\"maxExclusive\":%s",
                    s->kind != MNIST_KIND_NUMBER ? "true" : "false", s->min_exclusive ? "true" : "false",
                    s->max_exclusive ? "true" : "false");
    }
    if (s->kind == MNIST_KIND_CHOICE) {
        nn_json_put(o, ",\"choices\":");
        put_names(o, s->choices);
    }
    nn_json_put(o, ",\"default\":");
    put_value(o, defaults, s);
    nn_json_put(o, "}");
}

static void put_preset(nn_json *o, const mnist_preset_def *p) {
    mnist_config cfg;
    mnist_preset(p->name, &cfg, NULL); /* its architecture parses: tests/core.test.js checks each */
    nn_json_string(o, p->name);
    for (const mnist_setting *s = mnist_settings; s->key; s++) {
        nn_json_put(o, "%s", s == mnist_settings ? ":{" : ",");
        nn_json_string(o, s->key);
        nn_json_put(o, ":");
        put_value(o, &cfg, s);
    }
    nn_json_put(o, ",\"description\":");
    nn_json_string(o, p->description);
    nn_json_put(o, ",\"expect\":");
    nn_json_string(o, p->expect);
    nn_json_put(o, ",\"target\":%g}", p->target);
}

/* "key":{"min":..,"max":..} with integer / minExclusive / maxExclusive when true. */
static void put_limit(nn_json *o, const char *key, double min, double max, int integer, int min_exclusive,
                      int max_exclusive) {
    nn_json_string(o, key);
    put_bound(o, ":{", "min", min);
    put_bound(o, ",", "max", max);
    if (integer) nn_json_put(o, ",\"integer\":true");
    if (min_exclusive) nn_json_put(o, ",\"minExclusive\":true");
    if (max_exclusive) nn_json_put(o, ",\"maxExclusive\":true");
    nn_json_put(o, "}");
}

size_t mnist_rules_json(char *buf, size_t cap) {
    nn_json o = {buf, cap, 0};
    if (cap > 0) buf[0] = '\0';
    mnist_config defaults;
    mnist_preset("default", &defaults, NULL);
    nn_json_put(&o, "{\"settings\":[");
    for (const mnist_setting *s = mnist_settings; s->key; s++) {
        if (s != mnist_settings) nn_json_put(&o, ",");
        put_setting(&o, s, &defaults);
    }
    nn_json_put(&o, "],\"presets\":{");
    for (const mnist_preset_def *p = mnist_presets; p->name; p++) {
        if (p != mnist_presets) nn_json_put(&o, ",");
        put_preset(&o, p);
    }
    nn_json_put(&o, "},\"limits\":{");
    const char *sep = "";
    for (const mnist_setting *s = mnist_settings; s->key; s++) {
        if (!is_number(s)) continue;
        nn_json_put(&o, "%s", sep);
        put_limit(&o, s->key, s->min, s->max, s->kind != MNIST_KIND_NUMBER, s->min_exclusive, s->max_exclusive);
        sep = ",";
    }
    for (int l = 0; l < MNIST_N_LIMITS; l++) {
        nn_json_put(&o, ",");
        put_limit(&o, mnist_limits[l].key, mnist_limits[l].min, mnist_limits[l].max, 1, 0, 0);
    }
    nn_json_put(&o, "},\"inits\":");
    put_names(&o, mnist_setting_find("init")->choices);
    nn_json_put(&o, ",\"optimizers\":");
    put_names(&o, mnist_setting_find("optimizer")->choices);
    nn_json_put(&o, ",\"schedules\":");
    put_names(&o, mnist_setting_find("schedule")->choices);
    nn_json_put(&o, ",\"hyper\":[");
    sep = "";
    for (const mnist_setting *s = mnist_settings; s->key; s++) {
        if (!s->hyper) continue;
        nn_json_put(&o, "%s", sep);
        nn_json_string(&o, s->key);
        sep = ",";
    }
    nn_json_put(&o, "],\"pixels\":%d,\"classes\":%d,\"maxFileBytes\":%u,\"maxText\":%d}", MNIST_PIXELS, MNIST_CLASSES,
                MNIST_MAX_FILE_BYTES, MNIST_MAX_TEXT);
    return o.len;
}
