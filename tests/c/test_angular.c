/* Racah algebra (src/angular): 3j/6j against tabulated values and
 * orthogonality sums, C^k reduced matrix elements, GRASP's seniorities. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "angular/racah.h"
#include "descriptor/v2.h"
#include "testutil.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-12)

static void tabulated(void)
{
    /* (1 1 0; 0 0 0) = -1/sqrt(3) */
    CHECK(NEAR(csfs_ang_3j(2, 2, 0, 0, 0, 0), -1.0 / sqrt(3.0)));
    /* (1/2 1/2 1; 1/2 -1/2 0) = 1/sqrt(6) */
    CHECK(NEAR(csfs_ang_3j(1, 1, 2, 1, -1, 0), 1.0 / sqrt(6.0)));
    /* (1 1 2; 0 0 0) = sqrt(2/15) */
    CHECK(NEAR(csfs_ang_3j(2, 2, 4, 0, 0, 0), sqrt(2.0 / 15.0)));
    /* (2 2 2; 0 0 0) = -sqrt(2/35) */
    CHECK(NEAR(csfs_ang_3j(4, 4, 4, 0, 0, 0), -sqrt(2.0 / 35.0)));
    /* (3/2 3/2 1; 1/2 -1/2 0) = -sqrt(15)/30 */
    CHECK(NEAR(csfs_ang_3j(3, 3, 2, 1, -1, 0), -sqrt(15.0) / 30.0));
    /* odd J sum with all m = 0 vanishes */
    CHECK(csfs_ang_3j(2, 2, 2, 0, 0, 0) == 0.0);
    CHECK(csfs_ang_3j(2, 2, 6, 0, 0, 0) == 0.0); /* no triangle */
    /* values as sympy.physics.wigner gives them. 6j: {1 1 1; 1 1 1} = 1/6, {1/2 1/2 1; 1/2 1/2 0} =
     * 1/2, {1 1 0; 1 1 1} = -1/3, {2 2 2; 2 2 2} = -3/70 */
    CHECK(NEAR(csfs_ang_6j(2, 2, 2, 2, 2, 2), 1.0 / 6.0));
    CHECK(NEAR(csfs_ang_6j(1, 1, 2, 1, 1, 0), 0.5));
    CHECK(NEAR(csfs_ang_6j(2, 2, 0, 2, 2, 2), -1.0 / 3.0));
    CHECK(NEAR(csfs_ang_6j(4, 4, 4, 4, 4, 4), -3.0 / 70.0));
    CHECK(csfs_ang_6j(2, 2, 6, 2, 2, 2) == 0.0);
}

/* sum_{j3,m3} (2j3+1) (j1 j2 j3; m1 m2 m3)(j1 j2 j3; m1' m2' m3) = delta */
static void orthogonality_3j(void)
{
    int bad = 0;
    for (int j1 = 0; j1 <= 7; j1++)
        for (int j2 = 0; j2 <= 7; j2++)
            for (int m1 = -j1; m1 <= j1; m1 += 2)
                for (int m2 = -j2; m2 <= j2; m2 += 2)
                    for (int n1 = -j1; n1 <= j1; n1 += 2) {
                        int n2 = m1 + m2 - n1;
                        if (n2 < -j2 || n2 > j2) continue;
                        double s = 0;
                        for (int j3 = abs(j1 - j2); j3 <= j1 + j2; j3 += 2)
                            s += (j3 + 1) * csfs_ang_3j(j1, j2, j3, m1, m2, -m1 - m2) *
                                 csfs_ang_3j(j1, j2, j3, n1, n2, -m1 - m2);
                        double want = (m1 == n1) ? 1.0 : 0.0;
                        if (fabs(s - want) > 1e-12) bad++;
                    }
    CHECK_EQ_INT(bad, 0);
}

/* sum_x (2x+1)(2f+1) {a b x; c d f}{c d x; a b g} = delta_fg */
static void orthogonality_6j(void)
{
    int bad = 0, sums = 0;
    for (int a = 0; a <= 6; a++)
        for (int b = 0; b <= 6; b++)
            for (int c = 0; c <= 6; c++)
                for (int d = 0; d <= 6; d++)
                    for (int f = 0; f <= 12; f++)
                        for (int g = 0; g <= 12; g++) {
                            if (!csfs_ang_triangle(a, d, f) || !csfs_ang_triangle(c, b, f))
                                continue;
                            if (!csfs_ang_triangle(a, d, g) || !csfs_ang_triangle(c, b, g))
                                continue;
                            double s = 0;
                            for (int x = 0; x <= 14; x++)
                                s += (x + 1) * (f + 1) * csfs_ang_6j(a, b, x, c, d, f) *
                                     csfs_ang_6j(c, d, x, a, b, g);
                            double want = f == g ? 1.0 : 0.0;
                            sums++;
                            if (fabs(s - want) > 1e-11) bad++;
                        }
    CHECK(sums > 1000);
    CHECK_EQ_INT(bad, 0);
}

