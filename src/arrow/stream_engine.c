/*
 * Streams of CSF sources (text, .zst, .gz, CSF Parquet): the descriptor job
 * (jobs/descriptors_hooks.h) parses pages on the engine's workers; this file
 * adds the columns the job does not make (row, block, lines, coupling
 * signature) and turns each finished page into an Arrow batch on a worker,
 * which the orderer hands to the stream's queue in file order.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arrow/stream_internal.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/utf8.h"
#include "descriptor/v2.h"
#include "engine/page_sink.h"
#include "engine/slot_pool.h"
#include "grasp/peel.h"
#include "jobs/descriptors_hooks.h"

/* One parsed segment of a page: rows [row_start, row_start + rows), in the
 * page slot's pool (engine/slot_pool.h: row_start must come first). */
typedef struct piece {
    uint64_t row_start;
    size_t rows, cap_rows;
    uint32_t *block;
    csfs_buf text[3];
    uint32_t *off[3]; /* rows + 1 offsets into text[k] */
    int32_t *sig;     /* coupling signatures, back to back */
    size_t n_sig, cap_sig;
    uint32_t *sig_off; /* rows + 1 */
    int failed;        /* out of memory, or message set */
    char message[1200];
} piece;

/*
 * The batch being filled (orderer only). Engine pages are smaller than
 * batches (the engine's ring then costs little memory): each page's rows are
 * appended here, and a full batch is pushed. Fixed-width columns are
 * allocated for a whole batch at once (mapped memory: rows never written
 * cost nothing); variable ones grow in bufs and are copied out at the push.
 */
typedef struct accum {
    csfs_acol_data *data;
    csfs_buf *bufs; /* variable columns: bytes or int32 items */
    size_t fill, cap;
} accum;

typedef struct eng_ctx {
    csfs_stream_state *st;
    unsigned columns;
    int matrix, descriptors, is_float;
    size_t width, n_peel;
    const char *name;
    csfs_slot_pool pieces;
    int need_pieces;
    uint64_t page_rows;
    atomic_ullong truncated;
    uint32_t *idx; /* rows=: the selected rows of a page */
    accum acc;
    const csfs_stream_row_map *map; /* the source is a text of selected records */
} eng_ctx;

/* ---- workers: the columns of a segment the job does not make ------------------ */

static int piece_reserve(piece *p, size_t rows)
{
    if (rows <= p->cap_rows) return 0;
    for (int k = 0; k < 3; k++) {
        uint32_t *o = realloc(p->off[k], (rows + 1) * sizeof *o);
        if (!o) return -1;
        p->off[k] = o;
    }
    uint32_t *b = realloc(p->block, rows * sizeof *b);
    if (!b) return -1;
    p->block = b;
    uint32_t *so = realloc(p->sig_off, (rows + 1) * sizeof *so);
    if (!so) return -1;
    p->sig_off = so;
    p->cap_rows = rows;
    return 0;
}

static void piece_free(void *v)
{
    piece *p = v;
    for (int j = 0; j < 3; j++) {
        csfs_buf_free(&p->text[j]);
        free(p->off[j]);
    }
    free(p->block);
    free(p->sig);
    free(p->sig_off);
}

/* The coupling signature of a v1 raw row (rCSFs read_csfs): the coupling 2J
 * of every occupied peel subshell, in peel order; the last one is the total
 * 2J. */
static int add_signature(piece *p, const uint32_t *cols, size_t stride, size_t r, size_t n_peel)
{
    if (p->n_sig + n_peel > p->cap_sig) {
        size_t cap = (p->cap_sig ? 2 * p->cap_sig : 4096) + n_peel;
        int32_t *s = realloc(p->sig, cap * sizeof *s);
        if (!s) return -1;
        p->sig = s;
        p->cap_sig = cap;
    }
    for (size_t k = 0; k < n_peel; k++)
        if ((int32_t)cols[(3 * k) * stride + r] > 0)
            p->sig[p->n_sig++] = (int32_t)cols[(3 * k + 2) * stride + r];
    return 0;
}

