/*
 * csfs public API: GRASP2018 mixing-coefficient files (.m from rmcdhf, .cm
 * from rci) -- the streaming reader, the CSF list a file belongs to, the
 * per-CSF CI^2 labels job (`csfs mix`) and the level listing (`csfs mix
 * --levels`). Layout of the files: docs/ and shared/spec/GRASP-MIXING.md.
 */
#ifndef CSFS_PUBLIC_MIXING_H
#define CSFS_PUBLIC_MIXING_H

#include <stddef.h>
#include <stdint.h>

#include "csfs/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ==== the reader ========================================================== */
/*
 *   csfs_mix_open(path) / csfs_mix_open_memory(bytes)   record 0 and header
 *   while ((rc = csfs_mix_next_block(r, &b, err)) == 1)  B1..B3 of each stored block
 *       for k in 0..b->nev-1: csfs_mix_read_level(r, v)  B4, one level (NCF values)
 *   rc == 0 at the end of the file, < 0 on error
 *
 * Blocks are identified by their JBLOCK and read until the end of the file,
 * never by counting to NBLOCK: rmcdhf leaves out blocks with no requested
 * levels and rci writes only the B1 record (NEV = 0, J and parity 999) for
 * them. Levels are kept in the order stored (IVEC need not be sorted).
 *
 * Memory: the levels of one block (IVEC, EVAL) and the caller's level
 * buffer. A level is NCF doubles, because the coefficients are stored one
 * level after the other; a block's whole matrix is never needed. Every count
 * read from the file is checked against the bytes left in it before memory
 * is allocated for it.
 *
 * Errors name the file, the block (JBLOCK) and the byte offset.
 */

/* Record R1. */
typedef struct csfs_mix_header {
    int32_t nelec;   /* electrons */
    int32_t ncftot;  /* CSFs in the whole CSF list, blocks without levels included */
    int32_t nw;      /* relativistic subshells */
    int32_t nvectot; /* levels stored, summed over blocks */
    int32_t nvecsiz; /* coefficients stored, summed over blocks (int32 in GRASP: may wrap) */
    int32_t nblock;  /* blocks of the CSF list, not blocks stored in the file */
} csfs_mix_header;

/* One stored block: B1, and B2/B3 when nev > 0. Owned by the reader, valid
 * until the next csfs_mix_next_block call. */
typedef struct csfs_mix_block {
    int32_t jblock;      /* 1-based block number in the CSF list */
    int32_t ncf;         /* CSFs of the block */
    int32_t nev;         /* levels stored (0: rci block without requested levels) */
    int32_t iatjpo;      /* 2J+1 (999 from rci when nev == 0) */
    int32_t iaspar;      /* +1 even, -1 odd (999 from rci when nev == 0) */
    const int32_t *ivec; /* [nev]: position of level k in the block's spectrum (1 = lowest) */
    double eav;          /* average diagonal energy, Hartree (0 when nev == 0) */
    const double *eval;  /* [nev]: energy of level k relative to eav */
    uint64_t offset;     /* byte offset of the B1 record */
    int32_t levels_read; /* coefficient vectors consumed so far */
} csfs_mix_block;

typedef struct csfs_mix_reader csfs_mix_reader;

/* Opens a file (regular files only) and reads records 0 and 1. */
CSFS_API int csfs_mix_open(const char *path, csfs_mix_reader **out, csfs_error *err);

/* The same over memory that must outlive the reader; name is for messages. */
CSFS_API int csfs_mix_open_memory(const void *data, size_t size, const char *name,
                                  csfs_mix_reader **out, csfs_error *err);

CSFS_API void csfs_mix_close(csfs_mix_reader *r);

CSFS_API const csfs_mix_header *csfs_mix_get_header(const csfs_mix_reader *r);
CSFS_API const char *csfs_mix_name(const csfs_mix_reader *r);
CSFS_API uint64_t csfs_mix_file_size(const csfs_mix_reader *r);
CSFS_API int csfs_mix_marker_bytes(const csfs_mix_reader *r); /* 4 or 8 */
CSFS_API int csfs_mix_big_endian(const csfs_mix_reader *r);
/* "4-byte little-endian record markers" etc. */
CSFS_API const char *csfs_mix_format(const csfs_mix_reader *r);

/*
 * Advances to the next stored block, skipping coefficients of the current
 * one that were not read. Returns 1 with *out set, 0 at the end of the file
 * (after checking the header's NVECTOT and NVECSIZ against what was read, so
 * a file cut at a block boundary is still an error), or a CSFS_E_* code.
 */
