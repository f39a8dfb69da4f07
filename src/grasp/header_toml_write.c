/* Writing the header TOML byte-for-byte as rCSFs does (layout: grasp/header_toml.h). */
#include <string.h>

#include "common/error.h"
#include "grasp/header_toml.h"
#include "io/outfile.h"
#include "common/utf8.h"

uint64_t csfs_header_total_lines(uint64_t csf_count, size_t n_blocks)
{
    return 3 * csf_count + (n_blocks > 0 ? (uint64_t)n_blocks - 1 : 0);
}

/* What a string holds, as toml_writer measures it to pick a form. */
typedef struct str_metrics {
    size_t max_single_run, max_double_run;
    int control; /* a byte <= 0x1F other than tab and LF, or 0x7F */
    int backslash;
    int newline;
} str_metrics;

static str_metrics measure(const char *s, size_t len)
{
    str_metrics m = {0, 0, 0, 0, 0};
    size_t single = 0, dbl = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        single = c == '\'' ? single + 1 : 0;
        dbl = c == '"' ? dbl + 1 : 0;
        if (single > m.max_single_run) m.max_single_run = single;
        if (dbl > m.max_double_run) m.max_double_run = dbl;
        if (c == '\\')
            m.backslash = 1;
        else if (c == '\n')
            m.newline = 1;
        else if (c != '\t' && (c <= 0x1F || c == 0x7F))
            m.control = 1;
    }
    return m;
}

/*
 * The body of a basic ("...") or multi-line basic ("""...""") string. In the
 * multi-line form LF stays literal and only a third '"' in a row is escaped;
 * the run count restarts after every escape, as toml_writer's loop does.
 */
static int put_escaped(csfs_buf *out, const char *s, size_t len, int multiline, csfs_error *err)
{
    size_t max_run = multiline ? 2 : 0, run = 0;
    size_t start = 0;
    int rc = 0;
    for (size_t i = 0; i < len && rc == 0; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        const char *e = NULL;
        if (c == '"') {
            if (++run > max_run) e = "\\\"";
        } else {
            run = 0;
            switch (c) {
            case 0x08:
                e = "\\b";
                break;
            case 0x09:
                e = "\\t";
                break;
            case 0x0A:
                e = multiline ? NULL : "\\n";
                break;
            case 0x0C:
                e = "\\f";
                break;
            case 0x0D:
                e = "\\r";
                break;
            case 0x5C:
                e = "\\\\";
                break;
            default:
                if (c <= 0x1F || c == 0x7F) {
                    static const char hex[] = "0123456789ABCDEF";
                    memcpy(esc, "\\u00", 4);
                    esc[4] = hex[c >> 4];
                    esc[5] = hex[c & 15];
                    esc[6] = '\0';
                    e = esc;
                }
            }
        }
        if (!e) continue;
        rc = csfs_buf_append(out, s + start, i - start, err);
        if (rc == 0) rc = csfs_buf_append(out, e, strlen(e), err);
        start = i + 1;
        run = 0;
    }
    return rc ? rc : csfs_buf_append(out, s + start, len - start, err);
}

/* One TOML string value in the form toml_writer's as_default() picks. */
static int put_string(csfs_buf *out, const char *s, size_t len, csfs_error *err)
{
    str_metrics m = measure(s, len);
    const char *delim;
    int escaped, multiline;
    if (!m.control && !m.backslash && m.max_double_run == 0 && !m.newline)
        delim = "\"", escaped = 1, multiline = 0;
    else if (!m.control && m.max_single_run == 0 && !m.newline)
        delim = "'", escaped = 0, multiline = 0;
    else if (!m.control && !m.backslash && m.max_double_run <= 2)
        delim = "\"\"\"", escaped = 1, multiline = 1;
    else if (!m.control && m.max_single_run <= 2)
        delim = "'''", escaped = 0, multiline = 1;
    else if (m.newline)
        delim = "\"\"\"", escaped = 1, multiline = 1;
    else
        delim = "\"", escaped = 1, multiline = 0;
    int rc = csfs_buf_append(out, delim, strlen(delim), err);
    /* A multi-line string holding a line break starts on a new line. */
    if (rc == 0 && multiline && m.newline) rc = csfs_buf_append(out, "\n", 1, err);
    if (rc == 0)
        rc = escaped ? put_escaped(out, s, len, multiline, err) : csfs_buf_append(out, s, len, err);
    return rc ? rc : csfs_buf_append(out, delim, strlen(delim), err);
}

