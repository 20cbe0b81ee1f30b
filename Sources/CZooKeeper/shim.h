// The ZooKeeper C client (Debian: libzookeeper-mt-dev), multi-threaded variant: the
// library runs its own IO and completion threads. The synchronous calls and the
// threaded-only declarations are visible only when THREADED is defined first.
#define THREADED 1
#include <zookeeper/zookeeper.h>

// Swift 6 refuses to take the address of the C global `ZOO_OPEN_ACL_UNSAFE` (a mutable
// global); the library only reads it.
static inline struct ACL_vector *sluice_zoo_open_acl(void) { return &ZOO_OPEN_ACL_UNSAFE; }
