#include "parquet/pq_decompress.h"

#include <limits.h>
#include <lz4.h>
#include <lz4frame.h>
#include <snappy-c.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "common/error.h"
#include "parquet/pq_format.h"
#include "parquet/pq_names.h"

int pq_codec_supported(int codec)
{
    switch (codec) {
    case PQ_CODEC_UNCOMPRESSED:
    case PQ_CODEC_SNAPPY:
    case PQ_CODEC_GZIP:
    case PQ_CODEC_LZ4:
    case PQ_CODEC_ZSTD:
    case PQ_CODEC_LZ4_RAW:
        return 1;
    default:
        return 0;
    }
}

uint64_t pq_decompress_bound(int codec, uint64_t n)
{
    /* Best ratios: snappy ~21 (a 64-byte copy in 3 bytes), deflate 1032,
     * lz4 ~255, zstd ~32768 (a 128 KiB RLE block in 4 bytes); rounded up,
     * plus slack for headers of tiny inputs. */
    uint64_t ratio;
    switch (codec) {
    case PQ_CODEC_UNCOMPRESSED:
        return n;
    case PQ_CODEC_SNAPPY:
        ratio = 32;
        break;
    case PQ_CODEC_GZIP:
        ratio = 1040;
        break;
    case PQ_CODEC_LZ4:
    case PQ_CODEC_LZ4_RAW:
        ratio = 256;
        break;
    case PQ_CODEC_ZSTD:
        ratio = 65536;
        break;
    default:
        return 0;
    }
    if (n > (UINT64_MAX >> 20) / ratio) return UINT64_MAX;
    return n * ratio + ((uint64_t)1 << 20);
}

static int corrupt(csfs_error *err, int codec, const char *where, const char *detail)
{
    return csfs_fail(err, CSFS_E_FORMAT, "%s: corrupt %s data%s%s", where, pq_codec_name(codec),
                     detail ? ": " : "", detail ? detail : "");
}

static int do_snappy(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len, const char *where,
                     csfs_error *err)
{
    size_t ulen;
    if (snappy_uncompressed_length((const char *)src, n, &ulen) != SNAPPY_OK)
        return corrupt(err, PQ_CODEC_SNAPPY, where, "bad length header");
    if (ulen != dst_len)
        return corrupt(err, PQ_CODEC_SNAPPY, where, "size differs from the page header");
    size_t out = dst_len;
    if (snappy_uncompress((const char *)src, n, (char *)dst, &out) != SNAPPY_OK || out != dst_len)
        return corrupt(err, PQ_CODEC_SNAPPY, where, NULL);
    return 0;
}

static int do_zstd(pq_decompressor *d, const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len,
                   const char *where, csfs_error *err)
{
    if (!d->zstd && !(d->zstd = ZSTD_createDCtx()))
        return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", where);
    size_t r = ZSTD_decompressDCtx(d->zstd, dst, dst_len, src, n);
    if (ZSTD_isError(r)) return corrupt(err, PQ_CODEC_ZSTD, where, ZSTD_getErrorName(r));
    if (r != dst_len)
        return corrupt(err, PQ_CODEC_ZSTD, where, "size differs from the page header");
    return 0;
}

/* zlib or gzip framing (auto-detected), several concatenated members allowed
 * as some writers emit them. */
static int do_gzip(pq_decompressor *d, const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len,
                   const char *where, csfs_error *err)
{
    if (n > UINT_MAX || dst_len > UINT_MAX)
        return corrupt(err, PQ_CODEC_GZIP, where, "page too large");
    z_stream *z = d->zlib;
    if (!z) {
        if (!(z = calloc(1, sizeof *z)))
            return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", where);
        if (inflateInit2(z, 15 + 32) != Z_OK) {
            free(z);
            return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", where);
        }
        d->zlib = z;
    } else if (inflateReset(z) != Z_OK) {
        return corrupt(err, PQ_CODEC_GZIP, where, "zlib reset failed");
    }
    z->next_in = (Bytef *)src;
    z->avail_in = (uInt)n;
    z->next_out = dst;
    z->avail_out = (uInt)dst_len;
    for (;;) {
        int rc = inflate(z, Z_FINISH);
        if (rc == Z_STREAM_END) {
            if (z->avail_in == 0 || z->avail_out == 0) break;
            /* Another member follows. */
            if (inflateReset(z) != Z_OK) return corrupt(err, PQ_CODEC_GZIP, where, NULL);
            continue;
        }
        if (rc == Z_BUF_ERROR && z->avail_out == 0)
            return corrupt(err, PQ_CODEC_GZIP, where, "more data than the page header says");
        return corrupt(err, PQ_CODEC_GZIP, where, z->msg);
    }
    if (z->avail_out != 0)
        return corrupt(err, PQ_CODEC_GZIP, where, "size differs from the page header");
    return 0;
}

