/* eval.c - evaluation, classification and prediction with a network. */
#include <string.h>

#include "nn.h"

static int check_range(const mnist_dataset *ds, long first, long count, mnist_error *err) {
    if (first < 0 || count < 0 || first > ds->count || count > ds->count - first) {
        nn_set_error(err, MNIST_E_STATE, "image range %ld+%ld outside the %ld images", first, count,
                     ds->count);
        return 0;
    }
    return 1;
}

/* Forward pass of images start..start+chunk-1 (chunk <= net->chunk). */
static void forward_images(mnist_net *net, const mnist_dataset *ds, long start, int chunk) {
    for (int j = 0; j < chunk; j++) net->chunk_rows[j] = ds->pixels + (size_t)(start + j) * MNIST_PIXELS;
    nn_forward(net, net->chunk_rows, NULL, ds->labels + start, chunk);
}

/* The one pass behind mnist_evaluate and mnist_classify: images first..first+count-1
 * of ds through the network; each image's class and probability into predicted/confidence
 * at [i - first] (either may be NULL), and with acc, the running totals. */
static mnist_status pass(mnist_net *net, const mnist_dataset *ds, long first, long count, mnist_eval *acc,
                         uint8_t *predicted, float *confidence, mnist_error *err) {
    if (!check_range(ds, first, count, err)) return MNIST_E_STATE;
    for (long start = first; start < first + count; start += net->chunk) {
        int chunk = (int)(first + count - start < net->chunk ? first + count - start : net->chunk);
        forward_images(net, ds, start, chunk);
        const uint8_t *labels = ds->labels + start;
        const float *probs = net->acts[net->n_layers];
        for (int j = 0; j < chunk; j++) {
            int guess = nn_argmax(probs + j * MNIST_CLASSES, MNIST_CLASSES);
            long i = start - first + j;
            if (predicted) predicted[i] = (uint8_t)guess;
            if (confidence) confidence[i] = probs[j * MNIST_CLASSES + guess];
            if (!acc) continue;
            acc->loss_sum += net->losses[j];
            acc->correct += guess == labels[j];
            acc->confusion[labels[j]][guess]++;
        }
        if (acc) acc->count += chunk;
    }
    return MNIST_OK;
}

mnist_status mnist_evaluate(mnist_net *net, const mnist_dataset *ds, long first, long count,
                            mnist_eval *acc, mnist_error *err) {
    return pass(net, ds, first, count, acc, acc->predicted ? acc->predicted + first : NULL,
                acc->confidence ? acc->confidence + first : NULL, err);
}

mnist_status mnist_classify(mnist_net *net, const mnist_dataset *ds, long first, long count,
                            uint8_t *predicted, float *confidence, mnist_error *err) {
    return pass(net, ds, first, count, NULL, predicted, confidence, err);
}

const float *mnist_activations(const mnist_net *net, int layer) {
    return layer >= 1 && layer <= net->n_layers ? net->acts[layer] : NULL;
}

static int predict_loaded(mnist_net *net, float probs[MNIST_CLASSES]) {
    nn_forward(net, NULL, NULL, NULL, 1);
    memcpy(probs, net->acts[net->n_layers], sizeof(float) * MNIST_CLASSES);
    return nn_argmax(probs, MNIST_CLASSES);
}

int mnist_predict(mnist_net *net, const uint8_t pixels[MNIST_PIXELS], float probs[MNIST_CLASSES]) {
    pixels_to_float(net->acts[0], pixels, MNIST_PIXELS);
    return predict_loaded(net, probs);
}

int mnist_predict_float(mnist_net *net, const float image[MNIST_PIXELS], float probs[MNIST_CLASSES]) {
    memcpy(net->acts[0], image, sizeof(float) * MNIST_PIXELS);
    return predict_loaded(net, probs);
}
