/*
 * GRASP mixing files: the reader against the real fixtures of
 * shared/data/grasp-runs (labels, the gfortran dumps, the big-endian and
 * 8-byte-marker variants), against copies re-written by an independent
 * writer (mix_writer.h: every marker size, byte order and subrecord split),
 * and every error the issue lists: wrong CSF list, truncation, corrupt
 * markers, lengths beyond the file, absurd counts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csfs.h"
#include "mixing/labels.h"
#include "mixing/levels.h"
#include "mix_writer.h"
#include "mixing/reader.h"
#include "parquet/pq_writer.h"
#include "testutil.h"

/* O6 (o6_li_like), O6z (o6_li_like_emptyblock) and the format variants are
 * bundled in tests/data; O3 (o3_c_like, 3152 CSFs) is in shared/ only, and the
 * parts that use it skip without it. */
#define RUNS CSFS_SOURCE_DIR "/tests/data/grasp-runs"
#define O3(file) tu_data("data/grasp-runs/o3_c_like/" file)

static const char *cases[][2] = {
    {"o6_li_like", "O6"}, {"o3_c_like", "O3"}, {"o6_li_like_emptyblock", "O6z"}};
static const char *exts[] = {"m", "cm"};

/* ---- a whole file in memory ------------------------------------------------ */

typedef struct mblock {
    int32_t jblock, ncf, nev, iatjpo, iaspar;
    int32_t *ivec;
    double eav;
    double *eval;
    double *evec; /* nev * ncf, level-major as in the file */
} mblock;

typedef struct model {
    csfs_mix_header h;
    size_t nb;
    mblock *b;
} model;

static void free_model(model *m)
{
    for (size_t i = 0; i < m->nb; i++) {
        free(m->b[i].ivec);
        free(m->b[i].eval);
        free(m->b[i].evec);
    }
    free(m->b);
    memset(m, 0, sizeof *m);
}

/* Reads every block and level; returns the reader's status (0 = whole file). */
static int read_all(csfs_mix_reader *r, model *m, csfs_error *err)
{
    memset(m, 0, sizeof *m);
    m->h = *csfs_mix_get_header(r);
    const csfs_mix_block *b;
    int rc;
    while ((rc = csfs_mix_next_block(r, &b, err)) == 1) {
        m->b = realloc(m->b, (m->nb + 1) * sizeof *m->b);
        mblock *o = &m->b[m->nb++];
        *o = (mblock){b->jblock, b->ncf, b->nev, b->iatjpo, b->iaspar, NULL, b->eav, NULL, NULL};
        size_t nev = (size_t)b->nev, ncf = (size_t)b->ncf;
        o->ivec = malloc((nev ? nev : 1) * sizeof *o->ivec);
        o->eval = malloc((nev ? nev : 1) * sizeof *o->eval);
        o->evec = malloc((nev * ncf + 1) * sizeof *o->evec);
        if (nev) memcpy(o->ivec, b->ivec, nev * sizeof *o->ivec);
        if (nev) memcpy(o->eval, b->eval, nev * sizeof *o->eval);
        for (size_t k = 0; k < nev; k++)
            if ((rc = csfs_mix_read_level(r, o->evec + k * ncf, err))) return rc;
    }
    return rc;
}

static int load_model(const char *path, model *m)
{
    csfs_mix_reader *r;
    csfs_error err;
    int rc = csfs_mix_open(path, &r, &err);
    if (rc == 0) {
        rc = read_all(r, m, &err);
        csfs_mix_close(r);
    }
    if (rc) fprintf(stderr, "%s\n", err.message);
    return rc;
}

static int load_model_mem(const void *p, size_t n, model *m, csfs_error *err)
{
    csfs_mix_reader *r;
    int rc = csfs_mix_open_memory(p, n, "mem.m", &r, err);
    if (rc) return rc;
    rc = read_all(r, m, err);
    csfs_mix_close(r);
    return rc;
}

/* Identical integers and bit-identical doubles. */
static int same_model(const model *a, const model *b)
{
    if (memcmp(&a->h, &b->h, sizeof a->h) || a->nb != b->nb) return 0;
    for (size_t i = 0; i < a->nb; i++) {
        const mblock *x = &a->b[i], *y = &b->b[i];
        size_t nev = (size_t)x->nev, ncf = (size_t)x->ncf;
        if (x->jblock != y->jblock || x->ncf != y->ncf || x->nev != y->nev ||
            x->iatjpo != y->iatjpo || x->iaspar != y->iaspar)
            return 0;
        if (nev && (memcmp(x->ivec, y->ivec, nev * 4) || memcmp(&x->eav, &y->eav, 8) ||
                    memcmp(x->eval, y->eval, nev * 8) || memcmp(x->evec, y->evec, nev * ncf * 8)))
            return 0;
    }
    return 1;
}

