/* csfs export: CSF Parquet -> GRASP text (rules in csfs/export.h). */
#include "csfs/export.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "grasp/csf_parquet.h"
#include "grasp/csf_pq_header.h"
#include "grasp/csf_serial.h"
#include "grasp/csf_text.h"
#include "descriptor/v2.h"
#include "common/error.h"
#include "grasp/header_toml.h"
#include "io/outfile.h"
#include "jobs/job.h"
#include "common/json_array.h"
#include "parquet/pq_reader.h"
#include "grasp/peel.h"
#include "engine/rg_prefetch.h"
#include "common/sha256.h"

#define FLUSH_BYTES ((size_t)4 << 20)

/* How the J blocks of the input are known. */
enum block_mode {
    BLOCKS_ONE,     /* a single block */
    BLOCKS_LENGTHS, /* CSFs per block (metadata or TOML): empty blocks kept */
    BLOCKS_COLUMN,  /* the block column: a new block where its value changes */
};

typedef struct exporter {
    const csfs_export_options *opt;
    csfs_job *job;
    pq_file *f;
    long cols[CSFS_RG_MAX_COLS]; /* line1, line2, line3, block (-1 unless BLOCKS_COLUMN);
                                    V2: the 4M+2 descriptor columns */
    int n_cols;
    /* V2 descriptor input: rows decoded back to records, then formatted. */
    int v2;
    csfs_peel *peel;
    csfs_v2_ctx v2ctx;
    csfs_v2_record v2rec;
    int32_t *row;
    uint64_t rows;
    csfs_header_toml hdr;
    char *toml_path;
    enum block_mode mode;
    /* BLOCKS_LENGTHS: the block holding the rows being written and its end */
    size_t block;
    uint64_t block_end;
    /* the block id of the last CSF written (full exports with lengths: the
     * block the output is in, starting at 0) */
    int64_t cur_block;
    int wrote_any;
    const uint64_t *lengths; /* BLOCKS_LENGTHS: CSFs per block */
    size_t n_lengths;
    uint64_t *kv_lengths; /* csfs.block_lengths when the header came from a TOML */
    uint64_t *sel;        /* sorted selection (has_rows) */
    size_t n_sel, sel_pos;
    /* given_order: the text of each selected row, held until all are read */
    csfs_buf held;
    size_t *held_at;  /* per entry of sel: offset in held (end at held_at[i + 1]) */
    int32_t *held_jp; /* per entry of sel: 2J * 4 + parity + 1 */
    csfs_outfile out;
    csfs_buf buf;
    csfs_export_summary *sum;
} exporter;

void csfs_export_options_init(csfs_export_options *opt)
{
    memset(opt, 0, sizeof *opt);
}

/* Writes the buffer out; also where a cancel is seen within a row group, whose
 * text (a million rows: hundreds of MB) can take seconds to write. */
static int flush(exporter *x, csfs_error *err)
{
    int rc = csfs_job_cancelled(x->job, err);
    if (rc) return rc;
    rc = csfs_outfile_write(&x->out, x->buf.data, x->buf.len, err);
    x->buf.len = 0;
    return rc;
}

/* Room for n more bytes in the output buffer (flushing first when full). */
static int room(exporter *x, size_t n, csfs_error *err)
{
    if (x->buf.len + n <= x->buf.cap) return 0;
    int rc = x->buf.len ? flush(x, err) : 0;
    return rc ? rc : csfs_buf_reserve(&x->buf, n > FLUSH_BYTES ? n : FLUSH_BYTES * 2, err);
}

static int put_separator(exporter *x, csfs_error *err)
{
    int rc = room(x, 3, err);
    if (rc) return rc;
    memcpy(x->buf.data + x->buf.len, " *\n", 3);
    x->buf.len += 3;
    x->sum->block_count++;
    return 0;
}

/* ---- setup -------------------------------------------------------------------------- */

