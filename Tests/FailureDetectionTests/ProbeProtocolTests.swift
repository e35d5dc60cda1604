import CairnCore
import CairnMembership
import Testing

/// One detector driven by hand through the probe protocol: direct probe, indirect probes, suspicion, relay
/// duty, Lifeguard's local health, dynamic suspicion timeouts and buddy system, and refused inputs.
@Suite("Failure detection: the probe protocol")
struct ProbeProtocolTests {
    typealias Update = FailureDetector.MemberUpdate

    /// Starts the first protocol period at time 1000 and returns the probe it sent.
    func firstProbe(_ detector: inout FailureDetector) throws -> (target: NodeID, sequence: UInt64, updates: [Update]) {
        let scale = UInt64(1 + detector.localHealth)
        let directives = detector.onTimer(.protocolPeriod, now: 1_000)
        let probe = try #require(directives.ping)
        #expect(directives.timers.contains { $0.timer == .probeTimeout(sequence: probe.sequence) && $0.after == 400 * scale })
        #expect(directives.timers.contains { $0.timer == .protocolPeriod && $0.after == 1_000 * scale })
        return probe
    }

    @Test("an acked probe suspects nobody and improves local health")
    func ackedProbe() throws {
        var detector = try makeDetector()
        _ = detector.onMessage(.init(.ping(sequence: 1), updates: [Update(node: "a", status: .suspect(0), origin: "c")]), from: "c", now: 10)
        #expect(detector.localHealth == 1)
        let probe = try firstProbe(&detector)
        _ = detector.onMessage(.init(.ack(sequence: probe.sequence, target: probe.target, incarnation: 0)), from: probe.target, now: 1_050)
        #expect(detector.localHealth == 0)
        #expect(detector.onTimer(.probeTimeout(sequence: probe.sequence), now: 1_400).sends.isEmpty, "no indirect probe after an ack")
        let next = detector.onTimer(.protocolPeriod, now: 2_000)
        #expect(next.changes.isEmpty && detector.unreachableMembers.isEmpty && detector.probesFailedCount == 0)
    }

    @Test("no direct ack: ping-requests to the other members; no ack at all by the period's end: suspected")
    func unansweredProbeSuspects() throws {
        var detector = try makeDetector()
        let probe = try firstProbe(&detector)
        let indirect = detector.onTimer(.probeTimeout(sequence: probe.sequence), now: 1_400)
        let relays = Set(indirect.sends.map(\.to))
        #expect(relays == Set<NodeID>(["b", "c", "d"]).subtracting([probe.target]), "every other member relays (k = 3 > 2 others)")
        for send in indirect.sends {
            #expect(send.message.kind == .pingRequest(sequence: probe.sequence, target: probe.target))
        }
        let end = detector.onTimer(.protocolPeriod, now: 2_000)
        #expect(end.changes == [.init(node: probe.target, previous: .alive(0), current: .suspect(0))])
        #expect(detector.isSuspected(probe.target) && detector.probesFailedCount == 1)
        #expect(detector.localHealth == 2, "two relays asked, no nack from either: two missed nacks")
        let suspicionTimer = try #require(end.timers.first { $0.timer == .suspicionTimeout(node: probe.target) })
        // Suspicion runs its course: dead at the deadline, not before.
        #expect(detector.onTimer(.suspicionTimeout(node: probe.target), now: 2_000 + suspicionTimer.after - 1).changes.isEmpty)
        let death = detector.onTimer(.suspicionTimeout(node: probe.target), now: 2_000 + suspicionTimer.after)
        #expect(death.changes == [.init(node: probe.target, previous: .suspect(0), current: .dead(0))])
    }

    @Test("an ack relayed by a ping-request saves the target; nacks spare local health")
    func relayedAckSaves() throws {
        var detector = try makeDetector()
        let probe = try firstProbe(&detector)
        let indirect = detector.onTimer(.probeTimeout(sequence: probe.sequence), now: 1_400)
        let relay = try #require(indirect.sends.first?.to)
        _ = detector.onMessage(.init(.ack(sequence: probe.sequence, target: probe.target, incarnation: 0)), from: relay, now: 1_600)
        #expect(detector.onTimer(.protocolPeriod, now: 2_000).changes.isEmpty)
        #expect(!detector.isSuspected(probe.target) && detector.localHealth == 0)

        // Next probe fails, but both relays nack: the target is suspected, local health does not worsen.
        var other = try makeDetector()
        let second = try firstProbe(&other)
        for send in other.onTimer(.probeTimeout(sequence: second.sequence), now: 1_400).sends {
            _ = other.onMessage(.init(.nack(sequence: second.sequence, target: second.target)), from: send.to, now: 1_800)
        }
        _ = other.onTimer(.protocolPeriod, now: 2_000)
        #expect(other.isSuspected(second.target) && other.localHealth == 0)
    }

