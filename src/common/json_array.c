#include "common/json_array.h"

#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/utf8.h"

typedef struct cursor {
    const char *p, *end;
    const char *start;
    const char *what;
} cursor;

static void skip_ws(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int syntax(cursor *c, csfs_error *err, const char *msg)
{
    return csfs_fail(err, CSFS_E_FORMAT, "%s: invalid JSON at byte %zu: %s", c->what,
                     (size_t)(c->p - c->start), msg);
}

static int hex4(const char *p, unsigned *v)
{
    unsigned x = 0;
    for (int i = 0; i < 4; i++) {
        char ch = p[i];
        x <<= 4;
        if (ch >= '0' && ch <= '9')
            x |= (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            x |= (unsigned)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F')
            x |= (unsigned)(ch - 'A' + 10);
        else
            return -1;
    }
    *v = x;
    return 0;
}

/* One string literal at c->p (the opening quote) appended to out, NUL-terminated. */
static int parse_string(cursor *c, csfs_buf *out, csfs_error *err)
{
    c->p++; /* the quote */
    for (;;) {
        if (c->p >= c->end) return syntax(c, err, "unterminated string");
        const char *run = c->p;
        while (c->p < c->end && *c->p != '"' && *c->p != '\\' && (unsigned char)*c->p >= 0x20)
            c->p++;
        int rc = csfs_buf_append(out, run, (size_t)(c->p - run), err);
        if (rc) return rc;
        if (c->p >= c->end) return syntax(c, err, "unterminated string");
        char ch = *c->p;
        if (ch == '"') {
            c->p++;
            return csfs_buf_append(out, "", 1, err);
        }
        if (ch != '\\') return syntax(c, err, "control character in a string");
        if (c->end - c->p < 2) return syntax(c, err, "unterminated escape");
        char e = c->p[1];
        char dec[4];
        size_t n = 1;
        c->p += 2;
        switch (e) {
        case '"':
            dec[0] = '"';
            break;
        case '\\':
            dec[0] = '\\';
            break;
        case '/':
            dec[0] = '/';
            break;
        case 'b':
            dec[0] = '\b';
            break;
        case 'f':
            dec[0] = '\f';
            break;
        case 'n':
            dec[0] = '\n';
            break;
        case 'r':
            dec[0] = '\r';
            break;
        case 't':
            dec[0] = '\t';
            break;
        case 'u': {
            unsigned cp;
            if (c->end - c->p < 4 || hex4(c->p, &cp)) return syntax(c, err, "bad \\u escape");
            c->p += 4;
            if (cp >= 0xD800 && cp < 0xDC00) {
                unsigned lo;
                if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u' || hex4(c->p + 2, &lo) ||
                    lo < 0xDC00 || lo > 0xDFFF)
                    return syntax(c, err, "unpaired surrogate in a \\u escape");
                c->p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return syntax(c, err, "unpaired surrogate in a \\u escape");
            }
            if (cp == 0) return syntax(c, err, "NUL character in a string");
            n = csfs_utf8_encode(cp, dec);
            break;
        }
        default:
            return syntax(c, err, "unknown escape");
        }
        rc = csfs_buf_append(out, dec, n, err);
        if (rc) return rc;
    }
}

void csfs_str_array_free(csfs_str_array *a)
{
    if (!a) return;
    free(a->items);
    free(a->lens);
    free(a->storage);
    memset(a, 0, sizeof *a);
}

/* Walks "[ item , item ]": calls item() at each item, with c->p on it. */
static int parse_array(cursor *c, int (*item)(cursor *, void *, csfs_error *), void *ctx,
                       csfs_error *err)
{
    skip_ws(c);
    if (c->p >= c->end || *c->p != '[') return syntax(c, err, "expected '['");
    c->p++;
    skip_ws(c);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
    } else {
        for (;;) {
            skip_ws(c);
            int rc = item(c, ctx, err);
            if (rc) return rc;
            skip_ws(c);
            if (c->p < c->end && *c->p == ',') {
                c->p++;
                continue;
            }
            if (c->p < c->end && *c->p == ']') {
                c->p++;
                break;
            }
            return syntax(c, err, "expected ',' or ']'");
        }
    }
    skip_ws(c);
    if (c->p != c->end) return syntax(c, err, "text after the array");
    return 0;
}

