/* Levels of a mixing file: collection, energy order, JSON and text listings. */
#include "mixing/levels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/grow.h"

typedef unsigned long long ull;

/* Above this many blocks without records, listings count them instead of
 * naming each: NBLOCK is a header number no data bounds. */
#define MAX_LISTED_OMITTED 10000

static const char *basename_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static int grow(void **p, size_t *cap, size_t need, size_t elem, csfs_error *err)
{
    return csfs_grow_array(p, cap, need, elem, 16, err);
}

static int add_block(csfs_mix_levels *lv, const csfs_mix_block *b, size_t *bcap, size_t *lcap,
                     csfs_error *err)
{
    int rc = grow((void **)&lv->blocks, bcap, lv->n_blocks + 1, sizeof *lv->blocks, err);
    if (rc == 0)
        rc = grow((void **)&lv->levels, lcap, lv->n_levels + (size_t)b->nev, sizeof *lv->levels,
                  err);
    if (rc) return rc;
    lv->blocks[lv->n_blocks++] = (csfs_mix_block_info){b->jblock, b->ncf, b->nev,       b->iatjpo,
                                                       b->iaspar, b->eav, lv->n_levels, b->offset};
    for (int32_t k = 0; k < b->nev; k++)
        lv->levels[lv->n_levels++] = (csfs_mix_level){
            .block = b->jblock,
            .k = k + 1,
            .pos = b->ivec[k],
            .two_j = csfs_mix_block_two_j(b),
            .parity = (int8_t)(b->iaspar > 0 ? 1 : -1),
            .eav = b->eav,
            .energy = b->eav + b->eval[k],
        };
    return 0;
}

/* Ties are broken by file order, so the order is fully determined. */
static int cmp_energy(const void *a, const void *b, const csfs_mix_level *levels)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    double x = levels[i].energy, y = levels[j].energy;
    if (x < y) return -1;
    if (x > y) return 1;
    return (i > j) - (i < j);
}

/* A merge sort that carries the levels along: qsort has no context argument
 * in C11, and a global would be mutable state. */
static void sort_by_energy(size_t *idx, size_t *tmp, size_t n, const csfs_mix_level *levels)
{
    if (n < 2) return;
    size_t h = n / 2;
    sort_by_energy(idx, tmp, h, levels);
    sort_by_energy(idx + h, tmp, n - h, levels);
    size_t i = 0, j = h, o = 0;
    while (i < h && j < n)
        tmp[o++] = cmp_energy(&idx[j], &idx[i], levels) < 0 ? idx[j++] : idx[i++];
    while (i < h) tmp[o++] = idx[i++];
    while (j < n) tmp[o++] = idx[j++];
    memcpy(idx, tmp, n * sizeof *idx);
}

static int rank_levels(csfs_mix_levels *lv, csfs_error *err)
{
    size_t n = lv->n_levels;
    lv->by_energy = malloc((n ? n : 1) * sizeof *lv->by_energy);
    size_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
    if (!lv->by_energy || !tmp) {
        free(tmp);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) lv->by_energy[i] = i;
    sort_by_energy(lv->by_energy, tmp, n, lv->levels);
    free(tmp);
    for (size_t r = 0; r < n; r++) {
        csfs_mix_level *L = &lv->levels[lv->by_energy[r]];
        const csfs_mix_level *low = &lv->levels[lv->by_energy[0]];
        const csfs_mix_level *prev = &lv->levels[lv->by_energy[r ? r - 1 : 0]];
        L->rank = r + 1;
        /* The same expression as rlevels: (E - E_ref) * Rydberg * 2. */
        L->rel_cm = (L->energy - low->energy) * CSFS_RYDBERG_CM * 2.0;
        L->split_cm = (L->energy - prev->energy) * CSFS_RYDBERG_CM * 2.0;
    }
    return 0;
}

int csfs_mix_levels_collect(csfs_mix_reader *r, const csfs_mix_list *list, csfs_mix_levels *out,
                            csfs_error *err)
{
    memset(out, 0, sizeof *out);
    const char *name = csfs_mix_name(r);
    size_t n = strlen(name) + 1;
    out->name = malloc(n);
    if (!out->name) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    memcpy(out->name, name, n);
    out->size = csfs_mix_file_size(r);
    out->format = csfs_mix_format(r);
    out->marker_bytes = csfs_mix_marker_bytes(r);
    out->big_endian = csfs_mix_big_endian(r);
    out->header = *csfs_mix_get_header(r);
    out->list = list;
    int rc = list ? csfs_mix_check_header(r, list, err) : 0;
    size_t bcap = 0, lcap = 0;
    const csfs_mix_block *b;
    while (rc == 0 && (rc = csfs_mix_next_block(r, &b, err)) == 1) {
        rc = list ? csfs_mix_check_block(r, b, list, err) : 0;
        if (rc == 0) rc = add_block(out, b, &bcap, &lcap, err);
    }
    if (rc == 0) rc = rank_levels(out, err);
    if (rc) csfs_mix_levels_free(out);
    return rc;
}

