#include "io/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "common/error.h"

enum kind { KIND_PLAIN, KIND_ZSTD, KIND_GZIP };

/* Compressed bytes are read 1 MiB at a time; a plain file only needs room
 * for the magic sniffed at open, so its buffer stays small (lists are often
 * opened just for their header, and the fuzz target opens one per input). */
#define RAW_CAP (1u << 20)
#define SNIFF_CAP (64u << 10)

struct csfs_input {
    int fd;
    int close_fd;
    enum kind kind;
    char *name;
    int64_t file_size; /* at open; -1 for pipes and other non-regular files */
    dev_t dev;         /* identity of the file opened, to notice a replacement */
    ino_t ino;
    uint64_t raw_bytes;
    /* Compressed bytes waiting to be decoded: raw[raw_pos .. raw_len). */
    unsigned char *raw;
    size_t raw_pos, raw_len, raw_cap;
    int raw_eof;
    ZSTD_DCtx *zstd;
    size_t zstd_pending; /* last ZSTD_decompressStream hint: 0 = frame complete */
    z_stream gz;
    int gz_ready;
    int gz_member_done; /* between gzip members: more may follow */
};

/*
 * A regular file was read to its end (`bytes` of it): it must still have the
 * size it had when opened, and the name must still lead to it: a list
 * truncated, still being written, or deleted/replaced (rcsfgenerate rerun,
 * mv over it) while csfs read it would otherwise give a plausible matrix of
 * the wrong data, or one labelled with a file that no longer holds it.
 */
int csfs_input_check_unchanged(const csfs_input *in, uint64_t bytes, csfs_error *err)
{
    if (in->file_size < 0) return 0;
    struct stat st, now;
    int64_t size_now = fstat(in->fd, &st) == 0 ? (int64_t)st.st_size : in->file_size;
    if (bytes != (uint64_t)in->file_size || size_now != in->file_size)
        return csfs_fail(err, CSFS_E_IO,
                         "%s: the file changed while it was read (%lld bytes when opened, "
                         "%llu read, %lld now): truncated, or still being written?",
                         in->name, (long long)in->file_size, (unsigned long long)bytes,
                         (long long)size_now);
    /* By name, not st_nlink: anonymous files (memfd, /proc/self/fd/N of an
     * unlinked file) have no link from the start and are still readable. */
    if (stat(in->name, &now) != 0 || now.st_dev != in->dev || now.st_ino != in->ino)
        return csfs_fail(err, CSFS_E_IO,
                         "%s: the file was deleted or replaced while it was read (the name no "
                         "longer holds what was read)",
                         in->name);
    return 0;
}

/* read() returned 0. */
static int reached_end(csfs_input *in, csfs_error *err)
{
    in->raw_eof = 1;
    return csfs_input_check_unchanged(in, in->raw_bytes, err);
}

static int fill_raw(csfs_input *in, csfs_error *err)
{
    if (in->raw_pos < in->raw_len || in->raw_eof) return 0;
    for (;;) {
        ssize_t r = read(in->fd, in->raw, in->raw_cap);
        if (r < 0) {
            if (errno == EINTR) continue;
            return csfs_fail_errno(err, errno, "%s: read failed", in->name);
        }
        in->raw_pos = 0;
        in->raw_len = (size_t)r;
        in->raw_bytes += (uint64_t)r;
        return r == 0 ? reached_end(in, err) : 0;
    }
}

int csfs_input_open(const char *path, csfs_input **out, csfs_error *err)
{
    *out = NULL;
    csfs_input *in = calloc(1, sizeof *in);
    if (!in) return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", path);
    int is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    in->name = malloc(strlen(name) + 1);
    in->raw = malloc(SNIFF_CAP);
    in->raw_cap = SNIFF_CAP;
    if (!in->name || !in->raw) {
        csfs_input_close(in);
        return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", path);
    }
    strcpy(in->name, name);
    in->file_size = -1;
    if (is_stdin) {
        in->fd = 0;
    } else {
        in->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (in->fd < 0) {
            int e = errno;
            free(in->raw);
            free(in->name);
            free(in);
            return csfs_fail_errno(err, e, "%s: cannot open", path);
        }
        in->close_fd = 1;
        struct stat st;
        if (fstat(in->fd, &st) == 0) {
            if (S_ISDIR(st.st_mode)) {
                csfs_input_close(in);
                return csfs_fail(err, CSFS_E_IO, "%s: is a directory", path);
            }
            if (S_ISREG(st.st_mode)) {
                in->file_size = (int64_t)st.st_size;
                in->dev = st.st_dev;
                in->ino = st.st_ino;
            }
        }
    }
    /* Sniff the magic: read until 4 bytes or EOF. */
    while (in->raw_len < 4 && !in->raw_eof) {
        ssize_t r = read(in->fd, in->raw + in->raw_len, in->raw_cap - in->raw_len);
        if (r < 0) {
            if (errno == EINTR) continue;
            int e = errno;
            csfs_input_close(in);
            return csfs_fail_errno(err, e, "%s: read failed", name);
        }
        in->raw_len += (size_t)r;
        in->raw_bytes += (uint64_t)r;
        if (r == 0 && reached_end(in, err) != 0) {
            csfs_input_close(in);
            return CSFS_E_IO;
        }
    }
    const unsigned char *m = in->raw;
    int zstd = in->raw_len >= 4 && m[0] == 0x28 && m[1] == 0xB5 && m[2] == 0x2F && m[3] == 0xFD;
    int gzip = in->raw_len >= 2 && m[0] == 0x1F && m[1] == 0x8B;
    if (zstd || gzip) {
        unsigned char *raw = realloc(in->raw, RAW_CAP);
        if (!raw) {
            csfs_input_close(in);
            return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", name);
        }
        in->raw = raw;
        in->raw_cap = RAW_CAP;
    }
    if (zstd) {
        in->kind = KIND_ZSTD;
        in->zstd = ZSTD_createDCtx();
        if (!in->zstd) {
            csfs_input_close(in);
            return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", name);
        }
        in->zstd_pending = 1;
    } else if (gzip) {
        in->kind = KIND_GZIP;
        if (inflateInit2(&in->gz, 15 + 16) != Z_OK) {
            csfs_input_close(in);
            return csfs_fail(err, CSFS_E_NOMEM, "%s: cannot start gzip decoder", name);
        }
        in->gz_ready = 1;
    }
    *out = in;
    return 0;
}

