/*
 * Subshell lists and CSFs in GRASP's quantum numbers, read the way GRASP's
 * loader (lodcsl) reads them: line 1 as 9-byte "label(occ)" fields, lines 2
 * and 3 as sequences of numbers separated by blanks, commas or semicolons
 * (PARSJL), the numbers assigned to the open subshells in order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "angular/racah.h"
#include "listtools/interact_rules.h"

static const char letters[] = "spdfghiklmnoqrtuv";

static uint64_t pack_label(const char *s, size_t n)
{
    uint64_t k = 0;
    if (n > 8) n = 8;
    memcpy(&k, s, n);
    return k;
}

/* kappa of a trimmed label "4d-", or 0. */
static int label_kappa(const char *s, size_t n)
{
    int minus = n > 0 && s[n - 1] == '-';
    if (minus) n--;
    if (n < 2) return 0;
    for (size_t i = 0; i + 1 < n; i++)
        if (s[i] < '0' || s[i] > '9') return 0;
    const char *at = memchr(letters, s[n - 1], sizeof letters - 1);
    if (!at || !s[n - 1]) return 0;
    int l = (int)(at - letters);
    if (minus) return l == 0 ? 0 : l;
    return -(l + 1);
}

static int add_list(csfs_ia_orbs *o, const char *s, size_t n, int *cap_n, char *why, size_t why_cap)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) i++;
        size_t b = i;
        while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') i++;
        if (i == b) break;
        int kappa = label_kappa(s + b, i - b);
        if (!kappa || i - b > 8) {
            snprintf(why, why_cap, "'%.*s' is not a relativistic subshell", (int)(i - b), s + b);
            return -1;
        }
        if (o->nw == *cap_n) {
            int c = *cap_n ? 2 * *cap_n : 32;
            int *k = realloc(o->kappa, (size_t)c * sizeof *k);
            if (k) o->kappa = k;
            uint64_t *y = realloc(o->key, (size_t)c * sizeof *y);
            if (y) o->key = y;
            if (!k || !y) {
                snprintf(why, why_cap, "out of memory");
                return -1;
            }
            *cap_n = c;
        }
        uint64_t key = pack_label(s + b, i - b);
        for (int w = 0; w < o->nw; w++)
            if (o->key[w] == key) {
                snprintf(why, why_cap, "subshell %.*s is listed twice", (int)(i - b), s + b);
                return -1;
            }
        o->kappa[o->nw] = kappa;
        o->key[o->nw] = key;
        o->nw++;
    }
    return 0;
}

int csfs_ia_orbs_init(csfs_ia_orbs *o, const char *core, size_t core_len, const char *peel,
                      size_t peel_len, char *why, size_t why_cap)
{
    memset(o, 0, sizeof *o);
    int cap = 0;
    if (add_list(o, core, core_len, &cap, why, why_cap)) goto fail;
    o->ncore = o->nw;
    if (add_list(o, peel, peel_len, &cap, why, why_cap)) goto fail;
    if (o->nw > 250) {
        snprintf(why, why_cap, "more than 250 subshells");
        goto fail;
    }
    o->two_j = malloc((size_t)(o->nw + 1) * sizeof *o->two_j);
    o->l = malloc((size_t)(o->nw + 1) * sizeof *o->l);
    o->cap = malloc((size_t)(o->nw + 1) * sizeof *o->cap);
    if (!o->two_j || !o->l || !o->cap) {
        snprintf(why, why_cap, "out of memory");
        goto fail;
    }
    for (int w = 0; w < o->nw; w++) {
        o->two_j[w] = csfs_ang_kappa_two_j(o->kappa[w]);
        o->l[w] = csfs_ang_kappa_l(o->kappa[w]);
        o->cap[w] = o->two_j[w] + 1;
    }
    return 0;
fail:
    csfs_ia_orbs_free(o);
    return -1;
}

void csfs_ia_orbs_free(csfs_ia_orbs *o)
{
    free(o->kappa);
    free(o->two_j);
    free(o->l);
    free(o->cap);
    free(o->key);
    memset(o, 0, sizeof *o);
}

