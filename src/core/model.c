/* model.c - saving and loading a network as a small binary file.
 *
 * Format, version 1; every integer u32 little-endian:
 *   offset 0   8 bytes   magic "MNISTNET"
 *          8   u32       format version (1)
 *         12   u32       L, weight layers (1..8)
 *         16   u32[L+1]  layer widths, 784 first, 10 last
 *          .   u32       P, parameter count = sum of (in*out + out)
 *          .   f32[P]    parameters, IEEE-754 little-endian, in mnist_params()
 *                        order: per layer W (out rows x in cols) then b
 *          .   u32       CRC-32 (IEEE, as zlib's crc32) of all bytes before it
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nn.h"

#define MODEL_MAGIC "MNISTNET"
#define MODEL_VERSION 1u

static void put_u32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); p[2] = (uint8_t)(v >> 16); p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_u32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t crc32_ieee(const uint8_t *p, size_t n) {
    uint32_t crc = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static size_t header_size(int n_layers) { return 8 + 4 + 4 + 4 * (size_t)(n_layers + 1) + 4; }

size_t mnist_model_size(const mnist_net *net) {
    return header_size(net->n_layers) + 4 * net->n_params + 4;
}

mnist_status mnist_model_save(const mnist_net *net, uint8_t *buf, size_t cap, mnist_error *err) {
    for (int l = 0; l < net->n_layers; l++) {
        if (net->specs[l].kind != MNIST_LAYER_DENSE) {
            nn_set_error(err, MNIST_E_MODEL_ARCH,
                         "model files of convolutional networks need format version 2 (not yet)");
            return MNIST_E_MODEL_ARCH;
        }
    }
    size_t size = mnist_model_size(net);
    if (cap < size) {
        nn_set_error(err, MNIST_E_STATE, "model buffer of %zu bytes is smaller than the %zu needed",
                     cap, size);
        return MNIST_E_STATE;
    }
    uint8_t *p = buf;
    memcpy(p, MODEL_MAGIC, 8); p += 8;
    put_u32(p, MODEL_VERSION); p += 4;
    put_u32(p, (uint32_t)net->n_layers); p += 4;
    for (int l = 0; l <= net->n_layers; l++, p += 4) put_u32(p, (uint32_t)net->sizes[l]);
    put_u32(p, (uint32_t)net->n_params); p += 4;
    for (size_t k = 0; k < net->n_params; k++, p += 4) {
        uint32_t bits;
        memcpy(&bits, &net->params[k], 4);
        put_u32(p, bits);
    }
    put_u32(p, crc32_ieee(buf, (size_t)(p - buf)));
    return MNIST_OK;
}

mnist_net *mnist_model_load(const uint8_t *buf, size_t len, const char *name, mnist_error *err) {
    if (!name) name = "model";
    if (!buf || len < 16) {
        nn_set_error(err, MNIST_E_MODEL_SHORT, "%s: %zu bytes is too short for a model file", name,
                     buf ? len : 0);
        return NULL;
    }
    if (memcmp(buf, MODEL_MAGIC, 8) != 0) {
        nn_set_error(err, MNIST_E_MODEL_MAGIC, "%s: not a model file (magic is not \"MNISTNET\")", name);
        return NULL;
    }
    uint32_t version = get_u32(buf + 8);
    if (version != MODEL_VERSION) {
        nn_set_error(err, MNIST_E_MODEL_VERSION,
                     "%s: model format version %u is not supported (this build reads version %u)",
                     name, version, MODEL_VERSION);
        return NULL;
    }
    uint32_t n_layers = get_u32(buf + 12);
    if (n_layers < 1 || n_layers > MNIST_MAX_LAYERS) {
        nn_set_error(err, MNIST_E_MODEL_ARCH, "%s: %u weight layers (must be 1..%d)", name, n_layers,
                     MNIST_MAX_LAYERS);
        return NULL;
    }
    size_t header = header_size((int)n_layers);
    if (len < header) {
        nn_set_error(err, MNIST_E_MODEL_SHORT, "%s: truncated inside the header (%zu of %zu bytes)",
                     name, len, header);
        return NULL;
    }
    mnist_config cfg;
    mnist_preset("default", &cfg, NULL);
    cfg.n_layers = (int)n_layers;
    size_t n_params = 0;
    for (uint32_t l = 0; l <= n_layers; l++) {
        uint32_t width = get_u32(buf + 16 + 4 * l);
        cfg.sizes[l] = width > MNIST_MAX_WIDTH ? MNIST_MAX_WIDTH + 1 : (int)width;
    }
    char what[300];
    snprintf(what, sizeof what, "%s: bad layer sizes", name);
    if (!nn_arch_layout(cfg.n_layers, cfg.sizes, cfg.layers, 0, NULL, MNIST_E_MODEL_ARCH, what, err)) return NULL;
    for (int l = 0; l < cfg.n_layers; l++)
        n_params += (size_t)cfg.sizes[l] * (size_t)cfg.sizes[l + 1] + (size_t)cfg.sizes[l + 1];
    uint32_t declared = get_u32(buf + header - 4);
    if (declared != n_params) {
        nn_set_error(err, MNIST_E_MODEL_LENGTH,
                     "%s: declares %u parameters but its layer sizes need %zu", name, declared,
                     n_params);
        return NULL;
    }
    size_t expected = header + 4 * n_params + 4;
    if (len < expected) {
        nn_set_error(err, MNIST_E_MODEL_SHORT, "%s: truncated: %zu bytes, expected %zu", name, len,
                     expected);
        return NULL;
    }
    if (len > expected) {
        nn_set_error(err, MNIST_E_MODEL_LENGTH, "%s: %zu bytes of trailing data after the model",
                     name, len - expected);
        return NULL;
    }
    uint32_t stored = get_u32(buf + expected - 4), actual = crc32_ieee(buf, expected - 4);
    if (stored != actual) {
        nn_set_error(err, MNIST_E_MODEL_CHECKSUM,
                     "%s: checksum mismatch (stored %08x, computed %08x): the file is corrupt", name,
                     stored, actual);
        return NULL;
    }
    mnist_net *net = mnist_create(&cfg, err);
    if (!net) return NULL;
    const uint8_t *p = buf + header;
    for (size_t k = 0; k < n_params; k++, p += 4) {
        uint32_t bits = get_u32(p);
        float v;
        memcpy(&v, &bits, 4);
        if (!isfinite(v)) {
            nn_set_error(err, MNIST_E_MODEL_VALUE, "%s: parameter %zu is not a finite number", name, k);
            mnist_free(net);
            return NULL;
        }
        net->params[k] = v;
    }
    return net;
}
