import CairnStorage

/// How many `PrefaultPool` refiller threads the process runs at once. Each memory table that stores a large value
/// would start one; past `refillersMax` a pool gets none and its puts map for themselves, as without a pool. So a
/// catalog of many memory tables (up to `ClusterStateLimits.tablesMax`) costs at most `refillersMax` threads and
/// `refillersMax × PrefaultPool.defaultPrefaultedBytesMax` bytes of populated mappings.
final class RefillerBudget: @unchecked Sendable {
    /// Refiller threads at most, process-wide: one per core of a small machine, and 32 MiB of pooled mappings.
    static let refillersMax = 8
    static let shared = RefillerBudget(refillersMax: refillersMax)

    let refillersMax: Int
    private let lock = ReadWriteLock()
    private var running = 0

    init(refillersMax: Int) {
        precondition(refillersMax >= 0, "refillersMax is never negative")
        self.refillersMax = refillersMax
    }

    /// Refiller threads running now.
    var runningCount: Int { lock.withReadLock { running } }

    /// Reserves one refiller, or answers false when `refillersMax` already run.
    func reserve() -> Bool {
        lock.withWriteLock {
            guard running < refillersMax else { return false }
            running += 1
            return true
        }
    }

    /// Gives back a refiller `reserve` granted (its thread ended, or was never created).
    func release() {
        lock.withWriteLock {
            assert(running > 0, "a refiller is released once per reservation")
            running -= 1
        }
    }
}
