/* onnx.c - a network as an ONNX model (the standard file other tools run: onnxruntime,
 * PyTorch, netron), written by a small protobuf encoder of our own: varints, length-
 * delimited fields and raw little-endian floats. docs/onnx.md says what is in the file.
 *
 * The graph (ONNX IR version 7, opset 13), one node or two per layer of the core:
 *   pixels  float32 [N,1,28,28], 0..1, white ink (1) on black (0): the core's input
 *   conv    Conv (kernel K x K, stride 1, pads from the layer) then Relu
 *   pool    MaxPool (kernel P x P, stride P: the last H mod P rows and columns dropped)
 *   dense   the first one Flatten first (axis 1); Gemm (transB = 1: W is out x in), then
 *           Relu, or for the last Softmax (axis 1) into `probabilities` float32 [N,10]
 * Layouts: the core's images are NHWC and its convolution weights O x K x K x C, ONNX's
 * NCHW and O x C x K x K, so the weights are permuted as they are written, and so are the
 * columns of the first dense layer after a convolution or pool (the core flattens an image
 * as H x W x C, Flatten as C x H x W). Nothing else changes: the same numbers come out.
 *
 * metadata_props: producer, architecture, training_settings (mnist_config_json), preset
 * (the preset whose settings they equal, if any) and test_accuracy (the caller's, if
 * known). The bytes are a function of the network and the meta alone: the CLI and the
 * page write the same file for the same model and accuracy. Needs config.c, settings.c. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nn.h"

#define ONNX_IR_VERSION 7
#define ONNX_OPSET 13
#define ONNX_FLOAT 1           /* TensorProto.DataType FLOAT */
#define ATTR_INT 2             /* AttributeProto.AttributeType */
#define ATTR_INTS 7
#define MAX_NODES (3 * MNIST_MAX_LAYERS)
#define MAX_TENSORS (2 * MNIST_MAX_LAYERS)
#define NAME 32                /* bytes of a node's, tensor's or value's name */
#define LAYER_NAME 20          /* bytes of a layer's ("conv1", "probabilities") */
#define SETTINGS_TEXT 2048     /* mnist_config_json's text: every setting, far less than this */

#define DOC "A network trained by mnist-wasm. Input `pixels`: float32 [N,1,28,28], each pixel's value " \
            "0..1 (the byte / 255), white ink (1) on black (0), as MNIST stores its images. Output " \
            "`probabilities`: float32 [N,10], the probability of each class 0..9 (softmax)."

/* ---- the protobuf encoder: buf NULL only measures ---- */

typedef struct {
    uint8_t *buf;
    size_t len;
} pb;

static void put_byte(pb *o, uint8_t b) {
    if (o->buf) o->buf[o->len] = b;
    o->len++;
}

static void put_varint(pb *o, uint64_t v) {
    for (; v >= 0x80; v >>= 7) put_byte(o, (uint8_t)(v | 0x80));
    put_byte(o, (uint8_t)v);
}

static void put_key(pb *o, unsigned field, unsigned wire) { put_varint(o, (uint64_t)field << 3 | wire); }

static void put_int(pb *o, unsigned field, int64_t v) {
    put_key(o, field, 0);
    put_varint(o, (uint64_t)v);
}

static void put_bytes(pb *o, unsigned field, const void *p, size_t n) {
    put_key(o, field, 2);
    put_varint(o, n);
    if (o->buf) memcpy(o->buf + o->len, p, n);
    o->len += n;
}

static void put_text(pb *o, unsigned field, const char *s) { put_bytes(o, field, s, strlen(s)); }

/* A nested message: its body measured, then its length and the body itself. */
typedef void (*pb_body)(pb *o, const void *arg);
static void put_message(pb *o, unsigned field, pb_body body, const void *arg) {
    pb measure = {NULL, 0};
    body(&measure, arg);
    put_key(o, field, 2);
    put_varint(o, measure.len);
    body(o, arg);
}

/* ---- the graph, planned from the network ---- */

typedef struct {
    const char *name;
    int64_t value;
    int repeat; /* 0: one INT; else INTS, value `repeat` times */
} attr;

typedef struct {
    const char *op;
    char name[NAME], out[NAME];
    const char *in[3];
    attr attrs[3];
} node;

