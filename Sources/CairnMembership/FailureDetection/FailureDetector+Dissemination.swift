import CairnCore

/// Applying piggybacked updates in status order, running suspicions to their (Lifeguard-dynamic) timeouts,
/// refuting suspicions of this node, and choosing what to piggyback.
extension FailureDetector {
    /// Applies one update: a newer status replaces the old and is spread further; an equal suspicion from a
    /// new origin confirms it (shortening its timeout); an older status is ignored.
    mutating func apply(_ update: MemberUpdate) -> [Directive] {
        if update.node == id { return applyAboutSelf(update) }
        guard let member = members[update.node] else { return adopt(update) }
        if update.status.supersedes(member.status) {
            members[update.node] = Member(status: update.status)
            piggyback.enqueue(update)
            var directives: [Directive] = []
            if member.status.state != update.status.state {
                directives.append(.statusChanged(StatusChange(node: update.node, previous: member.status, current: update.status)))
            }
            if update.status.state == .suspect { directives += startSuspicion(of: update.node, by: update.origin) }
            return directives
        }
        if update.status == member.status, update.status.state == .suspect {
            return confirmSuspicion(of: update.node, by: update.origin, update: update)
        }
        return []
    }

    /// An update about a member not tracked yet: tracked from now on (SWIM spreads membership too), unless it
    /// is dead already or the table is full.
    mutating func adopt(_ update: MemberUpdate) -> [Directive] {
        guard update.status.state != .dead else { return [] }
        guard members.count < settings.membersMax else {
            return reject(.membersFull(node: update.node, limit: settings.membersMax))
        }
        insert(update.node, status: update.status)
        piggyback.enqueue(update)
        var directives: [Directive] = [.statusChanged(StatusChange(node: update.node, previous: nil, current: update.status))]
        if update.status.state == .suspect { directives += startSuspicion(of: update.node, by: update.origin) }
        return directives
    }

    /// A suspicion or death of this node at its current incarnation (or a later one, from a previous life) is
    /// refuted: the incarnation rises past it and the new `alive` spreads. Each refutation also worsens local
    /// health (Lifeguard: being suspected hints that this node is the slow one).
    mutating func applyAboutSelf(_ update: MemberUpdate) -> [Directive] {
        if update.status.state == .alive {
            incarnation = max(incarnation, update.status.incarnation)
            return []
        }
        // Stale news (the sender missed the refutation): `onMessage` marks the sender a stale viewer instead.
        guard update.status.incarnation >= incarnation else { return [] }
        incarnation = update.status.incarnation + 1
        refutationCount += 1
        adjustLocalHealth(by: 1)
        piggyback.enqueue(MemberUpdate(node: id, status: .alive(incarnation), origin: id))
        return []
    }

    /// A new suspicion (or one at a new incarnation) starts with the longest timeout: nobody has confirmed it yet.
    mutating func startSuspicion(of node: NodeID, by origin: NodeID) -> [Directive] {
        let timeout = settings.suspicionTimeoutMilliseconds(memberCount: memberCount, confirmations: 0)
        members[node]?.suspicion = Suspicion(startedAt: now, confirmers: [origin], deadline: now + timeout)
        return [.startTimer(.suspicionTimeout(node: node), afterMilliseconds: timeout)]
    }

    /// Another node independently suspects the same member at the same incarnation: the suspicion's deadline
    /// moves earlier (never later), and the confirmation is spread.
    mutating func confirmSuspicion(of node: NodeID, by origin: NodeID, update: MemberUpdate) -> [Directive] {
        guard var suspicion = members[node]?.suspicion, !suspicion.confirmers.contains(origin) else { return [] }
        suspicion.confirmers.insert(origin)
        let timeout = settings.suspicionTimeoutMilliseconds(memberCount: memberCount, confirmations: suspicion.confirmers.count - 1)
        let deadline = suspicion.startedAt + timeout
        var directives: [Directive] = []
        if deadline < suspicion.deadline {
            suspicion.deadline = deadline
            directives.append(.startTimer(.suspicionTimeout(node: node), afterMilliseconds: deadline > now ? deadline - now : 0))
        }
        members[node]?.suspicion = suspicion
        piggyback.enqueue(update)
        return directives
    }

    /// The suspicion's deadline passed with no refutation: the member is dead at that incarnation.
    mutating func onSuspicionTimeout(node: NodeID) -> [Directive] {
        guard let member = members[node], member.status.state == .suspect, let suspicion = member.suspicion,
            now >= suspicion.deadline
        else { return [] }
        return apply(MemberUpdate(node: node, status: .dead(member.status.incarnation), origin: id))
    }

    /// Pushes queued updates to `gossipFanout` random members that are not dead (none when nothing is queued)
    /// and schedules the next push.
    mutating func onGossipTick() -> [Directive] {
        var directives: [Directive] = []
        if piggyback.count > 0 || !staleViewers.isEmpty {
            for target in randomMembers(settings.gossipFanout, where: { $1.status.state != .dead }) {
                let updates = updates(for: target)
                if !updates.isEmpty { directives.append(.send(Message(.gossip, updates: updates), to: target)) }
            }
        }
        directives.append(.startTimer(.gossip, afterMilliseconds: settings.gossipIntervalMilliseconds))
        return directives
    }

    /// What to piggyback on a message to `recipient`: this node's own `alive` if the recipient holds stale news
    /// of it; the recipient's own suspicion or death if it has one here (Lifeguard's buddy system, so it can
    /// refute at once); then the least-spread queued updates.
    mutating func updates(for recipient: NodeID) -> [MemberUpdate] {
        var list: [MemberUpdate] = []
        if staleViewers.remove(recipient) != nil {
            list.append(MemberUpdate(node: id, status: .alive(incarnation), origin: id))
        }
        if let member = members[recipient], member.status.state != .alive {
            list.append(MemberUpdate(node: recipient, status: member.status, origin: id))
        }
        list = Array(list.prefix(settings.piggybackUpdatesMax))
        list += piggyback.take(
            countMax: settings.piggybackUpdatesMax - list.count, excluding: Set(list.map(\.node)),
            retransmitLimit: settings.retransmitLimit(memberCount: memberCount))
        assert(list.count <= settings.piggybackUpdatesMax, "a message carries at most piggybackUpdatesMax updates")
        return list
    }
}
