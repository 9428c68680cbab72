/*
 * Loader rejection tests, second half: values, ops, shapes, the graph, the
 * meta block, alignment/arguments/I/O, file loading and a valid in-place
 * load (the first half and the method: test_loader_reject.c).
 */
#include "loader_reject_util.h"

/* --------------------------------------------------------------- values */
static void test_value(void **state)
{
    (void)state;
    begin();
    patch1(VALUE(5, 0), 0, FBNN_ERR_VALUE, "value 5: unknown kind 0", "kind 0");
    patch1(VALUE(5, 0), 5, FBNN_ERR_VALUE, "value 5: unknown kind 5", "kind 5");
    patch1(VALUE(115, 0), 0xFFFFFFFFu, FBNN_ERR_VALUE, "value 115: unknown kind", "kind -1, last");
    patch1(VALUE(5, 4), 0, FBNN_ERR_VALUE, "value 5: shape 0x32x32", "C 0");
    patch1(VALUE(5, 8), 0, FBNN_ERR_VALUE, "value 5: shape", "H 0");
    patch1(VALUE(5, 12), 0, FBNN_ERR_VALUE, "value 5: shape", "W 0");
    patch1(VALUE(5, 4), 65536, FBNN_ERR_VALUE, "value 5: shape 65536", "C 65536");
    patch1(VALUE(5, 8), 0x80000000u, FBNN_ERR_VALUE, "value 5: shape", "H 2^31");
    patch1(VALUE(5, 12), 0xFFFFFFFFu, FBNN_ERR_VALUE, "value 5: shape", "W 2^32-1");
    {
        uint8_t *b = copy_base(0);
        wr32(b + VALUE(5, 4), 65535);
        wr32(b + VALUE(5, 8), 65535);
        wr32(b + VALUE(5, 12), 65535);
        expect_patched(b, g_size, FBNN_ERR_VALUE, "value 5: 65535x65535x65535 is larger than 1 GiB",
                       "huge value");
        b = copy_base(0);
        wr32(b + VALUE(0, 8), 16384);
        wr32(b + VALUE(0, 12), 32768); /* 3 * 2^29 bytes of u8 */
        expect_patched(b, g_size, FBNN_ERR_VALUE, "value 0", "input > 1 GiB");
    }
    patch1(VALUE(0, 0), 2, FBNN_ERR_VALUE, "value 0 (the input)", "input not u8");
    report("VALUE");
}

