/*
 * Column chunks built one data page at a time, for the parallel pipeline:
 * rows arrive in pages, a worker encodes and compresses each page as soon as
 * it is complete, and only compressed pages are kept until the row group
 * ends. The dictionary grows across the pages of a chunk (first-occurrence
 * order), so the bytes depend only on the values and the page boundaries.
 * When the dictionary would outgrow its limit, that page and every later one
 * of the chunk are PLAIN (a chunk may mix both, as other writers do).
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "parquet/pq_compress.h"
#include "parquet/pq_stats.h"
#include "parquet/pq_wbuf.h"
#include "parquet/pq_writer.h"
#include "parquet/rle_hybrid.h"
#include "parquet/run_scan.h"
#include "parquet/thrift_write.h"

#define DEFAULT_DICT_BYTES ((size_t)1 << 20)
#define SMALL_MIN (-64)
#define SMALL_SPAN 1024

struct pq_builder {
    pq_column_def col;
    pq_write_options opt;
    size_t width; /* bytes per value: 4 or 8 */
    /* Dictionary: open addressing over bit patterns, entry index + 1 in slots. */
    uint32_t *slots;
    size_t nslots;
    uint64_t *keys;
    size_t nkeys, keys_cap;
    size_t dict_limit; /* entries allowed */
    int plain;         /* fell back (or asked) to PLAIN for the rest of the chunk */
    int used_dict, used_plain;
    /* Direct map for small 4-byte values (descriptors are mostly small
     * integers): small[v - SMALL_MIN] = entry index + 1, no hashing. */
    uint32_t small[SMALL_SPAN];
    uint32_t *idx; /* indices of the page being encoded (8-byte values) */
    size_t idx_cap;
    pq_run *runs; /* the same as maximal runs (4-byte values) */
    size_t nruns, runs_cap;
    pq_wbuf pages; /* encoded data pages, headers included */
    pq_wbuf body, zbody, hdr;
    int64_t num_values, uncompressed_size, data_pages;
    pq_minmax minmax;    /* running statistics (fixed width) */
    pq_chunk page_stats; /* byte arrays: one page's statistics */
    pq_chunk byte_stats; /* byte arrays: running statistics */
};

static int oom(csfs_error *err)
{
    return csfs_fail(err, CSFS_E_NOMEM, "parquet writer: out of memory");
}

int pq_builder_new(pq_builder **out, const pq_column_def *col, const pq_write_options *opt,
                   csfs_error *err)
{
    *out = NULL;
    int rc = pq_column_def_check(col, err);
    if (rc) return rc;
    size_t width = col->type == PQ_INT32 || col->type == PQ_FLOAT    ? 4
                   : col->type == PQ_INT64 || col->type == PQ_DOUBLE ? 8
                                                                     : 0;
    if ((!width && col->type != PQ_BYTE_ARRAY) || col->repetition != PQ_REQUIRED)
        return csfs_fail(err, CSFS_E_UNSUPPORTED,
                         "parquet writer: column '%s': page-by-page chunks are for REQUIRED "
                         "columns of fixed width or byte arrays",
                         col->name);
    pq_builder *b = calloc(1, sizeof *b);
    if (!b) return oom(err);
    b->col = *col;
    b->opt = *opt;
    b->width = width;
    size_t limit = opt->dictionary_bytes ? opt->dictionary_bytes : DEFAULT_DICT_BYTES;
    b->dict_limit = width ? limit / width : 0;
    /* Byte arrays (CSF text lines, nearly all distinct) are always PLAIN. */
    b->plain = !opt->dictionary || !width;
    b->nslots = 1024;
    b->slots = calloc(b->nslots, sizeof *b->slots);
    if (!b->slots) {
        free(b);
        return oom(err);
    }
    *out = b;
    return 0;
}

void pq_builder_free(pq_builder *b)
{
    if (!b) return;
    free(b->slots);
    free(b->keys);
    free(b->idx);
    free(b->runs);
    pq_wbuf_free(&b->pages);
    pq_wbuf_free(&b->body);
    pq_wbuf_free(&b->zbody);
    pq_wbuf_free(&b->hdr);
    pq_chunk_release(&b->page_stats);
    pq_chunk_release(&b->byte_stats);
    free(b);
}

