/* The PageHeader of a data page (v1) or dictionary page. */
#include "parquet/pq_writer.h"
#include "parquet/thrift_write.h"

void pq_write_page_header(pq_wbuf *out, pq_page_type type, size_t uncompressed_size,
                          size_t compressed_size, size_t num_values, pq_encoding encoding)
{
    pq_tw t;
    pq_tw_init(&t, out);
    pq_tw_struct_begin(&t); /* PageHeader */
    pq_tw_field_i32(&t, 1, (int32_t)type);
    pq_tw_field_i32(&t, 2, (int32_t)uncompressed_size);
    pq_tw_field_i32(&t, 3, (int32_t)compressed_size);
    if (type == PQ_PAGE_DICTIONARY) {
        pq_tw_field_struct(&t, 7); /* DictionaryPageHeader */
        pq_tw_field_i32(&t, 1, (int32_t)num_values);
        pq_tw_field_i32(&t, 2, PQ_ENC_PLAIN);
        pq_tw_struct_end(&t);
    } else {
        pq_tw_field_struct(&t, 5); /* DataPageHeader */
        pq_tw_field_i32(&t, 1, (int32_t)num_values);
        pq_tw_field_i32(&t, 2, (int32_t)encoding);
        pq_tw_field_i32(&t, 3, PQ_ENC_RLE); /* definition levels */
        pq_tw_field_i32(&t, 4, PQ_ENC_RLE); /* repetition levels (none in a flat schema) */
        pq_tw_struct_end(&t);
    }
    pq_tw_struct_end(&t);
}
