/*
 * CI^2 labels from a mixing file, one row per CSF of its list in list order
 * (row i = CSF i = descriptor row i), and their Parquet output.
 *
 * Narrow (default) columns:
 *   row           int64  0-based CSF index in the list (separators skipped)
 *   block         int32  1-based block (JBLOCK)
 *   pos_in_block  int32  1-based position in the block
 *   nlev          int32  levels stored for the block (0: none, or block not in the file)
 *   ci2_max       double max over the block's stored levels of c^2 (0 when nlev = 0)
 *   level_argmax  int32  storage index k (1-based) of that maximum; -1 when nlev = 0;
 *                        ties go to the smallest k
 * Wide adds one double column per stored level, named J<J><parity>_L<IVEC(k)>
 * (e.g. "J1/2+_L3"): c^2 (or the signed coefficient) for the block's CSFs,
 * 0.0 for CSFs of other blocks (they do not contribute to that level).
 * Long replaces all this by one row per (CSF, stored level), in file order:
 *   row, block, pos_in_block, level (k), level_pos (IVEC(k)), energy, coefficient, ci2.
 *
 * Memory: narrow and long hold one level vector and the per-CSF maxima of
 * one block (NCF values each); wide holds one block's coefficient matrix,
 * because its row groups need every level of a row at once.
 */
#ifndef CSFS_MIX_LABELS_H
#define CSFS_MIX_LABELS_H

#include <stdint.h>

#include "csfs.h"
#include "mixing/levels.h"
#include "mixing/reader.h"

typedef enum csfs_mix_layout {
    CSFS_MIX_NARROW = 0,
    CSFS_MIX_WIDE = 1,
    CSFS_MIX_LONG = 2,
} csfs_mix_layout;

typedef enum csfs_mix_values {
    CSFS_MIX_VALUES_CI2 = 0,  /* c^2 */
    CSFS_MIX_VALUES_COEF = 1, /* signed coefficient c */
} csfs_mix_values;

typedef struct csfs_mix_options {
    const char *input;         /* .m / .cm */
    const char *csf_list;      /* CSF list: text (.zst/.gz too) or csfs Parquet */
    const csfs_mix_list *list; /* instead of csf_list: a list the caller built */
    const char *output;        /* .parquet */
    csfs_mix_layout layout;
    csfs_mix_values values;     /* columns of the wide layout */
    int force;                  /* replace an existing output */
    csfs_codec codec;           /* default ZSTD */
    int codec_level;            /* 0: codec default */
    int64_t row_group_rows;     /* 0: 1,048,576 (wide: fewer when the columns are many) */
    const volatile int *cancel; /* polled between levels; non-zero: CSFS_E_CANCELLED */
} csfs_mix_options;

void csfs_mix_options_init(csfs_mix_options *opt);

typedef struct csfs_mix_summary {
    uint64_t rows; /* rows written */
    uint64_t columns;
    uint64_t csf_count;     /* CSFs in the list */
    uint64_t list_blocks;   /* blocks in the list */
    uint64_t stored_blocks; /* blocks with records in the mixing file */
    uint64_t levels;        /* stored levels */
    uint64_t coefficients;  /* stored coefficients */
    uint64_t input_bytes;   /* size of the mixing file */
    int jp_checked;         /* J/parity of every block with levels compared to the list */
    char jp_note[256];      /* where J/parity came from, or why they were not checked */
    double seconds;
} csfs_mix_summary;

/*
 * Reads the mixing file and its CSF list, checks one against the other,
 * and writes the label table. The output appears only when complete (a
 * temporary renamed at the end); on any error nothing is left behind.
 */
int csfs_mix_labels_run(const csfs_mix_options *opt, csfs_mix_summary *summary, csfs_error *err);

/* Narrow labels in memory, csf_count entries each (for bindings). */
typedef struct csfs_mix_labels {
    uint64_t rows;
    int32_t *block, *pos_in_block, *nlev, *level_argmax;
    double *ci2_max;
} csfs_mix_labels;

/* From a freshly opened reader, checked against list. */
int csfs_mix_labels_compute(csfs_mix_reader *r, const csfs_mix_list *list, csfs_mix_labels *out,
                            csfs_error *err);
void csfs_mix_labels_free(csfs_mix_labels *labels);

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
