/*
 * Every kernel variant set this CPU can run (scalar, popcnt, avx2, avx512,
 * avx512bw, neon) against the reference kernels, bit for bit (memcmp), over a
 * grid: in and out channels in {1,2,3,16,31,32,33,63,64,65,96,128,129,255,
 * 256,512,1024}, 1x1 and 3x3, stride 1 and 2, pad 0/1, odd/even map sizes
 * down to 1x1, PG gates firing everywhere / nowhere / mixed, plus the row
 * entries split into random slices (untouched rows checked too); the
 * elementwise entries (and their refusals); the thermometer over every
 * pixel value x resolution 1..255 x bit counts x channel counts; average
 * pooling over k, s 1..4, dup 1..3, odd/even maps and the float edge cases
 * (-0, denormals, inf, NaN), and global average pooling.
 *
 * Plain C without CMocka so the same program runs under qemu-aarch64 (the
 * cross sysroot has no cmocka). Exit 0 = all variants exact, 1 = a mismatch,
 * 77 = nothing but the reference to test (never: scalar rows always run).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dispatch.h"
#include "test_random.h"

static int failures = 0;

static void report(const char *isa, const char *what, const fbnn_conv_params *p, int gate_mode)
{
    if (++failures > 20) return;
    if (p == NULL)
        fprintf(stderr, "MISMATCH %s %s: case %d\n", isa, what, gate_mode);
    else
        fprintf(stderr, "MISMATCH %s %s: in_c=%d out_c=%d %dx%d k=%d s=%d pad=%d gates=%d\n", isa, what, p->in_c,
                p->out_c, p->in_h, p->in_w, p->k, p->stride, p->pad, gate_mode);
}

/* Check one shape against one variant set. */
static void check_case(const fbnn_kernel_table *t, const fbnn_conv_params *p, int gate_mode, int extreme)
{
    size_t in_px = (size_t)p->in_h * (size_t)p->in_w, nwd = (size_t)FBNN_WORDS(p->in_c);
    size_t n_w = (size_t)p->out_c * (size_t)(p->k * p->k) * nwd;
    size_t n_out = (size_t)p->out_c * (size_t)p->out_h * (size_t)p->out_w;
    uint32_t *m = malloc(in_px * nwd * 4), *l = malloc(in_px * nwd * 4), *w = malloc(n_w * 4);
    fbnn_real *thr = malloc((size_t)p->out_c * sizeof(fbnn_real));
    /* y_var has a guard zone behind it: no variant may write past out_c planes. */
    enum { GUARD = 1024 };
    fbnn_real *y_ref = malloc(n_out * sizeof(fbnn_real)), *y_var = malloc((n_out + GUARD) * sizeof(fbnn_real));
    uint32_t g_ref = 0, g_var = 0, g_sum;
    int32_t o, y0, y1;
    if (!m || !l || !w || !thr || !y_ref || !y_var) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memset(y_var + n_out, 0x5A, GUARD * sizeof(fbnn_real));
    fbnn_test_fill_bits(m, in_px, p->in_c);
    fbnn_test_fill_bits(l, in_px, p->in_c);
    fbnn_test_fill_bits(w, (size_t)p->out_c * (size_t)(p->k * p->k), p->in_c);
    if (extreme == 1) {
        /* Every bit differs: the largest popcounts (counter overflow tests). */
        size_t i, n = in_px * nwd;
        memset(w, 0, n_w * 4);
        for (i = 0; i < n; i++) m[i] = (i % nwd == nwd - 1 && p->in_c % 32) ? (1u << (p->in_c % 32)) - 1u : ~0u;
    }
    if (extreme == 3 || extreme == 4) {
        /* Thermometer-like input: every word a prefix mask 2^n - 1 (the
         * stem's table path), n = 0..32 (32 also sets padding bits); with
         * 4, one word somewhere is not a prefix mask (blocked path). */
        size_t i, n = in_px * nwd;
        for (i = 0; i < n; i++) {
            uint32_t k = fbnn_test_rnd() % 34u;
            m[i] = k >= 32u ? ~0u : (1u << k) - 1u;
        }
        if (extreme == 4) m[fbnn_test_rnd() % n] = 0x5u;
    }
    if (extreme == 2) {
        /* Nonzero padding bits (outside the kernel contract, yet the
         * reference just counts them): the one-pass <= 16-channel PG path
         * must notice them and give the reference's result anyway. */
        size_t i, n = in_px * nwd;
        for (i = 0; i < n; i += 1 + fbnn_test_rnd() % 97) (fbnn_test_rnd() & 1 ? m : l)[i] |= 1u << 31;
        if (fbnn_test_rnd() & 1) w[fbnn_test_rnd() % n_w] |= 1u << 30;
    }
    for (o = 0; o < p->out_c; o++) {
        /* Mixed gates: thresholds spread over the o_msb values of this shape
         * (exactly on fl(n/3) values, whose '>' the integer gates must
         * reproduce), their float neighbours, NaN and huge values. */
        int32_t span = p->k * p->k * p->in_c;
        int mode = gate_mode == 2 ? (int)(fbnn_test_rnd() % 4) : gate_mode;
        fbnn_real on = (fbnn_real)((int32_t)(fbnn_test_rnd() % (uint32_t)(span + 1)) - span / 2) / 3.0f;
        if (mode == 3) {
            switch (fbnn_test_rnd() % 6) {
            case 0: on = nextafterf(on, INFINITY); break;
            case 1: on = nextafterf(on, -INFINITY); break;
            case 2: on = NAN; break;
            case 3: on = 1e30f; break;
            case 4: on = -1e30f; break;
            default: on = (fbnn_real)(span + 2) / 3.0f * (fbnn_test_rnd() & 1 ? 1.0f : -1.0f); break;
            }
        }
        thr[o] = mode == 0 ? (fbnn_real)INFINITY : mode == 1 ? -(fbnn_real)INFINITY : on;
    }

    if (fbnn_k_bconv(m, w, p, y_ref) != FBNN_K_OK) {
        fprintf(stderr, "reference refused a valid shape\n");
        exit(2);
    }
    memset(y_var, 0xA5, n_out * sizeof(fbnn_real));
    if (t->bconv(m, w, p, y_var) != FBNN_K_OK || memcmp(y_ref, y_var, n_out * sizeof(fbnn_real)) != 0)
        report(t->isa, "bconv", p, gate_mode);
    /* Rows in random slices; poison first so unwritten rows show up. */
    memset(y_var, 0xA5, n_out * sizeof(fbnn_real));
    for (y0 = 0; y0 < p->out_h; y0 = y1) {
        y1 = y0 + 1 + (int32_t)(fbnn_test_rnd() % (uint32_t)(p->out_h - y0));
        if (t->bconv_rows(m, w, p, y0, y1, y_var) != FBNN_K_OK) report(t->isa, "bconv_rows rc", p, gate_mode);
    }
    if (memcmp(y_ref, y_var, n_out * sizeof(fbnn_real)) != 0) report(t->isa, "bconv_rows", p, gate_mode);

    if (fbnn_k_pgconv(m, l, w, thr, p, y_ref, &g_ref) != FBNN_K_OK) exit(2);
    memset(y_var, 0xA5, n_out * sizeof(fbnn_real));
    if (t->pgconv(m, l, w, thr, p, y_var, &g_var) != FBNN_K_OK ||
        memcmp(y_ref, y_var, n_out * sizeof(fbnn_real)) != 0 || g_ref != g_var)
        report(t->isa, "pgconv", p, gate_mode);
    if (gate_mode == 0 && g_ref != 0) report("reference", "gate never", p, gate_mode);
    if (gate_mode == 1 && g_ref != (uint32_t)n_out) report("reference", "gate always", p, gate_mode);
    memset(y_var, 0xA5, n_out * sizeof(fbnn_real));
    g_sum = 0;
    for (y0 = 0; y0 < p->out_h; y0 = y1) {
        y1 = y0 + 1 + (int32_t)(fbnn_test_rnd() % (uint32_t)(p->out_h - y0));
        if (t->pgconv_rows(m, l, w, thr, p, y0, y1, y_var, &g_var) != FBNN_K_OK)
            report(t->isa, "pgconv_rows rc", p, gate_mode);
        g_sum += g_var;
    }
    if (memcmp(y_ref, y_var, n_out * sizeof(fbnn_real)) != 0 || g_sum != g_ref)
        report(t->isa, "pgconv_rows", p, gate_mode);
    if (t->pgconv_rows_blk && t->bconv_rows_blk) {
        /* Over load-time weight blocks (conv_blocks.c), in random row
         * slices; windows too long for blocks run with wblk = NULL. */
        const int32_t wlen = p->k * p->k * (int32_t)nwd;
        uint32_t *blk = NULL;
        fbnn_real *y_bin = malloc(n_out * sizeof(fbnn_real));
        if (!y_bin) exit(2);
        if (wlen <= FBNN_CONV_BLOCK_MAX_WLEN) {
            blk = malloc(fbnn_conv_blocks_words(p->out_c, wlen) * 4);
            if (!blk) exit(2);
            fbnn_conv_blocks_pack(w, p->out_c, wlen, blk);
        }
        memset(y_var, 0xA5, n_out * sizeof(fbnn_real));
        g_sum = 0;
        for (y0 = 0; y0 < p->out_h; y0 = y1) {
            y1 = y0 + 1 + (int32_t)(fbnn_test_rnd() % (uint32_t)(p->out_h - y0));
            if (t->pgconv_rows_blk(m, l, w, blk, thr, p, y0, y1, y_var, &g_var) != FBNN_K_OK)
                report(t->isa, "pgconv_rows_blk rc", p, gate_mode);
            g_sum += g_var;
        }
        if (memcmp(y_ref, y_var, n_out * sizeof(fbnn_real)) != 0 || g_sum != g_ref)
            report(t->isa, "pgconv_rows_blk", p, gate_mode);
        if (fbnn_k_bconv(m, w, p, y_bin) != FBNN_K_OK) exit(2);
        memset(y_var, 0xA5, n_out * sizeof(fbnn_real));
        for (y0 = 0; y0 < p->out_h; y0 = y1) {
            y1 = y0 + 1 + (int32_t)(fbnn_test_rnd() % (uint32_t)(p->out_h - y0));
            if (t->bconv_rows_blk(m, w, blk, p, y0, y1, y_var) != FBNN_K_OK)
                report(t->isa, "bconv_rows_blk rc", p, gate_mode);
        }
        if (memcmp(y_bin, y_var, n_out * sizeof(fbnn_real)) != 0) report(t->isa, "bconv_rows_blk", p, gate_mode);
        free(blk);
        free(y_bin);
    }
    /* A slice writes nothing outside its rows. */
    if (p->out_h >= 3) {
        size_t row = (size_t)p->out_w, plane = (size_t)p->out_h * row;
        memset(y_var, 0xA5, n_out * sizeof(fbnn_real));
        (void)t->pgconv_rows(m, l, w, thr, p, 1, 2, y_var, &g_var);
        for (o = 0; o < p->out_c; o++) {
            const unsigned char *b = (const unsigned char *)(y_var + (size_t)o * plane);
            size_t i;
            for (i = 0; i < row * sizeof(fbnn_real); i++)
                if (b[i] != 0xA5 || b[2 * row * sizeof(fbnn_real) + i] != 0xA5) {
                    report(t->isa, "rows wrote outside the slice", p, gate_mode);
                    o = p->out_c;
                    break;
                }
        }
    }
    {
        const unsigned char *gb = (const unsigned char *)(y_var + n_out);
        size_t i;
        for (i = 0; i < GUARD * sizeof(fbnn_real); i++)
            if (gb[i] != 0x5A) {
                report(t->isa, "wrote past the output", p, gate_mode);
                break;
            }
    }
    free(m); free(l); free(w); free(thr); free(y_ref); free(y_var);
}

