/* Fortran sequential unformatted records over a file or memory (see mixing/record.h). */
#include "mixing/record.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"

/* Small reads (markers, header records, short coefficient vectors) are
 * served from this window; longer ones go straight to the caller's memory. */
#define WINDOW_BYTES ((size_t)1 << 16)

typedef unsigned long long ull;

static int host_is_big_endian(void)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 0;
}

static char *copy_name(const char *name)
{
    const char *s = name ? name : "<memory>";
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

int csfs_frec_open_file(csfs_frec *r, const char *path, csfs_error *err)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->name = copy_name(path);
    if (!r->name) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    if (strcmp(path, "-") == 0) {
        csfs_frec_close(r);
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "-: mixing files are read from a regular file, not standard input "
                         "(their lengths are checked against the file size)");
    }
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        int e = errno;
        csfs_frec_close(r);
        return csfs_fail_errno(err, e, "%s: cannot open", path);
    }
    r->fd = fd;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        csfs_frec_close(r);
        return csfs_fail_errno(err, e, "%s: cannot stat", path);
    }
    if (!S_ISREG(st.st_mode)) {
        csfs_frec_close(r);
        /* Lengths are checked against the file size before anything is
         * allocated, so a source of unknown size cannot be read safely. */
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "%s: not a regular file (mixing files are read from disk, not pipes)",
                         path);
    }
    r->size = (uint64_t)st.st_size;
    r->win = malloc(WINDOW_BYTES);
    if (!r->win) {
        csfs_frec_close(r);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    r->win_cap = WINDOW_BYTES;
    return 0;
}

int csfs_frec_open_memory(csfs_frec *r, const void *data, size_t size, const char *name,
                          csfs_error *err)
{
    memset(r, 0, sizeof *r);
    r->fd = -1;
    r->name = copy_name(name);
    if (!r->name) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    static const uint8_t empty[1] = {0};
    r->mem = size ? data : empty;
    r->size = size;
    return 0;
}

void csfs_frec_close(csfs_frec *r)
{
    if (r->fd >= 0) close(r->fd);
    free(r->win);
    free(r->name);
    memset(r, 0, sizeof *r);
    r->fd = -1;
}

static int pread_full(csfs_frec *r, uint64_t off, uint8_t *dst, size_t n, csfs_error *err)
{
    while (n > 0) {
        ssize_t got = pread(r->fd, dst, n, (off_t)off);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0)
            return csfs_fail_errno(err, errno, "%s: read failed at byte %llu", r->name, (ull)off);
        if (got == 0)
            return csfs_fail(err, CSFS_E_IO,
                             "%s: the file ended at byte %llu although it had %llu bytes when "
                             "opened (changed while being read?)",
                             r->name, (ull)off, (ull)r->size);
        dst += got;
        off += (uint64_t)got;
        n -= (size_t)got;
    }
    return 0;
}

/* Consumes n bytes at pos; callers have checked that n <= remaining. */
static int src_read(csfs_frec *r, uint8_t *dst, size_t n, csfs_error *err)
{
    if (r->mem) {
        memcpy(dst, r->mem + r->pos, n);
        r->pos += n;
        return 0;
    }
    while (n > 0) {
        if (r->pos >= r->win_start && r->pos < r->win_start + r->win_len) {
            size_t off = (size_t)(r->pos - r->win_start);
            size_t take = r->win_len - off < n ? r->win_len - off : n;
            memcpy(dst, r->win + off, take);
            dst += take;
            n -= take;
            r->pos += take;
            continue;
        }
        if (n >= r->win_cap) {
            int rc = pread_full(r, r->pos, dst, n, err);
            if (rc) return rc;
            r->pos += n;
            return 0;
        }
        uint64_t left = csfs_frec_remaining(r);
        size_t want = left < r->win_cap ? (size_t)left : r->win_cap;
        int rc = pread_full(r, r->pos, r->win, want, err);
        if (rc) return rc;
        r->win_start = r->pos;
        r->win_len = want;
    }
    return 0;
}

/* Signed marker value in the file's byte order and width. */
static int64_t decode_marker(const csfs_frec *r, const uint8_t *b, int width, int big)
{
    uint64_t v = 0;
    for (int i = 0; i < width; i++) v = v << 8 | b[big ? i : width - 1 - i];
    if (width == 4) return (v & 0x80000000u) ? (int64_t)v - ((int64_t)1 << 32) : (int64_t)v;
    return (v >> 63) ? -(int64_t)(~v) - 1 : (int64_t)v;
}

static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
}

const char *csfs_frec_describe(const csfs_frec *r)
{
    if (r->marker_bytes == 8)
        return r->big_endian ? "8-byte big-endian record markers"
                             : "8-byte little-endian record markers";
    return r->big_endian ? "4-byte big-endian record markers"
                         : "4-byte little-endian record markers";
}

/* Reads the first record with the marker width and byte order under test;
 * any failure just means "not this convention". */
