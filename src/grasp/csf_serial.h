/*
 * A CSF list read serially, one record after another with the block
 * separators before each: the one "read a chunk, scan it, rebase its line
 * numbers" loop for the jobs that need no parallel engine (split, export of
 * a list, the mixing list). It applies the rules the engine applies between
 * chunks (a blank line is tolerated only at the end of the file) and polls
 * the job's cancel flag and progress once per chunk.
 */
#ifndef CSFS_CSF_SERIAL_H
#define CSFS_CSF_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "grasp/csf_text.h"
#include "jobs/job.h"

typedef struct csfs_serial_record {
    const char *line[3]; /* valid until the next call */
    size_t len[3];
    uint64_t index;       /* 0-based CSF index in the list */
    uint64_t line_no;     /* 1-based file line of its line 1 */
    uint64_t seps_before; /* block separators since the previous record (or the header) */
} csfs_serial_record;

typedef struct csfs_serial csfs_serial;

/* Opens a list (text, .zst/.gz, "-"). job (may be NULL) gives the cancel
 * flag and progress callback polled per chunk. */
int csfs_serial_open(const char *path, csfs_job *job, csfs_serial **out, csfs_error *err);

const char *csfs_serial_name(const csfs_serial *s);
const csfs_header *csfs_serial_header(const csfs_serial *s);
/* Size of the file, -1 when unknown (a pipe). */
int64_t csfs_serial_file_size(const csfs_serial *s);

/*
 * The next record: 1 with *r filled; 0 at the end, with r->seps_before the
 * separators after the last record and r->index the CSF count; or a
 * negative CSFS_E_* code (messages name the file and line).
 */
int csfs_serial_next(csfs_serial *s, csfs_serial_record *r, csfs_error *err);

/* Separator lines other than exactly " *" met so far. */
uint64_t csfs_serial_odd_separators(const csfs_serial *s);

void csfs_serial_close(csfs_serial *s);

#endif
