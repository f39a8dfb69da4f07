/*
 * GRASP2018 rcsfinteract's interaction test (Interact_csf.f90 and the
 * el*INT / onescalar*INT routines it calls, over librang90's RECO, RECO2,
 * REC3/RECO3, RECO4, DIAGA1-4, ITREXG, IXJTIK, COULOM, SNRC). GRASP runs
 * its angular-coefficient code with the final coefficient computations
 * removed, so what decides is control flow plus integer rules: equal
 * spectator quantum numbers, triangle conditions of the recoupling 6j and
 * 9j symbols, the C^k rules of COULOM, the Breit ranks of SNRC. The order of
 * the tests is kept, since an early return in GRASP ends the search.
 *
 * Positions in the pair's subshell list are 1-based as in GRASP (arrays
 * have one unused slot at 0): a position is where a subshell sits in JLIST,
 * the list of subshells open in at least one of the two CSFs.
 */
#include <stdlib.h>
#include <string.h>

#include "angular/racah.h"
#include "listtools/interact_rules.h"

struct csfs_ia_pair {
    const csfs_ia_orbs *o;
    const csfs_ia_csf *a, *b; /* GRASP's JA (MR) and JB (candidate) */
    int ham;
    int npeel, ncore;
    int *jlist, *klist, *jjc1, *jjc2;
    int *jlis, *jc1s, *jc2s; /* saved copies (GRASP's JLIS, JC1S, JC2S) */
    csfs_ia_why *why;
};

csfs_ia_pair *csfs_ia_pair_new(const csfs_ia_orbs *o)
{
    csfs_ia_pair *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    size_t n = (size_t)o->nw + 3;
    int *m = calloc(7 * n, sizeof *m);
    if (!m) {
        free(p);
        return NULL;
    }
    p->o = o;
    p->jlist = m;
    p->klist = m + n;
    p->jjc1 = m + 2 * n;
    p->jjc2 = m + 3 * n;
    p->jlis = m + 4 * n;
    p->jc1s = m + 5 * n;
    p->jc2s = m + 6 * n;
    return p;
}

void csfs_ia_pair_free(csfs_ia_pair *p)
{
    if (!p) return;
    free(p->jlist);
    free(p);
}

/* ---- quantum numbers ------------------------------------------------------- */

/* JJQ1(k, s) / JJQ2(k, s): k = 1 seniority, 2 always 0, 3 2J+1. */
static inline int jjq(const csfs_ia_csf *c, int k, int s)
{
    return k == 1 ? c->v[s] : k == 2 ? 0 : c->jq3[s];
}

static inline int ichop(const csfs_ia_pair *p, const csfs_ia_csf *c, int s)
{
    int q = c->q[s];
    return q == 0 ? -1 : q == p->o->cap[s] ? 1 : 0;
}

/* ITTK / the triangle rule on doubled values. */
static inline int ittk(int i, int j, int k)
{
    return csfs_ang_triangle(i, j, k);
}

static inline int ixjtik(int i, int j, int k, int l, int m, int n)
{
    return csfs_ang_6j_triads(i, j, k, l, m, n);
}

/* ITREXG: lowest doubled rank and the count of ranks (*k <= 0: none). */
static inline int itrexg(int i1, int i2, int i3, int i4, int *k)
{
    int a = abs(i1 - i2), b = abs(i3 - i4);
    int j = a > b ? a : b;
    int c = abs(i1 + i2), d = abs(i3 + i4);
    *k = (c < d ? c : d) - j + 1;
    return j;
}

/* COULOM's "non-zero": ITTK on the l values and GRASP's CRE (C^k between
 * |kappa| values ka, kb: |ka - kb| <= k <= ka + kb - 1). The C^k reduced
 * matrix element of angular/racah.c is non-zero under exactly these rules
 * (tests/c/test_angular.c). */
static inline int cre_nz(int ka, int k, int kb)
{
    return abs(ka - kb) <= k && ka + kb - 1 >= k;
}

static int coulom_nz(int j1, int j2, int j3, int j4, int l1, int l2, int l3, int l4, int k)
{
    if (!ittk(l1, l3, k) || !ittk(l2, l4, k)) return 0;
    return cre_nz(j1, k, j3) && cre_nz(j2, k, j4);
}

/* ---- SETQNA ----------------------------------------------------------------- */

static void couplings(const csfs_ia_pair *p, const csfs_ia_csf *c, int *jjc)
{
    int jcnt = 0, jcntop = 0;
    int w1 = p->jlist[1], w2 = p->jlist[2];
    if (ichop(p, c, w1) != 0) {
        jjc[1] = c->jq3[w2];
        if (ichop(p, c, w2) == 0) jcntop = 1;
    } else {
        jcntop = 1;
        if (ichop(p, c, w2) == 0)
            jjc[1] = c->jcup[jcnt++];
        else
            jjc[1] = c->jq3[w1];
    }
    for (int j = 3; j <= p->npeel; j++) {
        int w = p->jlist[j];
        if (ichop(p, c, w) != 0) {
            jjc[j - 1] = jjc[j - 2];
        } else {
            if (jcntop)
                jjc[j - 1] = c->jcup[jcnt++];
            else
                jjc[j - 1] = c->jq3[w];
            jcntop++;
        }
    }
}

static void setqna(csfs_ia_pair *p)
{
    p->npeel = p->ncore = 0;
    for (int s = 0; s < p->o->nw; s++) {
        int ca = ichop(p, p->a, s), cb = ichop(p, p->b, s);
        if (ca == -1 && cb == -1) continue;
        if (ca == 1 && cb == 1)
            p->klist[++p->ncore] = s;
        else
            p->jlist[++p->npeel] = s;
    }
    if (p->npeel <= 1) return;
    couplings(p, p->a, p->jjc1);
    couplings(p, p->b, p->jjc2);
}

#define NQ1(s) (p->a->q[s])
#define NQ2(s) (p->b->q[s])
#define JJQ1(k, s) jjq(p->a, k, s)
#define JJQ2(k, s) jjq(p->b, k, s)
#define TWOJ(pos) (p->o->two_j[p->jlist[pos]])
#define KAP(pos) ((TWOJ(pos) + 1) / 2) /* GRASP's "L" = |kappa| */
#define ELL(pos) (p->o->l[p->jlist[pos]])

