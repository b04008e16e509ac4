/* check.h - the commands of the core's test harness (core_check.c) that
 * live in files of their own. */
#ifndef CHECK_H
#define CHECK_H

#include "../../src/core/nn.h"

/* core_check gradcheck [--perturb X]: one JSON line of results. */
int cmd_gradcheck(int argc, char **argv);
/* core_check convcheck [--perturb X] [--perturb-one X]: the gradients of the
 * convolution and max-pooling layers (convcheck.c); one JSON line. */
int cmd_convcheck(int argc, char **argv);
/* core_check convparity: their forward passes against naive double loops,
 * and split work against whole (convparity.c); one JSON line. */
int cmd_convparity(void);

/* core_check.c: 1 if net's parameters equal *reference, which the first call
 * (*reference NULL) fills with a copy of them (free it after). */
int same_params(float **reference, mnist_net *net);

/* core_check shift: the random-shift augmentation (shiftcheck.c); one JSON line. */
int cmd_shift(void);
/* shiftcheck.c: prints ,"slicesDense":B,"slicesCnn":B} - whether training
 * net_of(arch) on ds for 2 epochs in slices of 1000, 64, 7 and 1 samples gives
 * the same parameters every time (a dense and a small convolutional arch), with
 * change() applied to the hyperparameters after the first epoch. */
void print_slices(mnist_net *net_of(const char *arch), const mnist_dataset *ds, void change(mnist_hyper *h));
/* core_check warp: the rotation and scaling augmentation (warpcheck.c); one JSON line. */
int cmd_warp(void);
/* core_check cnn-dump ARCH IN [--perturb-one X T]: one forward and backward pass
 * through the network's passes, as JSON (cnndump.c). */
int cmd_cnndump(int argc, char **argv);

/* core_check teach / teach-save / teach-model: teaching a drawing (teachcheck.c). */
int cmd_teach(const char *cmd, int argc, char **argv);
/* core_check.c: a file in a buffer of exactly its size (exits on failure); a buffer into a file. */
uint8_t *read_exact(const char *path, size_t *len);
void write_all(const char *path, const void *data, size_t n);

/* ---- gradcheck.c's tools, shared with convcheck.c */

/* An objective J(everything) evaluated after *x was nudged; NAN = unusable. */
typedef double (*objective_fn)(void *ctx);
/* dJ/dx: central differences at h and h/2, Richardson-extrapolated. */
double numeric_derivative(float *x, float h, objective_fn J, void *ctx);

typedef struct {
    const char *name;
    double max_error;
    int checked, skipped;
} check_result;
/* Adds one comparison (analytic vs numeric; a NAN numeric counts as skipped). */
void record(check_result *r, double analytic, double numeric);
/* r as a JSON object, followed by a comma unless last. */
void print_result(const check_result *r, int last);
/* v[k] uniform in [-scale, scale). */
void fill_random(float *v, long n, nn_rng *rng, float scale);
double dot_double(const float *a, const float *b, long n);

/* convparity.c: conv2d_forward's sums in double, in the naive loop order:
 * out (B,OH,OW,O); mag (or NULL) the sums of the terms' magnitudes. */
void conv_naive(double *out, double *mag, const float *inp, const float *w, const float *bias,
                const conv_shape *s, int B);

/* convparity.c: conv2d_forward of every output pixel from weights in their
 * stored layout (O,K,K,C): transposes them first (conv2d_weights_t). */
void conv_forward_all(float *out, const float *inp, const float *w, const float *bias, const conv_shape *s,
                      int b0, int b1);

/* adamcheck.c: core_check adam-step / onecycle (-1 for another command). */
int cmd_optimizer(const char *cmd, int argc, char **argv);
/* n random images and labels drawn from seed (a synthetic training set). */
void synthetic_set(uint8_t *pixels, uint8_t *labels, long n, uint64_t seed);

#endif
