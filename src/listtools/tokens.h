/*
 * A CSF record stream as GRASP's list tools read it: a sequence of tokens,
 * RECORD, SEPARATOR (" *") or END, with one record of look-ahead kept without
 * copying (its lines stay valid until the next token is fetched).
 */
#ifndef CSFS_LIST_TOKENS_H
#define CSFS_LIST_TOKENS_H

#include "listtools/rec_stream.h"

enum { LT_REC = 1, LT_SEP = 2, LT_END = 3 };

typedef struct lt_tokens {
    csfs_rec_stream *s;
    csfs_rec rec; /* the record of the last LT_REC */
    int has_rec;
    uint64_t seps;
    int eof;
} lt_tokens;

static inline int lt_next(lt_tokens *t, int *kind, csfs_error *err)
{
    if (!t->seps && !t->has_rec && !t->eof) {
        int got;
        int rc = csfs_rec_stream_next(t->s, &t->rec, &got, err);
        if (rc) return rc;
        t->seps = t->rec.seps_before;
        t->has_rec = got;
        t->eof = !got;
    }
    if (t->seps) {
        t->seps--;
        *kind = LT_SEP;
    } else if (t->has_rec) {
        t->has_rec = 0;
        *kind = LT_REC;
    } else {
        *kind = LT_END;
    }
    return 0;
}

/* Length of p[0..n) without trailing blanks (Fortran's TRIM). */
static inline size_t lt_trimmed(const char *p, size_t n)
{
    while (n > 0 && p[n - 1] == ' ') n--;
    return n;
}

#endif