CSFS_API int csfs_mix_next_block(csfs_mix_reader *r, const csfs_mix_block **out, csfs_error *err);

/* Reads the coefficients of the current block's next level (k = levels_read)
 * into dst[0..ncf): dst[i] is the coefficient of the block's CSF i+1. */
CSFS_API int csfs_mix_read_level(csfs_mix_reader *r, double *dst, csfs_error *err);

/* 2J of a block, or -1 when the file does not give it (nev == 0). */
CSFS_API int32_t csfs_mix_block_two_j(const csfs_mix_block *b);
/* '+', '-', or '?' when unknown. */
CSFS_API char csfs_mix_block_parity(const csfs_mix_block *b);

/* "1/2", "3", ...: 2J as GRASP prints J (buf of at least 16 bytes). */
CSFS_API const char *csfs_format_j(int32_t two_j, char *buf, size_t cap);

/* ---- the CSF list a mixing file belongs to ---------------------------------- */

/*
 * Block structure of a CSF list: what a mixing file is checked against and
 * what maps (block, position) to a row. J/parity come from line 3 of each
 * block's first CSF (text lists) or from a V2 descriptor file's total_two_j
 * and parity columns; csfs v1 descriptor files record only the block lengths.
 */
typedef struct csfs_mix_list {
    char *name;       /* the list's path, for messages */
    int64_t size;     /* bytes of the file, -1 unknown */
    const char *kind; /* "text", "descriptor parquet", "lengths" (static string) */
    uint64_t csf_count;
    size_t n_blocks;
    uint64_t *block_lengths; /* [n_blocks] CSFs per block */
    uint64_t *block_first;   /* [n_blocks + 1] row of each block's first CSF; last = csf_count */
    int32_t *two_j;          /* [n_blocks] 2J, -1 unknown */
    int8_t *parity;          /* [n_blocks] +1 / -1, 0 unknown */
    uint64_t *jp_line;       /* [n_blocks] 1-based line J/parity was read from, 0 none */
    int jp_known;            /* every block has J and parity */
    char jp_note[256];       /* where J/parity come from, or why they are missing */
} csfs_mix_list;

/* Reads a CSF list: GRASP text (plain, .zst, .gz), or a Parquet file made by
 * csfs (key-value metadata csfs.block_lengths), recognised by content. */
CSFS_API int csfs_mix_list_read(const char *path, csfs_mix_list *out, csfs_error *err);

/* A list from block lengths; two_j / parity may be NULL (unknown). */
CSFS_API int csfs_mix_list_from_lengths(const uint64_t *lengths, size_t n_blocks,
                                        const int32_t *two_j, const int8_t *parity,
                                        const char *name, csfs_mix_list *out, csfs_error *err);

CSFS_API void csfs_mix_list_free(csfs_mix_list *l);

/* NCFTOT and NBLOCK of the header against the list. */
CSFS_API int csfs_mix_check_header(const csfs_mix_reader *r, const csfs_mix_list *l,
                                   csfs_error *err);

/* NCF, and J/parity (when the block stores levels and the list knows them),
 * of a stored block against block JBLOCK of the list. */
CSFS_API int csfs_mix_check_block(const csfs_mix_reader *r, const csfs_mix_block *b,
                                  const csfs_mix_list *l, csfs_error *err);

/* ==== CI^2 labels ========================================================= */

/*
 * CI^2 labels from a mixing file, one row per CSF of its list in list order
 * (row i = CSF i = descriptor row i), and their Parquet output.
 *
 * Narrow (default) columns:
 *   row           int64  0-based CSF index in the list (separators skipped)
 *   block         int32  1-based block (JBLOCK)
 *   pos_in_block  int32  1-based position in the block
 *   nlev          int32  levels stored for the block (0: none, or block not in the file)
 *   ci2_max       double max over the block's stored levels of c^2 (0 when nlev = 0)
 *   level_argmax  int32  storage index k (1-based) of that maximum; -1 when nlev = 0;
 *                        ties go to the smallest k
 * Wide adds one double column per stored level, named J<J><parity>_L<IVEC(k)>
 * (e.g. "J1/2+_L3"): c^2 (or the signed coefficient) for the block's CSFs,
 * 0.0 for CSFs of other blocks (they do not contribute to that level).
 * Long replaces all this by one row per (CSF, stored level), in file order:
 *   row, block, pos_in_block, level (k), level_pos (IVEC(k)), energy, coefficient, ci2.
 *
 * Memory: narrow and long hold one level vector and the per-CSF maxima of
 * one block (NCF values each); wide holds one block's coefficient matrix,
 * because its row groups need every level of a row at once.
 */

