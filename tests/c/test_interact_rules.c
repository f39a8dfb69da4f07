/* The interaction test of src/listtools (GRASP rcsfinteract's rules):
 * GRASP's quantum numbers from the text, selection rules on hand-made pairs
 * with known answers, and properties over every pair of a real list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "listtools/interact_rules.h"
#include "testutil.h"

static csfs_ia_orbs orbs;

static int parse(const char *l1, const char *l2, const char *l3, csfs_ia_csf *c)
{
    char why[160];
    int rc = csfs_ia_csf_parse(&orbs, l1, strlen(l1), l2, strlen(l2), l3, strlen(l3), c, why,
                               sizeof why);
    if (rc) fprintf(stderr, "parse: %s\n", why);
    return rc;
}

static void quantum_numbers(void)
{
    const char core[] = "  1s   2s   2p-  2p   3s   3p-  3p   3d-  3d   4s   4p-  4p";
    const char peel[] = "  4d-  4d   4f-  4f   5s   5p-  5p   5d-  5d   6s";
    char why[160];
    CHECK(csfs_ia_orbs_init(&orbs, core, strlen(core), peel, strlen(peel), why, sizeof why) == 0);
    CHECK_EQ_INT(orbs.nw, 22);
    CHECK_EQ_INT(orbs.ncore, 12);
    CHECK_EQ_INT(orbs.kappa[12], 2);  /* 4d- */
    CHECK_EQ_INT(orbs.kappa[15], -4); /* 4f */
    csfs_ia_csf a, b;
    CHECK(csfs_ia_csf_alloc(&a, orbs.nw) == 0 && csfs_ia_csf_alloc(&b, orbs.nw) == 0);
    /* nd_4f4_6s2_seniority.c: f7/2^4 J = 2 with seniority 2 and 4 */
    const char *l1 = "  4d-( 4)  4d ( 6)  4f ( 4)  5s ( 2)  5p-( 2)  5p ( 4)  5d ( 1)  6s ( 1)";
    const char *l3 = "                                                               1/2      0+";
    CHECK(parse(l1, "                     2;   2                                 5/2      1/2", l3,
                &a) == 0);
    CHECK(parse(l1, "                     4;   2                                 5/2      1/2", l3,
                &b) == 0);
    CHECK_EQ_INT(a.q[15], 4);
    CHECK_EQ_INT(a.v[15], 2);
    CHECK_EQ_INT(b.v[15], 4);
    CHECK_EQ_INT(a.jq3[15], 5); /* 2J + 1 */
    CHECK_EQ_INT(a.jq3[20], 6); /* 5d 5/2 */
    CHECK_EQ_INT(a.jcup[0], 2); /* 2 x 5/2 -> 1/2 */
    CHECK_EQ_INT(a.jcup[1], 1); /* 1/2 x 1/2 -> 0 */
    CHECK_EQ_INT(a.itjpo, 1);
    CHECK_EQ_INT(a.parity, 1);
    CHECK_EQ_INT(a.q[0], 2); /* core full */
    CHECK_EQ_INT(a.q[3], 4);
    /* malformed: a final J the couplings cannot give, parity, unknown subshell */
    CHECK(parse(l1, "                     2;   2                                 5/2      1/2",
                "                                                               1/2      3+",
                &a) != 0);
    CHECK(parse(l1, "                     2;   2                                 5/2      1/2",
                "                                                               1/2      0-",
                &a) != 0);
    CHECK(parse("  7s ( 1)", "      1/2", "      1/2+", &a) != 0);
    csfs_ia_csf_free(&a);
    csfs_ia_csf_free(&b);
    csfs_ia_orbs_free(&orbs);
}

