/* Arrow schemas and record batches owned by csfs (see arrow/arrow_batch.h). */
#define _DEFAULT_SOURCE
#include "arrow/arrow_batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

size_t csfs_acol_value_size(csfs_acol_type t)
{
    switch (t) {
    case CSFS_ACOL_I32:
    case CSFS_ACOL_U32:
    case CSFS_ACOL_F32:
    case CSFS_ACOL_FSL_I32:
    case CSFS_ACOL_FSL_F32:
        return 4;
    case CSFS_ACOL_I64:
    case CSFS_ACOL_U64:
    case CSFS_ACOL_F64:
        return 8;
    default:
        return 0;
    }
}

int csfs_acol_is_var(csfs_acol_type t)
{
    return t == CSFS_ACOL_UTF8 || t == CSFS_ACOL_BINARY || t == CSFS_ACOL_LIST_I32;
}

static int is_fsl(csfs_acol_type t)
{
    return t == CSFS_ACOL_FSL_I32 || t == CSFS_ACOL_FSL_F32;
}

/*
 * Batch buffers are made on worker threads and freed by the consumer on its
 * own thread, in another order: from malloc they would pile up in the
 * workers' arenas, so that the process keeps far more memory than the
 * batches alive. Large buffers are therefore mapped and unmapped directly
 * (given back to the system at once); a 64-byte header before each buffer
 * says how it was made.
 */
#define HEADER 64
#define MAP_FROM ((size_t)128 << 10)

void *csfs_arrow_alloc(size_t bytes)
{
    size_t n = (bytes + 63) / 64 * 64 + HEADER;
    char *p;
    if (n >= MAP_FROM) {
        p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) return NULL;
    } else {
        p = aligned_alloc(64, n);
        if (!p) return NULL;
    }
    ((size_t *)p)[0] = n;
    return p + HEADER;
}

void csfs_arrow_free(void *ptr)
{
    if (!ptr) return;
    char *p = (char *)ptr - HEADER;
    size_t n = ((size_t *)p)[0];
    if (n >= MAP_FROM)
        munmap(p, n);
    else
        free(p);
}

void csfs_acols_free(csfs_acol *cols, size_t n)
{
    for (size_t i = 0; cols && i < n; i++) free(cols[i].name);
    free(cols);
}

/* ---- schemas -------------------------------------------------------------------- */

typedef struct schema_node {
    char format[32];
    char *name;
    struct ArrowSchema *child_ptrs[1];
    struct ArrowSchema child; /* list / fixed-size list item */
} schema_node;

static void release_schema(struct ArrowSchema *s)
{
    if (!s || !s->release) return;
    for (int64_t i = 0; i < s->n_children; i++) {
        struct ArrowSchema *c = s->children[i];
        if (c->release) c->release(c);
    }
    schema_node *node = s->private_data;
    if (node) {
        free(node->name);
        free(node);
    } else {
        /* the top-level struct: children were allocated with it */
        for (int64_t i = 0; i < s->n_children; i++) free(s->children[i]);
        free(s->children);
    }
    s->release = NULL;
}

static void release_item_schema(struct ArrowSchema *s)
{
    s->release = NULL; /* lives inside its parent's node */
}

static const char *format_of(csfs_acol_type t)
{
    switch (t) {
    case CSFS_ACOL_I32:
        return "i";
    case CSFS_ACOL_U32:
        return "I";
    case CSFS_ACOL_F32:
        return "f";
    case CSFS_ACOL_I64:
        return "l";
    case CSFS_ACOL_U64:
        return "L";
    case CSFS_ACOL_F64:
        return "g";
    case CSFS_ACOL_UTF8:
        return "u";
    case CSFS_ACOL_BINARY:
        return "z";
    case CSFS_ACOL_LIST_I32:
        return "+l";
    default:
        return "+w";
    }
}

