/* CSF text of one configuration (genb.f90 loops, kopp1.f90 and kopp2.f90 fields). */
#include "generate/csfgen.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

void gen_cfg_text_prepare(gen_cfg_text *t, const gen_config *cfg, const gen_plan *plan)
{
    t->m = 0;
    t->line2_len = 0;
    t->parity = plan->lists[cfg->list].parity;
    for (int i = 0; i < GEN_NORB; i++) {
        int o = plan->order[i];
        int a = cfg->occ[o];
        if (!a || plan->closed[o]) continue;
        int n = gen_orb_n(o), l = gen_orb_l(o);
        int parts[2] = {a - cfg->plus[o], cfg->plus[o]};
        for (int k = 0; k < (l ? 2 : 1); k++) {
            int q = parts[k];
            if (!q || t->m >= GEN_MAX_SUBSHELLS) continue;
            gen_subshell *s = &t->sub[t->m];
            s->n = n;
            s->l = l;
            s->k = k;
            s->q = q;
            s->two_j_sub = k ? 2 * l + 1 : (l ? 2 * l - 1 : 1);
            s->ns = gen_subshell_states(s->two_j_sub, q, &s->st);
            char *f = t->line1 + 9 * t->m;
            f[0] = ' ';
            f[1] = n >= 10 ? (char)('0' + n / 10) : ' ';
            f[2] = (char)('0' + n % 10);
            f[3] = gen_l_letter(l);
            f[4] = (k == 0 && l > 0) ? '-' : ' ';
            f[5] = '(';
            f[6] = q >= 10 ? (char)('0' + q / 10) : ' ';
            f[7] = (char)('0' + q % 10);
            f[8] = ')';
            t->m++;
            /* a field of line 2 is blank only for a full subshell (J = 0, one state) */
            if (!(s->ns == 1 && s->st[0].two_j == 0)) t->line2_len = 9 * t->m;
        }
    }
}

void gen_emit_scratch_free(gen_emit_scratch *s)
{
    free(s->w);
    s->w = NULL;
    s->w_cap = 0;
}

/* kopp1: the field of subshell i (1-based) ending at column 9i. */
static void put_sub_field(char *line, int i, int j, int sen, int ns)
{
    int k = 9 * i;
    if (j % 2 == 0) {
        if (j == 0 && ns == 1) return;
        if (sen != -1) {
            line[k - 4 - 1] = ';';
            line[k - 5 - 1] = (char)('0' + sen);
        }
        int tal = j / 20;
        if (tal) line[k - 1 - 1] = (char)('0' + tal);
        line[k - 1] = (char)('0' + (j / 2 - tal * 10));
    } else {
        if (sen != -1) {
            line[k - 4 - 1] = ';';
            line[k - 5 - 1] = (char)('0' + sen);
        }
        int tal = j / 10;
        if (tal) line[k - 3 - 1] = (char)('0' + tal);
        line[k - 2 - 1] = (char)('0' + (j - tal * 10));
        line[k - 1 - 1] = '/';
        line[k - 1] = '2';
    }
}

/* kopp2: a coupling value whose field starts at column k (1-based). */
static inline void put_coupling(char *line, int k, int j)
{
    if (j % 2 == 0) {
        int tal = j / 20;
        if (tal) line[k + 2 - 1] = (char)('0' + tal);
        line[k + 3 - 1] = (char)('0' + (j / 2 - tal * 10));
    } else {
        int tal = j / 10;
        if (tal) line[k - 1] = (char)('0' + tal);
        line[k + 1 - 1] = (char)('0' + (j - tal * 10));
        line[k + 2 - 1] = '/';
        line[k + 3 - 1] = '2';
    }
}

void gen_block_key(int two_j, int parity, char key[5])
{
    char line[16];
    memset(line, ' ', sizeof line);
    put_coupling(line, 1, two_j);
    memcpy(key, line, 4);
    key[4] = parity ? '-' : '+';
}

typedef struct emit_ctx {
    const gen_cfg_text *t;
    int T;
    int J[GEN_MAX_SUBSHELLS + 1]; /* 1-based subshell 2J */
    int printed[GEN_MAX_SUBSHELLS + 1];
    uint64_t *W; /* W[i * width + x], i = 1 .. m-2 */
    int width;
    uint64_t skip, take;
    csfs_buf *out;
    gen_v2_out *v2; /* V2 records instead of text */
    const int32_t *peel;
    csfs_v2_sub tmpl[GEN_MAX_SUBSHELLS]; /* the tuple's subshells, couplings unset */
    const char *l2;
    int l3len;
    char l3[9 * GEN_MAX_SUBSHELLS + 8];
    int X[GEN_MAX_SUBSHELLS + 1];
} emit_ctx;

static inline int tri(int a, int b, int c)
{
    int lo = a > b ? a - b : b - a;
    return c >= lo && c <= a + b;
}

/* One CSF as a V2 record: the tuple's subshells, the printed couplings
 * under fields 1 .. m-2 (kopp2: X_i is written under subshell i+1). */
