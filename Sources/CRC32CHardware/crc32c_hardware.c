// CRC-32C with the CPU's own instruction. Swift cannot reach these intrinsics, so the
// kernel's CRC32C calls this shim when the CPU has them and its table code otherwise.
// One stream of 8-byte steps: about 8 GB/s at 3 GHz, an order of magnitude over the tables.
#include "crc32c_hardware.h"
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>

int sluice_crc32c_hardware_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & bit_SSE4_2) != 0;
}

__attribute__((target("sse4.2")))
static uint64_t crc_words(uint64_t crc, const unsigned char *p, size_t words) {
    for (size_t i = 0; i < words; i++) {
        uint64_t word;
        memcpy(&word, p + 8 * i, 8);
        crc = _mm_crc32_u64(crc, word);
    }
    return crc;
}

__attribute__((target("sse4.2")))
uint32_t sluice_crc32c_hardware_update(uint32_t crc, const void *bytes, size_t length) {
    const unsigned char *p = bytes;
    uint64_t c = crc;
    while (length > 0 && ((uintptr_t)p & 7) != 0) {
        c = _mm_crc32_u8((uint32_t)c, *p++);
        length--;
    }
    c = crc_words(c, p, length / 8);
    p += length & ~(size_t)7;
    length &= 7;
    while (length-- > 0) c = _mm_crc32_u8((uint32_t)c, *p++);
    return (uint32_t)c;
}

#elif defined(__aarch64__) && defined(__linux__)
#include <arm_acle.h>
#include <sys/auxv.h>
#ifndef HWCAP_CRC32
#define HWCAP_CRC32 (1 << 7)
#endif

int sluice_crc32c_hardware_available(void) {
    return (getauxval(AT_HWCAP) & HWCAP_CRC32) != 0;
}

__attribute__((target("+crc")))
uint32_t sluice_crc32c_hardware_update(uint32_t crc, const void *bytes, size_t length) {
    const unsigned char *p = bytes;
    while (length >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        crc = __crc32cd(crc, word);
        p += 8;
        length -= 8;
    }
    while (length-- > 0) crc = __crc32cb(crc, *p++);
    return crc;
}

#else
int sluice_crc32c_hardware_available(void) { return 0; }
uint32_t sluice_crc32c_hardware_update(uint32_t crc, const void *bytes, size_t length) {
    (void)bytes; (void)length;
    return crc;
}
#endif
