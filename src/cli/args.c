/* args.c - the command-line tool's words: its usage text, its messages, and
 * its flags. The presets and every setting's flag (--weight-decay for the
 * key weightDecay), help text and range come from the core's tables
 * (mnist_presets, mnist_settings): a setting added there is a flag here. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char *USAGE_HEAD =
    "mnist - train a neural network (dense or convolutional) on MNIST-format digit images\n"
    "\n"
    "usage:\n"
    "  mnist train --data DIR [options]   train, print progress, end with one JSON line\n"
    "  mnist eval --data DIR --model FILE accuracy, loss and confusion matrix on DIR's sets\n"
    "  mnist predict --model FILE --image FILE [--index I] [--labels FILE]\n"
    "                                     class probabilities for one image\n"
    "  mnist export --onnx OUT --model FILE [--data DIR]\n"
    "                                     the model as an ONNX file; --data DIR puts\n"
    "                                     its test accuracy in it (docs/onnx.md)\n"
    "  mnist --help                       this text\n"
    "\n"
    "DIR holds the four IDX files, each gzipped or not (a folder holding both forms\n"
    "of one is refused):\n";

static const char *USAGE_PRESETS =
    "(`make data` puts MNIST in data/mnist and Fashion-MNIST in data/fashion-mnist).\n"
    "\n"
    "train options (a preset first, then any of the rest override it):\n"
    "  --preset NAME       one of these (default: default):\n";

/* After the settings' flags (those come from the core's table, mnist_settings). */
static const char *USAGE_TAIL =
    "  --log-every N       progress line every N updates (default: every epoch, or\n"
    "                      every 10 updates for full-batch training)\n"
    "  --save FILE         write the trained model (format: docs/model-format.md);\n"
    "                      it carries the settings above; eval and predict show them\n"
    "\n";

/* The limits (src/cli/cli.h), the JSON line (json.c), then the exit status. */
static const char *USAGE_LIMITS =
    "limits: the files read (the --data files, --model, --image, --labels), --save\n"
    "and --onnx must be regular files: a FIFO, device, socket or directory is refused\n"
    "at once. Each file read holds at most %u MiB once decompressed, and the files\n"
    "of one run together at most %u MiB.\n"
    "\n"
    "the last line of train, eval, predict and export is one JSON object; a figure\n"
    "that is NaN or infinite (a model whose weights overflow) is null there, named in\n"
    "its \"not_finite\" list, with a warning on stderr.\n"
    "\n"
    "exit status: 0 success, 1 bad input or failed run, 2 bad usage\n";

#define INDENT "                               " /* under the preset's settings */
#define FLAG_COLUMN 22                              /* where a flag's help starts */
#define NBSP "\x1f" /* a space print_wrapped does not break at (a range, "0 < X <= 100") */

/* Words of `text` from column `column` on, wrapped at about 80 columns,
 * each further line starting at column `indent`; NBSP prints as a space. */
static void print_wrapped(FILE *out, const char *text, int column, int indent) {
    int start = column;
    while (*text) {
        int word = (int)strcspn(text, " ");
        if (column > start && column + 1 + word > 80) {
            fprintf(out, "\n%*s", indent, "");
            column = start = indent;
        }
        fputs(column > start ? " " : "", out);
        for (int k = 0; k < word; k++) fputc(text[k] == NBSP[0] ? ' ' : text[k], out);
        column += word + (column > start ? 1 : 0);
        text += word;
        while (*text == ' ') text++;
    }
    fputc('\n', out);
}

/* The flag of a setting: "--weight-decay" for the key "weightDecay". */
static void flag_of(const mnist_setting *s, char *out, size_t cap) {
    size_t n = (size_t)snprintf(out, cap, "--");
    for (const char *k = s->key; *k && n + 2 < cap; k++) {
        if (*k >= 'A' && *k <= 'Z') out[n++] = '-', out[n++] = (char)(*k - 'A' + 'a');
        else out[n++] = *k;
    }
    out[n] = '\0';
}

/* "--lr X", "--optimizer sgd|adam", "--arch A-B-...-J"; --batch also takes "full". */
static void flag_line(const mnist_setting *s, char *out, size_t cap) {
    char flag[48];
    flag_of(s, flag, sizeof flag);
    int n = snprintf(out, cap, "%s ", flag);
    if (s->kind == MNIST_KIND_CHOICE)
        for (int i = 0; s->choices[i]; i++) n += snprintf(out + n, cap - (size_t)n, "%s%s", i ? "|" : "", s->choices[i]);
    else if (s->kind == MNIST_KIND_ARCH) snprintf(out + n, cap - (size_t)n, "A-B-...-J");
    else snprintf(out + n, cap - (size_t)n, "%s%s", s->kind == MNIST_KIND_NUMBER ? "X" : "N",
                  strcmp(s->key, "batch") == 0 ? "|full" : "");
}

