/*
 * A set of text outputs written together and published together: each file
 * is an io/outfile temporary with its own write buffer (jobs that write one
 * line at a time make one system call per 256 KiB, not per line), and
 * csfs_outset_commit() flushes every file before it renames any, so a full
 * disk or a failed write leaves no output at all. Used by the jobs that write
 * several lists from one input (split by J, by active set, by block).
 */
#ifndef CSFS_OUTSET_H
#define CSFS_OUTSET_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "io/outfile.h"

typedef struct csfs_outset_file {
    csfs_outfile file;
    char *path; /* destination (kept after publishing) */
    char *buf;
    size_t len;
    int open; /* temporary exists, not yet published */
} csfs_outset_file;

typedef struct csfs_outset {
    csfs_outset_file *files;
    size_t n, cap;
    int force;
} csfs_outset;

/* An empty set; force: replace existing destinations. */
void csfs_outset_init(csfs_outset *s, int force);

/* Creates the temporary for path (refused when path exists without force,
 * or when the set already holds path); *index is its number in the set. */
int csfs_outset_add(csfs_outset *s, const char *path, size_t *index, csfs_error *err);

/* Appends n bytes to file i (buffered). */
int csfs_outset_write(csfs_outset *s, size_t i, const void *p, size_t n, csfs_error *err);

/* Appends p[0..n) and "\n". */
int csfs_outset_line(csfs_outset *s, size_t i, const void *p, size_t n, csfs_error *err);

/* Destination of file i. */
const char *csfs_outset_path(const csfs_outset *s, size_t i);

/* Flushes every file, then publishes every file (all or, on a failed write,
 * none; a rename that fails after others succeeded is reported by name). */
int csfs_outset_commit(csfs_outset *s, csfs_error *err);

/* Removes what was not published and frees the set. */
void csfs_outset_free(csfs_outset *s);

#endif
