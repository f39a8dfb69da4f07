/*
 * GRASP2018 mixing-coefficient files (.m from rmcdhf, .cm from rci): a
 * streaming reader, and the check of a file against its CSF list.
 * Layout: shared/spec/GRASP-MIXING.md.
 *
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
#ifndef CSFS_MIXING_H
#define CSFS_MIXING_H

#include <stddef.h>
#include <stdint.h>

#include "csfs.h"

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
int csfs_mix_open(const char *path, csfs_mix_reader **out, csfs_error *err);

/* The same over memory that must outlive the reader; name is for messages. */
int csfs_mix_open_memory(const void *data, size_t size, const char *name, csfs_mix_reader **out,
                         csfs_error *err);

void csfs_mix_close(csfs_mix_reader *r);

const csfs_mix_header *csfs_mix_get_header(const csfs_mix_reader *r);
const char *csfs_mix_name(const csfs_mix_reader *r);
uint64_t csfs_mix_file_size(const csfs_mix_reader *r);
int csfs_mix_marker_bytes(const csfs_mix_reader *r); /* 4 or 8 */
int csfs_mix_big_endian(const csfs_mix_reader *r);
/* "4-byte little-endian record markers" etc. */
const char *csfs_mix_format(const csfs_mix_reader *r);

/*
 * Advances to the next stored block, skipping coefficients of the current
 * one that were not read. Returns 1 with *out set, 0 at the end of the file
 * (after checking the header's NVECTOT and NVECSIZ against what was read, so
 * a file cut at a block boundary is still an error), or a CSFS_E_* code.
 */
int csfs_mix_next_block(csfs_mix_reader *r, const csfs_mix_block **out, csfs_error *err);

/* Reads the coefficients of the current block's next level (k = levels_read)
 * into dst[0..ncf): dst[i] is the coefficient of the block's CSF i+1. */
int csfs_mix_read_level(csfs_mix_reader *r, double *dst, csfs_error *err);

/* 2J of a block, or -1 when the file does not give it (nev == 0). */
int32_t csfs_mix_block_two_j(const csfs_mix_block *b);
/* '+', '-', or '?' when unknown. */
char csfs_mix_block_parity(const csfs_mix_block *b);

/* "1/2", "3", ...: 2J as GRASP prints J (buf of at least 16 bytes). */
const char *csfs_format_j(int32_t two_j, char *buf, size_t cap);

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
int csfs_mix_list_read(const char *path, csfs_mix_list *out, csfs_error *err);

/* A list from block lengths; two_j / parity may be NULL (unknown). */
int csfs_mix_list_from_lengths(const uint64_t *lengths, size_t n_blocks, const int32_t *two_j,
                               const int8_t *parity, const char *name, csfs_mix_list *out,
                               csfs_error *err);

void csfs_mix_list_free(csfs_mix_list *l);

/* NCFTOT and NBLOCK of the header against the list. */
int csfs_mix_check_header(const csfs_mix_reader *r, const csfs_mix_list *l, csfs_error *err);

/* NCF, and J/parity (when the block stores levels and the list knows them),
 * of a stored block against block JBLOCK of the list. */
int csfs_mix_check_block(const csfs_mix_reader *r, const csfs_mix_block *b, const csfs_mix_list *l,
                         csfs_error *err);

#endif
