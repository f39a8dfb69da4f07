/*
 * A mixing file against its CSF list (GRASP-MIXING.md 5): the file must come
 * from a run on this very list, otherwise rows and coefficients would be
 * paired wrongly without any visible sign. Each message says which number
 * differs, in which block, and both values.
 */
#include <stdio.h>

#include "common/error.h"
#include "mixing/reader.h"

typedef unsigned long long ull;

int csfs_mix_check_header(const csfs_mix_reader *r, const csfs_mix_list *l, csfs_error *err)
{
    const csfs_mix_header *h = csfs_mix_get_header(r);
    if ((uint64_t)h->ncftot != l->csf_count)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: does not match the CSF list %s: NCFTOT = %d CSFs in the mixing "
                         "file, but the list has %llu",
                         csfs_mix_name(r), l->name, h->ncftot, (ull)l->csf_count);
    if ((uint64_t)h->nblock != l->n_blocks)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: does not match the CSF list %s: NBLOCK = %d blocks in the mixing "
                         "file, but the list has %zu",
                         csfs_mix_name(r), l->name, h->nblock, l->n_blocks);
    return 0;
}

int csfs_mix_check_block(const csfs_mix_reader *r, const csfs_mix_block *b, const csfs_mix_list *l,
                         csfs_error *err)
{
    size_t i = (size_t)b->jblock - 1; /* the reader keeps 1 <= JBLOCK <= NBLOCK */
    if (b->jblock < 1 || i >= l->n_blocks)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: does not match the CSF list %s: block %d is stored, but the list "
                         "has %zu blocks",
                         csfs_mix_name(r), l->name, b->jblock, l->n_blocks);
    if ((uint64_t)b->ncf != l->block_lengths[i])
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: does not match the CSF list %s: block %d has NCF = %d CSFs in the "
                         "mixing file, but %llu in the list",
                         csfs_mix_name(r), l->name, b->jblock, b->ncf, (ull)l->block_lengths[i]);
    /* rci writes 999 for J and parity of blocks without levels: nothing to check. */
    if (b->nev == 0 || l->two_j[i] < 0 || l->parity[i] == 0) return 0;
    int32_t two_j = csfs_mix_block_two_j(b);
    int8_t parity = b->iaspar > 0 ? 1 : -1;
    if (two_j == l->two_j[i] && parity == l->parity[i]) return 0;
    char jf[16], jl[16], where[64] = "";
    if (l->jp_line[i]) snprintf(where, sizeof where, " (line %llu)", (ull)l->jp_line[i]);
    return csfs_fail(err, CSFS_E_FORMAT,
                     "%s: does not match the CSF list %s: block %d is J = %s%c in the mixing "
                     "file (2J+1 = %d, parity %+d), but %s%c in the list%s",
                     csfs_mix_name(r), l->name, b->jblock, csfs_format_j(two_j, jf, sizeof jf),
                     parity > 0 ? '+' : '-', b->iatjpo, b->iaspar,
                     csfs_format_j(l->two_j[i], jl, sizeof jl), l->parity[i] > 0 ? '+' : '-',
                     where);
}
