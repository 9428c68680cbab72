/*
 * The fused elementwise chain kernel of every kernel set this CPU can run
 * (fbnn_kernel_table.chain; the scalar set has none) against the reference
 * kernels run one by one: random chains of 1..6 AFFINE / RPRELU / ADD steps
 * and the models' own step sequences (both operand orders), random store
 * flags, with and without the Q2 pack, over channel counts around the word
 * boundaries and pixel counts around the vector and chunk sizes, data and
 * parameters full of the epilogue's edge values (+-0, +-2/3 and neighbours,
 * +-inf, NaN). Also the in-place forms the runtime uses: a step stored over
 * the chain input, or over the ADD input it consumes. Stored values are
 * compared bit for bit (NaN payloads aside, see fbnn_test_same_reals), Q2
 * planes exactly.
 *
 * Plain C (no CMocka) so it also runs under qemu-aarch64. Exit 0 = exact,
 * 1 = a mismatch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu/dispatch.h"
#include "test_random.h"

static int failures = 0;

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    return p;
}

/* The step kinds of the chains the models have (kernels may run them in
 * loops of their own): a ResNet block's, and the stem's. */
static const uint32_t block_kinds[] = {FBNN_CHAIN_AFFINE, FBNN_CHAIN_RPRELU, FBNN_CHAIN_ADD, FBNN_CHAIN_AFFINE};
static const uint32_t stem_kinds[] = {FBNN_CHAIN_AFFINE};

/* in_place: 0 = none, 1 = step 0 stored over x, 2 = an ADD stored over its
 * other input. kinds: the steps' kinds (n_kinds of them), or NULL: random. */
