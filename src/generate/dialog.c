/*
 * The stdin form of the rcsfgenerate dialog, read as GRASP reads it
 * (rcsfexcitation.f90): list-directed reads (`read(*,*)`) skip blank lines,
 * take the first value(s) and ignore the rest of the line, so the comments
 * of rcsfgenerate.log lines are harmless; references and the active set are
 * read verbatim with format (a), truncated to the Fortran string length.
 */
#include "generate/dialog.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

typedef struct line_reader {
    const char *p, *end;
    uint64_t line; /* number of the line last returned */
    const char *name;
} line_reader;

/* Next line without its end (LF, CRLF); 0 at end of input. */
static int next_line(line_reader *r, const char **s, size_t *n)
{
    if (r->p >= r->end) return 0;
    const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));
    const char *e = nl ? nl : r->end;
    *s = r->p;
    *n = (size_t)(e - r->p);
    if (*n > 0 && (*s)[*n - 1] == '\r') (*n)--;
    r->p = nl ? nl + 1 : r->end;
    r->line++;
    return 1;
}

static int is_blank_line(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t') return 0;
    return 1;
}

/* List-directed value separators: blanks and commas (a slash ends the record). */
static int is_sep(char c)
{
    return c == ' ' || c == '\t' || c == ',';
}

/*
 * Reads `want` list-directed tokens, continuing on following lines as
 * Fortran does when a record holds fewer values. Tokens are copied into
 * tok[i] (at most 31 characters). Returns 0 or an error naming the line.
 */
static int read_tokens(line_reader *r, int want, char tok[][32], uint64_t *first_line,
                       const char *what, csfs_error *err)
{
    int got = 0;
    *first_line = 0;
    while (got < want) {
        const char *s;
        size_t n;
        if (!next_line(r, &s, &n))
            return csfs_fail_line(err, CSFS_E_FORMAT, r->line + 1,
                                  "%s:%llu: the dialog ends before %s (GRASP stops with "
                                  "\"End of file\" here)",
                                  r->name, (unsigned long long)(r->line + 1), what);
        if (is_blank_line(s, n)) continue;
        if (!*first_line) *first_line = r->line;
        size_t i = 0;
        while (got < want) {
            while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
            if (i >= n) break;
            if (s[i] == '/')
                return csfs_fail_line(err, CSFS_E_FORMAT, r->line,
                                      "%s:%llu: a '/' where GRASP expects %s", r->name,
                                      (unsigned long long)r->line, what);
            size_t b = i;
            while (i < n && !is_sep(s[i]) && s[i] != '/') i++;
            size_t len = i - b;
            if (len > 31) len = 31;
            memcpy(tok[got], s + b, len);
            tok[got][len] = 0;
            got++;
            /* one comma after a value is its separator */
            while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
            if (i < n && s[i] == ',') i++;
        }
    }
    return 0;
}

static int parse_int(const char *t, int *v)
{
    const char *p = t;
    if (*p == '+' || *p == '-') p++;
    if (!isdigit((unsigned char)*p)) return -1;
    long x = 0;
    for (; *p; p++) {
        if (!isdigit((unsigned char)*p)) return -1;
        x = x * 10 + (*p - '0');
        if (x > 1000000) return -1;
    }
    *v = (int)(t[0] == '-' ? -x : x);
    return 0;
}

static int read_ints(line_reader *r, int want, int *v, uint64_t *line, const char *what,
                     csfs_error *err)
{
    char tok[2][32];
    int rc = read_tokens(r, want, tok, line, what, err);
    if (rc) return rc;
    for (int i = 0; i < want; i++)
        if (parse_int(tok[i], &v[i]))
            return csfs_fail_line(err, CSFS_E_FORMAT, *line,
                                  "%s:%llu: \"%s\" is not an integer (%s); GRASP stops "
                                  "with a Fortran read error here",
                                  r->name, (unsigned long long)*line, tok[i], what);
    return 0;
}

