/*
 * Pages handed to the caller's functions instead of a file (the Arrow
 * stream): build() turns a page into the caller's object on a worker, any
 * page in any order and several at once; deliver() hands the pages out on
 * the orderer in page order, and may block until the consumer takes one
 * (back-pressure: the engine then stops filling pages) or fail to stop the
 * run.
 */
#include <stdlib.h>

#include "common/error.h"
#include "engine/page_sink.h"

typedef struct callback_sink {
    csfs_page_sink base;
    csfs_page_callbacks cb;
} callback_sink;

static int cb_start(csfs_page_sink *s, csfs_error *err)
{
    callback_sink *k = (callback_sink *)s;
    return k->cb.start ? k->cb.start(k->cb.ctx, s->ring_slots, err) : 0;
}

static void *cb_worker_new(csfs_page_sink *s)
{
    return s;
}

static void cb_worker_free(void *w) {}

static int cb_encode(csfs_page_sink *s, void *worker, size_t lane, const csfs_page *p,
                     csfs_error *err)
{
    callback_sink *k = (callback_sink *)s;
    return k->cb.build ? k->cb.build(k->cb.ctx, p, err) : 0;
}

static int cb_page_done(csfs_page_sink *s, const csfs_page *p, csfs_error *err)
{
    callback_sink *k = (callback_sink *)s;
    return k->cb.deliver(k->cb.ctx, p, err);
}

static int cb_finish(csfs_page_sink *s, const csfs_run_info *info, csfs_error *err)
{
    callback_sink *k = (callback_sink *)s;
    return k->cb.finish ? k->cb.finish(k->cb.ctx, info, err) : 0;
}

static void cb_destroy(csfs_page_sink *s)
{
    free(s);
}

static const csfs_page_sink_ops callback_ops = {
    cb_start, cb_worker_new, cb_worker_free, cb_encode, cb_page_done, cb_finish, cb_destroy};

int csfs_page_sink_callback(csfs_page_sink **out, size_t width, const csfs_page_callbacks *cb,
                            csfs_error *err)
{
    *out = NULL;
    callback_sink *k = calloc(1, sizeof *k);
    if (!k) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    k->base.ops = &callback_ops;
    k->base.lanes = 1;
    k->base.unordered = 1;
    k->base.done_reads_cols = 1; /* deliver may read them */
    k->base.width = width;
    k->cb = *cb;
    *out = &k->base;
    return 0;
}
