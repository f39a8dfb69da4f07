/*
 * Whole-buffer byte tests used on every chunk of input, in two versions
 * that give identical answers: a portable scalar one and, where the build
 * targets x86-64 (SSE2 is part of its baseline), a 16-bytes-a-step SSE2
 * one. The dispatching function picks the vector version when it was
 * compiled in; tests call both directly (tests/c/test_fast_paths.c).
 */
#ifndef CSFS_COMMON_BYTES_H
#define CSFS_COMMON_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#define CSFS_HAVE_SSE2 1
#endif

/* Unaligned little loads of fixed-width text (memcpy: no alignment or
 * aliasing assumptions; compiles to one load). */
static inline uint32_t csfs_load4(const char *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

static inline uint64_t csfs_load8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

/* Whether any byte of s[0..len) is >= 0x80 (not ASCII). */
static inline int csfs_has_high_byte_scalar(const char *s, size_t len)
{
    size_t i = 0;
    for (; i + 64 <= len; i += 64) {
        uint64_t acc = 0;
        for (size_t k = 0; k < 64; k += 8) {
            uint64_t w;
            memcpy(&w, s + i + k, 8);
            acc |= w;
        }
        if (acc & 0x8080808080808080ull) return 1;
    }
    for (; i < len; i++)
        if ((unsigned char)s[i] >= 0x80) return 1;
    return 0;
}

#ifdef CSFS_HAVE_SSE2
static inline int csfs_has_high_byte_sse2(const char *s, size_t len)
{
    size_t i = 0;
    for (; i + 64 <= len; i += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 32));
        __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 48));
        /* movemask collects the top bit of every byte: non-zero = not ASCII */
        if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(a, b), _mm_or_si128(c, d)))) return 1;
    }
    return csfs_has_high_byte_scalar(s + i, len - i);
}
#endif

static inline int csfs_has_high_byte(const char *s, size_t len)
{
#ifdef CSFS_HAVE_SSE2
    return csfs_has_high_byte_sse2(s, len);
#else
    return csfs_has_high_byte_scalar(s, len);
#endif
}

#endif
