/* arch.c - the architecture: its grammar ("784-c16k3-p2-c32k3-p2-64-10",
 * mnist_parse_arch; the text back, mnist_arch_format) and the checks that lay
 * a network out as a sequence of layers (nn_arch_layout): each layer's
 * shapes, parameter counts and work, read by net.c, settings.c and model.c;
 * and the limits of that structure (mnist_limits). Needs error.c and text.c
 * only. */
#include <stdio.h>
#include <string.h>

#include "nn.h"

/* Indexed by mnist_limit_id. */
const mnist_limit mnist_limits[MNIST_N_LIMITS] = {
    [MNIST_LIMIT_LAYERS] = {"layers", "weight layers", 1, MNIST_MAX_LAYERS},
    [MNIST_LIMIT_WIDTH] = {"width", "hidden units", 1, MNIST_MAX_WIDTH},
    [MNIST_LIMIT_CHANNELS] = {"channels", "filters", 1, MNIST_MAX_CHANNELS},
};

/* Digits at *p into *out (saturating at 1000000: the range checks report
 * it); 0 if there are none. */
static int number(const char **p, int *out) {
    if (**p < '0' || **p > '9') return 0;
    long v = 0;
    while (**p >= '0' && **p <= '9') {
        v = v * 10 + (*(*p)++ - '0');
        if (v > 1000000) v = 1000000;
    }
    *out = (int)v;
    return 1;
}

/* One layer's token at *p (after the input): a width, cNkK[padP] or pP. */
static int parse_layer(const char **p, mnist_layer_spec *spec, int *width) {
    memset(spec, 0, sizeof *spec);
    *width = 0;
    if (**p == 'c') {
        (*p)++;
        spec->kind = MNIST_LAYER_CONV;
        if (!number(p, &spec->channels) || *(*p)++ != 'k' || !number(p, &spec->kernel)) return 0;
        if (strncmp(*p, "pad", 3) == 0) {
            *p += 3;
            if (!number(p, &spec->pad)) return 0;
        }
    } else if (**p == 'p') {
        (*p)++;
        spec->kind = MNIST_LAYER_POOL;
        if (!number(p, &spec->kernel)) return 0;
    } else if (!number(p, width)) {
        return 0;
    }
    return **p == '-' || **p == '\0';
}

/* The tokens of text t into sizes[] and specs[] (*n of them, the input
 * first; specs[k - 1] is token k's); 0, err (field "arch") and *at = the
 * index of the token that breaks (*n = the tokens read) if one does. */
static int parse_tokens(const char *t, int *n_out, int *sizes, mnist_layer_spec *specs, int *at, mnist_error *err) {
    int n = 0;
    for (const char *p = t;; p++) {
        const char *start = p;
        mnist_layer_spec spec;
        int width;
        int ok = n == 0 ? number(&p, &width) && (*p == '-' || *p == '\0') : parse_layer(&p, &spec, &width);
        *at = n;
        *n_out = n;
        if (!ok && n == 0)
            return nn_reject(err, "arch", "bad architecture '%s': expected layers joined by '-', like 784-128-10 or "
                             "784-c16k3-p2-64-10", t), 0;
        if (!ok)
            return nn_reject(err, "arch", "bad architecture '%s': layer %d ('%.*s') is not a width like 128, a "
                             "convolution like c16k3 or c8k5pad2, or a pool like p2", t, n, (int)strcspn(start, "-"),
                             start), 0;
        if (n == MNIST_MAX_LAYERS + 1)
            return nn_reject(err, "arch", "bad architecture '%s': at most %.0f weight layers", t,
                             mnist_limits[MNIST_LIMIT_LAYERS].max), 0;
        if (n > 0) specs[n - 1] = spec;
        sizes[n++] = width;
        *n_out = n;
        if (*p == '\0') break;
    }
    *at = n;
    if (n < 2)
        return nn_reject(err, "arch", "bad architecture '%s': need at least input and output, like 784-10", t), 0;
    return 1;
}

static int layout(int n_layers, int *sizes, const mnist_layer_spec *specs, int fill, nn_layer *layers,
                  mnist_status code, const char *what, mnist_error *err, int *at, int *filled);
static int lay_out_image(int l, const mnist_layer_spec *s, int *H, int *W, int *C, nn_layer *ly, mnist_status code,
                         const char *what, mnist_error *err);

