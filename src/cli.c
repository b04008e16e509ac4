/* cli.c - the native command-line trainer: build/mnist train | eval | predict.
 * All file I/O lives here (the core takes memory buffers); files that start
 * with the gzip magic are inflated with zlib, others are taken as they are. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "mnist.h"

#define MAX_FILE_BYTES (256u << 20) /* refuse anything that inflates past 256 MiB */

static const char *USAGE =
    "mnist - train a dense neural network on MNIST-format digit images\n"
    "\n"
    "usage:\n"
    "  mnist train --data DIR [options]   train, print progress, end with one JSON line\n"
    "  mnist eval --data DIR --model FILE accuracy, loss and confusion matrix on DIR's sets\n"
    "  mnist predict --model FILE --image FILE [--index I] [--labels FILE]\n"
    "                                     class probabilities for one image\n"
    "  mnist --help                       this text\n"
    "\n"
    "DIR holds the four IDX files, gzipped or not: train-images-idx3-ubyte.gz,\n"
    "train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz\n"
    "(`make data` puts MNIST in data/mnist and Fashion-MNIST in data/fashion-mnist).\n"
    "\n"
    "train options (a preset first, then any of the rest override it):\n"
    "  --preset NAME       seed: the notebook's 784-10-10, full-batch gradient descent,\n"
    "                            alpha 0.10, U(-0.5,0.5) init, 500 iterations\n"
    "                      default: 784-128-10, batch 64, momentum 0.9, lr 0.1,\n"
    "                            lr decay 0.3 per epoch, 5 epochs (the default)\n"
    "  --arch A-B-...-J    layer widths, 784 first and 10 last, e.g. 784-256-128-10\n"
    "  --epochs N          passes over the training set\n"
    "  --iterations N      parameter updates (batches); stops at whichever comes first\n"
    "  --batch N|full      samples per update; full (or >= 60000) = full-batch descent\n"
    "  --lr X              learning rate alpha (> 0)\n"
    "  --momentum X        0 = plain SGD, < 1\n"
    "  --weight-decay X    L2 coefficient on weights (>= 0)\n"
    "  --lr-decay X        multiply the learning rate by X after each epoch, (0, 1]\n"
    "  --init he|seed      He-uniform, or the notebook's U(-0.5, 0.5)\n"
    "  --seed N            seed for initialisation and shuffling (same seed, same bits)\n"
    "  --log-every N       progress line every N updates (default: every epoch, or\n"
    "                      every 10 updates for full-batch training)\n"
    "  --save FILE         write the trained model (format: README.md)\n"
    "\n"
    "exit status: 0 success, 1 bad input or failed run, 2 bad usage\n";

/* ---- errors and parsing ----------------------------------------------------------- */

