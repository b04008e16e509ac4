/* fuzz.h - what the libFuzzer harnesses of fuzz/ share (see fuzz/README.md).
 *
 * Each harness checks more than "no crash": a parser's answer must be
 * consistent (an accepted file's fields match its bytes; a refused one has a
 * one-line message naming the input), and a broken promise calls FUZZ_FAIL,
 * which aborts: libFuzzer then writes the input as a crash-* reproducer. */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/mnist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_FAIL(...) \
    do { fprintf(stderr, "fuzz: " __VA_ARGS__); fputc('\n', stderr); abort(); } while (0)

/* A copy of bytes in a heap block of exactly their size, so that
 * AddressSanitizer catches a read one past the end of a part of the input. */
static inline uint8_t *fuzz_copy(const uint8_t *data, size_t size) {
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) FUZZ_FAIL("out of memory");
    if (size) memcpy(copy, data, size);
    return copy;
}

/* A refusal: a status, and one line that names the input (one of two names). */
static inline void fuzz_check_refusal(mnist_status st, const mnist_error *err, const char *name,
                                      const char *other) {
    if (st == MNIST_OK || err->code != st) FUZZ_FAIL("refused with status %d but error code %d", st, err->code);
    if (!err->message[0] || strchr(err->message, '\n')) FUZZ_FAIL("message is not one line: '%s'", err->message);
    if (!strstr(err->message, name) && !(other && strstr(err->message, other)))
        FUZZ_FAIL("message does not name the input: '%s'", err->message);
}

static inline uint32_t fuzz_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

#endif
