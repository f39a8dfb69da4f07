/*
 * libFuzzer target: GRASP's list tools on arbitrary input. The input is
 * "DIALOG\0LIST": DIALOG goes through the rcsfsplit dialog reader; LIST is a
 * CSF list (written to a memfd, read through /proc/self/fd so the real text
 * reader runs) that csfs_split_active_run splits by the dialog's orbital sets
 * (labels replaced by fixed ones, so nothing is written outside the scratch
 * directory), that csfs_zerofirst_run partitions against its own first half,
 * and that csfs_split_block_run splits by block. Besides sanitizer reports,
 * a summary that does not add up is a trap: every output block count sums to
 * the output's CSF count, zerofirst writes at least the zero-order CSFs, and
 * an error leaves no file behind.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "csfs.h"

static char scratch[256];

static int count_files(void)
{
    DIR *d = opendir(scratch);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    if (d) closedir(d);
    return n;
}

static void clear(void)
{
    DIR *d = opendir(scratch);
    struct dirent *e;
    char p[600];
    while (d && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        snprintf(p, sizeof p, "%s/%s", scratch, e->d_name);
        unlink(p);
    }
    if (d) closedir(d);
}

static void remove_scratch(void)
{
    clear();
    rmdir(scratch);
}

static int memfd_with(const uint8_t *p, size_t n, char *path, size_t cap)
{
    int fd = memfd_create("list", MFD_CLOEXEC);
    if (fd < 0) return -1;
    if (n && write(fd, p, n) != (ssize_t)n) {
        close(fd);
        return -1;
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!scratch[0]) {
        snprintf(scratch, sizeof scratch, "/tmp/csfs-fuzz-lists.XXXXXX");
        if (!mkdtemp(scratch)) abort();
        atexit(remove_scratch);
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t dlen = nul ? (size_t)(nul - data) : 0;
    const uint8_t *list = nul ? nul + 1 : data;
    size_t llen = size - (size_t)(list - data);
    /* Compressed lists are not csfs code and can expand without bound. */
    if (llen >= 2 && ((list[0] == 0x1f && list[1] == 0x8b) || (list[0] == 0x28 && list[1] == 0xb5)))
        return 0;
    char lpath[64], zpath[64];
    int lfd = memfd_with(list, llen, lpath, sizeof lpath);
    if (lfd < 0) return 0;
    csfs_error err;

    csfs_split_active_options so;
    csfs_split_active_options_init(&so);
    csfs_active_set *sets = NULL;
    char *storage = NULL;
    static const char *const labels[4] = {"_a", "_b", "_c", "_d"};
    csfs_active_set fixed[4];
    if (dlen && csfs_split_active_parse_dialog((const char *)data, dlen, "dialog", NULL, &so, &sets,
                                               &storage, &err) == 0) {
        size_t n = so.n_sets < 4 ? so.n_sets : 4;
        for (size_t i = 0; i < n; i++) {
            fixed[i].label = labels[i];
            fixed[i].orbitals = sets[i].orbitals;
            fixed[i].output = NULL;
        }
        so.sets = fixed;
        so.n_sets = n;
        so.input = lpath;
        so.prefix = "s";
        so.dir = scratch;
        so.force = 1;
        csfs_split_active_summary sum;
        if (csfs_split_active_run(&so, &sum, &err) == 0) {
            for (size_t i = 0; i < sum.n_outputs; i++) {
                uint64_t t = 0;
                for (size_t b = 0; b < sum.outputs[i].n_blocks; b++)
                    t += sum.outputs[i].block_lengths[b];
                if (t != sum.outputs[i].csfs) __builtin_trap();
            }
            csfs_split_active_summary_free(&sum);
        } else if (count_files() != 0) {
            __builtin_trap(); /* an error leaves nothing */
        }
        clear();
    }
    free(sets);
    free(storage);

    /* zerofirst: the list against its first half as the zero-order list. */
    int zfd = memfd_with(list, llen / 2, zpath, sizeof zpath);
    if (zfd >= 0) {
        csfs_zerofirst_options zo;
        csfs_zerofirst_options_init(&zo);
        char out[400];
        snprintf(out, sizeof out, "%s/zf.c", scratch);
        zo.zero = zpath;
        zo.full = lpath;
        zo.output = out;
        zo.keep_extra_blocks = (int)(size & 1);
        zo.force = 1;
        csfs_zerofirst_summary zs;
        if (csfs_zerofirst_run(&zo, &zs, &err) == 0) {
            if (zs.output_csfs != zs.zero_csfs + zs.first_order_csfs) __builtin_trap();
            uint64_t first = 0;
            for (uint64_t b = 0; b < zs.output_blocks; b++) first += zs.blocks[b].first;
            if (first != zs.first_order_csfs) __builtin_trap();
            csfs_zerofirst_summary_free(&zs);
        } else if (count_files() != 0) {
            __builtin_trap();
        }
        clear();
        close(zfd);
    }

    csfs_split_block_options bo;
    csfs_split_block_options_init(&bo);
    bo.input = lpath;
    bo.prefix = "b";
    bo.dir = scratch;
    bo.copy_w = 0;
    bo.split_mixing = 0;
    bo.force = 1;
    csfs_split_block_summary bs;
    if (csfs_split_block_run(&bo, &bs, &err) == 0) {
        uint64_t t = 0;
        for (size_t i = 0; i < bs.n_outputs; i++) t += bs.csfs[i];
        if (t != bs.csf_count) __builtin_trap();
        csfs_split_block_summary_free(&bs);
    } else if (count_files() != 0) {
        __builtin_trap();
    }
    clear();
    close(lfd);
    return 0;
}
