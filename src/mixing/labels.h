/* Internals of the labels job (the public part is in csfs/mixing.h). */
#ifndef CSFS_MIX_LABELS_H
#define CSFS_MIX_LABELS_H

#include "common/buf.h"
#include "csfs.h"
#include "csfs/mixing.h"

/*
 * Reads every level of the current block, leaving per CSF i the largest
 * c^2 in ci2_max[i] and its 1-based level index in argmax[i] (ties: the
 * smallest). level is scratch of ncf doubles. When matrix is not NULL, level
 * k's coefficients are also kept at matrix[k * ncf .. (k+1) * ncf).
 */
int csfs_mix_block_maxima(csfs_mix_reader *r, const csfs_mix_block *b, double *level,
                          double *matrix, double *ci2_max, int32_t *argmax, csfs_error *err);

/* Builds the key-value metadata of a label file (see mixing/metadata.c). */
typedef struct csfs_mix_meta {
    size_t n;
    const char **keys;
    const char **values;
    csfs_buf storage;
    size_t *offsets;
    size_t cap;
} csfs_mix_meta;

int csfs_mix_meta_build(const csfs_mix_options *opt, const csfs_mix_levels *lv,
                        const csfs_mix_list *list, char *const *level_columns, csfs_mix_meta *meta,
                        csfs_error *err);
void csfs_mix_meta_free(csfs_mix_meta *meta);

#endif
