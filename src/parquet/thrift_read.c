#include "parquet/thrift_read.h"

#include <string.h>

void pq_tr_init(pq_tr *t, const void *data, size_t len)
{
    t->p = data;
    t->end = t->p + len;
    t->depth = 0;
    t->error = NULL;
}

int pq_tr_fail(pq_tr *t, const char *why)
{
    if (!t->error) t->error = why;
    /* Park the cursor at the end so loops driven by the input stop at once. */
    t->p = t->end;
    return 0;
}

uint64_t pq_tr_varint(pq_tr *t)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (t->p >= t->end) return pq_tr_fail(t, "truncated varint");
        uint8_t b = *t->p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
    }
    return pq_tr_fail(t, "varint longer than 10 bytes");
}

void pq_tr_struct_begin(pq_tr *t, int16_t *last_id)
{
    *last_id = 0;
    if (++t->depth > PQ_TR_MAX_DEPTH) pq_tr_fail(t, "thrift structures nested too deeply");
}

void pq_tr_struct_end(pq_tr *t)
{
    t->depth--;
}

bool pq_tr_field(pq_tr *t, int16_t *last_id, int16_t *id, int *type)
{
    if (t->error) return false;
    if (t->p >= t->end) return pq_tr_fail(t, "truncated struct");
    uint8_t b = *t->p++;
    if (b == PQ_TR_STOP) return false;
    *type = b & 0x0f;
    int delta = b >> 4;
    if (delta) {
        *id = (int16_t)(*last_id + delta);
    } else {
        int64_t v = pq_tr_unzigzag(pq_tr_varint(t));
        if (v < INT16_MIN || v > INT16_MAX) return pq_tr_fail(t, "field id out of range");
        *id = (int16_t)v;
    }
    if (*type > PQ_TR_STRUCT) return pq_tr_fail(t, "unknown thrift wire type");
    *last_id = *id;
    return !t->error;
}

bool pq_tr_expect(pq_tr *t, int type, int want)
{
    if (type == want || (want == PQ_TR_TRUE && type == PQ_TR_FALSE)) return !t->error;
    /* Thrift's rule for a known field id with another type: skip the value. */
    pq_tr_skip(t, type);
    return false;
}

int32_t pq_tr_i32(pq_tr *t)
{
    int64_t v = pq_tr_unzigzag(pq_tr_varint(t));
    if (v < INT32_MIN || v > INT32_MAX) return pq_tr_fail(t, "i32 out of range");
    return (int32_t)v;
}

int64_t pq_tr_i64(pq_tr *t)
{
    return pq_tr_unzigzag(pq_tr_varint(t));
}

int8_t pq_tr_i8(pq_tr *t)
{
    if (t->p >= t->end) return (int8_t)pq_tr_fail(t, "truncated byte");
    return (int8_t)*t->p++;
}

double pq_tr_double(pq_tr *t)
{
    if (t->end - t->p < 8) return pq_tr_fail(t, "truncated double");
    uint64_t bits = 0;
    for (int i = 7; i >= 0; i--) bits = bits << 8 | t->p[i];
    t->p += 8;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

bool pq_tr_bool_field(int type)
{
    return type == PQ_TR_TRUE;
}

bool pq_tr_binary(pq_tr *t, const uint8_t **data, size_t *len)
{
    uint64_t n = pq_tr_varint(t);
    if (t->error) return false;
    if (n > (uint64_t)(t->end - t->p)) return pq_tr_fail(t, "binary longer than its buffer");
    *data = t->p;
    *len = (size_t)n;
    t->p += n;
    return true;
}

bool pq_tr_list(pq_tr *t, int *elem_type, size_t *count)
{
    if (t->p >= t->end) return pq_tr_fail(t, "truncated list header");
    uint8_t b = *t->p++;
    uint64_t n = b >> 4;
    if (n == 15) n = pq_tr_varint(t);
    *elem_type = b & 0x0f;
    if (t->error) return false;
    if (*elem_type == PQ_TR_STOP || *elem_type > PQ_TR_STRUCT)
        return pq_tr_fail(t, "bad list element type");
    if (n > (uint64_t)(t->end - t->p)) return pq_tr_fail(t, "list longer than its buffer");
    *count = (size_t)n;
    return true;
}

bool pq_tr_bool_elem(pq_tr *t)
{
    if (t->p >= t->end) return pq_tr_fail(t, "truncated bool");
    return *t->p++ == 1;
}

static void skip_n(pq_tr *t, size_t n)
{
    if ((size_t)(t->end - t->p) < n) {
        pq_tr_fail(t, "truncated value");
        return;
    }
    t->p += n;
}

/* In a list, a bool takes a byte; as a field, none (the type carries it). */
static void skip_value(pq_tr *t, int type, bool in_container)
{
    if (t->error) return;
    switch (type) {
    case PQ_TR_TRUE:
    case PQ_TR_FALSE:
        if (in_container) skip_n(t, 1);
        break;
    case PQ_TR_I8:
        skip_n(t, 1);
        break;
    case PQ_TR_I16:
    case PQ_TR_I32:
    case PQ_TR_I64:
        pq_tr_varint(t);
        break;
    case PQ_TR_DOUBLE:
        skip_n(t, 8);
        break;
    case PQ_TR_BINARY: {
        const uint8_t *d;
        size_t n;
        pq_tr_binary(t, &d, &n);
        break;
    }
    case PQ_TR_LIST:
    case PQ_TR_SET: {
        int et;
        size_t n;
        if (!pq_tr_list(t, &et, &n)) return;
        if (++t->depth > PQ_TR_MAX_DEPTH) {
            pq_tr_fail(t, "thrift structures nested too deeply");
            return;
        }
        for (size_t i = 0; i < n && !t->error; i++) skip_value(t, et, true);
        t->depth--;
        break;
    }
    case PQ_TR_MAP: {
        uint64_t n = pq_tr_varint(t);
        if (t->error || n == 0) return;
        if (n > (uint64_t)(t->end - t->p)) {
            pq_tr_fail(t, "map longer than its buffer");
            return;
        }
        if (t->p >= t->end) {
            pq_tr_fail(t, "truncated map header");
            return;
        }
        uint8_t kv = *t->p++;
        int kt = kv >> 4, vt = kv & 0x0f;
        if (kt == PQ_TR_STOP || kt > PQ_TR_STRUCT || vt == PQ_TR_STOP || vt > PQ_TR_STRUCT) {
            pq_tr_fail(t, "bad map element type");
            return;
        }
        if (++t->depth > PQ_TR_MAX_DEPTH) {
            pq_tr_fail(t, "thrift structures nested too deeply");
            return;
        }
        for (uint64_t i = 0; i < n && !t->error; i++) {
            skip_value(t, kt, true);
            skip_value(t, vt, true);
        }
        t->depth--;
        break;
    }
    case PQ_TR_STRUCT: {
        int16_t last, id;
        int ft;
        pq_tr_struct_begin(t, &last);
        while (pq_tr_field(t, &last, &id, &ft)) skip_value(t, ft, false);
        pq_tr_struct_end(t);
        break;
    }
    default:
        pq_tr_fail(t, "unknown thrift wire type");
        break;
    }
}

void pq_tr_skip(pq_tr *t, int type)
{
    skip_value(t, type, false);
}
