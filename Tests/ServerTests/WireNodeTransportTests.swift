import CairnCore
import CairnNode
import CairnReplication
import CairnServer
import CairnWire
import Testing

/// A stand-in message codec: it carries only pings and pongs (the real encoding is defined elsewhere).
struct PingPongCodec: WirePayloadCodec {
    struct Unsupported: Error, CustomStringConvertible {
        let description: String
    }

    func encode(_ message: NodeMessage) throws -> [UInt8] {
        switch message {
        case .replication(.coordinator(.ping(let id))): [1] + Array(id.coordinator.name.utf8)
        case .replication(.coordinator(.pong(let id))): [2] + Array(id.coordinator.name.utf8)
        default: throw Unsupported(description: "only ping and pong")
        }
    }

    func decode(_ bytes: [UInt8]) throws -> NodeMessage {
        guard let tag = bytes.first, let name = String(validating: bytes.dropFirst(), as: UTF8.self), !name.isEmpty else {
            throw Unsupported(description: "empty or not UTF-8")
        }
        let id = RequestID(coordinator: NodeID(name), start: 0, sequence: 0)
        switch tag {
        case 1: return .replication(.coordinator(.ping(id: id)))
        case 2: return .replication(.coordinator(.pong(id: id)))
        default: throw Unsupported(description: "unknown tag \(tag)")
        }
    }
}

/// The node shell's transport port carries messages through the payload codec, and drops (logging) what
/// does not encode, decode or queue.
@Suite("Node transport over the wire", .timeLimit(.minutes(1)))
struct WireNodeTransportTests {
    @Test("a message sent through the port arrives decoded, with its sender; failures are logged, not fatal")
    func messages() async throws {
        try await withGroup { group in
            let logs = LogRecorder()
            let a = try await TestNode.start("a", group: group), b = try await TestNode.start("b", group: group)
            a.transport.setAddress(of: "b", b.address)
            let port = WireNodeTransport(transport: a.transport, codec: PingPongCodec(), logger: logs.logger("a"))
            let id = RequestID(coordinator: "a", start: 0, sequence: 0)
            port.send(to: "b", .replication(.coordinator(.ping(id: id))))
            port.send(to: "b", .replication(.coordinator(.putAck(id: id))))
            port.send(to: "nobody", .replication(.coordinator(.pong(id: id))))
            #expect(try await eventually { b.inbox.count == 1 })
            let receiver = WireNodeTransport(transport: b.transport, codec: PingPongCodec(), logger: logs.logger("b"))
            let first = try #require(b.inbox.all.first)
            let decoded = try #require(receiver.decode(first))
            #expect(decoded.from == "a" && decoded.message == .replication(.coordinator(.ping(id: id))))
            #expect(logs.contains("message to b dropped: it does not encode: only ping and pong"))
            #expect(logs.contains("message to nobody dropped: no address known for peer nobody"))
            a.transport.send(to: "b", payload: [9, 65])
            #expect(try await eventually { b.inbox.count == 2 })
            #expect(receiver.decode(b.inbox.all[1]) == nil)
            #expect(logs.contains("message from a dropped: it does not decode: unknown tag 9"))
            await a.transport.shutdown()
            await b.transport.shutdown()
        }
    }
}
