/*
 * Thrift FileMetaData and PageHeader -> the reader's structs.
 *
 * Field ids are those of parquet.thrift. Unknown fields are skipped, as
 * thrift requires, so files from newer writers still open.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "parquet/pq_reader_internal.h"
#include "parquet/thrift_read.h"

/* Schema nesting deeper than this is refused (real schemas nest a few levels). */
#define SCHEMA_MAX_DEPTH 64

typedef struct schema_el {
    bool has_type, has_rep, has_children, has_name;
    int type, rep;
    int32_t type_length, num_children;
    const uint8_t *name;
    size_t name_len;
    int converted;
    int32_t scale, precision, field_id;
    pq_logical_type logical;
} schema_el;

typedef struct parse {
    pq_tr t;
    pq_file *f;
    csfs_error *err;
    schema_el *els;
    size_t nels;
    size_t *rg_ncols; /* chunk count of each row group */
    size_t rg_ncols_cap;
} parse;

static const char *arena_copy(pq_file *f, const uint8_t *p, size_t n)
{
    /* Cannot overflow: the arena holds twice the footer and every string
     * copied comes out of the footer once. */
    if (f->arena_cap - f->arena_used < n + 1) return "";
    char *s = f->arena + f->arena_used;
    memcpy(s, p, n);
    s[n] = '\0';
    f->arena_used += n + 1;
    return s;
}

static const char *read_string(parse *ps, size_t *len)
{
    const uint8_t *d;
    size_t n;
    if (!pq_tr_binary(&ps->t, &d, &n)) return NULL;
    if (len) *len = n;
    return arena_copy(ps->f, d, n);
}

/* ---- LogicalType ------------------------------------------------------ */

static void parse_time_unit(pq_tr *t, pq_logical_type *lt)
{
    int16_t last, id;
    int type;
    pq_tr_struct_begin(t, &last);
    while (pq_tr_field(t, &last, &id, &type)) {
        if (id >= 1 && id <= 3 && type == PQ_TR_STRUCT) lt->unit = (pq_time_unit)id;
        pq_tr_skip(t, type);
    }
    pq_tr_struct_end(t);
}

static void parse_logical_member(pq_tr *t, int16_t member, pq_logical_type *lt)
{
    int16_t last, id;
    int type;
    pq_tr_struct_begin(t, &last);
    while (pq_tr_field(t, &last, &id, &type)) {
        if (member == PQ_LK_DECIMAL && id == 1 && pq_tr_expect(t, type, PQ_TR_I32))
            lt->scale = pq_tr_i32(t);
        else if (member == PQ_LK_DECIMAL && id == 2 && pq_tr_expect(t, type, PQ_TR_I32))
            lt->precision = pq_tr_i32(t);
        else if ((member == PQ_LK_TIME || member == PQ_LK_TIMESTAMP) && id == 1 &&
                 pq_tr_expect(t, type, PQ_TR_TRUE))
            lt->adjusted_to_utc = pq_tr_bool_field(type);
        else if ((member == PQ_LK_TIME || member == PQ_LK_TIMESTAMP) && id == 2 &&
                 pq_tr_expect(t, type, PQ_TR_STRUCT))
            parse_time_unit(t, lt);
        else if (member == PQ_LK_INTEGER && id == 1 && pq_tr_expect(t, type, PQ_TR_I8))
            lt->bit_width = pq_tr_i8(t);
        else if (member == PQ_LK_INTEGER && id == 2 && pq_tr_expect(t, type, PQ_TR_TRUE))
            lt->is_signed = pq_tr_bool_field(type);
        else
            pq_tr_skip(t, type);
    }
    pq_tr_struct_end(t);
}

static void parse_logical(pq_tr *t, pq_logical_type *lt)
{
    int16_t last, id;
    int type;
    pq_tr_struct_begin(t, &last);
    while (pq_tr_field(t, &last, &id, &type)) {
        if (type != PQ_TR_STRUCT) {
            pq_tr_skip(t, type);
            continue;
        }
        bool known = (id >= 1 && id <= 8) || (id >= 10 && id <= 18);
        lt->kind = known ? (pq_logical_kind)id : PQ_LK_OTHER;
        parse_logical_member(t, id, lt);
    }
    pq_tr_struct_end(t);
}

/* ---- schema ------------------------------------------------------------ */

