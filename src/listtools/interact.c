/*
 * csfs interact: GRASP2018's rcsfinteract (shared/spec/LIST-TOOLS.md §2).
 *
 * The MR list is read whole (it is small); the candidate list is streamed
 * chunk by chunk: workers parse each candidate and test it against the MR
 * CSFs of its block (listtools/interact_rules.c), then the calling thread
 * writes, in candidate order, what GRASP writes. Memory holds the MR set and
 * one chunk of candidates with its per-record results.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/error.h"
#include "csfs/interact.h"
#include "engine/pipeline.h"
#include "grasp/csf_text.h"
#include "io/outfile.h"
#include "listtools/grasp_cut.h"
#include "listtools/interact_rules.h"
#include "listtools/lt_engine.h"

void csfs_interact_options_init(csfs_interact_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->hamiltonian = CSFS_HAMILTONIAN_DC;
    csfs_engine_outputs_init(&opt->engine);
}

void csfs_interact_summary_free(csfs_interact_summary *s)
{
    if (!s) return;
    free(s->blocks);
    s->blocks = NULL;
    s->n_blocks = 0;
}

/* ---- the MR set --------------------------------------------------------------- */

typedef struct mr_csf {
    size_t off[3], len[3]; /* lines in mr_set.text, right-trimmed of blanks */
    uint64_t line;         /* 1-based line of its line 1 (0: a Parquet row) */
    char where[160];       /* "file:LINE: CSF N" */
    int cut;               /* a line was cut to GRASP's 256 characters */
    csfs_ia_csf q;
} mr_csf;

typedef struct mr_block {
    size_t first, n;
    int itjpo, parity; /* of its first CSF (0 when empty) */
    int used;
} mr_block;

typedef struct mr_set {
    csfs_buf text;
    mr_csf *csf;
    size_t n, cap;
    mr_block *block;
    size_t n_block;
} mr_set;

static size_t rtrim_blanks(const char *s, size_t n)
{
    while (n && s[n - 1] == ' ') n--;
    return n;
}

#define GRASP_RECORD 256 /* lodcsl_MR.f90, lodcsl_CSF.f90: CHARACTER(LEN=256) RECORD */

/* Line p[0..n) as rcsfinteract reads it (first 256 characters; whole with
 * keep), for the workers: lt_cut_line does the same and warns. */
static size_t grasp_len(int keep, const char *p, size_t n)
{
    if (keep || n <= GRASP_RECORD) return n;
    return rtrim_blanks(p, n) <= GRASP_RECORD ? n : rtrim_blanks(p, GRASP_RECORD);
}

/* 1 when GRASP cuts one of the lines (and csfs does: not keep). */
static int is_cut(int keep, const char *const l[3], const size_t n[3])
{
    if (keep) return 0;
    for (int q = 0; q < 3; q++)
        if (rtrim_blanks(l[q], n[q]) > GRASP_RECORD) return 1;
    return 0;
}

/* Appended to a parse error of a CSF whose lines were cut: GRASP cannot read
 * it either (rcsfinteract stops with a LODCSL error, leaving a partial
 * output). */
static const char *cut_note(int cut)
{
    return cut ? " (in the lines as GRASP reads them: their first 256 characters; GRASP's "
                 "rcsfinteract cannot read this CSF either; keep_long_lines reads them whole)"
               : "";
}

/* The same in file order, with the warning naming the line. */
static size_t grasp_len_warn(lt_cut *cut, const csfs_pipe_chunk *c, const char *name, size_t i,
                             int k, const char *p, size_t n)
{
    if (rtrim_blanks(p, n) <= GRASP_RECORD) return n;
    const csfs_chunk_scan *scan = c->scan;
    char where[200], at[600];
    uint64_t line = 0;
    csfs_pipe_where(c, name, i, scan->rec && !scan->cols ? scan->rec[i].line : 0, where,
                    sizeof where, &line);
    lt_cut_where(at, sizeof at, name, line, c->row_start + i, k);
    return lt_cut_line(cut, p, n, at);
}

static void mr_free(mr_set *m)
{
    for (size_t i = 0; i < m->n; i++) csfs_ia_csf_free(&m->csf[i].q);
    free(m->csf);
    free(m->block);
    csfs_buf_free(&m->text);
    memset(m, 0, sizeof *m);
}

static int mr_new_block(mr_set *m, csfs_error *err)
{
    mr_block *b = realloc(m->block, (m->n_block + 1) * sizeof *b);
    if (!b) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    m->block = b;
    b[m->n_block] = (mr_block){m->n, 0, 0, 0, 0};
    m->n_block++;
    return 0;
}

/* Reads every CSF of a list (text or CSF Parquet), with its lines, into m
 * (no parsing yet): a one-thread pipeline run whose account() collects. */
typedef struct mr_collect {
    mr_set *m;
    const char *name;
    size_t block; /* block of the last record collected */
    lt_cut *cut;
} mr_collect;

static void mr_parse(void *ctx, size_t worker, const csfs_pipe_chunk *c, size_t first, size_t end,
                     size_t slot, uint64_t row_in_page, uint32_t *cols, size_t col_stride,
                     uint64_t *touched, void *notes)
{
    (void)ctx, (void)worker, (void)c, (void)first, (void)end, (void)slot, (void)row_in_page;
    (void)cols, (void)col_stride, (void)touched, (void)notes;
}

