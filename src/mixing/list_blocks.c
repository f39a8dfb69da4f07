/*
 * The block structure of a CSF list, which a mixing file is checked against
 * and which maps (JBLOCK, position) to rows: from GRASP text (records and
 * " *" separators, J/parity from line 3 of each block's first CSF), or from
 * a Parquet file written by csfs (csfs.block_lengths metadata, else the runs
 * of a block column; J/parity from total_two_j/parity columns when the file
 * has them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grasp/csf_fields.h"
#include "grasp/csf_serial.h"
#include "grasp/csf_text.h"
#include "grasp/csf_parquet.h"
#include "common/error.h"
#include "mixing/reader.h"
#include "grasp/csf_pq_header.h"
#include "parquet/pq_reader.h"

typedef unsigned long long ull;

/* Blocks are appended one at a time while the list is read. */
static int push_block(csfs_mix_list *l, size_t *cap, uint64_t length, int32_t two_j, int8_t parity,
                      uint64_t line, csfs_error *err)
{
    if (l->n_blocks == *cap) {
        size_t c = *cap ? 2 * *cap : 16;
        uint64_t *bl = realloc(l->block_lengths, c * sizeof *bl);
        if (bl) l->block_lengths = bl;
        int32_t *tj = realloc(l->two_j, c * sizeof *tj);
        if (tj) l->two_j = tj;
        int8_t *pa = realloc(l->parity, c * sizeof *pa);
        if (pa) l->parity = pa;
        uint64_t *ln = realloc(l->jp_line, c * sizeof *ln);
        if (ln) l->jp_line = ln;
        if (!bl || !tj || !pa || !ln) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        *cap = c;
    }
    l->block_lengths[l->n_blocks] = length;
    l->two_j[l->n_blocks] = two_j;
    l->parity[l->n_blocks] = parity;
    l->jp_line[l->n_blocks] = line;
    l->n_blocks++;
    return 0;
}

/* Row offsets, csf_count and jp_known once the blocks are known. */
static int finish_list(csfs_mix_list *l, csfs_error *err)
{
    l->block_first = malloc((l->n_blocks + 1) * sizeof *l->block_first);
    if (!l->block_first) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    uint64_t row = 0;
    l->jp_known = 1;
    for (size_t b = 0; b < l->n_blocks; b++) {
        l->block_first[b] = row;
        row += l->block_lengths[b];
        if (l->block_lengths[b] && (l->two_j[b] < 0 || l->parity[b] == 0)) l->jp_known = 0;
    }
    l->block_first[l->n_blocks] = row;
    l->csf_count = row;
    return 0;
}

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

/* J and parity of a block's first CSF by the descriptors' rule (J in the 4
 * bytes before line 3's last non-blank byte, the parity sign there). */
static int line3_jp(const char *p, size_t len, int32_t *two_j, int8_t *parity)
{
    int par;
    if (csfs_line3_jp(p, len, two_j, &par)) return -1;
    *parity = (int8_t)par;
    return 0;
}

static void quote(const char *p, size_t len, char *out, size_t cap)
{
    size_t o = 0, from = len > 24 ? len - 24 : 0;
    for (size_t i = from; i < len && o + 5 < cap; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch >= 0x20 && ch < 0x7f)
            out[o++] = (char)ch;
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02X", ch);
    }
    out[o] = '\0';
}

typedef struct text_state {
    csfs_mix_list *l;
    size_t cap;
    uint64_t in_block; /* CSFs of the open block */
    int32_t two_j;     /* of the open block */
    int8_t parity;
    uint64_t jp_line;
    int seen_separator;
} text_state;

static int close_text_block(text_state *s, csfs_error *err)
{
    int rc = push_block(s->l, &s->cap, s->in_block, s->two_j, s->parity, s->jp_line, err);
    s->in_block = 0;
    s->two_j = -1;
    s->parity = 0;
    s->jp_line = 0;
    return rc;
}

/* The separators before a record (or after the last one), then the record. */
static int account_record(text_state *s, const char *name, const csfs_serial_record *r, int got,
                          csfs_error *err)
{
    for (uint64_t k = 0; k < r->seps_before; k++) {
        s->seen_separator = 1;
        int rc = close_text_block(s, err);
        if (rc) return rc;
    }
    if (!got) return 0;
    if (s->in_block == 0) {
        uint64_t line = r->line_no + 2;
        if (line3_jp(r->line[2], r->len[2], &s->two_j, &s->parity) != 0) {
            char shown[128];
            quote(r->line[2], r->len[2], shown, sizeof shown);
            return csfs_fail_line(err, CSFS_E_FORMAT, line,
                                  "%s:%llu: cannot read J and parity from the end of line 3 "
                                  "of the block's first CSF ('%s'; expected e.g. '1/2+' or "
                                  "'2-' in the last 5 characters)",
                                  name, (ull)line, shown);
        }
        s->jp_line = line;
    }
    s->in_block++;
    return 0;
}

