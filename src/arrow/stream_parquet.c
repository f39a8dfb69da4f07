/*
 * Streams of Parquet files that are not CSF lists (descriptor matrices,
 * `csfs mix` labels, ...): every column of the file, in file order, cut into
 * batches, read a page at a time (parquet/pq_reader.h's page cursor). With
 * rows= only the row groups, batches and pages that hold a selected row are
 * read and decoded.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/stream_internal.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/json_array.h"
#include "engine/pipeline.h"
#include "parquet/pq_reader.h"

int csfs_stream_is_csf_parquet(const char *path)
{
    pq_file *f;
    csfs_error e;
    if (pq_file_open(&f, path, &e) != 0) return 0;
    int yes = pq_file_find_column(f, "line1") >= 0 && pq_file_find_column(f, "line2") >= 0 &&
              pq_file_find_column(f, "line3") >= 0;
    pq_file_close(f);
    return yes;
}

static int unsigned_int(const pq_column_info *c)
{
    if (c->logical.kind == PQ_LK_INTEGER) return !c->logical.is_signed;
    return c->converted_type == PQ_CONVERTED_UINT_8 || c->converted_type == PQ_CONVERTED_UINT_16 ||
           c->converted_type == PQ_CONVERTED_UINT_32 || c->converted_type == PQ_CONVERTED_UINT_64;
}

static int arrow_type(const pq_file *f, const pq_column_info *c, csfs_acol_type *t, csfs_error *err)
{
    if (!c->flat)
        return csfs_fail(err, CSFS_E_UNSUPPORTED, "%s: column %s is nested: not streamed",
                         pq_file_name(f), c->path);
    switch (c->type) {
    case PQ_INT32:
        *t = unsigned_int(c) ? CSFS_ACOL_U32 : CSFS_ACOL_I32;
        return 0;
    case PQ_INT64:
        *t = unsigned_int(c) ? CSFS_ACOL_U64 : CSFS_ACOL_I64;
        return 0;
    case PQ_FLOAT:
        *t = CSFS_ACOL_F32;
        return 0;
    case PQ_DOUBLE:
        *t = CSFS_ACOL_F64;
        return 0;
    case PQ_BYTE_ARRAY:
        *t = c->logical.kind == PQ_LK_STRING || c->converted_type == PQ_CONVERTED_UTF8
                 ? CSFS_ACOL_UTF8
                 : CSFS_ACOL_BINARY;
        return 0;
    default:
        return csfs_fail(err, CSFS_E_UNSUPPORTED,
                         "%s: column %s has a Parquet type csfs does not stream", pq_file_name(f),
                         c->path);
    }
}

/* Threads that fill a batch's columns together: the producer and
 * (threads - 1) helpers, each with the columns w, w + T, ... */
typedef struct col_pool {
    size_t n_threads, n_started; /* T (the producer included); helpers running */
    struct col_worker *workers;
    pthread_t *threads;
    csfs_buf *bytes; /* per worker: byte-array values while gathered */
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    int ready, stop, rc;
    uint64_t gen; /* batches handed out */
    size_t pending;
    const struct col_task *task;
    csfs_error err;
} col_pool;

typedef struct pq_stream {
    csfs_stream_state *st;
    pq_file *f;
    long *file_cols; /* the file columns read */
    size_t n_file;
    int add_row, add_block, matrix;
    uint64_t *blocks; /* block lengths from csfs.block_lengths */
    size_t n_blocks;
    uint64_t *block_end; /* running sums */
    csfs_acol *cols;
    size_t n_cols;
    struct col_reader *rd; /* one per file column, for the row group being read */
    col_pool pool;         /* column workers */
} pq_stream;