static bool lz4_raw_block(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len)
{
    if (n > INT_MAX || dst_len > INT_MAX) return false;
    int r = LZ4_decompress_safe((const char *)src, (char *)dst, (int)n, (int)dst_len);
    return r >= 0 && (size_t)r == dst_len;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Hadoop framing: blocks of [BE32 uncompressed size] then chunks of
 * [BE32 compressed size][raw LZ4 block] until that size is produced. */
static bool lz4_hadoop(const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len)
{
    size_t in = 0, out = 0;
    while (out < dst_len || in < n) {
        if (n - in < 4) return false;
        uint32_t block = be32(src + in);
        in += 4;
        if (block > dst_len - out) return false;
        size_t block_end = out + block;
        while (out < block_end) {
            if (n - in < 4) return false;
            uint32_t clen = be32(src + in);
            in += 4;
            if (clen > n - in || clen > INT_MAX) return false;
            int r = LZ4_decompress_safe((const char *)src + in, (char *)dst + out, (int)clen,
                                        (int)(block_end - out));
            if (r <= 0) return false;
            in += clen;
            out += (size_t)r;
        }
    }
    return out == dst_len && in == n;
}

static bool lz4_frame(pq_decompressor *d, const uint8_t *src, size_t n, uint8_t *dst,
                      size_t dst_len)
{
    if (!d->lz4f) {
        LZ4F_dctx *c;
        if (LZ4F_isError(LZ4F_createDecompressionContext(&c, LZ4F_VERSION))) return false;
        d->lz4f = c;
    }
    LZ4F_dctx *c = d->lz4f;
    LZ4F_resetDecompressionContext(c);
    size_t in = 0, out = 0;
    while (in < n) {
        size_t src_size = n - in, dst_size = dst_len - out;
        size_t r = LZ4F_decompress(c, dst + out, &dst_size, src + in, &src_size, NULL);
        if (LZ4F_isError(r)) return false;
        in += src_size;
        out += dst_size;
        if (r == 0) break;                                /* frame complete */
        if (src_size == 0 && dst_size == 0) return false; /* no progress: output full */
    }
    return in == n && out == dst_len;
}

static int do_lz4(pq_decompressor *d, const uint8_t *src, size_t n, uint8_t *dst, size_t dst_len,
                  const char *where, csfs_error *err)
{
    if (lz4_hadoop(src, n, dst, dst_len)) return 0;
    if (n >= 4 && src[0] == 0x04 && src[1] == 0x22 && src[2] == 0x4d && src[3] == 0x18 &&
        lz4_frame(d, src, n, dst, dst_len))
        return 0;
    if (lz4_raw_block(src, n, dst, dst_len)) return 0;
    return corrupt(err, PQ_CODEC_LZ4, where, "neither Hadoop-framed, LZ4 frame nor raw block");
}

int pq_decompress(pq_decompressor *d, int codec, const uint8_t *src, size_t n, uint8_t *dst,
                  size_t dst_len, const char *where, csfs_error *err)
{
    switch (codec) {
    case PQ_CODEC_UNCOMPRESSED:
        if (n != dst_len) return corrupt(err, codec, where, "size differs from the page header");
        memcpy(dst, src, n);
        return 0;
    case PQ_CODEC_SNAPPY:
        return do_snappy(src, n, dst, dst_len, where, err);
    case PQ_CODEC_GZIP:
        return do_gzip(d, src, n, dst, dst_len, where, err);
    case PQ_CODEC_ZSTD:
        return do_zstd(d, src, n, dst, dst_len, where, err);
    case PQ_CODEC_LZ4_RAW:
        if (!lz4_raw_block(src, n, dst, dst_len)) return corrupt(err, codec, where, NULL);
        return 0;
    case PQ_CODEC_LZ4:
        return do_lz4(d, src, n, dst, dst_len, where, err);
    default:
        return csfs_fail(err, CSFS_E_UNSUPPORTED, "%s: compression codec %s is not supported",
                         where, pq_codec_name(codec));
    }
}

void pq_decompressor_free(pq_decompressor *d)
{
    if (!d) return;
    ZSTD_freeDCtx(d->zstd);
    if (d->zlib) {
        inflateEnd(d->zlib);
        free(d->zlib);
    }
    if (d->lz4f) LZ4F_freeDecompressionContext(d->lz4f);
    d->zstd = d->zlib = d->lz4f = NULL;
}
