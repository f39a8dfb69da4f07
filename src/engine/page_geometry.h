/*
 * Where rows go in the engine's output (engine/pipeline.h): row groups of
 * group_rows rows, each cut into pages of page_rows rows (the last page of a
 * group is short when page_rows does not divide group_rows). The boundaries
 * depend only on these two sizes, never on threads or chunks.
 *
 * Pure 64-bit arithmetic on row and page numbers, kept apart from the engine
 * so that tests can check it far beyond 2^32 rows without writing them.
 */
#ifndef CSFS_PAGE_GEOMETRY_H
#define CSFS_PAGE_GEOMETRY_H

#include <stddef.h>
#include <stdint.h>

typedef struct csfs_page_geometry {
    uint64_t page_rows;       /* rows of a full page (<= group_rows) */
    uint64_t group_rows;      /* rows of a full row group */
    uint64_t pages_per_group; /* ceil(group_rows / page_rows) */
} csfs_page_geometry;

/* Both sizes must be at least 1; a page never spans two row groups. */
static inline csfs_page_geometry csfs_page_geometry_make(uint64_t page_rows, uint64_t group_rows)
{
    csfs_page_geometry g;
    g.group_rows = group_rows;
    g.page_rows = page_rows < group_rows ? page_rows : group_rows;
    g.pages_per_group = group_rows / g.page_rows + (group_rows % g.page_rows != 0);
    return g;
}

/* First row of page p. */
static inline uint64_t csfs_page_start(const csfs_page_geometry *g, uint64_t p)
{
    uint64_t grp = p / g->pages_per_group, k = p % g->pages_per_group;
    return grp * g->group_rows + k * g->page_rows;
}

/* One past the last row page p holds when the file goes on after it. */
static inline uint64_t csfs_page_natural_end(const csfs_page_geometry *g, uint64_t p)
{
    uint64_t grp = p / g->pages_per_group;
    uint64_t end = csfs_page_start(g, p) + g->page_rows, group_end = (grp + 1) * g->group_rows;
    return end < group_end ? end : group_end;
}

/* The page that holds row `row`. */
static inline uint64_t csfs_page_of_row(const csfs_page_geometry *g, uint64_t row)
{
    uint64_t grp = row / g->group_rows;
    return grp * g->pages_per_group + (row - grp * g->group_rows) / g->page_rows;
}

/* 1 when page p is the first of its row group. */
static inline int csfs_page_starts_group(const csfs_page_geometry *g, uint64_t p)
{
    return p % g->pages_per_group == 0;
}

/* Ring slot of page p among `ring` slots. */
static inline size_t csfs_page_slot(uint64_t p, size_t ring)
{
    return (size_t)(p % ring);
}

#endif