static void write_model(mixw *w, const model *m)
{
    mixw_magic(w);
    const int32_t h[6] = {m->h.nelec,   m->h.ncftot,  m->h.nw,
                          m->h.nvectot, m->h.nvecsiz, m->h.nblock};
    mixw_record_i32(w, h, 6);
    for (size_t i = 0; i < m->nb; i++) {
        const mblock *b = &m->b[i];
        const int32_t b1[5] = {b->jblock, b->ncf, b->nev, b->iatjpo, b->iaspar};
        mixw_record_i32(w, b1, 5);
        if (b->nev <= 0) continue;
        mixw_record_i32(w, b->ivec, (size_t)b->nev);
        mixw_begin(w, 8 * ((uint64_t)b->nev + 1));
        mixw_f64(w, &b->eav, 1);
        mixw_f64(w, b->eval, (size_t)b->nev);
        mixw_end(w);
        mixw_record_f64(w, b->evec, (size_t)b->nev * (size_t)b->ncf);
    }
}

/* Re-frames a 4-byte little-endian file record by record into subrecords of
 * at most max_sub bytes, without decoding anything (independent of both the
 * reader and the model). */
static uint8_t *resplit(const uint8_t *p, size_t n, size_t max_sub, int marker, int big,
                        size_t *out_len)
{
    mixw w = {.marker = marker, .big = big, .max_sub = max_sub};
    size_t pos = 0;
    while (pos + 8 <= n) {
        uint32_t len = (uint32_t)p[pos] | (uint32_t)p[pos + 1] << 8 | (uint32_t)p[pos + 2] << 16 |
                       (uint32_t)p[pos + 3] << 24;
        mixw_begin(&w, len);
        mixw_data(&w, p + pos + 4, len);
        mixw_end(&w);
        pos += 8 + (size_t)len;
    }
    *out_len = w.len;
    return w.mem;
}

/* ---- the fixtures ---------------------------------------------------------------- */

/* The path of a case's file in buf; 0 (after a skip line) when not available. */
static int path_of(char *buf, size_t cap, int c, const char *suffix)
{
    char rel[512];
    snprintf(rel, sizeof rel, "data/grasp-runs/%s/%s.%s", cases[c][0], cases[c][1], suffix);
    const char *p = tu_data(rel);
    if (p) snprintf(buf, cap, "%s", p);
    return p != NULL;
}

/* Every marker size, byte order and subrecord split gives the same values. */
static void test_round_trips(void)
{
    static const size_t splits[] = {1, 7, 8, 13, 64, 1000};
    for (int c = 0; c < 3; c++) {
        for (int e = 0; e < 2; e++) {
            char path[1024];
            if (!path_of(path, sizeof path, c, exts[e])) continue;
            size_t n;
            char *bytes = tu_read_file(path, &n);
            model ref, got;
            CHECK(bytes != NULL);
            CHECK_EQ_INT(load_model(path, &ref), 0);
            csfs_error err;
            CHECK_EQ_INT(load_model_mem(bytes, n, &got, &err), 0);
            CHECK(same_model(&ref, &got));
            free_model(&got);
            /* The test writer reproduces GRASP's bytes exactly. */
            mixw w = {.marker = 4};
            write_model(&w, &ref);
            CHECK(w.len == n && memcmp(w.mem, bytes, n) == 0);
            free(w.mem);
            for (size_t s = 0; s < sizeof splits / sizeof *splits; s++) {
                for (int variant = 0; variant < 4; variant++) {
                    int marker = variant & 1 ? 8 : 4, big = variant >> 1;
                    size_t len;
                    uint8_t *copy = resplit((const uint8_t *)bytes, n, splits[s], 4, 0, &len);
                    if (variant) { /* typed re-write: markers and data converted */
                        free(copy);
                        mixw w2 = {.marker = marker, .big = big, .max_sub = splits[s]};
                        write_model(&w2, &ref);
                        copy = w2.mem;
                        len = w2.len;
                    }
                    int rc = load_model_mem(copy, len, &got, &err);
                    if (rc)
                        fprintf(stderr, "%s split %zu variant %d: %s\n", path, splits[s], variant,
                                err.message);
                    CHECK_EQ_INT(rc, 0);
                    CHECK(same_model(&ref, &got));
                    free_model(&got);
                    free(copy);
                }
            }
            free_model(&ref);
            free(bytes);
        }
    }
}

/* Skipping unread levels works across subrecord boundaries too. */
static void test_partial_reads(void)
{
    char path[1024];
    if (!path_of(path, sizeof path, 1, "cm")) return;
    size_t n, len;
    char *bytes = tu_read_file(path, &n);
    model ref;
    CHECK_EQ_INT(load_model(path, &ref), 0);
    uint8_t *copy = resplit((const uint8_t *)bytes, n, 100, 4, 0, &len);
    csfs_mix_reader *r;
    csfs_error err;
    CHECK_EQ_INT(csfs_mix_open_memory(copy, len, "split.cm", &r, &err), 0);
    const csfs_mix_block *b;
    size_t i = 0;
    int rc;
    while ((rc = csfs_mix_next_block(r, &b, &err)) == 1) {
        double *v = malloc((size_t)b->ncf * sizeof *v);
        CHECK(b->nev > 0);
        CHECK_EQ_INT(csfs_mix_read_level(r, v, &err), 0); /* level 1 only */
        CHECK(memcmp(v, ref.b[i].evec, (size_t)b->ncf * 8) == 0);
        free(v);
        i++;
    }
    CHECK_EQ_INT(rc, 0);
    CHECK_EQ_INT(i, ref.nb);
    csfs_mix_close(r);
    free(copy);
    free(bytes);
    free_model(&ref);
}

