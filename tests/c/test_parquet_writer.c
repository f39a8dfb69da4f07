/*
 * Parquet writer unit tests: Thrift compact and RLE/bit-packed hybrid
 * encoders against byte sequences worked out by hand from the specs, the
 * statistics rules, and a small file checked byte by byte. Conformance with
 * real readers is tested by tests/python/test_parquet_writer.py.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csfs.h"
#include "io/outfile.h"
#include "parquet/pq_writer.h"
#include "parquet/rle_hybrid.h"
#include "parquet/thrift_write.h"
#include "testutil.h"

#define CHECK_BYTES(buf, ...)                                                                      \
    do {                                                                                           \
        static const uint8_t want_[] = {__VA_ARGS__};                                              \
        check_bytes(__FILE__, __LINE__, (buf)->data, (buf)->size, want_, sizeof want_);            \
    } while (0)

static void check_bytes(const char *file, int line, const uint8_t *got, size_t ngot,
                        const uint8_t *want, size_t nwant)
{
    if (ngot == nwant && memcmp(got, want, nwant) == 0) {
        tu_passed++;
        return;
    }
    tu_failed++;
    fprintf(stderr, "%s:%d: bytes differ\n  got: ", file, line);
    for (size_t i = 0; i < ngot; i++) fprintf(stderr, " %02x", got[i]);
    fprintf(stderr, "\n want: ");
    for (size_t i = 0; i < nwant; i++) fprintf(stderr, " %02x", want[i]);
    fprintf(stderr, "\n");
}

/* ---- Thrift compact protocol ---------------------------------------------- */

static void test_thrift_varints(void)
{
    pq_wbuf b = {0};
    pq_tw t;
    pq_tw_init(&t, &b);
    pq_tw_varint(&b, 0);
    pq_tw_varint(&b, 127);
    pq_tw_varint(&b, 128);
    pq_tw_varint(&b, 300);
    CHECK_BYTES(&b, 0x00, 0x7f, 0x80, 0x01, 0xac, 0x02);

    /* zigzag: 0 -> 0, -1 -> 1, 1 -> 2, -2 -> 3 */
    pq_wbuf_reset(&b);
    pq_tw_i32(&t, 0);
    pq_tw_i32(&t, -1);
    pq_tw_i32(&t, 1);
    pq_tw_i32(&t, -2);
    pq_tw_i32(&t, INT32_MAX); /* 2^32 - 2 */
    pq_tw_i32(&t, INT32_MIN); /* 2^32 - 1 */
    CHECK_BYTES(&b, 0x00, 0x01, 0x02, 0x03, 0xfe, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff, 0xff, 0xff,
                0x0f);

    pq_wbuf_reset(&b);
    pq_tw_i64(&t, -1);
    pq_tw_i64(&t, INT64_MIN);    /* 2^64 - 1: ten bytes */
    pq_tw_i64(&t, 4294967296LL); /* 2^33 */
    CHECK_BYTES(&b, 0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x80, 0x80,
                0x80, 0x80, 0x20);
    pq_wbuf_free(&b);
}