static int column_schema(const csfs_acol *col, struct ArrowSchema *out)
{
    schema_node *node = calloc(1, sizeof *node);
    if (!node) return -1;
    node->name = strdup(col->name);
    if (!node->name) {
        free(node);
        return -1;
    }
    memset(out, 0, sizeof *out);
    if (is_fsl(col->type))
        snprintf(node->format, sizeof node->format, "+w:%zu", col->list_size);
    else
        snprintf(node->format, sizeof node->format, "%s", format_of(col->type));
    out->format = node->format;
    out->name = node->name;
    out->release = release_schema;
    out->private_data = node;
    if (col->type == CSFS_ACOL_LIST_I32 || is_fsl(col->type)) {
        node->child = (struct ArrowSchema){
            .format = col->type == CSFS_ACOL_FSL_F32 ? "f" : "i",
            .name = "item",
            .release = release_item_schema,
        };
        node->child_ptrs[0] = &node->child;
        out->n_children = 1;
        out->children = node->child_ptrs;
    }
    return 0;
}

int csfs_arrow_schema(const csfs_acol *cols, size_t n, struct ArrowSchema *out)
{
    memset(out, 0, sizeof *out);
    struct ArrowSchema **children = calloc(n ? n : 1, sizeof *children);
    if (!children) return -1;
    out->format = "+s";
    out->name = "";
    out->children = children;
    out->release = release_schema;
    for (size_t i = 0; i < n; i++) {
        children[i] = calloc(1, sizeof **children);
        if (!children[i] || column_schema(&cols[i], children[i])) {
            free(children[i]);
            out->n_children = (int64_t)i;
            release_schema(out);
            return -1;
        }
    }
    out->n_children = (int64_t)n;
    return 0;
}

/* ---- arrays ----------------------------------------------------------------------- */

typedef struct array_node {
    const void *bufs[3];
    void *own[2];
    struct ArrowArray *child_ptrs[1];
    struct ArrowArray child; /* list / fixed-size list items */
    const void *child_bufs[2];
} array_node;

static void release_item_array(struct ArrowArray *a)
{
    csfs_arrow_free(a->private_data); /* the items buffer: the child owns it */
    a->private_data = NULL;
    a->release = NULL;
}

static void release_column(struct ArrowArray *a)
{
    if (!a || !a->release) return;
    array_node *node = a->private_data;
    if (node->child.release) node->child.release(&node->child);
    csfs_arrow_free(node->own[0]);
    csfs_arrow_free(node->own[1]);
    free(node);
    a->release = NULL;
}

static void release_batch(struct ArrowArray *a)
{
    if (!a || !a->release) return;
    for (int64_t i = 0; i < a->n_children; i++) {
        struct ArrowArray *c = a->children[i];
        if (c->release) c->release(c);
        free(c);
    }
    free(a->children);
    free(a->private_data);
    a->release = NULL;
}

static int column_array(const csfs_acol *col, int64_t rows, csfs_acol_data *d,
                        struct ArrowArray *out)
{
    array_node *node = calloc(1, sizeof *node);
    if (!node) return -1;
    memset(out, 0, sizeof *out);
    out->length = rows;
    out->private_data = node;
    out->release = release_column;
    out->buffers = node->bufs;
    node->own[0] = d->values;
    node->own[1] = d->offsets;
    d->values = NULL;
    d->offsets = NULL;
    if (col->type == CSFS_ACOL_UTF8 || col->type == CSFS_ACOL_BINARY) {
        out->n_buffers = 3;
        node->bufs[1] = node->own[1];
        node->bufs[2] = node->own[0];
    } else if (col->type == CSFS_ACOL_LIST_I32 || is_fsl(col->type)) {
        int list = col->type == CSFS_ACOL_LIST_I32;
        out->n_buffers = list ? 2 : 1;
        if (list) node->bufs[1] = node->own[1];
        int64_t items =
            list ? (rows ? ((int32_t *)node->own[1])[rows] : 0) : rows * (int64_t)col->list_size;
        node->child_bufs[1] = node->own[0];
        node->child = (struct ArrowArray){.length = items,
                                          .n_buffers = 2,
                                          .buffers = node->child_bufs,
                                          .private_data = node->own[0],
                                          .release = release_item_array};
        node->own[0] = NULL;
        node->child_ptrs[0] = &node->child;
        out->n_children = 1;
        out->children = node->child_ptrs;
    } else {
        out->n_buffers = 2;
        node->bufs[1] = node->own[0];
    }
    return 0;
}

void csfs_acol_data_free(csfs_acol_data *data, size_t n)
{
    for (size_t i = 0; data && i < n; i++) {
        csfs_arrow_free(data[i].values);
        csfs_arrow_free(data[i].offsets);
        data[i].values = NULL;
        data[i].offsets = NULL;
    }
}

