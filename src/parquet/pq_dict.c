#include "parquet/pq_dict.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

#define GOLDEN32 0x9E3779B1u
#define GOLDEN64 0x9E3779B97F4A7C15ull

static int oom(csfs_error *err)
{
    return csfs_fail(err, CSFS_E_NOMEM, "parquet writer: out of memory");
}

static bool grow_array(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return true;
    size_t n = *cap ? *cap : 1024;
    while (n < need) n *= 2;
    void *q = realloc(*p, n * elem);
    if (!q) return false;
    *p = q;
    *cap = n;
    return true;
}

static bool alloc_slots(pq_dict *d, size_t n)
{
    if (n > d->slots_cap) {
        uint32_t *s = realloc(d->slots, n * sizeof *s);
        if (!s) return false;
        d->slots = s;
        d->slots_cap = n;
    }
    memset(d->slots, 0, n * sizeof *d->slots);
    d->nslots = n;
    return true;
}

static int log2_exact(size_t n)
{
    int b = 0;
    while ((size_t)1 << b < n) b++;
    return b;
}

static size_t slot_of(uint64_t hash, int bits)
{
    return (size_t)(hash >> (64 - bits));
}

static uint64_t hash_key(uint64_t key)
{
    return key * GOLDEN64;
}

/* A word-at-a-time multiplicative hash: keys here are short labels, not
 * adversarial input, so speed matters more than strength. */
static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = GOLDEN64 ^ n;
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 32;
        p += 8;
        n -= 8;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0xC4CEB9FE1A85EC53ull;
    return h ^ (h >> 29);
}

/* Doubles the table when half full and re-inserts every entry. */
static bool rehash(pq_dict *d)
{
    size_t n = d->nslots * 2;
    if (!alloc_slots(d, n)) return false;
    int bits = log2_exact(n);
    size_t mask = n - 1;
    for (size_t e = 0; e < d->nkeys; e++) {
        uint64_t h = d->value_width ? hash_key(d->keys[e]) : d->hashes[e];
        size_t s = slot_of(h, bits);
        while (d->slots[s]) s = (s + 1) & mask;
        d->slots[s] = (uint32_t)(e + 1);
    }
    return true;
}

static inline uint64_t load_key(const uint8_t *p, size_t width)
{
    if (width == 4) {
        uint32_t k;
        memcpy(&k, p, 4);
        return k;
    }
    uint64_t k;
    memcpy(&k, p, 8);
    return k;
}

/* Finds or adds a fixed-width key. Returns 1 with *e set, 0 when the
 * dictionary would exceed max_entries, -1 out of memory. */
static inline int lookup_key(pq_dict *d, uint64_t key, size_t max_entries, uint32_t *e)
{
    int bits = log2_exact(d->nslots);
    size_t mask = d->nslots - 1;
    size_t s = slot_of(hash_key(key), bits);
    for (;;) {
        uint32_t slot = d->slots[s];
        if (slot == 0) break;
        if (d->keys[slot - 1] == key) {
            *e = slot - 1;
            return 1;
        }
        s = (s + 1) & mask;
    }
    if (d->nkeys == max_entries) return 0;
    *e = (uint32_t)d->nkeys;
    d->keys[d->nkeys++] = key;
    d->slots[s] = *e + 1;
    if (d->nkeys * 2 > d->nslots && !rehash(d)) return -1;
    return 1;
}

/* End of the run of `key` starting before `end` in dense values: eight at a
 * time with one branch, since runs are often hundreds of values long. */
static size_t run_end4(const uint8_t *base, size_t end, size_t rows, uint32_t key)
{
    while (end + 8 <= rows) {
        uint32_t w[8], diff = 0;
        memcpy(w, base + end * 4, sizeof w);
        for (int k = 0; k < 8; k++) diff |= w[k] ^ key;
        if (diff) break;
        end += 8;
    }
    while (end < rows && load_key(base + end * 4, 4) == key) end++;
    return end;
}

