/* passes.c - the forward and backward passes over one chunk of samples
 * (the layers of layers.c in order), split over threads by parallel.c. */
#include "nn.h"
#include "parallel.h"

/* A chunk's work, handed to the slices that threads compute. */
typedef struct {
    mnist_net *net;
    const uint8_t *const *rows;
    const nn_augment *augs;
    const uint8_t *labels;
    int count;
    int layer; /* backward: the layer whose gradients this task computes */
} chunk_job;

/* Below this many multiply-adds per chunk, threads cost more than they save. */
#define PARALLEL_MIN_WORK (1L << 17)

static int worth_threads(const mnist_net *net, int count) {
    return (double)count * net->work >= (double)PARALLEL_MIN_WORK;
}

/* Samples [b0, b1) through every layer: they do not depend on each other. */
static void forward_slice(void *arg, int part, int parts) {
    const chunk_job *j = arg;
    mnist_net *net = j->net;
    int b0, b1;
    nn_split(j->count, part, parts, 2, &b0, &b1);
    if (b0 == b1) return;
    if (j->rows)
        for (int b = b0; b < b1; b++) {
            float *x = net->acts[0] + (long)b * MNIST_PIXELS;
            if (j->augs) pixels_to_float_augmented(x, j->rows[b], &j->augs[b]);
            else pixels_to_float(x, j->rows[b], MNIST_PIXELS);
        }
    int L = net->n_layers, n = b1 - b0;
    for (int l = 0; l < L; l++) {
        const nn_layer *ly = &net->layer[l];
        long in = ly->in, out = ly->out;
        float *z = net->z[l] + (long)b0 * out;
        if (ly->pool2) {
            /* convolution, ReLU and pool at once, into the pool's outputs */
            float *pooled = net->acts[l + 2];
            int32_t *at = net->argmax[l + 1];
            if (net->winograd[l])
                winograd_pool2_forward(pooled, at, net->acts[l], net->winograd[l], net->b[l], &ly->conv, b0, b1);
            else if (conv_scatter_fits(&ly->conv))
                conv_scatter_pool2_forward(pooled, at, net->z[l], net->acts[l], net->weight_t[l], net->b[l], &ly->conv,
                                           b0, b1);
            else
                conv_pool2_forward(pooled, at, net->acts[l], net->weight_t[l], net->b[l], &ly->conv, b0, b1);
            if (j->count == 1) { /* one image, whose feature maps may be shown: the convolution's too */
                const conv_shape *s = &ly->conv;
                conv2d_forward(net->z[l], net->acts[l], net->weight_t[l], net->b[l], s, conv_out_rows(s),
                               conv_out_cols(s), b0, b1);
                relu_forward(net->acts[l + 1], net->z[l], ly->out);
            }
            l++;
            continue;
        }
        if (ly->kind == MNIST_LAYER_CONV) {
            /* The rows and columns a pool after it would drop are needed only
             * to show one image's feature maps. */
            const conv_shape *s = &ly->conv;
            int rows = conv_out_rows(s), cols = conv_out_cols(s);
            if (ly->pool_after && j->count > 1) {
                int P = net->layer[l + 1].pool.P;
                rows -= rows % P;
                cols -= cols % P;
            }
            conv2d_forward(net->z[l], net->acts[l], net->weight_t[l], net->b[l], s, rows, cols, b0, b1);
        }
        else if (ly->kind == MNIST_LAYER_POOL)
            maxpool_forward(net->acts[l + 1], net->argmax[l], net->acts[l], &ly->pool, b0, b1);
        else
            dense_forward(z, net->acts[l] + (long)b0 * in, net->W[l], net->b[l], n, (int)in, (int)out);
        if (ly->relu)
            relu_forward(net->acts[l + 1] + (long)b0 * out, z, (long)n * out);
        else if (l == L - 1)
            softmax_crossentropy_forward(net->acts[L] + (long)b0 * out, j->labels ? net->losses + b0 : NULL,
                                         z, j->labels ? j->labels + b0 : NULL, n, (int)out);
    }
}

void nn_forward(mnist_net *net, const uint8_t *const *rows, const nn_augment *augs, const uint8_t *labels,
                int count) {
    /* rows (B) -> acts[0] = X (B,784), each augmented by augs (B) if given; per layer l, acts[l] (B,I) -> z[l] (B,O):
     *   dense  z[l] = acts[l] W[l]^T + b[l]
     *   conv   z[l] = acts[l] (B,H,W,C) convolved with W[l] (O,K,K,C), + b[l]
     *   pool   z[l] = acts[l+1] = max over each P x P window (argmax[l]: where)
     * then acts[l+1] = ReLU(z[l]) (conv, hidden dense), or softmax for the last
     * (the probabilities; B = count, I/O = sizes[l]/sizes[l+1]); losses (B)
     * when labels (B) are given. */
    chunk_job job = {net, rows, augs, labels, count, 0};
    for (int l = 0; l < net->n_layers; l++)
        if (net->layer[l].kind == MNIST_LAYER_CONV) {
            conv2d_weights_t(net->weight_t[l], net->W[l], &net->layer[l].conv);
            if (net->winograd[l]) winograd_weights(net->winograd[l], net->W[l], &net->layer[l].conv);
        }
    if (worth_threads(net, count))
        nn_parallel(forward_slice, &job);
    else
        forward_slice(&job, 0, 1);
}

static void run(nn_task task, chunk_job *job, int threads) {
    if (threads)
        nn_parallel(task, job);
    else
        task(job, 0, 1);
}

