#include "listtools/rec_stream.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/json_array.h"
#include "grasp/csf_parquet.h"
#include "grasp/csf_serial.h"
#include "grasp/header_toml.h"

struct csfs_rec_stream {
    int is_parquet;
    char *name;
    /* text: the serial record reader */
    csfs_serial *text;
    /* parquet */
    csfs_csf_parquet pq;
    csfs_csf_group group;
    size_t next_group;
    int32_t prev_block;     /* block id of the previous row (block column) */
    int by_lengths;         /* blocks from lengths (else the block column, or one block) */
    uint64_t *kv_blocks;    /* csfs.block_lengths (owned) */
    const uint64_t *blocks; /* the block lengths in use */
    size_t n_blocks, block; /* current block */
    uint64_t left;          /* rows left in it */
    csfs_header_toml toml;  /* an explicit header TOML */
    int has_toml;
    /* both */
    csfs_chunk_scan scan;
    size_t pos, sep; /* next record / separator of the scan */
    int loaded, at_end;
    uint64_t pending; /* separators not yet handed out */
    uint64_t csfs;
    csfs_header header; /* the header in use (borrowed pointers) */
};

int csfs_rec_stream_open(const char *path, const char *header_toml, csfs_rec_stream **out,
                         csfs_error *err)
{
    *out = NULL;
    csfs_rec_stream *s = calloc(1, sizeof *s);
    if (!s) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    int rc = 0;
    const csfs_header *h = NULL;
    if (csfs_is_parquet_file(path)) {
        s->is_parquet = 1;
        rc = csfs_csf_parquet_open(path, &s->pq, err);
        if (rc == 0 && header_toml) {
            rc = csfs_header_toml_read(header_toml, &s->toml, err);
            s->has_toml = rc == 0;
        }
        if (rc == 0) {
            if (s->has_toml) {
                for (int i = 0; i < CSFS_HEADER_LINES; i++) {
                    s->header.lines[i] = s->toml.lines[i];
                    s->header.lens[i] = s->toml.lens[i];
                }
                h = &s->header;
            } else if (s->pq.has_header) {
                h = &s->pq.header;
            } else {
                rc = csfs_fail(err, CSFS_E_FORMAT,
                               "%s: no GRASP header (no csfs metadata and no header TOML beside "
                               "it): give the header TOML",
                               path);
            }
        }
        /* Blocks: the given TOML's lengths, else csfs' metadata (which keeps
         * empty blocks a block column cannot show), else the block column,
         * else the TOML beside the file (rCSFs), else one block. */
        const char *kv = rc == 0 ? pq_file_kv_lookup(s->pq.file, "csfs.block_lengths") : NULL;
        if (rc == 0 && s->has_toml && s->toml.has_block_info) {
            s->blocks = s->toml.block_lengths;
            s->n_blocks = s->toml.n_blocks;
            s->by_lengths = 1;
        } else if (rc == 0 && kv) {
            char what[600];
            snprintf(what, sizeof what, "%s: csfs.block_lengths", path);
            rc = csfs_json_parse_u64_array(kv, strlen(kv), what, &s->kv_blocks, &s->n_blocks, err);
            s->blocks = s->kv_blocks;
            s->by_lengths = s->n_blocks > 0;
        } else if (rc == 0 && s->pq.col_block < 0 && s->pq.toml_blocks) {
            s->blocks = s->pq.toml_blocks;
            s->n_blocks = s->pq.n_toml_blocks;
            s->by_lengths = 1;
        }
        s->left = s->n_blocks ? s->blocks[0] : UINT64_MAX;
        if (rc == 0) s->name = strdup(pq_file_name(s->pq.file));
    } else {
        rc = csfs_serial_open(path, NULL, &s->text, err);
        if (rc == 0) {
            h = csfs_serial_header(s->text);
            s->name = strdup(csfs_serial_name(s->text));
        }
    }
    if (rc == 0 && !s->name) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    if (rc) {
        csfs_rec_stream_close(s);
        return rc;
    }
    if (h != &s->header) s->header = *h;
    *out = s;
    return 0;
}

const csfs_header *csfs_rec_stream_header(const csfs_rec_stream *s)
{
    return &s->header;
}

const char *csfs_rec_stream_name(const csfs_rec_stream *s)
{
    return s->name;
}

uint64_t csfs_rec_stream_odd_separators(const csfs_rec_stream *s)
{
    return s->is_parquet ? 0 : csfs_serial_odd_separators(s->text);
}

