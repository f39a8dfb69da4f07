#include "descriptor/v2.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grasp/csf_fields.h"
#include "common/bytes.h"
#include "common/error.h"
#include "descriptor/v2_fast.h"

/* ---- names ---------------------------------------------------------------- */

const char *csfs_v2_fail_name(int kind)
{
    switch (kind) {
    case CSFS_V2_OK:
        return "ok";
    case CSFS_V2_E_NON_ASCII:
        return "non-ASCII byte";
    case CSFS_V2_E_LINE1_LENGTH:
        return "line 1 length is not a positive multiple of 9";
    case CSFS_V2_E_LINE3_LENGTH:
        return "line 3 too short";
    case CSFS_V2_E_TOTAL_J:
        return "bad total J";
    case CSFS_V2_E_PARITY:
        return "bad parity";
    case CSFS_V2_E_FIELD_SYNTAX:
        return "malformed subshell field";
    case CSFS_V2_E_OCCUPATION_SYNTAX:
        return "malformed electron count";
    case CSFS_V2_E_UNKNOWN_LABEL:
        return "subshell not in the peel list";
    case CSFS_V2_E_STATE_SYNTAX:
        return "malformed subshell J on line 2";
    case CSFS_V2_E_SENIORITY:
        return "malformed seniority";
    case CSFS_V2_E_COUPLING_SYNTAX:
        return "malformed coupling on line 3";
    case CSFS_V2_E_EMPTY:
        return "no occupied subshell";
    case CSFS_V2_E_PEEL_ORDER:
        return "subshells out of peel order";
    case CSFS_V2_E_BAD_SUBSHELL:
        return "not a relativistic subshell label";
    case CSFS_V2_E_OCCUPATION:
        return "electron count out of range";
    case CSFS_V2_E_NO_STATE_TABLE:
        return "no GRASP state table";
    case CSFS_V2_E_STATE:
        return "state not allowed";
    case CSFS_V2_E_COUPLING_BOUNDARY:
        return "coupling on the first or last subshell";
    case CSFS_V2_E_REJECTED_ROW:
        return "rejected row";
    case CSFS_V2_E_UNUSED_CHANNELS:
        return "values on an unoccupied subshell";
    case CSFS_V2_E_SENIORITY_WITHOUT_J:
        return "seniority without 2J";
    case CSFS_V2_E_VALUE_RANGE:
        return "value out of range";
    case CSFS_V2_E_TOO_WIDE:
        return "value too wide for its GRASP field";
    case CSFS_V2_E_NOMEM:
        return "out of memory";
    }
    return "unknown failure";
}

size_t csfs_v2_column_name(size_t n_peel, size_t c, char *buf, size_t cap)
{
    static const char *const chan[CSFS_V2_CHANNELS] = {"n", "2j", "v", "2k"};
    int n;
    if (c < CSFS_V2_CHANNELS * n_peel)
        n = snprintf(buf, cap, "sub%zu_%s", c / CSFS_V2_CHANNELS, chan[c % CSFS_V2_CHANNELS]);
    else if (c == CSFS_V2_CHANNELS * n_peel)
        n = snprintf(buf, cap, "total_two_j");
    else if (c == CSFS_V2_CHANNELS * n_peel + 1)
        n = snprintf(buf, cap, "parity");
    else
        return 0;
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* ---- failures (cold path: formatting only once a CSF is refused) ---------- */

#if defined(__GNUC__)
#define V2_COLD __attribute__((cold, noinline))
#else
#define V2_COLD
#endif

static V2_COLD CSFS_PRINTF(6, 7) int fail(csfs_v2_failure *why, int kind, int32_t field,
                                          int32_t peel, int32_t column, const char *fmt, ...)
{
    if (why) {
        why->kind = kind;
        why->field = field;
        why->peel = peel;
        why->column = column;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why->reason, sizeof why->reason, fmt, ap);
        va_end(ap);
    }
    return kind;
}

/* Text shown in a reason: at most 12 bytes, non-printable bytes as '?'. */
static V2_COLD const char *shown(const char *p, size_t len, char out[16])
{
    size_t n = len < 12 ? len : 12;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        out[i] = c >= 0x20 && c < 0x7F ? (char)c : '?';
    }
    out[n] = '\0';
    return out;
}

static const char *peel_name(const csfs_v2_ctx *ctx, int32_t k)
{
    return k >= 0 && (size_t)k < ctx->n_peel ? ctx->peel->names[k] : "?";
}

/* ---- number rules (Rust str::parse as rCSFs applies it) ------------------- */

/* u8: an optional '+' (never '-'), then one or more digits, at most 255. */
static inline int parse_u8(const char *s, size_t len)
{
    size_t i = len && s[0] == '+' ? 1 : 0;
    if (i == len) return -1;
    int v = 0;
    for (; i < len; i++) {
        unsigned d = (unsigned)(unsigned char)s[i] - '0';
        if (d > 9) return -1;
        v = v * 10 + (int)d;
        if (v > 255) return -1;
    }
    return v;
}

/* j_to_double_j followed by rCSFs' u16::try_from. */
static inline int j_to_u16(const char *s, size_t len, int32_t *out)
{
    return csfs_j_to_2j(s, len, out) || *out < 0 || *out > CSFS_V2_MAX_TWO_J ? -1 : 0;
}

/* ---- context and records --------------------------------------------------- */

static uint32_t j4_slow(int32_t v);

/* The 5 label bytes of a line-1 field as one integer (never 0). */
static inline uint64_t raw_label(const char *p)
{
    uint32_t lo;
    memcpy(&lo, p, 4);
    return (uint64_t)lo | (uint64_t)(unsigned char)p[4] << 32 | 1ull << 40;
}

static inline size_t raw_hash(uint64_t key, size_t mask)
{
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 40) & mask;
}

/* raw_label of a whole 9-byte line-1 field, by one 8-byte load where the
 * byte order allows it (the same value). */
static inline uint64_t raw_label9(const char *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t w;
    memcpy(&w, p, 8);
    return (w & 0xFFFFFFFFFFull) | 1ull << 40;
#else
    return raw_label(p);
#endif
}

