/*
 * Descriptor rows in memory, row-major, for the Python binding. The row
 * count is unknown until the end, so the matrix lives in a large reserved
 * address range committed as it fills: its address never moves, workers
 * write each page's rows straight into their final place, and nothing is
 * copied at the end.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/error.h"
#include "engine/page_sink.h"

#define COMMIT_STEP ((size_t)64 << 20)

typedef struct memory_sink {
    csfs_page_sink base;
    csfs_matrix *m;
    int is_float;
    uint8_t *base_addr;
    size_t reserved, committed;
    uint64_t rows;
    pthread_mutex_t mu; /* guards committed */
} memory_sink;

typedef struct matrix_priv {
    void *addr;
    size_t len;
} matrix_priv;

static int reserve(memory_sink *k, csfs_error *err)
{
    /* PROT_NONE reservations cost no memory and count against no limit. */
    for (size_t len = (size_t)1 << 42; len >= ((size_t)1 << 30); len >>= 2) {
        void *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p != MAP_FAILED) {
            k->base_addr = p;
            k->reserved = len;
            return 0;
        }
    }
    return csfs_fail_errno(err, errno, "cannot reserve address space for the matrix");
}

static int commit_to(memory_sink *k, size_t end, csfs_error *err)
{
    pthread_mutex_lock(&k->mu);
    int rc = 0;
    if (end > k->committed) {
        size_t want = (end + COMMIT_STEP - 1) / COMMIT_STEP * COMMIT_STEP;
        if (want > k->reserved) want = k->reserved;
        if (end > want) {
            rc = csfs_fail(err, CSFS_E_NOMEM, "descriptor matrix larger than %zu GiB",
                           k->reserved >> 30);
        } else if (mprotect(k->base_addr + k->committed, want - k->committed,
                            PROT_READ | PROT_WRITE) != 0) {
            rc = csfs_fail_errno(err, errno, "out of memory for the descriptor matrix");
        } else {
            k->committed = want;
        }
    }
    pthread_mutex_unlock(&k->mu);
    return rc;
}

static int mem_start(csfs_page_sink *s, csfs_error *err)
{
    return reserve((memory_sink *)s, err);
}

static void *mem_worker_new(csfs_page_sink *s)
{
    return s;
}

static void mem_worker_free(void *w) {}

static int mem_encode(csfs_page_sink *s, void *worker, size_t lane, const csfs_page *p,
                      csfs_error *err)
{
    memory_sink *k = (memory_sink *)s;
    size_t width = s->width;
    size_t end = (size_t)(p->row_start + p->rows) * width * 4;
    int rc = commit_to(k, end, err);
    if (rc) return rc;
    csfs_page_to_rows(p->cols, p->col_stride, p->rows, width,
                      (uint32_t *)k->base_addr + p->row_start * width);
    return 0;
}

static int mem_page_done(csfs_page_sink *s, const csfs_page *p, csfs_error *err)
{
    ((memory_sink *)s)->rows += p->rows;
    return 0;
}

static int mem_finish(csfs_page_sink *s, const csfs_run_info *info, csfs_error *err)
{
    memory_sink *k = (memory_sink *)s;
    matrix_priv *priv = malloc(sizeof *priv);
    if (!priv) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    /* Give back the reservation beyond the committed part. */
    if (k->reserved > k->committed) munmap(k->base_addr + k->committed, k->reserved - k->committed);
    priv->addr = k->base_addr;
    priv->len = k->committed;
    k->base_addr = NULL;
    k->m->data = priv->len ? priv->addr : NULL;
    k->m->rows = k->rows;
    k->m->cols = s->width;
    k->m->is_float = k->is_float;
    k->m->priv = priv;
    if (!priv->len) {
        priv->addr = NULL;
        /* An empty matrix still needs a valid pointer for numpy. */
        k->m->data = priv;
    }
    return 0;
}

static void mem_destroy(csfs_page_sink *s)
{
    memory_sink *k = (memory_sink *)s;
    if (k->base_addr) munmap(k->base_addr, k->reserved);
    pthread_mutex_destroy(&k->mu);
    free(k);
}

static const csfs_page_sink_ops memory_ops = {
    mem_start, mem_worker_new, mem_worker_free, mem_encode, mem_page_done, mem_finish, mem_destroy};

int csfs_page_sink_memory(csfs_page_sink **out, size_t width, int is_float, csfs_matrix *m,
                          csfs_error *err)
{
    *out = NULL;
    memory_sink *k = calloc(1, sizeof *k);
    if (!k) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    k->base.ops = &memory_ops;
    k->base.lanes = 1;
    k->base.unordered = 1;
    k->base.width = width;
    k->m = m;
    k->is_float = is_float;
    pthread_mutex_init(&k->mu, NULL);
    *out = &k->base;
    return 0;
}

void csfs_matrix_free(csfs_matrix *m)
{
    if (!m) return;
    matrix_priv *priv = m->priv;
    if (priv) {
        if (priv->addr) munmap(priv->addr, priv->len);
        free(priv);
    }
    memset(m, 0, sizeof *m);
}