static void parse_schema_element(parse *ps, schema_el *el)
{
    pq_tr *t = &ps->t;
    memset(el, 0, sizeof *el);
    el->converted = PQ_CONVERTED_NONE;
    el->scale = el->precision = el->field_id = -1;
    int16_t last, id;
    int type;
    pq_tr_struct_begin(t, &last);
    while (pq_tr_field(t, &last, &id, &type)) {
        switch (id) {
        case 1:
            if (pq_tr_expect(t, type, PQ_TR_I32)) el->type = pq_tr_i32(t), el->has_type = true;
            break;
        case 2:
            if (pq_tr_expect(t, type, PQ_TR_I32)) el->type_length = pq_tr_i32(t);
            break;
        case 3:
            if (pq_tr_expect(t, type, PQ_TR_I32)) el->rep = pq_tr_i32(t), el->has_rep = true;
            break;
        case 4:
            if (pq_tr_expect(t, type, PQ_TR_BINARY))
                el->has_name = pq_tr_binary(t, &el->name, &el->name_len);
            break;
        case 5:
            if (pq_tr_expect(t, type, PQ_TR_I32))
                el->num_children = pq_tr_i32(t), el->has_children = true;
            break;
        case 6:
            if (pq_tr_expect(t, type, PQ_TR_I32)) el->converted = pq_tr_i32(t);
            break;
        case 7:
            if (pq_tr_expect(t, type, PQ_TR_I32)) el->scale = pq_tr_i32(t);
            break;
        case 8:
            if (pq_tr_expect(t, type, PQ_TR_I32)) el->precision = pq_tr_i32(t);
            break;
        case 9:
            if (pq_tr_expect(t, type, PQ_TR_I32)) el->field_id = pq_tr_i32(t);
            break;
        case 10:
            if (pq_tr_expect(t, type, PQ_TR_STRUCT)) parse_logical(t, &el->logical);
            break;
        default:
            pq_tr_skip(t, type);
            break;
        }
    }
    pq_tr_struct_end(t);
}

static void parse_schema(parse *ps, int elem_type, size_t n)
{
    if (elem_type != PQ_TR_STRUCT) {
        pq_tr_fail(&ps->t, "schema is not a list of structs");
        return;
    }
    if (ps->els) {
        pq_tr_fail(&ps->t, "schema given twice");
        return;
    }
    ps->els = calloc(n ? n : 1, sizeof *ps->els);
    if (!ps->els) {
        pq_tr_fail(&ps->t, "out of memory");
        return;
    }
    ps->nels = n;
    for (size_t i = 0; i < n && !pq_tr_failed(&ps->t); i++) parse_schema_element(ps, &ps->els[i]);
}

/* Walks the schema tree (depth-first list) and fills the leaf columns. */
typedef struct walk {
    parse *ps;
    size_t next; /* next schema element */
    pq_column_info *cols;
    size_t ncols, cols_cap;
    size_t *path_off; /* each leaf's path offset in paths */
    size_t path_off_cap;
    char *paths;
    size_t paths_len, paths_cap;
} walk;

static int walk_fail(walk *w, int code, const char *what)
{
    return csfs_fail(w->ps->err, code, "%s: %s", w->ps->f->name, what);
}

/* Bound on all paths together: deep schemas with long names would otherwise
 * grow them quadratically in the footer size. */
#define PATHS_MAX ((size_t)64 << 20)

