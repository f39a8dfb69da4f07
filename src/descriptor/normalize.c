#include "descriptor/normalize.h"

#include <ctype.h>
#include <string.h>

int32_t csfs_subshell_capacity(const char *name)
{
    /* The angular part starts at the first letter: "4d-" -> "d-". */
    while (*name && !isalpha((unsigned char)*name)) name++;
    static const char letters[] = "spdfghi";
    const char *at = *name ? strchr(letters, *name) : NULL;
    if (!at) return 0;
    int32_t l = (int32_t)(at - letters);
    if (name[1] == '\0') return 2 * l + 2;                        /* j = l + 1/2 */
    if (name[1] == '-' && name[2] == '\0' && l > 0) return 2 * l; /* j = l - 1/2 */
    return 0;
}

/* Peel indices of the CSF in ascending order (field order is almost always
 * ascending already, so insertion sort is linear in practice). */
static void sort_touched(uint32_t *t, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t v = t[i];
        size_t j = i;
        while (j > 0 && t[j - 1] > v) {
            t[j] = t[j - 1];
            j--;
        }
        t[j] = v;
    }
}

csfs_csf_status csfs_normalize_store(csfs_desc_ctx *ctx, float *dst, size_t col_stride)
{
    if (ctx->no_capacity_name) return CSFS_CSF_NO_CAPACITY;
    sort_touched(ctx->touched, ctx->n_touched);
    const int32_t *d = ctx->row;
    /* Target: coupling of the last occupied subshell in peel order. */
    int32_t target = 0;
    for (size_t t = ctx->n_touched; t-- > 0;) {
        size_t k = ctx->touched[t];
        if (d[3 * k] > 0) {
            target = d[3 * k + 2];
            break;
        }
    }
    if (target < 0) return CSFS_CSF_NEG_TARGET;
    /* u_i = n_i (g_i - n_i) is 0 for every untouched subshell, so the
     * prefix/suffix sums only need the touched ones. int32 arithmetic wraps
     * as in rCSFs' release build. */
    uint32_t total = 0;
    for (size_t t = 0; t < ctx->n_touched; t++) {
        size_t k = ctx->touched[t];
        int32_t n = d[3 * k], g = ctx->capacity[k];
        if (n < 0 || n > g) return CSFS_CSF_BAD_OCCUPATION;
        total += (uint32_t)(n * (g - n));
    }
    uint32_t prefix = 0;
    for (size_t t = 0; t < ctx->n_touched; t++) {
        size_t k = ctx->touched[t];
        int32_t n = d[3 * k], g = ctx->capacity[k];
        int32_t u = n * (g - n);
        prefix += (uint32_t)u;
        if (n == 0) continue; /* the zero triple stays 0.0f */
        ctx->stored[k / 64] |= 1ull << (k % 64);
        int32_t suffix = (int32_t)(total - prefix);
        int32_t pre = (int32_t)prefix;
        int32_t tail = (int32_t)((uint32_t)target + (uint32_t)suffix);
        int32_t big_u = pre < tail ? pre : tail;
        dst[(3 * k) * col_stride] = (float)n / (float)g;
        dst[(3 * k + 1) * col_stride] = u == 0 ? 0.0f : (float)d[3 * k + 1] / (float)u;
        dst[(3 * k + 2) * col_stride] = big_u == 0 ? 0.0f : (float)d[3 * k + 2] / (float)big_u;
    }
    return CSFS_CSF_OK;
}
