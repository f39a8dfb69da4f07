/*
 * Parsing in the scan (csfs_descriptor_options.parse_in_scan: descriptor/parsed.h through the
 * engine's scan_record hook) against parsing in the segment tasks (the
 * default): the same output bytes, the same messages in the same order,
 * the same summary, rejects file and errors. On every GRASP list in
 * tests/data and CSFS_SHARED_DIR, and on a list with failing CSFs of every
 * kind the descriptor job reports (non-ASCII, unreadable total J, an
 * occupation normalisation refuses, an unknown subshell, V2 rejects and
 * non-canonical CSFs, CR LF lines), for raw, normalised and V2 (with and
 * without keep-going, strict), 1 and 3 threads, chunks of 1500 bytes (many
 * chunks and segments) and the default size.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csfs.h"
#include "testutil.h"

typedef struct messages {
    char text[16384];
    size_t len;
} messages;

static void on_report(void *ctx, const char *msg)
{
    messages *m = ctx;
    int n = snprintf(m->text + m->len, sizeof m->text - m->len, "%s\n", msg);
    if (n > 0 && m->len + (size_t)n < sizeof m->text) m->len += (size_t)n;
}

typedef struct outcome {
    int rc;
    char error[1200];
    messages msgs;
    csfs_summary sum;
    char *out, *rej;
    size_t out_len, rej_len;
} outcome;

static void run_one(const char *in, const char *dir, int mode, int threads, size_t chunk,
                    int strict, int in_scan, outcome *o)
{
    char out[1024], rej[1024];
    snprintf(out, sizeof out, "%s/out.%d.parquet", dir, in_scan);
    snprintf(rej, sizeof rej, "%s/rej.%d.tsv", dir, in_scan);
    remove(out);
    remove(rej);
    csfs_descriptor_options opt;
    csfs_descriptor_options_init(&opt);
    opt.input = in;
    opt.output = out;
    opt.threads = threads;
    opt.chunk_bytes = chunk;
    opt.parse_in_scan = in_scan;
    opt.strict = strict;
    opt.normalize = mode == 1;
    opt.max_reported_failures = 50;
    if (mode >= 2) {
        opt.layout = CSFS_LAYOUT_V2;
        if (mode == 3) {
            opt.keep_going = 1;
            opt.rejects = rej;
        }
    }
    memset(o, 0, sizeof *o);
    opt.report = on_report;
    opt.report_ctx = &o->msgs;
    csfs_error err;
    memset(&err, 0, sizeof err);
    o->rc = csfs_descriptors_run(&opt, &o->sum, &err);
    if (o->rc) snprintf(o->error, sizeof o->error, "%s", err.message);
    o->out = o->rc ? NULL : tu_read_file(out, &o->out_len);
    o->rej = o->rc || mode != 3 ? NULL : tu_read_file(rej, &o->rej_len);
}

static int runs, runs_failing, runs_reporting;

static int same_counts(const csfs_summary *a, const csfs_summary *b)
{
    return a->csf_count == b->csf_count && a->failed_count == b->failed_count &&
           a->unknown_subshell_count == b->unknown_subshell_count &&
           a->rejected_count == b->rejected_count && a->noncanonical_count == b->noncanonical_count;
}

static void compare(const char *in, const char *dir)
{
    static const size_t chunks[] = {1500, 0};
    for (int mode = 0; mode < 4; mode++)
        for (int threads = 1; threads <= 3; threads += 2)
            for (size_t c = 0; c < 2; c++)
                for (int strict = 0; strict < 2; strict++) {
                    outcome a, b;
                    run_one(in, dir, mode, threads, chunks[c], strict, 0, &a);
                    run_one(in, dir, mode, threads, chunks[c], strict, 1, &b);
                    int same = a.rc == b.rc && strcmp(a.error, b.error) == 0 &&
                               strcmp(a.msgs.text, b.msgs.text) == 0 && a.out_len == b.out_len &&
                               a.rej_len == b.rej_len &&
                               (!a.out || (b.out && memcmp(a.out, b.out, a.out_len) == 0)) &&
                               (!a.rej || (b.rej && memcmp(a.rej, b.rej, a.rej_len) == 0)) &&
                               /* counts of a failed run depend on how far it got */
                               (a.rc != 0 || same_counts(&a.sum, &b.sum));
                    CHECK(same);
                    if (!same)
                        fprintf(stderr,
                                "  %s mode %d threads %d chunk %zu strict %d: rc %d/%d\n"
                                "  '%s'\n  '%s'\n  --\n%s  --\n%s",
                                in, mode, threads, chunks[c], strict, a.rc, b.rc, a.error, b.error,
                                a.msgs.text, b.msgs.text);
                    runs++;
                    runs_failing += a.rc != 0;
                    runs_reporting += a.msgs.len > 0;
                    free(a.out);
                    free(b.out);
                    free(a.rej);
                    free(b.rej);
                }
}