static int open_columns(pq_stream *p, csfs_error *err)
{
    csfs_stream_state *st = p->st;
    unsigned want = st->columns;
    const char *name = pq_file_name(p->f);
    if (want & (CSFS_STREAM_LINES | CSFS_STREAM_COUPLING))
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "%s: not a CSF list or CSF Parquet file: it has no CSF lines", name);
    size_t nc = pq_file_num_columns(p->f);
    p->cols = calloc(nc + 3, sizeof *p->cols);
    p->file_cols = calloc(nc + 1, sizeof *p->file_cols);
    if (!p->cols || !p->file_cols) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    long row_col = pq_file_find_column(p->f, "row"), block_col = pq_file_find_column(p->f, "block");
    p->add_row = (want & CSFS_STREAM_ROW) && row_col < 0;
    p->add_block = (want & CSFS_STREAM_BLOCK) && block_col < 0;
    p->matrix = (want & CSFS_STREAM_MATRIX) != 0;
    if (p->add_row) {
        p->cols[p->n_cols].name = strdup("row");
        p->cols[p->n_cols++].type = CSFS_ACOL_U64;
    } else if ((want & CSFS_STREAM_ROW) &&
               !(want & (CSFS_STREAM_DESCRIPTORS | CSFS_STREAM_MATRIX))) {
        p->file_cols[p->n_file++] = row_col; /* the file's own row column */
    }
    if (p->add_block) {
        const char *kv = pq_file_kv_lookup(p->f, "csfs.block_lengths");
        if (!kv)
            return csfs_fail(err, CSFS_E_FORMAT,
                             "%s: no block column and no csfs.block_lengths metadata", name);
        char what[1100];
        snprintf(what, sizeof what, "%s: csfs.block_lengths", name);
        int rc = csfs_json_parse_u64_array(kv, strlen(kv), what, &p->blocks, &p->n_blocks, err);
        if (rc) return rc;
        p->block_end = malloc((p->n_blocks + 1) * sizeof *p->block_end);
        if (!p->block_end) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        uint64_t sum = 0;
        for (size_t i = 0; i < p->n_blocks; i++) p->block_end[i] = sum += p->blocks[i];
        p->cols[p->n_cols].name = strdup("block");
        p->cols[p->n_cols++].type = CSFS_ACOL_U32;
    } else if ((want & CSFS_STREAM_BLOCK) &&
               !(want & (CSFS_STREAM_DESCRIPTORS | CSFS_STREAM_MATRIX))) {
        p->file_cols[p->n_file++] = block_col;
    }
    if (want & (CSFS_STREAM_DESCRIPTORS | CSFS_STREAM_MATRIX)) {
        csfs_acol_type first = CSFS_ACOL_I32;
        for (size_t i = 0; i < nc; i++) {
            const pq_column_info *ci = pq_file_column(p->f, i);
            csfs_acol_type t;
            int rc = arrow_type(p->f, ci, &t, err);
            if (rc) return rc;
            if (i == 0) first = t;
            if (p->matrix && (t != first || (t != CSFS_ACOL_I32 && t != CSFS_ACOL_F32)))
                return csfs_fail(err, CSFS_E_ARGUMENT,
                                 "%s: a matrix needs int32 or float32 columns of one type "
                                 "(column %s differs)",
                                 name, ci->path);
            p->file_cols[p->n_file++] = (long)i;
            if (!p->matrix) {
                p->cols[p->n_cols].name = strdup(ci->path);
                p->cols[p->n_cols++].type = t;
            }
        }
        if (p->matrix) {
            p->cols[p->n_cols].name = strdup("x");
            p->cols[p->n_cols].type =
                first == CSFS_ACOL_F32 ? CSFS_ACOL_FSL_F32 : CSFS_ACOL_FSL_I32;
            p->cols[p->n_cols++].list_size = nc;
        }
    } else {
        for (size_t k = 0; k < p->n_file; k++) {
            const pq_column_info *ci = pq_file_column(p->f, (size_t)p->file_cols[k]);
            csfs_acol_type t;
            int rc = arrow_type(p->f, ci, &t, err);
            if (rc) return rc;
            /* row and block come first, in that order, as for CSF sources */
            p->cols[p->n_cols].name = strdup(ci->path);
            p->cols[p->n_cols++].type = t;
        }
    }
    for (size_t i = 0; i < p->n_cols; i++)
        if (!p->cols[i].name) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    if (p->n_cols == 0) return csfs_fail(err, CSFS_E_ARGUMENT, "%s: no columns asked for", name);
    return 0;
}

