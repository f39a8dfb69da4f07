/*
 * The whole descriptor job through the library API, against the goldens
 * (tests/data/golden, else shared/golden; compared through .npy data bytes). Runs in the sanitizer
 * builds too, so it covers reader, scanner, parser and sinks under ASan/UBSan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csfs.h"
#include "testutil.h"

static const char *lists[] = {"c_like_n3_2x", "fe_3d6_4s2",           "li_like_gh_2x",
                              "nd3_4f3_1x",   "nd_4f4_6s2_seniority", "rcsfs_sample"};

/* The data part of an .npy file (after its header). */
static const char *npy_data(const char *buf, size_t len, size_t *data_len)
{
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0) return NULL;
    size_t hlen = (unsigned char)buf[8] | (size_t)(unsigned char)buf[9] << 8;
    if (10 + hlen > len) return NULL;
    *data_len = len - 10 - hlen;
    return buf + 10 + hlen;
}

static int same_npy_data(const char *got_path, const char *want_path)
{
    size_t gl = 0, wl = 0, gd = 0, wd = 0;
    char *g = tu_read_file(got_path, &gl), *w = tu_read_file(want_path, &wl);
    int same = 0;
    if (g && w) {
        const char *gp = npy_data(g, gl, &gd), *wp = npy_data(w, wl, &wd);
        same = gp && wp && gd == wd && memcmp(gp, wp, gd) == 0;
    }
    free(g);
    free(w);
    return same;
}

static void test_goldens(const char *dir)
{
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        for (int norm = 0; norm < 2; norm++) {
            char rel[256], out[1024];
            snprintf(rel, sizeof rel, "data/grasp/%s.c", lists[i]);
            const char *in = tu_data(rel);
            snprintf(rel, sizeof rel, "golden/%s.%s.npy", lists[i], norm ? "norm" : "raw");
            const char *want = tu_data(rel);
            if (!in || !want) continue;
            snprintf(out, sizeof out, "%s/%s.%d.npy", dir, lists[i], norm);
            csfs_descriptor_options opt;
            csfs_descriptor_options_init(&opt);
            opt.input = in;
            opt.output = out;
            opt.normalize = norm;
            opt.chunk_bytes = 4096; /* many chunks: exercises the cuts */
            csfs_summary sum;
            csfs_error err;
            int rc = csfs_descriptors_run(&opt, &sum, &err);
            if (rc) fprintf(stderr, "%s\n", err.message);
            CHECK_EQ_INT(rc, 0);
            CHECK_EQ_INT(sum.failed_count, 0);
            if (!same_npy_data(out, want)) fprintf(stderr, "mismatch: %s\n", out);
            CHECK(same_npy_data(out, want));
        }
    }
}

/* csfs_descriptors_matrix: the same values in memory, for 1 and 3 threads. */
static void test_matrix(void)
{
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        for (int threads = 1; threads <= 3; threads += 2) {
            char rel[256];
            snprintf(rel, sizeof rel, "data/grasp/%s.c", lists[i]);
            const char *in = tu_data(rel);
            snprintf(rel, sizeof rel, "golden/%s.norm.npy", lists[i]);
            const char *want = tu_data(rel);
            if (!in || !want) continue;
            csfs_descriptor_options opt;
            csfs_descriptor_options_init(&opt);
            opt.input = in;
            opt.normalize = 1;
            opt.threads = threads;
            opt.chunk_bytes = 2000;
            csfs_matrix m;
            csfs_error err;
            CHECK_EQ_INT(csfs_descriptors_matrix(&opt, &m, NULL, &err), 0);
            size_t wl = 0, wd = 0;
            char *w = tu_read_file(want, &wl);
            const char *wp = w ? npy_data(w, wl, &wd) : NULL;
            CHECK(m.is_float);
            CHECK(wp && wd == m.rows * m.cols * 4 && memcmp(wp, m.data, wd) == 0);
            free(w);
            csfs_matrix_free(&m);
        }
    }
}

static void test_parquet_output_is_chunk_independent(const char *dir)
{
    char a[1024], b[1024];
    const char *in = tu_data("data/grasp/c_like_n3_2x.c"); /* bundled: 505 CSFs, 5 blocks */
    if (!in) return;
    snprintf(a, sizeof a, "%s/a.parquet", dir);
    snprintf(b, sizeof b, "%s/b.parquet", dir);
    csfs_descriptor_options opt;
    csfs_descriptor_options_init(&opt);
    opt.input = in;
    opt.output = a;
    opt.row_group_rows = 70;
    csfs_error err;
    CHECK_EQ_INT(csfs_descriptors_run(&opt, NULL, &err), 0);
    opt.output = b;
    opt.chunk_bytes = 1;
    CHECK_EQ_INT(csfs_descriptors_run(&opt, NULL, &err), 0);
    size_t la, lb;
    char *da = tu_read_file(a, &la), *db = tu_read_file(b, &lb);
    CHECK(da && db && la == lb && memcmp(da, db, la) == 0);
    free(da);
    free(db);
}

