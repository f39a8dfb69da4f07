/*
 * csfs generate: dialog -> plan -> counts (no CSF enumerated) -> GRASP text.
 *
 * Text generation runs one pass over the merged configurations per J block
 * (blocks in rcsfblock's key order), cutting the block's CSFs into tasks of
 * about TASK_BYTES of text at any CSF (a configuration may span tasks).
 * Workers format tasks in parallel; the calling thread produces tasks and
 * writes finished ones in order, so the bytes never depend on the thread
 * count and memory is bounded by the ring of tasks in flight.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/clock.h"
#include "common/error.h"
#include "csfs.h"
#include "generate/confenum.h"
#include "generate/coupling.h"
#include "generate/csfgen.h"
#include "generate/dialog.h"
#include "generate/gen_job.h"
#include "generate/plan.h"
#include "generate/text_sink.h"

void csfs_generate_options_init(csfs_generate_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->engine.codec = CSFS_CODEC_ZSTD;
}

/* ---- loading ------------------------------------------------------------ */

static int slurp_path(const char *path, char **text, size_t *len, csfs_error *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) return csfs_fail_errno(err, errno, "%s: cannot open", path);
    csfs_buf b = {0};
    char tmp[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
        if ((rc = csfs_buf_append(&b, tmp, n, err))) break;
    if (!rc && ferror(f)) rc = csfs_fail_errno(err, errno, "%s: read error", path);
    if (f != stdin) fclose(f);
    if (!rc) rc = csfs_buf_terminate(&b, err);
    if (rc) {
        csfs_buf_free(&b);
        return rc;
    }
    *text = b.data ? b.data : calloc(1, 1);
    *len = b.len;
    return 0;
}

static void fwd_warn(void *ctx, const char *msg)
{
    gen_warn_fwd *w = ctx;
    w->count++;
    if (w->opt->report) w->opt->report(w->opt->report_ctx, msg);
}

void gen_job_free(gen_job *J)
{
    gen_merge_free(J->merge);
    gen_count_memo_free(J->memo);
    gen_plan_free(&J->plan);
    gen_dialog_free(&J->dialog);
    free(J->text);
    free(J->clist_text);
    free(J->blocks);
    free(J->header);
    memset(J, 0, sizeof *J);
}

int gen_job_load(gen_job *J, const csfs_generate_options *opt, csfs_error *err)
{
    memset(J, 0, sizeof *J);
    J->opt = opt;
    J->warn.opt = opt;
    int rc;
    if (opt->dialog) {
        rc = slurp_path(opt->dialog, &J->text, &J->len, err);
        if (rc) return rc;
        J->name = strcmp(opt->dialog, "-") == 0 ? "<stdin>" : opt->dialog;
    } else if (opt->dialog_text) {
        J->text = malloc(opt->dialog_len + 1);
        if (!J->text) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        memcpy(J->text, opt->dialog_text, opt->dialog_len);
        J->text[opt->dialog_len] = 0;
        J->len = opt->dialog_len;
        J->name = "<dialog>";
    } else {
        return csfs_fail(err, CSFS_E_ARGUMENT, "no dialog given");
    }
    if (memchr(J->text, 0, J->len)) {
        rc = csfs_fail(err, CSFS_E_FORMAT, "%s: the dialog holds a NUL byte", J->name);
        goto fail;
    }
    if (gen_dialog_is_toml(J->text, J->len))
        rc = gen_dialog_read_toml(J->text, J->len, J->name, &J->dialog, err);
    else
        rc = gen_dialog_read(J->text, J->len, J->name, &J->dialog, err);
    if (rc) goto fail;
    gen_plan_options po = {0};
    po.strict = opt->strict;
    po.no_grasp_limits = opt->no_grasp_limits;
    if (opt->no_grasp_limits)
        fwd_warn(&J->warn, "warning: GRASP's limits are lifted (no 2-electron cap on j = 9/2 "
                           "subshells, no 100-block limit): the list is not the one GRASP writes");
    po.warn = fwd_warn;
    po.warn_ctx = &J->warn;
    if (J->dialog.order == 'u' || J->dialog.order == 'U') {
        const char *cl = opt->clist ? opt->clist : "clist.ref";
        FILE *f = fopen(cl, "rb");
        if (f) {
            fclose(f);
            rc = slurp_path(cl, &J->clist_text, &J->clist_len, err);
            if (rc) goto fail;
            po.clist_text = J->clist_text;
            po.clist_len = J->clist_len;
            po.clist_name = cl;
        } else if (opt->clist) {
            rc = csfs_fail_errno(err, errno, "%s: cannot open the orbital order file", cl);
            goto fail;
        }
    }
    rc = gen_plan_build(&J->dialog, &po, &J->plan, err);
    if (rc) goto fail;
    rc = gen_count_memo_new(&J->memo, err);
    if (rc) goto fail;
    rc = gen_merge_new(&J->plan, J->memo, &J->merge, err);
    if (rc) goto fail;
    return 0;
fail:
    gen_job_free(J);
    return rc;
}

