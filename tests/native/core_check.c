/* core_check.c - a harness that exposes the core's internals to the Node
 * tests (tests/core.test.js). Each subcommand prints one JSON line.
 *
 *   core_check gradcheck [--perturb X]   finite differences vs backprop
 *   core_check convcheck [--perturb X | --perturb-one X]  the same for conv and max-pool
 *   core_check convparity                conv and max-pool against naive loops
 *   core_check seed-step IN OUT SEED     one full-batch step of the seed net
 *   core_check idx IMAGES LABELS         validate two raw IDX files
 *   core_check model FILE                validate and load a model file (version 4: and
 *                                        the configuration it carries)
 *   core_check model-save FILE SEED [ARCH [VERSION]]  save a fresh network (784-16-10 unless
 *                                        ARCH) as format VERSION (4 unless given)
 *   core_check expf                      our exp/log against libm's
 *   core_check arch TEXT...              parse architectures: status, message, field, layout
 *   core_check slices [adam] [cnn]       slice size does not change the bits (SGD + step,
 *                                        or Adam + one-cycle)
 *   core_check adam-step, onecycle       the optimiser and schedule (adamcheck.c)
 *   core_check rules                     the presets and limits as JSON (mnist_rules_json)
 *   core_check config-json-nonfinite     mnist_config_json of a configuration holding NaN and
 *                                        infinities (no check lets one in): still JSON
 *   core_check shift                     random shifts: the converted input, slices (shiftcheck.c)
 *   core_check teach, teach-save FILE, teach-model IN IMAGES LABELS DRAWING LABEL OUT
 *                                        teaching a drawing (teachcheck.c)
 *   core_check warp                      random turns and scalings: the resampling, draws, slices (warpcheck.c)
 *
 * Files are read into buffers of exactly their size, so that under
 * AddressSanitizer any read past the end is caught. The gradient checks
 * are in gradcheck.c, those of the convolutional layers in convcheck.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static const char *status_name(mnist_status s) {
    static const char *names[] = {
        "MNIST_OK", "MNIST_E_NOMEM", "MNIST_E_CONFIG", "MNIST_E_IDX_SHORT", "MNIST_E_IDX_MAGIC",
        "MNIST_E_IDX_DIMS", "MNIST_E_IDX_LENGTH", "MNIST_E_IDX_LABEL", "MNIST_E_IDX_COUNT",
        "MNIST_E_MODEL_SHORT", "MNIST_E_MODEL_MAGIC", "MNIST_E_MODEL_VERSION", "MNIST_E_MODEL_ARCH",
        "MNIST_E_MODEL_LENGTH", "MNIST_E_MODEL_CHECKSUM", "MNIST_E_MODEL_VALUE", "MNIST_E_STATE"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "?";
}

static void print_json_string(const char *s) {
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') putchar('\\');
        if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
        else putchar(*s);
    }
    putchar('"');
}

static void print_status(mnist_status st, const mnist_error *err) {
    printf("{\"code\":\"%s\",\"message\":", status_name(st));
    print_json_string(st == MNIST_OK ? "" : err->message);
    printf("}\n");
}

uint8_t *read_exact(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) { perror(path); exit(2); }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

void write_all(const char *path, const void *data, size_t n) {
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) { perror(path); exit(2); }
}


/* ---- seed parity ------------------------------------------------------------------- */

/* IN: u32 m, then m*784 pixels, then m labels. OUT: the initial then the
 * updated parameters of the seed network (float32 each), after one
 * full-batch gradient-descent step on those m samples. */
