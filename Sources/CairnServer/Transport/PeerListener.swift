import CairnCore
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Accepts connections from peers, at most `inboundConnectionsMax` at once; each gets the frame codec and an
/// `InboundConnectionHandler`.
enum PeerListener {
    static func bind(
        host: String, port: Int, local: NodeID, settings: TransportSettings, group: any EventLoopGroup, logger: Logger,
        onFrame: @escaping @Sendable (InboundFrame) -> Void
    ) async throws -> any Channel {
        let open = NIOLockedValueBox(0)
        return try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(
                .writeBufferWaterMark,
                value: .init(low: settings.writeBufferHighWaterMarkBytes / 2, high: settings.writeBufferHighWaterMarkBytes))
            .childChannelInitializer { channel in
                let admitted = open.withLockedValue { open in
                    guard open < settings.inboundConnectionsMax else { return false }
                    open += 1
                    return true
                }
                guard admitted else {
                    logger.error("refusing connection from \(channel.remoteAddress?.description ?? "?"): inboundConnectionsMax (\(settings.inboundConnectionsMax)) connections are open")
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in open.withLockedValue { $0 -= 1 } }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addWireFrameCodec(limits: settings.wire)
                    try channel.pipeline.syncOperations.addHandler(
                        InboundConnectionHandler(local: local, settings: settings, logger: logger, onFrame: onFrame))
                }
            }
            .bind(host: host, port: port).get()
    }
}
