/*
 * Column chunk encoding: splits the values into data pages (v1), chooses
 * PLAIN or RLE_DICTIONARY, compresses pages and computes the statistics.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "parquet/pq_compress.h"
#include "parquet/pq_dict.h"
#include "parquet/pq_stats.h"
#include "parquet/pq_wbuf.h"
#include "parquet/pq_writer.h"
#include "parquet/rle_hybrid.h"
#include "parquet/thrift_write.h"

/* PLAIN is little-endian; values are copied from memory as they are. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Parquet writer assumes a little-endian host"
#endif

#define DEFAULT_PAGE_BYTES ((size_t)1 << 20)
#define DEFAULT_DICT_BYTES ((size_t)1 << 20)
/* Page value counts are i32 in the page header. */
#define MAX_PAGE_ROWS ((size_t)1 << 30)

struct pq_encoder {
    pq_compressor comp;
    pq_dict dict;
    pq_wbuf body;  /* uncompressed page body */
    pq_wbuf zbody; /* compressed page body */
    pq_wbuf hdr;   /* page header */
};

pq_encoder *pq_encoder_new(void)
{
    return calloc(1, sizeof(pq_encoder));
}

void pq_encoder_free(pq_encoder *enc)
{
    if (!enc) return;
    pq_compressor_free(&enc->comp);
    pq_dict_free(&enc->dict);
    pq_wbuf_free(&enc->body);
    pq_wbuf_free(&enc->zbody);
    pq_wbuf_free(&enc->hdr);
    free(enc);
}

void pq_chunk_release(pq_chunk *chunk)
{
    if (!chunk) return;
    free(chunk->bytes);
    free(chunk->min_value);
    free(chunk->max_value);
    memset(chunk, 0, sizeof *chunk);
}

int pq_column_def_check(const pq_column_def *col, csfs_error *err)
{
    const char *name = col->name ? col->name : "(unnamed)";
    if (!col->name) return csfs_fail(err, CSFS_E_ARGUMENT, "parquet writer: a column has no name");
    switch (col->type) {
    case PQ_INT32:
    case PQ_INT64:
    case PQ_FLOAT:
    case PQ_DOUBLE:
    case PQ_BYTE_ARRAY:
        break;
    default:
        return csfs_fail(err, CSFS_E_UNSUPPORTED,
                         "parquet writer: column '%s': physical type %d is not supported", name,
                         (int)col->type);
    }
    bool logical_ok = col->logical == PQ_LOGICAL_NONE ||
                      (col->logical == PQ_LOGICAL_STRING && col->type == PQ_BYTE_ARRAY) ||
                      (col->logical == PQ_LOGICAL_UINT64 && col->type == PQ_INT64);
    if (!logical_ok)
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "parquet writer: column '%s': logical type %d does not fit type %d", name,
                         (int)col->logical, (int)col->type);
    if (col->repetition != PQ_REQUIRED && col->repetition != PQ_OPTIONAL)
        return csfs_fail(err, CSFS_E_UNSUPPORTED,
                         "parquet writer: column '%s': only REQUIRED and OPTIONAL are supported",
                         name);
    return 0;
}

static size_t type_width(pq_type type)
{
    switch (type) {
    case PQ_INT32:
    case PQ_FLOAT:
        return 4;
    case PQ_INT64:
    case PQ_DOUBLE:
        return 8;
    default:
        return 0;
    }
}

/* State of one pq_encode_chunk call. */
typedef struct job {
    pq_encoder *enc;
    const pq_column_def *col;
    const pq_column_values *v;
    pq_chunk *chunk;
    pq_wbuf out; /* the chunk's bytes, borrowed from chunk->bytes */
    pq_codec codec;
    int level;
    size_t page_bytes;
    size_t width; /* fixed value width; 0 for BYTE_ARRAY */
    size_t step;  /* bytes from one fixed-width value to the next */
    bool optional;
    bool dict;
    int bit_width; /* of dictionary indices */
    pq_minmax minmax;
    csfs_error *err;
} job;

static int oom(csfs_error *err)
{
    return csfs_fail(err, CSFS_E_NOMEM, "parquet writer: out of memory");
}

