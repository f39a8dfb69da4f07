/*
 * libFuzzer target: a CSF text list end to end, as the descriptor job reads
 * it. The input bytes are the file: the reader (csfs_text_open through a
 * memfd, so the real open/read path runs) takes the 5 header lines and cuts
 * chunks at record boundaries with a small chunk size, csfs_scan_chunk splits
 * every chunk into records, and each record goes through both engines:
 *
 *   V1  csfs_desc_parse_records (raw and normalised) into strided columns,
 *       checked against csfs_parse_csf on the same three lines;
 *   V2  csfs_v2_parse -> store -> decode must give the same record back;
 *       its table-driven path and its general path (general_only) must
 *       give the same status, record and failure;
 *       format -> parse must give a canonical record equal to it; and a
 *       record flagged canonical must format back to its own lines exactly.
 *
 * Besides sanitizer reports, a broken invariant is a trap: the reader must
 * hand out every byte after the header exactly once, the scanner's records
 * must lie inside the chunk, and an error must name a line inside it.
 *
 * The chunk size and the fallback peel list are picked from the input size,
 * so a crash reproduces from the file alone. zstd/gzip inputs are skipped:
 * a few bytes can expand to gigabytes, and the codecs are not csfs code
 * (truncated and corrupt streams are covered by tests/python/test_hostile.py).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "grasp/csf_text.h"
#include "grasp/csf_text_ranges.h"
#include "descriptor/v1.h"
#include "descriptor/v2.h"
#include "descriptor/parsed.h"
#include "grasp/peel.h"

/* Work per input stays bounded whatever the file holds. */
#define MAX_RECORDS 4096
#define MAX_PUBLIC_CHECKS 8
#define MAX_PEEL 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_csf_text: invariant failed at line %d: %s\n", __LINE__, #cond);  \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)

/* One memfd for the whole run: rewritten for every input. */
static int memfd = -1;
static char memfd_path[64];

static int put_input(const uint8_t *data, size_t size)
{
    if (memfd < 0) {
        memfd = memfd_create("fuzz_csf_text", MFD_CLOEXEC);
        if (memfd < 0) return -1;
        snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
    }
    if (ftruncate(memfd, 0) != 0) return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t w = pwrite(memfd, data + done, size - done, (off_t)done);
        if (w <= 0) return -1;
        done += (size_t)w;
    }
    return 0;
}

static int same_v2(const csfs_v2_record *a, const csfs_v2_record *b)
{
    if (a->nf != b->nf || a->total_two_j != b->total_two_j || a->parity != b->parity) return 0;
    for (size_t i = 0; i < a->nf; i++) {
        const csfs_v2_sub *x = &a->sub[i], *y = &b->sub[i];
        if (x->peel != y->peel || x->occ != y->occ || x->two_j != y->two_j ||
            x->seniority != y->seniority || x->two_k != y->two_k)
            return 0;
    }
    return 1;
}

typedef struct engines {
    const csfs_peel *peel;
    size_t width;
    csfs_desc_ctx raw, norm;
    int have_v2;
    csfs_v2_ctx v2, v2_general; /* v2_general: the general path only */
    csfs_v2_record rec, back, again, general;
    csfs_buf text;
    int32_t *row;   /* one V2 row */
    uint32_t *cols; /* V1 columns of a chunk's records, col_stride = records */
    size_t cap_cols;
    uint32_t *single; /* one V1 row through the public API */
    size_t public_checks;
    /* Parsing in the scan (descriptor/parsed.h), on the scalar path. */
    csfs_chunk_scan scan2;
    csfs_parsed_chunk *pv1, *pv2;
    uint32_t *cols2;
} engines;

/* The three formatted lines of out (each ends in '\n') equal l[0..2]? */
static int formats_to(const csfs_buf *out, const char *const l[3], const size_t n[3])
{
    const char *p = out->data, *end = out->data + out->len;
    for (int k = 0; k < 3; k++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl || (size_t)(nl - p) != n[k] || memcmp(p, l[k], n[k]) != 0) return 0;
        p = nl + 1;
    }
    return p == end;
}

