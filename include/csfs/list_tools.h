/*
 * csfs public API: GRASP2018's list tools, with GRASP's output bytes.
 *
 *   csfs_zerofirst_run      rcsfzerofirst: the zero-order CSFs of each block
 *                           first, then the block's other CSFs
 *   csfs_split_active_run   rcsfsplit: one list per active orbital set
 *   csfs_split_block_run    rasfsplit: one list per block (name_even1.c, ...)
 *
 * Inputs are any CSF list csfs reads (text, .zst/.gz, CSF Parquet); each tool
 * reads its inputs once, streaming (zerofirst holds one zero-order block in
 * memory, nothing of the big list). Outputs are GRASP text, written to
 * temporaries and published only when the whole run succeeded: all or none;
 * each tool can also write CSF Parquet and descriptor files of its lists
 * (`engine`: the bytes of csfs convert / csfs descriptors on the text).
 * Where GRASP misbehaves (array limits, silently dropped blocks, lines it
 * truncates) csfs does the sensible thing and says so on the report callback.
 */
#ifndef CSFS_LIST_TOOLS_H
#define CSFS_LIST_TOOLS_H

#include <stddef.h>
#include <stdint.h>

#include "csfs/common.h"
#include "csfs/engine_outputs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- rcsfzerofirst -------------------------------------------------------------- */

typedef struct csfs_zerofirst_options {
    const char *zero;        /* the zero-order list */
    const char *full;        /* the list to partition */
    const char *output;      /* GRASP text; NULL: none (engine outputs only) */
    const char *zero_header; /* header TOML of a CSF Parquet zero list (NULL: its own) */
    const char *full_header; /* the same for the full list */
    /* Write the full list's blocks beyond the zero list's last block (GRASP
     * drops them; csfs writes what GRASP writes and warns, unless this is set). */
    int keep_extra_blocks;
    /* Refuse lists with different block counts (rCSFs' partition_csfs). */
    int require_same_block_count;
    int force;                                      /* replace an existing output */
    void (*report)(void *ctx, const char *message); /* warnings; NULL: silent */
    void *report_ctx;
    const volatile int *cancel;
    csfs_engine_outputs engine; /* CSF Parquet / descriptors of the output (text_name: rcsf.out) */
    int threads;                /* engine outputs' threads (0: online CPUs) */
    /* GRASP reads CSF lines into 256-character records and writes them cut:
     * csfs does too (with a warning) unless this is set. */
    int keep_long_lines;
} csfs_zerofirst_options;

CSFS_API void csfs_zerofirst_options_init(csfs_zerofirst_options *o);

typedef struct csfs_zerofirst_block {
    uint64_t zero;      /* zero-order CSFs written (GRASP's "Zero-order Space") */
    uint64_t full;      /* CSFs of the full list's block read (GRASP's "Complete Space") */
    uint64_t first;     /* of these, written after the zero-order CSFs */
    uint64_t not_found; /* zero-order CSFs the full block does not hold */
} csfs_zerofirst_block;

typedef struct csfs_zerofirst_summary {
    uint64_t zero_csfs, full_csfs, output_csfs, first_order_csfs;
    uint64_t zero_blocks, full_blocks, output_blocks;
    uint64_t dropped_blocks, dropped_csfs; /* full blocks beyond the zero list's, not written */
    csfs_zerofirst_block *blocks;          /* per output block (csfs_zerofirst_summary_free) */
} csfs_zerofirst_summary;

/* Runs rcsfzerofirst. The summary (may be NULL) is filled on success. */
CSFS_API int csfs_zerofirst_run(const csfs_zerofirst_options *opt, csfs_zerofirst_summary *sum,
                                csfs_error *err);
CSFS_API void csfs_zerofirst_summary_free(csfs_zerofirst_summary *sum);

/* ---- rcsfsplit ----------------------------------------------------------------------- */

typedef struct csfs_active_set {
    const char *label;    /* file label: the output is <prefix><label>.c */
    const char *orbitals; /* "5s,4p,3d": the highest n per l (rcsfgenerate syntax) */
    const char *output;   /* explicit output path instead of <prefix><label>.c (NULL: named) */
} csfs_active_set;

