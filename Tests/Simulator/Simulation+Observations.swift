import CairnCore
import CairnNode
import CairnReplication

/// What the checkers learn while the run goes on: the dot each write got, when it was acknowledged and by
/// whom it was held then, and the histories reads returned.
struct Observations {
    /// The dot each client write was coordinated under, by client request id, and when it was issued.
    var dots: [UInt64: Dot] = [:]
    var issuedAt: [UInt64: UInt64] = [:]
    /// When each write was acknowledged, and the nodes that held it durably then.
    var acknowledgements: [UInt64: (at: UInt64, holders: [NodeID])] = [:]
    /// The union of every history a read of the key returned (so it covers each write that took effect).
    var seenHistory: [String: VersionVector] = [:]
    /// The union of the histories of every tombstone a node reaped (removed from its disk): each write they
    /// cover took effect (it was stored, then superseded by the delete the tombstone records), even when no
    /// read ran between the delete and the reap to see it.
    var reapedHistory: [String: VersionVector] = [:]
    /// Writes a node is handing to a primary, by the node and its forward id: when no primary answers in time,
    /// the node coordinates the write itself at its `forwardTimeout`, and its dot is issued then.
    var forwards: [NodeID: [RequestID: ClientRequest]] = [:]
    /// Acknowledged writes no disk held any more right after a power loss (buffered tables) or a wiped disk:
    /// the fault destroyed their last copies, which is what those faults may do.
    var destroyed: Set<UInt64> = []
    /// When each owner last acknowledged a hand-over, by hint slot.
    var handOverAcknowledgedAt: [HintSlot: UInt64] = [:]
}

/// How close a run came to the core's limits, to show a workload reaches them.
public struct LimitsReached: Sendable {
    /// Most siblings and version-vector entries any read returned.
    public var siblingsMax = 0
    public var versionVectorEntriesMax = 0
    /// Client requests refused, by the limit or error named in the refusal.
    public var refusals: [String: Int] = [:]

    public init() {}
}

/// A write's dot, issued once the directive at `directiveIndex` is performed (a crash before it means the
/// dot was never used, and may legitimately be issued again).
struct IssuedDot {
    var requestID: UInt64
    var dot: Dot
    var directiveIndex: Int
}

extension Simulation {
    /// Checker failures kept from the run itself; more would only repeat the first ones.
    static let failuresDuringRunMax = 20

    func fail(_ failure: String) {
        log("CHECK FAILED: \(failure)")
        if failuresDuringRun.count < Self.failuresDuringRunMax { failuresDuringRun.append(failure) }
    }

    // MARK: Dots

    /// The history a write handled at `node` starts from (its stored copy joined with the client's context),
    /// or nil when `message` is not a forwarded write.
    func dotBase(at node: SimulatedNode, for message: Message) -> VersionVector? {
        guard case .coordinator(.coordinate(_, let request)) = message else { return nil }
        return dotBase(at: node, request)
    }

    func dotBase(at node: SimulatedNode, _ request: ClientRequest) -> VersionVector? {
        let context: [UInt8]?
        switch request.operation {
        case .get: return nil
        case .put(_, let given), .delete(let given): context = given
        }
        let stored = node.readingPastFaults { (try? node.store.load(table: request.table, key: request.key)) ?? nil }
            .flatMap { try? SiblingSetCodec.decode($0) }
        let contextHistory = (try? CausalContext.decode(context)) ?? .empty
        return (stored?.history ?? .empty).joined(with: contextHistory)
    }

