/*
 * Inputs that change under the reader, and lists that end in a way that
 * could hide a cut: deterministic versions of the fault tests of
 * tests/python/test_hostile.py (here the file is changed between two reads
 * instead of while csfs runs), plus the scanner's end-of-list checks.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "grasp/csf_text.h"
#include "io/input.h"
#include "testutil.h"

static const char *LIST = "Core subshells:\n  1s\nPeel subshells:\n  2s   2p-  2p\nCSF(s):\n"
                          "  2s ( 2)  2p ( 2)\n                 0\n                  0+\n"
                          " *\n"
                          "  2s ( 2)  2p-( 1)  2p ( 1)\n           1/2      3/2\n"
                          "                           1-\n";

/* Reads `path` to its end through csfs_input in 16-byte reads, calling
 * `meddle` after the first read; returns the final status. */
static int read_all(const char *path, void (*meddle)(const char *path), csfs_error *err)
{
    csfs_input *in;
    int rc = csfs_input_open(path, &in, err);
    if (rc) return rc;
    char buf[16];
    size_t got, reads = 0;
    do {
        rc = csfs_input_read(in, buf, sizeof buf, &got, err);
        if (rc == 0 && reads++ == 0 && meddle) meddle(path);
    } while (rc == 0 && got > 0);
    csfs_input_close(in);
    return rc;
}

static void truncate_half(const char *path)
{
    CHECK_EQ_INT(truncate(path, (off_t)strlen(LIST) / 2), 0);
}

static void append_line(const char *path)
{
    FILE *f = fopen(path, "a");
    CHECK(f != NULL);
    if (f) {
        fputs(" *\n", f);
        fclose(f);
    }
}

static void delete_it(const char *path)
{
    CHECK_EQ_INT(unlink(path), 0);
}

static char other_path[1100];

static void replace_it(const char *path)
{
    CHECK_EQ_INT(tu_write_file(other_path, LIST, strlen(LIST)), 0);
    CHECK_EQ_INT(rename(other_path, path), 0);
}

static void test_changed_while_read(const char *dir)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/list.c", dir);
    snprintf(other_path, sizeof other_path, "%s/other.c", dir);
    csfs_error err;
    size_t n = strlen(LIST);

    CHECK_EQ_INT(tu_write_file(path, LIST, n), 0);
    CHECK_EQ_INT(read_all(path, NULL, &err), 0); /* untouched: fine */

    CHECK_EQ_INT(read_all(path, truncate_half, &err), CSFS_E_IO);
    char want[2200];
    snprintf(want, sizeof want, "%s: the file changed while it was read (%zu bytes when opened, ",
             path, n);
    CHECK_CONTAINS(err.message, want);
    CHECK_CONTAINS(err.message, "truncated, or still being written?");

    CHECK_EQ_INT(tu_write_file(path, LIST, n), 0);
    CHECK_EQ_INT(read_all(path, append_line, &err), CSFS_E_IO);
    snprintf(want, sizeof want, "(%zu bytes when opened, %zu read, %zu now)", n, n + 3, n + 3);
    CHECK_CONTAINS(err.message, want);

    CHECK_EQ_INT(tu_write_file(path, LIST, n), 0);
    CHECK_EQ_INT(read_all(path, delete_it, &err), CSFS_E_IO);
    snprintf(want, sizeof want,
             "%s: the file was deleted or replaced while it was read (the name no longer holds "
             "what was read)",
             path);
    CHECK_CONTAINS(err.message, want);

    CHECK_EQ_INT(tu_write_file(path, LIST, n), 0);
    CHECK_EQ_INT(read_all(path, replace_it, &err), CSFS_E_IO);
    CHECK_CONTAINS(err.message, want);

    /* A file with no name from the start (memfd, an unlinked file held open)
     * is still read: only a change while reading is refused. */
    int fd = memfd_create("list", MFD_CLOEXEC);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_EQ_INT(write(fd, LIST, n), (long long)n);
        char proc[64];
        snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        CHECK_EQ_INT(read_all(proc, NULL, &err), 0);
        close(fd);
    }
}

static int scan(const char *text, int is_last, csfs_chunk_scan *s, csfs_error *err)
{
    return csfs_scan_chunk(text, strlen(text), is_last, s, err);
}

static void test_end_of_list(void)
{
    csfs_chunk_scan s;
    memset(&s, 0, sizeof s);
    csfs_error err;
    const char *rec = "  2s ( 2)  2p ( 2)\n                 0\n                  0+\n";
    char text[512];

    /* A separator as the last content line, even before blank lines. */
    snprintf(text, sizeof text, "%s *\n\n  \n", rec);
    CHECK_EQ_INT(scan(text, 1, &s, &err), 0);
    CHECK_EQ_INT(s.trailing_separator, 4);
    CHECK_EQ_INT(scan(text, 0, &s, &err), 0); /* more may follow (the engine then refuses */
    CHECK_EQ_INT(s.trailing_blank, 4);        /* the blank lines inside the list) */
    CHECK_EQ_INT(s.trailing_separator, 0);
    snprintf(text, sizeof text, "%s *\n", rec);
    CHECK_EQ_INT(scan(text, 0, &s, &err), 0);
    CHECK_EQ_INT(s.trailing_separator, 0); /* not the last chunk: more may follow */
    snprintf(text, sizeof text, " *\n%s", rec);
    CHECK_EQ_INT(scan(text, 1, &s, &err), 0);
    CHECK_EQ_INT(s.trailing_separator, 0);

    /* The last line 3 without a line end: complete only with its parity. */
    snprintf(text, sizeof text, "%s%.*s", rec, 58, rec); /* ends "...   0+" */
    CHECK_EQ_INT(scan(text, 1, &s, &err), 0);
    CHECK_EQ_INT(s.n_rec, 2);
    snprintf(text, sizeof text, "%s%.*s  \r", rec, 58, rec); /* spaces and CR after it */
    CHECK_EQ_INT(scan(text, 1, &s, &err), 0);
    snprintf(text, sizeof text, "%s%.*s", rec, 57, rec); /* "...   0": parity cut off */
    CHECK_EQ_INT(scan(text, 1, &s, &err), CSFS_E_FORMAT);
    CHECK_EQ_INT(err.line, 6);
    CHECK_CONTAINS(err.message, "the file ends inside a CSF's line 3 (no parity sign");
    snprintf(text, sizeof text, "%s%.*s", rec, 42, rec); /* line 3 of spaces only */
    CHECK_EQ_INT(scan(text, 1, &s, &err), CSFS_E_FORMAT);
    CHECK_EQ_INT(err.line, 6);
    CHECK_EQ_INT(scan(text, 0, &s, &err), 0); /* not the end of the file: no judgement */
    /* Cut inside line 2: an incomplete record, as before. */
    snprintf(text, sizeof text, "%s%.*s", rec, 30, rec);
    CHECK_EQ_INT(scan(text, 1, &s, &err), CSFS_E_FORMAT);
    CHECK_CONTAINS(err.message, "incomplete last CSF record");
    csfs_chunk_scan_free(&s);
}

int main(void)
{
    test_changed_while_read(tu_temp_dir());
    test_end_of_list();
    return tu_done();
}
