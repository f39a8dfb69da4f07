#define _GNU_SOURCE
#include "io/outset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

#define OUTSET_BUF (256u * 1024u)

void csfs_outset_init(csfs_outset *s, int force)
{
    memset(s, 0, sizeof *s);
    s->force = force;
}

int csfs_outset_add(csfs_outset *s, const char *path, size_t *index, csfs_error *err)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->files[i].path, path) == 0)
            return csfs_fail(err, CSFS_E_ARGUMENT, "%s: named twice as an output", path);
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        csfs_outset_file *f = realloc(s->files, cap * sizeof *f);
        if (!f) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        s->files = f;
        s->cap = cap;
    }
    csfs_outset_file *f = &s->files[s->n];
    memset(f, 0, sizeof *f);
    f->buf = malloc(OUTSET_BUF);
    f->path = strdup(path);
    int rc = f->buf && f->path ? csfs_outfile_open(&f->file, path, s->force, err)
                               : csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    if (rc) {
        free(f->buf);
        free(f->path);
        return rc;
    }
    f->open = 1;
    if (index) *index = s->n;
    s->n++;
    return 0;
}

static int flush(csfs_outset_file *f, csfs_error *err)
{
    int rc = f->len ? csfs_outfile_write(&f->file, f->buf, f->len, err) : 0;
    f->len = 0;
    return rc;
}

int csfs_outset_write(csfs_outset *s, size_t i, const void *p, size_t n, csfs_error *err)
{
    csfs_outset_file *f = &s->files[i];
    if (f->len + n > OUTSET_BUF) {
        int rc = flush(f, err);
        if (rc) return rc;
        if (n > OUTSET_BUF) return csfs_outfile_write(&f->file, p, n, err);
    }
    memcpy(f->buf + f->len, p, n);
    f->len += n;
    return 0;
}

int csfs_outset_line(csfs_outset *s, size_t i, const void *p, size_t n, csfs_error *err)
{
    csfs_outset_file *f = &s->files[i];
    if (f->len + n + 1 <= OUTSET_BUF) { /* the common case: one copy */
        memcpy(f->buf + f->len, p, n);
        f->buf[f->len + n] = '\n';
        f->len += n + 1;
        return 0;
    }
    int rc = csfs_outset_write(s, i, p, n, err);
    return rc ? rc : csfs_outset_write(s, i, "\n", 1, err);
}

const char *csfs_outset_path(const csfs_outset *s, size_t i)
{
    return s->files[i].path;
}

int csfs_outset_commit(csfs_outset *s, csfs_error *err)
{
    for (size_t i = 0; i < s->n; i++) {
        int rc = flush(&s->files[i], err);
        if (rc) return rc;
    }
    for (size_t i = 0; i < s->n; i++) {
        int rc = csfs_outfile_commit(&s->files[i].file, err);
        if (rc) {
            if (i > 0) {
                char reason[sizeof err->message];
                snprintf(reason, sizeof reason, "%s", err->message);
                csfs_fail(err, rc, "%s (the %zu output(s) before it were already published)",
                          reason, i);
            }
            return rc;
        }
        s->files[i].open = 0;
    }
    return 0;
}

void csfs_outset_free(csfs_outset *s)
{
    for (size_t i = 0; i < s->n; i++) {
        csfs_outfile_abort(&s->files[i].file); /* removes an unpublished temporary */
        free(s->files[i].buf);
        free(s->files[i].path);
    }
    free(s->files);
    memset(s, 0, sizeof *s);
}
