import CairnCore

/// A client's get, put or delete, as it reaches a coordinating node.
public struct ClientRequest: Hashable, Sendable {
    public enum Operation: Hashable, Sendable {
        case get
        /// Store `value`; `context` is what the client read (nil: none), and exactly that is superseded.
        case put(value: [UInt8], context: [UInt8]?)
        /// Write a tombstone superseding what `context` saw.
        case delete(context: [UInt8]?)
    }

    /// The client's own number for the request, echoed in the reply.
    public var id: UInt64
    public var table: String
    public var key: [UInt8]
    public var operation: Operation
    public var options: RequestOptions

    public init(id: UInt64, table: String, key: [UInt8], operation: Operation, options: RequestOptions = .defaults) {
        self.id = id
        self.table = table
        self.key = key
        self.operation = operation
        self.options = options
    }
}

/// What a coordinator answers a client.
public enum ClientReply: Hashable, Sendable {
    /// The live values of every concurrent sibling (empty when absent or deleted), the opaque context to pass to
    /// the next put or delete, and each value's write time (milliseconds since 1970, the coordinator's clock;
    /// empty when not known, else one per value).
    case values(id: UInt64, values: [[UInt8]], context: [UInt8], modifiedMilliseconds: [UInt64] = [])
    /// The put or delete reached its write quorum.
    case written(id: UInt64)
    case failed(id: UInt64, error: ReplicationError)

    public var id: UInt64 {
        switch self {
        case .values(let id, _, _, _), .written(let id), .failed(let id, _): id
        }
    }
}

/// Opaque contexts: a version vector in the sibling-set encoding, with no siblings.
public enum CausalContext {
    public static func encode(_ history: VersionVector) -> [UInt8] {
        SiblingSetCodec.encode(SiblingSet(history: history))
    }

    public static func decode(_ bytes: [UInt8]?) throws(ReplicationError) -> VersionVector {
        guard let bytes else { return .empty }
        let decoded = try SiblingSetCodec.decode(bytes)
        guard decoded.siblings.isEmpty else { throw .corruptReplicaData("a context holds no siblings") }
        return decoded.history
    }
}