static int find_columns(exporter *x, csfs_error *err)
{
    static const char *names[3] = {"line1", "line2", "line3"};
    const char *path = x->opt->input;
    for (int k = 0; k < 3; k++) {
        x->cols[k] = pq_file_find_column(x->f, names[k]);
        const pq_column_info *ci =
            x->cols[k] >= 0 ? pq_file_column(x->f, (size_t)x->cols[k]) : NULL;
        if (!ci)
            return csfs_fail(err, CSFS_E_FORMAT,
                             "%s: not a CSF Parquet file (no column '%s'; expected idx, line1, "
                             "line2, line3)",
                             path, names[k]);
        if (ci->type != PQ_BYTE_ARRAY || !ci->flat)
            return csfs_fail(err, CSFS_E_FORMAT, "%s: column '%s' must be a flat string column",
                             path, names[k]);
    }
    x->cols[3] = -1;
    x->n_cols = 4;
    return 0;
}

/* ---- V2 descriptor input -------------------------------------------------------------- */

/* A csfs v1 descriptor file names itself; rCSFs 1.2 files have col_0.. only. */
static int refuse_v1(exporter *x, csfs_error *err)
{
    const char *layout = pq_file_kv_lookup(x->f, "csfs.layout");
    int v1 = (layout && strcmp(layout, "v1") == 0) ||
             (pq_file_find_column(x->f, "col_0") >= 0 && pq_file_find_column(x->f, "line1") < 0);
    if (!v1) return 0;
    return csfs_fail(err, CSFS_E_ARGUMENT,
                     "%s: v1 descriptors cannot be turned back into CSF text (they drop the "
                     "seniority and which couplings were printed); export the CSF Parquet file "
                     "or the CSF list, or make V2 descriptors",
                     x->opt->input);
}

/* The header TOML must be the one the descriptors were made with, when
 * they recorded its SHA-256 (rCSFs 1.3). */
static int check_header_sha(exporter *x, csfs_error *err)
{
    const char *want = pq_file_kv_lookup(x->f, "source_header_sha256");
    if (!want || !x->toml_path) return 0;
    FILE *f = fopen(x->toml_path, "rb");
    if (!f) return csfs_fail_errno(err, errno, "%s: cannot open", x->toml_path);
    csfs_sha256 sha;
    csfs_sha256_init(&sha);
    char buf[65536], hex[65];
    size_t got;
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) csfs_sha256_update(&sha, buf, got);
    fclose(f);
    csfs_sha256_hex(&sha, hex);
    if (strcmp(hex, want) != 0)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: header TOML %s does not belong to these descriptors (its SHA-256 "
                         "is %s, they were made with %s)",
                         x->opt->input, x->toml_path, hex, want);
    return 0;
}

/* Peel list from the header's line 4 (rCSFs's rule), checked against the
 * file's own record of it; then the 4M+2 columns by name. */
static int setup_v2(exporter *x, csfs_error *err)
{
    const char *path = x->opt->input;
    int rc = csfs_peel_from_header_line(x->hdr.lines[3], x->hdr.lens[3], &x->peel, err);
    if (rc) return rc;
    size_t m = x->peel->count;
    const char *count = pq_file_kv_lookup(x->f, "subshell_count");
    if (count && strtoull(count, NULL, 10) != m)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: the header lists %zu peel subshells but the descriptors have %s",
                         path, m, count);
    size_t width = csfs_v2_width(m);
    if (width > CSFS_RG_MAX_COLS)
        return csfs_fail(err, CSFS_E_UNSUPPORTED, "%s: %zu columns is more than export reads", path,
                         width);
    for (size_t c = 0; c < width; c++) {
        char name[32];
        csfs_v2_column_name(m, c, name, sizeof name);
        x->cols[c] = pq_file_find_column(x->f, name);
        const pq_column_info *ci =
            x->cols[c] >= 0 ? pq_file_column(x->f, (size_t)x->cols[c]) : NULL;
        if (!ci || ci->type != PQ_INT32 || !ci->flat)
            return csfs_fail(err, CSFS_E_FORMAT, "%s: V2 column '%s' %s", path, name,
                             ci ? "is not a flat INT32 column" : "is missing");
    }
    x->n_cols = (int)width;
    x->row = malloc(width * sizeof *x->row);
    if (!x->row) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    rc = csfs_v2_ctx_init(&x->v2ctx, x->peel, err);
    if (rc == 0) rc = csfs_v2_record_init(&x->v2rec, m, err);
    return rc;
}

