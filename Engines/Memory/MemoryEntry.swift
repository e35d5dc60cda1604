#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CairnStorage

/// Sizes of one stored entry: its key, its value, the value bytes its storage can hold, and where the value lives
/// when it is not inline.
struct MemoryEntryHeader {
    let keyBytes: Int
    var valueBytes: Int
    let valueCapacityBytes: Int
    /// The value's own allocation (`LargeValueStorage`), or nil when the value follows the key inline.
    let outOfLine: UnsafeMutableRawPointer?
}

/// One stored entry: header and key bytes in one allocation, then the value bytes, inline for small values and
/// in a separate allocation for large ones (`outOfLineValueBytesMin` and up).
///
/// The point map and the sorted index share it, so a scan reads each entry from one place in memory and an
/// overwrite that fits changes the value in place without touching either index. Large values live apart so the
/// entries stay small and dense: a point lookup that compares keys touches a few cache lines of a compact heap
/// instead of the first page of a separate 16 KiB or 256 KiB block, and a scan of small values is unaffected.
final class MemoryEntry: ManagedBuffer<MemoryEntryHeader, UInt8> {
    /// Values of this many bytes or more are stored out of line.
    static let outOfLineValueBytesMin = 2_048

    /// A new entry holding copies of `key` and `value`; the value is copied exactly once.
    static func make(key: Bytes, value: Bytes) -> MemoryEntry {
        let outOfLine = value.count >= outOfLineValueBytesMin
        let storage = outOfLine ? LargeValueStorage.allocate(byteCount: value.count) : nil
        let header = MemoryEntryHeader(
            keyBytes: key.count, valueBytes: value.count, valueCapacityBytes: value.count, outOfLine: storage)
        let elementCount = outOfLine ? key.count : key.count + value.count
        let entry = unsafeDowncast(create(minimumCapacity: elementCount) { _ in header }, to: MemoryEntry.self)
        entry.withUnsafeMutablePointerToElements { bytes in
            key.withUnsafeBytes { UnsafeMutableRawPointer(bytes).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            value.withUnsafeBytes { raw in
                if let base = raw.baseAddress {
                    (storage ?? UnsafeMutableRawPointer(bytes + key.count)).copyMemory(from: base, byteCount: raw.count)
                }
            }
        }
        return entry
    }

    deinit {
        let (storage, capacity) = withUnsafeMutablePointerToHeader { ($0.pointee.outOfLine, $0.pointee.valueCapacityBytes) }
        if let storage { LargeValueStorage.deallocate(storage, byteCount: capacity) }
    }

    /// Where the value's bytes start.
    @inline(__always)
    private static func valueStart(
        _ header: UnsafeMutablePointer<MemoryEntryHeader>, _ bytes: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutableRawPointer {
        header.pointee.outOfLine ?? UnsafeMutableRawPointer(bytes + header.pointee.keyBytes)
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
            try body(
                UnsafeRawBufferPointer(start: bytes, count: header.pointee.keyBytes),
                UnsafeRawBufferPointer(start: Self.valueStart(header, bytes), count: header.pointee.valueBytes))
        }
    }

    /// The value's bytes, valid only inside `body`.
    @inline(__always)
    func withValue<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeMutablePointers { header, bytes in
            try body(UnsafeRawBufferPointer(start: Self.valueStart(header, bytes), count: header.pointee.valueBytes))
        }
    }

    /// Bytes of the value now stored.
    var valueBytes: Int { header.valueBytes }

    /// Whether the value is stored out of line.
    var isValueOutOfLine: Bool { header.outOfLine != nil }

    /// Bytes an in-place overwrite may leave unused beyond half the allocation's value room.
    static let slackBytesMax = 64

    /// Replaces the value in place when it fits the storage without wasting more than half of it (and a value
    /// that belongs inline does not land out of line); returns false (changing nothing) otherwise, and the caller
    /// makes a new entry.
    func replaceValue(with value: Bytes) -> Bool {
        withUnsafeMutablePointers { header, bytes in
            let capacity = header.pointee.valueCapacityBytes
            guard value.count <= capacity, capacity - value.count <= capacity / 2 + Self.slackBytesMax else { return false }
            if header.pointee.outOfLine != nil, value.count < Self.outOfLineValueBytesMin { return false }
            let start = Self.valueStart(header, bytes)
            value.withUnsafeBytes { raw in
                if let base = raw.baseAddress { start.copyMemory(from: base, byteCount: raw.count) }
            }
            header.pointee.valueBytes = value.count
            return true
        }
    }
}

/// Allocation of out-of-line values.
///
/// Values of `mappedBytesMin` and up get their own anonymous mapping, populated when it is made
/// (`MAP_POPULATE`): the kernel fills every page in one call instead of taking one page fault per 4 KiB as the
/// copy first touches it, which is most of the cost of storing a fresh 256 KiB value. Smaller ones come from
/// malloc. Nothing here changes process-wide malloc settings.
enum LargeValueStorage {
    /// Values this large or larger are mapped directly (glibc's default mmap threshold).
    static let mappedBytesMin = 128 * 1_024

    static let pageBytes = Int(getpagesize())

    @inline(__always)
    static func mappedLength(_ byteCount: Int) -> Int {
        (byteCount + pageBytes - 1) / pageBytes * pageBytes
    }

    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        #if os(Linux)
        if byteCount >= mappedBytesMin {
            let mapped = mmap(
                nil, mappedLength(byteCount), PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0)
            if let mapped, mapped != UnsafeMutableRawPointer(bitPattern: -1) { return mapped }
            fatalError("out of memory mapping a \(byteCount)-byte value")
        }
        #endif
        guard let pointer = malloc(byteCount) else { fatalError("out of memory allocating a \(byteCount)-byte value") }
        return pointer
    }

    static func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        #if os(Linux)
        if byteCount >= mappedBytesMin {
            munmap(pointer, mappedLength(byteCount))
            return
        }
        #endif
        free(pointer)
    }
}
