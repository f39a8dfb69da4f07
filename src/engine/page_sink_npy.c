/* Descriptor rows as a NumPy .npy (format 1.0) file: C order, little-endian. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "engine/page_sink.h"
#include "io/npy.h"

/* The header is written first with room for any row count and rewritten
 * with the real shape at the end; 128 bytes keeps the data 64-byte aligned. */
#define NPY_HEADER_BYTES 128

typedef struct npy_sink {
    csfs_page_sink base;
    csfs_outfile *file;
    int is_float;
    uint64_t rows;
    uint32_t **rowbufs; /* per ring slot: its page transposed to rows */
    size_t *rowbuf_cap;
} npy_sink;

static void format_header(char *h, size_t width, uint64_t rows, int is_float)
{
    uint64_t shape[2] = {rows, (uint64_t)width};
    csfs_npy_format_header(h, NPY_HEADER_BYTES, is_float ? "<f4" : "<i4", 2, shape,
                           NPY_HEADER_BYTES);
}

static int npy_start(csfs_page_sink *s, csfs_error *err)
{
    npy_sink *k = (npy_sink *)s;
    size_t n = k->base.ring_slots ? k->base.ring_slots : 1;
    k->rowbufs = calloc(n, sizeof *k->rowbufs);
    k->rowbuf_cap = calloc(n, sizeof *k->rowbuf_cap);
    if (!k->rowbufs || !k->rowbuf_cap) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    return 0;
}

/* .npy is row-major: transposing is inherent to the format; workers do it. */
static int npy_encode(csfs_page_sink *s, void *worker, size_t lane, const csfs_page *p,
                      csfs_error *err)
{
    npy_sink *k = (npy_sink *)s;
    size_t width = s->width, need = p->rows * width;
    if (need > k->rowbuf_cap[p->slot]) {
        free(k->rowbufs[p->slot]);
        k->rowbufs[p->slot] = malloc(need * sizeof **k->rowbufs);
        k->rowbuf_cap[p->slot] = k->rowbufs[p->slot] ? need : 0;
        if (!k->rowbufs[p->slot]) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    csfs_page_to_rows(p->cols, p->col_stride, p->rows, width, k->rowbufs[p->slot]);
    return 0;
}

static int npy_page_done(csfs_page_sink *s, const csfs_page *p, csfs_error *err)
{
    npy_sink *k = (npy_sink *)s;
    k->rows += p->rows;
    return csfs_outfile_write(k->file, k->rowbufs[p->slot], p->rows * s->width * 4, err);
}

static int npy_finish(csfs_page_sink *s, const csfs_run_info *info, csfs_error *err)
{
    npy_sink *k = (npy_sink *)s;
    char h[NPY_HEADER_BYTES];
    format_header(h, s->width, k->rows, k->is_float);
    if (pwrite(k->file->fd, h, sizeof h, 0) != (ssize_t)sizeof h)
        return csfs_fail_errno(err, errno ? errno : EIO, "%s: write failed", k->file->path);
    return 0;
}

static void *npy_worker_new(csfs_page_sink *s)
{
    return s; /* no per-worker state; any non-NULL value */
}

static void npy_worker_free(void *w) {}

static void npy_destroy(csfs_page_sink *s)
{
    npy_sink *k = (npy_sink *)s;
    if (k->rowbufs)
        for (size_t i = 0; i < s->ring_slots; i++) free(k->rowbufs[i]);
    free(k->rowbufs);
    free(k->rowbuf_cap);
    free(k);
}

static const csfs_page_sink_ops npy_ops = {
    npy_start, npy_worker_new, npy_worker_free, npy_encode, npy_page_done, npy_finish, npy_destroy};

int csfs_page_sink_npy(csfs_page_sink **out, csfs_outfile *file, size_t width, int is_float,
                       csfs_error *err)
{
    *out = NULL;
    npy_sink *k = calloc(1, sizeof *k);
    if (!k) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    k->base.ops = &npy_ops;
    k->base.lanes = 1;
    k->base.unordered = 1;
    k->base.width = width;
    k->file = file;
    k->is_float = is_float;
    char h[NPY_HEADER_BYTES];
    format_header(h, width, 0, is_float);
    int rc = csfs_outfile_write(file, h, sizeof h, err);
    if (rc) {
        free(k);
        return rc;
    }
    *out = &k->base;
    return 0;
}
