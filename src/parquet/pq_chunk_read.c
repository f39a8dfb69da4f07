/*
 * pq_read_column: walks the pages of one column chunk (dictionary page, data
 * pages v1/v2), checks their CRCs, decompresses them, decodes definition
 * levels and hands the values section to pq_decode_values().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/bytes.h"
#include "common/error.h"
#include "parquet/pq_names.h"
#include "parquet/pq_reader_internal.h"
#include "parquet/rle_decode.h"

static int bad(pq_chunk_ctx *c, const char *what)
{
    return csfs_fail(c->err, CSFS_E_FORMAT, "%s: %s", c->where_page, what);
}

static int nomem(pq_chunk_ctx *c)
{
    return csfs_fail(c->err, CSFS_E_NOMEM, "%s: out of memory (or over the read's byte limit)",
                     c->where_page);
}

/* Room for n more rows of output. */
static int reserve_rows(pq_chunk_ctx *c, size_t n)
{
    pq_scratch *s = c->s;
    /* At least one slot, so that buffer + offset arithmetic never sees NULL. */
    size_t need = c->rows_done + n ? c->rows_done + n : 1, hint = c->rows_expected;
    bool ok = true;
    /* values_cap counts bytes: the scratch serves columns of any width. */
    if (c->width && (hint > SIZE_MAX / c->width || need > SIZE_MAX / c->width)) return nomem(c);
    if (c->width)
        ok = pq_grow(&s->values, &s->values_cap, need * c->width, 1, hint * c->width, c->limit);
    else
        ok =
            pq_grow(&s->offsets, &s->offsets_cap, need + 1, sizeof *s->offsets, hint + 1, c->limit);
    if (ok && c->col->max_def > 0)
        ok = pq_grow(&s->defined, &s->defined_cap, need, 1, hint, c->limit);
    return ok ? 0 : nomem(c);
}

/* The page body uncompressed: src itself, or the scratch page buffer. */
static int page_uncompress(pq_chunk_ctx *c, const uint8_t *src, size_t clen, size_t ulen,
                           const uint8_t **out, size_t *out_len)
{
    /* Nothing to decompress (and zero bytes are not a valid stream of most
     * codecs: some writers leave them for empty pages). */
    if (c->codec == PQ_CODEC_UNCOMPRESSED || ulen == 0) {
        *out = src;
        *out_len = c->codec == PQ_CODEC_UNCOMPRESSED ? clen : 0;
        return 0;
    }
    if (ulen > pq_decompress_bound(c->codec, clen))
        return bad(c, "page claims an uncompressed size its codec cannot produce");
    if (!pq_grow(&c->s->page, &c->s->page_cap, ulen, 1, ulen, c->limit)) return nomem(c);
    int rc =
        pq_decompress(&c->s->codecs, c->codec, src, clen, c->s->page, ulen, c->where_page, c->err);
    if (rc) return rc;
    *out = c->s->page;
    *out_len = ulen;
    return 0;
}

static unsigned level_bit_width(int max_level)
{
    unsigned bw = 0;
    while (max_level >> bw) bw++;
    return bw;
}

/* Moves the `present` values decoded densely at the start of the page's rows
 * to the rows defined[] marks, zeroing null slots; backwards, so each value
 * moves at most once and is never overwritten before it moves. */
static void spread_fixed(uint8_t *base, const uint8_t *defined, size_t n, size_t present, size_t w)
{
    size_t k = present;
    for (size_t i = n; i-- > 0;) {
        if (defined[i]) {
            k--;
            if (k != i) memcpy(base + i * w, base + k * w, w);
        } else {
            memset(base + i * w, 0, w);
        }
    }
}

/* The same for byte-array end offsets: base[0] is the end of the row before
 * the page, base[1..present] the ends of its values; a null row ends where
 * the value before it ends. */
static void spread_offsets(uint64_t *base, const uint8_t *defined, size_t n, size_t present)
{
    size_t k = present;
    for (size_t i = n; i-- > 0;) {
        base[1 + i] = base[k];
        if (defined[i]) k--;
    }
}

