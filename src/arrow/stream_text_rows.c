/*
 * rows= on a CSF text source (plain, .zst, .gz) without parsing the list:
 *
 *   1. a counting pass reads the text once, chunk by chunk, and splits it
 *      into records with the scanner the engine uses (csfs_scan_chunk: line
 *      ends and record starts only, no field parsing, at memchr speed); it
 *      numbers rows, lines and J blocks as the engine does, and copies the
 *      three lines of each selected row (in file order, each once) after the
 *      list's header into a temporary CSF text, noting each copy's row,
 *      block and line;
 *   2. the engine runs on that text (arrow/stream_engine.c with a row map),
 *      so every descriptor rule (peel, V2, normalisation, strict, failures)
 *      is the job's own; the row and block columns come from the map, and
 *      messages about a copied record are turned back into the list's file
 *      name, line and CSF number.
 *
 * The list is read once (no second read, so no seeking is needed even for a
 * plain file); what is parsed is the selected rows only. When the copies
 * pass 64 MiB and half the text read, most rows are selected: the copy is
 * dropped and the whole list parsed instead, as without this path. The temporary text
 * is the selected records (about 250 bytes a CSF for gd_19peel_9J) in
 * $TMPDIR (or /tmp), removed when the stream ends. Memory: 4 chunks of the
 * list (read and scanned ahead by up to 3 threads) and 20 bytes a selected
 * row for the map.
 *
 * The second step (csfs_stream_rows_run, the message remapping) is shared
 * with CSF Parquet sources, whose pass is in arrow/stream_parquet_rows.c.
 */
#define _GNU_SOURCE /* mkstemps */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arrow/stream_internal.h"
#include "arrow/stream_rows.h"
#include "common/buf.h"
#include "common/error.h"
#include "engine/pipeline.h"
#include "grasp/csf_text.h"

typedef csfs_rows_pass rows_pass;

static int close_block(rows_pass *p, csfs_error *err)
{
    if (p->n_blocks + 1 >= p->cap_blocks) {
        size_t cap = p->cap_blocks ? 2 * p->cap_blocks : 16;
        uint64_t *b = realloc(p->blocks, cap * sizeof *b);
        if (!b) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        memset(b + p->cap_blocks, 0, (cap - p->cap_blocks) * sizeof *b);
        p->blocks = b;
        p->cap_blocks = cap;
    }
    p->n_blocks++; /* the open block's count becomes a closed block's */
    return 0;
}

/* One scanned chunk: rows, blocks and lines counted, selected records copied. */
static int take_chunk(rows_pass *p, const char *data, const csfs_chunk_scan *s, csfs_error *err)
{
    const csfs_stream_state *st = p->st;
    size_t sep = 0;
    p->out.len = 0;
    for (size_t i = 0; i < s->n_rec; i++) {
        while (sep < s->n_sep && s->sep_before[sep] <= i) {
            int rc = close_block(p, err);
            if (rc) return rc;
            sep++;
        }
        p->blocks[p->n_blocks]++;
        uint64_t row = p->rows + i;
        if (p->next >= st->n_sel || st->sel[p->next] != row) continue;
        size_t k = p->next++;
        p->row[k] = row;
        p->block[k] = (uint32_t)p->n_blocks;
        p->line[k] = p->line_base + s->rec[i].line + 1;
        const char *l[3];
        size_t n[3];
        csfs_record_lines(s, data, i, l, n);
        for (int j = 0; j < 3; j++)
            if (csfs_buf_append(&p->out, l[j], n[j], err) || csfs_buf_append(&p->out, "\n", 1, err))
                return CSFS_E_NOMEM;
    }
    for (; sep < s->n_sep; sep++) {
        int rc = close_block(p, err);
        if (rc) return rc;
    }
    p->rows += s->n_rec;
    p->line_base += s->lines;
    return 0;
}

int csfs_stream_rows_write(FILE *f, const void *data, size_t n, const char *tmp, csfs_error *err)
{
    if (n && fwrite(data, 1, n, f) != n)
        return csfs_fail_errno(err, errno, "%s: cannot write the selected records", tmp);
    return 0;
}

/*
 * Scanners: threads that each take the next chunk of the list (reading is
 * in order, one reader at a time: for .zst/.gz it decompresses) and split it
 * into records, a ring of chunks ahead of the counting pass, which takes the
 * scanned chunks in order. The pass then costs about the reading, or the
 * scanning shared by the threads, whichever is slower.
 */
#define RING 4

