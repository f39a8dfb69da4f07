/*
 * Mixing-file read throughput (a program, not a test; see bench_mixing.sh).
 *
 *   bench_mixing gen FILE NBLOCK NCF NEV [MAX_SUBRECORD]
 *       writes a synthetic .m (NBLOCK blocks of NCF CSFs and NEV levels) with
 *       the tests' own record writer (tests/c/mix_writer.h)
 *   bench_mixing read FILE      every coefficient through csfs_mix_read_level
 *   bench_mixing labels FILE    narrow labels in memory (csfs_mix_labels_compute)
 *   bench_mixing parquet FILE OUT [narrow|wide|long]   the whole csfs_mix_labels_run
 *
 * Each mode reports wall time, GB/s of mixing file, coefficients/s and the
 * process's peak RSS, so run one mode per process.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "mixing/labels.h"
#include "mixing/levels.h"
#include "mix_writer.h"
#include "mixing/reader.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double peak_rss_mib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_maxrss / 1024.0; /* Linux: KiB */
}

static int gen(const char *path, int32_t nblock, int32_t ncf, int32_t nev, size_t max_sub)
{
    FILE *f = fopen(path, "wb");
    if (!f) return perror(path), 1;
    mixw w = {.f = f, .marker = 4, .max_sub = max_sub};
    int64_t coef = (int64_t)nblock * ncf * nev;
    const int32_t h[6] = {30, nblock * ncf, 40, nblock * nev, (int32_t)(uint32_t)coef, nblock};
    mixw_magic(&w);
    mixw_record_i32(&w, h, 6);
    double *v = malloc((size_t)ncf * sizeof *v);
    int32_t *ivec = malloc((size_t)nev * sizeof *ivec);
    double *eval = malloc(((size_t)nev + 1) * sizeof *eval);
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int32_t b = 1; b <= nblock; b++) {
        const int32_t b1[5] = {b, ncf, nev, 2 * ((b - 1) / 2) + 2, b % 2 ? 1 : -1};
        mixw_record_i32(&w, b1, 5);
        for (int32_t k = 0; k < nev; k++) ivec[k] = nev - k; /* unsorted, as users type them */
        mixw_record_i32(&w, ivec, (size_t)nev);
        eval[0] = -1000.0 - b;
        for (int32_t k = 0; k < nev; k++) eval[k + 1] = -1.0 + 0.01 * k;
        mixw_record_f64(&w, eval, (size_t)nev + 1);
        mixw_begin(&w, 8 * (uint64_t)ncf * (uint64_t)nev);
        for (int32_t k = 0; k < nev; k++) {
            for (int32_t i = 0; i < ncf; i++) {
                x ^= x << 13, x ^= x >> 7, x ^= x << 17;
                v[i] = ((double)(x >> 11) * 0x1p-53 - 0.5) * 1e-3;
            }
            v[k % ncf] = 0.99;
            mixw_f64(&w, v, (size_t)ncf);
        }
        mixw_end(&w);
    }
    free(v);
    free(ivec);
    free(eval);
    if (fclose(f) != 0 || w.failed) return fprintf(stderr, "%s: write failed\n", path), 1;
    printf("gen: %s: %d blocks x %d CSFs x %d levels = %lld coefficients\n", path, nblock, ncf, nev,
           (long long)coef);
    return 0;
}

static void report(const char *what, double t, uint64_t bytes, uint64_t coef)
{
    printf("%s: %.3f s, %.2f GB/s, %.0f Mcoef/s, %llu coefficients, peak RSS %.1f MiB\n", what, t,
           (double)bytes / t / 1e9, (double)coef / t / 1e6, (unsigned long long)coef,
           peak_rss_mib());
}

