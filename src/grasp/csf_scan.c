/*
 * csfs_scan_chunk (grasp/csf_text.h): a chunk of CSF text -> records,
 * separators and counts, in one pass over its bytes.
 *
 * Two ways to find the lines, with one rule for what a line is (take_line):
 *   - SSE2 (x86-64 baseline): 64 bytes a step, four 16-byte compares giving
 *     bit masks of '\n' and NUL bytes and the OR of the high bits (the
 *     chunk's "all ASCII" flag, so parsers need no pass of their own);
 *   - scalar (any build; forced by csfs_chunk_scan.scalar): memchr for the
 *     first NUL, then per line, and the high-byte test line by line.
 * Both hand take_line the same lines in the same order and stop at the same
 * line, so records, separators, counts and errors are identical (tests/c/
 * test_scan_paths.c compares them; so does tests/fuzz/fuzz_csf_text.c).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/error.h"
#include "common/grow.h"
#include "grasp/csf_text.h"

/* One more item in a full array of the scan result. */
static int grow(void **p, size_t *cap, size_t elem, csfs_error *err)
{
    return csfs_grow_array(p, cap, *cap + 1, elem, 1024, err);
}

static int is_blank(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!(p[i] == ' ' || (p[i] >= '\t' && p[i] <= '\r'))) return 0;
    return 1;
}

/*
 * The file ends without a line end in the last record's line 3. GRASP ends
 * every line 3 with the parity sign, and V1 never reads it: a list cut inside
 * its last line (an interrupted copy, a full disk) would otherwise give a
 * plausible row from a partial total J. Without the sign it is an error; with
 * it, only the final line end is missing, which is accepted.
 */
static int check_unterminated_line3(const char *data, const csfs_record *last, uint64_t lines,
                                    csfs_error *err)
{
    if ((uint64_t)last->line + 3 != lines) return 0; /* the last line is not its line 3 */
    const char *l3 = data + last->off[2];
    size_t n = last->len[2];
    while (n && (l3[n - 1] == ' ' || l3[n - 1] == '\t' || l3[n - 1] == '\r')) n--;
    if (n && (l3[n - 1] == '+' || l3[n - 1] == '-')) return 0;
    return csfs_fail_line(err, CSFS_E_FORMAT, lines,
                          "the file ends inside a CSF's line 3 (no parity sign and no line end): "
                          "was it cut short?");
}

/* A record cut short at chunk-relative line `line` (0-based) after `part` lines. */
static int incomplete(csfs_chunk_scan *s, csfs_error *err, uint64_t line, int part, int at_end)
{
    s->bad_record_line = line - (uint64_t)part;
    s->bad_record_parts = part;
    return csfs_fail_line(err, CSFS_E_FORMAT, line + 1,
                          at_end ? "incomplete last CSF record" : "incomplete CSF record");
}

static int nul_error(uint64_t line, csfs_error *err)
{
    return csfs_fail_line(err, CSFS_E_FORMAT, line + 1,
                          "NUL byte in the text: not a GRASP CSF list");
}

/* Where the scan is between lines. */
typedef struct scan_state {
    csfs_chunk_scan *s;
    const char *data;
    uint32_t starts[3], lens[3];
    int part;          /* lines of the current record seen so far */
    uint64_t line;     /* chunk-relative 0-based index of the next line */
    uint64_t last_sep; /* 1-based line of a separator not followed by a record yet */
    /* Past a byte >= 0x80 seen before the end of the line being taken (0:
     * none): a record from offset o on is ASCII when high_end <= o. */
    size_t high_end;
} scan_state;

/* The line data[pos .. pos + n) (n without the LF): classifies it, extends
 * the record table. 0, or the error that stops the scan. */
