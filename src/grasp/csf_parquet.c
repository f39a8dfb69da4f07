#include "grasp/csf_parquet.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/error.h"
#include "grasp/csf_pq_header.h"
#include "grasp/header_toml.h"

int csfs_is_parquet_file(const char *path)
{
    if (strcmp(path, "-") == 0) return 0;
    /* Parquet is read from its end, so only a regular file can be one; and
     * sniffing a pipe (a FIFO, <(zcat ...)) would eat the start of a CSF list
     * that the text reader then never sees. */
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char magic[4];
    int yes = fread(magic, 1, 4, f) == 4 && memcmp(magic, "PAR1", 4) == 0;
    fclose(f);
    return yes;
}

/* The header: csfs metadata, else a header TOML beside the file (rCSFs);
 * a file with neither has none (descriptors then need --peel). The sidecar
 * path is kept either way: V2 records its checksum. */
static int load_header(csfs_csf_parquet *cp, csfs_error *err)
{
    int rc = csfs_csf_parquet_find_sidecar(cp->file, &cp->toml_path, NULL, err);
    if (rc) return rc;
    if (!cp->toml_path && !pq_file_kv_lookup(cp->file, "csfs.header_lines")) return 0;
    csfs_header_toml hdr;
    csfs_header_source from;
    rc = csfs_csf_parquet_header(cp->file, NULL, &hdr, &from, NULL, err);
    if (rc) return rc;
    for (int i = 0; i < CSFS_HEADER_LINES; i++) {
        cp->header.lines[i] = hdr.lines[i];
        cp->header.lens[i] = hdr.lens[i];
        hdr.lines[i] = NULL;
    }
    cp->has_header = 1;
    if (from == CSFS_HEADER_FROM_SIDECAR && hdr.has_block_info) {
        cp->toml_blocks = hdr.block_lengths;
        cp->n_toml_blocks = hdr.n_blocks;
        hdr.block_lengths = NULL;
    }
    csfs_header_toml_free(&hdr);
    return 0;
}

/* The blocks of a file without a block column: csfs.block_lengths, else the
 * sidecar's [block_info]; lengths that do not add up to the rows are not used
 * (one block, as before). */
static int load_lengths(csfs_csf_parquet *cp, csfs_error *err)
{
    uint64_t *v = NULL;
    size_t n = 0;
    int present = 0;
    int rc = csfs_pq_block_lengths(cp->file, &v, &n, &present, err);
    if (rc) return rc;
    const uint64_t *lengths = present ? v : cp->toml_blocks;
    if (!present) n = cp->n_toml_blocks;
    uint64_t rows = (uint64_t)pq_file_num_rows(cp->file), sum = 0;
    size_t groups = pq_file_num_row_groups(cp->file);
    cp->ends = malloc((n ? n : 1) * sizeof *cp->ends);
    cp->group_row = malloc((groups ? groups : 1) * sizeof *cp->group_row);
    if (!cp->ends || !cp->group_row) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (size_t b = 0; rc == 0 && lengths && b < n; b++) {
        sum = lengths[b] > UINT64_MAX - sum ? UINT64_MAX : sum + lengths[b];
        cp->ends[b] = sum;
    }
    if (rc == 0 && lengths && n && sum == rows) cp->n_ends = n;
    uint64_t at = 0;
    for (size_t g = 0; rc == 0 && g < groups; g++) {
        cp->group_row[g] = at;
        at += (uint64_t)pq_file_row_group(cp->file, g)->num_rows;
    }
    free(v);
    return rc;
}

int csfs_csf_parquet_open(const char *path, csfs_csf_parquet *cp, csfs_error *err)
{
    memset(cp, 0, sizeof *cp);
    cp->col_block = -1;
    int rc = pq_file_open(&cp->file, path, err);
    if (rc) return rc;
    static const char *names[3] = {"line1", "line2", "line3"};
    for (int k = 0; k < 3; k++) {
        cp->col_line[k] = pq_file_find_column(cp->file, names[k]);
        const pq_column_info *ci =
            cp->col_line[k] >= 0 ? pq_file_column(cp->file, (size_t)cp->col_line[k]) : NULL;
        if (!ci) {
            rc = csfs_fail(err, CSFS_E_FORMAT,
                           "%s: not a CSF Parquet file (no column '%s'; expected idx, line1, "
                           "line2, line3)",
                           path, names[k]);
            break;
        }
        if (ci->type != PQ_BYTE_ARRAY || !ci->flat) {
            rc = csfs_fail(err, CSFS_E_FORMAT,
                           "%s: column '%s' must hold strings (BYTE_ARRAY), not physical type %d",
                           path, names[k], (int)ci->type);
            break;
        }
    }
    if (rc == 0) {
        cp->col_block = pq_file_find_column(cp->file, "block");
        if (cp->col_block >= 0 && pq_file_column(cp->file, (size_t)cp->col_block)->type != PQ_INT32)
            rc = csfs_fail(err, CSFS_E_FORMAT, "%s: column 'block' must be INT32", path);
    }
    if (rc == 0) rc = load_header(cp, err);
    if (rc == 0 && cp->col_block < 0) rc = load_lengths(cp, err);
    if (rc) csfs_csf_parquet_close(cp);
    return rc;
}

