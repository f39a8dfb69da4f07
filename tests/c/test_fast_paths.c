/*
 * The fast J parsers (csf_fields.h) against the general rCSFs parse they
 * stand in for: on every field they accept they must give the general
 * parse's value, and they must call blank exactly the all-blank fields.
 * Fields are the canonical GRASP forms plus millions of random 9-byte
 * strings over the characters that matter (blanks, digits, '/', signs,
 * ';', a letter), so a rule the fast path gets wrong shows up here and not
 * only as a different descriptor some day.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "descriptor/v1.h"
#include "grasp/csf_fields.h"
#include "testutil.h"

static int all_blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ') return 0;
    return 1;
}

/* What the general path makes of a field: 0 blank, 1 value, -1 no value. */
static int general(const char *f, size_t n, int32_t *v)
{
    if (all_blank(f, n)) return 0;
    return csfs_j_to_2j(f, n, v) == 0 ? 1 : -1;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t next_random(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static long checked, accepted;

static void check_field(const char f[9])
{
    int32_t fast_v = -12345, gen_v = -54321;
    int fast = csfs_j9_fast(f, &fast_v);
    int gen = general(f, 9, &gen_v);
    checked++;
    if (fast == 0) {
        CHECK_EQ_INT(gen, 0);
    } else if (fast == 1) {
        accepted++;
        CHECK_EQ_INT(gen, 1);
        CHECK_EQ_INT(fast_v, gen_v);
    } else {
        CHECK_EQ_INT(fast, -1);
        CHECK(gen != 0); /* a blank field is never left to the general path */
    }
    if (tu_failed) {
        fprintf(stderr, "field: [%.9s]\n", f);
        exit(tu_done()); /* the first disagreement is enough */
    }
}

int main(void)
{
    /* Every canonical form GRASP writes: integer and half-integer J, the
     * token ending in the last byte (line 2) or one before (line 3). */
    for (int j2 = 0; j2 <= 999; j2++) {
        char tok[16];
        if (j2 % 2 == 0)
            snprintf(tok, sizeof tok, "%d", j2 / 2);
        else
            snprintf(tok, sizeof tok, "%d/2", j2);
        for (int shift = 0; shift < 2; shift++) {
            char f[9];
            memset(f, ' ', 9);
            size_t n = strlen(tok), end = 9 - (size_t)shift;
            if (n > end) continue;
            memcpy(f + end - n, tok, n);
            int32_t v = -1;
            int r = csfs_j9_fast(f, &v);
            if (n <= 5 && end - n >= 1) {
                CHECK_EQ_INT(r, 1);
                CHECK_EQ_INT(v, j2);
            }
            check_field(f);
        }
    }
    /* Random fields over the interesting characters. */
    static const char alphabet[] = "         0123456789//--++;x";
    for (long i = 0; i < 3000000; i++) {
        char f[9];
        uint64_t r = next_random();
        int blanks = (int)(r % 9); /* mostly right-aligned: blanks first */
        r /= 9;
        for (int k = 0; k < 9; k++) {
            if (k < blanks) {
                f[k] = ' ';
                continue;
            }
            if (k % 6 == 0) r = next_random();
            f[k] = alphabet[r % (sizeof alphabet - 1)];
            r /= sizeof alphabet - 1;
        }
        check_field(f);
    }
    /* The token parser on its own, for the total J of line 3. */
    for (long i = 0; i < 1000000; i++) {
        char t[6];
        uint64_t r = next_random();
        size_t n = 1 + r % 5;
        r /= 5;
        for (size_t k = 0; k < n; k++) {
            t[k] = "0123456789/-+ x"[r % 15];
            r /= 15;
        }
        int32_t v = -7, g = -8;
        if (csfs_j_token_fast(t, n, &v) == 1) {
            CHECK(t[0] != ' ');
            CHECK_EQ_INT(csfs_j_to_2j(t, n, &g), 0);
            CHECK_EQ_INT(v, g);
        }
    }
    /* The non-ASCII scan: scalar and SSE2 versions agree with a byte loop on
     * buffers of every length with one high byte at every position. */
    static char buf[300];
    long scans = 0;
    for (size_t len = 0; len <= 260; len++) {
        for (long at = -1; at < (long)len; at++) {
            memset(buf, 'a', sizeof buf);
            if (at >= 0) buf[at] = (char)(0x80 | (at & 0x7f));
            buf[len] = (char)0xff; /* just past the end: must not be seen */
            int want = at >= 0;
            CHECK_EQ_INT(csfs_has_high_byte_scalar(buf, len), want);
#ifdef CSFS_HAVE_SSE2
            CHECK_EQ_INT(csfs_has_high_byte_sse2(buf, len), want);
#endif
            CHECK_EQ_INT(csfs_has_high_byte(buf, len), want);
            scans++;
        }
    }
#ifdef CSFS_HAVE_SSE2
    printf("non-ASCII scan: %ld buffers, scalar and SSE2 paths\n", scans);
#else
    printf("non-ASCII scan: %ld buffers, scalar path (no SSE2 in this build)\n", scans);
#endif
    printf("fast paths: %ld fields checked, %ld accepted by the fast path\n", checked, accepted);
    CHECK(accepted > 10000);
    return tu_done();
}
