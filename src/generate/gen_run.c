/* Parallel, ordered GRASP text of a counted generate job (see generate.c). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/error.h"
#include "generate/csfgen.h"
#include "generate/gen_job.h"
#include "generate/gen_source.h"
#include "generate/text_sink.h"
#include "jobs/job_source.h"

#include "generate/gen_tasks.h"

typedef struct task {
    gen_task g;
    csfs_buf out;
    int state; /* 0 free, 1 queued, 2 running, 3 done */
    uint64_t seq;
    int rc;
    csfs_error err;
} task;

static int run_task(gen_job *J, task *t, gen_emit_scratch *s)
{
    t->out.len = 0;
    int rc = 0;
    if (t->g.header) rc = csfs_buf_append(&t->out, J->header, J->header_len, &t->err);
    if (!rc && t->g.separator) rc = csfs_buf_append(&t->out, " *\n", 3, &t->err);
    if (!rc) rc = gen_task_emit(&t->g, s, &t->out, NULL, NULL, NULL, NULL, &t->err);
    return rc;
}

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    gen_job *J;
    task *ring;
    size_t n_ring;
    uint64_t next_run; /* next sequence a worker takes */
    uint64_t queued;   /* sequences queued so far */
    int stop;
} pool;

static void *worker(void *arg)
{
    pool *P = arg;
    gen_emit_scratch s = {0};
    pthread_mutex_lock(&P->mu);
    for (;;) {
        while (!P->stop && P->next_run >= P->queued) pthread_cond_wait(&P->cv_work, &P->mu);
        if (P->stop) break;
        task *t = &P->ring[P->next_run % P->n_ring];
        P->next_run++;
        t->state = 2;
        pthread_mutex_unlock(&P->mu);
        int rc = run_task(P->J, t, &s);
        pthread_mutex_lock(&P->mu);
        t->rc = rc;
        t->state = 3;
        pthread_cond_broadcast(&P->cv_done);
    }
    pthread_mutex_unlock(&P->mu);
    gen_emit_scratch_free(&s);
    return NULL;
}

typedef struct progress_state {
    const csfs_generate_options *opt;
    double t0, last;
    uint64_t csfs, bytes;
    int64_t total;
} progress_state;

/* About twice a second, from the writing thread. */
static void progress_tick(progress_state *ps, const task *t)
{
    ps->csfs += t->g.csfs;
    ps->bytes += t->out.len;
    if (!ps->opt->progress) return;
    double now = csfs_now_seconds();
    if (now - ps->last < 0.5) return;
    ps->last = now;
    csfs_progress p = {ps->csfs, ps->bytes, ps->total, now - ps->t0};
    ps->opt->progress(ps->opt->progress_ctx, &p);
}

