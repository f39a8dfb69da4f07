/*
 * Chunks read by byte range (grasp/csf_text_ranges.h) against the serial
 * reader (csfs_text_next_chunk): on every GRASP list and on lists with
 * CR LF, odd separators and blank lines, for tiny and random range sizes
 * (boundaries inside records, on separators, inside line ends), the ranges
 * must hand out every byte after the header exactly once, each non-empty
 * chunk after the first must begin with a line that may begin a chunk, and
 * scanning the chunks must give the same records (file offsets, lengths,
 * line numbers), separators and counts as scanning the serial reader's
 * chunks. Every range size is read both ways, pread into a buffer and
 * mapped read-only, and the two must agree too. Then the file changing
 * under the ranges, both ways: truncated (short read, or a mapping that is
 * past the file's end), grown and replaced (end check); and what mapping
 * costs: a file truncated after its chunk was mapped faults (SIGBUS, in a
 * child process).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "grasp/csf_text.h"
#include "grasp/csf_text_ranges.h"
#include "io/input.h"
#include "testutil.h"

/* What scanning a whole list gives, in file coordinates. */
typedef struct stream {
    uint64_t *rec; /* per record: offsets of its 3 lines, their lengths, line-1 number */
    size_t n_rec, cap;
    uint64_t *sep; /* records before each separator */
    size_t n_sep, cap_sep;
    uint64_t lines, crlf, odd, trailing_sep, bytes;
    int64_t first_blank; /* first trailing blank line (absolute, 0-based) or -1 */
    int rc;
} stream;

static void push(uint64_t **a, size_t *n, size_t *cap, uint64_t v)
{
    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 1024;
        *a = realloc(*a, *cap * sizeof **a);
        if (!*a) abort();
    }
    (*a)[(*n)++] = v;
}

/* Adds a scanned chunk at file offset `at` whose first line is line `line0`. */
static void add_chunk(stream *st, const csfs_chunk_scan *s, uint64_t at, uint64_t line0)
{
    uint64_t before = st->n_rec / 7; /* records of the earlier chunks */
    for (size_t k = 0; k < s->n_sep; k++)
        push(&st->sep, &st->n_sep, &st->cap_sep, before + s->sep_before[k]);
    for (size_t i = 0; i < s->n_rec; i++) {
        for (int k = 0; k < 3; k++) push(&st->rec, &st->n_rec, &st->cap, at + s->rec[i].off[k]);
        for (int k = 0; k < 3; k++) push(&st->rec, &st->n_rec, &st->cap, s->rec[i].len[k]);
        push(&st->rec, &st->n_rec, &st->cap, line0 + s->rec[i].line);
    }
    if (s->has_content) st->first_blank = -1; /* blanks before content: not in these lists */
    if (s->trailing_blank >= 0 && st->first_blank < 0)
        st->first_blank = (int64_t)(line0 + (uint64_t)s->trailing_blank);
    if (s->trailing_separator) st->trailing_sep = line0 + s->trailing_separator;
    st->lines += s->lines;
    st->crlf += s->crlf_lines;
    st->odd += s->odd_separators;
}

static void stream_free(stream *st)
{
    free(st->rec);
    free(st->sep);
    memset(st, 0, sizeof *st);
}

static int scan_serial(const char *path, size_t chunk, stream *st)
{
    memset(st, 0, sizeof *st);
    st->first_blank = -1;
    csfs_error err;
    csfs_text_reader *r;
    if (csfs_text_open(path, chunk, &r, &err)) return -1;
    uint64_t at = csfs_text_header(r)->bytes;
    csfs_buf b = {0};
    csfs_chunk_scan s;
    memset(&s, 0, sizeof s);
    for (;;) {
        if ((st->rc = csfs_text_next_chunk(r, &b, &err)) != 0 || b.len == 0) break;
        if ((st->rc = csfs_scan_chunk(b.data, b.len, csfs_text_at_end(r), &s, &err)) != 0) break;
        add_chunk(st, &s, at, st->lines);
        at += b.len;
        if (csfs_text_at_end(r)) break;
    }
    st->bytes = at;
    csfs_chunk_scan_free(&s);
    csfs_buf_free(&b);
    csfs_text_close(r);
    return 0;
}

/* The ranges of `range` bytes, pread or mapped; checks coverage and where
 * chunks begin. */
