/* model.c - saving and loading a network as a small binary file.
 *
 * Format, every integer u32 little-endian. Version 1 (dense networks; what
 * a dense network is saved as):
 *   offset 0   8 bytes   magic "MNISTNET"
 *          8   u32       format version (1)
 *         12   u32       L, weight layers (1..8)
 *         16   u32[L+1]  layer widths, 784 first, 10 last
 *          .   u32       P, parameter count = sum of (in*out + out)
 *          .   f32[P]    parameters, IEEE-754 little-endian, in mnist_params()
 *                        order: per layer W (out rows x in cols) then b
 *          .   u32       CRC-32 (IEEE, as zlib's crc32) of all bytes before it
 * Version 2 (any network; what a convolutional one is saved as): the same,
 * except that the widths are replaced by the layers:
 *          8   u32       format version (2)
 *         12   u32       L, layers after the 784-pixel input (1..8)
 *         16   u32[4L]   per layer: kind (0 dense, 1 convolution, 2 max-pool),
 *                        then dense: units, 0, 0; convolution: filters, kernel,
 *                        padding; pool: window, 0, 0
 *          .   u32       P, parameter count (mnist_params() order, as mnist.h says)
 *          .   f32[P]    parameters
 *          .   u32       CRC-32 of all bytes before it
 * Version 3 (a network with taught examples, mnist_teach): version 2 with
 * the taught examples between the parameters and the CRC:
 *          8   u32       format version (3)
 *          .   ...       layers, P and the parameters as in version 2
 *          .   u32       T, taught examples (1..100, MNIST_TEACH_MAX)
 *          .   u8[T]     their labels (0..9), oldest first
 *          .   u8[784T]  their pixels, 0..255, row by row, example after example
 *          .   u32       CRC-32 of all bytes before it
 * Version 4 (what every network is saved as): version 3, the taught
 * examples optional, and the configuration it was trained with:
 *          8   u32       format version (4)
 *          .   ...       layers, P and the parameters as in version 2
 *          .   u32       T, taught examples (0..100)
 *          .   u8[T]     their labels, then u8[784T] their pixels, as in version 3
 *          .   u32       S, bytes of the configuration (at most 65536)
 *          .   u8[S]     the configuration: one "key=value\n" line per setting of
 *                        the settings table (src/core/settings.c), in its order, as
 *                        mnist_config_lines writes them ("lr=0.1\n", "optimizer=adam\n",
 *                        "arch=784-128-10\n"; a float in the fewest digits that read
 *                        back to it). Loading sets each by mnist_config_set over the
 *                        default preset's configuration: a key it does not know is
 *                        skipped (a later build's setting), a setting missing keeps
 *                        the default preset's value; "arch" must name the layers above.
 *          .   u32       CRC-32 of all bytes before it
 * (Versions 1 to 3 carry no configuration: a network loaded from one gets
 * the default preset's, with the file's layers.)
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "nn.h"

#define MODEL_MAGIC "MNISTNET"
#define MODEL_VERSION 1u    /* dense networks */
#define MODEL_VERSION_2 2u  /* any network */
#define MODEL_VERSION_3 3u  /* any network, with taught examples */
#define MODEL_VERSION_4 4u  /* any network, taught examples if any, its configuration */
#define MAX_CONFIG_BYTES 65536u

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

/* The taught examples' bytes after the parameters: T, labels, pixels
 * (version 3: T >= 1; version 4: T may be 0). */
static size_t taught_size(uint32_t version, int taught) {
    return version >= MODEL_VERSION_3 ? 4 + (size_t)taught * (1 + MNIST_PIXELS) : 0;
}

static size_t header_size(uint32_t version, int n_layers) {
    return 8 + 4 + 4 + 4 * (version == MODEL_VERSION ? (size_t)(n_layers + 1) : 4 * (size_t)n_layers) + 4;
}

/* The configuration's text (version 4), measured when buf is NULL. */
static size_t config_text(const mnist_net *net, char *buf, size_t cap) {
    mnist_config c = mnist_get_config(net);
    return mnist_config_lines(&c, buf, cap);
}

/* Whether net can be written as `version`: 1 only a dense network, 1 and 2
 * only without taught examples, 3 only with some. */
