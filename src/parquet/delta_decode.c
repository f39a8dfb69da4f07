#include "parquet/delta_decode.h"

#include "parquet/rle_decode.h"
#include "parquet/thrift_read.h"

static int fail(const char **why, const char *text)
{
    *why = text;
    return -1;
}

int pq_dbp_decode(const uint8_t *src, size_t len, unsigned bits, void *out, size_t n,
                  uint64_t *total, size_t *consumed, const char **why)
{
    pq_tr t; /* only its LEB128 reader and bounds */
    pq_tr_init(&t, src, len);
    uint64_t block_size = pq_tr_varint(&t);
    uint64_t minis = pq_tr_varint(&t);
    uint64_t count = pq_tr_varint(&t);
    uint64_t last = (uint64_t)pq_tr_unzigzag(pq_tr_varint(&t));
    if (pq_tr_failed(&t)) return fail(why, "truncated DELTA_BINARY_PACKED header");
    if (block_size == 0 || block_size % 128 || minis == 0 || block_size % minis ||
        (block_size / minis) % 32)
        return fail(why, "bad DELTA_BINARY_PACKED block layout");
    if (count < n) return fail(why, "DELTA_BINARY_PACKED stream holds fewer values than needed");
    *total = count;
    const uint64_t per_mini = block_size / minis;
    int32_t *o32 = bits == 32 ? out : NULL;
    int64_t *o64 = bits == 32 ? NULL : out;

    size_t produced = 0;
    if (count > 0 && n > 0) {
        if (o32)
            o32[0] = (int32_t)(uint32_t)last;
        else
            o64[0] = (int64_t)last;
        produced = 1;
    }
    /* Values of the stream still to come after the first; blocks follow
     * while any remain, even past the n the caller wants when n == count. */
    uint64_t remaining = count ? count - 1 : 0;
    while (remaining > 0 && produced < n) {
        uint64_t min_delta = (uint64_t)pq_tr_unzigzag(pq_tr_varint(&t));
        if (pq_tr_failed(&t)) return fail(why, "truncated DELTA_BINARY_PACKED block");
        if ((uint64_t)(t.end - t.p) < minis)
            return fail(why, "truncated DELTA_BINARY_PACKED miniblock widths");
        const uint8_t *widths = t.p;
        t.p += minis;
        for (uint64_t m = 0; m < minis && remaining > 0; m++) {
            unsigned bw = widths[m];
            if (bw > bits) return fail(why, "DELTA_BINARY_PACKED miniblock too wide");
            size_t avail = (size_t)(t.end - t.p);
            uint64_t take = remaining < per_mini ? remaining : per_mini;
            /* A full miniblock is per_mini * bw bits; tolerate a cut-short
             * last one as long as the values needed are there. */
            if (bw && take > (uint64_t)avail * 8 / bw)
                return fail(why, "truncated DELTA_BINARY_PACKED miniblock");
            uint64_t mini_bytes = 0;
            if (bw) mini_bytes = per_mini > (uint64_t)avail * 8 / bw ? avail : per_mini * bw / 8;
            uint64_t tmp[64];
            for (uint64_t i = 0; i < take && produced < n; i += 64) {
                size_t k = take - i < 64 ? (size_t)(take - i) : 64;
                pq_unpack_u64(t.p, avail, i * bw, bw, tmp, k);
                for (size_t j = 0; j < k && produced < n; j++) {
                    last += min_delta + tmp[j];
                    if (o32)
                        o32[produced++] = (int32_t)(uint32_t)last;
                    else
                        o64[produced++] = (int64_t)last;
                }
            }
            remaining -= take;
            t.p += mini_bytes;
        }
    }
    if (produced < n) return fail(why, "DELTA_BINARY_PACKED stream ends early");
    *consumed = (size_t)(t.p - src);
    return 0;
}
