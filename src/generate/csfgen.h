/*
 * The CSFs of one configuration at one final 2J, in genb.f90's order
 * (subshell states outermost, then the intermediate couplings ascending),
 * as GRASP's three text lines (kopp1.f90, kopp2.f90, trailing blanks
 * removed as rcsfblock.f90 does). Any contiguous range of them can be
 * produced directly: whole state tuples and coupling subtrees are skipped
 * by their counts, so work can be split at any CSF.
 */
#ifndef CSFS_GEN_CSFGEN_H
#define CSFS_GEN_CSFGEN_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "descriptor/v2.h"
#include "csfs.h"
#include "generate/confenum.h"
#include "generate/coupling.h"
#include "generate/plan.h"

typedef struct gen_subshell {
    int n, l, k, q;
    int two_j_sub;
    int ns; /* number of states (antko) */
    const gen_state *st;
} gen_subshell;

/* A configuration prepared for text output. */
typedef struct gen_cfg_text {
    int m; /* listed subshells */
    gen_subshell sub[GEN_MAX_SUBSHELLS];
    char line1[9 * GEN_MAX_SUBSHELLS];
    int line2_len; /* trimmed length (same for every state tuple) */
    int parity;
} gen_cfg_text;

/* Lists the subshells of cfg in the plan's orbital order (closed orbitals left out). */
void gen_cfg_text_prepare(gen_cfg_text *t, const gen_config *cfg, const gen_plan *plan);

/* Text bytes of one CSF of this configuration (all three lines with their '\n'). */
static inline uint64_t gen_cfg_text_csf_bytes(const gen_cfg_text *t)
{
    return (uint64_t)(9 * t->m + 1) + (uint64_t)(t->line2_len + 1) + (uint64_t)(9 * t->m + 3);
}

/* Scratch space of the emitter (one per thread). */
typedef struct gen_emit_scratch {
    uint64_t *w; /* chain counts: (m) x (width) */
    size_t w_cap;
} gen_emit_scratch;
void gen_emit_scratch_free(gen_emit_scratch *s);

/*
 * Appends CSFs number skip .. skip+take-1 (0-based, in GRASP's order) of the
 * configuration at final 2J = two_j to out. Returns 0 or an error.
 */
int gen_emit_text(const gen_cfg_text *t, int two_j, uint64_t skip, uint64_t take,
                  gen_emit_scratch *s, csfs_buf *out, csfs_error *err);

/*
 * The same CSFs as V2 descriptor records (descriptor/v2.h), without text:
 * per CSF the subshells' values exactly as csfs_v2_parse reads them from the
 * text (what GRASP prints on lines 2 and 3, -1 where it prints nothing),
 * total 2J and parity. peel[i]: the peel index of subshell i of t.
 */
typedef struct gen_v2_out {
    csfs_v2_sub *sub; /* the records' subshells, one run per CSF */
    size_t n_sub, cap_sub;
    uint32_t *first; /* per CSF: its first entry of sub; first[n] = n_sub */
    int32_t *total_two_j;
    int8_t *parity;
    size_t n, cap;
} gen_v2_out;
void gen_v2_out_clear(gen_v2_out *o);
void gen_v2_out_free(gen_v2_out *o);
int gen_emit_v2(const gen_cfg_text *t, const int32_t *peel, int two_j, uint64_t skip, uint64_t take,
                gen_emit_scratch *s, gen_v2_out *out, csfs_error *err);

/* The 5-character block key of rcsfblock (last five characters of line 3). */
void gen_block_key(int two_j, int parity, char key[5]);

#endif
