/* error.c - filling an mnist_error: every core file reports through these. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "nn.h"

static void set_error(mnist_error *err, mnist_status code, const char *field, const char *fmt,
                      va_list ap) {
    err->code = code;
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    /* One line, whatever input it quotes (found by fuzz/arch_text.c: an --arch
     * text with a newline): control characters become '?'. */
    for (char *c = err->message; *c; c++)
        if ((unsigned char)*c < 0x20) *c = '?';
    snprintf(err->field, sizeof err->field, "%s", field);
}

void nn_set_error(mnist_error *err, mnist_status code, const char *fmt, ...) {
    if (!err) return;
    va_list ap;
    va_start(ap, fmt);
    set_error(err, code, "", fmt, ap);
    va_end(ap);
}

mnist_status nn_reject(mnist_error *err, const char *field, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        set_error(err, MNIST_E_CONFIG, field, fmt, ap);
        va_end(ap);
    }
    return MNIST_E_CONFIG;
}
