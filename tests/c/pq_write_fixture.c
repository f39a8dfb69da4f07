/*
 * Writes Parquet files covering every column type x repetition x encoding x
 * codec the writer supports, with several row groups and small pages, plus
 * the values they hold as JSON, for tests/python/test_parquet_writer.py to
 * read back with independent readers.
 *
 * Usage: pq_write_fixture OUTDIR
 *   OUTDIR/values.json    {"columns": {name: [value or null, ...]}}
 *   OUTDIR/manifest.json  the files, their options, schema, row groups and
 *                         the encodings of every column chunk
 *   OUTDIR/NAME.parquet
 *
 * Values are pseudo-random but fixed (a seeded generator), so failures
 * reproduce.
 */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csfs.h"
#include "io/outfile.h"
#include "parquet/pq_writer.h"

enum { NGROUPS = 4 };
static const size_t group_rows[NGROUPS] = {3000, 1, 5000, 700};

typedef enum kind { I32, I64, U64, F32, F64, STR, BIN, NKINDS } kind;
static const char *const kind_names[NKINDS] = {"i32", "i64", "u64", "f32", "f64", "str", "bin"};

typedef struct column {
    char name[32];
    kind k;
    bool optional;
    bool runs; /* small values in long runs, else high-cardinality random */
    pq_column_def def;
    /* Fixed width: `values` + row * stride * width; i32/f32 columns share a
     * row-major matrix (as descriptors do), the others are dense. */
    const uint8_t *values;
    size_t stride;
    uint64_t *offsets;
    uint8_t *data;
    uint8_t *defined;
} column;

typedef struct rng {
    uint64_t s;
} rng;

static uint64_t next(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static size_t below(rng *r, size_t n)
{
    return (size_t)(next(r) % n);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "pq_write_fixture: out of memory\n");
        exit(2);
    }
    return p;
}

/* Null probability (percent) per row group: some, all, none, most. */
static const int null_percent[NGROUPS] = {30, 100, 0, 90};

static size_t total_rows(void)
{
    size_t n = 0;
    for (int g = 0; g < NGROUPS; g++) n += group_rows[g];
    return n;
}

static double special_double(rng *r)
{
    switch (below(r, 8)) {
    case 0:
        return NAN;
    case 1:
        return INFINITY;
    case 2:
        return -INFINITY;
    case 3:
        return -0.0;
    case 4:
        return 0.0;
    case 5:
        return 5e-324; /* subnormal */
    default:
        return (double)(int64_t)next(r) / 1e9;
    }
}

static float special_float(rng *r)
{
    switch (below(r, 8)) {
    case 0:
        return NAN;
    case 1:
        return INFINITY;
    case 2:
        return -INFINITY;
    case 3:
        return -0.0f;
    case 4:
        return 0.0f;
    case 5:
        return 1e-45f;
    default:
        return (float)((double)(int32_t)next(r) / 1e4);
    }
}

/* A random value of kind k; small values in runs when runs is set. */
static void fixed_value(rng *r, kind k, bool runs, int64_t small, void *out)
{
    switch (k) {
    case I32: {
        int32_t v = runs ? (int32_t)small : (int32_t)next(r);
        if (!runs && below(r, 50) == 0) v = below(r, 2) ? INT32_MIN : INT32_MAX;
        memcpy(out, &v, 4);
        break;
    }
    case I64: {
        int64_t v = runs ? small : (int64_t)next(r);
        if (!runs && below(r, 50) == 0) v = below(r, 2) ? INT64_MIN : INT64_MAX;
        memcpy(out, &v, 8);
        break;
    }
    case U64: {
        uint64_t v = runs ? (uint64_t)small : next(r);
        if (!runs && below(r, 50) == 0) v = below(r, 2) ? 0 : UINT64_MAX;
        memcpy(out, &v, 8);
        break;
    }
    case F32: {
        float v = runs ? (small == 3 ? -0.0f : (float)small / 2) : special_float(r);
        memcpy(out, &v, 4);
        break;
    }
    case F64: {
        double v = runs ? (small == 3 ? -0.0 : (double)small / 4) : special_double(r);
        memcpy(out, &v, 8);
        break;
    }
    default:
        break;
    }
}

