/* naive.c - the "straightforward C" baseline of `make bench`.
 *
 * A 784-H-10 network (ReLU hidden layer, softmax output, cross-entropy,
 * plain mini-batch SGD) written the way one writes it first: every matrix
 * product is a plain triple loop over row-major arrays, no manual SIMD, no
 * blocking, no packing. The loops run in the natural i-k-j order over
 * input-major weights (W1 is 784 x H, W2 is H x 10, as in X W), so the
 * innermost loop walks contiguous memory and the compiler vectorises it,
 * which is how the issue measured "straightforward C" (about 23,000
 * samples/s from emcc -O3 -msimd128). Same math as the project's core:
 *
 *   Z1 = X W1 + b1     A1 = ReLU(Z1)    Z2 = A1 W2 + b2    P = softmax(Z2)
 *   dZ2 = (P - Y) / m  dW2 = A1^T dZ2   db2 = sum_i dZ2
 *   dZ1 = (dZ2 W2^T) .* (Z1 > 0)        dW1 = X^T dZ1      db1 = sum_i dZ1
 *   W := W - lr dW,    b := b - lr db
 *
 * Pixels stay uint8 and are scaled by 1/255 batch by batch.
 *
 * Builds two ways (see the Makefile's bench rules):
 *   emcc -O3 -msimd128 -ffp-contract=off --no-entry -sSTANDALONE_WASM ...
 *       -> build/bench/naive.wasm, driven by bench/runners/naive-wasm.js
 *       through the naive_* exports below (no JS glue: one import at most,
 *       emscripten_notify_memory_growth).
 *   gcc -O3 -ffp-contract=off ... -lz -lm
 *       -> build/bench/naive, whose main() (at the end, not compiled for
 *       WASM) reads the MNIST .gz files and prints one JSON line.
 */
#define _POSIX_C_SOURCE 199309L /* clock_gettime in the native driver */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((used, visibility("default")))

#define IN 784
#define OUT 10

static struct {
    int h, max_batch;
    float *w1, *b1, *w2, *b2;       /* parameters */
    float *dw1, *db1, *dw2, *db2;   /* gradients */
    float *x, *z1, *a1, *p, *dz2, *dz1; /* activations for one batch */
    uint64_t rng;
    double loss_sum;                /* sum of the cross-entropy of trained samples */
    long trained, correct;          /* samples trained on, and classified right before their update */
} g;

/* xorshift64*: uniform in [0, 1) */
static double uniform(void) {
    g.rng ^= g.rng >> 12;
    g.rng ^= g.rng << 25;
    g.rng ^= g.rng >> 27;
    return (double)((g.rng * 2685821657736338717ULL) >> 11) * (1.0 / 9007199254740992.0);
}

EXPORT void *naive_alloc(size_t n) { return malloc(n ? n : 1); }
EXPORT void naive_free(void *p) { free(p); }

static void release(void) {
    float **all[] = {&g.w1, &g.b1, &g.w2, &g.b2, &g.dw1, &g.db1, &g.dw2, &g.db2,
                     &g.x, &g.z1, &g.a1, &g.p, &g.dz2, &g.dz1};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        free(*all[i]);
        *all[i] = NULL;
    }
}

/* A fresh network with `hidden` units, He-uniform weights, zero biases,
 * room for batches of up to max_batch samples. 0 on success, -1 if out of memory. */
