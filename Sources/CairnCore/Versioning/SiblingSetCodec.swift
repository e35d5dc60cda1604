/// The compact binary form of a `SiblingSet`, as replicas store it and send it to each other.
///
/// Layout (format 1): a format byte, then the node names used (each written once), the history as
/// (name index, counter) pairs, and the siblings as (name index, counter, timestamp, flags, value). Integers
/// are LEB128 varints. Decoding checks every length and index and throws `corruptReplicaData`.
public enum SiblingSetCodec {
    public static let format: UInt8 = 1

    public static func encode(_ set: SiblingSet) -> [UInt8] {
        var names: [NodeID] = []
        var indices: [NodeID: Int] = [:]
        func index(_ node: NodeID) -> Int {
            if let known = indices[node] { return known }
            indices[node] = names.count
            names.append(node)
            return names.count - 1
        }
        let history = set.history.counters.sorted { $0.key < $1.key }.map { (index($0.key), $0.value) }
        let siblings = set.siblings.map { (index($0.dot.node), $0) }
        var out: [UInt8] = [format]
        out.reserveCapacity(16 + set.siblings.reduce(0) { $0 + $1.value.count + 16 })
        writeVarint(UInt64(names.count), to: &out)
        for name in names {
            writeVarint(UInt64(name.name.utf8.count), to: &out)
            out += name.name.utf8
        }
        writeVarint(UInt64(history.count), to: &out)
        for (nameIndex, counter) in history {
            writeVarint(UInt64(nameIndex), to: &out)
            writeVarint(counter, to: &out)
        }
        writeVarint(UInt64(siblings.count), to: &out)
        for (nameIndex, sibling) in siblings {
            writeVarint(UInt64(nameIndex), to: &out)
            writeVarint(sibling.dot.counter, to: &out)
            writeVarint(sibling.timestampMilliseconds, to: &out)
            out.append(sibling.isTombstone ? 1 : 0)
            writeVarint(UInt64(sibling.value.count), to: &out)
            out += sibling.value
        }
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws(ReplicationError) -> SiblingSet {
        var reader = Reader(bytes: bytes)
        let version = try reader.byte()
        guard version == format else { throw .corruptReplicaData("format \(version), this build reads \(format)") }
        let nameCount = try reader.count(limit: ReplicationLimits.storedVersionVectorEntriesMax)
        var names: [NodeID] = []
        for _ in 0..<nameCount {
            let length = try reader.count(limit: NodeID.nameBytesMax)
            guard length > 0 else { throw .corruptReplicaData("empty node name") }
            names.append(NodeID(String(decoding: try reader.bytes(length), as: UTF8.self)))
        }
        func name(_ index: Int) throws(ReplicationError) -> NodeID {
            guard index < names.count else { throw .corruptReplicaData("node index \(index) of \(names.count)") }
            return names[index]
        }
        var history: [NodeID: UInt64] = [:]
        for _ in 0..<(try reader.count(limit: ReplicationLimits.storedVersionVectorEntriesMax)) {
            let node = try name(try reader.count(limit: .max))
            history[node] = try reader.varint()
        }
        let historyVector = VersionVector(history)
        var siblings: [Sibling] = []
        for _ in 0..<(try reader.count(limit: ReplicationLimits.storedSiblingsMax)) {
            let node = try name(try reader.count(limit: .max))
            let counter = try reader.varint()
            let timestamp = try reader.varint()
            let flags = try reader.byte()
            let value = try reader.bytes(try reader.count(limit: ReplicationLimits.valueBytesMax))
            guard counter > 0, flags <= 1, flags == 0 || value.isEmpty else {
                throw .corruptReplicaData("bad sibling \(node):\(counter) flags \(flags)")
            }
            let dot = Dot(node, counter)
            guard historyVector.covers(dot) else { throw .corruptReplicaData("sibling \(dot) outside its history") }
            siblings.append(Sibling(dot: dot, value: value, timestampMilliseconds: timestamp, isTombstone: flags == 1))
        }
        guard reader.isAtEnd else { throw .corruptReplicaData("\(bytes.count - reader.offset) trailing bytes") }
        return SiblingSet(history: historyVector, siblings: siblings)
    }

    static func writeVarint(_ value: UInt64, to out: inout [UInt8]) {
        var rest = value
        while rest >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        out.append(UInt8(rest))
    }

    /// A bounds-checked cursor over encoded bytes.
    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var isAtEnd: Bool { offset == bytes.count }

        mutating func byte() throws(ReplicationError) -> UInt8 {
            guard offset < bytes.count else { throw .corruptReplicaData("truncated at byte \(offset)") }
            offset += 1
            return bytes[offset - 1]
        }

        mutating func varint() throws(ReplicationError) -> UInt64 {
            var value: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 7) {
                let next = try byte()
                value |= UInt64(next & 0x7F) << UInt64(shift)
                if next < 0x80 { return value }
            }
            throw .corruptReplicaData("varint longer than 10 bytes")
        }

        mutating func count(limit: Int) throws(ReplicationError) -> Int {
            let value = try varint()
            guard value <= UInt64(limit) else { throw .corruptReplicaData("count \(value) over \(limit)") }
            return Int(value)
        }

        mutating func bytes(_ count: Int) throws(ReplicationError) -> [UInt8] {
            guard count <= bytes.count - offset else { throw .corruptReplicaData("truncated: \(count) bytes wanted") }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }
    }
}
