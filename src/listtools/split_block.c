/*
 * rasfsplit (GRASP2018 src/tool/rasfsplit.f90), for the CSF list: one list
 * per block, "<name>_even<k>.c" / "<name>_odd<k>.c" numbered separately per
 * parity in file order, each with the 5 header lines (trimmed) and the
 * block's CSFs (trimmed lines, no separators); "<name>.w", when present, is
 * copied beside each. A block's parity is the sign ending its CSFs' line 3
 * (GRASP reads it from the block's last line; csfs from the first CSF and
 * refuses a block whose CSFs disagree). GRASP stops beyond 15 blocks of one
 * parity and overruns an array beyond 30 blocks: csfs takes any number and
 * says so. The mixing files (.m/.cm) are split by split_block_mix.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "jobs/job.h"
#include "csfs.h"
#include "io/outfile.h"
#include "io/outset.h"
#include "listtools/grasp_cut.h"
#include "listtools/list_names.h"
#include "listtools/lt_engine.h"
#include "listtools/rec_stream.h"
#include "listtools/split_block_mix.h"
#include "listtools/tokens.h"

#define GRASP_LINE 700 /* rasfsplit.f90: character(len=700) string1, string2 */

void csfs_split_block_options_init(csfs_split_block_options *o)
{
    memset(o, 0, sizeof *o);
    csfs_engine_outputs_init(&o->engine);
    o->copy_w = 1;
    o->split_mixing = 1;
}

void csfs_split_block_summary_free(csfs_split_block_summary *sum)
{
    if (!sum) return;
    for (size_t i = 0; i < sum->n_outputs; i++) free(sum->paths[i]);
    free(sum->paths);
    free(sum->csfs);
    free(sum->parity);
    memset(sum, 0, sizeof *sum);
}

static void report(const csfs_split_block_options *o, const char *fmt, ...) CSFS_PRINTF(2, 3);
static void report(const csfs_split_block_options *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    csfs_report_v(o->report, o->report_ctx, fmt, ap);
    va_end(ap);
}

static int parity_of(const char *l3, size_t n)
{
    n = lt_trimmed(l3, n);
    return n && l3[n - 1] == '-' ? -1 : 1;
}

typedef struct blocks {
    uint64_t *csfs;
    int *parity;
    size_t n, cap;
} blocks;

static int open_block(csfs_outset *out, blocks *b, const char *prefix, int parity,
                      const csfs_header *h, size_t *n_par, csfs_error *err)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        uint64_t *c = realloc(b->csfs, cap * sizeof *c);
        if (c) b->csfs = c;
        int *p = realloc(b->parity, cap * sizeof *p);
        if (p) b->parity = p;
        if (!c || !p) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        b->cap = cap;
    }
    size_t k = ++n_par[parity > 0 ? 0 : 1];
    char path[8192];
    snprintf(path, sizeof path, "%s_%s%zu.c", prefix, parity > 0 ? "even" : "odd", k);
    size_t idx;
    int rc = csfs_outset_add(out, path, &idx, err);
    for (int i = 0; rc == 0 && i < CSFS_HEADER_LINES; i++)
        rc = csfs_outset_line(out, idx, h->lines[i], lt_trimmed(h->lines[i], h->lens[i]), err);
    b->csfs[b->n] = 0;
    b->parity[b->n] = parity;
    b->n++;
    return rc;
}

