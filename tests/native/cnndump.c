/* cnndump.c - core_check cnn-dump (check.h): one forward and backward pass of
 * a network, through the network's own passes (nn_forward, nn_backward: the
 * kernels training uses, however they are written), as JSON for an
 * independent reference to check (tests/cnn-parity.test.js).
 *
 *   core_check cnn-dump ARCH IN [--perturb-one X T]
 *
 * IN: u32 B (samples), u32 N (parameters), B*784 pixels, B labels, N float32
 * parameters in mnist_params' layout. Prints one JSON line:
 *   sizes     the values each layer outputs per sample (784 first)
 *   acts[l]   layer l+1's outputs (B, sizes[l+1]): post-ReLU, pooled, or for
 *             the last layer the probabilities
 *   losses    per-sample cross-entropy (B)
 *   grads     dLoss/dparams summed over the B samples (N, mnist_params' layout)
 *             (from one sample at a time: a batch's convolution before a 2x2
 *             pool goes straight to the pooled values, which are the same
 *             bits, and its own outputs are not stored)
 *   dinput[l] dLoss/d(the input activations of layer l+1) (B, sizes[l+1]) for
 *             l+1 = 1 .. n_layers-1 (every layer's but the first, whose
 *             input, the pixels, the core gives no gradient), where those
 *             activations are positive: it is read from dz of the layer
 *             below (its output's gradient through its ReLU, which its weight
 *             gradient needs; a pool's output gradient), equal to da there;
 *             where the activation is 0, ReLU's zero multiplies it away (a
 *             kernel may skip it) and the test ignores it. null for a pool
 *             after a convolution (pool_after): the core takes the gradient
 *             from the pool's output straight to the convolution's winners
 *             and never forms the one in between.
 * --perturb-one X T multiplies one entry of gradient tensor T by 1 + X, a wrong
 * gradient the comparison must catch: the tensors numbered from 0 layer by
 * layer, each layer's weights and biases (if it has them) then the gradient
 * wrt its input (after the first layer); the entry is the tensor's largest in
 * magnitude (for an input gradient, where the activation is positive). One
 * tensor at a time, since a pool's input gradient is a copy of its output's. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* v[k] of largest magnitude, among those whose active[k] > 0 (all if active
 * is NULL), times 1 + x. */
static void spoil_largest(float *v, const float *active, long n, double x) {
    long largest = -1;
    for (long k = 0; k < n; k++)
        if ((!active || active[k] > 0) && (largest < 0 || fabsf(v[k]) > fabsf(v[largest]))) largest = k;
    if (largest >= 0) v[largest] = (float)(v[largest] * (1.0 + x));
}

static void print_floats(const char *key, const float *v, long n) {
    if (key) printf("\"%s\":", key);
    putchar('[');
    for (long k = 0; k < n; k++) printf(k ? ",%.9g" : "%.9g", (double)v[k]);
    putchar(']');
}

