import CairnCore
import CairnWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Node-to-node transport over TCP: one pooled outbound connection per peer (`PeerLink`: connect on demand,
/// reconnect with backoff, bounded send queue, multiplexed requests) and a listener whose connections hand
/// decoded messages and requests to `onFrame`, on an event loop. Payloads are opaque bytes (see
/// `WirePayloadCodec`). Call `shutdown()` before the event loop group is shut down.
public final class PeerTransport: Sendable {
    public let local: NodeID
    public let settings: TransportSettings
    let group: any EventLoopGroup
    let logger: Logger
    let onFrame: @Sendable (InboundFrame) -> Void
    /// The links by peer, and whether the transport is shut down (one lock, so no link is made after shutdown).
    private let links = NIOLockedValueBox<(byPeer: [NodeID: PeerLink], shutDown: Bool)>(([:], false))
    private let addresses = NIOLockedValueBox<[NodeID: PeerAddress]>([:])
    private let listeners = NIOLockedValueBox<[PeerListener]>([])

    /// Refuses settings out of range with `TransportSettingsError`, naming the first one.
    public init(
        local: NodeID, settings: TransportSettings = TransportSettings(), group: any EventLoopGroup, logger: Logger,
        onFrame: @escaping @Sendable (InboundFrame) -> Void
    ) throws {
        if let problem = settings.problem { throw TransportSettingsError(problem) }
        self.local = local
        self.settings = settings
        self.group = group
        self.logger = logger
        self.onFrame = onFrame
    }

    /// Listens for peers on `host:port` (port 0: an ephemeral port) and returns the port bound.
    public func listen(host: String, port: Int) async throws -> Int {
        let listener = try await PeerListener.bind(
            host: host, port: port, local: local, settings: settings, group: group, logger: logger, onFrame: onFrame)
        let kept = listeners.withLockedValue { listeners in
            guard !links.withLockedValue({ $0.shutDown }) else { return false }
            listeners.append(listener)
            return true
        }
        guard kept else {
            await listener.close()
            throw TransportError.shutDown
        }
        guard let bound = listener.port else { throw TransportSettingsError("the listener on \(host):\(port) has no port") }
        return bound
    }

    /// Where `peer` listens; takes effect at its next connect.
    public func setAddress(of peer: NodeID, _ address: PeerAddress) {
        addresses.withLockedValue { $0[peer] = address }
        links.withLockedValue { $0.byPeer[peer] }?.setAddress(address)
    }

    /// Queues a one-way message for `peer`.
    @discardableResult
    public func send(to peer: NodeID, payload: [UInt8]) -> SendOutcome {
        if let refusal = refusal(payloadBytes: payload.count) { return .refused(refusal) }
        guard let link = link(to: peer) else { return .refused(refusal(payloadBytes: 0) ?? .unknownPeer(peer)) }
        return link.send(WireFrame(kind: .message, payload: payload))
    }

    /// Sends a request to `peer`; the future holds its answer, or fails with a `TransportError`
    /// (`timedOut` after `timeoutMilliseconds`; less than 1 counts as 1).
    public func request(to peer: NodeID, payload: [UInt8], timeoutMilliseconds: Int64) -> EventLoopFuture<[UInt8]> {
        if let refusal = refusal(payloadBytes: payload.count) { return group.next().makeFailedFuture(refusal) }
        guard let link = link(to: peer) else {
            return group.next().makeFailedFuture(refusal(payloadBytes: 0) ?? TransportError.unknownPeer(peer))
        }
        return link.request(payload, timeoutMilliseconds: max(1, timeoutMilliseconds))
    }

    public func request(to peer: NodeID, payload: [UInt8], timeoutMilliseconds: Int64) async throws -> [UInt8] {
        try await request(to: peer, payload: payload, timeoutMilliseconds: timeoutMilliseconds).get()
    }

    /// The counters of the link to `peer` (all zero if none was opened).
    public func statistics(of peer: NodeID) -> PeerLinkStatistics {
        links.withLockedValue { $0.byPeer[peer] }?.statistics ?? PeerLinkStatistics()
    }

    /// Closes the listeners, the connections they accepted and every link, failing pending requests; later sends are refused.
    public func shutdown() async {
        let links = links.withLockedValue { links in
            links.shutDown = true
            return Array(links.byPeer.values)
        }
        let listeners = listeners.withLockedValue { listeners in
            defer { listeners.removeAll() }
            return listeners
        }
        for listener in listeners { await listener.close() }
        for link in links { try? await link.shutdown().get() }
    }

    private func refusal(payloadBytes: Int) -> TransportError? {
        if links.withLockedValue({ $0.shutDown }) { return .shutDown }
        guard WireProtocol.headerBytes + payloadBytes <= settings.wire.frameBytesMax else {
            return .frameTooLarge(.oversized(frameBytes: WireProtocol.headerBytes + payloadBytes, frameBytesMax: settings.wire.frameBytesMax))
        }
        return nil
    }

    private func link(to peer: NodeID) -> PeerLink? {
        guard let address = addresses.withLockedValue({ $0[peer] }) else { return nil }
        return links.withLockedValue { links in
            guard !links.shutDown else { return nil }
            if let link = links.byPeer[peer] { return link }
            let link = PeerLink(peer: peer, local: local, address: address, eventLoop: group.next(), settings: settings, logger: logger)
            links.byPeer[peer] = link
            return link
        }
    }
}

/// A transport setting out of range, named in the message.
public struct TransportSettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
