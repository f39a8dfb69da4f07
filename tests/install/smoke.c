/*
 * A program of a csfs user, built against an installed csfs only (pkg-config
 * or find_package(csfs); scripts/install_check.sh): the descriptors of a CSF
 * list, in memory, must equal the golden .npy's data.
 *
 * Usage: smoke LIST.c GOLDEN.raw.npy
 */
#include <csfs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0, r;
    char *buf = malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0)
        if ((n += r) == cap) buf = realloc(buf, cap *= 2);
    fclose(f);
    *len = n;
    return buf;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: smoke LIST GOLDEN.npy\n");
        return 2;
    }
    csfs_descriptor_options opt;
    csfs_descriptor_options_init(&opt);
    opt.input = argv[1];
    opt.threads = 2;
    csfs_matrix m;
    csfs_error err;
    if (csfs_descriptors_matrix(&opt, &m, NULL, &err) != 0) {
        fprintf(stderr, "smoke: %s\n", err.message);
        return 1;
    }
    size_t len = 0;
    char *npy = read_all(argv[2], &len);
    /* .npy v1: magic (6), version (2), header length (2, little-endian), header, data */
    size_t off = npy && len >= 10
                     ? 10 + ((unsigned char)npy[8] | (size_t)(unsigned char)npy[9] << 8)
                     : len + 1;
    size_t bytes = (size_t)m.rows * m.cols * 4;
    int same = off <= len && len - off == bytes && memcmp(npy + off, m.data, bytes) == 0;
    printf("csfs %s: %zu x %zu descriptors of %s %s the golden\n", csfs_version(), m.rows, m.cols,
           argv[1], same ? "equal" : "DIFFER FROM");
    free(npy);
    csfs_matrix_free(&m);
    return same ? 0 : 1;
}
