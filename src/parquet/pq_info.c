#include "parquet/pq_info.h"

#include <stdarg.h>
#include <stdio.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/utf8.h"
#include "parquet/pq_names.h"

/* ---- JSON ---------------------------------------------------------------------- */

/* The description is built in memory; the first failed append is kept. */
typedef struct pq_out {
    csfs_buf b;
    int rc;
} pq_out;

static void outf(pq_out *o, const char *fmt, ...) CSFS_PRINTF(2, 3);
static void outf(pq_out *o, const char *fmt, ...)
{
    if (o->rc) return;
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        o->rc = CSFS_E_NOMEM;
    } else if ((size_t)n < sizeof small) {
        o->rc = csfs_buf_append(&o->b, small, (size_t)n, NULL);
    } else {
        o->rc = csfs_buf_reserve(&o->b, o->b.len + (size_t)n + 1, NULL);
        if (o->rc == 0) {
            va_start(ap, fmt);
            vsnprintf(o->b.data + o->b.len, (size_t)n + 1, fmt, ap);
            va_end(ap);
            o->b.len += (size_t)n;
        }
    }
}

static void outs(const char *s, pq_out *o)
{
    if (o->rc == 0) o->rc = csfs_buf_append(&o->b, s, strlen(s), NULL);
}

static void outc(int c, pq_out *o)
{
    char ch = (char)c;
    if (o->rc == 0) o->rc = csfs_buf_append(&o->b, &ch, 1, NULL);
}

static void json_str(pq_out *o, const char *s, size_t len)
{
    if (o->rc == 0) o->rc = csfs_buf_json_string(&o->b, s, len, NULL);
}

static void json_cstr(pq_out *out, const char *s)
{
    if (s)
        json_str(out, s, strlen(s));
    else
        outs("null", out);
}