int csfs_mix_levels_read(const char *path, const csfs_mix_list *list, csfs_mix_levels *out,
                         csfs_error *err)
{
    memset(out, 0, sizeof *out);
    csfs_mix_reader *r;
    int rc = csfs_mix_open(path, &r, err);
    if (rc) return rc;
    rc = csfs_mix_levels_collect(r, list, out, err);
    csfs_mix_close(r);
    return rc;
}

void csfs_mix_levels_free(csfs_mix_levels *lv)
{
    free(lv->name);
    free(lv->blocks);
    free(lv->levels);
    free(lv->by_energy);
    memset(lv, 0, sizeof *lv);
}

const csfs_mix_block_info *csfs_mix_levels_block(const csfs_mix_levels *lv, int32_t jblock)
{
    size_t lo = 0, hi = lv->n_blocks; /* blocks are in increasing JBLOCK order */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (lv->blocks[mid].jblock < jblock)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < lv->n_blocks && lv->blocks[lo].jblock == jblock ? &lv->blocks[lo] : NULL;
}

void csfs_mix_levels_jp(const csfs_mix_levels *lv, int32_t jblock, int32_t *two_j, int8_t *parity)
{
    const csfs_mix_block_info *b = csfs_mix_levels_block(lv, jblock);
    *two_j = -1;
    *parity = 0;
    if (b && b->nev > 0) {
        *two_j = b->iatjpo - 1;
        *parity = (int8_t)(b->iaspar > 0 ? 1 : -1);
    } else if (lv->list && jblock >= 1 && (size_t)jblock <= lv->list->n_blocks) {
        *two_j = lv->list->two_j[jblock - 1];
        *parity = lv->list->parity[jblock - 1];
    }
}

int csfs_json_double(csfs_buf *b, double v, csfs_error *err)
{
    if (!isfinite(v)) return csfs_buf_append(b, "null", 4, err);
    char s[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, v);
        if (strtod(s, NULL) == v) break;
    }
    /* JSON needs a digit after the point and none of "inf"; %g gives
     * neither, but an integral value like "3" must stay a number: fine. */
    return csfs_buf_append(b, s, strlen(s), err);
}

static char parity_char(int8_t p)
{
    return p > 0 ? '+' : p < 0 ? '-' : '?';
}

/* NCF of a block without records: from the list, or, for a single such
 * block, NCFTOT minus the stored blocks (GRASP-MIXING.md 4.1); else -1. */
static int64_t omitted_ncf(const csfs_mix_levels *lv, int32_t jblock, uint64_t n_omitted)
{
    if (lv->list && (size_t)jblock <= lv->list->n_blocks)
        return (int64_t)lv->list->block_lengths[jblock - 1];
    if (n_omitted != 1) return -1;
    uint64_t stored = 0;
    for (size_t i = 0; i < lv->n_blocks; i++) stored += (uint64_t)lv->blocks[i].ncf;
    return (int64_t)lv->header.ncftot - (int64_t)stored;
}

static int json_jp(csfs_buf *o, int32_t two_j, int8_t parity, csfs_error *err)
{
    char j[16];
    if (two_j < 0 || parity == 0)
        return csfs_buf_printf(o, err, "\"two_j\": null, \"j\": null, \"parity\": null");
    return csfs_buf_printf(o, err, "\"two_j\": %d, \"j\": \"%s\", \"parity\": \"%c\"", two_j,
                           csfs_format_j(two_j, j, sizeof j), parity_char(parity));
}

