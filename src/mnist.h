/* mnist.h - neural networks (dense or convolutional) that learn 28x28 digit images.
 *
 * The whole public API. No I/O: everything goes in and out as memory
 * buffers, so the native CLI and the WebAssembly entry points share it.
 *
 *   mnist_config cfg;  mnist_preset("default", &cfg);
 *   mnist_dataset train, test;               // from mnist_dataset_parse()
 *   mnist_net *net = mnist_create(&cfg, &err);
 *   mnist_train_attach(net, &train);
 *   while (net still has epochs to go) {
 *       mnist_progress p;  mnist_train(net, 4096, &p);   // one slice
 *       if (p.epoch_ended) { mnist_eval e = {0}; mnist_evaluate(net, &test, 0, test.count, &e); }
 *   }
 *   mnist_predict(net, pixels, probs);  mnist_model_save(...);  mnist_free(net);
 *
 * Errors: functions that can fail return an mnist_status (0 = MNIST_OK) and
 * fill an mnist_error with the same code and a one-line message that names
 * the input and what is wrong (and, for a rejected setting, its key). A
 * failed call leaves its outputs untouched.
 *
 * Rules: the presets live in one table (src/core/config.c), every setting's
 * key, words, help text and range in another (mnist_settings,
 * src/core/settings.c); the checks, setting by name, the CLI's flags and
 * help, the model file's configuration and mnist_rules_json() (the page's
 * copy) are all read from them.
 *
 * Determinism: the same config (seed included) and the same data give
 * bit-identical parameters on every run and in every build (native and
 * WASM), because the core uses its own PRNG and exp/log, and every sum is
 * taken in an order fixed by the code. A net is not thread-safe.
 */
#ifndef MNIST_H
#define MNIST_H

#include <stddef.h>
#include <stdint.h>

#define MNIST_ROWS 28
#define MNIST_COLS 28
#define MNIST_PIXELS 784         /* input width of every network */
#define MNIST_CLASSES 10         /* output width of every network */
#define MNIST_MAX_LAYERS 8       /* layers after the input (convolutions, pools, dense) */
#define MNIST_MAX_WIDTH 4096     /* widest hidden layer accepted */
#define MNIST_MAX_BATCH 1000000  /* batch sizes above the set size mean "full batch" */
#define MNIST_MAX_CHANNELS 64    /* most filters of a convolution */
#define MNIST_MAX_FILE_BYTES (256u << 20) /* the largest data or model file read (decompressed):
                                             the CLI's and the page's worker's bound (rules) */
#define MNIST_MAX_TEXT 255       /* bytes of a setting given as text (mnist_config_set; rules
                                    maxText: the worker refuses a longer one before copying it in) */
/* (the settings' and structure's limits are built from these four) */

typedef enum {
    MNIST_OK = 0,
    MNIST_E_NOMEM,          /* allocation failed */
    MNIST_E_CONFIG,         /* architecture or hyperparameter out of range */
    MNIST_E_IDX_SHORT,      /* IDX buffer shorter than its header */
    MNIST_E_IDX_MAGIC,      /* not 2051 (images) / 2049 (labels) */
    MNIST_E_IDX_DIMS,       /* images are not 28x28, or count is zero */
    MNIST_E_IDX_LENGTH,     /* byte length does not match the header */
    MNIST_E_IDX_LABEL,      /* a label outside 0..9 */
    MNIST_E_IDX_COUNT,      /* image and label counts differ */
    MNIST_E_MODEL_SHORT,    /* model file truncated */
    MNIST_E_MODEL_MAGIC,    /* not a model file */
    MNIST_E_MODEL_VERSION,  /* unknown format version */
    MNIST_E_MODEL_ARCH,     /* layer sizes invalid or not 784-...-10 */
    MNIST_E_MODEL_LENGTH,   /* length does not match the layer sizes */
    MNIST_E_MODEL_CHECKSUM, /* CRC-32 mismatch: corrupt file */
    MNIST_E_MODEL_VALUE,    /* a parameter is NaN or infinite */
    MNIST_E_STATE           /* call out of order (e.g. train with no data) */
} mnist_status;

typedef struct {
    mnist_status code;
    char message[256];
    char field[16];   /* key of the rejected setting ("lr", "batch", "arch", ...); "" if none */
} mnist_error;

