/*
 * The fixed-width geometry of one CSF record, shared by every descriptor
 * layout: where field b's name, electron count, line-2 state and line-3
 * coupling are, and where the total J and parity sit. Pure pointer
 * arithmetic over the caller's bytes: nothing is copied or allocated.
 */
#ifndef CSFS_CSF_FIELDS_H
#define CSFS_CSF_FIELDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline int csfs_is_ws(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline size_t csfs_rtrim_len(const char *s, size_t len)
{
    while (len && csfs_is_ws((unsigned char)s[len - 1])) len--;
    return len;
}

/* Trims ASCII white space on both sides. Fields are right-aligned, so runs
 * of plain spaces are skipped a word at a time. */
static inline void csfs_trim(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        if (w != 0x2020202020202020ull) break;
        p += 8, n -= 8;
    }
    while (n && csfs_is_ws((unsigned char)p[0])) p++, n--;
    while (n && csfs_is_ws((unsigned char)p[n - 1])) n--;
    *s = p;
    *len = n;
}

/* Rust's str::parse::<i32>, as rCSFs applies it: an optional single sign,
 * then one or more digits, nothing else, within int32. 0 or -1. */
static inline int csfs_parse_i32(const char *s, size_t len, int32_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (len && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == len) return -1;
    int64_t v = 0;
    for (; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9) return -1;
        v = v * 10 + d;
        if (v > (int64_t)INT32_MAX + 1) return -1;
    }
    if (neg) v = -v;
    if (v > INT32_MAX) return -1;
    *out = (int32_t)v;
    return 0;
}

/*
 * J text to 2J under the rCSFs rule (j_to_double_j): "n/d" -> n (the
 * denominator is never read), else strip trailing '-' then '+' and double
 * (wrapping like rCSFs' release build). 0 with *out set, or -1. The one J
 * rule of csfs: both descriptor layouts, split and the mixing list use it.
 */
static inline int csfs_j_to_2j(const char *s, size_t len, int32_t *out)
{
    csfs_trim(&s, &len);
    /* A single digit, the most common J, skips the general path. */
    if (len == 1 && (unsigned)(s[0] - '0') <= 9) {
        *out = 2 * (s[0] - '0');
        return 0;
    }
    /* Fields are at most 9 bytes: a plain loop beats a memchr call. */
    for (size_t i = 0; i < len; i++)
        if (s[i] == '/') return csfs_parse_i32(s, i, out);
    while (len && s[len - 1] == '-') len--;
    while (len && s[len - 1] == '+') len--;
    int32_t v;
    if (csfs_parse_i32(s, len, &v)) return -1;
    *out = (int32_t)((uint32_t)v * 2u);
    return 0;
}

/*
 * 2J of a right-aligned J token in the form GRASP writes: "n" (2J = 2n) or
 * "n/d" (2J = n; GRASP writes d = 2), n of 1 to 3 digits, d one digit,
 * nothing but blanks before it. Returns 1 with *two_j set, or -1 for any
 * other form (signs, seniority "v;", stray characters, blanks after it): the
 * caller then takes the general parse (csfs_j_to_2j), which gives the same
 * value for every token this accepts, so this path changes speed only.
 */
static inline int csfs_j_token_fast(const char *t, size_t len, int32_t *two_j)
{
    unsigned d0 = (unsigned)(unsigned char)t[0] - '0';
    if (d0 > 9) return -1;
    int32_t v = (int32_t)d0;
    size_t i = 1;
    for (; i < len && i < 3; i++) {
        unsigned d = (unsigned)(unsigned char)t[i] - '0';
        if (d > 9) break;
        v = 10 * v + (int32_t)d;
    }
    if (i == len) {
        *two_j = 2 * v;
        return 1;
    }
    if (i + 2 == len && t[i] == '/' && (unsigned)(unsigned char)t[i + 1] - '0' <= 9) {
        *two_j = v;
        return 1;
    }
    return -1;
}

/*
 * The same for one whole 9-byte field f[0..8]: 1 with *two_j set, 0 when all
 * nine bytes are blanks, -1 for another form. The token may end in the
 * field's last byte (line 2) or one before it (line 3's couplings sit one
 * column left of the 9-byte grid). Blanks in front are counted with one
 * 8-byte load instead of a loop.
 */
