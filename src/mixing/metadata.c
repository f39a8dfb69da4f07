/*
 * Key-value metadata of a label file: where the numbers came from (mixing
 * file and CSF list, names and sizes), the header, every block and every
 * level (J, parity, position, energy), and the list's block structure under
 * the same keys a descriptor file uses, so that labels and descriptors can be
 * checked against each other.
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "mixing/labels.h"
#include "mixing/levels.h"

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int begin_value(csfs_mix_meta *m, const char *key, csfs_error *err)
{
    if (m->n == m->cap) {
        size_t c = m->cap ? 2 * m->cap : 32;
        const char **k = realloc(m->keys, c * sizeof *k);
        if (k) m->keys = k;
        size_t *o = realloc(m->offsets, c * sizeof *o);
        if (o) m->offsets = o;
        if (!k || !o) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        m->cap = c;
    }
    m->keys[m->n] = key;
    m->offsets[m->n] = m->storage.len;
    m->n++;
    return 0;
}

static int end_value(csfs_mix_meta *m, csfs_error *err)
{
    return csfs_buf_append(&m->storage, "", 1, err); /* the NUL */
}

static int add_text(csfs_mix_meta *m, const char *key, const char *value, csfs_error *err)
{
    int rc = begin_value(m, key, err);
    if (rc == 0) rc = csfs_buf_append(&m->storage, value, strlen(value), err);
    return rc ? rc : end_value(m, err);
}

static int add_u64(csfs_mix_meta *m, const char *key, uint64_t v, csfs_error *err)
{
    int rc = begin_value(m, key, err);
    if (rc == 0) rc = csfs_buf_printf(&m->storage, err, "%llu", (unsigned long long)v);
    return rc ? rc : end_value(m, err);
}

static int json_jp(csfs_buf *s, int32_t two_j, int8_t parity, csfs_error *err)
{
    char j[16];
    if (two_j < 0 || parity == 0)
        return csfs_buf_printf(s, err, "\"two_j\":null,\"j\":null,\"parity\":null");
    return csfs_buf_printf(s, err, "\"two_j\":%d,\"j\":\"%s\",\"parity\":\"%c\"", two_j,
                           csfs_format_j(two_j, j, sizeof j), parity > 0 ? '+' : '-');
}

static int add_blocks(csfs_mix_meta *m, const csfs_mix_levels *lv, const csfs_mix_list *list,
                      csfs_error *err)
{
    csfs_buf *s = &m->storage;
    int rc = begin_value(m, "csfs.mix.blocks", err);
    if (rc == 0) rc = csfs_buf_append(s, "[", 1, err);
    for (size_t b = 0; rc == 0 && b < list->n_blocks; b++) {
        const csfs_mix_block_info *bi = csfs_mix_levels_block(lv, (int32_t)(b + 1));
        int32_t tj;
        int8_t pa;
        csfs_mix_levels_jp(lv, (int32_t)(b + 1), &tj, &pa);
        rc = csfs_buf_printf(s, err, "%s{\"block\":%zu,\"ncf\":%llu,\"stored\":%s,\"nev\":%d,",
                             b ? "," : "", b + 1, (unsigned long long)list->block_lengths[b],
                             bi ? "true" : "false", bi ? bi->nev : 0);
        if (rc == 0) rc = json_jp(s, tj, pa, err);
        if (rc == 0 && bi && bi->nev > 0) {
            rc = csfs_buf_append(s, ",\"eav\":", 7, err);
            if (rc == 0) rc = csfs_json_double(s, bi->eav, err);
        }
        if (rc == 0) rc = csfs_buf_append(s, "}", 1, err);
    }
    if (rc == 0) rc = csfs_buf_append(s, "]", 1, err);
    return rc ? rc : end_value(m, err);
}

static int add_levels(csfs_mix_meta *m, const csfs_mix_levels *lv, char *const *level_columns,
                      csfs_error *err)
{
    csfs_buf *s = &m->storage;
    int rc = begin_value(m, "csfs.mix.levels", err);
    if (rc == 0) rc = csfs_buf_append(s, "[", 1, err);
    for (size_t i = 0; rc == 0 && i < lv->n_levels; i++) {
        const csfs_mix_level *L = &lv->levels[i];
        rc = csfs_buf_printf(s, err, "%s{\"block\":%d,\"level\":%d,\"level_pos\":%d,", i ? "," : "",
                             L->block, L->k, L->pos);
        if (rc == 0) rc = json_jp(s, L->two_j, L->parity, err);
        if (rc == 0) rc = csfs_buf_append(s, ",\"energy\":", 10, err);
        if (rc == 0) rc = csfs_json_double(s, L->energy, err);
        if (rc == 0) rc = csfs_buf_append(s, ",\"eav\":", 7, err);
        if (rc == 0) rc = csfs_json_double(s, L->eav, err);
        if (rc == 0) rc = csfs_buf_printf(s, err, ",\"rank\":%zu", L->rank);
        if (rc == 0 && level_columns) {
            rc = csfs_buf_append(s, ",\"column\":", 10, err);
            if (rc == 0)
                rc = csfs_buf_json_string(s, level_columns[i], strlen(level_columns[i]), err);
        }
        if (rc == 0) rc = csfs_buf_append(s, "}", 1, err);
    }
    if (rc == 0) rc = csfs_buf_append(s, "]", 1, err);
    return rc ? rc : end_value(m, err);
}