/* Compresses a page body and appends header and body to the chunk. */
static int emit_page(job *j, pq_page_type type, const uint8_t *body, size_t n, size_t num_values,
                     pq_encoding encoding)
{
    pq_encoder *e = j->enc;
    const uint8_t *payload = body;
    size_t plen = n;
    if (j->codec != PQ_CODEC_UNCOMPRESSED) {
        pq_wbuf_reset(&e->zbody);
        int rc = pq_compress(&e->comp, j->codec, j->level, body, n, &e->zbody, j->err);
        if (rc) return rc;
        payload = e->zbody.data;
        plen = e->zbody.size;
    }
    if (n > INT32_MAX || plen > INT32_MAX || num_values > INT32_MAX)
        return csfs_fail(j->err, CSFS_E_ARGUMENT,
                         "parquet writer: column '%s': a page exceeds 2 GiB or 2^31 values",
                         j->col->name);

    pq_wbuf_reset(&e->hdr);
    pq_write_page_header(&e->hdr, type, n, plen, num_values, encoding);

    if (type == PQ_PAGE_DICTIONARY) {
        j->chunk->dictionary_page_offset = (int64_t)j->out.size;
    } else {
        if (j->chunk->data_page_count == 0) j->chunk->data_page_offset = (int64_t)j->out.size;
        j->chunk->data_page_count++;
    }
    pq_wbuf_append(&j->out, e->hdr.data, e->hdr.size);
    pq_wbuf_append(&j->out, payload, plen);
    if (e->hdr.failed || j->out.failed) return oom(j->err);
    j->chunk->uncompressed_size += (int64_t)(e->hdr.size + n);
    return 0;
}

static size_t byte_len(const pq_column_values *v, size_t r)
{
    return (size_t)(v->offsets[r + 1] - v->offsets[r]);
}

/*
 * Rows [r0, return value) form the next page; *nvals gets its non-null count.
 * The size estimate counts each definition level as one bit and each
 * dictionary index at its full bit width: upper bounds of what the
 * RLE/bit-packed hybrid produces, so pages never exceed page_bytes by more
 * than one value.
 */
static size_t next_page(const job *j, size_t r0, size_t *nvals)
{
    const pq_column_values *v = j->v;
    size_t left = v->rows - r0;
    size_t max_rows = left < MAX_PAGE_ROWS ? left : MAX_PAGE_ROWS;
    uint64_t budget = (uint64_t)j->page_bytes * 8;
    uint64_t value_bits = j->dict ? (uint64_t)j->bit_width : (uint64_t)j->width * 8;
    if (!v->defined && value_bits) {
        uint64_t level_bits = j->optional ? 1 : 0;
        uint64_t n = budget / (value_bits + level_bits);
        if (n == 0) n = 1;
        if (n > max_rows) n = max_rows;
        *nvals = (size_t)n;
        return r0 + (size_t)n;
    }
    uint64_t bits = 0;
    size_t k = 0, r = r0, end = r0 + max_rows;
    while (r < end && bits < budget) {
        bool def = !v->defined || v->defined[r];
        bits += j->optional;
        if (def) {
            bits += value_bits ? value_bits : (uint64_t)(4 + byte_len(v, r)) * 8;
            k++;
        }
        r++;
    }
    *nvals = k;
    return r;
}

/* Copies the non-null fixed-width values of rows [r0, r1) into the body. */
static void gather_fixed(const job *j, pq_wbuf *b, size_t r0, size_t r1, size_t nvals)
{
    if (!pq_wbuf_reserve(b, nvals * j->width)) return;
    const uint8_t *base = (const uint8_t *)j->v->values;
    const uint8_t *defined = j->v->defined;
    size_t step = j->step;
    uint8_t *p = b->data + b->size;
    /* Constant-size memcpy compiles to a plain load and store. */
    if (j->width == 4) {
        for (size_t r = r0; r < r1; r++) {
            if (defined && !defined[r]) continue;
            memcpy(p, base + r * step, 4);
            p += 4;
        }
    } else {
        for (size_t r = r0; r < r1; r++) {
            if (defined && !defined[r]) continue;
            memcpy(p, base + r * step, 8);
            p += 8;
        }
    }
    b->size = (size_t)(p - b->data);
}