static int try_convention(csfs_frec *r, int width, int big, const char *magic, size_t n)
{
    uint8_t got[64];
    r->marker_bytes = width;
    r->big_endian = big;
    r->pos = 0;
    int ok = csfs_frec_begin(r, n, "the first record", NULL) == 0 &&
             csfs_frec_read(r, got, n, NULL) == 0 && memcmp(got, magic, n) == 0 &&
             csfs_frec_end(r, NULL) == 0;
    r->in_record = 0;
    return ok;
}

int csfs_frec_detect(csfs_frec *r, const char *magic, size_t n, const char *kind, csfs_error *err)
{
    uint8_t head[64];
    size_t have = r->size < sizeof head ? (size_t)r->size : sizeof head;
    if (n + 16 > sizeof head) return csfs_fail(err, CSFS_E_ARGUMENT, "magic too long");
    int rc = src_read(r, head, have, err);
    if (rc) return rc;
    r->pos = 0;
    /* The first marker is n, or negative when the record was split into
     * subrecords: candidates are the conventions in which it reads so. */
    static const int widths[2] = {4, 8};
    for (int w = 0; w < 2; w++) {
        for (int big = 0; big < 2; big++) {
            if (have < (size_t)widths[w]) continue;
            int64_t first = decode_marker(r, head, widths[w], big);
            if (first != (int64_t)n && !(first < 0 && magnitude(first) < n)) continue;
            if (try_convention(r, widths[w], big, magic, n)) {
                r->swap = big != host_is_big_endian();
                return 0;
            }
        }
    }
    r->marker_bytes = 0;
    r->pos = 0;
    if (r->size == 0) return csfs_fail(err, CSFS_E_FORMAT, "%s: empty file, not %s", r->name, kind);
    if (have >= 14 && memcmp(head, "Core subshells", 14) == 0)
        return csfs_fail(err, CSFS_E_FORMAT, "%s: this is a CSF list (text), not %s", r->name,
                         kind);
    char hex[3 * 12 + 1] = "";
    for (size_t i = 0; i < have && i < 12; i++)
        snprintf(hex + 3 * i, sizeof hex - 3 * i, "%02x ", head[i]);
    if (have) hex[3 * (have < 12 ? have : 12) - 1] = '\0';
    return csfs_fail(err, CSFS_E_FORMAT,
                     "%s: not %s: the first record is not the %zu-byte string '%.*s' in a "
                     "Fortran unformatted file (first bytes: %s)",
                     r->name, kind, n, (int)n, magic, hex);
}

static int fail_truncated(csfs_frec *r, uint64_t need, csfs_error *err)
{
    return csfs_fail(err, CSFS_E_FORMAT,
                     "%s: truncated file: %s (record at byte %llu) needs %llu more bytes at "
                     "byte %llu, but the file ends at byte %llu",
                     r->name, r->what, (ull)r->rec_start, (ull)need, (ull)r->pos, (ull)r->size);
}

/* Reads the leading marker of the next subrecord and checks it against the
 * file size and the bytes the record still has to deliver. */
static int open_sub(csfs_frec *r, csfs_error *err)
{
    uint64_t mb = (uint64_t)r->marker_bytes;
    if (csfs_frec_remaining(r) < mb) return fail_truncated(r, mb, err);
    uint64_t at = r->pos;
    uint8_t b[8];
    int rc = src_read(r, b, (size_t)mb, err);
    if (rc) return rc;
    int64_t v = decode_marker(r, b, r->marker_bytes, r->big_endian);
    uint64_t len = magnitude(v);
    int more = v < 0;
    if (len > csfs_frec_remaining(r) || csfs_frec_remaining(r) - len < mb)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: %s: the record marker at byte %llu announces %llu bytes, but "
                         "only %llu bytes follow it (file size %llu): corrupt marker or "
                         "truncated file",
                         r->name, r->what, (ull)at, (ull)len, (ull)csfs_frec_remaining(r),
                         (ull)r->size);
    if (len > r->expected - r->done)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: %s (record at byte %llu) should hold %llu bytes, but its %s "
                         "marker at byte %llu announces %s%llu: wrong record or corrupt marker",
                         r->name, r->what, (ull)r->rec_start, (ull)r->expected,
                         r->sub_index < 0 ? "leading" : "subrecord", (ull)at,
                         r->done ? "a further " : "", (ull)len);
    if (!more && r->done + len < r->expected)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: %s (record at byte %llu) holds %llu bytes, expected %llu: "
                         "wrong record or corrupt marker",
                         r->name, r->what, (ull)r->rec_start, (ull)(r->done + len),
                         (ull)r->expected);
    r->sub_len = r->sub_left = len;
    r->sub_more = more;
    r->sub_index++;
    return 0;
}

