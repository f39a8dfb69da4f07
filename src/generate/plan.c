/*
 * rcsfexcitation.f90 + matain.f90/matbin.f90 as one step: the dialog's
 * answers become jjgen lists. Every rule cites the Fortran it mirrors.
 */
#include "generate/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

typedef struct plan_ctx {
    const gen_dialog *d;
    const gen_plan_options *opt;
    gen_plan *p;
    csfs_error *err;
} plan_ctx;

/* A GRASP quirk: a warning, or an error under strict. */
static int quirk(plan_ctx *C, uint64_t line, const char *fmt, ...) CSFS_PRINTF(3, 4);
static int quirk(plan_ctx *C, uint64_t line, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (C->opt->strict)
        return csfs_fail_line(C->err, CSFS_E_FORMAT, line, "%s:%llu: %s (refused by strict)",
                              C->d->name, (unsigned long long)line, msg);
    char full[1024];
    snprintf(full, sizeof full, "%s:%llu: warning: %s", C->d->name, (unsigned long long)line, msg);
    C->p->warnings++;
    if (C->opt->warn) C->opt->warn(C->opt->warn_ctx, full);
    return 0;
}

/* An input GRASP cannot run: an error naming the dialog line. */
static int FAIL(plan_ctx *C, uint64_t line, const char *fmt, ...) CSFS_PRINTF(3, 4);
static int FAIL(plan_ctx *C, uint64_t line, const char *fmt, ...)
{
    char msg[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return csfs_fail_line(C->err, CSFS_E_FORMAT, line, "%s:%llu: %s", C->d->name,
                          (unsigned long long)line, msg);
}

/* ---- orbital order (reffa.f90:33-128) ---------------------------------- */

static int build_order(plan_ctx *C)
{
    uint8_t *ord = C->p->order;
    int num = 0;
    char x = C->d->order;
    if (x == 'u' || x == 'U') {
        if (!C->opt->clist_text)
            return csfs_fail_line(C->err, CSFS_E_FORMAT, C->d->order_line,
                                  "%s:%llu: user defined orbital ordering (u) selected but "
                                  "there is no file clist.ref with the orbital order (GRASP "
                                  "stops here)",
                                  C->d->name, (unsigned long long)C->d->order_line);
        uint8_t seen[GEN_NORB] = {0};
        const char *s = C->opt->clist_text, *end = s + C->opt->clist_len;
        uint64_t line = 0;
        while (s < end) {
            const char *nl = memchr(s, '\n', (size_t)(end - s));
            const char *e = nl ? nl : end;
            line++;
            char f[3] = {' ', ' ', ' '};
            for (int i = 0; i < 3 && s + i < e; i++) f[i] = s[i] == '\r' ? ' ' : s[i];
            s = nl ? nl + 1 : end;
            int n = f[0] - '0';
            char lx = f[1];
            if (f[1] >= '0' && f[1] <= '9') {
                n = n * 10 + (f[1] - '0');
                lx = f[2];
            }
            int l = gen_letter_l(lx);
            if (l < 0 || n < 0 || n > 15 || n <= l) break;
            int o = gen_orb_index(n, l);
            if (seen[o]) {
                int rc = quirk(C, C->d->order_line,
                               "%s:%llu: the same orbital appeared more than once! (%d%c is "
                               "skipped, as GRASP does)",
                               C->opt->clist_name ? C->opt->clist_name : "clist.ref",
                               (unsigned long long)line, n, gen_l_letter(l));
                if (rc) return rc;
                continue;
            }
            seen[o] = 1;
            ord[num++] = (uint8_t)o;
        }
        if (num == 0) {
            int rc = quirk(C, C->d->order_line,
                           "GRASP failed reading the order of the customized coupling scheme "
                           "from %s: the default order is used",
                           C->opt->clist_name ? C->opt->clist_name : "clist.ref");
            if (rc) return rc;
        }
        for (int o = 0; o < GEN_NORB; o++)
            if (!seen[o]) ord[num++] = (uint8_t)o;
    } else if (x == 's' || x == 'S') {
        for (int l = 0; l <= GEN_LMAX; l++)
            for (int n = l + 1; n <= GEN_NMAX; n++) ord[num++] = (uint8_t)gen_orb_index(n, l);
    } else if (x == 'r' || x == 'R') {
        for (int n = GEN_NMAX; n >= 1; n--)
            for (int l = (n - 1 < GEN_LMAX ? n - 1 : GEN_LMAX); l >= 0; l--)
                ord[num++] = (uint8_t)gen_orb_index(n, l);
    } else {
        if (x != '*') {
            int rc = quirk(C, C->d->order_line,
                           "orbital order '%c' is not one of */r/s/u: GRASP uses the default "
                           "order",
                           x);
            if (rc) return rc;
        }
        for (int o = 0; o < GEN_NORB; o++) ord[num++] = (uint8_t)o;
    }
    return 0;
}

/* ---- the active set (rcsfexcitation.f90:274-425) ------------------------ */

typedef struct active_set {
    int nmax, lmax;
    int nl[GEN_LMAX + 1];
    char patched[GEN_ACTIVE_LEN + 64];
} active_set;

static int parse_active(plan_ctx *C, const gen_round *rd, int xe_trick, int rn_trick, int lmaxcore,
                        active_set *A)
{
    char s[GEN_ACTIVE_LEN + 64];
    snprintf(s, sizeof s, "%s", rd->active);
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ') s[--n] = 0;
    uint64_t line = rd->active_line;
    if (rd->active_truncated) {
        int rc =
            quirk(C, line, "the active set is longer than %d characters: GRASP reads only \"%s\"",
                  GEN_ACTIVE_LEN, s);
        if (rc) return rc;
    }
    if (xe_trick && strcmp(s, "4f") == 0) strcpy(s, "5s,4f");
    if (rn_trick) {
        if (!strcmp(s, "5f") || !strcmp(s, "5f,5g") || !strcmp(s, "5g")) {
            char t[sizeof s + 8]; /* room for the prefix; cut back to s's size below */
            snprintf(t, sizeof t, "6s,%s", s);
            t[sizeof s - 1] = 0;
            strcpy(s, t);
        }
        if (!strchr(s, 'f')) {
            char *d = strchr(s, 'd');
            char t[sizeof s + 8]; /* room for ",3f"; cut to GEN_ACTIVE_LEN below */
            if (d) {
                size_t i = (size_t)(d - s);
                if (d[1] == ',')
                    snprintf(t, sizeof t, "%.*s,3f%s", (int)(i + 1), s, d + 1);
                else
                    snprintf(t, sizeof t, "%.*s,3f", (int)(i + 1), s);
            } else {
                snprintf(t, sizeof t, "3f,%s", s);
            }
            /* orbitalstring is character*44 */
            t[GEN_ACTIVE_LEN] = 0;
            strcpy(s, t);
        }
    }
    snprintf(A->patched, sizeof A->patched, "%s", s);
    /* comma separated entries of 2 or 3 characters (trailing blanks trimmed) */
    int en[16], el[16], k = 0;
    const char *p = s;
    for (;;) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        size_t t = len;
        while (t > 0 && p[t - 1] == ' ') t--;
        char o3[4] = {' ', ' ', ' ', 0};
        if (t == 3)
            memcpy(o3, p, 3);
        else if (t == 2)
            memcpy(o3 + 1, p, 2);
        else
            return FAIL(C, line,
                        "the active set \"%s\" is not a comma delimited list of orbitals "
                        "such as 5s,4p,3d (GRASP asks again and then stops at the end of "
                        "the dialog)",
                        s);
        if (k >= 11) return FAIL(C, line, "the active set \"%s\" has more than 11 entries", s);
        int l = gen_letter_l(o3[2]);
        if (l < 0)
            return FAIL(C, line,
                        "orbital quantum numbers should be in range s to n (active set "
                        "\"%s\"; GRASP stops)",
                        s);
        int nv;
        if (o3[0] == ' ' && o3[1] >= '0' && o3[1] <= '9')
            nv = o3[1] - '0';
        else if (o3[0] >= '0' && o3[0] <= '9' && o3[1] >= '0' && o3[1] <= '9')
            nv = (o3[0] - '0') * 10 + (o3[1] - '0');
        else
            return FAIL(C, line,
                        "cannot read the principal quantum number of \"%.3s\" in "
                        "the active set \"%s\"",
                        o3, s);
        if (nv > 15)
            return FAIL(C, line,
                        "principal quantum numbers should be <= 15 (active set \"%s\"; "
                        "GRASP stops)",
                        s);
        en[k] = nv;
        el[k] = l;
        k++;
        if (!c) break;
        p = c + 1;
    }
    int nmax = 0;
    for (int i = 0; i < k; i++)
        if (en[i] > nmax) nmax = en[i];
    int lmax = el[k - 1]; /* the l of the LAST entry */
    if (lmax < lmaxcore) lmax = lmaxcore;
    for (int l = 0; l <= GEN_LMAX; l++) A->nl[l] = 0;
    for (int l = 0; l <= lmax; l++)
        for (int i = 0; i < k; i++)
            if (el[i] == l) A->nl[l] = en[i];
    if (lmax >= nmax)
        return FAIL(C, line,
                    "orbital quantum number should be less than n (active set \"%s\": highest "
                    "l %c, highest n %d; GRASP stops)",
                    s, gen_l_letter(lmax), nmax);
    for (int i = 0; i < k; i++)
        if (el[i] > lmax) {
            int rc = quirk(C, line,
                           "active set \"%s\": %d%c has a higher l than the last entry (%c); "
                           "GRASP takes the last entry's l as the highest, so no %c orbital is "
                           "active",
                           s, en[i], gen_l_letter(el[i]), gen_l_letter(lmax), gen_l_letter(el[i]));
            if (rc) return rc;
        }
    A->nmax = nmax;
    A->lmax = lmax;
    return 0;
}