/* ------------------------------------------------------------------ ops */
static void test_op(void **state)
{
    (void)state;
    begin();
    patch1(OP(7, OP_TYPE), 0, FBNN_ERR_OP, "op 7: unknown type 0", "type 0");
    patch1(OP(7, OP_TYPE), 21, FBNN_ERR_OP, "op 7: unknown type 21", "type 21 (first unassigned)");
    patch1(OP(7, OP_TYPE), 0xFFFFFFFFu, FBNN_ERR_OP, "op 7: unknown type", "type 2^32-1");
    patch1(OP(114, OP_TYPE), 1000, FBNN_ERR_OP, "op 114: unknown type 1000", "last op");
    /* Arity. */
    patch1(OP(7, OP_NIN), 1, FBNN_ERR_OP, "op 7 (add): 1 inputs", "add with 1 input");
    patch1(OP(2, OP_NIN), 2, FBNN_ERR_OP, "op 2 (affine): 2 inputs", "affine with 2 inputs");
    patch1(OP(2, OP_NIN), 0, FBNN_ERR_OP, "op 2 (affine)", "affine with 0 inputs");
    patch1(OP(2, OP_NIN), 0xFFFFFFFFu, FBNN_ERR_OP, "op 2 (affine)", "n_in 2^32-1");
    patch1(OP(2, OP_NPARAM), 1, FBNN_ERR_OP, "op 2 (affine): 1 inputs, 1 params", "affine 1 param");
    patch1(OP(2, OP_NPARAM), 7, FBNN_ERR_OP, "op 2 (affine)", "7 params");
    patch1(OP(1, OP_NATTR), 2, FBNN_ERR_OP, "op 1 (bconv)", "bconv 2 attrs");
    patch1(OP(1, OP_NATTR), 9, FBNN_ERR_OP, "op 1 (bconv)", "9 attrs");
    patch1(OP(0, OP_NATTR), 3, FBNN_ERR_OP, "op 0 (thermometer)", "thermometer 3 attrs");
    /* Indices. */
    patch1(OP(7, OP_IN(1)), 116, FBNN_ERR_OP, "op 7: input value 116 out of range", "in = n_values");
    patch1(OP(7, OP_IN(0)), 0xFFFFFFFFu, FBNN_ERR_OP, "op 7: input value 4294967295 out of range",
           "in = 2^32-1");
    patch1(OP(2, OP_PARAM(0)), 167, FBNN_ERR_OP, "op 2: parameter slot 0 holds invalid tensor 167",
           "param = n_tensors");
    patch1(OP(2, OP_PARAM(1)), 0x7FFFFFFFu, FBNN_ERR_OP, "op 2: parameter slot 1", "param huge");
    patch1(OP(7, OP_OUT), 116, FBNN_ERR_OP, "op 7: output value 116 out of range", "out = n_values");
    patch1(OP(7, OP_OUT), 0xFFFFFFFFu, FBNN_ERR_OP, "op 7: output value", "out huge");
    /* Unused slots must be 0. */
    patch1(OP(2, OP_IN(1)), 1, FBNN_ERR_OP, "op 2: unused input slot 1 not 0", "unused in");
    patch1(OP(7, OP_IN(3)), 1, FBNN_ERR_OP, "op 7: unused input slot 3", "unused in, add");
    patch1(OP(2, OP_PARAM(2)), 1, FBNN_ERR_OP, "op 2: parameter slot 2 holds invalid tensor 1",
           "unused param");
    patch1(OP(2, OP_PARAM(5)), 3, FBNN_ERR_OP, "op 2: parameter slot 5", "unused param 5");
    patch1(OP(1, OP_ATTR(3)), 1, FBNN_ERR_OP, "op 1: unused attribute 3 not 0", "unused attr");
    patch1(OP(2, OP_ATTR(0)), 3, FBNN_ERR_OP, "op 2: unused attribute 0", "affine attr");
    patch1(OP(2, OP_ATTR(7)), 0xFFFFFFFFu, FBNN_ERR_OP, "op 2: unused attribute 7", "attr 7 = -1");
    patch1(OP(2, OP_RESERVED), 1, FBNN_ERR_OP, "op 2: reserved", "reserved");
    /* Attributes: bconv (op 1) and pgconv (op 4) kernel 3, stride 1, pad 1. */
    patch1(OP(1, OP_ATTR(0)), 0, FBNN_ERR_OP, "op 1 (bconv): kernel size 0", "K 0");
    patch1(OP(1, OP_ATTR(0)), 16, FBNN_ERR_OP, "op 1 (bconv): kernel size 16", "K 16");
    patch1(OP(4, OP_ATTR(0)), -3, FBNN_ERR_OP, "op 4 (pgconv): kernel size -3", "K -3");
    patch1(OP(1, OP_ATTR(1)), 0, FBNN_ERR_OP, "op 1 (bconv): stride 0", "S 0");
    patch1(OP(1, OP_ATTR(1)), 9, FBNN_ERR_OP, "op 1 (bconv): stride 9", "S 9");
    patch1(OP(4, OP_ATTR(1)), -1, FBNN_ERR_OP, "op 4 (pgconv): stride -1", "S -1");
    patch1(OP(1, OP_ATTR(2)), 3, FBNN_ERR_OP, "op 1 (bconv): padding 3", "P = K");
    patch1(OP(1, OP_ATTR(2)), -1, FBNN_ERR_OP, "op 1 (bconv): padding -1", "P -1");
    patch1(OP(4, OP_ATTR(2)), 0x7FFFFFFF, FBNN_ERR_OP, "op 4 (pgconv): padding", "P huge");
    /* Thermometer (op 0): R 8, B 32. */
    patch1(OP(0, OP_ATTR(0)), 0, FBNN_ERR_OP, "op 0 (thermometer): resolution 0", "R 0");
    patch1(OP(0, OP_ATTR(0)), 256, FBNN_ERR_OP, "op 0 (thermometer): resolution 256", "R 256");
    patch1(OP(0, OP_ATTR(1)), 0, FBNN_ERR_OP, "op 0 (thermometer): bits 0", "B 0");
    patch1(OP(0, OP_ATTR(1)), 1025, FBNN_ERR_OP, "op 0 (thermometer): bits 1025", "B 1025");
    /* quant_uniform ranges the kernel cannot use (small models written by
     * tests/fuzz/make_seeds.py): hi - lo overflows to +inf; the 16-bit step
     * of [0, 1.4e-45] underflows to 0. Both loaded and then failed in
     * fbnn_run() before the loader checked them. */
    {
        static const char *const files[] = {"tests/fuzz/regress/model/quant_uniform_span_inf.fbnn",
                                            "tests/fuzz/regress/model/quant_uniform_step_zero.fbnn"};
        size_t i;
        for (i = 0; i < 2; i++) {
            fbnn_model *m = (fbnn_model *)(uintptr_t)0x1;
            fbnn_error err;
            assert_int_equal(fbnn_model_load_file(files[i], &m, &err), FBNN_ERR_OP);
            assert_null(m);
            assert_true(contains(err.message, "op 2 (quant_uniform): range"));
            g_cases++;
        }
    }
    report("OP");
}