/* ---- recoupling tests (IRE = 0: triangle rules only) ------------------------ */

static int reco(const csfs_ia_pair *p, int ja1, int ja2, int ja3, int ja4, int ka)
{
    int iat = 1, np = p->npeel;
    if (np == 1) return 1;
    if ((ja1 == 1 && ja2 == 2) || ka == 0) {
        for (int i = 1; i <= np; i++) {
            int ij = p->jlist[i];
            if (i < np - 1 && p->jjc1[i] != p->jjc2[i]) iat = 0;
            if (ka != 0 && (i == ja1 || i == ja2)) continue;
            for (int j = 1; j <= 3; j++) {
                if (ja1 == ja2 && i == ja1 && j == 1) continue;
                if (JJQ1(j, ij) != JJQ2(j, ij)) iat = 0;
            }
        }
        return iat;
    }
    for (int i = 1; i <= np; i++) {
        int ij = p->jlist[i];
        if (i < np - 1) {
            int ia1 = ja1 - 1, ia2 = ja2 - 1;
            if (ja1 == 1) ia1 = ja1;
            if (!(i >= ia1 && i < ia2) && p->jjc1[i] != p->jjc2[i]) iat = 0;
        }
        if (i == ja1 || i == ja2) continue;
        if ((ka == 2 || ka == 3) && i == ja3) continue;
        if (ka == 3 && i == ja4) continue;
        for (int j = 1; j <= 3; j++)
            if (JJQ1(j, ij) != JJQ2(j, ij)) iat = 0;
    }
    return iat;
}

static int diaga1(const csfs_ia_pair *p, int ja1, int ka)
{
    int ij1 = p->jlist[ja1];
    int ia1 = JJQ1(3, ij1) - 1, ib1 = JJQ2(3, ij1) - 1, j1, it1, it1s;
    if (ja1 <= 2) {
        int ll1 = ja1 == 1 ? p->jlist[2] : p->jlist[1];
        j1 = JJQ1(3, ll1) - 1;
        it1 = p->jjc1[1] - 1;
        it1s = p->jjc2[1] - 1;
    } else {
        j1 = p->jjc1[ja1 - 2] - 1;
        it1 = p->jjc1[ja1 - 1] - 1;
        it1s = p->jjc2[ja1 - 1] - 1;
    }
    return ixjtik(ka, ib1, ia1, j1, it1, it1s);
}

static int diaga2(const csfs_ia_pair *p, int ja1, int ja2, int ka)
{
    int ij1 = p->jlist[ja1], ij2 = p->jlist[ja2];
    int ia1 = JJQ1(3, ij1) - 1, ia2 = JJQ1(3, ij2) - 1;
    int ib1 = JJQ2(3, ij1) - 1, ib2 = JJQ2(3, ij2) - 1;
    int j2, it2, it2s;
    if (ja1 == 1 && ja2 == 2) {
        it2 = ia1;
        it2s = ib1;
        j2 = p->jjc1[1] - 1;
    } else {
        j2 = p->jjc1[ja2 - 1] - 1;
        it2 = p->jjc1[ja2 - 2] - 1;
        it2s = p->jjc2[ja2 - 2] - 1;
    }
    return ixjtik(ka, ib2, ia2, j2, it2, it2s);
}

static int diaga3(const csfs_ia_pair *p, int ja1, int ja2, int ka)
{
    int i = ja1 + 1;
    if (ja1 == 1) i++;
    if (i >= ja2) return 1;
    for (;;) {
        int ll1 = p->jlist[i];
        int ji = JJQ1(3, ll1) - 1;
        int iti = p->jjc1[i - 2] - 1, itis = p->jjc2[i - 2] - 1;
        int iti1 = p->jjc1[i - 1] - 1, iti1s = p->jjc2[i - 1] - 1;
        if (!ixjtik(ka, itis, iti, ji, iti1, iti1s)) return 0;
        i++;
        if (i == ja2) return 1;
    }
}

static int diaga4(const csfs_ia_pair *p, int ja1, int ja2, int k1, int k2, int ka)
{
    int ij1 = p->jlist[ja1], ij2 = p->jlist[ja2];
    int ia1 = JJQ1(3, ij1) - 1, ia2 = JJQ1(3, ij2) - 1;
    int ib1 = JJQ2(3, ij1) - 1, ib2 = JJQ2(3, ij2) - 1;
    int j2, j2s, it2, it2s;
    if (ja1 == 1 && ja2 == 2) {
        it2 = ia1;
        it2s = ib1;
        j2 = p->jjc1[1] - 1;
        j2s = p->jjc2[1] - 1;
    } else {
        j2 = p->jjc1[ja2 - 1] - 1;
        j2s = p->jjc2[ja2 - 1] - 1;
        it2 = p->jjc1[ja2 - 2] - 1;
        it2s = p->jjc2[ja2 - 2] - 1;
    }
    /* NINE(it2s,k1,it2, ib2,k2,ia2, j2s,ka,j2) in its triangle-only mode */
    return ittk(it2s, k1, it2) && ittk(ib2, k2, ia2) && ittk(j2s, ka, j2) && ittk(it2s, ib2, j2s) &&
           ittk(k1, k2, ka) && ittk(it2, ia2, j2);
}

static int reco2(const csfs_ia_pair *p, int ja1, int ja2, int ka)
{
    if (!diaga2(p, ja1, ja2, ka)) return 0;
    if (ja1 == 1 && ja2 == 2) return 1;
    if (!diaga1(p, ja1, ka)) return 0;
    int iskr = ja1 == 1 ? ja2 - 1 - ja1 : ja2 - ja1;
    if (iskr <= 1) return 1;
    return diaga3(p, ja1, ja2, ka);
}

