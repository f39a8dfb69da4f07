/*
 * libFuzzer target: the Parquet bit-level decoders on raw bytes, without a
 * file around them (reaches their corner cases faster than whole files do).
 * Byte 0 picks the decoder, byte 1 a bit width, byte 2 a value count; the
 * rest is the encoded data.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "parquet/delta_decode.h"
#include "parquet/rle_decode.h"
#include "parquet/thrift_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3) return 0;
    unsigned which = data[0] % 5, bw = data[1], count = data[2] * 37u;
    const uint8_t *p = data + 3;
    size_t n = size - 3;
    /* A copy of exactly n bytes, so ASan sees any read past the end. */
    uint8_t *in = malloc(n ? n : 1);
    memcpy(in, p, n);
    uint64_t out[256 * 37];
    switch (which) {
    case 0: {
        pq_rle_dec d;
        pq_rle_dec_init(&d, in, n, bw % 33);
        pq_rle_dec_u32(&d, (uint32_t *)out, count);
        break;
    }
    case 1: {
        pq_rle_dec d;
        size_t ones;
        pq_rle_dec_init(&d, in, n, bw % 9);
        pq_rle_dec_levels(&d, (uint8_t *)out, count, (1u << (bw % 9)) - 1, &ones);
        break;
    }
    case 2: {
        uint64_t total;
        size_t used;
        const char *why;
        if (pq_dbp_decode(in, n, bw & 1 ? 32 : 64, out, count, &total, &used, &why) == 0 &&
            count > 0 && used > n)
            __builtin_trap();
        break;
    }
    case 3: {
        size_t ones;
        pq_bitpacked_levels(in, n, bw % 9, (uint8_t *)out, count, 255, &ones);
        break;
    }
    default: {
        pq_tr t;
        pq_tr_init(&t, in, n);
        pq_tr_skip(&t, PQ_TR_STRUCT);
        break;
    }
    }
    free(in);
    return 0;
}
