/* nn.h - internals shared by the core's source files (and its C tests).
 * Not part of the public API: see mnist.h for that. The core, one job a file:
 *   settings.c the settings table, setting by name, the checks   config.c the presets
 *   rules.c   the rules as JSON (settings, presets, limits)     text.c   JSON writer, numbers
 *   arch.c    the architecture: grammar, layer shapes, their checks and limits
 *   net.c     create/free, parameter buffer, accessors     error.c  mnist_error
 *   layers.c  forward/backward pairs of each layer         passes.c a chunk through them
 *   conv.c    convolution and max-pooling pairs            simd.h   4-lane vector helpers
 *   winograd.c 3x3 convolution + pool by Winograd          poolgrad.c gradients below a pool
 *   window.h  helpers shared by conv.c, winograd.c, poolgrad.c
 *   train.c   training loop                                optim.c  optimisers, schedules
 *   eval.c    evaluate, classify, predict                   teach.c  teaching a drawing
 *   idx.c     IDX files     model.c  model files     fmath.c  exp/log     rng.c  PCG32
 *   onnx.c    the network as an ONNX file (a small protobuf writer)
 *   parallel.c the thread pool (threaded WebAssembly build)
 * The files that read the rules depend on each other as a tree, never in a
 * circle: error.c and text.c need no other; arch.c needs those two;
 * settings.c needs arch.c; config.c (the presets) needs arch.c; rules.c needs
 * settings.c, config.c and arch.c; model.c needs settings.c, config.c, arch.c
 * and net.c; onnx.c needs settings.c, config.c, arch.c and net.c. */
#ifndef NN_H
#define NN_H

#include "../mnist.h"

/* Samples pushed through the layers at once: at most NN_CHUNK, fewer when
 * a network's scratch for NN_CHUNK samples would exceed NN_SCRATCH_BYTES (a
 * CNN's activations and their gradients take hundreds of KB per sample), but
 * at least NN_CHUNK_MIN (net->chunk, chosen by mnist_create). A batch larger
 * than the chunk is processed in chunks whose gradients are summed before one
 * update, which is exactly full-batch gradient descent (the sum runs in
 * sample order whatever the chunking: the same bits) with bounded scratch
 * memory. The bound matters in a browser tab, whose WebAssembly memory never
 * shrinks and holds the network twice while a tester worker runs. */
#define NN_CHUNK 256
#define NN_CHUNK_MIN 16
#define NN_SCRATCH_BYTES ((size_t)16 << 20)

/* ---- PRNG: PCG32 (O'Neill), our own so every build draws the same numbers */
typedef struct {
    uint64_t state, inc;
} nn_rng;
void nn_rng_seed(nn_rng *rng, uint64_t seed, uint64_t stream);
uint32_t nn_rng_u32(nn_rng *rng);
float nn_rng_uniform(nn_rng *rng);                /* [0, 1), 24-bit resolution */
uint32_t nn_rng_below(nn_rng *rng, uint32_t n);   /* unbiased, [0, n) */

/* ---- exp/log of our own: libm's differ between glibc and Emscripten */
float nn_expf(float x);
float nn_logf(float x);
/* cos(pi x) for 0 <= x <= 1, in double, from +, -, *, / only (libm's cos may differ). */
double nn_cospi(double x);

/* ---- layers (llm.c style: plain functions, shapes in the first comment) */
void dense_forward(float *out, const float *inp, const float *weight, const float *bias,
                   int B, int I, int O);
void dense_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                    const float *inp, const float *weight, int B, int I, int O);
/* The two halves of dense_backward, for callers that split the work. */
void dense_backward_params(float *dweight, float *dbias, const float *dout, const float *inp,
                           int B, int I, int O, int o0, int o1);
void dense_backward_input(float *dinp, const float *dout, const float *weight, int B, int I, int O);
void relu_forward(float *out, const float *inp, long N);
void relu_backward(float *dinp, const float *dout, const float *inp, long N);
void softmax_crossentropy_forward(float *probs, float *losses, const float *logits,
                                  const uint8_t *labels, int B, int C);
void softmax_crossentropy_backward(float *dlogits, const float *probs, const uint8_t *labels,
                                   int B, int C);
void pixels_to_float(float *out, const uint8_t *pixels, long N);
/* A 28x28 image moved dx columns right and dy rows down (negative: left, up),
 * zero fill: out[y][x] = pixels[y-dy][x-dx] / 255 where that is inside. */
void pixels_to_float_shifted(float *out, const uint8_t *pixels, int dx, int dy);

