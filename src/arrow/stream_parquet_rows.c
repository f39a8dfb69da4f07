/*
 * rows= on a CSF Parquet source (csfs convert, rCSFs' convert_csfs) without
 * decoding the list: the pass of arrow/stream_rows.h for Parquet. The
 * footer's row-group row counts say which row groups hold selected rows;
 * only those are read, and in them only the pages of line1..line3 that hold
 * a selected row (a page cursor in sparse mode: the other pages are skipped
 * by their headers, their bodies neither read nor decompressed). The J
 * blocks come from the block lengths of the metadata (csfs.block_lengths,
 * else the header TOML's [block_info]; the block column is not read), so the
 * row and block columns and the list's counts are the list's own while the
 * engine parses only the selected records.
 *
 * The whole file is streamed instead (the engine then picks the rows) when
 * most rows are selected, when the file has no header (the copies need one;
 * the peel then comes from the caller), when a block column comes without
 * block lengths, or when a selected line would not survive a text copy (a
 * line break, a carriage return or an empty line in it).
 */
#include <stdlib.h>
#include <string.h>

#include "arrow/stream_rows.h"
#include "common/error.h"
#include "grasp/csf_parquet.h"
#include "grasp/csf_pq_header.h"

/* One line column of the row group being read: its cursor and current page. */
typedef struct line_reader {
    pq_page_cursor *cur;
    const pq_column_data *page; /* rows [first, end) of the group */
    uint64_t first, end;
} line_reader;

/* Makes r's page the one holding group row `row` (rows only grow). */
static int line_at(const pq_file *f, line_reader *r, uint64_t row, csfs_error *err)
{
    while (!r->page || row >= r->end) {
        int rc = pq_page_cursor_next(r->cur, row, &r->page, &r->first, err);
        if (rc) return rc;
        if (!r->page)
            return csfs_fail(err, CSFS_E_FORMAT, "%s: a column chunk ends before its row group",
                             pq_file_name(f));
        if (r->page->null_count)
            return csfs_fail(err, CSFS_E_FORMAT, "%s: CSF %llu (row %llu): a line is null",
                             pq_file_name(f), (unsigned long long)row, (unsigned long long)row);
        r->end = r->first + r->page->rows;
    }
    return 0;
}

/* The list's J blocks without empty ones (the engine cannot see those in a
 * Parquet list either): p->blocks and p->n_blocks as the text pass leaves
 * them. 1 when they are unknown for a file with a block column. */
