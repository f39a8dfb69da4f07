/*
 * GRASP subshell data the V2 layout validates against
 * (shared/spec/DESCRIPTORS-V2.md §3.4): which labels are subshells, their
 * capacity, and the j^N states rcsfgenerate can print.
 *
 * The tables are GRASP's JKVANT/SENIOR lists in GRASP's own order, kept as
 * data so they can be read against the spec line by line. A seniority of -1
 * means "printed without a v; label" (the J alone identifies the state),
 * which is not the same as seniority 0.
 */
#include <string.h>

#include "descriptor/v2.h"

#define NO_V (-1)

/* Each table in GRASP's order, as (2J, seniority) pairs. */
// clang-format off
static const csfs_v2_state j5_3[] = { /* j = 5/2, 3 electrons or holes */
    {5, NO_V}, {3, NO_V}, {9, NO_V}};
static const csfs_v2_state j7_3[] = { /* j = 7/2, 3 */
    {7, NO_V}, {3, NO_V}, {5, NO_V}, {9, NO_V}, {11, NO_V}, {15, NO_V}};
static const csfs_v2_state j7_4[] = { /* j = 7/2, 4 */
    {0, NO_V}, {4, 2}, {8, 2}, {12, NO_V}, {4, 4}, {8, 4}, {10, NO_V}, {16, NO_V}};
static const csfs_v2_state j9_3[] = { /* j = 9/2, 3 */
    {9, 1}, {3, NO_V}, {5, NO_V}, {7, NO_V}, {9, 3},
    {11, NO_V}, {13, NO_V}, {15, NO_V}, {17, NO_V}, {21, NO_V}};
static const csfs_v2_state j9_4[] = { /* j = 9/2, 4 */
    {0, 0}, {4, 2}, {8, 2}, {12, 2}, {16, 2}, {0, 4}, {4, 4}, {6, NO_V},
    {8, 4}, {10, NO_V}, {12, 4}, {14, NO_V}, {16, 4}, {18, NO_V}, {20, NO_V}, {24, NO_V}};
static const csfs_v2_state j9_5[] = { /* j = 9/2, 5 */
    {9, 1}, {3, NO_V}, {5, 3}, {7, 3}, {9, 3}, {11, 3}, {13, 3}, {15, 3}, {17, 3}, {21, NO_V},
    {1, NO_V}, {5, 5}, {7, 5}, {9, 5}, {11, 5}, {13, 5}, {15, 5}, {17, 5}, {19, NO_V}, {25, NO_V}};

#define TABLE(tj, p, a) {tj, p, sizeof a / sizeof a[0], a}

const csfs_v2_state_table csfs_v2_state_tables[6] = {
    TABLE(5, 3, j5_3), TABLE(7, 3, j7_3), TABLE(7, 4, j7_4),
    TABLE(9, 3, j9_3), TABLE(9, 4, j9_4), TABLE(9, 5, j9_5),
};
// clang-format on

int csfs_v2_state_table_index(int sub_two_j, int pop)
{
    switch (sub_two_j) {
    case 5:
        return pop == 3 ? 0 : -1;
    case 7:
        return pop == 3 ? 1 : pop == 4 ? 2 : -1;
    case 9:
        return pop >= 3 && pop <= 5 ? 3 + (pop - 3) : -1;
    default:
        return -1;
    }
}

int csfs_v2_subshell_states(int sub_two_j, int electrons, csfs_v2_state *out, size_t cap, size_t *n)
{
    *n = 0;
    int capacity = sub_two_j + 1;
    if (sub_two_j < 0 || electrons < 0 || electrons > capacity) return -1;
    int holes = capacity - electrons;
    int pop = electrons < holes ? electrons : holes;
    size_t k = 0;
#define PUT(tj, v)                                                                                 \
    do {                                                                                           \
        if (k < cap) out[k] = (csfs_v2_state){(int16_t)(tj), (int8_t)(v)};                         \
        k++;                                                                                       \
    } while (0)
    if (pop == 0) {
        PUT(0, NO_V);
    } else if (pop == 1) {
        PUT(sub_two_j, NO_V);
    } else if (pop == 2) {
        /* Two equivalent j electrons couple to even J = 0, 2, ..., 2j - 1. */
        for (int tj = 0; tj <= 2 * (sub_two_j - 1); tj += 4) PUT(tj, NO_V);
    } else {
        int t = csfs_v2_state_table_index(sub_two_j, pop);
        if (t < 0) return -1;
        const csfs_v2_state_table *tab = &csfs_v2_state_tables[t];
        for (size_t i = 0; i < tab->count; i++) PUT(tab->states[i].two_j, tab->states[i].seniority);
    }
#undef PUT
    *n = k;
    return 0;
}

/* Orbital letters by l, as GRASP and rCSFs spell them (no 'j'). */
static const char letters[] = "spdfghiklmn";

int csfs_v2_subshell_capacity(const char *label, size_t len)
{
    /* Subshell::from_str: one optional trailing '-' means j = l - 1/2. */
    int minus = len > 0 && label[len - 1] == '-';
    size_t olen = len - (size_t)minus;
    if (olen < 2 || olen > 8) return 0;
    for (size_t i = 0; i < olen; i++)
        if ((unsigned char)label[i] >= 0x80) return 0;
    const char *at = memchr(letters, label[olen - 1], sizeof letters - 1);
    if (!at || label[olen - 1] == '\0') return 0;
    int l = (int)(at - letters);
    if (minus && l == 0) return 0; /* s- does not exist */
    /* The principal quantum number must be written canonically (1..15, no
     * sign or leading zero): rCSFs re-prints the label and compares. */
    size_t nd = olen - 1;
    if (nd > 2 || label[0] < '1' || label[0] > '9') return 0;
    int n = label[0] - '0';
    if (nd == 2) {
        if (label[1] < '0' || label[1] > '9') return 0;
        n = n * 10 + (label[1] - '0');
    }
    if (n > 15 || l >= n) return 0;
    return minus ? 2 * l : 2 * l + 2;
}
