/*
 * The parallel engine (see engine/pipeline.h): threads, queues, the chunk and page
 * rings, and the ordering rules. Jobs plug in through csfs_pipe_kind.
 */
#define _GNU_SOURCE
#include "common/clock.h"
#include "engine/pipeline.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "grasp/csf_parquet.h"
#include "grasp/csf_text_ranges.h"
#include "common/error.h"
#include "engine/lane_bundles.h"
#include "engine/page_geometry.h"

/* ---- sources -------------------------------------------------------------- */

struct csfs_pipe_source {
    csfs_text_reader *text;
    csfs_text_ranges ranges; /* a regular file: workers read their own chunks */
    int has_ranges;
    csfs_csf_parquet pq;
    int is_parquet;
    const csfs_pipe_maker *maker; /* made chunks (csfs_pipe_source_made) */
    size_t next_group;
    char *name;
};

int csfs_pipe_source_made(const csfs_pipe_maker *maker, csfs_pipe_source **out, csfs_error *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    (*out)->maker = maker;
    return 0;
}

int csfs_pipe_source_open(const char *path, size_t chunk_bytes, csfs_pipe_source **out,
                          csfs_error *err)
{
    *out = NULL;
    csfs_pipe_source *s = calloc(1, sizeof *s);
    if (!s) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    int rc;
    if (csfs_is_parquet_file(path)) {
        s->is_parquet = 1;
        rc = csfs_csf_parquet_open(path, &s->pq, err);
    } else {
        rc = csfs_text_open(path, chunk_bytes, &s->text, err);
        if (rc == 0)
            s->has_ranges =
                csfs_text_ranges_init(s->text, csfs_text_chunk_bytes(s->text), &s->ranges);
    }
    if (rc) {
        free(s);
        return rc;
    }
    *out = s;
    return 0;
}

void csfs_pipe_source_close(csfs_pipe_source *s)
{
    if (!s) return;
    if (s->is_parquet)
        csfs_csf_parquet_close(&s->pq);
    else if (!s->maker) /* a maker belongs to its caller */
        csfs_text_close(s->text);
    free(s);
}

const char *csfs_pipe_source_name(const csfs_pipe_source *s)
{
    if (s->maker) return s->maker->name;
    return s->is_parquet ? pq_file_name(s->pq.file) : csfs_text_name(s->text);
}

const csfs_header *csfs_pipe_source_header(const csfs_pipe_source *s)
{
    if (s->maker) return s->maker->header;
    if (!s->is_parquet) return csfs_text_header(s->text);
    return s->pq.has_header ? &s->pq.header : NULL;
}

int64_t csfs_pipe_source_size(const csfs_pipe_source *s)
{
    if (s->maker) return s->maker->size;
    if (s->is_parquet) return (int64_t)pq_file_size(s->pq.file);
    return csfs_input_file_size(csfs_text_input(s->text));
}

const char *csfs_pipe_source_compression(const csfs_pipe_source *s)
{
    if (s->maker) return s->maker->compression ? s->maker->compression : "plain";
    return s->is_parquet ? "parquet" : csfs_input_compression(csfs_text_input(s->text));
}

int csfs_pipe_source_is_parquet(const csfs_pipe_source *s)
{
    return s->is_parquet;
}

const char *csfs_pipe_source_kv(const csfs_pipe_source *s, const char *key)
{
    return s->is_parquet ? pq_file_kv_lookup(s->pq.file, key) : NULL;
}

const char *csfs_pipe_source_toml_path(const csfs_pipe_source *s)
{
    return s->is_parquet ? s->pq.toml_path : NULL;
}

const uint64_t *csfs_pipe_source_toml_blocks(const csfs_pipe_source *s, size_t *n)
{
    *n = s->is_parquet ? s->pq.n_toml_blocks : 0;
    return s->is_parquet ? s->pq.toml_blocks : NULL;
}

static uint64_t source_bytes_read(const csfs_pipe_source *s)
{
    return s->is_parquet ? 0 : csfs_input_raw_bytes(csfs_text_input(s->text));
}

void csfs_pipe_where(const csfs_pipe_chunk *c, const char *name, uint64_t record, uint32_t rel_line,
                     char *out, size_t cap, uint64_t *abs_line)
{
    uint64_t csf = c->row_start + record;
    if (c->line_base == CSFS_NO_LINES) {
        *abs_line = 0;
        snprintf(out, cap, "%s: CSF %llu (row %llu)", name, (unsigned long long)csf,
                 (unsigned long long)csf);
    } else {
        *abs_line = c->line_base + (uint64_t)rel_line + 1;
        snprintf(out, cap, "%s:%llu: CSF %llu", name, (unsigned long long)*abs_line,
                 (unsigned long long)csf);
    }
}

int csfs_online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* ---- state -------------------------------------------------------------- */

enum chunk_state { CH_FREE, CH_READ, CH_SCANNED, CH_PLACED };

typedef struct segment {
    uint64_t page;
    uint64_t row_start, row_end; /* absolute rows */
    void *notes;                 /* kind->notes_size bytes */
} segment;

