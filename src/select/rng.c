/* SplitMix64, xoshiro256** and unbiased bounded integers (see rng.h). */
#include "select/rng.h"

uint64_t csfs_splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void csfs_rng_seed(csfs_rng *r, uint64_t seed, uint64_t stream)
{
    uint64_t x = seed ^ (0x9E3779B97F4A7C15ull * (stream + 1));
    for (int i = 0; i < 4; i++) r->s[i] = csfs_splitmix64(&x);
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t csfs_rng_next(csfs_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* The 128-bit product a * b as (high, low), in portable C. */
static void mul128(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t a0 = a & 0xFFFFFFFFu, a1 = a >> 32, b0 = b & 0xFFFFFFFFu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xFFFFFFFFu) + (p10 & 0xFFFFFFFFu);
    *lo = (mid << 32) | (p00 & 0xFFFFFFFFu);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

/* Lemire (2019): the high word of x * range, rejecting the few x whose low
 * word falls below 2^64 mod range. */
uint64_t csfs_rng_below(csfs_rng *r, uint64_t range)
{
    uint64_t hi, lo;
    mul128(csfs_rng_next(r), range, &hi, &lo);
    if (lo < range) {
        uint64_t floor = (0 - range) % range;
        while (lo < floor) mul128(csfs_rng_next(r), range, &hi, &lo);
    }
    return hi;
}
