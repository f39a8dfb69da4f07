/* Internals of the level listing (the public part is in csfs/mixing.h). */
#ifndef CSFS_MIX_LEVELS_H
#define CSFS_MIX_LEVELS_H

#include "common/buf.h"
#include "csfs.h"
#include "csfs/mixing.h"

/* Appends a double as JSON (null when not finite), shortest round-trip. */
int csfs_json_double(csfs_buf *b, double v, csfs_error *err);

/* The listing as one JSON object / as rlevels-like text. */
int csfs_mix_levels_json(const csfs_mix_levels *lv, csfs_buf *out, csfs_error *err);
int csfs_mix_levels_text(const csfs_mix_levels *lv, csfs_buf *out, csfs_error *err);

#endif
