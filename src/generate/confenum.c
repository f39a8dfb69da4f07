/* Configuration enumeration (blanda.f90, slug.f90) and list merge (merge.f90, test.f90). */
#include "generate/confenum.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

typedef struct level {
    int orb, l;
    int active, pairs, org, low;
    int a, amin, step, p;
    int tot0, up0, down0, par0; /* sums over the levels before this one */
} level;

typedef struct list_enum {
    const gen_list *L;
    size_t index;
    int n_lev;
    level *lv;
    int *sufmax, *sufmin;
    int started, done;
    uint8_t *key; /* 2 bytes per universe orbital: total, j+ part */
    int has;
    const uint64_t *dist;
    int max_two_j, n_sub;
} list_enum;

struct gen_merge {
    const gen_plan *plan;
    gen_count_memo *memo;
    int n_uni;
    int uni[GEN_NORB];     /* universe orbitals in standard order */
    int uni_pos[GEN_NORB]; /* orbital -> universe position, -1 */
    list_enum *le;
    size_t n_le;
    uint64_t over20;
};

/* GRASP's occupation caps (blanda.f90): 4l+2, at most 2 electrons in j >= 9/2 subshells.
 * lifted (--no-grasp-limits): 4l+2, and any split that has a state table. */
static int cap_of(int l, int lifted)
{
    return l <= 4 || lifted ? 4 * l + 2 : 4;
}
static int eff_cap(int l, int lifted)
{
    return l == 4 && !lifted ? 10 : cap_of(l, lifted);
}

static int p_ok(int l, int a, int p, int lifted)
{
    if (lifted) {
        const gen_state *st;
        if (l == 0) return 1;
        return gen_subshell_states(2 * l - 1, a - p, &st) > 0 &&
               gen_subshell_states(2 * l + 1, p, &st) > 0;
    }
    if (l == 4) return p <= 2;
    if (l >= 5) return p <= 2 && a - p <= 2;
    return 1;
}

static int p_start(int l, int a)
{
    return l == 0 ? 0 : (a < 2 * l + 2 ? a : 2 * l + 2);
}
static int p_end(int l, int a)
{
    return l == 0 ? 0 : (a - 2 * l > 0 ? a - 2 * l : 0);
}

/* Moves level d to its first (first=1) or next valid (a, p); 0 when exhausted. */
static int seek(list_enum *e, int d, int first)
{
    level *v = &e->lv[d];
    const gen_list *L = e->L;
    int N = L->electrons, E = L->excitations;
    if (first) {
        if (!v->active) {
            v->a = v->org;
            v->amin = v->org;
            v->step = 1;
        } else {
            int amax = v->org + (E - v->up0);
            if (amax > cap_of(v->l, L->lifted)) amax = cap_of(v->l, L->lifted);
            int amin = v->org - (E - v->down0);
            if (amin < v->low) amin = v->low;
            if (v->pairs) {
                amax &= ~1;
                v->step = 2;
            } else {
                v->step = 1;
            }
            v->a = amax;
            v->amin = amin;
        }
        v->p = p_start(v->l, v->a) + 1; /* decremented below */
    }
    for (; v->a >= v->amin && v->a >= 0; v->a -= v->step, v->p = p_start(v->l, v->a) + 1) {
        int tot = v->tot0 + v->a;
        if (tot > N || tot + e->sufmin[d + 1] > N || tot + e->sufmax[d + 1] < N) continue;
        for (v->p--; v->p >= p_end(v->l, v->a); v->p--)
            if (p_ok(v->l, v->a, v->p, L->lifted)) return 1;
    }
    return 0;
}

static void set_prefix(list_enum *e, int d)
{
    level *v = &e->lv[d];
    if (d == 0) {
        v->tot0 = v->up0 = v->down0 = v->par0 = 0;
        return;
    }
    const level *u = &e->lv[d - 1];
    v->tot0 = u->tot0 + u->a;
    v->up0 = u->up0 + (u->a > u->org ? u->a - u->org : 0);
    v->down0 = u->down0 + (u->org > u->a ? u->org - u->a : 0);
    v->par0 = (u->par0 + u->l * u->a) & 1;
}

