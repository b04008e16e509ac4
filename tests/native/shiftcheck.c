/* shiftcheck.c - core_check shift: the random-shift augmentation (hyper.shift).
 *
 * 1. The converted input of a training chunk (acts[0] after mnist_train)
 *    equals each image moved by the (dx, dy) drawn for it, with zero fill,
 *    rebuilt here by an independent loop from the dataset and the draws; and
 *    the draws cover [-shift, shift] on both axes and nothing outside it.
 * 2. With shift 0 the input is the image unchanged (x / 255), and no draw is
 *    made: the PRNG is where it was.
 * 3. With shift on, training in slices of 1000, 64, 7 and 1 samples gives the
 *    same parameters bit for bit (a dense and a small convolutional net).
 * One JSON line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { N = 300, BATCH = 40 };
static uint8_t pixels[N * MNIST_PIXELS], labels[N];

static mnist_net *make_net(const char *arch, long shift, long batch) {
    mnist_config cfg;
    mnist_error err;
    mnist_preset("default", &cfg, NULL);
    if (mnist_parse_arch(arch, &cfg, &err) != MNIST_OK) return NULL;
    cfg.hyper.batch_size = batch;
    cfg.hyper.shift = shift;
    mnist_net *net = mnist_create(&cfg, &err);
    return net;
}

/* Trains one chunk of `count` samples, then compares its acts[0] with the
 * images moved by the stored draws (an independent loop: the reference
 * value is computed as (float)v / 255.0f). Adds to *mismatches, *moved (the
 * samples with a non-zero shift) and marks seen[dx + 4][dy + 4]. */
static void check_chunk(mnist_net *net, long shift, int count, long *mismatches, long *moved, int seen[9][9]) {
    mnist_progress p;
    mnist_error err;
    long cursor = net->cursor;
    if (mnist_train(net, count, &p, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); exit(1); }
    for (int b = 0; b < count; b++) {
        const uint8_t *img = pixels + (size_t)net->order[cursor + b] * MNIST_PIXELS;
        int dx = shift ? net->chunk_aug[b].dx : 0, dy = shift ? net->chunk_aug[b].dy : 0;
        if (dx < -shift || dx > shift || dy < -shift || dy > shift) { (*mismatches)++; continue; }
        seen[dx + 4][dy + 4] = 1;
        if (dx || dy) (*moved)++;
        const float *x = net->acts[0] + (long)b * MNIST_PIXELS;
        for (int r = 0; r < MNIST_ROWS; r++)
            for (int c = 0; c < MNIST_COLS; c++) {
                int sr = r - dy, sc = c - dx;
                float want = 0.0f;
                if (sr >= 0 && sr < MNIST_ROWS && sc >= 0 && sc < MNIST_COLS)
                    want = (float)img[sr * MNIST_COLS + sc] / 255.0f;
                if (memcmp(&want, &x[r * MNIST_COLS + c], sizeof want) != 0) (*mismatches)++;
            }
    }
}

/* Checks 1 and 2 for one shift over a few chunks; prints its JSON fields. */
static void check_conversion(long shift) {
    mnist_dataset ds = {pixels, labels, N};
    mnist_error err;
    mnist_net *net = make_net("784-16-10", shift, BATCH);
    mnist_train_attach(net, &ds, &err);
    int seen[9][9];
    memset(seen, 0, sizeof seen);
    long mismatches = 0, moved = 0;
    nn_rng before = net->rng;
    for (int k = 0; k < 5; k++) check_chunk(net, shift, BATCH, &mismatches, &moved, seen);
    int covered = 0;
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < 9; j++) covered += seen[i][j];
    int rng_moved = memcmp(&before, &net->rng, sizeof before) != 0;
    printf("\"shift%ld\":{\"samples\":%d,\"mismatches\":%ld,\"moved\":%ld,\"covered\":%d,\"rngMoved\":%s}", shift,
           5 * BATCH, mismatches, moved, covered, rng_moved ? "true" : "false");
    mnist_free(net);
}

static int slices_keep_bits(mnist_net *net_of(const char *arch), const char *arch, const mnist_dataset *ds,
                            void change(mnist_hyper *h)) {
    static const long slices[] = {1000, 64, 7, 1};
    mnist_error err;
    float *reference = NULL;
    int identical = 1;
    for (int v = 0; v < 4; v++) {
        mnist_net *net = net_of(arch);
        mnist_train_attach(net, ds, &err);
        mnist_progress p;
        memset(&p, 0, sizeof p);
        while (p.epoch < 2) {
            if (mnist_train(net, slices[v], &p, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); exit(1); }
            if (p.epoch == 1 && p.epoch_ended) { /* changed between slices */
                mnist_hyper h = mnist_get_hyper(net);
                change(&h);
                mnist_set_hyper(net, &h, &err);
            }
        }
        if (!same_params(&reference, net)) identical = 0;
        mnist_free(net);
    }
    free(reference);
    return identical;
}

/* Check 3's nets: shift 2, batch 30; after the first epoch a larger shift, batch 20. */
static mnist_net *shifting_net(const char *arch) { return make_net(arch, 2, 30); }
static void larger_shift(mnist_hyper *h) {
    h->shift = 3;
    h->batch_size = 20;
}

void print_slices(mnist_net *net_of(const char *arch), const mnist_dataset *ds, void change(mnist_hyper *h)) {
    printf(",\"slicesDense\":%s", slices_keep_bits(net_of, "784-20-10", ds, change) ? "true" : "false");
    printf(",\"slicesCnn\":%s}\n", slices_keep_bits(net_of, "784-c3k3-p2-12-10", ds, change) ? "true" : "false");
}

int cmd_shift(void) {
    synthetic_set(pixels, labels, N, 7);
    printf("{");
    check_conversion(0);
    printf(",");
    check_conversion(2);
    printf(",");
    check_conversion(4);
    mnist_dataset ds = {pixels, labels, N};
    print_slices(shifting_net, &ds, larger_shift);
    return 0;
}
