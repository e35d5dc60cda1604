/// A member of the ring: a node, its share of the partitions (weight) and its failure zone.
public struct RingMember: Hashable, Codable, Sendable {
    public var id: NodeID
    /// Relative capacity: a node of weight 2 holds twice the partitions of a node of weight 1.
    public var weight: Int
    /// Failure zone (rack, data centre); preference lists spread over zones first.
    public var zone: String?

    public init(_ id: NodeID, weight: Int = 1, zone: String? = nil) {
        precondition(weight >= 1 && weight <= Ring.weightMax, "weights are 1…\(Ring.weightMax)")
        self.id = id
        self.weight = weight
        self.zone = zone
    }
}

/// The consistent-hashing ring of Dynamo's strategy 3: the hash space is cut into Q equal partitions, fixed when
/// the cluster is created, and each partition is owned by one node.
///
/// Owners are balanced by weight: a node's share is Q × weight / total weight, rounded so shares add up to Q.
/// Adding or removing a node moves only the partitions needed to restore balance. A key's preference list is
/// the first N distinct nodes met walking the ring clockwise from its partition, distinct zones first.
public struct Ring: Equatable, Codable, Sendable {
    public static let partitionCountMin = 64
    public static let partitionCountMax = 1_024
    public static let weightMax = 1_000
    public static let membersMax = 1_024

    public let partitionCount: Int
    public private(set) var members: [RingMember]
    /// The owner of each partition.
    public private(set) var owners: [NodeID]

    /// A ring of `partitionCount` partitions over `members`, dealt round-robin so neighbours differ.
    public init(partitionCount: Int, members: [RingMember]) {
        Self.checkShape(partitionCount: partitionCount, members: members)
        self.partitionCount = partitionCount
        self.members = members.sorted { $0.id < $1.id }
        self.owners = []
        let targets = Self.shares(of: self.members, partitionCount: partitionCount)
        // Deal like cards: each round gives a partition to every node still below its share.
        var dealt = [NodeID: Int]()
        while owners.count < partitionCount {
            for member in self.members where dealt[member.id, default: 0] < targets[member.id]! {
                owners.append(member.id)
                dealt[member.id, default: 0] += 1
                if owners.count == partitionCount { break }
            }
        }
        assertBalanced()
    }

    /// A ring with the given owner of each partition, as a planner computed it. Every owner must be a member and
    /// every member must hold exactly its share (`shares(of:partitionCount:)`); anything else is a bug in the caller.
    public init(partitionCount: Int, members: [RingMember], owners: [NodeID]) {
        Self.checkShape(partitionCount: partitionCount, members: members)
        self.partitionCount = partitionCount
        self.members = members.sorted { $0.id < $1.id }
        self.owners = owners
        assertBalanced()
    }

    private static func checkShape(partitionCount: Int, members: [RingMember]) {
        precondition(
            (Self.partitionCountMin...Self.partitionCountMax).contains(partitionCount),
            "Q is \(Self.partitionCountMin)…\(Self.partitionCountMax)")
        precondition(!members.isEmpty && members.count <= Self.membersMax, "a ring has 1…\(Self.membersMax) members")
        precondition(Set(members.map(\.id)).count == members.count, "member ids are unique")
    }

    /// The partition a key belongs to.
    public func partition<Key: Sequence<UInt8>>(for key: Key) -> Int {
        Self.partition(for: key, partitionCount: partitionCount)
    }

    /// The partition a key belongs to in any ring of `partitionCount` partitions: it depends on Q alone.
    public static func partition<Key: Sequence<UInt8>>(for key: Key, partitionCount: Int) -> Int {
        Int(truncatingIfNeeded: StableHash.hash(key).multipliedFullWidth(by: UInt64(partitionCount)).high)
    }

