// The raw C baseline of Cairn's engine benchmarks: liblmdb and libleveldb called directly, the way a C program
// would, with the same options Cairn's Swift engines use. Functions return 0 on success, 1 for "not found"
// (gets) and a negative value on error; *error receives a message the caller frees with free().
#ifndef CAIRN_RAW_ENGINES_H
#define CAIRN_RAW_ENGINES_H

#include <stddef.h>

typedef struct raw_lmdb raw_lmdb;
typedef struct raw_leveldb raw_leveldb;

// Visits one entry of a scan; return nonzero to stop.
typedef int (*raw_scan_visit)(void *context, const void *key, size_t key_length, const void *value,
                              size_t value_length);

raw_lmdb *raw_lmdb_open(const char *directory, int sync, size_t map_size_bytes, char **error);
int raw_lmdb_put(raw_lmdb *db, const void *key, size_t key_length, const void *value, size_t value_length);
// Looks a key up in its own read transaction; *value_length receives the value's size.
int raw_lmdb_get(raw_lmdb *db, const void *key, size_t key_length, size_t *value_length);
int raw_lmdb_delete(raw_lmdb *db, const void *key, size_t key_length);
// Visits at most `limit` entries from the first key >= start (the first key when start is NULL).
int raw_lmdb_scan(raw_lmdb *db, const void *start, size_t start_length, size_t limit, raw_scan_visit visit,
                  void *context);
void raw_lmdb_close(raw_lmdb *db);

raw_leveldb *raw_leveldb_open(const char *directory, int sync, size_t block_cache_bytes, int bloom_bits_per_key,
                              char **error);
int raw_leveldb_put(raw_leveldb *db, const void *key, size_t key_length, const void *value, size_t value_length);
int raw_leveldb_get(raw_leveldb *db, const void *key, size_t key_length, size_t *value_length);
int raw_leveldb_delete(raw_leveldb *db, const void *key, size_t key_length);
int raw_leveldb_scan(raw_leveldb *db, const void *start, size_t start_length, size_t limit, raw_scan_visit visit,
                     void *context);
void raw_leveldb_close(raw_leveldb *db);

#endif
