/* csfs_stream_open: the Arrow C stream against csfs_descriptors_matrix, the
 * ABI rules (schema, batches that outlive the stream, release), rows=,
 * errors with file and line, cancel and early release. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csfs.h"
#include "testutil.h"

static const char *example(void)
{
    return CSFS_SOURCE_DIR "/examples/c_like_n3_2x.c";
}

static int load_matrix(csfs_matrix *m)
{
    csfs_descriptor_options o;
    csfs_descriptor_options_init(&o);
    o.input = example();
    o.threads = 1;
    csfs_error err;
    return csfs_descriptors_matrix(&o, m, NULL, &err);
}

/* Reads every batch of s into a[]; returns the count. */
static size_t read_all(struct ArrowArrayStream *s, struct ArrowArray *a, size_t cap, int *rc)
{
    size_t n = 0;
    for (;;) {
        struct ArrowArray b;
        *rc = s->get_next(s, &b);
        if (*rc || !b.release) break;
        if (n < cap)
            a[n++] = b;
        else
            b.release(&b);
    }
    return n;
}

static void test_columns_and_values(void)
{
    csfs_matrix m;
    CHECK(load_matrix(&m) == 0);
    csfs_stream_options o;
    csfs_stream_options_init(&o);
    o.input = example();
    o.columns = CSFS_STREAM_ROW | CSFS_STREAM_BLOCK | CSFS_STREAM_DESCRIPTORS | CSFS_STREAM_LINES;
    o.batch_rows = 64;
    o.threads = 2;
    struct ArrowArrayStream s;
    csfs_error err;
    CHECK(csfs_stream_open(&o, &s, &err) == 0);
    struct ArrowSchema sch;
    CHECK(s.get_schema(&s, &sch) == 0);
    CHECK(strcmp(sch.format, "+s") == 0);
    CHECK_EQ_INT(sch.n_children, 2 + (int64_t)m.cols + 3);
    CHECK(strcmp(sch.children[0]->name, "row") == 0 && strcmp(sch.children[0]->format, "L") == 0);
    CHECK(strcmp(sch.children[1]->name, "block") == 0 && strcmp(sch.children[1]->format, "I") == 0);
    CHECK(strcmp(sch.children[2]->name, "col_0") == 0 && strcmp(sch.children[2]->format, "i") == 0);
    CHECK(strcmp(sch.children[2 + m.cols]->name, "line1") == 0 &&
          strcmp(sch.children[2 + m.cols]->format, "u") == 0);
    sch.release(&sch);
    CHECK(sch.release == NULL);

    struct ArrowArray b[16];
    int rc;
    size_t nb = read_all(&s, b, 16, &rc);
    CHECK_EQ_INT(rc, 0);
    csfs_stream_info info;
    CHECK(csfs_stream_get_info(&s, &info, &err) == 0);
    CHECK(info.done && info.csf_count == m.rows && info.rows == m.rows);
    CHECK_EQ_INT(info.n_blocks, 5);
    CHECK(info.header_lines[3] && strstr(info.header_lines[3], "2p-"));
    s.release(&s); /* the batches stay valid */
    CHECK(s.release == NULL);
    CHECK_EQ_INT(nb, (m.rows + 63) / 64);
    uint64_t row = 0, mismatches = 0;
    const int32_t *x = m.data;
    for (size_t k = 0; k < nb; k++) {
        CHECK_EQ_INT(b[k].length, k + 1 < nb ? 64 : (int64_t)(m.rows - 64 * (nb - 1)));
        const uint64_t *rows = b[k].children[0]->buffers[1];
        const uint32_t *blocks = b[k].children[1]->buffers[1];
        for (int64_t r = 0; r < b[k].length; r++, row++) {
            mismatches += rows[r] != row;
            for (size_t c = 0; c < m.cols; c++)
                mismatches +=
                    ((const int32_t *)b[k].children[2 + c]->buffers[1])[r] != x[row * m.cols + c];
        }
        CHECK(blocks[0] <= 4);
        const int32_t *off = b[k].children[2 + m.cols]->buffers[1];
        const char *txt = b[k].children[2 + m.cols]->buffers[2];
        if (k == 0) CHECK(off[0] == 0 && strncmp(txt, "  2s ( 2)  2p ( 2)", 18) == 0);
        /* a consumer may move a column out and release it on its own */
        struct ArrowArray col = *b[k].children[2];
        b[k].children[2]->release = NULL;
        col.release(&col);
        b[k].release(&b[k]);
    }
    CHECK_EQ_INT(mismatches, 0);
    CHECK_EQ_INT(row, m.rows);
    csfs_matrix_free(&m);
}

