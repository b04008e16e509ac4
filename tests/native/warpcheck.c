/* warpcheck.c - core_check warp: the rotation and scaling augmentation
 * (hyper.rotate, hyper.scale; pixels_to_float_augmented).
 *
 * 1. The resampling itself, on a synthetic image:
 *    - no turn and factor 1 with a shift is the whole-pixel shift, bit for bit;
 *    - a quarter turn moves pixel centres onto pixel centres: exactly the
 *      image turned (out[y][x] = in[27 - x][y]);
 *    - half size (factor 1/2) averages 2x2 blocks (to float rounding);
 *    - random turns, factors and shifts against a double-precision reference
 *      with the C library's sin and cos (bilinear, zero outside).
 * 2. Training with rotate 15, scale 0.2 and shift 1: every draw is in range
 *    (angle, factor, shift), both directions occur, and the converted input of
 *    each sample is its image augmented by its draw.
 * 3. Training in slices of 1000, 64, 7 and 1 samples gives the same parameters
 *    bit for bit (a dense and a small convolutional net), with the settings
 *    changed between slices after the first epoch.
 * One JSON line. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { N = 300, BATCH = 40 };
static uint8_t pixels[N * MNIST_PIXELS], labels[N];

/* in at (row y, column x) / 255, 0 outside; the reference's sampling. */
static double at(const uint8_t *img, int y, int x) {
    return y >= 0 && y < MNIST_ROWS && x >= 0 && x < MNIST_COLS ? img[y * MNIST_COLS + x] / 255.0 : 0.0;
}

/* The reference: the image turned by `degrees`, scaled by `factor`, moved by (dx, dy), in doubles. */
static void reference(double *out, const uint8_t *img, double degrees, double factor, int dx, int dy) {
    double t = degrees * 3.14159265358979323846 / 180.0, c = cos(t) / factor, s = sin(t) / factor;
    for (int y = 0; y < MNIST_ROWS; y++)
        for (int x = 0; x < MNIST_COLS; x++) {
            double px = x - dx + 0.5 - 14.0, py = y - dy + 0.5 - 14.0;
            double sx = c * px + s * py + 13.5, sy = c * py - s * px + 13.5;
            int x0 = (int)floor(sx), y0 = (int)floor(sy);
            double tx = sx - x0, ty = sy - y0;
            out[y * MNIST_COLS + x] = (1 - ty) * ((1 - tx) * at(img, y0, x0) + tx * at(img, y0, x0 + 1)) +
                                      ty * ((1 - tx) * at(img, y0 + 1, x0) + tx * at(img, y0 + 1, x0 + 1));
        }
}

static double max_error(const float *got, const double *want) {
    double worst = 0;
    for (int i = 0; i < MNIST_PIXELS; i++) {
        double e = fabs((double)got[i] - want[i]);
        if (e > worst) worst = e;
    }
    return worst;
}

/* Check 1: prints its JSON fields. */
static void check_resampling(void) {
    const uint8_t *img = pixels; /* a synthetic digit with ink off-centre */
    float got[MNIST_PIXELS], want[MNIST_PIXELS];
    double ref[MNIST_PIXELS];

    nn_augment shift_only = {2, -1, 1, 1.0f, 0.0f};
    pixels_to_float_augmented(got, img, &shift_only);
    pixels_to_float_shifted(want, img, 2, -1);
    int identity = memcmp(got, want, sizeof got) == 0;

    nn_augment quarter = {0, 0, 1, 0.0f, 1.0f};
    pixels_to_float_augmented(got, img, &quarter);
    int quarter_exact = 1;
    for (int y = 0; y < MNIST_ROWS; y++)
        for (int x = 0; x < MNIST_COLS; x++) {
            float v = (float)img[(27 - x) * MNIST_COLS + y] / 255.0f;
            if (memcmp(&v, &got[y * MNIST_COLS + x], sizeof v) != 0) quarter_exact = 0;
        }

    nn_augment half = {0, 0, 1, 2.0f, 0.0f};
    pixels_to_float_augmented(got, img, &half);
    reference(ref, img, 0.0, 0.5, 0, 0);
    double half_error = max_error(got, ref);

    nn_rng rng;
    nn_rng_seed(&rng, 5, 1);
    double worst = 0;
    for (int k = 0; k < 200; k++) {
        const uint8_t *im = pixels + (size_t)(k % N) * MNIST_PIXELS;
        double degrees = 90.0 * (2.0 * nn_rng_uniform(&rng) - 1.0);
        double factor = 0.5 + nn_rng_uniform(&rng);
        int dx = (int)nn_rng_below(&rng, 5) - 2, dy = (int)nn_rng_below(&rng, 5) - 2;
        double t = degrees * 3.14159265358979323846 / 180.0;
        nn_augment a = {(int8_t)dx, (int8_t)dy, 1, (float)(cos(t) / factor), (float)(sin(t) / factor)};
        pixels_to_float_augmented(got, im, &a);
        reference(ref, im, degrees, factor, dx, dy);
        double e = max_error(got, ref);
        if (e > worst) worst = e;
    }
    printf("\"identityIsShift\":%s,\"quarterTurnExact\":%s,\"halfSizeError\":%.3g,\"maxError\":%.3g",
           identity ? "true" : "false", quarter_exact ? "true" : "false", half_error, worst);
}

