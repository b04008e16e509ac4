/* net.c - a network's memory: creation (every buffer it will ever need, and
 * the initial parameters), accessors, and the hyperparameters in force. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn.h"

static void init_params(mnist_net *net, mnist_init init) {
    for (int l = 0; l < net->n_layers; l++) {
        int fan_in = net->sizes[l], fan_out = net->sizes[l + 1];
        long nw = (long)fan_in * fan_out;
        if (init == MNIST_INIT_SEED) {
            /* W = rand(out, in) - 0.5; b = rand(out, 1) - 0.5 (the notebook) */
            for (long k = 0; k < nw; k++) net->W[l][k] = nn_rng_uniform(&net->rng) - 0.5f;
            for (int k = 0; k < fan_out; k++) net->b[l][k] = nn_rng_uniform(&net->rng) - 0.5f;
        } else {
            /* He-uniform: U(-sqrt(6/fan_in), +sqrt(6/fan_in)) keeps ReLU
             * activations at the same scale layer after layer; b = 0. */
            float limit = sqrtf(6.0f / (float)fan_in);
            for (long k = 0; k < nw; k++)
                net->W[l][k] = (2.0f * nn_rng_uniform(&net->rng) - 1.0f) * limit;
            for (int k = 0; k < fan_out; k++) net->b[l][k] = 0.0f;
        }
    }
}

mnist_net *mnist_create(const mnist_config *cfg, mnist_error *err) {
    if (mnist_config_check(cfg, err) != MNIST_OK) return NULL;
    mnist_net *net = calloc(1, sizeof *net);
    if (!net) goto nomem;
    net->n_layers = cfg->n_layers;
    memcpy(net->sizes, cfg->sizes, sizeof net->sizes);
    net->hyper = cfg->hyper;
    net->lr_epoch = cfg->hyper.learning_rate;
    nn_rng_seed(&net->rng, cfg->seed, 0x6d6e697374ULL);

    size_t n_params = 0, n_scratch = (size_t)NN_CHUNK * MNIST_PIXELS + NN_CHUNK;
    for (int l = 0; l < net->n_layers; l++) {
        size_t in = (size_t)net->sizes[l], out = (size_t)net->sizes[l + 1];
        n_params += in * out + out;
        n_scratch += (size_t)NN_CHUNK * out * 4; /* z, acts, dz, da */
    }
    net->n_params = n_params;
    net->params = calloc(n_params, sizeof(float));
    net->grads = calloc(n_params, sizeof(float));
    net->velocity = calloc(n_params, sizeof(float));
    net->moment2 = calloc(n_params, sizeof(float));
    net->scratch = calloc(n_scratch, sizeof(float));
    if (!net->params || !net->grads || !net->velocity || !net->moment2 || !net->scratch) goto nomem;

    float *p = net->params, *g = net->grads, *s = net->scratch;
    net->acts[0] = s; s += (size_t)NN_CHUNK * MNIST_PIXELS;
    net->losses = s; s += NN_CHUNK;
    for (int l = 0; l < net->n_layers; l++) {
        size_t in = (size_t)net->sizes[l], out = (size_t)net->sizes[l + 1];
        net->W[l] = p; net->dW[l] = g; p += in * out; g += in * out;
        net->b[l] = p; net->db[l] = g; p += out; g += out;
        size_t chunk_out = (size_t)NN_CHUNK * out;
        net->z[l] = s; s += chunk_out;
        net->acts[l + 1] = s; s += chunk_out;
        net->dz[l] = s; s += chunk_out;
        net->da[l + 1] = s; s += chunk_out;
    }
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
    free(net->order);
    free(net);
}

int mnist_layers(const mnist_net *net) { return net->n_layers; }
const int *mnist_sizes(const mnist_net *net) { return net->sizes; }
size_t mnist_param_count(const mnist_net *net) { return net->n_params; }
float *mnist_params(mnist_net *net) { return net->params; }
mnist_hyper mnist_get_hyper(const mnist_net *net) { return net->hyper; }

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