    /// The dot coordinator `node` gave `request` (the history entry of one of its actors, `node/…`, that its new
    /// copy has beyond `base`), and the directive that first carries the new copy: the dot counts as issued only
    /// once that one is performed. (A one-shot copy may carry other writers' entries beyond `base` too.)
    func newDot(of request: ClientRequest, at node: NodeID, base: VersionVector?, in directives: [Directive]) -> IssuedDot? {
        guard let base, observed.dots[request.id] == nil else { return nil }
        let carrier = directives.enumerated().lazy.compactMap { index, directive -> (Int, [UInt8])? in
            switch directive {
            case .persist(_, let key, let data) where key == request.key: (index, data)
            case .send(_, .replica(.put(_, _, let key, let data, _))) where key == request.key: (index, data)
            default: nil
            }
        }.first
        guard let (index, data) = carrier, let object = try? SiblingSetCodec.decode(data) else { return nil }
        let new = object.history.counters.filter { $0.value > base[$0.key] && Self.isActor($0.key, of: node) }.sorted { $0.key < $1.key }
        // The new write is a sibling of the new copy (unless `lww` settled it away): prefer its dot. A one-shot copy
        // may also carry, beyond `base`, entries of this node's earlier actors (an earlier start's one-shot actor).
        let siblingDots = Set(object.siblings.map(\.dot))
        guard let (node, counter) = new.first(where: { siblingDots.contains(Dot($0.key, $0.value)) }) ?? new.first else {
            // A dot the writer's own context or the stored copy already covers: two writes now share it.
            fail("dot reuse: a write of \(text(request.key)) was coordinated under a dot its base \(base) already covers: \(Checkers.describe(object))")
            return nil
        }
        return IssuedDot(requestID: request.id, dot: Dot(node, counter), directiveIndex: index)
    }

    /// Remembers the writes `directives` start forwarding, so a dot issued when the forward times out is seen.
    func noteForwards(of request: ClientRequest, at node: NodeID, in directives: [Directive]) {
        if case .get = request.operation { return }
        for case .startTimer(.coordinator(.forwardTimeout(let forwardID)), _) in directives {
            observed.forwards[node, default: [:]][forwardID] = request
        }
    }

    /// The write node `id` may coordinate itself when `timer` fires: one whose forward no primary took on.
    func forwardedWrite(at id: NodeID, on timer: TimerID) -> ClientRequest? {
        guard case .coordinator(.forwardTimeout(let forwardID)) = timer, let request = observed.forwards[id]?[forwardID],
            observed.dots[request.id] == nil
        else { return nil }
        return request
    }

    /// Whether `actor` is one of `node`'s: `node/incarnation` as a primary, `node/incarnation/generation` as a
    /// one-shot writer.
    static func isActor(_ actor: NodeID, of node: NodeID) -> Bool {
        actor == node || actor.name.hasPrefix(node.name + "/")
    }

    func record(_ issued: IssuedDot) {
        observed.dots[issued.requestID] = issued.dot
        observed.issuedAt[issued.requestID] = now
    }

    // MARK: Checks during the run

    /// When a coordinator answers "written", at least W nodes, PW of them primaries, hold the write durably (a
    /// stored copy or a hint whose history covers its dot), judged from the disks, not from any node's memory.
    func checkAcknowledgedWrite(_ reply: ClientReply) {
        guard case .written(let requestID) = reply, let index = writeIndexByRequest[requestID],
            observed.acknowledgements[requestID] == nil
        else { return }
        let write = history.writes[index]
        let holders = observed.dots[requestID].map { dot in nodeIDs.filter { holds(dot, key: write.key, at: $0) } } ?? []
        observed.acknowledgements[requestID] = (now, holders)
        // A node that lost power since the write was issued may have acknowledged it and lost it since, as its
        // buffered durability allows, and so may a node whose copy of the key was corrupted since; the
        // lost-write checker judges what that costs.
        let issued = observed.issuedAt[requestID] ?? now
        let keyBytes = Array(write.key.utf8)
        let mayHaveLostIt = nodeIDs.filter { id in
            !holders.contains(id)
                && (nodes[id]!.powerLosses.contains { $0.at >= issued } || nodes[id]!.corruptions.contains { $0.at >= issued && $0.key == keyBytes })
        }
        let needed = options.table.writeQuorum
        let dot = observed.dots[requestID].map(String.init(describing:)) ?? "none ever sent"
        let primaries = Set(ring.preferenceList(for: Array(write.key.utf8), count: options.table.replicas))
        let primaryHolders = holders.filter(primaries.contains).count + mayHaveLostIt.filter(primaries.contains).count
        if primaryHolders < options.primaryWriteQuorum {
            fail("durability: \(write.key)=\(write.value ?? "†") (dot \(dot)) acknowledged with PW=\(options.primaryWriteQuorum) while only \(holders) held it")
        }
        guard holders.count + mayHaveLostIt.count < needed else { return }
        fail("durability: \(write.key)=\(write.value ?? "†") (dot \(dot)) acknowledged with W=\(needed) while only \(holders) held it")
    }

