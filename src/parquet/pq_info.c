#include "parquet/pq_info.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "parquet/pq_names.h"

/* ---- JSON ---------------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at p (at most n bytes), 0 if none. */
static size_t utf8_len(const uint8_t *p, size_t n)
{
    uint8_t b = p[0];
    size_t len;
    uint32_t min, cp;
    if (b < 0x80) return 1;
    if (b >= 0xc2 && b <= 0xdf)
        len = 2, min = 0x80, cp = b & 0x1f;
    else if (b >= 0xe0 && b <= 0xef)
        len = 3, min = 0x800, cp = b & 0x0f;
    else if (b >= 0xf0 && b <= 0xf4)
        len = 4, min = 0x10000, cp = b & 0x07;
    else
        return 0;
    if (n < len) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80) return 0;
        cp = cp << 6 | (p[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

static bool utf8_valid(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = utf8_len(p + i, n - i);
        if (!k) return false;
        i += k;
    }
    return true;
}

void pq_json_string(FILE *out, const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    fputc('"', out);
    for (size_t i = 0; i < len;) {
        uint8_t b = p[i];
        if (b == '"' || b == '\\') {
            fputc('\\', out);
            fputc(b, out);
            i++;
        } else if (b < 0x20) {
            fprintf(out, "\\u%04x", b);
            i++;
        } else {
            size_t k = utf8_len(p + i, len - i);
            if (k)
                fwrite(p + i, 1, k, out);
            else
                fputs("\\ufffd", out);
            i += k ? k : 1;
        }
    }
    fputc('"', out);
}

static void json_cstr(FILE *out, const char *s)
{
    if (s)
        pq_json_string(out, s, strlen(s));
    else
        fputs("null", out);
}

static void json_double(FILE *out, double v)
{
    if (isnan(v))
        fputs("\"NaN\"", out);
    else if (isinf(v))
        fputs(v > 0 ? "\"Infinity\"" : "\"-Infinity\"", out);
    else
        fprintf(out, "%.17g", v);
}

/* ---- rendering of types and statistics ----------------------------------------- */

static const char *unit_name(pq_time_unit u)
{
    return u == PQ_UNIT_MILLIS ? "MILLIS" : u == PQ_UNIT_MICROS ? "MICROS" : "NANOS";
}

/* The LogicalType as text ("STRING", "INTEGER(64,false)", ...), NULL when none. */
static const char *logical_text(const pq_logical_type *lt, char *buf, size_t cap)
{
    switch (lt->kind) {
    case PQ_LK_NONE:
        return NULL;
    case PQ_LK_STRING:
        return "STRING";
    case PQ_LK_MAP:
        return "MAP";
    case PQ_LK_LIST:
        return "LIST";
    case PQ_LK_ENUM:
        return "ENUM";
    case PQ_LK_DECIMAL:
        snprintf(buf, cap, "DECIMAL(%" PRId32 ",%" PRId32 ")", lt->precision, lt->scale);
        return buf;
    case PQ_LK_DATE:
        return "DATE";
    case PQ_LK_TIME:
    case PQ_LK_TIMESTAMP:
        snprintf(buf, cap, "%s(%s,%s)", lt->kind == PQ_LK_TIME ? "TIME" : "TIMESTAMP",
                 unit_name(lt->unit), lt->adjusted_to_utc ? "true" : "false");
        return buf;
    case PQ_LK_INTEGER:
        snprintf(buf, cap, "INTEGER(%d,%s)", lt->bit_width, lt->is_signed ? "true" : "false");
        return buf;
    case PQ_LK_UNKNOWN:
        return "UNKNOWN";
    case PQ_LK_JSON:
        return "JSON";
    case PQ_LK_BSON:
        return "BSON";
    case PQ_LK_UUID:
        return "UUID";
    case PQ_LK_FLOAT16:
        return "FLOAT16";
    case PQ_LK_VARIANT:
        return "VARIANT";
    case PQ_LK_GEOMETRY:
        return "GEOMETRY";
    case PQ_LK_GEOGRAPHY:
        return "GEOGRAPHY";
    default:
        return "OTHER";
    }
}

static bool is_text(const pq_column_info *col)
{
    return col->logical.kind == PQ_LK_STRING || col->logical.kind == PQ_LK_ENUM ||
           col->logical.kind == PQ_LK_JSON || col->converted_type == PQ_CONVERTED_UTF8 ||
           col->converted_type == PQ_CONVERTED_ENUM || col->converted_type == PQ_CONVERTED_JSON;
}

static bool is_unsigned(const pq_column_info *col)
{
    if (col->logical.kind == PQ_LK_INTEGER) return !col->logical.is_signed;
    return col->converted_type >= PQ_CONVERTED_UINT_8 &&
           col->converted_type <= PQ_CONVERTED_UINT_64;
}

/* A statistics value in JSON (json) or text: numbers for numeric types,
 * strings for text columns, "0x..." hex otherwise. */
static void stat_value(FILE *out, const pq_column_info *col, const uint8_t *v, size_t n, bool json)
{
    uint8_t b[8] = {0};
    memcpy(b, v, n < 8 ? n : 8);
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--) u = u << 8 | b[i];
    if (col->type == PQ_BOOLEAN && n == 1) {
        fputs(b[0] ? "true" : "false", out);
    } else if (col->type == PQ_INT32 && n == 4) {
        if (is_unsigned(col))
            fprintf(out, "%" PRIu32, (uint32_t)u);
        else
            fprintf(out, "%" PRId32, (int32_t)(uint32_t)u);
    } else if (col->type == PQ_INT64 && n == 8) {
        if (is_unsigned(col))
            fprintf(out, "%" PRIu64, u);
        else
            fprintf(out, "%" PRId64, (int64_t)u);
    } else if (col->type == PQ_FLOAT && n == 4) {
        float fv;
        uint32_t u32 = (uint32_t)u;
        memcpy(&fv, &u32, 4);
        if (json)
            json_double(out, fv);
        else
            fprintf(out, "%.9g", fv);
    } else if (col->type == PQ_DOUBLE && n == 8) {
        double dv;
        memcpy(&dv, &u, 8);
        if (json)
            json_double(out, dv);
        else
            fprintf(out, "%.17g", dv);
    } else if (is_text(col) && utf8_valid(v, n)) {
        if (json)
            pq_json_string(out, (const char *)v, n);
        else
            fprintf(out, "%.*s", n > 40 ? 40 : (int)n, (const char *)v);
    } else {
        if (json) fputc('"', out);
        fputs("0x", out);
        for (size_t i = 0; i < n && (json || i < 20); i++) fprintf(out, "%02x", v[i]);
        if (json) fputc('"', out);
    }
}

