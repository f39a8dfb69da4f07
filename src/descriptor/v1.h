/*
 * The descriptor engine: three CSF lines -> one row of the descriptor matrix
 * (shared/spec/DESCRIPTORS.md), written straight into column buffers.
 *
 * A csfs_desc_ctx is per thread: it holds scratch sized by the peel list and
 * is reused for every CSF, so parsing allocates nothing per CSF.
 */
#ifndef CSFS_DESCRIPTOR_H
#define CSFS_DESCRIPTOR_H

#include <stddef.h>
#include <stdint.h>

#include "grasp/csf_text.h"
#include "csfs.h"
#include "grasp/peel.h"

/* Why a CSF failed (it is then written as a row of zeros). */
typedef enum csfs_csf_status {
    CSFS_CSF_OK = 0,
    CSFS_CSF_NON_ASCII,      /* a byte >= 0x80 in one of the three lines */
    CSFS_CSF_BAD_FINAL_J,    /* the total J at the end of line 3 does not parse */
    CSFS_CSF_NEG_TARGET,     /* normalisation: negative coupling target */
    CSFS_CSF_BAD_OCCUPATION, /* normalisation: electrons < 0 or > capacity */
    CSFS_CSF_NO_CAPACITY,    /* normalisation: a peel name with no known capacity */
} csfs_csf_status;

const char *csfs_csf_status_text(csfs_csf_status status);

typedef struct csfs_desc_ctx {
    /* Each worker's context on its own cache lines (arrays of contexts are
     * allocated 64-byte aligned): they are written for every CSF. */
    _Alignas(64) const csfs_peel *peel;
    size_t n_peel;
    csfs_layout layout;
    int normalize;
    int32_t *row;      /* 3 * n_peel raw values of the CSF being parsed */
    uint32_t *touched; /* peel indices set by this CSF, in field order */
    size_t n_touched;
    uint8_t *mark;                /* mark[i] != 0 while i is in touched */
    int32_t *capacity;            /* electrons a subshell holds; 0 = unknown name */
    uint64_t *stored;             /* bit k: csfs_desc_store wrote subshell k's triple */
    void *scratch;                /* the one block row/touched/mark/capacity live in */
    const char *no_capacity_name; /* first peel name without capacity, or NULL */
    /* Set by csfs_desc_parse_records while every byte of its records is
     * known to be ASCII (checked once per chunk): csfs_desc_parse then skips
     * its own per-CSF check. */
    int ascii_known;
    /* Set by the caller of csfs_desc_parse_records when the chunk's records
     * were parsed in its scan (descriptor/parsed.h): they are then only
     * loaded from there and stored. NULL: parse them. */
    const struct csfs_parsed_chunk *parsed;
    /* Set by csfs_desc_parse for the caller's warnings. */
    uint32_t unknown_fields;      /* fields of this CSF whose name is not in the peel */
    uint32_t first_unknown_field; /* 0-based field index of the first of them */
} csfs_desc_ctx;

int csfs_desc_ctx_init(csfs_desc_ctx *ctx, const csfs_peel *peel, csfs_layout layout, int normalize,
                       csfs_error *err);
void csfs_desc_ctx_free(csfs_desc_ctx *ctx);

/* Number of values in a row. */
size_t csfs_desc_width(const csfs_desc_ctx *ctx);

/*
 * Parses one CSF into ctx (lines without line ends). On CSFS_CSF_OK the row
 * can be stored with csfs_desc_store.
 */
csfs_csf_status csfs_desc_parse(csfs_desc_ctx *ctx, const char *l1, size_t n1, const char *l2,
                                size_t n2, const char *l3, size_t n3);

/*
 * Writes the parsed row: value c goes to dst[c * col_stride] (int32, or
 * float when normalising). Only non-zero triples are written: the caller
 * provides a zeroed destination. Sets bit k of ctx->stored for each peel
 * subshell k it writes (the caller clears it). Returns a normalisation
 * failure (nothing written), else OK.
 */
csfs_csf_status csfs_desc_store(csfs_desc_ctx *ctx, void *dst, size_t col_stride);

/* ---- records of a chunk into column buffers ------------------------------ */

#define CSFS_MAX_NOTES 8

typedef struct csfs_desc_note {
    uint64_t record; /* index of the CSF in its chunk */
    uint32_t line;   /* chunk-relative 0-based line of its line 1 */
    int status;      /* csfs_csf_status, or -1 for an unknown subshell */
    char name[8];    /* the unknown subshell's name */
} csfs_desc_note;

/* What parsing a chunk found, for the messages the pipeline writes in order. */
typedef struct csfs_desc_notes {
    uint64_t failed;
    uint64_t unknown_fields;
    csfs_desc_note failures[CSFS_MAX_NOTES]; /* the first failures */
    size_t n_failures;
    csfs_desc_note unknown; /* the first unknown subshell */
    int has_unknown;
} csfs_desc_notes;

void csfs_desc_notes_clear(csfs_desc_notes *notes);

/*
 * Parses records [first, end) of a scanned chunk: record i goes to row
 * i - first of dst, value c at dst[c * col_stride + (i - first)]. The rows
 * must hold zeros (all bits): only non-zero triples are written, so a failed
 * CSF stays a row of zeros. Bit c of touched (when not NULL) is set for each
 * column c written. Failures and unknown subshells are added to notes.
 */
void csfs_desc_parse_records(csfs_desc_ctx *ctx, const char *data, const csfs_chunk_scan *scan,
                             size_t first, size_t end, uint32_t *dst, size_t col_stride,
                             uint64_t *touched, csfs_desc_notes *notes);

#endif
