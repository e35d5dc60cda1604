import CairnCore

/// A hinted write held by a fallback node for an unreachable owner: merged per (owner, table, key).
public struct Hint: Hashable, Sendable {
    public var owner: NodeID
    public var table: String
    public var key: [UInt8]
    /// The encoded sibling set to hand over.
    public var data: [UInt8]

    public init(owner: NodeID, table: String, key: [UInt8], data: [UInt8]) {
        self.owner = owner
        self.table = table
        self.key = key
        self.data = data
    }

    public var slot: HintSlot { HintSlot(owner: owner, table: table, key: key) }
}

/// Where a hint is kept: one per (owner, table, key).
public struct HintSlot: Hashable, Sendable {
    public var owner: NodeID
    public var table: String
    public var key: [UInt8]

    public init(owner: NodeID, table: String, key: [UInt8]) {
        self.owner = owner
        self.table = table
        self.key = key
    }
}
