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
#include "listtools/interact_rules.h"

void csfs_interact_options_init(csfs_interact_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->hamiltonian = CSFS_HAMILTONIAN_DC;
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
    uint64_t line;         /* 1-based line of its line 1 */
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

/* Reads every CSF of a list, with its lines, into m (no parsing yet). */
static int mr_read(const char *path, mr_set *m, csfs_header *hdr, csfs_error *err)
{
    csfs_text_reader *r = NULL;
    int rc = csfs_text_open(path, 0, &r, err);
    if (rc) return rc;
    const csfs_header *h = csfs_text_header(r);
    for (int i = 0; i < CSFS_HEADER_LINES && rc == 0; i++) {
        hdr->lens[i] = h->lens[i];
        hdr->lines[i] = malloc(h->lens[i] + 1);
        if (!hdr->lines[i])
            rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        else
            memcpy(hdr->lines[i], h->lines[i], h->lens[i] + 1);
    }
    csfs_buf chunk = {0};
    csfs_chunk_scan scan;
    memset(&scan, 0, sizeof scan);
    uint64_t line_base = CSFS_HEADER_LINES;
    if (rc == 0) rc = mr_new_block(m, err);
    while (rc == 0) {
        rc = csfs_text_next_chunk(r, &chunk, err);
        if (rc || chunk.len == 0) break;
        rc = csfs_scan_chunk(chunk.data, chunk.len, csfs_text_at_end(r), &scan, err);
        if (rc) {
            uint64_t line = line_base + err->line;
            char why[sizeof err->message];
            snprintf(why, sizeof why, "%s", err->message);
            rc = csfs_fail_line(err, rc, line, "%s:%llu: %s", path, (unsigned long long)line, why);
            break;
        }
        size_t sep = 0;
        for (size_t i = 0; rc == 0 && i <= scan.n_rec; i++) {
            while (rc == 0 && sep < scan.n_sep && scan.sep_before[sep] <= i) {
                sep++;
                rc = mr_new_block(m, err);
            }
            if (rc || i == scan.n_rec) break;
            if (m->n == m->cap) {
                size_t cap = m->cap ? 2 * m->cap : 64;
                mr_csf *c = realloc(m->csf, cap * sizeof *c);
                if (!c) {
                    rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
                    break;
                }
                m->csf = c;
                m->cap = cap;
            }
            mr_csf *c = &m->csf[m->n];
            memset(c, 0, sizeof *c);
            const char *l[3];
            size_t n[3];
            csfs_record_lines(&scan, chunk.data, i, l, n);
            for (int k = 0; k < 3 && rc == 0; k++) {
                c->off[k] = m->text.len;
                c->len[k] = rtrim_blanks(l[k], n[k]);
                rc = csfs_buf_append(&m->text, l[k], c->len[k], err);
            }
            c->line = line_base + scan.rec[i].line + 1;
            m->n++;
            m->block[m->n_block - 1].n++;
        }
        line_base += scan.lines;
    }
    csfs_buf_free(&chunk);
    csfs_chunk_scan_free(&scan);
    csfs_text_close(r);
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

typedef struct ia_job ia_job;

typedef struct ia_worker {
    ia_job *j;
    csfs_ia_pair *pair;
    csfs_ia_csf cand;
    size_t lo, hi;
    pthread_t th;
} ia_worker;

struct ia_job {
    const csfs_interact_options *opt;
    csfs_ia_orbs orbs;
    mr_set mr;
    const char *cand_name;
    /* the chunk being tested */
    const char *data;
    const csfs_chunk_scan *scan;
    uint64_t line_base;
    size_t *blk;    /* candidate block of each record */
    int8_t *keep;   /* 1 interacts, 0 not, -1 parse failure */
    int32_t *ident; /* MR CSF textually identical, or -1 */
    int32_t *mrblk; /* MR block used for it, or -1 */
    int16_t *itjpo; /* its 2J+1 and parity (for block pairing checks) */
    int8_t *parity;
    char (*bad)[160]; /* parse failure text of the first failing record per worker */
    size_t *bad_at;
    size_t cap;
    int threads;
    ia_worker *w;
};

static int mr_block_for(const ia_job *j, size_t blk, int itjpo, int parity)
{
    if (!j->opt->by_j) return blk < j->mr.n_block ? (int)blk : -1;
    for (size_t b = 0; b < j->mr.n_block; b++)
        if (j->mr.block[b].n && j->mr.block[b].itjpo == itjpo && j->mr.block[b].parity == parity)
            return (int)b;
    return -1;
}

static void test_range(ia_worker *w, size_t wi)
{
    ia_job *j = w->j;
    const csfs_chunk_scan *scan = j->scan;
    j->bad_at[wi] = SIZE_MAX;
    for (size_t i = w->lo; i < w->hi; i++) {
        const char *l[3];
        size_t n[3];
        csfs_record_lines(scan, j->data, i, l, n);
        j->keep[i] = 0;
        j->ident[i] = -1;
        j->mrblk[i] = -1;
        if (csfs_ia_csf_parse(&j->orbs, l[0], n[0], l[1], n[1], l[2], n[2], &w->cand, j->bad[wi],
                              sizeof j->bad[wi])) {
            j->keep[i] = -1;
            if (j->bad_at[wi] == SIZE_MAX) j->bad_at[wi] = i;
            continue;
        }
        j->itjpo[i] = (int16_t)w->cand.itjpo;
        j->parity[i] = (int8_t)w->cand.parity;
        int b = mr_block_for(j, j->blk[i], w->cand.itjpo, w->cand.parity);
        j->mrblk[i] = b;
        if (b < 0) continue;
        const mr_block *mb = &j->mr.block[b];
        for (size_t m = mb->first; m < mb->first + mb->n; m++) {
            const mr_csf *c = &j->mr.csf[m];
            if (!csfs_ia_may_interact(&j->orbs, &c->q, &w->cand)) continue;
            if (j->ident[i] < 0 && same_text(&j->mr, c, l, n)) j->ident[i] = (int32_t)m;
            if (!j->keep[i] &&
                csfs_ia_interact(w->pair, &c->q, &w->cand, (int)j->opt->hamiltonian, NULL))
                j->keep[i] = 1;
        }
    }
}

static void *worker_main(void *arg)
{
    ia_worker *w = arg;
    test_range(w, (size_t)(w - w->j->w));
    return NULL;
}

static int grow(ia_job *j, size_t n, csfs_error *err)
{
    if (n <= j->cap) return 0;
    size_t cap = n + n / 2;
#define GROW(f)                                                                                    \
    do {                                                                                           \
        void *p = realloc(j->f, cap * sizeof *j->f);                                               \
        if (!p) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");                              \
        j->f = p;                                                                                  \
    } while (0)
    GROW(blk);
    GROW(keep);
    GROW(ident);
    GROW(mrblk);
    GROW(itjpo);
    GROW(parity);
#undef GROW
    j->cap = cap;
    return 0;
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

/* Opens the MR, parses it, opens the candidates and checks the headers. */
static int setup(ia_job *j, csfs_header *mh, csfs_text_reader **cr, csfs_error *err)
{
    const csfs_interact_options *o = j->opt;
    int rc = mr_read(o->mr, &j->mr, mh, err);
    if (rc) return rc;
    rc = csfs_text_open(o->candidates, o->chunk_bytes, cr, err);
    if (rc) return rc;
    const csfs_header *ch = csfs_text_header(*cr);
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
            return csfs_fail_line(err, CSFS_E_CSF, c->line, "%s:%llu: %s", o->mr,
                                  (unsigned long long)c->line, why);
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
                    return csfs_fail_line(
                        err, CSFS_E_FORMAT, a->line,
                        "%s:%llu: duplicate CSF: the same as the CSF at line %llu", o->mr,
                        (unsigned long long)a->line, (unsigned long long)c->line);
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
    free(j->blk);
    free(j->keep);
    free(j->ident);
    free(j->mrblk);
    free(j->itjpo);
    free(j->parity);
    free(j->bad);
    free(j->bad_at);
    csfs_ia_orbs_free(&j->orbs);
    mr_free(&j->mr);
}

static int workers_init(ia_job *j, int threads, csfs_error *err)
{
    j->threads = threads;
    j->w = calloc((size_t)threads, sizeof *j->w);
    j->bad = calloc((size_t)threads, sizeof *j->bad);
    j->bad_at = calloc((size_t)threads, sizeof *j->bad_at);
    if (!j->w || !j->bad || !j->bad_at) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    for (int t = 0; t < threads; t++) {
        j->w[t].j = j;
        j->w[t].pair = csfs_ia_pair_new(&j->orbs);
        if (!j->w[t].pair || csfs_ia_csf_alloc(&j->w[t].cand, j->orbs.nw))
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    return 0;
}

/* Tests records [0, n) of the current chunk on all workers. */
static void test_chunk(ia_job *j, size_t n)
{
    size_t per = (n + (size_t)j->threads - 1) / (size_t)j->threads;
    int started = 0;
    for (int t = 0; t < j->threads; t++) {
        ia_worker *w = &j->w[t];
        w->lo = (size_t)t * per < n ? (size_t)t * per : n;
        w->hi = w->lo + per < n ? w->lo + per : n;
    }
    for (int t = 1; t < j->threads; t++)
        if (j->w[t].lo < j->w[t].hi &&
            pthread_create(&j->w[t].th, NULL, worker_main, &j->w[t]) == 0)
            started |= 1 << (t < 30 ? t : 30), j->w[t].th = j->w[t].th;
        else
            test_range(&j->w[t], (size_t)t);
    test_range(&j->w[0], 0);
    for (int t = 1; t < j->threads; t++)
        if (started & (1 << (t < 30 ? t : 30))) pthread_join(j->w[t].th, NULL);
}

/* ---- the ordered writer ----------------------------------------------------------- */

typedef struct ia_out {
    ia_job *j;
    writer *w;
    char *found; /* MR CSFs already met textually among the candidates */
    size_t cb;   /* candidate block being read (0-based) */
    int have;    /* it has a record */
    int ob;      /* MR block written for it, or -1 */
    size_t n_written_blocks;
    uint64_t written;
    csfs_interact_block *blocks; /* one per candidate block */
    size_t n_blocks, cap_blocks;
} ia_out;

/* Writes MR block b as the start of an output block. */
static int out_mr(ia_out *o, size_t b, csfs_error *err)
{
    int rc = 0;
    if (o->n_written_blocks) rc = w_line(o->w, " *", 2, err);
    if (rc == 0) rc = w_mr_block(o->w, &o->j->mr, b, err);
    o->n_written_blocks++;
    o->ob = (int)b;
    o->j->mr.block[b].used = 1;
    csfs_interact_block *bs = &o->blocks[o->cb];
    bs->mr = o->j->mr.block[b].n;
    bs->kept = bs->mr;
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
    o->n_blocks++;
    o->have = 0;
    o->ob = -1;
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

static int out_record(ia_out *o, size_t i, const char *const l[3], const size_t n[3], uint64_t line,
                      csfs_error *err)
{
    ia_job *j = o->j;
    const csfs_interact_options *opt = j->opt;
    int rc = 0;
    if (!o->have) {
        o->have = 1;
        size_t b;
        if (!opt->by_j) {
            if (o->cb >= j->mr.n_block)
                return csfs_fail_line(err, CSFS_E_FORMAT, line,
                                      "%s:%llu: block %zu has no MR block: %s has %zu blocks; "
                                      "GRASP pairs them by position (and drops the extra ones)",
                                      opt->candidates, (unsigned long long)line, o->cb + 1, opt->mr,
                                      j->mr.n_block);
            b = o->cb;
            const mr_block *mb = &j->mr.block[b];
            if (mb->n && (mb->itjpo != j->itjpo[i] || mb->parity != j->parity[i]))
                warn(opt,
                     "block %zu: the MR block has 2J = %d%c, the candidate block 2J = %d%c; "
                     "paired by position as GRASP does (--by-j pairs them by J and parity)",
                     o->cb + 1, mb->itjpo - 1, mb->parity > 0 ? '+' : '-', j->itjpo[i] - 1,
                     j->parity[i] > 0 ? '+' : '-');
        } else {
            if (j->mrblk[i] < 0)
                return csfs_fail_line(err, CSFS_E_FORMAT, line,
                                      "%s:%llu: no block of %s has this CSF's J and parity",
                                      opt->candidates, (unsigned long long)line, opt->mr);
            b = (size_t)j->mrblk[i];
            if (j->mr.block[b].used)
                return csfs_fail_line(err, CSFS_E_FORMAT, line,
                                      "%s:%llu: a second block with the J and parity of MR "
                                      "block %zu",
                                      opt->candidates, (unsigned long long)line, b + 1);
        }
        rc = out_mr(o, b, err);
        if (rc) return rc;
        o->blocks[o->cb].two_j = j->itjpo[i] - 1;
        o->blocks[o->cb].parity = j->parity[i];
    }
    csfs_interact_block *bs = &o->blocks[o->cb];
    bs->candidates++;
    int32_t id = j->ident[i];
    if (id >= 0 && !o->found[id]) {
        o->found[id] = 1;
        bs->skipped++;
        return 0;
    }
    if (j->keep[i] != 1) return 0;
    for (int k = 0; k < 3 && rc == 0; k++) rc = w_line(o->w, l[k], rtrim_blanks(l[k], n[k]), err);
    bs->selected++;
    bs->kept++;
    o->written++;
    return rc;
}

int csfs_interact_run(const csfs_interact_options *opt, csfs_interact_summary *sum, csfs_error *err)
{
    csfs_error local;
    if (!err) err = &local;
    csfs_error_clear(err);
    double t0 = csfs_now_seconds();
    if (sum) memset(sum, 0, sizeof *sum);
    if (!opt->mr || !opt->candidates || !opt->output)
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "an MR list, a candidate list and an output are required");
    if (opt->hamiltonian != CSFS_HAMILTONIAN_DC && opt->hamiltonian != CSFS_HAMILTONIAN_DCB)
        return csfs_fail(err, CSFS_E_ARGUMENT, "unknown Hamiltonian %d", (int)opt->hamiltonian);
    if (csfs_same_file(opt->candidates, opt->output) || csfs_same_file(opt->mr, opt->output))
        return csfs_fail(err, CSFS_E_ARGUMENT, "%s: the output would overwrite an input",
                         opt->output);
    int threads = opt->threads > 0 ? opt->threads : csfs_online_cpus();
    if (threads > 64) threads = 64;
    ia_job j;
    memset(&j, 0, sizeof j);
    j.opt = opt;
    csfs_header mh;
    memset(&mh, 0, sizeof mh);
    csfs_text_reader *cr = NULL;
    writer w;
    memset(&w, 0, sizeof w);
    ia_out ord;
    memset(&ord, 0, sizeof ord);
    ord.j = &j;
    ord.w = &w;
    uint64_t n_cand = 0;
    int rc = setup(&j, &mh, &cr, err);
    if (rc == 0) rc = workers_init(&j, threads, err);
    if (rc == 0) rc = csfs_outfile_open(&w.out, opt->output, opt->force, err);
    if (rc == 0) w.open = 1;
    /* Header: MR lines 1, 3, 5 as GRASP's fixed-width reads give them, the MR
     * core line and the candidates' peel line, trimmed. */
    if (rc == 0) {
        const csfs_header *ch = csfs_text_header(cr);
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
    csfs_buf chunk = {0};
    csfs_chunk_scan scan;
    memset(&scan, 0, sizeof scan);
    uint64_t line_base = CSFS_HEADER_LINES;
    while (rc == 0) {
        if (opt->cancel && *opt->cancel) {
            rc = csfs_fail(err, CSFS_E_CANCELLED, "%s: interrupted", opt->candidates);
            break;
        }
        rc = csfs_text_next_chunk(cr, &chunk, err);
        if (rc || chunk.len == 0) break;
        rc = csfs_scan_chunk(chunk.data, chunk.len, csfs_text_at_end(cr), &scan, err);
        if (rc) {
            uint64_t line = line_base + err->line;
            char why[sizeof err->message];
            snprintf(why, sizeof why, "%s", err->message);
            rc = csfs_fail_line(err, rc, line, "%s:%llu: %s", opt->candidates,
                                (unsigned long long)line, why);
            break;
        }
        rc = grow(&j, scan.n_rec + 1, err);
        if (rc) break;
        size_t sep = 0;
        for (size_t i = 0; i < scan.n_rec; i++) {
            while (sep < scan.n_sep && scan.sep_before[sep] <= i) sep++;
            j.blk[i] = ord.cb + sep;
        }
        j.data = chunk.data;
        j.scan = &scan;
        j.line_base = line_base;
        test_chunk(&j, scan.n_rec);
        for (int t = 0; t < threads && rc == 0; t++)
            if (j.bad_at[t] != SIZE_MAX) {
                uint64_t line = line_base + scan.rec[j.bad_at[t]].line + 1;
                rc = csfs_fail_line(err, CSFS_E_CSF, line, "%s:%llu: %s", opt->candidates,
                                    (unsigned long long)line, j.bad[t]);
            }
        /* In order: block ends, then each record. */
        sep = 0;
        for (size_t i = 0; rc == 0 && i <= scan.n_rec; i++) {
            while (rc == 0 && sep < scan.n_sep && scan.sep_before[sep] <= i) {
                sep++;
                rc = out_block_end(&ord, err);
                if (rc == 0) rc = out_block_begin(&ord, err);
            }
            if (rc || i == scan.n_rec) break;
            n_cand++;
            const char *l[3];
            size_t n[3];
            csfs_record_lines(&scan, chunk.data, i, l, n);
            rc = out_record(&ord, i, l, n, line_base + scan.rec[i].line + 1, err);
        }
        line_base += scan.lines;
    }
    if (rc == 0) rc = out_block_end(&ord, err);
    /* GRASP writes every MR block, each with the candidate block at its
     * position: both lists need the same blocks. */
    if (rc == 0 && !opt->by_j && ord.cb + 1 != j.mr.n_block)
        rc = csfs_fail(err, CSFS_E_FORMAT,
                       "%s has %zu blocks, %s has %zu; GRASP pairs them by position and needs "
                       "the same blocks in both",
                       opt->mr, j.mr.n_block, opt->candidates, ord.cb + 1);
    if (rc == 0 && opt->by_j)
        for (size_t b = 0; b < j.mr.n_block; b++)
            if (!j.mr.block[b].used && j.mr.block[b].n)
                warn(opt, "%s: MR block %zu (2J = %d) has no candidate block and is not written",
                     opt->mr, b + 1, j.mr.block[b].itjpo - 1);
    if (rc == 0 && w.buf.len) rc = w_flush(&w, err);
    if (rc == 0) {
        rc = csfs_outfile_commit(&w.out, err);
        w.open = 0;
    }
    if (w.open) csfs_outfile_abort(&w.out);
    csfs_buf_free(&w.buf);
    csfs_buf_free(&chunk);
    csfs_chunk_scan_free(&scan);
    if (cr) csfs_text_close(cr);
    free(ord.found);
    header_free(&mh);
    job_free(&j);
    if (sum && rc == 0) {
        sum->candidates = n_cand;
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

int csfs_interact_explain(const csfs_interact_options *opt, uint64_t row, char *out, size_t cap,
                          csfs_error *err)
{
    csfs_error local;
    if (!err) err = &local;
    csfs_error_clear(err);
    ia_job j;
    memset(&j, 0, sizeof j);
    j.opt = opt;
    csfs_header mh;
    memset(&mh, 0, sizeof mh);
    csfs_text_reader *cr = NULL;
    int rc = setup(&j, &mh, &cr, err);
    if (rc == 0) rc = workers_init(&j, 1, err);
    csfs_buf chunk = {0};
    csfs_chunk_scan scan;
    memset(&scan, 0, sizeof scan);
    uint64_t line_base = CSFS_HEADER_LINES, seen = 0;
    size_t cb = 0;
    int done = 0;
    csfs_buf text = {0};
    while (rc == 0 && !done) {
        rc = csfs_text_next_chunk(cr, &chunk, err);
        if (rc || chunk.len == 0) break;
        rc = csfs_scan_chunk(chunk.data, chunk.len, csfs_text_at_end(cr), &scan, err);
        if (rc) break;
        if (seen + scan.n_rec <= row) {
            seen += scan.n_rec;
            cb += scan.n_sep;
            line_base += scan.lines;
            continue;
        }
        size_t i = (size_t)(row - seen), sep = 0;
        while (sep < scan.n_sep && scan.sep_before[sep] <= i) sep++;
        size_t blk = cb + sep;
        const char *l[3];
        size_t n[3];
        csfs_record_lines(&scan, chunk.data, i, l, n);
        uint64_t line = line_base + scan.rec[i].line + 1;
        char why[256];
        csfs_ia_csf *c = &j.w[0].cand;
        csfs_buf_printf(
            &text, NULL, "candidate %llu (%s:%llu, block %zu), %s Hamiltonian:\n",
            (unsigned long long)row + 1, opt->candidates, (unsigned long long)line, blk + 1,
            opt->hamiltonian == CSFS_HAMILTONIAN_DCB ? "Dirac-Coulomb-Breit" : "Dirac-Coulomb");
        done = 1;
        if (csfs_ia_csf_parse(&j.orbs, l[0], n[0], l[1], n[1], l[2], n[2], c, why, sizeof why)) {
            rc = csfs_fail_line(err, CSFS_E_CSF, line, "%s:%llu: %s", opt->candidates,
                                (unsigned long long)line, why);
            break;
        }
        int b = mr_block_for(&j, blk, c->itjpo, c->parity);
        if (b < 0) {
            csfs_buf_printf(&text, NULL, "  not kept: no MR block is paired with it\n");
            break;
        }
        const mr_block *mb = &j.mr.block[b];
        int kept = 0;
        for (size_t m = mb->first; m < mb->first + mb->n; m++) {
            const mr_csf *x = &j.mr.csf[m];
            csfs_ia_why w;
            if (same_text(&j.mr, x, l, n)) {
                csfs_buf_printf(&text, NULL,
                                "  identical to MR CSF at %s:%llu: written once, with the MR "
                                "(unless an earlier candidate already matched it)\n",
                                opt->mr, (unsigned long long)x->line);
                kept = 1;
                break;
            }
            if (x->q.itjpo != c->itjpo || x->q.parity != c->parity) {
                csfs_buf_printf(&text, NULL, "  MR %s:%llu: different J or parity\n", opt->mr,
                                (unsigned long long)x->line);
                continue;
            }
            if (!csfs_ia_may_interact(&j.orbs, &x->q, c)) {
                csfs_buf_printf(&text, NULL,
                                "  MR %s:%llu: occupations differ by more than two electrons\n",
                                opt->mr, (unsigned long long)x->line);
                continue;
            }
            if (csfs_ia_interact(j.w[0].pair, &x->q, c, (int)opt->hamiltonian, &w)) {
                csfs_buf_printf(&text, NULL, "  KEPT: interacts with MR CSF at %s:%llu by %s",
                                opt->mr, (unsigned long long)x->line,
                                strcmp(w.rule, "one-body") == 0 ? "the one-body operator"
                                                                : "two-body term ");
                if (strcmp(w.rule, "one-body") != 0)
                    csfs_buf_printf(&text, NULL, "%s%s%s, k = %d", w.rule, *w.part ? " " : "",
                                    w.part, w.k);
                csfs_buf_printf(&text, NULL, " (subshells");
                for (int s = 0; s < 4; s++)
                    if (w.sub[s] >= 0) {
                        int q = w.sub[s];
                        if (q < j.orbs.ncore)
                            csfs_buf_printf(&text, NULL, " core#%d", q + 1);
                        else {
                            uint64_t key = j.orbs.key[q];
                            char lab[9] = {0};
                            memcpy(lab, &key, 8);
                            csfs_buf_printf(&text, NULL, " %s", lab);
                        }
                    }
                csfs_buf_printf(&text, NULL, ")\n");
                kept = 1;
                break;
            }
            csfs_buf_printf(&text, NULL,
                            "  MR %s:%llu: no one-body or two-body term passes GRASP's angular "
                            "rules\n",
                            opt->mr, (unsigned long long)x->line);
        }
        if (!kept) csfs_buf_printf(&text, NULL, "  not kept\n");
    }
    if (rc == 0 && !done)
        rc = csfs_fail(err, CSFS_E_ARGUMENT, "%s has only %llu CSFs", opt->candidates,
                       (unsigned long long)seen);
    if (rc == 0) snprintf(out, cap, "%.*s", (int)text.len, text.data ? text.data : "");
    csfs_buf_free(&text);
    csfs_buf_free(&chunk);
    csfs_chunk_scan_free(&scan);
    if (cr) csfs_text_close(cr);
    header_free(&mh);
    job_free(&j);
    return rc;
}