static int set_shape(fbnn_conv_params *p, int32_t in_c, int32_t out_c, int32_t k, int32_t s, int32_t h, int32_t w)
{
    p->in_c = in_c;
    p->out_c = out_c;
    p->k = k;
    p->stride = s;
    p->pad = k == 3 ? 1 : 0;
    p->in_h = h;
    p->in_w = w;
    p->out_h = fbnn_out_size(h, k, s, p->pad);
    p->out_w = fbnn_out_size(w, k, s, p->pad);
    return fbnn_k_conv_params_check(p) == FBNN_K_OK;
}

static void run_grid(const fbnn_kernel_table *t)
{
    static const int32_t ch[] = {1, 2, 3, 16, 31, 32, 33, 63, 64, 65, 96, 128, 129, 255, 256, 512, 1024};
    static const int32_t kinds[][2] = {{1, 1}, {3, 1}, {3, 2}, {1, 2}};
    const size_t nch = sizeof ch / sizeof ch[0];
    size_t a, b, kind;
    int n = 0;
    for (a = 0; a < nch; a++)
        for (b = 0; b < nch; b++)
            for (kind = 0; kind < 4; kind++) {
                fbnn_conv_params p;
                /* Map sizes 1..9 (odd and even, 1x1 included); big channel
                 * pairs get small maps to bound the run time. */
                int32_t big = ch[a] * ch[b] >= 65536, hmax = big ? 4 : 9;
                int32_t h = 1 + (int32_t)(fbnn_test_rnd() % (uint32_t)hmax), w = 1 + (int32_t)(fbnn_test_rnd() % (uint32_t)hmax);
                if (!set_shape(&p, ch[a], ch[b], kinds[kind][0], kinds[kind][1], h, w)) continue;
                check_case(t, &p, (int)((a + b + kind) % 3),
                           (a * 7 + b + kind) % 5 == 0 ? 1 : (a + 2 * b + kind) % 4 == 1 ? 3 : 0);
                n++;
            }
    /* Larger maps at the model's channel counts (32x32, 16x16 with stride 2, 8x8, 1 tile + tail). */
    {
        fbnn_conv_params p;
        if (set_shape(&p, 96, 16, 3, 1, 32, 32)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 16, 16, 3, 1, 32, 33)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 16, 32, 3, 2, 32, 32)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 32, 32, 3, 1, 16, 16)) check_case(t, &p, 1, 0), n++;
        if (set_shape(&p, 64, 64, 3, 1, 8, 8)) check_case(t, &p, 2, 0), n++;
        /* 1x1 stride 1 at ImageNet sizes (the popcount-GEMM path, conv_simd_gemm.h):
         * register blocks of pixels across row ends, tiles and a tail. */
        if (set_shape(&p, 32, 64, 1, 1, 28, 29)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 256, 40, 1, 1, 14, 14)) check_case(t, &p, 1, 0), n++;
        if (set_shape(&p, 1024, 33, 1, 1, 7, 7)) check_case(t, &p, 2, 3), n++;
        /* ... and the pixel-lane GEMM (conv_simd_pixgemm.h, AVX-512): several
         * transposed chunks, channel tails of a register block, rows of 3 or
         * 16 words with padding bits, gates never / always firing. */
        if (set_shape(&p, 256, 20, 1, 1, 30, 30)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 96, 24, 1, 1, 40, 41)) check_case(t, &p, 0, 0), n++;
        if (set_shape(&p, 96, 13, 1, 1, 40, 41)) check_case(t, &p, 1, 3), n++;
        if (set_shape(&p, 500, 9, 1, 1, 9, 16)) check_case(t, &p, 2, 3), n++;
        /* The 3x3 pixel-lane path over one input word (conv_simd_pix3.h,
         * AVX-512): partial groups at row ends, a row of exactly one group
         * (both borders in it), maps of 1 and 3 rows, channel tails of a
         * register block, padding bits, gates never / always / mixed. */
        if (set_shape(&p, 32, 40, 3, 1, 20, 37)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 24, 8, 3, 1, 17, 16)) check_case(t, &p, 1, 0), n++;
        if (set_shape(&p, 32, 16, 3, 1, 3, 33)) check_case(t, &p, 0, 0), n++;
        if (set_shape(&p, 20, 9, 3, 1, 5, 31)) check_case(t, &p, 2, 2), n++;
        if (set_shape(&p, 32, 32, 3, 1, 1, 16)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 17, 3, 3, 1, 6, 47)) check_case(t, &p, 2, 1), n++;
        if (set_shape(&p, 64, 10, 5, 1, 7, 7)) { p.pad = 2; p.out_h = p.out_w = 7; check_case(t, &p, 2, 0); n++; }
        /* The sparse LSB pass of long-window PG convs (conv_simd_sparse.h:
         * 3x3 over 512 / 1024 channels on maps from 14 x 14): mixed gates,
         * gates never / always firing, channel tails, stride 2, a map of
         * several tiles whose rows do not align with them, padding bits. */
        if (set_shape(&p, 512, 17, 3, 1, 14, 14)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 512, 16, 3, 1, 14, 15)) check_case(t, &p, 0, 0), n++;
        if (set_shape(&p, 512, 16, 3, 1, 15, 14)) check_case(t, &p, 1, 0), n++;
        if (set_shape(&p, 1024, 5, 3, 1, 16, 14)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 512, 33, 3, 2, 29, 28)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 500, 3, 3, 1, 14, 17)) check_case(t, &p, 2, 2), n++;
        /* Beyond the repack buffer: the plain fallback path. */
        if (set_shape(&p, 2048, 17, 3, 1, 3, 3)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 1024, 20, 3, 1, 3, 3)) check_case(t, &p, 1, 1), n++;
        if (set_shape(&p, 96, 16, 3, 1, 5, 5)) check_case(t, &p, 1, 1), n++;
        /* The one-pass PG path for <= 16 channels: several row bands of its
         * 4096-word buffer, a map too wide for it, and padding garbage. */
        /* The prefix-code (thermometer stem) table path: CIFAR and
         * Fashion-MNIST stems, one non-prefix word, too many taps x words. */
        if (set_shape(&p, 96, 16, 3, 1, 32, 32)) check_case(t, &p, 2, 3), n++;
        if (set_shape(&p, 32, 32, 3, 1, 28, 28)) check_case(t, &p, 2, 3), n++;
        if (set_shape(&p, 96, 16, 3, 1, 9, 11)) check_case(t, &p, 2, 4), n++;
        if (set_shape(&p, 100, 33, 3, 2, 9, 8)) check_case(t, &p, 2, 3), n++;
        if (set_shape(&p, 160, 16, 3, 1, 6, 6)) check_case(t, &p, 2, 3), n++;
        if (set_shape(&p, 96, 16, 3, 1, 41, 40)) check_case(t, &p, 2, 3), n++;  /* 2 row bands */
        /* Set padding bits (prefix words) with always-firing gates: sums
         * beyond base, the integer gates' range must cover them. */
        if (set_shape(&p, 1, 33, 3, 1, 1, 4)) check_case(t, &p, 1, 3), n++;
        if (set_shape(&p, 5, 16, 3, 1, 6, 5)) check_case(t, &p, 1, 3), n++;
        if (set_shape(&p, 16, 16, 3, 1, 6, 5)) check_case(t, &p, 2, 3), n++;
        if (set_shape(&p, 33, 16, 3, 1, 6, 5)) check_case(t, &p, 1, 3), n++;
        if (set_shape(&p, 32, 16, 3, 2, 45, 47)) check_case(t, &p, 2, 3), n++;
        if (set_shape(&p, 32, 16, 3, 1, 3, 1400)) check_case(t, &p, 2, 3), n++; /* too wide */
        if (set_shape(&p, 16, 16, 3, 1, 70, 80)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 13, 16, 3, 2, 71, 59)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 16, 8, 3, 1, 3, 1400)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 16, 16, 3, 1, 9, 9)) check_case(t, &p, 2, 2), n++;
        if (set_shape(&p, 5, 17, 3, 1, 8, 7)) check_case(t, &p, 2, 2), n++;
        /* Binary convs in 2- and 4-pixel groups (pixel-pair words at <= 16
         * channels, shifted windows above): odd widths leave pairs and
         * singles at the row ends, stride 2 and pad 0 shift the groups. */
        if (set_shape(&p, 16, 16, 3, 1, 13, 31)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 9, 24, 3, 2, 11, 30)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 32, 32, 3, 1, 17, 13)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 64, 48, 3, 1, 9, 11)) check_case(t, &p, 2, 1), n++;
        if (set_shape(&p, 32, 64, 3, 2, 17, 15)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 16, 16, 3, 1, 12, 10)) { p.pad = 0; p.out_h = 10; p.out_w = 8; check_case(t, &p, 2, 0); n++; }
        if (set_shape(&p, 48, 16, 3, 1, 12, 11)) { p.pad = 0; p.out_h = 10; p.out_w = 9; check_case(t, &p, 2, 0); n++; }
        if (set_shape(&p, 16, 16, 5, 1, 9, 9)) { p.pad = 2; p.out_h = p.out_w = 9; check_case(t, &p, 2, 0); n++; }
        if (set_shape(&p, 16, 16, 7, 1, 9, 9)) { p.pad = 3; p.out_h = p.out_w = 9; check_case(t, &p, 2, 0); n++; }
        /* Row-skewed output (32-wide rows, planes a multiple of 4 KiB;
         * conv_simd_rowskew.h) through each path: <= 16 channels with 16,
         * 6 (two groups, one partial) and 16 + 4 (skewed and plain blocks)
         * outputs; nibble planes with 16 + 16 + 5; the blocked path; a
         * 64-row map; padding garbage that sends <= 16 channels elsewhere. */
        if (set_shape(&p, 16, 16, 3, 1, 32, 32)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 16, 6, 3, 1, 32, 32)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 16, 20, 3, 1, 32, 32)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 40, 37, 3, 1, 32, 32)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 100, 24, 3, 1, 32, 32)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 16, 16, 3, 1, 64, 32)) check_case(t, &p, 2, 0), n++;
        if (set_shape(&p, 16, 16, 3, 1, 32, 32)) check_case(t, &p, 2, 2), n++;
    }
    printf("%-18s %d shapes checked\n", t->isa, n);
}