void csfs_csf_parquet_close(csfs_csf_parquet *cp)
{
    pq_file_close(cp->file);
    for (int i = 0; i < CSFS_HEADER_LINES; i++) free(cp->header.lines[i]);
    free(cp->toml_path);
    free(cp->toml_blocks);
    free(cp->ends);
    free(cp->group_row);
    memset(cp, 0, sizeof *cp);
}

int csfs_csf_parquet_read_part(const csfs_csf_parquet *cp, size_t rg, int part, csfs_csf_group *g,
                               csfs_error *err)
{
    int64_t rows = pq_file_row_group(cp->file, rg)->num_rows;
    /* Part k is line k+1; the last one also reads the (small) block column,
     * so that the parts in order read the columns in read_group's order. */
    int last = part == CSFS_CSF_GROUP_PARTS - 1 ? 3 : part;
    for (int k = part; k <= last; k++) {
        long col = k < 3 ? cp->col_line[k] : cp->col_block;
        if (col < 0) continue;
        /* The lines are parsed where their decompressed pages hold them. */
        g->cols[k].allow_prefixed = k < 3;
        int rc = pq_read_column(cp->file, rg, (size_t)col, &g->cols[k], err);
        if (rc) return rc;
        if ((int64_t)g->cols[k].rows != rows || g->cols[k].null_count)
            return csfs_fail(err, CSFS_E_FORMAT, "%s: row group %zu: column %ld has %s",
                             pq_file_name(cp->file), rg, col,
                             g->cols[k].null_count ? "nulls" : "a wrong row count");
        if (k < 3) {
            g->lines[k].data = (const char *)g->cols[k].data;
            g->lines[k].off = g->cols[k].offsets;
            g->lines[k].prefixed = g->cols[k].prefixed;
        }
    }
    return 0;
}

int csfs_csf_parquet_read_group(const csfs_csf_parquet *cp, size_t rg, csfs_csf_group *g,
                                csfs_chunk_scan *scan, csfs_error *err)
{
    for (int part = 0; part < CSFS_CSF_GROUP_PARTS; part++) {
        int rc = csfs_csf_parquet_read_part(cp, rg, part, g, err);
        if (rc) return rc;
    }
    return csfs_csf_parquet_finish_group(cp, rg, g, scan, err);
}

int csfs_csf_parquet_finish_group(const csfs_csf_parquet *cp, size_t rg, csfs_csf_group *g,
                                  csfs_chunk_scan *scan, csfs_error *err)
{
    int64_t rows = pq_file_row_group(cp->file, rg)->num_rows;
    /* Every page byte below 0x80 (tested as each page was decompressed):
     * the parsers skip their own ASCII test. */
    int ascii = rows > 0;
    for (int k = 0; k < 3; k++) ascii &= g->cols[k].prefixed && g->cols[k].ascii;
    scan->made_ascii = ascii;
    scan->cols = g->lines;
    scan->n_rec = (size_t)rows;
    scan->n_sep = 0;
    scan->lines = 0;
    scan->crlf_lines = 0;
    scan->trailing_blank = -1;
    scan->has_content = rows > 0;
    scan->bad_record_parts = 0;
    g->first_block = g->last_block = 0;
    if (cp->col_block < 0 && cp->n_ends && rows > 0) {
        /* Block of each row from the lengths; empty blocks are skipped over. */
        uint64_t row = cp->group_row[rg];
        size_t lo = 0, hi = cp->n_ends;
        while (lo < hi) { /* the first block ending after row */
            size_t mid = (lo + hi) / 2;
            if (cp->ends[mid] <= row)
                lo = mid + 1;
            else
                hi = mid;
        }
        size_t b = lo;
        g->first_block = (int32_t)b;
        for (int64_t i = 0; i < rows; i++, row++) {
            if (row < cp->ends[b]) continue;
            while (b + 1 < cp->n_ends && cp->ends[b] <= row) b++;
            if (scan->n_sep == scan->cap_sep) {
                size_t cap = scan->cap_sep ? 2 * scan->cap_sep : 16;
                size_t *sp = realloc(scan->sep_before, cap * sizeof *sp);
                if (!sp) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
                scan->sep_before = sp;
                scan->cap_sep = cap;
            }
            scan->sep_before[scan->n_sep++] = (size_t)i;
        }
        g->last_block = (int32_t)b;
    }
    if (cp->col_block >= 0 && rows > 0) {
        const int32_t *b = g->cols[3].values;
        g->first_block = b[0];
        g->last_block = b[rows - 1];
        for (int64_t i = 1; i < rows; i++) {
            if (b[i] == b[i - 1]) continue;
            if (scan->n_sep == scan->cap_sep) {
                size_t cap = scan->cap_sep ? 2 * scan->cap_sep : 16;
                size_t *s = realloc(scan->sep_before, cap * sizeof *s);
                if (!s) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
                scan->sep_before = s;
                scan->cap_sep = cap;
            }
            scan->sep_before[scan->n_sep++] = (size_t)i;
        }
    }
    return 0;
}

void csfs_csf_group_free(csfs_csf_group *g)
{
    for (int k = 0; k < 4; k++) pq_column_data_free(&g->cols[k]);
}
