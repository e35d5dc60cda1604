import CairnCore

/// The probe protocol: one direct probe per protocol period, indirect probes through relays when it times
/// out, and this node's part as a relay for others.
extension FailureDetector {
    /// A timer the shell started for this detector fired.
    public mutating func onTimer(_ timer: Timer, now: UInt64) -> [Directive] {
        self.now = max(self.now, now)
        switch timer {
        case .protocolPeriod: return onProtocolPeriod()
        case .probeTimeout(let sequence): return onProbeTimeout(sequence: sequence)
        case .relayTimeout(let sequence): return onRelayTimeout(sequence: sequence)
        case .suspicionTimeout(let node): return onSuspicionTimeout(node: node)
        case .gossip: return onGossipTick()
        }
    }

    /// A message from another detector arrived.
    public mutating func onMessage(_ message: Message, from sender: NodeID, now: UInt64) -> [Directive] {
        self.now = max(self.now, now)
        guard sender != id else { return reject(.messageFromSelf) }
        guard message.updates.count <= settings.piggybackUpdatesMax else {
            return reject(.tooManyUpdates(from: sender, count: message.updates.count, limit: settings.piggybackUpdatesMax))
        }
        if let largest = message.largestIncarnation, largest > Self.incarnationMax {
            return reject(.incarnationTooLarge(from: sender, incarnation: largest, limit: Self.incarnationMax))
        }
        var directives: [Directive] = []
        for update in message.updates { directives += apply(update) }
        let staleAboutSelf = message.updates.contains { $0.node == id && $0.status.state != .alive && $0.status.incarnation < incarnation }
        if staleAboutSelf, members[sender] != nil { staleViewers.insert(sender) }
        switch message.kind {
        case .ping(let sequence):
            let ack = Message(.ack(sequence: sequence, target: id, incarnation: incarnation), updates: updates(for: sender))
            directives.append(.send(ack, to: sender))
        case .ack(let sequence, let target, let incarnation):
            directives += onAck(sequence: sequence, target: target, incarnation: incarnation)
        case .pingRequest(let sequence, let target):
            directives += onPingRequest(sequence: sequence, target: target, from: sender)
        case .gossip:
            break
        case .nack(let sequence, let target):
            if var probe, probe.sequence == sequence, probe.target == target {
                probe.nacksReceived += 1
                self.probe = probe
            }
        }
        return directives
    }

    // MARK: Prober

    /// Closes the last period's probe (suspecting its target if it never acked) and probes the next member.
    mutating func onProtocolPeriod() -> [Directive] {
        var directives = closeProbe()
        if let target = nextProbeTarget() {
            let sequence = newSequence()
            probe = Probe(target: target, sequence: sequence)
            probesSentCount += 1
            directives.append(.send(Message(.ping(sequence: sequence), updates: updates(for: target)), to: target))
            directives.append(.startTimer(.probeTimeout(sequence: sequence), afterMilliseconds: scaled(settings.probeTimeoutMilliseconds)))
        }
        directives.append(.startTimer(.protocolPeriod, afterMilliseconds: scaled(settings.protocolPeriodMilliseconds)))
        return directives
    }

    /// Ends the current probe. An unacked one is a failed probe: local health worsens by the nacks that did not
    /// come (relays that could not even nack point at this node's own trouble), or by one when no relay was
    /// asked, and the target is suspected at its current incarnation.
    mutating func closeProbe() -> [Directive] {
        guard let finished = probe else { return [] }
        probe = nil
        guard !finished.acked else { return [] }
        probesFailedCount += 1
        adjustLocalHealth(by: finished.relaysAsked > 0 ? finished.relaysAsked - finished.nacksReceived : 1)
        guard let member = members[finished.target], member.status.state != .dead else { return [] }
        return apply(MemberUpdate(node: finished.target, status: .suspect(member.status.incarnation), origin: id))
    }

    /// The next member in the shuffled round-robin order, skipping dead ones; the order is reshuffled after
    /// each full round.
    mutating func nextProbeTarget() -> NodeID? {
        var reshuffled = false
        while true {
            if probeIndex >= probeOrder.count {
                if reshuffled { return nil }
                reshuffled = true
                probeOrder = members.keys.sorted().filter { members[$0]?.status.state != .dead }
                probeOrder.shuffle(using: &random)
                probeIndex = 0
                continue
            }
            let node = probeOrder[probeIndex]
            probeIndex += 1
            if let member = members[node], member.status.state != .dead { return node }
        }
    }

    /// The direct probe got no ack in time: ask up to `indirectProbeCount` alive members to probe the target.
    mutating func onProbeTimeout(sequence: UInt64) -> [Directive] {
        guard var current = probe, current.sequence == sequence, !current.acked else { return [] }
        let relays = randomMembers(settings.indirectProbeCount) { $0 != current.target && $1.status.state == .alive }
        var directives: [Directive] = []
        for relay in relays {
            let request = Message(.pingRequest(sequence: sequence, target: current.target), updates: updates(for: relay))
            directives.append(.send(request, to: relay))
        }
        current.relaysAsked = relays.count
        probe = current
        return directives
    }

    /// An ack: the target is alive at its incarnation. It ends this node's probe, or, when this node relays
    /// that probe, goes back to the prober.
    mutating func onAck(sequence: UInt64, target: NodeID, incarnation: UInt64) -> [Directive] {
        var directives: [Directive] = []
        if target != id { directives += apply(MemberUpdate(node: target, status: .alive(incarnation), origin: target)) }
        if let relay = relays[sequence], relay.target == target {
            relays[sequence] = nil
            let ack = Message(.ack(sequence: relay.originSequence, target: target, incarnation: incarnation), updates: updates(for: relay.origin))
            directives.append(.send(ack, to: relay.origin))
        } else if var current = probe, current.sequence == sequence, current.target == target, !current.acked {
            current.acked = true
            probe = current
            adjustLocalHealth(by: -1)
        }
        return directives
    }

    // MARK: Relay

    /// Another node asks this one to probe `target` for it.
    mutating func onPingRequest(sequence: UInt64, target: NodeID, from origin: NodeID) -> [Directive] {
        if target == id {
            let ack = Message(.ack(sequence: sequence, target: id, incarnation: incarnation), updates: updates(for: origin))
            return [.send(ack, to: origin)]
        }
        guard relays.count < settings.relayedProbesMax else { return reject(.relaysFull(from: origin, limit: settings.relayedProbesMax)) }
        let relaySequence = newSequence()
        relays[relaySequence] = Relay(origin: origin, originSequence: sequence, target: target)
        return [
            .send(Message(.ping(sequence: relaySequence), updates: updates(for: target)), to: target),
            .startTimer(.relayTimeout(sequence: relaySequence), afterMilliseconds: scaled(settings.probeTimeoutMilliseconds)),
        ]
    }

    /// The relayed probe got no ack in time: nack the prober, which learns that this relay at least is reachable.
    mutating func onRelayTimeout(sequence: UInt64) -> [Directive] {
        guard let relay = relays.removeValue(forKey: sequence) else { return [] }
        let nack = Message(.nack(sequence: relay.originSequence, target: relay.target), updates: updates(for: relay.origin))
        return [.send(nack, to: relay.origin)]
    }

    mutating func reject(_ error: FailureDetectionError) -> [Directive] {
        rejectedCount += 1
        return [.rejected(error)]
    }
}
