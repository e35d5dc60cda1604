/// One event in a key's history: the `counter`-th write that `node` coordinated for that key.
public struct Dot: Hashable, Codable, Sendable, CustomStringConvertible {
    public var node: NodeID
    public var counter: UInt64

    public init(_ node: NodeID, _ counter: UInt64) {
        precondition(counter > 0, "dot counters start at 1")
        self.node = node
        self.counter = counter
    }

    public var description: String { "\(node):\(counter)" }
}

/// A version vector: for each node, the highest counter of its writes to a key that this history includes.
///
/// A node's writes to one key are numbered 1, 2, 3… by that node alone, and a node only coordinates a write
/// after reading its own stored copy of the key, so "node n up to c" always means every one of n's writes
/// numbered ≤ c. Entries are never pruned (pruning can drop concurrent writes); their number is bounded by
/// `ReplicationLimits.versionVectorEntriesMax` and a put that would pass it is refused.
public struct VersionVector: Hashable, Codable, Sendable, CustomStringConvertible {
    public private(set) var counters: [NodeID: UInt64]

    public init(_ counters: [NodeID: UInt64] = [:]) {
        self.counters = counters.filter { $0.value > 0 }
    }

    public static let empty = VersionVector()

    public subscript(node: NodeID) -> UInt64 { counters[node] ?? 0 }

    /// Whether this history includes `dot`.
    public func covers(_ dot: Dot) -> Bool { self[dot.node] >= dot.counter }

    /// Whether this history includes all of `other`'s.
    public func descends(from other: VersionVector) -> Bool {
        other.counters.allSatisfy { self[$0.key] >= $0.value }
    }

    /// The union of two histories.
    public func joined(with other: VersionVector) -> VersionVector {
        var result = self
        for (node, counter) in other.counters where counter > result[node] { result.counters[node] = counter }
        return result
    }

    /// Adds `dot` (and, by the numbering rule, every earlier write of its node).
    public mutating func add(_ dot: Dot) {
        if dot.counter > self[dot.node] { counters[dot.node] = dot.counter }
    }

    public var isEmpty: Bool { counters.isEmpty }

    public var description: String {
        "{" + counters.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",") + "}"
    }
}