mnist_status mnist_parse_arch(const char *text, mnist_config *cfg, mnist_error *err) {
    const char *t = text ? text : "";
    int sizes[MNIST_MAX_LAYERS + 1], n, at, filled;
    mnist_layer_spec specs[MNIST_MAX_LAYERS + 1];
    if (!parse_tokens(t, &n, sizes, specs, &at, err)) return MNIST_E_CONFIG;
    mnist_config c = *cfg;
    c.n_layers = n - 1;
    memset(c.layers, 0, sizeof c.layers);
    memcpy(c.sizes, sizes, sizeof(int) * (size_t)n);
    memcpy(c.layers, specs, sizeof(mnist_layer_spec) * (size_t)(n - 1));
    if (!layout(c.n_layers, c.sizes, c.layers, 1, NULL, MNIST_E_CONFIG, t, err, &at, &filled)) return MNIST_E_CONFIG;
    *cfg = c;
    return MNIST_OK;
}

size_t mnist_arch_format(int n_layers, const int *sizes, const mnist_layer_spec *layers, char *buf, size_t cap) {
    size_t used = 0;
    if (cap > 0) buf[0] = '\0';
#define PUT(...) used += (size_t)snprintf(used < cap ? buf + used : NULL, used < cap ? cap - used : 0, __VA_ARGS__)
    PUT("%d", sizes[0]);
    for (int l = 0; l < n_layers; l++) {
        const mnist_layer_spec *s = &layers[l];
        if (s->kind == MNIST_LAYER_CONV) {
            PUT("-c%dk%d", s->channels, s->kernel);
            if (s->pad) PUT("pad%d", s->pad);
        } else if (s->kind == MNIST_LAYER_POOL) {
            PUT("-p%d", s->kernel);
        } else {
            PUT("-%d", sizes[l + 1]);
        }
    }
#undef PUT
    return used;
}

/* One laid-out layer of mnist_arch_describe: its kind, output shape, parameters
 * (last: it is the text's last layer, the softmax). */
static void put_layer(nn_json *o, const mnist_layer_spec *s, const nn_layer *ly, int last) {
    static const char *kinds[] = {"dense", "conv", "pool"};
    nn_json_put(o, "\"kind\":\"%s\"", kinds[s->kind]);
    if (s->kind == MNIST_LAYER_CONV)
        nn_json_put(o, ",\"filters\":%d,\"kernel\":%d,\"pad\":%d,\"h\":%d,\"w\":%d,\"c\":%d", s->channels,
                    s->kernel, s->pad, conv_out_rows(&ly->conv), conv_out_cols(&ly->conv), ly->conv.O);
    else if (s->kind == MNIST_LAYER_POOL)
        nn_json_put(o, ",\"kernel\":%d,\"h\":%d,\"w\":%d,\"c\":%d", s->kernel, ly->pool.H / s->kernel,
                    ly->pool.W / s->kernel, ly->pool.C);
    nn_json_put(o, ",\"size\":%ld,\"params\":%zu,\"activation\":\"%s\"", ly->out, ly->n_w + ly->n_b,
                s->kind == MNIST_LAYER_POOL ? "none" : s->kind == MNIST_LAYER_DENSE && last ? "softmax" : "relu");
}

