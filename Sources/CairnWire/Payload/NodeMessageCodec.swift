import CairnCore
import CairnMembership
import CairnNode
import CairnReplication

/// The binary encoding of `NodeMessage`, the payload of every one-way frame between nodes: a tag byte per enum
/// case, unsigned varints, length-prefixed bytes and strings (`PayloadWriter`). Decoding checks every length
/// against what is left and against the core's limits (node and table names, keys, counts); a payload that
/// does not decode throws a one-line `PayloadError`, never crashes. The gossiped cluster state travels as
/// its `Codable` JSON (at most `ClusterStateLimits.stateBytesMax` bytes) and must pass `ClusterState.check()`.
public struct NodeMessageCodec: WirePayloadCodec {
    /// Longest text carried in an error reply (`ReplicationError`'s details), in bytes.
    public static let errorTextBytesMax = 4_096
    /// Most piggybacked member updates one detector message may carry.
    public static let detectorUpdatesMax = ClusterStateLimits.membersMax
    /// The first byte of a payload that is not a `NodeMessage` but a node's address book (see `PeerAddressBook`).
    public static let addressBookTag: UInt8 = 0xA0

    public init() {}

    public func encode(_ payload: NodeMessage) throws -> [UInt8] {
        var out = PayloadWriter()
        switch payload {
        case .replication(let message):
            out.byte(1)
            Self.write(message, &out)
        case .gossip(let message):
            out.byte(2)
            try Self.write(message, &out)
        case .detector(let message):
            out.byte(3)
            Self.write(message, &out)
        case .transfer(let message):
            out.byte(4)
            Self.write(message, &out)
        }
        return out.bytes
    }

    public func decode(_ bytes: [UInt8]) throws -> NodeMessage {
        try Self.decodeMessage(bytes)
    }

    /// `decode` with its typed error.
    public static func decodeMessage(_ bytes: [UInt8]) throws(PayloadError) -> NodeMessage {
        var input = PayloadReader(bytes)
        let message: NodeMessage
        switch try input.byte("message") {
        case 1: message = .replication(try readReplication(&input))
        case 2: message = .gossip(try readGossip(&input))
        case 3: message = .detector(try readDetector(&input))
        case 4: message = .transfer(try readTransfer(&input))
        case let tag: throw .unknownTag(field: "message", tag: tag)
        }
        try input.finish()
        return message
    }

    // MARK: Shared fields

    static let tableNameBytesMax = max(ReplicationLimits.tableNameBytesMax, ClusterStateLimits.tableNameBytesMax)
    /// Stored copies, values and contexts: bounded by the frame that carries them.
    static let dataBytesMax = Int(UInt32.max)

    static func write(_ id: RequestID, _ out: inout PayloadWriter) {
        out.node(id.coordinator)
        out.varint(id.start)
        out.varint(id.sequence)
    }

    static func readRequestID(_ input: inout PayloadReader) throws(PayloadError) -> RequestID {
        RequestID(coordinator: try input.node("request coordinator"), start: try input.varint("request start"),
                  sequence: try input.varint("request sequence"))
    }

    static func readTable(_ input: inout PayloadReader) throws(PayloadError) -> String {
        try input.string("table", bytesMax: tableNameBytesMax)
    }

    static func readKey(_ input: inout PayloadReader) throws(PayloadError) -> [UInt8] {
        try input.blob("key", bytesMax: ReplicationLimits.keyBytesMax)
    }

    static func readData(_ input: inout PayloadReader, _ field: String = "data") throws(PayloadError) -> [UInt8] {
        try input.blob(field, bytesMax: dataBytesMax)
    }
}