static void write_v2(emit_ctx *E)
{
    gen_v2_out *o = E->v2;
    int m = E->t->m;
    csfs_v2_sub *s = o->sub + o->n_sub;
    memcpy(s, E->tmpl, (size_t)m * sizeof *s);
    for (int i = 1; i <= m - 2; i++)
        if (E->printed[i]) s[i].two_k = E->X[i];
    o->first[o->n] = (uint32_t)o->n_sub;
    o->total_two_j[o->n] = E->T;
    o->parity[o->n] = E->t->parity ? -1 : 1;
    o->n++;
    o->n_sub += (size_t)m;
    o->first[o->n] = (uint32_t)o->n_sub;
}

static void write_csf(emit_ctx *E)
{
    if (E->v2) {
        write_v2(E);
        return;
    }
    const gen_cfg_text *t = E->t;
    csfs_buf *o = E->out;
    char *p = o->data + o->len;
    memcpy(p, t->line1, (size_t)(9 * t->m));
    p += 9 * t->m;
    *p++ = '\n';
    memcpy(p, E->l2, (size_t)t->line2_len);
    p += t->line2_len;
    *p++ = '\n';
    char *l3 = p;
    memcpy(p, E->l3, (size_t)E->l3len);
    for (int i = 1; i <= t->m - 2; i++)
        if (E->printed[i]) put_coupling(l3, 9 * (i + 1), E->X[i]);
    p += E->l3len;
    *p++ = '\n';
    o->len = (size_t)(p - o->data);
}

/* Chains x_i .. x_{m-2} after x_{i-1} = xprev (ascending), honouring skip/take. */
static void chains(emit_ctx *E, int i, int xprev)
{
    int m = E->t->m;
    int jn = E->J[i + 1];
    int lo = xprev > jn ? xprev - jn : jn - xprev;
    for (int x = lo; x <= xprev + jn; x += 2) {
        uint64_t w = E->W[(size_t)i * (size_t)E->width + (size_t)x];
        if (!w) continue;
        if (E->skip >= w) {
            E->skip -= w;
            continue;
        }
        E->X[i] = x;
        if (i == m - 2) {
            write_csf(E);
            if (--E->take == 0) return;
        } else {
            chains(E, i + 1, x);
            if (E->take == 0) return;
        }
    }
}

static int emit(const gen_cfg_text *t, int two_j, uint64_t skip, uint64_t take, gen_emit_scratch *s,
                csfs_buf *out, gen_v2_out *v2, const int32_t *peel, csfs_error *err);

int gen_emit_text(const gen_cfg_text *t, int two_j, uint64_t skip, uint64_t take,
                  gen_emit_scratch *s, csfs_buf *out, csfs_error *err)
{
    if (!take || t->m == 0) return 0;
    uint64_t per = gen_cfg_text_csf_bytes(t);
    int rc = csfs_buf_reserve(out, out->len + (size_t)(per * take) + 1, err);
    if (rc) return rc;
    return emit(t, two_j, skip, take, s, out, NULL, NULL, err);
}

static int grow(void **p, size_t *cap, size_t need, size_t size, csfs_error *err)
{
    if (need <= *cap) return 0;
    size_t c = *cap ? *cap : 1024;
    while (c < need) c *= 2;
    void *q = realloc(*p, c * size);
    if (!q) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    *p = q;
    *cap = c;
    return 0;
}

void gen_v2_out_clear(gen_v2_out *o)
{
    o->n = 0;
    o->n_sub = 0;
    if (o->first) o->first[0] = 0;
}

void gen_v2_out_free(gen_v2_out *o)
{
    free(o->sub);
    free(o->first);
    free(o->total_two_j);
    free(o->parity);
    memset(o, 0, sizeof *o);
}

int gen_emit_v2(const gen_cfg_text *t, const int32_t *peel, int two_j, uint64_t skip, uint64_t take,
                gen_emit_scratch *s, gen_v2_out *out, csfs_error *err)
{
    if (!take || t->m == 0) return 0;
    size_t n = out->n + (size_t)take, cap = out->cap;
    int rc = grow((void **)&out->sub, &out->cap_sub, out->n_sub + (size_t)take * (size_t)t->m,
                  sizeof *out->sub, err);
    if (!rc) rc = grow((void **)&out->first, &cap, n + 1, sizeof *out->first, err);
    cap = out->cap;
    if (!rc) rc = grow((void **)&out->total_two_j, &cap, n + 1, sizeof *out->total_two_j, err);
    cap = out->cap;
    if (!rc) rc = grow((void **)&out->parity, &cap, n + 1, sizeof *out->parity, err);
    if (rc) return rc;
    out->cap = cap;
    return emit(t, two_j, skip, take, s, NULL, out, peel, err);
}