typedef struct chunk {
    enum chunk_state state;
    uint64_t seq;
    int is_last;
    csfs_buf text;
    csfs_text_map map;   /* a mapped range's text (csfs_text_ranges_read) */
    const char *text_at; /* the chunk is text_at[0 .. text_len): in text or map */
    size_t text_len;
    csfs_csf_group group; /* Parquet sources: the decoded row group */
    /* Parquet: its parts (columns) are decoded as separate scan tasks, so
     * that idle workers help when fewer groups than workers are in flight;
     * the last part to end finishes the group. */
    int parts_left;
    int part_rc[CSFS_CSF_GROUP_PARTS];
    csfs_error part_err[CSFS_CSF_GROUP_PARTS];
    csfs_chunk_scan scan;
    void *parsed;  /* the kind's parsed form (kind->parsed_new), or NULL */
    int parsed_ok; /* this chunk's records were parsed in its scan */
    int scan_rc;
    int scan_err_whole; /* scan_err is a whole message (no line to add) */
    csfs_error scan_err;
    csfs_pipe_chunk view;
    segment *segs;
    size_t n_segs, cap_segs, segs_done;
    void **notes; /* notes of each segment, for account() */
    size_t cap_notes;
    uint64_t next_row; /* first row not yet given to a segment */
} chunk;

typedef struct page_slot {
    int in_use;
    uint64_t index;
    uint64_t row_start, natural_end;
    uint64_t rows_parsed;
    size_t bundles_done;
    int encoded; /* every lane encoded, and written columns reset */
    int filled;  /* cols hold the kind's fill values (from its first page on) */
    uint32_t *cols;
    uint64_t *touched; /* columns written since the slot was last reset */
} page_slot;

typedef enum task_type { T_SCAN, T_PARSE, T_ENCODE } task_type;

typedef struct task {
    task_type type;
    uint64_t a; /* chunk seq (SCAN, PARSE) or page (ENCODE) */
    size_t b;   /* segment (PARSE), lane bundle (ENCODE) or Parquet group part (SCAN) */
} task;

typedef struct task_queue {
    task *items;
    size_t head, len, cap;
} task_queue;

typedef struct engine {
    double reader_cpu;         /* CPU seconds of the reader thread, set when it ends */
    csfs_stage_seconds stages; /* filled when the threads have ended */
    csfs_pipe_source *src;
    const csfs_text_ranges *ranges; /* text read by byte range (or NULL) */
    int ranges_checked;
    const csfs_pipe_config *cfg;
    csfs_pipe_kind *kind;
    int threads;
    void **worker_state;

    pthread_mutex_t mu;
    pthread_cond_t cv_main, cv_work, cv_reader;
    int stop;
    int rc;
    csfs_error err;

    chunk *chunks;
    size_t n_chunks;
    uint64_t next_read, next_scan_acc, next_place, next_parse_acc;
    int reader_eof;
    uint64_t total_chunks;

    page_slot *pages;
    size_t ring;
    uint64_t page_rows, group_rows, pages_per_group;
    size_t col_stride;      /* uint32s from one column of a page slot to the next */
    size_t touched_words;   /* uint64s of a page's touched-column bitmap */
    uint64_t *seg_touched;  /* each worker's bitmap for the segment it parses */
    csfs_page_geometry geo; /* the same three sizes, for engine/page_geometry.h */
    uint64_t pages_done, pages_complete, pages_scheduled;
    /* Encode tasks take a bundle of consecutive lanes (engine/lane_bundles.h);
     * a bundle's pages go strictly in order, like its lanes'. */
    size_t n_bundles;
    uint64_t *bundle_next;
    uint8_t *bundle_busy;
    task_queue q_scan, q_parse, q_encode;

    /* Totals in file order (orderer only). */
    uint64_t rows, line_base, input_bytes;
    int64_t pending_blank;
    uint64_t *blocks;
    size_t n_blocks, cap_blocks;
    uint64_t block_csfs;
    int seen_separator;
    int32_t last_group_block; /* Parquet: block value of the previous group's last row */
    /* The orderer's pass runs on whichever thread raised work for it (a
     * worker after its task, the reader at the end of input): no thread
     * sleeps waiting for it, so a busy machine switches no thread in just to
     * account a chunk or append a page. `ordering` marks a thread in the
     * pass; `pending` marks work raised since that pass last looked. */
    int ordering, pending;
    int finished;         /* the pass found the job complete */
    double order_seconds; /* wall time in the pass: the serial stage */
    double t0, last_progress;
} engine;

static void order(engine *j);

/* Work for the orderer: the thread that raised it runs the pass (order()). */
static void want_order(engine *j)
{
    j->pending = 1;
}

/* Records the first failure and stops everyone. Caller holds the lock. */
static void fail_locked(engine *j, int rc, const csfs_error *err)
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