static int json_blocks(const csfs_mix_levels *lv, csfs_buf *o, csfs_error *err)
{
    uint64_t n_omitted = (uint64_t)lv->header.nblock - lv->n_blocks;
    int list_omitted = n_omitted <= MAX_LISTED_OMITTED;
    int rc = csfs_buf_printf(o, err, "  \"blocks\": [");
    int first = 1;
    size_t next = 0;
    for (int64_t jb64 = 1; rc == 0 && jb64 <= lv->header.nblock; jb64++) {
        int32_t jb = (int32_t)jb64;
        const csfs_mix_block_info *b =
            next < lv->n_blocks && lv->blocks[next].jblock == jb ? &lv->blocks[next++] : NULL;
        if (!b && !list_omitted) {
            if (next >= lv->n_blocks) break;
            jb64 = lv->blocks[next].jblock - 1; /* jump to the next stored block */
            continue;
        }
        int32_t tj;
        int8_t pa;
        csfs_mix_levels_jp(lv, jb, &tj, &pa);
        rc = csfs_buf_printf(o, err, "%s\n    {\"block\": %d, \"stored\": %s, ", first ? "" : ",",
                             jb, b ? "true" : "false");
        first = 0;
        if (rc == 0 && b) {
            rc = csfs_buf_printf(o, err,
                                 "\"ncf\": %d, \"nev\": %d, \"iatjpo\": %d, "
                                 "\"iaspar\": %d, ",
                                 b->ncf, b->nev, b->iatjpo, b->iaspar);
        } else if (rc == 0) {
            int64_t ncf = omitted_ncf(lv, jb, n_omitted);
            rc = ncf >= 0 ? csfs_buf_printf(o, err, "\"ncf\": %lld, \"nev\": 0, ", (long long)ncf)
                          : csfs_buf_printf(o, err, "\"ncf\": null, \"nev\": 0, ");
        }
        if (rc == 0) rc = json_jp(o, tj, pa, err);
        if (rc == 0 && b && b->nev > 0) {
            rc = csfs_buf_printf(o, err, ", \"eav\": ");
            if (rc == 0) rc = csfs_json_double(o, b->eav, err);
        }
        if (rc == 0) rc = csfs_buf_printf(o, err, ", \"levels\": [");
        for (int32_t k = 0; rc == 0 && b && k < b->nev; k++)
            rc = csfs_buf_printf(o, err, k ? ", %d" : "%d", lv->levels[b->first_level + k].pos);
        if (rc == 0) rc = csfs_buf_printf(o, err, "]}");
    }
    if (rc == 0)
        rc = csfs_buf_printf(o, err, "\n  ],\n  \"omitted_block_count\": %llu,\n", (ull)n_omitted);
    return rc;
}

int csfs_mix_levels_json(const csfs_mix_levels *lv, csfs_buf *o, csfs_error *err)
{
    const csfs_mix_header *h = &lv->header;
    int rc = csfs_buf_printf(o, err, "{\n  \"file\": ");
    if (rc == 0) rc = csfs_buf_json_string(o, lv->name, strlen(lv->name), err);
    if (rc == 0)
        rc = csfs_buf_printf(o, err,
                             ",\n  \"size\": %llu,\n  \"format\": \"%s\",\n  \"marker_bytes\": %d,"
                             "\n  \"byte_order\": \"%s\",\n  \"header\": {\"nelec\": %d, "
                             "\"ncftot\": %d, \"nw\": %d, \"nvectot\": %d, \"nvecsiz\": %d, "
                             "\"nblock\": %d},\n  \"csf_list\": ",
                             (ull)lv->size, lv->format, lv->marker_bytes,
                             lv->big_endian ? "big" : "little", h->nelec, h->ncftot, h->nw,
                             h->nvectot, h->nvecsiz, h->nblock);
    if (rc == 0)
        rc = lv->list ? csfs_buf_json_string(o, lv->list->name, strlen(lv->list->name), err)
                      : csfs_buf_append(o, "null", 4, err);
    if (rc == 0) rc = csfs_buf_printf(o, err, ",\n  \"rydberg_cm\": %.8f,\n", CSFS_RYDBERG_CM);
    if (rc == 0) rc = json_blocks(lv, o, err);
    if (rc == 0) rc = csfs_buf_printf(o, err, "  \"levels\": [");
    for (size_t r = 0; rc == 0 && r < lv->n_levels; r++) {
        const csfs_mix_level *L = &lv->levels[lv->by_energy[r]];
        rc = csfs_buf_printf(o, err,
                             "%s\n    {\"no\": %zu, \"block\": %d, \"level\": %d, \"pos\": %d, ",
                             r ? "," : "", L->rank, L->block, L->k, L->pos);
        if (rc == 0) rc = json_jp(o, L->two_j, L->parity, err);
        if (rc == 0) rc = csfs_buf_printf(o, err, ", \"energy\": ");
        if (rc == 0) rc = csfs_json_double(o, L->energy, err);
        if (rc == 0) rc = csfs_buf_printf(o, err, ", \"rel_cm\": ");
        if (rc == 0) rc = csfs_json_double(o, L->rel_cm, err);
        if (rc == 0) rc = csfs_buf_printf(o, err, ", \"splitting_cm\": ");
        if (rc == 0) rc = csfs_json_double(o, L->split_cm, err);
        if (rc == 0) rc = csfs_buf_printf(o, err, "}");
    }
    if (rc == 0) rc = csfs_buf_printf(o, err, "\n  ]\n}\n");
    return rc;
}