/* toml's pretty arrays: two or more items go one a line (4 spaces, trailing
 * comma); zero or one item stay inline. */
static int put_u64_array(csfs_buf *out, const uint64_t *v, size_t n, csfs_error *err)
{
    if (n < 2)
        return n ? csfs_buf_printf(out, err, "[%llu]\n", (unsigned long long)v[0])
                 : csfs_buf_append(out, "[]\n", 3, err);
    int rc = csfs_buf_append(out, "[\n", 2, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = csfs_buf_printf(out, err, "    %llu,\n", (unsigned long long)v[i]);
    return rc ? rc : csfs_buf_append(out, "]\n", 2, err);
}

int csfs_header_toml_format(const csfs_header_info *info, csfs_buf *out, csfs_error *err)
{
    uint64_t sum = 0;
    for (size_t b = 0; b < info->n_blocks; b++) {
        if (info->block_lengths[b] > UINT64_MAX - sum)
            return csfs_fail(err, CSFS_E_ARGUMENT, "header TOML: block lengths overflow");
        sum += info->block_lengths[b];
    }
    if (info->n_blocks > 0 && sum != info->csf_count)
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "header TOML: block lengths add up to %llu, not to the %llu CSFs",
                         (unsigned long long)sum, (unsigned long long)info->csf_count);
    if (info->csf_count > INT64_MAX || info->total_lines > INT64_MAX ||
        info->truncated_count > INT64_MAX)
        return csfs_fail(err, CSFS_E_ARGUMENT, "header TOML: count too large for TOML");
    for (int i = 0; i < CSFS_HEADER_LINES; i++) {
        size_t ok = csfs_utf8_valid_prefix(info->lines[i], info->lens[i]);
        if (ok != info->lens[i])
            return csfs_fail(err, CSFS_E_FORMAT,
                             "header line %d is not UTF-8 (byte %zu), which a TOML file cannot "
                             "hold",
                             i + 1, ok + 1);
    }

    int rc = csfs_buf_append(out, "[header_info]\nheader_lines = [\n", 31, err);
    for (int i = 0; rc == 0 && i < CSFS_HEADER_LINES; i++) {
        rc = csfs_buf_append(out, "    ", 4, err);
        if (rc == 0) rc = put_string(out, info->lines[i], info->lens[i], err);
        if (rc == 0) rc = csfs_buf_append(out, ",\n", 2, err);
    }
    if (rc == 0) rc = csfs_buf_append(out, "]\n", 2, err);
    if (rc == 0 && info->n_blocks >= 2) {
        rc = csfs_buf_printf(out, err, "\n[block_info]\nblock_count = %llu\nblock_lengths = ",
                             (unsigned long long)info->n_blocks);
        if (rc == 0) rc = put_u64_array(out, info->block_lengths, info->n_blocks, err);
    }
    if (rc == 0)
        rc = csfs_buf_printf(out, err,
                             "\n[conversion_stats]\ncsf_count = %llu\ntotal_lines = %llu\n"
                             "truncated_count = %llu\n",
                             (unsigned long long)info->csf_count,
                             (unsigned long long)info->total_lines,
                             (unsigned long long)info->truncated_count);
    return rc;
}

int csfs_header_toml_write(const char *toml_path, const csfs_header_info *info, int force,
                           csfs_error *err)
{
    csfs_buf text = {0};
    int rc = csfs_header_toml_format(info, &text, err);
    if (rc) {
        csfs_buf_free(&text);
        return rc;
    }
    csfs_outfile out;
    rc = csfs_outfile_open(&out, toml_path, force, err);
    if (rc == 0) rc = csfs_outfile_write(&out, text.data, text.len, err);
    if (rc == 0) rc = csfs_outfile_commit(&out, err);
    csfs_outfile_abort(&out);
    csfs_buf_free(&text);
    return rc;
}
