/*
 * The table-driven path of csfs_v2_parse for CSFs in canonical GRASP form
 * (the form csfs_v2_format writes, which is how GRASP and rCSFs print every
 * list): each field's bytes are looked up in small tables built once per
 * peel list, instead of being trimmed and parsed.
 *
 * It either returns the record the general parse would return (with
 * canonical = 1) or declines, and csfs_v2_parse then runs the general path
 * on the same lines: the fast path changes speed only, never a value, a
 * failure kind or a message.
 */
#ifndef CSFS_DESCRIPTOR_V2_FAST_H
#define CSFS_DESCRIPTOR_V2_FAST_H

#include <stddef.h>
#include <stdint.h>

#include "descriptor/v2.h"

/* Builds ctx->fast from the rest of ctx (capacity, display, j4, state_mask,
 * all set before). 0 or CSFS_E_NOMEM. */
int csfs_v2_fast_init(csfs_v2_ctx *ctx, csfs_error *err);
void csfs_v2_fast_free(csfs_v2_ctx *ctx);

/*
 * Parses one canonical, valid CSF (ASCII already known) into rec: returns 1
 * and fills rec exactly as csfs_v2_parse would (canonical = 1), or returns 0
 * (rec->nf = 0) when the CSF is not in canonical form or not valid, for the
 * general path to parse and explain. rec->cap must be >= the peel count.
 */
int csfs_v2_parse_fast(csfs_v2_ctx *ctx, const char *l1, size_t n1, const char *l2, size_t n2,
                       const char *l3, size_t n3, csfs_v2_record *rec);

#endif