static uint32_t block_of(const pq_stream *p, uint64_t row, size_t *hint)
{
    while (*hint < p->n_blocks && row >= p->block_end[*hint]) (*hint)++;
    return (uint32_t)*hint;
}

/* One file column of the row group being read: its cursor and current page. */
typedef struct col_reader {
    pq_page_cursor *cur;
    const pq_column_data *page; /* rows [first, end) of the group */
    uint64_t first, end;
} col_reader;

/* Makes r's page the one holding group row `row` (rows only grow). */
static int col_at(pq_stream *p, col_reader *r, uint64_t row, csfs_error *err)
{
    while (!r->page || row >= r->end) {
        int rc = pq_page_cursor_next(r->cur, row, &r->page, &r->first, err);
        if (rc) return rc;
        if (!r->page)
            return csfs_fail(err, CSFS_E_FORMAT, "%s: a column chunk ends before its row group",
                             pq_file_name(p->f));
        if (r->page->null_count) {
            const pq_column_info *ci = pq_file_column(p->f, (size_t)p->file_cols[r - p->rd]);
            return csfs_fail(err, CSFS_E_UNSUPPORTED, "%s: column %s has nulls: not streamed",
                             pq_file_name(p->f), ci->path);
        }
        r->end = r->first + r->page->rows;
    }
    return 0;
}

/* Fixed-width values of group rows from + idx[0..n) (idx NULL: from + 0..n)
 * of reader r into dst, item j at dst + j * stride (w bytes each; stride and
 * w multiples of 4 where w is 4). Runs within a page are copied in one go. */
static int gather_fixed(pq_stream *p, col_reader *r, size_t from, const uint32_t *idx, size_t n,
                        char *dst, size_t stride, size_t w, csfs_error *err)
{
    for (size_t j = 0; j < n;) {
        uint64_t row = from + (idx ? idx[j] : j);
        if (!r->page || row >= r->end) {
            int rc = col_at(p, r, row, err);
            if (rc) return rc;
        }
        const char *vals = r->page->values;
        uint64_t first = r->first, end = r->end;
        if (!idx) { /* a run to the page's end */
            size_t take = (size_t)(end - row) < n - j ? (size_t)(end - row) : n - j;
            const char *src = vals + (row - first) * w;
            if (stride == w) {
                memcpy(dst + j * w, src, take * w);
            } else if (w == 4) {
                const uint32_t *s = (const uint32_t *)src;
                uint32_t *d = (uint32_t *)(dst + j * stride);
                size_t step = stride / 4;
                for (size_t k = 0; k < take; k++) d[k * step] = s[k];
            } else {
                for (size_t k = 0; k < take; k++) memcpy(dst + (j + k) * stride, src + k * w, w);
            }
            j += take;
            continue;
        }
        /* selected rows: as many as fall in this page */
        for (; j < n && (row = from + idx[j]) < end && row >= first; j++)
            memcpy(dst + j * stride, vals + (row - first) * w, w);
    }
    return 0;
}

/* Byte-array values of group rows ROW_AT(0..n) -> offsets o[0..n] and bytes. */
static int gather_var(pq_stream *p, col_reader *r, size_t from, const uint32_t *idx, size_t n,
                      int32_t *o, csfs_buf *b, csfs_error *err)
{
    b->len = 0;
    o[0] = 0;
    for (size_t j = 0; j < n; j++) {
        uint64_t row = from + (idx ? idx[j] : j);
        int rc = col_at(p, r, row, err);
        if (rc) return rc;
        const pq_column_data *pg = r->page;
        size_t at = (size_t)(row - r->first);
        uint64_t len = pg->offsets[at + 1] - pg->offsets[at];
        if (b->len + len > INT32_MAX)
            return csfs_fail(err, CSFS_E_NOMEM, "batch too large: lower batch_rows");
        if (csfs_buf_append(b, (const char *)pg->data + pg->offsets[at], (size_t)len, err))
            return CSFS_E_NOMEM;
        o[j + 1] = (int32_t)b->len;
    }
    return 0;
}

