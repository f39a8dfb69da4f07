/* .npy headers: the dictionary parser and the version 1.0 formatter. */
#include "io/npy.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"

#define MAX_NPY_HEADER (1u << 20)

int csfs_npy_is_magic(const void *data, size_t len)
{
    return len >= 6 && memcmp(data, "\x93NUMPY", 6) == 0;
}

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

/* "(N,)" or "(A, B, ...)": the dimensions and their product. */
static int lit_shape(lit *c, csfs_npy_header *h)
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
        if (h->ndim == CSFS_NPY_MAX_DIMS) return -1;
        h->shape[h->ndim++] = d;
        h->count *= d;
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
static int parse_dict(const char *text, size_t len, const char *name, csfs_npy_header *h,
                      csfs_error *err)
{
    int have_descr = 0, have_order = 0, have_shape = 0;
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
        if (strcmp(key, "descr") == 0 && !have_descr) {
            if (lit_quoted(&c, h->descr, sizeof h->descr))
                return npy_fail(name, err, "'descr' is not a simple dtype string");
            have_descr = 1;
        } else if (strcmp(key, "fortran_order") == 0 && !have_order) {
            if (lit_word(&c, "True"))
                h->fortran_order = 1;
            else if (!lit_word(&c, "False"))
                return npy_fail(name, err, "bad 'fortran_order'");
            have_order = 1;
        } else if (strcmp(key, "shape") == 0 && !have_shape) {
            if (lit_shape(&c, h)) return npy_fail(name, err, "bad 'shape'");
            have_shape = 1;
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
    if (!have_descr || !have_order || !have_shape)
        return npy_fail(name, err, "header lacks descr, fortran_order or shape");
    const char *d = h->descr;
    char order = d[0];
    if (order == '<' || order == '>' || order == '|' || order == '=') d++;
    h->big = order == '>';
    h->kind = d[0];
    h->size = 0;
    for (d++; *d >= '0' && *d <= '9' && h->size < 1000; d++) h->size = h->size * 10 + (*d - '0');
    if (*d != '\0') h->size = 0; /* e.g. datetime units: no plain item size */
    return 0;
}

static int read_exact(FILE *f, void *dst, size_t n, const char *name, csfs_error *err)
{
    if (fread(dst, 1, n, f) == n) return 0;
    if (ferror(f)) return csfs_fail(err, CSFS_E_IO, "%s: read error", name);
    return npy_fail(name, err, "truncated");
}

int csfs_npy_read_header(FILE *f, const char *name, csfs_npy_header *h, csfs_error *err)
{
    memset(h, 0, sizeof *h);
    unsigned char pre[12];
    int rc = read_exact(f, pre, 10, name, err); /* magic, version, 2-byte length */
    if (rc) return rc;
    if (!csfs_npy_is_magic(pre, 10)) return npy_fail(name, err, "no .npy magic");
    size_t hlen, at = 10;
    if (pre[6] == 1) {
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    } else if (pre[6] == 2 || pre[6] == 3) {
        rc = read_exact(f, pre + 10, 2, name, err);
        if (rc) return rc;
        hlen = (size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
        at = 12;
    } else {
        return npy_fail(name, err, "unknown format version");
    }
    if (hlen > MAX_NPY_HEADER) return npy_fail(name, err, "header too long");
    char *text = malloc(hlen ? hlen : 1);
    if (!text) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    rc = read_exact(f, text, hlen, name, err);
    if (rc == 0) rc = parse_dict(text, hlen, name, h, err);
    free(text);
    h->data_offset = at + hlen;
    return rc;
}

size_t csfs_npy_format_header(char *out, size_t cap, const char *descr, int ndim,
                              const uint64_t *shape, size_t min_len)
{
    char dims[CSFS_NPY_MAX_DIMS * 24 + 4];
    size_t o = 0;
    for (int i = 0; i < ndim && i < CSFS_NPY_MAX_DIMS; i++)
        o += (size_t)snprintf(dims + o, sizeof dims - o, "%s%llu", i ? ", " : "",
                              (unsigned long long)shape[i]);
    if (ndim == 1) o += (size_t)snprintf(dims + o, sizeof dims - o, ",");
    dims[o] = '\0';
    char dict[sizeof dims + 96];
    int n = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }",
                     descr, dims);
    if (n < 0) return 0;
    size_t total = 10 + (size_t)n + 1; /* preamble, dictionary, '\n' */
    if (total < min_len) total = min_len;
    total = (total + 63) / 64 * 64;
    if (total > cap || total - 10 > 0xFFFF) return 0;
    memset(out, ' ', total);
    memcpy(out, "\x93NUMPY\x01\x00", 8);
    out[8] = (char)((total - 10) & 0xFF);
    out[9] = (char)((total - 10) >> 8);
    memcpy(out + 10, dict, (size_t)n);
    out[total - 1] = '\n';
    return total;
}