/* One training sample's random augmentation (mnist_hyper's shift, rotate and
 * scale), drawn by train.c. Turned by angle t and scaled by factor f about
 * the image centre (14, 14), then moved by (dx, dy): out(p) = in(p'), with
 * p' = (1/f) R(-t) (p - c - d) + c, kept as cos_f = cos(t) / f and sin_f =
 * sin(t) / f. warped = 0 (rotate and scale off): a whole-pixel shift only. */
typedef struct {
    int8_t dx, dy;
    int8_t warped;
    float cos_f, sin_f;
} nn_augment;
/* A 28x28 image augmented by *a: the shift alone as pixels_to_float_shifted,
 * else every output pixel's centre mapped back into the image and sampled
 * bilinearly between pixel centres (zero outside), in a fixed order of float
 * operations (the same bits everywhere). */
void pixels_to_float_augmented(float *out, const uint8_t *pixels, const nn_augment *a);

/* ---- convolution and max-pooling (conv.c), NHWC: sample, row, column, channel.
 * The callers split the samples [b0, b1) over threads; the weight gradient is
 * split by output channels [o0, o1), each summed over all samples in order. */
typedef struct {
    int H, W, C; /* input: H x W pixels of C channels */
    int K, pad;  /* K x K kernel, stride 1, `pad` zeros on every side */
    int O;       /* output channels; output (H+2pad-K+1) x (W+2pad-K+1) x O */
} conv_shape;
typedef struct {
    int H, W, C; /* input; output floor(H/P) x floor(W/P) x C */
    int P;       /* P x P windows, stride P */
} pool_shape;
/* Output channels rounded up to a multiple of 4: the width of conv2d_weights_t's rows. */
static inline int conv_o4(const conv_shape *s) { return (s->O + 3) & ~3; }
/* The output's rows and columns: H + 2 pad - K + 1, W + 2 pad - K + 1. */
static inline int conv_out_rows(const conv_shape *s) { return s->H + 2 * s->pad - s->K + 1; }
static inline int conv_out_cols(const conv_shape *s) { return s->W + 2 * s->pad - s->K + 1; }
void conv2d_weights_t(float *weight_t, const float *weight, const conv_shape *s);
void conv2d_forward(float *out, const float *inp, const float *weight_t, const float *bias,
                    const conv_shape *s, int rows, int cols, int b0, int b1);
void conv2d_backward_params(float *dweight, float *dbias, const float *dout, const float *inp,
                            const conv_shape *s, int B, int o0, int o1);
void conv2d_backward_input(float *dinp, const float *dout, const float *weight,
                           const conv_shape *s, int b0, int b1);
void conv2d_backward(float *dinp, float *dweight, float *dbias, const float *dout,
                     const float *inp, const float *weight, const conv_shape *s, int B);
/* A convolution's output gradient below ReLU and a max-pool, as lists
 * (conv_pool_gather): for channel o and sample b, count(o, b) entries from
 * grads_at(o, b) on, each an output pixel (y, x) and its gradient dz. */
typedef struct {
    int16_t y, x;
    int32_t at; /* (y W + x) C: where the pixel's window starts in its input sample (no padding) */
    float g;
} conv_grad;
typedef struct {
    conv_grad *at;  /* room for windows entries per channel and sample */
    int32_t *count; /* count[o * capacity + b] */
    long windows;   /* the pool's windows per sample: an entry at most each */
    int capacity;   /* samples there is room for */
    int B;          /* samples in the lists */
} conv_grads;
static inline conv_grad *grads_at(const conv_grads *g, int o, int b) {
    return g->at + ((long)o * g->capacity + b) * g->windows;
}
static inline int32_t grads_count(const conv_grads *g, int o, int b) { return g->count[(long)o * g->capacity + b]; }
void conv_pool_gather(conv_grads *g, const float *dpooled, const float *pooled, const int32_t *argmax,
                      const conv_shape *s, int b0, int b1);
void conv_pool_backward_params(float *dweight, float *dbias, const conv_grads *g, const float *inp,
                               const conv_shape *s, int o0, int o1);
void conv_pool_backward_input(float *dinp, const conv_grads *g, const float *weight, const conv_shape *s,
                              int b0, int b1);
/* Where a pool window's maximum is: row y, column x of the pool's input. */
#define NN_AT(y, x) ((int32_t)(y) << 16 | (int32_t)(x))
#define NN_AT_Y(at) ((at) >> 16)
#define NN_AT_X(at) ((at) & 0xffff)
/* conv2d_forward + ReLU + maxpool_forward for 2x2 pools, window by window. */
void conv_pool2_forward(float *out, int32_t *argmax, const float *inp, const float *weight_t, const float *bias,
                        const conv_shape *s, int b0, int b1);
/* The same for a first layer (one channel in, 4k filters: conv_scatter_fits)
 * from its nonzero pixels only, through map (the convolution's outputs' room). */
