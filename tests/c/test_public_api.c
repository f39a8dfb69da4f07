/*
 * The public API added for the CLI and Python (the headers in include/csfs/) and the
 * shared rules behind it: JSON strings, peel names, codec names, the job
 * frame (thread limit, "cancelled"), the serial record reader, split and
 * export of a list through the public functions. Self-contained: the lists
 * are written here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csfs.h"
#include "grasp/csf_serial.h"
#include "testutil.h"

static const char *HEADER = "Core subshells:\n  1s\nPeel subshells:\n  2s   2p-  2p\nCSF(s):\n";
/* Two blocks: 2J = 1 odd (2 CSFs), 2J = 3 odd (1 CSF). */
static const char *BODY = "  2s ( 2)  2p-( 1)\n"
                          "               1/2\n"
                          "                1/2-\n"
                          "  2s ( 1)  2p-( 2)\n"
                          "      1/2\n"
                          "                1/2-\n"
                          " *\n"
                          "  2s ( 2)  2p ( 1)\n"
                          "               3/2\n"
                          "                3/2-\n";

static const char *write_list(const char *dir, const char *name, const char *body)
{
    static char path[4][512];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    size_t n = strlen(HEADER) + strlen(body);
    char *text = malloc(n + 1);
    snprintf(text, n + 1, "%s%s", HEADER, body);
    CHECK(tu_write_file(p, text, n) == 0);
    free(text);
    return p;
}

static void test_json_quote(void)
{
    char *q = csfs_json_quote("a\"b\\c\n\x01", 7);
    CHECK(q && strcmp(q, "\"a\\\"b\\\\c\\u000a\\u0001\"") == 0);
    csfs_free(q);
    /* Valid UTF-8 kept, a stray byte replaced (JSON text is UTF-8). */
    q = csfs_json_quote("\xc3\xa9\xff", 3);
    CHECK(q && strcmp(q, "\"\xc3\xa9\\ufffd\"") == 0);
    csfs_free(q);
}

static void test_peel_names(void)
{
    csfs_peel *p = NULL;
    csfs_error err = {0};
    const char *bad[] = {"2s", "4d "};
    CHECK_EQ_INT(csfs_peel_from_names(bad, 2, &p, &err), CSFS_E_ARGUMENT);
    CHECK_CONTAINS(err.message, "peel name '4d ' is not a subshell name");
    const char *empty[] = {""};
    CHECK_EQ_INT(csfs_peel_from_names(empty, 1, &p, &err), CSFS_E_ARGUMENT);
    CHECK_EQ_INT(csfs_peel_from_names(bad, 0, &p, &err), CSFS_E_ARGUMENT);
    CHECK_CONTAINS(err.message, "names no subshell");
    CHECK_EQ_INT(csfs_peel_parse(" , ", &p, &err), CSFS_E_ARGUMENT);
    CHECK(p == NULL);
    CHECK_EQ_INT(csfs_peel_parse("2s, 2p-", &p, &err), 0);
    CHECK_EQ_INT(csfs_peel_count(p), 2);
    csfs_peel_free(p);
}

static void test_codec_names(void)
{
    csfs_codec c;
    int level;
    csfs_error err = {0};
    CHECK(csfs_codec_parse(" zstd-7 ", &c, &level, &err) == 0 && c == CSFS_CODEC_ZSTD &&
          level == 7);
    CHECK(csfs_codec_parse("ZSTD:22", &c, &level, &err) == 0 && level == 22);
    CHECK(csfs_codec_parse("uncompressed", &c, &level, &err) == 0 && c == CSFS_CODEC_NONE);
    CHECK_EQ_INT(csfs_codec_parse("gzip-3", &c, &level, &err), CSFS_E_ARGUMENT);
    CHECK_EQ_INT(csfs_codec_parse("zstd-23", &c, &level, &err), CSFS_E_ARGUMENT);
    CHECK_EQ_INT(csfs_codec_parse("snappy:2", &c, &level, &err), CSFS_E_ARGUMENT);
}

static void test_serial_reader(const char *dir)
{
    const char *list = write_list(dir, "serial.c", BODY);
    csfs_serial *s = NULL;
    csfs_error err = {0};
    CHECK_EQ_INT(csfs_serial_open(list, NULL, &s, &err), 0);
    csfs_serial_record r;
    uint64_t lines[3], seps[3];
    int n = 0, got;
    while ((got = csfs_serial_next(s, &r, &err)) == 1 && n < 3) {
        lines[n] = r.line_no;
        seps[n] = r.seps_before;
        CHECK_EQ_INT(r.index, n);
        n++;
    }
    CHECK_EQ_INT(got, 0);
    CHECK_EQ_INT(n, 3);
    CHECK_EQ_INT(r.index, 3);       /* the count, at the end */
    CHECK_EQ_INT(r.seps_before, 0); /* no trailing separator */
    CHECK(lines[0] == 6 && lines[1] == 9 && lines[2] == 13);
    CHECK(seps[0] == 0 && seps[1] == 0 && seps[2] == 1);
    csfs_serial_close(s);
}

