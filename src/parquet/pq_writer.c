/*
 * Parquet file assembly: magic, column chunks in row-group order, footer.
 *
 * Each row group's RowGroup struct is serialised as soon as its chunks are
 * written, so the writer keeps a few hundred bytes per row group instead of
 * every chunk's metadata; the footer splices them in after the list header.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "parquet/pq_wbuf.h"
#include "parquet/pq_writer.h"
#include "parquet/thrift_write.h"

/* Parquet ConvertedType values (parquet.thrift). */
enum { CONVERTED_UTF8 = 0, CONVERTED_UINT_64 = 14 };
/* LogicalType union members. */
enum { LOGICAL_STRING = 1, LOGICAL_INTEGER = 10 };

static const char magic[4] = {'P', 'A', 'R', '1'};

struct pq_writer {
    csfs_outfile *out;
    pq_column_def *cols; /* names point into `names` */
    char *names;
    size_t ncols;
    pq_wbuf row_groups; /* serialised RowGroup structs */
    size_t nrow_groups;
    int64_t num_rows;
    pq_wbuf footer;
    bool broken; /* a write failed: the file is unusable */
};

static int oom(csfs_error *err)
{
    return csfs_fail(err, CSFS_E_NOMEM, "parquet writer: out of memory");
}

int pq_writer_open(pq_writer **wp, csfs_outfile *out, const pq_column_def *cols, size_t ncols,
                   const pq_write_options *opt, csfs_error *err)
{
    *wp = NULL;
    if (ncols == 0)
        return csfs_fail(err, CSFS_E_ARGUMENT, "parquet writer: a file needs at least a column");
    size_t names_len = 0;
    for (size_t i = 0; i < ncols; i++) {
        int rc = pq_column_def_check(&cols[i], err);
        if (rc) return rc;
        names_len += strlen(cols[i].name) + 1;
    }
    pq_writer *w = calloc(1, sizeof *w);
    if (!w) return oom(err);
    w->cols = malloc(ncols * sizeof *w->cols);
    w->names = malloc(names_len);
    if (!w->cols || !w->names) {
        pq_writer_free(w);
        return oom(err);
    }
    char *p = w->names;
    for (size_t i = 0; i < ncols; i++) {
        size_t n = strlen(cols[i].name) + 1;
        memcpy(p, cols[i].name, n);
        w->cols[i] = cols[i];
        w->cols[i].name = p;
        p += n;
    }
    w->ncols = ncols;
    w->out = out;
    int rc = csfs_outfile_write(out, magic, sizeof magic, err);
    if (rc) {
        pq_writer_free(w);
        return rc;
    }
    *wp = w;
    return 0;
}

static bool is_signed_order(const pq_column_def *col)
{
    return col->type != PQ_BYTE_ARRAY && col->logical != PQ_LOGICAL_UINT64;
}

static void write_statistics(pq_tw *t, const pq_column_def *col, const pq_chunk *c)
{
    pq_tw_field_struct(t, 12); /* Statistics */
    /* The deprecated min/max (1, 2) are only right for signed sort orders;
     * older readers still look at them there. */
    bool minmax = c->has_minmax;
    if (minmax && is_signed_order(col)) {
        pq_tw_field_binary(t, 1, c->max_value, c->max_len);
        pq_tw_field_binary(t, 2, c->min_value, c->min_len);
    }
    pq_tw_field_i64(t, 3, c->null_count);
    if (minmax) {
        pq_tw_field_binary(t, 5, c->max_value, c->max_len);
        pq_tw_field_binary(t, 6, c->min_value, c->min_len);
        pq_tw_field_bool(t, 7, c->max_exact);
        pq_tw_field_bool(t, 8, c->min_exact);
    }
    pq_tw_struct_end(t);
}

