/*
 * The header TOML beside a CSF Parquet file ("<input stem>_header.toml"), as
 * rCSFs writes it: the 5 GRASP header lines, conversion counts and, for lists
 * with several J blocks, the CSFs per block.
 *
 * Writer: byte-identical to rCSFs (serde + the `toml` crate's pretty
 * serializer, toml 0.9 / toml_writer 1.x). The document is
 *
 *     [header_info]
 *     header_lines = [
 *         "Core subshells:",
 *         ...                      (4 spaces, one item a line, trailing comma)
 *     ]
 *
 *     [block_info]                 (only with 2 or more blocks: rCSFs 1.3)
 *     block_count = 5
 *     block_lengths = [            (an array of 2+ items is one item a line;
 *         10,                       one item is written inline: [10])
 *         ...
 *     ]
 *
 *     [conversion_stats]
 *     csf_count = 28
 *     total_lines = 84
 *     truncated_count = 0
 *
 * with LF line ends, one blank line before every table but the first and a
 * final LF. Strings take the first form that needs no escape (toml_writer's
 * TomlStringBuilder::as_default): "basic" when the text has no '"', '\\',
 * control character or line break (a tab is still written as \t); else
 * 'literal' when it has no '\'' or control character or line break; else
 * """multi-line basic""" when it has no '\\' or control character and no run
 * of 3+ '"'; else '''multi-line literal''' when it has no control character and
 * no run of 3+ '\''; else an escaped basic string (\b \t \n \f \r \" \\ and
 * \uXXXX with upper-case hex for other controls).
 *
 * Reader: a small strict TOML parser of what such files can hold (tables,
 * bare/quoted/dotted keys, integers, booleans, the four string forms, arrays
 * over several lines with comments and a trailing comma). Unknown tables and
 * keys are ignored; floats, dates and inline tables are refused. Messages
 * name the file and the 1-based line.
 */
#ifndef CSFS_HEADER_TOML_H
#define CSFS_HEADER_TOML_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "grasp/csf_text.h"
#include "csfs.h"

/* Writer input; every pointer is borrowed from the caller for the call. */
typedef struct csfs_header_info {
    const char *lines[CSFS_HEADER_LINES]; /* the header lines, without line ends */
    size_t lens[CSFS_HEADER_LINES];
    uint64_t csf_count;
    /* Lines after the header that rCSFs counts: see csfs_header_total_lines(). */
    uint64_t total_lines;
    uint64_t truncated_count; /* lines rCSFs shortened to max_line_len; csfs: 0 */
    /* CSFs per J block (0 for an empty block). [block_info] is written when
     * n_blocks >= 2; with n_blocks <= 1 the list is one block (or none). */
    const uint64_t *block_lengths;
    size_t n_blocks;
} csfs_header_info;

/*
 * The total_lines csfs reports: every line after the header that is part of
 * the list, i.e. 3 per CSF plus one per " *" separator (n_blocks - 1). rCSFs
 * 1.2 counted every line after the header, so for the lists it could read
 * (one block, no trailing junk) both are 3 x csf_count.
 */
uint64_t csfs_header_total_lines(uint64_t csf_count, size_t n_blocks);

/* Appends the TOML text for info to out. Fails (CSFS_E_ARGUMENT) when the
 * block lengths do not add up to csf_count, and (CSFS_E_FORMAT) when a header
 * line is not UTF-8, which TOML cannot hold. */
int csfs_header_toml_format(const csfs_header_info *info, csfs_buf *out, csfs_error *err);

/* Writes the TOML to toml_path atomically (temporary + rename): refused when
 * it exists unless force. */
int csfs_header_toml_write(const char *toml_path, const csfs_header_info *info, int force,
                           csfs_error *err);

/*
 * rCSFs's sidecar name for converting input_path to output_path:
 * "<directory of output_path>/<stem of input_path>_header.toml", where the
 * stem is Rust's Path::file_stem (the file name without its last extension;
 * a name like ".hidden" or without a dot is kept whole) and "csfs" stands
 * in when the input has no file name ("-", "/", "..").
 * *out is malloc'd.
 */
int csfs_header_toml_path(const char *input_path, const char *output_path, char **out,
                          csfs_error *err);

/* Rust Path::file_stem of path's last component: start and length inside
 * path; *len == 0 when there is none. */
void csfs_path_file_stem(const char *path, const char **stem, size_t *len);

/* What a header TOML holds (reader output, owned; csfs_header_toml_free). */
typedef struct csfs_header_toml {
    char *lines[CSFS_HEADER_LINES]; /* NUL-terminated; no NUL or line break inside */
    size_t lens[CSFS_HEADER_LINES];
    int has_csf_count, has_total_lines, has_truncated_count;
    uint64_t csf_count, total_lines, truncated_count;
    int has_block_info; /* [block_info] with block_lengths */
    uint64_t *block_lengths;
    size_t n_blocks;
} csfs_header_toml;

/* Parses TOML text; `name` is used in messages ("name:LINE: ..."). */
int csfs_header_toml_parse(const char *text, size_t len, const char *name, csfs_header_toml *out,
                           csfs_error *err);

/* Reads and parses a header TOML file (at most 64 MiB). */
int csfs_header_toml_read(const char *path, csfs_header_toml *out, csfs_error *err);

void csfs_header_toml_free(csfs_header_toml *h);

/* The peel list: header line 4 by the rCSFs token rule. */
int csfs_header_toml_peel(const csfs_header_toml *h, csfs_peel **out, csfs_error *err);

/* 1 when data (the start of a file) has a line "[header_info]": how csfs
 * tells a header TOML from a CSF list. */
int csfs_header_toml_sniff(const char *data, size_t len);

#endif
