/* The generator as an engine source (see gen_source.h). */
#include "generate/gen_source.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

static int gs_start(void *ctx, size_t slots, size_t workers, csfs_error *err)
{
    gen_source *gs = ctx;
    gs->slots = calloc(slots, sizeof *gs->slots);
    gs->scratch = calloc(workers, sizeof *gs->scratch);
    if (!gs->slots || !gs->scratch) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    gs->n_slots = slots;
    gs->n_workers = workers;
    for (size_t i = 0; i < slots; i++) {
        int rc = gen_task_alloc(&gs->slots[i], err);
        if (rc) return rc;
    }
    return 0;
}

static int gs_next(void *ctx, size_t slot, csfs_error *err)
{
    gen_source *gs = ctx;
    gen_task *t = &gs->slots[slot];
    for (;;) {
        int rc = gen_producer_next(&gs->producer, t, err);
        if (rc) return rc;
        if (gs->producer.finished) return 0;
        /* The header is the source's, not a chunk's: a task with nothing
         * else (an empty list) makes no chunk. */
        if (t->n_segs || t->separator) return 1;
    }
}

static int gs_fill(void *ctx, size_t slot, size_t worker, csfs_buf *text, csfs_chunk_scan *scan,
                   csfs_error *err)
{
    gen_source *gs = ctx;
    const gen_task *t = &gs->slots[slot];
    text->len = 0;
    scan->cols = NULL;
    scan->n_rec = 0;
    scan->n_sep = 0;
    scan->lines = 0;
    scan->crlf_lines = 0;
    scan->odd_separators = 0;
    scan->trailing_blank = -1;
    scan->has_content = 1;
    scan->trailing_separator = 0;
    scan->bad_record_line = 0;
    scan->bad_record_parts = 0;
    scan->made_ascii = 1; /* GRASP's fields: digits, letters, blanks and ()-+;/ */
    if (t->separator) {
        int rc = csfs_buf_append(text, " *\n", 3, err);
        if (rc) return rc;
        if (scan->cap_sep == 0) {
            scan->sep_before = malloc(4 * sizeof *scan->sep_before);
            if (!scan->sep_before) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
            scan->cap_sep = 4;
        }
        scan->sep_before[scan->n_sep++] = 0;
        scan->lines = 1;
    }
    return gen_task_emit(t, &gs->scratch[worker], text, &scan->rec, &scan->n_rec, &scan->cap_rec,
                         &scan->lines, err);
}

int gen_source_open(gen_source *gs, gen_job *J, const char *name, uint64_t sample_len,
                    uint64_t sample_stride, csfs_pipe_source **src, csfs_error *err)
{
    memset(gs, 0, sizeof *gs);
    gs->J = J;
    if (sample_len)
        gen_producer_sample(&gs->producer, J, sample_len, sample_stride);
    else
        gen_producer_init(&gs->producer, J);
    /* The 5 header lines of J->header, as the text reader gives them. */
    const char *p = J->header;
    for (int i = 0; i < CSFS_HEADER_LINES; i++) {
        const char *e = strchr(p, '\n');
        size_t n = (size_t)(e - p);
        gs->header.lines[i] = malloc(n + 1);
        if (!gs->header.lines[i]) {
            gen_source_close(gs, NULL);
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        }
        memcpy(gs->header.lines[i], p, n);
        gs->header.lines[i][n] = 0;
        gs->header.lens[i] = n;
        p = e + 1;
    }
    gs->header.bytes = J->header_len;
    gs->maker =
        (csfs_pipe_maker){.ctx = gs,
                          .name = name,
                          .header = &gs->header,
                          .size = J->stored_compression ? J->stored_size : (int64_t)J->text_bytes,
                          .compression = J->stored_compression,
                          .start = gs_start,
                          .next = gs_next,
                          .fill = gs_fill};
    int rc = csfs_pipe_source_made(&gs->maker, src, err);
    if (rc) gen_source_close(gs, NULL);
    return rc;
}

void gen_source_close(gen_source *gs, csfs_pipe_source *src)
{
    csfs_pipe_source_close(src);
    for (size_t i = 0; gs->slots && i < gs->n_slots; i++) gen_task_free(&gs->slots[i]);
    free(gs->slots);
    for (size_t i = 0; gs->scratch && i < gs->n_workers; i++)
        gen_emit_scratch_free(&gs->scratch[i]);
    free(gs->scratch);
    for (int i = 0; i < CSFS_HEADER_LINES; i++) free(gs->header.lines[i]);
    memset(gs, 0, sizeof *gs);
}
