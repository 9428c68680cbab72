/**
 * @file naive_ref.c
 * @brief Deliberately naive references for the kernel tests (see naive_ref.h).
 */
#include "naive_ref.h"

#include <math.h>
#include <string.h>

/* ---- PRNG ----------------------------------------------------------------- */
void nr_seed(nr_rng *r, uint64_t seed) { r->s = seed ? seed : 0x9E3779B97F4A7C15ull; }

uint32_t nr_u32(nr_rng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return (uint32_t)((x * 0x2545F4914F6CDD1Dull) >> 32);
}

int nr_range(nr_rng *r, int lo, int hi)
{
    uint32_t span = (uint32_t)(hi - lo) + 1u;
    return lo + (int)(nr_u32(r) % span);
}

float nr_uniform(nr_rng *r, float lo, float hi)
{
    float u = (float)(nr_u32(r) >> 8) / 16777216.0f;
    return lo + (hi - lo) * u;
}

float nr_float(nr_rng *r)
{
    const float t = 2.0f / 3.0f;
    switch (nr_u32(r) % 8u) {
    case 0: return (float)nr_range(r, -12, 12) / 3.0f;
    case 1: return (float)nr_range(r, -32, 32) / 8.0f;
    case 2: {
        float c = (nr_u32(r) & 1u) ? t : -t;
        switch (nr_u32(r) % 3u) {
        case 0: return c;
        case 1: return nextafterf(c, 10.0f);
        default: return nextafterf(c, -10.0f);
        }
    }
    case 3: return (nr_u32(r) & 1u) ? 0.0f : -0.0f;
    case 4: return nr_uniform(r, -100.0f, 100.0f);
    default: return nr_uniform(r, -2.0f, 2.0f);
    }
}

void nr_pm1(nr_rng *r, int8_t *v, size_t n)
{
    size_t i;
    for (i = 0; i < n; ++i) v[i] = (nr_u32(r) & 1u) ? 1 : -1;
}

/* ---- packing ---------------------------------------------------------------- */
static size_t words_of(int c) { return (size_t)((c + 31) / 32); }

size_t nr_map_words(int c, int h, int w) { return (size_t)h * (size_t)w * words_of(c); }

size_t nr_weight_words(int co, int ci, int k)
{
    return (size_t)co * (size_t)k * (size_t)k * words_of(ci);
}

void nr_pack_map(const int8_t *x, int c, int h, int w, uint32_t *out)
{
    int ch, y, xx;
    size_t nw = words_of(c);
    memset(out, 0, nr_map_words(c, h, w) * sizeof(uint32_t));
    for (ch = 0; ch < c; ++ch)
        for (y = 0; y < h; ++y)
            for (xx = 0; xx < w; ++xx)
                if (x[((size_t)ch * (size_t)h + (size_t)y) * (size_t)w + (size_t)xx] > 0) {
                    size_t pix = (size_t)y * (size_t)w + (size_t)xx;
                    out[pix * nw + (size_t)(ch / 32)] |= 1u << (ch % 32);
                }
}

void nr_unpack_map(const uint32_t *bits, int c, int h, int w, int8_t *out)
{
    int ch, y, xx;
    size_t nw = words_of(c);
    for (ch = 0; ch < c; ++ch)
        for (y = 0; y < h; ++y)
            for (xx = 0; xx < w; ++xx) {
                size_t pix = (size_t)y * (size_t)w + (size_t)xx;
                uint32_t word = bits[pix * nw + (size_t)(ch / 32)];
                out[((size_t)ch * (size_t)h + (size_t)y) * (size_t)w + (size_t)xx] =
                    ((word >> (ch % 32)) & 1u) ? 1 : -1;
            }
}

void nr_pack_weights(const int8_t *w, int co, int ci, int k, uint32_t *out)
{
    int o, c, ky, kx;
    size_t nw = words_of(ci);
    memset(out, 0, nr_weight_words(co, ci, k) * sizeof(uint32_t));
    for (o = 0; o < co; ++o)
        for (c = 0; c < ci; ++c)
            for (ky = 0; ky < k; ++ky)
                for (kx = 0; kx < k; ++kx)
                    if (w[(((size_t)o * (size_t)ci + (size_t)c) * (size_t)k + (size_t)ky) *
                              (size_t)k + (size_t)kx] > 0) {
                        size_t tap = ((size_t)o * (size_t)k + (size_t)ky) * (size_t)k + (size_t)kx;
                        out[tap * nw + (size_t)(c / 32)] |= 1u << (c % 32);
                    }
}

