/*
 * libFuzzer target: csfs generate's dialog readers (stdin form and TOML), the
 * GRASP rules (plan), the configuration enumeration and merge, the CSF
 * counts and the CSF text of the first configurations, over arbitrary bytes.
 * Tiny limits keep every input fast: at most 300 configurations are
 * visited and at most 40 CSFs of each are written. Invariants: a failure is
 * an error with a message; the CSFs written for a configuration are as many
 * as counted (when all are written), each three lines ending in '\n', line
 * 3 ending with the parity sign.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "generate/confenum.h"
#include "generate/coupling.h"
#include "generate/csfgen.h"
#include "generate/dialog.h"
#include "generate/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_generate: invariant failed at line %d: %s\n", __LINE__, #cond);  \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)

static void no_warn(void *ctx, const char *msg)
{
    (void)ctx;
    REQUIRE(msg && *msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = 0;
    gen_dialog d;
    csfs_error err;
    memset(&err, 0, sizeof err);
    int rc = gen_dialog_is_toml(text, size) ? gen_dialog_read_toml(text, size, "f", &d, &err)
                                            : gen_dialog_read(text, size, "f", &d, &err);
    if (rc) {
        REQUIRE(err.message[0]);
        free(text);
        return 0;
    }
    gen_plan_options po = {0};
    po.warn = no_warn;
    po.clist_text = "3p\n3s\n2p\n";
    po.clist_len = 9;
    po.clist_name = "clist.ref";
    gen_plan p;
    rc = gen_plan_build(&d, &po, &p, &err);
    if (rc) {
        REQUIRE(err.message[0]);
        gen_dialog_free(&d);
        free(text);
        return 0;
    }
    /* tiny limits: the enumeration of huge expansions is not what is fuzzed here */
    int small = 1;
    for (size_t i = 0; i < p.n_lists; i++)
        if (p.lists[i].excitations > 3 || p.lists[i].two_j_hi - p.lists[i].two_j_lo > 40)
            small = 0;
    gen_count_memo *memo = NULL;
    gen_merge *m = NULL;
    if (small && gen_count_memo_new(&memo, &err) == 0 && gen_merge_new(&p, memo, &m, &err) == 0 &&
        gen_merge_rewind(m, &err) == 0) {
        gen_config cfg;
        gen_cfg_text t;
        gen_emit_scratch s = {0};
        csfs_buf out = {0};
        for (int visited = 0; visited < 300; visited++) {
            int r = gen_merge_next(m, &cfg, &err);
            REQUIRE(r >= 0);
            if (r == 0) break;
            const gen_list *L = &p.lists[cfg.list];
            gen_cfg_text_prepare(&t, &cfg, &p);
            REQUIRE(t.m >= 1 && t.m <= 20);
            for (int T = L->two_j_lo < 0 ? 0 : L->two_j_lo; T <= L->two_j_hi; T++) {
                uint64_t c = gen_config_count(&cfg, &p, T);
                if (!c) continue;
                uint64_t take = c < 40 ? c : 40;
                out.len = 0;
                REQUIRE(gen_emit_text(&t, T, c - take, take, &s, &out, &err) == 0);
                uint64_t lines = 0;
                for (size_t i = 0; i < out.len; i++) lines += out.data[i] == '\n';
                REQUIRE(lines == 3 * take);
                REQUIRE(out.len >= 2 && (out.data[out.len - 2] == '+' || out.data[out.len - 2] == '-'));
                REQUIRE(out.len == take * gen_cfg_text_csf_bytes(&t));
            }
        }
        csfs_buf_free(&out);
        gen_emit_scratch_free(&s);
    }
    gen_merge_free(m);
    gen_count_memo_free(memo);
    gen_plan_free(&p);
    gen_dialog_free(&d);
    free(text);
    return 0;
}