static int put_v2_record(exporter *x, pq_column_data *const *d, size_t r, uint64_t row,
                         csfs_error *err)
{
    for (int c = 0; c < x->n_cols; c++) x->row[c] = ((const int32_t *)d[c]->values)[r];
    csfs_v2_failure why;
    if (csfs_v2_decode(&x->v2ctx, x->row, 1, &x->v2rec, &why) != 0)
        return csfs_fail(err, CSFS_E_FORMAT, "%s: row %llu (CSF %llu): %s", x->opt->input,
                         (unsigned long long)row, (unsigned long long)row, why.reason);
    int held = x->opt->given_order;
    int rc = held ? 0 : room(x, 3 * (9 * x->v2rec.nf + 3), err);
    if (held) x->held_at[x->sel_pos - 1] = x->held.len;
    if (rc == 0 && csfs_v2_format(&x->v2ctx, &x->v2rec, held ? &x->held : &x->buf, &why) != 0)
        rc = csfs_fail(err, CSFS_E_FORMAT, "%s: row %llu: %s", x->opt->input,
                       (unsigned long long)row, why.reason);
    if (held) x->held_jp[x->sel_pos - 1] = x->v2rec.total_two_j * 4 + x->v2rec.parity + 1;
    if (rc == 0 && !held) x->sum->csf_count++;
    return rc;
}

static int use_lengths(exporter *x, const uint64_t *lengths, size_t n, const char *what,
                       csfs_error *err)
{
    uint64_t sum = 0;
    for (size_t b = 0; b < n; b++)
        sum = lengths[b] > UINT64_MAX - sum ? UINT64_MAX : sum + lengths[b];
    if (sum != x->rows)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: block lengths (%s) add up to %llu CSFs but the file has %llu rows",
                         x->opt->input, what, (unsigned long long)sum, (unsigned long long)x->rows);
    x->mode = BLOCKS_LENGTHS;
    x->lengths = lengths;
    x->n_lengths = n;
    x->block = 0;
    x->block_end = n ? lengths[0] : 0;
    return 0;
}

/* Blocks: metadata csfs.block_lengths, else the block column, else the
 * header TOML's [block_info], else one block. */
static int choose_blocks(exporter *x, csfs_header_source from, csfs_error *err)
{
    const char *path = x->opt->input;
    csfs_header_toml *h = &x->hdr;
    if (h->has_csf_count && h->csf_count != x->rows)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: the header (%s) is for %llu CSFs but the file has %llu rows: they "
                         "do not belong together",
                         path, x->toml_path ? x->toml_path : "metadata",
                         (unsigned long long)h->csf_count, (unsigned long long)x->rows);
    if (from == CSFS_HEADER_FROM_METADATA && h->has_block_info)
        return use_lengths(x, h->block_lengths, h->n_blocks, "metadata csfs.block_lengths", err);
    size_t n;
    int present;
    int rc = csfs_pq_block_lengths(x->f, &x->kv_lengths, &n, &present, err);
    if (rc) return rc;
    if (present) return use_lengths(x, x->kv_lengths, n, "metadata csfs.block_lengths", err);
    long col = pq_file_find_column(x->f, "block");
    if (col >= 0) {
        const pq_column_info *ci = pq_file_column(x->f, (size_t)col);
        if (ci->type != PQ_INT32 || !ci->flat)
            return csfs_fail(err, CSFS_E_FORMAT, "%s: column 'block' must be INT32", path);
        x->cols[3] = col;
        x->mode = BLOCKS_COLUMN;
        return 0;
    }
    if (h->has_block_info) return use_lengths(x, h->block_lengths, h->n_blocks, x->toml_path, err);
    x->mode = BLOCKS_ONE;
    return 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The selection, checked (range, duplicates) and sorted. */