/* C^k: magnitude sqrt(2j+1) for k = 0, and non-zero exactly when
 * l_a + k + l_b is even and |j_a - j_b| <= k <= j_a + j_b (the integer rule
 * the interaction test applies in place of GRASP's numerical COULOM). */
static void ck(void)
{
    int bad = 0;
    for (int ka = -6; ka <= 6; ka++)
        for (int kb = -6; kb <= 6; kb++) {
            if (!ka || !kb) continue;
            int ja = csfs_ang_kappa_two_j(ka), jb = csfs_ang_kappa_two_j(kb);
            int la = csfs_ang_kappa_l(ka), lb = csfs_ang_kappa_l(kb);
            for (int k = 0; k <= 12; k++) {
                double v = csfs_ang_ck_reduced(ka, k, kb);
                int allowed = ((la + k + lb) % 2 == 0) && csfs_ang_triangle(ja, jb, 2 * k);
                if ((fabs(v) > 1e-10) != allowed) bad++;
                if (k == 0 && ka == kb && fabs(fabs(v) - sqrt(ja + 1.0)) > 1e-12) bad++;
            }
        }
    CHECK_EQ_INT(bad, 0);
    /* <p3/2||C^2||p3/2> = -2/sqrt(5)*... : |value| = sqrt(4*4) * (3/2 2 3/2; -1/2 0 1/2) */
    CHECK(NEAR(fabs(csfs_ang_ck_reduced(-2, 2, -2)), 4.0 * fabs(csfs_ang_3j(3, 4, 3, -1, 0, 1))));
    /* (3/2 2 3/2; -1/2 0 1/2) = sqrt(5)/10 */
    CHECK(NEAR(csfs_ang_3j(3, 4, 3, -1, 0, 1), sqrt(5.0) / 10.0));
}

static void seniorities(void)
{
    CHECK_EQ_INT(csfs_ang_seniority(7, 0, 0, -1), 0);
    CHECK_EQ_INT(csfs_ang_seniority(7, 8, 0, -1), 0);
    CHECK_EQ_INT(csfs_ang_seniority(5, 1, 5, -1), 1);
    CHECK_EQ_INT(csfs_ang_seniority(5, 2, 0, -1), 0);
    CHECK_EQ_INT(csfs_ang_seniority(5, 2, 4, -1), 2);
    CHECK_EQ_INT(csfs_ang_seniority(5, 2, 2, -1), -1); /* odd J for two electrons */
    CHECK_EQ_INT(csfs_ang_seniority(5, 3, 9, -1), 3);
    CHECK_EQ_INT(csfs_ang_seniority(5, 3, 5, -1), 1);
    CHECK_EQ_INT(csfs_ang_seniority(5, 4, 4, -1), 2); /* d5/2^4 = two holes */
    CHECK_EQ_INT(csfs_ang_seniority(7, 4, 4, 4), 4);
    CHECK_EQ_INT(csfs_ang_seniority(7, 4, 4, 2), 2);
    CHECK_EQ_INT(csfs_ang_seniority(7, 4, 10, -1), 4);
    CHECK_EQ_INT(csfs_ang_seniority(7, 4, 2, -1), -1);
    CHECK_EQ_INT(csfs_ang_seniority(9, 5, 25, -1), 5);
    /* Count of states of j^N with GRASP's table equals the number of
     * J-multiplets: sum (2J+1) = C(2j+1, N). */
    static const int rows[][3] = {{5, 3, 20}, {7, 3, 56}, {7, 4, 70}};
    for (int r = 0; r < 3; r++) {
        int tj = rows[r][0], n = rows[r][1], want = rows[r][2], got = 0;
        for (int J = 0; J <= 40; J++)
            for (int v = 0; v <= 5; v++)
                if (csfs_ang_seniority(tj, n, J, v) == v) got += J + 1;
        CHECK_EQ_INT(got, want);
    }
}

/* Every state rcsfgenerate prints (descriptor/v2_states.c, GRASP's JKVANT
 * and SENIOR lists) has a seniority here, the printed one when labelled; and
 * the states of each seniority add up to all determinants. */
static void seniorities_vs_v2_tables(void)
{
    int bad = 0, seen = 0;
    for (int tj = 1; tj <= 9; tj += 2)
        for (int n = 0; n <= tj + 1; n++) {
            csfs_v2_state st[64];
            size_t k;
            if (csfs_v2_subshell_states(tj, n, st, 64, &k) != 0) continue;
            for (size_t i = 0; i < k; i++, seen++) {
                int v = csfs_ang_seniority(tj, n, st[i].two_j, st[i].seniority);
                if (v < 0 || (st[i].seniority >= 0 && v != st[i].seniority)) bad++;
                if ((v & 1) != (n & 1)) bad++;
            }
        }
    CHECK(seen > 100);
    CHECK_EQ_INT(bad, 0);
}

int main(void)
{
    tabulated();
    orthogonality_3j();
    orthogonality_6j();
    ck();
    seniorities();
    seniorities_vs_v2_tables();
    return tu_done();
}
