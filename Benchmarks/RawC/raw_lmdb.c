// Raw liblmdb baseline: one environment, the unnamed database, MDB_NOTLS, MDB_NOSYNC when buffered, and one
// transaction per operation — what Cairn's LMDB engine does, minus the Swift wrapper.
#include "RawEngines.h"

#include <lmdb.h>
#include <stdlib.h>
#include <string.h>

struct raw_lmdb {
    MDB_env *env;
    MDB_dbi dbi;
};

static void set_error(char **error, const char *what, int rc) {
    if (!error) return;
    const char *message = mdb_strerror(rc);
    size_t length = strlen(what) + strlen(message) + 3;
    *error = malloc(length);
    if (*error) {
        strcpy(*error, what);
        strcat(*error, ": ");
        strcat(*error, message);
    }
}

raw_lmdb *raw_lmdb_open(const char *directory, int sync, size_t map_size_bytes, char **error) {
    raw_lmdb *db = calloc(1, sizeof(raw_lmdb));
    if (!db) return NULL;
    int rc = mdb_env_create(&db->env);
    if (rc) { set_error(error, "mdb_env_create", rc); free(db); return NULL; }
    unsigned int flags = MDB_NOTLS | (sync ? 0 : MDB_NOSYNC);
    if ((rc = mdb_env_set_mapsize(db->env, map_size_bytes)) || (rc = mdb_env_set_maxreaders(db->env, 512)) ||
        (rc = mdb_env_open(db->env, directory, flags, 0644))) {
        set_error(error, "mdb_env_open", rc);
        mdb_env_close(db->env);
        free(db);
        return NULL;
    }
    MDB_txn *txn;
    if ((rc = mdb_txn_begin(db->env, NULL, 0, &txn)) == 0) {
        rc = mdb_dbi_open(txn, NULL, 0, &db->dbi);
        rc = rc ? (mdb_txn_abort(txn), rc) : mdb_txn_commit(txn);
    }
    if (rc) { set_error(error, "mdb_dbi_open", rc); mdb_env_close(db->env); free(db); return NULL; }
    return db;
}

int raw_lmdb_put(raw_lmdb *db, const void *key, size_t key_length, const void *value, size_t value_length) {
    MDB_txn *txn;
    int rc = mdb_txn_begin(db->env, NULL, 0, &txn);
    if (rc) return -1;
    MDB_val k = {key_length, (void *)key}, v = {value_length, (void *)value};
    rc = mdb_put(txn, db->dbi, &k, &v, 0);
    if (rc) { mdb_txn_abort(txn); return -1; }
    return mdb_txn_commit(txn) ? -1 : 0;
}

int raw_lmdb_get(raw_lmdb *db, const void *key, size_t key_length, size_t *value_length) {
    MDB_txn *txn;
    if (mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn)) return -1;
    MDB_val k = {key_length, (void *)key}, v;
    int rc = mdb_get(txn, db->dbi, &k, &v);
    if (rc == 0) *value_length = v.mv_size;
    mdb_txn_abort(txn);
    return rc == 0 ? 0 : (rc == MDB_NOTFOUND ? 1 : -1);
}

int raw_lmdb_delete(raw_lmdb *db, const void *key, size_t key_length) {
    MDB_txn *txn;
    if (mdb_txn_begin(db->env, NULL, 0, &txn)) return -1;
    MDB_val k = {key_length, (void *)key};
    int rc = mdb_del(txn, db->dbi, &k, NULL);
    if (rc && rc != MDB_NOTFOUND) { mdb_txn_abort(txn); return -1; }
    return mdb_txn_commit(txn) ? -1 : 0;
}

int raw_lmdb_scan(raw_lmdb *db, const void *start, size_t start_length, size_t limit, raw_scan_visit visit,
                  void *context) {
    MDB_txn *txn;
    MDB_cursor *cursor;
    if (mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn)) return -1;
    if (mdb_cursor_open(txn, db->dbi, &cursor)) { mdb_txn_abort(txn); return -1; }
    MDB_val k = {start_length, (void *)start}, v;
    int rc = mdb_cursor_get(cursor, &k, &v, start ? MDB_SET_RANGE : MDB_FIRST);
    for (size_t visited = 0; rc == 0 && visited < limit; visited++) {
        if (visit(context, k.mv_data, k.mv_size, v.mv_data, v.mv_size)) break;
        rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cursor);
    mdb_txn_abort(txn);
    return (rc == 0 || rc == MDB_NOTFOUND) ? 0 : -1;
}

void raw_lmdb_close(raw_lmdb *db) {
    if (!db) return;
    mdb_env_close(db->env);
    free(db);
}
