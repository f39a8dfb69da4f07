/* GRASP mixing files: the record order of GRASP-MIXING.md 3 over csfs_frec. */
#include "mixing/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "mixing/record.h"

typedef unsigned long long ull;

struct csfs_mix_reader {
    csfs_frec rec;
    csfs_mix_header header;
    csfs_mix_block block;
    int have_block; /* block holds the current stored block */
    int at_end;
    int32_t *ivec;
    double *eval;
    size_t level_cap;
    int32_t last_jblock; /* 0 before the first block */
    uint64_t blocks_read, sum_ncf, sum_nev, sum_coef;
    char what[128]; /* the open record, for messages */
};

static const char KIND[] = "a GRASP mixing-coefficient file (.m/.cm)";

static int read_ints(csfs_mix_reader *r, int32_t *v, size_t n, const char *what, csfs_error *err)
{
    int rc = csfs_frec_begin(&r->rec, 4 * (uint64_t)n, what, err);
    if (rc == 0) rc = csfs_frec_read_i32(&r->rec, v, n, err);
    if (rc == 0) rc = csfs_frec_end(&r->rec, err);
    return rc;
}

static int check_header(csfs_mix_reader *r, csfs_error *err)
{
    const csfs_mix_header *h = &r->header;
    const char *name = r->rec.name;
    const struct {
        const char *label;
        int32_t v;
    } counts[] = {{"NELEC", h->nelec},
                  {"NCFTOT", h->ncftot},
                  {"NW", h->nw},
                  {"NVECTOT", h->nvectot},
                  {"NBLOCK", h->nblock}};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
        if (counts[i].v < 0)
            return csfs_fail(err, CSFS_E_FORMAT, "%s: header record (R1): %s = %d is negative",
                             name, counts[i].label, counts[i].v);
    /* NVECSIZ is a default INTEGER in GRASP and wraps for very large runs:
     * the true count is at least its value read as unsigned. Each level
     * needs at least 12 bytes (IVEC + EVAL), each coefficient 8. */
    uint64_t coef = (uint32_t)h->nvecsiz;
    uint64_t least = 12 * (uint64_t)h->nvectot + 8 * coef;
    uint64_t left = csfs_frec_remaining(&r->rec);
    if (least > left)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: truncated file: the header announces NVECTOT = %d levels and "
                         "NVECSIZ = %llu coefficients (at least %llu bytes), but only %llu bytes "
                         "follow it",
                         name, h->nvectot, (ull)coef, (ull)least, (ull)left);
    return 0;
}

static int open_common(csfs_mix_reader *r, csfs_error *err)
{
    int rc = csfs_frec_detect(&r->rec, "G92MIX", 6, KIND, err);
    int32_t v[6];
    if (rc == 0) rc = read_ints(r, v, 6, "the header record (R1)", err);
    if (rc) return rc;
    r->header = (csfs_mix_header){v[0], v[1], v[2], v[3], v[4], v[5]};
    return check_header(r, err);
}

