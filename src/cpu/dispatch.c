/**
 * @file dispatch.c
 * @brief CPU feature detection and the kernel table (the only place that
 * decides which kernel runs).
 *
 * Variants live in the family folders next to this file (src/cpu/README.md)
 * as `<family>/<name>__<isa>.c`, each compiled with its ISA's flags
 * (CMakeLists.txt) so the library still builds and runs on a baseline CPU;
 * which ISA uses which is the table isa_rows below. Each must pass the bit-exactness tests against the
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
    f->avx512bitalg = f->avx512f && ((c >> 12) & 1u);
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

#define SET_CONV(t, sfx)                           \
    do {                                           \
        (t)->bconv = fbnn_k_bconv__##sfx;          \
        (t)->pgconv = fbnn_k_pgconv__##sfx;        \
        (t)->bconv_rows = fbnn_k_bconv_rows__##sfx; \
        (t)->pgconv_rows = fbnn_k_pgconv_rows__##sfx; \
        (t)->bconv_rows_blk = fbnn_k_bconv_rows_blk__##sfx; \
        (t)->pgconv_rows_blk = fbnn_k_pgconv_rows_blk__##sfx; \
    } while (0)

/* The binary ops with integer epilogues (FBNN_DECLARE_BINARY_VARIANT). */
#define SET_BINARY(t, sfx)                                  \
    do {                                                    \
        (t)->bconv_thr_rows = fbnn_k_bconv_thr_rows__##sfx; \
        (t)->bfc = fbnn_k_bfc__##sfx;                       \
        (t)->bfc_thr = fbnn_k_bfc_thr__##sfx;               \
        (t)->bconv_thr_kbit_rows = fbnn_k_bconv_thr_kbit_rows__##sfx; \
        (t)->bfc_thr_kbit = fbnn_k_bfc_thr_kbit__##sfx;     \
        (t)->bconv_thr_rows_blk = fbnn_k_bconv_thr_rows_blk__##sfx; \
    } while (0)

/* The elementwise family (FBNN_DECLARE_ELTWISE_VARIANT): epilogue ops, Q2
 * pack and the fused chain. */
#define SET_ELTWISE(t, sfx)                       \
    do {                                          \
        (t)->affine = fbnn_k_affine__##sfx;       \
        (t)->rprelu = fbnn_k_rprelu__##sfx;       \
        (t)->add = fbnn_k_add__##sfx;             \
        (t)->quant2 = fbnn_k_quant2_pack__##sfx;  \
        (t)->chain = fbnn_k_chain__##sfx;         \
        (t)->quant_uniform = fbnn_k_quant_uniform__##sfx; \
        (t)->fc = fbnn_k_fc__##sfx; /* src/cpu/fc/fc_simd.h */ \
        (t)->fc_panel = fbnn_k_fc_panel__##sfx;   \
    } while (0)

/* The pooling family (FBNN_DECLARE_POOL_VARIANT). */
#define SET_POOL(t, sfx)                                     \
    do {                                                     \
        (t)->avgpool = fbnn_k_avgpool__##sfx;                \
        (t)->avgpool_q = fbnn_k_avgpool_q__##sfx;            \
        (t)->global_avgpool = fbnn_k_global_avgpool__##sfx;  \
    } while (0)

/* The BNN family's real-valued and k-bit ops (FBNN_DECLARE_BNN_VARIANT). */
#define SET_BNN(t, sfx)                     \
    do {                                    \
        (t)->rconv = fbnn_k_rconv__##sfx;   \
        (t)->maxpool = fbnn_k_maxpool__##sfx; \
        (t)->pack_sign = fbnn_k_pack_sign__##sfx; \
        (t)->kconv = fbnn_k_kconv__##sfx;   \
        (t)->quant_kbit = fbnn_k_quant_kbit__##sfx; \
        (t)->bconv_pad_value = fbnn_k_bconv_pad_value__##sfx; \
        (t)->bconv_asym = fbnn_k_bconv_asym__##sfx; \
    } while (0)

/* ---- One row per ISA: whether this CPU can run it, and its kernels. ---- */

static int scalar_available(const fbnn_cpu_features *f)
{
    (void)f;
    return 1;
}
static void scalar_fill(fbnn_kernel_table *t, const fbnn_cpu_features *f)
{
    (void)f;
    t->isa = "scalar";
}

/* Byte-counter popcounts (conv__swar.c): portable, so available everywhere;
 * AUTO takes it only where no row of higher rank runs (Cortex-M, or any
 * core without a popcount instruction and without SIMD variants). */
