import CRocksDB
import CairnStorage

/// RocksDB's C iterator seen through `SortedIterator`, for the shared scan loop.
struct RocksDBIterator: SortedIterator {
    let iterator: OpaquePointer?

    init(_ iterator: OpaquePointer?) { self.iterator = iterator }

    func seek(to key: UnsafeRawBufferPointer) { rocksdb_iter_seek(iterator, key.baseAddress, key.count) }
    func seekToFirst() { rocksdb_iter_seek_to_first(iterator) }
    var isValid: Bool { rocksdb_iter_valid(iterator) != 0 }
    var key: UnsafeRawBufferPointer {
        var length = 0
        return UnsafeRawBufferPointer(start: rocksdb_iter_key(iterator, &length), count: length)
    }
    var value: UnsafeRawBufferPointer {
        var length = 0
        return UnsafeRawBufferPointer(start: rocksdb_iter_value(iterator, &length), count: length)
    }
    func next() { rocksdb_iter_next(iterator) }
}
