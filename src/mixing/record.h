/*
 * Fortran sequential unformatted records, as gfortran and ifort write them:
 * `marker | data | marker` with 4- or 8-byte markers in either byte order,
 * and records longer than a subrecord limit split into subrecords whose
 * marker signs say whether another subrecord follows (leading marker < 0) or
 * came before (trailing marker < 0). See shared/spec/GRASP-MIXING.md, 2.
 *
 * The byte source is a regular file (read with pread through a small window)
 * or caller memory, so the same code serves the CLI, the Python binding and
 * the fuzzer. The source's size is known up front: every length announced by
 * the file is checked against the bytes that remain before anyone allocates
 * memory for it.
 *
 * A caller reads a record by announcing how many data bytes it must hold
 * (csfs_frec_begin), reading or skipping exactly that many, and closing it
 * (csfs_frec_end). A record of any other length is an error: GRASP's records
 * all have lengths that the preceding records fix.
 */
#ifndef CSFS_MIX_RECORD_H
#define CSFS_MIX_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"

typedef struct csfs_frec {
    char *name;         /* used in messages */
    int fd;             /* -1 for a memory source */
    const uint8_t *mem; /* memory source, not owned */
    uint64_t size;      /* bytes in the source */
    uint64_t pos;       /* next byte to consume */
    uint8_t *win;       /* file source: read-ahead window */
    size_t win_cap, win_len;
    uint64_t win_start;
    int marker_bytes; /* 4 or 8, fixed by csfs_frec_detect */
    int big_endian;   /* markers and data are big-endian */
    int swap;         /* file byte order differs from the host's */
    /* The record being read. */
    const char *what;   /* e.g. "the IVEC record of block 3", for messages */
    uint64_t rec_start; /* offset of its first leading marker */
    uint64_t expected;  /* data bytes it must hold */
    uint64_t done;      /* data bytes consumed */
    uint64_t sub_len;   /* data bytes of the current subrecord */
    uint64_t sub_left;  /* ... not yet consumed */
    int sub_more;       /* the current subrecord is not the last */
    int sub_index;      /* 0 for the first subrecord */
    int in_record;
} csfs_frec;

/* Opens a regular file (pipes are refused: their size is unknown). */
int csfs_frec_open_file(csfs_frec *r, const char *path, csfs_error *err);

/* A source over size bytes of memory, which must outlive r. */
int csfs_frec_open_memory(csfs_frec *r, const void *data, size_t size, const char *name,
                          csfs_error *err);

void csfs_frec_close(csfs_frec *r);

/*
 * Reads the first record, which must hold exactly the n bytes of magic, and
 * fixes the marker size and byte order from it. Fails with CSFS_E_FORMAT
 * ("not a ... file") otherwise; `kind` names the expected file type.
 */
int csfs_frec_detect(csfs_frec *r, const char *magic, size_t n, const char *kind, csfs_error *err);

/* Bytes not yet consumed. */
static inline uint64_t csfs_frec_remaining(const csfs_frec *r)
{
    return r->size - r->pos;
}

/* Size of a record of n data bytes without subrecords. */
static inline uint64_t csfs_frec_framed(const csfs_frec *r, uint64_t n)
{
    return n + 2 * (uint64_t)r->marker_bytes;
}

/* Starts a record that must hold exactly `expected` data bytes. `what`
 * (a string that must live until csfs_frec_end) names it in messages. */
int csfs_frec_begin(csfs_frec *r, uint64_t expected, const char *what, csfs_error *err);

/* Consumes n data bytes of the current record into dst (raw file bytes). */
int csfs_frec_read(csfs_frec *r, void *dst, size_t n, csfs_error *err);

/* The same, converting n 4-byte integers / 8-byte reals to host order. */
int csfs_frec_read_i32(csfs_frec *r, int32_t *dst, size_t n, csfs_error *err);
int csfs_frec_read_f64(csfs_frec *r, double *dst, size_t n, csfs_error *err);

/* Skips n data bytes of the current record (markers are still checked). */
int csfs_frec_skip(csfs_frec *r, uint64_t n, csfs_error *err);

/* Ends the current record: all expected bytes consumed, markers consistent. */
int csfs_frec_end(csfs_frec *r, csfs_error *err);

/* "4-byte little-endian" etc., for messages and metadata. */
const char *csfs_frec_describe(const csfs_frec *r);

#endif
