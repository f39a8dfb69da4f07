/*
 * Thrift compact protocol decoder, as Parquet uses it for the footer and the
 * page headers.
 *
 * The input is untrusted: every read is checked against the end of the
 * buffer, nesting is bounded (PQ_TR_MAX_DEPTH) and list/map sizes are bounded
 * by the bytes left, so a caller may size an array by a list count. Errors are
 * sticky: after the first one every read returns 0 and pq_tr_failed() is true,
 * so parsing code can read a whole struct and check once.
 */
#ifndef CSFS_THRIFT_READ_H
#define CSFS_THRIFT_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Wire types of the compact protocol. */
enum {
    PQ_TR_STOP = 0,
    PQ_TR_TRUE = 1, /* a bool field whose value is true */
    PQ_TR_FALSE = 2,
    PQ_TR_I8 = 3,
    PQ_TR_I16 = 4,
    PQ_TR_I32 = 5,
    PQ_TR_I64 = 6,
    PQ_TR_DOUBLE = 7,
    PQ_TR_BINARY = 8,
    PQ_TR_LIST = 9,
    PQ_TR_SET = 10,
    PQ_TR_MAP = 11,
    PQ_TR_STRUCT = 12,
};

/* Deeper than any Parquet structure (FileMetaData nests about 6 levels). */
#define PQ_TR_MAX_DEPTH 32

typedef struct pq_tr {
    const uint8_t *p;
    const uint8_t *end;
    int depth;
    const char *error; /* first failure (static text), NULL while fine */
} pq_tr;

void pq_tr_init(pq_tr *t, const void *data, size_t len);

static inline bool pq_tr_failed(const pq_tr *t)
{
    return t->error != NULL;
}

/* Records a failure (the first one wins) and returns 0. */
int pq_tr_fail(pq_tr *t, const char *why);

/* Bytes consumed since `start`. */
static inline size_t pq_tr_used(const pq_tr *t, const uint8_t *start)
{
    return (size_t)(t->p - start);
}

/* Enter/leave a struct: bounds nesting and resets the field-id delta base. */
void pq_tr_struct_begin(pq_tr *t, int16_t *last_id);
void pq_tr_struct_end(pq_tr *t);

/*
 * Next field of the current struct: returns true with *id and *type set, or
 * false at the stop byte or on error.
 */
bool pq_tr_field(pq_tr *t, int16_t *last_id, int16_t *id, int *type);

/* Values. Each checks the wire type it is given; on a mismatch it skips the
 * value, records nothing and returns false from pq_tr_expect(). */
bool pq_tr_expect(pq_tr *t, int type, int want);
int32_t pq_tr_i32(pq_tr *t);
int64_t pq_tr_i64(pq_tr *t);
int8_t pq_tr_i8(pq_tr *t);
double pq_tr_double(pq_tr *t);
/* A bool field: the value is its wire type (TRUE/FALSE). */
bool pq_tr_bool_field(int type);
/* Length-prefixed bytes; *data points into the input. Returns false on error. */
bool pq_tr_binary(pq_tr *t, const uint8_t **data, size_t *len);

/*
 * List (or set) header: element wire type and count. The count is at most
 * the bytes left (every element takes at least one byte), so it can size an
 * allocation. Returns false on error.
 */
bool pq_tr_list(pq_tr *t, int *elem_type, size_t *count);
/* A bool list element (one byte each). */
bool pq_tr_bool_elem(pq_tr *t);

/* Skips one value of the given wire type (recursively, depth-bounded). */
void pq_tr_skip(pq_tr *t, int type);

/* Low level: unsigned LEB128 and zigzag, also used by the delta decoders. */
uint64_t pq_tr_varint(pq_tr *t);
static inline int64_t pq_tr_unzigzag(uint64_t v)
{
    return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

#endif
