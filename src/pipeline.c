/*
 * The descriptor job, in parallel and in bounded memory.
 *
 *   reader thread      text chunks cut at record boundaries (csf_text.c)
 *   N worker threads   SCAN a chunk into records; PARSE a chunk's records
 *                      straight into the column buffers of the pages they
 *                      belong to; ENCODE a page of one lane (column)
 *   calling thread     the orderer/writer: numbers lines, CSFs and blocks in
 *                      file order, reports failures in order, hands finished
 *                      pages to the sink (which only writes bytes)
 *
 * Pages are fixed row ranges (page_sink.h), so the output does not depend on
 * the thread count or the chunk size. Memory is bounded by two rings: text
 * chunks (threads + 2) and pages (threads + 3), whatever the file size.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "csf_text.h"
#include "desc_metadata.h"
#include "descriptor.h"
#include "error.h"
#include "io/outfile.h"
#include "page_sink.h"
#include "peel.h"

/* ---- state -------------------------------------------------------------- */

enum chunk_state { CH_FREE, CH_READ, CH_SCANNED, CH_PLACING, CH_PLACED };

typedef struct segment {
    uint64_t page;
    uint64_t row_start, row_end; /* absolute rows */
    int done;
    csfs_desc_notes notes;
} segment;

typedef struct chunk {
    enum chunk_state state;
    uint64_t seq;
    int is_last;
    csfs_buf text;
    csfs_chunk_scan scan;
    int scan_rc;
    csfs_error scan_err;
    uint64_t row_start, line_base;
    segment *segs;
    size_t n_segs, cap_segs, segs_done;
    uint64_t next_row; /* first row not yet given to a segment */
} chunk;

typedef struct page_slot {
    int in_use;
    uint64_t index;
    uint64_t row_start, natural_end;
    uint64_t rows_parsed;
    size_t lanes_done;
    uint32_t *cols; /* width * page_rows values */
} page_slot;

typedef enum task_type { T_SCAN, T_PARSE, T_ENCODE } task_type;

typedef struct task {
    task_type type;
    uint64_t a;  /* chunk seq (SCAN, PARSE) or page (ENCODE) */
    size_t b;    /* segment (PARSE) or lane (ENCODE) */
} task;

typedef struct task_queue {
    task *items;
    size_t head, len, cap;
} task_queue;

typedef struct job {
    const csfs_descriptor_options *opt;
    csfs_text_reader *reader;
    const char *name;
    csfs_peel *own_peel;
    const csfs_peel *peel;
    csfs_outfile out;
    int out_open;
    csfs_page_sink *sink;
    size_t width;
    csfs_desc_ctx *ctx; /* one per worker */
    void **worker_state;
    int threads;

    pthread_mutex_t mu;
    pthread_cond_t cv_main, cv_work, cv_reader;
    int stop;          /* stop everything: an error or the end */
    int rc;            /* first failure (CSFS_E_*) */
    csfs_error err;

    chunk *chunks;
    size_t n_chunks;
    uint64_t next_read, next_scan_acc, next_place, next_parse_acc;
    int reader_eof;
    uint64_t total_chunks;

    page_slot *pages;
    size_t ring;            /* page slots */
    uint64_t page_rows, group_rows, pages_per_group;
    uint64_t pages_done;    /* pages handed to page_done (and released) */
    uint64_t pages_complete;/* pages whose rows are all parsed */
    uint64_t pages_scheduled; /* unordered sinks: pages whose encodes are queued */
    uint64_t *lane_next;
    uint8_t *lane_busy;
    task_queue q_scan, q_parse, q_encode;
    int writing;            /* the orderer is in sink->page_done (lock released) */

    /* Totals in file order (orderer only). */
    uint64_t rows;          /* rows of the chunks accounted so far */
    uint64_t line_base;
    uint64_t failed, unknown_fields;
    csfs_desc_note first_unknown;
    uint64_t first_unknown_csf, first_unknown_line;
    int64_t pending_blank;
    uint64_t *blocks;
    size_t n_blocks, cap_blocks;
    uint64_t block_csfs;
    int seen_separator;
    uint64_t input_bytes;
    double t0, last_progress;
} job;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void report(const job *j, const char *fmt, ...) CSFS_PRINTF(2, 3);