/* dz[l-1] = da[l] .* [z[l-1] > 0] for samples [lo, hi), when a ReLU is below layer l. */
static void relu_below(mnist_net *net, int l, int lo, int hi) {
    long in = net->layer[l].in;
    if (net->layer[l - 1].relu)
        relu_backward(net->dz[l - 1] + lo * in, net->da[l] + lo * in, net->z[l - 1] + lo * in, (hi - lo) * in);
}

/* Layer `layer`'s gradients: a dense layer's weights of output units
 * [o0, o1) (each summed over all samples in order), and for samples [b0, b1)
 * the gradient flowing down through the layer (da) and the ReLU below it (dz;
 * a pool below has none: its dz is this da). A convolution before a pool
 * (pool_after) is done by the next two tasks instead. */
static void backward_slice(void *arg, int part, int parts) {
    const chunk_job *j = arg;
    mnist_net *net = j->net;
    int l = j->layer;
    const nn_layer *ly = &net->layer[l];
    long in = ly->in, out = ly->out;
    int lo, hi;
    if (ly->kind == MNIST_LAYER_DENSE) {
        nn_split((int)out, part, parts, 1, &lo, &hi);
        dense_backward_params(net->dW[l], net->db[l], net->dz[l], net->acts[l], j->count, (int)in, (int)out, lo, hi);
    } else if (ly->kind == MNIST_LAYER_CONV) {
        nn_split(ly->conv.O, part, parts, 1, &lo, &hi);
        conv2d_backward_params(net->dW[l], net->db[l], net->dz[l], net->acts[l], &ly->conv, j->count, lo, hi);
    }
    if (l == 0) return; /* no gradient for the input pixels */
    nn_split(j->count, part, parts, 1, &lo, &hi);
    if (lo == hi) return;
    if (ly->kind == MNIST_LAYER_DENSE)
        dense_backward_input(net->da[l] + lo * in, net->dz[l] + (long)lo * out, net->W[l], hi - lo, (int)in, (int)out);
    else if (ly->kind == MNIST_LAYER_CONV)
        conv2d_backward_input(net->da[l], net->dz[l], net->W[l], &ly->conv, lo, hi);
    else
        maxpool_backward(net->da[l], net->dz[l], net->argmax[l], &ly->pool, lo, hi);
    relu_below(net, l, lo, hi);
}

/* A pool_after convolution, samples [b0, b1): its gradient lists from the
 * pool's winners, and from them the gradient below it (if it is not the first layer). */
static void conv_pool_lists_slice(void *arg, int part, int parts) {
    const chunk_job *j = arg;
    mnist_net *net = j->net;
    int l = j->layer, lo, hi;
    const nn_layer *ly = &net->layer[l];
    nn_split(j->count, part, parts, 1, &lo, &hi);
    if (lo == hi) return;
    conv_grads *g = &net->pool_grads[l];
    conv_pool_gather(g, net->dz[l + 1], net->acts[l + 2], net->argmax[l + 1], &ly->conv, lo, hi);
    if (l == 0) return; /* no gradient for the input pixels */
    conv_pool_backward_input(net->da[l], g, net->W[l], &ly->conv, lo, hi);
    relu_below(net, l, lo, hi);
}

/* A pool_after convolution, channels [o0, o1): its weight and bias gradients from its lists. */
static void conv_pool_params_slice(void *arg, int part, int parts) {
    const chunk_job *j = arg;
    mnist_net *net = j->net;
    int l = j->layer, lo, hi;
    const nn_layer *ly = &net->layer[l];
    nn_split(ly->conv.O, part, parts, 1, &lo, &hi);
    if (lo == hi) return;
    conv_pool_backward_params(net->dW[l], net->db[l], &net->pool_grads[l], net->acts[l], &ly->conv, lo, hi);
}

void nn_backward(mnist_net *net, const uint8_t *labels, int count) {
    /* labels (B), acts and z of nn_forward -> dz[L-1] (B,10) = A_L - Y, then for each
     * layer l from the top, its parameter gradients and da[l] (B,I) = dLoss/d acts[l]:
     *   dense  dW[l] (O,I) += dz[l]^T acts[l], db[l] (O) += sum_b dz[l], da[l] = dz[l] W[l]
     *   conv   dW[l] (O,K,K,C) += correlation of acts[l] with dz[l], db[l] (O) += sum of
     *          dz[l], da[l] = dz[l] convolved with W[l] transposed
     *   pool   da[l] = dz[l] sent to each window's argmax, zero elsewhere
     * and dz[l-1] = da[l] .* [z[l-1] > 0] below a ReLU (below a pool, dz[l-1] is
     * da[l])   (B = count, I/O = sizes[l]/sizes[l+1]). A convolution followed by a
     * pool takes both steps at once: dz of its winners only (conv_pool_gather). */
    int L = net->n_layers;
    softmax_crossentropy_backward(net->dz[L - 1], net->acts[L], labels, count, net->sizes[L]);
    int threads = worth_threads(net, count);
    for (int l = L - 1; l >= 0; l--) {
        /* each layer needs the whole of the gradient below from the one above */
        chunk_job job = {net, NULL, NULL, labels, count, l};
        if (l > 0 && net->layer[l - 1].pool_after) continue; /* the pool: with the convolution below */
        if (net->layer[l].pool_after) {
            net->pool_grads[l].B = count; /* set before the threads read it */
            run(conv_pool_lists_slice, &job, threads);
            run(conv_pool_params_slice, &job, threads);
        } else {
            run(backward_slice, &job, threads);
        }
    }
}

int nn_argmax(const float *v, int n) {
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best]) best = i;
    return best;
}