typedef struct str_ctx {
    csfs_buf storage;
    size_t *offsets;
    size_t n, cap;
} str_ctx;

static int str_item(cursor *c, void *vctx, csfs_error *err)
{
    str_ctx *s = vctx;
    if (c->p >= c->end || *c->p != '"') return syntax(c, err, "expected a string");
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        size_t *grown = realloc(s->offsets, cap * sizeof *grown);
        if (!grown) return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", c->what);
        s->offsets = grown;
        s->cap = cap;
    }
    s->offsets[s->n++] = s->storage.len;
    return parse_string(c, &s->storage, err);
}

int csfs_json_parse_str_array(const char *text, size_t len, const char *what, csfs_str_array *out,
                              csfs_error *err)
{
    memset(out, 0, sizeof *out);
    cursor c = {text, text + len, text, what};
    str_ctx s = {{0}, NULL, 0, 0};
    int rc = parse_array(&c, str_item, &s, err);
    if (rc == 0) {
        out->items = malloc((s.n ? s.n : 1) * sizeof *out->items);
        out->lens = malloc((s.n ? s.n : 1) * sizeof *out->lens);
        if (!out->items || !out->lens) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    if (rc == 0 && !s.storage.data) rc = csfs_buf_append(&s.storage, "", 1, err);
    if (rc == 0) {
        /* storage stopped moving: offsets become pointers */
        for (size_t i = 0; i < s.n; i++) {
            size_t end = i + 1 < s.n ? s.offsets[i + 1] : s.storage.len;
            out->items[i] = s.storage.data + s.offsets[i];
            out->lens[i] = end - s.offsets[i] - 1; /* without the NUL */
        }
        out->n = s.n;
        out->storage = s.storage.data;
        s.storage.data = NULL;
    } else {
        csfs_str_array_free(out);
    }
    csfs_buf_free(&s.storage);
    free(s.offsets);
    return rc;
}

typedef struct u64_ctx {
    uint64_t *v;
    size_t n, cap;
} u64_ctx;

static int parse_number(cursor *c, uint64_t *value, csfs_error *err)
{
    if (c->p >= c->end || *c->p < '0' || *c->p > '9')
        return syntax(c, err, "expected a non-negative integer");
    if (*c->p == '0' && c->end - c->p > 1 && c->p[1] >= '0' && c->p[1] <= '9')
        return syntax(c, err, "leading zero");
    uint64_t v = 0;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        unsigned d = (unsigned)(*c->p - '0');
        if (v > ((uint64_t)INT64_MAX - d) / 10) return syntax(c, err, "integer too large");
        v = v * 10 + d;
        c->p++;
    }
    if (c->p < c->end && (*c->p == '.' || *c->p == 'e' || *c->p == 'E'))
        return syntax(c, err, "expected an integer");
    *value = v;
    return 0;
}

static int u64_item(cursor *c, void *vctx, csfs_error *err)
{
    u64_ctx *s = vctx;
    uint64_t v;
    int rc = parse_number(c, &v, err);
    if (rc) return rc;
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        uint64_t *grown = realloc(s->v, cap * sizeof *grown);
        if (!grown) return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", c->what);
        s->v = grown;
        s->cap = cap;
    }
    s->v[s->n++] = v;
    return 0;
}

int csfs_json_parse_u64_array(const char *text, size_t len, const char *what, uint64_t **values,
                              size_t *n, csfs_error *err)
{
    cursor c = {text, text + len, text, what};
    u64_ctx s = {NULL, 0, 0};
    int rc = parse_array(&c, u64_item, &s, err);
    if (rc) {
        free(s.v);
        *values = NULL;
        *n = 0;
        return rc;
    }
    *values = s.v;
    *n = s.n;
    return 0;
}

int csfs_json_parse_u64(const char *text, size_t len, const char *what, uint64_t *value,
                        csfs_error *err)
{
    cursor c = {text, text + len, text, what};
    skip_ws(&c);
    int rc = parse_number(&c, value, err);
    if (rc) return rc;
    skip_ws(&c);
    return c.p == c.end ? 0 : syntax(&c, err, "text after the integer");
}