static int scan_ranges(const char *path, const char *data, size_t range, int mapped, stream *st)
{
    memset(st, 0, sizeof *st);
    st->first_blank = -1;
    csfs_error err;
    csfs_text_reader *r;
    if (csfs_text_open(path, 1u << 16, &r, &err)) return -1;
    csfs_text_ranges t;
    CHECK_EQ_INT(csfs_text_ranges_init(r, range, &t), 1);
    uint64_t at = t.data_start;
    CHECK_EQ_INT(at, csfs_text_header(r)->bytes);
    csfs_buf b = {0};
    csfs_text_map m = {0};
    csfs_chunk_scan s;
    memset(&s, 0, sizeof s);
    int bad = 0;
    for (uint64_t k = 0; k < t.count && !bad; k++) {
        csfs_text_range g;
        if ((st->rc = csfs_text_ranges_read(&t, k, &b, mapped ? &m : NULL, &g, &err)) != 0) break;
        if (g.len == 0) {          /* an empty chunk ends where the next range begins */
            bad |= g.data == NULL; /* scanners may pass it to memchr */
            bad |= g.start != (k + 1 < t.count ? t.data_start + (k + 1) * range : t.file_end);
            continue;
        }
        bad |= g.start != at;
        if (mapped) /* in the mapping, which is at the page below the range */
            bad |= b.data != NULL || g.data < (const char *)m.addr ||
                   g.data + g.len > (const char *)m.addr + m.len ||
                   m.off != g.start - (uint64_t)(g.data - (const char *)m.addr) ||
                   m.off % (uint64_t)sysconf(_SC_PAGESIZE) != 0;
        else
            bad |= g.data < b.data || g.data + g.len > b.data + b.len || m.addr != NULL;
        bad |= memcmp(g.data, data + g.start, g.len) != 0;
        if (k > 0) {
            const char *p = g.data, *nl = memchr(p, '\n', g.len);
            bad |= data[g.start - 1] != '\n';
            bad |= !csfs_is_cut_line(p, nl ? (size_t)(nl - p) : g.len);
        }
        bad |= g.is_last != (g.start + g.len == t.file_end);
        if ((st->rc = csfs_scan_chunk(g.data, g.len, g.is_last, &s, &err)) != 0) break;
        add_chunk(st, &s, g.start, st->lines);
        at += g.len;
    }
    CHECK(!bad);
    if (st->rc == 0) {
        CHECK_EQ_INT(at, t.file_end); /* every byte once */
        CHECK_EQ_INT(csfs_text_ranges_check_end(&t, &err), 0);
    }
    st->bytes = at;
    csfs_chunk_scan_free(&s);
    csfs_buf_free(&b);
    csfs_text_map_release(&m);
    CHECK(m.addr == NULL && m.len == 0);
    csfs_text_close(r);
    return bad ? -1 : 0;
}

/* memcmp of n bytes; no call for n == 0 (the arrays may then be NULL). */
static int same_bytes(const void *x, const void *y, size_t n)
{
    return n == 0 || memcmp(x, y, n) == 0;
}

static int same(const stream *a, const stream *b)
{
    return a->rc == b->rc &&
           (a->rc != 0 ||
            (a->n_rec == b->n_rec && a->n_sep == b->n_sep &&
             same_bytes(a->rec, b->rec, a->n_rec * 8) && same_bytes(a->sep, b->sep, a->n_sep * 8) &&
             a->lines == b->lines && a->crlf == b->crlf && a->odd == b->odd &&
             a->trailing_sep == b->trailing_sep && a->first_blank == b->first_blank &&
             a->bytes == b->bytes));
}

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static size_t next_rand(size_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (size_t)(rng % n);
}

/* Serial (default chunks) against ranges of many sizes. */
static void compare(const char *name, const char *path)
{
    size_t len;
    char *data = tu_read_file(path, &len);
    CHECK(data != NULL);
    if (!data) return;
    stream ref;
    CHECK_EQ_INT(scan_serial(path, 0, &ref), 0);
    CHECK_EQ_INT(ref.rc, 0);
    size_t sizes[40] = {1, 2, 3, 5, 9, 17, 64, 100, 333, 1000, 4096, 65536, 8u << 20};
    size_t n = 13;
    for (; n < sizeof sizes / sizeof *sizes; n++) sizes[n] = 1 + next_rand(n % 2 ? 300 : len);
    for (size_t i = 0; i < n; i++) {
        stream st[2];
        /* A mapping per chunk costs ~10 us of system time (far more under
         * TSan): ranges under 300 bytes are mapped on the small lists only
         * (else ~15 s a run, a minute under TSan). */
        int both = sizes[i] >= 300 || len < 16384;
        for (int mapped = 0; mapped < 1 + both; mapped++) {
            CHECK_EQ_INT(scan_ranges(path, data, sizes[i], mapped, &st[mapped]), 0);
            if (!same(&ref, &st[mapped])) {
                CHECK(0);
                fprintf(stderr, "%s: ranges of %zu bytes (%s) differ from the serial reader\n",
                        name, sizes[i], mapped ? "mapped" : "pread");
            }
        }
        if (both) CHECK(same(&st[0], &st[1]));
        if (both) stream_free(&st[1]);
        stream_free(&st[0]);
        /* The serial reader at a random chunk size too (its cuts differ). */
        CHECK_EQ_INT(scan_serial(path, 1 + next_rand(4096), &st[0]), 0);
        CHECK(same(&ref, &st[0]));
        stream_free(&st[0]);
    }
    stream_free(&ref);
    free(data);
}