static int cmd_seed_step(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: seed-step IN OUT SEED\n"); return 2; }
    size_t len;
    uint8_t *in = read_exact(argv[0], &len);
    uint32_t m;
    memcpy(&m, in, 4);
    if (len != 4 + (size_t)m * (MNIST_PIXELS + 1)) { fprintf(stderr, "bad input size\n"); return 2; }
    mnist_dataset ds = {in + 4, in + 4 + (size_t)m * MNIST_PIXELS, (long)m};
    mnist_config cfg;
    mnist_error err;
    mnist_preset("seed", &cfg, NULL);
    cfg.seed = strtoull(argv[2], NULL, 10);
    mnist_net *net = mnist_create(&cfg, &err);
    size_t n = mnist_param_count(net);
    float *both = malloc(2 * n * sizeof(float));
    memcpy(both, mnist_params(net), n * sizeof(float));
    mnist_progress p;
    if (mnist_train_attach(net, &ds, &err) != MNIST_OK || mnist_train(net, m, &p, &err) != MNIST_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    memcpy(both + n, mnist_params(net), n * sizeof(float));
    write_all(argv[1], both, 2 * n * sizeof(float));
    printf("{\"parameters\":%zu,\"iterations\":%ld,\"loss\":%.6f,\"accuracy\":%.4f}\n", n,
           p.iterations, p.batch_loss, p.batch_accuracy);
    free(both);
    free(in);
    mnist_free(net);
    return 0;
}

/* ---- input validation ------------------------------------------------------------- */

static int cmd_idx(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: idx IMAGES LABELS\n"); return 2; }
    size_t ni, nl;
    uint8_t *images = read_exact(argv[0], &ni), *labels = read_exact(argv[1], &nl);
    mnist_dataset ds;
    mnist_error err;
    mnist_status st = mnist_dataset_parse(images, ni, argv[0], labels, nl, argv[1], &ds, &err);
    if (st == MNIST_OK) {
        /* touch every byte the dataset claims, so ASan sees any overrun */
        unsigned sum = 0;
        for (long k = 0; k < ds.count * MNIST_PIXELS; k++) sum += ds.pixels[k];
        for (long k = 0; k < ds.count; k++) sum += ds.labels[k];
        printf("{\"code\":\"MNIST_OK\",\"count\":%ld,\"sum\":%u}\n", ds.count, sum);
    } else {
        print_status(st, &err);
    }
    free(images);
    free(labels);
    return 0;
}

static int cmd_model(int argc, char **argv) {
    if (argc < 1) { fprintf(stderr, "usage: model FILE\n"); return 2; }
    size_t len;
    uint8_t *buf = read_exact(argv[0], &len);
    mnist_error err;
    mnist_net *net = mnist_model_load(buf, len, argv[0], &err);
    if (net) {
        /* a loaded model must round-trip to the same bytes (saved as its file's version) */
        uint32_t version = buf[8];
        size_t size = nn_model_size_as(net, version);
        uint8_t *again = malloc(size ? size : 1);
        nn_model_save_as(net, version, again, size, &err);
        int same = size == len && memcmp(again, buf, len) == 0;
        printf("{\"code\":\"MNIST_OK\",\"parameters\":%zu,\"roundtrip\":%s", mnist_param_count(net),
               same ? "true" : "false");
        if (version == 4) { /* and the configuration it carries, as loaded */
            mnist_config c = mnist_get_config(net);
            char text[4096];
            mnist_config_json(&c, text, sizeof text);
            printf(",\"config\":%s", text);
        }
        printf("}\n");
        free(again);
        mnist_free(net);
    } else {
        print_status(err.code, &err);
    }
    free(buf);
    return 0;
}

static int cmd_model_save(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: model-save FILE SEED [ARCH [VERSION]]\n"); return 2; }
    mnist_config cfg;
    mnist_error err;
    mnist_preset("default", &cfg, NULL);
    if (mnist_parse_arch(argc > 2 ? argv[2] : "784-16-10", &cfg, &err) != MNIST_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    cfg.seed = strtoull(argv[1], NULL, 10);
    mnist_net *net = mnist_create(&cfg, &err);
    uint32_t version = argc > 3 ? (uint32_t)atoi(argv[3]) : 4;
    size_t size = nn_model_size_as(net, version);
    uint8_t *buf = malloc(size ? size : 1);
    if (nn_model_save_as(net, version, buf, size, &err) != MNIST_OK) {
        fprintf(stderr, "%s\n", err.message);
        return 2;
    }
    write_all(argv[0], buf, size);
    printf("{\"bytes\":%zu,\"parameters\":%zu}\n", size, mnist_param_count(net));
    free(buf);
    mnist_free(net);
    return 0;
}

/* Our exp/log against libm's (double), over the range softmax uses. */
static int cmd_expf(void) {
    double max_exp = 0, max_log = 0;
    for (int k = 0; k <= 200000; k++) {
        float x = -100.0f + (float)k * (100.0f / 200000.0f);
        double ref = exp((double)x);
        if (ref > 1e-37) max_exp = fmax(max_exp, fabs(nn_expf(x) - ref) / ref);
        float y = 1e-30f * powf(10.0f, (float)k * (60.0f / 200000.0f));
        double lref = log((double)y);
        max_log = fmax(max_log, fabs(nn_logf(y) - lref) / fmax(fabs(lref), 1.0));
    }
    printf("{\"exp_max_rel_error\":%.3e,\"log_max_error\":%.3e,\"exp0\":%.9g,\"log1\":%.9g}\n",
           max_exp, max_log, (double)nn_expf(0.0f), (double)nn_logf(1.0f));
    return 0;
}

int same_params(float **reference, mnist_net *net) {
    size_t n = mnist_param_count(net);
    if (!*reference) {
        *reference = malloc(n * sizeof(float));
        if (!*reference) exit(2);
        memcpy(*reference, mnist_params(net), n * sizeof(float));
        return 1;
    }
    return memcmp(*reference, mnist_params(net), n * sizeof(float)) == 0;
}

/* Training in slices of any size must give the same bits as whole batches:
 * the WASM worker trains in time slices, the CLI in batches. A synthetic set
 * of 500 images, batch 50 (and a mid-run change to batch 30 and momentum 0),
 * trained through slices of 1000, 64, 7 and 1 samples. With "adam": Adam
 * and the one-cycle schedule (lr 0.01), and beta2 changed too. With "cnn": a
 * small convolutional network instead of 784-20-12-10. */
static int cmd_slices(int argc, char **argv) {
    enum { N = 500 };
    static uint8_t pixels[N * MNIST_PIXELS], labels[N];
    int adam = 0, cnn = 0;
    for (int i = 0; i < argc; i++) {
        adam |= strcmp(argv[i], "adam") == 0;
        cnn |= strcmp(argv[i], "cnn") == 0;
    }
    synthetic_set(pixels, labels, N, 3);
    mnist_dataset ds = {pixels, labels, N};
    const long slices[] = {1000, 64, 7, 1};
    float *reference = NULL;
    int identical = 1;
    long iterations[4];
    for (int v = 0; v < 4; v++) {
        mnist_config cfg;
        mnist_error err;
        mnist_preset("default", &cfg, NULL);
        mnist_parse_arch(cnn ? "784-c3k3-p2-c4k3pad1-p2-12-10" : "784-20-12-10", &cfg, &err);
        cfg.hyper.batch_size = 50;
        if (adam) {
            cfg.hyper.optimizer = MNIST_OPT_ADAM;
            cfg.hyper.schedule = MNIST_SCHEDULE_ONECYCLE;
            cfg.hyper.learning_rate = 0.01f;
        }
        mnist_net *net = mnist_create(&cfg, &err);
        mnist_train_attach(net, &ds, &err);
        mnist_progress p;
        memset(&p, 0, sizeof p);
        while (p.epoch < 3) {
            if (mnist_train(net, slices[v], &p, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); return 1; }
            if (p.epoch == 1 && p.epoch_ended) { /* change hyperparameters between epochs */
                mnist_hyper h = mnist_get_hyper(net);
                h.batch_size = 30;
                h.momentum = 0.0f;
                h.beta2 = 0.99f;
                mnist_set_hyper(net, &h, &err);
            }
        }
        iterations[v] = p.iterations;
        if (!same_params(&reference, net)) identical = 0;
        mnist_free(net);
    }
    printf("{\"identical\":%s,\"iterations\":[%ld,%ld,%ld,%ld]}\n", identical ? "true" : "false",
           iterations[0], iterations[1], iterations[2], iterations[3]);
    free(reference);
    return 0;
}

/* Each text through mnist_parse_arch: its status, message and field, and when
 * it parses, the layer sizes and the text mnist_arch_format makes of them. */
static int cmd_arch(int argc, char **argv) {
    printf("[");
    for (int i = 0; i < argc; i++) {
        mnist_config cfg;
        mnist_error err;
        memset(&err, 0, sizeof err);
        mnist_preset("default", &cfg, NULL);
        mnist_status st = mnist_parse_arch(argv[i], &cfg, &err);
        printf("%s{\"code\":\"%s\",\"message\":", i ? "," : "", status_name(st));
        print_json_string(st == MNIST_OK ? "" : err.message);
        printf(",\"field\":");
        print_json_string(st == MNIST_OK ? "" : err.field);
        if (st == MNIST_OK) {
            char text[128];
            mnist_arch_format(cfg.n_layers, cfg.sizes, cfg.layers, text, sizeof text);
            printf(",\"format\":");
            print_json_string(text);
            printf(",\"sizes\":[");
            for (int l = 0; l <= cfg.n_layers; l++) printf(l ? ",%d" : "%d", cfg.sizes[l]);
            printf("]");
        }
        printf("}");
    }
    printf("]\n");
    return 0;
}

static int cmd_rules(void) {
    size_t n = mnist_rules_json(NULL, 0);
    char *text = malloc(n + 1), small[16];
    if (!text) return 2;
    /* the length comes first, and a short buffer gets a cut, terminated text */
    if (mnist_rules_json(text, n + 1) != n || strlen(text) != n) return 1;
    if (mnist_rules_json(small, sizeof small) != n || strlen(small) != sizeof small - 1) return 1;
    printf("%s\n", text);
    free(text);
    return 0;
}

static int cmd_config_json_nonfinite(void) {
    mnist_config c;
    mnist_error err;
    if (mnist_preset("default", &c, &err) != MNIST_OK) return 1;
    c.hyper.learning_rate = NAN;
    c.hyper.momentum = INFINITY;
    c.hyper.weight_decay = -INFINITY;
    size_t n = mnist_config_json(&c, NULL, 0);
    char *text = malloc(n + 1);
    if (!text) return 2;
    mnist_config_json(&c, text, n + 1);
    printf("%s\n", text);
    free(text);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: core_check COMMAND ...\n"); return 2; }
    const char *cmd = argv[1];
    if (strcmp(cmd, "gradcheck") == 0) return cmd_gradcheck(argc - 2, argv + 2);
    if (strcmp(cmd, "convcheck") == 0) return cmd_convcheck(argc - 2, argv + 2);
    if (strcmp(cmd, "convparity") == 0) return cmd_convparity();
    if (strcmp(cmd, "seed-step") == 0) return cmd_seed_step(argc - 2, argv + 2);
    if (strcmp(cmd, "idx") == 0) return cmd_idx(argc - 2, argv + 2);
    if (strcmp(cmd, "model") == 0) return cmd_model(argc - 2, argv + 2);
    if (strcmp(cmd, "model-save") == 0) return cmd_model_save(argc - 2, argv + 2);
    if (strcmp(cmd, "expf") == 0) return cmd_expf();
    if (strcmp(cmd, "slices") == 0) return cmd_slices(argc - 2, argv + 2);
    if (strcmp(cmd, "rules") == 0) return cmd_rules();
    if (strcmp(cmd, "config-json-nonfinite") == 0) return cmd_config_json_nonfinite();
    if (strcmp(cmd, "shift") == 0) return cmd_shift();
    if (strncmp(cmd, "teach", 5) == 0) return cmd_teach(cmd, argc - 2, argv + 2);
    if (strcmp(cmd, "warp") == 0) return cmd_warp();
    if (strcmp(cmd, "cnn-dump") == 0) return cmd_cnndump(argc - 2, argv + 2);
    if (strcmp(cmd, "arch") == 0) return cmd_arch(argc - 2, argv + 2);
    int status = cmd_optimizer(cmd, argc - 2, argv + 2);
    if (status >= 0) return status;
    fprintf(stderr, "unknown command %s\n", cmd);
    return 2;
}

