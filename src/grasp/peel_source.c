#include "grasp/peel_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grasp/csf_pq_header.h"
#include "common/error.h"
#include "grasp/header_toml.h"
#include "common/json_array.h"
#include "parquet/pq_reader.h"
#include "grasp/peel.h"

static int set_detail(char **detail, const char *text, csfs_error *err)
{
    if (!detail) return 0;
    size_t n = strlen(text) + 1;
    *detail = malloc(n);
    if (!*detail) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    memcpy(*detail, text, n);
    return 0;
}

static int from_toml(const char *path, csfs_peel **out, csfs_error *err)
{
    csfs_header_toml h;
    int rc = csfs_header_toml_read(path, &h, err);
    if (rc == 0) rc = csfs_header_toml_peel(&h, out, err);
    csfs_header_toml_free(&h);
    return rc;
}

static int from_parquet(const char *path, csfs_peel **out, csfs_peel_origin *origin, char **detail,
                        csfs_error *err)
{
    pq_file *f;
    int rc = pq_file_open(&f, path, err);
    if (rc) return rc;
    static const char *keys[2] = {"csfs.peel_subshells", "peel_subshells"};
    for (int i = 0; i < 2; i++) {
        const char *kv = pq_file_kv_lookup(f, keys[i]);
        if (!kv) continue;
        char what[1200];
        snprintf(what, sizeof what, "%s: metadata %s", path, keys[i]);
        csfs_str_array a;
        rc = csfs_json_parse_str_array(kv, strlen(kv), what, &a, err);
        if (rc == 0) rc = csfs_peel_from_names((const char *const *)a.items, a.n, out, err);
        csfs_str_array_free(&a);
        if (rc == 0) rc = set_detail(detail, keys[i], err);
        *origin = CSFS_PEEL_FROM_PARQUET_LIST;
        pq_file_close(f);
        return rc;
    }
    csfs_header_toml h;
    csfs_header_source from;
    char *toml = NULL;
    rc = csfs_csf_parquet_header(f, NULL, &h, &from, &toml, err);
    if (rc == 0) rc = csfs_header_toml_peel(&h, out, err);
    if (rc == 0) rc = set_detail(detail, toml ? toml : "csfs.header_lines", err);
    *origin = CSFS_PEEL_FROM_PARQUET_HEADER;
    csfs_header_toml_free(&h);
    free(toml);
    pq_file_close(f);
    return rc;
}

int csfs_peel_read_any(const char *path, csfs_peel **out, csfs_peel_origin *origin, char **detail,
                       csfs_error *err)
{
    *out = NULL;
    csfs_peel_origin local;
    if (!origin) origin = &local;
    if (detail) *detail = NULL;
    if (strcmp(path, "-") != 0) {
        char head[65536];
        size_t got;
        int rc = csfs_read_prefix(path, head, sizeof head, &got, err);
        if (rc) return rc;
        if (got >= 4 && memcmp(head, "PAR1", 4) == 0)
            return from_parquet(path, out, origin, detail, err);
        if (csfs_header_toml_sniff(head, got)) {
            *origin = CSFS_PEEL_FROM_TOML;
            return from_toml(path, out, err);
        }
    }
    *origin = CSFS_PEEL_FROM_TEXT;
    return csfs_peel_read(path, out, err);
}

int csfs_peel_read_header_toml(const char *path, csfs_peel **out, csfs_error *err)
{
    *out = NULL;
    csfs_error_clear(err);
    int rc = from_toml(path, out, err);
    if (rc == 0 && csfs_peel_count(*out) == 0) {
        csfs_peel_free(*out);
        *out = NULL;
        rc = csfs_fail(err, CSFS_E_FORMAT, "%s: no peel subshells in header line 4", path);
    }
    return rc;
}

const char *csfs_peel_origin_name(csfs_peel_origin origin)
{
    switch (origin) {
    case CSFS_PEEL_FROM_TEXT:
        return "csf list";
    case CSFS_PEEL_FROM_TOML:
        return "header toml";
    case CSFS_PEEL_FROM_PARQUET_LIST:
        return "parquet metadata";
    case CSFS_PEEL_FROM_PARQUET_HEADER:
        return "parquet header";
    }
    return "";
}