static void test_format_variants(void)
{
    model ref, big, m8;
    CHECK_EQ_INT(load_model(RUNS "/o6_li_like/O6.m", &ref), 0);
    CHECK_EQ_INT(load_model(RUNS "/format-variants/O6.m.bigendian", &big), 0);
    CHECK_EQ_INT(load_model(RUNS "/format-variants/O6.m.marker8", &m8), 0);
    CHECK(same_model(&ref, &big));
    CHECK(same_model(&ref, &m8));
    csfs_mix_reader *r;
    csfs_error err;
    CHECK_EQ_INT(csfs_mix_open(RUNS "/format-variants/O6.m.bigendian", &r, &err), 0);
    CHECK_EQ_INT(csfs_mix_big_endian(r), 1);
    CHECK_EQ_INT(csfs_mix_marker_bytes(r), 4);
    csfs_mix_close(r);
    CHECK_EQ_INT(csfs_mix_open(RUNS "/format-variants/O6.m.marker8", &r, &err), 0);
    CHECK_EQ_INT(csfs_mix_big_endian(r), 0);
    CHECK_EQ_INT(csfs_mix_marker_bytes(r), 8);
    csfs_mix_close(r);
    free_model(&ref);
    free_model(&big);
    free_model(&m8);
}

/* Every value against the ES26.17 dump of an independent gfortran reader. */
static void test_fortran_dump(const char *mix, const char *dump)
{
    model m;
    CHECK_EQ_INT(load_model(mix, &m), 0);
    FILE *f = fopen(dump, "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[512];
    long blk = -1, lev = 0, coefs = 0, bad = 0;
    while (fgets(line, sizeof line, f)) {
        long a, b;
        double v;
        int32_t h[6];
        if (sscanf(line, "HDR G92MIX %d %d %d %d %d %d", &h[0], &h[1], &h[2], &h[3], &h[4],
                   &h[5]) == 6) {
            csfs_mix_header want = {h[0], h[1], h[2], h[3], h[4], h[5]};
            CHECK(memcmp(&want, &m.h, sizeof want) == 0);
        } else if (sscanf(line, "BLK %ld", &a) == 1) {
            blk++;
            lev = 0;
            int32_t v5[5];
            CHECK_EQ_INT(sscanf(line, "BLK %d %d %d %d %d", &v5[0], &v5[1], &v5[2], &v5[3], &v5[4]),
                         5);
            const mblock *mb = &m.b[blk];
            CHECK(v5[0] == mb->jblock && v5[1] == mb->ncf && v5[2] == mb->nev &&
                  v5[3] == mb->iatjpo && v5[4] == mb->iaspar);
        } else if (sscanf(line, "EAV %lf", &v) == 1) {
            CHECK(v == m.b[blk].eav);
        } else if (sscanf(line, "LEV %ld %lf", &a, &v) == 2) {
            bad += v != m.b[blk].eval[lev++];
        } else if (sscanf(line, "C %ld %ld %lf", &a, &b, &v) == 3) {
            const mblock *mb = &m.b[blk];
            coefs++;
            bad += v != mb->evec[(size_t)(a - 1) * (size_t)mb->ncf + (size_t)(b - 1)];
        }
    }
    fclose(f);
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(coefs, m.h.nvecsiz);
    free_model(&m);
}

/* Labels against *.labels.tsv. ci2 is c*c, the correctly rounded square; the
 * fixtures were made with Python's c**2 (libm pow), which is one ulp off in
 * a few O3 rows: those must be exactly one ulp away, and no others differ. */
static void test_labels(int c, int e, int known_ulp_rows)
{
    char mix[1024], lst[1024], tsv[1024], sfx[32];
    snprintf(sfx, sizeof sfx, "%s.labels.tsv", exts[e]);
    if (!path_of(mix, sizeof mix, c, exts[e]) || !path_of(lst, sizeof lst, c, "c") ||
        !path_of(tsv, sizeof tsv, c, sfx))
        return;
    csfs_mix_list list;
    csfs_error err;
    CHECK_EQ_INT(csfs_mix_list_read(lst, &list, &err), 0);
    CHECK(list.jp_known);
    csfs_mix_reader *r;
    CHECK_EQ_INT(csfs_mix_open(mix, &r, &err), 0);
    csfs_mix_labels lab;
    int rc = csfs_mix_labels_compute(r, &list, &lab, &err);
    if (rc) fprintf(stderr, "%s\n", err.message);
    CHECK_EQ_INT(rc, 0);
    FILE *f = fopen(tsv, "r");
    CHECK(f != NULL);
    char line[256];
    uint64_t row = 0;
    long bad = 0, ulp = 0;
    if (f && fgets(line, sizeof line, f)) { /* header */
        while (fgets(line, sizeof line, f)) {
            unsigned long long g;
            int blk, pos, nlev, arg;
            double ci2;
            if (sscanf(line, "%llu %d %d %d %lf %d", &g, &blk, &pos, &nlev, &ci2, &arg) != 6 ||
                row >= lab.rows) {
                bad++;
                break;
            }
            bad += g != row || blk != lab.block[row] || pos != lab.pos_in_block[row] ||
                   nlev != lab.nlev[row] || arg != lab.level_argmax[row];
            double got = lab.ci2_max[row];
            if (ci2 != got) {
                if (nextafter(got, INFINITY) == ci2 || nextafter(got, -INFINITY) == ci2)
                    ulp++;
                else
                    bad++;
            }
            row++;
        }
    }
    if (f) fclose(f);
    CHECK_EQ_INT(row, list.csf_count);
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(ulp, known_ulp_rows);
    csfs_mix_labels_free(&lab);
    csfs_mix_close(r);
    csfs_mix_list_free(&list);
}

static void test_levels_emptyblock(void)
{
    csfs_mix_levels lv;
    csfs_error err;
    /* rmcdhf: block 3 has no records (rlevels stops here). */
    CHECK_EQ_INT(csfs_mix_levels_read(RUNS "/o6_li_like_emptyblock/O6z.m", NULL, &lv, &err), 0);
    CHECK_EQ_INT(lv.n_blocks, 3);
    CHECK_EQ_INT(lv.blocks[2].jblock, 4);
    CHECK_EQ_INT(lv.n_levels, 5);
    csfs_buf out = {0};
    CHECK_EQ_INT(csfs_mix_levels_json(&lv, &out, &err), 0);
    csfs_buf_terminate(&out, &err);
    CHECK_CONTAINS(out.data, "\"block\": 3, \"stored\": false, \"ncf\": 46");
    csfs_buf_free(&out);
    csfs_mix_levels_free(&lv);
    /* rci: block 2 stored with NEV = 0 and 999s; IVEC = [2, 4] unsorted-safe. */
    CHECK_EQ_INT(csfs_mix_levels_read(RUNS "/o6_li_like_emptyblock/O6z.cm", NULL, &lv, &err), 0);
    CHECK_EQ_INT(lv.n_blocks, 4);
    CHECK_EQ_INT(lv.blocks[1].nev, 0);
    CHECK_EQ_INT(lv.blocks[1].iatjpo, 999);
    CHECK_EQ_INT(lv.levels[lv.blocks[3].first_level + 1].pos, 4);
    CHECK_EQ_INT(lv.levels[lv.by_energy[0]].block, 1);
    csfs_mix_levels_free(&lv);
}

/* ---- errors -------------------------------------------------------------------------- */

/* Opens bytes in memory and reads everything (checked against list when
 * given); returns the status and leaves the message in err. */
static int consume(const void *p, size_t n, const csfs_mix_list *list, csfs_error *err)
{
    csfs_mix_reader *r;
    int rc = csfs_mix_open_memory(p, n, "bad.m", &r, err);
    if (rc) return rc;
    if (list) {
        csfs_mix_labels lab;
        rc = csfs_mix_labels_compute(r, list, &lab, err);
        csfs_mix_labels_free(&lab);
    } else {
        model m;
        rc = read_all(r, &m, err);
        free_model(&m);
    }
    csfs_mix_close(r);
    return rc;
}

static void expect_error(const void *p, size_t n, const csfs_mix_list *list, const char *a,
                         const char *b)
{
    csfs_error err = {0};
    int rc = consume(p, n, list, &err);
    CHECK(rc < 0);
    CHECK_CONTAINS(err.message, "bad.m");
    if (a) CHECK_CONTAINS(err.message, a);
    if (b) CHECK_CONTAINS(err.message, b);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Every prefix of a file is an error, never a crash or a silent success. */
static void test_truncation(void)
{
    static const char *files[] = {RUNS "/o6_li_like/O6.m", RUNS "/o6_li_like_emptyblock/O6z.cm",
                                  RUNS "/format-variants/O6.m.marker8",
                                  RUNS "/format-variants/O6.m.bigendian"};
    for (size_t f = 0; f < sizeof files / sizeof *files; f++) {
        size_t n;
        char *bytes = tu_read_file(files[f], &n);
        long ok = 0;
        for (size_t cut = 0; cut < n; cut++) {
            csfs_error err;
            char *copy = malloc(cut ? cut : 1); /* exact size: ASan sees any over-read */
            memcpy(copy, bytes, cut);
            ok += consume(copy, cut, NULL, &err) == 0;
            free(copy);
        }
        CHECK_EQ_INT(ok, 0);
        free(bytes);
    }
    /* Cut inside a record, and exactly after a block (only NVECTOT tells). */
    size_t n;
    char *bytes = tu_read_file(RUNS "/o6_li_like/O6.m", &n);
    expect_error(bytes, n - 10, NULL, "truncated", "block 4");
    size_t after3 = 46;
    static const int ncf[4] = {41, 55, 46, 77};
    for (int b = 0; b < 3; b++) after3 += 28 + 16 + 32 + 8 + 8 * 2 * (size_t)ncf[b];
    expect_error(bytes, after3, NULL, "NVECTOT = 8", "truncated");
    free(bytes);
}

/* Flipping any single bit must never crash the reader (values may change). */
static void test_bit_flips(void)
{
    size_t n;
    char *bytes = tu_read_file(RUNS "/o6_li_like_emptyblock/O6z.cm", &n);
    char *copy = malloc(n);
    long fails = 0;
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit++) {
            memcpy(copy, bytes, n);
            copy[i] ^= (char)(1 << bit);
            csfs_error err;
            fails += consume(copy, n, NULL, &err) != 0;
        }
    }
    CHECK(fails > 0);
    free(copy);
    free(bytes);
}

