/*
 * The descriptor and convert jobs on a source the caller made (e.g. csfs
 * generate's, generate/gen_source.h) instead of opening opt->input: the
 * source is borrowed (not closed). opt->input still names the list for
 * messages, the header TOML's stem and the job's frame; it is not opened.
 */
#ifndef CSFS_JOB_SOURCE_H
#define CSFS_JOB_SOURCE_H

#include "csfs.h"
#include "engine/pipeline.h"

int csfs_descriptors_run_source(const csfs_descriptor_options *opt, csfs_pipe_source *src,
                                csfs_summary *summary, csfs_error *err);
int csfs_convert_run_source(const csfs_convert_options *opt, csfs_pipe_source *src,
                            csfs_convert_summary *sum, csfs_error *err);

/* Rows per Parquet row group a descriptor job writes with these options. */
uint64_t csfs_descriptor_group_rows(const csfs_descriptor_options *opt);

#endif
