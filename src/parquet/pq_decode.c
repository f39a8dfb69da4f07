/*
 * Value decoding of one page (or of a dictionary page) into the output
 * buffers. Fixed-width values go to their slots densely (nulls are spread in
 * afterwards by the caller); byte arrays are appended.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "parquet/delta_decode.h"
#include "parquet/pq_names.h"
#include "parquet/pq_reader_internal.h"
#include "parquet/rle_decode.h"

/* Values are copied in the file's little-endian layout as the output's. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Parquet reader supports little-endian hosts only"
#endif

/* Dictionary indices are decoded in batches of this many into the stack. */
#define INDEX_BATCH 1024

size_t pq_value_width(const pq_column_info *col)
{
    switch (col->type) {
    case PQ_BOOLEAN:
        return 1;
    case PQ_INT32:
    case PQ_FLOAT:
        return 4;
    case PQ_INT64:
    case PQ_DOUBLE:
        return 8;
    case PQ_INT96:
        return 12;
    case PQ_FIXED_LEN_BYTE_ARRAY:
        return (size_t)col->type_length;
    default:
        return 0;
    }
}

static int bad(csfs_error *err, const char *where, const char *what)
{
    return csfs_fail(err, CSFS_E_FORMAT, "%s: %s", where, what);
}

static int nomem(csfs_error *err, const char *where)
{
    return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory (or over the read's byte limit)", where);
}

/* Room for `extra` more bytes of byte-array data (and a buffer at all, even
 * for empty values, so that pointer arithmetic on it is defined). */
static bool data_reserve(pq_scratch *s, const pq_column_data *out, uint64_t extra, uint64_t limit)
{
    if (extra > limit || out->data_size > limit - extra) return false;
    uint64_t need = out->data_size + extra;
    return pq_grow(&s->data, &s->data_cap, need ? (size_t)need : 1, 1, SIZE_MAX, limit);
}

/* ---- PLAIN ----------------------------------------------------------------- */

static int plain_byte_arrays(const pq_page_values *pv, pq_scratch *s, pq_column_data *out,
                             uint64_t limit, const char *where, csfs_error *err)
{
    /* The values cannot hold more bytes than the page, so one reservation. */
    if (!data_reserve(s, out, pv->len, limit)) return nomem(err, where);
    const uint8_t *p = pv->p, *end = pv->p + pv->len;
    uint64_t *off = s->offsets + pv->first_row + 1;
    uint8_t *data = s->data;
    uint64_t size = out->data_size;
    for (size_t i = 0; i < pv->count; i++) {
        if (end - p < 4) return bad(err, where, "PLAIN byte array values end early");
        uint32_t n = pq_load_le32(p);
        p += 4;
        if (n > (size_t)(end - p)) return bad(err, where, "PLAIN byte array longer than its page");
        memcpy(data + size, p, n);
        p += n;
        size += n;
        off[i] = size;
    }
    out->data_size = size;
    return 0;
}

static int decode_plain(const pq_page_values *pv, pq_scratch *s, pq_column_data *out,
                        uint64_t limit, const char *where, csfs_error *err)
{
    const pq_column_info *col = pv->col;
    if (col->type == PQ_BYTE_ARRAY) return plain_byte_arrays(pv, s, out, limit, where, err);
    size_t w = pq_value_width(col);
    uint8_t *dst = s->values + pv->first_row * w;
    if (col->type == PQ_BOOLEAN) {
        if (!pq_unpack_bools(pv->p, pv->len, dst, pv->count))
            return bad(err, where, "PLAIN booleans end early");
        return 0;
    }
    if (pv->count > pv->len / w) return bad(err, where, "PLAIN values end early");
    memcpy(dst, pv->p, pv->count * w);
    return 0;
}

/* ---- RLE booleans ---------------------------------------------------------- */

static int decode_rle_bools(const pq_page_values *pv, pq_scratch *s, const char *where,
                            csfs_error *err)
{
    if (pv->col->type != PQ_BOOLEAN) return bad(err, where, "RLE encoding on a non-boolean column");
    if (pv->len < 4) return bad(err, where, "RLE booleans lack their length");
    uint32_t n = pq_load_le32(pv->p);
    if (n > pv->len - 4) return bad(err, where, "RLE boolean length exceeds the page");
    pq_rle_dec d;
    pq_rle_dec_init(&d, pv->p + 4, n, 1);
    size_t ones;
    if (pq_rle_dec_levels(&d, s->values + pv->first_row, pv->count, 1, &ones))
        return bad(err, where, "RLE booleans end early or are out of range");
    return 0;
}

/* ---- dictionary ------------------------------------------------------------ */

int pq_decode_dictionary(const pq_column_info *col, const uint8_t *p, size_t len, size_t count,
                         pq_scratch *s, uint64_t limit, const char *where, csfs_error *err)
{
    s->dict_count = 0;
    s->has_dict = false;
    if (col->type == PQ_BYTE_ARRAY) {
        if (count > len / 4) return bad(err, where, "dictionary values end early");
        if (!pq_grow(&s->dict_off, &s->dict_off_cap, count ? count : 1, sizeof *s->dict_off,
                     SIZE_MAX, limit) ||
            !pq_grow(&s->dict_len, &s->dict_len_cap, count ? count : 1, sizeof *s->dict_len,
                     SIZE_MAX, limit) ||
            !pq_grow(&s->dict, &s->dict_cap, len ? len : 1, 1, SIZE_MAX, limit))
            return nomem(err, where);
        const uint8_t *q = p, *end = p + len;
        uint64_t used = 0;
        for (size_t i = 0; i < count; i++) {
            if (end - q < 4) return bad(err, where, "dictionary values end early");
            uint32_t n = pq_load_le32(q);
            q += 4;
            if (n > (size_t)(end - q))
                return bad(err, where, "dictionary value longer than its page");
            memcpy(s->dict + used, q, n);
            s->dict_off[i] = used;
            s->dict_len[i] = n;
            used += n;
            q += n;
        }
    } else {
        size_t w = pq_value_width(col);
        if (col->type == PQ_BOOLEAN ? count > (uint64_t)len * 8 : count > len / w)
            return bad(err, where, "dictionary values end early");
        if (!pq_grow(&s->dict, &s->dict_cap, count ? count * w : 1, 1, SIZE_MAX, limit))
            return nomem(err, where);
        if (col->type == PQ_BOOLEAN)
            pq_unpack_bools(p, len, s->dict, count);
        else
            memcpy(s->dict, p, count * w);
    }
    s->dict_count = count;
    s->has_dict = true;
    return 0;
}

/* Copies dictionary entries idx[0..n) to dst (fixed width w). */
static void gather_fixed(const uint8_t *dict, size_t w, const uint32_t *idx, size_t n, uint8_t *dst)
{
    switch (w) {
    case 1:
        for (size_t i = 0; i < n; i++) dst[i] = dict[idx[i]];
        break;
    case 4:
        for (size_t i = 0; i < n; i++) memcpy(dst + 4 * i, dict + 4 * (size_t)idx[i], 4);
        break;
    case 8:
        for (size_t i = 0; i < n; i++) memcpy(dst + 8 * i, dict + 8 * (size_t)idx[i], 8);
        break;
    default:
        for (size_t i = 0; i < n; i++) memcpy(dst + w * i, dict + w * (size_t)idx[i], w);
        break;
    }
}

static int decode_dict_indices(const pq_page_values *pv, pq_scratch *s, pq_column_data *out,
                               uint64_t limit, const char *where, csfs_error *err)
{
    if (!s->has_dict) return bad(err, where, "dictionary-encoded page without a dictionary page");
    if (pv->count == 0) return 0;
    if (pv->len < 1) return bad(err, where, "dictionary indices lack their bit width");
    unsigned bw = pv->p[0];
    if (bw > 32) return bad(err, where, "dictionary index bit width above 32");
    pq_rle_dec d;
    pq_rle_dec_init(&d, pv->p + 1, pv->len - 1, bw);
    const bool is_ba = pv->col->type == PQ_BYTE_ARRAY;
    const size_t w = pq_value_width(pv->col);
    const uint32_t dict_count = s->dict_count > UINT32_MAX ? UINT32_MAX : (uint32_t)s->dict_count;
    uint32_t idx[INDEX_BATCH];
    for (size_t done = 0; done < pv->count;) {
        size_t n = pv->count - done < INDEX_BATCH ? pv->count - done : INDEX_BATCH;
        if (pq_rle_dec_u32(&d, idx, n) != n) return bad(err, where, "dictionary indices end early");
        /* One pass to validate (and to size byte arrays), one to copy. */
        uint64_t bytes = 0;
        for (size_t i = 0; i < n; i++) {
            if (idx[i] >= dict_count) return bad(err, where, "dictionary index out of range");
            if (is_ba) bytes += s->dict_len[idx[i]];
        }
        size_t row = pv->first_row + done;
        if (is_ba) {
            if (!data_reserve(s, out, bytes, limit)) return nomem(err, where);
            uint8_t *data = s->data;
            uint64_t size = out->data_size;
            uint64_t *off = s->offsets + row + 1;
            for (size_t i = 0; i < n; i++) {
                uint32_t len = s->dict_len[idx[i]];
                memcpy(data + size, s->dict + s->dict_off[idx[i]], len);
                size += len;
                off[i] = size;
            }
            out->data_size = size;
        } else {
            gather_fixed(s->dict, w, idx, n, s->values + row * w);
        }
        done += n;
    }
    return 0;
}

/* ---- DELTA_* ------------------------------------------------------------------ */

static int decode_delta_ints(const pq_page_values *pv, pq_scratch *s, const char *where,
                             csfs_error *err)
{
    unsigned bits = pv->col->type == PQ_INT32 ? 32 : pv->col->type == PQ_INT64 ? 64 : 0;
    if (!bits) return bad(err, where, "DELTA_BINARY_PACKED on a column that is not INT32/INT64");
    uint64_t total;
    size_t used;
    const char *why;
    if (pq_dbp_decode(pv->p, pv->len, bits, s->values + pv->first_row * (bits / 8), pv->count,
                      &total, &used, &why))
        return bad(err, where, why);
    return 0;
}

/* Decodes a DELTA_BINARY_PACKED stream of exactly n lengths into dst;
 * *used gets its size. */
static int delta_lengths(const uint8_t *p, size_t len, size_t n, int32_t *dst, size_t *used,
                         const char *where, csfs_error *err)
{
    uint64_t total;
    const char *why;
    if (pq_dbp_decode(p, len, 32, dst, n, &total, used, &why)) return bad(err, where, why);
    if (total != n) return bad(err, where, "delta length count differs from the page's values");
    for (size_t i = 0; i < n; i++)
        if (dst[i] < 0) return bad(err, where, "negative delta-encoded length");
    return 0;
}

static int decode_delta_length(const pq_page_values *pv, pq_scratch *s, pq_column_data *out,
                               uint64_t limit, const char *where, csfs_error *err)
{
    if (pv->col->type != PQ_BYTE_ARRAY)
        return bad(err, where, "DELTA_LENGTH_BYTE_ARRAY on a column that is not BYTE_ARRAY");
    size_t n = pv->count;
    if (!pq_grow(&s->ints, &s->ints_cap, n ? n : 1, sizeof *s->ints, SIZE_MAX, limit))
        return nomem(err, where);
    size_t used;
    int rc = delta_lengths(pv->p, pv->len, n, s->ints, &used, where, err);
    if (rc) return rc;
    const uint8_t *p = pv->p + used;
    size_t avail = pv->len - used;
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += (uint32_t)s->ints[i];
    if (total > avail)
        return bad(err, where, "DELTA_LENGTH_BYTE_ARRAY data shorter than its lengths");
    if (!data_reserve(s, out, total, limit)) return nomem(err, where);
    memcpy(s->data + out->data_size, p, (size_t)total);
    uint64_t *off = s->offsets + pv->first_row + 1;
    uint64_t size = out->data_size;
    for (size_t i = 0; i < n; i++) off[i] = size += (uint32_t)s->ints[i];
    out->data_size = size;
    return 0;
}

static int decode_delta_strings(const pq_page_values *pv, pq_scratch *s, pq_column_data *out,
                                uint64_t limit, const char *where, csfs_error *err)
{
    const pq_column_info *col = pv->col;
    if (col->type != PQ_BYTE_ARRAY && col->type != PQ_FIXED_LEN_BYTE_ARRAY)
        return bad(err, where, "DELTA_BYTE_ARRAY on a column that is not a byte array");
    size_t n = pv->count;
    if (n > SIZE_MAX / 2 ||
        !pq_grow(&s->ints, &s->ints_cap, n ? 2 * n : 1, sizeof *s->ints, SIZE_MAX, limit))
        return nomem(err, where);
    int32_t *prefix = s->ints, *suffix = s->ints + n;
    size_t used1, used2;
    int rc = delta_lengths(pv->p, pv->len, n, prefix, &used1, where, err);
    if (!rc) rc = delta_lengths(pv->p + used1, pv->len - used1, n, suffix, &used2, where, err);
    if (rc) return rc;
    const uint8_t *p = pv->p + used1 + used2;
    size_t avail = pv->len - used1 - used2;

    if (col->type == PQ_FIXED_LEN_BYTE_ARRAY) {
        size_t w = (size_t)col->type_length;
        uint8_t *dst = s->values + pv->first_row * w;
        for (size_t i = 0; i < n; i++) {
            size_t pre = (size_t)prefix[i], suf = (size_t)suffix[i];
            if (pre + suf != w || (i == 0 && pre > 0))
                return bad(err, where, "DELTA_BYTE_ARRAY value of the wrong length");
            if (suf > avail) return bad(err, where, "DELTA_BYTE_ARRAY suffixes end early");
            if (pre) memcpy(dst + i * w, dst + (i - 1) * w, pre);
            memcpy(dst + i * w + pre, p, suf);
            p += suf;
            avail -= suf;
        }
        return 0;
    }
    uint64_t *off = s->offsets + pv->first_row + 1;
    uint64_t size = out->data_size, prev_start = size, prev_len = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t pre = (uint32_t)prefix[i], suf = (uint32_t)suffix[i];
        if (pre > prev_len)
            return bad(err, where, "DELTA_BYTE_ARRAY prefix longer than the previous value");
        if (suf > avail) return bad(err, where, "DELTA_BYTE_ARRAY suffixes end early");
        out->data_size = size;
        if (!data_reserve(s, out, pre + suf, limit)) return nomem(err, where);
        memcpy(s->data + size, s->data + prev_start, (size_t)pre);
        memcpy(s->data + size + pre, p, (size_t)suf);
        p += suf;
        avail -= (size_t)suf;
        prev_start = size;
        prev_len = pre + suf;
        size += prev_len;
        off[i] = size;
    }
    out->data_size = size;
    return 0;
}