static void test_corrupt_markers(void)
{
    size_t n;
    char *orig = tu_read_file(RUNS "/o6_li_like/O6.m", &n);
    char *p = malloc(n);
    /* R1's trailing marker (24 at byte 42). */
    memcpy(p, orig, n);
    put_le32((uint8_t *)p + 42, 25);
    expect_error(p, n, NULL, "trailing record marker at byte 42 is 25, expected 24", "R1");
    /* Block 1's coefficient record: leading marker far beyond the file. */
    size_t b4 = 46 + 28 + 16 + 32;
    memcpy(p, orig, n);
    put_le32((uint8_t *)p + b4, 0x7fffffff);
    expect_error(p, n, NULL, "announces 2147483647 bytes", "coefficient record (B4) of block 1");
    /* ... or shorter than NCF x NEV doubles. */
    memcpy(p, orig, n);
    put_le32((uint8_t *)p + b4, 648);
    expect_error(p, n, NULL, "holds 648 bytes, expected 656", "block 1");
    /* A continuation marker (negative) where the record really ends. */
    memcpy(p, orig, n);
    put_le32((uint8_t *)p + b4, (uint32_t)-656);
    expect_error(p, n, NULL, "block 1", NULL);
    /* The first record is not G92MIX. */
    memcpy(p, orig, n);
    p[4] = 'X';
    expect_error(p, n, NULL, "not a GRASP mixing-coefficient file", "G92MIX");
    free(p);
    /* A CSF list given as the mixing file. */
    size_t cn;
    char *csf = tu_read_file(RUNS "/o6_li_like/O6.c", &cn);
    expect_error(csf, cn, NULL, "CSF list", NULL);
    free(csf);
    free(orig);
}