static void fail_nomem_locked(engine *j)
{
    csfs_error e;
    csfs_fail(&e, CSFS_E_NOMEM, "out of memory");
    fail_locked(j, CSFS_E_NOMEM, &e);
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

static void push_or_fail(engine *j, task_queue *q, task t)
{
    if (push_task(q, t) != 0) {
        fail_nomem_locked(j);
        return;
    }
    pthread_cond_signal(&j->cv_work);
}

/* ---- page geometry -------------------------------------------------------- */

static uint64_t page_start(const engine *j, uint64_t p)
{
    return csfs_page_start(&j->geo, p);
}

static uint64_t page_natural_end(const engine *j, uint64_t p)
{
    return csfs_page_natural_end(&j->geo, p);
}

static uint64_t page_of_row(const engine *j, uint64_t row)
{
    return csfs_page_of_row(&j->geo, row);
}

static int total_rows_known(const engine *j)
{
    return j->reader_eof && j->next_scan_acc == j->total_chunks;
}

/* Rows page p holds: its natural size, or fewer for the last page. */
static uint64_t page_rows_expected(const engine *j, uint64_t p)
{
    uint64_t start = page_start(j, p), end = page_natural_end(j, p);
    if (total_rows_known(j) && end > j->rows) end = j->rows > start ? j->rows : start;
    return end - start;
}

static void fill_u32(uint32_t *p, uint32_t v, size_t n)
{
    if ((v & 0xffu) * 0x01010101u == v) {
        memset(p, (int)(v & 0xffu), n * sizeof *p);
        return;
    }
    for (size_t i = 0; i < n; i++) p[i] = v;
}

/* Rows [from, from + rows) of column k of slot s to the kind's fill value. */
static void fill_column(const engine *j, page_slot *s, size_t k, size_t from, size_t rows)
{
    fill_u32(s->cols + k * j->col_stride + from, j->kind->fill ? j->kind->fill[k] : 0, rows);
}

static int is_touched(const uint64_t *bits, size_t k)
{
    return (int)(bits[k / 64] >> (k % 64) & 1);
}

/* After the page in s was read for the last time: its written columns back
 * to their fill values, so the next page starts clean without a full clear. */
static void reset_touched(const engine *j, page_slot *s, size_t rows)
{
    for (size_t k = 0; k < j->kind->page_cols; k++)
        if (is_touched(s->touched, k)) fill_column(j, s, k, 0, rows);
}

static page_slot *slot_for(engine *j, uint64_t p)
{
    page_slot *s = &j->pages[p % j->ring];
    if (!s->in_use) {
        s->in_use = 1;
        s->index = p;
        s->row_start = page_start(j, p);
        s->natural_end = page_natural_end(j, p);
        s->rows_parsed = 0;
        s->bundles_done = 0;
        s->encoded = 0;
        if (s->touched) memset(s->touched, 0, j->touched_words * sizeof *s->touched);
        if (j->kind->slot_reset) j->kind->slot_reset(j->kind->ctx, p % j->ring);
    }
    return s;
}

/* ---- scheduling (caller holds the lock) ------------------------------------ */

static void schedule_bundle(engine *j, size_t b)
{
    if (j->bundle_busy[b] || j->stop) return;
    uint64_t p = j->bundle_next[b];
    if (p >= j->pages_complete) return;
    /* A row group's chunks are assembled when its last page is done: no lane
     * may start the next group before that. */
    if (p > 0 && p % j->pages_per_group == 0 && j->pages_done < p) return;
    j->bundle_busy[b] = 1;
    push_or_fail(j, &j->q_encode, (task){T_ENCODE, p, b});
}

static void schedule_lanes(engine *j)
{
    if (j->kind->sink->unordered) {
        /* Any page, any order: one task per bundle of every complete page. */
        for (; j->pages_scheduled < j->pages_complete && !j->stop; j->pages_scheduled++)
            for (size_t b = 0; b < j->n_bundles; b++)
                push_or_fail(j, &j->q_encode, (task){T_ENCODE, j->pages_scheduled, b});
        return;
    }
    for (size_t b = 0; b < j->n_bundles; b++) schedule_bundle(j, b);
}

/* Returns 1 when a page became complete. */
static int update_complete(engine *j)
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
    if (j->pages_complete == before) return 0;
    schedule_lanes(j);
    return 1;
}

/* Gives chunk segments (one per page they touch) to the workers while the
 * page ring has room. */
