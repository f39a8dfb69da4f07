/* The TOML lexer under grasp/header_toml_read.c: white space, comments, line ends,
 * strings of the four forms, keys and integers (TOML 1.0, plus the \\e and
 * \\xHH escapes of 1.1). Every byte is checked; errors name the line. */
#include "grasp/toml_scan.h"

#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "common/utf8.h"

int toml_fail(toml_cursor *P, const char *fmt, const char *detail)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, detail ? detail : "");
    return csfs_fail_line(P->err, CSFS_E_FORMAT, P->line, "%s:%llu: %s", P->name,
                          (unsigned long long)P->line, msg);
}

int toml_at(const toml_cursor *P, const char *s)
{
    size_t n = strlen(s);
    return (size_t)(P->end - P->p) >= n && memcmp(P->p, s, n) == 0;
}

void toml_skip_ws(toml_cursor *P)
{
    while (P->p < P->end && (*P->p == ' ' || *P->p == '\t')) P->p++;
}

int toml_is_newline(const toml_cursor *P)
{
    return P->p < P->end && (*P->p == '\n' || toml_at(P, "\r\n"));
}

void toml_eat_newline(toml_cursor *P)
{
    P->p += *P->p == '\r' ? 2 : 1;
    P->line++;
}

/* A comment runs to the line end; TOML allows no control character but tab in it. */
int toml_skip_comment(toml_cursor *P)
{
    if (P->p >= P->end || *P->p != '#') return 0;
    while (P->p < P->end && *P->p != '\n') {
        unsigned char c = (unsigned char)*P->p;
        if ((c < 0x20 && c != '\t' && !toml_at(P, "\r\n")) || c == 0x7F)
            return toml_fail(P, "control character in a comment%s", NULL);
        P->p++;
    }
    return 0;
}

/* After a key/value or table header: only white space and a comment. */
int toml_expect_line_end(toml_cursor *P)
{
    toml_skip_ws(P);
    int rc = toml_skip_comment(P);
    if (rc) return rc;
    if (P->p == P->end) return 0;
    if (!toml_is_newline(P)) return toml_fail(P, "unexpected text after a value%s", NULL);
    toml_eat_newline(P);
    return 0;
}

/* White space, line ends and comments (inside arrays). */
int toml_skip_blank(toml_cursor *P)
{
    for (;;) {
        toml_skip_ws(P);
        int rc = toml_skip_comment(P);
        if (rc) return rc;
        if (!toml_is_newline(P)) return 0;
        toml_eat_newline(P);
    }
}

int toml_hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int put_utf8(csfs_buf *b, unsigned long cp, csfs_error *err)
{
    char o[4];
    return csfs_buf_append(b, o, csfs_utf8_encode(cp, o), err);
}

