import CairnReplication
import CairnNode
import NIOConcurrencyHelpers

/// The node's `ClientReplySink` in the server: each client request waits on a continuation keyed by the id the
/// runtime gave it; the reply (or the runtime's own timeout, whichever is first) resumes it exactly once.
final class PendingReplies: ClientReplySink, @unchecked Sendable {
    /// Requests waiting at most; one more is refused as overloaded. Matches the core's own limit.
    let pendingMax: Int
    private let waiting = NIOLockedValueBox<[UInt64: CheckedContinuation<ClientReply, Never>]>([:])

    init(pendingMax: Int) {
        self.pendingMax = pendingMax
    }

    var count: Int { waiting.withLockedValue { $0.count } }

    /// Registers `continuation` under `id`; false (nothing registered) when `pendingMax` already wait.
    func register(_ id: UInt64, _ continuation: CheckedContinuation<ClientReply, Never>) -> Bool {
        waiting.withLockedValue { waiting in
            guard waiting.count < pendingMax else { return false }
            assert(waiting[id] == nil, "request ids are never reused")
            waiting[id] = continuation
            return true
        }
    }

    func deliver(_ reply: ClientReply) { resolve(reply.id, with: reply) }

    /// Resumes the request `id` with `reply` if it still waits; a later reply for it is dropped.
    func resolve(_ id: UInt64, with reply: ClientReply) {
        let continuation = waiting.withLockedValue { $0.removeValue(forKey: id) }
        continuation?.resume(returning: reply)
    }

    /// Resumes every waiting request with `reply(id)` (shutdown).
    func resolveAll(_ reply: (UInt64) -> ClientReply) {
        let all = waiting.withLockedValue { waiting in
            defer { waiting.removeAll() }
            return waiting
        }
        for (id, continuation) in all { continuation.resume(returning: reply(id)) }
    }
}
