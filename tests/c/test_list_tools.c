/*
 * GRASP's list tools through the public API (include/csfs/list_tools.h) on
 * the repository's example list: properties that follow from GRASP's rules
 * (a zero-order set already first in its blocks gives the list back; a set
 * with every orbital keeps everything; a CSF is kept exactly when its first
 * line names no orbital outside the set), the error paths (file and line
 * named, nothing written), the dialog reader and the record stream's blocks.
 * With shared/ present, the fe oracle's SHA-256 values too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"
#include "csfs.h"
#include "listtools/rec_stream.h"
#include "testutil.h"

static char *example(size_t *len)
{
    char *t = tu_read_file(CSFS_SOURCE_DIR "/examples/c_like_n3_2x.c", len);
    if (!t) {
        fprintf(stderr, "cannot read the example list\n");
        exit(1);
    }
    return t;
}

/* Lines of text (each without '\n'); *n lines. The text is modified. */
static char **lines_of(char *text, size_t *n)
{
    size_t cap = 64;
    char **l = malloc(cap * sizeof *l);
    *n = 0;
    for (char *p = text; *p;) {
        char *e = strchr(p, '\n');
        if (e) *e = 0;
        if (*n == cap) l = realloc(l, (cap *= 2) * sizeof *l);
        l[(*n)++] = p;
        if (!e) break;
        p = e + 1;
    }
    return l;
}

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *s)
{
    size_t k = strlen(s);
    if (b->n + k + 2 > b->cap) {
        b->cap = 2 * (b->n + k + 2) + 1024;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, k);
    b->n += k;
    b->p[b->n++] = '\n';
    b->p[b->n] = 0;
}

