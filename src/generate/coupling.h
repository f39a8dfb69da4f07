/*
 * jj-coupling of one configuration as genb.f90 does it: the states of each
 * subshell (2J and printed seniority, in GRASP's table order) and the
 * number of CSFs per final 2J, counted by dynamic programming over the
 * running 2J (the count only depends on the multiset of (2j, q) of the open
 * subshells, so it is memoised on that).
 */
#ifndef CSFS_GEN_COUPLING_H
#define CSFS_GEN_COUPLING_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"

typedef struct gen_state {
    int16_t two_j;
    int8_t seniority; /* -1: not printed */
} gen_state;

/*
 * States of a subshell with 2j = two_j holding q electrons (q' = min(q,
 * 2j+1-q)). Returns the count (0 when GRASP has no table for it) and sets
 * *states. full_tables: also j >= 9/2 with q' > 2 (beyond GRASP's limits).
 */
int gen_subshell_states(int two_j, int q, const gen_state **states);

/* Largest 2J of a subshell's states (0 when it has none). */
int gen_subshell_max_two_j(int two_j, int q);

/* Memo of CSF counts per final 2J for multisets of open subshells. */
typedef struct gen_count_memo gen_count_memo;

int gen_count_memo_new(gen_count_memo **out, csfs_error *err);
void gen_count_memo_free(gen_count_memo *m);

/*
 * CSF counts of a configuration whose open subshells are given as (2j, q)
 * pairs (q' >= 1 only; full subshells do not change the counts). On success
 * *dist points at counts for final 2J = 0 .. *max_two_j (valid until the
 * memo is freed).
 */
int gen_count_lookup(gen_count_memo *m, const uint8_t *two_j, const uint8_t *q, int n,
                     const uint64_t **dist, int *max_two_j, csfs_error *err);

#endif
