/*
 * The reversible "V2" descriptor layout of rCSFs 1.3
 * (shared/spec/DESCRIPTORS-V2.md): per peel subshell four int32 channels
 * (n, 2J, seniority, 2K; -1 where GRASP printed nothing) plus total 2J and
 * parity, and the way back from such a row to the three GRASP lines.
 *
 *   text --csfs_v2_parse--> record --csfs_v2_store--> row
 *   row  --csfs_v2_decode-> record --csfs_v2_format-> text
 *
 * A record is the integer form of one CSF; parse and decode both end with
 * the same legality check (rCSFs validate_record), so every record they
 * return can be stored and formatted.
 *
 * A csfs_v2_ctx is per thread and built once per peel list; records are
 * reusable buffers. Nothing here allocates per CSF.
 */
#ifndef CSFS_DESCRIPTOR_V2_H
#define CSFS_DESCRIPTOR_V2_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "csfs.h"
#include "grasp/peel.h"

#define CSFS_V2_MISSING (-1)    /* a value GRASP did not print */
#define CSFS_V2_CHANNELS 4      /* int32 columns per peel subshell */
#define CSFS_V2_MAX_TWO_J 65535 /* 2J/2K are u16 in rCSFs */

/* Row width for a peel list of n_peel subshells: 4 * n_peel + 2. */
static inline size_t csfs_v2_width(size_t n_peel)
{
    return CSFS_V2_CHANNELS * n_peel + 2;
}

/*
 * Name of column c ("sub{i}_n", "sub{i}_2j", "sub{i}_v", "sub{i}_2k",
 * "total_two_j", "parity") written NUL-terminated to buf; returns its
 * length, or 0 when c >= csfs_v2_width(n_peel) or buf is too small.
 */
size_t csfs_v2_column_name(size_t n_peel, size_t c, char *buf, size_t cap);

/* ---- failures --------------------------------------------------------- */

/* Why a CSF text, a row or a record was refused. Values are stable. */
typedef enum csfs_v2_fail {
    CSFS_V2_OK = 0,
    /* text -> record (rCSFs parse_csf_v2_into) */
    CSFS_V2_E_NON_ASCII = 1,         /* a byte >= 0x80 in one of the three lines */
    CSFS_V2_E_LINE1_LENGTH = 2,      /* line 1 (right-trimmed) empty or not a multiple of 9 */
    CSFS_V2_E_LINE3_LENGTH = 3,      /* line 3 (right-trimmed) shorter than 9 bytes */
    CSFS_V2_E_TOTAL_J = 4,           /* total J missing, unparsable, negative or > 65535 */
    CSFS_V2_E_PARITY = 5,            /* parity is not '+'/'-' (text) or not +1/-1 (row) */
    CSFS_V2_E_FIELD_SYNTAX = 6,      /* empty label, or no '(' at byte 5 / ')' at byte 8 */
    CSFS_V2_E_OCCUPATION_SYNTAX = 7, /* electron count is not an unsigned 8-bit number */
    CSFS_V2_E_UNKNOWN_LABEL = 8,     /* subshell label not in the peel list */
    CSFS_V2_E_STATE_SYNTAX = 9,      /* line-2 J unparsable, negative or > 65535 */
    CSFS_V2_E_SENIORITY = 10,        /* "v;J" not at offsets 3-4, or seniority not 0..9 */
    CSFS_V2_E_COUPLING_SYNTAX = 11,  /* line-3 coupling unparsable, negative or > 65535 */
    /* the record itself (rCSFs validate_record) */
    CSFS_V2_E_EMPTY = 12,             /* no occupied subshell */
    CSFS_V2_E_PEEL_ORDER = 13,        /* peel indices not strictly increasing */
    CSFS_V2_E_BAD_SUBSHELL = 14,      /* peel label is not a relativistic subshell (e.g. s-) */
    CSFS_V2_E_OCCUPATION = 15,        /* electrons outside 1..capacity */
    CSFS_V2_E_NO_STATE_TABLE = 16,    /* state printed where GRASP has no j^N table */
    CSFS_V2_E_STATE = 17,             /* printed (2J, seniority) not a state of j^N */
    CSFS_V2_E_COUPLING_BOUNDARY = 18, /* 2K on the first or last occupied subshell */
    /* row -> record (rCSFs decode_v2_into) */
    CSFS_V2_E_REJECTED_ROW = 19,        /* the csfs --keep-going placeholder row */
    CSFS_V2_E_UNUSED_CHANNELS = 20,     /* n == 0 but 2J, v or 2K is not -1 */
    CSFS_V2_E_SENIORITY_WITHOUT_J = 21, /* v != -1 with 2J == -1 */
    CSFS_V2_E_VALUE_RANGE = 22,         /* a value outside its type (n < 0, 2J < -1, ...) */
    /* record -> text (rCSFs format_record) */
    CSFS_V2_E_TOO_WIDE = 23, /* a value or label does not fit its GRASP field */
    CSFS_V2_E_NOMEM = 24,    /* the output buffer could not grow */
} csfs_v2_fail;