/* Decodes the values section of a data page and accounts its rows. */
static int page_values(pq_chunk_ctx *c, const uint8_t *p, size_t len, int encoding, size_t n,
                       size_t present)
{
    pq_page_values pv = {.col = c->col,
                         .p = p,
                         .len = len,
                         .encoding = encoding,
                         .count = present,
                         .first_row = c->rows_done};
    int rc = pq_decode_values(&pv, c->s, c->out, c->limit, c->where_page, c->err);
    if (rc) return rc;
    if (present < n) {
        const uint8_t *def = c->s->defined + c->rows_done;
        if (c->width)
            spread_fixed(c->s->values + c->rows_done * c->width, def, n, present, c->width);
        else
            spread_offsets(c->s->offsets + c->rows_done, def, n, present);
    }
    c->out->null_count += n - present;
    c->rows_done += n;
    c->data_seen = true;
    return 0;
}

/* ---- byte arrays in place ------------------------------------------------
 * With out->allow_prefixed, a PLAIN page of a byte-array chunk is
 * decompressed straight behind the data already used and its values stay
 * there: offsets[r] is where row r's bytes start (after their 4-byte length)
 * and offsets[rows_done] where the last one ends. Readers then parse the
 * page itself: no value is copied. Anything else (a dictionary, another
 * encoding, nulls) first turns what was decoded so far into the usual
 * contiguous form and goes on as usual. */

static void leave_inplace(pq_chunk_ctx *c)
{
    if (!c->inplace) return;
    c->inplace = false;
    pq_column_data *out = c->out;
    out->prefixed = false;
    out->ascii = false;
    uint8_t *data = c->s->data;
    uint64_t *off = c->s->offsets;
    uint64_t w = 0, start = off[0];
    for (size_t i = 0; i < c->rows_done; i++) {
        uint32_t n = pq_load_le32(data + start - 4);
        uint64_t next = off[i + 1]; /* the next value's start (or, last, the end) */
        memmove(data + w, data + start, n);
        w += n;
        off[i + 1] = w;
        start = next;
    }
    off[0] = 0;
    out->data_size = w;
}

/* A page body for in-place values: uncompressed (or, when stored so,
 * copied) into data behind its used bytes; the used size is not moved. */
static int page_into_data(pq_chunk_ctx *c, const uint8_t *src, size_t clen, size_t ulen,
                          bool compressed, const uint8_t **out, size_t *out_len)
{
    pq_scratch *s = c->s;
    size_t n = compressed ? ulen : clen;
    if (compressed && ulen > pq_decompress_bound(c->codec, clen))
        return bad(c, "page claims an uncompressed size its codec cannot produce");
    uint64_t used = c->out->data_size;
    if (n > c->limit || used > c->limit - n ||
        !pq_grow(&s->data, &s->data_cap, (size_t)(used + n) + 1, 1, SIZE_MAX, c->limit))
        return nomem(c);
    uint8_t *dst = s->data + used;
    if (n && !compressed) memcpy(dst, src, n);
    if (n && compressed) {
        int rc = pq_decompress(&s->codecs, c->codec, src, clen, dst, n, c->where_page, c->err);
        if (rc) return rc;
    }
    *out = dst;
    *out_len = n;
    return 0;
}

