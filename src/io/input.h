/*
 * A byte source for CSF lists: a plain file, standard input ("-"), or a
 * zstd/gzip stream, recognised by its first bytes (not by its name).
 * Reads return decompressed bytes; a truncated or corrupt compressed stream
 * is an error naming the file, never a silent short read.
 */
#ifndef CSFS_INPUT_H
#define CSFS_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"

typedef struct csfs_input csfs_input;

/* Opens path ("-" = stdin). *out is freed with csfs_input_close. */
int csfs_input_open(const char *path, csfs_input **out, csfs_error *err);

/* Reads up to cap bytes into buf; *got = 0 means end of input. */
int csfs_input_read(csfs_input *in, void *buf, size_t cap, size_t *got, csfs_error *err);

/* The name used in messages ("-" reads as "<stdin>"). */
const char *csfs_input_name(const csfs_input *in);

/* Bytes of the file itself read so far (compressed bytes for .zst/.gz). */
uint64_t csfs_input_raw_bytes(const csfs_input *in);

/* Size of the underlying file, or -1 for pipes. */
int64_t csfs_input_file_size(const csfs_input *in);

/* The descriptor of an uncompressed regular file, whose bytes can be read
 * at any offset (pread) by several threads at once; -1 for stdin, pipes and
 * zstd/gzip streams. */
int csfs_input_plain_fd(const csfs_input *in);

/* For a regular file read by offset rather than through csfs_input_read:
 * after `bytes` of it were read, it must still have its size at open and
 * its name must still lead to it; else CSFS_E_IO saying what changed. */
int csfs_input_check_unchanged(const csfs_input *in, uint64_t bytes, csfs_error *err);

/* "plain", "zstd" or "gzip". */
const char *csfs_input_compression(const csfs_input *in);

void csfs_input_close(csfs_input *in);

#endif