/* A synthetic file: header + one B1 record + optional tail bytes. */
static void synth(mixw *w, const int32_t h[6], const int32_t b1[5])
{
    memset(w, 0, sizeof *w);
    w->marker = 4;
    mixw_magic(w);
    mixw_record_i32(w, h, 6);
    if (b1) mixw_record_i32(w, b1, 5);
}

static void test_absurd_counts(void)
{
    mixw w;
    /* NCF x NEV of ~4.6e18 coefficients in a 100-byte file: refused before allocating. */
    synth(&w, (const int32_t[6]){3, INT32_MAX, 9, 0, 0, 1},
          (const int32_t[5]){1, INT32_MAX, INT32_MAX, 2, 1});
    expect_error(w.mem, w.len, NULL, "NEV = 2147483647 levels of NCF = 2147483647 CSFs", "only");
    free(w.mem);
    /* A plausible NEV whose data the file does not hold. */
    synth(&w, (const int32_t[6]){3, 1000, 9, 0, 0, 1}, (const int32_t[5]){1, 1000, 900, 2, 1});
    expect_error(w.mem, w.len, NULL, "need 900000 coefficients", "truncated file or corrupt");
    free(w.mem);
    /* The header alone promises more than the file holds. */
    synth(&w, (const int32_t[6]){3, 219, 9, 8, INT32_MAX, 4}, NULL);
    expect_error(w.mem, w.len, NULL, "header announces NVECTOT = 8 levels", "truncated");
    free(w.mem);
    /* Negative counts, block numbers outside 1..NBLOCK or out of order. */
    synth(&w, (const int32_t[6]){3, -1, 9, 0, 0, 1}, NULL);
    expect_error(w.mem, w.len, NULL, "NCFTOT = -1 is negative", NULL);
    free(w.mem);
    synth(&w, (const int32_t[6]){3, 10, 9, 0, 0, 2}, (const int32_t[5]){3, 5, 0, 999, 999});
    expect_error(w.mem, w.len, NULL, "JBLOCK = 3", "NBLOCK = 2");
    free(w.mem);
    synth(&w, (const int32_t[6]){3, 10, 9, 0, 0, 2}, (const int32_t[5]){2, 5, 0, 999, 999});
    mixw_record_i32(&w, (const int32_t[5]){1, 5, 0, 999, 999}, 5);
    expect_error(w.mem, w.len, NULL, "JBLOCK = 1 after block 2", NULL);
    free(w.mem);
    synth(&w, (const int32_t[6]){3, 10, 9, 0, 0, 1}, (const int32_t[5]){1, 5, -1, 2, 1});
    expect_error(w.mem, w.len, NULL, "NEV = -1 is negative", "block 1");
    free(w.mem);
    synth(&w, (const int32_t[6]){3, 10, 9, 0, 0, 1}, (const int32_t[5]){1, 5, 6, 2, 1});
    expect_error(w.mem, w.len, NULL, "NEV = 6 levels, more than its NCF = 5", NULL);
    free(w.mem);
    /* IVEC and parity outside their ranges. */
    synth(&w, (const int32_t[6]){3, 2, 9, 1, 2, 1}, (const int32_t[5]){1, 2, 1, 2, 0});
    expect_error(w.mem, w.len, NULL, "parity IASPAR = 0", NULL);
    free(w.mem);
    synth(&w, (const int32_t[6]){3, 2, 9, 1, 2, 1}, (const int32_t[5]){1, 2, 1, 2, 1});
    mixw_record_i32(&w, (const int32_t[1]){3}, 1);
    mixw_record_f64(&w, (const double[2]){-1, 0}, 2);
    mixw_record_f64(&w, (const double[2]){1, 0}, 2);
    expect_error(w.mem, w.len, NULL, "IVEC(1) = 3 is outside 1..NCF = 2", NULL);
    free(w.mem);
    /* A well-formed tiny file reads (the writer itself is sound). */
    synth(&w, (const int32_t[6]){3, 2, 9, 1, 2, 1}, (const int32_t[5]){1, 2, 1, 2, 1});
    mixw_record_i32(&w, (const int32_t[1]){2}, 1);
    mixw_record_f64(&w, (const double[2]){-1, 0.5}, 2);
    mixw_record_f64(&w, (const double[2]){0.6, 0.8}, 2);
    csfs_error err;
    CHECK_EQ_INT(consume(w.mem, w.len, NULL, &err), 0);
    free(w.mem);
}

