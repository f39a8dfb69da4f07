/* UTF-8 validation (TOML files and TOML strings must be UTF-8). */
#ifndef CSFS_UTF8_H
#define CSFS_UTF8_H

#include <stddef.h>

/* Length of the longest valid UTF-8 prefix of s[0..len) (== len when all of
 * it is valid): no overlong forms, surrogates or code points past U+10FFFF. */
size_t csfs_utf8_valid_prefix(const char *s, size_t len);

#endif