int conv_scatter_fits(const conv_shape *s);
void conv_scatter_pool2_forward(float *out, int32_t *argmax, float *map, const float *inp, const float *weight_t,
                                const float *bias, const conv_shape *s, int b0, int b1);
/* winograd.c: the same for 3x3 kernels without padding on C = 4k channels
 * (winograd_fits), from u = winograd_weights (16,C,O4): fewer products, other roundings. */
int winograd_fits(const conv_shape *s);
void winograd_weights(float *u, const float *weight, const conv_shape *s);
void winograd_pool2_forward(float *out, int32_t *argmax, const float *inp, const float *u, const float *bias,
                            const conv_shape *s, int b0, int b1);
void maxpool_forward(float *out, int32_t *argmax, const float *inp, const pool_shape *s,
                     int b0, int b1);
void maxpool_backward(float *dinp, const float *dout, const int32_t *argmax, const pool_shape *s,
                      int b0, int b1);

/* ---- the network: a sequence of layers */

/* Layer l of a network, sizes[l] -> sizes[l+1] values per sample. */
typedef struct {
    mnist_layer_kind kind;
    int relu;               /* ReLU after it (convolutions, hidden dense layers) */
    long in, out;           /* values per sample in and out (a dense layer's I, O) */
    conv_shape conv;        /* a convolution's shapes (its input H x W x C, K, pad, O) */
    int pool_after;         /* a convolution followed by a max-pool: trained from the
                               pool's winners (conv_pool_gather), the rows and
                               columns the pool drops never computed */
    int pool2;              /* pool_after with a 2x2 pool: forward window by window
                               (conv_pool2_forward, or winograd_pool2_forward when
                               winograd_fits) */
    pool_shape pool;        /* a pool's (its input H x W x C, P) */
    size_t n_w, n_b;        /* its weights and biases; views W[l], b[l] into params */
    double work;            /* multiply-adds per sample of its forward pass */
} nn_layer;

/* Checks an architecture (n_layers, sizes, specs) and lays it out in
 * layers[] (when not NULL). fill = 1: sizes[l+1] of convolutions and pools
 * are computed (the parser's case); fill = 0: they must match. 1 if valid;
 * else err gets code and one line starting with `what` (field "arch" when
 * code is MNIST_E_CONFIG). */
int nn_arch_layout(int n_layers, int *sizes, const mnist_layer_spec *specs, int fill, nn_layer *layers,
                   mnist_status code, const char *what, mnist_error *err);

/* ---- text.c: JSON text (mnist_rules_json, mnist_arch_describe,
 * mnist_config_json), like snprintf into buf[cap], len counting the whole
 * text; and numbers. */
