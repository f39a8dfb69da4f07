/*
 * Engine outputs of the commands that write GRASP text (jobs/engine_outputs.h).
 *
 * Why from the committed text and not from the records in flight (a pipe, or
 * the tool's kept records fed to the engine as a filtered source): the
 * outputs must be byte-identical to convert/descriptors on that text,
 * including the source name and size they record, and the passes cost their
 * encoding, not their reading. Measured with callgrind on rcsfinteract's
 * output for the o1 oracle (9.3 MB of text, 1 thread): convert 109 M
 * instructions, v1 96 M, V2 126 M, of which scanning the text
 * (csfs_scan_chunk + memchr) is 15 M each (12-16%); the interact run itself
 * is 696 M. A flow-through design would save at most that scan (and the
 * page-cache read), and needs a record source in engine/pipeline.c.
 */
#include "jobs/engine_outputs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "grasp/header_toml.h"
#include "io/outfile.h"

void csfs_engine_outputs_init(csfs_engine_outputs *o)
{
    memset(o, 0, sizeof *o);
    o->codec = CSFS_CODEC_ZSTD;
}

int csfs_engine_outputs_any(const csfs_engine_outputs *o)
{
    return o && (o->csf_parquet || o->n_descriptors);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int check_one(const char *path, const char *text_path, int force, csfs_error *err)
{
    if (text_path && (strcmp(path, text_path) == 0 || csfs_same_file(path, text_path)))
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "%s: the text list and an engine output are one file", path);
    if (!force && exists(path)) return csfs_fail(err, CSFS_E_EXISTS, "%s: already exists", path);
    return 0;
}

int csfs_engine_outputs_check(const csfs_engine_outputs *o, const char *text_path, int force,
                              csfs_error *err)
{
    if (!csfs_engine_outputs_any(o)) return 0;
    int rc = 0;
    if (o->csf_parquet) {
        rc = check_one(o->csf_parquet, text_path, force, err);
        char *toml = NULL;
        if (rc == 0 && text_path &&
            csfs_header_toml_path(text_path, o->csf_parquet, &toml, err) == 0) {
            rc = check_one(toml, text_path, force, err);
            free(toml);
        }
    }
    for (size_t i = 0; rc == 0 && i < o->n_descriptors; i++) {
        const char *p = o->descriptors[i].path;
        if (!p) return csfs_fail(err, CSFS_E_ARGUMENT, "a descriptor output has no path");
        rc = check_one(p, text_path, force, err);
        if (rc == 0 && o->csf_parquet && strcmp(p, o->csf_parquet) == 0)
            rc = csfs_fail(err, CSFS_E_ARGUMENT, "%s: named for two outputs", p);
        for (size_t k = 0; rc == 0 && k < i; k++)
            if (strcmp(p, o->descriptors[k].path) == 0)
                rc = csfs_fail(err, CSFS_E_ARGUMENT, "%s: named for two outputs", p);
    }
    return rc;
}

int csfs_engine_outputs_temp_text(const csfs_engine_outputs *o, const char *default_name, char *dir,
                                  size_t dcap, char *file, size_t fcap, csfs_error *err)
{
    const char *beside = o->csf_parquet ? o->csf_parquet : o->descriptors[0].path;
    const char *name = o->text_name ? o->text_name : default_name;
    if (!*name || strchr(name, '/'))
        return csfs_fail(err, CSFS_E_ARGUMENT, "'%s': the text name is a file name, not a path",
                         name);
    const char *slash = strrchr(beside, '/');
    if (slash)
        snprintf(dir, dcap, "%.*s/.csfs-text-XXXXXX", (int)(slash - beside), beside);
    else
        snprintf(dir, dcap, ".csfs-text-XXXXXX");
    if (!mkdtemp(dir))
        return csfs_fail_errno(err, errno, "%s: cannot create a temporary directory", dir);
    snprintf(file, fcap, "%s/%s", dir, name);
    return 0;
}

void csfs_engine_outputs_temp_remove(const char *dir, const char *file)
{
    if (file && *file) unlink(file);
    if (dir && *dir) rmdir(dir);
}

void csfs_engine_convert_options(const csfs_engine_outputs *o, const char *input,
                                 const csfs_engine_run *run, csfs_convert_options *co)
{
    csfs_convert_options_init(co);
    co->input = input;
    co->output = o->csf_parquet;
    co->force = run->force;
    co->threads = run->threads;
    co->codec = o->codec;
    co->codec_level = o->codec_level;
    if (o->row_group_rows) co->row_group_rows = o->row_group_rows;
    co->header_toml = 1;
    co->report = run->report;
    co->report_ctx = run->report_ctx;
    co->progress = run->progress;
    co->progress_ctx = run->progress_ctx;
    co->cancel = run->cancel;
}

