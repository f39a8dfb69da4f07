/* Generated text to an atomic output file, plain or as one zstd frame. */
#include "generate/text_sink.h"

#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <zstd.h>

#include "common/error.h"

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

int gen_text_sink_open(gen_text_sink *s, const char *path, int force, csfs_error *err)
{
    memset(s, 0, sizeof *s);
    s->out.fd = -1;
    if (strcmp(path, "-") == 0) {
        s->to_stdout = 1;
        return 0;
    }
    int rc = csfs_outfile_open(&s->out, path, force, err);
    if (rc) return rc;
    if (ends_with(path, ".zst")) {
        ZSTD_CCtx *c = ZSTD_createCCtx();
        if (!c) {
            csfs_outfile_abort(&s->out);
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        }
        ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, 3);
        ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
        s->zstd = c;
        s->zcap = ZSTD_CStreamOutSize();
        s->zbuf = malloc(s->zcap);
        if (!s->zbuf) {
            gen_text_sink_abort(s);
            return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        }
    }
    return 0;
}

static int zpump(gen_text_sink *s, const void *data, size_t n, ZSTD_EndDirective mode,
                 csfs_error *err)
{
    ZSTD_inBuffer in = {data, n, 0};
    for (;;) {
        ZSTD_outBuffer o = {s->zbuf, s->zcap, 0};
        size_t left = ZSTD_compressStream2(s->zstd, &o, &in, mode);
        if (ZSTD_isError(left))
            return csfs_fail(err, CSFS_E_IO, "%s: zstd: %s", s->out.path, ZSTD_getErrorName(left));
        if (o.pos) {
            int rc = csfs_outfile_write(&s->out, s->zbuf, o.pos, err);
            if (rc) return rc;
        }
        if (mode == ZSTD_e_end ? left == 0 : in.pos == in.size) return 0;
    }
}

static int write_stdout(const char *p, size_t n, csfs_error *err)
{
    while (n) {
        ssize_t w = write(1, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            return csfs_fail_errno(err, errno, "<stdout>: write failed");
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int gen_text_sink_write(gen_text_sink *s, const void *data, size_t n, csfs_error *err)
{
    if (!n) return 0;
    if (s->to_stdout) return write_stdout(data, n, err);
    if (s->zstd) return zpump(s, data, n, ZSTD_e_continue, err);
    return csfs_outfile_write(&s->out, data, n, err);
}

int gen_text_sink_commit(gen_text_sink *s, csfs_error *err)
{
    if (s->to_stdout) return 0;
    if (s->zstd) {
        int rc = zpump(s, "", 0, ZSTD_e_end, err);
        if (rc) {
            gen_text_sink_abort(s);
            return rc;
        }
    }
    int rc = csfs_outfile_commit(&s->out, err);
    gen_text_sink_abort(s);
    return rc;
}

void gen_text_sink_abort(gen_text_sink *s)
{
    csfs_outfile_abort(&s->out);
    if (s->zstd) ZSTD_freeCCtx(s->zstd);
    s->zstd = NULL;
    free(s->zbuf);
    s->zbuf = NULL;
}