/* Arguments the elementwise entries must refuse exactly as the reference:
 * NULL pointers, channel and size counts out of range. */
static void check_eltwise_refusals(const fbnn_kernel_table *t)
{
    /* (c, hw) for affine / RPReLU, (c, h, w) for Q2 and global pooling. */
    static const int32_t bad_hw[][2] = {{0, 16}, {-1, 16}, {FBNN_K_MAX_DIM + 1, 1}, {1, 0}, {1, -5}};
    static const int32_t bad_chw[][3] = {{0, 4, 4}, {-1, 4, 4}, {FBNN_K_MAX_DIM + 1, 1, 1}, {1, 0, 4},
                                         {1, 4, 0}, {1, -1, 4}, {1, FBNN_K_MAX_DIM + 1, 1}, {1, 1, FBNN_K_MAX_DIM + 1}};
    fbnn_real x[16] = {0}, p[16] = {0}, y[16];
    uint32_t m[16], l[16];
    size_t j;
    for (j = 0; j < sizeof bad_hw / sizeof bad_hw[0]; j++) {
        const int32_t c = bad_hw[j][0], hw = bad_hw[j][1];
        if (t->affine(x, p, p, c, hw, y) != fbnn_k_affine(x, p, p, c, hw, y) ||
            t->rprelu(x, p, p, p, c, hw, y) != fbnn_k_rprelu(x, p, p, p, c, hw, y))
            report(t->isa, "affine/rprelu refusal", NULL, (int)j);
    }
    for (j = 0; j < sizeof bad_chw / sizeof bad_chw[0]; j++) {
        const int32_t c = bad_chw[j][0], h = bad_chw[j][1], w = bad_chw[j][2];
        if (t->quant2(x, c, h, w, m, l) != fbnn_k_quant2_pack(x, c, h, w, m, l) ||
            t->global_avgpool(x, c, h, w, y) != fbnn_k_global_avgpool(x, c, h, w, y))
            report(t->isa, "quant2/global_avgpool refusal", NULL, (int)j);
    }
    if (t->affine(NULL, p, p, 1, 4, y) != FBNN_K_EBADARG || t->affine(x, NULL, p, 1, 4, y) != FBNN_K_EBADARG ||
        t->affine(x, p, NULL, 1, 4, y) != FBNN_K_EBADARG || t->affine(x, p, p, 1, 4, NULL) != FBNN_K_EBADARG ||
        t->rprelu(NULL, p, p, p, 1, 4, y) != FBNN_K_EBADARG || t->rprelu(x, NULL, p, p, 1, 4, y) != FBNN_K_EBADARG ||
        t->rprelu(x, p, NULL, p, 1, 4, y) != FBNN_K_EBADARG || t->rprelu(x, p, p, NULL, 1, 4, y) != FBNN_K_EBADARG ||
        t->rprelu(x, p, p, p, 1, 4, NULL) != FBNN_K_EBADARG || t->add(NULL, x, 4, y) != FBNN_K_EBADARG ||
        t->add(x, NULL, 4, y) != FBNN_K_EBADARG || t->add(x, x, 4, NULL) != FBNN_K_EBADARG ||
        t->add(x, x, 0, y) != FBNN_K_EBADARG || t->add(x, x, -4, y) != FBNN_K_EBADARG ||
        t->quant2(NULL, 1, 2, 2, m, l) != FBNN_K_EBADARG || t->quant2(x, 1, 2, 2, NULL, l) != FBNN_K_EBADARG ||
        t->quant2(x, 1, 2, 2, m, NULL) != FBNN_K_EBADARG || t->global_avgpool(x, 1, 2, 2, NULL) != FBNN_K_EBADARG)
        report(t->isa, "eltwise NULL/count refusal", NULL, 0);
}

