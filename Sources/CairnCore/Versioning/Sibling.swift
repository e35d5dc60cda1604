/// One concurrent version of a key: a value (or a tombstone), the write that made it, and when.
public struct Sibling: Hashable, Codable, Sendable {
    public var dot: Dot
    /// The value; empty for a tombstone.
    public var value: [UInt8]
    /// Milliseconds since the epoch on the coordinator's clock, as injected; orders `lww` writes.
    public var timestampMilliseconds: UInt64
    /// Whether this version records a delete.
    public var isTombstone: Bool

    public init(dot: Dot, value: [UInt8], timestampMilliseconds: UInt64, isTombstone: Bool = false) {
        precondition(!isTombstone || value.isEmpty, "a tombstone carries no value")
        self.dot = dot
        self.value = value
        self.timestampMilliseconds = timestampMilliseconds
        self.isTombstone = isTombstone
    }

    /// The `lww` order: later timestamp wins; ties go to the larger dot, so every replica picks the same one.
    func isNewer(than other: Sibling) -> Bool {
        if timestampMilliseconds != other.timestampMilliseconds { return timestampMilliseconds > other.timestampMilliseconds }
        if dot.node != other.dot.node { return dot.node > other.dot.node }
        return dot.counter > other.dot.counter
    }
}

/// How a table settles concurrent writes.
public enum ConflictPolicy: String, Codable, Sendable, CaseIterable {
    /// Keep every concurrent write as a sibling; the client reconciles on its next put (the default).
    case siblings
    /// Last write wins by timestamp. Lossy: of two concurrent writes, the one with the older timestamp is
    /// silently dropped. For tables whose writers never conflict or do not care.
    case lww
}