/* Takes a page's n values, at p[0..len) inside data, where they are. */
static int inplace_values(pq_chunk_ctx *c, const uint8_t *p, size_t len, size_t n)
{
    pq_scratch *s = c->s;
    const uint8_t *q = p, *end = p + len;
    uint64_t *off = s->offsets + c->rows_done;
    for (size_t i = 0; i < n; i++) {
        if (end - q < 4) return bad(c, "PLAIN byte array values end early");
        uint32_t m = pq_load_le32(q);
        q += 4;
        if (m > (size_t)(end - q)) return bad(c, "PLAIN byte array longer than its page");
        off[i] = (uint64_t)(q - s->data);
        q += m;
    }
    if (n) off[n] = (uint64_t)(q - s->data);
    /* While the page is in cache: the parsers' ASCII check, one test over
     * the page; only when that finds a high byte, the values one by one (a
     * length prefix of 128-255 has one of its own). */
    if (c->out->ascii && csfs_has_high_byte((const char *)p, len)) {
        for (size_t i = 0; i < n && c->out->ascii; i++) {
            size_t at = (size_t)off[i], stop = i + 1 < n ? (size_t)off[i + 1] - 4 : (size_t)off[n];
            if (csfs_has_high_byte((const char *)s->data + at, stop - at)) c->out->ascii = false;
        }
    }
    c->out->data_size = (uint64_t)(end - s->data);
    c->out->prefixed = true;
    c->rows_done += n;
    c->data_seen = true;
    return 0;
}

/* A PLAIN page read by page_into_data: in place without nulls, else from a
 * copy after leaving in-place decoding (which moves the used data). */
static int page_in_place(pq_chunk_ctx *c, const uint8_t *p, size_t len, size_t n, size_t present)
{
    if (present == n) return inplace_values(c, p, len, n);
    if (!pq_grow(&c->s->page, &c->s->page_cap, len ? len : 1, 1, len, c->limit)) return nomem(c);
    if (len) memcpy(c->s->page, p, len);
    leave_inplace(c);
    return page_values(c, c->s->page, len, PQ_ENC_PLAIN, n, present);
}

static int level_error(pq_chunk_ctx *c, int rc)
{
    return bad(c, rc == -1 ? "definition levels end early" : "definition level out of range");
}

static int data_page_v1(pq_chunk_ctx *c, const pq_page_header *h, const uint8_t *body, size_t blen)
{
    if (h->num_values < 0) return bad(c, "negative value count");
    size_t n = (size_t)h->num_values;
    if (n > c->rows_expected - c->rows_done) return bad(c, "more values than the row group's rows");
    const uint8_t *p;
    size_t len;
    size_t ulen = (size_t)h->uncompressed_size;
    bool here = c->inplace && h->encoding == PQ_ENC_PLAIN;
    if (!here) leave_inplace(c);
    int rc = here ? page_into_data(c, body, blen, ulen, c->codec != PQ_CODEC_UNCOMPRESSED, &p, &len)
                  : page_uncompress(c, body, blen, ulen, &p, &len);
    if (!rc) rc = reserve_rows(c, n);
    if (rc) return rc;
    size_t present = n;
    if (c->col->max_def > 0) {
        uint8_t *def = c->s->defined + c->rows_done;
        unsigned bw = level_bit_width(c->col->max_def);
        if (h->def_encoding == PQ_ENC_RLE) {
            if (len < 4) return bad(c, "definition levels lack their length");
            uint32_t llen = pq_load_le32(p);
            if (llen > len - 4) return bad(c, "definition level length exceeds the page");
            pq_rle_dec d;
            pq_rle_dec_init(&d, p + 4, llen, bw);
            rc = pq_rle_dec_levels(&d, def, n, (unsigned)c->col->max_def, &present);
            p += 4 + (size_t)llen;
            len -= 4 + (size_t)llen;
        } else if (h->def_encoding == PQ_ENC_BIT_PACKED) {
            size_t bytes = (size_t)(((uint64_t)n * bw + 7) / 8);
            rc = pq_bitpacked_levels(p, len, bw, def, n, (unsigned)c->col->max_def, &present);
            if (!rc) p += bytes, len -= bytes;
        } else {
            return csfs_fail(c->err, CSFS_E_UNSUPPORTED,
                             "%s: definition level encoding %s is not supported", c->where_page,
                             pq_encoding_name(h->def_encoding));
        }
        if (rc) return level_error(c, rc);
    }
    if (here) return page_in_place(c, p, len, n, present);
    return page_values(c, p, len, h->encoding, n, present);
}