/* ------------------------------------------------------- shapes, kinds */
static void test_shape(void **state)
{
    uint32_t v_out1 = rd32(g_base + OP(1, OP_OUT));
    (void)state;
    begin();
    /* Weight does not match the channels: op 1 (96 -> 16) given tensor 3
     * (16x3x3x16), op 4 (16 -> 16) given tensor 0 (16x3x3x96). */
    patch1(OP(1, OP_PARAM(0)), 3, FBNN_ERR_SHAPE, "op 1 (bconv): weight [16,3,3,16] does not fit 96->16",
           "bconv weight C_in");
    patch1(OP(4, OP_PARAM(0)), 0, FBNN_ERR_SHAPE, "op 4 (pgconv): weight [16,3,3,96]", "pgconv weight C_in");
    patch1(OP(1, OP_PARAM(0)), 1, FBNN_ERR_SHAPE, "op 1 (bconv): weight", "bconv weight is f32");
    /* tensor 57 is 32x3x3x16: wrong C_out for op 4. */
    patch1(OP(4, OP_PARAM(0)), 57, FBNN_ERR_SHAPE, "op 4 (pgconv): weight [32,3,3,16]", "pgconv C_out");
    patch1(OP(4, OP_PARAM(1)), 3, FBNN_ERR_SHAPE, "op 4 (pgconv): threshold", "threshold is bits");
    patch1(OP(2, OP_PARAM(0)), 0, FBNN_ERR_SHAPE, "op 2 (affine): parameter 0 must be 16 floats",
           "affine param is bits");
    patch1(OP(2, OP_PARAM(1)), g_n_t - 1, FBNN_ERR_SHAPE, "op 2 (affine): parameter 1 must be 16 floats",
           "affine param has 10 floats");
    /* Kernel size 5 with the 3x3 weight. */
    patch1(OP(1, OP_ATTR(0)), 5, FBNN_ERR_SHAPE, "op 1 (bconv): weight", "K 5 with 3x3 weights");
    /* Wrong output size: the value op 1 produces is 16x32x32. */
    patch1(VALUE(v_out1, 8), 31, FBNN_ERR_SHAPE, "op 1 (bconv): output 31x32, expected 32x32", "H 31");
    patch1(VALUE(v_out1, 12), 16, FBNN_ERR_SHAPE, "op 1 (bconv): output 32x16", "W 16");
    patch1(OP(1, OP_ATTR(1)), 2, FBNN_ERR_SHAPE, "op 1 (bconv): output 32x32, expected 16x16", "stride 2");
    patch1(VALUE(v_out1, 4), 32, FBNN_ERR_SHAPE, "op 1 (bconv): weight", "C_out 32");
    /* Kinds. */
    patch1(VALUE(v_out1, 0), 3, FBNN_ERR_SHAPE, "op 1 (bconv): input must be packed bits and output real",
           "bconv output bits");
    patch1(VALUE(rd32(g_base + OP(3, OP_OUT)), 0), 3, FBNN_ERR_SHAPE, "op 3 (quant2)", "quant2 out bits");
    patch1(VALUE(rd32(g_base + OP(0, OP_OUT)), 4), 95, FBNN_ERR_SHAPE, "op 0 (thermometer): output 95x32x32",
           "thermometer C");
    patch1(OP(0, OP_ATTR(1)), 31, FBNN_ERR_SHAPE, "op 0 (thermometer): output 96x32x32, expected 93x32x32",
           "thermometer B 31");
    /* add: second operand a different value of another shape (value 0, u8). */
    patch1(OP(7, OP_IN(1)), 0, FBNN_ERR_SHAPE, "op 7 (add): operands differ", "add of u8");
    /* fc (op 114): weight given the bias tensor. */
    patch1(OP(114, OP_PARAM(0)), g_n_t - 1, FBNN_ERR_SHAPE, "op 114 (fc): weight", "fc weight");
    patch1(OP(114, OP_PARAM(1)), g_n_t - 2, FBNN_ERR_SHAPE, "op 114 (fc): bias", "fc bias");
    report("SHAPE");
}

