/*
 * CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320: zlib's crc32, the .fbnn
 * header's checksum) and a little-endian u32 store, for the tests and the
 * fuzz harness that patch model bytes and re-seal them (loader_reject_util.h,
 * fuzz/fuzz_model_load.c with FBNN_FUZZ_FIX_CRC). Test code only: the
 * library has its own in the loader.
 */
#ifndef FBNN_TEST_CRC32_H
#define FBNN_TEST_CRC32_H
#include <stddef.h>
#include <stdint.h>

static inline void wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* CRC-32, IEEE 802.3 reflected, poly 0xEDB88320 (same as zlib crc32). */
static inline uint32_t crc32_ieee(const uint8_t *p, size_t n)
{
    static uint32_t table[256];
    static int ready;
    uint32_t c = 0xFFFFFFFFu;
    size_t i;
    if (!ready) {
        uint32_t k, j, v;
        for (k = 0; k < 256; k++) {
            v = k;
            for (j = 0; j < 8; j++) v = (v & 1u) ? (v >> 1) ^ 0xEDB88320u : v >> 1;
            table[k] = v;
        }
        ready = 1;
    }
    for (i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xFFu] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

#endif /* FBNN_TEST_CRC32_H */
