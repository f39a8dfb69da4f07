/*
 * The levels of a mixing file: J, parity, energy of every stored level, in
 * file order and in energy order with the rlevels columns (position in the
 * block, energy above the lowest level and above the next lower one, cm^-1).
 * Collecting them reads B1-B3 of each block and skips the coefficients, so
 * it is cheap, and it validates the whole record structure of the file.
 */
#ifndef CSFS_MIX_LEVELS_H
#define CSFS_MIX_LEVELS_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "csfs.h"
#include "mixing/reader.h"

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
int csfs_mix_levels_collect(csfs_mix_reader *r, const csfs_mix_list *list, csfs_mix_levels *out,
                            csfs_error *err);

/* csfs_mix_open + csfs_mix_levels_collect + close. */
int csfs_mix_levels_read(const char *path, const csfs_mix_list *list, csfs_mix_levels *out,
                         csfs_error *err);

void csfs_mix_levels_free(csfs_mix_levels *lv);

/* Which stored block holds JBLOCK b, or NULL. */
const csfs_mix_block_info *csfs_mix_levels_block(const csfs_mix_levels *lv, int32_t jblock);

/* J (2J) and parity (+1/-1, 0 unknown) of list block jblock: from the file
 * when it stores levels there, else from the list, else unknown (-1, 0). */
void csfs_mix_levels_jp(const csfs_mix_levels *lv, int32_t jblock, int32_t *two_j, int8_t *parity);

/* Appends a double as JSON (null when not finite), shortest round-trip. */
int csfs_json_double(csfs_buf *b, double v, csfs_error *err);

/* The listing as one JSON object / as rlevels-like text. */
int csfs_mix_levels_json(const csfs_mix_levels *lv, csfs_buf *out, csfs_error *err);
int csfs_mix_levels_text(const csfs_mix_levels *lv, csfs_buf *out, csfs_error *err);

#endif
