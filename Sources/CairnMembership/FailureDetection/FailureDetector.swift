import CairnCore

/// SWIM failure detection with HashiCorp's Lifeguard extensions, as a sans-IO state machine in the style of
/// swift-cluster-membership's `SWIM.Instance`: the protocol-period tick, probe timeouts and messages come in
/// with the current (injected) time; sends, timers and member-status changes come out as `Directive`s for the
/// shell to perform. Randomness (probe order, relay choice) comes from an injected seeded `SplitMix64`, so a
/// run replays exactly from its seed.
///
/// Each protocol period the node pings one member, in a shuffled round-robin order. A member that does not
/// ack within the probe timeout is probed indirectly through `indirectProbeCount` relays; one that still has
/// not acked by the end of the period is suspected. A suspicion spreads piggybacked on the probe traffic and,
/// while there is news, by a push to a few members every gossip interval (as memberlist does); it becomes
/// `dead` when its timeout runs out, unless the member refutes it by raising its incarnation. Lifeguard adds:
/// - local health (`localHealth`): failed probes, missed nacks and suspicions of this node raise a saturating
///   counter that stretches this node's probe timings, so a slow node stops suspecting healthy ones;
/// - dynamic suspicion timeouts: long at first, shrinking as independent nodes confirm the suspicion;
/// - the buddy system: a ping to a suspected member always carries its suspicion, so it can refute at once.
///
/// **Hook for coordinators** (issue 9: "a suspected node is avoided by coordinators, and its writes go to
/// fallbacks with hints"). Wired in CairnNode's `ClusterNode`: it runs one detector beside the `ReplicaNode`,
/// routes the detector's messages and timers, and hands `unreachableMembers` to the core whenever they change
/// (`ReplicaNode.onUnreachableMembersChanged`), which counts them as `suspected`, the set its coordinators pass
/// to `draftFallback(avoiding:)`: a suspected or dead primary gets a fallback holding a hint. A false
/// suspicion then costs latency (a detour through a fallback), never data; a change back to `alive` offers
/// the hints held for that node at once.
public struct FailureDetector: Sendable {
    /// One member as this node sees it.
    struct Member: Sendable {
        var status: MemberStatus
        var suspicion: Suspicion?
    }

    /// A running suspicion: who has confirmed it, and when it ends.
    struct Suspicion: Sendable {
        var startedAt: UInt64
        var confirmers: Set<NodeID>
        var deadline: UInt64
    }

    /// The probe of the current protocol period.
    struct Probe: Sendable {
        var target: NodeID
        var sequence: UInt64
        var acked = false
        var relaysAsked = 0
        var nacksReceived = 0
    }

    /// A probe this node performs for another (it received a ping-request).
    struct Relay: Sendable {
        var origin: NodeID
        var originSequence: UInt64
        var target: NodeID
    }

    /// The largest incarnation a message may carry: far beyond any real count of refutations, and far enough
    /// below `UInt64.max` that refuting never overflows.
    public static let incarnationMax: UInt64 = 1 << 62

    public let id: NodeID
    public let settings: Settings
    var random: SplitMix64
    var now: UInt64 = 0
    /// This node's own incarnation: raised only to refute a suspicion or a death of itself.
    public internal(set) var incarnation: UInt64 = 0
    /// Lifeguard's local health multiplier, 0 (healthy) … `settings.localHealthMax`.
    public internal(set) var localHealth = 0
    var members: [NodeID: Member] = [:]
    var probeOrder: [NodeID] = []
    var probeIndex = 0
    var probe: Probe?
    var relays: [UInt64: Relay] = [:]
    var nextSequence: UInt64 = 1
    var piggyback = PiggybackQueue()
    /// Members that told this node an old suspicion or death of itself: the next message to each carries this
    /// node's current `alive` first, so the refutation reaches exactly those who missed it.
    var staleViewers: Set<NodeID> = []

    /// Direct probes this node started.
    public internal(set) var probesSentCount = 0
    /// Probes that ended with no ack, direct or indirect: each one raised (or confirmed) a suspicion.
    public internal(set) var probesFailedCount = 0
    /// Times this node raised its incarnation to refute a suspicion or death of itself.
    public internal(set) var refutationCount = 0
    /// Inputs refused (see `Directive.rejected`).
    public internal(set) var rejectedCount = 0

