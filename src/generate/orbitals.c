/* The GRASP orbital numbering shared by the generator (see gen_types.h). */
#include "generate/gen_types.h"

static const char letters[] = "spdfghiklmn";

int gen_orb_index(int n, int l)
{
    if (n < 1 || n > GEN_NMAX || l < 0 || l > GEN_LMAX || l > n - 1) return -1;
    int idx = 0;
    for (int m = 1; m < n; m++) idx += m < GEN_LMAX + 1 ? m : GEN_LMAX + 1;
    return idx + l;
}

int gen_orb_n(int orb)
{
    for (int n = 1; n <= GEN_NMAX; n++) {
        int w = n < GEN_LMAX + 1 ? n : GEN_LMAX + 1;
        if (orb < w) return n;
        orb -= w;
    }
    return -1;
}

int gen_orb_l(int orb)
{
    int n = gen_orb_n(orb);
    return orb - gen_orb_index(n, 0);
}

char gen_l_letter(int l)
{
    return l >= 0 && l <= GEN_LMAX ? letters[l] : '?';
}

int gen_letter_l(char c)
{
    for (int l = 0; l <= GEN_LMAX; l++)
        if (letters[l] == c) return l;
    return -1;
}