static void test_thrift_fields(void)
{
    pq_wbuf b = {0};
    pq_tw t;
    pq_tw_init(&t, &b);
    pq_tw_struct_begin(&t);
    pq_tw_field_i32(&t, 1, 5);           /* delta 1, i32 (5): 0x15, zigzag 10 */
    pq_tw_field_i32(&t, 3, -1);          /* delta 2: 0x25, 0x01 */
    pq_tw_field_bool(&t, 4, true);       /* value in the type nibble: 0x11 */
    pq_tw_field_bool(&t, 5, false);      /* 0x12 */
    pq_tw_field_binary(&t, 20, "ab", 2); /* delta 15, binary (8): 0xf8, len 2 */
    pq_tw_field_i64(&t, 40, 1);          /* delta 20: long form 0x06, zigzag(40) = 0x50 */
    pq_tw_field_i32(&t, 2, 7);           /* going back: long form 0x05, zigzag(2) = 0x04 */
    pq_tw_struct_end(&t);
    CHECK_BYTES(&b, 0x15, 0x0a, 0x25, 0x01, 0x11, 0x12, 0xf8, 0x02, 'a', 'b', 0x06, 0x50, 0x02,
                0x05, 0x04, 0x0e, 0x00);
    CHECK_EQ_INT(t.depth, 0);

    /* Nested structs restore the outer field id; i8/i16 fields; lists. */
    pq_wbuf_reset(&b);
    pq_tw_struct_begin(&t);
    pq_tw_field_struct(&t, 1);             /* 0x1c */
    pq_tw_field_i8(&t, 1, 64);             /* 0x13 0x40 */
    pq_tw_struct_end(&t);                  /* 0x00 */
    pq_tw_field_i16(&t, 2, 3);             /* delta 1 from the outer id 1: 0x14 0x06 */
    pq_tw_field_list(&t, 3, PQ_TW_I32, 3); /* 0x19, (3 << 4) | 5 */
    pq_tw_i32(&t, 1);
    pq_tw_i32(&t, 2);
    pq_tw_i32(&t, 3);
    pq_tw_field_list(&t, 4, PQ_TW_BINARY, 0); /* 0x19, 0x08 */
    pq_tw_struct_end(&t);
    CHECK_BYTES(&b, 0x1c, 0x13, 0x40, 0x00, 0x14, 0x06, 0x19, 0x35, 0x02, 0x04, 0x06, 0x19, 0x08,
                0x00);

    /* 15 or more elements: size as a varint after 0xf<type>. */
    pq_wbuf_reset(&b);
    pq_tw_list_begin(&t, PQ_TW_STRUCT, 20);
    pq_tw_list_begin(&t, PQ_TW_I64, 14);
    CHECK_BYTES(&b, 0xfc, 0x14, 0xe6);
    CHECK(!b.failed);

    /* Unbalanced nesting is reported through the buffer. */
    pq_wbuf_reset(&b);
    pq_tw_init(&t, &b);
    for (int i = 0; i < PQ_TW_MAX_DEPTH + 1; i++) pq_tw_struct_begin(&t);
    CHECK(b.failed);
    pq_wbuf_free(&b);
}

/* A whole PageHeader as the writer lays it out, checked against the spec. */
static void test_thrift_page_header(void)
{
    pq_wbuf b = {0};
    pq_tw t;
    pq_tw_init(&t, &b);
    pq_tw_struct_begin(&t);
    pq_tw_field_i32(&t, 1, 0);   /* type DATA_PAGE */
    pq_tw_field_i32(&t, 2, 100); /* uncompressed_page_size */
    pq_tw_field_i32(&t, 3, 50);  /* compressed_page_size */
    pq_tw_field_struct(&t, 5);   /* data_page_header, delta 2 */
    pq_tw_field_i32(&t, 1, 10);
    pq_tw_field_i32(&t, 2, 0);
    pq_tw_field_i32(&t, 3, 3);
    pq_tw_field_i32(&t, 4, 3);
    pq_tw_struct_end(&t);
    pq_tw_struct_end(&t);
    CHECK_BYTES(&b, 0x15, 0x00, 0x15, 0xc8, 0x01, 0x15, 0x64, 0x2c, 0x15, 0x14, 0x15, 0x00, 0x15,
                0x06, 0x15, 0x06, 0x00, 0x00);
    pq_wbuf_free(&b);
}

/* ---- RLE/bit-packed hybrid ------------------------------------------------ */

static void test_rle_runs(void)
{
    pq_wbuf b = {0};
    /* All defined: one RLE run, header count << 1, value in one byte. */
    pq_rle_encode_levels(&b, NULL, 10);
    CHECK_BYTES(&b, 0x14, 0x01);

    pq_wbuf_reset(&b);
    uint32_t zeros[300] = {0};
    pq_rle_encode_u32(&b, zeros, 300, 2); /* 600 = 0xd8 0x04 */
    CHECK_BYTES(&b, 0xd8, 0x04, 0x00);

    /* The run value takes ceil(bit_width / 8) bytes, little-endian. */
    pq_wbuf_reset(&b);
    uint32_t big[8] = {300, 300, 300, 300, 300, 300, 300, 300};
    pq_rle_encode_u32(&b, big, 8, 9);
    CHECK_BYTES(&b, 0x10, 0x2c, 0x01);

    pq_wbuf_reset(&b);
    pq_rle_encode_u32(&b, zeros, 0, 3);
    CHECK_EQ_INT(b.size, 0);
    pq_wbuf_free(&b);
}

