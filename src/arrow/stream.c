/*
 * csfs_stream_open: the ArrowArrayStream callbacks over a producer thread
 * and a bounded queue of batches (see arrow/stream_internal.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "arrow/stream_internal.h"
#include "common/error.h"
#include "grasp/csf_parquet.h"
#include "grasp/peel.h"

/* Batches waiting for the consumer, besides the pages the engine fills
 * meanwhile: one is enough to keep the workers busy while the consumer works
 * on the batch before. */
#define QUEUE_BATCHES 1

void csfs_stream_options_init(csfs_stream_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->layout = CSFS_LAYOUT_V1;
    opt->columns = CSFS_STREAM_DESCRIPTORS | CSFS_STREAM_ROW;
    opt->batch_rows = 65536;
}

/* ---- producer side ------------------------------------------------------------ */

void csfs_stream_set_columns(csfs_stream_state *st, csfs_acol *cols, size_t n)
{
    pthread_mutex_lock(&st->mu);
    st->cols = cols;
    st->n_cols = n;
    st->schema_ready = 1;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
}

/* The cancel flags are read by the engine's orderer without a lock: they
 * are set and read atomically. */
static void set_cancel(csfs_stream_state *st)
{
    __atomic_store_n(&st->cancel, 1, __ATOMIC_RELAXED);
}

int csfs_stream_cancelled(csfs_stream_state *st)
{
    if (st->opt.cancel && __atomic_load_n(st->opt.cancel, __ATOMIC_RELAXED)) set_cancel(st);
    return __atomic_load_n(&st->cancel, __ATOMIC_RELAXED);
}

static int cancelled_error(csfs_stream_state *st, csfs_error *err)
{
    return csfs_fail(err, CSFS_E_CANCELLED, "%s: cancelled", st->input);
}

int csfs_stream_push(csfs_stream_state *st, struct ArrowArray *batch, csfs_error *err)
{
    if (batch->length == 0) { /* rows= can leave a page empty */
        batch->release(batch);
        return 0;
    }
    if (st->reorder) {
        if (st->n_held == st->cap_held) {
            size_t cap = st->cap_held ? 2 * st->cap_held : 16;
            struct ArrowArray *h = realloc(st->held, cap * sizeof *h);
            if (!h) {
                batch->release(batch);
                return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
            }
            st->held = h;
            st->cap_held = cap;
        }
        st->held[st->n_held++] = *batch;
        batch->release = NULL;
        return 0;
    }
    pthread_mutex_lock(&st->mu);
    while (st->qlen == st->qcap && !csfs_stream_cancelled(st)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 50 * 1000 * 1000; /* to see the caller's cancel flag */
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&st->cv, &st->mu, &ts);
    }
    if (csfs_stream_cancelled(st)) {
        pthread_mutex_unlock(&st->mu);
        batch->release(batch);
        return cancelled_error(st, err);
    }
    st->queue[(st->qhead + st->qlen) % st->qcap] = *batch;
    st->qlen++;
    batch->release = NULL;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
    return 0;
}

size_t csfs_stream_pick(const csfs_stream_state *st, uint64_t row_start, size_t n, uint32_t *idx)
{
    if (!st->sel) return n;
    /* first selected row >= row_start */
    size_t lo = 0, hi = st->n_sel;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->sel[mid] < row_start)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t k = 0;
    for (; lo < st->n_sel && st->sel[lo] < row_start + n; lo++)
        idx[k++] = (uint32_t)(st->sel[lo] - row_start);
    return k;
}

