/**
 * @file dispatch.c
 * @brief CPU feature detection and the kernel table (the only place that
 * decides which kernel runs).
 *
 * Variants live next to this file as `name__isa.c`, each compiled with its
 * own flags (CMakeLists.txt) so the library still builds and runs on a
 * baseline CPU, and each must pass the bit-exactness tests against the
 * reference (tests/test_dispatch.c, tests/test_simd.c). Features are detected
 * with cpuid and, for the vector registers, xgetbv: a CPU may implement AVX2
 * or AVX-512 while the OS does not save that state, and then the variant must
 * not run.
 */
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"

#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>

/* XCR0 (enabled state components); only valid when cpuid reports OSXSAVE. */
static uint64_t read_xcr0(void)
{
    uint32_t lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}

static void detect_x86(fbnn_cpu_features *f)
{
    unsigned a, b, c, d, max_leaf = __get_cpuid_max(0, NULL);
    int os_ymm = 0, os_zmm = 0;
    if (max_leaf < 1 || !__get_cpuid(1, &a, &b, &c, &d)) return;
    f->popcnt = (c >> 23) & 1u;
    if (((c >> 27) & 1u) && ((c >> 28) & 1u)) { /* OSXSAVE and AVX */
        uint64_t xcr0 = read_xcr0();
        os_ymm = (xcr0 & 0x6u) == 0x6u;    /* SSE + AVX state */
        os_zmm = (xcr0 & 0xe6u) == 0xe6u;  /* + opmask, ZMM_Hi256, Hi16_ZMM */
    }
    f->fma = os_ymm && ((c >> 12) & 1u);
    if (max_leaf < 7) return;
    __cpuid_count(7, 0, a, b, c, d);
    f->avx2 = os_ymm && ((b >> 5) & 1u);
    f->avx512f = os_zmm && ((b >> 16) & 1u);
    f->avx512bw = f->avx512f && ((b >> 30) & 1u);
    f->avx512vpopcntdq = f->avx512f && ((c >> 14) & 1u);
}
#endif

void fbnn_cpu_detect(fbnn_cpu_features *f)
{
    memset(f, 0, sizeof *f);
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    detect_x86(f);
#elif defined(__aarch64__)
    f->neon = 1; /* Advanced SIMD is mandatory on AArch64 */
#endif
}

int fbnn_isa_available(fbnn_isa isa, const fbnn_cpu_features *f)
{
    switch (isa) {
    case FBNN_ISA_AUTO:
    case FBNN_ISA_SCALAR: return 1;
#ifdef FBNN_HAVE_X86_SIMD_VARIANTS
    case FBNN_ISA_POPCNT: return f->popcnt;
    case FBNN_ISA_AVX2: return f->avx2 && f->fma; /* conv__avx2.c: FMA in fl(n/3) */
    case FBNN_ISA_AVX512:
    case FBNN_ISA_AVX512BW: return f->avx512f && f->avx512bw && f->avx2; /* epilogue: AVX2 (no FMA used) */
#endif
#ifdef FBNN_HAVE_NEON_VARIANTS
    case FBNN_ISA_NEON: return f->neon;
#endif
    default: return 0;
    }
}

int fbnn_isa_parse(const char *name)
{
    static const struct { const char *name; fbnn_isa isa; } names[] = {
        {"auto", FBNN_ISA_AUTO},     {"scalar", FBNN_ISA_SCALAR}, {"popcnt", FBNN_ISA_POPCNT},
        {"avx2", FBNN_ISA_AVX2},     {"avx512", FBNN_ISA_AVX512}, {"avx512bw", FBNN_ISA_AVX512BW},
        {"neon", FBNN_ISA_NEON}};
    size_t i;
    if (name == NULL || name[0] == '\0') return FBNN_ISA_AUTO;
    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0) return (int)names[i].isa;
    return -1;
}

#define SET_CONV(t, sfx)                           \
    do {                                           \
        (t)->bconv = fbnn_k_bconv__##sfx;          \
        (t)->pgconv = fbnn_k_pgconv__##sfx;        \
        (t)->bconv_rows = fbnn_k_bconv_rows__##sfx; \
        (t)->pgconv_rows = fbnn_k_pgconv_rows__##sfx; \
    } while (0)

/* The AVX-512 sets reuse the AVX2 epilogue and pooling (every AVX-512 CPU
 * has AVX2): these ops are memory-bound at the model's sizes. */
#define SET_ELTWISE_AVX2(t)                       \
    do {                                          \
        (t)->affine = fbnn_k_affine__avx2;        \
        (t)->rprelu = fbnn_k_rprelu__avx2;        \
        (t)->add = fbnn_k_add__avx2;              \
        (t)->quant2 = fbnn_k_quant2_pack__avx2;   \
        (t)->avgpool = fbnn_k_avgpool__avx2;      \
        (t)->global_avgpool = fbnn_k_global_avgpool__avx2; \
        (t)->chain = fbnn_k_chain__avx2;          \
        (t)->chain_min_bytes = 16u * 1024u;       \
    } while (0)

