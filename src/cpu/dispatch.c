/**
 * @file dispatch.c
 * @brief CPU feature detection and the kernel table (the only place that
 * decides which kernel runs).
 *
 * Variants live next to this file as `fn__isa.c`, each compiled with its own
 * flags (CMakeLists.txt) so the library still builds and runs on a baseline
 * CPU, and each must pass the bit-exactness tests against the reference
 * (tests/test_dispatch.c). Today: `__popcnt` (x86 POPCNT instruction).
 */
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"

void fbnn_cpu_detect(fbnn_cpu_features *f)
{
    memset(f, 0, sizeof *f);
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    f->popcnt = __builtin_cpu_supports("popcnt") != 0;
    f->avx2 = __builtin_cpu_supports("avx2") != 0;
    f->avx512f = __builtin_cpu_supports("avx512f") != 0;
    f->avx512bw = __builtin_cpu_supports("avx512bw") != 0;
    f->avx512vpopcntdq = __builtin_cpu_supports("avx512vpopcntdq") != 0;
#elif defined(__aarch64__)
    f->neon = 1; /* Advanced SIMD is mandatory on AArch64 */
#endif
}

void fbnn_kernel_table_init(fbnn_kernel_table *t, int force_scalar)
{
    const char *env = getenv("FBNN_FORCE_SCALAR");
    fbnn_cpu_features f;
    if (env && env[0] && strcmp(env, "0") != 0) force_scalar = 1;
    fbnn_cpu_detect(&f);
    t->bconv = fbnn_k_bconv;
    t->pgconv = fbnn_k_pgconv;
    t->isa = "scalar";
    if (force_scalar) return;
#ifdef FBNN_HAVE_POPCNT_VARIANTS
    if (f.popcnt) {
        t->bconv = fbnn_k_bconv__popcnt;
        t->pgconv = fbnn_k_pgconv__popcnt;
        t->isa = "x86-popcnt";
    }
#endif
}
