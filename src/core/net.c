/* net.c - a network's memory: creation (every buffer it will ever need, and
 * the initial parameters), accessors, and the hyperparameters in force. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

static void init_params(mnist_net *net, mnist_init init) {
    for (int l = 0; l < net->n_layers; l++) {
        const nn_layer *ly = &net->layer[l];
        if (ly->kind == MNIST_LAYER_POOL) continue;
        /* A dense layer's fan-in is its input width; a convolution's K*K*C. */
        long nw = (long)ly->n_w, fan_out = (long)ly->n_b, fan_in = nw / fan_out;
        if (init == MNIST_INIT_SEED) {
            /* W = rand(out, in) - 0.5; b = rand(out, 1) - 0.5 (the notebook) */
            for (long k = 0; k < nw; k++) net->W[l][k] = nn_rng_uniform(&net->rng) - 0.5f;
            for (long k = 0; k < fan_out; k++) net->b[l][k] = nn_rng_uniform(&net->rng) - 0.5f;
        } else {
            /* He-uniform: U(-sqrt(6/fan_in), +sqrt(6/fan_in)) keeps ReLU
             * activations at the same scale layer after layer; b = 0. */
            float limit = sqrtf(6.0f / (float)fan_in);
            for (long k = 0; k < nw; k++)
                net->W[l][k] = (2.0f * nn_rng_uniform(&net->rng) - 1.0f) * limit;
            for (long k = 0; k < fan_out; k++) net->b[l][k] = 0.0f;
        }
    }
}

/* A convolution's transposed weights, and after them its Winograd transform
 * where it has one (both made at each forward pass from W). */
static size_t weight_t_size(const nn_layer *ly) {
    return (size_t)ly->conv.K * ly->conv.K * ly->conv.C * conv_o4(&ly->conv);
}
static size_t winograd_size(const nn_layer *ly) {
    return ly->pool2 && winograd_fits(&ly->conv) ? (size_t)16 * ly->conv.C * conv_o4(&ly->conv) : 0;
}

/* Samples per chunk for a network whose scratch takes per_sample bytes a
 * sample: NN_CHUNK, or as many as NN_SCRATCH_BYTES holds (a multiple of 8, at
 * least NN_CHUNK_MIN). */
static int chunk_for(size_t per_sample) {
    size_t fit = NN_SCRATCH_BYTES / per_sample;
    if (fit >= NN_CHUNK) return NN_CHUNK;
    fit -= fit % 8;
    return fit < NN_CHUNK_MIN ? NN_CHUNK_MIN : (int)fit;
}

/* Views into the parameter, gradient and scratch buffers, layer by layer. */
static void lay_out_views(mnist_net *net) {
    float *p = net->params, *g = net->grads, *s = net->scratch;
    int32_t *a = net->argmax_buf, *counts = net->grad_count_buf;
    float *wt = net->weight_t_buf;
    conv_grad *list = net->grad_list_buf;
    const size_t B = (size_t)net->chunk;
    net->acts[0] = s; s += B * MNIST_PIXELS;
    net->losses = s; s += B;
    for (int l = 0; l < net->n_layers; l++) {
        const nn_layer *ly = &net->layer[l];
        net->W[l] = p; net->dW[l] = g; p += ly->n_w; g += ly->n_w;
        net->b[l] = p; net->db[l] = g; p += ly->n_b; g += ly->n_b;
        size_t chunk_out = B * (size_t)ly->out;
        if (ly->kind == MNIST_LAYER_CONV) {
            net->weight_t[l] = wt; wt += weight_t_size(ly);
            net->winograd[l] = winograd_size(ly) ? wt : NULL; wt += winograd_size(ly);
        }
        if (ly->pool_after) {
            /* room for every window of every channel: the next layer's outputs */
            long windows = net->layer[l + 1].out / ly->conv.O;
            net->pool_grads[l] = (conv_grads){list, counts, windows, net->chunk, 0};
            list += B * (size_t)net->layer[l + 1].out;
            counts += (size_t)ly->conv.O * B;
        }
        if (ly->kind == MNIST_LAYER_POOL) { /* no activation function: z is the output */
            net->acts[l + 1] = net->z[l] = s; s += chunk_out;
            net->da[l + 1] = net->dz[l] = s; s += chunk_out;
            net->argmax[l] = a; a += chunk_out;
            continue;
        }
        net->z[l] = s; s += chunk_out;
        net->acts[l + 1] = s; s += chunk_out;
        net->dz[l] = s; s += chunk_out;
        net->da[l + 1] = s; s += chunk_out;
    }
}

/* n zeroed items of `size` bytes on a cache line (64 bytes): malloc aligns to 8 bytes
 * only under Emscripten, where a buffer's 16-byte vectors would then straddle cache
 * lines in every fourth load, as the heap's layout happened to fall. Freed by free(). */
#define BUFFER_ALIGN 64
static void *zalloc(size_t n, size_t size) {
    if (n == 0) n = 1;
    if (n > (SIZE_MAX - BUFFER_ALIGN) / size) return NULL;
    size_t bytes = (n * size + BUFFER_ALIGN - 1) / BUFFER_ALIGN * BUFFER_ALIGN;
    void *p = aligned_alloc(BUFFER_ALIGN, bytes);
    if (p) memset(p, 0, bytes);
    return p;
}