/* Inlined in each line finder: the scan state stays in registers. */
static inline __attribute__((always_inline)) int take_line(scan_state *st, size_t pos, size_t n,
                                                           csfs_error *err)
{
    csfs_chunk_scan *s = st->s;
    const char *p = st->data + pos;
    uint64_t line = st->line++;
    if (n && p[n - 1] == '\r') {
        n--;
        s->crlf_lines++;
    }
    int starts_record = csfs_is_record_start(p, n);
    if (st->part == 0) {
        if (starts_record) {
            st->starts[0] = (uint32_t)pos;
            st->lens[0] = (uint32_t)n;
            st->part = 1;
            st->last_sep = 0;
        } else if (csfs_is_separator(p, n)) {
            st->last_sep = line + 1;
            if (s->n_sep == s->cap_sep &&
                grow((void **)&s->sep_before, &s->cap_sep, sizeof *s->sep_before, err))
                return CSFS_E_NOMEM;
            s->sep_before[s->n_sep++] = s->n_rec;
            if (!(n == 2 && p[0] == ' ' && p[1] == '*')) s->odd_separators++;
        } else if (is_blank(p, n)) {
            if (s->trailing_blank < 0) s->trailing_blank = (int64_t)line;
            return 0;
        } else {
            return csfs_fail_line(err, CSFS_E_FORMAT, line + 1,
                                  "expected the first line of a CSF record (subshell "
                                  "fields like '  2p-( 2)') or a ' *' block separator");
        }
    } else if (starts_record || csfs_is_separator(p, n)) {
        return incomplete(s, err, line, st->part, 0);
    } else {
        st->starts[st->part] = (uint32_t)pos;
        st->lens[st->part] = (uint32_t)n;
        if (++st->part == 3) {
            if (s->n_rec == s->cap_rec && grow((void **)&s->rec, &s->cap_rec, sizeof *s->rec, err))
                return CSFS_E_NOMEM;
            csfs_record *rec = &s->rec[s->n_rec++];
            memcpy(rec->off, st->starts, sizeof st->starts);
            memcpy(rec->len, st->lens, sizeof st->lens);
            rec->line = (uint32_t)(line - 2);
            st->part = 0;
            if (s->on_record) {
                int ascii = st->high_end <= rec->off[0];
                int rc = s->on_record(s->on_record_arg, st->data, rec, s->n_rec - 1, ascii, err);
                if (rc) return rc;
            }
        }
    }
    if (s->trailing_blank >= 0)
        return csfs_fail_line(err, CSFS_E_FORMAT, (uint64_t)s->trailing_blank + 1,
                              "blank line inside the CSF list");
    s->has_content = 1;
    return 0;
}

/* Portable: the first NUL by memchr (lines from its line on are not
 * taken), then line by line. *high: some byte of the chunk is >= 0x80. */
static int lines_scalar(scan_state *st, size_t len, int *high, csfs_error *err)
{
    const char *data = st->data;
    const char *nul = memchr(data, '\0', len);
    size_t scan_len = len;
    if (nul) {
        const char *nl = memrchr(data, '\n', (size_t)(nul - data));
        scan_len = nl ? (size_t)(nl - data) + 1 : 0;
    }
    int hi = 0;
    size_t pos = 0;
    while (pos < scan_len) {
        const char *p = data + pos;
        const char *nl = memchr(p, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - p) : len - pos;
        size_t next = pos + n + (nl ? 1 : 0);
        if (csfs_has_high_byte_scalar(p, next - pos)) {
            hi = 1;
            st->high_end = next;
        }
        int rc = take_line(st, pos, n, err);
        if (rc) return rc;
        pos = next;
    }
    if (nul) return nul_error(st->line, err);
    *high = hi;
    return 0;
}

#ifdef CSFS_HAVE_SSE2
/* Bit i: byte i of the 64 in a..d equals the byte of v. */
static inline uint64_t eq_mask(__m128i a, __m128i b, __m128i c, __m128i d, __m128i v)
{
    uint64_t m0 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(a, v));
    uint64_t m1 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(b, v));
    uint64_t m2 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(c, v));
    uint64_t m3 = (uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(d, v));
    return m0 | m1 << 16 | m2 << 32 | m3 << 48;
}

/* Bit i: byte i of the 64 in a..d is >= 0x80. */
static inline uint64_t high_mask(__m128i a, __m128i b, __m128i c, __m128i d)
{
    return (uint64_t)(uint32_t)_mm_movemask_epi8(a) |
           (uint64_t)(uint32_t)_mm_movemask_epi8(b) << 16 |
           (uint64_t)(uint32_t)_mm_movemask_epi8(c) << 32 |
           (uint64_t)(uint32_t)_mm_movemask_epi8(d) << 48;
}

/* SSE2: line ends of 64 bytes a step; NUL and high bytes by one reduced
 * test per step, located only in the rare step that has one. A line is
 * taken once its LF was seen; the line holding the first NUL is not taken
 * (the scalar rule: errors before it come first). */