static int fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(int status, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("mnist: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return status;
}

static int parse_long(const char *flag, const char *text, long min, long max, long *out) {
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

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- files -------------------------------------------------------------------------- */

typedef struct {
    uint8_t *bytes;
    size_t len;
} file_buf;

/* Doubles a growing buffer, up to MAX_FILE_BYTES. 0 and a message when it
 * may not grow further or memory runs out. */
static int grow_buffer(uint8_t **buf, size_t *cap, const char *path, const char *what) {
    if (*cap >= MAX_FILE_BYTES)
        return fail(0, "%s: larger than %u MiB%s; not an MNIST file", path, MAX_FILE_BYTES >> 20, what);
    size_t bigger_cap = *cap * 2 > MAX_FILE_BYTES ? MAX_FILE_BYTES : *cap * 2;
    uint8_t *bigger = realloc(*buf, bigger_cap);
    if (!bigger) return fail(0, "%s: out of memory", path);
    *buf = bigger;
    *cap = bigger_cap;
    return 1;
}

/* The end of a read: on success `out` owns buf; on failure buf is freed. */
static int hand_over(int ok, uint8_t *buf, size_t len, file_buf *out) {
    if (!ok) {
        free(buf);
        return 0;
    }
    out->bytes = buf;
    out->len = len;
    return 1;
}

/* Inflates a gzip file held in memory (every member, if several). Unlike
 * gzread, inflate reports a stream that ends early, and checks the CRC. */
static int gunzip(const char *path, const uint8_t *in, size_t in_len, file_buf *out) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK) return fail(0, "%s: zlib failed to start", path);
    size_t cap = in_len < MAX_FILE_BYTES / 4 ? in_len * 4 + 1024 : MAX_FILE_BYTES, len = 0;
    uint8_t *buf = malloc(cap);
    int ok = buf ? 1 : fail(0, "%s: out of memory", path), ret = Z_OK;
    zs.next_in = (uint8_t *)in;
    zs.avail_in = (uInt)in_len;
    while (ok) {
        if (len == cap && !(ok = grow_buffer(&buf, &cap, path, " once decompressed"))) break;
        zs.next_out = buf + len;
        zs.avail_out = (uInt)(cap - len);
        ret = inflate(&zs, Z_NO_FLUSH);
        len = cap - zs.avail_out;
        if (ret == Z_STREAM_END) {
            if (zs.avail_in == 0) break;
            inflateReset(&zs); /* another gzip member follows */
        } else if (ret == Z_BUF_ERROR && zs.avail_in == 0) {
            ok = fail(0, "%s: corrupt gzip data (the stream ends early: truncated file)", path);
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            ok = fail(0, "%s: corrupt gzip data (%s)", path, zs.msg ? zs.msg : "inflate failed");
        }
    }
    inflateEnd(&zs);
    return hand_over(ok, buf, len, out);
}

/* Reads a whole file, inflating it if it starts with the gzip magic. 0 and
 * one message on failure; `missing_hint` is added when the file is absent. */