int nr_padding_clear(const uint32_t *bits, int c, size_t n_pixels)
{
    size_t nw = words_of(c), p;
    int b;
    for (p = 0; p < n_pixels; ++p)
        for (b = c; b < (int)(nw * 32); ++b)
            if ((bits[p * nw + (size_t)(b / 32)] >> (b % 32)) & 1u) return 0;
    return 1;
}

/* ---- integer / bit ops ------------------------------------------------------ */
int nr_out_dim(int in, int k, int s, int pad)
{
    if (in + 2 * pad < k) return 0;
    return (in + 2 * pad - k) / s + 1;
}

void nr_conv(const int8_t *x, const int8_t *w, int ci, int h, int wd, int co, int k, int s,
             int pad, int32_t *out)
{
    int ho = nr_out_dim(h, k, s, pad), wo = nr_out_dim(wd, k, s, pad);
    int o, oy, ox, c, ky, kx;
    for (o = 0; o < co; ++o)
        for (oy = 0; oy < ho; ++oy)
            for (ox = 0; ox < wo; ++ox) {
                int32_t acc = 0;
                for (c = 0; c < ci; ++c)
                    for (ky = 0; ky < k; ++ky)
                        for (kx = 0; kx < k; ++kx) {
                            int iy = oy * s - pad + ky, ix = ox * s - pad + kx;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue; /* adds 0 */
                            acc += x[((size_t)c * (size_t)h + (size_t)iy) * (size_t)wd +
                                     (size_t)ix] *
                                   w[(((size_t)o * (size_t)ci + (size_t)c) * (size_t)k +
                                      (size_t)ky) * (size_t)k + (size_t)kx];
                        }
                out[((size_t)o * (size_t)ho + (size_t)oy) * (size_t)wo + (size_t)ox] = acc;
            }
}

/* Nearest integer n to p / res, ties to even, by exhaustive search on the
 * exact distance |p - n*res| (scaled by 2 to stay integral). */
static int nearest_level(int p, int res)
{
    int best = 0, n;
    long best_d = -1;
    for (n = 0; n <= 255; ++n) {
        long d = 2L * p - 2L * n * res;
        if (d < 0) d = -d;
        if (best_d < 0 || d < best_d || (d == best_d && n % 2 == 0)) {
            best_d = d;
            best = n;
        }
    }
    return best;
}

void nr_thermometer(const uint8_t *img, int c, int h, int w, int res, int bits, int8_t *out)
{
    int ch, k;
    size_t plane = (size_t)h * (size_t)w, i;
    for (ch = 0; ch < c; ++ch)
        for (i = 0; i < plane; ++i) {
            int n = nearest_level(img[(size_t)ch * plane + i], res);
            for (k = 0; k < bits; ++k)
                out[((size_t)ch * (size_t)bits + (size_t)k) * plane + i] = (k < n) ? 1 : -1;
        }
}

void nr_quant2(float x, int8_t *m, int8_t *l)
{
    const float t = 2.0f / 3.0f;
    /* levels: x > 2/3 -> +1; 0 <= x <= 2/3 -> +1/3; -2/3 <= x < 0 -> -1/3; else -1 */
    if (x > t) {
        *m = 1; *l = 1;            /* 2/3 + 1/3 */
    } else if (x >= 0.0f && x <= t) {
        *m = 1; *l = -1;           /* 2/3 - 1/3 */
    } else if (x >= -t && x < 0.0f) {
        *m = -1; *l = 1;           /* -2/3 + 1/3 */
    } else {
        *m = -1; *l = -1;          /* -2/3 - 1/3 */
    }
}

void nr_maxpool_pm1(const int8_t *x, int c, int h, int w, int k, int s, int pad, int8_t *y)
{
    int ho = nr_out_dim(h, k, s, pad), wo = nr_out_dim(w, k, s, pad);
    int ch, oy, ox, ky, kx;
    for (ch = 0; ch < c; ++ch)
        for (oy = 0; oy < ho; ++oy)
            for (ox = 0; ox < wo; ++ox) {
                int8_t m = -1;
                for (ky = 0; ky < k; ++ky)
                    for (kx = 0; kx < k; ++kx) {
                        int iy = oy * s - pad + ky, ix = ox * s - pad + kx;
                        if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                        if (x[((size_t)ch * (size_t)h + (size_t)iy) * (size_t)w + (size_t)ix] > m)
                            m = 1;
                    }
                y[((size_t)ch * (size_t)ho + (size_t)oy) * (size_t)wo + (size_t)ox] = m;
            }
}

