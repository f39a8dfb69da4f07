/*
 * Shared vocabulary of the rcsfgenerate reimplementation: the 110 GRASP
 * orbitals (n = 1..15, l = 0..min(n-1, 10)) in GRASP's standard order, their
 * relativistic subshells, and the limits GRASP's arrays impose.
 */
#ifndef CSFS_GEN_TYPES_H
#define CSFS_GEN_TYPES_H

#include <stdint.h>

#define GEN_NMAX 15
#define GEN_LMAX 10
#define GEN_NORB 110         /* orbitals 1s .. 15n */
#define GEN_NSUB 220         /* subshell = 2 * orbital + k (k = 0: j = l-1/2 or s, 1: j = l+1/2) */
#define GEN_MAX_SUBSHELLS 20 /* genb.f90 SKAL: more listed subshells skip the configuration */
#define GEN_MAX_REFS 100     /* references per round (rcsfexcitation configvect) */
#define GEN_MAX_BLOCKS 100   /* rcsfblock arrays */
#define GEN_REF_LEN 135      /* reference line length (character*135) */
#define GEN_ACTIVE_LEN 44    /* active-set line length (character*44) */

/* Orbital index of (n, l) in the standard order 1s 2s 2p 3s ..., or -1. */
int gen_orb_index(int n, int l);
int gen_orb_n(int orb);
int gen_orb_l(int orb);
/* 'spdfghiklmn'[l] */
char gen_l_letter(int l);
/* l of a letter of 'spdfghiklmn' (lower case only, as GRASP), or -1. */
int gen_letter_l(char c);

/* Subshell facts: 2j, places 2j+1 (k = 0 of an s orbital is the s subshell). */
static inline int gen_sub_two_j(int l, int k)
{
    return k ? 2 * l + 1 : (l ? 2 * l - 1 : 1);
}
static inline int gen_sub_places(int l, int k)
{
    return gen_sub_two_j(l, k) + 1;
}

#endif
