/* model.h - the model-file harnesses' check (model_raw.c, model_crc.c):
 * mnist_model_load on exactly `size` bytes; a refusal must be one line naming
 * the file; a network it accepts must predict (every layer runs) and save
 * back to the same bytes when it saves as the same format version (a v2 file
 * of a dense network saves as v1, so only the version is compared then). */
#ifndef FUZZ_MODEL_H
#define FUZZ_MODEL_H

#include "fuzz.h"

static void fuzz_model(const uint8_t *buf, size_t size) {
    mnist_error err;
    memset(&err, 0, sizeof err);
    mnist_net *net = mnist_model_load(buf, size, "fuzz-model", &err);
    if (!net) {
        fuzz_check_refusal(err.code, &err, "fuzz-model", NULL);
        return;
    }
    uint8_t image[MNIST_PIXELS];
    for (int i = 0; i < MNIST_PIXELS; i++) image[i] = (uint8_t)(i * 7);
    float probs[MNIST_CLASSES];
    int guess = mnist_predict(net, image, probs);
    if (guess < 0 || guess >= MNIST_CLASSES) FUZZ_FAIL("predicted class %d", guess);
    size_t out_size = mnist_model_size(net);
    uint8_t *out = malloc(out_size);
    if (!out) FUZZ_FAIL("out of memory");
    if (mnist_model_save(net, out, out_size, &err) != MNIST_OK) FUZZ_FAIL("save failed: %s", err.message);
    if (fuzz_le32(out + 8) == fuzz_le32(buf + 8) && (out_size != size || memcmp(out, buf, size) != 0))
        FUZZ_FAIL("loaded %zu bytes, saved %zu different ones", size, out_size);
    free(out);
    mnist_free(net);
}

#endif