static int list_from_text(const char *path, csfs_mix_list *l, csfs_error *err)
{
    csfs_serial *sr = NULL;
    int rc = csfs_serial_open(path, NULL, &sr, err);
    if (rc) return rc;
    const char *name = csfs_serial_name(sr);
    text_state s = {.l = l, .two_j = -1};
    csfs_serial_record rec;
    int got;
    while ((got = csfs_serial_next(sr, &rec, err)) >= 0) {
        rc = account_record(&s, name, &rec, got, err);
        if (rc || got == 0) break;
    }
    if (got < 0) rc = got;
    if (rc == 0 && (s.seen_separator || s.in_block > 0)) rc = close_text_block(&s, err);
    if (rc == 0) {
        l->size = csfs_serial_file_size(sr);
        l->kind = "text";
        snprintf(l->jp_note, sizeof l->jp_note,
                 "J/parity from line 3 of each block's first CSF in %s", name);
    }
    csfs_serial_close(sr);
    return rc;
}

/* The blocks of csfs.block_lengths (grasp/csf_pq_header.h), J/parity unknown. */
static int push_lengths(pq_file *f, csfs_mix_list *l, size_t *cap, int *present, csfs_error *err)
{
    uint64_t *v = NULL;
    size_t n = 0;
    int rc = csfs_pq_block_lengths(f, &v, &n, present, err);
    for (size_t b = 0; rc == 0 && b < n; b++) rc = push_block(l, cap, v[b], -1, 0, 0, err);
    free(v);
    return rc;
}

/* J/parity at each block's first row from INT32 columns total_two_j and
 * parity, one column chunk at a time. Without block lengths (infer != 0),
 * blocks are the runs of equal (2J, parity), as rCSFs' restore forms them. */
static int read_jp_columns(pq_file *f, long cj, long cp, csfs_mix_list *l, size_t *cap, int infer,
                           csfs_error *err)
{
    pq_column_data dj, dp;
    pq_column_data_init(&dj);
    pq_column_data_init(&dp);
    int rc = 0;
    uint64_t row = 0, run = 0;
    size_t next = 0; /* next block whose first row is awaited */
    uint64_t first = 0;
    int32_t cur_j = -1;
    int8_t cur_p = 0;
    for (size_t rg = 0; rc == 0 && rg < pq_file_num_row_groups(f); rg++) {
        rc = pq_read_column(f, rg, (size_t)cj, &dj, err);
        if (rc == 0) rc = pq_read_column(f, rg, (size_t)cp, &dp, err);
        if (rc) break;
        if (dj.rows != dp.rows || dj.width != 4 || dp.width != 4) {
            rc = csfs_fail(err, CSFS_E_FORMAT,
                           "%s: row group %zu: total_two_j/parity columns "
                           "are not INT32 columns of equal length",
                           pq_file_name(f), rg);
            break;
        }
        for (size_t i = 0; i < dj.rows; i++, row++) {
            int32_t tj, pa;
            memcpy(&tj, (const uint8_t *)dj.values + 4 * i, 4);
            memcpy(&pa, (const uint8_t *)dp.values + 4 * i, 4);
            int8_t p8 = pa == 1 ? 1 : pa == -1 ? -1 : 0;
            if (tj < 0) tj = -1;
            if (infer) {
                if (run > 0 && (tj != cur_j || p8 != cur_p)) {
                    rc = push_block(l, cap, run, cur_j, cur_p, 0, err);
                    if (rc) break;
                    run = 0;
                }
                cur_j = tj;
                cur_p = p8;
                run++;
                continue;
            }
            while (next < l->n_blocks && l->block_lengths[next] == 0) next++;
            if (next < l->n_blocks && row == first) {
                l->two_j[next] = tj;
                l->parity[next] = p8;
                first += l->block_lengths[next];
                next++;
            }
        }
    }
    if (rc == 0 && infer && run > 0) rc = push_block(l, cap, run, cur_j, cur_p, 0, err);
    pq_column_data_free(&dj);
    pq_column_data_free(&dp);
    return rc;
}

