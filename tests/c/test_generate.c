/*
 * csfs generate internals: the dialog's list-directed reads, the TOML form,
 * GRASP's state-table sizes (genb.f90 KOPPL), the DP counts against the CSFs
 * actually enumerated, cutting a configuration's CSFs at any point, and (when
 * shared/ is there) one real GRASP list through the public API, SHA-256 and
 * all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/sha256.h"
#include "csfs.h"
#include "generate/confenum.h"
#include "generate/coupling.h"
#include "generate/csfgen.h"
#include "descriptor/v2.h"
#include "generate/dialog.h"
#include "generate/gen_job.h"
#include "generate/gen_source.h"
#include "grasp/csf_text.h"
#include "grasp/peel.h"
#include "generate/plan.h"
#include "testutil.h"

static void test_list_directed(void)
{
    /* comments after values, blank lines skipped, the 2J pair split over two lines */
    const char *t = " * ! Orbital order\n\n           3  ! Selected core\n3d(10,i)4s(2,*)\n*\n"
                    "5s,5p\n0\n  12 ! Lower and higher\n  2  ! Number of excitations \n n\n";
    gen_dialog d;
    csfs_error err;
    CHECK(gen_dialog_read(t, strlen(t), "t", &d, &err) == 0);
    CHECK(d.order == '*');
    CHECK_EQ_INT(d.core, 3);
    CHECK_EQ_INT(d.n_rounds, 1);
    CHECK_EQ_INT(d.rounds[0].n_refs, 1);
    CHECK(strcmp(d.rounds[0].refs[0].text, "3d(10,i)4s(2,*)") == 0);
    CHECK(strcmp(d.rounds[0].active, "5s,5p") == 0);
    CHECK_EQ_INT(d.rounds[0].two_j_lo, 0);
    CHECK_EQ_INT(d.rounds[0].two_j_hi, 12);
    CHECK_EQ_INT(d.rounds[0].two_j_line, 7);
    CHECK_EQ_INT(d.rounds[0].excitations, 2);
    CHECK(!d.rounds[0].more);
    /* the TOML form of the same answers reads to the same dialog */
    char *toml;
    size_t n;
    CHECK(gen_dialog_to_toml(&d, &toml, &n, &err) == 0);
    CHECK(gen_dialog_is_toml(toml, n));
    CHECK(!gen_dialog_is_toml(t, strlen(t)));
    gen_dialog e;
    CHECK(gen_dialog_read_toml(toml, n, "t.toml", &e, &err) == 0);
    CHECK(e.order == d.order && e.core == d.core && e.n_rounds == 1);
    CHECK(strcmp(e.rounds[0].refs[0].text, d.rounds[0].refs[0].text) == 0);
    CHECK(strcmp(e.rounds[0].active, d.rounds[0].active) == 0);
    CHECK(e.rounds[0].two_j_hi == 12 && e.rounds[0].excitations == 2);
    free(toml);
    gen_dialog_free(&e);
    gen_dialog_free(&d);
    /* a non-integer where GRASP reads one: error naming the line */
    const char *bad = "*\n0\n1s(2,*)\n\n2s\nzero,2\n1\nn\n";
    CHECK(gen_dialog_read(bad, strlen(bad), "bad", &d, &err) != 0);
    CHECK_CONTAINS(err.message, "bad:6:");
    const char *eof = "*\n0\n1s(2,*)\n";
    CHECK(gen_dialog_read(eof, strlen(eof), "eof", &d, &err) != 0);
    CHECK_CONTAINS(err.message, "End of file");
}

static void test_state_tables(void)
{
    /* number of states per (2j, q') as genb.f90's KOPPL */
    static const int want[][3] = {{1, 1, 1},  {3, 2, 2},  {5, 2, 3},   {5, 3, 3},  {7, 2, 4},
                                  {7, 3, 6},  {7, 4, 8},  {9, 2, 5},   {9, 3, 10}, {9, 4, 16},
                                  {9, 5, 20}, {11, 2, 6}, {21, 2, 11}, {7, 8, 1},  {5, 5, 1}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const gen_state *s;
        CHECK_EQ_INT(gen_subshell_states(want[i][0], want[i][1], &s), want[i][2]);
    }
    const gen_state *s;
    CHECK_EQ_INT(gen_subshell_states(7, 4, &s), 8);
    CHECK(s[1].two_j == 4 && s[1].seniority == 2 && s[4].two_j == 4 && s[4].seniority == 4);
    CHECK_EQ_INT(gen_subshell_states(11, 3, &s), 0); /* no GRASP table */
}