static int mr_account(void *ctx, const csfs_pipe_chunk *c, void *const *notes, size_t n_notes,
                      csfs_error *err)
{
    (void)notes, (void)n_notes;
    mr_collect *mc = ctx;
    mr_set *m = mc->m;
    const csfs_chunk_scan *scan = c->scan;
    size_t sep = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < scan->n_rec; i++) {
        while (sep < scan->n_sep && scan->sep_before[sep] <= i) sep++;
        size_t blk = (size_t)c->block_start + sep;
        while (rc == 0 && m->n_block <= blk) rc = mr_new_block(m, err);
        if (rc) break;
        if (m->n == m->cap) {
            size_t cap = m->cap ? 2 * m->cap : 64;
            mr_csf *x = realloc(m->csf, cap * sizeof *x);
            if (!x) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
            m->csf = x;
            m->cap = cap;
        }
        mr_csf *x = &m->csf[m->n];
        memset(x, 0, sizeof *x);
        const char *l[3];
        size_t n[3];
        csfs_record_lines(scan, c->data, i, l, n);
        x->cut = is_cut(mc->cut->keep, l, n);
        for (int k = 0; k < 3 && rc == 0; k++) {
            n[k] = grasp_len_warn(mc->cut, c, mc->name, i, k, l[k], n[k]);
            x->off[k] = m->text.len;
            x->len[k] = rtrim_blanks(l[k], n[k]);
            rc = csfs_buf_append(&m->text, l[k], x->len[k], err);
        }
        csfs_pipe_where(c, mc->name, i, scan->rec && !scan->cols ? scan->rec[i].line : 0, x->where,
                        sizeof x->where, &x->line);
        m->n++;
        m->block[blk].n++;
    }
    return rc;
}

static int null_start(csfs_page_sink *s, csfs_error *e)
{
    (void)s, (void)e;
    return 0;
}
static void *null_worker_new(csfs_page_sink *s)
{
    (void)s;
    return (void *)1;
}
static void null_worker_free(void *w)
{
    (void)w;
}
static int null_encode(csfs_page_sink *s, void *w, size_t lane, const csfs_page *p, csfs_error *e)
{
    (void)s, (void)w, (void)lane, (void)p, (void)e;
    return 0;
}
static int null_page_done(csfs_page_sink *s, const csfs_page *p, csfs_error *e)
{
    (void)s, (void)p, (void)e;
    return 0;
}
static int null_finish(csfs_page_sink *s, const csfs_run_info *i, csfs_error *e)
{
    (void)s, (void)i, (void)e;
    return 0;
}
static void null_destroy(csfs_page_sink *s)
{
    (void)s;
}

/* The pipeline's output side is unused: interact writes text in account(). */
static const csfs_page_sink_ops null_ops = {null_start,  null_worker_new, null_worker_free,
                                            null_encode, null_page_done,  null_finish,
                                            null_destroy};

#define IA_PAGE_ROWS 16384

static int mr_read(const char *path, mr_set *m, csfs_header *hdr, lt_cut *cut, csfs_error *err)
{
    csfs_pipe_source *src = NULL;
    int rc = csfs_pipe_source_open(path, 0, &src, err);
    if (rc) return rc;
    const csfs_header *h = csfs_pipe_source_header(src);
    if (!h)
        rc = csfs_fail(err, CSFS_E_FORMAT, "%s: no GRASP header (CSF Parquet without metadata)",
                       path);
    for (int i = 0; i < CSFS_HEADER_LINES && rc == 0; i++) {
        hdr->lens[i] = h->lens[i];
        hdr->lines[i] = malloc(h->lens[i] + 1);
        if (!hdr->lines[i])
            rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        else
            memcpy(hdr->lines[i], h->lines[i], h->lens[i] + 1);
    }
    if (rc == 0) rc = mr_new_block(m, err);
    if (rc == 0) {
        mr_collect mc = {m, csfs_pipe_source_name(src), 0, cut};
        csfs_page_sink sink = {.ops = &null_ops, .unordered = 1, .lanes = 1};
        csfs_pipe_kind kind = {.ctx = &mc,
                               .sink = &sink,
                               .page_rows = IA_PAGE_ROWS,
                               .group_rows = IA_PAGE_ROWS,
                               .parse = mr_parse,
                               .account = mr_account};
        csfs_pipe_config cfg = {.threads = 1};
        csfs_pipe_result res;
        memset(&res, 0, sizeof res);
        rc = csfs_pipe_run(src, &cfg, &kind, &res, err);
        while (rc == 0 && m->n_block < res.n_blocks) rc = mr_new_block(m, err);
        free(res.blocks);
    }
    csfs_pipe_source_close(src);
    return rc;
}

static int same_text(const mr_set *m, const mr_csf *c, const char *const l[3], const size_t n[3])
{
    for (int k = 0; k < 3; k++) {
        size_t len = rtrim_blanks(l[k], n[k]);
        if (len != c->len[k] || memcmp(m->text.data + c->off[k], l[k], len) != 0) return 0;
    }
    return 1;
}

/* ---- header checks -------------------------------------------------------------- */

