/*
 * libFuzzer target for the fast scanner: every input runs through strict
 * (jansson), the scalar scanner and each SIMD level, with validate = full,
 * = fields and = structure (against the independent structure checker
 * too), and any broken rule of scanner.c's essay or of diffcheck.h aborts
 * (see tests/diffcheck.c). Build and run briefly with `make fuzz` (clang,
 * with ASan and UBSan); not part of the default build.
 *
 *   make fuzz FUZZ_TIME=60        # seconds; corpus in $(builddir)/fuzz-corpus
 */
#include "diffcheck.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char why[600];
    if (size > (1 << 16))
        return 0;
    if (!diff_check((const char *)data, size, false, NULL, why, sizeof why)) {
        fprintf(stderr, "fuzz_scan: %s\n", why);
        abort();
    }
    return 0;
}