int csfs_ia_csf_alloc(csfs_ia_csf *c, int nw)
{
    size_t n = (size_t)nw + 1;
    uint8_t *m = malloc(n * (2 * sizeof(uint8_t) + 2 * sizeof(uint16_t)) + 8);
    memset(c, 0, sizeof *c);
    if (!m) return -1;
    c->jq3 = (uint16_t *)m;
    c->jcup = c->jq3 + n;
    c->q = (uint8_t *)(c->jcup + n);
    c->v = c->q + n;
    return 0;
}

void csfs_ia_csf_free(csfs_ia_csf *c)
{
    free(c->jq3);
    memset(c, 0, sizeof *c);
}

void csfs_ia_csf_copy(csfs_ia_csf *dst, const csfs_ia_csf *src, int nw)
{
    size_t n = (size_t)nw + 1;
    memcpy(dst->jq3, src->jq3, n * sizeof(uint16_t));
    memcpy(dst->jcup, src->jcup, n * sizeof(uint16_t));
    memcpy(dst->q, src->q, n);
    memcpy(dst->v, src->v, n);
    dst->itjpo = src->itjpo;
    dst->parity = src->parity;
}

/* PARSJL: doubled angular momenta of a line, in order. -1 on a bad number. */
static int parse_js(const char *s, size_t n, int *out, int max, int *count)
{
    int k = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == ',' || s[i] == ';')) i++;
        if (i == n) break;
        size_t b = i, slash = 0;
        while (i < n && s[i] != ' ' && s[i] != ',' && s[i] != ';') {
            if (s[i] == '/' && !slash) slash = i;
            i++;
        }
        long num = 0, den = 1;
        size_t e = slash ? slash : i;
        if (e == b) return -1;
        for (size_t t = b; t < e; t++) {
            if (s[t] < '0' || s[t] > '9' || num > 100000) return -1;
            num = num * 10 + (s[t] - '0');
        }
        if (slash) {
            if (slash + 2 != i || s[slash + 1] != '2') return -1;
            den = 2;
        }
        if (k == max) return -1;
        out[k++] = den == 2 ? (int)num : (int)(2 * num);
    }
    *count = k;
    return 0;
}

