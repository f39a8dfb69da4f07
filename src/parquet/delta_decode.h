/*
 * DELTA_BINARY_PACKED decoding: the integer stream behind the DELTA_* value
 * encodings (INT32/INT64 values, and the lengths of DELTA_LENGTH_BYTE_ARRAY
 * and DELTA_BYTE_ARRAY).
 */
#ifndef CSFS_DELTA_DECODE_H
#define CSFS_DELTA_DECODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the first n values of the stream at src[0..len) into out, which
 * holds int32_t when bits is 32 and int64_t when bits is 64 (arithmetic wraps,
 * as the format requires). *total receives the count the header declares,
 * which must be at least n. When n equals that count, *consumed is the size of
 * the whole stream (where what follows it starts).
 * Returns 0, or -1 with *why set to a static description.
 */
int pq_dbp_decode(const uint8_t *src, size_t len, unsigned bits, void *out, size_t n,
                  uint64_t *total, size_t *consumed, const char **why);

#endif
