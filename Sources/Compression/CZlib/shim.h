// zlib (Debian: zlib1g-dev): gzip-compressed Kafka record batches, compressed beats frames.
#include <zlib.h>