static int prepare_selection(exporter *x, csfs_error *err)
{
    const csfs_export_options *o = x->opt;
    for (size_t i = 0; i < o->n_rows; i++)
        if (o->rows[i] >= x->rows)
            return csfs_fail(err, CSFS_E_ARGUMENT,
                             "row index %llu (entry %zu of the selection) is out of range: %s has "
                             "%llu rows",
                             (unsigned long long)o->rows[i], i, o->input,
                             (unsigned long long)x->rows);
    x->sel = malloc((o->n_rows ? o->n_rows : 1) * sizeof *x->sel);
    if (!x->sel) return csfs_fail(err, CSFS_E_NOMEM, "out of memory for the selection");
    if (o->n_rows) memcpy(x->sel, o->rows, o->n_rows * sizeof *x->sel);
    x->n_sel = o->n_rows;
    qsort(x->sel, x->n_sel, sizeof *x->sel, cmp_u64);
    if (o->given_order) { /* repeats allowed: keep each row once */
        size_t u = 0;
        for (size_t i = 0; i < x->n_sel; i++)
            if (u == 0 || x->sel[i] != x->sel[u - 1]) x->sel[u++] = x->sel[i];
        x->n_sel = u;
        x->held_at = malloc((u + 1) * sizeof *x->held_at);
        x->held_jp = malloc((u ? u : 1) * sizeof *x->held_jp);
        if (!x->held_at || !x->held_jp) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        return 0;
    }
    for (size_t i = 1; i < x->n_sel; i++)
        if (x->sel[i] == x->sel[i - 1])
            return csfs_fail(err, CSFS_E_ARGUMENT, "row index %llu is selected twice",
                             (unsigned long long)x->sel[i]);
    return 0;
}

/* The selection for a CSF list, whose row count is known only at its end:
 * duplicates now, the range when the list is read. */
static int prepare_selection_unbounded(exporter *x, csfs_error *err)
{
    uint64_t rows = x->rows;
    x->rows = UINT64_MAX;
    int rc = prepare_selection(x, err);
    x->rows = rows;
    return rc;
}

/* ---- writing ------------------------------------------------------------------------ */

/* BLOCKS_LENGTHS: the block holding `row` (rows only ever increase). */
static size_t block_of(exporter *x, uint64_t row)
{
    while (row >= x->block_end && x->block + 1 < x->n_lengths)
        x->block_end += x->lengths[++x->block];
    return x->block;
}

/* Separators before a CSF of block `id`. A full export with block lengths
 * writes one per block boundary crossed (so empty blocks survive); otherwise
 * one where the block changes between two written CSFs. */
static int separators_before(exporter *x, int64_t id, csfs_error *err)
{
    int rc = 0;
    if (x->mode == BLOCKS_LENGTHS && !x->opt->has_rows) {
        while (rc == 0 && x->cur_block < id) {
            rc = put_separator(x, err);
            x->cur_block++;
        }
        return rc;
    }
    if (x->wrote_any && id != x->cur_block) rc = put_separator(x, err);
    x->cur_block = id;
    x->wrote_any = 1;
    return rc;
}

static int put_record(exporter *x, pq_column_data *const *d, size_t r, csfs_error *err)
{
    size_t len[3];
    const uint8_t *p[3];
    for (int k = 0; k < 3; k++) {
        p[k] = d[k]->data + d[k]->offsets[r];
        len[k] = (size_t)(d[k]->offsets[r + 1] - d[k]->offsets[r]);
    }
    size_t n = len[0] + len[1] + len[2] + 3;
    int rc = room(x, n, err);
    if (rc) return rc;
    char *o = x->buf.data + x->buf.len;
    for (int k = 0; k < 3; k++) {
        memcpy(o, p[k], len[k]);
        o += len[k];
        *o++ = '\n';
    }
    x->buf.len += n;
    x->sum->csf_count++;
    return 0;
}

