import CairnCore
import CairnWire
import Logging
import NIOCore

/// The last handler of a connection a peer opened to this node. The first frame must be the peer's handshake
/// (within `handshakeTimeoutMilliseconds`), answered with ours; after it, messages and requests go to the
/// callback. Anything else, or a bad frame, closes this connection with a logged error.
final class InboundConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = WireFrame
    typealias OutboundOut = WireFrame
    let local: NodeID
    let settings: TransportSettings
    let logger: Logger
    let onFrame: @Sendable (InboundFrame) -> Void
    private var peer: NodeID?
    private var handshakeTimeout: Scheduled<Void>?
    /// Between a read and its read-complete: answers given meanwhile are flushed once, at read-complete.
    private var reading = false
    private var answersUnflushed = false
    /// Sends an answer from any thread (made on the first request).
    private var sendAnswer: (@Sendable (WireFrame) -> Void)?

    init(local: NodeID, settings: TransportSettings, logger: Logger, onFrame: @escaping @Sendable (InboundFrame) -> Void) {
        self.local = local
        self.settings = settings
        self.logger = logger
        self.onFrame = onFrame
    }

    func channelActive(context: ChannelHandlerContext) {
        let milliseconds = settings.handshakeTimeoutMilliseconds
        let channel = context.channel
        let logger = logger
        handshakeTimeout = context.eventLoop.scheduleTask(in: .milliseconds(milliseconds)) {
            logger.error("closing connection from \(channel.remoteAddress.logText): no handshake within handshakeTimeoutMilliseconds (\(milliseconds) ms)")
            channel.close(promise: nil)
        }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshakeTimeout?.cancel()
        sendAnswer = nil  // it holds this handler: let both go
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = Self.unwrapInboundIn(data)
        reading = true
        guard let peer else { return handshake(frame, context: context) }
        switch frame.kind {
        case .message:
            onFrame(InboundFrame(from: peer, kind: .message, payload: frame.payload, responder: nil))
        case .request:
            let responder = FrameResponder(requestID: frame.requestID, limits: settings.wire, send: answerSender(context))
            onFrame(InboundFrame(from: peer, kind: .request, payload: frame.payload, responder: responder))
        case .handshake, .response, .failure:
            close(context, because: "a \(frame.kind) frame after the handshake")
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        reading = false
        if answersUnflushed {
            answersUnflushed = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    /// Answers given on the event loop during a read are written now and flushed together at read-complete
    /// (one system call for a burst of requests); answers from other threads are flushed at once.
    private func answerSender(_ context: ChannelHandlerContext) -> @Sendable (WireFrame) -> Void {
        if let sendAnswer { return sendAnswer }
        let channel = context.channel
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let send: @Sendable (WireFrame) -> Void = { frame in
            guard channel.eventLoop.inEventLoop else { return channel.writeAndFlush(frame, promise: nil) }
            let handler = handler.value
            if handler.reading {
                channel.write(frame, promise: nil)
                handler.answersUnflushed = true
            } else {
                channel.writeAndFlush(frame, promise: nil)
            }
        }
        sendAnswer = send
        return send
    }

    private func handshake(_ frame: WireFrame, context: ChannelHandlerContext) {
        do {
            let handshake = try Handshake(frame: frame)
            handshakeTimeout?.cancel()
            peer = handshake.node
            context.writeAndFlush(Self.wrapOutboundOut(Handshake(node: local).frame), promise: nil)
        } catch {
            close(context, because: "\(error)")
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(context, because: "\(error)")
    }

    private func close(_ context: ChannelHandlerContext, because reason: String) {
        let from = peer.map { "\($0)" } ?? context.channel.remoteAddress.logText
        logger.error("closing connection from \(from): \(reason)")
        context.close(promise: nil)
    }
}