size_t mnist_arch_describe(const char *text, char *buf, size_t cap) {
    const char *t = text ? text : "";
    nn_json o = {buf, cap, 0};
    if (cap > 0) buf[0] = '\0';
    int sizes[MNIST_MAX_LAYERS + 1], n = 0, at = 0, filled = 0;
    mnist_layer_spec specs[MNIST_MAX_LAYERS + 1];
    nn_layer layers[MNIST_MAX_LAYERS];
    mnist_error err = {0};
    int parsed = parse_tokens(t, &n, sizes, specs, &at, &err);
    int ok = parsed && layout(n - 1, sizes, specs, 1, layers, MNIST_E_CONFIG, t, &err, &at, &filled);
    if (!parsed && n >= 2) { /* the tokens before the bad one, laid out as far as they fit */
        int ignored;
        layout(n - 1, sizes, specs, 1, layers, MNIST_E_CONFIG, t, NULL, &ignored, &filled);
    }
    if (!ok && filled > at - 1) filled = at - 1; /* only the layers before the fault */
    nn_json_put(&o, "{\"ok\":%s,\"tokens\":[", ok ? "true" : "false");
    int tokens = 1;
    for (const char *p = t;; p++, tokens++) {
        size_t len = strcspn(p, "-");
        char token[64];
        snprintf(token, sizeof token, "%.*s", (int)(len < sizeof token ? len : sizeof token - 1), p);
        nn_json_string(&o, token);
        p += len;
        if (*p == '\0') break;
        nn_json_put(&o, ",");
    }
    nn_json_put(&o, "],\"layers\":[");
    size_t total = 0;
    if (n > 0 && sizes[0] == MNIST_PIXELS && (ok || at > 0))
        nn_json_put(&o, "{\"kind\":\"input\",\"h\":%d,\"w\":%d,\"c\":1,\"size\":%d,\"params\":0}", MNIST_ROWS,
                    MNIST_COLS, MNIST_PIXELS);
    else
        filled = 0; /* nothing is laid out without its input */
    for (int l = 0; l < filled; l++) {
        nn_json_put(&o, ",{");
        put_layer(&o, &specs[l], &layers[l], l == tokens - 2);
        nn_json_put(&o, "}");
        total += layers[l].n_w + layers[l].n_b;
    }
    nn_json_put(&o, "]");
    if (ok) nn_json_put(&o, ",\"params\":%zu}", total);
    else {
        nn_json_put(&o, ",\"at\":%d,\"message\":", at);
        nn_json_string(&o, err.message);
        nn_json_put(&o, "}");
    }
    return o.len;
}

/* Layer l, a convolution or a pool on an H x W x C image: its layout in *ly
 * and the image it outputs; 0 (err filled) if it does not fit. */
static int lay_out_image(int l, const mnist_layer_spec *s, int *H, int *W, int *C, nn_layer *ly, mnist_status code,
                         const char *what, mnist_error *err) {
    const mnist_limit *chans = &mnist_limits[MNIST_LIMIT_CHANNELS];
    int conv = s->kind == MNIST_LAYER_CONV, K = s->kernel, pad = conv ? s->pad : 0;
    const char *name = conv ? "convolution" : "pool";
    char where[48];
    if (l == 0) snprintf(where, sizeof where, "the input image is");
    else snprintf(where, sizeof where, "after layer %d the image is", l);
    if (conv && (s->channels < chans->min || s->channels > chans->max)) {
        nn_set_error(err, code, "%s: layer %d has %d filters (must be %.0f..%.0f)", what, l + 1, s->channels,
                     chans->min, chans->max);
        return 0;
    }
    if (K < 1 || K > 1000) {
        nn_set_error(err, code, "%s: layer %d has a %d\u00d7%d %s (must be at least 1\u00d71)", what, l + 1, K, K, name);
        return 0;
    }
    if (pad < 0 || pad > (K - 1) / 2) {
        nn_set_error(err, code, "%s: layer %d pads by %d (a %d\u00d7%d convolution may pad 0..%d)", what, l + 1, pad,
                     K, K, (K - 1) / 2);
        return 0;
    }
    if (*H + 2 * pad < K || *W + 2 * pad < K) {
        nn_set_error(err, code, "%s: %s %d\u00d7%d, too small for a %d\u00d7%d %s%s", what, where, *H, *W, K, K, name,
                     pad ? " (padded)" : "");
        return 0;
    }
    if (conv) {
        ly->conv = (conv_shape){*H, *W, *C, K, pad, s->channels};
        ly->relu = 1;
        ly->n_w = (size_t)s->channels * (size_t)(K * K * *C);
        ly->n_b = (size_t)s->channels;
        *H = conv_out_rows(&ly->conv);
        *W = conv_out_cols(&ly->conv);
        ly->work = (double)*H * *W * s->channels * K * K * *C;
        *C = s->channels;
    } else {
        ly->pool = (pool_shape){*H, *W, *C, K};
        *H /= K;
        *W /= K;
        ly->work = (double)*H * *W * *C * K * K;
    }
    ly->out = (long)*H * *W * *C;
    return 1;
}

int nn_arch_layout(int n_layers, int *sizes, const mnist_layer_spec *specs, int fill, nn_layer *layers,
                   mnist_status code, const char *what, mnist_error *err) {
    int at, filled;
    return layout(n_layers, sizes, specs, fill, layers, code, what, err, &at, &filled);
}