static void write_column_meta(pq_tw *t, const pq_column_def *col, const pq_chunk *c, int64_t base)
{
    pq_tw_field_struct(t, 3); /* ColumnMetaData */
    pq_tw_field_i32(t, 1, (int32_t)col->type);
    size_t nenc = 0;
    for (uint32_t bits = c->encodings; bits; bits &= bits - 1) nenc++;
    pq_tw_field_list(t, 2, PQ_TW_I32, nenc);
    for (int e = 0; e < 32; e++)
        if (c->encodings >> e & 1) pq_tw_i32(t, e);
    pq_tw_field_list(t, 3, PQ_TW_BINARY, 1);
    pq_tw_binary(t, col->name, strlen(col->name));
    pq_tw_field_i32(t, 4, (int32_t)c->codec);
    pq_tw_field_i64(t, 5, c->num_values);
    pq_tw_field_i64(t, 6, c->uncompressed_size);
    pq_tw_field_i64(t, 7, (int64_t)c->size);
    pq_tw_field_i64(t, 9, base + c->data_page_offset);
    bool dict = c->dictionary_page_offset >= 0;
    if (dict) pq_tw_field_i64(t, 11, base + c->dictionary_page_offset);
    write_statistics(t, col, c);
    /* Page encoding stats tell readers every data page is dictionary encoded. */
    pq_tw_field_list(t, 13, PQ_TW_STRUCT, dict ? 2 : 1);
    if (dict) {
        pq_tw_struct_begin(t);
        pq_tw_field_i32(t, 1, PQ_PAGE_DICTIONARY);
        pq_tw_field_i32(t, 2, PQ_ENC_PLAIN);
        pq_tw_field_i32(t, 3, 1);
        pq_tw_struct_end(t);
    }
    pq_tw_struct_begin(t);
    pq_tw_field_i32(t, 1, PQ_PAGE_DATA);
    pq_tw_field_i32(t, 2, dict ? PQ_ENC_RLE_DICTIONARY : PQ_ENC_PLAIN);
    pq_tw_field_i32(t, 3, (int32_t)c->data_page_count);
    pq_tw_struct_end(t);
    pq_tw_struct_end(t);
}

static int check_chunk(const pq_writer *w, size_t i, const pq_chunk *c, int64_t rows,
                       csfs_error *err)
{
    const pq_column_def *col = &w->cols[i];
    if (c->num_values != rows || c->type != col->type || c->data_page_offset < 0 ||
        c->data_page_count <= 0 || c->data_page_count > INT32_MAX)
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "parquet writer: column '%s': chunk does not match the row group "
                         "(%lld values for %lld rows)",
                         col->name, (long long)c->num_values, (long long)rows);
    return 0;
}

int pq_writer_write_row_group(pq_writer *w, const pq_chunk *chunks, int64_t rows, csfs_error *err)
{
    if (w->broken) return csfs_fail(err, CSFS_E_ARGUMENT, "parquet writer: earlier write failed");
    if (rows < 0) return csfs_fail(err, CSFS_E_ARGUMENT, "parquet writer: negative row count");
    for (size_t i = 0; i < w->ncols; i++) {
        int rc = check_chunk(w, i, &chunks[i], rows, err);
        if (rc) return rc;
    }
    size_t mark = w->row_groups.size;
    pq_tw t;
    pq_tw_init(&t, &w->row_groups);
    pq_tw_struct_begin(&t); /* RowGroup */
    pq_tw_field_list(&t, 1, PQ_TW_STRUCT, w->ncols);
    int64_t first = (int64_t)w->out->offset;
    int64_t total_uncompressed = 0, total_compressed = 0;
    for (size_t i = 0; i < w->ncols; i++) {
        const pq_chunk *c = &chunks[i];
        int64_t base = (int64_t)w->out->offset;
        int rc = csfs_outfile_write(w->out, c->bytes, c->size, err);
        if (rc) {
            w->broken = true;
            w->row_groups.size = mark;
            return rc;
        }
        pq_tw_struct_begin(&t); /* ColumnChunk */
        /* file_offset: where the chunk's first page starts, as current writers set it. */
        pq_tw_field_i64(&t, 2, base);
        write_column_meta(&t, &w->cols[i], c, base);
        pq_tw_struct_end(&t);
        total_uncompressed += c->uncompressed_size;
        total_compressed += (int64_t)c->size;
    }
    pq_tw_field_i64(&t, 2, total_uncompressed);
    pq_tw_field_i64(&t, 3, rows);
    pq_tw_field_i64(&t, 5, first);
    pq_tw_field_i64(&t, 6, total_compressed);
    if (w->nrow_groups <= INT16_MAX) pq_tw_field_i16(&t, 7, (int16_t)w->nrow_groups);
    pq_tw_struct_end(&t);
    if (w->row_groups.failed) {
        w->broken = true;
        return oom(err);
    }
    w->nrow_groups++;
    w->num_rows += rows;
    return 0;
}

