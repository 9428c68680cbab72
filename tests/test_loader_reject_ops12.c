/*
 * Loader rejection tests for the attributes and parameters of the format
 * 1.2 ops (issue 18): BFC (15), BCONV_THR (16) and BFC_THR (17) with their
 * threshold tensors and the optional output-bits attribute B, RCONV (18),
 * QUANT_KBIT (19), KCONV (20) and BCONV's padding value and per-side pads.
 * One malformed model per defect, each patched into a valid base model
 * (CRC fixed up after checking that the un-fixed copy fails the checksum),
 * each with its own status and a message naming the op and the defect.
 *
 * Bases: models/fashion_mnist_binarynet.fbnn (bconv_thr, bfc_thr, bfc),
 * models/fashion_mnist_dorefa.fbnn (rconv, quant_kbit, kconv),
 * models/cifar10_fracbnn.fbnn (bconv), and the k-bit network written by
 * tests/make_binary_thr_model.py (bconv_thr with B = 2, bfc_thr with B = 3,
 * kconv reading them), whose path is argv[1] (ctest generates it first).
 */
#include "loader_reject_util.h"

static const char *g_kbit_model;

/* Make `path` the base model of the patch helpers (g_base and the table offsets). */
static void use_base(const char *path)
{
    free(g_base);
    g_base = read_file(path, &g_size);
    if (g_base == NULL) fail_msg("cannot read %s", path);
    g_n_t = rd32(g_base + 24);
    g_t_off = rd32(g_base + 28);
    g_n_o = rd32(g_base + 40);
    g_o_off = rd32(g_base + 44);
    g_d_off = rd32(g_base + 56);
    {
        /* The base itself loads. */
        fbnn_model *m = NULL;
        assert_int_equal(fbnn_model_load_memory(g_base, g_size, &m, NULL), FBNN_OK);
        fbnn_model_free(m);
    }
}

/* Index of the n-th op (0-based) of `type` in the base; fails the test if absent. */
static uint32_t find_op(uint32_t type, uint32_t nth)
{
    uint32_t i;
    for (i = 0; i < g_n_o; i++)
        if (rd32(g_base + OP(i, OP_TYPE)) == type && nth-- == 0) return i;
    fail_msg("base model has no op of type %u", type);
    return 0;
}

/* File offset of element e (u32) of the tensor in param slot j of op i. */
static size_t param_elem(uint32_t i, uint32_t j, uint32_t e)
{
    const uint32_t t = rd32(g_base + OP(i, OP_PARAM(j)));
    return (size_t)rd32(g_base + TENSOR(t, 24)) + 4u * e;
}

/* Patch two u32 of a fresh copy, fix the CRC, expect `want`. */
#define patch2(off1, v1, off2, v2, want, needle, what)                                            \
    do {                                                                                          \
        uint8_t *b_ = copy_base(0);                                                               \
        wr32(b_ + (off1), (uint32_t)(v1));                                                        \
        wr32(b_ + (off2), (uint32_t)(v2));                                                        \
        expect_patched(b_, g_size, want, needle, what);                                           \
    } while (0)

