#include "listtools/list_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

static size_t strip(const char *p, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    const char *slash = memchr(p, '/', n) ? strrchr(p, '/') : NULL;
    size_t base = slash ? (size_t)(slash - p) + 1 : 0;
    if (n >= base + k + 1 && memcmp(p + n - k, suffix, k) == 0) return n - k;
    return n;
}

int csfs_list_stem(const char *path, char **out, csfs_error *err)
{
    *out = NULL;
    if (strcmp(path, "-") == 0)
        return csfs_fail(err, CSFS_E_ARGUMENT, "reading stdin: give the output name prefix");
    size_t n = strlen(path);
    size_t m = strip(path, n, ".zst");
    if (m == n) m = strip(path, n, ".gz");
    size_t c = strip(path, m, ".c");
    if (c == m) c = strip(path, m, ".parquet");
    *out = malloc(c + 1);
    if (!*out) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    memcpy(*out, path, c);
    (*out)[c] = 0;
    return 0;
}

int csfs_list_out_prefix(const char *input, const char *dir, const char *prefix, char **out,
                         csfs_error *err)
{
    *out = NULL;
    char *stem = NULL;
    const char *name = prefix;
    if (!prefix) {
        int rc = csfs_list_stem(input, &stem, err);
        if (rc) return rc;
        name = stem;
        if (dir) { /* the stem's base name, in dir */
            const char *slash = strrchr(stem, '/');
            if (slash) name = slash + 1;
        }
    }
    size_t n = (dir ? strlen(dir) + 1 : 0) + strlen(name) + 1;
    *out = malloc(n);
    if (*out) snprintf(*out, n, "%s%s%s", dir ? dir : "", dir ? "/" : "", name);
    free(stem);
    return *out ? 0 : csfs_fail(err, CSFS_E_NOMEM, "out of memory");
}
