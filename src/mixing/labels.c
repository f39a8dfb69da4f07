/* Per-CSF CI^2 maxima over a block's levels, and narrow labels in memory. */
#include "mixing/labels.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

void csfs_mix_options_init(csfs_mix_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->layout = CSFS_MIX_NARROW;
    opt->values = CSFS_MIX_VALUES_CI2;
    opt->codec = CSFS_CODEC_ZSTD;
}

int csfs_mix_block_maxima(csfs_mix_reader *r, const csfs_mix_block *b, double *level,
                          double *matrix, double *ci2_max, int32_t *argmax, csfs_error *err)
{
    size_t ncf = (size_t)b->ncf;
    for (int32_t k = 0; k < b->nev; k++) {
        double *v = matrix ? matrix + (size_t)k * ncf : level;
        int rc = csfs_mix_read_level(r, v, err);
        if (rc) return rc;
        if (k == 0) {
            for (size_t i = 0; i < ncf; i++) {
                ci2_max[i] = v[i] * v[i];
                argmax[i] = 1;
            }
            continue;
        }
        for (size_t i = 0; i < ncf; i++) {
            double c2 = v[i] * v[i];
            if (c2 > ci2_max[i]) {
                ci2_max[i] = c2;
                argmax[i] = k + 1;
            }
        }
    }
    return 0;
}

void csfs_mix_labels_free(csfs_mix_labels *l)
{
    free(l->row);
    free(l->block);
    free(l->pos_in_block);
    free(l->nlev);
    free(l->level_argmax);
    free(l->ci2_max);
    memset(l, 0, sizeof *l);
}

int csfs_mix_labels_compute(csfs_mix_reader *r, const csfs_mix_list *list, csfs_mix_labels *out,
                            csfs_error *err)
{
    memset(out, 0, sizeof *out);
    int rc = csfs_mix_check_header(r, list, err);
    if (rc) return rc;
    size_t n = (size_t)list->csf_count, alloc = n ? n : 1;
    out->rows = n;
    out->row = malloc(alloc * sizeof *out->row);
    out->block = malloc(alloc * sizeof *out->block);
    out->pos_in_block = malloc(alloc * sizeof *out->pos_in_block);
    out->nlev = malloc(alloc * sizeof *out->nlev);
    out->level_argmax = malloc(alloc * sizeof *out->level_argmax);
    out->ci2_max = malloc(alloc * sizeof *out->ci2_max);
    if (!out->row || !out->block || !out->pos_in_block || !out->nlev || !out->level_argmax ||
        !out->ci2_max) {
        csfs_mix_labels_free(out);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory for %zu labels", n);
    }
    double *level = NULL;
    size_t level_cap = 0;
    const csfs_mix_block *sb = NULL;
    rc = csfs_mix_next_block(r, &sb, err);
    for (size_t b = 0; rc >= 0 && b < list->n_blocks; b++) {
        size_t first = (size_t)list->block_first[b], len = (size_t)list->block_lengths[b];
        const csfs_mix_block *cur = sb && sb->jblock == (int32_t)(b + 1) ? sb : NULL;
        int32_t nev = 0;
        if (cur) {
            rc = csfs_mix_check_block(r, cur, list, err);
            nev = cur->nev;
        }
        if (rc >= 0 && nev > 0 && len > level_cap) {
            free(level);
            level = malloc(len * sizeof *level);
            level_cap = level ? len : 0;
            if (!level) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        }
        if (rc >= 0 && nev > 0)
            rc = csfs_mix_block_maxima(r, cur, level, NULL, out->ci2_max + first,
                                       out->level_argmax + first, err);
        for (size_t i = 0; rc >= 0 && i < len; i++) {
            out->row[first + i] = (int64_t)(first + i);
            out->block[first + i] = (int32_t)(b + 1);
            out->pos_in_block[first + i] = (int32_t)(i + 1);
            out->nlev[first + i] = nev;
            if (nev == 0) {
                out->ci2_max[first + i] = 0.0;
                out->level_argmax[first + i] = -1;
            }
        }
        if (rc >= 0 && cur) rc = csfs_mix_next_block(r, &sb, err);
    }
    free(level);
    if (rc < 0) {
        csfs_mix_labels_free(out);
        return rc;
    }
    return 0;
}

int csfs_mix_labels_read(const char *mix_path, const char *list_path, const volatile int *cancel,
                         csfs_mix_labels *out, csfs_error *err)
{
    memset(out, 0, sizeof *out);
    csfs_error_clear(err);
    if (!mix_path || !list_path)
        return csfs_fail(err, CSFS_E_ARGUMENT, "a mixing file and its CSF list are needed");
    csfs_mix_list list;
    int rc = csfs_mix_list_read(list_path, &list, err);
    if (rc) return rc;
    if (cancel && *cancel) rc = csfs_fail(err, CSFS_E_CANCELLED, "%s: cancelled", mix_path);
    csfs_mix_reader *r = NULL;
    if (rc == 0) rc = csfs_mix_open(mix_path, &r, err);
    if (rc == 0) rc = csfs_mix_labels_compute(r, &list, out, err);
    csfs_mix_close(r);
    csfs_mix_list_free(&list);
    return rc;
}
