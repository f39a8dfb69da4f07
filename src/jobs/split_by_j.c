/*
 * Split a CSF list by J (GRASP rcsfsplit naming): one "<prefix>_<2J>.c" per
 * total J, each with the 5 header lines and that J's blocks. Both parities of
 * one J go to the same file as separate blocks, which is what GRASP's own
 * split lists hold and what rmcdhf/rci read; rCSFs refuses such input, csfs
 * keeps it. Every output is staged and published only after the whole input
 * was read and checked.
 */
#include "csfs/split.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "grasp/csf_fields.h"
#include "grasp/csf_serial.h"
#include "grasp/csf_text.h"
#include "common/error.h"
#include "io/outset.h"
#include "jobs/job.h"

typedef struct split_out {
    int32_t two_j;
    size_t file;         /* in the splitter's output set */
    int32_t last_parity; /* parity of the block last written, 0 before any */
    uint64_t csfs, blocks;
    uint64_t first_block; /* 0-based input block of its first block */
    int32_t first_parity;
} split_out;

typedef struct splitter {
    const csfs_split_options *opt;
    const char *name;
    const csfs_header *header;
    char *prefix; /* "<dir>/<prefix>" */
    split_out *outs;
    size_t n_outs, cap_outs;
    csfs_outset out; /* every output, published together */
    /* The block being read: its J/parity and where its text goes. */
    split_out *cur;
    int32_t cur_two_j, cur_parity;
    int cur_has;
    uint64_t cur_first_line;
    uint64_t csfs;
    size_t blocks;
    int w_copied; /* the .w sibling exists and is copied */
} splitter;

static int out_for(splitter *s, int32_t two_j, split_out **out, csfs_error *err)
{
    for (size_t i = 0; i < s->n_outs; i++)
        if (s->outs[i].two_j == two_j) {
            *out = &s->outs[i];
            return 0;
        }
    if (s->n_outs == s->cap_outs) {
        size_t cap = s->cap_outs ? 2 * s->cap_outs : 16;
        split_out *o = realloc(s->outs, cap * sizeof *o);
        if (!o) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        s->outs = o;
        s->cap_outs = cap;
    }
    split_out *o = &s->outs[s->n_outs];
    memset(o, 0, sizeof *o);
    o->two_j = two_j;
    char path[4200];
    snprintf(path, sizeof path, "%s_%d.c", s->prefix, (int)two_j);
    int rc = csfs_outset_add(&s->out, path, &o->file, err);
    if (rc) return rc;
    s->n_outs++;
    for (int i = 0; i < CSFS_HEADER_LINES && rc == 0; i++)
        rc = csfs_outset_line(&s->out, o->file, s->header->lines[i], s->header->lens[i], err);
    *out = o;
    return rc;
}

static int write_line(splitter *s, split_out *o, const char *p, size_t n, csfs_error *err)
{
    return csfs_outset_line(&s->out, o->file, p, n, err);
}

/* One record into its J's output. */
static int split_record(splitter *s, const csfs_serial_record *r, csfs_error *err)
{
    if (r->seps_before) s->cur_has = 0; /* a separator: this record opens a block */
    const char *const *l = r->line;
    const size_t *n = r->len;
    uint64_t line = r->line_no;
    int32_t two_j;
    int parity;
    if (csfs_line3_jp(l[2], n[2], &two_j, &parity))
        return csfs_fail_line(err, CSFS_E_FORMAT, line + 2,
                              "%s:%llu: no total J and parity at the end of line 3", s->name,
                              (unsigned long long)(line + 2));
    if (!s->cur_has) {
        int rc = out_for(s, two_j, &s->cur, err);
        if (rc) return rc;
        /* Blocks of one J follow each other in its file, separated. */
        if (s->cur->blocks > 0 && (rc = write_line(s, s->cur, " *", 2, err))) return rc;
        if (s->cur->blocks == 0) {
            s->cur->first_block = s->blocks;
            s->cur->first_parity = parity;
        }
        s->cur->blocks++;
        s->cur_two_j = two_j;
        s->cur_parity = parity;
        s->cur_has = 1;
        s->cur_first_line = line;
        s->blocks++;
    } else if (two_j != s->cur_two_j || parity != s->cur_parity) {
        return csfs_fail_line(err, CSFS_E_FORMAT, line,
                              "%s:%llu: CSF %llu has 2J = %d%c, but its block (from line "
                              "%llu) has 2J = %d%c: a block must hold one J and parity",
                              s->name, (unsigned long long)line, (unsigned long long)s->csfs,
                              (int)two_j, parity > 0 ? '+' : '-',
                              (unsigned long long)s->cur_first_line, (int)s->cur_two_j,
                              s->cur_parity > 0 ? '+' : '-');
    }
    for (int k = 0; k < 3; k++) {
        int rc = write_line(s, s->cur, l[k], n[k], err);
        if (rc) return rc;
    }
    s->cur->csfs++;
    s->csfs++;
    return 0;
}

