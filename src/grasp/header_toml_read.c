/*
 * Reading header TOML files: a strict parser of the TOML subset such files
 * use (see grasp/header_toml.h). Input is hostile: sizes, nesting and key counts
 * are bounded, every byte is checked, and errors name the file and line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "grasp/header_toml.h"
#include "grasp/peel.h"
#include "grasp/toml_scan.h"
#include "common/utf8.h"

#define MAX_TOML_BYTES ((size_t)64 << 20)
#define MAX_DEPTH 32    /* nested arrays */
#define MAX_KEYS 100000 /* key/table names remembered for duplicate checks */

enum table_id { T_ROOT, T_HEADER_INFO, T_BLOCK_INFO, T_STATS, T_OTHER };

/* What the caller of parse_value wants from it. */
enum want { W_ANY, W_UINT, W_STR_ARRAY, W_UINT_ARRAY };

typedef struct parser {
    toml_cursor c;
    enum table_id table;
    int table_is_array; /* [[...]]: its keys are not checked for duplicates */
    csfs_buf table_name;
    csfs_buf seen; /* names already defined, each NUL-terminated */
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
    csfs_buf strs; /* W_STR_ARRAY: decoded items, each NUL-terminated */
    size_t n_strs;
    uint64_t *ints; /* W_UINT_ARRAY */
    size_t n_ints, cap_ints;
} value;

static int parse_value(parser *P, enum want want, int depth, value *v, const char *key);

static int type_error(parser *P, const char *key, enum want want)
{
    const char *what = want == W_UINT        ? "a non-negative integer"
                       : want == W_STR_ARRAY ? "an array of strings"
                                             : "an array of non-negative integers";
    char msg[128];
    snprintf(msg, sizeof msg, "%s must be %s", key, what);
    return toml_fail(&P->c, "%s", msg);
}

static int parse_array(parser *P, enum want want, int depth, value *v, const char *key)
{
    if (depth >= MAX_DEPTH) return toml_fail(&P->c, "arrays nested too deeply%s", NULL);
    if (want == W_UINT) return type_error(P, key, want);
    P->c.p++; /* '[' */
    enum want item = want == W_STR_ARRAY ? W_ANY : want == W_UINT_ARRAY ? W_UINT : W_ANY;
    for (;;) {
        int rc = toml_skip_blank(&P->c);
        if (rc) return rc;
        if (P->c.p >= P->c.end) return toml_fail(&P->c, "unterminated array%s", NULL);
        if (*P->c.p == ']') {
            P->c.p++;
            return 0;
        }
        if (want == W_STR_ARRAY) {
            if (*P->c.p != '"' && *P->c.p != '\'') return type_error(P, key, want);
            size_t before = v->strs.len;
            rc = toml_parse_string(&P->c, &v->strs);
            if (rc) return rc;
            if (v->strs.len > before && memchr(v->strs.data + before, '\0', v->strs.len - before))
                return toml_fail(&P->c, "%s holds a NUL character", key);
            rc = csfs_buf_append(&v->strs, "", 1, P->c.err);
            v->n_strs++;
        } else {
            rc = parse_value(P, item, depth + 1, v, key);
            if (rc == 0 && want == W_UINT_ARRAY) {
                if (v->n_ints == v->cap_ints) {
                    size_t cap = v->cap_ints ? 2 * v->cap_ints : 16;
                    uint64_t *grown = realloc(v->ints, cap * sizeof *grown);
                    if (!grown) return csfs_fail(P->c.err, CSFS_E_NOMEM, "out of memory");
                    v->ints = grown;
                    v->cap_ints = cap;
                }
                v->ints[v->n_ints++] = v->u;
            }
        }
        if (rc) return rc;
        rc = toml_skip_blank(&P->c);
        if (rc) return rc;
        if (P->c.p >= P->c.end) return toml_fail(&P->c, "unterminated array%s", NULL);
        if (*P->c.p == ',') {
            P->c.p++;
            continue;
        }
        if (*P->c.p == ']') {
            P->c.p++;
            return 0;
        }
        return toml_fail(&P->c, "expected ',' or ']' in an array%s", NULL);
    }
}

