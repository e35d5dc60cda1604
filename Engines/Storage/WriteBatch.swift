/// An ordered list of puts and deletes that an engine applies atomically.
public struct WriteBatch: Sendable, Equatable {
    /// One write of a batch.
    public enum Operation: Sendable, Equatable {
        case put(key: Bytes, value: Bytes)
        case delete(key: Bytes)
    }

    public private(set) var operations: [Operation] = []
    /// Key and value bytes of every operation, summed.
    public private(set) var payloadBytes = 0

    public init() {}

    public init(_ operations: [Operation]) {
        for operation in operations { append(operation) }
    }

    public var isEmpty: Bool { operations.isEmpty }
    public var count: Int { operations.count }

    public mutating func put(_ key: Bytes, _ value: Bytes) { append(.put(key: key, value: value)) }
    public mutating func delete(_ key: Bytes) { append(.delete(key: key)) }

    public mutating func append(_ operation: Operation) {
        operations.append(operation)
        switch operation {
        case .put(let key, let value): payloadBytes += key.count + value.count
        case .delete(let key): payloadBytes += key.count
        }
    }
}