typedef enum csfs_mix_layout {
    CSFS_MIX_NARROW = 0,
    CSFS_MIX_WIDE = 1,
    CSFS_MIX_LONG = 2,
} csfs_mix_layout;

typedef enum csfs_mix_values {
    CSFS_MIX_VALUES_CI2 = 0,  /* c^2 */
    CSFS_MIX_VALUES_COEF = 1, /* signed coefficient c */
} csfs_mix_values;

typedef struct csfs_mix_options {
    const char *input;         /* .m / .cm */
    const char *csf_list;      /* CSF list: text (.zst/.gz too) or csfs Parquet */
    const csfs_mix_list *list; /* instead of csf_list: a list the caller built */
    const char *output;        /* .parquet */
    csfs_mix_layout layout;
    csfs_mix_values values; /* columns of the wide layout */
    int force;              /* replace an existing output */
    csfs_codec codec;       /* default ZSTD */
    int codec_level;        /* 0: codec default */
    int64_t row_group_rows; /* 0: 1,048,576 (wide: fewer when the columns are many) */
    /* Called with one message per warning; NULL: silent. */
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    /* Called about twice a second from the calling thread; NULL: none. */
    void (*progress)(void *ctx, const csfs_progress *progress);
    void *progress_ctx;
    const volatile int *cancel; /* polled between levels; non-zero: CSFS_E_CANCELLED */
} csfs_mix_options;

CSFS_API void csfs_mix_options_init(csfs_mix_options *opt);

typedef struct csfs_mix_summary {
    uint64_t rows; /* rows written */
    uint64_t columns;
    uint64_t csf_count;     /* CSFs in the list */
    uint64_t list_blocks;   /* blocks in the list */
    uint64_t stored_blocks; /* blocks with records in the mixing file */
    uint64_t levels;        /* stored levels */
    uint64_t coefficients;  /* stored coefficients */
    uint64_t input_bytes;   /* size of the mixing file */
    int jp_checked;         /* J/parity of every block with levels compared to the list */
    char jp_note[256];      /* where J/parity came from, or why they were not checked */
    double seconds;
} csfs_mix_summary;

/*
 * Reads the mixing file and its CSF list, checks one against the other,
 * and writes the label table. The output appears only when complete (a
 * temporary renamed at the end); on any error nothing is left behind.
 */
CSFS_API int csfs_mix_labels_run(const csfs_mix_options *opt, csfs_mix_summary *summary,
                                 csfs_error *err);

/* Narrow labels in memory, csf_count entries each (for bindings). Every
 * array is malloc'd; a caller may take one over (set the pointer to NULL and
 * release it with free()). */
typedef struct csfs_mix_labels {
    uint64_t rows;
    int64_t *row; /* 0..rows-1 */
    int32_t *block, *pos_in_block, *nlev, *level_argmax;
    double *ci2_max;
} csfs_mix_labels;

/* The narrow labels of the mixing file at mix_path for the CSF list at
 * list_path (both read and checked against each other); cancel may be NULL. */
CSFS_API int csfs_mix_labels_read(const char *mix_path, const char *list_path,
                                  const volatile int *cancel, csfs_mix_labels *out,
                                  csfs_error *err);

/* From a freshly opened reader, checked against list. */
CSFS_API int csfs_mix_labels_compute(csfs_mix_reader *r, const csfs_mix_list *list,
                                     csfs_mix_labels *out, csfs_error *err);
CSFS_API void csfs_mix_labels_free(csfs_mix_labels *labels);

/* ==== levels ============================================================== */

/*
 * The levels of a mixing file: J, parity, energy of every stored level, in
 * file order and in energy order with the rlevels columns (position in the
 * block, energy above the lowest level and above the next lower one, cm^-1).
 * Collecting them reads B1-B3 of each block and skips the coefficients, so
 * it is cheap, and it validates the whole record structure of the file.
 */

/* The Rydberg constant rlevels converts with (cm^-1; CODATA 2014 R_inf):
 * 1 Hartree = 2 Ry, so levels in cm^-1 are (E - E_lowest) * 2 * this. */
#define CSFS_RYDBERG_CM 109737.31568508

