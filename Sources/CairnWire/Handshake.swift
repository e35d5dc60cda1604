import CairnCore

/// The first frame each side sends on a connection: who is speaking and which protocol version it speaks.
/// Payload: `version (UInt8) ‖ name length (UInt8) ‖ node name (UTF-8, 1…NodeID.nameBytesMax bytes)`.
public struct Handshake: Sendable, Hashable {
    public var node: NodeID
    public var protocolVersion: UInt8

    public init(node: NodeID, protocolVersion: UInt8 = WireProtocol.version) {
        self.node = node
        self.protocolVersion = protocolVersion
    }

    /// The handshake as a frame (request id 0).
    public var frame: WireFrame {
        let name = Array(node.name.utf8)
        return WireFrame(kind: .handshake, payload: [protocolVersion, UInt8(name.count)] + name)
    }

    /// Reads a handshake frame; refuses another kind, a cut or padded payload, a bad name, or another version.
    public init(frame: WireFrame) throws(WireError) {
        guard frame.kind == .handshake else { throw .badHandshake("expected a handshake frame, got \(frame.kind)") }
        let payload = frame.payload
        guard payload.count >= 2 else { throw .badHandshake("payload of \(payload.count) bytes, at least 2 expected") }
        let nameBytes = Int(payload[1])
        guard nameBytes >= 1 && nameBytes <= NodeID.nameBytesMax else {
            throw .badHandshake("node name of \(nameBytes) bytes is not within 1…\(NodeID.nameBytesMax) bytes")
        }
        guard payload.count == 2 + nameBytes else {
            throw .badHandshake("payload of \(payload.count) bytes, \(2 + nameBytes) expected for a \(nameBytes)-byte name")
        }
        guard let name = String(validating: payload[2...], as: UTF8.self) else {
            throw .badHandshake("node name is not UTF-8")
        }
        guard payload[0] == WireProtocol.version else { throw .unknownVersion(payload[0]) }
        self.init(node: NodeID(name), protocolVersion: payload[0])
    }
}
