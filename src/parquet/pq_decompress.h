/*
 * Page decompression for the reader. A pq_decompressor keeps codec contexts
 * (zstd, zlib, lz4 frame) between pages of one thread; it is not shared.
 */
#ifndef CSFS_PQ_DECOMPRESS_H
#define CSFS_PQ_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"

typedef struct pq_decompressor {
    void *zstd; /* ZSTD_DCtx */
    void *zlib; /* z_stream set up for zlib or gzip framing */
    void *lz4f; /* LZ4F_dctx */
} pq_decompressor;

/* Whether csfs can decompress pages written with this codec (pq_codec value). */
int pq_codec_supported(int codec);

/*
 * The most bytes `n` compressed bytes can expand to under codec (from the
 * codecs' best possible ratios): a declared uncompressed size above it is a
 * lie, refused before anything is allocated.
 */
uint64_t pq_decompress_bound(int codec, uint64_t n);

/*
 * Decompresses src[0..n) into exactly dst_len bytes at dst. `where` names
 * the page in messages. CSFS_E_UNSUPPORTED for codecs csfs does not read,
 * CSFS_E_FORMAT for corrupt data or a size other than dst_len.
 * LZ4 (the deprecated codec 5) is tried as Hadoop-framed blocks, then as an
 * LZ4 frame, then as one raw block, as writers have used all three.
 */
int pq_decompress(pq_decompressor *d, int codec, const uint8_t *src, size_t n, uint8_t *dst,
                  size_t dst_len, const char *where, csfs_error *err);

void pq_decompressor_free(pq_decompressor *d);

#endif