static int reco3(const csfs_ia_pair *p, int ja1, int ja2, int ja3, int k1, int k2, int ka)
{
    if (ja3 - ja2 > 1 && !diaga3(p, ja2, ja3, ka)) return 0;
    if (!diaga2(p, ja1, ja3, ka)) return 0;
    if (!diaga4(p, ja1, ja2, k1, k2, ka)) return 0;
    if (ja1 == 1 && ja2 == 2) return 1;
    if (!diaga1(p, ja1, k1)) return 0;
    int iskr = ja1 == 1 ? ja2 - 1 - ja1 : ja2 - ja1;
    if (iskr <= 1) return 1;
    return diaga3(p, ja1, ja2, k1);
}

/* REC3: RECO3 with the three positions in increasing order. */
static int rec3(const csfs_ia_pair *p, int ja1, int ja2, int ja3, int k1, int k2, int k3)
{
    if (ja3 > ja1 && ja3 > ja2) {
        if (ja1 < ja2) return reco3(p, ja1, ja2, ja3, k1, k2, k3);
        if (ja1 > ja2) return reco3(p, ja2, ja1, ja3, k2, k1, k3);
        return 0;
    }
    if (ja3 < ja1 && ja3 < ja2) {
        if (ja1 < ja2) return reco3(p, ja3, ja1, ja2, k3, k1, k2);
        if (ja1 > ja2) return reco3(p, ja3, ja2, ja1, k3, k2, k1);
        return 0;
    }
    if (ja1 < ja2) return reco3(p, ja1, ja3, ja2, k1, k3, k2);
    if (ja1 > ja2) return reco3(p, ja2, ja3, ja1, k2, k3, k1);
    return 0;
}

static int reco4(const csfs_ia_pair *p, int ja1, int ja2, int ja3, int ja4, int k1, int k2, int k3,
                 int k4, int ka)
{
    if (ja3 - ja2 > 1 && !diaga3(p, ja2, ja3, ka)) return 0;
    if (ja4 - ja3 > 1 && !diaga3(p, ja3, ja4, k4)) return 0;
    if (!diaga2(p, ja1, ja4, k4)) return 0;
    if (!diaga4(p, ja1, ja2, k1, k2, ka)) return 0;
    if (!diaga4(p, ja2, ja3, ka, k3, k4)) return 0;
    if (ja1 == 1 && ja2 == 2) return 1;
    if (!diaga1(p, ja1, k1)) return 0;
    int iskr = ja1 == 1 ? ja2 - 1 - ja1 : ja2 - ja1;
    if (iskr <= 1) return 1;
    return diaga3(p, ja1, ja2, k1);
}

/* SNRC: the Breit ranks of a two-body term over subshells is[4]. */
typedef struct snrc_out {
    int nd1, nd2, ne1, ne2, ibrd, ibre;
} snrc_out;

static snrc_out snrc(const csfs_ia_pair *p, int s1, int s2, int s3, int s4)
{
    int is[4] = {s1, s2, s3, s4}, kaps[4], ks[4];
    for (int i = 0; i < 4; i++) {
        kaps[i] = 2 * p->o->kappa[is[i]];
        ks[i] = abs(kaps[i]);
    }
    snrc_out r = {0, 0, 0, 0, 0, 0};
    int iac = kaps[0] * kaps[2] < 0 ? -1 : 1;
    int iad = kaps[1] * kaps[3] < 0 ? -1 : 1;
    r.nd1 = abs(ks[0] - ks[2]) / 2 - 1;
    if (iac == -1) r.nd1++;
    if (r.nd1 == -1) r.nd1 = 1;
    int nd1a = abs(ks[1] - ks[3]) / 2 - 1;
    if (iad == -1) nd1a++;
    if (nd1a == -1) nd1a = 1;
    if ((r.nd1 - nd1a) % 2 != 0) {
        r.ibrd = -1;
    } else {
        r.nd2 = abs(ks[0] + ks[2]) / 2;
        if (iac == -1) r.nd2++;
        int nd2a = abs(ks[1] + ks[3]) / 2;
        if (iad == -1) nd2a++;
        r.nd1 = r.nd1 > nd1a ? r.nd1 : nd1a;
        r.nd2 = r.nd2 < nd2a ? r.nd2 : nd2a;
        r.nd2 = (r.nd2 - r.nd1) / 2 + 1;
        r.ibrd = 1;
        if ((is[0] == is[2] && is[1] != is[3]) || (is[0] != is[2] && is[1] == is[3])) r.ibrd = 2;
        if (is[0] == is[2] && is[1] == is[3]) r.ibrd = 3;
    }
    if (is[0] == is[1] || is[2] == is[3]) {
        r.ibre = -1;
        return r;
    }
    iac = kaps[0] * kaps[3] < 0 ? -1 : 1;
    iad = kaps[1] * kaps[2] < 0 ? -1 : 1;
    r.ne1 = abs(ks[0] - ks[3]) / 2 - 1;
    if (iac == -1) r.ne1++;
    if (r.ne1 == -1) r.ne1 = 1;
    int ne1a = abs(ks[1] - ks[2]) / 2 - 1;
    if (iad == -1) ne1a++;
    if (ne1a == -1) ne1a = 1;
    if ((r.ne1 - ne1a) % 2 != 0) {
        r.ibre = -1;
        return r;
    }
    r.ne2 = abs(ks[0] + ks[3]) / 2;
    if (iac == -1) r.ne2++;
    int ne2a = abs(ks[1] + ks[2]) / 2;
    if (iad == -1) ne2a++;
    r.ne1 = r.ne1 > ne1a ? r.ne1 : ne1a;
    r.ne2 = r.ne2 < ne2a ? r.ne2 : ne2a;
    r.ne2 = (r.ne2 - r.ne1) / 2 + 1;
    r.ibre = 1;
    if ((is[0] == is[3] && is[1] != is[2]) || (is[0] != is[3] && is[1] == is[2])) r.ibre = 2;
    if (is[0] == is[2] && is[1] == is[3]) r.ibre = 4;
    return r;
}

/* ---- explain ------------------------------------------------------------------ */

