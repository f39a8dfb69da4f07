/*
 * Counts past 2^31 and 2^32 without writing that many rows: the engine's
 * page geometry (row -> page -> row group) checked at rows near 2^31, 2^32
 * and 2^40 against its definition, and the messages naming a failed CSF for
 * a chunk that starts beyond 2^32 rows and lines, through the real scanner,
 * V1 engine notes and the location formatter the descriptor job uses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grasp/csf_text.h"
#include "descriptor/v1.h"
#include "engine/page_geometry.h"
#include "grasp/peel.h"
#include "engine/pipeline.h"
#include "testutil.h"

#define TWO31 ((uint64_t)1 << 31)
#define TWO32 ((uint64_t)1 << 32)
#define TWO40 ((uint64_t)1 << 40)

/* Every page of the geometry around `row`: pages tile the rows without gap
 * or overlap, never cross a row group, and page_of_row inverts them. */
static void check_around(const csfs_page_geometry *g, uint64_t row)
{
    uint64_t p = csfs_page_of_row(g, row);
    uint64_t start = csfs_page_start(g, p), end = csfs_page_natural_end(g, p);
    CHECK(start <= row && row < end);
    CHECK(end - start <= g->page_rows);
    /* The same row group: [start, end) lies in one group_rows-aligned range. */
    CHECK(start / g->group_rows == (end - 1) / g->group_rows);
    /* Neighbours are contiguous. */
    if (p > 0) CHECK_EQ_INT(csfs_page_natural_end(g, p - 1), start);
    CHECK_EQ_INT(csfs_page_start(g, p + 1), end);
    /* Group boundaries: a page starts a group exactly when its first row does. */
    CHECK_EQ_INT(csfs_page_starts_group(g, p), start % g->group_rows == 0);
    CHECK_EQ_INT(csfs_page_of_row(g, start), p);
    CHECK_EQ_INT(csfs_page_of_row(g, end - 1), p);
    /* Closed form: pages before this group, then pages into it. */
    uint64_t grp = row / g->group_rows;
    CHECK_EQ_INT(p, grp * g->pages_per_group + (row % g->group_rows) / g->page_rows);
}

static void test_geometry(void)
{
    /* Page sizes the sinks use (1024..65536 rows), default and odd group sizes,
     * and a group larger than 2^31 rows. */
    static const uint64_t sizes[][2] = {
        {65536, 1u << 20}, {1024, 1u << 20}, {65536, 333}, {4096, 700},
        {65536, 100000},   {1, 1},           {3, 7},       {65536, TWO31 + 1},
    };
    static const uint64_t marks[] = {TWO31, TWO32, TWO40, (uint64_t)1 << 50};
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        csfs_page_geometry g = csfs_page_geometry_make(sizes[s][0], sizes[s][1]);
        CHECK(g.page_rows >= 1 && g.page_rows <= g.group_rows);
        CHECK(g.pages_per_group * g.page_rows >= g.group_rows);
        CHECK((g.pages_per_group - 1) * g.page_rows < g.group_rows);
        for (size_t m = 0; m < sizeof marks / sizeof *marks; m++)
            for (int64_t d = -3; d <= 3; d++) check_around(&g, marks[m] + (uint64_t)d);
        for (uint64_t row = 0; row < 5000; row += 7) check_around(&g, row);
    }
    /* Known values: default 1 Mi-row groups of 16 pages of 65536 rows. */
    csfs_page_geometry g = csfs_page_geometry_make(65536, 1u << 20);
    CHECK_EQ_INT(g.pages_per_group, 16);
    CHECK_EQ_INT(csfs_page_of_row(&g, TWO31), 32768);
    CHECK_EQ_INT(csfs_page_of_row(&g, TWO32 - 1), 65535);
    CHECK_EQ_INT(csfs_page_of_row(&g, TWO32), 65536);
    CHECK_EQ_INT(csfs_page_start(&g, 65536), TWO32);
    CHECK_EQ_INT(csfs_page_of_row(&g, TWO40 + 65536), (TWO40 >> 16) + 1);
    /* 333-row groups with 65536-row pages: one 333-row page per group. */
    g = csfs_page_geometry_make(65536, 333);
    CHECK_EQ_INT(g.page_rows, 333);
    CHECK_EQ_INT(csfs_page_of_row(&g, TWO32), TWO32 / 333);
    CHECK_EQ_INT(csfs_page_start(&g, TWO32 / 333), TWO32 / 333 * 333);
    /* A short last page per group: 100000 = 65536 + 34464. */
    g = csfs_page_geometry_make(65536, 100000);
    CHECK_EQ_INT(g.pages_per_group, 2);
    uint64_t p = csfs_page_of_row(&g, 21475 * (uint64_t)100000 + 70000); /* past 2^31 */
    CHECK_EQ_INT(p, 2 * 21475 + 1);
    CHECK_EQ_INT(csfs_page_natural_end(&g, p) - csfs_page_start(&g, p), 34464);
    /* Ring slots of pages past 2^32 wrap like small ones. */
    CHECK_EQ_INT(csfs_page_slot(TWO32 + 5, 7), (TWO32 + 5) % 7);
    CHECK_EQ_INT(csfs_page_slot(TWO40, 5), TWO40 % 5);
}

