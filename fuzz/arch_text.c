/* arch_text.c - libFuzzer harness: the architecture text's parsers,
 * mnist_parse_arch (the CLI's --arch, the page's form and `configure`) and
 * mnist_arch_describe (the page's layer list), on the input as a C string
 * (up to its first NUL byte). Checks: describe's text is valid JSON whose
 * "ok" agrees with the parser; its length is what it returns, and with a
 * small buffer it writes a NUL-terminated prefix of the same text (snprintf's
 * contract); an accepted architecture formats back to a text that parses to
 * the same layers; a refused one gets one line with the field "arch".
 * seeds: arch_text */
#include "fuzz.h"

/* ---- a JSON syntax check (RFC 8259; any byte >= 0x80 passes inside strings) */
static const char *json_value(const char *p, int depth);

static const char *json_space(const char *p) {
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
    return p;
}

static const char *json_string(const char *p) {
    if (*p++ != '"') return NULL;
    for (;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"') return p + 1;
        if (c < 0x20) return NULL;
        if (c == '\\') {
            p++;
            if (*p == 'u') {
                for (int k = 1; k <= 4; k++)
                    if (!strchr("0123456789abcdefABCDEF", p[k]) || !p[k]) return NULL;
                p += 4;
            } else if (!*p || !strchr("\"\\/bfnrt", *p)) {
                return NULL;
            }
        }
    }
}

static const char *json_number(const char *p) {
    if (*p == '-') p++;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (*p >= '0' && *p <= '9') p++;
    else return NULL;
    if (*p == '.') {
        if (*++p < '0' || *p > '9') return NULL;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p == 'e' || *p == 'E') {
        if (*++p == '+' || *p == '-') p++;
        if (*p < '0' || *p > '9') return NULL;
        while (*p >= '0' && *p <= '9') p++;
    }
    return p;
}

static const char *json_list(const char *p, int depth, char close, int keyed) {
    p = json_space(p + 1);
    if (*p == close) return p + 1;
    for (;;) {
        if (keyed) {
            if (!(p = json_string(p))) return NULL;
            p = json_space(p);
            if (*p++ != ':') return NULL;
        }
        if (!(p = json_value(p, depth + 1))) return NULL;
        p = json_space(p);
        if (*p == close) return p + 1;
        if (*p++ != ',') return NULL;
        p = json_space(p);
    }
}

static const char *json_value(const char *p, int depth) {
    if (depth > 64) return NULL;
    p = json_space(p);
    if (*p == '{') return json_list(p, depth, '}', 1);
    if (*p == '[') return json_list(p, depth, ']', 0);
    if (*p == '"') return json_string(p);
    for (const char *const *w = (const char *const[]){"true", "false", "null", NULL}; *w; w++)
        if (strncmp(p, *w, strlen(*w)) == 0) return p + strlen(*w);
    return json_number(p);
}

static int json_valid(const char *text) {
    const char *end = json_value(text, 0);
    return end && *json_space(end) == '\0';
}

/* ---- the harness */
static int same_layers(const mnist_config *a, const mnist_config *b) {
    if (a->n_layers != b->n_layers) return 0;
    for (int l = 0; l < a->n_layers; l++) {
        const mnist_layer_spec *x = &a->layers[l], *y = &b->layers[l];
        if (a->sizes[l + 1] != b->sizes[l + 1] || x->kind != y->kind || x->channels != y->channels ||
            x->kernel != y->kernel || x->pad != y->pad)
            return 0;
    }
    return a->sizes[0] == b->sizes[0];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *text = malloc(size + 1);
    if (!text) FUZZ_FAIL("out of memory");
    memcpy(text, data, size);
    text[size] = '\0';
    mnist_config cfg;
    mnist_error err;
    memset(&err, 0, sizeof err);
    mnist_preset("default", &cfg, NULL);
    mnist_status st = mnist_parse_arch(text, &cfg, &err);

    size_t cap = 4 * size + 4096; /* room for the whole description */
    char *json = malloc(cap);
    if (!json) FUZZ_FAIL("out of memory");
    size_t len = mnist_arch_describe(text, json, cap);
    if (len >= cap || strlen(json) != len) FUZZ_FAIL("describe returned %zu for %zu bytes of text", len, strlen(json));
    if (!json_valid(json)) FUZZ_FAIL("describe wrote invalid JSON: %s", json);
    int said_ok = strncmp(json, "{\"ok\":true", 10) == 0;
    if (said_ok != (st == MNIST_OK)) FUZZ_FAIL("describe says ok:%d, the parser %d (%s): %s", said_ok, st, err.message, json);
    for (size_t small = 0; small < len && small < 64; small += 7) { /* cut short: a prefix, NUL-terminated */
        char *cut = malloc(small ? small : 1);
        if (!cut) FUZZ_FAIL("out of memory");
        if (mnist_arch_describe(text, small ? cut : NULL, small) != len) FUZZ_FAIL("describe's length depends on cap");
        if (small && (strlen(cut) != small - 1 || memcmp(cut, json, small - 1) != 0))
            FUZZ_FAIL("describe with cap %zu wrote '%s'", small, cut);
        free(cut);
    }
    free(json);

    if (st == MNIST_OK) {
        char again[512];
        size_t n = mnist_arch_format(cfg.n_layers, cfg.sizes, cfg.layers, again, sizeof again);
        if (n >= sizeof again || strlen(again) != n) FUZZ_FAIL("format returned %zu", n);
        mnist_config back;
        mnist_preset("default", &back, NULL);
        if (mnist_parse_arch(again, &back, &err) != MNIST_OK || !same_layers(&cfg, &back))
            FUZZ_FAIL("'%s' formats as '%s', which parses to other layers", text, again);
    } else {
        if (err.code != st || strcmp(err.field, "arch") != 0 || !err.message[0] || strchr(err.message, '\n'))
            FUZZ_FAIL("refusal %d (field '%s') with message '%s'", st, err.field, err.message);
    }
    free(text);
    return 0;
}