static void report(const job *j, const char *fmt, ...)
{
    if (!j->opt->report) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    j->opt->report(j->opt->report_ctx, msg);
}

/* Records the first failure and stops everyone. Caller holds the lock. */
static void fail_locked(job *j, int rc, const csfs_error *err)
{
    if (!j->rc) {
        j->rc = rc;
        if (err) j->err = *err;
    }
    j->stop = 1;
    pthread_cond_broadcast(&j->cv_work);
    pthread_cond_broadcast(&j->cv_reader);
    pthread_cond_broadcast(&j->cv_main);
}

static int push_task(task_queue *q, task t)
{
    if (q->len == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 64;
        task *items = malloc(cap * sizeof *items);
        if (!items) return CSFS_E_NOMEM;
        for (size_t i = 0; i < q->len; i++) items[i] = q->items[(q->head + i) % q->cap];
        free(q->items);
        q->items = items;
        q->head = 0;
        q->cap = cap;
    }
    q->items[(q->head + q->len) % q->cap] = t;
    q->len++;
    return 0;
}

static int pop_task(task_queue *q, task *t)
{
    if (q->len == 0) return 0;
    *t = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    return 1;
}

static void push_or_fail(job *j, task_queue *q, task t)
{
    if (push_task(q, t) != 0) {
        csfs_error e;
        csfs_fail(&e, CSFS_E_NOMEM, "out of memory");
        fail_locked(j, CSFS_E_NOMEM, &e);
        return;
    }
    pthread_cond_signal(&j->cv_work);
}

/* ---- page geometry -------------------------------------------------------- */

static uint64_t page_start(const job *j, uint64_t p)
{
    uint64_t g = p / j->pages_per_group, k = p % j->pages_per_group;
    return g * j->group_rows + k * j->page_rows;
}

static uint64_t page_natural_end(const job *j, uint64_t p)
{
    uint64_t g = p / j->pages_per_group;
    uint64_t end = page_start(j, p) + j->page_rows, group_end = (g + 1) * j->group_rows;
    return end < group_end ? end : group_end;
}

static uint64_t page_of_row(const job *j, uint64_t row)
{
    uint64_t g = row / j->group_rows;
    return g * j->pages_per_group + (row - g * j->group_rows) / j->page_rows;
}

static int total_rows_known(const job *j)
{
    return j->reader_eof && j->next_scan_acc == j->total_chunks;
}

/* Rows page p holds: its natural size, or fewer for the last page. */
static uint64_t page_rows_expected(const job *j, uint64_t p)
{
    uint64_t start = page_start(j, p), end = page_natural_end(j, p);
    if (total_rows_known(j) && end > j->rows) end = j->rows > start ? j->rows : start;
    return end - start;
}

static page_slot *slot_for(job *j, uint64_t p)
{
    page_slot *s = &j->pages[p % j->ring];
    if (!s->in_use) {
        s->in_use = 1;
        s->index = p;
        s->row_start = page_start(j, p);
        s->natural_end = page_natural_end(j, p);
        s->rows_parsed = 0;
        s->lanes_done = 0;
    }
    return s;
}

/* ---- scheduling (caller holds the lock) ------------------------------------ */

static void schedule_lane(job *j, size_t lane)
{
    if (j->lane_busy[lane] || j->stop) return;
    uint64_t p = j->lane_next[lane];
    if (p >= j->pages_complete) return;
    /* A row group's chunks are assembled when its last page is done: no lane
     * may start the next group before that. */
    if (p > 0 && p % j->pages_per_group == 0 && j->pages_done < p) return;
    j->lane_busy[lane] = 1;
    push_or_fail(j, &j->q_encode, (task){T_ENCODE, p, lane});
}

static void schedule_lanes(job *j)
{
    if (j->sink->unordered) {
        /* Any page, any order: one task per lane of every complete page. */
        for (; j->pages_scheduled < j->pages_complete && !j->stop; j->pages_scheduled++)
            for (size_t l = 0; l < j->sink->lanes; l++)
                push_or_fail(j, &j->q_encode, (task){T_ENCODE, j->pages_scheduled, l});
        return;
    }
    for (size_t l = 0; l < j->sink->lanes; l++) schedule_lane(j, l);
}