/* The float FC against the reference: output counts around the 1- and
 * 2-block sizes of every ISA (4, 8, 16 lanes) and the ImageNet head, input
 * counts with and without a column tail; special values in x and w. */
static void check_fc(const fbnn_kernel_table *t)
{
    static const int32_t ns_out[] = {1, 3, 4, 5, 8, 9, 16, 17, 31, 32, 33, 48, 64, 80, 100, 1000};
    static const int32_t ns_in[] = {1, 3, 4, 8, 15, 16, 17, 33, 64, 100, 1024};
    size_t a, b;
    for (a = 0; a < sizeof ns_out / sizeof ns_out[0]; a++)
        for (b = 0; b < sizeof ns_in / sizeof ns_in[0]; b++) {
            const int32_t no = ns_out[a], ni = ns_in[b];
            const size_t nwt = (size_t)no * (size_t)ni;
            fbnn_real *x = malloc((size_t)ni * 4), *w = malloc(nwt * 4), *bias = malloc((size_t)no * 4);
            fbnn_real *yr = malloc((size_t)no * 4), *yv = malloc((size_t)no * 4);
            size_t i;
            if (no == 1000 && ni != 1024) goto next; /* (the big one only at its real shape) */
            for (i = 0; i < (size_t)ni; i++) x[i] = fbnn_test_rnd_real();
            for (i = 0; i < nwt; i++) w[i] = fbnn_test_rnd_real();
            for (i = 0; i < (size_t)no; i++) bias[i] = fbnn_test_rnd_real();
            if (ni > 2 && no > 2) {
                x[1] = INFINITY;      /* inf * w, and 0 * inf = NaN in some lanes */
                w[2] = 0.0f;
                w[(size_t)ni + 1] = -0.0f;
                bias[1] = NAN;
            }
            fbnn_k_fc(x, ni, w, bias, no, yr);
            memset(yv, 0xA5, (size_t)no * 4);
            if (t->fc(x, ni, w, bias, no, yv) != FBNN_K_OK || !fbnn_test_same_reals(yr, yv, (size_t)no))
                report(t->isa, "fc", NULL, no * 10000 + ni);
            if (t->fc_panel) {
                /* The same FC over the load-time column panels (fc_panels.c). */
                fbnn_real *panel = malloc(fbnn_fc_panel_floats(ni, no) * 4 + 4); /* (+4: no zero-size malloc) */
                fbnn_fc_panel_pack(w, ni, no, panel);
                memset(yv, 0xA5, (size_t)no * 4);
                if (t->fc_panel(x, ni, panel, w, bias, no, yv) != FBNN_K_OK || !fbnn_test_same_reals(yr, yv, (size_t)no))
                    report(t->isa, "fc_panel", NULL, no * 10000 + ni);
                free(panel);
            }
        next:
            free(x); free(w); free(bias); free(yr); free(yv);
        }
    {
        fbnn_real v = 1.0f, o;
        if (t->fc(NULL, 1, &v, &v, 1, &o) != FBNN_K_EBADARG || t->fc(&v, 0, &v, &v, 1, &o) != FBNN_K_EBADARG ||
            t->fc(&v, 1, &v, &v, 0, &o) != FBNN_K_EBADARG || t->fc(&v, 1, &v, NULL, 1, &o) != FBNN_K_EBADARG)
            report(t->isa, "fc refusal", NULL, 0);
        if (t->fc_panel && (t->fc_panel(NULL, 1, &v, &v, &v, 1, &o) != FBNN_K_EBADARG ||
                            t->fc_panel(&v, 1, NULL, &v, &v, 1, &o) != FBNN_K_EBADARG ||
                            t->fc_panel(&v, 0, &v, &v, &v, 1, &o) != FBNN_K_EBADARG))
            report(t->isa, "fc_panel refusal", NULL, 0);
    }
}

