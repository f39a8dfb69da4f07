/*
 * GRASP's rcsfsplit dialog (what users feed it on stdin) as options:
 *   line 1   state name (the list is "<name>.c", outputs "<name><label>.c")
 *   line 2   number of orbital sets (list-directed integer)
 *   then     per set: the orbitals ("5s,4p,3d") and the file label
 * Read as GRASP reads it: lines up to their end (a CR before LF removed),
 * trailing blanks of the name and labels dropped (Fortran TRIM).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "csfs.h"
#include "listtools/tokens.h"

typedef struct dlg {
    const char *p, *end;
    unsigned line;
} dlg;

static int next_line(dlg *d, const char **s, size_t *n)
{
    if (d->p >= d->end) return 0;
    const char *nl = memchr(d->p, '\n', (size_t)(d->end - d->p));
    const char *e = nl ? nl : d->end;
    *s = d->p;
    *n = (size_t)(e - d->p);
    if (*n && (*s)[*n - 1] == '\r') (*n)--;
    d->p = nl ? nl + 1 : d->end;
    d->line++;
    return 1;
}

int csfs_split_active_parse_dialog(const char *text, size_t len, const char *name, const char *dir,
                                   csfs_split_active_options *out, csfs_active_set **sets,
                                   char **storage, csfs_error *err)
{
    *sets = NULL;
    *storage = NULL;
    size_t dlen = dir ? strlen(dir) : 0;
    char *st = malloc(2 * len + 2 * dlen + 64);
    if (!st) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    char *w = st;
    dlg d = {text, text + len, 0};
    const char *s;
    size_t n;
    if (!next_line(&d, &s, &n) || lt_trimmed(s, n) == 0) {
        free(st);
        return csfs_fail_line(err, CSFS_E_FORMAT, 1, "%s:1: no state name", name);
    }
    n = lt_trimmed(s, n);
    /* prefix: "<dir>/<name>", input: prefix + ".c" */
    out->prefix = w;
    out->dir = dir;
    w += sprintf(w, "%.*s", (int)n, s) + 1;
    out->input = w;
    w += sprintf(w, "%s.c", out->prefix) + 1;
    if (!next_line(&d, &s, &n)) {
        free(st);
        return csfs_fail_line(err, CSFS_E_FORMAT, 2, "%s:2: no number of orbital sets", name);
    }
    char num[64];
    snprintf(num, sizeof num, "%.*s", (int)(n < 63 ? n : 63), s);
    char *q = num;
    while (isspace((unsigned char)*q)) q++;
    char *e;
    long k = strtol(q, &e, 10);
    if (e == q || k < 1 || k > 100000 || (*e && *e != ',' && !isspace((unsigned char)*e))) {
        free(st);
        return csfs_fail_line(err, CSFS_E_FORMAT, 2,
                              "%s:2: '%s' is not a number of orbital sets (1 or more)", name, num);
    }
    csfs_active_set *sv = calloc((size_t)k, sizeof *sv);
    if (!sv) {
        free(st);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    for (long i = 0; i < k; i++) {
        if (!next_line(&d, &s, &n)) {
            free(st);
            free(sv);
            return csfs_fail_line(err, CSFS_E_FORMAT, d.line + 1,
                                  "%s:%u: the dialog ends before the orbitals of set %ld of %ld",
                                  name, d.line + 1, i + 1, k);
        }
        sv[i].orbitals = w;
        w += sprintf(w, "%.*s", (int)lt_trimmed(s, n), s) + 1;
        if (!next_line(&d, &s, &n)) {
            free(st);
            free(sv);
            return csfs_fail_line(err, CSFS_E_FORMAT, d.line + 1,
                                  "%s:%u: the dialog ends before the label of set %ld of %ld", name,
                                  d.line + 1, i + 1, k);
        }
        sv[i].label = w;
        w += sprintf(w, "%.*s", (int)lt_trimmed(s, n), s) + 1;
    }
    out->sets = sv;
    out->n_sets = (size_t)k;
    *sets = sv;
    *storage = st;
    return 0;
}