/* rows= on the text: chunk_bytes small, so the counting pass has many
 * chunks for its scanner threads. */
static void test_matrix_and_rows_with(size_t chunk_bytes, int threads)
{
    csfs_matrix m;
    CHECK(load_matrix(&m) == 0);
    const uint64_t want[] = {300, 2, 2, 504, 0, 77};
    csfs_stream_options o;
    csfs_stream_options_init(&o);
    o.input = example();
    o.columns = CSFS_STREAM_ROW | CSFS_STREAM_MATRIX;
    o.rows = want;
    o.n_rows = 6;
    o.batch_rows = 4;
    o.chunk_bytes = chunk_bytes;
    o.threads = threads;
    struct ArrowArrayStream s;
    csfs_error err;
    CHECK(csfs_stream_open(&o, &s, &err) == 0);
    struct ArrowSchema sch;
    CHECK(s.get_schema(&s, &sch) == 0);
    char fmt[32];
    snprintf(fmt, sizeof fmt, "+w:%zu", m.cols);
    CHECK(strcmp(sch.children[1]->format, fmt) == 0);
    sch.release(&sch);
    struct ArrowArray b[4];
    int rc;
    size_t nb = read_all(&s, b, 4, &rc);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(nb, 2);
    size_t k = 0, bad = 0;
    for (size_t i = 0; i < nb; i++) {
        const uint64_t *rows = b[i].children[0]->buffers[1];
        const int32_t *v = b[i].children[1]->children[0]->buffers[1];
        for (int64_t r = 0; r < b[i].length; r++, k++) {
            bad += rows[r] != want[k];
            bad +=
                memcmp(v + r * m.cols, (const int32_t *)m.data + want[k] * m.cols, m.cols * 4) != 0;
        }
        b[i].release(&b[i]);
    }
    CHECK_EQ_INT(k, 6);
    CHECK_EQ_INT(bad, 0);
    s.release(&s);
    csfs_matrix_free(&m);
}

static void test_matrix_and_rows(void)
{
    test_matrix_and_rows_with(0, 0);
    test_matrix_and_rows_with(2048, 3);
}

/* A descriptor Parquet file (not CSF Parquet) read a page at a time by
 * several column workers, or a CSF Parquet file (csf: csfs convert, with a
 * block column or not) whose rows= reads only the row groups holding them:
 * the matrix, whole and with rows=. */
