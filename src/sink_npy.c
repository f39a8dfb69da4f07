/* Descriptor rows as a NumPy .npy (format 1.0) file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "sink.h"

/* The header is written first with room for any row count and rewritten
 * with the real shape at the end: 128 bytes keeps the data 64-byte aligned. */
#define NPY_HEADER_BYTES 128

typedef struct npy_sink {
    csfs_sink base;
    csfs_outfile *file;
    size_t width;
    int is_float;
    uint64_t rows;
    uint32_t *rowbuf; /* one batch transposed to rows */
    size_t rowbuf_cap;
} npy_sink;

static void format_header(char *h, size_t width, uint64_t rows, int is_float)
{
    memset(h, ' ', NPY_HEADER_BYTES);
    memcpy(h, "\x93NUMPY\x01\x00", 8);
    uint16_t hlen = NPY_HEADER_BYTES - 10;
    h[8] = (char)(hlen & 0xFF);
    h[9] = (char)(hlen >> 8);
    char dict[NPY_HEADER_BYTES];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%llu, %zu), }",
                     is_float ? "<f4" : "<i4", (unsigned long long)rows, width);
    memcpy(h + 10, dict, (size_t)n);
    h[NPY_HEADER_BYTES - 1] = '\n';
}

static int npy_append(csfs_sink *s, const csfs_desc_batch *b, csfs_error *err)
{
    npy_sink *k = (npy_sink *)s;
    size_t need = b->rows * k->width;
    if (need > k->rowbuf_cap) {
        free(k->rowbuf);
        k->rowbuf = malloc((need ? need : 1) * sizeof *k->rowbuf);
        if (!k->rowbuf) {
            k->rowbuf_cap = 0;
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        }
        k->rowbuf_cap = need;
    }
    /* .npy is row-major: the one transpose of the project, inherent to it. */
    for (size_t c = 0; c < k->width; c++) {
        const uint32_t *col = b->cols + c * b->cap;
        for (size_t r = 0; r < b->rows; r++) k->rowbuf[r * k->width + c] = col[r];
    }
    k->rows += b->rows;
    return csfs_outfile_write(k->file, k->rowbuf, need * sizeof *k->rowbuf, err);
}

static int npy_finish(csfs_sink *s, const csfs_run_info *info, csfs_error *err)
{
    npy_sink *k = (npy_sink *)s;
    char h[NPY_HEADER_BYTES];
    format_header(h, k->width, k->rows, k->is_float);
    if (pwrite(k->file->fd, h, sizeof h, 0) != (ssize_t)sizeof h)
        return csfs_fail_errno(err, errno ? errno : EIO, "%s: write failed", k->file->path);
    return 0;
}

static void npy_destroy(csfs_sink *s)
{
    npy_sink *k = (npy_sink *)s;
    free(k->rowbuf);
    free(k);
}

static const csfs_sink_ops npy_ops = {npy_append, npy_finish, npy_destroy};

int csfs_sink_npy_open(csfs_sink **out, csfs_outfile *file, size_t width, int is_float,
                       csfs_error *err)
{
    npy_sink *k = calloc(1, sizeof *k);
    if (!k) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    k->base.ops = &npy_ops;
    k->file = file;
    k->width = width;
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
