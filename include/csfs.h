/*
 * csfs — GRASP2018 CSF lists to machine-learning descriptor matrices.
 *
 * Conventions of this API
 *   - Every function that can fail returns an int status: 0 on success, a
 *     negative CSFS_E_* code otherwise, and fills the csfs_error the caller
 *     passes in (which may be NULL) with a human message naming the file and,
 *     where one applies, the 1-based line.
 *   - The caller owns everything it passes in; the library never keeps a
 *     pointer to caller memory beyond the call. Objects the library creates
 *     (csfs_peel) are released with their *_free function.
 *   - No global mutable state: the thread count and every other setting are
 *     fields of the option structs. Functions are safe to call from several
 *     threads on different objects.
 */
#ifndef CSFS_H
#define CSFS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CSFS_VERSION_MAJOR 0
#define CSFS_VERSION_MINOR 1
#define CSFS_VERSION_PATCH 0
#define CSFS_VERSION_STRING "0.1.0"

/* "X.Y.Z" of the library actually linked. */
const char *csfs_version(void);

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
int csfs_peel_parse(const char *text, csfs_peel **out, csfs_error *err);
/* A list from n names (copied). */
int csfs_peel_from_names(const char *const *names, size_t n, csfs_peel **out, csfs_error *err);
size_t csfs_peel_count(const csfs_peel *peel);
/* The i-th name; valid until csfs_peel_free. */
const char *csfs_peel_name(const csfs_peel *peel, size_t i);
void csfs_peel_free(csfs_peel *peel);

/* The peel list of a CSF list (text, .zst/.gz, or "-" is refused here). */
int csfs_peel_read(const char *path, csfs_peel **out, csfs_error *err);

/* ---- one CSF --------------------------------------------------------------- */

typedef enum csfs_layout {
    CSFS_LAYOUT_V1 = 1, /* 3 int32 per peel subshell: n, own 2J, coupling 2J (rCSFs 1.2) */
    CSFS_LAYOUT_V2 = 2, /* rCSFs 1.3, reversible: 4 int32 per subshell (n, 2J, seniority,
                           2K) + total 2J + parity; int32 only */
} csfs_layout;

/* Width of one descriptor row for a peel list of n names. */
size_t csfs_row_width(csfs_layout layout, size_t n_peel);

/*
 * Descriptor of one CSF given as its three lines (without line ends; a
 * trailing CR is tolerated). Writes csfs_row_width() values to row_out: int32
 * when normalize is 0, float (IEEE binary32) when 1.
 * Returns 0, or CSFS_E_CSF when the CSF fails under the rCSFs rule (row_out is
 * then all zeros and err says why).
 */
int csfs_parse_csf(const char *line1, size_t len1, const char *line2, size_t len2,
                   const char *line3, size_t len3, const csfs_peel *peel, int normalize,
                   void *row_out, csfs_error *err);

/* ---- whole files ----------------------------------------------------------- */

typedef enum csfs_codec {
    CSFS_CODEC_NONE = 0,
    CSFS_CODEC_SNAPPY = 1,
    CSFS_CODEC_GZIP = 2,
    CSFS_CODEC_ZSTD = 6,
} csfs_codec;

typedef enum csfs_output_format {
    CSFS_FORMAT_AUTO = 0, /* by the output name: .npy -> NPY, else Parquet */
    CSFS_FORMAT_PARQUET = 1,
    CSFS_FORMAT_NPY = 2,
} csfs_output_format;

/* Parse "none", "snappy", "gzip[:LEVEL]", "zstd[:LEVEL]". */
int csfs_codec_parse(const char *text, csfs_codec *codec, int *level, csfs_error *err);

/* Progress of a running job, for a progress line. */
typedef struct csfs_progress {
    uint64_t csfs_done;  /* CSFs read so far */
    uint64_t bytes_done; /* bytes of the input file read so far */
    int64_t bytes_total; /* size of the input file, -1 when unknown (pipe) */
    double seconds;      /* since the job started */
} csfs_progress;

