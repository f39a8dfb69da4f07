/*
 * Configurations in GRASP's order (blanda.f90 / slug.f90) and the merge of
 * the lists (merge.f90): each list enumerates its configurations in
 * lexicographically descending order of (total, j = l+1/2 occupation) per
 * orbital in the standard order; the lists are merged by a k-way merge on
 * that order, a configuration already produced (with at least one CSF) by
 * an earlier list keeping that list's CSFs only. Nothing is stored: a pass
 * over the merged configurations costs the enumeration again.
 */
#ifndef CSFS_GEN_CONFENUM_H
#define CSFS_GEN_CONFENUM_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "generate/coupling.h"
#include "generate/plan.h"

/* One merged configuration. */
typedef struct gen_config {
    uint8_t occ[GEN_NORB];  /* total occupation per orbital (0 for closed) */
    uint8_t plus[GEN_NORB]; /* j = l+1/2 occupation (l > 0) */
    size_t list;            /* index of the list whose CSFs it carries */
    const uint64_t *dist;   /* CSFs per final 2J, 0..max_two_j (all J, not only the list's) */
    int max_two_j;
    int n_subshells; /* listed (occupied, non-closed) subshells */
} gen_config;

typedef struct gen_merge gen_merge;

/* A merge over the plan's lists; memo is shared (not owned). */
int gen_merge_new(const gen_plan *plan, gen_count_memo *memo, gen_merge **out, csfs_error *err);
/* Restarts from the first configuration. */
int gen_merge_rewind(gen_merge *m, csfs_error *err);
/* Next merged configuration: 1, 0 at the end, or a negative error. */
int gen_merge_next(gen_merge *m, gen_config *cfg, csfs_error *err);
/* Configurations skipped for having more than 20 subshells (so far). */
uint64_t gen_merge_skipped_over20(const gen_merge *m);
void gen_merge_free(gen_merge *m);

/* CSF count of a merged configuration at final 2J (0 outside its list's range). */
static inline uint64_t gen_config_count(const gen_config *c, const gen_plan *p, int two_j)
{
    const gen_list *L = &p->lists[c->list];
    if (two_j < L->two_j_lo || two_j > L->two_j_hi || two_j < 0 || two_j > c->max_two_j) return 0;
    return c->dist[two_j];
}

#endif
