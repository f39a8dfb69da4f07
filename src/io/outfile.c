#define _GNU_SOURCE
#include "io/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

/* "<dir>/.<base>.csfs-XXXXXX": hidden, and in the destination's directory. */
static char *temp_template(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    size_t n = dir_len + 1 + strlen(base) + sizeof ".csfs-XXXXXX";
    char *t = malloc(n);
    if (!t) return NULL;
    snprintf(t, n, "%.*s.%s.csfs-XXXXXX", (int)dir_len, path, base);
    return t;
}

int csfs_outfile_open(csfs_outfile *out, const char *path, int force, csfs_error *err)
{
    memset(out, 0, sizeof *out);
    out->fd = -1;
    out->force = force;
    struct stat st;
    if (!force && lstat(path, &st) == 0)
        return csfs_fail(err, CSFS_E_EXISTS, "%s: output exists", path);
    size_t len = strlen(path);
    if (len == 0 || path[len - 1] == '/')
        return csfs_fail(err, CSFS_E_ARGUMENT, "'%s': output must name a file", path);
    out->path = dup_str(path);
    out->tmp_path = temp_template(path);
    if (!out->path || !out->tmp_path) {
        csfs_outfile_abort(out);
        return csfs_fail(err, CSFS_E_NOMEM, "%s: out of memory", path);
    }
    out->fd = mkostemp(out->tmp_path, O_CLOEXEC);
    if (out->fd < 0) {
        int e = errno;
        free(out->tmp_path);
        out->tmp_path = NULL;
        csfs_outfile_abort(out);
        return csfs_fail_errno(err, e, "%s: cannot create output", path);
    }
    return 0;
}

int csfs_outfile_write(csfs_outfile *out, const void *buf, size_t n, csfs_error *err)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(out->fd, p, n > (size_t)INT_MAX ? (size_t)INT_MAX : n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return csfs_fail_errno(err, errno, "%s: write failed", out->path);
        }
        if (w == 0) return csfs_fail(err, CSFS_E_IO, "%s: write made no progress", out->path);
        p += w;
        n -= (size_t)w;
        out->offset += (uint64_t)w;
    }
    return 0;
}

int csfs_outfile_commit(csfs_outfile *out, csfs_error *err)
{
    /* Regular permissions (mkstemp makes 0600): what open(..., 0666) would give. */
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(out->fd, 0666 & ~mask) != 0 || fsync(out->fd) != 0) {
        int e = errno;
        if (e != EINVAL && e != EROFS) {
            csfs_fail_errno(err, e, "%s: cannot finish output", out->path);
            csfs_outfile_abort(out);
            return CSFS_E_IO;
        }
    }
    int fd = out->fd;
    out->fd = -1;
    if (close(fd) != 0) {
        csfs_fail_errno(err, errno, "%s: cannot finish output", out->path);
        csfs_outfile_abort(out);
        return CSFS_E_IO;
    }
    if (!out->force) {
        /* link() refuses to replace a file that appeared meanwhile. */
        if (link(out->tmp_path, out->path) == 0) {
            unlink(out->tmp_path);
            free(out->tmp_path);
            out->tmp_path = NULL;
            csfs_outfile_abort(out); /* releases the names */
            return 0;
        }
        if (errno == EEXIST) {
            csfs_fail(err, CSFS_E_EXISTS, "%s: output exists", out->path);
            csfs_outfile_abort(out);
            return CSFS_E_EXISTS;
        }
        /* Filesystems without hard links: fall back to rename. */
    }
    if (rename(out->tmp_path, out->path) != 0) {
        csfs_fail_errno(err, errno, "%s: cannot publish output", out->path);
        csfs_outfile_abort(out);
        return CSFS_E_IO;
    }
    free(out->tmp_path);
    out->tmp_path = NULL;
    csfs_outfile_abort(out); /* releases the names */
    return 0;
}

void csfs_outfile_abort(csfs_outfile *out)
{
    if (out->fd >= 0) close(out->fd);
    out->fd = -1;
    if (out->tmp_path) unlink(out->tmp_path);
    free(out->tmp_path);
    out->tmp_path = NULL;
    free(out->path);
    out->path = NULL;
}

int csfs_same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