static int walk_children(walk *w, int32_t nchildren, int depth, size_t prefix_off,
                         size_t prefix_len, int def, int rep)
{
    if (depth > SCHEMA_MAX_DEPTH)
        return walk_fail(w, CSFS_E_UNSUPPORTED, "schema nested too deeply");
    parse *ps = w->ps;
    for (int32_t c = 0; c < nchildren; c++) {
        if (w->next >= ps->nels)
            return walk_fail(w, CSFS_E_FORMAT, "schema has fewer elements than num_children says");
        schema_el *el = &ps->els[w->next++];
        if (!el->has_name) return walk_fail(w, CSFS_E_FORMAT, "schema element without a name");
        if (!el->has_rep || el->rep < 0 || el->rep > 2)
            return walk_fail(w, CSFS_E_FORMAT, "schema element without a valid repetition");
        int d = def + (el->rep != PQ_REQUIRED), r = rep + (el->rep == PQ_REPEATED);
        /* This element's path: the parent's, a dot, its name, a NUL. */
        size_t sep = prefix_len ? 1 : 0;
        size_t need = prefix_len + sep + el->name_len + 1;
        if (need > PATHS_MAX - w->paths_len)
            return walk_fail(w, CSFS_E_FORMAT, "schema paths too long");
        if (!pq_grow(&w->paths, &w->paths_cap, w->paths_len + need, 1, SIZE_MAX, UINT64_MAX))
            return walk_fail(w, CSFS_E_NOMEM, "out of memory");
        size_t off = w->paths_len;
        char *dst = w->paths + off;
        memcpy(dst, w->paths + prefix_off, prefix_len);
        if (sep) dst[prefix_len] = '.';
        memcpy(dst + prefix_len + sep, el->name, el->name_len);
        dst[need - 1] = '\0';
        w->paths_len += need;
        size_t len = need - 1;
        int rc;

        if (!el->has_type) {
            if (el->num_children < 0) return walk_fail(w, CSFS_E_FORMAT, "negative num_children");
            rc = walk_children(w, el->num_children, depth + 1, off, len, d, r);
            if (rc) return rc;
            continue;
        }
        if (el->has_children && el->num_children > 0)
            return walk_fail(w, CSFS_E_FORMAT, "schema element with both a type and children");
        if (el->type < PQ_BOOLEAN || el->type > PQ_FIXED_LEN_BYTE_ARRAY)
            return walk_fail(w, CSFS_E_FORMAT, "invalid physical type in the schema");
        if (el->type == PQ_FIXED_LEN_BYTE_ARRAY &&
            (el->type_length < 1 || el->type_length > (1 << 30)))
            return walk_fail(w, CSFS_E_FORMAT, "invalid FIXED_LEN_BYTE_ARRAY type_length");
        if (!pq_grow(&w->cols, &w->cols_cap, w->ncols + 1, sizeof *w->cols, SIZE_MAX, UINT64_MAX) ||
            !pq_grow(&w->path_off, &w->path_off_cap, w->ncols + 1, sizeof *w->path_off, SIZE_MAX,
                     UINT64_MAX))
            return walk_fail(w, CSFS_E_NOMEM, "out of memory");
        pq_column_info *col = &w->cols[w->ncols];
        memset(col, 0, sizeof *col);
        w->path_off[w->ncols] = off;
        w->ncols++;
        col->name = arena_copy(ps->f, el->name, el->name_len);
        col->type = (pq_type)el->type;
        col->repetition = (pq_repetition)el->rep;
        col->type_length = el->type == PQ_FIXED_LEN_BYTE_ARRAY ? el->type_length : 0;
        col->converted_type = el->converted;
        col->scale = el->scale;
        col->precision = el->precision;
        col->field_id = el->field_id;
        col->logical = el->logical;
        col->max_def = d;
        col->max_rep = r;
        col->flat = depth == 1 && el->rep != PQ_REPEATED;
    }
    return 0;
}

static int build_columns(parse *ps)
{
    pq_file *f = ps->f;
    walk w = {.ps = ps, .next = 1};
    if (!ps->els || ps->nels == 0) return walk_fail(&w, CSFS_E_FORMAT, "empty schema");
    schema_el *root = &ps->els[0];
    if (root->num_children < 0) return walk_fail(&w, CSFS_E_FORMAT, "negative num_children");
    int rc = walk_children(&w, root->num_children, 1, 0, 0, 0, 0);
    if (!rc && w.next != ps->nels)
        rc = walk_fail(&w, CSFS_E_FORMAT, "schema has more elements than its tree");
    if (rc) {
        free(w.cols);
        free(w.path_off);
        free(w.paths);
        return rc;
    }
    for (size_t i = 0; i < w.ncols; i++) w.cols[i].path = w.paths + w.path_off[i];
    free(w.path_off);
    f->cols = w.cols;
    f->ncols = w.ncols;
    f->paths = w.paths;
    return 0;
}

/* ---- row groups ---------------------------------------------------------- */