/* One batch's file columns, shared out among the column workers. */
typedef struct col_task {
    size_t from, n;
    const uint32_t *idx;
    csfs_acol_data *d;
    size_t first_out; /* output column of file column 0 (not a matrix) */
    char *matrix;
} col_task;

/* File column fc of the batch: its output values (allocated here). */
static int fill_column(pq_stream *p, const col_task *t, size_t fc, csfs_buf *bytes, csfs_error *err)
{
    col_reader *r = &p->rd[fc];
    if (p->matrix)
        return gather_fixed(p, r, t->from, t->idx, t->n, t->matrix + 4 * fc, 4 * p->n_file, 4, err);
    size_t c = t->first_out + fc;
    csfs_acol_data *d = &t->d[c];
    csfs_acol_type type = p->st->cols[c].type;
    if (!csfs_acol_is_var(type)) {
        size_t w = csfs_acol_value_size(type);
        if (!(d->values = csfs_arrow_alloc(t->n * w)))
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        return gather_fixed(p, r, t->from, t->idx, t->n, d->values, w, w, err);
    }
    if (!(d->offsets = csfs_arrow_alloc((t->n + 1) * 4)))
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    int rc = gather_var(p, r, t->from, t->idx, t->n, d->offsets, bytes, err);
    if (rc) return rc;
    if (!(d->values = csfs_arrow_alloc(bytes->len)))
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    memcpy(d->values, bytes->data, bytes->len);
    return 0;
}

/* Worker w's share of a batch: file columns w, w + T, w + 2T, ... */
static int fill_share(pq_stream *p, const col_task *t, size_t w, csfs_error *err)
{
    col_pool *pool = &p->pool;
    for (size_t fc = w; fc < p->n_file; fc += pool->n_threads) {
        int rc = fill_column(p, t, fc, &pool->bytes[w], err);
        if (rc) return rc;
    }
    return 0;
}

typedef struct col_worker {
    pq_stream *p;
    size_t w;
} col_worker;

static void *col_worker_main(void *arg)
{
    col_worker *cw = arg;
    pq_stream *p = cw->p;
    col_pool *pool = &p->pool;
    uint64_t seen = 0;
    pthread_mutex_lock(&pool->mu);
    for (;;) {
        while (pool->gen == seen && !pool->stop) pthread_cond_wait(&pool->cv_work, &pool->mu);
        if (pool->stop) break;
        seen = pool->gen;
        const col_task *t = pool->task;
        pthread_mutex_unlock(&pool->mu);
        csfs_error e;
        csfs_error_clear(&e);
        int rc = fill_share(p, t, cw->w, &e);
        pthread_mutex_lock(&pool->mu);
        if (rc && !pool->rc) {
            pool->rc = rc;
            pool->err = e;
        }
        if (--pool->pending == 0) pthread_cond_signal(&pool->cv_done);
    }
    pthread_mutex_unlock(&pool->mu);
    return NULL;
}

/* threads - 1 helpers beside the producer thread, at most one a column. */
static int pool_start(pq_stream *p, int threads, csfs_error *err)
{
    col_pool *pool = &p->pool;
    size_t n = threads > 1 ? (size_t)threads : 1;
    if (n > p->n_file) n = p->n_file ? p->n_file : 1;
    pool->bytes = calloc(n, sizeof *pool->bytes);
    pool->workers = calloc(n, sizeof *pool->workers);
    pool->threads = calloc(n, sizeof *pool->threads);
    if (!pool->bytes || !pool->workers || !pool->threads)
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    pthread_mutex_init(&pool->mu, NULL);
    pthread_cond_init(&pool->cv_work, NULL);
    pthread_cond_init(&pool->cv_done, NULL);
    pool->ready = 1;
    pool->n_threads = 1;
    for (size_t w = 1; w < n; w++) {
        pool->workers[w] = (col_worker){p, w};
        if (pthread_create(&pool->threads[w], NULL, col_worker_main, &pool->workers[w]) != 0)
            break; /* fewer helpers: still correct */
        pool->n_started++;
        pool->n_threads++;
    }
    return 0;
}

