#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A spin lock for the memory engine's sorted index, held only for a few instructions (a scan copying the index,
/// a writer changing it), so a waiter spins instead of sleeping in the kernel: a futex sleep and wake-up costs
/// tens of microseconds, far more than the wait itself; with it, the count of scans walking a snapshot.
///
/// A waiter tries `spinsBeforeYield` times, then yields its processor before each further try, so a holder that
/// was descheduled gets to run.
///
/// It is a pthread spin lock, called through C on purpose: the Swift optimizer treats a C call as able to release
/// any object, so it never moves the retains of a value copied under the lock (a scan's snapshot) past the unlock.
/// With a Swift atomic as the lock word it did, and a writer could change the index in place before the scan's
/// copy was retained.
final class SnapshotLock: @unchecked Sendable {
    /// Tries before a waiter starts yielding the processor.
    static let spinsBeforeYield = 256

    private let lock: UnsafeMutablePointer<pthread_spinlock_t>
    /// Scans walking a snapshot now: raised holding the lock, lowered with no lock when a scan is done reading.
    private let walkingScans = Atomic<Int>(0)

    init() {
        lock = .allocate(capacity: 1)
        let result = pthread_spin_init(lock, Int32(PTHREAD_PROCESS_PRIVATE))
        precondition(result == 0, "pthread_spin_init failed: \(result)")
    }

    deinit {
        pthread_spin_destroy(lock)
        lock.deallocate()
    }

    /// Runs `body` holding the lock.
    @inline(__always)
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        acquire()
        defer {
            let result = pthread_spin_unlock(lock)
            assert(result == 0, "pthread_spin_unlock failed: \(result)")
        }
        return try body()
    }

    /// Counts a scan that starts walking its snapshot. Call holding the lock, so a writer holding it sees it.
    @inline(__always)
    func scanStarted() {
        walkingScans.add(1, ordering: .relaxed)
    }

    /// Uncounts a scan that reads nothing of its snapshot any more; takes no lock.
    @inline(__always)
    func scanEnded() {
        let before = walkingScans.subtract(1, ordering: .releasing).oldValue
        assert(before > 0, "a scan ends only once, after it started")
    }

    /// Whether no scan walks a snapshot now. Call holding the lock, so none starts meanwhile; when true, every read
    /// of every ended scan happened before this call returned.
    @inline(__always)
    var noScanWalking: Bool { walkingScans.load(ordering: .acquiring) == 0 }

    @inline(__always)
    private func acquire() {
        var tries = 0
        while pthread_spin_trylock(lock) != 0 {
            tries += 1
            if tries >= Self.spinsBeforeYield { sched_yield() }
        }
    }
}
