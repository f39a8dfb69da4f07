/* csfs public API: GRASP2018's rcsfinteract (CSFs interacting with a
 * multireference set), exactly. */
#ifndef CSFS_INTERACT_H
#define CSFS_INTERACT_H

#include <stddef.h>
#include <stdint.h>

#include "csfs/common.h"
#include "csfs/engine_outputs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum csfs_hamiltonian {
    CSFS_HAMILTONIAN_DC = 1, /* Dirac-Coulomb (GRASP option 1) */
    CSFS_HAMILTONIAN_DCB = 2 /* Dirac-Coulomb-Breit (GRASP option 2) */
} csfs_hamiltonian;

typedef struct csfs_interact_options {
    const char *mr;         /* multireference list (GRASP's rcsfmr.inp) */
    const char *candidates; /* list to reduce (GRASP's rcsf.inp); text, .zst/.gz */
    const char *output;     /* rcsf.out equivalent; NULL: none (engine outputs only) */
    int force;
    int threads; /* 0: online CPUs */
    csfs_hamiltonian hamiltonian;
    int by_j;           /* pair blocks by (J, parity) instead of by position */
    size_t chunk_bytes; /* 0: 8 MiB (output never depends on it) */
    void (*report)(void *ctx, const char *message); /* warnings */
    void *report_ctx;
    /* Called about twice a second from the calling thread: candidates read
     * and their bytes of the candidate list, then (with engine outputs) each
     * engine pass over the text reports its own. NULL: none. */
    void (*progress)(void *ctx, const csfs_progress *progress);
    void *progress_ctx;
    const volatile int *cancel; /* non-zero aborts with CSFS_E_CANCELLED, nothing written */
    /* CSF Parquet / descriptors of the output list (as csfs convert /
     * csfs descriptors on it); text_name defaults to "rcsf.out". */
    csfs_engine_outputs engine;
    /* GRASP reads CSF lines into 256-character records, so it writes (and
     * tests) lines longer than that cut to 256 characters: csfs does too, with
     * a warning, unless this is set (lines kept whole, not GRASP's bytes). */
    int keep_long_lines;
} csfs_interact_options;

CSFS_API void csfs_interact_options_init(csfs_interact_options *opt);

/* Per candidate block (GRASP's screen table: MR NCSF, Before, After). */
typedef struct csfs_interact_block {
    uint64_t mr;         /* MR CSFs written for it */
    uint64_t candidates; /* candidate CSFs read in the block */
    uint64_t skipped;    /* candidates identical to an MR CSF (written once, as MR) */
    uint64_t selected;   /* candidates kept */
    uint64_t kept;       /* MR + kept candidates written (GRASP's "After") */
    int two_j;           /* 2J of its first CSF (-1 when empty) */
    int parity;          /* +1 / -1 (0 when empty) */
} csfs_interact_block;

typedef struct csfs_interact_summary {
    uint64_t candidates; /* candidate CSFs read */
    uint64_t written;    /* CSFs written (MR + kept) */
    uint64_t output_bytes;
    size_t n_blocks;
    csfs_interact_block *blocks; /* n_blocks entries; free with csfs_interact_summary_free */
    int threads;
    double seconds;
} csfs_interact_summary;

CSFS_API void csfs_interact_summary_free(csfs_interact_summary *s);

/* Writes the MR CSFs of each block, then the candidates of the paired block
 * that interact with one of them, as rcsfinteract does. */
CSFS_API int csfs_interact_run(const csfs_interact_options *opt, csfs_interact_summary *summary,
                               csfs_error *err);

/* Why candidate `row` (0-based over the whole candidate list) is kept or
 * not: a NUL-terminated text written to out. */
CSFS_API int csfs_interact_explain(const csfs_interact_options *opt, uint64_t row, char *out,
                                   size_t cap, csfs_error *err);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_INTERACT_H */
