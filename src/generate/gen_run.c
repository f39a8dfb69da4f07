/* Parallel, ordered GRASP text of a counted generate job (see generate.c). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/error.h"
#include "generate/csfgen.h"
#include "generate/gen_job.h"
#include "generate/gen_source.h"
#include "generate/text_sink.h"
#include "jobs/engine_outputs.h"
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

/* One destination of the run and the bytes it takes (exact for the text,
 * estimated for the engine outputs). */
typedef struct dest {
    const char *path;
    uint64_t need;
    int estimated;
    char dir[4096];
    struct statvfs sv;
    int known; /* statvfs answered */
} dest;

/* Refuses when the destinations on one file system need more than is free
 * there (each is named with its own need and the file system's total). */
static int check_space(dest *d, size_t n, csfs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(d[i].dir, sizeof d[i].dir, "%s", d[i].path);
        char *slash = strrchr(d[i].dir, '/');
        if (slash)
            *(slash == d[i].dir ? slash + 1 : slash) = 0;
        else
            strcpy(d[i].dir, ".");
        /* cannot tell: let the write report a full disk */
        d[i].known = statvfs(d[i].dir, &d[i].sv) == 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!d[i].known) continue;
        uint64_t total = 0;
        size_t others = 0;
        for (size_t k = 0; k < n; k++)
            if (d[k].known && d[k].sv.f_fsid == d[i].sv.f_fsid) {
                total += d[k].need;
                others += k != i;
            }
        uint64_t avail = (uint64_t)d[i].sv.f_bavail * (uint64_t)d[i].sv.f_frsize;
        if (total <= avail) continue;
        char with[96] = "";
        if (others)
            snprintf(with, sizeof with, " (%llu with the other outputs there)",
                     (unsigned long long)total);
        return csfs_fail(err, CSFS_E_IO,
                         "%s: the output takes %s%llu bytes%s but only %llu bytes are free in "
                         "%s (force the run to try anyway)",
                         d[i].path, d[i].estimated ? "about " : "", (unsigned long long)d[i].need,
                         with, (unsigned long long)avail, d[i].dir);
    }
    return 0;
}

/* Whether every destination has room even for an upper bound of all the
 * run writes (gen_job_output_bound; then the estimates, which cost a sample
 * run, are not needed). */
