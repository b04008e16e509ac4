/* teach.c - teaching the network a drawing it misread (mnist_teach, in
 * mnist.h): the drawing joins the network's taught examples, then a few
 * plain SGD steps train on batches that mix it, small shifts of it, the
 * other taught examples and random training images, beside the training run
 * (which finds everything it keeps as it left it). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

/* The recipe, measured in docs/handwriting.md. */
enum {
    TEACH_BATCH = 64,      /* samples per step */
    TEACH_COPIES = 8,      /* of them the drawing: as drawn, then randomly shifted */
    TEACH_OTHERS = 4,      /* at most this many earlier taught examples (shifted) */
    TEACH_SHIFT = 2,       /* the shifts: up to this many pixels each way */
    TEACH_MIN_STEPS = 4,
    TEACH_MAX_STEPS = 24,
};
static const float TEACH_LR = 0.02f;   /* plain SGD, no momentum, no weight decay */
static const float TEACH_SURE = 0.9f;  /* stop once the drawing is read right this surely */

int mnist_taught_count(const mnist_net *net) { return net->n_taught; }

const uint8_t *mnist_taught_pixels(const mnist_net *net, int i) {
    return i >= 0 && i < net->n_taught ? net->taught_pixels[i] : NULL;
}

int mnist_taught_label(const mnist_net *net, int i) {
    return i >= 0 && i < net->n_taught ? net->taught_labels[i] : -1;
}

void mnist_taught_clear(mnist_net *net) { net->n_taught = 0; }

/* The inputs: a label 0..9 and 784 pixels, each a number in 0..1. */
static mnist_status check_input(const mnist_net *net, const mnist_dataset *mix, const float *image, int label,
                                mnist_error *err) {
    if (!net || !image) {
        nn_set_error(err, MNIST_E_STATE, "teaching needs a network and a drawing");
        return MNIST_E_STATE;
    }
    if (!mix || !mix->pixels || !mix->labels || mix->count < 1) {
        nn_set_error(err, MNIST_E_STATE, "teaching mixes in training images: load the training set first");
        return MNIST_E_STATE;
    }
    if (label < 0 || label >= MNIST_CLASSES)
        return nn_reject(err, "label", "the label to teach must be a class from 0 to 9, got %d", label);
    for (int i = 0; i < MNIST_PIXELS; i++)
        if (!(image[i] >= 0.0f && image[i] <= 1.0f)) /* also NaN */
            return nn_reject(err, "pixels", "pixel %d (row %d, column %d) of the drawing is %g, not a number in 0..1",
                             i, i / MNIST_COLS, i % MNIST_COLS, (double)image[i]);
    return MNIST_OK;
}

/* FNV-1a over the drawing, its label and the examples kept: the teaching's
 * PRNG seed, so that teaching is a function of its inputs, not of history. */
static uint64_t teach_seed(const uint8_t *pixels, int label, int kept) {
    uint64_t h = 14695981039346656037ULL;
    for (int i = 0; i < MNIST_PIXELS; i++) h = (h ^ pixels[i]) * 1099511628211ULL;
    h = (h ^ (uint64_t)label) * 1099511628211ULL;
    return (h ^ (uint64_t)kept) * 1099511628211ULL;
}

/* One step's batch: rows, labels and shifts in net's chunk buffers; `skip`
 * is the earlier example the drawing replaces (-1: none). Returns its size. */
static int fill_batch(mnist_net *net, nn_rng *rng, const mnist_dataset *mix, const uint8_t *pixels, int label,
                      int skip) {
    int n = 0, older = net->n_taught - (skip >= 0);
    for (int c = 0; c < TEACH_COPIES; c++, n++) {
        net->chunk_rows[n] = pixels;
        net->chunk_labels[n] = (uint8_t)label;
    }
    for (int c = 0; c < TEACH_OTHERS && c < older; c++, n++) {
        int k = (int)nn_rng_below(rng, (uint32_t)older);
        if (skip >= 0 && k >= skip) k++;
        net->chunk_rows[n] = net->taught_pixels[k];
        net->chunk_labels[n] = net->taught_labels[k];
    }
    int taught = n;
    for (; n < TEACH_BATCH; n++) {
        uint32_t idx = nn_rng_below(rng, (uint32_t)mix->count);
        net->chunk_rows[n] = mix->pixels + (size_t)idx * MNIST_PIXELS;
        net->chunk_labels[n] = mix->labels[idx];
    }
    /* the drawing as drawn first; every other taught sample shifted */
    for (int b = 0; b < n; b++) {
        nn_augment *aug = &net->chunk_aug[b];
        int moved = b > 0 && b < taught;
        aug->dx = moved ? (int8_t)((int)nn_rng_below(rng, 2 * TEACH_SHIFT + 1) - TEACH_SHIFT) : 0;
        aug->dy = moved ? (int8_t)((int)nn_rng_below(rng, 2 * TEACH_SHIFT + 1) - TEACH_SHIFT) : 0;
        aug->warped = 0;
    }
    return n;
}

