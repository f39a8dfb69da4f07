/* Parquet reader: thrift, RLE/bit-packing and delta decoders on hand-made
 * bytes, malformed files, the in-memory source and concurrent reads. */
#include <dirent.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "parquet/delta_decode.h"
#include "parquet/pq_reader.h"
#include "parquet/rle_decode.h"
#include "parquet/thrift_read.h"
#include "testutil.h"

#define TESTING(rel) tu_data("data/parquet-testing/" rel) /* shared/ only: NULL skips */

/* ---- thrift ------------------------------------------------------------------- */

static void test_thrift_values(void)
{
    static const uint8_t varint[] = {0x96, 0x01};
    pq_tr t;
    pq_tr_init(&t, varint, sizeof varint);
    CHECK_EQ_INT(pq_tr_varint(&t), 150);
    CHECK(!pq_tr_failed(&t));

    static const uint8_t zz[] = {0x03, 0x04, 0xfe, 0xff, 0xff, 0xff, 0x0f};
    pq_tr_init(&t, zz, sizeof zz);
    CHECK_EQ_INT(pq_tr_i32(&t), -2);
    CHECK_EQ_INT(pq_tr_i32(&t), 2);
    CHECK_EQ_INT(pq_tr_i32(&t), INT32_MAX);
    CHECK(!pq_tr_failed(&t));

    /* An i32 field whose value does not fit. */
    static const uint8_t big[] = {0x80, 0x80, 0x80, 0x80, 0x20};
    pq_tr_init(&t, big, sizeof big);
    pq_tr_i32(&t);
    CHECK(pq_tr_failed(&t));

    static const uint8_t long_varint[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0x01};
    pq_tr_init(&t, long_varint, sizeof long_varint);
    pq_tr_varint(&t);
    CHECK(pq_tr_failed(&t));
}

/*
 * struct {
 *   1: i32 42; 2: binary "abc"; 100: i64 1 (long-form id); 101: bool true;
 *   102: list<i32> [1, 2, 3]; 103: struct { 1: i32 1 }; 104: double 1.5
 * }
 */
static const uint8_t sample_struct[] = {0x15, 0x54,                  /* 1: i32 zigzag(42) */
                                        0x18, 0x03, 'a',  'b',  'c', /* 2: binary */
                                        0x06, 0xc8, 0x01, 0x02, /* id 100 (zigzag 200), i64 1 */
                                        0x11,                   /* 101: bool true */
                                        0x19, 0x35, 0x02, 0x04, 0x06, /* 102: list of 3 i32 */
                                        0x1c, 0x15, 0x02, 0x00,       /* 103: struct { 1: i32 1 } */
                                        0x17, 0,    0,    0,    0,
                                        0,    0,    0xf8, 0x3f, /* 104: double 1.5 */
                                        0x00};

