/*
 * libFuzzer target: the header TOML reader (csfs_header_toml_parse) over
 * arbitrary bytes, from memory. Malformed input must give an error naming a
 * line inside the text; a document that reads must keep the reader's
 * promises (5 lines without NUL or line break, block lengths adding up to
 * csf_count), give a peel list, and survive the writer: format -> parse gives
 * the same lines and counts back. A crash, sanitizer report or trap is a bug.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grasp/header_toml.h"
#include "grasp/peel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_header_toml: invariant failed at line %d: %s\n", __LINE__,       \
                    #cond);                                                                        \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)

static uint64_t lines_in(const uint8_t *p, size_t n)
{
    uint64_t lines = 1;
    for (size_t i = 0; i < n; i++) lines += p[i] == '\n';
    return lines;
}

static void check_promises(const csfs_header_toml *h)
{
    for (int i = 0; i < CSFS_HEADER_LINES; i++) {
        REQUIRE(h->lines[i] != NULL);
        REQUIRE(strlen(h->lines[i]) == h->lens[i]);
        REQUIRE(!memchr(h->lines[i], '\n', h->lens[i]));
    }
    if (h->has_block_info) {
        uint64_t sum = 0;
        for (size_t b = 0; b < h->n_blocks; b++) {
            REQUIRE(h->block_lengths[b] <= UINT64_MAX - sum);
            sum += h->block_lengths[b];
        }
        if (h->has_csf_count) REQUIRE(sum == h->csf_count);
    } else {
        REQUIRE(h->n_blocks == 0);
    }
}

/* Writes h back as rCSFs would and reads it again. */
static void round_trip(const csfs_header_toml *h)
{
    uint64_t sum = 0;
    for (size_t b = 0; b < h->n_blocks; b++) sum += h->block_lengths[b];
    csfs_header_info info;
    memset(&info, 0, sizeof info);
    for (int i = 0; i < CSFS_HEADER_LINES; i++) {
        info.lines[i] = h->lines[i];
        info.lens[i] = h->lens[i];
    }
    info.csf_count = h->has_csf_count ? h->csf_count : sum;
    info.total_lines = h->has_total_lines ? h->total_lines : 0;
    info.truncated_count = h->has_truncated_count ? h->truncated_count : 0;
    info.block_lengths = h->block_lengths;
    info.n_blocks = h->has_block_info ? h->n_blocks : 0;

    csfs_buf text = {0};
    csfs_error err;
    int rc = csfs_header_toml_format(&info, &text, &err);
    if (rc != 0) {
        /* Only what TOML or the writer's contract cannot hold is refused. */
        REQUIRE(rc == CSFS_E_FORMAT || rc == CSFS_E_ARGUMENT);
        csfs_buf_free(&text);
        return;
    }
    REQUIRE(csfs_header_toml_sniff(text.data, text.len));
    csfs_header_toml back;
    rc = csfs_header_toml_parse(text.data, text.len, "round-trip.toml", &back, &err);
    if (rc) fprintf(stderr, "%s\n%.*s\n", err.message, (int)text.len, text.data);
    REQUIRE(rc == 0);
    for (int i = 0; i < CSFS_HEADER_LINES; i++)
        REQUIRE(back.lens[i] == h->lens[i] && memcmp(back.lines[i], h->lines[i], h->lens[i]) == 0);
    REQUIRE(back.has_csf_count && back.csf_count == info.csf_count);
    REQUIRE(back.has_total_lines && back.total_lines == info.total_lines);
    REQUIRE(back.has_truncated_count && back.truncated_count == info.truncated_count);
    if (info.n_blocks >= 2) {
        REQUIRE(back.has_block_info && back.n_blocks == info.n_blocks);
        REQUIRE(memcmp(back.block_lengths, info.block_lengths,
                       info.n_blocks * sizeof *info.block_lengths) == 0);
    } else {
        REQUIRE(!back.has_block_info);
    }
    csfs_header_toml_free(&back);
    csfs_buf_free(&text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Sniffing reads any bytes; its answer is not checked here. */
    (void)csfs_header_toml_sniff((const char *)data, size);

    csfs_header_toml h;
    csfs_error err;
    int rc = csfs_header_toml_parse((const char *)data, size, "fuzz.toml", &h, &err);
    if (rc != 0) {
        REQUIRE(rc == CSFS_E_FORMAT || rc == CSFS_E_NOMEM);
        REQUIRE(err.message[0] && strncmp(err.message, "fuzz.toml", 9) == 0);
        REQUIRE(err.line <= lines_in(data, size));
        /* A failed parse leaves nothing to free. */
        for (int i = 0; i < CSFS_HEADER_LINES; i++) REQUIRE(h.lines[i] == NULL);
        REQUIRE(h.block_lengths == NULL);
        return 0;
    }
    check_promises(&h);
    csfs_peel *peel = NULL;
    if (csfs_header_toml_peel(&h, &peel, &err) == 0) {
        for (size_t i = 0; i < csfs_peel_count(peel); i++)
            REQUIRE(csfs_peel_name(peel, i)[0] != '\0');
        csfs_peel_free(peel);
    }
    round_trip(&h);
    csfs_header_toml_free(&h);
    return 0;
}
