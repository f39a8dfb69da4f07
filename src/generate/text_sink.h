/* Where generated GRASP text goes: an atomic output file, zstd-compressed for ".zst". */
#ifndef CSFS_GEN_TEXT_SINK_H
#define CSFS_GEN_TEXT_SINK_H

#include <stddef.h>

#include "csfs.h"
#include "io/outfile.h"

typedef struct gen_text_sink {
    csfs_outfile out;
    int to_stdout; /* "-": standard output (not atomic) */
    void *zstd;    /* ZSTD_CCtx, NULL for plain text */
    char *zbuf;
    size_t zcap;
} gen_text_sink;

int gen_text_sink_open(gen_text_sink *s, const char *path, int force, csfs_error *err);
int gen_text_sink_write(gen_text_sink *s, const void *data, size_t n, csfs_error *err);
int gen_text_sink_commit(gen_text_sink *s, csfs_error *err);
void gen_text_sink_abort(gen_text_sink *s);

#endif