static int add_list(csfs_mix_meta *m, const csfs_mix_list *list, csfs_error *err)
{
    int rc = add_text(m, "csfs.csf_list_file", basename_of(list->name), err);
    if (rc == 0) rc = begin_value(m, "csfs.csf_list_size", err);
    if (rc == 0)
        rc = list->size >= 0 ? csfs_buf_printf(&m->storage, err, "%lld", (long long)list->size)
                             : csfs_buf_append(&m->storage, "unknown", 7, err);
    if (rc == 0) rc = end_value(m, err);
    if (rc == 0) rc = add_text(m, "csfs.csf_list_kind", list->kind, err);
    if (rc == 0) rc = add_text(m, "csfs.mix.jp_check", list->jp_note, err);
    if (rc == 0) rc = add_u64(m, "csfs.csf_count", list->csf_count, err);
    if (rc == 0) rc = add_u64(m, "csfs.block_count", list->n_blocks, err);
    if (rc == 0) rc = begin_value(m, "csfs.block_lengths", err);
    if (rc == 0) rc = csfs_buf_append(&m->storage, "[", 1, err);
    for (size_t b = 0; rc == 0 && b < list->n_blocks; b++)
        rc = csfs_buf_printf(&m->storage, err, b ? ",%llu" : "%llu",
                             (unsigned long long)list->block_lengths[b]);
    if (rc == 0) rc = csfs_buf_append(&m->storage, "]", 1, err);
    return rc ? rc : end_value(m, err);
}

int csfs_mix_meta_build(const csfs_mix_options *opt, const csfs_mix_levels *lv,
                        const csfs_mix_list *list, char *const *level_columns, csfs_mix_meta *m,
                        csfs_error *err)
{
    memset(m, 0, sizeof *m);
    static const char *layouts[] = {"narrow", "wide", "long"};
    const csfs_mix_header *h = &lv->header;
    int rc = add_text(m, "csfs.version", CSFS_VERSION_STRING, err);
    if (rc == 0) rc = add_text(m, "csfs.content", "grasp mixing labels", err);
    if (rc == 0) rc = add_text(m, "csfs.mix.layout", layouts[opt->layout], err);
    if (rc == 0 && opt->layout == CSFS_MIX_WIDE)
        rc = add_text(m, "csfs.mix.values",
                      opt->values == CSFS_MIX_VALUES_COEF ? "coefficient" : "ci2", err);
    if (rc == 0) rc = add_text(m, "csfs.mix.source_file", basename_of(lv->name), err);
    if (rc == 0) rc = add_u64(m, "csfs.mix.source_size", lv->size, err);
    if (rc == 0) rc = add_text(m, "csfs.mix.source_format", lv->format, err);
    if (rc == 0) rc = begin_value(m, "csfs.mix.header", err);
    if (rc == 0)
        rc = csfs_buf_printf(&m->storage, err,
                             "{\"nelec\":%d,\"ncftot\":%d,\"nw\":%d,\"nvectot\":%d,"
                             "\"nvecsiz\":%d,\"nblock\":%d}",
                             h->nelec, h->ncftot, h->nw, h->nvectot, h->nvecsiz, h->nblock);
    if (rc == 0) rc = end_value(m, err);
    if (rc == 0) rc = add_blocks(m, lv, list, err);
    if (rc == 0) rc = add_levels(m, lv, level_columns, err);
    if (rc == 0) rc = add_list(m, list, err);
    if (rc == 0) {
        m->values = malloc(m->n * sizeof *m->values);
        if (!m->values) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    if (rc) {
        csfs_mix_meta_free(m);
        return rc;
    }
    for (size_t i = 0; i < m->n; i++) m->values[i] = m->storage.data + m->offsets[i];
    return 0;
}

void csfs_mix_meta_free(csfs_mix_meta *m)
{
    free(m->keys);
    free(m->values);
    free(m->offsets);
    csfs_buf_free(&m->storage);
    memset(m, 0, sizeof *m);
}
