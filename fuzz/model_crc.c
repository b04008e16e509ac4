/* model_crc.c - libFuzzer harness: mnist_model_load after the input's last
 * four bytes are replaced by the CRC-32 of the rest (the format's checksum,
 * src/core/model.c), so that mutations reach the checks of the fields, the
 * values and the taught examples instead of stopping at the checksum.
 * seeds: model */
#include <zlib.h>

#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t *buf = fuzz_copy(data, size);
    if (size >= 4) {
        uint32_t crc = (uint32_t)crc32(0L, buf, (uInt)(size - 4)); /* zlib's: the same CRC-32 (IEEE) */
        for (int k = 0; k < 4; k++) buf[size - 4 + (size_t)k] = (uint8_t)(crc >> (8 * k));
    }
    fuzz_model(buf, size);
    free(buf);
    return 0;
}