/* Splits formatted text into its three lines. */
static void split3(const csfs_buf *out, const char *l[3], size_t n[3])
{
    const char *p = out->data;
    for (int k = 0; k < 3; k++) {
        const char *nl = memchr(p, '\n', (size_t)(out->data + out->len - p));
        REQUIRE(nl != NULL);
        l[k] = p;
        n[k] = (size_t)(nl - p);
        p = nl + 1;
    }
}

static void check_v2(engines *e, const char *const l[3], const size_t n[3])
{
    csfs_v2_failure why;
    int rc = csfs_v2_parse(&e->v2, l[0], n[0], l[1], n[1], l[2], n[2], &e->rec, &why);
    csfs_v2_failure gwhy;
    int grc = csfs_v2_parse(&e->v2_general, l[0], n[0], l[1], n[1], l[2], n[2], &e->general, &gwhy);
    REQUIRE(grc == rc);
    if (rc == CSFS_V2_OK)
        REQUIRE(same_v2(&e->rec, &e->general) && e->rec.canonical == e->general.canonical);
    else
        REQUIRE(gwhy.kind == why.kind && gwhy.field == why.field && gwhy.peel == why.peel &&
                strcmp(gwhy.reason, why.reason) == 0);
    if (rc != CSFS_V2_OK) {
        REQUIRE(rc > 0 && rc < CSFS_V2_FAIL_KINDS && why.kind == rc);
        REQUIRE(memchr(why.reason, '\0', sizeof why.reason) != NULL && why.reason[0]);
        REQUIRE(e->rec.nf == 0);
        return;
    }
    REQUIRE(csfs_v2_validate(&e->v2, &e->rec, &why) == CSFS_V2_OK);
    size_t n_peel = csfs_peel_count(e->peel);
    csfs_v2_store(&e->rec, n_peel, e->row, 1);
    REQUIRE(csfs_v2_decode(&e->v2, e->row, 1, &e->back, &why) == CSFS_V2_OK);
    REQUIRE(same_v2(&e->rec, &e->back));

    e->text.len = 0;
    rc = csfs_v2_format(&e->v2, &e->rec, &e->text, &why);
    if (rc == CSFS_V2_E_TOO_WIDE) {
        REQUIRE(!e->rec.canonical); /* text that was printed fits its fields */
        return;
    }
    REQUIRE(rc == CSFS_V2_OK);
    if (e->rec.canonical) REQUIRE(formats_to(&e->text, l, n));
    const char *fl[3];
    size_t fn[3];
    split3(&e->text, fl, fn);
    REQUIRE(csfs_v2_parse(&e->v2, fl[0], fn[0], fl[1], fn[1], fl[2], fn[2], &e->again, &why) ==
            CSFS_V2_OK);
    REQUIRE(e->again.canonical);
    REQUIRE(same_v2(&e->rec, &e->again));
}