static void test_wrong_lists(const char *dir)
{
    size_t n;
    char *m = tu_read_file(RUNS "/o6_li_like/O6.m", &n);
    csfs_mix_list l;
    csfs_error err;
    if (O3("O3.c")) {
        CHECK_EQ_INT(csfs_mix_list_read(O3("O3.c"), &l, &err), 0);
        expect_error(m, n, &l, "NCFTOT = 219 CSFs in the mixing file, but the list has 3152",
                     "O3.c");
        csfs_mix_list_free(&l);
    }
    const uint64_t swapped[4] = {41, 55, 77, 46}, three[3] = {41, 55, 123};
    CHECK_EQ_INT(csfs_mix_list_from_lengths(swapped, 4, NULL, NULL, "swapped", &l, &err), 0);
    expect_error(m, n, &l, "block 3 has NCF = 46 CSFs in the mixing file, but 77 in the list",
                 NULL);
    csfs_mix_list_free(&l);
    CHECK_EQ_INT(csfs_mix_list_from_lengths(three, 3, NULL, NULL, "three", &l, &err), 0);
    expect_error(m, n, &l, "NBLOCK = 4 blocks in the mixing file, but the list has 3", NULL);
    csfs_mix_list_free(&l);
    const uint64_t right[4] = {41, 55, 46, 77};
    const int32_t tj[4] = {1, 1, 3, 1};
    const int8_t pa[4] = {1, -1, 1, -1};
    CHECK_EQ_INT(csfs_mix_list_from_lengths(right, 4, tj, pa, "jp", &l, &err), 0);
    expect_error(m, n, &l, "block 4 is J = 3/2- in the mixing file", "but 1/2- in the list");
    csfs_mix_list_free(&l);
    /* A text list whose block 2 says 3/2- on line 3 of its first CSF. */
    size_t cn;
    char *c = tu_read_file(RUNS "/o6_li_like/O6.c", &cn);
    char *sep = strstr(c, "\n *\n");
    char *l3 = sep ? strstr(sep + 4, "1/2-\n") : NULL;
    CHECK(l3 != NULL);
    if (l3) l3[0] = '3';
    char bad[1024];
    snprintf(bad, sizeof bad, "%s/bad_jp.c", dir);
    CHECK_EQ_INT(tu_write_file(bad, c, cn), 0);
    CHECK_EQ_INT(csfs_mix_list_read(bad, &l, &err), 0);
    expect_error(m, n, &l, "block 2 is J = 1/2- in the mixing file (2J+1 = 2, parity -1)",
                 "but 3/2- in the list (line ");
    csfs_mix_list_free(&l);
    free(c);
    free(m);
}

/* The whole job: output only on success, nothing left behind on errors. */
static void test_run(const char *dir)
{
    char out[2048], sub[1024];
    snprintf(sub, sizeof sub, "%s/out", dir);
    CHECK_EQ_INT(mkdir(sub, 0700), 0);
    snprintf(out, sizeof out, "%s/labels.parquet", sub);
    csfs_mix_options opt;
    csfs_mix_options_init(&opt);
    opt.input = RUNS "/o6_li_like/O6.m";
    opt.csf_list = tu_data("data/grasp/c_like_n3_2x.c"); /* 505 CSFs: the wrong list */
    opt.output = out;
    csfs_mix_summary sum;
    csfs_error err;
    CHECK(csfs_mix_labels_run(&opt, &sum, &err) < 0);
    CHECK_CONTAINS(err.message, "NCFTOT");
    CHECK_EQ_INT(tu_count_entries(sub), 0);
    opt.csf_list = RUNS "/o6_li_like/O6.c";
    for (int layout = 0; layout < 3; layout++) {
        opt.layout = (csfs_mix_layout)layout;
        opt.force = 1;
        opt.row_group_rows = 50; /* several row groups, cut inside blocks */
        int rc = csfs_mix_labels_run(&opt, &sum, &err);
        if (rc) fprintf(stderr, "%s\n", err.message);
        CHECK_EQ_INT(rc, 0);
        CHECK_EQ_INT(sum.rows, layout == CSFS_MIX_LONG ? 438 : 219);
        CHECK_EQ_INT(sum.columns, layout == CSFS_MIX_WIDE ? 14 : layout == CSFS_MIX_LONG ? 8 : 6);
        CHECK_EQ_INT(tu_count_entries(sub), 1);
    }
    /* An existing output is kept without force. */
    opt.force = 0;
    CHECK_EQ_INT(csfs_mix_labels_run(&opt, &sum, &err), CSFS_E_EXISTS);
}