static int writable_as(const mnist_net *net, uint32_t version) {
    int dense = 1;
    for (int l = 0; l < net->n_layers; l++)
        if (net->specs[l].kind != MNIST_LAYER_DENSE) dense = 0;
    if (version == MODEL_VERSION) return dense && net->n_taught == 0;
    if (version == MODEL_VERSION_2) return net->n_taught == 0;
    if (version == MODEL_VERSION_3) return net->n_taught > 0;
    return version == MODEL_VERSION_4;
}

int nn_model_has_config(const uint8_t *buf, size_t len) {
    return len >= 12 && get_u32(buf + 8) >= MODEL_VERSION_4;
}

size_t nn_model_size_as(const mnist_net *net, uint32_t version) {
    if (!writable_as(net, version)) return 0;
    size_t config = version == MODEL_VERSION_4 ? 4 + config_text(net, NULL, 0) : 0;
    return header_size(version, net->n_layers) + 4 * net->n_params + taught_size(version, net->n_taught) + config + 4;
}

size_t mnist_model_size(const mnist_net *net) { return nn_model_size_as(net, MODEL_VERSION_4); }

mnist_status nn_model_save_as(const mnist_net *net, uint32_t version, uint8_t *buf, size_t cap, mnist_error *err) {
    if (!writable_as(net, version)) {
        nn_set_error(err, MNIST_E_STATE, "this network cannot be saved as format version %u", version);
        return MNIST_E_STATE;
    }
    size_t size = nn_model_size_as(net, version);
    if (cap < size) {
        nn_set_error(err, MNIST_E_STATE, "model buffer of %zu bytes is smaller than the %zu needed",
                     cap, size);
        return MNIST_E_STATE;
    }
    uint8_t *p = buf;
    memcpy(p, MODEL_MAGIC, 8); p += 8;
    put_u32(p, version); p += 4;
    put_u32(p, (uint32_t)net->n_layers); p += 4;
    if (version == MODEL_VERSION) {
        for (int l = 0; l <= net->n_layers; l++, p += 4) put_u32(p, (uint32_t)net->sizes[l]);
    } else {
        for (int l = 0; l < net->n_layers; l++, p += 16) {
            const mnist_layer_spec *s = &net->specs[l];
            uint32_t f[4] = {(uint32_t)s->kind, (uint32_t)s->kernel, 0, 0};
            if (s->kind == MNIST_LAYER_DENSE) f[1] = (uint32_t)net->sizes[l + 1];
            if (s->kind == MNIST_LAYER_CONV) f[1] = (uint32_t)s->channels, f[2] = (uint32_t)s->kernel, f[3] = (uint32_t)s->pad;
            for (int k = 0; k < 4; k++) put_u32(p + 4 * k, f[k]);
        }
    }
    put_u32(p, (uint32_t)net->n_params); p += 4;
    for (size_t k = 0; k < net->n_params; k++, p += 4) {
        uint32_t bits;
        memcpy(&bits, &net->params[k], 4);
        put_u32(p, bits);
    }
    if (version == MODEL_VERSION_3 || version == MODEL_VERSION_4) {
        put_u32(p, (uint32_t)net->n_taught); p += 4;
        memcpy(p, net->taught_labels, (size_t)net->n_taught); p += net->n_taught;
        memcpy(p, net->taught_pixels, (size_t)net->n_taught * MNIST_PIXELS); p += (size_t)net->n_taught * MNIST_PIXELS;
    }
    if (version == MODEL_VERSION_4) {
        size_t text = config_text(net, NULL, 0);
        put_u32(p, (uint32_t)text); p += 4;
        char *lines = (char *)p; /* written with its NUL, which the CRC then overwrites */
        config_text(net, lines, text + 1);
        p += text;
    }
    put_u32(p, crc32_ieee(buf, (size_t)(p - buf)));
    return MNIST_OK;
}

mnist_status mnist_model_save(const mnist_net *net, uint8_t *buf, size_t cap, mnist_error *err) {
    return nn_model_save_as(net, MODEL_VERSION_4, buf, cap, err);
}

/* A u32 as an int, values too large for any check kept too large. */
static int clamp_width(uint32_t v) { return v > 1000000u ? 1000001 : (int)v; }

/* Version 2's layer records into cfg (sizes[l+1] of dense layers; the
 * others are computed by nn_arch_layout); 0 and an error for a record that
 * is no layer. */
