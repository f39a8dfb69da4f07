/* Row index lists: .npy (parsed here, header included) or text. Both are
 * read in fixed-size blocks, so memory is the index list itself. */
#include "rows/rows_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

#define BLOCK (1u << 16)
#define MAX_NPY_HEADER (1u << 20)

typedef struct row_list {
    uint64_t *v;
    size_t n, cap;
} row_list;

static int push(row_list *l, uint64_t v, const char *name, csfs_error *err)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 1024;
        uint64_t *grown =
            cap > SIZE_MAX / sizeof *grown ? NULL : realloc(l->v, cap * sizeof *grown);
        if (!grown) return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", name);
        l->v = grown;
        l->cap = cap;
    }
    l->v[l->n++] = v;
    return 0;
}

/* ---- text: one index a line ----------------------------------------------------- */

typedef struct text_state {
    uint64_t line;
    uint64_t value;
    int digits, negative, after, comment;
} text_state;

static int end_line(text_state *s, row_list *l, const char *name, csfs_error *err)
{
    int rc = 0;
    if (s->negative && !s->digits)
        rc = csfs_fail_line(err, CSFS_E_FORMAT, s->line, "%s:%llu: '-' without a number", name,
                            (unsigned long long)s->line);
    else if (s->negative)
        rc = csfs_fail_line(err, CSFS_E_FORMAT, s->line, "%s:%llu: negative row index -%llu", name,
                            (unsigned long long)s->line, (unsigned long long)s->value);
    else if (s->digits)
        rc = push(l, s->value, name, err);
    s->line++;
    s->value = 0;
    s->digits = s->negative = s->after = s->comment = 0;
    return rc;
}

static int text_bytes(text_state *s, const char *p, size_t n, row_list *l, const char *name,
                      csfs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\n') {
            int rc = end_line(s, l, name, err);
            if (rc) return rc;
        } else if (s->comment) {
            continue;
        } else if (c == '#') {
            s->comment = 1;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            if (s->digits || s->negative) s->after = 1;
        } else if (c >= '0' && c <= '9' && !s->after) {
            if (s->value > (UINT64_MAX - (c - '0')) / 10)
                return csfs_fail_line(err, CSFS_E_FORMAT, s->line, "%s:%llu: row index too large",
                                      name, (unsigned long long)s->line);
            s->value = s->value * 10 + (c - '0');
            s->digits = 1;
        } else if (c == '-' && !s->digits && !s->negative && !s->after) {
            s->negative = 1;
        } else {
            const char *why = (c >= '0' && c <= '9') || c == '-'
                                  ? "one row index a line"
                                  : "expected a row index (a non-negative integer)";
            char shown[8];
            if (c >= 0x21 && c < 0x7F)
                snprintf(shown, sizeof shown, "'%c'", c);
            else
                snprintf(shown, sizeof shown, "\\x%02X", c);
            return csfs_fail_line(err, CSFS_E_FORMAT, s->line, "%s:%llu: %s, found %s", name,
                                  (unsigned long long)s->line, why, shown);
        }
    }
    return 0;
}

static int load_text(FILE *f, const char *name, const char *first, size_t first_len, row_list *l,
                     csfs_error *err)
{
    text_state s = {1, 0, 0, 0, 0, 0};
    int rc = text_bytes(&s, first, first_len, l, name, err);
    char *buf = rc ? NULL : malloc(BLOCK);
    if (!rc && !buf) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    while (rc == 0) {
        size_t got = fread(buf, 1, BLOCK, f);
        if (got == 0) {
            if (ferror(f)) rc = csfs_fail(err, CSFS_E_IO, "%s: read error", name);
            break;
        }
        rc = text_bytes(&s, buf, got, l, name, err);
    }
    free(buf);
    /* a last line without LF */
    if (rc == 0 && (s.digits || s.negative)) rc = end_line(&s, l, name, err);
    return rc;
}

/* ---- .npy ------------------------------------------------------------------------ */

typedef struct npy_header {
    char kind; /* 'i' or 'u' */
    int size;  /* bytes per item */
    int big;   /* big-endian items */
    int have_descr, have_order, have_shape;
    int ndim;
    uint64_t count;
    char descr[16];
} npy_header;

typedef struct lit {
    const char *p, *end;
} lit;

static void lit_ws(lit *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n')) c->p++;
}