static void known_pairs(void)
{
    const char core[] = "  1s";
    const char peel[] = "  2s   2p-  2p   3s   3p-  3p   3d-  3d";
    char why[160];
    CHECK(csfs_ia_orbs_init(&orbs, core, strlen(core), peel, strlen(peel), why, sizeof why) == 0);
    csfs_ia_pair *p = csfs_ia_pair_new(&orbs);
    csfs_ia_csf a, b;
    CHECK(p && csfs_ia_csf_alloc(&a, orbs.nw) == 0 && csfs_ia_csf_alloc(&b, orbs.nw) == 0);
    csfs_ia_why w;
    /* 2s2 2p-2 J=0 and 2s2 2p2 J=0: p-^2 -> p^2, Coulomb k = 2 (and 0) */
    parse("  2s ( 2)  2p-( 2)", "", "                  0+", &a);
    parse("  2s ( 2)  2p ( 2)", "                 0", "                  0+", &b);
    CHECK_EQ_INT(csfs_ia_interact(p, &a, &b, CSFS_IA_DC, &w), 1);
    CHECK(strcmp(w.rule, "EL2") == 0);
    CHECK_EQ_INT(csfs_ia_interact(p, &a, &b, CSFS_IA_DCB, NULL), 1);
    /* 2s2 -> 3s2 (s^2 -> s'^2, k = 0) */
    parse("  2s ( 2)  2p ( 2)", "                 0", "                  0+", &a);
    parse("  2p ( 2)  3s ( 2)", "        0", "                  0+", &b);
    CHECK_EQ_INT(csfs_ia_interact(p, &a, &b, CSFS_IA_DC, &w), 1);
    /* 2s 2p J=1 odd vs 2s2 J=0 even: parity and J differ */
    parse("  2s ( 1)  2p ( 1)  3s ( 2)", "      1/2      3/2", "                    1-", &b);
    CHECK_EQ_INT(csfs_ia_interact(p, &a, &b, CSFS_IA_DC, NULL), 0);
    CHECK_EQ_INT(csfs_ia_interact(p, &a, &b, CSFS_IA_DCB, NULL), 0);
    /* three electrons move (2p2 -> 3p2, 2s -> 3s): within GRASP's ICHKQ2
     * bound (four subshells, two electrons each at most) but never */
    parse("  2s ( 1)  3s ( 1)  3p ( 2)", "      1/2      1/2        0", "                    0+",
          &b);
    CHECK_EQ_INT(csfs_ia_may_interact(&orbs, &a, &b), 1);
    CHECK_EQ_INT(csfs_ia_interact(p, &a, &b, CSFS_IA_DC, NULL), 0);
    CHECK_EQ_INT(csfs_ia_interact(p, &a, &b, CSFS_IA_DCB, NULL), 0);
    /* one-body: 2s2 2p2 vs 2s 3s 2p2 (same kappa, spectators unchanged) */
    parse("  2s ( 1)  2p ( 2)  3s ( 1)", "      1/2        0      1/2",
          "                           0+", &b);
    CHECK_EQ_INT(csfs_ia_interact(p, &a, &b, CSFS_IA_DC, &w), 1);
    CHECK(strcmp(w.rule, "one-body") == 0);
    csfs_ia_csf_free(&a);
    csfs_ia_csf_free(&b);
    csfs_ia_pair_free(p);
    csfs_ia_orbs_free(&orbs);
}

/* Every ordered pair of examples/c_like_n3_2x.c (505 CSFs): dc implies dcb,
 * no interaction across J or parity or beyond two moved electrons. */
static void all_pairs(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/examples/c_like_n3_2x.c", CSFS_SOURCE_DIR);
    size_t len;
    char *text = tu_read_file(path, &len);
    CHECK(text != NULL);
    if (!text) return;
    char *lines[4096];
    size_t n = 0;
    for (char *s = text; s && *s && n < 4096;) {
        char *e = strchr(s, '\n');
        lines[n++] = s;
        if (e) *e = '\0';
        s = e ? e + 1 : NULL;
    }
    char why[160];
    CHECK(csfs_ia_orbs_init(&orbs, lines[1], strlen(lines[1]), lines[3], strlen(lines[3]), why,
                            sizeof why) == 0);
    csfs_ia_csf *c = calloc(n, sizeof *c);
    size_t nc = 0;
    for (size_t i = 5; i + 2 < n;) {
        if (!strchr(lines[i], '(')) { /* a block separator */
            i++;
            continue;
        }
        csfs_ia_csf_alloc(&c[nc], orbs.nw);
        if (parse(lines[i], lines[i + 1], lines[i + 2], &c[nc]) == 0) nc++;
        i += 3;
    }
    CHECK(nc == 505);
    csfs_ia_pair *p = csfs_ia_pair_new(&orbs);
    long dc = 0, dcb = 0, bad = 0;
    for (size_t x = 0; x < nc; x++)
        for (size_t y = 0; y < nc; y++) {
            if (x == y) continue;
            int a = csfs_ia_interact(p, &c[x], &c[y], CSFS_IA_DC, NULL);
            int b = csfs_ia_interact(p, &c[x], &c[y], CSFS_IA_DCB, NULL);
            dc += a;
            dcb += b;
            if (a && !b) bad++;
            if ((a || b) && (c[x].itjpo != c[y].itjpo || c[x].parity != c[y].parity)) bad++;
            int moved = 0;
            for (int s = 0; s < orbs.nw; s++)
                if (c[x].q[s] > c[y].q[s]) moved += c[x].q[s] - c[y].q[s];
            if ((a || b) && moved > 2) bad++;
        }
    CHECK_EQ_INT(bad, 0);
    CHECK(dc > 1000 && dcb >= dc);
    fprintf(stderr, "all_pairs: %zu CSFs, %ld dc and %ld dcb interacting ordered pairs\n", nc, dc,
            dcb);
    for (size_t i = 0; i < nc; i++) csfs_ia_csf_free(&c[i]);
    free(c);
    free(text);
    csfs_ia_pair_free(p);
    csfs_ia_orbs_free(&orbs);
}

int main(void)
{
    quantum_numbers();
    known_pairs();
    all_pairs();
    return tu_done();
}
