/*
 * The released CIFAR-10 model on real images with every kernel variant set
 * this CPU can run (fbnn_context_set_isa): logits must equal the golden
 * float32 reference bit for bit. Plain C (no CMocka) so it also runs under
 * qemu-aarch64 (scripts/test_aarch64.sh).
 *
 *   test_isa_model [DATA]   DATA: CIFAR-10 binary records (default: the 846
 *                           images of ../shared/data, else the bundled 64)
 * Exit 0 = all exact, 1 = a mismatch or error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fracbnn/fracbnn.h"
#include "cpu/dispatch.h" /* fbnn_isa_name */

#define MODEL "models/cifar10_fracbnn.fbnn"
#define GOLDEN "tests/data/cifar10_ref_logits.f32"
#define REC 3073

static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long len;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc(len > 0 ? (size_t)len : 1u);
    if (buf && len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *n = len > 0 ? (size_t)len : 0u;
    return buf;
}

/* Op hook: counts the ops that ran inside a fused chain. */
static void count_fused(void *user, const fbnn_op_event *ev)
{
    if (ev->end && ev->fused) ++*(unsigned *)user;
}

/* Ops fused in one run of image `img` (the hook is removed afterwards). */
static unsigned fused_ops(fbnn_context *ctx, const unsigned char *img)
{
    unsigned n = 0;
    fbnn_context_set_op_hook(ctx, count_fused, &n);
    if (fbnn_run(ctx, img, REC - 1) != FBNN_OK) n = 9999u;
    fbnn_context_set_op_hook(ctx, NULL, NULL);
    return n;
}

int main(int argc, char **argv)
{
    const char *data_path = argc > 1 ? argv[1] : "../shared/data/cifar10_test_846.bin";
    size_t n_data = 0, n_gold = 0, n_img, i;
    int k;
    unsigned char *data = slurp(data_path, &n_data);
    float *gold = (float *)(void *)slurp(GOLDEN, &n_gold);
    fbnn_model *m;
    fbnn_context *ctx;
    fbnn_error err;
    int failed = 0, tested = 0;
    if (!data && argc <= 1) data = slurp(data_path = "tests/data/cifar10_test_first64.bin", &n_data);
    if (!data || !gold) {
        fprintf(stderr, "test_isa_model: cannot read %s or %s\n", data_path, GOLDEN);
        return 1;
    }
    n_img = n_data / REC;
    if (n_img * 10 * sizeof(float) > n_gold) n_img = n_gold / (10 * sizeof(float));
    if (fbnn_model_load_file(MODEL, &m, &err) != FBNN_OK || fbnn_context_create(m, &ctx) != FBNN_OK) {
        fprintf(stderr, "test_isa_model: cannot load %s\n", MODEL);
        return 1;
    }
    /* Every ISA of the public enum (FBNN_ISA_AUTO aside). */
    for (k = FBNN_ISA_SCALAR; k < FBNN_ISA_COUNT; k++) {
        const char *name = fbnn_isa_name((fbnn_isa)k);
        unsigned bad = 0;
        fbnn_status st = fbnn_context_set_isa(ctx, (fbnn_isa)k);
        if (st == FBNN_ERR_UNSUPPORTED) {
            printf("%-9s skipped: this CPU or build lacks it\n", name);
            continue;
        }
        if (st != FBNN_OK) return 1;
        for (i = 0; i < n_img; i++) {
            uint32_t nc = 0;
            const float *lg;
            if (fbnn_run(ctx, data + i * REC + 1, REC - 1) != FBNN_OK) {
                bad++;
                continue;
            }
            lg = fbnn_logits(ctx, &nc);
            if (nc != 10 || memcmp(lg, gold + i * 10, 10 * sizeof(float)) != 0) bad++;
        }
        printf("%-9s (%s): %u of %zu images with logits different from the golden reference\n", name,
               fbnn_context_isa(ctx), bad, n_img);
        {
            /* Fused elementwise chains: on for every optimised set (so the
             * loop above tested them), never for scalar and swar (the
             * microcontroller set runs the ops one by one: fewer
             * instructions there); with fusion off the ops run one by one
             * and the logits are the same. */
            unsigned fused_on = fused_ops(ctx, data + 1), fused_off, bad_off = 0;
            fbnn_context_set_fusion(ctx, 0);
            fused_off = fused_ops(ctx, data + 1);
            for (i = 0; i < n_img && i < 32; i++) {
                uint32_t nc = 0;
                if (fbnn_run(ctx, data + i * REC + 1, REC - 1) != FBNN_OK ||
                    memcmp(fbnn_logits(ctx, &nc), gold + i * 10, 10 * sizeof(float)) != 0)
                    bad_off++;
            }
            fbnn_context_set_fusion(ctx, 1);
            printf("%-9s fused ops per image: %u (fusion off: %u, %u of %zu images differ)\n", name, fused_on,
                   fused_off, bad_off, n_img < 32 ? n_img : (size_t)32);
            if ((k == FBNN_ISA_SCALAR || k == FBNN_ISA_SWAR) != (fused_on == 0) || fused_off != 0 || bad_off != 0)
                failed = 1;
        }
        failed |= bad != 0;
        tested++;
    }
    if (fbnn_context_set_isa(ctx, (fbnn_isa)99) != FBNN_ERR_ARG) failed = 1;
    fbnn_context_free(ctx);
    fbnn_model_free(m);
    free(data);
    free(gold);
    return failed || tested == 0 ? 1 : 0;
}
