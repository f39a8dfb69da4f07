#include "parquet/rle_decode.h"

/* Up to 16 bytes at base+byte, zero-padded past nbytes: the slow path near the
 * end of a buffer, so the fast paths may always load whole words. */
static uint64_t load_tail(const uint8_t *base, size_t nbytes, size_t byte, uint8_t tmp[16])
{
    memset(tmp, 0, 16);
    size_t have = byte < nbytes ? nbytes - byte : 0;
    memcpy(tmp, base + byte, have < 16 ? have : 16);
    return pq_load_le64(tmp);
}

void pq_unpack_u32(const uint8_t *base, size_t nbytes, uint64_t bitpos, unsigned bw, uint32_t *out,
                   size_t n)
{
    if (bw == 0) {
        memset(out, 0, n * sizeof *out);
        return;
    }
    const uint64_t mask = bw == 32 ? 0xffffffffu : ((uint64_t)1 << bw) - 1;
    size_t i = 0;
    /* Fast path: every value lies in the 8 bytes loaded at its first byte
     * (shift <= 7, bw <= 32), as long as those 8 bytes are in the buffer. */
    for (; i < n; i++) {
        uint64_t pos = bitpos + (uint64_t)i * bw;
        size_t byte = (size_t)(pos >> 3);
        if (byte + 8 > nbytes) break;
        out[i] = (uint32_t)((pq_load_le64(base + byte) >> (pos & 7)) & mask);
    }
    for (; i < n; i++) {
        uint64_t pos = bitpos + (uint64_t)i * bw;
        uint8_t tmp[16];
        out[i] = (uint32_t)((load_tail(base, nbytes, (size_t)(pos >> 3), tmp) >> (pos & 7)) & mask);
    }
}

void pq_unpack_u64(const uint8_t *base, size_t nbytes, uint64_t bitpos, unsigned bw, uint64_t *out,
                   size_t n)
{
    if (bw == 0) {
        memset(out, 0, n * sizeof *out);
        return;
    }
    const uint64_t mask = bw == 64 ? ~(uint64_t)0 : ((uint64_t)1 << bw) - 1;
    for (size_t i = 0; i < n; i++) {
        uint64_t pos = bitpos + (uint64_t)i * bw;
        size_t byte = (size_t)(pos >> 3);
        unsigned sh = (unsigned)(pos & 7);
        uint64_t lo, hi;
        if (byte + 9 <= nbytes) {
            lo = pq_load_le64(base + byte);
            hi = base[byte + 8];
        } else {
            uint8_t tmp[16];
            lo = load_tail(base, nbytes, byte, tmp);
            hi = tmp[8];
        }
        /* A value may straddle 9 bytes when sh + bw > 64. */
        uint64_t v = lo >> sh;
        if (sh && sh + bw > 64) v |= hi << (64 - sh);
        out[i] = v & mask;
    }
}

void pq_rle_dec_init(pq_rle_dec *d, const uint8_t *p, size_t len, unsigned bit_width)
{
    memset(d, 0, sizeof *d);
    d->p = p;
    d->end = p + len;
    d->bit_width = bit_width;
}

/* Starts the next run; false at the end of the data or on a malformed header. */
static bool next_run(pq_rle_dec *d)
{
    uint64_t h = 0;
    int shift = 0;
    for (;;) {
        if (d->p >= d->end || shift > 63) return false;
        uint8_t b = *d->p++;
        h |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) break;
    }
    unsigned bw = d->bit_width;
    size_t avail = (size_t)(d->end - d->p);
    if (h & 1) {
        uint64_t groups = h >> 1;
        uint64_t values = groups > (UINT64_MAX >> 4) ? UINT64_MAX >> 1 : groups * 8;
        /* Bytes of the run: groups * bw, but a writer may have cut the last
         * group short; only the values whose bits are present are usable. */
        size_t bytes = 0;
        if (bw) bytes = groups <= avail / bw ? (size_t)(groups * bw) : avail;
        if (bw && values > (uint64_t)bytes * 8 / bw) values = (uint64_t)bytes * 8 / bw;
        d->lit = d->p;
        d->lit_bytes = bytes;
        d->lit_bit = 0;
        d->lit_left = values;
        d->p += bytes;
    } else {
        size_t vb = (bw + 7) / 8;
        if (avail < vb) return false;
        uint32_t v = 0;
        for (size_t i = 0; i < vb; i++) v |= (uint32_t)d->p[i] << (8 * i);
        d->p += vb;
        d->rle_value = v;
        d->rle_left = h >> 1;
    }
    return true;
}

