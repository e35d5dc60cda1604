import CairnCore
@testable import CairnMembership
import Testing

/// The dissemination queue: one update per member, least-sent and then newest first, each sent a limited
/// number of times.
@Suite("Failure detection: piggybacked dissemination")
struct PiggybackQueueTests {
    typealias Update = FailureDetector.MemberUpdate

    @Test("the least-sent go first, the newest among equals; each is dropped after its retransmit limit")
    func order() {
        var queue = PiggybackQueue()
        queue.enqueue(Update(node: "b", status: .alive(0), origin: "b"))
        queue.enqueue(Update(node: "c", status: .suspect(0), origin: "a"))
        #expect(queue.take(countMax: 1, retransmitLimit: 2).map(\.node) == ["c"], "newest first")
        #expect(queue.take(countMax: 1, retransmitLimit: 2).map(\.node) == ["b"], "then the unsent one")
        queue.enqueue(Update(node: "d", status: .dead(1), origin: "a"))
        #expect(queue.take(countMax: 3, retransmitLimit: 2).map(\.node) == ["d", "c", "b"])
        #expect(queue.count == 1, "b and c reached two sends and were dropped")
        #expect(queue.take(countMax: 3, excluding: ["d"], retransmitLimit: 2).isEmpty, "an excluded member's update stays")
        #expect(queue.take(countMax: 3, retransmitLimit: 2).map(\.node) == ["d"])
        #expect(queue.count == 0)
    }

    @Test("a newer update about a member replaces the queued one and is sent afresh")
    func replace() {
        var queue = PiggybackQueue()
        queue.enqueue(Update(node: "b", status: .suspect(0), origin: "a"))
        _ = queue.take(countMax: 1, retransmitLimit: 5)
        queue.enqueue(Update(node: "b", status: .alive(1), origin: "b"))
        #expect(queue.count == 1)
        #expect(queue.take(countMax: 8, retransmitLimit: 5) == [Update(node: "b", status: .alive(1), origin: "b")])
    }

    @Test("updates are sent 4·⌈log10(n+1)⌉ times by default")
    func retransmitLimit() {
        let settings = FailureDetector.Settings()
        #expect(settings.retransmitLimit(memberCount: 5) == 4)
        #expect(settings.retransmitLimit(memberCount: 100) == 12)
    }
}
