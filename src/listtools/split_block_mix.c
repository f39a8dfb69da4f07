/*
 * rasfsplit's mixing-file part (rasfsplit.f90:170-225): "<name>.m" and
 * "<name>.cm", when present, are split like the list, one file per block
 * ("<name>_even1.m" ...), each a complete one-block mixing file:
 *   R0 'G92MIX'; R1 NELEC, NCF, NW, NEV, NCF*NEV, 1; B1 1, NCF, NEV, IATJPO,
 *   IASPAR; and when NEV > 0 B2 IVEC, B3 EAV and EVAL, B4 the coefficients
 * (one record), with the input's record markers and byte order.
 * GRASP pairs the i-th *stored* block with the i-th list block, which is
 * wrong for rmcdhf files that leave blocks out; csfs pairs them by JBLOCK and
 * writes no mixing file for a block the file does not store (reported).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "io/outset.h"
#include "listtools/split_block_mix.h"
#include "mixing/reader.h"

typedef struct recw {
    csfs_outset *out;
    size_t file;
    int marker, big;
} recw;

static void put_u(unsigned char *p, uint64_t v, int n, int big)
{
    for (int i = 0; i < n; i++) p[big ? n - 1 - i : i] = (unsigned char)(v >> (8 * i));
}

static int marker(recw *w, uint64_t len, csfs_error *err)
{
    unsigned char m[8];
    put_u(m, len, w->marker, w->big);
    return csfs_outset_write(w->out, w->file, m, (size_t)w->marker, err);
}

static int ints(recw *w, const int32_t *v, size_t n, csfs_error *err)
{
    int rc = marker(w, 4 * n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        unsigned char b[4];
        put_u(b, (uint32_t)v[i], 4, w->big);
        rc = csfs_outset_write(w->out, w->file, b, 4, err);
    }
    return rc ? rc : marker(w, 4 * n, err);
}

static int doubles(recw *w, const double *v, size_t n, csfs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &v[i], 8);
        unsigned char b[8];
        put_u(b, u, 8, w->big);
        int rc = csfs_outset_write(w->out, w->file, b, 8, err);
        if (rc) return rc;
    }
    return 0;
}

int csfs_split_block_mix(const char *mix_path, const char *ext, const char *const *c_paths,
                         const uint64_t *block_csfs, size_t n_blocks, csfs_outset *out,
                         size_t *written, char *note, size_t note_cap, csfs_error *err)
{
    *written = 0;
    note[0] = 0;
    csfs_mix_reader *r;
    int rc = csfs_mix_open(mix_path, &r, err);
    if (rc) return rc;
    const csfs_mix_header *h = csfs_mix_get_header(r);
    recw w = {out, 0, csfs_mix_marker_bytes(r), csfs_mix_big_endian(r)};
    if (h->nblock != (int32_t)n_blocks)
        rc = csfs_fail(err, CSFS_E_FORMAT,
                       "%s: NBLOCK = %d, but the list has %zu blocks: it is not this list's "
                       "mixing file",
                       mix_path, (int)h->nblock, n_blocks);
    double *level = NULL;
    size_t missing = n_blocks;
    const csfs_mix_block *b;
    while (rc == 0 && (rc = csfs_mix_next_block(r, &b, err)) == 1) {
        rc = 0;
        size_t k = (size_t)b->jblock - 1;
        if (b->jblock < 1 || k >= n_blocks || (uint64_t)b->ncf != block_csfs[k]) {
            rc = csfs_fail(err, CSFS_E_FORMAT,
                           "%s: block %d has NCF = %d, but the list's block %d has %llu CSFs",
                           mix_path, (int)b->jblock, (int)b->ncf, (int)b->jblock,
                           k < n_blocks ? (unsigned long long)block_csfs[k] : 0ull);
            break;
        }
        uint64_t coef = (uint64_t)b->ncf * (uint64_t)(b->nev > 0 ? b->nev : 0);
        if (8 * coef > 0x7fffffffu) {
            rc = csfs_fail(err, CSFS_E_UNSUPPORTED,
                           "%s: block %d: %llu coefficients, more than one record holds", mix_path,
                           (int)b->jblock, (unsigned long long)coef);
            break;
        }
        char path[8192];
        size_t n = strlen(c_paths[k]);
        snprintf(path, sizeof path, "%.*s%s", (int)(n - 2), c_paths[k], ext);
        if ((rc = csfs_outset_add(out, path, &w.file, err))) break;
        missing--;
        (*written)++;
        /* R0, R1, B1 as GRASP writes them for a one-block file. */
        rc = marker(&w, 6, err);
        if (rc == 0) rc = csfs_outset_write(out, w.file, "G92MIX", 6, err);
        if (rc == 0) rc = marker(&w, 6, err);
        int32_t nev = b->nev;
        int32_t r1[6] = {h->nelec, b->ncf, h->nw, nev, (int32_t)(b->ncf * (nev > 0 ? nev : 0)), 1};
        int32_t b1[5] = {1, b->ncf, nev, b->iatjpo, b->iaspar};
        if (rc == 0) rc = ints(&w, r1, 6, err);
        if (rc == 0) rc = ints(&w, b1, 5, err);
        if (rc || nev <= 0) continue;
        if ((rc = ints(&w, b->ivec, (size_t)nev, err))) break;
        if ((rc = marker(&w, 8 * ((uint64_t)nev + 1), err)) ||
            (rc = doubles(&w, &b->eav, 1, err)) || (rc = doubles(&w, b->eval, (size_t)nev, err)) ||
            (rc = marker(&w, 8 * ((uint64_t)nev + 1), err)))
            break;
        double *l = realloc(level, (size_t)b->ncf * sizeof *l + 8);
        if (!l) {
            rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
            break;
        }
        level = l;
        if ((rc = marker(&w, 8 * coef, err))) break;
        for (int32_t v = 0; rc == 0 && v < nev; v++) {
            rc = csfs_mix_read_level(r, level, err);
            if (rc == 0) rc = doubles(&w, level, (size_t)b->ncf, err);
        }
        if (rc == 0) rc = marker(&w, 8 * coef, err);
    }
    if (rc == 0 && missing)
        snprintf(note, note_cap,
                 "%s stores %zu of the list's %zu blocks: no %s file for the others (GRASP "
                 "would pair the stored blocks with the first list blocks)",
                 mix_path, n_blocks - missing, n_blocks, ext);
    free(level);
    csfs_mix_close(r);
    return rc;
}