static int read_layers(const uint8_t *p, mnist_config *cfg, const char *name, mnist_error *err) {
    cfg->sizes[0] = MNIST_PIXELS;
    for (int l = 0; l < cfg->n_layers; l++, p += 16) {
        uint32_t kind = get_u32(p), f1 = get_u32(p + 4), f2 = get_u32(p + 8), f3 = get_u32(p + 12);
        mnist_layer_spec *s = &cfg->layers[l];
        memset(s, 0, sizeof *s);
        cfg->sizes[l + 1] = 0;
        if (kind == MNIST_LAYER_DENSE && f2 == 0 && f3 == 0) {
            cfg->sizes[l + 1] = clamp_width(f1);
        } else if (kind == MNIST_LAYER_CONV) {
            s->kind = MNIST_LAYER_CONV;
            s->channels = clamp_width(f1);
            s->kernel = clamp_width(f2);
            s->pad = clamp_width(f3);
        } else if (kind == MNIST_LAYER_POOL && f2 == 0 && f3 == 0) {
            s->kind = MNIST_LAYER_POOL;
            s->kernel = clamp_width(f1);
        } else {
            nn_set_error(err, MNIST_E_MODEL_ARCH, "%s: layer %d is no layer (kind %u with fields %u, %u, %u)", name,
                         l + 1, kind, f1, f2, f3);
            return 0;
        }
    }
    return 1;
}

/* Whether a and b have the same layers: the same architecture text (the grammar's canonical form). */
static int same_layers(const mnist_config *a, const mnist_config *b) {
    char text_a[256], text_b[256];
    size_t na = mnist_arch_format(a->n_layers, a->sizes, a->layers, text_a, sizeof text_a);
    size_t nb = mnist_arch_format(b->n_layers, b->sizes, b->layers, text_b, sizeof text_b);
    return na < sizeof text_a && na == nb && strcmp(text_a, text_b) == 0;
}

/* Version 4's configuration lines over *cfg (which holds the file's
 * layers); 0 and an error for a line that is not key=value, a value its
 * setting refuses, an "arch" that is not those layers, or a configuration
 * mnist_config_check refuses. */