/* Reads and checks the trailing marker of a fully consumed subrecord. */
static int close_sub(csfs_frec *r, csfs_error *err)
{
    uint64_t at = r->pos;
    uint8_t b[8];
    int rc = src_read(r, b, (size_t)r->marker_bytes, err); /* fit checked by open_sub */
    if (rc) return rc;
    int64_t v = decode_marker(r, b, r->marker_bytes, r->big_endian);
    int want_negative = r->sub_index > 0 && r->sub_len > 0;
    if (magnitude(v) != r->sub_len || (v < 0) != want_negative)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: %s (record at byte %llu): the trailing record marker at byte %llu "
                         "is %lld, expected %s%llu: corrupt file",
                         r->name, r->what, (ull)r->rec_start, (ull)at, (long long)v,
                         want_negative ? "-" : "", (ull)r->sub_len);
    return 0;
}

int csfs_frec_begin(csfs_frec *r, uint64_t expected, const char *what, csfs_error *err)
{
    r->what = what;
    r->rec_start = r->pos;
    r->expected = expected;
    r->done = 0;
    r->sub_index = -1;
    r->sub_len = r->sub_left = 0;
    r->sub_more = 0;
    if (expected > csfs_frec_remaining(r) ||
        csfs_frec_remaining(r) - expected < 2 * (uint64_t)r->marker_bytes)
        return fail_truncated(r, csfs_frec_framed(r, expected), err);
    r->in_record = 1;
    return open_sub(r, err);
}

/* Moves to the next subrecord when the current one is used up. */
static int advance(csfs_frec *r, csfs_error *err)
{
    int rc = close_sub(r, err);
    if (rc) return rc;
    if (!r->sub_more) /* open_sub makes this unreachable; kept as a guard */
        return csfs_fail(err, CSFS_E_FORMAT, "%s: %s (record at byte %llu) ends early", r->name,
                         r->what, (ull)r->rec_start);
    return open_sub(r, err);
}

int csfs_frec_read(csfs_frec *r, void *dst, size_t n, csfs_error *err)
{
    uint8_t *d = dst;
    if (n > r->expected - r->done)
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: read past the end of %s", r->name, r->what);
    while (n > 0) {
        if (r->sub_left == 0) {
            int rc = advance(r, err);
            if (rc) return rc;
            continue;
        }
        size_t take = r->sub_left < n ? (size_t)r->sub_left : n;
        int rc = src_read(r, d, take, err);
        if (rc) return rc;
        d += take;
        n -= take;
        r->sub_left -= take;
        r->done += take;
    }
    return 0;
}

#if defined(__GNUC__)
#define BSWAP32(x) __builtin_bswap32(x)
#define BSWAP64(x) __builtin_bswap64(x)
#else
static uint32_t BSWAP32(uint32_t x)
{
    return x >> 24 | (x >> 8 & 0xff00u) | (x << 8 & 0xff0000u) | x << 24;
}
static uint64_t BSWAP64(uint64_t x)
{
    return (uint64_t)BSWAP32((uint32_t)x) << 32 | BSWAP32((uint32_t)(x >> 32));
}
#endif

int csfs_frec_read_i32(csfs_frec *r, int32_t *dst, size_t n, csfs_error *err)
{
    if (n > SIZE_MAX / 4) return csfs_fail(err, CSFS_E_ARGUMENT, "read too large");
    int rc = csfs_frec_read(r, dst, n * 4, err);
    if (rc || !r->swap) return rc;
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &dst[i], 4);
        u = BSWAP32(u);
        memcpy(&dst[i], &u, 4);
    }
    return 0;
}

int csfs_frec_read_f64(csfs_frec *r, double *dst, size_t n, csfs_error *err)
{
    if (n > SIZE_MAX / 8) return csfs_fail(err, CSFS_E_ARGUMENT, "read too large");
    int rc = csfs_frec_read(r, dst, n * 8, err);
    if (rc || !r->swap) return rc;
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, &dst[i], 8);
        u = BSWAP64(u);
        memcpy(&dst[i], &u, 8);
    }
    return 0;
}

int csfs_frec_skip(csfs_frec *r, uint64_t n, csfs_error *err)
{
    if (n > r->expected - r->done)
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: skip past the end of %s", r->name, r->what);
    while (n > 0) {
        if (r->sub_left == 0) {
            int rc = advance(r, err);
            if (rc) return rc;
            continue;
        }
        uint64_t take = r->sub_left < n ? r->sub_left : n;
        r->pos += take; /* open_sub checked that the subrecord lies inside the file */
        n -= take;
        r->sub_left -= take;
        r->done += take;
    }
    return 0;
}

int csfs_frec_end(csfs_frec *r, csfs_error *err)
{
    if (r->done != r->expected || r->sub_left != 0)
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: %s closed before it was read", r->name,
                         r->what);
    int rc = close_sub(r, err);
    /* A record whose length is a multiple of the subrecord limit may end with
     * an empty subrecord; open_sub refuses any non-empty one. */
    while (rc == 0 && r->sub_more) {
        rc = open_sub(r, err);
        if (rc == 0) rc = close_sub(r, err);
    }
    r->in_record = 0;
    return rc;
}