/* Elementwise epilogue entries against the reference (also in place).
 * Channel counts up to 200 give 1..7 Q2 words per pixel (the NEON pack
 * stores up to 4 with one interleaving store, more word by word). */
static void check_eltwise(const fbnn_kernel_table *t)
{
    static const int32_t cs[] = {1, 3, 16, 31, 32, 33, 64, 65, 96, 128, 129, 200};
    static const int32_t hs[] = {1, 2, 3, 7, 8, 9, 16, 17};
    size_t a, b;
    int n = 0;
    for (a = 0; a < sizeof cs / sizeof cs[0]; a++)
        for (b = 0; b < sizeof hs / sizeof hs[0]; b++) {
            int32_t c = cs[a], h = hs[b], w = hs[(a + b) % 8], hw = h * w, nw = FBNN_WORDS(c), i;
            size_t n_el = (size_t)c * (size_t)hw, n_bits = (size_t)hw * (size_t)nw;
            fbnn_real *x = malloc(n_el * 4), *x1 = malloc(n_el * 4), *yr = malloc(n_el * 4), *yv = malloc(n_el * 4);
            fbnn_real *p0 = malloc((size_t)c * 4), *p1 = malloc((size_t)c * 4), *p2 = malloc((size_t)c * 4);
            uint32_t *mr = malloc(n_bits * 4), *lr = malloc(n_bits * 4), *mv = malloc(n_bits * 4), *lv = malloc(n_bits * 4);
            for (i = 0; i < (int32_t)n_el; i++) x[i] = fbnn_test_rnd_real(), x1[i] = fbnn_test_rnd_real();
            for (i = 0; i < c; i++) p0[i] = fbnn_test_rnd_real(), p1[i] = fbnn_test_rnd_real(), p2[i] = fbnn_test_rnd_real();
            fbnn_k_affine(x, p0, p1, c, hw, yr);
            t->affine(x, p0, p1, c, hw, yv);
            if (!fbnn_test_same_reals(yr, yv, n_el)) report(t->isa, "affine", NULL, c * 1000 + hw);
            memcpy(yv, x, n_el * 4);
            t->affine(yv, p0, p1, c, hw, yv);
            if (!fbnn_test_same_reals(yr, yv, n_el)) report(t->isa, "affine in place", NULL, c * 1000 + hw);
            fbnn_k_rprelu(x, p0, p1, p2, c, hw, yr);
            t->rprelu(x, p0, p1, p2, c, hw, yv);
            if (!fbnn_test_same_reals(yr, yv, n_el)) report(t->isa, "rprelu", NULL, c * 1000 + hw);
            memcpy(yv, x, n_el * 4);
            t->rprelu(yv, p0, p1, p2, c, hw, yv);
            if (!fbnn_test_same_reals(yr, yv, n_el)) report(t->isa, "rprelu in place", NULL, c * 1000 + hw);
            fbnn_k_add(x, x1, (int32_t)n_el, yr);
            memcpy(yv, x1, n_el * 4);
            t->add(x, yv, (int32_t)n_el, yv);
            if (!fbnn_test_same_reals(yr, yv, n_el)) report(t->isa, "add", NULL, c * 1000 + hw);
            fbnn_k_quant2_pack(x, c, h, w, mr, lr);
            memset(mv, 0xA5, n_bits * 4);
            memset(lv, 0xA5, n_bits * 4);
            t->quant2(x, c, h, w, mv, lv);
            if (memcmp(mr, mv, n_bits * 4) != 0 || memcmp(lr, lv, n_bits * 4) != 0)
                report(t->isa, "quant2", NULL, c * 1000 + hw);
            {
                /* Uniform quantiser: ranges around the data, bits 1..16,
                 * special values (NaN, infinities, the bounds, exact ties
                 * of the 4-bit grid), and in place. */
                static const fbnn_real qlo[] = {-1.0f, -0.75f, 0.0f, -3.0f}, qhi[] = {1.0f, 0.5f, 2.0f, 1e-3f};
                static const int32_t qbits[] = {4, 1, 8, 16};
                const int32_t q = (int32_t)((a + b) % 4);
                const fbnn_real d4 = (fbnn_real)2.0f / (fbnn_real)15.0f;
                fbnn_real *xq = malloc(n_el * 4);
                memcpy(xq, x, n_el * 4);
                if (n_el > 6) {
                    xq[0] = NAN;
                    xq[1] = INFINITY;
                    xq[2] = -INFINITY;
                    xq[3] = qlo[q];
                    xq[4] = qhi[q];
                    xq[5] = -1.0f + 1.5f * d4; /* a tie on the 4-bit grid of [-1, 1] */
                }
                fbnn_k_quant_uniform(xq, (int32_t)n_el, qbits[q], qlo[q], qhi[q], yr);
                memset(yv, 0xA5, n_el * 4);
                if (t->quant_uniform(xq, (int32_t)n_el, qbits[q], qlo[q], qhi[q], yv) != FBNN_K_OK ||
                    !fbnn_test_same_reals(yr, yv, n_el))
                    report(t->isa, "quant_uniform", NULL, c * 1000 + hw);
                memcpy(yv, xq, n_el * 4);
                if (t->quant_uniform(yv, (int32_t)n_el, qbits[q], qlo[q], qhi[q], yv) != FBNN_K_OK ||
                    !fbnn_test_same_reals(yr, yv, n_el))
                    report(t->isa, "quant_uniform in place", NULL, c * 1000 + hw);
                if (t->quant_uniform(xq, (int32_t)n_el, 0, -1.0f, 1.0f, yv) != FBNN_K_EBADARG ||
                    t->quant_uniform(xq, (int32_t)n_el, 17, -1.0f, 1.0f, yv) != FBNN_K_EBADARG ||
                    t->quant_uniform(xq, (int32_t)n_el, 4, 1.0f, 1.0f, yv) != FBNN_K_EBADARG ||
                    t->quant_uniform(xq, (int32_t)n_el, 4, NAN, 1.0f, yv) != FBNN_K_EBADARG ||
                    t->quant_uniform(xq, 0, 4, -1.0f, 1.0f, yv) != FBNN_K_EBADARG ||
                    t->quant_uniform(NULL, (int32_t)n_el, 4, -1.0f, 1.0f, yv) != FBNN_K_EBADARG)
                    report(t->isa, "quant_uniform refusal", NULL, c * 1000 + hw);
                free(xq);
            }
            free(x); free(x1); free(yr); free(yv); free(p0); free(p1); free(p2);
            free(mr); free(lr); free(mv); free(lv);
            n++;
        }
    check_eltwise_refusals(t);
    /* Thermometer: every pixel value, resolutions and bit counts that make
     * channel runs straddle words (and the released model's R=8, B=32). */
    {
        static const int32_t rb[][3] = {{8, 32, 3}, {1, 255, 3}, {7, 5, 7}, {3, 40, 2}, {255, 1, 33}, {2, 100, 1}};
        size_t k;
        for (k = 0; k < sizeof rb / sizeof rb[0]; k++) {
            int32_t c = rb[k][2], h = 9, w = 31, nw = FBNN_WORDS(c * rb[k][1]), i;
            size_t npx = (size_t)h * (size_t)w, nimg = (size_t)c * npx;
            uint8_t *img = malloc(nimg);
            uint32_t *tr = malloc(npx * (size_t)nw * 4), *tv = malloc(npx * (size_t)nw * 4);
            for (i = 0; i < (int32_t)nimg; i++) img[i] = (uint8_t)(i < 256 ? i : (int32_t)(fbnn_test_rnd() & 255));
            fbnn_k_thermometer(img, c, h, w, rb[k][0], rb[k][1], tr);
            memset(tv, 0xA5, npx * (size_t)nw * 4);
            if (t->thermometer(img, c, h, w, rb[k][0], rb[k][1], tv) != FBNN_K_OK ||
                memcmp(tr, tv, npx * (size_t)nw * 4) != 0)
                report(t->isa, "thermometer", NULL, (int)k);
            free(img); free(tr); free(tv);
            n++;
        }
    }
    printf("%-18s %d elementwise shapes checked\n", t->isa, n);
}