/* Copies past this size and past half the text read so far: most rows are
 * selected, so the list is parsed instead (the engine then picks the rows),
 * rather than copying most of it to $TMPDIR. */
#define COPY_GIVE_UP ((uint64_t)64 << 20)

typedef enum { SLOT_FREE, SLOT_BUSY, SLOT_READY } slot_state;

typedef struct scan_slot {
    slot_state state;
    uint64_t seq;
    csfs_buf buf;
    csfs_chunk_scan scan;
    int last, scan_rc;
    csfs_error scan_err;
} scan_slot;

typedef struct scanners {
    csfs_text_reader *r;
    pthread_mutex_t mu, read_mu; /* read_mu: one reader at a time, in order */
    pthread_cond_t cv;
    scan_slot slot[RING];
    uint64_t next_seq; /* the next chunk to read (under read_mu) */
    uint64_t total;    /* chunks in the list, once eof */
    int eof, stop, rc;
    csfs_error err;
} scanners;

static void *scanner_main(void *arg)
{
    scanners *sc = arg;
    for (;;) {
        pthread_mutex_lock(&sc->read_mu);
        pthread_mutex_lock(&sc->mu);
        uint64_t seq = sc->next_seq;
        scan_slot *s = &sc->slot[seq % RING];
        while (!sc->eof && !sc->stop && s->state != SLOT_FREE) pthread_cond_wait(&sc->cv, &sc->mu);
        int done = sc->eof || sc->stop;
        if (!done) {
            s->state = SLOT_BUSY;
            s->seq = seq;
        }
        pthread_mutex_unlock(&sc->mu);
        if (done) {
            pthread_mutex_unlock(&sc->read_mu);
            break;
        }
        csfs_error e;
        csfs_error_clear(&e);
        int rc = csfs_text_next_chunk(sc->r, &s->buf, &e);
        int last = rc == 0 && (s->buf.len == 0 || csfs_text_at_end(sc->r));
        sc->next_seq = seq + 1;
        if (rc || last) {
            pthread_mutex_lock(&sc->mu);
            sc->eof = 1;
            sc->total = rc || s->buf.len == 0 ? seq : seq + 1;
            if (rc) sc->rc = rc, sc->err = e;
            if (sc->total == seq) s->state = SLOT_FREE;
            pthread_cond_broadcast(&sc->cv);
            pthread_mutex_unlock(&sc->mu);
        }
        pthread_mutex_unlock(&sc->read_mu);
        if (rc || s->buf.len == 0) break;
        csfs_error_clear(&s->scan_err);
        s->last = last;
        s->scan_rc = csfs_scan_chunk(s->buf.data, s->buf.len, last, &s->scan, &s->scan_err);
        pthread_mutex_lock(&sc->mu);
        s->state = SLOT_READY;
        pthread_cond_broadcast(&sc->cv);
        pthread_mutex_unlock(&sc->mu);
        if (last) break;
    }
    return NULL;
}

