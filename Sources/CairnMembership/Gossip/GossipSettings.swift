import CairnCore

/// Who a node is: its name, failure zone and weight, and the nodes it first gossips with.
public struct GossipNodeConfiguration: Sendable {
    public var name: NodeID
    public var zone: String?
    public var weight: Int
    /// Nodes to gossip with before any member is known. With none, the node founds a cluster of its own.
    public var seeds: [NodeID]

    public init(name: NodeID, zone: String? = nil, weight: Int = 1, seeds: [NodeID]) {
        self.name = name
        self.zone = zone
        self.weight = weight
        self.seeds = seeds
    }

    public static let seedsMax = 64

    func check() throws(GossipError) {
        guard seeds.count <= Self.seedsMax else { throw .invalidConfiguration("\(seeds.count) seeds, more than seedsMax \(Self.seedsMax)") }
        guard !seeds.contains(name) else { throw .invalidConfiguration("node \(name) lists itself as a seed") }
        do {
            try ClusterState.checkMember(MemberRecord(name: name, zone: zone, weight: weight, status: .joining, version: 1))
        } catch {
            throw .invalidConfiguration(error.description)
        }
    }
}

/// How gossip runs: the peers each round (fan-out), the round's period, and the ring a founder creates.
public struct GossipSettings: Sendable {
    /// Peers sent a digest each round.
    public var fanOut: Int
    public var intervalMilliseconds: Int
    /// Q of the ring a founding node creates (fixed for the cluster's life).
    public var partitionCount: Int
    /// N the planner keeps distinct in every run of consecutive partitions (Riak's target_n_val).
    public var replicaCount: Int

    public init(fanOut: Int = 3, intervalMilliseconds: Int = 1_000, partitionCount: Int = 64, replicaCount: Int = 3) {
        self.fanOut = fanOut
        self.intervalMilliseconds = intervalMilliseconds
        self.partitionCount = partitionCount
        self.replicaCount = replicaCount
    }

    public static let fanOutMax = 16
    public static let intervalMillisecondsMax = 600_000

    func check() throws(GossipError) {
        guard (1...Self.fanOutMax).contains(fanOut) else {
            throw .invalidConfiguration("fan-out \(fanOut) must be 1…fanOutMax \(Self.fanOutMax)")
        }
        guard (1...Self.intervalMillisecondsMax).contains(intervalMilliseconds) else {
            throw .invalidConfiguration("gossip interval \(intervalMilliseconds) ms must be 1…\(Self.intervalMillisecondsMax)")
        }
        guard (Ring.partitionCountMin...Ring.partitionCountMax).contains(partitionCount) else {
            throw .invalidConfiguration("partition count \(partitionCount) must be \(Ring.partitionCountMin)…\(Ring.partitionCountMax)")
        }
        guard (1...ClusterStateLimits.replicasMax).contains(replicaCount) else {
            throw .invalidConfiguration("replica count \(replicaCount) must be 1…\(ClusterStateLimits.replicasMax)")
        }
    }
}

/// Why a gossip node refused a configuration, a message or an admin action: one line naming the problem.
public enum GossipError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidConfiguration(String)
    case refused(String)
    case state(ClusterStateError)

    public var description: String {
        switch self {
        case .invalidConfiguration(let text), .refused(let text): text
        case .state(let error): error.description
        }
    }
}