    /// After a power loss or a wiped disk: the acknowledged writes whose every copy on every disk is gone now.
    func noteWritesDestroyed() {
        for (requestID, _) in observed.acknowledgements where !observed.destroyed.contains(requestID) {
            guard let dot = observed.dots[requestID], let index = writeIndexByRequest[requestID] else { continue }
            let key = history.writes[index].key
            // A write a node pruned or reaped took effect and was superseded: no copy need hold its dot any more.
            if observed.reapedHistory[key]?.covers(dot) ?? false { continue }
            if !nodeIDs.contains(where: { holds(dot, key: key, at: $0) }) { observed.destroyed.insert(requestID) }
        }
    }

    /// Whether node `id`'s disk holds the write `dot` of `key`, in its stored copy or in a hint.
    func holds(_ dot: Dot, key: String, at id: NodeID) -> Bool {
        guard let node = nodes[id], let view = diskView(of: node) else { return false }
        return node.readingPastFaults { holds(dot, key: Array(key.utf8), in: view) }
    }

    private func holds(_ dot: Dot, key bytes: [UInt8], in view: EngineReplicaStore) -> Bool {
        if let data = (try? view.load(table: Simulation.table, key: bytes)) ?? nil, let copy = try? SiblingSetCodec.decode(data),
            copy.history.covers(dot)
        {
            return true
        }
        let hints = (try? view.storedHints()) ?? []
        return hints.contains { $0.key == bytes && ((try? SiblingSetCodec.decode($0.data))?.history.covers(dot) ?? false) }
    }

    /// What a node's disk holds in the sense its tables promise: with a write-back cache (`powerLoss`), what
    /// the engine accepted (buffered durability); otherwise what the durable engine holds. Read it past the
    /// disk's injected faults (`readingPastFaults`): a failing read is not an empty disk.
    func diskView(of node: SimulatedNode) -> EngineReplicaStore? {
        options.faults.powerLoss ? (node.store ?? node.durable) : node.durable
    }

    /// A node's hints in memory are exactly the hints on its disk, after every event it handled.
    func checkHintsMirrored(at node: SimulatedNode) {
        guard let core = node.core, let onDisk = node.readingPastFaults({ try? node.store.storedHints() }) else { return }
        let inMemory = Set(core.hints.values)
        let stored = Set(onDisk)
        guard inMemory != stored else { return }
        let memoryOnly = inMemory.subtracting(stored).map { "\(text($0.key)) for \($0.owner)" }.sorted()
        let diskOnly = stored.subtracting(inMemory).map { "\(text($0.key)) for \($0.owner)" }.sorted()
        fail("hints of \(node.id): in memory only \(memoryOnly), on disk only \(diskOnly)")
    }

    /// A fallback deletes a hint only once its owner's disk holds everything the hint held (an owner with no
    /// copy at all is not judged: its key may have been reaped).
    func checkHandoff(of slot: HintSlot, by node: SimulatedNode) {
        guard !ownerLostHandOver(slot) else { return }
        guard let held = node.readingPastFaults({ try? node.store.storedHints().first(where: { $0.slot == slot }) }),
            let hint = try? SiblingSetCodec.decode(held.data),
            let owner = nodes[slot.owner], let view = diskView(of: owner),
            let data = owner.readingPastFaults({ (try? view.load(table: slot.table, key: slot.key)) ?? nil }),
            let copy = try? SiblingSetCodec.decode(data),
            !copy.history.descends(from: hint.history)
        else { return }
        fail("hint handoff: \(node.id) deletes its hint of \(text(slot.key)) for \(slot.owner), whose disk lacks part of it: hint \(Checkers.describe(hint)), owner \(Checkers.describe(copy))")
    }

    /// Whether the owner of `slot` lost power, before syncing, after it acknowledged the hand-over (its ack was
    /// still on its way): a buffered table may lose what it acknowledged so, and the hint's holder cannot know.
    func ownerLostHandOver(_ slot: HintSlot) -> Bool {
        guard let acknowledgedAt = observed.handOverAcknowledgedAt[slot], let owner = nodes[slot.owner] else { return false }
        return owner.powerLosses.contains { $0.at >= acknowledgedAt && $0.lastSync < acknowledgedAt }
    }