static size_t run_end8(const uint8_t *base, size_t end, size_t rows, uint64_t key)
{
    while (end + 4 <= rows) {
        uint64_t w[4], diff = 0;
        memcpy(w, base + end * 8, sizeof w);
        for (int k = 0; k < 4; k++) diff |= w[k] ^ key;
        if (diff) break;
        end += 4;
    }
    while (end < rows && load_key(base + end * 8, 8) == key) end++;
    return end;
}

/*
 * Fixed-width values, keyed by their bit pattern (width 4 or 8; the callers
 * pass a constant so each gets its own specialised copy). Descriptor columns
 * are mostly long runs: one lookup per run, then a tight scan for its end.
 * Returns 1 built, 0 over the limit, -1 out of memory.
 */
static inline int build_fixed(pq_dict *d, const pq_column_values *v, size_t max_entries,
                              size_t width)
{
    size_t step = (v->stride > 1 ? v->stride : 1) * width;
    const uint8_t *base = v->values;
    const uint8_t *defined = v->defined;
    size_t rows = v->rows;
    uint32_t *idx = d->idx;
    size_t n = 0;
    uint32_t e = 0;
    if (!defined && step == width) {
        for (size_t r = 0; r < rows;) {
            uint64_t key = load_key(base + r * width, width);
            int rc = lookup_key(d, key, max_entries, &e);
            if (rc <= 0) return rc;
            size_t end = width == 4 ? run_end4(base, r + 1, rows, (uint32_t)key)
                                    : run_end8(base, r + 1, rows, key);
            for (; r < end; r++) idx[n++] = e;
        }
    } else if (!defined) {
        for (size_t r = 0; r < rows;) {
            uint64_t key = load_key(base + r * step, width);
            int rc = lookup_key(d, key, max_entries, &e);
            if (rc <= 0) return rc;
            size_t end = r + 1;
            while (end < rows && load_key(base + end * step, width) == key) end++;
            for (; r < end; r++) idx[n++] = e;
        }
    } else {
        uint64_t prev = 0;
        bool have_prev = false;
        for (size_t r = 0; r < rows; r++) {
            if (!defined[r]) continue;
            uint64_t key = load_key(base + r * step, width);
            if (!have_prev || key != prev) {
                int rc = lookup_key(d, key, max_entries, &e);
                if (rc <= 0) return rc;
                prev = key;
                have_prev = true;
            }
            idx[n++] = e;
        }
    }
    d->nidx = n;
    return 1;
}

static int build_fixed4(pq_dict *d, const pq_column_values *v, size_t max_entries)
{
    return build_fixed(d, v, max_entries, 4);
}

static int build_fixed8(pq_dict *d, const pq_column_values *v, size_t max_entries)
{
    return build_fixed(d, v, max_entries, 8);
}