/* ---- configuration ------------------------------------------------------ */

typedef enum { MNIST_INIT_HE = 0, MNIST_INIT_SEED = 1 } mnist_init;

/* The optimiser, applied at the end of each batch to dW = (summed gradient) / m
 * plus L2 weight decay on the weights (not the biases), for both:
 *   sgd:  v := mu v + dW;  W := W - alpha v            (mu = 0: plain W := W - alpha dW)
 *   adam: m := b1 m + (1 - b1) dW;  v := b2 v + (1 - b2) dW^2  (t-th Adam update)
 *         W := W - alpha (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * Weight decay is added to the gradient (L2, as PyTorch's Adam(weight_decay)),
 * not decoupled (AdamW). Changing the optimiser between slices zeroes its
 * state (momentum, moments, t). */
typedef enum { MNIST_OPT_SGD = 0, MNIST_OPT_ADAM = 1 } mnist_optimizer;

/* The learning-rate schedule:
 *   step:     alpha = learning_rate, multiplied by lr_decay after each epoch;
 *             momentum (SGD) or beta1 (Adam) as configured.
 *   onecycle: PyTorch's OneCycleLR at its defaults over the planned run of T
 *             updates, with learning_rate as the peak: alpha rises from
 *             peak/25 at update 0 to the peak at update 0.3 T - 1, then falls
 *             to peak/25/10^4 at update T - 1, both halves cosine-shaped;
 *             momentum (SGD) or beta1 (Adam) moves the other way, 0.95 ->
 *             0.85 -> 0.95 (the configured momentum / beta1 are not used);
 *             lr_decay is not used.
 * The plan T is fixed when the training set is attached (mnist_train_attach):
 * the updates left to reach `epochs` (ceil(count / batch) per epoch) or
 * `iterations`, whichever comes first. Changing epochs, iterations or the
 * batch size later does not re-plan: updates beyond T keep the final rate.
 * Changing learning_rate later rescales the rest of the cycle. */
typedef enum { MNIST_SCHEDULE_STEP = 0, MNIST_SCHEDULE_ONECYCLE = 1 } mnist_schedule;

/* Training hyperparameters; may change between calls to mnist_train. */
typedef struct {
    long batch_size;      /* 1..MNIST_MAX_BATCH; >= training set = full batch */
    float learning_rate;  /* alpha, > 0 (onecycle: the peak) */
    float momentum;       /* SGD: 0 (plain SGD) .. < 1 */
    float weight_decay;   /* L2 coefficient, >= 0 */
    float lr_decay;       /* step: alpha is multiplied by this after each epoch, (0, 1] */
    long epochs, iterations; /* run length, for callers: stop at whichever comes first;
                                0 = no limit of that kind (not both) */
    mnist_optimizer optimizer;
    mnist_schedule schedule;
    float beta1, beta2;   /* Adam's moment decay rates, [0, 1) */
    float eps;            /* Adam's epsilon, (0, 1] */
    long shift;           /* augmentation: each training sample moved by a random whole
                             (dx, dy) in [-shift, shift] pixels, zero fill; 0 = off (no
                             PRNG draw), 0..4; evaluation and prediction never shift */
    float rotate;         /* augmentation: each training sample turned about the image's
                             centre by a random angle in [-rotate, rotate] degrees, 0..45 */
    float scale;          /* augmentation: ... and scaled about the centre by a random
                             factor in [1 - scale, 1 + scale], 0..0.5. With either on, a
                             sample is resampled bilinearly (zero outside the image) after
                             the turn, the scaling and the shift; with both 0 nothing is
                             drawn and shifts stay whole-pixel copies */
} mnist_hyper;

/* What the presets use for the fields they do not set (SGD, step schedule,
 * Adam's usual 0.9 / 0.999 / 1e-8): designated initialisers, e.g.
 * mnist_hyper h = {MNIST_HYPER_DEFAULTS, .batch_size = 64, ...}. */
#define MNIST_HYPER_DEFAULTS \
    .optimizer = MNIST_OPT_SGD, .schedule = MNIST_SCHEDULE_STEP, .beta1 = 0.9f, .beta2 = 0.999f, .eps = 1e-8f

