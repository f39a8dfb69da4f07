/*
 * Output files that appear only when complete: bytes go to a temporary file
 * in the destination's directory (same filesystem, so the final rename is
 * atomic) and are published by csfs_outfile_commit. Any failure path calls
 * csfs_outfile_abort, which removes the temporary: no partial output is ever
 * left where a user would mistake it for a result.
 */
#ifndef CSFS_OUTFILE_H
#define CSFS_OUTFILE_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"

typedef struct csfs_outfile {
    int fd;          /* -1 when closed */
    int force;       /* replace an existing destination */
    char *path;      /* destination */
    char *tmp_path;  /* temporary being written; NULL once published/removed */
    uint64_t offset; /* bytes written so far */
} csfs_outfile;

/*
 * Creates the temporary for `path`. Fails with CSFS_E_EXISTS when `path`
 * exists and force is 0, and with CSFS_E_IO when the directory is not
 * writable.
 */
int csfs_outfile_open(csfs_outfile *out, const char *path, int force, csfs_error *err);

/* Appends n bytes (handles short writes; ENOSPC/EFBIG are reported). */
int csfs_outfile_write(csfs_outfile *out, const void *buf, size_t n, csfs_error *err);

/* Flushes, closes and renames the temporary to the destination. */
int csfs_outfile_commit(csfs_outfile *out, csfs_error *err);

/* Closes and removes the temporary (safe to call twice or after commit). */
void csfs_outfile_abort(csfs_outfile *out);

/* 1 when a and b name the same existing file (same device and inode). */
int csfs_same_file(const char *a, const char *b);

#endif