#define CSFS_V2_FAIL_KINDS 25

/* Short stable description of a kind ("unknown subshell label", ...). */
const char *csfs_v2_fail_name(int kind);

typedef struct csfs_v2_failure {
    int kind;         /* csfs_v2_fail */
    int32_t field;    /* 0-based subshell field (CSF position) concerned, or -1 */
    int32_t peel;     /* 0-based peel index concerned, or -1 */
    int32_t column;   /* decode: 0-based row column of the offending value, or -1 */
    char reason[160]; /* human text, complete sentence fragment, NUL-terminated */
} csfs_v2_failure;

/* ---- records ------------------------------------------------------------ */

/* One occupied subshell, with every value already in row encoding. */
typedef struct csfs_v2_sub {
    int32_t peel;      /* index in the peel list */
    int32_t occ;       /* electrons */
    int32_t two_j;     /* 2J printed on line 2, or -1 */
    int32_t seniority; /* seniority printed on line 2 ("v;J"), or -1 */
    int32_t two_k;     /* 2K printed on line 3 under this field, or -1 */
} csfs_v2_sub;

typedef struct csfs_v2_record {
    _Alignas(64) csfs_v2_sub *sub; /* nf entries in CSF order (= strictly increasing peel) */
    size_t nf;
    size_t cap; /* entries sub can hold (the peel count) */
    int32_t total_two_j;
    int32_t parity; /* +1 even, -1 odd */
    /* csfs_v2_parse only: 1 when csfs_v2_format gives back the input lines
     * byte for byte (so text -> V2 -> text is the identity for this CSF). */
    int canonical;
} csfs_v2_record;

/*
 * Records made without text (csfs generate's engine source): record i's
 * subshells are sub[first[i] .. first[i + 1]), valid and in peel order over
 * the list's own peel list (header line 4): what csfs_v2_parse would give
 * for its text, canonical.
 */
typedef struct csfs_v2_made {
    const csfs_v2_sub *sub;
    const uint32_t *first;
    const int32_t *total_two_j;
    const int8_t *parity; /* +1 even, -1 odd */
} csfs_v2_made;

/* A record able to hold any CSF over n_peel subshells. */
int csfs_v2_record_init(csfs_v2_record *rec, size_t n_peel, csfs_error *err);
void csfs_v2_record_free(csfs_v2_record *rec);

/* ---- per-thread context ------------------------------------------------- */

#define CSFS_V2_J4_CACHE 256

typedef struct csfs_v2_ctx {
    _Alignas(64) const csfs_peel *peel;
    size_t n_peel;
    uint8_t *capacity;   /* per peel index: 2|kappa|, 0 = not a valid subshell label */
    char (*display)[5];  /* per peel index: the label as line 1 prints it, right-aligned */
    uint8_t *display_ok; /* 0: the label does not fit 5 bytes (cannot be formatted) */
    /* Allowed 2J (bit 2J) of each j^N table with >= 3 electrons/holes:
     * [table][0] unlabelled states, [table][1 + v] states with seniority v. */
    uint64_t state_mask[6][11];
    /* J text as the formatter writes it, right-aligned in 4 bytes, for the
     * 2J values met in practice (canonical check without formatting). */
    uint32_t j4[CSFS_V2_J4_CACHE];
    /* Line-1 labels exactly as GRASP prints them ("  4d-") -> peel index, by
     * open addressing on the 5 raw bytes: the usual field needs no trim. */
    uint64_t *raw_key; /* 0 = empty slot */
    int32_t *raw_index;
    size_t raw_mask;
    /* Set by the caller while every byte of the records it parses is known
     * to be ASCII (csfs_records_ascii): the per-CSF check is skipped. */
    int ascii_known;
    /* The table-driven path for canonical CSFs (descriptor/v2_fast.h), and
     * a switch that turns it off (tests compare both paths). */
    struct csfs_v2_fast *fast;
    int general_only;
} csfs_v2_ctx;

/* The peel list must outlive the context. */
int csfs_v2_ctx_init(csfs_v2_ctx *ctx, const csfs_peel *peel, csfs_error *err);
void csfs_v2_ctx_free(csfs_v2_ctx *ctx);

/* ---- the four conversions ----------------------------------------------- */

/*
 * Parses one CSF (lines without line ends) under the lenient rCSFs rule and
 * validates it. Returns CSFS_V2_OK and fills rec (canonical included), or a
 * csfs_v2_fail kind with why filled (why may be NULL); rec->nf is then 0.
 */
int csfs_v2_parse(csfs_v2_ctx *ctx, const char *l1, size_t n1, const char *l2, size_t n2,
                  const char *l3, size_t n3, csfs_v2_record *rec, csfs_v2_failure *why);

