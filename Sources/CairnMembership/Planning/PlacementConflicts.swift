import CairnCore

/// The placement rule a planner keeps, and how far an assignment of owners breaks it: any `replicaCount`
/// consecutive partitions are owned by distinct nodes, and any `zoneWindow` consecutive ones lie in distinct
/// zones, where `zoneWindow` is N or the number of zones if fewer ("where the zones allow"). When the rule
/// holds, a partition's preference list is simply the owners of it and the next N − 1 partitions.
struct PlacementConflicts {
    let partitionCount: Int
    let replicaCount: Int
    let zoneWindow: Int
    let zoneOf: [NodeID: String]

    init(partitionCount: Int, members: [RingMember], replicaCount: Int) {
        self.partitionCount = partitionCount
        self.replicaCount = Swift.min(replicaCount, members.count)
        var zones = [NodeID: String]()
        for member in members { if let zone = member.zone { zones[member.id] = zone } }
        zoneOf = zones
        zoneWindow = Swift.min(replicaCount, Set(zones.values).count)
    }

    /// A shared node weighs more than any number of shared zones at one partition, so the repair never trades
    /// N distinct nodes for zone spread.
    static let nodeConflictWeight = 8

    /// The weighted conflicts that involve `partition` if it were owned by `owner` (nil owners are unassigned).
    func conflicts(at partition: Int, owner: NodeID, in owners: [NodeID?]) -> Int {
        let (nodes, zones) = pairs(at: partition, owner: owner, in: owners)
        return nodes * Self.nodeConflictWeight + zones
    }

    /// Pairs involving `partition` that share a node within N, and that share a zone within the zone window.
    func pairs(at partition: Int, owner: NodeID, in owners: [NodeID?]) -> (nodes: Int, zones: Int) {
        var nodes = 0, zones = 0
        let zone = zoneOf[owner]
        let reach = Swift.max(replicaCount, zoneWindow) - 1
        guard reach > 0 else { return (0, 0) }
        for distance in 1...reach {
            for side in 0..<2 {
                let neighbour = side == 0 ? (partition + distance) % partitionCount : (partition - distance + partitionCount) % partitionCount
                guard neighbour != partition, let other = owners[neighbour] else { continue }
                if distance < replicaCount, other == owner { nodes += 1 }
                if distance < zoneWindow, let zone, other != owner, zoneOf[other] == zone { zones += 1 }
            }
        }
        return (nodes, zones)
    }

    /// Every conflicting pair of the assignment (node or zone), counted once.
    func total(in owners: [NodeID?]) -> Int {
        var sum = 0
        for partition in 0..<partitionCount {
            if let owner = owners[partition] {
                let (nodes, zones) = pairs(at: partition, owner: owner, in: owners)
                sum += nodes + zones
            }
        }
        return sum / 2
    }
}