int csfs_mix_open(const char *path, csfs_mix_reader **out, csfs_error *err)
{
    *out = NULL;
    csfs_mix_reader *r = calloc(1, sizeof *r);
    if (!r) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    int rc = csfs_frec_open_file(&r->rec, path, err);
    if (rc) {
        free(r);
        return rc;
    }
    rc = open_common(r, err);
    if (rc) {
        csfs_mix_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

int csfs_mix_open_memory(const void *data, size_t size, const char *name, csfs_mix_reader **out,
                         csfs_error *err)
{
    *out = NULL;
    csfs_mix_reader *r = calloc(1, sizeof *r);
    if (!r) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    int rc = csfs_frec_open_memory(&r->rec, data, size, name, err);
    if (rc) {
        free(r);
        return rc;
    }
    rc = open_common(r, err);
    if (rc) {
        csfs_mix_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

void csfs_mix_close(csfs_mix_reader *r)
{
    if (!r) return;
    csfs_frec_close(&r->rec);
    free(r->ivec);
    free(r->eval);
    free(r);
}

const csfs_mix_header *csfs_mix_get_header(const csfs_mix_reader *r)
{
    return &r->header;
}

const char *csfs_mix_name(const csfs_mix_reader *r)
{
    return r->rec.name;
}

uint64_t csfs_mix_file_size(const csfs_mix_reader *r)
{
    return r->rec.size;
}

int csfs_mix_marker_bytes(const csfs_mix_reader *r)
{
    return r->rec.marker_bytes;
}

int csfs_mix_big_endian(const csfs_mix_reader *r)
{
    return r->rec.big_endian;
}

const char *csfs_mix_format(const csfs_mix_reader *r)
{
    return csfs_frec_describe(&r->rec);
}

/* Skips what the caller did not read of the current block's coefficients. */
static int leave_block(csfs_mix_reader *r, csfs_error *err)
{
    csfs_mix_block *b = &r->block;
    r->have_block = 0;
    if (b->nev == 0 || b->levels_read == b->nev) return 0;
    uint64_t left = (uint64_t)(b->nev - b->levels_read) * (uint64_t)b->ncf * 8;
    int rc = csfs_frec_skip(&r->rec, left, err);
    if (rc == 0) rc = csfs_frec_end(&r->rec, err);
    b->levels_read = b->nev;
    return rc;
}

/* The header's totals against what the file held: the only way to notice a
 * file cut exactly at a block boundary. */
static int check_totals(csfs_mix_reader *r, csfs_error *err)
{
    const csfs_mix_header *h = &r->header;
    const char *name = r->rec.name;
    if (r->sum_nev != (uint64_t)h->nvectot)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: the file ends after %llu stored block%s holding %llu levels, but "
                         "the header says NVECTOT = %d levels: truncated file?",
                         name, (ull)r->blocks_read, r->blocks_read == 1 ? "" : "s", (ull)r->sum_nev,
                         h->nvectot);
    if ((uint32_t)r->sum_coef != (uint32_t)h->nvecsiz)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: the file ends after %llu stored block%s holding %llu coefficients, "
                         "but the header says NVECSIZ = %d: truncated file?",
                         name, (ull)r->blocks_read, r->blocks_read == 1 ? "" : "s",
                         (ull)r->sum_coef, h->nvecsiz);
    if (r->blocks_read == (uint64_t)h->nblock && r->sum_ncf != (uint64_t)h->ncftot)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: all NBLOCK = %d blocks are stored, but their NCF add up to %llu, "
                         "not NCFTOT = %d",
                         name, h->nblock, (ull)r->sum_ncf, h->ncftot);
    return 0;
}

/* B1 counts that do not depend on the CSF list. */
static int check_block_record(csfs_mix_reader *r, csfs_error *err)
{
    const csfs_mix_block *b = &r->block;
    const csfs_mix_header *h = &r->header;
    const char *name = r->rec.name;
    ull at = (ull)b->offset;
    if (b->jblock < 1 || b->jblock > h->nblock)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: block record at byte %llu: JBLOCK = %d, but the header says "
                         "NBLOCK = %d",
                         name, at, b->jblock, h->nblock);
    if (b->jblock <= r->last_jblock)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: block record at byte %llu: JBLOCK = %d after block %d (blocks are "
                         "stored in increasing order)",
                         name, at, b->jblock, r->last_jblock);
    if (b->ncf < 0 || b->nev < 0)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: block %d (record at byte %llu): %s = %d is negative", name, b->jblock,
                         at, b->ncf < 0 ? "NCF" : "NEV", b->ncf < 0 ? b->ncf : b->nev);
    if (b->nev > b->ncf)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: block %d (record at byte %llu): NEV = %d levels, more than its "
                         "NCF = %d CSFs",
                         name, b->jblock, at, b->nev, b->ncf);
    if (r->sum_ncf + (uint64_t)b->ncf > (uint64_t)h->ncftot)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: block %d (record at byte %llu): NCF = %d brings the stored CSFs to "
                         "%llu, more than NCFTOT = %d",
                         name, b->jblock, at, b->ncf, (ull)(r->sum_ncf + (uint64_t)b->ncf),
                         h->ncftot);
    if (b->nev > 0 && b->iatjpo < 1)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: block %d (record at byte %llu): 2J+1 = %d (IATJPO) is not positive",
                         name, b->jblock, at, b->iatjpo);
    if (b->nev > 0 && b->iaspar != 1 && b->iaspar != -1)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: block %d (record at byte %llu): parity IASPAR = %d, expected +1 or "
                         "-1",
                         name, b->jblock, at, b->iaspar);
    /* Everything the block still needs must be in the file before a byte
     * is allocated for it; the coefficient count is bounded first so that
     * the byte count cannot overflow. */
    if (b->nev == 0) return 0;
    uint64_t left = csfs_frec_remaining(&r->rec);
    uint64_t coef = (uint64_t)b->ncf * (uint64_t)b->nev;
    uint64_t need = 0;
    if (coef <= left / 8)
        need = csfs_frec_framed(&r->rec, 4 * (uint64_t)b->nev) +
               csfs_frec_framed(&r->rec, 8 * ((uint64_t)b->nev + 1)) +
               csfs_frec_framed(&r->rec, 8 * coef);
    if (coef > left / 8 || need > left)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: block %d (record at byte %llu): NEV = %d levels of NCF = %d CSFs "
                         "need %llu coefficients (%s%llu bytes), but only %llu bytes remain "
                         "(file size %llu): truncated file or corrupt counts",
                         name, b->jblock, at, b->nev, b->ncf, (ull)coef,
                         coef > left / 8 ? "over " : "", (ull)(coef > left / 8 ? left : need),
                         (ull)left, (ull)r->rec.size);
    return 0;
}

