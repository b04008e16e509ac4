/* text.c - the texts the core writes and reads: JSON (nn_json, for
 * mnist_rules_json, mnist_arch_describe, mnist_config_json; a number that
 * JSON cannot hold is null) and numbers (nn_read_number, nn_float_text). Numbers are read by our own reader, not
 * strtod: the same bits in every build, and strtod would double the
 * WebAssembly module's size. Depends on nothing else in the core. */
#include <stdarg.h>
#include <stdio.h>

#include "nn.h"

/* nn.h's JSON writer: like snprintf, o->len counts the whole text. */
void nn_json_put(nn_json *o, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->len < o->cap ? o->buf + o->len : NULL, o->len < o->cap ? o->cap - o->len : 0, fmt, ap);
    va_end(ap);
    if (n > 0) o->len += (size_t)n;
}

/* A JSON string: quotes, backslashes and control characters escaped (an
 * architecture's text comes from the user). */
void nn_json_string(nn_json *o, const char *s) {
    nn_json_put(o, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') nn_json_put(o, "\\%c", c);
        else if (c < 0x20) nn_json_put(o, "\\u%04x", c);
        else nn_json_put(o, "%c", c);
    }
    nn_json_put(o, "\"");
}

static int digit(char c) { return c >= '0' && c <= '9'; }

/* A number's text as a JSON number: as it is when it is one (nn_read_number
 * reads it), else null: NaN and infinity ("nan", "inf") have no JSON form,
 * and the text must stay JSON whatever the value. */
void nn_json_number(nn_json *o, const char *text) {
    double value;
    size_t len = 0;
    while (text[len]) len++;
    nn_json_put(o, "%s", nn_read_number(text, len, &value) ? text : "null");
}

/* The first 19 significant digits make the mantissa m (exact in 64 bits),
 * the rest only move the decimal exponent; m is then scaled by powers of 10
 * (exact up to 1e22) in double. Not correctly rounded for every text, but
 * within a few units of the last place of a double: any text within
 * float precision of a float (what nn_float_text writes, and every value a
 * person types) reads back as that float. */
int nn_read_number(const char *text, size_t len, double *out) {
    static const double POW10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    size_t i = 0;
    int negative = 0, digits = 0, significant = 0;
    uint64_t m = 0;
    long exp10 = 0;
    if (i < len && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
    for (; i < len && digit(text[i]); i++, digits++) {
        if (significant < 19) {
            m = m * 10 + (uint64_t)(text[i] - '0');
            if (m) significant++;
        } else {
            exp10++;
        }
    }
    if (i < len && text[i] == '.') {
        for (i++; i < len && digit(text[i]); i++, digits++) {
            if (significant < 19) {
                m = m * 10 + (uint64_t)(text[i] - '0');
                if (m) significant++;
                exp10--;
            }
        }
    }
    if (digits == 0) return 0;
    if (i < len && (text[i] == 'e' || text[i] == 'E')) {
        int negative_exp = 0;
        long e = 0;
        i++;
        if (i < len && (text[i] == '-' || text[i] == '+')) negative_exp = text[i++] == '-';
        if (i >= len || !digit(text[i])) return 0;
        for (; i < len && digit(text[i]); i++)
            if (e < 100000) e = e * 10 + (text[i] - '0');
        exp10 += negative_exp ? -e : e;
    }
    if (i != len) return 0;
    double v = (double)m;
    for (; v != 0 && exp10 > 22 && v < 1e300; exp10 -= 22) v *= 1e22;
    for (; v != 0 && exp10 < -22 && v > 1e-300; exp10 += 22) v /= 1e22;
    if (v != 0 && exp10 > 22) v *= 1e300; /* beyond any double: infinity */
    else if (v != 0 && exp10 < -22) v = 0;
    else if (exp10 >= 0) v *= POW10[exp10];
    else v /= POW10[-exp10];
    *out = negative && v != 0 ? -v : v; /* no -0: it would print as "-0" */
    return 1;
}

/* The fewest significant digits (%g) that read back as f. */
size_t nn_float_text(float f, char *buf, size_t cap) {
    char text[32];
    int n = 0;
    for (int digits = 1; digits <= 9; digits++) {
        n = snprintf(text, sizeof text, "%.*g", digits, (double)f);
        double back;
        if (nn_read_number(text, (size_t)n, &back) && (float)back == f) break;
    }
    return (size_t)snprintf(buf, cap, "%s", text);
}

/* "a, b or c" from the names at first, first + stride bytes, ... up to a NULL. */
void nn_name_list(char *out, size_t cap, const char *const *first, size_t stride) {
#define NAME(i) (*(const char *const *)((const char *)first + (size_t)(i) * stride))
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; NAME(i) && used < cap; i++) {
        const char *sep = i == 0 ? "" : NAME(i + 1) ? ", " : " or ";
        used += (size_t)snprintf(out + used, cap - used, "%s%s", sep, NAME(i));
    }
#undef NAME
}
