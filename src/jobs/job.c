/* The job frame (jobs/job.h). */
#include "jobs/job.h"

#include <stdarg.h>
#include <stdio.h>

#include "common/clock.h"

int csfs_job_begin(csfs_job *job, const char *name, int threads, csfs_error *err)
{
    csfs_error_clear(err);
    job->name = name ? name : "";
    job->t0 = csfs_now_seconds();
    job->last_progress = job->t0;
    if (threads < 0 || threads > CSFS_MAX_THREADS)
        return csfs_fail(err, CSFS_E_ARGUMENT, "threads must be between 1 and %d (0: one per CPU)",
                         CSFS_MAX_THREADS);
    return 0;
}

int csfs_cancel_check(const volatile int *cancel, const char *name, csfs_error *err)
{
    /* Raised by a signal handler or another thread: read it atomically. */
    if (!cancel || !__atomic_load_n(cancel, __ATOMIC_RELAXED)) return 0;
    return csfs_fail(err, CSFS_E_CANCELLED, "%s: cancelled", name ? name : "");
}

int csfs_job_cancelled(const csfs_job *job, csfs_error *err)
{
    return csfs_cancel_check(job->cancel, job->name, err);
}

void csfs_report_v(void (*report)(void *ctx, const char *message), void *ctx, const char *fmt,
                   va_list ap)
{
    if (!report) return;
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    report(ctx, msg);
}

void csfs_job_report(const csfs_job *job, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    csfs_report_v(job->report, job->report_ctx, fmt, ap);
    va_end(ap);
}

void csfs_job_progress(csfs_job *job, uint64_t csfs_done, uint64_t bytes_done, int64_t bytes_total)
{
    if (!job->progress) return;
    double t = csfs_now_seconds();
    if (t - job->last_progress < 0.5) return;
    job->last_progress = t;
    csfs_progress p = {.csfs_done = csfs_done,
                       .bytes_done = bytes_done,
                       .bytes_total = bytes_total,
                       .seconds = t - job->t0};
    job->progress(job->progress_ctx, &p);
}

int csfs_job_end(const csfs_job *job, int rc, double *seconds, csfs_error *err)
{
    if (seconds) *seconds = csfs_now_seconds() - job->t0;
    return rc;
}