static int room_for_bounds(const gen_job *J, const char *text_path)
{
    int text = text_path && strcmp(text_path, "-") != 0;
    uint64_t need = text ? J->text_bytes : 0;
    size_t n = gen_job_n_engine_outputs(J);
    for (size_t k = 0; k < n; k++) need += gen_job_output_bound(J, k);
    for (size_t k = 0; k < n + (size_t)text; k++) {
        const char *path = k < n ? gen_job_engine_output_path(J, k) : text_path;
        char dir[4096];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *(slash == dir ? slash + 1 : slash) = 0;
        else
            strcpy(dir, ".");
        struct statvfs sv;
        if (statvfs(dir, &sv) != 0 || (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize < need)
            return 0;
    }
    return 1;
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

size_t gen_job_n_engine_outputs(const gen_job *J)
{
    return (J->opt->engine.csf_parquet ? 1 : 0) + J->opt->engine.n_descriptors;
}

const char *gen_job_engine_output_path(const gen_job *J, size_t k)
{
    if (J->opt->engine.csf_parquet) {
        if (k == 0) return J->opt->engine.csf_parquet;
        k--;
    }
    return J->opt->engine.descriptors[k].path;
}

int gen_job_engine_output(gen_job *J, size_t k, const char *name, int threads, const char *path,
                          uint64_t sample_len, uint64_t sample_stride, int64_t group_rows,
                          uint64_t *rows, char *toml, size_t toml_cap, csfs_error *err)
{
    const csfs_generate_options *opt = J->opt;
    int sample = sample_len != 0;
    gen_source gs;
    csfs_pipe_source *src = NULL;
    int rc = gen_source_open(&gs, J, name, sample_len, sample_stride, &src, err);
    if (rc) return rc;
    /* A size-estimate sample replaces its own file, quietly. */
    csfs_engine_run run = {.threads = threads,
                           .force = opt->force || sample,
                           .report = sample ? NULL : opt->report,
                           .report_ctx = opt->report_ctx,
                           .progress = sample ? NULL : opt->progress,
                           .progress_ctx = opt->progress_ctx,
                           .cancel = opt->cancel};
    if (opt->engine.csf_parquet && k == 0) {
        csfs_convert_options co;
        csfs_engine_convert_options(&opt->engine, name, &run, &co);
        if (path) co.output = path;
        if (group_rows) co.row_group_rows = group_rows;
        co.header_toml = !sample;
        csfs_convert_summary cs;
        rc = csfs_convert_run_source(&co, src, &cs, err);
        if (!rc && rows) *rows = cs.csf_count;
        if (!rc && toml) snprintf(toml, toml_cap, "%s", cs.header_toml);
    } else {
        size_t i = k - (opt->engine.csf_parquet ? 1 : 0);
        const csfs_descriptor_output *d = &opt->engine.descriptors[i];
        /* V2 rows straight from the generator, no text to format and parse
         * (not beyond GRASP's limits: there V2 rejects states GRASP has no
         * table for, which only the text path reports as the job does) */
        if (d->layout == CSFS_LAYOUT_V2 && !opt->no_grasp_limits) rc = gen_source_make_v2(&gs, err);
        csfs_descriptor_options dopt;
        csfs_engine_descriptor_options(&opt->engine, i, name, &run, &dopt);
        if (path) dopt.output = path;
        if (d->format == CSFS_FORMAT_AUTO && path) /* a sample's name says nothing */
            dopt.format = ends_with(d->path, ".npy") ? CSFS_FORMAT_NPY : CSFS_FORMAT_PARQUET;
        if (group_rows) dopt.row_group_rows = group_rows;
        csfs_summary ds;
        if (!rc) rc = csfs_descriptors_run_source(&dopt, src, &ds, err);
        if (!rc && rows) *rows = ds.csf_count;
    }
    gen_source_close(&gs, src);
    return rc;
}

/* The engine outputs: one engine pass per output, each generating the CSFs
 * again into the engine's chunks (generation costs a fraction of parsing,
 * and every job keeps its own options, sinks and summaries). */
static int engine_outputs(gen_job *J, const char *name, int threads, csfs_error *err)
{
    char toml[4096] = "";
    for (size_t k = 0; k < gen_job_n_engine_outputs(J); k++) {
        int rc =
            gen_job_engine_output(J, k, name, threads, NULL, 0, 0, 0, NULL, toml, sizeof toml, err);
        if (rc) {
            /* Nothing of a failed run is left: the outputs published before. */
            for (size_t i = 0; i < k; i++) unlink(gen_job_engine_output_path(J, i));
            if (*toml) unlink(toml);
            return rc;
        }
    }
    return 0;
}

int csfs_generate_run(const csfs_generate_options *opt, csfs_generate_report *rep, csfs_error *err)
{
    double t0 = csfs_now_seconds();
    int engine = opt->engine.csf_parquet || opt->engine.n_descriptors;
    if (!opt->output && !engine) return csfs_fail(err, CSFS_E_ARGUMENT, "no output given");
    const char *text_path = opt->output;
    /* The name the engine outputs record as their source: the text file when
     * one is written, else the name GRASP gives it. */
    const char *name = text_path && strcmp(text_path, "-") != 0 ? text_path
                       : opt->engine.text_name                  ? opt->engine.text_name
                                                                : "rcsf.out";
    int text_file = text_path && strcmp(text_path, "-") != 0;
    csfs_engine_outputs eo;
    csfs_engine_outputs_init(&eo);
    eo.csf_parquet = opt->engine.csf_parquet;
    eo.descriptors = opt->engine.descriptors;
    eo.n_descriptors = opt->engine.n_descriptors;
    /* before anything is generated: no output exists (unless forced), none is the text */
    int rc = csfs_engine_outputs_check(&eo, text_file ? text_path : NULL, opt->force, err);
    if (rc) return rc;
    gen_job J;
    rc = gen_job_load(&J, opt, err);
    if (rc) return rc;
    rc = gen_job_count(&J, err);
    int threads = opt->threads;
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    /* Free space at each destination, before anything is written: the text
     * exactly, the engine outputs by their estimate (gen_estimate.c). */
    if (!rc && !opt->force_space) {
        csfs_generate_estimate *est = NULL;
        size_t n_est = 0;
        if (engine && !room_for_bounds(&J, text_path))
            rc = gen_job_estimate(&J, threads, &est, &n_est, err);
        /* An estimate that cannot be made (e.g. no room for the sample in
         * TMPDIR) checks nothing: the writes report a full disk. */
        if (rc && rc != CSFS_E_CANCELLED) rc = 0;
        dest *d = rc ? NULL : calloc(n_est + 1, sizeof *d);
        if (!rc && !d) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        size_t n = 0;
        if (d && text_path && !ends_with(text_path, ".zst") && strcmp(text_path, "-"))
            d[n++] = (dest){.path = text_path, .need = J.text_bytes};
        for (size_t k = 0; d && k < n_est; k++)
            d[n++] = (dest){.path = est[k].path, .need = est[k].bytes, .estimated = 1};
        if (d) rc = check_space(d, n, err);
        free(d);
        for (size_t k = 0; k < n_est; k++) free(est[k].path);
        free(est);
    }
    gen_text_sink sink;
    int text_open = 0;
    if (!rc && text_path) {
        rc = gen_text_sink_open(&sink, text_path, opt->force, err);
        text_open = !rc;
    }
    if (!rc && text_path) rc = gen_job_write_text(&J, threads, sink_write, &sink, err);
    /* A compressed text is published first: the engine outputs record its
     * size and codec (as convert/descriptors of that file would). */
    int zst = text_path && ends_with(text_path, ".zst");
    if (!rc && text_open && zst && engine) {
        text_open = 0;
        rc = gen_text_sink_commit(&sink, err);
        struct stat st;
        if (!rc && stat(text_path, &st) == 0) {
            J.stored_size = (int64_t)st.st_size;
            J.stored_compression = "zstd";
        }
        if (!rc) {
            rc = engine_outputs(&J, name, threads, err);
            if (rc) unlink(text_path); /* published by this run: nothing is left */
        }
    } else if (!rc && engine) {
        rc = engine_outputs(&J, name, threads, err);
    }
    /* Otherwise the text is published last, so that a failed engine output leaves nothing. */
    if (text_open) {
        if (rc)
            gen_text_sink_abort(&sink);
        else
            rc = gen_text_sink_commit(&sink, err);
        if (rc && engine) /* the text could not be published: neither are the others */
            for (size_t k = 0; k < gen_job_n_engine_outputs(&J); k++)
                unlink(gen_job_engine_output_path(&J, k));
    }
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