/* ---- one reference (rcsfexcitation.f90:448-549) ------------------------- */

typedef struct ref_token {
    int n, l, occ;
    char sel[3]; /* mode string (2 characters as GRASP cuts it) */
} ref_token;

static int parse_reference(plan_ctx *C, const char *cfg, uint64_t line, ref_token *tok, int *ntok)
{
    size_t len = strlen(cfg);
    size_t start = 0;
    int k = 0;
    for (size_t i = 0; i < len; i++) {
        if (cfg[i] != ')') continue;
        size_t olen = i + 1 - start;
        const char *t = cfg + start;
        char buf[16];
        memset(buf, ' ', sizeof buf);
        memcpy(buf, t, olen < sizeof buf ? olen : sizeof buf);
        if (k >= 15) return FAIL(C, line, "more than 15 orbitals in the reference \"%s\"", cfg);
        ref_token *r = &tok[k];
        int flag = buf[4] == ',';
        int n_len = buf[2] == '(' ? 1 : 2;
        int nv;
        if (n_len == 1 && buf[0] >= '0' && buf[0] <= '9')
            nv = buf[0] - '0';
        else if (n_len == 2 && buf[1] >= '0' && buf[1] <= '9' &&
                 (buf[0] == ' ' || (buf[0] >= '0' && buf[0] <= '9')))
            nv = (buf[0] == ' ' ? 0 : (buf[0] - '0') * 10) + (buf[1] - '0');
        else
            return FAIL(C, line,
                        "cannot read the orbital \"%.*s\" of the reference \"%s\" (GRASP "
                        "reads it positionally, as n l ( q , mode ), and would misread it)",
                        (int)olen, t, cfg);
        int l = gen_letter_l(buf[n_len]);
        if (l < 0 || l > 8)
            return FAIL(C, line,
                        "orbital \"%.*s\" of the reference \"%s\": the l letter must be one of "
                        "s p d f g h i k l (GRASP would reuse the previous orbital's l)",
                        (int)olen, t, cfg);
        int occ;
        const char *q = buf + 2 + n_len;
        if (flag) {
            if (q[0] < '0' || q[0] > '9') goto bad_occ;
            occ = q[0] - '0';
        } else {
            /* two characters read list-directed: "10", "2," or " 2" */
            if (q[0] >= '0' && q[0] <= '9' && q[1] >= '0' && q[1] <= '9')
                occ = (q[0] - '0') * 10 + (q[1] - '0');
            else if (q[0] >= '0' && q[0] <= '9' && (q[1] == ',' || q[1] == ' '))
                occ = q[0] - '0';
            else if (q[0] == ' ' && q[1] >= '0' && q[1] <= '9')
                occ = q[1] - '0';
            else
                goto bad_occ;
        }
        if (olen == 7) {
            r->sel[0] = buf[5];
            r->sel[1] = ' ';
        } else if (olen == 8 && !flag) {
            r->sel[0] = buf[6];
            r->sel[1] = ' ';
        } else if (olen == 8 && flag) {
            r->sel[0] = buf[5];
            r->sel[1] = buf[6];
        } else if (olen == 9) {
            r->sel[0] = buf[6];
            r->sel[1] = buf[7];
        } else {
            return FAIL(C, line,
                        "orbital \"%.*s\" of the reference \"%s\" is not of the form "
                        "nl(q,mode) (7 to 9 characters); GRASP would misread it",
                        (int)olen, t, cfg);
        }
        r->sel[2] = 0;
        r->n = nv;
        r->l = l;
        r->occ = occ;
        /* sanity of the remaining punctuation GRASP never checks */
        if (buf[n_len + 1] != '(')
            return FAIL(C, line,
                        "orbital \"%.*s\" of the reference \"%s\" lacks its '(' "
                        "right after the l letter",
                        (int)olen, t, cfg);
        k++;
        start = i + 1;
        continue;
    bad_occ:
        return FAIL(C, line, "cannot read the occupation of \"%.*s\" in the reference \"%s\"",
                    (int)olen, t, cfg);
    }
    /* text after the last ')' is ignored by GRASP */
    for (size_t i = start; i < len; i++)
        if (cfg[i] != ' ') {
            int rc = quirk(C, line,
                           "text \"%s\" after the last ')' of the reference is "
                           "ignored by GRASP",
                           cfg + start);
            if (rc) return rc;
            break;
        }
    *ntok = k;
    return 0;
}

