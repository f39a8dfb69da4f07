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
#include "grasp/peel.h"
#include "jobs/descriptors_hooks.h"

/* One parsed segment of a page: rows [row_start, row_start + rows). */
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

typedef struct slot_state {
    pthread_mutex_t mu;
    piece **pieces; /* stable addresses: workers fill them unlocked */
    size_t n, cap;
    struct ArrowArray built;
} slot_state;

typedef struct eng_ctx {
    csfs_stream_state *st;
    unsigned columns;
    int matrix, descriptors, is_float;
    size_t width, n_peel;
    const char *name;
    slot_state *slots;
    size_t n_slots;
    int need_pieces;
    atomic_ullong truncated;
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

static piece *take_piece(slot_state *sp)
{
    pthread_mutex_lock(&sp->mu);
    if (sp->n == sp->cap) {
        size_t cap = sp->cap ? 2 * sp->cap : 4;
        piece **pp = realloc(sp->pieces, cap * sizeof *pp);
        if (pp) {
            memset(pp + sp->cap, 0, (cap - sp->cap) * sizeof *pp);
            sp->pieces = pp;
            sp->cap = cap;
        }
    }
    piece *p = NULL;
    if (sp->n < sp->cap) {
        if (!sp->pieces[sp->n]) sp->pieces[sp->n] = calloc(1, sizeof(piece));
        p = sp->pieces[sp->n];
        if (p) sp->n++;
    }
    pthread_mutex_unlock(&sp->mu);
    return p;
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
    piece *p = take_piece(&e->slots[slot]);
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
    e->slots[slot].n = 0; /* the orderer: no worker touches the slot now */
}

/* ---- a finished page -> an Arrow batch ------------------------------------------- */

static int cmp_pieces(const void *a, const void *b)
{
    uint64_t x = (*(piece *const *)a)->row_start, y = (*(piece *const *)b)->row_start;
    return (x > y) - (x < y);
}

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

static int fill_var(eng_ctx *e, csfs_acol_data *d, piece **pieces, size_t n_pieces,
                    const csfs_page *page, const uint32_t *idx, size_t n, int k, csfs_error *err)
{
    /* k: 0..2 line k, 3 coupling signature */
    size_t item = k == 3 ? 4 : 1;
    d->offsets = csfs_arrow_alloc((n + 1) * sizeof(int32_t));
    if (!d->offsets) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    cursor cu = {pieces, n_pieces, 0, page->row_start};
    size_t total = 0;
    d->offsets[0] = 0;
    for (size_t j = 0; j < n; j++) {
        size_t at;
        piece *p = piece_of(&cu, idx ? idx[j] : j, &at);
        const uint32_t *o = k == 3 ? p->sig_off : p->off[k];
        total += o[at + 1] - o[at];
        if (total > INT32_MAX)
            return csfs_fail(err, CSFS_E_NOMEM, "batch too large: lower batch_rows");
        d->offsets[j + 1] = (int32_t)total;
    }
    d->values = csfs_arrow_alloc(total * item);
    if (!d->values) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    cu.i = 0;
    char *out = d->values;
    for (size_t j = 0; j < n; j++) {
        size_t at;
        piece *p = piece_of(&cu, idx ? idx[j] : j, &at);
        const uint32_t *o = k == 3 ? p->sig_off : p->off[k];
        const char *src = k == 3 ? (const char *)p->sig : p->text[k].data;
        memcpy(out + (size_t)d->offsets[j] * item, src + (size_t)o[at] * item,
               (size_t)(o[at + 1] - o[at]) * item);
    }
    return 0;
}

static int eng_build(void *ctx, const csfs_page *page, csfs_error *err)
{
    eng_ctx *e = ctx;
    csfs_stream_state *st = e->st;
    slot_state *sp = &e->slots[page->slot];
    piece **pieces = sp->pieces;
    size_t n_pieces = e->need_pieces ? sp->n : 0;
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
        qsort(pieces, n_pieces, sizeof *pieces, cmp_pieces);
    }
    uint32_t *idx = NULL;
    size_t n = page->rows;
    if (st->sel) {
        idx = malloc((page->rows ? page->rows : 1) * sizeof *idx);
        if (!idx) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        n = csfs_stream_pick(st, page->row_start, page->rows, idx);
    }
    csfs_acol_data *data = calloc(st->n_cols, sizeof *data);
    int rc = data ? 0 : csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    size_t c = 0;
    if (rc == 0 && (e->columns & CSFS_STREAM_ROW)) {
        uint64_t *v = data[c].values = csfs_arrow_alloc(n * 8);
        if (!v) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        for (size_t j = 0; v && j < n; j++) v[j] = page->row_start + (idx ? idx[j] : j);
        c++;
    }
    if (rc == 0 && (e->columns & CSFS_STREAM_BLOCK)) {
        uint32_t *v = data[c].values = csfs_arrow_alloc(n * 4);
        if (!v) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        cursor cu = {pieces, n_pieces, 0, page->row_start};
        for (size_t j = 0; v && j < n; j++) {
            size_t at;
            piece *p = piece_of(&cu, idx ? idx[j] : j, &at);
            v[j] = p->block[at];
        }
        c++;
    }
    if (rc == 0 && e->matrix) {
        uint32_t *v = data[c].values = csfs_arrow_alloc(n * e->width * 4);
        if (!v)
            rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        else if (!idx)
            csfs_page_to_rows(page->cols, page->col_stride, n, e->width, v);
        else
            for (size_t j = 0; j < n; j++)
                for (size_t k = 0; k < e->width; k++)
                    v[j * e->width + k] = page->cols[k * page->col_stride + idx[j]];
        c++;
    } else if (rc == 0 && e->descriptors) {
        for (size_t k = 0; k < e->width && rc == 0; k++, c++) {
            uint32_t *v = data[c].values = csfs_arrow_alloc(n * 4);
            const uint32_t *col = page->cols + k * page->col_stride;
            if (!v)
                rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
            else if (!idx)
                memcpy(v, col, n * 4);
            else
                for (size_t j = 0; j < n; j++) v[j] = col[idx[j]];
        }
    }
    for (int k = 0; k < 3 && rc == 0 && (e->columns & CSFS_STREAM_LINES); k++)
        rc = fill_var(e, &data[c++], pieces, n_pieces, page, idx, n, k, err);
    if (rc == 0 && (e->columns & CSFS_STREAM_COUPLING))
        rc = fill_var(e, &data[c++], pieces, n_pieces, page, idx, n, 3, err);
    free(idx);
    if (rc) {
        csfs_acol_data_free(data, st->n_cols);
        free(data);
        return rc;
    }
    rc = csfs_arrow_batch(st->cols, st->n_cols, (int64_t)n, data, &sp->built);
    free(data);
    return rc ? csfs_fail(err, CSFS_E_NOMEM, "out of memory") : 0;
}

