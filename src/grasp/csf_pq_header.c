#include "grasp/csf_pq_header.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/json_array.h"

int csfs_read_prefix(const char *path, char *buf, size_t cap, size_t *got, csfs_error *err)
{
    *got = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return csfs_fail_errno(err, errno, "%s: cannot open", path);
    *got = fread(buf, 1, cap, f);
    int bad = ferror(f);
    fclose(f);
    return bad ? csfs_fail(err, CSFS_E_IO, "%s: read error", path) : 0;
}

static int dup_text(const char *s, char **out, csfs_error *err)
{
    size_t n = strlen(s) + 1;
    *out = malloc(n);
    if (!*out) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    memcpy(*out, s, n);
    return 0;
}

/* csfs files: the header and blocks straight from the key-value metadata. */
static int from_metadata(const pq_file *f, const char *lines_kv, csfs_header_toml *hdr,
                         csfs_error *err)
{
    const char *name = pq_file_name(f);
    char what[1200];
    snprintf(what, sizeof what, "%s: metadata csfs.header_lines", name);
    csfs_str_array a;
    int rc = csfs_json_parse_str_array(lines_kv, strlen(lines_kv), what, &a, err);
    if (rc) return rc;
    if (a.n != CSFS_HEADER_LINES)
        rc = csfs_fail(err, CSFS_E_FORMAT, "%s has %zu lines; a GRASP header has %d", what, a.n,
                       CSFS_HEADER_LINES);
    for (size_t i = 0; rc == 0 && i < CSFS_HEADER_LINES; i++) {
        if (memchr(a.items[i], '\n', a.lens[i]))
            rc = csfs_fail(err, CSFS_E_FORMAT, "%s: line %zu holds a line break", what, i + 1);
        else if (!(hdr->lines[i] = malloc(a.lens[i] + 1)))
            rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        else
            memcpy(hdr->lines[i], a.items[i], a.lens[i] + 1), hdr->lens[i] = a.lens[i];
    }
    csfs_str_array_free(&a);

    const char *kv = pq_file_kv_lookup(f, "csfs.csf_count");
    if (rc == 0 && kv) {
        snprintf(what, sizeof what, "%s: metadata csfs.csf_count", name);
        rc = csfs_json_parse_u64(kv, strlen(kv), what, &hdr->csf_count, err);
        hdr->has_csf_count = rc == 0;
    }
    int has_lengths = 0;
    if (rc == 0)
        rc = csfs_pq_block_lengths(f, &hdr->block_lengths, &hdr->n_blocks, &has_lengths, err);
    hdr->has_block_info = rc == 0 && has_lengths;
    if (rc == 0 && hdr->has_block_info && hdr->has_csf_count) {
        uint64_t sum = 0;
        for (size_t b = 0; b < hdr->n_blocks; b++) {
            if (hdr->block_lengths[b] > UINT64_MAX - sum)
                sum = UINT64_MAX;
            else
                sum += hdr->block_lengths[b];
        }
        if (sum != hdr->csf_count)
            rc = csfs_fail(err, CSFS_E_FORMAT,
                           "%s: metadata csfs.block_lengths add up to %llu, csfs.csf_count is "
                           "%llu",
                           name, (unsigned long long)sum, (unsigned long long)hdr->csf_count);
    }
    return rc;
}

/* "<dir of path><stem><suffix>" */
static char *candidate(const char *path, const char *stem, size_t stem_len, const char *suffix)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    size_t n = dir_len + stem_len + strlen(suffix) + 1;
    char *c = malloc(n);
    if (c) snprintf(c, n, "%.*s%.*s%s", (int)dir_len, path, (int)stem_len, stem, suffix);
    return c;
}