static void test_thrift_struct(void)
{
    pq_tr t;
    pq_tr_init(&t, sample_struct, sizeof sample_struct);
    int16_t last, id;
    int type;
    int seen = 0;
    pq_tr_struct_begin(&t, &last);
    while (pq_tr_field(&t, &last, &id, &type)) {
        if (id == 1 && pq_tr_expect(&t, type, PQ_TR_I32)) {
            CHECK_EQ_INT(pq_tr_i32(&t), 42);
            seen |= 1;
        } else if (id == 2 && pq_tr_expect(&t, type, PQ_TR_BINARY)) {
            const uint8_t *d;
            size_t n;
            CHECK(pq_tr_binary(&t, &d, &n));
            CHECK(n == 3 && !memcmp(d, "abc", 3));
            seen |= 2;
        } else if (id == 100 && pq_tr_expect(&t, type, PQ_TR_I64)) {
            CHECK_EQ_INT(pq_tr_i64(&t), 1);
            seen |= 4;
        } else if (id == 101 && pq_tr_expect(&t, type, PQ_TR_TRUE)) {
            CHECK(pq_tr_bool_field(type));
            seen |= 8;
        } else if (id == 102 && pq_tr_expect(&t, type, PQ_TR_LIST)) {
            int et;
            size_t n;
            CHECK(pq_tr_list(&t, &et, &n));
            CHECK_EQ_INT(et, PQ_TR_I32);
            CHECK_EQ_INT(n, 3);
            for (size_t i = 0; i < n; i++) CHECK_EQ_INT(pq_tr_i32(&t), (int)i + 1);
            seen |= 16;
        } else if (id == 104 && pq_tr_expect(&t, type, PQ_TR_DOUBLE)) {
            CHECK(pq_tr_double(&t) == 1.5);
            seen |= 32;
        } else {
            /* 103 (the nested struct) is skipped as an unknown field. */
            CHECK_EQ_INT(id, 103);
            pq_tr_skip(&t, type);
            seen |= 64;
        }
    }
    pq_tr_struct_end(&t);
    CHECK(!pq_tr_failed(&t));
    CHECK_EQ_INT(seen, 127);
    CHECK(t.p == t.end);

    /* The whole struct skipped in one call; then every truncation fails. */
    pq_tr_init(&t, sample_struct, sizeof sample_struct);
    pq_tr_skip(&t, PQ_TR_STRUCT);
    CHECK(!pq_tr_failed(&t) && t.p == t.end);
    for (size_t n = 0; n < sizeof sample_struct; n++) {
        pq_tr_init(&t, sample_struct, n);
        pq_tr_skip(&t, PQ_TR_STRUCT);
        CHECK(pq_tr_failed(&t));
    }
}

static void test_thrift_hostile(void)
{
    /* A list claiming more elements than bytes left. */
    static const uint8_t list[] = {0xf5, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x02};
    pq_tr t;
    int et;
    size_t n;
    pq_tr_init(&t, list, sizeof list);
    CHECK(!pq_tr_list(&t, &et, &n));
    CHECK(pq_tr_failed(&t));

    /* A binary longer than the buffer. */
    static const uint8_t bin[] = {0x10, 'a'};
    const uint8_t *d;
    pq_tr_init(&t, bin, sizeof bin);
    CHECK(!pq_tr_binary(&t, &d, &n));

    /* Structs nested far deeper than any real footer: refused, no stack blow-up. */
    uint8_t deep[4000];
    memset(deep, 0x1c, sizeof deep);
    pq_tr_init(&t, deep, sizeof deep);
    pq_tr_skip(&t, PQ_TR_STRUCT);
    CHECK(pq_tr_failed(&t));
    CHECK_CONTAINS(t.error, "nested");

    /* Nested lists too. */
    uint8_t deep_list[4000];
    for (size_t i = 0; i < sizeof deep_list; i++) deep_list[i] = 0x19;
    pq_tr_init(&t, deep_list, sizeof deep_list);
    pq_tr_skip(&t, PQ_TR_LIST);
    CHECK(pq_tr_failed(&t));

    /* A map of huge declared size. */
    static const uint8_t map[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x55};
    pq_tr_init(&t, map, sizeof map);
    pq_tr_skip(&t, PQ_TR_MAP);
    CHECK(pq_tr_failed(&t));

    /* An unknown wire type in a field header. */
    static const uint8_t wire[] = {0x1e, 0x00};
    pq_tr_init(&t, wire, sizeof wire);
    pq_tr_skip(&t, PQ_TR_STRUCT);
    CHECK(pq_tr_failed(&t));
}

/* ---- RLE / bit packing -------------------------------------------------------------- */

