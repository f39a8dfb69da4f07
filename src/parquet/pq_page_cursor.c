/*
 * The page cursor (parquet/pq_reader.h): reads a column chunk through a
 * window of its bytes, parses one page header at a time, skips data pages
 * before the rows wanted by their value counts, and decodes the others into
 * the cursor's pq_column_data with the chunk reader's page code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "parquet/pq_reader_internal.h"

/* Bytes read at a time when reading on (a call that asks for the row after
 * the last page): the window then holds several pages. A call that skips
 * rows, or a sparse cursor, reads sparsely: page headers 128 bytes at a time
 * (a longer one is read again, twice as long) and the bodies it needs
 * exactly, so skipped bodies are not read at all. */
#define WINDOW_MIN ((size_t)256 << 10)
#define SPARSE_WINDOW ((size_t)128)
/* Page headers are small; one that needs more than this is refused. */
#define HEADER_MAX ((size_t)16 << 20)

struct pq_page_cursor {
    const pq_file *f;
    pq_column_data data;
    pq_chunk_ctx c;
    uint64_t start, len; /* the chunk's bytes in the file */
    uint64_t pos;        /* chunk-relative offset of the next page */
    uint64_t row;        /* row of the next page's first value */
    uint8_t *win;        /* chunk bytes [win_off, win_off + win_len) */
    size_t win_cap, win_len;
    uint64_t win_off;
    uint64_t bytes_read;
    int sparse; /* pq_page_cursor_sparse */
};

int pq_page_cursor_open(const pq_file *f, size_t rg, size_t col, pq_page_cursor **out,
                        csfs_error *err)
{
    *out = NULL;
    pq_page_cursor *c = calloc(1, sizeof *c);
    if (!c) return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", f->name);
    c->f = f;
    int rc = pq_chunk_begin(f, rg, col, &c->data, &c->c, &c->start, &c->len, err);
    if (rc) {
        pq_page_cursor_close(c);
        return rc;
    }
    *out = c;
    return 0;
}

int pq_page_cursor_reopen(pq_page_cursor *c, size_t rg, size_t col, csfs_error *err)
{
    c->pos = c->row = 0;
    c->win_len = 0;
    c->win_off = 0;
    return pq_chunk_begin(c->f, rg, col, &c->data, &c->c, &c->start, &c->len, err);
}

void pq_page_cursor_close(pq_page_cursor *c)
{
    if (!c) return;
    pq_column_data_free(&c->data);
    free(c->win);
    free(c);
}

void pq_page_cursor_sparse(pq_page_cursor *c)
{
    c->sparse = 1;
}

uint64_t pq_page_cursor_bytes_read(const pq_page_cursor *c)
{
    return c->bytes_read;
}

/* Chunk bytes [pos, pos + need) (need <= len - pos) into *p. */
static int window(pq_page_cursor *c, uint64_t pos, size_t need, size_t at_least, const uint8_t **p)
{
    if (c->f->mem) {
        *p = c->f->mem + c->start + pos;
        return 0;
    }
    if (pos >= c->win_off && pos + need <= c->win_off + c->win_len) {
        *p = c->win + (pos - c->win_off);
        return 0;
    }
    uint64_t left = c->len - pos;
    size_t want = need > at_least ? need : at_least;
    if (want > left) want = (size_t)left;
    if (want > c->c.limit)
        return csfs_fail(c->c.err, CSFS_E_NOMEM, "%s: page over the read's byte limit",
                         c->c.where_page);
    if (want > c->win_cap) {
        uint8_t *w = realloc(c->win, want);
        if (!w) return csfs_fail(c->c.err, CSFS_E_NOMEM, "%s: out of memory", c->c.where_page);
        c->win = w;
        c->win_cap = want;
    }
    /* Bytes of the window at pos and after are kept, not read again. */
    size_t keep = 0;
    if (pos >= c->win_off && pos < c->win_off + c->win_len) {
        keep = (size_t)(c->win_off + c->win_len - pos);
        memmove(c->win, c->win + (pos - c->win_off), keep);
    }
    int rc = pq_file_pread(c->f, c->start + pos + keep, want - keep, c->win + keep, c->c.err);
    if (rc) return rc;
    c->bytes_read += want - keep;
    c->win_off = pos;
    c->win_len = want;
    *p = c->win;
    return 0;
}