static int swar_available(const fbnn_cpu_features *f)
{
    (void)f;
    return 1;
}
static void swar_fill(fbnn_kernel_table *t, const fbnn_cpu_features *f)
{
    (void)f;
    t->bconv = fbnn_k_bconv__swarblk;
    t->bconv_rows = fbnn_k_bconv_rows__swarblk;
    t->pgconv = fbnn_k_pgconv__swar;
    t->pgconv_rows = fbnn_k_pgconv_rows__swar;
    t->bconv_rows_blk = NULL; /* its own per-channel kernels: no weight blocks */
    t->pgconv_rows_blk = NULL;
    /* The 1-bit threshold conv and the binary FCs direct, per output
     * channel (bconv_thr__swar.c, fc/bfc__swar.c: no spilled 16-lane
     * counters on a 13-register core; measured on Cortex-M4). k-bit
     * threshold outputs keep the reference kernels: the blocked template's
     * (conv_simd_binary.h, 25 KiB of Thumb-2) would push the BinaryNet
     * firmware past a 256 KiB flash part (scripts/test_mcu.sh). */
    t->bconv_thr_rows = fbnn_k_bconv_thr_rows__swar;
    t->bfc = fbnn_k_bfc__swar;
    t->bfc_thr = fbnn_k_bfc_thr__swar;
    t->quant2 = fbnn_k_quant2_pack__swar;
    /* No fused elementwise chain: on Cortex-M4 it took more instructions
     * than the reference ops one by one (examples/mcu per-op counts). */
    t->chain = NULL;
    t->isa = "swar";
}

#ifdef FBNN_HAVE_X86_SIMD_VARIANTS
static int popcnt_available(const fbnn_cpu_features *f) { return f->popcnt; }
static void popcnt_fill(fbnn_kernel_table *t, const fbnn_cpu_features *f)
{
    (void)f;
    t->bconv = fbnn_k_bconv__popcnt;
    t->pgconv = fbnn_k_pgconv__popcnt;
    t->isa = "popcnt";
}

static int avx2_available(const fbnn_cpu_features *f) { return f->avx2 && f->fma; /* conv: FMA in fl(n/3) */ }
static void avx2_fill(fbnn_kernel_table *t, const fbnn_cpu_features *f)
{
    (void)f;
    SET_CONV(t, avx2);
    SET_BINARY(t, avx2);
    SET_ELTWISE(t, avx2);
    SET_POOL(t, avx2);
    SET_BNN(t, avx2);
    t->chain_min_bytes = 16u * 1024u;
    t->isa = "avx2";
}

/* (The AVX-512 float kernels use only AVX-512F/BW; the conv's tile
 * transposition is AVX2, tile_avx2.h.) */
static int avx512_available(const fbnn_cpu_features *f) { return f->avx512f && f->avx512bw && f->avx2; }
static void avx512bw_fill(fbnn_kernel_table *t, const fbnn_cpu_features *f)
{
    (void)f;
    SET_CONV(t, avx512);
    SET_BINARY(t, avx512);
    SET_ELTWISE(t, avx512);
    SET_POOL(t, avx512);
    SET_BNN(t, avx512);
    t->chain_min_bytes = 16u * 1024u;
    t->isa = "avx512bw";
}
/* "avx512" takes VPOPCNTDQ where the CPU has it (with BITALG, which every
 * such core but Knights Mill has: the <= 16-channel path counts 16-bit
 * halves with vpopcntw); otherwise it is the AVX-512BW nibble-lookup set. */
static void avx512_fill(fbnn_kernel_table *t, const fbnn_cpu_features *f)
{
    avx512bw_fill(t, f);
    if (f->avx512vpopcntdq && f->avx512bitalg) {
        SET_CONV(t, avx512vpopcnt);
        SET_BINARY(t, avx512vpopcnt);
        t->isa = "avx512-vpopcntdq";
    }
}
#define X86_ROW(available, fill) available, fill
#else
#define X86_ROW(available, fill) NULL, NULL
#endif

#ifdef FBNN_HAVE_NEON_VARIANTS
static int neon_available(const fbnn_cpu_features *f) { return f->neon; }
static void neon_fill(fbnn_kernel_table *t, const fbnn_cpu_features *f)
{
    (void)f;
    SET_CONV(t, neon);
    SET_BINARY(t, neon);
    SET_ELTWISE(t, neon);
    SET_POOL(t, neon);
    SET_BNN(t, neon);
    t->isa = "neon";
}
#define NEON_ROW(available, fill) available, fill
#else
#define NEON_ROW(available, fill) NULL, NULL
#endif

typedef struct isa_row {
    fbnn_isa id;
    const char *name; /* for FBNN_ISA= and fbnn_isa_parse() */
    int auto_rank;    /* FBNN_ISA_AUTO takes the available row of highest rank (0: never) */
    int (*available)(const fbnn_cpu_features *f);                   /* NULL: not in this build */
    void (*fill)(fbnn_kernel_table *t, const fbnn_cpu_features *f); /* over the defaults of select */
} isa_row;

/* Indexed by fbnn_isa (FBNN_ISA_AUTO has no row of its own). */
static const isa_row isa_rows[FBNN_ISA_COUNT] = {
    {FBNN_ISA_AUTO, "auto", 0, NULL, NULL},
    {FBNN_ISA_SCALAR, "scalar", 1, scalar_available, scalar_fill},
    {FBNN_ISA_POPCNT, "popcnt", 3, X86_ROW(popcnt_available, popcnt_fill)},
    {FBNN_ISA_AVX2, "avx2", 4, X86_ROW(avx2_available, avx2_fill)},
    {FBNN_ISA_AVX512, "avx512", 5, X86_ROW(avx512_available, avx512_fill)},
    {FBNN_ISA_AVX512BW, "avx512bw", 0, X86_ROW(avx512_available, avx512bw_fill)},
    {FBNN_ISA_NEON, "neon", 4, NEON_ROW(neon_available, neon_fill)},
    {FBNN_ISA_SWAR, "swar", 2, swar_available, swar_fill},
};