static inline int csfs_j9_fast(const char *f, int32_t *two_j)
{
    const char *t = f;
    size_t n = 9;
    if (f[8] == ' ') n = 8; /* token one column left, or a blank field */
    if (f[n - 1] == ' ') {  /* then f[8] is a blank too: blank field or another form */
        uint64_t w;
        memcpy(&w, f, 8);
        return w == 0x2020202020202020ull ? 0 : -1;
    }
    if (n == 9) {
        if (f[0] != ' ') return -1;
        t = f + 1, n = 8;
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && defined(__GNUC__)
    uint64_t w;
    memcpy(&w, t, 8); /* byte k of w is t[k]; t[7] is not a blank, so x != 0 */
    uint64_t x = w ^ 0x2020202020202020ull;
    size_t lead = (size_t)__builtin_ctzll(x) / 8;
#else
    size_t lead = 0;
    while (t[lead] == ' ') lead++;
#endif
    return csfs_j_token_fast(t + lead, n - lead, two_j);
}

/* A byte range inside one of the three lines. */
typedef struct csfs_slice {
    const char *p;
    size_t len;
} csfs_slice;

typedef struct csfs_csf_lines {
    const char *l1, *l2, *l3;
    size_t w;            /* line 1 without trailing white space */
    size_t m;            /* line 2 without trailing white space */
    size_t r;            /* line 3 without trailing white space */
    size_t nf;           /* 9-byte fields of line 1 (the last may be short) */
    csfs_slice coupling; /* line 3 without its 4-column shift and final J */
    csfs_slice final_j;  /* the total J text before the parity character */
} csfs_csf_lines;

/* One 9-byte field: bytes that exist in each line (padding is implicit). */
typedef struct csfs_field {
    csfs_slice l1;    /* line-1 field, up to 9 bytes */
    csfs_slice state; /* line-2 bytes under it (0..9) */
    csfs_slice cpl;   /* coupling-line bytes under it (0..9) */
} csfs_field;

static inline void csfs_csf_lines_init(csfs_csf_lines *c, const char *l1, size_t n1, const char *l2,
                                       size_t n2, const char *l3, size_t n3)
{
    c->l1 = l1;
    c->l2 = l2;
    c->l3 = l3;
    c->w = csfs_rtrim_len(l1, n1);
    c->m = csfs_rtrim_len(l2, n2);
    c->r = csfs_rtrim_len(l3, n3);
    c->nf = (c->w + 8) / 9;
    size_t r = c->r;
    c->coupling.p = r >= 9 ? l3 + 4 : l3;
    c->coupling.len = r >= 9 ? r - 9 : r;
    c->final_j.p = r >= 5 ? l3 + r - 5 : l3;
    c->final_j.len = r >= 5 ? 4 : (r >= 1 ? r - 1 : 0);
}

/*
 * The total J of a CSF: the 4 bytes before line 3's last non-blank byte,
 * GRASP's right-aligned form by the fast path, anything else by the general
 * rule. 0 with *two_j set, or -1.
 */
static inline int csfs_total_2j(const csfs_csf_lines *c, int32_t *two_j)
{
    const char *p = c->final_j.p;
    size_t n = c->final_j.len;
    while (n && *p == ' ') p++, n--;
    if (n && csfs_j_token_fast(p, n, two_j) == 1) return 0;
    return csfs_j_to_2j(c->final_j.p, c->final_j.len, two_j);
}

/* The parity of a CSF: line 3's last non-blank byte, +1 for '+', -1 for '-',
 * 0 for anything else. */
static inline int csfs_total_parity(const csfs_csf_lines *c)
{
    char p = c->r ? c->l3[c->r - 1] : ' ';
    return p == '+' ? 1 : p == '-' ? -1 : 0;
}

/* Total 2J (>= 0) and parity (+1/-1) of a CSF from its line 3 alone, by the
 * descriptors' rule: what split and the mixing list read. 0, or -1. */
static inline int csfs_line3_jp(const char *l3, size_t n3, int32_t *two_j, int *parity)
{
    csfs_csf_lines c;
    csfs_csf_lines_init(&c, "", 0, "", 0, l3, n3);
    *parity = csfs_total_parity(&c);
    return *parity && csfs_total_2j(&c, two_j) == 0 && *two_j >= 0 ? 0 : -1;
}

static inline csfs_slice csfs_sub(const char *p, size_t len, size_t at)
{
    csfs_slice s = {p, 0};
    if (len > at) {
        s.p = p + at;
        s.len = len - at < 9 ? len - at : 9;
    }
    return s;
}

static inline void csfs_field_at(const csfs_csf_lines *c, size_t b, csfs_field *f)
{
    f->l1 = csfs_sub(c->l1, c->w, 9 * b);
    f->state = csfs_sub(c->l2, c->m, 9 * b);
    f->cpl = csfs_sub(c->coupling.p, c->coupling.len, 9 * b);
}

#endif
