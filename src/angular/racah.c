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

/* ---- seniority of the tabulated j^N states (GRASP's terms table) ---------- */

typedef struct sen_state {
    signed char v;
    signed char two_J;
} sen_state;

// clang-format off
static const sen_state j5_3[] = {{1, 5}, {3, 3}, {3, 9}};
static const sen_state j7_3[] = {{1, 7}, {3, 3}, {3, 5}, {3, 9}, {3, 11}, {3, 15}};
static const sen_state j7_4[] = {{0, 0}, {2, 4}, {2, 8}, {2, 12}, {4, 4}, {4, 8}, {4, 10},
                                 {4, 16}};
static const sen_state j9_3[] = {{1, 9}, {3, 3}, {3, 5}, {3, 7}, {3, 9}, {3, 11}, {3, 13},
                                 {3, 15}, {3, 17}, {3, 21}};
static const sen_state j9_4[] = {{0, 0}, {2, 4}, {2, 8}, {2, 12}, {2, 16}, {4, 0}, {4, 4},
                                 {4, 6}, {4, 8}, {4, 8}, {4, 10}, {4, 12}, {4, 12}, {4, 14},
                                 {4, 16}, {4, 18}, {4, 20}, {4, 24}};
static const sen_state j9_5[] = {{1, 9}, {3, 3}, {3, 5}, {3, 7}, {3, 9}, {3, 11}, {3, 13},
                                 {3, 15}, {3, 17}, {3, 21}, {5, 1}, {5, 5}, {5, 7}, {5, 9},
                                 {5, 11}, {5, 13}, {5, 15}, {5, 17}, {5, 19}, {5, 25}};
// clang-format on

int csfs_ang_seniority(int sub_two_j, int occ, int two_J, int label)
{
    int cap = sub_two_j + 1;
    if (sub_two_j < 1 || !(sub_two_j & 1) || occ < 0 || occ > cap || two_J < 0) return -1;
    int pop = occ < cap - occ ? occ : cap - occ;
    int v = -1;
    if (pop == 0) {
        v = two_J == 0 ? 0 : -1;
    } else if (pop == 1) {
        v = two_J == sub_two_j ? 1 : -1;
    } else if (pop == 2) {
        if (two_J % 4 == 0 && two_J <= 2 * (sub_two_j - 1)) v = two_J == 0 ? 0 : 2;
    } else {
        const sen_state *t = 0;
        int n = 0;
        if (sub_two_j == 5 && pop == 3) t = j5_3, n = 3;
        if (sub_two_j == 7 && pop == 3) t = j7_3, n = 6;
        if (sub_two_j == 7 && pop == 4) t = j7_4, n = 8;
        if (sub_two_j == 9 && pop == 3) t = j9_3, n = 10;
        if (sub_two_j == 9 && pop == 4) t = j9_4, n = 18;
        if (sub_two_j == 9 && pop == 5) t = j9_5, n = 20;
        for (int i = 0; i < n; i++)
            if (t[i].two_J == two_J && (label < 0 || t[i].v == label)) return t[i].v;
        return -1;
    }
    if (v >= 0 && label >= 0 && label != v) return -1;
    return v;
}
