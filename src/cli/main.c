/* main.c - the native command-line trainer: build/mnist train | eval | predict | export.
 * All file I/O lives in files.c (the core takes memory buffers); the flags
 * and the usage text in args.c. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void format_arch(const mnist_net *net, char *out, size_t cap) {
    mnist_arch_format(mnist_layers(net), mnist_sizes(net), mnist_layer_specs(net), out, cap);
}

static mnist_eval evaluate_all(mnist_net *net, const mnist_dataset *ds) {
    mnist_eval e;
    memset(&e, 0, sizeof e);
    mnist_evaluate(net, ds, 0, ds->count, &e, NULL); /* whole set: cannot fail */
    return e;
}

/* ---- train ---------------------------------------------------------------------------- */

/* "config":{...}: every setting the network was trained with (a model
 * file's configuration; mnist_config_json, which sizes its text). */
static void put_config(json_line *j, const mnist_net *net) {
    mnist_config c = mnist_get_config(net);
    size_t n = mnist_config_json(&c, NULL, 0) + 1;
    char *text = malloc(n);
    if (!text) return; /* the line stays valid JSON without it */
    mnist_config_json(&c, text, n);
    json_value(j, "config", text);
    free(text);
}

/* The fields train and eval share, after their own. */
static void put_results(json_line *j, const mnist_eval *test, const mnist_eval *train, double seconds,
                        double samples_per_second, const mnist_net *net) {
    char arch[256];
    format_arch(net, arch, sizeof arch);
    json_number(j, "test_accuracy", (double)test->correct / (double)test->count, "%.4f");
    json_number(j, "test_loss", test->loss_sum / (double)test->count, "%.4f");
    json_number(j, "train_accuracy", (double)train->correct / (double)train->count, "%.4f");
    json_number(j, "train_loss", train->loss_sum / (double)train->count, "%.4f");
    json_number(j, "seconds", seconds, "%.3f");
    json_number(j, "samples_per_second", samples_per_second, "%.0f");
    json_whole(j, "parameters", (long)mnist_param_count(net));
    json_text(j, "arch", arch);
    put_config(j, net);
}

/* Why a model's figures may be NaN or infinite: said in json_close's warning. */
static const char *const OVERFLOW_WHY =
    "the network's outputs overflow float range, so its weights are far too large";

