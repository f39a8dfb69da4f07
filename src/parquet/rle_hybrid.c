#include "parquet/rle_hybrid.h"

#include <string.h>

int pq_bit_width(uint64_t max_value)
{
    int w = 0;
    while (max_value) {
        w++;
        max_value >>= 1;
    }
    return w;
}

static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}

static void put_rle(pq_wbuf *out, uint32_t value, size_t count, int bit_width)
{
    if (!pq_wbuf_reserve(out, 10 + 4)) return;
    uint8_t *p = put_varint(out->data + out->size, (uint64_t)count << 1);
    for (int b = 0; b < (bit_width + 7) / 8; b++) *p++ = (uint8_t)(value >> (8 * b));
    out->size = (size_t)(p - out->data);
}

/* Packs 8 values LSB first: exactly bit_width bytes. */
static uint8_t *pack8(uint8_t *p, const uint32_t v[8], int bit_width)
{
    uint64_t acc = 0;
    int bits = 0;
    for (int k = 0; k < 8; k++) {
        acc |= (uint64_t)v[k] << bits;
        bits += bit_width;
        while (bits >= 8) {
            *p++ = (uint8_t)acc;
            acc >>= 8;
            bits -= 8;
        }
    }
    return p;
}

/* Widths up to 8 (dictionaries of up to 256 entries: every descriptor
 * column): the 8 values fit one 64-bit word, written whole (the caller
 * reserves 8 spare bytes) and advanced by exactly bit_width bytes. */
static uint8_t *pack8_small(uint8_t *p, const uint32_t v[8], int bit_width)
{
    uint64_t acc = 0;
    for (int k = 0; k < 8; k++) acc |= (uint64_t)v[k] << (k * bit_width);
    uint8_t b[8];
    for (int k = 0; k < 8; k++) b[k] = (uint8_t)(acc >> (8 * k)); /* little-endian, any host */
    memcpy(p, b, 8);
    return p + bit_width;
}

/* Single-bit levels are the common literal case: pack them without the loop. */
static uint8_t *pack8_w1(uint8_t *p, const uint32_t v[8])
{
    *p++ = (uint8_t)(v[0] | v[1] << 1 | v[2] << 2 | v[3] << 3 | v[4] << 4 | v[5] << 5 | v[6] << 6 |
                     v[7] << 7);
    return p;
}

/*
 * The run finder is written once and instantiated for the two input kinds
 * (index arrays and defined-flag bytes) so the hot loops read values
 * directly, with no per-value call. VAL(i) yields value i as uint32_t.
 *
 * Runs are found greedily, eight values per step while they last. A run long enough for RLE first
 * lends up to 7 of its values to the pending literal so that the literal ends on a group boundary;
 * if fewer than 8 remain, the run simply joins the literal.
 */
#define RLE_ENCODE_IMPL(VAL)                                                                       \
    do {                                                                                           \
        size_t lit = 0, i = 0;                                                                     \
        while (i < n) {                                                                            \
            uint32_t x = VAL(i);                                                                   \
            size_t j = i + 1;                                                                      \
            while (j + 8 <= n && ((VAL(j) ^ x) | (VAL(j + 1) ^ x) | (VAL(j + 2) ^ x) |             \
                                  (VAL(j + 3) ^ x) | (VAL(j + 4) ^ x) | (VAL(j + 5) ^ x) |         \
                                  (VAL(j + 6) ^ x) | (VAL(j + 7) ^ x)) == 0)                       \
                j += 8;                                                                            \
            while (j < n && VAL(j) == x) j++;                                                      \
            size_t run = j - i;                                                                    \
            if (run >= 8) {                                                                        \
                size_t pad = (8 - (i - lit) % 8) % 8;                                              \
                if (run - pad >= 8) {                                                              \
                    RLE_LITERAL(VAL, lit, i + pad);                                                \
                    put_rle(out, x, run - pad, bit_width);                                         \
                    lit = j;                                                                       \
                }                                                                                  \
            }                                                                                      \
            i = j;                                                                                 \
        }                                                                                          \
        RLE_LITERAL(VAL, lit, n);                                                                  \
    } while (0)

