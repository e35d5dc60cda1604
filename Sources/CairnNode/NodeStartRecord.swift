/// What a node records about its runs, in its hint engine: the start counter, the dot incarnation, whether the
/// last run stopped cleanly, whether it had buffered tables, and the latest wall-clock time it recorded
/// (milliseconds). Encoded as a version byte, then start, incarnation (8 bytes big-endian each), the flags
/// (1 byte: bit 0 stopped cleanly, bit 1 buffered tables, bit 2 a copy quarantined in this incarnation, bit 3 a
/// partition dropped in this incarnation) and the clock (8 bytes).
struct NodeStartRecord: Equatable {
    /// Where the record is kept: hint keys start with an owner length of 1 or more, so a zero byte is free.
    static let key: [UInt8] = [0] + Array("node-start".utf8)
    static let formatVersion: UInt8 = 1
    static let encodedBytes = 1 + 8 + 8 + 1 + 8

    var start: UInt64
    var incarnation: UInt64
    var stoppedCleanly: Bool
    var hadBufferedTables: Bool
    var clockMilliseconds: UInt64
    /// A stored copy was quarantined since this incarnation began: its key lost history, so the next start
    /// begins a new incarnation (see `ReplicaNode+Quarantine`).
    var quarantinedCopy = false
    /// A partition was dropped (handed over) since this incarnation began: its keys lost history here, so the next
    /// start begins a new incarnation (see `ReplicaNode+DroppedPartitions`).
    var droppedPartition = false

    func encoded() -> [UInt8] {
        var out: [UInt8] = [Self.formatVersion]
        out += Self.bigEndian(start) + Self.bigEndian(incarnation)
        out.append((stoppedCleanly ? 1 : 0) | (hadBufferedTables ? 2 : 0) | (quarantinedCopy ? 4 : 0) | (droppedPartition ? 8 : 0))
        out += Self.bigEndian(clockMilliseconds)
        assert(out.count == Self.encodedBytes, "the record has a fixed size")
        return out
    }

    /// The record, or nil when the bytes are not one this version wrote (taken as no record: a new incarnation).
    init?(decoding bytes: [UInt8]) {
        guard bytes.count == Self.encodedBytes, bytes[0] == Self.formatVersion, bytes[17] <= 15 else { return nil }
        start = Self.uint64(bytes[1..<9])
        incarnation = Self.uint64(bytes[9..<17])
        stoppedCleanly = bytes[17] & 1 != 0
        hadBufferedTables = bytes[17] & 2 != 0
        quarantinedCopy = bytes[17] & 4 != 0
        droppedPartition = bytes[17] & 8 != 0
        clockMilliseconds = Self.uint64(bytes[18..<26])
        guard start >= 1, incarnation >= 1 else { return nil }
    }

    init(start: UInt64, incarnation: UInt64, stoppedCleanly: Bool, hadBufferedTables: Bool, clockMilliseconds: UInt64) {
        self.start = start
        self.incarnation = incarnation
        self.stoppedCleanly = stoppedCleanly
        self.hadBufferedTables = hadBufferedTables
        self.clockMilliseconds = clockMilliseconds
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    static func uint64(_ bytes: ArraySlice<UInt8>) -> UInt64 { bytes.reduce(0) { $0 << 8 | UInt64($1) } }
}
