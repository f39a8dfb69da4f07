/*
 * rcsfsplit (GRASP2018 src/tool/rcsfsplit.f90): one list per active orbital
 * set, "<name><label>.c". GRASP's rule, kept exactly:
 *   - the peel line is read as 5-character fields; an orbital (the field's
 *     characters 2-4, e.g. " 5p") is in the complement of a set when the set
 *     has no orbital of its l letter, or when its two-character n is larger
 *     (as text, i.e. numerically for right-aligned n) than the n the set
 *     gives for that letter;
 *   - a CSF is kept when its first line contains none of the complement
 *     orbitals as a substring (" 5p" matches both 5p- and 5p);
 *   - header: lines 1-3 and 5 trimmed; line 4 = the peel fields not in the
 *     complement, in input order, trimmed;
 *   - every separator is copied, so an emptied block leaves consecutive (or
 *     leading) " *" lines;
 *   - lines are written without trailing blanks.
 * Unlike GRASP, the input is read once for all sets (GRASP rereads it per
 * set), lines over 200 characters are cut as rcsfsplit cuts them, with a
 * warning (or kept whole on request),
 * any number of sets and orbitals is accepted (GRASP: 50 sets, 25 orbitals
 * per set), and a set GRASP would ask again for is an error.
 */
#define _GNU_SOURCE
#include <ctype.h>
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
#include "listtools/tokens.h"

#define GRASP_LINE 200 /* rcsfsplit.f90: character(len=200) string1..3 */

void csfs_split_active_options_init(csfs_split_active_options *o)
{
    memset(o, 0, sizeof *o);
    csfs_engine_outputs_init(&o->engine);
}

void csfs_split_active_summary_free(csfs_split_active_summary *sum)
{
    if (!sum) return;
    for (size_t i = 0; i < sum->n_outputs; i++) {
        free(sum->outputs[i].path);
        free(sum->outputs[i].block_lengths);
    }
    free(sum->outputs);
    sum->outputs = NULL;
    sum->n_outputs = 0;
}

/* The peel line's fields: orbital (3 characters) and relativistic name (4). */
typedef struct peel_fields {
    char (*orb)[3];
    char (*rel)[4];
    size_t n;
} peel_fields;

static int read_peel(const char *line, size_t len, peel_fields *p, csfs_error *err)
{
    size_t t = lt_trimmed(line, len);
    p->n = (t + 1) / 5; /* norb = (len_trim + 1) / 5 */
    p->orb = calloc(p->n ? p->n : 1, sizeof *p->orb);
    p->rel = calloc(p->n ? p->n : 1, sizeof *p->rel);
    if (!p->orb || !p->rel) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (size_t i = 0; i < p->n; i++) {
        for (size_t k = 0; k < 4; k++) {
            size_t at = 5 * i + 1 + k; /* format (300(x,a4)): skip 1, read 4 */
            char c = at < len ? line[at] : ' ';
            p->rel[i][k] = c;
            if (k < 3) p->orb[i][k] = c;
        }
    }
    return 0;
}

/* One set item: "5s" -> " 5s", "10s" -> "10s" (GRASP pads 2 characters). */
static int parse_set(const char *text, const char *what, char (**items)[3], size_t *n,
                     csfs_error *err)
{
    *items = NULL;
    *n = 0;
    size_t cap = 0;
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        while (len && p[len - 1] == ' ') len--;
        /* GRASP takes an item of 2 or 3 characters up to its trailing
         * blanks, leading blanks included (" 5s" is 5s, " 12p" is refused). */
        size_t grasp_len = len;
        const char *raw = p;
        while (len && *p == ' ') p++, len--;
        int ok = (grasp_len == 2 || grasp_len == 3) && (len == 2 || len == 3) &&
                 islower((unsigned char)p[len - 1]);
        for (size_t k = 0; ok && k + 1 < len; k++) ok = isdigit((unsigned char)p[k]) != 0;
        if (!ok) {
            free(*items);
            *items = NULL;
            return csfs_fail(err, CSFS_E_ARGUMENT,
                             "%s: '%s': orbitals must be a comma-separated list like 5s,4p,3d "
                             "(n of one or two digits, then the l letter, at most 3 characters "
                             "with the blanks before it, as GRASP reads them); '%.*s' is not one",
                             what, text, (int)grasp_len, raw);
        }
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            char(*ni)[3] = realloc(*items, cap * sizeof *ni);
            if (!ni) {
                free(*items);
                *items = NULL;
                return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
            }
            *items = ni;
        }
        char *it = (*items)[(*n)++];
        if (len == 2) {
            it[0] = ' ';
            memcpy(it + 1, p, 2);
        } else {
            memcpy(it, p, 3);
        }
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

typedef struct target {
    size_t file;     /* in the output set */
    char (*comp)[3]; /* the complement orbitals */
    size_t n_comp;
    uint64_t csfs;
    uint64_t *blocks; /* CSFs per input block */
    size_t cap_blocks;
} target;