mnist_net *mnist_create(const mnist_config *cfg, mnist_error *err) {
    if (mnist_config_check(cfg, err) != MNIST_OK) return NULL;
    mnist_net *net = calloc(1, sizeof *net);
    if (!net) goto nomem;
    net->n_layers = cfg->n_layers;
    memcpy(net->sizes, cfg->sizes, sizeof net->sizes);
    memcpy(net->specs, cfg->layers, sizeof net->specs);
    nn_arch_layout(net->n_layers, net->sizes, net->specs, 0, net->layer, MNIST_E_CONFIG, "", NULL); /* checked */
    net->config = *cfg;
    net->hyper = cfg->hyper;
    net->lr_epoch = cfg->hyper.learning_rate;
    nn_rng_seed(&net->rng, cfg->seed, 0x6d6e697374ULL);

    /* per sample: the scratch floats, argmax indices, gradient lists and counts */
    size_t n_params = 0, n_scratch = MNIST_PIXELS + 1, n_argmax = 0;
    size_t n_weight_t = 0, n_list = 0, n_counts = 0;
    for (int l = 0; l < net->n_layers; l++) {
        nn_layer *ly = &net->layer[l];
        ly->pool_after = ly->kind == MNIST_LAYER_CONV && ly->relu && l + 1 < net->n_layers &&
                         net->layer[l + 1].kind == MNIST_LAYER_POOL;
        ly->pool2 = ly->pool_after && net->layer[l + 1].pool.P == 2;
        if (ly->kind == MNIST_LAYER_CONV) n_weight_t += weight_t_size(ly) + winograd_size(ly);
        if (ly->pool_after) {
            n_list += (size_t)net->layer[l + 1].out;
            n_counts += (size_t)ly->conv.O;
        }
        size_t out = (size_t)ly->out;
        n_params += ly->n_w + ly->n_b;
        n_scratch += ly->kind == MNIST_LAYER_POOL ? out * 2 : out * 4; /* z, acts, dz, da (a pool: 2 of them) */
        n_argmax += ly->kind == MNIST_LAYER_POOL ? out : 0;
        net->work += ly->work;
    }
    net->chunk = chunk_for(n_scratch * sizeof(float) + n_argmax * sizeof(int32_t) + n_list * sizeof(conv_grad) +
                           n_counts * sizeof(int32_t));
    n_scratch *= (size_t)net->chunk;
    n_argmax *= (size_t)net->chunk;
    n_list *= (size_t)net->chunk;
    n_counts *= (size_t)net->chunk;
    net->n_params = n_params;
    net->params = zalloc(n_params, sizeof(float));
    net->grads = zalloc(n_params, sizeof(float));
    net->velocity = zalloc(n_params, sizeof(float));
    net->moment2 = zalloc(n_params, sizeof(float));
    net->scratch = zalloc(n_scratch, sizeof(float));
    net->argmax_buf = zalloc(n_argmax, sizeof(int32_t));
    net->weight_t_buf = zalloc(n_weight_t, sizeof(float));
    net->grad_list_buf = zalloc(n_list, sizeof(conv_grad));
    net->grad_count_buf = zalloc(n_counts, sizeof(int32_t));
    if (!net->params || !net->grads || !net->velocity || !net->moment2 || !net->scratch || !net->argmax_buf ||
        !net->weight_t_buf || !net->grad_list_buf || !net->grad_count_buf)
        goto nomem;
    lay_out_views(net);
    init_params(net, cfg->init);
    return net;
nomem:
    mnist_free(net);
    nn_set_error(err, MNIST_E_NOMEM, "out of memory creating the network");
    return NULL;
}

void mnist_free(mnist_net *net) {
    if (!net) return;
    free(net->params);
    free(net->grads);
    free(net->velocity);
    free(net->moment2);
    free(net->scratch);
    free(net->argmax_buf);
    free(net->weight_t_buf);
    free(net->grad_list_buf);
    free(net->grad_count_buf);
    free(net->order);
    free(net);
}

int mnist_layers(const mnist_net *net) { return net->n_layers; }
const int *mnist_sizes(const mnist_net *net) { return net->sizes; }
const mnist_layer_spec *mnist_layer_specs(const mnist_net *net) { return net->specs; }
size_t mnist_param_count(const mnist_net *net) { return net->n_params; }
float *mnist_params(mnist_net *net) { return net->params; }
mnist_hyper mnist_get_hyper(const mnist_net *net) { return net->hyper; }

mnist_config mnist_get_config(const mnist_net *net) {
    mnist_config c = net->config;
    c.hyper = net->hyper;
    return c;
}

mnist_status mnist_set_hyper(mnist_net *net, const mnist_hyper *hyper, mnist_error *err) {
    mnist_status st = mnist_hyper_check(hyper, err);
    if (st != MNIST_OK) return st;
    /* A new base rate restarts the decay schedule from this epoch on. */
    if (hyper->learning_rate != net->hyper.learning_rate) net->lr_epoch = hyper->learning_rate;
    /* A new optimiser starts from fresh state (its buffers mean other things). */
    if (hyper->optimizer != net->hyper.optimizer) {
        memset(net->velocity, 0, sizeof(float) * net->n_params);
        memset(net->moment2, 0, sizeof(float) * net->n_params);
        net->adam_steps = 0;
    }
    net->hyper = *hyper;
    return MNIST_OK;
}