/* A decoded row group: checks, then its (selected) records. */
static int write_group(exporter *x, size_t rg, uint64_t base, pq_column_data *const *d,
                       csfs_error *err)
{
    const char *path = x->opt->input;
    uint64_t n = (uint64_t)pq_file_row_group(x->f, rg)->num_rows;
    static const char *names[4] = {"line1", "line2", "line3", "block"};
    for (int k = 0; k < x->n_cols; k++) {
        if (x->cols[k] < 0) continue;
        if (d[k]->rows != n)
            return csfs_fail(err, CSFS_E_FORMAT,
                             "%s: row group %zu: column '%s' has %zu rows, "
                             "not %llu",
                             path, rg, x->v2 ? "descriptor" : names[k], d[k]->rows,
                             (unsigned long long)n);
        if (d[k]->null_count) {
            size_t r = 0;
            while (r < n && d[k]->defined && d[k]->defined[r]) r++;
            char what[32];
            snprintf(what, sizeof what, "%s", x->v2 ? "" : names[k]);
            if (x->v2) csfs_v2_column_name(x->peel->count, (size_t)k, what, sizeof what);
            return csfs_fail(err, CSFS_E_FORMAT, "%s: row %llu: column '%s' is null", path,
                             (unsigned long long)(base + r), what);
        }
        /* A line break inside a value would change the list's structure. */
        const uint8_t *nl = !x->v2 && k < 3 && d[k]->data_size
                                ? memchr(d[k]->data, '\n', (size_t)d[k]->data_size)
                                : NULL;
        if (nl) {
            uint64_t at = (uint64_t)(nl - d[k]->data), r = 0;
            while (r + 1 < n && d[k]->offsets[r + 1] <= at) r++;
            return csfs_fail(err, CSFS_E_FORMAT, "%s: row %llu: '%s' holds a line break", path,
                             (unsigned long long)(base + r), names[k]);
        }
    }
    const int32_t *blocks = !x->v2 && x->cols[3] >= 0 ? d[3]->values : NULL;
    int full = !x->opt->has_rows;
    uint64_t r = 0;
    if (!full) {
        while (x->sel_pos < x->n_sel && x->sel[x->sel_pos] < base) x->sel_pos++;
    }
    for (;;) {
        if (full) {
            if (r >= n) break;
        } else {
            if (x->sel_pos >= x->n_sel || x->sel[x->sel_pos] >= base + n) break;
            r = x->sel[x->sel_pos++] - base;
        }
        int64_t id = x->mode == BLOCKS_LENGTHS  ? (int64_t)block_of(x, base + r)
                     : x->mode == BLOCKS_COLUMN ? blocks[r]
                                                : 0;
        int rc = x->opt->given_order ? 0 : separators_before(x, id, err);
        if (rc == 0)
            rc = x->v2 ? put_v2_record(x, d, (size_t)r, base + r, err)
                       : put_record(x, d, (size_t)r, err);
        if (rc) return rc;
        if (full) r++;
    }
    return 0;
}

