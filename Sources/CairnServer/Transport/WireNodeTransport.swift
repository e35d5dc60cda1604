import CairnCore
import CairnNode
import CairnReplication
import CairnWire
import Logging

/// The node shell's `NodeTransport` over a `PeerTransport`: each message (in its `NodeMessage` envelope) becomes a one-way frame
/// whose payload `codec` encodes. The message encoding itself is not defined yet; whichever codec defines it
/// plugs in here, and `decode(_:)` turns an inbound frame back into the sender and its message. A message that
/// cannot be encoded or queued is logged and dropped: the replication core tolerates lost messages.
public final class WireNodeTransport<Codec: WirePayloadCodec>: NodeTransport where Codec.Payload == NodeMessage {
    public let transport: PeerTransport
    public let codec: Codec
    let logger: Logger

    public init(transport: PeerTransport, codec: Codec, logger: Logger) {
        self.transport = transport
        self.codec = codec
        self.logger = logger
    }

    public func send(to node: NodeID, _ message: NodeMessage) {
        let payload: [UInt8]
        do {
            payload = try codec.encode(message)
        } catch {
            return logger.error("message to \(node) dropped: it does not encode: \(error)")
        }
        if case .refused(let error) = transport.send(to: node, payload: payload) {
            logger.warning("message to \(node) dropped: \(error)")
        }
    }

    /// The sender and message of an inbound one-way frame; nil (logged) when its payload does not decode.
    public func decode(_ frame: InboundFrame) -> (from: NodeID, message: NodeMessage)? {
        guard frame.kind == .message else { return nil }
        do {
            return (frame.from, try codec.decode(frame.payload))
        } catch {
            logger.error("message from \(frame.from) dropped: it does not decode: \(error)")
            return nil
        }
    }
}
