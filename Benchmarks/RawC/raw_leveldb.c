// Raw libleveldb baseline: the options Cairn's LevelDB engine uses by default (LRU block cache, bloom filter,
// snappy, paranoid checks, checksummed reads), called directly.
#include "RawEngines.h"

#include <leveldb/c.h>
#include <stdlib.h>

struct raw_leveldb {
    leveldb_t *db;
    leveldb_options_t *options;
    leveldb_cache_t *cache;
    leveldb_filterpolicy_t *filter;
    leveldb_readoptions_t *read_options;
    leveldb_writeoptions_t *write_options;
};

raw_leveldb *raw_leveldb_open(const char *directory, int sync, size_t block_cache_bytes, int bloom_bits_per_key,
                              char **error) {
    raw_leveldb *db = calloc(1, sizeof(raw_leveldb));
    if (!db) return NULL;
    db->options = leveldb_options_create();
    leveldb_options_set_create_if_missing(db->options, 1);
    leveldb_options_set_paranoid_checks(db->options, 1);
    leveldb_options_set_write_buffer_size(db->options, 4 << 20);
    leveldb_options_set_max_open_files(db->options, 500);
    leveldb_options_set_compression(db->options, leveldb_snappy_compression);
    db->cache = leveldb_cache_create_lru(block_cache_bytes);
    leveldb_options_set_cache(db->options, db->cache);
    db->filter = leveldb_filterpolicy_create_bloom(bloom_bits_per_key);
    leveldb_options_set_filter_policy(db->options, db->filter);
    db->read_options = leveldb_readoptions_create();
    leveldb_readoptions_set_verify_checksums(db->read_options, 1);
    db->write_options = leveldb_writeoptions_create();
    leveldb_writeoptions_set_sync(db->write_options, (unsigned char)sync);
    db->db = leveldb_open(db->options, directory, error);
    if (!db->db) {
        raw_leveldb_close(db);
        return NULL;
    }
    return db;
}

int raw_leveldb_put(raw_leveldb *db, const void *key, size_t key_length, const void *value, size_t value_length) {
    char *error = NULL;
    leveldb_put(db->db, db->write_options, key, key_length, value, value_length, &error);
    if (error) { leveldb_free(error); return -1; }
    return 0;
}

int raw_leveldb_get(raw_leveldb *db, const void *key, size_t key_length, size_t *value_length) {
    char *error = NULL;
    char *value = leveldb_get(db->db, db->read_options, key, key_length, value_length, &error);
    if (error) { leveldb_free(error); return -1; }
    if (!value) return 1;
    leveldb_free(value);
    return 0;
}

int raw_leveldb_delete(raw_leveldb *db, const void *key, size_t key_length) {
    char *error = NULL;
    leveldb_delete(db->db, db->write_options, key, key_length, &error);
    if (error) { leveldb_free(error); return -1; }
    return 0;
}

int raw_leveldb_scan(raw_leveldb *db, const void *start, size_t start_length, size_t limit, raw_scan_visit visit,
                     void *context) {
    leveldb_iterator_t *iterator = leveldb_create_iterator(db->db, db->read_options);
    if (start) leveldb_iter_seek(iterator, start, start_length);
    else leveldb_iter_seek_to_first(iterator);
    for (size_t visited = 0; leveldb_iter_valid(iterator) && visited < limit; visited++) {
        size_t key_length, value_length;
        const char *key = leveldb_iter_key(iterator, &key_length);
        const char *value = leveldb_iter_value(iterator, &value_length);
        if (visit(context, key, key_length, value, value_length)) break;
        leveldb_iter_next(iterator);
    }
    char *error = NULL;
    leveldb_iter_get_error(iterator, &error);
    leveldb_iter_destroy(iterator);
    if (error) { leveldb_free(error); return -1; }
    return 0;
}

void raw_leveldb_close(raw_leveldb *db) {
    if (!db) return;
    if (db->db) leveldb_close(db->db);
    leveldb_writeoptions_destroy(db->write_options);
    leveldb_readoptions_destroy(db->read_options);
    leveldb_filterpolicy_destroy(db->filter);
    leveldb_cache_destroy(db->cache);
    leveldb_options_destroy(db->options);
    free(db);
}
