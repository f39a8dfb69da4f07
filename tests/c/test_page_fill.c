/*
 * Page slots keep each column's fill value between pages (engine/pipeline.c):
 * parse writes only non-fill values, and the columns a page wrote are reset
 * after it was read. Small pages (16 rows) in row groups of 40 rows make
 * short pages and reuse every ring slot many times; the rows must equal a run
 * with one page for the whole list (no slot reuse), for v1 raw, normalised
 * and V2 (whose fill is -1 in three of four columns), at 1 and 3 threads,
 * through a sink that reads pages on the workers (memory: reset by the
 * worker) and one that reads them on the orderer (callback: reset after
 * page_done).
 */
#include <stdlib.h>
#include <string.h>

#include "engine/page_sink.h"
#include "jobs/descriptors_hooks.h"
#include "testutil.h"

typedef struct run_ctx {
    csfs_matrix *m;
    int callback;  /* pages to a callback that copies them in page_done */
    uint32_t *got; /* callback: rows, row-major */
    size_t width, rows_cap;
    int is_float;
} run_ctx;

static int deliver(void *ctx, const csfs_page *p, csfs_error *err)
{
    run_ctx *r = ctx;
    if (p->row_start + p->rows > r->rows_cap)
        return csfs_fail(err, CSFS_E_ARGUMENT, "too many rows");
    for (size_t i = 0; i < p->rows; i++)
        for (size_t c = 0; c < r->width; c++)
            r->got[(p->row_start + i) * r->width + c] = p->cols[c * p->col_stride + i];
    return 0;
}

static int open_sink(void *ctx, csfs_pipe_source *src, const csfs_peel *peel, size_t width,
                     csfs_page_sink **sink, csfs_error *err)
{
    run_ctx *r = ctx;
    r->width = width;
    if (!r->callback) return csfs_page_sink_memory(sink, width, r->is_float, r->m, err);
    r->rows_cap = 4096;
    r->got = calloc(r->rows_cap * width, sizeof *r->got);
    if (!r->got) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    csfs_page_callbacks cb = {.ctx = r, .deliver = deliver};
    return csfs_page_sink_callback(sink, width, &cb, err);
}

static void check_list(const char *in, csfs_layout layout, int normalize)
{
    csfs_descriptor_options opt;
    csfs_descriptor_options_init(&opt);
    opt.input = in;
    opt.layout = layout;
    opt.normalize = normalize;
    opt.threads = 1;
    csfs_matrix want;
    memset(&want, 0, sizeof want);
    csfs_error err;
    CHECK_EQ_INT(csfs_descriptors_matrix(&opt, &want, NULL, &err), 0);
    CHECK(want.rows > 200 && want.rows <= 4096);
    for (int threads = 1; threads <= 3; threads += 2)
        for (int callback = 0; callback < 2; callback++) {
            csfs_matrix m;
            memset(&m, 0, sizeof m);
            run_ctx r = {.m = &m, .callback = callback, .is_float = normalize};
            csfs_desc_hooks hooks = {.ctx = &r, .page_rows = 16, .open_sink = open_sink};
            opt.threads = threads;
            opt.row_group_rows = 40;
            CHECK_EQ_INT(csfs_descriptors_with_hooks(&opt, &hooks, NULL, &err), 0);
            const void *got = callback ? (const void *)r.got : m.data;
            uint64_t rows = callback ? want.rows : m.rows;
            CHECK_EQ_INT(rows, want.rows);
            CHECK_EQ_INT(r.width, want.cols);
            int same = rows == want.rows && got &&
                       memcmp(got, want.data, want.rows * want.cols * sizeof(uint32_t)) == 0;
            if (!same)
                fprintf(stderr, "%s layout %d normalize %d threads %d callback %d: rows differ\n",
                        in, (int)layout, normalize, threads, callback);
            CHECK(same);
            free(r.got);
            csfs_matrix_free(&m);
        }
    csfs_matrix_free(&want);
}

int main(void)
{
    const char *in = tu_data("data/grasp/c_like_n3_2x.c"); /* bundled: 505 CSFs, 5 blocks */
    if (in) {
        check_list(in, CSFS_LAYOUT_V1, 0);
        check_list(in, CSFS_LAYOUT_V1, 1);
        check_list(in, CSFS_LAYOUT_V2, 0);
    }
    return tu_done();
}
