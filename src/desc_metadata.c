/*
 * Key-value metadata of descriptor files: enough to tell which CSF list a
 * matrix belongs to (source name and size, header lines, counts) and how to
 * read it (layout, peel order, normalisation).
 */
#include <string.h>

#include "error.h"
#include "desc_metadata.h"
#include "peel.h"

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Each value is appended to storage, NUL-terminated; offsets are turned into
 * pointers once storage stops moving. */
typedef struct kv_builder {
    csfs_kv_list *kv;
    size_t offsets[16];
} kv_builder;

static int begin_value(kv_builder *b, const char *key, csfs_error *err)
{
    csfs_kv_list *kv = b->kv;
    if (kv->n == 16) return csfs_fail(err, CSFS_E_ARGUMENT, "too many metadata keys");
    kv->keys[kv->n] = key;
    b->offsets[kv->n] = kv->storage.len;
    kv->n++;
    return 0;
}

static int end_value(kv_builder *b, csfs_error *err)
{
    return csfs_buf_append(&b->kv->storage, "", 1, err); /* the NUL */
}

static int add_text(kv_builder *b, const char *key, const char *value, csfs_error *err)
{
    int rc = begin_value(b, key, err);
    if (rc == 0) rc = csfs_buf_append(&b->kv->storage, value, strlen(value), err);
    return rc ? rc : end_value(b, err);
}

static int add_u64(kv_builder *b, const char *key, uint64_t value, csfs_error *err)
{
    int rc = begin_value(b, key, err);
    if (rc == 0) rc = csfs_buf_printf(&b->kv->storage, err, "%llu", (unsigned long long)value);
    return rc ? rc : end_value(b, err);
}

int csfs_descriptor_metadata(const csfs_run_info *info, csfs_kv_list *kv, csfs_error *err)
{
    memset(kv, 0, sizeof *kv);
    kv_builder b = {.kv = kv};
    csfs_buf *s = &kv->storage;
    int rc = add_text(&b, "csfs.version", CSFS_VERSION_STRING, err);
    if (rc == 0) rc = add_text(&b, "csfs.layout", info->layout == CSFS_LAYOUT_V1 ? "v1" : "v2", err);
    if (rc == 0) rc = add_text(&b, "csfs.normalized", info->normalize ? "true" : "false", err);
    if (rc == 0) rc = begin_value(&b, "csfs.peel_subshells", err);
    if (rc == 0) rc = csfs_buf_append(s, "[", 1, err);
    for (size_t i = 0; rc == 0 && i < info->peel->count; i++) {
        if (i) rc = csfs_buf_append(s, ",", 1, err);
        if (rc == 0)
            rc = csfs_buf_json_string(s, info->peel->names[i], strlen(info->peel->names[i]), err);
    }
    if (rc == 0) rc = csfs_buf_append(s, "]", 1, err);
    if (rc == 0) rc = end_value(&b, err);
    if (rc == 0) rc = add_text(&b, "csfs.source_file", basename_of(info->source_path), err);
    if (rc == 0) rc = begin_value(&b, "csfs.source_size", err);
    if (rc == 0)
        rc = info->source_size >= 0
                 ? csfs_buf_printf(s, err, "%lld", (long long)info->source_size)
                 : csfs_buf_append(s, "unknown", 7, err);
    if (rc == 0) rc = end_value(&b, err);
    if (rc == 0) rc = add_text(&b, "csfs.source_compression", info->source_compression, err);
    if (rc == 0) rc = add_u64(&b, "csfs.csf_count", info->csf_count, err);
    if (rc == 0) rc = add_u64(&b, "csfs.failed_count", info->failed_count, err);
    if (rc == 0) rc = add_u64(&b, "csfs.block_count", info->n_blocks, err);
    if (rc == 0) rc = begin_value(&b, "csfs.block_lengths", err);
    if (rc == 0) rc = csfs_buf_append(s, "[", 1, err);
    for (size_t i = 0; rc == 0 && i < info->n_blocks; i++)
        rc = csfs_buf_printf(s, err, i ? ",%llu" : "%llu",
                             (unsigned long long)info->block_lengths[i]);
    if (rc == 0) rc = csfs_buf_append(s, "]", 1, err);
    if (rc == 0) rc = end_value(&b, err);
    if (rc == 0 && info->header) {
        rc = begin_value(&b, "csfs.header_lines", err);
        if (rc == 0) rc = csfs_buf_append(s, "[", 1, err);
        for (int i = 0; rc == 0 && i < CSFS_HEADER_LINES; i++) {
            if (i) rc = csfs_buf_append(s, ",", 1, err);
            if (rc == 0)
                rc = csfs_buf_json_string(s, info->header->lines[i], info->header->lens[i], err);
        }
        if (rc == 0) rc = csfs_buf_append(s, "]", 1, err);
        if (rc == 0) rc = end_value(&b, err);
    }
    if (rc) {
        csfs_kv_list_free(kv);
        return rc;
    }
    for (size_t i = 0; i < kv->n; i++) kv->values[i] = s->data + b.offsets[i];
    return 0;
}

void csfs_kv_list_free(csfs_kv_list *kv)
{
    csfs_buf_free(&kv->storage);
    kv->n = 0;
}