/* A layer of the network (mnist_config.layers): all zeros is a dense layer.
 * Images are NHWC (row, column, channel; channels contiguous), 28x28x1 in.
 *   conv  `channels` filters of kernel x kernel, stride 1, `pad` zeros on every
 *         side, then ReLU: H x W x C -> (H+2pad-K+1) x (W+2pad-K+1) x channels
 *   pool  max-pooling over kernel x kernel windows, stride kernel (the last
 *         H mod P rows and columns dropped): H x W x C -> H/P x W/P x C
 *   dense sizes[l+1] units (ReLU after hidden ones; the last is softmax over 10),
 *         reading the layer below flattened (an image's H*W*C values in NHWC order) */
typedef enum { MNIST_LAYER_DENSE = 0, MNIST_LAYER_CONV = 1, MNIST_LAYER_POOL = 2 } mnist_layer_kind;
typedef struct {
    mnist_layer_kind kind;
    int channels;  /* conv: output channels (filters) */
    int kernel;    /* conv: K (K x K); pool: P (P x P windows, stride P) */
    int pad;       /* conv: zeros on every side, 0..K-1 */
} mnist_layer_spec;

typedef struct {
    int n_layers;                      /* layers after the input, 1..MNIST_MAX_LAYERS */
    int sizes[MNIST_MAX_LAYERS + 1];   /* values each layer outputs per sample: 784, ..., 10
                                          (a convolution's or pool's is its H*W*C) */
    mnist_layer_spec layers[MNIST_MAX_LAYERS]; /* layer l's kind (sizes[l] -> sizes[l+1]) */
    mnist_init init;                   /* He-uniform, or the notebook's U(-0.5, 0.5) */
    uint64_t seed;                     /* drives init and shuffling */
    mnist_hyper hyper;
} mnist_config;

/* The presets, in display order; the entry after the last has name NULL.
 * "seed" is the notebook (784-10-10, full-batch gradient descent, alpha 0.10,
 * U(-0.5,0.5) init, 500 updates), "default" 784-128-10 with momentum, "wide"
 * 784-256-128-10, "cnn" and "cnn-best" convolutional networks. */
typedef struct {
    const char *name, *description;
    const char *expect;   /* one line for the page's preset list: accuracy and time in the page,
                             measured on the 2-core development machine */
    const char *arch;     /* the architecture as mnist_parse_arch reads it */
    mnist_config config;  /* the rest: n_layers, sizes and layers come from arch */
    double target;        /* the test accuracy (0..1) the preset is known to reach, which the page
                             watches for and reports when it is first seen; 0: none named */
} mnist_preset_def;
extern const mnist_preset_def mnist_presets[];

/* ---- settings by name ------------------------------------------------------ */

/* What a setting's value is. WHOLE (a long in mnist_config), NUMBER (a float),
 * SEED (the uint64_t seed; a whole number) are numbers in [min, max] (either
 * end excluded when min_exclusive / max_exclusive); CHOICE is one of the
 * names in `choices` (an enum in mnist_config, its value the name's index);
 * ARCH is the architecture text (mnist_parse_arch: n_layers, sizes, layers). */
typedef enum { MNIST_KIND_WHOLE, MNIST_KIND_NUMBER, MNIST_KIND_CHOICE, MNIST_KIND_ARCH, MNIST_KIND_SEED } mnist_kind;

/* One row of the settings table (src/core/settings.c): the only home of a
 * setting's key, words, help text and range. Everything else is generated
 * from the table: the checks (mnist_config_check), setting by name
 * (mnist_config_set), the page's rules (mnist_rules_json "settings"), the
 * CLI's flags and --help (--weight-decay for "weightDecay") and the
 * configuration a model file carries. A setting's value in each preset is
 * its field in the preset's mnist_config (src/core/config.c). */
typedef struct {
    const char *key;    /* camelCase: the config key, mnist_error.field, the rules' key */
    const char *words;  /* as messages say it ("weight decay") */
    const char *help;   /* one line for a reader (the CLI's --help, the page) */
    mnist_kind kind;
    const char *group;  /* where a form shows it: "network", "training" or "augmentation" */
    int hyper;          /* a running network may change it (mnist_set_hyper); the
                           others need a new network */
    double min, max;    /* the numbers' range */
    int min_exclusive, max_exclusive;
    const char *const *choices; /* CHOICE: the names, NULL-ended; index = the value */
    size_t offset;      /* where the value is in mnist_config (not for ARCH) */
} mnist_setting;
/* The table, in the order a form shows them; the row after the last has key NULL. */
extern const mnist_setting mnist_settings[];