static int add_ref(gen_round *rd, const char *s, size_t n, uint64_t line, csfs_error *err)
{
    if (rd->n_refs % 16 == 0) {
        gen_ref *nr = realloc(rd->refs, (rd->n_refs + 16) * sizeof *nr);
        if (!nr) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        rd->refs = nr;
    }
    gen_ref *g = &rd->refs[rd->n_refs++];
    memset(g, 0, sizeof *g);
    g->line = line;
    if (n > GEN_REF_LEN) {
        g->truncated = 1;
        n = GEN_REF_LEN;
    }
    while (n > 0 && s[n - 1] == ' ') n--;
    memcpy(g->text, s, n);
    g->text[n] = 0;
    return 0;
}

int gen_dialog_read(const char *text, size_t len, const char *name, gen_dialog *out,
                    csfs_error *err)
{
    memset(out, 0, sizeof *out);
    out->name = name;
    line_reader R = {text, text + len, 0, name};
    char tok[1][32];
    uint64_t line;
    int rc = read_tokens(&R, 1, tok, &line, "the orbital order (*/r/s/u)", err);
    if (rc) goto fail;
    out->order = tok[0][0];
    out->order_line = line;
    rc = read_ints(&R, 1, &out->core, &out->core_line, "the core (0..6)", err);
    if (rc) goto fail;
    for (;;) {
        gen_round *nr = realloc(out->rounds, (out->n_rounds + 1) * sizeof *nr);
        if (!nr) {
            rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
            goto fail;
        }
        out->rounds = nr;
        gen_round *rd = &out->rounds[out->n_rounds++];
        memset(rd, 0, sizeof *rd);
        /* references, format (a), until a blank line or '*' */
        for (;;) {
            const char *s;
            size_t n;
            if (!next_line(&R, &s, &n)) {
                rc = csfs_fail_line(err, CSFS_E_FORMAT, R.line + 1,
                                    "%s:%llu: the dialog ends inside the list of reference "
                                    "configurations (end it with a blank line or '*'; GRASP "
                                    "stops with \"End of file\" here)",
                                    name, (unsigned long long)(R.line + 1));
                goto fail;
            }
            size_t t = n > GEN_REF_LEN ? GEN_REF_LEN : n;
            while (t > 0 && s[t - 1] == ' ') t--;
            if (t == 0 || (t == 1 && s[0] == '*')) break;
            if (rd->n_refs == GEN_MAX_REFS) {
                rc = csfs_fail_line(err, CSFS_E_FORMAT, R.line,
                                    "%s:%llu: more than %d reference configurations in one "
                                    "list (GRASP reads at most %d and would take this line "
                                    "as the active set)",
                                    name, (unsigned long long)R.line, GEN_MAX_REFS, GEN_MAX_REFS);
                goto fail;
            }
            rc = add_ref(rd, s, n, R.line, err);
            if (rc) goto fail;
        }
        /* active set, format (a), character*44 */
        {
            const char *s;
            size_t n;
            if (!next_line(&R, &s, &n)) {
                rc = csfs_fail_line(err, CSFS_E_FORMAT, R.line + 1,
                                    "%s:%llu: the dialog ends before the active set", name,
                                    (unsigned long long)(R.line + 1));
                goto fail;
            }
            rd->active_line = R.line;
            if (n > GEN_ACTIVE_LEN) {
                rd->active_truncated = 1;
                n = GEN_ACTIVE_LEN;
            }
            memcpy(rd->active, s, n);
            rd->active[n] = 0;
        }
        int jj[2];
        rc = read_ints(&R, 2, jj, &rd->two_j_line, "the 2*J range (lower, higher)", err);
        if (rc) goto fail;
        rd->two_j_lo = jj[0];
        rd->two_j_hi = jj[1];
        rc = read_ints(&R, 1, &rd->excitations, &rd->excitations_line, "the number of excitations",
                       err);
        if (rc) goto fail;
        rc = read_tokens(&R, 1, tok, &rd->more_line, "the answer to \"Generate more lists?\"", err);
        if (rc) goto fail;
        rd->more = tok[0][0] == 'y' || tok[0][0] == 'Y';
        if (!rd->more) break;
    }
    return 0;
fail:
    gen_dialog_free(out);
    return rc;
}

void gen_dialog_free(gen_dialog *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n_rounds; i++) free(d->rounds[i].refs);
    free(d->rounds);
    d->rounds = NULL;
    d->n_rounds = 0;
}
