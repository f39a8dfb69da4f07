/*
 * The descriptor job (jobs/descriptors.c) with the caller's own sink and
 * per-segment work: how the Arrow stream (arrow/) reuses the job's rules
 * (peel choice, v1/V2 parsing, failures, strict mode, block counting)
 * instead of copying them.
 */
#ifndef CSFS_DESCRIPTORS_HOOKS_H
#define CSFS_DESCRIPTORS_HOOKS_H

#include "csfs.h"
#include "engine/pipeline.h"

typedef struct csfs_desc_hooks {
    void *ctx;
    uint64_t page_rows; /* rows per page; 0: the job's default */
    int no_descriptors; /* the caller needs no descriptor values: skip parsing them */
    /* Once the source, peel list and row width are known: the sink pages go to. */
    int (*open_sink)(void *ctx, csfs_pipe_source *src, const csfs_peel *peel, size_t width,
                     csfs_page_sink **sink, csfs_error *err);
    /* Worker, after the descriptors of the segment were parsed into cols (NULL
     * with no_descriptors): the caller's own per-row work. */
    void (*parse)(void *ctx, size_t worker, const csfs_pipe_chunk *c, size_t first, size_t end,
                  size_t slot, uint64_t row_in_page, const uint32_t *cols, size_t col_stride);
    void (*slot_reset)(void *ctx, size_t slot); /* optional */
} csfs_desc_hooks;

/* csfs_descriptors_run with hooks instead of an output file (opt->output,
 * format and codec are ignored). The sink is destroyed by the job. */
int csfs_descriptors_with_hooks(const csfs_descriptor_options *opt, const csfs_desc_hooks *hooks,
                                csfs_summary *summary, csfs_error *err);

#endif