static int lit_quoted(lit *c, char *out, size_t cap)
{
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"')) return -1;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (n + 1 >= cap || *c->p == '\\') return -1;
        out[n++] = *c->p++;
    }
    if (c->p >= c->end) return -1;
    c->p++;
    out[n] = '\0';
    return 0;
}

static int lit_word(lit *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0) return 0;
    c->p += n;
    return 1;
}

/* "(N,)" or "(A, B, ...)": ndim and the product of the dimensions. */
static int lit_shape(lit *c, npy_header *h)
{
    if (!lit_word(c, "(")) return -1;
    h->ndim = 0;
    h->count = 1;
    for (;;) {
        lit_ws(c);
        if (lit_word(c, ")")) return 0;
        if (c->p >= c->end || *c->p < '0' || *c->p > '9') return -1;
        uint64_t d = 0;
        while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
            if (d > (UINT64_MAX - 9) / 10) return -1;
            d = d * 10 + (uint64_t)(*c->p++ - '0');
        }
        if (c->p < c->end && *c->p == 'L') c->p++; /* Python 2 longs */
        if (d && h->count > UINT64_MAX / d) return -1;
        h->count *= d;
        h->ndim++;
        lit_ws(c);
        if (lit_word(c, ",")) continue;
        if (lit_word(c, ")")) return 0;
        return -1;
    }
}

static int npy_fail(const char *name, csfs_error *err, const char *why)
{
    return csfs_fail(err, CSFS_E_FORMAT, "%s: not a readable .npy file: %s", name, why);
}

/* The header dictionary, e.g. {'descr': '<i8', 'fortran_order': False, 'shape': (3,), } */
static int parse_npy_dict(const char *text, size_t len, const char *name, npy_header *h,
                          csfs_error *err)
{
    lit c = {text, text + len};
    lit_ws(&c);
    if (!lit_word(&c, "{")) return npy_fail(name, err, "header is not a dictionary");
    for (;;) {
        lit_ws(&c);
        if (lit_word(&c, "}")) break;
        char key[32];
        if (lit_quoted(&c, key, sizeof key)) return npy_fail(name, err, "bad header key");
        lit_ws(&c);
        if (!lit_word(&c, ":")) return npy_fail(name, err, "expected ':' in the header");
        lit_ws(&c);
        if (strcmp(key, "descr") == 0 && !h->have_descr) {
            if (lit_quoted(&c, h->descr, sizeof h->descr))
                return npy_fail(name, err, "'descr' is not a simple dtype string");
            h->have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0 && !h->have_order) {
            if (!lit_word(&c, "False") && !lit_word(&c, "True"))
                return npy_fail(name, err, "bad 'fortran_order'");
            h->have_order = 1;
        } else if (strcmp(key, "shape") == 0 && !h->have_shape) {
            if (lit_shape(&c, h)) return npy_fail(name, err, "bad 'shape'");
            h->have_shape = 1;
        } else {
            return npy_fail(name, err, "unknown or repeated header key");
        }
        lit_ws(&c);
        if (lit_word(&c, ",")) continue;
        if (lit_word(&c, "}")) break;
        return npy_fail(name, err, "expected ',' or '}' in the header");
    }
    lit_ws(&c);
    if (c.p != c.end) return npy_fail(name, err, "text after the header dictionary");
    if (!h->have_descr || !h->have_order || !h->have_shape)
        return npy_fail(name, err, "header lacks descr, fortran_order or shape");
    const char *d = h->descr;
    char order = d[0];
    if (order == '<' || order == '>' || order == '|' || order == '=')
        d++;
    else
        order = '=';
    if ((d[0] != 'i' && d[0] != 'u') ||
        (d[1] != '1' && d[1] != '2' && d[1] != '4' && d[1] != '8') || d[2] != '\0')
        return csfs_fail(err, CSFS_E_FORMAT, "%s: row indices must be integers, not dtype '%s'",
                         name, h->descr);
    h->kind = d[0];
    h->size = d[1] - '0';
    h->big = order == '>';
    if (h->ndim != 1)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: row indices must be a 1-D array (this one has %d dimensions)", name,
                         h->ndim);
    return 0;
}

static int npy_read(FILE *f, void *dst, size_t n, const char *name, csfs_error *err)
{
    if (fread(dst, 1, n, f) == n) return 0;
    if (ferror(f)) return csfs_fail(err, CSFS_E_IO, "%s: read error", name);
    return npy_fail(name, err, "truncated");
}

