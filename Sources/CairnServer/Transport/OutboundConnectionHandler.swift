import CairnWire
import NIOCore

/// The last handler of an outbound connection: passes the peer's handshake, responses and failures to its
/// `PeerLink`. A frame of another kind or a bad frame closes the connection with a logged error.
final class OutboundConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = WireFrame
    let link: PeerLink

    init(link: PeerLink) {
        self.link = link
    }

    func channelActive(context: ChannelHandlerContext) {
        link.channelActive(context.channel)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        link.channelClosed(context.channel)
        context.fireChannelInactive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { link.writable(context.channel) }
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        switch frame.kind {
        case .handshake:
            do {
                link.handshakeReceived(try Handshake(frame: frame), on: context.channel)
            } catch {
                close(context, because: "\(error)")
            }
        case .response: link.answer(frame.requestID, .success(frame.payload))
        case .failure:
            let reason = String(decoding: frame.payload, as: UTF8.self)
            link.answer(frame.requestID, .failure(.peerFailed(peer: link.peer, reason: reason)))
        case .message, .request:
            close(context, because: "a \(frame.kind) frame on an outbound connection (only answers come back)")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(context, because: "\(error)")
    }

    private func close(_ context: ChannelHandlerContext, because reason: String) {
        link.logger.error("closing connection to \(link.peer): \(reason)")
        context.close(promise: nil)
    }
}
