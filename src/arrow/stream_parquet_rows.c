/*
 * rows= on a CSF Parquet source (csfs convert, rCSFs' convert_csfs) without
 * decoding the list: the pass of arrow/stream_rows.h for Parquet. The
 * footer's row-group row counts say which row groups hold selected rows;
 * only those are read, and in them only the pages of line1..line3 that hold
 * a selected row (a page cursor in sparse mode: the other pages are skipped
 * by their headers, their bodies neither read nor decompressed). The J
 * blocks come from the block lengths of the metadata (csfs.block_lengths,
 * else the header TOML's [block_info]; the block column is not read), so the
 * row and block columns and the list's counts are the list's own while the
 * engine parses only the selected records.
 *
 * The whole file is streamed instead (the engine then picks the rows) when
 * most rows are selected, when the file has no header (the copies need one;
 * the peel then comes from the caller), when a block column comes without
 * block lengths, or when a selected line would not survive a text copy (a
 * line break, a carriage return or an empty line in it).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/stream_rows.h"
#include "common/error.h"
#include "engine/pipeline.h" /* csfs_online_cpus */
#include "grasp/csf_parquet.h"
#include "grasp/csf_pq_header.h"

/* One line column of the row group being read: its cursor and current page. */
typedef struct line_reader {
    pq_page_cursor *cur;
    const pq_column_data *page; /* rows [first, end) of the group */
    uint64_t first, end;
} line_reader;

/* Makes r's page the one holding group row `row` (rows only grow). */
static int line_at(const pq_file *f, line_reader *r, uint64_t row, csfs_error *err)
{
    while (!r->page || row >= r->end) {
        int rc = pq_page_cursor_next(r->cur, row, &r->page, &r->first, err);
        if (rc) return rc;
        if (!r->page)
            return csfs_fail(err, CSFS_E_FORMAT, "%s: a column chunk ends before its row group",
                             pq_file_name(f));
        if (r->page->null_count)
            return csfs_fail(err, CSFS_E_FORMAT, "%s: CSF %llu (row %llu): a line is null",
                             pq_file_name(f), (unsigned long long)row, (unsigned long long)row);
        r->end = r->first + r->page->rows;
    }
    return 0;
}

/* The list's J blocks without empty ones (the engine cannot see those in a
 * Parquet list either): p->blocks and p->n_blocks as the text pass leaves
 * them. 1 when they are unknown for a file with a block column. */
static int list_blocks(csfs_rows_pass *p, const csfs_csf_parquet *cp, uint64_t rows,
                       csfs_error *err)
{
    uint64_t *len = NULL, *ends = NULL;
    size_t n = 0;
    int present = 0, rc = 0;
    if (cp->col_block >= 0) {
        rc = csfs_pq_block_lengths(cp->file, &len, &n, &present, err);
        if (rc) return rc;
        uint64_t sum = 0;
        for (size_t b = 0; b < n; b++) sum += len[b];
        if (!present || sum != rows) {
            free(len);
            return 1;
        }
    } else if (cp->n_ends) {
        n = cp->n_ends;
        ends = cp->ends;
    }
    uint64_t *out = malloc((n ? n : 1) * sizeof *out);
    if (!out) {
        free(len);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    size_t nb = 0;
    for (size_t b = 0; b < n; b++) {
        uint64_t l = len ? len[b] : ends[b] - (b ? ends[b - 1] : 0);
        if (l) out[nb++] = l;
    }
    if (!n && rows) out[nb++] = rows; /* blocks unknown: one, as the engine reads it */
    free(len);
    free(p->blocks);
    p->blocks = out;
    p->cap_blocks = n ? n : 1;
    p->n_blocks = nb ? nb - 1 : 0;
    return 0;
}

/* A line a text copy keeps as it is. */
static int copyable(const uint8_t *l, size_t n)
{
    return n && !memchr(l, '\n', n) && !memchr(l, '\r', n);
}

/* One row group holding selected rows: sel[s0, s1) are its rows. */
typedef struct group_job {
    size_t g, s0, s1;
    uint64_t g0;
    csfs_buf out; /* its copies */
    int done, rc, give_up;
    uint64_t bytes;
    csfs_error err;
} group_job;

/*
 * Row groups are decoded by (threads) workers, each taking the next group
 * holding selected rows, at most RING groups ahead of the pass, which writes
 * their copies in file order: decompressing the line pages is the pass's
 * whole cost when the rows are spread over every page.
 */
#define RING 8

typedef struct group_pool {
    csfs_rows_pass *p;
    const csfs_csf_parquet *cp;
    const uint64_t *block_end; /* cumulative ends of p->blocks */
    group_job *jobs;
    size_t n_jobs, next, written;
    int stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
} group_pool;

static uint32_t block_of(const group_pool *w, uint64_t row)
{
    size_t lo = 0, hi = w->p->n_blocks; /* the last block holds every row after it */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (w->block_end[mid] <= row)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint32_t)lo;
}

