/*
 * csfs public API: the engine outputs a command that writes a GRASP CSF list
 * can write besides (or instead of) the text: CSF Parquet with its header
 * TOML, and descriptor files. Their bytes are those of `csfs convert` and
 * `csfs descriptors` run on the command's text output (named text_name when
 * no text output is kept).
 */
#ifndef CSFS_ENGINE_OUTPUTS_H
#define CSFS_ENGINE_OUTPUTS_H

#include <stddef.h>
#include <stdint.h>

#include "csfs/common.h"
#include "csfs/descriptors.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One descriptor file (as csfs descriptors on the text). */
typedef struct csfs_descriptor_output {
    const char *path;          /* .parquet or .npy */
    csfs_layout layout;        /* CSFS_LAYOUT_V1 or CSFS_LAYOUT_V2 */
    int normalize;             /* v1 only: float32 normalised */
    csfs_output_format format; /* AUTO: by the name */
} csfs_descriptor_output;

typedef struct csfs_engine_outputs {
    const char *csf_parquet; /* CSF Parquet (+ <text stem>_header.toml beside it); NULL: none */
    const csfs_descriptor_output *descriptors;
    size_t n_descriptors;
    /* Name of the text the outputs record as their source when the command
     * keeps no text (it then goes to a hidden temporary directory beside the
     * first output); NULL: the command's GRASP name (rcsf.out). */
    const char *text_name;
    csfs_codec codec; /* Parquet codec (default ZSTD level 3) */
    int codec_level;
    int64_t row_group_rows; /* 0: each output's default */
} csfs_engine_outputs;

CSFS_API void csfs_engine_outputs_init(csfs_engine_outputs *o);
/* 1 when o asks for any output. */
CSFS_API int csfs_engine_outputs_any(const csfs_engine_outputs *o);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_ENGINE_OUTPUTS_H */