/* --------------------------------------------------- bconv_thr, bfc_thr, bfc */
static void test_threshold_ops(void **state)
{
    uint32_t c, f, bt, ct, bf, bfc;
    char msg[64];
    (void)state;
    use_base("models/fashion_mnist_binarynet.fbnn");
    begin();
    c = find_op(16, 1); /* the second bconv_thr (64 -> 128 channels; 32 -> 64 before session 13) */
    /* the output-bits attribute B (attr[3]) */
    patch2(OP(c, OP_NATTR), 4, OP(c, OP_ATTR(3)), 0, FBNN_ERR_OP, "output bits 0 not in 1..4", "bconv_thr B = 0");
    patch2(OP(c, OP_NATTR), 4, OP(c, OP_ATTR(3)), 5, FBNN_ERR_OP, "output bits 5 not in 1..4", "bconv_thr B = 5");
    patch2(OP(c, OP_NATTR), 4, OP(c, OP_ATTR(3)), (uint32_t)-1, FBNN_ERR_OP, "output bits -1", "bconv_thr B = -1");
    /* B = 2 but a 1-bit output value and [C, 2] thresholds */
    patch2(OP(c, OP_NATTR), 4, OP(c, OP_ATTR(3)), 2, FBNN_ERR_SHAPE, "(2 bit planes)", "bconv_thr B = 2 on 1 plane");
    patch1(OP(c, OP_NATTR), 5, FBNN_ERR_OP, "is not its arity", "bconv_thr with 5 attributes");
    /* thresholds: flip out of {0, 1}, wrong dtype */
    patch1(param_elem(c, 1, 2 * 3 + 1), 2, FBNN_ERR_OP, "flip of output channel 3 is 2", "bconv_thr flip 2");
    patch1(param_elem(c, 1, 2 * 63 + 1), (uint32_t)-1, FBNN_ERR_OP, "flip of output channel 63 is -1",
           "bconv_thr flip -1");
    /* the first bconv_thr's thresholds (64 channels) in this one's slot (128):
     * the message names this layer's shape, read from its own tensor */
    bt = rd32(g_base + OP(find_op(16, 0), OP_PARAM(1)));
    ct = rd32(g_base + OP(c, OP_PARAM(1)));
    snprintf(msg, sizeof msg, "thresholds must be an I32 tensor [%u,2]", rd32(g_base + TENSOR(ct, 8)));
    assert_int_not_equal(rd32(g_base + TENSOR(bt, 8)), rd32(g_base + TENSOR(ct, 8)));
    patch1(OP(c, OP_PARAM(1)), bt, FBNN_ERR_SHAPE, msg, "bconv_thr thresholds of another layer");
    /* thresholds tensor in the weight slot and back */
    patch1(OP(c, OP_PARAM(1)), rd32(g_base + OP(c, OP_PARAM(0))), FBNN_ERR_SHAPE, "thresholds must be an I32",
           "bconv_thr weights as thresholds");
    patch1(OP(c, OP_ATTR(0)), 16, FBNN_ERR_OP, "kernel size 16 not in 1..15", "bconv_thr kernel 16");
    patch1(OP(c, OP_ATTR(2)), 3, FBNN_ERR_OP, "padding 3 not in 0..k-1", "bconv_thr padding = k");

    f = find_op(17, 0);
    patch2(OP(f, OP_NATTR), 1, OP(f, OP_ATTR(0)), 7, FBNN_ERR_OP, "output bits 7 not in 1..4", "bfc_thr B = 7");
    patch2(OP(f, OP_NATTR), 1, OP(f, OP_ATTR(0)), 0, FBNN_ERR_OP, "output bits 0 not in 1..4", "bfc_thr B = 0");
    patch2(OP(f, OP_NATTR), 1, OP(f, OP_ATTR(0)), 2, FBNN_ERR_SHAPE, "weight must be BITS", "bfc_thr B = 2 on 1 plane");
    patch1(OP(f, OP_NATTR), 2, FBNN_ERR_OP, "is not its arity", "bfc_thr with 2 attributes");
    patch1(param_elem(f, 1, 2 * 100 + 1), 3, FBNN_ERR_OP, "flip of output channel 100 is 3", "bfc_thr flip 3");
    bf = rd32(g_base + OP(f, OP_PARAM(1)));
    snprintf(msg, sizeof msg, "thresholds must be an I32 tensor [%u,2]", rd32(g_base + TENSOR(bf, 8)));
    patch1(OP(f, OP_PARAM(1)), bt, FBNN_ERR_SHAPE, msg, "bfc_thr thresholds of a conv layer");

    bfc = find_op(15, 0);
    patch1(OP(bfc, OP_PARAM(1)), rd32(g_base + OP(bfc, OP_PARAM(0))), FBNN_ERR_SHAPE, "scale must be",
           "bfc scale slot holds the weights");
    patch1(OP(bfc, OP_PARAM(2)), rd32(g_base + OP(bfc, OP_PARAM(0))), FBNN_ERR_SHAPE, "bias must be",
           "bfc bias slot holds the weights");
    patch1(OP(bfc, OP_PARAM(0)), rd32(g_base + OP(bfc, OP_PARAM(1))), FBNN_ERR_SHAPE, "weight must be BITS",
           "bfc weight slot holds the scales");
    patch1(OP(bfc, OP_NATTR), 1, FBNN_ERR_OP, "is not its arity", "bfc with an attribute");
    report("THR OPS");
}

