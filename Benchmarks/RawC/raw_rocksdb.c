// Raw librocksdb baseline: the options Cairn's RocksDB engine uses (LRU block cache, full bloom filter,
// compression, write buffer, paranoid checks, checksummed reads, no preallocation, WAL fsync per write when sync),
// called directly with one reused read and write options object and pinned gets — what Cairn's RocksDB engine
// does, minus the Swift wrapper.
#include "RawEngines.h"

#include <rocksdb/c.h>
#include <stdlib.h>

struct raw_rocksdb {
    rocksdb_t *db;
    rocksdb_options_t *options;
    rocksdb_cache_t *cache;
    rocksdb_readoptions_t *read_options;
    rocksdb_writeoptions_t *write_options;
};

raw_rocksdb *raw_rocksdb_open(const char *directory, const raw_rocksdb_options *settings, char **error) {
    raw_rocksdb *db = calloc(1, sizeof(raw_rocksdb));
    if (!db) return NULL;
    // No preallocation, as in Cairn's engine (the C API has no setter for it).
    rocksdb_options_t *base = rocksdb_options_create();
    db->options = rocksdb_options_create();
    rocksdb_get_options_from_string(base, "allow_fallocate=false", db->options, error);
    rocksdb_options_destroy(base);
    if (error && *error) {
        raw_rocksdb_close(db);
        return NULL;
    }
    rocksdb_options_set_create_if_missing(db->options, 1);
    rocksdb_options_set_paranoid_checks(db->options, 1);
    rocksdb_options_set_write_buffer_size(db->options, settings->write_buffer_bytes);
    rocksdb_options_set_max_open_files(db->options, settings->open_files_max);
    rocksdb_options_set_max_background_jobs(db->options, settings->background_jobs_max);
    rocksdb_options_set_compression(db->options, settings->compression);
    rocksdb_options_set_keep_log_file_num(db->options, 5);
    rocksdb_options_set_max_log_file_size(db->options, 1 << 20);
    rocksdb_block_based_table_options_t *table = rocksdb_block_based_options_create();
    if (settings->block_cache_bytes > 0) {
        db->cache = rocksdb_cache_create_lru(settings->block_cache_bytes);
        rocksdb_block_based_options_set_block_cache(table, db->cache);
    } else {
        rocksdb_block_based_options_set_no_block_cache(table, 1);
    }
    // The table options take over the filter policy.
    if (settings->bloom_bits_per_key > 0)
        rocksdb_block_based_options_set_filter_policy(
            table, rocksdb_filterpolicy_create_bloom_full((double)settings->bloom_bits_per_key));
    rocksdb_options_set_block_based_table_factory(db->options, table);
    rocksdb_block_based_options_destroy(table);
    db->read_options = rocksdb_readoptions_create();
    rocksdb_readoptions_set_verify_checksums(db->read_options, (unsigned char)settings->verify_checksums);
    db->write_options = rocksdb_writeoptions_create();
    rocksdb_writeoptions_set_sync(db->write_options, (unsigned char)settings->sync);
    db->db = rocksdb_open(db->options, directory, error);
    if (!db->db) {
        raw_rocksdb_close(db);
        return NULL;
    }
    return db;
}

int raw_rocksdb_put(raw_rocksdb *db, const void *key, size_t key_length, const void *value, size_t value_length) {
    char *error = NULL;
    rocksdb_put(db->db, db->write_options, key, key_length, value, value_length, &error);
    if (error) { rocksdb_free(error); return -1; }
    return 0;
}

int raw_rocksdb_get(raw_rocksdb *db, const void *key, size_t key_length, size_t *value_length) {
    char *error = NULL;
    rocksdb_pinnableslice_t *value = rocksdb_get_pinned(db->db, db->read_options, key, key_length, &error);
    if (error) { rocksdb_free(error); return -1; }
    if (!value) return 1;
    rocksdb_pinnableslice_value(value, value_length);
    rocksdb_pinnableslice_destroy(value);
    return 0;
}

int raw_rocksdb_delete(raw_rocksdb *db, const void *key, size_t key_length) {
    char *error = NULL;
    rocksdb_delete(db->db, db->write_options, key, key_length, &error);
    if (error) { rocksdb_free(error); return -1; }
    return 0;
}

int raw_rocksdb_scan(raw_rocksdb *db, const void *start, size_t start_length, size_t limit, raw_scan_visit visit,
                     void *context) {
    rocksdb_iterator_t *iterator = rocksdb_create_iterator(db->db, db->read_options);
    if (start) rocksdb_iter_seek(iterator, start, start_length);
    else rocksdb_iter_seek_to_first(iterator);
    for (size_t visited = 0; rocksdb_iter_valid(iterator) && visited < limit; visited++) {
        size_t key_length, value_length;
        const char *key = rocksdb_iter_key(iterator, &key_length);
        const char *value = rocksdb_iter_value(iterator, &value_length);
        if (visit(context, key, key_length, value, value_length)) break;
        rocksdb_iter_next(iterator);
    }
    char *error = NULL;
    rocksdb_iter_get_error(iterator, &error);
    rocksdb_iter_destroy(iterator);
    if (error) { rocksdb_free(error); return -1; }
    return 0;
}

void raw_rocksdb_close(raw_rocksdb *db) {
    if (!db) return;
    if (db->db) rocksdb_close(db->db);
    if (db->write_options) rocksdb_writeoptions_destroy(db->write_options);
    if (db->read_options) rocksdb_readoptions_destroy(db->read_options);
    if (db->cache) rocksdb_cache_destroy(db->cache);
    rocksdb_options_destroy(db->options);
    free(db);
}
