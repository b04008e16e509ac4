/* args.c - the command-line tool's words: its usage text (the presets in it
 * come from the core's table), its messages, and its flags. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *USAGE_HEAD =
    "mnist - train a neural network (dense or convolutional) on MNIST-format digit images\n"
    "\n"
    "usage:\n"
    "  mnist train --data DIR [options]   train, print progress, end with one JSON line\n"
    "  mnist eval --data DIR --model FILE accuracy, loss and confusion matrix on DIR's sets\n"
    "  mnist predict --model FILE --image FILE [--index I] [--labels FILE]\n"
    "                                     class probabilities for one image\n"
    "  mnist --help                       this text\n"
    "\n"
    "DIR holds the four IDX files, gzipped or not:\n";

static const char *USAGE_PRESETS =
    "(`make data` puts MNIST in data/mnist and Fashion-MNIST in data/fashion-mnist).\n"
    "\n"
    "train options (a preset first, then any of the rest override it):\n"
    "  --preset NAME       one of these (default: default):\n";

static const char *USAGE_TAIL =
    "  --arch A-B-...-J    the layers, joined by '-': the input 784 (a 28x28 image) first,\n"
    "                      then any of\n"
    "                        N         a dense layer of N units (ReLU after it)\n"
    "                        cNkK      a convolution: N filters of KxK, stride 1, ReLU\n"
    "                        cNkKpadP  the same, with P zeros of padding on every side\n"
    "                        pP        PxP max-pooling, stride P\n"
    "                      and a dense layer of 10 last (softmax); convolutions and pools\n"
    "                      come before the first dense layer. e.g. 784-256-128-10, or\n"
    "                      784-c16k3-p2-c32k3-p2-64-10\n"
    "  --epochs N          passes over the training set\n"
    "  --iterations N      parameter updates (batches); stops at whichever comes first\n"
    "  --batch N|full      samples per update; full (or >= 60000) = full-batch descent\n"
    "  --lr X              learning rate alpha (> 0)\n"
    "  --momentum X        0 = plain SGD, < 1\n"
    "  --weight-decay X    L2 coefficient on weights (>= 0)\n"
    "  --lr-decay X        multiply the learning rate by X after each epoch, (0, 1]\n"
    "                      (step schedule)\n"
    "  --optimizer NAME    sgd (default: SGD with --momentum) or adam (Adam with bias\n"
    "                      correction); --weight-decay adds L2 to the gradient for both\n"
    "  --schedule NAME     step (default: --lr, times --lr-decay after each epoch) or\n"
    "                      onecycle (PyTorch's OneCycleLR over the planned run, --lr\n"
    "                      the peak: up from lr/25 over the first 30% of the updates,\n"
    "                      down to lr/250000 at the last, momentum or beta1 moving\n"
    "                      0.95 -> 0.85 -> 0.95 the other way)\n"
    "  --beta1 X           Adam's first-moment decay, [0, 1) (default 0.9)\n"
    "  --beta2 X           Adam's second-moment decay, [0, 1) (default 0.999)\n"
    "  --eps X             Adam's epsilon, (0, 1] (default 1e-8)\n"
    "  --shift N           augmentation: each training image moved by a random whole\n"
    "                      number of pixels in [-N, N] across and down, zero fill,\n"
    "                      0..4 (default 0: off); drawn from --seed's generator\n"
    "  --rotate X          augmentation: each training image turned about its centre by\n"
    "                      a random angle in [-X, X] degrees, 0..45 (default 0: off)\n"
    "  --scale X           augmentation: ... and scaled by a random factor in [1 - X,\n"
    "                      1 + X], 0..0.5 (default 0: off); with either on, images are\n"
    "                      resampled bilinearly; drawn from --seed's generator\n"
    "  --init he|seed      He-uniform, or the notebook's U(-0.5, 0.5)\n"
    "  --seed N            seed for initialisation and shuffling (same seed, same bits)\n"
    "  --log-every N       progress line every N updates (default: every epoch, or\n"
    "                      every 10 updates for full-batch training)\n"
    "  --save FILE         write the trained model (format: README.md)\n"
    "\n";

/* The limits (src/cli/cli.h), then the exit status. */
static const char *USAGE_LIMITS =
    "limits: the files read (the --data files, --model, --image, --labels) and --save\n"
    "must be regular files: a FIFO, device, socket or directory is refused at once. Each\n"
    "file read holds at most %u MiB once decompressed, and the files of one run together\n"
    "at most %u MiB.\n"
    "\n"
    "exit status: 0 success, 1 bad input or failed run, 2 bad usage\n";

#define INDENT "                               " /* under the preset's settings */

