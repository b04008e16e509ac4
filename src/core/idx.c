/* idx.c - validation of MNIST's IDX files held in memory.
 *
 * IDX (yann.lecun.com/exdb/mnist): big-endian u32 header, then raw bytes.
 *   images: magic 2051, count, rows (28), cols (28), count*28*28 pixels
 *   labels: magic 2049, count, count labels (0..9)
 * Every length is checked before it is used, in 64-bit arithmetic, so a
 * hostile header can neither overflow nor send a read out of bounds. */
#include "nn.h"

#define IDX_IMAGES_MAGIC 2051u
#define IDX_LABELS_MAGIC 2049u
#define IDX_IMAGES_HEADER 16u
#define IDX_LABELS_HEADER 8u

static uint32_t read_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static const char *magic_hint(uint32_t magic) {
    if (magic == IDX_IMAGES_MAGIC) return " (that is an image file)";
    if (magic == IDX_LABELS_MAGIC) return " (that is a label file)";
    if ((magic >> 16) == 0x1f8b) return " (still gzip-compressed)";
    return "";
}

mnist_status mnist_idx_images(const uint8_t *buf, size_t len, const char *name,
                              const uint8_t **pixels, long *count, mnist_error *err) {
    if (!name) name = "images";
    if (!buf || len < IDX_IMAGES_HEADER) {
        nn_set_error(err, MNIST_E_IDX_SHORT,
                     "%s: %zu bytes is too short for an IDX image header (16 bytes)", name,
                     buf ? len : 0);
        return MNIST_E_IDX_SHORT;
    }
    uint32_t magic = read_be32(buf), n = read_be32(buf + 4);
    uint32_t rows = read_be32(buf + 8), cols = read_be32(buf + 12);
    if (magic != IDX_IMAGES_MAGIC) {
        nn_set_error(err, MNIST_E_IDX_MAGIC, "%s: not an IDX image file: magic %u, expected 2051%s",
                     name, magic, magic_hint(magic));
        return MNIST_E_IDX_MAGIC;
    }
    if (rows != MNIST_ROWS || cols != MNIST_COLS) {
        nn_set_error(err, MNIST_E_IDX_DIMS, "%s: images are %ux%u, expected 28x28", name, rows, cols);
        return MNIST_E_IDX_DIMS;
    }
    if (n == 0) {
        nn_set_error(err, MNIST_E_IDX_DIMS, "%s: the header says it holds no images", name);
        return MNIST_E_IDX_DIMS;
    }
    uint64_t expected = IDX_IMAGES_HEADER + (uint64_t)n * MNIST_PIXELS;
    if ((uint64_t)len != expected) {
        nn_set_error(err, MNIST_E_IDX_LENGTH,
                     "%s: %zu bytes, but the header's %u images of 28x28 need %llu (%s)", name,
                     len, n, (unsigned long long)expected,
                     (uint64_t)len < expected ? "truncated" : "trailing bytes");
        return MNIST_E_IDX_LENGTH;
    }
    *pixels = buf + IDX_IMAGES_HEADER;
    *count = (long)n;
    return MNIST_OK;
}

static mnist_status idx_labels(const uint8_t *buf, size_t len, const char *name,
                               const uint8_t **labels, long *count, mnist_error *err) {
    if (!buf || len < IDX_LABELS_HEADER) {
        nn_set_error(err, MNIST_E_IDX_SHORT,
                     "%s: %zu bytes is too short for an IDX label header (8 bytes)", name,
                     buf ? len : 0);
        return MNIST_E_IDX_SHORT;
    }
    uint32_t magic = read_be32(buf), n = read_be32(buf + 4);
    if (magic != IDX_LABELS_MAGIC) {
        nn_set_error(err, MNIST_E_IDX_MAGIC, "%s: not an IDX label file: magic %u, expected 2049%s",
                     name, magic, magic_hint(magic));
        return MNIST_E_IDX_MAGIC;
    }
    uint64_t expected = IDX_LABELS_HEADER + (uint64_t)n;
    if ((uint64_t)len != expected) {
        nn_set_error(err, MNIST_E_IDX_LENGTH, "%s: %zu bytes, but the header's %u labels need %llu (%s)",
                     name, len, n, (unsigned long long)expected,
                     (uint64_t)len < expected ? "truncated" : "trailing bytes");
        return MNIST_E_IDX_LENGTH;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint8_t v = buf[IDX_LABELS_HEADER + i];
        if (v >= MNIST_CLASSES) {
            nn_set_error(err, MNIST_E_IDX_LABEL, "%s: label %u of image %u is outside 0..9", name,
                         (unsigned)v, i);
            return MNIST_E_IDX_LABEL;
        }
    }
    *labels = buf + IDX_LABELS_HEADER;
    *count = (long)n;
    return MNIST_OK;
}

mnist_status mnist_dataset_parse(const uint8_t *images, size_t images_len, const char *images_name,
                                 const uint8_t *labels, size_t labels_len, const char *labels_name,
                                 mnist_dataset *out, mnist_error *err) {
    if (!images_name) images_name = "images";
    if (!labels_name) labels_name = "labels";
    const uint8_t *pixels, *label_bytes;
    long n_images, n_labels;
    mnist_status st = mnist_idx_images(images, images_len, images_name, &pixels, &n_images, err);
    if (st != MNIST_OK) return st;
    st = idx_labels(labels, labels_len, labels_name, &label_bytes, &n_labels, err);
    if (st != MNIST_OK) return st;
    if (n_images != n_labels) {
        nn_set_error(err, MNIST_E_IDX_COUNT, "%s holds %ld images but %s holds %ld labels",
                     images_name, n_images, labels_name, n_labels);
        return MNIST_E_IDX_COUNT;
    }
    out->pixels = pixels;
    out->labels = label_bytes;
    out->count = n_images;
    return MNIST_OK;
}
