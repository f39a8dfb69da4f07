#include "parquet/pq_names.h"

#include <stddef.h>

#include "parquet/pq_format.h"

static const char *pick(const char *const *names, size_t n, int v)
{
    if (v < 0 || (size_t)v >= n || !names[v]) return "UNKNOWN";
    return names[v];
}

#define PICK(table, v) pick(table, sizeof table / sizeof table[0], v)

const char *pq_type_name(int type)
{
    static const char *const names[] = {"BOOLEAN", "INT32",  "INT64",      "INT96",
                                        "FLOAT",   "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
    return PICK(names, type);
}

const char *pq_codec_name(int codec)
{
    static const char *const names[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                        "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
    return PICK(names, codec);
}

const char *pq_encoding_name(int encoding)
{
    static const char *const names[] = {"PLAIN",
                                        NULL,
                                        "PLAIN_DICTIONARY",
                                        "RLE",
                                        "BIT_PACKED",
                                        "DELTA_BINARY_PACKED",
                                        "DELTA_LENGTH_BYTE_ARRAY",
                                        "DELTA_BYTE_ARRAY",
                                        "RLE_DICTIONARY",
                                        "BYTE_STREAM_SPLIT",
                                        "ALP"};
    return PICK(names, encoding);
}

const char *pq_repetition_name(int repetition)
{
    static const char *const names[] = {"REQUIRED", "OPTIONAL", "REPEATED"};
    return PICK(names, repetition);
}

const char *pq_converted_name(int converted)
{
    static const char *const names[] = {"UTF8",
                                        "MAP",
                                        "MAP_KEY_VALUE",
                                        "LIST",
                                        "ENUM",
                                        "DECIMAL",
                                        "DATE",
                                        "TIME_MILLIS",
                                        "TIME_MICROS",
                                        "TIMESTAMP_MILLIS",
                                        "TIMESTAMP_MICROS",
                                        "UINT_8",
                                        "UINT_16",
                                        "UINT_32",
                                        "UINT_64",
                                        "INT_8",
                                        "INT_16",
                                        "INT_32",
                                        "INT_64",
                                        "JSON",
                                        "BSON",
                                        "INTERVAL"};
    if (converted == PQ_CONVERTED_NONE) return NULL;
    return PICK(names, converted);
}

const char *pq_page_type_name(int page_type)
{
    static const char *const names[] = {"DATA_PAGE", "INDEX_PAGE", "DICTIONARY_PAGE",
                                        "DATA_PAGE_V2"};
    return PICK(names, page_type);
}