/* An initializer: core values src in ONNX's order. conv: O x K x K x C read as O x C x K x K;
 * columns: a dense layer's rows whose columns read an H x W x C image, as C x H x W. */
typedef enum { AS_IS, CONV_OCKK, COLUMNS_CHW } reorder;
typedef struct {
    char name[NAME];
    int64_t dims[4];
    int n_dims;
    const float *src;
    reorder order;
    int h, w, c; /* COLUMNS_CHW: the image; CONV_OCKK: K, K, C */
} tensor;

typedef struct {
    node nodes[MAX_NODES];
    tensor tensors[MAX_TENSORS];
    int n_nodes, n_tensors;
    int64_t classes;
    char arch[256], settings[SETTINGS_TEXT], accuracy[32];
    const char *preset; /* NULL: none */
} plan;

typedef struct {
    const char *key, *value;
} entry;

static size_t tensor_count(const tensor *t) {
    size_t n = 1;
    for (int d = 0; d < t->n_dims; d++) n *= (size_t)t->dims[d];
    return n;
}

/* Element i (in ONNX's order) of t, from the core's order. */
static float tensor_value(const tensor *t, size_t i) {
    if (t->order == CONV_OCKK) { /* i = ((o C + c) K + y) K + x  <-  ((o K + y) K + x) C + c */
        size_t K = (size_t)t->h, C = (size_t)t->c, x = i % K, y = i / K % K, c = i / (K * K) % C, o = i / (K * K * C);
        return t->src[((o * K + y) * K + x) * C + c];
    }
    if (t->order == COLUMNS_CHW) { /* row r, column (c H + y) W + x  <-  (y W + x) C + c */
        size_t H = (size_t)t->h, W = (size_t)t->w, C = (size_t)t->c, in = H * W * C;
        size_t r = i / in, j = i % in, x = j % W, y = j / W % H, c = j / (W * H);
        return t->src[r * in + (y * W + x) * C + c];
    }
    return t->src[i];
}

static node *add_node(plan *p, const char *op, const char *name, const char *in) {
    node *n = &p->nodes[p->n_nodes++];
    memset(n, 0, sizeof *n);
    n->op = op;
    snprintf(n->name, sizeof n->name, "%s", name);
    snprintf(n->out, sizeof n->out, "%s", name);
    n->in[0] = in;
    return n;
}

static tensor *add_tensor(plan *p, const char *layer, const char *what, const float *src, reorder order) {
    tensor *t = &p->tensors[p->n_tensors++];
    memset(t, 0, sizeof *t);
    snprintf(t->name, sizeof t->name, "%s.%s", layer, what);
    t->src = src;
    t->order = order;
    return t;
}

/* The preset whose settings are cfg's (every one, the seed too), or NULL. */
static const char *preset_of(const mnist_config *cfg) {
    char mine[SETTINGS_TEXT], theirs[SETTINGS_TEXT];
    if (mnist_config_lines(cfg, mine, sizeof mine) >= sizeof mine) return NULL;
    for (const mnist_preset_def *d = mnist_presets; d->name; d++) {
        mnist_config c;
        if (mnist_preset(d->name, &c, NULL) != MNIST_OK) continue;
        if (mnist_config_lines(&c, theirs, sizeof theirs) < sizeof theirs && strcmp(mine, theirs) == 0) return d->name;
    }
    return NULL;
}

