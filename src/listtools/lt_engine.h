/*
 * The list tools' engine outputs (CSF Parquet, descriptors; see
 * jobs/engine_outputs.h) around their text writers:
 *
 *   lt_engine_single  a tool with one text output (interact, zerofirst):
 *                     output NULL -> the text goes to a temporary; the
 *                     engine outputs are checked before the text is written
 *                     and made from it after; on error nothing is left
 *   lt_engine_multi   a tool with several text outputs (split): each text's
 *                     outputs are named from the templates ({} = the text's
 *                     path without .c, required); on error every output is removed,
 *                     the text lists too
 */
#ifndef CSFS_LT_ENGINE_H
#define CSFS_LT_ENGINE_H

#include "csfs.h"
#include "jobs/engine_outputs.h"

/* Writes the text list at text_path (published when it returns 0). */
typedef int (*lt_text_fn)(void *ctx, const char *text_path, csfs_error *err);

int lt_engine_single(const csfs_engine_outputs *eo, const char *output, const char *default_name,
                     const csfs_engine_run *run, lt_text_fn fn, void *ctx, csfs_error *err);

/* The path of text list i of a tool's summary ctx. */
typedef const char *(*lt_path_fn)(const void *ctx, size_t i);

int lt_engine_multi(const csfs_engine_outputs *eo, size_t n, lt_path_fn path, const void *ctx,
                    const csfs_engine_run *run, csfs_error *err);

/* Before anything is written: every template name holds "{}". */
int lt_engine_check_templates(const csfs_engine_outputs *eo, csfs_error *err);

#endif
