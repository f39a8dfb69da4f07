/*
 * Racah formulas over exact factorials (see racah.h). Factorials up to
 * 2 * CSFS_ANG_MAX_TWO_J + 1 are exact in long double only up to 25!, but
 * their relative error stays at the long double epsilon, and the sums are
 * short alternating series for the momenta GRASP lists hold (j <= 9/2 per
 * subshell, J <= ~30 coupled): tested to 1e-12 in tests/c/test_angular.c.
 */
#include "angular/racah.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#define FACT_MAX (3 * CSFS_ANG_MAX_TWO_J / 2 + 2)

static long double fact_table[FACT_MAX + 1];
static pthread_once_t fact_once = PTHREAD_ONCE_INIT;

static void fact_init(void)
{
    fact_table[0] = 1.0L;
    for (int i = 1; i <= FACT_MAX; i++) fact_table[i] = fact_table[i - 1] * (long double)i;
}

/* n! for n = 0 .. FACT_MAX (callers stay in range: momenta are bounded). */
static long double fact(int n)
{
    return fact_table[n];
}

/* Triangle coefficient Delta(abc) for doubled a, b, c forming a triangle. */
static long double delta(int a, int b, int c)
{
    return fact((a + b - c) / 2) * fact((a - b + c) / 2) * fact((-a + b + c) / 2) /
           fact((a + b + c) / 2 + 1);
}

static int in_range(int j)
{
    return j >= 0 && j <= CSFS_ANG_MAX_TWO_J;
}

double csfs_ang_3j(int j1, int j2, int j3, int m1, int m2, int m3)
{
    pthread_once(&fact_once, fact_init);
    if (!in_range(j1) || !in_range(j2) || !in_range(j3)) return 0.0;
    if (m1 + m2 + m3 != 0) return 0.0;
    if (!csfs_ang_triangle(j1, j2, j3)) return 0.0;
    if (abs(m1) > j1 || abs(m2) > j2 || abs(m3) > j3) return 0.0;
    if (((j1 + m1) & 1) || ((j2 + m2) & 1) || ((j3 + m3) & 1)) return 0.0;
    /* Racah: sum over t of (-1)^t / [t! (j3-j2+t+m1)! (j3-j1+t-m2)!
     * (j1+j2-j3-t)! (j1-t-m1)! (j2-t+m2)!], arguments undoubled. */
    int a1 = (j3 - j2 + m1) / 2, a2 = (j3 - j1 - m2) / 2;
    int b1 = (j1 + j2 - j3) / 2, b2 = (j1 - m1) / 2, b3 = (j2 + m2) / 2;
    int tmin = 0;
    if (-a1 > tmin) tmin = -a1;
    if (-a2 > tmin) tmin = -a2;
    int tmax = b1;
    if (b2 < tmax) tmax = b2;
    if (b3 < tmax) tmax = b3;
    long double sum = 0.0L;
    for (int t = tmin; t <= tmax; t++) {
        long double term = 1.0L / (fact(t) * fact(a1 + t) * fact(a2 + t) * fact(b1 - t) *
                                   fact(b2 - t) * fact(b3 - t));
        sum += (t & 1) ? -term : term;
    }
    long double pre =
        sqrtl(delta(j1, j2, j3) * fact((j1 + m1) / 2) * fact((j1 - m1) / 2) * fact((j2 + m2) / 2) *
              fact((j2 - m2) / 2) * fact((j3 + m3) / 2) * fact((j3 - m3) / 2));
    int phase = (j1 - j2 - m3) / 2;
    long double v = pre * sum;
    if (phase & 1) v = -v;
    return (double)v;
}

int csfs_ang_6j_triads(int a, int b, int c, int d, int e, int f)
{
    return csfs_ang_triangle(a, b, c) && csfs_ang_triangle(a, e, f) && csfs_ang_triangle(d, b, f) &&
           csfs_ang_triangle(d, e, c);
}

double csfs_ang_6j(int j1, int j2, int j3, int j4, int j5, int j6)
{
    pthread_once(&fact_once, fact_init);
    if (!in_range(j1) || !in_range(j2) || !in_range(j3) || !in_range(j4) || !in_range(j5) ||
        !in_range(j6))
        return 0.0;
    if (!csfs_ang_6j_triads(j1, j2, j3, j4, j5, j6)) return 0.0;
    int s1 = (j1 + j2 + j3) / 2, s2 = (j1 + j5 + j6) / 2, s3 = (j4 + j2 + j6) / 2,
        s4 = (j4 + j5 + j3) / 2;
    int p1 = (j1 + j2 + j4 + j5) / 2, p2 = (j2 + j3 + j5 + j6) / 2, p3 = (j3 + j1 + j6 + j4) / 2;
    int tmin = s1;
    if (s2 > tmin) tmin = s2;
    if (s3 > tmin) tmin = s3;
    if (s4 > tmin) tmin = s4;
    int tmax = p1;
    if (p2 < tmax) tmax = p2;
    if (p3 < tmax) tmax = p3;
    long double sum = 0.0L;
    for (int t = tmin; t <= tmax; t++) {
        long double term =
            fact(t + 1) / (fact(t - s1) * fact(t - s2) * fact(t - s3) * fact(t - s4) *
                           fact(p1 - t) * fact(p2 - t) * fact(p3 - t));
        sum += (t & 1) ? -term : term;
    }
    long double pre =
        sqrtl(delta(j1, j2, j3) * delta(j1, j5, j6) * delta(j4, j2, j6) * delta(j4, j5, j3));
    return (double)(pre * sum);
}