/* One setting's flag and help, its range after it ("0 < X <= 100"). */
static void print_setting(FILE *out, const mnist_setting *s) {
    char line[128], help[1024];
    flag_line(s, line, sizeof line);
    int column = fprintf(out, "  %s", line);
    if (column + 1 > FLAG_COLUMN) column = fprintf(out, "\n") - 1;
    fprintf(out, "%*s", FLAG_COLUMN - column, "");
    int n = snprintf(help, sizeof help, "%s", s->help);
    if (s->kind == MNIST_KIND_NUMBER)
        snprintf(help + n, sizeof help - (size_t)n, " (%g" NBSP "%s" NBSP "X" NBSP "%s" NBSP "%g)", s->min,
                 s->min_exclusive ? "<" : "<=", s->max_exclusive ? "<" : "<=", s->max);
    else if (s->kind != MNIST_KIND_CHOICE && s->kind != MNIST_KIND_ARCH)
        snprintf(help + n, sizeof help - (size_t)n, " (%.0f" NBSP "<=" NBSP "N" NBSP "<=" NBSP "%.0f)", s->min, s->max);
    print_wrapped(out, help, FLAG_COLUMN, FLAG_COLUMN);
}

void print_usage(FILE *out) {
    fputs(USAGE_HEAD, out);
    for (int i = 0; i < 4; i++) /* two a line */
        fprintf(out, "%s.gz%s", DATASET_FILES[i], i % 2 ? "\n" : ", ");
    fputs(USAGE_PRESETS, out);
    for (const mnist_preset_def *p = mnist_presets; p->name; p++) {
        const mnist_config *c = &p->config;
        const mnist_hyper *h = &c->hyper;
        fprintf(out, "                      %-8s %s\n" INDENT "init %s, batch ", p->name, p->arch,
                mnist_init_name(c->init));
        if (h->batch_size >= MNIST_MAX_BATCH) fputs("full", out);
        else fprintf(out, "%ld", h->batch_size);
        fprintf(out, ", %s schedule", mnist_schedule_name(h->schedule));
        if (h->shift) fprintf(out, ", shift %ld", h->shift);
        if (h->rotate > 0.0f) fprintf(out, ", rotate %g", (double)h->rotate);
        if (h->scale > 0.0f) fprintf(out, ", scale %g", (double)h->scale);
        fprintf(out, ",\n" INDENT "%s, lr %g", mnist_optimizer_name(h->optimizer), (double)h->learning_rate);
        if (h->optimizer == MNIST_OPT_SGD) fprintf(out, ", momentum %g", (double)h->momentum);
        else fprintf(out, ", beta1 %g, beta2 %g", (double)h->beta1, (double)h->beta2);
        if (h->schedule == MNIST_SCHEDULE_STEP) fprintf(out, ", lr decay %g", (double)h->lr_decay);
        fputs(",\n" INDENT "stops after", out);
        if (h->epochs) fprintf(out, " %ld epochs", h->epochs);
        if (h->iterations) fprintf(out, "%s %ld iterations", h->epochs ? " or" : "", h->iterations);
        fputc('\n', out);
        fputs(INDENT, out);
        print_wrapped(out, p->description, (int)sizeof INDENT - 1, (int)sizeof INDENT - 1);
    }
    for (const mnist_setting *s = mnist_settings; s->key; s++) print_setting(out, s);
    fputs(USAGE_TAIL, out);
    fprintf(out, USAGE_LIMITS, MAX_FILE_BYTES >> 20, MAX_RUN_BYTES >> 20);
}

int fail(int status, const char *fmt, ...) {
    char line[16384]; /* room for two paths of PATH_MAX and the words around them */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    for (char *c = line; *c; c++) /* one line, whatever path or text it quotes */
        if ((unsigned char)*c < 0x20) *c = '?';
    fprintf(stderr, "mnist: %s\n", line);
    return status;
}

int parse_long(const char *flag, const char *text, long min, long max, long *out) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || errno == ERANGE || v < min || v > max) {
        fail(2, "%s: expected a whole number from %ld to %ld, got '%s'", flag, min, max, text);
        return 0;
    }
    *out = v;
    return 1;
}

/* The setting whose flag is `flag`, NULL if none. */
static const mnist_setting *setting_of_flag(const char *flag) {
    for (const mnist_setting *s = mnist_settings; s->key; s++) {
        char name[48];
        flag_of(s, name, sizeof name);
        if (strcmp(name, flag) == 0) return s;
    }
    return NULL;
}

/* The flags of train that are not settings. */
static const char *const TRAIN_FLAGS[] = {"--data", "--save", "--preset", "--log-every", NULL};

