import CairnCore
import CairnReplication
import Foundation

/// The shape of one membership run, drawn from its seed: how many nodes found the cluster, which join and leave
/// later, the network's faults, the clients' load, and whether a node's disk is wiped.
public struct MembershipOptions: Sendable, CustomStringConvertible {
    public var seed: UInt64
    /// Nodes of the first ring (n1 founds it, the others join before the load starts).
    public var foundingNodes: Int
    /// Nodes that join during the load (one commit each).
    public var joiningNodes: Int
    /// Whether a founding node leaves during the load (staged leave, committed).
    public var leaves: Bool
    /// Whether a crashed node's data dir is wiped before it restarts.
    public var wipesADisk: Bool
    public var replicas: Int
    public var partitionCount = 64
    public var clientCount: Int
    public var keyCount: Int
    public var operationsPerClient: Int
    public var lossRate: Double
    public var messageDelayMillisecondsMax: UInt64
    /// Time between injected faults (crashes during transfers, partitions) while the load runs.
    public var faultIntervalMilliseconds: UInt64 = 700
    /// Transfer throttle, so transfers last long enough to be crashed and written to.
    public var transferBytesPerSecond: Int
    public var mutation: CoreMutation = .none

    /// Most virtual time a phase may take before the run is reported as stalled, in milliseconds.
    static let phaseMillisecondsMax: UInt64 = 300_000

    public static func forSeed(_ seed: UInt64) -> MembershipOptions {
        var random = SplitMix64(seed: seed ^ 0x6D65_6D62_6572)
        let founding = 3 + random.next(below: 2)
        let joining = 1 + random.next(below: 2)
        return MembershipOptions(
            seed: seed, foundingNodes: founding, joiningNodes: joining, leaves: random.next(below: 3) > 0,
            wipesADisk: random.next(below: 3) == 0, replicas: 2 + random.next(below: 2),
            clientCount: 2 + random.next(below: 3), keyCount: 6 + random.next(below: 10),
            operationsPerClient: 30 + random.next(below: 30), lossRate: Double(random.next(below: 6)) / 100,
            messageDelayMillisecondsMax: 1 + UInt64(random.next(below: 20)),
            transferBytesPerSecond: 200 + random.next(below: 2_000))
    }

    public var description: String {
        "seed \(seed): \(foundingNodes) founding + \(joiningNodes) joining nodes\(leaves ? ", one leaves" : "")"
            + "\(wipesADisk ? ", a disk wiped" : ""), N=\(replicas), \(clientCount) clients × \(operationsPerClient) ops on \(keyCount) keys, "
            + "loss \(lossRate), delay ≤ \(messageDelayMillisecondsMax) ms, transfers \(transferBytesPerSecond) B/s"
            + (mutation == .none ? "" : ", mutation \(mutation)")
    }
}