static int read_config(const char *text, size_t len, mnist_config *cfg, const char *name, mnist_error *err) {
    mnist_config c = *cfg;
    mnist_error why;
    int line_no = 1;
    for (size_t at = 0; at < len; line_no++) {
        const char *line = text + at, *end = memchr(line, '\n', len - at);
        const char *eq = end ? memchr(line, '=', (size_t)(end - line)) : NULL;
        if (!eq) {
            nn_set_error(err, MNIST_E_MODEL_VALUE, "%s: configuration line %d is not key=value and a newline", name,
                         line_no);
            return 0;
        }
        char key[32] = "";
        size_t key_len = (size_t)(eq - line);
        if (key_len < sizeof key) memcpy(key, line, key_len), key[key_len] = '\0';
        const mnist_setting *s = strlen(key) == key_len ? mnist_setting_find(key) : NULL; /* else skipped */
        if (s && mnist_config_set(&c, key, eq + 1, (size_t)(end - eq - 1), &why) != MNIST_OK) {
            nn_set_error(err, MNIST_E_MODEL_VALUE, "%s: configuration: %s", name, why.message);
            return 0;
        }
        if (s && s->kind == MNIST_KIND_ARCH && !same_layers(&c, cfg)) {
            nn_set_error(err, MNIST_E_MODEL_ARCH, "%s: the configuration's architecture is not the file's layers", name);
            return 0;
        }
        at = (size_t)(end - text) + 1;
    }
    if (mnist_config_check(&c, &why) != MNIST_OK) {
        nn_set_error(err, MNIST_E_MODEL_VALUE, "%s: configuration: %s", name, why.message);
        return 0;
    }
    *cfg = c;
    return 1;
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
    if (version < MODEL_VERSION || version > MODEL_VERSION_4) {
        nn_set_error(err, MNIST_E_MODEL_VERSION,
                     "%s: model format version %u is not supported (this build reads versions %u to %u)",
                     name, version, MODEL_VERSION, MODEL_VERSION_4);
        return NULL;
    }
    uint32_t n_layers = get_u32(buf + 12);
    if (n_layers < 1 || n_layers > MNIST_MAX_LAYERS) {
        nn_set_error(err, MNIST_E_MODEL_ARCH, "%s: %u weight layers (must be 1..%d)", name, n_layers,
                     MNIST_MAX_LAYERS);
        return NULL;
    }
    size_t header = header_size(version, (int)n_layers);
    if (len < header) {
        nn_set_error(err, MNIST_E_MODEL_SHORT, "%s: truncated inside the header (%zu of %zu bytes)",
                     name, len, header);
        return NULL;
    }
    mnist_config cfg;
    mnist_preset("default", &cfg, NULL);
    cfg.n_layers = (int)n_layers;
    char what[300];
    snprintf(what, sizeof what, "%s: bad layer sizes", name);
    if (version == MODEL_VERSION) {
        for (uint32_t l = 0; l <= n_layers; l++) {
            uint32_t width = get_u32(buf + 16 + 4 * l);
            cfg.sizes[l] = width > MNIST_MAX_WIDTH ? MNIST_MAX_WIDTH + 1 : (int)width;
        }
    } else if (!read_layers(buf + 16, &cfg, name, err)) {
        return NULL;
    }
    if (!nn_arch_layout(cfg.n_layers, cfg.sizes, cfg.layers, version != MODEL_VERSION, NULL, MNIST_E_MODEL_ARCH,
                        what, err))
        return NULL;
    nn_layer layers[MNIST_MAX_LAYERS];
    nn_arch_layout(cfg.n_layers, cfg.sizes, cfg.layers, 0, layers, MNIST_E_MODEL_ARCH, what, NULL);
    size_t n_params = 0;
    for (int l = 0; l < cfg.n_layers; l++) n_params += layers[l].n_w + layers[l].n_b;
    uint32_t declared = get_u32(buf + header - 4);
    if (declared != n_params) {
        nn_set_error(err, MNIST_E_MODEL_LENGTH,
                     "%s: declares %u parameters but its layer sizes need %zu", name, declared,
                     n_params);
        return NULL;
    }
    size_t at = header + 4 * n_params; /* after the parameters */
    int taught = 0;
    if (version >= MODEL_VERSION_3) {
        if (len < at + 4) {
            nn_set_error(err, MNIST_E_MODEL_SHORT, "%s: truncated before its taught examples: %zu bytes", name, len);
            return NULL;
        }
        uint32_t declared_taught = get_u32(buf + at), least = version == MODEL_VERSION_3 ? 1 : 0;
        if (declared_taught < least || declared_taught > MNIST_TEACH_MAX) {
            nn_set_error(err, MNIST_E_MODEL_LENGTH, "%s: declares %u taught examples (must be %u..%d)", name,
                         declared_taught, least, MNIST_TEACH_MAX);
            return NULL;
        }
        taught = (int)declared_taught;
        at += taught_size(version, taught);
    }
    size_t config_at = 0, config_len = 0;
    if (version == MODEL_VERSION_4) {
        if (len < at + 4) {
            nn_set_error(err, MNIST_E_MODEL_SHORT, "%s: truncated before its configuration: %zu bytes", name, len);
            return NULL;
        }
        uint32_t declared_config = get_u32(buf + at);
        if (declared_config > MAX_CONFIG_BYTES) {
            nn_set_error(err, MNIST_E_MODEL_LENGTH, "%s: declares a configuration of %u bytes (at most %u)", name,
                         declared_config, MAX_CONFIG_BYTES);
            return NULL;
        }
        config_at = at + 4;
        config_len = declared_config;
        at = config_at + config_len;
    }
    size_t expected = at + 4; /* and the CRC */
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
    if (version == MODEL_VERSION_4 && !read_config((const char *)buf + config_at, config_len, &cfg, name, err))
        return NULL;
    mnist_net *net = mnist_create(&cfg, err);
    if (!net) return NULL;
    const uint8_t *p = buf + header;
    const uint8_t *labels = p + 4 * n_params + 4;
    for (int k = 0; k < taught; k++) {
        if (labels[k] >= MNIST_CLASSES) {
            nn_set_error(err, MNIST_E_MODEL_VALUE, "%s: taught example %d has label %u (must be 0..9)", name, k + 1,
                         labels[k]);
            mnist_free(net);
            return NULL;
        }
    }
    net->n_taught = taught;
    memcpy(net->taught_labels, labels, (size_t)taught);
    memcpy(net->taught_pixels, labels + taught, (size_t)taught * MNIST_PIXELS);
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