static int lines_sse2(scan_state *st, size_t len, int *high, csfs_error *err)
{
    const char *data = st->data;
    const __m128i lf = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
    size_t nul = SIZE_MAX; /* offset of the first NUL seen */
    size_t pos = 0;        /* start of the current line */
    int any_high = 0;
    for (size_t b = 0; b < len; b += 64) {
        __m128i v0, v1, v2, v3;
        if (len - b >= 64) {
            v0 = _mm_loadu_si128((const __m128i *)(const void *)(data + b));
            v1 = _mm_loadu_si128((const __m128i *)(const void *)(data + b + 16));
            v2 = _mm_loadu_si128((const __m128i *)(const void *)(data + b + 32));
            v3 = _mm_loadu_si128((const __m128i *)(const void *)(data + b + 48));
        } else {
            /* The tail: a copy padded with a byte that is none of LF, NUL
             * or high (the chunk may end at a page end: no overread). */
            _Alignas(16) char tail[64];
            memset(tail, 'x', sizeof tail);
            memcpy(tail, data + b, len - b);
            v0 = _mm_load_si128((const __m128i *)(const void *)tail);
            v1 = _mm_load_si128((const __m128i *)(const void *)(tail + 16));
            v2 = _mm_load_si128((const __m128i *)(const void *)(tail + 32));
            v3 = _mm_load_si128((const __m128i *)(const void *)(tail + 48));
        }
        __m128i any = _mm_or_si128(_mm_or_si128(v0, v1), _mm_or_si128(v2, v3));
        __m128i low = _mm_min_epu8(_mm_min_epu8(v0, v1), _mm_min_epu8(v2, v3));
        uint64_t hm = 0;
        if (__builtin_expect(_mm_movemask_epi8(_mm_or_si128(any, _mm_cmpeq_epi8(low, zero))), 0)) {
            hm = high_mask(v0, v1, v2, v3);
            any_high |= hm != 0;
            uint64_t z = eq_mask(v0, v1, v2, v3, zero);
            if (z && nul == SIZE_MAX) nul = b + (size_t)__builtin_ctzll(z);
        }
        uint64_t nl = eq_mask(v0, v1, v2, v3, lf);
        while (nl) {
            size_t e = b + (size_t)__builtin_ctzll(nl);
            nl &= nl - 1;
            if (nul < e) return nul_error(st->line, err);
            if (hm) { /* high bytes of this step before the line end */
                uint64_t below = hm & (((uint64_t)1 << (e - b)) - 1);
                if (below) st->high_end = b + 64 - (size_t)__builtin_clzll(below);
            }
            int rc = take_line(st, pos, e - pos, err);
            if (rc) return rc;
            pos = e + 1;
        }
        if (hm) st->high_end = b + 64 - (size_t)__builtin_clzll(hm);
    }
    if (pos < len) { /* a last line without LF */
        if (nul < len) return nul_error(st->line, err);
        int rc = take_line(st, pos, len - pos, err);
        if (rc) return rc;
    }
    *high = any_high;
    return 0;
}
#endif

int csfs_scan_chunk(const char *data, size_t len, int is_last, csfs_chunk_scan *s, csfs_error *err)
{
    s->n_rec = s->n_sep = 0;
    s->lines = s->crlf_lines = s->odd_separators = 0;
    s->trailing_blank = -1;
    s->has_content = 0;
    s->trailing_separator = 0;
    s->bad_record_parts = 0;
    s->ascii = 0;
    if (len > UINT32_MAX) return csfs_fail_line(err, CSFS_E_FORMAT, 1, "chunk larger than 4 GiB");
    scan_state st = {.s = s, .data = data};
    int high = 1, rc;
#ifdef CSFS_HAVE_SSE2
    if (!s->scalar)
        rc = lines_sse2(&st, len, &high, err);
    else
#endif
        rc = lines_scalar(&st, len, &high, err);
    if (rc) return rc;
    s->lines = st.line;
    if (st.part != 0) /* a non-last chunk is followed by a record or separator */
        return incomplete(s, err, st.line, st.part, is_last);
    s->ascii = !high;
    if (is_last) {
        s->trailing_separator = st.last_sep;
        if (s->n_rec && len && data[len - 1] != '\n')
            return check_unterminated_line3(data, &s->rec[s->n_rec - 1], st.line, err);
    }
    return 0;
}