typedef struct csfs_descriptor_options {
    const char *input;       /* CSF list: text, .zst or .gz (by content), or "-" */
    const char *output;      /* .parquet or .npy */
    const csfs_peel *peel;   /* NULL: the peel list of the input's header */
    csfs_layout layout;      /* default CSFS_LAYOUT_V1 */
    int normalize;           /* float32 normalised descriptors */
    int strict;              /* first failed CSF or unknown subshell is an error;
                                V2: also text that restore would not reproduce */
    int keep_going;          /* V2: a bad CSF becomes a rejected row (all -1, parity 0)
                                instead of failing the job */
    const char *rejects;     /* V2: file listing every rejected CSF (row, line, reason) */
    const char *header_toml; /* V2: header TOML whose SHA-256 the file records; NULL:
                                found beside a CSF Parquet input, if any */
    int force;               /* overwrite an existing output */
    csfs_output_format format;
    csfs_codec codec;          /* default ZSTD */
    int codec_level;           /* 0: the codec's default (zstd 3) */
    int plain_encoding;        /* Parquet PLAIN pages instead of dictionary (RLE_DICTIONARY) */
    int64_t row_group_rows;    /* 0: 1,048,576 for v1; 131,072 for V2 (export decodes a whole
                                  row group: 12 MB per 10^5 rows of a 19-subshell V2 file) */
    int threads;               /* 0: online CPUs */
    size_t chunk_bytes;        /* text read per work unit; 0: 8 MiB (output never depends on it) */
    int max_reported_failures; /* failures described on the report callback (default 5) */
    /* Called with one message per reported failure/warning; NULL: silent. */
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    /* Called about twice a second from the calling thread; NULL: none. */
    void (*progress)(void *ctx, const csfs_progress *progress);
    void *progress_ctx;
    /* Polled between batches; non-zero aborts with CSFS_E_CANCELLED. */
    const volatile int *cancel;
} csfs_descriptor_options;

/* Defaults for every field (codec ZSTD level 3, the layout's row group size). */
void csfs_descriptor_options_init(csfs_descriptor_options *opt);

typedef struct csfs_summary {
    uint64_t csf_count;              /* rows written */
    uint64_t block_count;            /* J/parity blocks in the input */
    uint64_t failed_count;           /* CSFs written as all-zero rows */
    uint64_t unknown_subshell_count; /* subshell fields not in the peel list */
    uint64_t input_bytes;            /* bytes of (decompressed) text read */
    uint64_t columns;                /* descriptor width */
    uint64_t threads;                /* worker threads used */
    uint64_t rejected_count;         /* V2 --keep-going: rows written as rejected */
    uint64_t noncanonical_count;     /* V2: CSFs, line ends or separators restore would rewrite */
    double seconds;                  /* wall time */
} csfs_summary;

/*
 * Reads a CSF list and writes its descriptor matrix. The output appears only
 * when everything succeeded: it is written to a temporary file in the same
 * directory and renamed at the end; on any error no output or temporary file
 * is left and an existing output is untouched.
 */
int csfs_descriptors_run(const csfs_descriptor_options *opt, csfs_summary *summary,
                         csfs_error *err);

/* ---- CSF lists to CSF Parquet (rCSFs convert_csfs) ------------------------- */

typedef struct csfs_convert_options {
    const char *input;  /* CSF list: text, .zst/.gz or "-" */
    const char *output; /* CSF Parquet: idx, line1, line2, line3, block */
    int force;
    int threads;        /* 0: online CPUs */
    size_t chunk_bytes; /* 0: 8 MiB (output never depends on it) */
    csfs_codec codec;   /* default ZSTD level 3 */
    int codec_level;
    int64_t row_group_rows; /* 0: 65536 */
    size_t max_line_len;    /* 0: lines kept whole; N: cut to N bytes, counted (rCSFs) */
    int header_toml;        /* also write <input stem>_header.toml beside the output */
    void (*report)(void *ctx, const char *message);
    void *report_ctx;
    void (*progress)(void *ctx, const csfs_progress *progress);
    void *progress_ctx;
    const volatile int *cancel;
} csfs_convert_options;

void csfs_convert_options_init(csfs_convert_options *opt);

typedef struct csfs_convert_summary {
    uint64_t csf_count;
    uint64_t block_count;
    uint64_t total_lines;     /* 3 per CSF plus one per separator */
    uint64_t truncated_count; /* lines cut by max_line_len */
    uint64_t input_bytes;
    uint64_t threads;
    double seconds;
    char header_toml[4096]; /* path of the header TOML written, or "" */
} csfs_convert_summary;

/* Text -> CSF Parquet (+ header TOML). Outputs appear only on success. */
int csfs_convert_run(const csfs_convert_options *opt, csfs_convert_summary *summary,
                     csfs_error *err);

/* A descriptor matrix in memory: row-major (C order), rows * cols values. */
typedef struct csfs_matrix {
    void *data; /* int32_t, or float when is_float */
    uint64_t rows;
    size_t cols;
    int is_float;
    void *priv; /* the library's bookkeeping: release with csfs_matrix_free */
} csfs_matrix;

/*
 * The same job as csfs_descriptors_run (opt->output and the output options
 * are ignored), into memory: workers write each row straight into its final
 * place, so there is no copy at the end. *out is owned by the caller and
 * released with csfs_matrix_free, also after a failure.
 */
int csfs_descriptors_matrix(const csfs_descriptor_options *opt, csfs_matrix *out,
                            csfs_summary *summary, csfs_error *err);
void csfs_matrix_free(csfs_matrix *m);

#ifdef __cplusplus
}
#endif
#endif /* CSFS_H */