static void eng_parse(void *ctx, size_t worker, const csfs_pipe_chunk *c, size_t first, size_t end,
                      size_t slot, uint64_t row_in_page, const uint32_t *cols, size_t col_stride)
{
    eng_ctx *e = ctx;
    if (!e->need_pieces) return;
    piece *p = csfs_slot_pool_take(&e->pieces, slot);
    if (!p) {
        /* the page then lacks rows: build() notices the shortfall */
        return;
    }
    size_t rows = end - first;
    p->failed = 0;
    p->message[0] = 0;
    p->rows = 0;
    p->n_sig = 0;
    if (piece_reserve(p, rows)) {
        p->failed = 1;
        return;
    }
    p->row_start = c->row_start + first;
    p->rows = rows;
    const csfs_chunk_scan *scan = c->scan;
    size_t sep = 0, cut = e->st->opt.max_line_len;
    uint64_t truncated = 0;
    for (int k = 0; k < 3; k++) p->text[k].len = 0, p->off[k][0] = 0;
    p->sig_off[0] = 0;
    for (size_t i = first; i < end; i++) {
        size_t r = i - first;
        if (e->columns & CSFS_STREAM_BLOCK) {
            while (sep < scan->n_sep && scan->sep_before[sep] <= i) sep++;
            p->block[r] = (uint32_t)(c->block_start + sep);
        }
        if (e->columns & CSFS_STREAM_COUPLING) {
            if (add_signature(p, cols, col_stride, r, e->n_peel)) {
                p->failed = 1;
                return;
            }
            p->sig_off[r + 1] = (uint32_t)p->n_sig;
        }
        if (!(e->columns & CSFS_STREAM_LINES)) continue;
        const char *l[3];
        size_t n[3];
        csfs_record_lines(scan, c->data, i, l, n);
        for (int k = 0; k < 3; k++) {
            if (cut && n[k] > cut) {
                n[k] = cut;
                truncated++;
            }
            if (csfs_utf8_valid_prefix(l[k], n[k]) != n[k] && !p->message[0]) {
                char at[1100];
                uint64_t line;
                uint32_t rel = scan->cols ? (uint32_t)i : scan->rec[i].line;
                csfs_pipe_where(c, e->name, i, rel, at, sizeof at, &line);
                snprintf(p->message, sizeof p->message, "%s: line %d of the CSF is not valid UTF-8",
                         at, k + 1);
                p->failed = 1;
            }
            if (csfs_buf_append(&p->text[k], l[k], n[k], NULL) || p->text[k].len > INT32_MAX) {
                p->failed = 1;
                return;
            }
            p->off[k][r + 1] = (uint32_t)p->text[k].len;
        }
    }
    atomic_fetch_add(&e->truncated, truncated);
}

static void eng_slot_reset(void *ctx, size_t slot)
{
    eng_ctx *e = ctx;
    csfs_slot_pool_reset(&e->pieces, slot);
}

/* ---- a finished page -> an Arrow batch ------------------------------------------- */

/* Cursor over a page's pieces for increasing page rows. */
typedef struct cursor {
    piece **p;
    size_t n, i;
    uint64_t page_start;
} cursor;

static piece *piece_of(cursor *cu, size_t r, size_t *at)
{
    uint64_t row = cu->page_start + r;
    while (cu->i < cu->n && row >= cu->p[cu->i]->row_start + cu->p[cu->i]->rows) cu->i++;
    *at = (size_t)(row - cu->p[cu->i]->row_start);
    return cu->p[cu->i];
}

/* The batch being filled: see eng_deliver. */
static void accum_free(accum *a, size_t n_cols)
{
    if (a->data) csfs_acol_data_free(a->data, n_cols);
    for (size_t c = 0; a->bufs && c < n_cols; c++) csfs_buf_free(&a->bufs[c]);
    free(a->data);
    free(a->bufs);
    memset(a, 0, sizeof *a);
}