/* ---------------------------------------------------------------- graph */
static void test_graph(void **state)
{
    uint32_t out1 = rd32(g_base + OP(1, OP_OUT)), out5 = rd32(g_base + OP(5, OP_OUT));
    char needle[80];
    (void)state;
    begin();
    /* Use before definition: op 2 reads the value op 5 produces. */
    snprintf(needle, sizeof needle, "op 2: reads value %u before it is produced", out5);
    patch1(OP(2, OP_IN(0)), out5, FBNN_ERR_GRAPH, needle, "use before def");
    /* An op reading its own output. */
    snprintf(needle, sizeof needle, "op 2: reads value %u", rd32(g_base + OP(2, OP_OUT)));
    patch1(OP(2, OP_IN(0)), rd32(g_base + OP(2, OP_OUT)), FBNN_ERR_GRAPH, needle, "reads own output");
    /* Produced twice: op 2 writes op 1's output. */
    snprintf(needle, sizeof needle, "op 2: value %u is produced twice", out1);
    patch1(OP(2, OP_OUT), out1, FBNN_ERR_GRAPH, needle, "produced twice");
    /* Writing the input. */
    patch1(OP(2, OP_OUT), 0, FBNN_ERR_GRAPH, "op 2: value 0 is produced twice (or is the input)",
           "writes the input");
    /* Never produced: drop the last op (the FC that makes the logits). */
    patch1(40, g_n_o - 1, FBNN_ERR_GRAPH, "value 115 is never produced", "last op dropped");
    report("GRAPH");
}

