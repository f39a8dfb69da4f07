/* Score sources: .npy by pread, a Parquet column by row group, memory. */
#include "select/scores.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "grasp/csf_parquet.h"
#include "io/npy.h"
#include "parquet/pq_reader.h"

typedef unsigned long long ull;

typedef enum { SRC_NPY, SRC_PARQUET, SRC_MEMORY } source_kind;

struct score_source {
    source_kind kind;
    char *name;
    uint64_t rows;
    /* .npy */
    FILE *f;
    int item_size, big;
    uint64_t data_offset;
    unsigned char *raw;
    /* Parquet */
    pq_file *pq;
    size_t col;
    uint64_t *rg_first; /* [row groups + 1] */
    size_t cached_rg;   /* row group held in data, or SIZE_MAX */
    pq_column_data data;
    /* memory */
    const void *mem;
    csfs_score_type mem_type;
};

static char *copy_string(const char *s)
{
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

static int open_npy(score_source *s, csfs_error *err)
{
    s->f = fopen(s->name, "rb");
    if (!s->f) return csfs_fail_errno(err, errno, "%s: cannot open", s->name);
    csfs_npy_header h;
    int rc = csfs_npy_read_header(s->f, s->name, &h, err);
    if (rc) return rc;
    if (h.kind != 'f' || (h.size != 4 && h.size != 8))
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: scores must be float32 or float64, not dtype '%s'", s->name, h.descr);
    if (!(h.ndim == 1 || (h.ndim == 2 && h.shape[1] == 1)))
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: scores must be a 1-D array (one score a row; this one has %d "
                         "dimensions)",
                         s->name, h.ndim);
    s->rows = h.count;
    s->item_size = h.size;
    s->big = h.big;
    s->data_offset = h.data_offset;
    struct stat st;
    if (fstat(fileno(s->f), &st) != 0)
        return csfs_fail_errno(err, errno, "%s: cannot stat", s->name);
    uint64_t want = h.data_offset + h.count * (uint64_t)h.size, have = (uint64_t)st.st_size;
    if (have < want)
        return csfs_fail(err, CSFS_E_FORMAT, "%s: truncated .npy file: %llu of %llu scores",
                         s->name, (ull)((have - h.data_offset) / (uint64_t)h.size), (ull)h.count);
    if (have > want)
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: not a readable .npy file: bytes after the array data", s->name);
    s->raw = malloc(SCORE_CHUNK * (size_t)h.size);
    return s->raw ? 0 : csfs_fail(err, CSFS_E_NOMEM, "out of memory");
}

static int numeric(pq_type t)
{
    return t == PQ_FLOAT || t == PQ_DOUBLE || t == PQ_INT32 || t == PQ_INT64;
}

/* The named column, or the file's only FLOAT/DOUBLE one. */
static int choose_column(score_source *s, const char *column, csfs_error *err)
{
    size_t nc = pq_file_num_columns(s->pq);
    if (column) {
        long c = pq_file_find_column(s->pq, column);
        if (c < 0) return csfs_fail(err, CSFS_E_ARGUMENT, "%s: no column '%s'", s->name, column);
        const pq_column_info *ci = pq_file_column(s->pq, (size_t)c);
        if (!ci->flat || !numeric(ci->type))
            return csfs_fail(err, CSFS_E_FORMAT,
                             "%s: column '%s' is not a number column (FLOAT, DOUBLE, INT32 or "
                             "INT64)",
                             s->name, column);
        s->col = (size_t)c;
        return 0;
    }
    long found = -1;
    char names[512] = "";
    size_t used = 0, count = 0;
    for (size_t c = 0; c < nc; c++) {
        const pq_column_info *ci = pq_file_column(s->pq, c);
        if (!ci->flat || (ci->type != PQ_FLOAT && ci->type != PQ_DOUBLE)) continue;
        if (used + strlen(ci->path) + 4 < sizeof names)
            used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", count ? ", " : "",
                                     ci->path);
        found = (long)c;
        count++;
    }
    if (count == 1) {
        s->col = (size_t)found;
        return 0;
    }
    if (count == 0)
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "%s: no floating-point column to read scores from (name one)", s->name);
    return csfs_fail(err, CSFS_E_ARGUMENT,
                     "%s: several floating-point columns (%s): name the one holding the scores",
                     s->name, names);
}

