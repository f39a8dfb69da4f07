#include "grasp/peel.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "grasp/csf_text.h"
#include "common/error.h"

static int is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

csfs_name_key csfs_name_key_of(const char *name, size_t len)
{
    while (len && is_space((unsigned char)name[0])) name++, len--;
    while (len && is_space((unsigned char)name[len - 1])) len--;
    if (len == 0 || len > 5) return 0;
    csfs_name_key k = 0;
    for (size_t i = 0; i < len; i++) k |= (csfs_name_key)(unsigned char)name[i] << (8 * i);
    return k | ((csfs_name_key)len << 40);
}

static int build_map(csfs_peel *p, csfs_error *err)
{
    size_t slots = 16;
    while (slots < 2 * p->count + 2) slots *= 2;
    p->slots = slots;
    p->keys = calloc(slots, sizeof *p->keys);
    p->index = calloc(slots, sizeof *p->index);
    p->raw_keys = calloc(slots, sizeof *p->raw_keys);
    p->raw_index = calloc(slots, sizeof *p->raw_index);
    if (!p->keys || !p->index || !p->raw_keys || !p->raw_index)
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (size_t i = 0; i < p->count; i++) {
        csfs_name_key key = csfs_name_key_of(p->names[i], strlen(p->names[i]));
        if (key == 0) continue; /* can never match a 5-byte field */
        size_t h = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 40) & (slots - 1);
        while (p->keys[h] != 0 && p->keys[h] != key) h = (h + 1) & (slots - 1);
        p->keys[h] = key;
        p->index[h] = (uint32_t)i; /* a repeated name: the last index wins (rCSFs) */
        /* GRASP's field: the name, a space unless it ends in '-', right-aligned. */
        size_t len = (size_t)(key >> 40);
        const char *name = (const char *)&key;
        char field[5];
        size_t shown = len + (name[len - 1] != '-');
        if (shown > 5) continue;
        memset(field, ' ', 5);
        memcpy(field + 5 - shown, name, len);
        uint64_t raw = 0;
        for (int b = 0; b < 5; b++) raw |= (uint64_t)(unsigned char)field[b] << (8 * b);
        h = (size_t)((raw * 0x9E3779B97F4A7C15ull) >> 40) & (slots - 1);
        while (p->raw_keys[h] != 0 && p->raw_keys[h] != raw) h = (h + 1) & (slots - 1);
        p->raw_keys[h] = raw;
        p->raw_index[h] = (uint32_t)i;
    }
    return 0;
}

/* A name that could never match a subshell field (empty, white space, a
 * comma or a control character inside) is surely a mistake. */
static int check_name(const char *name, csfs_error *err)
{
    int ok = name[0] != '\0';
    for (const unsigned char *p = (const unsigned char *)name; ok && *p; p++)
        if (*p < 0x20 || *p == ' ' || *p == ',' || *p == 0x7f) ok = 0;
    if (ok) return 0;
    return csfs_fail(err, CSFS_E_ARGUMENT,
                     "peel name '%s' is not a subshell name (empty, or has white space, a comma "
                     "or a control character)",
                     name);
}

/* The list from n names (may be 0: a header line can name none). */
static int peel_build(const char *const *names, size_t n, csfs_peel **out, csfs_error *err)
{
    *out = NULL;
    if (n > UINT32_MAX / 4) return csfs_fail(err, CSFS_E_ARGUMENT, "peel list too long");
    for (size_t i = 0; i < n; i++) {
        int rc = check_name(names[i], err);
        if (rc) return rc;
    }
    csfs_peel *p = calloc(1, sizeof *p);
    if (!p) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    p->names = calloc(n ? n : 1, sizeof *p->names);
    if (!p->names) {
        free(p);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(names[i]);
        p->names[i] = malloc(len + 1);
        if (!p->names[i]) {
            p->count = i;
            csfs_peel_free(p);
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        }
        memcpy(p->names[i], names[i], len + 1);
    }
    p->count = n;
    int rc = build_map(p, err);
    if (rc) {
        csfs_peel_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

/* Splits text at bytes for which is_sep() holds and keeps tokens accepted by keep(). */
static int split_tokens(const char *text, size_t len, int (*is_sep)(unsigned char),
                        int (*keep)(const char *, size_t), csfs_peel **out, csfs_error *err)
{
    size_t cap = 16, n = 0;
    char **names = malloc(cap * sizeof *names);
    if (!names) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    int rc = 0;
    size_t i = 0;
    while (i < len) {
        while (i < len && is_sep((unsigned char)text[i])) i++;
        size_t start = i;
        while (i < len && !is_sep((unsigned char)text[i])) i++;
        if (i == start || !keep(text + start, i - start)) continue;
        if (n == cap) {
            char **grown = realloc(names, (cap *= 2) * sizeof *names);
            if (!grown) {
                rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
                break;
            }
            names = grown;
        }
        names[n] = malloc(i - start + 1);
        if (!names[n]) {
            rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
            break;
        }
        memcpy(names[n], text + start, i - start);
        names[n][i - start] = '\0';
        n++;
    }
    if (rc == 0) rc = peel_build((const char *const *)names, n, out, err);
    for (size_t k = 0; k < n; k++) free(names[k]);
    free(names);
    return rc;
}

static int sep_space(unsigned char c)
{
    return is_space(c);
}

static int sep_list(unsigned char c)
{
    return is_space(c) || c == ',';
}

static int keep_any(const char *t, size_t n)
{
    return n > 0;
}

/* rCSFs parse_peel_subshells_from_header_lines: a letter, and only [A-Za-z0-9+_-]. */
static int keep_subshell_token(const char *t, size_t n)
{
    int letter = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)t[i];
        if (isalpha(c))
            letter = 1;
        else if (!isdigit(c) && c != '+' && c != '-' && c != '_')
            return 0;
    }
    return letter;
}

static int need_names(size_t n, csfs_error *err)
{
    return n ? 0 : csfs_fail(err, CSFS_E_ARGUMENT, "the peel list names no subshell");
}

int csfs_peel_from_names(const char *const *names, size_t n, csfs_peel **out, csfs_error *err)
{
    *out = NULL;
    int rc = need_names(n, err);
    return rc ? rc : peel_build(names, n, out, err);
}

int csfs_peel_parse(const char *text, csfs_peel **out, csfs_error *err)
{
    int rc = split_tokens(text, strlen(text), sep_list, keep_any, out, err);
    if (rc == 0 && (rc = need_names((*out)->count, err)) != 0) {
        csfs_peel_free(*out);
        *out = NULL;
    }
    return rc;
}

int csfs_peel_from_header_line(const char *line, size_t len, csfs_peel **out, csfs_error *err)
{
    return split_tokens(line, len, sep_space, keep_subshell_token, out, err);
}

size_t csfs_peel_count(const csfs_peel *peel)
{
    return peel->count;
}

const char *csfs_peel_name(const csfs_peel *peel, size_t i)
{
    return i < peel->count ? peel->names[i] : NULL;
}

void csfs_peel_free(csfs_peel *peel)
{
    if (!peel) return;
    for (size_t i = 0; i < peel->count; i++) free(peel->names[i]);
    free(peel->names);
    free(peel->keys);
    free(peel->index);
    free(peel->raw_keys);
    free(peel->raw_index);
    free(peel);
}