/* The run-list encoder (dictionary pages of 4-byte columns) must write the
 * value-by-value encoder's bytes for every sequence: random run lengths
 * (short, around 8, long), bit widths 1 to 20, lengths 0 to 3000. */
static uint64_t rle_rng = 88172645463325252ull;
static uint32_t rle_next(void)
{
    rle_rng ^= rle_rng << 13;
    rle_rng ^= rle_rng >> 7;
    rle_rng ^= rle_rng << 17;
    return (uint32_t)(rle_rng >> 32);
}

static void test_rle_runs_equal_values(void)
{
    static uint32_t vals[3000];
    static pq_run runs[3000];
    int cases = 0;
    for (int iter = 0; iter < 4000; iter++) {
        int bw = 1 + (int)(rle_next() % 20);
        uint32_t maxv = bw == 32 ? UINT32_MAX : (1u << bw) - 1;
        size_t n = rle_next() % 3000;
        if (iter < 50) n = (size_t)iter; /* every tiny length */
        int style = (int)(rle_next() % 3);
        size_t i = 0, nruns = 0;
        while (i < n) {
            size_t len = style == 0   ? 1 + rle_next() % 4
                         : style == 1 ? 5 + rle_next() % 8
                                      : 1 + rle_next() % 200;
            if (len > n - i) len = n - i;
            uint32_t v;
            do {
                v = rle_next() % (maxv < 6 ? maxv + 1 : 6); /* few distinct values */
            } while (nruns && v == runs[nruns - 1].value && maxv > 0);
            if (nruns && v == runs[nruns - 1].value) { /* width 1 with one value */
                runs[nruns - 1].len += (uint32_t)len;
            } else {
                runs[nruns].value = v;
                runs[nruns].len = (uint32_t)len;
                nruns++;
            }
            for (size_t k = 0; k < len; k++) vals[i + k] = v;
            i += len;
        }
        pq_wbuf a = {0}, b = {0};
        pq_rle_encode_u32(&a, vals, n, bw);
        pq_rle_encode_runs(&b, runs, nruns, bw);
        CHECK_EQ_INT(a.size, b.size);
        CHECK(a.size == b.size && (a.size == 0 || memcmp(a.data, b.data, a.size) == 0));
        pq_wbuf_free(&a);
        pq_wbuf_free(&b);
        cases++;
    }
    CHECK_EQ_INT(cases, 4000);
}

