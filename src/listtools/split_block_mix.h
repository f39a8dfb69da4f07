/* rasfsplit's mixing-file part: see split_block_mix.c. */
#ifndef CSFS_SPLIT_BLOCK_MIX_H
#define CSFS_SPLIT_BLOCK_MIX_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "io/outset.h"

/*
 * Splits the mixing file mix_path (ext ".m" or ".cm") of a list with
 * n_blocks blocks (block_csfs CSFs each) into one file per block, named as
 * c_paths[k] (the block's ".c" output) with ext instead of ".c", added to
 * out. *written: files added; note: a message for the report, or "".
 */
int csfs_split_block_mix(const char *mix_path, const char *ext, const char *const *c_paths,
                         const uint64_t *block_csfs, size_t n_blocks, csfs_outset *out,
                         size_t *written, char *note, size_t note_cap, csfs_error *err);

#endif