/* The batch is made here, on the orderer, rather than in parallel by a
 * build() on the workers: it is then only a copy of the page (or its
 * transpose), cheap beside parsing, and no slot holds a finished batch
 * besides its page, which would double the stream's memory. */
static int eng_deliver(void *ctx, const csfs_page *page, csfs_error *err)
{
    eng_ctx *e = ctx;
    int rc = eng_build(ctx, page, err);
    return rc ? rc : csfs_stream_push(e->st, &e->slots[page->slot].built, err);
}

static int eng_start(void *ctx, size_t ring_slots, csfs_error *err)
{
    eng_ctx *e = ctx;
    e->slots = calloc(ring_slots, sizeof *e->slots);
    if (!e->slots) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    e->n_slots = ring_slots;
    for (size_t i = 0; i < ring_slots; i++) pthread_mutex_init(&e->slots[i].mu, NULL);
    return 0;
}

static int eng_finish(void *ctx, const csfs_run_info *info, csfs_error *err)
{
    eng_ctx *e = ctx;
    csfs_stream_state *st = e->st;
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

int csfs_stream_produce_engine(csfs_stream_state *st, csfs_error *err)
{
    unsigned cols = st->columns;
    eng_ctx e;
    memset(&e, 0, sizeof e);
    e.st = st;
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
    d.input = st->input;
    d.peel = st->opt.peel;
    d.layout = need_values ? st->opt.layout : CSFS_LAYOUT_V1;
    d.normalize = need_values ? st->opt.normalize : 0;
    /* A failed CSF has no signature: rCSFs read_csfs refuses it. */
    d.strict = st->opt.strict || (cols & CSFS_STREAM_COUPLING);
    d.keep_going = st->opt.keep_going;
    d.threads = st->opt.threads;
    d.chunk_bytes = st->opt.chunk_bytes;
    d.row_group_rows = (int64_t)st->opt.batch_rows; /* pages are batches */
    d.report = st->opt.report;
    d.report_ctx = st->opt.report_ctx;
    d.cancel = &st->cancel;
    csfs_desc_hooks hooks = {.ctx = &e,
                             .page_rows = st->opt.batch_rows,
                             .no_descriptors = !need_values,
                             .open_sink = eng_open_sink,
                             .parse = eng_parse,
                             .slot_reset = eng_slot_reset};
    csfs_summary sum;
    int rc = csfs_descriptors_with_hooks(&d, &hooks, &sum, err);
    pthread_mutex_lock(&st->mu);
    st->bytes_read = sum.input_bytes;
    pthread_mutex_unlock(&st->mu);
    for (size_t i = 0; i < e.n_slots; i++) {
        slot_state *sp = &e.slots[i];
        for (size_t k = 0; k < sp->cap; k++) {
            piece *p = sp->pieces[k];
            if (!p) continue;
            for (int j = 0; j < 3; j++) {
                csfs_buf_free(&p->text[j]);
                free(p->off[j]);
            }
            free(p->block);
            free(p->sig);
            free(p->sig_off);
            free(p);
        }
        free(sp->pieces);
        if (sp->built.release) sp->built.release(&sp->built);
        pthread_mutex_destroy(&sp->mu);
    }
    free(e.slots);
    return rc;
}
