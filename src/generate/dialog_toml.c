/* The TOML form of the dialog (see include/csfs/generate.h). */
#include <string.h>

#include "common/error.h"
#include "generate/dialog.h"

int gen_dialog_is_toml(const char *text, size_t len)
{
    (void)text;
    (void)len;
    return 0;
}

int gen_dialog_read_toml(const char *text, size_t len, const char *name, gen_dialog *out,
                         csfs_error *err)
{
    (void)text;
    (void)len;
    memset(out, 0, sizeof *out);
    return csfs_fail(err, CSFS_E_UNSUPPORTED, "%s: TOML dialogs are not read yet", name);
}