/* "<stem>.w" of the input copied to "<outputs>.w". */
static int copy_w(const csfs_split_block_options *opt, csfs_outset *out, size_t n_c, int *copied,
                  csfs_error *err)
{
    *copied = 0;
    if (!opt->copy_w || strcmp(opt->input, "-") == 0) return 0;
    char *stem = NULL;
    int rc = csfs_list_stem(opt->input, &stem, err);
    if (rc) return rc;
    char wpath[8192];
    snprintf(wpath, sizeof wpath, "%s.w", stem);
    free(stem);
    FILE *f = fopen(wpath, "rb");
    if (!f) return 0;
    *copied = 1;
    for (size_t i = 0; rc == 0 && i < n_c; i++) {
        char path[8192];
        const char *c = csfs_outset_path(out, i);
        snprintf(path, sizeof path, "%.*s.w", (int)(strlen(c) - 2), c);
        size_t idx;
        if ((rc = csfs_outset_add(out, path, &idx, err))) break;
        rewind(f);
        char buf[1 << 16];
        size_t got;
        while (rc == 0 && (got = fread(buf, 1, sizeof buf, f)) > 0)
            rc = csfs_outset_write(out, idx, buf, got, err);
        if (rc == 0 && ferror(f)) rc = csfs_fail(err, CSFS_E_IO, "%s: read failed", wpath);
    }
    fclose(f);
    return rc;
}