static int load_npy(FILE *f, const char *name, row_list *l, csfs_error *err)
{
    unsigned char pre[12];
    int rc = npy_read(f, pre, 10, name, err); /* magic, version, 2-byte length */
    if (rc) return rc;
    size_t hlen;
    if (pre[6] == 1) {
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    } else if (pre[6] == 2 || pre[6] == 3) {
        rc = npy_read(f, pre + 10, 2, name, err);
        if (rc) return rc;
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    } else {
        return npy_fail(name, err, "unknown format version");
    }
    if (hlen > MAX_NPY_HEADER) return npy_fail(name, err, "header too long");
    char *text = malloc(hlen ? hlen : 1);
    if (!text) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    rc = npy_read(f, text, hlen, name, err);
    npy_header h;
    memset(&h, 0, sizeof h);
    if (rc == 0) rc = parse_npy_dict(text, hlen, name, &h, err);
    free(text);
    if (rc) return rc;

    unsigned char *buf = malloc(BLOCK);
    if (!buf) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    uint64_t left = h.count;
    size_t per = BLOCK / (size_t)h.size;
    while (rc == 0 && left > 0) {
        size_t want = left < per ? (size_t)left : per;
        size_t got = fread(buf, (size_t)h.size, want, f);
        if (got < want) {
            rc = ferror(f) ? csfs_fail(err, CSFS_E_IO, "%s: read error", name)
                           : csfs_fail(err, CSFS_E_FORMAT,
                                       "%s: truncated .npy file: %llu of %llu entries", name,
                                       (unsigned long long)(h.count - left + got),
                                       (unsigned long long)h.count);
            break;
        }
        for (size_t i = 0; rc == 0 && i < got; i++) {
            const unsigned char *p = buf + i * (size_t)h.size;
            uint64_t u = 0;
            for (int k = 0; k < h.size; k++)
                u |= (uint64_t)p[h.big ? h.size - 1 - k : k] << (8 * k);
            if (h.kind == 'i' && (u >> (8 * h.size - 1)) & 1) {
                /* negative: sign-extend for the message */
                int64_t s = h.size == 8 ? (int64_t)u : (int64_t)u - ((int64_t)1 << (8 * h.size));
                rc = csfs_fail(err, CSFS_E_FORMAT, "%s: entry %llu is a negative row index (%lld)",
                               name, (unsigned long long)(h.count - left + i), (long long)s);
                break;
            }
            rc = push(l, u, name, err);
        }
        left -= got;
    }
    free(buf);
    if (rc == 0 && fgetc(f) != EOF) rc = npy_fail(name, err, "bytes after the array data");
    return rc;
}

/* ---- entry points ---------------------------------------------------------------- */

static int load_stream(FILE *f, const char *name, uint64_t **rows, size_t *n, csfs_error *err)
{
    row_list l = {NULL, 0, 0};
    char magic[6];
    size_t got = fread(magic, 1, sizeof magic, f);
    int rc;
    if (got == 6 && memcmp(magic, "\x93NUMPY", 6) == 0) {
        rewind(f);
        rc = load_npy(f, name, &l, err);
    } else if (ferror(f)) {
        rc = csfs_fail(err, CSFS_E_IO, "%s: read error", name);
    } else {
        rc = load_text(f, name, magic, got, &l, err);
    }
    if (rc) {
        free(l.v);
        *rows = NULL;
        *n = 0;
        return rc;
    }
    *rows = l.v;
    *n = l.n;
    return 0;
}

int csfs_rows_load(const char *path, uint64_t **rows, size_t *n, csfs_error *err)
{
    *rows = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return csfs_fail_errno(err, errno, "%s: cannot open", path);
    int rc = load_stream(f, path, rows, n, err);
    fclose(f);
    return rc;
}

int csfs_rows_parse(const char *data, size_t len, const char *name, uint64_t **rows, size_t *n,
                    csfs_error *err)
{
    *rows = NULL;
    *n = 0;
    if (len == 0) return 0;
    FILE *f = fmemopen((void *)data, len, "rb");
    if (!f) return csfs_fail_errno(err, errno, "%s: cannot read", name);
    int rc = load_stream(f, name, rows, n, err);
    fclose(f);
    return rc;
}