static inline size_t hash64(uint64_t k, size_t mask)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdull;
    k ^= k >> 33;
    return (size_t)k & mask;
}

static int grow_slots(pq_builder *b)
{
    size_t n = b->nslots * 2;
    uint32_t *slots = calloc(n, sizeof *slots);
    if (!slots) return -1;
    for (size_t i = 0; i < b->nkeys; i++) {
        if (b->width == 4) {
            int64_t v = (int32_t)(uint32_t)b->keys[i];
            if (v >= SMALL_MIN && v < SMALL_MIN + SMALL_SPAN) continue; /* direct-mapped */
        }
        size_t h = hash64(b->keys[i], n - 1);
        while (slots[h]) h = (h + 1) & (n - 1);
        slots[h] = (uint32_t)i + 1;
    }
    free(b->slots);
    b->slots = slots;
    b->nslots = n;
    return 0;
}

static int add_key(pq_builder *b, uint64_t key, uint32_t *index)
{
    if (b->nkeys >= b->dict_limit) return 0;
    if (b->nkeys == b->keys_cap) {
        size_t cap = b->keys_cap ? 2 * b->keys_cap : 64;
        uint64_t *keys = realloc(b->keys, cap * sizeof *keys);
        if (!keys) return -1;
        b->keys = keys;
        b->keys_cap = cap;
    }
    b->keys[b->nkeys++] = key;
    *index = (uint32_t)b->nkeys;
    return 1;
}

/* Entry index + 1 of key, adding it if new; 0 when the dictionary is full. */
static int lookup(pq_builder *b, uint64_t key, uint32_t *out)
{
    if (b->width == 4) {
        int64_t v = (int32_t)(uint32_t)key;
        if (v >= SMALL_MIN && v < SMALL_MIN + SMALL_SPAN) {
            uint32_t *slot = &b->small[v - SMALL_MIN];
            if (*slot) {
                *out = *slot;
                return 1;
            }
            int rc = add_key(b, key, slot);
            *out = *slot;
            return rc;
        }
    }
    size_t mask = b->nslots - 1, h = hash64(key, mask);
    while (b->slots[h]) {
        if (b->keys[b->slots[h] - 1] == key) {
            *out = b->slots[h];
            return 1;
        }
        h = (h + 1) & mask;
    }
    int rc = add_key(b, key, &b->slots[h]);
    *out = b->slots[h];
    if (rc == 1 && 2 * b->nkeys > b->nslots && grow_slots(b)) return -1;
    return rc;
}

/*
 * dict_encode for 4-byte values, run by run: descriptor columns are long runs
 * of one value (mostly zero), so each run costs one lookup and a vector scan
 * for its end (parquet/run_scan.h). Entries are added in order of first
 * appearance, as by the value-by-value loop: the bytes are the same.
 */
static int dict_encode4(pq_builder *b, const uint8_t *values, size_t rows)
{
    if (rows > b->runs_cap) {
        free(b->runs);
        b->runs = malloc(rows * sizeof *b->runs);
        b->runs_cap = b->runs ? rows : 0;
        if (!b->runs) return -1;
    }
    pq_run *runs = b->runs;
    size_t nruns = 0, r = 0;
    while (r < rows) {
        uint32_t key;
        memcpy(&key, values + 4 * r, 4);
        uint32_t entry;
        int rc = lookup(b, key, &entry);
        if (rc <= 0) return rc;
        size_t j = pq_run_end(values, r + 1, rows, key);
        runs[nruns].value = entry - 1;
        runs[nruns].len = (uint32_t)(j - r);
        nruns++;
        r = j;
    }
    b->nruns = nruns;
    return 1;
}

/* Dictionary indices of the page's values; 0 when the dictionary would
 * exceed its limit (the page is then PLAIN), -1 on allocation failure. */