/* A text record: the serial reader's. */
static int next_text(csfs_rec_stream *s, csfs_rec *r, int *got, csfs_error *err)
{
    int rc = csfs_serial_next(s->text, r, err);
    if (rc < 0) return rc;
    *got = rc;
    s->csfs = r->index + (uint64_t)rc;
    return 0;
}

static int load_group(csfs_rec_stream *s, csfs_error *err)
{
    if (s->next_group >= pq_file_num_row_groups(s->pq.file)) {
        s->at_end = 1;
        return 0;
    }
    int rc = csfs_csf_parquet_read_group(&s->pq, s->next_group, &s->group, &s->scan, err);
    if (rc) return rc;
    s->next_group++;
    s->scan.n_sep = 0; /* separators are counted from the block ids below */
    s->loaded = 1;
    s->pos = s->sep = 0;
    return 0;
}

/* Separators before Parquet row s->pos of the group. */
static int parquet_seps(csfs_rec_stream *s, uint64_t *seps, csfs_error *err)
{
    *seps = 0;
    if (!s->by_lengths && s->pq.col_block >= 0) {
        int32_t b = ((const int32_t *)s->group.cols[3].values)[s->pos];
        int32_t prev = s->csfs == 0 ? 0 : s->prev_block;
        if (b < prev)
            return csfs_fail(err, CSFS_E_FORMAT,
                             "%s: row %llu: block %d after block %d (blocks must not decrease)",
                             s->name, (unsigned long long)s->csfs, (int)b, (int)prev);
        *seps = (uint64_t)(b - prev);
        s->prev_block = b;
        return 0;
    }
    if (!s->by_lengths) return 0;
    while (s->left == 0) {
        if (s->block + 1 >= s->n_blocks)
            return csfs_fail(err, CSFS_E_FORMAT,
                             "%s: row %llu: more rows than the header TOML's block lengths",
                             s->name, (unsigned long long)s->csfs);
        s->block++;
        s->left = s->blocks[s->block];
        (*seps)++;
    }
    s->left--;
    return 0;
}

int csfs_rec_stream_next(csfs_rec_stream *s, csfs_rec *r, int *got, csfs_error *err)
{
    *got = 0;
    if (!s->is_parquet) return next_text(s, r, got, err);
    for (;;) {
        if (s->loaded && s->pos < s->scan.n_rec) break;
        if (s->loaded) { /* separators after the chunk's last record */
            s->pending += s->scan.n_sep - s->sep;
            s->sep = s->scan.n_sep;
        }
        if (s->at_end) break;
        int rc = load_group(s, err);
        if (rc) return rc;
    }
    if (!s->loaded || s->pos >= s->scan.n_rec) { /* the end */
        if (s->by_lengths) {
            while (s->block + 1 < s->n_blocks) { /* empty blocks at the end */
                s->block++;
                s->pending++;
            }
            if (s->left != 0)
                return csfs_fail(err, CSFS_E_FORMAT,
                                 "%s: %llu rows, fewer than the header TOML's block lengths",
                                 s->name, (unsigned long long)s->csfs);
        }
        memset(r, 0, sizeof *r);
        r->seps_before = s->pending;
        r->index = s->csfs;
        s->pending = 0;
        return 0;
    }
    uint64_t seps = 0;
    int rc = parquet_seps(s, &seps, err);
    if (rc) return rc;
    csfs_record_lines(&s->scan, NULL, s->pos, r->line, r->len);
    r->index = s->csfs;
    r->line_no = 0;
    r->seps_before = s->pending + seps;
    s->pending = 0;
    s->pos++;
    s->csfs++;
    *got = 1;
    return 0;
}

void csfs_rec_where(const csfs_rec_stream *s, const csfs_rec *r, char *out, size_t cap)
{
    if (r->line_no)
        snprintf(out, cap, "%s:%llu", s->name, (unsigned long long)r->line_no);
    else
        snprintf(out, cap, "%s: row %llu", s->name, (unsigned long long)r->index);
}

void csfs_rec_stream_close(csfs_rec_stream *s)
{
    if (!s) return;
    if (s->is_parquet) {
        csfs_csf_group_free(&s->group);
        csfs_csf_parquet_close(&s->pq);
        s->scan.cols = NULL;
    } else {
        csfs_serial_close(s->text);
    }
    if (s->has_toml) csfs_header_toml_free(&s->toml);
    free(s->kv_blocks);
    csfs_chunk_scan_free(&s->scan);
    free(s->name);
    free(s);
}