static int parse_value(parser *P, enum want want, int depth, value *v, const char *key)
{
    if (P->c.p >= P->c.end || toml_is_newline(&P->c))
        return toml_fail(&P->c, "missing value%s", NULL);
    char c = *P->c.p;
    if (c == '[') return parse_array(P, want, depth, v, key);
    if (c == '"' || c == '\'') {
        if (want != W_ANY) return type_error(P, key, want);
        csfs_buf scratch = {0};
        int rc = toml_parse_string(&P->c, &scratch);
        csfs_buf_free(&scratch);
        return rc;
    }
    if (c == '{') return toml_fail(&P->c, "inline tables are not read here%s", NULL);
    if (toml_at(&P->c, "true") || toml_at(&P->c, "false")) {
        if (want != W_ANY) return type_error(P, key, want);
        P->c.p += c == 't' ? 4 : 5;
        if (P->c.p < P->c.end && toml_is_bare_key_char(*P->c.p))
            return toml_fail(&P->c, "unknown value%s", NULL);
        return 0;
    }
    if (toml_at(&P->c, "inf") || toml_at(&P->c, "nan") || toml_at(&P->c, "+inf") ||
        toml_at(&P->c, "-inf") || toml_at(&P->c, "+nan") || toml_at(&P->c, "-nan"))
        return toml_fail(&P->c, "floats are not read here%s", NULL);
    if ((c >= '0' && c <= '9') || c == '+' || c == '-') {
        uint64_t mag = 0;
        int neg = 0;
        int rc = toml_parse_integer(&P->c, &mag, &neg);
        if (rc) return rc;
        if (want == W_UINT) {
            if (neg && mag) return type_error(P, key, want);
            v->u = mag;
        } else if (want != W_ANY) {
            return type_error(P, key, want);
        }
        return 0;
    }
    return toml_fail(&P->c, "unknown value%s", NULL);
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
            return toml_fail(&P->c, "%s", msg);
        }
        s += n + 1;
    }
    if (P->n_seen >= MAX_KEYS) return toml_fail(&P->c, "too many keys%s", NULL);
    P->n_seen++;
    int rc = csfs_buf_append(&P->seen, name, len, P->c.err);
    return rc ? rc : csfs_buf_append(&P->seen, "", 1, P->c.err);
}

static int parse_table_header(parser *P)
{
    int array = toml_at(&P->c, "[[");
    P->c.p += array ? 2 : 1;
    P->table_name.len = 0;
    int segments;
    int rc = toml_parse_key(&P->c, &P->table_name, &segments);
    if (rc) return rc;
    toml_skip_ws(&P->c);
    if (!(array ? toml_at(&P->c, "]]") : toml_at(&P->c, "]")))
        return toml_fail(&P->c, "expected ']' closing a table name%s", NULL);
    P->c.p += array ? 2 : 1;
    rc = csfs_buf_terminate(&P->table_name, P->c.err);
    if (rc) return rc;
    const char *t = P->table_name.data;
    P->table = T_OTHER;
    if (segments == 1 && strcmp(t, "header_info") == 0)
        P->table = T_HEADER_INFO;
    else if (segments == 1 && strcmp(t, "block_info") == 0)
        P->table = T_BLOCK_INFO;
    else if (segments == 1 && strcmp(t, "conversion_stats") == 0)
        P->table = T_STATS;
    P->table_is_array = array;
    if (array && P->table != T_OTHER) return toml_fail(&P->c, "[[%s]] must be a plain table", t);
    if (P->table == T_HEADER_INFO) P->have_header_info = 1;
    if (!array) {
        /* table names live in the same list as keys, marked by a 0x1E prefix */
        csfs_buf name = {0};
        rc = csfs_buf_append(&name, "\x1E", 1, P->c.err);
        if (rc == 0) rc = csfs_buf_append(&name, t, strlen(t), P->c.err);
        if (rc == 0) rc = define_name(P, name.data, name.len, "table");
        csfs_buf_free(&name);
        if (rc) return rc;
    }
    return toml_expect_line_end(&P->c);
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
        return toml_fail(&P->c, "%s", msg);
    }
    const char *s = v->strs.data;
    for (int i = 0; i < CSFS_HEADER_LINES; i++) {
        size_t n = strlen(s);
        if (memchr(s, '\n', n)) {
            char msg[96];
            snprintf(msg, sizeof msg, "header_lines[%d] holds a line break", i);
            return toml_fail(&P->c, "%s", msg);
        }
        P->out->lines[i] = malloc(n + 1);
        if (!P->out->lines[i]) return csfs_fail(P->c.err, CSFS_E_NOMEM, "out of memory");
        memcpy(P->out->lines[i], s, n + 1);
        P->out->lens[i] = n;
        s += n + 1;
    }
    P->have_header_lines = 1;
    return 0;
}