static int dict_encode(pq_builder *b, const uint8_t *values, size_t rows)
{
    if (b->width == 4) return dict_encode4(b, values, rows);
    if (rows > b->idx_cap) {
        free(b->idx);
        b->idx = malloc(rows * sizeof *b->idx);
        b->idx_cap = b->idx ? rows : 0;
        if (!b->idx) return -1;
    }
    /* Consecutive equal values are the common case in descriptor columns. */
    uint64_t prev_key = 0;
    uint32_t prev = 0;
    for (size_t r = 0; r < rows; r++) {
        uint64_t key;
        if (b->width == 4) {
            uint32_t k4;
            memcpy(&k4, values + 4 * r, 4);
            key = k4;
        } else {
            memcpy(&key, values + 8 * r, 8);
        }
        if (key != prev_key || prev == 0) {
            int rc = lookup(b, key, &prev);
            if (rc <= 0) return rc;
            prev_key = key;
        }
        b->idx[r] = prev - 1;
    }
    return 1;
}

/* Compresses a page body and appends header + body to out. */
static int emit(pq_builder *b, pq_encoder *enc, pq_wbuf *out, pq_page_type type,
                const uint8_t *body, size_t n, size_t num_values, pq_encoding encoding,
                csfs_error *err)
{
    const uint8_t *payload = body;
    size_t plen = n;
    if (b->opt.codec != PQ_CODEC_UNCOMPRESSED) {
        pq_wbuf_reset(&b->zbody);
        int rc = pq_compress(pq_encoder_compressor(enc), b->opt.codec, b->opt.level, body, n,
                             &b->zbody, err);
        if (rc) return rc;
        payload = b->zbody.data;
        plen = b->zbody.size;
    }
    if (n > INT32_MAX || plen > INT32_MAX || num_values > INT32_MAX)
        return csfs_fail(err, CSFS_E_ARGUMENT, "parquet writer: column '%s': page too large",
                         b->col.name);
    pq_wbuf_reset(&b->hdr);
    pq_write_page_header(&b->hdr, type, n, plen, num_values, encoding);
    pq_wbuf_append(out, b->hdr.data, b->hdr.size);
    pq_wbuf_append(out, payload, plen);
    if (b->hdr.failed || out->failed) return oom(err);
    b->uncompressed_size += (int64_t)(b->hdr.size + n);
    return 0;
}

static int cmp_bytes(const uint8_t *a, size_t la, const uint8_t *c, size_t lc)
{
    int r = memcmp(a, c, la < lc ? la : lc);
    return r ? r : (la > lc) - (la < lc);
}

/* Folds one page's byte-array bounds into the chunk's. */
static int merge_byte_stats(pq_builder *b, csfs_error *err)
{
    pq_chunk *p = &b->page_stats, *s = &b->byte_stats;
    if (!p->has_minmax) return 0;
    if (!s->min_value) s->min_value = malloc(PQ_STAT_MAX_BYTES + 1);
    if (!s->max_value) s->max_value = malloc(PQ_STAT_MAX_BYTES + 1);
    if (!s->min_value || !s->max_value) return oom(err);
    if (!s->has_minmax || cmp_bytes(p->min_value, p->min_len, s->min_value, s->min_len) < 0) {
        memcpy(s->min_value, p->min_value, p->min_len);
        s->min_len = p->min_len;
        s->min_exact = p->min_exact;
    }
    if (!s->has_minmax || cmp_bytes(p->max_value, p->max_len, s->max_value, s->max_len) > 0) {
        memcpy(s->max_value, p->max_value, p->max_len);
        s->max_len = p->max_len;
        s->max_exact = p->max_exact;
    }
    s->has_minmax = true;
    return 0;
}