/* Peel index of a label printed exactly as GRASP prints it, else -1. p is
 * a whole 9-byte field. */
static inline int32_t raw_lookup(const csfs_v2_ctx *ctx, const char *p)
{
    uint64_t key = raw_label9(p);
    for (size_t h = raw_hash(key, ctx->raw_mask);; h = (h + 1) & ctx->raw_mask) {
        uint64_t k = ctx->raw_key[h];
        if (k == key) return ctx->raw_index[h];
        if (k == 0) return -1;
    }
}

int csfs_v2_record_init(csfs_v2_record *rec, size_t n_peel, csfs_error *err)
{
    memset(rec, 0, sizeof *rec);
    /* One spare slot: the parser assembles each subshell in the next free
     * slot and keeps it by counting it, which avoids copying it there. */
    rec->sub = calloc(n_peel + 1, sizeof *rec->sub);
    if (!rec->sub) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    rec->cap = n_peel;
    return 0;
}

void csfs_v2_record_free(csfs_v2_record *rec)
{
    free(rec->sub);
    memset(rec, 0, sizeof *rec);
}

int csfs_v2_ctx_init(csfs_v2_ctx *ctx, const csfs_peel *peel, csfs_error *err)
{
    memset(ctx, 0, sizeof *ctx);
    size_t n = peel->count;
    if (n > (SIZE_MAX - 64) / 32 || n > INT32_MAX)
        return csfs_fail(err, CSFS_E_ARGUMENT, "peel list too long");
    ctx->peel = peel;
    ctx->n_peel = n;
    size_t m = n ? n : 1;
    ctx->capacity = calloc(m, 1);
    ctx->display = calloc(m, sizeof *ctx->display);
    ctx->display_ok = calloc(m, 1);
    if (!ctx->capacity || !ctx->display || !ctx->display_ok) {
        csfs_v2_ctx_free(ctx);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = peel->names[i];
        size_t len = strlen(name);
        ctx->capacity[i] = (uint8_t)csfs_v2_subshell_capacity(name, len);
        /* Line 1 shows "4d-" as is and "4d" as "4d ", right-aligned in 5 bytes. */
        size_t shown_len = len + (len && name[len - 1] != '-');
        int ascii = !csfs_has_high_byte(name, len);
        if (len && shown_len <= 5 && ascii) {
            memset(ctx->display[i], ' ', 5);
            memcpy(ctx->display[i] + 5 - shown_len, name, len);
            ctx->display_ok[i] = 1;
        }
    }
    /* Every label GRASP can print maps to what the general path (trim, then
     * the peel map) would find: the same index even for repeated names. */
    size_t slots = 16;
    while (slots < 4 * n) slots *= 2;
    ctx->raw_key = calloc(slots, sizeof *ctx->raw_key);
    ctx->raw_index = calloc(slots, sizeof *ctx->raw_index);
    if (!ctx->raw_key || !ctx->raw_index) {
        csfs_v2_ctx_free(ctx);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    ctx->raw_mask = slots - 1;
    for (size_t i = 0; i < n; i++) {
        if (!ctx->display_ok[i]) continue;
        const char *name = peel->names[i];
        int32_t k = csfs_peel_lookup(peel, csfs_name_key_of(name, strlen(name)));
        if (k < 0) continue;
        uint64_t key = raw_label(ctx->display[i]);
        size_t h = raw_hash(key, ctx->raw_mask);
        while (ctx->raw_key[h] && ctx->raw_key[h] != key) h = (h + 1) & ctx->raw_mask;
        ctx->raw_key[h] = key;
        ctx->raw_index[h] = k;
    }
    for (int32_t v = 0; v < CSFS_V2_J4_CACHE; v++) ctx->j4[v] = j4_slow(v);
    for (size_t t = 0; t < 6; t++) {
        const csfs_v2_state_table *tab = &csfs_v2_state_tables[t];
        for (size_t s = 0; s < tab->count; s++)
            ctx->state_mask[t][tab->states[s].seniority + 1] |= 1ull << tab->states[s].two_j;
    }
    if (csfs_v2_fast_init(ctx, err)) {
        csfs_v2_ctx_free(ctx);
        return CSFS_E_NOMEM;
    }
    return 0;
}

void csfs_v2_ctx_free(csfs_v2_ctx *ctx)
{
    csfs_v2_fast_free(ctx);
    free(ctx->raw_key);
    free(ctx->raw_index);
    free(ctx->capacity);
    free(ctx->display);
    free(ctx->display_ok);
    memset(ctx, 0, sizeof *ctx);
}

/* ---- validate_record --------------------------------------------------------- */

/*
 * Whether (2J, seniority) is a state GRASP prints for `occ` electrons in a
 * subshell of capacity `cap`: 0, CSFS_V2_E_STATE or CSFS_V2_E_NO_STATE_TABLE.
 */
static inline int state_check(const csfs_v2_ctx *ctx, int cap, int occ, int32_t two_j, int32_t sen)
{
    int sub_two_j = cap - 1;
    int pop = occ < cap - occ ? occ : cap - occ;
    switch (pop) {
    case 0:
        return two_j == 0 && sen < 0 ? 0 : CSFS_V2_E_STATE;
    case 1:
        return two_j == sub_two_j && sen < 0 ? 0 : CSFS_V2_E_STATE;
    case 2:
        return sen < 0 && (two_j & 3) == 0 && two_j <= 2 * (sub_two_j - 1) ? 0 : CSFS_V2_E_STATE;
    default: {
        int t = csfs_v2_state_table_index(sub_two_j, pop);
        if (t < 0) return CSFS_V2_E_NO_STATE_TABLE;
        if (sen > 9 || two_j > 63) return CSFS_V2_E_STATE;
        return (ctx->state_mask[t][sen + 1] >> two_j) & 1 ? 0 : CSFS_V2_E_STATE;
    }
    }
}

/* The per-subshell part of validate_record: 0 or the kind of the first
 * problem, in rCSFs' order (peel order, label, electrons, state). */
static inline int sub_kind(const csfs_v2_ctx *ctx, const csfs_v2_sub *s, int32_t prev_peel)
{
    if (s->peel <= prev_peel) return CSFS_V2_E_PEEL_ORDER;
    int cap = ctx->capacity[s->peel];
    if (cap == 0) return CSFS_V2_E_BAD_SUBSHELL;
    if (s->occ < 1 || s->occ > cap) return CSFS_V2_E_OCCUPATION;
    if (s->two_j != CSFS_V2_MISSING) return state_check(ctx, cap, s->occ, s->two_j, s->seniority);
    return 0;
}

/* Explains a sub_kind failure of the subshell at CSF position `field`. */
static V2_COLD int sub_fail(const csfs_v2_ctx *ctx, int kind, csfs_v2_sub s, int32_t prev_peel,
                            int32_t field, csfs_v2_failure *why)
{
    const char *name = peel_name(ctx, s.peel);
    int cap = kind == CSFS_V2_E_PEEL_ORDER ? 0 : ctx->capacity[s.peel];
    switch (kind) {
    case CSFS_V2_E_PEEL_ORDER:
        return fail(why, kind, field, s.peel, -1,
                    "subshell %d (%s) comes after %s: subshells must follow the peel order "
                    "without repeats",
                    (int)field, name, peel_name(ctx, prev_peel));
    case CSFS_V2_E_BAD_SUBSHELL:
        return fail(why, kind, field, s.peel, -1,
                    "peel subshell '%s' is not a relativistic subshell label", name);
    case CSFS_V2_E_OCCUPATION:
        return fail(why, kind, field, s.peel, -1, "%d electrons in %s: must be 1..%d", (int)s.occ,
                    name, cap);
    case CSFS_V2_E_NO_STATE_TABLE:
        return fail(why, kind, field, s.peel, -1,
                    "%s(%d) prints a state, but GRASP has no state table for j = %d/2 with %d "
                    "electrons",
                    name, (int)s.occ, cap - 1, (int)s.occ);
    default:
        if (s.seniority >= 0)
            return fail(why, kind, field, s.peel, -1,
                        "state 2J = %d with seniority %d is not a state of %s(%d)", (int)s.two_j,
                        (int)s.seniority, name, (int)s.occ);
        return fail(why, kind, field, s.peel, -1,
                    "state 2J = %d without seniority is not a state of %s(%d)", (int)s.two_j, name,
                    (int)s.occ);
    }
}

static inline int check_sub(const csfs_v2_ctx *ctx, const csfs_v2_sub *s, int32_t prev_peel,
                            int32_t field, csfs_v2_failure *why)
{
    int kind = sub_kind(ctx, s, prev_peel);
    return kind ? sub_fail(ctx, kind, *s, prev_peel, field, why) : 0;
}

static int boundary_fail(const csfs_v2_ctx *ctx, const csfs_v2_sub *s, size_t p,
                         csfs_v2_failure *why)
{
    return fail(why, CSFS_V2_E_COUPLING_BOUNDARY, (int32_t)p, s->peel, -1,
                "coupling 2K = %d under the %s subshell (%s): GRASP prints couplings only "
                "between the first and the last",
                (int)s->two_k, p == 0 ? "first" : "last", peel_name(ctx, s->peel));
}

int csfs_v2_validate(const csfs_v2_ctx *ctx, const csfs_v2_record *rec, csfs_v2_failure *why)
{
    if (rec->nf == 0)
        return fail(why, CSFS_V2_E_EMPTY, -1, -1, -1, "a CSF must occupy at least one subshell");
    int32_t prev = -1;
    for (size_t p = 0; p < rec->nf; p++) {
        const csfs_v2_sub *s = &rec->sub[p];
        if (s->peel < 0 || (size_t)s->peel >= ctx->n_peel)
            return fail(why, CSFS_V2_E_VALUE_RANGE, (int32_t)p, -1, -1,
                        "peel index %d outside the %zu peel subshells", (int)s->peel, ctx->n_peel);
        if (s->two_j == CSFS_V2_MISSING && s->seniority != CSFS_V2_MISSING)
            return fail(why, CSFS_V2_E_SENIORITY_WITHOUT_J, (int32_t)p, s->peel, -1,
                        "seniority %d on %s without a 2J", (int)s->seniority,
                        peel_name(ctx, s->peel));
        if (s->two_j < -1 || s->two_j > CSFS_V2_MAX_TWO_J || s->seniority < -1 ||
            s->seniority > 255)
            return fail(why, CSFS_V2_E_VALUE_RANGE, (int32_t)p, s->peel, -1,
                        "state 2J = %d / seniority %d of %s out of range", (int)s->two_j,
                        (int)s->seniority, peel_name(ctx, s->peel));
        int rc = check_sub(ctx, s, prev, (int32_t)p, why);
        if (rc) return rc;
        prev = s->peel;
    }
    for (size_t p = 0; p < rec->nf; p++) {
        const csfs_v2_sub *s = &rec->sub[p];
        if (s->two_k == CSFS_V2_MISSING) continue;
        if (p == 0 || p + 1 >= rec->nf) return boundary_fail(ctx, s, p, why);
        if (s->two_k < 0 || s->two_k > CSFS_V2_MAX_TWO_J)
            return fail(why, CSFS_V2_E_VALUE_RANGE, (int32_t)p, s->peel, -1,
                        "coupling 2K = %d out of range", (int)s->two_k);
    }
    if (rec->total_two_j < 0 || rec->total_two_j > CSFS_V2_MAX_TWO_J)
        return fail(why, CSFS_V2_E_TOTAL_J, -1, -1, -1, "total 2J = %d out of range",
                    (int)rec->total_two_j);
    if (rec->parity != 1 && rec->parity != -1)
        return fail(why, CSFS_V2_E_PARITY, -1, -1, -1, "parity %d is neither +1 nor -1",
                    (int)rec->parity);
    return CSFS_V2_OK;
}

/* ---- format_record ------------------------------------------------------------ */

/* Characters of format_two_j(v) ("7/2", "4") fit the 4 GRASP gives a J. */
static inline int two_j_fits(int32_t v)
{
    return v >= 0 && ((v & 1) ? v <= 99 : v <= 19998);
}

/* Writes format_two_j(v) so that its last character is at *last. */
static inline void put_two_j(char *last, int32_t v)
{
    uint32_t x = (uint32_t)v;
    if (x & 1) {
        *last-- = '2';
        *last-- = '/';
    } else {
        x >>= 1;
    }
    do {
        *last-- = (char)('0' + x % 10);
        x /= 10;
    } while (x);
}

/*
 * format_record into l1 (9nf bytes), l2 (9nf bytes; *len2 gets its length
 * once right-trimmed) and l3 (9nf + 2 bytes). The checks mirror rCSFs'
 * (width of every value), plus the ranges a u16/u8 field implies.
 */
static int format_lines(const csfs_v2_ctx *ctx, const csfs_v2_record *rec, char *l1, char *l2,
                        char *l3, size_t *len2, csfs_v2_failure *why)
{
    size_t nf = rec->nf;
    if (nf == 0)
        return fail(why, CSFS_V2_E_EMPTY, -1, -1, -1, "cannot format a CSF without subshells");
    size_t w = 9 * nf;
    memset(l1, ' ', w);
    memset(l2, ' ', w);
    memset(l3, ' ', w + 2);
    size_t end2 = 0;
    for (size_t k = 0; k < nf; k++) {
        const csfs_v2_sub *s = &rec->sub[k];
        int32_t f = (int32_t)k;
        if (s->peel < 0 || (size_t)s->peel >= ctx->n_peel)
            return fail(why, CSFS_V2_E_VALUE_RANGE, f, -1, -1, "peel index %d out of range",
                        (int)s->peel);
        if (!ctx->display_ok[s->peel])
            return fail(why, CSFS_V2_E_TOO_WIDE, f, s->peel, -1,
                        "subshell label '%s' does not fit the 5 bytes of line 1",
                        peel_name(ctx, s->peel));
        if (s->occ < 0 || s->occ > 99)
            return fail(why, s->occ < 0 ? CSFS_V2_E_VALUE_RANGE : CSFS_V2_E_TOO_WIDE, f, s->peel,
                        -1, "%d electrons do not fit two digits", (int)s->occ);
        char *d = l1 + 9 * k;
        memcpy(d, ctx->display[s->peel], 5);
        d[5] = '(';
        if (s->occ >= 10) d[6] = (char)('0' + s->occ / 10);
        d[7] = (char)('0' + s->occ % 10);
        d[8] = ')';
        if (s->two_j != CSFS_V2_MISSING) {
            if (!two_j_fits(s->two_j))
                return fail(why, s->two_j < 0 ? CSFS_V2_E_VALUE_RANGE : CSFS_V2_E_TOO_WIDE, f,
                            s->peel, -1, "subshell 2J = %d does not fit 4 characters",
                            (int)s->two_j);
            put_two_j(l2 + 9 * k + 8, s->two_j);
            if (s->seniority != CSFS_V2_MISSING) {
                if (s->seniority < 0 || s->seniority > 9)
                    return fail(why, CSFS_V2_E_SENIORITY, f, s->peel, -1,
                                "seniority %d is not one digit", (int)s->seniority);
                l2[9 * k + 3] = (char)('0' + s->seniority);
                l2[9 * k + 4] = ';';
            }
            end2 = 9 * k + 9; /* the J ends the field: line 2 is trimmed here */
        } else if (s->seniority != CSFS_V2_MISSING) {
            return fail(why, CSFS_V2_E_SENIORITY_WITHOUT_J, f, s->peel, -1,
                        "seniority %d without a 2J", (int)s->seniority);
        }
        if (s->two_k != CSFS_V2_MISSING) {
            /* boundary b = k + 1, printed ending at byte 9b + 2 */
            if (k == 0 || k + 1 >= nf) return boundary_fail(ctx, s, k, why);
            if (!two_j_fits(s->two_k))
                return fail(why, s->two_k < 0 ? CSFS_V2_E_VALUE_RANGE : CSFS_V2_E_TOO_WIDE, f,
                            s->peel, -1, "coupling 2K = %d does not fit 4 characters",
                            (int)s->two_k);
            put_two_j(l3 + 9 * (k + 1) + 2, s->two_k);
        }
    }
    if (!two_j_fits(rec->total_two_j))
        return fail(why, rec->total_two_j < 0 ? CSFS_V2_E_TOTAL_J : CSFS_V2_E_TOO_WIDE, -1, -1, -1,
                    "total 2J = %d does not fit 4 characters", (int)rec->total_two_j);
    put_two_j(l3 + w, rec->total_two_j);
    if (rec->parity != 1 && rec->parity != -1)
        return fail(why, CSFS_V2_E_PARITY, -1, -1, -1, "parity %d is neither +1 nor -1",
                    (int)rec->parity);
    l3[w + 1] = rec->parity > 0 ? '+' : '-';
    *len2 = end2;
    return CSFS_V2_OK;
}

int csfs_v2_format(const csfs_v2_ctx *ctx, const csfs_v2_record *rec, csfs_buf *out,
                   csfs_v2_failure *why)
{
    size_t w = 9 * rec->nf;
    size_t need = out->len + 3 * w + 5 + 1;
    if (out->cap < need) {
        csfs_error err;
        if (csfs_buf_reserve(out, need, &err))
            return fail(why, CSFS_V2_E_NOMEM, -1, -1, -1, "out of memory for the CSF text");
    }
    /* Line 2 is formatted at full width in place; line 3 is formatted after
     * that room and moved down once line 2's trimmed length is known. */
    char *l1 = out->data + out->len;
    char *l2 = l1 + w + 1;
    char *l3_tmp = l2 + w + 1;
    size_t len2 = 0;
    int rc = format_lines(ctx, rec, l1, l2, l3_tmp, &len2, why);
    if (rc) return rc;
    l1[w] = '\n';
    l2[len2] = '\n';
    memmove(l2 + len2 + 1, l3_tmp, w + 2);
    l2[len2 + 1 + w + 2] = '\n';
    out->len += w + 1 + len2 + 1 + w + 3;
    return CSFS_V2_OK;
}

/* ---- store ------------------------------------------------------------------- */

void csfs_v2_store(const csfs_v2_record *rec, size_t n_peel, int32_t *dst, size_t s)
{
    const csfs_v2_sub *sub = rec->sub, *end = rec->sub + rec->nf;
    int32_t *d = dst;
    size_t s2 = 2 * s, s3 = 3 * s, s4 = 4 * s;
    size_t i = 0;
    /* Subshells are in strictly increasing peel order: the empty ones
     * between them are runs of defaults, with no test per peel subshell
     * (wide peel lists are mostly empty in each CSF). */
    for (;; sub++) {
        size_t next = sub < end ? (size_t)sub->peel : n_peel;
        for (; i < next; i++, d += s4) {
            d[0] = 0;
            d[s] = CSFS_V2_MISSING;
            d[s2] = CSFS_V2_MISSING;
            d[s3] = CSFS_V2_MISSING;
        }
        if (sub == end) break;
        d[0] = sub->occ;
        d[s] = sub->two_j;
        d[s2] = sub->seniority;
        d[s3] = sub->two_k;
        d += s4;
        i++;
    }
    d[0] = rec->total_two_j;
    d[s] = rec->parity;
}

uint32_t csfs_v2_fill_value(size_t n_peel, size_t c)
{
    _Static_assert(CSFS_V2_MISSING == -1, "-1 is all bytes 0xFF: filled by memset");
    /* n = 0, then 2J, seniority and 2K missing; total 2J and parity 0 (every
     * row writes them). */
    return c < CSFS_V2_CHANNELS * n_peel && c % CSFS_V2_CHANNELS != 0 ? (uint32_t)CSFS_V2_MISSING
                                                                      : 0;
}

void csfs_v2_fill_empty(size_t n_peel, int32_t *dst, size_t s, size_t rows)
{
    for (size_t c = 0; c < 4 * n_peel; c++)
        memset(dst + c * s, csfs_v2_fill_value(n_peel, c) ? 0xFF : 0, rows * sizeof *dst);
}

/* Bits 4p .. 4p+3 of touched: subshell p's four columns (never across words). */
static inline void touch_subshell(uint64_t *touched, size_t p)
{
    touched[p / 16] |= 0xFull << (4 * (p % 16));
}

static inline void touch_column(uint64_t *touched, size_t c)
{
    touched[c / 64] |= 1ull << (c % 64);
}

void csfs_v2_store_sparse(const csfs_v2_record *rec, size_t n_peel, int32_t *dst, size_t s,
                          uint64_t *touched)
{
    size_t s2 = 2 * s, s3 = 3 * s, s4 = 4 * s;
    for (size_t k = 0; k < rec->nf; k++) {
        const csfs_v2_sub *sub = &rec->sub[k];
        int32_t *d = dst + (size_t)sub->peel * s4;
        d[0] = sub->occ;
        d[s] = sub->two_j;
        d[s2] = sub->seniority;
        d[s3] = sub->two_k;
        if (touched) touch_subshell(touched, sub->peel);
    }
    int32_t *d = dst + n_peel * s4;
    d[0] = rec->total_two_j;
    d[s] = rec->parity;
    if (touched) {
        touch_column(touched, n_peel * 4);
        touch_column(touched, n_peel * 4 + 1);
    }
}

void csfs_v2_store_made(const csfs_v2_made *m, size_t first, size_t end, size_t n_peel,
                        int32_t *dst, size_t s, uint64_t *touched)
{
    size_t rows = end - first;
    if (!touched) csfs_v2_fill_empty(n_peel, dst, s, rows);
    int32_t *tj = dst + CSFS_V2_CHANNELS * n_peel * s, *par = tj + s;
    for (size_t r = 0; r < rows; r++) {
        size_t k = first + r;
        for (uint32_t f = m->first[k]; f < m->first[k + 1]; f++) {
            const csfs_v2_sub *sub = &m->sub[f];
            int32_t *d = dst + CSFS_V2_CHANNELS * (size_t)sub->peel * s + r;
            d[0] = sub->occ;
            d[s] = sub->two_j;
            d[2 * s] = sub->seniority;
            d[3 * s] = sub->two_k;
            if (touched) touch_subshell(touched, sub->peel);
        }
        tj[r] = m->total_two_j[k];
        par[r] = m->parity[k];
    }
    if (touched && rows) {
        touch_column(touched, n_peel * 4);
        touch_column(touched, n_peel * 4 + 1);
    }
}

void csfs_v2_store_rejected(size_t n_peel, int32_t *dst, size_t s)
{
    size_t w = csfs_v2_width(n_peel);
    for (size_t c = 0; c + 1 < w; c++) dst[c * s] = CSFS_V2_MISSING;
    dst[(w - 1) * s] = 0;
}

/* ---- parse_csf_v2_into --------------------------------------------------------- */

/*
 * Line-2 state of one field (bytes s[0..len) of the right-trimmed line 2).
 * Returns 0 with two_j and sen set (-1 when nothing is printed) or a kind.
 */
static inline int parse_state(const char *s, size_t len, int32_t field, int32_t *two_j,
                              int32_t *sen, csfs_v2_failure *why)
{
    const char *t = s;
    size_t tl = len;
    csfs_trim(&t, &tl);
    if (tl == 0) return 0;
    const char *semi = NULL;
    for (size_t i = 0; i < tl; i++)
        if (t[i] == ';') {
            semi = t + i;
            break;
        }
    const char *jt = t;
    size_t jl = tl;
    char buf[16];
    if (semi) {
        /* GRASP writes the seniority digit at offset 3 and ';' at 4. */
        if (len != 9 || (unsigned)(s[3] - '0') > 9 || s[4] != ';')
            return fail(why, CSFS_V2_E_SENIORITY, field, -1, -1,
                        "line 2 field %d '%s': seniority must be one digit at offset 3 followed "
                        "by ';'",
                        (int)field, shown(s, len, buf));
        const char *v = t;
        size_t vl = (size_t)(semi - t);
        csfs_trim(&v, &vl);
        int x = parse_u8(v, vl);
        if (x < 0 || x > 9)
            return fail(why, CSFS_V2_E_SENIORITY, field, -1, -1,
                        "line 2 field %d '%s': seniority is not a digit 0..9", (int)field,
                        shown(s, len, buf));
        *sen = x;
        jt = semi + 1;
        jl = tl - (size_t)(jt - t);
    }
    if (j_to_u16(jt, jl, two_j))
        return fail(why, CSFS_V2_E_STATE_SYNTAX, field, -1, -1,
                    "line 2 field %d '%s': not a J value (0..32767 or n/2, n <= 65535)", (int)field,
                    shown(s, len, buf));
    return 0;
}

/* ---- canonical text, checked piece by piece -------------------------------------- */

#define SPACES4 0x20202020u

static inline int spaces9(const char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x == 0x2020202020202020ull && p[8] == ' ';
}

static inline int all_spaces(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != ' ') return 0;
    return 1;
}