static int open_parquet(score_source *s, const char *column, csfs_error *err)
{
    int rc = pq_file_open(&s->pq, s->name, err);
    if (rc == 0) rc = choose_column(s, column, err);
    if (rc) return rc;
    size_t ng = pq_file_num_row_groups(s->pq);
    s->rg_first = malloc((ng + 1) * sizeof *s->rg_first);
    if (!s->rg_first) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    uint64_t row = 0;
    for (size_t g = 0; g < ng; g++) {
        s->rg_first[g] = row;
        int64_t r = pq_file_row_group(s->pq, g)->num_rows;
        if (r < 0)
            return csfs_fail(err, CSFS_E_FORMAT, "%s: row group %zu: negative row count", s->name,
                             g);
        row += (uint64_t)r;
    }
    s->rg_first[ng] = row;
    s->rows = row;
    s->cached_rg = SIZE_MAX;
    pq_column_data_init(&s->data);
    return 0;
}

int score_source_open(const csfs_select_options *opt, score_source **out, csfs_error *err)
{
    *out = NULL;
    score_source *s = calloc(1, sizeof *s);
    if (!s) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    s->cached_rg = SIZE_MAX;
    int rc = 0;
    if (opt->scores_path) {
        s->name = copy_string(opt->scores_path);
        if (!s->name)
            rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        else if (csfs_is_parquet_file(opt->scores_path)) {
            s->kind = SRC_PARQUET;
            rc = open_parquet(s, opt->column, err);
        } else {
            s->kind = SRC_NPY;
            if (opt->column)
                rc = csfs_fail(err, CSFS_E_ARGUMENT,
                               "%s: a column is named, but this is not a Parquet file",
                               opt->scores_path);
            else
                rc = open_npy(s, err);
        }
    } else {
        s->kind = SRC_MEMORY;
        s->name = copy_string("scores");
        s->mem = opt->scores;
        s->mem_type = opt->scores_type;
        s->rows = opt->n_scores;
        if (!s->name)
            rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        else if (opt->scores_type != CSFS_SCORES_F32 && opt->scores_type != CSFS_SCORES_F64)
            rc = csfs_fail(err, CSFS_E_ARGUMENT, "scores must be float32 or float64");
        else if (!opt->scores && opt->n_scores)
            rc = csfs_fail(err, CSFS_E_ARGUMENT, "no scores given");
    }
    if (rc) {
        score_source_close(s);
        return rc;
    }
    *out = s;
    return 0;
}

void score_source_close(score_source *s)
{
    if (!s) return;
    if (s->f) fclose(s->f);
    free(s->raw);
    if (s->pq) {
        pq_column_data_free(&s->data);
        pq_file_close(s->pq);
    }
    free(s->rg_first);
    free(s->name);
    free(s);
}

uint64_t score_source_rows(const score_source *s)
{
    return s->rows;
}

const char *score_source_name(const score_source *s)
{
    return s->name;
}

int score_source_is_parquet(const score_source *s)
{
    return s->kind == SRC_PARQUET;
}

