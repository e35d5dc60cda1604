import CairnReplication

/// What the simulated clients did and were told, for the checkers.
public struct ClientHistory {
    /// One put or delete a client issued.
    public struct Write {
        public var key: String
        /// The unique value written, or nil for a delete.
        public var value: String?
        /// The values of the get whose context this write carried: the values it supersedes.
        public var saw: Set<String>
        public var acknowledged = false
    }

    public private(set) var writes: [Write] = []

    mutating func record(_ write: Write) -> Int {
        writes.append(write)
        return writes.count - 1
    }

    mutating func acknowledge(_ index: Int) {
        writes[index].acknowledged = true
    }

    /// Values some issued write saw, so may legitimately be gone.
    var supersededByAnyWrite: Set<String> { Set(writes.flatMap(\.saw)) }
}