int gen_job_write_text(gen_job *J, int threads,
                       int (*write)(void *ctx, const void *data, size_t n, csfs_error *err),
                       void *ctx, csfs_error *err)
{
    if (threads < 1) threads = 1;
    size_t n_ring = threads == 1 ? 1 : (size_t)threads * 3;
    task *ring = calloc(n_ring, sizeof *ring);
    if (!ring) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < n_ring; i++) {
        if (!rc) rc = gen_task_alloc(&ring[i].g, err);
    }
    gen_producer Pr;
    gen_producer_init(&Pr, J);
    const volatile int *cancel = J->opt->cancel;
    progress_state ps = {J->opt, csfs_now_seconds(),    csfs_now_seconds(), 0,
                         0,      (int64_t)J->text_bytes};
    if (!rc && threads == 1) {
        gen_emit_scratch s = {0};
        task *t = &ring[0];
        while (!rc) {
            rc = gen_producer_next(&Pr, &t->g, err);
            if (rc || Pr.finished) break;
            rc = run_task(J, t, &s);
            if (rc) {
                *err = t->err;
                break;
            }
            rc = write(ctx, t->out.data, t->out.len, err);
            progress_tick(&ps, t);
            if (!rc && cancel && *cancel) rc = csfs_fail(err, CSFS_E_CANCELLED, "cancelled");
        }
        gen_emit_scratch_free(&s);
    } else if (!rc) {
        pool P;
        memset(&P, 0, sizeof P);
        pthread_mutex_init(&P.mu, NULL);
        pthread_cond_init(&P.cv_work, NULL);
        pthread_cond_init(&P.cv_done, NULL);
        P.J = J;
        P.ring = ring;
        P.n_ring = n_ring;
        pthread_t *tid = calloc((size_t)threads, sizeof *tid);
        int started = 0;
        for (int i = 0; tid && i < threads; i++) {
            if (pthread_create(&tid[i], NULL, worker, &P)) break;
            started++;
        }
        if (!started) rc = csfs_fail(err, CSFS_E_NOMEM, "cannot start threads");
        uint64_t next_write = 0;
        int more = 1;
        while (!rc) {
            /* keep the ring full */
            pthread_mutex_lock(&P.mu);
            int can = more && P.queued - next_write < n_ring;
            pthread_mutex_unlock(&P.mu);
            if (can) {
                task *t = &ring[P.queued % n_ring];
                rc = gen_producer_next(&Pr, &t->g, err);
                if (rc) break;
                if (Pr.finished) {
                    more = 0;
                    continue;
                }
                pthread_mutex_lock(&P.mu);
                t->state = 1;
                t->seq = P.queued;
                P.queued++;
                pthread_cond_signal(&P.cv_work);
                pthread_mutex_unlock(&P.mu);
                continue;
            }
            if (next_write == P.queued) break; /* all written */
            task *t = &ring[next_write % n_ring];
            pthread_mutex_lock(&P.mu);
            while (t->state != 3) pthread_cond_wait(&P.cv_done, &P.mu);
            pthread_mutex_unlock(&P.mu);
            if (t->rc) {
                rc = t->rc;
                *err = t->err;
                break;
            }
            rc = write(ctx, t->out.data, t->out.len, err);
            progress_tick(&ps, t);
            pthread_mutex_lock(&P.mu);
            t->state = 0;
            next_write++;
            pthread_mutex_unlock(&P.mu);
            if (!rc && cancel && *cancel) rc = csfs_fail(err, CSFS_E_CANCELLED, "cancelled");
        }
        pthread_mutex_lock(&P.mu);
        /* let running tasks finish before the ring is freed */
        for (;;) {
            int busy = 0;
            for (size_t i = 0; i < n_ring; i++) busy |= ring[i].state == 2;
            if (!busy) break;
            pthread_cond_wait(&P.cv_done, &P.mu);
        }
        P.stop = 1;
        pthread_cond_broadcast(&P.cv_work);
        pthread_mutex_unlock(&P.mu);
        for (int i = 0; i < started; i++) pthread_join(tid[i], NULL);
        free(tid);
        pthread_mutex_destroy(&P.mu);
        pthread_cond_destroy(&P.cv_work);
        pthread_cond_destroy(&P.cv_done);
    }
    for (size_t i = 0; i < n_ring; i++) {
        gen_task_free(&ring[i].g);
        csfs_buf_free(&ring[i].out);
    }
    free(ring);
    return rc;
}

/* ---- csfs_generate_run ------------------------------------------------------ */

static int sink_write(void *ctx, const void *data, size_t n, csfs_error *err)
{
    return gen_text_sink_write(ctx, data, n, err);
}

static int check_space(const char *path, uint64_t need, csfs_error *err)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *(slash == dir ? slash + 1 : slash) = 0;
    else
        strcpy(dir, ".");
    struct statvfs sv;
    if (statvfs(dir, &sv) != 0) return 0; /* cannot tell: let the write report a full disk */
    uint64_t avail = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
    if (need > avail)
        return csfs_fail(err, CSFS_E_IO,
                         "%s: the list takes %llu bytes of text but only %llu bytes are free "
                         "in %s (force the run to try anyway)",
                         path, (unsigned long long)need, (unsigned long long)avail, dir);
    return 0;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* The engine outputs: one engine pass per output, each generating the CSFs
 * again into the engine's chunks (generation costs a fraction of parsing,
 * and every job keeps its own options, sinks and summaries). */
