/*
 * Encode tasks take a bundle of consecutive lanes of one page. Encoding one
 * Parquet column of a page takes ~10-40 us, about what taking a task costs
 * on a busy engine (two trips through its lock, each pulling the lock's and
 * queue's cache lines from the other core, and the per-task CPU clock, a
 * system call): 171 lanes a page made that a fifth of the encode stage.
 * Bundles of about eight lanes cut it eightfold, while at least two bundles
 * per worker keep a page's encoding spread over every worker.
 *
 * Output bytes do not depend on bundles: each lane still encodes its pages
 * in order, one at a time, into its own column chunk.
 */
#ifndef CSFS_LANE_BUNDLES_H
#define CSFS_LANE_BUNDLES_H

#include <stddef.h>

enum { CSFS_LANES_PER_BUNDLE = 8 };

/* Bundles for `lanes` lanes and `workers` workers: 1 .. lanes. */
static inline size_t csfs_lane_bundles(size_t lanes, size_t workers)
{
    if (lanes <= 1) return 1;
    size_t n = (lanes + CSFS_LANES_PER_BUNDLE - 1) / CSFS_LANES_PER_BUNDLE;
    if (n < 2 * workers) n = 2 * workers;
    return n < lanes ? n : lanes;
}

/* First lane of bundle b (b == bundles: lanes); sizes differ by at most one. */
static inline size_t csfs_bundle_first_lane(size_t lanes, size_t bundles, size_t b)
{
    return (size_t)((unsigned long long)b * lanes / bundles);
}

#endif