    /// A detector for node `id` watching `members` (all alive at incarnation 0). Throws when the settings are
    /// out of range, the members are more than `membersMax`, or `id` is among them.
    public init(id: NodeID, members: [NodeID], settings: Settings = Settings(), random: SplitMix64) throws(FailureDetectionError) {
        try settings.check()
        self.id = id
        self.settings = settings
        self.random = random
        let others = Set(members)
        if others.contains(id) { throw .selfAsMember(id) }
        if others.count > settings.membersMax {
            throw .membersFull(node: others.sorted().last!, limit: settings.membersMax)
        }
        for node in others.sorted() { self.members[node] = Member(status: .alive(0)) }
    }

    /// Starts probing: the first protocol period begins after a random part of one, so nodes started
    /// together do not probe in lockstep. Call once, before any other event.
    public mutating func start(now: UInt64) -> [Directive] {
        self.now = now
        let offset = UInt64(random.next(below: Int(settings.protocolPeriodMilliseconds)))
        var directives: [Directive] = [.startTimer(.protocolPeriod, afterMilliseconds: offset + 1)]
        if settings.gossipFanout > 0 {
            directives.append(.startTimer(.gossip, afterMilliseconds: offset % settings.gossipIntervalMilliseconds + 1))
        }
        return directives
    }

    /// Tracks a member the cluster membership added (alive at incarnation 0 unless already known).
    public mutating func addMember(_ node: NodeID) throws(FailureDetectionError) -> [Directive] {
        if node == id { throw .selfAsMember(node) }
        guard members[node] == nil else { return [] }
        guard members.count < settings.membersMax else { throw .membersFull(node: node, limit: settings.membersMax) }
        insert(node, status: .alive(0))
        return [.statusChanged(StatusChange(node: node, previous: nil, current: .alive(0)))]
    }

    /// Stops tracking a member that left the cluster (its status is forgotten, not declared dead).
    public mutating func removeMember(_ node: NodeID) {
        members[node] = nil
        staleViewers.remove(node)
        piggyback.remove(node: node)
        probeOrder.removeAll { $0 == node }
        probeIndex = min(probeIndex, probeOrder.count)
    }

    // MARK: Queries

    /// The status of `node` as this node sees it (this node itself is always alive), or nil if unknown.
    public func status(of node: NodeID) -> MemberStatus? {
        node == id ? .alive(incarnation) : members[node]?.status
    }

    /// Every tracked member (this node excluded) with its status, in name order.
    public var memberStatuses: [(node: NodeID, status: MemberStatus)] {
        members.keys.sorted().map { ($0, members[$0]!.status) }
    }

    /// True when `node` is suspected or dead: coordinators should not count on it.
    public func isSuspected(_ node: NodeID) -> Bool {
        guard let status = status(of: node) else { return false }
        return status.state != .alive
    }

    /// Members believed alive (this node included): the ones a coordinator should ask first.
    public var reachableMembers: Set<NodeID> {
        Set(members.filter { $0.value.status.state == .alive }.keys).union([id])
    }

    /// Members suspected or dead: the set coordinators avoid, sending those members' writes to fallbacks.
    public var unreachableMembers: Set<NodeID> {
        Set(members.filter { $0.value.status.state != .alive }.keys)
    }

    /// Cluster size as this node counts it for timeouts and retransmissions: live members plus itself.
    var memberCount: Int { members.count + 1 }

    /// `milliseconds` stretched by local health (Lifeguard's LHM-scaled probe interval and timeout).
    func scaled(_ milliseconds: UInt64) -> UInt64 { milliseconds * UInt64(1 + localHealth) }

    mutating func adjustLocalHealth(by delta: Int) {
        localHealth = min(settings.localHealthMax, max(0, localHealth + delta))
        assert((0...settings.localHealthMax).contains(localHealth), "local health stays within 0…localHealthMax")
    }

    mutating func newSequence() -> UInt64 {
        defer { nextSequence += 1 }
        return nextSequence
    }

    /// Up to `count` distinct members for which `include` holds, drawn at random: a partial Fisher–Yates shuffle
    /// of the members in name order, so the choice depends on the seed alone.
    mutating func randomMembers(_ count: Int, where include: (NodeID, Member) -> Bool) -> [NodeID] {
        var candidates = members.keys.sorted().filter { include($0, members[$0]!) }
        let chosenCount = min(count, candidates.count)
        for chosen in 0..<chosenCount {
            candidates.swapAt(chosen, chosen + random.next(below: candidates.count - chosen))
        }
        return Array(candidates.prefix(chosenCount))
    }

    /// Adds a member to the table and to a random place in the probe order.
    mutating func insert(_ node: NodeID, status: MemberStatus) {
        members[node] = Member(status: status)
        let index = probeOrder.isEmpty ? 0 : random.next(below: probeOrder.count + 1)
        probeOrder.insert(node, at: index)
        if index < probeIndex { probeIndex += 1 }
    }
}