static size_t find_sel(const csfs_stream_state *st, uint64_t row)
{
    size_t lo = 0, hi = st->n_sel;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (st->sel[mid] < row)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* rows= in an order of their own: the held batches hold every selected row
 * once, in file order; hand them out as asked. */
static int emit_reordered(csfs_stream_state *st, csfs_error *err)
{
    size_t *start = malloc((st->n_held + 1) * sizeof *start);
    const struct ArrowArray **src = malloc((st->n_held + 1) * sizeof *src);
    size_t batch = (size_t)st->opt.batch_rows;
    uint64_t *pick = malloc((batch ? batch : 1) * sizeof *pick);
    int rc = 0;
    if (!start || !src || !pick) {
        rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        goto done;
    }
    start[0] = 0;
    for (size_t b = 0; b < st->n_held; b++) {
        start[b + 1] = start[b] + (size_t)st->held[b].length;
        src[b] = &st->held[b];
    }
    st->reorder = 0; /* pushes now go to the queue */
    for (size_t k0 = 0; k0 < st->n_want && rc == 0; k0 += batch) {
        size_t n = st->n_want - k0 < batch ? st->n_want - k0 : batch;
        for (size_t k = 0; k < n; k++) {
            size_t u = find_sel(st, st->want[k0 + k]);
            /* the held batch that holds selected row u */
            size_t lo = 0, hi = st->n_held;
            while (hi - lo > 1) {
                size_t mid = (lo + hi) / 2;
                if (start[mid] <= u)
                    lo = mid;
                else
                    hi = mid;
            }
            pick[k] = ((uint64_t)lo << 32) | (uint64_t)(u - start[lo]);
        }
        struct ArrowArray out;
        if (csfs_arrow_gather(st->cols, st->n_cols, src, pick, n, &out) != 0)
            rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        else
            rc = csfs_stream_push(st, &out, err);
    }
done:
    free(start);
    free(src);
    free(pick);
    return rc;
}

static void *producer_main(void *arg)
{
    csfs_stream_state *st = arg;
    csfs_error e;
    csfs_error_clear(&e);
    int parquet_other = csfs_is_parquet_file(st->input) && !csfs_stream_is_csf_parquet(st->input);
    int rc;
    if (parquet_other)
        rc = csfs_stream_produce_parquet(st, &e);
    else if (st->sel && !csfs_is_parquet_file(st->input))
        rc = csfs_stream_produce_text_rows(st, &e);
    else if (st->sel)
        rc = csfs_stream_produce_parquet_rows(st, &e);
    else
        rc = csfs_stream_produce_engine(st, st->input, NULL, &e);
    if (rc == 0 && st->sel && st->n_sel && st->sel[st->n_sel - 1] >= st->csf_count)
        rc = csfs_fail(&e, CSFS_E_ARGUMENT,
                       "%s: row %llu is out of range (the source has %llu rows)", st->input,
                       (unsigned long long)st->sel[st->n_sel - 1],
                       (unsigned long long)st->csf_count);
    if (rc == 0 && st->reorder) rc = emit_reordered(st, &e);
    for (size_t i = 0; i < st->n_held; i++)
        if (st->held[i].release) st->held[i].release(&st->held[i]);
    st->n_held = 0;
    pthread_mutex_lock(&st->mu);
    st->finished = 1;
    st->rc = rc;
    if (rc) st->err = e;
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
    return NULL;
}

/* ---- consumer side -------------------------------------------------------------- */

static int errno_of(int code)
{
    switch (code) {
    case CSFS_E_NOMEM:
        return ENOMEM;
    case CSFS_E_ARGUMENT:
        return EINVAL;
    case CSFS_E_CANCELLED:
        return ECANCELED;
    default:
        return EIO;
    }
}

static int get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
    csfs_stream_state *st = s->private_data;
    if (csfs_arrow_schema(st->cols, st->n_cols, out) != 0) {
        snprintf(st->last_error, sizeof st->last_error, "out of memory");
        return ENOMEM;
    }
    return 0;
}

static int get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
    csfs_stream_state *st = s->private_data;
    pthread_mutex_lock(&st->mu);
    while (st->qlen == 0 && !st->finished && !csfs_stream_cancelled(st))
        pthread_cond_wait(&st->cv, &st->mu);
    int rc = 0;
    if (st->qlen > 0) {
        *out = st->queue[st->qhead];
        st->qhead = (st->qhead + 1) % st->qcap;
        st->qlen--;
        st->rows_out += (uint64_t)out->length;
        pthread_cond_broadcast(&st->cv);
    } else if (st->finished && st->rc == 0) {
        memset(out, 0, sizeof *out); /* the end */
    } else {
        const csfs_error *e = &st->err;
        if (!st->finished) {
            snprintf(st->last_error, sizeof st->last_error, "%s: cancelled", st->input);
            rc = ECANCELED;
        } else {
            snprintf(st->last_error, sizeof st->last_error, "%s", e->message);
            rc = errno_of(e->code);
        }
        memset(out, 0, sizeof *out);
    }
    pthread_mutex_unlock(&st->mu);
    return rc;
}

static const char *get_last_error(struct ArrowArrayStream *s)
{
    csfs_stream_state *st = s->private_data;
    return st->last_error[0] ? st->last_error : NULL;
}

static void state_free(csfs_stream_state *st)
{
    if (st->started) {
        pthread_mutex_lock(&st->mu);
        set_cancel(st);
        pthread_cond_broadcast(&st->cv);
        pthread_mutex_unlock(&st->mu);
        pthread_join(st->thread, NULL);
    }
    for (size_t i = 0; i < st->qlen; i++) {
        struct ArrowArray *a = &st->queue[(st->qhead + i) % st->qcap];
        if (a->release) a->release(a);
    }
    free(st->queue);
    free(st->held);
    csfs_acols_free(st->cols, st->n_cols);
    free(st->input);
    csfs_peel_free(st->peel);
    free(st->sel);
    free(st->want);
    free(st->blocks);
    for (int i = 0; i < 5; i++) free(st->header[i]);
    pthread_cond_destroy(&st->cv);
    pthread_mutex_destroy(&st->mu);
    free(st);
}