static void test_error_leaves_nothing(void)
{
    const char *dir = tu_temp_dir();
    char in[1024], out[1024];
    snprintf(in, sizeof in, "%s/bad.c", dir);
    snprintf(out, sizeof out, "%s/out.parquet", dir);
    const char *text = "Core subshells:\n  1s\nPeel subshells:\n  2s   2p-  2p\nCSF(s):\n"
                       "  2s ( 2)  2p-( 2)\n\n                  0+\n"
                       "  2s ( 2)  2p ( 2)\n                 0\n";
    CHECK_EQ_INT(tu_write_file(in, text, strlen(text)), 0);
    csfs_descriptor_options opt;
    csfs_descriptor_options_init(&opt);
    opt.input = in;
    opt.output = out;
    csfs_error err;
    int rc = csfs_descriptors_run(&opt, NULL, &err);
    CHECK_EQ_INT(rc, CSFS_E_FORMAT);
    CHECK_EQ_INT(err.line, 11);
    CHECK_CONTAINS(err.message, "bad.c:11: incomplete last CSF record");
    CHECK_EQ_INT(tu_count_entries(dir), 1); /* only the input */
}

static void test_strict_names_line(void)
{
    const char *dir = tu_temp_dir();
    char in[1024], out[1024];
    snprintf(in, sizeof in, "%s/l.c", dir);
    snprintf(out, sizeof out, "%s/out.npy", dir);
    const char *text = "Core subshells:\n  1s\nPeel subshells:\n  2s   2p-  2p\nCSF(s):\n"
                       "  2s ( 2)  2p-( 2)\n\n                  0+\n"
                       "  2s ( 2)  2p ( 2)\n                 0\n\n";
    CHECK_EQ_INT(tu_write_file(in, text, strlen(text)), 0);
    csfs_descriptor_options opt;
    csfs_descriptor_options_init(&opt);
    opt.input = in;
    opt.output = out;
    opt.strict = 1;
    csfs_error err;
    csfs_summary sum;
    int rc = csfs_descriptors_run(&opt, &sum, &err);
    CHECK_EQ_INT(rc, CSFS_E_CSF);
    CHECK_CONTAINS(err.message, "l.c:9: CSF 1: the total J");
    CHECK_EQ_INT(tu_count_entries(dir), 1);
    opt.strict = 0;
    rc = csfs_descriptors_run(&opt, &sum, &err);
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(sum.csf_count, 2);
    CHECK_EQ_INT(sum.failed_count, 1);
}

static void test_codec_names(void)
{
    csfs_codec c;
    int level;
    csfs_error err;
    CHECK_EQ_INT(csfs_codec_parse("zstd", &c, &level, &err), 0);
    CHECK(c == CSFS_CODEC_ZSTD && level == 3);
    CHECK_EQ_INT(csfs_codec_parse("ZSTD:19", &c, &level, &err), 0);
    CHECK(c == CSFS_CODEC_ZSTD && level == 19);
    CHECK_EQ_INT(csfs_codec_parse("snappy", &c, &level, &err), 0);
    CHECK(c == CSFS_CODEC_SNAPPY);
    CHECK_EQ_INT(csfs_codec_parse("none", &c, &level, &err), 0);
    CHECK(c == CSFS_CODEC_NONE);
    CHECK(csfs_codec_parse("zstd:23", &c, &level, &err) == CSFS_E_ARGUMENT);
    CHECK(csfs_codec_parse("snappy:2", &c, &level, &err) == CSFS_E_ARGUMENT);
    CHECK(csfs_codec_parse("brotli", &c, &level, &err) == CSFS_E_ARGUMENT);
    CHECK_CONTAINS(err.message, "unknown compression 'brotli'");
}

int main(void)
{
    const char *dir = tu_temp_dir();
    test_goldens(dir);
    test_matrix();
    test_parquet_output_is_chunk_independent(dir);
    test_error_leaves_nothing();
    test_strict_names_line();
    test_codec_names();
    return tu_done();
}