int csfs_csf_parquet_find_sidecar(const pq_file *f, char **found, csfs_buf *tried, csfs_error *err)
{
    *found = NULL;
    const char *path = pq_file_name(f);
    const char *stem, *src_stem = NULL;
    size_t stem_len, src_len = 0;
    csfs_path_file_stem(path, &stem, &stem_len);
    const char *source = pq_file_kv_lookup(f, "csfs.source_file");
    if (source) csfs_path_file_stem(source, &src_stem, &src_len);
    struct {
        const char *stem;
        size_t len;
        const char *suffix;
    } tries[4] = {{stem, stem_len, "_header.toml"},
                  {src_stem, src_len, "_header.toml"},
                  {stem, stem_len, ".toml"},
                  {stem, stem_len, "_header"}};
    int rc = 0;
    for (int i = 0; rc == 0 && i < 4; i++) {
        if (tries[i].len == 0 ||
            (i == 1 && tries[1].len == stem_len && memcmp(tries[1].stem, stem, stem_len) == 0))
            continue;
        char *cand = candidate(path, tries[i].stem, tries[i].len, tries[i].suffix);
        if (!cand) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        char head[65536];
        size_t got = 0;
        csfs_error ignored;
        if (csfs_read_prefix(cand, head, sizeof head, &got, &ignored) == 0 &&
            csfs_header_toml_sniff(head, got)) {
            *found = cand;
            return 0;
        }
        if (tried) rc = csfs_buf_printf(tried, err, "%s%s", tried->len ? ", " : "", cand);
        free(cand);
    }
    return rc;
}

/* rCSFs files: a header TOML beside the Parquet file. */
static int from_sidecar(const pq_file *f, csfs_header_toml *hdr, char **found, csfs_error *err)
{
    csfs_buf tried = {0};
    int rc = csfs_csf_parquet_find_sidecar(f, found, &tried, err);
    if (rc == 0 && *found) {
        rc = csfs_header_toml_read(*found, hdr, err);
        if (rc) {
            free(*found);
            *found = NULL;
        }
    } else if (rc == 0) {
        rc = csfs_fail(err, CSFS_E_FORMAT,
                       "%s: no header: no csfs.header_lines metadata and no header TOML beside "
                       "it (tried %s): a header TOML must be given",
                       pq_file_name(f), tried.data ? tried.data : "nothing");
    }
    csfs_buf_free(&tried);
    return rc;
}

int csfs_csf_parquet_header(const pq_file *f, const char *header_option, csfs_header_toml *hdr,
                            csfs_header_source *from, char **toml_path, csfs_error *err)
{
    memset(hdr, 0, sizeof *hdr);
    if (toml_path) *toml_path = NULL;
    char *found = NULL;
    int rc;
    if (header_option) {
        *from = CSFS_HEADER_FROM_OPTION;
        rc = csfs_header_toml_read(header_option, hdr, err);
        if (rc == 0) rc = dup_text(header_option, &found, err);
    } else {
        const char *lines = pq_file_kv_lookup(f, "csfs.header_lines");
        if (lines) {
            *from = CSFS_HEADER_FROM_METADATA;
            rc = from_metadata(f, lines, hdr, err);
        } else {
            *from = CSFS_HEADER_FROM_SIDECAR;
            rc = from_sidecar(f, hdr, &found, err);
        }
    }
    if (rc) {
        csfs_header_toml_free(hdr);
        free(found);
        return rc;
    }
    if (toml_path)
        *toml_path = found;
    else
        free(found);
    return 0;
}

int csfs_block_lengths_parse(const char *kv, const char *name, uint64_t **lengths, size_t *n,
                             csfs_error *err)
{
    *lengths = NULL;
    *n = 0;
    if (!kv) return 0;
    char what[1200];
    snprintf(what, sizeof what, "%s: metadata csfs.block_lengths", name);
    return csfs_json_parse_u64_array(kv, strlen(kv), what, lengths, n, err);
}

int csfs_pq_block_lengths(const pq_file *f, uint64_t **lengths, size_t *n, int *present,
                          csfs_error *err)
{
    const char *kv = pq_file_kv_lookup(f, "csfs.block_lengths");
    *present = kv != NULL;
    return csfs_block_lengths_parse(kv, pq_file_name(f), lengths, n, err);
}