static void json_double(pq_out *out, double v)
{
    if (isnan(v))
        outs("\"NaN\"", out);
    else if (isinf(v))
        outs(v > 0 ? "\"Infinity\"" : "\"-Infinity\"", out);
    else
        outf(out, "%.17g", v);
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
static void stat_value(pq_out *out, const pq_column_info *col, const uint8_t *v, size_t n,
                       bool json)
{
    uint8_t b[8] = {0};
    memcpy(b, v, n < 8 ? n : 8);
    uint64_t u = 0;
    for (int i = 7; i >= 0; i--) u = u << 8 | b[i];
    if (col->type == PQ_BOOLEAN && n == 1) {
        outs(b[0] ? "true" : "false", out);
    } else if (col->type == PQ_INT32 && n == 4) {
        if (is_unsigned(col))
            outf(out, "%" PRIu32, (uint32_t)u);
        else
            outf(out, "%" PRId32, (int32_t)(uint32_t)u);
    } else if (col->type == PQ_INT64 && n == 8) {
        if (is_unsigned(col))
            outf(out, "%" PRIu64, u);
        else
            outf(out, "%" PRId64, (int64_t)u);
    } else if (col->type == PQ_FLOAT && n == 4) {
        float fv;
        uint32_t u32 = (uint32_t)u;
        memcpy(&fv, &u32, 4);
        if (json)
            json_double(out, fv);
        else
            outf(out, "%.9g", fv);
    } else if (col->type == PQ_DOUBLE && n == 8) {
        double dv;
        memcpy(&dv, &u, 8);
        if (json)
            json_double(out, dv);
        else
            outf(out, "%.17g", dv);
    } else if (is_text(col) && csfs_utf8_valid_prefix((const char *)v, n) == n) {
        if (json)
            json_str(out, (const char *)v, n);
        else
            outf(out, "%.*s", n > 40 ? 40 : (int)n, (const char *)v);
    } else {
        if (json) outc('"', out);
        outs("0x", out);
        for (size_t i = 0; i < n && (json || i < 20); i++) outf(out, "%02x", v[i]);
        if (json) outc('"', out);
    }
}

static void encodings_list(pq_out *out, uint32_t enc, bool json)
{
    bool first = true;
    for (int e = 0; e < 32; e++) {
        if (!(enc >> e & 1)) continue;
        if (!first) outs(json ? ", " : ",", out);
        if (json)
            json_cstr(out, pq_encoding_name(e));
        else
            outs(pq_encoding_name(e), out);
        first = false;
    }
}

/* ---- JSON description --------------------------------------------------------- */

static void describe_json(const pq_file *f, pq_out *out)
{
    size_t ncols = pq_file_num_columns(f), nrg = pq_file_num_row_groups(f);
    char buf[96];
    outs("{\"file_path\": ", out);
    json_cstr(out, pq_file_name(f));
    outf(out, ", \"file_size\": %" PRIu64 ", \"num_rows\": %" PRId64 ", \"num_columns\": %zu",
         pq_file_size(f), pq_file_num_rows(f), ncols);
    outs(", \"compression\": ", out);
    json_cstr(out, nrg && ncols ? pq_codec_name(pq_file_chunk(f, 0, 0)->codec) : NULL);
    outs(", \"created_by\": ", out);
    json_cstr(out, pq_file_created_by(f));
    outf(out, ", \"format_version\": %" PRId32 ", \"num_row_groups\": %zu", pq_file_version(f),
         nrg);

    outs(", \"schema\": [", out);
    for (size_t i = 0; i < ncols; i++) {
        const pq_column_info *c = pq_file_column(f, i);
        outs(i ? ", {\"name\": " : "{\"name\": ", out);
        json_cstr(out, c->name);
        outs(", \"path\": ", out);
        json_cstr(out, c->path);
        outf(out, ", \"physical_type\": \"%s\", \"logical_type\": ", pq_type_name(c->type));
        json_cstr(out, logical_text(&c->logical, buf, sizeof buf));
        outs(", \"converted_type\": ", out);
        json_cstr(out, pq_converted_name(c->converted_type));
        outf(out, ", \"repetition\": \"%s\"", pq_repetition_name(c->repetition));
        if (c->type == PQ_FIXED_LEN_BYTE_ARRAY)
            outf(out, ", \"type_length\": %" PRId32, c->type_length);
        outf(out, ", \"max_definition_level\": %d, \"max_repetition_level\": %d, \"flat\": %s}",
             c->max_def, c->max_rep, c->flat ? "true" : "false");
    }
    outs("]", out);

    outs(", \"row_groups\": [", out);
    for (size_t g = 0; g < nrg; g++) {
        const pq_row_group_meta *rg = pq_file_row_group(f, g);
        outf(out, "%s{\"num_rows\": %" PRId64 ", \"total_byte_size\": %" PRId64 ", \"columns\": [",
             g ? ", " : "", rg->num_rows, rg->total_byte_size);
        for (size_t i = 0; i < ncols; i++) {
            const pq_column_info *c = pq_file_column(f, i);
            const pq_chunk_meta *m = pq_file_chunk(f, g, i);
            outs(i ? ", {\"path\": " : "{\"path\": ", out);
            json_cstr(out, c->path);
            outs(", \"codec\": ", out);
            json_cstr(out, pq_codec_name(m->codec));
            outs(", \"encodings\": [", out);
            encodings_list(out, m->encodings, true);
            outf(out,
                 "], \"num_values\": %" PRId64 ", \"compressed_size\": %" PRId64
                 ", \"uncompressed_size\": %" PRId64 ", \"data_page_offset\": %" PRId64,
                 m->num_values, m->total_compressed_size, m->total_uncompressed_size,
                 m->data_page_offset);
            if (m->dictionary_page_offset >= 0)
                outf(out, ", \"dictionary_page_offset\": %" PRId64, m->dictionary_page_offset);
            const pq_statistics *st = &m->stats;
            outs(", \"statistics\": {", out);
            const char *sep = "";
            if (st->has_null_count) {
                outf(out, "\"null_count\": %" PRId64, st->null_count);
                sep = ", ";
            }
            if (st->has_distinct_count) {
                outf(out, "%s\"distinct_count\": %" PRId64, sep, st->distinct_count);
                sep = ", ";
            }
            if (st->has_min) {
                outf(out, "%s\"min\": ", sep);
                stat_value(out, c, st->min, st->min_len, true);
                sep = ", ";
            }
            if (st->has_max) {
                outf(out, "%s\"max\": ", sep);
                stat_value(out, c, st->max, st->max_len, true);
            }
            outs("}}", out);
        }
        outs("]}", out);
    }
    outs("]", out);

    outs(", \"key_value_metadata\": [", out);
    for (size_t i = 0; i < pq_file_num_kv(f); i++) {
        const pq_kv_pair *kv = pq_file_kv(f, i);
        outs(i ? ", {\"key\": " : "{\"key\": ", out);
        json_str(out, kv->key, kv->key_len);
        outs(", \"value\": ", out);
        if (kv->value)
            json_str(out, kv->value, kv->value_len);
        else
            outs("null", out);
        outs("}", out);
    }
    outs("]}\n", out);
}

/* ---- text description --------------------------------------------------------- */

/* Prints up to max bytes of s, control characters shown as '?', then the
 * full size when cut. */
static void text_excerpt(pq_out *out, const char *s, size_t len, size_t max)
{
    size_t n = len < max ? len : max;
    for (size_t i = 0; i < n; i++) outc((unsigned char)s[i] < 0x20 ? '?' : s[i], out);
    if (len > max) outf(out, "... (%zu bytes)", len);
}

static void describe_text(const pq_file *f, pq_out *out)
{
    size_t ncols = pq_file_num_columns(f), nrg = pq_file_num_row_groups(f);
    char buf[96];
    const char *cb = pq_file_created_by(f);
    outf(out, "file:         %s\n", pq_file_name(f));
    outf(out, "size:         %" PRIu64 " bytes\n", pq_file_size(f));
    outf(out, "created_by:   %s\n", cb ? cb : "-");
    outf(out, "version:      %" PRId32 "\n", pq_file_version(f));
    outf(out, "rows:         %" PRId64 "\n", pq_file_num_rows(f));
    outf(out, "row groups:   %zu\n", nrg);
    outf(out, "columns:      %zu\n", ncols);
    if (nrg && ncols) outf(out, "compression:  %s\n", pq_codec_name(pq_file_chunk(f, 0, 0)->codec));

    int w = 4;
    for (size_t i = 0; i < ncols; i++) {
        int n = (int)strlen(pq_file_column(f, i)->path);
        if (n > w) w = n < 40 ? n : 40;
    }
    outf(out, "\nschema:\n  %-*s  %-20s  %-22s  %s\n", w, "name", "physical", "logical",
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
        outf(out, "  %-*s  %-20s  %-22s  %s%s\n", w, c->path, phys, lt ? lt : "-",
             pq_repetition_name(c->repetition), c->flat ? "" : " (nested)");
    }

    for (size_t g = 0; g < nrg; g++) {
        const pq_row_group_meta *rg = pq_file_row_group(f, g);
        outf(out, "\nrow group %zu: %" PRId64 " rows, %" PRId64 " bytes\n", g, rg->num_rows,
             rg->total_byte_size);
        for (size_t i = 0; i < ncols; i++) {
            const pq_column_info *c = pq_file_column(f, i);
            const pq_chunk_meta *m = pq_file_chunk(f, g, i);
            outf(out, "  %-*s  %-12s  ", w, c->path, pq_codec_name(m->codec));
            encodings_list(out, m->encodings, false);
            outf(out, "  %" PRId64 " -> %" PRId64 " bytes", m->total_compressed_size,
                 m->total_uncompressed_size);
            if (m->stats.has_null_count) outf(out, ", nulls %" PRId64, m->stats.null_count);
            if (m->stats.has_min && m->stats.has_max) {
                outs(", min ", out);
                stat_value(out, c, m->stats.min, m->stats.min_len, false);
                outs(" max ", out);
                stat_value(out, c, m->stats.max, m->stats.max_len, false);
            }
            outc('\n', out);
        }
    }

    size_t nkv = pq_file_num_kv(f);
    outf(out, "\nkey-value metadata: %zu\n", nkv);
    for (size_t i = 0; i < nkv; i++) {
        const pq_kv_pair *kv = pq_file_kv(f, i);
        outs("  ", out);
        text_excerpt(out, kv->key, kv->key_len, 60);
        outs(" = ", out);
        if (kv->value)
            text_excerpt(out, kv->value, kv->value_len, 100);
        else
            outs("(none)", out);
        outc('\n', out);
    }
}

int pq_file_describe(const pq_file *f, bool json, char **text, csfs_error *err)
{
    *text = NULL;
    pq_out o = {{0}, 0};
    if (json)
        describe_json(f, &o);
    else
        describe_text(f, &o);
    if (o.rc == 0) o.rc = csfs_buf_terminate(&o.b, NULL);
    if (o.rc) {
        csfs_buf_free(&o.b);
        return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory for its description",
                         pq_file_name(f));
    }
    *text = o.b.data;
    return 0;
}

int csfs_parquet_info(const char *path, int json, char **text, csfs_error *err)
{
    *text = NULL;
    csfs_error_clear(err);
    pq_file *f;
    int rc = pq_file_open(&f, path, err);
    if (rc) return rc;
    rc = pq_file_describe(f, json != 0, text, err);
    pq_file_close(f);
    return rc;
}
