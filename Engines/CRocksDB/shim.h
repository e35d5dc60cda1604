// RocksDB's C API (Debian: librocksdb-dev 7.8, which ships rocksdb.pc). Ownership rules live in rocksdb/c.h:
// error strings and values returned by the library are malloc'd and freed with rocksdb_free; a pinnable slice
// holds its value until rocksdb_pinnableslice_destroy.
#include <rocksdb/c.h>