/* The graph and metadata of net into *p; an error if meta's accuracy is no fraction. */
static mnist_status make_plan(const mnist_net *net, const mnist_onnx_meta *meta, plan *p, mnist_error *err) {
    double accuracy = meta ? meta->test_accuracy : -1;
    if (!(accuracy <= 1)) { /* (NaN too) */
        nn_set_error(err, MNIST_E_CONFIG, "test accuracy %g is not a fraction from 0 to 1 (negative: unknown)", accuracy);
        return MNIST_E_CONFIG;
    }
    memset(p, 0, sizeof *p);
    mnist_config cfg = mnist_get_config(net);
    mnist_arch_format(net->n_layers, net->sizes, net->specs, p->arch, sizeof p->arch);
    if (mnist_config_json(&cfg, p->settings, sizeof p->settings) >= sizeof p->settings) {
        nn_set_error(err, MNIST_E_STATE, "the settings' text is longer than %d bytes", SETTINGS_TEXT);
        return MNIST_E_STATE;
    }
    p->preset = preset_of(&cfg);
    if (accuracy >= 0) snprintf(p->accuracy, sizeof p->accuracy, "%.6g", accuracy);
    p->classes = net->sizes[net->n_layers];

    const char *value = "pixels";
    int h = MNIST_ROWS, w = MNIST_COLS, c = 1, image = 1;
    char name[LAYER_NAME];
    for (int l = 0; l < net->n_layers; l++) {
        const nn_layer *ly = &net->layer[l];
        int last = l == net->n_layers - 1;
        node *n;
        if (ly->kind == MNIST_LAYER_CONV) {
            const conv_shape *s = &ly->conv;
            snprintf(name, sizeof name, "conv%d", l + 1);
            n = add_node(p, "Conv", name, value);
            tensor *W = add_tensor(p, name, "weight", net->W[l], CONV_OCKK), *b = add_tensor(p, name, "bias", net->b[l], AS_IS);
            W->n_dims = 4, W->dims[0] = s->O, W->dims[1] = s->C, W->dims[2] = W->dims[3] = s->K;
            W->h = W->w = s->K, W->c = s->C;
            b->n_dims = 1, b->dims[0] = s->O;
            n->in[1] = W->name, n->in[2] = b->name;
            n->attrs[0] = (attr){"kernel_shape", s->K, 2};
            n->attrs[1] = (attr){"pads", s->pad, 4};
            n->attrs[2] = (attr){"strides", 1, 2};
            value = n->out;
            snprintf(name, sizeof name, "relu%d", l + 1);
            value = add_node(p, "Relu", name, value)->out;
            h = conv_out_rows(s), w = conv_out_cols(s), c = s->O;
        } else if (ly->kind == MNIST_LAYER_POOL) {
            snprintf(name, sizeof name, "pool%d", l + 1);
            n = add_node(p, "MaxPool", name, value);
            n->attrs[0] = (attr){"kernel_shape", ly->pool.P, 2};
            n->attrs[1] = (attr){"strides", ly->pool.P, 2};
            value = n->out;
            h /= ly->pool.P, w /= ly->pool.P;
        } else {
            if (image) {
                value = add_node(p, "Flatten", "flatten", value)->out;
                p->nodes[p->n_nodes - 1].attrs[0] = (attr){"axis", 1, 0};
            }
            snprintf(name, sizeof name, "dense%d", l + 1);
            n = add_node(p, "Gemm", name, value);
            tensor *W = add_tensor(p, name, "weight", net->W[l], image && c > 1 ? COLUMNS_CHW : AS_IS);
            tensor *b = add_tensor(p, name, "bias", net->b[l], AS_IS);
            W->n_dims = 2, W->dims[0] = ly->out, W->dims[1] = ly->in;
            W->h = h, W->w = w, W->c = c;
            b->n_dims = 1, b->dims[0] = ly->out;
            n->in[1] = W->name, n->in[2] = b->name;
            n->attrs[0] = (attr){"transB", 1, 0};
            image = 0;
            snprintf(name, sizeof name, last ? "probabilities" : "relu%d", l + 1);
            n = add_node(p, last ? "Softmax" : "Relu", name, n->out);
            if (last) n->attrs[0] = (attr){"axis", 1, 0};
            value = n->out;
        }
    }
    return MNIST_OK;
}

/* ---- the messages (onnx.proto's field numbers) ---- */

static void attr_body(pb *o, const void *arg) {
    const attr *a = arg;
    put_text(o, 1, a->name);
    if (a->repeat == 0) {
        put_int(o, 3, a->value);
        put_int(o, 20, ATTR_INT);
    } else {
        for (int k = 0; k < a->repeat; k++) put_int(o, 8, a->value);
        put_int(o, 20, ATTR_INTS);
    }
}

static void node_body(pb *o, const void *arg) {
    const node *n = arg;
    for (int k = 0; k < 3 && n->in[k]; k++) put_text(o, 1, n->in[k]);
    put_text(o, 2, n->out);
    put_text(o, 3, n->name);
    put_text(o, 4, n->op);
    for (int k = 0; k < 3 && n->attrs[k].name; k++) put_message(o, 5, attr_body, &n->attrs[k]);
}

