#ifndef SLUICE_CRC32C_HARDWARE_H
#define SLUICE_CRC32C_HARDWARE_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU has a CRC-32C instruction (SSE4.2 on x86-64, the CRC extension on
/// AArch64), else 0. Checked once per call; callers cache it.
int sluice_crc32c_hardware_available(void);

/// Continues a reflected CRC-32C register `crc` (already inverted by the caller) over
/// `length` bytes with the CPU's CRC-32C instruction. Call only when
/// `sluice_crc32c_hardware_available()` returned 1.
/// On x86-64 CPUs with AVX-512 and VPCLMULQDQ, buffers of 1 KiB and more are folded
/// with carry-less multiplication (about twice as fast); otherwise as
/// `sluice_crc32c_hardware_update_streams`.
uint32_t sluice_crc32c_hardware_update(uint32_t crc, const void *bytes, size_t length);

/// The same CRC with the CRC-32C instruction only, never folding (tests compare the two).
uint32_t sluice_crc32c_hardware_update_streams(uint32_t crc, const void *bytes, size_t length);

/// 1 when `sluice_crc32c_hardware_update` folds large buffers on this CPU, else 0.
int sluice_crc32c_folding_available(void);

#endif