static int cmd_train(int argc, char **argv) {
    train_options o;
    memset(&o, 0, sizeof o);
    if (!parse_train(argc, argv, &o)) return 2;
    if (o.save_path && !check_save_path(o.save_path)) return 1; /* before a long run, not after */
    data_files d;
    run_budget budget = {0};
    if (!load_data(o.data_dir, 1, &d, &budget)) {
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
    const mnist_hyper *h = &o.cfg.hyper;
    char shift[96] = "";
    int used = h->shift ? snprintf(shift, sizeof shift, ", shift %ld", h->shift) : 0;
    if (h->rotate > 0.0f) used += snprintf(shift + used, sizeof shift - (size_t)used, ", rotate %g", (double)h->rotate);
    if (h->scale > 0.0f) snprintf(shift + used, sizeof shift - (size_t)used, ", scale %g", (double)h->scale);
    printf("training %s (%zu parameters) on %ld images, preset %s, batch %ld%s, lr %g, momentum %g, "
           "optimizer %s, schedule %s%s, seed %llu; testing on %ld\n",
           arch, mnist_param_count(net), n, o.preset, batch, batch == n ? " (full)" : "",
           (double)h->learning_rate, (double)h->momentum, mnist_optimizer_name(h->optimizer),
           mnist_schedule_name(h->schedule), shift,
           (unsigned long long)o.cfg.seed, d.test.count);
    fflush(stdout);

    double train_seconds = 0, window_seconds = 0;
    long window_start = 0; /* samples trained when the current log window began */
    mnist_progress p;
    memset(&p, 0, sizeof p);
    int status = 0;
    for (;;) {
        float used_lr = mnist_learning_rate(net);
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
        int done = (o.cfg.hyper.epochs && p.epoch >= o.cfg.hyper.epochs) ||
                   (o.cfg.hyper.iterations && p.iterations >= o.cfg.hyper.iterations);
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
        json_line j;
        json_open(&j);
        json_text(&j, "preset", o.preset);
        json_number(&j, "epochs", (double)p.samples / (double)n, "%.4g");
        json_whole(&j, "iterations", p.iterations);
        put_results(&j, &test, &train, train_seconds,
                    train_seconds > 0 ? (double)p.samples / train_seconds : 0.0, net);
        json_close(&j, OVERFLOW_WHY);
    }
    mnist_free(net);
    free_data(&d);
    return status;
}

/* ---- eval / predict ------------------------------------------------------------------ */

static int cmd_eval(int argc, char **argv) {
    const char *const names[] = {"--data", "--model", NULL};
    const char *values[2] = {NULL, NULL};
    if (!parse_simple(argc, argv, "eval", names, values)) return 2;
    if (!values[0] || !values[1]) return fail(2, "eval: --data DIR and --model FILE are required");
    run_budget budget = {0};
    mnist_net *net = read_model(values[1], &budget);
    if (!net) return 1;
    data_files d;
    if (!load_data(values[0], 1, &d, &budget)) {
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
    int taught = mnist_taught_count(net);
    if (taught) printf("the model keeps %d taught examples (drawings taught in the page); eval does not use them\n", taught);
    json_line j;
    json_open(&j);
    put_results(&j, &test, &train, seconds, seconds > 0 ? (double)(test.count + train.count) / seconds : 0.0, net);
    json_whole(&j, "taught", taught);
    json_table(&j, "confusion", &test.confusion[0][0], MNIST_CLASSES, MNIST_CLASSES);
    json_close(&j, OVERFLOW_WHY);
    mnist_free(net);
    free_data(&d);
    return 0;
}

static int cmd_predict(int argc, char **argv) {
    const char *const names[] = {"--model", "--image", "--index", "--labels", NULL};
    const char *values[4] = {NULL, NULL, "0", NULL};
    if (!parse_simple(argc, argv, "predict", names, values)) return 2;
    if (!values[0] || !values[1]) return fail(2, "predict: --model FILE and --image FILE are required");
    long index;
    if (!parse_long("--index", values[2], 0, 100000000, &index)) return 2;
    run_budget budget = {0};
    mnist_net *net = read_model(values[0], &budget);
    if (!net) return 1;
    file_buf images = {0}, labels = {0};
    mnist_error err;
    const uint8_t *pixels;
    long count;
    int status = 1, label = -1;
    if (!read_file(values[1], &images, "", &budget)) goto done;
    if (values[3]) {
        mnist_dataset ds;
        if (!read_file(values[3], &labels, "", &budget)) goto done;
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
    double probabilities[MNIST_CLASSES];
    for (int k = 0; k < MNIST_CLASSES; k++) probabilities[k] = probs[k];
    json_line j;
    json_open(&j);
    json_whole(&j, "index", index);
    json_whole(&j, "prediction", guess);
    json_number(&j, "confidence", probabilities[guess], "%.4f");
    if (label >= 0) {
        json_whole(&j, "label", label);
        json_bool(&j, "correct", label == guess);
    }
    json_numbers(&j, "probabilities", probabilities, MNIST_CLASSES, "%.6f");
    put_config(&j, net);
    json_close(&j, OVERFLOW_WHY);
    status = 0;
done:
    free(images.bytes);
    free(labels.bytes);
    mnist_free(net);
    return status;
}

/* ---- export ------------------------------------------------------------------------------ */

/* A model file as ONNX (docs/onnx.md); with --data, its accuracy on DIR's test set (the
 * same figure the page's test gives) goes into the file's metadata. */
static int cmd_export(int argc, char **argv) {
    const char *const names[] = {"--onnx", "--model", "--data", NULL};
    const char *values[3] = {NULL, NULL, NULL};
    if (!parse_simple(argc, argv, "export", names, values)) return 2;
    if (!values[0] || !values[1]) return fail(2, "export: --onnx OUT and --model FILE are required");
    if (!check_save_path(values[0])) return 1;
    run_budget budget = {0};
    mnist_net *net = read_model(values[1], &budget);
    if (!net) return 1;
    mnist_onnx_meta meta = {.test_accuracy = -1};
    mnist_eval test = {0};
    if (values[2]) {
        data_files d;
        int loaded = load_data(values[2], 0, &d, &budget);
        if (loaded) test = evaluate_all(net, &d.test);
        free_data(&d);
        if (!loaded) {
            mnist_free(net);
            return 1;
        }
        meta.test_accuracy = (double)test.correct / (double)test.count;
    }
    int status = write_onnx(net, &meta, values[0]) ? 0 : 1;
    if (status == 0) {
        char arch[256];
        format_arch(net, arch, sizeof arch);
        json_line j;
        json_open(&j);
        json_text(&j, "onnx", values[0]);
        json_whole(&j, "bytes", (long)mnist_onnx_size(net, &meta));
        json_text(&j, "arch", arch);
        if (values[2]) json_number(&j, "test_accuracy", meta.test_accuracy, "%.4f");
        json_close(&j, OVERFLOW_WHY);
    }
    mnist_free(net);
    return status;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        print_usage(stdout);
        return 0;
    }
    int status;
    if (strcmp(cmd, "train") == 0) status = cmd_train(argc - 2, argv + 2);
    else if (strcmp(cmd, "eval") == 0) status = cmd_eval(argc - 2, argv + 2);
    else if (strcmp(cmd, "predict") == 0) status = cmd_predict(argc - 2, argv + 2);
    else if (strcmp(cmd, "export") == 0) status = cmd_export(argc - 2, argv + 2);
    else return fail(2, "unknown command '%s' (expected train, eval, predict or export; see mnist --help)", cmd);
    /* Output that could not be written (a full disk, a closed pipe) is a failed run, not a silent success. */
    if ((fflush(stdout) != 0 || ferror(stdout)) && status == 0)
        status = fail(1, "cannot write the output: %s", strerror(errno));
    return status;
}
