/* make_seeds.c - writes the model harnesses' seed corpus (model_raw.c,
 * model_crc.c) with the core's own writer, at build time:
 *   make_seeds DIR   ->  DIR/v1-784-10-10.model, DIR/v2-..., DIR/v3-..., DIR/v4-...
 * Valid files of every model format version (src/core/model.c; the earlier
 * ones as earlier builds wrote them, nn_model_save_as), small networks so
 * that the files stay a few KB to ~33 KB, and a version 2 file of a dense
 * network (which earlier builds saved as version 1). A new format version
 * gets its seed here, in the same change:
 * the run fails if the loader reads a version (it answers anything but
 * "version not supported" to it) that no seed has. */
#include <zlib.h>

#include "fuzz.h"
#include "../src/core/nn.h" /* nn_model_save_as: the earlier versions */

#define VERSIONS 64 /* format versions probed: 0 .. VERSIONS-1 */

static void put_le32(uint8_t *p, uint32_t v) {
    for (int k = 0; k < 4; k++) p[k] = (uint8_t)(v >> (8 * k));
}

static void write_file(const char *dir, const char *name, const uint8_t *bytes, size_t size) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(bytes, 1, size, f) != size || fclose(f) != 0) {
        fprintf(stderr, "make_seeds: cannot write %s\n", path);
        exit(1);
    }
}

/* A small synthetic set for mnist_teach's mix: 20 images, bands by label. */
static uint8_t mix_pixels[20 * MNIST_PIXELS], mix_labels[20];

static mnist_net *net_of(const char *arch, int taught) {
    mnist_config cfg;
    mnist_error err;
    mnist_preset("default", &cfg, NULL);
    if (mnist_parse_arch(arch, &cfg, &err) != MNIST_OK) FUZZ_FAIL("%s", err.message);
    mnist_net *net = mnist_create(&cfg, &err);
    if (!net) FUZZ_FAIL("%s", err.message);
    mnist_dataset mix = {mix_pixels, mix_labels, 20};
    for (int t = 0; t < taught; t++) {
        float image[MNIST_PIXELS];
        for (int i = 0; i < MNIST_PIXELS; i++) image[i] = (float)((i / 28 + 5 * t) % 28 < 4);
        mnist_teach_result result;
        if (mnist_teach(net, &mix, image, (3 * t + 1) % 10, &result, &err) != MNIST_OK) FUZZ_FAIL("%s", err.message);
    }
    return net;
}

/* Saves a network as format `version`; returns the version written. */
static uint32_t save(const char *dir, const char *name, mnist_net *net, uint32_t version, uint8_t **bytes,
                     size_t *size) {
    mnist_error err;
    *size = nn_model_size_as(net, version);
    *bytes = malloc(*size ? *size : 1);
    if (!*bytes || nn_model_save_as(net, version, *bytes, *size, &err) != MNIST_OK) FUZZ_FAIL("cannot save %s", name);
    write_file(dir, name, *bytes, *size);
    return fuzz_le32(*bytes + 8);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds DIR\n");
        return 2;
    }
    for (int i = 0; i < 20; i++) {
        mix_labels[i] = (uint8_t)(i % 10);
        for (int p = 0; p < MNIST_PIXELS; p++) mix_pixels[i * MNIST_PIXELS + p] = (uint8_t)((p / 28) / 3 == i % 10 ? 255 : 0);
    }
    static const struct { const char *name, *arch; int taught; uint32_t version; } seeds[] = {
        {"v1-784-10-10.model", "784-10-10", 0, 1},
        {"v2-784-c2k3-p2-10.model", "784-c2k3-p2-10", 0, 2},
        {"v2-784-c2k5pad2-p4-10.model", "784-c2k5pad2-p4-10", 0, 2},
        {"v2-784-p4-p7-10.model", "784-p4-p7-10", 0, 2},
        {"v3-784-10-10-taught2.model", "784-10-10", 2, 3},
        {"v3-784-p4-p7-10-taught3.model", "784-p4-p7-10", 3, 3},
        {"v4-784-10-10.model", "784-10-10", 0, 4},
        {"v4-784-c2k3-p2-10-taught2.model", "784-c2k3-p2-10", 2, 4},
    };
    int seen[VERSIONS] = {0};
    uint8_t *probe = NULL;
    size_t probe_size = 0;
    for (size_t s = 0; s < sizeof seeds / sizeof seeds[0]; s++) {
        mnist_net *net = net_of(seeds[s].arch, seeds[s].taught);
        uint8_t *bytes;
        size_t size;
        uint32_t version = save(argv[1], seeds[s].name, net, seeds[s].version, &bytes, &size);
        if (version != seeds[s].version) FUZZ_FAIL("%s was saved as version %u", seeds[s].name, version);
        seen[version < VERSIONS ? version : 0] = 1;
        if (s == 0) {
            probe = fuzz_copy(bytes, size);
            probe_size = size;
            /* The same dense network as a version 2 file: layer records (kind 0, units, 0, 0). */
            uint8_t *v2;
            size_t size2;
            save(argv[1], "v2-784-10-10.model", net, 2, &v2, &size2);
            free(v2);
        }
        free(bytes);
        mnist_free(net);
    }
    /* Every version the loader reads has a seed: the first file with its
     * version field changed (checksum fixed) is refused as "not supported"
     * only for versions the loader does not know. */
    for (uint32_t v = 0; v < VERSIONS; v++) {
        put_le32(probe + 8, v);
        put_le32(probe + probe_size - 4, (uint32_t)crc32(0L, probe, (uInt)(probe_size - 4)));
        mnist_error err;
        mnist_net *net = mnist_model_load(probe, probe_size, "probe", &err);
        if ((net || err.code != MNIST_E_MODEL_VERSION) && !seen[v])
            FUZZ_FAIL("the loader reads model format version %u but no seed has it: add one to fuzz/make_seeds.c", v);
        mnist_free(net);
    }
    free(probe);
    return 0;
}
