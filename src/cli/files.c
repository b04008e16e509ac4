/* files.c - the command-line tool's file layer: whole files read into
 * memory (the core takes buffers), inflated with zlib when they start with
 * the gzip magic, the four IDX files of a data directory, and model files. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cli.h"

#define MAX_FILE_BYTES (256u << 20) /* refuse anything that inflates past 256 MiB */

/* Doubles a growing buffer, up to MAX_FILE_BYTES. 0 and a message when it
 * may not grow further or memory runs out. */
static int grow_buffer(uint8_t **buf, size_t *cap, const char *path, const char *what) {
    if (*cap >= MAX_FILE_BYTES)
        return fail(0, "%s: larger than %u MiB%s; not an MNIST file", path, MAX_FILE_BYTES >> 20, what);
    size_t bigger_cap = *cap * 2 > MAX_FILE_BYTES ? MAX_FILE_BYTES : *cap * 2;
    uint8_t *bigger = realloc(*buf, bigger_cap);
    if (!bigger) return fail(0, "%s: out of memory", path);
    *buf = bigger;
    *cap = bigger_cap;
    return 1;
}

/* The end of a read: on success `out` owns buf; on failure buf is freed. */
static int hand_over(int ok, uint8_t *buf, size_t len, file_buf *out) {
    if (!ok) {
        free(buf);
        return 0;
    }
    out->bytes = buf;
    out->len = len;
    return 1;
}

/* Inflates a gzip file held in memory (every member, if several). Unlike
 * gzread, inflate reports a stream that ends early, and checks the CRC. */
static int gunzip(const char *path, const uint8_t *in, size_t in_len, file_buf *out) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK) return fail(0, "%s: zlib failed to start", path);
    size_t cap = in_len < MAX_FILE_BYTES / 4 ? in_len * 4 + 1024 : MAX_FILE_BYTES, len = 0;
    uint8_t *buf = malloc(cap);
    int ok = buf ? 1 : fail(0, "%s: out of memory", path), ret = Z_OK;
    zs.next_in = (uint8_t *)in;
    zs.avail_in = (uInt)in_len;
    while (ok) {
        if (len == cap && !(ok = grow_buffer(&buf, &cap, path, " once decompressed"))) break;
        zs.next_out = buf + len;
        zs.avail_out = (uInt)(cap - len);
        ret = inflate(&zs, Z_NO_FLUSH);
        len = cap - zs.avail_out;
        if (ret == Z_STREAM_END) {
            if (zs.avail_in == 0) break;
            inflateReset(&zs); /* another gzip member follows */
        } else if (ret == Z_BUF_ERROR && zs.avail_in == 0) {
            ok = fail(0, "%s: corrupt gzip data (the stream ends early: truncated file)", path);
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            ok = fail(0, "%s: corrupt gzip data (%s)", path, zs.msg ? zs.msg : "inflate failed");
        }
    }
    inflateEnd(&zs);
    return hand_over(ok, buf, len, out);
}

int read_file(const char *path, file_buf *out, const char *missing_hint) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return fail(0, "cannot open %s: %s%s", path, strerror(e), e == ENOENT ? missing_hint : "");
    }
    size_t cap = 1 << 20, len = 0;
    uint8_t *raw = malloc(cap);
    int ok = raw ? 1 : fail(0, "%s: out of memory", path);
    while (ok) {
        if (len == cap && !(ok = grow_buffer(&raw, &cap, path, ""))) break;
        size_t n = fread(raw + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) ok = fail(0, "cannot read %s: %s", path, strerror(errno));
            break;
        }
    }
    fclose(f);
    if (ok && len >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
        ok = gunzip(path, raw, len, out);
        free(raw);
        return ok;
    }
    return hand_over(ok, raw, len, out);
}

/* Finds DIR/NAME.gz, or DIR/NAME uncompressed. */
static int read_dataset_file(const char *dir, const char *name, file_buf *out, char *path,
                             size_t path_cap) {
    snprintf(path, path_cap, "%s/%s.gz", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        char plain[1024];
        snprintf(plain, sizeof plain, "%s/%s", dir, name);
        FILE *g = fopen(plain, "rb");
        if (g) {
            fclose(g);
            snprintf(path, path_cap, "%s", plain);
        }
    } else {
        fclose(f);
    }
    return read_file(path, out,
                     " (run `make data` to fetch MNIST into data/mnist, or pass --data DIR)");
}

void free_data(data_files *d) {
    for (int i = 0; i < 4; i++) free(d->files[i].bytes);
}

/* Loads DIR's training and/or test set. */
int load_data(const char *dir, int want_train, data_files *d) {
    static const char *names[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                   "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
    char paths[4][1024];
    memset(d, 0, sizeof *d);
    for (int i = want_train ? 0 : 2; i < 4; i++) {
        if (!read_dataset_file(dir, names[i], &d->files[i], paths[i], sizeof paths[i])) return 0;
    }
    mnist_error err;
    for (int s = want_train ? 0 : 1; s < 2; s++) {
        file_buf *img = &d->files[2 * s], *lab = &d->files[2 * s + 1];
        if (mnist_dataset_parse(img->bytes, img->len, paths[2 * s], lab->bytes, lab->len,
                                paths[2 * s + 1], s ? &d->test : &d->train, &err) != MNIST_OK)
            return fail(0, "%s", err.message);
    }
    return 1;
}

int write_model(const mnist_net *net, const char *path) {
    size_t size = mnist_model_size(net);
    uint8_t *buf = malloc(size);
    mnist_error err;
    if (!buf) return fail(0, "out of memory saving the model");
    if (mnist_model_save(net, buf, size, &err) != MNIST_OK) {
        free(buf);
        return fail(0, "%s", err.message);
    }
    FILE *f = fopen(path, "wb");
    int ok = f && fwrite(buf, 1, size, f) == size;
    if (f && fclose(f) != 0) ok = 0;
    free(buf);
    if (!ok) return fail(0, "cannot write model %s: %s", path, strerror(errno));
    return 1;
}

mnist_net *read_model(const char *path) {
    file_buf f;
    if (!read_file(path, &f, "")) return NULL;
    mnist_error err;
    mnist_net *net = mnist_model_load(f.bytes, f.len, path, &err);
    free(f.bytes);
    if (!net) fail(0, "%s", err.message);
    return net;
}