/* GRASP's complement of a set (rcsfsplit.f90:92-110). */
static int complement(const peel_fields *peel, char (*items)[3], size_t n_items, target *t,
                      csfs_error *err)
{
    t->comp = calloc(peel->n * (n_items + 1) + 1, sizeof *t->comp);
    if (!t->comp) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (size_t i = 0; i < peel->n; i++) {
        int sym = 0;
        for (size_t j = 0; j < n_items; j++) {
            if (peel->orb[i][2] != items[j][2]) continue;
            sym = 1;
            if (memcmp(peel->orb[i], items[j], 2) > 0)
                memcpy(t->comp[t->n_comp++], peel->orb[i], 3);
        }
        if (!sym) memcpy(t->comp[t->n_comp++], peel->orb[i], 3);
    }
    return 0;
}

static int in_comp(const target *t, const char *orb3)
{
    for (size_t j = 0; j < t->n_comp; j++)
        if (memcmp(t->comp[j], orb3, 3) == 0) return 1;
    return 0;
}

static int kept(const target *t, const char *l1, size_t n1)
{
    for (size_t j = 0; j < t->n_comp; j++)
        if (memmem(l1, n1, t->comp[j], 3)) return 0;
    return 1;
}

static void report(const csfs_split_active_options *o, const char *fmt, ...) CSFS_PRINTF(2, 3);
static void report(const csfs_split_active_options *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    csfs_report_v(o->report, o->report_ctx, fmt, ap);
    va_end(ap);
}

static int count_block(target *t, size_t block, csfs_error *err)
{
    if (block >= t->cap_blocks) {
        size_t cap = t->cap_blocks ? 2 * t->cap_blocks : 16;
        while (cap <= block) cap *= 2;
        uint64_t *b = realloc(t->blocks, cap * sizeof *b);
        if (!b) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        memset(b + t->cap_blocks, 0, (cap - t->cap_blocks) * sizeof *b);
        t->blocks = b;
        t->cap_blocks = cap;
    }
    return 0;
}

