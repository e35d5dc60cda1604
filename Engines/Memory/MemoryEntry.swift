import CairnStorage

/// Sizes of one stored entry: its key, its value, and the value bytes its allocation can hold.
struct MemoryEntryHeader {
    let keyBytes: Int
    var valueBytes: Int
    let valueCapacityBytes: Int
}

/// One stored entry in a single allocation: header, key bytes, then value bytes.
///
/// The point map and the sorted index share it, so a scan reads each entry from one place in memory and an
/// overwrite that fits changes the value in place without touching either index.
final class MemoryEntry: ManagedBuffer<MemoryEntryHeader, UInt8> {
    /// A new entry holding copies of `key` and `value`.
    static func make(key: Bytes, value: Bytes) -> MemoryEntry {
        let header = MemoryEntryHeader(keyBytes: key.count, valueBytes: value.count, valueCapacityBytes: value.count)
        let entry = unsafeDowncast(create(minimumCapacity: key.count + value.count) { _ in header }, to: MemoryEntry.self)
        entry.withUnsafeMutablePointerToElements { bytes in
            key.withUnsafeBytes { UnsafeMutableRawPointer(bytes).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            value.withUnsafeBytes { raw in
                if let base = raw.baseAddress { UnsafeMutableRawPointer(bytes + key.count).copyMemory(from: base, byteCount: raw.count) }
            }
        }
        return entry
    }

    /// The key's bytes, valid only inside `body`.
    @inline(__always)
    func withKey<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeMutablePointers { header, bytes in
            try body(UnsafeRawBufferPointer(start: bytes, count: header.pointee.keyBytes))
        }
    }

    /// The key's and value's bytes, valid only inside `body`.
    @inline(__always)
    func withKeyAndValue<Result>(
        _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Result
    ) rethrows -> Result {
        try withUnsafeMutablePointers { header, bytes in
            let keyBytes = header.pointee.keyBytes
            return try body(
                UnsafeRawBufferPointer(start: bytes, count: keyBytes),
                UnsafeRawBufferPointer(start: bytes + keyBytes, count: header.pointee.valueBytes))
        }
    }

    /// The value's bytes, valid only inside `body`.
    @inline(__always)
    func withValue<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeMutablePointers { header, bytes in
            try body(UnsafeRawBufferPointer(start: bytes + header.pointee.keyBytes, count: header.pointee.valueBytes))
        }
    }

    /// Bytes of the value now stored.
    var valueBytes: Int { header.valueBytes }

    /// Bytes an in-place overwrite may leave unused beyond half the allocation's value room.
    static let slackBytesMax = 64

    /// Replaces the value in place when it fits the allocation without wasting more than half of it; returns
    /// false (changing nothing) otherwise, and the caller makes a new entry.
    func replaceValue(with value: Bytes) -> Bool {
        withUnsafeMutablePointers { header, bytes in
            let capacity = header.pointee.valueCapacityBytes
            guard value.count <= capacity, capacity - value.count <= capacity / 2 + Self.slackBytesMax else { return false }
            value.withUnsafeBytes { raw in
                if let base = raw.baseAddress {
                    UnsafeMutableRawPointer(bytes + header.pointee.keyBytes).copyMemory(from: base, byteCount: raw.count)
                }
            }
            header.pointee.valueBytes = value.count
            return true
        }
    }
}
