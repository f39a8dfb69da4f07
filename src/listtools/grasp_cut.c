/* GRASP's fixed-length line reads (listtools/grasp_cut.h). */
#include "listtools/grasp_cut.h"

#include <stdio.h>
#include <string.h>

void lt_cut_init(lt_cut *c, const char *tool, size_t cap, int keep,
                 void (*report)(void *ctx, const char *message), void *report_ctx)
{
    memset(c, 0, sizeof *c);
    c->tool = tool;
    c->cap = cap;
    c->keep = keep;
    c->report = report;
    c->report_ctx = report_ctx;
}

static size_t trimmed(const char *p, size_t n)
{
    while (n > 0 && p[n - 1] == ' ') n--;
    return n;
}

size_t lt_cut_line(lt_cut *c, const char *p, size_t n, const char *where)
{
    size_t whole = trimmed(p, n);
    if (whole <= c->cap) return whole; /* blanks beyond cap: GRASP's TRIM drops them too */
    size_t cut = trimmed(p, c->cap);
    c->lines++;
    if (c->report && c->lines <= LT_CUT_WARNINGS) {
        /* What GRASP loses: the characters after position cap (shown from
         * the first non-blank, up to 60 of them). */
        size_t n_lost = whole - c->cap, skip = 0;
        while (p[c->cap + skip] == ' ') skip++;
        const char *lost = p + c->cap + skip;
        size_t shown = n_lost - skip;
        char msg[1024];
        if (c->keep)
            snprintf(msg, sizeof msg,
                     "%s: a line of %zu characters; GRASP's %s reads %zu and would drop "
                     "'%.*s%s' (%zu characters): kept whole, so this output is not GRASP's",
                     where, whole, c->tool, c->cap, (int)(shown > 60 ? 60 : shown), lost,
                     shown > 60 ? "..." : "", n_lost);
        else
            snprintf(msg, sizeof msg,
                     "%s: a line of %zu characters, cut to its first %zu as GRASP's %s reads "
                     "it; cut off: '%.*s%s' (%zu characters; keep_long_lines keeps them)",
                     where, whole, c->cap, c->tool, (int)(shown > 60 ? 60 : shown), lost,
                     shown > 60 ? "..." : "", n_lost);
        c->report(c->report_ctx, msg);
    }
    return c->keep ? whole : cut;
}

void lt_cut_where(char *out, size_t cap, const char *name, uint64_t line1, uint64_t row, int k)
{
    if (line1)
        snprintf(out, cap, "%s:%llu", name, (unsigned long long)(line1 + (uint64_t)k));
    else
        snprintf(out, cap, "%s: row %llu, line %d of the CSF", name, (unsigned long long)row,
                 k + 1);
}

void lt_cut_finish(const lt_cut *c)
{
    if (!c->report || c->lines <= LT_CUT_WARNINGS) return;
    char msg[256];
    snprintf(msg, sizeof msg, "%llu lines longer than %zu characters in all (%s)%s",
             (unsigned long long)c->lines, c->cap, c->tool,
             c->keep ? ", kept whole" : ", each cut as GRASP cuts it");
    c->report(c->report_ctx, msg);
}