/* Next configuration of the list in descending order (no CSF filter): 1 or 0. */
static int enum_raw(list_enum *e)
{
    const gen_list *L = e->L;
    int R = e->n_lev;
    if (e->done) return 0;
    if (R == 0) {
        e->done = 1;
        return L->electrons == 0 && L->parity == 0;
    }
    int d;
    if (!e->started) {
        e->started = 1;
        d = 0;
        set_prefix(e, 0);
        if (!seek(e, 0, 1)) {
            e->done = 1;
            return 0;
        }
    } else {
        d = R - 1;
        goto advance;
    }
    for (;;) {
        if (d == R - 1) {
            const level *v = &e->lv[d];
            if (v->tot0 + v->a == L->electrons && ((v->par0 + v->l * v->a) & 1) == L->parity)
                return 1;
        } else {
            d++;
            set_prefix(e, d);
            if (seek(e, d, 1)) continue;
            d--;
        }
    advance:
        while (!seek(e, d, 0)) {
            if (d == 0) {
                e->done = 1;
                return 0;
            }
            d--;
        }
    }
}

/* Next configuration with at least one CSF in the list's 2J range: 1, 0, <0. */
static int enum_next(gen_merge *m, list_enum *e, csfs_error *err)
{
    const gen_list *L = e->L;
    for (;;) {
        int r = enum_raw(e);
        if (r <= 0) {
            e->has = 0;
            return r;
        }
        uint8_t tj[GEN_MAX_SUBSHELLS], qq[GEN_MAX_SUBSHELLS];
        int nsub = 0, nopen = 0, over = 0;
        memset(e->key, 0, (size_t)m->n_uni * 2);
        for (int d = 0; d < e->n_lev; d++) {
            const level *v = &e->lv[d];
            int u = m->uni_pos[v->orb];
            e->key[2 * u] = (uint8_t)v->a;
            e->key[2 * u + 1] = (uint8_t)v->p;
            if (v->a == 0) continue;
            int parts[2] = {v->a - v->p, v->p};
            for (int k = 0; k < (v->l ? 2 : 1); k++) {
                int q = parts[k];
                if (!q) continue;
                if (++nsub > GEN_MAX_SUBSHELLS) {
                    over = 1;
                    break;
                }
                int tjv = k ? 2 * v->l + 1 : (v->l ? 2 * v->l - 1 : 1);
                if (q != tjv + 1) {
                    tj[nopen] = (uint8_t)tjv;
                    qq[nopen] = (uint8_t)q;
                    nopen++;
                }
            }
            if (over) break;
        }
        if (over) {
            m->over20++;
            continue;
        }
        if (nsub == 0) continue; /* nothing outside the core: genb.f90 writes no CSF */
        const uint64_t *dist;
        int mx;
        int rc = gen_count_lookup(m->memo, tj, qq, nopen, &dist, &mx, err);
        if (rc) return rc;
        uint64_t c = 0;
        for (int t = L->two_j_lo < 0 ? 0 : L->two_j_lo; t <= L->two_j_hi && t <= mx; t++)
            c += dist[t];
        if (!c) continue;
        e->dist = dist;
        e->max_two_j = mx;
        e->n_sub = nsub;
        e->has = 1;
        return 1;
    }
}

static void enum_reset(list_enum *e)
{
    e->started = 0;
    e->done = 0;
    e->has = 0;
}

