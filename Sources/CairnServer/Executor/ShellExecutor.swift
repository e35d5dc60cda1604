import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Where the node shell runs: one dedicated thread, off every event loop, taking jobs in the order they were
/// submitted, so the shell (not thread-safe) is called by one thread at a time and its blocking storage calls
/// (LMDB, LevelDB fsyncs) never stall a socket. At most `jobsQueuedMax` jobs wait; one more is refused.
public final class ShellExecutor: Sendable {
    /// Jobs waiting or running at most. Default 10,000.
    public let jobsQueuedMax: Int
    private let pool: NIOThreadPool
    private let queued = NIOLockedValueBox(0)

    public init(jobsQueuedMax: Int = 10_000) {
        precondition(jobsQueuedMax >= 1, "jobsQueuedMax must be at least 1")
        self.jobsQueuedMax = jobsQueuedMax
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    /// Jobs waiting or running now.
    public var jobsQueued: Int { queued.withLockedValue { $0 } }

    /// Runs `work` on the shell's thread; the future (on `eventLoop`) holds its result, or
    /// `ShellExecutorError.queueFull` when `jobsQueuedMax` jobs already wait.
    public func submit<T: Sendable>(on eventLoop: any EventLoop, _ work: @escaping @Sendable () throws -> T) -> EventLoopFuture<T> {
        let admitted = queued.withLockedValue { queued in
            guard queued < jobsQueuedMax else { return false }
            queued += 1
            return true
        }
        guard admitted else { return eventLoop.makeFailedFuture(ShellExecutorError.queueFull(jobsQueuedMax: jobsQueuedMax)) }
        let queued = queued
        return pool.runIfActive(eventLoop: eventLoop) {
            defer { queued.withLockedValue { $0 -= 1 } }
            return try work()
        }
    }

    /// Waits for the jobs submitted, then stops the thread.
    public func shutdown() async throws {
        try await pool.shutdownGracefully()
    }
}

/// Why the shell executor refused a job.
public enum ShellExecutorError: Error, Sendable, Hashable, CustomStringConvertible {
    case queueFull(jobsQueuedMax: Int)

    public var description: String {
        switch self {
        case .queueFull(let max): "the node shell is busy: jobsQueuedMax (\(max)) jobs are waiting"
        }
    }
}
