/* The public row-file entry points (csfs/select.h) over rows/rows_file. */
#include <stdlib.h>

#include "rows/rows_file.h"

int csfs_rows_read(const char *path, uint64_t **rows, size_t *n, csfs_error *err)
{
    return csfs_rows_load(path, rows, n, err);
}

int csfs_rows_write(const char *path, const uint64_t *rows, size_t n, int force, csfs_error *err)
{
    return csfs_rows_write_file(path, rows, n, 1, force, err);
}

int csfs_pairs_read(const char *path, uint64_t **values, size_t *n, csfs_error *err)
{
    return csfs_rows_load_pairs(path, values, n, err);
}

int csfs_pairs_write(const char *path, const uint64_t *values, size_t n, int force, csfs_error *err)
{
    return csfs_rows_write_file(path, values, n, 2, force, err);
}

void csfs_rows_free(uint64_t *rows)
{
    free(rows);
}
