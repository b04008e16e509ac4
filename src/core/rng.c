/* rng.c - PCG32 (M. O'Neill, pcg-random.org): small, fast, and the same
 * sequence in every build, unlike rand(). */
#include "nn.h"

void nn_rng_seed(nn_rng *rng, uint64_t seed, uint64_t stream) {
    rng->state = 0;
    rng->inc = (stream << 1) | 1u;
    nn_rng_u32(rng);
    rng->state += seed;
    nn_rng_u32(rng);
}

uint32_t nn_rng_u32(nn_rng *rng) {
    uint64_t old = rng->state;
    rng->state = old * 6364136223846793005ULL + rng->inc;
    uint32_t xorshifted = (uint32_t)(((old >> 18) ^ old) >> 27);
    uint32_t rot = (uint32_t)(old >> 59);
    return (xorshifted >> rot) | (xorshifted << ((-rot) & 31));
}

float nn_rng_uniform(nn_rng *rng) {
    return (float)(nn_rng_u32(rng) >> 8) * (1.0f / 16777216.0f);
}

uint32_t nn_rng_below(nn_rng *rng, uint32_t n) {
    /* Reject the first 2^32 mod n values so every residue is equally likely. */
    uint32_t threshold = (0u - n) % n;
    for (;;) {
        uint32_t r = nn_rng_u32(rng);
        if (r >= threshold) return r % n;
    }
}