static int read_file(const char *path, file_buf *out, const char *missing_hint) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return fail(0, "cannot open %s: %s%s", path, strerror(e), e == ENOENT ? missing_hint : "");
    }
    size_t cap = 1 << 20, len = 0;
    uint8_t *raw = malloc(cap);
    int ok = raw ? 1 : fail(0, "%s: out of memory", path);
    while (ok) {
        if (len == cap && !(ok = grow_buffer(&raw, &cap, path, ""))) break;
        size_t n = fread(raw + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) ok = fail(0, "cannot read %s: %s", path, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (ok && len >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
        ok = gunzip(path, raw, len, out);
        free(raw);
        return ok;
    }
    return hand_over(ok, raw, len, out);
}

/* Finds DIR/NAME.gz, or DIR/NAME uncompressed. */
static int read_dataset_file(const char *dir, const char *name, file_buf *out, char *path,
                             size_t path_cap) {
    snprintf(path, path_cap, "%s/%s.gz", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        char plain[1024];
        snprintf(plain, sizeof plain, "%s/%s", dir, name);
        FILE *g = fopen(plain, "rb");
        if (g) {
            fclose(g);
            snprintf(path, path_cap, "%s", plain);
        }
    } else {
        fclose(f);
    }
    return read_file(path, out,
                     " (run `make data` to fetch MNIST into data/mnist, or pass --data DIR)");
}

typedef struct {
    file_buf files[4];
    mnist_dataset train, test;
} data_files;

static void free_data(data_files *d) {
    for (int i = 0; i < 4; i++) free(d->files[i].bytes);
}

/* Loads DIR's training and/or test set. */
static int load_data(const char *dir, int want_train, data_files *d) {
    static const char *names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                   "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    char paths[4][1024];
    memset(d, 0, sizeof *d);
    for (int i = want_train ? 0 : 2; i < 4; i++) {
        if (!read_dataset_file(dir, names[i], &d->files[i], paths[i], sizeof paths[i])) return 0;
    }
    mnist_error err;
    for (int s = want_train ? 0 : 1; s < 2; s++) {
        file_buf *img = &d->files[2 * s], *lab = &d->files[2 * s + 1];
        if (mnist_dataset_parse(img->bytes, img->len, paths[2 * s], lab->bytes, lab->len,
                                paths[2 * s + 1], s ? &d->test : &d->train, &err) != MNIST_OK)
            return fail(0, "%s", err.message);
    }
    return 1;
}

static int write_model(const mnist_net *net, const char *path) {
    size_t size = mnist_model_size(net);
    uint8_t *buf = malloc(size);
    mnist_error err;
    if (!buf) return fail(0, "out of memory saving the model");
    if (mnist_model_save(net, buf, size, &err) != MNIST_OK) {
        free(buf);
        return fail(0, "%s", err.message);
    }
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(buf, 1, size, f) == size;
    if (f && fclose(f) != 0) ok = 0;
    free(buf);
    if (!ok) return fail(0, "cannot write model %s: %s", path, strerror(errno));
    return 1;
}

static mnist_net *read_model(const char *path) {
    file_buf f;
    if (!read_file(path, &f, "")) return NULL;
    mnist_error err;
    mnist_net *net = mnist_model_load(f.bytes, f.len, path, &err);
    free(f.bytes);
    if (!net) fail(0, "%s", err.message);
    return net;
}

static void format_arch(const mnist_net *net, char *out, size_t cap) {
    const int *sizes = mnist_sizes(net);
    size_t used = 0;
    out[0] = '\0';
    for (int l = 0; l <= mnist_layers(net) && used < cap; l++)
        used += (size_t)snprintf(out + used, cap - used, l ? "-%d" : "%d", sizes[l]);
}

static mnist_eval evaluate_all(mnist_net *net, const mnist_dataset *ds) {
    mnist_eval e;
    memset(&e, 0, sizeof e);
    mnist_evaluate(net, ds, 0, ds->count, &e, NULL); /* whole set: cannot fail */
    return e;
}

/* ---- train ---------------------------------------------------------------------------- */

typedef struct {
    const char *data_dir, *save_path, *preset;
    mnist_config cfg;
    long log_every;
} train_options;

static int parse_train(int argc, char **argv, train_options *o) {
    mnist_error err;
    o->preset = "default";
    for (int i = 0; i < argc; i++) /* the preset first, so every other flag overrides it */
        if (strcmp(argv[i], "--preset") == 0 && i + 1 < argc) o->preset = argv[i + 1];
    if (mnist_preset(o->preset, &o->cfg, &err) != MNIST_OK) return fail(2, "--preset: %s", err.message), 0;
    int epochs_set = 0, iterations_set = 0;
    for (int i = 0; i < argc; i++) {
        const char *flag = argv[i];
        if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
            fputs(USAGE, stdout);
            exit(0);
        }
        if (strncmp(flag, "--", 2) != 0) return fail(2, "unexpected argument '%s' (see mnist --help)", flag), 0;
        if (i + 1 >= argc) return fail(2, "option %s needs a value (see mnist --help)", flag), 0;
        const char *v = argv[++i];
        mnist_hyper *h = &o->cfg.hyper;
        long n;
        if (strcmp(flag, "--data") == 0) o->data_dir = v;
        else if (strcmp(flag, "--save") == 0) o->save_path = v;
        else if (strcmp(flag, "--preset") == 0) continue;
        else if (strcmp(flag, "--arch") == 0) {
            if (mnist_parse_arch(v, &o->cfg, &err) != MNIST_OK) return fail(2, "--arch: %s", err.message), 0;
        } else if (strcmp(flag, "--epochs") == 0) {
            if (!parse_long(flag, v, 1, 100000, &o->cfg.epochs)) return 0;
            epochs_set = 1;
        } else if (strcmp(flag, "--iterations") == 0) {
            if (!parse_long(flag, v, 1, 100000000, &o->cfg.iterations)) return 0;
            iterations_set = 1;
        } else if (strcmp(flag, "--batch") == 0) {
            if (strcmp(v, "full") == 0) h->batch_size = MNIST_MAX_BATCH;
            else if (!parse_long(flag, v, 1, MNIST_MAX_BATCH, &h->batch_size)) return 0;
        } else if (strcmp(flag, "--lr") == 0) {
            if (!parse_float(flag, v, &h->learning_rate)) return 0;
        } else if (strcmp(flag, "--momentum") == 0) {
            if (!parse_float(flag, v, &h->momentum)) return 0;
        } else if (strcmp(flag, "--weight-decay") == 0) {
            if (!parse_float(flag, v, &h->weight_decay)) return 0;
        } else if (strcmp(flag, "--lr-decay") == 0) {
            if (!parse_float(flag, v, &h->lr_decay)) return 0;
        } else if (strcmp(flag, "--init") == 0) {
            if (strcmp(v, "he") == 0) o->cfg.init = MNIST_INIT_HE;
            else if (strcmp(v, "seed") == 0) o->cfg.init = MNIST_INIT_SEED;
            else return fail(2, "--init: expected he or seed, got '%s'", v), 0;
        } else if (strcmp(flag, "--seed") == 0) {
            char *end;
            errno = 0;
            unsigned long long s = strtoull(v, &end, 10);
            if (*v < '0' || *v > '9' || *end != '\0' || errno == ERANGE)
                return fail(2, "--seed: expected a whole number >= 0, got '%s'", v), 0;
            o->cfg.seed = (uint64_t)s;
        } else if (strcmp(flag, "--log-every") == 0) {
            if (!parse_long(flag, v, 1, 100000000, &n)) return 0;
            o->log_every = n;
        } else {
            return fail(2, "unknown option '%s' for train (see mnist --help)", flag), 0;
        }
    }
    /* Naming one stopping rule replaces the preset's. */
    if (epochs_set && !iterations_set) o->cfg.iterations = 0;
    if (iterations_set && !epochs_set) o->cfg.epochs = 0;
    if (!o->data_dir) return fail(2, "train: --data DIR is required (e.g. --data data/mnist)"), 0;
    if (mnist_config_check(&o->cfg, &err) != MNIST_OK) return fail(2, "%s", err.message), 0;
    return 1;
}

