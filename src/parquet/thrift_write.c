#include "parquet/thrift_write.h"

#include <string.h>

void pq_tw_init(pq_tw *t, pq_wbuf *out)
{
    t->out = out;
    t->depth = 0;
}

void pq_tw_varint(pq_wbuf *b, uint64_t v)
{
    if (!pq_wbuf_reserve(b, 10)) return;
    uint8_t *p = b->data + b->size;
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    b->size += n;
}

/* Shifts are done on unsigned values: left-shifting a negative is undefined. */
static uint64_t zigzag64(int64_t v)
{
    return ((uint64_t)v << 1) ^ (uint64_t)(v < 0 ? -1 : 0);
}

static uint32_t zigzag32(int32_t v)
{
    return ((uint32_t)v << 1) ^ (uint32_t)(v < 0 ? -1 : 0);
}

void pq_tw_i32(pq_tw *t, int32_t v)
{
    pq_tw_varint(t->out, zigzag32(v));
}

void pq_tw_i64(pq_tw *t, int64_t v)
{
    pq_tw_varint(t->out, zigzag64(v));
}

void pq_tw_binary(pq_tw *t, const void *p, size_t n)
{
    pq_tw_varint(t->out, n);
    pq_wbuf_append(t->out, p, n);
}

void pq_tw_struct_begin(pq_tw *t)
{
    if (t->depth >= PQ_TW_MAX_DEPTH) {
        t->out->failed = true;
        return;
    }
    t->last[t->depth++] = 0;
}

void pq_tw_struct_end(pq_tw *t)
{
    pq_wbuf_byte(t->out, 0);
    if (t->depth > 0) t->depth--;
}

void pq_tw_list_begin(pq_tw *t, pq_tw_type elem, size_t n)
{
    if (n < 15) {
        pq_wbuf_byte(t->out, (uint8_t)(n << 4 | elem));
    } else {
        pq_wbuf_byte(t->out, (uint8_t)(0xF0 | elem));
        pq_tw_varint(t->out, n);
    }
}

void pq_tw_field_header(pq_tw *t, int16_t id, pq_tw_type type)
{
    if (t->depth == 0) {
        t->out->failed = true; /* a field outside any struct is a caller bug */
        return;
    }
    int16_t *last = &t->last[t->depth - 1];
    int delta = id - *last;
    if (delta > 0 && delta <= 15) {
        pq_wbuf_byte(t->out, (uint8_t)(delta << 4 | type));
    } else {
        pq_wbuf_byte(t->out, (uint8_t)type);
        pq_tw_varint(t->out, zigzag32(id));
    }
    *last = id;
}

/* Compact booleans live in the field header's type nibble: no value byte. */
void pq_tw_field_bool(pq_tw *t, int16_t id, bool v)
{
    pq_tw_field_header(t, id, v ? PQ_TW_BOOL_TRUE : PQ_TW_BOOL_FALSE);
}

void pq_tw_field_i8(pq_tw *t, int16_t id, int8_t v)
{
    pq_tw_field_header(t, id, PQ_TW_I8);
    pq_wbuf_byte(t->out, (uint8_t)v);
}

void pq_tw_field_i16(pq_tw *t, int16_t id, int16_t v)
{
    pq_tw_field_header(t, id, PQ_TW_I16);
    pq_tw_varint(t->out, zigzag32(v));
}

void pq_tw_field_i32(pq_tw *t, int16_t id, int32_t v)
{
    pq_tw_field_header(t, id, PQ_TW_I32);
    pq_tw_i32(t, v);
}

void pq_tw_field_i64(pq_tw *t, int16_t id, int64_t v)
{
    pq_tw_field_header(t, id, PQ_TW_I64);
    pq_tw_i64(t, v);
}

void pq_tw_field_binary(pq_tw *t, int16_t id, const void *p, size_t n)
{
    pq_tw_field_header(t, id, PQ_TW_BINARY);
    pq_tw_binary(t, p, n);
}

void pq_tw_field_string(pq_tw *t, int16_t id, const char *s)
{
    pq_tw_field_binary(t, id, s, strlen(s));
}

void pq_tw_field_list(pq_tw *t, int16_t id, pq_tw_type elem, size_t n)
{
    pq_tw_field_header(t, id, PQ_TW_LIST);
    pq_tw_list_begin(t, elem, n);
}

void pq_tw_field_struct(pq_tw *t, int16_t id)
{
    pq_tw_field_header(t, id, PQ_TW_STRUCT);
    pq_tw_struct_begin(t);
}