    /// The first `count` distinct nodes walking clockwise from `partition`, nodes of unused zones first.
    public func preferenceList(forPartition partition: Int, count: Int) -> [NodeID] {
        precondition((0..<partitionCount).contains(partition), "partition in range")
        var walk: [NodeID] = []
        var seen = Set<NodeID>()
        for step in 0..<partitionCount {
            let owner = owners[(partition + step) % partitionCount]
            if seen.insert(owner).inserted { walk.append(owner) }
            if walk.count == members.count { break }
        }
        guard members.contains(where: { $0.zone != nil }) else { return Array(walk.prefix(count)) }
        let zones = Dictionary(uniqueKeysWithValues: members.map { ($0.id, $0.zone) })
        var chosen: [NodeID] = []
        var usedZones = Set<String>()
        for node in walk where chosen.count < count {
            guard let zone = zones[node] ?? nil else { continue }
            if usedZones.insert(zone).inserted { chosen.append(node) }
        }
        for node in walk where chosen.count < count && !chosen.contains(node) { chosen.append(node) }
        return chosen
    }

    /// The preference list of a key.
    public func preferenceList<Key: Sequence<UInt8>>(for key: Key, count: Int) -> [NodeID] {
        preferenceList(forPartition: partition(for: key), count: count)
    }

    /// The partitions `node` owns.
    public func partitions(ownedBy node: NodeID) -> [Int] {
        owners.indices.filter { owners[$0] == node }
    }

    /// This ring with `member` added, moving partitions only from nodes above their new share.
    public func adding(_ member: RingMember) -> Ring {
        precondition(!members.contains { $0.id == member.id }, "\(member.id) is already a member")
        var ring = self
        ring.members = (members + [member]).sorted { $0.id < $1.id }
        ring.rebalance()
        return ring
    }

    /// This ring without `node`, its partitions handed to the nodes furthest below their new share.
    public func removing(_ node: NodeID) -> Ring {
        precondition(members.contains { $0.id == node } && members.count > 1, "\(node) is a member, not the last")
        var ring = self
        ring.members.removeAll { $0.id == node }
        ring.rebalance()
        return ring
    }

    /// Moves the fewest partitions that bring every member to its share.
    private mutating func rebalance() {
        let targets = Self.shares(of: members, partitionCount: partitionCount)
        var held = [NodeID: Int]()
        for owner in owners where targets[owner] != nil { held[owner, default: 0] += 1 }
        // Partitions that must move: those of departed nodes, and each over-share node's excess, taken spread
        // out along the ring (every k-th partition) so new owners do not cluster.
        var movable: [Int] = []
        for member in members {
            let excess = held[member.id, default: 0] - targets[member.id]!
            guard excess > 0 else { continue }
            let mine = partitions(ownedBy: member.id)
            let stride = Swift.max(1, mine.count / excess)
            movable += (0..<excess).map { mine[($0 * stride) % mine.count] }
        }
        movable += owners.indices.filter { targets[owners[$0]] == nil }
        var deficits = members.map { ($0.id, targets[$0.id]! - held[$0.id, default: 0]) }.filter { $0.1 > 0 }
        for partition in movable.sorted() {
            guard let index = deficits.indices.max(by: { deficits[$0].1 < deficits[$1].1 }) else { break }
            owners[partition] = deficits[index].0
            deficits[index].1 -= 1
        }
        assertBalanced()
    }

    /// Each member's share: Q × weight / total, with the remainder going to the largest fractions (ties by id).
    public static func shares(of members: [RingMember], partitionCount: Int) -> [NodeID: Int] {
        let totalWeight = members.reduce(0) { $0 + $1.weight }
        var shares = [NodeID: Int]()
        var remainders: [(NodeID, Int)] = []
        for member in members {
            let exact = partitionCount * member.weight
            shares[member.id] = exact / totalWeight
            remainders.append((member.id, exact % totalWeight))
        }
        let left = partitionCount - shares.values.reduce(0, +)
        for (id, _) in remainders.sorted(by: { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }).prefix(left) {
            shares[id]! += 1
        }
        return shares
    }

    private func assertBalanced() {
        let targets = Self.shares(of: members, partitionCount: partitionCount)
        var held = [NodeID: Int]()
        for owner in owners { held[owner, default: 0] += 1 }
        precondition(owners.count == partitionCount && held == targets.filter { $0.value > 0 }, "the ring is balanced")
    }
}