static void print_json_tail(const mnist_eval *test, const mnist_eval *train, double seconds,
                            double samples_per_second, const mnist_net *net) {
    char arch[128];
    format_arch(net, arch, sizeof arch);
    printf("\"test_accuracy\":%.4f,\"test_loss\":%.4f,\"train_accuracy\":%.4f,\"train_loss\":%.4f,"
           "\"seconds\":%.3f,\"samples_per_second\":%.0f,\"parameters\":%zu,\"arch\":\"%s\"",
           (double)test->correct / (double)test->count, test->loss_sum / (double)test->count,
           (double)train->correct / (double)train->count, train->loss_sum / (double)train->count,
           seconds, samples_per_second, mnist_param_count(net), arch);
}

static int cmd_train(int argc, char **argv) {
    train_options o;
    memset(&o, 0, sizeof o);
    if (!parse_train(argc, argv, &o)) return 2;
    data_files d;
    if (!load_data(o.data_dir, 1, &d)) {
        free_data(&d);
        return 1;
    }
    mnist_error err;
    mnist_net *net = mnist_create(&o.cfg, &err);
    if (!net || mnist_train_attach(net, &d.train, &err) != MNIST_OK) {
        mnist_free(net);
        free_data(&d);
        return fail(1, "%s", err.message);
    }
    const long n = d.train.count;
    const long batch = o.cfg.hyper.batch_size < n ? o.cfg.hyper.batch_size : n;
    const long per_epoch = (n + batch - 1) / batch;
    long log_every = o.log_every ? o.log_every : (per_epoch == 1 ? 10 : 0);
    char arch[128];
    format_arch(net, arch, sizeof arch);
    printf("training %s (%zu parameters) on %ld images, preset %s, batch %ld%s, lr %g, momentum %g, "
           "seed %llu; testing on %ld\n",
           arch, mnist_param_count(net), n, o.preset, batch, batch == n ? " (full)" : "",
           (double)o.cfg.hyper.learning_rate, (double)o.cfg.hyper.momentum,
           (unsigned long long)o.cfg.seed, d.test.count);
    fflush(stdout);

    double train_seconds = 0, window_seconds = 0;
    long window_start = 0; /* samples trained when the current log window began */
    mnist_progress p;
    memset(&p, 0, sizeof p);
    int status = 0;
    for (;;) {
        float used_lr = p.iterations ? p.learning_rate : o.cfg.hyper.learning_rate;
        double t0 = now_seconds();
        if (mnist_train(net, batch, &p, &err) != MNIST_OK) {
            status = fail(1, "%s", err.message);
            break;
        }
        double dt = now_seconds() - t0;
        train_seconds += dt;
        window_seconds += dt;
        if (p.diverged) {
            status = fail(1, "training diverged at iteration %ld: the loss became NaN/Inf with "
                             "learning rate %g; try a smaller --lr",
                          p.iterations + 1, (double)mnist_get_hyper(net).learning_rate);
            break;
        }
        int done = (o.cfg.epochs && p.epoch >= o.cfg.epochs) ||
                   (o.cfg.iterations && p.iterations >= o.cfg.iterations);
        int log = done || (log_every ? p.batch_ended && p.iterations % log_every == 0 : p.epoch_ended);
        if (log) {
            mnist_eval test = evaluate_all(net, &d.test);
            /* Full batch: the last batch's figures are the whole set's. */
            double loss = per_epoch == 1 ? p.batch_loss : p.epoch_loss;
            double acc = per_epoch == 1 ? p.batch_accuracy : p.epoch_accuracy;
            printf("epoch %.2f  iter %ld  loss %.4f  train %.2f%%  test %.2f%%  lr %.4g  %.0f samples/s  %.1fs\n",
                   (double)p.samples / (double)n, p.iterations, loss, 100 * acc,
                   100.0 * (double)test.correct / (double)test.count, (double)used_lr,
                   window_seconds > 0 ? (double)(p.samples - window_start) / window_seconds : 0.0,
                   train_seconds);
            fflush(stdout);
            window_seconds = 0;
            window_start = p.samples;
        }
        if (done) break;
    }
    if (status == 0 && o.save_path && !write_model(net, o.save_path)) status = 1;
    if (status == 0) {
        mnist_eval test = evaluate_all(net, &d.test), train = evaluate_all(net, &d.train);
        printf("{\"preset\":\"%s\",\"epochs\":%.4g,\"iterations\":%ld,", o.preset,
               (double)p.samples / (double)n, p.iterations);
        print_json_tail(&test, &train, train_seconds,
                        train_seconds > 0 ? (double)p.samples / train_seconds : 0.0, net);
        printf("}\n");
    }
    mnist_free(net);
    free_data(&d);
    return status;
}

