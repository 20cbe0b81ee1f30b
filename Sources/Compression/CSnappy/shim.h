// libsnappy (Debian: libsnappy-dev) through its C API for snappy-compressed Kafka batches.
#include <snappy-c.h>
