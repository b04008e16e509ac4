/* idx_images.c - libFuzzer harness: mnist_idx_images, the image-only IDX
 * parser (the CLI's `predict --image`). The input is the file's bytes.
 * seeds: idx_images */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *buf = fuzz_copy(data, size);
    const uint8_t *pixels = NULL;
    long count = -1;
    mnist_error err;
    memset(&err, 0, sizeof err);
    mnist_status st = mnist_idx_images(buf, size, "fuzz-images", &pixels, &count, &err);
    if (st == MNIST_OK) {
        if (count < 1 || pixels != buf + 16 || size != 16 + (size_t)count * MNIST_PIXELS)
            FUZZ_FAIL("accepted %zu bytes as %ld images at offset %td", size, count, pixels - buf);
        unsigned sum = 0; /* every accepted pixel is inside the buffer */
        for (size_t i = 0; i < (size_t)count * MNIST_PIXELS; i++) sum += pixels[i];
        if (sum > 255u * (size_t)count * MNIST_PIXELS) FUZZ_FAIL("impossible pixel sum");
    } else {
        if (pixels || count != -1) FUZZ_FAIL("a refusal changed the outputs");
        fuzz_check_refusal(st, &err, "fuzz-images", NULL);
    }
    free(buf);
    return 0;
}
