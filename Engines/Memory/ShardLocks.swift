#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One pthread reader-writer lock per shard of the point map, each on a cache line of its own, so point reads of
/// different shards never touch the same lock word and a writer blocks only the readers of the shards it changes.
///
/// A writer that changes several shards at once (a batch) locks them in ascending shard order and keeps them all
/// until it is done (two-phase locking), so two writers never deadlock and no reader sees half of a batch.
final class ShardLocks {
    /// Bytes between two locks: one cache line, or the lock's own size when that is larger.
    private static let strideBytes = max(64, (MemoryLayout<pthread_rwlock_t>.size + 63) / 64 * 64)

    let count: Int
    private let base: UnsafeMutableRawPointer

    init(count: Int) {
        precondition(count > 0, "a shard lock table has at least one lock")
        self.count = count
        base = .allocate(byteCount: count * Self.strideBytes, alignment: 64)
        for index in 0..<count {
            let lock = self.lock(index)
            lock.initialize(to: pthread_rwlock_t())
            let result = pthread_rwlock_init(lock, nil)
            precondition(result == 0, "pthread_rwlock_init failed: \(result)")
        }
    }

    deinit {
        for index in 0..<count {
            pthread_rwlock_destroy(lock(index))
            lock(index).deinitialize(count: 1)
        }
        base.deallocate()
    }

    @inline(__always)
    private func lock(_ index: Int) -> UnsafeMutablePointer<pthread_rwlock_t> {
        (base + index * Self.strideBytes).assumingMemoryBound(to: pthread_rwlock_t.self)
    }

    /// Runs `body` holding shard `index`'s lock shared.
    @inline(__always)
    func withReadLock<Result>(_ index: Int, _ body: () throws -> Result) rethrows -> Result {
        let result = pthread_rwlock_rdlock(lock(index))
        precondition(result == 0, "pthread_rwlock_rdlock failed: \(result)")
        defer { unlock(index) }
        return try body()
    }

    /// Runs `body` holding shard `index`'s lock exclusive.
    @inline(__always)
    func withWriteLock<Result>(_ index: Int, _ body: () throws -> Result) rethrows -> Result {
        lockExclusive(index)
        defer { unlock(index) }
        return try body()
    }

    /// Runs `body` holding the locks of `indices` (ascending, without repeats) exclusive, taken in that order.
    func withWriteLocks<Result>(_ indices: [Int], _ body: () throws -> Result) rethrows -> Result {
        assert(zip(indices, indices.dropFirst()).allSatisfy { $0 < $1 }, "shard locks are taken in ascending order")
        for index in indices { lockExclusive(index) }
        defer { for index in indices.reversed() { unlock(index) } }
        return try body()
    }

    @inline(__always)
    private func lockExclusive(_ index: Int) {
        let result = pthread_rwlock_wrlock(lock(index))
        precondition(result == 0, "pthread_rwlock_wrlock failed: \(result)")
    }

    @inline(__always)
    private func unlock(_ index: Int) {
        let result = pthread_rwlock_unlock(lock(index))
        precondition(result == 0, "pthread_rwlock_unlock failed: \(result)")
    }
}