static int hit(csfs_ia_pair *p, const char *rule, const char *part, int k, int s1, int s2, int s3,
               int s4)
{
    if (p->why) {
        p->why->rule = rule;
        p->why->part = part;
        p->why->k = k;
        p->why->sub[0] = s1 > 0 ? p->jlist[s1] : -1;
        p->why->sub[1] = s2 > 0 ? p->jlist[s2] : -1;
        p->why->sub[2] = s3 > 0 ? p->jlist[s3] : -1;
        p->why->sub[3] = s4 > 0 ? p->jlist[s4] : -1;
    }
    return 1;
}

#define DC (p->ham == CSFS_IA_DC)
#define PMGG_MAX 30

/* ---- one-body (onescalarINT, onescalar2INT) ------------------------------------ */

static int onescalar(csfs_ia_pair *p)
{
    /* ICHKQ1: at most two subshells differ, by one electron each */
    int k = 0;
    for (int s = 0; s < p->o->nw; s++) {
        int d = NQ1(s) - NQ2(s);
        if (!d) continue;
        if (++k > 2) return 0;
        if (abs(d) > 1) return 0;
    }
    if (k != 2 && k != 0) return 0;
    int idq = 0, ja1 = 0, ja2 = 0;
    for (int jw = 1; jw <= p->npeel; jw++) {
        int d = NQ1(p->jlist[jw]) - NQ2(p->jlist[jw]);
        if (abs(d) > 1) return 0;
        if (d > 0) ja1 = jw, idq++;
        if (d < 0) ja2 = jw, idq++;
    }
    /* Same occupations: GRASP's diagonal branch only counts a CSF with itself. */
    if (idq != 2) return 0;
    if (TWOJ(ja1) != TWOJ(ja2)) return 0;
    if (ja1 == ja2) return 0;
    int jaa = ja1 < ja2 ? ja1 : ja2, jbb = ja1 < ja2 ? ja2 : ja1;
    if (!reco(p, jaa, jbb, jbb, jbb, 1)) return 0;
    if (!reco2(p, jaa, jbb, TWOJ(ja2))) return 0;
    return hit(p, "one-body", "", 0, ja1, ja2, 0, 0);
}

/* ---- two-body routines ------------------------------------------------------------- */

static int el1(csfs_ia_pair *p, int ja, int jb, int iire)
{
    if (ja == jb) return 0; /* a subshell with itself: only a CSF with itself */
    if (p->npeel <= 1) return 0;
    if (iire && !reco(p, ja, jb, jb, jb, 1)) return 0;
    int j1 = TWOJ(ja), j2 = TWOJ(jb), L1 = KAP(ja), L2 = KAP(jb), l1 = ELL(ja), l2 = ELL(jb);
    int ikk, ip1 = itrexg(j1, j1, j2, j2, &ikk) + 1;
    if (ikk <= 0) return 0;
    int ig1 = ip1 + ikk - 1;
    char pmgg[PMGG_MAX + 2] = {0};
    for (int i4 = ip1; i4 <= ig1; i4 += 2) {
        int kra = (i4 - 1) / 2;
        if (kra + 1 > PMGG_MAX) return 0;
        pmgg[kra + 1] = (char)reco2(p, ja, jb, kra * 2);
    }
    snrc_out br = {0, 0, 0, 0, 0, 0};
    if (!DC) {
        br = snrc(p, p->jlist[ja], p->jlist[jb], p->jlist[ja], p->jlist[jb]);
        if (br.ibrd == 0 && br.ibre == 0) return 0;
    }
    for (int i1 = ip1; i1 <= ig1; i1 += 2) {
        int kra = (i1 - 1) / 2;
        if (DC) {
            if (!coulom_nz(L1, L2, L1, L2, l1, l2, l1, l2, kra)) continue;
            if (!pmgg[kra + 1]) continue;
            return hit(p, "EL1", "direct", kra, ja, jb, 0, 0);
        }
        if (((kra - br.nd1) / 2) * 2 == kra - br.nd1)
            return hit(p, "EL1", "direct", kra, ja, jb, 0, 0);
    }
    int ip2 = itrexg(j1, j2, j1, j2, &ikk) + 1;
    if (ikk <= 0) return 0;
    int ig2 = ip2 + ikk - 1;
    for (int i2 = ip2; i2 <= ig2; i2 += 2) {
        int kra = (i2 - 1) / 2;
        if (kra > PMGG_MAX) return 0;
        if (DC && !coulom_nz(L1, L2, L2, L1, l1, l2, l2, l1, kra)) continue;
        int n = 0;
        for (int i3 = ip1; i3 <= ig1; i3 += 2) {
            int j12 = (i3 - 1) / 2;
            if (!pmgg[j12 + 1]) continue;
            if (!ixjtik(j1, j2, kra * 2, j2, j1, j12 * 2)) continue;
            n++;
        }
        if (n) return hit(p, "EL1", "exchange", kra, ja, jb, 0, 0);
    }
    return 0;
}

static int el2(csfs_ia_pair *p, int ja, int jb)
{
    if (p->npeel <= 1) return 0;
    int jaa = ja > jb ? jb : ja, jbb = ja > jb ? ja : jb;
    if (!reco(p, jaa, jbb, jbb, jbb, 1)) return 0;
    int j1 = TWOJ(ja), j2 = TWOJ(jb), L1 = KAP(ja), L2 = KAP(jb), l1 = ELL(ja), l2 = ELL(jb);
    int ikk, ip1 = itrexg(j1, j1, j2, j2, &ikk) + 1;
    if (ikk <= 0) return 0;
    int ig1 = ip1 + ikk - 1;
    int ip2 = itrexg(j1, j2, j1, j2, &ikk) + 1;
    if (ikk <= 0) return 0;
    int ig2 = ip2 + ikk - 1;
    if (!DC) {
        snrc_out br = snrc(p, p->jlist[ja], p->jlist[ja], p->jlist[jb], p->jlist[jb]);
        if (br.ibrd <= 0) return 0;
    }
    for (int i2 = ip2; i2 <= ig2; i2 += 2) {
        int kra = (i2 - 1) / 2;
        if (DC && !coulom_nz(L1, L1, L2, L2, l1, l1, l2, l2, kra)) continue;
        int n = 0;
        for (int i3 = ip1; i3 <= ig1; i3 += 2) {
            int j12 = (i3 - 1) / 2;
            if (reco2(p, jaa, jbb, j12 * 2) && ixjtik(j1, j2, kra * 2, j2, j1, j12 * 2)) n++;
        }
        if (n) return hit(p, "EL2", "", kra, ja, jb, 0, 0);
    }
    return 0;
}