static int header_checks(const char *mr_path, const csfs_header *mh, const char *cand_path,
                         const csfs_header *ch, csfs_error *err)
{
    static const char core_tag[] = "Core subshells:";
    if (mh->lens[0] < 15 || memcmp(mh->lines[0], core_tag, 15) != 0)
        return csfs_fail_line(err, CSFS_E_FORMAT, 1,
                              "%s:1: not a CSF list: the first line is not 'Core subshells:'",
                              mr_path);
    if (ch->lens[0] < 15 || memcmp(ch->lines[0], core_tag, 15) != 0)
        return csfs_fail_line(err, CSFS_E_FORMAT, 1,
                              "%s:1: not a CSF list: the first line is not 'Core subshells:'",
                              cand_path);
    size_t a = rtrim_blanks(mh->lines[1], mh->lens[1]), b = rtrim_blanks(ch->lines[1], ch->lens[1]);
    if (a != b || memcmp(mh->lines[1], ch->lines[1], a) != 0)
        return csfs_fail_line(err, CSFS_E_FORMAT, 2,
                              "%s:2: core subshells '%.*s' differ from those of %s:2 ('%.*s'); "
                              "GRASP stops with \"Different close shells\"",
                              mr_path, (int)a, mh->lines[1], cand_path, (int)b, ch->lines[1]);
    a = rtrim_blanks(mh->lines[3], mh->lens[3]);
    b = rtrim_blanks(ch->lines[3], ch->lens[3]);
    if (a > b || memcmp(mh->lines[3], ch->lines[3], a) != 0)
        return csfs_fail_line(err, CSFS_E_FORMAT, 4,
                              "%s:4: the peel subshells '%.*s' are not a prefix of those of "
                              "%s:4 ('%.*s'); GRASP stops with \"Different order of Peel "
                              "orbitals\"",
                              mr_path, (int)a, mh->lines[3], cand_path, (int)b, ch->lines[3]);
    return 0;
}

static void header_free(csfs_header *h)
{
    for (int i = 0; i < CSFS_HEADER_LINES; i++) free(h->lines[i]);
    memset(h, 0, sizeof *h);
}

/* ---- the job --------------------------------------------------------------------- */

/* What a worker found for the records of one segment. */
typedef struct seg_notes {
    size_t first, n, cap;
    int8_t *keep;   /* 1 interacts, 0 not */
    int32_t *ident; /* MR CSF textually identical, or -1 */
    int32_t *mrblk; /* MR block it was tested against, or -1 */
    int16_t *itjpo; /* its 2J+1 and parity (block pairing checks) */
    int8_t *parity;
    size_t bad_at; /* first record that failed to parse, or SIZE_MAX */
    int nomem;
    char bad[160];
} seg_notes;

typedef struct ia_worker {
    csfs_ia_pair *pair;
    csfs_ia_csf cand;
} ia_worker;

typedef struct ia_out ia_out;

typedef struct ia_job {
    const csfs_interact_options *opt;
    csfs_ia_orbs orbs;
    mr_set mr;
    const char *cand_name;
    int threads;
    ia_worker *w;
    ia_out *out;
    lt_cut cut; /* GRASP's 256-character records */
} ia_job;

static int mr_block_for(const ia_job *j, size_t blk, int itjpo, int parity)
{
    if (!j->opt->by_j) return blk < j->mr.n_block ? (int)blk : -1;
    for (size_t b = 0; b < j->mr.n_block; b++)
        if (j->mr.block[b].n && j->mr.block[b].itjpo == itjpo && j->mr.block[b].parity == parity)
            return (int)b;
    return -1;
}

static int notes_reserve(seg_notes *s, size_t n)
{
    if (n <= s->cap) return 0;
#define GROW(f)                                                                                    \
    do {                                                                                           \
        void *p = realloc(s->f, n * sizeof *s->f);                                                 \
        if (!p) return -1;                                                                         \
        s->f = p;                                                                                  \
    } while (0)
    GROW(keep);
    GROW(ident);
    GROW(mrblk);
    GROW(itjpo);
    GROW(parity);
#undef GROW
    s->cap = n;
    return 0;
}

static void notes_clear(void *p)
{
    seg_notes *s = p;
    s->n = 0;
    s->first = 0;
    s->bad_at = SIZE_MAX;
    s->nomem = 0;
}

static void notes_free(void *p)
{
    seg_notes *s = p;
    free(s->keep);
    free(s->ident);
    free(s->mrblk);
    free(s->itjpo);
    free(s->parity);
    memset(s, 0, sizeof *s);
}

/* Worker: parse and test records [first, end) of chunk c. */
static void ia_parse(void *ctx, size_t worker, const csfs_pipe_chunk *c, size_t first, size_t end,
                     size_t slot, uint64_t row_in_page, uint32_t *cols, size_t col_stride,
                     uint64_t *touched, void *notes)
{
    (void)slot, (void)row_in_page, (void)cols, (void)col_stride;
    ia_job *j = ctx;
    ia_worker *w = &j->w[worker];
    seg_notes *sn = notes;
    sn->first = first;
    sn->n = 0;
    sn->bad_at = SIZE_MAX;
    if (notes_reserve(sn, end - first)) {
        sn->nomem = 1;
        return;
    }
    const csfs_chunk_scan *scan = c->scan;
    size_t sep = 0;
    while (sep < scan->n_sep && scan->sep_before[sep] <= first) sep++;
    for (size_t i = first; i < end; i++) {
        while (sep < scan->n_sep && scan->sep_before[sep] <= i) sep++;
        size_t k = i - first;
        const char *l[3];
        size_t n[3];
        csfs_record_lines(scan, c->data, i, l, n);
        for (int q = 0; q < 3; q++) n[q] = grasp_len(j->opt->keep_long_lines, l[q], n[q]);
        sn->keep[k] = 0;
        sn->ident[k] = -1;
        sn->mrblk[k] = -1;
        sn->itjpo[k] = 0;
        sn->parity[k] = 0;
        sn->n = k + 1;
        if (csfs_ia_csf_parse(&j->orbs, l[0], n[0], l[1], n[1], l[2], n[2], &w->cand, sn->bad,
                              sizeof sn->bad)) {
            sn->bad_at = i;
            return;
        }
        sn->itjpo[k] = (int16_t)w->cand.itjpo;
        sn->parity[k] = (int8_t)w->cand.parity;
        int b = mr_block_for(j, (size_t)c->block_start + sep, w->cand.itjpo, w->cand.parity);
        sn->mrblk[k] = b;
        if (b < 0) continue;
        const mr_block *mb = &j->mr.block[b];
        for (size_t m = mb->first; m < mb->first + mb->n; m++) {
            const mr_csf *x = &j->mr.csf[m];
            if (!csfs_ia_may_interact(&j->orbs, &x->q, &w->cand)) continue;
            if (sn->ident[k] < 0 && same_text(&j->mr, x, l, n)) sn->ident[k] = (int32_t)m;
            if (!sn->keep[k] &&
                csfs_ia_interact(w->pair, &x->q, &w->cand, (int)j->opt->hamiltonian, NULL))
                sn->keep[k] = 1;
        }
    }
}

