/* csfs_interact_run's progress callback and cancel: a cancel raised before or
 * during the run (from the progress callback) stops it with CSFS_E_CANCELLED
 * and leaves no output, engine outputs included; progress first reports the
 * candidate list's own size. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "csfs.h"
#include "testutil.h"

typedef struct seen {
    int calls;
    volatile int cancel;
    int64_t bytes_total;
    uint64_t max_done;
    int cancel_on_first;
} seen;

static void on_progress(void *ctx, const csfs_progress *p)
{
    seen *s = ctx;
    s->calls++;
    if (s->calls == 1) s->bytes_total = p->bytes_total; /* later: the engine outputs' passes */
    if (p->csfs_done > s->max_done) s->max_done = p->csfs_done;
    if (s->cancel_on_first) s->cancel = 1;
}

static int exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0;
}

int main(void)
{
    const char *mr = tu_data("data/generate/fe_3d6_4s2_sd/utils/fe_mr.c");
    const char *cand = tu_data("data/generate/fe_3d6_4s2_sd/rcsf.out");
    if (!mr || !cand) return tu_done();
    const char *dir = tu_temp_dir();
    char out[4096], pq[4096];
    snprintf(out, sizeof out, "%s/rcsf.out", dir);
    snprintf(pq, sizeof pq, "%s/out.parquet", dir);
    struct stat cst;
    CHECK(stat(cand, &cst) == 0);

    /* Cancelled before the start: nothing written. */
    seen s;
    memset(&s, 0, sizeof s);
    s.cancel = 1;
    csfs_interact_options o;
    csfs_interact_options_init(&o);
    o.mr = mr;
    o.candidates = cand;
    o.output = out;
    o.engine.csf_parquet = pq;
    o.threads = 2;
    o.cancel = &s.cancel;
    o.progress = on_progress;
    o.progress_ctx = &s;
    csfs_error err;
    csfs_interact_summary sum;
    int rc = csfs_interact_run(&o, &sum, &err);
    CHECK_EQ_INT(rc, CSFS_E_CANCELLED);
    CHECK_EQ_INT(tu_count_entries(dir), 0);

    /* A whole run: progress (when the engine reported) counts candidates of
     * this file; the summary is complete. */
    memset(&s, 0, sizeof s);
    o.chunk_bytes = 4096;
    rc = csfs_interact_run(&o, &sum, &err);
    CHECK_EQ_INT(rc, 0);
    CHECK(exists(out) && exists(pq));
    if (s.calls) {
        CHECK_EQ_INT(s.bytes_total, (int64_t)cst.st_size);
        CHECK(s.max_done <= sum.candidates);
    }
    CHECK_EQ_INT(sum.candidates, 7811); /* GRASP's screen: 545+1365+1982+2056+1863 */
    csfs_interact_summary_free(&sum);
    remove(out);
    remove(pq);
    char toml[4200];
    snprintf(toml, sizeof toml, "%s/rcsf_header.toml", dir);
    remove(toml);

    /* Cancelled from the progress callback: stops, nothing is left. */
    memset(&s, 0, sizeof s);
    s.cancel_on_first = 1;
    rc = csfs_interact_run(&o, &sum, &err);
    if (s.calls) {
        CHECK_EQ_INT(rc, CSFS_E_CANCELLED);
        CHECK_CONTAINS(err.message, "cancelled");
        CHECK_EQ_INT(tu_count_entries(dir), 0);
    } else {
        CHECK_EQ_INT(rc, 0);
        csfs_interact_summary_free(&sum);
    }
    return tu_done();
}
