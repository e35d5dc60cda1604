import CairnNode
import NIOCore

/// The node's `NodeTimerService` in the server: each timer is a task scheduled on an event loop which, when it
/// fires, hands the timer (with its generation) back to the runtime, which feeds the shell on its executor.
final class ServerTimers: NodeTimerService, @unchecked Sendable {
    let eventLoop: any EventLoop
    let fire: @Sendable (NodeTimer, UInt64) -> Void

    init(eventLoop: any EventLoop, fire: @escaping @Sendable (NodeTimer, UInt64) -> Void) {
        self.eventLoop = eventLoop
        self.fire = fire
    }

    func schedule(_ timer: NodeTimer, afterMilliseconds: UInt64, generation: UInt64) {
        let fire = fire
        eventLoop.scheduleTask(in: .milliseconds(Int64(min(afterMilliseconds, UInt64(Int64.max / 1_000_000))))) {
            fire(timer, generation)
        }
    }
}