/* Pass 1: the list -> the selected records in tmp (open as f). */
static int counting_pass(rows_pass *p, FILE *f, const char *tmp, csfs_error *err)
{
    csfs_stream_state *st = p->st;
    scanners sc;
    memset(&sc, 0, sizeof sc);
    int rc = csfs_text_open(st->input, st->opt.chunk_bytes, &sc.r, err);
    if (rc) return rc;
    const csfs_header *h = csfs_text_header(sc.r);
    for (int i = 0; rc == 0 && i < CSFS_HEADER_LINES; i++) {
        rc = csfs_stream_rows_write(f, h->lines[i], h->lens[i], tmp, err);
        if (rc == 0) rc = csfs_stream_rows_write(f, "\n", 1, tmp, err);
    }
    pthread_mutex_init(&sc.mu, NULL);
    pthread_mutex_init(&sc.read_mu, NULL);
    pthread_cond_init(&sc.cv, NULL);
    int threads = st->opt.threads ? st->opt.threads : csfs_online_cpus();
    if (threads > RING - 1) threads = RING - 1;
    pthread_t th[RING];
    int started = 0;
    while (rc == 0 && started < threads &&
           pthread_create(&th[started], NULL, scanner_main, &sc) == 0)
        started++;
    if (rc == 0 && !started) rc = csfs_fail(err, CSFS_E_NOMEM, "cannot start a thread");
    for (uint64_t seq = 0; rc == 0; seq++) {
        if (csfs_stream_cancelled(st)) {
            rc = csfs_fail(err, CSFS_E_CANCELLED, "%s: cancelled", st->input);
            break;
        }
        scan_slot *s = &sc.slot[seq % RING];
        pthread_mutex_lock(&sc.mu);
        while (!(s->state == SLOT_READY && s->seq == seq) && !(sc.eof && seq >= sc.total))
            pthread_cond_wait(&sc.cv, &sc.mu);
        int have = s->state == SLOT_READY && s->seq == seq;
        if (!have && sc.rc) {
            rc = sc.rc;
            *err = sc.err;
        }
        pthread_mutex_unlock(&sc.mu);
        if (!have) break;
        p->text_bytes += s->buf.len;
        /* the list's verdict on the chunk, as the engine gives it */
        rc = csfs_scan_verdict(p->name, p->line_base, &p->pending_blank, &s->scan, s->scan_rc,
                               &s->scan_err, err);
        if (rc) break;
        uint64_t base = p->line_base;
        rc = take_chunk(p, s->buf.data, &s->scan, err);
        if (rc == 0) rc = csfs_stream_rows_write(f, p->out.data, p->out.len, tmp, err);
        p->copy_bytes += p->out.len;
        if (rc == 0 && p->copy_bytes > COPY_GIVE_UP && p->copy_bytes > p->text_bytes / 2) {
            p->give_up = 1;
            break;
        }
        if (rc == 0 && s->last && s->scan.trailing_separator) {
            /* The engine's own rule on a list that ends with " *" (strict
             * refuses it, else a warning): the copy ends with one too. */
            p->trailing_separator = base + s->scan.trailing_separator;
            rc = csfs_stream_rows_write(f, " *\n", 3, tmp, err);
        }
        int last = s->last;
        pthread_mutex_lock(&sc.mu);
        s->state = SLOT_FREE;
        pthread_cond_broadcast(&sc.cv);
        pthread_mutex_unlock(&sc.mu);
        if (last) break;
    }
    pthread_mutex_lock(&sc.mu);
    sc.stop = 1;
    pthread_cond_broadcast(&sc.cv);
    pthread_mutex_unlock(&sc.mu);
    for (int i = 0; i < started; i++) pthread_join(th[i], NULL);
    pthread_mutex_destroy(&sc.mu);
    pthread_mutex_destroy(&sc.read_mu);
    pthread_cond_destroy(&sc.cv);
    for (int i = 0; i < RING; i++) {
        csfs_buf_free(&sc.slot[i].buf);
        csfs_chunk_scan_free(&sc.slot[i].scan);
    }
    csfs_text_close(sc.r);
    return rc;
}

/* A message about the temporary text in the list's terms: "TMP:LINE: CSF
 * N..." names the list, and the line and CSF number the copied record has
 * there (a Parquet list: "LIST: CSF N (row N)", as the engine names its
 * CSFs); other lines of the copy (its header, a final " *") map to theirs;
 * any other mention of TMP names the list. *line gets the list's line, or 0. */
static void remap(const rows_pass *p, const char *in, char *out, size_t cap, uint64_t *line_out)
{
    size_t tl = strlen(p->tmp);
    *line_out = 0;
    const char *at = strstr(in, p->tmp);
    if (!at) {
        snprintf(out, cap, "%s", in);
        return;
    }
    const char *rest = at + tl;
    char *end;
    unsigned long long line = rest[0] == ':' ? strtoull(rest + 1, &end, 10) : 0;
    uint64_t first_rec = CSFS_HEADER_LINES + 1, n = p->next;
    if (line >= first_rec && line < first_rec + 3 * n) {
        uint64_t csf = (line - first_rec) / 3, at_line = p->line[csf] + (line - first_rec) % 3;
        int has_csf = strncmp(end, ": CSF ", 6) == 0;
        if (has_csf) strtoull(end + 6, &end, 10); /* the copy's CSF number: the list's */
        if (p->no_lines) {
            snprintf(out, cap, "%.*s%s: CSF %llu (row %llu)%s", (int)(at - in), in, p->name,
                     (unsigned long long)p->row[csf], (unsigned long long)p->row[csf], end);
            return;
        }
        if (has_csf)
            snprintf(out, cap, "%.*s%s:%llu: CSF %llu%s", (int)(at - in), in, p->name,
                     (unsigned long long)at_line, (unsigned long long)p->row[csf], end);
        else
            snprintf(out, cap, "%.*s%s:%llu%s", (int)(at - in), in, p->name,
                     (unsigned long long)at_line, end);
        *line_out = at_line;
        return;
    }
    if (line > 0 && !p->no_lines && (line <= CSFS_HEADER_LINES || line == first_rec + 3 * n)) {
        uint64_t at_line = line <= CSFS_HEADER_LINES ? line : p->trailing_separator;
        snprintf(out, cap, "%.*s%s:%llu%s", (int)(at - in), in, p->name,
                 (unsigned long long)at_line, end);
        *line_out = at_line;
        return;
    }
    snprintf(out, cap, "%.*s%s%s", (int)(at - in), in, p->name,
             p->no_lines && line > 0 ? end : rest);
}

