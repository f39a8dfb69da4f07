/* csfs public API: version, errors, peel lists, one CSF, codecs, progress (conventions in csfs.h).
 */
#ifndef CSFS_COMMON_H
#define CSFS_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* Marks every public function: the shared library exports these and nothing
 * else (it is built with hidden visibility by default). */
#if defined(_WIN32)
#define CSFS_API
#elif defined(__GNUC__) || defined(__clang__)
#define CSFS_API __attribute__((visibility("default")))
#else
#define CSFS_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* CSFS_VERSION_MAJOR/MINOR/PATCH and CSFS_VERSION_STRING, generated from the
 * version in CMakeLists.txt. */
#include "csfs/version.h"

/* "X.Y.Z" of the library actually linked. */
CSFS_API const char *csfs_version(void);

/* ---- errors ------------------------------------------------------------ */

enum {
    CSFS_OK = 0,
    CSFS_E_IO = -1,          /* open/read/write/rename failed (errno in sys_errno) */
    CSFS_E_FORMAT = -2,      /* the input is not what it claims to be */
    CSFS_E_ARGUMENT = -3,    /* a bad option or argument */
    CSFS_E_NOMEM = -4,       /* allocation failed */
    CSFS_E_EXISTS = -5,      /* output exists and overwriting was not asked for */
    CSFS_E_CSF = -6,         /* a CSF failed to parse (strict mode) */
    CSFS_E_UNSUPPORTED = -7, /* valid input using a feature csfs does not read */
    CSFS_E_CANCELLED = -8,   /* the cancel flag was raised */
};

typedef struct csfs_error {
    int code;           /* CSFS_E_* (0 when no error) */
    int sys_errno;      /* errno of the failing system call, or 0 */
    uint64_t line;      /* 1-based input line the error is about, 0 if none */
    char message[1024]; /* complete human message, e.g. "a.c:12: ..." */
} csfs_error;

/* ---- peel subshell lists -------------------------------------------------- */

/* An ordered list of peel subshell names: it fixes the descriptor layout. */
typedef struct csfs_peel csfs_peel;

/* Split "4d-,4d,5s" (commas and/or white space) into a list. */
CSFS_API int csfs_peel_parse(const char *text, csfs_peel **out, csfs_error *err);
/* A list from n names (copied). */
CSFS_API int csfs_peel_from_names(const char *const *names, size_t n, csfs_peel **out,
                                  csfs_error *err);
CSFS_API size_t csfs_peel_count(const csfs_peel *peel);
/* The i-th name; valid until csfs_peel_free. */
CSFS_API const char *csfs_peel_name(const csfs_peel *peel, size_t i);
CSFS_API void csfs_peel_free(csfs_peel *peel);

/* The peel list of a CSF list (text, .zst/.gz, or "-" is refused here). */
CSFS_API int csfs_peel_read(const char *path, csfs_peel **out, csfs_error *err);

/* ---- one CSF --------------------------------------------------------------- */

typedef enum csfs_layout {
    CSFS_LAYOUT_V1 = 1, /* 3 int32 per peel subshell: n, own 2J, coupling 2J (rCSFs 1.2) */
    CSFS_LAYOUT_V2 = 2, /* rCSFs 1.3, reversible: 4 int32 per subshell (n, 2J, seniority,
                           2K) + total 2J + parity; int32 only */
} csfs_layout;

/* Width of one descriptor row for a peel list of n names. */
CSFS_API size_t csfs_row_width(csfs_layout layout, size_t n_peel);

/*
 * Descriptor of one CSF given as its three lines (without line ends; a
 * trailing CR is tolerated). Writes csfs_row_width() values to row_out: int32
 * when normalize is 0, float (IEEE binary32) when 1.
 * Returns 0, or CSFS_E_CSF when the CSF fails under the rCSFs rule (row_out is
 * then all zeros and err says why).
 */
CSFS_API int csfs_parse_csf(const char *line1, size_t len1, const char *line2, size_t len2,
                            const char *line3, size_t len3, const csfs_peel *peel, int normalize,
                            void *row_out, csfs_error *err);

/* ---- whole files ----------------------------------------------------------- */

typedef enum csfs_codec {
    CSFS_CODEC_NONE = 0,
    CSFS_CODEC_SNAPPY = 1,
    CSFS_CODEC_GZIP = 2,
    CSFS_CODEC_ZSTD = 6,
} csfs_codec;

/* Parse "none", "snappy", "gzip[:LEVEL]", "zstd[:LEVEL]". */
CSFS_API int csfs_codec_parse(const char *text, csfs_codec *codec, int *level, csfs_error *err);

/* Progress of a running job, for a progress line. */
typedef struct csfs_progress {
    uint64_t csfs_done;  /* CSFs read so far */
    uint64_t bytes_done; /* bytes of the input file read so far */
    int64_t bytes_total; /* size of the input file, -1 when unknown (pipe) */
    double seconds;      /* since the job started */
} csfs_progress;

/* ---- memory and text the library hands out --------------------------------- */

/* Releases memory a csfs function returned (strings, row arrays). */
CSFS_API void csfs_free(void *p);

/* s[0..len) as a JSON string literal, quotes included: quotes, backslashes
 * and control characters escaped, bytes that are not UTF-8 replaced by
 * U+FFFD. NUL-terminated, released with csfs_free; NULL when out of memory. */
CSFS_API char *csfs_json_quote(const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_COMMON_H */
