/*
 * The fusion plan of a model in practice: with every optimised kernel set
 * this CPU runs, every ADD and every QUANT2 op on a map of at least 32 KiB
 * (above every kernel set's chain_min_bytes) must run inside a fused
 * elementwise chain, and every AVGPOOL of a QUANT_UNIFORM inside a
 * quantising pool (fbnn_op_event.fused; an ADD may be the chain's first
 * op, whose next op then ran fused), i.e. no block epilogue of the
 * network falls back to one pass per op. The ImageNet network's blocks after
 * a widening block were left unfused until the arena planner kept the block
 * input alive through the whole elementwise run (src/planner.c): the chain's
 * packed output had been placed over the input its fused shortcut still
 * reads. Exactness of the fused runs is the golden tests' job; this test
 * catches a plan that silently stops fusing.
 *
 *   test_fusion_plan MODEL [MIN_FUSED]
 * MIN_FUSED: the least number of ADD + QUANT2 (+ such AVGPOOL, with sets
 * that have the quantising pool) ops that must be checked (so
 * that a model without blocks cannot pass vacuously). Exit 0 = all fused,
 * 1 = some op ran alone or an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fracbnn/fracbnn.h"
#include "cpu/dispatch.h" /* which sets have the quantising pool (avgpool_q) */
#include "model_internal.h" /* FBNN_QPOOL_MIN_WO */

#define MIN_MAP_BYTES (32u * 1024u)

typedef struct fused_log {
    unsigned char *fused; /* per op: 1 = ran inside a chain */
    uint32_t n_ops;
} fused_log;

static void record(void *user, const fbnn_op_event *ev)
{
    fused_log *lg = (fused_log *)user;
    if (ev->end && ev->op_index < lg->n_ops) lg->fused[ev->op_index] = (unsigned char)(ev->fused != 0);
}

int main(int argc, char **argv)
{
    fbnn_model *m = NULL;
    fbnn_context *ctx = NULL;
    fbnn_model_info info;
    fbnn_error err;
    fused_log lg;
    unsigned char *img;
    size_t img_bytes;
    unsigned min_checked = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 1u;
    int k, failed = 0, tested = 0;
    uint32_t i;
    if (argc < 2) {
        fprintf(stderr, "usage: test_fusion_plan MODEL [MIN_FUSED]\n");
        return 1;
    }
    if (fbnn_model_load_file(argv[1], &m, &err) != FBNN_OK || fbnn_model_get_info(m, &info) != FBNN_OK ||
        fbnn_context_create(m, &ctx) != FBNN_OK) {
        fprintf(stderr, "test_fusion_plan: cannot load %s\n", argv[1]);
        fbnn_model_free(m);
        return 1;
    }
    img_bytes = (size_t)info.input_channels * info.input_height * info.input_width;
    img = (unsigned char *)malloc(img_bytes);
    lg.n_ops = info.num_ops;
    lg.fused = (unsigned char *)calloc(info.num_ops, 1);
    if (!img || !lg.fused) return 1;
    for (i = 0; i < img_bytes; i++) img[i] = (unsigned char)(i * 37u + 11u); /* any image: the plan is structural */
    for (k = FBNN_ISA_SCALAR; k < FBNN_ISA_COUNT; k++) {
        unsigned checked = 0, alone = 0;
        fbnn_kernel_table kt;
        int have_qpool;
        fbnn_status st;
        if (k == FBNN_ISA_SCALAR || k == FBNN_ISA_SWAR) continue; /* these never fuse (test_isa_model) */
        st = fbnn_context_set_isa(ctx, (fbnn_isa)k);
        if (st == FBNN_ERR_UNSUPPORTED) continue;
        if (st != FBNN_OK) return 1;
        have_qpool = fbnn_kernel_table_select(&kt, (fbnn_isa)k) == 0 && kt.avgpool_q != NULL;
        memset(lg.fused, 0, info.num_ops);
        fbnn_context_set_op_hook(ctx, record, &lg);
        st = fbnn_run(ctx, img, img_bytes);
        fbnn_context_set_op_hook(ctx, NULL, NULL);
        if (st != FBNN_OK) {
            fprintf(stderr, "test_fusion_plan: run failed (%s)\n", fbnn_status_str(st));
            return 1;
        }
        for (i = 0; i < info.num_ops; i++) {
            fbnn_layer_info li;
            size_t map_bytes;
            if (fbnn_model_layer(m, i, &li) != FBNN_OK) return 1;
            if (strcmp(li.op_name, "avgpool") == 0 && i > 0) {
                /* The stride-2 shortcut avgpool(Q4(x)): one quantising pool
                 * (sets without the kernel, popcnt, run the two apart). */
                fbnn_layer_info prev;
                if (!have_qpool || li.out_w < FBNN_QPOOL_MIN_WO) continue;
                if (fbnn_model_layer(m, i - 1, &prev) != FBNN_OK) return 1;
                if (strcmp(prev.op_name, "quant_uniform") != 0) continue;
            } else if (strcmp(li.op_name, "add") != 0 && strcmp(li.op_name, "quant2") != 0) {
                continue;
            }
            map_bytes = (size_t)li.in_c * li.in_h * li.in_w * sizeof(float);
            if (map_bytes < MIN_MAP_BYTES) continue;
            checked++;
            /* An ADD may also start its chain (after an average-pool
             * shortcut): then the next op ran inside it. QUANT2 always ends one. */
            if (!lg.fused[i] && !(li.op_name[0] == 'a' && i + 1 < info.num_ops && lg.fused[i + 1])) {
                alone++;
                printf("%-8s op %u (%s %ux%ux%u) ran alone\n", fbnn_context_isa(ctx), i, li.op_name, li.in_c,
                       li.in_h, li.in_w);
            }
        }
        printf("%-8s %u of %u add/quant2/avgpool ops ran fused\n", fbnn_context_isa(ctx), checked - alone, checked);
        if (alone != 0 || checked < min_checked) failed = 1;
        tested++;
    }
    if (tested == 0) printf("test_fusion_plan: no optimised kernel set on this CPU; nothing to check\n");
    fbnn_context_free(ctx);
    fbnn_model_free(m);
    free(img);
    free(lg.fused);
    return failed;
}
