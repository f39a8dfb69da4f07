/*
 * Racah algebra for the interaction test of rcsfinteract: triangle rules,
 * Wigner 3j and 6j symbols, reduced matrix elements of the C^k tensor, and
 * the seniority of the subshell states GRASP lists.
 *
 * Every angular momentum is passed doubled (2j), so half-integers are exact
 * integers. The 3j/6j values are computed by the Racah formulas in long
 * double from exact factorials (up to 2j = 100); tests/c/test_angular.c
 * checks them against tabulated values and orthogonality sums to 1e-12.
 * The selection test itself needs only the triangle and parity rules, which
 * are exact integer tests.
 */
#ifndef CSFS_ANGULAR_RACAH_H
#define CSFS_ANGULAR_RACAH_H

/* Largest doubled angular momentum the 3j/6j functions accept. */
#define CSFS_ANG_MAX_TWO_J 100

/* 1 when the doubled a, b, c form a triangle with a + b + c even. */
static inline int csfs_ang_triangle(int a, int b, int c)
{
    int d = a - b;
    if (d < 0) d = -d;
    return c >= d && c <= a + b && ((a + b + c) & 1) == 0;
}

/* Wigner 3j (j1 j2 j3; m1 m2 m3), all doubled; 0 when not allowed. */
double csfs_ang_3j(int j1, int j2, int j3, int m1, int m2, int m3);

/* Wigner 6j {j1 j2 j3; j4 j5 j6}, all doubled; 0 when a triad fails. */
double csfs_ang_6j(int j1, int j2, int j3, int j4, int j5, int j6);

/* 1 when all four triads of the 6j {a b c; d e f} are triangles (the 6j
 * can be non-zero): GRASP's IXJTIK. Doubled values. */
int csfs_ang_6j_triads(int a, int b, int c, int d, int e, int f);

/*
 * Reduced matrix element <kappa_a || C^k || kappa_b> (Grant's convention,
 * the one GRASP's CRE uses up to its sign convention):
 * (-1)^(j_a + 1/2) sqrt((2j_a+1)(2j_b+1)) (j_a k j_b; -1/2 0 1/2) when
 * l_a + k + l_b is even, else 0. k is not doubled.
 */
double csfs_ang_ck_reduced(int kappa_a, int k, int kappa_b);

/* Orbital data of a Dirac kappa: 2j and l. */
static inline int csfs_ang_kappa_two_j(int kappa)
{
    return 2 * (kappa < 0 ? -kappa : kappa) - 1;
}
static inline int csfs_ang_kappa_l(int kappa)
{
    return kappa < 0 ? -kappa - 1 : kappa;
}

/*
 * Seniority of a state of a subshell with doubled angular momentum sub_two_j
 * holding `occ` electrons and doubled total two_J, as GRASP's loader assigns
 * it from its terms table: the lowest seniority with that J, or the printed
 * seniority `label` when there is one (label >= 0). Computed by counting
 * determinants (racah.c). Returns the seniority, or -1 when the state does
 * not exist or GRASP does not tabulate it (3+ electrons and holes beyond
 * j = 9/2).
 */
int csfs_ang_seniority(int sub_two_j, int occ, int two_J, int label);

#endif