/* Records [0, n) of a scanned chunk through V1 (both modes) and V2. */
static void run_engines(engines *e, const char *data, const csfs_chunk_scan *scan)
{
    size_t n = scan->n_rec < MAX_RECORDS ? scan->n_rec : MAX_RECORDS;
    if (n == 0) return;
    if (n * e->width > e->cap_cols) {
        free(e->cols);
        free(e->cols2);
        e->cap_cols = n * e->width;
        e->cols = malloc(e->cap_cols * sizeof *e->cols);
        e->cols2 = malloc(e->cap_cols * sizeof *e->cols2);
        REQUIRE(e->cols != NULL && e->cols2 != NULL);
    }
    for (int normalize = 0; normalize < 2; normalize++) {
        csfs_desc_ctx *ctx = normalize ? &e->norm : &e->raw;
        csfs_desc_notes notes;
        csfs_desc_notes_clear(&notes);
        /* Rows of zeros in (the engine's page fill); the columns written
         * must all be in touched. */
        memset(e->cols, 0, n * e->width * sizeof *e->cols);
        uint64_t touched[(3 * MAX_PEEL + 63) / 64] = {0};
        csfs_desc_parse_records(ctx, data, scan, 0, n, e->cols, n, touched, &notes);
        for (size_t c = 0; c < e->width; c++)
            for (size_t r = 0; !(touched[c / 64] >> (c % 64) & 1) && r < n; r++)
                REQUIRE(e->cols[c * n + r] == 0);
        REQUIRE(notes.failed <= n && notes.n_failures <= CSFS_MAX_NOTES);
        REQUIRE(notes.n_failures ==
                (notes.failed < CSFS_MAX_NOTES ? notes.failed : CSFS_MAX_NOTES));
        for (size_t i = 0; i < notes.n_failures; i++) {
            const csfs_desc_note *f = &notes.failures[i];
            REQUIRE(f->record < n && f->line == scan->rec[f->record].line);
            REQUIRE(f->status > CSFS_CSF_OK && f->status <= CSFS_CSF_NO_CAPACITY);
            for (size_t c = 0; c < e->width; c++) REQUIRE(e->cols[c * n + f->record] == 0);
        }
        if (notes.has_unknown) {
            REQUIRE(notes.unknown_fields > 0 && notes.unknown.record < n);
            REQUIRE(memchr(notes.unknown.name, '\0', sizeof notes.unknown.name) != NULL);
        }
        /* The public one-CSF call gives the same row (or the same failure). */
        for (size_t i = 0; i < n && e->public_checks < MAX_PUBLIC_CHECKS; i++) {
            const char *l[3];
            size_t len[3];
            csfs_record_lines(scan, data, i, l, len);
            csfs_error err;
            int rc = csfs_parse_csf(l[0], len[0], l[1], len[1], l[2], len[2], e->peel, normalize,
                                    e->single, &err);
            REQUIRE(rc == 0 || rc == CSFS_E_CSF);
            for (size_t c = 0; c < e->width; c++) REQUIRE(e->single[c] == e->cols[c * n + i]);
            e->public_checks++;
        }
    }
    for (size_t i = 0; e->have_v2 && i < n; i++) {
        const char *l[3];
        size_t len[3];
        csfs_record_lines(scan, data, i, l, len);
        check_v2(e, l, len);
    }
}

/* The scalar scanner (scan2, forced) gave what the default one gave. */
static void same_scan(const csfs_chunk_scan *a, const csfs_chunk_scan *b)
{
    REQUIRE(a->n_rec == b->n_rec && a->n_sep == b->n_sep && a->lines == b->lines);
    REQUIRE(!a->n_rec || memcmp(a->rec, b->rec, a->n_rec * sizeof *a->rec) == 0);
    REQUIRE(!a->n_sep ||
            memcmp(a->sep_before, b->sep_before, a->n_sep * sizeof *a->sep_before) == 0);
    REQUIRE(a->crlf_lines == b->crlf_lines && a->odd_separators == b->odd_separators);
    REQUIRE(a->trailing_blank == b->trailing_blank && a->has_content == b->has_content);
    REQUIRE(a->trailing_separator == b->trailing_separator && a->ascii == b->ascii);
}

/* A chunk the default scanner refused: the scalar one refuses it the same way. */
static void same_failure(engines *e, const char *data, size_t len, int last, const csfs_error *err)
{
    csfs_error e2;
    e->scan2.scalar = 1;
    e->scan2.on_record = NULL;
    REQUIRE(csfs_scan_chunk(data, len, last, &e->scan2, &e2) == err->code);
    REQUIRE(e2.line == err->line && strcmp(e2.message, err->message) == 0);
}

/* The chunk scanned again on the scalar path while parsing each record in
 * the scan: the scan must equal the default one, and storing from the
 * parsed form must give the rows, notes and V2 records of parsing later. */
