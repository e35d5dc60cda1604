import CairnCore
import CairnReplication
import CairnStorage

/// A stored copy that did not decode, as kept in the node's quarantine.
public struct QuarantinedCopy: Equatable, Sendable {
    /// The order it was quarantined in on this disk, from 1.
    public var sequence: UInt64
    public var table: String
    public var key: [UInt8]
    /// The bytes exactly as they were stored.
    public var data: [UInt8]
}

/// The quarantine: undecodable copies moved aside by `.quarantine` directives, in the hint engine under keys
/// no hint and no start record can take: `0x00 'q'`, an 8-byte big-endian sequence, the table's length and
/// name, then the key (hint keys start with an owner length of 1 or more; the start record is `0x00 'n'…`).
/// At their longest (`tableNameBytesMax`, `keyBytesMax`) these keys fit the engines' key limit. Nothing is
/// ever overwritten: each quarantine takes the next sequence.
extension EngineReplicaStore {
    static let quarantinePrefix: [UInt8] = [0x00, UInt8(ascii: "q")]

    /// Keeps `data` in the quarantine and marks the start record (both synced), then removes the key from its
    /// table. Throws on a storage failure or an unknown table; the key is then left as it was.
    func quarantine(table: String, key: [UInt8], data: [UInt8]) throws {
        let engine = try self.engine(table)
        let sequence = (try quarantinedCopies().last?.sequence ?? 0) + 1
        var storedKey = Self.quarantinePrefix + NodeStartRecord.bigEndian(sequence)
        let name = Array(table.utf8)
        precondition((1...ReplicationLimits.tableNameBytesMax).contains(name.count), "tables are within tableNameBytesMax")
        storedKey += [UInt8(name.count)] + name + key
        assert(storedKey.count <= StorageLimits.keyBytesMax || key.count > ReplicationLimits.keyBytesMax, "quarantine keys fit")
        try hintEngine.put(storedKey, data)
        if var record = try hintEngine.get(NodeStartRecord.key).flatMap(NodeStartRecord.init(decoding:)) {
            record.quarantinedCopy = true
            try hintEngine.put(NodeStartRecord.key, record.encoded())
        }
        try hintEngine.sync()
        try engine.delete(self.storedKey(key))
        try engine.sync()
    }

    /// Every quarantined copy on this disk, oldest first.
    public func quarantinedCopies() throws -> [QuarantinedCopy] {
        let range = KeyRange(from: Self.quarantinePrefix, to: [0x00, UInt8(ascii: "q") + 1])
        return try hintEngine.entries(in: range).compactMap { entry in
            let bytes = entry.key
            guard bytes.count > 11, bytes.count > 11 + Int(bytes[10]) else { return nil }
            let nameEnd = 11 + Int(bytes[10])
            return QuarantinedCopy(
                sequence: NodeStartRecord.uint64(bytes[2..<10]),
                table: String(decoding: bytes[11..<nameEnd], as: UTF8.self), key: Array(bytes[nameEnd...]), data: entry.value)
        }
    }
}