/* EL31INT (variant 1) and EL32INT (variant 2): one electron moved, the
 * spectator being one of the two subshells. */
static int el3x(csfs_ia_pair *p, int variant, int ja, int jb, int jja, int jjb, int jjc, int jjd)
{
    if (p->npeel <= 1) return 0;
    int jaa = ja > jb ? jb : ja, jbb = ja > jb ? ja : jb;
    if (!reco(p, jaa, jbb, jbb, jbb, 1)) return 0;
    int j1 = TWOJ(ja), j2 = TWOJ(jb), L1 = KAP(ja), L2 = KAP(jb), l1 = ELL(ja), l2 = ELL(jb);
    if (!reco2(p, jaa, jbb, variant == 1 ? j2 : j1)) return 0;
    int ikk, ip1;
    if (variant == 1)
        ip1 = itrexg(j1, j1, j1, j2, &ikk) + 1;
    else
        ip1 = itrexg(j2, j2, j1, j2, &ikk) + 1;
    if (ikk <= 0) return 0;
    int ig1 = ip1 + ikk - 1;
    if (!DC) {
        snrc_out br = snrc(p, p->jlist[jja], p->jlist[jjb], p->jlist[jjc], p->jlist[jjd]);
        if (br.ibrd <= 0) return 0;
    }
    for (int i2 = ip1; i2 <= ig1; i2 += 2) {
        int kra = (i2 - 1) / 2;
        if (DC) {
            int nz = variant == 1 ? coulom_nz(L2, L1, L1, L1, l2, l1, l1, l1, kra)
                                  : coulom_nz(L2, L2, L2, L1, l2, l2, l2, l1, kra);
            if (!nz) continue;
        }
        int n = 0;
        for (int i3 = ip1; i3 <= ig1; i3 += 2) {
            int j12 = (i3 - 1) / 2;
            int ifaz = (variant == 1 ? j2 : j1) - j12 + 1;
            if ((ifaz / 2) * 2 != ifaz) continue;
            int ok = variant == 1 ? ixjtik(j2, j1, kra * 2, j1, j1, j12 * 2)
                                  : ixjtik(j2, j2, kra * 2, j1, j2, j12 * 2);
            if (ok) n++;
        }
        if (n) return hit(p, variant == 1 ? "EL31" : "EL32", "", kra, ja, jb, 0, 0);
    }
    return 0;
}

static void eile(int ja, int jb, int jc, int *jaa, int *jbb, int *jcc)
{
    *jaa = ja;
    *jcc = ja;
    if (*jaa > jb) *jaa = jb;
    if (*jcc < jb) *jcc = jb;
    if (*jaa > jc) *jaa = jc;
    if (*jcc < jc) *jcc = jc;
    if (ja > *jaa && ja < *jcc) *jbb = ja;
    if (jb > *jaa && jb < *jcc) *jbb = jb;
    if (jc > *jaa && jc < *jcc) *jbb = jc;
}

static int el33(csfs_ia_pair *p, int ja, int jb, int jc, int irez, int jja, int jjb, int jjc,
                int jjd)
{
    if (p->npeel <= 1) return 0;
    int jaa = 0, jbb = 0, jcc = 0;
    eile(ja, jb, jc, &jaa, &jbb, &jcc);
    if (!reco(p, jaa, jcc, jbb, jbb, 2)) return 0;
    int j1 = TWOJ(ja), j2 = TWOJ(jb), j3 = TWOJ(jc);
    int L1 = KAP(ja), L2 = KAP(jb), L3 = KAP(jc), l1 = ELL(ja), l2 = ELL(jb), l3 = ELL(jc);
    int ikk, ip1 = itrexg(j2, j1, j3, j3, &ikk) + 1;
    if (ikk <= 0) return 0;
    int ig1 = ip1 + ikk - 1;
    if (!DC) {
        snrc_out br = snrc(p, p->jlist[jja], p->jlist[jjb], p->jlist[jjc], p->jlist[jjd]);
        if (br.ibrd <= 0 && br.ibre <= 0) return 0;
    }
    char pmgg[PMGG_MAX + 2] = {0};
    for (int i4 = ip1; i4 <= ig1; i4 += 2) {
        int kra = (i4 - 1) / 2;
        if (kra + 1 > PMGG_MAX) return 0;
        pmgg[kra + 1] = (char)rec3(p, jb, ja, jc, j2, j1, kra * 2);
    }
    for (int pass = 0; pass < 2; pass++) {
        int direct = (irez == 1) == (pass == 0);
        if (direct) {
            for (int i1 = ip1; i1 <= ig1; i1 += 2) {
                int kra = (i1 - 1) / 2;
                if (DC && !coulom_nz(L2, L3, L1, L3, l2, l3, l1, l3, kra)) continue;
                if (!pmgg[kra + 1]) continue;
                return hit(p, "EL33", "direct", kra, ja, jb, jc, 0);
            }
        } else {
            int ip2 = itrexg(j3, j1, j2, j3, &ikk) + 1;
            if (ikk <= 0) return 0;
            int ig2 = ip2 + ikk - 1;
            for (int i2 = ip2; i2 <= ig2; i2 += 2) {
                int kra = (i2 - 1) / 2;
                if (kra > PMGG_MAX) return 0;
                if (DC && !coulom_nz(L3, L2, L1, L3, l3, l2, l1, l3, kra)) continue;
                int n = 0;
                for (int i3 = ip1; i3 <= ig1; i3 += 2) {
                    int j12 = (i3 - 1) / 2;
                    if (!pmgg[j12 + 1]) continue;
                    if (!ixjtik(j1, j3, kra * 2, j3, j2, j12 * 2)) continue;
                    n++;
                }
                if (n) return hit(p, "EL33", "exchange", kra, ja, jb, jc, 0);
            }
        }
    }
    return 0;
}