static void run_fused(engines *e, const char *data, size_t len, int last,
                      const csfs_chunk_scan *scan)
{
    size_t n = scan->n_rec < MAX_RECORDS ? scan->n_rec : MAX_RECORDS;
    csfs_error err;
    e->scan2.scalar = 1;
    for (int normalize = 0; normalize < 2; normalize++) {
        csfs_desc_ctx *ctx = normalize ? &e->norm : &e->raw;
        csfs_parsed_begin_v1(e->pv1, ctx);
        e->scan2.on_record = csfs_parsed_v1_record;
        e->scan2.on_record_arg = e->pv1;
        REQUIRE(csfs_scan_chunk(data, len, last, &e->scan2, &err) == 0);
        same_scan(scan, &e->scan2);
        REQUIRE(e->pv1->n == scan->n_rec);
        if (n == 0) continue;
        csfs_desc_notes a, b;
        csfs_desc_notes_clear(&a);
        csfs_desc_notes_clear(&b);
        memset(e->cols, 0, n * e->width * sizeof *e->cols); /* the engine's page fill */
        memset(e->cols2, 0, n * e->width * sizeof *e->cols2);
        uint64_t ta[(3 * MAX_PEEL + 63) / 64] = {0}, tb[(3 * MAX_PEEL + 63) / 64] = {0};
        csfs_desc_parse_records(ctx, data, scan, 0, n, e->cols, n, ta, &a);
        ctx->parsed = e->pv1;
        csfs_desc_parse_records(ctx, data, scan, 0, n, e->cols2, n, tb, &b);
        ctx->parsed = NULL;
        REQUIRE(memcmp(e->cols, e->cols2, n * e->width * sizeof *e->cols) == 0);
        REQUIRE(memcmp(ta, tb, sizeof ta) == 0);
        REQUIRE(memcmp(&a, &b, sizeof a) == 0);
    }
    if (!e->have_v2) return;
    csfs_parsed_begin_v2(e->pv2, &e->v2, csfs_peel_count(e->peel));
    e->scan2.on_record = csfs_parsed_v2_record;
    e->scan2.on_record_arg = e->pv2;
    REQUIRE(csfs_scan_chunk(data, len, last, &e->scan2, &err) == 0);
    same_scan(scan, &e->scan2);
    const csfs_parsed_chunk *p = e->pv2;
    REQUIRE(p->n == scan->n_rec);
    size_t f = 0;
    for (size_t i = 0; i < n; i++) {
        const char *l[3];
        size_t ln[3];
        csfs_record_lines(scan, data, i, l, ln);
        csfs_v2_failure why;
        int rc = csfs_v2_parse(&e->v2, l[0], ln[0], l[1], ln[1], l[2], ln[2], &e->rec, &why);
        REQUIRE(rc == p->fail[i]);
        if (rc) {
            REQUIRE(f < p->n_fails && p->fails[f].record == i && p->fails[f].kind == rc);
            REQUIRE(strcmp(p->fails[f].reason, why.reason) == 0);
            REQUIRE(p->first[i + 1] == p->first[i]);
            f++;
            continue;
        }
        REQUIRE(p->first[i + 1] - p->first[i] == e->rec.nf);
        REQUIRE(p->total_two_j[i] == e->rec.total_two_j && p->parity[i] == e->rec.parity);
        REQUIRE(p->canonical[i] == e->rec.canonical);
        for (size_t k = 0; k < e->rec.nf; k++) {
            const csfs_v2_sub *x = &p->sub[p->first[i] + k], *y = &e->rec.sub[k];
            REQUIRE(x->peel == y->peel && x->occ == y->occ && x->two_j == y->two_j &&
                    x->seniority == y->seniority && x->two_k == y->two_k);
        }
    }
}

/* Lines of a chunk as the scanner counts them (a last line without LF counts). */
static uint64_t count_lines(const char *p, size_t len)
{
    uint64_t lines = 0;
    for (const char *q = p; (q = memchr(q, '\n', (size_t)(p + len - q))) != NULL; q++) lines++;
    return lines + (len && p[len - 1] != '\n');
}

/* Start and length of 1-based line k of a chunk (line end and CR excluded). */
static void line_at(const char *data, size_t len, uint64_t k, const char **p, size_t *n)
{
    const char *q = data, *end = data + len;
    for (uint64_t i = 1; i < k; i++) q = (const char *)memchr(q, '\n', (size_t)(end - q)) + 1;
    const char *nl = memchr(q, '\n', (size_t)(end - q));
    *p = q;
    *n = (size_t)((nl ? nl : end) - q);
    if (*n && q[*n - 1] == '\r') (*n)--;
}