static const char *LIST =
    "Core subshells:\n  1s\nPeel subshells:\n  2s   2p-  2p\nCSF(s):\n"
    "  2s ( 2)  2p ( 2)\n                 0\n                  0+\n"
    " *\n"
    "  2s ( 2)  2p-( 1)  2p ( 1)\n           1/2      3/2\n                           1-\n"
    "  *  \n"
    "  2s ( 1)  2p-( 1)  2p ( 2)\r\n           1/2      3/2\r\n                           1-\r\n"
    "  2s ( 2)  2p-( 1)  2p ( 1)\n           1/2      3/2\n                           2-\n"
    " *\n"
    "\n   \n";

static void test_hand_made(const char *dir)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/hand.c", dir);
    CHECK_EQ_INT(tu_write_file(path, LIST, strlen(LIST)), 0);
    compare("hand-made", path);
    /* Without the trailing blanks, and ending with a separator. */
    size_t n = strlen(LIST) - strlen("\n   \n");
    CHECK_EQ_INT(tu_write_file(path, LIST, n), 0);
    compare("ends with a separator", path);
    /* Lines far longer than the 4 KiB read past a range at first: finding
     * a boundary grows the buffer, or the mapping (mremap). */
    csfs_buf b = {0};
    csfs_error err;
    CHECK_EQ_INT(csfs_buf_append(&b, LIST, strstr(LIST, "CSF(s):\n") + 8 - LIST, &err), 0);
    for (int k = 0; k < 4; k++) {
        const char *rec = "  2s ( 2)  2p-( 1)  2p ( 1)\n           1/2      3/2";
        CHECK_EQ_INT(csfs_buf_append(&b, rec, strlen(rec), &err), 0);
        for (int i = 0; i < 3000 * (k + 1); i++) CHECK_EQ_INT(csfs_buf_append(&b, " ", 1, &err), 0);
        const char *end = "\n                           1-\n";
        CHECK_EQ_INT(csfs_buf_append(&b, end, strlen(end), &err), 0);
        if (k == 1) CHECK_EQ_INT(csfs_buf_append(&b, " *\n", 3, &err), 0);
    }
    CHECK_EQ_INT(tu_write_file(path, b.data, b.len), 0);
    csfs_buf_free(&b);
    compare("long lines", path);
}

/* The file changes between opening the ranges and reading them: the same
 * error, message for message, pread or mapped. */
static void test_changed(const char *dir, const char *src)
{
    size_t len;
    char *data = tu_read_file(src, &len);
    if (!data) return;
    char path[1100], other[1100];
    snprintf(path, sizeof path, "%s/changing.c", dir);
    snprintf(other, sizeof other, "%s/other.c", dir);
    for (int how = 0; how < 4; how++) {
        char message[2][sizeof(((csfs_error *)0)->message)];
        for (int mapped = 0; mapped < 2; mapped++) {
            CHECK_EQ_INT(tu_write_file(path, data, len), 0);
            csfs_error err;
            memset(&err, 0, sizeof err);
            csfs_text_reader *r;
            CHECK_EQ_INT(csfs_text_open(path, 0, &r, &err), 0);
            csfs_text_ranges t;
            CHECK_EQ_INT(csfs_text_ranges_init(r, 4096, &t), 1);
            if (how == 0) CHECK_EQ_INT(truncate(path, (off_t)(len / 2)), 0);
            if (how == 1) {
                FILE *f = fopen(path, "a");
                CHECK(f && fputs(" *\n", f) >= 0 && fclose(f) == 0);
            }
            if (how == 2) {
                CHECK_EQ_INT(tu_write_file(other, data, len), 0);
                CHECK_EQ_INT(rename(other, path), 0);
            }
            csfs_buf b = {0};
            csfs_text_map m = {0};
            csfs_text_range g;
            int rc = 0;
            for (uint64_t k = 0; k < t.count && rc == 0; k++)
                rc = csfs_text_ranges_read(&t, k, &b, mapped ? &m : NULL, &g, &err);
            if (rc == 0) rc = csfs_text_ranges_check_end(&t, &err);
            if (how == 3) {
                CHECK_EQ_INT(rc, 0);
            } else {
                CHECK_EQ_INT(rc, CSFS_E_IO);
                CHECK_CONTAINS(err.message, path);
                CHECK_CONTAINS(err.message,
                               how == 2 ? "the file was deleted or replaced while it was read"
                                        : "the file changed while it was read");
                char want[200];
                snprintf(want, sizeof want, "(%zu bytes when opened, ", len);
                if (how != 2) CHECK_CONTAINS(err.message, want);
            }
            snprintf(message[mapped], sizeof message[mapped], "%s", rc ? err.message : "");
            csfs_buf_free(&b);
            csfs_text_map_release(&m);
            csfs_text_close(r);
        }
        if (strcmp(message[0], message[1]) != 0) {
            CHECK(0);
            fprintf(stderr, "pread: %s\nmapped: %s\n", message[0], message[1]);
        }
    }
    free(data);
}