/* EL3INT: one electron moved with a spectator, by which positions coincide. */
static int el3(csfs_ia_pair *p, int ja, int jb, int jc, int jd)
{
    if (p->npeel <= 1) return 0;
    if (jb == jd) {
        if (ja == jb || jc == jb) {
            if (ja == jc) return 0;
            return jc != jb ? el3x(p, 2, jc, ja, ja, jb, jc, jd)
                            : el3x(p, 1, jc, ja, ja, jb, jc, jd);
        }
        return el33(p, jc, ja, jb, 1, ja, jb, jc, jd);
    }
    if (ja == jc) {
        if (jb == ja || jd == ja) {
            if (jb == jd) return 0;
            return jd != ja ? el3x(p, 2, jd, jb, ja, jb, jc, jd)
                            : el3x(p, 1, jd, jb, ja, jb, jc, jd);
        }
        return el33(p, jd, jb, ja, 1, ja, jb, jc, jd);
    }
    if (ja == jd) {
        if (jb == ja || jc == ja) {
            if (jb == jc) return 0;
            return jc != jd ? el3x(p, 2, jc, jb, ja, jb, jc, jd)
                            : el3x(p, 1, jc, jb, ja, jb, jc, jd);
        }
        return el33(p, jc, jb, ja, 2, ja, jb, jd, jc);
    }
    if (jb == jc) {
        if (ja == jb || jd == jb) {
            if (ja == jd) return 0;
            return jd != jb ? el3x(p, 2, jd, ja, ja, jb, jc, jd)
                            : el3x(p, 1, jd, ja, ja, jb, jc, jd);
        }
        return el33(p, jd, ja, jb, 2, ja, jb, jd, jc);
    }
    return 0; /* GRASP stops here ("ERRO IN EL3INT"); no pattern reaches it */
}

static int el41(csfs_ia_pair *p, int ja, int jb, int jc, int irez, int jja, int jjb, int jjc,
                int jjd)
{
    int jaa = 0, jbb = 0, jcc = 0;
    eile(ja, jb, jc, &jaa, &jbb, &jcc);
    if (p->npeel <= 1) return 0;
    if (!reco(p, jaa, jcc, jbb, jbb, 2)) return 0;
    int j1 = TWOJ(ja), j2 = TWOJ(jb), j3 = TWOJ(jc);
    int L1 = KAP(ja), L2 = KAP(jb), L3 = KAP(jc), l1 = ELL(ja), l2 = ELL(jb), l3 = ELL(jc);
    if (!DC) {
        snrc_out br = snrc(p, p->jlist[jja], p->jlist[jjb], p->jlist[jjc], p->jlist[jjd]);
        if (br.ibrd <= 0) return 0;
    }
    int ikk, ip1 = itrexg(j2, j1, j3, j3, &ikk) + 1;
    if (ikk <= 0) return 0;
    int ig1 = ip1 + ikk - 1;
    int ip2 = itrexg(j3, j1, j2, j3, &ikk) + 1;
    if (ikk <= 0) return 0;
    int ig2 = ip2 + ikk - 1;
    for (int i2 = ip2; i2 <= ig2; i2 += 2) {
        int kra = (i2 - 1) / 2;
        if (DC) {
            int nz = irez == 2 ? coulom_nz(L1, L2, L3, L3, l1, l2, l3, l3, kra)
                               : coulom_nz(L3, L3, L1, L2, l3, l3, l1, l2, kra);
            if (!nz) continue;
        }
        int n = 0;
        for (int i3 = ip1; i3 <= ig1; i3 += 2) {
            int j12 = (i3 - 1) / 2;
            int ifaz = (irez == 2 ? j1 : j2) - j12 + 1;
            if ((ifaz / 2) * 2 != ifaz) continue;
            if (!rec3(p, ja, jb, jc, j1, j2, j12 * 2)) continue;
            if (!ixjtik(j3, j1, kra * 2, j2, j3, j12 * 2)) continue;
            n++;
        }
        if (n) return hit(p, "EL41", "", kra, ja, jb, jc, 0);
    }
    return 0;
}

static int el4(csfs_ia_pair *p, int ja, int jb, int jc, int jd)
{
    if (p->npeel <= 2) return 0;
    if (ja == jb) return el41(p, jc, jd, ja, 1, ja, jb, jc, jd);
    if (jc == jd) return el41(p, ja, jb, jc, 2, ja, jb, jc, jd);
    return 0; /* GRASP stops ("ERRO IN EL4INT") */
}