typedef struct writer {
    csfs_outfile out;
    int open;
    csfs_buf buf;
} writer;

static int w_flush(writer *w, csfs_error *err)
{
    int rc = csfs_outfile_write(&w->out, w->buf.data, w->buf.len, err);
    w->buf.len = 0;
    return rc;
}

static int w_line(writer *w, const char *s, size_t n, csfs_error *err)
{
    int rc = csfs_buf_append(&w->buf, s, n, err);
    if (rc == 0) rc = csfs_buf_append(&w->buf, "\n", 1, err);
    if (rc == 0 && w->buf.len > (1u << 20)) rc = w_flush(w, err);
    return rc;
}

static int w_mr_block(writer *w, const mr_set *m, size_t b, csfs_error *err)
{
    int rc = 0;
    const mr_block *mb = &m->block[b];
    for (size_t i = mb->first; rc == 0 && i < mb->first + mb->n; i++)
        for (int k = 0; k < 3 && rc == 0; k++)
            rc = w_line(w, m->text.data + m->csf[i].off[k], m->csf[i].len[k], err);
    return rc;
}

static void warn(const csfs_interact_options *o, const char *fmt, ...) CSFS_PRINTF(2, 3);
static void warn(const csfs_interact_options *o, const char *fmt, ...)
{
    if (!o->report) return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    o->report(o->report_ctx, msg);
}

/* ---- the ordered writer ----------------------------------------------------------- */

struct ia_out {
    ia_job *j;
    writer *w;
    char *found; /* MR CSFs already met textually among the candidates */
    size_t cb;   /* candidate block being read (0-based) */
    int have;    /* it has a record */
    size_t n_written_blocks;
    uint64_t written, candidates;
    csfs_interact_block *blocks; /* one per candidate block */
    size_t n_blocks, cap_blocks;
};

/* Writes MR block b as the start of an output block. */
static int out_mr(ia_out *o, size_t b, csfs_error *err)
{
    int rc = 0;
    if (o->n_written_blocks) rc = w_line(o->w, " *", 2, err);
    if (rc == 0) rc = w_mr_block(o->w, &o->j->mr, b, err);
    o->n_written_blocks++;
    o->j->mr.block[b].used = 1;
    csfs_interact_block *bs = &o->blocks[o->cb];
    bs->mr = o->j->mr.block[b].n;
    bs->kept = bs->mr;
    bs->two_j = o->j->mr.block[b].itjpo - 1;
    bs->parity = o->j->mr.block[b].parity;
    o->written += bs->mr;
    return rc;
}

static int out_block_begin(ia_out *o, csfs_error *err)
{
    if (o->n_blocks) o->cb++;
    if (o->n_blocks == o->cap_blocks) {
        size_t cap = o->cap_blocks ? 2 * o->cap_blocks : 16;
        csfs_interact_block *b = realloc(o->blocks, cap * sizeof *b);
        if (!b) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        o->blocks = b;
        o->cap_blocks = cap;
    }
    memset(&o->blocks[o->n_blocks], 0, sizeof o->blocks[0]);
    o->blocks[o->n_blocks].two_j = -1;
    o->n_blocks++;
    o->have = 0;
    return 0;
}

/* An empty candidate block still gets its MR block (by position). */
static int out_block_end(ia_out *o, csfs_error *err)
{
    const csfs_interact_options *opt = o->j->opt;
    if (o->have || opt->by_j) return 0;
    if (o->cb >= o->j->mr.n_block) return 0; /* counted as a mismatch at the end */
    return out_mr(o, o->cb, err);
}