size_t pq_rle_dec_u32(pq_rle_dec *d, uint32_t *out, size_t n)
{
    size_t got = 0;
    while (got < n) {
        if (d->rle_left) {
            size_t take = d->rle_left < n - got ? (size_t)d->rle_left : n - got;
            uint32_t v = d->rle_value;
            for (size_t i = 0; i < take; i++) out[got + i] = v;
            d->rle_left -= take;
            got += take;
        } else if (d->lit_left) {
            size_t take = d->lit_left < n - got ? (size_t)d->lit_left : n - got;
            pq_unpack_u32(d->lit, d->lit_bytes, d->lit_bit, d->bit_width, out + got, take);
            d->lit_bit += (uint64_t)take * d->bit_width;
            d->lit_left -= take;
            got += take;
        } else if (!next_run(d)) {
            break;
        }
    }
    return got;
}

int pq_rle_dec_levels(pq_rle_dec *d, uint8_t *out, size_t n, unsigned max_level, size_t *n_max)
{
    size_t got = 0, count = 0;
    while (got < n) {
        if (d->rle_left) {
            size_t take = d->rle_left < n - got ? (size_t)d->rle_left : n - got;
            if (d->rle_value > max_level) return -2;
            memset(out + got, (int)d->rle_value, take);
            if (d->rle_value == max_level) count += take;
            d->rle_left -= take;
            got += take;
        } else if (d->lit_left) {
            size_t take = d->lit_left < n - got ? (size_t)d->lit_left : n - got;
            if (d->bit_width == 1) {
                /* The usual case (flat OPTIONAL): one bit per level. */
                for (size_t i = 0; i < take; i++) {
                    uint64_t bit = d->lit_bit + i;
                    out[got + i] = (uint8_t)((d->lit[bit >> 3] >> (bit & 7)) & 1);
                }
            } else {
                uint32_t tmp[64];
                for (size_t i = 0; i < take; i += 64) {
                    size_t k = take - i < 64 ? take - i : 64;
                    pq_unpack_u32(d->lit, d->lit_bytes, d->lit_bit + (uint64_t)i * d->bit_width,
                                  d->bit_width, tmp, k);
                    for (size_t j = 0; j < k; j++) {
                        if (tmp[j] > max_level) return -2;
                        out[got + i + j] = (uint8_t)tmp[j];
                    }
                }
            }
            for (size_t i = 0; i < take; i++) {
                if (out[got + i] > max_level) return -2;
                count += out[got + i] == max_level;
            }
            d->lit_bit += (uint64_t)take * d->bit_width;
            d->lit_left -= take;
            got += take;
        } else if (!next_run(d)) {
            return -1;
        }
    }
    *n_max = count;
    return 0;
}

int pq_bitpacked_levels(const uint8_t *p, size_t len, unsigned bw, uint8_t *out, size_t n,
                        unsigned max_level, size_t *n_max)
{
    if (bw > 8) return -2;
    if ((uint64_t)n * bw > (uint64_t)len * 8) return -1;
    size_t count = 0;
    uint64_t bit = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        for (unsigned k = 0; k < bw; k++, bit++)
            v = v << 1 | ((p[bit >> 3] >> (7 - (bit & 7))) & 1);
        if (v > max_level) return -2;
        out[i] = (uint8_t)v;
        count += v == max_level;
    }
    *n_max = count;
    return 0;
}

bool pq_unpack_bools(const uint8_t *p, size_t len, uint8_t *out, size_t n)
{
    if (n > (uint64_t)len * 8) return false;
    for (size_t i = 0; i < n; i++) out[i] = (uint8_t)((p[i >> 3] >> (i & 7)) & 1);
    return true;
}