/* Thermometer, all 256 pixel values (every channel holds each value at least
 * once, the rest random) for every resolution 1..255, bit counts on every
 * path of the word variant (fields dividing a word, whole words, runs
 * straddling words) and channel counts whose runs cross word boundaries;
 * odd map sizes. Output poisoned first, so unwritten words and padding show. */
static void check_thermometer(const fbnn_kernel_table *t)
{
    static const int32_t bits_set[] = {1, 2, 3, 4, 7, 8, 16, 31, 32, 33, 40, 64, 96, 100, 255, 1024};
    static const int32_t chs[] = {1, 2, 3, 5};
    static const int32_t hw[][2] = {{1, 257}, {3, 87}, {9, 31}, {17, 17}};
    const size_t nb = sizeof bits_set / sizeof bits_set[0], nc = sizeof chs / sizeof chs[0];
    int32_t res;
    size_t b, ci;
    int n = 0;
    for (res = 1; res <= 255; res++)
        for (b = 0; b < nb; b++)
            for (ci = 0; ci < nc; ci++) {
                int32_t c = chs[ci], bits = bits_set[b], ch, i;
                int32_t h = hw[(size_t)res % 4][0], w = hw[(size_t)res % 4][1];
                size_t npx = (size_t)h * (size_t)w, nwd = npx * (size_t)FBNN_WORDS(c * bits);
                uint8_t *img = malloc((size_t)c * npx);
                uint32_t *tr = malloc(nwd * 4), *tv = malloc(nwd * 4);
                int rr, rv;
                if (!img || !tr || !tv) exit(2);
                for (ch = 0; ch < c; ch++)
                    for (i = 0; i < (int32_t)npx; i++)
                        img[(size_t)ch * npx + (size_t)i] =
                            (uint8_t)(i < 256 ? (i + 37 * ch) & 255 : (int32_t)(fbnn_test_rnd() & 255));
                memset(tr, 0x5A, nwd * 4);
                memset(tv, 0xA5, nwd * 4);
                rr = fbnn_k_thermometer(img, c, h, w, res, bits, tr);
                rv = t->thermometer(img, c, h, w, res, bits, tv);
                if (rr != FBNN_K_OK || rv != FBNN_K_OK || memcmp(tr, tv, nwd * 4) != 0)
                    report(t->isa, "thermometer grid", NULL, res * 100000 + bits * 10 + c);
                free(img); free(tr); free(tv);
                n++;
            }
    printf("%-18s %d thermometer cases checked\n", t->isa, n);
}