/* EL51INT / EL52INT / EL53INT: four different subshells. */
static int el5x(csfs_ia_pair *p, int variant, int ja, int jb, int jc, int jd, int irez)
{
    if (p->npeel <= 3) return 0;
    if (!reco(p, ja, jd, jc, jb, 3)) return 0;
    int ia = p->jlist[ja], ib = p->jlist[jb], ic = p->jlist[jc], id = p->jlist[jd];
    int J[5] = {0, TWOJ(ja), TWOJ(jb), TWOJ(jc), TWOJ(jd)};
    int L[5] = {0, KAP(ja), KAP(jb), KAP(jc), KAP(jd)};
    int l[5] = {0, ELL(ja), ELL(jb), ELL(jc), ELL(jd)};
    static const char *names[4] = {"", "EL51", "EL52", "EL53"};
    if (!DC) {
        snrc_out br;
        if (variant == 1)
            br = irez == 1 ? snrc(p, ia, ib, ic, id) : snrc(p, ic, id, ia, ib);
        else if (variant == 2)
            br = irez == 1 ? snrc(p, ia, ic, ib, id) : snrc(p, ib, id, ia, ic);
        else
            br = irez == 1 ? snrc(p, ia, id, ib, ic) : snrc(p, ib, ic, ia, id);
        if (br.ibrd <= 0 && br.ibre <= 0) return 0;
    }
    int ikk, ip1 = itrexg(J[1], J[2], J[3], J[4], &ikk) + 1;
    if (ikk <= 0) return 0;
    int ig1 = ip1 + ikk - 1;
    char pmgg[PMGG_MAX + 2] = {0};
    for (int i4 = ip1; i4 <= ig1; i4 += 2) {
        int kra = (i4 - 1) / 2;
        if (kra + 1 > PMGG_MAX) return 0;
        pmgg[kra + 1] = (char)reco4(p, ja, jb, jc, jd, J[1], J[2], J[3], J[4], kra * 2);
    }
/* COULOM(L[a],L[b],L[c],L[d], l[a],l[b],l[c],l[d], k) */
#define CNZ(a, b, c, d, k) coulom_nz(L[a], L[b], L[c], L[d], l[a], l[b], l[c], l[d], k)
    if (variant == 1) {
        /* first term: ranks of (j1 j3, j2 j4) */
        int ip2 = itrexg(J[1], J[3], J[2], J[4], &ikk) + 1;
        if (ikk <= 0) return 0;
        int ig2 = ip2 + ikk - 1;
        for (int i2 = ip2; i2 <= ig2; i2 += 2) {
            int kra = (i2 - 1) / 2;
            if (DC && !(irez == 2 ? CNZ(3, 4, 1, 2, kra) : CNZ(1, 2, 3, 4, kra))) continue;
            int n = 0;
            for (int i3 = ip1; i3 <= ig1; i3 += 2) {
                int j12 = (i3 - 1) / 2;
                int ifaz = irez == 2 ? J[2] + J[3] - 2 * j12 : J[1] + J[4] - 2 * j12;
                if ((ifaz / 2) * 2 != ifaz) continue;
                if (j12 + 1 > PMGG_MAX) return 0;
                if (!pmgg[j12 + 1]) continue;
                if (!ixjtik(J[1], J[3], kra * 2, J[4], J[2], j12 * 2)) continue;
                n++;
            }
            if (n) return hit(p, names[variant], "direct", kra, ja, jb, jc, jd);
        }
    } else {
        /* first term: the recoupling rank itself */
        for (int i3 = ip1; i3 <= ig1; i3 += 2) {
            int kra = (i3 - 1) / 2;
            if (DC) {
                int nz = variant == 2 ? (irez == 2 ? CNZ(2, 4, 1, 3, kra) : CNZ(1, 3, 2, 4, kra))
                                      : (irez == 2 ? CNZ(2, 3, 1, 4, kra) : CNZ(1, 4, 2, 3, kra));
                if (!nz) continue;
            }
            if (kra + 1 > PMGG_MAX) return 0;
            if (!pmgg[kra + 1]) continue;
            return hit(p, names[variant], "direct", kra, ja, jb, jc, jd);
        }
    }
    /* second term */
    int ip2;
    if (variant == 3)
        ip2 = itrexg(J[1], J[3], J[4], J[2], &ikk) + 1;
    else
        ip2 = itrexg(J[1], J[4], J[2], J[3], &ikk) + 1;
    if (ikk <= 0) return 0;
    int ig2 = ip2 + ikk - 1;
    for (int i2 = ip2; i2 <= ig2; i2 += 2) {
        int kra = (i2 - 1) / 2;
        if (DC) {
            int nz;
            if (variant == 1)
                nz = irez == 2 ? CNZ(3, 4, 2, 1, kra) : CNZ(1, 2, 4, 3, kra);
            else if (variant == 2)
                nz = irez == 2 ? CNZ(2, 4, 3, 1, kra) : CNZ(1, 3, 4, 2, kra);
            else
                nz = irez == 2 ? CNZ(2, 3, 4, 1, kra) : CNZ(1, 4, 3, 2, kra);
            if (!nz) continue;
        }
        int n = 0;
        for (int i3 = ip1; i3 <= ig1; i3 += 2) {
            int j12 = (i3 - 1) / 2, ifaz;
            if (variant == 1)
                ifaz = irez == 2 ? J[3] - J[2] : J[1] - J[4];
            else if (variant == 2)
                ifaz = irez == 2 ? J[4] - J[2] - 2 * j12 : J[1] - J[3] + 2 * j12;
            else
                ifaz = irez == 2 ? J[2] + J[3] + 2 * j12 : J[1] + J[4] + 2 * j12;
            if ((ifaz / 2) * 2 != ifaz) continue;
            if (j12 + 1 > PMGG_MAX) return 0;
            if (!pmgg[j12 + 1]) continue;
            int ok = variant == 3 ? ixjtik(J[1], J[3], kra * 2, J[4], J[2], j12 * 2)
                                  : ixjtik(J[1], J[4], kra * 2, J[3], J[2], j12 * 2);
            if (!ok) continue;
            n++;
        }
        if (n) return hit(p, names[variant], "exchange", kra, ja, jb, jc, jd);
    }
#undef CNZ
    return 0;
}

static int el5(csfs_ia_pair *p, int ja, int jb, int jc, int jd)
{
    if (p->npeel <= 3) return 0;
    if (jb < jc) return el5x(p, 1, ja, jb, jc, jd, 1);
    if (ja > jd && jb > jd) return el5x(p, 1, jc, jd, ja, jb, 2);
    if (jb > jc && jb < jd && ja < jc) return el5x(p, 2, ja, jc, jb, jd, 1);
    if (jb > jc && jb > jd && ja > jc) return el5x(p, 2, jc, ja, jd, jb, 2);
    if (jb > jc && jb > jd && ja < jc) return el5x(p, 3, ja, jc, jd, jb, 1);
    if (jb > jc && jb < jd && ja > jc) return el5x(p, 3, jc, ja, jb, jd, 2);
    return 0; /* GRASP stops ("ERRO IN EL5INT") */
}

/* ---- Interact_CSF -------------------------------------------------------------------- */

int csfs_ia_may_interact(const csfs_ia_orbs *o, const csfs_ia_csf *a, const csfs_ia_csf *b)
{
    if (a->itjpo != b->itjpo || a->parity != b->parity) return 0;
    int k = 0;
    for (int s = 0; s < o->nw; s++) {
        int d = a->q[s] - b->q[s];
        if (!d) continue;
        if (++k > 4 || abs(d) > 2) return 0;
    }
    return 1;
}

