/// Turns one kind of message into a frame's payload bytes and back. The transport carries payloads as opaque
/// bytes; the replication and membership messages plug in here once their encoding is defined.
/// `decode` must throw (never crash) on bytes it cannot read, naming the problem.
public protocol WirePayloadCodec<Payload>: Sendable {
    associatedtype Payload
    func encode(_ payload: Payload) throws -> [UInt8]
    func decode(_ bytes: [UInt8]) throws -> Payload
}

/// The identity codec: payloads are the bytes themselves (tests, benchmarks).
public struct RawPayloadCodec: WirePayloadCodec {
    public init() {}
    public func encode(_ payload: [UInt8]) -> [UInt8] { payload }
    public func decode(_ bytes: [UInt8]) -> [UInt8] { bytes }
}
