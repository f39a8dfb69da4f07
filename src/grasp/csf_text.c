#define _GNU_SOURCE
#include "grasp/csf_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "common/error.h"
#include "grasp/peel.h"

#define DEFAULT_CHUNK_BYTES (8u << 20)
#define MAX_LINE_BYTES CSFS_MAX_LINE_BYTES
/* Records keep 32-bit offsets into their chunk (csfs_record): a chunk size
 * asked for beyond this is only tuning, so it is capped rather than refused. */
#define MAX_CHUNK_BYTES ((size_t)1 << 30)

struct csfs_text_reader {
    csfs_input *in;
    csfs_header header;
    csfs_buf carry; /* bytes read but not yet handed out */
    int eof;
    size_t chunk_bytes;
};

/* Appends input bytes to b until it holds `want` bytes or the input ends. */
static int read_into(csfs_text_reader *r, csfs_buf *b, size_t want, csfs_error *err)
{
    int rc = csfs_buf_reserve(b, want, err);
    if (rc) return rc;
    while (!r->eof && b->len < want) {
        size_t got;
        rc = csfs_input_read(r->in, b->data + b->len, b->cap - b->len, &got, err);
        if (rc) return rc;
        if (got == 0) r->eof = 1;
        b->len += got;
    }
    return 0;
}

int csfs_is_separator(const char *p, size_t len)
{
    /* Record lines end in a digit, '+', '-' or ')': one byte rules them out. */
    size_t end = len;
    while (end && (p[end - 1] == ' ' || (p[end - 1] >= '\t' && p[end - 1] <= '\r'))) end--;
    if (end == 0 || p[end - 1] != '*') return 0;
    size_t i = 0, stars = 0;
    for (; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '*') {
            if (++stars > 1) return 0;
        } else if (!(c == ' ' || (c >= '\t' && c <= '\r'))) {
            return 0;
        }
    }
    return stars == 1;
}

