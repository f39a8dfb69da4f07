/* UTF-8: the one validation and encoding rule (TOML files and strings, JSON
 * text, Parquet statistics shown as text). */
#ifndef CSFS_UTF8_H
#define CSFS_UTF8_H

#include <stddef.h>

/* Length (1-4) of the well-formed UTF-8 sequence at s[0..len), 0 when there
 * is none: no overlong forms, surrogates or code points past U+10FFFF. */
size_t csfs_utf8_seq_len(const char *s, size_t len);

/* Length of the longest valid UTF-8 prefix of s[0..len) (== len when all of
 * it is valid). */
size_t csfs_utf8_valid_prefix(const char *s, size_t len);

/* Writes code point cp (< 0x110000) to out[0..4) as UTF-8; returns its length. */
size_t csfs_utf8_encode(unsigned long cp, char out[4]);

#endif