static void write_text(const char *path, const sbuf *b)
{
    if (tu_write_file(path, b->p, b->n) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}

static void test_zerofirst_identity(const char *dir)
{
    /* Zero-order set = the first two CSFs of every block, which already
     * stand first: GRASP's order is then the list itself. */
    size_t len, n;
    char *text = example(&len);
    char *copy = strdup(text);
    char **l = lines_of(copy, &n);
    sbuf z = {0};
    for (int i = 0; i < 5; i++) put(&z, l[i]);
    int in_block = 0;
    for (size_t i = 5; i + 2 < n || (i < n && strcmp(l[i], " *") == 0); i++) {
        if (strcmp(l[i], " *") == 0) {
            put(&z, " *");
            in_block = 0;
            continue;
        }
        if (in_block++ < 2) {
            put(&z, l[i]);
            put(&z, l[i + 1]);
            put(&z, l[i + 2]);
        }
        i += 2;
    }
    char zp[512], op[512];
    snprintf(zp, sizeof zp, "%s/zero.c", dir);
    snprintf(op, sizeof op, "%s/out.c", dir);
    write_text(zp, &z);
    csfs_zerofirst_options o;
    csfs_zerofirst_options_init(&o);
    o.zero = zp;
    o.full = CSFS_SOURCE_DIR "/examples/c_like_n3_2x.c";
    o.output = op;
    csfs_zerofirst_summary s;
    csfs_error err;
    CHECK_EQ_INT(csfs_zerofirst_run(&o, &s, &err), 0);
    size_t olen;
    char *out = tu_read_file(op, &olen);
    CHECK(out && olen == len && memcmp(out, text, len) == 0);
    CHECK_EQ_INT(s.output_blocks, 5);
    CHECK_EQ_INT(s.zero_csfs, 10);
    CHECK_EQ_INT(s.output_csfs, s.full_csfs);
    CHECK_EQ_INT(s.dropped_blocks, 0);
    for (uint64_t b = 0; b < s.output_blocks; b++) CHECK_EQ_INT(s.blocks[b].not_found, 0);
    csfs_zerofirst_summary_free(&s);
    free(out);

    /* Different cores: the error names both files and line 2; no output. */
    copy[0] = 0;
    sbuf bad = {0};
    char *t2 = strdup(z.p);
    size_t m;
    char **zl = lines_of(t2, &m);
    for (size_t i = 0; i < m; i++) put(&bad, i == 1 ? "  1s   2s" : zl[i]);
    write_text(zp, &bad);
    snprintf(op, sizeof op, "%s/out2.c", dir);
    o.output = op;
    CHECK_EQ_INT(csfs_zerofirst_run(&o, &s, &err), CSFS_E_FORMAT);
    CHECK_CONTAINS(err.message, "zero.c:2 and ");
    CHECK_CONTAINS(err.message, "c_like_n3_2x.c:2");
    CHECK_EQ_INT(err.line, 2);
    FILE *f = fopen(op, "r");
    CHECK(f == NULL);
    if (f) fclose(f);
    CHECK_EQ_INT(tu_count_entries(dir), 2); /* zero.c, out.c: no temporary left */
    free(zl);
    free(t2);
    free(bad.p);
    free(z.p);
    free(l);
    free(copy);
    free(text);
}

static void test_split_active(const char *dir)
{
    size_t len, n;
    char *text = example(&len);
    csfs_active_set sets[2] = {{"_all", "3s,3p,3d", NULL}, {"_no3d", "3s,3p", NULL}};
    csfs_split_active_options o;
    csfs_split_active_options_init(&o);
    o.input = CSFS_SOURCE_DIR "/examples/c_like_n3_2x.c";
    o.dir = dir;
    o.sets = sets;
    o.n_sets = 2;
    csfs_split_active_summary s;
    csfs_error err;
    CHECK_EQ_INT(csfs_split_active_run(&o, &s, &err), 0);
    CHECK_EQ_INT(s.n_outputs, 2);
    size_t olen;
    char *all = tu_read_file(s.outputs[0].path, &olen);
    CHECK(all && olen == len && memcmp(all, text, len) == 0); /* every orbital: the list */
    CHECK_CONTAINS(s.outputs[1].path, "/c_like_n3_2x_no3d.c");
    /* Kept exactly when line 1 names no 3d: count independently. */
    char *copy = strdup(text);
    char **l = lines_of(copy, &n);
    uint64_t no3d = 0, blocks = 1;
    for (size_t i = 5; i < n; i++) {
        if (strcmp(l[i], " *") == 0) {
            blocks++;
            continue;
        }
        if (!strstr(l[i], " 3d")) no3d++;
        i += 2;
    }
    CHECK_EQ_INT(s.outputs[1].csfs, no3d);
    CHECK_EQ_INT(s.block_count, blocks);
    uint64_t sum = 0;
    for (size_t b = 0; b < s.outputs[1].n_blocks; b++) sum += s.outputs[1].block_lengths[b];
    CHECK_EQ_INT(sum, no3d);
    char *part = tu_read_file(s.outputs[1].path, &olen);
    CHECK(part && !strstr(part + 100, " 3d"));
    if (part) {
        char *e = strchr(part, '\n');
        e = strchr(e + 1, '\n');
        e = strchr(e + 1, '\n');
        CHECK(strncmp(e + 1, "  2s   2p-  2p   3s   3p-  3p\n", 30) == 0); /* peel line cut */
    }
    csfs_split_active_summary_free(&s);

    /* An existing output: nothing written, the existing file untouched. */
    int before = tu_count_entries(dir);
    CHECK_EQ_INT(csfs_split_active_run(&o, &s, &err), CSFS_E_EXISTS);
    CHECK_EQ_INT(tu_count_entries(dir), before);
    /* A bad set. */
    sets[1].orbitals = "3s,,3p";
    o.force = 1;
    CHECK_EQ_INT(csfs_split_active_run(&o, &s, &err), CSFS_E_ARGUMENT);
    CHECK_CONTAINS(err.message, "orbital set 2");
    free(part);
    free(all);
    free(l);
    free(copy);
    free(text);
}

static void test_dialog(void)
{
    static const char d[] = "c5r\r\n 3\n2s,2p\n_n2  \n3s,3p,3d\n_n3\n4s,4p,4d,4f\n_n4\n";
    csfs_split_active_options o;
    csfs_split_active_options_init(&o);
    csfs_active_set *sets;
    char *storage;
    csfs_error err;
    CHECK_EQ_INT(
        csfs_split_active_parse_dialog(d, sizeof d - 1, "dlg", "out", &o, &sets, &storage, &err),
        0);
    CHECK(strcmp(o.input, "c5r.c") == 0 && strcmp(o.prefix, "c5r") == 0);
    CHECK(strcmp(o.dir, "out") == 0);
    CHECK_EQ_INT(o.n_sets, 3);
    CHECK(strcmp(sets[0].label, "_n2") == 0 && strcmp(sets[2].orbitals, "4s,4p,4d,4f") == 0);
    free(sets);
    free(storage);
    static const char shortd[] = "c5r\n2\n2s,2p\n_n2\n3s\n";
    CHECK_EQ_INT(csfs_split_active_parse_dialog(shortd, sizeof shortd - 1, "dlg", NULL, &o, &sets,
                                                &storage, &err),
                 CSFS_E_FORMAT);
    CHECK_CONTAINS(err.message, "dlg:6");
}

/* Leading, consecutive and trailing separators reach the tools as counts. */
static void test_rec_stream(const char *dir)
{
    static const char list[] = "Core subshells:\n  1s\nPeel subshells:\n  2s   2p-  2p\nCSF(s):\n"
                               " *\n"
                               "  2s ( 2)  2p ( 2)\n                 0\n                  0+\n"
                               " *\n *\n"
                               "  2s ( 2)  2p-( 2)\n\n                  0+\n"
                               " *\n";
    char p[512];
    snprintf(p, sizeof p, "%s/seps.c", dir);
    tu_write_file(p, list, sizeof list - 1);
    csfs_rec_stream *s;
    csfs_error err;
    CHECK_EQ_INT(csfs_rec_stream_open(p, NULL, &s, &err), 0);
    csfs_rec r;
    int got;
    CHECK_EQ_INT(csfs_rec_stream_next(s, &r, &got, &err), 0);
    CHECK(got && r.seps_before == 1 && r.line_no == 7 && r.index == 0);
    CHECK_EQ_INT(csfs_rec_stream_next(s, &r, &got, &err), 0);
    CHECK(got && r.seps_before == 2 && r.line_no == 12 && r.len[1] == 0);
    CHECK_EQ_INT(csfs_rec_stream_next(s, &r, &got, &err), 0);
    CHECK(!got && r.seps_before == 1);
    csfs_rec_stream_close(s);
}

/* shared/: GRASP's fe oracle (rcsfzerofirst and rcsfsplit), by SHA-256. */
static int readme_has(const char *readme, const char *path)
{
    size_t n;
    char *t = tu_read_file(path, &n);
    if (!t) return 0;
    csfs_sha256 h;
    csfs_sha256_init(&h);
    csfs_sha256_update(&h, t, n);
    char hex[65];
    csfs_sha256_hex(&h, hex);
    free(t);
    return strstr(readme, hex) != NULL;
}

static void test_fe_oracle(const char *dir)
{
    /* GRASP's own runs: in shared/ only (tu_data prints the skip line). */
    const char *readme_path = tu_data("data/generate/fe_3d6_4s2_sd/utils/README.md");
    const char *full = tu_data("data/generate/fe_3d6_4s2_sd/rcsf.out");
    const char *zero = tu_data("data/generate/fe_3d6_4s2_sd/utils/fe_zero.c");
    if (!readme_path || !full || !zero) return;
    size_t n;
    char *readme = tu_read_file(readme_path, &n);
    CHECK(readme != NULL);
    if (!readme) return;
    char out[1024];
    snprintf(out, sizeof out, "%s/fe_zf.c", dir);
    csfs_zerofirst_options o;
    csfs_zerofirst_options_init(&o);
    o.zero = zero;
    o.full = full;
    o.output = out;
    csfs_error err;
    CHECK_EQ_INT(csfs_zerofirst_run(&o, NULL, &err), 0);
    CHECK(readme_has(readme, out));
    csfs_active_set sets[3] = {
        {"_n4sp3d", "4s,4p,3d", NULL}, {"_n5s", "5s,4p,3d", NULL}, {"_n5s4p4d", "5s,4p,4d", NULL}};
    csfs_split_active_options so;
    csfs_split_active_options_init(&so);
    so.input = o.full;
    so.dir = dir;
    so.prefix = "fe";
    so.sets = sets;
    so.n_sets = 3;
    CHECK_EQ_INT(csfs_split_active_run(&so, NULL, &err), 0);
    for (int i = 0; i < 3; i++) {
        snprintf(out, sizeof out, "%s/fe%s.c", dir, sets[i].label);
        CHECK(readme_has(readme, out));
    }
    free(readme);
}

int main(void)
{
    test_zerofirst_identity(tu_temp_dir());
    test_split_active(tu_temp_dir());
    test_dialog();
    test_rec_stream(tu_temp_dir());
    test_fe_oracle(tu_temp_dir());
    return tu_done();
}