/* Emits values [s, e) as bit-packed groups, zero-padding the last group. */
#define RLE_LITERAL(VAL, s, e)                                                                     \
    do {                                                                                           \
        size_t ls = (s), le = (e);                                                                 \
        if (ls >= le) break;                                                                       \
        size_t groups = (le - ls + 7) / 8;                                                         \
        if (!pq_wbuf_reserve(out, 10 + groups * (size_t)bit_width + 8)) return;                    \
        uint8_t *p = put_varint(out->data + out->size, (uint64_t)groups << 1 | 1);                 \
        for (size_t g = 0; g < groups; g++) {                                                      \
            uint32_t tmp[8];                                                                       \
            size_t base = ls + g * 8;                                                              \
            for (size_t k = 0; k < 8; k++) tmp[k] = base + k < le ? VAL(base + k) : 0;             \
            p = bit_width == 1   ? pack8_w1(p, tmp)                                                \
                : bit_width <= 8 ? pack8_small(p, tmp, bit_width)                                  \
                                 : pack8(p, tmp, bit_width);                                       \
        }                                                                                          \
        out->size = (size_t)(p - out->data);                                                       \
    } while (0)

void pq_rle_encode_u32(pq_wbuf *out, const uint32_t *v, size_t n, int bit_width)
{
#define VAL_U32(i) (v[(i)])
    RLE_ENCODE_IMPL(VAL_U32);
#undef VAL_U32
}

void pq_rle_encode_levels(pq_wbuf *out, const uint8_t *defined, size_t n)
{
    const int bit_width = 1;
    if (!defined) {
        if (n) put_rle(out, 1, n, bit_width);
        return;
    }
#define VAL_DEF(i) ((uint32_t)(defined[(i)] != 0))
    RLE_ENCODE_IMPL(VAL_DEF);
#undef VAL_DEF
}

/* Walks the values of a run list from a position, for literal groups. */
typedef struct run_cursor {
    const pq_run *runs;
    size_t r;    /* current run */
    uint32_t at; /* values of it already taken */
} run_cursor;

/* Emits the n values from the cursor as bit-packed groups (see RLE_LITERAL). */
static void literal_from_runs(pq_wbuf *out, run_cursor *c, size_t n, int bit_width)
{
    if (n == 0) return;
    size_t groups = (n + 7) / 8;
    if (!pq_wbuf_reserve(out, 10 + groups * (size_t)bit_width + 8)) return;
    uint8_t *p = put_varint(out->data + out->size, (uint64_t)groups << 1 | 1);
    for (size_t g = 0; g < groups; g++) {
        uint32_t tmp[8] = {0};
        size_t want = n - 8 * g < 8 ? n - 8 * g : 8;
        for (size_t k = 0; k < want;) {
            const pq_run *run = &c->runs[c->r];
            size_t take = run->len - c->at;
            if (take > want - k) take = want - k;
            for (size_t t = 0; t < take; t++) tmp[k + t] = run->value;
            k += take;
            c->at += (uint32_t)take;
            if (c->at == run->len) c->r++, c->at = 0;
        }
        p = bit_width == 1   ? pack8_w1(p, tmp)
            : bit_width <= 8 ? pack8_small(p, tmp, bit_width)
                             : pack8(p, tmp, bit_width);
    }
    out->size = (size_t)(p - out->data);
}

void pq_rle_encode_runs(pq_wbuf *out, const pq_run *runs, size_t nruns, int bit_width)
{
    /* RLE_ENCODE_IMPL's decisions, taken per run instead of per value. */
    run_cursor lit = {runs, 0, 0};
    size_t lit_pos = 0, i = 0;
    for (size_t r = 0; r < nruns; r++) {
        size_t run = runs[r].len;
        if (run >= 8) {
            size_t pad = (8 - (i - lit_pos) % 8) % 8;
            if (run - pad >= 8) {
                literal_from_runs(out, &lit, i + pad - lit_pos, bit_width);
                put_rle(out, runs[r].value, run - pad, bit_width);
                lit.r = r + 1;
                lit.at = 0;
                lit_pos = i + run;
            }
        }
        i += run;
    }
    literal_from_runs(out, &lit, i - lit_pos, bit_width);
}