static mnist_net *make_net(const char *arch, long batch) {
    mnist_config cfg;
    mnist_error err;
    mnist_preset("default", &cfg, NULL);
    if (mnist_parse_arch(arch, &cfg, &err) != MNIST_OK) return NULL;
    cfg.hyper.batch_size = batch;
    cfg.hyper.shift = 1;
    cfg.hyper.rotate = 15.0f;
    cfg.hyper.scale = 0.2f;
    return mnist_create(&cfg, &err);
}

/* Check 2: prints its JSON fields. */
static void check_draws(void) {
    mnist_dataset ds = {pixels, labels, N};
    mnist_error err;
    mnist_net *net = make_net("784-16-10", BATCH);
    mnist_train_attach(net, &ds, &err);
    long samples = 0, out_of_range = 0, mismatches = 0, unwarped = 0;
    double angle_min = 1e9, angle_max = -1e9, factor_min = 1e9, factor_max = -1e9;
    float want[MNIST_PIXELS];
    for (int k = 0; k < 5; k++) {
        mnist_progress p;
        long cursor = net->cursor;
        if (mnist_train(net, BATCH, &p, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); exit(1); }
        for (int b = 0; b < BATCH; b++, samples++) {
            const nn_augment *a = &net->chunk_aug[b];
            double angle = atan2(a->sin_f, a->cos_f) * 180.0 / 3.14159265358979323846;
            double factor = 1.0 / hypot(a->sin_f, a->cos_f);
            if (!a->warped) unwarped++;
            if (fabs(angle) > 15.0 + 1e-4 || factor < 0.8 - 1e-6 || factor > 1.2 + 1e-6 || a->dx < -1 || a->dx > 1 ||
                a->dy < -1 || a->dy > 1)
                out_of_range++;
            if (angle < angle_min) angle_min = angle;
            if (angle > angle_max) angle_max = angle;
            if (factor < factor_min) factor_min = factor;
            if (factor > factor_max) factor_max = factor;
            pixels_to_float_augmented(want, pixels + (size_t)net->order[cursor + b] * MNIST_PIXELS, a);
            if (memcmp(want, net->acts[0] + (long)b * MNIST_PIXELS, sizeof want) != 0) mismatches++;
        }
    }
    printf(",\"draws\":{\"samples\":%ld,\"unwarped\":%ld,\"outOfRange\":%ld,\"inputMismatches\":%ld,"
           "\"angleMin\":%.3f,\"angleMax\":%.3f,\"factorMin\":%.4f,\"factorMax\":%.4f}",
           samples, unwarped, out_of_range, mismatches, angle_min, angle_max, factor_min, factor_max);
    mnist_free(net);
}

/* Check 3's nets: batch 30; after the first epoch turns only, larger, batch 20. */
static mnist_net *warping_net(const char *arch) { return make_net(arch, 30); }
static void turns_only(mnist_hyper *h) {
    h->rotate = 25.0f;
    h->scale = 0.0f;
    h->batch_size = 20;
}

int cmd_warp(void) {
    synthetic_set(pixels, labels, N, 11);
    printf("{");
    check_resampling();
    check_draws();
    mnist_dataset ds = {pixels, labels, N};
    print_slices(warping_net, &ds, turns_only);
    return 0;
}
