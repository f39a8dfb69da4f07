/* SHA-256 (FIPS 180-4), for the header checksum rCSFs 1.3 records in V2
 * descriptor files. Small and dependency-free: the core library links no
 * crypto library. */
#ifndef CSFS_SHA256_H
#define CSFS_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct csfs_sha256 {
    uint32_t h[8];
    uint64_t bytes;
    uint8_t block[64];
    size_t fill;
} csfs_sha256;

void csfs_sha256_init(csfs_sha256 *s);
void csfs_sha256_update(csfs_sha256 *s, const void *data, size_t len);
/* 64 lower-case hex digits and a NUL. */
void csfs_sha256_hex(csfs_sha256 *s, char out[65]);

#endif