static int add_byte_page(pq_builder *b, pq_encoder *enc, const pq_column_values *v, csfs_error *err)
{
    int rc = pq_stats_bytes(&b->page_stats, b->col.logical, v->offsets, v->data, NULL, NULL,
                            v->rows, err);
    if (rc == 0) rc = merge_byte_stats(b, err);
    if (rc) return rc;
    pq_wbuf_reset(&b->body);
    uint64_t total = v->offsets[v->rows] - v->offsets[0];
    if (!pq_wbuf_reserve(&b->body, (size_t)total + 4 * v->rows)) return oom(err);
    for (size_t r = 0; r < v->rows; r++) {
        uint64_t len = v->offsets[r + 1] - v->offsets[r];
        if (len > INT32_MAX)
            return csfs_fail(err, CSFS_E_ARGUMENT,
                             "parquet writer: column '%s': a value exceeds 2 GiB", b->col.name);
        pq_wbuf_u32le(&b->body, (uint32_t)len);
        pq_wbuf_append(&b->body, v->data + v->offsets[r], (size_t)len);
    }
    if (b->body.failed) return oom(err);
    b->num_values += (int64_t)v->rows;
    b->data_pages++;
    b->used_plain = 1;
    return emit(b, enc, &b->pages, PQ_PAGE_DATA, b->body.data, b->body.size, v->rows, PQ_ENC_PLAIN,
                err);
}

/* A data page of the indices dict_encode left (runs, or idx for 8-byte
 * values); num_values and data_pages are counted by the caller. */
static int dict_page(pq_builder *b, pq_encoder *enc, size_t rows, csfs_error *err)
{
    b->used_dict = 1;
    pq_wbuf_reset(&b->body);
    int bits = pq_bit_width(b->nkeys ? b->nkeys - 1 : 0);
    if (bits == 0) bits = 1; /* readers expect at least one bit per index */
    pq_wbuf_byte(&b->body, (uint8_t)bits);
    if (b->width == 4)
        pq_rle_encode_runs(&b->body, b->runs, b->nruns, bits);
    else
        pq_rle_encode_u32(&b->body, b->idx, rows, bits);
    if (b->body.failed) return oom(err);
    return emit(b, enc, &b->pages, PQ_PAGE_DATA, b->body.data, b->body.size, rows,
                PQ_ENC_RLE_DICTIONARY, err);
}

int pq_builder_add_page(pq_builder *b, pq_encoder *enc, const pq_column_values *v, csfs_error *err)
{
    if (v->rows == 0) return 0;
    if (!b->width) return add_byte_page(b, enc, v, err);
    size_t stride = v->stride > 1 ? v->stride : 1;
    if (stride != 1) return csfs_fail(err, CSFS_E_ARGUMENT, "parquet writer: pages must be dense");
    const uint8_t *values = v->values;
    if (!b->plain) {
        int d = dict_encode(b, values, v->rows);
        if (d < 0) return oom(err);
        if (d == 0) b->plain = 1;
    }
    b->num_values += (int64_t)v->rows;
    b->data_pages++;
    if (b->plain) {
        /* Dictionary pages get their statistics from the entries at the end. */
        pq_minmax_add(&b->minmax, b->col.type, b->col.logical, values, b->width, NULL, v->rows);
        b->used_plain = 1;
        return emit(b, enc, &b->pages, PQ_PAGE_DATA, values, v->rows * b->width, v->rows,
                    PQ_ENC_PLAIN, err);
    }
    return dict_page(b, enc, v->rows, err);
}

int pq_builder_is_plain(const pq_builder *b)
{
    return b->plain;
}

int pq_builder_add_const_page(pq_builder *b, pq_encoder *enc, uint32_t value, size_t rows,
                              csfs_error *err)
{
    if (rows == 0) return 0;
    if (b->width != 4)
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "parquet writer: column '%s': constant pages are for 4-byte values",
                         b->col.name);
    if (!b->plain) {
        /* dict_encode4 of equal values: one lookup, one run. */
        uint32_t entry;
        int d = lookup(b, value, &entry);
        if (d < 0) return oom(err);
        if (d == 0) {
            b->plain = 1;
        } else {
            if (b->runs_cap < 1) {
                free(b->runs);
                b->runs = malloc(64 * sizeof *b->runs);
                b->runs_cap = b->runs ? 64 : 0;
                if (!b->runs) return oom(err);
            }
            b->runs[0] = (pq_run){.value = entry - 1, .len = (uint32_t)rows};
            b->nruns = 1;
            b->num_values += (int64_t)rows;
            b->data_pages++;
            return dict_page(b, enc, rows, err);
        }
    }
    /* PLAIN: the values themselves, as add_page would write them. */
    uint32_t *values = malloc(rows * sizeof *values);
    if (!values) return oom(err);
    for (size_t r = 0; r < rows; r++) values[r] = value;
    pq_column_values v = {.rows = rows, .values = values, .stride = 1};
    int rc = pq_builder_add_page(b, enc, &v, err);
    free(values);
    return rc;
}