int cmd_cnndump(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: cnn-dump ARCH IN [--perturb-one X T]\n"); return 2; }
    double perturb = 0;
    int target = -1;
    if (argc >= 5 && strcmp(argv[2], "--perturb-one") == 0) {
        perturb = atof(argv[3]);
        target = atoi(argv[4]);
    }

    mnist_config cfg;
    mnist_error err;
    mnist_preset("default", &cfg, NULL);
    if (mnist_parse_arch(argv[0], &cfg, &err) != MNIST_OK) { fprintf(stderr, "%s\n", err.message); return 2; }
    mnist_net *net = mnist_create(&cfg, &err);
    if (!net) { fprintf(stderr, "%s\n", err.message); return 2; }

    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    uint32_t head[2];
    if (fread(head, 4, 2, f) != 2 || head[0] < 1 || head[0] > (uint32_t)net->chunk || head[1] != mnist_param_count(net)) {
        fprintf(stderr, "%s: bad header (samples 1..%d, %zu parameters)\n", argv[1], net->chunk,
                mnist_param_count(net));
        return 2;
    }
    int B = (int)head[0];
    long n = (long)head[1];
    uint8_t *pixels = malloc((size_t)B * MNIST_PIXELS), *labels = malloc((size_t)B);
    const uint8_t *rows[NN_CHUNK];
    if (!pixels || !labels || fread(pixels, MNIST_PIXELS, (size_t)B, f) != (size_t)B ||
        fread(labels, 1, (size_t)B, f) != (size_t)B ||
        fread(mnist_params(net), sizeof(float), (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "%s: short file\n", argv[1]);
        return 2;
    }
    fclose(f);
    for (int b = 0; b < B; b++) rows[b] = pixels + (size_t)b * MNIST_PIXELS;

    /* every layer's outputs, one sample at a time */
    int L = net->n_layers;
    float *outputs[MNIST_MAX_LAYERS + 1];
    for (int l = 1; l <= L; l++) outputs[l] = malloc(sizeof(float) * (size_t)B * (size_t)net->sizes[l]);
    for (int b = 0; b < B; b++) {
        nn_forward(net, rows + b, NULL, labels + b, 1);
        for (int l = 1; l <= L; l++)
            memcpy(outputs[l] + (size_t)b * net->sizes[l], net->acts[l], sizeof(float) * (size_t)net->sizes[l]);
    }
    /* the passes training runs: forward with labels (losses), then the gradient sums */
    nn_forward(net, rows, NULL, labels, B);
    memset(net->grads, 0, sizeof(float) * net->n_params);
    nn_backward(net, labels, B);

    int tensor = 0, spoiled_layer = 0;
    const char *spoiled = "";
    for (int l = 0; l < L && target >= 0; l++) {
        const nn_layer *ly = &net->layer[l];
        struct { const char *name; float *v; const float *active; long n; } parts[] = {
            {"weight", net->dW[l], NULL, (long)ly->n_w},
            {"bias", net->db[l], NULL, (long)ly->n_b},
            {"dinput", l > 0 ? net->dz[l - 1] : NULL, l > 0 ? net->acts[l] : NULL, (long)B * net->sizes[l]},
        };
        for (int p = 0; p < 3; p++) {
            /* a pool has no parameters, the pixels no gradient, nor a pool_after's pool its input */
            if (p < 2 ? ly->n_w == 0 : l == 0 || net->layer[l - 1].pool_after) continue;
            if (tensor++ != target) continue;
            spoil_largest(parts[p].v, parts[p].active, parts[p].n, perturb);
            spoiled = parts[p].name;
            spoiled_layer = l + 1;
        }
    }
    if (target >= tensor) { fprintf(stderr, "no gradient tensor %d (%d of them)\n", target, tensor); return 2; }

    printf("{\"perturb\":%g,\"perturbed\":{\"layer\":%d,\"tensor\":\"%s\"},\"batch\":%d,\"sizes\":[",
           perturb, spoiled_layer, spoiled, B);
    for (int l = 0; l <= L; l++) printf(l ? ",%d" : "%d", net->sizes[l]);
    printf("],\"acts\":[");
    for (int l = 1; l <= L; l++) {
        if (l > 1) putchar(',');
        print_floats(NULL, outputs[l], (long)B * net->sizes[l]);
    }
    printf("],");
    print_floats("losses", net->losses, B);
    putchar(',');
    print_floats("grads", net->grads, n);
    printf(",\"dinput\":[");
    for (int l = 1; l < L; l++) {
        if (l > 1) putchar(',');
        if (net->layer[l - 1].pool_after) printf("null");
        else print_floats(NULL, net->dz[l - 1], (long)B * net->sizes[l]);
    }
    printf("]}\n");
    for (int l = 1; l <= L; l++) free(outputs[l]);
    free(pixels);
    free(labels);
    mnist_free(net);
    return 0;
}