/* ---- counting ------------------------------------------------------------- */

static int block_cmp(const void *a, const void *b)
{
    const gen_block *x = a, *y = b;
    return memcmp(x->key, y->key, 5);
}

static void sub_name(char *f, int n, int l, int k)
{
    f[0] = ' ';
    f[1] = n >= 10 ? (char)('0' + n / 10) : ' ';
    f[2] = (char)('0' + n % 10);
    f[3] = gen_l_letter(l);
    f[4] = (k == 0 && l > 0) ? '-' : ' ';
}

static int header_line(const gen_plan *p, uint8_t present[GEN_NORB][2], csfs_buf *b,
                       csfs_error *err)
{
    size_t start = b->len;
    for (int i = 0; i < GEN_NORB; i++) {
        int o = p->order[i], n = gen_orb_n(o), l = gen_orb_l(o);
        for (int k = 0; k < (l ? 2 : 1); k++) {
            if (!present[o][k]) continue;
            char f[5];
            sub_name(f, n, l, k);
            int rc = csfs_buf_append(b, f, 5, err);
            if (rc) return rc;
        }
    }
    while (b->len > start && b->data[b->len - 1] == ' ') b->len--;
    return csfs_buf_append(b, "\n", 1, err);
}

int gen_job_count(gen_job *J, csfs_error *err)
{
    const gen_plan *p = &J->plan;
    int rc = gen_merge_rewind(J->merge, err);
    if (rc) return rc;
    uint64_t(*cnt)[2] = calloc(GEN_MAX_TWO_J + 1, sizeof *cnt);
    if (!cnt) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    uint8_t present[GEN_NORB][2];
    memset(present, 0, sizeof present);
    gen_config cfg;
    gen_cfg_text t;
    uint64_t bytes = 0, configs = 0, total = 0;
    while ((rc = gen_merge_next(J->merge, &cfg, err)) > 0) {
        const gen_list *L = &p->lists[cfg.list];
        uint64_t c = 0;
        int par = L->parity;
        for (int T = L->two_j_lo < 0 ? 0 : L->two_j_lo; T <= L->two_j_hi && T <= cfg.max_two_j;
             T++) {
            if (!cfg.dist[T]) continue;
            if (T > GEN_MAX_TWO_J) {
                free(cnt);
                return csfs_fail(err, CSFS_E_UNSUPPORTED, "2J = %d is beyond csfs' limit", T);
            }
            cnt[T][par] += cfg.dist[T];
            c += cfg.dist[T];
        }
        configs++;
        total += c;
        gen_cfg_text_prepare(&t, &cfg, p);
        bytes += c * gen_cfg_text_csf_bytes(&t);
        for (int o = 0; o < GEN_NORB; o++) {
            if (!cfg.occ[o] || p->closed[o]) continue;
            int l = gen_orb_l(o);
            if (cfg.occ[o] - cfg.plus[o] > 0) present[o][0] = 1;
            if (l && cfg.plus[o] > 0) present[o][1] = 1;
        }
        if (J->opt->cancel && *J->opt->cancel && (configs & 1023) == 0) {
            free(cnt);
            return csfs_fail(err, CSFS_E_CANCELLED, "cancelled");
        }
    }
    if (rc < 0) {
        free(cnt);
        return rc;
    }
    J->skipped_over20 = gen_merge_skipped_over20(J->merge);
    if (J->skipped_over20) {
        char msg[512];
        snprintf(msg, sizeof msg,
                 "%s: warning: %llu configuration(s) have more than %d subshells outside the core: "
                 "GRASP skips them (\"More than 20 subshells\"), and so does csfs",
                 J->name, (unsigned long long)J->skipped_over20, GEN_MAX_SUBSHELLS);
        if (J->opt->strict) {
            free(cnt);
            return csfs_fail(err, CSFS_E_FORMAT, "%s (refused by strict)", msg);
        }
        fwd_warn(&J->warn, msg);
    }
    size_t nb = 0;
    for (int T = 0; T <= GEN_MAX_TWO_J; T++)
        for (int par = 0; par < 2; par++) nb += cnt[T][par] != 0;
    J->blocks = calloc(nb ? nb : 1, sizeof *J->blocks);
    if (!J->blocks) {
        free(cnt);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    J->n_blocks = 0;
    for (int T = 0; T <= GEN_MAX_TWO_J; T++)
        for (int par = 0; par < 2; par++)
            if (cnt[T][par]) {
                gen_block *B = &J->blocks[J->n_blocks++];
                B->two_j = T;
                B->parity = par;
                B->count = cnt[T][par];
                gen_block_key(T, par, B->key);
            }
    free(cnt);
    qsort(J->blocks, J->n_blocks, sizeof *J->blocks, block_cmp);
    if (J->n_blocks > GEN_MAX_BLOCKS && !J->opt->no_grasp_limits) {
        return csfs_fail(err, CSFS_E_UNSUPPORTED,
                         "%s: the list has %zu J/parity blocks; GRASP's rcsfblock holds at "
                         "most %d",
                         J->name, J->n_blocks, GEN_MAX_BLOCKS);
    }
    /* header */
    csfs_buf h = {0};
    uint8_t core[GEN_NORB][2];
    memset(core, 0, sizeof core);
    for (int o = 0; o < GEN_NORB; o++)
        if (p->closed[o]) core[o][0] = core[o][1] = 1;
    rc = csfs_buf_append(&h, "Core subshells:\n", 16, err);
    if (!rc) rc = header_line(p, core, &h, err);
    if (!rc) rc = csfs_buf_append(&h, "Peel subshells:\n", 16, err);
    if (!rc) {
        J->peel_off = h.len;
        rc = header_line(p, present, &h, err);
    }
    if (!rc) rc = csfs_buf_append(&h, "CSF(s):\n", 8, err);
    if (!rc) rc = csfs_buf_terminate(&h, err);
    if (rc) {
        csfs_buf_free(&h);
        return rc;
    }
    J->header = h.data;
    J->header_len = h.len;
    J->csf_count = total;
    J->configs = configs;
    J->text_bytes = h.len + bytes + (J->n_blocks ? 3 * (J->n_blocks - 1) : 0);
    return 0;
}

/* ---- the report ------------------------------------------------------------ */

static char *dup_line(const char *s)
{
    size_t n = strcspn(s, "\n");
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = 0;
    }
    return d;
}

