#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// A spin lock for the memory engine's sorted index and its count of pinned scans, held only for a few
/// instructions (a scan copying the index, a writer changing it), so a waiter spins instead of sleeping in the
/// kernel: a futex sleep and wake-up costs tens of microseconds, far more than the wait itself.
///
/// A waiter spins `spinsBeforeYield` times, then yields its processor on each further try, so a holder that was
/// descheduled gets to run.
final class SnapshotLock: @unchecked Sendable {
    /// Tries before a waiter starts yielding the processor.
    static let spinsBeforeYield = 256

    private let locked = Atomic<Bool>(false)

    /// Runs `body` holding the lock.
    @inline(__always)
    func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock()
        defer { locked.store(false, ordering: .releasing) }
        return try body()
    }

    @inline(__always)
    private func lock() {
        if locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged { return }
        var spins = 0
        while true {
            if !locked.load(ordering: .relaxed),
                locked.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
            {
                return
            }
            spins += 1
            if spins >= Self.spinsBeforeYield { sched_yield() }
        }
    }
}