/* ----------------------------------------------------------------- meta */
static void test_meta(void **state)
{
    uint32_t lab_off = rd32(g_base + META(12)), lab_size = rd32(g_base + META(16));
    uint32_t name_off = rd32(g_base + META(20)), name_size = rd32(g_base + META(24));
    uint8_t *b;
    (void)state;
    begin();
    assert_int_equal(lab_size, 60);
    assert_int_equal(g_base[lab_off + lab_size - 1], 0);
    /* Labels: last NUL replaced, first label empty, a middle one empty. */
    b = copy_base(0);
    b[lab_off + lab_size - 1] = 'x';
    expect_patched(b, g_size, FBNN_ERR_META, "meta: label 9 is not NUL-terminated", "last NUL");
    b = copy_base(0);
    b[lab_off] = 0;
    expect_patched(b, g_size, FBNN_ERR_META, "meta: label 0 is empty", "empty label 0");
    b = copy_base(0);
    {
        /* "airplane\0automobile\0bird\0...": "bird" -> "\0ird", so label 2
         * is empty (and 11 strings follow). */
        uint32_t k;
        for (k = lab_off; k + 6 <= lab_off + lab_size; k++)
            if (memcmp(b + k, "\0bird\0", 6) == 0) break;
        assert_true(k + 6 <= lab_off + lab_size);
        b[k + 1] = 0;
    }
    expect_patched(b, g_size, FBNN_ERR_META, "meta: label 2 is empty", "empty label 2");
    patch1(META(16), lab_size - 1, FBNN_ERR_META, "meta: label 9 is not NUL-terminated", "labels_size - 1");
    patch1(META(16), lab_size + 1, FBNN_ERR_META, "meta: labels block has 1 bytes after 10 labels",
           "labels_size + 1");
    patch1(META(16), 0, FBNN_ERR_META, "meta: labels", "labels_size 0");
    patch1(META(12), 64, FBNN_ERR_META, "meta: labels [64, +60) outside the data region", "labels in header");
    patch1(META(12), 0xFFFFFFF0u, FBNN_ERR_META, "meta: labels", "labels at 4G");
    patch1(META(16), 0xFFFFFFFFu, FBNN_ERR_META, "meta: labels", "labels size 4G");
    /* Class count. */
    patch1(META(8), 9, FBNN_ERR_META, "meta: output value 115 is not real [9,1,1]", "9 classes");
    patch1(META(8), 11, FBNN_ERR_META, "meta: output value 115 is not real [11,1,1]", "11 classes");
    patch1(META(8), 0, FBNN_ERR_META, "meta: 0 classes", "0 classes");
    patch1(META(8), 65536, FBNN_ERR_META, "meta: 65536 classes", "65536 classes");
    patch1(META(8), 0xFFFFFFFFu, FBNN_ERR_META, "meta: 4294967295 classes", "2^32-1 classes");
    /* Output value. */
    patch1(META(4), 114, FBNN_ERR_META, "meta: output value 114 is not real [10,1,1]", "output [64,1,1]");
    patch1(META(4), 1, FBNN_ERR_META, "meta: output value 1 is not real", "output = bits map");
    patch1(META(4), 0, FBNN_ERR_META, "meta: output value 0 is not real", "output = input");
    patch1(META(4), 116, FBNN_ERR_META, "meta: output value 116 out of range", "output out of range");
    patch1(META(0), 1, FBNN_ERR_META, "meta: input value must be 0", "input 1");
    /* Colour, resize, invert, reserved. */
    patch1(META(28), 1, FBNN_ERR_META, "meta: colour 1 does not match the input's 3 channels", "colour 1");
    patch1(META(28), 0, FBNN_ERR_META, "meta: colour 0", "colour 0");
    patch1(META(32), 3, FBNN_ERR_META, "meta: resize mode 3", "resize 3");
    patch1(META(36), 2, FBNN_ERR_META, "invert 2", "invert 2");
    patch1(META(40), 1, FBNN_ERR_META, "meta: reserved field at 40", "reserved 40");
    patch1(META(60), 1, FBNN_ERR_META, "meta: reserved field at 60", "reserved 60");
    /* Name. */
    b = copy_base(0);
    b[name_off + name_size - 1] = '!';
    expect_patched(b, g_size, FBNN_ERR_META, "meta: name is not one NUL-terminated string", "name NUL");
    b = copy_base(0);
    b[name_off + 3] = 0;
    expect_patched(b, g_size, FBNN_ERR_META, "meta: name is not one", "name with inner NUL");
    patch1(META(24), 0, FBNN_ERR_META, "meta: name", "name_size 0");
    patch1(META(20), 0, FBNN_ERR_META, "meta: name [0, +53) outside the data region", "name at 0");
    patch1(META(24), name_size + 4, FBNN_ERR_META, "meta: name", "name past the data region");
    report("META");
}

