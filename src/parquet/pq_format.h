/*
 * Parquet format constants (values as in parquet.thrift of apache/parquet-format).
 * Shared by the writer and the reader.
 */
#ifndef CSFS_PQ_FORMAT_H
#define CSFS_PQ_FORMAT_H

typedef enum pq_type {
    PQ_BOOLEAN = 0,
    PQ_INT32 = 1,
    PQ_INT64 = 2,
    PQ_INT96 = 3,
    PQ_FLOAT = 4,
    PQ_DOUBLE = 5,
    PQ_BYTE_ARRAY = 6,
    PQ_FIXED_LEN_BYTE_ARRAY = 7,
} pq_type;

/* The subset of logical annotations csfs writes; the reader reports others raw. */
typedef enum pq_logical {
    PQ_LOGICAL_NONE = 0,
    PQ_LOGICAL_STRING = 1, /* BYTE_ARRAY, ConvertedType UTF8 + LogicalType STRING */
    PQ_LOGICAL_UINT64 = 2, /* INT64, ConvertedType UINT_64 + LogicalType INTEGER(64,false) */
} pq_logical;

typedef enum pq_repetition {
    PQ_REQUIRED = 0,
    PQ_OPTIONAL = 1,
    PQ_REPEATED = 2,
} pq_repetition;

typedef enum pq_codec {
    PQ_CODEC_UNCOMPRESSED = 0,
    PQ_CODEC_SNAPPY = 1,
    PQ_CODEC_GZIP = 2,
    PQ_CODEC_LZO = 3,
    PQ_CODEC_BROTLI = 4,
    PQ_CODEC_LZ4 = 5,
    PQ_CODEC_ZSTD = 6,
    PQ_CODEC_LZ4_RAW = 7,
} pq_codec;

typedef enum pq_encoding {
    PQ_ENC_PLAIN = 0,
    PQ_ENC_PLAIN_DICTIONARY = 2,
    PQ_ENC_RLE = 3,
    PQ_ENC_BIT_PACKED = 4,
    PQ_ENC_DELTA_BINARY_PACKED = 5,
    PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
    PQ_ENC_DELTA_BYTE_ARRAY = 7,
    PQ_ENC_RLE_DICTIONARY = 8,
    PQ_ENC_BYTE_STREAM_SPLIT = 9,
} pq_encoding;

typedef enum pq_page_type {
    PQ_PAGE_DATA = 0,
    PQ_PAGE_INDEX = 1,
    PQ_PAGE_DICTIONARY = 2,
    PQ_PAGE_DATA_V2 = 3,
} pq_page_type;

/* SchemaElement.converted_type (the legacy annotation); the reader reports it. */
typedef enum pq_converted_type {
    PQ_CONVERTED_NONE = -1, /* field absent */
    PQ_CONVERTED_UTF8 = 0,
    PQ_CONVERTED_MAP = 1,
    PQ_CONVERTED_MAP_KEY_VALUE = 2,
    PQ_CONVERTED_LIST = 3,
    PQ_CONVERTED_ENUM = 4,
    PQ_CONVERTED_DECIMAL = 5,
    PQ_CONVERTED_DATE = 6,
    PQ_CONVERTED_TIME_MILLIS = 7,
    PQ_CONVERTED_TIME_MICROS = 8,
    PQ_CONVERTED_TIMESTAMP_MILLIS = 9,
    PQ_CONVERTED_TIMESTAMP_MICROS = 10,
    PQ_CONVERTED_UINT_8 = 11,
    PQ_CONVERTED_UINT_16 = 12,
    PQ_CONVERTED_UINT_32 = 13,
    PQ_CONVERTED_UINT_64 = 14,
    PQ_CONVERTED_INT_8 = 15,
    PQ_CONVERTED_INT_16 = 16,
    PQ_CONVERTED_INT_32 = 17,
    PQ_CONVERTED_INT_64 = 18,
    PQ_CONVERTED_JSON = 19,
    PQ_CONVERTED_BSON = 20,
    PQ_CONVERTED_INTERVAL = 21,
} pq_converted_type;

/* Which member of the LogicalType union a column carries (the union's field ids). */
typedef enum pq_logical_kind {
    PQ_LK_NONE = 0, /* no LogicalType */
    PQ_LK_STRING = 1,
    PQ_LK_MAP = 2,
    PQ_LK_LIST = 3,
    PQ_LK_ENUM = 4,
    PQ_LK_DECIMAL = 5,
    PQ_LK_DATE = 6,
    PQ_LK_TIME = 7,
    PQ_LK_TIMESTAMP = 8,
    PQ_LK_INTEGER = 10,
    PQ_LK_UNKNOWN = 11, /* the "null type" */
    PQ_LK_JSON = 12,
    PQ_LK_BSON = 13,
    PQ_LK_UUID = 14,
    PQ_LK_FLOAT16 = 15,
    PQ_LK_VARIANT = 16,
    PQ_LK_GEOMETRY = 17,
    PQ_LK_GEOGRAPHY = 18,
    PQ_LK_OTHER = 255, /* a member newer than this reader */
} pq_logical_kind;

typedef enum pq_time_unit {
    PQ_UNIT_MILLIS = 1,
    PQ_UNIT_MICROS = 2,
    PQ_UNIT_NANOS = 3,
} pq_time_unit;

#endif
