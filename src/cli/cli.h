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
/* Flags of eval / predict: values[k] = the value of names[k]. */
int parse_simple(int argc, char **argv, const char *cmd, const char **names, const char **values, int n_names);

/* ---- files.c */
typedef struct {
    uint8_t *bytes;
    size_t len;
} file_buf;

/* Reads a whole file, inflating it if it starts with the gzip magic. 0 and
 * one message on failure; `missing_hint` is added when the file is absent. */
int read_file(const char *path, file_buf *out, const char *missing_hint);

typedef struct {
    file_buf files[4];
    mnist_dataset train, test;
} data_files;
/* Loads DIR's training and/or test set (always the test set). */
int load_data(const char *dir, int want_train, data_files *d);
void free_data(data_files *d);
int write_model(const mnist_net *net, const char *path);
mnist_net *read_model(const char *path);

#endif
