import CairnCore

/// One node's membership as a sans-IO state machine: it holds the cluster state, gossips it on a timer and
/// merges what it hears. Events in (`start`, `onTimer`, `onMessage`, admin actions), `GossipDirective`s out.
/// Randomness is a seeded `SplitMix64`; time is only the timers the shell runs.
///
/// Each round the node sends its state's digest to `fanOut` random peers (known members not marked down,
/// and its seeds); a peer with another digest answers with its state, and the node answers that with the merged
/// state if it knew more. A node that hears itself marked `down` refutes it by gossiping its record one
/// version higher.
public struct GossipNode: Sendable {
    public let configuration: GossipNodeConfiguration
    public let settings: GossipSettings
    public internal(set) var state: ClusterState
    /// Hash of the state's canonical bytes; equal states have equal digests.
    public internal(set) var digest: UInt64
    public internal(set) var staged = StagedChanges()
    var random: SplitMix64
    /// Gossip targets: members not down and seeds, without this node, in name order.
    private(set) var peers: [NodeID] = []
    /// This node's own status before anyone marked it down, which a refutation restores.
    var statusToRestore: MemberStatus
    /// The last commit made here and what it staged, re-staged if a concurrent commit wins over it.
    var lastCommit: (id: CommitID, changes: StagedChanges)?

    public var name: NodeID { configuration.name }

    /// A node with a fresh state (or `restoredState`, the last one it persisted). Without seeds and without a
    /// ring it founds a cluster: it is `valid` and owns every partition of a first ring.
    public init(
        configuration: GossipNodeConfiguration, settings: GossipSettings = GossipSettings(), seed: UInt64,
        restoredState: ClusterState? = nil
    ) throws(GossipError) {
        try configuration.check()
        try settings.check()
        if let restoredState {
            do { try restoredState.check() } catch { throw .state(error) }
        }
        self.configuration = configuration
        self.settings = settings
        random = SplitMix64(seed: seed)
        state = restoredState ?? ClusterState()
        let founder = configuration.seeds.isEmpty && state.ring == nil
        let known = state.members[configuration.name]
        statusToRestore = known.map { $0.status == .down ? .valid : $0.status } ?? (founder ? .valid : .joining)
        var record = MemberRecord(
            name: configuration.name, zone: configuration.zone, weight: configuration.weight, status: statusToRestore,
            version: known?.version ?? 1)
        // A restart with the same record keeps its version; anything new about it (or a refuted down) is newer.
        if let known, known != record { record.version = known.version + 1 }
        do {
            try state.put(record)
            if founder {
                let ring = PartitionPlanner.initialRing(
                    partitionCount: settings.partitionCount, members: [record.ringMember], replicaCount: settings.replicaCount)
                try state.commit(ring: ring, by: configuration.name, transfers: [])
            }
        } catch {
            throw .state(error)
        }
        digest = 0
        stateChanged()
    }

    /// Persist the starting state and start the gossip timer.
    public func start() -> [GossipDirective] {
        [.persist(state), .startTimer(.gossipRound, afterMilliseconds: settings.intervalMilliseconds)]
    }

    /// A gossip round: the digest to `fanOut` random peers, and the next round's timer.
    public mutating func onTimer(_ timer: GossipTimer) -> [GossipDirective] {
        switch timer {
        case .gossipRound:
            var directives = choosePeers().map { GossipDirective.send(to: $0, .digest(digest)) }
            directives.append(.startTimer(.gossipRound, afterMilliseconds: settings.intervalMilliseconds))
            return directives
        }
    }

    /// A message from `sender`. A state beyond the limits is dropped with a warning naming the limit.
    public mutating func onMessage(_ message: GossipMessage, from sender: NodeID) -> [GossipDirective] {
        switch message {
        case .digest(let theirs):
            return theirs == digest ? [] : [.send(to: sender, .state(state, replyWanted: true))]
        case .state(let incoming, let replyWanted):
            let bytes: [UInt8]
            do {
                try incoming.checkParts()  // first: the encoding relies on a well-formed ring
                bytes = ClusterStateBytes.encode(incoming)
                try ClusterState.checkSize(bytes.count)
            } catch {
                return [.log(.warning, "gossip from \(sender) dropped: \(error.description)")]
            }
            var directives = absorb(incoming)
            if replyWanted, StableHash.hash(bytes) != digest {
                directives.append(.send(to: sender, .state(state, replyWanted: false)))
            }
            return directives
        }
    }

    /// Merges `incoming`, refutes a `down` about this node, notices a commit of its own that lost.
    mutating func absorb(_ incoming: ClusterState) -> [GossipDirective] {
        let before = digest
        state.merge(incoming)
        var directives: [GossipDirective] = []
        if let mine = state.members[name] {
            if mine.status == .down {
                var refuted = mine
                refuted.status = statusToRestore
                refuted.version += 1
                do {
                    try state.put(refuted)
                    directives.append(.log(.info, "refuted down with version \(refuted.version)"))
                } catch {
                    assertionFailure("a checked record one version higher is always accepted: \(error)")
                }
            } else {
                statusToRestore = mine.status
            }
        }
        if let lost = lastCommit, let ring = state.ring, ring.epoch >= lost.id.epoch, !ring.lineage.contains(lost.id) {
            lastCommit = nil
            for node in lost.changes.joins { staged.join(node) }
            for node in lost.changes.leaves { staged.leave(node) }
            directives.append(.log(.warning, "commit of epoch \(lost.id.epoch) lost to \(ring.commit.committer)'s; its changes are staged again"))
        }
        stateChanged()
        if digest != before { directives.insert(.persist(state), at: 0) }
        return directives
    }

    /// Recomputes the digest and the peers after any change of the state.
    mutating func stateChanged() {
        digest = ClusterStateBytes.digest(of: state)
        var targets = Set(configuration.seeds)
        for record in state.members.values where record.status != .down { targets.insert(record.name) }
        targets.remove(name)
        peers = targets.sorted()
    }

    /// `fanOut` distinct peers drawn at random (all of them when there are no more).
    private mutating func choosePeers() -> [NodeID] {
        guard peers.count > settings.fanOut else { return peers }
        var chosen: [Int] = []
        while chosen.count < settings.fanOut {
            let index = random.next(below: peers.count)
            if !chosen.contains(index) { chosen.append(index) }
        }
        return chosen.map { peers[$0] }
    }
}
