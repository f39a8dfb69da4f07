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
#include "generate/text_sink.h"
#include "jobs/engine_outputs.h"

#define TASK_BYTES ((uint64_t)4 << 20)
#define TASK_MAX_CFGS 1024

typedef struct seg {
    uint32_t cfg;
    int two_j;
    uint64_t skip, take;
} seg;

typedef struct task {
    gen_cfg_text *cfgs;
    size_t n_cfgs;
    seg *segs;
    size_t n_segs;
    const char *prefix; /* header or block separator, written before the CSFs */
    size_t prefix_len;
    csfs_buf out;
    uint64_t csfs; /* CSFs in this task */
    int state;     /* 0 free, 1 queued, 2 running, 3 done */
    uint64_t seq;
    int rc;
    csfs_error err;
} task;

/* The producer: blocks in order, configurations in merged order, cut at any CSF. */
typedef struct producer {
    gen_job *J;
    size_t block; /* current block */
    int in_block; /* merge rewound for this block */
    int have_cfg; /* cur holds a configuration with CSFs left */
    gen_config cur;
    gen_cfg_text cur_text;
    uint64_t cur_count, cur_done;
    int header_done;
    int finished;
} producer;

static int produce(producer *P, task *t, csfs_error *err)
{
    gen_job *J = P->J;
    t->n_cfgs = 0;
    t->n_segs = 0;
    t->prefix = NULL;
    t->prefix_len = 0;
    t->out.len = 0;
    t->rc = 0;
    t->csfs = 0;
    uint64_t bytes = 0;
    if (!P->header_done) {
        t->prefix = J->header;
        t->prefix_len = J->header_len;
        P->header_done = 1;
    }
    while (P->block < J->n_blocks) {
        const gen_block *B = &J->blocks[P->block];
        if (!P->in_block) {
            if (P->block > 0) {
                if (t->n_segs || t->prefix) return 0; /* the separator opens the next task */
                t->prefix = " *\n";
                t->prefix_len = 3;
            }
            int rc = gen_merge_rewind(J->merge, err);
            if (rc) return rc;
            P->in_block = 1;
            P->have_cfg = 0;
        }
        if (!P->have_cfg) {
            int r;
            for (;;) {
                r = gen_merge_next(J->merge, &P->cur, err);
                if (r <= 0) break;
                if (J->plan.lists[P->cur.list].parity != B->parity) continue;
                uint64_t c = gen_config_count(&P->cur, &J->plan, B->two_j);
                if (!c) continue;
                P->cur_count = c;
                P->cur_done = 0;
                gen_cfg_text_prepare(&P->cur_text, &P->cur, &J->plan);
                P->have_cfg = 1;
                break;
            }
            if (r < 0) return r;
            if (r == 0) {
                P->block++;
                P->in_block = 0;
                continue;
            }
        }
        if (t->n_cfgs == TASK_MAX_CFGS || bytes >= TASK_BYTES) return 0;
        uint64_t per = gen_cfg_text_csf_bytes(&P->cur_text);
        uint64_t room = (TASK_BYTES - bytes) / per;
        if (room == 0) room = 1;
        uint64_t take = P->cur_count - P->cur_done;
        if (take > room) take = room;
        t->cfgs[t->n_cfgs] = P->cur_text;
        t->segs[t->n_segs].cfg = (uint32_t)t->n_cfgs;
        t->segs[t->n_segs].two_j = B->two_j;
        t->segs[t->n_segs].skip = P->cur_done;
        t->segs[t->n_segs].take = take;
        t->n_cfgs++;
        t->n_segs++;
        bytes += take * per;
        t->csfs += take;
        P->cur_done += take;
        if (P->cur_done == P->cur_count) P->have_cfg = 0;
    }
    if (!t->n_segs && !t->prefix) P->finished = 1;
    return 0;
}

static int run_task(task *t, gen_emit_scratch *s)
{
    t->out.len = 0;
    int rc = 0;
    if (t->prefix_len) rc = csfs_buf_append(&t->out, t->prefix, t->prefix_len, &t->err);
    for (size_t i = 0; !rc && i < t->n_segs; i++) {
        const seg *g = &t->segs[i];
        rc = gen_emit_text(&t->cfgs[g->cfg], g->two_j, g->skip, g->take, s, &t->out, &t->err);
    }
    return rc;
}