static void place_segments(engine *j)
{
    while (j->next_place < j->next_scan_acc && !j->stop) {
        chunk *c = &j->chunks[j->next_place % j->n_chunks];
        uint64_t end = c->view.row_start + c->scan.n_rec;
        while (c->next_row < end) {
            uint64_t p = page_of_row(j, c->next_row);
            if (p >= j->pages_done + j->ring) return; /* ring full: wait for pages */
            page_slot *s = slot_for(j, p);
            uint64_t seg_end = end < s->natural_end ? end : s->natural_end;
            if (c->n_segs == c->cap_segs) {
                size_t cap = c->cap_segs ? 2 * c->cap_segs : 4;
                segment *segs = realloc(c->segs, cap * sizeof *segs);
                if (!segs) return fail_nomem_locked(j);
                memset(segs + c->cap_segs, 0, (cap - c->cap_segs) * sizeof *segs);
                c->segs = segs;
                c->cap_segs = cap;
            }
            segment *sg = &c->segs[c->n_segs];
            if (!sg->notes && j->kind->notes_size) {
                sg->notes = calloc(1, j->kind->notes_size);
                if (!sg->notes) return fail_nomem_locked(j);
            }
            if (sg->notes) {
                if (j->kind->notes_clear)
                    j->kind->notes_clear(sg->notes);
                else
                    memset(sg->notes, 0, j->kind->notes_size);
            }
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

/* A text chunk about to be scanned: parse its records in the scan when the
 * kind asks for it. */
static void scan_parse_begin(engine *j, size_t worker, chunk *c)
{
    csfs_pipe_kind *k = j->kind;
    void *arg = c->parsed && k->scan_begin ? k->scan_begin(k->ctx, worker, c->parsed) : NULL;
    c->scan.on_record = arg ? k->scan_record : NULL;
    c->scan.on_record_arg = arg;
    c->parsed_ok = arg != NULL;
}

/* One part of a Parquet row group (its parts run at once on several
 * workers, each writing only its own columns); 1 when it was the group's
 * last part to end: that worker finishes the group. */
static int parquet_part(engine *j, chunk *c, uint64_t seq, size_t part)
{
    csfs_error e;
    int rc = csfs_csf_parquet_read_part(&j->src->pq, (size_t)seq, (int)part, &c->group, &e);
    pthread_mutex_lock(&j->mu);
    c->part_rc[part] = rc;
    if (rc) c->part_err[part] = e;
    int last = --c->parts_left == 0;
    pthread_mutex_unlock(&j->mu);
    return last;
}

static void run_scan(engine *j, size_t worker, uint64_t seq, size_t part)
{
    chunk *c = &j->chunks[seq % j->n_chunks];
    csfs_error e;
    int rc;
    int whole = 1;
    const csfs_pipe_maker *m = j->src->maker;
    if (!m && j->src->is_parquet && !parquet_part(j, c, seq, part)) return;
    c->parsed_ok = 0;
    c->scan.on_record = NULL;
    if (m) {
        rc = m->fill(m->ctx, (size_t)(seq % j->n_chunks), worker, &c->text, &c->scan, &e);
        c->text_at = c->text.data;
        c->text_len = c->text.len;
    } else if (j->src->is_parquet) {
        rc = 0;
        for (size_t k = 0; k < CSFS_CSF_GROUP_PARTS && !rc; k++)
            if ((rc = c->part_rc[k])) e = c->part_err[k]; /* the first in column order */
        if (!rc)
            rc = csfs_csf_parquet_finish_group(&j->src->pq, (size_t)seq, &c->group, &c->scan, &e);
        c->text_at = c->text.data;
    } else if (j->ranges) {
        scan_parse_begin(j, worker, c);
        csfs_text_range r;
        int map = !j->cfg->no_mmap && csfs_text_ranges_map_pays(j->ranges);
        rc = csfs_text_ranges_read(j->ranges, seq, &c->text, map ? &c->map : NULL, &r, &e);
        if (rc == 0) {
            c->text_at = r.data;
            c->text_len = r.len;
            whole = 0;
            rc = csfs_scan_chunk(r.data, r.len, r.is_last, &c->scan, &e);
        }
    } else {
        scan_parse_begin(j, worker, c);
        c->text_at = c->text.data;
        c->text_len = c->text.len;
        whole = 0;
        rc = csfs_scan_chunk(c->text.data, c->text.len, c->is_last, &c->scan, &e);
    }
    pthread_mutex_lock(&j->mu);
    c->scan_rc = rc;
    c->scan_err_whole = whole;
    if (rc) c->scan_err = e;
    c->state = CH_SCANNED;
    want_order(j);
    pthread_mutex_unlock(&j->mu);
}

static void run_parse(engine *j, size_t worker, uint64_t seq, size_t seg_index)
{
    chunk *c = &j->chunks[seq % j->n_chunks];
    pthread_mutex_lock(&j->mu);
    segment sg = c->segs[seg_index]; /* segs may move while unlocked: copy */
    page_slot *s = &j->pages[sg.page % j->ring];
    uint64_t row_in_page = sg.row_start - s->row_start;
    int unfilled = s->cols && !s->filled;
    pthread_mutex_unlock(&j->mu);

    if (unfilled) /* the slot's first page: its rows get their fill here, in parallel */
        for (size_t k = 0; k < j->kind->page_cols; k++)
            fill_column(j, s, k, (size_t)row_in_page, (size_t)(sg.row_end - sg.row_start));
    size_t words = j->touched_words;
    uint64_t *touched = s->cols ? j->seg_touched + worker * words : NULL;
    if (touched) memset(touched, 0, words * sizeof *touched);
    j->kind->parse(j->kind->ctx, worker, &c->view, (size_t)(sg.row_start - c->view.row_start),
                   (size_t)(sg.row_end - c->view.row_start), (size_t)(sg.page % j->ring),
                   row_in_page, s->cols ? s->cols + row_in_page : NULL, j->col_stride, touched,
                   sg.notes);

    pthread_mutex_lock(&j->mu);
    for (size_t w = 0; touched && w < words; w++) s->touched[w] |= touched[w];
    c->segs_done++;
    s->rows_parsed += sg.row_end - sg.row_start;
    /* The orderer only has work when the chunk is parsed (account, free) or
     * a page completes (a sink without lanes writes it at once): waking it
     * for every segment costs it CPU for nothing. */
    if (update_complete(j) || c->segs_done == c->n_segs) want_order(j);
    pthread_mutex_unlock(&j->mu);
}

static void run_encode(engine *j, size_t worker, uint64_t p, size_t bundle)
{
    pthread_mutex_lock(&j->mu);
    page_slot *s = &j->pages[p % j->ring];
    csfs_page page = {.index = p,
                      .slot = p % j->ring,
                      .row_start = s->row_start,
                      .rows = (size_t)page_rows_expected(j, p),
                      .cols = s->cols,
                      .col_stride = j->col_stride,
                      .touched = s->touched,
                      .fill = j->kind->fill};
    pthread_mutex_unlock(&j->mu);

    csfs_error e;
    int rc = 0;
    csfs_page_sink *sink = j->kind->sink;
    /* Columns written into are reset once read for the last time: by their
     * own lane, else by the worker encoding the page's last bundle, else (the
     * sink reads them when done) by the orderer after page_done. */
    int by_lane = s->cols && sink->lane_is_column && !sink->done_reads_cols;
    size_t lane = csfs_bundle_first_lane(sink->lanes, j->n_bundles, bundle);
    size_t end = csfs_bundle_first_lane(sink->lanes, j->n_bundles, bundle + 1);
    for (; lane < end && rc == 0; lane++) {
        rc = sink->ops->encode(sink, j->worker_state[worker], lane, &page, &e);
        if (rc == 0 && by_lane && lane < j->kind->page_cols && is_touched(s->touched, lane))
            fill_column(j, s, lane, 0, page.rows);
    }

    pthread_mutex_lock(&j->mu);
    if (rc) {
        fail_locked(j, rc, &e);
    } else {
        s->bundles_done++;
        if (!sink->unordered) {
            j->bundle_busy[bundle] = 0;
            j->bundle_next[bundle]++;
            schedule_bundle(j, bundle);
        }
        if (s->bundles_done == j->n_bundles) {
            if (s->cols && !by_lane && !sink->done_reads_cols) {
                pthread_mutex_unlock(&j->mu);
                reset_touched(j, s, page.rows);
                pthread_mutex_lock(&j->mu);
            }
            s->encoded = 1;
            /* One pass of the orderer per page, when its last bundle is
             * encoded (not one per lane: 171 columns made the orderer's CPU
             * mostly wake-ups). */
            want_order(j);
        }
    }
    pthread_mutex_unlock(&j->mu);
}

typedef struct worker_arg {
    engine *j;
    size_t index;
    double cpu[3]; /* this worker's CPU seconds in scan, parse, encode tasks */
} worker_arg;

/* CPU time of the calling thread: a system call (no vDSO for thread clocks),
 * ~0.8 us on a virtual machine, so one per task. */
static double thread_cpu_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return 0.0;
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void *worker_main(void *arg)
{
    worker_arg *w = arg;
    engine *j = w->j;
    /* Each task's stage gets the CPU since the previous task ended: the task
     * and taking it (waiting for work costs no CPU). */
    double last = thread_cpu_seconds();
    pthread_mutex_lock(&j->mu);
    for (;;) {
        task t;
        /* Encoding frees pages, parsing frees chunks: both before new scans. */
        while (!j->stop && !pop_task(&j->q_encode, &t) && !pop_task(&j->q_parse, &t) &&
               !pop_task(&j->q_scan, &t))
            pthread_cond_wait(&j->cv_work, &j->mu);
        if (j->stop) break;
        pthread_mutex_unlock(&j->mu);
        if (t.type == T_SCAN)
            run_scan(j, w->index, t.a, t.b);
        else if (t.type == T_PARSE)
            run_parse(j, w->index, t.a, t.b);
        else
            run_encode(j, w->index, t.a, t.b);
        double now = thread_cpu_seconds();
        w->cpu[t.type == T_SCAN ? 0 : t.type == T_PARSE ? 1 : 2] += now - last;
        last = now;
        pthread_mutex_lock(&j->mu);
        order(j);
    }
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* ---- reader thread ------------------------------------------------------------ */

/* Whether chunk numbers are all a reader would hand out: workers read text
 * ranges, or decode row groups, themselves. Then the orderer hands them out
 * as slots free, and no reader thread runs. */
static int self_read(const engine *j)
{
    return !j->src->maker && (j->src->is_parquet || j->ranges);
}

/* The end of input, after `j->next_read` chunks. */
static void input_ended(engine *j)
{
    j->reader_eof = 1;
    j->total_chunks = j->next_read;
    want_order(j);
}

/* Chunk c, read or described, becomes the next chunk in file order. */
static void start_chunk(engine *j, chunk *c, int last)
{
    c->state = CH_READ;
    c->seq = j->next_read;
    c->is_last = last;
    c->n_segs = c->segs_done = 0;
    j->next_read++;
    int parts = j->src->is_parquet && !j->src->maker ? CSFS_CSF_GROUP_PARTS : 1;
    c->parts_left = parts; /* workers count it down as parts end */
    for (int part = 0; part < parts; part++)
        push_or_fail(j, &j->q_scan, (task){T_SCAN, c->seq, (size_t)part});
    if (last) input_ended(j);
}

/* Self-read sources: a chunk number for every free slot (lock held). */
static void issue_chunks(engine *j)
{
    uint64_t n = j->ranges ? j->ranges->count : pq_file_num_row_groups(j->src->pq.file);
    while (!j->stop && !j->reader_eof) {
        chunk *c = &j->chunks[j->next_read % j->n_chunks];
        if (c->state != CH_FREE) return;
        if (j->next_read >= n) {
            input_ended(j);
            return;
        }
        start_chunk(j, c, j->next_read + 1 >= n);
    }
}

/* Pipes, compressed text and made chunks: read (or describe) chunks as slots
 * free, off the workers. */
static void *reader_main(void *arg)
{
    engine *j = arg;
    pthread_mutex_lock(&j->mu);
    while (!j->stop) {
        chunk *c = &j->chunks[j->next_read % j->n_chunks];
        if (c->state != CH_FREE) {
            pthread_cond_wait(&j->cv_reader, &j->mu);
            continue;
        }
        int rc = 0, last;
        csfs_error e;
        int empty;
        if (j->src->maker) {
            /* The maker describes the chunk; a worker makes it. */
            pthread_mutex_unlock(&j->mu);
            const csfs_pipe_maker *m = j->src->maker;
            rc = m->next(m->ctx, (size_t)(j->next_read % j->n_chunks), &e);
            pthread_mutex_lock(&j->mu);
            empty = rc == 0;
            last = 0;
            if (rc > 0) rc = 0;
        } else {
            pthread_mutex_unlock(&j->mu);
            rc = csfs_text_next_chunk(j->src->text, &c->text, &e);
            last = csfs_text_at_end(j->src->text);
            pthread_mutex_lock(&j->mu);
            empty = c->text.len == 0;
        }
        if (rc) {
            fail_locked(j, rc, &e);
            break;
        }
        if (empty) {
            /* Every chunk may be done already: no worker would order again. */
            input_ended(j);
            order(j);
            break;
        }
        start_chunk(j, c, last);
        if (last) break; /* the worker scanning it orders after */
    }
    j->reader_cpu = thread_cpu_seconds();
    pthread_mutex_unlock(&j->mu);
    return NULL;
}

/* ---- orderer (caller holds the lock) -------------------------------------------- */

static int push_block(engine *j, csfs_error *err)
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

/* A scanned chunk in order: its first row, line and block; blank lines. */
static int account_scan(engine *j, chunk *c, csfs_error *err)
{
    const char *name = csfs_pipe_source_name(j->src);
    if (c->scan_rc && c->scan_err_whole) {
        *err = c->scan_err;
        return c->scan_rc;
    }
    const csfs_chunk_scan *s = &c->scan;
    int rc =
        csfs_scan_verdict(name, j->line_base, &j->pending_blank, s, c->scan_rc, &c->scan_err, err);
    if (rc) return rc;
    if (j->src->is_parquet && s->n_rec) {
        /* A block that changes between row groups closes the previous one. */
        if (c->seq > 0 && c->group.first_block != j->last_group_block) {
            if ((rc = push_block(j, err))) return rc;
        }
        j->last_group_block = c->group.last_block;
    }
    c->view.block_start = j->n_blocks;
    size_t done = 0;
    for (size_t k = 0; k < s->n_sep; k++) {
        j->block_csfs += s->sep_before[k] - done;
        done = s->sep_before[k];
        j->seen_separator = 1;
        if ((rc = push_block(j, err))) return rc;
    }
    j->block_csfs += s->n_rec - done;
    c->view.data = c->text_at;
    c->view.scan = &c->scan;
    c->view.parsed = c->parsed_ok ? c->parsed : NULL;
    c->view.row_start = j->rows;
    c->view.line_base = j->src->is_parquet ? CSFS_NO_LINES : j->line_base;
    c->next_row = j->rows;
    j->rows += s->n_rec;
    j->line_base += s->lines;
    j->input_bytes += j->src->is_parquet ? 0 : c->text_len;
    return 0;
}

static int account_parse(engine *j, chunk *c, csfs_error *err)
{
    if (!j->kind->account) return 0;
    if (c->n_segs > c->cap_notes) {
        void **n = realloc(c->notes, c->n_segs * sizeof *n);
        if (!n) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        c->notes = n;
        c->cap_notes = c->n_segs;
    }
    for (size_t k = 0; k < c->n_segs; k++) c->notes[k] = c->segs[k].notes;
    return j->kind->account(j->kind->ctx, &c->view, c->notes, c->n_segs, err);
}

static void progress(engine *j)
{
    if (!j->cfg->progress) return;
    double t = csfs_now_seconds();
    if (t - j->last_progress < 0.5) return;
    j->last_progress = t;
    csfs_progress p = {.csfs_done = j->rows,
                       .bytes_done = j->src->maker ? j->input_bytes
                                     : j->ranges   ? j->ranges->data_start + j->input_bytes
                                                   : source_bytes_read(j->src),
                       .bytes_total = j->src->is_parquet ? -1 : csfs_pipe_source_size(j->src),
                       .seconds = t - j->t0};
    j->cfg->progress(j->cfg->progress_ctx, &p);
}

/* One pass of advance(). */
static int advance_once(engine *j)
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
    if (j->ranges && !j->ranges_checked && total_rows_known(j)) {
        /* Every range was read: the file must not have grown or been replaced. */
        j->ranges_checked = 1;
        if ((rc = csfs_text_ranges_check_end(j->ranges, &e))) {
            fail_locked(j, rc, &e);
            return 0;
        }
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
        if (!self_read(j)) pthread_cond_signal(&j->cv_reader);
    }
    if (self_read(j)) issue_chunks(j);
    update_complete(j); /* the last page completes once the row count is known */
    csfs_page_sink *sink = j->kind->sink;
    while (j->pages_done < j->pages_complete && !j->stop) {
        page_slot *s = &j->pages[j->pages_done % j->ring];
        if (!s->encoded) break;
        uint64_t rows = page_rows_expected(j, s->index);
        csfs_page page = {.index = s->index,
                          .slot = s->index % j->ring,
                          .row_start = s->row_start,
                          .rows = (size_t)rows,
                          .cols = s->cols,
                          .col_stride = j->col_stride,
                          .ends_group = s->row_start + rows == s->natural_end &&
                                        s->natural_end % j->group_rows == 0,
                          .touched = s->touched,
                          .fill = j->kind->fill};
        pthread_mutex_unlock(&j->mu);
        rc = sink->ops->page_done(sink, &page, &e);
        if (rc == 0 && s->cols && sink->done_reads_cols) reset_touched(j, s, page.rows);
        pthread_mutex_lock(&j->mu);
        if (rc) {
            fail_locked(j, rc, &e);
            return 0;
        }
        s->in_use = 0;
        /* Every row of a full page holds its fill again (reset where written):
         * the next page's starting point. A short page filled only its rows. */
        if (rows == j->page_rows) s->filled = 1;
        j->pages_done++;
        place_segments(j);
        schedule_lanes(j);
    }
    if (!total_rows_known(j) || j->next_parse_acc != j->total_chunks) return 0;
    uint64_t total_pages = j->rows ? page_of_row(j, j->rows - 1) + 1 : 0;
    return j->pages_done == total_pages;
}

/*
 * Everything the orderer can do now; returns 1 when the job is complete.
 * Workers wake the orderer only when a chunk or a page is finished, so it
 * repeats its pass while that pass made progress: a chunk placed late in a
 * pass (e.g. an empty one, whose segments are all done at once) is then
 * accounted without waiting for another wake-up.
 */
static int advance(engine *j)
{
    for (;;) {
        uint64_t before[3] = {j->next_scan_acc, j->next_place, j->pages_done};
        int done = advance_once(j);
        if (done || j->stop) return done;
        if (before[0] == j->next_scan_acc && before[1] == j->next_place &&
            before[2] == j->pages_done)
            return 0;
    }
}

/*
 * The orderer's pass on the calling thread (lock held), unless another thread
 * is in it: that thread unlocks only inside page_done, and repeats its pass
 * while work is pending, so work raised meanwhile is not lost.
 */
static void order(engine *j)
{
    if (j->ordering || !j->pending) return;
    j->ordering = 1;
    double t0 = csfs_now_seconds();
    while (j->pending && !j->stop && !j->finished) {
        j->pending = 0;
        if (advance(j)) {
            j->finished = 1;
            pthread_cond_signal(&j->cv_main);
        }
    }
    j->order_seconds += csfs_now_seconds() - t0;
    j->ordering = 0;
}

/* ---- setup, run, teardown ------------------------------------------------------- */

static int setup(engine *j, csfs_error *err)
{
    csfs_pipe_kind *k = j->kind;
    j->geo = csfs_page_geometry_make(k->page_rows, k->group_rows);
    j->page_rows = j->geo.page_rows;
    /* Page rows are a multiple of 1024, so columns page_rows * 4 bytes apart
     * would all fall in the same L1 (and few L2) cache sets: the parser
     * stores one value in every column per CSF, and 57-230 such lines
     * evict each other. One cache line of padding per column spreads them. */
    j->col_stride = (size_t)j->page_rows + 16;
    j->group_rows = j->geo.group_rows;
    j->pages_per_group = j->geo.pages_per_group;
    j->ring = csfs_pipe_ring_slots(j->threads);
    j->n_chunks = (size_t)j->threads + 2;
    k->sink->ring_slots = j->ring;
    size_t lanes = k->sink->lanes ? k->sink->lanes : 1;
    j->n_bundles = csfs_lane_bundles(lanes, (size_t)j->threads);
    j->chunks = calloc(j->n_chunks, sizeof *j->chunks);
    j->pages = calloc(j->ring, sizeof *j->pages);
    j->bundle_next = calloc(j->n_bundles, sizeof *j->bundle_next);
    j->bundle_busy = calloc(j->n_bundles, 1);
    j->worker_state = calloc((size_t)j->threads, sizeof *j->worker_state);
    if (!j->chunks || !j->pages || !j->bundle_next || !j->bundle_busy || !j->worker_state)
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    j->touched_words = (k->page_cols + 63) / 64;
    int zero_fill = 1;
    for (size_t c = 0; k->fill && c < k->page_cols; c++) zero_fill &= k->fill[c] == 0;
    if (k->page_cols) {
        j->seg_touched = calloc((size_t)j->threads * j->touched_words, sizeof *j->seg_touched);
        if (!j->seg_touched) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; k->page_cols && i < j->ring; i++) {
        /* Large allocations are mapped lazily: a small list touches little.
         * Zero fill values come with calloc's fresh pages; others are
         * written by the segments of the slot's first page (run_parse). */
        size_t n = k->page_cols * j->col_stride;
        j->pages[i].cols = zero_fill ? calloc(n, sizeof(uint32_t)) : malloc(n * sizeof(uint32_t));
        j->pages[i].filled = zero_fill;
        j->pages[i].touched = calloc(j->touched_words, sizeof *j->pages[i].touched);
        if (!j->pages[i].cols || !j->pages[i].touched)
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory for pages");
    }
    for (size_t i = 0; k->parsed_new && i < j->n_chunks; i++) {
        j->chunks[i].parsed = k->parsed_new(k->ctx);
        if (!j->chunks[i].parsed) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    for (int i = 0; i < j->threads; i++) {
        j->worker_state[i] = k->sink->ops->worker_new(k->sink);
        if (!j->worker_state[i]) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    const csfs_pipe_maker *m = j->src->maker;
    if (m && m->start) {
        int rc = m->start(m->ctx, j->n_chunks, (size_t)j->threads, err);
        if (rc) return rc;
    }
    return k->sink->ops->start(k->sink, err);
}

static int run_threads(engine *j, csfs_error *err)
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
    pthread_mutex_lock(&j->mu);
    if (!workers || !args) fail_nomem_locked(j);
    for (; workers && args && started < j->threads; started++) {
        args[started] = (worker_arg){.j = j, .index = (size_t)started};
        if (pthread_create(&workers[started], NULL, worker_main, &args[started]) != 0) break;
    }
    if (started != j->threads) {
        if (!j->stop) fail_nomem_locked(j);
    } else if (self_read(j)) {
        issue_chunks(j);
    } else if (pthread_create(&reader, NULL, reader_main, j) == 0) {
        reader_started = 1;
    } else if (!j->stop) {
        fail_nomem_locked(j);
    }
    /* Workers and the reader run the orderer's passes (order()); this thread
     * makes the first (an empty input may need no other), then only watches
     * for cancellation and reports progress. */
    j->pending = 1;
    order(j);
    const volatile int *cancel = j->cfg->cancel;
    while (!j->stop && !j->finished) {
        /* Raised by another thread (or a signal handler): read atomically. */
        if (cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED)) {
            csfs_error e;
            csfs_fail(&e, CSFS_E_CANCELLED, "%s: cancelled", csfs_pipe_source_name(j->src));
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
    for (int i = 0; i < started; i++) {
        j->stages.scan += args[i].cpu[0];
        j->stages.parse += args[i].cpu[1];
        j->stages.encode += args[i].cpu[2];
    }
    j->stages.reader = j->reader_cpu;
    free(workers);
    free(args);
    pthread_cond_destroy(&j->cv_main);
    pthread_cond_destroy(&j->cv_work);
    pthread_cond_destroy(&j->cv_reader);
    pthread_mutex_destroy(&j->mu);
    if (rc == 0 && (j->seen_separator || j->block_csfs > 0 || j->n_blocks > 0))
        rc = push_block(j, err);
    return rc;
}

static void teardown(engine *j)
{
    csfs_page_sink *sink = j->kind->sink;
    for (int i = 0; j->worker_state && i < j->threads; i++)
        if (j->worker_state[i]) sink->ops->worker_free(j->worker_state[i]);
    for (size_t i = 0; j->chunks && i < j->n_chunks; i++) {
        chunk *c = &j->chunks[i];
        csfs_buf_free(&c->text);
        if (c->parsed && j->kind->parsed_free) j->kind->parsed_free(j->kind->ctx, c->parsed);
        csfs_text_map_release(&c->map);
        csfs_csf_group_free(&c->group);
        c->scan.cols = NULL;
        csfs_chunk_scan_free(&c->scan);
        for (size_t k = 0; k < c->cap_segs; k++) {
            if (c->segs[k].notes && j->kind->notes_free) j->kind->notes_free(c->segs[k].notes);
            free(c->segs[k].notes);
        }
        free(c->segs);
        free(c->notes);
    }
    free(j->chunks);
    for (size_t i = 0; j->pages && i < j->ring; i++) {
        free(j->pages[i].cols);
        free(j->pages[i].touched);
    }
    free(j->seg_touched);
    free(j->pages);
    free(j->bundle_next);
    free(j->bundle_busy);
    free(j->worker_state);
    free(j->q_scan.items);
    free(j->q_parse.items);
    free(j->q_encode.items);
}

int csfs_pipe_run(csfs_pipe_source *src, const csfs_pipe_config *cfg, csfs_pipe_kind *kind,
                  csfs_pipe_result *res, csfs_error *err)
{
    engine j;
    memset(&j, 0, sizeof j);
    j.src = src;
    j.cfg = cfg;
    j.kind = kind;
    j.ranges = src->has_ranges ? &src->ranges : NULL;
    j.threads = cfg->threads > 0 ? cfg->threads : csfs_online_cpus();
    j.t0 = csfs_now_seconds();
    j.line_base = src->is_parquet ? 0 : CSFS_HEADER_LINES; /* records follow the header */
    memset(res, 0, sizeof *res);
    res->threads = j.threads;
    int rc = setup(&j, err);
    if (rc == 0) rc = run_threads(&j, err);
    /* The ordered pass runs on the workers (order()): its time is also in
     * their stages, and here as the one serial stage. */
    j.stages.writer = j.order_seconds;
    res->stages = j.stages;
    res->rows = j.rows;
    res->input_bytes = j.input_bytes;
    res->blocks = j.blocks;
    res->n_blocks = j.n_blocks;
    teardown(&j);
    return rc;
}
