/* model_raw.c - libFuzzer harness: mnist_model_load on the raw bytes (the
 * CLI's --model, the page's model files). Most mutations stop at the
 * checksum; model_crc.c gets past it.
 * seeds: model */
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *buf = fuzz_copy(data, size);
    fuzz_model(buf, size);
    free(buf);
    return 0;
}
