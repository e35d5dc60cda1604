import CairnCore
import CairnMembership
import CairnReplication

/// The membership parts of one `ClusterNode`: gossip (cluster state, ring, catalog), the failure detector, and
/// the two sides of partition transfers. The node routes messages and timers to them and wires their outputs to
/// its `ReplicaNode`; read them for the admin commands (`gossip.state`, `sender.transfers`, `receiver.transfers`,
/// `detector.memberStatuses`).
public struct ClusterMembership {
    public internal(set) var gossip: GossipNode
    public internal(set) var detector: FailureDetector
    public internal(set) var sender: Transfer.Sender
    public internal(set) var receiver: Transfer.Receiver
    /// The moves of the ring changes this node followed (sorted; the latest `plannedMovesMax` kept), for routing
    /// the hints of departed owners.
    public internal(set) var plan = Transfer.Plan(moves: [])
    /// Hints offered to a departed owner's replacement: (replacement, table, key) → the owners the hints are held
    /// for, so the replacement's `hintAck` deletes the owner's hint (the one whose data it acknowledges).
    var redirectedHints: [HintSlot: Set<NodeID>] = [:]
    /// What the last ownership check found (partitions stored here that this node does not hold in its ring).
    public internal(set) var ownership = OwnershipCheck()
    /// How often the node looks for partitions it stores but does not hold, and hands them to their holders.
    public let ownershipCheckIntervalMilliseconds: UInt64

    /// Most moves remembered in `plan`, and most redirected hints awaiting their acknowledgement.
    public static let plannedMovesMax = 100_000
    public static let redirectedHintsMax = 100_000
    /// Bounds of `ownershipCheckIntervalMilliseconds` (each check reads one key of every partition the node does
    /// not hold).
    public static let ownershipCheckIntervalMillisecondsRange: ClosedRange<UInt64> = 100...3_600_000

    /// The parts of one node; `ownershipCheckIntervalMilliseconds` (default 10 s) must lie within
    /// `ownershipCheckIntervalMillisecondsRange`.
    public init(
        gossip: GossipNode, detector: FailureDetector, sender: Transfer.Sender, receiver: Transfer.Receiver,
        ownershipCheckIntervalMilliseconds: UInt64 = 10_000
    ) {
        precondition(
            Self.ownershipCheckIntervalMillisecondsRange.contains(ownershipCheckIntervalMilliseconds),
            "ownershipCheckIntervalMilliseconds \(ownershipCheckIntervalMilliseconds) is outside \(Self.ownershipCheckIntervalMillisecondsRange)")
        self.ownershipCheckIntervalMilliseconds = ownershipCheckIntervalMilliseconds
        self.gossip = gossip
        self.detector = detector
        self.sender = sender
        self.receiver = receiver
    }
}