static int read_levels(csfs_mix_reader *r, csfs_error *err)
{
    csfs_mix_block *b = &r->block;
    size_t nev = (size_t)b->nev;
    if (nev > r->level_cap) {
        int32_t *iv = realloc(r->ivec, nev * sizeof *iv);
        if (iv) r->ivec = iv;
        double *ev = realloc(r->eval, nev * sizeof *ev);
        if (ev) r->eval = ev;
        if (!iv || !ev) return csfs_fail(err, CSFS_E_NOMEM, "out of memory for %zu levels", nev);
        r->level_cap = nev;
    }
    snprintf(r->what, sizeof r->what, "the IVEC record (B2) of block %d", b->jblock);
    int rc = read_ints(r, r->ivec, nev, r->what, err);
    if (rc) return rc;
    for (size_t k = 0; k < nev; k++)
        if (r->ivec[k] < 1 || r->ivec[k] > b->ncf)
            return csfs_fail(err, CSFS_E_FORMAT,
                             "%s: block %d: IVEC(%zu) = %d is outside 1..NCF = %d", r->rec.name,
                             b->jblock, k + 1, r->ivec[k], b->ncf);
    snprintf(r->what, sizeof r->what, "the energy record (B3) of block %d", b->jblock);
    rc = csfs_frec_begin(&r->rec, 8 * ((uint64_t)nev + 1), r->what, err);
    if (rc == 0) rc = csfs_frec_read_f64(&r->rec, &b->eav, 1, err);
    if (rc == 0) rc = csfs_frec_read_f64(&r->rec, r->eval, nev, err);
    if (rc == 0) rc = csfs_frec_end(&r->rec, err);
    if (rc) return rc;
    b->ivec = r->ivec;
    b->eval = r->eval;
    /* B4 stays open: csfs_mix_read_level consumes it one level at a time. */
    snprintf(r->what, sizeof r->what, "the coefficient record (B4) of block %d", b->jblock);
    return csfs_frec_begin(&r->rec, 8 * (uint64_t)b->ncf * nev, r->what, err);
}

int csfs_mix_next_block(csfs_mix_reader *r, const csfs_mix_block **out, csfs_error *err)
{
    *out = NULL;
    if (r->at_end) return 0;
    int rc = r->have_block ? leave_block(r, err) : 0;
    if (rc) return rc;
    if (csfs_frec_remaining(&r->rec) == 0) {
        r->at_end = 1;
        return check_totals(r, err);
    }
    csfs_mix_block *b = &r->block;
    memset(b, 0, sizeof *b);
    b->offset = r->rec.pos;
    if (r->last_jblock)
        snprintf(r->what, sizeof r->what, "the block record (B1) after block %d", r->last_jblock);
    else
        snprintf(r->what, sizeof r->what, "the first block record (B1)");
    int32_t v[5];
    rc = read_ints(r, v, 5, r->what, err);
    if (rc) return rc;
    b->jblock = v[0];
    b->ncf = v[1];
    b->nev = v[2];
    b->iatjpo = v[3];
    b->iaspar = v[4];
    rc = check_block_record(r, err);
    if (rc == 0 && b->nev > 0) rc = read_levels(r, err);
    if (rc) return rc;
    r->last_jblock = b->jblock;
    r->blocks_read++;
    r->sum_ncf += (uint64_t)b->ncf;
    r->sum_nev += (uint64_t)b->nev;
    r->sum_coef += (uint64_t)b->ncf * (uint64_t)b->nev;
    r->have_block = 1;
    *out = b;
    return 1;
}

int csfs_mix_read_level(csfs_mix_reader *r, double *dst, csfs_error *err)
{
    csfs_mix_block *b = &r->block;
    if (!r->have_block || b->levels_read >= b->nev)
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: no level left to read in block %d", r->rec.name,
                         b->jblock);
    int rc = csfs_frec_read_f64(&r->rec, dst, (size_t)b->ncf, err);
    if (rc) return rc;
    if (++b->levels_read == b->nev) rc = csfs_frec_end(&r->rec, err);
    return rc;
}

int32_t csfs_mix_block_two_j(const csfs_mix_block *b)
{
    return b->nev > 0 ? b->iatjpo - 1 : -1;
}

char csfs_mix_block_parity(const csfs_mix_block *b)
{
    if (b->nev <= 0) return '?';
    return b->iaspar > 0 ? '+' : '-';
}

const char *csfs_format_j(int32_t two_j, char *buf, size_t cap)
{
    if (two_j < 0)
        snprintf(buf, cap, "?");
    else if (two_j % 2)
        snprintf(buf, cap, "%d/2", two_j);
    else
        snprintf(buf, cap, "%d", two_j / 2);
    return buf;
}
