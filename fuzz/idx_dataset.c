/* idx_dataset.c - libFuzzer harness: mnist_dataset_parse, the image + label
 * IDX parser (the CLI's --data sets and `predict --labels`, the page's sets).
 * The input: a u32 little-endian n, then the image file (its first n bytes,
 * or all that is left), then the label file (the rest); each part is copied
 * to a block of its own size so a read past either end is caught.
 * seeds: idx_dataset */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4) return 0;
    size_t images_len = fuzz_le32(data);
    if (images_len > size - 4) images_len = size - 4;
    size_t labels_len = size - 4 - images_len;
    uint8_t *images = fuzz_copy(data + 4, images_len), *labels = fuzz_copy(data + 4 + images_len, labels_len);
    mnist_dataset ds = {NULL, NULL, -1};
    mnist_error err;
    memset(&err, 0, sizeof err);
    mnist_status st = mnist_dataset_parse(images, images_len, "fuzz-images", labels, labels_len, "fuzz-labels", &ds,
                                          &err);
    if (st == MNIST_OK) {
        size_t n = (size_t)ds.count;
        if (ds.count < 1 || ds.pixels != images + 16 || ds.labels != labels + 8 ||
            images_len != 16 + n * MNIST_PIXELS || labels_len != 8 + n)
            FUZZ_FAIL("accepted %zu + %zu bytes as %ld images", images_len, labels_len, ds.count);
        unsigned sum = 0;
        for (size_t i = 0; i < n * MNIST_PIXELS; i++) sum += ds.pixels[i];
        for (size_t i = 0; i < n; i++)
            if (ds.labels[i] >= MNIST_CLASSES) FUZZ_FAIL("accepted label %u of image %zu", ds.labels[i], i);
        if (sum > 255u * n * MNIST_PIXELS) FUZZ_FAIL("impossible pixel sum");
    } else {
        if (ds.pixels || ds.labels || ds.count != -1) FUZZ_FAIL("a refusal changed the dataset");
        fuzz_check_refusal(st, &err, "fuzz-images", "fuzz-labels");
    }
    free(images);
    free(labels);
    return 0;
}
