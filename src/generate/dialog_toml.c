/*
 * The TOML form of the rcsfgenerate dialog:
 *
 *   order = "*"          # "*", "r", "s" or "u"
 *   core = 3             # 0..6
 *   [[list]]             # one per round; a later one answers "Generate more lists?" with y
 *   references = ["1s(2,i)2s(2,*)2p(2,*)", "1s(2,i)2p(4,*)"]
 *   active = "3s,3p,3d"
 *   two_j = [0, 2]
 *   excitations = 2
 *
 * The values are exactly the dialog's answers (the same GRASP rules apply),
 * so both forms describe one list; errors name the TOML line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "generate/dialog.h"
#include "grasp/toml_scan.h"

int gen_dialog_is_toml(const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *q = p;
        while (q < e && (*q == ' ' || *q == '\t' || *q == '\r')) q++;
        if (q < e) {
            if (*q == '#' || *q == '[') return 1;
            for (const char *r = q; r < e && *r != '!'; r++)
                if (*r == '=') return 1;
            return 0;
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}

static int get_int(toml_cursor *P, int *v)
{
    uint64_t mag;
    int neg;
    int rc = toml_parse_integer(P, &mag, &neg);
    if (rc) return rc;
    if (mag > 1000000) return toml_fail(P, "integer out of range%s", NULL);
    *v = neg ? -(int)mag : (int)mag;
    return 0;
}

static int get_string(toml_cursor *P, csfs_buf *b)
{
    b->len = 0;
    if (P->p >= P->end || (*P->p != '"' && *P->p != '\''))
        return toml_fail(P, "expected a string%s", NULL);
    int rc = toml_parse_string(P, b);
    if (!rc) rc = csfs_buf_terminate(b, P->err);
    return rc;
}

static int expect(toml_cursor *P, char c, const char *what)
{
    if (P->p >= P->end || *P->p != c) return toml_fail(P, "expected %s", what);
    P->p++;
    return 0;
}

int gen_dialog_read_toml(const char *text, size_t len, const char *name, gen_dialog *out,
                         csfs_error *err)
{
    memset(out, 0, sizeof *out);
    out->name = name;
    out->order = '*';
    toml_cursor Pc = {text, text + len, 1, name, err}, *P = &Pc;
    csfs_buf key = {0}, s = {0};
    gen_round *rd = NULL;
    int rc = 0, seen_core = 0;
    int have[4] = {0}; /* references, active, two_j, excitations of the current list */
    for (;;) {
        rc = toml_skip_blank(P);
        if (rc || P->p >= P->end) break;
        if (toml_at(P, "[[")) {
            P->p += 2;
            toml_skip_ws(P);
            int seg;
            key.len = 0;
            if ((rc = toml_parse_key(P, &key, &seg))) break;
            toml_skip_ws(P);
            if (!toml_at(P, "]]") || key.len != 4 || memcmp(key.data, "list", 4) != 0) {
                rc = toml_fail(P, "only [[list]] tables are known here%s", NULL);
                break;
            }
            P->p += 2;
            if (rd && !(have[0] && have[1] && have[2] && have[3])) {
                rc = toml_fail(P,
                               "the previous [[list]] lacks one of references, active, "
                               "two_j, excitations%s",
                               NULL);
                break;
            }
            gen_round *nr = realloc(out->rounds, (out->n_rounds + 1) * sizeof *nr);
            if (!nr) {
                rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
                break;
            }
            out->rounds = nr;
            if (out->n_rounds) out->rounds[out->n_rounds - 1].more = 1;
            rd = &out->rounds[out->n_rounds++];
            memset(rd, 0, sizeof *rd);
            memset(have, 0, sizeof have);
            if ((rc = toml_expect_line_end(P))) break;
            continue;
        }
        int seg;
        key.len = 0;
        uint64_t line = P->line;
        if ((rc = toml_parse_key(P, &key, &seg)) || (rc = csfs_buf_terminate(&key, err))) break;
        toml_skip_ws(P);
        if ((rc = expect(P, '=', "'=' after a key"))) break;
        toml_skip_ws(P);
        const char *k = key.data;
        if (!rd && strcmp(k, "order") == 0) {
            if ((rc = get_string(P, &s))) break;
            if (s.len != 1) {
                rc = toml_fail(P, "order is one of \"*\", \"r\", \"s\", \"u\"%s", NULL);
                break;
            }
            out->order = s.data[0];
            out->order_line = line;
        } else if (!rd && strcmp(k, "core") == 0) {
            if ((rc = get_int(P, &out->core))) break;
            out->core_line = line;
            seen_core = 1;
        } else if (rd && strcmp(k, "references") == 0) {
            if ((rc = expect(P, '[', "an array of reference strings"))) break;
            for (;;) {
                if ((rc = toml_skip_blank(P))) break;
                if (P->p < P->end && *P->p == ']') {
                    P->p++;
                    break;
                }
                uint64_t rl = P->line;
                if ((rc = get_string(P, &s))) break;
                if (rd->n_refs >= 100) {
                    rc = toml_fail(P, "more than 100 references in one list%s", NULL);
                    break;
                }
                if (rd->n_refs % 16 == 0) {
                    gen_ref *nr = realloc(rd->refs, (rd->n_refs + 16) * sizeof *nr);
                    if (!nr) {
                        rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
                        break;
                    }
                    rd->refs = nr;
                }
                gen_ref *g = &rd->refs[rd->n_refs++];
                memset(g, 0, sizeof *g);
                g->line = rl;
                size_t n = s.len;
                if (n > GEN_REF_LEN) {
                    n = GEN_REF_LEN;
                    g->truncated = 1;
                }
                memcpy(g->text, s.data, n);
                while (n > 0 && g->text[n - 1] == ' ') g->text[--n] = 0;
                if (n == 0 || (n == 1 && g->text[0] == '*')) {
                    rc = toml_fail(P, "an empty reference (it would end GRASP's list)%s", NULL);
                    break;
                }
                if ((rc = toml_skip_blank(P))) break;
                if (P->p < P->end && *P->p == ',') P->p++;
            }
            if (rc) break;
            have[0] = 1;
        } else if (rd && strcmp(k, "active") == 0) {
            if ((rc = get_string(P, &s))) break;
            size_t n = s.len;
            if (n > GEN_ACTIVE_LEN) {
                n = GEN_ACTIVE_LEN;
                rd->active_truncated = 1;
            }
            memcpy(rd->active, s.data, n);
            rd->active[n] = 0;
            rd->active_line = line;
            have[1] = 1;
        } else if (rd && strcmp(k, "two_j") == 0) {
            if ((rc = expect(P, '[', "[lower, higher]"))) break;
            toml_skip_ws(P);
            if ((rc = get_int(P, &rd->two_j_lo))) break;
            toml_skip_ws(P);
            if ((rc = expect(P, ',', "',' in [lower, higher]"))) break;
            toml_skip_ws(P);
            if ((rc = get_int(P, &rd->two_j_hi))) break;
            toml_skip_ws(P);
            if ((rc = expect(P, ']', "']' after [lower, higher]"))) break;
            rd->two_j_line = line;
            have[2] = 1;
        } else if (rd && strcmp(k, "excitations") == 0) {
            if ((rc = get_int(P, &rd->excitations))) break;
            rd->excitations_line = line;
            have[3] = 1;
        } else {
            rc = toml_fail(P,
                           "unknown key \"%s\" here (order and core come first; then "
                           "[[list]] tables with references, active, two_j, excitations)",
                           k);
            break;
        }
        if ((rc = toml_expect_line_end(P))) break;
    }
    if (!rc && !seen_core) rc = csfs_fail(err, CSFS_E_FORMAT, "%s: no core = N (0..6)", name);
    if (!rc && !rd) rc = csfs_fail(err, CSFS_E_FORMAT, "%s: no [[list]] table", name);
    if (!rc && !(have[0] && have[1] && have[2] && have[3]))
        rc = csfs_fail(err, CSFS_E_FORMAT,
                       "%s: the last [[list]] lacks one of references, active, two_j, "
                       "excitations",
                       name);
    csfs_buf_free(&key);
    csfs_buf_free(&s);
    if (rc) gen_dialog_free(out);
    return rc;
}