static int build_bytes(pq_dict *d, const pq_column_values *v, size_t limit_bytes)
{
    const uint64_t *off = v->offsets;
    const uint8_t *data = v->data;
    size_t n = 0;
    int bits = log2_exact(d->nslots);
    size_t mask = d->nslots - 1;
    uint32_t prev_idx = UINT32_MAX;
    const uint8_t *prev = NULL;
    size_t prev_len = 0;
    for (size_t r = 0; r < v->rows; r++) {
        if (v->defined && !v->defined[r]) continue;
        const uint8_t *p = data + off[r];
        size_t len = (size_t)(off[r + 1] - off[r]);
        if (prev && len == prev_len && memcmp(p, prev, len) == 0) {
            d->idx[n++] = prev_idx;
            continue;
        }
        uint64_t h = hash_bytes(p, len);
        size_t s = slot_of(h, bits);
        uint32_t e;
        for (;;) {
            uint32_t slot = d->slots[s];
            if (slot == 0) {
                if (len > limit_bytes || d->page_bytes + 4 + len > limit_bytes) return 0;
                if (!grow_array((void **)&d->keys, &d->keys_cap, d->nkeys + 1, sizeof *d->keys) ||
                    !grow_array((void **)&d->hashes, &d->hashes_cap, d->nkeys + 1,
                                sizeof *d->hashes))
                    return -1;
                e = (uint32_t)d->nkeys;
                d->keys[d->nkeys] = r;
                d->hashes[d->nkeys] = h;
                d->nkeys++;
                d->page_bytes += 4 + len;
                d->slots[s] = e + 1;
                if (d->nkeys * 2 > d->nslots) {
                    if (!rehash(d)) return -1;
                    bits = log2_exact(d->nslots);
                    mask = d->nslots - 1;
                }
                break;
            }
            size_t elen;
            const uint8_t *ep = pq_dict_bytes(d, v, slot - 1, &elen);
            if (d->hashes[slot - 1] == h && elen == len && memcmp(ep, p, len) == 0) {
                e = slot - 1;
                break;
            }
            s = (s + 1) & mask;
        }
        d->idx[n++] = e;
        prev = p;
        prev_len = len;
        prev_idx = e;
    }
    d->nidx = n;
    return 1;
}

int pq_dict_build(pq_dict *d, pq_type type, const pq_column_values *v, size_t limit_bytes,
                  csfs_error *err)
{
    d->nkeys = d->nidx = d->page_bytes = 0;
    switch (type) {
    case PQ_INT32:
    case PQ_FLOAT:
        d->value_width = 4;
        break;
    case PQ_INT64:
    case PQ_DOUBLE:
        d->value_width = 8;
        break;
    case PQ_BYTE_ARRAY:
        d->value_width = 0;
        break;
    default:
        return csfs_fail(err, CSFS_E_UNSUPPORTED, "parquet writer: no dictionary for type %d",
                         (int)type);
    }
    if (v->rows > UINT32_MAX) return 0; /* indices are 32-bit: such chunks stay PLAIN */
    if (!grow_array((void **)&d->idx, &d->idx_cap, v->rows ? v->rows : 1, sizeof *d->idx) ||
        !alloc_slots(d, 1024))
        return oom(err);
    int rc;
    if (d->value_width) {
        size_t max_entries = limit_bytes / (size_t)d->value_width;
        /* Fixed width: the key array can be sized up front, once. */
        size_t cap = max_entries < v->rows ? max_entries : v->rows;
        if (!grow_array((void **)&d->keys, &d->keys_cap, cap ? cap : 1, sizeof *d->keys))
            return oom(err);
        rc =
            d->value_width == 4 ? build_fixed4(d, v, max_entries) : build_fixed8(d, v, max_entries);
        d->page_bytes = d->nkeys * (size_t)d->value_width;
    } else {
        rc = build_bytes(d, v, limit_bytes);
    }
    if (rc < 0) return oom(err);
    return rc;
}

void pq_dict_write_plain(const pq_dict *d, const pq_column_values *v, pq_wbuf *out)
{
    if (!pq_wbuf_reserve(out, d->page_bytes)) return;
    uint8_t *p = out->data + out->size;
    for (size_t e = 0; e < d->nkeys; e++) {
        if (d->value_width == 4) {
            uint32_t k = (uint32_t)d->keys[e];
            memcpy(p, &k, 4);
            p += 4;
        } else if (d->value_width == 8) {
            memcpy(p, &d->keys[e], 8);
            p += 8;
        } else {
            size_t len;
            const uint8_t *b = pq_dict_bytes(d, v, e, &len);
            uint32_t l32 = (uint32_t)len;
            memcpy(p, &l32, 4);
            memcpy(p + 4, b, len);
            p += 4 + len;
        }
    }
    out->size = (size_t)(p - out->data);
}

void pq_dict_free(pq_dict *d)
{
    free(d->slots);
    free(d->keys);
    free(d->hashes);
    free(d->idx);
    memset(d, 0, sizeof *d);
}
