/*
 * The TOML lexer of the header TOML reader: a cursor over the text that
 * counts lines, and scanners for white space, comments, strings, keys and
 * integers. Errors are CSFS_E_FORMAT "name:LINE: message".
 */
#ifndef CSFS_TOML_SCAN_H
#define CSFS_TOML_SCAN_H

#include <stdint.h>

#include "common/buf.h"
#include "csfs.h"

typedef struct toml_cursor {
    const char *p, *end;
    uint64_t line; /* 1-based line of p */
    const char *name;
    csfs_error *err;
} toml_cursor;

/* Fails at the cursor's line: fmt holds one %s, filled with detail (or ""). */
int toml_fail(toml_cursor *P, const char *fmt, const char *detail);
/* 1 when the text at the cursor starts with s. */
int toml_at(const toml_cursor *P, const char *s);
void toml_skip_ws(toml_cursor *P);
int toml_is_newline(const toml_cursor *P);
void toml_eat_newline(toml_cursor *P);
int toml_skip_comment(toml_cursor *P);
/* After a value or table header: white space, a comment, a line end or EOF. */
int toml_expect_line_end(toml_cursor *P);
/* White space, comments and line ends (inside arrays). */
int toml_skip_blank(toml_cursor *P);
int toml_hexval(char c);
/* A string of any of the four forms at the cursor, decoded onto out. */
int toml_parse_string(toml_cursor *P, csfs_buf *out);
int toml_is_bare_key_char(char c);
/* A key (bare, quoted, or dotted: parts joined by 0x1F) onto out. */
int toml_parse_key(toml_cursor *P, csfs_buf *out, int *segments);
/* An integer in any TOML form: magnitude (< 2^63, or 2^63 negated) and sign. */
int toml_parse_integer(toml_cursor *P, uint64_t *mag, int *neg);

#endif
