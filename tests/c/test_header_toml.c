/*
 * Header TOML: the writer's bytes (rCSFs layout, spelled out below from the
 * toml crate's rules), the sidecar path rule, and the reader: round trips and
 * malformed input with line numbers.
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "grasp/csf_text.h"
#include "grasp/header_toml.h"
#include "grasp/peel.h"
#include "testutil.h"

#define SAMPLE tu_data("data/grasp/rcsfs_sample.c") /* bundled in tests/data */

/* rcsfs_sample.c: 28 CSFs in one block. Rules: [header_info] first; the
 * 5-item array one item a line with 4 spaces and a trailing comma; a blank
 * line before [conversion_stats]; counts as bare integers; final LF. */
static const char SAMPLE_TOML[] =
    "[header_info]\n"
    "header_lines = [\n"
    "    \"Core subshells:\",\n"
    "    \"  1s   2s   2p-  2p   3s   3p-  3p   3d-  3d   4s   4p-  4p\",\n"
    "    \"Peel subshells:\",\n"
    "    \"  5s   4d-  4d   5p-  5p   6s   4f-  4f   5d-  5d   6p-  6p   7s   5f-  5f   6d-  "
    "6d   7p-  7p   8s   5g-  5g   6f-  6f   7d-  7d   8p-  8p   9s\",\n"
    "    \"CSF(s):\",\n"
    "]\n"
    "\n"
    "[conversion_stats]\n"
    "csf_count = 28\n"
    "total_lines = 84\n"
    "truncated_count = 0\n";

static void info_from_lines(csfs_header_info *info, const char *const lines[5])
{
    memset(info, 0, sizeof *info);
    for (int i = 0; i < 5; i++) {
        info->lines[i] = lines[i];
        info->lens[i] = strlen(lines[i]);
    }
}

static char *format(const csfs_header_info *info)
{
    csfs_buf out = {0};
    csfs_error err = {0};
    int rc = csfs_header_toml_format(info, &out, &err);
    if (rc) {
        fprintf(stderr, "format failed: %s\n", err.message);
        csfs_buf_free(&out);
        return NULL;
    }
    csfs_buf_terminate(&out, &err);
    return out.data;
}

static void test_sample_bytes(const char *dir)
{
    csfs_text_reader *r;
    csfs_error err = {0};
    CHECK_EQ_INT(csfs_text_open(SAMPLE, 0, &r, &err), 0);
    const csfs_header *h = csfs_text_header(r);
    csfs_header_info info;
    memset(&info, 0, sizeof info);
    for (int i = 0; i < 5; i++) {
        info.lines[i] = h->lines[i];
        info.lens[i] = h->lens[i];
    }
    info.csf_count = 28;
    info.total_lines = csfs_header_total_lines(28, 1);
    CHECK_EQ_INT(info.total_lines, 84);
    uint64_t one[1] = {28};
    info.block_lengths = one;
    info.n_blocks = 1; /* one block: no [block_info], as rCSFs 1.2 */
    char *text = format(&info);
    CHECK(text && strcmp(text, SAMPLE_TOML) == 0);

    /* The file: atomic, refused when it exists, replaced with force. */
    char path[4200];
    snprintf(path, sizeof path, "%s/rcsfs_sample_header.toml", dir);
    CHECK_EQ_INT(csfs_header_toml_write(path, &info, 0, &err), 0);
    size_t len;
    char *back = tu_read_file(path, &len);
    CHECK(back && len == strlen(SAMPLE_TOML) && memcmp(back, SAMPLE_TOML, len) == 0);
    free(back);
    CHECK_EQ_INT(csfs_header_toml_write(path, &info, 0, &err), CSFS_E_EXISTS);
    CHECK_EQ_INT(csfs_header_toml_write(path, &info, 1, &err), 0);
    CHECK_EQ_INT(tu_count_entries(dir), 1); /* no temporary left */

    /* Round trip through the reader. */
    csfs_header_toml t;
    CHECK_EQ_INT(csfs_header_toml_read(path, &t, &err), 0);
    for (int i = 0; i < 5; i++)
        CHECK(t.lens[i] == h->lens[i] && memcmp(t.lines[i], h->lines[i], h->lens[i]) == 0);
    CHECK(t.has_csf_count && t.csf_count == 28);
    CHECK(t.has_total_lines && t.total_lines == 84);
    CHECK(t.has_truncated_count && t.truncated_count == 0);
    CHECK(!t.has_block_info);
    csfs_peel *peel = NULL;
    CHECK_EQ_INT(csfs_header_toml_peel(&t, &peel, &err), 0);
    CHECK(peel && csfs_peel_count(peel) == 29);
    CHECK(peel && strcmp(csfs_peel_name(peel, 0), "5s") == 0);
    CHECK(peel && strcmp(csfs_peel_name(peel, 28), "9s") == 0);
    csfs_peel_free(peel);
    csfs_header_toml_free(&t);
    free(text);
    csfs_text_close(r);
}