/* A csfs descriptor file as the CSF list: block lengths from its metadata,
 * J/parity unavailable (and said so). */
static void test_parquet_list(const char *dir)
{
    char desc[1024];
    snprintf(desc, sizeof desc, "%s/O6.desc.parquet", dir);
    csfs_descriptor_options dopt;
    csfs_descriptor_options_init(&dopt);
    dopt.input = RUNS "/o6_li_like/O6.c";
    dopt.output = desc;
    csfs_summary dsum;
    csfs_error err;
    int rc = csfs_descriptors_run(&dopt, &dsum, &err);
    if (rc) fprintf(stderr, "%s\n", err.message);
    CHECK_EQ_INT(rc, 0);
    csfs_mix_list l;
    rc = csfs_mix_list_read(desc, &l, &err);
    if (rc) fprintf(stderr, "%s\n", err.message);
    CHECK_EQ_INT(rc, 0);
    if (rc) return;
    CHECK_EQ_INT(l.n_blocks, 4);
    CHECK_EQ_INT(l.block_lengths[3], 77);
    CHECK_EQ_INT(l.csf_count, 219);
    CHECK_EQ_INT(l.jp_known, 0);
    CHECK_CONTAINS(l.jp_note, "J/parity not checked");
    csfs_mix_reader *r;
    csfs_mix_labels a, b;
    CHECK_EQ_INT(csfs_mix_open(RUNS "/o6_li_like/O6.m", &r, &err), 0);
    CHECK_EQ_INT(csfs_mix_labels_compute(r, &l, &a, &err), 0);
    csfs_mix_close(r);
    csfs_mix_list tl;
    CHECK_EQ_INT(csfs_mix_list_read(RUNS "/o6_li_like/O6.c", &tl, &err), 0);
    CHECK_EQ_INT(csfs_mix_open(RUNS "/o6_li_like/O6.m", &r, &err), 0);
    CHECK_EQ_INT(csfs_mix_labels_compute(r, &tl, &b, &err), 0);
    csfs_mix_close(r);
    CHECK(a.rows == b.rows && memcmp(a.ci2_max, b.ci2_max, a.rows * 8) == 0 &&
          memcmp(a.level_argmax, b.level_argmax, a.rows * 4) == 0);
    csfs_mix_labels_free(&a);
    csfs_mix_labels_free(&b);
    csfs_mix_list_free(&tl);
    csfs_mix_list_free(&l);
}

/* A CSF Parquet as `csfs convert` writes it (idx, line1..3, block; csfs.*
 * metadata), made here with the Parquet writer from a text list. When
 * cut_line3 is set, line 3 is truncated as a converter line limit would. */