static const isa_row *isa_row_of(fbnn_isa isa)
{
    return (int)isa > (int)FBNN_ISA_AUTO && (int)isa < FBNN_ISA_COUNT ? &isa_rows[isa] : NULL;
}

int fbnn_isa_available(fbnn_isa isa, const fbnn_cpu_features *f)
{
    const isa_row *r = isa_row_of(isa);
    if (isa == FBNN_ISA_AUTO) return 1;
    return r != NULL && r->available != NULL && r->available(f);
}

const char *fbnn_isa_name(fbnn_isa isa)
{
    return (int)isa >= 0 && (int)isa < FBNN_ISA_COUNT ? isa_rows[isa].name : NULL;
}

int fbnn_isa_parse(const char *name)
{
    int i;
    if (name == NULL || name[0] == '\0') return FBNN_ISA_AUTO;
    for (i = 0; i < FBNN_ISA_COUNT; i++)
        if (strcmp(name, isa_rows[i].name) == 0) return (int)isa_rows[i].id;
    return -1;
}

int fbnn_kernel_table_select(fbnn_kernel_table *t, fbnn_isa isa)
{
    fbnn_cpu_features f;
    const isa_row *row;
    fbnn_cpu_detect(&f);
    if (isa == FBNN_ISA_AUTO) {
        /* The best available: the highest rank. */
        int i, best = 0;
        isa = FBNN_ISA_SCALAR;
        for (i = 0; i < FBNN_ISA_COUNT; i++)
            if (isa_rows[i].auto_rank > best && fbnn_isa_available(isa_rows[i].id, &f)) {
                best = isa_rows[i].auto_rank;
                isa = isa_rows[i].id;
            }
    }
    if (!fbnn_isa_available(isa, &f)) return -1;
    row = isa_row_of(isa);
    /* Reference kernels for whole layers; the portable blocked code for rows. */
    t->bconv = fbnn_k_bconv;
    t->pgconv = fbnn_k_pgconv;
    t->bconv_rows = fbnn_k_bconv_rows__generic;
    t->pgconv_rows = fbnn_k_pgconv_rows__generic;
    /* No load-time weight blocks here: one thread keeps the reference
     * kernels (the SIMD sets' SET_CONV takes them). */
    t->bconv_rows_blk = NULL;
    t->pgconv_rows_blk = NULL;
    t->affine = fbnn_k_affine;
    t->rprelu = fbnn_k_rprelu;
    t->add = fbnn_k_add;
    t->quant2 = fbnn_k_quant2_pack;
    t->thermometer = fbnn_k_thermometer;
    t->avgpool = fbnn_k_avgpool;
    t->avgpool_q = NULL; /* the SIMD sets' (SET_POOL); here QUANT_UNIFORM and AVGPOOL run apart */
    t->global_avgpool = fbnn_k_global_avgpool;
    t->maxpool = fbnn_k_maxpool;
    t->maxpool_bits = fbnn_k_maxpool_bits;
    t->fc = fbnn_k_fc;
    t->fc_panel = NULL; /* the SIMD sets' (fc_simd.h) */
    t->pack_sign = fbnn_k_pack_sign;
    t->quant_uniform = fbnn_k_quant_uniform;
    t->bconv_pad_value = fbnn_k_bconv_pad_value;
    t->bconv_thr_rows = fbnn_k_bconv_thr_rows;
    t->bfc = fbnn_k_bfc;
    t->bfc_thr = fbnn_k_bfc_thr;
    t->rconv = fbnn_k_rconv;
    t->quant_kbit = fbnn_k_quant_kbit;
    t->kconv = fbnn_k_kconv;
    t->bconv_asym = fbnn_k_bconv_asym;
    t->bconv_thr_kbit_rows = fbnn_k_bconv_thr_kbit_rows;
    t->bfc_thr_kbit = fbnn_k_bfc_thr_kbit;
    t->bconv_thr_rows_blk = NULL; /* the SIMD sets' (SET_BINARY) */
    /* The portable fused chain for every optimised set (those with a
     * chain kernel of their own set it in their row's fill); the scalar
     * set runs the reference ops one by one. */
    t->chain = isa == FBNN_ISA_SCALAR ? NULL : fbnn_k_chain__generic;
    /* From 32 KiB maps (measured with the AVX2 chain before it set up its
     * channels without a general decode; the portable and NEON chains keep
     * that choice). The AVX2 chain fuses from 16 KiB (avx2_fill). */
    t->chain_min_bytes = 32u * 1024u;
    t->id = isa;
    row->fill(t, &f);
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
