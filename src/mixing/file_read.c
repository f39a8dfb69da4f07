/* A whole mixing file in memory (csfs_mix_file_read): every stored block
 * with its levels and coefficient matrix, for bindings that hand them out. */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "csfs/mixing.h"

static int copy_block(csfs_mix_file *f, size_t *cap, csfs_mix_reader *r, const csfs_mix_block *b,
                      const volatile int *cancel, csfs_error *err)
{
    if (f->n_blocks == *cap) {
        size_t c = *cap ? 2 * *cap : 16;
        csfs_mix_file_block *grown = realloc(f->blocks, c * sizeof *grown);
        if (!grown) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        f->blocks = grown;
        *cap = c;
    }
    csfs_mix_file_block *c = &f->blocks[f->n_blocks++];
    memset(c, 0, sizeof *c);
    c->jblock = b->jblock;
    c->ncf = b->ncf;
    c->nev = b->nev;
    c->iatjpo = b->iatjpo;
    c->iaspar = b->iaspar;
    c->two_j = csfs_mix_block_two_j(b);
    c->parity = csfs_mix_block_parity(b);
    c->eav = b->eav;
    c->offset = b->offset;
    if (b->nev <= 0) return 0;
    /* The reader checked nev * ncf against the bytes left in the file. */
    size_t nev = (size_t)b->nev, ncf = (size_t)b->ncf, cells = nev * ncf;
    c->ivec = malloc(nev * sizeof *c->ivec);
    c->eval = malloc(nev * sizeof *c->eval);
    c->energies = malloc(nev * sizeof *c->energies);
    c->coef = malloc((cells ? cells : 1) * sizeof *c->coef);
    if (!c->ivec || !c->eval || !c->energies || !c->coef)
        return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory for block %d (%zu x %zu)",
                         csfs_mix_name(r), b->jblock, nev, ncf);
    for (size_t k = 0; k < nev; k++) {
        c->ivec[k] = b->ivec[k];
        c->eval[k] = b->eval[k];
        c->energies[k] = b->eav + b->eval[k]; /* as the level listing */
    }
    for (size_t k = 0; k < nev; k++) {
        if (cancel && *cancel)
            return csfs_fail(err, CSFS_E_CANCELLED, "%s: cancelled", csfs_mix_name(r));
        int rc = csfs_mix_read_level(r, c->coef + k * ncf, err);
        if (rc) return rc;
    }
    return 0;
}

int csfs_mix_file_read(const char *path, const volatile int *cancel, csfs_mix_file *out,
                       csfs_error *err)
{
    memset(out, 0, sizeof *out);
    csfs_error_clear(err);
    csfs_mix_reader *r;
    int rc = csfs_mix_open(path, &r, err);
    if (rc) return rc;
    out->header = *csfs_mix_get_header(r);
    out->format = csfs_mix_format(r);
    out->marker_bytes = csfs_mix_marker_bytes(r);
    out->big_endian = csfs_mix_big_endian(r);
    out->size = csfs_mix_file_size(r);
    size_t cap = 0;
    const csfs_mix_block *b;
    while ((rc = csfs_mix_next_block(r, &b, err)) == 1)
        if ((rc = copy_block(out, &cap, r, b, cancel, err)) != 0) break;
    csfs_mix_close(r);
    if (rc < 0) {
        csfs_mix_file_free(out);
        return rc;
    }
    return 0;
}

void csfs_mix_file_free(csfs_mix_file *f)
{
    for (size_t i = 0; i < f->n_blocks; i++) {
        free(f->blocks[i].ivec);
        free(f->blocks[i].eval);
        free(f->blocks[i].energies);
        free(f->blocks[i].coef);
    }
    free(f->blocks);
    memset(f, 0, sizeof *f);
}