static void parse_statistics(parse *ps, pq_statistics *st)
{
    pq_tr *t = &ps->t;
    const uint8_t *min = NULL, *max = NULL, *min_v = NULL, *max_v = NULL;
    size_t min_n = 0, max_n = 0, min_vn = 0, max_vn = 0;
    int16_t last, id;
    int type;
    pq_tr_struct_begin(t, &last);
    while (pq_tr_field(t, &last, &id, &type)) {
        switch (id) {
        case 1:
            if (pq_tr_expect(t, type, PQ_TR_BINARY)) pq_tr_binary(t, &max, &max_n);
            break;
        case 2:
            if (pq_tr_expect(t, type, PQ_TR_BINARY)) pq_tr_binary(t, &min, &min_n);
            break;
        case 3:
            if (pq_tr_expect(t, type, PQ_TR_I64))
                st->null_count = pq_tr_i64(t), st->has_null_count = true;
            break;
        case 4:
            if (pq_tr_expect(t, type, PQ_TR_I64))
                st->distinct_count = pq_tr_i64(t), st->has_distinct_count = true;
            break;
        case 5:
            if (pq_tr_expect(t, type, PQ_TR_BINARY)) pq_tr_binary(t, &max_v, &max_vn);
            break;
        case 6:
            if (pq_tr_expect(t, type, PQ_TR_BINARY)) pq_tr_binary(t, &min_v, &min_vn);
            break;
        default:
            pq_tr_skip(t, type);
            break;
        }
    }
    pq_tr_struct_end(t);
    if (pq_tr_failed(t)) return;
    /* The new fields have a defined sort order; fall back on the old ones. */
    if (min_v || max_v)
        min = min_v, min_n = min_vn, max = max_v, max_n = max_vn;
    else
        st->legacy_min_max = min || max;
    if (min) st->min = (const uint8_t *)arena_copy(ps->f, min, min_n), st->min_len = min_n;
    if (max) st->max = (const uint8_t *)arena_copy(ps->f, max, max_n), st->max_len = max_n;
    st->has_min = min != NULL;
    st->has_max = max != NULL;
}

/* ColumnMetaData; *type gets its physical type for the check against the schema. */
static bool parse_column_meta(parse *ps, pq_chunk_meta *c, int *ptype)
{
    pq_tr *t = &ps->t;
    bool seen[10] = {false};
    int16_t last, id;
    int type;
    pq_tr_struct_begin(t, &last);
    while (pq_tr_field(t, &last, &id, &type)) {
        bool ok = true;
        switch (id) {
        case 1:
            if ((ok = pq_tr_expect(t, type, PQ_TR_I32))) *ptype = pq_tr_i32(t);
            break;
        case 2: {
            int et;
            size_t n;
            if (!(ok = pq_tr_expect(t, type, PQ_TR_LIST)) || !pq_tr_list(t, &et, &n)) break;
            for (size_t i = 0; i < n && !pq_tr_failed(t); i++) {
                if (et != PQ_TR_I32) {
                    pq_tr_skip(t, et);
                    continue;
                }
                int32_t e = pq_tr_i32(t);
                if (e >= 0 && e < 32) c->encodings |= 1u << e;
            }
            break;
        }
        case 4:
            if ((ok = pq_tr_expect(t, type, PQ_TR_I32))) c->codec = pq_tr_i32(t);
            break;
        case 5:
            if ((ok = pq_tr_expect(t, type, PQ_TR_I64))) c->num_values = pq_tr_i64(t);
            break;
        case 6:
            if ((ok = pq_tr_expect(t, type, PQ_TR_I64))) c->total_uncompressed_size = pq_tr_i64(t);
            break;
        case 7:
            if ((ok = pq_tr_expect(t, type, PQ_TR_I64))) c->total_compressed_size = pq_tr_i64(t);
            break;
        case 9:
            if ((ok = pq_tr_expect(t, type, PQ_TR_I64))) c->data_page_offset = pq_tr_i64(t);
            break;
        case 11:
            if (pq_tr_expect(t, type, PQ_TR_I64)) c->dictionary_page_offset = pq_tr_i64(t);
            break;
        case 12:
            if (pq_tr_expect(t, type, PQ_TR_STRUCT)) parse_statistics(ps, &c->stats);
            break;
        default:
            pq_tr_skip(t, type);
            break;
        }
        if (ok && id >= 1 && id <= 9) seen[id] = true;
    }
    pq_tr_struct_end(t);
    /* Required: type, encodings, codec, num_values, sizes, data_page_offset
     * (path_in_schema is not needed: chunks follow the schema's order). */
    return seen[1] && seen[2] && seen[4] && seen[5] && seen[6] && seen[7] && seen[9];
}