EXPORT int naive_init(int hidden, int max_batch, uint32_t seed) {
    release();
    g.h = hidden;
    g.max_batch = max_batch;
    g.rng = 0x9E3779B97F4A7C15ULL ^ seed;
    if (!g.rng) g.rng = 1;
    g.loss_sum = 0;
    g.trained = g.correct = 0;
    size_t h = (size_t)hidden, m = (size_t)max_batch;
    g.w1 = malloc(h * IN * sizeof(float));   g.dw1 = malloc(h * IN * sizeof(float));
    g.b1 = malloc(h * sizeof(float));        g.db1 = malloc(h * sizeof(float));
    g.w2 = malloc(OUT * h * sizeof(float));  g.dw2 = malloc(OUT * h * sizeof(float));
    g.b2 = malloc(OUT * sizeof(float));      g.db2 = malloc(OUT * sizeof(float));
    g.x = malloc(m * IN * sizeof(float));
    g.z1 = malloc(m * h * sizeof(float));    g.a1 = malloc(m * h * sizeof(float));
    g.p = malloc(m * OUT * sizeof(float));   g.dz2 = malloc(m * OUT * sizeof(float));
    g.dz1 = malloc(m * h * sizeof(float));
    if (!g.w1 || !g.dw1 || !g.b1 || !g.db1 || !g.w2 || !g.dw2 || !g.b2 || !g.db2 || !g.x ||
        !g.z1 || !g.a1 || !g.p || !g.dz2 || !g.dz1) {
        release();
        return -1;
    }
    float r1 = (float)sqrt(6.0 / IN), r2 = (float)sqrt(6.0 / hidden);
    for (size_t i = 0; i < h * IN; i++) g.w1[i] = (float)(uniform() * 2 - 1) * r1;
    for (size_t i = 0; i < OUT * h; i++) g.w2[i] = (float)(uniform() * 2 - 1) * r2;
    memset(g.b1, 0, h * sizeof(float));
    memset(g.b2, 0, OUT * sizeof(float));
    return 0;
}

