/*
 * The engine outputs of a command that writes a GRASP text list (generate,
 * interact, zerofirst, split): CSF Parquet (+ header TOML) and descriptor
 * files, made by the convert and descriptors jobs from the committed text,
 * so that their bytes are exactly those of `csfs convert`/`csfs descriptors`
 * on it.
 *
 *   csfs_engine_outputs_check     before the text is written: no output
 *                                 exists (unless force), none is the text
 *   csfs_engine_outputs_temp_text a hidden temporary directory for the text
 *                                 when the command keeps none
 *   csfs_engine_outputs_run       runs them; on error removes what it wrote
 *   csfs_engine_outputs_expand    per-output names for commands with several
 *                                 texts: "{}" in a name becomes the text's
 *                                 path without its extension
 */
#ifndef CSFS_JOBS_ENGINE_OUTPUTS_H
#define CSFS_JOBS_ENGINE_OUTPUTS_H

#include "csfs.h"

typedef struct csfs_engine_run {
    int threads, force;
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    void (*progress)(void *ctx, const csfs_progress *progress);
    void *progress_ctx;
    const volatile int *cancel;
} csfs_engine_run;

int csfs_engine_outputs_check(const csfs_engine_outputs *o, const char *text_path, int force,
                              csfs_error *err);

/* dir (cap dcap) gets the temporary directory beside o's first output and
 * file (cap fcap) the text path in it, named o->text_name or default_name.
 * Remove both with csfs_engine_outputs_temp_remove. */
int csfs_engine_outputs_temp_text(const csfs_engine_outputs *o, const char *default_name, char *dir,
                                  size_t dcap, char *file, size_t fcap, csfs_error *err);
void csfs_engine_outputs_temp_remove(const char *dir, const char *file);

int csfs_engine_outputs_run(const csfs_engine_outputs *o, const char *text_path,
                            const csfs_engine_run *run, csfs_error *err);

/* The job options that write o's CSF Parquet, or its descriptor output i,
 * from input (one rule for every command with engine outputs). */
void csfs_engine_convert_options(const csfs_engine_outputs *o, const char *input,
                                 const csfs_engine_run *run, csfs_convert_options *co);
void csfs_engine_descriptor_options(const csfs_engine_outputs *o, size_t i, const char *input,
                                    const csfs_engine_run *run, csfs_descriptor_options *dopt);

/* *out gets a copy of tmpl whose names have "{}" replaced by stem; the
 * strings and descriptor array live in *storage (free both with
 * csfs_engine_outputs_expanded_free). A name without "{}" is an error when
 * several texts would share it (multi). */
typedef struct csfs_engine_expanded {
    csfs_engine_outputs o;
    csfs_descriptor_output *d;
    char **names;
    size_t n_names;
} csfs_engine_expanded;

int csfs_engine_outputs_expand(const csfs_engine_outputs *tmpl, const char *stem, int multi,
                               csfs_engine_expanded *out, csfs_error *err);
void csfs_engine_outputs_expanded_free(csfs_engine_expanded *x);

#endif