typedef struct {
    char *buf;
    size_t cap, len;
} nn_json;
void nn_json_put(nn_json *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void nn_json_string(nn_json *o, const char *s); /* quoted and escaped */
/* A number's text ("0.1", "%.17g"'s), or null if it is no JSON number (NaN, infinity). */
void nn_json_number(nn_json *o, const char *text);
/* A decimal number (an optional sign, digits with an optional '.', an
 * optional exponent) of exactly len bytes into *out; 0 if the text is not
 * one (no spaces, "inf" or "nan"). The same bits in every build. */
int nn_read_number(const char *text, size_t len, double *out);
/* f in the fewest significant digits that nn_read_number reads back as f
 * ("0.1", "1e-08"); like snprintf. */
size_t nn_float_text(float f, char *buf, size_t cap);
/* "a, b or c" into out[cap] from the names at first, first + stride bytes,
 * ... up to a NULL (a name array: stride sizeof(char *); a table of
 * structs: &table[0].name and sizeof table[0]). */
void nn_name_list(char *out, size_t cap, const char *const *first, size_t stride);

struct mnist_net {
    int n_layers;
    int sizes[MNIST_MAX_LAYERS + 1];
    mnist_layer_spec specs[MNIST_MAX_LAYERS];
    nn_layer layer[MNIST_MAX_LAYERS];
    double work;           /* multiply-adds per sample of a forward pass */
    mnist_config config;   /* what it was created with (a model file's, when loaded);
                              config.hyper is not kept up to date: hyper is */
    mnist_hyper hyper;
    nn_rng rng;

    /* One contiguous buffer each; W[l] / b[l] / dW[l] / db[l] are views. */
    size_t n_params;
    float *params, *grads;
    float *velocity;       /* SGD's momentum buffer; Adam's first moment */
    float *moment2;        /* Adam's second moment */
    float *W[MNIST_MAX_LAYERS], *b[MNIST_MAX_LAYERS];
    float *dW[MNIST_MAX_LAYERS], *db[MNIST_MAX_LAYERS];

    /* Scratch for one chunk of up to `chunk` (<= NN_CHUNK) samples, allocated once.
     * acts[0] = X (the batch as floats); for layer l: z[l] = pre-activation
     * (logits for the last), acts[l+1] = ReLU(z[l]) or softmax probabilities.
     * dz[l] = dLoss/dz[l], da[l] = dLoss/d acts[l] (l >= 1). A pool has no
     * activation function: its z[l] is acts[l+1] and its dz[l] is da[l+1]
     * (the same memory), and argmax[l] holds its maxima's indices into acts[l]. */
    int chunk;
    float *scratch;
    int32_t *argmax_buf;
    float *acts[MNIST_MAX_LAYERS + 1], *z[MNIST_MAX_LAYERS];
    float *dz[MNIST_MAX_LAYERS], *da[MNIST_MAX_LAYERS + 1];
    int32_t *argmax[MNIST_MAX_LAYERS];
    float *weight_t[MNIST_MAX_LAYERS];      /* a convolution's weights, conv2d_weights_t */
    float *winograd[MNIST_MAX_LAYERS];      /* a pool2 layer's winograd_weights, if it fits */
    conv_grads pool_grads[MNIST_MAX_LAYERS]; /* a pool_after convolution's gradient lists */
    float *weight_t_buf;
    conv_grad *grad_list_buf;
    int32_t *grad_count_buf;
    float *losses;
    uint8_t chunk_labels[NN_CHUNK];
    const uint8_t *chunk_rows[NN_CHUNK]; /* pixel rows of the chunk being trained */
    nn_augment chunk_aug[NN_CHUNK];      /* its samples' random augmentations (hyper.shift, rotate, scale) */

    /* Training state. */
    const mnist_dataset *train;
    uint32_t *order;       /* this epoch's permutation of the training set */
    long cursor;           /* next position in order */
    long batch_start;      /* position where the current batch began */
    long epoch, iterations, samples;
    float lr_epoch;        /* learning rate for this epoch (after decay; step schedule) */
    long adam_steps;       /* t, Adam updates since the optimiser was chosen */
    long plan_start;       /* iterations when the run was planned (mnist_train_attach) */
    double plan_updates;   /* T, the updates planned from there (onecycle) */
    double batch_loss_sum; long batch_correct;
    double epoch_loss_sum; long epoch_correct;
    double last_batch_loss, last_batch_accuracy;
    int diverged;

    /* The taught examples (teach.c), oldest first; saved with the model. */
    int n_taught;
    uint8_t taught_labels[MNIST_TEACH_MAX];
    uint8_t taught_pixels[MNIST_TEACH_MAX][MNIST_PIXELS];
};

/* Forward pass of count <= net->chunk samples: rows[b] points at sample b's
 * 784 pixels (converted into acts[0] here, augmented by augs[b] when augs is
 * not NULL), or rows is NULL and acts[0] is filled already. Leaves probabilities in acts[n_layers] and per-sample
 * losses in net->losses (when labels != NULL). Threads split the samples. */
void nn_forward(mnist_net *net, const uint8_t *const *rows, const nn_augment *augs, const uint8_t *labels,
                int count);
/* Backward pass after nn_forward; adds this chunk's gradient sums into grads.
 * Threads split each layer's weight rows and its samples. */
void nn_backward(mnist_net *net, const uint8_t *labels, int count);
int nn_argmax(const float *v, int n);
/* optim.c: the optimiser's step at the end of a batch of m samples (W := W -
 * alpha dW, dW = grads / m; zeroes grads), and the schedule's learning rate
 * and momentum (SGD) or beta1 (Adam) for the next update. */
void nn_update(mnist_net *net, long m);
void nn_schedule(const mnist_net *net, float *lr, float *momentum);
/* PyTorch's OneCycleLR (defaults) at update `step` of `total`, peak max_lr. */
void nn_onecycle(double max_lr, double step, double total, float *lr, float *momentum);
/* model.c: mnist_model_save / mnist_model_size as an earlier format version
 * (1: a dense net without taught examples; 2: no taught examples; 3: with
 * some), for the tests and the fuzzers' seeds; 0 (and err) if net cannot be. */
size_t nn_model_size_as(const mnist_net *net, uint32_t version);
mnist_status nn_model_save_as(const mnist_net *net, uint32_t version, uint8_t *buf, size_t cap, mnist_error *err);
/* Whether a model file mnist_model_load accepted carries the configuration it
 * was trained with (format version 4 and later). */
int nn_model_has_config(const uint8_t *buf, size_t len);
/* error.c: fills err (if not NULL) with code and a message; no field. */
void nn_set_error(mnist_error *err, mnist_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A rejected setting: MNIST_E_CONFIG, the message, and the setting's key
 * (mnist_settings[].key) in err->field. Returns MNIST_E_CONFIG. */
mnist_status nn_reject(mnist_error *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
