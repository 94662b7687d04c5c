/*
 * wire.h - big-endian stores for tests and fuzz targets that build network
 * frames by hand (test_tcp.c, fuzz_tcp.c).
 */
#ifndef TEMPO_TEST_WIRE_H
#define TEMPO_TEST_WIRE_H

#include <stdint.h>

static inline void be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void be32(uint8_t *p, uint32_t v)
{
    be16(p, v >> 16);
    be16(p + 2, v & 0xffff);
}

#endif
