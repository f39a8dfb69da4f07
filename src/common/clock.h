/* Elapsed time for summaries and progress lines. */
#ifndef CSFS_CLOCK_H
#define CSFS_CLOCK_H

#include <time.h>

static inline double csfs_now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#endif
