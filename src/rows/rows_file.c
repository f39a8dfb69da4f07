/* Row index lists: .npy (header by io/npy) or text, one row of numbers a
 * line. Both are read in fixed-size blocks, so memory is the list itself. */
#include "rows/rows_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "io/npy.h"
#include "io/outfile.h"

#define BLOCK (1u << 16)

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

/* ---- text: `columns` numbers a line --------------------------------------------- */

typedef struct text_state {
    int columns;
    uint64_t line;
    uint64_t value;
    uint64_t done[2]; /* the numbers of this line so far */
    int n_done;
    int digits, negative, after, comment;
} text_state;

static const char *what_a_line(int columns)
{
    return columns == 1 ? "one row index a line" : "two numbers a line";
}

static int finish_number(text_state *s, const char *name, csfs_error *err)
{
    if (s->negative && !s->digits)
        return csfs_fail_line(err, CSFS_E_FORMAT, s->line, "%s:%llu: '-' without a number", name,
                              (unsigned long long)s->line);
    if (s->negative)
        return csfs_fail_line(err, CSFS_E_FORMAT, s->line, "%s:%llu: negative %s -%llu", name,
                              (unsigned long long)s->line, s->columns == 1 ? "row index" : "number",
                              (unsigned long long)s->value);
    if (s->digits) s->done[s->n_done++] = s->value;
    s->value = 0;
    s->digits = s->negative = 0;
    return 0;
}

static int end_line(text_state *s, row_list *l, const char *name, csfs_error *err)
{
    int rc = finish_number(s, name, err);
    if (rc == 0 && s->n_done && s->n_done != s->columns)
        rc = csfs_fail_line(err, CSFS_E_FORMAT, s->line, "%s:%llu: %s, found %d", name,
                            (unsigned long long)s->line, what_a_line(s->columns), s->n_done);
    for (int i = 0; rc == 0 && i < s->n_done; i++) rc = push(l, s->done[i], name, err);
    s->line++;
    s->n_done = 0;
    s->after = s->comment = 0;
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
            int rc = finish_number(s, name, err);
            if (rc) return rc;
            s->comment = 1;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            if (s->digits || s->negative) s->after = 1;
        } else if (c >= '0' && c <= '9' && !(s->after && s->n_done + 1 >= s->columns)) {
            if (s->after) { /* the line's next number */
                int rc = finish_number(s, name, err);
                if (rc) return rc;
                s->after = 0;
            }
            if (s->value > (UINT64_MAX - (c - '0')) / 10)
                return csfs_fail_line(err, CSFS_E_FORMAT, s->line, "%s:%llu: %s too large", name,
                                      (unsigned long long)s->line,
                                      s->columns == 1 ? "row index" : "number");
            s->value = s->value * 10 + (c - '0');
            s->digits = 1;
        } else if (c == '-' && !s->digits && !s->negative && !s->after) {
            s->negative = 1;
        } else {
            const char *why = (c >= '0' && c <= '9') || c == '-' ? what_a_line(s->columns)
                              : s->columns == 1 ? "expected a row index (a non-negative integer)"
                                                : "expected a non-negative integer";
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

static int load_text(FILE *f, const char *name, int columns, const char *first, size_t first_len,
                     row_list *l, csfs_error *err)
{
    text_state s;
    memset(&s, 0, sizeof s);
    s.columns = columns;
    s.line = 1;
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
    if (rc == 0 && (s.digits || s.negative || s.n_done)) rc = end_line(&s, l, name, err);
    return rc;
}

/* ---- .npy ------------------------------------------------------------------------ */

static int check_npy(const csfs_npy_header *h, int columns, const char *name, csfs_error *err)
{
    if ((h->kind != 'i' && h->kind != 'u') ||
        (h->size != 1 && h->size != 2 && h->size != 4 && h->size != 8))
        return csfs_fail(err, CSFS_E_FORMAT, "%s: row indices must be integers, not dtype '%s'",
                         name, h->descr);
    if (columns == 1 && h->ndim != 1)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: row indices must be a 1-D array (this one has %d dimensions)", name,
                         h->ndim);
    if (columns == 2 && (h->ndim != 2 || h->shape[1] != 2))
        return csfs_fail(err, CSFS_E_FORMAT, "%s: pairs must be an (N, 2) array", name);
    if (columns == 2 && h->fortran_order && h->shape[0] > 1)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: pairs must be stored in C order (save np.ascontiguousarray(a))",
                         name);
    return 0;
}

static int load_npy(FILE *f, const char *name, int columns, row_list *l, csfs_error *err)
{
    csfs_npy_header h;
    int rc = csfs_npy_read_header(f, name, &h, err);
    if (rc == 0) rc = check_npy(&h, columns, name, err);
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
                rc = csfs_fail(err, CSFS_E_FORMAT, "%s: entry %llu is a negative %s (%lld)", name,
                               (unsigned long long)(h.count - left + i),
                               columns == 1 ? "row index" : "number", (long long)s);
                break;
            }
            rc = push(l, u, name, err);
        }
        left -= got;
    }
    free(buf);
    if (rc == 0 && fgetc(f) != EOF)
        rc = csfs_fail(err, CSFS_E_FORMAT,
                       "%s: not a readable .npy file: bytes after the array data", name);
    return rc;
}