static int engine_outputs(gen_job *J, const char *name, int threads, csfs_error *err)
{
    const csfs_generate_options *opt = J->opt;
    gen_source gs;
    csfs_pipe_source *src = NULL;
    if (opt->csf_parquet) {
        csfs_convert_options co;
        csfs_convert_options_init(&co);
        co.input = name;
        co.output = opt->csf_parquet;
        co.force = opt->force;
        co.threads = threads;
        co.codec = opt->codec;
        co.codec_level = opt->codec_level;
        co.row_group_rows = opt->row_group_rows;
        co.header_toml = 1;
        co.report = opt->report;
        co.report_ctx = opt->report_ctx;
        co.progress = opt->progress;
        co.progress_ctx = opt->progress_ctx;
        co.cancel = opt->cancel;
        csfs_convert_summary cs;
        int rc = gen_source_open(&gs, J, name, &src, err);
        if (!rc) rc = csfs_convert_run_source(&co, src, &cs, err);
        gen_source_close(&gs, src);
        if (rc) return rc;
    }
    for (size_t i = 0; i < opt->n_descriptors; i++) {
        const csfs_generate_descriptor_output *d = &opt->descriptors[i];
        csfs_descriptor_options dopt;
        csfs_descriptor_options_init(&dopt);
        dopt.input = name;
        dopt.output = d->path;
        dopt.layout = d->layout ? d->layout : CSFS_LAYOUT_V1;
        dopt.normalize = d->normalize;
        dopt.format = d->format;
        dopt.force = opt->force;
        dopt.threads = threads;
        dopt.codec = opt->codec;
        dopt.codec_level = opt->codec_level;
        dopt.row_group_rows = opt->row_group_rows;
        dopt.report = opt->report;
        dopt.report_ctx = opt->report_ctx;
        dopt.progress = opt->progress;
        dopt.progress_ctx = opt->progress_ctx;
        dopt.cancel = opt->cancel;
        csfs_summary ds;
        int rc = gen_source_open(&gs, J, name, &src, err);
        if (!rc) rc = csfs_descriptors_run_source(&dopt, src, &ds, err);
        gen_source_close(&gs, src);
        if (rc) return rc;
    }
    return 0;
}

int csfs_generate_run(const csfs_generate_options *opt, csfs_generate_report *rep, csfs_error *err)
{
    double t0 = csfs_now_seconds();
    int engine = opt->csf_parquet || opt->n_descriptors;
    if (!opt->output && !engine) return csfs_fail(err, CSFS_E_ARGUMENT, "no output given");
    const char *text_path = opt->output;
    /* The name the engine outputs record as their source: the text file when
     * one is written, else the name GRASP gives it. */
    const char *name = text_path && strcmp(text_path, "-") != 0 ? text_path
                       : opt->text_name                         ? opt->text_name
                                                                : "rcsf.out";
    gen_job J;
    int rc = gen_job_load(&J, opt, err);
    if (rc) return rc;
    rc = gen_job_count(&J, err);
    if (!rc && !opt->force_space && text_path && !ends_with(text_path, ".zst") &&
        strcmp(text_path, "-"))
        rc = check_space(text_path, J.text_bytes, err);
    int threads = opt->threads;
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    gen_text_sink sink;
    if (!rc && text_path) rc = gen_text_sink_open(&sink, text_path, opt->force, err);
    if (!rc && text_path) {
        rc = gen_job_write_text(&J, threads, sink_write, &sink, err);
        if (rc)
            gen_text_sink_abort(&sink);
        else
            rc = gen_text_sink_commit(&sink, err);
    }
    if (!rc && engine) rc = engine_outputs(&J, name, threads, err);
    if (!rc && rep) {
        csfs_generate_report tmp;
        rc = gen_fill_report(&J, &tmp, err);
        if (!rc) {
            *rep = tmp;
            rep->threads = threads;
            rep->seconds = csfs_now_seconds() - t0;
        }
    }
    gen_job_free(&J);
    return rc;
}
