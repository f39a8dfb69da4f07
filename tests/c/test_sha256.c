/* SHA-256 against the FIPS 180-4 / NIST example vectors. */
#include <string.h>

#include "common/sha256.h"
#include "testutil.h"

static void check(const char *msg, size_t repeat, const char *want)
{
    csfs_sha256 s;
    csfs_sha256_init(&s);
    for (size_t i = 0; i < repeat; i++) csfs_sha256_update(&s, msg, strlen(msg));
    char hex[65];
    csfs_sha256_hex(&s, hex);
    CHECK(strcmp(hex, want) == 0);
    if (strcmp(hex, want) != 0) fprintf(stderr, "got %s\nwant %s\n", hex, want);
}

int main(void)
{
    check("", 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check("abc", 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    check("a", 1000000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    return tu_done();
}
