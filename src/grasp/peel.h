/*
 * Peel subshell lists and the name -> descriptor index map the parser uses.
 */
#ifndef CSFS_PEEL_H
#define CSFS_PEEL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "csfs.h"

/*
 * A subshell name as it can appear in a 5-byte field of line 1: at most 5
 * bytes, packed into an integer (bytes in the low 40 bits, length above) so
 * that a lookup is one hash probe and one integer compare.
 */
typedef uint64_t csfs_name_key;

struct csfs_peel {
    size_t count;
    char **names;
    /* Open-addressing map of name keys -> last index with that name. */
    size_t slots;        /* power of two */
    csfs_name_key *keys; /* 0 = empty slot */
    uint32_t *index;
    /* The same map keyed by the 5 raw bytes GRASP prints for each name
     * ("  4d-", "  4d "): one load and no trimming for canonical fields. */
    uint64_t *raw_keys; /* 0 = empty slot */
    uint32_t *raw_index;
};

/* Key of name[0..len) after trimming ASCII white space; 0 if it cannot be a
 * field name (empty or longer than 5 bytes). */
csfs_name_key csfs_name_key_of(const char *name, size_t len);

/* Peel index for a key, or -1 when the name is not in the list. */
static inline int32_t csfs_peel_lookup(const csfs_peel *peel, csfs_name_key key)
{
    if (key == 0) return -1;
    size_t mask = peel->slots - 1;
    size_t h = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 40) & mask;
    for (;;) {
        csfs_name_key k = peel->keys[h];
        if (k == key) return (int32_t)peel->index[h];
        if (k == 0) return -1;
        h = (h + 1) & mask;
    }
}

/* Peel index of a line-1 field's 5 name bytes, or -1. */
static inline int32_t csfs_peel_lookup_field(const csfs_peel *peel, const char *field5)
{
    uint64_t raw = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t lo; /* the same little-endian key as the loop below, in two loads */
    memcpy(&lo, field5, 4);
    raw = lo | (uint64_t)(unsigned char)field5[4] << 32;
#else
    for (int i = 0; i < 5; i++) raw |= (uint64_t)(unsigned char)field5[i] << (8 * i);
#endif
    size_t mask = peel->slots - 1;
    size_t h = (size_t)((raw * 0x9E3779B97F4A7C15ull) >> 40) & mask;
    for (;;) {
        uint64_t k = peel->raw_keys[h];
        if (k == raw) return (int32_t)peel->raw_index[h];
        if (k == 0) break;
        h = (h + 1) & mask;
    }
    return csfs_peel_lookup(peel, csfs_name_key_of(field5, 5));
}

/*
 * The peel tokens of a header line (rCSFs rule): split on white space and
 * keep tokens that contain a letter and only letters, digits, '+', '-', '_'.
 */
int csfs_peel_from_header_line(const char *line, size_t len, csfs_peel **out, csfs_error *err);

#endif
