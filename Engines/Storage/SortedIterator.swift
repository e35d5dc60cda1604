/// A C library's forward iterator over sorted keys. LevelDB's and RocksDB's have this same shape, so one scan
/// loop (`KeyRange.scan(with:_:)`) serves both engines.
public protocol SortedIterator {
    func seek(to key: UnsafeRawBufferPointer)
    func seekToFirst()
    var isValid: Bool { get }
    /// The current key, valid until the iterator moves.
    var key: UnsafeRawBufferPointer { get }
    /// The current value, valid until the iterator moves.
    var value: UnsafeRawBufferPointer { get }
    func next()
}

extension KeyRange {
    /// Visits the entries of this range in key order through `iterator`, until the range ends or `visit` stops.
    @inlinable
    public func scan(
        with iterator: some SortedIterator,
        _ visit: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> ScanDecision
    ) rethrows {
        if let lowerBound {
            lowerBound.withUnsafeBytes { iterator.seek(to: $0) }
        } else {
            iterator.seekToFirst()
        }
        while iterator.isValid {
            let key = iterator.key
            if isPastEnd(key) { break }
            if try visit(key, iterator.value) == .stop { break }
            iterator.next()
        }
    }
}

extension WriteBatch {
    /// Hands each operation's raw bytes, in order, to the native batch being built.
    @inlinable
    public func forEachRaw(
        put: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) -> Void,
        delete: (_ key: UnsafeRawBufferPointer) -> Void
    ) {
        for operation in operations {
            switch operation {
            case .put(let key, let value):
                key.withUnsafeBytes { rawKey in value.withUnsafeBytes { rawValue in put(rawKey, rawValue) } }
            case .delete(let key):
                key.withUnsafeBytes { delete($0) }
            }
        }
    }
}