/* Record k of segment sn (chunk record i) in file order. */
static int out_record(ia_out *o, const csfs_pipe_chunk *c, size_t i, const seg_notes *sn, size_t k,
                      csfs_error *err)
{
    ia_job *j = o->j;
    const csfs_interact_options *opt = j->opt;
    const csfs_chunk_scan *scan = c->scan;
    int rc = 0;
    char where[200];
    uint64_t line;
    o->candidates++;
    {
        /* GRASP reads (and cuts) every candidate's lines: each cut is named. */
        const char *l[3];
        size_t n[3];
        csfs_record_lines(scan, c->data, i, l, n);
        for (int q = 0; q < 3; q++)
            if (n[q] > GRASP_RECORD) grasp_len_warn(&j->cut, c, opt->candidates, i, q, l[q], n[q]);
    }
    if (!o->have) {
        o->have = 1;
        size_t b;
        csfs_pipe_where(c, opt->candidates, i, scan->rec && !scan->cols ? scan->rec[i].line : 0,
                        where, sizeof where, &line);
        if (!opt->by_j) {
            if (o->cb >= j->mr.n_block)
                return csfs_fail_line(err, CSFS_E_FORMAT, line,
                                      "%s: block %zu has no MR block: %s has %zu blocks; GRASP "
                                      "pairs them by position (and drops the extra ones)",
                                      where, o->cb + 1, opt->mr, j->mr.n_block);
            b = o->cb;
            const mr_block *mb = &j->mr.block[b];
            if (mb->n && (mb->itjpo != sn->itjpo[k] || mb->parity != sn->parity[k]))
                warn(opt,
                     "block %zu: the MR block has 2J = %d%c, the candidate block 2J = %d%c; "
                     "paired by position as GRASP does (--by-j pairs them by J and parity)",
                     o->cb + 1, mb->itjpo - 1, mb->parity > 0 ? '+' : '-', sn->itjpo[k] - 1,
                     sn->parity[k] > 0 ? '+' : '-');
        } else {
            if (sn->mrblk[k] < 0)
                return csfs_fail_line(err, CSFS_E_FORMAT, line,
                                      "%s: no block of %s has this CSF's J and parity", where,
                                      opt->mr);
            b = (size_t)sn->mrblk[k];
            if (j->mr.block[b].used)
                return csfs_fail_line(err, CSFS_E_FORMAT, line,
                                      "%s: a second block with the J and parity of MR block %zu",
                                      where, b + 1);
        }
        rc = out_mr(o, b, err);
        if (rc) return rc;
        o->blocks[o->cb].two_j = sn->itjpo[k] - 1;
        o->blocks[o->cb].parity = sn->parity[k];
    }
    csfs_interact_block *bs = &o->blocks[o->cb];
    bs->candidates++;
    int32_t id = sn->ident[k];
    if (id >= 0 && !o->found[id]) {
        o->found[id] = 1;
        bs->skipped++;
        return 0;
    }
    if (sn->keep[k] != 1) return 0;
    const char *l[3];
    size_t n[3];
    csfs_record_lines(scan, c->data, i, l, n);
    for (int q = 0; q < 3; q++) n[q] = grasp_len(opt->keep_long_lines, l[q], n[q]);
    for (int q = 0; q < 3 && rc == 0; q++) rc = w_line(o->w, l[q], rtrim_blanks(l[q], n[q]), err);
    bs->selected++;
    bs->kept++;
    o->written++;
    return rc;
}

/* Orderer: chunk c's records in file order. */
static int ia_account(void *ctx, const csfs_pipe_chunk *c, void *const *notes, size_t n_notes,
                      csfs_error *err)
{
    ia_job *j = ctx;
    ia_out *o = j->out;
    const csfs_chunk_scan *scan = c->scan;
    int rc = 0;
    for (size_t s = 0; s < n_notes; s++) {
        const seg_notes *sn = notes[s];
        if (sn->nomem) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        if (sn->bad_at != SIZE_MAX) {
            char where[200];
            uint64_t line;
            size_t i = sn->bad_at;
            csfs_pipe_where(c, j->opt->candidates, i,
                            scan->rec && !scan->cols ? scan->rec[i].line : 0, where, sizeof where,
                            &line);
            const char *l[3];
            size_t n[3];
            csfs_record_lines(scan, c->data, i, l, n);
            return csfs_fail_line(err, CSFS_E_CSF, line, "%s: %s%s", where, sn->bad,
                                  cut_note(is_cut(j->opt->keep_long_lines, l, n)));
        }
    }
    size_t sep = 0, s = 0;
    for (size_t i = 0; rc == 0 && i < scan->n_rec; i++) {
        while (sep < scan->n_sep && scan->sep_before[sep] <= i) sep++;
        size_t blk = (size_t)c->block_start + sep;
        while (rc == 0 && o->cb < blk) {
            rc = out_block_end(o, err);
            if (rc == 0) rc = out_block_begin(o, err);
        }
        if (rc) break;
        while (s + 1 < n_notes &&
               ((const seg_notes *)notes[s])->first + ((const seg_notes *)notes[s])->n <= i)
            s++;
        const seg_notes *sn = notes[s];
        rc = out_record(o, c, i, sn, i - sn->first, err);
    }
    return rc;
}

/* Opens the MR, parses it, opens the candidates and checks the headers. */
static int setup(ia_job *j, csfs_header *mh, csfs_pipe_source **cs, csfs_error *err)
{
    const csfs_interact_options *o = j->opt;
    lt_cut_init(&j->cut, "rcsfinteract", GRASP_RECORD, o->keep_long_lines, o->report,
                o->report_ctx);
    int rc = mr_read(o->mr, &j->mr, mh, &j->cut, err);
    if (rc) return rc;
    rc = csfs_pipe_source_open(o->candidates, o->chunk_bytes, cs, err);
    if (rc) return rc;
    const csfs_header *ch = csfs_pipe_source_header(*cs);
    if (!ch)
        return csfs_fail(err, CSFS_E_FORMAT, "%s: no GRASP header (CSF Parquet without metadata)",
                         o->candidates);
    j->cand_name = o->candidates;
    rc = header_checks(o->mr, mh, o->candidates, ch, err);
    if (rc) return rc;
    char why[256];
    if (csfs_ia_orbs_init(&j->orbs, ch->lines[1], ch->lens[1], ch->lines[3], ch->lens[3], why,
                          sizeof why))
        return csfs_fail_line(err, CSFS_E_FORMAT, 2, "%s: subshell lists: %s", o->candidates, why);
    /* Parse the MR with the candidates' subshells; refuse duplicates. */
    for (size_t i = 0; i < j->mr.n; i++) {
        mr_csf *c = &j->mr.csf[i];
        if (csfs_ia_csf_alloc(&c->q, j->orbs.nw))
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        const char *t = j->mr.text.data;
        if (csfs_ia_csf_parse(&j->orbs, t + c->off[0], c->len[0], t + c->off[1], c->len[1],
                              t + c->off[2], c->len[2], &c->q, why, sizeof why))
            return csfs_fail_line(err, CSFS_E_CSF, c->line, "%s: %s%s", c->where, why,
                                  cut_note(c->cut));
    }
    for (size_t b = 0; b < j->mr.n_block; b++) {
        mr_block *mb = &j->mr.block[b];
        if (mb->n) {
            mb->itjpo = j->mr.csf[mb->first].q.itjpo;
            mb->parity = j->mr.csf[mb->first].q.parity;
        }
        for (size_t x = mb->first; x < mb->first + mb->n; x++)
            for (size_t y = mb->first; y < x; y++) {
                const mr_csf *a = &j->mr.csf[x], *c = &j->mr.csf[y];
                const char *l[3] = {j->mr.text.data + a->off[0], j->mr.text.data + a->off[1],
                                    j->mr.text.data + a->off[2]};
                if (same_text(&j->mr, c, l, a->len))
                    return csfs_fail_line(err, CSFS_E_FORMAT, a->line,
                                          "%s: duplicate CSF: the same as %s", a->where, c->where);
            }
    }
    return 0;
}