/* The row of `key`, NULL if there is none. */
const mnist_setting *mnist_setting_find(const char *key);
/* Checks one value against a numeric setting's range: a number, in range,
 * whole if it must be; MNIST_E_CONFIG naming the setting. */
mnist_status mnist_setting_check(const mnist_setting *s, double value, mnist_error *err);
/* Sets one setting of cfg by its key from text: a number ("0.05", "1e-8"),
 * a choice's name ("adam") or an architecture ("784-128-10"); len bytes, no
 * NUL needed (an embedded NUL is refused). Numbers are read by the core's
 * own reader (the same bits in every build). Checks the value (its range,
 * its name, its layers); MNIST_E_CONFIG naming the key for an unknown key
 * or a bad value, and cfg is untouched. Rules between settings (epochs or
 * iterations above 0) are mnist_config_check's. */
mnist_status mnist_config_set(mnist_config *cfg, const char *key, const char *text, size_t len, mnist_error *err);
/* The same for a number (a whole number for WHOLE and SEED settings);
 * refused for CHOICE and ARCH settings. */
mnist_status mnist_config_set_number(mnist_config *cfg, const char *key, double value, mnist_error *err);
/* A setting's value in cfg as text (what mnist_config_set reads back to the
 * same bits: a float in the fewest digits that do). Writes at most cap bytes
 * (NUL included); returns the whole text's length, like snprintf. */
size_t mnist_config_get(const mnist_config *cfg, const mnist_setting *s, char *buf, size_t cap);
/* Every setting of cfg as "key=value\n" lines in table order (what a model
 * file carries), or as one JSON object {"arch":"784-128-10","init":"he",...}
 * (numbers as numbers). Like snprintf. */
size_t mnist_config_lines(const mnist_config *cfg, char *buf, size_t cap);
size_t mnist_config_json(const mnist_config *cfg, char *buf, size_t cap);

/* The limits of an architecture's structure (the layers, their widths, a
 * convolution's filters): whole numbers, checked by mnist_parse_arch. */
typedef enum { MNIST_LIMIT_LAYERS, MNIST_LIMIT_WIDTH, MNIST_LIMIT_CHANNELS, MNIST_N_LIMITS } mnist_limit_id;
typedef struct {
    const char *key;    /* "layers", "width", "channels" */
    const char *words;  /* "weight layers", "hidden units", "filters" */
    double min, max;
} mnist_limit;
extern const mnist_limit mnist_limits[MNIST_N_LIMITS];

/* Fills cfg from a preset by name; MNIST_E_CONFIG for an unknown name. */
mnist_status mnist_preset(const char *name, mnist_config *cfg, mnist_error *err);
/* "he" / "seed" <-> mnist_init. */
mnist_status mnist_parse_init(const char *name, mnist_init *init, mnist_error *err);
const char *mnist_init_name(mnist_init init);
/* "sgd" / "adam" and "step" / "onecycle" likewise (field "optimizer", "schedule"). */
mnist_status mnist_parse_optimizer(const char *name, mnist_optimizer *opt, mnist_error *err);
const char *mnist_optimizer_name(mnist_optimizer opt);
mnist_status mnist_parse_schedule(const char *name, mnist_schedule *schedule, mnist_error *err);
const char *mnist_schedule_name(mnist_schedule schedule);
/* Parses an architecture into cfg->n_layers / sizes / layers (the rest of cfg
 * is neither read nor checked). The grammar:
 * layers joined by '-', the input 784 first (a 28x28x1 image), then any of
 *   N        a dense layer of N units (ReLU after it unless it is the last)
 *   cNkK     a convolution of N filters K x K, stride 1, ReLU after it;
 *   cNkKpadP the same with P zeros of padding on every side
 *   pP       P x P max-pooling, stride P
 * and the last a dense layer of 10 (softmax). Convolutions and pools need an
 * image: they come before the first dense layer. "784-128-10" is a dense
 * network, "784-c16k3-p2-c32k3-p2-64-10" a convolutional one. A rejected
 * text gets one line, field "arch", saying where it breaks. */