static void check_scan(const char *data, size_t len, int last, const csfs_chunk_scan *s)
{
    uint64_t lines = count_lines(data, len);
    REQUIRE(s->lines == lines);
    /* A trailing separator is reported for the last chunk only, and is one. */
    REQUIRE(s->trailing_separator <= lines && (last || s->trailing_separator == 0));
    if (s->trailing_separator) {
        const char *p;
        size_t n;
        line_at(data, len, s->trailing_separator, &p, &n);
        REQUIRE(csfs_is_separator(p, n));
        REQUIRE(s->n_sep > 0 && s->sep_before[s->n_sep - 1] == s->n_rec);
    }
    uint64_t blank = s->trailing_blank >= 0 ? lines - (uint64_t)s->trailing_blank : 0;
    REQUIRE(lines == 3 * (uint64_t)s->n_rec + s->n_sep + blank);
    for (size_t i = 0; i < s->n_rec; i++) {
        const csfs_record *r = &s->rec[i];
        REQUIRE(r->line < lines && (i == 0 || r->line > s->rec[i - 1].line));
        for (int k = 0; k < 3; k++) {
            REQUIRE((uint64_t)r->off[k] + r->len[k] <= len);
            size_t end = (size_t)r->off[k] + r->len[k];
            REQUIRE(end == len || data[end] == '\n' || data[end] == '\r');
            REQUIRE(!memchr(data + r->off[k], '\n', r->len[k]));
        }
        REQUIRE(csfs_is_record_start(data + r->off[0], r->len[0]));
    }
    for (size_t k = 0; k < s->n_sep; k++)
        REQUIRE(s->sep_before[k] <= s->n_rec &&
                (k == 0 || s->sep_before[k] >= s->sep_before[k - 1]));
}

/* What scanning the whole list gave, in file coordinates, to compare the
 * serial reader's chunks with the byte-range chunks. */
typedef struct list_sig {
    int ok; /* every chunk read and scanned without error */
    uint64_t hash, sep_hash, n_rec, n_sep, lines, trailing_sep;
    /* Blank lines, then more content in a later chunk: the engine's orderer
     * refuses this across chunks (a single chunk's scan refuses it itself). */
    int pending_blank, blank_then_content;
} list_sig;

static void mix(uint64_t *h, uint64_t v)
{
    *h = (*h ^ v) * 0x100000001B3ull;
}

static void sign_chunk(list_sig *g, const csfs_chunk_scan *s, uint64_t at)
{
    for (size_t k = 0; k < s->n_sep; k++) mix(&g->sep_hash, g->n_rec + s->sep_before[k]);
    for (size_t i = 0; i < s->n_rec; i++) {
        for (int k = 0; k < 3; k++) mix(&g->hash, at + s->rec[i].off[k]);
        for (int k = 0; k < 3; k++) mix(&g->hash, s->rec[i].len[k]);
        mix(&g->hash, g->lines + s->rec[i].line);
    }
    if (g->pending_blank && s->has_content) g->blank_then_content = 1;
    if (s->trailing_blank >= 0) g->pending_blank = 1;
    if (s->trailing_separator) g->trailing_sep = g->lines + s->trailing_separator;
    g->n_rec += s->n_rec;
    g->n_sep += s->n_sep;
    g->lines += s->lines;
}

/*
 * The same file read by byte ranges (as the engine reads a regular file):
 * every byte after the header in exactly one chunk, every non-empty chunk
 * after the first begins at a line that may begin a chunk, and a list the
 * serial reader scanned without error gives the same records, separators
 * and lines; one it refused is refused here too.
 */
