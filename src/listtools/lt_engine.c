/* The list tools' engine outputs (listtools/lt_engine.h). */
#include "listtools/lt_engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "grasp/header_toml.h"

int lt_engine_single(const csfs_engine_outputs *eo, const char *output, const char *default_name,
                     const csfs_engine_run *run, lt_text_fn fn, void *ctx, csfs_error *err)
{
    if (!csfs_engine_outputs_any(eo)) return fn(ctx, output, err);
    char tdir[4096] = "", tfile[4200] = "";
    const char *text = output;
    int rc = 0;
    if (text && strcmp(text, "-") == 0)
        return csfs_fail(err, CSFS_E_ARGUMENT,
                         "the text goes to standard output: the engine outputs need it in a file");
    if (!text) {
        rc = csfs_engine_outputs_temp_text(eo, default_name, tdir, sizeof tdir, tfile, sizeof tfile,
                                           err);
        text = tfile;
    }
    if (rc == 0) rc = csfs_engine_outputs_check(eo, text, run->force, err);
    int written = 0;
    if (rc == 0) rc = fn(ctx, text, err);
    if (rc == 0) written = 1;
    if (rc == 0) rc = csfs_engine_outputs_run(eo, text, run, err);
    if (rc && written && output) remove(output); /* all or none */
    if (*tdir) csfs_engine_outputs_temp_remove(tdir, tfile);
    return rc;
}

/* The text's path without its .c extension. */
static char *stem_of(const char *path)
{
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot && dot != base) n = (size_t)(dot - path);
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, path, n);
        s[n] = 0;
    }
    return s;
}

static void remove_outputs(const csfs_engine_outputs *o, const char *text)
{
    if (o->csf_parquet) {
        remove(o->csf_parquet);
        char *toml = NULL;
        csfs_error e;
        if (csfs_header_toml_path(text, o->csf_parquet, &toml, &e) == 0) {
            remove(toml);
            free(toml);
        }
    }
    for (size_t i = 0; i < o->n_descriptors; i++) remove(o->descriptors[i].path);
}

static int engine_multi(const csfs_engine_outputs *eo, const char *const *texts, size_t n,
                        const csfs_engine_run *run, csfs_error *err)
{
    csfs_engine_expanded *x = calloc(n, sizeof *x);
    if (!x) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    int rc = 0;
    size_t expanded = 0, done = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *stem = stem_of(texts[i]);
        if (!stem) {
            rc = csfs_fail(err, CSFS_E_NOMEM, "out of memory");
            break;
        }
        rc = csfs_engine_outputs_expand(eo, stem, 1, &x[i], err);
        free(stem);
        if (rc == 0) expanded = i + 1;
        if (rc == 0) rc = csfs_engine_outputs_check(&x[i].o, texts[i], run->force, err);
    }
    /* Names of different lists must differ too. */
    for (size_t i = 0; rc == 0 && i < n; i++)
        for (size_t k = 0; rc == 0 && k < i; k++)
            if (x[i].o.csf_parquet && strcmp(x[i].o.csf_parquet, x[k].o.csf_parquet) == 0)
                rc = csfs_fail(err, CSFS_E_ARGUMENT, "%s: named for two lists", x[i].o.csf_parquet);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = csfs_engine_outputs_run(&x[i].o, texts[i], run, err);
        if (rc == 0) done = i + 1;
    }
    if (rc)
        for (size_t i = 0; i < done; i++) remove_outputs(&x[i].o, texts[i]);
    for (size_t i = 0; i < expanded; i++) csfs_engine_outputs_expanded_free(&x[i]);
    free(x);
    return rc;
}

int lt_engine_multi(const csfs_engine_outputs *eo, size_t n, lt_path_fn path, const void *ctx,
                    const csfs_engine_run *run, csfs_error *err)
{
    if (!csfs_engine_outputs_any(eo) || n == 0) return 0;
    const char **texts = calloc(n, sizeof *texts);
    if (!texts) {
        for (size_t i = 0; i < n; i++) remove(path(ctx, i));
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) texts[i] = path(ctx, i);
    int rc = engine_multi(eo, texts, n, run, err);
    if (rc)
        for (size_t i = 0; i < n; i++) remove(texts[i]);
    free(texts);
    return rc;
}

int lt_engine_check_templates(const csfs_engine_outputs *eo, csfs_error *err)
{
    if (!csfs_engine_outputs_any(eo)) return 0;
    csfs_engine_expanded x;
    int rc = csfs_engine_outputs_expand(eo, "list", 1, &x, err);
    if (rc == 0) csfs_engine_outputs_expanded_free(&x);
    return rc;
}