    /// A node's stored copy only grows: a persist keeps every write the copy had seen in its history, and a
    /// write it had seen and dropped (superseded) never comes back as a sibling. The one exception is a prune
    /// (`pruning`), which may drop whole entries of actors the copy holds no sibling of, nothing else; the
    /// pruned history joins `reapedHistory` (those writes took effect).
    func checkStoredCopyGrows(table: String, key: [UInt8], to data: [UInt8], at node: SimulatedNode, pruning: Bool = false) {
        guard let oldData = node.readingPastFaults({ (try? node.store.load(table: table, key: key)) ?? nil }),
            let old = try? SiblingSetCodec.decode(oldData),
            let new = try? SiblingSetCodec.decode(data)
        else { return }
        let actorsWithSiblings = Set(old.siblings.map(\.dot.node))
        let dropped = old.history.counters.filter { new.history[$0.key] < $0.value }
        let pruned = pruning && new.siblings == old.siblings
            && dropped.allSatisfy { new.history[$0.key] == 0 && !actorsWithSiblings.contains($0.key) }
        if pruned, !dropped.isEmpty {
            let name = text(key)
            log("\(node.id) prunes \(name) \(VersionVector(dropped))")
            prunedCopyCount += 1
            observed.reapedHistory[name] = observed.reapedHistory[name, default: .empty].joined(with: old.history)
        } else if !dropped.isEmpty {
            fail("stored copy shrinks: \(node.id) replaces \(text(key)) \(Checkers.describe(old)) with \(Checkers.describe(new))")
        }
        let held = Set(old.siblings.map(\.dot))
        for sibling in new.siblings where old.history.covers(sibling.dot) && !held.contains(sibling.dot) {
            fail("resurrection on disk: \(node.id) stores \(text(key)) sibling \(sibling.dot) again after dropping it: \(Checkers.describe(new))")
        }
    }

    /// A node removes a key (a reaped tombstone): its stored copy's history, exactly the tombstones the reap
    /// named, joins `reapedHistory`.
    func noteReap(table: String, key: [UInt8], at node: SimulatedNode) {
        guard let data = node.readingPastFaults({ (try? node.store.load(table: table, key: key)) ?? nil }),
            let copy = try? SiblingSetCodec.decode(data)
        else { return }
        let name = text(key)
        log("\(node.id) reaps \(name) \(Checkers.describe(copy))")
        observed.reapedHistory[name] = observed.reapedHistory[name, default: .empty].joined(with: copy.history)
    }

    /// A read never returns a value that a write it has seen superseded: one whose dot the read's history covers,
    /// or that a node had pruned or reaped from its stored copy before the read began (`reapedAtStart`; pruning
    /// drops only entries every primary had superseded, so a value such a write superseded may come back only
    /// through a copy out of touch for longer than the grace, which is a resurrection too).
    func checkRead(key: String, values: Set<String>, context: [UInt8], reapedAtStart: VersionVector = .empty) {
        guard let history = try? CausalContext.decode(context) else {
            fail("a read of \(key) returned a context that does not decode")
            return
        }
        observed.seenHistory[key, default: .empty] = observed.seenHistory[key, default: .empty].joined(with: history)
        limits.siblingsMax = max(limits.siblingsMax, values.count)
        limits.versionVectorEntriesMax = max(limits.versionVectorEntriesMax, history.counters.count)
        for (index, write) in writes(of: key) {
            guard let dot = observed.dots[index], history.covers(dot) || reapedAtStart.covers(dot) else { continue }
            for value in values where write.saw.contains(value) {
                let how = history.covers(dot) ? "with a history covering" : "after a node pruned or reaped"
                fail("resurrection in a read: \(key)=\(value) returned \(how) \(dot), whose write superseded it")
            }
        }
    }

    /// The writes of `key`, by client request id.
    func writes(of key: String) -> [(UInt64, ClientHistory.Write)] {
        writeIndexByRequest.filter { history.writes[$0.value].key == key }.map { ($0.key, history.writes[$0.value]) }
    }
}