static void parse_column_chunk(parse *ps, pq_chunk_meta *c, int *ptype)
{
    pq_tr *t = &ps->t;
    memset(c, 0, sizeof *c);
    c->dictionary_page_offset = -1;
    *ptype = -1;
    bool has_meta = false;
    int16_t last, id;
    int type;
    pq_tr_struct_begin(t, &last);
    while (pq_tr_field(t, &last, &id, &type)) {
        if (id == 1 && type == PQ_TR_BINARY) {
            const uint8_t *d;
            size_t n;
            if (pq_tr_binary(t, &d, &n) && n > 0) c->external = true;
        } else if (id == 3 && type == PQ_TR_STRUCT) {
            if (!parse_column_meta(ps, c, ptype) && !pq_tr_failed(t))
                pq_tr_fail(t, "ColumnMetaData lacks a required field");
            has_meta = true;
        } else if (id == 8 || id == 9) {
            c->encrypted = true;
            pq_tr_skip(t, type);
        } else {
            pq_tr_skip(t, type);
        }
    }
    pq_tr_struct_end(t);
    if (!has_meta && !c->encrypted && !pq_tr_failed(t))
        pq_tr_fail(t, "column chunk without ColumnMetaData");
}

typedef struct chunk_list {
    pq_chunk_meta *v;
    int *types;
    size_t n, cap, types_cap;
} chunk_list;

static void parse_row_group(parse *ps, pq_row_group_meta *rg, size_t *ncols, chunk_list *cl)
{
    pq_tr *t = &ps->t;
    memset(rg, 0, sizeof *rg);
    bool has_rows = false, has_cols = false;
    int16_t last, id;
    int type;
    pq_tr_struct_begin(t, &last);
    while (pq_tr_field(t, &last, &id, &type)) {
        if (id == 1 && type == PQ_TR_LIST && !has_cols) {
            int et;
            size_t n;
            if (!pq_tr_list(t, &et, &n)) break;
            if (et != PQ_TR_STRUCT) {
                pq_tr_fail(t, "row group columns are not structs");
                break;
            }
            /* Grow by what is actually parsed, not by the claimed count. */
            for (size_t i = 0; i < n && !pq_tr_failed(t); i++) {
                if (!pq_grow(&cl->v, &cl->cap, cl->n + 1, sizeof *cl->v, SIZE_MAX, UINT64_MAX) ||
                    !pq_grow(&cl->types, &cl->types_cap, cl->n + 1, sizeof *cl->types, SIZE_MAX,
                             UINT64_MAX)) {
                    pq_tr_fail(t, "out of memory");
                    break;
                }
                parse_column_chunk(ps, &cl->v[cl->n], &cl->types[cl->n]);
                cl->n++;
            }
            *ncols = n;
            has_cols = true;
        } else if (id == 2 && type == PQ_TR_I64) {
            rg->total_byte_size = pq_tr_i64(t);
        } else if (id == 3 && type == PQ_TR_I64) {
            rg->num_rows = pq_tr_i64(t);
            has_rows = true;
        } else {
            pq_tr_skip(t, type);
        }
    }
    pq_tr_struct_end(t);
    if (!pq_tr_failed(t) && (!has_rows || !has_cols))
        pq_tr_fail(t, "row group lacks num_rows or columns");
    if (!pq_tr_failed(t) && rg->num_rows < 0) pq_tr_fail(t, "negative row count");
}

static void parse_kv_list(parse *ps, size_t n)
{
    pq_tr *t = &ps->t;
    pq_file *f = ps->f;
    if (f->kv) {
        pq_tr_fail(t, "key-value metadata given twice");
        return;
    }
    f->kv = calloc(n ? n : 1, sizeof *f->kv);
    if (!f->kv) {
        pq_tr_fail(t, "out of memory");
        return;
    }
    for (size_t i = 0; i < n && !pq_tr_failed(t); i++) {
        pq_kv_pair *kv = &f->kv[i];
        int16_t last, id;
        int type;
        pq_tr_struct_begin(t, &last);
        while (pq_tr_field(t, &last, &id, &type)) {
            if (id == 1 && type == PQ_TR_BINARY)
                kv->key = read_string(ps, &kv->key_len);
            else if (id == 2 && type == PQ_TR_BINARY)
                kv->value = read_string(ps, &kv->value_len);
            else
                pq_tr_skip(t, type);
        }
        pq_tr_struct_end(t);
        if (!kv->key && !pq_tr_failed(t)) pq_tr_fail(t, "key-value pair without a key");
        f->nkv = i + 1;
    }
}