static int copy_byte_stats(const pq_builder *b, pq_chunk *out, csfs_error *err)
{
    const pq_chunk *s = &b->byte_stats;
    out->has_minmax = s->has_minmax;
    if (!s->has_minmax) return 0;
    uint8_t *mn = realloc(out->min_value, PQ_STAT_MAX_BYTES + 1);
    if (mn) out->min_value = mn;
    uint8_t *mx = realloc(out->max_value, PQ_STAT_MAX_BYTES + 1);
    if (mx) out->max_value = mx;
    if (!mn || !mx) return oom(err);
    memcpy(out->min_value, s->min_value, s->min_len);
    memcpy(out->max_value, s->max_value, s->max_len);
    out->min_len = s->min_len;
    out->max_len = s->max_len;
    out->min_exact = s->min_exact;
    out->max_exact = s->max_exact;
    return 0;
}

int pq_builder_finish(pq_builder *b, pq_encoder *enc, pq_chunk *out, csfs_error *err)
{
    pq_wbuf bytes = {.data = out->bytes, .size = 0, .cap = out->capacity};
    int rc = 0;
    int64_t dict_offset = -1;
    int64_t uncompressed = b->uncompressed_size;
    if (b->used_dict) {
        /* The dictionary page goes first; its entries are the PLAIN values. */
        pq_wbuf_reset(&b->body);
        for (size_t i = 0; i < b->nkeys; i++) pq_wbuf_append(&b->body, &b->keys[i], b->width);
        if (b->body.failed) rc = oom(err);
        dict_offset = 0;
        int64_t before = b->uncompressed_size;
        if (rc == 0)
            rc = emit(b, enc, &bytes, PQ_PAGE_DICTIONARY, b->body.data, b->body.size, b->nkeys,
                      PQ_ENC_PLAIN, err);
        uncompressed += b->uncompressed_size - before;
    }
    int64_t data_offset = (int64_t)bytes.size;
    if (rc == 0) {
        pq_wbuf_append(&bytes, b->pages.data, b->pages.size);
        if (bytes.failed) rc = oom(err);
    }
    out->bytes = bytes.data;
    out->capacity = bytes.cap;
    if (rc == 0) {
        out->size = bytes.size;
        out->num_values = b->num_values;
        out->uncompressed_size = uncompressed;
        out->dictionary_page_offset = dict_offset;
        out->data_page_offset = data_offset;
        out->encodings = 1u << PQ_ENC_PLAIN | 1u << PQ_ENC_RLE;
        if (b->used_dict) out->encodings |= 1u << PQ_ENC_RLE_DICTIONARY;
        out->null_count = 0;
        if (!b->width) {
            rc = copy_byte_stats(b, out, err);
        } else {
            if (b->used_dict)
                pq_minmax_add(&b->minmax, b->col.type, b->col.logical, (const uint8_t *)b->keys,
                              sizeof *b->keys, NULL, b->nkeys);
            rc = pq_minmax_store(&b->minmax, b->col.type, out, err);
        }
        out->type = b->col.type;
        out->codec = b->opt.codec;
        out->data_page_count = b->data_pages;
    }
    /* Ready for the next row group's chunk of this column. */
    memset(b->slots, 0, b->nslots * sizeof *b->slots);
    memset(b->small, 0, sizeof b->small);
    b->nkeys = 0;
    b->plain = !b->opt.dictionary || !b->width;
    b->used_dict = b->used_plain = 0;
    pq_wbuf_reset(&b->pages);
    b->num_values = b->uncompressed_size = b->data_pages = 0;
    memset(&b->minmax, 0, sizeof b->minmax);
    b->byte_stats.has_minmax = false;
    return rc;
}
