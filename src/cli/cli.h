/* cli.h - what the command-line tool's files share: args.c (usage, flags,
 * messages), files.c (files and gzip) and main.c (the commands). */
#ifndef CLI_H
#define CLI_H

#include <stdio.h>

#include "../mnist.h"

/* ---- args.c */
/* Prints "mnist: <message>" on stderr; returns status (so `return fail(2, ...)`). */
int fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void print_usage(FILE *out);
int parse_long(const char *flag, const char *text, long min, long max, long *out);

typedef struct {
    const char *data_dir, *save_path, *preset;
    mnist_config cfg;
    long log_every;
} train_options;
/* 1 if argv holds valid train options (a preset first, the flags override it). */
int parse_train(int argc, char **argv, train_options *o);
/* Flags of eval / predict: values[k] = the value of names[k] (NULL-ended). */
int parse_simple(int argc, char **argv, const char *cmd, const char *const *names, const char **values);

/* ---- json.c: the JSON line a command ends with, on stdout. Always valid
 * JSON: a number that is NaN or infinite is written as null and named in a
 * last "not_finite" list, and json_close warns on stderr (one line, ending
 * with `why`, the likely cause). */
#define JSON_MAX_BAD 16
typedef struct {
    int fields, n_bad;
    const char *bad[JSON_MAX_BAD]; /* the keys written as null */
} json_line;
void json_open(json_line *j); /* "{" */
/* "key":value in a printf `format` for one double ("%.4f"), or null. */
void json_number(json_line *j, const char *key, double value, const char *format);
void json_numbers(json_line *j, const char *key, const double *values, int n, const char *format);
void json_whole(json_line *j, const char *key, long value);
void json_table(json_line *j, const char *key, const long *cells, int rows, int cols); /* [[..],..] */
void json_bool(json_line *j, const char *key, int value);
void json_text(json_line *j, const char *key, const char *text); /* quoted and escaped */
void json_value(json_line *j, const char *key, const char *json); /* a value that is JSON already */
void json_close(json_line *j, const char *why); /* "not_finite", "}\n", the warning */

/* ---- files.c */
/* What a run may read (files.c enforces them, --help states them): every data,
 * image and model path must be a regular file (a FIFO, device, socket or
 * directory is refused before anything could block on it), each file at most
 * MAX_FILE_BYTES once decompressed, and all the files of one run together at
 * most MAX_RUN_BYTES (they stay in memory until it ends): one file at the cap
 * and 64 MiB more; MNIST's four files hold 55 MB. */
#define MAX_FILE_BYTES MNIST_MAX_FILE_BYTES
#define MAX_RUN_BYTES (MAX_FILE_BYTES + (64u << 20))

/* The bytes the files of one run hold so far, against MAX_RUN_BYTES: each
 * command starts one at {0} and passes it to every read. */
typedef struct {
    size_t held;
} run_budget;

typedef struct {
    uint8_t *bytes;
    size_t len;
} file_buf;

/* Reads a whole regular file, inflating it if it starts with the gzip magic,
 * within the limits above. 0 and one message on failure; `missing_hint` is
 * added when the file is absent. */
int read_file(const char *path, file_buf *out, const char *missing_hint, run_budget *budget);

/* The four IDX files of a dataset folder, without ".gz" (either form is read):
 * training images and labels, then test images and labels. The names are
 * web/js/datasets.js's; tests/cli.test.js checks that --help lists exactly those. */
extern const char *const DATASET_FILES[4];

typedef struct {
    file_buf files[4];
    mnist_dataset train, test;
} data_files;
/* Loads DIR's training and/or test set (always the test set). */
int load_data(const char *dir, int want_train, data_files *d, run_budget *budget);
void free_data(data_files *d);
/* 0 and one message if `path` exists and is not a regular file (checked
 * before training, so that a --save path that cannot be written fails first). */
int check_save_path(const char *path);
int write_model(const mnist_net *net, const char *path);
/* The network as an ONNX file (mnist_onnx_save); 0 after one message. */
int write_onnx(const mnist_net *net, const mnist_onnx_meta *meta, const char *path);
mnist_net *read_model(const char *path, run_budget *budget);

#endif