static void job_free(ia_job *j)
{
    for (int t = 0; j->w && t < j->threads; t++) {
        csfs_ia_pair_free(j->w[t].pair);
        csfs_ia_csf_free(&j->w[t].cand);
    }
    free(j->w);
    csfs_ia_orbs_free(&j->orbs);
    mr_free(&j->mr);
}

static int workers_init(ia_job *j, int threads, csfs_error *err)
{
    j->threads = threads;
    j->w = calloc((size_t)threads, sizeof *j->w);
    if (!j->w) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (int t = 0; t < threads; t++) {
        j->w[t].pair = csfs_ia_pair_new(&j->orbs);
        if (!j->w[t].pair || csfs_ia_csf_alloc(&j->w[t].cand, j->orbs.nw))
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    return 0;
}

typedef struct text_run {
    const csfs_interact_options *opt;
    csfs_interact_summary *sum;
    double t0;
} text_run;

static int interact_text(void *ctx, const char *text_path, csfs_error *err);

int csfs_interact_run(const csfs_interact_options *opt, csfs_interact_summary *sum, csfs_error *err)
{
    csfs_error local;
    if (!err) err = &local;
    csfs_error_clear(err);
    text_run tr = {opt, sum, csfs_now_seconds()};
    if (sum) memset(sum, 0, sizeof *sum);
    if (!opt->mr || !opt->candidates || (!opt->output && !csfs_engine_outputs_any(&opt->engine)))
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "an MR list, a candidate list and an output are required");
    if (opt->hamiltonian != CSFS_HAMILTONIAN_DC && opt->hamiltonian != CSFS_HAMILTONIAN_DCB)
        return csfs_fail(err, CSFS_E_ARGUMENT, "unknown Hamiltonian %d", (int)opt->hamiltonian);
    int threads = opt->threads > 0 ? opt->threads : csfs_online_cpus();
    if (threads > 256) threads = 256;
    csfs_engine_run run = {.threads = threads,
                           .force = opt->force,
                           .report = opt->report,
                           .report_ctx = opt->report_ctx,
                           .progress = opt->progress,
                           .progress_ctx = opt->progress_ctx,
                           .cancel = opt->cancel};
    int rc = lt_engine_single(&opt->engine, opt->output, "rcsf.out", &run, interact_text, &tr, err);
    if (rc && sum) csfs_interact_summary_free(sum);
    if (rc == 0 && sum) sum->seconds = csfs_now_seconds() - tr.t0;
    return rc;
}

