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
    if (gs->v2) {
        gs->v2out = calloc(slots, sizeof *gs->v2out);
        gs->made = calloc(slots, sizeof *gs->made);
        if (!gs->v2out || !gs->made) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
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
    scan->made = NULL;
    if (t->separator) {
        int rc = gs->v2 ? 0 : csfs_buf_append(text, " *\n", 3, err);
        if (rc) return rc;
        if (scan->cap_sep == 0) {
            scan->sep_before = malloc(4 * sizeof *scan->sep_before);
            if (!scan->sep_before) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
            scan->cap_sep = 4;
        }
        scan->sep_before[scan->n_sep++] = 0;
        scan->lines = 1;
    }
    if (gs->v2) {
        gen_v2_out *o = &gs->v2out[slot];
        gen_v2_out_clear(o);
        int rc = gen_task_emit_v2(t, (const int32_t(*)[2])gs->peel_of, &gs->scratch[worker], o,
                                  &scan->rec, &scan->n_rec, &scan->cap_rec, &scan->lines, err);
        if (rc) return rc;
        gs->made[slot] = (csfs_v2_made){o->sub, o->first, o->total_two_j, o->parity};
        scan->made = &gs->made[slot];
        return 0;
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
    for (size_t i = 0; gs->v2out && i < gs->n_slots; i++) gen_v2_out_free(&gs->v2out[i]);
    free(gs->v2out);
    free(gs->made);
    for (int i = 0; i < CSFS_HEADER_LINES; i++) free(gs->header.lines[i]);
    memset(gs, 0, sizeof *gs);
}

int gen_source_make_v2(gen_source *gs, csfs_error *err)
{
    /* the peel index of each subshell, from header line 4 (" 4d-", "10f ") */
    for (int o = 0; o < GEN_NORB; o++) gs->peel_of[o][0] = gs->peel_of[o][1] = -1;
    const char *p = gs->header.lines[3], *end = p + gs->header.lens[3];
    int32_t index = 0;
    while (p < end) {
        while (p < end && *p == ' ') p++;
        if (p == end) break;
        int n = 0;
        while (p < end && *p >= '0' && *p <= '9') n = 10 * n + (*p++ - '0');
        int l = p < end ? gen_letter_l(*p++) : -1;
        int k = l > 0 ? 1 : 0;
        if (p < end && *p == '-') {
            k = 0;
            p++;
        }
        int o = l >= 0 ? gen_orb_index(n, l) : -1;
        if (o < 0) return csfs_fail(err, CSFS_E_ARGUMENT, "internal error: peel list");
        gs->peel_of[o][k] = index++;
    }
    gs->v2 = 1;
    return 0;
}