/* One escape after '\' in a basic string (TOML 1.0, plus \e and \xHH of 1.1). */
static int parse_escape(toml_cursor *P, csfs_buf *out)
{
    if (P->p >= P->end) return toml_fail(P, "unterminated escape%s", NULL);
    char e = *P->p++;
    char c;
    switch (e) {
    case 'b':
        c = '\b';
        break;
    case 't':
        c = '\t';
        break;
    case 'n':
        c = '\n';
        break;
    case 'f':
        c = '\f';
        break;
    case 'r':
        c = '\r';
        break;
    case 'e':
        c = 0x1B;
        break;
    case '"':
        c = '"';
        break;
    case '\\':
        c = '\\';
        break;
    case 'x':
    case 'u':
    case 'U': {
        int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        if (P->end - P->p < digits)
            return toml_fail(P, "truncated \\%s escape", e == 'x' ? "x" : "u");
        unsigned long cp = 0;
        for (int i = 0; i < digits; i++) {
            int h = toml_hexval(P->p[i]);
            if (h < 0) return toml_fail(P, "bad hex digit in a \\%s escape", e == 'x' ? "x" : "u");
            cp = cp * 16 + (unsigned long)h;
        }
        P->p += digits;
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return toml_fail(P, "escape is not a Unicode scalar value%s", NULL);
        return put_utf8(out, cp, P->err);
    }
    default:
        P->p--;
        return toml_fail(P, "unknown escape sequence%s", NULL);
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
int toml_parse_string(toml_cursor *P, csfs_buf *out)
{
    char q = *P->p;
    int literal = q == '\'';
    int multi = toml_at(P, literal ? "'''" : "\"\"\"");
    P->p += multi ? 3 : 1;
    if (multi && toml_is_newline(P))
        toml_eat_newline(P); /* a line break right after """ is trimmed */
    for (;;) {
        if (P->p >= P->end) return toml_fail(P, "unterminated string%s", NULL);
        char c = *P->p;
        if (c == q) {
            if (!multi) {
                P->p++;
                return 0;
            }
            size_t run = 0;
            while (P->p + run < P->end && P->p[run] == q) run++;
            if (run >= 3) {
                if (run > 5) return toml_fail(P, "too many quotes closing a string%s", NULL);
                int rc = csfs_buf_append(out, P->p, run - 3, P->err);
                P->p += run;
                return rc;
            }
            int rc = csfs_buf_append(out, P->p, run, P->err);
            if (rc) return rc;
            P->p += run;
            continue;
        }
        if (multi && toml_is_newline(P)) {
            int rc = csfs_buf_append(out, "\n", 1, P->err);
            if (rc) return rc;
            toml_eat_newline(P);
            continue;
        }
        if (c == '\\' && !literal) {
            P->p++;
            if (multi) {
                /* line-ending backslash: drop white space and line breaks */
                const char *save = P->p;
                toml_skip_ws(P);
                if (toml_is_newline(P)) {
                    while (P->p < P->end && (*P->p == ' ' || *P->p == '\t' || toml_is_newline(P))) {
                        if (toml_is_newline(P))
                            toml_eat_newline(P);
                        else
                            P->p++;
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
                return toml_fail(P,
                                 multi ? "carriage return without a line feed in a string%s"
                                       : "line break in a one-line string%s",
                                 NULL);
            return toml_fail(P, "control character in a string (use an escape)%s", NULL);
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

int toml_is_bare_key_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* A key (bare, quoted, or dotted: segments joined by 0x1F) appended to out;
 * *segments counts its parts. */
int toml_parse_key(toml_cursor *P, csfs_buf *out, int *segments)
{
    *segments = 0;
    for (;;) {
        toml_skip_ws(P);
        if (P->p >= P->end) return toml_fail(P, "expected a key%s", NULL);
        if (*segments && csfs_buf_append(out, "\x1F", 1, P->err)) return CSFS_E_NOMEM;
        if (*P->p == '"' || *P->p == '\'') {
            if (toml_at(P, "\"\"\"") || toml_at(P, "'''"))
                return toml_fail(P, "a key cannot be a multi-line string%s", NULL);
            size_t before = out->len;
            int rc = toml_parse_string(P, out);
            if (rc) return rc;
            /* An empty first key ("") leaves out->data NULL: no pointer arithmetic on it. */
            if (out->len > before && memchr(out->data + before, '\0', out->len - before))
                return toml_fail(P, "NUL character in a key%s", NULL);
        } else {
            const char *s = P->p;
            while (P->p < P->end && toml_is_bare_key_char(*P->p)) P->p++;
            if (P->p == s) return toml_fail(P, "expected a key%s", NULL);
            int rc = csfs_buf_append(out, s, (size_t)(P->p - s), P->err);
            if (rc) return rc;
        }
        (*segments)++;
        toml_skip_ws(P);
        if (P->p < P->end && *P->p == '.') {
            P->p++;
            continue;
        }
        return 0;
    }
}

/* Integer in any TOML form; *neg set for a minus sign. Magnitude < 2^63. */
int toml_parse_integer(toml_cursor *P, uint64_t *mag, int *neg)
{
    *neg = 0;
    int sign = 0;
    if (*P->p == '+' || *P->p == '-') {
        *neg = *P->p == '-';
        sign = 1;
        P->p++;
    }
    unsigned base = 10;
    if (!sign && toml_at(P, "0x"))
        base = 16;
    else if (!sign && toml_at(P, "0o"))
        base = 8;
    else if (!sign && toml_at(P, "0b"))
        base = 2;
    if (base != 10)
        P->p += 2;
    else if (P->p < P->end && *P->p == '0' && P->end - P->p > 1 &&
             ((P->p[1] >= '0' && P->p[1] <= '9') || P->p[1] == '_'))
        return toml_fail(P, "leading zero in an integer%s", NULL);
    uint64_t v = 0;
    int digits = 0, prev_underscore = 0;
    for (; P->p < P->end; P->p++) {
        char c = *P->p;
        if (c == '_') {
            if (!digits || prev_underscore)
                return toml_fail(P, "misplaced '_' in an integer%s", NULL);
            prev_underscore = 1;
            continue;
        }
        int d = toml_hexval(c);
        if (d < 0 || (unsigned)d >= base) break;
        uint64_t limit = (uint64_t)INT64_MAX + (*neg ? 1u : 0u);
        if (v > (limit - (unsigned)d) / base) return toml_fail(P, "integer out of range%s", NULL);
        v = v * base + (unsigned)d;
        digits++;
        prev_underscore = 0;
    }
    if (!digits || prev_underscore) return toml_fail(P, "malformed integer%s", NULL);
    if (P->p < P->end && (*P->p == '.' || *P->p == 'e' || *P->p == 'E' || *P->p == ':' ||
                          (*P->p == '-' && base == 10)))
        return toml_fail(P,
                         "floats and dates are not read here (only integers, strings, booleans "
                         "and arrays)%s",
                         NULL);
    if (P->p < P->end && toml_is_bare_key_char(*P->p))
        return toml_fail(P, "malformed integer%s", NULL);
    *mag = v;
    return 0;
}