/* ------------------------------------------------------ API arguments */
static void test_alignment_args_io(void **state)
{
    uint8_t *raw = (uint8_t *)malloc(g_size + 8);
    fbnn_model *m = (fbnn_model *)(uintptr_t)0x1;
    fbnn_error err;
    size_t off;
    (void)state;
    assert_non_null(raw);
    begin();
    /* raw is at least 8-aligned: +1, +2, +3, +5 are not 4-aligned. */
    for (off = 1; off < 8; off++) {
        if (off == 4) continue;
        memcpy(raw + off, g_base, g_size);
        expect_status(raw + off, g_size, FBNN_ERR_ALIGNMENT, "not 4-byte aligned", "misaligned");
    }
    /* 4-aligned but not 8- or 64-aligned is accepted (format: 4 bytes). */
    memcpy(raw + 4, g_base, g_size);
    assert_int_equal(fbnn_model_load_memory(raw + 4, g_size, &m, &err), FBNN_OK);
    fbnn_model_free(m);
    free(raw);
    report("ALIGNMENT");

    begin();
    m = (fbnn_model *)(uintptr_t)0x1;
    assert_int_equal(fbnn_model_load_memory(g_base, g_size, NULL, &err), FBNN_ERR_ARG);
    assert_int_equal(err.status, FBNN_ERR_ARG);
    assert_true(err.message[0] != 0);
    assert_int_equal(fbnn_model_load_memory(NULL, g_size, &m, &err), FBNN_ERR_ARG);
    assert_null(m);
    assert_int_equal(err.status, FBNN_ERR_ARG);
    assert_true(contains(err.message, "NULL"));
    assert_int_equal(fbnn_model_load_memory(NULL, 1, &m, NULL), FBNN_ERR_ARG);
    m = (fbnn_model *)(uintptr_t)0x1;
    assert_int_equal(fbnn_model_load_file(NULL, &m, &err), FBNN_ERR_ARG);
    assert_null(m);
    assert_true(contains(err.message, "NULL"));
    assert_int_equal(fbnn_model_load_file(MODEL, NULL, &err), FBNN_ERR_ARG);
    assert_true(err.message[0] != 0);
    assert_int_equal(fbnn_model_load_file(NULL, NULL, NULL), FBNN_ERR_ARG);
    /* Other API entry points with NULL. */
    fbnn_model_free(NULL);
    fbnn_context_free(NULL);
    assert_int_equal(fbnn_context_create(NULL, NULL), FBNN_ERR_ARG);
    assert_int_equal(fbnn_context_size_for(NULL), 0);
    assert_null(fbnn_model_label(NULL, 0));
    assert_int_equal(fbnn_model_get_info(NULL, NULL), FBNN_ERR_ARG);
    assert_int_equal(fbnn_run(NULL, NULL, 0), FBNN_ERR_ARG);
    g_cases += 10;
    report("ARG");

    begin();
    m = (fbnn_model *)(uintptr_t)0x1;
    assert_int_equal(fbnn_model_load_file("models/does-not-exist.fbnn", &m, &err), FBNN_ERR_IO);
    assert_null(m);
    assert_int_equal(err.status, FBNN_ERR_IO);
    /* "PATH: cannot open: <strerror(errno)>" */
    assert_true(contains(err.message, "models/does-not-exist.fbnn: cannot open: "));
    assert_true(contains(err.message, strerror(ENOENT)));
    assert_int_equal(fbnn_model_load_file("no/such/dir/model.fbnn", &m, NULL), FBNN_ERR_IO);
    assert_null(m);
    /* A directory opens on Linux (with a bogus huge size) but is unreadable. */
    m = (fbnn_model *)(uintptr_t)0x1;
    assert_int_equal(fbnn_model_load_file("models", &m, &err), FBNN_ERR_IO);
    assert_null(m);
    assert_true(contains(err.message, "models: cannot read: "));
    assert_true(contains(err.message, strerror(EISDIR)));
    g_cases += 3;
    report("IO");
}

/* Defects through fbnn_model_load_file too (same validator, owned buffer). */
static void test_load_file_rejects(void **state)
{
    static const struct {
        size_t cut;
        fbnn_status want;
    } cases[] = {{0, FBNN_ERR_TRUNCATED}, {3, FBNN_ERR_TRUNCATED}, {63, FBNN_ERR_TRUNCATED},
                 {64, FBNN_ERR_TRUNCATED}, {MODEL_SIZE / 2, FBNN_ERR_TRUNCATED},
                 {MODEL_SIZE - 1, FBNN_ERR_TRUNCATED}};
    size_t i;
    FILE *f;
    fbnn_model *m;
    fbnn_error err;
    const char *tmpl = FBNN_TEST_TMPDIR "/loader_reject.tmp";
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        f = fopen(tmpl, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(g_base, 1, cases[i].cut, f), cases[i].cut);
        fclose(f);
        m = (fbnn_model *)(uintptr_t)0x1;
        assert_int_equal(fbnn_model_load_file(tmpl, &m, &err), cases[i].want);
        assert_null(m);
        assert_int_equal(err.status, cases[i].want);
        assert_true(err.message[0] != 0);
    }
    /* Flipped bit and trailing byte. */
    {
        uint8_t *b = copy_base(1);
        b[40000] ^= 0x10;
        f = fopen(tmpl, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(b, 1, g_size, f), g_size);
        fclose(f);
        assert_int_equal(fbnn_model_load_file(tmpl, &m, &err), FBNN_ERR_CHECKSUM);
        assert_null(m);
        b[40000] ^= 0x10;
        b[g_size] = 0;
        f = fopen(tmpl, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(b, 1, g_size + 1, f), g_size + 1);
        fclose(f);
        assert_int_equal(fbnn_model_load_file(tmpl, &m, &err), FBNN_ERR_HEADER);
        assert_null(m);
        free(b);
    }
    remove(tmpl);
}