/* c_like_n3_2x.c with failing CSFs of every kind, in CR LF from a point on. */
static const char *hostile_list(const char *dir)
{
    const char *src = tu_data("data/grasp/c_like_n3_2x.c");
    if (!src) return NULL;
    size_t len;
    char *text = tu_read_file(src, &len);
    if (!text) return NULL;
    static char path[1024];
    snprintf(path, sizeof path, "%s/hostile.c", dir);
    FILE *f = fopen(path, "wb");
    if (!f) {
        free(text);
        return NULL;
    }
    /* Lines, numbered from 1; records start at line 6 (3 lines each, but
     * the list has separators: edits go by content, not by number). */
    size_t line = 0, rec_line = 0;
    int record = -1;
    for (char *p = text; p < text + len;) {
        char *nl = memchr(p, '\n', (size_t)(text + len - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(text + len - p);
        char buf[512];
        memcpy(buf, p, n < sizeof buf ? n : sizeof buf - 1);
        buf[n < sizeof buf ? n : sizeof buf - 1] = '\0';
        line++;
        if (line > 5 && n >= 9 && buf[5] == '(' && buf[8] == ')') {
            record++;
            rec_line = 1;
        } else if (rec_line) {
            rec_line++;
        }
        if (rec_line == 1 && record % 37 == 3) buf[3] = 'k';            /* unknown subshell */
        if (rec_line == 1 && record % 41 == 5) buf[7] = '9';            /* occupation 9 */
        if (rec_line == 2 && record % 43 == 7) strcat(buf, "\xC3\xA9"); /* non-ASCII */
        if (rec_line == 3 && record % 47 == 11 && strlen(buf) > 3)
            buf[strlen(buf) - 2] = 'x';                            /* unreadable total J */
        if (rec_line == 3 && record % 53 == 13) strcat(buf, "  "); /* non-canonical */
        fputs(buf, f);
        if (line > 300) fputc('\r', f);
        if (nl) fputc('\n', f);
        p = nl ? nl + 1 : text + len;
    }
    free(text);
    fclose(f);
    return path;
}

int main(void)
{
    const char *dir = tu_temp_dir();
    static const char *names[] = {"c_like_n3_2x.c", "fe_3d6_4s2.c",   "li_like_gh_2x.c",
                                  "nd3_4f3_1x.c",   "rcsfs_sample.c", "nd_4f4_6s2_seniority.c"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "data/grasp/%s", names[i]);
        const char *in = tu_data(rel);
        if (in) compare(in, dir);
    }
    const char *h = hostile_list(dir);
    if (h) {
        compare(h, dir);
        CHECK(runs_failing > 0 && runs_reporting > 0); /* the edits did fail CSFs */
    }
    printf("%d runs compared (%d failing, %d with messages)\n", runs, runs_failing, runs_reporting);
    return tu_done();
}
