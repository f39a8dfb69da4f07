/* One generate job: the loaded dialog, its plan, the counts and the header. */
#ifndef CSFS_GEN_JOB_H
#define CSFS_GEN_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "generate/confenum.h"
#include "generate/coupling.h"
#include "generate/dialog.h"
#include "generate/plan.h"

#define GEN_MAX_TWO_J 2000

typedef struct gen_block {
    int two_j, parity;
    uint64_t count;
    char key[5]; /* rcsfblock's sort key */
} gen_block;

typedef struct gen_warn_fwd {
    const csfs_generate_options *opt;
    uint64_t count;
} gen_warn_fwd;

typedef struct gen_job {
    const csfs_generate_options *opt;
    char *text;
    size_t len;
    const char *name;
    char *clist_text;
    size_t clist_len;
    gen_dialog dialog;
    gen_plan plan;
    gen_count_memo *memo;
    gen_merge *merge;
    gen_warn_fwd warn;
    /* filled by gen_job_count */
    gen_block *blocks;
    size_t n_blocks;
    char *header;
    size_t header_len, peel_off;
    uint64_t csf_count, configs, text_bytes, skipped_over20;
    /* the stored text the engine outputs name as their source, when it is
     * compressed: its size and codec (0 / NULL: the plain text_bytes) */
    int64_t stored_size;
    const char *stored_compression;
} gen_job;

int gen_job_load(gen_job *J, const csfs_generate_options *opt, csfs_error *err);
int gen_job_count(gen_job *J, csfs_error *err);
void gen_job_free(gen_job *J);
int gen_fill_report(const gen_job *J, csfs_generate_report *rep, csfs_error *err);
/* Writes the GRASP text of a counted job to sink (write callback), with threads. */
int gen_job_write_text(gen_job *J, int threads,
                       int (*write)(void *ctx, const void *data, size_t n, csfs_error *err),
                       void *ctx, csfs_error *err);

/* The run's engine outputs: k = 0 the CSF Parquet file when one is asked
 * for, then the descriptor files in order. */
size_t gen_job_n_engine_outputs(const gen_job *J);
const char *gen_job_engine_output_path(const gen_job *J, size_t k);
/* Writes engine output k (to path, or its own when NULL) from a fresh pass
 * of the generator; with sample_len, only windows of sample_len CSFs every
 * sample_stride (gen_producer_sample), no header TOML and no messages;
 * group_rows: rows per row group instead of the run's (0: the run's).
 * name: the text's name for messages and metadata. *rows (may be NULL): CSFs written;
 * toml (may be NULL): the header TOML path a CSF Parquet output wrote. */
int gen_job_engine_output(gen_job *J, size_t k, const char *name, int threads, const char *path,
                          uint64_t sample_len, uint64_t sample_stride, int64_t group_rows,
                          uint64_t *rows, char *toml, size_t toml_cap, csfs_error *err);
/* An upper bound of engine output k's size (gen_estimate.c). */
uint64_t gen_job_output_bound(const gen_job *J, size_t k);
/* Estimated sizes of the engine outputs (gen_estimate.c); *out malloc'd. */
int gen_job_estimate(gen_job *J, int threads, csfs_generate_estimate **out, size_t *n,
                     csfs_error *err);

#endif
