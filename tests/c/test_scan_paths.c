/*
 * The two line finders of csfs_scan_chunk (grasp/csf_scan.c), SSE2 and
 * scalar, forced one after the other (csfs_chunk_scan.scalar) on the same
 * bytes must give the whole same result: status, error line and message,
 * records, separators, counts, blank-line and incomplete-record details,
 * the ASCII flag, and the per-record callbacks in the same order. Inputs:
 * every GRASP list in tests/data and CSFS_SHARED_DIR (as one chunk and cut
 * into chunks at every kind of place), randomised records and hostile
 * bytes (CR LF, blank lines, odd separators, NUL, non-ASCII, lines ending
 * at and around 16- and 64-byte boundaries, chunks ending anywhere). Each
 * chunk is copied into an allocation of exactly its size, so an overread
 * of the vector path is an ASan report.
 *
 * The ASCII flag is also checked against csfs_has_high_byte on the chunk.
 * On a build without SSE2 both runs take the scalar path (and the test
 * still checks the flag and the callbacks).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "grasp/csf_text.h"
#include "testutil.h"

typedef struct calls {
    size_t *index;
    uint32_t *off;
    size_t n, cap;
    size_t bad_ascii;
} calls;

static int on_record(void *arg, const char *data, const csfs_record *rec, size_t index, int ascii,
                     csfs_error *err)
{
    (void)err;
    calls *c = arg;
    /* the flag must be exactly the record's lines' */
    int hi = 0;
    for (int k = 0; k < 3; k++) hi |= csfs_has_high_byte(data + rec->off[k], rec->len[k]);
    if (ascii != !hi) c->bad_ascii++;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 256;
        c->index = realloc(c->index, c->cap * sizeof *c->index);
        c->off = realloc(c->off, c->cap * sizeof *c->off);
        if (!c->index || !c->off) abort();
    }
    c->index[c->n] = index;
    c->off[c->n++] = rec->off[0];
    return 0;
}

static uint64_t compared, compared_err;

/* Scans data[0..len) both ways and compares everything. */
static void both(const char *src, size_t len, int is_last)
{
    char *data = malloc(len ? len : 1); /* exactly len bytes: ASan sees overreads */
    if (!data) abort();
    if (len) memcpy(data, src, len);
    csfs_chunk_scan s[2];
    calls cb[2];
    csfs_error e[2];
    int rc[2];
    memset(s, 0, sizeof s);
    memset(cb, 0, sizeof cb);
    memset(e, 0, sizeof e);
    for (int k = 0; k < 2; k++) {
        s[k].scalar = k;
        s[k].on_record = on_record;
        s[k].on_record_arg = &cb[k];
        rc[k] = csfs_scan_chunk(data, len, is_last, &s[k], &e[k]);
    }
    int ok = rc[0] == rc[1];
    if (rc[0] && ok)
        ok = e[0].line == e[1].line && strcmp(e[0].message, e[1].message) == 0 &&
             s[0].bad_record_parts == s[1].bad_record_parts &&
             (!s[0].bad_record_parts || s[0].bad_record_line == s[1].bad_record_line);
    ok = ok && s[0].n_rec == s[1].n_rec && s[0].n_sep == s[1].n_sep &&
         (!s[0].n_rec || memcmp(s[0].rec, s[1].rec, s[0].n_rec * sizeof *s[0].rec) == 0) &&
         (!s[0].n_sep ||
          memcmp(s[0].sep_before, s[1].sep_before, s[0].n_sep * sizeof *s[0].sep_before) == 0) &&
         s[0].lines == s[1].lines && s[0].crlf_lines == s[1].crlf_lines &&
         s[0].odd_separators == s[1].odd_separators && s[0].trailing_blank == s[1].trailing_blank &&
         s[0].has_content == s[1].has_content &&
         s[0].trailing_separator == s[1].trailing_separator && s[0].ascii == s[1].ascii;
    /* One callback per record, in order, on the record just made. */
    ok = ok && cb[0].n == cb[1].n && cb[0].n == s[0].n_rec && !cb[0].bad_ascii && !cb[1].bad_ascii;
    for (size_t i = 0; ok && i < cb[0].n; i++)
        ok = cb[0].index[i] == i && cb[1].index[i] == i && cb[0].off[i] == s[0].rec[i].off[0] &&
             cb[1].off[i] == s[0].rec[i].off[0];
    if (rc[0] == 0) ok = ok && s[0].ascii == !csfs_has_high_byte(data, len);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr,
                "  paths differ on %zu bytes (is_last %d): rc %d/%d line %llu/%llu "
                "'%s' / '%s', records %zu/%zu, lines %llu/%llu, ascii %d/%d\n",
                len, is_last, rc[0], rc[1], (unsigned long long)e[0].line,
                (unsigned long long)e[1].line, e[0].message, e[1].message, s[0].n_rec, s[1].n_rec,
                (unsigned long long)s[0].lines, (unsigned long long)s[1].lines, s[0].ascii,
                s[1].ascii);
        fwrite(data, 1, len < 400 ? len : 400, stderr);
        fputc('\n', stderr);
    }
    compared++;
    compared_err += rc[0] != 0;
    for (int k = 0; k < 2; k++) {
        csfs_chunk_scan_free(&s[k]);
        free(cb[k].index);
        free(cb[k].off);
    }
    free(data);
}

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static size_t below(size_t n)
{
    return n ? (size_t)(next_rand() % n) : 0;
}