/* A configuration of given (n, l, k, q) subshells, in that order. */
static void make_cfg(gen_cfg_text *t, const int (*sub)[4], int m, int parity)
{
    memset(t, 0, sizeof *t);
    t->m = m;
    t->parity = parity;
    for (int i = 0; i < m; i++) {
        gen_subshell *s = &t->sub[i];
        s->n = sub[i][0];
        s->l = sub[i][1];
        s->k = sub[i][2];
        s->q = sub[i][3];
        s->two_j_sub = gen_sub_two_j(s->l, s->k);
        s->ns = gen_subshell_states(s->two_j_sub, s->q, &s->st);
        memset(t->line1 + 9 * i, 'x', 9);
        if (!(s->ns == 1 && s->st[0].two_j == 0)) t->line2_len = 9 * (i + 1);
    }
}

static void test_counts_equal_enumeration(void)
{
    static const int cfgs[][6][4] = {
        {{2, 1, 0, 1}, {2, 1, 1, 2}, {3, 2, 0, 1}, {3, 2, 1, 3}, {4, 3, 1, 4}, {0}},
        {{4, 3, 0, 3}, {4, 3, 1, 4}, {5, 2, 0, 1}, {6, 0, 0, 1}, {0}},
        {{1, 0, 0, 2}, {2, 0, 0, 1}, {2, 1, 1, 4}, {3, 2, 1, 1}, {5, 4, 1, 2}, {6, 5, 0, 2}},
    };
    int ms[] = {5, 4, 6};
    gen_count_memo *memo;
    csfs_error err;
    CHECK(gen_count_memo_new(&memo, &err) == 0);
    gen_emit_scratch sc = {0};
    csfs_buf out = {0}, part = {0};
    for (int c = 0; c < 3; c++) {
        gen_cfg_text t;
        make_cfg(&t, cfgs[c], ms[c], 0);
        uint8_t tj[8], q[8];
        int nopen = 0;
        for (int i = 0; i < t.m; i++)
            if (t.sub[i].q != t.sub[i].two_j_sub + 1) {
                tj[nopen] = (uint8_t)t.sub[i].two_j_sub;
                q[nopen++] = (uint8_t)t.sub[i].q;
            }
        const uint64_t *dist;
        int mx;
        CHECK(gen_count_lookup(memo, tj, q, nopen, &dist, &mx, &err) == 0);
        uint64_t total = 0;
        for (int T = 0; T <= mx; T++) {
            uint64_t want = dist[T];
            total += want;
            out.len = 0;
            /* enumerate everything: more than counted must fail, exactly counted must not */
            if (want) {
                CHECK(gen_emit_text(&t, T, 0, want, &sc, &out, &err) == 0);
                CHECK_EQ_INT(out.len, want * gen_cfg_text_csf_bytes(&t));
                CHECK(gen_emit_text(&t, T, 0, want + 1, &sc, &part, &err) != 0);
                /* cut anywhere: two pieces give the same bytes */
                uint64_t cut = want / 3;
                part.len = 0;
                CHECK(gen_emit_text(&t, T, 0, cut, &sc, &part, &err) == 0);
                CHECK(gen_emit_text(&t, T, cut, want - cut, &sc, &part, &err) == 0);
                CHECK(part.len == out.len && memcmp(part.data, out.data, out.len) == 0);
            }
        }
        CHECK(total > 0);
    }
    csfs_buf_free(&out);
    csfs_buf_free(&part);
    gen_emit_scratch_free(&sc);
    gen_count_memo_free(memo);
}

static void test_block_keys(void)
{
    char k[5];
    gen_block_key(3, 1, k);
    CHECK(memcmp(k, " 3/2-", 5) == 0);
    gen_block_key(20, 0, k);
    CHECK(memcmp(k, "  10+", 5) == 0);
    gen_block_key(4, 0, k);
    CHECK(memcmp(k, "   2+", 5) == 0);
}

static void test_oracle(void)
{
    /* GRASP's own run: in shared/ only (tu_data prints the skip line). */
    const char *dialog = tu_data("data/generate/c_like_5refs_mixed_parity/rcsfgenerate.stdin");
    const char *counts = tu_data("data/generate/c_like_5refs_mixed_parity/counts.txt");
    if (!dialog || !counts) return;
    char out[4096];
    FILE *f = fopen(counts, "r");
    CHECK(f != NULL);
    if (!f) return;
    char want[65] = "", line[256];
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "rcsf_out_sha256: %64s", want) == 1) break;
    fclose(f);
    snprintf(out, sizeof out, "/tmp/csfs_test_generate_%d.c", (int)getpid());
    csfs_generate_options opt;
    csfs_generate_options_init(&opt);
    opt.dialog = dialog;
    opt.output = out;
    opt.force = 1;
    opt.threads = 3;
    csfs_generate_report rep;
    csfs_error err;
    CHECK(csfs_generate_run(&opt, &rep, &err) == 0);
    CHECK_EQ_INT(rep.csf_count, 8735);
    CHECK_EQ_INT(rep.block_count, 8);
    csfs_generate_report_free(&rep);
    f = fopen(out, "rb");
    CHECK(f != NULL);
    if (f) {
        csfs_sha256 s;
        csfs_sha256_init(&s);
        char buf[65536];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0) csfs_sha256_update(&s, buf, n);
        fclose(f);
        char hex[65];
        csfs_sha256_hex(&s, hex);
        CHECK(strcmp(hex, want) == 0);
    }
    remove(out);
}