static int read_npy(score_source *s, uint64_t first, size_t n, double *out, csfs_error *err)
{
    size_t bytes = n * (size_t)s->item_size, got = 0;
    off_t at = (off_t)(s->data_offset + first * (uint64_t)s->item_size);
    while (got < bytes) {
        ssize_t r = pread(fileno(s->f), s->raw + got, bytes - got, at + (off_t)got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return csfs_fail_errno(err, errno, "%s: read error", s->name);
        if (r == 0)
            return csfs_fail(err, CSFS_E_IO, "%s: the file shrank while it was read", s->name);
        got += (size_t)r;
    }
    if (s->big) {
        for (size_t i = 0; i < n; i++) {
            unsigned char *p = s->raw + i * (size_t)s->item_size;
            for (int a = 0, b = s->item_size - 1; a < b; a++, b--) {
                unsigned char t = p[a];
                p[a] = p[b];
                p[b] = t;
            }
        }
    }
    if (s->item_size == 4) {
        const float *v = (const float *)(const void *)s->raw;
        for (size_t i = 0; i < n; i++) out[i] = (double)v[i];
    } else {
        memcpy(out, s->raw, n * sizeof *out);
    }
    return 0;
}

static int read_parquet(score_source *s, uint64_t first, size_t n, double *out, csfs_error *err)
{
    size_t ng = pq_file_num_row_groups(s->pq);
    size_t done = 0;
    while (done < n) {
        uint64_t row = first + done;
        size_t g = s->cached_rg;
        if (g == SIZE_MAX || row < s->rg_first[g] || row >= s->rg_first[g + 1]) {
            size_t lo = 0, hi = ng; /* the row group holding row */
            while (hi - lo > 1) {
                size_t mid = lo + (hi - lo) / 2;
                if (s->rg_first[mid] <= row)
                    lo = mid;
                else
                    hi = mid;
            }
            while (lo + 1 < ng && s->rg_first[lo + 1] <= row) lo++; /* empty groups */
            g = lo;
            s->cached_rg = SIZE_MAX;
            int rc = pq_read_column(s->pq, g, s->col, &s->data, err);
            if (rc) return rc;
            if (s->data.rows != s->rg_first[g + 1] - s->rg_first[g])
                return csfs_fail(err, CSFS_E_FORMAT,
                                 "%s: row group %zu: column holds %zu rows, the row group %llu",
                                 s->name, g, s->data.rows,
                                 (ull)(s->rg_first[g + 1] - s->rg_first[g]));
            s->cached_rg = g;
        }
        size_t at = (size_t)(row - s->rg_first[g]);
        size_t take = s->data.rows - at;
        if (take > n - done) take = n - done;
        const pq_column_data *d = &s->data;
        if (d->defined)
            for (size_t i = 0; i < take; i++)
                if (!d->defined[at + i])
                    return csfs_fail(err, CSFS_E_FORMAT, "%s: row %llu has no score (null)",
                                     s->name, (ull)(row + i));
        const unsigned char *v = (const unsigned char *)d->values + at * d->width;
        double *o = out + done;
        switch (d->type) {
        case PQ_FLOAT:
            for (size_t i = 0; i < take; i++) {
                float x;
                memcpy(&x, v + 4 * i, 4);
                o[i] = (double)x;
            }
            break;
        case PQ_DOUBLE:
            memcpy(o, v, take * sizeof *o);
            break;
        case PQ_INT32:
            for (size_t i = 0; i < take; i++) {
                int32_t x;
                memcpy(&x, v + 4 * i, 4);
                o[i] = (double)x;
            }
            break;
        default:
            for (size_t i = 0; i < take; i++) {
                int64_t x;
                memcpy(&x, v + 8 * i, 8);
                o[i] = (double)x;
            }
            break;
        }
        done += take;
    }
    return 0;
}

/* Bit test for NaN and infinities (exponent all ones): vectorises. */
static int first_non_finite(const double *x, size_t n, size_t *at)
{
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t b;
        memcpy(&b, &x[i], 8);
        any |= (uint64_t)(((b >> 52) & 0x7FF) == 0x7FF);
    }
    if (!any) return 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t b;
        memcpy(&b, &x[i], 8);
        if (((b >> 52) & 0x7FF) == 0x7FF) {
            *at = i;
            return 1;
        }
    }
    return 0;
}

int score_source_read(score_source *s, uint64_t first, size_t n, double *out, csfs_error *err)
{
    if (n > SCORE_CHUNK || first > s->rows || n > s->rows - first)
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: read beyond the scores", s->name);
    int rc = 0;
    if (s->kind == SRC_NPY) {
        rc = read_npy(s, first, n, out, err);
    } else if (s->kind == SRC_PARQUET) {
        rc = read_parquet(s, first, n, out, err);
    } else if (s->mem_type == CSFS_SCORES_F32) {
        const float *v = (const float *)s->mem + first;
        for (size_t i = 0; i < n; i++) out[i] = (double)v[i];
    } else {
        memcpy(out, (const double *)s->mem + first, n * sizeof *out);
    }
    if (rc) return rc;
    size_t at;
    if (first_non_finite(out, n, &at))
        return csfs_fail(err, CSFS_E_FORMAT,
                         "%s: row %llu: the score is %s (NaN and infinite "
                         "scores are errors)",
                         s->name, (ull)(first + at),
                         out[at] != out[at] ? "NaN"
                         : out[at] > 0      ? "+inf"
                                            : "-inf");
    return 0;
}
