// The raw C baseline of Cairn's engine benchmarks: liblmdb, libleveldb and librocksdb called directly, the way a C program
// would, with the same options Cairn's Swift engines use. Functions return 0 on success, 1 for "not found"
// (gets) and a negative value on error; *error receives a message the caller frees with free().
#ifndef CAIRN_RAW_ENGINES_H
#define CAIRN_RAW_ENGINES_H

#include <stddef.h>

typedef struct raw_lmdb raw_lmdb;
typedef struct raw_leveldb raw_leveldb;
typedef struct raw_rocksdb raw_rocksdb;

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

// The RocksDB engine's options (RocksDBOptions), passed in so the baseline opens with exactly the same ones.
typedef struct raw_rocksdb_options {
    int sync;
    size_t block_cache_bytes;
    int bloom_bits_per_key;
    size_t write_buffer_bytes;
    int open_files_max;
    int background_jobs_max;
    int compression;  // a rocksdb_*_compression constant
    int verify_checksums;
} raw_rocksdb_options;

raw_rocksdb *raw_rocksdb_open(const char *directory, const raw_rocksdb_options *options, char **error);
int raw_rocksdb_put(raw_rocksdb *db, const void *key, size_t key_length, const void *value, size_t value_length);
// Looks a key up with rocksdb_get_pinned (no copy of the value); *value_length receives the value's size.
int raw_rocksdb_get(raw_rocksdb *db, const void *key, size_t key_length, size_t *value_length);
int raw_rocksdb_delete(raw_rocksdb *db, const void *key, size_t key_length);
int raw_rocksdb_scan(raw_rocksdb *db, const void *start, size_t start_length, size_t limit, raw_scan_visit visit,
                     void *context);
void raw_rocksdb_close(raw_rocksdb *db);

#endif
