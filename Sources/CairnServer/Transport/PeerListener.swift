import CairnCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Accepts connections from peers, at most `inboundConnectionsMax` at once; each gets the frame codec and an
/// `InboundConnectionHandler`. `close()` closes the listening socket and every connection it accepted.
final class PeerListener: Sendable {
    let channel: any Channel
    private let connections: NIOLockedValueBox<[ObjectIdentifier: any Channel]>

    private init(channel: any Channel, connections: NIOLockedValueBox<[ObjectIdentifier: any Channel]>) {
        self.channel = channel
        self.connections = connections
    }

    static func bind(
        host: String, port: Int, local: NodeID, settings: TransportSettings, group: any EventLoopGroup, logger: Logger,
        onFrame: @escaping @Sendable (InboundFrame) -> Void
    ) async throws -> PeerListener {
        let connections = NIOLockedValueBox<[ObjectIdentifier: any Channel]>([:])
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: settings.writeBufferHighWaterMarkBytes / 2, high: settings.writeBufferHighWaterMarkBytes))
            .childChannelInitializer { channel in
                let id = ObjectIdentifier(channel)
                let admitted = connections.withLockedValue { connections in
                    guard connections.count < settings.inboundConnectionsMax else { return false }
                    connections[id] = channel
                    return true
                }
                guard admitted else {
                    logger.error("refusing connection from \(channel.remoteAddress.logText): inboundConnectionsMax (\(settings.inboundConnectionsMax)) connections are open")
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in _ = connections.withLockedValue { $0.removeValue(forKey: id) } }
                return channel.eventLoop.makeCompletedFuture {
                    try InboundPipeline.configure(channel, local: local, settings: settings, logger: logger, onFrame: onFrame)
                }
            }
            .bind(host: host, port: port).get()
        return PeerListener(channel: channel, connections: connections)
    }

    var port: Int? { channel.localAddress?.port }

    func close() async {
        try? await channel.close()
        let open = connections.withLockedValue { Array($0.values) }
        for connection in open { try? await connection.close() }
    }
}

/// The handlers of an inbound connection: the frame codec, then `InboundConnectionHandler`.
public enum InboundPipeline {
    /// Adds them to `channel`'s pipeline; call on its event loop.
    public static func configure(
        _ channel: any Channel, local: NodeID, settings: TransportSettings, logger: Logger,
        onFrame: @escaping @Sendable (InboundFrame) -> Void
    ) throws {
        try channel.pipeline.syncOperations.addWireFrameCodec(limits: settings.wire)
        try channel.pipeline.syncOperations.addHandler(
            InboundConnectionHandler(local: local, settings: settings, logger: logger, onFrame: onFrame))
    }
}