/* The body of a list (after its 5 header lines). */
static const char *body_of(const char *text, size_t len, size_t *blen)
{
    size_t at = 0;
    for (int i = 0; i < CSFS_HEADER_LINES && at < len; i++) {
        const char *nl = memchr(text + at, '\n', len - at);
        at = nl ? (size_t)(nl - text) + 1 : len;
    }
    *blen = len - at;
    return text + at;
}

/* A list: whole, every prefix end near the start and at random places,
 * random windows (chunks that start and end anywhere). */
static void list_cases(const char *body, size_t len)
{
    both(body, len, 1);
    both(body, len, 0);
    for (size_t n = 0; n < 300 && n <= len; n++) both(body, n, (int)(n & 1));
    for (int i = 0; i < 200; i++) {
        size_t a = below(len), n = below(len - a + 1);
        if (n > 20000) n = 20000;
        both(body + a, n, i & 1);
    }
}

static void grasp_lists(void)
{
    static const char *names[] = {"c_like_n3_2x.c", "fe_3d6_4s2.c",           "li_like_gh_2x.c",
                                  "nd3_4f3_1x.c",   "nd_4f4_6s2_seniority.c", "rcsfs_sample.c"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "data/grasp/%s", names[i]);
        const char *path = tu_data(rel);
        if (!path) {
            tu_skipped++;
            continue;
        }
        size_t len, blen;
        char *text = tu_read_file(path, &len);
        CHECK(text != NULL);
        if (!text) continue;
        const char *body = body_of(text, len, &blen);
        list_cases(body, blen);
        /* The same list with CR LF line ends. */
        char *crlf = malloc(2 * blen + 1);
        size_t o = 0;
        for (size_t k = 0; k < blen; k++) {
            if (body[k] == '\n') crlf[o++] = '\r';
            crlf[o++] = body[k];
        }
        list_cases(crlf, o);
        free(crlf);
        free(text);
    }
}

static const char *const record_lines[][3] = {
    {"  1s ( 2)  2s ( 2)  2p-( 2)  2p ( 2)", "", "                                   0+"},
    {"  2s ( 1)  2p-( 1)  2p ( 2)  3d ( 1)", "                           5/2",
     "               1        1/2      5/2-"},
    {"  4f-( 4)  4f ( 3)  5d ( 1)", "          1;9/2      3/2", "                 4        9/2-"},
    {"  3d-( 4)  3d ( 2)", "              2;4", "                   4+"},
};