static void encodings_list(FILE *out, uint32_t enc, bool json)
{
    bool first = true;
    for (int e = 0; e < 32; e++) {
        if (!(enc >> e & 1)) continue;
        if (!first) fputs(json ? ", " : ",", out);
        if (json)
            json_cstr(out, pq_encoding_name(e));
        else
            fputs(pq_encoding_name(e), out);
        first = false;
    }
}

/* ---- JSON description --------------------------------------------------------- */

static void describe_json(const pq_file *f, FILE *out)
{
    size_t ncols = pq_file_num_columns(f), nrg = pq_file_num_row_groups(f);
    char buf[96];
    fputs("{\"file_path\": ", out);
    json_cstr(out, pq_file_name(f));
    fprintf(out, ", \"file_size\": %" PRIu64 ", \"num_rows\": %" PRId64 ", \"num_columns\": %zu",
            pq_file_size(f), pq_file_num_rows(f), ncols);
    fputs(", \"compression\": ", out);
    json_cstr(out, nrg && ncols ? pq_codec_name(pq_file_chunk(f, 0, 0)->codec) : NULL);
    fputs(", \"created_by\": ", out);
    json_cstr(out, pq_file_created_by(f));
    fprintf(out, ", \"format_version\": %" PRId32 ", \"num_row_groups\": %zu", pq_file_version(f),
            nrg);

    fputs(", \"schema\": [", out);
    for (size_t i = 0; i < ncols; i++) {
        const pq_column_info *c = pq_file_column(f, i);
        fputs(i ? ", {\"name\": " : "{\"name\": ", out);
        json_cstr(out, c->name);
        fputs(", \"path\": ", out);
        json_cstr(out, c->path);
        fprintf(out, ", \"physical_type\": \"%s\", \"logical_type\": ", pq_type_name(c->type));
        json_cstr(out, logical_text(&c->logical, buf, sizeof buf));
        fputs(", \"converted_type\": ", out);
        json_cstr(out, pq_converted_name(c->converted_type));
        fprintf(out, ", \"repetition\": \"%s\"", pq_repetition_name(c->repetition));
        if (c->type == PQ_FIXED_LEN_BYTE_ARRAY)
            fprintf(out, ", \"type_length\": %" PRId32, c->type_length);
        fprintf(out, ", \"max_definition_level\": %d, \"max_repetition_level\": %d, \"flat\": %s}",
                c->max_def, c->max_rep, c->flat ? "true" : "false");
    }
    fputs("]", out);

    fputs(", \"row_groups\": [", out);
    for (size_t g = 0; g < nrg; g++) {
        const pq_row_group_meta *rg = pq_file_row_group(f, g);
        fprintf(out,
                "%s{\"num_rows\": %" PRId64 ", \"total_byte_size\": %" PRId64 ", \"columns\": [",
                g ? ", " : "", rg->num_rows, rg->total_byte_size);
        for (size_t i = 0; i < ncols; i++) {
            const pq_column_info *c = pq_file_column(f, i);
            const pq_chunk_meta *m = pq_file_chunk(f, g, i);
            fputs(i ? ", {\"path\": " : "{\"path\": ", out);
            json_cstr(out, c->path);
            fputs(", \"codec\": ", out);
            json_cstr(out, pq_codec_name(m->codec));
            fputs(", \"encodings\": [", out);
            encodings_list(out, m->encodings, true);
            fprintf(out,
                    "], \"num_values\": %" PRId64 ", \"compressed_size\": %" PRId64
                    ", \"uncompressed_size\": %" PRId64 ", \"data_page_offset\": %" PRId64,
                    m->num_values, m->total_compressed_size, m->total_uncompressed_size,
                    m->data_page_offset);
            if (m->dictionary_page_offset >= 0)
                fprintf(out, ", \"dictionary_page_offset\": %" PRId64, m->dictionary_page_offset);
            const pq_statistics *st = &m->stats;
            fputs(", \"statistics\": {", out);
            const char *sep = "";
            if (st->has_null_count) {
                fprintf(out, "\"null_count\": %" PRId64, st->null_count);
                sep = ", ";
            }
            if (st->has_distinct_count) {
                fprintf(out, "%s\"distinct_count\": %" PRId64, sep, st->distinct_count);
                sep = ", ";
            }
            if (st->has_min) {
                fprintf(out, "%s\"min\": ", sep);
                stat_value(out, c, st->min, st->min_len, true);
                sep = ", ";
            }
            if (st->has_max) {
                fprintf(out, "%s\"max\": ", sep);
                stat_value(out, c, st->max, st->max_len, true);
            }
            fputs("}}", out);
        }
        fputs("]}", out);
    }
    fputs("]", out);

    fputs(", \"key_value_metadata\": [", out);
    for (size_t i = 0; i < pq_file_num_kv(f); i++) {
        const pq_kv_pair *kv = pq_file_kv(f, i);
        fputs(i ? ", {\"key\": " : "{\"key\": ", out);
        pq_json_string(out, kv->key, kv->key_len);
        fputs(", \"value\": ", out);
        if (kv->value)
            pq_json_string(out, kv->value, kv->value_len);
        else
            fputs("null", out);
        fputs("}", out);
    }
    fputs("]}\n", out);
}