/* The text list at text_path (opt->output, or a temporary). */
static int interact_text(void *ctx, const char *text_path, csfs_error *err)
{
    const text_run *tr = ctx;
    csfs_interact_options o2 = *tr->opt;
    o2.output = text_path;
    const csfs_interact_options *opt = &o2;
    csfs_interact_summary *sum = tr->sum;
    double t0 = tr->t0;
    if (csfs_same_file(opt->candidates, opt->output) || csfs_same_file(opt->mr, opt->output))
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: the output would overwrite an input",
                         opt->output);
    int threads = opt->threads > 0 ? opt->threads : csfs_online_cpus();
    if (threads > 256) threads = 256;
    ia_job j;
    memset(&j, 0, sizeof j);
    j.opt = opt;
    csfs_header mh;
    memset(&mh, 0, sizeof mh);
    csfs_pipe_source *cs = NULL;
    writer w;
    memset(&w, 0, sizeof w);
    ia_out ord;
    memset(&ord, 0, sizeof ord);
    ord.j = &j;
    ord.w = &w;
    j.out = &ord;
    int rc = setup(&j, &mh, &cs, err);
    if (rc == 0) rc = workers_init(&j, threads, err);
    if (rc == 0) rc = csfs_outfile_open(&w.out, opt->output, opt->force, err);
    if (rc == 0) w.open = 1;
    /* Header: MR lines 1, 3, 5 as GRASP's fixed-width reads give them, the MR
     * core line and the candidates' peel line, trimmed. */
    if (rc == 0) {
        const csfs_header *ch = csfs_pipe_source_header(cs);
        char l1[16], l3[16], l5[8];
        snprintf(l1, sizeof l1, "%-15.15s", mh.lines[0]);
        snprintf(l3, sizeof l3, "%-15.15s", mh.lines[2]);
        snprintf(l5, sizeof l5, "%-7.7s", mh.lines[4]);
        rc = w_line(&w, l1, 15, err);
        if (rc == 0) rc = w_line(&w, mh.lines[1], rtrim_blanks(mh.lines[1], mh.lens[1]), err);
        if (rc == 0) rc = w_line(&w, l3, 15, err);
        if (rc == 0) rc = w_line(&w, ch->lines[3], rtrim_blanks(ch->lines[3], ch->lens[3]), err);
        if (rc == 0) rc = w_line(&w, l5, 7, err);
    }
    ord.found = j.mr.n ? calloc(j.mr.n, 1) : NULL;
    if (rc == 0 && j.mr.n && !ord.found) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    if (rc == 0) rc = out_block_begin(&ord, err);
    csfs_pipe_result res;
    memset(&res, 0, sizeof res);
    if (rc == 0) {
        csfs_page_sink sink = {.ops = &null_ops, .unordered = 1, .lanes = 1};
        csfs_pipe_kind kind = {.ctx = &j,
                               .sink = &sink,
                               .page_rows = IA_PAGE_ROWS,
                               .group_rows = IA_PAGE_ROWS,
                               .notes_size = sizeof(seg_notes),
                               .parse = ia_parse,
                               .account = ia_account,
                               .notes_clear = notes_clear,
                               .notes_free = notes_free};
        csfs_pipe_config cfg = {.threads = threads,
                                .cancel = opt->cancel,
                                .progress = opt->progress,
                                .progress_ctx = opt->progress_ctx};
        rc = csfs_pipe_run(cs, &cfg, &kind, &res, err);
    }
    /* Blocks after the last record (empty ones, a trailing separator). */
    while (rc == 0 && ord.cb + 1 < res.n_blocks) {
        rc = out_block_end(&ord, err);
        if (rc == 0) rc = out_block_begin(&ord, err);
    }
    if (rc == 0) rc = out_block_end(&ord, err);
    /* GRASP writes every MR block, each with the candidate block at its
     * position: both lists need the same blocks. */
    if (rc == 0 && !opt->by_j && ord.n_blocks != j.mr.n_block)
        rc = csfs_fail(err, CSFS_E_FORMAT,
                       "%s has %zu blocks, %s has %zu; GRASP pairs them by position and needs "
                       "the same blocks in both",
                       opt->mr, j.mr.n_block, opt->candidates, ord.n_blocks);
    if (rc == 0 && opt->by_j)
        for (size_t b = 0; b < j.mr.n_block; b++)
            if (!j.mr.block[b].used && j.mr.block[b].n)
                warn(opt, "%s: MR block %zu (2J = %d) has no candidate block and is not written",
                     opt->mr, b + 1, j.mr.block[b].itjpo - 1);
    if (rc == 0 && opt->cancel && *opt->cancel)
        rc = csfs_fail(err, CSFS_E_CANCELLED, "%s: cancelled", opt->candidates);
    if (rc == 0) lt_cut_finish(&j.cut);
    if (rc == 0 && w.buf.len) rc = w_flush(&w, err);
    if (rc == 0) {
        rc = csfs_outfile_commit(&w.out, err);
        w.open = 0;
    }
    if (w.open) csfs_outfile_abort(&w.out);
    csfs_buf_free(&w.buf);
    if (cs) csfs_pipe_source_close(cs);
    free(res.blocks);
    free(ord.found);
    header_free(&mh);
    job_free(&j);
    if (sum && rc == 0) {
        sum->candidates = ord.candidates;
        sum->written = ord.written;
        sum->n_blocks = ord.n_blocks;
        sum->blocks = ord.blocks;
        ord.blocks = NULL;
        sum->threads = threads;
        sum->output_bytes = w.out.offset;
        sum->seconds = csfs_now_seconds() - t0;
    }
    free(ord.blocks);
    return rc;
}

/* ---- explain ---------------------------------------------------------------------- */

typedef struct explain_ctx {
    ia_job *j;
    uint64_t row;
    csfs_buf text;
    int done;
} explain_ctx;

static void explain_parse(void *ctx, size_t worker, const csfs_pipe_chunk *c, size_t first,
                          size_t end, size_t slot, uint64_t row_in_page, uint32_t *cols,
                          size_t col_stride, uint64_t *touched, void *notes)
{
    (void)ctx, (void)worker, (void)c, (void)first, (void)end, (void)slot, (void)row_in_page;
    (void)cols, (void)col_stride, (void)touched, (void)notes;
}

static void explain_label(const ia_job *j, csfs_buf *t, int q)
{
    if (q < j->orbs.ncore) {
        csfs_buf_printf(t, NULL, " core#%d", q + 1);
        return;
    }
    char lab[9] = {0};
    memcpy(lab, &j->orbs.key[q], 8);
    csfs_buf_printf(t, NULL, " %s", lab);
}