mnist_status mnist_parse_arch(const char *text, mnist_config *cfg, mnist_error *err);
/* The architecture as text ("784-c16k3-p2-64-10"; the parser's grammar).
 * Writes at most cap bytes (NUL included); returns the whole text's length. */
size_t mnist_arch_format(int n_layers, const int *sizes, const mnist_layer_spec *layers, char *buf, size_t cap);
/* An architecture text described as JSON for a reader (the page's layer
 * list), with the parser's checks and messages:
 *   {"ok":true, "tokens":["784","c16k3",...,"10"], "params":total,
 *    "layers":[{"kind":"input","h":28,"w":28,"c":1,"size":784,"params":0},
 *              {"kind":"conv","filters":16,"kernel":3,"pad":0,"h":26,"w":26,"c":16,"size":10816,
 *               "params":160,"activation":"relu"},
 *              {"kind":"pool","kernel":2,"h":13,"w":13,"c":16,"size":2704,"params":0,"activation":"none"},
 *              {"kind":"dense","size":10,"params":27050,"activation":"softmax"}, ...]}
 * one layer per token (the input first); a text the parser rejects gives
 * "ok":false, "at": the index of the token where it breaks (the token
 * count if one is missing), "message": mnist_parse_arch's sentence, and the
 * layers before that token. Writes at most cap bytes (NUL included) and
 * returns the length of the whole text, like snprintf. */
size_t mnist_arch_describe(const char *text, char *buf, size_t cap);
/* Checks every setting of cfg (every row of mnist_settings) / of hyper (the
 * rows with `hyper`), then the rules between them (epochs or iterations above
 * 0); MNIST_E_CONFIG naming the first bad one. */
mnist_status mnist_config_check(const mnist_config *cfg, mnist_error *err);
mnist_status mnist_hyper_check(const mnist_hyper *hyper, mnist_error *err);
/* The settings, presets, limits and initialisations as one JSON object (format:
 * src/core/rules.c). Writes at most cap bytes (NUL included) and returns the
 * length of the whole text, like snprintf. */
size_t mnist_rules_json(char *buf, size_t cap);

/* ---- data ---------------------------------------------------------------- */

/* Parsers of bytes from outside (the two below, mnist_model_load and
 * mnist_parse_arch / mnist_arch_describe) are fuzzed: each has a libFuzzer
 * harness in fuzz/ (make fuzz). A parser added here gets its harness in the
 * same change (fuzz/README.md). */

/* A labelled set of images, pointing into caller-owned IDX buffers. */
typedef struct {
    const uint8_t *pixels;   /* count x 784, row-major, 0..255 */
    const uint8_t *labels;   /* count, 0..9 */
    long count;
} mnist_dataset;

/* Validates an IDX image file (magic 2051, 28x28) and an IDX label file
 * (magic 2049, labels 0..9) held in memory, and that their counts agree.
 * The names (e.g. file names) appear in error messages. Never reads outside
 * the buffers. */
mnist_status mnist_dataset_parse(const uint8_t *images, size_t images_len, const char *images_name,
                                 const uint8_t *labels, size_t labels_len, const char *labels_name,
                                 mnist_dataset *out, mnist_error *err);
/* Validates an IDX image file alone (for prediction): *pixels and *count. */
mnist_status mnist_idx_images(const uint8_t *buf, size_t len, const char *name,
                              const uint8_t **pixels, long *count, mnist_error *err);

/* ---- the network ---------------------------------------------------------- */

typedef struct mnist_net mnist_net;

/* Allocates and initialises a network (all memory it will ever need for
 * training and evaluation, except the shuffle order made by
 * mnist_train_attach). NULL on error. */
mnist_net *mnist_create(const mnist_config *cfg, mnist_error *err);
void mnist_free(mnist_net *net);

int mnist_layers(const mnist_net *net);             /* layers after the input */
/* n_layers + 1 counts: the values each layer outputs per sample (784 first;
 * a dense layer's units; a convolution's or pool's H*W*C). */
