/* CSF list chunks read by byte range (see csf_text_ranges.h). */
#define _GNU_SOURCE
#include "grasp/csf_text_ranges.h"

#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"

/* Bytes read past a range at first, to find the next chunk's start: a few
 * GRASP lines; more is read only when its lines are longer. */
#define LOOKAHEAD 4096u

static uint64_t page_bytes(void)
{
    long p = sysconf(_SC_PAGESIZE);
    return p > 0 ? (uint64_t)p : 4096;
}

int csfs_text_ranges_init(csfs_text_reader *r, size_t range_bytes, csfs_text_ranges *t)
{
    memset(t, 0, sizeof *t);
    const csfs_input *in = csfs_text_input(r);
    int fd = csfs_input_plain_fd(in);
    if (fd < 0 || range_bytes == 0) return 0;
    uint64_t size = (uint64_t)csfs_input_file_size(in);
    uint64_t start = csfs_text_header(r)->bytes;
    if (start > size) return 0; /* grew while the header was read: the serial reader says so */
    t->in = in;
    t->fd = fd;
    t->data_start = start;
    t->file_end = size;
    t->range_bytes = range_bytes;
    t->count = (size - start + range_bytes - 1) / range_bytes;
    /* A file system without mmap would otherwise fail one mapping per chunk
     * before each falls back to pread. */
    size_t pg = (size_t)page_bytes();
    void *probe = mmap(NULL, pg, PROT_READ, MAP_SHARED, fd, 0);
    t->mappable = probe != MAP_FAILED;
    if (t->mappable) munmap(probe, pg);
    return 1;
}

/* The bytes of the file a chunk read has: data[0..len) is the file's
 * [lo, lo + len), in buf (pread) or in map (mapped). */
typedef struct window {
    const csfs_text_ranges *t;
    csfs_buf *buf;      /* pread */
    csfs_text_map *map; /* or mapped (NULL: pread) */
    uint64_t lo;
    const char *data;
    size_t len;
    uint64_t cap_end; /* reading past this means no chunk can begin nearby */
} window;

static uint64_t win_end(const window *w)
{
    return w->lo + w->len;
}

/* The file is shorter than the `upto` bytes a chunk needs: the same error as
 * a short read, which would have read up to the file's end now. */
static int truncated(const window *w, int64_t size_now, csfs_error *err)
{
    uint64_t got = win_end(w);
    if (size_now > 0 && (uint64_t)size_now > got) got = (uint64_t)size_now;
    int rc = csfs_input_check_unchanged(w->t->in, got, err);
    return rc ? rc
              : csfs_fail(err, CSFS_E_IO, "%s: the file changed while it was read",
                          csfs_input_name(w->t->in));
}

void csfs_text_map_release(csfs_text_map *m)
{
    if (m->addr) munmap(m->addr, m->len);
    memset(m, 0, sizeof *m);
}

/*
 * Maps (or extends the mapping) up to file offset upto, pre-faulted, and
 * checks that the file still holds those bytes: after that check only a
 * truncation racing with the parse can fault (see csf_text_ranges.h).
 * Returns 1 when the file cannot be mapped at all (a file system without
 * mmap): the chunk is then read by pread.
 */
static int map_fill(window *w, uint64_t upto, csfs_error *err)
{
    const csfs_text_ranges *t = w->t;
    csfs_text_map *m = w->map;
    uint64_t pg = page_bytes();
    if (!m->addr) m->off = w->lo / pg * pg;
    size_t old = m->len, want = (size_t)(upto - m->off);
    void *p = m->addr ? mremap(m->addr, old, want, MREMAP_MAYMOVE)
                      : mmap(NULL, want, PROT_READ, MAP_SHARED, t->fd, (off_t)m->off);
    if (p == MAP_FAILED && !m->addr) return 1;
    if (p == MAP_FAILED)
        return csfs_fail_errno(err, errno, "%s: cannot map the file", csfs_input_name(t->in));
    m->addr = p;
    m->len = want;
    size_t from = old / pg * pg; /* madvise wants a page-aligned start */
    int gone = 0;
#ifdef MADV_POPULATE_READ
    /* Linux >= 5.14 (older kernels: EINVAL, and pages fault in as they are
     * read). EFAULT instead of SIGBUS for pages past the end. */
    if (madvise((char *)p + from, want - from, MADV_POPULATE_READ) != 0) gone = errno == EFAULT;
#endif
    struct stat st;
    int64_t size_now = fstat(t->fd, &st) == 0 ? (int64_t)st.st_size : -1;
    if (gone || (size_now >= 0 && (uint64_t)size_now < upto)) return truncated(w, size_now, err);
    w->data = (const char *)p + (w->lo - m->off);
    w->len = (size_t)(upto - w->lo);
    return 0;
}