/* Fisher-Yates shuffle of order[0..n-1] (filled with 0..n-1 first). */
EXPORT void naive_shuffle(int32_t *order, int n) {
    for (int i = 0; i < n; i++) order[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = (int)(uniform() * (i + 1));
        int32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
}

/* Forward pass of m samples already in g.x; probabilities in g.p.
 * Weights are stored input-major (W1 is IN x h, W2 is h x OUT, as in X W), so
 * the natural i-k-j loop order has a contiguous innermost loop. */
static void forward(int m) {
    int h = g.h;
    for (int i = 0; i < m; i++) {
        float *z = g.z1 + i * h;
        for (int j = 0; j < h; j++) z[j] = g.b1[j];
        for (int k = 0; k < IN; k++) {
            float x = g.x[i * IN + k];
            for (int j = 0; j < h; j++) z[j] += x * g.w1[k * h + j];
        }
        for (int j = 0; j < h; j++) g.a1[i * h + j] = z[j] > 0 ? z[j] : 0;
    }
    for (int i = 0; i < m; i++) {
        float *row = g.p + i * OUT;
        for (int j = 0; j < OUT; j++) row[j] = g.b2[j];
        for (int k = 0; k < h; k++) {
            float a = g.a1[i * h + k];
            for (int j = 0; j < OUT; j++) row[j] += a * g.w2[k * OUT + j];
        }
        float max = row[0], sum = 0;
        for (int j = 1; j < OUT; j++) if (row[j] > max) max = row[j];
        for (int j = 0; j < OUT; j++) {
            row[j] = expf(row[j] - max);
            sum += row[j];
        }
        for (int j = 0; j < OUT; j++) row[j] /= sum;
    }
}

static int argmax(const float *row) {
    int best = 0;
    for (int j = 1; j < OUT; j++) if (row[j] > row[best]) best = j;
    return best;
}

static void load(const uint8_t *pixels, const int32_t *order, int m) {
    for (int i = 0; i < m; i++) {
        const uint8_t *src = pixels + (size_t)(order ? order[i] : i) * IN;
        for (int k = 0; k < IN; k++) g.x[i * IN + k] = src[k] / 255.0f;
    }
}

/* One SGD step on the m samples order[0..m-1] of pixels/labels (m <= max_batch). */
EXPORT void naive_train_batch(const uint8_t *pixels, const uint8_t *labels, const int32_t *order,
                              int m, float lr) {
    int h = g.h;
    load(pixels, order, m);
    forward(m);

    /* loss, and dZ2 = (P - Y) / m */
    for (int i = 0; i < m; i++) {
        int y = labels[order[i]];
        const float *row = g.p + i * OUT;
        g.loss_sum -= log(row[y] > 1e-30f ? row[y] : 1e-30f);
        g.correct += argmax(row) == y;
        for (int j = 0; j < OUT; j++) g.dz2[i * OUT + j] = (row[j] - (j == y ? 1.0f : 0.0f)) / m;
    }
    g.trained += m;

    /* dW2 = A1^T dZ2, db2 = column sums of dZ2 */
    memset(g.dw2, 0, (size_t)h * OUT * sizeof(float));
    memset(g.db2, 0, OUT * sizeof(float));
    for (int i = 0; i < m; i++) {
        for (int k = 0; k < h; k++) {
            float a = g.a1[i * h + k];
            for (int j = 0; j < OUT; j++) g.dw2[k * OUT + j] += a * g.dz2[i * OUT + j];
        }
        for (int j = 0; j < OUT; j++) g.db2[j] += g.dz2[i * OUT + j];
    }

    /* dZ1 = (dZ2 W2^T) .* ReLU'(Z1) */
    for (int i = 0; i < m; i++) {
        for (int k = 0; k < h; k++) {
            float s = 0;
            for (int j = 0; j < OUT; j++) s += g.dz2[i * OUT + j] * g.w2[k * OUT + j];
            g.dz1[i * h + k] = g.z1[i * h + k] > 0 ? s : 0;
        }
    }

    /* dW1 = X^T dZ1, db1 = column sums of dZ1 */
    memset(g.dw1, 0, (size_t)h * IN * sizeof(float));
    memset(g.db1, 0, (size_t)h * sizeof(float));
    for (int i = 0; i < m; i++) {
        for (int k = 0; k < IN; k++) {
            float x = g.x[i * IN + k];
            for (int j = 0; j < h; j++) g.dw1[k * h + j] += x * g.dz1[i * h + j];
        }
        for (int j = 0; j < h; j++) g.db1[j] += g.dz1[i * h + j];
    }

    /* SGD */
    for (int i = 0; i < h * IN; i++) g.w1[i] -= lr * g.dw1[i];
    for (int i = 0; i < h; i++) g.b1[i] -= lr * g.db1[i];
    for (int i = 0; i < OUT * h; i++) g.w2[i] -= lr * g.dw2[i];
    for (int i = 0; i < OUT; i++) g.b2[i] -= lr * g.db2[i];
}

/* Number of the n images classified right, in batches of max_batch. */
EXPORT int naive_evaluate(const uint8_t *pixels, const uint8_t *labels, int n) {
    int correct = 0;
    for (int first = 0; first < n; first += g.max_batch) {
        int m = n - first < g.max_batch ? n - first : g.max_batch;
        load(pixels + (size_t)first * IN, NULL, m);
        forward(m);
        for (int i = 0; i < m; i++) correct += argmax(g.p + i * OUT) == labels[first + i];
    }
    return correct;
}

/* Mean training loss and accuracy over the samples trained since naive_init. */
EXPORT double naive_train_loss(void) { return g.trained ? g.loss_sum / g.trained : 0; }
EXPORT double naive_train_accuracy(void) { return g.trained ? (double)g.correct / g.trained : 0; }

#ifndef __EMSCRIPTEN__
/* ---- native command-line driver ----------------------------------------------
 *   naive --train-images PATH --train-labels PATH --test-images PATH --test-labels PATH
 *         [--hidden 128] [--batch 64] [--lr 0.1] [--warmup 50] [--seed 1]
 * Trains `warmup` batches on a throwaway network (not timed), then a fresh
 * network for one epoch over the 60,000 training images in a shuffled order
 * (timed: training only), then evaluates the 10,000 test images, and prints
 * one JSON line. */
#include <stdio.h>
#include <time.h>
#include <zlib.h>

static uint8_t *read_gz(const char *path, size_t header, size_t *count, size_t item) {
    gzFile f = gzopen(path, "rb");
    if (!f) {
        fprintf(stderr, "naive: cannot open %s\n", path);
        exit(1);
    }
    size_t cap = 1 << 20, len = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (len == cap) buf = realloc(buf, cap *= 2);
        if (!buf) {
            fprintf(stderr, "naive: out of memory reading %s\n", path);
            exit(1);
        }
        int got = gzread(f, buf + len, (unsigned)(cap - len));
        if (got < 0) {
            fprintf(stderr, "naive: cannot read %s\n", path);
            exit(1);
        }
        if (got == 0) break;
        len += (size_t)got;
    }
    gzclose(f);
    if (len < header || (len - header) % item) {
        fprintf(stderr, "naive: %s is not an IDX file of the expected shape\n", path);
        exit(1);
    }
    *count = (len - header) / item;
    return buf;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    /* The four IDX files, by path: their names' one home is common/datasets.js (bench/dense.js). */
    const char *files[4] = {NULL, NULL, NULL, NULL};
    static const char *const file_flags[4] = {"--train-images", "--train-labels", "--test-images", "--test-labels"};
    int hidden = 128, batch = 64, warmup = 50;
    float lr = 0.1f;
    unsigned seed = 1;
    for (int i = 1; i + 1 < argc; i += 2) {
        int f = 0;
        while (f < 4 && strcmp(argv[i], file_flags[f])) f++;
        if (f < 4) files[f] = argv[i + 1];
        else if (!strcmp(argv[i], "--hidden")) hidden = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--batch")) batch = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--lr")) lr = (float)atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--warmup")) warmup = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--seed")) seed = (unsigned)atoi(argv[i + 1]);
        else {
            fprintf(stderr, "naive: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    for (int f = 0; f < 4; f++) {
        if (!files[f]) {
            fprintf(stderr, "naive: %s PATH is missing\n", file_flags[f]);
            return 2;
        }
    }
    if (hidden < 1 || batch < 1 || !(lr > 0)) {
        fprintf(stderr, "naive: bad --hidden, --batch or --lr\n");
        return 2;
    }
    size_t n_train, n_train_labels, n_test, n_test_labels;
    uint8_t *train_images = read_gz(files[0], 16, &n_train, IN);
    uint8_t *train_labels = read_gz(files[1], 8, &n_train_labels, 1);
    uint8_t *test_images = read_gz(files[2], 16, &n_test, IN);
    uint8_t *test_labels = read_gz(files[3], 8, &n_test_labels, 1);
    if (n_train != n_train_labels || n_test != n_test_labels) {
        fprintf(stderr, "naive: image and label counts differ\n");
        return 1;
    }
    int n = (int)n_train;
    int32_t *order = malloc((size_t)n * sizeof *order);
    if (!order) return 1;

    /* warm-up: a throwaway network */
    if (naive_init(hidden, batch, seed + 1000) != 0) return 1;
    naive_shuffle(order, n);
    for (int b = 0; b < warmup && (long)(b + 1) * batch <= n; b++)
        naive_train_batch(train_images + 16, train_labels + 8, order + (size_t)b * batch, batch, lr);

    /* the timed epoch */
    if (naive_init(hidden, batch, seed) != 0) return 1;
    double t0 = now();
    naive_shuffle(order, n);
    for (int first = 0; first < n; first += batch) {
        int m = n - first < batch ? n - first : batch;
        naive_train_batch(train_images + 16, train_labels + 8, order + first, m, lr);
    }
    double seconds = now() - t0;
    int correct = naive_evaluate(test_images + 16, test_labels + 8, (int)n_test);
    printf("{\"impl\":\"naive-native\",\"arch\":\"784-%d-10\",\"batch\":%d,\"samples\":%d,"
           "\"seconds\":%.3f,\"samples_per_second\":%.0f,\"train_loss\":%.4f,\"train_accuracy\":%.4f,"
           "\"test_accuracy\":%.4f}\n",
           hidden, batch, n, seconds, n / seconds, naive_train_loss(), naive_train_accuracy(),
           (double)correct / (double)n_test);
    free(order);
    free(train_images);
    free(train_labels);
    free(test_images);
    free(test_labels);
    release();
    return 0;
}
#endif
