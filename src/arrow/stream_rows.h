/*
 * rows= on CSF sources without parsing the list (arrow/stream_text_rows.c):
 * a pass over the source copies the selected records, in file order and
 * each once, into a temporary CSF text after the list's header, noting each
 * copy's row, J block and line; the engine then parses only that text
 * (arrow/stream_engine.c with a row map), and its messages are turned back
 * into the list's terms. The pass is the source's own: the text scanner for
 * CSF text (stream_text_rows.c), the footer's row groups and a page cursor
 * for CSF Parquet (stream_parquet_rows.c); the rest is shared.
 */
#ifndef CSFS_STREAM_ROWS_H
#define CSFS_STREAM_ROWS_H

#include <stdint.h>
#include <stdio.h>

#include "arrow/stream_internal.h"
#include "common/buf.h"

typedef struct csfs_rows_pass {
    csfs_stream_state *st;
    const char *name;
    uint64_t rows, line_base; /* the list's CSFs (once the pass is done) */
    /* CSFs per closed J block, then the open one (n_blocks + 1 entries) */
    uint64_t *blocks;
    size_t n_blocks, cap_blocks;
    int64_t pending_blank; /* text: blank lines seen at a chunk's end: their line, or -1 */
    size_t next;           /* first selected row (index into st->sel) not yet met */
    uint64_t *row, *line;  /* per copied record: its row and the line of its line 1 */
    uint32_t *block;
    csfs_buf out;                /* the copies of the current chunk */
    uint64_t trailing_separator; /* the list ends with " *": its line, else 0 */
    uint64_t text_bytes;         /* bytes of the list read (info bytes_read) */
    uint64_t copy_bytes;         /* of the copies */
    int give_up;                 /* parse the whole list instead (the engine picks the rows) */
    int no_lines;                /* a Parquet list: its messages name CSFs by row, not line */
    const char *tmp;
    void (*report)(void *ctx, const char *message); /* the caller's */
    void *report_ctx;
} csfs_rows_pass;

/* A source's pass: fills p (row, block, line of each copy; rows, blocks,
 * text_bytes of the list) and writes the header and the copies to f (named
 * tmp); or sets give_up. */
typedef int (*csfs_rows_pass_fn)(csfs_rows_pass *p, FILE *f, const char *tmp, csfs_error *err);

/* Runs pass, then the engine on its copies (or on the list, when the pass
 * gave up); sets the stream's info to the list's. no_lines: see above. */
int csfs_stream_rows_run(csfs_stream_state *st, csfs_rows_pass_fn pass, int no_lines,
                         csfs_error *err);

int csfs_stream_rows_write(FILE *f, const void *data, size_t n, const char *tmp, csfs_error *err);

#endif