static void test_rle_hybrid(void)
{
    /* Encodings.md: 0..7 bit-packed with width 3 is 0x88 0xc6 0xfa. */
    static const uint8_t packed[] = {0x03, 0x88, 0xc6, 0xfa};
    pq_rle_dec d;
    uint32_t v[16];
    pq_rle_dec_init(&d, packed, sizeof packed, 3);
    CHECK_EQ_INT(pq_rle_dec_u32(&d, v, 8), 8);
    for (int i = 0; i < 8; i++) CHECK_EQ_INT(v[i], i);
    CHECK_EQ_INT(pq_rle_dec_u32(&d, v, 1), 0); /* the data ends */

    /* An RLE run of 5 sevens, then the bit-packed run, read across runs. */
    static const uint8_t mixed[] = {0x0a, 0x07, 0x03, 0x88, 0xc6, 0xfa};
    pq_rle_dec_init(&d, mixed, sizeof mixed, 3);
    CHECK_EQ_INT(pq_rle_dec_u32(&d, v, 3), 3);
    CHECK_EQ_INT(pq_rle_dec_u32(&d, v + 3, 10), 10);
    for (int i = 0; i < 5; i++) CHECK_EQ_INT(v[i], 7);
    for (int i = 0; i < 8; i++) CHECK_EQ_INT(v[5 + i], i);

    /* Wide values: an RLE run of a 20-bit value takes 3 bytes. */
    static const uint8_t wide[] = {0x04, 0x56, 0x34, 0x02};
    pq_rle_dec_init(&d, wide, sizeof wide, 20);
    CHECK_EQ_INT(pq_rle_dec_u32(&d, v, 2), 2);
    CHECK_EQ_INT(v[1], 0x23456);

    /* Width 0: every value is 0, the run takes no bytes. */
    static const uint8_t zero[] = {0x09};
    pq_rle_dec_init(&d, zero, sizeof zero, 0);
    CHECK_EQ_INT(pq_rle_dec_u32(&d, v, 16), 16);
    CHECK_EQ_INT(v[15], 0);

    /* A bit-packed run cut short yields only the values whose bits are there. */
    static const uint8_t cut[] = {0x05, 0x88, 0xc6};
    pq_rle_dec_init(&d, cut, sizeof cut, 3);
    CHECK_EQ_INT(pq_rle_dec_u32(&d, v, 16), 5);

    /* An RLE run whose value bytes are missing. */
    static const uint8_t novalue[] = {0x0a};
    pq_rle_dec_init(&d, novalue, sizeof novalue, 8);
    CHECK_EQ_INT(pq_rle_dec_u32(&d, v, 1), 0);
}

static void test_levels(void)
{
    /* 3 ones (RLE), then 8 bit-packed levels 1,0,1,0,1,0,1,0 (0x55). */
    static const uint8_t lv[] = {0x06, 0x01, 0x03, 0x55};
    uint8_t out[16];
    size_t ones = 0;
    pq_rle_dec d;
    pq_rle_dec_init(&d, lv, sizeof lv, 1);
    CHECK_EQ_INT(pq_rle_dec_levels(&d, out, 11, 1, &ones), 0);
    CHECK_EQ_INT(ones, 7);
    CHECK(out[0] == 1 && out[3] == 1 && out[4] == 0 && out[10] == 0);

    pq_rle_dec_init(&d, lv, sizeof lv, 1);
    CHECK_EQ_INT(pq_rle_dec_levels(&d, out, 12, 1, &ones), -1); /* one too many */

    static const uint8_t two[] = {0x02, 0x02};
    pq_rle_dec_init(&d, two, sizeof two, 2);
    CHECK_EQ_INT(pq_rle_dec_levels(&d, out, 1, 1, &ones), -2); /* level above the max */

    /* Deprecated BIT_PACKED, MSB first: 0..7 in width 3 is 0x05 0x39 0x77. */
    static const uint8_t msb[] = {0x05, 0x39, 0x77};
    CHECK_EQ_INT(pq_bitpacked_levels(msb, sizeof msb, 3, out, 8, 7, &ones), 0);
    for (int i = 0; i < 8; i++) CHECK_EQ_INT(out[i], i);
    CHECK_EQ_INT(ones, 1);
    CHECK_EQ_INT(pq_bitpacked_levels(msb, 2, 3, out, 8, 7, &ones), -1);
    CHECK_EQ_INT(pq_bitpacked_levels(msb, sizeof msb, 3, out, 8, 6, &ones), -2);

    uint8_t bools[3];
    static const uint8_t bits[] = {0x05};
    CHECK(pq_unpack_bools(bits, 1, bools, 3));
    CHECK(bools[0] == 1 && bools[1] == 0 && bools[2] == 1);
    CHECK(!pq_unpack_bools(bits, 1, bools, 9));
}