static int data_page_v2(pq_chunk_ctx *c, const pq_page_header *h, const uint8_t *body, size_t blen)
{
    if (h->num_values < 0 || h->num_nulls < 0 || h->num_nulls > h->num_values)
        return bad(c, "bad value or null count");
    if (h->def_len < 0 || h->rep_len < 0) return bad(c, "negative level length");
    size_t n = (size_t)h->num_values;
    if (n > c->rows_expected - c->rows_done) return bad(c, "more values than the row group's rows");
    uint64_t levels = (uint64_t)h->def_len + (uint64_t)h->rep_len;
    if (levels > blen || levels > (uint64_t)h->uncompressed_size)
        return bad(c, "level sections exceed the page");
    /* Levels are never compressed in v2; the values may be. */
    const uint8_t *def_src = body + h->rep_len;
    const uint8_t *vsrc = body + levels;
    size_t vclen = blen - (size_t)levels;
    size_t vulen = (size_t)h->uncompressed_size - (size_t)levels;
    const uint8_t *p = vsrc;
    size_t len = vclen;
    int rc = 0;
    bool compressed = c->codec != PQ_CODEC_UNCOMPRESSED && h->is_compressed;
    bool here = c->inplace && h->encoding == PQ_ENC_PLAIN;
    if (!here) leave_inplace(c);
    if (here)
        rc = page_into_data(c, vsrc, vclen, vulen, compressed, &p, &len);
    else if (compressed)
        rc = page_uncompress(c, vsrc, vclen, vulen, &p, &len);
    if (!rc) rc = reserve_rows(c, n);
    if (rc) return rc;
    size_t present = n;
    if (c->col->max_def > 0) {
        pq_rle_dec d;
        pq_rle_dec_init(&d, def_src, (size_t)h->def_len, level_bit_width(c->col->max_def));
        rc = pq_rle_dec_levels(&d, c->s->defined + c->rows_done, n, (unsigned)c->col->max_def,
                               &present);
        if (rc) return level_error(c, rc);
        if (present != n - (size_t)h->num_nulls)
            return bad(c, "null count differs from the definition levels");
    } else if (h->num_nulls) {
        return bad(c, "nulls in a REQUIRED column");
    }
    if (here) return page_in_place(c, p, len, n, present);
    return page_values(c, p, len, h->encoding, n, present);
}

static int dictionary_page(pq_chunk_ctx *c, const pq_page_header *h, const uint8_t *body,
                           size_t blen)
{
    if (c->s->has_dict) return bad(c, "a second dictionary page");
    if (c->data_seen) return bad(c, "dictionary page after data pages");
    if (h->num_values < 0) return bad(c, "negative dictionary size");
    leave_inplace(c);
    if (h->encoding != PQ_ENC_PLAIN && h->encoding != PQ_ENC_PLAIN_DICTIONARY)
        return csfs_fail(c->err, CSFS_E_UNSUPPORTED,
                         "%s: dictionary page encoding %s is not supported", c->where_page,
                         pq_encoding_name(h->encoding));
    const uint8_t *p;
    size_t len;
    int rc = page_uncompress(c, body, blen, (size_t)h->uncompressed_size, &p, &len);
    if (rc) return rc;
    return pq_decode_dictionary(c->col, p, len, (size_t)h->num_values, c->s, c->limit,
                                c->where_page, c->err);
}

int pq_chunk_page(pq_chunk_ctx *c, const pq_page_header *h, const uint8_t *body, size_t blen)
{
    if (h->has_crc && (uint32_t)crc32_z(0, body, blen) != h->crc)
        return bad(c, "page checksum (CRC) mismatch");
    bool known =
        h->type == PQ_PAGE_DATA || h->type == PQ_PAGE_DATA_V2 || h->type == PQ_PAGE_DICTIONARY;
    if (known && !h->has_data_header) return bad(c, "page header lacks its type's sub-header");
    if (h->type == PQ_PAGE_DATA) return data_page_v1(c, h, body, blen);
    if (h->type == PQ_PAGE_DATA_V2) return data_page_v2(c, h, body, blen);
    if (h->type == PQ_PAGE_DICTIONARY) return dictionary_page(c, h, body, blen);
    return 0; /* index pages and unknown page types carry no values: skipped */
}

