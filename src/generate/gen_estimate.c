/*
 * Size estimates of a generate run's engine outputs (csfs_generate_report's
 * estimates): the outputs of a sample of the list, written to a temporary
 * directory by the very jobs the run uses, scaled to the whole list.
 *
 * Parquet: data pages scale with the CSF count (the sample keeps runs of
 * consecutive CSFs, whose similarity is what dictionaries and zstd find);
 * dictionary pages and the footer scale with the row-group count (the
 * footer's key-value part is then counted too often, a small overestimate).
 * .npy: header plus rows x row bytes (exact).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "generate/gen_job.h"
#include "jobs/job_source.h"
#include "descriptor/v1.h"
#include "descriptor/v2.h"
#include "engine/page_sink.h"
#include "grasp/peel.h"
#include "parquet/pq_reader.h"

#define SAMPLE_CSFS 131072 /* about this many CSFs are encoded */
#define SAMPLE_WINDOW 8192 /* CSF Parquet: CSFs per window */
#define SAMPLE_MIN_WINDOWS 16

static uint64_t le32(const unsigned char *p)
{
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24;
}

/* Rows per row group output k is written with. */
static uint64_t group_rows(const gen_job *J, size_t k)
{
    const csfs_generate_options *opt = J->opt;
    if (opt->engine.csf_parquet && k == 0) {
        csfs_convert_options co;
        csfs_convert_options_init(&co);
        if (opt->engine.row_group_rows) co.row_group_rows = opt->engine.row_group_rows;
        return (uint64_t)co.row_group_rows;
    }
    const csfs_descriptor_output *d =
        &opt->engine.descriptors[k - (opt->engine.csf_parquet ? 1 : 0)];
    csfs_descriptor_options dopt;
    csfs_descriptor_options_init(&dopt);
    dopt.layout = d->layout ? d->layout : CSFS_LAYOUT_V1;
    dopt.row_group_rows = opt->engine.row_group_rows;
    return csfs_descriptor_group_rows(&dopt);
}

static int is_npy(const gen_job *J, size_t k)
{
    const csfs_generate_options *opt = J->opt;
    if (opt->engine.csf_parquet && k == 0) return 0;
    const csfs_descriptor_output *d =
        &opt->engine.descriptors[k - (opt->engine.csf_parquet ? 1 : 0)];
    if (d->format != CSFS_FORMAT_AUTO) return d->format == CSFS_FORMAT_NPY;
    size_t n = strlen(d->path);
    return n >= 4 && strcmp(d->path + n - 4, ".npy") == 0;
}

static size_t descriptor_width(const gen_job *J, size_t k)
{
    const csfs_generate_options *opt = J->opt;
    const csfs_descriptor_output *d =
        &opt->engine.descriptors[k - (opt->engine.csf_parquet ? 1 : 0)];
    const char *line4 = J->header + J->peel_off;
    csfs_peel *peel = NULL;
    csfs_error e;
    if (csfs_peel_from_header_line(line4, strcspn(line4, "\n"), &peel, &e)) return 0;
    size_t width = d->layout == CSFS_LAYOUT_V2 ? csfs_v2_width(peel->count)
                                               : csfs_row_width(CSFS_LAYOUT_V1, peel->count);
    csfs_peel_free(peel);
    return width;
}

uint64_t gen_job_output_bound(const gen_job *J, size_t k)
{
    uint64_t n = J->csf_count, b;
    if (J->opt->engine.csf_parquet && k == 0)
        b = J->text_bytes + 24 * n; /* the lines, 4-byte lengths, idx and block */
    else
        b = 4 * n * (uint64_t)descriptor_width(J, k); /* 4 bytes a value, PLAIN */
    /* page headers, dictionaries, footer; a codec that cannot compress adds
     * a few bytes per block */
    return b + b / 16 + ((uint64_t)4 << 20);
}

/* CSFs per sample window of output k: descriptor files take whole engine
 * pages (engine/page_sink.h), so that every page of the sample, like every
 * page of the real file, holds consecutive CSFs (a page mixing distant parts
 * of the list compresses worse: +25-35% on V2 with 8192-CSF windows). */
static uint64_t window_csfs(const gen_job *J, size_t k)
{
    const csfs_generate_options *opt = J->opt;
    if (opt->engine.csf_parquet && k == 0) return SAMPLE_WINDOW;
    size_t width = descriptor_width(J, k);
    return width ? csfs_page_rows(width) : SAMPLE_WINDOW;
}

