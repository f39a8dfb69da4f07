/*
 * The parallel engine under pressure, for the ThreadSanitizer build above
 * all: many more workers than cores, chunks of one record, pages and row
 * groups of a few rows (so chunks, pages and groups all straddle each
 * other), both layouts and every sink. Every run must give the bytes of the
 * single-thread run; a failure part-way must stop every thread cleanly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csfs.h"
#include "engine/lane_bundles.h"
#include "testutil.h"

static const char *lists[] = {"nd_4f4_6s2_seniority", "li_like_gh_2x"};

/* The list named, or, when shared/ lacks it, the bundled c_like_n3_2x (505
 * CSFs, 5 blocks: smaller, but chunks, pages and groups still straddle). */
static const char *list_path(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "data/grasp/%s.c", name);
    const char *p = tu_data_quiet(rel);
    if (!p) {
        printf("note: %s not in CSFS_SHARED_DIR (%s): using tests/data's c_like_n3_2x.c\n", rel,
               CSFS_SHARED_DIR);
        p = tu_data("data/grasp/c_like_n3_2x.c");
    }
    return p;
}

static char *run_file(const char *in, const char *out, int threads, size_t chunk, int64_t group,
                      csfs_layout layout, size_t *len)
{
    csfs_descriptor_options opt;
    csfs_descriptor_options_init(&opt);
    opt.input = in;
    opt.output = out;
    opt.threads = threads;
    opt.chunk_bytes = chunk;
    opt.row_group_rows = group;
    opt.layout = layout;
    opt.force = 1;
    csfs_error err;
    int rc = csfs_descriptors_run(&opt, NULL, &err);
    if (rc) fprintf(stderr, "%s: %s\n", out, err.message);
    CHECK_EQ_INT(rc, 0);
    return rc ? NULL : tu_read_file(out, len);
}

static void test_same_bytes(const char *dir)
{
    static const struct {
        int threads;
        size_t chunk;
        int64_t group;
    } runs[] = {{8, 1, 7}, {16, 64, 1}, {5, 700, 333}};
    for (size_t l = 0; l < sizeof lists / sizeof *lists; l++) {
        const char *in = list_path(lists[l]);
        if (!in) continue;
        for (int v2 = 0; v2 < 2; v2++) {
            csfs_layout layout = v2 ? CSFS_LAYOUT_V2 : CSFS_LAYOUT_V1;
            for (size_t r = 0; r < sizeof runs / sizeof *runs; r++) {
                for (int npy = 0; npy < 2; npy++) {
                    const char *ext = npy ? "npy" : "parquet";
                    char ref[1100], out[1100];
                    snprintf(ref, sizeof ref, "%s/ref.%s", dir, ext);
                    snprintf(out, sizeof out, "%s/stress.%s", dir, ext);
                    size_t rl = 0, ol = 0;
                    char *a = run_file(in, ref, 1, 0, runs[r].group, layout, &rl);
                    char *b = run_file(in, out, runs[r].threads, runs[r].chunk, runs[r].group,
                                       layout, &ol);
                    int same = a && b && rl == ol && memcmp(a, b, rl) == 0;
                    if (!same)
                        fprintf(stderr, "%s v%d %s: %d threads, chunk %zu, group %lld differ\n",
                                lists[l], v2 + 1, ext, runs[r].threads, runs[r].chunk,
                                (long long)runs[r].group);
                    CHECK(same);
                    free(a);
                    free(b);
                }
            }
        }
    }
}

/* In memory: workers write rows straight into the matrix. */
static void test_matrix(void)
{
    const char *in = list_path(lists[0]);
    if (!in) return;
    csfs_matrix ref, m;
    csfs_descriptor_options opt;
    csfs_descriptor_options_init(&opt);
    opt.input = in;
    opt.threads = 1;
    csfs_error err;
    CHECK_EQ_INT(csfs_descriptors_matrix(&opt, &ref, NULL, &err), 0);
    for (int threads = 2; threads <= 32; threads *= 2) {
        opt.threads = threads;
        opt.chunk_bytes = (size_t)threads * 13;
        opt.row_group_rows = threads + 1;
        CHECK_EQ_INT(csfs_descriptors_matrix(&opt, &m, NULL, &err), 0);
        CHECK(m.rows == ref.rows && m.cols == ref.cols &&
              memcmp(m.data, ref.data, ref.rows * ref.cols * 4) == 0);
        csfs_matrix_free(&m);
    }
    csfs_matrix_free(&ref);
}