static void check_chain(const fbnn_kernel_table *t, int32_t c, int32_t hw, int with_q2, int in_place,
                        const uint32_t *kinds, int32_t n_kinds)
{
    const size_t n = (size_t)c * (size_t)hw, nq = (size_t)hw * (size_t)FBNN_WORDS(c);
    int32_t n_steps = kinds ? n_kinds : 1 + (int32_t)(fbnn_test_rnd() % 6), k;
    fbnn_chain_step st[8];
    fbnn_real *x = xmalloc(n * sizeof *x), *x_keep = xmalloc(n * sizeof *x);
    fbnn_real *ref[8], *var[8], *par[8][3], *other[8], *other_keep[8];
    uint32_t *qm_r = xmalloc(nq * 4), *ql_r = xmalloc(nq * 4), *qm_v = xmalloc(nq * 4), *ql_v = xmalloc(nq * 4);
    size_t i;
    int any_store = 0, bad = 0;

    for (i = 0; i < n; i++) x_keep[i] = x[i] = fbnn_test_rnd_real();
    for (k = 0; k < n_steps; k++) {
        int j;
        ref[k] = xmalloc(n * sizeof(fbnn_real));
        var[k] = xmalloc(n * sizeof(fbnn_real));
        other[k] = xmalloc(n * sizeof(fbnn_real));
        other_keep[k] = xmalloc(n * sizeof(fbnn_real));
        for (j = 0; j < 3; j++) {
            par[k][j] = xmalloc((size_t)c * sizeof(fbnn_real));
            for (i = 0; i < (size_t)c; i++) par[k][j][i] = fbnn_test_rnd_real();
        }
        for (i = 0; i < n; i++) other_keep[k][i] = other[k][i] = fbnn_test_rnd_real();
        memset(var[k], 0xA5, n * sizeof(fbnn_real));
        memset(&st[k], 0, sizeof st[k]);
        st[k].kind = 1u + fbnn_test_rnd() % 3u;
        if (kinds) st[k].kind = kinds[k];
        st[k].other_first = fbnn_test_rnd() & 1u;
        if (st[k].kind == FBNN_CHAIN_ADD) {
            st[k].p0 = other[k];
            /* The absorbed shortcut forms (fuse.c): a map duplicated along
             * the channels (CONCAT of one map with itself) and/or the
             * uniform quantiser on the other operand. */
            if (fbnn_test_rnd() % 3u != 0u) {
                static const int32_t qb[] = {0, 4, 1, 8};
                static const fbnn_real qlo[] = {-1.0f, -1.0f, -0.5f, 0.0f}, qhi[] = {1.0f, 1.0f, 0.25f, 3.0f};
                const int32_t qi = (int32_t)(fbnn_test_rnd() % 4u);
                if (c % 2 == 0 && (fbnn_test_rnd() & 1u)) st[k].o_c = c / 2;
                st[k].q_bits = qb[qi];
                st[k].q_lo = qlo[qi];
                st[k].q_hi = qhi[qi];
                /* d as fbnn_k_quant_uniform computes it */
                if (qb[qi] > 0) st[k].q_d = (qhi[qi] + -qlo[qi]) / (fbnn_real)((1 << qb[qi]) - 1);
            }
        } else {
            st[k].p0 = par[k][0];
            st[k].p1 = par[k][1];
            st[k].p2 = par[k][2];
        }
        st[k].store = (fbnn_test_rnd() & 1u) ? var[k] : NULL;
    }
    if (!with_q2) st[n_steps - 1].store = var[n_steps - 1];
    if (in_place == 1) st[0].store = x; /* the chain input is overwritten by step 0 */
    if (in_place == 2) {
        for (k = 0; k < n_steps && st[k].kind != FBNN_CHAIN_ADD; k++) {}
        if (k < n_steps) {
            st[k].store = other[k]; /* the ADD's output over its own other input */
            st[k].o_c = 0;          /* (in place needs the same shape) */
        }
    }

    /* Reference: the kernels one by one, from the untouched inputs. */
    for (k = 0; k < n_steps; k++) {
        const fbnn_real *in = k == 0 ? x_keep : ref[k - 1];
        int rc;
        if (st[k].kind == FBNN_CHAIN_AFFINE)
            rc = fbnn_k_affine(in, par[k][0], par[k][1], c, hw, ref[k]);
        else if (st[k].kind == FBNN_CHAIN_RPRELU)
            rc = fbnn_k_rprelu(in, par[k][0], par[k][1], par[k][2], c, hw, ref[k]);
        else {
            /* The shortcut as the graph's ops compute it: quantiser, then the duplication. */
            const fbnn_real *o = other_keep[k];
            fbnn_real *eff = xmalloc(n * sizeof(fbnn_real));
            const size_t no = st[k].o_c > 0 ? (size_t)st[k].o_c * (size_t)hw : n;
            memcpy(eff, o, no * sizeof(fbnn_real));
            if (st[k].q_bits > 0 &&
                fbnn_k_quant_uniform(o, (int32_t)no, st[k].q_bits, st[k].q_lo, st[k].q_hi, eff) != FBNN_K_OK)
                exit(2);
            for (i = no; i < n; i++) eff[i] = eff[i % no];
            rc = st[k].other_first ? fbnn_k_add(eff, in, (int32_t)n, ref[k]) : fbnn_k_add(in, eff, (int32_t)n, ref[k]);
            free(eff);
        }
        if (rc != FBNN_K_OK) exit(2);
    }
    if (with_q2 && fbnn_k_quant2_pack(ref[n_steps - 1], c, 1, hw, qm_r, ql_r) != FBNN_K_OK) exit(2);

    memset(qm_v, 0xA5, nq * 4);
    memset(ql_v, 0xA5, nq * 4);
    if (t->chain(x, c, hw, st, n_steps, with_q2 ? qm_v : NULL, with_q2 ? ql_v : NULL) != FBNN_K_OK) bad = 1;
    for (k = 0; k < n_steps && !bad; k++)
        if (st[k].store != NULL) {
            any_store = 1;
            if (!fbnn_test_same_reals(ref[k], st[k].store, n)) bad = 1;
        }
    if (with_q2 && !bad && (memcmp(qm_r, qm_v, nq * 4) != 0 || memcmp(ql_r, ql_v, nq * 4) != 0)) bad = 1;
    if (!with_q2 && !any_store) bad = 1; /* cannot happen: the last step stores */
    if (bad) {
        failures++;
        fprintf(stderr, "MISMATCH %s chain: c=%d hw=%d steps=%d q2=%d in_place=%d\n", t->isa, c, hw, n_steps,
                with_q2, in_place);
    }
    for (k = 0; k < n_steps; k++) {
        free(ref[k]); free(var[k]); free(other[k]); free(other_keep[k]);
        free(par[k][0]); free(par[k][1]); free(par[k][2]);
    }
    free(x); free(x_keep); free(qm_r); free(ql_r); free(qm_v); free(ql_v);
}