/*
 * Writes the canonical row of a valid record (from parse, decode or
 * validate): value c goes to dst[c * col_stride]. Writes every column.
 */
void csfs_v2_store(const csfs_v2_record *rec, size_t n_peel, int32_t *dst, size_t col_stride);

/*
 * The same rows written in two steps, for a block of rows in strided
 * columns: every subshell column starts at an empty subshell's values
 * (n = 0; 2J, seniority, 2K = -1: csfs_v2_fill_value of the column, set by
 * csfs_v2_fill_empty for rows [0, rows), or kept from the page's fill by
 * the engine), then csfs_v2_store_sparse writes only the subshells a
 * record holds and its total J and parity. With wide peel lists most
 * subshells of a CSF are empty, and this saves a strided store for each.
 * touched (NULL: not kept) gets bit c for every column c written.
 */
uint32_t csfs_v2_fill_value(size_t n_peel, size_t c);
void csfs_v2_fill_empty(size_t n_peel, int32_t *dst, size_t col_stride, size_t rows);
void csfs_v2_store_sparse(const csfs_v2_record *rec, size_t n_peel, int32_t *dst, size_t col_stride,
                          uint64_t *touched);

/*
 * csfs_v2_store of made records first .. end-1 into rows 0 .. end-first-1
 * (dst as there): the same values, written column by column (each record's
 * own subshells, and total J and parity), which touches a few cache lines
 * per row instead of one per column. With touched NULL the rows are first
 * set to the empty values (csfs_v2_fill_empty); else they must hold them
 * already, and touched gets bit c for every column c written.
 */
void csfs_v2_store_made(const csfs_v2_made *m, size_t first, size_t end, size_t n_peel,
                        int32_t *dst, size_t col_stride, uint64_t *touched);

/* The placeholder row csfs --keep-going writes for a rejected CSF: every
 * column -1 except parity 0 (a value no real row has). */
void csfs_v2_store_rejected(size_t n_peel, int32_t *dst, size_t col_stride);

/*
 * Row (value c at row[c * col_stride]) -> record, then validates it.
 * Returns CSFS_V2_OK or a kind with why filled; refuses the rejected-row
 * placeholder with CSFS_V2_E_REJECTED_ROW.
 */
int csfs_v2_decode(const csfs_v2_ctx *ctx, const int32_t *row, size_t col_stride,
                   csfs_v2_record *rec, csfs_v2_failure *why);

/*
 * rCSFs validate_record on a record, plus the range of every value (so
 * that a hand-built record that passes can be stored and formatted).
 */
int csfs_v2_validate(const csfs_v2_ctx *ctx, const csfs_v2_record *rec, csfs_v2_failure *why);

/*
 * Appends the record's three GRASP lines, each followed by "\n", to out
 * (rCSFs format_record, byte-exact). Returns CSFS_V2_OK, or a kind (out is
 * then unchanged): CSFS_V2_E_TOO_WIDE when a J does not fit 4 characters
 * (e.g. total 2J = 999), CSFS_V2_E_NOMEM, or a range/boundary kind for a
 * record that was not validated.
 */
int csfs_v2_format(const csfs_v2_ctx *ctx, const csfs_v2_record *rec, csfs_buf *out,
                   csfs_v2_failure *why);

/* ---- GRASP subshell data (descriptor/v2_states.c) ----------------------------------- */

/* Capacity 2|kappa| of a subshell label ("4f-" -> 6), or 0 when the label is
 * not one rCSFs Subshell::from_str accepts (canonical "{n}{l}[-]", n <= 15,
 * l < n, no "s-"). */
int csfs_v2_subshell_capacity(const char *label, size_t len);

/* One state of a j^N subshell as GRASP prints it. */
typedef struct csfs_v2_state {
    int16_t two_j;
    int8_t seniority; /* -1: printed without a seniority label */
} csfs_v2_state;

/* GRASP's tabulated j^N states (rcsfgenerate JKVANT/SENIOR), for the
 * (2j, min(N, holes)) pairs with 3 or more electrons or holes. */
typedef struct csfs_v2_state_table {
    int sub_two_j; /* 2j of the subshell */
    int pop;       /* min(electrons, holes) */
    size_t count;
    const csfs_v2_state *states;
} csfs_v2_state_table;

extern const csfs_v2_state_table csfs_v2_state_tables[6];

/* Index into csfs_v2_state_tables for (2j, pop >= 3), or -1 (no table). */
int csfs_v2_state_table_index(int sub_two_j, int pop);

/*
 * rCSFs subshell_states(2j, electrons): the printable states, in GRASP's
 * order, written to out (up to cap) with their number in *n. Returns 0, or
 * -1 when GRASP has no table (or electrons > 2j + 1).
 */
int csfs_v2_subshell_states(int sub_two_j, int electrons, csfs_v2_state *out, size_t cap,
                            size_t *n);

#endif