static int gather_bytes(const job *j, pq_wbuf *b, size_t r0, size_t r1)
{
    const pq_column_values *v = j->v;
    for (size_t r = r0; r < r1; r++) {
        if (v->defined && !v->defined[r]) continue;
        size_t len = byte_len(v, r);
        if (len > INT32_MAX)
            return csfs_fail(j->err, CSFS_E_ARGUMENT,
                             "parquet writer: column '%s': a value exceeds 2 GiB", j->col->name);
        pq_wbuf_u32le(b, (uint32_t)len);
        pq_wbuf_append(b, v->data + v->offsets[r], len);
    }
    return 0;
}

static int write_data_pages(job *j)
{
    const pq_column_values *v = j->v;
    pq_wbuf *body = &j->enc->body;
    pq_encoding encoding = j->dict ? PQ_ENC_RLE_DICTIONARY : PQ_ENC_PLAIN;
    size_t r0 = 0, k0 = 0;
    do {
        size_t nvals;
        size_t r1 = next_page(j, r0, &nvals);
        /* Fixed-width statistics are taken page by page, from the page's values
         * while they are in cache for compression: the chunk is read once. */
        if (!j->optional && !j->dict && j->width && j->step == j->width) {
            /* Dense required fixed-width PLAIN values are the page body as they are.
             * An empty chunk may come without a values pointer at all. */
            const uint8_t *src =
                r1 > r0 ? (const uint8_t *)v->values + r0 * j->width : (const uint8_t *)"";
            pq_minmax_add(&j->minmax, j->col->type, j->col->logical, src, j->width, NULL, nvals);
            int rc = emit_page(j, PQ_PAGE_DATA, src, nvals * j->width, r1 - r0, encoding);
            if (rc) return rc;
            r0 = r1;
            continue;
        }
        pq_wbuf_reset(body);
        if (j->optional) {
            size_t at = body->size;
            pq_wbuf_u32le(body, 0);
            pq_rle_encode_levels(body, v->defined ? v->defined + r0 : NULL, r1 - r0);
            if (!body->failed) {
                uint32_t len = (uint32_t)(body->size - at - 4);
                memcpy(body->data + at, &len, 4);
            }
        }
        if (j->dict) {
            pq_wbuf_byte(body, (uint8_t)j->bit_width);
            pq_rle_encode_u32(body, j->enc->dict.idx + k0, nvals, j->bit_width);
        } else if (j->width) {
            size_t at = body->size;
            gather_fixed(j, body, r0, r1, nvals);
            if (!body->failed)
                pq_minmax_add(&j->minmax, j->col->type, j->col->logical, body->data + at, j->width,
                              NULL, nvals);
        } else {
            int rc = gather_bytes(j, body, r0, r1);
            if (rc) return rc;
        }
        if (body->failed) return oom(j->err);
        int rc = emit_page(j, PQ_PAGE_DATA, body->data, body->size, r1 - r0, encoding);
        if (rc) return rc;
        r0 = r1;
        k0 += nvals;
    } while (r0 < v->rows);
    return 0;
}

static int write_dictionary_page(job *j)
{
    pq_dict *d = &j->enc->dict;
    pq_wbuf *body = &j->enc->body;
    pq_wbuf_reset(body);
    pq_dict_write_plain(d, j->v, body);
    if (body->failed) return oom(j->err);
    /* Readers expect at least one bit per index, even for a single entry. */
    j->bit_width = pq_bit_width(d->nkeys - 1);
    if (j->bit_width == 0) j->bit_width = 1;
    return emit_page(j, PQ_PAGE_DICTIONARY, body->data, body->size, d->nkeys, PQ_ENC_PLAIN);
}

/* Byte array statistics, and those of dictionary entries (exactly the
 * distinct non-null values). Fixed-width PLAIN chunks get theirs page by page. */
static int compute_stats(job *j)
{
    const pq_column_values *v = j->v;
    pq_chunk *c = j->chunk;
    const pq_dict *d = &j->enc->dict;
    if (j->width) {
        if (j->dict)
            pq_minmax_add(&j->minmax, j->col->type, j->col->logical, (const uint8_t *)d->keys,
                          sizeof *d->keys, NULL, d->nkeys);
        return 0;
    }
    if (j->dict)
        return pq_stats_bytes(c, j->col->logical, v->offsets, v->data, NULL, d->keys, d->nkeys,
                              j->err);
    return pq_stats_bytes(c, j->col->logical, v->offsets, v->data, v->defined, NULL, v->rows,
                          j->err);
}