/* ---- real ops ----------------------------------------------------------------- */
void nr_affine(const float *x, const float *a, const float *b, int c, int hw, float *y)
{
    int ch, i;
    for (ch = 0; ch < c; ++ch)
        for (i = 0; i < hw; ++i) {
            float p = a[ch] * x[ch * hw + i];
            y[ch * hw + i] = p + b[ch];
        }
}

void nr_rprelu(const float *x, const float *bx, const float *sl, const float *by, int c, int hw,
               float *y)
{
    int ch, i;
    for (ch = 0; ch < c; ++ch)
        for (i = 0; i < hw; ++i) {
            float t = x[ch * hw + i] + bx[ch];
            if (t > 0.0f) {
                /* keep t */
            } else {
                t = sl[ch] * t;
            }
            y[ch * hw + i] = t + by[ch];
        }
}

void nr_avgpool(const float *x, int c, int h, int w, int k, int s, int dup, float *y)
{
    int ho = (h - k) / s + 1, wo = (w - k) / s + 1;
    int d, ch, oy, ox, ky, kx;
    for (d = 0; d < dup; ++d)
        for (ch = 0; ch < c; ++ch)
            for (oy = 0; oy < ho; ++oy)
                for (ox = 0; ox < wo; ++ox) {
                    float acc = 0.0f;
                    for (ky = 0; ky < k; ++ky)
                        for (kx = 0; kx < k; ++kx)
                            acc = acc + x[((size_t)ch * (size_t)h + (size_t)(oy * s + ky)) *
                                              (size_t)w + (size_t)(ox * s + kx)];
                    y[(((size_t)d * (size_t)c + (size_t)ch) * (size_t)ho + (size_t)oy) *
                          (size_t)wo + (size_t)ox] = acc / (float)(k * k);
                }
}

void nr_global_avgpool(const float *x, int c, int h, int w, float *y)
{
    int ch, i;
    for (ch = 0; ch < c; ++ch) {
        float acc = 0.0f;
        for (i = 0; i < h * w; ++i) acc = acc + x[ch * h * w + i];
        y[ch] = acc / (float)(h * w);
    }
}

/* numpy.maximum(a, b) for float32: a if (a >= b or a is NaN) else b. */
static float np_maximum(float a, float b) { return (a >= b || a != a) ? a : b; }

void nr_maxpool(const float *x, int c, int h, int w, int k, int s, int pad, float *y)
{
    int ho = nr_out_dim(h, k, s, pad), wo = nr_out_dim(w, k, s, pad);
    int ch, oy, ox, ky, kx;
    for (ch = 0; ch < c; ++ch)
        for (oy = 0; oy < ho; ++oy)
            for (ox = 0; ox < wo; ++ox) {
                float m = -INFINITY;
                for (ky = 0; ky < k; ++ky)
                    for (kx = 0; kx < k; ++kx) {
                        int iy = oy * s - pad + ky, ix = ox * s - pad + kx;
                        float v = -INFINITY; /* padded tap, as in the numpy reference */
                        if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                            v = x[((size_t)ch * (size_t)h + (size_t)iy) * (size_t)w + (size_t)ix];
                        m = np_maximum(m, v);
                    }
                y[((size_t)ch * (size_t)ho + (size_t)oy) * (size_t)wo + (size_t)ox] = m;
            }
}

void nr_fc(const float *x, int n_in, const float *w, const float *b, int n_out, float *y)
{
    int i, j;
    for (j = 0; j < n_out; ++j) {
        float acc = 0.0f;
        for (i = 0; i < n_in; ++i) {
            float p = x[i] * w[(size_t)j * (size_t)n_in + (size_t)i];
            acc = acc + p;
        }
        y[j] = acc + b[j];
    }
}

void nr_quant_uniform(const float *x, int n, int bits, float lo, float hi, float *y)
{
    float d = (hi - lo) / (float)((1 << bits) - 1);
    int i;
    for (i = 0; i < n; ++i) {
        float v = x[i];
        float q;
        if (v < lo) v = lo;
        if (v > hi) v = hi;
        q = rintf((v - lo) / d);
        y[i] = q * d + lo;
    }
}