/* The selected rows of a row group: their lines appended to j->out, their
 * row and block noted (each job has its own range of p->row and p->block).
 * cur: the worker's cursors, kept from group to group (NULL at first). */
static int copy_group(group_pool *w, group_job *j, pq_page_cursor **cur, csfs_error *err)
{
    csfs_rows_pass *p = w->p;
    const csfs_stream_state *st = p->st;
    const pq_file *f = w->cp->file;
    line_reader rd[3];
    memset(rd, 0, sizeof rd);
    uint64_t before = 0;
    int rc = 0;
    for (int k = 0; k < 3 && rc == 0; k++) {
        size_t col = (size_t)w->cp->col_line[k];
        if (cur[k]) {
            before += pq_page_cursor_bytes_read(cur[k]);
            rc = pq_page_cursor_reopen(cur[k], j->g, col, err);
        } else if ((rc = pq_page_cursor_open(f, j->g, col, &cur[k], err)) == 0) {
            pq_page_cursor_sparse(cur[k]);
        }
        rd[k].cur = cur[k];
    }
    j->out.len = 0;
    for (size_t s = j->s0; rc == 0 && !j->give_up && s < j->s1; s++) {
        uint64_t row = st->sel[s];
        for (int k = 0; k < 3 && rc == 0 && !j->give_up; k++) {
            line_reader *r = &rd[k];
            if ((rc = line_at(f, r, row - j->g0, err))) break;
            size_t i = (size_t)(row - j->g0 - r->first);
            const uint8_t *l = r->page->data + r->page->offsets[i];
            size_t len = (size_t)(r->page->offsets[i + 1] - r->page->offsets[i]);
            if (!copyable(l, len))
                j->give_up = 1;
            else if (csfs_buf_append(&j->out, l, len, err) ||
                     csfs_buf_append(&j->out, "\n", 1, err))
                rc = CSFS_E_NOMEM;
        }
        p->row[s] = row;
        p->block[s] = block_of(w, row);
        p->line[s] = 0;
    }
    for (int k = 0; k < 3; k++)
        if (cur[k]) j->bytes += pq_page_cursor_bytes_read(cur[k]);
    j->bytes -= before;
    return rc;
}

static void *group_worker(void *arg)
{
    group_pool *w = arg;
    pq_page_cursor *cur[3] = {NULL, NULL, NULL};
    for (;;) {
        pthread_mutex_lock(&w->mu);
        while (!w->stop && w->next < w->n_jobs && w->next >= w->written + RING)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->stop || w->next >= w->n_jobs) {
            pthread_mutex_unlock(&w->mu);
            break;
        }
        group_job *j = &w->jobs[w->next++];
        pthread_mutex_unlock(&w->mu);
        csfs_error_clear(&j->err);
        j->rc = copy_group(w, j, cur, &j->err);
        pthread_mutex_lock(&w->mu);
        j->done = 1;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        if (j->rc) /* the cursors may be half set up: start afresh */
            for (int k = 0; k < 3; k++) pq_page_cursor_close(cur[k]), cur[k] = NULL;
    }
    for (int k = 0; k < 3; k++) pq_page_cursor_close(cur[k]);
    return NULL;
}

/* The row groups holding selected rows, as jobs. */
static int plan_jobs(group_pool *w, csfs_error *err)
{
    const csfs_stream_state *st = w->p->st;
    size_t groups = pq_file_num_row_groups(w->cp->file), s = 0;
    w->jobs = calloc(groups ? groups : 1, sizeof *w->jobs);
    if (!w->jobs) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    uint64_t g0 = 0;
    for (size_t g = 0; g < groups && s < st->n_sel; g++) {
        uint64_t n = (uint64_t)pq_file_row_group(w->cp->file, g)->num_rows;
        size_t s0 = s;
        while (s < st->n_sel && st->sel[s] < g0 + n) s++;
        if (s > s0) w->jobs[w->n_jobs++] = (group_job){.g = g, .s0 = s0, .s1 = s, .g0 = g0};
        g0 += n;
    }
    return 0;
}