static int accum_start(eng_ctx *e, accum *a, csfs_error *err)
{
    const csfs_stream_state *st = e->st;
    size_t cap = (size_t)st->opt.batch_rows;
    if (!a->data) {
        a->data = calloc(st->n_cols, sizeof *a->data);
        a->bufs = calloc(st->n_cols, sizeof *a->bufs);
        if (!a->data || !a->bufs) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    for (size_t c = 0; c < st->n_cols; c++) {
        const csfs_acol *col = &st->cols[c];
        csfs_acol_data *d = &a->data[c];
        if (csfs_acol_is_var(col->type)) {
            d->offsets = csfs_arrow_alloc((cap + 1) * sizeof(int32_t));
            if (!d->offsets) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
            d->offsets[0] = 0;
            a->bufs[c].len = 0;
        } else {
            size_t w = csfs_acol_value_size(col->type) * (col->list_size ? col->list_size : 1);
            d->values = csfs_arrow_alloc(cap * w);
            if (!d->values) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        }
    }
    a->fill = 0;
    a->cap = cap;
    return 0;
}

static int accum_push(eng_ctx *e, accum *a, csfs_error *err)
{
    csfs_stream_state *st = e->st;
    if (!a->cap) return 0;
    for (size_t c = 0; c < st->n_cols; c++) {
        if (!csfs_acol_is_var(st->cols[c].type)) continue;
        csfs_acol_data *d = &a->data[c];
        d->values = csfs_arrow_alloc(a->bufs[c].len);
        if (!d->values) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        memcpy(d->values, a->bufs[c].data, a->bufs[c].len);
    }
    struct ArrowArray out;
    int rc = csfs_arrow_batch(st->cols, st->n_cols, (int64_t)a->fill, a->data, &out);
    a->cap = a->fill = 0;
    if (rc) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    return csfs_stream_push(st, &out, err);
}

/* Appends variable values of page rows to column c: k 0..2 line k, 3 the
 * coupling signature. */
static int append_var(accum *a, size_t c, cursor cu, const uint32_t *idx, size_t from, size_t n,
                      int k, csfs_error *err)
{
    size_t item = k == 3 ? 4 : 1;
    csfs_buf *b = &a->bufs[c];
    int32_t *off = a->data[c].offsets + a->fill;
    for (size_t j = 0; j < n; j++) {
        size_t at;
        piece *p = piece_of(&cu, idx ? idx[from + j] : from + j, &at);
        const uint32_t *o = k == 3 ? p->sig_off : p->off[k];
        const char *src = k == 3 ? (const char *)p->sig : p->text[k].data;
        size_t len = (size_t)(o[at + 1] - o[at]) * item;
        if (csfs_buf_append(b, src + (size_t)o[at] * item, len, err)) return CSFS_E_NOMEM;
        if (b->len / item > INT32_MAX)
            return csfs_fail(err, CSFS_E_NOMEM, "batch too large: lower batch_rows");
        off[j + 1] = (int32_t)(b->len / item);
    }
    return 0;
}

/* Rows from..from+n of the page's selection (idx, or all rows) -> the batch. */
static int append_rows(eng_ctx *e, accum *a, const csfs_page *page, piece **pieces, size_t n_pieces,
                       const uint32_t *idx, size_t from, size_t n, csfs_error *err)
{
    csfs_stream_state *st = e->st;
    size_t c = 0, f = a->fill;
#define PAGE_ROW(j) (idx ? idx[from + (j)] : from + (j))
    if (e->columns & CSFS_STREAM_ROW) {
        uint64_t *v = (uint64_t *)a->data[c++].values + f;
        if (e->map)
            for (size_t j = 0; j < n; j++) v[j] = e->map->row[page->row_start + PAGE_ROW(j)];
        else
            for (size_t j = 0; j < n; j++) v[j] = page->row_start + PAGE_ROW(j);
    }
    if ((e->columns & CSFS_STREAM_BLOCK) && e->map) {
        uint32_t *v = (uint32_t *)a->data[c++].values + f;
        for (size_t j = 0; j < n; j++) v[j] = e->map->block[page->row_start + PAGE_ROW(j)];
    } else if (e->columns & CSFS_STREAM_BLOCK) {
        uint32_t *v = (uint32_t *)a->data[c++].values + f;
        cursor cu = {pieces, n_pieces, 0, page->row_start};
        for (size_t j = 0; j < n; j++) {
            size_t at;
            piece *p = piece_of(&cu, PAGE_ROW(j), &at);
            v[j] = p->block[at];
        }
    }
    if (e->matrix) {
        uint32_t *v = (uint32_t *)a->data[c++].values + f * e->width;
        if (!idx)
            csfs_page_to_rows(page->cols + from, page->col_stride, n, e->width, v);
        else
            for (size_t j = 0; j < n; j++)
                for (size_t k = 0; k < e->width; k++)
                    v[j * e->width + k] = page->cols[k * page->col_stride + PAGE_ROW(j)];
    } else if (e->descriptors) {
        for (size_t k = 0; k < e->width; k++, c++) {
            uint32_t *v = (uint32_t *)a->data[c].values + f;
            const uint32_t *col = page->cols + k * page->col_stride;
            if (!idx)
                memcpy(v, col + from, n * 4);
            else
                for (size_t j = 0; j < n; j++) v[j] = col[PAGE_ROW(j)];
        }
    }
#undef PAGE_ROW
    cursor cu = {pieces, n_pieces, 0, page->row_start};
    int rc = 0;
    for (int k = 0; k < 3 && rc == 0 && (e->columns & CSFS_STREAM_LINES); k++)
        rc = append_var(a, c++, cu, idx, from, n, k, err);
    if (rc == 0 && (e->columns & CSFS_STREAM_COUPLING))
        rc = append_var(a, c++, cu, idx, from, n, 3, err);
    a->fill += n;
    (void)st;
    return rc;
}

/* A finished page (orderer, in page order): its rows join the batch being
 * filled, which is pushed once full. Done here rather than in parallel on
 * the workers: it is a copy (or a transpose), cheap beside parsing. */
static int eng_deliver(void *ctx, const csfs_page *page, csfs_error *err)
{
    eng_ctx *e = ctx;
    csfs_stream_state *st = e->st;
    size_t n_pieces = 0;
    piece **pieces = NULL;
    if (e->need_pieces) pieces = (piece **)csfs_slot_pool_pieces(&e->pieces, page->slot, &n_pieces);
    if (e->need_pieces) {
        size_t got = 0;
        for (size_t i = 0; i < n_pieces; i++) {
            if (pieces[i]->failed)
                return pieces[i]->message[0]
                           ? csfs_fail(err, CSFS_E_FORMAT, "%s", pieces[i]->message)
                           : csfs_fail(err, CSFS_E_NOMEM, "out of memory");
            got += pieces[i]->rows;
        }
        if (got != page->rows) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        csfs_slot_pool_sort((void **)pieces, n_pieces);
    }
    size_t n = page->rows;
    if (st->sel && !e->map) n = csfs_stream_pick(st, page->row_start, page->rows, e->idx);
    int rc = 0;
    for (size_t from = 0; from < n && rc == 0;) {
        if (!e->acc.cap && (rc = accum_start(e, &e->acc, err))) break;
        size_t take = n - from < e->acc.cap - e->acc.fill ? n - from : e->acc.cap - e->acc.fill;
        rc = append_rows(e, &e->acc, page, pieces, n_pieces, st->sel && !e->map ? e->idx : NULL,
                         from, take, err);
        from += take;
        if (rc == 0 && e->acc.fill == e->acc.cap) rc = accum_push(e, &e->acc, err);
    }
    return rc;
}

static int eng_start(void *ctx, size_t ring_slots, csfs_error *err)
{
    eng_ctx *e = ctx;
    int rc = csfs_slot_pool_init(&e->pieces, ring_slots, sizeof(piece), piece_free, err);
    if (rc) return rc;
    if (e->st->sel && !(e->idx = malloc(e->page_rows * sizeof *e->idx)))
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    return 0;
}

static int eng_finish(void *ctx, const csfs_run_info *info, csfs_error *err)
{
    eng_ctx *e = ctx;
    csfs_stream_state *st = e->st;
    int rc = accum_push(e, &e->acc, err); /* the last, short batch */
    if (rc) return rc;
    uint64_t *b = malloc((info->n_blocks ? info->n_blocks : 1) * sizeof *b);
    if (!b) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    memcpy(b, info->block_lengths, info->n_blocks * sizeof *b);
    pthread_mutex_lock(&st->mu);
    st->blocks = b;
    st->n_blocks = info->n_blocks;
    st->csf_count = info->csf_count;
    st->failed = info->failed_count;
    st->total_lines = 3 * info->csf_count + (info->n_blocks ? info->n_blocks - 1 : 0);
    st->truncated = atomic_load(&e->truncated);
    pthread_mutex_unlock(&st->mu);
    return 0;
}

/* ---- columns ---------------------------------------------------------------------- */

static int add_col(csfs_acol *cols, size_t *n, const char *name, csfs_acol_type t, size_t list)
{
    cols[*n].name = strdup(name);
    cols[*n].type = t;
    cols[*n].list_size = list;
    return cols[(*n)++].name ? 0 : -1;
}

static int eng_open_sink(void *ctx, csfs_pipe_source *src, const csfs_peel *peel, size_t width,
                         csfs_page_sink **sink, csfs_error *err)
{
    eng_ctx *e = ctx;
    csfs_stream_state *st = e->st;
    e->width = width;
    e->n_peel = peel->count;
    e->name = csfs_pipe_source_name(src);
    size_t max = width + 8;
    csfs_acol *cols = calloc(max, sizeof *cols);
    if (!cols) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    size_t n = 0;
    int bad = 0;
    csfs_acol_type vt = e->is_float ? CSFS_ACOL_F32 : CSFS_ACOL_I32;
    if (e->columns & CSFS_STREAM_ROW) bad |= add_col(cols, &n, "row", CSFS_ACOL_U64, 0);
    if (e->columns & CSFS_STREAM_BLOCK) bad |= add_col(cols, &n, "block", CSFS_ACOL_U32, 0);
    if (e->matrix) {
        bad |= add_col(cols, &n, "x", e->is_float ? CSFS_ACOL_FSL_F32 : CSFS_ACOL_FSL_I32, width);
    } else if (e->descriptors) {
        for (size_t k = 0; k < width; k++) {
            char name[48];
            if (st->opt.layout == CSFS_LAYOUT_V2)
                csfs_v2_column_name(peel->count, k, name, sizeof name);
            else
                snprintf(name, sizeof name, "col_%zu", k);
            bad |= add_col(cols, &n, name, vt, 0);
        }
    }
    if (e->columns & CSFS_STREAM_LINES) {
        bad |= add_col(cols, &n, "line1", CSFS_ACOL_UTF8, 0);
        bad |= add_col(cols, &n, "line2", CSFS_ACOL_UTF8, 0);
        bad |= add_col(cols, &n, "line3", CSFS_ACOL_UTF8, 0);
    }
    if (e->columns & CSFS_STREAM_COUPLING)
        bad |= add_col(cols, &n, "coupling_signature", CSFS_ACOL_LIST_I32, 0);
    const csfs_header *h = csfs_pipe_source_header(src);
    for (int i = 0; h && i < 5; i++)
        if (!(st->header[i] = strdup(h->lines[i]))) bad = 1;
    if (bad) {
        csfs_acols_free(cols, n);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    if (n == 0) {
        free(cols);
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: no columns asked for", e->name);
    }
    st->width = width;
    csfs_stream_set_columns(st, cols, n);
    csfs_page_callbacks cb = {
        .ctx = e, .start = eng_start, .deliver = eng_deliver, .finish = eng_finish};
    return csfs_page_sink_callback(sink, width, &cb, err);
}

int csfs_stream_produce_engine(csfs_stream_state *st, const char *input,
                               const csfs_stream_row_map *map, csfs_error *err)
{
    unsigned cols = st->columns;
    eng_ctx e;
    memset(&e, 0, sizeof e);
    e.st = st;
    e.map = map;
    e.columns = cols;
    e.matrix = (cols & CSFS_STREAM_MATRIX) != 0;
    e.descriptors = (cols & CSFS_STREAM_DESCRIPTORS) != 0;
    e.is_float = st->opt.normalize;
    e.need_pieces = (cols & (CSFS_STREAM_BLOCK | CSFS_STREAM_LINES | CSFS_STREAM_COUPLING)) != 0;
    int need_values = e.matrix || e.descriptors || (cols & CSFS_STREAM_COUPLING);
    if ((cols & CSFS_STREAM_COUPLING) && (st->opt.layout == CSFS_LAYOUT_V2 || st->opt.normalize))
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "the coupling signature comes with raw v1 descriptors only (not V2, not "
                         "normalised)");
    csfs_descriptor_options d;
    csfs_descriptor_options_init(&d);
    d.input = input;
    d.peel = st->opt.peel;
    d.layout = need_values ? st->opt.layout : CSFS_LAYOUT_V1;
    d.normalize = need_values ? st->opt.normalize : 0;
    /* A failed CSF has no signature: rCSFs read_csfs refuses it. */
    d.strict = st->opt.strict || (cols & CSFS_STREAM_COUPLING);
    d.keep_going = st->opt.keep_going;
    d.threads = st->opt.threads;
    d.chunk_bytes = st->opt.chunk_bytes;
    /* Engine pages of at most 16384 rows, whatever the batch size: the
     * engine's ring of pages then stays small beside the batches. */
    e.page_rows = st->opt.batch_rows < 16384 ? st->opt.batch_rows : 16384;
    d.row_group_rows = (int64_t)e.page_rows;
    d.report = st->opt.report;
    d.report_ctx = st->opt.report_ctx;
    d.cancel = &st->cancel;
    csfs_desc_hooks hooks = {.ctx = &e,
                             .page_rows = e.page_rows,
                             .no_descriptors = !need_values,
                             .open_sink = eng_open_sink,
                             .parse = eng_parse,
                             .slot_reset = eng_slot_reset};
    csfs_summary sum;
    int rc = csfs_descriptors_with_hooks(&d, &hooks, &sum, err);
    pthread_mutex_lock(&st->mu);
    st->bytes_read = sum.input_bytes;
    pthread_mutex_unlock(&st->mu);
    csfs_slot_pool_free(&e.pieces);
    free(e.idx);
    accum_free(&e.acc, st->n_cols);
    return rc;
}
