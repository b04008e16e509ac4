/* train.c - the training loop (mnist_train); the optimiser is in optim.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

static long effective_batch(const mnist_net *net) {
    long n = net->train->count;
    return net->hyper.batch_size < n ? net->hyper.batch_size : n;
}

static void start_epoch(mnist_net *net) {
    long n = net->train->count;
    net->cursor = net->batch_start = 0;
    net->epoch_loss_sum = 0;
    net->epoch_correct = 0;
    /* Full-batch descent sums over every sample anyway: no shuffle needed. */
    if (effective_batch(net) >= n) return;
    for (long i = n - 1; i > 0; i--) { /* Fisher-Yates */
        long j = (long)nn_rng_below(&net->rng, (uint32_t)(i + 1));
        uint32_t t = net->order[i];
        net->order[i] = net->order[j];
        net->order[j] = t;
    }
}

/* The one-cycle schedule's plan: the updates left from here to `epochs`
 * (whole epochs of this set at this batch size) or to `iterations`,
 * whichever comes first; at least 1. */
static void plan(mnist_net *net) {
    const mnist_hyper *h = &net->hyper;
    double per_epoch = ceil((double)net->train->count / (double)effective_batch(net));
    double left = h->epochs ? (double)(h->epochs - net->epoch) * per_epoch : HUGE_VAL;
    if (h->iterations && (double)(h->iterations - net->iterations) < left) left = (double)(h->iterations - net->iterations);
    net->plan_start = net->iterations;
    net->plan_updates = left < 1.0 ? 1.0 : left;
}

mnist_status mnist_train_attach(mnist_net *net, const mnist_dataset *train, mnist_error *err) {
    if (!train || !train->pixels || !train->labels || train->count < 1) {
        nn_set_error(err, MNIST_E_STATE, "training set is empty");
        return MNIST_E_STATE;
    }
    uint32_t *order = malloc(sizeof(uint32_t) * (size_t)train->count);
    if (!order) {
        nn_set_error(err, MNIST_E_NOMEM, "out of memory for the shuffle order of %ld samples",
                     train->count);
        return MNIST_E_NOMEM;
    }
    for (long i = 0; i < train->count; i++) order[i] = (uint32_t)i;
    free(net->order);
    net->order = order;
    net->train = train;
    /* A half-done batch of the previous set is dropped. */
    memset(net->grads, 0, sizeof(float) * net->n_params);
    net->batch_loss_sum = 0;
    net->batch_correct = 0;
    plan(net);
    start_epoch(net);
    return MNIST_OK;
}

/* Where the current batch ends in this epoch's order. */
static long batch_end(const mnist_net *net) {
    long end = net->batch_start + effective_batch(net);
    if (end > net->train->count) end = net->train->count;
    return end < net->cursor ? net->cursor : end; /* the batch size shrank mid-batch */
}

/* Whether training samples are augmented (shifted, turned or scaled). */
static int augmenting(const mnist_hyper *h) { return h->shift > 0 || h->rotate > 0.0f || h->scale > 0.0f; }

/* A uniform draw in [-max, max] (24-bit resolution). */
static double symmetric(nn_rng *rng, float max) { return (double)max * (2.0 * (double)nn_rng_uniform(rng) - 1.0); }

/* One sample's augmentation: its shift (dx, then dy) if hyper.shift is on, its
 * angle if rotate is on, its factor if scale is on, drawn in that order. The
 * angle's sine and cosine come from nn_cospi (the same bits everywhere). */
static nn_augment draw_augment(nn_rng *rng, const mnist_hyper *h) {
    nn_augment a = {0, 0, 0, 1.0f, 0.0f};
    if (h->shift > 0) {
        a.dx = (int8_t)((long)nn_rng_below(rng, (uint32_t)(2 * h->shift + 1)) - h->shift);
        a.dy = (int8_t)((long)nn_rng_below(rng, (uint32_t)(2 * h->shift + 1)) - h->shift);
    }
    if (h->rotate <= 0.0f && h->scale <= 0.0f) return a;
    double degrees = h->rotate > 0.0f ? symmetric(rng, h->rotate) : 0.0;
    double factor = h->scale > 0.0f ? 1.0 + symmetric(rng, h->scale) : 1.0;
    double turn = (degrees < 0 ? -degrees : degrees) / 180.0; /* in [0, 1/4]: cos(pi turn), sin = cos(pi (1/2 - turn)) */
    double c = nn_cospi(turn), s = nn_cospi(0.5 - turn);
    a.warped = 1;
    a.cos_f = (float)(c / factor);
    a.sin_f = (float)((degrees < 0 ? -s : s) / factor);
    return a;
}

/* The next chunk of the batch (at most net->chunk samples, at most `room`):
 * its pixel rows and labels, in this epoch's order, and with augmentation on,
 * each sample's random augmentation (draw_augment), drawn here on the calling
 * thread in sample order, so the bits do not depend on threads or slices.
 * Returns its size. */