/* Strings: the first form that needs no escape (toml_writer as_default). */
static void test_escaping(void)
{
    static const char *const lines[5] = {
        "say \"hi\"",    /* '"' and no '\'': literal */
        "back\\slash",   /* '\\': literal */
        "it's \"both\"", /* both quotes, no '\\': multi-line basic */
        "it's a\\b",     /* '\'' and '\\': multi-line literal */
        "tab\there",     /* tab: basic with \t */
    };
    csfs_header_info info;
    info_from_lines(&info, lines);
    char *text = format(&info);
    static const char expect[] = "[header_info]\n"
                                 "header_lines = [\n"
                                 "    'say \"hi\"',\n"
                                 "    'back\\slash',\n"
                                 "    \"\"\"it's \"both\"\"\"\",\n"
                                 "    '''it's a\\b''',\n"
                                 "    \"tab\\there\",\n"
                                 "]\n"
                                 "\n"
                                 "[conversion_stats]\n"
                                 "csf_count = 0\n"
                                 "total_lines = 0\n"
                                 "truncated_count = 0\n";
    CHECK(text && strcmp(text, expect) == 0);

    /* Round trip of every form through the reader. */
    csfs_header_toml t;
    csfs_error err = {0};
    CHECK_EQ_INT(csfs_header_toml_parse(text, strlen(text), "esc.toml", &t, &err), 0);
    for (int i = 0; i < 5; i++) CHECK(t.lines[i] && strcmp(t.lines[i], lines[i]) == 0);
    csfs_header_toml_free(&t);
    free(text);

    /* Control characters and '\'' + '\\' + "'''" force an escaped basic string. */
    static const char *const hard[5] = {"a\x01z", "x'''\\y", "del\x7f", "cr\rlf", ""};
    info_from_lines(&info, hard);
    text = format(&info);
    CHECK(text && strstr(text, "    \"a\\u0001z\",\n"));
    CHECK(text && strstr(text, "    \"x'''\\\\y\",\n"));
    CHECK(text && strstr(text, "    \"del\\u007F\",\n"));
    CHECK(text && strstr(text, "    \"cr\\rlf\",\n"));
    CHECK(text && strstr(text, "    \"\",\n"));
    CHECK_EQ_INT(csfs_header_toml_parse(text, strlen(text), "hard.toml", &t, &err), 0);
    for (int i = 0; i < 5; i++) CHECK(t.lines[i] && strcmp(t.lines[i], hard[i]) == 0);
    csfs_header_toml_free(&t);
    free(text);

    /* Not UTF-8: TOML cannot hold it. */
    static const char *const bad[5] = {"ok", "\xff", "", "", ""};
    info_from_lines(&info, bad);
    csfs_buf out = {0};
    CHECK_EQ_INT(csfs_header_toml_format(&info, &out, &err), CSFS_E_FORMAT);
    CHECK_CONTAINS(err.message, "header line 2 is not UTF-8");
    csfs_buf_free(&out);
}

static void test_block_info(void)
{
    static const char *const lines[5] = {"Core subshells:", "  1s",
                                         "Peel subshells:", "  2s   2p-  2p", "CSF(s):"};
    csfs_header_info info;
    info_from_lines(&info, lines);
    uint64_t blocks[3] = {4, 0, 7}; /* an empty block in the middle */
    info.block_lengths = blocks;
    info.n_blocks = 3;
    info.csf_count = 11;
    info.total_lines = csfs_header_total_lines(11, 3);
    CHECK_EQ_INT(info.total_lines, 35);
    char *text = format(&info);
    static const char expect[] = "[header_info]\n"
                                 "header_lines = [\n"
                                 "    \"Core subshells:\",\n"
                                 "    \"  1s\",\n"
                                 "    \"Peel subshells:\",\n"
                                 "    \"  2s   2p-  2p\",\n"
                                 "    \"CSF(s):\",\n"
                                 "]\n"
                                 "\n"
                                 "[block_info]\n"
                                 "block_count = 3\n"
                                 "block_lengths = [\n"
                                 "    4,\n"
                                 "    0,\n"
                                 "    7,\n"
                                 "]\n"
                                 "\n"
                                 "[conversion_stats]\n"
                                 "csf_count = 11\n"
                                 "total_lines = 35\n"
                                 "truncated_count = 0\n";
    CHECK(text && strcmp(text, expect) == 0);
    csfs_header_toml t;
    csfs_error err = {0};
    CHECK_EQ_INT(csfs_header_toml_parse(text, strlen(text), "b.toml", &t, &err), 0);
    CHECK(t.has_block_info && t.n_blocks == 3);
    CHECK(t.n_blocks == 3 && t.block_lengths[0] == 4 && t.block_lengths[1] == 0 &&
          t.block_lengths[2] == 7);
    csfs_header_toml_free(&t);
    free(text);

    /* Lengths that do not add up are the caller's error. */
    info.csf_count = 12;
    csfs_buf out = {0};
    CHECK_EQ_INT(csfs_header_toml_format(&info, &out, &err), CSFS_E_ARGUMENT);
    csfs_buf_free(&out);
}