/* Packs values LSB first, the reference for the unpackers. */
static void pack_bits(const uint64_t *v, size_t n, unsigned bw, uint8_t *out)
{
    memset(out, 0, (n * bw + 7) / 8 + 16);
    for (size_t i = 0; i < n; i++)
        for (unsigned b = 0; b < bw; b++) {
            size_t bit = i * bw + b;
            if (v[i] >> b & 1) out[bit / 8] |= (uint8_t)(1u << (bit % 8));
        }
}

static void test_unpack_all_widths(void)
{
    uint64_t v[70], got64[70];
    uint32_t got32[70];
    uint8_t buf[70 * 8 + 16];
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (unsigned bw = 0; bw <= 64; bw++) {
        for (size_t i = 0; i < 70; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            v[i] = bw == 64 ? x : x & (((uint64_t)1 << bw) - 1);
        }
        pack_bits(v, 70, bw, buf);
        size_t nbytes = (70 * bw + 7) / 8; /* exact: exercises the tail path */
        pq_unpack_u64(buf, nbytes, 0, bw, got64, 70);
        int ok = 1;
        for (size_t i = 0; i < 70; i++) ok &= got64[i] == v[i];
        CHECK(ok);
        if (bw <= 32) {
            pq_unpack_u32(buf, nbytes, 0, bw, got32, 70);
            ok = 1;
            for (size_t i = 0; i < 70; i++) ok &= got32[i] == v[i];
            CHECK(ok);
        }
    }
}

/* ---- DELTA_BINARY_PACKED -------------------------------------------------------------- */