/* -------------------------------------------- k-bit threshold outputs (B > 1) */
static void test_kbit_thresholds(void **state)
{
    uint32_t c, f, k, j, o;
    (void)state;
    use_base(g_kbit_model);
    begin();
    /* bconv_thr with B = 2: [C, 4] = (t0, t1, t2, flip) per channel */
    c = find_op(16, 3);
    assert_int_equal(rd32(g_base + OP(c, OP_NATTR)), 4);
    assert_int_equal(rd32(g_base + OP(c, OP_ATTR(3))), 2);
    for (o = 0; o < 2; o++) {
        /* channel o's first two thresholds out of the order its flip counts them in */
        const uint32_t flip = rd32(g_base + param_elem(c, 1, 4 * o + 3));
        const int32_t t1 = (int32_t)rd32(g_base + param_elem(c, 1, 4 * o + 1));
        char want[64];
        snprintf(want, sizeof want, "of output channel %u", o);
        patch1(param_elem(c, 1, 4 * o), (uint32_t)(flip ? t1 - 1 : t1 + 1), FBNN_ERR_OP, want,
               "bconv_thr thresholds out of order");
        /* the same thresholds with the other flip: out of order unless all equal */
        if (rd32(g_base + param_elem(c, 1, 4 * o)) != rd32(g_base + param_elem(c, 1, 4 * o + 2)))
            patch1(param_elem(c, 1, 4 * o + 3), flip ^ 1u, FBNN_ERR_OP, "out of order", "bconv_thr flip inverted");
    }
    patch1(param_elem(c, 1, 4 * 5 + 3), 2, FBNN_ERR_OP, "flip of output channel 5 is 2", "bconv_thr B=2 flip 2");
    patch1(OP(c, OP_ATTR(3)), 3, FBNN_ERR_SHAPE, "(3 bit planes)", "bconv_thr B = 3 on 2 planes");
    patch1(OP(c, OP_ATTR(3)), 1, FBNN_ERR_SHAPE, "(1 bit planes)", "bconv_thr B = 1 on 2 planes");
    patch2(OP(c, OP_NATTR), 3, OP(c, OP_ATTR(3)), 0, FBNN_ERR_SHAPE, "does not fit", "bconv_thr B omitted on 2 planes");
    patch1(OP(c, OP_PARAM(1)), rd32(g_base + OP(find_op(16, 0), OP_PARAM(1))), FBNN_ERR_SHAPE,
           "thresholds must be an I32 tensor [40,4]", "bconv_thr B=2 with [C,2] thresholds");

    /* bfc_thr with B = 3: [C, 8] */
    f = find_op(17, 1);
    assert_int_equal(rd32(g_base + OP(f, OP_ATTR(0))), 3);
    for (j = 0; j < 6; j++) {
        const uint32_t flip = rd32(g_base + param_elem(f, 1, 7));
        const int32_t tn = (int32_t)rd32(g_base + param_elem(f, 1, j + 1));
        patch1(param_elem(f, 1, j), (uint32_t)(flip ? tn - 1 : tn + 1), FBNN_ERR_OP, "are out of order",
               "bfc_thr thresholds out of order");
    }
    patch1(OP(f, OP_ATTR(0)), 4, FBNN_ERR_SHAPE, "weight must be BITS", "bfc_thr B = 4 on 3 planes");
    patch1(OP(f, OP_ATTR(0)), 5, FBNN_ERR_OP, "output bits 5", "bfc_thr B = 5");

    /* kconv reading the 2-bit planes: planes and bases attributes, per-side pads */
    k = find_op(20, 0);
    assert_int_equal(rd32(g_base + OP(k, OP_ATTR(6))), 2);
    patch1(OP(k, OP_ATTR(6)), 0, FBNN_ERR_OP, "planes 0 not in 1..4", "kconv planes 0");
    patch1(OP(k, OP_ATTR(6)), 5, FBNN_ERR_OP, "planes 5 not in 1..4", "kconv planes 5");
    patch1(OP(k, OP_ATTR(6)), 3, FBNN_ERR_SHAPE, "are not 3 planes", "kconv planes 3 on 80 channels");
    patch1(OP(k, OP_ATTR(6)), 1, FBNN_ERR_SHAPE, "is not 2 bases of", "kconv planes 1 (weights of 40 channels)");
    patch1(OP(k, OP_ATTR(7)), 0, FBNN_ERR_OP, "bases 0 not in 1..8", "kconv bases 0");
    patch1(OP(k, OP_ATTR(7)), 9, FBNN_ERR_OP, "bases 9 not in 1..8", "kconv bases 9");
    patch1(OP(k, OP_ATTR(7)), 1, FBNN_ERR_SHAPE, "is not 1 bases", "kconv bases 1 on 2-base weights");
    patch1(OP(k, OP_ATTR(2)), 3, FBNN_ERR_OP, "padding 3 not in 0..k-1", "kconv top padding = k");
    patch1(OP(k, OP_ATTR(5)), (uint32_t)-1, FBNN_ERR_OP, "padding -1 not in 0..k-1", "kconv right padding -1");
    patch1(OP(k, OP_ATTR(3)), 0, FBNN_ERR_SHAPE, "output", "kconv left padding 0 (output size)");
    report("KBIT THR");
}

