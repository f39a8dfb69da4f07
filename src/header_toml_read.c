/*
 * Reading header TOML files: a strict parser of the TOML subset such files
 * use (see header_toml.h). Input is hostile: sizes, nesting and key counts
 * are bounded, every byte is checked, and errors name the file and line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "header_toml.h"
#include "peel.h"
#include "utf8.h"

#define MAX_TOML_BYTES ((size_t)64 << 20)
#define MAX_DEPTH 32     /* nested arrays */
#define MAX_KEYS 100000  /* key/table names remembered for duplicate checks */

enum table_id { T_ROOT, T_HEADER_INFO, T_BLOCK_INFO, T_STATS, T_OTHER };

/* What the caller of parse_value wants from it. */
enum want { W_ANY, W_UINT, W_STR_ARRAY, W_UINT_ARRAY };

typedef struct parser {
    const char *p, *end;
    uint64_t line;
    const char *name;
    csfs_error *err;
    enum table_id table;
    int table_is_array; /* [[...]]: its keys are not checked for duplicates */
    csfs_buf table_name;
    csfs_buf seen;       /* names already defined, each NUL-terminated */
    size_t n_seen;
    /* results */
    csfs_header_toml *out;
    int have_header_lines, have_block_count, have_block_lengths;
    int have_header_info;
    uint64_t block_count;
    uint64_t header_lines_line, block_line, stats_line;
} parser;

/* Collected value of a key csfs reads. */
typedef struct value {
    uint64_t u;
    csfs_buf strs;  /* W_STR_ARRAY: decoded items, each NUL-terminated */
    size_t n_strs;
    uint64_t *ints; /* W_UINT_ARRAY */
    size_t n_ints, cap_ints;
} value;

static int fail(parser *P, const char *fmt, const char *detail)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, detail ? detail : "");
    return csfs_fail_line(P->err, CSFS_E_FORMAT, P->line, "%s:%llu: %s", P->name,
                          (unsigned long long)P->line, msg);
}

static int at(const parser *P, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(P->end - P->p) >= n && memcmp(P->p, s, n) == 0;
}

static void skip_ws(parser *P)
{
    while (P->p < P->end && (*P->p == ' ' || *P->p == '\t')) P->p++;
}

static int is_newline(const parser *P)
{
    return P->p < P->end && (*P->p == '\n' || at(P, "\r\n"));
}

static void eat_newline(parser *P)
{
    P->p += *P->p == '\r' ? 2 : 1;
    P->line++;
}

/* A comment runs to the line end; TOML allows no control character but tab in it. */
static int skip_comment(parser *P)
{
    if (P->p >= P->end || *P->p != '#') return 0;
    while (P->p < P->end && *P->p != '\n') {
        unsigned char c = (unsigned char)*P->p;
        if ((c < 0x20 && c != '\t' && !at(P, "\r\n")) || c == 0x7F)
            return fail(P, "control character in a comment%s", NULL);
        P->p++;
    }
    return 0;
}

/* After a key/value or table header: only white space and a comment. */
static int expect_line_end(parser *P)
{
    skip_ws(P);
    int rc = skip_comment(P);
    if (rc) return rc;
    if (P->p == P->end) return 0;
    if (!is_newline(P)) return fail(P, "unexpected text after a value%s", NULL);
    eat_newline(P);
    return 0;
}

