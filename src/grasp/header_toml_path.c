/* Where rCSFs puts the header TOML: "<output dir>/<input stem>_header.toml"
 * (csfs_conversion.rs: safe_parent_dir(output) joined with
 * format!("{}_header.toml", input.file_stem().unwrap_or("csfs"))). */
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "grasp/header_toml.h"

void csfs_path_file_stem(const char *path, const char **stem, size_t *len)
{
    size_t n = strlen(path);
    /* Rust's Path ignores trailing separators and "." components. */
    for (;;) {
        while (n > 1 && path[n - 1] == '/') n--;
        if (n >= 2 && path[n - 1] == '.' && path[n - 2] == '/') {
            n -= 2;
            continue;
        }
        break;
    }
    size_t start = n;
    while (start > 0 && path[start - 1] != '/') start--;
    const char *name = path + start;
    size_t name_len = n - start;
    *stem = name;
    *len = 0;
    if (name_len == 0 || (name_len == 1 && name[0] == '.') ||
        (name_len == 2 && name[0] == '.' && name[1] == '.'))
        return; /* no file name: "/", ".", ".." */
    size_t dot = name_len;
    while (dot > 0 && name[dot - 1] != '.') dot--;
    /* No dot, or only a leading one (".hidden"): the whole name. */
    *len = dot <= 1 ? name_len : dot - 1;
}

int csfs_header_toml_path(const char *input_path, const char *output_path, char **out,
                          csfs_error *err)
{
    const char *stem;
    size_t stem_len;
    if (strcmp(input_path, "-") == 0)
        stem_len = 0, stem = NULL;
    else
        csfs_path_file_stem(input_path, &stem, &stem_len);
    if (stem_len == 0) stem = "csfs", stem_len = 4;
    const char *slash = strrchr(output_path, '/');
    size_t dir_len = slash ? (size_t)(slash - output_path) + 1 : 0;
    size_t n = dir_len + stem_len + sizeof "_header.toml";
    char *p = malloc(n);
    if (!p) return csfs_fail(err, CSFS_E_NOMEM, "out of memory");
    memcpy(p, output_path, dir_len);
    memcpy(p + dir_len, stem, stem_len);
    memcpy(p + dir_len + stem_len, "_header.toml", sizeof "_header.toml");
    *out = p;
    return 0;
}
