/*
 * Decoders for Parquet's bit-level encodings: the RLE/bit-packing hybrid
 * (definition levels, dictionary indices, RLE booleans), the deprecated
 * MSB-first BIT_PACKED levels, and plain LSB-first bit unpacking (also used by
 * DELTA_BINARY_PACKED miniblocks). Inputs are untrusted: nothing is read past
 * the end given.
 */
#ifndef CSFS_RLE_DECODE_H
#define CSFS_RLE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t pq_load_le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static inline uint32_t pq_load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/*
 * Unpacks n values of bw bits (LSB first) starting at bit `bitpos` of
 * base[0..nbytes). The caller guarantees bitpos + n * bw <= nbytes * 8.
 * bw <= 32 for the u32 form, <= 64 for the u64 form.
 */
void pq_unpack_u32(const uint8_t *base, size_t nbytes, uint64_t bitpos, unsigned bw, uint32_t *out,
                   size_t n);
void pq_unpack_u64(const uint8_t *base, size_t nbytes, uint64_t bitpos, unsigned bw, uint64_t *out,
                   size_t n);

/* State of an RLE/bit-packing hybrid stream (without its length prefix). */
typedef struct pq_rle_dec {
    const uint8_t *p, *end; /* runs not yet started */
    unsigned bit_width;     /* 0..32 */
    uint64_t rle_left;      /* repeats left in the current RLE run */
    uint32_t rle_value;
    uint64_t lit_left;  /* values left in the current bit-packed run */
    const uint8_t *lit; /* that run's bytes */
    size_t lit_bytes;
    uint64_t lit_bit; /* bit position of its next value */
} pq_rle_dec;

void pq_rle_dec_init(pq_rle_dec *d, const uint8_t *p, size_t len, unsigned bit_width);

/* Decodes up to n values; returns how many (fewer only when the data ends). */
size_t pq_rle_dec_u32(pq_rle_dec *d, uint32_t *out, size_t n);

/*
 * Decodes n levels into bytes, each checked against max_level, and counts the
 * levels equal to max_level (values present). Returns 0, -1 when the data
 * ends early, -2 when a level exceeds max_level.
 */
int pq_rle_dec_levels(pq_rle_dec *d, uint8_t *out, size_t n, unsigned max_level, size_t *n_max);

/* The same for the deprecated BIT_PACKED level encoding (MSB first, no runs):
 * len bytes at p must hold the n * bw bits. */
int pq_bitpacked_levels(const uint8_t *p, size_t len, unsigned bw, uint8_t *out, size_t n,
                        unsigned max_level, size_t *n_max);

/* Unpacks n PLAIN booleans (LSB first) from p[0..len) into 0/1 bytes; false
 * when len is too short. */
bool pq_unpack_bools(const uint8_t *p, size_t len, uint8_t *out, size_t n);

#endif