/* format_two_j(v) right-aligned in 4 bytes, as they sit in memory; 0 when
 * it does not fit (no 4 text bytes are 0). */
static uint32_t j4_slow(int32_t v)
{
    if (!two_j_fits(v)) return 0;
    char b[4] = {' ', ' ', ' ', ' '};
    put_two_j(b + 3, v);
    return csfs_load4(b);
}

static inline uint32_t j4(const csfs_v2_ctx *ctx, int32_t v)
{
    return (uint32_t)v < CSFS_V2_J4_CACHE ? ctx->j4[v] : j4_slow(v);
}

/* The general path: any spelling rCSFs accepts, and every refusal with its
 * reason. Out of line, so that the table path's callers do not pay for its
 * frame. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static int
parse_general(csfs_v2_ctx *ctx, const char *l1, size_t n1, const char *l2, size_t n2,
              const char *l3, size_t n3, csfs_v2_record *rec, csfs_v2_failure *why)
{
    char buf[16];
    csfs_csf_lines c;
    csfs_csf_lines_init(&c, l1, n1, l2, n2, l3, n3);
    if (c.w == 0 || c.w % 9 != 0)
        return fail(why, CSFS_V2_E_LINE1_LENGTH, -1, -1, -1,
                    "line 1 is %zu bytes long without trailing blanks: not a positive multiple "
                    "of 9",
                    c.w);
    size_t nf = c.w / 9;
    if (c.r <= 5)
        return fail(why, CSFS_V2_E_LINE3_LENGTH, -1, -1, -1,
                    "line 3 is too short (%zu bytes) to hold a total J and parity", c.r);
    if (c.r < 9)
        return fail(why, CSFS_V2_E_LINE3_LENGTH, -1, -1, -1,
                    "line 3 is too short (%zu bytes) for %zu subshells", c.r, nf);
    int32_t total;
    if (csfs_total_2j(&c, &total) || total < 0 || total > CSFS_V2_MAX_TWO_J)
        return fail(why, CSFS_V2_E_TOTAL_J, -1, -1, -1,
                    "total J '%s' at the end of line 3 is not a J value (0..32767 or n/2)",
                    shown(c.final_j.p, c.final_j.len, buf));
    char pc = l3[c.r - 1];
    if (pc != '+' && pc != '-')
        return fail(why, CSFS_V2_E_PARITY, -1, -1, -1,
                    "parity '%s' at the end of line 3 is neither '+' nor '-'", shown(&pc, 1, buf));

    /*
     * Canonical means csfs_v2_format would write these exact bytes back. It
     * is decided piece by piece while the fields are read, which costs a few
     * compares instead of formatting and comparing three lines: the lines
     * have their formatted lengths and no trailing blanks, line 3 starts
     * with 4 spaces and ends with the total right-aligned in 4 bytes, and
     * each field below is as the formatter writes it. Together the pieces
     * cover every byte of the three lines.
     */
    int canon = n1 == c.w && n2 == c.m && c.m <= c.w && n3 == c.r && c.r == c.w + 2 &&
                csfs_load4(l3) == SPACES4 && csfs_load4(c.final_j.p) == j4(ctx, total);

    /*
     * rCSFs parses every field before validating the record, so a syntax
     * error anywhere wins over a validation error; among validation errors
     * the first subshell's wins, and any subshell's wins over a coupling's.
     * Validation therefore runs inline but is only reported after the loop.
     * Fields are stored while the peel order holds, which bounds them by the
     * peel count.
     */
    int pending_sub = 0;
    int32_t prev = -1;
    size_t stored = 0;
    csfs_v2_sub *subs = rec->sub; /* not reloaded after every call that may fail */
    for (size_t i = 0; i < nf; i++) {
        int32_t f = (int32_t)i;
        /* The field's bytes in each line, as csfs_field_at cuts them, without
         * its bounds arithmetic for line 1 (a multiple of 9 bytes) and with
         * one compare per line where the line holds all 9 bytes. */
        size_t at = 9 * i;
        size_t sl = c.m >= at + 9 ? 9 : c.m > at ? c.m - at : 0;
        size_t cl = c.coupling.len >= at + 9 ? 9 : c.coupling.len > at ? c.coupling.len - at : 0;
        const char *sp = l2 + at, *cp = c.coupling.p + at; /* read only when sl, cl > 0 */

        /* Line 1: label, '(', electrons, ')'. Labels as GRASP prints them
         * are found without trimming; anything else takes the general path,
         * keeping rCSFs' order of complaints. */
        const char *p = l1 + at; /* 9 bytes: line 1 is a multiple of 9 */
        int32_t k = raw_lookup(ctx, p);
        csfs_name_key key = 0;
        if (k < 0) {
            canon = 0;
            if ((key = csfs_name_key_of(p, 5)) == 0)
                return fail(why, CSFS_V2_E_FIELD_SYNTAX, f, -1, -1,
                            "field %d '%s': empty subshell label", (int)i, shown(p, 9, buf));
        }
        if (p[5] != '(' || p[8] != ')')
            return fail(why, CSFS_V2_E_FIELD_SYNTAX, f, -1, -1,
                        "field %d '%s': expected '(' at byte 5 and ')' at byte 8", (int)i,
                        shown(p, 9, buf));
        int occ;
        unsigned d6 = (unsigned)(p[6] - '0'), d7 = (unsigned)(p[7] - '0');
        if (d7 <= 9 && p[6] == ' ') {
            occ = (int)d7;
        } else if (d7 <= 9 && d6 <= 9) {
            occ = 10 * (int)d6 + (int)d7;
            canon &= d6 != 0;
        } else {
            const char *o = p + 6;
            size_t ol = 2;
            csfs_trim(&o, &ol);
            occ = parse_u8(o, ol);
            if (occ < 0)
                return fail(why, CSFS_V2_E_OCCUPATION_SYNTAX, f, -1, -1,
                            "field %d '%s': electron count is not a number 0..255", (int)i,
                            shown(p, 9, buf));
            canon = 0;
        }
        if (k < 0 && (k = csfs_peel_lookup(ctx->peel, key)) < 0) {
            const char *lb = p;
            size_t ll = 5;
            csfs_trim(&lb, &ll);
            return fail(why, CSFS_V2_E_UNKNOWN_LABEL, f, -1, -1,
                        "field %d: subshell '%s' is not in the peel list", (int)i,
                        shown(lb, ll, buf));
        }
        /* Scalars, not a struct: the struct is assembled in one go at the
         * end, which avoids store-forwarding stalls on its partial writes. */
        int32_t two_j = CSFS_V2_MISSING, sen = CSFS_V2_MISSING, two_k = CSFS_V2_MISSING;

        /* Line 2: canonical is 9 spaces, or "   " + ("  " or "v;") + J in 4. */
        int fast_state = sl == 9 ? csfs_j9_fast(sp, &two_j) : -1;
        if (fast_state == 1) {
            canon &=
                csfs_load4(sp) == SPACES4 && sp[4] == ' ' && csfs_load4(sp + 5) == j4(ctx, two_j);
        } else if (fast_state == 0) {
            two_j = CSFS_V2_MISSING; /* nine spaces: nothing printed, canonical */
        } else if (sl && !(sl == 9 && spaces9(sp))) {
            two_j = CSFS_V2_MISSING;
            int rc = parse_state(sp, sl, f, &two_j, &sen, why);
            if (rc) {
                if (why) why->peel = k;
                return rc;
            }
            if (two_j == CSFS_V2_MISSING) {
                canon = 0; /* blank, but not plain spaces */
            } else {
                int v = sen;
                canon &= sl == 9 && sp[0] == ' ' && sp[1] == ' ' && sp[2] == ' ' &&
                         sp[3] == (v < 0 ? ' ' : '0' + v) && sp[4] == (v < 0 ? ' ' : ';') &&
                         csfs_load4(sp + 5) == j4(ctx, two_j);
            }
        }

        /* Line 3 under the field: canonical is 9 spaces, or 4 spaces + 2K in
         * 4 + a space (ending at byte 9(i+1)+2 of line 3). */
        int fast_cpl = cl == 9 ? csfs_j9_fast(cp, &two_k) : -1;
        if (fast_cpl == 1) {
            canon &=
                csfs_load4(cp) == SPACES4 && cp[8] == ' ' && csfs_load4(cp + 4) == j4(ctx, two_k);
        } else if (fast_cpl == 0) {
            two_k = CSFS_V2_MISSING;
        } else if (cl && !(cl == 9 && spaces9(cp))) {
            two_k = CSFS_V2_MISSING;
            const char *t = cp;
            size_t tl = cl;
            csfs_trim(&t, &tl);
            if (tl == 0) {
                canon &= all_spaces(cp, cl);
            } else {
                if (j_to_u16(t, tl, &two_k))
                    return fail(why, CSFS_V2_E_COUPLING_SYNTAX, f, k, -1,
                                "line 3 under field %d: coupling '%s' is not a J value "
                                "(0..32767 or n/2, n <= 65535)",
                                (int)i, shown(t, tl, buf));
                canon &= cl == 9 && csfs_load4(cp) == SPACES4 && cp[8] == ' ' &&
                         csfs_load4(cp + 4) == j4(ctx, two_k);
            }
        }

        if (pending_sub) continue;
        /* stored <= n_peel: subshells are kept only in strict peel order. */
        csfs_v2_sub *s = &subs[stored];
        s->peel = k;
        s->occ = occ;
        s->two_j = two_j;
        s->seniority = sen;
        s->two_k = two_k;
        pending_sub = check_sub(ctx, s, prev, f, why);
        if (pending_sub) continue;
        prev = k;
        stored++;
    }
    if (pending_sub) return pending_sub;
    /* Every field was stored (stored == nf): a coupling under the first
     * subshell, else under the last, is the one to report. */
    if (rec->sub[0].two_k != CSFS_V2_MISSING) return boundary_fail(ctx, &rec->sub[0], 0, why);
    if (rec->sub[nf - 1].two_k != CSFS_V2_MISSING)
        return boundary_fail(ctx, &rec->sub[nf - 1], nf - 1, why);
    rec->nf = stored;
    rec->total_two_j = total;
    rec->parity = pc == '+' ? 1 : -1;
    rec->canonical = canon;
    return CSFS_V2_OK;
}