int pq_parse_footer(pq_file *f, const uint8_t *buf, size_t len, csfs_error *err)
{
    parse ps = {.f = f, .err = err};
    pq_tr *t = &ps.t;
    pq_tr_init(t, buf, len);
    f->arena_cap = 2 * len + 16;
    if (!(f->arena = malloc(f->arena_cap)))
        return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory for the footer", f->name);

    chunk_list cl = {0};
    size_t rg_cap = 0;
    bool seen_schema = false, seen_rows = false, seen_rgs = false, encrypted = false;
    int16_t last, id;
    int type;
    pq_tr_struct_begin(t, &last);
    while (pq_tr_field(t, &last, &id, &type)) {
        int et;
        size_t n;
        switch (id) {
        case 1:
            if (pq_tr_expect(t, type, PQ_TR_I32)) f->version = pq_tr_i32(t);
            break;
        case 2:
            if (pq_tr_expect(t, type, PQ_TR_LIST) && pq_tr_list(t, &et, &n))
                parse_schema(&ps, et, n), seen_schema = true;
            break;
        case 3:
            if (pq_tr_expect(t, type, PQ_TR_I64)) f->num_rows = pq_tr_i64(t), seen_rows = true;
            break;
        case 4:
            if (!pq_tr_expect(t, type, PQ_TR_LIST) || !pq_tr_list(t, &et, &n)) break;
            if (et != PQ_TR_STRUCT || seen_rgs) {
                pq_tr_fail(t, "bad row group list");
                break;
            }
            seen_rgs = true;
            for (size_t i = 0; i < n && !pq_tr_failed(t); i++) {
                if (!pq_grow(&f->rgs, &rg_cap, f->nrg + 1, sizeof *f->rgs, SIZE_MAX, UINT64_MAX) ||
                    !pq_grow(&ps.rg_ncols, &ps.rg_ncols_cap, f->nrg + 1, sizeof *ps.rg_ncols,
                             SIZE_MAX, UINT64_MAX)) {
                    pq_tr_fail(t, "out of memory");
                    break;
                }
                ps.rg_ncols[f->nrg] = 0;
                parse_row_group(&ps, &f->rgs[f->nrg], &ps.rg_ncols[f->nrg], &cl);
                f->nrg++;
            }
            break;
        case 5:
            if (pq_tr_expect(t, type, PQ_TR_LIST) && pq_tr_list(t, &et, &n)) {
                if (et != PQ_TR_STRUCT)
                    pq_tr_fail(t, "bad key-value list");
                else
                    parse_kv_list(&ps, n);
            }
            break;
        case 6:
            if (pq_tr_expect(t, type, PQ_TR_BINARY)) f->created_by = read_string(&ps, NULL);
            break;
        case 8:
            encrypted = true;
            pq_tr_skip(t, type);
            break;
        default:
            pq_tr_skip(t, type);
            break;
        }
    }
    pq_tr_struct_end(t);

    int rc = 0;
    if (pq_tr_failed(t)) {
        rc = csfs_fail(err, strcmp(t->error, "out of memory") ? CSFS_E_FORMAT : CSFS_E_NOMEM,
                       "%s: corrupt footer: %s", f->name, t->error);
    } else if (encrypted) {
        rc = csfs_fail(err, CSFS_E_UNSUPPORTED,
                       "%s: encrypted Parquet files (plaintext footer mode) are not supported",
                       f->name);
    } else if (!seen_schema || !seen_rows || !seen_rgs) {
        rc = csfs_fail(err, CSFS_E_FORMAT,
                       "%s: corrupt footer: lacks schema, num_rows or row groups", f->name);
    } else if (f->num_rows < 0) {
        rc = csfs_fail(err, CSFS_E_FORMAT, "%s: corrupt footer: negative row count", f->name);
    } else {
        rc = build_columns(&ps);
    }
    /* Every row group must have one chunk per leaf column, of its type. */
    for (size_t g = 0; !rc && g < f->nrg; g++) {
        if (ps.rg_ncols[g] != f->ncols)
            rc = csfs_fail(err, CSFS_E_FORMAT,
                           "%s: row group %zu has %zu column chunks for %zu schema columns",
                           f->name, g, ps.rg_ncols[g], f->ncols);
    }
    for (size_t i = 0; !rc && i < cl.n; i++) {
        size_t col = f->ncols ? i % f->ncols : 0;
        if (cl.types[i] != -1 && cl.types[i] != (int)f->cols[col].type)
            rc = csfs_fail(err, CSFS_E_FORMAT,
                           "%s: row group %zu column '%s': chunk type differs from the schema",
                           f->name, i / f->ncols, f->cols[col].path);
    }
    free(ps.els);
    free(ps.rg_ncols);
    free(cl.types);
    f->chunks = cl.v;
    return rc;
}