int csfs_arrow_batch(const csfs_acol *cols, size_t n, int64_t rows, csfs_acol_data *data,
                     struct ArrowArray *out)
{
    memset(out, 0, sizeof *out);
    struct ArrowArray **children = calloc(n ? n : 1, sizeof *children);
    const void **bufs = calloc(1, sizeof *bufs); /* the struct's (absent) validity */
    if (!children || !bufs) goto fail;
    out->length = rows;
    out->n_buffers = 1;
    out->buffers = bufs;
    out->private_data = (void *)bufs;
    out->children = children;
    out->release = release_batch;
    for (size_t i = 0; i < n; i++) {
        children[i] = calloc(1, sizeof **children);
        if (!children[i] || column_array(&cols[i], rows, &data[i], children[i])) {
            free(children[i]);
            out->n_children = (int64_t)i;
            release_batch(out);
            csfs_acol_data_free(data, n);
            return -1;
        }
    }
    out->n_children = (int64_t)n;
    return 0;
fail:
    free(children);
    free(bufs);
    csfs_acol_data_free(data, n);
    return -1;
}

/* ---- gathering rows of several batches ---------------------------------------------- */

static const void *col_buf(const struct ArrowArray *batch, size_t c, int k)
{
    return batch->children[c]->buffers[k];
}

int csfs_arrow_gather(const csfs_acol *cols, size_t n_cols, const struct ArrowArray *const *src,
                      const uint64_t *pick, size_t n_pick, struct ArrowArray *out)
{
    csfs_acol_data *data = calloc(n_cols ? n_cols : 1, sizeof *data);
    if (!data) return -1;
    for (size_t c = 0; c < n_cols; c++) {
        const csfs_acol *col = &cols[c];
        csfs_acol_data *d = &data[c];
        if (!csfs_acol_is_var(col->type)) {
            size_t w = csfs_acol_value_size(col->type) * (is_fsl(col->type) ? col->list_size : 1);
            d->values = csfs_arrow_alloc(n_pick * w);
            if (!d->values) goto fail;
            for (size_t k = 0; k < n_pick; k++) {
                const struct ArrowArray *b = src[pick[k] >> 32];
                size_t r = (size_t)(pick[k] & 0xffffffffu);
                const char *v =
                    is_fsl(col->type) ? b->children[c]->children[0]->buffers[1] : col_buf(b, c, 1);
                memcpy((char *)d->values + k * w, v + r * w, w);
            }
            continue;
        }
        size_t item = col->type == CSFS_ACOL_LIST_I32 ? 4 : 1;
        int vk = col->type == CSFS_ACOL_LIST_I32 ? -1 : 2; /* where the values are */
        d->offsets = csfs_arrow_alloc((n_pick + 1) * sizeof(int32_t));
        if (!d->offsets) goto fail;
        size_t total = 0;
        d->offsets[0] = 0;
        for (size_t k = 0; k < n_pick; k++) {
            const struct ArrowArray *b = src[pick[k] >> 32];
            const int32_t *o = col_buf(b, c, 1);
            size_t r = (size_t)(pick[k] & 0xffffffffu);
            total += (size_t)(o[r + 1] - o[r]);
            if (total > INT32_MAX) goto fail;
            d->offsets[k + 1] = (int32_t)total;
        }
        d->values = csfs_arrow_alloc(total * item);
        if (!d->values) goto fail;
        for (size_t k = 0; k < n_pick; k++) {
            const struct ArrowArray *b = src[pick[k] >> 32];
            const int32_t *o = col_buf(b, c, 1);
            size_t r = (size_t)(pick[k] & 0xffffffffu);
            const char *v = vk < 0 ? b->children[c]->children[0]->buffers[1] : col_buf(b, c, vk);
            memcpy((char *)d->values + (size_t)d->offsets[k] * item, v + (size_t)o[r] * item,
                   (size_t)(o[r + 1] - o[r]) * item);
        }
    }
    int rc = csfs_arrow_batch(cols, n_cols, (int64_t)n_pick, data, out);
    free(data);
    return rc;
fail:
    csfs_acol_data_free(data, n_cols);
    free(data);
    return -1;
}
