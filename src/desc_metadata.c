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
    size_t offsets[32];
} kv_builder;

static int begin_value(kv_builder *b, const char *key, csfs_error *err)
{
    csfs_kv_list *kv = b->kv;
    if (kv->n == 32) return csfs_fail(err, CSFS_E_ARGUMENT, "too many metadata keys");
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

/* JSON array of strings as rCSFs 1.3 writes it: no spaces, only '"' and '\\'
 * escaped. */
static int rcsfs_json_array(csfs_buf *s, const char *const *items, size_t n, csfs_error *err)
{
    int rc = csfs_buf_append(s, "[", 1, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (i) rc = csfs_buf_append(s, ",", 1, err);
        if (rc == 0) rc = csfs_buf_append(s, "\"", 1, err);
        for (const char *p = items[i]; rc == 0 && *p; p++) {
            if (*p == '"' || *p == '\\') rc = csfs_buf_append(s, "\\", 1, err);
            if (rc == 0) rc = csfs_buf_append(s, p, 1, err);
        }
        if (rc == 0) rc = csfs_buf_append(s, "\"", 1, err);
    }
    return rc ? rc : csfs_buf_append(s, "]", 1, err);
}

/* rCSFs 1.3's V2 keys, in its order, so its readers accept csfs files. */
static int rcsfs_v2_keys(kv_builder *b, const csfs_run_info *info, csfs_error *err)
{
    csfs_buf *s = &b->kv->storage;
    size_t m = info->peel->count;
    int rc = add_text(b, "descriptor_version", "2", err);
    if (rc == 0) rc = add_text(b, "channels_per_subshell", "4", err);
    if (rc == 0) rc = add_u64(b, "subshell_count", m, err);
    if (rc == 0) rc = begin_value(b, "peel_subshells", err);
    if (rc == 0) rc = rcsfs_json_array(s, (const char *const *)info->peel->names, m, err);
    if (rc == 0) rc = end_value(b, err);
    if (rc == 0) rc = add_text(b, "missing_sentinel", "-1", err);
    if (rc == 0) rc = add_text(b, "normalized", "false", err);
    if (rc == 0) rc = begin_value(b, "feature_columns", err);
    if (rc == 0) rc = csfs_buf_append(s, "[", 1, err);
    static const char *channels[4] = {"n", "2j", "v", "2k"};
    for (size_t i = 0; rc == 0 && i < m; i++)
        for (int c = 0; rc == 0 && c < 4; c++)
            rc = csfs_buf_printf(s, err, "%s\"sub%zu_%s\"", i || c ? "," : "", i, channels[c]);
    if (rc == 0) rc = csfs_buf_append(s, "]", 1, err);
    if (rc == 0) rc = end_value(b, err);
    if (rc == 0) rc = add_text(b, "global_columns", "[\"total_two_j\",\"parity\"]", err);
    if (rc == 0 && info->header_sha256) {
        rc = add_text(b, "source_header_sha256", info->header_sha256, err);
        if (rc == 0) rc = add_text(b, "source_header_filename", info->header_filename, err);
    }
    return rc;
}

int csfs_descriptor_metadata(const csfs_run_info *info, csfs_kv_list *kv, csfs_error *err)
{
    memset(kv, 0, sizeof *kv);
    kv_builder b = {.kv = kv};
    csfs_buf *s = &kv->storage;
    int rc = info->layout == CSFS_LAYOUT_V2 ? rcsfs_v2_keys(&b, info, err) : 0;
    if (rc == 0) rc = add_text(&b, "csfs.version", CSFS_VERSION_STRING, err);
    if (rc == 0)
        rc = add_text(&b, "csfs.layout", info->layout == CSFS_LAYOUT_V1 ? "v1" : "v2", err);
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
        rc = info->source_size >= 0 ? csfs_buf_printf(s, err, "%lld", (long long)info->source_size)
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