static int append_write(void *ctx, const void *data, size_t n, csfs_error *err)
{
    return csfs_buf_append(ctx, data, n, err);
}

/* The engine source (gen_source.c) fills each chunk's record table itself:
 * it must be exactly what the text scanner finds in the same chunk, and the
 * chunks after the header must be the list gen_job_write_text writes. Its
 * sample mode gives windows of consecutive CSFs of the same list. */
static void test_engine_source_chunks(void)
{
    const char *dialog = "*\n0\n1s(2,i)2s(2,*)2p(2,*)\n2p(4,*)\n\n4s,4p,4d,4f\n0,6\n2\nn\n";
    csfs_generate_options opt;
    csfs_generate_options_init(&opt);
    opt.dialog_text = dialog;
    opt.dialog_len = strlen(dialog);
    gen_job J;
    csfs_error err;
    CHECK(gen_job_load(&J, &opt, &err) == 0);
    CHECK(gen_job_count(&J, &err) == 0);
    CHECK(J.n_blocks > 2);
    csfs_buf text = {0};
    CHECK(gen_job_write_text(&J, 1, append_write, &text, &err) == 0);
    CHECK(text.len == J.text_bytes);

    gen_source gs;
    csfs_pipe_source *src = NULL;
    CHECK(gen_source_open(&gs, &J, "t.c", 0, 0, &src, &err) == 0);
    const csfs_pipe_maker *m = &gs.maker;
    CHECK(m->start(m->ctx, 2, 1, &err) == 0);
    CHECK(m->header->bytes == J.header_len);
    csfs_buf made = {0}, chunk = {0};
    CHECK(csfs_buf_append(&made, J.header, J.header_len, &err) == 0);
    csfs_chunk_scan a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    uint64_t records = 0;
    size_t chunks = 0, seps = 0;
    int r;
    while ((r = m->next(m->ctx, chunks % 2, &err)) == 1) {
        CHECK(m->fill(m->ctx, chunks % 2, 0, &chunk, &a, &err) == 0);
        CHECK(csfs_scan_chunk(chunk.data, chunk.len, 0, &b, &err) == 0);
        CHECK(a.n_rec == b.n_rec && a.n_sep == b.n_sep && a.lines == b.lines);
        CHECK(a.has_content == b.has_content && a.trailing_blank == b.trailing_blank);
        CHECK(a.n_rec == 0 || memcmp(a.rec, b.rec, a.n_rec * sizeof *a.rec) == 0);
        CHECK(a.n_sep == 0 || memcmp(a.sep_before, b.sep_before, a.n_sep * sizeof(size_t)) == 0);
        CHECK(csfs_buf_append(&made, chunk.data, chunk.len, &err) == 0);
        records += a.n_rec;
        seps += a.n_sep;
        chunks++;
    }
    CHECK(r == 0);
    CHECK(records == J.csf_count);
    CHECK(seps == J.n_blocks - 1);
    CHECK(made.len == text.len && memcmp(made.data, text.data, text.len) == 0);
    gen_source_close(&gs, src);

    /* V2 records made without text: csfs_v2_store_made gives the rows
     * csfs_v2_parse + csfs_v2_store give for the text of the same CSFs */
    CHECK(gen_source_open(&gs, &J, "t.c", 0, 0, &src, &err) == 0);
    CHECK(gen_source_make_v2(&gs, &err) == 0);
    CHECK(m->start(m->ctx, 1, 1, &err) == 0);
    csfs_peel *peel = NULL;
    CHECK(csfs_peel_from_header_line(gs.header.lines[3], gs.header.lens[3], &peel, &err) == 0);
    csfs_v2_ctx v2;
    csfs_v2_record rec;
    CHECK(csfs_v2_ctx_init(&v2, peel, &err) == 0);
    CHECK(csfs_v2_record_init(&rec, peel->count, &err) == 0);
    size_t w = csfs_v2_width(peel->count), rows_cap = 0, made_rows = 0, bad = 0, made_chunks = 0;
    int32_t *want_rows = NULL, *got = NULL;
    uint64_t *touched = calloc((w + 63) / 64, sizeof *touched);
    const char *tp = text.data + J.header_len, *tend = text.data + text.len;
    while (m->next(m->ctx, 0, &err) == 1) {
        CHECK(m->fill(m->ctx, 0, 0, &chunk, &a, &err) == 0);
        CHECK(chunk.len == 0 && a.made != NULL);
        size_t n = a.n_rec;
        if (n > rows_cap) {
            rows_cap = n;
            want_rows = realloc(want_rows, n * w * sizeof *want_rows);
            got = realloc(got, n * w * sizeof *got);
        }
        /* Every other chunk the engine's way: columns hold their fill
         * values already, and the columns written are reported. */
        int engine_way = made_chunks++ % 2;
        if (engine_way) {
            memset(touched, 0, (w + 63) / 64 * sizeof *touched);
            for (size_t c = 0; c < w; c++)
                for (size_t i = 0; i < n; i++)
                    got[c * n + i] = (int32_t)csfs_v2_fill_value(peel->count, c);
        }
        csfs_v2_store_made(a.made, 0, n, peel->count, got, n, engine_way ? touched : NULL);
        for (size_t i = 0; i < n; i++) {
            const char *l[3];
            size_t len[3];
            if (tp[0] == ' ' && tp[1] == '*') tp = strchr(tp, '\n') + 1;
            for (int k = 0; k < 3; k++) {
                const char *e = strchr(tp, '\n');
                l[k] = tp;
                len[k] = (size_t)(e - tp);
                tp = e + 1;
            }
            CHECK(csfs_v2_parse(&v2, l[0], len[0], l[1], len[1], l[2], len[2], &rec, NULL) == 0);
            CHECK(rec.canonical);
            csfs_v2_store(&rec, peel->count, want_rows + i, n);
        }
        bad += memcmp(want_rows, got, n * w * sizeof *want_rows) != 0;
        for (size_t c = 0; engine_way && c < w; c++) /* a column off its fill is touched */
            for (size_t i = 0; i < n; i++)
                if (want_rows[c * n + i] != (int32_t)csfs_v2_fill_value(peel->count, c))
                    bad += !(touched[c / 64] >> (c % 64) & 1);
        made_rows += n;
    }
    CHECK(made_rows == J.csf_count && tp == tend);
    CHECK_EQ_INT((long long)bad, 0);
    free(want_rows);
    free(got);
    free(touched);
    csfs_v2_record_free(&rec);
    csfs_v2_ctx_free(&v2);
    csfs_peel_free(peel);
    gen_source_close(&gs, src);

    /* windows of 100 CSFs every 1000: the same lines as the list's CSFs there */
    CHECK(gen_source_open(&gs, &J, "t.c", 100, 1000, &src, &err) == 0);
    CHECK(m->start(m->ctx, 1, 1, &err) == 0);
    made.len = 0;
    records = 0;
    while (m->next(m->ctx, 0, &err) == 1) {
        CHECK(m->fill(m->ctx, 0, 0, &chunk, &a, &err) == 0);
        CHECK(a.n_sep == 0);
        CHECK(csfs_buf_append(&made, chunk.data, chunk.len, &err) == 0);
        records += a.n_rec;
    }
    uint64_t want = 0;
    for (uint64_t i = 0; i < J.csf_count; i++) want += i % 1000 < 100;
    CHECK(records == want);
    /* the list's CSF records in order, without separators */
    csfs_buf all = {0};
    const char *p = text.data + J.header_len, *end = text.data + text.len;
    for (uint64_t i = 0; p < end;) {
        const char *l1 = p, *q = p;
        if (q[0] == ' ' && q[1] == '*') {
            p = strchr(q, '\n') + 1;
            continue;
        }
        for (int k = 0; k < 3; k++) q = strchr(q, '\n') + 1;
        if (i % 1000 < 100) CHECK(csfs_buf_append(&all, l1, (size_t)(q - l1), &err) == 0);
        i++;
        p = q;
    }
    CHECK(all.len == made.len && memcmp(all.data, made.data, all.len) == 0);
    gen_source_close(&gs, src);
    csfs_chunk_scan_free(&a);
    csfs_chunk_scan_free(&b);
    csfs_buf_free(&all);
    csfs_buf_free(&made);
    csfs_buf_free(&chunk);
    csfs_buf_free(&text);
    gen_job_free(&J);
}

int main(void)
{
    test_list_directed();
    test_state_tables();
    test_counts_equal_enumeration();
    test_block_keys();
    test_oracle();
    test_engine_source_chunks();
    return tu_done();
}