int gen_merge_new(const gen_plan *plan, gen_count_memo *memo, gen_merge **out, csfs_error *err)
{
    gen_merge *m = calloc(1, sizeof *m);
    if (!m) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    m->plan = plan;
    m->memo = memo;
    for (int o = 0; o < GEN_NORB; o++) {
        m->uni_pos[o] = -1;
        int used = 0;
        for (size_t i = 0; i < plan->n_lists; i++)
            if (plan->lists[i].org[o] || plan->lists[i].active[o]) used = 1;
        if (used) {
            m->uni_pos[o] = m->n_uni;
            m->uni[m->n_uni++] = o;
        }
    }
    m->le = calloc(plan->n_lists, sizeof *m->le);
    if (!m->le) goto nomem;
    m->n_le = plan->n_lists;
    for (size_t i = 0; i < plan->n_lists; i++) {
        list_enum *e = &m->le[i];
        const gen_list *L = &plan->lists[i];
        e->L = L;
        e->index = i;
        e->lv = calloc(GEN_NORB + 1, sizeof *e->lv);
        e->sufmax = calloc(GEN_NORB + 2, sizeof *e->sufmax);
        e->sufmin = calloc(GEN_NORB + 2, sizeof *e->sufmin);
        e->key = calloc((size_t)m->n_uni * 2 + 1, 1);
        if (!e->lv || !e->sufmax || !e->sufmin || !e->key) goto nomem;
        for (int o = 0; o < GEN_NORB; o++) {
            if (!L->org[o] && !L->active[o]) continue;
            level *v = &e->lv[e->n_lev++];
            v->orb = o;
            v->l = gen_orb_l(o);
            v->active = L->active[o];
            v->pairs = L->pairs[o];
            v->org = L->org[o];
            v->low = L->low[o];
        }
        for (int d = e->n_lev - 1; d >= 0; d--) {
            const level *v = &e->lv[d];
            int mx = v->active ? eff_cap(v->l, L->lifted) : v->org;
            if (v->active && v->pairs) mx &= ~1;
            int mn = v->active ? v->low : v->org;
            e->sufmax[d] = e->sufmax[d + 1] + mx;
            e->sufmin[d] = e->sufmin[d + 1] + mn;
        }
    }
    *out = m;
    return 0;
nomem:
    gen_merge_free(m);
    return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
}

int gen_merge_rewind(gen_merge *m, csfs_error *err)
{
    m->over20 = 0;
    for (size_t i = 0; i < m->n_le; i++) {
        enum_reset(&m->le[i]);
        int rc = enum_next(m, &m->le[i], err);
        if (rc < 0) return rc;
    }
    return 0;
}

int gen_merge_next(gen_merge *m, gen_config *cfg, csfs_error *err)
{
    size_t nk = (size_t)m->n_uni * 2;
    list_enum *best = NULL;
    for (size_t i = 0; i < m->n_le; i++) {
        list_enum *e = &m->le[i];
        if (!e->has) continue;
        if (!best || memcmp(e->key, best->key, nk) > 0) best = e;
    }
    if (!best) return 0;
    memset(cfg->occ, 0, sizeof cfg->occ);
    memset(cfg->plus, 0, sizeof cfg->plus);
    for (int u = 0; u < m->n_uni; u++) {
        cfg->occ[m->uni[u]] = best->key[2 * u];
        cfg->plus[m->uni[u]] = best->key[2 * u + 1];
    }
    cfg->list = best->index;
    cfg->dist = best->dist;
    cfg->max_two_j = best->max_two_j;
    cfg->n_subshells = best->n_sub;
    /* advance every list at this configuration (later duplicates are dropped) */
    uint8_t keep[2 * GEN_NORB];
    memcpy(keep, best->key, nk);
    for (size_t i = 0; i < m->n_le; i++) {
        list_enum *e = &m->le[i];
        if (e->has && memcmp(e->key, keep, nk) == 0) {
            int rc = enum_next(m, e, err);
            if (rc < 0) return rc;
        }
    }
    return 1;
}

uint64_t gen_merge_skipped_over20(const gen_merge *m)
{
    return m->over20;
}

void gen_merge_free(gen_merge *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->n_le; i++) {
        free(m->le[i].lv);
        free(m->le[i].sufmax);
        free(m->le[i].sufmin);
        free(m->le[i].key);
    }
    free(m->le);
    free(m);
}
