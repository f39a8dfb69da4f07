/*
 * One CSF record after another, with the block separators between them, from
 * any CSF list csfs reads: GRASP text (plain, .zst, .gz, "-"), or a CSF
 * Parquet file (csfs' block column, or rCSFs' header TOML block lengths).
 * The list tools (zerofirst, split by active set or block) are sequential
 * filters over this stream; memory is one text chunk or one row group.
 */
#ifndef CSFS_REC_STREAM_H
#define CSFS_REC_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "grasp/csf_serial.h"
#include "grasp/csf_text.h"

/* A record as the serial reader gives it (text); line_no is 0 for Parquet rows. */
typedef csfs_serial_record csfs_rec;

typedef struct csfs_rec_stream csfs_rec_stream;

/*
 * Opens a list. header_toml (may be NULL) is an rCSFs header TOML to take the
 * header lines and block lengths of a CSF Parquet file from; without it a
 * Parquet file needs csfs' header metadata or the TOML beside it.
 */
int csfs_rec_stream_open(const char *path, const char *header_toml, csfs_rec_stream **out,
                         csfs_error *err);

/* The 5 header lines. */
const csfs_header *csfs_rec_stream_header(const csfs_rec_stream *s);
const char *csfs_rec_stream_name(const csfs_rec_stream *s);

/*
 * The next record: *got = 1 and r filled; at the end *got = 0 and
 * r->seps_before holds the separators after the last record.
 */
int csfs_rec_stream_next(csfs_rec_stream *s, csfs_rec *r, int *got, csfs_error *err);

/* Separator lines other than exactly " *" met so far (text input). */
uint64_t csfs_rec_stream_odd_separators(const csfs_rec_stream *s);

/* "name:LINE" for text, "name: row N" for Parquet: where r is, for messages. */
void csfs_rec_where(const csfs_rec_stream *s, const csfs_rec *r, char *out, size_t cap);

void csfs_rec_stream_close(csfs_rec_stream *s);

#endif
