/*
 * GRASP's list tools read each CSF line with READ(unit, '(A)') into a
 * fixed-length CHARACTER variable: a longer line keeps only its first `cap`
 * characters, which are what the tool compares, tests and writes (TRIMmed).
 *
 *   rcsfinteract, rcsfzerofirst   CHARACTER(LEN=256) records
 *                                 (lodcsl_MR/lodcsl_CSF, lodcsl_Zero/_Part)
 *   rcsfsplit                     character(len=200) string1..3
 *   rasfsplit                     character(len=700) string1, string2
 *
 * csfs cuts the same way by default, so that its bytes are GRASP's, and warns
 * naming the file, the line and what was cut; with `keep` the lines stay
 * whole (not GRASP's bytes) and the warning says GRASP would cut them.
 */
#ifndef CSFS_LT_GRASP_CUT_H
#define CSFS_LT_GRASP_CUT_H

#include <stddef.h>
#include <stdint.h>

#define LT_CUT_WARNINGS 5 /* lines named one by one; the rest are counted */

typedef struct lt_cut {
    const char *tool; /* "rcsfzerofirst", ... */
    size_t cap;       /* GRASP's record length */
    int keep;         /* keep long lines whole */
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    uint64_t lines; /* lines longer than cap met */
} lt_cut;

void lt_cut_init(lt_cut *c, const char *tool, size_t cap, int keep,
                 void (*report)(void *ctx, const char *message), void *report_ctx);

/*
 * The length of line p[0..n) as the tool uses it: the first cap characters
 * (then trailing blanks dropped), or all of them with keep. A longer line is
 * reported: `where` names it ("file:LINE", or a Parquet row and the line's
 * place in its CSF).
 */
size_t lt_cut_line(lt_cut *c, const char *p, size_t n, const char *where);

/* "file:LINE" of line k (0..2) of a CSF whose line 1 is file line `line1`
 * (0: a Parquet row; `row` then names it). */
void lt_cut_where(char *out, size_t cap, const char *name, uint64_t line1, uint64_t row, int k);

/* After the run: how many lines were cut beyond those named. */
void lt_cut_finish(const lt_cut *c);

#endif