/* Blocks as the runs of equal values of an INT32 `block` column (a CSF
 * Parquet file without csfs.block_lengths), one column chunk at a time. */
static int read_block_runs(pq_file *f, long cb, csfs_mix_list *l, size_t *cap, csfs_error *err)
{
    pq_column_data d;
    pq_column_data_init(&d);
    int rc = 0;
    uint64_t run = 0;
    int32_t cur = 0;
    for (size_t rg = 0; rc == 0 && rg < pq_file_num_row_groups(f); rg++) {
        rc = pq_read_column(f, rg, (size_t)cb, &d, err);
        for (size_t i = 0; rc == 0 && i < d.rows; i++) {
            int32_t v;
            memcpy(&v, (const uint8_t *)d.values + 4 * i, 4);
            if (run > 0 && v != cur) {
                rc = push_block(l, cap, run, -1, 0, 0, err);
                run = 0;
            }
            cur = v;
            run++;
        }
    }
    if (rc == 0 && run > 0) rc = push_block(l, cap, run, -1, 0, 0, err);
    pq_column_data_free(&d);
    return rc;
}

/* J/parity from the line3 column of a CSF Parquet file (csfs convert), at
 * each block's first row. A line 3 cut short by the converter's line limit
 * leaves that block's J/parity unknown; *unreadable counts those blocks. */
static int read_line3_jp(pq_file *f, long c3, csfs_mix_list *l, size_t *unreadable, csfs_error *err)
{
    pq_column_data d;
    pq_column_data_init(&d);
    int rc = 0;
    uint64_t row = 0, first = 0;
    size_t next = 0;
    *unreadable = 0;
    for (size_t rg = 0; rc == 0 && rg < pq_file_num_row_groups(f) && next < l->n_blocks; rg++) {
        rc = pq_read_column(f, rg, (size_t)c3, &d, err);
        for (size_t i = 0; rc == 0 && i < d.rows; i++, row++) {
            while (next < l->n_blocks && l->block_lengths[next] == 0) next++;
            if (next >= l->n_blocks || row != first) continue;
            const char *p = (const char *)d.data + d.offsets[i];
            size_t len = (size_t)(d.offsets[i + 1] - d.offsets[i]);
            if (line3_jp(p, len, &l->two_j[next], &l->parity[next]) != 0) {
                l->two_j[next] = -1;
                l->parity[next] = 0;
                ++*unreadable;
            }
            first += l->block_lengths[next];
            next++;
        }
    }
    pq_column_data_free(&d);
    return rc;
}