int gen_fill_report(const gen_job *J, csfs_generate_report *rep, csfs_error *err)
{
    memset(rep, 0, sizeof *rep);
    rep->csf_count = J->csf_count;
    rep->configuration_count = J->configs;
    rep->block_count = J->n_blocks;
    rep->blocks = calloc(J->n_blocks ? J->n_blocks : 1, sizeof *rep->blocks);
    const char *core = strchr(J->header, '\n') + 1;
    rep->core = dup_line(core);
    rep->peel = dup_line(J->header + J->peel_off);
    if (!rep->blocks || !rep->core || !rep->peel) {
        csfs_generate_report_free(rep);
        return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < J->n_blocks; i++) {
        rep->blocks[i].two_j = J->blocks[i].two_j;
        rep->blocks[i].parity = J->blocks[i].parity;
        rep->blocks[i].csf_count = J->blocks[i].count;
    }
    rep->text_bytes = J->text_bytes;
    rep->warnings = J->warn.count;
    rep->skipped_over_20 = J->skipped_over20;
    return 0;
}

void csfs_generate_report_free(csfs_generate_report *rep)
{
    if (!rep) return;
    for (size_t i = 0; rep->estimates && i < rep->n_estimates; i++) free(rep->estimates[i].path);
    free(rep->estimates);
    free(rep->blocks);
    free(rep->core);
    free(rep->peel);
    memset(rep, 0, sizeof *rep);
}