void csfs_engine_descriptor_options(const csfs_engine_outputs *o, size_t i, const char *input,
                                    const csfs_engine_run *run, csfs_descriptor_options *dopt)
{
    const csfs_descriptor_output *d = &o->descriptors[i];
    csfs_descriptor_options_init(dopt);
    dopt->input = input;
    dopt->output = d->path;
    dopt->layout = d->layout ? d->layout : CSFS_LAYOUT_V1;
    dopt->normalize = d->normalize;
    dopt->format = d->format;
    dopt->force = run->force;
    dopt->threads = run->threads;
    dopt->codec = o->codec;
    dopt->codec_level = o->codec_level;
    dopt->row_group_rows = o->row_group_rows;
    dopt->report = run->report;
    dopt->report_ctx = run->report_ctx;
    dopt->progress = run->progress;
    dopt->progress_ctx = run->progress_ctx;
    dopt->cancel = run->cancel;
}

int csfs_engine_outputs_run(const csfs_engine_outputs *o, const char *text_path,
                            const csfs_engine_run *run, csfs_error *err)
{
    if (!csfs_engine_outputs_any(o)) return 0;
    int rc = 0;
    char *toml = NULL;
    size_t done = 0; /* descriptor outputs written */
    int parquet_done = 0;
    if (o->csf_parquet) {
        csfs_convert_options co;
        csfs_engine_convert_options(o, text_path, run, &co);
        csfs_convert_summary cs;
        rc = csfs_convert_run(&co, &cs, err);
        if (rc == 0) {
            parquet_done = 1;
            if (cs.header_toml[0]) toml = strdup(cs.header_toml);
        }
    }
    for (size_t i = 0; rc == 0 && i < o->n_descriptors; i++) {
        csfs_descriptor_options dopt;
        csfs_engine_descriptor_options(o, i, text_path, run, &dopt);
        csfs_summary ds;
        rc = csfs_descriptors_run(&dopt, &ds, err);
        if (rc == 0) done = i + 1;
    }
    if (rc) { /* all or none: what this run published goes again */
        if (parquet_done) remove(o->csf_parquet);
        if (toml) remove(toml);
        for (size_t i = 0; i < done; i++) remove(o->descriptors[i].path);
    }
    free(toml);
    return rc;
}

/* ---- names for several texts ------------------------------------------------ */

static int expand_name(const char *tmpl, const char *stem, int multi, csfs_engine_expanded *x,
                       const char **out, csfs_error *err)
{
    const char *hole = strstr(tmpl, "{}");
    if (!hole && multi)
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "'%s': one name for every list written; put {} where each "
                         "list's name goes (e.g. {}.parquet)",
                         tmpl);
    size_t n = strlen(tmpl) + (hole ? strlen(stem) : 0) + 1;
    char *s = malloc(n);
    char **names = realloc(x->names, (x->n_names + 1) * sizeof *names);
    if (!s || !names) {
        free(s);
        if (names) x->names = names;
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    x->names = names;
    if (hole)
        snprintf(s, n, "%.*s%s%s", (int)(hole - tmpl), tmpl, stem, hole + 2);
    else
        snprintf(s, n, "%s", tmpl);
    x->names[x->n_names++] = s;
    *out = s;
    return 0;
}

int csfs_engine_outputs_expand(const csfs_engine_outputs *tmpl, const char *stem, int multi,
                               csfs_engine_expanded *x, csfs_error *err)
{
    memset(x, 0, sizeof *x);
    x->o = *tmpl;
    x->o.descriptors = NULL;
    int rc = 0;
    if (tmpl->csf_parquet)
        rc = expand_name(tmpl->csf_parquet, stem, multi, x, &x->o.csf_parquet, err);
    if (rc == 0 && tmpl->n_descriptors) {
        x->d = calloc(tmpl->n_descriptors, sizeof *x->d);
        if (!x->d) rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        for (size_t i = 0; rc == 0 && i < tmpl->n_descriptors; i++) {
            x->d[i] = tmpl->descriptors[i];
            rc = expand_name(tmpl->descriptors[i].path, stem, multi, x, &x->d[i].path, err);
        }
        x->o.descriptors = x->d;
    }
    if (rc) csfs_engine_outputs_expanded_free(x);
    return rc;
}

void csfs_engine_outputs_expanded_free(csfs_engine_expanded *x)
{
    for (size_t i = 0; i < x->n_names; i++) free(x->names[i]);
    free(x->names);
    free(x->d);
    memset(x, 0, sizeof *x);
}
