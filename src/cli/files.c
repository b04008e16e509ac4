/* files.c - the command-line tool's file layer: whole files read into
 * memory (the core takes buffers), inflated with zlib when they start with
 * the gzip magic, the four IDX files of a data directory, and model files. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "cli.h"

#define MIB (1u << 20)
#define DATA_PATH_CAP 4096 /* a data file's path, as Linux's PATH_MAX */

/* The most one more file may hold: the per-file cap, or what the run's budget leaves. */
static size_t file_limit(const run_budget *budget) {
    size_t left = MAX_RUN_BYTES - budget->held;
    return left < MAX_FILE_BYTES ? left : MAX_FILE_BYTES;
}

/* The message for a file that reached file_limit(). */
static int too_large(const char *path, const char *what, const run_budget *budget) {
    if (file_limit(budget) < MAX_FILE_BYTES)
        return fail(0, "%s: the files of this run would hold more than %u MiB together%s (%zu MiB before this "
                       "one); that is the limit of a run", path, MAX_RUN_BYTES / MIB, what, budget->held / MIB);
    return fail(0, "%s: larger than %u MiB%s; not an MNIST file", path, MAX_FILE_BYTES / MIB, what);
}

/* Doubles a growing buffer, up to file_limit(). 0 and a message when it
 * may not grow further or memory runs out. */
static int grow_buffer(uint8_t **buf, size_t *cap, const char *path, const char *what, const run_budget *budget) {
    size_t limit = file_limit(budget);
    if (*cap >= limit) return too_large(path, what, budget);
    size_t bigger_cap = *cap * 2 > limit ? limit : *cap * 2;
    uint8_t *bigger = realloc(*buf, bigger_cap);
    if (!bigger) return fail(0, "%s: out of memory", path);
    *buf = bigger;
    *cap = bigger_cap;
    return 1;
}

/* A first buffer size of `want`, within file_limit() (at least 1). */
static size_t first_cap(size_t want, const run_budget *budget) {
    size_t limit = file_limit(budget);
    return want < limit ? want : limit ? limit : 1;
}

/* What a file that is not regular is, for the message. */
static const char *file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

/* The one line that refuses a file that is not regular: 0. */
static int refuse_kind(const char *path, mode_t mode) {
    return fail(0, "%s: %s, not a regular file", path, file_kind(mode));
}

/* 1 if path names no file or a regular file; else 0 and one line naming what it is.
 * stat only looks: a FIFO or device is neither opened (nor blocked on) nor touched. */
static int not_special(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0 || S_ISREG(st.st_mode)) return 1;
    return refuse_kind(path, st.st_mode);
}

/* 1 if the file open as fd is a regular file (fstat: the file actually opened,
 * whatever was swapped in after not_special looked); else closes fd, 0 and one line. */
static int opened_regular(int fd, const char *path) {
    struct stat st;
    int looked = fstat(fd, &st) == 0, e = errno;
    if (looked && S_ISREG(st.st_mode)) return 1;
    close(fd);
    if (!looked) return fail(0, "cannot stat %s: %s", path, strerror(e));
    return refuse_kind(path, st.st_mode);
}

/* Opens a regular file for reading without ever blocking: looked at before
 * (not_special), opened with O_NONBLOCK (a FIFO opens at once), looked at
 * again (opened_regular). -1 and one message on failure. */
