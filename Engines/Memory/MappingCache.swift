#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Freed own mappings of large values (`LargeValueStorage.mappedBytesMin` and up), kept for the next value of
/// the same mapped length instead of unmapped, up to `cachedBytesMax` bytes in all.
///
/// A fresh mapping costs a system call and the kernel zeroing every page; a kept one is already populated and is
/// overwritten by the value's copy. This helps wherever large values come and go (deletes, overwrites that change
/// size, a table closed and filled again); a table that only grows maps fresh memory whatever is kept. Kept bytes
/// are not counted in any engine's `bytesMax`. One mutex guards it; callers copy at least 128 KiB per call.
final class MappingCache: @unchecked Sendable {
    /// Most bytes of freed mappings `shared` keeps.
    static let sharedCachedBytesMax = 64 << 20
    static let shared = MappingCache(cachedBytesMax: sharedCachedBytesMax)

    /// Most bytes of freed mappings kept at once.
    let cachedBytesMax: Int
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    /// Kept mappings by length in bytes, the most recently kept last.
    private var kept: [Int: [UnsafeMutableRawPointer]] = [:]
    private var keptBytes = 0

    init(cachedBytesMax: Int) {
        precondition(cachedBytesMax >= 0, "cachedBytesMax is never negative")
        self.cachedBytesMax = cachedBytesMax
        lock = .allocate(capacity: 1)
        let mutexMade = pthread_mutex_init(lock, nil)
        precondition(mutexMade == 0, "pthread_mutex_init failed with \(mutexMade)")
    }

    deinit {
        for (length, mappings) in kept {
            for mapping in mappings { munmap(mapping, length) }
        }
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    /// Bytes of the mappings kept now.
    var cachedBytes: Int {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        return keptBytes
    }

    /// A kept mapping of exactly `length` bytes, now the caller's, or nil when none is kept.
    func take(length: Int) -> UnsafeMutableRawPointer? {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard let mapping = kept[length]?.popLast() else { return nil }
        keptBytes -= length
        assert(keptBytes >= 0, "kept bytes never go negative")
        return mapping
    }

    /// Keeps a mapping of `length` bytes the caller no longer uses, and returns true; returns false, keeping
    /// nothing, when that would pass `cachedBytesMax` (the caller unmaps it then).
    func keep(_ mapping: UnsafeMutableRawPointer, length: Int) -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        guard keptBytes + length <= cachedBytesMax else { return false }
        kept[length, default: []].append(mapping)
        keptBytes += length
        return true
    }
}
