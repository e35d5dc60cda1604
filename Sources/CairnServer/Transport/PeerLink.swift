import CairnCore
import CairnWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// One peer's pooled outbound connection: a bounded send queue drained into one TCP connection, opened on demand
/// (the first frame queued), handshaken (the peer must name itself as the node we meant), and reopened with
/// doubling backoff while frames wait. Requests are multiplexed over it by request id; each has a timeout.
/// Thread-safe: callers on any thread; socket work on the link's own event loop.
final class PeerLink: Sendable {
    let peer: NodeID
    let local: NodeID
    let eventLoop: any EventLoop
    let settings: TransportSettings
    let logger: Logger
    let state: NIOLockedValueBox<State>

    enum Connection {
        case idle
        case connecting
        case handshaking(any Channel)
        case ready(any Channel)
        case waitingToReconnect
        case shutDown

        var channel: (any Channel)? {
            switch self {
            case .handshaking(let channel), .ready(let channel): channel
            default: nil
            }
        }
    }

    struct PendingRequest {
        let promise: EventLoopPromise<[UInt8]>
        let timeout: Scheduled<Void>
    }

    struct State {
        var address: PeerAddress
        var connection = Connection.idle
        var queue = CircularBuffer<WireFrame>()
        var pending: [UInt64: PendingRequest] = [:]
        var nextRequestID: UInt64 = 1
        var backoffMilliseconds: Int64
        var drainScheduled = false
        var statistics = PeerLinkStatistics()
    }

    /// Work decided under the lock and done outside it (promises and sockets may call back into the link).
    struct Effects {
        var connect = false
        var drain: (any Channel)?
        var reconnectAfterMilliseconds: Int64?
        var failures: [(EventLoopPromise<[UInt8]>, TransportError)] = []
    }

    init(peer: NodeID, local: NodeID, address: PeerAddress, eventLoop: any EventLoop, settings: TransportSettings, logger: Logger) {
        self.peer = peer
        self.local = local
        self.eventLoop = eventLoop
        self.settings = settings
        self.logger = logger
        state = NIOLockedValueBox(State(address: address, backoffMilliseconds: settings.reconnectBackoffInitialMilliseconds))
    }

    var statistics: PeerLinkStatistics {
        state.withLockedValue { state in
            var statistics = state.statistics
            statistics.framesQueued = state.queue.count
            statistics.requestsPending = state.pending.count
            if case .ready = state.connection { statistics.connected = true }
            return statistics
        }
    }

    /// The address used by the next connect.
    func setAddress(_ address: PeerAddress) {
        state.withLockedValue { $0.address = address }
    }

    // MARK: Sending

    func send(_ frame: WireFrame) -> SendOutcome {
        var effects = Effects()
        let outcome = state.withLockedValue { state in enqueue(frame, state: &state, effects: &effects) }
        perform(effects)
        return outcome
    }

    /// Sends a request and answers with the peer's response payload, or fails with a `TransportError`.
    func request(_ payload: [UInt8], timeoutMilliseconds: Int64) -> EventLoopFuture<[UInt8]> {
        let promise = eventLoop.makePromise(of: [UInt8].self)
        var effects = Effects()
        state.withLockedValue { state in
            if case .shutDown = state.connection { return effects.failures.append((promise, .shutDown)) }
            guard state.pending.count < settings.peerPendingRequestsMax else {
                return effects.failures.append((promise, .tooManyPendingRequests(peer: peer, peerPendingRequestsMax: settings.peerPendingRequestsMax)))
            }
            let id = state.nextRequestID
            state.nextRequestID += 1
            let timeout = eventLoop.scheduleTask(in: .milliseconds(timeoutMilliseconds)) { [self] in
                requestTimedOut(id, milliseconds: timeoutMilliseconds)
            }
            state.pending[id] = PendingRequest(promise: promise, timeout: timeout)
            assert(state.pending.count <= settings.peerPendingRequestsMax, "pending requests stay within peerPendingRequestsMax")
            if case .refused(let error) = enqueue(WireFrame(kind: .request, requestID: id, payload: payload), state: &state, effects: &effects) {
                state.pending[id] = nil
                timeout.cancel()
                effects.failures.append((promise, error))
            }
        }
        perform(effects)
        return promise.futureResult
    }

    func enqueue(_ frame: WireFrame, state: inout State, effects: inout Effects) -> SendOutcome {
        if case .shutDown = state.connection { return .refused(.shutDown) }
        var outcome = SendOutcome.queued
        if state.queue.count >= settings.peerQueueFramesMax {
            switch settings.queueFullPolicy {
            case .refuseNew:
                state.statistics.framesRefusedQueueFull += 1
                return .refused(.queueFull(peer: peer, peerQueueFramesMax: settings.peerQueueFramesMax))
            case .dropOldest:
                let dropped = state.queue.removeFirst()
                state.statistics.framesDroppedQueueFull += 1
                if dropped.kind == .request, let request = state.pending.removeValue(forKey: dropped.requestID) {
                    request.timeout.cancel()
                    effects.failures.append((request.promise, .droppedQueueFull(peer: peer, peerQueueFramesMax: settings.peerQueueFramesMax)))
                }
                outcome = .queuedDroppingOldest
            }
        }
        state.queue.append(frame)
        assert(state.queue.count <= settings.peerQueueFramesMax, "the send queue stays within peerQueueFramesMax")
        switch state.connection {
        case .idle:
            state.connection = .connecting
            state.statistics.connectAttempts += 1
            effects.connect = true
        case .ready(let channel) where !state.drainScheduled:
            state.drainScheduled = true
            effects.drain = channel
        default: break
        }
        return outcome
    }

    func perform(_ effects: Effects) {
        for (promise, error) in effects.failures { promise.fail(error) }
        if effects.connect { connect() }
        if let channel = effects.drain { channel.eventLoop.execute { self.drain(channel) } }
        if let delay = effects.reconnectAfterMilliseconds {
            eventLoop.scheduleTask(in: .milliseconds(delay)) { self.reconnectDue() }
        }
    }

    /// Hands queued frames to the socket while it is writable, in batches, then flushes. Runs on the channel's loop.
    func drain(_ channel: any Channel) {
        while true {
            let batch: [WireFrame] = state.withLockedValue { state in
                guard case .ready(let current) = state.connection, current === channel, channel.isWritable else {
                    state.drainScheduled = false
                    return []
                }
                var batch = [WireFrame]()
                while batch.count < 64, let frame = state.queue.popFirst() { batch.append(frame) }
                state.statistics.framesWritten += batch.count
                if state.queue.isEmpty { state.drainScheduled = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            for frame in batch { channel.write(frame, promise: nil) }
            channel.flush()
            guard batch.count == 64 else { return }
        }
    }
}