typedef struct csfs_mix_level {
    int32_t block; /* JBLOCK */
    int32_t k;     /* 1-based storage index in the block */
    int32_t pos;   /* IVEC(k): position in the block's spectrum */
    int32_t two_j;
    int8_t parity;   /* +1 / -1 */
    double eav;      /* Hartree */
    double energy;   /* EAV + EVAL(k), Hartree */
    double rel_cm;   /* above the lowest stored level, cm^-1 */
    double split_cm; /* above the next lower level, cm^-1 (0 for the lowest) */
    size_t rank;     /* 1-based position in ascending energy (rlevels' "No") */
} csfs_mix_level;

typedef struct csfs_mix_block_info {
    int32_t jblock, ncf, nev, iatjpo, iaspar; /* as stored */
    double eav;
    size_t first_level; /* index of its first level in levels[] */
    uint64_t offset;    /* byte offset of its B1 record */
} csfs_mix_block_info;

typedef struct csfs_mix_levels {
    char *name; /* the mixing file */
    uint64_t size;
    const char *format; /* record marker description (static) */
    int marker_bytes, big_endian;
    csfs_mix_header header;
    csfs_mix_block_info *blocks; /* stored blocks, in file order */
    size_t n_blocks;
    csfs_mix_level *levels; /* file order: block by block, k = 1..nev */
    size_t n_levels;
    size_t *by_energy;         /* indices into levels[], ascending energy (stable) */
    const csfs_mix_list *list; /* the list it was checked against, or NULL (not owned) */
} csfs_mix_levels;

/*
 * Reads every block of an open reader (from its current position, skipping
 * coefficients). With a list, checks the header and every block against it
 * first. The list must outlive out (its J/parity fill blocks with NEV = 0).
 */
CSFS_API int csfs_mix_levels_collect(csfs_mix_reader *r, const csfs_mix_list *list,
                                     csfs_mix_levels *out, csfs_error *err);

/* csfs_mix_open + csfs_mix_levels_collect + close. */
CSFS_API int csfs_mix_levels_read(const char *path, const csfs_mix_list *list, csfs_mix_levels *out,
                                  csfs_error *err);

CSFS_API void csfs_mix_levels_free(csfs_mix_levels *lv);

/* Which stored block holds JBLOCK b, or NULL. */
CSFS_API const csfs_mix_block_info *csfs_mix_levels_block(const csfs_mix_levels *lv,
                                                          int32_t jblock);

/* J (2J) and parity (+1/-1, 0 unknown) of list block jblock: from the file
 * when it stores levels there, else from the list, else unknown (-1, 0). */
CSFS_API void csfs_mix_levels_jp(const csfs_mix_levels *lv, int32_t jblock, int32_t *two_j,
                                 int8_t *parity);

/* The listing as one JSON object (json != 0) or as rlevels-like text, in a
 * NUL-terminated string released with csfs_free. */
CSFS_API int csfs_mix_levels_format(const csfs_mix_levels *lv, int json, char **text,
                                    csfs_error *err);

/* ==== a whole mixing file in memory ======================================== */

/* One stored block with all its levels. Arrays are malloc'd; a caller may take
 * one over (set the pointer to NULL and release it with free()). */
typedef struct csfs_mix_file_block {
    int32_t jblock, ncf, nev, iatjpo, iaspar;
    int32_t two_j; /* -1 when the file does not give it (nev == 0) */
    char parity;   /* '+', '-', '?' */
    double eav;
    uint64_t offset;  /* byte offset of the block's B1 record */
    int32_t *ivec;    /* [nev] */
    double *eval;     /* [nev], as stored: relative to eav */
    double *energies; /* [nev]: eav + eval */
    double *coef;     /* [nev * ncf]: level k's coefficients at k * ncf */
} csfs_mix_file_block;

typedef struct csfs_mix_file {
    csfs_mix_header header;
    const char *format; /* static string */
    int marker_bytes, big_endian;
    uint64_t size;
    csfs_mix_file_block *blocks; /* stored blocks, file order */
    size_t n_blocks;
} csfs_mix_file;

/* Everything a mixing file stores (the whole coefficient matrices: memory is
 * the file's size). cancel may be NULL; it is polled between levels. */
CSFS_API int csfs_mix_file_read(const char *path, const volatile int *cancel, csfs_mix_file *out,
                                csfs_error *err);
CSFS_API void csfs_mix_file_free(csfs_mix_file *f);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_PUBLIC_MIXING_H */