static void test_job_frame(const char *dir)
{
    const char *list = write_list(dir, "frame.c", BODY);
    csfs_error err = {0};
    /* One thread limit for every job. */
    csfs_export_options x;
    csfs_export_options_init(&x);
    x.input = list;
    x.output = "never.c";
    x.threads = 1025;
    CHECK_EQ_INT(csfs_export_run(&x, NULL, &err), CSFS_E_ARGUMENT);
    CHECK_CONTAINS(err.message, "threads must be between 1 and 1024");
    csfs_convert_options c;
    csfs_convert_options_init(&c);
    c.input = list;
    c.output = "never.parquet";
    c.threads = 1025;
    CHECK_EQ_INT(csfs_convert_run(&c, NULL, &err), CSFS_E_ARGUMENT);
    CHECK_CONTAINS(err.message, "threads must be between 1 and 1024");
    /* One wording of a cancel, and nothing left behind. */
    volatile int cancel = 1;
    char out[600];
    snprintf(out, sizeof out, "%s/cancelled.c", dir);
    x.threads = 0;
    x.output = out;
    x.cancel = &cancel;
    CHECK_EQ_INT(csfs_export_run(&x, NULL, &err), CSFS_E_CANCELLED);
    CHECK_CONTAINS(err.message, ": cancelled");
    csfs_split_options so;
    csfs_split_options_init(&so);
    CHECK_EQ_INT(so.copy_w, 1);
    so.input = list;
    so.dir = dir;
    so.prefix = "cut";
    so.cancel = &cancel;
    CHECK_EQ_INT(csfs_split_run(&so, NULL, &err), CSFS_E_CANCELLED);
    CHECK_CONTAINS(err.message, ": cancelled");
    FILE *f = fopen(out, "r");
    CHECK(f == NULL);
    if (f) fclose(f);
}

static void test_split_and_export(const char *dir)
{
    const char *list = write_list(dir, "two.c", BODY);
    csfs_error err = {0};
    csfs_split_options so;
    csfs_split_options_init(&so);
    so.input = list;
    so.dir = dir;
    so.prefix = "two";
    csfs_split_summary sum;
    CHECK_EQ_INT(csfs_split_run(&so, &sum, &err), 0);
    CHECK(sum.n_outputs == 2 && sum.two_j[0] == 1 && sum.two_j[1] == 3);
    CHECK(sum.csfs[0] == 2 && sum.csfs[1] == 1 && sum.parity[0] == -1);
    /* A list whose blocks disagree on J inside one block is refused. */
    char mixed[1024];
    snprintf(mixed, sizeof mixed, "%.*s%s", (int)(strstr(BODY, " *\n") - BODY), BODY,
             strstr(BODY, " *\n") + 3);
    const char *bad = write_list(dir, "mixed.c", mixed);
    so.input = bad;
    so.prefix = "mixed";
    CHECK_EQ_INT(csfs_split_run(&so, NULL, &err), CSFS_E_FORMAT);
    CHECK_CONTAINS(err.message, "a block must hold one J and parity");
    /* Export of a list through the same reader: rows 0 and 2, a separator between. */
    csfs_export_options x;
    csfs_export_options_init(&x);
    char out[600];
    snprintf(out, sizeof out, "%s/some.c", dir);
    uint64_t rows[2] = {2, 0};
    x.input = list;
    x.output = out;
    x.has_rows = 1;
    x.rows = rows;
    x.n_rows = 2;
    csfs_export_summary es;
    CHECK_EQ_INT(csfs_export_run(&x, &es, &err), 0);
    CHECK(es.csf_count == 2 && es.block_count == 2 && es.input_rows == 3);
    size_t len;
    char *text = tu_read_file(out, &len);
    char want[1024];
    snprintf(want, sizeof want, "%s%.*s *\n%s", HEADER, 3 * 19 + 2,
             "  2s ( 2)  2p-( 1)\n               1/2\n                1/2-\n",
             strstr(BODY, " *\n") + 3);
    CHECK(text && strcmp(text, want) == 0);
    free(text);
}

int main(void)
{
    const char *dir = tu_temp_dir();
    test_json_quote();
    test_peel_names();
    test_codec_names();
    test_serial_reader(dir);
    test_job_frame(dir);
    test_split_and_export(dir);
    return tu_done();
}