/* Parses the page header at pos: header bytes may exceed the window, so a
 * failed parse is retried over more bytes before it counts as corrupt. */
static int page_header(pq_page_cursor *c, size_t at_least, pq_page_header *h, size_t *hlen)
{
    uint64_t left = c->len - c->pos;
    size_t span = at_least < 4096 ? at_least : 4096;
    for (;;) {
        size_t n = span < left ? span : (size_t)left;
        const uint8_t *p;
        int rc = window(c, c->pos, n, at_least, &p);
        if (rc) return rc;
        /* whatever the window holds past pos is worth parsing too */
        if (!c->f->mem)
            n = (size_t)(c->win_off + c->win_len - c->pos);
        else
            n = (size_t)left;
        const char *why;
        if (pq_parse_page_header(p, n, h, hlen, &why) == 0) return 0;
        if (n >= left || n >= HEADER_MAX) {
            char what[160];
            snprintf(what, sizeof what, "corrupt page header: %s", why);
            return pq_chunk_bad(&c->c, what);
        }
        span = 2 * n;
    }
}

int pq_page_cursor_next(pq_page_cursor *c, uint64_t from, const pq_column_data **page,
                        uint64_t *first, csfs_error *err)
{
    pq_chunk_ctx *x = &c->c;
    x->err = err;
    *page = NULL;
    size_t at_least = c->sparse || c->row < from ? SPARSE_WINDOW : WINDOW_MIN;
    while (c->row < x->rows_expected) {
        snprintf(x->where_page, sizeof x->where_page, "%s, offset %llu", x->where,
                 (unsigned long long)(c->start + c->pos));
        if (c->pos >= c->len) {
            char what[128];
            snprintf(what, sizeof what, "column chunk ends after %llu of %zu values",
                     (unsigned long long)c->row, x->rows_expected);
            return pq_chunk_bad(x, what);
        }
        pq_page_header h;
        size_t hlen;
        int rc = page_header(c, at_least, &h, &hlen);
        if (rc) return rc;
        if ((uint64_t)h.compressed_size > c->len - c->pos - hlen)
            return pq_chunk_bad(x, "page runs past its column chunk");
        uint64_t body_at = c->pos + hlen;
        size_t blen = (size_t)h.compressed_size;
        c->pos = body_at + blen;
        int data = h.type == PQ_PAGE_DATA || h.type == PQ_PAGE_DATA_V2;
        if (data && !h.has_data_header)
            return pq_chunk_bad(x, "page header lacks its type's sub-header");
        if (data && h.num_values < 0) return pq_chunk_bad(x, "negative value count");
        if (data && (uint64_t)h.num_values > x->rows_expected - c->row)
            return pq_chunk_bad(x, "more values than the row group's rows");
        /* Flat columns: one value (or null) per row. */
        if (data && c->row + (uint64_t)h.num_values <= from) {
            c->row += (uint64_t)h.num_values;
            x->data_seen = true;
            continue;
        }
        const uint8_t *body;
        rc = window(c, body_at, blen, at_least == SPARSE_WINDOW ? 0 : WINDOW_MIN, &body);
        if (rc) return rc;
        if (data) {
            /* This page's rows only, from slot 0 of the output. */
            x->rows_done = 0;
            x->rows_expected -= c->row;
            c->data.data_size = 0;
            c->data.null_count = 0;
            if (!x->width) x->s->offsets[0] = 0;
            rc = pq_chunk_page(x, &h, body, blen);
            x->rows_expected += c->row;
            if (rc) return rc;
            *first = c->row;
            c->row += x->rows_done;
            pq_chunk_publish(x);
            *page = &c->data;
            return 0;
        }
        rc = pq_chunk_page(x, &h, body, blen);
        if (rc) return rc;
    }
    return 0;
}