static void pool_stop(pq_stream *p)
{
    col_pool *pool = &p->pool;
    if (pool->ready) {
        pthread_mutex_lock(&pool->mu);
        pool->stop = 1;
        pthread_cond_broadcast(&pool->cv_work);
        pthread_mutex_unlock(&pool->mu);
        for (size_t w = 1; w <= pool->n_started; w++) pthread_join(pool->threads[w], NULL);
        pthread_mutex_destroy(&pool->mu);
        pthread_cond_destroy(&pool->cv_work);
        pthread_cond_destroy(&pool->cv_done);
    }
    for (size_t w = 0; pool->bytes && w < pool->n_threads; w++) csfs_buf_free(&pool->bytes[w]);
    free(pool->bytes);
    free(pool->workers);
    free(pool->threads);
    memset(pool, 0, sizeof *pool);
}

/* Every file column of the batch, on the pool (the caller is worker 0). */
static int fill_columns(pq_stream *p, const col_task *t, csfs_error *err)
{
    col_pool *pool = &p->pool;
    if (pool->n_threads == 1) return fill_share(p, t, 0, err);
    pthread_mutex_lock(&pool->mu);
    pool->task = t;
    pool->rc = 0;
    pool->pending = pool->n_threads - 1;
    pool->gen++;
    pthread_cond_broadcast(&pool->cv_work);
    pthread_mutex_unlock(&pool->mu);
    int rc = fill_share(p, t, 0, err);
    pthread_mutex_lock(&pool->mu);
    while (pool->pending) pthread_cond_wait(&pool->cv_done, &pool->mu);
    if (!rc && pool->rc) {
        rc = pool->rc;
        *err = pool->err;
    }
    pthread_mutex_unlock(&pool->mu);
    return rc;
}

/* Rows from + idx[0..n) (NULL: from + 0..n) of the row group starting at
 * group_row, read through the column readers, as a batch. */
static int make_batch(pq_stream *p, uint64_t group_row, size_t from, const uint32_t *idx, size_t n,
                      struct ArrowArray *out, csfs_error *err)
{
    const csfs_acol *cols = p->st->cols;
    csfs_acol_data *d = calloc(p->n_cols, sizeof *d);
    if (!d) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    size_t c = 0;
    int rc = 0;
#define ROW_AT(j) (from + (idx ? idx[j] : (j)))
    if (p->add_row) {
        uint64_t *v = d[c++].values = csfs_arrow_alloc(n * 8);
        if (!v) goto oom;
        for (size_t j = 0; j < n; j++) v[j] = group_row + ROW_AT(j);
    }
    if (p->add_block) {
        uint32_t *v = d[c++].values = csfs_arrow_alloc(n * 4);
        if (!v) goto oom;
        size_t hint = 0;
        for (size_t j = 0; j < n; j++) v[j] = block_of(p, group_row + ROW_AT(j), &hint);
    }
#undef ROW_AT
    col_task t = {.from = from, .n = n, .idx = idx, .d = d, .first_out = c};
    if (p->matrix && !(t.matrix = d[c].values = csfs_arrow_alloc(n * p->n_file * 4))) goto oom;
    rc = fill_columns(p, &t, err);
    if (rc) {
        csfs_acol_data_free(d, p->n_cols);
        free(d);
        return rc;
    }
    rc = csfs_arrow_batch(cols, p->n_cols, (int64_t)n, d, out);
    free(d);
    return rc ? csfs_fail(err, CSFS_E_NOMEM, "out of memory") : 0;
oom:
    csfs_acol_data_free(d, p->n_cols);
    free(d);
    return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
}

/* Closes the readers of a row group, counting the bytes they read. */
static void close_readers(pq_stream *p)
{
    uint64_t bytes = 0;
    for (size_t k = 0; k < p->n_file; k++) {
        if (!p->rd[k].cur) continue;
        bytes += pq_page_cursor_bytes_read(p->rd[k].cur);
        pq_page_cursor_close(p->rd[k].cur);
        memset(&p->rd[k], 0, sizeof p->rd[k]);
    }
    pthread_mutex_lock(&p->st->mu);
    p->st->bytes_read += bytes;
    pthread_mutex_unlock(&p->st->mu);
}

