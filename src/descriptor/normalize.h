/* Normalised (float32) descriptors: shared/spec/DESCRIPTORS.md, "Normalised". */
#ifndef CSFS_NORMALIZE_H
#define CSFS_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

#include "descriptor/v1.h"

/* Electrons a subshell holds, from the letter part of its name ("4d-" -> 4,
 * "5s" -> 2), or 0 when the name has none the rCSFs table knows. */
int32_t csfs_subshell_capacity(const char *name);

/* Writes the normalised row of the CSF parsed in ctx (see csfs_desc_store). */
csfs_csf_status csfs_normalize_store(csfs_desc_ctx *ctx, float *dst, size_t col_stride);

#endif
