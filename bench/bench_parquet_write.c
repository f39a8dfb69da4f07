/*
 * Parquet writer throughput on descriptor-like data: an INT32 matrix of small
 * values in runs, mostly 0, stored row-major (as the pipeline holds it) and
 * written column by column on one thread. Times encode + write only; the
 * data of each row group is generated outside the timer.
 *
 * Usage: bench_parquet_write [ROWS [COLS [GROUP_ROWS [OUTDIR]]]]
 *   defaults 4000000 57 1048576 /tmp; BENCH_COLUMN_MAJOR=1 in the environment
 *   lays the matrix out column by column instead; BENCH_ONLY=NAME runs one
 *   configuration.
 * Prints one line per configuration: seconds, MB/s of raw int32, file size.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csfs.h"
#include "io/outfile.h"
#include "parquet/pq_writer.h"

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

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Per column state of the run generator, so runs continue across groups. */
typedef struct gen {
    int32_t value;
    uint64_t left;
    uint64_t mean; /* mean run length of the column */
} gen;

/* Real GRASP descriptor matrices are ~50-90% zero, with ~95% of entries
 * equal to the one above and values up to ~20; columns differ a lot in how
 * long their runs are. */
static void generate(rng *r, gen *g, int32_t *m, size_t rows, size_t cols, bool column_major)
{
    for (size_t c = 0; c < cols; c++) {
        gen *s = &g[c];
        for (size_t i = 0; i < rows; i++) {
            if (s->left == 0) {
                s->left = 1 + next(r) % (2 * s->mean);
                s->value = next(r) % 10 < 7 ? 0 : (int32_t)(1 + next(r) % 20);
            }
            s->left--;
            m[column_major ? c * rows + i : i * cols + c] = s->value;
        }
    }
}

typedef struct config {
    const char *name;
    pq_codec codec;
    bool dictionary;
} config;

static int run(const config *cfg, size_t rows, size_t cols, size_t group_rows, const char *dir,
               bool column_major)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/bench_parquet_write_%s.parquet", dir, cfg->name);
    csfs_error err = {0};
    csfs_outfile out;
    if (csfs_outfile_open(&out, path, 1, &err)) {
        fprintf(stderr, "%s\n", err.message);
        return 1;
    }
    pq_column_def *defs = calloc(cols, sizeof *defs);
    char(*names)[24] = calloc(cols, sizeof *names);
    for (size_t c = 0; c < cols; c++) {
        snprintf(names[c], sizeof names[c], "d%zu", c);
        defs[c] = (pq_column_def){names[c], PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED};
    }
    pq_write_options opt = {.codec = cfg->codec, .level = 3, .dictionary = cfg->dictionary};
    int32_t *m = malloc(group_rows * cols * sizeof *m);
    gen *g = calloc(cols, sizeof *g);
    for (size_t c = 0; c < cols; c++) g[c].mean = (uint64_t)4 << (c % 10); /* 4 .. 2048 */
    rng r = {42};
    pq_chunk *chunks = calloc(cols, sizeof *chunks);
    pq_encoder *enc = pq_encoder_new();
    pq_writer *w = NULL;
    double t_encode = 0, t_write = 0;
    int rc = pq_writer_open(&w, &out, defs, cols, &opt, &err);
    for (size_t done = 0; !rc && done < rows;) {
        size_t n = rows - done < group_rows ? rows - done : group_rows;
        generate(&r, g, m, n, cols, column_major);
        double t0 = now();
        for (size_t c = 0; c < cols && !rc; c++) {
            pq_column_values v = {.rows = n, .values = m + c, .stride = cols};
            if (column_major) v = (pq_column_values){.rows = n, .values = m + c * n};
            rc = pq_encode_chunk(enc, &defs[c], &opt, &v, &chunks[c], &err);
        }
        double t1 = now();
        if (!rc) rc = pq_writer_write_row_group(w, chunks, (int64_t)n, &err);
        t_encode += t1 - t0;
        t_write += now() - t1;
        done += n;
    }
    double t2 = now();
    if (!rc) rc = pq_writer_finish(w, NULL, 0, "csfs bench", &err);
    uint64_t size = out.offset;
    if (!rc) rc = csfs_outfile_commit(&out, &err);
    t_write += now() - t2;
    if (rc) {
        fprintf(stderr, "%s: %s\n", cfg->name, err.message);
        csfs_outfile_abort(&out);
    } else {
        double raw_mb = (double)rows * (double)cols * 4 / 1e6;
        printf("%-14s encode %6.3f s  write %6.3f s  total %6.3f s  %7.0f MB/s  file %10llu "
               "bytes (%.2f%% of raw)  %s\n",
               cfg->name, t_encode, t_write, t_encode + t_write, raw_mb / (t_encode + t_write),
               (unsigned long long)size, 100.0 * (double)size / (raw_mb * 1e6), path);
    }
    for (size_t c = 0; c < cols; c++) pq_chunk_release(&chunks[c]);
    free(chunks);
    pq_encoder_free(enc);
    pq_writer_free(w);
    free(g);
    free(m);
    free(names);
    free(defs);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? strtoull(argv[1], NULL, 10) : 4000000;
    size_t cols = argc > 2 ? strtoull(argv[2], NULL, 10) : 57;
    size_t group_rows = argc > 3 ? strtoull(argv[3], NULL, 10) : 1048576;
    const char *dir = argc > 4 ? argv[4] : "/tmp";
    if (!rows || !cols || !group_rows) {
        fprintf(stderr, "usage: bench_parquet_write [ROWS [COLS [GROUP_ROWS [OUTDIR]]]]\n");
        return 2;
    }
    /* Row-major is how the pipeline holds descriptor rows; column-major shows
     * what the encoder costs without the strided reads. */
    bool column_major = getenv("BENCH_COLUMN_MAJOR") != NULL;
    printf("%zu rows x %zu INT32 columns, %zu rows a row group, %s, one thread\n", rows, cols,
           group_rows, column_major ? "column-major" : "row-major");
    static const config configs[] = {
        {"plain_zstd3", PQ_CODEC_ZSTD, false},      {"dict_zstd3", PQ_CODEC_ZSTD, true},
        {"plain_snappy", PQ_CODEC_SNAPPY, false},   {"dict_snappy", PQ_CODEC_SNAPPY, true},
        {"dict_none", PQ_CODEC_UNCOMPRESSED, true},
    };
    int status = 0;
    const char *only = getenv("BENCH_ONLY"); /* one configuration, e.g. for a profiler */
    for (size_t i = 0; i < sizeof configs / sizeof configs[0]; i++)
        if (!only || strcmp(only, configs[i].name) == 0)
            status |= run(&configs[i], rows, cols, group_rows, dir, column_major);
    return status;
}