/* Randomised lists: records, separators, blank lines, CR LF, padding that
 * moves every line end across the 16/64-byte boundaries, and bytes that
 * break them (NUL, high bytes, stray LF, a missing line). */
static void random_lists(void)
{
    static const char *seps[] = {" *", "*", "  *  ", " * ", "\t*"};
    char *buf = malloc(1 << 16);
    for (int it = 0; it < 4000; it++) {
        size_t o = 0;
        int records = 1 + (int)below(24);
        int crlf = below(4) == 0;
        for (int r = 0; r < records && o < 60000; r++) {
            if (below(8) == 0) {
                const char *s = seps[below(5)];
                o += (size_t)sprintf(buf + o, "%s%s\n", s, crlf ? "\r" : "");
            }
            if (below(40) == 0) o += (size_t)sprintf(buf + o, "%s\n", below(2) ? "" : "   ");
            const char *const *rec = record_lines[below(4)];
            for (int k = 0; k < 3; k++) {
                size_t pad = below(5) == 0 ? below(80) : 0;
                o += (size_t)sprintf(buf + o, "%s%*s%s\n", rec[k], (int)pad, "",
                                     crlf || below(50) == 0 ? "\r" : "");
            }
        }
        /* Hostile edits. */
        int edits = (int)below(4);
        for (int k = 0; k < edits && o; k++) {
            size_t at = below(o);
            switch (below(6)) {
            case 0:
                buf[at] = '\0';
                break;
            case 1:
                buf[at] = (char)(0x80 + below(128));
                break;
            case 2:
                buf[at] = '\n';
                break;
            case 3:
                buf[at] = '\r';
                break;
            case 4:
                buf[at] = '*';
                break;
            default: /* cut a line out */ {
                const char *nl = memchr(buf + at, '\n', o - at);
                if (nl) {
                    size_t end = (size_t)(nl - buf) + 1;
                    memmove(buf + at, buf + end, o - end);
                    o -= end - at;
                }
            }
            }
        }
        both(buf, o, 1);
        both(buf, o, 0);
        if (o) { /* cut anywhere (draws in a fixed order: the same cases with every compiler) */
            size_t cut = below(o < 64 ? o : 64);
            int last = (int)below(2);
            both(buf, o - 1 - cut, last);
        }
    }
    free(buf);
}

/* One record whose lines end exactly at, and around, every position of a
 * 64-byte step, with and without CR, after a prefix of 0..70 bytes. */
static void boundaries(void)
{
    char buf[1024];
    for (size_t pre = 0; pre < 70; pre++) {
        for (size_t w = 9; w < 140; w += 1) {
            size_t o = 0;
            /* a separator line of length pre (or none) moves the record */
            if (pre >= 2) {
                memset(buf, ' ', pre - 1);
                buf[pre - 2] = '*';
                buf[pre - 1] = '\n';
                o = pre;
            }
            o += (size_t)sprintf(buf + o, "  1s ( 2)%*s\n", (int)(w - 9), "");
            o += (size_t)sprintf(buf + o, "%*s%s\n", (int)(w % 7), "", (w & 1) ? "\r" : "");
            o += (size_t)sprintf(buf + o, "%*s0+", (int)(w % 64), "");
            both(buf, o, 1); /* ends without LF: the unterminated-line-3 rule */
            buf[o++] = '\n';
            both(buf, o, 1);
            both(buf, o, 0);
            buf[o - 1 - (w % 3)] = (char)(w & 1 ? '\0' : 0xC3); /* NUL / non-ASCII near the end */
            both(buf, o, 1);
        }
    }
}

int main(void)
{
#ifdef CSFS_HAVE_SSE2
    printf("comparing the SSE2 and scalar line finders\n");
#else
    printf("no SSE2 in this build: both runs take the scalar line finder\n");
#endif
    grasp_lists();
    random_lists();
    boundaries();
    printf("%llu chunks compared (%llu with an error)\n", (unsigned long long)compared,
           (unsigned long long)compared_err);
    CHECK(compared_err > 1000 && compared - compared_err > 1000); /* both kinds covered */
    return tu_done();
}