static void test_where(void)
{
    char at[256];
    uint64_t line;
    csfs_pipe_chunk c;
    memset(&c, 0, sizeof c);
    c.row_start = TWO32 + 5;
    c.line_base = 3 * TWO32 + 7;
    csfs_pipe_where(&c, "big.c", 2, 6, at, sizeof at, &line);
    CHECK_EQ_INT(line, 3 * TWO32 + 14);
    CHECK_CONTAINS(at, "big.c:12884901902: CSF 4294967303");
    /* A chunk-relative line near 2^32 on top of a base beyond it. */
    csfs_pipe_where(&c, "big.c", 0, UINT32_MAX, at, sizeof at, &line);
    CHECK_EQ_INT(line, 4 * TWO32 + 7);
    CHECK_CONTAINS(at, "big.c:17179869191: CSF 4294967301");
    /* CSF Parquet rows have no lines. */
    c.line_base = CSFS_NO_LINES;
    c.row_start = TWO40;
    csfs_pipe_where(&c, "rows.parquet", 3, 9, at, sizeof at, &line);
    CHECK_EQ_INT(line, 0);
    CHECK_CONTAINS(at, "rows.parquet: CSF 1099511627779 (row 1099511627779)");
}

/*
 * A real chunk parsed by the V1 engine, placed as if 2^31 - 2 CSFs and
 * 2^32 - 4 lines came before it: the failures it notes must be named with
 * CSF indices across 2^31 and lines across 2^32.
 */
static void test_failures_past_2_32(void)
{
    const char *text = "  2s ( 2)  2p ( 2)\n" /* CSF +0, line +1: fine */
                       "                 0\n"
                       "                  0+\n"
                       "  2s ( 2)  2p-( 2)\n" /* CSF +1, line +4: bad J */
                       "\n"
                       "                  x+\n"
                       " *\n"                          /* line +7 */
                       "  2s ( 1)  2p ( 1)  3p ( 1)\n" /* CSF +2, line +8: non-ASCII */
                       "       1/2      3/2 \xC3\xA9\n"
                       "                       1       1-\n"
                       "  2s ( 2)  2p ( 2)\n" /* CSF +3, line +11: fine */
                       "                 0\n"
                       "                  0+\n";
    csfs_chunk_scan scan;
    memset(&scan, 0, sizeof scan);
    csfs_error err;
    CHECK_EQ_INT(csfs_scan_chunk(text, strlen(text), 1, &scan, &err), 0);
    CHECK_EQ_INT(scan.n_rec, 4);
    CHECK_EQ_INT(scan.n_sep, 1);
    CHECK_EQ_INT(scan.lines, 13);

    csfs_peel *peel;
    CHECK_EQ_INT(csfs_peel_parse("2s,2p-,2p,3p", &peel, &err), 0);
    csfs_desc_ctx ctx;
    CHECK_EQ_INT(csfs_desc_ctx_init(&ctx, peel, CSFS_LAYOUT_V1, 0, &err), 0);
    size_t width = csfs_desc_width(&ctx);
    uint32_t *cols = calloc(width * scan.n_rec, sizeof *cols);
    csfs_desc_notes notes;
    csfs_desc_notes_clear(&notes);
    csfs_desc_parse_records(&ctx, text, &scan, 0, scan.n_rec, cols, scan.n_rec, NULL, &notes);
    CHECK_EQ_INT(notes.failed, 2);
    CHECK_EQ_INT(notes.n_failures, 2);

    csfs_pipe_chunk c;
    memset(&c, 0, sizeof c);
    c.data = text;
    c.scan = &scan;
    c.row_start = TWO31 - 2;
    c.line_base = TWO32 - 4; /* lines before the chunk, header included */
    char at[256];
    uint64_t line;
    csfs_pipe_where(&c, "huge.c", notes.failures[0].record, notes.failures[0].line, at, sizeof at,
                    &line);
    CHECK_EQ_INT(notes.failures[0].status, CSFS_CSF_BAD_FINAL_J);
    CHECK_EQ_INT(line, TWO32); /* 1-based line 4 of the chunk */
    CHECK_CONTAINS(at, "huge.c:4294967296: CSF 2147483647");
    csfs_pipe_where(&c, "huge.c", notes.failures[1].record, notes.failures[1].line, at, sizeof at,
                    &line);
    CHECK_EQ_INT(notes.failures[1].status, CSFS_CSF_NON_ASCII);
    CHECK_EQ_INT(line, TWO32 + 4);
    CHECK_CONTAINS(at, "huge.c:4294967300: CSF 2147483648");
    /* The good CSF after them is untouched by the failures. */
    CHECK_EQ_INT(cols[0 * scan.n_rec + 3], 2);
    CHECK_EQ_INT(cols[6 * scan.n_rec + 3], 2);

    free(cols);
    csfs_desc_ctx_free(&ctx);
    csfs_peel_free(peel);
    csfs_chunk_scan_free(&scan);
}

int main(void)
{
    test_geometry();
    test_where();
    test_failures_past_2_32();
    return tu_done();
}
