import CairnCore
import CairnMembership
import Testing

/// Statuses order by incarnation, then by state: alive(i) < suspect(i) < dead(i) < alive(i+1). Gossip that is
/// older than what a node knows changes nothing; only a member itself raises its incarnation, to refute.
@Suite("Failure detection: incarnation ordering")
struct IncarnationOrderTests {
    typealias Status = FailureDetector.MemberStatus
    typealias Update = FailureDetector.MemberUpdate

    @Test("alive(i) < suspect(i) < dead(i) < alive(i+1)")
    func statusOrder() {
        let chain: [Status] = [.alive(0), .suspect(0), .dead(0), .alive(1), .suspect(1), .dead(1), .alive(2)]
        for (index, status) in chain.enumerated() {
            for later in chain[(index + 1)...] {
                #expect(later.supersedes(status), "\(later) should supersede \(status)")
                #expect(!status.supersedes(later), "\(status) should not supersede \(later)")
            }
            #expect(!status.supersedes(status), "\(status) does not supersede itself")
        }
    }

    /// Feeds `updates` to a detector for `a` piggybacked on pings from `c`, and returns it.
    func detector(after updates: [Update]) throws -> FailureDetector {
        var detector = try makeDetector()
        for (index, update) in updates.enumerated() {
            let directives = detector.onMessage(.init(.ping(sequence: UInt64(index + 1)), updates: [update]), from: "c", now: 100)
            #expect(directives.rejections.isEmpty)
        }
        return detector
    }

    @Test("an alive at the suspected incarnation does not clear the suspicion; a higher one does")
    func aliveNeedsHigherIncarnation() throws {
        var detector = try detector(after: [Update(node: "b", status: .suspect(0), origin: "c")])
        #expect(detector.status(of: "b") == .suspect(0))
        #expect(detector.isSuspected("b") && detector.unreachableMembers == ["b"])
        _ = detector.onMessage(.init(.ping(sequence: 9), updates: [Update(node: "b", status: .alive(0), origin: "b")]), from: "d", now: 200)
        #expect(detector.status(of: "b") == .suspect(0))
        let refuted = detector.onMessage(.init(.ping(sequence: 10), updates: [Update(node: "b", status: .alive(1), origin: "b")]), from: "d", now: 300)
        #expect(detector.status(of: "b") == .alive(1))
        #expect(!detector.isSuspected("b") && detector.reachableMembers == ["a", "b", "c", "d"])
        #expect(refuted.changes == [.init(node: "b", previous: .suspect(0), current: .alive(1))])
    }

    @Test("stale gossip changes nothing: a suspicion or death at an older incarnation is ignored")
    func staleGossipIgnored() throws {
        let detector = try detector(after: [
            Update(node: "b", status: .alive(3), origin: "b"),
            Update(node: "b", status: .suspect(2), origin: "c"),
            Update(node: "b", status: .dead(2), origin: "d"),
        ])
        #expect(detector.status(of: "b") == .alive(3))
    }

    @Test("a dead member comes back only at a higher incarnation")
    func deathOverriddenByHigherIncarnationOnly() throws {
        let dead = try detector(after: [
            Update(node: "b", status: .dead(1), origin: "c"), Update(node: "b", status: .alive(1), origin: "b"),
        ])
        #expect(dead.status(of: "b") == .dead(1))
        let back = try detector(after: [
            Update(node: "b", status: .dead(1), origin: "c"), Update(node: "b", status: .alive(2), origin: "b"),
        ])
        #expect(back.status(of: "b") == .alive(2))
    }

    @Test("a node suspected at its own incarnation refutes: its incarnation rises and its next message says so")
    func suspectedNodeRefutes() throws {
        var detector = try makeDetector()
        _ = detector.onMessage(.init(.ping(sequence: 1), updates: [Update(node: "a", status: .suspect(0), origin: "c")]), from: "c", now: 50)
        #expect(detector.incarnation == 1 && detector.refutationCount == 1)
        #expect(detector.localHealth == 1, "being suspected counts against local health")
        let reply = detector.onMessage(.init(.ping(sequence: 2)), from: "d", now: 60)
        #expect(reply.sends.count == 1)
        let ack = try #require(reply.sends.first)
        #expect(ack.message.kind == .ack(sequence: 2, target: "a", incarnation: 1))
        #expect(ack.message.updates.contains(Update(node: "a", status: .alive(1), origin: "a")))
        // An old suspicion (incarnation 0) is not refuted again; a death at the current one is.
        _ = detector.onMessage(.init(.ping(sequence: 3), updates: [Update(node: "a", status: .suspect(0), origin: "d")]), from: "d", now: 70)
        #expect(detector.incarnation == 1)
        _ = detector.onMessage(.init(.ping(sequence: 4), updates: [Update(node: "a", status: .dead(1), origin: "d")]), from: "d", now: 80)
        #expect(detector.incarnation == 2 && detector.refutationCount == 2)
    }
}
