/* Byte arrays decoded in place (pq_column_data.allow_prefixed): every
 * BYTE_ARRAY chunk of the parquet-testing files (codecs, data page v1/v2,
 * dictionaries, nulls, delta encodings, bad files) gives the same result
 * read in place as copied: the same status, rows, nulls and values; so do
 * pyarrow files whose PLAIN pages are followed by one with a null. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parquet/pq_reader.h"
#include "parquet/rle_decode.h"
#include "testutil.h"

static size_t n_prefixed, n_copied, n_compared;

/* Value r of a read: pointer and length in either form. */
static const uint8_t *value(const pq_column_data *d, size_t r, uint64_t *len)
{
    if (d->prefixed) {
        *len = pq_load_le32(d->data + d->offsets[r] - 4);
        return d->data + d->offsets[r];
    }
    *len = d->offsets[r + 1] - d->offsets[r];
    return d->data + d->offsets[r];
}

static void compare_chunk(const pq_file *f, size_t rg, size_t col, pq_column_data *copy,
                          pq_column_data *here)
{
    csfs_error e1, e2;
    int rc1 = pq_read_column(f, rg, col, copy, &e1);
    int rc2 = pq_read_column(f, rg, col, here, &e2);
    CHECK_EQ_INT(rc2, rc1);
    if (rc1 || rc2) {
        if (rc1 == rc2 && strcmp(e1.message, e2.message) != 0) {
            fprintf(stderr, "%s\n  vs %s\n", e1.message, e2.message);
            CHECK(0);
        }
        return;
    }
    CHECK(!copy->prefixed);
    n_compared++;
    if (here->prefixed)
        n_prefixed++;
    else
        n_copied++;
    CHECK_EQ_INT(here->rows, copy->rows);
    CHECK_EQ_INT(here->null_count, copy->null_count);
    CHECK((here->defined == NULL) == (copy->defined == NULL));
    int ascii = 1;
    for (size_t r = 0; r < copy->rows && r < here->rows; r++) {
        if (copy->defined && copy->defined[r] != here->defined[r]) {
            CHECK(0);
            return;
        }
        uint64_t n1, n2;
        const uint8_t *v1 = value(copy, r, &n1), *v2 = value(here, r, &n2);
        if (n1 != n2 || (n1 && memcmp(v1, v2, n1) != 0)) {
            fprintf(stderr, "%s: row group %zu column %zu row %zu differs\n", pq_file_name(f), rg,
                    col, r);
            CHECK(0);
            return;
        }
        for (uint64_t i = 0; i < n1; i++) ascii &= v1[i] < 0x80;
    }
    /* The in-place ASCII verdict may only err on the safe side. */
    if (here->prefixed && here->ascii) CHECK(ascii);
    if (here->prefixed && here->rows) {
        /* The last value ends at offsets[rows], inside the data. */
        uint64_t n;
        const uint8_t *v = value(here, here->rows - 1, &n);
        CHECK_EQ_INT((uint64_t)(v - here->data) + n, here->offsets[here->rows]);
        CHECK(here->offsets[here->rows] <= here->data_size);
    }
}

static void compare_file(const char *path)
{
    pq_file *f;
    csfs_error err;
    if (pq_file_open(&f, path, &err) != 0) return; /* bad_data: footers that do not parse */
    pq_column_data copy, here;
    pq_column_data_init(&copy);
    pq_column_data_init(&here);
    here.allow_prefixed = true;
    for (size_t g = 0; g < pq_file_num_row_groups(f); g++)
        for (size_t c = 0; c < pq_file_num_columns(f); c++)
            if (pq_file_column(f, c)->type == PQ_BYTE_ARRAY) compare_chunk(f, g, c, &copy, &here);
    pq_column_data_free(&copy);
    pq_column_data_free(&here);
    CHECK(here.allow_prefixed); /* a setting survives the free */
    pq_file_close(f);
}

static void compare_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n < 8 || strcmp(de->d_name + n - 8, ".parquet") != 0) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        compare_file(path);
    }
    closedir(d);
}

int main(void)
{
    /* Pages read in place, then one with a null: the values so far are
     * turned into the contiguous form (pyarrow, data page v1 and v2). */
    for (int v = 1; v <= 2; v++) {
        const char *p = tu_data(v == 1 ? "data/parquet/plain_then_null_v1.parquet"
                                       : "data/parquet/plain_then_null_v2.parquet");
        size_t before = n_copied;
        if (p) compare_file(p);
        CHECK_EQ_INT(n_copied, before + 1);
    }
    const char *data = tu_data("data/parquet-testing/data");
    if (!data) return tu_done();
    compare_dir(data);
    const char *bad = tu_data_quiet("data/parquet-testing/bad_data");
    if (bad) compare_dir(bad);
    fprintf(stderr, "%zu chunks: %zu in place, %zu copied\n", n_compared, n_prefixed, n_copied);
    CHECK(n_prefixed > 0);
    CHECK(n_copied > 0);
    return tu_done();
}
