/*
 * csfs — GRASP2018 CSF lists to machine-learning descriptor matrices.
 *
 * Conventions of this API
 *   - Every function that can fail returns an int status: 0 on success, a
 *     negative CSFS_E_* code otherwise, and fills the csfs_error the caller
 *     passes in (which may be NULL) with a human message naming the file and,
 *     where one applies, the 1-based line.
 *   - The caller owns everything it passes in; the library never keeps a
 *     pointer to caller memory beyond the call. Objects the library creates
 *     (csfs_peel) are released with their *_free function.
 *   - No global mutable state: the thread count and every other setting are
 *     fields of the option structs. Functions are safe to call from several
 *     threads on different objects.
 */
#ifndef CSFS_H
#define CSFS_H

/* The whole public API, one header per topic under csfs/. */
#include "csfs/common.h"
#include "csfs/interact.h"
#include "csfs/convert.h"
#include "csfs/descriptors.h"
#include "csfs/engine_outputs.h"
#include "csfs/export.h"
#include "csfs/generate.h"
#include "csfs/info.h"
#include "csfs/list_tools.h"
#include "csfs/mixing.h"
#include "csfs/peel.h"
#include "csfs/select.h"
#include "csfs/split.h"
#include "csfs/stream.h"

#endif /* CSFS_H */