static int read_plain(csfs_input *in, unsigned char *buf, size_t cap, size_t *got, csfs_error *err)
{
    if (in->raw_pos < in->raw_len) { /* bytes kept from sniffing */
        size_t n = in->raw_len - in->raw_pos;
        if (n > cap) n = cap;
        memcpy(buf, in->raw + in->raw_pos, n);
        in->raw_pos += n;
        *got = n;
        return 0;
    }
    if (in->raw_eof) {
        *got = 0;
        return 0;
    }
    for (;;) {
        ssize_t r = read(in->fd, buf, cap);
        if (r < 0) {
            if (errno == EINTR) continue;
            return csfs_fail_errno(err, errno, "%s: read failed", in->name);
        }
        in->raw_bytes += (uint64_t)r;
        *got = (size_t)r;
        return r == 0 ? reached_end(in, err) : 0;
    }
}

static int read_zstd(csfs_input *in, unsigned char *buf, size_t cap, size_t *got, csfs_error *err)
{
    ZSTD_outBuffer ob = {buf, cap, 0};
    while (ob.pos == 0) {
        int rc = fill_raw(in, err);
        if (rc) return rc;
        ZSTD_inBuffer ib = {in->raw, in->raw_len, in->raw_pos};
        if (ib.pos == ib.size && in->zstd_pending == 0) break; /* clean end */
        size_t r = ZSTD_decompressStream(in->zstd, &ob, &ib);
        int progress = ib.pos != in->raw_pos || ob.pos != 0;
        in->raw_pos = ib.pos;
        if (ZSTD_isError(r))
            return csfs_fail(err, CSFS_E_FORMAT, "%s: corrupt zstd stream: %s", in->name,
                             ZSTD_getErrorName(r));
        in->zstd_pending = r;
        if (!progress && in->raw_eof)
            return csfs_fail(err, CSFS_E_FORMAT,
                             "%s: truncated zstd stream (the file ends inside a frame)", in->name);
    }
    *got = ob.pos;
    return 0;
}

static int read_gzip(csfs_input *in, unsigned char *buf, size_t cap, size_t *got, csfs_error *err)
{
    in->gz.next_out = buf;
    in->gz.avail_out = (uInt)(cap > (1u << 30) ? (1u << 30) : cap);
    size_t want = in->gz.avail_out;
    while (in->gz.avail_out == want) {
        int rc = fill_raw(in, err);
        if (rc) return rc;
        if (in->raw_pos == in->raw_len && in->gz_member_done) break; /* clean end */
        if (in->gz_member_done) { /* another member follows (concatenated gzip) */
            inflateReset(&in->gz);
            in->gz_member_done = 0;
        }
        in->gz.next_in = in->raw + in->raw_pos;
        in->gz.avail_in = (uInt)(in->raw_len - in->raw_pos);
        size_t in_before = in->gz.avail_in;
        int zr = inflate(&in->gz, Z_NO_FLUSH);
        int progress = in->gz.avail_in != in_before || in->gz.avail_out != want;
        in->raw_pos = in->raw_len - in->gz.avail_in;
        if (zr == Z_STREAM_END) {
            in->gz_member_done = 1;
        } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
            return csfs_fail(err, CSFS_E_FORMAT, "%s: corrupt gzip stream: %s", in->name,
                             in->gz.msg ? in->gz.msg : "inflate failed");
        } else if (!progress && in->raw_eof) {
            return csfs_fail(err, CSFS_E_FORMAT,
                             "%s: truncated gzip stream (the file ends inside a member)", in->name);
        }
    }
    *got = want - in->gz.avail_out;
    return 0;
}

int csfs_input_read(csfs_input *in, void *buf, size_t cap, size_t *got, csfs_error *err)
{
    *got = 0;
    if (cap == 0) return 0;
    switch (in->kind) {
    case KIND_ZSTD:
        return read_zstd(in, buf, cap, got, err);
    case KIND_GZIP:
        return read_gzip(in, buf, cap, got, err);
    default:
        return read_plain(in, buf, cap, got, err);
    }
}

const char *csfs_input_name(const csfs_input *in)
{
    return in->name;
}

uint64_t csfs_input_raw_bytes(const csfs_input *in)
{
    return in->raw_bytes;
}

int64_t csfs_input_file_size(const csfs_input *in)
{
    return in->file_size;
}

int csfs_input_plain_fd(const csfs_input *in)
{
    return in->kind == KIND_PLAIN && in->file_size >= 0 ? in->fd : -1;
}

const char *csfs_input_compression(const csfs_input *in)
{
    return in->kind == KIND_ZSTD ? "zstd" : in->kind == KIND_GZIP ? "gzip" : "plain";
}

void csfs_input_close(csfs_input *in)
{
    if (!in) return;
    if (in->zstd) ZSTD_freeDCtx(in->zstd);
    if (in->gz_ready) inflateEnd(&in->gz);
    if (in->close_fd && in->fd >= 0) close(in->fd);
    free(in->raw);
    free(in->name);
    free(in);
}