int csfs_ia_interact(csfs_ia_pair *p, const csfs_ia_csf *a, const csfs_ia_csf *b, int hamiltonian,
                     csfs_ia_why *why)
{
    p->a = a;
    p->b = b;
    p->ham = hamiltonian;
    p->why = why;
    if (why) *why = (csfs_ia_why){"", "", -1, {-1, -1, -1, -1}};
    if (!csfs_ia_may_interact(p->o, a, b)) return 0;
    setqna(p);
    if (p->npeel == 0) return 0;
    if (onescalar(p)) return 1;
    /* One open subshell: GRASP's branch ends without a two-body call that
     * could succeed (EL3INT returns at once with one peel subshell). */
    if (p->npeel == 1) return 0;
    int idq = 0, ja1 = 0, jb1 = 0, ja2 = 0, jb2 = 0, idqg = 0;
    for (int jw = 1; jw <= p->npeel; jw++) {
        int s = p->jlist[jw];
        int ndq = NQ1(s) - NQ2(s);
        if (abs(ndq) > 2) return 0;
        if (ndq < 0) {
            if (ndq == -1) {
                if (ja2 > 0)
                    jb2 = jw;
                else
                    ja2 = jw;
                idq++;
                idqg++;
            } else {
                ja2 = jw;
                idq += 2;
                idqg += 20;
            }
        } else if (ndq > 0) {
            if (ndq == 2) {
                ja1 = jw;
                idq += 2;
                idqg += 20;
            } else {
                if (ja1 > 0)
                    jb1 = jw;
                else
                    ja1 = jw;
                idq++;
                idqg++;
            }
        }
    }
    if (idq > 4) return 0;
    if (idq == 4) {
        if (jb1 == 0) jb1 = ja1;
        if (jb2 == 0) jb2 = ja2;
        if (idqg == 40) return el2(p, ja1, ja2);
        if (idqg == 22) return el4(p, ja1, jb1, ja2, jb2);
        return el5(p, ja1, jb1, ja2, jb2);
    }
    if (idq != 2 && idq != 0) return 0; /* GRASP stops ("Interact_CSF: Error.") */
    int klast = idq == 2 ? 1 : p->npeel;
    for (int kwa = 1; kwa <= klast; kwa++) {
        if (idq != 2) {
            ja1 = kwa;
            ja2 = kwa;
        }
        int jt1 = ja1, jt2 = ja2;
        int it1 = p->jlist[ja1], it2 = p->jlist[ja2];
        for (int kw = kwa; kw <= p->npeel; kw++) {
            int k1 = p->jlist[kw];
            if (NQ1(k1) * NQ2(k1) == 0) continue;
            jb1 = kw;
            jb2 = kw;
            ja1 = jt1;
            ja2 = jt2;
            if (ja1 > jb1) {
                int t = jb1;
                jb1 = ja1;
                ja1 = t;
            } else if (ja1 == jb1) {
                if (NQ1(p->jlist[jb1]) <= 1) continue;
            }
            if (ja2 > jb2) {
                int t = jb2;
                jb2 = ja2;
                ja2 = t;
            } else if (ja2 == jb2) {
                if (NQ2(p->jlist[jb2]) <= 1) continue;
            }
            if (idq != 0) {
                if (el3(p, ja1, jb1, ja2, jb2)) return 1;
            } else {
                if (el1(p, ja1, jb1, 1)) return 1;
            }
        }
        if (idq == 0 && p->ncore == 0) continue;
        if (p->ncore == 0 || p->o->kappa[it1] != p->o->kappa[it2]) return 0;
        /* Spectators from the closed subshells (full in both CSFs). */
        int np = p->npeel;
        memcpy(p->jlis + 1, p->jlist + 1, (size_t)np * sizeof(int));
        memcpy(p->jc1s + 1, p->jjc1 + 1, (size_t)(np - 1) * sizeof(int));
        memcpy(p->jc2s + 1, p->jjc2 + 1, (size_t)(np - 1) * sizeof(int));
        for (int kw = 1; kw <= p->ncore; kw++) {
            int ijw = p->klist[kw];
            int i;
            for (i = 1; i <= np; i++)
                if (ijw < p->jlist[i]) break;
            if (i <= np) {
                int im = np - i + 1;
                for (int ii = 1; ii <= im; ii++) {
                    p->jlist[np + 2 - ii] = p->jlist[np + 1 - ii];
                    if (np == ii) break;
                    p->jjc1[np + 1 - ii] = p->jjc1[np - ii];
                    p->jjc2[np + 1 - ii] = p->jjc2[np - ii];
                }
            }
            if (i < 3) {
                int i1 = p->jlist[1];
                p->jjc1[1] = JJQ1(3, i1);
                p->jjc2[1] = JJQ2(3, i1);
            } else {
                p->jjc1[i - 1] = p->jjc1[i - 2];
                p->jjc2[i - 1] = p->jjc2[i - 2];
            }
            p->jlist[i] = ijw;
            ja1 = jt1;
            if (jt1 >= i) ja1++;
            jb1 = i;
            ja2 = jt2;
            if (jt2 >= i) ja2++;
            jb2 = i;
            if (ja1 > jb1) {
                int t = jb1;
                jb1 = ja1;
                ja1 = t;
            }
            if (ja2 > jb2) {
                int t = jb2;
                jb2 = ja2;
                ja2 = t;
            }
            p->npeel = np + 1;
            if (idq != 0) {
                if (idqg != 2) return 0; /* GRASP: message and return */
                if (el3(p, ja1, jb1, ja2, jb2)) return 1;
            }
            if (el1(p, ja1, jb1, 1)) return 1;
            p->npeel = np;
            memcpy(p->jlist + 1, p->jlis + 1, (size_t)np * sizeof(int));
            memcpy(p->jjc1 + 1, p->jc1s + 1, (size_t)(np - 1) * sizeof(int));
            memcpy(p->jjc2 + 1, p->jc2s + 1, (size_t)(np - 1) * sizeof(int));
        }
    }
    return 0;
}
