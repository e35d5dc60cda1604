import CairnCore
import Testing

/// Dotted version vectors: what a put supersedes, how copies merge, the lww policy, limits and encoding.
@Suite("Versioning")
struct VersioningTests {
    let a = NodeID("a")
    let b = NodeID("b")

    func put(_ set: SiblingSet, _ value: String, by node: NodeID, context: VersionVector, at time: UInt64 = 1,
             policy: ConflictPolicy = .siblings) throws -> SiblingSet {
        try set.applying(write: Array(value.utf8), tombstone: false, dot: set.nextDot(for: node), context: context,
                         timestampMilliseconds: time, policy: policy)
    }

    func values(_ set: SiblingSet) -> Set<String> { Set(set.values.map { String(decoding: $0, as: UTF8.self) }) }

    @Test("a put without a context never overwrites: concurrent puts become siblings")
    func blindPutsAreSiblings() throws {
        let one = try put(.empty, "v1", by: a, context: .empty)
        let two = try put(one, "v2", by: a, context: .empty)
        #expect(values(two) == ["v1", "v2"])
    }

    @Test("a put with a context supersedes exactly what that context saw")
    func contextSupersedes() throws {
        let one = try put(.empty, "v1", by: a, context: .empty)
        let seen = one.history
        let concurrent = try put(one, "v2", by: a, context: .empty)
        let three = try put(concurrent, "v3", by: a, context: seen)
        #expect(values(three) == ["v2", "v3"], "v1 was seen and replaced; v2 was not seen and stays")
        let four = try put(three, "v4", by: a, context: three.history)
        #expect(values(four) == ["v4"])
    }

    @Test("merging keeps writes the other copy never saw and drops what it superseded")
    func mergeRules() throws {
        let base = try put(.empty, "v1", by: a, context: .empty)
        let atA = try put(base, "v2", by: a, context: base.history)
        let atB = try put(base, "w", by: b, context: .empty)
        let merged = atA.merged(with: atB, policy: .siblings)
        #expect(values(merged) == ["v2", "w"])
        #expect(merged == atB.merged(with: atA, policy: .siblings), "merge is commutative")
        #expect(merged.merged(with: merged, policy: .siblings) == merged, "merge is idempotent")
        #expect(merged.merged(with: base, policy: .siblings) == merged, "an old copy adds nothing")
        #expect(merged.includes(atA) && merged.includes(atB) && !atA.includes(atB))
    }

    @Test("a delete is a tombstone that supersedes what it saw, and a later put supersedes the tombstone")
    func tombstones() throws {
        let one = try put(.empty, "v1", by: a, context: .empty)
        let deleted = try one.applying(write: [], tombstone: true, dot: one.nextDot(for: a), context: one.history,
                                       timestampMilliseconds: 2, policy: .siblings)
        #expect(deleted.isDeleted && deleted.values.isEmpty)
        #expect(one.merged(with: deleted, policy: .siblings).isDeleted, "a stale copy does not resurrect the value")
        let again = try put(deleted, "v2", by: a, context: deleted.history)
        #expect(values(again) == ["v2"] && !again.isDeleted)
    }

    @Test("lww keeps only the newest write, on every replica alike (documented as lossy)")
    func lastWriteWins() throws {
        let one = try put(.empty, "old", by: a, context: .empty, at: 10, policy: .lww)
        let two = try put(one, "new", by: a, context: .empty, at: 20, policy: .lww)
        #expect(values(two) == ["new"])
        let other = try put(.empty, "other", by: b, context: .empty, at: 15, policy: .lww)
        #expect(values(two.merged(with: other, policy: .lww)) == ["new"])
        #expect(values(other.merged(with: two, policy: .lww)) == ["new"])
    }

    @Test("the sibling limit is a clear error")
    func siblingLimit() throws {
        var set = SiblingSet.empty
        for index in 0..<ReplicationLimits.siblingsMax { set = try put(set, "v\(index)", by: a, context: .empty) }
        #expect(throws: ReplicationError.tooManySiblings(count: ReplicationLimits.siblingsMax + 1, limit: ReplicationLimits.siblingsMax)) {
            try put(set, "one too many", by: a, context: .empty)
        }
        #expect(values(try put(set, "reconciled", by: a, context: set.history)) == ["reconciled"])
    }

    @Test("the encoding round-trips and rejects damage with a typed error")
    func encoding() throws {
        let one = try put(.empty, "v1", by: a, context: .empty)
        let set = try put(one, "", by: b, context: .empty).merged(
            with: try one.applying(write: [], tombstone: true, dot: Dot("c", 7), context: .empty, timestampMilliseconds: 9, policy: .siblings),
            policy: .siblings)
        let bytes = SiblingSetCodec.encode(set)
        #expect(try SiblingSetCodec.decode(bytes) == set)
        for cut in 0..<bytes.count {
            #expect(throws: ReplicationError.self) { try SiblingSetCodec.decode(Array(bytes.prefix(cut))) }
        }
        #expect(throws: ReplicationError.self) { try SiblingSetCodec.decode([9] + bytes.dropFirst()) }
        #expect(throws: ReplicationError.self) { try SiblingSetCodec.decode(bytes + [0]) }
    }
}