/* -------------------------------------------------- rconv, quant_kbit (dorefa) */
static void test_rconv_quant_kbit(void **state)
{
    uint32_t r, q;
    (void)state;
    use_base("models/fashion_mnist_dorefa.fbnn");
    begin();
    r = find_op(18, 0);
    patch1(OP(r, OP_ATTR(6)), 0, FBNN_ERR_OP, "groups 0 must divide", "rconv groups 0");
    patch1(OP(r, OP_ATTR(6)), 5, FBNN_ERR_OP, "groups 5 must divide", "rconv groups 5");
    patch1(OP(r, OP_ATTR(6)), (uint32_t)-2, FBNN_ERR_OP, "groups -2", "rconv groups -2");
    patch1(OP(r, OP_ATTR(2)), 3, FBNN_ERR_OP, "padding 3 not in 0..k-1", "rconv top padding = k");
    patch1(OP(r, OP_ATTR(4)), (uint32_t)-1, FBNN_ERR_OP, "padding -1 not in 0..k-1", "rconv bottom padding -1");
    patch1(OP(r, OP_ATTR(0)), 0, FBNN_ERR_OP, "kernel size 0", "rconv kernel 0");
    patch1(OP(r, OP_ATTR(1)), 9, FBNN_ERR_OP, "stride 9", "rconv stride 9");
    patch1(OP(r, OP_NATTR), 6, FBNN_ERR_OP, "is not its arity", "rconv with 6 attributes");
    patch1(OP(r, OP_PARAM(1)), rd32(g_base + OP(r, OP_PARAM(0))), FBNN_ERR_SHAPE, "bias must be",
           "rconv bias slot holds the weights");
    q = find_op(19, 0);
    patch1(OP(q, OP_ATTR(0)), 0, FBNN_ERR_OP, "planes 0 not in 1..4", "quant_kbit planes 0");
    patch1(OP(q, OP_ATTR(0)), 5, FBNN_ERR_OP, "planes 5 not in 1..4", "quant_kbit planes 5");
    patch1(OP(q, OP_ATTR(0)), 1, FBNN_ERR_SHAPE, "expected", "quant_kbit planes 1 on a 2-plane output");
    report("RCONV/KBIT");
}

/* ------------------------------------- bconv padding value and per-side pads */
static void test_bconv_padding(void **state)
{
    uint32_t c;
    (void)state;
    use_base("models/cifar10_fracbnn.fbnn");
    begin();
    c = find_op(2, 0);
    patch2(OP(c, OP_NATTR), 4, OP(c, OP_ATTR(3)), 2, FBNN_ERR_OP, "padding value 2 not in {-1, 0, +1}", "bconv V = 2");
    patch2(OP(c, OP_NATTR), 4, OP(c, OP_ATTR(3)), (uint32_t)-2, FBNN_ERR_OP, "padding value -2", "bconv V = -2");
    patch1(OP(c, OP_NATTR), 5, FBNN_ERR_OP, "per-side padding needs all 7", "bconv with 5 attributes");
    patch1(OP(c, OP_NATTR), 6, FBNN_ERR_OP, "per-side padding needs all 7", "bconv with 6 attributes");
    {
        /* the 7-attribute form: K, S, Pt, V, Pl, Pb, Pr */
        uint8_t *b = copy_base(0);
        wr32(b + OP(c, OP_NATTR), 7);
        wr32(b + OP(c, OP_ATTR(4)), 1);
        wr32(b + OP(c, OP_ATTR(5)), 1);
        wr32(b + OP(c, OP_ATTR(6)), 3); /* right padding = k */
        expect_patched(b, g_size, FBNN_ERR_OP, "padding 3 not in 0..k-1", "bconv right padding = k");
        b = copy_base(0);
        wr32(b + OP(c, OP_NATTR), 7);
        wr32(b + OP(c, OP_ATTR(4)), 1);
        wr32(b + OP(c, OP_ATTR(5)), 1);
        wr32(b + OP(c, OP_ATTR(6)), 0); /* Pr 0: one column fewer than the output value */
        expect_patched(b, g_size, FBNN_ERR_SHAPE, "output", "bconv asymmetric pads vs output size");
        b = copy_base(0);
        wr32(b + OP(c, OP_NATTR), 7);
        wr32(b + OP(c, OP_ATTR(3)), 3); /* V out of range in the 7-attribute form */
        wr32(b + OP(c, OP_ATTR(4)), 1);
        wr32(b + OP(c, OP_ATTR(5)), 1);
        wr32(b + OP(c, OP_ATTR(6)), 1);
        expect_patched(b, g_size, FBNN_ERR_OP, "padding value 3", "bconv 7 attributes, V = 3");
    }
    report("BCONV PAD");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threshold_ops),
        cmocka_unit_test(test_kbit_thresholds),
        cmocka_unit_test(test_rconv_quant_kbit),
        cmocka_unit_test(test_bconv_padding),
    };
    int rc;
    if (argc != 2) {
        fprintf(stderr, "usage: test_loader_reject_ops12 KBIT_MODEL (tests/make_binary_thr_model.py)\n");
        return 2;
    }
    g_kbit_model = argv[1];
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(g_base);
    return rc;
}