    @Test("as a relay: ping the target, hand its ack back, or nack when it stays silent")
    func relayDuty() throws {
        var relay = try makeDetector()
        let asked = relay.onMessage(.init(.pingRequest(sequence: 42, target: "b")), from: "c", now: 100)
        let ping = try #require(asked.ping)
        #expect(ping.target == "b")
        #expect(asked.timers.contains { $0.timer == .relayTimeout(sequence: ping.sequence) })
        let acked = relay.onMessage(.init(.ack(sequence: ping.sequence, target: "b", incarnation: 3)), from: "b", now: 150)
        #expect(acked.sends.map(\.to) == ["c"])
        #expect(acked.sends.first?.message.kind == .ack(sequence: 42, target: "b", incarnation: 3))
        #expect(relay.onTimer(.relayTimeout(sequence: ping.sequence), now: 500).sends.isEmpty, "no nack after the ack")

        let silent = try #require(relay.onMessage(.init(.pingRequest(sequence: 43, target: "d")), from: "c", now: 600).ping)
        let nack = relay.onTimer(.relayTimeout(sequence: silent.sequence), now: 1_000)
        #expect(nack.sends.map(\.to) == ["c"])
        #expect(nack.sends.first?.message.kind == .nack(sequence: 43, target: "d"))
    }

    @Test("gossip pushes queued news to gossipFanout members, sends nothing when there is none, and repeats")
    func gossipPushesNews() throws {
        var detector = try makeDetector(members: ["b", "c", "d", "e"])
        let quiet = detector.onTimer(.gossip, now: 100)
        #expect(quiet.sends.isEmpty && quiet.timers.map(\.after) == [200])
        _ = detector.onMessage(.init(.ping(sequence: 1), updates: [Update(node: "e", status: .suspect(0), origin: "c")]), from: "c", now: 150)
        let news = detector.onTimer(.gossip, now: 200)
        #expect(news.sends.count == 3 && Set(news.sends.map(\.to)).count == 3)
        for send in news.sends {
            #expect(send.message.kind == .gossip)
            #expect(send.message.updates.contains { $0.node == "e" && $0.status == .suspect(0) })
        }
        var plain = FailureDetector.Settings()
        plain.gossipFanout = 0
        var swim = try FailureDetector(id: "a", members: ["b"], settings: plain, random: SplitMix64(seed: 1))
        #expect(!swim.start(now: 0).timers.contains { $0.timer == .gossip }, "fanout 0: updates ride on probes only")
    }

    @Test("a member that tells this node stale news of itself gets this node's alive on the next message to it")
    func staleViewerIsToldDirectly() throws {
        var detector = try makeDetector()
        _ = detector.onMessage(.init(.ping(sequence: 1), updates: [Update(node: "a", status: .dead(0), origin: "b")]), from: "b", now: 10)
        #expect(detector.incarnation == 1)
        let refutation = Update(node: "a", status: .alive(1), origin: "a")
        #expect(detector.onMessage(.init(.ping(sequence: 2)), from: "b", now: 11).sends.first?.message.updates == [refutation])
        for sequence in UInt64(3)...5 { _ = detector.onMessage(.init(.ping(sequence: sequence)), from: "c", now: 12) }
        #expect(detector.onMessage(.init(.ping(sequence: 6)), from: "c", now: 13).sends.first?.message.updates == [], "sent 4 times, dropped")
        let ackToD = detector.onMessage(.init(.ping(sequence: 7), updates: [Update(node: "a", status: .suspect(0), origin: "d")]), from: "d", now: 20)
        #expect(ackToD.sends.first?.message.updates == [refutation], "d missed the refutation: it is told directly")
        #expect(detector.onMessage(.init(.ping(sequence: 8)), from: "d", now: 21).sends.first?.message.updates == [], "once")
    }

    @Test("buddy system: a ping to a suspected member carries its suspicion")
    func buddySystem() throws {
        var detector = try makeDetector(members: ["b"])
        _ = detector.onMessage(.init(.ping(sequence: 1), updates: [Update(node: "b", status: .suspect(4), origin: "x")]), from: "b", now: 10)
        let probe = try firstProbe(&detector)
        #expect(probe.target == "b")
        #expect(probe.updates.first == Update(node: "b", status: .suspect(4), origin: "a"))
    }

    @Test("local health stretches the probe timeout and period (Lifeguard's LHM), up to localHealthMax")
    func localHealthScalesTimers() throws {
        var settings = FailureDetector.Settings()
        settings.localHealthMax = 2
        var detector = try makeDetector(members: ["b"], settings: settings)
        for sequence in 1...5 {
            _ = detector.onMessage(
                .init(.ping(sequence: UInt64(sequence)), updates: [Update(node: "a", status: .suspect(detector.incarnation), origin: "b")]),
                from: "b", now: 10)
        }
        #expect(detector.localHealth == 2)
        let directives = detector.onTimer(.protocolPeriod, now: 1_000)
        #expect(directives.timers.contains { $0.timer == .protocolPeriod && $0.after == 3_000 })
        #expect(directives.timers.contains { if case .probeTimeout = $0.timer { $0.after == 1_200 } else { false } })
    }

