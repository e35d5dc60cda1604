import CairnServer
import Dispatch
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

/// The shell executor runs jobs off the event loops, one at a time in order, and refuses jobs past its bound.
@Suite("Shell executor")
struct ShellExecutorTests {
    @Test("jobs submitted from an event loop run in order on a thread that is no event loop")
    func offLoopInOrder() async throws {
        try await withGroup { group in
            let executor = ShellExecutor()
            let order = NIOLockedValueBox<[Int]>([])
            let loop = group.next()
            let futures = try await loop.submit {
                (0..<100).map { index in
                    executor.submit(on: loop) { () -> Bool in
                        order.withLockedValue { $0.append(index) }
                        return MultiThreadedEventLoopGroup.currentEventLoop == nil
                    }
                }
            }.get()
            for future in futures { #expect(try await future.get(), "the job ran off the event loops") }
            #expect(order.withLockedValue { $0 } == Array(0..<100))
            #expect(executor.jobsQueued == 0)
            try await executor.shutdown()
        }
    }

    @Test("past jobsQueuedMax a job is refused with a clear error")
    func bounded() async throws {
        try await withGroup { group in
            let executor = ShellExecutor(jobsQueuedMax: 2)
            let gate = DispatchSemaphore(value: 0)
            let loop = group.next()
            let first = executor.submit(on: loop) { gate.wait() }
            let second = executor.submit(on: loop) {}
            await #expect(throws: ShellExecutorError.queueFull(jobsQueuedMax: 2)) { try await executor.submit(on: loop) {}.get() }
            #expect(ShellExecutorError.queueFull(jobsQueuedMax: 2).description == "the node shell is busy: jobsQueuedMax (2) jobs are waiting")
            gate.signal()
            try await first.get()
            try await second.get()
            #expect(try await executor.submit(on: loop) { 7 }.get() == 7)
            try await executor.shutdown()
        }
    }
}