/* ---- the whole dialog ---------------------------------------------------- */

static const int core_nl[][2] = {{1, 0}, {2, 0}, {2, 1}, {3, 0}, {3, 1}, {3, 2},
                                 {4, 0}, {4, 1}, {4, 2}, {5, 0}, {5, 1}};
static const int core_count[6] = {0, 1, 3, 5, 8, 11};
static const int core_lmax[6] = {0, 0, 1, 1, 2, 2};
static const int core_nmax[6] = {0, 1, 2, 3, 4, 5};

static int add_list(gen_plan *p, const gen_list *L, csfs_error *err)
{
    if (p->n_lists % 16 == 0) {
        gen_list *nl = realloc(p->lists, (p->n_lists + 16) * sizeof *nl);
        if (!nl) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        p->lists = nl;
    }
    p->lists[p->n_lists++] = *L;
    return 0;
}

int gen_plan_build(const gen_dialog *d, const gen_plan_options *opt, gen_plan *out, csfs_error *err)
{
    memset(out, 0, sizeof *out);
    plan_ctx Cx = {d, opt, out, err}, *C = &Cx;
    int rc = build_order(C);
    if (rc) goto fail;
    int ncore = d->core;
    if (ncore < 0 || ncore > 6) {
        rc = FAIL(C, d->core_line,
                  "the core must be 0..6 (0 none, 1 He, 2 Ne, 3 Ar, 4 Kr, 5 "
                  "Xe, 6 Rn), not %d",
                  ncore);
        goto fail;
    }
    int xe_trick = ncore == 5, rn_trick = ncore == 6;
    if (xe_trick) ncore = 4;
    if (rn_trick) ncore = 5;
    const char *prefix = xe_trick   ? "4d(10,c)5s(2,c)5p(6,c)"
                         : rn_trick ? "4f(14,c)5d(10,c)6s(2,c)6p(6,c)"
                                    : "";
    /* rcsfexcitation's list of orbitals it no longer asks about */
    uint8_t rcs_core[GEN_NORB] = {0};
    for (int i = 0; i < core_count[ncore]; i++) {
        int o = gen_orb_index(core_nl[i][0], core_nl[i][1]);
        rcs_core[o] = 1;
        out->closed[o] = 1; /* jjgen's predefined closed core (matain.f90:120-172) */
    }
    int lmaxcore = core_lmax[ncore];
    int first = 1, anel0 = 0, stopped = 0;
    for (size_t r = 0; r < d->n_rounds && !stopped; r++) {
        const gen_round *rd = &d->rounds[r];
        int stale_n[16] = {0}; /* n(15) is reset only per round (label 110) */
        active_set A;
        /* GRASP reads the references before the active set: check them first */
        if (rd->n_refs == 0) {
            rc = FAIL(C, rd->active_line ? rd->active_line - 1 : 1,
                      "no reference configuration before the end of the list (GRASP then "
                      "writes no input for its generator and fails)");
            goto fail;
        }
        rc = parse_active(C, rd, xe_trick, rn_trick, lmaxcore, &A);
        if (rc) goto fail;
        int nexc = rd->excitations;
        int dbl = nexc < 0;
        for (size_t j = 0; j < rd->n_refs && !stopped; j++) {
            const gen_ref *ref = &rd->refs[j];
            uint64_t line = ref->line;
            /* the '(' count must equal the ',' count, else GRASP asks again */
            int n1 = 0, n2 = 0;
            for (const char *q = ref->text; *q; q++) {
                n1 += *q == '(';
                n2 += *q == ',';
            }
            if (ref->truncated) {
                rc = quirk(C, line,
                           "the reference is longer than %d characters: GRASP reads "
                           "only its first %d",
                           GEN_REF_LEN, GEN_REF_LEN);
                if (rc) goto fail;
            }
            if (n1 != n2) {
                rc = quirk(C, line,
                           "each orbital must be closed (c), inactive (i), active (*) or have "
                           "a minimal occupation: GRASP ignores the reference \"%s\" and reads "
                           "the next line as a new reference",
                           ref->text);
                if (rc) goto fail;
                continue;
            }
            char cfg[GEN_REF_LEN + 64];
            snprintf(cfg, sizeof cfg, "%s%s", prefix, ref->text);
            if (*prefix && strlen(ref->text) + strlen(prefix) > GEN_REF_LEN) {
                rc = FAIL(C, line,
                          "the reference with GRASP's core prefix %s is longer than "
                          "%d characters (GRASP stops: \"increase length of config "
                          "and configvect\")",
                          prefix, GEN_REF_LEN);
                goto fail;
            }
            ref_token tok[16];
            int ntok = 0;
            rc = parse_reference(C, cfg, line, tok, &ntok);
            if (rc) goto fail;
            if (ntok == 0) {
                rc = FAIL(C, line, "the reference \"%s\" has no orbital", ref->text);
                goto fail;
            }
            for (int k = 0; k < ntok; k++) {
                stale_n[k] = tok[k].n;
                if (tok[k].n > A.nmax) {
                    rc = FAIL(C, line,
                              "%d%c in the reference has n greater than the highest n of the "
                              "active set (%d); GRASP stops (\"n in config greater than "
                              "nmax\")",
                              tok[k].n, gen_l_letter(tok[k].l), A.nmax);
                    goto fail;
                }
            }
            int maxn = 0;
            for (int k = 0; k < 15; k++)
                if (stale_n[k] > maxn) maxn = stale_n[k];
            /* duplicated orbitals desynchronise the two programs */
            for (int a = 0; a < ntok; a++)
                for (int b = a + 1; b < ntok; b++)
                    if (tok[a].n == tok[b].n && tok[a].l == tok[b].l && tok[a].l <= A.lmax) {
                        rc = FAIL(C, line,
                                  "%d%c occurs twice in the reference%s; GRASP's two stages "
                                  "then disagree and it stops with \"End of file\"",
                                  tok[a].n, gen_l_letter(tok[a].l),
                                  *prefix ? " (with GRASP's core prefix)" : "");
                        goto fail;
                    }
            /* orbitals above lmax are never written: dropped with their electrons */
            for (int k = 0; k < ntok; k++)
                if (tok[k].l > A.lmax || tok[k].l >= tok[k].n) {
                    rc = quirk(C, line,
                               "%d%c(%d) is dropped with its %d electron(s): its l is above "
                               "the l of the last active-set entry (%c) or not below n",
                               tok[k].n, gen_l_letter(tok[k].l), tok[k].occ, tok[k].occ,
                               gen_l_letter(A.lmax));
                    if (rc) goto fail;
                }
            if (first && core_nmax[ncore] > maxn) {
                rc = FAIL(C, line,
                          "the reference's highest n (%d) is below the core's (%d); GRASP's "
                          "generator asks again and stops with \"End of file\"",
                          maxn, core_nmax[ncore]);
                goto fail;
            }
            gen_list L;
            memset(&L, 0, sizeof L);
            L.excitations = nexc < 0 ? -nexc : nexc;
            L.lifted = opt->no_grasp_limits;
            L.two_j_lo = rd->two_j_lo;
            L.two_j_hi = rd->two_j_hi;
            L.round = r;
            L.ref = j;
            L.line = line;
            uint8_t add_core[GEN_NORB] = {0};
            int anel = 0, par = 0;
            for (int o = 0; o < GEN_NORB; o++) {
                int n = gen_orb_n(o), l = gen_orb_l(o);
                int in_range = n <= A.nmax && l <= A.lmax;
                int rcs_asks = n > maxn || !rcs_core[o];
                int jj_asks = !out->closed[o];
                if (in_range && rcs_asks != jj_asks) {
                    rc = FAIL(C, line,
                              "%d%c was marked closed (c) where GRASP's generator does not "
                              "close it (only a full subshell of the first reference is "
                              "closed); for this later reference GRASP's two stages then "
                              "disagree and it stops with \"End of file\"",
                              n, gen_l_letter(l));
                    goto fail;
                }
                if (!jj_asks) {
                    anel += 4 * l + 2; /* closed shells count, in range or not */
                    continue;
                }
                if (!in_range) continue; /* outside jjgen's range: locked empty */
                int em = 4 * l + 2;
                int occ = 0, mentioned = -1;
                char y0 = '*', y1 = ' ';
                if (n <= maxn) {
                    for (int k = 0; k < ntok; k++)
                        if (tok[k].n == n && tok[k].l == l) mentioned = k;
                }
                if (mentioned >= 0) {
                    occ = tok[mentioned].occ;
                    /* trim(adjustl(sel)): a leading blank is dropped */
                    const char *sl = tok[mentioned].sel;
                    if (sl[0] == ' ') {
                        y0 = sl[1];
                        y1 = ' ';
                    } else {
                        y0 = sl[0];
                        y1 = sl[1];
                    }
                    if (sl[0] == 'c' && sl[1] == ' ') add_core[o] = 1;
                } else {
                    y0 = n <= A.nl[l] ? (dbl ? 'd' : '*') : 'i';
                }
                if (occ > em) {
                    rc = FAIL(C, line,
                              "%d%c(%d): more electrons than the subshell holds (%d); GRASP's "
                              "generator asks again and stops with \"End of file\"",
                              n, gen_l_letter(l), occ, em);
                    goto fail;
                }
                int lock = y0 == 'i' || y0 == 'I';
                int closed = 0, pairs = 0, low = 0;
                int known = lock || y0 == '*' || (y0 >= '0' && y0 <= '9');
                if (first && occ == em && (y0 == 'c' || y0 == 'C')) {
                    closed = 1;
                    known = 1;
                } else if (y0 == 'c' || y0 == 'C') {
                    rc = quirk(C, line,
                               "%d%c(%d,c): GRASP closes only a full subshell of the first "
                               "reference; here 'c' is not recognised and %d%c is active",
                               n, gen_l_letter(l), occ, n, gen_l_letter(l));
                    if (rc) goto fail;
                    known = 1;
                }
                if (occ == 0 && (y0 == 'd' || y0 == 'D')) {
                    pairs = 1;
                    known = 1;
                }
                if (y0 >= '0' && y0 <= '9' && occ > 0) {
                    int tmp = y0 - '0';
                    if (first ? (y1 >= '0' && y1 <= '9') : (y1 >= '1' && y1 <= '9'))
                        tmp = tmp * 10 + (y1 - '0');
                    else if (y1 == '0') {
                        rc = quirk(C, line,
                                   "%d%c: a minimum of %c0 in a later reference is read as "
                                   "%c by GRASP",
                                   n, gen_l_letter(l), y0, y0);
                        if (rc) goto fail;
                    }
                    low = tmp < occ ? tmp : occ;
                }
                if (!known) {
                    rc = quirk(C, line,
                               "%d%c(%d): GRASP does not recognise the mode \"%c%c\"%s and "
                               "makes the orbital active",
                               n, gen_l_letter(l), occ, y0, y1 == ' ' ? 0 : y1,
                               (y0 == ',' && occ >= 10)
                                   ? " (a two-digit n and a two-digit occupation shift it)"
                                   : "");
                    if (rc) goto fail;
                }
                if (closed) {
                    out->closed[o] = 1;
                    anel += em;
                    continue;
                }
                L.org[o] = (uint8_t)occ;
                L.active[o] = !lock;
                L.pairs[o] = (uint8_t)pairs;
                L.low[o] = (uint8_t)low;
                anel += occ;
                par += l * occ;
                L.electrons += occ;
            }
            L.parity = par & 1;
            /* rcsfexcitation adds its 'c' orbitals (those it wrote) to its core list */
            for (int o = 0; o < GEN_NORB; o++)
                if (add_core[o] && gen_orb_n(o) <= maxn && gen_orb_l(o) <= A.lmax && !rcs_core[o])
                    rcs_core[o] = 1;
            if (first) {
                anel0 = anel;
                out->total_electrons = anel;
            } else if (anel != anel0) {
                rc = quirk(C, line,
                           "Wrong number of electrons. The first list had %d electrons. This "
                           "list has %d electrons. GRASP stops generating here: this list and "
                           "all following ones are discarded",
                           anel0, anel);
                if (rc) goto fail;
                stopped = 1;
                break;
            }
            int even = anel % 2 == 0;
            int lo = rd->two_j_lo, hi = rd->two_j_hi;
            if (even ? (lo % 2 != 0 || hi % 2 != 0) : (lo % 2 == 0 || hi % 2 == 0)) {
                rc = csfs_fail_line(err, CSFS_E_FORMAT, rd->two_j_line,
                                    "%s:%llu: the resulting 2*J-numbers should be %s: the list "
                                    "of the reference on line %llu has %d electrons but the "
                                    "2*J range is %d,%d (GRASP asks again and stops with "
                                    "\"End of file\", writing no rcsf.out)",
                                    d->name, (unsigned long long)rd->two_j_line,
                                    even ? "even" : "odd", (unsigned long long)line, anel, lo, hi);
                goto fail;
            }
            rc = add_list(out, &L, err);
            if (rc) goto fail;
            first = 0;
        }
    }
    if (out->n_lists == 0) {
        rc = csfs_fail(err, CSFS_E_FORMAT, "%s: no reference configuration", d->name);
        goto fail;
    }
    return 0;
fail:
    gen_plan_free(out);
    return rc;
}

void gen_plan_free(gen_plan *p)
{
    if (!p) return;
    free(p->lists);
    p->lists = NULL;
    p->n_lists = 0;
}