/* ---- page headers ------------------------------------------------------- */

/* Fills the fields of one sub-header (DataPageHeader, DictionaryPageHeader or
 * DataPageHeaderV2, told by kind) into h. */
static void parse_data_header(pq_tr *t, pq_page_header *h, int kind)
{
    int16_t last, id;
    int type;
    pq_tr_struct_begin(t, &last);
    while (pq_tr_field(t, &last, &id, &type)) {
        if (kind == PQ_PAGE_DATA_V2 && id == 7 && pq_tr_expect(t, type, PQ_TR_TRUE)) {
            h->is_compressed = pq_tr_bool_field(type);
            continue;
        }
        if (type != PQ_TR_I32) {
            pq_tr_skip(t, type);
            continue;
        }
        int32_t v = pq_tr_i32(t);
        if (id == 1)
            h->num_values = v;
        else if (id == 2 && kind == PQ_PAGE_DATA_V2)
            h->num_nulls = v;
        else if (id == 2)
            h->encoding = v;
        else if (id == 3 && kind == PQ_PAGE_DATA)
            h->def_encoding = v;
        else if (id == 4 && kind == PQ_PAGE_DATA_V2)
            h->encoding = v;
        else if (id == 5 && kind == PQ_PAGE_DATA_V2)
            h->def_len = v;
        else if (id == 6 && kind == PQ_PAGE_DATA_V2)
            h->rep_len = v;
    }
    pq_tr_struct_end(t);
}

int pq_parse_page_header(const uint8_t *p, size_t len, pq_page_header *h, size_t *used,
                         const char **why)
{
    pq_tr t;
    pq_tr_init(&t, p, len);
    memset(h, 0, sizeof *h);
    h->type = -1;
    /* Sub-headers are kept apart until the page type is known, so a stray
     * one of another kind cannot overwrite the fields that count. */
    pq_page_header sub[4];
    bool has_sub[4] = {false, false, false, false};
    bool seen_sizes[2] = {false, false};
    int16_t last, id;
    int type;
    pq_tr_struct_begin(&t, &last);
    while (pq_tr_field(&t, &last, &id, &type)) {
        if (id == 1 && type == PQ_TR_I32) {
            h->type = pq_tr_i32(&t);
        } else if (id == 2 && type == PQ_TR_I32) {
            h->uncompressed_size = pq_tr_i32(&t);
            seen_sizes[0] = true;
        } else if (id == 3 && type == PQ_TR_I32) {
            h->compressed_size = pq_tr_i32(&t);
            seen_sizes[1] = true;
        } else if (id == 4 && type == PQ_TR_I32) {
            h->crc = (uint32_t)pq_tr_i32(&t);
            h->has_crc = true;
        } else if ((id == 5 || id == 7 || id == 8) && type == PQ_TR_STRUCT) {
            int kind = id == 5 ? PQ_PAGE_DATA : id == 7 ? PQ_PAGE_DICTIONARY : PQ_PAGE_DATA_V2;
            memset(&sub[kind], 0, sizeof sub[kind]);
            sub[kind].is_compressed = true;
            parse_data_header(&t, &sub[kind], kind);
            has_sub[kind] = true;
        } else {
            pq_tr_skip(&t, type);
        }
    }
    pq_tr_struct_end(&t);
    if (pq_tr_failed(&t)) {
        *why = t.error;
        return -1;
    }
    if (h->type < 0 || !seen_sizes[0] || !seen_sizes[1]) {
        *why = "page header lacks its type or sizes";
        return -1;
    }
    if (h->uncompressed_size < 0 || h->compressed_size < 0) {
        *why = "negative page size";
        return -1;
    }
    if (h->type <= PQ_PAGE_DATA_V2 && has_sub[h->type]) {
        const pq_page_header *d = &sub[h->type];
        h->has_data_header = true;
        h->num_values = d->num_values;
        h->encoding = d->encoding;
        h->def_encoding = d->def_encoding;
        h->num_nulls = d->num_nulls;
        h->def_len = d->def_len;
        h->rep_len = d->rep_len;
        h->is_compressed = d->is_compressed;
    }
    *used = pq_tr_used(&t, p);
    return 0;
}