int csfs_ia_csf_parse(const csfs_ia_orbs *o, const char *l1, size_t n1, const char *l2, size_t n2,
                      const char *l3, size_t n3, csfs_ia_csf *c, char *why, size_t why_cap)
{
    int nw = o->nw;
    for (int w = 0; w < o->ncore; w++) c->q[w] = (uint8_t)o->cap[w];
    memset(c->q + o->ncore, 0, (size_t)(nw - o->ncore));
    while (n1 && (l1[n1 - 1] == ' ' || l1[n1 - 1] == '\r')) n1--;
    while (n2 && (l2[n2 - 1] == ' ' || l2[n2 - 1] == '\r')) n2--;
    while (n3 && (l3[n3 - 1] == ' ' || l3[n3 - 1] == '\r')) n3--;
    /* line 1: 9-byte fields "  4d-( 4)" */
    int last = o->ncore - 1;
    for (size_t at = 0; at < n1; at += 9) {
        size_t fl = n1 - at < 9 ? n1 - at : 9;
        const char *f = l1 + at;
        if (fl < 9 || f[5] != '(' || f[8] != ')') {
            snprintf(why, why_cap, "line 1 field %zu is not 'label(n)'", at / 9 + 1);
            return -1;
        }
        size_t b = 0, e = 5;
        while (b < e && f[b] == ' ') b++;
        while (e > b && f[e - 1] == ' ') e--;
        uint64_t key = pack_label(f + b, e - b);
        int w = o->ncore;
        while (w < nw && o->key[w] != key) w++;
        if (w == nw || e - b > 8) {
            snprintf(why, why_cap, "subshell %.*s is not in the peel list", (int)(e - b), f + b);
            return -1;
        }
        if (w <= last) {
            snprintf(why, why_cap, "subshell %.*s out of the peel list order", (int)(e - b), f + b);
            return -1;
        }
        last = w;
        int q = 0, digits = 0;
        for (int t = 6; t < 8; t++) {
            if (f[t] == ' ' && !digits) continue;
            if (f[t] < '0' || f[t] > '9') {
                snprintf(why, why_cap, "bad electron count in field %zu", at / 9 + 1);
                return -1;
            }
            q = q * 10 + (f[t] - '0');
            digits++;
        }
        if (!digits || q > o->cap[w]) {
            snprintf(why, why_cap, "bad electron count in field %zu", at / 9 + 1);
            return -1;
        }
        c->q[w] = (uint8_t)q;
    }
    /* line 3: parity last, couplings and final J before it */
    if (!n3 || (l3[n3 - 1] != '+' && l3[n3 - 1] != '-')) {
        snprintf(why, why_cap, "line 3 does not end with a parity sign");
        return -1;
    }
    c->parity = l3[n3 - 1] == '+' ? 1 : -1;
    int jx[512], iq[512], njx = 0, nqs = 0;
    int maxn = 2 * (nw - o->ncore) < 512 ? 2 * (nw - o->ncore) : 512;
    if (parse_js(l3, n3 - 1, jx, maxn, &njx) || parse_js(l2, n2, iq, maxn, &nqs)) {
        snprintf(why, why_cap, "unreadable angular momentum on line 2 or 3");
        return -1;
    }
    int nqsn = 0, njxn = 0, nopen = 0, jlast = 0, ioc = 0, ilast = 0, ipty = 0;
    for (int w = 0; w < o->ncore; w++) c->v[w] = 0, c->jq3[w] = 1;
    for (int w = o->ncore; w < nw; w++) {
        int occ = c->q[w], cap = o->cap[w];
        int nu = 0, jsub = 0;
        if (occ) ioc++;
        if (occ && occ != cap) {
            ipty += o->l[w] * occ;
            int label = -1;
            if (nqsn >= nqs) goto few;
            jsub = iq[nqsn++];
            if (o->two_j[w] == 7 && occ == 4 && (jsub == 4 || jsub == 8)) {
                label = jsub / 2;
                if (nqsn >= nqs) goto few;
                jsub = iq[nqsn++];
            }
            nu = csfs_ang_seniority(o->two_j[w], occ, jsub, label);
            if (nu < 0) {
                snprintf(why, why_cap, "J = %d/2 is not a state of subshell %d electrons", jsub,
                         occ);
                return -1;
            }
            nopen++;
            if (nopen > 1) {
                int jxn;
                if (jsub == 0) {
                    jxn = jlast;
                } else {
                    ilast = ioc;
                    if (njxn >= njx) {
                        snprintf(why, why_cap, "too few couplings on line 3");
                        return -1;
                    }
                    jxn = jx[njxn++];
                    if (!csfs_ang_triangle(jlast, jsub, jxn)) {
                        snprintf(why, why_cap, "coupling %d/2 breaks the triangle rule", jxn);
                        return -1;
                    }
                }
                c->jcup[nopen - 2] = (uint16_t)(jxn + 1);
                jlast = jxn;
            } else {
                jlast = jsub;
            }
        }
        c->v[w] = (uint8_t)nu;
        c->jq3[w] = (uint16_t)(jsub + 1);
    }
    if (nqsn != nqs) {
        snprintf(why, why_cap, "too many subshell angular momenta on line 2");
        return -1;
    }
    if (ilast != ioc) njxn++;
    if (njxn != njx || njx == 0 || jx[njxn - 1] != jlast) {
        snprintf(why, why_cap, "final J or coupling count does not match line 3");
        return -1;
    }
    if (((ipty & 1) ? -1 : 1) != c->parity) {
        snprintf(why, why_cap, "parity does not match the occupations");
        return -1;
    }
    c->itjpo = jlast + 1;
    return 0;
few:
    snprintf(why, why_cap, "too few subshell angular momenta on line 2");
    return -1;
}