static void test_parquet_matrix_threads(int csf, int block_column)
{
    csfs_matrix m;
    CHECK(load_matrix(&m) == 0);
    char path[4200];
    snprintf(path, sizeof path, "%s/%s%d.parquet", tu_temp_dir(), csf ? "csf" : "d", block_column);
    csfs_error err;
    if (csf) {
        csfs_convert_options c;
        csfs_convert_options_init(&c);
        c.input = example();
        c.output = path;
        c.force = 1;
        c.block_column = block_column;
        c.row_group_rows = 200;
        c.threads = 1;
        CHECK_EQ_INT(csfs_convert_run(&c, NULL, &err), 0);
    } else {
        csfs_descriptor_options d;
        csfs_descriptor_options_init(&d);
        d.input = example();
        d.output = path;
        d.force = 1;
        d.row_group_rows = 200; /* several row groups, one cut inside a batch */
        d.threads = 1;
        CHECK_EQ_INT(csfs_descriptors_run(&d, NULL, &err), 0);
    }
    static const uint64_t pick[] = {450, 3, 3, 199, 200, 0};
    for (int with_rows = 0; with_rows < 2; with_rows++) {
        csfs_stream_options o;
        csfs_stream_options_init(&o);
        o.input = path;
        o.columns = CSFS_STREAM_ROW | CSFS_STREAM_MATRIX;
        o.threads = 3;
        o.batch_rows = 37;
        if (with_rows) {
            o.rows = pick;
            o.n_rows = 6;
        }
        struct ArrowArrayStream s;
        CHECK(csfs_stream_open(&o, &s, &err) == 0);
        size_t k = 0, bad = 0;
        int rc;
        for (;;) {
            struct ArrowArray b;
            rc = s.get_next(&s, &b);
            if (rc || !b.release) break;
            const uint64_t *rows = b.children[0]->buffers[1];
            const int32_t *v = b.children[1]->children[0]->buffers[1];
            for (int64_t r = 0; r < b.length; r++, k++) {
                uint64_t want = with_rows ? pick[k] : k;
                bad += rows[r] != want;
                bad += memcmp(v + r * m.cols, (const int32_t *)m.data + want * m.cols,
                              m.cols * 4) != 0;
            }
            b.release(&b);
        }
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_INT(k, with_rows ? 6 : m.rows);
        CHECK_EQ_INT(bad, 0);
        s.release(&s);
    }
    csfs_matrix_free(&m);
}

static void test_errors_cancel_release(void)
{
    /* a line that is no CSF record, far into the file */
    size_t len;
    char *text = tu_read_file(example(), &len);
    CHECK(text != NULL);
    const char *dir = tu_temp_dir();
    char bad[4096];
    snprintf(bad, sizeof bad, "%s/bad.c", dir);
    FILE *f = fopen(bad, "wb");
    size_t lines = 0, i = 0;
    for (; i < len && lines < 1000; i++)
        if (text[i] == '\n') lines++;
    fwrite(text, 1, i, f);
    fputs("garbage line\n", f);
    fwrite(text + i, 1, len - i, f);
    fclose(f);
    csfs_stream_options o;
    csfs_stream_options_init(&o);
    o.input = bad;
    o.batch_rows = 8;
    struct ArrowArrayStream s;
    csfs_error err;
    CHECK(csfs_stream_open(&o, &s, &err) == 0);
    struct ArrowArray b[1];
    int rc;
    read_all(&s, b, 0, &rc);
    CHECK_EQ_INT(rc, EIO);
    CHECK_CONTAINS(s.get_last_error(&s), "bad.c:1001");
    s.release(&s);

    o.input = "/nonexistent/list.c";
    CHECK(csfs_stream_open(&o, &s, &err) == CSFS_E_IO);
    CHECK(s.release == NULL);
    CHECK_CONTAINS(err.message, "/nonexistent/list.c");

    /* cancel: the next get_next fails once the queue is empty */
    o.input = example();
    CHECK(csfs_stream_open(&o, &s, &err) == 0);
    csfs_stream_cancel(&s);
    for (int k = 0; k < 1000; k++) {
        struct ArrowArray a;
        rc = s.get_next(&s, &a);
        if (rc || !a.release) break;
        a.release(&a);
    }
    CHECK_EQ_INT(rc, ECANCELED);
    s.release(&s);

    /* released before the end, the producer blocked on a full queue */
    CHECK(csfs_stream_open(&o, &s, &err) == 0);
    struct ArrowArray a;
    CHECK(s.get_next(&s, &a) == 0 && a.release);
    s.release(&s);
    CHECK_EQ_INT(a.length, 8);
    a.release(&a);
    free(text);
}

int main(void)
{
    test_columns_and_values();
    test_matrix_and_rows();
    test_parquet_matrix_threads(0, 0);
    test_parquet_matrix_threads(1, 0);
    test_parquet_matrix_threads(1, 1);
    test_errors_cancel_release();
    return tu_done();
}