double csfs_ang_ck_reduced(int kappa_a, int k, int kappa_b)
{
    if (kappa_a == 0 || kappa_b == 0 || k < 0) return 0.0;
    int ja = csfs_ang_kappa_two_j(kappa_a), jb = csfs_ang_kappa_two_j(kappa_b);
    int la = csfs_ang_kappa_l(kappa_a), lb = csfs_ang_kappa_l(kappa_b);
    if ((la + k + lb) & 1) return 0.0;
    double v = sqrt((double)((ja + 1) * (jb + 1))) * csfs_ang_3j(ja, 2 * k, jb, -1, 0, 1);
    if (((ja + 1) / 2) & 1) v = -v;
    return v;
}

/* ---- seniority of j^N states ------------------------------------------------ */

/*
 * Seniorities follow from counting, with no table: the number of
 * J-multiplets of N electrons in a j shell is n(N, J) = c(N, M=J) -
 * c(N, M=J+1), c counting the N-electron determinants with total M; the
 * multiplets of seniority v (v >= 2) are those of j^v not already in
 * j^(v-2): mult(v, J) = n(v, J) - n(v-2, J). GRASP's terms table lists, for
 * a row (j, N), the states by increasing seniority, and its loader takes the
 * first state with the printed J (and the printed seniority when there is
 * one): the lowest seniority v = N mod 2 ... min(N, holes) with mult(v, J) > 0.
 * GRASP tabulates N >= 3 electrons/holes for j = 5/2, 7/2 and 9/2 only.
 */
#define SEN_MAX_CAP 10 /* j = 9/2 */
#define SEN_MAX_M 50   /* doubled M up to 2 * 25 */

static int sen_count[SEN_MAX_CAP + 1][SEN_MAX_CAP + 1][2 * SEN_MAX_M + 1]; /* [cap][N][M] */
static pthread_once_t sen_once = PTHREAD_ONCE_INIT;

static void sen_init(void)
{
    for (int cap = 2; cap <= SEN_MAX_CAP; cap += 2) {
        int two_j = cap - 1;
        for (unsigned mask = 0; mask < (1u << cap); mask++) {
            int n = 0, m = 0;
            for (int b = 0; b < cap; b++)
                if (mask & (1u << b)) n++, m += -two_j + 2 * b;
            if (m + SEN_MAX_M >= 0 && m + SEN_MAX_M <= 2 * SEN_MAX_M)
                sen_count[cap][n][m + SEN_MAX_M]++;
        }
    }
}

/* J-multiplets of j^n (cap = 2j + 1) with doubled J two_J. */
static int multiplets(int cap, int n, int two_J)
{
    if (n < 0 || two_J + 2 > SEN_MAX_M) return 0;
    return sen_count[cap][n][two_J + SEN_MAX_M] - sen_count[cap][n][two_J + 2 + SEN_MAX_M];
}

static int of_seniority(int cap, int v, int two_J)
{
    return v < 2 ? multiplets(cap, v, two_J)
                 : multiplets(cap, v, two_J) - multiplets(cap, v - 2, two_J);
}

int csfs_ang_seniority(int sub_two_j, int occ, int two_J, int label)
{
    int cap = sub_two_j + 1;
    if (sub_two_j < 1 || !(sub_two_j & 1) || occ < 0 || occ > cap || two_J < 0) return -1;
    int pop = occ < cap - occ ? occ : cap - occ;
    if (pop <= 2) {
        /* every j: empty/full J = 0; one electron J = j; two: even J < 2j */
        int v = -1;
        if (pop == 0 && two_J == 0) v = 0;
        if (pop == 1 && two_J == sub_two_j) v = 1;
        if (pop == 2 && two_J % 4 == 0 && two_J <= 2 * (sub_two_j - 1)) v = two_J == 0 ? 0 : 2;
        if (v >= 0 && label >= 0 && label != v) return -1;
        return v;
    }
    if (sub_two_j < 5 || sub_two_j > 9) return -1; /* not in GRASP's table */
    pthread_once(&sen_once, sen_init);
    for (int v = pop & 1; v <= pop; v += 2)
        if ((label < 0 || label == v) && of_seniority(cap, v, two_J) > 0) return v;
    return -1;
}