static const char *const labels[] = {"", "1s", "2s", "2p-", "2p", "3d-", "3d", "4f-"};
static const char *const utf8_bits[] = {"\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x98\x80", "~"};

/* Appends a random byte string to data (capacity is generous, see fill). */
static size_t byte_value(rng *r, kind k, bool runs, int64_t small, uint8_t *out)
{
    if (runs) {
        const char *s = labels[small % 8];
        memcpy(out, s, strlen(s));
        return strlen(s);
    }
    size_t n = 0;
    bool long_value = below(r, 10) == 0;
    size_t len = long_value ? 70 + below(r, 80) : 1 + below(r, 20);
    /* Long values open with the largest or smallest prefixes, so that the
     * chunk's max and min need truncating. */
    int extreme = long_value ? (int)below(r, 4) : -1;
    if (k == STR) {
        if (extreme == 0) { /* U+10FFFF: above any other character */
            memcpy(out, "\xf4\x8f\xbf\xbf\xf4\x8f\xbf\xbf", 8);
            n = 8;
        } else if (extreme == 1) {
            memcpy(out, "\x01\x01", 2);
            n = 2;
        }
        bool tildes = extreme == 2;
        while (n < len) {
            if (tildes) {
                out[n++] = '~';
            } else if (below(r, 6) == 0) {
                const char *u = utf8_bits[below(r, 4)];
                memcpy(out + n, u, strlen(u));
                n += strlen(u);
            } else {
                out[n++] = (uint8_t)(' ' + below(r, 95));
            }
        }
    } else {
        /* All 0xFF: a max no short upper bound exists for. */
        bool ff = extreme == 0 && below(r, 3) == 0;
        for (; n < len; n++) {
            if (ff || (extreme == 0 && n < 8))
                out[n] = 0xFF;
            else if (extreme == 1 && n < 8)
                out[n] = 0x00;
            else
                out[n] = (uint8_t)next(r);
        }
    }
    return n;
}

static void fill(column *c, rng *r, uint8_t *matrix, size_t matrix_stride, size_t slot)
{
    size_t rows = total_rows();
    c->defined = xmalloc(rows);
    size_t width = (c->k == I32 || c->k == F32) ? 4 : 8;
    uint8_t *dense = NULL;
    if (c->k == STR || c->k == BIN) {
        c->offsets = xmalloc((rows + 1) * sizeof *c->offsets);
        c->data = xmalloc(rows * 160 * 4);
        c->offsets[0] = 0;
    } else if (matrix) {
        c->values = matrix + slot * width;
        c->stride = matrix_stride;
    } else {
        dense = xmalloc(rows * width);
        c->values = dense;
        c->stride = 1;
    }
    size_t row = 0;
    int64_t small = 0;
    size_t run_left = 0;
    for (int g = 0; g < NGROUPS; g++) {
        for (size_t i = 0; i < group_rows[g]; i++, row++) {
            if (run_left == 0) {
                run_left = 1 + below(r, 200);
                small = below(r, 10) < 7 ? 0 : 1 + (int64_t)below(r, 5);
            }
            run_left--;
            bool def = !c->optional || (int)below(r, 100) >= null_percent[g];
            c->defined[row] = def ? (uint8_t)(1 + below(r, 3)) : 0; /* any non-zero means set */
            if (c->k == STR || c->k == BIN) {
                size_t n = def ? byte_value(r, c->k, c->runs, small, c->data + c->offsets[row]) : 0;
                /* Null rows may still have bytes: the writer must ignore them. */
                if (!def && below(r, 4) == 0) {
                    memcpy(c->data + c->offsets[row], "junk", 4);
                    n = 4;
                }
                c->offsets[row + 1] = c->offsets[row] + n;
            } else {
                uint8_t *dst = (uint8_t *)c->values + row * c->stride * width;
                if (def)
                    fixed_value(r, c->k, c->runs, small, dst);
                else
                    memset(dst, 0x5A, width); /* garbage in null slots */
            }
        }
    }
}

