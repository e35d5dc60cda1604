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

    /// A new entry holding copies of `key` and `value`; the value is copied exactly once. A mapped value takes a
    /// populated mapping from `pool` when it has one ready.
    static func make(key: Bytes, value: Bytes, pool: PrefaultPool? = nil) -> MemoryEntry {
        let outOfLine = value.count >= outOfLineValueBytesMin
        let storage = outOfLine ? LargeValueStorage.allocate(byteCount: value.count, pool: pool) : nil
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
/// copy first touches it, which is most of the cost of storing a fresh 256 KiB value; a freed one goes to
/// `MappingCache` for the next value of its length (up to its byte limit), else back to the kernel. An engine's
/// `PrefaultPool` keeps mappings of the length its puts ask for populated ahead of them, off the put's path, and a
/// put takes one of those when the cache has none. Measured on
/// the shared 2-core VM (2026-11-25): populating costs about 80 µs per fresh 256 KiB value (64 pages at
/// ~1.2 µs), about what LMDB pays to write into its page cache; without `MAP_POPULATE` it was 1.6× slower, and
/// 2 MiB regions on transparent huge pages were slower still (a fresh huge page took 0.2–9 ms there). Smaller
/// out-of-line values come from `ValueSlabs`, away from the malloc heap, so the small entries (header and key)
/// that point lookups read stay packed together instead of one per 16 KiB of heap. Nothing here changes process-wide malloc
/// settings.
enum LargeValueStorage {
    /// Values this large or larger are mapped directly (glibc's default mmap threshold).
    static let mappedBytesMin = 128 * 1_024

    static let pageBytes = Int(getpagesize())

    @inline(__always)
    static func mappedLength(_ byteCount: Int) -> Int {
        (byteCount + pageBytes - 1) / pageBytes * pageBytes
    }

    static func allocate(byteCount: Int, pool: PrefaultPool? = nil) -> UnsafeMutableRawPointer {
        if byteCount >= mappedBytesMin {
            let length = mappedLength(byteCount)
            return MappingCache.shared.take(length: length) ?? pool?.take(length: length) ?? map(length)
        }
        return ValueSlabs.shared.allocate(byteCount: byteCount)
    }

    static func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        if byteCount >= mappedBytesMin {
            let length = mappedLength(byteCount)
            guard !MappingCache.shared.keep(pointer, length: length) else { return }
            let unmapped = munmap(pointer, length)
            assert(unmapped == 0, "a value's own mapping is unmapped exactly once, whole")
        } else {
            ValueSlabs.shared.deallocate(pointer, byteCount: byteCount)
        }
    }

    /// A fresh anonymous read-write mapping of `length` bytes (a whole number of pages), populated on Linux when
    /// `populated`.
    static func map(_ length: Int, populated: Bool = true) -> UnsafeMutableRawPointer {
        #if os(Linux)
        let flags = MAP_PRIVATE | MAP_ANONYMOUS | (populated ? MAP_POPULATE : 0)
        #else
        let flags = MAP_PRIVATE | MAP_ANON
        #endif
        let mapped = mmap(nil, length, PROT_READ | PROT_WRITE, flags, -1, 0)
        guard let mapped, mapped != UnsafeMutableRawPointer(bitPattern: -1) else {
            // As for any Swift allocation (the entries and arrays themselves), running out of memory is fatal.
            fatalError("out of memory mapping \(length) bytes for values")
        }
        return mapped
    }
}

/// Size-class slabs for out-of-line values from `MemoryEntry.outOfLineValueBytesMin` up to
/// `LargeValueStorage.mappedBytesMin`.
///
/// Sizes round up to one of eight steps per power of two (at most 12.5% waste); each class carves blocks from
/// 1 MiB mappings of its own and keeps freed blocks on a list (the next pointer in the block) for the next value
/// of its class. A slab is populated `populateBytes` at a time as blocks are first carved (one madvise instead of
/// a fault per page, and no single put pays for a whole slab). Slabs are kept for the life of the process, like memory malloc keeps in its heap,
/// and shared by every engine. One mutex guards it; callers copy at least 2 KiB per call, which dwarfs it.
final class ValueSlabs: @unchecked Sendable {
    static let shared = ValueSlabs()

