/*
 * The random numbers of csfs sample: xoshiro256** (Blackman and Vigna, 2018)
 * seeded by SplitMix64, and exact bounded integers by Lemire's multiply-and-
 * reject method. Integer arithmetic only, so a seed gives the same numbers on
 * every machine and compiler.
 */
#ifndef CSFS_SELECT_RNG_H
#define CSFS_SELECT_RNG_H

#include <stdint.h>

typedef struct csfs_rng {
    uint64_t s[4];
} csfs_rng;

/* SplitMix64: advances *x and returns the next output. */
uint64_t csfs_splitmix64(uint64_t *x);

/* The generator of stream `stream` for `seed`: s[0..3] are the first four
 * SplitMix64 outputs from seed ^ (0x9E3779B97F4A7C15 * (stream + 1)). */
void csfs_rng_seed(csfs_rng *r, uint64_t seed, uint64_t stream);

uint64_t csfs_rng_next(csfs_rng *r);

/* Uniform in [0, range), range >= 1, without bias. */
uint64_t csfs_rng_below(csfs_rng *r, uint64_t range);

#endif
