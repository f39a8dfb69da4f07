/*
 * The J blocks of a list as row ranges, and the conversions between global
 * rows and (block, position). Block bounds are read by the one reader of a
 * list's block structure (mixing/list_blocks.c: text separators, Parquet
 * csfs.block_lengths metadata, V2 total_two_j/parity runs).
 */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "mixing/reader.h"

typedef unsigned long long ull;

static int from_first(const uint64_t *first_or_null, const uint64_t *lengths, size_t n,
                      csfs_blocks *out, csfs_error *err)
{
    memset(out, 0, sizeof *out);
    out->first = malloc((n + 1) * sizeof *out->first);
    if (!out->first) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    uint64_t row = 0;
    for (size_t b = 0; b < n; b++) {
        out->first[b] = first_or_null ? first_or_null[b] : row;
        if (!first_or_null && lengths[b] > UINT64_MAX - row) {
            free(out->first);
            out->first = NULL;
            return csfs_fail(err, CSFS_E_ARGUMENT, "block lengths add up to more than 2^64");
        }
        row = first_or_null ? first_or_null[b + 1] : row + lengths[b];
    }
    out->first[n] = row;
    out->n_blocks = n;
    out->csf_count = row;
    return 0;
}

int csfs_blocks_read(const char *path, csfs_blocks *out, csfs_error *err)
{
    memset(out, 0, sizeof *out);
    csfs_mix_list l;
    int rc = csfs_mix_list_read(path, &l, err);
    if (rc) return rc;
    rc = from_first(l.block_first, NULL, l.n_blocks, out, err);
    csfs_mix_list_free(&l);
    return rc;
}

int csfs_blocks_from_lengths(const uint64_t *lengths, size_t n_blocks, csfs_blocks *out,
                             csfs_error *err)
{
    return from_first(NULL, lengths, n_blocks, out, err);
}

void csfs_blocks_free(csfs_blocks *b)
{
    if (!b) return;
    free(b->first);
    memset(b, 0, sizeof *b);
}

/* The block holding row (< csf_count): the last block starting at or before
 * it, which skips empty blocks. */
static size_t block_of(const csfs_blocks *b, uint64_t row)
{
    size_t lo = 0, hi = b->n_blocks; /* first[lo] <= row < first[hi] */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->first[mid] <= row)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int csfs_rows_to_blocks(const csfs_blocks *b, const uint64_t *rows, size_t n, uint64_t *block,
                        uint64_t *pos, csfs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (rows[i] >= b->csf_count)
            return csfs_fail(err, CSFS_E_ARGUMENT,
                             "row %llu (entry %zu) is out of range: the list has %llu CSFs",
                             (ull)rows[i], i, (ull)b->csf_count);
        size_t k = block_of(b, rows[i]);
        block[i] = (uint64_t)k + 1;
        pos[i] = rows[i] - b->first[k] + 1;
    }
    return 0;
}

int csfs_blocks_to_rows(const csfs_blocks *b, const uint64_t *block, const uint64_t *pos, size_t n,
                        uint64_t *rows, csfs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (block[i] < 1 || block[i] > b->n_blocks)
            return csfs_fail(err, CSFS_E_ARGUMENT,
                             "block %llu (entry %zu) is out of range: the list has %zu blocks, "
                             "numbered from 1",
                             (ull)block[i], i, b->n_blocks);
        size_t k = (size_t)block[i] - 1;
        uint64_t len = b->first[k + 1] - b->first[k];
        if (pos[i] < 1 || pos[i] > len)
            return csfs_fail(err, CSFS_E_ARGUMENT,
                             "position %llu in block %llu (entry %zu) is out of range: the block "
                             "has %llu CSFs, numbered from 1",
                             (ull)pos[i], (ull)block[i], i, (ull)len);
        rows[i] = b->first[k] + pos[i] - 1;
    }
    return 0;
}

int csfs_rows_check(uint64_t csf_count, const uint64_t *rows, size_t n, const char *name,
                    csfs_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (rows[i] >= csf_count)
            return csfs_fail(err, CSFS_E_ARGUMENT,
                             "%s: entry %zu: row %llu is out of range (the list has %llu CSFs, "
                             "rows 0..%lld)",
                             name, i, (ull)rows[i], (ull)csf_count, (long long)csf_count - 1);
        if (i && rows[i] == rows[i - 1])
            return csfs_fail(err, CSFS_E_ARGUMENT,
                             "%s: entry %zu: row %llu is repeated (entry %zu has it too)", name, i,
                             (ull)rows[i], i - 1);
        if (i && rows[i] < rows[i - 1])
            return csfs_fail(err, CSFS_E_ARGUMENT,
                             "%s: entry %zu: row %llu comes after row %llu: rows must be "
                             "ascending",
                             name, i, (ull)rows[i], (ull)rows[i - 1]);
    }
    return 0;
}