static int list_from_parquet(const char *path, csfs_mix_list *l, csfs_error *err)
{
    pq_file *f = NULL;
    int rc = pq_file_open(&f, path, err);
    if (rc) return rc;
    const char *name = pq_file_name(f);
    size_t cap = 0;
    int lengths = 0;
    rc = push_lengths(f, l, &cap, &lengths, err);
    const char *count = pq_file_kv_lookup(f, "csfs.csf_count");
    long cj = pq_file_find_column(f, "total_two_j"), cp = pq_file_find_column(f, "parity");
    int has_jp = cj >= 0 && cp >= 0 && pq_file_column(f, (size_t)cj)->type == PQ_INT32 &&
                 pq_file_column(f, (size_t)cp)->type == PQ_INT32;
    long cb = pq_file_find_column(f, "block");
    int has_block = cb >= 0 && pq_file_column(f, (size_t)cb)->type == PQ_INT32 &&
                    pq_file_column(f, (size_t)cb)->flat;
    long c3 = pq_file_find_column(f, "line3");
    int has_line3 = c3 >= 0 && pq_file_column(f, (size_t)c3)->type == PQ_BYTE_ARRAY;
    l->kind = has_line3 ? "csf parquet" : "descriptor parquet";
    l->size = (int64_t)pq_file_size(f);
    if (rc == 0 && lengths) {
        uint64_t sum = 0;
        for (size_t b = 0; rc == 0 && b < l->n_blocks; b++) sum += l->block_lengths[b];
        /* A descriptor file has one row per CSF; a label table in long form
         * does not, and says how many CSFs its list had in csfs.csf_count. */
        uint64_t want = count ? strtoull(count, NULL, 10) : (uint64_t)pq_file_num_rows(f);
        if (rc == 0 && sum != want)
            rc = csfs_fail(err, CSFS_E_FORMAT,
                           "%s: csfs.block_lengths add up to %llu CSFs, but the file %s %llu", name,
                           (ull)sum, count ? "says csfs.csf_count =" : "has rows:", (ull)want);
        /* J/parity are taken row-aligned, so only from a file with a row per CSF. */
        int rows_ok = (uint64_t)pq_file_num_rows(f) == sum;
        size_t unreadable = 0;
        if (rc == 0 && rows_ok && has_jp) {
            rc = read_jp_columns(f, cj, cp, l, &cap, 0, err);
            snprintf(l->jp_note, sizeof l->jp_note,
                     "J/parity from the total_two_j and parity columns of %s", name);
        } else if (rc == 0 && rows_ok && has_line3) {
            rc = read_line3_jp(f, c3, l, &unreadable, err);
            if (unreadable)
                snprintf(l->jp_note, sizeof l->jp_note,
                         "J/parity not checked for %zu block%s: line 3 of the first CSF in %s "
                         "does not end in J and parity (truncated by the converter?)",
                         unreadable, unreadable == 1 ? "" : "s", name);
            else
                snprintf(l->jp_note, sizeof l->jp_note,
                         "J/parity from line 3 of each block's first CSF in %s", name);
        } else if (rc == 0) {
            snprintf(l->jp_note, sizeof l->jp_note,
                     "J/parity not checked: %s records the block lengths but not J and parity "
                     "(give the text CSF list to check them)",
                     name);
        }
    } else if (rc == 0 && has_jp) {
        rc = read_jp_columns(f, cj, cp, l, &cap, 1, err);
        if (rc == 0)
            snprintf(l->jp_note, sizeof l->jp_note,
                     "blocks and J/parity inferred from runs of equal total_two_j/parity in %s "
                     "(no csfs.block_lengths metadata)",
                     name);
    } else if (rc == 0 && has_block) {
        rc = read_block_runs(f, cb, l, &cap, err);
        size_t unreadable = 0;
        if (rc == 0 && has_line3) rc = read_line3_jp(f, c3, l, &unreadable, err);
        if (rc == 0)
            snprintf(l->jp_note, sizeof l->jp_note,
                     "blocks from the runs of the block column of %s (no csfs.block_lengths "
                     "metadata)%s",
                     name, has_line3 && !unreadable ? ", J/parity from line 3" : "");
    } else if (rc == 0) {
        rc = csfs_fail(
            err, CSFS_E_FORMAT,
            "%s: a Parquet file without csfs.block_lengths metadata, a block column or total_two_j/"
            "parity columns: its CSF blocks are unknown (give the text CSF list; "
            "rCSFs keeps them in a header TOML beside the file)",
            name);
    }
    pq_file_close(f);
    return rc;
}

/* Parquet files start with "PAR1"; anything else is read as (maybe
 * compressed) GRASP text, whose reader recognises .zst/.gz by content. */
int csfs_mix_list_read(const char *path, csfs_mix_list *out, csfs_error *err)
{
    memset(out, 0, sizeof *out);
    out->size = -1;
    out->name = copy_string(path);
    if (!out->name) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    int rc = csfs_is_parquet_file(path) ? list_from_parquet(path, out, err)
                                        : list_from_text(path, out, err);
    if (rc == 0) rc = finish_list(out, err);
    if (rc) csfs_mix_list_free(out);
    return rc;
}

int csfs_mix_list_from_lengths(const uint64_t *lengths, size_t n_blocks, const int32_t *two_j,
                               const int8_t *parity, const char *name, csfs_mix_list *out,
                               csfs_error *err)
{
    memset(out, 0, sizeof *out);
    out->size = -1;
    out->kind = "lengths";
    out->name = copy_string(name ? name : "<block lengths>");
    int rc = out->name ? 0 : csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    size_t cap = 0;
    for (size_t b = 0; rc == 0 && b < n_blocks; b++) {
        int8_t p = parity ? parity[b] : 0;
        rc = push_block(out, &cap, lengths[b], two_j ? two_j[b] : -1,
                        (int8_t)(p > 0   ? 1
                                 : p < 0 ? -1
                                         : 0),
                        0, err);
    }
    if (rc == 0) rc = finish_list(out, err);
    if (rc == 0)
        snprintf(out->jp_note, sizeof out->jp_note,
                 out->jp_known ? "J/parity given with the block lengths"
                               : "J/parity not checked: not given with the block lengths");
    if (rc) csfs_mix_list_free(out);
    return rc;
}

void csfs_mix_list_free(csfs_mix_list *l)
{
    free(l->name);
    free(l->block_lengths);
    free(l->block_first);
    free(l->two_j);
    free(l->parity);
    free(l->jp_line);
    memset(l, 0, sizeof *l);
}
