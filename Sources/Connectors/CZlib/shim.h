// zlib from the system (Debian: zlib1g-dev), for the beats input's compressed frames.
#include <zlib.h>