/*
 * Row groups are read page by page, one page per column at a time: memory
 * follows the batch and the files' page sizes, never the row-group size.
 * With rows=, row groups without a selected row are not opened, batches
 * without one are not built, and pages before the next selected row are
 * skipped by their headers.
 */
static int run(pq_stream *p, csfs_error *err)
{
    csfs_stream_state *st = p->st;
    size_t ng = pq_file_num_row_groups(p->f);
    size_t batch = (size_t)st->opt.batch_rows;
    uint32_t *idx = malloc((batch ? batch : 1) * sizeof *idx);
    p->rd = calloc(p->n_file ? p->n_file : 1, sizeof *p->rd);
    int rc = 0;
    if (!idx || !p->rd) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    if (rc == 0) rc = pool_start(p, st->opt.threads ? st->opt.threads : csfs_online_cpus(), err);
    uint64_t start = 0;
    size_t next_sel = 0; /* first selected row not yet passed */
    for (size_t g = 0; rc == 0 && g < ng; g++) {
        uint64_t rows = (uint64_t)pq_file_row_group(p->f, g)->num_rows;
        uint64_t end = start + rows;
        if (st->sel) {
            while (next_sel < st->n_sel && st->sel[next_sel] < start) next_sel++;
            if (next_sel == st->n_sel || st->sel[next_sel] >= end) {
                start = end;
                continue;
            }
        }
        for (size_t k = 0; rc == 0 && k < p->n_file; k++) {
            rc = pq_page_cursor_open(p->f, g, (size_t)p->file_cols[k], &p->rd[k].cur, err);
            if (rc == 0 && st->sel) pq_page_cursor_sparse(p->rd[k].cur);
        }
        for (uint64_t from = 0; rc == 0 && from < rows; from += batch) {
            if (csfs_stream_cancelled(st)) {
                rc = csfs_fail(err, CSFS_E_CANCELLED, "%s: cancelled", st->input);
                break;
            }
            size_t n = rows - from < batch ? (size_t)(rows - from) : batch;
            size_t m = csfs_stream_pick(st, start + from, n, idx);
            if (m == 0) continue;
            struct ArrowArray out;
            rc = make_batch(p, start, (size_t)from, st->sel ? idx : NULL, m, &out, err);
            if (rc == 0) rc = csfs_stream_push(st, &out, err);
        }
        close_readers(p);
        start = end;
    }
    if (p->rd) close_readers(p);
    free(p->rd);
    p->rd = NULL;
    free(idx);
    pool_stop(p);
    return rc;
}

int csfs_stream_produce_parquet(csfs_stream_state *st, csfs_error *err)
{
    pq_stream p;
    memset(&p, 0, sizeof p);
    p.st = st;
    int rc = pq_file_open(&p.f, st->input, err);
    if (rc) return rc;
    rc = open_columns(&p, err);
    if (rc == 0) {
        pthread_mutex_lock(&st->mu);
        st->csf_count = (uint64_t)pq_file_num_rows(p.f);
        st->width = p.n_file;
        if (p.blocks || pq_file_kv_lookup(p.f, "csfs.block_lengths")) {
            const char *kv = pq_file_kv_lookup(p.f, "csfs.block_lengths");
            csfs_error ignore;
            if (!p.blocks && kv)
                csfs_json_parse_u64_array(kv, strlen(kv), "", &st->blocks, &st->n_blocks, &ignore);
            else if (p.blocks && (st->blocks = malloc((p.n_blocks ? p.n_blocks : 1) * 8))) {
                memcpy(st->blocks, p.blocks, p.n_blocks * 8);
                st->n_blocks = p.n_blocks;
            }
        }
        pthread_mutex_unlock(&st->mu);
        csfs_stream_set_columns(st, p.cols, p.n_cols); /* the stream owns them now */
        p.cols = NULL;
        rc = run(&p, err);
    } else {
        csfs_acols_free(p.cols, p.n_cols);
    }
    free(p.file_cols);
    free(p.blocks);
    free(p.block_end);
    pq_file_close(p.f);
    return rc;
}