static void test_rle_bit_packed(void)
{
    pq_wbuf b = {0};
    /* The spec's example: 0..7 at bit width 3 packs to 10001000 11000110 11111010. */
    uint32_t seq[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    pq_rle_encode_u32(&b, seq, 8, 3);
    CHECK_BYTES(&b, 0x03, 0x88, 0xc6, 0xfa);

    /* A run too short after topping up the literal joins it: 13 values, two
     * groups, the last one zero-padded.
     * group 1: 1,2,3,5,5,5,5,5 -> bits 001 010 011 101 101 101 101 101 (LSB first)
     *   byte0 = 11 010 001 = 0xd1, byte1 = 1 101 101 0 = 0xda, byte2 = 101 101 10 = 0xb6
     * group 2: 5,5,5,5,5,0,0,0 -> byte0 = 0x6d, byte1 = 0x5b, byte2 = 0x00 */
    uint32_t mix[13] = {1, 2, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
    pq_wbuf_reset(&b);
    pq_rle_encode_u32(&b, mix, 13, 3);
    CHECK_BYTES(&b, 0x05, 0xd1, 0xda, 0xb6, 0x6d, 0x5b, 0x00);

    /* Long enough: 5 of the run complete the literal's group, 8 become RLE. */
    uint32_t mix2[16] = {1, 2, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
    pq_wbuf_reset(&b);
    pq_rle_encode_u32(&b, mix2, 16, 3);
    CHECK_BYTES(&b, 0x03, 0xd1, 0xda, 0xb6, 0x10, 0x05);

    /* An RLE run first, then a literal tail. */
    uint32_t mix3[11] = {4, 4, 4, 4, 4, 4, 4, 4, 4, 1, 2};
    pq_wbuf_reset(&b);
    pq_rle_encode_u32(&b, mix3, 11, 3);
    CHECK_BYTES(&b, 0x12, 0x04, 0x03, 0x11, 0x00, 0x00);

    /* Definition flags: any non-zero byte is level 1. */
    uint8_t def[4] = {1, 0, 2, 1};
    pq_wbuf_reset(&b);
    pq_rle_encode_levels(&b, def, 4);
    CHECK_BYTES(&b, 0x03, 0x0d);

    uint8_t def2[20] = {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    pq_wbuf_reset(&b);
    pq_rle_encode_levels(&b, def2, 20);
    /* literal group 0,1,0.. (pad 6 lent by the zero run), RLE 11 zeros, literal [1] */
    CHECK_BYTES(&b, 0x03, 0x02, 0x16, 0x00, 0x03, 0x01);

    CHECK_EQ_INT(pq_bit_width(0), 0);
    CHECK_EQ_INT(pq_bit_width(1), 1);
    CHECK_EQ_INT(pq_bit_width(7), 3);
    CHECK_EQ_INT(pq_bit_width(8), 4);
    pq_wbuf_free(&b);
}

/* ---- chunks and statistics ------------------------------------------------ */

static pq_write_options plain_options(void)
{
    pq_write_options o = {.codec = PQ_CODEC_UNCOMPRESSED};
    return o;
}

static void test_float_stats(void)
{
    pq_encoder *enc = pq_encoder_new();
    pq_chunk c = {0};
    csfs_error err = {0};
    pq_column_def col = {"f", PQ_FLOAT, PQ_LOGICAL_NONE, PQ_OPTIONAL};
    pq_write_options o = plain_options();
    for (int dict = 0; dict < 2; dict++) {
        o.dictionary = dict;
        float v1[4] = {NAN, 0.0f, 1.5f, 99.0f};
        uint8_t d1[4] = {1, 1, 1, 0};
        pq_column_values cv = {.rows = 4, .values = v1, .defined = d1};
        CHECK_EQ_INT(pq_encode_chunk(enc, &col, &o, &cv, &c, &err), 0);
        float mn, mx;
        memcpy(&mn, c.min_value, 4);
        memcpy(&mx, c.max_value, 4);
        CHECK(c.has_minmax && c.min_len == 4 && c.max_len == 4);
        CHECK(mn == 0.0f && signbit(mn)); /* a zero minimum is written as -0.0 */
        CHECK(mx == 1.5f);
        CHECK_EQ_INT(c.null_count, 1);
        CHECK_EQ_INT(c.num_values, 4);
        CHECK_EQ_INT((c.encodings >> PQ_ENC_RLE_DICTIONARY) & 1, dict);

        float v2[2] = {-0.0f, -2.0f};
        cv = (pq_column_values){.rows = 2, .values = v2};
        CHECK_EQ_INT(pq_encode_chunk(enc, &col, &o, &cv, &c, &err), 0);
        memcpy(&mx, c.max_value, 4);
        CHECK(mx == 0.0f && !signbit(mx)); /* a zero maximum is written as +0.0 */

        float v3[2] = {NAN, NAN};
        cv = (pq_column_values){.rows = 2, .values = v3};
        CHECK_EQ_INT(pq_encode_chunk(enc, &col, &o, &cv, &c, &err), 0);
        CHECK(!c.has_minmax);
        CHECK_EQ_INT(c.null_count, 0);
    }
    pq_chunk_release(&c);
    pq_encoder_free(enc);
}

static void encode_strings(pq_encoder *enc, pq_chunk *c, pq_logical logical, const char *a,
                           size_t la, const char *b, size_t lb)
{
    pq_column_def col = {"s", PQ_BYTE_ARRAY, logical, PQ_REQUIRED};
    pq_write_options o = plain_options();
    uint8_t data[512];
    memcpy(data, a, la);
    memcpy(data + la, b, lb);
    uint64_t off[3] = {0, la, la + lb};
    pq_column_values cv = {.rows = 2, .offsets = off, .data = data};
    csfs_error err = {0};
    CHECK_EQ_INT(pq_encode_chunk(enc, &col, &o, &cv, c, &err), 0);
}

static void test_string_stats(void)
{
    pq_encoder *enc = pq_encoder_new();
    pq_chunk c = {0};
    char a[100], z[100];
    memset(a, 'a', sizeof a);
    memset(z, 'z', sizeof z);

    encode_strings(enc, &c, PQ_LOGICAL_STRING, "b", 1, "ab", 2);
    CHECK(c.has_minmax && c.min_exact && c.max_exact);
    CHECK(c.min_len == 2 && memcmp(c.min_value, "ab", 2) == 0);
    CHECK(c.max_len == 1 && memcmp(c.max_value, "b", 1) == 0);

    /* Long values: min is a 64-byte prefix, max a prefix with its last byte bumped. */
    encode_strings(enc, &c, PQ_LOGICAL_STRING, a, 100, z, 100);
    CHECK(c.has_minmax && !c.min_exact && !c.max_exact);
    CHECK(c.min_len == 64 && memcmp(c.min_value, a, 64) == 0);
    CHECK(c.max_len == 64 && memcmp(c.max_value, z, 63) == 0 && c.max_value[63] == 'z' + 1);

    /* UTF-8: "é" (c3 a9) straddling byte 64 is not split. */
    char u[100];
    memset(u, 'x', sizeof u);
    u[63] = (char)0xc3;
    u[64] = (char)0xa9;
    encode_strings(enc, &c, PQ_LOGICAL_STRING, u, 100, u, 100);
    CHECK(c.has_minmax && c.min_len == 63 && c.max_len == 63);
    CHECK(c.max_value[62] == 'y');

    /* Binary that cannot be bumped: no statistics rather than wrong ones. */
    uint8_t ff[100];
    memset(ff, 0xff, sizeof ff);
    encode_strings(enc, &c, PQ_LOGICAL_NONE, "a", 1, (const char *)ff, 100);
    CHECK(!c.has_minmax);
    ff[10] = 0x41;
    encode_strings(enc, &c, PQ_LOGICAL_NONE, "a", 1, (const char *)ff, 100);
    CHECK(c.has_minmax && c.max_len == 11 && c.max_value[10] == 0x42);

    pq_chunk_release(&c);
    pq_encoder_free(enc);
}

static void test_bad_input(void)
{
    pq_encoder *enc = pq_encoder_new();
    pq_chunk c = {0};
    csfs_error err = {0};
    int32_t v[2] = {1, 2};
    pq_column_values cv = {.rows = 2, .values = v};
    pq_write_options o = plain_options();

    pq_column_def bad_logical = {"x", PQ_INT32, PQ_LOGICAL_STRING, PQ_REQUIRED};
    CHECK_EQ_INT(pq_encode_chunk(enc, &bad_logical, &o, &cv, &c, &err), CSFS_E_ARGUMENT);
    CHECK_CONTAINS(err.message, "'x'");

    pq_column_def col = {"x", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED};
    o.codec = PQ_CODEC_LZO;
    CHECK_EQ_INT(pq_encode_chunk(enc, &col, &o, &cv, &c, &err), CSFS_E_UNSUPPORTED);

    pq_column_def boolean = {"b", PQ_BOOLEAN, PQ_LOGICAL_NONE, PQ_REQUIRED};
    o.codec = PQ_CODEC_UNCOMPRESSED;
    CHECK_EQ_INT(pq_encode_chunk(enc, &boolean, &o, &cv, &c, &err), CSFS_E_UNSUPPORTED);

    cv.values = NULL;
    CHECK_EQ_INT(pq_encode_chunk(enc, &col, &o, &cv, &c, &err), CSFS_E_ARGUMENT);

    o.codec = PQ_CODEC_GZIP;
    o.level = 42;
    cv.values = v;
    CHECK_EQ_INT(pq_encode_chunk(enc, &col, &o, &cv, &c, &err), CSFS_E_ARGUMENT);
    pq_chunk_release(&c);
    pq_encoder_free(enc);
}

/* ---- a whole file ---------------------------------------------------------- */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool contains(const uint8_t *p, size_t n, const char *s)
{
    size_t k = strlen(s);
    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, s, k) == 0) return true;
    return false;
}

static void test_small_file(void)
{
    const char *dir = tu_temp_dir();
    char path[4200];
    snprintf(path, sizeof path, "%s/t.parquet", dir);
    csfs_error err = {0};
    csfs_outfile out;
    CHECK_EQ_INT(csfs_outfile_open(&out, path, 0, &err), 0);

    pq_column_def cols[2] = {{"a", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED},
                             {"b", PQ_INT64, PQ_LOGICAL_UINT64, PQ_OPTIONAL}};
    pq_write_options o = plain_options();
    pq_writer *w;
    CHECK_EQ_INT(pq_writer_open(&w, &out, cols, 2, &o, &err), 0);

    pq_encoder *enc = pq_encoder_new();
    pq_chunk chunks[2] = {{0}};
    int32_t a[3] = {1, 2, 3};
    uint64_t b[3] = {7, 0, UINT64_MAX};
    uint8_t def[3] = {1, 0, 1};
    pq_column_values va = {.rows = 3, .values = a};
    pq_column_values vb = {.rows = 3, .values = b, .defined = def};
    CHECK_EQ_INT(pq_encode_chunk(enc, &cols[0], &o, &va, &chunks[0], &err), 0);
    o.dictionary = true;
    CHECK_EQ_INT(pq_encode_chunk(enc, &cols[1], &o, &vb, &chunks[1], &err), 0);

    /* Chunk a: one PLAIN data page, the values as they are. */
    CHECK_EQ_INT(chunks[0].data_page_offset, 0);
    CHECK_EQ_INT(chunks[0].dictionary_page_offset, -1);
    CHECK_EQ_INT(chunks[0].data_page_count, 1);
    CHECK_EQ_INT(chunks[0].encodings, 1u << PQ_ENC_PLAIN | 1u << PQ_ENC_RLE);
    static const uint8_t page_a[] = {0x15, 0x00, 0x15, 0x18, 0x15, 0x18, 0x2c, 0x15, 0x06, 0x15,
                                     0x00, 0x15, 0x06, 0x15, 0x06, 0x00, 0x00, 1,    0,    0,
                                     0,    2,    0,    0,    0,    3,    0,    0,    0};
    check_bytes(__FILE__, __LINE__, chunks[0].bytes, chunks[0].size, page_a, sizeof page_a);
    CHECK_EQ_INT(chunks[0].uncompressed_size, (int64_t)sizeof page_a);
    CHECK(chunks[0].has_minmax && le32(chunks[0].min_value) == 1 && le32(chunks[0].max_value) == 3);

    /* Chunk b: dictionary page, then one data page of levels and indices. */
    CHECK_EQ_INT(chunks[1].dictionary_page_offset, 0);
    CHECK(chunks[1].data_page_offset > 0);
    CHECK_EQ_INT(chunks[1].null_count, 1);
    CHECK_EQ_INT(chunks[1].encodings,
                 1u << PQ_ENC_PLAIN | 1u << PQ_ENC_RLE | 1u << PQ_ENC_RLE_DICTIONARY);
    uint64_t mx;
    memcpy(&mx, chunks[1].max_value, 8);
    CHECK(mx == UINT64_MAX); /* unsigned order */
    const uint8_t *dp = chunks[1].bytes + chunks[1].data_page_offset;
    /* body: level length 2, levels literal 1,0,1 (0x03 0x05), bit width 1,
     * indices 0,1 literal (0x03 0x02) */
    static const uint8_t body_b[] = {2, 0, 0, 0, 0x03, 0x05, 0x01, 0x03, 0x02};
    check_bytes(__FILE__, __LINE__, chunks[1].bytes + chunks[1].size - sizeof body_b, sizeof body_b,
                body_b, sizeof body_b);
    CHECK(dp[0] == 0x15 && dp[1] == 0x00); /* a DATA_PAGE header */

    CHECK_EQ_INT(pq_writer_write_row_group(w, chunks, 3, &err), 0);
    CHECK_EQ_INT(pq_writer_write_row_group(w, chunks, 4, &err), CSFS_E_ARGUMENT);
    CHECK_CONTAINS(err.message, "does not match");
    CHECK_EQ_INT(pq_writer_write_row_group(w, chunks, 3, &err), 0);
    pq_kv kv[1] = {{"k", "v"}};
    CHECK_EQ_INT(pq_writer_finish(w, kv, 1, "csfs version 0.1.0", &err), 0);
    uint64_t expect_size = out.offset;
    CHECK_EQ_INT(csfs_outfile_commit(&out, &err), 0);
    pq_writer_free(w);

    size_t n;
    char *file = tu_read_file(path, &n);
    CHECK(file && n == expect_size);
    if (file && n > 12) {
        const uint8_t *f = (const uint8_t *)file;
        CHECK(memcmp(f, "PAR1", 4) == 0 && memcmp(f + n - 4, "PAR1", 4) == 0);
        uint32_t footer = le32(f + n - 8);
        CHECK(footer > 0 && footer < n - 12);
        /* The two row groups hold the same chunks back to back. */
        size_t rg = chunks[0].size + chunks[1].size;
        CHECK(memcmp(f + 4, f + 4 + rg, rg) == 0);
        CHECK_EQ_INT(4 + 2 * rg + footer + 8, n);
        /* FileMetaData starts with version 2: 0x15 0x04. */
        CHECK(f[n - 8 - footer] == 0x15 && f[n - 8 - footer + 1] == 0x04);
        CHECK(contains(f + n - 8 - footer, footer, "csfs version 0.1.0"));
    }
    free(file);
    pq_chunk_release(&chunks[0]);
    pq_chunk_release(&chunks[1]);
    pq_encoder_free(enc);
}

/* Page splitting and buffer reuse across chunks of different sizes. */
static void test_pages_and_reuse(void)
{
    pq_encoder *enc = pq_encoder_new();
    pq_chunk c = {0};
    csfs_error err = {0};
    enum { N = 10000 };
    int32_t *v = malloc(N * 3 * sizeof *v);
    for (int i = 0; i < N * 3; i++) v[i] = (i / 3) % 7 == 0 ? i : 0;
    pq_column_def col = {"x", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED};
    pq_write_options o = {.codec = PQ_CODEC_ZSTD, .page_bytes = 4000};
    /* Strided: every third int of a row-major matrix. */
    pq_column_values cv = {.rows = N, .values = v + 1, .stride = 3};
    CHECK_EQ_INT(pq_encode_chunk(enc, &col, &o, &cv, &c, &err), 0);
    CHECK_EQ_INT(c.data_page_count, N / 1000);
    int32_t mx;
    memcpy(&mx, c.max_value, 4);
    CHECK_EQ_INT(mx, (N - 1) / 7 * 7 * 3 + 1);
    for (int codec = 0; codec < 3; codec++) {
        o.codec = (pq_codec[]){PQ_CODEC_SNAPPY, PQ_CODEC_GZIP, PQ_CODEC_UNCOMPRESSED}[codec];
        o.dictionary = codec == 1;
        CHECK_EQ_INT(pq_encode_chunk(enc, &col, &o, &cv, &c, &err), 0);
        CHECK(c.size > 0 && c.data_page_count >= 1);
    }
    /* No rows (and no values pointer): still one empty data page, any codec. */
    pq_column_values none = {0};
    pq_column_def opt_col = {"y", PQ_DOUBLE, PQ_LOGICAL_NONE, PQ_OPTIONAL};
    pq_column_def str_col = {"z", PQ_BYTE_ARRAY, PQ_LOGICAL_STRING, PQ_REQUIRED};
    for (int codec = 0; codec < 4; codec++) {
        o.codec = (pq_codec[]){PQ_CODEC_UNCOMPRESSED, PQ_CODEC_SNAPPY, PQ_CODEC_GZIP,
                               PQ_CODEC_ZSTD}[codec];
        o.dictionary = codec % 2;
        const pq_column_def *cols[3] = {&col, &opt_col, &str_col};
        for (int k = 0; k < 3; k++) {
            CHECK_EQ_INT(pq_encode_chunk(enc, cols[k], &o, &none, &c, &err), 0);
            CHECK_EQ_INT(c.data_page_count, 1);
            CHECK_EQ_INT(c.num_values, 0);
            CHECK(!c.has_minmax);
        }
    }
    free(v);
    pq_chunk_release(&c);
    pq_encoder_free(enc);
}

int main(void)
{
    test_thrift_varints();
    test_thrift_fields();
    test_thrift_page_header();
    test_rle_runs();
    test_rle_bit_packed();
    test_rle_runs_equal_values();
    test_float_stats();
    test_string_stats();
    test_bad_input();
    test_small_file();
    test_pages_and_reuse();
    return tu_done();
}