/* ------------------------------------------------ valid in-place load */
/* A static, 8-byte aligned buffer standing in for a model in ROM. */
static union {
    uint64_t align;
    uint8_t bytes[MODEL_SIZE];
} g_rom;

static void test_valid_in_place(void **state)
{
    fbnn_model *mf = NULL, *mm = NULL, *mm2 = NULL;
    fbnn_context *cf = NULL, *cm = NULL, *cm2 = NULL;
    fbnn_model_info inf, inm;
    fbnn_error err;
    uint8_t img[3 * 32 * 32];
    uint32_t nf, nm, i, k;
    const float *lf, *lm;
    (void)state;
    memcpy(g_rom.bytes, g_base, g_size);
    assert_int_equal(fbnn_model_load_file(MODEL, &mf, &err), FBNN_OK);
    assert_int_equal(fbnn_model_load_memory(g_rom.bytes, sizeof g_rom.bytes, &mm, &err), FBNN_OK);
    assert_int_equal(err.status, FBNN_OK);
    assert_int_equal(err.message[0], 0);
    /* Two models over the same bytes are independent. */
    assert_int_equal(fbnn_model_load_memory(g_rom.bytes, sizeof g_rom.bytes, &mm2, NULL), FBNN_OK);
    /* The loader does not write to the buffer. */
    assert_memory_equal(g_rom.bytes, g_base, g_size);

    assert_int_equal(fbnn_model_get_info(mf, &inf), FBNN_OK);
    assert_int_equal(fbnn_model_get_info(mm, &inm), FBNN_OK);
    assert_int_equal(inm.file_bytes, MODEL_SIZE);
    assert_int_equal(inm.weight_bytes, inf.weight_bytes);
    assert_int_equal(inm.context_bytes, inf.context_bytes);
    assert_int_equal(inm.num_classes, 10);
    assert_int_equal(inm.num_ops, 115);
    assert_string_equal(inm.name, inf.name);
    /* The name and labels point into the caller's buffer (no copy). */
    assert_true((const uint8_t *)inm.name >= g_rom.bytes && (const uint8_t *)inm.name < g_rom.bytes + g_size);
    assert_true((const uint8_t *)fbnn_model_label(mm, 3) >= g_rom.bytes &&
                (const uint8_t *)fbnn_model_label(mm, 3) < g_rom.bytes + g_size);
    assert_string_equal(fbnn_model_label(mm, 3), "cat");

    assert_int_equal(fbnn_context_create(mf, &cf), FBNN_OK);
    assert_int_equal(fbnn_context_create(mm, &cm), FBNN_OK);
    assert_int_equal(fbnn_context_create(mm2, &cm2), FBNN_OK);
    for (k = 0; k < 3; k++) {
        uint32_t seed = 0x9E3779B9u * (k + 1);
        for (i = 0; i < sizeof img; i++) img[i] = k == 0 ? 0 : (uint8_t)(xs32(&seed) >> 24);
        assert_int_equal(fbnn_run(cf, img, sizeof img), FBNN_OK);
        assert_int_equal(fbnn_run(cm, img, sizeof img), FBNN_OK);
        assert_int_equal(fbnn_run(cm2, img, sizeof img), FBNN_OK);
        lf = fbnn_logits(cf, &nf);
        lm = fbnn_logits(cm, &nm);
        assert_non_null(lf);
        assert_non_null(lm);
        assert_int_equal(nf, 10);
        assert_int_equal(nm, 10);
        assert_memory_equal(lf, lm, 10 * sizeof(float));
        assert_memory_equal(lf, fbnn_logits(cm2, NULL), 10 * sizeof(float));
    }
    /* Wrong input size is an input error, not a crash. */
    assert_int_equal(fbnn_run(cm, img, sizeof img - 1), FBNN_ERR_INPUT);
    assert_memory_equal(g_rom.bytes, g_base, g_size);
    fbnn_context_free(cf);
    fbnn_context_free(cm);
    fbnn_context_free(cm2);
    fbnn_model_free(mf);
    fbnn_model_free(mm);
    fbnn_model_free(mm2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_value),
        cmocka_unit_test(test_op),
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_graph),
        cmocka_unit_test(test_meta),
        cmocka_unit_test(test_alignment_args_io),
        cmocka_unit_test(test_load_file_rejects),
        cmocka_unit_test(test_valid_in_place),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