static int emit(const gen_cfg_text *t, int two_j, uint64_t skip, uint64_t take, gen_emit_scratch *s,
                csfs_buf *out, gen_v2_out *v2, const int32_t *peel, csfs_error *err)
{
    int m = t->m;
    emit_ctx E;
    E.v2 = v2;
    E.peel = peel;
    E.t = t;
    E.T = two_j;
    E.skip = skip;
    E.take = take;
    E.out = out;
    int sumj = 0;
    for (int i = 0; i < m; i++) sumj += gen_subshell_max_two_j(t->sub[i].two_j_sub, t->sub[i].q);
    E.width = sumj + 1;
    size_t need = (size_t)(m + 1) * (size_t)E.width;
    if (s->w_cap < need) {
        free(s->w);
        s->w = malloc(need * sizeof *s->w);
        if (!s->w) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        s->w_cap = need;
    }
    E.W = s->w;
    /* line 3 template: blanks, final J, parity */
    E.l3len = 9 * m + 2;
    memset(E.l3, ' ', (size_t)E.l3len);
    put_coupling(E.l3, 9 * m - 2, two_j);
    E.l3[E.l3len - 1] = t->parity ? '-' : '+';
    char l2[9 * GEN_MAX_SUBSHELLS + 8];
    E.l2 = l2;
    int idx[GEN_MAX_SUBSHELLS];
    for (int i = 0; i < m; i++) idx[i] = 0;
    for (;;) {
        /* the state tuple idx: its 2J values and the reachable final range */
        int sum = 0, mx = 0;
        for (int i = 0; i < m; i++) {
            int j = t->sub[i].st[idx[i]].two_j;
            E.J[i + 1] = j;
            sum += j;
            if (j > mx) mx = j;
        }
        int lo = 2 * mx - sum;
        if (two_j <= sum && two_j >= lo && ((sum - two_j) & 1) == 0) {
            uint64_t cnt;
            if (m == 1)
                cnt = E.J[1] == two_j;
            else if (m == 2)
                cnt = tri(E.J[1], E.J[2], two_j);
            else {
                /* W_{m-2}[x] = [T in tri(x, J_m)]; W_i[x] = sum over y in tri(x, J_{i+2}) */
                size_t wd = (size_t)E.width;
                uint64_t *Wl = E.W + (size_t)(m - 2) * wd;
                for (int x = 0; x < E.width; x++) Wl[x] = tri(x, E.J[m], two_j);
                for (int i = m - 3; i >= 1; i--) {
                    uint64_t *Wi = E.W + (size_t)i * wd, *Wn = Wi + wd;
                    int jn = E.J[i + 2];
                    for (int x = 0; x < E.width; x++) {
                        uint64_t acc = 0;
                        int ylo = x > jn ? x - jn : jn - x, yhi = x + jn;
                        if (yhi >= E.width) yhi = E.width - 1;
                        for (int y = ylo; y <= yhi; y += 2) acc += Wn[y];
                        Wi[x] = acc;
                    }
                }
                cnt = 0;
                int j1 = E.J[1], j2 = E.J[2];
                int x0 = j1 > j2 ? j1 - j2 : j2 - j1;
                for (int x = x0; x <= j1 + j2; x += 2) cnt += E.W[wd + (size_t)x];
            }
            if (cnt <= E.skip) {
                E.skip -= cnt;
            } else {
                /* line 2 of this tuple and which couplings line 3 prints */
                if (v2) {
                    for (int i = 0; i < m; i++) {
                        const gen_state *st = &t->sub[i].st[idx[i]];
                        /* kopp1 prints nothing for the one state of a full subshell */
                        int blank = st->two_j == 0 && t->sub[i].ns == 1;
                        E.tmpl[i] = (csfs_v2_sub){
                            peel[i], t->sub[i].q, blank ? CSFS_V2_MISSING : st->two_j,
                            blank || st->seniority == -1 ? CSFS_V2_MISSING : st->seniority,
                            CSFS_V2_MISSING};
                    }
                } else {
                    memset(l2, ' ', (size_t)(9 * m));
                    for (int i = 0; i < m; i++) {
                        const gen_state *st = &t->sub[i].st[idx[i]];
                        put_sub_field(l2, i + 1, st->two_j, st->seniority, t->sub[i].ns);
                    }
                }
                int first = E.J[1] == 0 && t->sub[0].ns == 1;
                for (int i = 1; i <= m - 2; i++) {
                    int unique0 = E.J[i + 1] == 0 && t->sub[i].ns == 1;
                    E.printed[i] = 0;
                    if (first && !unique0)
                        first = 0;
                    else if (!first && E.J[i + 1] != 0)
                        E.printed[i] = 1;
                }
                if (m <= 2) {
                    write_csf(&E);
                    E.take--;
                } else {
                    chains(&E, 1, E.J[1]);
                }
                E.skip = 0;
                if (E.take == 0) return 0;
            }
        }
        /* next tuple: the last subshell runs fastest */
        int i = m - 1;
        while (i >= 0 && ++idx[i] == t->sub[i].ns) {
            idx[i] = 0;
            i--;
        }
        if (i < 0) break;
    }
    if (E.take)
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "internal error: a configuration has fewer CSFs than counted");
    return 0;
}