/* nn_arch_layout, also saying where it breaks: *at = the index of the token
 * at fault (0 the input, l + 1 layer l) and *filled = the layers laid out
 * (those before the fault; when the whole fails, e.g. the output is not 10
 * units, the layers that fit still are). */
static int layout(int n_layers, int *sizes, const mnist_layer_spec *specs, int fill, nn_layer *layers,
                  mnist_status code, const char *what, mnist_error *err, int *at, int *filled) {
    const mnist_limit *count = &mnist_limits[MNIST_LIMIT_LAYERS], *width = &mnist_limits[MNIST_LIMIT_WIDTH];
    int ok = 0;
    *at = -1;
    *filled = 0;
    if (n_layers < count->min || n_layers > count->max) {
        nn_set_error(err, code, "%s: %d weight layers (must be %.0f..%.0f)", what, n_layers, count->min, count->max);
        *at = n_layers < count->min ? n_layers + 1 : (int)count->max + 1;
    } else if (sizes[0] != MNIST_PIXELS) {
        nn_set_error(err, code, "%s: input layer has %d units, must be %d (28x28 pixels)", what, sizes[0], MNIST_PIXELS);
        *at = 0;
    } else if (specs[n_layers - 1].kind != MNIST_LAYER_DENSE) {
        nn_set_error(err, code, "%s: the last layer must be a dense layer of %d units (the classes)", what,
                     MNIST_CLASSES);
        *at = n_layers;
    } else if (sizes[n_layers] != MNIST_CLASSES) {
        nn_set_error(err, code, "%s: output layer has %d units, must be %d (the classes)", what, sizes[n_layers],
                     MNIST_CLASSES);
        *at = n_layers;
    } else {
        ok = 1;
    }
    /* After a fault of the whole (not its count), the layers are still laid
     * out as far as they fit, for mnist_arch_describe; err keeps the first. */
    mnist_error *layer_err = ok ? err : NULL;
    int go = ok || (n_layers >= count->min && n_layers <= count->max);
    int H = MNIST_ROWS, W = MNIST_COLS, C = 1, image = 1;
    for (int l = 0; go && l < n_layers; l++) {
        const mnist_layer_spec *s = &specs[l];
        nn_layer ly;
        memset(&ly, 0, sizeof ly);
        ly.kind = s->kind;
        ly.in = sizes[l];
        int bad = l + 1; /* the token at fault if this layer is */
        if (s->kind == MNIST_LAYER_DENSE) {
            if (l > 0 && (sizes[l] < width->min || sizes[l] > width->max) && !image) {
                nn_set_error(layer_err, code, "%s: hidden layer %d has %d units (must be %.0f..%.0f)", what, l,
                             sizes[l], width->min, width->max);
                bad = l;
                go = 0;
            }
            ly.out = sizes[l + 1];
            ly.relu = l < n_layers - 1;
            ly.n_w = (size_t)ly.in * (size_t)ly.out;
            ly.n_b = (size_t)ly.out;
            ly.work = (double)ly.n_w;
            image = 0;
        } else if (s->kind != MNIST_LAYER_CONV && s->kind != MNIST_LAYER_POOL) {
            nn_set_error(layer_err, code, "%s: layer %d is of unknown kind %d", what, l + 1, (int)s->kind);
            go = 0;
        } else if (!image) {
            nn_set_error(layer_err, code,
                         "%s: layer %d (a %s) follows a dense layer; convolutions and pools need an image", what,
                         l + 1, s->kind == MNIST_LAYER_CONV ? "convolution" : "pool");
            go = 0;
        } else if (!lay_out_image(l, s, &H, &W, &C, &ly, code, what, layer_err)) {
            go = 0;
        } else if (fill) {
            sizes[l + 1] = (int)ly.out;
        } else if (sizes[l + 1] != ly.out) {
            nn_set_error(layer_err, code, "%s: layer %d outputs %d\u00d7%d\u00d7%d = %ld values, not %d", what, l + 1,
                         H, W, C, ly.out, sizes[l + 1]);
            go = 0;
        }
        if (!go) {
            if (ok) *at = bad;
            ok = 0;
            if (bad == l) *filled = l - 1; /* the dense layer before it is the one at fault */
            break;
        }
        if (layers) layers[l] = ly;
        *filled = l + 1;
    }
    if (!ok && err && code == MNIST_E_CONFIG) snprintf(err->field, sizeof err->field, "arch");
    return ok;
}
