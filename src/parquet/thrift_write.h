/*
 * Thrift compact protocol encoder: just what the Parquet footer and page
 * headers need. Output goes to a pq_wbuf, so allocation failures surface once,
 * through its `failed` flag (also set when structs nest deeper than
 * PQ_TW_MAX_DEPTH).
 *
 * Usage: pq_tw_struct_begin() for a top-level struct or a struct element of
 * a list, pq_tw_field_struct() for a struct-valued field; both are closed by
 * pq_tw_struct_end(). Fields of one struct must be written in increasing id
 * order to get the one-byte delta headers (other orders are still valid).
 */
#ifndef CSFS_THRIFT_WRITE_H
#define CSFS_THRIFT_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parquet/pq_wbuf.h"

/* Compact protocol type nibbles. */
typedef enum pq_tw_type {
    PQ_TW_BOOL_TRUE = 1,
    PQ_TW_BOOL_FALSE = 2,
    PQ_TW_I8 = 3,
    PQ_TW_I16 = 4,
    PQ_TW_I32 = 5,
    PQ_TW_I64 = 6,
    PQ_TW_DOUBLE = 7,
    PQ_TW_BINARY = 8,
    PQ_TW_LIST = 9,
    PQ_TW_SET = 10,
    PQ_TW_MAP = 11,
    PQ_TW_STRUCT = 12,
} pq_tw_type;

#define PQ_TW_MAX_DEPTH 16

typedef struct pq_tw {
    pq_wbuf *out;
    int depth;                     /* open structs */
    int16_t last[PQ_TW_MAX_DEPTH]; /* last field id written in each open struct */
} pq_tw;

void pq_tw_init(pq_tw *t, pq_wbuf *out);

/* Raw values (list elements and building blocks). */
void pq_tw_varint(pq_wbuf *b, uint64_t v);
void pq_tw_i32(pq_tw *t, int32_t v); /* zigzag varint */
void pq_tw_i64(pq_tw *t, int64_t v);
void pq_tw_binary(pq_tw *t, const void *p, size_t n); /* varint length + bytes */

void pq_tw_struct_begin(pq_tw *t);
void pq_tw_struct_end(pq_tw *t); /* writes the stop byte */

/* Header of a list of n elements of type elem (a list element or field value). */
void pq_tw_list_begin(pq_tw *t, pq_tw_type elem, size_t n);

/* Fields of the innermost open struct. */
void pq_tw_field_header(pq_tw *t, int16_t id, pq_tw_type type);
void pq_tw_field_bool(pq_tw *t, int16_t id, bool v);
void pq_tw_field_i8(pq_tw *t, int16_t id, int8_t v);
void pq_tw_field_i16(pq_tw *t, int16_t id, int16_t v);
void pq_tw_field_i32(pq_tw *t, int16_t id, int32_t v);
void pq_tw_field_i64(pq_tw *t, int16_t id, int64_t v);
void pq_tw_field_binary(pq_tw *t, int16_t id, const void *p, size_t n);
void pq_tw_field_string(pq_tw *t, int16_t id, const char *s);
void pq_tw_field_list(pq_tw *t, int16_t id, pq_tw_type elem, size_t n);
void pq_tw_field_struct(pq_tw *t, int16_t id); /* then its fields, then pq_tw_struct_end */

#endif
