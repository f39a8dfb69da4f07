/*
 * csfs public API: GRASP2018's rcsfgenerate, byte for byte.
 *
 * The input is the rcsfgenerate dialog as typed on stdin (an
 * rcsfgenerate.log is valid too) or its TOML form:
 *
 *     order = "*"              # "*", "r", "s" or "u" (u: clist.ref)
 *     core = 3                 # 0 none, 1 He, 2 Ne, 3 Ar, 4 Kr, 5 Xe, 6 Rn
 *     [[list]]                 # one table per round ("Generate more lists?")
 *     references = ["3d(10,i)4s(2,*)4p(6,*)4d(6,*)", "3d(10,*)4s(2,i)4p(6,i)4d(6,*)"]
 *     active = "5s,5p,5d,4f"
 *     two_j = [0, 12]
 *     excitations = 2
 *
 * The output is exactly GRASP's rcsf.out. GRASP's silent changes of the
 * input are reported as warnings (errors with strict); inputs on which
 * GRASP crashes are errors naming the dialog line.
 */
#ifndef CSFS_GENERATE_H
#define CSFS_GENERATE_H

#include <stddef.h>
#include <stdint.h>

#include "csfs/common.h"
#include "csfs/descriptors.h"
#include "csfs/engine_outputs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct csfs_generate_options {
    const char *dialog;      /* path of the dialog (stdin form or TOML by content), "-": stdin */
    const char *dialog_text; /* or the dialog itself (used when dialog is NULL) */
    size_t dialog_len;
    const char *clist;   /* clist.ref for order u; NULL: ./clist.ref as GRASP */
    const char *output;  /* GRASP text; ".zst" compresses; NULL: none */
    int strict;          /* GRASP's silent input changes are errors */
    int force;           /* replace an existing output */
    int force_space;     /* skip the free-space check (text exact, others by estimate) */
    int no_grasp_limits; /* beyond GRASP: no 2-electron cap on j = 9/2 subshells (GRASP's
                            unused j = 9/2 tables), no 100-block limit; NOT GRASP's list */
    int threads;         /* 0: online CPUs */
    /* Engine outputs of the same run (as for the list tools): bytes equal to csfs
     * convert / csfs descriptors of the generated text (the output file when there is
     * one, else a text named engine.text_name, default "rcsf.out"). The generator feeds
     * the engine directly (no text file is written or read back), one engine pass per
     * output; a failed run leaves none of its outputs. */
    csfs_engine_outputs engine;
    /* Called with each warning; NULL: silent. */
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    /* Called about twice a second from the calling thread; NULL: none. */
    void (*progress)(void *ctx, const csfs_progress *progress);
    void *progress_ctx;
    const volatile int *cancel; /* non-zero aborts with CSFS_E_CANCELLED */
} csfs_generate_options;

CSFS_API void csfs_generate_options_init(csfs_generate_options *opt);

typedef struct csfs_generate_block {
    int two_j;
    int parity; /* 0 even (+), 1 odd (-) */
    uint64_t csf_count;
} csfs_generate_block;

/* The estimated size of one Parquet or .npy output (csfs_generate_count). */
typedef struct csfs_generate_estimate {
    char *path;     /* the output (a copy) */
    uint64_t bytes; /* estimate: a sample of the list encoded with the run's options, scaled */
    uint64_t sample_csfs; /* CSFs in the sample (the whole list when it is small) */
} csfs_generate_estimate;

typedef struct csfs_generate_report {
    uint64_t csf_count;
    uint64_t configuration_count; /* merged configurations with at least one CSF */
    size_t block_count;
    csfs_generate_block *blocks; /* in file order */
    char *core;                  /* header line 2 (core subshells), as written */
    char *peel;                  /* header line 4 (peel subshells), as written */
    uint64_t text_bytes;         /* exact size of the GRASP text */
    uint64_t warnings;
    uint64_t skipped_over_20; /* configurations GRASP skips (more than 20 subshells) */
    int threads;
    double seconds;
    /* csfs_generate_count with engine outputs in the options: one estimate
     * each, CSF Parquet first, then the descriptor files in order. An
     * estimate, not a promise: a sample of 16 windows of consecutive CSFs
     * spread evenly over the list (8192 CSFs each for CSF Parquet, one
     * engine page each for descriptors; the whole list when it is not
     * larger) is encoded exactly as the run would; its data pages are
     * scaled by the CSF count, its dictionary pages and footer by the
     * row-group count (.npy: exact). Measured on GRASP's lists: CSF Parquet
     * 1.04-1.07x the real size, descriptor Parquet 1.00-1.13x (the sample
     * compresses a little worse than the whole list); the tests hold them
     * within 10% and -10%..+25%. csfs_generate_run checks the free space
     * with the same estimates. */
    csfs_generate_estimate *estimates;
    size_t n_estimates;
} csfs_generate_report;

/* Counts without enumerating CSFs (per configuration, by dynamic programming). */
CSFS_API int csfs_generate_count(const csfs_generate_options *opt, csfs_generate_report *rep,
                                 csfs_error *err);
/* Generates opt->output (atomic: nothing is left on error). rep may be NULL. */
CSFS_API int csfs_generate_run(const csfs_generate_options *opt, csfs_generate_report *rep,
                               csfs_error *err);
CSFS_API void csfs_generate_report_free(csfs_generate_report *rep);
/* The report as JSON (csf_count, blocks [{two_j, parity, csf_count}], peel, text_bytes);
 * malloc'd, caller frees. */
CSFS_API char *csfs_generate_report_json(const csfs_generate_report *rep);
/* The dialog converted to its TOML form (malloc'd text in *out). */
CSFS_API int csfs_generate_dialog_to_toml(const csfs_generate_options *opt, char **out,
                                          csfs_error *err);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_GENERATE_H */
