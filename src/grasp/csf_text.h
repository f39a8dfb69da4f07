/*
 * GRASP CSF list text: the 5 header lines, then 3-line records in blocks
 * separated by " *" lines (see shared/spec/CSF-FORMAT.md).
 *
 * Reading is split in two so that parsing can run on worker threads:
 *   - the reader (csfs_text_reader) only moves bytes: it fills a caller-owned
 *     buffer with whole records, cutting before a line that starts a record
 *     (`(` at byte 5 and `)` at byte 8) or a separator, never counting lines;
 *   - csfs_scan_chunk() splits such a chunk into records and separators and
 *     checks the record structure. Line numbers in its results are relative
 *     to the chunk; the caller adds the chunk's first line number, known once
 *     the chunks before it were scanned.
 */
#ifndef CSFS_CSF_TEXT_H
#define CSFS_CSF_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/buf.h"
#include "common/bytes.h"
#include "csfs.h"
#include "io/input.h"

#define CSFS_HEADER_LINES 5
/* A record or header line longer than this is not a GRASP list: refuse it
 * instead of growing memory without bound on a file with no line ends. */
#define CSFS_MAX_LINE_BYTES ((size_t)256 << 20)

typedef struct csfs_header {
    char *lines[CSFS_HEADER_LINES]; /* without line end; NUL-terminated */
    size_t lens[CSFS_HEADER_LINES];
    uint64_t bytes; /* header bytes including line ends */
} csfs_header;

typedef struct csfs_text_reader csfs_text_reader;

/*
 * Opens a CSF list and reads its header. chunk_bytes is the target size of
 * the chunks csfs_text_next_chunk returns (0 = 8 MiB).
 */
int csfs_text_open(const char *path, size_t chunk_bytes, csfs_text_reader **out, csfs_error *err);
const csfs_header *csfs_text_header(const csfs_text_reader *r);
const char *csfs_text_name(const csfs_text_reader *r);
/* The chunk size asked for at open (default and cap applied). */
size_t csfs_text_chunk_bytes(const csfs_text_reader *r);
csfs_input *csfs_text_input(csfs_text_reader *r);

/*
 * Fills buf (reusing its memory) with the next chunk of whole lines, cut
 * before a record start or separator; buf->len == 0 at the end of input.
 */
int csfs_text_next_chunk(csfs_text_reader *r, csfs_buf *buf, csfs_error *err);

/* 1 once the chunk just returned was the last one. */
int csfs_text_at_end(const csfs_text_reader *r);

void csfs_text_close(csfs_text_reader *r);

/* One CSF: its three lines inside a chunk (line ends and one CR removed). */
typedef struct csfs_record {
    uint32_t off[3];
    uint32_t len[3];
    uint32_t line; /* chunk-relative 0-based line index of line 1 */
} csfs_record;

/* A column of strings (a decoded Parquet BYTE_ARRAY column). */
typedef struct csfs_line_column {
    const char *data;
    const uint64_t *off; /* value i is data[off[i] .. off[i + 1]) */
    /* Set: values are in their Parquet PLAIN page (pq_column_data's
     * `prefixed`): value i is data[off[i] ..) of the 4-byte little-endian
     * length stored just before it. */
    int prefixed;
} csfs_line_column;

typedef struct csfs_chunk_scan {
    /* Records are rows of three string columns (CSF Parquet input) when set:
     * record i's line k is value i of cols[k]; rec is then unused. */
    const csfs_line_column *cols;
    csfs_record *rec;
    size_t n_rec, cap_rec;
    /* Block separators: sep_before[k] = number of records of this chunk
     * before the k-th separator line. */
    size_t *sep_before;
    size_t n_sep, cap_sep;
    uint64_t lines;          /* lines in the chunk */
    uint64_t crlf_lines;     /* lines that ended with CR LF */
    uint64_t odd_separators; /* separators other than exactly " *" */
    /* Blank lines after the last record, tolerated only at the end of the
     * file: chunk-relative index of the first, or -1. */
    int64_t trailing_blank;
    int has_content; /* any record or separator */
    /* Last chunk only: 1-based chunk line of a separator after which the list
     * has no record (it ends with " *": an empty last J block, or a list cut
     * after a separator); 0 when none. */
    uint64_t trailing_separator;
    /* After an "incomplete record" error: the record's first line
     * (chunk-relative, 0-based) and how many of its 3 lines were there. */
    uint64_t bad_record_line;
    int bad_record_parts;
    /* Set by a source that made the chunk (engine/pipeline.h csfs_pipe_maker),
     * or by the CSF Parquet reader from its page tests, when every byte is
     * ASCII; the scanner never sets it. */
    int made_ascii;
    /* A making source's own form of the records, for a kind that asked for
     * it (e.g. descriptor/v2.h csfs_v2_made); NULL otherwise. */
    const void *made;
    /* Set by csfs_scan_chunk when it succeeds and every byte of the chunk is
     * ASCII (found in the same pass that finds the line ends), so that
     * csfs_records_ascii needs no pass of its own. */
    int ascii;
    /* Set by the caller: 1 forces the portable scalar scanner; 0 takes the
     * SSE2 one where the build has it (x86-64). Both give the same result. */
    int scalar;
    /* Optional, set by the caller: called by csfs_scan_chunk as each record
     * is complete (its bytes were just scanned), in file order, with its
     * chunk-relative index; ascii: every byte of its three lines is ASCII.
     * A non-zero return (a negative CSFS_E_*, err filled) stops the scan
     * with that status. */
    int (*on_record)(void *arg, const char *data, const csfs_record *rec, size_t index, int ascii,
                     csfs_error *err);
    void *on_record_arg;
} csfs_chunk_scan;