/* Reads the file into w up to offset `upto` (at most its size at open). */
static int win_fill(window *w, uint64_t upto, csfs_error *err)
{
    const csfs_text_ranges *t = w->t;
    const char *name = csfs_input_name(t->in);
    if (upto > t->file_end) upto = t->file_end;
    if (upto <= win_end(w)) return 0;
    if (upto > w->cap_end)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: no CSF record starts within %zu MiB: not a GRASP CSF list (or a "
                         "line of unbounded length)",
                         name, CSFS_MAX_LINE_BYTES >> 20);
    if (w->map) {
        int rc = map_fill(w, upto, err);
        if (rc <= 0) return rc;
        w->map = NULL; /* not mappable: read it */
        w->buf->len = 0;
    }
    int rc = csfs_buf_reserve(w->buf, (size_t)(upto - w->lo), err);
    if (rc) return rc;
    w->data = w->buf->data;
    while (win_end(w) < upto) {
        ssize_t got =
            pread(t->fd, w->buf->data + w->len, (size_t)(upto - win_end(w)), (off_t)win_end(w));
        if (got < 0) {
            if (errno == EINTR) continue;
            return csfs_fail_errno(err, errno, "%s: read failed", name);
        }
        if (got == 0) return truncated(w, -1, err); /* shorter than at open */
        w->len += (size_t)got;
        w->buf->len = w->len;
    }
    return 0;
}

/* Offset of the first LF in [q, limit), or limit (limit <= the file's size). */
static int find_lf(window *w, uint64_t q, uint64_t limit, uint64_t *at, csfs_error *err)
{
    for (;;) {
        uint64_t have = win_end(w) < limit ? win_end(w) : limit;
        if (q < have) {
            const char *p = memchr(w->data + (q - w->lo), '\n', (size_t)(have - q));
            if (p) {
                *at = w->lo + (uint64_t)(p - w->data);
                return 0;
            }
            q = have;
        }
        if (have >= limit) {
            *at = limit;
            return 0;
        }
        /* Doubling: a long line costs reads proportional to its length. */
        uint64_t step = w->len > LOOKAHEAD ? w->len : LOOKAHEAD;
        int rc = win_fill(w, win_end(w) + step, err);
        if (rc) return rc;
    }
}

/*
 * The first line start p in [b, limit) whose line may begin a chunk, or
 * limit when there is none. b > data_start, so byte b - 1 is in the window;
 * a line starts at p when byte p - 1 is a LF.
 */
static int find_boundary(window *w, uint64_t b, uint64_t limit, uint64_t *out, csfs_error *err)
{
    uint64_t q = b - 1;
    for (;;) {
        uint64_t nl, end;
        if (q + 1 >= limit) break;
        int rc = find_lf(w, q, limit - 1, &nl, err); /* its line must start before limit */
        if (rc) return rc;
        if (nl >= limit - 1) break;
        uint64_t p = nl + 1;
        rc = find_lf(w, p, w->t->file_end, &end, err);
        if (rc) return rc;
        if (csfs_is_cut_line(w->data + (p - w->lo), (size_t)(end - p))) {
            *out = p;
            return 0;
        }
        q = end;
    }
    *out = limit;
    return 0;
}

int csfs_text_ranges_read(const csfs_text_ranges *t, uint64_t k, csfs_buf *buf, csfs_text_map *map,
                          csfs_text_range *out, csfs_error *err)
{
    memset(out, 0, sizeof *out);
    if (map)
        csfs_text_map_release(map);
    else
        buf->len = 0;
    uint64_t b0 = t->data_start + k * t->range_bytes;
    uint64_t b1 = t->file_end - b0 > t->range_bytes ? b0 + t->range_bytes : t->file_end;
    window w = {
        .t = t, .buf = buf, .map = map, .lo = k ? b0 - 1 : b0, .cap_end = b1 + CSFS_MAX_LINE_BYTES};
    int rc = win_fill(&w, b1 + LOOKAHEAD, err);
    if (rc) return rc;
    uint64_t start = b0, end;
    if (k > 0 && (rc = find_boundary(&w, b0, b1, &start, err))) return rc;
    if (start >= b1) {      /* no line in this range may begin a chunk: empty */
        out->data = w.data; /* not NULL: scanners may pass it to memchr */
        out->start = b1;
        out->is_last = b1 == t->file_end;
        return 0;
    }
    if ((rc = find_boundary(&w, b1, t->file_end, &end, err))) return rc;
    out->data = w.data + (start - w.lo);
    out->len = (size_t)(end - start);
    out->start = start;
    out->is_last = end == t->file_end;
    return 0;
}

int csfs_text_ranges_check_end(const csfs_text_ranges *t, csfs_error *err)
{
    return csfs_input_check_unchanged(t->in, t->file_end, err);
}