/* The row groups to decode: all of them, or those holding a selected row. */
static int plan_groups(exporter *x, size_t **groups, size_t *n, uint64_t **bases, csfs_error *err)
{
    size_t g = pq_file_num_row_groups(x->f);
    *groups = malloc((g ? g : 1) * sizeof **groups);
    *bases = malloc((g ? g : 1) * sizeof **bases);
    if (!*groups || !*bases) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    *n = 0;
    uint64_t base = 0;
    size_t s = 0;
    for (size_t rg = 0; rg < g; rg++) {
        int64_t rows = pq_file_row_group(x->f, rg)->num_rows;
        if (rows < 0 || (uint64_t)rows > x->rows - base)
            return csfs_fail(err, CSFS_E_FORMAT, "%s: row group %zu: bad row count %lld",
                             x->opt->input, rg, (long long)rows);
        int wanted = !x->opt->has_rows;
        while (!wanted && s < x->n_sel && x->sel[s] < base + (uint64_t)rows) {
            if (x->sel[s] >= base)
                wanted = 1;
            else
                s++;
        }
        if (wanted && rows > 0) {
            (*groups)[*n] = rg;
            (*bases)[*n] = base;
            (*n)++;
        }
        base += (uint64_t)rows;
    }
    if (base != x->rows)
        return csfs_fail(err, CSFS_E_FORMAT, "%s: row groups hold %llu rows, the footer says %llu",
                         x->opt->input, (unsigned long long)base, (unsigned long long)x->rows);
    return 0;
}

static int write_all(exporter *x, csfs_error *err)
{
    const csfs_export_options *o = x->opt;
    size_t *groups = NULL, n_groups = 0;
    uint64_t *bases = NULL;
    int rc = plan_groups(x, &groups, &n_groups, &bases, err);
    csfs_rg_prefetch *pf = NULL;
    if (rc == 0)
        rc = csfs_rg_prefetch_start(x->f, x->cols, x->n_cols, groups, n_groups,
                                    o->threads > 1 ? o->threads : 0, &pf, err);
    for (size_t i = 0; rc == 0 && i < n_groups; i++) {
        csfs_job_progress(x->job, x->sum->csf_count, 0, -1);
        if ((rc = csfs_job_cancelled(x->job, err)) != 0) break;
        size_t rg;
        pq_column_data *d[CSFS_RG_MAX_COLS];
        rc = csfs_rg_prefetch_next(pf, &rg, d, err);
        if (rc == 0) rc = write_group(x, rg, bases[i], d, err);
        x->sum->row_groups_read++;
    }
    csfs_rg_prefetch_stop(pf);
    free(groups);
    free(bases);
    /* A full export keeps trailing empty blocks (a list ending in " *"). */
    if (rc == 0 && x->mode == BLOCKS_LENGTHS && !o->has_rows)
        while (rc == 0 && (uint64_t)x->cur_block + 1 < x->n_lengths) {
            rc = put_separator(x, err);
            x->cur_block++;
        }
    return rc;
}

/* ---- CSF text input ------------------------------------------------------------------ */

static int put_lines(exporter *x, const char *const *l, const size_t *n, csfs_error *err)
{
    int rc = room(x, n[0] + n[1] + n[2] + 3, err);
    if (rc) return rc;
    for (int k = 0; k < 3; k++) {
        memcpy(x->buf.data + x->buf.len, l[k], n[k]);
        x->buf.len += n[k];
        x->buf.data[x->buf.len++] = '\n';
    }
    x->sum->csf_count++;
    return 0;
}

/* A CSF list as input: the same rules, streamed chunk by chunk. A full
 * export rewrites the list with LF line ends and " *" separators. */