int fbnn_kernel_table_select(fbnn_kernel_table *t, fbnn_isa isa)
{
    fbnn_cpu_features f;
    fbnn_cpu_detect(&f);
    if (isa == FBNN_ISA_AUTO) {
        /* Best first. */
        static const fbnn_isa order[] = {FBNN_ISA_AVX512, FBNN_ISA_AVX2, FBNN_ISA_NEON, FBNN_ISA_POPCNT};
        size_t i;
        isa = FBNN_ISA_SCALAR;
        for (i = 0; i < sizeof order / sizeof order[0]; i++)
            if (fbnn_isa_available(order[i], &f)) {
                isa = order[i];
                break;
            }
    }
    if (!fbnn_isa_available(isa, &f)) return -1;
    /* Reference kernels for whole layers; the portable blocked code for rows. */
    t->bconv = fbnn_k_bconv;
    t->pgconv = fbnn_k_pgconv;
    t->bconv_rows = fbnn_k_bconv_rows__generic;
    t->pgconv_rows = fbnn_k_pgconv_rows__generic;
    t->affine = fbnn_k_affine;
    t->rprelu = fbnn_k_rprelu;
    t->add = fbnn_k_add;
    t->quant2 = fbnn_k_quant2_pack;
    t->thermometer = fbnn_k_thermometer;
    t->avgpool = fbnn_k_avgpool;
    t->global_avgpool = fbnn_k_global_avgpool;
    t->maxpool = fbnn_k_maxpool;
    t->maxpool_bits = fbnn_k_maxpool_bits;
    t->fc = fbnn_k_fc;
    t->pack_sign = fbnn_k_pack_sign;
    t->quant_uniform = fbnn_k_quant_uniform;
    /* The portable fused chain for every optimised set (AVX2 and NEON below
     * have their own); the scalar set runs the reference ops one by one. */
    t->chain = isa == FBNN_ISA_SCALAR ? NULL : fbnn_k_chain__generic;
    /* From 32 KiB maps (measured with the AVX2 chain before it set up its
     * channels without a general decode; the portable and NEON chains keep
     * that choice). The AVX2 chain fuses from 16 KiB (SET_ELTWISE_AVX2). */
    t->chain_min_bytes = 32u * 1024u;
    t->id = isa;
    t->isa = "scalar";
    switch (isa) {
#ifdef FBNN_HAVE_X86_SIMD_VARIANTS
    case FBNN_ISA_POPCNT:
        t->bconv = fbnn_k_bconv__popcnt;
        t->pgconv = fbnn_k_pgconv__popcnt;
        t->isa = "popcnt";
        break;
    case FBNN_ISA_AVX2:
        SET_CONV(t, avx2);
        SET_ELTWISE_AVX2(t);
        t->isa = "avx2";
        break;
    case FBNN_ISA_AVX512:
    case FBNN_ISA_AVX512BW:
        /* "avx512" takes VPOPCNTDQ where the CPU has it; otherwise both are
         * the AVX-512BW nibble-lookup set. */
        if (isa == FBNN_ISA_AVX512 && f.avx512vpopcntdq) {
            SET_CONV(t, avx512vpopcnt);
            t->isa = "avx512-vpopcntdq";
        } else {
            SET_CONV(t, avx512);
            t->isa = "avx512bw";
        }
        SET_ELTWISE_AVX2(t);
        break;
#endif
#ifdef FBNN_HAVE_NEON_VARIANTS
    case FBNN_ISA_NEON:
        SET_CONV(t, neon);
        t->affine = fbnn_k_affine__neon;
        t->rprelu = fbnn_k_rprelu__neon;
        t->add = fbnn_k_add__neon;
        t->quant2 = fbnn_k_quant2_pack__neon;
        t->avgpool = fbnn_k_avgpool__neon;
        t->global_avgpool = fbnn_k_global_avgpool__neon;
        t->chain = fbnn_k_chain__neon;
        t->isa = "neon";
        break;
#endif
    default:
        break;
    }
    /* Word-mask thermometer (portable) for every optimised set; the scalar
     * set keeps the reference kernel. */
    if (isa != FBNN_ISA_SCALAR) t->thermometer = fbnn_k_thermometer__words;
    return 0;
}

void fbnn_kernel_table_init(fbnn_kernel_table *t, int force_scalar)
{
    const char *env = getenv("FBNN_FORCE_SCALAR");
    int isa;
    if (env && env[0] && strcmp(env, "0") != 0) force_scalar = 1;
    if (force_scalar) {
        (void)fbnn_kernel_table_select(t, FBNN_ISA_SCALAR);
        return;
    }
    /* An unknown name or an ISA this CPU lacks: the automatic choice (the
     * context reports what it uses: fbnn_context_isa()). */
    isa = fbnn_isa_parse(getenv("FBNN_ISA"));
    if (isa < 0 || fbnn_kernel_table_select(t, (fbnn_isa)isa) != 0) (void)fbnn_kernel_table_select(t, FBNN_ISA_AUTO);
}