static int write_csf_parquet(const char *src, const char *out, int cut_line3)
{
    size_t n;
    char *text = tu_read_file(src, &n);
    if (!text) return -1;
    size_t cap = 1024, rows = 0, nblocks = 1;
    uint64_t *off[3], blocks[64] = {0};
    int64_t *idx = malloc(cap * sizeof *idx);
    int32_t *blk = malloc(cap * sizeof *blk);
    csfs_buf data[3] = {{0}};
    for (int k = 0; k < 3; k++) {
        off[k] = malloc((cap + 1) * sizeof *off[k]);
        off[k][0] = 0;
    }
    /* Lines kept as they are, empty ones included (header line 2, line 2 of
     * closed-shell CSFs). */
    char *line = text, *end = text + n;
    int part = 0, lineno = 0;
    while (line < end) {
        char *nl = memchr(line, '\n', (size_t)(end - line));
        size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);
        char *next = nl ? nl + 1 : end;
        if (++lineno <= 5) {
            line = next;
            continue;
        }
        if (part == 0 && len == 2 && memcmp(line, " *", 2) == 0) {
            nblocks++;
            line = next;
            continue;
        }
        if (part == 2 && cut_line3 && len > 3) len -= 3;
        csfs_buf_append(&data[part], line, len, NULL);
        off[part][rows + 1] = data[part].len;
        if (++part == 3) {
            if (rows + 1 == cap) break; /* small lists only (O6.c: 219 CSFs) */
            idx[rows] = (int64_t)rows;
            blk[rows] = (int32_t)nblocks;
            blocks[nblocks - 1]++;
            rows++;
            part = 0;
        }
        line = next;
    }
    char lengths[256] = "[";
    for (size_t b = 0; b < nblocks; b++)
        snprintf(lengths + strlen(lengths), sizeof lengths - strlen(lengths), "%s%llu",
                 b ? "," : "", (unsigned long long)blocks[b]);
    strcat(lengths, "]");
    char count[32];
    snprintf(count, sizeof count, "%zu", rows);
    const pq_column_def defs[5] = {{"idx", PQ_INT64, PQ_LOGICAL_UINT64, PQ_REQUIRED},
                                   {"line1", PQ_BYTE_ARRAY, PQ_LOGICAL_STRING, PQ_REQUIRED},
                                   {"line2", PQ_BYTE_ARRAY, PQ_LOGICAL_STRING, PQ_REQUIRED},
                                   {"line3", PQ_BYTE_ARRAY, PQ_LOGICAL_STRING, PQ_REQUIRED},
                                   {"block", PQ_INT32, PQ_LOGICAL_NONE, PQ_REQUIRED}};
    const pq_kv kv[3] = {
        {"csfs.kind", "csf_list"}, {"csfs.csf_count", count}, {"csfs.block_lengths", lengths}};
    csfs_outfile file;
    memset(&file, 0, sizeof file);
    file.fd = -1;
    pq_writer *w = NULL;
    pq_encoder *enc = pq_encoder_new();
    pq_chunk chunks[5];
    memset(chunks, 0, sizeof chunks);
    pq_write_options wopt = {.codec = PQ_CODEC_UNCOMPRESSED};
    int rc = csfs_outfile_open(&file, out, 1, NULL);
    if (rc == 0) rc = pq_writer_open(&w, &file, defs, 5, &wopt, NULL);
    for (int c = 0; rc == 0 && c < 5; c++) {
        pq_column_values v = {.rows = rows};
        if (c == 0)
            v.values = idx;
        else if (c == 4)
            v.values = blk;
        else {
            v.offsets = off[c - 1];
            v.data = (const uint8_t *)data[c - 1].data;
        }
        rc = pq_encode_chunk(enc, &defs[c], &wopt, &v, &chunks[c], NULL);
    }
    if (rc == 0) rc = pq_writer_write_row_group(w, chunks, (int64_t)rows, NULL);
    if (rc == 0) rc = pq_writer_finish(w, kv, 3, "csfs test", NULL);
    if (rc == 0)
        rc = csfs_outfile_commit(&file, NULL);
    else
        csfs_outfile_abort(&file);
    for (int c = 0; c < 5; c++) pq_chunk_release(&chunks[c]);
    pq_writer_free(w);
    pq_encoder_free(enc);
    for (int k = 0; k < 3; k++) {
        free(off[k]);
        csfs_buf_free(&data[k]);
    }
    free(idx);
    free(blk);
    free(text);
    return rc;
}

/* A CSF Parquet as the list: blocks from csfs.block_lengths, J/parity from
 * the line3 column (checked: a wrong J is caught as with text). */
static void test_csf_parquet_list(const char *dir)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/O6.csf.parquet", dir);
    CHECK_EQ_INT(write_csf_parquet(RUNS "/o6_li_like/O6.c", path, 0), 0);
    csfs_mix_list l;
    csfs_error err;
    int rc = csfs_mix_list_read(path, &l, &err);
    if (rc) fprintf(stderr, "%s\n", err.message);
    CHECK_EQ_INT(rc, 0);
    if (rc) return;
    CHECK_EQ_INT(l.n_blocks, 4);
    CHECK_EQ_INT(l.jp_known, 1);
    CHECK(l.two_j[2] == 3 && l.parity[2] == 1 && l.two_j[3] == 3 && l.parity[3] == -1);
    size_t n;
    char *m = tu_read_file(RUNS "/o6_li_like/O6.m", &n);
    csfs_mix_reader *r;
    csfs_mix_labels lab;
    CHECK_EQ_INT(csfs_mix_open(RUNS "/o6_li_like/O6.m", &r, &err), 0);
    CHECK_EQ_INT(csfs_mix_labels_compute(r, &l, &lab, &err), 0);
    csfs_mix_labels_free(&lab);
    csfs_mix_close(r);
    l.two_j[1] = 5; /* the list now disagrees with block 2 */
    expect_error(m, n, &l, "block 2 is J = 1/2- in the mixing file", "but 5/2- in the list");
    csfs_mix_list_free(&l);
    /* Line 3 cut before J and parity: known lengths, J/parity unchecked. */
    CHECK_EQ_INT(write_csf_parquet(RUNS "/o6_li_like/O6.c", path, 1), 0);
    CHECK_EQ_INT(csfs_mix_list_read(path, &l, &err), 0);
    CHECK_EQ_INT(l.jp_known, 0);
    CHECK_CONTAINS(l.jp_note, "not checked for 4 blocks");
    csfs_mix_list_free(&l);
    free(m);
}

int main(void)
{
    const char *dir = tu_temp_dir();
    test_round_trips();
    test_partial_reads();
    test_format_variants();
    test_fortran_dump(RUNS "/o6_li_like/O6.m", RUNS "/format-variants/O6.m.fortran-dump.txt");
    test_fortran_dump(RUNS "/o6_li_like/O6.cm", RUNS "/format-variants/O6.cm.fortran-dump.txt");
    for (int c = 0; c < 3; c++)
        for (int e = 0; e < 2; e++) test_labels(c, e, c == 1 ? (e == 0 ? 3 : 1) : 0);
    test_levels_emptyblock();
    test_truncation();
    test_bit_flips();
    test_corrupt_markers();
    test_absurd_counts();
    test_wrong_lists(dir);
    test_run(dir);
    test_parquet_list(dir);
    test_csf_parquet_list(dir);
    return tu_done();
}