const int *mnist_sizes(const mnist_net *net);
/* n_layers kinds and shapes (mnist_layer_spec; all dense for a dense net). */
const mnist_layer_spec *mnist_layer_specs(const mnist_net *net);
size_t mnist_param_count(const mnist_net *net);
/* All parameters, one contiguous buffer: for each layer l in order, a dense
 * layer's W[l] (sizes[l+1] rows x sizes[l] columns, row-major) then b[l]
 * (sizes[l+1]); a convolution's weights (O x K x K x C: per filter, its
 * rows, columns, input channels) then its O biases; a pool has none. Writable. */
float *mnist_params(mnist_net *net);
mnist_hyper mnist_get_hyper(const mnist_net *net);
/* The configuration the network was created with (or, for a loaded model,
 * the one its file carries: how it was trained), with the hyperparameters
 * now in force. */
mnist_config mnist_get_config(const mnist_net *net);
mnist_status mnist_set_hyper(mnist_net *net, const mnist_hyper *hyper, mnist_error *err);

/* ---- training -------------------------------------------------------------- */

typedef struct {
    long epoch;            /* completed epochs */
    long iterations;       /* completed parameter updates (batches) */
    long samples;          /* samples trained on, in total */
    long epoch_samples;    /* samples seen in the current (or just ended) epoch */
    double epoch_loss;     /* mean cross-entropy over epoch_samples (before each update) */
    double epoch_accuracy; /* fraction of epoch_samples classified right */
    double batch_loss;     /* mean loss of the last completed batch */
    double batch_accuracy;
    int batch_ended;       /* this call completed at least one batch */
    int epoch_ended;       /* this call completed an epoch (and returned there) */
    int diverged;          /* the loss became NaN/Inf: stop training */
    float learning_rate;   /* the rate of the next update (after per-epoch decay, or
                              where the one-cycle schedule has got to) */
} mnist_progress;

/* Trains on `train` (kept by pointer, not copied; must outlive its use).
 * Allocates the shuffle order and starts epoch 0. */
mnist_status mnist_train_attach(mnist_net *net, const mnist_dataset *train, mnist_error *err);
/* Trains on at most max_samples samples (a slice: may end mid-batch; the
 * gradient is accumulated and the update applied when the batch completes),
 * and returns early at the end of an epoch. No allocation. */
mnist_status mnist_train(mnist_net *net, long max_samples, mnist_progress *progress, mnist_error *err);
/* The learning rate the next update will use (as progress->learning_rate). */
float mnist_learning_rate(const mnist_net *net);

/* ---- evaluation and prediction ------------------------------------------------ */

typedef struct {
    long count, correct;
    double loss_sum;                             /* sum of cross-entropy */
    long confusion[MNIST_CLASSES][MNIST_CLASSES]; /* [true label][predicted] */
    /* Optional (NULL: not wanted), ds->count long: each image's predicted class
     * and its probability, at the image's index in ds, as mnist_classify gives
     * them, from the same pass (a gallery of mistakes needs no second one). */
    uint8_t *predicted;
    float *confidence;
} mnist_eval;

/* Adds images first..first+count-1 of ds to *acc (zero it first, then set
 * its predicted/confidence if wanted; call in slices if you like). */
mnist_status mnist_evaluate(mnist_net *net, const mnist_dataset *ds, long first, long count,
                            mnist_eval *acc, mnist_error *err);
/* Probabilities of the 10 classes for one image; returns the arg max. */
int mnist_predict(mnist_net *net, const uint8_t pixels[MNIST_PIXELS], float probs[MNIST_CLASSES]);
/* Same for an image already scaled to 0..1 (e.g. drawn on a canvas). */
int mnist_predict_float(mnist_net *net, const float image[MNIST_PIXELS], float probs[MNIST_CLASSES]);
/* After mnist_predict*: the outputs of layer l (1..n_layers; sizes[l] values)
 * for that image: ReLU activations of hidden layers, then the probabilities.
 * A convolution's are its post-ReLU output, a pool's the pooled image, both
 * H x W x C in NHWC order (channels contiguous).
 * Valid until the next call that trains, evaluates or predicts. */
const float *mnist_activations(const mnist_net *net, int layer);
/* The predicted class and its probability for images first..first+count-1
 * of ds (in batches, like mnist_evaluate). */
mnist_status mnist_classify(mnist_net *net, const mnist_dataset *ds, long first, long count,
                            uint8_t *predicted, float *confidence, mnist_error *err);