/* W := W - alpha dW / m, plain SGD; zeroes the gradient. */
static void sgd_plain(mnist_net *net, int m) {
    const float lr = TEACH_LR, inv_m = 1.0f / (float)m;
    for (size_t k = 0; k < net->n_params; k++) {
        net->params[k] -= lr * (inv_m * net->grads[k]);
        net->grads[k] = 0.0f;
    }
}

/* Adds the drawing to the taught examples: replacing `same` (the same
 * pixels taught before; -1: none), else appended, dropping the oldest when full. */
static void keep_example(mnist_net *net, const uint8_t *pixels, int label, int same) {
    int drop = same >= 0 ? same : net->n_taught == MNIST_TEACH_MAX ? 0 : -1;
    if (drop >= 0) {
        int after = net->n_taught - drop - 1;
        memmove(net->taught_pixels[drop], net->taught_pixels[drop + 1], (size_t)after * MNIST_PIXELS);
        memmove(net->taught_labels + drop, net->taught_labels + drop + 1, (size_t)after);
        net->n_taught--;
    }
    memcpy(net->taught_pixels[net->n_taught], pixels, MNIST_PIXELS);
    net->taught_labels[net->n_taught++] = (uint8_t)label;
}

mnist_status mnist_teach(mnist_net *net, const mnist_dataset *mix, const float image[MNIST_PIXELS], int label,
                         mnist_teach_result *result, mnist_error *err) {
    mnist_status st = check_input(net, mix, image, label, err);
    if (st != MNIST_OK) return st;
    uint8_t pixels[MNIST_PIXELS];
    for (int i = 0; i < MNIST_PIXELS; i++) pixels[i] = (uint8_t)(image[i] * 255.0f + 0.5f);
    int same = -1;
    for (int k = 0; k < net->n_taught && same < 0; k++)
        if (memcmp(net->taught_pixels[k], pixels, MNIST_PIXELS) == 0) same = k;

    /* The parameters (restored if the loss turns out not finite) and a
     * half-accumulated batch of the training run (restored at the end). */
    size_t n = net->n_params;
    float *saved = malloc(2 * n * sizeof(float));
    if (!saved) {
        nn_set_error(err, MNIST_E_NOMEM, "out of memory for teaching (%zu parameters)", n);
        return MNIST_E_NOMEM;
    }
    memcpy(saved, net->params, n * sizeof(float));
    memcpy(saved + n, net->grads, n * sizeof(float));
    memset(net->grads, 0, n * sizeof(float));

    nn_rng rng;
    nn_rng_seed(&rng, teach_seed(pixels, label, net->n_taught), 0x7465616368ULL /* "teach" */);
    float probs[MNIST_CLASSES];
    int steps = 0, predicted = -1, finite = 1;
    while (steps < TEACH_MAX_STEPS) {
        int m = fill_batch(net, &rng, mix, pixels, label, same);
        double loss = 0.0;
        for (int b0 = 0; b0 < m && finite; b0 += net->chunk) { /* in the network's chunks (net.c) */
            int count = m - b0 < net->chunk ? m - b0 : net->chunk;
            nn_forward(net, net->chunk_rows + b0, net->chunk_aug + b0, net->chunk_labels + b0, count);
            for (int b = 0; b < count; b++) loss += net->losses[b];
            finite = isfinite(loss);
            if (finite) nn_backward(net, net->chunk_labels + b0, count);
        }
        if (!finite) break;
        sgd_plain(net, m);
        steps++;
        predicted = mnist_predict_float(net, image, probs);
        if (steps >= TEACH_MIN_STEPS && predicted == label && probs[label] >= TEACH_SURE) break;
    }
    if (!finite) memcpy(net->params, saved, n * sizeof(float));
    memcpy(net->grads, saved + n, n * sizeof(float));
    free(saved);
    if (!finite) {
        nn_set_error(err, MNIST_E_STATE, "teaching stopped: the loss became NaN or infinite (the weights are as before)");
        return MNIST_E_STATE;
    }
    keep_example(net, pixels, label, same);
    if (result) {
        result->steps = steps;
        result->predicted = predicted;
        memcpy(result->probs, probs, sizeof probs);
        result->taught = net->n_taught;
    }
    return MNIST_OK;
}
