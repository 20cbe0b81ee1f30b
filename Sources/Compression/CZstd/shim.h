// libzstd (Debian: libzstd-dev) for zstd-compressed Kafka record batches.
#include <zstd.h>
