/*
 * From the dialog to jjgen's lists: what rcsfexcitation writes to
 * `excitationdata` and how jjgen (matain.f90 / matbin.f90) understands it,
 * reduced to one `gen_list` per reference per round: per orbital the
 * reference occupation, whether it may change, its minimum, and whether it
 * takes electrons in pairs only. GRASP's silent changes become warnings
 * (errors under strict); inputs that make GRASP crash become errors naming
 * the dialog line.
 */
#ifndef CSFS_GEN_PLAN_H
#define CSFS_GEN_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "generate/dialog.h"
#include "generate/gen_types.h"

typedef struct gen_list {
    uint8_t org[GEN_NORB];    /* reference occupation (0 for closed orbitals) */
    uint8_t active[GEN_NORB]; /* occupation may change */
    uint8_t pairs[GEN_NORB];  /* 'd': changes by pairs only (reference occupation 0) */
    uint8_t low[GEN_NORB];    /* minimum occupation of an active orbital */
    int electrons;            /* electrons outside closed orbitals */
    int parity;               /* of sum l * org */
    int excitations;          /* |number of excitations| */
    int two_j_lo, two_j_hi;
    size_t round, ref; /* 0-based round and reference within the round */
    uint64_t line;     /* dialog line of the reference */
    int lifted;        /* --no-grasp-limits: no 2-electron cap for j >= 9/2 where tables exist */
} gen_list;

typedef struct gen_plan_options {
    int strict;
    int no_grasp_limits;
    const char *clist_text; /* clist.ref contents for order 'u' (NULL: none) */
    size_t clist_len;
    const char *clist_name;
    void (*warn)(void *ctx, const char *message);
    void *warn_ctx;
} gen_plan_options;

typedef struct gen_plan {
    uint8_t closed[GEN_NORB]; /* core plus orbitals closed by 'c' in the first reference */
    uint8_t order[GEN_NORB];  /* orbital indices in the chosen orbital order */
    gen_list *lists;
    size_t n_lists;
    int total_electrons; /* including closed orbitals */
    size_t warnings;
} gen_plan;

int gen_plan_build(const gen_dialog *d, const gen_plan_options *opt, gen_plan *out,
                   csfs_error *err);
void gen_plan_free(gen_plan *p);

#endif