/* Words of `text`, wrapped at about 80 columns after INDENT. */
static void print_wrapped(FILE *out, const char *text) {
    int column = 0;
    while (*text) {
        int word = (int)strcspn(text, " ");
        if (column > 0 && column + 1 + word > 80 - (int)sizeof INDENT) {
            fputc('\n', out);
            column = 0;
        }
        fprintf(out, "%s%.*s", column ? " " : INDENT, word, text);
        column += word + (column ? 1 : 0);
        text += word;
        while (*text == ' ') text++;
    }
    fputc('\n', out);
}

void print_usage(FILE *out) {
    fputs(USAGE_HEAD, out);
    for (int i = 0; i < 4; i++) /* two a line */
        fprintf(out, "%s.gz%s", DATASET_FILES[i], i % 2 ? "\n" : ", ");
    fputs(USAGE_PRESETS, out);
    for (const mnist_preset_def *p = mnist_presets; p->name; p++) {
        const mnist_config *c = &p->config;
        const mnist_hyper *h = &c->hyper;
        fprintf(out, "                      %-8s %s\n" INDENT "init %s, batch ", p->name, p->arch,
                mnist_init_name(c->init));
        if (h->batch_size >= MNIST_MAX_BATCH) fputs("full", out);
        else fprintf(out, "%ld", h->batch_size);
        fprintf(out, ", %s schedule", mnist_schedule_name(h->schedule));
        if (h->shift) fprintf(out, ", shift %ld", h->shift);
        if (h->rotate > 0.0f) fprintf(out, ", rotate %g", (double)h->rotate);
        if (h->scale > 0.0f) fprintf(out, ", scale %g", (double)h->scale);
        fprintf(out, ",\n" INDENT "%s, lr %g", mnist_optimizer_name(h->optimizer), (double)h->learning_rate);
        if (h->optimizer == MNIST_OPT_SGD) fprintf(out, ", momentum %g", (double)h->momentum);
        else fprintf(out, ", beta1 %g, beta2 %g", (double)h->beta1, (double)h->beta2);
        if (h->schedule == MNIST_SCHEDULE_STEP) fprintf(out, ", lr decay %g", (double)h->lr_decay);
        fputs(",\n" INDENT "stops after", out);
        if (h->epochs) fprintf(out, " %ld epochs", h->epochs);
        if (h->iterations) fprintf(out, "%s %ld iterations", h->epochs ? " or" : "", h->iterations);
        fputc('\n', out);
        print_wrapped(out, p->description);
    }
    fputs(USAGE_TAIL, out);
    fprintf(out, USAGE_LIMITS, MAX_FILE_BYTES >> 20, MAX_RUN_BYTES >> 20);
}

int fail(int status, const char *fmt, ...) {
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    for (char *c = line; *c; c++) /* one line, whatever path or text it quotes */
        if ((unsigned char)*c < 0x20) *c = '?';
    fprintf(stderr, "mnist: %s\n", line);
    return status;
}

int parse_long(const char *flag, const char *text, long min, long max, long *out) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno == ERANGE || v < min || v > max) {
        fail(2, "%s: expected a whole number from %ld to %ld, got '%s'", flag, min, max, text);
        return 0;
    }
    *out = v;
    return 1;
}

static int parse_float(const char *flag, const char *text, float *out) {
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (*text == '\0' || *end != '\0' || errno == ERANGE || !isfinite(v)) {
        fail(2, "%s: expected a number, got '%s'", flag, text);
        return 0;
    }
    *out = (float)v;
    return 1;
}

/* The upper limit of a setting, from the core's table. */
static long max_of(mnist_setting s) { return (long)mnist_limits[s].max; }