int csfs_v2_parse(csfs_v2_ctx *ctx, const char *l1, size_t n1, const char *l2, size_t n2,
                  const char *l3, size_t n3, csfs_v2_record *rec, csfs_v2_failure *why)
{
    rec->nf = 0;
    rec->canonical = 0;
    if (rec->cap < ctx->n_peel)
        return fail(why, CSFS_V2_E_VALUE_RANGE, -1, -1, -1,
                    "record holds %zu subshells, the peel list has %zu", rec->cap, ctx->n_peel);
    if (!ctx->ascii_known &&
        (csfs_has_high_byte(l1, n1) || csfs_has_high_byte(l2, n2) || csfs_has_high_byte(l3, n3))) {
        int line = csfs_has_high_byte(l1, n1) ? 1 : csfs_has_high_byte(l2, n2) ? 2 : 3;
        return fail(why, CSFS_V2_E_NON_ASCII, -1, -1, -1,
                    "non-ASCII byte on line %d: CSF lines must be ASCII", line);
    }
    if (!ctx->general_only && csfs_v2_parse_fast(ctx, l1, n1, l2, n2, l3, n3, rec))
        return CSFS_V2_OK;
    return parse_general(ctx, l1, n1, l2, n2, l3, n3, rec, why);
}

/* ---- decode_v2_into ------------------------------------------------------------- */