/* Runs the jobs and writes their copies to f in file order. */
static int run_jobs(group_pool *w, FILE *f, const char *tmp, csfs_error *err)
{
    csfs_rows_pass *p = w->p;
    csfs_stream_state *st = p->st;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    int threads = st->opt.threads ? st->opt.threads : csfs_online_cpus();
    if (threads > RING) threads = RING;
    if ((size_t)threads > w->n_jobs) threads = (int)w->n_jobs;
    pthread_t th[RING];
    int started = 0, rc = 0;
    while (started < threads && pthread_create(&th[started], NULL, group_worker, w) == 0) started++;
    if (threads && !started) rc = csfs_fail(err, CSFS_E_NOMEM, "cannot start a thread");
    for (size_t k = 0; rc == 0 && k < w->n_jobs; k++) {
        group_job *j = &w->jobs[k];
        pthread_mutex_lock(&w->mu);
        while (!j->done && !st->cancel) pthread_cond_wait(&w->cv, &w->mu);
        int done = j->done;
        pthread_mutex_unlock(&w->mu);
        if (!done || csfs_stream_cancelled(st)) {
            rc = csfs_fail(err, CSFS_E_CANCELLED, "%s: cancelled", st->input);
            break;
        }
        p->text_bytes += j->bytes;
        if (j->rc) {
            rc = j->rc;
            *err = j->err;
        } else if (j->give_up) {
            p->give_up = 1;
        } else {
            rc = csfs_stream_rows_write(f, j->out.data, j->out.len, tmp, err);
            p->copy_bytes += j->out.len;
            p->next = j->s1;
        }
        csfs_buf_free(&j->out);
        pthread_mutex_lock(&w->mu);
        w->written = k + 1;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        if (p->give_up) break;
    }
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    for (size_t k = 0; k < w->n_jobs; k++) csfs_buf_free(&w->jobs[k].out);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    return rc;
}

static int parquet_pass(csfs_rows_pass *p, FILE *f, const char *tmp, csfs_error *err)
{
    csfs_stream_state *st = p->st;
    csfs_csf_parquet cp;
    int rc = csfs_csf_parquet_open(st->input, &cp, err);
    if (rc) return rc;
    uint64_t rows = (uint64_t)pq_file_num_rows(cp.file);
    /* Most rows selected: decoding them all in file order costs no more. */
    if (!cp.has_header || (uint64_t)st->n_sel > rows / 2) p->give_up = 1;
    if (!p->give_up && (rc = list_blocks(p, &cp, rows, err)) == 1) {
        rc = 0;
        p->give_up = 1;
    }
    for (int i = 0; rc == 0 && !p->give_up && i < CSFS_HEADER_LINES; i++) {
        rc = csfs_stream_rows_write(f, cp.header.lines[i], cp.header.lens[i], tmp, err);
        if (rc == 0) rc = csfs_stream_rows_write(f, "\n", 1, tmp, err);
    }
    group_pool w;
    memset(&w, 0, sizeof w);
    w.p = p;
    w.cp = &cp;
    uint64_t *ends = NULL;
    if (rc == 0 && !p->give_up) {
        ends = malloc((p->n_blocks + 1) * sizeof *ends);
        if (!ends) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        for (size_t b = 0; ends && b <= p->n_blocks; b++)
            ends[b] = (b ? ends[b - 1] : 0) + (rows ? p->blocks[b] : 0);
        w.block_end = ends;
    }
    if (rc == 0 && !p->give_up) rc = plan_jobs(&w, err);
    if (rc == 0 && !p->give_up) rc = run_jobs(&w, f, tmp, err);
    free(w.jobs);
    free(ends);
    p->rows = rows;
    csfs_csf_parquet_close(&cp);
    return rc;
}

int csfs_stream_produce_parquet_rows(csfs_stream_state *st, csfs_error *err)
{
    return csfs_stream_rows_run(st, parquet_pass, 1, err);
}
