/* Page geometry and layout helpers shared by the sinks. */
#include "engine/page_sink.h"

size_t csfs_page_rows(size_t width)
{
    size_t rows = ((size_t)8 << 20) / (4 * (width ? width : 1));
    rows &= ~(size_t)1023; /* whole multiples of 1024: RLE/bit-packing friendly */
    if (rows < 1024) rows = 1024;
    if (rows > 65536) rows = 65536;
    return rows;
}

void csfs_page_to_rows(const uint32_t *cols, size_t col_stride, size_t rows, size_t width,
                       uint32_t *out)
{
    enum { TILE = 64 };
    for (size_t r0 = 0; r0 < rows; r0 += TILE) {
        size_t r1 = r0 + TILE < rows ? r0 + TILE : rows;
        for (size_t c = 0; c < width; c++) {
            const uint32_t *col = cols + c * col_stride;
            for (size_t r = r0; r < r1; r++) out[r * width + c] = col[r];
        }
    }
}
