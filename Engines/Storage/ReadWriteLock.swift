#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread reader-writer lock: many readers or one writer.
///
/// Engines take it shared for ordinary operations and exclusive for close (and LMDB's map growth), so a
/// handle is never freed while a call still uses it.
public final class ReadWriteLock: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_rwlock_t>

    public init() {
        lock = .allocate(capacity: 1)
        lock.initialize(to: pthread_rwlock_t())
        let result = pthread_rwlock_init(lock, nil)
        precondition(result == 0, "pthread_rwlock_init failed: \(result)")
    }

    deinit {
        pthread_rwlock_destroy(lock)
        lock.deinitialize(count: 1)
        lock.deallocate()
    }

    @inlinable
    public func withReadLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lockShared()
        defer { unlock() }
        return try body()
    }

    @inlinable
    public func withWriteLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lockExclusive()
        defer { unlock() }
        return try body()
    }

    @usableFromInline
    func lockShared() {
        let result = pthread_rwlock_rdlock(lock)
        precondition(result == 0, "pthread_rwlock_rdlock failed: \(result)")
    }

    @usableFromInline
    func lockExclusive() {
        let result = pthread_rwlock_wrlock(lock)
        precondition(result == 0, "pthread_rwlock_wrlock failed: \(result)")
    }

    @usableFromInline
    func unlock() {
        let result = pthread_rwlock_unlock(lock)
        precondition(result == 0, "pthread_rwlock_unlock failed: \(result)")
    }
}