static void test_paths(void)
{
    struct {
        const char *in, *out, *expect;
    } cases[] = {
        {"data/Gd.c", "out/Gd.parquet", "out/Gd_header.toml"},
        {"/a/b/list.rcsf.out", "x.parquet", "list.rcsf_header.toml"},
        {"noext", "/tmp/o.parquet", "/tmp/noext_header.toml"},
        {".hidden", "o.parquet", ".hidden_header.toml"},
        {"dir/name.c/", "o.parquet", "name_header.toml"},
        {"dir/name.c/.", "o.parquet", "name_header.toml"},
        {"..", "o.parquet", "csfs_header.toml"},
        {"-", "d/o.parquet", "d/csfs_header.toml"},
        {"a..c", "o.parquet", "a._header.toml"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *p = NULL;
        csfs_error err = {0};
        CHECK_EQ_INT(csfs_header_toml_path(cases[i].in, cases[i].out, &p, &err), 0);
        if (!p || strcmp(p, cases[i].expect) != 0)
            fprintf(stderr, "path(%s, %s) = %s, expected %s\n", cases[i].in, cases[i].out,
                    p ? p : "(null)", cases[i].expect);
        CHECK(p && strcmp(p, cases[i].expect) == 0);
        free(p);
    }
}

/* Hand-written TOML the reader must accept. */
static void test_reader_accepts(void)
{
    static const char text[] = "\xEF\xBB\xBF# a comment\r\n"
                               "title = \"ignored\"   # root keys are ignored\n"
                               "[header_info]\n"
                               "header_lines = [ # five lines\n"
                               "  \"Core subshells:\", '  1s',\n"
                               "  \"\"\"\n"
                               "Peel subshells:\"\"\",\n"
                               "  \"\\u0020 2s\\t2p-\",\n"
                               "  'CSF(s):'\n"
                               "]\n"
                               "extra = [1, [2, \"x\"], true]\n"
                               "[ \"conversion_stats\" ]\n"
                               "csf_count = 1_000\n"
                               "total_lines = +3000\n"
                               "[other.table]\n"
                               "csf_count = -5\n"
                               "[[runs]]\n"
                               "n = 1\n"
                               "[[runs]]\n"
                               "n = 2\n";
    csfs_header_toml t;
    csfs_error err = {0};
    int rc = csfs_header_toml_parse(text, strlen(text), "ok.toml", &t, &err);
    if (rc) fprintf(stderr, "%s\n", err.message);
    CHECK_EQ_INT(rc, 0);
    CHECK(t.lines[1] && strcmp(t.lines[1], "  1s") == 0);
    CHECK(t.lines[2] && strcmp(t.lines[2], "Peel subshells:") == 0);
    CHECK(t.lines[3] && strcmp(t.lines[3], "  2s\t2p-") == 0);
    CHECK(t.csf_count == 1000 && t.total_lines == 3000 && !t.has_truncated_count);
    csfs_peel *peel = NULL;
    CHECK_EQ_INT(csfs_header_toml_peel(&t, &peel, &err), 0);
    CHECK(peel && csfs_peel_count(peel) == 2);
    csfs_peel_free(peel);
    csfs_header_toml_free(&t);
    CHECK(csfs_header_toml_sniff(text, strlen(text)));
    CHECK(!csfs_header_toml_sniff("Core subshells:\n  1s\n", 21));
}

/* Malformed TOML: the error names the file and the line. */
static void test_reader_errors(void)
{
    static const char head[] = "[header_info]\n"
                               "header_lines = [\"a\", \"b\", \"c\", \"d\", \"e\"]\n";
    struct {
        const char *text;
        const char *message;
    } cases[] = {
        {"[header_info]\nheader_lines = [\"a\", \"b\"\n", "bad.toml:3: unterminated array"},
        {"[header_info]\nheader_lines = [\"a\", \"b\", \"c\", \"d\"]\n",
         "bad.toml:2: header_lines has 4 lines; a GRASP header has 5"},
        {"[header_info]\nheader_lines = [\"a\", 1, \"c\", \"d\", \"e\"]\n",
         "bad.toml:2: header_lines must be an array of strings"},
        {"[a]\n\nk = \"abc\n", "bad.toml:3: line break in a one-line string"},
        {"x = 1\n[header_info]\nheader_lines = ['a\\b', \"b\", \"c\", \"d\", \"e\"] junk\n",
         "bad.toml:3: unexpected text after a value"},
        {"[conversion_stats]\ncsf_count = 3.5\n", "bad.toml:2: floats and dates"},
        {"[conversion_stats]\ncsf_count = -1\n", "bad.toml:2: csf_count must be a non-negative"},
        {"[conversion_stats]\ncsf_count = 99999999999999999999\n", "bad.toml:2: integer out of"},
        {"[conversion_stats]\ncsf_count = 007\n", "bad.toml:2: leading zero"},
        {"[conversion_stats]\ncsf_count = 1\ncsf_count = 2\n",
         "bad.toml:3: key 'conversion_stats.csf_count' defined twice"},
        {"[header_info]\n[header_info]\n", "bad.toml:2: table 'header_info' defined twice"},
        {"[header_info\n", "bad.toml:1: expected ']'"},
        {"[a]\nk = \"\\q\"\n", "bad.toml:2: unknown escape"},
        {"[a]\nk = \"\\uD800\"\n", "bad.toml:2: escape is not a Unicode scalar"},
        {"[a]\nk = \"x\x01\"\n", "bad.toml:2: control character in a string"},
        {"[a]\n\n\nk = \xff\n", "bad.toml:4: not UTF-8"},
        {"[a]\nk = {x = 1}\n", "bad.toml:2: inline tables"},
        {"[a]\nk =\n", "bad.toml:2: missing value"},
        {"[a]\nk = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
         "bad.toml:2: arrays nested too deeply"},
        {"# header_info\n[a]\nk = '''never closed\n\n", "bad.toml:5: unterminated string"},
        {"[conversion_stats]\ncsf_count = 1\n", "bad.toml: no [header_info] table"},
        {"[header_info]\nx = 1\n", "bad.toml: [header_info] has no header_lines"},
        {"[block_info]\nblock_count = 2\nblock_lengths = [1]\n",
         "bad.toml:3: block_count = 2 but block_lengths has 1 entries"},
        {"[block_info]\nblock_count = 2\n", "[block_info] has block_count but no block_lengths"},
        {"[block_info]\nblock_lengths = [1, 2]\n[conversion_stats]\ncsf_count = 4\n",
         "bad.toml:2: block_lengths add up to 3 but csf_count = 4"},
        {"[header_info]\nheader_lines = [\"a\\n\", \"b\", \"c\", \"d\", \"e\"]\n",
         "bad.toml:2: header_lines[0] holds a line break"},
        {"[[header_info]]\n", "bad.toml:1: [[header_info]] must be a plain table"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        /* Cases without their own header_info get a valid one appended, so the
         * error is the one under test and not the missing table. */
        char text[4096];
        const char *t = cases[i].text;
        int needs_head = !strstr(t, "header_info") && !strstr(cases[i].message, "header_info");
        snprintf(text, sizeof text, "%s%s", t, needs_head ? head : "");
        csfs_header_toml h;
        csfs_error err = {0};
        int rc = csfs_header_toml_parse(text, strlen(text), "bad.toml", &h, &err);
        CHECK_EQ_INT(rc, CSFS_E_FORMAT);
        CHECK_CONTAINS(err.message, cases[i].message);
        csfs_header_toml_free(&h);
    }
    csfs_header_toml h;
    csfs_error err = {0};
    CHECK_EQ_INT(csfs_header_toml_read("/nonexistent/x_header.toml", &h, &err), CSFS_E_IO);
    CHECK_CONTAINS(err.message, "/nonexistent/x_header.toml");
}

/* Every prefix of a valid file fails cleanly or parses (no crash, no leak). */
static void test_truncations(void)
{
    static const char *const lines[5] = {"Core subshells:", "it's \"q\"", "P", "  2s", "C"};
    csfs_header_info info;
    info_from_lines(&info, lines);
    uint64_t blocks[2] = {1, 1};
    info.block_lengths = blocks;
    info.n_blocks = 2;
    info.csf_count = 2;
    char *text = format(&info);
    size_t len = text ? strlen(text) : 0;
    int parsed = 0;
    for (size_t n = 0; n <= len; n++) {
        char *copy = malloc(n + 1);
        memcpy(copy, text, n);
        csfs_header_toml h;
        csfs_error err = {0};
        if (csfs_header_toml_parse(copy, n, "cut.toml", &h, &err) == 0) parsed++;
        csfs_header_toml_free(&h);
        free(copy);
    }
    CHECK(parsed >= 1);
    free(text);
}

int main(void)
{
    const char *dir = tu_temp_dir();
    test_sample_bytes(dir);
    test_escaping();
    test_block_info();
    test_paths();
    test_reader_accepts();
    test_reader_errors();
    test_truncations();
    return tu_done();
}