/* ---- teaching: the user's own handwriting (src/core/teach.c) --------------------------- */

/* Examples a network keeps; teaching one more drops the oldest. */
#define MNIST_TEACH_MAX 100

typedef struct {
    int steps;                  /* optimizer steps taken */
    int predicted;              /* the drawing's class after them */
    float probs[MNIST_CLASSES]; /* its probabilities (as mnist_predict_float) */
    int taught;                 /* examples the network keeps now */
} mnist_teach_result;

/* Teaches the network that `image` (784 floats in 0..1, e.g. a drawing) is
 * `label`: the drawing, quantised to bytes (round(v * 255)), joins the
 * network's taught examples (the same pixels taught again replace the
 * earlier label; at MNIST_TEACH_MAX the oldest is dropped), then a few plain
 * SGD steps at a small fixed rate train on batches that mix it (and small
 * random shifts of it), the other taught examples and random images of `mix`
 * (the training set: so that the rest is not forgotten), until the drawing
 * is read as `label` with probability >= 0.9 (at least 4 steps, at most 24).
 * The training run is not disturbed: its epoch position, counters, PRNG,
 * optimizer state and a half-accumulated batch are as they were. The same
 * inputs give the same bits in every build. On an error (a label outside
 * 0..9, a pixel NaN or outside 0..1, an empty mix, NULLs) nothing changes. */
mnist_status mnist_teach(mnist_net *net, const mnist_dataset *mix, const float image[MNIST_PIXELS], int label,
                         mnist_teach_result *result, mnist_error *err);
/* The taught examples, oldest first: their count, and example i's pixels
 * (784 bytes) and label (NULL / -1 outside 0..count-1). */
int mnist_taught_count(const mnist_net *net);
const uint8_t *mnist_taught_pixels(const mnist_net *net, int i);
int mnist_taught_label(const mnist_net *net, int i);
/* Forgets the taught examples (the weights keep what they learnt). */
void mnist_taught_clear(mnist_net *net);

/* ---- model files (format in src/core/model.c and docs/model-format.md) ------------------------- */

size_t mnist_model_size(const mnist_net *net);
/* Writes exactly mnist_model_size(net) bytes into buf (cap must be enough):
 * format version 4, the layers, the parameters, the taught examples and the
 * configuration (every setting as mnist_config_lines writes it). Loading
 * also reads the earlier versions: 1 (dense networks), 2 (any layers) and 3
 * (2 with taught examples). */
mnist_status mnist_model_save(const mnist_net *net, uint8_t *buf, size_t cap, mnist_error *err);
/* Validates everything and builds a network whose configuration
 * (mnist_get_config) is the file's: a version 4 file's settings (a setting
 * it lacks, and every setting of an earlier version, from the default
 * preset); a setting the file names that this build does not know is
 * ignored. */
mnist_net *mnist_model_load(const uint8_t *buf, size_t len, const char *name, mnist_error *err);

/* ---- ONNX export (src/core/onnx.c, docs/onnx.md) ---------------------------------------------- */

/* What the caller knows that the network does not: the test accuracy, in the file's
 * metadata_props ("test_accuracy"); < 0 (or meta NULL): unknown, left out. */
typedef struct {
    double test_accuracy; /* 0..1 */
} mnist_onnx_meta;

/* The network as a standard ONNX model (IR 7, opset 13: Conv, Relu, MaxPool, Flatten, Gemm,
 * Softmax): input "pixels" float32 [N,1,28,28] as the core reads it (0..1, white ink on
 * black), output "probabilities" [N,10]; weights in ONNX's NCHW order; metadata_props:
 * producer, architecture, training_settings (JSON), preset (if the settings are one's),
 * test_accuracy. The bytes depend on net and meta alone. Size: 0 if meta is refused. */
size_t mnist_onnx_size(const mnist_net *net, const mnist_onnx_meta *meta);
/* Writes exactly mnist_onnx_size(net, meta) bytes into buf (cap must be enough); an
 * accuracy above 1 or NaN is refused (MNIST_E_CONFIG). */
mnist_status mnist_onnx_save(const mnist_net *net, const mnist_onnx_meta *meta, uint8_t *buf, size_t cap,
                             mnist_error *err);

#endif