static int split_active_text(const csfs_split_active_options *opt, csfs_split_active_summary *sum,
                             csfs_error *err)
{
    csfs_error_clear(err);
    if (sum) memset(sum, 0, sizeof *sum);
    if (!opt->input) return csfs_fail(err, CSFS_E_ARGUMENT, "no input list");
    if (!opt->n_sets) return csfs_fail(err, CSFS_E_ARGUMENT, "no active orbital set");
    lt_tokens tok;
    memset(&tok, 0, sizeof tok);
    csfs_outset out;
    csfs_outset_init(&out, opt->force);
    peel_fields peel = {0};
    target *tg = calloc(opt->n_sets, sizeof *tg);
    char *prefix = NULL;
    csfs_buf line4 = {0};
    uint64_t csfs = 0;
    size_t block = 0;
    int rc = tg ? 0 : csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    if (rc == 0) rc = csfs_rec_stream_open(opt->input, opt->input_header, &tok.s, err);
    if (rc == 0) rc = csfs_list_out_prefix(opt->input, opt->dir, opt->prefix, &prefix, err);
    const csfs_header *h = tok.s ? csfs_rec_stream_header(tok.s) : NULL;
    const char *name = tok.s ? csfs_rec_stream_name(tok.s) : opt->input;
    if (rc == 0) rc = read_peel(h->lines[3], h->lens[3], &peel, err);
    for (size_t k = 0; rc == 0 && k < opt->n_sets; k++) {
        const csfs_active_set *set = &opt->sets[k];
        char(*items)[3];
        size_t n_items;
        char what[300];
        snprintf(what, sizeof what, "orbital set %zu (%s)", k + 1, set->label ? set->label : "");
        if (!set->orbitals) {
            rc = csfs_fail(err, CSFS_E_ARGUMENT, "%s: no orbitals", what);
            break;
        }
        if ((rc = parse_set(set->orbitals, what, &items, &n_items, err))) break;
        rc = complement(&peel, items, n_items, &tg[k], err);
        free(items);
        if (rc) break;
        char path[8192];
        if (set->output)
            snprintf(path, sizeof path, "%s", set->output);
        else
            snprintf(path, sizeof path, "%s%s.c", prefix, set->label ? set->label : "");
        if (csfs_same_file(path, opt->input)) {
            rc = csfs_fail(err, CSFS_E_ARGUMENT, "%s: output of %s would replace the input", path,
                           what);
            break;
        }
        if ((rc = csfs_outset_add(&out, path, &tg[k].file, err))) break;
        /* The header, GRASP's way. */
        line4.len = 0;
        for (size_t i = 0; rc == 0 && i < peel.n; i++)
            if (!in_comp(&tg[k], peel.orb[i])) {
                rc = csfs_buf_append(&line4, " ", 1, err);
                if (rc == 0) rc = csfs_buf_append(&line4, peel.rel[i], 4, err);
            }
        for (int i = 0; rc == 0 && i < CSFS_HEADER_LINES; i++) {
            const char *p = i == 3 ? line4.data : h->lines[i];
            size_t n = i == 3 ? line4.len : h->lens[i];
            rc = csfs_outset_line(&out, tg[k].file, p ? p : "", lt_trimmed(p, n), err);
        }
        if (rc == 0) rc = count_block(&tg[k], 0, err);
    }
    int warned_empty = 0, prev_sep = 1;
    lt_cut cut;
    lt_cut_init(&cut, "rcsfsplit", GRASP_LINE, opt->keep_long_lines, opt->report, opt->report_ctx);
    while (rc == 0) {
        int kind;
        if ((rc = lt_next(&tok, &kind, err)) || kind == LT_END) break;
        if (kind == LT_SEP) {
            if (prev_sep && !warned_empty) {
                report(opt,
                       "%s: block %zu is empty (two ' *' lines in a row, or one first): GRASP's "
                       "rcsfsplit misreads such lists (it takes the second ' *' for a CSF's "
                       "first line); csfs keeps the empty block",
                       name, block + 1);
                warned_empty = 1;
            }
            prev_sep = 1;
            block++;
            for (size_t k = 0; rc == 0 && k < opt->n_sets; k++) {
                rc = csfs_outset_line(&out, tg[k].file, " *", 2, err);
                if (rc == 0) rc = count_block(&tg[k], block, err);
            }
            continue;
        }
        prev_sep = 0;
        const csfs_rec *r = &tok.rec;
        size_t n[3];
        for (int i = 0; i < 3; i++) {
            n[i] = lt_trimmed(r->line[i], r->len[i]);
            if (n[i] > GRASP_LINE) { /* rcsfsplit keeps, tests and writes the first 200 */
                char where[600];
                lt_cut_where(where, sizeof where, name, r->line_no, r->index, i);
                n[i] = lt_cut_line(&cut, r->line[i], r->len[i], where);
            }
        }
        for (size_t k = 0; rc == 0 && k < opt->n_sets; k++) {
            if (!kept(&tg[k], r->line[0], n[0])) continue;
            for (int i = 0; rc == 0 && i < 3; i++)
                rc = csfs_outset_line(&out, tg[k].file, r->line[i], n[i], err);
            tg[k].csfs++;
            tg[k].blocks[block]++;
        }
        csfs++;
        if ((csfs & 0xffff) == 0) rc = csfs_cancel_check(opt->cancel, name, err);
    }
    if (rc == 0) rc = csfs_outset_commit(&out, err);
    if (rc == 0) {
        lt_cut_finish(&cut);
        uint64_t odd = csfs_rec_stream_odd_separators(tok.s);
        if (odd)
            report(opt, "%s: %llu separator line(s) other than ' *' were written as ' *'", name,
                   (unsigned long long)odd);
        if (opt->n_sets > 50)
            report(opt, "%zu orbital sets: GRASP's rcsfsplit holds at most 50", opt->n_sets);
    }
    if (rc == 0 && sum) {
        sum->csf_count = csfs;
        sum->block_count = csfs || block ? block + 1 : 0;
        sum->outputs = calloc(opt->n_sets, sizeof *sum->outputs);
        if (!sum->outputs) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        for (size_t k = 0; rc == 0 && k < opt->n_sets; k++) {
            csfs_split_active_output *o = &sum->outputs[k];
            o->path = strdup(csfs_outset_path(&out, tg[k].file));
            o->csfs = tg[k].csfs;
            o->n_blocks = (size_t)sum->block_count;
            o->block_lengths = tg[k].blocks;
            tg[k].blocks = NULL;
            sum->n_outputs++;
            if (!o->path) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        }
    }
    for (size_t k = 0; tg && k < opt->n_sets; k++) {
        free(tg[k].comp);
        free(tg[k].blocks);
    }
    free(tg);
    free(peel.orb);
    free(peel.rel);
    free(prefix);
    csfs_buf_free(&line4);
    csfs_outset_free(&out);
    csfs_rec_stream_close(tok.s);
    return rc;
}

static const char *text_path(const void *ctx, size_t i)
{
    return ((const csfs_split_active_summary *)ctx)->outputs[i].path;
}

/* The lists, then their engine outputs (all or none: the lists go again when
 * an engine output fails). */
int csfs_split_active_run(const csfs_split_active_options *opt, csfs_split_active_summary *sum,
                          csfs_error *err)
{
    csfs_split_active_summary local;
    csfs_split_active_summary *s = sum ? sum : &local;
    int rc = lt_engine_check_templates(&opt->engine, err);
    if (rc) {
        if (sum) memset(sum, 0, sizeof *sum);
        return rc;
    }
    rc = split_active_text(opt, s, err);
    if (rc || !csfs_engine_outputs_any(&opt->engine)) {
        if (rc == 0 && !sum) csfs_split_active_summary_free(&local);
        return rc;
    }
    csfs_engine_run run = {.threads = opt->threads,
                           .force = opt->force,
                           .report = opt->report,
                           .report_ctx = opt->report_ctx,
                           .cancel = opt->cancel};
    rc = lt_engine_multi(&opt->engine, s->n_outputs, text_path, s, &run, err);
    if (rc || !sum) csfs_split_active_summary_free(s);
    return rc;
}