static int open_regular(const char *path, const char *missing_hint) {
    if (!not_special(path)) return -1;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return fail(0, "cannot open %s: %s%s", path, strerror(e), e == ENOENT ? missing_hint : ""), -1;
    }
    if (!opened_regular(fd, path)) return -1;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
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
static int gunzip(const char *path, const uint8_t *in, size_t in_len, file_buf *out, const run_budget *budget) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, 15 + 16) != Z_OK) return fail(0, "%s: zlib failed to start", path);
    size_t cap = first_cap(in_len < MAX_FILE_BYTES / 4 ? in_len * 4 + 1024 : MAX_FILE_BYTES, budget), len = 0;
    uint8_t *buf = malloc(cap);
    int ok = buf ? 1 : fail(0, "%s: out of memory", path), ret = Z_OK;
    zs.next_in = (uint8_t *)in;
    zs.avail_in = (uInt)in_len;
    while (ok) {
        if (len == cap && !(ok = grow_buffer(&buf, &cap, path, " once decompressed", budget))) break;
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

int read_file(const char *path, file_buf *out, const char *missing_hint, run_budget *budget) {
    int fd = open_regular(path, missing_hint);
    if (fd < 0) return 0;
    size_t cap = first_cap(MIB, budget), len = 0;
    uint8_t *raw = malloc(cap);
    int ok = raw ? 1 : fail(0, "%s: out of memory", path);
    while (ok) {
        if (len == cap && !(ok = grow_buffer(&raw, &cap, path, "", budget))) break;
        ssize_t n = read(fd, raw + len, cap - len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) ok = fail(0, "cannot read %s: %s", path, strerror(errno));
        if (n <= 0) break;
        len += (size_t)n;
    }
    close(fd);
    if (ok && len >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
        ok = gunzip(path, raw, len, out, budget);
        free(raw);
    } else {
        ok = hand_over(ok, raw, len, out);
    }
    if (ok) budget->held += out->len;
    return ok;
}

/* Finds DIR/NAME.gz or DIR/NAME (uncompressed); refuses a folder holding
 * both, which could differ: neither is picked silently. */
static int read_dataset_file(const char *dir, const char *name, file_buf *out, char *path,
                             size_t path_cap, run_budget *budget) {
    struct stat st; /* lstat, not open: a FIFO must not be opened here (read_file refuses it) */
    char plain[DATA_PATH_CAP];
    if ((size_t)snprintf(path, path_cap, "%s/%s.gz", dir, name) >= path_cap || path_cap > sizeof plain)
        return fail(0, "%s: path too long for the data files (at most %zu bytes)", dir,
                    path_cap - strlen(name) - sizeof "/.gz");
    snprintf(plain, sizeof plain, "%s/%s", dir, name);
    int gz = lstat(path, &st) == 0, raw = lstat(plain, &st) == 0;
    if (gz && raw)
        return fail(0, "%s holds both %s.gz and %s; remove one of them (they may differ, and a run reads "
                       "one file for each part)", dir, name, name);
    if (raw) snprintf(path, path_cap, "%s", plain);
    return read_file(path, out,
                     " (run `make data` to fetch MNIST into data/mnist, or pass --data DIR)", budget);
}

void free_data(data_files *d) {
    for (int i = 0; i < 4; i++) free(d->files[i].bytes);
}

const char *const DATASET_FILES[4] = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                                      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};

/* Loads DIR's training and/or test set. */
int load_data(const char *dir, int want_train, data_files *d, run_budget *budget) {
    char paths[4][DATA_PATH_CAP];
    memset(d, 0, sizeof *d);
    for (int i = want_train ? 0 : 2; i < 4; i++) {
        if (!read_dataset_file(dir, DATASET_FILES[i], &d->files[i], paths[i], sizeof paths[i], budget)) return 0;
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

int check_save_path(const char *path) { return not_special(path); }

/* Writes size bytes of buf to path (a regular file or a new one); 0 after one message naming `what`. */
static int write_bytes(const uint8_t *buf, size_t size, const char *path, const char *what) {
    /* Without blocking too: a FIFO with no reader fails to open (ENXIO), one with a reader is refused. */
    int fd = not_special(path) ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NONBLOCK | O_CLOEXEC, 0666) : -2;
    if (fd >= 0 && !opened_regular(fd, path)) fd = -2;
    size_t done = 0;
    while (fd >= 0 && done < size) {
        ssize_t n = write(fd, buf + done, size - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        done += (size_t)n;
    }
    int e = errno, ok = fd >= 0 && done == size;
    if (fd >= 0 && close(fd) != 0 && ok) ok = 0, e = errno;
    if (fd == -2) return 0; /* already said */
    if (!ok) return fail(0, "cannot write %s %s: %s", what, path, strerror(e));
    return 1;
}

int write_model(const mnist_net *net, const char *path) {
    size_t size = mnist_model_size(net);
    uint8_t *buf = malloc(size);
    mnist_error err;
    if (!buf) return fail(0, "out of memory saving the model");
    int ok = mnist_model_save(net, buf, size, &err) == MNIST_OK ? write_bytes(buf, size, path, "model")
                                                                  : fail(0, "%s", err.message);
    free(buf);
    return ok;
}

int write_onnx(const mnist_net *net, const mnist_onnx_meta *meta, const char *path) {
    size_t size = mnist_onnx_size(net, meta);
    uint8_t *buf = size ? malloc(size) : NULL;
    mnist_error err;
    if (size && !buf) return fail(0, "out of memory exporting the model");
    int ok = mnist_onnx_save(net, meta, buf, size, &err) == MNIST_OK ? write_bytes(buf, size, path, "ONNX file")
                                                                      : fail(0, "%s", err.message);
    free(buf);
    return ok;
}

mnist_net *read_model(const char *path, run_budget *budget) {
    file_buf f;
    if (!read_file(path, &f, "", budget)) return NULL;
    mnist_error err;
    mnist_net *net = mnist_model_load(f.bytes, f.len, path, &err);
    free(f.bytes);
    if (!net) fail(0, "%s", err.message);
    return net;
}