static int check_values(const job *j)
{
    const pq_column_values *v = j->v;
    if (v->rows == 0) return 0;
    bool ok = j->width ? v->values != NULL : (v->offsets != NULL && v->data != NULL);
    if (!ok)
        return csfs_fail(j->err, CSFS_E_ARGUMENT, "parquet writer: column '%s': no values given",
                         j->col->name);
    if (!j->width && v->offsets[v->rows] < v->offsets[0])
        return csfs_fail(j->err, CSFS_E_ARGUMENT,
                         "parquet writer: column '%s': offsets are not increasing", j->col->name);
    return 0;
}

static int encode(job *j, const pq_write_options *opt)
{
    const pq_column_values *v = j->v;
    pq_chunk *c = j->chunk;
    int rc = check_values(j);
    if (rc) return rc;
    if (j->optional && v->defined) {
        int64_t nulls = 0;
        for (size_t r = 0; r < v->rows; r++) nulls += v->defined[r] == 0;
        c->null_count = nulls;
    }
    if (opt->dictionary && (int64_t)v->rows > c->null_count) {
        size_t limit = opt->dictionary_bytes ? opt->dictionary_bytes : DEFAULT_DICT_BYTES;
        rc = pq_dict_build(&j->enc->dict, j->col->type, v, limit, j->err);
        if (rc < 0) return rc;
        j->dict = rc == 1;
    }
    rc = compute_stats(j);
    if (rc) return rc;
    if (j->dict) {
        rc = write_dictionary_page(j);
        if (rc) return rc;
    }
    rc = write_data_pages(j);
    if (rc) return rc;
    if (j->width) {
        rc = pq_minmax_store(&j->minmax, j->col->type, c, j->err);
        if (rc) return rc;
    }
    c->encodings = 1u << PQ_ENC_PLAIN | 1u << PQ_ENC_RLE;
    if (j->dict) c->encodings |= 1u << PQ_ENC_RLE_DICTIONARY;
    return 0;
}

int pq_encode_chunk(pq_encoder *enc, const pq_column_def *col, const pq_write_options *opt,
                    const pq_column_values *values, pq_chunk *out, csfs_error *err)
{
    int rc = pq_column_def_check(col, err);
    if (rc) return rc;
    switch (opt->codec) {
    case PQ_CODEC_UNCOMPRESSED:
    case PQ_CODEC_SNAPPY:
    case PQ_CODEC_GZIP:
    case PQ_CODEC_ZSTD:
        break;
    default:
        return csfs_fail(err, CSFS_E_UNSUPPORTED, "parquet writer: codec %d is not supported",
                         (int)opt->codec);
    }

    out->size = 0;
    out->num_values = (int64_t)values->rows;
    out->uncompressed_size = 0;
    out->dictionary_page_offset = -1;
    out->data_page_offset = -1;
    out->encodings = 0;
    out->null_count = 0;
    out->has_minmax = false;
    out->min_len = out->max_len = 0;
    out->min_exact = out->max_exact = false;
    out->type = col->type;
    out->codec = opt->codec;
    out->data_page_count = 0;

    /* Definition flags mean nothing for a REQUIRED column. */
    pq_column_values v = *values;
    if (col->repetition == PQ_REQUIRED) v.defined = NULL;
    job j = {
        .enc = enc,
        .col = col,
        .v = &v,
        .chunk = out,
        .out = {.data = out->bytes, .size = 0, .cap = out->capacity},
        .codec = opt->codec,
        .level = opt->level,
        .page_bytes = opt->page_bytes ? opt->page_bytes : DEFAULT_PAGE_BYTES,
        .width = type_width(col->type),
        .optional = col->repetition == PQ_OPTIONAL,
        .err = err,
    };
    j.step = (v.stride > 1 ? v.stride : 1) * j.width;
    rc = encode(&j, opt);
    /* The buffer may have moved even on failure; the chunk keeps owning it. */
    out->bytes = j.out.data;
    out->capacity = j.out.cap;
    out->size = rc ? 0 : j.out.size;
    return rc;
}

pq_compressor *pq_encoder_compressor(pq_encoder *enc)
{
    return &enc->comp;
}
