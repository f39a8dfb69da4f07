/*
 * Key-value metadata of descriptor files: enough to tell which CSF list a
 * matrix belongs to (source name and size, header lines, counts) and how to
 * read it (layout, peel order, normalisation).
 */
#include <string.h>

#include "common/error.h"
#include "descriptor/metadata.h"
#include "grasp/peel.h"

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
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
static int rcsfs_v2_keys(csfs_kv_list *b, const csfs_run_info *info, csfs_error *err)
{
    csfs_buf *s = &b->storage;
    size_t m = info->peel->count;
    int rc = csfs_kv_text(b, "descriptor_version", "2", err);
    if (rc == 0) rc = csfs_kv_text(b, "channels_per_subshell", "4", err);
    if (rc == 0) rc = csfs_kv_u64(b, "subshell_count", m, err);
    if (rc == 0) rc = csfs_kv_begin(b, "peel_subshells", err);
    if (rc == 0) rc = rcsfs_json_array(s, (const char *const *)info->peel->names, m, err);
    if (rc == 0) rc = csfs_kv_end(b, err);
    if (rc == 0) rc = csfs_kv_text(b, "missing_sentinel", "-1", err);
    if (rc == 0) rc = csfs_kv_text(b, "normalized", "false", err);
    if (rc == 0) rc = csfs_kv_begin(b, "feature_columns", err);
    if (rc == 0) rc = csfs_buf_append(s, "[", 1, err);
    static const char *channels[4] = {"n", "2j", "v", "2k"};
    for (size_t i = 0; rc == 0 && i < m; i++)
        for (int c = 0; rc == 0 && c < 4; c++)
            rc = csfs_buf_printf(s, err, "%s\"sub%zu_%s\"", i || c ? "," : "", i, channels[c]);
    if (rc == 0) rc = csfs_buf_append(s, "]", 1, err);
    if (rc == 0) rc = csfs_kv_end(b, err);
    if (rc == 0) rc = csfs_kv_text(b, "global_columns", "[\"total_two_j\",\"parity\"]", err);
    if (rc == 0 && info->header_sha256) {
        rc = csfs_kv_text(b, "source_header_sha256", info->header_sha256, err);
        if (rc == 0) rc = csfs_kv_text(b, "source_header_filename", info->header_filename, err);
    }
    return rc;
}

int csfs_descriptor_metadata(const csfs_run_info *info, csfs_kv_list *kv, csfs_error *err)
{
    memset(kv, 0, sizeof *kv);
    csfs_buf *s = &kv->storage;
    int rc = info->layout == CSFS_LAYOUT_V2 ? rcsfs_v2_keys(kv, info, err) : 0;
    if (rc == 0) rc = csfs_kv_text(kv, "csfs.version", CSFS_VERSION_STRING, err);
    if (rc == 0)
        rc = csfs_kv_text(kv, "csfs.layout", info->layout == CSFS_LAYOUT_V1 ? "v1" : "v2", err);
    if (rc == 0) rc = csfs_kv_text(kv, "csfs.normalized", info->normalize ? "true" : "false", err);
    if (rc == 0)
        rc = csfs_kv_json_strings(kv, "csfs.peel_subshells", (const char *const *)info->peel->names,
                                  NULL, info->peel->count, err);
    if (rc == 0) rc = csfs_kv_text(kv, "csfs.source_file", basename_of(info->source_path), err);
    if (rc == 0) rc = csfs_kv_begin(kv, "csfs.source_size", err);
    if (rc == 0)
        rc = info->source_size >= 0 ? csfs_buf_printf(s, err, "%lld", (long long)info->source_size)
                                    : csfs_buf_append(s, "unknown", 7, err);
    if (rc == 0) rc = csfs_kv_end(kv, err);
    if (rc == 0) rc = csfs_kv_text(kv, "csfs.source_compression", info->source_compression, err);
    if (rc == 0) rc = csfs_kv_u64(kv, "csfs.csf_count", info->csf_count, err);
    if (rc == 0) rc = csfs_kv_u64(kv, "csfs.failed_count", info->failed_count, err);
    if (rc == 0) rc = csfs_kv_u64(kv, "csfs.block_count", info->n_blocks, err);
    if (rc == 0)
        rc = csfs_kv_json_u64s(kv, "csfs.block_lengths", info->block_lengths, info->n_blocks, err);
    if (rc == 0 && info->header)
        rc = csfs_kv_json_strings(kv, "csfs.header_lines", (const char *const *)info->header->lines,
                                  info->header->lens, CSFS_HEADER_LINES, err);
    if (rc) {
        csfs_kv_list_free(kv);
        return rc;
    }
    csfs_kv_finish(kv);
    return 0;
}