static void test_delta(void)
{
    int64_t out[16];
    int32_t out32[16];
    uint64_t total;
    size_t used;
    const char *why;

    /* Encodings.md example 1 with a legal block (128 values, 4 miniblocks):
     * 1..5 are min delta 1 and zero-width miniblocks. */
    static const uint8_t ex1[] = {0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0};
    CHECK_EQ_INT(pq_dbp_decode(ex1, sizeof ex1, 64, out, 5, &total, &used, &why), 0);
    CHECK_EQ_INT(total, 5);
    CHECK_EQ_INT(used, sizeof ex1);
    for (int i = 0; i < 5; i++) CHECK_EQ_INT(out[i], i + 1);

    /* Example 2: 7,5,3,1,2,3,4,5: min delta -2, first miniblock 2 bits wide
     * holding 0,0,0,3,3,3,3 (+ padding to 32 values = 8 bytes). */
    static const uint8_t ex2[] = {0x80, 0x01, 0x04, 0x08, 0x0e, 0x03, 2, 0, 0,
                                  0,    0xc0, 0x3f, 0,    0,    0,    0, 0, 0};
    CHECK_EQ_INT(pq_dbp_decode(ex2, sizeof ex2, 32, out32, 8, &total, &used, &why), 0);
    static const int32_t want2[] = {7, 5, 3, 1, 2, 3, 4, 5};
    for (int i = 0; i < 8; i++) CHECK_EQ_INT(out32[i], want2[i]);
    CHECK_EQ_INT(used, sizeof ex2);
    /* Fewer values than the stream holds may be asked for. */
    CHECK_EQ_INT(pq_dbp_decode(ex2, sizeof ex2, 32, out32, 3, &total, &used, &why), 0);
    CHECK_EQ_INT(out32[2], 3);

    /* INT32 arithmetic wraps: INT32_MAX then INT32_MIN is a delta of 1. */
    static const uint8_t wrap[] = {0x80, 0x01, 0x04, 0x02, 0xfe, 0xff, 0xff,
                                   0xff, 0x0f, 0x02, 0,    0,    0,    0};
    CHECK_EQ_INT(pq_dbp_decode(wrap, sizeof wrap, 32, out32, 2, &total, &used, &why), 0);
    CHECK_EQ_INT(out32[0], INT32_MAX);
    CHECK_EQ_INT(out32[1], INT32_MIN);

    /* A single value: header only. */
    static const uint8_t one[] = {0x80, 0x01, 0x04, 0x01, 0x07};
    CHECK_EQ_INT(pq_dbp_decode(one, sizeof one, 64, out, 1, &total, &used, &why), 0);
    CHECK_EQ_INT(out[0], -4);
    CHECK_EQ_INT(used, sizeof one);

    /* Malformed: a block size that is not a multiple of 128, a count below
     * what is needed, a truncated miniblock, a width above 32 for INT32. */
    static const uint8_t badblock[] = {0x64, 0x04, 0x05, 0x02};
    CHECK(pq_dbp_decode(badblock, sizeof badblock, 64, out, 5, &total, &used, &why) != 0);
    CHECK(pq_dbp_decode(ex1, sizeof ex1, 64, out, 6, &total, &used, &why) != 0);
    /* Padding of the last miniblock may be missing: the values are there. */
    CHECK_EQ_INT(pq_dbp_decode(ex2, sizeof ex2 - 3, 32, out32, 8, &total, &used, &why), 0);
    uint8_t wide[sizeof ex2];
    memcpy(wide, ex2, sizeof ex2);
    wide[6] = 33;
    CHECK(pq_dbp_decode(wide, sizeof wide, 32, out32, 8, &total, &used, &why) != 0);
    for (size_t n = 0; n < sizeof ex2 - 6; n++)
        CHECK(pq_dbp_decode(ex2, n, 32, out32, 8, &total, &used, &why) != 0);
}

/* ---- files ------------------------------------------------------------------------- */

static int open_bytes(const void *p, size_t n, csfs_error *err)
{
    pq_file *f;
    int rc = pq_file_open_memory(&f, p, n, "mem.parquet", err);
    if (!rc) pq_file_close(f);
    return rc;
}

