// liblmdb's C API (Debian: liblmdb-dev). Ownership rules live in lmdb.h: an MDB_val returned by a read is
// valid only until its transaction ends; Cairn's LMDB engine exposes such bytes only inside a closure.
#include <lmdb.h>