static void update_complete(job *j)
{
    uint64_t before = j->pages_complete;
    for (;;) {
        uint64_t p = j->pages_complete;
        if (p >= j->pages_done + j->ring) break;
        page_slot *s = &j->pages[p % j->ring];
        if (!s->in_use || s->index != p) break;
        uint64_t want = page_rows_expected(j, p);
        if (want == 0 || s->rows_parsed != want) break;
        j->pages_complete++;
    }
    if (j->pages_complete != before) schedule_lanes(j);
}

/* Gives chunk segments (one per page they touch) to the workers while the
 * page ring has room. */
static void place_segments(job *j)
{
    while (j->next_place < j->next_scan_acc && !j->stop) {
        chunk *c = &j->chunks[j->next_place % j->n_chunks];
        uint64_t end = c->row_start + c->scan.n_rec;
        while (c->next_row < end) {
            uint64_t p = page_of_row(j, c->next_row);
            if (p >= j->pages_done + j->ring) return; /* ring full: wait for pages */
            page_slot *s = slot_for(j, p);
            uint64_t seg_end = end < s->natural_end ? end : s->natural_end;
            if (c->n_segs == c->cap_segs) {
                size_t cap = c->cap_segs ? 2 * c->cap_segs : 4;
                segment *segs = realloc(c->segs, cap * sizeof *segs);
                if (!segs) {
                    csfs_error e;
                    csfs_fail(&e, CSFS_E_NOMEM, "out of memory");
                    fail_locked(j, CSFS_E_NOMEM, &e);
                    return;
                }
                c->segs = segs;
                c->cap_segs = cap;
            }
            segment *sg = &c->segs[c->n_segs];
            memset(sg, 0, sizeof *sg);
            sg->page = p;
            sg->row_start = c->next_row;
            sg->row_end = seg_end;
            push_or_fail(j, &j->q_parse, (task){T_PARSE, c->seq, c->n_segs});
            c->n_segs++;
            c->next_row = seg_end;
        }
        c->state = CH_PLACED;
        j->next_place++;
    }
}

/* ---- worker side ------------------------------------------------------------ */

static void run_scan(job *j, uint64_t seq)
{
    chunk *c = &j->chunks[seq % j->n_chunks];
    csfs_error e;
    int rc = csfs_scan_chunk(c->text.data, c->text.len, c->is_last, &c->scan, &e);
    pthread_mutex_lock(&j->mu);
    c->scan_rc = rc;
    if (rc) c->scan_err = e;
    c->state = CH_SCANNED;
    pthread_cond_signal(&j->cv_main);
    pthread_mutex_unlock(&j->mu);
}

static void run_parse(job *j, size_t worker, uint64_t seq, size_t seg_index)
{
    chunk *c = &j->chunks[seq % j->n_chunks];
    pthread_mutex_lock(&j->mu);
    segment *sg = &c->segs[seg_index];
    page_slot *s = &j->pages[sg->page % j->ring];
    segment local = *sg;
    uint32_t *dst = s->cols + (local.row_start - s->row_start);
    pthread_mutex_unlock(&j->mu);

    csfs_desc_notes_clear(&local.notes);
    csfs_desc_parse_records(&j->ctx[worker], c->text.data, &c->scan,
                            (size_t)(local.row_start - c->row_start),
                            (size_t)(local.row_end - c->row_start), dst, j->page_rows,
                            &local.notes);

    pthread_mutex_lock(&j->mu);
    sg = &c->segs[seg_index]; /* segs may have moved while unlocked */
    sg->notes = local.notes;
    sg->done = 1;
    c->segs_done++;
    s->rows_parsed += local.row_end - local.row_start;
    update_complete(j);
    pthread_cond_signal(&j->cv_main);
    pthread_mutex_unlock(&j->mu);
}

static void run_encode(job *j, size_t worker, uint64_t p, size_t lane)
{
    pthread_mutex_lock(&j->mu);
    page_slot *s = &j->pages[p % j->ring];
    csfs_page page = {.index = p,
                      .slot = p % j->ring,
                      .row_start = s->row_start,
                      .rows = (size_t)page_rows_expected(j, p),
                      .cols = s->cols,
                      .col_stride = j->page_rows};
    pthread_mutex_unlock(&j->mu);

    csfs_error e;
    int rc = j->sink->ops->encode(j->sink, j->worker_state[worker], lane, &page, &e);

    pthread_mutex_lock(&j->mu);
    if (rc) {
        fail_locked(j, rc, &e);
    } else {
        s->lanes_done++;
        if (!j->sink->unordered) {
            j->lane_busy[lane] = 0;
            j->lane_next[lane]++;
            schedule_lane(j, lane);
        }
        pthread_cond_signal(&j->cv_main);
    }
    pthread_mutex_unlock(&j->mu);
}

