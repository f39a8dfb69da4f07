/* Key-value metadata being built for a Parquet footer: values are appended
 * to one buffer; csfs_kv_finish turns them into pointers once it stops
 * moving. Shared by every job that writes metadata. */
#ifndef CSFS_KV_LIST_H
#define CSFS_KV_LIST_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "csfs.h"

#define CSFS_KV_MAX 32

typedef struct csfs_kv_list {
    size_t n;
    const char *keys[CSFS_KV_MAX];
    const char *values[CSFS_KV_MAX]; /* valid after csfs_kv_finish */
    size_t offsets[CSFS_KV_MAX];     /* of each value in storage */
    csfs_buf storage;
} csfs_kv_list;

/* A value built piece by piece: begin, append to kv->storage, end. */
int csfs_kv_begin(csfs_kv_list *kv, const char *key, csfs_error *err);
int csfs_kv_end(csfs_kv_list *kv, csfs_error *err);

int csfs_kv_text(csfs_kv_list *kv, const char *key, const char *value, csfs_error *err);
int csfs_kv_u64(csfs_kv_list *kv, const char *key, uint64_t value, csfs_error *err);
/* A JSON array of strings (lens NULL: NUL-terminated items). */
int csfs_kv_json_strings(csfs_kv_list *kv, const char *key, const char *const *items,
                         const size_t *lens, size_t n, csfs_error *err);
/* A JSON array of integers. */
int csfs_kv_json_u64s(csfs_kv_list *kv, const char *key, const uint64_t *values, size_t n,
                      csfs_error *err);

/* Points values[] into storage; call after the last value. */
void csfs_kv_finish(csfs_kv_list *kv);
void csfs_kv_list_free(csfs_kv_list *kv);

#endif
