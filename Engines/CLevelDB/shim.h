// LevelDB's C API (Debian: libleveldb-dev, which ships no pkg-config file). Ownership rules live in
// leveldb/c.h: values and error strings returned by the library are malloc'd and freed with leveldb_free.
#include <leveldb/c.h>
