import CairnCore
import CairnWire
import NIOCore
import NIOPosix

/// A link's connection: connecting, the handshake, reconnecting with backoff, answers and shutdown.
extension PeerLink {
    func connect() {
        let address = state.withLockedValue { $0.address }
        let settings = settings
        ClientBootstrap(group: eventLoop)
            .connectTimeout(.milliseconds(settings.connectTimeoutMilliseconds))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(
                .writeBufferWaterMark,
                value: .init(low: settings.writeBufferHighWaterMarkBytes / 2, high: settings.writeBufferHighWaterMarkBytes))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addWireFrameCodec(limits: settings.wire)
                    try channel.pipeline.syncOperations.addHandler(OutboundConnectionHandler(link: self))
                }
            }
            .connect(host: address.host, port: address.port)
            .whenFailure { error in self.connectFailed(error, address: address) }
    }

    private func connectFailed(_ error: any Error, address: PeerAddress) {
        logger.debug("cannot connect to \(peer) at \(address): \(error)")
        var effects = Effects()
        state.withLockedValue { state in
            state.statistics.connectFailures += 1
            guard case .connecting = state.connection else { return }
            scheduleReconnect(state: &state, effects: &effects)
        }
        perform(effects)
    }

    /// Waits the backoff before connecting again if frames wait; goes idle otherwise.
    func scheduleReconnect(state: inout State, effects: inout Effects) {
        guard !state.queue.isEmpty else {
            state.connection = .idle
            return
        }
        state.connection = .waitingToReconnect
        effects.reconnectAfterMilliseconds = state.backoffMilliseconds
        state.backoffMilliseconds = min(state.backoffMilliseconds * 2, settings.reconnectBackoffMaxMilliseconds)
    }

    func reconnectDue() {
        let connect = state.withLockedValue { state in
            guard case .waitingToReconnect = state.connection else { return false }
            state.connection = .connecting
            state.statistics.connectAttempts += 1
            return true
        }
        if connect { self.connect() }
    }

    /// The socket is open: send our handshake and wait for the peer's.
    func channelActive(_ channel: any Channel) {
        let accepted = state.withLockedValue { state in
            guard case .connecting = state.connection else { return false }
            state.connection = .handshaking(channel)
            return true
        }
        guard accepted else {
            channel.close(promise: nil)
            return
        }
        channel.writeAndFlush(Handshake(node: local).frame, promise: nil)
        let timeoutMilliseconds = settings.handshakeTimeoutMilliseconds
        channel.eventLoop.scheduleTask(in: .milliseconds(timeoutMilliseconds)) { [self] in
            let waiting = state.withLockedValue { state in
                if case .handshaking(let current) = state.connection, current === channel { return true }
                return false
            }
            if waiting {
                logger.error("closing connection to \(peer): no handshake within handshakeTimeoutMilliseconds (\(timeoutMilliseconds) ms)")
                channel.close(promise: nil)
            }
        }
    }

    /// The peer's handshake: it must name the peer this link is for.
    func handshakeReceived(_ handshake: Handshake, on channel: any Channel) {
        guard handshake.node == peer else {
            logger.error("closing connection to \(peer): the node there is \(handshake.node)")
            channel.close(promise: nil)
            return
        }
        let ready = state.withLockedValue { state in
            guard case .handshaking(let current) = state.connection, current === channel else { return false }
            state.connection = .ready(channel)
            state.backoffMilliseconds = settings.reconnectBackoffInitialMilliseconds
            state.statistics.connectionsEstablished += 1
            state.drainScheduled = true
            return true
        }
        if ready { drain(channel) }
    }

    /// The socket may take frames again.
    func writable(_ channel: any Channel) {
        let start = state.withLockedValue { state in
            guard case .ready(let current) = state.connection, current === channel, !state.drainScheduled, !state.queue.isEmpty else { return false }
            state.drainScheduled = true
            return true
        }
        if start { drain(channel) }
    }

    /// The connection closed: requests written on it are lost; queued frames wait for the next connection.
    func channelClosed(_ channel: any Channel) {
        var effects = Effects()
        state.withLockedValue { state in
            guard let current = state.connection.channel, current === channel else { return }
            let queuedRequests = Set(state.queue.lazy.filter { $0.kind == .request }.map(\.requestID))
            for (id, request) in state.pending where !queuedRequests.contains(id) {
                state.pending[id] = nil
                request.timeout.cancel()
                state.statistics.requestsLost += 1
                effects.failures.append((request.promise, .connectionLost(peer: peer)))
            }
            state.drainScheduled = false
            scheduleReconnect(state: &state, effects: &effects)
        }
        perform(effects)
    }

    /// A response or failure frame for request `id`; an answer that comes after its timeout is ignored.
    func answer(_ id: UInt64, _ result: Result<[UInt8], TransportError>) {
        let request = state.withLockedValue { $0.pending.removeValue(forKey: id) }
        guard let request else { return }
        request.timeout.cancel()
        request.promise.completeWith(result.mapError { $0 as any Error })
    }

    func requestTimedOut(_ id: UInt64, milliseconds: Int64) {
        let request = state.withLockedValue { state in
            let request = state.pending.removeValue(forKey: id)
            if request != nil { state.statistics.requestsTimedOut += 1 }
            return request
        }
        request?.promise.fail(TransportError.timedOut(peer: peer, milliseconds: milliseconds))
    }

    /// Closes the connection, drops queued frames and fails pending requests; later sends are refused.
    func shutdown() -> EventLoopFuture<Void> {
        let (channel, requests) = state.withLockedValue { state in
            let channel = state.connection.channel
            state.connection = .shutDown
            state.queue.removeAll()
            let requests = Array(state.pending.values)
            state.pending.removeAll()
            return (channel, requests)
        }
        for request in requests {
            request.timeout.cancel()
            request.promise.fail(TransportError.shutDown)
        }
        guard let channel else { return eventLoop.makeSucceededVoidFuture() }
        return channel.close().recover { _ in }
    }
}