/* White space, line ends and comments (inside arrays). */
static int skip_blank(parser *P)
{
    for (;;) {
        skip_ws(P);
        int rc = skip_comment(P);
        if (rc) return rc;
        if (!is_newline(P)) return 0;
        eat_newline(P);
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int put_utf8(csfs_buf *b, unsigned long cp, csfs_error *err)
{
    char o[4];
    size_t n;
    if (cp < 0x80) o[0] = (char)cp, n = 1;
    else if (cp < 0x800)
        o[0] = (char)(0xC0 | (cp >> 6)), o[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    else if (cp < 0x10000)
        o[0] = (char)(0xE0 | (cp >> 12)), o[1] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        o[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    else
        o[0] = (char)(0xF0 | (cp >> 18)), o[1] = (char)(0x80 | ((cp >> 12) & 0x3F)),
        o[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), o[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    return csfs_buf_append(b, o, n, err);
}

/* One escape after '\' in a basic string (TOML 1.0, plus \e and \xHH of 1.1). */
static int parse_escape(parser *P, csfs_buf *out)
{
    if (P->p >= P->end) return fail(P, "unterminated escape%s", NULL);
    char e = *P->p++;
    char c;
    switch (e) {
    case 'b': c = '\b'; break;
    case 't': c = '\t'; break;
    case 'n': c = '\n'; break;
    case 'f': c = '\f'; break;
    case 'r': c = '\r'; break;
    case 'e': c = 0x1B; break;
    case '"': c = '"'; break;
    case '\\': c = '\\'; break;
    case 'x':
    case 'u':
    case 'U': {
        int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (P->end - P->p < digits) return fail(P, "truncated \\%s escape", e == 'x' ? "x" : "u");
        unsigned long cp = 0;
        for (int i = 0; i < digits; i++) {
            int h = hexval(P->p[i]);
            if (h < 0) return fail(P, "bad hex digit in a \\%s escape", e == 'x' ? "x" : "u");
            cp = cp * 16 + (unsigned long)h;
        }
        P->p += digits;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return fail(P, "escape is not a Unicode scalar value%s", NULL);
        return put_utf8(out, cp, P->err);
    }
    default:
        P->p--;
        return fail(P, "unknown escape sequence%s", NULL);
    }
    return csfs_buf_append(out, &c, 1, P->err);
}

/* A byte allowed raw inside a string: no control character but tab. */
static int string_byte_ok(unsigned char c)
{
    return c == '\t' || (c >= 0x20 && c != 0x7F);
}

/*
 * A string of any of the four forms at P->p, decoded and appended to out.
 */
static int parse_string(parser *P, csfs_buf *out)
{
    char q = *P->p;
    int literal = q == '\'';
    int multi = at(P, literal ? "'''" : "\"\"\"");
    P->p += multi ? 3 : 1;
    if (multi && is_newline(P)) eat_newline(P); /* a line break right after """ is trimmed */
    for (;;) {
        if (P->p >= P->end) return fail(P, "unterminated string%s", NULL);
        char c = *P->p;
        if (c == q) {
            if (!multi) {
                P->p++;
                return 0;
            }
            size_t run = 0;
            while (P->p + run < P->end && P->p[run] == q) run++;
            if (run >= 3) {
                if (run > 5) return fail(P, "too many quotes closing a string%s", NULL);
                int rc = csfs_buf_append(out, P->p, run - 3, P->err);
                P->p += run;
                return rc;
            }
            int rc = csfs_buf_append(out, P->p, run, P->err);
            if (rc) return rc;
            P->p += run;
            continue;
        }
        if (multi && is_newline(P)) {
            int rc = csfs_buf_append(out, "\n", 1, P->err);
            if (rc) return rc;
            eat_newline(P);
            continue;
        }
        if (c == '\\' && !literal) {
            P->p++;
            if (multi) {
                /* line-ending backslash: drop white space and line breaks */
                const char *save = P->p;
                skip_ws(P);
                if (is_newline(P)) {
                    while (P->p < P->end && (*P->p == ' ' || *P->p == '\t' || is_newline(P))) {
                        if (is_newline(P)) eat_newline(P);
                        else P->p++;
                    }
                    continue;
                }
                P->p = save;
            }
            int rc = parse_escape(P, out);
            if (rc) return rc;
            continue;
        }
        if (!string_byte_ok((unsigned char)c)) {
            if (c == '\n' || c == '\r')
                return fail(P, multi ? "carriage return without a line feed in a string%s"
                                     : "line break in a one-line string%s",
                            NULL);
            return fail(P, "control character in a string (use an escape)%s", NULL);
        }
        const char *run = P->p;
        while (P->p < P->end && *P->p != q && *P->p != '\\' && string_byte_ok((unsigned char)*P->p))
            P->p++;
        if (literal)
            while (P->p < P->end && *P->p == '\\') P->p++; /* a literal keeps backslashes */
        int rc = csfs_buf_append(out, run, (size_t)(P->p - run), P->err);
        if (rc) return rc;
    }
}

static int is_bare_key_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* A key (bare, quoted, or dotted: segments joined by 0x1F) appended to out;
 * *segments counts its parts. */
static int parse_key(parser *P, csfs_buf *out, int *segments)
{
    *segments = 0;
    for (;;) {
        skip_ws(P);
        if (P->p >= P->end) return fail(P, "expected a key%s", NULL);
        if (*segments && csfs_buf_append(out, "\x1F", 1, P->err)) return CSFS_E_NOMEM;
        if (*P->p == '"' || *P->p == '\'') {
            if (at(P, "\"\"\"") || at(P, "'''"))
                return fail(P, "a key cannot be a multi-line string%s", NULL);
            size_t before = out->len;
            int rc = parse_string(P, out);
            if (rc) return rc;
            if (memchr(out->data + before, '\0', out->len - before))
                return fail(P, "NUL character in a key%s", NULL);
        } else {
            const char *s = P->p;
            while (P->p < P->end && is_bare_key_char(*P->p)) P->p++;
            if (P->p == s) return fail(P, "expected a key%s", NULL);
            int rc = csfs_buf_append(out, s, (size_t)(P->p - s), P->err);
            if (rc) return rc;
        }
        (*segments)++;
        skip_ws(P);
        if (P->p < P->end && *P->p == '.') {
            P->p++;
            continue;
        }
        return 0;
    }
}

/* Integer in any TOML form; *neg set for a minus sign. Magnitude < 2^63. */
static int parse_integer(parser *P, uint64_t *mag, int *neg)
{
    *neg = 0;
    int sign = 0;
    if (*P->p == '+' || *P->p == '-') {
        *neg = *P->p == '-';
        sign = 1;
        P->p++;
    }
    unsigned base = 10;
    if (!sign && at(P, "0x")) base = 16;
    else if (!sign && at(P, "0o")) base = 8;
    else if (!sign && at(P, "0b")) base = 2;
    if (base != 10) P->p += 2;
    else if (P->p < P->end && *P->p == '0' && P->end - P->p > 1 &&
             ((P->p[1] >= '0' && P->p[1] <= '9') || P->p[1] == '_'))
        return fail(P, "leading zero in an integer%s", NULL);
    uint64_t v = 0;
    int digits = 0, prev_underscore = 0;
    for (; P->p < P->end; P->p++) {
        char c = *P->p;
        if (c == '_') {
            if (!digits || prev_underscore) return fail(P, "misplaced '_' in an integer%s", NULL);
            prev_underscore = 1;
            continue;
        }
        int d = hexval(c);
        if (d < 0 || (unsigned)d >= base) break;
        uint64_t limit = (uint64_t)INT64_MAX + (*neg ? 1u : 0u);
        if (v > (limit - (unsigned)d) / base) return fail(P, "integer out of range%s", NULL);
        v = v * base + (unsigned)d;
        digits++;
        prev_underscore = 0;
    }
    if (!digits || prev_underscore) return fail(P, "malformed integer%s", NULL);
    if (P->p < P->end && (*P->p == '.' || *P->p == 'e' || *P->p == 'E' || *P->p == ':' ||
                          (*P->p == '-' && base == 10)))
        return fail(P, "floats and dates are not read here (only integers, strings, booleans "
                       "and arrays)%s",
                    NULL);
    if (P->p < P->end && is_bare_key_char(*P->p)) return fail(P, "malformed integer%s", NULL);
    *mag = v;
    return 0;
}

static int parse_value(parser *P, enum want want, int depth, value *v, const char *key);

static int type_error(parser *P, const char *key, enum want want)
{
    const char *what = want == W_UINT         ? "a non-negative integer"
                       : want == W_STR_ARRAY  ? "an array of strings"
                                              : "an array of non-negative integers";
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be %s", key, what);
    return fail(P, "%s", msg);
}

static int parse_array(parser *P, enum want want, int depth, value *v, const char *key)
{
    if (depth >= MAX_DEPTH) return fail(P, "arrays nested too deeply%s", NULL);
    if (want == W_UINT) return type_error(P, key, want);
    P->p++; /* '[' */
    enum want item = want == W_STR_ARRAY ? W_ANY : want == W_UINT_ARRAY ? W_UINT : W_ANY;
    for (;;) {
        int rc = skip_blank(P);
        if (rc) return rc;
        if (P->p >= P->end) return fail(P, "unterminated array%s", NULL);
        if (*P->p == ']') {
            P->p++;
            return 0;
        }
        if (want == W_STR_ARRAY) {
            if (*P->p != '"' && *P->p != '\'') return type_error(P, key, want);
            size_t before = v->strs.len;
            rc = parse_string(P, &v->strs);
            if (rc) return rc;
            if (memchr(v->strs.data + before, '\0', v->strs.len - before))
                return fail(P, "%s holds a NUL character", key);
            rc = csfs_buf_append(&v->strs, "", 1, P->err);
            v->n_strs++;
        } else {
            rc = parse_value(P, item, depth + 1, v, key);
            if (rc == 0 && want == W_UINT_ARRAY) {
                if (v->n_ints == v->cap_ints) {
                    size_t cap = v->cap_ints ? 2 * v->cap_ints : 16;
                    uint64_t *grown = realloc(v->ints, cap * sizeof *grown);
                    if (!grown) return csfs_fail(P->err, CSFS_E_NOMEM, "out of memory");
                    v->ints = grown;
                    v->cap_ints = cap;
                }
                v->ints[v->n_ints++] = v->u;
            }
        }
        if (rc) return rc;
        rc = skip_blank(P);
        if (rc) return rc;
        if (P->p >= P->end) return fail(P, "unterminated array%s", NULL);
        if (*P->p == ',') {
            P->p++;
            continue;
        }
        if (*P->p == ']') {
            P->p++;
            return 0;
        }
        return fail(P, "expected ',' or ']' in an array%s", NULL);
    }
}

static int parse_value(parser *P, enum want want, int depth, value *v, const char *key)
{
    if (P->p >= P->end || is_newline(P)) return fail(P, "missing value%s", NULL);
    char c = *P->p;
    if (c == '[') return parse_array(P, want, depth, v, key);
    if (c == '"' || c == '\'') {
        if (want != W_ANY) return type_error(P, key, want);
        csfs_buf scratch = {0};
        int rc = parse_string(P, &scratch);
        csfs_buf_free(&scratch);
        return rc;
    }
    if (c == '{') return fail(P, "inline tables are not read here%s", NULL);
    if (at(P, "true") || at(P, "false")) {
        if (want != W_ANY) return type_error(P, key, want);
        P->p += c == 't' ? 4 : 5;
        if (P->p < P->end && is_bare_key_char(*P->p)) return fail(P, "unknown value%s", NULL);
        return 0;
    }
    if (at(P, "inf") || at(P, "nan") || at(P, "+inf") || at(P, "-inf") || at(P, "+nan") ||
        at(P, "-nan"))
        return fail(P, "floats are not read here%s", NULL);
    if ((c >= '0' && c <= '9') || c == '+' || c == '-') {
        uint64_t mag = 0;
        int neg = 0;
        int rc = parse_integer(P, &mag, &neg);
        if (rc) return rc;
        if (want == W_UINT) {
            if (neg && mag) return type_error(P, key, want);
            v->u = mag;
        } else if (want != W_ANY) {
            return type_error(P, key, want);
        }
        return 0;
    }
    return fail(P, "unknown value%s", NULL);
}

/* Remembers a defined name; a second definition is an error. */
static int define_name(parser *P, const char *name, size_t len, const char *what)
{
    const char *s = P->seen.data;
    for (size_t i = 0; i < P->n_seen; i++) {
        size_t n = strlen(s);
        if (n == len && memcmp(s, name, len) == 0) {
            char shown[200];
            size_t k = 0;
            for (size_t j = name[0] == '\x1E'; j < len && k + 1 < sizeof shown; j++)
                shown[k++] = name[j] == '\x1F' ? '.' : name[j];
            shown[k] = '\0';
            char msg[320];
            snprintf(msg, sizeof msg, "%s '%s' defined twice", what, shown);
            return fail(P, "%s", msg);
        }
        s += n + 1;
    }
    if (P->n_seen >= MAX_KEYS) return fail(P, "too many keys%s", NULL);
    P->n_seen++;
    int rc = csfs_buf_append(&P->seen, name, len, P->err);
    return rc ? rc : csfs_buf_append(&P->seen, "", 1, P->err);
}

static int parse_table_header(parser *P)
{
    int array = at(P, "[[");
    P->p += array ? 2 : 1;
    P->table_name.len = 0;
    int segments;
    int rc = parse_key(P, &P->table_name, &segments);
    if (rc) return rc;
    skip_ws(P);
    if (!(array ? at(P, "]]") : at(P, "]"))) return fail(P, "expected ']' closing a table name%s", NULL);
    P->p += array ? 2 : 1;
    rc = csfs_buf_terminate(&P->table_name, P->err);
    if (rc) return rc;
    const char *t = P->table_name.data;
    P->table = T_OTHER;
    if (segments == 1 && strcmp(t, "header_info") == 0) P->table = T_HEADER_INFO;
    else if (segments == 1 && strcmp(t, "block_info") == 0) P->table = T_BLOCK_INFO;
    else if (segments == 1 && strcmp(t, "conversion_stats") == 0) P->table = T_STATS;
    P->table_is_array = array;
    if (array && P->table != T_OTHER) return fail(P, "[[%s]] must be a plain table", t);
    if (P->table == T_HEADER_INFO) P->have_header_info = 1;
    if (!array) {
        /* table names live in the same list as keys, marked by a 0x1E prefix */
        csfs_buf name = {0};
        rc = csfs_buf_append(&name, "\x1E", 1, P->err);
        if (rc == 0) rc = csfs_buf_append(&name, t, strlen(t), P->err);
        if (rc == 0) rc = define_name(P, name.data, name.len, "table");
        csfs_buf_free(&name);
        if (rc) return rc;
    }
    return expect_line_end(P);
}

static void value_free(value *v)
{
    csfs_buf_free(&v->strs);
    free(v->ints);
    memset(v, 0, sizeof *v);
}

static int store_header_lines(parser *P, value *v)
{
    if (v->n_strs != CSFS_HEADER_LINES) {
        char msg[128];
        snprintf(msg, sizeof msg, "header_lines has %zu lines; a GRASP header has %d", v->n_strs,
                 CSFS_HEADER_LINES);
        return fail(P, "%s", msg);
    }
    const char *s = v->strs.data;
    for (int i = 0; i < CSFS_HEADER_LINES; i++) {
        size_t n = strlen(s);
        if (memchr(s, '\n', n)) {
            char msg[96];
            snprintf(msg, sizeof msg, "header_lines[%d] holds a line break", i);
            return fail(P, "%s", msg);
        }
        P->out->lines[i] = malloc(n + 1);
        if (!P->out->lines[i]) return csfs_fail(P->err, CSFS_E_NOMEM, "out of memory");
        memcpy(P->out->lines[i], s, n + 1);
        P->out->lens[i] = n;
        s += n + 1;
    }
    P->have_header_lines = 1;
    return 0;
}

static int parse_keyval(parser *P, csfs_buf *key)
{
    uint64_t key_line = P->line;
    key->len = 0;
    if (P->table != T_ROOT && P->table_name.data) {
        int rc = csfs_buf_append(key, P->table_name.data, strlen(P->table_name.data), P->err);
        if (rc == 0) rc = csfs_buf_append(key, "\x1F", 1, P->err);
        if (rc) return rc;
    }
    size_t key_start = key->len;
    int segments;
    int rc = parse_key(P, key, &segments);
    if (rc) return rc;
    if (P->p >= P->end || *P->p != '=') return fail(P, "expected '=' after a key%s", NULL);
    P->p++;
    skip_ws(P);
    if (!P->table_is_array) {
        rc = define_name(P, key->data, key->len, "key");
        if (rc) return rc;
    }
    rc = csfs_buf_terminate(key, P->err);
    if (rc) return rc;
    const char *k = segments == 1 ? key->data + key_start : "";
    enum want want = W_ANY;
    int which = 0;
    if (P->table == T_HEADER_INFO && strcmp(k, "header_lines") == 0) want = W_STR_ARRAY, which = 1;
    else if (P->table == T_BLOCK_INFO && strcmp(k, "block_count") == 0) want = W_UINT, which = 2;
    else if (P->table == T_BLOCK_INFO && strcmp(k, "block_lengths") == 0)
        want = W_UINT_ARRAY, which = 3;
    else if (P->table == T_STATS && strcmp(k, "csf_count") == 0) want = W_UINT, which = 4;
    else if (P->table == T_STATS && strcmp(k, "total_lines") == 0) want = W_UINT, which = 5;
    else if (P->table == T_STATS && strcmp(k, "truncated_count") == 0) want = W_UINT, which = 6;

    value v = {0};
    rc = parse_value(P, want, 0, &v, k);
    uint64_t end_line = P->line;
    P->line = key_line; /* messages about the value name the key's line */
    csfs_header_toml *o = P->out;
    if (rc == 0) {
        switch (which) {
        case 1: rc = store_header_lines(P, &v); break;
        case 2: P->block_count = v.u, P->have_block_count = 1, P->block_line = key_line; break;
        case 3:
            o->block_lengths = v.ints, o->n_blocks = v.n_ints, v.ints = NULL;
            P->have_block_lengths = 1;
            P->block_line = key_line;
            break;
        case 4: o->csf_count = v.u, o->has_csf_count = 1, P->stats_line = key_line; break;
        case 5: o->total_lines = v.u, o->has_total_lines = 1; break;
        case 6: o->truncated_count = v.u, o->has_truncated_count = 1; break;
        default: break;
        }
    }
    if (which == 1) P->header_lines_line = key_line;
    P->line = end_line;
    value_free(&v);
    return rc ? rc : expect_line_end(P);
}

/* Cross-checks once the whole file is read. */
static int check_document(parser *P)
{
    csfs_header_toml *o = P->out;
    if (!P->have_header_info)
        return csfs_fail(P->err, CSFS_E_FORMAT, "%s: no [header_info] table: not a header TOML",
                         P->name);
    if (!P->have_header_lines)
        return csfs_fail(P->err, CSFS_E_FORMAT, "%s: [header_info] has no header_lines", P->name);
    P->line = P->block_line;
    if (P->have_block_count && !P->have_block_lengths)
        return fail(P, "[block_info] has block_count but no block_lengths%s", NULL);
    if (P->have_block_lengths) {
        o->has_block_info = 1;
        if (P->have_block_count && P->block_count != o->n_blocks) {
            char msg[160];
            snprintf(msg, sizeof msg, "block_count = %llu but block_lengths has %zu entries",
                     (unsigned long long)P->block_count, o->n_blocks);
            return fail(P, "%s", msg);
        }
        uint64_t sum = 0;
        for (size_t b = 0; b < o->n_blocks; b++) {
            if (o->block_lengths[b] > UINT64_MAX - sum)
                return fail(P, "block_lengths add up to more than 2^64%s", NULL);
            sum += o->block_lengths[b];
        }
        if (o->has_csf_count && sum != o->csf_count) {
            char msg[160];
            snprintf(msg, sizeof msg, "block_lengths add up to %llu but csf_count = %llu",
                     (unsigned long long)sum, (unsigned long long)o->csf_count);
            return fail(P, "%s", msg);
        }
    }
    return 0;
}

int csfs_header_toml_parse(const char *text, size_t len, const char *name, csfs_header_toml *out,
                           csfs_error *err)
{
    memset(out, 0, sizeof *out);
    parser P = {0};
    P.p = text;
    P.end = text + len;
    P.line = 1;
    P.name = name;
    P.err = err;
    P.table = T_ROOT;
    P.out = out;

    /* TOML is UTF-8 throughout: check it once, naming the line of a bad byte. */
    size_t ok = csfs_utf8_valid_prefix(text, len);
    if (ok != len) {
        uint64_t line = 1;
        for (size_t i = 0; i < ok; i++) line += text[i] == '\n';
        return csfs_fail_line(err, CSFS_E_FORMAT, line, "%s:%llu: not UTF-8 (byte %zu)", name,
                              (unsigned long long)line, ok + 1);
    }
    if (at(&P, "\xEF\xBB\xBF")) P.p += 3; /* a byte-order mark */

    csfs_buf key = {0};
    int rc = 0;
    while (rc == 0 && P.p < P.end) {
        skip_ws(&P);
        if (P.p >= P.end) break;
        char c = *P.p;
        if (c == '#') {
            rc = expect_line_end(&P);
        } else if (is_newline(&P)) {
            eat_newline(&P);
        } else if (c == '[') {
            rc = parse_table_header(&P);
        } else {
            rc = parse_keyval(&P, &key);
        }
    }
    if (rc == 0) rc = check_document(&P);
    csfs_buf_free(&key);
    csfs_buf_free(&P.table_name);
    csfs_buf_free(&P.seen);
    if (rc) csfs_header_toml_free(out);
    return rc;
}

int csfs_header_toml_read(const char *path, csfs_header_toml *out, csfs_error *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) return csfs_fail_errno(err, errno, "%s: cannot open", path);
    csfs_buf text = {0};
    int rc = 0;
    for (;;) {
        if (text.len > MAX_TOML_BYTES) {
            rc = csfs_fail(err, CSFS_E_FORMAT, "%s: larger than %zu MiB: not a header TOML", path,
                           MAX_TOML_BYTES >> 20);
            break;
        }
        rc = csfs_buf_reserve(&text, text.len + 65536, err);
        if (rc) break;
        size_t got = fread(text.data + text.len, 1, text.cap - text.len, f);
        text.len += got;
        if (got == 0) {
            if (ferror(f)) rc = csfs_fail(err, CSFS_E_IO, "%s: read error", path);
            break;
        }
    }
    fclose(f);
    if (rc == 0) rc = csfs_header_toml_parse(text.data ? text.data : "", text.len, path, out, err);
    csfs_buf_free(&text);
    return rc;
}

void csfs_header_toml_free(csfs_header_toml *h)
{
    if (!h) return;
    for (int i = 0; i < CSFS_HEADER_LINES; i++) free(h->lines[i]);
    free(h->block_lengths);
    memset(h, 0, sizeof *h);
}

int csfs_header_toml_peel(const csfs_header_toml *h, csfs_peel **out, csfs_error *err)
{
    return csfs_peel_from_header_line(h->lines[3] ? h->lines[3] : "", h->lens[3], out, err);
}

int csfs_header_toml_sniff(const char *data, size_t len)
{
    static const char tag[] = "[header_info]";
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        const char *s = p;
        while (s < e && (*s == ' ' || *s == '\t')) s++;
        if ((size_t)(e - s) >= sizeof tag - 1 && memcmp(s, tag, sizeof tag - 1) == 0) {
            const char *t = s + sizeof tag - 1;
            while (t < e && (*t == ' ' || *t == '\t' || *t == '\r')) t++;
            if (t == e || *t == '#') return 1;
        }
        if (!nl) break;
        p = nl + 1;
    }
    return 0;
}