static int bench_read(const char *path)
{
    double t0 = now();
    csfs_mix_reader *r;
    csfs_error err;
    if (csfs_mix_open(path, &r, &err)) return fprintf(stderr, "%s\n", err.message), 1;
    const csfs_mix_block *b;
    double *v = NULL, sum = 0;
    uint64_t coef = 0;
    int rc;
    while ((rc = csfs_mix_next_block(r, &b, &err)) == 1) {
        free(v);
        v = malloc(((size_t)b->ncf + 1) * sizeof *v);
        for (int32_t k = 0; k < b->nev && rc >= 0; k++) {
            rc = csfs_mix_read_level(r, v, &err);
            sum += v[b->ncf - 1];
        }
        coef += (uint64_t)b->ncf * (uint64_t)b->nev;
    }
    uint64_t size = csfs_mix_file_size(r);
    csfs_mix_close(r);
    free(v);
    if (rc < 0) return fprintf(stderr, "%s\n", err.message), 1;
    report("read", now() - t0, size, coef);
    return sum == 12345.0; /* keeps the reads */
}

/* The file's own block structure as its CSF list. */
static int own_list(const char *path, csfs_mix_list *list, uint64_t *coef)
{
    csfs_mix_levels lv;
    csfs_error err;
    if (csfs_mix_levels_read(path, NULL, &lv, &err)) return fprintf(stderr, "%s\n", err.message), 1;
    size_t nb = (size_t)lv.header.nblock;
    uint64_t *len = calloc(nb + 1, sizeof *len);
    *coef = 0;
    for (size_t i = 0; i < lv.n_blocks; i++) {
        len[lv.blocks[i].jblock - 1] = (uint64_t)lv.blocks[i].ncf;
        *coef += (uint64_t)lv.blocks[i].ncf * (uint64_t)lv.blocks[i].nev;
    }
    int rc = csfs_mix_list_from_lengths(len, nb, NULL, NULL, "synthetic", list, &err);
    free(len);
    csfs_mix_levels_free(&lv);
    return rc;
}

static int bench_labels(const char *path)
{
    csfs_mix_list list;
    uint64_t coef;
    if (own_list(path, &list, &coef)) return 1;
    double t0 = now();
    csfs_mix_reader *r;
    csfs_error err;
    csfs_mix_labels lab;
    int rc = csfs_mix_open(path, &r, &err);
    if (rc == 0) rc = csfs_mix_labels_compute(r, &list, &lab, &err);
    if (rc) return fprintf(stderr, "%s\n", err.message), 1;
    report("labels (in memory)", now() - t0, csfs_mix_file_size(r), coef);
    csfs_mix_close(r);
    csfs_mix_labels_free(&lab);
    csfs_mix_list_free(&list);
    return 0;
}

static int bench_parquet(const char *path, const char *out, const char *layout)
{
    csfs_mix_list list;
    uint64_t coef;
    if (own_list(path, &list, &coef)) return 1;
    csfs_mix_options opt;
    csfs_mix_options_init(&opt);
    opt.input = path;
    opt.list = &list;
    opt.output = out;
    opt.force = 1;
    opt.layout = !strcmp(layout, "wide")   ? CSFS_MIX_WIDE
                 : !strcmp(layout, "long") ? CSFS_MIX_LONG
                                           : CSFS_MIX_NARROW;
    csfs_mix_summary sum;
    csfs_error err;
    double t0 = now();
    if (csfs_mix_labels_run(&opt, &sum, &err)) return fprintf(stderr, "%s\n", err.message), 1;
    char what[64];
    snprintf(what, sizeof what, "parquet %s (%llu rows)", layout, (unsigned long long)sum.rows);
    report(what, now() - t0, sum.input_bytes, coef);
    csfs_mix_list_free(&list);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 6 && !strcmp(argv[1], "gen"))
        return gen(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]),
                   argc > 6 ? (size_t)strtoull(argv[6], NULL, 10) : 2147483639u);
    if (argc == 3 && !strcmp(argv[1], "read")) return bench_read(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "labels")) return bench_labels(argv[2]);
    if (argc >= 4 && !strcmp(argv[1], "parquet"))
        return bench_parquet(argv[2], argv[3], argc > 4 ? argv[4] : "narrow");
    fprintf(stderr, "usage: see the comment at the top of bench/bench_mixing.c\n");
    return 2;
}
