/// Everything a replica stores for one key: its concurrent versions and the causal history they summarize.
///
/// This is a dotted-version-vector set. Each sibling carries the dot of the write that created it; `history`
/// covers every write this copy has seen, including ones later superseded. Two rules keep it correct:
/// - a put with context C drops exactly the siblings C covers and adds one new sibling, so a put without a
///   context drops nothing;
/// - merging two copies keeps a sibling unless the other copy has seen its write and no longer holds it.
public struct SiblingSet: Hashable, Codable, Sendable {
    public private(set) var history: VersionVector
    public private(set) var siblings: [Sibling]

    public init(history: VersionVector = .empty, siblings: [Sibling] = []) {
        self.history = history
        self.siblings = siblings.sorted { ($0.dot.node, $0.dot.counter) < ($1.dot.node, $1.dot.counter) }
        assert(siblings.allSatisfy { history.covers($0.dot) }, "the history covers every sibling")
    }

    public static let empty = SiblingSet()

    /// The values of the live (non-tombstone) siblings.
    public var values: [[UInt8]] { siblings.filter { !$0.isTombstone }.map(\.value) }

    /// The write times of the live siblings, in the order of `values`.
    public var valueTimestampsMilliseconds: [UInt64] { siblings.filter { !$0.isTombstone }.map(\.timestampMilliseconds) }

    /// Whether every sibling is a tombstone (and there is at least one): the key reads as deleted.
    public var isDeleted: Bool { !siblings.isEmpty && siblings.allSatisfy(\.isTombstone) }

    /// The next dot `node` may issue for this key: one past everything it has issued.
    public func nextDot(for node: NodeID) -> Dot { Dot(node, history[node] + 1) }

    /// This copy after a write coordinated as `dot`, made with `context` (what the writer had read).
    public func applying(
        write value: [UInt8], tombstone: Bool, dot: Dot, context: VersionVector, timestampMilliseconds: UInt64,
        policy: ConflictPolicy
    ) throws(ReplicationError) -> SiblingSet {
        precondition(!history.covers(dot), "a new write's dot is new")
        var survivors = siblings.filter { !context.covers($0.dot) }
        survivors.append(Sibling(dot: dot, value: value, timestampMilliseconds: timestampMilliseconds, isTombstone: tombstone))
        var newHistory = history.joined(with: context)
        newHistory.add(dot)
        let result = SiblingSet(history: newHistory, siblings: survivors).settled(by: policy)
        try result.checkLimits()
        return result
    }

    /// The union of two copies of the same key.
    public func merged(with other: SiblingSet, policy: ConflictPolicy) -> SiblingSet {
        let otherDots = Set(other.siblings.map(\.dot))
        let ownDots = Set(siblings.map(\.dot))
        var kept = siblings.filter { otherDots.contains($0.dot) || !other.history.covers($0.dot) }
        kept += other.siblings.filter { !ownDots.contains($0.dot) && !history.covers($0.dot) }
        return SiblingSet(history: history.joined(with: other.history), siblings: kept).settled(by: policy)
    }

    /// The union with `incoming` as a replica or hint holder stores a write it is asked to acknowledge: refused
    /// when the merge would grow the copy past `siblingsMax` or `versionVectorEntriesMax` beyond what either
    /// side already held (a new write past the limits, refused before it is acknowledged, as a put would be),
    /// and whenever it would pass the stored bounds.
    public func mergedForWrite(_ incoming: SiblingSet, policy: ConflictPolicy) throws(ReplicationError) -> SiblingSet {
        let result = try mergedWithinStoredLimits(incoming, policy: policy)
        let siblingsBefore = Swift.max(siblings.count, incoming.siblings.count)
        if result.siblings.count > ReplicationLimits.siblingsMax, result.siblings.count > siblingsBefore {
            throw .tooManySiblings(count: result.siblings.count, limit: ReplicationLimits.siblingsMax)
        }
        let entriesBefore = Swift.max(history.counters.count, incoming.history.counters.count)
        let entries = result.history.counters.count
        if entries > ReplicationLimits.versionVectorEntriesMax, entries > entriesBefore {
            throw .versionVectorTooLong(entries: entries, limit: ReplicationLimits.versionVectorEntriesMax)
        }
        return result
    }

    /// The union with `incoming` (a delivered hint, a read repair), refused only past the stored bounds, so no
    /// merge ever produces a copy that cannot be decoded. Acknowledged data is never dropped to fit: the merge
    /// fails and both copies stay as they are.
    public func mergedWithinStoredLimits(_ incoming: SiblingSet, policy: ConflictPolicy) throws(ReplicationError) -> SiblingSet {
        let result = merged(with: incoming, policy: policy)
        try result.checkStoredLimits()
        return result
    }

    /// Throws unless this copy is within the bounds its encoding is decoded with.
    public func checkStoredLimits() throws(ReplicationError) {
        if siblings.count > ReplicationLimits.storedSiblingsMax {
            throw .tooManySiblings(count: siblings.count, limit: ReplicationLimits.storedSiblingsMax)
        }
        if history.counters.count > ReplicationLimits.storedVersionVectorEntriesMax {
            throw .versionVectorTooLong(entries: history.counters.count, limit: ReplicationLimits.storedVersionVectorEntriesMax)
        }
    }

    /// Whether this copy holds everything `other` does (merging `other` in would change nothing).
    public func includes(_ other: SiblingSet) -> Bool {
        history.descends(from: other.history) && merged(with: other, policy: .siblings).siblings == siblings
    }

    /// Under `lww`, only the newest sibling remains.
    private func settled(by policy: ConflictPolicy) -> SiblingSet {
        guard policy == .lww, siblings.count > 1 else { return self }
        let newest = siblings.dropFirst().reduce(siblings[0]) { $1.isNewer(than: $0) ? $1 : $0 }
        return SiblingSet(history: history, siblings: [newest])
    }

    func checkLimits() throws(ReplicationError) {
        if siblings.count > ReplicationLimits.siblingsMax {
            throw .tooManySiblings(count: siblings.count, limit: ReplicationLimits.siblingsMax)
        }
        if history.counters.count > ReplicationLimits.versionVectorEntriesMax {
            throw .versionVectorTooLong(entries: history.counters.count, limit: ReplicationLimits.versionVectorEntriesMax)
        }
    }
}