/* Shows a line in a message: at most 40 bytes, non-printable bytes as \xNN. */
static void quote_line(const char *p, size_t len, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < len && i < 40 && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 0x20 && c < 0x7F)
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02X", c);
    }
    if (len > 40 && o + 4 < cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

static int starts_with_trimmed(const char *line, size_t len, const char *prefix)
{
    while (len && (*line == ' ' || *line == '\t')) line++, len--;
    size_t n = strlen(prefix);
    return len >= n && memcmp(line, prefix, n) == 0;
}

static int read_header(csfs_text_reader *r, csfs_error *err)
{
    static const char *labels[CSFS_HEADER_LINES] = {"Core subshells", NULL, "Peel subshells", NULL,
                                                    "CSF(s)"};
    const char *name = csfs_input_name(r->in);
    size_t pos = 0;
    for (int i = 0; i < CSFS_HEADER_LINES; i++) {
        char *nl;
        for (;;) {
            nl = memchr(r->carry.data + pos, '\n', r->carry.len - pos);
            if (nl || r->eof) break;
            if (r->carry.len - pos > MAX_LINE_BYTES)
                return csfs_fail_line(err, CSFS_E_FORMAT, (uint64_t)i + 1,
                                      "%s:%d: header line longer than %zu MiB: not a GRASP "
                                      "CSF list",
                                      name, i + 1, MAX_LINE_BYTES >> 20);
            int rc = read_into(r, &r->carry, r->carry.len + (1u << 16), err);
            if (rc) return rc;
        }
        size_t end = nl ? (size_t)(nl - r->carry.data) : r->carry.len;
        if (!nl && end == pos) {
            if (i == 0 && r->carry.len == 0)
                return csfs_fail(err, CSFS_E_FORMAT,
                                 "%s: empty file (a GRASP CSF list starts with 5 header lines)",
                                 name);
            return csfs_fail_line(err, CSFS_E_FORMAT, (uint64_t)i + 1,
                                  "%s:%d: the file ends after only %d header line%s (a GRASP CSF "
                                  "list starts with 5)",
                                  name, i + 1, i, i == 1 ? "" : "s");
        }
        size_t len = end - pos;
        if (len && r->carry.data[pos + len - 1] == '\r') len--;
        const char *line = r->carry.data + pos;
        if (memchr(line, '\0', len) || (labels[i] && !starts_with_trimmed(line, len, labels[i]))) {
            char shown[256];
            quote_line(line, len, shown, sizeof shown);
            if (labels[i])
                return csfs_fail_line(err, CSFS_E_FORMAT, (uint64_t)i + 1,
                                      "%s:%d: not a GRASP CSF list: header line %d should start "
                                      "with '%s', found '%s'",
                                      name, i + 1, i + 1, labels[i], shown);
            return csfs_fail_line(err, CSFS_E_FORMAT, (uint64_t)i + 1,
                                  "%s:%d: NUL byte in the header: not a GRASP CSF list", name,
                                  i + 1);
        }
        r->header.lines[i] = malloc(len + 1);
        if (!r->header.lines[i]) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        memcpy(r->header.lines[i], line, len);
        r->header.lines[i][len] = '\0';
        r->header.lens[i] = len;
        pos = nl ? end + 1 : end;
    }
    r->header.bytes = pos;
    memmove(r->carry.data, r->carry.data + pos, r->carry.len - pos);
    r->carry.len -= pos;
    return 0;
}

int csfs_text_open(const char *path, size_t chunk_bytes, csfs_text_reader **out, csfs_error *err)
{
    *out = NULL;
    csfs_text_reader *r = calloc(1, sizeof *r);
    if (!r) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    r->chunk_bytes = chunk_bytes ? chunk_bytes : DEFAULT_CHUNK_BYTES;
    if (r->chunk_bytes > MAX_CHUNK_BYTES) r->chunk_bytes = MAX_CHUNK_BYTES;
    int rc = csfs_input_open(path, &r->in, err);
    if (rc == 0) rc = read_into(r, &r->carry, 1u << 16, err);
    if (rc == 0) rc = read_header(r, err);
    if (rc) {
        csfs_text_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

const csfs_header *csfs_text_header(const csfs_text_reader *r)
{
    return &r->header;
}

const char *csfs_text_name(const csfs_text_reader *r)
{
    return csfs_input_name(r->in);
}

size_t csfs_text_chunk_bytes(const csfs_text_reader *r)
{
    return r->chunk_bytes;
}

int csfs_text_at_end(const csfs_text_reader *r)
{
    return r->eof && r->carry.len == 0;
}

csfs_input *csfs_text_input(csfs_text_reader *r)
{
    return r->in;
}

/*
 * Where to end a chunk of data[0..len): the start of the last complete line
 * that begins a record or is a separator, so that no record is split. 0 when
 * there is no such line after the first one (the chunk must grow).
 */
static size_t find_cut(const char *data, size_t len)
{
    const char *last_nl = memrchr(data, '\n', len);
    if (!last_nl) return 0;
    size_t end = (size_t)(last_nl - data); /* end of the last complete line */
    while (end > 0) {
        const char *prev_nl = memrchr(data, '\n', end);
        size_t start = prev_nl ? (size_t)(prev_nl - data) + 1 : 0;
        if (start > 0 && csfs_is_cut_line(data + start, end - start)) return start;
        if (start == 0) return 0;
        end = start - 1;
    }
    return 0;
}

int csfs_text_next_chunk(csfs_text_reader *r, csfs_buf *buf, csfs_error *err)
{
    /* Start from what was left over, then top up to the target size. */
    buf->len = 0;
    int rc =
        csfs_buf_reserve(buf, r->chunk_bytes > r->carry.len ? r->chunk_bytes : r->carry.len, err);
    if (rc) return rc;
    memcpy(buf->data, r->carry.data, r->carry.len);
    buf->len = r->carry.len;
    r->carry.len = 0;
    size_t want = r->chunk_bytes;
    for (;;) {
        rc = read_into(r, buf, want, err);
        if (rc) return rc;
        if (r->eof) return 0; /* the rest of the file is the last chunk */
        size_t cut = find_cut(buf->data, buf->len);
        if (cut > 0) {
            rc = csfs_buf_reserve(&r->carry, buf->len - cut, err);
            if (rc) return rc;
            memcpy(r->carry.data, buf->data + cut, buf->len - cut);
            r->carry.len = buf->len - cut;
            buf->len = cut;
            return 0;
        }
        if (want > MAX_LINE_BYTES)
            return csfs_fail(err, CSFS_E_FORMAT,
                             "%s: no CSF record starts within %zu MiB: not a GRASP CSF list "
                             "(or a line of unbounded length)",
                             csfs_input_name(r->in), want >> 20);
        want *= 2;
    }
}

void csfs_text_close(csfs_text_reader *r)
{
    if (!r) return;
    csfs_input_close(r->in);
    for (int i = 0; i < CSFS_HEADER_LINES; i++) free(r->header.lines[i]);
    csfs_buf_free(&r->carry);
    free(r);
}

int csfs_records_ascii(const char *data, const csfs_chunk_scan *scan, size_t first, size_t end)
{
    if (first >= end) return 0;
    if (scan->made_ascii || scan->ascii) return 1;
    /* In-place Parquet values: their pages were tested as they were read
     * (made_ascii); the bytes between values are length prefixes. */
    if (scan->cols && scan->cols[0].prefixed) return 0;
    if (scan->cols) { /* each string column's values are contiguous */
        for (int k = 0; k < 3; k++) {
            const csfs_line_column *c = &scan->cols[k];
            if (c->off[end] < c->off[first] ||
                csfs_has_high_byte(c->data + c->off[first], c->off[end] - c->off[first]))
                return 0;
        }
        return 1;
    }
    const csfs_record *a = &scan->rec[first], *z = &scan->rec[end - 1];
    size_t from = a->off[0], to = (size_t)z->off[2] + z->len[2];
    return to >= from && !csfs_has_high_byte(data + from, to - from);
}

int csfs_scan_verdict(const char *name, uint64_t line_base, int64_t *pending_blank,
                      const csfs_chunk_scan *s, int scan_rc, const csfs_error *se, csfs_error *err)
{
    /* A blank line before this chunk comes first when the chunk's content
     * starts before its own error (a record's line 1 or a separator, which
     * would have raised the blank-line error in one chunk). */
    int content_first = scan_rc ? se->line > 1 : s->has_content;
    if (*pending_blank >= 0 && content_first)
        return csfs_fail_line(err, CSFS_E_FORMAT, (uint64_t)*pending_blank,
                              "%s:%lld: blank line inside the CSF list", name,
                              (long long)*pending_blank);
    if (scan_rc) {
        uint64_t line = line_base + se->line;
        int parts = s->bad_record_parts;
        if (parts)
            return csfs_fail_line(err, scan_rc, line,
                                  "%s:%llu: %s: the record starting at line %llu has %d line%s, "
                                  "a CSF has 3",
                                  name, (unsigned long long)line, se->message,
                                  (unsigned long long)(line_base + s->bad_record_line + 1), parts,
                                  parts == 1 ? "" : "s");
        return csfs_fail_line(err, scan_rc, line, "%s:%llu: %s", name, (unsigned long long)line,
                              se->message);
    }
    if (s->trailing_blank >= 0 && *pending_blank < 0)
        *pending_blank = (int64_t)(line_base + (uint64_t)s->trailing_blank + 1);
    return 0;
}

void csfs_chunk_scan_free(csfs_chunk_scan *s)
{
    free(s->rec);
    free(s->sep_before);
    memset(s, 0, sizeof *s);
}

int csfs_peel_read(const char *path, csfs_peel **out, csfs_error *err)
{
    csfs_text_reader *r;
    int rc = csfs_text_open(path, 1u << 16, &r, err);
    if (rc) return rc;
    rc = csfs_peel_from_header_line(r->header.lines[3], r->header.lens[3], out, err);
    csfs_text_close(r);
    return rc;
}
