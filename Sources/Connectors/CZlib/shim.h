// zlib (Debian: zlib1g-dev) for gzip-compressed Kafka record batches.
#include <zlib.h>
