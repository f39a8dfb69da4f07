/*
 * pq_dump: prints every value of a Parquet file as JSON lines, for the
 * conformance tests (test-only; not installed).
 *
 *   pq_dump [--columns a,b] [--flat-only] [--memory] [--max-bytes N] FILE
 *
 * Line 1: {"num_rows": N, "num_row_groups": G, "columns": [{"path", "type",
 *          "repetition", "type_length", "flat"}...]}
 * Then one line per column chunk, row group by row group:
 *   {"rg": g, "col": "path", "values": [...]}
 * Values: integers as numbers, booleans as true/false, FLOAT/DOUBLE as
 * numbers ("NaN", "Infinity", "-Infinity" as strings), INT96,
 * FIXED_LEN_BYTE_ARRAY and BYTE_ARRAY as lowercase hex strings, nulls as null.
 * --flat-only skips nested columns (a line {"rg", "col", "skipped": "nested"})
 * instead of failing on them; --memory reads the file into memory and opens it
 * from there.
 *
 * Exit status: 0, 1 on malformed input or other errors, 3 when the file uses
 * something csfs does not support; the message goes to stderr.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parquet/pq_info.h"
#include "parquet/pq_names.h"
#include "parquet/pq_reader.h"

static void print_hex(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    putchar('"');
    for (size_t i = 0; i < n; i++) {
        putchar(digits[p[i] >> 4]);
        putchar(digits[p[i] & 15]);
    }
    putchar('"');
}

static void print_double(double v, const char *fmt)
{
    if (isnan(v))
        fputs("\"NaN\"", stdout);
    else if (isinf(v))
        fputs(v > 0 ? "\"Infinity\"" : "\"-Infinity\"", stdout);
    else
        printf(fmt, v);
}

static void print_value(const pq_column_data *d, size_t r)
{
    if (d->defined && !d->defined[r]) {
        fputs("null", stdout);
        return;
    }
    const uint8_t *v = d->values ? (const uint8_t *)d->values + r * d->width : NULL;
    switch (d->type) {
    case PQ_BOOLEAN:
        fputs(v[0] ? "true" : "false", stdout);
        break;
    case PQ_INT32: {
        int32_t x;
        memcpy(&x, v, 4);
        printf("%" PRId32, x);
        break;
    }
    case PQ_INT64: {
        int64_t x;
        memcpy(&x, v, 8);
        printf("%" PRId64, x);
        break;
    }
    case PQ_FLOAT: {
        float x;
        memcpy(&x, v, 4);
        print_double(x, "%.9g");
        break;
    }
    case PQ_DOUBLE: {
        double x;
        memcpy(&x, v, 8);
        print_double(x, "%.17g");
        break;
    }
    case PQ_BYTE_ARRAY:
        print_hex(d->data + d->offsets[r], (size_t)(d->offsets[r + 1] - d->offsets[r]));
        break;
    default:
        print_hex(v, d->width);
        break;
    }
}

static bool wanted(const char *list, const char *path)
{
    if (!list) return true;
    size_t n = strlen(path);
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && !memcmp(p, path, n)) return true;
        p += len + (comma ? 1 : 0);
    }
    return false;
}

static int fail(const csfs_error *err)
{
    fprintf(stderr, "pq_dump: %s\n", err->message);
    return err->code == CSFS_E_UNSUPPORTED ? 3 : 1;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + n, 1, cap - n, fp)) > 0) {
        n += r;
        if (n == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) free(buf);
            buf = nb;
        }
    }
    fclose(fp);
    *len = n;
    return buf;
}

static void print_json_string(const char *s)
{
    char *q = csfs_json_quote(s, strlen(s));
    if (q) fputs(q, stdout);
    csfs_free(q);
}

int main(int argc, char **argv)
{
    const char *columns = NULL, *path = NULL;
    bool flat_only = false, memory = false;
    uint64_t max_bytes = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--columns") && i + 1 < argc)
            columns = argv[++i];
        else if (!strcmp(argv[i], "--flat-only"))
            flat_only = true;
        else if (!strcmp(argv[i], "--memory"))
            memory = true;
        else if (!strcmp(argv[i], "--max-bytes") && i + 1 < argc)
            max_bytes = strtoull(argv[++i], NULL, 10);
        else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr,
                "usage: pq_dump [--columns a,b] [--flat-only] [--memory] [--max-bytes N] FILE\n");
        return 2;
    }
    csfs_error err = {0};
    pq_file *f;
    char *buf = NULL;
    int rc;
    if (memory) {
        size_t len = 0;
        if (!(buf = slurp(path, &len))) {
            fprintf(stderr, "pq_dump: %s: cannot read\n", path);
            return 1;
        }
        rc = pq_file_open_memory(&f, buf, len, path, &err);
    } else {
        rc = pq_file_open(&f, path, &err);
    }
    if (rc) {
        free(buf);
        return fail(&err);
    }

    size_t ncols = pq_file_num_columns(f), nrg = pq_file_num_row_groups(f);
    printf("{\"num_rows\": %" PRId64 ", \"num_row_groups\": %zu, \"columns\": [",
           pq_file_num_rows(f), nrg);
    for (size_t c = 0; c < ncols; c++) {
        const pq_column_info *ci = pq_file_column(f, c);
        fputs(c ? ", {\"path\": " : "{\"path\": ", stdout);
        print_json_string(ci->path);
        printf(", \"type\": \"%s\", \"repetition\": \"%s\", \"type_length\": %" PRId32
               ", \"flat\": %s}",
               pq_type_name(ci->type), pq_repetition_name(ci->repetition), ci->type_length,
               ci->flat ? "true" : "false");
    }
    fputs("]}\n", stdout);

    pq_column_data d;
    pq_column_data_init(&d);
    d.max_bytes = max_bytes;
    rc = 0;
    for (size_t g = 0; g < nrg && !rc; g++) {
        for (size_t c = 0; c < ncols && !rc; c++) {
            const pq_column_info *ci = pq_file_column(f, c);
            if (!wanted(columns, ci->path)) continue;
            printf("{\"rg\": %zu, \"col\": ", g);
            print_json_string(ci->path);
            if (!ci->flat && flat_only) {
                fputs(", \"skipped\": \"nested\"}\n", stdout);
                continue;
            }
            rc = pq_read_column(f, g, c, &d, &err);
            if (rc) {
                fputs(", \"error\": true}\n", stdout);
                break;
            }
            fputs(", \"values\": [", stdout);
            for (size_t r = 0; r < d.rows; r++) {
                if (r) fputs(", ", stdout);
                print_value(&d, r);
            }
            fputs("]}\n", stdout);
        }
    }
    pq_column_data_free(&d);
    pq_file_close(f);
    free(buf);
    fflush(stdout);
    return rc ? fail(&err) : 0;
}
