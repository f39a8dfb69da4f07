/*
 * A counted generate job cut into tasks: blocks in rcsfblock's order, each
 * block one pass over the merged configurations, its CSFs cut at any CSF
 * into tasks of about GEN_TASK_BYTES of text (a configuration may span
 * tasks). Tasks are described in order by one thread (gen_producer_next)
 * and made by any thread (gen_task_emit), so the text writer (gen_run.c) and
 * the engine source (gen_source.c) share one producer.
 */
#ifndef CSFS_GEN_TASKS_H
#define CSFS_GEN_TASKS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "generate/csfgen.h"
#include "generate/gen_job.h"
#include "grasp/csf_text.h"

#define GEN_TASK_BYTES ((uint64_t)4 << 20)
#define GEN_TASK_MAX_CFGS 1024

typedef struct gen_seg {
    uint32_t cfg;
    int two_j;
    uint64_t skip, take;
} gen_seg;

typedef struct gen_task {
    gen_cfg_text *cfgs; /* GEN_TASK_MAX_CFGS each (gen_task_alloc) */
    size_t n_cfgs;
    gen_seg *segs;
    size_t n_segs;
    int header;    /* the task opens the list: the header goes before its CSFs */
    int separator; /* the task opens a block after the first: " *" before its CSFs */
    uint64_t csfs; /* CSFs in this task */
} gen_task;

int gen_task_alloc(gen_task *t, csfs_error *err);
void gen_task_free(gen_task *t);

/* The producer: blocks in order, configurations in merged order. */
typedef struct gen_producer {
    gen_job *J;
    size_t block; /* current block */
    int in_block; /* merge rewound for this block */
    int have_cfg; /* cur holds a configuration with CSFs left */
    gen_config cur;
    gen_cfg_text cur_text;
    uint64_t cur_count, cur_done;
    int header_done;
    int finished;
    /* Sampling (gen_producer_sample): only CSFs pos with pos % stride < len
     * (pos the 0-based index in the list), as one block. */
    uint64_t sample_len, sample_stride, pos;
} gen_producer;

void gen_producer_init(gen_producer *P, gen_job *J);
/* A producer of windows of `len` consecutive CSFs every `stride` CSFs,
 * without block separators: a sample of the list for size estimates. */
void gen_producer_sample(gen_producer *P, gen_job *J, uint64_t len, uint64_t stride);
/* Describes the next task into t; P->finished (t empty) once there is none.
 * The first task has header set and may hold no CSF (an empty list). */
int gen_producer_next(gen_producer *P, gen_task *t, csfs_error *err);

/* Appends the text of t's CSFs (no header, no separator) to out. When rec is
 * not NULL, also the records (csf_text.h) of those CSFs: offsets relative to
 * out->data, line indices from *line (advanced by 3 per CSF); *n_rec and
 * *cap_rec as in csfs_chunk_scan. */
int gen_task_emit(const gen_task *t, gen_emit_scratch *s, csfs_buf *out, csfs_record **rec,
                  size_t *n_rec, size_t *cap_rec, uint64_t *line, csfs_error *err);

/* The same CSFs as V2 records (csfgen.h gen_emit_v2) and their record
 * lines, without text (records' offsets and lengths 0). peel_of[orbital][k]:
 * the peel index of each subshell of the list. */
int gen_task_emit_v2(const gen_task *t, const int32_t (*peel_of)[2], gen_emit_scratch *s,
                     gen_v2_out *out, csfs_record **rec, size_t *n_rec, size_t *cap_rec,
                     uint64_t *line, csfs_error *err);

#endif
