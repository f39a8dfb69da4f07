#include "parquet/pq_compress.h"

#include <limits.h>
#include <snappy-c.h>
#include <stdlib.h>
#include <zlib.h>
#include <zstd.h>

#include "common/error.h"

int pq_codec_level(pq_codec codec, int level)
{
    if (level != 0) return level;
    switch (codec) {
    case PQ_CODEC_ZSTD:
        return 3;
    case PQ_CODEC_GZIP:
        return 6;
    default:
        return 0;
    }
}

static int oom(csfs_error *err)
{
    return csfs_fail(err, CSFS_E_NOMEM, "parquet writer: out of memory");
}

static int compress_zstd(pq_compressor *c, int level, const uint8_t *src, size_t n, pq_wbuf *dst,
                         csfs_error *err)
{
    if (!c->zstd && !(c->zstd = ZSTD_createCCtx())) return oom(err);
    size_t bound = ZSTD_compressBound(n);
    if (!pq_wbuf_reserve(dst, bound)) return oom(err);
    size_t r = ZSTD_compressCCtx(c->zstd, dst->data + dst->size, bound, src, n, level);
    if (ZSTD_isError(r))
        return csfs_fail(err, CSFS_E_ARGUMENT, "zstd compression failed: %s", ZSTD_getErrorName(r));
    dst->size += r;
    return 0;
}

static int compress_snappy(const uint8_t *src, size_t n, pq_wbuf *dst, csfs_error *err)
{
    size_t bound = snappy_max_compressed_length(n);
    if (!pq_wbuf_reserve(dst, bound)) return oom(err);
    size_t len = bound;
    if (snappy_compress((const char *)src, n, (char *)dst->data + dst->size, &len) != SNAPPY_OK)
        return csfs_fail(err, CSFS_E_ARGUMENT, "snappy compression failed");
    dst->size += len;
    return 0;
}

/* One z_stream per compressor, reset between pages; re-created only when the
 * level changes, since deflateInit2 allocates ~256 KiB. */
static int compress_gzip(pq_compressor *c, int level, const uint8_t *src, size_t n, pq_wbuf *dst,
                         csfs_error *err)
{
    if (n > UINT_MAX) return csfs_fail(err, CSFS_E_ARGUMENT, "gzip: page too large");
    if (level < Z_NO_COMPRESSION || level > Z_BEST_COMPRESSION)
        return csfs_fail(err, CSFS_E_ARGUMENT, "gzip level %d is not in 0..9", level);
    z_stream *zs = c->zlib;
    if (zs && c->zlib_level != level) {
        deflateEnd(zs);
        free(zs);
        zs = c->zlib = NULL;
    }
    if (!zs) {
        zs = calloc(1, sizeof *zs);
        if (!zs) return oom(err);
        /* windowBits 15 + 16 selects the gzip wrapper Parquet's GZIP codec means. */
        int rc = deflateInit2(zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
        if (rc != Z_OK) {
            free(zs);
            return rc == Z_MEM_ERROR ? oom(err)
                                     : csfs_fail(err, CSFS_E_ARGUMENT, "gzip: cannot initialise");
        }
        c->zlib = zs;
        c->zlib_level = level;
    } else if (deflateReset(zs) != Z_OK) {
        return csfs_fail(err, CSFS_E_ARGUMENT, "gzip: cannot reset the stream");
    }
    /* deflateBound does not count the gzip header and trailer (18 bytes). */
    size_t bound = deflateBound(zs, (uLong)n) + 32;
    if (bound > UINT_MAX) return csfs_fail(err, CSFS_E_ARGUMENT, "gzip: page too large");
    if (!pq_wbuf_reserve(dst, bound)) return oom(err);
    zs->next_in = (Bytef *)(uintptr_t)src; /* zlib's API is not const-correct */
    zs->avail_in = (uInt)n;
    zs->next_out = dst->data + dst->size;
    zs->avail_out = (uInt)bound;
    int rc = deflate(zs, Z_FINISH);
    if (rc != Z_STREAM_END) return csfs_fail(err, CSFS_E_ARGUMENT, "gzip compression failed");
    dst->size += bound - zs->avail_out;
    return 0;
}

int pq_compress(pq_compressor *c, pq_codec codec, int level, const uint8_t *src, size_t n,
                pq_wbuf *dst, csfs_error *err)
{
    level = pq_codec_level(codec, level);
    switch (codec) {
    case PQ_CODEC_UNCOMPRESSED:
        pq_wbuf_append(dst, src, n);
        return dst->failed ? oom(err) : 0;
    case PQ_CODEC_SNAPPY:
        return compress_snappy(src, n, dst, err);
    case PQ_CODEC_GZIP:
        return compress_gzip(c, level, src, n, dst, err);
    case PQ_CODEC_ZSTD:
        return compress_zstd(c, level, src, n, dst, err);
    default:
        return csfs_fail(err, CSFS_E_UNSUPPORTED, "parquet writer: codec %d is not supported",
                         (int)codec);
    }
}

void pq_compressor_free(pq_compressor *c)
{
    ZSTD_freeCCtx(c->zstd);
    if (c->zlib) {
        deflateEnd(c->zlib);
        free(c->zlib);
    }
    c->zstd = NULL;
    c->zlib = NULL;
}