/* Scales the sample file at path (rows CSFs) to J's CSF count. */
static int scale(const gen_job *J, size_t k, const char *path, uint64_t rows, uint64_t *bytes,
                 csfs_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) return csfs_fail_errno(err, errno, "%s: cannot open the size sample", path);
    unsigned char head[16], tail[8];
    struct stat st;
    int ok = fstat(fileno(f), &st) == 0 && st.st_size >= 16 && fread(head, 1, 16, f) == 16 &&
             fseek(f, -8, SEEK_END) == 0 && fread(tail, 1, 8, f) == 8;
    fclose(f);
    if (!ok) return csfs_fail(err, CSFS_E_IO, "%s: cannot read the size sample", path);
    uint64_t size = (uint64_t)st.st_size, n = J->csf_count;
    if (rows == n) { /* the whole list: the real file, but for a few metadata digits */
        *bytes = size;
        return 0;
    }
    double per_row;
    uint64_t fixed;
    if (is_npy(J, k)) {
        uint64_t hdr = head[6] == 1 ? 10 + (head[8] | (uint64_t)head[9] << 8) : 12 + le32(head + 8);
        per_row = rows ? (double)(size - hdr) / (double)rows : 0;
        fixed = hdr;
    } else {
        /* Data pages scale with the rows; dictionary pages and the footer's
         * column metadata come once per row group. */
        pq_file *pf = NULL;
        int rc = pq_file_open(&pf, path, err);
        if (rc) return rc;
        uint64_t dict = 0, pages = 0, sample_groups = pq_file_num_row_groups(pf);
        for (size_t g = 0; g < sample_groups; g++)
            for (size_t c = 0; c < pq_file_num_columns(pf); c++) {
                const pq_chunk_meta *m = pq_file_chunk(pf, g, c);
                uint64_t d = m->dictionary_page_offset >= 0
                                 ? (uint64_t)(m->data_page_offset - m->dictionary_page_offset)
                                 : 0;
                dict += d;
                pages += (uint64_t)m->total_compressed_size - d;
            }
        pq_file_close(pf);
        if (!sample_groups) sample_groups = 1;
        uint64_t footer = le32(tail), g = group_rows(J, k);
        uint64_t groups = g ? (n + g - 1) / g : 1;
        per_row = rows ? (double)pages / (double)rows : 0;
        fixed = 12 + (uint64_t)((double)(footer + dict) * (double)groups / (double)sample_groups);
    }
    *bytes = fixed + (uint64_t)(per_row * (double)n + 0.5);
    return 0;
}

int gen_job_estimate(gen_job *J, int threads, csfs_generate_estimate **out, size_t *n_out,
                     csfs_error *err)
{
    *out = NULL;
    *n_out = 0;
    size_t n = gen_job_n_engine_outputs(J);
    if (!n) return 0;
    csfs_generate_estimate *est = calloc(n, sizeof *est);
    if (!est) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    const char *tmp = getenv("TMPDIR");
    char dir[4096], file[4200];
    snprintf(dir, sizeof dir, "%s/csfs-estimate-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int rc = 0;
    if (!mkdtemp(dir)) rc = csfs_fail_errno(err, errno, "%s: cannot create", dir);
    for (size_t k = 0; !rc && k < n; k++) {
        uint64_t total = J->csf_count, len = window_csfs(J, k), stride = 0;
        uint64_t windows = (SAMPLE_CSFS + len - 1) / len;
        if (windows < SAMPLE_MIN_WINDOWS) windows = SAMPLE_MIN_WINDOWS;
        int64_t one_group = 0;
        if (total > windows * len) {
            stride = total / windows;
            /* one row group: pages restart at each group, and would then
             * straddle the windows */
            one_group = (int64_t)((windows + 1) * len);
        } else {
            len = 0; /* the whole list */
        }
        snprintf(file, sizeof file, "%s/sample%s", dir, is_npy(J, k) ? ".npy" : ".parquet");
        uint64_t rows = 0;
        rc = gen_job_engine_output(J, k, "rcsf.out", threads, file, len, stride, one_group, &rows,
                                   NULL, 0, err);
        if (!rc) rc = scale(J, k, file, rows, &est[k].bytes, err);
        if (!rc) {
            est[k].sample_csfs = rows;
            est[k].path = strdup(gen_job_engine_output_path(J, k));
            if (!est[k].path) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        }
        unlink(file);
    }
    rmdir(dir);
    if (rc) {
        for (size_t k = 0; k < n; k++) free(est[k].path);
        free(est);
        return rc;
    }
    *out = est;
    *n_out = n;
    return 0;
}