static int text_blocks(const csfs_mix_levels *lv, csfs_buf *o, csfs_error *err)
{
    uint64_t n_omitted = (uint64_t)lv->header.nblock - lv->n_blocks;
    int rc = csfs_buf_printf(o, err,
                             "block  J^P      NCF     NEV  levels stored (position in "
                             "the block's spectrum)\n");
    size_t next = 0;
    for (int64_t jb64 = 1; rc == 0 && jb64 <= lv->header.nblock; jb64++) {
        int32_t jb = (int32_t)jb64;
        const csfs_mix_block_info *b =
            next < lv->n_blocks && lv->blocks[next].jblock == jb ? &lv->blocks[next++] : NULL;
        if (!b && n_omitted > MAX_LISTED_OMITTED) {
            if (next >= lv->n_blocks) break;
            jb64 = lv->blocks[next].jblock - 1;
            continue;
        }
        int32_t tj;
        int8_t pa;
        char j[16], jp[24];
        csfs_mix_levels_jp(lv, jb, &tj, &pa);
        snprintf(jp, sizeof jp, "%s%c", csfs_format_j(tj, j, sizeof j),
                 tj < 0 ? ' ' : parity_char(pa));
        if (b) {
            rc = csfs_buf_printf(o, err, "%5d  %-6s %7d %7d  ", jb, jp, b->ncf, b->nev);
            for (int32_t k = 0; rc == 0 && k < b->nev; k++)
                rc = csfs_buf_printf(o, err, k ? " %d" : "%d", lv->levels[b->first_level + k].pos);
            if (rc == 0 && b->nev == 0) rc = csfs_buf_printf(o, err, "none (NEV = 0)");
        } else {
            int64_t ncf = omitted_ncf(lv, jb, n_omitted);
            char nc[24] = "?";
            if (ncf >= 0) snprintf(nc, sizeof nc, "%lld", (long long)ncf);
            rc = csfs_buf_printf(o, err, "%5d  %-6s %7s %7d  none (block not in the file)", jb, jp,
                                 nc, 0);
        }
        if (rc == 0) rc = csfs_buf_printf(o, err, "\n");
    }
    if (rc == 0 && n_omitted > MAX_LISTED_OMITTED)
        rc = csfs_buf_printf(o, err, "(%llu blocks without records not listed)\n", (ull)n_omitted);
    return rc;
}

int csfs_mix_levels_text(const csfs_mix_levels *lv, csfs_buf *o, csfs_error *err)
{
    const csfs_mix_header *h = &lv->header;
    int rc = csfs_buf_printf(o, err,
                             "%s: GRASP mixing file, %s, %llu bytes\n"
                             "NELEC = %d  NCFTOT = %d  NW = %d  NVECTOT = %d  NVECSIZ = %d  "
                             "NBLOCK = %d\n\n",
                             basename_of(lv->name), lv->format, (ull)lv->size, h->nelec, h->ncftot,
                             h->nw, h->nvectot, h->nvecsiz, h->nblock);
    if (rc == 0) rc = text_blocks(lv, o, err);
    if (rc == 0)
        rc = csfs_buf_printf(o, err,
                             "\nLevels in ascending energy (cm^-1 with R = %.8f cm^-1, as "
                             "rlevels):\n"
                             "   No   Pos     J P  Block  Level       Energy (a.u.)   "
                             "Levels (cm^-1)  Splitting (cm^-1)\n",
                             CSFS_RYDBERG_CM);
    for (size_t r = 0; rc == 0 && r < lv->n_levels; r++) {
        const csfs_mix_level *L = &lv->levels[lv->by_energy[r]];
        char j[16];
        rc = csfs_buf_printf(o, err, "%5zu %5d %5s %c %6d %6d %19.10f %16.2f %18.2f\n", L->rank,
                             L->pos, csfs_format_j(L->two_j, j, sizeof j), parity_char(L->parity),
                             L->block, L->k, L->energy, L->rel_cm, L->split_cm);
    }
    return rc;
}

int csfs_mix_levels_format(const csfs_mix_levels *lv, int json, char **text, csfs_error *err)
{
    *text = NULL;
    csfs_buf b = {0};
    int rc = json ? csfs_mix_levels_json(lv, &b, err) : csfs_mix_levels_text(lv, &b, err);
    if (rc == 0) rc = csfs_buf_terminate(&b, err);
    if (rc) {
        csfs_buf_free(&b);
        return rc;
    }
    *text = b.data;
    return 0;
}
