import CairnCore

/// Replicas a request was sent to, in the order chosen, and which of them stand in for another node.
struct ReplicaTargets {
    /// Every node asked, in order (primaries first, then fallbacks as they were drafted).
    private(set) var nodes: [NodeID] = []
    /// Fallbacks and the primary each stands in for.
    private(set) var standIns: [NodeID: NodeID] = [:]
    /// Fallbacks not drafted yet, in ring order.
    var unusedFallbacks: [NodeID]

    init(fallbacks: [NodeID]) {
        unusedFallbacks = fallbacks
    }

    mutating func add(_ node: NodeID, standingInFor owner: NodeID? = nil) {
        nodes.append(node)
        if let owner { standIns[node] = owner }
    }

    func contains(_ node: NodeID) -> Bool { nodes.contains(node) }
    func isPrimary(_ node: NodeID) -> Bool { contains(node) && standIns[node] == nil }

    /// Drafts the next fallback that is neither suspected nor `excluded`.
    mutating func draftFallback(avoiding suspected: Set<NodeID>, excluded: NodeID) -> NodeID? {
        while !unusedFallbacks.isEmpty {
            let candidate = unusedFallbacks.removeFirst()
            if candidate != excluded && !suspected.contains(candidate) && !contains(candidate) { return candidate }
        }
        return nil
    }
}