/* An error in the middle (a broken record near the end, found by one of many
 * workers while others are busy) stops everyone and leaves nothing behind. */
static void test_failure_midway(void)
{
    const char *dir = tu_temp_dir();
    char in[1100], out[1100];
    const char *src = list_path(lists[0]);
    if (!src) return;
    snprintf(in, sizeof in, "%s/broken.c", dir);
    snprintf(out, sizeof out, "%s/out.parquet", dir);
    size_t len = 0;
    char *text = tu_read_file(src, &len);
    CHECK(text != NULL);
    if (!text) return;
    /* About 80% in, a record loses its line 2: the next record's line 1 then
     * arrives as its line 3. */
    size_t start = len * 4 / 5;
    for (;;) {
        while (start < len && text[start - 1] != '\n') start++;
        if (start + 9 >= len || (text[start + 5] == '(' && text[start + 8] == ')')) break;
        start++;
    }
    size_t cut = start;
    while (cut < len && text[cut - 1] != '\n') cut++;
    cut++; /* the start of line 2 */
    while (cut < len && text[cut - 1] != '\n') cut++;
    size_t end = cut, lines = 1;
    while (end < len && text[end] != '\n') end++;
    for (size_t i = 0; i < cut; i++) lines += text[i] == '\n';
    memmove(text + cut, text + end + 1, len - end - 1);
    CHECK_EQ_INT(tu_write_file(in, text, len - (end + 1 - cut)), 0);
    free(text);
    for (int threads = 1; threads <= 16; threads *= 4) {
        csfs_descriptor_options opt;
        csfs_descriptor_options_init(&opt);
        opt.input = in;
        opt.output = out;
        opt.threads = threads;
        opt.chunk_bytes = 97;
        opt.row_group_rows = 5;
        csfs_error err;
        CHECK_EQ_INT(csfs_descriptors_run(&opt, NULL, &err), CSFS_E_FORMAT);
        CHECK_CONTAINS(err.message, "broken.c:");
        CHECK_CONTAINS(err.message, "incomplete CSF record");
        CHECK(err.line >= lines && err.line <= lines + 3);
        CHECK_EQ_INT(tu_count_entries(dir), 1); /* only the input */
    }
}

/* Encode bundles tile the lanes in order, differ in size by at most one,
 * hold about CSFS_LANES_PER_BUNDLE lanes, and give every worker two when the
 * lanes allow. */
static void test_lane_bundles(void)
{
    for (size_t lanes = 0; lanes <= 300; lanes++) {
        for (size_t workers = 1; workers <= 64; workers++) {
            size_t n = csfs_lane_bundles(lanes, workers);
            size_t most = lanes ? lanes : 1;
            CHECK(n >= 1 && n <= most);
            if (lanes >= 2 * workers) CHECK(n >= 2 * workers);
            if (lanes > 1) CHECK((lanes + n - 1) / n <= CSFS_LANES_PER_BUNDLE);
            CHECK_EQ_INT((long long)csfs_bundle_first_lane(lanes, n, 0), 0);
            CHECK_EQ_INT((long long)csfs_bundle_first_lane(lanes, n, n), (long long)lanes);
            size_t lo = lanes, hi = 0;
            for (size_t b = 0; b < n; b++) {
                size_t size =
                    csfs_bundle_first_lane(lanes, n, b + 1) - csfs_bundle_first_lane(lanes, n, b);
                if (size < lo) lo = size;
                if (size > hi) hi = size;
            }
            CHECK(hi - lo <= 1 && (lanes < n || lo >= 1));
        }
    }
}

int main(void)
{
    const char *dir = tu_temp_dir();
    test_lane_bundles();
    test_same_bytes(dir);
    test_matrix();
    test_failure_midway();
    return tu_done();
}