/* Arguments a chain kernel must refuse. */
static void check_refusals(const fbnn_kernel_table *t)
{
    fbnn_real x[8] = {0}, a[1] = {1}, b[1] = {0};
    uint32_t q[8];
    fbnn_chain_step s;
    memset(&s, 0, sizeof s);
    s.kind = FBNN_CHAIN_AFFINE;
    s.p0 = a;
    s.p1 = b;
    if (t->chain(NULL, 1, 8, &s, 1, q, q) == FBNN_K_OK || t->chain(x, 0, 8, &s, 1, q, q) == FBNN_K_OK ||
        t->chain(x, 1, 0, &s, 1, q, q) == FBNN_K_OK || t->chain(x, 1, 8, &s, 0, q, q) == FBNN_K_OK ||
        t->chain(x, 1, 8, &s, FBNN_CHAIN_MAX_STEPS + 1, q, q) == FBNN_K_OK ||
        t->chain(x, 1, 8, &s, 1, q, NULL) == FBNN_K_OK || t->chain(x, 1, 8, &s, 1, NULL, NULL) == FBNN_K_OK) {
        failures++;
        fprintf(stderr, "MISMATCH %s chain accepted bad arguments\n", t->isa);
    }
    s.kind = 7u;
    if (t->chain(x, 1, 8, &s, 1, q, q) == FBNN_K_OK) {
        failures++;
        fprintf(stderr, "MISMATCH %s chain accepted an unknown step kind\n", t->isa);
    }
}

int main(void)
{
    static const int32_t cs[] = {1, 3, 16, 31, 32, 33, 64, 65, 128, 129, 200, 300, 1024};
    /* (1100: past the AVX2 kernel's chunk of up to 1024 pixels.) */
    static const int32_t hws[] = {1, 7, 8, 9, 64, 255, 256, 257, 300, 1024, 1100};
    size_t a, b;
    int i, tested = 0;
    /* Every ISA of the public enum (FBNN_ISA_AUTO aside). */
    for (i = FBNN_ISA_SCALAR; i < FBNN_ISA_COUNT; i++) {
        fbnn_kernel_table t;
        int n = 0;
        if (fbnn_kernel_table_select(&t, (fbnn_isa)i) != 0) continue;
        if (t.chain == NULL) {
            printf("%-18s no chain kernel (runs the ops one by one)\n", t.isa);
            continue;
        }
        fbnn_test_rng_seed(1234u);
        for (a = 0; a < sizeof cs / sizeof cs[0]; a++)
            for (b = 0; b < sizeof hws / sizeof hws[0]; b++) {
                check_chain(&t, cs[a], hws[b], 1, 0, NULL, 0);
                check_chain(&t, cs[a], hws[b], 0, 0, NULL, 0);
                check_chain(&t, cs[a], hws[b], (int)(b & 1u), 1 + (int)(a & 1u), NULL, 0);
                check_chain(&t, cs[a], hws[b], (int)(a & 1u), (int)(b % 3u), block_kinds, 4);
                check_chain(&t, cs[a], hws[b], (int)(b & 1u) ^ 1, (int)(a & 1u), stem_kinds, 1);
                n += 5;
            }
        check_refusals(&t);
        printf("%-18s %d chains checked\n", t.isa, n);
        tested++;
    }
    if (failures) {
        fprintf(stderr, "%d mismatches\n", failures);
        return 1;
    }
    printf(tested ? "all chain kernels bit-identical to the reference ops\n" : "no chain kernel on this CPU\n");
    return 0;
}