/* ---- JSON output ------------------------------------------------------------ */

static void json_string(FILE *f, const uint8_t *p, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\')
            fprintf(f, "\\%c", p[i]);
        else if (p[i] < 0x20 || p[i] == 0x7f)
            fprintf(f, "\\u%04x", p[i]);
        else
            fputc(p[i], f);
    }
    fputc('"', f);
}

static void json_double(FILE *f, double v, int digits)
{
    if (isnan(v))
        fputs("NaN", f);
    else if (isinf(v))
        fputs(v > 0 ? "Infinity" : "-Infinity", f);
    else
        fprintf(f, "%.*e", digits, v); /* exponent form keeps -0 a float */
}

static void json_value(FILE *f, const column *c, size_t row)
{
    if (!c->defined[row]) {
        fputs("null", f);
        return;
    }
    if (c->k == STR || c->k == BIN) {
        const uint8_t *p = c->data + c->offsets[row];
        size_t n = (size_t)(c->offsets[row + 1] - c->offsets[row]);
        if (c->k == STR) {
            json_string(f, p, n);
        } else {
            fputc('"', f);
            for (size_t i = 0; i < n; i++) fprintf(f, "%02x", p[i]);
            fputc('"', f);
        }
        return;
    }
    size_t width = (c->k == I32 || c->k == F32) ? 4 : 8;
    const uint8_t *p = c->values + row * c->stride * width;
    switch (c->k) {
    case I32: {
        int32_t v;
        memcpy(&v, p, 4);
        fprintf(f, "%d", v);
        break;
    }
    case I64: {
        int64_t v;
        memcpy(&v, p, 8);
        fprintf(f, "%lld", (long long)v);
        break;
    }
    case U64: {
        uint64_t v;
        memcpy(&v, p, 8);
        fprintf(f, "%llu", (unsigned long long)v);
        break;
    }
    case F32: {
        float v;
        memcpy(&v, p, 4);
        json_double(f, v, 8);
        break;
    }
    case F64: {
        double v;
        memcpy(&v, p, 8);
        json_double(f, v, 16);
        break;
    }
    default:
        break;
    }
}

static FILE *open_out(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    return f;
}

/* ---- the files --------------------------------------------------------------- */

typedef struct variant {
    const char *name;
    pq_codec codec;
    int level;
    bool dictionary;
    size_t dictionary_bytes;
    size_t page_bytes;
} variant;

static const char *codec_name(pq_codec c)
{
    switch (c) {
    case PQ_CODEC_SNAPPY:
        return "snappy";
    case PQ_CODEC_GZIP:
        return "gzip";
    case PQ_CODEC_ZSTD:
        return "zstd";
    default:
        return "none";
    }
}