char *csfs_generate_report_json(const csfs_generate_report *rep)
{
    csfs_buf b = {0};
    csfs_error e;
    int rc = csfs_buf_printf(&b, &e,
                             "{\"csf_count\": %llu, \"configuration_count\": %llu, "
                             "\"blocks\": [",
                             (unsigned long long)rep->csf_count,
                             (unsigned long long)rep->configuration_count);
    for (size_t i = 0; !rc && i < rep->block_count; i++)
        rc = csfs_buf_printf(&b, &e, "%s{\"two_j\": %d, \"parity\": \"%c\", \"csf_count\": %llu}",
                             i ? ", " : "", rep->blocks[i].two_j, rep->blocks[i].parity ? '-' : '+',
                             (unsigned long long)rep->blocks[i].csf_count);
    if (!rc) rc = csfs_buf_printf(&b, &e, "], \"core\": ");
    if (!rc) rc = csfs_buf_json_string(&b, rep->core, strlen(rep->core), &e);
    if (!rc) rc = csfs_buf_printf(&b, &e, ", \"peel\": ");
    if (!rc) rc = csfs_buf_json_string(&b, rep->peel, strlen(rep->peel), &e);
    if (!rc)
        rc = csfs_buf_printf(&b, &e, ", \"output_bytes\": {\"text\": %llu}",
                             (unsigned long long)rep->text_bytes);
    if (!rc && rep->n_estimates) {
        rc = csfs_buf_printf(&b, &e, ", \"output_bytes_estimated\": [");
        for (size_t i = 0; !rc && i < rep->n_estimates; i++) {
            const csfs_generate_estimate *x = &rep->estimates[i];
            rc = csfs_buf_printf(&b, &e, "%s{\"path\": ", i ? ", " : "");
            if (!rc) rc = csfs_buf_json_string(&b, x->path, strlen(x->path), &e);
            if (!rc)
                rc = csfs_buf_printf(&b, &e, ", \"bytes\": %llu, \"sample_csfs\": %llu}",
                                     (unsigned long long)x->bytes,
                                     (unsigned long long)x->sample_csfs);
        }
        if (!rc) rc = csfs_buf_printf(&b, &e, "]");
    }
    if (!rc)
        rc = csfs_buf_printf(&b, &e, ", \"warnings\": %llu, \"skipped_over_20_subshells\": %llu}",
                             (unsigned long long)rep->warnings,
                             (unsigned long long)rep->skipped_over_20);
    if (!rc) rc = csfs_buf_terminate(&b, &e);
    if (rc) {
        csfs_buf_free(&b);
        return NULL;
    }
    return b.data;
}

int csfs_generate_count(const csfs_generate_options *opt, csfs_generate_report *rep,
                        csfs_error *err)
{
    double t0 = csfs_now_seconds();
    gen_job J;
    int rc = gen_job_load(&J, opt, err);
    if (rc) return rc;
    rc = gen_job_count(&J, err);
    csfs_generate_estimate *est = NULL;
    size_t n_est = 0;
    if (!rc && rep) {
        int threads = opt->threads > 0 ? opt->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
        rc = gen_job_estimate(&J, threads > 0 ? threads : 1, &est, &n_est, err);
    }
    if (!rc && rep) {
        rc = gen_fill_report(&J, rep, err);
        if (!rc) {
            rep->estimates = est;
            rep->n_estimates = n_est;
            est = NULL;
            rep->seconds = csfs_now_seconds() - t0;
        }
    }
    for (size_t i = 0; est && i < n_est; i++) free(est[i].path);
    free(est);
    gen_job_free(&J);
    return rc;
}

int csfs_generate_dialog_to_toml(const csfs_generate_options *opt, char **out, csfs_error *err)
{
    gen_job J;
    memset(&J, 0, sizeof J);
    int rc;
    if (opt->dialog) {
        rc = slurp_path(opt->dialog, &J.text, &J.len, err);
        J.name = strcmp(opt->dialog, "-") == 0 ? "<stdin>" : opt->dialog;
    } else if (opt->dialog_text) {
        J.text = malloc(opt->dialog_len + 1);
        rc = J.text ? 0 : csfs_fail(err, CSFS_E_NOMEM, "out of memory");
        if (!rc) {
            memcpy(J.text, opt->dialog_text, opt->dialog_len);
            J.text[opt->dialog_len] = 0;
            J.len = opt->dialog_len;
        }
        J.name = "<dialog>";
    } else {
        rc = csfs_fail(err, CSFS_E_ARGUMENT, "no dialog given");
    }
    if (!rc)
        rc = gen_dialog_is_toml(J.text, J.len)
                 ? gen_dialog_read_toml(J.text, J.len, J.name, &J.dialog, err)
                 : gen_dialog_read(J.text, J.len, J.name, &J.dialog, err);
    size_t n;
    if (!rc) rc = gen_dialog_to_toml(&J.dialog, out, &n, err);
    gen_dialog_free(&J.dialog);
    free(J.text);
    return rc;
}