/*
 * What mapping costs (csf_text_ranges.h): a file truncated after a chunk was
 * mapped and checked faults when the chunk is read: Linux raises SIGBUS for
 * a shared mapping's pages past the file's end. In a child process, with
 * SIGBUS's default action (the sanitizers catch it otherwise).
 */
static void test_truncated_under_mapping(const char *dir, const char *src)
{
    size_t len;
    char *data = tu_read_file(src, &len);
    if (!data) return;
    char path[1100];
    snprintf(path, sizeof path, "%s/mapped.c", dir);
    CHECK_EQ_INT(tu_write_file(path, data, len), 0);
    fflush(NULL);
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        signal(SIGBUS, SIG_DFL);
        csfs_error err;
        csfs_text_reader *r;
        if (csfs_text_open(path, 0, &r, &err)) _exit(3);
        csfs_text_ranges t;
        if (csfs_text_ranges_init(r, len, &t) != 1) _exit(4); /* one chunk: the whole list */
        csfs_buf b = {0};
        csfs_text_map m = {0};
        csfs_text_range g;
        if (csfs_text_ranges_read(&t, 0, &b, &m, &g, &err) || g.len == 0) _exit(5);
        if (truncate(path, 0) != 0) _exit(6);
        volatile char sum = 0;
        for (size_t i = 0; i < g.len; i++) sum = (char)(sum ^ g.data[i]); /* faults here */
        _exit(0);
    }
    int status = 0;
    CHECK_EQ_INT(waitpid(pid, &status, 0), pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGBUS);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGBUS)
        fprintf(stderr, "truncation under a mapping: status %d, not SIGBUS\n", status);
    free(data);
}

/* Standard input and zstd streams keep the serial reader. */
static void test_not_by_ranges(const char *dir)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/hand.c", dir);
    CHECK_EQ_INT(tu_write_file(path, LIST, strlen(LIST)), 0);
    char cmd[2400];
    snprintf(cmd, sizeof cmd, "zstd -q -f '%s' -o '%s.zst' 2>/dev/null", path, path);
    if (system(cmd) != 0) return; /* no zstd tool: nothing to check here */
    strcat(path, ".zst");
    csfs_error err;
    csfs_text_reader *r;
    CHECK_EQ_INT(csfs_text_open(path, 0, &r, &err), 0);
    csfs_text_ranges t;
    CHECK_EQ_INT(csfs_text_ranges_init(r, 4096, &t), 0);
    csfs_text_close(r);
}

int main(void)
{
    const char *dir = tu_temp_dir();
    test_not_by_ranges(dir);
    test_hand_made(dir);
    static const char *const lists[] = {"c_like_n3_2x.c",         "fe_3d6_4s2.c",
                                        "li_like_gh_2x.c",        "nd3_4f3_1x.c",
                                        "nd_4f4_6s2_seniority.c", "rcsfs_sample.c"};
    const char *first = NULL;
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        char rel[200];
        snprintf(rel, sizeof rel, "data/grasp/%s", lists[i]);
        const char *path = tu_data(rel);
        if (!path) continue;
        if (!first) first = path;
        compare(lists[i], path);
    }
    if (first) test_changed(dir, first);
    if (first) test_truncated_under_mapping(dir, first);
    return tu_done();
}