/*
 * Splits data[0..len) into records (grasp/csf_scan.c). Never writes into
 * data. On a structural error (a record that
 * does not start with a line-1 field, an incomplete record, a blank line, a
 * NUL byte, or a file that ends inside a line 3 without its parity sign)
 * returns CSFS_E_FORMAT with err->line set to the chunk-relative 1-based line
 * and err->message holding the reason only (no file or line: the caller
 * prefixes them). is_last: the chunk ends the file.
 */
int csfs_scan_chunk(const char *data, size_t len, int is_last, csfs_chunk_scan *scan,
                    csfs_error *err);

void csfs_chunk_scan_free(csfs_chunk_scan *scan);

/*
 * A scanned chunk of a list, taken in file order, in the list's terms: the
 * error the whole list gives at this chunk (its file name, 1-based line and
 * reason, whatever the chunk size), or 0. line_base: the list's lines before
 * the chunk; *pending_blank: the line of a blank line seen at the end of an
 * earlier chunk, or -1 (updated: a blank line is only allowed at the end).
 * scan_rc and scan_err are csfs_scan_chunk's result for the chunk.
 */
int csfs_scan_verdict(const char *name, uint64_t line_base, int64_t *pending_blank,
                      const csfs_chunk_scan *scan, int scan_rc, const csfs_error *scan_err,
                      csfs_error *err);

/*
 * Whether every byte of records [first, end) of a text chunk is ASCII, in one
 * pass over the contiguous range they occupy (parsers then skip their
 * per-CSF check); for Parquet input, the same over each string column's
 * values, which are contiguous (in place, with their length prefixes between
 * them: a prefix byte >= 0x80 only costs the parsers their own check).
 */
int csfs_records_ascii(const char *data, const csfs_chunk_scan *scan, size_t first, size_t end);

/* The three lines of record i of a scanned chunk of `data`. */
static inline void csfs_record_lines(const csfs_chunk_scan *s, const char *data, size_t i,
                                     const char *line[3], size_t len[3])
{
    for (int k = 0; k < 3; k++) {
        if (s->cols) {
            const csfs_line_column *c = &s->cols[k];
            line[k] = c->data + c->off[i];
            if (c->prefixed) {
                len[k] = csfs_load4(line[k] - 4); /* little-endian, as the reader */
            } else {
                len[k] = (size_t)(c->off[i + 1] - c->off[i]);
            }
        } else {
            line[k] = data + s->rec[i].off[k];
            len[k] = s->rec[i].len[k];
        }
    }
}

/* 1 when the line can be the first line of a record. */
static inline int csfs_is_record_start(const char *p, size_t len)
{
    return len >= 9 && p[5] == '(' && p[8] == ')';
}

/* 1 when the line's trimmed text is "*". */
int csfs_is_separator(const char *p, size_t len);

/*
 * 1 when a chunk may begin with the line p[0..n) (n without the LF; a CR
 * before it is dropped here): a record's line 1 or a separator. The one rule
 * by which both chunk cutters (the reader's, and csf_text_ranges.h's for
 * workers that read their own byte ranges) place chunk boundaries, so that
 * a record never straddles two chunks unless it is malformed anyway.
 */
static inline int csfs_is_cut_line(const char *p, size_t n)
{
    if (n && p[n - 1] == '\r') n--;
    return csfs_is_record_start(p, n) || csfs_is_separator(p, n);
}

#endif