int pq_chunk_bad(pq_chunk_ctx *c, const char *what)
{
    return bad(c, what);
}

static int read_pages(pq_chunk_ctx *c, const uint8_t *bytes, size_t len, uint64_t start)
{
    size_t pos = 0;
    while (c->rows_done < c->rows_expected) {
        snprintf(c->where_page, sizeof c->where_page, "%s, offset %llu", c->where,
                 (unsigned long long)(start + pos));
        if (pos >= len) {
            char what[128];
            snprintf(what, sizeof what, "column chunk ends after %zu of %zu values", c->rows_done,
                     c->rows_expected);
            return bad(c, what);
        }
        pq_page_header h;
        size_t hlen;
        const char *why;
        if (pq_parse_page_header(bytes + pos, len - pos, &h, &hlen, &why)) {
            char what[160];
            snprintf(what, sizeof what, "corrupt page header: %s", why);
            return bad(c, what);
        }
        pos += hlen;
        if ((size_t)h.compressed_size > len - pos) return bad(c, "page runs past its column chunk");
        const uint8_t *body = bytes + pos;
        size_t blen = (size_t)h.compressed_size;
        pos += blen;
        int rc = pq_chunk_page(c, &h, body, blen);
        if (rc) return rc;
    }
    return 0;
}

/* Points the caller's fields at the decoded buffers. */
int pq_chunk_publish(pq_chunk_ctx *c)
{
    pq_column_data *out = c->out;
    pq_scratch *s = c->s;
    out->rows = c->rows_done;
    out->type = c->col->type;
    out->width = c->width;
    out->values = c->width ? s->values : NULL;
    out->offsets = c->width ? NULL : s->offsets;
    out->data = c->width ? NULL : s->data;
    out->defined = c->col->max_def > 0 ? s->defined : NULL;
    return 0;
}

void pq_column_data_init(pq_column_data *d)
{
    memset(d, 0, sizeof *d);
}

void pq_column_data_free(pq_column_data *d)
{
    if (!d) return;
    pq_scratch *s = d->scratch;
    if (s) {
        free(s->values);
        free(s->offsets);
        free(s->data);
        free(s->defined);
        free(s->chunk);
        free(s->page);
        free(s->dict);
        free(s->dict_len);
        free(s->dict_off);
        free(s->ints);
        pq_decompressor_free(&s->codecs);
        free(s);
    }
    uint64_t max_bytes = d->max_bytes;
    bool allow_prefixed = d->allow_prefixed;
    memset(d, 0, sizeof *d);
    d->max_bytes = max_bytes;
    d->allow_prefixed = allow_prefixed;
}