static void test_malformed_files(void)
{
    csfs_error err = {0};
    pq_file *f;
    CHECK_EQ_INT(pq_file_open(&f, "/nonexistent/x.parquet", &err), CSFS_E_IO);
    CHECK_CONTAINS(err.message, "/nonexistent/x.parquet");

    CHECK_EQ_INT(open_bytes("PAR1PAR1", 8, &err), CSFS_E_FORMAT);
    CHECK_EQ_INT(open_bytes(NULL, 0, &err), CSFS_E_FORMAT);
    CHECK_EQ_INT(open_bytes("PAR1\0\0\0\0PAR2", 12, &err), CSFS_E_FORMAT);
    CHECK_CONTAINS(err.message, "magic");
    CHECK_EQ_INT(open_bytes("PAR1\0\0\0\0PARE", 12, &err), CSFS_E_UNSUPPORTED);
    CHECK_CONTAINS(err.message, "encrypted");
    /* A footer length far beyond the file. */
    CHECK_EQ_INT(open_bytes("PAR1\xff\xff\xff\x7fPAR1", 12, &err), CSFS_E_FORMAT);
    CHECK_CONTAINS(err.message, "footer length");
    /* An empty footer (just a stop byte): lacks the required fields. */
    CHECK_EQ_INT(open_bytes("PAR1\x00\x01\0\0\0PAR1", 13, &err), CSFS_E_FORMAT);
    /* A footer whose schema list claims 2^31 elements. */
    static const uint8_t huge_list[] = {'P',  'A', 'R', '1', 0x29, 0xfc, 0xff, 0xff, 0xff, 0x07,
                                        0x00, 7,   0,   0,   0,    'P',  'A',  'R',  '1'};
    CHECK_EQ_INT(open_bytes(huge_list, sizeof huge_list, &err), CSFS_E_FORMAT);

    /* Every truncation and many byte flips of a real file: an error or a
     * clean read, never a crash (ASan builds check the rest). */
    size_t len;
    const char *plain = TESTING("data/alltypes_plain.parquet");
    if (!plain) return;
    char *src = tu_read_file(plain, &len);
    CHECK(src != NULL);
    if (!src) return;
    int failures = 0;
    for (size_t n = 0; n < len; n++) failures += open_bytes(src, n, &err) != 0;
    CHECK_EQ_INT(failures, (int)len);
    char *copy = malloc(len);
    pq_column_data d;
    pq_column_data_init(&d);
    for (size_t pos = 0; pos < len; pos += 3) {
        memcpy(copy, src, len);
        copy[pos] = (char)(copy[pos] ^ 0xa5);
        if (pq_file_open_memory(&f, copy, len, "flipped", &err)) continue;
        for (size_t c = 0; c < pq_file_num_columns(f); c++)
            for (size_t g = 0; g < pq_file_num_row_groups(f); g++)
                pq_read_column(f, g, c, &d, &err);
        pq_file_close(f);
    }
    pq_column_data_free(&d);
    free(copy);
    free(src);
}

static void test_read_memory_and_limits(void)
{
    size_t len;
    const char *plain = TESTING("data/alltypes_plain.parquet");
    if (!plain) return;
    char *src = tu_read_file(plain, &len);
    CHECK(src != NULL);
    if (!src) return;
    csfs_error err = {0};
    pq_file *f;
    CHECK_EQ_INT(pq_file_open_memory(&f, src, len, "alltypes_plain", &err), 0);
    CHECK_EQ_INT(pq_file_num_rows(f), 8);
    CHECK_EQ_INT(pq_file_num_columns(f), 11);
    long id = pq_file_find_column(f, "id"), s = pq_file_find_column(f, "string_col");
    CHECK(id == 0 && s == 9);
    CHECK_EQ_INT(pq_file_find_column(f, "nope"), -1);
    CHECK_CONTAINS(pq_file_created_by(f), "impala");

    pq_column_data d;
    pq_column_data_init(&d);
    CHECK_EQ_INT(pq_read_column(f, 0, (size_t)id, &d, &err), 0);
    static const int32_t ids[] = {4, 5, 6, 7, 2, 3, 0, 1};
    CHECK_EQ_INT(d.rows, 8);
    CHECK(d.type == PQ_INT32 && d.width == 4 && d.defined != NULL && d.null_count == 0);
    CHECK(!memcmp(d.values, ids, sizeof ids));
    /* The same pq_column_data for a byte-array column. */
    CHECK_EQ_INT(pq_read_column(f, 0, (size_t)s, &d, &err), 0);
    CHECK(d.values == NULL && d.offsets != NULL);
    CHECK_EQ_INT(d.offsets[8], 8);
    CHECK(d.data[d.offsets[1]] == '1');

    CHECK_EQ_INT(pq_read_column(f, 1, 0, &d, &err), CSFS_E_ARGUMENT);
    CHECK_EQ_INT(pq_read_column(f, 0, 11, &d, &err), CSFS_E_ARGUMENT);
    /* A byte limit smaller than the chunk: refused, not attempted. */
    d.max_bytes = 16;
    CHECK(pq_read_column(f, 0, (size_t)id, &d, &err) != 0);
    pq_column_data_free(&d);
    pq_file_close(f);
    free(src);

    /* Nested columns are refused with a clear message; the file still opens. */
    const char *nested = TESTING("data/nested_structs.rust.parquet");
    if (!nested) return;
    CHECK_EQ_INT(pq_file_open(&f, nested, &err), 0);
    pq_column_data_init(&d);
    CHECK_EQ_INT(pq_read_column(f, 0, 0, &d, &err), CSFS_E_UNSUPPORTED);
    CHECK_CONTAINS(err.message, "not supported");
    pq_column_data_free(&d);
    pq_file_close(f);
}

