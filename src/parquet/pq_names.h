/* Names of Parquet enum values as parquet.thrift spells them, for messages and
 * `csfs info`. Values this table does not know give "UNKNOWN". */
#ifndef CSFS_PQ_NAMES_H
#define CSFS_PQ_NAMES_H

const char *pq_type_name(int type);
const char *pq_codec_name(int codec);
const char *pq_encoding_name(int encoding);
const char *pq_repetition_name(int repetition);
const char *pq_converted_name(int converted); /* NULL for PQ_CONVERTED_NONE */
const char *pq_page_type_name(int page_type);

#endif
