import CLevelDB
import CairnStorage

/// LevelDB's C iterator seen through `SortedIterator`, for the shared scan loop.
struct LevelDBIterator: SortedIterator {
    let iterator: OpaquePointer?

    init(_ iterator: OpaquePointer?) { self.iterator = iterator }

    func seek(to key: UnsafeRawBufferPointer) { leveldb_iter_seek(iterator, key.baseAddress, key.count) }
    func seekToFirst() { leveldb_iter_seek_to_first(iterator) }
    var isValid: Bool { leveldb_iter_valid(iterator) != 0 }
    var key: UnsafeRawBufferPointer {
        var length = 0
        return UnsafeRawBufferPointer(start: leveldb_iter_key(iterator, &length), count: length)
    }
    var value: UnsafeRawBufferPointer {
        var length = 0
        return UnsafeRawBufferPointer(start: leveldb_iter_value(iterator, &length), count: length)
    }
    func next() { leveldb_iter_next(iterator) }
}