int pq_chunk_begin(const pq_file *f, size_t rg, size_t col, pq_column_data *out, pq_chunk_ctx *cp,
                   uint64_t *start_out, uint64_t *len_out, csfs_error *err)
{
    if (rg >= f->nrg || col >= f->ncols)
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: no column %zu in row group %zu", f->name, col,
                         rg);
    *cp = (pq_chunk_ctx){.f = f, .col = &f->cols[col], .out = out, .err = err};
    pq_chunk_ctx *c = cp;
    const pq_chunk_meta *cm = &f->chunks[rg * f->ncols + col];
    c->codec = cm->codec;
    snprintf(c->where, sizeof c->where, "%.200s: row group %zu, column '%.200s'", f->name, rg,
             c->col->path);
    memcpy(c->where_page, c->where, sizeof c->where);
    if (!c->col->flat)
        return csfs_fail(err, CSFS_E_UNSUPPORTED,
                         "%s: nested column (lists, maps, structs) not supported: csfs reads flat "
                         "schemas only",
                         c->where);
    if (cm->encrypted)
        return csfs_fail(err, CSFS_E_UNSUPPORTED, "%s: encrypted columns are not supported",
                         c->where);
    if (cm->external)
        return csfs_fail(err, CSFS_E_UNSUPPORTED,
                         "%s: column chunks in other files (file_path) are not supported",
                         c->where);
    if (!pq_codec_supported(cm->codec))
        return csfs_fail(err, CSFS_E_UNSUPPORTED, "%s: compression codec %s (%d) is not supported",
                         c->where, pq_codec_name(cm->codec), cm->codec);
    if (!out->scratch && !(out->scratch = calloc(1, sizeof *out->scratch)))
        return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", c->where);
    pq_scratch *s = c->s = out->scratch;
    c->limit = out->max_bytes ? out->max_bytes : PQ_DEFAULT_MAX_BYTES;
    c->width = pq_value_width(c->col);
    c->inplace = out->allow_prefixed && c->col->type == PQ_BYTE_ARRAY;
    out->prefixed = false;
    out->ascii = c->inplace;
    out->rows = 0;
    out->data_size = 0;
    out->null_count = 0;
    s->has_dict = false;
    s->dict_count = 0;

    int64_t rows = f->rgs[rg].num_rows;
    if ((uint64_t)rows > SIZE_MAX - 1)
        return csfs_fail(err, CSFS_E_FORMAT, "%s: too many rows", c->where);
    c->rows_expected = (size_t)rows;

    /* Byte arrays: offsets[0] is 0 even for an empty chunk. */
    if (!c->width && !pq_grow(&s->offsets, &s->offsets_cap, 1, sizeof *s->offsets, 1, c->limit))
        return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", c->where);
    if (!c->width) s->offsets[0] = 0;
    *start_out = *len_out = 0;
    /* Nothing to decode; writers may leave such chunks without pages. */
    if (c->rows_expected == 0) return 0;

    /* The chunk starts at its dictionary page when there is one (some
     * writers store 0 for "none"), and must lie before the footer. */
    uint64_t start = (uint64_t)cm->data_page_offset;
    if (cm->dictionary_page_offset > 0 && (uint64_t)cm->dictionary_page_offset < start)
        start = (uint64_t)cm->dictionary_page_offset;
    uint64_t len = (uint64_t)cm->total_compressed_size;
    if (cm->data_page_offset < 4 || cm->total_compressed_size < 0 || start > f->data_end ||
        len > f->data_end - start)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: column chunk (offset %lld, %lld bytes) lies "
                         "outside the data of the file",
                         c->where, (long long)start, (long long)cm->total_compressed_size);
    if (f->short_chunk_sizes) {
        uint64_t room = f->data_end - start - len;
        len += room < 100 ? room : 100;
    }
    *start_out = start;
    *len_out = len;
    return 0;
}

int pq_read_column(const pq_file *f, size_t rg, size_t col, pq_column_data *out, csfs_error *err)
{
    pq_chunk_ctx c;
    uint64_t start, len;
    int rc = pq_chunk_begin(f, rg, col, out, &c, &start, &len, err);
    if (rc) return rc;
    if (c.rows_expected == 0) return pq_chunk_publish(&c);
    pq_scratch *s = c.s;
    if (len > c.limit)
        return csfs_fail(err, CSFS_E_NOMEM, "%s: column chunk over the read's byte limit", c.where);
    const uint8_t *bytes;
    if (f->mem) {
        bytes = f->mem + start;
    } else {
        if (!pq_grow(&s->chunk, &s->chunk_cap, len ? (size_t)len : 1, 1, (size_t)len, c.limit))
            return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", c.where);
        rc = pq_file_pread(f, start, (size_t)len, s->chunk, err);
        if (rc) return rc;
        bytes = s->chunk;
    }
    rc = read_pages(&c, bytes, (size_t)len, start);
    if (rc) return rc;
    return pq_chunk_publish(&c);
}