/* Inputs for the pools: ordinary values, +-0, denormals, and per `mode`
 * either (0) values near FLT_MAX whose sums overflow to +-inf and then give
 * inf - inf = the default NaN, (1) +inf and one quiet NaN, or (2) mostly -0
 * (0.0f + -0.0f is +0: a window of -0 averages to +0). Each mode has a
 * single NaN encoding, so the results are fixed bit for bit whatever the
 * order of a NaN-vs-NaN add, and memcmp can compare them (signs of zero
 * included). */
static float rnd_pool_input(int mode)
{
    static const float special[] = {0.0f, -0.0f, 1e-40f, -1e-40f, 1.4e-45f, -1.4e-45f, 1.17549435e-38f, -2.5e-39f};
    uint32_t r = fbnn_test_rnd() % 20;
    if (mode == 2) return r < 12 ? -0.0f : r < 16 ? 0.0f : special[r - 14]; /* windows of -0 only */
    if (r < 8) return special[r];
    if (r < 10) {
        if (mode == 0) return r == 8 ? 3.0e38f : -3.0e38f;
        return r == 8 ? (float)INFINITY : (float)NAN;
    }
    return ((float)(int32_t)(fbnn_test_rnd() % 200001) - 100000.0f) / 1024.0f;
}

/* Average pooling: every k, s (1..4: the NEON kernel has a path per
 * stride and one for k == s), duplication and shape of the grid, including
 * windows that do not fit (both must refuse), odd sizes, 1x1, map widths
 * with and without a vector tail, and an unaligned input. */
static void check_avgpool(const fbnn_kernel_table *t)
{
    static const int32_t sizes[][2] = {{1, 1}, {2, 2}, {3, 5}, {4, 4}, {5, 3}, {7, 9}, {16, 16},
                                       {17, 17}, {32, 32}, {33, 35}, {8, 40}, {2, 47}, {3, 19}};
    static const int32_t chs[] = {1, 3, 16, 17};
    const size_t nsz = sizeof sizes / sizeof sizes[0];
    int32_t k, s, dup;
    size_t a, ci;
    int n = 0;
    for (k = 1; k <= 4; k++)
        for (s = 1; s <= 4; s++)
            for (dup = 1; dup <= 3; dup++)
                for (ci = 0; ci < 4; ci++)
                    for (a = 0; a < nsz; a++) {
                        int32_t c = chs[ci], h = sizes[a][0], w = sizes[a][1], off = (int32_t)(a & 1), mode;
                        int32_t ho = h >= k ? (h - k) / s + 1 : 1, wo = w >= k ? (w - k) / s + 1 : 1;
                        size_t n_in = (size_t)c * (size_t)h * (size_t)w, i;
                        size_t n_out = (size_t)dup * (size_t)c * (size_t)ho * (size_t)wo;
                        float *xb = malloc((n_in + 1) * 4), *yr = malloc(n_out * 4), *yv = malloc(n_out * 4);
                        int rr, rv;
                        if (!xb || !yr || !yv) exit(2);
                        for (mode = 0; mode < 3; mode++) {
                            for (i = 0; i < n_in; i++) xb[(size_t)off + i] = rnd_pool_input(mode);
                            memset(yr, 0x5A, n_out * 4);
                            memset(yv, 0xA5, n_out * 4);
                            rr = fbnn_k_avgpool(xb + off, c, h, w, k, s, dup, yr);
                            rv = t->avgpool(xb + off, c, h, w, k, s, dup, yv);
                            if (rr != rv || (rr == FBNN_K_OK && memcmp(yr, yv, n_out * 4) != 0))
                                report(t->isa, "avgpool", NULL,
                                       (((k * 10 + s) * 10 + dup) * 100 + c) * 10000 + h * 100 + w);
                            n++;
                        }
                        free(xb); free(yr); free(yv);
                    }
    /* Arguments both must refuse. */
    {
        static const int32_t bad[][6] = {{1, 4, 4, 2, 2, 0}, {1, 4, 4, 2, 2, 17}, {1, 4, 4, 0, 1, 1}, {1, 4, 4, 2, 0, 1},
                                         {0, 4, 4, 2, 2, 1}, {1, 1, 4, 2, 2, 1}, {4096, 4, 4, 2, 2, 16}};
        float xs[16] = {0}, ys[64];
        size_t j;
        for (j = 0; j < sizeof bad / sizeof bad[0]; j++, n++)
            if (t->avgpool(xs, bad[j][0], bad[j][1], bad[j][2], bad[j][3], bad[j][4], bad[j][5], ys) !=
                fbnn_k_avgpool(xs, bad[j][0], bad[j][1], bad[j][2], bad[j][3], bad[j][4], bad[j][5], ys))
                report(t->isa, "avgpool refusal", NULL, (int)j);
        if (t->avgpool(NULL, 1, 2, 2, 2, 2, 1, ys) != FBNN_K_EBADARG || t->avgpool(xs, 1, 2, 2, 2, 2, 1, NULL) != FBNN_K_EBADARG)
            report(t->isa, "avgpool NULL", NULL, 0);
    }
    printf("%-18s %d avgpool cases checked\n", t->isa, n);
}

