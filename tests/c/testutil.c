#define _GNU_SOURCE
#include "testutil.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tu_failed;
int tu_passed;
int tu_skipped;

void tu_check_contains(const char *file, int line, const char *haystack, const char *needle)
{
    if (haystack && needle && strstr(haystack, needle)) {
        tu_passed++;
        return;
    }
    tu_failed++;
    fprintf(stderr, "%s:%d: expected \"%s\" to contain \"%s\"\n", file, line,
            haystack ? haystack : "(null)", needle ? needle : "(null)");
}

char *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (n == cap) buf = realloc(buf, (cap *= 2) + 1);
        size_t r = fread(buf + n, 1, cap - n, f);
        if (r == 0) break;
        n += r;
    }
    fclose(f);
    buf[n] = '\0';
    if (len) *len = n;
    return buf;
}

int tu_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(data, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

const char *tu_temp_dir(void)
{
    static char path[4096];
    const char *base = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/csfs-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(path)) {
        perror("mkdtemp");
        exit(2);
    }
    return path;
}

int tu_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

/* Interned paths: one allocation per data file, reachable until exit. */
static struct {
    char *rel, *path;
} tu_paths[512];
static size_t tu_npaths;

static const char *tu_lookup(const char *rel, int quiet)
{
    for (size_t i = 0; i < tu_npaths; i++)
        if (strcmp(tu_paths[i].rel, rel) == 0) return tu_paths[i].path;
    char bundled[4096], shared[4096];
    const char *sub = strncmp(rel, "data/", 5) == 0 ? rel + 5 : rel;
    snprintf(bundled, sizeof bundled, "%s/tests/data/%s", CSFS_SOURCE_DIR, sub);
    snprintf(shared, sizeof shared, "%s/%s", CSFS_SHARED_DIR, rel);
    const char *found = access(bundled, R_OK) == 0  ? bundled
                        : access(shared, R_OK) == 0 ? shared
                                                    : NULL;
    if (!found) {
        if (!quiet) {
            printf("SKIP: needs %s from CSFS_SHARED_DIR (%s lacks it, tests/data does not "
                   "bundle it)\n",
                   rel, CSFS_SHARED_DIR);
            tu_skipped++;
        }
        return NULL;
    }
    if (tu_npaths == sizeof tu_paths / sizeof *tu_paths) {
        fprintf(stderr, "tu_data: too many data files\n");
        exit(2);
    }
    tu_paths[tu_npaths].rel = strdup(rel);
    tu_paths[tu_npaths].path = strdup(found);
    return tu_paths[tu_npaths++].path;
}

const char *tu_data(const char *rel)
{
    return tu_lookup(rel, 0);
}

const char *tu_data_quiet(const char *rel)
{
    return tu_lookup(rel, 1);
}

int tu_done(void)
{
    if (tu_skipped)
        printf("%d passed, %d failed, %d skipped for want of shared data\n", tu_passed, tu_failed,
               tu_skipped);
    else
        printf("%d passed, %d failed\n", tu_passed, tu_failed);
    if (tu_failed) return 1;
    return tu_skipped && !tu_passed ? 77 : 0;
}