static int explain_account(void *ctx, const csfs_pipe_chunk *c, void *const *notes, size_t n_notes,
                           csfs_error *err)
{
    (void)notes, (void)n_notes;
    explain_ctx *x = ctx;
    ia_job *j = x->j;
    const csfs_interact_options *opt = j->opt;
    const csfs_chunk_scan *scan = c->scan;
    if (x->done || x->row < c->row_start || x->row >= c->row_start + scan->n_rec) return 0;
    x->done = 1;
    size_t i = (size_t)(x->row - c->row_start), sep = 0;
    while (sep < scan->n_sep && scan->sep_before[sep] <= i) sep++;
    size_t blk = (size_t)c->block_start + sep;
    const char *l[3];
    size_t n[3];
    csfs_record_lines(scan, c->data, i, l, n);
    int cut = is_cut(opt->keep_long_lines, l, n);
    for (int q = 0; q < 3; q++) n[q] = grasp_len(opt->keep_long_lines, l[q], n[q]);
    char where[200], why[256];
    uint64_t line;
    csfs_pipe_where(c, opt->candidates, i, scan->rec && !scan->cols ? scan->rec[i].line : 0, where,
                    sizeof where, &line);
    csfs_buf *t = &x->text;
    csfs_buf_printf(t, NULL, "candidate %llu (%s, block %zu), %s Hamiltonian:\n",
                    (unsigned long long)x->row + 1, where, blk + 1,
                    opt->hamiltonian == CSFS_HAMILTONIAN_DCB ? "Dirac-Coulomb-Breit"
                                                             : "Dirac-Coulomb");
    csfs_ia_csf *cand = &j->w[0].cand;
    if (csfs_ia_csf_parse(&j->orbs, l[0], n[0], l[1], n[1], l[2], n[2], cand, why, sizeof why))
        return csfs_fail_line(err, CSFS_E_CSF, line, "%s: %s%s", where, why, cut_note(cut));
    int b = mr_block_for(j, blk, cand->itjpo, cand->parity);
    if (b < 0) {
        csfs_buf_printf(t, NULL, "  not kept: no MR block is paired with its block\n");
        return 0;
    }
    const mr_block *mb = &j->mr.block[b];
    for (size_t m = mb->first; m < mb->first + mb->n; m++) {
        const mr_csf *y = &j->mr.csf[m];
        if (same_text(&j->mr, y, l, n)) {
            csfs_buf_printf(t, NULL,
                            "  identical to MR CSF %s: written once, with the MR CSFs (a later "
                            "copy is tested like any candidate)\n",
                            y->where);
            return 0;
        }
    }
    for (size_t m = mb->first; m < mb->first + mb->n; m++) {
        const mr_csf *y = &j->mr.csf[m];
        csfs_ia_why w;
        if (y->q.itjpo != cand->itjpo || y->q.parity != cand->parity) {
            csfs_buf_printf(t, NULL, "  MR %s: different J or parity\n", y->where);
            continue;
        }
        if (!csfs_ia_may_interact(&j->orbs, &y->q, cand)) {
            csfs_buf_printf(t, NULL, "  MR %s: occupations differ by more than two electrons\n",
                            y->where);
            continue;
        }
        if (csfs_ia_interact(j->w[0].pair, &y->q, cand, (int)opt->hamiltonian, &w)) {
            csfs_buf_printf(t, NULL, "  KEPT: interacts with MR %s through ", y->where);
            if (strcmp(w.rule, "one-body") == 0)
                csfs_buf_printf(t, NULL,
                                "the one-body operator (a single excitation, same "
                                "kappa, spectators recouple)");
            else
                csfs_buf_printf(t, NULL, "two-body pattern %s%s%s, multipole k = %d", w.rule,
                                *w.part ? " " : "", w.part, w.k);
            csfs_buf_printf(t, NULL, "; subshells");
            for (int s = 0; s < 4; s++)
                if (w.sub[s] >= 0) explain_label(j, t, w.sub[s]);
            csfs_buf_printf(t, NULL, "\n");
            return 0;
        }
        csfs_buf_printf(t, NULL,
                        "  MR %s: no one-body or two-body term passes GRASP's angular rules "
                        "(recoupling, triangle, %s)\n",
                        y->where,
                        opt->hamiltonian == CSFS_HAMILTONIAN_DCB ? "Breit ranks" : "C^k rules");
    }
    csfs_buf_printf(t, NULL, "  not kept\n");
    return 0;
}

int csfs_interact_explain(const csfs_interact_options *opt, uint64_t row, char *out, size_t cap,
                          csfs_error *err)
{
    csfs_error local;
    if (!err) err = &local;
    csfs_error_clear(err);
    if (!opt->mr || !opt->candidates)
        return csfs_fail(err, CSFS_E_ARGUMENT, "an MR list and a candidate list are required");
    ia_job j;
    memset(&j, 0, sizeof j);
    j.opt = opt;
    csfs_header mh;
    memset(&mh, 0, sizeof mh);
    csfs_pipe_source *cs = NULL;
    explain_ctx x = {&j, row, {0}, 0};
    int rc = setup(&j, &mh, &cs, err);
    if (rc == 0) rc = workers_init(&j, 1, err);
    csfs_pipe_result res;
    memset(&res, 0, sizeof res);
    if (rc == 0) {
        csfs_page_sink sink = {.ops = &null_ops, .unordered = 1, .lanes = 1};
        csfs_pipe_kind kind = {.ctx = &x,
                               .sink = &sink,
                               .page_rows = IA_PAGE_ROWS,
                               .group_rows = IA_PAGE_ROWS,
                               .parse = explain_parse,
                               .account = explain_account};
        csfs_pipe_config cfg = {.threads = 1, .cancel = opt->cancel};
        rc = csfs_pipe_run(cs, &cfg, &kind, &res, err);
    }
    if (rc == 0 && !x.done)
        rc = csfs_fail(err, CSFS_E_ARGUMENT, "row %llu is out of range: %s has %llu CSFs",
                       (unsigned long long)row + 1, opt->candidates, (unsigned long long)res.rows);
    if (rc == 0) snprintf(out, cap, "%.*s", (int)x.text.len, x.text.data ? x.text.data : "");
    free(res.blocks);
    csfs_buf_free(&x.text);
    if (cs) csfs_pipe_source_close(cs);
    header_free(&mh);
    job_free(&j);
    return rc;
}
