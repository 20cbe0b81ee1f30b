// liblz4 (Debian: liblz4-dev): Kafka's lz4 codec is the LZ4 frame format.
#include <lz4frame.h>