static void run_ranges(const uint8_t *data, size_t size, size_t range_bytes, const list_sig *serial)
{
    csfs_error err;
    csfs_text_reader *r;
    if (csfs_text_open(memfd_path, range_bytes, &r, &err) != 0) return;
    csfs_text_ranges t;
    REQUIRE(csfs_text_ranges_init(r, range_bytes, &t) == 1);
    REQUIRE(t.data_start == csfs_text_header(r)->bytes && t.file_end == size);
    csfs_buf buf = {0};
    csfs_text_map map = {0};
    int mapped = (int)(range_bytes & 1); /* both ways of reading a range, by turns */
    csfs_chunk_scan scan;
    memset(&scan, 0, sizeof scan);
    list_sig g = {.ok = 1, .hash = 0xCBF29CE484222325ull};
    uint64_t at = t.data_start;
    for (uint64_t k = 0; k < t.count; k++) {
        csfs_text_range c;
        if (csfs_text_ranges_read(&t, k, &buf, mapped ? &map : NULL, &c, &err) != 0) {
            /* Only a list with no possible chunk start within 256 MiB. */
            REQUIRE(err.code == CSFS_E_FORMAT || err.code == CSFS_E_NOMEM);
            g.ok = 0;
            break;
        }
        uint64_t b0 = t.data_start + k * range_bytes;
        uint64_t b1 = b0 + range_bytes < t.file_end ? b0 + range_bytes : t.file_end;
        if (c.len == 0) {
            REQUIRE(c.start == b1 && c.is_last == (b1 == t.file_end));
            continue;
        }
        REQUIRE(c.start == at);
        REQUIRE(mapped ? c.data >= (const char *)map.addr &&
                             c.data + c.len <= (const char *)map.addr + map.len
                       : c.data >= buf.data && c.data + c.len <= buf.data + buf.len);
        REQUIRE(memcmp(c.data, data + c.start, c.len) == 0);
        REQUIRE(c.is_last == (c.start + c.len == t.file_end));
        if (k > 0) {
            REQUIRE(c.start >= b0 && c.start < b1 && data[c.start - 1] == '\n');
            const char *p = c.data, *nl = memchr(p, '\n', c.len);
            REQUIRE(csfs_is_cut_line(p, nl ? (size_t)(nl - p) : c.len));
        }
        at += c.len;
        if (csfs_scan_chunk(c.data, c.len, c.is_last, &scan, &err) != 0) {
            g.ok = 0;
            break;
        }
        sign_chunk(&g, &scan, c.start);
    }
    if (g.ok) REQUIRE(at == size && csfs_text_ranges_check_end(&t, &err) == 0);
    if (serial) {
        g.ok = g.ok && !g.blank_then_content;
        REQUIRE(g.ok == (serial->ok && !serial->blank_then_content));
        if (g.ok)
            REQUIRE(g.hash == serial->hash && g.sep_hash == serial->sep_hash &&
                    g.n_rec == serial->n_rec && g.n_sep == serial->n_sep &&
                    g.lines == serial->lines && g.trailing_sep == serial->trailing_sep);
    }
    csfs_chunk_scan_free(&scan);
    csfs_buf_free(&buf);
    csfs_text_map_release(&map);
    csfs_text_close(r);
}