    static let slabBytes = 1 << 20
    /// Bytes of a slab populated at once, ahead of the blocks carved from it.
    static let populateBytes = 64 << 10
    #if os(Linux)
    /// `MADV_POPULATE_WRITE` (Linux 5.14); on older kernels the call fails and pages fault in as usual.
    static let madvisePopulateWrite: Int32 = 23
    #endif
    static let smallestTop = 10
    static let classCount = (16 - smallestTop + 1) * 8

    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    /// Per class: the first free block, the next unused block of its current slab, and how many such remain.
    private var freeLists: [UnsafeMutableRawPointer?]
    private var slabNext: [UnsafeMutableRawPointer?]
    private var slabRemaining: [Int]
    /// Per class: where the populated part of its current slab ends.
    private var slabPopulatedEnd: [UnsafeMutableRawPointer?]
    /// Per class: where its current slab ends.
    private var slabEnd: [UnsafeMutableRawPointer?]

    private init() {
        lock = .allocate(capacity: 1)
        let mutexMade = pthread_mutex_init(lock, nil)
        precondition(mutexMade == 0, "pthread_mutex_init failed with \(mutexMade)")
        freeLists = Array(repeating: nil, count: Self.classCount)
        slabNext = Array(repeating: nil, count: Self.classCount)
        slabRemaining = Array(repeating: 0, count: Self.classCount)
        slabPopulatedEnd = Array(repeating: nil, count: Self.classCount)
        slabEnd = Array(repeating: nil, count: Self.classCount)
    }

    /// The class of a `byteCount`-byte block and its size in bytes (≥ `byteCount`).
    static func sizeClass(_ byteCount: Int) -> (index: Int, bytes: Int) {
        precondition(byteCount >= 2 && byteCount < 1 << 17, "slab values are under 128 KiB")
        let last = byteCount - 1
        let top = Int.bitWidth - 1 - last.leadingZeroBitCount
        precondition(top >= smallestTop, "slab values are 1 KiB and up")
        let step = 1 << (top - 3)
        let steps = last >> (top - 3)  // 8...15
        return ((top - smallestTop) * 8 + steps - 8, (steps + 1) * step)
    }

    func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let (index, bytes) = Self.sizeClass(byteCount)
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        if let block = freeLists[index] {
            freeLists[index] = block.load(as: UnsafeMutableRawPointer?.self)
            return block
        }
        if slabRemaining[index] == 0 {
            let slab = LargeValueStorage.map(Self.slabBytes, populated: false)
            slabNext[index] = slab
            slabPopulatedEnd[index] = slab
            slabEnd[index] = slab + Self.slabBytes
            slabRemaining[index] = Self.slabBytes / bytes
        }
        let block = slabNext[index]!
        #if os(Linux)
        if let populatedEnd = slabPopulatedEnd[index], block + bytes > populatedEnd {
            // Page-aligned: slabs start on a page and `populateBytes` is whole pages.
            let wanted = Swift.max(Self.populateBytes, LargeValueStorage.mappedLength(block + bytes - populatedEnd))
            let length = Swift.min(wanted, slabEnd[index]! - populatedEnd)
            // Only a hint: a kernel without MADV_POPULATE_WRITE (before 5.14) answers EINVAL and the pages fault in
            // on first write instead, so the result is deliberately not checked.
            _ = madvise(populatedEnd, length, Self.madvisePopulateWrite)
            slabPopulatedEnd[index] = populatedEnd + length
        }
        #endif
        slabNext[index] = block + bytes
        slabRemaining[index] -= 1
        return block
    }

    func deallocate(_ block: UnsafeMutableRawPointer, byteCount: Int) {
        let index = Self.sizeClass(byteCount).index
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        block.storeBytes(of: freeLists[index], as: UnsafeMutableRawPointer?.self)
        freeLists[index] = block
    }
}