static int list_blocks(csfs_rows_pass *p, const csfs_csf_parquet *cp, uint64_t rows,
                       csfs_error *err)
{
    uint64_t *len = NULL, *ends = NULL;
    size_t n = 0;
    int present = 0, rc = 0;
    if (cp->col_block >= 0) {
        rc = csfs_pq_block_lengths(cp->file, &len, &n, &present, err);
        if (rc) return rc;
        uint64_t sum = 0;
        for (size_t b = 0; b < n; b++) sum += len[b];
        if (!present || sum != rows) {
            free(len);
            return 1;
        }
    } else if (cp->n_ends) {
        n = cp->n_ends;
        ends = cp->ends;
    }
    uint64_t *out = malloc((n ? n : 1) * sizeof *out);
    if (!out) {
        free(len);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    size_t nb = 0;
    for (size_t b = 0; b < n; b++) {
        uint64_t l = len ? len[b] : ends[b] - (b ? ends[b - 1] : 0);
        if (l) out[nb++] = l;
    }
    if (!n && rows) out[nb++] = rows; /* blocks unknown: one, as the engine reads it */
    free(len);
    free(p->blocks);
    p->blocks = out;
    p->cap_blocks = n ? n : 1;
    p->n_blocks = nb ? nb - 1 : 0;
    return 0;
}

/* A line a text copy keeps as it is. */
static int copyable(const uint8_t *l, size_t n)
{
    return n && !memchr(l, '\n', n) && !memchr(l, '\r', n);
}

/* The selected rows of row group g (rows [g0, g0 + n) of the list). */
static int copy_group(csfs_rows_pass *p, const csfs_csf_parquet *cp, size_t g, uint64_t g0,
                      uint64_t n, size_t *block, uint64_t *block_end, csfs_error *err)
{
    const csfs_stream_state *st = p->st;
    line_reader rd[3];
    memset(rd, 0, sizeof rd);
    int rc = 0;
    for (int k = 0; k < 3 && rc == 0; k++) {
        rc = pq_page_cursor_open(cp->file, g, (size_t)cp->col_line[k], &rd[k].cur, err);
        if (rc == 0) pq_page_cursor_sparse(rd[k].cur);
    }
    p->out.len = 0;
    while (rc == 0 && p->next < st->n_sel && st->sel[p->next] < g0 + n) {
        uint64_t row = st->sel[p->next];
        while (row >= *block_end && *block < p->n_blocks) *block_end += p->blocks[++*block];
        for (int k = 0; k < 3 && rc == 0; k++) {
            line_reader *r = &rd[k];
            if ((rc = line_at(cp->file, r, row - g0, err))) break;
            size_t i = (size_t)(row - g0 - r->first);
            const uint8_t *l = r->page->data + r->page->offsets[i];
            size_t len = (size_t)(r->page->offsets[i + 1] - r->page->offsets[i]);
            if (!copyable(l, len)) {
                p->give_up = 1;
                break;
            }
            if (csfs_buf_append(&p->out, l, len, err) || csfs_buf_append(&p->out, "\n", 1, err))
                rc = CSFS_E_NOMEM;
        }
        if (p->give_up) break;
        p->row[p->next] = row;
        p->block[p->next] = (uint32_t)*block;
        p->line[p->next] = 0;
        p->next++;
    }
    for (int k = 0; k < 3; k++) {
        if (rd[k].cur) p->text_bytes += pq_page_cursor_bytes_read(rd[k].cur);
        pq_page_cursor_close(rd[k].cur);
    }
    return rc;
}

static int parquet_pass(csfs_rows_pass *p, FILE *f, const char *tmp, csfs_error *err)
{
    csfs_stream_state *st = p->st;
    csfs_csf_parquet cp;
    int rc = csfs_csf_parquet_open(st->input, &cp, err);
    if (rc) return rc;
    uint64_t rows = (uint64_t)pq_file_num_rows(cp.file);
    /* Most rows selected: decoding them all in file order costs no more. */
    if (!cp.has_header || (uint64_t)st->n_sel > rows / 2) p->give_up = 1;
    if (!p->give_up && (rc = list_blocks(p, &cp, rows, err)) == 1) {
        rc = 0;
        p->give_up = 1;
    }
    for (int i = 0; rc == 0 && !p->give_up && i < CSFS_HEADER_LINES; i++) {
        rc = csfs_stream_rows_write(f, cp.header.lines[i], cp.header.lens[i], tmp, err);
        if (rc == 0) rc = csfs_stream_rows_write(f, "\n", 1, tmp, err);
    }
    size_t block = 0;
    uint64_t block_end = rows && !p->give_up ? p->blocks[0] : 0, g0 = 0;
    size_t groups = pq_file_num_row_groups(cp.file);
    for (size_t g = 0; rc == 0 && !p->give_up && g < groups; g++) {
        uint64_t n = (uint64_t)pq_file_row_group(cp.file, g)->num_rows;
        if (p->next < st->n_sel && st->sel[p->next] < g0 + n) {
            if (csfs_stream_cancelled(st)) {
                rc = csfs_fail(err, CSFS_E_CANCELLED, "%s: cancelled", st->input);
                break;
            }
            rc = copy_group(p, &cp, g, g0, n, &block, &block_end, err);
            if (rc == 0 && !p->give_up)
                rc = csfs_stream_rows_write(f, p->out.data, p->out.len, tmp, err);
            p->copy_bytes += p->out.len;
        }
        g0 += n;
    }
    p->rows = rows;
    csfs_csf_parquet_close(&cp);
    return rc;
}

int csfs_stream_produce_parquet_rows(csfs_stream_state *st, csfs_error *err)
{
    return csfs_stream_rows_run(st, parquet_pass, 1, err);
}