typedef struct csfs_split_active_options {
    const char *input;        /* the list to split */
    const char *input_header; /* header TOML of a CSF Parquet input (NULL: its own) */
    /* Outputs are <dir>/<prefix><label>.c. prefix: GRASP's state name (NULL:
     * the input's name without .c/.parquet and .zst/.gz); dir: NULL = the
     * input's directory when prefix is NULL, else the current one. */
    const char *prefix;
    const char *dir;
    const csfs_active_set *sets;
    size_t n_sets;
    int force;
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    const volatile int *cancel;
    /* CSF Parquet / descriptors of each list written: "{}" in a name is the
     * list's path without .c (required). */
    csfs_engine_outputs engine;
    int threads; /* engine outputs' threads (0: online CPUs) */
    /* rcsfsplit reads CSF lines into 200-character strings and writes them
     * cut (and tests the cut first line): csfs does too, with a warning,
     * unless this is set. */
    int keep_long_lines;
} csfs_split_active_options;

CSFS_API void csfs_split_active_options_init(csfs_split_active_options *o);

typedef struct csfs_split_active_output {
    char *path;
    uint64_t csfs;
    uint64_t *block_lengths; /* CSFs per input block */
    size_t n_blocks;
} csfs_split_active_output;

typedef struct csfs_split_active_summary {
    uint64_t csf_count, block_count;
    csfs_split_active_output *outputs; /* one per set, in order */
    size_t n_outputs;
} csfs_split_active_summary;

CSFS_API int csfs_split_active_run(const csfs_split_active_options *opt,
                                   csfs_split_active_summary *sum, csfs_error *err);
CSFS_API void csfs_split_active_summary_free(csfs_split_active_summary *sum);

/*
 * GRASP's rcsfsplit dialog (the stdin it reads: state name, number of sets,
 * then per set the orbitals and the label) as options: input "<name>.c",
 * prefix "<name>", the sets, dir as given (NULL: the current directory, as
 * GRASP). The strings point into *storage and the sets into *sets (free()
 * both); name names the dialog in messages.
 */
CSFS_API int csfs_split_active_parse_dialog(const char *text, size_t len, const char *name,
                                            const char *dir, csfs_split_active_options *out,
                                            csfs_active_set **sets, char **storage,
                                            csfs_error *err);

/* ---- rasfsplit -------------------------------------------------------------------------- */

typedef struct csfs_split_block_options {
    const char *input;
    const char *input_header;
    const char *prefix; /* GRASP's "name"; NULL: input without .c (as for split_active) */
    const char *dir;    /* output directory (as for split_active) */
    int copy_w;         /* copy <input stem>.w to each <prefix>_even1.w ... (default 1) */
    int split_mixing;   /* split <input stem>.m and .cm, when present, likewise (default 1) */
    int force;
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    const volatile int *cancel;
    /* CSF Parquet / descriptors of each list written ("{}", required: its path
     * without .c). */
    csfs_engine_outputs engine;
    int threads; /* engine outputs' threads (0: online CPUs) */
    /* rasfsplit reads lines into 700-character strings and writes them cut:
     * csfs does too, with a warning, unless this is set. */
    int keep_long_lines;
} csfs_split_block_options;

CSFS_API void csfs_split_block_options_init(csfs_split_block_options *o);

typedef struct csfs_split_block_summary {
    uint64_t csf_count;
    size_t n_outputs; /* one per block */
    char **paths;
    uint64_t *csfs;
    int *parity; /* +1 even, -1 odd */
    int w_copied;
    size_t m_files, cm_files; /* mixing files written (.m, .cm) */
} csfs_split_block_summary;

CSFS_API int csfs_split_block_run(const csfs_split_block_options *opt,
                                  csfs_split_block_summary *sum, csfs_error *err);
CSFS_API void csfs_split_block_summary_free(csfs_split_block_summary *sum);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_LIST_TOOLS_H */
