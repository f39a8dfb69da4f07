/* Small public entry points: version, options, codec names, one CSF. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/buf.h"
#include "common/error.h"
#include "descriptor/v1.h"

const char *csfs_version(void)
{
    return CSFS_VERSION_STRING;
}

void csfs_descriptor_options_init(csfs_descriptor_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->layout = CSFS_LAYOUT_V1;
    opt->format = CSFS_FORMAT_AUTO;
    opt->codec = CSFS_CODEC_ZSTD;
    opt->codec_level = 3;
    opt->row_group_rows = 0; /* the layout's default */
    opt->max_reported_failures = 5;
}

int csfs_codec_parse(const char *given, csfs_codec *codec, int *level, csfs_error *err)
{
    /* White space around is ignored; rCSFs spells a zstd level "zstd-N". */
    while (*given == ' ' || (*given >= '\t' && *given <= '\r')) given++;
    char text[64];
    size_t len = strlen(given);
    while (len && (given[len - 1] == ' ' || (given[len - 1] >= '\t' && given[len - 1] <= '\r')))
        len--;
    if (len >= sizeof text) len = sizeof text - 1; /* too long for any codec name */
    memcpy(text, given, len);
    text[len] = '\0';
    if (len > 5 && strncasecmp(text, "zstd-", 5) == 0) text[4] = ':';
    const char *colon = strchr(text, ':');
    size_t n = colon ? (size_t)(colon - text) : strlen(text);
    int lo = 0, hi = 0, def = 0;
    if (n == 4 && strncasecmp(text, "none", 4) == 0) {
        *codec = CSFS_CODEC_NONE;
    } else if (n == 12 && strncasecmp(text, "uncompressed", 12) == 0) {
        *codec = CSFS_CODEC_NONE;
    } else if (n == 6 && strncasecmp(text, "snappy", 6) == 0) {
        *codec = CSFS_CODEC_SNAPPY;
    } else if (n == 4 && strncasecmp(text, "gzip", 4) == 0) {
        *codec = CSFS_CODEC_GZIP, lo = 1, hi = 9, def = 6;
    } else if (n == 4 && strncasecmp(text, "zstd", 4) == 0) {
        *codec = CSFS_CODEC_ZSTD, lo = 1, hi = 22, def = 3;
    } else {
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "unknown compression '%s' (none, uncompressed, snappy, gzip[:1-9], "
                         "zstd[:1-22] or zstd-N)",
                         given);
    }
    *level = def;
    if (colon) {
        char *end;
        long v = strtol(colon + 1, &end, 10);
        if (hi == 0 || *end || end == colon + 1 || v < lo || v > hi)
            return csfs_fail(err, CSFS_E_ARGUMENT, "bad compression level in '%s'%s", given,
                             hi ? "" : " (this codec has no levels)");
        *level = (int)v;
    }
    return 0;
}

int csfs_parse_csf(const char *line1, size_t len1, const char *line2, size_t len2,
                   const char *line3, size_t len3, const csfs_peel *peel, int normalize,
                   void *row_out, csfs_error *err)
{
    if (!peel || csfs_peel_count(peel) == 0)
        return csfs_fail(err, CSFS_E_ARGUMENT, "the peel list names no subshell");
    csfs_desc_ctx ctx;
    int rc = csfs_desc_ctx_init(&ctx, peel, CSFS_LAYOUT_V1, normalize, err);
    if (rc) return rc;
    size_t width = csfs_desc_width(&ctx);
    memset(row_out, 0, width * 4);
    csfs_csf_status st = csfs_desc_parse(&ctx, line1, len1, line2, len2, line3, len3);
    if (st == CSFS_CSF_OK) st = csfs_desc_store(&ctx, row_out, 1);
    csfs_desc_ctx_free(&ctx);
    if (st != CSFS_CSF_OK) {
        memset(row_out, 0, width * 4);
        return csfs_fail(err, CSFS_E_CSF, "CSF failed: %s", csfs_csf_status_text(st));
    }
    return 0;
}

void csfs_free(void *p)
{
    free(p);
}

char *csfs_json_quote(const char *s, size_t len)
{
    csfs_buf b = {0};
    if (csfs_buf_json_string(&b, s, len, NULL) != 0 || csfs_buf_terminate(&b, NULL) != 0) {
        csfs_buf_free(&b);
        return NULL;
    }
    return b.data;
}