/* ---- eval / predict ------------------------------------------------------------------ */

static int parse_simple(int argc, char **argv, const char *cmd, const char **names,
                        const char **values, int n_names) {
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
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

static int cmd_eval(int argc, char **argv) {
    const char *names[] = {"--data", "--model"}, *values[2] = {NULL, NULL};
    if (!parse_simple(argc, argv, "eval", names, values, 2)) return 2;
    if (!values[0] || !values[1]) return fail(2, "eval: --data DIR and --model FILE are required");
    mnist_net *net = read_model(values[1]);
    if (!net) return 1;
    data_files d;
    if (!load_data(values[0], 1, &d)) {
        mnist_free(net);
        free_data(&d);
        return 1;
    }
    double t0 = now_seconds();
    mnist_eval test = evaluate_all(net, &d.test), train = evaluate_all(net, &d.train);
    double seconds = now_seconds() - t0;
    printf("confusion matrix on the test set (rows: true label, columns: predicted)\n      ");
    for (int c = 0; c < MNIST_CLASSES; c++) printf("%6d", c);
    printf("\n");
    for (int r = 0; r < MNIST_CLASSES; r++) {
        printf("%6d", r);
        for (int c = 0; c < MNIST_CLASSES; c++) printf("%6ld", test.confusion[r][c]);
        printf("\n");
    }
    printf("{");
    print_json_tail(&test, &train, seconds, (double)(test.count + train.count) / seconds, net);
    printf(",\"confusion\":[");
    for (int r = 0; r < MNIST_CLASSES; r++) {
        printf(r ? ",[" : "[");
        for (int c = 0; c < MNIST_CLASSES; c++) printf(c ? ",%ld" : "%ld", test.confusion[r][c]);
        printf("]");
    }
    printf("]}\n");
    mnist_free(net);
    free_data(&d);
    return 0;
}

static int cmd_predict(int argc, char **argv) {
    const char *names[] = {"--model", "--image", "--index", "--labels"};
    const char *values[4] = {NULL, NULL, "0", NULL};
    if (!parse_simple(argc, argv, "predict", names, values, 4)) return 2;
    if (!values[0] || !values[1]) return fail(2, "predict: --model FILE and --image FILE are required");
    long index;
    if (!parse_long("--index", values[2], 0, 100000000, &index)) return 2;
    mnist_net *net = read_model(values[0]);
    if (!net) return 1;
    file_buf images = {0}, labels = {0};
    mnist_error err;
    const uint8_t *pixels;
    long count;
    int status = 1, label = -1;
    if (!read_file(values[1], &images, "")) goto done;
    if (values[3]) {
        mnist_dataset ds;
        if (!read_file(values[3], &labels, "")) goto done;
        if (mnist_dataset_parse(images.bytes, images.len, values[1], labels.bytes, labels.len,
                                values[3], &ds, &err) != MNIST_OK) {
            fail(1, "%s", err.message);
            goto done;
        }
    }
    if (mnist_idx_images(images.bytes, images.len, values[1], &pixels, &count, &err) != MNIST_OK) {
        fail(1, "%s", err.message);
        goto done;
    }
    if (index >= count) {
        fail(1, "--index %ld: %s holds images 0..%ld", index, values[1], count - 1);
        goto done;
    }
    const uint8_t *image = pixels + (size_t)index * MNIST_PIXELS;
    if (labels.bytes) label = labels.bytes[8 + index];
    float probs[MNIST_CLASSES];
    int guess = mnist_predict(net, image, probs);
    static const char shades[] = " .:-=+*#%@";
    for (int r = 0; r < MNIST_ROWS; r++) {
        for (int c = 0; c < MNIST_COLS; c++) {
            int v = image[r * MNIST_COLS + c];
            putchar(shades[v * 9 / 255]);
            putchar(shades[v * 9 / 255]);
        }
        putchar('\n');
    }
    for (int k = 0; k < MNIST_CLASSES; k++)
        printf("  %d  %6.2f%%  %s\n", k, 100.0 * probs[k], k == guess ? "<- prediction" : "");
    printf("{\"index\":%ld,\"prediction\":%d,\"confidence\":%.4f,", index, guess, (double)probs[guess]);
    if (label >= 0) printf("\"label\":%d,\"correct\":%s,", label, label == guess ? "true" : "false");
    printf("\"probabilities\":[");
    for (int k = 0; k < MNIST_CLASSES; k++) printf(k ? ",%.6f" : "%.6f", (double)probs[k]);
    printf("]}\n");
    status = 0;
done:
    free(images.bytes);
    free(labels.bytes);
    mnist_free(net);
    return status;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fputs(USAGE, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (strcmp(cmd, "train") == 0) return cmd_train(argc - 2, argv + 2);
    if (strcmp(cmd, "eval") == 0) return cmd_eval(argc - 2, argv + 2);
    if (strcmp(cmd, "predict") == 0) return cmd_predict(argc - 2, argv + 2);
    return fail(2, "unknown command '%s' (expected train, eval or predict; see mnist --help)", cmd);
}