static int write_file(const char *dir, const variant *var, column *cols, size_t ncols, FILE *man)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.parquet", dir, var->name);
    csfs_error err = {0};
    csfs_outfile out;
    pq_column_def *defs = xmalloc(ncols * sizeof *defs);
    for (size_t i = 0; i < ncols; i++) defs[i] = cols[i].def;
    pq_write_options opt = {.codec = var->codec,
                            .level = var->level,
                            .dictionary = var->dictionary,
                            .dictionary_bytes = var->dictionary_bytes,
                            .page_bytes = var->page_bytes};
    pq_writer *w = NULL;
    pq_encoder *enc = pq_encoder_new();
    pq_chunk *chunks = calloc(ncols, sizeof *chunks);
    int rc = csfs_outfile_open(&out, path, 1, &err);
    if (!rc) rc = pq_writer_open(&w, &out, defs, ncols, &opt, &err);

    fprintf(man,
            "{\"name\": \"%s\", \"path\": \"%s.parquet\", \"codec\": \"%s\", "
            "\"dictionary\": %s, \"dictionary_bytes\": %zu, \"page_bytes\": %zu, "
            "\"row_groups\": [",
            var->name, var->name, codec_name(var->codec), var->dictionary ? "true" : "false",
            var->dictionary_bytes, var->page_bytes);
    size_t row0 = 0;
    for (int g = 0; g < NGROUPS && !rc; g++) {
        size_t rows = group_rows[g];
        fprintf(man, "%s{\"rows\": %zu, \"encodings\": {", g ? ", " : "", rows);
        for (size_t i = 0; i < ncols && !rc; i++) {
            column *c = &cols[i];
            size_t width = (c->k == I32 || c->k == F32) ? 4 : 8;
            pq_column_values v = {.rows = rows, .stride = c->stride};
            if (c->k == STR || c->k == BIN) {
                v.offsets = c->offsets + row0;
                v.data = c->data;
            } else {
                v.values = c->values + row0 * c->stride * width;
            }
            /* In the fully defined group, OPTIONAL columns pass no flags. */
            v.defined = null_percent[g] == 0 ? NULL : c->defined + row0;
            rc = pq_encode_chunk(enc, &c->def, &opt, &v, &chunks[i], &err);
            fprintf(man, "%s\"%s\": [", i ? ", " : "", c->name);
            for (int e = 0, first = 1; e < 32; e++)
                if (chunks[i].encodings >> e & 1) {
                    fprintf(man, "%s%d", first ? "" : ", ", e);
                    first = 0;
                }
            fprintf(man, "]");
        }
        fprintf(man, "}}");
        if (!rc) rc = pq_writer_write_row_group(w, chunks, (int64_t)rows, &err);
        row0 += rows;
    }
    fprintf(man, "]}");
    pq_kv kv[2] = {{"csfs.fixture", var->name}, {"empty", ""}};
    if (!rc) rc = pq_writer_finish(w, kv, 2, "csfs version 0.1.0 (build fixture)", &err);
    if (!rc) rc = csfs_outfile_commit(&out, &err);
    if (rc) {
        fprintf(stderr, "pq_write_fixture: %s: %s\n", var->name, err.message);
        csfs_outfile_abort(&out);
    }
    for (size_t i = 0; i < ncols; i++) pq_chunk_release(&chunks[i]);
    free(chunks);
    pq_writer_free(w);
    pq_encoder_free(enc);
    free(defs);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: pq_write_fixture OUTDIR\n");
        return 2;
    }
    const char *dir = argv[1];
    rng r = {20240611};
    size_t rows = total_rows();
    enum { NCOLS = NKINDS * 4 };
    column cols[NCOLS];
    memset(cols, 0, sizeof cols);
    /* The four i32 and the four f32 columns each live in a row-major matrix. */
    uint8_t *mat32 = xmalloc(rows * 4 * 4), *matf = xmalloc(rows * 4 * 4);
    size_t n = 0;
    for (int k = 0; k < NKINDS; k++) {
        for (int opt = 0; opt < 2; opt++) {
            for (int runs = 0; runs < 2; runs++, n++) {
                column *c = &cols[n];
                c->k = (kind)k;
                c->optional = opt;
                c->runs = !runs;
                snprintf(c->name, sizeof c->name, "%s_%s_%s", kind_names[k], opt ? "opt" : "req",
                         c->runs ? "runs" : "rand");
                static const pq_type types[NKINDS] = {PQ_INT32,     PQ_INT64,  PQ_INT64,
                                                      PQ_FLOAT,     PQ_DOUBLE, PQ_BYTE_ARRAY,
                                                      PQ_BYTE_ARRAY};
                c->def.name = c->name;
                c->def.type = types[k];
                c->def.logical = k == U64   ? PQ_LOGICAL_UINT64
                                 : k == STR ? PQ_LOGICAL_STRING
                                            : PQ_LOGICAL_NONE;
                c->def.repetition = opt ? PQ_OPTIONAL : PQ_REQUIRED;
                uint8_t *matrix = k == I32 ? mat32 : k == F32 ? matf : NULL;
                fill(c, &r, matrix, 4, (size_t)(opt * 2 + runs));
            }
        }
    }

    FILE *f = open_out(dir, "values.json");
    fprintf(f, "{\"rows\": %zu, \"columns\": {", rows);
    for (size_t i = 0; i < NCOLS; i++) {
        fprintf(f, "%s\n\"%s\": [", i ? "," : "", cols[i].name);
        for (size_t row = 0; row < rows; row++) {
            if (row) fputc(',', f);
            json_value(f, &cols[i], row);
        }
        fputc(']', f);
    }
    fprintf(f, "}}\n");
    fclose(f);

    static const variant variants[] = {
        {"plain_none", PQ_CODEC_UNCOMPRESSED, 0, false, 0, 2048},
        {"plain_snappy", PQ_CODEC_SNAPPY, 0, false, 0, 2048},
        {"plain_gzip", PQ_CODEC_GZIP, 0, false, 0, 2048},
        {"plain_zstd", PQ_CODEC_ZSTD, 0, false, 0, 2048},
        {"dict_none", PQ_CODEC_UNCOMPRESSED, 0, true, 0, 2048},
        {"dict_snappy", PQ_CODEC_SNAPPY, 0, true, 0, 2048},
        {"dict_gzip", PQ_CODEC_GZIP, 1, true, 0, 2048},
        {"dict_zstd", PQ_CODEC_ZSTD, 0, true, 0, 2048},
        /* A 256-byte dictionary limit: low-cardinality chunks keep a
         * dictionary, the random ones fall back to PLAIN. */
        {"fallback_none", PQ_CODEC_UNCOMPRESSED, 0, true, 256, 2048},
        {"fallback_snappy", PQ_CODEC_SNAPPY, 0, true, 256, 2048},
        {"fallback_gzip", PQ_CODEC_GZIP, 9, true, 256, 2048},
        {"fallback_zstd", PQ_CODEC_ZSTD, 19, true, 256, 2048},
        /* Default page size: one page per chunk here. */
        {"dict_zstd_bigpages", PQ_CODEC_ZSTD, 0, true, 0, 0},
        {"plain_zstd_bigpages", PQ_CODEC_ZSTD, 0, false, 0, 0},
        /* 16-byte pages: a few values each, many all-null pages. */
        {"dict_snappy_tinypages", PQ_CODEC_SNAPPY, 0, true, 0, 16},
        {"plain_none_tinypages", PQ_CODEC_UNCOMPRESSED, 0, false, 0, 16},
    };
    FILE *man = open_out(dir, "manifest.json");
    fprintf(man, "{\"columns\": [");
    for (size_t i = 0; i < NCOLS; i++)
        fprintf(man, "%s{\"name\": \"%s\", \"kind\": \"%s\", \"optional\": %s}", i ? ", " : "",
                cols[i].name, kind_names[cols[i].k], cols[i].optional ? "true" : "false");
    fprintf(man, "],\n\"files\": [\n");
    int status = 0;
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        if (v) fprintf(man, ",\n");
        if (write_file(dir, &variants[v], cols, NCOLS, man)) status = 1;
    }
    fprintf(man, "\n]}\n");
    fclose(man);

    for (size_t i = 0; i < NCOLS; i++) {
        free(cols[i].defined);
        free(cols[i].offsets);
        free(cols[i].data);
        if (cols[i].k != I32 && cols[i].k != F32) free((void *)cols[i].values);
    }
    free(mat32);
    free(matf);
    return status;
}