/* ---- text description --------------------------------------------------------- */

/* Prints up to max bytes of s, control characters shown as '?', then the
 * full size when cut. */
static void text_excerpt(FILE *out, const char *s, size_t len, size_t max)
{
    size_t n = len < max ? len : max;
    for (size_t i = 0; i < n; i++) fputc((unsigned char)s[i] < 0x20 ? '?' : s[i], out);
    if (len > max) fprintf(out, "... (%zu bytes)", len);
}

static void describe_text(const pq_file *f, FILE *out)
{
    size_t ncols = pq_file_num_columns(f), nrg = pq_file_num_row_groups(f);
    char buf[96];
    const char *cb = pq_file_created_by(f);
    fprintf(out, "file:         %s\n", pq_file_name(f));
    fprintf(out, "size:         %" PRIu64 " bytes\n", pq_file_size(f));
    fprintf(out, "created_by:   %s\n", cb ? cb : "-");
    fprintf(out, "version:      %" PRId32 "\n", pq_file_version(f));
    fprintf(out, "rows:         %" PRId64 "\n", pq_file_num_rows(f));
    fprintf(out, "row groups:   %zu\n", nrg);
    fprintf(out, "columns:      %zu\n", ncols);
    if (nrg && ncols)
        fprintf(out, "compression:  %s\n", pq_codec_name(pq_file_chunk(f, 0, 0)->codec));

    int w = 4;
    for (size_t i = 0; i < ncols; i++) {
        int n = (int)strlen(pq_file_column(f, i)->path);
        if (n > w) w = n < 40 ? n : 40;
    }
    fprintf(out, "\nschema:\n  %-*s  %-20s  %-22s  %s\n", w, "name", "physical", "logical",
            "repetition");
    for (size_t i = 0; i < ncols; i++) {
        const pq_column_info *c = pq_file_column(f, i);
        const char *lt = logical_text(&c->logical, buf, sizeof buf);
        if (!lt) lt = pq_converted_name(c->converted_type);
        char phys[48];
        if (c->type == PQ_FIXED_LEN_BYTE_ARRAY)
            snprintf(phys, sizeof phys, "FIXED_LEN_BYTE_ARRAY(%" PRId32 ")", c->type_length);
        else
            snprintf(phys, sizeof phys, "%s", pq_type_name(c->type));
        fprintf(out, "  %-*s  %-20s  %-22s  %s%s\n", w, c->path, phys, lt ? lt : "-",
                pq_repetition_name(c->repetition), c->flat ? "" : " (nested)");
    }

    for (size_t g = 0; g < nrg; g++) {
        const pq_row_group_meta *rg = pq_file_row_group(f, g);
        fprintf(out, "\nrow group %zu: %" PRId64 " rows, %" PRId64 " bytes\n", g, rg->num_rows,
                rg->total_byte_size);
        for (size_t i = 0; i < ncols; i++) {
            const pq_column_info *c = pq_file_column(f, i);
            const pq_chunk_meta *m = pq_file_chunk(f, g, i);
            fprintf(out, "  %-*s  %-12s  ", w, c->path, pq_codec_name(m->codec));
            encodings_list(out, m->encodings, false);
            fprintf(out, "  %" PRId64 " -> %" PRId64 " bytes", m->total_compressed_size,
                    m->total_uncompressed_size);
            if (m->stats.has_null_count) fprintf(out, ", nulls %" PRId64, m->stats.null_count);
            if (m->stats.has_min && m->stats.has_max) {
                fputs(", min ", out);
                stat_value(out, c, m->stats.min, m->stats.min_len, false);
                fputs(" max ", out);
                stat_value(out, c, m->stats.max, m->stats.max_len, false);
            }
            fputc('\n', out);
        }
    }

    size_t nkv = pq_file_num_kv(f);
    fprintf(out, "\nkey-value metadata: %zu\n", nkv);
    for (size_t i = 0; i < nkv; i++) {
        const pq_kv_pair *kv = pq_file_kv(f, i);
        fputs("  ", out);
        text_excerpt(out, kv->key, kv->key_len, 60);
        fputs(" = ", out);
        if (kv->value)
            text_excerpt(out, kv->value, kv->value_len, 100);
        else
            fputs("(none)", out);
        fputc('\n', out);
    }
}

int pq_file_describe(const pq_file *f, bool json, FILE *out, csfs_error *err)
{
    if (json)
        describe_json(f, out);
    else
        describe_text(f, out);
    if (fflush(out) != 0 || ferror(out))
        return csfs_fail_errno(err, errno, "writing the description");
    return 0;
}

int pq_describe(const char *path, bool json, char **text, csfs_error *err)
{
    *text = NULL;
    pq_file *f;
    int rc = pq_file_open(&f, path, err);
    if (rc) return rc;
    size_t len;
    FILE *mem = open_memstream(text, &len);
    if (!mem) {
        pq_file_close(f);
        return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", path);
    }
    rc = pq_file_describe(f, json, mem, err);
    fclose(mem);
    pq_file_close(f);
    if (rc) {
        free(*text);
        *text = NULL;
    }
    return rc;
}

void pq_describe_free(char *text)
{
    free(text);
}
