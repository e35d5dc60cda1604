import CairnCore

/// Joins and leaves an operator asked for at this node and not yet committed (Riak's `cluster join`/`leave`
/// before `cluster commit`). Kept locally: only the committed ring is gossiped.
public struct StagedChanges: Equatable, Sendable {
    public private(set) var joins: [NodeID] = []
    public private(set) var leaves: [NodeID] = []

    public var isEmpty: Bool { joins.isEmpty && leaves.isEmpty }

    mutating func join(_ node: NodeID) {
        if !joins.contains(node) { joins = (joins + [node]).sorted() }
    }

    mutating func leave(_ node: NodeID) {
        if !leaves.contains(node) { leaves = (leaves + [node]).sorted() }
    }

    mutating func clear() { self = StagedChanges() }
}
