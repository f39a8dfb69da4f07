/*
 * Descriptors parsed while the chunk is scanned (the engine's fused
 * scan + parse, engine/pipeline.h scan_record): each record is parsed as the
 * scanner completes it, while its bytes are still in L1, into a per-chunk
 * form; the segment (PARSE) task then only stores from that form into the
 * page columns, in the same order and with the same notes as parsing there.
 *
 *   v1 (raw and normalised): per record its status and the occupied
 *       (k, n, 2J, coupling) triples in the order csfs_desc_parse leaves
 *       them (ctx->touched), loaded back into a csfs_desc_ctx for
 *       csfs_desc_store;
 *   V2: the made-record form (descriptor/v2.h csfs_v2_made) that
 *       csfs_v2_store_made stores, plus each record's failure or canonical
 *       flag.
 *
 * A form belongs to one engine chunk slot and is reused from chunk to chunk
 * (its arrays only grow): nothing is allocated per CSF.
 */
#ifndef CSFS_DESCRIPTOR_PARSED_H
#define CSFS_DESCRIPTOR_PARSED_H

#include <stddef.h>
#include <stdint.h>

#include "descriptor/v1.h"
#include "descriptor/v2.h"
#include "grasp/csf_text.h"

typedef struct csfs_desc_occ {
    uint32_t k; /* peel index */
    int32_t n, mid, cpl;
} csfs_desc_occ;

typedef struct csfs_desc_prec {
    uint32_t first_occ; /* its triples: occ[first_occ .. + n_occ) */
    uint32_t n_occ;
    uint32_t unknown_fields, first_unknown_field;
    int status; /* csfs_csf_status of csfs_desc_parse */
} csfs_desc_prec;

/* A V2 failure, in record order. */
typedef struct csfs_v2_parsed_fail {
    size_t record;
    int kind;
    char reason[160];
} csfs_v2_parsed_fail;

typedef struct csfs_parsed_chunk {
    int v2;
    size_t n; /* records parsed */
    /* v1 */
    csfs_desc_ctx *ctx; /* the scanning worker's (set per chunk) */
    csfs_desc_prec *rec;
    size_t cap_rec;
    csfs_desc_occ *occ;
    size_t n_occ, cap_occ;
    /* V2 */
    csfs_v2_ctx *v2ctx; /* the scanning worker's (set per chunk) */
    size_t n_peel;
    csfs_v2_sub *sub;
    size_t n_sub, cap_sub;
    uint32_t *first; /* n + 1 entries */
    int32_t *total_two_j;
    int8_t *parity;
    uint8_t *fail;      /* csfs_v2_fail kind, 0 = valid */
    uint8_t *canonical; /* valid records: csfs_v2_record.canonical */
    size_t cap_v2, cap_first;
    csfs_v2_parsed_fail *fails;
    size_t n_fails, cap_fails;
} csfs_parsed_chunk;

/* A new empty form (NULL when out of memory); v2: for the V2 layout. */
csfs_parsed_chunk *csfs_parsed_new(int v2);
void csfs_parsed_free(csfs_parsed_chunk *p);

/* Readies p for the next chunk, parsed with a worker's context. */
void csfs_parsed_begin_v1(csfs_parsed_chunk *p, csfs_desc_ctx *ctx);
void csfs_parsed_begin_v2(csfs_parsed_chunk *p, csfs_v2_ctx *ctx, size_t n_peel);

/* csfs_chunk_scan.on_record callbacks (arg: the csfs_parsed_chunk). */
int csfs_parsed_v1_record(void *arg, const char *data, const csfs_record *rec, size_t index,
                          int ascii, csfs_error *err);
int csfs_parsed_v2_record(void *arg, const char *data, const csfs_record *rec, size_t index,
                          int ascii, csfs_error *err);

/* Record i's parse result loaded into ctx as csfs_desc_parse leaves it
 * (touched triples, unknown fields); returns its status. */
csfs_csf_status csfs_parsed_v1_load(const csfs_parsed_chunk *p, size_t i, csfs_desc_ctx *ctx);

/* The V2 records as made records (failed ones hold no subshell). */
csfs_v2_made csfs_parsed_v2_made(const csfs_parsed_chunk *p);

/* Index of the first failure at or after record `first`. */
size_t csfs_parsed_v2_fail_at(const csfs_parsed_chunk *p, size_t first);

#endif
