/*
 * The frame every job (descriptors, convert, export, split, mix) runs in:
 *
 *   csfs_job_begin   clears the error, checks what every job's options share
 *                    (the thread count, 0..CSFS_MAX_THREADS), starts the clock
 *   csfs_job_cancelled / csfs_job_progress / csfs_job_report
 *                    while the job runs: one wording of a cancel
 *                    ("NAME: cancelled", CSFS_E_CANCELLED), progress about
 *                    twice a second, warnings through the report callback
 *   csfs_job_end     the seconds for the summary
 *
 * Each job opens its inputs and outputs, runs, checks csfs_job_cancelled
 * once more and then publishes its outputs (io/outfile.h: renamed into
 * place); on any error it aborts them instead, so that nothing is left.
 */
#ifndef CSFS_JOB_H
#define CSFS_JOB_H

#include <stdarg.h>
#include <stdint.h>

#include "common/error.h"
#include "csfs.h"

/* The largest thread count any job takes. */
#define CSFS_MAX_THREADS 1024

typedef struct csfs_job {
    const char *name; /* for messages: the input (or output) the job is about */
    const volatile int *cancel;
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    void (*progress)(void *ctx, const csfs_progress *progress);
    void *progress_ctx;
    double t0, last_progress;
} csfs_job;

/* Starts a job: err cleared, threads checked (0 = online CPUs). */
int csfs_job_begin(csfs_job *job, const char *name, int threads, csfs_error *err);

/* CSFS_E_CANCELLED ("NAME: cancelled") once the cancel flag is up, else 0. */
int csfs_job_cancelled(const csfs_job *job, csfs_error *err);

/* One warning on the report callback (nothing without one). */
void csfs_job_report(const csfs_job *job, const char *fmt, ...) CSFS_PRINTF(2, 3);

/* The same for a job that keeps the callback in its options. */
void csfs_report_v(void (*report)(void *ctx, const char *message), void *ctx, const char *fmt,
                   va_list ap);

/* CSFS_E_CANCELLED ("NAME: cancelled") once *cancel is set (cancel may be
 * NULL), else 0: csfs_job_cancelled for a job without a csfs_job. */
int csfs_cancel_check(const volatile int *cancel, const char *name, csfs_error *err);

/* The progress callback, at most about twice a second. */
void csfs_job_progress(csfs_job *job, uint64_t csfs_done, uint64_t bytes_done, int64_t bytes_total);

/* The end of the run: returns rc; *seconds (may be NULL) gets the job's
 * wall time. */
int csfs_job_end(const csfs_job *job, int rc, double *seconds, csfs_error *err);

#endif