/* ---- BYTE_STREAM_SPLIT ------------------------------------------------------ */

static int decode_byte_stream_split(const pq_page_values *pv, pq_scratch *s, const char *where,
                                    csfs_error *err)
{
    const pq_column_info *col = pv->col;
    if (col->type == PQ_BOOLEAN || col->type == PQ_BYTE_ARRAY)
        return bad(err, where, "BYTE_STREAM_SPLIT on a boolean or byte array column");
    size_t w = pq_value_width(col), n = pv->count;
    if (pv->len / w != n || pv->len % w)
        return bad(err, where, "BYTE_STREAM_SPLIT data size differs from the value count");
    uint8_t *dst = s->values + pv->first_row * w;
    const uint8_t *src = pv->p;
    /* Stream k holds byte k of every value. */
    if (w == 4) {
        for (size_t i = 0; i < n; i++) {
            dst[4 * i] = src[i];
            dst[4 * i + 1] = src[n + i];
            dst[4 * i + 2] = src[2 * n + i];
            dst[4 * i + 3] = src[3 * n + i];
        }
    } else {
        for (size_t k = 0; k < w; k++)
            for (size_t i = 0; i < n; i++) dst[w * i + k] = src[k * n + i];
    }
    return 0;
}

int pq_decode_values(const pq_page_values *pv, pq_scratch *s, pq_column_data *out, uint64_t limit,
                     const char *where, csfs_error *err)
{
    /* An all-null page may carry no values section at all. */
    if (pv->count == 0) return 0;
    switch (pv->encoding) {
    case PQ_ENC_PLAIN:
        return decode_plain(pv, s, out, limit, where, err);
    case PQ_ENC_PLAIN_DICTIONARY:
    case PQ_ENC_RLE_DICTIONARY:
        return decode_dict_indices(pv, s, out, limit, where, err);
    case PQ_ENC_RLE:
        return decode_rle_bools(pv, s, where, err);
    case PQ_ENC_DELTA_BINARY_PACKED:
        return decode_delta_ints(pv, s, where, err);
    case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY:
        return decode_delta_length(pv, s, out, limit, where, err);
    case PQ_ENC_DELTA_BYTE_ARRAY:
        return decode_delta_strings(pv, s, out, limit, where, err);
    case PQ_ENC_BYTE_STREAM_SPLIT:
        return decode_byte_stream_split(pv, s, where, err);
    default:
        return csfs_fail(err, CSFS_E_UNSUPPORTED, "%s: value encoding %s (%d) is not supported",
                         where, pq_encoding_name(pv->encoding), pv->encoding);
    }
}
