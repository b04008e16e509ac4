/* json.c - the command-line tool's JSON line: the one object each command
 * ends with on stdout, written field by field so that it is valid JSON
 * whatever the numbers. JSON has no NaN or infinity, so such a number (a
 * model whose finite weights overflow computes them) is written as null,
 * its field is named in a last "not_finite" list, and one warning on stderr
 * says so. Texts are quoted and escaped. Nothing else in the CLI prints JSON. */
#include <math.h>
#include <string.h>

#include "cli.h"

/* A quoted JSON string: quotes, backslashes and control characters escaped. */
static void put_string(const char *text) {
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\') printf("\\%c", *c);
        else if (*c < 0x20) printf("\\u%04x", *c);
        else putchar(*c);
    }
    putchar('"');
}

/* ,"key": (no comma before the first field). */
static void put_key(json_line *j, const char *key) {
    fputs(j->fields++ ? "," : "", stdout);
    put_string(key);
    printf(":");
}

/* Records that `key` holds a value JSON cannot (once per key). */
static void note_not_finite(json_line *j, const char *key) {
    for (int i = 0; i < j->n_bad; i++)
        if (strcmp(j->bad[i], key) == 0) return;
    if (j->n_bad < JSON_MAX_BAD) j->bad[j->n_bad++] = key;
}

/* One number in `format`, or null. */
static void put_number(json_line *j, const char *key, double value, const char *format) {
    if (isfinite(value)) {
        printf(format, value);
    } else {
        printf("null");
        note_not_finite(j, key);
    }
}

void json_open(json_line *j) {
    memset(j, 0, sizeof *j);
    printf("{");
}

void json_number(json_line *j, const char *key, double value, const char *format) {
    put_key(j, key);
    put_number(j, key, value, format);
}

void json_numbers(json_line *j, const char *key, const double *values, int n, const char *format) {
    put_key(j, key);
    printf("[");
    for (int i = 0; i < n; i++) {
        fputs(i ? "," : "", stdout);
        put_number(j, key, values[i], format);
    }
    printf("]");
}

void json_whole(json_line *j, const char *key, long value) {
    put_key(j, key);
    printf("%ld", value);
}

void json_table(json_line *j, const char *key, const long *cells, int rows, int cols) {
    put_key(j, key);
    for (int r = 0; r < rows; r++) {
        printf(r ? ",[" : "[[");
        for (int c = 0; c < cols; c++) printf(c ? ",%ld" : "%ld", cells[r * cols + c]);
        printf("]");
    }
    printf("]");
}

void json_bool(json_line *j, const char *key, int value) {
    put_key(j, key);
    printf("%s", value ? "true" : "false");
}

void json_text(json_line *j, const char *key, const char *text) {
    put_key(j, key);
    put_string(text);
}

void json_value(json_line *j, const char *key, const char *json) {
    put_key(j, key);
    printf("%s", json);
}

void json_close(json_line *j, const char *why) {
    char names[512] = "";
    size_t used = 0;
    if (j->n_bad) {
        put_key(j, "not_finite");
        printf("[");
        for (int i = 0; i < j->n_bad; i++) {
            fputs(i ? "," : "", stdout);
            put_string(j->bad[i]);
            used += (size_t)snprintf(names + used, used < sizeof names ? sizeof names - used : 0, "%s%s",
                                     i == 0 ? "" : i + 1 < j->n_bad ? ", " : " and ", j->bad[i]);
        }
        printf("]");
    }
    printf("}\n");
    fflush(stdout);
    if (j->n_bad)
        fail(0, "warning: %s %s (NaN or infinity: %s); the JSON line holds null for %s and names %s in "
                "\"not_finite\"", names, j->n_bad > 1 ? "are not finite numbers" : "is not a finite number", why,
             j->n_bad > 1 ? "them" : "it", j->n_bad > 1 ? "them" : "it");
}