int csfs_v2_decode(const csfs_v2_ctx *ctx, const int32_t *row, size_t s, csfs_v2_record *rec,
                   csfs_v2_failure *why)
{
    size_t m = ctx->n_peel;
    size_t tc = CSFS_V2_CHANNELS * m, pc = tc + 1;
    rec->nf = 0;
    rec->canonical = 0;
    if (rec->cap < m)
        return fail(why, CSFS_V2_E_VALUE_RANGE, -1, -1, -1,
                    "record holds %zu subshells, the peel list has %zu", rec->cap, m);
    if (row[pc * s] == 0) {
        size_t c = 0;
        while (c < pc && row[c * s] == CSFS_V2_MISSING) c++;
        if (c == pc)
            return fail(why, CSFS_V2_E_REJECTED_ROW, -1, -1, -1,
                        "row was rejected when the descriptors were made (all -1, parity 0): "
                        "it holds no CSF");
    }
    size_t pos = 0;
    for (size_t i = 0; i < m; i++) {
        const int32_t *v = row + CSFS_V2_CHANNELS * i * s;
        int32_t n = v[0], two_j = v[s], sen = v[2 * s], two_k = v[3 * s];
        int32_t k = (int32_t)i, f = (int32_t)pos;
        int32_t col = (int32_t)(CSFS_V2_CHANNELS * i);
        if (n == 0) {
            if (two_j != CSFS_V2_MISSING || sen != CSFS_V2_MISSING || two_k != CSFS_V2_MISSING)
                return fail(why, CSFS_V2_E_UNUSED_CHANNELS, -1, k,
                            col + (two_j != CSFS_V2_MISSING ? 1
                                   : sen != CSFS_V2_MISSING ? 2
                                                            : 3),
                            "unoccupied subshell %zu (%s) must be [0, -1, -1, -1], found [0, %d, "
                            "%d, %d]",
                            i, peel_name(ctx, k), (int)two_j, (int)sen, (int)two_k);
            continue;
        }
        if (n < 0 || n > 255)
            return fail(why, CSFS_V2_E_VALUE_RANGE, f, k, col,
                        "occupation %d of subshell %zu (%s) is outside 1..255", (int)n, i,
                        peel_name(ctx, k));
        if (two_j == CSFS_V2_MISSING) {
            if (sen != CSFS_V2_MISSING)
                return fail(why, CSFS_V2_E_SENIORITY_WITHOUT_J, f, k, col + 2,
                            "subshell %zu (%s) has seniority %d without a printed 2J", i,
                            peel_name(ctx, k), (int)sen);
        } else {
            if (two_j < 0 || two_j > CSFS_V2_MAX_TWO_J)
                return fail(why, CSFS_V2_E_VALUE_RANGE, f, k, col + 1,
                            "2J = %d of subshell %zu (%s) is outside -1..65535", (int)two_j, i,
                            peel_name(ctx, k));
            if (sen != CSFS_V2_MISSING && (sen < 0 || sen > 255))
                return fail(why, CSFS_V2_E_VALUE_RANGE, f, k, col + 2,
                            "seniority %d of subshell %zu (%s) is outside -1..255", (int)sen, i,
                            peel_name(ctx, k));
        }
        if (two_k != CSFS_V2_MISSING && (two_k < 0 || two_k > CSFS_V2_MAX_TWO_J))
            return fail(why, CSFS_V2_E_VALUE_RANGE, f, k, col + 3,
                        "2K = %d of subshell %zu (%s) is outside -1..65535", (int)two_k, i,
                        peel_name(ctx, k));
        rec->sub[pos++] = (csfs_v2_sub){k, n, two_j, sen, two_k};
    }
    int32_t total = row[tc * s], parity = row[pc * s];
    if (total == CSFS_V2_MISSING)
        return fail(why, CSFS_V2_E_TOTAL_J, -1, -1, (int32_t)tc, "row has no total_two_j (-1)");
    if (total < 0 || total > CSFS_V2_MAX_TWO_J)
        return fail(why, CSFS_V2_E_TOTAL_J, -1, -1, (int32_t)tc,
                    "total_two_j = %d is outside 0..65535", (int)total);
    if (parity != 1 && parity != -1)
        return fail(why, CSFS_V2_E_PARITY, -1, -1, (int32_t)pc, "parity = %d is neither +1 nor -1",
                    (int)parity);
    rec->nf = pos;
    rec->total_two_j = total;
    rec->parity = parity;
    int rc = csfs_v2_validate(ctx, rec, why);
    if (rc) {
        /* Point at the column behind a validation failure where one exists. */
        if (why && why->peel >= 0) {
            int32_t base = CSFS_V2_CHANNELS * why->peel;
            why->column = rc == CSFS_V2_E_COUPLING_BOUNDARY                         ? base + 3
                          : rc == CSFS_V2_E_OCCUPATION                              ? base
                          : rc == CSFS_V2_E_STATE || rc == CSFS_V2_E_NO_STATE_TABLE ? base + 1
                                                                                    : -1;
        }
        rec->nf = 0;
        return rc;
    }
    return CSFS_V2_OK;
}