/* Inputs the fuzzer once crashed on (tests/fuzz/regressions): in normal and
 * sanitizer builds alike they must give errors or clean reads. */
static void test_fuzz_regressions(void)
{
    const char *dir = CSFS_SOURCE_DIR "/tests/fuzz/regressions/fuzz_parquet_reader";
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d) return;
    int files = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        csfs_error err = {0};
        pq_file *f;
        files++;
        if (pq_file_open(&f, path, &err)) continue;
        pq_column_data cd;
        pq_column_data_init(&cd);
        cd.max_bytes = (uint64_t)64 << 20;
        for (size_t g = 0; g < pq_file_num_row_groups(f); g++)
            for (size_t c = 0; c < pq_file_num_columns(f); c++) pq_read_column(f, g, c, &cd, &err);
        pq_column_data_free(&cd);
        pq_file_close(f);
    }
    closedir(d);
    CHECK(files > 0);
}

/* ---- concurrency ------------------------------------------------------------------- */

typedef struct job {
    const pq_file *f;
    size_t col;
    uint64_t sum; /* a digest of the values read */
    int rc;
} job;

static uint64_t digest(const pq_column_data *d)
{
    uint64_t h = 1469598103934665603u;
    const uint8_t *p = d->values ? d->values : d->data;
    size_t n = d->values ? d->rows * d->width : (size_t)d->data_size;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211u;
    for (size_t i = 0; d->defined && i < d->rows; i++) h = (h ^ d->defined[i]) * 1099511628211u;
    return h;
}

static void *run_job(void *arg)
{
    job *j = arg;
    pq_column_data d;
    pq_column_data_init(&d);
    csfs_error err = {0};
    for (int rep = 0; rep < 20 && !j->rc; rep++) {
        j->rc = pq_read_column(j->f, 0, j->col, &d, &err);
        if (!j->rc) j->sum = digest(&d);
    }
    pq_column_data_free(&d);
    return NULL;
}

static void test_concurrent_reads(void)
{
    csfs_error err = {0};
    pq_file *f;
    const char *tiny = TESTING("data/alltypes_tiny_pages.parquet");
    if (!tiny) return;
    CHECK_EQ_INT(pq_file_open(&f, tiny, &err), 0);
    if (!f) return;
    size_t n = pq_file_num_columns(f);
    job single[16], multi[16];
    pthread_t th[16];
    for (size_t c = 0; c < n && c < 16; c++) {
        single[c] = (job){.f = f, .col = c};
        run_job(&single[c]);
        multi[c] = (job){.f = f, .col = c};
        CHECK_EQ_INT(pthread_create(&th[c], NULL, run_job, &multi[c]), 0);
    }
    for (size_t c = 0; c < n && c < 16; c++) {
        pthread_join(th[c], NULL);
        CHECK_EQ_INT(single[c].rc, 0);
        CHECK_EQ_INT(multi[c].rc, 0);
        CHECK(single[c].sum == multi[c].sum);
    }
    pq_file_close(f);
}

int main(void)
{
    test_thrift_values();
    test_thrift_struct();
    test_thrift_hostile();
    test_rle_hybrid();
    test_levels();
    test_unpack_all_widths();
    test_delta();
    test_malformed_files();
    test_read_memory_and_limits();
    test_fuzz_regressions();
    test_concurrent_reads();
    return tu_done();
}