static int run_text(exporter *x, csfs_error *err)
{
    const csfs_export_options *o = x->opt;
    int rc = o->has_rows ? prepare_selection_unbounded(x, err) : 0;
    csfs_serial *r = NULL;
    /* Opened first: a missing input is "not found", not a list given a header. */
    if (rc == 0) rc = csfs_serial_open(o->input, x->job, &r, err);
    if (rc == 0 && o->header)
        rc = csfs_fail(err, CSFS_E_ARGUMENT,
                       "%s: a CSF list has its own header: it takes no header TOML", o->input);
    if (rc == 0 && csfs_same_file(o->output, o->input))
        rc = csfs_fail(err, CSFS_E_ARGUMENT, "%s: the output would overwrite an input", o->output);
    if (rc == 0) rc = csfs_outfile_open(&x->out, o->output, o->force, err);
    const csfs_header *h = rc == 0 ? csfs_serial_header(r) : NULL;
    for (int i = 0; rc == 0 && i < CSFS_HEADER_LINES; i++) {
        rc = room(x, h->lens[i] + 1, err);
        if (rc == 0) {
            memcpy(x->buf.data + x->buf.len, h->lines[i], h->lens[i]);
            x->buf.len += h->lens[i];
            x->buf.data[x->buf.len++] = '\n';
        }
    }
    uint64_t row = 0;
    int64_t block = 0;
    csfs_serial_record rec;
    int got = 0;
    while (rc == 0 && (got = csfs_serial_next(r, &rec, err)) >= 0) {
        for (uint64_t k = 0; rc == 0 && k < rec.seps_before; k++) {
            block++;
            if (!o->has_rows) rc = put_separator(x, err); /* as in the source */
        }
        if (rc || got == 0) break;
        row = rec.index + 1;
        if (o->has_rows) {
            if (x->sel_pos >= x->n_sel || x->sel[x->sel_pos] != rec.index) continue;
            x->sel_pos++;
            rc = separators_before(x, block, err);
        }
        if (rc == 0) rc = put_lines(x, rec.line, rec.len, err);
    }
    if (rc == 0 && got < 0) rc = got;
    x->sum->input_rows = row;
    if (rc == 0 && x->n_sel && x->sel[x->n_sel - 1] >= row)
        rc = csfs_fail(err, CSFS_E_ARGUMENT, "row index %llu is out of range: %s has %llu CSFs",
                       (unsigned long long)x->sel[x->n_sel - 1], o->input, (unsigned long long)row);
    if (rc == 0 && (x->sum->csf_count || x->sum->block_count)) x->sum->block_count++;
    if (rc == 0 && x->buf.len) rc = flush(x, err);
    if (rc == 0) rc = csfs_job_cancelled(x->job, err);
    if (rc == 0) {
        x->sum->output_bytes = x->out.offset;
        rc = csfs_outfile_commit(&x->out, err);
    }
    snprintf(x->sum->header_source, sizeof x->sum->header_source, "%s", "text");
    csfs_serial_close(r);
    return rc;
}

/* rCSFs 1.3's subset restore: the held records in the order given, a new
 * block wherever (2J, parity) changes. */
static int write_given_order(exporter *x, csfs_error *err)
{
    const csfs_export_options *o = x->opt;
    x->held_at[x->n_sel] = x->held.len;
    int32_t prev = 0;
    for (size_t i = 0; i < o->n_rows; i++) {
        size_t lo = 0, hi = x->n_sel;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (x->sel[mid] < o->rows[i])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (i > 0 && x->held_jp[lo] != prev) {
            int rc = put_separator(x, err);
            if (rc) return rc;
        }
        prev = x->held_jp[lo];
        size_t len = x->held_at[lo + 1] - x->held_at[lo];
        int rc = room(x, len, err);
        if (rc) return rc;
        memcpy(x->buf.data + x->buf.len, x->held.data + x->held_at[lo], len);
        x->buf.len += len;
        x->sum->csf_count++;
    }
    return 0;
}