static void run(const uint8_t *data, size_t size, size_t chunk_bytes, list_sig *sig)
{
    csfs_error err;
    csfs_text_reader *r;
    if (csfs_text_open(memfd_path, chunk_bytes, &r, &err) != 0) {
        REQUIRE(err.code < 0 && err.message[0]);
        return;
    }
    const csfs_header *h = csfs_text_header(r);
    REQUIRE(h->bytes <= size);
    for (int i = 0; i < CSFS_HEADER_LINES; i++)
        REQUIRE(strlen(h->lines[i]) == h->lens[i] && !memchr(h->lines[i], '\n', h->lens[i]));

    /* The header's peel list, or a fixed one when it gives none usable. */
    csfs_peel *peel = NULL;
    if (csfs_peel_from_header_line(h->lines[3], h->lens[3], &peel, &err) != 0 ||
        csfs_peel_count(peel) == 0 || csfs_peel_count(peel) > MAX_PEEL) {
        csfs_peel_free(peel);
        peel = NULL;
        static const char *const fallback[] = {"2s",  "2p-", "2p",  "3s", "3p-", "3p",
                                               "3d-", "3d",  "4f-", "4f", "5g-", "5g"};
        size_t k = 1 + size % (sizeof fallback / sizeof *fallback);
        REQUIRE(csfs_peel_from_names(fallback, k, &peel, &err) == 0);
    }
    engines e;
    memset(&e, 0, sizeof e);
    e.peel = peel;
    REQUIRE(csfs_desc_ctx_init(&e.raw, peel, CSFS_LAYOUT_V1, 0, &err) == 0);
    REQUIRE(csfs_desc_ctx_init(&e.norm, peel, CSFS_LAYOUT_V1, 1, &err) == 0);
    e.width = csfs_desc_width(&e.raw);
    e.single = malloc(e.width * sizeof *e.single);
    e.row = malloc(csfs_v2_width(csfs_peel_count(peel)) * sizeof *e.row);
    REQUIRE(e.single && e.row);
    e.pv1 = csfs_parsed_new(0);
    e.pv2 = csfs_parsed_new(1);
    REQUIRE(e.pv1 && e.pv2);
    e.have_v2 = csfs_v2_ctx_init(&e.v2, peel, &err) == 0;
    if (e.have_v2) {
        size_t np = csfs_peel_count(peel);
        REQUIRE(csfs_v2_record_init(&e.rec, np, &err) == 0);
        REQUIRE(csfs_v2_record_init(&e.back, np, &err) == 0);
        REQUIRE(csfs_v2_record_init(&e.again, np, &err) == 0);
        REQUIRE(csfs_v2_record_init(&e.general, np, &err) == 0);
        REQUIRE(csfs_v2_ctx_init(&e.v2_general, peel, &err) == 0);
        e.v2_general.general_only = 1;
    }

    csfs_buf chunk = {0};
    csfs_chunk_scan scan;
    memset(&scan, 0, sizeof scan);
    uint64_t handed_out = h->bytes;
    int complete = 0;
    list_sig g = {.ok = 1, .hash = 0xCBF29CE484222325ull};
    for (;;) {
        if (csfs_text_next_chunk(r, &chunk, &err) != 0) {
            REQUIRE(err.code < 0 && err.message[0]);
            break;
        }
        if (chunk.len == 0) {
            complete = 1;
            break;
        }
        /* Every byte after the header, once, in order. */
        REQUIRE(handed_out + chunk.len <= size);
        REQUIRE(memcmp(chunk.data, data + handed_out, chunk.len) == 0);
        handed_out += chunk.len;
        int last = csfs_text_at_end(r);
        if (!last) REQUIRE(chunk.data[chunk.len - 1] == '\n');
        if (csfs_scan_chunk(chunk.data, chunk.len, last, &scan, &err) != 0) {
            REQUIRE(err.code == CSFS_E_FORMAT || err.code == CSFS_E_NOMEM);
            REQUIRE(err.message[0]);
            REQUIRE(err.line >= 1 && err.line <= count_lines(chunk.data, chunk.len) + 1);
            same_failure(&e, chunk.data, chunk.len, last, &err);
            break;
        }
        check_scan(chunk.data, chunk.len, last, &scan);
        sign_chunk(&g, &scan, handed_out - chunk.len);
        run_engines(&e, chunk.data, &scan);
        run_fused(&e, chunk.data, chunk.len, last, &scan);
        if (last) {
            complete = 1;
            break;
        }
    }
    if (complete) REQUIRE(handed_out == size);
    g.ok = complete;
    *sig = g;

    csfs_chunk_scan_free(&scan);
    csfs_buf_free(&chunk);
    csfs_text_close(r);
    csfs_desc_ctx_free(&e.raw);
    csfs_desc_ctx_free(&e.norm);
    if (e.have_v2) {
        csfs_v2_record_free(&e.rec);
        csfs_v2_record_free(&e.back);
        csfs_v2_record_free(&e.again);
        csfs_v2_record_free(&e.general);
        csfs_v2_ctx_free(&e.v2);
        csfs_v2_ctx_free(&e.v2_general);
    }
    csfs_buf_free(&e.text);
    csfs_chunk_scan_free(&e.scan2);
    csfs_parsed_free(e.pv1);
    csfs_parsed_free(e.pv2);
    free(e.cols2);
    free(e.cols);
    free(e.single);
    free(e.row);
    csfs_peel_free(peel);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* zstd and gzip magic: see the top of the file. */
    if (size >= 4 && data[0] == 0x28 && data[1] == 0xB5 && data[2] == 0x2F && data[3] == 0xFD)
        return 0;
    if (size >= 2 && data[0] == 0x1F && data[1] == 0x8B) return 0;
    if (put_input(data, size) != 0) return 0;
    /* Tiny chunks force the reader to grow and cut often; 1 byte is the extreme. */
    uint32_t sel = (uint32_t)(size * 2654435761u) >> 16;
    size_t chunk_bytes = sel % 5 == 0 ? 1 : 1 + sel % 2048;
    list_sig sig = {0};
    sig.ok = -1; /* the header was refused: no chunks to compare */
    run(data, size, chunk_bytes, &sig);
    /* Ranges of another size, so that their boundaries fall elsewhere. */
    size_t range_bytes = sel % 3 == 0 ? 1 + sel % 7 : 1 + (sel >> 4) % 1500;
    run_ranges(data, size, range_bytes, sig.ok >= 0 ? &sig : NULL);
    return 0;
}
