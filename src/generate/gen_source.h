/*
 * A counted generate job as a source of the engine (engine/pipeline.h,
 * csfs_pipe_maker): the reader thread describes the tasks of gen_tasks.h in
 * order, workers generate each task's text into their chunk and fill its
 * record table directly (no scan pass). The kinds (descriptors, convert)
 * then see exactly the chunks they would see reading the generated text.
 */
#ifndef CSFS_GEN_SOURCE_H
#define CSFS_GEN_SOURCE_H

#include "engine/pipeline.h"
#include "generate/gen_job.h"
#include "generate/gen_tasks.h"

typedef struct gen_source {
    csfs_pipe_maker maker;
    gen_job *J;
    csfs_header header;
    gen_producer producer;
    gen_task *slots;
    size_t n_slots;
    gen_emit_scratch *scratch;
    size_t n_workers;
    /* V2 records instead of text (gen_source_make_v2) */
    int v2;
    int32_t peel_of[GEN_NORB][2];
    gen_v2_out *v2out; /* per slot */
    csfs_v2_made *made;
} gen_source;

/* One pass of the job's CSFs (each pass starts from the first CSF). name:
 * the text name the outputs' metadata and messages give. sample_len != 0:
 * only a sample (gen_producer_sample), for size estimates. */
int gen_source_open(gen_source *gs, gen_job *J, const char *name, uint64_t sample_len,
                    uint64_t sample_stride, csfs_pipe_source **src, csfs_error *err);
void gen_source_close(gen_source *gs, csfs_pipe_source *src);
/* Chunks then carry V2 records (scan->made, descriptor/v2.h csfs_v2_made)
 * over the list's peel list and no text: only for a V2 descriptor job that
 * takes its peel list from the header. Before the run. */
int gen_source_make_v2(gen_source *gs, csfs_error *err);

#endif
