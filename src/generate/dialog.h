/*
 * The rcsfgenerate dialog as typed on stdin (or a rcsfgenerate.log, which is
 * valid stdin too), read the way GRASP's Fortran reads it, and the TOML form
 * of the same answers. Nothing here interprets the answers: plan.c does.
 */
#ifndef CSFS_GEN_DIALOG_H
#define CSFS_GEN_DIALOG_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"
#include "generate/gen_types.h"

typedef struct gen_ref {
    char text[GEN_REF_LEN + 1]; /* as read with format (a): truncated, trailing blanks kept off */
    uint64_t line;              /* 1-based line in the dialog */
    int truncated;              /* the line was longer than 135 characters */
} gen_ref;

typedef struct gen_round {
    gen_ref *refs;
    size_t n_refs;
    char active[GEN_ACTIVE_LEN + 1];
    uint64_t active_line;
    int active_truncated;
    int two_j_lo, two_j_hi;
    uint64_t two_j_line;
    int excitations; /* as typed (negative: correlation orbitals take pairs) */
    uint64_t excitations_line;
    int more; /* "Generate more lists?" answered y/Y */
    uint64_t more_line;
} gen_round;

typedef struct gen_dialog {
    char order; /* first character of the order answer ('*', 'r', 's', 'u', ...) */
    uint64_t order_line;
    int core; /* 0..6 as typed */
    uint64_t core_line;
    gen_round *rounds;
    size_t n_rounds;
    const char *name; /* the dialog's name in messages (not owned) */
} gen_dialog;

/* Reads the stdin form from text[0..len). name is used in messages. */
int gen_dialog_read(const char *text, size_t len, const char *name, gen_dialog *out,
                    csfs_error *err);
/* Reads the TOML form (see docs in include/csfs/generate.h). */
int gen_dialog_read_toml(const char *text, size_t len, const char *name, gen_dialog *out,
                         csfs_error *err);
/* 1 when the text looks like the TOML form (a `key =` or `[` line before any answer). */
int gen_dialog_is_toml(const char *text, size_t len);
/* Writes the dialog as GRASP's stdin (what rcsfgenerate.log holds, modulo formatting). */
int gen_dialog_to_stdin(const gen_dialog *d, char **out, size_t *out_len, csfs_error *err);
/* Writes the TOML form. */
int gen_dialog_to_toml(const gen_dialog *d, char **out, size_t *out_len, csfs_error *err);
void gen_dialog_free(gen_dialog *d);

#endif
