#include "common/kv_list.h"

#include <string.h>

#include "common/error.h"

int csfs_kv_begin(csfs_kv_list *kv, const char *key, csfs_error *err)
{
    if (kv->n == CSFS_KV_MAX) return csfs_fail(err, CSFS_E_ARGUMENT, "too many metadata keys");
    kv->keys[kv->n] = key;
    kv->offsets[kv->n] = kv->storage.len;
    kv->n++;
    return 0;
}

int csfs_kv_end(csfs_kv_list *kv, csfs_error *err)
{
    return csfs_buf_append(&kv->storage, "", 1, err); /* the NUL */
}

int csfs_kv_text(csfs_kv_list *kv, const char *key, const char *value, csfs_error *err)
{
    int rc = csfs_kv_begin(kv, key, err);
    if (rc == 0) rc = csfs_buf_append(&kv->storage, value, strlen(value), err);
    return rc ? rc : csfs_kv_end(kv, err);
}

int csfs_kv_u64(csfs_kv_list *kv, const char *key, uint64_t value, csfs_error *err)
{
    int rc = csfs_kv_begin(kv, key, err);
    if (rc == 0) rc = csfs_buf_printf(&kv->storage, err, "%llu", (unsigned long long)value);
    return rc ? rc : csfs_kv_end(kv, err);
}

int csfs_kv_json_strings(csfs_kv_list *kv, const char *key, const char *const *items,
                         const size_t *lens, size_t n, csfs_error *err)
{
    csfs_buf *s = &kv->storage;
    int rc = csfs_kv_begin(kv, key, err);
    if (rc == 0) rc = csfs_buf_append(s, "[", 1, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i) rc = csfs_buf_append(s, ",", 1, err);
        if (rc == 0) rc = csfs_buf_json_string(s, items[i], lens ? lens[i] : strlen(items[i]), err);
    }
    if (rc == 0) rc = csfs_buf_append(s, "]", 1, err);
    return rc ? rc : csfs_kv_end(kv, err);
}

int csfs_kv_json_u64s(csfs_kv_list *kv, const char *key, const uint64_t *values, size_t n,
                      csfs_error *err)
{
    csfs_buf *s = &kv->storage;
    int rc = csfs_kv_begin(kv, key, err);
    if (rc == 0) rc = csfs_buf_append(s, "[", 1, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = csfs_buf_printf(s, err, i ? ",%llu" : "%llu", (unsigned long long)values[i]);
    if (rc == 0) rc = csfs_buf_append(s, "]", 1, err);
    return rc ? rc : csfs_kv_end(kv, err);
}

void csfs_kv_finish(csfs_kv_list *kv)
{
    for (size_t i = 0; i < kv->n; i++) kv->values[i] = kv->storage.data + kv->offsets[i];
}

void csfs_kv_list_free(csfs_kv_list *kv)
{
    csfs_buf_free(&kv->storage);
    kv->n = 0;
}