static void write_schema(pq_tw *t, const pq_writer *w)
{
    pq_tw_field_list(t, 2, PQ_TW_STRUCT, w->ncols + 1);
    pq_tw_struct_begin(t); /* the root: a group holding every column */
    pq_tw_field_string(t, 4, "schema");
    pq_tw_field_i32(t, 5, (int32_t)w->ncols);
    pq_tw_struct_end(t);
    for (size_t i = 0; i < w->ncols; i++) {
        const pq_column_def *col = &w->cols[i];
        pq_tw_struct_begin(t); /* SchemaElement */
        pq_tw_field_i32(t, 1, (int32_t)col->type);
        pq_tw_field_i32(t, 3, (int32_t)col->repetition);
        pq_tw_field_string(t, 4, col->name);
        if (col->logical == PQ_LOGICAL_STRING) {
            pq_tw_field_i32(t, 6, CONVERTED_UTF8);
            pq_tw_field_struct(t, 10);
            pq_tw_field_struct(t, LOGICAL_STRING);
            pq_tw_struct_end(t);
            pq_tw_struct_end(t);
        } else if (col->logical == PQ_LOGICAL_UINT64) {
            pq_tw_field_i32(t, 6, CONVERTED_UINT_64);
            pq_tw_field_struct(t, 10);
            pq_tw_field_struct(t, LOGICAL_INTEGER);
            pq_tw_field_i8(t, 1, 64);      /* bitWidth */
            pq_tw_field_bool(t, 2, false); /* isSigned */
            pq_tw_struct_end(t);
            pq_tw_struct_end(t);
        }
        pq_tw_struct_end(t);
    }
}

int pq_writer_finish(pq_writer *w, const pq_kv *kv, size_t nkv, const char *created_by,
                     csfs_error *err)
{
    if (w->broken) return csfs_fail(err, CSFS_E_ARGUMENT, "parquet writer: earlier write failed");
    pq_wbuf *f = &w->footer;
    pq_wbuf_reset(f);
    pq_tw t;
    pq_tw_init(&t, f);
    pq_tw_struct_begin(&t); /* FileMetaData */
    pq_tw_field_i32(&t, 1, 2);
    write_schema(&t, w);
    pq_tw_field_i64(&t, 3, w->num_rows);
    pq_tw_field_list(&t, 4, PQ_TW_STRUCT, w->nrow_groups);
    pq_wbuf_append(f, w->row_groups.data, w->row_groups.size);
    if (nkv) {
        pq_tw_field_list(&t, 5, PQ_TW_STRUCT, nkv);
        for (size_t i = 0; i < nkv; i++) {
            pq_tw_struct_begin(&t);
            pq_tw_field_string(&t, 1, kv[i].key ? kv[i].key : "");
            if (kv[i].value) pq_tw_field_string(&t, 2, kv[i].value);
            pq_tw_struct_end(&t);
        }
    }
    if (created_by) pq_tw_field_string(&t, 6, created_by);
    /* Without column orders, readers ignore min_value/max_value. */
    pq_tw_field_list(&t, 7, PQ_TW_STRUCT, w->ncols);
    for (size_t i = 0; i < w->ncols; i++) {
        pq_tw_struct_begin(&t);    /* ColumnOrder */
        pq_tw_field_struct(&t, 1); /* TYPE_ORDER */
        pq_tw_struct_end(&t);
        pq_tw_struct_end(&t);
    }
    pq_tw_struct_end(&t);
    if (f->failed) return oom(err);
    if (f->size > UINT32_MAX)
        return csfs_fail(err, CSFS_E_ARGUMENT, "parquet writer: footer exceeds 4 GiB");
    size_t len = f->size;
    pq_wbuf_u32le(f, (uint32_t)len);
    pq_wbuf_append(f, magic, sizeof magic);
    if (f->failed) return oom(err);
    int rc = csfs_outfile_write(w->out, f->data, f->size, err);
    if (rc) w->broken = true;
    return rc;
}

void pq_writer_free(pq_writer *w)
{
    if (!w) return;
    pq_wbuf_free(&w->row_groups);
    pq_wbuf_free(&w->footer);
    free(w->cols);
    free(w->names);
    free(w);
}
