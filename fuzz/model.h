/* model.h - the model-file harnesses' check (model_raw.c, model_crc.c):
 * mnist_model_load on exactly `size` bytes; a refusal must be one line naming
 * the file; a network it accepts must predict (every layer runs), save (as
 * version 4, whatever the file's), and what it saves must load and save
 * again to the same bytes (a version 4 file's own bytes may differ from
 * them: its configuration may spell values otherwise, or name settings this
 * build skips). */
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
    mnist_net *again = mnist_model_load(out, out_size, "fuzz-model-saved", &err);
    if (!again) FUZZ_FAIL("what it saved does not load: %s", err.message);
    uint8_t *out2 = malloc(out_size);
    if (!out2 || mnist_model_size(again) != out_size) FUZZ_FAIL("saved again, a different size");
    if (mnist_model_save(again, out2, out_size, &err) != MNIST_OK || memcmp(out, out2, out_size) != 0)
        FUZZ_FAIL("loaded and saved %zu bytes, then saved %zu different ones", size, out_size);
    free(out2);
    mnist_free(again);
    free(out);
    mnist_free(net);
}

#endif