/* "<input dir or -d>/<prefix or input stem>" */
static int make_prefix(splitter *s, csfs_error *err)
{
    const char *in = s->opt->input;
    const char *slash = strrchr(in, '/');
    const char *base = slash ? slash + 1 : in;
    const char *prefix = s->opt->prefix;
    size_t plen;
    if (prefix) {
        plen = strlen(prefix);
        if (!plen || strcmp(prefix, ".") == 0 || strcmp(prefix, "..") == 0 || strchr(prefix, '/') ||
            strchr(prefix, '\\'))
            return csfs_fail(err, CSFS_E_ARGUMENT, "bad prefix '%s': a file name part, without '/'",
                             prefix);
    } else {
        if (strcmp(in, "-") == 0)
            return csfs_fail(err, CSFS_E_ARGUMENT,
                             "reading standard input: an output name prefix is needed");
        prefix = base;
        const char *dot = strrchr(base, '.');
        plen = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    }
    const char *dir = s->opt->dir;
    size_t dlen = dir ? strlen(dir) : (slash ? (size_t)(slash - in) : 0);
    if (!dir) dir = slash ? in : NULL;
    size_t n = dlen + plen + 2;
    s->prefix = malloc(n);
    if (!s->prefix) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    if (dir)
        snprintf(s->prefix, n, "%.*s/%.*s", (int)dlen, dir, (int)plen, prefix);
    else
        snprintf(s->prefix, n, "%.*s", (int)plen, prefix);
    return 0;
}

/* The .w sibling (GRASP's wave functions of the list), when there is one. */
static int copy_w(splitter *s, csfs_error *err)
{
    const char *in = s->opt->input;
    if (!s->opt->copy_w || strcmp(in, "-") == 0) return 0;
    const char *slash = strrchr(in, '/');
    const char *dot = strrchr(slash ? slash + 1 : in, '.');
    size_t stem = dot ? (size_t)(dot - in) : strlen(in);
    char wpath[4200];
    snprintf(wpath, sizeof wpath, "%.*s.w", (int)stem, in);
    int fd = open(wpath, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    s->w_copied = 1;
    int rc = 0;
    for (size_t i = 0; i < s->n_outs && rc == 0; i++) {
        char path[4200];
        snprintf(path, sizeof path, "%s_%d.w", s->prefix, (int)s->outs[i].two_j);
        size_t w;
        rc = csfs_outset_add(&s->out, path, &w, err);
        if (rc) break;
        char buf[1 << 16];
        ssize_t got;
        off_t at = 0;
        while (rc == 0 && (got = pread(fd, buf, sizeof buf, at)) > 0) {
            rc = csfs_outset_write(&s->out, w, buf, (size_t)got, err);
            at += got;
        }
        if (rc == 0 && got < 0) rc = csfs_fail_errno(err, errno, "%s: read failed", wpath);
    }
    close(fd);
    return rc;
}

void csfs_split_options_init(csfs_split_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->copy_w = 1;
}

int csfs_split_run(const csfs_split_options *opt, csfs_split_summary *sum, csfs_error *err)
{
    if (sum) memset(sum, 0, sizeof *sum);
    csfs_job job = {.cancel = opt->cancel,
                    .report = opt->report,
                    .report_ctx = opt->report_ctx,
                    .progress = opt->progress,
                    .progress_ctx = opt->progress_ctx};
    int rc = csfs_job_begin(&job, opt->input, 0, err);
    if (rc) return rc;
    if (!opt->input) return csfs_fail(err, CSFS_E_ARGUMENT, "no input file");
    splitter s;
    memset(&s, 0, sizeof s);
    s.opt = opt;
    csfs_outset_init(&s.out, opt->force);
    csfs_serial *r = NULL;
    rc = make_prefix(&s, err);
    if (rc == 0) rc = csfs_serial_open(opt->input, &job, &r, err);
    if (rc == 0) {
        s.name = csfs_serial_name(r);
        s.header = csfs_serial_header(r);
        job.name = s.name;
    }
    csfs_serial_record rec;
    while (rc == 0 && (rc = csfs_serial_next(r, &rec, err)) == 1) rc = split_record(&s, &rec, err);
    if (rc == 0 && s.csfs == 0)
        rc = csfs_fail(err, CSFS_E_FORMAT, "%s: no CSFs to split", s.name ? s.name : opt->input);
    if (rc == 0) rc = copy_w(&s, err);
    if (rc == 0) rc = csfs_job_cancelled(&job, err);
    double seconds;
    rc = csfs_job_end(&job, rc, &seconds, err);
    /* Publish only now: every output, or none. */
    if (rc == 0) rc = csfs_outset_commit(&s.out, err);
    if (sum) {
        sum->csf_count = s.csfs;
        sum->block_count = s.blocks;
        sum->n_outputs = rc == 0 ? s.n_outs : 0;
        sum->w_copied = rc == 0 && s.w_copied;
        sum->seconds = seconds;
        if (s.prefix) snprintf(sum->prefix, sizeof sum->prefix, "%s", s.prefix);
        for (size_t i = 0; rc == 0 && i < s.n_outs && i < CSFS_SPLIT_MAX_REPORTED; i++) {
            sum->two_j[i] = s.outs[i].two_j;
            sum->csfs[i] = s.outs[i].csfs;
            sum->blocks[i] = s.outs[i].blocks;
            sum->first_block[i] = s.outs[i].first_block;
            sum->parity[i] = s.outs[i].first_parity;
        }
    }
    csfs_outset_free(&s.out);
    free(s.outs);
    free(s.prefix);
    csfs_serial_close(r);
    return rc;
}
