/* A minimal test harness: CHECK* macros count and report, tu_done() ends. */
#ifndef CSFS_TESTUTIL_H
#define CSFS_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

extern int tu_failed;
extern int tu_passed;
extern int tu_skipped;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            tu_passed++;                                                                           \
        } else {                                                                                   \
            tu_failed++;                                                                           \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_EQ_INT(a, b)                                                                         \
    do {                                                                                           \
        long long tu_a = (long long)(a), tu_b = (long long)(b);                                    \
        if (tu_a == tu_b) {                                                                        \
            tu_passed++;                                                                           \
        } else {                                                                                   \
            tu_failed++;                                                                           \
            fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, #b,  \
                    tu_a, tu_b);                                                                   \
        }                                                                                          \
    } while (0)

/* CHECK that the C string haystack contains needle. */
#define CHECK_CONTAINS(haystack, needle) tu_check_contains(__FILE__, __LINE__, haystack, needle)

void tu_check_contains(const char *file, int line, const char *haystack, const char *needle);

/* Reads a whole file into a malloc'd buffer (NUL-terminated); NULL on error. */
char *tu_read_file(const char *path, size_t *len);

/* Writes len bytes to path; 0 on success. */
int tu_write_file(const char *path, const void *data, size_t len);

/* A fresh empty directory under $TMPDIR (or /tmp); returns a static-lifetime path. */
const char *tu_temp_dir(void);

/* Number of entries in dir other than . and .. */
int tu_count_entries(const char *dir);

/* Test data, by its place in shared/ ("data/grasp/x.c", "golden/x.raw.npy"):
 * the copy bundled in tests/data (laid out as shared/ without its data/
 * level) if there is one, else the file in CSFS_SHARED_DIR. When neither has
 * it: NULL, after one line "SKIP: needs ..." (the caller skips that part).
 * Paths stay valid until the process ends. */
const char *tu_data(const char *rel);
/* The same without the skip line (for a fallback to bundled data). */
const char *tu_data_quiet(const char *rel);

/* Prints "N passed, N failed[, N skipped]" and returns the exit status: 1 on
 * a failure, 77 (ctest's SKIP_RETURN_CODE) when every part was skipped for
 * want of data, else 0. */
int tu_done(void);

#endif