static void remap_error(const rows_pass *p, csfs_error *err)
{
    char msg[sizeof err->message];
    uint64_t line;
    remap(p, err->message, msg, sizeof msg, &line);
    memcpy(err->message, msg, sizeof msg);
    if (line) err->line = line;
}

static void remap_report(void *ctx, const char *message)
{
    const rows_pass *p = ctx;
    char msg[2048];
    uint64_t line;
    remap(p, message, msg, sizeof msg, &line);
    p->report(p->report_ctx, msg);
}

int csfs_stream_produce_text_rows(csfs_stream_state *st, csfs_error *err)
{
    return csfs_stream_rows_run(st, counting_pass, 0, err);
}

int csfs_stream_rows_run(csfs_stream_state *st, csfs_rows_pass_fn pass, int no_lines,
                         csfs_error *err)
{
    rows_pass p;
    memset(&p, 0, sizeof p);
    p.st = st;
    p.name = st->input;
    p.no_lines = no_lines;
    p.pending_blank = -1;
    p.line_base = CSFS_HEADER_LINES; /* records follow the header */
    size_t n = st->n_sel ? st->n_sel : 1;
    p.row = malloc(n * sizeof *p.row);
    p.line = malloc(n * sizeof *p.line);
    p.block = malloc(n * sizeof *p.block);
    const char *dir = getenv("TMPDIR");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/csfs-rows-XXXXXX.c", dir && *dir ? dir : "/tmp");
    int fd = -1, rc = 0;
    FILE *f = NULL;
    if (!p.row || !p.line || !p.block || close_block(&p, err))
        rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    p.n_blocks = 0; /* close_block made room for the first, open block */
    if (rc == 0 && ((fd = mkstemps(tmp, 2)) < 0 || !(f = fdopen(fd, "wb"))))
        rc = csfs_fail_errno(err, errno, "%s: cannot create a temporary file for the rows", tmp);
    if (rc == 0) rc = pass(&p, f, tmp, err);
    if (f && fclose(f) != 0 && rc == 0)
        rc = csfs_fail_errno(err, errno, "%s: cannot write the selected records", tmp);
    else if (!f && fd >= 0)
        close(fd);
    p.tmp = tmp;
    if (rc == 0 && p.give_up) {
        unlink(tmp);
        fd = -1;
        rc = csfs_stream_produce_engine(st, st->input, NULL, err);
        goto done;
    }
    if (rc == 0) {
        csfs_stream_row_map map = {.row = p.row, .block = p.block};
        /* Warnings and failures name the list, not the copy. */
        p.report = st->opt.report;
        p.report_ctx = st->opt.report_ctx;
        if (p.report) {
            st->opt.report = remap_report;
            st->opt.report_ctx = &p;
        }
        rc = csfs_stream_produce_engine(st, tmp, &map, err);
        st->opt.report = p.report;
        st->opt.report_ctx = p.report_ctx;
        if (rc) remap_error(&p, err);
        pthread_mutex_lock(&st->mu);
        st->bytes_read = p.text_bytes; /* the list's, not the copy's */
        pthread_mutex_unlock(&st->mu);
    }
    if (fd >= 0) unlink(tmp);
    if (rc == 0) {
        /* The list's own counts (the engine saw the copies only). */
        uint64_t *b = malloc((p.n_blocks + 1) * sizeof *b);
        if (!b) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        size_t nb = p.rows || p.n_blocks ? p.n_blocks + 1 : 0;
        if (b) memcpy(b, p.blocks, nb * sizeof *b);
        pthread_mutex_lock(&st->mu);
        free(st->blocks);
        st->blocks = b;
        st->n_blocks = b ? nb : 0;
        st->csf_count = p.rows;
        st->total_lines = 3 * p.rows + (nb ? nb - 1 : 0);
        pthread_mutex_unlock(&st->mu);
    }
done:
    free(p.row);
    free(p.line);
    free(p.block);
    free(p.blocks);
    csfs_buf_free(&p.out);
    return rc;
}