    @Test("dynamic suspicion timeout: longest alone, shrinking to the shortest as others confirm")
    func confirmationsShortenSuspicion() throws {
        let settings = FailureDetector.Settings()
        let bounds = settings.suspicionTimeoutBoundsMilliseconds(memberCount: 5)
        #expect(bounds.min == 4_000 && bounds.max == 24_000)
        #expect(settings.suspicionTimeoutMilliseconds(memberCount: 5, confirmations: 0) == 24_000)
        #expect(settings.suspicionTimeoutMilliseconds(memberCount: 5, confirmations: 3) == 4_000)
        let one = settings.suspicionTimeoutMilliseconds(memberCount: 5, confirmations: 1)
        #expect(one < 24_000 && one > 4_000)

        var detector = try makeDetector(members: ["b", "c", "d", "e"])
        let suspect = Update(node: "b", status: .suspect(0), origin: "c")
        let first = detector.onMessage(.init(.ping(sequence: 1), updates: [suspect]), from: "c", now: 0)
        #expect(first.timers.map(\.after) == [24_000])
        let confirmed = detector.onMessage(.init(.ping(sequence: 2), updates: [Update(node: "b", status: .suspect(0), origin: "d")]), from: "d", now: 1_000)
        #expect(confirmed.timers.map(\.after) == [one - 1_000])
        let repeated = detector.onMessage(.init(.ping(sequence: 3), updates: [Update(node: "b", status: .suspect(0), origin: "d")]), from: "d", now: 1_500)
        #expect(repeated.timers.isEmpty, "the same confirmer twice counts once")
        #expect(detector.onTimer(.suspicionTimeout(node: "b"), now: one).changes.map(\.current) == [.dead(0)])
    }

    @Test("bad input gets a one-line error naming the limit, never a crash")
    func badInputRefused() throws {
        var detector = try makeDetector()
        let flood = (0..<9).map { Update(node: NodeID("x\($0)"), status: .alive(0), origin: "c") }
        let refused = detector.onMessage(.init(.ping(sequence: 1), updates: flood), from: "c", now: 10)
        #expect(refused.rejections == [.tooManyUpdates(from: "c", count: 9, limit: 8)])
        #expect(refused.sends.isEmpty && detector.status(of: "x0") == nil)
        #expect("\(refused.rejections[0])".contains("piggybackUpdatesMax (8)"))
        #expect(detector.onMessage(.init(.ping(sequence: 2)), from: "a", now: 10).rejections == [.messageFromSelf])
        let huge = Update(node: "a", status: .suspect(.max), origin: "c")
        let overflow = detector.onMessage(.init(.ping(sequence: 3), updates: [huge]), from: "c", now: 10)
        #expect(overflow.rejections == [.incarnationTooLarge(from: "c", incarnation: .max, limit: FailureDetector.incarnationMax)])
        #expect(detector.incarnation == 0)
        let hugeAck = detector.onMessage(.init(.ack(sequence: 9, target: "b", incarnation: .max)), from: "b", now: 10)
        #expect(hugeAck.rejections.count == 1 && detector.status(of: "b") == .alive(0))

        var small = FailureDetector.Settings()
        small.membersMax = 3
        var full = try makeDetector(settings: small)
        let tooMany = full.onMessage(.init(.ping(sequence: 1), updates: [Update(node: "e", status: .alive(0), origin: "e")]), from: "c", now: 10)
        #expect(tooMany.rejections == [.membersFull(node: "e", limit: 3)])
        #expect(throws: FailureDetectionError.membersFull(node: "e", limit: 3)) { _ = try full.addMember("e") }
        #expect(throws: FailureDetectionError.selfAsMember("a")) { try FailureDetector(id: "a", members: ["a"], random: SplitMix64(seed: 1)) }

        var bad = FailureDetector.Settings()
        bad.probeTimeoutMilliseconds = 1_000
        #expect(throws: FailureDetectionError.self) { try bad.check() }
        do {
            try bad.check()
        } catch {
            #expect(error.description == "invalid failure-detector setting: probeTimeoutMilliseconds (1000) must be at least 1 and below protocolPeriodMilliseconds (1000)")
        }
    }

    @Test("members added and removed by the cluster membership are probed, then forgotten")
    func addAndRemoveMembers() throws {
        var detector = try makeDetector(members: [])
        #expect(detector.onTimer(.protocolPeriod, now: 1_000).ping == nil, "nobody to probe")
        let added = try detector.addMember("b")
        #expect(added.changes == [.init(node: "b", previous: nil, current: .alive(0))])
        #expect(detector.onTimer(.protocolPeriod, now: 2_000).ping?.target == "b")
        detector.removeMember("b")
        #expect(detector.status(of: "b") == nil && detector.memberStatuses.isEmpty)
        #expect(detector.onTimer(.protocolPeriod, now: 3_000).ping == nil)
    }
}
