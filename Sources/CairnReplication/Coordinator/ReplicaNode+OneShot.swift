import CairnCore

/// One-shot writes: a node that is not a primary of a key coordinates a put itself only when no primary
/// answers. It numbers such writes under its one-shot actor, `node/incarnation/s<start>.<generation>`, one actor
/// for every key, and keeps in memory, per key, every one-shot write it coordinated for that key since it started.
/// Each new one-shot write is applied to that copy, like a primary applies a put to its stored copy, so:
/// - the actor's counters for a key cover only writes the new copy really holds or superseded (no acknowledged
///   write is ever covered by accident), and
/// - a key's version vector grows by one entry per (node, epoch, generation), not one per write, so a client
///   that read the key can go on writing it (issue 8, bug 5), and `siblingsMax` applies before the write is
///   acknowledged (bug 1).
/// The copies are volatile, so the actor carries the start counter: every start, clean or not, uses a new one. When they pass
/// `oneShotBytesMax` or `oneShotKeysMax`, or have been held for the actor's lifetime (`lifetimeTicks`, so that a
/// prune never meets a live one-shot actor's memory), they are all dropped and the generation grows, a new actor.
struct OneShotCopies {
    /// Bytes of values the one-shot copies may hold before they are dropped for a new generation.
    static let oneShotBytesMax = 64 << 20
    /// Keys the one-shot copies may cover before they are dropped for a new generation.
    static let oneShotKeysMax = 10_000

    /// A key of a table.
    struct Slot: Hashable {
        var table: String
        var key: [UInt8]
    }

    private(set) var generation: UInt64 = 1
    private var copies: [Slot: SiblingSet] = [:]
    private var bytes = 0
    /// Hint-delivery ticks since this generation first held a copy (see `ReplicaNode+OneShotLifetime`).
    var ticksHoldingCopies = 0

    var isEmpty: Bool { copies.isEmpty }

    func copy(table: String, key: [UInt8]) -> SiblingSet {
        copies[Slot(table: table, key: key)] ?? .empty
    }

    /// Records the copy after a one-shot write; starts a new generation first when the bounds would be passed.
    mutating func store(_ copy: SiblingSet, table: String, key: [UInt8]) {
        let slot = Slot(table: table, key: key)
        let size = copy.siblings.reduce(key.count) { $0 + $1.value.count }
        let previous = copies[slot].map { $0.siblings.reduce(key.count) { $0 + $1.value.count } } ?? 0
        bytes += size - previous
        copies[slot] = copy
        assert(bytes >= 0, "byte count stays non-negative")
    }

    /// Whether a write to this key must begin a new generation (the copies are full and the key is new to them).
    func isFull(adding bytes: Int, table: String, key: [UInt8]) -> Bool {
        let known = copies[Slot(table: table, key: key)] != nil
        return self.bytes + bytes > Self.oneShotBytesMax || (!known && copies.count >= Self.oneShotKeysMax)
    }

    /// Drops every copy; later one-shot writes use the next actor.
    mutating func startNextGeneration() {
        copies = [:]
        bytes = 0
        ticksHoldingCopies = 0
        generation += 1
    }
}

extension ReplicaNode {
    /// The one-shot actor of this start and generation.
    var oneShotActor: NodeID { NodeID("\(configuration.actor)/s\(configuration.start).\(oneShot.generation)") }

    /// The object a one-shot write sends to the replicas: this node's one-shot copy of the key with the write
    /// applied (refused past `siblingsMax` or `versionVectorEntriesMax`, before anything is sent).
    mutating func oneShotWrite(
        _ request: ClientRequest, value: [UInt8], tombstone: Bool, context: VersionVector, policy: ConflictPolicy
    ) throws(ReplicationError) -> SiblingSet {
        if oneShot.isFull(adding: value.count, table: request.table, key: request.key) { oneShot.startNextGeneration() }
        let actor = oneShotActor
        let copy = oneShot.copy(table: request.table, key: request.key)
        let object = try copy.applying(
            write: value, tombstone: tombstone, dot: copy.nextDot(for: actor), context: context,
            timestampMilliseconds: now, policy: policy)
        oneShot.store(object, table: request.table, key: request.key)
        return object
    }
}