static void release_stream(struct ArrowArrayStream *s)
{
    if (!s || !s->release) return;
    state_free(s->private_data);
    s->release = NULL;
    s->private_data = NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int copy_options(csfs_stream_state *st, const csfs_stream_options *opt, csfs_error *err)
{
    st->opt = *opt;
    st->input = strdup(opt->input);
    if (!st->input) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    st->opt.input = st->input;
    if (opt->peel) {
        size_t n = csfs_peel_count(opt->peel);
        const char **names = malloc((n ? n : 1) * sizeof *names);
        if (!names) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) names[i] = csfs_peel_name(opt->peel, i);
        int rc = csfs_peel_from_names(names, n, &st->peel, err);
        free(names);
        if (rc) return rc;
        st->opt.peel = st->peel;
    }
    st->columns = opt->columns ? opt->columns : CSFS_STREAM_DESCRIPTORS | CSFS_STREAM_ROW;
    if (!st->opt.batch_rows) st->opt.batch_rows = 65536;
    if (opt->rows) {
        size_t n = opt->n_rows;
        st->want = malloc((n ? n : 1) * sizeof *st->want);
        st->sel = malloc((n ? n : 1) * sizeof *st->sel);
        if (!st->want || !st->sel) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        memcpy(st->want, opt->rows, n * sizeof *st->want);
        memcpy(st->sel, opt->rows, n * sizeof *st->sel);
        st->n_want = n;
        qsort(st->sel, n, sizeof *st->sel, cmp_u64);
        size_t u = 0;
        for (size_t i = 0; i < n; i++)
            if (u == 0 || st->sel[u - 1] != st->sel[i]) st->sel[u++] = st->sel[i];
        st->n_sel = u;
        st->reorder = u != n || memcmp(st->sel, st->want, n * sizeof *st->sel) != 0;
    }
    st->opt.rows = NULL;
    return 0;
}

static int check_options(const csfs_stream_options *opt, csfs_error *err)
{
    if (!opt || !opt->input) return csfs_fail(err, CSFS_E_ARGUMENT, "an input file is required");
    if (opt->threads < 0 || opt->threads > 1024)
        return csfs_fail(err, CSFS_E_ARGUMENT, "threads must be between 1 and 1024");
    if (opt->batch_rows > ((uint64_t)1 << 26))
        return csfs_fail(err, CSFS_E_ARGUMENT, "batch_rows must be at most 67108864");
    return 0;
}

int csfs_stream_open(const csfs_stream_options *opt, struct ArrowArrayStream *out, csfs_error *err)
{
    csfs_error local;
    if (!err) err = &local;
    csfs_error_clear(err);
    memset(out, 0, sizeof *out);
    int rc = check_options(opt, err);
    if (rc) return rc;
    csfs_stream_state *st = calloc(1, sizeof *st);
    if (!st) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    pthread_mutex_init(&st->mu, NULL);
    pthread_cond_init(&st->cv, NULL);
    st->qcap = QUEUE_BATCHES;
    st->queue = calloc(st->qcap, sizeof *st->queue);
    rc = st->queue ? copy_options(st, opt, err) : csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    if (rc == 0 && pthread_create(&st->thread, NULL, producer_main, st) != 0)
        rc = csfs_fail(err, CSFS_E_NOMEM, "cannot start a thread");
    if (rc) {
        state_free(st);
        return rc;
    }
    st->started = 1;
    /* Wait until the source is open and its columns known, or it failed. */
    pthread_mutex_lock(&st->mu);
    while (!st->schema_ready && !st->finished) pthread_cond_wait(&st->cv, &st->mu);
    int failed = !st->schema_ready;
    if (failed) {
        *err = st->err;
        rc = st->rc ? st->rc : csfs_fail(err, CSFS_E_FORMAT, "%s: no columns", st->input);
    }
    pthread_mutex_unlock(&st->mu);
    if (failed) {
        state_free(st);
        return rc;
    }
    out->get_schema = get_schema;
    out->get_next = get_next;
    out->get_last_error = get_last_error;
    out->release = release_stream;
    out->private_data = st;
    return 0;
}

int csfs_stream_get_info(struct ArrowArrayStream *s, csfs_stream_info *info, csfs_error *err)
{
    memset(info, 0, sizeof *info);
    if (!s || s->release != release_stream)
        return csfs_fail(err, CSFS_E_ARGUMENT, "not a live stream made by csfs_stream_open");
    csfs_stream_state *st = s->private_data;
    pthread_mutex_lock(&st->mu);
    info->rows = st->rows_out;
    info->csf_count = st->csf_count;
    info->total_lines = st->total_lines;
    info->truncated_count = st->truncated;
    info->failed_count = st->failed;
    info->width = st->width;
    info->bytes_read = st->bytes_read;
    info->done = st->finished && st->rc == 0;
    info->error_code = st->finished ? st->rc : 0;
    info->error_message = st->finished && st->rc ? st->err.message : NULL;
    info->block_lengths = st->blocks;
    info->n_blocks = st->n_blocks;
    for (int i = 0; i < 5; i++) info->header_lines[i] = st->header[i];
    pthread_mutex_unlock(&st->mu);
    return 0;
}

void csfs_stream_cancel(struct ArrowArrayStream *s)
{
    if (!s || s->release != release_stream) return;
    csfs_stream_state *st = s->private_data;
    pthread_mutex_lock(&st->mu);
    set_cancel(st);
    pthread_cond_broadcast(&st->cv);
    pthread_mutex_unlock(&st->mu);
}