/* 1 if `flag` is one of train's: a setting's or one of TRAIN_FLAGS. */
static int is_train_flag(const char *flag, const char *const *unused) {
    (void)unused;
    for (int k = 0; TRAIN_FLAGS[k]; k++)
        if (strcmp(flag, TRAIN_FLAGS[k]) == 0) return 1;
    return setting_of_flag(flag) != NULL;
}

/* 1 if `flag` is one of the NULL-ended `names`. */
static int is_named(const char *flag, const char *const *names) {
    for (int k = 0; names[k]; k++)
        if (strcmp(flag, names[k]) == 0) return 1;
    return 0;
}

/* Exits with the usage if argv[i] asks for help. Else 1 if it is one of the
 * command's flags (known) followed by its value; 0 after one message if not:
 * an unknown option is named as unknown wherever it stands, and a known one
 * needs a value when it is last or another of the command's flags follows
 * it. */
static int flag_and_value(int argc, char **argv, int i, const char *cmd,
                          int (*known)(const char *, const char *const *), const char *const *names) {
    const char *flag = argv[i];
    if (strcmp(flag, "--help") == 0 || strcmp(flag, "-h") == 0) {
        print_usage(stdout);
        exit(0);
    }
    if (flag[0] != '-') return fail(2, "unexpected argument '%s' for %s (see mnist --help)", flag, cmd), 0;
    if (!known(flag, names)) return fail(2, "unknown option '%s' for %s (see mnist --help)", flag, cmd), 0;
    if (i + 1 >= argc || known(argv[i + 1], names))
        return fail(2, "option %s needs a value (see mnist --help)", flag), 0;
    return 1;
}

/* One flag of train with its value; 0 (after a message) if it is bad. A
 * setting's value is set by the core (mnist_config_set), which checks it. */
static int train_flag(const char *flag, const char *v, train_options *o, int *epochs_set, int *iterations_set) {
    mnist_error err;
    const mnist_setting *s = setting_of_flag(flag);
    if (s) {
        mnist_status st = strcmp(s->key, "batch") == 0 && strcmp(v, "full") == 0
                              ? mnist_config_set_number(&o->cfg, s->key, MNIST_MAX_BATCH, &err)
                              : mnist_config_set(&o->cfg, s->key, v, strlen(v), &err);
        if (st != MNIST_OK) return fail(2, "%s: %s", flag, err.message), 0;
        /* Naming one stopping rule replaces the preset's (parse_train). */
        if (strcmp(s->key, "epochs") == 0) *epochs_set = 1;
        if (strcmp(s->key, "iterations") == 0) *iterations_set = 1;
    } else if (strcmp(flag, "--data") == 0) {
        o->data_dir = v;
    } else if (strcmp(flag, "--save") == 0) {
        o->save_path = v;
    } else if (strcmp(flag, "--preset") == 0) {
        return 1; /* applied first (parse_train) */
    } else if (strcmp(flag, "--log-every") == 0) {
        return parse_long(flag, v, 1, (long)mnist_setting_find("iterations")->max, &o->log_every); /* at most a run */
    }
    return 1;
}

int parse_train(int argc, char **argv, train_options *o) {
    mnist_error err;
    o->preset = "default";
    for (int i = 0; i < argc; i += 2) { /* every flag is known and has its value; the preset first */
        if (!flag_and_value(argc, argv, i, "train", is_train_flag, NULL)) return 0;
        if (strcmp(argv[i], "--preset") == 0) o->preset = argv[i + 1];
    }
    if (mnist_preset(o->preset, &o->cfg, &err) != MNIST_OK) return fail(2, "--preset: %s", err.message), 0;
    int epochs_set = 0, iterations_set = 0; /* then every other flag overrides the preset */
    for (int i = 0; i < argc; i += 2)
        if (!train_flag(argv[i], argv[i + 1], o, &epochs_set, &iterations_set)) return 0;
    /* Naming one stopping rule replaces the preset's. */
    if (epochs_set && !iterations_set) o->cfg.hyper.iterations = 0;
    if (iterations_set && !epochs_set) o->cfg.hyper.epochs = 0;
    if (!o->data_dir) return fail(2, "train: --data DIR is required (e.g. --data data/mnist)"), 0;
    if (mnist_config_check(&o->cfg, &err) != MNIST_OK) return fail(2, "%s", err.message), 0;
    return 1;
}

int parse_simple(int argc, char **argv, const char *cmd, const char *const *names, const char **values) {
    for (int i = 0; i < argc; i += 2) {
        if (!flag_and_value(argc, argv, i, cmd, is_named, names)) return 0;
        int k = 0;
        while (strcmp(argv[i], names[k]) != 0) k++;
        values[k] = argv[i + 1];
    }
    return 1;
}
