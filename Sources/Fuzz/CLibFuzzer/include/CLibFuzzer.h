#ifndef SLUICE_CLIBFUZZER_H
#define SLUICE_CLIBFUZZER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver, for executables with their own main (SwiftPM makes every
/// executable's entry point `main`, which hides libFuzzer's). Runs the fuzzer with the
/// command line arguments and calls `callback` for each input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