static int split_block_text(const csfs_split_block_options *opt, csfs_split_block_summary *sum,
                            csfs_error *err)
{
    csfs_error_clear(err);
    if (sum) memset(sum, 0, sizeof *sum);
    if (!opt->input) return csfs_fail(err, CSFS_E_ARGUMENT, "no input list");
    lt_tokens tok;
    memset(&tok, 0, sizeof tok);
    csfs_outset out;
    csfs_outset_init(&out, opt->force);
    blocks b = {0};
    char *prefix = NULL;
    size_t n_par[2] = {0, 0};
    uint64_t csfs = 0;
    int in_block = 0, w_copied = 0;
    int rc = csfs_rec_stream_open(opt->input, opt->input_header, &tok.s, err);
    if (rc == 0) rc = csfs_list_out_prefix(opt->input, opt->dir, opt->prefix, &prefix, err);
    const csfs_header *h = tok.s ? csfs_rec_stream_header(tok.s) : NULL;
    const char *name = tok.s ? csfs_rec_stream_name(tok.s) : opt->input;
    int empty_blocks = 0;
    lt_cut cut;
    lt_cut_init(&cut, "rasfsplit", GRASP_LINE, opt->keep_long_lines, opt->report, opt->report_ctx);
    while (rc == 0) {
        int kind;
        if ((rc = lt_next(&tok, &kind, err))) break;
        if (kind != LT_REC) {
            /* A separator or the end closes the block; an empty block is a
             * header-only file (GRASP: "even", from the separator line). */
            if (!in_block && (kind == LT_SEP || b.n > 0)) {
                rc = open_block(&out, &b, prefix, 1, h, n_par, err);
                empty_blocks++;
            }
            in_block = 0;
            if (kind == LT_END) break;
            continue;
        }
        const csfs_rec *r = &tok.rec;
        int par = parity_of(r->line[2], r->len[2]);
        if (!in_block) {
            if ((rc = open_block(&out, &b, prefix, par, h, n_par, err))) break;
            in_block = 1;
        } else if (par != b.parity[b.n - 1]) {
            char where[600];
            csfs_rec_where(tok.s, r, where, sizeof where);
            rc = csfs_fail_line(err, CSFS_E_FORMAT, r->line_no + 2,
                                "%s: CSF %llu has parity %c, but its block began with parity "
                                "%c: a block must hold one parity",
                                where, (unsigned long long)r->index, par > 0 ? '+' : '-',
                                b.parity[b.n - 1] > 0 ? '+' : '-');
            break;
        }
        for (int i = 0; rc == 0 && i < 3; i++) {
            size_t n = lt_trimmed(r->line[i], r->len[i]);
            if (n > GRASP_LINE) { /* rasfsplit writes the first 700 */
                char where[600];
                lt_cut_where(where, sizeof where, name, r->line_no, r->index, i);
                n = lt_cut_line(&cut, r->line[i], r->len[i], where);
            }
            rc = csfs_outset_line(&out, b.n - 1, r->line[i], n, err);
        }
        b.csfs[b.n - 1]++;
        csfs++;
        if ((csfs & 0xffff) == 0) rc = csfs_cancel_check(opt->cancel, name, err);
    }
    if (rc == 0 && b.n == 0) rc = csfs_fail(err, CSFS_E_FORMAT, "%s: no CSFs to split", name);
    size_t n_c = b.n;
    if (rc == 0) rc = copy_w(opt, &out, n_c, &w_copied, err);
    size_t mix_files[2] = {0, 0};
    char notes[2][1024] = {"", ""};
    if (rc == 0 && opt->split_mixing && strcmp(opt->input, "-") != 0) {
        char *stem = NULL;
        const char **cpaths = calloc(n_c ? n_c : 1, sizeof *cpaths);
        rc = cpaths ? csfs_list_stem(opt->input, &stem, err)
                    : csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < n_c; i++) cpaths[i] = csfs_outset_path(&out, i);
        static const char *const ext[2] = {".m", ".cm"};
        for (int e = 0; rc == 0 && e < 2; e++) {
            char mpath[8192];
            snprintf(mpath, sizeof mpath, "%s%s", stem, ext[e]);
            FILE *f = fopen(mpath, "rb");
            if (!f) continue;
            fclose(f);
            rc = csfs_split_block_mix(mpath, ext[e], cpaths, b.csfs, n_c, &out, &mix_files[e],
                                      notes[e], sizeof notes[e], err);
        }
        free(stem);
        free(cpaths);
    }
    if (rc == 0) rc = csfs_outset_commit(&out, err);
    if (rc == 0) {
        lt_cut_finish(&cut);
        for (int e = 0; e < 2; e++)
            if (notes[e][0]) report(opt, "%s", notes[e]);
        if (empty_blocks)
            report(opt,
                   "%s: %d empty block(s): written as header-only '_even' lists, as GRASP "
                   "names them",
                   name, empty_blocks);
        if (n_par[0] > 15 || n_par[1] > 15 || b.n > 30)
            report(opt,
                   "%s: %zu blocks (%zu even, %zu odd): GRASP's rasfsplit stops beyond 15 blocks "
                   "of one parity and holds 30 block names; csfs wrote them all",
                   name, b.n, n_par[0], n_par[1]);
    }
    if (rc == 0 && sum) {
        sum->csf_count = csfs;
        sum->w_copied = w_copied;
        sum->m_files = mix_files[0];
        sum->cm_files = mix_files[1];
        sum->paths = calloc(n_c, sizeof *sum->paths);
        if (!sum->paths) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < n_c; i++) {
            sum->paths[i] = strdup(csfs_outset_path(&out, i));
            if (!sum->paths[i]) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
            sum->n_outputs++;
        }
        if (rc == 0) {
            sum->csfs = b.csfs;
            sum->parity = b.parity;
            b.csfs = NULL;
            b.parity = NULL;
        } else {
            csfs_split_block_summary_free(sum);
        }
    }
    free(b.csfs);
    free(b.parity);
    free(prefix);
    csfs_outset_free(&out);
    csfs_rec_stream_close(tok.s);
    return rc;
}

static const char *text_path(const void *ctx, size_t i)
{
    return ((const csfs_split_block_summary *)ctx)->paths[i];
}

/* The lists, then their engine outputs (all or none: the lists go again when
 * an engine output fails). */
int csfs_split_block_run(const csfs_split_block_options *opt, csfs_split_block_summary *sum,
                         csfs_error *err)
{
    csfs_split_block_summary local;
    csfs_split_block_summary *s = sum ? sum : &local;
    int rc = lt_engine_check_templates(&opt->engine, err);
    if (rc) {
        if (sum) memset(sum, 0, sizeof *sum);
        return rc;
    }
    rc = split_block_text(opt, s, err);
    if (rc || !csfs_engine_outputs_any(&opt->engine)) {
        if (rc == 0 && !sum) csfs_split_block_summary_free(&local);
        return rc;
    }
    csfs_engine_run run = {.threads = opt->threads,
                           .force = opt->force,
                           .report = opt->report,
                           .report_ctx = opt->report_ctx,
                           .cancel = opt->cancel};
    rc = lt_engine_multi(&opt->engine, s->n_outputs, text_path, s, &run, err);
    if (rc || !sum) csfs_split_block_summary_free(s);
    return rc;
}