/* One flag of train with its value; 0 (after a message) if it is bad. */
static int train_flag(const char *flag, const char *v, train_options *o, int *epochs_set, int *iterations_set) {
    mnist_error err;
    mnist_hyper *h = &o->cfg.hyper;
    const struct { const char *flag; float *value; } numbers[] = {
        {"--lr", &h->learning_rate}, {"--momentum", &h->momentum}, {"--weight-decay", &h->weight_decay},
        {"--lr-decay", &h->lr_decay}, {"--beta1", &h->beta1},      {"--beta2", &h->beta2},
        {"--eps", &h->eps},           {"--rotate", &h->rotate},   {"--scale", &h->scale},
    };
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) /* ranges: mnist_config_check */
        if (strcmp(flag, numbers[i].flag) == 0) return parse_float(flag, v, numbers[i].value);
    if (strcmp(flag, "--data") == 0) o->data_dir = v;
    else if (strcmp(flag, "--save") == 0) o->save_path = v;
    else if (strcmp(flag, "--preset") == 0) return 1;
    else if (strcmp(flag, "--arch") == 0) {
        if (mnist_parse_arch(v, &o->cfg, &err) != MNIST_OK) return fail(2, "--arch: %s", err.message), 0;
    } else if (strcmp(flag, "--epochs") == 0) {
        *epochs_set = 1;
        return parse_long(flag, v, 1, max_of(MNIST_SET_EPOCHS), &h->epochs);
    } else if (strcmp(flag, "--iterations") == 0) {
        *iterations_set = 1;
        return parse_long(flag, v, 1, max_of(MNIST_SET_ITERATIONS), &h->iterations);
    } else if (strcmp(flag, "--batch") == 0) {
        if (strcmp(v, "full") == 0) h->batch_size = MNIST_MAX_BATCH;
        else return parse_long(flag, v, 1, max_of(MNIST_SET_BATCH), &h->batch_size);
    } else if (strcmp(flag, "--optimizer") == 0) {
        if (mnist_parse_optimizer(v, &h->optimizer, &err) != MNIST_OK) return fail(2, "--optimizer: %s", err.message), 0;
    } else if (strcmp(flag, "--schedule") == 0) {
        if (mnist_parse_schedule(v, &h->schedule, &err) != MNIST_OK) return fail(2, "--schedule: %s", err.message), 0;
    } else if (strcmp(flag, "--init") == 0) {
        if (mnist_parse_init(v, &o->cfg.init, &err) != MNIST_OK)
            return fail(2, "--init: expected %s or %s, got '%s'", mnist_init_name(MNIST_INIT_HE),
                        mnist_init_name(MNIST_INIT_SEED), v), 0;
    } else if (strcmp(flag, "--seed") == 0) {
        char *end;
        errno = 0;
        unsigned long long s = strtoull(v, &end, 10);
        if (*v < '0' || *v > '9' || *end != '\0' || errno == ERANGE)
            return fail(2, "--seed: expected a whole number >= 0, got '%s'", v), 0;
        o->cfg.seed = (uint64_t)s;
    } else if (strcmp(flag, "--shift") == 0) {
        return parse_long(flag, v, 0, max_of(MNIST_SET_SHIFT), &h->shift);
    } else if (strcmp(flag, "--log-every") == 0) {
        return parse_long(flag, v, 1, max_of(MNIST_SET_ITERATIONS), &o->log_every);
    } else {
        return fail(2, "unknown option '%s' for train (see mnist --help)", flag), 0;
    }
    return 1;
}

int parse_train(int argc, char **argv, train_options *o) {
    mnist_error err;
    o->preset = "default";
    for (int i = 0; i < argc; i++) /* the preset first, so every other flag overrides it */
        if (strcmp(argv[i], "--preset") == 0 && i + 1 < argc) o->preset = argv[i + 1];
    if (mnist_preset(o->preset, &o->cfg, &err) != MNIST_OK) return fail(2, "--preset: %s", err.message), 0;
    int epochs_set = 0, iterations_set = 0;
    for (int i = 0; i < argc; i++) {
        const char *flag = argv[i];
        if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
            print_usage(stdout);
            exit(0);
        }
        if (strncmp(flag, "--", 2) != 0) return fail(2, "unexpected argument '%s' (see mnist --help)", flag), 0;
        if (i + 1 >= argc) return fail(2, "option %s needs a value (see mnist --help)", flag), 0;
        if (!train_flag(flag, argv[++i], o, &epochs_set, &iterations_set)) return 0;
    }
    /* Naming one stopping rule replaces the preset's. */
    if (epochs_set && !iterations_set) o->cfg.hyper.iterations = 0;
    if (iterations_set && !epochs_set) o->cfg.hyper.epochs = 0;
    if (!o->data_dir) return fail(2, "train: --data DIR is required (e.g. --data data/mnist)"), 0;
    if (mnist_config_check(&o->cfg, &err) != MNIST_OK) return fail(2, "%s", err.message), 0;
    return 1;
}

int parse_simple(int argc, char **argv, const char *cmd, const char **names, const char **values, int n_names) {
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            print_usage(stdout);
            exit(0);
        }
        int k = 0;
        while (k < n_names && strcmp(argv[i], names[k]) != 0) k++;
        if (k == n_names) return fail(2, "unknown option '%s' for %s (see mnist --help)", argv[i], cmd), 0;
        if (i + 1 >= argc) return fail(2, "option %s needs a value (see mnist --help)", argv[i]), 0;
        values[k] = argv[++i];
    }
    return 1;
}