/* Global average pooling: channel counts around the 8-lane blocks, maps
 * with and without a tail of 8, the same data modes as the pools. */
static void check_global_avgpool(const fbnn_kernel_table *t)
{
    static const int32_t chs[] = {1, 3, 7, 8, 9, 16, 17, 64, 65};
    static const int32_t sizes[][2] = {{1, 1}, {1, 7}, {2, 4}, {3, 3}, {8, 8}, {5, 13}, {16, 16}, {1, 33}};
    size_t ci, a;
    int n = 0, mode;
    for (ci = 0; ci < sizeof chs / sizeof chs[0]; ci++)
        for (a = 0; a < sizeof sizes / sizeof sizes[0]; a++)
            for (mode = 0; mode < 3; mode++) {
                int32_t c = chs[ci], h = sizes[a][0], w = sizes[a][1];
                size_t n_in = (size_t)c * (size_t)h * (size_t)w, i;
                float *x = malloc(n_in * 4), *yr = malloc((size_t)c * 4), *yv = malloc((size_t)c * 4);
                if (!x || !yr || !yv) exit(2);
                for (i = 0; i < n_in; i++) x[i] = rnd_pool_input(mode);
                memset(yr, 0x5A, (size_t)c * 4);
                memset(yv, 0xA5, (size_t)c * 4);
                if (fbnn_k_global_avgpool(x, c, h, w, yr) != FBNN_K_OK || t->global_avgpool(x, c, h, w, yv) != FBNN_K_OK ||
                    memcmp(yr, yv, (size_t)c * 4) != 0)
                    report(t->isa, "global_avgpool", NULL, (c * 100 + h) * 100 + w);
                free(x); free(yr); free(yv);
                n++;
            }
    if (t->global_avgpool(NULL, 1, 1, 1, NULL) != FBNN_K_EBADARG) report(t->isa, "global_avgpool NULL", NULL, 0);
    printf("%-18s %d global_avgpool cases checked\n", t->isa, n);
}

#ifdef FBNN_TEST_AVX512_EMUL
#include "avx512_emul_api.h"
/* The AVX-512 conv instances over tests/avx512_emul.h: the AVX2 table with
 * the conv entries replaced (the AVX-512 sets use the AVX2 epilogue too). */
static void run_avx512_emul(void)
{
    fbnn_kernel_table t;
    if (fbnn_kernel_table_select(&t, FBNN_ISA_AVX2) != 0) {
        printf("avx512 emulation skipped: it needs AVX2 (tile transposition)\n");
        return;
    }
    t.bconv = fbnn_k_bconv__avx512_emul;
    t.pgconv = fbnn_k_pgconv__avx512_emul;
    t.bconv_rows = fbnn_k_bconv_rows__avx512_emul;
    t.pgconv_rows = fbnn_k_pgconv_rows__avx512_emul;
    t.bconv_rows_blk = fbnn_k_bconv_rows_blk__avx512_emul;
    t.pgconv_rows_blk = fbnn_k_pgconv_rows_blk__avx512_emul;
    t.isa = "avx512bw-emul";
    run_grid(&t);
    t.bconv = fbnn_k_bconv__avx512vpopcnt_emul;
    t.pgconv = fbnn_k_pgconv__avx512vpopcnt_emul;
    t.bconv_rows = fbnn_k_bconv_rows__avx512vpopcnt_emul;
    t.pgconv_rows = fbnn_k_pgconv_rows__avx512vpopcnt_emul;
    t.bconv_rows_blk = fbnn_k_bconv_rows_blk__avx512vpopcnt_emul;
    t.pgconv_rows_blk = fbnn_k_pgconv_rows_blk__avx512vpopcnt_emul;
    t.isa = "avx512vpopcnt-emul";
    run_grid(&t);
}
#endif

int main(void)
{
    int i;
    fbnn_kernel_table auto_t;
    /* FBNN_TEST_SEED=N: other random data on the same grid (soak runs). */
    const char *seed = getenv("FBNN_TEST_SEED");
    if (seed != NULL && *seed != '\0') {
        fbnn_test_rng_seed((uint32_t)strtoul(seed, NULL, 10));
        printf("random seed %s\n", seed);
    }
    fbnn_kernel_table_init(&auto_t, 0);
    printf("automatic choice on this CPU: %s\n", auto_t.isa);
    /* Every ISA of the public enum (FBNN_ISA_AUTO aside). */
    for (i = FBNN_ISA_SCALAR; i < FBNN_ISA_COUNT; i++) {
        fbnn_kernel_table t;
        if (fbnn_kernel_table_select(&t, (fbnn_isa)i) != 0) {
            printf("%-18s skipped: this CPU or build lacks it\n", fbnn_isa_name((fbnn_isa)i));
            continue;
        }
        run_grid(&t);
        check_eltwise(&t);
        check_fc(&t);
        check_thermometer(&t);
        check_avgpool(&t);
        check_global_avgpool(&t);
    }
#ifdef FBNN_TEST_AVX512_EMUL
    run_avx512_emul();
#endif
    if (failures) {
        fprintf(stderr, "%d mismatches\n", failures);
        return 1;
    }
    printf("all variants bit-identical to the reference\n");
    return 0;
}
