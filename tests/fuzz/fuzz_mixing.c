/*
 * libFuzzer target: the GRASP mixing-file reader over arbitrary bytes, from
 * memory. Reads every block and level, lists the levels (JSON and text), and
 * when the file reads cleanly, computes the labels against a CSF list built
 * to match it, which must then succeed. Malformed input must only give
 * errors; a crash, sanitizer report or trap is a reader bug.
 *
 * An input that starts like a mixing file (a real .m/.cm as seed) is read as
 * is. Otherwise byte 0 picks how the rest is framed, so that the fuzzer
 * spends its time past record 0 even without seeds: 0 = as is, 1/2/3 = a
 * valid 'G92MIX' record (4-byte little-endian / 4-byte big-endian / 8-byte
 * little-endian markers) is put in front of the rest.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "mixing/labels.h"
#include "mixing/levels.h"
#include "mixing/reader.h"

/* Lists built for the label pass stay small: the point is the reader. */
#define MAX_LIST_BLOCKS 256
#define MAX_LIST_CSFS (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t frame(uint8_t *out, unsigned mode)
{
    static const uint8_t le4[] = {6, 0, 0, 0, 'G', '9', '2', 'M', 'I', 'X', 6, 0, 0, 0};
    static const uint8_t be4[] = {0, 0, 0, 6, 'G', '9', '2', 'M', 'I', 'X', 0, 0, 0, 6};
    static const uint8_t le8[] = {6,   0,   0,   0, 0, 0, 0, 0, 'G', '9', '2',
                                  'M', 'I', 'X', 6, 0, 0, 0, 0, 0,   0,   0};
    const uint8_t *p = mode == 1 ? le4 : mode == 2 ? be4 : le8;
    size_t n = mode == 3 ? sizeof le8 : sizeof le4;
    memcpy(out, p, n);
    return n;
}

/* Every level of every block, as a caller streaming coefficients would. */
static void read_everything(const uint8_t *p, size_t n)
{
    csfs_mix_reader *r;
    csfs_error err;
    if (csfs_mix_open_memory(p, n, "fuzz.m", &r, &err)) return;
    const csfs_mix_block *b;
    double *v = NULL;
    while (csfs_mix_next_block(r, &b, &err) == 1) {
        /* ncf * nev * 8 bytes are in the input, so ncf doubles fit in memory. */
        free(v);
        v = malloc(((size_t)b->ncf + 1) * sizeof *v);
        int failed = 0;
        for (int32_t k = 0; k < b->nev && !failed; k++) {
            failed = csfs_mix_read_level(r, v, &err) != 0;
            /* Only the first level is read sometimes: skipping must work too. */
            if (k == 0 && b->jblock % 2) break;
        }
        if (failed) break;
    }
    free(v);
    csfs_mix_close(r);
}

/* A list that matches the file: stored NCF, the rest of NCFTOT in the first
 * block without records, J/parity from the file. */
static int matching_list(const csfs_mix_levels *lv, csfs_mix_list *list)
{
    const csfs_mix_header *h = &lv->header;
    if (h->nblock > MAX_LIST_BLOCKS || (uint32_t)h->ncftot > MAX_LIST_CSFS) return -1;
    size_t nb = (size_t)h->nblock;
    uint64_t len[MAX_LIST_BLOCKS + 1];
    int32_t tj[MAX_LIST_BLOCKS + 1];
    int8_t pa[MAX_LIST_BLOCKS + 1];
    uint64_t stored = 0;
    for (size_t i = 0; i < nb; i++) {
        const csfs_mix_block_info *b = csfs_mix_levels_block(lv, (int32_t)(i + 1));
        len[i] = b ? (uint64_t)b->ncf : 0;
        stored += len[i];
        csfs_mix_levels_jp(lv, (int32_t)(i + 1), &tj[i], &pa[i]);
    }
    uint64_t rest = (uint64_t)h->ncftot - stored;
    for (size_t i = 0; i < nb && rest; i++)
        if (!csfs_mix_levels_block(lv, (int32_t)(i + 1))) {
            len[i] = rest;
            rest = 0;
        }
    if (rest) return -1;
    return csfs_mix_list_from_lengths(len, nb, tj, pa, "fuzz.c", list, NULL);
}

static void labels(const uint8_t *p, size_t n, const csfs_mix_levels *lv)
{
    csfs_mix_list list;
    if (matching_list(lv, &list) != 0) return;
    csfs_mix_reader *r;
    csfs_error err;
    if (csfs_mix_open_memory(p, n, "fuzz.m", &r, &err)) __builtin_trap();
    csfs_mix_labels lab;
    if (csfs_mix_labels_compute(r, &list, &lab, &err) != 0) __builtin_trap();
    if (lab.rows != list.csf_count) __builtin_trap();
    for (uint64_t i = 0; i < lab.rows; i++) {
        if (lab.nlev[i] < 0 || lab.level_argmax[i] > lab.nlev[i]) __builtin_trap();
        if ((lab.nlev[i] == 0) != (lab.level_argmax[i] == -1)) __builtin_trap();
        if (lab.ci2_max[i] < 0) __builtin_trap();
    }
    csfs_mix_labels_free(&lab);
    csfs_mix_close(r);
    csfs_mix_list_free(&list);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    int framed = (size >= 10 && memcmp(data + 4, "G92MIX", 6) == 0) ||
                 (size >= 14 && memcmp(data + 8, "G92MIX", 6) == 0);
    unsigned mode = framed ? 0 : data[0] % 4;
    size_t skip = framed ? 0 : 1, pre = mode ? (mode == 3 ? 22 : 14) : 0;
    /* An exact-size copy: ASan sees any read past the end. */
    size_t n = pre + size - skip;
    uint8_t *p = malloc(n ? n : 1);
    if (!p) return 0;
    if (mode) frame(p, mode);
    memcpy(p + pre, data + skip, size - skip);

    read_everything(p, n);
    csfs_mix_reader *r;
    csfs_error err;
    if (csfs_mix_open_memory(p, n, "fuzz.m", &r, &err) == 0) {
        csfs_mix_levels lv;
        if (csfs_mix_levels_collect(r, NULL, &lv, &err) == 0) {
            csfs_buf out = {0};
            if (csfs_mix_levels_json(&lv, &out, &err) == 0) out.len = 0;
            csfs_mix_levels_text(&lv, &out, &err);
            csfs_buf_free(&out);
            labels(p, n, &lv);
            csfs_mix_levels_free(&lv);
        }
        csfs_mix_close(r);
    }
    free(p);
    return 0;
}