static int next_chunk(mnist_net *net, long end, long room) {
    long count = end - net->cursor;
    if (count > net->chunk) count = net->chunk;
    if (count > room) count = room;
    const mnist_dataset *ds = net->train;
    for (long j = 0; j < count; j++) {
        uint32_t idx = net->order[net->cursor + j];
        net->chunk_rows[j] = ds->pixels + (size_t)idx * MNIST_PIXELS;
        net->chunk_labels[j] = ds->labels[idx];
    }
    for (long j = 0; augmenting(&net->hyper) && j < count; j++) net->chunk_aug[j] = draw_augment(&net->rng, &net->hyper);
    return (int)count;
}

/* Adds the chunk's losses and right answers to the batch's; 0 (and the net
 * marked diverged) when the loss is no longer finite. */
static int score_chunk(mnist_net *net, int count) {
    const float *probs = net->acts[net->n_layers];
    for (int j = 0; j < count; j++) {
        net->batch_loss_sum += net->losses[j];
        if (nn_argmax(probs + j * MNIST_CLASSES, MNIST_CLASSES) == net->chunk_labels[j]) net->batch_correct++;
    }
    if (!isfinite(net->batch_loss_sum)) net->diverged = 1;
    return !net->diverged;
}

/* Books a completed batch of m samples; at the end of the epoch, decays the
 * rate, starts the next epoch and returns 1. */
static int end_batch(mnist_net *net, long m, mnist_progress *p) {
    const long n = net->train->count;
    net->iterations++;
    net->last_batch_loss = net->batch_loss_sum / (double)m;
    net->last_batch_accuracy = (double)net->batch_correct / (double)m;
    net->epoch_loss_sum += net->batch_loss_sum;
    net->epoch_correct += net->batch_correct;
    net->batch_loss_sum = 0;
    net->batch_correct = 0;
    net->batch_start = net->cursor;
    p->batch_ended = 1;
    if (net->cursor < n) return 0;
    p->epoch_ended = 1;
    p->epoch_samples = n;
    p->epoch_loss = net->epoch_loss_sum / (double)n;
    p->epoch_accuracy = (double)net->epoch_correct / (double)n;
    net->epoch++;
    net->lr_epoch *= net->hyper.lr_decay;
    start_epoch(net);
    return 1;
}

/* The rest of *p: the counters, and mid-epoch the running figures of the
 * epoch so far (over completed batches only). */
static void report(const mnist_net *net, mnist_progress *p) {
    if (!p->epoch_ended) {
        long seen = net->batch_start;
        p->epoch_samples = seen;
        p->epoch_loss = seen ? net->epoch_loss_sum / (double)seen : 0.0;
        p->epoch_accuracy = seen ? (double)net->epoch_correct / (double)seen : 0.0;
    }
    p->epoch = net->epoch;
    p->iterations = net->iterations;
    p->samples = net->samples;
    p->batch_loss = net->last_batch_loss;
    p->batch_accuracy = net->last_batch_accuracy;
    p->diverged = net->diverged;
    p->learning_rate = mnist_learning_rate(net);
}

mnist_status mnist_train(mnist_net *net, long max_samples, mnist_progress *progress,
                         mnist_error *err) {
    if (!net->train) {
        nn_set_error(err, MNIST_E_STATE, "no training set attached");
        return MNIST_E_STATE;
    }
    if (net->diverged) {
        nn_set_error(err, MNIST_E_STATE, "training diverged (loss is not finite); reset the network");
        return MNIST_E_STATE;
    }
    if (max_samples < 1) {
        nn_set_error(err, MNIST_E_CONFIG, "samples per call must be >= 1, got %ld", max_samples);
        return MNIST_E_CONFIG;
    }
    mnist_progress p;
    memset(&p, 0, sizeof p);
    for (long done = 0; done < max_samples && !net->diverged;) {
        long end = batch_end(net);
        int count = next_chunk(net, end, max_samples - done);
        if (count > 0) {
            nn_forward(net, net->chunk_rows, augmenting(&net->hyper) ? net->chunk_aug : NULL,
                       net->chunk_labels, count);                       /* Z = W X + b, A = g(Z) */
            if (!score_chunk(net, count)) break;
            nn_backward(net, net->chunk_labels, count);                 /* dZ2 = A2 - Y, dW += dZ A^T */
            net->cursor += count;
            net->samples += count;
            done += count;
        }
        if (net->cursor < end) continue; /* the batch goes on in the next chunk or call */
        long m = end - net->batch_start;
        nn_update(net, m);                                              /* W := W - alpha dW / m */
        if (end_batch(net, m, &p)) break;
    }
    report(net, &p);
    if (progress) *progress = p;
    return MNIST_OK;
}
