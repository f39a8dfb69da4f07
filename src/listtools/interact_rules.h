/*
 * The interaction test of GRASP2018's rcsfinteract (shared/spec/LIST-TOOLS.md
 * §2): can the Dirac-Coulomb (or Dirac-Coulomb-Breit) Hamiltonian connect two
 * CSFs by the angular selection rules of GRASP's rangular machinery?
 *
 * A CSF is held in GRASP's own quantum numbers (per subshell: electrons,
 * seniority, 2J+1; per open subshell: the cumulative coupling 2J+1), parsed
 * from the three text lines exactly as GRASP's loader reads them (numbers in
 * sequence, not by column). The test follows GRASP's decision path, step for
 * step, because the answer depends on it: which subshell pairs are tried, in
 * which order, and where a failed recoupling ends the search.
 */
#ifndef CSFS_LISTTOOLS_INTERACT_RULES_H
#define CSFS_LISTTOOLS_INTERACT_RULES_H

#include <stddef.h>
#include <stdint.h>

/* The subshells of a list: the header's core, then its peel subshells. */
typedef struct csfs_ia_orbs {
    int nw, ncore;
    int *kappa; /* Dirac kappa per subshell */
    int *two_j; /* 2j */
    int *l;
    int *cap;      /* 2j + 1 */
    uint64_t *key; /* per subshell: its trimmed label packed in 8 bytes */
} csfs_ia_orbs;

/* Parses "  1s   2s   2p-" style subshell lists (header lines 2 and 4).
 * Returns 0, or -1 with why filled. */
int csfs_ia_orbs_init(csfs_ia_orbs *o, const char *core, size_t core_len, const char *peel,
                      size_t peel_len, char *why, size_t why_cap);
void csfs_ia_orbs_free(csfs_ia_orbs *o);

/* One CSF in GRASP's quantum numbers; arrays of nw entries. */
typedef struct csfs_ia_csf {
    uint8_t *q;     /* electrons per subshell */
    uint8_t *v;     /* seniority (GRASP's JQS(1)) */
    uint16_t *jq3;  /* 2J+1 of the subshell (JQS(3)) */
    uint16_t *jcup; /* jcup[i] = coupling 2J+1 after open subshell i+2 (JCUP(i+1)) */
    int itjpo;      /* 2J+1 of the CSF */
    int parity;     /* +1 / -1 */
} csfs_ia_csf;

/* Storage for one CSF of a list with nw subshells (one allocation). */
int csfs_ia_csf_alloc(csfs_ia_csf *c, int nw);
void csfs_ia_csf_free(csfs_ia_csf *c);
void csfs_ia_csf_copy(csfs_ia_csf *dst, const csfs_ia_csf *src, int nw);

/* Parses one CSF's lines (no line ends). 0, or -1 with why filled. */
int csfs_ia_csf_parse(const csfs_ia_orbs *o, const char *l1, size_t n1, const char *l2, size_t n2,
                      const char *l3, size_t n3, csfs_ia_csf *c, char *why, size_t why_cap);

/* Which rule made a pair interact (for --explain). */
typedef struct csfs_ia_why {
    const char *rule; /* "one-body", "EL1", "EL2", "EL31", ... */
    const char *part; /* "direct" / "exchange" / "" */
    int k;            /* multipole of the Coulomb / Breit term, -1 when none */
    int sub[4];       /* subshells involved (indices into the orbs), -1 unused */
} csfs_ia_why;

/* Per-thread scratch for the pair test. */
typedef struct csfs_ia_pair csfs_ia_pair;

csfs_ia_pair *csfs_ia_pair_new(const csfs_ia_orbs *o);
void csfs_ia_pair_free(csfs_ia_pair *p);

#define CSFS_IA_DC 1  /* Dirac-Coulomb (GRASP option 1) */
#define CSFS_IA_DCB 2 /* Dirac-Coulomb-Breit (GRASP option 2) */

/* 1 when CSF a (the MR CSF, GRASP's JA) and b (the candidate, JB)
 * interact under the Hamiltonian, else 0; why (optional) says how. */
int csfs_ia_interact(csfs_ia_pair *p, const csfs_ia_csf *a, const csfs_ia_csf *b, int hamiltonian,
                     csfs_ia_why *why);

/* Quick necessary condition (same J and parity, occupations within GRASP's
 * ICHKQ2 bound): 0 means the pair cannot interact. */
int csfs_ia_may_interact(const csfs_ia_orbs *o, const csfs_ia_csf *a, const csfs_ia_csf *b);

#endif