static void tensor_body(pb *o, const void *arg) {
    const tensor *t = arg;
    for (int d = 0; d < t->n_dims; d++) put_int(o, 1, t->dims[d]);
    put_int(o, 2, ONNX_FLOAT);
    put_text(o, 8, t->name);
    size_t n = tensor_count(t);
    put_key(o, 9, 2);
    put_varint(o, 4 * n);
    for (size_t i = 0; i < n; i++) { /* raw_data: IEEE-754 little-endian */
        float v = tensor_value(t, i);
        uint32_t bits;
        memcpy(&bits, &v, 4);
        for (int k = 0; k < 4; k++) put_byte(o, (uint8_t)(bits >> 8 * k));
    }
}

/* A value's type: float32 [N, dims...] with N symbolic ("N"). */
typedef struct {
    const char *name;
    const int64_t *dims;
    int n_dims;
} value_info;

static void dim_body(pb *o, const void *arg) {
    const int64_t *d = arg;
    if (*d < 0) put_text(o, 2, "N");
    else put_int(o, 1, *d);
}

static void shape_body(pb *o, const void *arg) {
    const value_info *v = arg;
    const int64_t batch = -1;
    put_message(o, 1, dim_body, &batch);
    for (int d = 0; d < v->n_dims; d++) put_message(o, 1, dim_body, &v->dims[d]);
}

static void tensor_type_body(pb *o, const void *arg) {
    put_int(o, 1, ONNX_FLOAT);
    put_message(o, 2, shape_body, arg);
}

static void type_body(pb *o, const void *arg) { put_message(o, 1, tensor_type_body, arg); }

static void value_info_body(pb *o, const void *arg) {
    const value_info *v = arg;
    put_text(o, 1, v->name);
    put_message(o, 2, type_body, v);
}

static void graph_body(pb *o, const void *arg) {
    const plan *p = arg;
    for (int k = 0; k < p->n_nodes; k++) put_message(o, 1, node_body, &p->nodes[k]);
    put_text(o, 2, "mnist");
    for (int k = 0; k < p->n_tensors; k++) put_message(o, 5, tensor_body, &p->tensors[k]);
    const int64_t image[3] = {1, MNIST_ROWS, MNIST_COLS};
    value_info in = {"pixels", image, 3}, out = {"probabilities", &p->classes, 1};
    put_message(o, 11, value_info_body, &in);
    put_message(o, 12, value_info_body, &out);
}

static void opset_body(pb *o, const void *arg) {
    (void)arg;
    put_text(o, 1, "");
    put_int(o, 2, ONNX_OPSET);
}

static void entry_body(pb *o, const void *arg) {
    const entry *e = arg;
    put_text(o, 1, e->key);
    put_text(o, 2, e->value);
}

static void model_body(pb *o, const void *arg) {
    const plan *p = arg;
    put_int(o, 1, ONNX_IR_VERSION);
    put_text(o, 2, "mnist-wasm");
    put_text(o, 6, DOC);
    put_message(o, 7, graph_body, p);
    put_message(o, 8, opset_body, NULL);
    const entry props[] = {{"producer", "mnist-wasm"}, {"architecture", p->arch}, {"training_settings", p->settings},
                           {"preset", p->preset}, {"test_accuracy", p->accuracy[0] ? p->accuracy : NULL}};
    for (size_t k = 0; k < sizeof props / sizeof props[0]; k++)
        if (props[k].value) put_message(o, 14, entry_body, &props[k]);
}

size_t mnist_onnx_size(const mnist_net *net, const mnist_onnx_meta *meta) {
    plan p;
    if (make_plan(net, meta, &p, NULL) != MNIST_OK) return 0;
    pb o = {NULL, 0};
    model_body(&o, &p);
    return o.len;
}

mnist_status mnist_onnx_save(const mnist_net *net, const mnist_onnx_meta *meta, uint8_t *buf, size_t cap,
                             mnist_error *err) {
    plan p;
    mnist_status st = make_plan(net, meta, &p, err);
    if (st != MNIST_OK) return st;
    pb o = {NULL, 0};
    model_body(&o, &p);
    if (!buf || cap < o.len) {
        nn_set_error(err, MNIST_E_STATE, "ONNX buffer of %zu bytes is smaller than the %zu needed", buf ? cap : 0, o.len);
        return MNIST_E_STATE;
    }
    o = (pb){buf, 0};
    model_body(&o, &p);
    return MNIST_OK;
}
