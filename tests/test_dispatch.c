/*
 * Every kernel variant the dispatcher can choose must be bit-identical to the
 * reference kernel (kernels/). Random shapes incl. odd channel counts, 1x1
 * maps, stride 2 on odd sizes, and both gate extremes for PG conv.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cpu/dispatch.h"
#include "test_random.h"

static void random_params(fbnn_conv_params *p)
{
    static const int32_t chans[] = {1, 3, 16, 31, 32, 33, 64, 96, 100};
    p->in_c = chans[fbnn_test_rnd() % 9];
    p->out_c = 1 + (int32_t)(fbnn_test_rnd() % 20);
    p->k = (fbnn_test_rnd() & 1) ? 3 : 1;
    p->stride = 1 + (int32_t)(fbnn_test_rnd() % 2);
    p->pad = p->k == 3 ? (int32_t)(fbnn_test_rnd() % 2) : 0;
    p->in_h = 1 + (int32_t)(fbnn_test_rnd() % 9);
    p->in_w = 1 + (int32_t)(fbnn_test_rnd() % 9);
    if (p->in_h + 2 * p->pad < p->k) p->in_h = p->k;
    if (p->in_w + 2 * p->pad < p->k) p->in_w = p->k;
    p->out_h = fbnn_out_size(p->in_h, p->k, p->stride, p->pad);
    p->out_w = fbnn_out_size(p->in_w, p->k, p->stride, p->pad);
}

static void check_table(const fbnn_kernel_table *t)
{
    int iter;
    for (iter = 0; iter < 300; iter++) {
        fbnn_conv_params p;
        size_t in_px, n_w, n_out;
        uint32_t *m, *l, *w, g_ref = 0, g_var = 0;
        fbnn_real *thr, *y_ref, *y_var;
        int32_t o;
        random_params(&p);
        in_px = (size_t)p.in_h * p.in_w;
        n_w = (size_t)p.out_c * p.k * p.k * FBNN_WORDS(p.in_c);
        n_out = (size_t)p.out_c * p.out_h * p.out_w;
        m = malloc(in_px * FBNN_WORDS(p.in_c) * 4);
        l = malloc(in_px * FBNN_WORDS(p.in_c) * 4);
        w = malloc(n_w * 4);
        thr = malloc(p.out_c * sizeof(fbnn_real));
        y_ref = malloc(n_out * sizeof(fbnn_real));
        y_var = malloc(n_out * sizeof(fbnn_real));
        fbnn_test_fill_bits(m, in_px, p.in_c);
        fbnn_test_fill_bits(l, in_px, p.in_c);
        fbnn_test_fill_bits(w, (size_t)p.out_c * p.k * p.k, p.in_c);
        for (o = 0; o < p.out_c; o++) {
            uint32_t mode = fbnn_test_rnd() % 4; /* never / always / random gates */
            thr[o] = mode == 0 ? 1e30f : mode == 1 ? -1e30f : (fbnn_real)((int32_t)(fbnn_test_rnd() % 41) - 20) / 3.0f;
        }
        assert_int_equal(fbnn_k_bconv(m, w, &p, y_ref), FBNN_K_OK);
        assert_int_equal(t->bconv(m, w, &p, y_var), FBNN_K_OK);
        assert_memory_equal(y_ref, y_var, n_out * sizeof(fbnn_real));
        assert_int_equal(fbnn_k_pgconv(m, l, w, thr, &p, y_ref, &g_ref), FBNN_K_OK);
        assert_int_equal(t->pgconv(m, l, w, thr, &p, y_var, &g_var), FBNN_K_OK);
        assert_memory_equal(y_ref, y_var, n_out * sizeof(fbnn_real));
        assert_int_equal(g_ref, g_var);
        free(m); free(l); free(w); free(thr); free(y_ref); free(y_var);
    }
}

static void test_selected_variants_match_reference(void **state)
{
    fbnn_kernel_table t;
    (void)state;
    fbnn_kernel_table_init(&t, 0);
    print_message("dispatcher chose: %s\n", t.isa);
    check_table(&t);
}

static void test_forced_scalar_is_reference(void **state)
{
    fbnn_kernel_table t;
    (void)state;
    fbnn_kernel_table_init(&t, 1);
    assert_string_equal(t.isa, "scalar");
    assert_ptr_equal(t.bconv, fbnn_k_bconv);
    assert_ptr_equal(t.pgconv, fbnn_k_pgconv);
}

/* The ISA table: every name parses back to its ISA, each ISA either selects
 * (and then reports itself) or is refused, and the range ends at FBNN_ISA_COUNT. */
static void test_isa_table(void **state)
{
    fbnn_kernel_table t;
    fbnn_cpu_features f;
    int i;
    (void)state;
    fbnn_cpu_detect(&f);
    for (i = 0; i < FBNN_ISA_COUNT; i++) {
        const char *name = fbnn_isa_name((fbnn_isa)i);
        assert_non_null(name);
        assert_int_equal(fbnn_isa_parse(name), i);
        if (fbnn_kernel_table_select(&t, (fbnn_isa)i) == 0) {
            assert_true(fbnn_isa_available((fbnn_isa)i, &f));
            if (i != FBNN_ISA_AUTO) assert_int_equal((int)t.id, i);
        } else {
            assert_false(fbnn_isa_available((fbnn_isa)i, &f));
        }
    }
    assert_null(fbnn_isa_name((fbnn_isa)FBNN_ISA_COUNT));
    assert_int_equal(fbnn_isa_parse("no-such-isa"), -1);
    assert_int_equal(fbnn_isa_parse(""), FBNN_ISA_AUTO);
    assert_int_equal(fbnn_kernel_table_select(&t, FBNN_ISA_SCALAR), 0);
    assert_string_equal(t.isa, "scalar");
}

#ifdef FBNN_HAVE_POPCNT_VARIANTS
static void test_popcnt_variants_match_reference(void **state)
{
    fbnn_kernel_table t;
    fbnn_cpu_features f;
    (void)state;
    fbnn_cpu_detect(&f);
    if (!f.popcnt) skip();
    t.bconv = fbnn_k_bconv__popcnt;
    t.pgconv = fbnn_k_pgconv__popcnt;
    t.isa = "x86-popcnt";
    check_table(&t);
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forced_scalar_is_reference),
        cmocka_unit_test(test_selected_variants_match_reference),
        cmocka_unit_test(test_isa_table),
#ifdef FBNN_HAVE_POPCNT_VARIANTS
        cmocka_unit_test(test_popcnt_variants_match_reference),
#endif
    };
    fbnn_test_rng_seed(0x9E3779B9u); /* this program's historical sequence */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