/* ---- reading: entry points ------------------------------------------------------- */

static int load_stream(FILE *f, const char *name, int columns, uint64_t **rows, size_t *n,
                       csfs_error *err)
{
    row_list l = {NULL, 0, 0};
    char magic[6];
    size_t got = fread(magic, 1, sizeof magic, f);
    int rc;
    if (csfs_npy_is_magic(magic, got)) {
        rewind(f);
        rc = load_npy(f, name, columns, &l, err);
    } else if (ferror(f)) {
        rc = csfs_fail(err, CSFS_E_IO, "%s: read error", name);
    } else {
        rc = load_text(f, name, columns, magic, got, &l, err);
    }
    if (rc) {
        free(l.v);
        *rows = NULL;
        *n = 0;
        return rc;
    }
    *rows = l.v;
    *n = l.n / (size_t)columns;
    return 0;
}

static int load_path(const char *path, int columns, uint64_t **rows, size_t *n, csfs_error *err)
{
    *rows = NULL;
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return csfs_fail_errno(err, errno, "%s: cannot open", path);
    int rc = load_stream(f, path, columns, rows, n, err);
    fclose(f);
    return rc;
}

int csfs_rows_load(const char *path, uint64_t **rows, size_t *n, csfs_error *err)
{
    return load_path(path, 1, rows, n, err);
}

int csfs_rows_load_pairs(const char *path, uint64_t **values, size_t *n, csfs_error *err)
{
    return load_path(path, 2, values, n, err);
}

int csfs_rows_parse(const char *data, size_t len, const char *name, uint64_t **rows, size_t *n,
                    csfs_error *err)
{
    *rows = NULL;
    *n = 0;
    if (len == 0) return 0;
    FILE *f = fmemopen((void *)data, len, "rb");
    if (!f) return csfs_fail_errno(err, errno, "%s: cannot read", name);
    int rc = load_stream(f, name, 1, rows, n, err);
    fclose(f);
    return rc;
}

/* ---- writing --------------------------------------------------------------------- */

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

/* Values into `buf` as little-endian int64 or text lines; flushed when full. */
typedef struct row_writer {
    csfs_outfile *out; /* NULL: stdout */
    char *buf;
    size_t len;
} row_writer;

static int flush_writer(row_writer *w, csfs_error *err)
{
    int rc = 0;
    if (w->out)
        rc = csfs_outfile_write(w->out, w->buf, w->len, err);
    else if (fwrite(w->buf, 1, w->len, stdout) != w->len)
        rc = csfs_fail_errno(err, errno ? errno : EIO, "standard output: write failed");
    w->len = 0;
    return rc;
}

static int write_values(row_writer *w, const uint64_t *v, size_t n, int columns, int npy,
                        csfs_error *err)
{
    size_t count = n * (size_t)columns;
    for (size_t i = 0; i < count; i++) {
        if (v[i] > (uint64_t)INT64_MAX)
            return csfs_fail(err, CSFS_E_ARGUMENT, "value %llu does not fit in int64",
                             (unsigned long long)v[i]);
        if (w->len + 32 > BLOCK) {
            int rc = flush_writer(w, err);
            if (rc) return rc;
        }
        if (npy) {
            for (int k = 0; k < 8; k++) w->buf[w->len++] = (char)(v[i] >> (8 * k));
        } else {
            char sep = columns == 2 && i % 2 == 0 ? ' ' : '\n';
            w->len +=
                (size_t)snprintf(w->buf + w->len, 32, "%llu%c", (unsigned long long)v[i], sep);
        }
    }
    return w->len ? flush_writer(w, err) : 0;
}

int csfs_rows_write_file(const char *path, const uint64_t *values, size_t n, int columns, int force,
                         csfs_error *err)
{
    if (columns != 1 && columns != 2)
        return csfs_fail(err, CSFS_E_ARGUMENT, "rows are written with 1 or 2 columns");
    int to_stdout = strcmp(path, "-") == 0;
    int npy = !to_stdout && ends_with(path, ".npy");
    row_writer w = {NULL, malloc(BLOCK), 0};
    if (!w.buf) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    csfs_outfile out;
    int rc = 0;
    if (!to_stdout) {
        rc = csfs_outfile_open(&out, path, force, err);
        w.out = &out;
    }
    if (rc == 0 && npy) {
        uint64_t shape[2] = {(uint64_t)n, 2};
        w.len = csfs_npy_format_header(w.buf, BLOCK, "<i8", columns, shape, 0);
    }
    if (rc == 0) rc = write_values(&w, values, n, columns, npy, err);
    if (rc == 0 && w.len) rc = flush_writer(&w, err);
    if (!to_stdout) {
        if (rc == 0) rc = csfs_outfile_commit(&out, err);
        if (rc) csfs_outfile_abort(&out);
    } else if (rc == 0 && fflush(stdout) != 0) {
        rc = csfs_fail_errno(err, errno ? errno : EIO, "standard output: write failed");
    }
    free(w.buf);
    return rc;
}