typedef struct pool {
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
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
        int rc = run_task(t, &s);
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
    ps->csfs += t->csfs;
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
        ring[i].cfgs = malloc(TASK_MAX_CFGS * sizeof *ring[i].cfgs);
        ring[i].segs = malloc(TASK_MAX_CFGS * sizeof *ring[i].segs);
        if (!ring[i].cfgs || !ring[i].segs) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    producer Pr;
    memset(&Pr, 0, sizeof Pr);
    Pr.J = J;
    const volatile int *cancel = J->opt->cancel;
    progress_state ps = {J->opt, csfs_now_seconds(),    csfs_now_seconds(), 0,
                         0,      (int64_t)J->text_bytes};
    if (!rc && threads == 1) {
        gen_emit_scratch s = {0};
        task *t = &ring[0];
        while (!rc) {
            rc = produce(&Pr, t, err);
            if (rc || Pr.finished) break;
            rc = run_task(t, &s);
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
                rc = produce(&Pr, t, err);
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
        free(ring[i].cfgs);
        free(ring[i].segs);
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

/* The engine outputs, read back from the generated text at text_path. */
static int engine_outputs(const csfs_generate_options *opt, const char *text_path, int threads,
                          csfs_error *err)
{
    csfs_engine_outputs eo;
    csfs_engine_outputs_init(&eo);
    eo.csf_parquet = opt->csf_parquet;
    eo.descriptors = opt->descriptors;
    eo.n_descriptors = opt->n_descriptors;
    eo.codec = opt->codec;
    eo.codec_level = opt->codec_level;
    eo.row_group_rows = opt->row_group_rows;
    csfs_engine_run run = {.threads = threads,
                           .force = opt->force,
                           .report = opt->report,
                           .report_ctx = opt->report_ctx,
                           .cancel = opt->cancel};
    return csfs_engine_outputs_run(&eo, text_path, &run, err);
}

int csfs_generate_run(const csfs_generate_options *opt, csfs_generate_report *rep, csfs_error *err)
{
    double t0 = csfs_now_seconds();
    int engine = opt->csf_parquet || opt->n_descriptors;
    if (!opt->output && !engine) return csfs_fail(err, CSFS_E_ARGUMENT, "no output given");
    char tdir[4096] = "", tfile[4200] = "";
    const char *text_path = opt->output;
    if (engine && text_path && strcmp(text_path, "-") == 0)
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "the text goes to standard output: the engine outputs need it in a file");
    gen_job J;
    int rc = gen_job_load(&J, opt, err);
    if (rc) return rc;
    rc = gen_job_count(&J, err);
    if (!rc && !text_path) {
        csfs_engine_outputs eo;
        csfs_engine_outputs_init(&eo);
        eo.csf_parquet = opt->csf_parquet;
        eo.descriptors = opt->descriptors;
        eo.n_descriptors = opt->n_descriptors;
        eo.text_name = opt->text_name;
        rc = csfs_engine_outputs_temp_text(&eo, "rcsf.out", tdir, sizeof tdir, tfile, sizeof tfile,
                                           err);
        text_path = tfile;
    }
    if (!rc && !opt->force_space && !ends_with(text_path, ".zst") && strcmp(text_path, "-"))
        rc = check_space(text_path, J.text_bytes, err);
    int threads = opt->threads;
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (int)n : 1;
    }
    gen_text_sink sink;
    if (!rc) rc = gen_text_sink_open(&sink, text_path, opt->force || *tdir, err);
    if (!rc) {
        rc = gen_job_write_text(&J, threads, sink_write, &sink, err);
        if (rc)
            gen_text_sink_abort(&sink);
        else
            rc = gen_text_sink_commit(&sink, err);
    }
    if (!rc && engine) rc = engine_outputs(opt, text_path, threads, err);
    if (*tdir) csfs_engine_outputs_temp_remove(tdir, tfile);
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
