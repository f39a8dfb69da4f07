/* Opening a Parquet file: the byte source, the footer, and metadata accessors. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "parquet/pq_reader_internal.h"

bool pq_grow(void *buf, size_t *cap, size_t n, size_t size, size_t most, uint64_t limit)
{
    if (n <= *cap) return true;
    if (n > SIZE_MAX / size || (uint64_t)n * size > limit) return false;
    size_t want = *cap > SIZE_MAX / 2 ? n : *cap * 2;
    if (want < 16) want = 16;
    if (want > most) want = most;
    if (want < n) want = n;
    if (want > SIZE_MAX / size || (uint64_t)want * size > limit) want = n;
    void *p = realloc(*(void **)buf, want * size);
    if (!p) return false;
    *(void **)buf = p;
    *cap = want;
    return true;
}

int pq_file_pread(const pq_file *f, uint64_t off, size_t len, uint8_t *dst, csfs_error *err)
{
    if (off > f->size || len > f->size - off)
        return csfs_fail(err, CSFS_E_FORMAT, "%s: truncated file (needs bytes up to %llu of %llu)",
                         f->name, (unsigned long long)(off + len), (unsigned long long)f->size);
    if (f->mem) {
        memcpy(dst, f->mem + off, len);
        return 0;
    }
    while (len > 0) {
        ssize_t r = pread(f->fd, dst, len, (off_t)off);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) return csfs_fail_errno(err, errno, "%s: read failed", f->name);
        if (r == 0) return csfs_fail(err, CSFS_E_FORMAT, "%s: truncated file", f->name);
        dst += r;
        off += (uint64_t)r;
        len -= (size_t)r;
    }
    return 0;
}

static int read_footer(pq_file *f, csfs_error *err)
{
    uint8_t head[4], tail[8];
    if (f->size < 12)
        return csfs_fail(err, CSFS_E_FORMAT, "%s: not a Parquet file (only %llu bytes)", f->name,
                         (unsigned long long)f->size);
    int rc = pq_file_pread(f, f->size - 8, 8, tail, err);
    if (!rc) rc = pq_file_pread(f, 0, 4, head, err);
    if (rc) return rc;
    if (!memcmp(tail + 4, "PARE", 4))
        return csfs_fail(err, CSFS_E_UNSUPPORTED,
                         "%s: encrypted Parquet files (encrypted footer) are not supported",
                         f->name);
    if (memcmp(tail + 4, "PAR1", 4) || memcmp(head, "PAR1", 4))
        return csfs_fail(err, CSFS_E_FORMAT, "%s: not a Parquet file (bad magic bytes)", f->name);
    uint64_t len = (uint64_t)tail[0] | (uint64_t)tail[1] << 8 | (uint64_t)tail[2] << 16 |
                   (uint64_t)tail[3] << 24;
    if (len > f->size - 12)
        return csfs_fail(err, CSFS_E_FORMAT, "%s: footer length %llu exceeds the file", f->name,
                         (unsigned long long)len);
    f->data_end = f->size - 8 - len;
    if (f->mem) return pq_parse_footer(f, f->mem + f->data_end, (size_t)len, err);
    uint8_t *buf = malloc(len ? (size_t)len : 1);
    if (!buf) return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory for the footer", f->name);
    rc = pq_file_pread(f, f->data_end, (size_t)len, buf, err);
    if (!rc) rc = pq_parse_footer(f, buf, (size_t)len, err);
    free(buf);
    return rc;
}

/* Whether created_by names parquet-mr older than 1.2.9 (or without version). */
static bool old_parquet_mr(const char *created_by)
{
    static const char prefix[] = "parquet-mr";
    if (!created_by || strncmp(created_by, prefix, sizeof prefix - 1)) return false;
    const char *v = strstr(created_by, " version ");
    if (!v) return true;
    int major = 0, minor = 0, patch = 0;
    if (sscanf(v + 9, "%d.%d.%d", &major, &minor, &patch) < 1) return true;
    if (major != 1) return major < 1;
    if (minor != 2) return minor < 2;
    return patch < 9;
}

static int open_common(pq_file **out, pq_file *f, const char *name, csfs_error *err)
{
    if (!(f->name = strdup(name))) {
        pq_file_close(f);
        return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", name);
    }
    int rc = read_footer(f, err);
    if (rc) {
        pq_file_close(f);
        return rc;
    }
    f->short_chunk_sizes = old_parquet_mr(f->created_by);
    *out = f;
    return 0;
}

int pq_file_open(pq_file **out, const char *path, csfs_error *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return csfs_fail_errno(err, errno, "%s: cannot open", path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return csfs_fail_errno(err, e, "%s: cannot stat", path);
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return csfs_fail(err, CSFS_E_IO, "%s: not a regular file", path);
    }
    pq_file *f = calloc(1, sizeof *f);
    if (!f) {
        close(fd);
        return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", path);
    }
    f->fd = fd;
    f->size = (uint64_t)st.st_size;
    return open_common(out, f, path, err);
}

int pq_file_open_memory(pq_file **out, const void *data, size_t size, const char *name,
                        csfs_error *err)
{
    *out = NULL;
    pq_file *f = calloc(1, sizeof *f);
    if (!f) return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", name);
    f->fd = -1;
    /* A non-NULL pointer even for an empty buffer marks the memory source. */
    f->mem = data ? data : (const uint8_t *)"";
    f->size = data ? size : 0;
    return open_common(out, f, name, err);
}

void pq_file_close(pq_file *f)
{
    if (!f) return;
    if (f->fd >= 0 && !f->mem) close(f->fd);
    free(f->name);
    free(f->cols);
    free(f->rgs);
    free(f->chunks);
    free(f->kv);
    free(f->arena);
    free(f->paths);
    free(f);
}

const char *pq_file_name(const pq_file *f)
{
    return f->name;
}

uint64_t pq_file_size(const pq_file *f)
{
    return f->size;
}

int32_t pq_file_version(const pq_file *f)
{
    return f->version;
}

int64_t pq_file_num_rows(const pq_file *f)
{
    return f->num_rows;
}

const char *pq_file_created_by(const pq_file *f)
{
    return f->created_by;
}

size_t pq_file_num_row_groups(const pq_file *f)
{
    return f->nrg;
}

const pq_row_group_meta *pq_file_row_group(const pq_file *f, size_t rg)
{
    return rg < f->nrg ? &f->rgs[rg] : NULL;
}

size_t pq_file_num_columns(const pq_file *f)
{
    return f->ncols;
}

const pq_column_info *pq_file_column(const pq_file *f, size_t col)
{
    return col < f->ncols ? &f->cols[col] : NULL;
}

long pq_file_find_column(const pq_file *f, const char *path)
{
    for (size_t i = 0; i < f->ncols; i++)
        if (!strcmp(f->cols[i].path, path)) return (long)i;
    return -1;
}

const pq_chunk_meta *pq_file_chunk(const pq_file *f, size_t rg, size_t col)
{
    if (rg >= f->nrg || col >= f->ncols) return NULL;
    return &f->chunks[rg * f->ncols + col];
}

size_t pq_file_num_kv(const pq_file *f)
{
    return f->nkv;
}

const pq_kv_pair *pq_file_kv(const pq_file *f, size_t i)
{
    return i < f->nkv ? &f->kv[i] : NULL;
}

const char *pq_file_kv_lookup(const pq_file *f, const char *key)
{
    size_t n = strlen(key);
    for (size_t i = 0; i < f->nkv; i++)
        if (f->kv[i].key_len == n && !memcmp(f->kv[i].key, key, n)) return f->kv[i].value;
    return NULL;
}