static int parse_keyval(parser *P, csfs_buf *key)
{
    uint64_t key_line = P->c.line;
    key->len = 0;
    if (P->table != T_ROOT && P->table_name.data) {
        int rc = csfs_buf_append(key, P->table_name.data, strlen(P->table_name.data), P->c.err);
        if (rc == 0) rc = csfs_buf_append(key, "\x1F", 1, P->c.err);
        if (rc) return rc;
    }
    size_t key_start = key->len;
    int segments;
    int rc = toml_parse_key(&P->c, key, &segments);
    if (rc) return rc;
    if (P->c.p >= P->c.end || *P->c.p != '=')
        return toml_fail(&P->c, "expected '=' after a key%s", NULL);
    P->c.p++;
    toml_skip_ws(&P->c);
    if (!P->table_is_array) {
        rc = define_name(P, key->data, key->len, "key");
        if (rc) return rc;
    }
    rc = csfs_buf_terminate(key, P->c.err);
    if (rc) return rc;
    const char *k = segments == 1 ? key->data + key_start : "";
    enum want want = W_ANY;
    int which = 0;
    if (P->table == T_HEADER_INFO && strcmp(k, "header_lines") == 0)
        want = W_STR_ARRAY, which = 1;
    else if (P->table == T_BLOCK_INFO && strcmp(k, "block_count") == 0)
        want = W_UINT, which = 2;
    else if (P->table == T_BLOCK_INFO && strcmp(k, "block_lengths") == 0)
        want = W_UINT_ARRAY, which = 3;
    else if (P->table == T_STATS && strcmp(k, "csf_count") == 0)
        want = W_UINT, which = 4;
    else if (P->table == T_STATS && strcmp(k, "total_lines") == 0)
        want = W_UINT, which = 5;
    else if (P->table == T_STATS && strcmp(k, "truncated_count") == 0)
        want = W_UINT, which = 6;

    value v = {0};
    rc = parse_value(P, want, 0, &v, k);
    uint64_t end_line = P->c.line;
    P->c.line = key_line; /* messages about the value name the key's line */
    csfs_header_toml *o = P->out;
    if (rc == 0) {
        switch (which) {
        case 1:
            rc = store_header_lines(P, &v);
            break;
        case 2:
            P->block_count = v.u, P->have_block_count = 1, P->block_line = key_line;
            break;
        case 3:
            o->block_lengths = v.ints, o->n_blocks = v.n_ints, v.ints = NULL;
            P->have_block_lengths = 1;
            P->block_line = key_line;
            break;
        case 4:
            o->csf_count = v.u, o->has_csf_count = 1, P->stats_line = key_line;
            break;
        case 5:
            o->total_lines = v.u, o->has_total_lines = 1;
            break;
        case 6:
            o->truncated_count = v.u, o->has_truncated_count = 1;
            break;
        default:
            break;
        }
    }
    if (which == 1) P->header_lines_line = key_line;
    P->c.line = end_line;
    value_free(&v);
    return rc ? rc : toml_expect_line_end(&P->c);
}

/* Cross-checks once the whole file is read. */
static int check_document(parser *P)
{
    csfs_header_toml *o = P->out;
    if (!P->have_header_info)
        return csfs_fail(P->c.err, CSFS_E_FORMAT, "%s: no [header_info] table: not a header TOML",
                         P->c.name);
    if (!P->have_header_lines)
        return csfs_fail(P->c.err, CSFS_E_FORMAT, "%s: [header_info] has no header_lines",
                         P->c.name);
    P->c.line = P->block_line;
    if (P->have_block_count && !P->have_block_lengths)
        return toml_fail(&P->c, "[block_info] has block_count but no block_lengths%s", NULL);
    if (P->have_block_lengths) {
        o->has_block_info = 1;
        if (P->have_block_count && P->block_count != o->n_blocks) {
            char msg[160];
            snprintf(msg, sizeof msg, "block_count = %llu but block_lengths has %zu entries",
                     (unsigned long long)P->block_count, o->n_blocks);
            return toml_fail(&P->c, "%s", msg);
        }
        uint64_t sum = 0;
        for (size_t b = 0; b < o->n_blocks; b++) {
            if (o->block_lengths[b] > UINT64_MAX - sum)
                return toml_fail(&P->c, "block_lengths add up to more than 2^64%s", NULL);
            sum += o->block_lengths[b];
        }
        if (o->has_csf_count && sum != o->csf_count) {
            char msg[160];
            snprintf(msg, sizeof msg, "block_lengths add up to %llu but csf_count = %llu",
                     (unsigned long long)sum, (unsigned long long)o->csf_count);
            return toml_fail(&P->c, "%s", msg);
        }
    }
    return 0;
}

int csfs_header_toml_parse(const char *text, size_t len, const char *name, csfs_header_toml *out,
                           csfs_error *err)
{
    memset(out, 0, sizeof *out);
    parser P = {0};
    P.c.p = text;
    P.c.end = text + len;
    P.c.line = 1;
    P.c.name = name;
    P.c.err = err;
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
    if (toml_at(&P.c, "\xEF\xBB\xBF")) P.c.p += 3; /* a byte-order mark */

    csfs_buf key = {0};
    int rc = 0;
    while (rc == 0 && P.c.p < P.c.end) {
        toml_skip_ws(&P.c);
        if (P.c.p >= P.c.end) break;
        char c = *P.c.p;
        if (c == '#') {
            rc = toml_expect_line_end(&P.c);
        } else if (toml_is_newline(&P.c)) {
            toml_eat_newline(&P.c);
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