static int put_toml_string(csfs_buf *b, const char *s, csfs_error *err)
{
    return csfs_buf_json_string(b, s, strlen(s), err); /* JSON escapes are valid TOML */
}

int gen_dialog_to_toml(const gen_dialog *d, char **out, size_t *out_len, csfs_error *err)
{
    csfs_buf b = {0};
    char o[2] = {d->order, 0};
    int rc = csfs_buf_printf(&b, err,
                             "# csfs generate dialog (GRASP rcsfgenerate answers)\n"
                             "order = ");
    if (!rc) rc = put_toml_string(&b, o, err);
    if (!rc) rc = csfs_buf_printf(&b, err, "\ncore = %d\n", d->core);
    for (size_t r = 0; !rc && r < d->n_rounds; r++) {
        const gen_round *rd = &d->rounds[r];
        rc = csfs_buf_printf(&b, err, "\n[[list]]\nreferences = [");
        for (size_t i = 0; !rc && i < rd->n_refs; i++) {
            rc = csfs_buf_printf(&b, err, "%s", i ? ", " : "");
            if (!rc) rc = put_toml_string(&b, rd->refs[i].text, err);
        }
        if (!rc) rc = csfs_buf_printf(&b, err, "]\nactive = ");
        if (!rc) rc = put_toml_string(&b, rd->active, err);
        if (!rc)
            rc = csfs_buf_printf(&b, err, "\ntwo_j = [%d, %d]\nexcitations = %d\n", rd->two_j_lo,
                                 rd->two_j_hi, rd->excitations);
    }
    if (!rc) rc = csfs_buf_terminate(&b, err);
    if (rc) {
        csfs_buf_free(&b);
        return rc;
    }
    *out = b.data;
    *out_len = b.len;
    return 0;
}

int gen_dialog_to_stdin(const gen_dialog *d, char **out, size_t *out_len, csfs_error *err)
{
    csfs_buf b = {0};
    int rc = csfs_buf_printf(&b, err, "%c\n%d\n", d->order, d->core);
    for (size_t r = 0; !rc && r < d->n_rounds; r++) {
        const gen_round *rd = &d->rounds[r];
        for (size_t i = 0; !rc && i < rd->n_refs; i++)
            rc = csfs_buf_printf(&b, err, "%s\n", rd->refs[i].text);
        if (!rc)
            rc = csfs_buf_printf(&b, err, "*\n%s\n%d,%d\n%d\n%c\n", rd->active, rd->two_j_lo,
                                 rd->two_j_hi, rd->excitations, r + 1 < d->n_rounds ? 'y' : 'n');
    }
    if (!rc) rc = csfs_buf_terminate(&b, err);
    if (rc) {
        csfs_buf_free(&b);
        return rc;
    }
    *out = b.data;
    *out_len = b.len;
    return 0;
}
