/* Serial record reader over csfs_text_reader + csfs_scan_chunk (csf_serial.h). */
#include "grasp/csf_serial.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"

struct csfs_serial {
    csfs_text_reader *text;
    csfs_job *job;
    const char *name;
    csfs_buf chunk;
    csfs_chunk_scan scan;
    uint64_t line_base; /* file lines before the current chunk */
    size_t pos, sep;    /* next record / separator of the scan */
    int loaded, at_end;
    int64_t pending_blank; /* 1-based line of a blank line that must end the file, or -1 */
    uint64_t pending;      /* separators not yet handed out */
    uint64_t csfs;
    uint64_t odd_separators;
};

int csfs_serial_open(const char *path, csfs_job *job, csfs_serial **out, csfs_error *err)
{
    *out = NULL;
    csfs_serial *s = calloc(1, sizeof *s);
    if (!s) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    int rc = csfs_text_open(path, 0, &s->text, err);
    if (rc) {
        free(s);
        return rc;
    }
    s->job = job;
    s->name = csfs_text_name(s->text);
    s->line_base = CSFS_HEADER_LINES;
    s->pending_blank = -1;
    *out = s;
    return 0;
}

const char *csfs_serial_name(const csfs_serial *s)
{
    return s->name;
}

const csfs_header *csfs_serial_header(const csfs_serial *s)
{
    return csfs_text_header(s->text);
}

int64_t csfs_serial_file_size(const csfs_serial *s)
{
    return csfs_input_file_size(csfs_text_input(s->text));
}

/* The next chunk, scanned, its line numbers made the file's. */
static int load(csfs_serial *s, csfs_error *err)
{
    if (s->job) {
        int rc = csfs_job_cancelled(s->job, err);
        if (rc) return rc;
        csfs_input *in = csfs_text_input(s->text);
        csfs_job_progress(s->job, s->csfs, csfs_input_raw_bytes(in), csfs_input_file_size(in));
    }
    if (s->loaded) s->line_base += s->scan.lines;
    int rc = csfs_text_next_chunk(s->text, &s->chunk, err);
    if (rc) return rc;
    if (s->chunk.len == 0) {
        s->at_end = 1;
        return 0;
    }
    csfs_chunk_scan *scan = &s->scan;
    rc = csfs_scan_chunk(s->chunk.data, s->chunk.len, csfs_text_at_end(s->text), scan, err);
    if (rc) {
        uint64_t line = s->line_base + err->line;
        char reason[sizeof err->message];
        snprintf(reason, sizeof reason, "%s", err->message);
        return csfs_fail_line(err, rc, line, "%s:%llu: %s", s->name, (unsigned long long)line,
                              reason);
    }
    /* A blank line at a chunk's end is fine only if nothing follows it. */
    if (s->pending_blank >= 0 && scan->has_content)
        return csfs_fail_line(err, CSFS_E_FORMAT, (uint64_t)s->pending_blank,
                              "%s:%lld: blank line inside the CSF list", s->name,
                              (long long)s->pending_blank);
    if (scan->trailing_blank >= 0 && s->pending_blank < 0)
        s->pending_blank = (int64_t)(s->line_base + (uint64_t)scan->trailing_blank + 1);
    s->odd_separators += scan->odd_separators;
    s->loaded = 1;
    s->pos = s->sep = 0;
    return 0;
}

uint64_t csfs_serial_odd_separators(const csfs_serial *s)
{
    return s->odd_separators;
}

int csfs_serial_next(csfs_serial *s, csfs_serial_record *r, csfs_error *err)
{
    for (;;) {
        if (s->loaded && s->pos < s->scan.n_rec) break;
        if (s->loaded) { /* separators after the chunk's last record */
            s->pending += s->scan.n_sep - s->sep;
            s->sep = s->scan.n_sep;
        }
        if (s->at_end) {
            memset(r, 0, sizeof *r);
            r->seps_before = s->pending;
            r->index = s->csfs;
            s->pending = 0;
            return 0;
        }
        int rc = load(s, err);
        if (rc) return rc;
    }
    uint64_t seps = 0;
    while (s->sep < s->scan.n_sep && s->scan.sep_before[s->sep] <= s->pos) {
        seps++;
        s->sep++;
    }
    csfs_record_lines(&s->scan, s->chunk.data, s->pos, r->line, r->len);
    r->index = s->csfs;
    r->line_no = s->line_base + s->scan.rec[s->pos].line + 1;
    r->seps_before = s->pending + seps;
    s->pending = 0;
    s->pos++;
    s->csfs++;
    return 1;
}

void csfs_serial_close(csfs_serial *s)
{
    if (!s) return;
    csfs_text_close(s->text);
    csfs_buf_free(&s->chunk);
    csfs_chunk_scan_free(&s->scan);
    free(s);
}
