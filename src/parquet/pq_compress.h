/*
 * Page compression for the writer. A pq_compressor keeps the codec contexts
 * (zstd, zlib) alive between pages: creating them per page would cost more
 * than compressing a small page.
 */
#ifndef CSFS_PQ_COMPRESS_H
#define CSFS_PQ_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "parquet/pq_format.h"
#include "parquet/pq_wbuf.h"

typedef struct pq_compressor {
    void *zstd;     /* ZSTD_CCtx */
    void *zlib;     /* z_stream, set up for gzip framing */
    int zlib_level; /* level zlib was initialised with */
} pq_compressor;

/* Resolves level 0 to the codec's default (zstd 3, gzip 6). */
int pq_codec_level(pq_codec codec, int level);

/* Appends the compressed form of src[0..n) to dst. UNCOMPRESSED copies. */
int pq_compress(pq_compressor *c, pq_codec codec, int level, const uint8_t *src, size_t n,
                pq_wbuf *dst, csfs_error *err);

void pq_compressor_free(pq_compressor *c);

#endif