static int run(exporter *x, csfs_error *err)
{
    const csfs_export_options *o = x->opt;
    csfs_export_summary *sum = x->sum;
    if (!csfs_is_parquet_file(o->input)) return run_text(x, err);
    int rc = pq_file_open(&x->f, o->input, err);
    if (rc) return rc;
    x->rows = (uint64_t)pq_file_num_rows(x->f);
    sum->input_rows = x->rows;
    csfs_header_source from;
    const char *version = pq_file_kv_lookup(x->f, "descriptor_version");
    x->v2 = version && strcmp(version, "2") == 0;
    rc = x->v2 ? 0 : refuse_v1(x, err);
    if (rc == 0 && !x->v2) rc = find_columns(x, err);
    if (rc == 0 && o->given_order && (!x->v2 || !o->has_rows || !o->n_rows))
        rc = csfs_fail(err, CSFS_E_ARGUMENT,
                       "%s: the given-order selection rule is for V2 descriptors and needs at "
                       "least one index",
                       o->input);
    if (rc == 0) rc = csfs_csf_parquet_header(x->f, o->header, &x->hdr, &from, &x->toml_path, err);
    if (rc == 0 && x->v2) rc = check_header_sha(x, err);
    if (rc == 0 && x->v2) rc = setup_v2(x, err);
    if (rc) return rc;
    snprintf(sum->header_source, sizeof sum->header_source, "%s",
             x->toml_path ? x->toml_path : "metadata");
    rc = choose_blocks(x, from, err);
    if (rc == 0 && o->has_rows) rc = prepare_selection(x, err);
    if (rc == 0 && (csfs_same_file(o->output, o->input) ||
                    (x->toml_path && csfs_same_file(o->output, x->toml_path))))
        rc = csfs_fail(err, CSFS_E_ARGUMENT, "%s: the output would overwrite an input", o->output);
    if (rc) return rc;

    rc = csfs_outfile_open(&x->out, o->output, o->force, err);
    if (rc) return rc;
    for (int i = 0; rc == 0 && i < CSFS_HEADER_LINES; i++) {
        rc = room(x, x->hdr.lens[i] + 1, err);
        if (rc == 0) {
            memcpy(x->buf.data + x->buf.len, x->hdr.lines[i], x->hdr.lens[i]);
            x->buf.len += x->hdr.lens[i];
            x->buf.data[x->buf.len++] = '\n';
        }
    }
    if (rc == 0) rc = write_all(x, err);
    if (rc == 0 && o->given_order) rc = write_given_order(x, err);
    if (rc == 0 && (sum->csf_count || sum->block_count)) sum->block_count++;
    if (rc == 0 && x->buf.len) rc = flush(x, err);
    if (rc == 0) rc = csfs_job_cancelled(x->job, err);
    if (rc == 0) {
        sum->output_bytes = x->out.offset;
        rc = csfs_outfile_commit(&x->out, err);
    }
    return rc;
}

int csfs_export_run(const csfs_export_options *opt, csfs_export_summary *sum, csfs_error *err)
{
    csfs_export_summary local;
    if (!sum) sum = &local;
    memset(sum, 0, sizeof *sum);
    csfs_job job = {0};
    if (opt) {
        job.cancel = opt->cancel;
        job.report = opt->report;
        job.report_ctx = opt->report_ctx;
        job.progress = opt->progress;
        job.progress_ctx = opt->progress_ctx;
    }
    int rc = csfs_job_begin(&job, opt ? opt->input : NULL, opt ? opt->threads : 0, err);
    if (rc) return rc;
    if (!opt->input || !opt->output)
        return csfs_fail(err, CSFS_E_ARGUMENT, "export: an input and an output are needed");
    if (opt->has_rows && opt->n_rows && !opt->rows)
        return csfs_fail(err, CSFS_E_ARGUMENT, "export: rows missing");
    exporter x;
    memset(&x, 0, sizeof x);
    x.opt = opt;
    x.job = &job;
    x.sum = sum;
    x.out.fd = -1;
    rc = run(&x, err);
    rc = csfs_job_end(&job, rc, &sum->seconds, err);
    csfs_outfile_abort(&x.out); /* no-op after a commit */
    csfs_buf_free(&x.buf);
    free(x.sel);
    free(x.kv_lengths);
    free(x.toml_path);
    free(x.row);
    csfs_buf_free(&x.held);
    free(x.held_at);
    free(x.held_jp);
    if (x.v2 && x.peel) {
        csfs_v2_ctx_free(&x.v2ctx);
        csfs_v2_record_free(&x.v2rec);
    }
    csfs_peel_free(x.peel);
    csfs_header_toml_free(&x.hdr);
    pq_file_close(x.f);
    return rc;
}