typedef struct worker_arg {
    job *j;
    size_t index;
} worker_arg;

static void *worker_main(void *arg)
{
    worker_arg *w = arg;
    job *j = w->j;
    pthread_mutex_lock(&j->mu);
    for (;;) {
        task t;
        /* Encoding frees pages, parsing frees chunks: both before new scans. */
        while (!j->stop && !pop_task(&j->q_encode, &t) && !pop_task(&j->q_parse, &t) &&
               !pop_task(&j->q_scan, &t))
            pthread_cond_wait(&j->cv_work, &j->mu);
        if (j->stop) break;
        pthread_mutex_unlock(&j->mu);
        if (t.type == T_SCAN) run_scan(j, t.a);
        else if (t.type == T_PARSE) run_parse(j, w->index, t.a, t.b);
        else run_encode(j, w->index, t.a, t.b);
        pthread_mutex_lock(&j->mu);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* ---- reader thread ------------------------------------------------------------ */

static void *reader_main(void *arg)
{
    job *j = arg;
    pthread_mutex_lock(&j->mu);
    while (!j->stop) {
        chunk *c = &j->chunks[j->next_read % j->n_chunks];
        if (c->state != CH_FREE) {
            pthread_cond_wait(&j->cv_reader, &j->mu);
            continue;
        }
        pthread_mutex_unlock(&j->mu);
        csfs_error e;
        int rc = csfs_text_next_chunk(j->reader, &c->text, &e);
        int last = csfs_text_at_end(j->reader);
        pthread_mutex_lock(&j->mu);
        if (rc) {
            fail_locked(j, rc, &e);
            break;
        }
        if (c->text.len == 0) {
            j->reader_eof = 1;
            j->total_chunks = j->next_read;
            pthread_cond_signal(&j->cv_main);
            break;
        }
        c->state = CH_READ;
        c->seq = j->next_read;
        c->is_last = last;
        c->n_segs = c->segs_done = 0;
        j->next_read++;
        push_or_fail(j, &j->q_scan, (task){T_SCAN, c->seq, 0});
        if (last) {
            j->reader_eof = 1;
            j->total_chunks = j->next_read;
            pthread_cond_signal(&j->cv_main);
            break;
        }
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* ---- orderer: accounting in file order (caller holds the lock) ------------------ */

static int push_block(job *j, csfs_error *err)
{
    if (j->n_blocks == j->cap_blocks) {
        size_t cap = j->cap_blocks ? 2 * j->cap_blocks : 16;
        uint64_t *b = realloc(j->blocks, cap * sizeof *b);
        if (!b) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        j->blocks = b;
        j->cap_blocks = cap;
    }
    j->blocks[j->n_blocks++] = j->block_csfs;
    j->block_csfs = 0;
    return 0;
}

/* A scanned chunk in order: its first row and line, blocks, blank lines. */
static int account_scan(job *j, chunk *c, csfs_error *err)
{
    if (c->scan_rc) {
        uint64_t line = j->line_base + c->scan_err.line;
        int parts = c->scan.bad_record_parts;
        if (parts)
            return csfs_fail_line(err, c->scan_rc, line,
                                  "%s:%llu: %s: the record starting at line %llu has %d line%s, "
                                  "a CSF has 3",
                                  j->name, (unsigned long long)line, c->scan_err.message,
                                  (unsigned long long)(j->line_base + c->scan.bad_record_line + 1),
                                  parts, parts == 1 ? "" : "s");
        return csfs_fail_line(err, c->scan_rc, line, "%s:%llu: %s", j->name,
                              (unsigned long long)line, c->scan_err.message);
    }
    const csfs_chunk_scan *s = &c->scan;
    if (j->pending_blank >= 0 && s->has_content)
        return csfs_fail_line(err, CSFS_E_FORMAT, (uint64_t)j->pending_blank,
                              "%s:%lld: blank line inside the CSF list", j->name,
                              (long long)j->pending_blank);
    size_t done = 0;
    for (size_t k = 0; k < s->n_sep; k++) {
        j->block_csfs += s->sep_before[k] - done;
        done = s->sep_before[k];
        j->seen_separator = 1;
        int rc = push_block(j, err);
        if (rc) return rc;
    }
    j->block_csfs += s->n_rec - done;
    if (s->trailing_blank >= 0 && j->pending_blank < 0)
        j->pending_blank = (int64_t)(j->line_base + (uint64_t)s->trailing_blank + 1);
    c->row_start = j->rows;
    c->next_row = j->rows;
    c->line_base = j->line_base;
    j->rows += s->n_rec;
    j->line_base += s->lines;
    j->input_bytes += c->text.len;
    return 0;
}

/* A parsed chunk in order: its failures and unknown subshells. */
static int account_parse(job *j, chunk *c, csfs_error *err)
{
    const csfs_descriptor_options *opt = j->opt;
    for (size_t k = 0; k < c->n_segs; k++) {
        const csfs_desc_notes *n = &c->segs[k].notes;
        for (size_t i = 0; i < n->n_failures; i++) {
            const csfs_desc_note *f = &n->failures[i];
            uint64_t csf = c->row_start + f->record, line = c->line_base + f->line + 1;
            const char *why = csfs_csf_status_text((csfs_csf_status)f->status);
            if (opt->strict)
                return csfs_fail_line(err, CSFS_E_CSF, line,
                                      "%s:%llu: CSF %llu: %s (strict mode)", j->name,
                                      (unsigned long long)line, (unsigned long long)csf, why);
            if (j->failed + i < (uint64_t)opt->max_reported_failures)
                report(j, "%s:%llu: CSF %llu failed: %s; written as a row of zeros", j->name,
                       (unsigned long long)line, (unsigned long long)csf, why);
        }
        if (n->has_unknown) {
            uint64_t csf = c->row_start + n->unknown.record;
            uint64_t line = c->line_base + n->unknown.line + 1;
            if (opt->strict)
                return csfs_fail_line(err, CSFS_E_CSF, line,
                                      "%s:%llu: CSF %llu: subshell '%s' is not in the peel "
                                      "list (strict mode)",
                                      j->name, (unsigned long long)line,
                                      (unsigned long long)csf, n->unknown.name);
            if (j->unknown_fields == 0) {
                j->first_unknown = n->unknown;
                j->first_unknown_csf = csf;
                j->first_unknown_line = line;
            }
        }
        j->failed += n->failed;
        j->unknown_fields += n->unknown_fields;
    }
    return 0;
}

static void progress(job *j)
{
    if (!j->opt->progress) return;
    double t = now_seconds();
    if (t - j->last_progress < 0.5) return;
    j->last_progress = t;
    csfs_progress p = {.csfs_done = j->rows,
                       .bytes_done = csfs_input_raw_bytes(csfs_text_input(j->reader)),
                       .bytes_total = csfs_input_file_size(csfs_text_input(j->reader)),
                       .seconds = t - j->t0};
    j->opt->progress(j->opt->progress_ctx, &p);
}

/* Everything the orderer can do now; returns 1 when the job is complete. */
static int advance(job *j)
{
    csfs_error e;
    int rc;
    while (j->next_scan_acc < j->next_read) {
        chunk *c = &j->chunks[j->next_scan_acc % j->n_chunks];
        if (c->state != CH_SCANNED) break;
        if ((rc = account_scan(j, c, &e))) {
            fail_locked(j, rc, &e);
            return 0;
        }
        j->next_scan_acc++;
    }
    place_segments(j);
    while (j->next_parse_acc < j->next_place) {
        chunk *c = &j->chunks[j->next_parse_acc % j->n_chunks];
        if (c->segs_done != c->n_segs) break;
        if ((rc = account_parse(j, c, &e))) {
            fail_locked(j, rc, &e);
            return 0;
        }
        c->state = CH_FREE;
        j->next_parse_acc++;
        pthread_cond_signal(&j->cv_reader);
    }
    update_complete(j); /* the last page completes once the row count is known */
    while (j->pages_done < j->pages_complete && !j->stop) {
        page_slot *s = &j->pages[j->pages_done % j->ring];
        if (s->lanes_done != j->sink->lanes) break;
        uint64_t rows = page_rows_expected(j, s->index);
        csfs_page page = {.index = s->index,
                          .slot = s->index % j->ring,
                          .row_start = s->row_start,
                          .rows = (size_t)rows,
                          .cols = s->cols,
                          .col_stride = j->page_rows,
                          .ends_group = s->row_start + rows == s->natural_end &&
                                        s->natural_end % j->group_rows == 0};
        pthread_mutex_unlock(&j->mu);
        rc = j->sink->ops->page_done(j->sink, &page, &e);
        pthread_mutex_lock(&j->mu);
        if (rc) {
            fail_locked(j, rc, &e);
            return 0;
        }
        s->in_use = 0;
        j->pages_done++;
        place_segments(j);
        schedule_lanes(j);
    }
    if (!total_rows_known(j) || j->next_parse_acc != j->total_chunks) return 0;
    uint64_t total_pages = j->rows ? page_of_row(j, j->rows - 1) + 1 : 0;
    return j->pages_done == total_pages;
}

/* ---- setup and teardown -------------------------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

static int open_job(job *j, csfs_matrix *matrix, csfs_error *err)
{
    const csfs_descriptor_options *opt = j->opt;
    if (!opt->input || (!opt->output && !matrix))
        return csfs_fail(err, CSFS_E_ARGUMENT, "an input and an output file are required");
    if (opt->layout != CSFS_LAYOUT_V1)
        return csfs_fail(err, CSFS_E_ARGUMENT, "unknown descriptor layout %d", (int)opt->layout);
    if (opt->threads < 0 || opt->threads > 1024)
        return csfs_fail(err, CSFS_E_ARGUMENT, "threads must be between 1 and 1024");
    if (opt->row_group_rows < 0)
        return csfs_fail(err, CSFS_E_ARGUMENT, "the row group size must be positive");
    if (!matrix && strcmp(opt->input, "-") != 0 && csfs_same_file(opt->input, opt->output))
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: the output would overwrite the input",
                         opt->output);
    int rc = csfs_text_open(opt->input, opt->chunk_bytes, &j->reader, err);
    if (rc) return rc;
    j->name = csfs_text_name(j->reader);
    const csfs_header *h = csfs_text_header(j->reader);
    j->line_base = CSFS_HEADER_LINES;
    j->input_bytes = h->bytes;
    if (opt->peel) {
        j->peel = opt->peel;
    } else {
        rc = csfs_peel_from_header_line(h->lines[3], h->lens[3], &j->own_peel, err);
        if (rc) return rc;
        j->peel = j->own_peel;
    }
    if (j->peel->count == 0)
        return csfs_fail_line(err, CSFS_E_FORMAT, 4,
                              "%s:4: no peel subshells in the header (pass --peel)", j->name);
    j->threads = opt->threads ? opt->threads : online_cpus();
    j->ctx = calloc((size_t)j->threads, sizeof *j->ctx);
    if (!j->ctx) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (int i = 0; i < j->threads; i++) {
        rc = csfs_desc_ctx_init(&j->ctx[i], j->peel, opt->layout, opt->normalize, err);
        if (rc) return rc;
    }
    if (opt->normalize && j->ctx[0].no_capacity_name)
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "cannot normalise: peel subshell '%s' has no known capacity (names "
                         "must end in s, p-, p, d-, d, f-, f, g-, g, h-, h, i- or i)",
                         j->ctx[0].no_capacity_name);
    j->width = csfs_desc_width(&j->ctx[0]);

    if (matrix) {
        rc = csfs_page_sink_memory(&j->sink, j->width, opt->normalize, matrix, err);
    } else {
        rc = csfs_outfile_open(&j->out, opt->output, opt->force, err);
        if (rc) return rc;
        j->out_open = 1;
        int npy = opt->format == CSFS_FORMAT_NPY ||
                  (opt->format == CSFS_FORMAT_AUTO && ends_with(opt->output, ".npy"));
        rc = npy ? csfs_page_sink_npy(&j->sink, &j->out, j->width, opt->normalize, err)
                 : csfs_page_sink_parquet(&j->sink, &j->out, j->width, opt->normalize,
                                          opt->codec, opt->codec_level, !opt->plain_encoding,
                                          err);
    }
    if (rc) return rc;

    j->page_rows = csfs_page_rows(j->width);
    j->group_rows = opt->row_group_rows > 0 ? (uint64_t)opt->row_group_rows : (1u << 20);
    if (j->page_rows > j->group_rows) j->page_rows = j->group_rows;
    j->pages_per_group = (j->group_rows + j->page_rows - 1) / j->page_rows;
    j->ring = (size_t)j->threads + 3;
    j->n_chunks = (size_t)j->threads + 2;
    j->sink->ring_slots = j->ring;
    j->chunks = calloc(j->n_chunks, sizeof *j->chunks);
    j->pages = calloc(j->ring, sizeof *j->pages);
    j->lane_next = calloc(j->sink->lanes ? j->sink->lanes : 1, sizeof *j->lane_next);
    j->lane_busy = calloc(j->sink->lanes ? j->sink->lanes : 1, 1);
    j->worker_state = calloc((size_t)j->threads, sizeof *j->worker_state);
    if (!j->chunks || !j->pages || !j->lane_next || !j->lane_busy || !j->worker_state)
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (size_t i = 0; i < j->ring; i++) {
        /* Large allocations are mapped lazily: a small list touches little. */
        j->pages[i].cols = malloc((j->width ? j->width : 1) * j->page_rows * sizeof(uint32_t));
        if (!j->pages[i].cols) return csfs_fail(err, CSFS_E_NOMEM, "out of memory for pages");
    }
    for (int i = 0; i < j->threads; i++) {
        j->worker_state[i] = j->sink->ops->worker_new(j->sink);
        if (!j->worker_state[i]) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    return j->sink->ops->start(j->sink, err);
}

/* Runs the threads until the job is complete, failed or cancelled. */
static int run_threads(job *j, csfs_error *err)
{
    pthread_mutex_init(&j->mu, NULL);
    pthread_cond_init(&j->cv_main, NULL);
    pthread_cond_init(&j->cv_work, NULL);
    pthread_cond_init(&j->cv_reader, NULL);
    j->pending_blank = -1;
    pthread_t reader;
    pthread_t *workers = calloc((size_t)j->threads, sizeof *workers);
    worker_arg *args = calloc((size_t)j->threads, sizeof *args);
    int started = 0, reader_started = 0;
    if (!workers || !args) {
        free(workers);
        free(args);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    pthread_mutex_lock(&j->mu);
    for (; started < j->threads; started++) {
        args[started] = (worker_arg){j, (size_t)started};
        if (pthread_create(&workers[started], NULL, worker_main, &args[started]) != 0) break;
    }
    if (started == j->threads && pthread_create(&reader, NULL, reader_main, j) == 0)
        reader_started = 1;
    if (!reader_started) {
        csfs_error e;
        csfs_fail(&e, CSFS_E_NOMEM, "cannot start threads");
        fail_locked(j, CSFS_E_NOMEM, &e);
    }
    const volatile int *cancel = j->opt->cancel;
    while (!j->stop) {
        if (advance(j)) break;
        if (j->stop) break;
        if (cancel && *cancel) {
            csfs_error e;
            csfs_fail(&e, CSFS_E_CANCELLED, "%s: interrupted", j->name);
            fail_locked(j, CSFS_E_CANCELLED, &e);
            break;
        }
        progress(j);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&j->cv_main, &j->mu, &ts);
    }
    j->stop = 1;
    pthread_cond_broadcast(&j->cv_work);
    pthread_cond_broadcast(&j->cv_reader);
    int rc = j->rc;
    if (rc) *err = j->err;
    pthread_mutex_unlock(&j->mu);
    if (reader_started) pthread_join(reader, NULL);
    for (int i = 0; i < started; i++) pthread_join(workers[i], NULL);
    free(workers);
    free(args);
    pthread_cond_destroy(&j->cv_main);
    pthread_cond_destroy(&j->cv_work);
    pthread_cond_destroy(&j->cv_reader);
    pthread_mutex_destroy(&j->mu);
    if (rc == 0 && (j->seen_separator || j->block_csfs > 0)) rc = push_block(j, err);
    return rc;
}

static void warn_at_end(job *j)
{
    const csfs_descriptor_options *opt = j->opt;
    if (j->failed > (uint64_t)opt->max_reported_failures)
        report(j, "%s: %llu CSFs failed in all (the first %d are listed above)", j->name,
               (unsigned long long)j->failed, opt->max_reported_failures);
    if (j->unknown_fields)
        report(j,
               "%s: warning: %llu subshell fields are not in the peel list and were left out "
               "(first: '%s' in CSF %llu, line %llu); check the peel list",
               j->name, (unsigned long long)j->unknown_fields, j->first_unknown.name,
               (unsigned long long)j->first_unknown_csf,
               (unsigned long long)j->first_unknown_line);
    for (size_t i = 0; i < j->n_blocks; i++)
        if (j->blocks[i] == 0)
            report(j,
                   "%s: warning: J block %zu of %zu is empty (two separators in a row, or one "
                   "at the start or the end)",
                   j->name, i + 1, j->n_blocks);
}

static void close_job(job *j)
{
    if (j->sink) {
        for (int i = 0; j->worker_state && i < j->threads; i++)
            if (j->worker_state[i]) j->sink->ops->worker_free(j->worker_state[i]);
        j->sink->ops->destroy(j->sink);
    }
    if (j->out_open) csfs_outfile_abort(&j->out);
    csfs_text_close(j->reader);
    csfs_peel_free(j->own_peel);
    for (int i = 0; j->ctx && i < j->threads; i++) csfs_desc_ctx_free(&j->ctx[i]);
    free(j->ctx);
    for (size_t i = 0; j->chunks && i < j->n_chunks; i++) {
        csfs_buf_free(&j->chunks[i].text);
        csfs_chunk_scan_free(&j->chunks[i].scan);
        free(j->chunks[i].segs);
    }
    free(j->chunks);
    for (size_t i = 0; j->pages && i < j->ring; i++) free(j->pages[i].cols);
    free(j->pages);
    free(j->lane_next);
    free(j->lane_busy);
    free(j->worker_state);
    free(j->q_scan.items);
    free(j->q_parse.items);
    free(j->q_encode.items);
    free(j->blocks);
}

static int run_job(const csfs_descriptor_options *opt, csfs_matrix *matrix,
                   csfs_summary *summary, csfs_error *err)
{
    csfs_error local;
    if (!err) err = &local;
    csfs_error_clear(err);
    job j;
    memset(&j, 0, sizeof j);
    j.opt = opt;
    j.t0 = now_seconds();
    int rc = open_job(&j, matrix, err);
    if (rc == 0) rc = run_threads(&j, err);
    if (rc == 0) {
        csfs_input *in = csfs_text_input(j.reader);
        csfs_run_info info = {
            .source_path = j.name,
            .source_size = csfs_input_file_size(in),
            .source_compression = csfs_input_compression(in),
            .header = csfs_text_header(j.reader),
            .peel = j.peel,
            .layout = opt->layout,
            .normalize = opt->normalize,
            .csf_count = j.rows,
            .failed_count = j.failed,
            .block_lengths = j.blocks,
            .n_blocks = j.n_blocks,
        };
        rc = j.sink->ops->finish(j.sink, &info, err);
    }
    if (rc == 0 && opt->cancel && *opt->cancel)
        rc = csfs_fail(err, CSFS_E_CANCELLED, "%s: interrupted", j.name);
    if (rc == 0 && j.out_open) {
        rc = csfs_outfile_commit(&j.out, err);
        j.out_open = 0;
    }
    if (rc == 0) warn_at_end(&j);
    if (summary) {
        memset(summary, 0, sizeof *summary);
        summary->csf_count = j.rows;
        summary->block_count = j.n_blocks;
        summary->failed_count = j.failed;
        summary->unknown_subshell_count = j.unknown_fields;
        summary->input_bytes = j.input_bytes;
        summary->columns = j.width;
        summary->threads = (uint64_t)j.threads;
        summary->seconds = now_seconds() - j.t0;
    }
    close_job(&j);
    return rc;
}

int csfs_descriptors_run(const csfs_descriptor_options *opt, csfs_summary *summary,
                         csfs_error *err)
{
    return run_job(opt, NULL, summary, err);
}

int csfs_descriptors_matrix(const csfs_descriptor_options *opt, csfs_matrix *out,
                            csfs_summary *summary, csfs_error *err)
{
    memset(out, 0, sizeof *out);
    return run_job(opt, out, summary, err);
}
